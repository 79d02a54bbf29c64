# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 420
# ikd behind a NAT (RFC 7296 2.23, RFC 3948): cli (ikd on kipsec.ko,
# `nat_traversal on`) sits behind an iptables MASQUERADE in nat that maps
# UDP to port 41000; behind it two servers: srv1 with strongSwan's charon
# on native XFRM (encap auto) and srv2 with ikd on kipsec.ko (passive).
# A tunnel from cli's inner 10.99.0.2 to each server's inner address; per
# server:
#  - cli's first ping makes ikd negotiate; both sides detect the NAT
#    (logged), IKE moves to port 4500 and the child SAs carry ESP in UDP;
#  - a paced ping (50 packets, 0.2 s apart) runs while the NAT's mapping
#    changes: the MASQUERADE rule is replaced by one with another port and
#    conntrack is flushed. cli's next liveness check (dpd_delay 3) reaches
#    the server from the new port; the server moves the IKE SA and the
#    child SAs there (srv2's log and setkey -D say so; srv1's XFRM SAs
#    show the new port) and the last 10 pings are all answered;
#  - on the NAT's outside wire: only UDP 500/4500 (no bare ESP, no clear
#    inner traffic; the NAT's own ICMP port unreachable for datagrams to
#    the old mapping aside), IKE with the non-ESP marker on 4500, ESP in
#    UDP (also from the new port), and cli's one-byte keepalives
#    (natt_keepalive 2 s).
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/vm/ike.sh"
. "$KT_TOP/tests/guest/ikd.bash"

setkey=$KT_BUILD/bin/setkey
wire=$KT_TOP/tests/guest/natt_wire.py
command -v iptables >/dev/null || kt_fail "iptables is not installed (make deps)"
command -v conntrack >/dev/null || kt_fail "conntrack is not installed (make deps)"
kt_load_kipsec
modprobe aesni_intel 2>/dev/null
# The SAs' algorithms, before the daemons need them (no udev here).
modprobe -a authenc cbc hmac sha256_generic 2>/dev/null
PSK="kipsec ikd-natt $RANDOM$RANDOM"

CLI=192.168.1.2 LAN=192.168.1.1
PUB1=203.0.113.1 SRV1=203.0.113.2 PUB2=198.51.100.1 SRV2=198.51.100.2
CVIP=10.99.0.2 S1VIP=10.98.0.1 S2VIP=10.97.0.1

kt_ns cli; kt_ns nat; kt_ns srv1; kt_ns srv2
kt_link cli eth0 nat lan0
kt_link nat wan1 srv1 eth0
kt_link nat wan2 srv2 eth0
kt_addr cli eth0 $CLI/24; kt_addr nat lan0 $LAN/24
kt_addr nat wan1 $PUB1/24; kt_addr srv1 eth0 $SRV1/24
kt_addr nat wan2 $PUB2/24; kt_addr srv2 eth0 $SRV2/24
kt_addr cli lo $CVIP/32; kt_addr srv1 lo $S1VIP/32; kt_addr srv2 lo $S2VIP/32
ip -n cli route add default via $LAN
ip -n cli route add $S1VIP/32 via $LAN src $CVIP
ip -n cli route add $S2VIP/32 via $LAN src $CVIP
ip -n srv1 route add $CVIP/32 via $PUB1 src $S1VIP
ip -n srv2 route add $CVIP/32 via $PUB2 src $S2VIP
# natport -A|-R PORT: the NAT's rule (appended, or replacing the first),
# mapping UDP to PORT.
natport() {
	# shellcheck disable=SC2046
	ip netns exec nat iptables -t nat "$1" POSTROUTING $([ "$1" = -R ] && echo 1) \
		-o wan+ -p udp -j MASQUERADE --to-ports "$2" || kt_fail "cannot set the NAT's rule"
}
natport -A 41000

# cli: policies for both tunnels, ikd initiating with NAT-T on.
ip netns exec cli "$setkey" -c <<EOF || kt_fail "setkey on cli failed"
spdadd $CVIP $S1VIP any -P out ipsec esp/tunnel/$CLI-$SRV1/require;
spdadd $S1VIP $CVIP any -P in ipsec esp/tunnel/$SRV1-$CLI/require;
spdadd $CVIP $S2VIP any -P out ipsec esp/tunnel/$CLI-$SRV2/require;
spdadd $S2VIP $CVIP any -P in ipsec esp/tunnel/$SRV2-$CLI/require;
EOF
# srv2: the tunnel's far end is the NAT's public address.
ip netns exec srv2 "$setkey" -c <<EOF || kt_fail "setkey on srv2 failed"
spdadd $S2VIP $CVIP any -P out ipsec esp/tunnel/$SRV2-$PUB2/require;
spdadd $CVIP $S2VIP any -P in ipsec esp/tunnel/$PUB2-$SRV2/require;
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
remote anonymous { ike_version 2; nat_traversal on; passive on; $proposal }
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
        mode = tunnel
        local_ts = $S1VIP/32
        remote_ts = $CVIP/32
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

# diag SERVER_NS PCAP: what a failure needs to be understood.
diag() {
	local h
	sleep 1
	for h in cli "$1"; do
		echo "--- $h: setkey -D; ipsecstat" >&2
		ip netns exec "$h" "$setkey" -D >&2
		ip netns exec "$h" "$KT_BUILD/bin/ipsecstat" 2>&1 | grep -v ' 0$' | head -30 >&2
	done
	echo "--- the NAT's outside wire" >&2
	tcpdump -n -r "$2" 2>/dev/null | tail -15 >&2
	ip netns exec nat conntrack -L -p udp 2>/dev/null >&2
}
# child_up SERVER: cli has installed its outbound SA to SERVER.
child_up() { grep -q "CHILD_SA established: ESP/Tunnel $CLI->$1 " "$(ikd_log cli)"; }

# run_case NAME SERVER_NS INNER PUB NEWPORT SERVER: the wire is the NAT's
# outside interface towards the server (the server's own eth0 also shows
# the packets its IPsec decapsulated).
run_case() {
	local n=$1 ns=$2 vip=$3 pub=$4 newport=$5 srv=$6 t0 f out got
	t0=$(date +%s)
	f=$KT_TMP/$n.pcap
	kt_capture_start nat "wan${ns#srv}" "$f"
	ip netns exec cli ping -n -c 1 -W 1 -I $CVIP "$vip" >/dev/null 2>&1
	kt_ike_until 60 child_up "$srv" || kt_fail "$n: no child SA from cli's ACQUIRE"
	ip netns exec cli ping -n -q -c 3 -i 0.3 -W 3 -I $CVIP "$vip" >/dev/null ||
		{ diag "$ns" "$f"; kt_fail "$n: ping through the tunnel failed"; }
	# A paced ping; the NAT's mapping changes 2 s into it.
	ip netns exec cli ping -n -c 50 -i 0.2 -W 1 -I $CVIP "$vip" >"$KT_TMP/$n.ping" 2>&1 &
	local pid=$!
	sleep 2
	natport -R "$newport"
	ip netns exec nat conntrack -F >/dev/null 2>&1 || kt_fail "$n: conntrack -F failed"
	kt_log "$n: NAT now maps to port $newport"
	wait $pid
	got=$(grep -c 'bytes from' "$KT_TMP/$n.ping")
	for s in $(seq 41 50); do
		grep -q "icmp_seq=$s " "$KT_TMP/$n.ping" ||
			kt_fail "$n: ping $s of 50 unanswered after the NAT's change ($got answered): $(tail -3 "$KT_TMP/$n.ping")"
	done
	kt_capture_stop
	out=$(python3 "$wire" "$f" "$pub" "$newport") || kt_fail "$n: natt_wire.py failed: $out"
	wv() { sed -n "s/^$1 //p" <<<"$out"; }
	[ "$(wv other)" = 0 ] || kt_fail "$n: packets other than UDP 500/4500 on the wire: $out"
	[ "$(wv ike)" -gt 0 ] || kt_fail "$n: no IKE on port 4500 from the NAT: $out"
	[ "$(wv esp_new)" -gt 0 ] || kt_fail "$n: no ESP in UDP from the NAT's new port $newport: $out"
	[ "$(wv ka)" -gt 0 ] || kt_fail "$n: no NAT-T keepalive from the NAT: $out"
	kt_log "$n: $got of 50 pings answered across the NAT's change; ok in $(($(date +%s) - t0)) s"
}

run_case charon srv1 $S1VIP $PUB1 42000 $SRV1
grep -q "NAT detected: this host is behind a NAT (towards $SRV1\[500\])" "$(ikd_log cli)" ||
	kt_fail "charon: cli did not log that it is behind a NAT"
grep -q "NAT-T: IKE moves to $CLI\[4500\]-$SRV1\[4500\]" "$(ikd_log cli)" ||
	kt_fail "charon: cli did not move to port 4500"
grep -q "remote host is behind NAT" "$(kt_ike_log c)" ||
	kt_fail "charon: charon did not see the NAT"
ip -n srv1 xfrm state | grep -q "encap type espinudp sport 42000 dport 4500" ||
	kt_fail "charon: srv1's SAs did not follow the NAT to port 42000: $(ip -n srv1 xfrm state | grep encap)"

run_case ikd srv2 $S2VIP $PUB2 43000 $SRV2
grep -q "NAT detected: the peer $PUB2\[42000\] is behind a NAT" "$(ikd_log srv2)" ||
	kt_fail "ikd: srv2 did not log that cli is behind a NAT"
grep -q "moved from $PUB2\[42000\] to $PUB2\[43000\]: updating its CHILD_SAs" "$(ikd_log srv2)" ||
	kt_fail "ikd: srv2 did not follow cli to the NAT's new port"
grep -q "cannot move CHILD_SA" "$(ikd_log srv2)" && kt_fail "ikd: srv2 could not move a child SA"
ip netns exec srv2 "$setkey" -D | grep -q "$PUB2\[43000\]" ||
	kt_fail "ikd: srv2's SAs do not show the new port: $(ip netns exec srv2 "$setkey" -D | head -4)"
ikd_stop srv2
ikd_stop cli
kt_charon_stop c
kt_log "ikd behind a NAT: charon and ikd followed the NAT's new mapping"
