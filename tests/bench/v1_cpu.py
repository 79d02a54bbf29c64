#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The vCPUs' host CPU time per exchange of tests/bench/ike_v1_rate.sh.

usage: v1_cpu.py RUNDIR

Reads RUNDIR/raw.txt (a line per run: pair=INI-RESP run= n=) and
RUNDIR/vcpu.txt (tests/bench/vcpu_clock.py: the vCPUs' CPU time at the
marks PAIR-RUN.begin/.end). The initiator is pinned to vCPU 0 and the
responder to vCPU 1, so their times per exchange are each end's cost,
daemon and kernel, whatever share of the host the other guests leave
(the wall-clock rate is not). Medians over runs, and each pair's sum of
both vCPUs against charon-charon's.
"""
import os
import statistics
import sys


def main():
    rundir = sys.argv[1]
    marks = {}
    try:
        for line in open(os.path.join(rundir, "vcpu.txt")):
            name, t, c0, c1 = line.split()
            marks[name] = (float(t), float(c0), float(c1))
    except (OSError, ValueError):
        print("# no vCPU times (tests/bench/vcpu_clock.py)")
        return
    per, order = {}, []
    for line in open(os.path.join(rundir, "raw.txt")):
        if not line.startswith("pair="):
            continue
        kv = dict(f.split("=", 1) for f in line.split() if "=" in f)
        name = "%s-%s" % (kv["pair"], kv["run"])
        b, e, n = marks.get(name + ".begin"), marks.get(name + ".end"), int(kv["n"])
        if not b or not e or not n:
            continue
        if kv["pair"] not in per:
            per[kv["pair"]] = []
            order.append(kv["pair"])
        per[kv["pair"]].append(((e[1] - b[1]) * 1e3 / n, (e[2] - b[2]) * 1e3 / n))
    print("# host CPU time of the vCPUs per exchange (ms), whatever the load:"
          " vCPU 0 the initiator, vCPU 1 the responder")
    print("%-16s %9s %9s %9s %18s" % ("ini-responder", "vCPU0 ms", "vCPU1 ms", "sum ms",
                                       "charon-charon/sum"))
    med = {p: (statistics.median(x[0] for x in r), statistics.median(x[1] for x in r))
           for p, r in per.items()}
    ref = sum(med["charon-charon"]) if "charon-charon" in med else 0
    for p in order:
        s = sum(med[p])
        print("%-16s %9.1f %9.1f %9.1f %18s" % (p, med[p][0], med[p][1], s,
                                                "%.2fx" % (ref / s) if ref and s else "-"))


if __name__ == "__main__":
    main()
