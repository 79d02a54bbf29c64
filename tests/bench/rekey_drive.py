#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Drive charon's child SA rekeys over its vici socket, for
tests/bench/ike_rekey.sh: the COUNT CHILD_SAs named CHILD (all up, each
under an IKE SA of its own) are rekeyed over and over, each again as soon
as its previous rekey completed, so that COUNT rekeys are in flight (one
per IKE SA: charon runs one exchange at a time per IKE SA). A rekey is
complete when charon raises its "child-rekey" event, which it does once
the CREATE_CHILD_SA response is processed and the new SAs are installed
in the kernel on both ends (the responder installed its own before it
answered); the DELETE of the old child SA follows on the same IKE SA,
before that child's next rekey, so it is in the rate too.

rekey_drive.py SOCKET CHILD COUNT WARM SECONDS [STALL_SECONDS]
Rekeys until WARM rekeys are done (not counted), then counts those that
complete in the next SECONDS, then lets those in flight finish. Prints
"done=N secs=S rate=R total=T" (total: every rekey, warm ones included)
and exits 0; exits 1 when no rekey completed for STALL_SECONDS (default
60) or charon refused one.
"""
import select, socket, struct, sys, time

CMD_REQUEST, CMD_RESPONSE, CMD_UNKNOWN = 0, 1, 2
EVENT_REGISTER, EVENT_CONFIRM, EVENT_UNKNOWN, EVENT = 3, 5, 6, 7
SECTION_START, SECTION_END, KEY_VALUE, LIST_START, LIST_ITEM, LIST_END = 1, 2, 3, 4, 5, 6


def encode(kv):
    out = b""
    for k, v in kv.items():
        k, v = k.encode(), str(v).encode()
        out += struct.pack("!BB", KEY_VALUE, len(k)) + k + struct.pack("!H", len(v)) + v
    return out


def decode(body):
    """A vici message as nested dicts (lists as Python lists)."""
    root = {}
    stack = [root]
    lst = None
    i = 0
    while i < len(body):
        t = body[i]
        i += 1
        if t in (SECTION_START, LIST_START, KEY_VALUE):
            n = body[i]
            name = body[i + 1:i + 1 + n].decode(errors="replace")
            i += 1 + n
        if t == SECTION_START:
            d = {}
            stack[-1][name] = d
            stack.append(d)
        elif t == SECTION_END:
            stack.pop()
        elif t == KEY_VALUE:
            m = struct.unpack("!H", body[i:i + 2])[0]
            stack[-1][name] = body[i + 2:i + 2 + m].decode(errors="replace")
            i += 2 + m
        elif t == LIST_START:
            lst = stack[-1][name] = []
        elif t == LIST_ITEM:
            m = struct.unpack("!H", body[i:i + 2])[0]
            lst.append(body[i + 2:i + 2 + m].decode(errors="replace"))
            i += 2 + m
        elif t == LIST_END:
            lst = None
        else:
            raise ValueError("bad vici element %d" % t)
    return root


def find(d, key):
    """Every section named key, at any depth."""
    out = []
    for k, v in d.items():
        if isinstance(v, dict):
            if k == key:
                out.append(v)
            out.extend(find(v, key))
    return out


class Vici:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.buf = b""

    def send(self, kind, name, body=b""):
        n = name.encode()
        pkt = struct.pack("!BB", kind, len(n)) + n + body
        self.s.sendall(struct.pack("!I", len(pkt)) + pkt)

    def packets(self):
        """Read what is there; the complete packets (type, name, body)."""
        data = self.s.recv(65536)
        if not data:
            raise EOFError("vici socket closed")
        self.buf += data
        out = []
        while len(self.buf) >= 4:
            n = struct.unpack("!I", self.buf[:4])[0]
            if len(self.buf) < 4 + n:
                break
            pkt, self.buf = self.buf[4:4 + n], self.buf[4 + n:]
            name = b""
            body = pkt[1:]
            if pkt[0] == EVENT:
                ln = pkt[1]
                name, body = pkt[2:2 + ln], pkt[2 + ln:]
            out.append((pkt[0], name.decode(), body))
        return out

    def wait(self, kinds):
        while True:
            for p in self.packets():
                if p[0] in kinds:
                    return p


def main():
    if len(sys.argv) not in (6, 7):
        sys.exit(__doc__)
    path, child, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    warm, secs = int(sys.argv[4]), float(sys.argv[5])
    stall = float(sys.argv[6]) if len(sys.argv) == 7 else 60.0
    ev = Vici(path)
    ev.send(EVENT_REGISTER, "child-rekey")
    if ev.wait((EVENT_CONFIRM, EVENT_UNKNOWN))[0] != EVENT_CONFIRM:
        sys.exit("rekey_drive: charon refused the child-rekey event")
    ctl = Vici(path)

    def rekey(**what):
        ctl.send(CMD_REQUEST, "rekey", encode(what))
        kind, _, body = ctl.wait((CMD_RESPONSE, CMD_UNKNOWN))
        r = decode(body) if kind == CMD_RESPONSE else {}
        if r.get("success") != "yes" or r.get("matches", "1") == "0":
            print("rekey_drive: rekey %s refused: %s" % (what, r))
            sys.exit(1)

    rekey(child=child)		# all COUNT of them
    total = counted = 0
    t0 = t_end = None
    last = time.monotonic()
    in_flight = count
    while in_flight:
        r, _, _ = select.select([ev.s], [], [], 1.0)
        now = time.monotonic()
        if not r:
            if now - last > stall:
                print("done=%d secs=%.2f rate=0 total=%d stalled" % (counted, 0, total))
                sys.exit(1)
            continue
        for kind, name, body in ev.packets():
            if kind != EVENT or name != "child-rekey":
                continue
            new = find(decode(body), "new")
            if not new or "uniqueid" not in new[0]:
                print("rekey_drive: a child-rekey event without the new child SA")
                sys.exit(1)
            total += 1
            in_flight -= 1
            last = now
            if t0 is not None and now < t_end:
                counted += 1
            if total == warm:
                t0 = now
                t_end = now + secs
            if t0 is None or now < t_end:
                rekey(**{"child-id": new[0]["uniqueid"]})
                in_flight += 1
    print("done=%d secs=%.2f rate=%.2f total=%d" % (counted, secs, counted / secs, total))


if __name__ == "__main__":
    main()
