#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""What went over the wire between two IKE peers, in one pass over a capture
(tcpdump -w, Ethernet).

ike_wire.py PCAP [PORT...]
  Classifies each IP frame: I for IKE (UDP port 500, 4500 with the
  non-ESP marker, or one of the PORTs with the marker), E for ESP (IP
  protocol 50, or ESP in UDP on those ports), C for anything else carried
  in clear (TCP, other UDP, ICMP echoes...). ARP, IGMP, IPv6 neighbour
  discovery and MLD, and NAT keepalives are not counted. Prints:
    seq I4 E8 I2          the classes in order, runs counted
    esp 0x452b8687 4      one line per ESP SPI (plain or in UDP)
    ike N / clear N / frames N
  A first ICMP echo or TCP segment shows as C.
"""
import struct, sys

# ICMPv6 that only keeps the link going: MLD (130-132, 143), ND (133-137).
LINK_ICMP6 = {130, 131, 132, 133, 134, 135, 136, 137, 143}


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    path = sys.argv[1]
    ports = {500, 4500} | {int(p) for p in sys.argv[2:]}
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    if struct.unpack(end + "I", data[20:24])[0] != 1:
        sys.exit(f"{path}: not an Ethernet capture")
    seq, spis, counts, frames = [], {}, {"I": 0, "E": 0, "C": 0}, 0
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        fr = data[off + 16:off + 16 + incl]
        off += 16 + incl
        frames += 1
        if len(fr) < 14:
            continue
        etype = struct.unpack("!H", fr[12:14])[0]
        proto = l4 = None
        if etype == 0x0800 and len(fr) >= 34:
            ihl = (fr[14] & 0x0F) * 4
            first = struct.unpack("!H", fr[20:22])[0] & 0x1FFF == 0
            proto, l4 = fr[23], (14 + ihl if first else None)
        elif etype == 0x86DD and len(fr) >= 54:
            proto, l4 = fr[20], 54
            if proto == 44 and len(fr) >= 62:
                first = struct.unpack("!H", fr[56:58])[0] & 0xFFF8 == 0
                proto, l4 = fr[54], (62 if first else None)
        else:
            continue	# ARP and the like
        cls = "C"
        if proto == 50:
            cls = "E"
            if l4 is not None and len(fr) >= l4 + 4:
                spi = struct.unpack("!I", fr[l4:l4 + 4])[0]
                spis[spi] = spis.get(spi, 0) + 1
        elif proto == 58 and l4 is not None and len(fr) > l4 and fr[l4] in LINK_ICMP6:
            continue	# neighbour discovery, multicast listeners
        elif proto == 2 or (etype == 0x86DD and fr[20] == 0 and len(fr) >= 64 and fr[54] == 58
                            and fr[62] in LINK_ICMP6):
            continue	# IGMP; MLD behind a hop-by-hop header
        elif proto == 17 and l4 is not None and len(fr) >= l4 + 8:
            sport, dport = struct.unpack("!HH", fr[l4:l4 + 4])
            body = fr[l4 + 8:]
            if sport in ports or dport in ports:
                if 500 in (sport, dport):
                    cls = "I"
                elif body[:1] == b"\xff" and len(body) == 1:
                    continue	# NAT keepalive
                elif body[:4] == b"\0\0\0\0":
                    cls = "I"
                elif len(body) >= 8:
                    cls = "E"
                    spi = struct.unpack("!I", body[:4])[0]
                    spis[spi] = spis.get(spi, 0) + 1
        counts[cls] += 1
        if seq and seq[-1][0] == cls:
            seq[-1][1] += 1
        else:
            seq.append([cls, 1])
    print("seq " + (" ".join(f"{c}{n}" for c, n in seq) or "-"))
    for spi, n in sorted(spis.items()):
        print(f"esp 0x{spi:08x} {n}")
    print(f"ike {counts['I']}")
    print(f"clear {counts['C']}")
    print(f"frames {frames}")


if __name__ == "__main__":
    main()
