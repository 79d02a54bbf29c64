# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 420
# ikd behind a NAT in IKEv1 (RFC 3947, RFC 3948): cli (ikd on kipsec.ko,
# Main Mode with a pre-shared key, `nat_traversal on`) sits behind an
# iptables MASQUERADE in nat that maps UDP to port 41000; behind it two
# servers: srv1 with strongSwan's charon (swanctl `version = 1`, native
# XFRM, encapsulation found by NAT-D) and srv2 with ikd on kipsec.ko
# (passive). A tunnel from cli's inner 10.99.0.2 to each server's inner
# address; per server:
#  - cli's first ping makes ikd negotiate; both sides detect the NAT
#    (logged: "NAT detected: ME" on cli, charon's "remote host is behind
#    NAT", "NAT detected: PEER" on srv2), cli floats to port 4500 from
#    Main Mode's fifth message on and Quick Mode picks UDP-Encapsulated-
#    Tunnel; pings flow;
#  - both kernels hold the SAs with their UDP ports (cli 4500-4500, the
#    server 4500 and the NAT's 41000);
#  - on the NAT's outside wire: only UDP 500/4500 (no bare ESP, no clear
#    inner traffic), IKE with the non-ESP marker on 4500, ESP in UDP from
#    port 41000, and cli's one-byte keepalives (natt_keepalive 2 s).
# Then transport mode between cli and srv1 themselves (setkey `any`
# policies on cli, a dynamic transport child on charon): Quick Mode
# without IDs, UDP-Encapsulated-Transport with NAT-OA payloads both ways
# (cli logs charon's), pings in ESP in UDP, transport SAs with their
# ports on both sides.
# Not here: the NAT changing its mapping (the peer learns a new port only
# from an authentic message, and IKEv1 has no liveness check in ikd yet).
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/vm/ike.sh"
. "$KT_TOP/tests/guest/ikd.bash"
# ikd's logs where the host can read them, also after a time-out.
IKD_DIR=$KT_IKE_LOGS/ikd
mkdir -p "$IKD_DIR"

setkey=$KT_BUILD/bin/setkey
wire=$KT_TOP/tests/guest/natt_wire.py
command -v iptables >/dev/null || kt_fail "iptables is not installed (make deps)"
kt_load_kipsec
modprobe aesni_intel 2>/dev/null
modprobe -a authenc cbc hmac sha1 des3_ede 2>/dev/null
PSK="kipsec ikd-v1-natt $RANDOM$RANDOM"

CLI=192.168.1.2 LAN=192.168.1.1
PUB1=203.0.113.1 SRV1=203.0.113.2 PUB2=198.51.100.1 SRV2=198.51.100.2
CVIP=10.99.0.2 S1VIP=10.98.0.1 S2VIP=10.97.0.1
NATPORT=41000

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
ip netns exec nat iptables -t nat -A POSTROUTING -o wan+ -p udp \
	-j MASQUERADE --to-ports $NATPORT || kt_fail "cannot set the NAT's rule"

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

proposal='exchange_mode main; nat_traversal on;
	proposal { encryption_algorithm 3des; hash_algorithm sha1;
		authentication_method pre_shared_key; dh_group 2; }'
sainfo='sainfo anonymous { pfs_group 2; encryption_algorithm aes 128;
	authentication_algorithm hmac_sha1; }'
printf '%s %s\n' $SRV1 "$PSK" $SRV2 "$PSK" | ikd_psk cli
printf '%s %s\n' $PUB2 "$PSK" | ikd_psk srv2
ikd_conf cli <<EOF
path pre_shared_key "$IKD_DIR/cli.psk";
timer { counter 5; interval 2 sec; natt_keepalive 2 sec; }
remote $SRV1 { $proposal }
remote $SRV2 { $proposal }
$sainfo
EOF
ikd_conf srv2 <<EOF
path pre_shared_key "$IKD_DIR/srv2.psk";
timer { counter 5; interval 2 sec; }
remote anonymous { passive on; $proposal }
$sainfo
EOF
for h in cli srv2; do
	ip netns exec $h "$IKD" -n -f "$IKD_DIR/$h.conf" || kt_fail "ikd -n refuses $h's configuration"
done
ikd_start cli cli -dd
ikd_start srv2 srv2 -dd
kt_charon_start c srv1
kt_charon_load c <<EOF
connections {
  v1natt {
    version = 1
    aggressive = no
    local_addrs = $SRV1
    remote_addrs = %any
    proposals = 3des-sha1-modp1024
    local {
      auth = psk
      id = $SRV1
    }
    remote {
      auth = psk
    }
    children {
      v1natt {
        mode = tunnel
        local_ts = $S1VIP/32
        remote_ts = $CVIP/32
        esp_proposals = aes128-sha1-modp1024
      }
      v1tr {
        mode = transport
        esp_proposals = aes128-sha1-modp1024
      }
    }
  }
}
secrets {
  ike-v1natt {
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
	ip -n srv1 xfrm state >&2
	echo "--- the NAT's outside wire" >&2
	tcpdump -n -r "$2" 2>/dev/null | tail -15 >&2
}
# child_up SERVER: cli has installed its outbound SA to SERVER.
child_up() {
	grep -qF "IPsec-SA established: ESP/Tunnel $CLI[4500]->$1[4500] " "$(ikd_log cli)"
}
# esp_udp NS PATTERN: NS's SAD (setkey -D) has an esp-udp tunnel SA
# whose address line matches PATTERN (esp_udp_mode: in mode MODE).
esp_udp() { esp_udp_mode "$1" "$2" tunnel; }
esp_udp_mode() {
	ip netns exec "$1" "$setkey" -D | grep -A1 -E "$2" | grep -q "esp-udp mode=$3"
}

# run_case NAME SERVER_NS INNER PUB SERVER
run_case() {
	local n=$1 ns=$2 vip=$3 pub=$4 srv=$5 t0 f out
	t0=$(date +%s)
	f=$KT_TMP/$n.pcap
	kt_capture_start nat "wan${ns#srv}" "$f"
	ip netns exec cli ping -n -c 1 -W 1 -I $CVIP "$vip" >/dev/null 2>&1
	kt_ike_until 60 child_up "$srv" || kt_fail "$n: no IPsec SA from cli's ACQUIRE"
	ip netns exec cli ping -n -q -c 5 -i 0.3 -W 3 -I $CVIP "$vip" >/dev/null ||
		{ diag "$ns" "$f"; kt_fail "$n: ping through the tunnel failed"; }
	sleep 3		# a keepalive or two (natt_keepalive 2 s)
	kt_capture_stop
	out=$(python3 "$wire" "$f" "$pub" $NATPORT) || kt_fail "$n: natt_wire.py failed: $out"
	wv() { sed -n "s/^$1 //p" <<<"$out"; }
	[ "$(wv other)" = 0 ] || kt_fail "$n: packets other than UDP 500/4500 on the wire: $out"
	[ "$(wv ike)" -gt 0 ] || kt_fail "$n: no IKE on port 4500 from the NAT: $out"
	[ "$(wv esp_new)" -gt 0 ] || kt_fail "$n: no ESP in UDP from the NAT's port $NATPORT: $out"
	[ "$(wv ka)" -gt 0 ] || kt_fail "$n: no NAT-T keepalive from the NAT: $out"
	esp_udp cli "^$CLI\[4500\] $srv\[4500\]" ||
		kt_fail "$n: cli's outbound SA is not ESP in UDP 4500-4500: $(ip netns exec cli "$setkey" -D | head -6)"
	esp_udp cli "^$srv\[4500\] $CLI\[4500\]" ||
		kt_fail "$n: cli's inbound SA is not ESP in UDP 4500-4500"
	kt_log "$n: pings through the NAT, ESP in UDP, keepalives; ok in $(($(date +%s) - t0)) s"
}

run_case charon srv1 $S1VIP $PUB1 $SRV1
grep -qF "NAT detected: ME (RFC 3947 with $SRV1[500])" "$(ikd_log cli)" ||
	kt_fail "charon: cli did not log that it is behind a NAT"
grep -qF "NAT-T: floating ports to $CLI[4500]-$SRV1[4500]" "$(ikd_log cli)" ||
	kt_fail "charon: cli did not float to port 4500"
grep -q "remote host is behind NAT" "$(kt_ike_log c)" ||
	kt_fail "charon: charon did not see the NAT"
ip -n srv1 xfrm state | grep -q "encap type espinudp sport $NATPORT dport 4500" ||
	kt_fail "charon: srv1's SAs are not ESP in UDP from port $NATPORT: $(ip -n srv1 xfrm state | grep encap)"

run_case ikd srv2 $S2VIP $PUB2 $SRV2
grep -qF "NAT detected: PEER (RFC 3947 with $PUB2[$NATPORT])" "$(ikd_log srv2)" ||
	kt_fail "ikd: srv2 did not log that cli is behind a NAT"
grep -qF "NAT-T: ports floated: $SRV2[4500]-$PUB2[$NATPORT]" "$(ikd_log srv2)" ||
	kt_fail "ikd: srv2 did not follow cli to port 4500"
esp_udp srv2 "^$SRV2\[4500\] $PUB2\[$NATPORT\]" ||
	kt_fail "ikd: srv2's outbound SA is not ESP in UDP to $PUB2[$NATPORT]: $(ip netns exec srv2 "$setkey" -D | head -6)"
esp_udp srv2 "^$PUB2\[$NATPORT\] $SRV2\[4500\]" ||
	kt_fail "ikd: srv2's inbound SA is not ESP in UDP from $PUB2[$NATPORT]"

# Transport mode to srv1 itself, over the ISAKMP SA already there.
ip netns exec cli "$setkey" -c <<EOF || kt_fail "setkey on cli failed (transport)"
spdadd $CLI $SRV1 any -P out ipsec esp/transport//require;
spdadd $SRV1 $CLI any -P in ipsec esp/transport//require;
EOF
t0=$(date +%s)
f=$KT_TMP/transport.pcap
kt_capture_start nat wan1 "$f"
tr_up() { grep -qF "IPsec-SA established: ESP/Transport $CLI[4500]->$SRV1[4500] " "$(ikd_log cli)"; }
ip netns exec cli ping -n -c 1 -W 1 $SRV1 >/dev/null 2>&1
kt_ike_until 60 tr_up || kt_fail "transport: no transport SA from cli's ACQUIRE"
ip netns exec cli ping -n -q -c 5 -i 0.3 -W 3 $SRV1 >/dev/null ||
	{ diag srv1 "$f"; kt_fail "transport: ping in transport mode failed"; }
kt_capture_stop
out=$(python3 "$wire" "$f" $PUB1 $NATPORT) || kt_fail "transport: natt_wire.py failed: $out"
[ "$(sed -n 's/^other //p' <<<"$out")" = 0 ] || kt_fail "transport: packets other than UDP 500/4500 on the wire: $out"
[ "$(sed -n 's/^esp_new //p' <<<"$out")" -gt 0 ] || kt_fail "transport: no ESP in UDP from the NAT: $out"
grep -qF "NAT-OA: the peer's original address is $SRV1" "$(ikd_log cli)" ||
	kt_fail "transport: cli did not get charon's NAT-OA"
esp_udp_mode cli "^$CLI\[4500\] $SRV1\[4500\]" transport ||
	kt_fail "transport: cli's outbound SA is not ESP in UDP in transport mode: $(ip netns exec cli "$setkey" -D | head -12)"
ip -n srv1 xfrm state | grep -A4 "mode transport" | grep -q "encap type espinudp sport $NATPORT dport 4500" ||
	kt_fail "transport: srv1's transport SAs are not ESP in UDP from $NATPORT: $(ip -n srv1 xfrm state)"
kt_log "transport: pings in ESP in UDP, transport mode; ok in $(($(date +%s) - t0)) s"

for h in cli srv2; do
	grep -qF "$PSK" "$(ikd_log $h)" && kt_fail "$h's log holds the PSK"
done
ikd_stop srv2
ikd_stop cli
kt_charon_stop c
kt_log "ikd behind a NAT in IKEv1: charon and ikd detected it, ESP in UDP both ways, tunnel and transport"
