#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Host-side clock for guest benchmarks: how much host CPU each vCPU got.

usage: vcpu_clock.py PID

Other QEMU guests share this machine's two cores, so a guest's vCPU runs
only part of the wall-clock time, and a rate measured inside the guest
drops with the host's load. This helper finds the QEMU process that
tests/vm/run starts under PID (the calling benchmark script; one guest at a
time), reads the results directory from its command line (ktout=...), and
watches RESULTS/marks/: whenever
the guest creates a file there (an empty file named after a measurement
and ".begin" or ".end"), it appends one line to RESULTS/vcpu.txt:

    NAME HOST_MONOTONIC_S VCPU0_CPU_S VCPU1_CPU_S

The vCPU threads are QEMU's "CPU n/TCG" threads (tests/vm/run names them
with -name ...,debug-threads=on); their CPU time comes from
/proc/PID/task/TID/schedstat. vCPU n's share of a measurement is then
(its CPU time) / (wall time) between the marks. Exits with QEMU.
"""
import os
import re
import sys
import time


def children(pid):
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        ppid = int(st.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            out.append(int(d))
    return out


def find_qemu(top, deadline):
    """(pid, results dir) of the qemu-system under pid top, or None."""
    while time.monotonic() < deadline:
        if not os.path.exists("/proc/%d" % top):
            return None
        todo, seen = [top], set()
        while todo:
            p = todo.pop()
            if p in seen:
                continue
            seen.add(p)
            try:
                with open("/proc/%d/cmdline" % p, "rb") as f:
                    argv = f.read().split(b"\0")
            except OSError:
                continue
            if argv and argv[0].endswith(b"qemu-system-x86_64"):
                m = re.search(rb"ktout=(\S+)", b" ".join(argv))
                if m:
                    return p, m.group(1).decode()
            todo.extend(children(p))
        time.sleep(0.1)
    return None


def vcpu_threads(pid):
    tids = {}
    for t in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, t)) as f:
                m = re.match(r"CPU (\d+)/", f.read())
        except OSError:
            continue
        if m:
            tids[int(m.group(1))] = t
    return [tids[k] for k in sorted(tids)]


def cpu_s(pid, tid):
    try:
        with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
            return int(f.read().split()[0]) / 1e9
    except OSError:
        return float("nan")


def main():
    found = find_qemu(int(sys.argv[1]), time.monotonic() + 600)
    if not found:
        return
    pid, results = found
    marks = os.path.join(results, "marks")
    tids = []
    for _ in range(100):
        tids = vcpu_threads(pid)
        if len(tids) >= 2:
            break
        time.sleep(0.1)
    if len(tids) < 2:
        print("vcpu_clock: no 'CPU n/TCG' threads in QEMU %d" % pid, file=sys.stderr)
        return
    seen = set()
    with open(os.path.join(results, "vcpu.txt"), "a") as out:
        while os.path.exists("/proc/%d" % pid):
            try:
                names = os.listdir(marks)
            except OSError:
                names = []
            new = [n for n in names if n not in seen]
            if new:
                now = time.monotonic()
                c = [cpu_s(pid, t) for t in tids[:2]]
                for n in sorted(new):
                    out.write("%s %.4f %.4f %.4f\n" % (n, now, c[0], c[1]))
                    seen.add(n)
                out.flush()
            time.sleep(0.01)


if __name__ == "__main__":
    main()
