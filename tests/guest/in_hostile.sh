# SPDX-License-Identifier: BSD-2-Clause
# kt-boot: slub
# kt-timeout: 900
# Hostile inbound packets against kipsec.ko (h1), made by tests/guest/
# hostile.py on h2 and sent through a raw socket (any source address), in a
# slub_debug boot; IPv4 and IPv6. The guest panics on any oops or WARN.
#  1. Nesting: ESP in transport and in tunnel mode, nested with one SA (the
#     attacker holds a NULL/HMAC-SHA1 key), and keyless IPcomp nested in
#     IPcomp, at depths up to what one datagram can carry (fragmented): up
#     to KIPSEC_MAX_DEPTH (6) layers are processed, deeper packets dropped
#     and counted in in_nested.
#  2. A road warrior (C) wraps another peer's (A's) IPcomp layer, keyless,
#     or a bare IP-in-IP, in its own ESP tunnel, around packets from A's
#     network: refused (in_polvio), while A's own packets pass.
#  3. A peer's SA carrying a packet that claims another host's source:
#     refused (in_nosa).
#  4. Forged ICMP "too big" quoting one of h1's ESP packets: the SA's path
#     MTU stays at or above the floor (net.ipv4.route.min_pmtu, 1280 for
#     IPv6), ignores quotes of packets h1 did not send, and expires.
# Every refusal is checked twice: the counter moved, and the ICMP echo
# inside did not reach h1's ICMP layer (InEchos), while the control packets
# did.
. "$KT_TOP/tests/vm/lib.sh"

setkey=$KT_BUILD/bin/setkey
[ -x "$setkey" ] || kt_fail "setkey not built ($setkey)"
kt_load_kipsec
kt_topo_h2h
kt_h2h_neigh6

key=6b6970736563686f7374696c656b657931323334	# 20 bytes, HMAC-SHA1
keya=6b6970736563686f7374696c656b657961616161
keyc=6b6970736563686f7374696c656b657963636363

# One hostile.py on h2 sends every packet (its batch mode): a Python per
# packet cost seconds each under TCG, most of this test's time.
coproc HOSTILE { exec ip netns exec h2 python3 "$KT_TOP/tests/guest/hostile.py" batch 2>&1; }
KT_PIDS+=("$HOSTILE_PID")
# h1's counters are read through /proc/PID/net of a process in h1, without
# an `ip netns exec` (costly under TCG) per read.
ip netns exec h1 sleep infinity &
KT_PIDS+=($!)
h1net=/proc/$!/net
kt_wait_for 10 test "/proc/$!/ns/net" -ef /run/netns/h1 || kt_fail "no process in h1"

# snap FAM COUNTER: h1's COUNTER (kipsec_stat), its ICMP echo requests
# received (InEchos: reached h1's ICMP layer) and ICMP "too big"s received.
snap() {
	awk -v f="ipv$1" -v n="$2" '
		FILENAME ~ /kipsec_stat$/ && $1 == f && $2 == n { c = $3 }
		FILENAME ~ /snmp$/ && $1 == "Icmp:" {
			if (!h) { for (i = 1; i <= NF; i++) col[$i] = i; h = 1 }
			else { e4 = $col["InEchos"]; t4 = $col["InDestUnreachs"] }
		}
		FILENAME ~ /snmp6$/ && $1 == "Icmp6InEchos" { e6 = $2 }
		FILENAME ~ /snmp6$/ && $1 == "Icmp6InPktTooBigs" { t6 = $2 }
		END {
			if (c == "") { print "no counter " f " " n > "/dev/stderr"; exit 1 }
			print c, (f == "ipv4" ? e4 " " t4 : e6 " " t6)
		}' "$h1net/kipsec_stat" "$h1net/snmp" "$h1net/snmp6" ||
		kt_fail "cannot read h1's counters"
}

stat() { snap "$1" "$2" | cut -d' ' -f1; }

# send FAM WHAT...: one packet from h2.
send() {
	local fam=$1 out; shift
	echo "$1 $fam ${*:2}" >&"${HOSTILE[1]}" &&
		read -r -t 120 out <&"${HOSTILE[0]}" || kt_fail "hostile.py did not answer to $*"
	[[ $out = sent* ]] || kt_fail "hostile.py $*: $out"
}

# expect FAM COUNTER DELTA ECHO_DELTA WHAT...: send, then check that
# COUNTER of h1 moved by DELTA and InEchos by ECHO_DELTA. Every case here
# counts the packet once, refused or received, so once either has moved
# h1 is done with it: polled, not a fixed wait.
expect() {
	local fam=$1 ctr=$2 dc=$3 de=$4 c0 e0 c1 e1 t
	shift 4
	read -r c0 e0 _ < <(snap "$fam" "$ctr") || exit 1
	send "$fam" "$@"
	for ((t = 0; t < 100; t++)); do
		read -r c1 e1 _ < <(snap "$fam" "$ctr") || exit 1
		[ $((c1 - c0 + e1 - e0)) -ge $((dc + de)) ] && break
		kt_nap 0.1
	done
	kt_log "ipv$fam $1 ${*:2:8}: $ctr +$((c1 - c0)), InEchos +$((e1 - e0))"
	[ $((c1 - c0)) = "$dc" ] || kt_fail "ipv$fam $*: $ctr moved by $((c1 - c0)), want $dc"
	[ $((e1 - e0)) = "$de" ] || kt_fail "ipv$fam $*: InEchos moved by $((e1 - e0)), want $de"
}

# toobig FAM ARGS...: send an ICMP "too big", wait until h1's ICMP layer
# has counted it (its handlers, kipsec's included, have then run).
toobig() {
	local fam=$1 t0 t1 i; shift
	read -r _ _ t0 < <(snap "$fam" in_nested) || exit 1
	send "$fam" toobig "$@"
	for ((i = 0; i < 100; i++)); do
		read -r _ _ t1 < <(snap "$fam" in_nested) || exit 1
		[ "$t1" -gt "$t0" ] && return 0
		kt_nap 0.1
	done
	kt_fail "ipv$fam: h1 did not count the ICMP too big ($*)"
}

for fam in 4 6; do
	if [ $fam = 4 ]; then
		B=10.1.1.1 P=20.1.1.1 A=20.1.1.2 C=20.1.1.3 X=20.1.1.9
		netA=10.98.0 netC=10.97.0 netT=10.96.0 plen=24 sep=:
		ip -n h1 route add 20.1.1.0/24 dev eth0
		ip -n h1 route add 10.0.0.0/8 via 20.1.1.1 dev eth0 onlink 2>/dev/null
	else
		B=fd00:1::1 P=fd00:2::1 A=fd00:2::2 C=fd00:2::3 X=fd00:2::9
		netA=fd00:98: netC=fd00:97: netT=fd00:96: plen=64 sep=,
		ip -n h1 -6 route add fd00:2::/64 dev eth0
	fi
	pre() { if [ $fam = 4 ]; then echo "$1.0/$plen"; else echo "$1:/$plen"; fi; }
	host() { if [ $fam = 4 ]; then echo "$1.5"; else echo "$1:5"; fi; }
	s=$((fam * 0x100))	# SPI base, one set per family
	cat >"$KT_TMP/h1.conf" <<-EOF
	add $P $B esp $((s + 1)) -m transport -r 32 -E null -A hmac-sha1 0x$key;
	add $P $B esp $((s + 2)) -m tunnel -r 32 -E null -A hmac-sha1 0x$key;
	add $P $B ipcomp $((s + 3)) -C deflate;
	add $A $B esp $((s + 4)) -m tunnel -r 32 -E null -A hmac-sha1 0x$keya;
	add $A $B ipcomp $((s + 5)) -m tunnel -C deflate;
	add $C $B esp $((s + 6)) -m tunnel -r 32 -E null -A hmac-sha1 0x$keyc;
	add $B $P esp $((s + 7)) -m transport -E null -A hmac-sha1 0x$key;
	spdadd $(pre $netT) $B any -P in ipsec esp/tunnel/$P-$B/require;
	spdadd $(pre $netA) $B any -P in ipsec ipcomp/tunnel/$A-$B/use esp/tunnel/$A-$B/require;
	spdadd $(pre $netC) $B any -P in ipsec esp/tunnel/$C-$B/require;
	EOF
	ip netns exec h1 "$setkey" -f "$KT_TMP/h1.conf" || kt_fail "setkey -f failed"

	# 1. Nesting. Transport: no policy, so any depth up to 6 passes.
	seq=1
	for d in 1 6; do
		expect $fam in_nested 0 1 esp-nest $P $B $((s + 1)) $key $d transport $seq
		seq=$((seq + d))
	done
	for d in 7 100 2600; do
		expect $fam in_nested 1 0 esp-nest $P $B $((s + 1)) $key $d transport $seq
		seq=$((seq + 7))
	done
	# Tunnel: the policy wants one ESP tunnel, so a second layer is one
	# too many for it; from 7 layers the nesting limit drops it first.
	tseq=1
	expect $fam in_polvio 0 1 esp-nest $P $B $((s + 2)) $key 1 tunnel $tseq $(host $netT)
	tseq=$((tseq + 1))
	expect $fam in_polvio 1 0 esp-nest $P $B $((s + 2)) $key 2 tunnel $tseq $(host $netT)
	tseq=$((tseq + 2))
	maxt=1400; [ $fam = 6 ] && maxt=800
	for d in 7 $maxt; do
		expect $fam in_nested 1 0 esp-nest $P $B $((s + 2)) $key $d tunnel $tseq $(host $netT)
		tseq=$((tseq + 7))
	done
	# IPcomp needs no key: one layer is decompressed as a tunnel, which
	# no policy allows from P itself; nesting is dropped at 7.
	expect $fam in_polvio 1 0 comp-nest $P $B $((s + 3)) 1
	maxc=2000; [ $fam = 6 ] && maxc=1400
	for d in 7 50 $maxc; do
		expect $fam in_nested 1 0 comp-nest $P $B $((s + 3)) $d
	done

	# 2. A's tunnel with its optional IPcomp passes, compressed or not...
	aseq=1 cseq=1
	expect $fam in_polvio 0 1 wrap \
		"esp$sep$A$sep$B$sep$((s + 4))$sep$keya$sep$aseq" \
		"comp$sep$A$sep$B$sep$((s + 5))" "echo$sep$(host $netA)$sep$B"
	aseq=$((aseq + 1))
	expect $fam in_polvio 0 1 wrap \
		"esp$sep$A$sep$B$sep$((s + 4))$sep$keya$sep$aseq" \
		"ipip$sep$A$sep$B" "echo$sep$(host $netA)$sep$B"
	aseq=$((aseq + 1))
	# ... and so does C's own traffic in C's tunnel,
	expect $fam in_polvio 0 1 wrap \
		"esp$sep$C$sep$B$sep$((s + 6))$sep$keyc$sep$cseq" "echo$sep$(host $netC)$sep$B"
	cseq=$((cseq + 1))
	# but C's tunnel around A's IPcomp layer, or around IP-in-IP from A,
	# with packets from A's network, does not.
	expect $fam in_polvio 1 0 wrap \
		"esp$sep$C$sep$B$sep$((s + 6))$sep$keyc$sep$cseq" \
		"comp$sep$A$sep$B$sep$((s + 5))" "echo$sep$(host $netA)$sep$B"
	cseq=$((cseq + 1))
	expect $fam in_polvio 1 0 wrap \
		"esp$sep$C$sep$B$sep$((s + 6))$sep$keyc$sep$cseq" \
		"ipip$sep$A$sep$B" "echo$sep$(host $netA)$sep$B"
	cseq=$((cseq + 1))
	# Nor does IPcomp alone, without A's ESP.
	expect $fam in_polvio 1 0 wrap \
		"comp$sep$A$sep$B$sep$((s + 5))" "echo$sep$(host $netA)$sep$B"

	# 3. P's transport SA carrying a packet from X.
	expect $fam in_nosa 1 0 esp-nest $X $B $((s + 1)) $key 1 transport $seq
	expect $fam in_nosa 0 1 esp-nest $P $B $((s + 1)) $key 1 transport $seq
	seq=$((seq + 1))
	# ... and A's tunnel SA carrying a packet sent from C.
	expect $fam in_nosa 1 0 wrap \
		"esp$sep$C$sep$B$sep$((s + 4))$sep$keya$sep$aseq" "echo$sep$(host $netA)$sep$B"

	# 4. ICMP "too big" about h1's SA to P (SPI s+7).
	pmtu() { kt_sa_stat "$h1net" $((s + 7)) pmtu; }
	floor=1280
	[ $fam = 4 ] && floor=$(ip netns exec h1 sysctl -n net.ipv4.route.min_pmtu)
	kt_expect_eq "path MTU before any ICMP" 0 "$(pmtu)"
	toobig $fam $P $B $X $P $((s + 7)) 1000
	kt_expect_eq "path MTU from an ICMP quoting a packet h1 did not send" 0 "$(pmtu)"
	toobig $fam $P $B $B $P $((s + 7)) 68
	kt_expect_eq "path MTU after ICMP with MTU 68" "$floor" "$(pmtu)"
	toobig $fam $P $B $B $P $((s + 7)) 1400
	kt_expect_eq "path MTU after a larger one, still valid" "$floor" "$(pmtu)"
	# Long enough for a loaded guest to read it back before it expires.
	if [ $fam = 4 ]; then
		ip netns exec h1 sysctl -qw net.ipv4.route.mtu_expires=6
	else
		ip netns exec h1 sysctl -qw net.ipv6.route.mtu_expires=6
	fi
	toobig $fam $P $B $B $P $((s + 7)) 68
	kt_expect_eq "path MTU after ICMP, short expiry" "$floor" "$(pmtu)"
	kt_wait_for 30 eval '[ "$(pmtu)" = 0 ]' ||
		kt_fail "path MTU did not expire: $(pmtu)"
done
kt_log "in_nested: ipv4 $(stat 4 in_nested), ipv6 $(stat 6 in_nested)"
