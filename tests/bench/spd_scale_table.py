#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Table of tests/bench/spd_scale.sh's runs.

usage: spd_scale_table.py [--wall] RUNDIR
RUNDIR holds raw.txt and (from tests/bench/vcpu_clock.py) vcpu.txt.

One row per table (spd: extra policies on gw1, out and fwd; sad: extra SAs
on both gateways), selector class and size N. Rates are medians of the
turns of 64-byte UDP through the null-ESP tunnel, in packets per second of
vCPU 1 time (the wall-clock rate divided by that vCPU's share of a host
CPU; --wall for wall-clock rates), as in esp_tput_table.py.

  N/0     a stack's rate at N over its own rate at N = 0 in the same class
          (measured again at the start of each class): 1.00 = no slowdown
  k/x     kipsec's rate over native XFRM's at the same N (>1 kipsec faster;
          "-" where XFRM delivered nothing: see the skip notes)
  paired  the median of the run-by-run kipsec/XFRM ratios (run r of each
          stack in the row), with their lowest and highest
  inst s  seconds to install the stack's extra entries up to N (all
          directions, both gateways for SAs; "-" at 0, "skip" when the
          stack sat the row out, see the notes)
"""
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from esp_tput_table import ENGINE, STARVED, vcpu_shares  # noqa: E402

CLASS_ORDER = ["host", "prefix", "port", "proto", "mix", "sa"]


def kvs(line):
    return dict(w.split("=", 1) for w in line.split() if "=" in w)


def parse(rundir):
    meas, inst, notes = {}, {}, []
    shares = vcpu_shares(rundir)
    for line in open(os.path.join(rundir, "raw.txt")):
        if line.startswith("#"):
            notes.append(line.rstrip())
            continue
        kv = kvs(line)
        if line.startswith("install "):
            inst[(kv["table"], kv["class"], int(kv["n"]), kv["stack"])] = float(kv["total"])
            continue
        if "id" not in kv or "table" not in kv:
            continue
        key = (kv["table"], kv["class"], int(kv["n"]), kv["stack"])
        sh = shares.get(kv["id"])
        meas.setdefault(key, []).append((int(kv["run"]), float(kv["pps"]), sh))
    return meas, inst, notes, bool(shares)


def main():
    args = sys.argv[1:]
    wall = "--wall" in args
    rundir = [a for a in args if a != "--wall"][0]
    meas, inst, notes, have_shares = parse(rundir)
    norm = have_shares and not wall
    left_out = 0

    def runs(key):
        """{run: rate} of one stack in one row."""
        nonlocal left_out
        out = {}
        for r, pps, sh in meas.get(key, []):
            if norm:
                if not sh or sh[ENGINE] < STARVED:
                    left_out += 1
                    continue
                pps /= sh[ENGINE]
            out[r] = pps
        return out

    def med(key):
        v = runs(key)
        return statistics.median(v.values()) if v else None

    if norm:
        print("# rates per second of vCPU %d time (wall-clock rate / that vCPU's share of"
              " a host CPU); --wall for wall-clock rates" % ENGINE)
    else:
        print("# wall-clock rates%s" % ("" if have_shares else
                                         " (no vcpu.txt: not divided by vCPU share)"))
    fmt = "%-5s %-6s %7s %10s %5s %10s %5s %6s %18s %8s %8s %5s"
    print(fmt % ("table", "class", "N", "kipsec pps", "N/0", "xfrm pps", "N/0", "k/x",
                 "paired (range)", "k inst s", "x inst s", "runs"))
    rows = sorted({k[:3] for k in meas},
                  key=lambda k: (k[0] != "spd", CLASS_ORDER.index(k[1])
                                 if k[1] in CLASS_ORDER else 99, k[2]))
    skipped = {}
    for n in notes:
        if n.startswith("# skip "):
            kv = kvs(n)
            skipped[(kv["table"], kv["class"], kv["stack"])] = int(kv["n"].rstrip(":"))
    for t, c, n in rows:
        cells = []
        for st in ("kipsec", "native"):
            m, base = med((t, c, n, st)), med((t, c, 0, st))
            i = inst.get((t, c, n, st))
            sk = skipped.get((t, c, st))
            cells.append((m, m / base if m is not None and base else None,
                          "-" if n == 0 else "%.1f" % i if i is not None
                          else "skip" if sk is not None and n >= sk else "?"))
        (k, kr, ki), (x, xr, xi) = cells
        kr_runs, xr_runs = runs((t, c, n, "kipsec")), runs((t, c, n, "native"))
        pairs = [v / xr_runs[r] for r, v in kr_runs.items() if xr_runs.get(r)]
        print(fmt % (
            t, c, n,
            "-" if k is None else "%.0f" % k, "-" if kr is None else "%.2f" % kr,
            "-" if x is None else "%.0f" % x, "-" if xr is None else "%.2f" % xr,
            "%.2f" % (k / x) if k and x else "-",
            "%.2f (%.2f-%.2f)" % (statistics.median(pairs), min(pairs), max(pairs))
            if pairs else "-",
            ki, xi, "%d/%d" % (len(kr_runs), len(xr_runs))))
    if left_out:
        print("%d turn(s) left out: the host gave vCPU %d less than %.0f%% of a CPU"
              % (left_out, ENGINE, STARVED * 100))
    trouble = [n for n in notes if "FAIL" in n or "skip" in n or "BUDGET" in n]
    if trouble:
        print()
        print("\n".join(trouble))
    print()
    print("# raw: install lines (seconds of the step and total to reach n) and turns"
          " (wall-clock pps)")
    print("\n".join(n for n in notes if n not in trouble))
    for line in open(os.path.join(rundir, "raw.txt")):
        if not line.startswith("#"):
            print(line.rstrip())


if __name__ == "__main__":
    main()
