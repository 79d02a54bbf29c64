#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Hostile inbound packets for kipsec's guest tests, sent from the namespace
this runs in through a raw socket (any source address; fragmented here when
bigger than 1400 bytes). ESP is NULL encryption with HMAC-SHA1-96, as a peer
holding such an SA would send it; IPcomp is deflate.

hostile.py esp-nest FAM SRC DST SPI KEY DEPTH MODE SEQ [ISRC]
    DEPTH layers of ESP with one SA, MODE transport (each layer's payload the
    next ESP header) or tunnel (each layer an IP packet SRC->DST); sequence
    numbers SEQ, SEQ+1, ... from the outside in; an ICMP echo request inside
    (from ISRC in tunnel mode, default SRC).
hostile.py comp-nest FAM SRC DST CPI DEPTH [ISRC]
    DEPTH layers of IP | IPcomp(IP-in-IP) | deflate(...), an echo from ISRC
    (default SRC) inside.
hostile.py wrap FAM LAYER...
    Layers from the outside in: "esp:SRC:DST:SPI:KEY:SEQ" (an ESP tunnel),
    "comp:SRC:DST:CPI" (IPcomp, compressed), "ipip:SRC:DST" (IP-in-IP, as an
    IPcomp tunnel sends a packet it did not compress), then "echo:SRC:DST"
    innermost. With FAM 6 the fields are separated by commas.
hostile.py udp FAM SRC SPORT DST DPORT HEX
    One UDP datagram with the payload HEX, from any source (checksum 0 in
    IPv4, as ESP in UDP has).
hostile.py raw FAM SRC DST PROTO HEX [TOS]
    One IP packet with protocol PROTO and the payload HEX (an IP packet
    itself for IP-in-IP: build it with "hostile.py print"), TOS its IPv4
    TOS byte.
hostile.py toobig FAM FROM TO QSRC QDST SPI MTU
    An ICMP "fragmentation needed" (IPv4) or "packet too big" (IPv6) from
    FROM to TO, quoting an ESP packet QSRC->QDST with SPI.
Prints one line: what was sent and its size.
hostile.py batch
    The commands above, one per line on stdin (without "hostile.py"), each
    answered by one line on stdout: what was sent, or "error: WHY". One
    process for many packets: Python takes seconds to start under TCG.
"""
import hashlib, hmac, socket, struct, sys, zlib

IPPROTO_IPIP, IPPROTO_IPV6, IPPROTO_ESP, IPPROTO_COMP = 4, 41, 50, 108
IPV6_HDRINCL = 36
FRAG = 1400


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Fam:
    def __init__(self, v):
        self.v = int(v)
        self.af = socket.AF_INET if self.v == 4 else socket.AF_INET6

    def addr(self, a):
        return socket.inet_pton(self.af, a)

    def ip(self, src, dst, proto, payload, ident=0x4242, frag=0, tos=0):
        if self.v == 4:
            h = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(payload),
                            ident, frag, 64, proto, 0, self.addr(src),
                            self.addr(dst))
            return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload
        return struct.pack("!IHBB16s16s", 6 << 28, len(payload), proto, 64,
                           self.addr(src), self.addr(dst)) + payload

    def ipip(self):
        return IPPROTO_IPIP if self.v == 4 else IPPROTO_IPV6

    def icmp_proto(self):
        return 1 if self.v == 4 else 58

    def icmp(self, src, dst, typ, code, rest):
        body = struct.pack("!BBH", typ, code, 0) + rest
        if self.v == 4:
            c = csum(body)
        else:
            pseudo = (self.addr(src) + self.addr(dst) +
                      struct.pack("!IxxxB", len(body), 58))
            c = csum(pseudo + body)
        return body[:2] + struct.pack("!H", c) + body[4:]

    def echo(self, src, dst):
        typ = 8 if self.v == 4 else 128
        return self.icmp(src, dst, typ, 0,
                         struct.pack("!HH", 0x6b69, 1) + b"kipsec-hostile!!")

    def echo_packet(self, src, dst):
        return self.ip(src, dst, self.icmp_proto(), self.echo(src, dst))


def esp(spi, key, seq, nh, payload):
    """ESP with NULL encryption (RFC 2410) and HMAC-SHA1-96."""
    padlen = (2 - len(payload)) % 4
    body = (struct.pack("!II", spi, seq) + payload +
            bytes(range(1, padlen + 1)) + bytes([padlen, nh]))
    return body + hmac.new(key, body, hashlib.sha1).digest()[:12]


def ipcomp(cpi, nh, payload):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return struct.pack("!BBH", nh, 0, cpi) + c.compress(payload) + c.flush()


def fragments(fam, pkt):
    """The packet as sent: whole, or cut into fragments of FRAG bytes."""
    if len(pkt) <= FRAG:
        return [pkt]
    frags = []
    if fam.v == 4:
        hdr, data = pkt[:20], pkt[20:]
        src, dst, proto = hdr[12:16], hdr[16:20], hdr[9]
        step = (FRAG - 20) // 8 * 8
        for off in range(0, len(data), step):
            chunk = data[off:off + step]
            more = 0x2000 if off + step < len(data) else 0
            frags.append(fam.ip(socket.inet_ntop(fam.af, src),
                                socket.inet_ntop(fam.af, dst), proto, chunk,
                                frag=more | off // 8))
        return frags
    hdr, data = pkt[:40], pkt[40:]
    step = (FRAG - 48) // 8 * 8
    for off in range(0, len(data), step):
        chunk = data[off:off + step]
        more = 1 if off + step < len(data) else 0
        fh = struct.pack("!BBHI", hdr[6], 0, off | more, 0x6b697073)
        frags.append(struct.pack("!IHBB", 6 << 28, len(fh) + len(chunk), 44,
                                 64) + hdr[8:40] + fh + chunk)
    return frags


def send(fam, pkt, dst):
    s = socket.socket(fam.af, socket.SOCK_RAW, socket.IPPROTO_RAW)
    if fam.v == 6:
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_HDRINCL, 1)
    n = 0
    for f in fragments(fam, pkt):
        s.sendto(f, (dst, 0))
        n += 1
    return n


def esp_nest(fam, src, dst, spi, key, depth, mode, seq, isrc):
    inner = fam.echo(isrc, dst)
    nh = fam.icmp_proto()
    if mode == "tunnel":
        inner, nh = fam.ip(isrc, dst, nh, inner), fam.ipip()
    for i in reversed(range(depth)):
        inner = esp(spi, key, seq + i, nh, inner)
        if mode == "tunnel":
            inner, nh = fam.ip(src, dst, IPPROTO_ESP, inner), fam.ipip()
        else:
            nh = IPPROTO_ESP
    return inner if mode == "tunnel" else fam.ip(src, dst, IPPROTO_ESP, inner)


def comp_nest(fam, src, dst, cpi, depth, isrc):
    pkt = fam.echo_packet(isrc, dst)
    for _ in range(depth):
        pkt = fam.ip(src, dst, IPPROTO_COMP, ipcomp(cpi, fam.ipip(), pkt))
    return pkt


def wrap(fam, layers):
    """Build from the innermost layer out; returns (packet, outer dst)."""
    sep = "," if fam.v == 6 else ":"
    kind, *a = layers[-1].split(sep)
    if kind != "echo":
        sys.exit("the innermost layer must be echo:SRC:DST")
    pkt, dst = fam.echo_packet(a[0], a[1]), a[1]
    for layer in reversed(layers[:-1]):
        kind, *a = layer.split(sep)
        if kind == "comp":
            pkt = fam.ip(a[0], a[1], IPPROTO_COMP,
                         ipcomp(int(a[2], 0), fam.ipip(), pkt))
        elif kind == "ipip":
            pkt = fam.ip(a[0], a[1], fam.ipip(), pkt)
        elif kind == "esp":
            pkt = fam.ip(a[0], a[1], IPPROTO_ESP,
                         esp(int(a[2], 0), bytes.fromhex(a[3]), int(a[4]),
                             fam.ipip(), pkt))
        else:
            sys.exit(f"unknown layer {layer}")
        dst = a[1]
    return pkt, dst


def toobig(fam, frm, to, qsrc, qdst, spi, mtu):
    quoted = fam.ip(qsrc, qdst, IPPROTO_ESP, struct.pack("!II", spi, 7) +
                    bytes(32))
    if fam.v == 4:
        body = fam.icmp(frm, to, 3, 4, struct.pack("!HH", 0, mtu) +
                        quoted[:28])
        return fam.ip(frm, to, 1, body)
    body = fam.icmp(frm, to, 2, 0, struct.pack("!I", mtu) + quoted[:48])
    return fam.ip(frm, to, 58, body)


def run(argv):
    """One command: send its packet, return what was sent."""
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, fam = argv[0], Fam(argv[1])
    if cmd == "esp-nest":
        src, dst, spi, key, depth, mode, seq = argv[2:9]
        isrc = argv[9] if len(argv) > 9 else src
        pkt = esp_nest(fam, src, dst, int(spi, 0), bytes.fromhex(key),
                       int(depth), mode, int(seq), isrc)
    elif cmd == "comp-nest":
        src, dst, cpi, depth = argv[2:6]
        isrc = argv[6] if len(argv) > 6 else src
        pkt = comp_nest(fam, src, dst, int(cpi, 0), int(depth), isrc)
    elif cmd == "wrap":
        pkt, dst = wrap(fam, argv[2:])
    elif cmd == "udp":
        src, sport, dst, dport, data = argv[2:7]
        payload = bytes.fromhex(data)
        udp = struct.pack("!HHHH", int(sport), int(dport), 8 + len(payload),
                          0) + payload
        if fam.v == 6:
            pseudo = (fam.addr(src) + fam.addr(dst) +
                      struct.pack("!IxxxB", len(udp), 17))
            udp = udp[:6] + struct.pack("!H", csum(pseudo + udp)) + udp[8:]
        pkt = fam.ip(src, dst, 17, udp)
    elif cmd == "raw":
        src, dst, proto, data = argv[2:6]
        tos = int(argv[6], 0) if len(argv) > 6 else 0
        pkt = fam.ip(src, dst, int(proto), bytes.fromhex(data), tos=tos)
    elif cmd == "toobig":
        frm, to, qsrc, qdst, spi, mtu = argv[2:8]
        dst = to
        pkt = toobig(fam, frm, to, qsrc, qdst, int(spi, 0), int(mtu))
    else:
        sys.exit(__doc__)
    n = send(fam, pkt, dst)
    return f"sent {cmd} len={len(pkt)} frames={n}"


def batch():
    for line in sys.stdin:
        try:
            out = run(line.split())
        except (Exception, SystemExit) as e:
            # One line, whatever went wrong (the usage is many).
            out = "error: " + (" ".join(str(e).split())[:300] or repr(e))
        print(out, flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["batch"]:
        batch()
    else:
        print(run(sys.argv[1:]))
