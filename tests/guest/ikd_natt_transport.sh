# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 360
# ikd behind a NAT in TRANSPORT mode (RFC 7296 2.23.1, RFC 3948): cli
# (ikd on kipsec.ko, `nat_traversal on`, setkey `require` transport
# policies from its private address to each server) sits behind an
# iptables MASQUERADE in nat that maps UDP to port 41000; behind it srv1
# with strongSwan's charon on native XFRM (a mode=transport child with
# dynamic selectors) and srv2 with ikd on kipsec.ko (passive,
# `generate_policy on`, no policies of its own). Per server:
#  - cli's first ping makes ikd negotiate; each server takes cli's
#    private address in TSi for the NAT's public one (2.23.1) and answers
#    with it; cli takes that back for its own (logged); the SAs carry
#    ESP in UDP in transport mode, between the real outer addresses;
#  - srv2 gives its inbound SA cli's private address as NAT-OA, so that
#    kipsec.ko fixes the TCP checksums rather than skipping them: srv2's
#    TCP InCsumErrors stay 0;
#  - a TCP transfer of 1.5 MiB (cli's egress held to 1 Mbit/s by tbf, so
#    it lasts ~13 s) runs while the NAT's mapping changes: the MASQUERADE
#    rule gets another port and conntrack is flushed once a quarter of it
#    is across; cli's next liveness check (dpd_delay 3) moves the server
#    there and the transfer completes, the data intact (cmp); the
#    retransmissions are printed;
#  - on the NAT's outside wire: only UDP 500/4500 (natt_wire.py: no bare
#    ESP, no clear TCP), ESP in UDP from the old port and the new one.
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/vm/ike.sh"
. "$KT_TOP/tests/guest/ikd.bash"

setkey=$KT_BUILD/bin/setkey
wire=$KT_TOP/tests/guest/natt_wire.py
xfer=$KT_TOP/tests/guest/tcpxfer.py
command -v iptables >/dev/null || kt_fail "iptables is not installed (make deps)"
command -v conntrack >/dev/null || kt_fail "conntrack is not installed (make deps)"
command -v tc >/dev/null || kt_fail "tc is not installed (iproute2)"
kt_load_kipsec
modprobe aesni_intel 2>/dev/null
modprobe -a authenc cbc hmac sha256_generic sch_tbf 2>/dev/null
PSK="kipsec ikd-natt-transport $RANDOM$RANDOM"

CLI=192.168.1.2 LAN=192.168.1.1
PUB1=203.0.113.1 SRV1=203.0.113.2 PUB2=198.51.100.1 SRV2=198.51.100.2

kt_ns cli; kt_ns nat; kt_ns srv1; kt_ns srv2
kt_link cli eth0 nat lan0
kt_link nat wan1 srv1 eth0
kt_link nat wan2 srv2 eth0
kt_addr cli eth0 $CLI/24; kt_addr nat lan0 $LAN/24
kt_addr nat wan1 $PUB1/24; kt_addr srv1 eth0 $SRV1/24
kt_addr nat wan2 $PUB2/24; kt_addr srv2 eth0 $SRV2/24
ip -n cli route add default via $LAN
tc -n cli qdisc add dev eth0 root tbf rate 1mbit burst 16kb latency 1s ||
	kt_fail "cannot limit cli's rate with tbf"
natport() {
	# shellcheck disable=SC2046
	ip netns exec nat iptables -t nat "$1" POSTROUTING $([ "$1" = -R ] && echo 1) \
		-o wan+ -p udp -j MASQUERADE --to-ports "$2" || kt_fail "cannot set the NAT's rule"
}
natport -A 41000

# cli: host-to-host transport policies from its private address.
ip netns exec cli "$setkey" -c <<EOF || kt_fail "setkey on cli failed"
spdadd $CLI $SRV1 any -P out ipsec esp/transport//require;
spdadd $SRV1 $CLI any -P in ipsec esp/transport//require;
spdadd $CLI $SRV2 any -P out ipsec esp/transport//require;
spdadd $SRV2 $CLI any -P in ipsec esp/transport//require;
EOF

proposal='proposal { encryption_algorithm aes 128; hash_algorithm sha256;
		authentication_method pre_shared_key; dh_group 14; }'
sainfo='sainfo anonymous { encryption_algorithm aes 128;
	authentication_algorithm hmac_sha256; }'
printf '%s %s\n' $SRV1 "$PSK" $SRV2 "$PSK" | ikd_psk cli
printf '%s %s\n' $CLI "$PSK" $PUB2 "$PSK" | ikd_psk srv2
ikd_conf cli <<EOF
path pre_shared_key "$IKD_DIR/cli.psk";
timer { counter 5; interval 2 sec; natt_keepalive 2 sec; }
remote $SRV1 { ike_version 2; nat_traversal on; dpd_delay 3; $proposal }
remote $SRV2 { ike_version 2; nat_traversal on; dpd_delay 3; $proposal }
$sainfo
EOF
ikd_conf srv2 <<EOF
path pre_shared_key "$IKD_DIR/srv2.psk";
timer { counter 5; interval 2 sec; }
remote anonymous { ike_version 2; nat_traversal on; passive on;
	generate_policy on; $proposal }
$sainfo
EOF
ikd_start cli cli -d
ikd_start srv2 srv2 -d
kt_charon_start c srv1
kt_charon_load c <<EOF
connections {
  natt {
    version = 2
    local_addrs = $SRV1
    remote_addrs = %any
    proposals = aes128-sha256-modp2048
    local {
      auth = psk
      id = $SRV1
    }
    remote {
      auth = psk
    }
    children {
      natt {
        mode = transport
        esp_proposals = aes128-sha256
      }
    }
  }
}
secrets {
  ike-natt {
    secret = "$PSK"
  }
}
EOF

# tcpstat NS FIELD: a field of the Tcp: line of NS's /proc/net/snmp.
tcpstat() {
	ip netns exec "$1" awk -v f="$2" '/^Tcp:/ { if (!n) { for (i = 1; i <= NF; i++) \
		if ($i == f) c = i; n = 1 } else print $c }' /proc/net/snmp
}
diag() {
	local h
	for h in cli "$1"; do
		echo "--- $h: setkey -D; -DP; ipsecstat" >&2
		ip netns exec "$h" "$setkey" -D >&2
		ip netns exec "$h" "$setkey" -DP >&2
		ip netns exec "$h" "$KT_BUILD/bin/ipsecstat" 2>&1 | grep -v ' 0$' | head -30 >&2
	done
	ip -n srv1 xfrm state >&2
	ip -n srv1 xfrm policy >&2
	echo "--- the NAT's outside wire" >&2
	tcpdump -n -r "$2" 2>/dev/null | tail -15 >&2
}
child_up() { grep -q "CHILD_SA established: ESP/Transport $CLI->$1 " "$(ikd_log cli)"; }

dd if=/dev/urandom of="$KT_TMP/data" bs=64k count=24 2>/dev/null

# run_case NAME SERVER_NS PUB NEWPORT SERVER PORT
run_case() {
	local n=$1 ns=$2 pub=$3 newport=$4 srv=$5 port=$6 t0 f out secs re0 re1 pid
	t0=$(date +%s)
	f=$KT_TMP/$n.pcap
	kt_capture_start nat "wan${ns#srv}" "$f"
	rm -f "$KT_TMP/$n.ready"
	ip netns exec "$ns" python3 "$xfer" recv "$port" "$KT_TMP/$n.out" "$KT_TMP/$n.ready" &
	KT_PIDS+=($!)
	kt_wait_for 60 test -e "$KT_TMP/$n.ready" || kt_fail "$n: the receiver did not start"
	# A ping makes cli's ikd negotiate (the kernel drops it: `require`).
	ip netns exec cli ping -n -c 1 -W 1 "$srv" >/dev/null 2>&1
	kt_ike_until 60 child_up "$srv" || { diag "$ns" "$f"; kt_fail "$n: no child SA from cli's ACQUIRE"; }
	ip netns exec cli ping -n -q -c 2 -i 0.3 -W 3 "$srv" >/dev/null ||
		{ diag "$ns" "$f"; kt_fail "$n: ping in transport mode failed"; }
	re0=$(tcpstat cli RetransSegs)
	ip netns exec cli python3 "$xfer" send "$srv" "$port" "$KT_TMP/data" >"$KT_TMP/$n.secs" 2>&1 &
	pid=$!
	# The NAT changes its mind once a quarter of the data is across.
	kt_ike_until 60 eval "[ \$(stat -c %s '$KT_TMP/$n.out' 2>/dev/null || echo 0) -ge 393216 ]" ||
		{ diag "$ns" "$f"; kt_fail "$n: the transfer did not start"; }
	natport -R "$newport"
	ip netns exec nat conntrack -F >/dev/null 2>&1 || kt_fail "$n: conntrack -F failed"
	kt_log "$n: NAT now maps to port $newport"
	wait $pid || { diag "$ns" "$f"; kt_fail "$n: the transfer failed: $(cat "$KT_TMP/$n.secs")"; }
	secs=$(cat "$KT_TMP/$n.secs")
	re1=$(tcpstat cli RetransSegs)
	cmp "$KT_TMP/data" "$KT_TMP/$n.out" || kt_fail "$n: the data arrived damaged"
	[ "$(tcpstat "$ns" InCsumErrors)" = 0 ] ||
		kt_fail "$n: $ns counted TCP checksum errors: $(tcpstat "$ns" InCsumErrors)"
	kt_capture_stop
	out=$(python3 "$wire" "$f" "$pub" "$newport") || kt_fail "$n: natt_wire.py failed: $out"
	wv() { sed -n "s/^$1 //p" <<<"$out"; }
	[ "$(wv other)" = 0 ] || kt_fail "$n: packets other than UDP 500/4500 on the wire: $out"
	[ "$(wv ike)" -gt 0 ] || kt_fail "$n: no IKE on port 4500 from the NAT: $out"
	[ "$(wv esp_new)" -gt 0 ] || kt_fail "$n: no ESP in UDP from the NAT's new port $newport: $out"
	[ "$(wv esp)" -gt "$(wv esp_new)" ] || kt_fail "$n: no ESP in UDP before the NAT's change: $out"
	kt_log "$n: $(stat -c %s "$KT_TMP/$n.out") bytes intact across the NAT's change in $secs s," \
		"$((re1 - re0)) TCP segments retransmitted; esp $(wv esp) (from the new port $(wv esp_new));" \
		"ok in $(($(date +%s) - t0)) s"
}

run_case charon srv1 $PUB1 42000 $SRV1 5001
grep -q "our selectors name $PUB1, taken as $CLI" "$(ikd_log cli)" ||
	kt_fail "charon: cli did not take charon's TSi ($PUB1) for its own address"
ip -n srv1 xfrm state | grep -q "mode transport" ||
	kt_fail "charon: srv1's SAs are not in transport mode: $(ip -n srv1 xfrm state)"
ip -n srv1 xfrm policy | grep -q "src $SRV1/32 dst $PUB1/32" ||
	kt_fail "charon: srv1's policies do not name the NAT's address: $(ip -n srv1 xfrm policy)"
ip -n srv1 xfrm state | grep -q "encap type espinudp sport 42000 dport 4500" ||
	kt_fail "charon: srv1's SAs did not follow the NAT to port 42000: $(ip -n srv1 xfrm state | grep encap)"
ip netns exec cli "$setkey" -D | grep -A1 "^$CLI\[4500\] $SRV1\[4500\]" | grep -q "esp-udp mode=transport" ||
	kt_fail "charon: cli's outbound SA is not ESP in UDP in transport mode: $(ip netns exec cli "$setkey" -D)"

run_case ikd srv2 $PUB2 43000 $SRV2 5002
grep -q "the peer's selectors name $CLI, taken as $PUB2" "$(ikd_log srv2)" ||
	kt_fail "ikd: srv2 did not take cli's TSi for the NAT's address"
grep -q "the peer's original address $CLI is its NAT-OA" "$(ikd_log srv2)" ||
	kt_fail "ikd: srv2 gave its inbound SA no NAT-OA"
grep -q "our selectors name $PUB2, taken as $CLI" "$(ikd_log cli)" ||
	kt_fail "ikd: cli did not take srv2's TSi ($PUB2) for its own address"
ip netns exec srv2 "$setkey" -DP | grep -q "^$SRV2\[any\] $PUB2\[any\]" ||
	kt_fail "ikd: srv2's generated policies do not name the NAT's address: $(ip netns exec srv2 "$setkey" -DP)"
grep -q "moved from $PUB2\[42000\] to $PUB2\[43000\]: updating its CHILD_SAs" "$(ikd_log srv2)" ||
	kt_fail "ikd: srv2 did not follow cli to the NAT's new port"
ip netns exec srv2 "$setkey" -D | grep -A1 "^$SRV2\[4500\] $PUB2\[43000\]" | grep -q "esp-udp mode=transport" ||
	kt_fail "ikd: srv2's outbound SA is not at the new port in transport mode: $(ip netns exec srv2 "$setkey" -D)"
ikd_stop srv2
ikd_stop cli
kt_charon_stop c
kt_log "ikd behind a NAT, transport mode: charon and ikd carried TCP across the NAT's change"
