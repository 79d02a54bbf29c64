# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 480
# NAT-T, ESP in UDP (RFC 3948), IPv4: the client (cli: kipsec.ko, our setkey,
# esp-udp SAs) sits behind a NAT (nat: iptables MASQUERADE of UDP to port
# 41000) and talks to a server with Linux's native XFRM (srv: ip xfrm, encap
# espinudp, SAs and policies for the NAT's public address). Both ends have
# the key daemon's UDP_ENCAP_ESPINUDP socket on 4500 (natt_sock.py; with
# XFRM bypass policies, which the native side needs, as IKE daemons set). In
# transport mode (policies for all traffic between the two hosts, so
# kipsec's inbound check must let its ESP in UDP through) and in tunnel mode
# (inner addresses on lo):
#  - ping and a TCP transfer both ways;
#  - on the wire, on both sides of the NAT, only UDP with port 4500 (the
#    NAT's side also port 41000), carrying the SAs' SPIs: no clear TCP or
#    ICMP, no bare ESP;
#  - a NAT keepalive (one 0xff byte to 4500) is eaten, an IKE datagram
#    (non-ESP marker) reaches the socket, and neither counts as an error;
#  - ESP in UDP from the NAT's own address is not the SA's peer's (in_nosa);
#  - ESP in UDP with a bad ICV is dropped and counted (in_authfail, the SA's
#    auth), and one from a UDP port that is not the SA's is dropped and
#    counted as invalid;
#  - roles swapped, transport mode: kipsec serves a native client behind the
#    NAT. The client's TCP and UDP checksums cover its own address; with
#    setkey -o (NAT-OA) kipsec fixes them up (RFC 3948 3.1.2) and they pass
#    the stack's check, with a wrong -o they fail it (Udp InCsumErrors).
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/guest/esp_interop.bash"

[ -x "$setkey" ] || kt_fail "setkey not built ($setkey)"
command -v iptables >/dev/null || kt_fail "iptables is not installed (make deps)"
kt_load_kipsec
modprobe aesni_intel 2>/dev/null
# xfrm_user compiles the sockets' bypass policies (IP_XFRM_POLICY).
modprobe xfrm_user || kt_fail "cannot load xfrm_user"
sock=$KT_TOP/tests/guest/natt_sock.py
hostile=$KT_TOP/tests/guest/hostile.py

CLI=192.168.1.2 LAN=192.168.1.1 PUB=203.0.113.1 SRV=203.0.113.2 NATPORT=41000
CVIP=10.99.0.2 SVIP=10.98.0.1

kt_ns cli; kt_ns nat; kt_ns srv
kt_link cli eth0 nat lan0
kt_link nat wan0 srv eth0
kt_addr cli eth0 $CLI/24; kt_addr nat lan0 $LAN/24
kt_addr nat wan0 $PUB/24; kt_addr srv eth0 $SRV/24
kt_addr cli lo $CVIP/32; kt_addr srv lo $SVIP/32
ip -n cli route add default via $LAN
ip -n cli route add $SVIP/32 via $LAN src $CVIP
ip -n srv route add $CVIP/32 via $PUB src $SVIP
ip netns exec nat iptables -t nat -A POSTROUTING -o wan0 -p udp \
	-j MASQUERADE --to-ports $NATPORT || kt_fail "cannot set up the NAT"

for ns in cli srv; do
	ip netns exec $ns python3 "$sock" listen 4500 "$KT_TMP/$ns.sock" \
		2>"$KT_TMP/$ns.sock.err" &
	KT_PIDS+=($!)
done
for ns in cli srv; do
	kt_wait_for 20 test -e "$KT_TMP/$ns.sock" ||
		kt_fail "no UDP_ENCAP socket in $ns: $(cat "$KT_TMP/$ns.sock.err")"
done

ek1=0x$(esp_hex 16) ak1=0x$(esp_hex 32) ek2=0x$(esp_hex 16) ak2=0x$(esp_hex 32)
xalg() { echo "enc cbc(aes) $1 auth-trunc hmac(sha256) $2 128"; }

# setup MODE SPI_OUT SPI_IN: both ends' SAs and policies.
setup() {
	local mode=$1 so=$2 si=$3 sv=$SRV pub=$PUB
	{
		echo "flush; spdflush;"
		echo "add ${CLI}[4500] ${SRV}[4500] esp-udp $so -m $mode -E aes-cbc $ek1 -A hmac-sha2-256 $ak1;"
		echo "add ${SRV}[4500] ${CLI}[4500] esp-udp $si -m $mode -E aes-cbc $ek2 -A hmac-sha2-256 $ak2;"
		if [ $mode = transport ]; then
			echo "spdadd $CLI $SRV any -P out ipsec esp/transport//require;"
			echo "spdadd $SRV $CLI any -P in ipsec esp/transport//require;"
		else
			echo "spdadd $CVIP $SVIP any -P out ipsec esp/tunnel/$CLI-$SRV/require;"
			echo "spdadd $SVIP $CVIP any -P in ipsec esp/tunnel/$SRV-$CLI/require;"
			sv=$SVIP pub=$CVIP
		fi
	} >"$KT_TMP/cli.conf"
	kt_assert ip netns exec cli "$setkey" -f "$KT_TMP/cli.conf"
	ip -n srv xfrm state flush && ip -n srv xfrm policy flush
	# shellcheck disable=SC2046
	kt_assert ip -n srv xfrm state add src $PUB dst $SRV proto esp spi $so \
		mode $mode $(xalg $ek1 $ak1) encap espinudp $NATPORT 4500 0.0.0.0
	# shellcheck disable=SC2046
	kt_assert ip -n srv xfrm state add src $SRV dst $PUB proto esp spi $si \
		mode $mode $(xalg $ek2 $ak2) encap espinudp 4500 $NATPORT 0.0.0.0
	kt_assert ip -n srv xfrm policy add src $sv dst $pub dir out \
		tmpl src $SRV dst $PUB proto esp mode $mode
	kt_assert ip -n srv xfrm policy add src $pub dst $sv dir in \
		tmpl src $PUB dst $SRV proto esp mode $mode
}

count() { tcpdump -n -r "$1" "$2" 2>/dev/null | wc -l; }

# wire FILE SIDE SPI_OUT SPI_IN: only UDP port 4500 carrying both SPIs.
# Later fragments of UDP have no ports: the client's TCP segments are as
# large as the Linux peer's MSS (its route's, not its ESP path's) allows,
# and kipsec fragments what ESP makes of them (docs/dataplane.md).
wire() {
	local f=$1 side=$2 n other='ip and not (udp port 4500) and not (udp and ip[6:2] & 0x1fff != 0)'
	n=$(count "$f" "$other")
	[ "$n" = 0 ] || { tcpdump -n -r "$f" "$other" 2>/dev/null | head -5 >&2
		kt_fail "$side of the NAT: $n IP packets other than UDP port 4500"; }
	for spi in $3 $4; do
		n=$(count "$f" "udp port 4500 and udp[8:4] = $spi")
		[ "$n" -gt 0 ] || kt_fail "$side of the NAT: no ESP in UDP with SPI $spi"
	done
	if [ "$side" = "server side" ]; then
		n=$(count "$f" "udp and host $PUB and port $NATPORT")
		[ "$n" -gt 0 ] || kt_fail "server side of the NAT: nothing to or from $PUB:$NATPORT"
	else
		n=$(count "$f" "udp port $NATPORT")
		[ "$n" = 0 ] || kt_fail "client side of the NAT: port $NATPORT seen"
	fi
}

# attacks SPI_IN: keepalive, IKE, bad ICV, wrong source port, at the client.
attacks() {
	local si=$1 auth inval polvio sa_auth sa_inval spihex
	auth=$(kt_stat cli ipv4 in_authfail) inval=$(kt_stat cli ipv4 in_inval)
	polvio=$(kt_stat cli ipv4 in_polvio)
	sa_auth=$(kt_sa_stat cli $si auth) sa_inval=$(kt_sa_stat cli $si invalid)
	: >"$KT_TMP/cli.sock.want"
	kt_assert ip netns exec nat python3 "$sock" send $CLI 4500 4500 ff
	kt_assert ip netns exec nat python3 "$sock" send $CLI 4500 4500 00000000cafebeef
	kt_wait_for 10 grep -q "00000000cafe" "$KT_TMP/cli.sock" ||
		kt_fail "the IKE datagram did not reach the client's socket"
	grep -qx ff "$KT_TMP/cli.sock" && kt_fail "a NAT keepalive reached the socket"
	kt_expect_eq "in_authfail after keepalive and IKE" "$auth" "$(kt_stat cli ipv4 in_authfail)"
	kt_expect_eq "in_inval after keepalive and IKE" "$inval" "$(kt_stat cli ipv4 in_inval)"
	kt_expect_eq "in_polvio after keepalive and IKE" "$polvio" "$(kt_stat cli ipv4 in_polvio)"

	# SPI, sequence number, IV, two AES blocks, a 128-bit ICV: all junk.
	# From the NAT's own address: not the SA's peer, refused before the
	# ICV is even checked (RFC 4301 5.2).
	spihex=$(printf '%08x' $si)
	nosa=$(kt_stat cli ipv4 in_nosa)
	kt_assert ip netns exec nat python3 "$sock" send $CLI 4500 4500 \
		"${spihex}00000100$(esp_hex 64)"
	kt_wait_for 10 test "$(kt_stat cli ipv4 in_nosa)" = $((nosa + 1)) ||
		kt_fail "ESP in UDP from the NAT itself: in_nosa $(kt_stat cli ipv4 in_nosa), want $((nosa + 1))"
	kt_expect_eq "in_authfail after ESP from the NAT itself" "$auth" "$(kt_stat cli ipv4 in_authfail)"
	# The same claiming to come from the server, as the NAT forwards it.
	# Untracked: its tuple is the reverse of the client's own mapping, and
	# the NAT's conntrack would drop it as a clash.
	kt_assert ip netns exec nat iptables -t raw -I OUTPUT -p udp -d $CLI -j NOTRACK
	kt_assert ip netns exec nat python3 "$hostile" udp 4 $SRV 4500 $CLI 4500 \
		"${spihex}00000100$(esp_hex 64)"
	kt_wait_for 10 test "$(kt_stat cli ipv4 in_authfail)" = $((auth + 1)) ||
		kt_fail "bad ICV: in_authfail $(kt_stat cli ipv4 in_authfail), want $((auth + 1))"
	kt_expect_eq "SA $si auth failures" $((sa_auth + 1)) "$(kt_sa_stat cli $si auth)"
	grep -q "^$spihex" "$KT_TMP/cli.sock" && kt_fail "ESP in UDP reached the socket"

	kt_assert ip netns exec nat python3 "$hostile" udp 4 $SRV 4501 $CLI 4500 \
		"${spihex}00000101$(esp_hex 64)"
	kt_assert ip netns exec nat iptables -t raw -D OUTPUT -p udp -d $CLI -j NOTRACK
	kt_wait_for 10 test "$(kt_sa_stat cli $si invalid)" = $((sa_inval + 1)) ||
		kt_fail "wrong source port: SA $si invalid $(kt_sa_stat cli $si invalid), want $((sa_inval + 1))"
	kt_expect_eq "in_authfail after a wrong port" $((auth + 1)) "$(kt_stat cli ipv4 in_authfail)"
}

run_mode() {
	local mode=$1 so=$2 si=$3 sdst=$SRV cdst=$PUB t0 out
	t0=$(date +%s)
	[ $mode = tunnel ] && sdst=$SVIP cdst=$CVIP
	setup $mode $so $si
	kt_capture_start nat lan0 "$KT_TMP/$mode.lan.pcap"
	lan_pid=$KT_CAPTURE_PID
	kt_capture_start nat wan0 "$KT_TMP/$mode.wan.pcap"
	# The client speaks first: the NAT has no mapping before.
	kt_ping_ok cli $sdst
	kt_ping_ok srv $cdst
	out=$(kt_tcp_ok cli srv $sdst) || exit 1
	kt_log "$mode: TCP client -> server $out MB/s"
	out=$(kt_tcp_ok srv cli $cdst) || exit 1
	kt_log "$mode: TCP server -> client $out MB/s"
	kt_capture_stop
	KT_CAPTURE_PID=$lan_pid kt_capture_stop
	wire "$KT_TMP/$mode.lan.pcap" "client side" $so $si
	wire "$KT_TMP/$mode.wan.pcap" "server side" $so $si
	[ "$(kt_sa_stat cli $so packets)" -gt 0 ] || kt_fail "$mode: SA $so sent nothing"
	[ "$(kt_sa_stat cli $si packets)" -gt 0 ] || kt_fail "$mode: SA $si received nothing"
	attacks $si
	kt_log "$mode: ok in $(($(date +%s) - t0)) s"
}

# udp_errs NS: the namespace's UDP InCsumErrors and NoPorts.
udp_errs() {
	ip netns exec "$1" awk '$1 == "Udp:" && !h { for (i = 2; i <= NF; i++) n[$i] = i; h = 1; next }
		$1 == "Udp:" { print $n["InCsumErrors"], $n["NoPorts"] }' /proc/net/snmp
}

# oa_setup OA: kipsec on srv, NAT-OA OA for the client's SA; native on cli.
oa_setup() {
	local so=0x3001 si=0x3002
	kt_assert ip netns exec cli "$setkey" -F
	kt_assert ip netns exec cli "$setkey" -FP
	ip -n srv xfrm state flush && ip -n srv xfrm policy flush
	ip -n cli xfrm state flush && ip -n cli xfrm policy flush
	kt_assert ip netns exec srv "$setkey" -c <<-EOF
	flush; spdflush;
	add ${PUB}[$NATPORT] ${SRV}[4500] esp-udp $so -m transport -E aes-cbc $ek1 -A hmac-sha2-256 $ak1 -o $1;
	add ${SRV}[4500] ${PUB}[$NATPORT] esp-udp $si -m transport -E aes-cbc $ek2 -A hmac-sha2-256 $ak2;
	spdadd $SRV $PUB any -P out ipsec esp/transport//require;
	spdadd $PUB $SRV any -P in ipsec esp/transport//require;
	EOF
	# shellcheck disable=SC2046
	kt_assert ip -n cli xfrm state add src $CLI dst $SRV proto esp spi $so \
		mode transport $(xalg $ek1 $ak1) encap espinudp 4500 4500 0.0.0.0
	# shellcheck disable=SC2046
	kt_assert ip -n cli xfrm state add src $SRV dst $CLI proto esp spi $si \
		mode transport $(xalg $ek2 $ak2) encap espinudp 4500 4500 0.0.0.0
	kt_assert ip -n cli xfrm policy add src $CLI dst $SRV dir out tmpl proto esp mode transport
	kt_assert ip -n cli xfrm policy add src $SRV dst $CLI dir in tmpl proto esp mode transport
}

# oa_udp WANT_CSUM_ERRORS WANT_NOPORTS: three datagrams from the client to
# a closed port on the server, and how the server's UDP counted them.
oa_udp() {
	local c0 p0 c1 p1 i
	read -r c0 p0 < <(udp_errs srv)
	for i in 1 2 3; do kt_assert ip netns exec cli python3 "$sock" send $SRV 9999 5555 0123456789abcdef; done
	for i in $(seq 50); do
		read -r c1 p1 < <(udp_errs srv)
		[ $((c1 - c0 + p1 - p0)) -ge 3 ] && break
		sleep 0.2
	done
	kt_expect_eq "UDP checksum errors on the server ($2)" "$1" $((c1 - c0))
	kt_expect_eq "UDP datagrams to a closed port on the server ($2)" "$(($1 == 0 ? 3 : 0))" $((p1 - p0))
}

run_mode transport 0x1001 0x2001
run_mode tunnel 0x1002 0x2002

ip netns exec cli "$setkey" -D | grep -q "^$CLI\[4500\] $SRV\[4500\] $" ||
	kt_fail "setkey -D does not show the NAT-T ports: $(ip netns exec cli "$setkey" -D | head -3)"
ip netns exec cli "$setkey" -D | grep -q "esp-udp mode=tunnel" ||
	kt_fail "setkey -D does not show esp-udp"
kt_assert ip netns exec cli "$setkey" -F
kt_assert ip netns exec cli "$setkey" -FP
oa_setup $CLI
kt_ping_ok cli $SRV
out=$(kt_tcp_ok cli srv $SRV) || exit 1
kt_log "NAT-OA: TCP client -> kipsec server $out MB/s"
out=$(kt_tcp_ok srv cli $PUB) || exit 1
kt_log "NAT-OA: TCP kipsec server -> client $out MB/s"
oa_udp 0 "NAT-OA right"
oa_setup 192.168.1.99
kt_ping_ok cli $SRV
oa_udp 3 "NAT-OA wrong"
[ "$(kt_sa_stat srv 0x3001 packets)" -gt 0 ] || kt_fail "NAT-OA: SA 0x3001 on the server received nothing"
kt_log "NAT-OA: checksums fixed up with the right address, refused with a wrong one"
dmesg | grep -E 'BUG|WARNING' && kt_fail "kernel complained"
exit 0
