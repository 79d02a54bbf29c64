#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The table of tests/bench/ctl_scale.sh's raw lines: medians over runs,
kipsec, af_key and their ratio k/af (kipsec/af_key).

Rates (/s): above 1 means kipsec is faster; times (ms), memory and CPU:
below 1 means kipsec takes less. The "during/without" rows are medians of
each run's own ratio (the packet rate in a turn with churn or burst over
the turn without next to it), so drift between runs cancels.
"""
import statistics
import sys

STACKS = ("kipsec", "af_key")


def parse(path):
    rows, notes = [], []
    for line in open(path):
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            notes.append(line)
            continue
        rows.append(dict(w.split("=", 1) for w in line.split() if "=" in w))
    return rows, notes


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def pick(rows, stack, test, **kw):
    return [r for r in rows if r.get("stack") == stack and r.get("test") == test and
            all(r.get(k) == v for k, v in kw.items())]


def fmt(v, unit):
    if v is None:
        return "-"
    if unit == "ratio":
        return "%.2f" % v
    if abs(v) >= 100 or unit == "int":
        return "%.0f" % v
    return "%.1f" % v


class Table:
    def __init__(self):
        self.lines = []

    def row(self, label, vals, unit="", ratio=True):
        k, a = vals.get("kipsec"), vals.get("af_key")
        r = k / a if ratio and k is not None and a not in (None, 0) else None
        self.lines.append("%-44s %12s %12s %7s" % (
            label, fmt(k, unit), fmt(a, unit), fmt(r, "ratio")))

    def text(self, label, vals):
        self.lines.append("%-44s %12s %12s" % (label, vals.get("kipsec", "-"),
                                              vals.get("af_key", "-")))

    def head(self, title):
        if self.lines:
            self.lines.append("")
        self.lines.append("%-44s %12s %12s %7s" % (title, "kipsec", "af_key", "k/af"))


def per_stack(rows, fn):
    return {s: fn(s) for s in STACKS}


def paired(rows, stack, test, busy, base_test=None, base=None):
    """Median over runs of pps(busy turn) / pps(quiet turn) of the same run."""
    ratios = []
    for r in {x.get("run") for x in pick(rows, stack, test)}:
        b = [num(x.get("pps")) for x in pick(rows, stack, test, run=r) if busy(x)]
        q = [num(x.get("pps")) for x in pick(rows, stack, base_test or test, run=r)
             if (base or (lambda x: not busy(x)))(x)]
        b, q = med(b), med(q)
        if b is not None and q:
            ratios.append(b / q)
    return med(ratios)


def main():
    rows, notes = parse(sys.argv[1])
    t = Table()

    if any(r.get("test") == "fill" for r in rows):
        dump_table(t, rows)
    if any(r.get("test") == "churn" for r in rows):
        churn_table(t, rows)
    if any(r.get("test") in ("acquire", "acq-default") for r in rows):
        acquire_table(t, rows)
    print("\n".join(t.lines))
    for note in notes:
        if note.startswith("# kipsec:") or note.startswith("# af_key:"):
            print(note)


def dump_table(t, rows):
    fills = per_stack(rows, lambda s: pick(rows, s, "fill"))
    n = next((f[0].get("n") for f in fills.values() if f), "?")
    t.head("dump of %s SAs and %s policies" % (n, n))
    for key, label in (("sa_per_s", "SA install /s (batched, 256 in flight)"),
                       ("spd_per_s", "policy install /s")):
        t.row(label, per_stack(rows, lambda s, k=key: med(num(f.get(k)) for f in fills[s])), "int")
    for key, label in (("sa_slab_kb", "kernel Slab per SA, bytes"),
                       ("spd_slab_kb", "kernel Slab per policy, bytes")):
        t.row(label, per_stack(rows, lambda s, k=key: med(
            num(f.get(k)) * 1024 / num(f.get("n")) for f in fills[s])), "int")
    for what, flag in (("sa", "-D"), ("spd", "-DP")):
        d = per_stack(rows, lambda s, w=what: pick(rows, s, "dump", what=w))
        t.row("setkey %s > /dev/null, ms" % flag,
              per_stack(rows, lambda s: med(num(x.get("wall_ms")) for x in d[s])))
        t.row("  its CPU (user+sys), ms",
              per_stack(rows, lambda s: med(num(x.get("utime_ms")) + num(x.get("stime_ms"))
                                            for x in d[s])))
        t.row("  its peak RSS, kB",
              per_stack(rows, lambda s: med(num(x.get("maxrss_kb")) for x in d[s])), "int")
        t.row("  kernel Slab peak rise during it, kB",
              per_stack(rows, lambda s: med(num(x.get("slab_peak_kb")) for x in d[s])), "int")
    for what, flag in (("sa", "-F"), ("spd", "-FP")):
        t.row("setkey %s (flush), ms" % flag, per_stack(rows, lambda s, w=what: med(
            num(x.get("wall_ms")) for x in pick(rows, s, "flush", what=w))))
    dr = len(pick(rows, "kipsec", "dump", what="sa")) or len(pick(rows, "af_key", "dump", what="sa"))
    t.lines.append("(dumps: median of %d runs each)" % dr)


def churn_table(t, rows):
    ch = per_stack(rows, lambda s: pick(rows, s, "churn"))
    target = next((x.get("rate") for c in ch.values() for x in c if x.get("rate") != "0"), "?")
    busy = lambda x: x.get("rate") != "0"
    t.head("SA churn, target %s requests/s" % target)
    t.row("requests/s achieved (ADD and DELETE)",
          per_stack(rows, lambda s: med(num(x.get("ops_per_s")) for x in ch[s] if busy(x))), "int")
    t.row("client CPU per request (incl. kernel), us",
          per_stack(rows, lambda s: med(num(x.get("cpu_us_per_op")) for x in ch[s] if busy(x))))
    t.row("tunnel pps without churn",
          per_stack(rows, lambda s: med(num(x.get("pps")) for x in ch[s] if not busy(x))), "int")
    t.row("tunnel pps during churn",
          per_stack(rows, lambda s: med(num(x.get("pps")) for x in ch[s] if busy(x))), "int")
    t.row("  during/without (paired)", per_stack(rows, lambda s: paired(rows, s, "churn", busy)),
          "ratio")
    t.lines.append("(churn: median of %d turns with and %d without)" % (
        sum(1 for x in ch["kipsec"] if busy(x)) or sum(1 for x in ch["af_key"] if busy(x)),
        sum(1 for x in ch["kipsec"] if not busy(x)) or sum(1 for x in ch["af_key"] if not busy(x))))


def acquire_table(t, rows):
    aq = per_stack(rows, lambda s: pick(rows, s, "acquire"))
    an = next((x.get("n") for a in aq.values() for x in a), "?")
    t.head("burst of ACQUIREs, %s destinations" % an)
    t.text("ACQUIREs delivered (fewest in a run)",
           per_stack(rows, lambda s: "%d/%s" % (min(int(x["acquires"]) for x in aq[s]), an)
                     if aq[s] else "-"))
    t.row("first send to last ACQUIRE read, ms",
          per_stack(rows, lambda s: med(num(x.get("all_ms")) for x in aq[s])))
    t.row("  per destination, us", per_stack(rows, lambda s: med(
        num(x.get("all_ms")) * 1e3 / num(x.get("n")) for x in aq[s])))
    t.row("ACQUIRE message, bytes",
          per_stack(rows, lambda s: med(num(x.get("acq_bytes")) for x in aq[s])), "int")
    t.row("tunnel pps without burst",
          per_stack(rows, lambda s: med(num(x.get("pps")) for x in pick(rows, s, "idle"))), "int")
    t.row("tunnel pps during burst",
          per_stack(rows, lambda s: med(num(x.get("pps")) for x in aq[s])), "int")
    t.row("  during/without (paired)", per_stack(rows, lambda s: paired(
        rows, s, "acquire", lambda x: True, "idle", lambda x: True)), "ratio")
    dflt = per_stack(rows, lambda s: pick(rows, s, "acq-default"))
    t.text("with the defaults: delivered (refused)", per_stack(rows, lambda s: (
        "%s/%s (%s)" % (dflt[s][0].get("acquires"), dflt[s][0].get("n"),
                        dflt[s][0].get("kernel_refused", "-"))) if dflt[s] else "-"))
    t.row("  first send to last ACQUIRE read, ms", per_stack(rows, lambda s: med(
        num(x.get("all_ms")) for x in dflt[s])))
    t.lines.append("(burst: median of %d runs, each next to a 1 s turn without)" % (
        len(aq["kipsec"]) or len(aq["af_key"])))


if __name__ == "__main__":
    main()
