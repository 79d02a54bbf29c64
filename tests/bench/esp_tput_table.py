#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Table of tests/bench/esp_tput.sh's runs: medians per stack and ratios.

usage: esp_tput_table.py [--wall] RUNDIR
RUNDIR holds raw.txt, esp/*.json and (from tests/bench/vcpu_clock.py)
vcpu.txt.

UDP rows: packets and payload Mbit/s delivered to the receiver
(tests/bench/udp_window.c, a closed loop). TCP rows: iperf3's receiver
goodput. All of the forwarding and ESP work runs on vCPU 1 (RPS), and
other guests on this machine take host CPU from it; so each rate is divided
by vCPU 1's share of a host CPU during that measurement (host CPU time of
its QEMU thread / wall time), i.e. rates are per second of vCPU 1 time.
--wall shows the plain wall-clock rates instead; the raw lines list both.

ratio = median(kipsec) / median(native) of pps (UDP) or Mbit/s (TCP):
above 1 kipsec is faster. "paired" is the median of the run-by-run ratios
(run N of kipsec over run N of native, taken one after the other), with
their lowest and highest: less sensitive to the machine changing speed
during the benchmark, and a direct view of the noise. "spread" is
(max - min) / median over a stack's runs. "share" is the lowest vCPU 1
share seen in the row.

With the route-based stacks in the run (BENCH_STACKS ipsecif, xfrmif), a
second table: kipsec's ipsec0 and an XFRM interface carrying the same
tunnel, with ipsec0's ratios to kipsec's policy-based tunnel ("/kip") and
to the XFRM interface ("/xfi"), each as a ratio of medians and paired run
by run as above.
"""
import json
import os
import statistics
import sys

ALG_NAMES = {"null": "null", "cbc-sha256": "aes-cbc/sha256", "gcm": "aes-gcm-16",
             "ah-sha256": "AH hmac-sha256"}
ALG_ORDER = {"null": 0, "cbc-sha256": 1, "gcm": 2, "ah-sha256": 3}
ENGINE = 1  # the vCPU doing the packet work (tests/bench/esp_tput.sh)
STARVED = 0.05  # below this share of a host CPU a run is left out


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def vcpu_shares(rundir):
    """{measurement id: (vCPU 0 share, vCPU 1 share)} from vcpu.txt."""
    marks = {}
    try:
        for line in open(os.path.join(rundir, "vcpu.txt")):
            name, t, c0, c1 = line.split()
            marks[name] = (float(t), float(c0), float(c1))
    except (OSError, ValueError):
        return {}
    shares = {}
    for name, b in marks.items():
        if not name.endswith(".begin"):
            continue
        mid = name[:-len(".begin")]
        e = marks.get(mid + ".end")
        if e and e[0] > b[0]:
            shares[mid] = ((e[1] - b[1]) / (e[0] - b[0]), (e[2] - b[2]) / (e[0] - b[0]))
    return shares


def measure(rundir, kv, shares):
    """dict of one raw line's numbers, or None if the receiver has none.

    UDP lines carry udp_window's own output (pps, mbps, lost); TCP lines
    name iperf3's JSON, whose receiver side is used."""
    m = {"pps": None, "lost": None, "share": shares.get(kv["id"])}
    if kv["proto"] == "udp":
        m.update(pps=float(kv["pps"]), mbps=float(kv["mbps"]), lost=int(kv["lost"]))
        return m
    cli = load(os.path.join(rundir, kv["json"] + ".cli.json"))
    if not cli or "end" not in cli or "sum_received" not in cli["end"]:
        return None
    rx = cli["end"]["sum_received"]    # the receiver's count, sent back to the client
    m["mbps"] = rx["bytes"] * 8 / (rx["seconds"] or 1e-9) / 1e6
    return m


def parse(rundir):
    rows, notes = {}, []
    shares = vcpu_shares(rundir)
    for line in open(os.path.join(rundir, "raw.txt")):
        if line.startswith("#"):
            notes.append(line.rstrip())
            continue
        kv = dict(w.split("=", 1) for w in line.split() if "=" in w)
        if "id" not in kv:
            continue
        key = (kv["alg"], kv["size"], kv["stack"])
        rows.setdefault(key, []).append((int(kv["run"]), kv, measure(rundir, kv, shares)))
    return rows, notes, bool(shares)


def num(v, digits=0):
    return "-" if v is None else "%.*f" % (digits, v)


STACKS = ("kipsec", "native", "ipsecif", "xfrmif")


def cell(runs, a, sz, st, what, rate, raw_lines):
    """One stack's results in one row: medians, run-by-run rates, spread."""
    c = {"med": None, "per_run": {}, "spread": None, "n": 0, "via": set(), "shares": []}
    good = []
    for r, kv, m in runs:
        c["via"].add(kv["via"])
        if not m:
            raw_lines.append("stack=%s alg=%s size=%s run=%d: no receiver result (%s)"
                             % (st, a, sz, r, kv["id"]))
            continue
        sh = m["share"]
        raw_lines.append(
            "stack=%s via=%s alg=%s size=%s run=%d pps=%s mbps=%.2f "
            "lost=%s vcpu0=%s vcpu1=%s" % (
                st, kv["via"], a, sz, r, num(m["pps"]), m["mbps"],
                "-" if m["lost"] is None else m["lost"],
                num(sh[0], 2) if sh else "-", num(sh[1], 2) if sh else "-"))
        if sh:
            c["shares"].append(sh[ENGINE])
        if rate(m, what) is not None:
            good.append((r, m))
    if not good:
        return c
    vals = [rate(m, what) for _, m in good]
    c["med"] = (statistics.median([rate(m, "pps") for _, m in good])
                if what == "pps" else None,
                statistics.median([rate(m, "mbps") for _, m in good]))
    c["per_run"] = {r: rate(m, what) for r, m in good}
    mid = statistics.median(vals)
    c["spread"] = (max(vals) - min(vals)) / mid * 100 if mid else 0
    c["n"] = len(good)
    return c


def ratios(x, y, sz):
    """(ratio of medians, paired ratios with their range) of cell x over y."""
    i = 1 if sz == "tcp" else 0
    k, n = x["med"], y["med"]
    ratio = "%.2f" % (k[i] / n[i]) if k and n and n[i] else "-"
    pairs = [v / y["per_run"][r] for r, v in x["per_run"].items() if y["per_run"].get(r)]
    prange = ("%.2f (%.2f-%.2f)" % (statistics.median(pairs), min(pairs), max(pairs))
              if pairs else "-")
    return ratio, prange


def rates(c):
    k = c["med"]
    return num(k[0] if k else None), num(k[1] if k else None, 2)


def sizes_of(rows, a, stacks):
    return sorted({k[1] for k in rows if k[0] == a and k[2] in stacks},
                  key=lambda s: 1 << 30 if s == "tcp" else int(s))


def share(*cs):
    low = [v for c in cs for v in c["shares"]]
    return "%.2f" % min(low) if low else "-"


def policy_table(algs, rows, cells):
    """kipsec against native XFRM, both policy-based (the original table)."""
    fmt = "%-16s %5s %10s %8s %10s %8s %6s %17s %9s %6s %5s"
    print(fmt % ("alg", "size", "kipsec pps", "Mbit/s", "native pps", "Mbit/s",
                 "ratio", "paired (range)", "spread", "share", "runs"))
    for a in algs:
        for sz in sizes_of(rows, a, ("kipsec", "native")):
            k, n = cells[(a, sz, "kipsec")], cells[(a, sz, "native")]
            ratio, prange = ratios(k, n, sz)
            spr = "/".join("-" if c["spread"] is None else "%.0f%%" % c["spread"]
                           for c in (k, n))
            label = ALG_NAMES.get(a, a) + (" *" if "ip-xfrm" in k["via"] else "")
            print(fmt % ((label, sz) + rates(k) + rates(n) +
                         (ratio, prange, spr, share(k, n), "%d/%d" % (k["n"], n["n"]))))


def route_table(algs, rows, cells):
    """Route-based: kipsec's ipsec0 against kipsec's policies and against an
    XFRM interface."""
    fmt = "%-14s %5s %10s %8s %10s %8s %5s %17s %5s %17s %6s %7s"
    print("# route-based: ipsec0 = kipsec interface (ipsecif), xfrmif = XFRM interface;"
          " ratios ipsec0/kipsec (policies) and ipsec0/xfrmif")
    print(fmt % ("alg", "size", "ipsec0 pps", "Mbit/s", "xfrmif pps", "Mbit/s",
                 "/kip", "paired (range)", "/xfi", "paired (range)", "share", "runs"))
    for a in algs:
        for sz in sizes_of(rows, a, ("ipsecif", "xfrmif")):
            i, x = cells[(a, sz, "ipsecif")], cells[(a, sz, "xfrmif")]
            k = cells[(a, sz, "kipsec")]
            rk, pk = ratios(i, k, sz)
            rx, px = ratios(i, x, sz)
            print(fmt % ((ALG_NAMES.get(a, a), sz) + rates(i) + rates(x) +
                         (rk, pk, rx, px, share(i, x), "%d/%d" % (i["n"], x["n"]))))


def main():
    args = sys.argv[1:]
    wall = "--wall" in args
    rundir = [a for a in args if a != "--wall"][0]
    rows, notes, have_shares = parse(rundir)
    norm = have_shares and not wall

    def rate(m, what):
        v = m[what]
        if v is None or not norm:
            return v
        sh = m["share"][ENGINE] if m["share"] else 0
        return v / sh if sh >= STARVED else None

    if norm:
        print("# rates per second of vCPU %d time (wall-clock rate / that vCPU's share of"
              " a host CPU); --wall for wall-clock rates" % ENGINE)
    else:
        print("# wall-clock rates%s" % ("" if have_shares else
                                         " (no vcpu.txt: not divided by vCPU share)"))
    algs = sorted({k[0] for k in rows}, key=lambda a: (ALG_ORDER.get(a, 9), a))
    stacks = {k[2] for k in rows}
    footnote = False
    raw_lines = []
    cells = {}
    for a in algs:
        sizes = sorted({k[1] for k in rows if k[0] == a},
                       key=lambda s: 1 << 30 if s == "tcp" else int(s))
        for sz in sizes:
            what = "mbps" if sz == "tcp" else "pps"
            for st in STACKS:
                cells[(a, sz, st)] = cell(rows.get((a, sz, st), []), a, sz, st, what,
                                          rate, raw_lines)
            if "ip-xfrm" in cells[(a, sz, "kipsec")]["via"]:
                footnote = True
    if stacks & {"kipsec", "native"}:
        policy_table(algs, rows, cells)
    if stacks & {"ipsecif", "xfrmif"}:
        if stacks & {"kipsec", "native"}:
            print()
        route_table(algs, rows, cells)
    shares = [m["share"][ENGINE] for v in rows.values() for _, _, m in v
              if m and m["share"]]
    if shares and statistics.median(shares) < 0.25:
        print("WARNING: the host gave vCPU %d a median of %.0f%% of a CPU: other guests are"
              " starving this one, and these numbers mean little; rerun on a quieter"
              " machine (uptime load below 2)" % (ENGINE, statistics.median(shares) * 100))
    starved = sum(1 for v in rows.values() for _, _, m in v
                  if norm and m and m["share"] and m["share"][ENGINE] < STARVED)
    if starved:
        print("%d run(s) left out: the host gave vCPU %d less than %.0f%% of a CPU"
              % (starved, ENGINE, STARVED * 100))
    if footnote:
        print("* KT_STACK=afkey: af_key takes neither AEAD nor (from our setkey) null"
              " encryption, so the kipsec column of this row is native XFRM configured"
              " with ip xfrm: an A/A run whose ratio shows the noise.")
    trouble = [n for n in notes if "FAIL" in n or "skipped" in n or "budget" in n]
    if trouble:
        print()
        print("\n".join(trouble))
    print()
    print("# raw runs: receiver pps and payload Mbit/s (wall clock), lost = UDP packets"
          " that never arrived, vcpu0/vcpu1 = each vCPU's share of a host CPU")
    print("\n".join(n for n in notes if n not in trouble))
    print("\n".join(raw_lines))


if __name__ == "__main__":
    main()
