#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Guest side of `tests/bench/run esp_tput`: ESP tunnel throughput, kipsec
# against Linux's native XFRM, interleaved in this one boot.
#
# Topology: kt_topo_gw's, twice: k-left, k-gw1, k-gw2, k-right for the
# kipsec stack and n-left ... n-right for native XFRM, with the same
# addresses, SPIs, keys and policies. Traffic runs from left (10.0.1.2) to
# right (10.0.2.2); the gateways protect 10.0.1.0/24 <-> 10.0.2.0/24 with
# one ESP tunnel-mode SA pair between 20.0.0.1 and 20.0.0.2 (replay window
# 32), so packets are encrypted on gw1's forward path and decrypted on
# gw2's. Policies: out, in and fwd on each gateway.
#
#   kipsec  column: our setkey (build/bin/setkey -f) over the PF_KEY
#           implementation named by KT_STACK: kipsec (kipsec.ko, default)
#           or afkey (also af_key: Linux's PF_KEY over XFRM, a stand-in
#           that validates the method, since both columns then share one
#           data plane).
#   native  column: Linux XFRM configured with `ip xfrm`.
# Two more stacks carry the same tunnel (SPIs, keys, replay window) routed
# instead of selected by policies (issue 18), in namespaces i-* and x-*:
#   ipsecif column: kipsec's ipsec0 (build/bin/ipsecif, reqid 100), the
#           SAs from setkey with `-u 100`, no SPD entry at all, and the
#           remote LAN routed into ipsec0.
#   xfrmif  column: a Linux XFRM interface (`ip link add xfrm0 type xfrm
#           dev wan0 if_id 100`), the SAs and 0.0.0.0/0 policies (out, in,
#           fwd) with if_id 100, the remote LAN routed into xfrm0.
# Both interfaces get MTU 1500, as xfrm0 has by default: ipsec0's default
# (1399) leaves room for any SA, and would fragment the 1400-byte rows that
# fit the other stacks' tunnels; the SA's own overhead is checked against
# the path either way. Interfaces carry ESP only, so the AH row has no
# ipsecif or xfrmif column (noted in raw.txt, not a failure). They are
# not in the default BENCH_STACKS (they double the run's length):
# BENCH_STACKS="kipsec native ipsecif xfrmif" runs all four in turn.
# Both are configured at once, each in its own namespaces (kipsec's SAD and
# SPD are per namespace), so the measurements can alternate every few
# seconds at no cost and both stacks see the same load from the rest of the
# machine. The price: with KT_STACK=kipsec, kipsec.ko's hooks are loaded
# while native XFRM is measured (and find nothing to do in its namespaces).
# af_key cannot carry two of the rows: it has no AEAD (AES-GCM), and it
# wants a KEY_ENCRYPT extension even for null encryption, which our setkey
# does not send. With KT_STACK=afkey those rows are configured with
# `ip xfrm` on both sides (an A/A run: the ratio shows the noise) and are
# recorded with via=ip-xfrm.
#
# UDP: build/bench/udp_window (tests/bench/udp_window.c) counts packets at
# the receiver and keeps at most ESP_WINDOW packets in flight: per size one
# process drives both topologies in turn, ESP_RUNS turns of ESP_SECS s each
# (after 0.3 s unmeasured), the order reversed every other run. Short turns
# and many of them: how much a second of vCPU time achieves on this machine
# shifts by up to 30 % from one moment to the next (other tenants of the
# host), and the table's paired ratios compare turns that were neighbours.
# TCP: iperf3, one stream for ESP_TCP_SECS s, 256 KB socket buffers,
# ESP_TCP_RUNS runs per stack, alternating.
# Two vCPUs, two jobs: the senders and receivers run on vCPU 0, and RPS on
# every veth hands each received packet to vCPU 1, which therefore does all
# of the forwarding, encryption and decryption in softirq, and nothing else.
# The window keeps vCPU 1 busy without overrunning its backlog queue: an
# open-loop flood (iperf3 -u -b 0) overruns it, and since every veth hop
# shares that queue, fresh packets crowd out ones already encrypted; most
# of the work is then thrown away and the rate follows the scheduler (we
# measured A/A ratios of 0.6 to 1.8 that way). So the UDP rate is
# 1 / (vCPU 1's cost per packet): the engine's own cost, plus forwarding.
#
# Writes $KT_OUT/raw.txt (one line per measurement), the iperf3 JSON under
# $KT_OUT/esp/ and marks under $KT_OUT/marks/ (for tests/bench/vcpu_clock.py
# on the host); tests/bench/esp_tput_table.py makes the table.
# Environment (defaults): KT_STACK (kipsec), BENCH_STACKS (kipsec native;
# also ipsecif, xfrmif),
# ESP_ALGS (null cbc-sha256 gcm ah-sha256; the last an AH tunnel with
# HMAC-SHA2-256), ESP_SIZES (64 512 1400), ESP_RUNS (8), ESP_SECS (1),
# ESP_WINDOW (128), ESP_TCP_RUNS (3; 0: no TCP), ESP_TCP_SECS (3),
# ESP_BUDGET (360 s per stack).
. "$KT_TOP/tests/vm/lib.sh"

kstack=${KT_STACK:-kipsec}
stacks=${BENCH_STACKS:-kipsec native}
algs=${ESP_ALGS:-null cbc-sha256 gcm ah-sha256}
sizes=${ESP_SIZES:-64 512 1400}
runs=${ESP_RUNS:-8}
secs=${ESP_SECS:-1}
window=${ESP_WINDOW:-128}
tcp_runs=${ESP_TCP_RUNS:-3}
tcp_secs=${ESP_TCP_SECS:-3}
budget=${ESP_BUDGET:-$((360 * $(echo $stacks | wc -w)))}
setkey=$KT_BUILD/bin/setkey
ipsecif=$KT_BUILD/bin/ipsecif
udp_window=$KT_BUILD/bench/udp_window
raw=$KT_OUT/raw.txt
jdir=$KT_OUT/esp
start=$SECONDS

case $kstack in
kipsec) ;;
afkey|af_key) kstack=af_key ;;	# tests/vm/lib.sh spells it afkey
*) kt_fail "KT_STACK must be kipsec or afkey (af_key), not $kstack" ;;
esac
for s in $stacks; do
	case $s in kipsec|native|ipsecif|xfrmif) ;; *) kt_fail "BENCH_STACKS: unknown stack $s" ;; esac
done
[ -x "$setkey" ] || kt_fail "$setkey missing: run make"
if echo " $stacks " | grep -q ' ipsecif '; then
	[ "$kstack" = kipsec ] || kt_fail "BENCH_STACKS: ipsecif needs kipsec.ko, not KT_STACK=$kstack"
	[ -x "$ipsecif" ] || kt_fail "$ipsecif missing: run make"
fi
[ -x "$udp_window" ] || kt_fail "$udp_window missing: tests/bench/run builds it"
mkdir -p "$jdir" "$KT_OUT/marks"
# Room for iperf3 -w 256K (net.core.rmem_max is not per namespace).
sysctl -qw net.core.rmem_max=4194304 net.core.wmem_max=4194304


. "$KT_TOP/tests/bench/esp_lib.sh"

# over_budget WHAT: true once the algorithm row's share of ESP_BUDGET (what
# is left, split evenly between the rows still to come) is spent; says so
# once per row.
over_budget() {
	[ "$SECONDS" -gt "$deadline" ] || return 1
	[ "$over" = "$a" ] && return 0
	over=$a
	echo "# time for $a spent (budget ${budget}s): skipped $* and the rest of $a" | tee -a "$raw"
}
# in_turn RUN: the stacks, in reverse order every other run, so drift and
# warm-up hit both alike.
in_turn() {
	if [ $(($1 % 2)) = 1 ]; then echo $stacks; else echo $stacks | tr ' ' '\n' | tac | tr '\n' ' '; fi
}

failed='' skipped='' over=''
: >"$raw"
echo "# kernel $(uname -r), $(nproc) vCPUs; KT_STACK=$kstack; stacks: $stacks" >>"$raw"
echo "# udp_window ${runs}x${secs}s per stack and size, window $window;" \
	"iperf3 tcp ${tcp_runs}x${tcp_secs}s; senders and receivers on vCPU 0," \
	"packets (RPS) on vCPU 1; stacks alternate" >>"$raw"
if echo " $stacks " | grep -Eq ' (kipsec|ipsecif) '; then
	case $kstack in
	kipsec) kt_load_kipsec ;;
	af_key) modprobe af_key && kt_module_loaded af_key || kt_fail "cannot load af_key" ;;
	esac
fi
for s in $stacks; do
	p=$(pfx $s)
	topo $s
	ip netns exec $p-right iperf3 -s -D -A 0 || kt_fail "cannot start iperf3 -s in $p-right"
done
for s in $stacks; do
	kt_wait_for 20 listening "$(pfx $s)-right" || kt_fail "iperf3 -s in $(pfx $s)-right is not listening"
done
echo "# topology up at $((SECONDS - start)) s" >>"$raw"

nalgs=$(echo $algs | wc -w)
for a in $algs; do
	deadline=$((SECONDS + (start + budget - SECONDS) / nalgs))
	nalgs=$((nalgs - 1))
	configured=()
	for s in $stacks; do
		if ! applies "$s" "$a"; then
			echo "# $s: no $a row (interfaces carry ESP only)" >>"$raw"
			skipped="$skipped $s/$a"
		elif configure "$s" "$a"; then
			configured+=("$s")
		else
			echo "# FAIL stack=$s alg=$a: configuration refused: $why" | tee -a "$raw"
			failed="$failed $s/$a"
		fi
	done
	[ ${#configured[@]} = 0 ] || check_wire "${configured[@]}"
	# Warm-up, not recorded: ARP, routes, the pages of the programs.
	specs=()
	for s in $stacks; do ok "$s" "$a" && specs+=("w$s:$(pfx "$s")-left:$(pfx "$s")-right"); done
	[ ${#specs[@]} = 0 ] || "$udp_window" -a 10.0.2.2 -t 1 -W 200 "${specs[@]}" >/dev/null 2>&1
	echo "# $a: configured and checked at $((SECONDS - start)) s" >>"$raw"
	for sz in $sizes; do
		over_budget "$a $sz" && continue
		udp "$a" "$sz"
	done
	for r in $(seq "$tcp_runs"); do
		for s in $(in_turn "$r"); do
			ok "$s" "$a" || continue
			over_budget "$s $a tcp run $r" && continue
			tcp "$s" "$a" "$r"
		done
	done
	for s in $stacks; do applies "$s" "$a" && unconfigure "$s" "$a"; done
done
echo "# crypto drivers: $(awk '$1 == "driver" {print $3}' /proc/crypto |
	grep -E 'gcm|cbc|sha256|null' | sort -u | tr '\n' ' ')" >>"$raw"
echo "# done in $((SECONDS - start)) s" | tee -a "$raw"
[ -z "$failed" ] || { echo "FAIL:$(echo $failed | tr ' ' '\n' | sort -u | tr '\n' ' ')"; exit 1; }
