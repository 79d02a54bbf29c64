#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The vCPUs' host CPU time per handshake of tests/bench/ike_rate.sh.

usage: ike_cpu.py RUNDIR [UNIT [ABBREV]]

UNIT (default "handshake", abbreviated "hs") names what done= counts, for
tests/bench/ike_rekey.sh ("rekey") and ike_cookie.sh ("cookie reply")
too, which write the same lines and marks.

Reads RUNDIR/raw.txt (a line per step: daemon=, auth=, run=, to=, done=)
and RUNDIR/vcpu.txt (tests/bench/vcpu_clock.py: the vCPUs' CPU time at the
marks D-AUTH-RUN-TO.begin/.end). A row per responder and authentication
(ecdsa rows: "D/ecdsa"). The responder is pinned to vCPU 1 and the
initiator (charon, and the driver) to vCPU 0, so vCPU 1's time per
handshake is the responder's cost, daemon and kernel, whatever share of
the host the other guests leave; its inverse, handshakes per vCPU-1
second, is the rate the responder would reach with a vCPU of its own.
Rate runs: medians; the memory run: the step from IKE_SMALL to IKE_BIG.
"""
import os
import statistics
import sys


def main():
    rundir = sys.argv[1]
    unit = sys.argv[2] if len(sys.argv) > 2 else "handshake"
    abbrev = sys.argv[3] if len(sys.argv) > 3 else ("hs" if unit == "handshake" else unit)
    marks = {}
    try:
        for line in open(os.path.join(rundir, "vcpu.txt")):
            name, t, c0, c1 = line.split()
            marks[name] = (float(t), float(c0), float(c1))
    except (OSError, ValueError):
        print("# no vCPU times (tests/bench/vcpu_clock.py)")
        return
    steps = {}		# daemon -> {"rate": [(c0, c1)], "big": (c0, c1)}
    order = []
    for line in open(os.path.join(rundir, "raw.txt")):
        if not line.startswith("daemon="):
            continue
        kv = dict(f.split("=", 1) for f in line.split() if "=" in f)
        d, run, to, done = kv["daemon"], kv["run"], kv["to"], int(kv["done"])
        auth = kv.get("auth", "psk")
        name = "%s-%s-%s-%s" % (d, auth, run, to)
        b, e = marks.get(name + ".begin"), marks.get(name + ".end")
        if auth != "psk":
            d = "%s/%s" % (d, auth)
        if not b or not e or not done:
            continue
        per = ((e[1] - b[1]) * 1e3 / done, (e[2] - b[2]) * 1e3 / done, (e[0] - b[0]) * 1e3 / done)
        if d not in steps:
            steps[d] = {"rate": [], "big": None}
            order.append(d)
        if run != "mem":
            steps[d]["rate"].append(per)
        elif kv["from"] != "0":
            steps[d]["big"] = per
    print("# host CPU time of the vCPUs per %s (ms), whatever the load: "
          "vCPU 1 the responder, vCPU 0 the initiator; %s/vCPU1-s = 1000 / vCPU 1 ms" % (unit, abbrev))
    print("%-12s %10s %10s %12s %10s %16s" % ("responder", "vCPU1 ms", "vCPU0 ms", abbrev + "/vCPU1-s",
                                             "wall ms", "vCPU1 ms (big)"))
    cap = {}
    for d in order:
        r = steps[d]["rate"]
        if not r:
            continue
        c0 = statistics.median(x[0] for x in r)
        c1 = statistics.median(x[1] for x in r)
        w = statistics.median(x[2] for x in r)
        cap[d] = 1e3 / c1 if c1 > 0 else 0
        big = steps[d]["big"]
        print("%-12s %10.1f %10.1f %12.2f %10.1f %16s" % (d, c1, c0, cap[d], w,
                                                           "%.1f" % big[1] if big else "-"))
    if unit == "handshake" and "ikd" in cap and cap.get("charon"):
        print("%-12s %10s %10s %11.2fx %10s %16s   (target >= 1.50x)" % (
            "ikd/charon", "", "", cap["ikd"] / cap["charon"], "", ""))
    for d in order:
        if d.startswith("ikd/") and cap.get(d) and cap.get("charon" + d[3:]):
            print("%-12s %10s %10s %11.2fx %10s %16s   (%s)" % (
                "ikd/charon", "", "", cap[d] / cap["charon" + d[3:]], "", "", d[4:]))


if __name__ == "__main__":
    main()
