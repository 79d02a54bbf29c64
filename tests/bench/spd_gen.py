#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Extra SPD or SAD entries for tests/bench/spd_scale.sh: the same
entries as a setkey -f file, BASE.setkey, and as an `ip -batch` file of
`xfrm ...` lines, BASE.xfrm (one run: Python starts slowly in the guest).

usage: spd_gen.py BASE policies CLASS FROM TO PRIO DIRS...
       spd_gen.py BASE sas FROM TO
Entries FROM to TO - 1 of the class's sequence, so that a table of N grows
to N' by adding entries N to N' - 1.

policies: entries per direction in DIRS (out, in, fwd), all at
priority PRIO (the tunnel's are later in KAME order), action discard
(XFRM: block), none of them matching the benchmark's flows: UDP from
10.0.1.2 to 10.0.2.2 port 5301 (ESP_PORT), TCP to port 5201, ICMP. CLASS:
  host    /32 host pairs, 172.16.0.0/12 -> 100.64.0.0/10, one selector shape
  prefix  prefixes of every length pair /16-/32 x /16-/32 (289 shapes),
          172.0.0.0/8 -> 198.0.0.0/8: none covers the flow
  port    the tunnel's prefixes 10.0.1.0/24 -> 10.0.2.0/24, UDP with a
          source and a destination port, never destination port 5301
  proto   the tunnel's prefixes with another protocol: first the 244
          numbers that carry no ports (not ICMP, TCP, UDP, ESP, AH,
          IPcomp, ICMPv6, DCCP, SCTP, UDP-Lite, nor 0 or 255), then TCP
          with a source and a destination port, never to port 5201
  mix     the four above in turn (entry i is of class i mod 4)
sas: ESP tunnel-mode SAs (null encryption) from 20.0.0.1 to 30.0.0.0 + i,
SPI 0x100000 + i: distinct SPIs and destinations, none the tunnel's.
"""
import sys

FLOW_UDP_PORT = 5301    # tests/bench/udp_window.c's default
FLOW_TCP_PORT = 5201    # iperf3's
LAN, RLAN = "10.0.1.0/24", "10.0.2.0/24"
SKIP = {0, 1, 6, 17, 33, 50, 51, 58, 108, 132, 136, 255}
PLAIN_PROTOS = [p for p in range(256) if p not in SKIP]


def ip(n):
    return "%d.%d.%d.%d" % (n >> 24, n >> 16 & 255, n >> 8 & 255, n & 255)


def ports(k, avoid):
    """The k-th (source port, destination port) pair; never dport avoid."""
    d = 1 + k % 60000
    if d >= avoid:
        d += 1
    return 1 + k // 60000, d


def selector(cls, i):
    """(src, dst, proto, sport, dport) of entry i of a class; proto None
    for any, ports None for any."""
    if cls == "mix":
        return selector(("host", "prefix", "port", "proto")[i % 4], i // 4)
    if cls == "host":
        return ip(0xAC100000 + i) + "/32", ip(0x64400000 + i) + "/32", None, None, None
    if cls == "prefix":
        sl, dl, m = 16 + i % 17, 16 + i // 17 % 17, i // 289
        src = 0xAC000000 + ((m % 256) << (32 - sl))
        dst = 0xC6000000 + ((m // 256) << (32 - dl))
        return "%s/%d" % (ip(src), sl), "%s/%d" % (ip(dst), dl), None, None, None
    if cls == "port":
        sp, dp = ports(i, FLOW_UDP_PORT)
        return LAN, RLAN, 17, sp, dp
    if cls == "proto":
        if i < len(PLAIN_PROTOS):
            return LAN, RLAN, PLAIN_PROTOS[i], None, None
        sp, dp = ports(i - len(PLAIN_PROTOS), FLOW_TCP_PORT)
        return LAN, RLAN, 6, sp, dp
    raise SystemExit("spd_gen.py: unknown class %s" % cls)


def policies(sk, xf, cls, lo, hi, prio, dirs):
    for d in dirs:
        for i in range(lo, hi):
            src, dst, proto, sp, dp = selector(cls, i)
            s = src if sp is None else "%s[%d]" % (src, sp)
            t = dst if dp is None else "%s[%d]" % (dst, dp)
            sk.write("spdadd %s %s %s -P %s prio %d discard;\n"
                     % (s, t, "any" if proto is None else proto, d, prio))
            up = "" if proto is None else " proto %d" % proto
            if sp is not None:
                up += " sport %d dport %d" % (sp, dp)
            xf.write("xfrm policy add src %s dst %s%s dir %s priority %d action block\n"
                     % (src, dst, up, d, prio))


def sas(sk, xf, lo, hi):
    for i in range(lo, hi):
        dst, spi = ip(0x1E000000 + i), 0x100000 + i
        sk.write("add 20.0.0.1 %s esp 0x%x -m tunnel -E null;\n" % (dst, spi))
        xf.write("xfrm state add src 20.0.0.1 dst %s proto esp spi 0x%x mode tunnel"
                 " enc ecb(cipher_null) \"\"\n" % (dst, spi))


def main():
    a = sys.argv[2:]
    try:
        if sys.argv[1] == "policies" or not a:
            raise IndexError
        with open(sys.argv[1] + ".setkey", "w") as sk, open(sys.argv[1] + ".xfrm", "w") as xf:
            if a[0] == "policies" and len(a) >= 6:
                policies(sk, xf, a[1], int(a[2]), int(a[3]), int(a[4]), a[5:])
            elif a[0] == "sas" and len(a) == 3:
                sas(sk, xf, int(a[1]), int(a[2]))
            else:
                raise IndexError
    except (IndexError, ValueError):
        raise SystemExit(__doc__.split("\n\n")[1])


if __name__ == "__main__":
    main()
