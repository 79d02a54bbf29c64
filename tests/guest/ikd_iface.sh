# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 360
# ikd keys kipsec interfaces (issue 18, item 6): gw1 and gw2 each have
# ipsec0 (reqid 100, IPv4 outer) with the other side's LAN routed into it,
# no SPD entry at all, and ikd with `interface ipsec0` in its remote block.
# For IKEv2, then IKEv1 Main Mode:
#  - left's first ping is routed into gw1's ipsec0, which has no SA: the
#    interface's ACQUIRE starts the exchange, 0.0.0.0/0 (and ::/0) both ways;
#  - pings flow both ways, IPv4 and IPv6 inner; each SAD holds two mature
#    ESP tunnel SAs 20.0.0.1 <-> 20.0.0.2 with reqid 100 and the same SPIs;
#    the SPDs stay empty; the interfaces count the pings, and
#    ipsecstat -i shows the same counts;
#  - stopping ikd on gw1 removes every SA on both sides.
# Then IKEv2 again, started by `ikdctl initiate` instead of a packet, with
# the blocks' own selectors (each side's LANs) instead of 0/0.
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/guest/ikd.bash"

setkey=$KT_BUILD/bin/setkey
ipsecif=$KT_BUILD/bin/ipsecif
ipsecstat=$KT_BUILD/bin/ipsecstat
kt_load_kipsec
modprobe aesni_intel 2>/dev/null
kt_topo_gw wire
logs_out=${KT_OUT:+$KT_OUT/ike/ikd_iface}
[ -n "$logs_out" ] && mkdir -p "$logs_out"
keep_logs() {
	[ -n "$logs_out" ] || return 0
	cp "$(ikd_log gw1)" "$logs_out/gw1-$1.log" 2>/dev/null
	cp "$(ikd_log gw2)" "$logs_out/gw2-$1.log" 2>/dev/null
}
trap 'keep_logs "${version:-start}"; kt_cleanup' EXIT
psk=kipsec-ikd-if-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')

# The LANs' routes go into ipsec0 instead of over the wire.
for gw in gw1 gw2; do
	if [ $gw = gw1 ]; then me=20.0.0.1 peer=20.0.0.2 lan=10.0.2.0/24 lan6=fd00:b::/64
	else me=20.0.0.2 peer=20.0.0.1 lan=10.0.1.0/24 lan6=fd00:a::/64; fi
	kt_assert ip netns exec $gw "$ipsecif" add ipsec0 local $me remote $peer reqid 100
	ip netns exec $gw sysctl -qw net.ipv6.conf.ipsec0.addr_gen_mode=1
	ip -n $gw link set ipsec0 up && ip -n $gw route replace $lan dev ipsec0 &&
		ip -n $gw -6 route replace $lan6 dev ipsec0 || kt_fail "$gw: ipsec0 routes"
	ikd_psk $gw <<-EOF
	$peer $psk
	EOF
done

sock() { echo "/run/kt-ikd-$1.sock"; }

# conf VERSION_LINE [selectors]: both gateways' ikd.conf; with
# "selectors", the interface blocks name their LANs instead of 0/0.
conf() {
	local gw peer kif
	for gw in gw1 gw2; do
		if [ $gw = gw1 ]; then peer=20.0.0.2; else peer=20.0.0.1; fi
		kif="interface ipsec0;"
		if [ "${2:-}" = selectors ] && [ $gw = gw1 ]; then
			kif="interface ipsec0 { local 10.0.1.0/24 fd00:a::/64; remote 10.0.2.0/24 fd00:b::/64; }"
		elif [ "${2:-}" = selectors ]; then
			kif="interface ipsec0 { local 10.0.2.0/24 fd00:b::/64; remote 10.0.1.0/24 fd00:a::/64; }"
		fi
		ikd_conf $gw <<-EOF
		path pre_shared_key "$IKD_DIR/$gw.psk";
		listen { adminsock "$(sock $gw)"; }
		timer { counter 5; interval 2 sec; }
		remote $peer {
			$1
			$kif
			proposal {
				encryption_algorithm aes 128;
				hash_algorithm sha256;
				authentication_method pre_shared_key;
				dh_group 14;
			}
		}
		sainfo anonymous {
			encryption_algorithm aes 128;
			authentication_algorithm hmac_sha256;
		}
		EOF
		ip netns exec $gw "$IKD" -n -f "$IKD_DIR/$gw.conf" ||
			kt_fail "ikd -n refuses $gw's configuration ($1)"
	done
}

sas() { ip netns exec "$1" "$setkey" -D; }
nsas() { sas "$1" | grep -c 'state=mature'; }
spis() { sas "$1" | awk '/^\tesp mode=tunnel/ { print $3 }' | sort; }
stat_of() { ip netns exec "$1" cat "/sys/class/net/ipsec0/statistics/$2"; }
no_sa() { [ "$(sas "$1")" = "No SAD entries." ]; }

# run VERSION_LINE ESTABLISHED_REGEX [initiate]: "initiate" starts with
# ikdctl instead of a packet, and configures the blocks' selectors.
run() {
	local gw tx0 rx0
	conf "$1" "${3:+selectors}"
	ikd_start gw1 gw1 -d
	ikd_start gw2 gw2 -d
	if [ "${3:-}" = initiate ]; then
		# No packet: ikdctl asks for what the interface would.
		ip netns exec gw1 "$KT_BUILD/bin/ikdctl" -s "$(sock gw1)" initiate 20.0.0.2 >"$KT_TMP/init" ||
			kt_fail "$version: ikdctl initiate: $(cat "$KT_TMP/init")"
		grep -q '1 child SA negotiated' "$KT_TMP/init" ||
			kt_fail "$version: ikdctl initiate said: $(cat "$KT_TMP/init")"
	else
		# The first packet raises the interface's ACQUIRE; ikd keys it.
		kt_ping left 10.0.2.2 -c 1 -W 1 >/dev/null 2>&1
	fi
	kt_wait_for 60 eval '[ "$(nsas gw1)" = 2 ] && [ "$(nsas gw2)" = 2 ]' ||
		kt_fail "$version: no SA pair: gw1 $(nsas gw1), gw2 $(nsas gw2)"
	grep -qE "$2" "$(ikd_log gw1)" ||
		kt_fail "$version: gw1's log has no line matching '$2'"
	tx0=$(stat_of gw1 tx_packets) rx0=$(stat_of gw1 rx_packets)
	kt_ping_ok left 10.0.2.2; kt_ping_ok right 10.0.1.2
	kt_ping_ok left fd00:b::2; kt_ping_ok right fd00:a::2
	# 2 pings each way per family: 4 requests out, 4 replies in, and
	# right's 4 requests in, 4 replies out.
	kt_expect_eq "$version: gw1 ipsec0 tx, rx packets" "8 8" \
		"$(( $(stat_of gw1 tx_packets) - tx0 )) $(( $(stat_of gw1 rx_packets) - rx0 ))"
	# ipsecstat -i reads the same counters.
	st=$(ip netns exec gw1 "$ipsecstat" -i ipsec0)
	grep -q "^ipsec0: 20.0.0.1 -> 20.0.0.2 reqid 100 mtu [0-9]* up$" <<<"$st" &&
		grep -q "^	$(stat_of gw1 rx_packets) packets received" <<<"$st" ||
		kt_fail "$version: ipsecstat -i ipsec0 on gw1: $st"
	for gw in gw1 gw2; do
		[ "$(sas $gw | grep -c 'esp mode=tunnel spi=.* reqid=100(')" = 2 ] ||
			kt_fail "$version: $gw's SAs are not tunnel mode with reqid 100: $(sas $gw)"
		[ "$(sas $gw | grep -c '^20\.0\.0\.[12] 20\.0\.0\.[12] *$')" = 2 ] ||
			kt_fail "$version: $gw's SAs are not between the interface's endpoints: $(sas $gw)"
		# ikd's own sockets have per-socket bypass policies; nothing else.
		ip netns exec $gw "$setkey" -DP | grep -Eq '^[0-9a-f:.]+(/[0-9]+)?(\[[a-z0-9]+\])? ' &&
			kt_fail "$version: $gw has policies: $(ip netns exec $gw "$setkey" -DP)"
	done
	kt_expect_eq "$version: SPIs" "$(spis gw1)" "$(spis gw2)"
	[ "${3:-}" != initiate ] || [ "$(stat_of gw1 tx_carrier_errors)" = "$carrier0" ] ||
		kt_fail "$version: a packet met ipsec0 without its SA after ikdctl initiate"
	echo "# $version: ${3:-ACQUIRE} of ipsec0 keyed, SPIs $(spis gw1 | tr '\n' ' ')"
	ikd_stop gw1
	kt_wait_for 20 no_sa gw2 || kt_fail "$version: gw2 kept SAs after gw1's DELETE: $(sas gw2)"
	no_sa gw1 || kt_fail "$version: gw1 kept SAs: $(sas gw1)"
	ikd_stop gw2
	keep_logs "$version"
	mv "$(ikd_log gw1)" "$(ikd_log gw1).$version"
	mv "$(ikd_log gw2)" "$(ikd_log gw2).$version"
}

version=v2
run "ike_version 2;" 'CHILD_SA .*0\.0\.0\.0/0.*interface ipsec0'
version=v2-initiate carrier0=$(stat_of gw1 tx_carrier_errors)
run "ike_version 2;" 'CHILD_SA \[10\.0\.1\.0/24, fd00:a::/64\] === \[10\.0\.2\.0/24, fd00:b::/64\].*interface ipsec0' initiate
version=v1
run "exchange_mode main;" 'IPsec-SA established'
