#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Drive charon as an IKE initiator over its vici socket, for
tests/bench/ike_rate.sh: COUNT initiations of one connection, at most
WINDOW of them unfinished at a time, each answered at once (vici
"initiate" with a negative timeout); a handshake is done when charon
reports its CHILD_SA up ("child-updown" event), which it does after
installing the SAs in the kernel, and so after the responder installed
its own (before it sent the IKE_AUTH response). With charon's
reuse_ikesa = no every initiation is a new IKE SA.

ike_drive.py SOCKET CHILD IKE COUNT WINDOW [STALL_SECONDS]
Prints "done=N failed=N secs=S rate=R" and exits 0 when all COUNT came up;
exits 1 when no handshake finished for STALL_SECONDS (default 60).
"""
import socket, struct, sys, time

CMD_REQUEST, CMD_RESPONSE, CMD_UNKNOWN = 0, 1, 2
EVENT_REGISTER, EVENT_CONFIRM, EVENT_UNKNOWN, EVENT = 3, 5, 6, 7
KEY_VALUE = 3


def encode(kv):
    out = b""
    for k, v in kv.items():
        k, v = k.encode(), str(v).encode()
        out += struct.pack("!BB", KEY_VALUE, len(k)) + k + struct.pack("!H", len(v)) + v
    return out


def top_keys(body):
    """The key/value pairs at the top level of a vici message."""
    kv, i, depth = {}, 0, 0
    while i < len(body):
        t = body[i]
        i += 1
        if t in (1, 4):	# section or list start: a name
            n = body[i]; i += 1 + n; depth += 1
        elif t in (2, 6):
            depth -= 1
        elif t == KEY_VALUE:
            n = body[i]; k = body[i + 1:i + 1 + n]; i += 1 + n
            m = struct.unpack("!H", body[i:i + 2])[0]; v = body[i + 2:i + 2 + m]; i += 2 + m
            if depth == 0:
                kv[k.decode()] = v.decode(errors="replace")
        elif t == 5:	# list item
            m = struct.unpack("!H", body[i:i + 2])[0]; i += 2 + m
        else:
            raise ValueError("bad vici element %d" % t)
    return kv


class Vici:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.buf = b""

    def send(self, ptype, name, body=b""):
        n = name.encode()
        pkt = struct.pack("!BB", ptype, len(n)) + n + body
        self.s.sendall(struct.pack("!I", len(pkt)) + pkt)

    def recv(self, timeout):
        self.s.settimeout(timeout)
        while True:
            if len(self.buf) >= 4:
                n = struct.unpack("!I", self.buf[:4])[0]
                if len(self.buf) >= 4 + n:
                    pkt, self.buf = self.buf[4:4 + n], self.buf[4 + n:]
                    ptype = pkt[0]
                    if ptype == EVENT:
                        ln = pkt[1]
                        return ptype, pkt[2:2 + ln].decode(), pkt[2 + ln:]
                    return ptype, None, pkt[1:]
            try:
                data = self.s.recv(65536)
            except socket.timeout:
                return None, None, None
            if not data:
                raise EOFError("vici socket closed")
            self.buf += data


def main():
    if len(sys.argv) not in (6, 7):
        sys.exit(__doc__)
    path, child, ike = sys.argv[1:4]
    count, window = int(sys.argv[4]), int(sys.argv[5])
    stall = float(sys.argv[6]) if len(sys.argv) == 7 else 60.0
    v = Vici(path)
    v.send(EVENT_REGISTER, "child-updown")
    t, _, _ = v.recv(30)
    if t != EVENT_CONFIRM:
        sys.exit("ike_drive: cannot register for child-updown events")
    sent = done = failed = pending_replies = 0
    t0 = time.monotonic()
    last = t0
    req = encode({"child": child, "ike": ike, "timeout": -1, "init-limits": "no"})
    while done < count:
        while sent < count and sent - done - failed < window:
            v.send(CMD_REQUEST, "initiate", req)
            sent += 1
            pending_replies += 1
        t, name, body = v.recv(1.0)
        now = time.monotonic()
        if t == EVENT and name == "child-updown":
            if top_keys(body).get("up") == "yes":
                done += 1
                last = now
        elif t == CMD_RESPONSE:
            pending_replies -= 1
            if top_keys(body).get("success") != "yes":
                failed += 1
        elif t in (CMD_UNKNOWN, EVENT_UNKNOWN):
            sys.exit("ike_drive: charon does not know the request")
        if now - last > stall:
            secs = now - t0
            print("done=%d failed=%d secs=%.2f rate=%.2f stalled" % (done, failed, secs, done / secs))
            sys.exit(1)
        if failed > count // 10 + 10:
            print("done=%d failed=%d secs=%.2f rate=0 too-many-failures" % (done, failed, now - t0))
            sys.exit(1)
    secs = time.monotonic() - t0
    print("done=%d failed=%d secs=%.2f rate=%.2f" % (done, failed, secs, done / secs))


if __name__ == "__main__":
    main()
