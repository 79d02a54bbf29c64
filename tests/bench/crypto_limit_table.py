#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Table of tests/bench/crypto_limit.sh: ESP packet rates against the rate
the transforms alone allow.

usage: crypto_limit_table.py [--wall] RUNDIR
RUNDIR holds crypto.txt (aead_speed.ko's measurements), raw.txt
(tests/bench/esp_tput.sh's UDP rows), tcrypt.txt, perf-STACK.txt and (from
tests/bench/vcpu_clock.py on the host) vcpu.txt.

Per packet, esp_tput's tunnel encrypts once (gw1) and decrypts once (gw2),
both on vCPU 1, so the crypto limit is 1 / (t_enc + t_dec) packets per
second, t_enc and t_dec being the seconds per operation of aead_speed.ko
(medians) on the packet's ESP payload. "/limit" is a stack's UDP rate over
it: the share of vCPU 1's time that a stack leaves to the transforms, were
they as fast in the stack as alone. As in esp_tput_table.py, every rate is
divided by vCPU 1's share of a host CPU during its measurement, unless
--wall.
"""
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import esp_tput_table as et  # noqa: E402

# perf symbol classes, first match wins: (name, dso or symbol pattern)
CLASSES = (
    ("idle", re.compile(r"idle|safe_halt|cpuidle|mwait|poll_idle")),
    # the AES-NI GCM code's local labels (aesni-intel_asm.S macros, numbered:
    # _get_AAD_rest72, _esb_loop_121) show up as symbols of their own
    ("crypto", re.compile(
        r"aes|gcm|ghash|gf128|sha256|sha2|hmac|cbc|crypto|authenc|seqiv|echainiv|"
        r"skcipher|scatterwalk|clmul|kernel_fpu|simd|^_(?!_?(get|put)_user)\w*?(_\d+|[A-Za-z]\d+)$")),
    ("ipsec", re.compile(r"^\[kipsec\]|kipsec|xfrm|esp4|esp_|\bah_|ipsec")),
)


def kv_of(line):
    return dict(w.split("=", 1) for w in line.split() if "=" in w)


def crypto_rows(rundir, shares, norm):
    """{(kind, row, size, dir): [rates]} and the driver names."""
    rows, drivers, notes = {}, {}, []
    try:
        lines = open(os.path.join(rundir, "crypto.txt")).read().splitlines()
    except OSError:
        return rows, drivers, notes
    for line in lines:
        if line.startswith("#"):
            notes.append(line)
            continue
        kv = kv_of(line)
        if "rate" not in kv:
            continue
        rate = float(kv["ops"]) / (float(kv["ns"]) / 1e9)
        if norm:
            sh = shares.get(kv["id"])
            if not sh or sh[et.ENGINE] < et.STARVED:
                continue
            rate /= sh[et.ENGINE]
        key = (kv["kind"], kv["row"], kv["size"], kv["dir"])
        rows.setdefault(key, []).append(rate)
        drivers[kv["row"]] = kv["driver"]
        rows.setdefault(("plen",) + key[1:3], [kv["plen"], kv["clen"]])
    return rows, drivers, notes


def med(v):
    return statistics.median(v) if v else None


def num(v, digits=0):
    return "-" if v is None else "%.*f" % (digits, v)


def esp_cells(rundir, rate):
    if not os.path.exists(os.path.join(rundir, "raw.txt")):
        return {}, ["# no ESP rows (raw.txt missing)"], []
    rows, notes, _ = et.parse(rundir)
    cells, raw_lines = {}, []
    for (a, sz, st), runs in rows.items():
        if sz != "tcp":
            cells[(a, sz, st)] = et.cell(runs, a, sz, st, "pps", rate, raw_lines)
    return cells, notes, raw_lines


def limit_table(algs, sizes, crows, cells):
    fmt = "%-15s %5s %9s %9s %9s %9s %10s %6s %10s %6s %5s"
    print(fmt % ("alg", "size", "ESP bytes", "enc/s", "dec/s", "limit pps",
                 "kipsec pps", "/limit", "native pps", "/limit", "k/n"))
    for a in algs:
        for sz in sizes:
            enc = med(crows.get(("aead", a, sz, "enc")))
            dec = med(crows.get(("aead", a, sz, "dec")))
            lim = 1 / (1 / enc + 1 / dec) if enc and dec else None
            pl = crows.get(("plen", a, sz))
            k = cells.get((a, sz, "kipsec"), {}).get("med")
            n = cells.get((a, sz, "native"), {}).get("med")
            k = k[0] if k else None
            n = n[0] if n else None
            print(fmt % (et.ALG_NAMES.get(a, a), sz, "%s/%s" % tuple(pl) if pl else "-",
                         num(enc), num(dec), num(lim), num(k),
                         num(k / lim, 2) if k and lim else "-", num(n),
                         num(n / lim, 2) if n and lim else "-",
                         num(k / n, 2) if k and n else "-"))


def tcrypt_check(rundir, crows, tshare):
    """rfc4106(gcm(aes)) from tcrypt next to aead_speed.ko at its sizes."""
    try:
        lines = open(os.path.join(rundir, "tcrypt.txt")).read().splitlines()
    except OSError:
        return
    t = {}
    for line in lines:
        kv = kv_of(line)
        if kv.get("alg") == "rfc4106(gcm(aes))" and "ops" in kv:
            t[(kv["size"], kv["dir"])] = float(kv["ops"]) / float(kv["secs"]) / tshare
        elif kv.get("alg") == "rfc4106(gcm(aes))" and "cycles" in kv:
            t[(kv["size"], kv["dir"], "cyc")] = float(kv["cycles"])
    if not t:
        return
    print()
    print("# check: tcrypt mode=211 (rfc4106(gcm(aes)), AES-128, 16 bytes of AAD incl. the IV, "
          "out of place, sec=N) against aead_speed.ko (seqiv() around it, in place for "
          "encryption) at tcrypt's payload sizes; ops/s%s" %
          (", tcrypt divided by vCPU 1's mean share over its whole run" if tshare != 1 else ""))
    fmt = "%6s %12s %12s %12s %12s %8s %8s"
    print(fmt % ("bytes", "tcrypt enc", "aead_speed", "tcrypt dec", "aead_speed",
                 "enc t/a", "dec t/a"))
    for sz in ("64", "512", "1420"):
        te, td = t.get((sz, "enc")), t.get((sz, "dec"))
        ae = med(crows.get(("check", "gcm", "t" + sz, "enc")))
        ad = med(crows.get(("check", "gcm", "t" + sz, "dec")))
        if te is None and (sz, "enc", "cyc") in t:
            te, td = t[(sz, "enc", "cyc")], t.get((sz, "dec", "cyc"))
            print(fmt % (sz, num(te) + "cyc", "-", num(td) + "cyc", "-", "-", "-"))
            continue
        print(fmt % (sz, num(te), num(ae), num(td), num(ad),
                     num(te / ae, 2) if te and ae else "-",
                     num(td / ad, 2) if td and ad else "-"))


def perf_summary(rundir):
    found = False
    for st in ("kipsec", "native"):
        path = os.path.join(rundir, "perf-%s.txt" % st)
        try:
            lines = open(path).read().splitlines()
        except OSError:
            continue
        if not found:
            print()
            print("# where vCPU 1's time goes (perf record -e cpu-clock -C 1 during one UDP turn):"
                  " share of samples per class; busy = all but idle; crypto/busy is the"
                  " share of the packet work that the transforms took")
            found = True
        tot = {"idle": 0.0, "crypto": 0.0, "ipsec": 0.0, "other": 0.0}
        top = []
        for line in lines:
            m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[[k.]\]\s+(\S+)", line)
            if not m:
                continue
            pct, dso, sym = float(m.group(1)), m.group(2), m.group(3)
            cls = "other"
            for name, pat in CLASSES:
                if pat.search(sym) or (name == "ipsec" and pat.search(dso)):
                    cls = name
                    break
            tot[cls] += pct
            top.append((pct, sym, dso, cls))
        busy = 100 - tot["idle"]
        head = [x for x in lines if x.startswith("#")]
        print("%s: %s" % (st, head[0].lstrip("# ") if head else ""))
        print("  idle %.1f%%  crypto %.1f%%  ipsec stack %.1f%%  rest (forwarding, veth, "
              "skb, scheduling) %.1f%%  crypto/busy %s" % (
                  tot["idle"], tot["crypto"], tot["ipsec"], tot["other"],
                  "%.2f" % (tot["crypto"] / busy) if busy > 0 else "-"))
        for pct, sym, dso, cls in top[:15]:
            print("  %6.2f%%  %-7s %-40s %s" % (pct, cls, sym[:40], dso))
    if not found:
        print()
        print("# no perf profile (CL_PERF=0, or no perf in the guest)")


def main():
    args = sys.argv[1:]
    wall = "--wall" in args
    rundir = [a for a in args if a != "--wall"][0]
    shares = et.vcpu_shares(rundir)
    norm = bool(shares) and not wall

    def rate(m, what):
        v = m[what]
        if v is None or not norm:
            return v
        sh = m["share"][et.ENGINE] if m["share"] else 0
        return v / sh if sh >= et.STARVED else None

    crows, drivers, notes = crypto_rows(rundir, shares, norm)
    cells, esp_notes, raw_lines = esp_cells(rundir, rate)
    algs = sorted({k[1] for k in crows if k[0] == "aead"} | {k[0] for k in cells},
                  key=lambda a: (et.ALG_ORDER.get(a, 9), a))
    sizes = sorted({k[2] for k in crows if k[0] == "aead"} | {k[1] for k in cells}, key=int)
    if norm:
        print("# rates per second of vCPU %d time (wall-clock rate / that vCPU's share of"
              " a host CPU); --wall for wall-clock rates" % et.ENGINE)
    else:
        print("# wall-clock rates%s" % ("" if shares else
                                         " (no vcpu.txt: not divided by vCPU share)"))
    print("# size: UDP payload; ESP bytes: inner IPv4 packet (size + 28) / what is"
          " encrypted (ESP trailer and padding added; plus the IV and 8 bytes of AAD)")
    print("# enc/s, dec/s: medians of aead_speed.ko (the stacks' transform, alone, on"
          " vCPU 1); limit pps = 1 / (1/enc + 1/dec): one encryption on gw1 and one"
          " decryption on gw2 per packet, both on vCPU 1")
    print("# kipsec, native: esp_tput UDP medians; /limit = pps / limit pps; k/n ="
          " kipsec / native")
    limit_table(algs, sizes, crows, cells)
    for a in algs:
        if a in drivers:
            print("# %s: %s" % (et.ALG_NAMES.get(a, a), drivers[a]))
    tshare = 1
    if norm:
        sh = shares.get("tcrypt")
        if sh and sh[et.ENGINE] >= et.STARVED:
            tshare = sh[et.ENGINE]
    tcrypt_check(rundir, crows, tshare)
    perf_summary(rundir)
    trouble = [n for n in esp_notes if "FAIL" in n or "skipped" in n or "budget" in n]
    if trouble:
        print()
        print("\n".join(trouble))
    print()
    print("# transform measurements (ops/s%s): kind row size dir: values" %
          (" per vCPU 1 second" if norm else ""))
    for k in sorted(k for k in crows if k[0] != "plen"):
        print("%s %s %s %s: %s" % (k + (" ".join("%.0f" % v for v in crows[k]),)))
    print("\n".join(notes))
    print()
    print("# esp_tput raw runs")
    print("\n".join(n for n in esp_notes if n not in trouble))
    print("\n".join(raw_lines))


if __name__ == "__main__":
    main()
