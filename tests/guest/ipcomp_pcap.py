#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""One pass over a capture of the wire between two IPcomp peers (tcpdump -w,
Ethernet).

ipcomp_pcap.py PCAP
  Prints one line per kind of frame and outer source address, with a count:
    comp SRC 0xCPI N   IPcomp (IP protocol 108), by CPI
    tcp SRC N          TCP outside IPcomp (uncompressed, transport mode)
    echo SRC N         ICMP/ICMPv6 echo outside IPcomp
    ipip SRC N         IPv4 or IPv6 inside IP, no IPcomp header
                       (uncompressed, tunnel mode)
  then "frames N". Non-first fragments are counted under "frag SRC N".
"""
import ipaddress, struct, sys

def main():
    data = open(sys.argv[1], "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    if struct.unpack(end + "I", data[20:24])[0] != 1:
        sys.exit(f"{sys.argv[1]}: not an Ethernet capture")
    seen, frames, off = {}, 0, 24
    while off + 16 <= len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        fr = data[off + 16:off + 16 + incl]
        off += 16 + incl
        frames += 1
        if len(fr) < 14:
            continue
        etype = struct.unpack("!H", fr[12:14])[0]
        if etype == 0x0800 and len(fr) >= 34:
            src = str(ipaddress.IPv4Address(fr[26:30]))
            first = struct.unpack("!H", fr[20:22])[0] & 0x1FFF == 0
            proto, l4 = fr[23], 14 + (fr[14] & 0x0F) * 4
        elif etype == 0x86DD and len(fr) >= 54:
            src = str(ipaddress.IPv6Address(fr[22:38]))
            proto, l4, first = fr[20], 54, True
            if proto == 44 and len(fr) >= 62:  # fragment header
                first = struct.unpack("!H", fr[56:58])[0] & 0xFFF8 == 0
                proto, l4 = fr[54], 62
        else:
            continue
        if not first:
            key = ("frag", src)
        elif proto == 108 and len(fr) >= l4 + 4:
            key = ("comp", src, "0x%x" % struct.unpack("!H", fr[l4 + 2:l4 + 4])[0])
        elif proto == 6:
            key = ("tcp", src)
        elif proto in (4, 41):
            key = ("ipip", src)
        elif proto in (1, 58) and len(fr) > l4 and \
                fr[l4] in ((0, 8) if proto == 1 else (128, 129)):
            key = ("echo", src)
        else:
            continue
        seen[key] = seen.get(key, 0) + 1
    for key, n in sorted(seen.items()):
        print(" ".join(key), n)
    print(f"frames {frames}")

main()
