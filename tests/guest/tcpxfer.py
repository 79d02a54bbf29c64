#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Bulk TCP transfer for guest tests, without hashing in Python (slow under
TCG): the caller compares the two files with cmp.

tcpxfer.py recv PORT OUTFILE READYFILE
    listen on PORT (IPv4 and IPv6), create READYFILE once listening, write
    everything one connection sends to OUTFILE
tcpxfer.py send ADDR PORT INFILE
    connect to ADDR, send INFILE (sendfile), wait for the receiver to close;
    print the seconds that took (without Python's start-up, seconds under TCG)
tcpxfer.py serve ADDR PORT READYFILE
    listen on ADDR:PORT, create READYFILE once listening, then for each
    connection read to EOF and answer with the number of bytes read
tcpxfer.py probe ADDR PORT BYTES SECONDS
    connect to a server, send BYTES, exit 0 if it answers with that count;
    give up after SECONDS (exit 1 with the reason)
"""
import socket, sys, time

def recv(port, out, ready):
    srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("::", port))
    srv.listen(1)
    srv.settimeout(120)
    open(ready, "w").close()
    conn, _ = srv.accept()
    conn.settimeout(120)
    with open(out, "wb") as f:
        while True:
            data = conn.recv(262144)
            if not data:
                break
            f.write(data)
    conn.close()

def send(addr, port, path):
    t0 = time.monotonic()
    s = socket.create_connection((addr, port), timeout=120)
    with open(path, "rb") as f:
        s.sendfile(f)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)
    s.close()
    print(f"{time.monotonic() - t0:.6f}")

def serve(addr, port, ready):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    srv = socket.socket(fam, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(8)
    open(ready, "w").close()
    while True:
        conn, _ = srv.accept()
        conn.settimeout(30)
        n = 0
        try:
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                n += len(data)
            conn.sendall(str(n).encode())
        except OSError:
            pass
        conn.close()

def probe(addr, port, nbytes, secs):
    try:
        s = socket.create_connection((addr, port), timeout=secs)
        s.sendall(b"x" * nbytes)
        s.shutdown(socket.SHUT_WR)
        got = s.recv(64).decode()
    except OSError as e:
        sys.exit(f"probe {addr}:{port}: {e}")
    if got != str(nbytes):
        sys.exit(f"probe {addr}:{port}: server counted {got!r}, sent {nbytes}")

if len(sys.argv) == 5 and sys.argv[1] == "serve":
    serve(sys.argv[2], int(sys.argv[3]), sys.argv[4])
elif len(sys.argv) == 6 and sys.argv[1] == "probe":
    probe(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
elif len(sys.argv) == 5 and sys.argv[1] == "recv":
    recv(int(sys.argv[2]), sys.argv[3], sys.argv[4])
elif len(sys.argv) == 5 and sys.argv[1] == "send":
    send(sys.argv[2], int(sys.argv[3]), sys.argv[4])
else:
    sys.exit(__doc__)
