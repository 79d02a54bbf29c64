#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Medians of tests/bench/pfkey_install.sh's raw lines, as a table.

Rows per size and mode: af_key, kipsec, then their ratio kipsec/af_key
(rates: above 1 means kipsec is faster; flush times: below 1 means it is).
A phase that hit the cap in any run is shown as "> CAP s".
"""
import statistics
import sys

COLS = [("sa_per_s", "SA add/s"), ("spd_per_s", "policy add/s"),
        ("saflush_ms", "SA flush ms"), ("spdflush_ms", "SPD flush ms")]


def parse(path):
    runs = {}
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        kv = dict(w.split("=", 1) for w in line.split() if "=" in w)
        key = (int(kv["n"]), int(kv["window"]), kv["stack"])
        runs.setdefault(key, []).append(kv)
    return runs


def cell(kvs, col):
    """(median or None, text) of one column over the runs of one row."""
    vals = [kv.get(col) for kv in kvs]
    if any(v and v.startswith("capped") for v in vals):
        return None, "> %s s" % kvs[0].get("cap_s", "?")
    try:
        vals = [float(v) for v in vals if v is not None]
    except ValueError:  # "n/a": the flush after a capped phase
        return None, "n/a"
    if not vals:
        return None, "-"
    m = statistics.median(vals)
    return m, ("%.0f" % m) if col.endswith("per_s") else ("%.1f" % m)


def main():
    runs = parse(sys.argv[1])
    fmt = "%-7s %-9s %-7s %12s %13s %12s %13s %5s"
    print(fmt % ("N", "mode", "stack", *(c[1] for c in COLS), "runs"))
    for n, w in sorted({(k[0], k[1]) for k in runs}, key=lambda x: (x[0], -x[1])):
        mode = "batch%d" % w if w > 1 else "single"
        med = {}
        for stack in ("af_key", "kipsec"):
            kvs = runs.get((n, w, stack), [])
            if not kvs:
                continue
            cells = [cell(kvs, c[0]) for c in COLS]
            med[stack] = [c[0] for c in cells]
            print(fmt % (n, mode, stack, *(c[1] for c in cells), len(kvs)))
        if len(med) == 2:
            ratio = ["%.2f" % (k / a) if a and k else "-"
                     for a, k in zip(med["af_key"], med["kipsec"])]
            print(fmt % (n, mode, "k/af", *ratio, ""))


if __name__ == "__main__":
    main()
