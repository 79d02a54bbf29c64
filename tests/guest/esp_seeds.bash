# SPDX-License-Identifier: BSD-2-Clause
# Shared by esp_seeds.sh, esp_seeds_pop.sh and esp_seeds_tunnel.sh (sourced;
# not a test).
# The seed configurations (research/seed-inventory.md Appendix A, repaired
# in tests/unit/seeds/) end to end between two hosts that both run our
# setkey over PF_KEY (KT_STACK: kipsec, or af_key for both), in namespaces
# whose addresses are the seeds' own:
#   esp_seeds.sh
#   A.1/A.2   host-to-host ESP, 3des-cbc (and A.1 with its `require` inbound line)
#   A.3       host-to-host ESP, rijndael-cbc (peer: A.3, policy ends swapped)
#   esp_seeds_pop.sh
#   A.9       AH for POP (TCP/110) with `none` exceptions for the node's own
#             connections, then with the policies reordered: the node can no
#             longer reach its own POP server ("first match wins")
#   esp_seeds_tunnel.sh
#   A.7       gateway-to-gateway VPN, 10.0.1.0/24 - 10.0.2.0/24, blowfish-cbc
#   A.8       leaf node 10.0.1.5 tunnelling everything to its router 10.0.1.1
#   A.12      UnixWare's ESP tunnel for TCP, with A.10's ESP SAs (its AH SAs
#             sit on other addresses, E-3)
#   (A.10/A.11 verbatim, whose `use` tunnel requests Linux refuses, and A.5,
#   the ESP+AH bundle, are in bundle_seeds.sh)
# Each case loads the files with `setkey -f`, pings and/or sends TCP across,
# and captures the wire between the peers: the seed's SPIs must appear and
# no clear TCP or ICMP echo.
#
# Linux's af_key takes an SA's KAME mode "any" (no -m) for transport, which
# no tunnel request matches; XFRM checks decrypted forwarded traffic against
# `fwd` policies only; and it exempts loopback traffic from IPsec unless lo's
# disable_policy/disable_xfrm are 0. Under KT_STACK=afkey the tunnel cases
# (A.7, A.8) therefore get `-m tunnel` on their SAs and `-P fwd` twins of
# their `-P in` lines (logged); kipsec, with KAME's semantics, must run the
# seeds as written. A.9 clears lo's two sysctls on node A for both stacks, since
# the seed is about exactly that node-local traffic.
. "$KT_TOP/tests/guest/esp_interop.bash"

seeds=$KT_TOP/tests/unit/seeds
[ -x "$setkey" ] || kt_fail "setkey not built ($setkey)"
kt_load_stack
ESP_DIR=$KT_TMP/esp
mkdir -p "$ESP_DIR"
cap=$ESP_DIR/c

# The link between the peers of each case runs through a bridge namespace
# (kt_link_wire), where the capture sees the wire and only the wire.
# esp_topo_h2h: h1 10.1.1.1 -wh- h2 20.1.1.1 (A.1-A.3, A.9);
# esp_topo_gw: left - gw1 10.0.1.1|20.0.0.1 -wg- gw2 20.0.0.2|10.0.2.1 - right (A.7)
# seeds_topo_leaf (A.8): leaf 10.0.1.5 -wl- router 10.0.1.1 | 10.0.2.1 - far 10.0.2.2
seeds_topo_leaf() {
	local ns
	for ns in leaf router far; do kt_ns $ns; done
	kt_link_wire leaf eth0 router lan0 wl
	kt_link router lan1 far eth0
	kt_addr leaf eth0 10.0.1.5/24; kt_addr router lan0 10.0.1.1/24
	kt_addr router lan1 10.0.2.1/24; kt_addr far eth0 10.0.2.2/24
	ip -n leaf route add default via 10.0.1.1 && ip -n far route add default via 10.0.2.1 ||
		kt_fail "cannot route the leaf topology"
}

# seeds_topo_unixware (A.10-A.12): relent 10.0.0.100 -wu- elmer 10.0.0.110
seeds_topo_unixware() {
	kt_ns relent; kt_ns elmer
	kt_link_wire relent net0 elmer net0 wu
	kt_addr relent net0 10.0.0.100/24; kt_addr elmer net0 10.0.0.110/24
}

sk() { local ns=$1; shift; ip netns exec "$ns" "$setkey" "$@"; }

# load NS FILE [tunnel] [fwd]: setkey -f FILE. Under afkey, what Linux needs
# on top (logged): "tunnel" gives the SAs without -m a `-m tunnel` (af_key
# takes KAME's mode "any" for transport, which a tunnel request never
# matches), "fwd" adds a `-P fwd` twin of each `-P in` policy.
load() {
	local ns=$1 f=$2 use=$2 flags=" ${*:3} "
	if [ "$KT_STACK" = afkey ] && [ "$flags" != "  " ]; then
		use=$ESP_DIR/$(basename "$f" .conf).afkey.conf
		cp "$f" "$use"
		case $flags in *" tunnel "*)
			sed -i -E '/^add /{/ -m /!s/^(add +[^ ]+ +[^ ]+ +esp +[^ ]+)/\1 -m tunnel/}' "$use" ;;
		esac
		case $flags in *" fwd "*)
			sed -n 's/^\(spdadd .*\) -P in \(ipsec .*\)$/\1 -P fwd \2/p' "$f" >>"$use" ;;
		esac
		cmp -s "$f" "$use" && kt_fail "$case: nothing to adapt in $f for af_key"
		kt_log "$case: for af_key, $ns loads $(basename "$f") as: $(diff "$f" "$use" | sed -n 's/^> //p' | tr '\n' ' ')"
	fi
	sk "$ns" -f "$use" 2>"$ESP_DIR/err" || kt_fail "$case: setkey -f $(basename "$f") in $ns: $(cat "$ESP_DIR/err")"
}

flush() {
	local ns
	for ns in "$@"; do sk "$ns" -F && sk "$ns" -FP || kt_fail "flush in $ns failed"; done
}

# wire PROTO CLEAR_FILTER SPI...: after esp_capture_stop, PROTO (ESP|AH)
# frames with each SPI on the wire, and nothing matching CLEAR_FILTER.
wire() {
	local proto=$1 clear=$2 spi dump; shift 2
	dump=$(tcpdump -n -r "$cap.wire" 2>/dev/null)
	for spi in "$@"; do
		grep -q "$proto(spi=$(printf 0x%08x "$spi")," <<<"$dump" ||
			kt_fail "$case: no $proto with SPI $spi on the wire: $(head -5 <<<"$dump")"
	done
	dump=$(tcpdump -n -r "$cap.wire" "$clear" 2>/dev/null)
	[ -z "$dump" ] || kt_fail "$case: clear traffic on the wire: $(head -3 <<<"$dump")"
	kt_log "$case: wire ok: $(tcpdump -n -r "$cap.wire" 2>/dev/null | grep -c "$proto(spi=") $proto frames, nothing clear ($clear)"
}

echo_clear='tcp or icmp'
