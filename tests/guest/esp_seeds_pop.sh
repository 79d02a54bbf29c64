# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 900
# Seed A.9 end to end: AH for POP (TCP/110) on node A (10.1.1.1, h1) with
# `none` exceptions for A's own connections, B (20.1.1.1, h2) as client; the
# SAs are A.4's, both hosts run our setkey over PF_KEY (KT_STACK). In the
# seed's order B reaches A's POP server over AH (only AH on the wire) and A
# reaches its own; reordered ("If you reorder them, the configuration will
# not work"), B still does, A no longer does, and the drop is counted as a
# policy violation. IPsec applies to loopback here: lo's disable_policy and
# disable_xfrm are cleared on A, as the seed is about that node-local traffic.
# Under KT_STACK=afkey the seed order cannot work (XFRM's lookup lets the
# wildcard rule beat the /32 exception of equal priority): everything else is
# checked, then the test is skipped, not passed. See tests/guest/esp_seeds.bash.
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/guest/esp_seeds.bash"

esp_topo_h2h

# --- A.9: POP with local exceptions, in the seed's order and reordered -----
# A = 10.1.1.1 (h1), B = 20.1.1.1 (h2); the AH SAs are A.4's.
ah_sas='add 10.1.1.1 20.1.1.1 ah 9877 -A hmac-md5 "hogehogehogehoge";
add 20.1.1.1 10.1.1.1 ah 10001 -A hmac-md5 "mogamogamogamoga";'
ip netns exec h1 sysctl -qw net.ipv4.conf.lo.disable_policy=0 net.ipv4.conf.lo.disable_xfrm=0 ||
	kt_fail "cannot enable IPsec on h1's loopback"
ip netns exec h1 python3 "$KT_TOP/tests/guest/tcpxfer.py" serve 10.1.1.1 110 "$ESP_DIR/pop.ready" \
	2>"$ESP_DIR/pop.err" &
KT_PIDS+=($!)
kt_wait_for 30 test -e "$ESP_DIR/pop.ready" || kt_fail "POP server did not start: $(cat "$ESP_DIR/pop.err")"
pop() { ip netns exec "$1" python3 "$KT_TOP/tests/guest/tcpxfer.py" probe 10.1.1.1 110 "$2" 4; }
grep -v '^#' "$seeds/a09-pop3-node-a.conf" | grep . >"$ESP_DIR/a09-a.policies"
[ "$(wc -l <"$ESP_DIR/a09-a.policies")" = 4 ] || kt_fail "A.9 node A: want 4 policies"
{ sed -n '3,4p' "$ESP_DIR/a09-a.policies"; sed -n '1,2p' "$ESP_DIR/a09-a.policies"; } >"$ESP_DIR/a09-a-reordered.conf"
for order in seed reordered; do
	case="a09-pop3 ($order order)"
	flush h1 h2
	sk h1 -c <<<"$ah_sas" && sk h2 -c <<<"$ah_sas" || kt_fail "$case: AH SAs refused"
	if [ $order = seed ]; then
		load h1 "$seeds/a09-pop3-node-a.conf"
	else
		load h1 "$ESP_DIR/a09-a-reordered.conf"
		kt_log "$case: node A's policies now: $(tr '\n' ' ' <"$ESP_DIR/a09-a-reordered.conf")"
	fi
	load h2 "$seeds/a09-pop3-node-b.conf"
	esp_capture_start wh h1-eth0 "$cap"
	out=$(pop h2 100000 2>&1) || kt_fail "$case: B cannot reach A's POP server: $out"
	esp_capture_stop
	wire AH tcp 9877 10001
	if [ $order = seed ] && [ "$KT_STACK" = afkey ]; then
		out=$(pop h1 1000 2>&1) && out="it can"
		kt_log "$case: af_key: A's own connection to its POP server: $out"
		kt_log "$case: (XFRM does not keep insertion order between a selector with both prefixes full, such as these none exceptions, and a wildcard one of equal priority: the wildcard ipsec rule wins)"
	elif [ $order = seed ]; then
		out=$(pop h1 1000 2>&1) || kt_fail "$case: A cannot reach its own POP server: $out"
		kt_log "$case: A reaches its own POP server (the none exceptions match first)"
	else
		v0=$(esp_ctr h1 in_polvio 4) || exit 1
		out=$(pop h1 1000 2>&1) && kt_fail "$case: A still reaches its own POP server; the seed says the reordered policies do not work"
		v1=$(esp_ctr h1 in_polvio 4) || exit 1
		esp_want "$case: A's own connection to its POP server, policy violations" "$v0" "$v1" +1
		kt_log "$case: A cannot reach its own POP server, as the seed says: $out (policy violations $v0 -> $v1)"
	fi
done
flush h1 h2
[ "$KT_STACK" = afkey ] &&
	kt_skip "A.9 in the seed's order needs KAME's first-match order, which Linux XFRM lacks (the 0.0.0.0/0 rule beats the /32 none exception of equal priority); AH on the wire in both orders and the reordered failure were checked"
exit 0
