#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Check the ICVs of the AH frames in a capture, as RFC 4302 computes them,
independently of both IPsec stacks (tshark 4.0 cannot check AH ICVs).

ah_icv.py [--head N] PCAP SPEC...
  PCAP: tcpdump -w, Ethernet, the AH frames whole. SPEC: SPI:ALG:KEY:ICVBITS[:esn],
  SPI and KEY in hex (0x...), ALG one of hmac-md5, hmac-sha1, hmac-sha2-256,
  hmac-sha2-384, hmac-sha2-512, aes-xcbc-mac. The ICV is computed over the
  IP header with TOS/traffic class, flags and fragment offset, TTL/hop limit,
  checksum and flow label zeroed, mutable IPv4 options zeroed whole, the
  data of IPv6 options marked "may change" zeroed, the AH header with its
  ICV zeroed (padding as sent), the payload and, with esn, the high half of
  the sequence number (taken to be 0: test SAs never send 2^32 packets).
  Prints "ah 0xSPI good N bad M" per SPEC and "other N" (frames with AH of
  no SPEC, fragments, routing headers); exits 1 if an ICV is bad. With
  --head N only the first N frames of each SPEC's SPI are checked (one
  capture of a whole test run holds thousands: pure-Python AES-XCBC is slow
  under TCG) and "unchecked N" counts the others.
"""
import hashlib, hmac, struct, sys

HASHES = {"hmac-md5": hashlib.md5, "hmac-sha1": hashlib.sha1,
          "hmac-sha2-256": hashlib.sha256, "hmac-sha2-384": hashlib.sha384,
          "hmac-sha2-512": hashlib.sha512}
# RFC 4302 appendix A.1: IPv4 options included in the ICV as they are.
IMMUTABLE4 = {0, 1, 130, 133, 134, 148, 149}


def xcbc(key, data):
    """AES-XCBC-MAC (RFC 3566), 128 bits."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    def ecb(k):
        # ECB keeps no state between blocks: one encryptor per key will do.
        return Cipher(algorithms.AES(k), modes.ECB()).encryptor().update
    aes = ecb(key)
    k1, k2, k3 = (aes(bytes([i]) * 16) for i in (1, 2, 3))
    aes1 = ecb(k1)
    blocks = [data[i:i + 16] for i in range(0, len(data), 16)] or [b""]
    e = bytes(16)
    for b in blocks[:-1]:
        e = aes1(bytes(x ^ y for x, y in zip(e, b)))
    last = blocks[-1]
    if len(last) == 16:
        last = bytes(x ^ y for x, y in zip(last, k2))
    else:
        last = last + b"\x80" + bytes(15 - len(last))
        last = bytes(x ^ y for x, y in zip(last, k3))
    return aes1(bytes(x ^ y for x, y in zip(e, last)))


def mac(alg, key, data):
    if alg == "aes-xcbc-mac":
        return xcbc(key, data)
    return hmac.new(key, data, HASHES[alg]).digest()


def frames(path):
    data = open(path, "rb").read()
    end = "<" if struct.unpack("<I", data[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    if struct.unpack(end + "I", data[20:24])[0] != 1:
        sys.exit(f"{path}: not an Ethernet capture")
    off = 24
    while off + 16 <= len(data):
        incl, orig = struct.unpack(end + "II", data[off + 8:off + 16])
        yield bytearray(data[off + 16:off + 16 + incl]), incl != orig
        off += 16 + incl


def zero4(pkt):
    """IPv4 packet -> (AH offset, packet with mutable fields zeroed) or None."""
    ihl = (pkt[0] & 0x0F) * 4
    if pkt[9] != 51 or struct.unpack("!H", pkt[6:8])[0] & 0x3FFF:
        return None                         # not AH, or a fragment
    pkt[1] = 0
    pkt[6:8] = b"\0\0"
    pkt[8] = 0
    pkt[10:12] = b"\0\0"
    i = 20
    while i < ihl and pkt[i] != 0:
        if pkt[i] == 1:
            i += 1
            continue
        n = pkt[i + 1]
        if pkt[i] in (131, 137):            # source routes: not handled
            return None
        if pkt[i] not in IMMUTABLE4:
            pkt[i:i + n] = bytes(n)
        i += n
    return ihl, pkt


def zero6(pkt):
    """IPv6 packet -> (AH offset, packet with mutable fields zeroed) or None."""
    pkt[0:4] = b"\x60\0\0\0"
    pkt[7] = 0
    nh, i = pkt[6], 40
    while nh in (0, 60):                    # hop-by-hop, destination options
        n = (pkt[i + 1] + 1) * 8
        j = i + 2
        while j < i + n:
            if pkt[j] == 0:
                j += 1
                continue
            if pkt[j] & 0x20:
                pkt[j + 2:j + 2 + pkt[j + 1]] = bytes(pkt[j + 1])
            j += 2 + pkt[j + 1]
        nh, i = pkt[i], i + n
    return (i, pkt) if nh == 51 else None


def main():
    args, head = sys.argv[1:], None
    if args[:1] == ["--head"] and len(args) > 1:
        head = int(args[1])
        args = args[2:]
    if len(args) < 2:
        sys.exit(__doc__)
    specs = {}
    for s in args[1:]:
        f = s.split(":")
        specs[int(f[0], 16)] = (f[1], bytes.fromhex(f[2][2:]), int(f[3]) // 8,
                                len(f) > 4 and f[4] == "esn")
    good = {spi: 0 for spi in specs}
    bad = dict(good)
    other = unchecked = 0
    for fr, cut in frames(args[0]):
        etype = struct.unpack("!H", fr[12:14])[0]
        if etype == 0x0800:
            pkt = fr[14:14 + struct.unpack("!H", fr[16:18])[0]]
            r = zero4(pkt)
        elif etype == 0x86DD:
            pkt = fr[14:14 + 40 + struct.unpack("!H", fr[18:20])[0]]
            r = zero6(pkt)
        else:
            r = None
        spi = r and struct.unpack("!I", r[1][r[0] + 4:r[0] + 8])[0]
        if not r or spi not in specs:
            other += 1
            continue
        if head is not None and good[spi] + bad[spi] >= head:
            unchecked += 1
            continue
        if cut:
            sys.exit(f"{args[0]}: an AH frame of SPI 0x{spi:08x} is cut short: capture them whole")
        ah, pkt = r
        alg, key, icvlen, esn = specs[spi]
        icv = bytes(pkt[ah + 12:ah + 12 + icvlen])
        pkt[ah + 12:ah + 12 + icvlen] = bytes(icvlen)
        data = bytes(pkt) + (b"\0\0\0\0" if esn else b"")
        if hmac.compare_digest(mac(alg, key, data)[:icvlen], icv):
            good[spi] += 1
        else:
            bad[spi] += 1
    for spi in specs:
        print(f"ah 0x{spi:08x} good {good[spi]} bad {bad[spi]}")
    print(f"other {other}")
    if head is not None:
        print(f"unchecked {unchecked}")
    sys.exit(1 if any(bad.values()) else 0)


main()
