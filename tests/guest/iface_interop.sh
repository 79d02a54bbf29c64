# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 240
# Route-based tunnels (issue 18) against other ends.
# 1. Interop: gw1's kipsec ipsec0 (ipsecif, setkey SAs with a reqid, no
#    SPD) against gw2's Linux XFRM interface xfrm0 (if_id 42, states and
#    0.0.0.0/0 and ::/0 policies from `ip xfrm`). Pings both ways, IPv4 and
#    IPv6 inner, a TCP transfer; only ESP on the wire, with the configured
#    SPIs; ipsec0's and xfrm0's counters count the pings.
# 2. Overlapping subnets: gw3, a kipsec peer, hides 10.0.2.0/24 too (host
#    "far", the same 10.0.2.2 as "right" behind gw2). gw1 has ipsec1 to
#    gw3 and tells the two apart by policy routing: from left (10.0.1.0/24)
#    table 100 into ipsec0, from left2 (10.0.3.0/24) table 200 into ipsec1.
#    Each client reaches only its own 10.0.2.2: the counters of its
#    tunnel's interfaces alone move, and an address only its host has
#    answers while the other host's does not.
. "$KT_TOP/tests/vm/lib.sh"

setkey=$KT_BUILD/bin/setkey
ipsecif=$KT_BUILD/bin/ipsecif
[ -x "$setkey" ] && [ -x "$ipsecif" ] || kt_fail "setkey or ipsecif not built"
kt_load_kipsec
kt_topo_gw wire

# nsb NS: the ip commands on stdin, in NS, in one process (each process
# costs tenths of a second under TCG).
nsb() {
	ip -n "$1" -batch - 2>"$KT_TMP/batch.err" || kt_fail "$1: $(cat "$KT_TMP/batch.err")"
}
# The counters that must move, or not: gw1 ipsec0 tx rx, gw1 ipsec1 tx rx,
# gw2 xfrm0 rx tx, gw3 ipsec0 rx tx (packets).
counters() {
	local s=/sys/class/net s2=statistics
	{ ip netns exec gw1 cat $s/ipsec0/$s2/tx_packets $s/ipsec0/$s2/rx_packets \
		$s/ipsec1/$s2/tx_packets $s/ipsec1/$s2/rx_packets &&
		ip netns exec gw2 cat $s/xfrm0/$s2/rx_packets $s/xfrm0/$s2/tx_packets &&
		ip netns exec gw3 cat $s/ipsec0/$s2/rx_packets $s/ipsec0/$s2/tx_packets; } |
		tr '\n' ' '
}
# delta BEFORE AFTER: the difference, field by field.
delta() {
	local -a a=($1) b=($2)
	local i out=()
	for i in "${!a[@]}"; do out+=($((b[i] - a[i]))); done
	echo "${out[*]}"
}

# gw3 on the same wire (20.0.0.3), far behind it with right's addresses;
# left2 behind gw1 on a second LAN. Each host also has an address of its
# own (.20 right, .30 far) to tell who answers.
for n in gw3 far left2; do kt_ns $n; done
ip -batch - <<EOF || kt_fail "cannot create the links"
link add wan0 netns gw3 type veth peer name gw3-wan0 netns wire
link add lan0 netns gw3 type veth peer name eth0 netns far
link add lan1 netns gw1 type veth peer name eth0 netns left2
EOF
nsb wire <<EOF
link set gw3-wan0 master br0
link set gw3-wan0 up
EOF
nsb gw3 <<EOF
link set wan0 up
link set lan0 up
addr add 20.0.0.3/24 dev wan0
addr add 10.0.2.1/24 dev lan0
EOF
nsb far <<EOF
link set eth0 up
addr add 10.0.2.2/24 dev eth0
addr add 10.0.2.30/24 dev eth0
route add default via 10.0.2.1
EOF
nsb left2 <<EOF
link set eth0 up
addr add 10.0.3.2/24 dev eth0
route add default via 10.0.3.1
EOF
kt_addr right eth0 10.0.2.20/24

# gw1: ipsec0 to gw2 (reqid 100), ipsec1 to gw3 (reqid 300), no SPD; gw3
# the mirror of ipsec1. The interfaces get no IPv6 link-local address:
# nothing but the test's packets goes through them, the counters are exact.
kt_assert ip netns exec gw1 "$ipsecif" add ipsec0 local 20.0.0.1 remote 20.0.0.2 reqid 100
kt_assert ip netns exec gw1 "$ipsecif" add ipsec1 local 20.0.0.1 remote 20.0.0.3 reqid 300
kt_assert ip netns exec gw3 "$ipsecif" add ipsec0 local 20.0.0.3 remote 20.0.0.1 reqid 300
keys=$(od -An -v -N144 -tx1 /dev/urandom)
keys=${keys//[$' \n']/}
k12=0x${keys:0:32} a12=0x${keys:32:64} k21=0x${keys:96:32} a21=0x${keys:128:64}
k13=0x${keys:192:32} a13=0x${keys:224:64}
sa() { echo "add $1 $2 esp $3 -m tunnel -u $4 -E aes-cbc $5 -A hmac-sha2-256 $6;"; }
{
	sa 20.0.0.1 20.0.0.2 0x1001 100 "$k12" "$a12"
	sa 20.0.0.2 20.0.0.1 0x1002 100 "$k21" "$a21"
	sa 20.0.0.1 20.0.0.3 0x3001 300 "$k13" "$a13"
	sa 20.0.0.3 20.0.0.1 0x3002 300 "$k13" "$a13"
} | ip netns exec gw1 "$setkey" -c >/dev/null || kt_fail "gw1: SAs"
{
	sa 20.0.0.1 20.0.0.3 0x3001 300 "$k13" "$a13"
	sa 20.0.0.3 20.0.0.1 0x3002 300 "$k13" "$a13"
} | ip netns exec gw3 "$setkey" -c >/dev/null || kt_fail "gw3: SAs"
# Policy routing on gw1 picks the tunnel by the client's LAN; IPv6 (left
# only) in the main table. No clear route between the LANs is left. Strict
# reverse-path filtering, as docs/ipsec-interfaces.md says it works.
ip netns exec gw1 sysctl -qw net.ipv4.conf.all.rp_filter=1 || kt_fail "gw1: rp_filter"
nsb gw1 <<EOF
link set lan1 up
addr add 10.0.3.1/24 dev lan1
route del 10.0.2.0/24
route del fd00:b::/64
link set ipsec0 addrgenmode none
link set ipsec1 addrgenmode none
link set ipsec0 up
link set ipsec1 up
route add 10.0.2.0/24 dev ipsec0 table 100
route add 10.0.2.0/24 dev ipsec1 table 200
rule add from 10.0.1.0/24 lookup 100 pref 100
rule add from 10.0.3.0/24 lookup 200 pref 200
route add fd00:b::/64 dev ipsec0
EOF
nsb gw3 <<EOF
link set ipsec0 addrgenmode none
link set ipsec0 up
route add 10.0.3.0/24 dev ipsec0
EOF

# gw2: native XFRM with an xfrm interface. The SAs carry the if_id (and
# af-unspec, for IPv6 inside IPv4); the policies cover everything, but
# only for packets routed into xfrm0 or decrypted by its SAs (if_id 42).
# Its MTU as ipsec0's: XFRM's default (wan0's 1500) leaves no room for
# ESP, and full-size packets would be dropped for PMTU discovery first.
xalg() { echo "enc \"cbc(aes)\" $1 auth-trunc \"hmac(sha256)\" $2 128"; }
{
	echo "route del 10.0.1.0/24"
	echo "route del fd00:a::/64"
	echo "link add xfrm0 mtu 1399 type xfrm dev wan0 if_id 42"
	echo "link set xfrm0 addrgenmode none"
	echo "link set xfrm0 up"
	echo "xfrm state add src 20.0.0.2 dst 20.0.0.1 proto esp spi 0x1002 mode tunnel if_id 42 flag af-unspec $(xalg "$k21" "$a21")"
	echo "xfrm state add src 20.0.0.1 dst 20.0.0.2 proto esp spi 0x1001 mode tunnel if_id 42 flag af-unspec replay-window 32 $(xalg "$k12" "$a12")"
	for any in 0.0.0.0/0 ::/0; do
		echo "xfrm policy add src $any dst $any dir out if_id 42 tmpl src 20.0.0.2 dst 20.0.0.1 proto esp mode tunnel"
		echo "xfrm policy add src $any dst $any dir in if_id 42 tmpl src 20.0.0.1 dst 20.0.0.2 proto esp mode tunnel"
		echo "xfrm policy add src $any dst $any dir fwd if_id 42 tmpl src 20.0.0.1 dst 20.0.0.2 proto esp mode tunnel"
	done
	echo "route add 10.0.1.0/24 dev xfrm0"
	echo "route add fd00:a::/64 dev xfrm0"
} | nsb gw2

# 1. kipsec ipsec0 <-> XFRM xfrm0.
kt_capture_start wire gw1-wan0 "$KT_TMP/wire.pcap"
kt_ping_ok left 10.0.2.2; kt_ping_ok right 10.0.1.2
kt_ping_ok left fd00:b::2; kt_ping_ok right fd00:a::2
echo "# TCP right -> left, xfrm0 to ipsec0: $(kt_tcp_ok right left 10.0.1.2 131072) MB/s"

before=$(counters)
KT_PING_COUNT=5 kt_ping_ok left 10.0.2.2
kt_expect_eq "5 pings left -> right: gw1 ipsec0 tx rx, ipsec1 tx rx, gw2 xfrm0 rx tx, gw3 ipsec0 rx tx" \
	"5 5 0 0 5 5 0 0" "$(delta "$before" "$(counters)")"
ip -n gw2 -s link show xfrm0

# 2. The same 10.0.2.2 behind gw3: left2's traffic goes to far through ipsec1.
before=$(counters)
KT_PING_COUNT=5 kt_ping_ok left2 10.0.2.2
kt_expect_eq "5 pings left2 -> far: gw1 ipsec0 tx rx, ipsec1 tx rx, gw2 xfrm0 rx tx, gw3 ipsec0 rx tx" \
	"0 0 5 5 0 0 5 5" "$(delta "$before" "$(counters)")"
kt_ping_ok left 10.0.2.20; kt_ping_fails left 10.0.2.30
kt_ping_ok left2 10.0.2.30; kt_ping_fails left2 10.0.2.20
kt_capture_stop

# Only ESP on the wire, with the four configured SPIs and no other.
python3 "$KT_TOP/tests/guest/esp_pcap.py" "$KT_TMP/wire.pcap" >"$KT_TMP/seen" ||
	kt_fail "cannot read the capture"
spis=$(awk '$1 == "esp" && $3 > 0 { print $2 }' "$KT_TMP/seen" | sort | tr '\n' ' ')
kt_expect_eq "SPIs on the wire" "0x00001001 0x00001002 0x00003001 0x00003002 " "$spis"
grep -q '^clear 0$' "$KT_TMP/seen" || kt_fail "clear traffic on the wire: $(cat "$KT_TMP/seen")"
other=$(tcpdump -nr "$KT_TMP/wire.pcap" 'not esp and not arp and not ip6 multicast and not (icmp6 and ip6[40] >= 133 and ip6[40] <= 136)' 2>/dev/null)
[ -z "$other" ] || kt_fail "not ESP on the wire: $(echo "$other" | head -5)"
echo "# wire: $(tr '\n' ' ' <"$KT_TMP/seen")"
