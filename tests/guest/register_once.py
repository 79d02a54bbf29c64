#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""One SADB_REGISTER on a new PF_KEY socket, as a key daemon starts.

register_once.py SATYPE
  Sends SADB_REGISTER for SATYPE (2 AH, 3 ESP), waits up to 120 s for the
  reply, reads /proc/net/kipsec's alg_probed right after it, checks the
  SUPPORTED extensions (lengths, key sizes, no id twice) and prints
    probed=T/N auth=ID,ID,... enc=ID,ID,...
  Exits 1 on a missing or malformed reply.
"""
import os, socket, struct, sys

PF_KEY, PF_KEY_V2 = 15, 2
SADB_REGISTER = 7
SUPPORTED_AUTH, SUPPORTED_ENCRYPT = 14, 15
HDR = struct.Struct("=BBBBHHII")
EXT = struct.Struct("=HH")
ALG = struct.Struct("=BBHHH")


def fail(why):
    print(f"bad REGISTER reply: {why}", flush=True)
    sys.exit(1)


def supported(msg):
    """{ext type: [alg ids]} of a REGISTER reply, checked."""
    off, out = HDR.size, {}
    while off < len(msg):
        if off + EXT.size > len(msg):
            fail(f"extension header at {off} of {len(msg)}")
        ln, typ = EXT.unpack_from(msg, off)
        if not ln or off + ln * 8 > len(msg):
            fail(f"extension {typ} of {ln} words at {off} of {len(msg)}")
        if typ in out:
            fail(f"extension {typ} twice")
        if typ in (SUPPORTED_AUTH, SUPPORTED_ENCRYPT):
            ids = []
            for a in range(off + 8, off + ln * 8, ALG.size):
                aid, _, lo, hi, res = ALG.unpack_from(msg, a)
                if lo > hi or res or aid in ids:
                    fail(f"algorithm {aid}: bits {lo}-{hi} reserved {res}")
                ids.append(aid)
            out[typ] = ids
        off += ln * 8
    if set(out) != {SUPPORTED_AUTH, SUPPORTED_ENCRYPT}:
        fail(f"extensions {sorted(out)}")
    return out


def probed():
    for line in open("/proc/net/kipsec"):
        if line.startswith("alg_probed:"):
            return line.split()[1]
    return "?"


def main():
    satype = int(sys.argv[1])
    s = socket.socket(PF_KEY, socket.SOCK_RAW, PF_KEY_V2)
    pid = os.getpid()
    s.send(HDR.pack(PF_KEY_V2, SADB_REGISTER, 0, satype, 2, 0, 1, pid))
    s.settimeout(120)
    while True:
        try:
            msg = s.recv(65536)
        except socket.timeout:
            fail("none in 120 s")
        _, typ, err, _, ln, _, _, mpid = HDR.unpack_from(msg)
        if typ == SADB_REGISTER and mpid == pid:
            break
    state = probed()
    if err:
        fail(f"errno {err}")
    if ln * 8 != len(msg):
        fail(f"length {ln * 8} for {len(msg)} bytes")
    sup = supported(msg)
    auth = ",".join(map(str, sorted(sup[SUPPORTED_AUTH])))
    enc = ",".join(map(str, sorted(sup[SUPPORTED_ENCRYPT])))
    print(f"probed={state} auth={auth} enc={enc}", flush=True)


main()
