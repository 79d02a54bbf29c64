#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""An IKE_SA_INIT flood as fast as one CPU sends it, for
tests/bench/ike_cookie.sh.

cookie_flood.py DST SRC_PREFIX16 SECONDS

The requests are those of tests/guest/ike_flood.py (AES-CBC-128,
HMAC-SHA2-256, DH 31, from random addresses of SRC_PREFIX16 and port 500,
random SPI, nonce and KE), but made in advance, POOL distinct ones sent
round and round, so that the sender's time goes into sending: a responder
that answers with a COOKIE keeps nothing of a request, and one made 4096
sends before is as new to it as any. Prints "sent=N refused=N secs=S rate=R"
(refused: attempts the kernel refused, ENOBUFS, not in sent).
"""
import os, random, socket, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "guest"))
from ike_flood import ike_sa_init, packet  # noqa: E402

POOL = 4096


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    dst, pfx, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
    pool = []
    for _ in range(POOL):
        src = "%s.%d.%d" % (pfx, random.randrange(256), random.randrange(1, 255))
        pool.append(packet(src, dst, ike_sa_init(random.getrandbits(64) | 1)))
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    addr = (dst, 0)
    sent = refused = 0
    send = s.sendto
    t0 = time.monotonic()
    end = t0 + secs
    batches = [pool[k:k + 256] for k in range(0, POOL, 256)]
    i = 0
    while time.monotonic() < end:
        for p in batches[i]:
            try:
                send(p, addr)
                sent += 1
            except OSError:
                refused += 1
        i = (i + 1) % len(batches)
    t = time.monotonic() - t0
    print("sent=%d refused=%d secs=%.2f rate=%.1f" % (sent, refused, t, sent / t))


if __name__ == "__main__":
    main()
