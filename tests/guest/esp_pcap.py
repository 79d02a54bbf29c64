#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""One pass over a capture of the wire between two IPsec peers (tcpdump -w,
Ethernet; much faster under TCG than several tcpdump -r passes).

esp_pcap.py PCAP [HEAD N]
  Prints one line per SPI seen, "esp 0x00001011 COUNT" or "ah 0x... COUNT",
  then "clear N": the frames carrying TCP, or an ICMP/ICMPv6 echo, outside
  IPsec, then "frames N". With HEAD N, also writes the first N ESP/AH frames
  to the capture file HEAD (for tshark).
"""
import struct, sys

def main():
    path = sys.argv[1]
    head, nhead = (sys.argv[2], int(sys.argv[3])) if len(sys.argv) == 4 else (None, 0)
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    if struct.unpack(end + "I", data[20:24])[0] != 1:
        sys.exit(f"{path}: not an Ethernet capture")
    spis, clear, frames, kept = {}, 0, 0, []
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        rec = data[off:off + 16 + incl]
        fr = rec[16:]
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
            if proto == 44 and len(fr) >= 62:  # fragment header
                first = struct.unpack("!H", fr[56:58])[0] & 0xFFF8 == 0
                proto, l4 = fr[54], (62 if first else None)
        if proto in (50, 51):
            if l4 is not None:
                at = l4 if proto == 50 else l4 + 4
                if len(fr) >= at + 4:
                    key = ("esp" if proto == 50 else "ah", struct.unpack("!I", fr[at:at + 4])[0])
                    spis[key] = spis.get(key, 0) + 1
            if head and len(kept) < nhead:
                kept.append(rec)
        elif proto == 6:
            clear += 1
        elif proto in (1, 58) and l4 is not None and len(fr) > l4:
            if fr[l4] in ((0, 8) if proto == 1 else (128, 129)):
                clear += 1
    for (p, spi), n in sorted(spis.items()):
        print(f"{p} 0x{spi:08x} {n}")
    print(f"clear {clear}")
    print(f"frames {frames}")
    if head:
        with open(head, "wb") as f:
            f.write(data[:24])
            for rec in kept:
                f.write(rec)

main()
