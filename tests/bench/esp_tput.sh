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

# Test keys (AES-128; HMAC-SHA2-256 takes a 256-bit key; GCM a 128-bit
# key followed by the 32-bit salt).
EKEY=0x00112233445566778899aabbccddeeff
AKEY=0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
GKEY=0x00112233445566778899aabbccddeeffcafebabe

# setkey's and ip xfrm's spelling of each algorithm row. HMAC-SHA2-256 is
# truncated to 128 bits (RFC 4868) natively and by kipsec; af_key can only
# ask for 96, 4 bytes less per packet.
setkey_alg() {
	case $1 in
	null) echo "-E null" ;;
	cbc-sha256) echo "-E aes-cbc $EKEY -A hmac-sha2-256 $AKEY" ;;
	gcm) echo "-E aes-gcm-16 $GKEY" ;;
	ah-sha256) echo "-A hmac-sha2-256 $AKEY" ;;
	*) kt_fail "unknown algorithm row $1" ;;
	esac
}
xfrm_alg() {
	case $1 in
	null) echo "enc ecb(cipher_null) \"\"" ;;
	cbc-sha256) echo "enc cbc(aes) $EKEY auth-trunc hmac(sha256) $AKEY 128" ;;
	gcm) echo "aead rfc4106(gcm(aes)) $GKEY 128" ;;
	ah-sha256) echo "auth-trunc hmac(sha256) $AKEY 128 flag align4" ;;
	*) kt_fail "unknown algorithm row $1" ;;
	esac
}

# The IPsec protocol of an algorithm row. AH rows pad IPv4 AH to 32 bits
# natively too (align4), as kipsec and RFC 4302 do.
proto_of() { case $1 in ah-*) echo ah ;; *) echo esp ;; esac; }

# The namespace prefix of a stack.
pfx() { case $1 in kipsec) echo k ;; native) echo n ;; ipsecif) echo i ;; xfrmif) echo x ;; esac; }

# Is the stack's tunnel an interface (routed) rather than policies?
routed() { case $1 in ipsecif|xfrmif) return 0 ;; esac; return 1; }

# The reqid of ipsec0 and the if_id of xfrm0.
IFID=100

# How a stack's SAs get into the kernel for an algorithm: setkey or ip-xfrm.
via() {
	case $1 in native|xfrmif) echo ip-xfrm; return ;; ipsecif) echo setkey; return ;; esac
	case $kstack/$2 in
	af_key/gcm|af_key/null) echo ip-xfrm ;;
	*) echo setkey ;;
	esac
}

# topo STACK: kt_topo_gw's IPv4 half in namespaces P-left, P-gw1, P-gw2,
# P-right (P: the stack's prefix), with the routed stacks' interfaces, and
# every interface's received packets steered to vCPU 1 (RPS).
topo() {
	local p n
	p=$(pfx "$1")
	for n in left gw1 gw2 right; do kt_ns "$p-$n"; done
	kt_link "$p-left" eth0 "$p-gw1" lan0
	kt_link "$p-gw1" wan0 "$p-gw2" wan0
	kt_link "$p-gw2" lan0 "$p-right" eth0
	kt_addr "$p-left" eth0 10.0.1.2/24; kt_addr "$p-gw1" lan0 10.0.1.1/24
	kt_addr "$p-gw1" wan0 20.0.0.1/24; kt_addr "$p-gw2" wan0 20.0.0.2/24
	kt_addr "$p-gw2" lan0 10.0.2.1/24; kt_addr "$p-right" eth0 10.0.2.2/24
	ip -n "$p-left" route add default via 10.0.1.1
	ip -n "$p-right" route add default via 10.0.2.1
	ip -n "$p-gw1" route add 10.0.2.0/24 via 20.0.0.2
	ip -n "$p-gw2" route add 10.0.1.0/24 via 20.0.0.1
	if routed "$1"; then
		for n in gw1 gw2; do tunnel_if "$1" "$n"; done
	fi
	for n in left gw1 gw2 right; do
		ip netns exec "$p-$n" sh -c 'for q in /sys/class/net/*/queues/rx-*/rps_cpus; do
			case $q in */lo/*) ;; *) echo 2 >"$q" ;; esac; done' ||
			kt_fail "cannot steer $p-$n's packets to vCPU 1 (RPS)"
	done
}

# tunnel_if STACK GW: the gateway's ipsec0 or xfrm0, MTU 1500 (see the top),
# the remote LAN routed into it instead of over the wire.
tunnel_if() {
	local me peer lan rlan ns=$(pfx "$1")-$2 dev
	gw_vars "$2"
	if [ "$1" = ipsecif ]; then
		dev=ipsec0
		ip netns exec "$ns" "$ipsecif" add $dev local $me remote $peer reqid $IFID ||
			kt_fail "$ns: ipsecif add $dev"
	else
		dev=xfrm0
		ip -n "$ns" link add $dev type xfrm dev wan0 if_id $IFID ||
			kt_fail "$ns: ip link add $dev type xfrm"
	fi
	ip -n "$ns" link set $dev mtu 1500 up &&
		ip -n "$ns" route replace "$rlan" dev $dev || kt_fail "$ns: $dev up, route into it"
}

# Each gateway: its own address, the peer's, its LAN and the remote LAN.
# Both hold both SAs: SPI 0x1001 from gw1 to gw2, 0x1002 back.
gw_vars() {
	case $1 in
	gw1) me=20.0.0.1 peer=20.0.0.2 lan=10.0.1.0/24 rlan=10.0.2.0/24 ;;
	gw2) me=20.0.0.2 peer=20.0.0.1 lan=10.0.2.0/24 rlan=10.0.1.0/24 ;;
	esac
}

# setkey_conf STACK GW ALG; ipsecif: SAs with ipsec0's reqid, no SPD.
setkey_conf() {
	local me peer lan rlan alg pr u=
	gw_vars "$2"; alg=$(setkey_alg "$3") pr=$(proto_of "$3")
	[ "$1" = ipsecif ] && u="-u $IFID"
	cat <<-EOF
	add 20.0.0.1 20.0.0.2 $pr 0x1001 -m tunnel $u -r 32 $alg;
	add 20.0.0.2 20.0.0.1 $pr 0x1002 -m tunnel $u -r 32 $alg;
	EOF
	[ "$1" = ipsecif ] && return
	cat <<-EOF
	spdadd $lan $rlan any -P out ipsec $pr/tunnel/$me-$peer/require;
	spdadd $rlan $lan any -P in ipsec $pr/tunnel/$peer-$me/require;
	spdadd $rlan $lan any -P fwd ipsec $pr/tunnel/$peer-$me/require;
	EOF
}

# xfrm_batch STACK GW ALG; xfrmif: SAs and 0.0.0.0/0 policies with
# xfrm0's if_id, which only packets routed into xfrm0 (or arriving on
# its SAs) look up.
xfrm_batch() {
	local me peer lan rlan alg d pr id=
	gw_vars "$2"; alg=$(xfrm_alg "$3") pr=$(proto_of "$3")
	if [ "$1" = xfrmif ]; then lan=0.0.0.0/0 rlan=0.0.0.0/0 id="if_id $IFID"; fi
	echo "xfrm state add src 20.0.0.1 dst 20.0.0.2 proto $pr spi 0x1001 mode tunnel replay-window 32 $id $alg"
	echo "xfrm state add src 20.0.0.2 dst 20.0.0.1 proto $pr spi 0x1002 mode tunnel replay-window 32 $id $alg"
	echo "xfrm policy add src $lan dst $rlan dir out tmpl src $me dst $peer proto $pr mode tunnel level required $id"
	for d in in fwd; do
		echo "xfrm policy add src $rlan dst $lan dir $d tmpl src $peer dst $me proto $pr mode tunnel level required $id"
	done
}

# applies STACK ALG: false for the rows a stack has no column in (the
# interfaces carry no AH).
applies() { ! routed "$1" || [ "$(proto_of "$2")" = esp ]; }

# configure STACK ALG: SAs and policies on both of the stack's gateways.
# Returns 1 with the reason in $why if the kernel refuses.
configure() {
	local gw ns p
	p=$(pfx "$1")
	for gw in gw1 gw2; do
		ns=$p-$gw
		if [ "$(via "$1" "$2")" = setkey ]; then
			setkey_conf "$1" $gw "$2" >"$KT_TMP/$ns.conf"
			why=$(ip netns exec "$ns" "$setkey" -f "$KT_TMP/$ns.conf" 2>&1) || return 1
		else
			why=$(xfrm_batch "$1" $gw "$2" | ip -n "$ns" -batch - 2>&1) || return 1
		fi
	done
}

unconfigure() {
	local gw ns p
	p=$(pfx "$1")
	for gw in gw1 gw2; do
		ns=$p-$gw
		if [ "$(via "$1" "$2")" = setkey ]; then
			ip netns exec "$ns" "$setkey" -F && ip netns exec "$ns" "$setkey" -FP ||
				kt_fail "setkey flush on $ns failed"
		fi
		ip -n "$ns" xfrm state flush; ip -n "$ns" xfrm policy flush
	done
}

# check_wire STACK...: ping left -> right in each stack's topology,
# watching what gw1 sends on its WAN link: only ESP with our SPI may leave.
# (-Q out: decapsulated packets are re-injected on the receiving device, so
# a capture of both directions would show them as if they had been on the
# wire.) The first AES-GCM SA takes seconds before packets pass, hence the
# retries. Records a failure for each stack that does not pass.
check_wire() {
	local s p f esp clear i ok pids=()
	for s in "$@"; do
		p=$(pfx "$s")
		kt_capture_start "$p-gw1" wan0 "$KT_TMP/$p-wire.pcap" -Q out
		pids+=("$KT_CAPTURE_PID")
	done
	for s in "$@"; do
		p=$(pfx "$s") ok=0
		for i in 1 2 3 4 5; do kt_ping "$p-left" 10.0.2.2 >/dev/null 2>&1 && { ok=1; break; }; done
		[ $ok = 1 ] && KT_PING_COUNT=3 kt_ping "$p-left" 10.0.2.2 >/dev/null 2>&1
		eval "ping_ok_$p=$ok"
	done
	sleep 1		# the last packets reach the files
	for i in "${pids[@]}"; do kill -INT "$i" 2>/dev/null; wait "$i" 2>/dev/null; done
	for s in "$@"; do
		p=$(pfx "$s") f=$KT_TMP/$(pfx "$s")-wire.pcap why=
		read -r esp clear < <(tcpdump -n -r "$f" 2>/dev/null | awk '
			/ (ESP|AH)\(spi=0x00001001,/ { e++ }
			/ IP6? / && !/ (ESP|AH)\(/ { c++ }
			END { print e + 0, c + 0 }')
		eval "ok=\$ping_ok_$p"
		if [ "$ok" = 0 ]; then why="ping left -> right fails"
		elif [ "$clear" != 0 ]; then why="$clear cleartext IP packets left gw1"
		elif [ "$esp" = 0 ]; then why="no ESP or AH packet with SPI 0x1001 left gw1"
		fi
		if [ -n "$why" ]; then
			echo "# FAIL stack=$s alg=$a: $why" | tee -a "$raw"
			failed="$failed $s/$a"
		fi
	done
}

# mark NAME: tell tests/bench/vcpu_clock.py on the host to note how much
# host CPU time each vCPU has had so far: the table divides each rate by
# vCPU 1's share of a host CPU, which other guests on this machine reduce.
mark() { : >"$KT_OUT/marks/$1"; }

# udp ALG SIZE: every stack still standing, ESP_RUNS turns each, taking
# turns inside one udp_window process (labels STACK-ALG-udpSIZE).
udp() {
	local s specs=() line label rc
	for s in $stacks; do
		ok "$s" "$1" && specs+=("$s-$1-udp$2:$(pfx "$s")-left:$(pfx "$s")-right")
	done
	[ ${#specs[@]} -gt 0 ] || return 0
	timeout $((runs * ${#specs[@]} * (secs + 2) + 60)) "$udp_window" -a 10.0.2.2 -l "$2" \
		-t "$secs" -r "$runs" -W 300 -w "$window" -c 0 -m "$KT_OUT/marks" "${specs[@]}" \
		2>"$KT_TMP/udp.err" |
	while read -r line; do
		label=${line#label=}; label=${label%% *}; s=${label%%-*}
		run=${line#* run=}; run=${run%% *}
		echo "stack=$s via=$(via "$s" "$1") alg=$1 proto=udp id=$label-r$run $line" \
			"t=$((SECONDS - start))" | tee -a "$raw"
	done
	rc=${PIPESTATUS[0]}
	[ "$rc" = 0 ] && return 0
	echo "# FAIL alg=$1 size=$2: udp_window exited $rc:" \
		"$(head -c 300 "$KT_TMP/udp.err" | tr '\n' ' ')" | tee -a "$raw"
	for s in $stacks; do failed="$failed $s/$1"; done
}

# tcp STACK ALG RUN: one iperf3 run against the stack's iperf3 server;
# the client's JSON (with the receiver's byte count) in $jdir/ID.cli.json.
tcp() {
	local p id crc
	p=$(pfx "$1"); id=$1-$2-tcp-r$3
	mark "$id.begin"
	# -w: at most ~180 segments in flight, well below the backlog queue,
	# for the same reason as udp_window's window.
	timeout 60 ip netns exec "$p-left" iperf3 -c 10.0.2.2 -A 0 -J -t "$tcp_secs" -w 256K \
		>"$jdir/$id.cli.json" 2>&1
	crc=$?
	mark "$id.end"
	if [ $crc != 0 ]; then
		echo "# FAIL stack=$1 alg=$2 tcp run=$3: iperf3 exited $crc:" \
			"$(grep -h '"error"' "$jdir/$id.cli.json" | head -2)" | tee -a "$raw"
		failed="$failed $1/$2"
		return
	fi
	echo "stack=$1 via=$(via "$1" "$2") alg=$2 proto=tcp size=tcp run=$3 id=$id json=esp/$id" \
		"t=$((SECONDS - start))" | tee -a "$raw"
}
listening() { ip netns exec "$1" ss -Hltn 'sport = :5201' | grep -q .; }

ok() { case " $failed $skipped " in *" $1/$2 "*) return 1 ;; esac; }
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
