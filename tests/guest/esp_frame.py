#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Resend a captured ESP frame, as an attacker on the wire would.

esp_frame.py IFACE PCAP [INDEX] [--flip]
  Reads frame INDEX (default 0) of PCAP (tcpdump -w, Ethernet), checks that
  it carries ESP (IPv4 or IPv6 without extension headers) and sends it
  unchanged out of IFACE through an AF_PACKET socket. With --flip, bit 0 of
  the 25th byte after the ESP header (inside the ciphertext, covered by the
  ICV) is inverted first. Prints "sent spi=0x... seq=N len=L [flipped@K]".
"""
import socket, struct, sys

def frames(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        end = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        end = ">"
    else:
        sys.exit(f"{path}: not a pcap file")
    if struct.unpack(end + "I", data[20:24])[0] != 1:
        sys.exit(f"{path}: not an Ethernet capture")
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(end + "IIII", data[off:off + 16])[2]
        yield bytearray(data[off + 16:off + 16 + incl])
        off += 16 + incl

def esp_offset(fr):
    etype = struct.unpack("!H", fr[12:14])[0]
    if etype == 0x0800 and fr[14 + 9] == 50:
        return 14 + (fr[14] & 0x0F) * 4
    if etype == 0x86DD and fr[14 + 6] == 50:
        return 14 + 40
    return None

def main():
    args = [a for a in sys.argv[1:] if a != "--flip"]
    flip = "--flip" in sys.argv[1:]
    if len(args) not in (2, 3):
        sys.exit(__doc__)
    ifname, path = args[0], args[1]
    index = int(args[2]) if len(args) == 3 else 0
    all_frames = list(frames(path))
    if index >= len(all_frames):
        sys.exit(f"{path}: only {len(all_frames)} frames, no frame {index}")
    fr = all_frames[index]
    esp = esp_offset(fr)
    if esp is None:
        sys.exit(f"{path}: frame {index} is not ESP")
    spi, seq = struct.unpack("!II", fr[esp:esp + 8])
    note = ""
    if flip:
        k = esp + 8 + 24
        if k >= len(fr):
            sys.exit(f"{path}: frame {index} too short to flip byte {k}")
        fr[k] ^= 1
        note = f" flipped@{k}"
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    s.send(bytes(fr))
    print(f"sent spi=0x{spi:08x} seq={seq} len={len(fr)}{note}")

main()
