#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Resend a captured ESP, AH or IPcomp frame, as an attacker on the wire would.

esp_frame.py IFACE PCAP [INDEX] [--flip] [--mutate]
  Reads frame INDEX (default 0) of PCAP (tcpdump -w, Ethernet), checks that
  it carries ESP or AH (IPv4 or IPv6 without extension headers) and sends it
  unchanged out of IFACE through an AF_PACKET socket. With --flip, one bit
  covered by the ICV is inverted first: bit 0 of the 25th byte after the ESP
  header (inside the ciphertext), or of the 5th byte after the AH header and
  its ICV (in the payload). With --mutate, the IP header fields that may
  change in transit, which AH's ICV does not cover, are changed: IPv4 TOS,
  DF and TTL (the header checksum recomputed), IPv6 traffic class, flow
  label and hop limit. For IPcomp (no ICV), --flip sets the block type of
  the first deflate block (RFC 1951 3.2.3) to 3, reserved: no inflater takes
  it. Prints "sent PROTO spi=0x... seq=N len=L [flipped@K] [mutated]" (for
  IPcomp, spi is the CPI and seq 0).
"""
import socket, struct, sys

def ip4_csum(hdr):
    s = sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF

def mutate(fr):
    if struct.unpack("!H", fr[12:14])[0] == 0x0800:
        ihl = (fr[14] & 0x0F) * 4
        fr[15] ^= 0x28                     # DSCP
        fr[20] ^= 0x40                     # DF
        fr[22] = 7 if fr[22] != 7 else 9   # TTL
        fr[24:26] = b"\0\0"
        fr[24:26] = struct.pack("!H", ip4_csum(bytes(fr[14:14 + ihl])))
    else:
        w = struct.unpack("!I", fr[14:18])[0]
        w = (w & 0xF0000000) | ((((w >> 20) & 0xFF) ^ 0x28) << 20) | 0x5A5A5
        fr[14:18] = struct.pack("!I", w)
        fr[21] = 7 if fr[21] != 7 else 9   # hop limit

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

def ipsec_offset(fr):
    """(offset, protocol) of the ESP (50), AH (51) or IPcomp (108) header,
    or None."""
    etype = struct.unpack("!H", fr[12:14])[0]
    if etype == 0x0800 and fr[14 + 9] in (50, 51, 108):
        return 14 + (fr[14] & 0x0F) * 4, fr[14 + 9]
    if etype == 0x86DD and fr[14 + 6] in (50, 51, 108):
        return 14 + 40, fr[14 + 6]
    return None

def main():
    opts = ("--flip", "--mutate")
    args = [a for a in sys.argv[1:] if a not in opts]
    flip = "--flip" in sys.argv[1:]
    if len(args) not in (2, 3):
        sys.exit(__doc__)
    ifname, path = args[0], args[1]
    index = int(args[2]) if len(args) == 3 else 0
    all_frames = list(frames(path))
    if index >= len(all_frames):
        sys.exit(f"{path}: only {len(all_frames)} frames, no frame {index}")
    fr = all_frames[index]
    found = ipsec_offset(fr)
    if found is None:
        sys.exit(f"{path}: frame {index} is neither ESP nor AH nor IPcomp")
    off, proto = found
    if proto == 50:
        name, k = "esp", off + 8 + 24
        spi, seq = struct.unpack("!II", fr[off:off + 8])
    elif proto == 51:
        name, k = "ah", off + (fr[off + 1] + 2) * 4 + 4
        spi, seq = struct.unpack("!II", fr[off + 4:off + 12])
    else:
        name, k, seq = "ipcomp", off + 4, 0
        spi = struct.unpack("!H", fr[off + 2:off + 4])[0]
    note = ""
    if flip and proto == 108:
        if k >= len(fr):
            sys.exit(f"{path}: frame {index} has no IPcomp payload")
        fr[k] |= 0x06                       # BTYPE 11
        note = f" btype3@{k}"
    elif flip:
        if k >= len(fr):
            sys.exit(f"{path}: frame {index} too short to flip byte {k}")
        fr[k] ^= 1
        note = f" flipped@{k}"
    if "--mutate" in sys.argv[1:]:
        mutate(fr)
        note += " mutated"
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    s.send(bytes(fr))
    print(f"sent {name} spi=0x{spi:08x} seq={seq} len={len(fr)}{note}")

main()
