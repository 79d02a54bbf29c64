#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""A paced UDP stream with sequence numbers, to count what a change of
SAs loses (tests/guest/ikd_rekey.sh).

  udp_seq.py recv ADDR PORT SECS   receive until the sender's END (or SECS
                                   pass, or IDLE_SECS without a datagram
                                   once the stream began); print "received
                                   R sent S lost L dup D" (lost: numbers
                                   never received)
  udp_seq.py send ADDR PORT INTERVAL DIR   wait for the file DIR/go, then
                                   send a datagram every INTERVAL seconds
                                   until the file DIR/stop exists (at most
                                   600 s), then END with the count (sent 5
                                   times)
Start receivers and senders together (python starts slowly in the test
guest), then create DIR/go once every receiver has printed "ready".
"""
import os
import socket
import struct
import sys
import time

# A stream that stops without its END (the sender failed, or the ENDs were
# lost) is reported after this, rather than when the test's time is up.
IDLE_SECS = 20


def recv(addr, port, secs):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((addr, port))
    deadline = time.monotonic() + secs
    seen, dup, sent = set(), 0, None
    print("ready", flush=True)
    while time.monotonic() < deadline:
        left = deadline - time.monotonic()
        s.settimeout(max(0.1, min(left, IDLE_SECS) if seen else left))
        try:
            data, _ = s.recvfrom(2048)
        except socket.timeout:
            break
        if data.startswith(b"END "):
            sent = int(data[4:].decode())
            break
        if len(data) < 8:
            continue
        (n,) = struct.unpack("!Q", data[:8])
        if n in seen:
            dup += 1
        seen.add(n)
    if sent is None:
        sent = max(seen) + 1 if seen else 0
        print("no END from the sender", file=sys.stderr)
    lost = sum(1 for n in range(sent) if n not in seen)
    print(f"received {len(seen)} sent {sent} lost {lost} dup {dup}", flush=True)


def send(addr, port, interval, ctl):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    while not os.path.exists(os.path.join(ctl, "go")):
        time.sleep(0.05)
    stop = os.path.join(ctl, "stop")
    start = time.monotonic()
    n = 0
    while time.monotonic() - start < 600 and not os.path.exists(stop):
        s.sendto(struct.pack("!Q", n) + b"x" * 56, (addr, port))
        n += 1
        # paced from the start: no drift when a send is slow
        time.sleep(max(0.0, start + n * interval - time.monotonic()))
    for _ in range(5):
        s.sendto(f"END {n}".encode(), (addr, port))
        time.sleep(0.1)
    print(f"sent {n}", flush=True)


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "recv":
        recv(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    elif len(sys.argv) == 6 and sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
