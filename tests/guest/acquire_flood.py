#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Make ACQUIREs: UDP to many destinations under a `require` policy.

acquire_flood.py PREFIX FIRST COUNT [nowait]
  Registers a PF_KEY socket for ESP (with a receive buffer big enough for
  every ACQUIRE), sends one UDP datagram to each of COUNT destinations
  PREFIX.x.y numbered from FIRST (y from 2: never the peer, .1), then reads
  the ACQUIREs until none comes for 3 s and prints
    sent=N eperm=N acquires=N distinct=N bad=N
  eperm: datagrams the kernel refused (the policy dropped them, no SA);
  distinct: ACQUIREs for distinct destinations; bad: ACQUIREs whose
  extensions do not add up to the message length or lack a destination.
  With "nowait", exits as soon as the datagrams are sent.
"""
import os, socket, struct, sys, time

PF_KEY, PF_KEY_V2 = 15, 2
SADB_ACQUIRE, SADB_REGISTER, SADB_SATYPE_ESP = 6, 7, 3
SADB_EXT_ADDRESS_DST = 6
SO_RCVBUFFORCE = 33
HDR = struct.Struct("=BBBBHHII")
EXT = struct.Struct("=HH")


def dests(prefix, first, count):
    for i in range(first, first + count):
        x, y = divmod(i, 250)
        yield f"{prefix}.{x}.{y + 2}"


def acquire_dst(msg):
    """The destination of an ACQUIRE, or None if it is malformed."""
    off, dst = HDR.size, None
    while off < len(msg):
        if off + EXT.size > len(msg):
            return None
        ln, typ = EXT.unpack_from(msg, off)
        if not ln or off + ln * 8 > len(msg):
            return None
        if typ == SADB_EXT_ADDRESS_DST:
            sa = msg[off + 8:off + ln * 8]
            dst = socket.inet_ntoa(sa[4:8])
        off += ln * 8
    return dst


def main():
    prefix, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    k = socket.socket(PF_KEY, socket.SOCK_RAW, PF_KEY_V2)
    k.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 64 << 20)
    k.send(HDR.pack(PF_KEY_V2, SADB_REGISTER, 0, SADB_SATYPE_ESP, 2, 0, 1,
                    os.getpid()))
    k.settimeout(30)
    while HDR.unpack_from(k.recv(65536))[1] != SADB_REGISTER:
        pass
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent = eperm = 0
    for d in dests(prefix, first, count):
        sent += 1
        try:
            u.sendto(b"x", (d, 9))
        except PermissionError:
            eperm += 1
    if sys.argv[4:] == ["nowait"]:
        return
    seen, acquires, bad = set(), 0, 0
    k.settimeout(3)
    while True:
        try:
            msg = k.recv(65536)
        except socket.timeout:
            break
        _, typ, _, _, ln, _, _, _ = HDR.unpack_from(msg)
        if typ != SADB_ACQUIRE:
            continue
        acquires += 1
        dst = acquire_dst(msg) if ln * 8 == len(msg) else None
        if dst is None:
            bad += 1
        else:
            seen.add(dst)
    print(f"sent={sent} eperm={eperm} acquires={acquires} "
          f"distinct={len(seen)} bad={bad}")


main()
