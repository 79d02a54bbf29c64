#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Guest side of `tests/bench/run spd_scale` (issue 19, deliverable 1): the
# packet rate of an ESP tunnel while the SPD, or the SAD, holds many other
# entries, kipsec against Linux's native XFRM in this one boot.
#
# The tunnel is esp_tput's (tests/bench/esp_tput.sh, whose header explains
# the method; tests/bench/esp_lib.sh holds the shared code): for each
# stack, left -> gw1 =ESP= gw2 -> right in namespaces of its own (k-* set
# up with our setkey over kipsec.ko, n-* with `ip xfrm`), null encryption,
# 64-byte UDP through build/bench/udp_window (closed loop, window
# SPD_WINDOW), all packet work on vCPU 1, SPD_RUNS turns of SPD_SECS s per
# stack and row, kipsec's then XFRM's (not alternating turn by turn as in
# esp_tput: where XFRM crawls, its packets in flight would hold up
# kipsec's next turn; after each stack's turns, the packets still in
# flight are dropped). No TCP: a 64-byte packet rate shows a per-packet
# cost best.
#
# SPD rows: gw1, which encrypts, also holds N extra policies in each of
# the directions its forward path looks up (out: which SA; fwd: may it be
# forwarded), the same in both stacks, none matching the flows (discard:
# a policy that matched would stop the traffic and fail the run), all at
# priority 1000, ahead of the tunnel's policies (priority 2000, both
# stacks) in KAME order: a stack that walks its policies in order passes
# them all before it finds the tunnel's. tests/bench/spd_gen.py writes
# them, per selector class (SPD_CLASSES):
#   host    /32 host pairs that are not the flow's
#   prefix  prefixes of all lengths /16-/32 on both sides (289 shapes),
#           none covering the flow
#   port    the tunnel's prefixes, UDP, with ports that are not the flow's
#   proto   the tunnel's prefixes, other protocols (then TCP with ports)
#   mix     the four in turn
# for each N of SPD_SIZES, growing: the step from N to N' adds entries N to
# N'-1 (setkey -f; ip -batch of `xfrm policy add`). Each class starts from
# a clean SPD (and measures N = 0 again).
# SAD rows: both gateways also hold N other ESP SAs (distinct SPIs and
# destinations, null encryption) for each N of SAD_SIZES, no extra policy.
#
# Installing is timed (raw "install" lines: the step's seconds and the
# total to reach N), and is quadratic for XFRM wherever its policies share
# one list (port, proto: 20k port-only policies took 418 s under TCG). So
# before each step the time is predicted from the two previous sizes
# (growth exponent fitted, clamped to 1..2; 1 with one size known: at
# worst one step is tried in vain), and a stack whose step would take more
# than SPD_CAP s, or more than what is left of SPD_BUDGET, sits out the
# rest of the class (a "# skip" line); a step is also cut off by `timeout`
# at SPD_CAP. The other stack goes on
# alone: its N/0 ratio still counts, the kipsec/XFRM ratio is missing.
#
# Writes $KT_OUT/raw.txt (install and measurement lines) and marks under
# $KT_OUT/marks/ (tests/bench/vcpu_clock.py); tests/bench/spd_scale_table.py
# makes the table: per stack the rate at N over the rate at 0 of the same
# class, and kipsec/XFRM at each N.
# Environment (defaults): SPD_CLASSES (host prefix port proto mix),
# SPD_SIZES (0 1000 10000 100000), SAD_SIZES (0 10000 100000; "" for none),
# SPD_RUNS (3), SPD_SECS (1), SPD_WINDOW (128), SPD_CAP (600 s per install
# step), SPD_BUDGET (3600 s for everything: the SAD rows come last).
. "$KT_TOP/tests/vm/lib.sh"

kstack=kipsec
stacks="kipsec native"
classes=${SPD_CLASSES-host prefix port proto mix}
spd_sizes=${SPD_SIZES-0 1000 10000 100000}
sad_sizes=${SAD_SIZES-0 10000 100000}
runs=${SPD_RUNS:-3}
secs=${SPD_SECS:-1}
window=${SPD_WINDOW:-128}
cap=${SPD_CAP:-600}
budget=${SPD_BUDGET:-3600}
setkey=$KT_BUILD/bin/setkey
udp_window=$KT_BUILD/bench/udp_window
gen=$KT_TOP/tests/bench/spd_gen.py
raw=$KT_OUT/raw.txt
jdir=$KT_OUT/esp
start=$SECONDS
a=null
tunnel_prio=2000	# esp_lib.sh: the tunnel's policies, both stacks
extra_prio=1000		# ahead of them
tcp_secs=1		# (esp_lib.sh's tcp(), unused here)

[ -x "$setkey" ] || kt_fail "$setkey missing: run make"
[ -x "$udp_window" ] || kt_fail "$udp_window missing: tests/bench/run builds it"
for c in $classes; do
	case $c in host|prefix|port|proto|mix) ;; *) kt_fail "SPD_CLASSES: unknown class $c" ;; esac
done
mkdir -p "$jdir" "$KT_OUT/marks"

. "$KT_TOP/tests/bench/esp_lib.sh"

# gen_entries TABLE CLASS FROM TO: the entries' files $KT_TMP/entries.setkey
# and .xfrm.
gen_entries() {
	if [ "$1" = spd ]; then
		python3 -S "$gen" "$KT_TMP/entries" policies "$2" "$3" "$4" $extra_prio out fwd
	else
		python3 -S "$gen" "$KT_TMP/entries" sas "$3" "$4"
	fi || kt_fail "spd_gen.py $*"
}

# install STACK NS FILE: load the file into the namespace, cut off after
# SPD_CAP s. Sets $took (seconds, 2 decimals); returns 1 with $why.
install() {
	local t0 t1 rc
	t0=$(date +%s.%N)
	if [ "$1" = kipsec ]; then
		timeout "$cap" ip netns exec "$2" "$setkey" -f "$3"
	else
		timeout "$cap" ip -n "$2" -batch "$3"
	fi >"$KT_TMP/install.out" 2>&1
	rc=$?
	t1=$(date +%s.%N)
	took=$(echo "$t1 - $t0" | bc -l | xargs printf '%.2f')
	why=$(tail -n 3 "$KT_TMP/install.out" | tr '\n' ' ')
	[ "$rc" = 124 ] && why="cut off after ${cap}s (SPD_CAP)"
	[ "$rc" = 0 ]
}

# predict N1 T1 N2 T2 N: seconds to grow from N2 entries to N, after the
# totals T1 at N1 and T2 at N2 (N1 0: one size known, exponent 1).
predict() {
	awk -v n1="$1" -v t1="$2" -v n2="$3" -v t2="$4" -v n="$5" 'BEGIN {
		e = 1
		if (n1 > 0 && t1 > 0 && t2 > t1) e = log(t2 / t1) / log(n2 / n1)
		if (e < 1) e = 1
		if (e > 2) e = 2
		printf "%.0f\n", t2 * ((n / n2) ^ e - 1)
	}'
}

# grow TABLE CLASS N: take each stack still in the class from its size to
# N entries (spd: gw1's policies; sad: SAs on both gateways).
grow() {
	local s p f gw p_n p_t p_n1 p_t1 guess left ns t
	[ "$3" -gt "$have" ] || return 0
	gen_entries "$1" "$2" "$have" "$3"
	for s in $stacks; do
		ok "$s" "$a" || continue
		p=$(pfx "$s")
		eval "p_n=\$n_$p p_t=\$t_$p p_n1=\$n1_$p p_t1=\$t1_$p"
		left=$((start + budget - SECONDS))
		if [ "$p_n" -gt 0 ]; then
			guess=$(predict "$p_n1" "$p_t1" "$p_n" "$p_t" "$3")
			if [ "$guess" -gt "$cap" ] || [ "$guess" -gt "$left" ]; then
				echo "# skip stack=$s table=$1 class=$2 n=$3: installing would take ~${guess}s" \
					"(SPD_CAP ${cap}s, ${left}s of SPD_BUDGET left)" | tee -a "$raw"
				skipped="$skipped $s/$a"
				continue
			fi
		fi
		f=$KT_TMP/entries.xfrm
		[ "$s" = kipsec ] && f=$KT_TMP/entries.setkey
		t=0
		for gw in gw1 $([ "$1" = sad ] && echo gw2); do
			ns=$p-$gw
			if ! install "$s" "$ns" "$f"; then
				echo "# skip stack=$s table=$1 class=$2 n=$3: $ns: $why" | tee -a "$raw"
				skipped="$skipped $s/$a"
				continue 2
			fi
			t=$(echo "$t + $took" | bc -l)
		done
		t=$(echo "$p_t + $t" | bc -l | xargs printf '%.2f')
		echo "install stack=$s table=$1 class=$2 n=$3 from=$have secs=$(echo "$t - $p_t" |
			bc -l | xargs printf '%.2f') total=$t t=$((SECONDS - start))" | tee -a "$raw"
		eval "n1_$p=\$p_n t1_$p=\$p_t n_$p=$3 t_$p=$t"
	done
	have=$3
}

# fresh: both stacks' tunnels alone again (checked on the wire the first
# time; the configuration is the same every time, and each row's UDP turns
# fail if nothing passes); each stack's install record starts over.
fresh() {
	local s
	for s in $stacks; do
		p=$(pfx "$s")
		eval "n_$p=0 t_$p=0 n1_$p=0 t1_$p=0"
		unconfigure "$s" "$a"
		configure "$s" "$a" || kt_fail "$s: configuration refused: $why"
	done
	skipped='' have=0
	if [ "$checked" = 0 ]; then
		check_wire $stacks
		[ -z "$failed" ] || kt_fail "the tunnel does not work:$failed"
		checked=1
	fi
	# Warm-up, not recorded: ARP, routes, the pages of the programs.
	"$udp_window" -a 10.0.2.2 -t 1 -W 200 "wk:k-left:k-right" "wn:n-left:n-right" >/dev/null 2>&1
}

# row TABLE CLASS N: measure the stacks still in the class, one after the
# other, SPD_RUNS turns each. A stack that delivers nothing at all in its
# turns (a packet takes longer than a turn: XFRM walking 10k port-only
# policies in each direction under TCG) has a rate of 0 in the row and sits
# out the rest of the class; at N = 0 that is a failure.
row() {
	local s p line label rc
	for s in $stacks; do
		ok "$s" "$a" || continue
		p=$(pfx "$s")
		timeout $((runs * (secs + 2) + 120)) "$udp_window" -a 10.0.2.2 -l 64 \
			-t "$secs" -r "$runs" -W 300 -w "$window" -c 0 -m "$KT_OUT/marks" \
			"$s-$2-$3:$p-left:$p-right" 2>"$KT_TMP/udp.err" |
		while read -r line; do
			label=${line#label=}; label=${label%% *}
			run=${line#* run=}; run=${run%% *}
			echo "stack=$s via=$(via "$s" "$a") alg=$a table=$1 class=$2 n=$3" \
				"proto=udp id=$label-r$run $line t=$((SECONDS - start))" | tee -a "$raw"
		done
		rc=${PIPESTATUS[0]}
		drain "$s"
		[ "$rc" = 0 ] && continue
		if [ "$3" != 0 ] && grep -q 'nothing arrived' "$KT_TMP/udp.err"; then
			echo "# skip stack=$s table=$1 class=$2 n=$3: nothing arrived in ${runs}" \
				"turns of ${secs}s: the rest of the class is left out" | tee -a "$raw"
			skipped="$skipped $s/$a"
			continue
		fi
		echo "# FAIL table=$1 class=$2 n=$3 stack=$s: udp_window exited $rc:" \
			"$(head -c 300 "$KT_TMP/udp.err" | tr '\n' ' ')" | tee -a "$raw"
		failed="$failed $s/$a"
	done
}

# drain STACK: drop the packets still in flight (up to SPD_WINDOW, which
# take long through a slow stack and would hold up the next measurement):
# gw1 loses its route to the remote LAN for a moment, so that they fail
# the route lookup, before any policy lookup.
drain() {
	local ns
	ns=$(pfx "$1")-gw1
	ip -n "$ns" route del 10.0.2.0/24 via 20.0.0.2 || kt_fail "$ns: route del"
	sleep 1
	ip -n "$ns" route add 10.0.2.0/24 via 20.0.0.2 || kt_fail "$ns: route add"
}

over() {
	[ $((SECONDS - start)) -ge "$budget" ] || return 1
	echo "# SPD_BUDGET (${budget}s) spent: skipped $* and the rest" | tee -a "$raw"
}

failed='' skipped='' have=0 checked=0
: >"$raw"
echo "# kernel $(uname -r), $(nproc) vCPUs; stacks: $stacks; udp_window ${runs}x${secs}s" \
	"per stack and row, 64 bytes, window $window; packets (RPS) on vCPU 1; kipsec's turns, then XFRM's" >>"$raw"
echo "# extra policies: gw1, out and fwd, priority $extra_prio, action discard;" \
	"the tunnel's at priority $tunnel_prio; SAs: both gateways" >>"$raw"
kt_load_kipsec
for s in $stacks; do topo "$s"; done
echo "# topology up at $((SECONDS - start)) s" >>"$raw"

done_all=1
for c in $classes; do
	over "spd class $c" && { done_all=0; break; }
	fresh
	for n in $spd_sizes; do
		over "spd class $c n=$n" && { done_all=0; break 2; }
		grow spd "$c" "$n"
		row spd "$c" "$n"
	done
done
if [ $done_all = 1 ] && [ -n "$sad_sizes" ]; then
	fresh
	for n in $sad_sizes; do
		over "sad n=$n" && break
		grow sad sa "$n"
		row sad sa "$n"
	done
fi
echo "# done in $((SECONDS - start)) s" | tee -a "$raw"
[ -z "$failed" ] || { echo "FAIL:$(echo $failed | tr ' ' '\n' | sort -u | tr '\n' ' ')"; exit 1; }
