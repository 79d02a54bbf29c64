#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Waits for one SADB_ACQUIRE on a registered PF_KEY socket.

iface_acquire.py READY_FILE SECONDS
  Registers for ESP, creates READY_FILE, waits up to SECONDS for an
  ACQUIRE and prints what its policy extension says:
    acquire satype=S dir=D id=I proto=P mode=M level=L reqid=R
  (the request's fields: 'none' when the extension has no request).
  Exits 1 when no ACQUIRE came.
"""
import select, socket, struct, sys, time

PF_KEY, PF_KEY_V2 = 15, 2
SADB_REGISTER, SADB_ACQUIRE, SADB_SATYPE_ESP = 7, 6, 3
SADB_X_EXT_POLICY = 18
HDR = struct.Struct("=BBBBHHII")
EXT = struct.Struct("=HH")
POL = struct.Struct("=HHHBBII")
REQ = struct.Struct("=HHBBHII")


def describe(msg):
    satype = msg[3]
    off = HDR.size
    while off + EXT.size <= len(msg):
        elen, etype = EXT.unpack_from(msg, off)
        if elen == 0:
            break
        if etype == SADB_X_EXT_POLICY:
            _, _, _, pdir, _, pid, _ = POL.unpack_from(msg, off)
            out = f"acquire satype={satype} dir={pdir} id={pid}"
            if elen * 8 >= POL.size + REQ.size:
                _, proto, mode, level, _, reqid, _ = REQ.unpack_from(msg, off + POL.size)
                return out + f" proto={proto} mode={mode} level={level} reqid={reqid}"
            return out + " proto=none"
        off += elen * 8
    return f"acquire satype={satype} no-policy"


def main():
    ready, secs = sys.argv[1], float(sys.argv[2])
    s = socket.socket(PF_KEY, socket.SOCK_RAW, PF_KEY_V2)
    s.send(HDR.pack(PF_KEY_V2, SADB_REGISTER, 0, SADB_SATYPE_ESP, 2, 0, 1, 0))
    open(ready, "w").close()
    end = time.monotonic() + secs
    while time.monotonic() < end:
        r, _, _ = select.select([s], [], [], max(0.0, end - time.monotonic()))
        if not r:
            break
        msg = s.recv(65536)
        if len(msg) >= HDR.size and msg[1] == SADB_ACQUIRE:
            print(describe(msg), flush=True)
            return 0
    print("no ACQUIRE", flush=True)
    return 1


sys.exit(main())
