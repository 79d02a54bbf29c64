# SPDX-License-Identifier: BSD-2-Clause
# A tiny run of the control-plane benchmark (tests/bench/ctl_scale.sh,
# `make bench BENCH=ctl_scale`, issue 19), so that it keeps working, on
# kipsec.ko alone (af_key's first SADB_REGISTER probes every algorithm,
# which costs more than this whole test): 1000 SAs and policies dumped
# once each with setkey and counted, one 1 s turn with SA churn and one
# without while the ESP tunnel carries UDP, and a burst of 200 ACQUIREs
# next to a turn without (not the default run's burst with the kernel's
# defaults, nor its warm-up). It fails if a step
# fails, a dump lacks an entry, a turn counts no packet through the tunnel,
# the churn does no request or a burst brings fewer ACQUIREs than
# destinations; no rate is checked. Its raw.txt and table.txt in
# build/vm/last-*/ctl_scale_smoke/.
out=$KT_OUT/ctl_scale_smoke
mkdir -p "$out"
KT_OUT=$out CTL_STACKS=kipsec CTL_WARM=0 DUMP_N=1000 DUMP_RUNS=1 DUMP_CHECK=1 CHURN_SECS=1 \
	CHURN_RUNS=1 CHURN_POOL=200 ACQ_N=200 ACQ_RUNS=1 ACQ_DEFAULT=0 bash "$KT_TOP/tests/bench/ctl_scale.sh" || exit 1
python3 "$KT_TOP/tests/bench/ctl_scale_table.py" "$out/raw.txt" >"$out/table.txt" || exit 1
cat "$out/table.txt"
raw=$out/raw.txt
fail() { echo "FAIL: $*"; exit 1; }
# Every measurement is there, with a number above 0 where one must be.
awk '
	function pos(k) { return $0 ~ (" " k "=[0-9.]*[1-9]") }
	/^stack=kipsec test=fill / && pos("sa_per_s") && pos("spd_per_s") { f++ }
	/^stack=kipsec test=dump what=sa / && pos("wall_ms") && pos("maxrss_kb") { d++ }
	/^stack=kipsec test=dump what=spd / && pos("wall_ms") && pos("maxrss_kb") { p++ }
	/^stack=kipsec test=dumpcount / && / lines=1000 / { c++ }
	/^stack=kipsec test=churn .* rate=0 / && pos("pps") { q++ }
	/^stack=kipsec test=churn .* rate=10000 / && pos("ops_per_s") && pos("pps") { b++ }
	/^stack=kipsec test=idle / && pos("pps") { i++ }
	/^stack=kipsec test=acquire .* acquires=200 distinct=200 / && pos("pps") { a++ }
	END { exit !(f == 1 && d == 1 && p == 1 && c == 2 && q == 1 && b == 1 && i == 1 && a == 1) }
' "$raw" || fail "a measurement is missing or zero: $(cat "$raw")"
exit 0
