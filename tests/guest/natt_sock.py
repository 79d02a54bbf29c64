#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""NAT-T helpers for tests/guest/natt.sh.

natt_sock.py listen PORT LOGFILE
    the key daemon's socket: UDP on PORT with UDP_ENCAP_ESPINUDP, so the
    kernel takes ESP in UDP from it, and, as strongSwan's, native XFRM
    bypass policies for both directions (Linux checks a socket's inbound
    policy before its encap_rcv: without them an "in" policy that covers
    the peers drops the ESP in UDP); create LOGFILE, then append one line
    (the payload in hex) per datagram the socket itself receives (IKE,
    with its non-ESP marker), until killed
natt_sock.py send DST DPORT SPORT HEX
    send one UDP datagram with payload HEX from SPORT to DST:DPORT
"""
import socket, struct, sys

SOL_UDP = 17
UDP_ENCAP = 100
UDP_ENCAP_ESPINUDP = 2
IP_XFRM_POLICY = 17
XFRM_POLICY_ALLOW = 0

def xfrm_bypass(s):
    """struct xfrm_userpolicy_info: selector (family only), lifetimes,
    priority, index, dir, action ALLOW; 168 bytes with the padding."""
    for direction in (0, 1):    # XFRM_POLICY_IN, XFRM_POLICY_OUT
        sel = struct.pack("=16s16sHHHHHBBB3xiI", bytes(16), bytes(16),
                          0, 0, 0, 0, socket.AF_INET, 0, 0, 0, 0, 0)
        info = sel + bytes(64 + 32) + struct.pack(
            "=IIBBBB4x", 0, 0, direction, XFRM_POLICY_ALLOW, 0, 0)
        s.setsockopt(socket.IPPROTO_IP, IP_XFRM_POLICY, info)

def listen(port, log):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(SOL_UDP, UDP_ENCAP, UDP_ENCAP_ESPINUDP)
    xfrm_bypass(s)
    s.bind(("0.0.0.0", port))
    with open(log, "w", buffering=1) as f:
        while True:
            data = s.recv(65535)
            f.write(data.hex() + "\n")

def send(dst, dport, sport, payload):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", sport))
    s.sendto(bytes.fromhex(payload), (dst, dport))

if __name__ == "__main__":
    if sys.argv[1] == "listen":
        listen(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    else:
        sys.exit("usage: natt_sock.py listen PORT LOG | send DST DPORT SPORT HEX")
