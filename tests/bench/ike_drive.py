#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Drive charon as an IKE initiator over its vici socket, for
tests/bench/ike_rate.sh: COUNT initiations of one connection, WINDOW of
them in flight, each on a vici connection of its own ("initiate" with a
timeout waits until the CHILD_SA is up, which charon reports after
installing its SAs in the kernel, and so after the responder installed
its own, before it sent the IKE_AUTH response). Each waiting initiate holds
one of charon's threads: give it more threads than WINDOW. With charon's
reuse_ikesa = no every initiation is a new IKE SA. (An earlier version
counted "child-updown" events on one connection; charon 5.9.8 stopped
answering after some thousands of them.)

ike_drive.py SOCKET CHILD IKE COUNT WINDOW [STALL_SECONDS]
Prints "done=N failed=N secs=S rate=R" and exits 0 when all COUNT came up;
exits 1 when no handshake finished for STALL_SECONDS (default 60) or too
many failed.
"""
import select, socket, struct, sys, time

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


class Conn:
    """One vici connection with at most one request outstanding."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.buf = b""
        self.busy = False

    def request(self, name, body):
        n = name.encode()
        pkt = struct.pack("!BB", CMD_REQUEST, len(n)) + n + body
        self.s.sendall(struct.pack("!I", len(pkt)) + pkt)
        self.busy = True

    def readable(self):
        """Read what is there; return the reply's body when it is complete."""
        data = self.s.recv(65536)
        if not data:
            raise EOFError("vici socket closed")
        self.buf += data
        if len(self.buf) < 4:
            return None
        n = struct.unpack("!I", self.buf[:4])[0]
        if len(self.buf) < 4 + n:
            return None
        pkt, self.buf = self.buf[4:4 + n], self.buf[4 + n:]
        if pkt[0] == CMD_UNKNOWN:
            sys.exit("ike_drive: charon does not know the request")
        if pkt[0] != CMD_RESPONSE:
            return None	# no events registered: not expected
        self.busy = False
        return pkt[1:]


def main():
    if len(sys.argv) not in (6, 7):
        sys.exit(__doc__)
    path, child, ike = sys.argv[1:4]
    count, window = int(sys.argv[4]), int(sys.argv[5])
    stall = float(sys.argv[6]) if len(sys.argv) == 7 else 60.0
    conns = [Conn(path) for _ in range(min(window, count))]
    # loglevel -1: no control-log events while waiting.
    req = encode({"child": child, "ike": ike, "timeout": int(stall * 1000),
                  "init-limits": "no", "loglevel": -1})
    sent = done = failed = 0
    errors = {}
    t0 = last = time.monotonic()
    for c in conns:
        c.request("initiate", req)
        sent += 1
    by_fd = {c.s.fileno(): c for c in conns}
    while done + failed < count:
        r, _, _ = select.select([c.s for c in conns if c.busy], [], [], 1.0)
        now = time.monotonic()
        for s in r:
            c = by_fd[s.fileno()]
            body = c.readable()
            if body is None:
                continue
            kv = top_keys(body)
            if kv.get("success") == "yes":
                done += 1
                last = now
            else:
                failed += 1
                e = kv.get("errmsg", "?")
                errors[e] = errors.get(e, 0) + 1
            if sent < count:
                c.request("initiate", req)
                sent += 1
        if now - last > stall or failed > count // 10 + 10:
            why = "stalled" if now - last > stall else "too-many-failures"
            print("done=%d failed=%d secs=%.2f rate=%.2f %s %s" % (
                done, failed, now - t0, done / (now - t0), why, errors))
            sys.exit(1)
    secs = time.monotonic() - t0
    print("done=%d failed=%d secs=%.2f rate=%.2f" % (done, failed, secs, done / secs))
    sys.exit(0 if failed == 0 else 1)


if __name__ == "__main__":
    main()
