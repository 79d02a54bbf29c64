#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Play the key manager's part: SADB_REGISTER for ESP and wait for ACQUIREs.

pfkey_register.py SECONDS
  Opens a PF_KEY v2 socket, registers for ESP (as racoon or ikd do), prints
  "registered", then for SECONDS prints one line per SADB_ACQUIRE received:
  "ACQUIRE satype=N len=L". Linux af_key sends ACQUIREs only while some
  socket is registered (promiscuous `setkey -x` alone does not count).
"""
import os, socket, struct, sys, time

PF_KEY, PF_KEY_V2 = 15, 2
SADB_ACQUIRE, SADB_REGISTER, SADB_SATYPE_ESP = 6, 7, 3
HDR = struct.Struct("=BBBBHHII")

def main():
    secs = float(sys.argv[1])
    s = socket.socket(PF_KEY, socket.SOCK_RAW, PF_KEY_V2)
    pid = os.getpid()
    s.send(HDR.pack(PF_KEY_V2, SADB_REGISTER, 0, SADB_SATYPE_ESP, 2, 0, 1, pid))
    deadline = time.time() + secs
    registered = False
    while time.time() < deadline:
        s.settimeout(max(0.05, deadline - time.time()))
        try:
            msg = s.recv(65536)
        except socket.timeout:
            break
        if len(msg) < HDR.size:
            continue
        _, typ, err, satype, ln, _, seq, mpid = HDR.unpack(msg[:HDR.size])
        if typ == SADB_REGISTER and mpid == pid and not registered:
            if err:
                print(f"register failed: errno {err}", flush=True)
                sys.exit(1)
            registered = True
            print("registered", flush=True)
        elif typ == SADB_ACQUIRE:
            print(f"ACQUIRE satype={satype} len={ln * 8}", flush=True)
    if not registered:
        print("no reply to SADB_REGISTER", flush=True)
        sys.exit(1)

main()
