#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Guest side of `tests/bench/run ctl_scale`: the control plane at scale
# (issue 19, deliverable 2), kipsec.ko against Linux af_key (over XFRM) in
# turn in this one boot; both own PF_KEY, so one is loaded at a time. Every
# PF_KEY step goes through build/bench/ctl_scale (tests/bench/ctl_scale.c)
# or our setkey. Per stack:
#
# 1. dump: DUMP_N ESP SAs and DUMP_N outbound policies installed (batched,
#    `ctl_scale fill`, in a namespace of their own), then `setkey -D` and
#    `setkey -DP` to /dev/null, DUMP_RUNS times each, under `ctl_scale
#    exec`: wall time, the peak RSS of setkey (wait4), its CPU time, and the
#    peak rise of the kernel's Slab during the dump; the table's own Slab
#    per entry is noted at the install. One more dump of each goes into a
#    pipe and is counted (DUMP_CHECK=1, the default): every entry must be
#    in it. Then `setkey -F` and `-FP`, timed.
# 2. churn: the ESP tunnel of esp_tput (left -> gw1 =ESP tunnel= gw2 ->
#    right, in namespaces t-*, CTL_ALG: null by default) carries 64-byte UDP
#    from build/bench/udp_window (closed loop, window 128, applications on
#    vCPU 0, packets on vCPU 1 by RPS) during every turn (stopped between
#    turns, so that the steps between them do not crawl). kipsec's tunnel
#    is keyed by setkey, af_key's by `ip xfrm` (af_key cannot key null
#    encryption with our setkey; the data plane is XFRM's either way). On gw1 (the
#    tunnel's SAD), `ctl_scale churn` holds CHURN_POOL unrelated SAs and
#    replaces them, SADB_ADD of a new one and SADB_DELETE of the oldest in
#    turn, at CHURN_RATE requests per second (adds and deletes each count
#    one) for CHURN_SECS, pinned to vCPU 0; turns with and without churn
#    alternate (CHURN_RUNS of each), and each turn counts the packets that
#    right's eth0 received (the tunnel's rate).
# 3. acquire: on gw1, one policy `spdadd 0.0.0.0/0 10.8.0.0/13 any -P out
#    ipsec esp/transport//require` with no SA, a socket registered for ESP,
#    and one datagram each to ACQ_N distinct destinations (fresh ones in
#    every run), sendto() one by one; the time until the last ACQUIRE was
#    read, how many came, and the tunnel's packet rate during the sends,
#    against a 1 s turn without burst next to it (ACQ_RUNS of each, in one
#    process registered once: af_key probes every algorithm at each
#    SADB_REGISTER, which took from 7 s to 107 s here). gw1 raises
#    net.kipsec.acquire_max (kipsec bounds pending ACQUIREs: 1024 by
#    default, kernel/acquire.c) above all the runs' destinations, and
#    kipsec's larval lifetime and XFRM's xfrm_acq_expires to an hour, so
#    that no ACQUIRE expires during the runs. Then one more burst in a
#    fresh namespace with the defaults (acq-default): how many ACQUIREs
#    each stack delivers out of ACQ_N, and kipsec's acquire_refused.
#
# The stacks are measured one after the other, not alternating (a table
# of DUMP_N entries would have to be installed again at every switch): a
# change in the host's load between them lands in the ratios, which is why
# each stack's "during/without" ratios pair turns next to each other.
# CTL_STACKS="af_key kipsec" reverses the order.
#
# Appends one line per measurement to $KT_OUT/raw.txt; tests/bench/
# ctl_scale_table.py makes the table. Exits non-zero at the first failed
# step (a refused request, a missing reply, a dump short of entries, a
# tunnel that passes nothing, a burst that brings no ACQUIRE).
# Environment (defaults): CTL_STACKS ("kipsec af_key"), CTL_TESTS ("dump
# churn acquire": which of the three), DUMP_N (10000; 100000 is the size of
# issue 19: CTL_TESTS=dump DUMP_N=100000 took 4 to 8 minutes at a host
# load of 7 to 10), DUMP_RUNS (3), DUMP_CHECK (1), CHURN_RATE (10000), CHURN_SECS (3),
# CHURN_RUNS (3), CHURN_POOL (1000), ACQ_N (10000), ACQ_RUNS (3),
# CTL_ALG (null; also cbc-sha256, gcm), CTL_WARM (1; 0: no warm-up),
# ACQ_DEFAULT (1; 0: no burst with the defaults).
. "$KT_TOP/tests/vm/lib.sh"

stacks=${CTL_STACKS:-kipsec af_key}
tests=${CTL_TESTS:-dump churn acquire}
dump_n=${DUMP_N:-10000}
dump_runs=${DUMP_RUNS:-3}
dump_check=${DUMP_CHECK:-1}
churn_rate=${CHURN_RATE:-10000}
churn_secs=${CHURN_SECS:-3}
churn_runs=${CHURN_RUNS:-3}
churn_pool=${CHURN_POOL:-1000}
acq_n=${ACQ_N:-10000}
acq_runs=${ACQ_RUNS:-3}
alg=${CTL_ALG:-null}
prog=$KT_BUILD/bench/ctl_scale
udp_window=$KT_BUILD/bench/udp_window
setkey=$KT_BUILD/bin/setkey
raw=$KT_OUT/raw.txt
ctr=t-right:eth0
start=$SECONDS

for f in "$prog" "$udp_window" "$setkey"; do
	[ -x "$f" ] || kt_fail "$f missing: run make (tests/bench/run builds the bench programs)"
done
for s in $stacks; do
	case $s in kipsec|af_key) ;; *) kt_fail "CTL_STACKS: unknown stack $s" ;; esac
done
for t in $tests; do
	case $t in dump|churn|acquire) ;; *) kt_fail "CTL_TESTS: unknown test $t" ;; esac
done
[ $((acq_n * acq_runs)) -le 524000 ] || kt_fail "ACQ_N * ACQ_RUNS must fit 10.8.0.0/13"

EKEY=0x00112233445566778899aabbccddeeff
AKEY=0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
GKEY=0x00112233445566778899aabbccddeeffcafebabe
case $alg in
null) sk_alg="-E null" xf_alg="enc ecb(cipher_null) \"\"" ;;
cbc-sha256) sk_alg="-E aes-cbc $EKEY -A hmac-sha2-256 $AKEY"
	xf_alg="enc cbc(aes) $EKEY auth-trunc hmac(sha256) $AKEY 128" ;;
gcm) sk_alg="-E aes-gcm-16 $GKEY" xf_alg="aead rfc4106(gcm(aes)) $GKEY 128" ;;
*) kt_fail "CTL_ALG: unknown algorithm $alg" ;;
esac

load() {
	case $1 in
	kipsec) kt_load_kipsec ;;
	af_key) modprobe af_key && kt_module_loaded af_key || kt_fail "cannot load af_key" ;;
	esac
}

# Namespaces first (kipsec's per-namespace state goes with them); af_key
# leaves its SAs and policies in XFRM, which the namespaces take along.
unload() {
	ip -all netns delete
	case $1 in
	kipsec) kt_unload_kipsec ;;
	af_key) rmmod af_key || kt_fail "cannot unload af_key" ;;
	esac
}

# record STACK TEST LINE: one raw line.
record() {
	echo "stack=$1 test=$2 $3 t=$((SECONDS - start))" | tee -a "$raw"
}

# val KEY LINE: the value of KEY=... in a line of key=value pairs.
val() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# --- 1. dump ---

dump_test() {
	local s=$1 out r flag what count
	kt_ns d
	out=$(ip netns exec d "$prog" fill "$dump_n") || kt_fail "$s: fill $dump_n failed: $out"
	record "$s" fill "$out"
	for r in $(seq "$dump_runs"); do
		for what in sa spd; do
			flag=-D; [ $what = spd ] && flag=-DP
			out=$(ip netns exec d "$prog" exec -o /dev/null "$setkey" $flag 2>"$KT_TMP/err") ||
				kt_fail "$s: setkey $flag failed: $out $(head -c 300 "$KT_TMP/err")"
			record "$s" dump "what=$what n=$dump_n run=$r $out"
		done
	done
	if [ "$dump_check" = 1 ]; then
		# Once more into a pipe, counted: each entry's first line starts
		# with its source address (recorded, not in the table).
		for what in sa spd; do
			flag=-D; [ $what = spd ] && flag=-DP
			out=$(ip netns exec d "$prog" exec -n "$setkey" $flag 2>"$KT_TMP/err") ||
				kt_fail "$s: setkey $flag failed: $out $(head -c 300 "$KT_TMP/err")"
			record "$s" dumpcount "what=$what n=$dump_n $out"
			count=$(val lines "$out")
			[ "$count" = "$dump_n" ] || kt_fail "$s: setkey $flag listed $count entries, not $dump_n"
		done
	fi
	for what in sa spd; do
		flag=-F; [ $what = spd ] && flag=-FP
		out=$(ip netns exec d "$prog" exec -o /dev/null "$setkey" $flag) ||
			kt_fail "$s: setkey $flag failed: $out"
		record "$s" flush "what=$what n=$dump_n $out"
	done
	ip netns delete d
}

# --- 2. the tunnel ---

topo() {
	local n
	for n in left gw1 gw2 right; do kt_ns "t-$n"; done
	kt_link t-left eth0 t-gw1 lan0
	kt_link t-gw1 wan0 t-gw2 wan0
	kt_link t-gw2 lan0 t-right eth0
	kt_addr t-left eth0 10.0.1.2/24; kt_addr t-gw1 lan0 10.0.1.1/24
	kt_addr t-gw1 wan0 20.0.0.1/24; kt_addr t-gw2 wan0 20.0.0.2/24
	kt_addr t-gw2 lan0 10.0.2.1/24; kt_addr t-right eth0 10.0.2.2/24
	ip -n t-left route add default via 10.0.1.1
	ip -n t-right route add default via 10.0.2.1
	ip -n t-gw1 route add 10.0.2.0/24 via 20.0.0.2
	ip -n t-gw2 route add 10.0.1.0/24 via 20.0.0.1
	for n in left gw1 gw2 right; do
		ip netns exec "t-$n" sh -c 'for q in /sys/class/net/*/queues/rx-*/rps_cpus; do
			case $q in */lo/*) ;; *) echo 2 >"$q" ;; esac; done' ||
			kt_fail "cannot steer t-$n's packets to vCPU 1 (RPS)"
	done
}

# tunnel STACK: the ESP tunnel's SAs and policies on both gateways.
tunnel() {
	local gw me peer lan rlan d out
	for gw in gw1 gw2; do
		case $gw in
		gw1) me=20.0.0.1 peer=20.0.0.2 lan=10.0.1.0/24 rlan=10.0.2.0/24 ;;
		gw2) me=20.0.0.2 peer=20.0.0.1 lan=10.0.2.0/24 rlan=10.0.1.0/24 ;;
		esac
		if [ "$1" = kipsec ]; then
			cat >"$KT_TMP/t-$gw.conf" <<-EOF
			add 20.0.0.1 20.0.0.2 esp 0x1001 -m tunnel -r 32 $sk_alg;
			add 20.0.0.2 20.0.0.1 esp 0x1002 -m tunnel -r 32 $sk_alg;
			spdadd $lan $rlan any -P out ipsec esp/tunnel/$me-$peer/require;
			spdadd $rlan $lan any -P in ipsec esp/tunnel/$peer-$me/require;
			spdadd $rlan $lan any -P fwd ipsec esp/tunnel/$peer-$me/require;
			EOF
			# (2>&1: setkey warns that null ESP protects nothing.)
			out=$(ip netns exec "t-$gw" "$setkey" -f "$KT_TMP/t-$gw.conf" 2>&1) ||
				kt_fail "setkey on t-$gw failed: $out"
		else
			{
				echo "xfrm state add src 20.0.0.1 dst 20.0.0.2 proto esp spi 0x1001 mode tunnel replay-window 32 $xf_alg"
				echo "xfrm state add src 20.0.0.2 dst 20.0.0.1 proto esp spi 0x1002 mode tunnel replay-window 32 $xf_alg"
				echo "xfrm policy add src $lan dst $rlan dir out tmpl src $me dst $peer proto esp mode tunnel level required"
				for d in in fwd; do
					echo "xfrm policy add src $rlan dst $lan dir $d tmpl src $peer dst $me proto esp mode tunnel level required"
				done
			} | ip -n "t-$gw" -batch - || kt_fail "ip xfrm on t-$gw failed"
		fi
	done
}

# esp_out STACK: packets gw1's outbound tunnel SA has carried.
esp_out() {
	if [ "$1" = kipsec ]; then
		kt_sa_stat t-gw1 0x1001 packets
	else
		ip -n t-gw1 -s xfrm state get src 20.0.0.1 dst 20.0.0.2 proto esp spi 0x1001 |
			awk 'c { sub(/\(.*/, "", $2); print $2; exit } /lifetime current:/ { c = 1 }'
	fi
}

# positive VALUE: VALUE is a number above 0.
positive() { case $1 in ''|0|*[!0-9.]*) return 1 ;; esac; awk -v v="$1" 'BEGIN { exit !(v > 0) }'; }

# The tunnel's traffic runs only during turns: udp_window is stopped
# (SIGSTOP) in between, or every step between turns would crawl on the two
# busy vCPUs.
traffic_start() {
	kt_wait_for 10 kt_ping t-left 10.0.2.2 || kt_fail "$1: no ping through the tunnel"
	"$udp_window" -a 10.0.2.2 -l 64 -t 3600 -r 1 -W 0 -w 128 -c 0 bg:t-left:t-right \
		>/dev/null 2>"$KT_TMP/udp.err" &
	udp_pid=$!
	KT_PIDS+=("$udp_pid")
	kt_nap 1
	kill -STOP "$udp_pid" 2>/dev/null || kt_fail "$1: udp_window died: $(cat "$KT_TMP/udp.err")"
}

traffic_stop() {
	local p
	kill -CONT "$udp_pid" 2>/dev/null
	kill "$udp_pid" 2>/dev/null
	wait "$udp_pid" 2>/dev/null
	p=$(esp_out "$1")
	positive "$p" || kt_fail "$1: gw1's tunnel SA carried no packet ($p)"
	echo "# $1: gw1's tunnel SA 0x1001 carried $p packets" | tee -a "$raw"
}

# turn STACK TEST RUN ARGS...: one ctl_scale run on gw1, pinned to vCPU 0.
turn() {
	local s=$1 t=$2 r=$3 out
	shift 3
	kill -CONT "$udp_pid" 2>/dev/null || kt_fail "$s: udp_window died: $(cat "$KT_TMP/udp.err")"
	kt_nap 0.5	# the window fills again
	out=$(ip netns exec t-gw1 taskset -c 0 "$prog" "$@" 2>"$KT_TMP/err") ||
		kt_fail "$s: ctl_scale $* failed: $out $(head -c 300 "$KT_TMP/err")"
	kill -STOP "$udp_pid" 2>/dev/null || kt_fail "$s: udp_window died: $(cat "$KT_TMP/udp.err")"
	positive "$(val pps "$out")" || kt_fail "$s: no packet through the tunnel during $t: $out"
	record "$s" "$t" "run=$r $out"
}

churn_test() {
	local s=$1 r rates
	for r in $(seq "$churn_runs"); do
		rates="0 $churn_rate"
		[ $((r % 2)) = 0 ] && rates="$churn_rate 0"
		for rate in $rates; do
			turn "$s" churn "$r" churn -c $ctr -p "$churn_pool" -r "$rate" -t "$churn_secs"
		done
	done
}

# All runs in one process, with one SADB_REGISTER: af_key probes every
# algorithm at each (seconds to minutes under TCG, not measured); the
# traffic runs all along, the REGISTER included.
acquire_test() {
	local s=$1 out line kind
	if [ "$s" = kipsec ]; then
		ip netns exec t-gw1 sysctl -qw net.kipsec.acquire_max=$((acq_n * acq_runs + 1024)) \
			net.kipsec.larval_lifetime=3600 || kt_fail "cannot set kipsec's sysctls"
	else
		ip netns exec t-gw1 sysctl -qw net.core.xfrm_acq_expires=3600 ||
			kt_fail "cannot set xfrm_acq_expires"
	fi
	ip -n t-gw1 route add 10.8.0.0/13 via 20.0.0.2
	echo 'spdadd 0.0.0.0/0 10.8.0.0/13 any -P out ipsec esp/transport//require;' |
		ip netns exec t-gw1 "$setkey" -c || kt_fail "$s: spdadd of the require policy failed"
	kill -CONT "$udp_pid" 2>/dev/null || kt_fail "$s: udp_window died: $(cat "$KT_TMP/udp.err")"
	kt_nap 0.5
	out=$(ip netns exec t-gw1 taskset -c 0 "$prog" acquire -c $ctr -R "$acq_runs" -i 1 \
		-n "$acq_n" 10.8.0.0 2>"$KT_TMP/err") ||
		kt_fail "$s: ctl_scale acquire failed: $out $(head -c 300 "$KT_TMP/err")"
	kill -STOP "$udp_pid" 2>/dev/null || kt_fail "$s: udp_window died: $(cat "$KT_TMP/udp.err")"
	while read -r line; do
		kind=${line%% *}; kind=${kind#turn=}
		record "$s" "$kind" "${line#* }"
		positive "$(val pps "$line")" || kt_fail "$s: no packet through the tunnel during $kind: $line"
		[ "$kind" = acquire ] || continue
		positive "$(val acquires "$line")" || kt_fail "$s: a burst brought no ACQUIRE: $line"
		[ "$(val acquires "$line")" = "$acq_n" ] && [ "$(val distinct "$line")" = "$acq_n" ] ||
			echo "# $s: $(val acquires "$line") ACQUIREs ($(val distinct "$line") distinct)" \
				"for $acq_n destinations: $line" | tee -a "$raw"
	done <<<"$out"
	[ "$(grep -c "^stack=$s test=acquire " "$raw")" = "$acq_runs" ] ||
		kt_fail "$s: not $acq_runs bursts: $out"
}

# acquire_default STACK: one burst in a fresh namespace with the stack's
# defaults (no traffic).
acquire_default() {
	local s=$1 out refused=-
	kt_ns acq
	ip -n acq link add d0 type dummy && ip -n acq link set d0 up &&
		ip -n acq addr add 20.0.0.1/32 dev d0 && ip -n acq route add 10.8.0.0/13 dev d0 ||
		kt_fail "cannot set up namespace acq"
	echo 'spdadd 0.0.0.0/0 10.8.0.0/13 any -P out ipsec esp/transport//require;' |
		ip netns exec acq "$setkey" -c || kt_fail "$s: spdadd in acq failed"
	out=$(ip netns exec acq taskset -c 0 "$prog" acquire -n "$acq_n" 10.8.0.0 2>"$KT_TMP/err") ||
		kt_fail "$s: ctl_scale acquire failed: $out $(head -c 300 "$KT_TMP/err")"
	[ "$s" = kipsec ] && refused=$(ip netns exec acq awk '$1 == "acquire_refused:" { print $2 }' \
		/proc/net/kipsec)
	record "$s" acq-default "${out#turn=acquire run=1 } kernel_refused=$refused"
	positive "$(val acquires "$out")" || kt_fail "$s: no ACQUIRE with the defaults"
	ip netns delete acq
}

: >"$raw"
echo "# kernel $(uname -r), $(nproc) vCPUs, $(awk '/MemTotal/ {print $2 " kB"}' /proc/meminfo);" \
	"stacks: $stacks; DUMP_N=$dump_n DUMP_RUNS=$dump_runs CHURN_RATE=$churn_rate" \
	"CHURN_SECS=$churn_secs CHURN_RUNS=$churn_runs CHURN_POOL=$churn_pool ACQ_N=$acq_n" \
	"ACQ_RUNS=$acq_runs CTL_ALG=$alg CTL_TESTS=\"$tests\"" >>"$raw"
# Warm-up, not recorded: the first ESP SA makes the kernel load esp4 and
# build (and self-test) its transforms.
for s in $stacks; do
	[ "${CTL_WARM:-1}" = 1 ] || break
	load "$s"
	out=$("$prog" fill 100 && "$setkey" -F && "$setkey" -FP) || kt_fail "warm-up on $s failed: $out"
	unload "$s"
done

has() { case " $tests " in *" $1 "*) return 0 ;; esac; return 1; }
for s in $stacks; do
	load "$s"
	if has dump; then
		kt_log "$s: dump at $((SECONDS - start)) s"
		dump_test "$s"
	fi
	if has churn || has acquire; then
		topo
		tunnel "$s"
		traffic_start "$s"
		if has churn; then
			kt_log "$s: churn at $((SECONDS - start)) s"
			churn_test "$s"
		fi
		if has acquire; then
			kt_log "$s: acquire at $((SECONDS - start)) s"
			acquire_test "$s"
		fi
		traffic_stop "$s"
		has acquire && [ "${ACQ_DEFAULT:-1}" = 1 ] && acquire_default "$s"
	fi
	unload "$s"
done
echo "# done in $((SECONDS - start)) s" | tee -a "$raw"
