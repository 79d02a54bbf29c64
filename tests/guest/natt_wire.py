#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The outside wire of a NAT (tcpdump -w, Ethernet, IPv4), in one pass.

natt_wire.py PCAP NAT_ADDRESS NEW_PORT
  Counts, for datagrams from NAT_ADDRESS to UDP port 4500:
    ike      IKE (the 4-byte non-ESP marker)
    esp      ESP in UDP
    esp_new  ESP in UDP from source port NEW_PORT
    ka       NAT-T keepalives (one byte, 0xff)
  and over every IPv4 frame:
    other    anything but UDP to or from port 500 or 4500 (bare ESP,
             clear ICMP or TCP...), except the NAT's own ICMP
             "unreachable" for datagrams to a mapping it no longer has
  Prints one "name N" line each; "other:" lines describe the first few.
"""
import ipaddress
import struct
import sys


def frames(path):
    data = open(path, "rb").read()
    end = "<" if struct.unpack("<I", data[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    if struct.unpack(end + "I", data[20:24])[0] != 1:
        sys.exit(f"{path}: not an Ethernet capture")
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        yield data[off + 16:off + 16 + incl]
        off += 16 + incl


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    nat = ipaddress.IPv4Address(sys.argv[2]).packed
    new_port = int(sys.argv[3])
    n = {"ike": 0, "esp": 0, "esp_new": 0, "ka": 0, "other": 0}
    shown = []
    for fr in frames(sys.argv[1]):
        if len(fr) < 34 or fr[12:14] != b"\x08\x00":
            continue        # ARP and the like
        ip = fr[14:]
        ihl = (ip[0] & 15) * 4
        proto, src, dst = ip[9], ip[12:16], ip[16:20]
        frag = struct.unpack(">H", ip[6:8])[0] & 0x1FFF
        l4 = ip[ihl:]
        if proto == 17 and not frag and len(l4) >= 8:
            sport, dport, ulen = struct.unpack(">HHH", l4[:6])
            payload = l4[8:ulen]
            if {sport, dport} & {500, 4500}:
                if src == nat and dport == 4500:
                    if payload == b"\xff":
                        n["ka"] += 1
                    elif len(payload) >= 4 and payload[:4] == b"\0\0\0\0":
                        n["ike"] += 1
                    elif len(payload) > 8:
                        n["esp"] += 1
                        n["esp_new"] += sport == new_port
                continue
        if proto == 1 and src == nat and len(l4) >= 1 and l4[0] == 3:
            continue        # the NAT: port unreachable (old mapping)
        n["other"] += 1
        if len(shown) < 3:
            shown.append(f"other: proto {proto} {ipaddress.IPv4Address(src)}"
                         f" > {ipaddress.IPv4Address(dst)}")
    for k, v in n.items():
        print(k, v)
    for s in shown:
        print(s)


if __name__ == "__main__":
    main()
