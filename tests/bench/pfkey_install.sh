#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Guest side of tests/bench/run: alternate Linux af_key and kipsec.ko in this
# one boot, running build/bench/pfkey_install for each size, mode and run.
# Appends one raw line per measurement to $KT_OUT/raw.txt; exits non-zero as
# soon as a run fails its correctness checks (a failed install is not a rate).
set -u
prog=$KT_TOP/build/bench/pfkey_install
raw=$KT_OUT/raw.txt
sizes=${BENCH_SIZES:-10000 100000}
runs=${BENCH_RUNS:-3}
cap=${BENCH_CAP:-300}		# seconds per install phase
budget=${BENCH_BUDGET:-1200}	# seconds for everything; later runs are skipped
modes="256 1"			# requests in flight: batched, then one by one
start=$SECONDS

load() {
	case $1 in
	af_key) modprobe af_key ;;
	kipsec) insmod "$KT_TOP/kernel/kipsec.ko" ;;
	esac
}

# af_key leaves its SAs and policies in XFRM when unloaded: clear them, in
# case a capped run did not get to flush.
unload() {
	case $1 in
	af_key) rmmod af_key && ip xfrm state flush && ip xfrm policy flush ;;
	kipsec) rmmod kipsec ;;
	esac
}

# measure STACK N W RUN: one pfkey_install run, recorded in $raw.
measure() {
	local out rc
	load "$1" || { echo "cannot load $1"; exit 1; }
	# The program caps each phase itself; timeout is only a backstop.
	out=$(timeout $((3 * cap)) "$prog" -w "$3" -t "$cap" "$2")
	rc=$?
	unload "$1" || { echo "cannot unload $1"; exit 1; }
	echo "stack=$1 run=$4 $out rc=$rc" | tee -a "$raw"
	case $rc in
	0) ;;
	3|124) capped="$capped $1/$2/$3" ;;
	*) echo "FAIL: $1 N=$2 W=$3 run $4 exited $rc"; exit 1 ;;
	esac
}

capped=
: >"$raw"
echo "# kernel $(uname -r), $(nproc) vCPUs, $(awk '/MemTotal/ {print $2 " kB"}' /proc/meminfo)" >>"$raw"
# Warm-up, not recorded: the first ESP SA makes the kernel load esp4 and
# build (and self-test) the authenc(hmac(sha1),cbc(aes)) instance.
for s in af_key kipsec; do
	if ! { load $s && "$prog" 200 >/dev/null && unload $s; }; then
		echo "warm-up on $s failed"
		exit 1
	fi
done

for n in $sizes; do
	for r in $(seq "$runs"); do
		# Alternate which stack goes first, so drift hits both.
		stacks="af_key kipsec"
		[ $((r % 2)) = 0 ] && stacks="kipsec af_key"
		for w in $modes; do
			for s in $stacks; do
				if [ $((SECONDS - start)) -gt "$budget" ]; then
					echo "# budget of ${budget}s spent: skipped $s N=$n W=$w run $r" | tee -a "$raw"
					continue
				fi
				# A stack that hit the cap once at this size and mode
				# runs it only once.
				case " $capped " in
				*" $s/$n/$w "*)
					echo "# skipped $s N=$n W=$w run $r: capped before" | tee -a "$raw"
					continue ;;
				esac
				measure "$s" "$n" "$w" "$r"
			done
		done
	done
done
echo "# done in $((SECONDS - start)) s" | tee -a "$raw"
