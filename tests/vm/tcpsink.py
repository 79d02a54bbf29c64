#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""TCP transfer for guest tests.

tcpsink.py PORT          listen once, print sha256 of everything received
tcpsink.py PORT ADDR     connect to ADDR, send stdin
"""
import hashlib, socket, sys

def main():
    port = int(sys.argv[1])
    if len(sys.argv) == 2:
        srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("::", port))
        srv.listen(1)
        srv.settimeout(60)
        conn, _ = srv.accept()
        conn.settimeout(60)
        h = hashlib.sha256()
        while True:
            data = conn.recv(65536)
            if not data:
                break
            h.update(data)
        print(h.hexdigest() + "  -")
        return
    addr = sys.argv[2]
    s = socket.create_connection((addr, port), timeout=60)
    while True:
        data = sys.stdin.buffer.read(65536)
        if not data:
            break
        s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)
    s.close()

main()
