# SPDX-License-Identifier: BSD-2-Clause
# Shell library for guest tests: sourced by tests/guest/*.sh, runs as root
# inside the QEMU guest. Hosts are network namespaces wired with veth.
#
#   kt_fail MSG        fail the test now
#   kt_skip REASON     skip the test (exit 77) with a reason the summary shows
#   kt_assert CMD...   run CMD, fail with its output if it fails
#   kt_refute CMD...   run CMD, fail if it succeeds
#   kt_load_kipsec / kt_unload_kipsec
#   kt_topo_h2h [WIRE] h1 (10.1.1.1, fd00:1::1) --- h2 (20.1.1.1, fd00:2::1)
#   kt_h2h_neigh6      static IPv6 neighbours between h1 and h2
#   kt_topo_gw [WIRE]  left (10.0.1.2) - gw1 (10.0.1.1|20.0.0.1) ===
#                      gw2 (20.0.0.2|10.0.2.1) - right (10.0.2.2); IPv6 alike
#                      WIRE: the h1-h2 / gw1-gw2 link runs through that
#                      bridge namespace (kt_link_wire), for captures
#   kt_ping_ok NS DST / kt_ping_fails NS DST
#   kt_tcp_ok FROM_NS TO_NS DST [BYTES|FILE]   transfer, data compared, MB/s printed
#   kt_capture_start NS IFACE FILE [FILTER] / kt_capture_stop
#   KT_STACK           the PF_KEY stack of a test's "kipsec side": kipsec
#                      (default) or afkey (Linux af_key + native XFRM, to run
#                      the data-plane tests before kipsec has one)
#   kt_load_stack      load KT_STACK's module (kt_load_kipsec, or af_key)
#   kt_stat NS FAMILY NAME   a counter of NS's /proc/net/kipsec_stat
#                      (FAMILY ipv4|ipv6); fails when it is missing, so use
#                      v=$(kt_stat ...) || exit 1
#   kt_sa_stat NS SPI NAME   token NAME=N of the SA with that SPI in NS's
#                      /proc/net/kipsec_sa (packets, bytes, replay, auth...);
#                      NS may be a /proc/PID/net directory, read without
#                      an `ip netns exec`
#   kt_link_wire NS1 IF1 NS2 IF2 WIRE   kt_link through a bridge in namespace
#                      WIRE; capture there on port NS1-IF1 to see the frames
#                      really on the wire (a host's own tcpdump also shows
#                      what its IPsec stack decrypted and re-injected)
set -u
KT_TOP=${KT_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
KT_BUILD=${KT_BUILD:-$KT_TOP/build}
KT_MODULE=${KT_MODULE:-$KT_TOP/kernel/kipsec.ko}
KT_TMP=$(mktemp -d /tmp/kt.XXXXXX)
KT_PIDS=()

kt_log() { echo "# $*"; }
kt_fail() { echo "FAIL: $*" >&2; exit 1; }
kt_skip() { echo "$*" >"${KT_SKIP_FILE:-/dev/null}"; echo "SKIP: $*"; exit 77; }

kt_assert() {
	local out
	out=$("$@" 2>&1) || kt_fail "'$*' failed: $out"
	[ -z "$out" ] || printf '%s\n' "$out"
}

kt_refute() {
	"$@" >/dev/null 2>&1 && kt_fail "'$*' succeeded but should have failed"
	return 0
}

# Compare two strings, show a diff when they differ.
kt_expect_eq() {
	local what=$1 want=$2 got=$3
	[ "$want" = "$got" ] && return 0
	diff -u <(printf '%s\n' "$want") <(printf '%s\n' "$got") >&2
	kt_fail "$what differs"
}

kt_cleanup() {
	local p
	for p in "${KT_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip -all netns delete 2>/dev/null
	rm -rf "$KT_TMP"
}
trap kt_cleanup EXIT

kt_module_loaded() { grep -q "^$1 " /proc/modules; }

kt_load_kipsec() {
	kt_module_loaded af_key && { rmmod af_key || kt_fail "cannot unload af_key"; }
	kt_module_loaded kipsec && return 0
	insmod "$KT_MODULE" "$@" || kt_fail "insmod kipsec.ko failed"
	# insmod/modprobe can report success when init returned -EEXIST.
	kt_module_loaded kipsec || kt_fail "kipsec is not in /proc/modules after insmod"
}

kt_unload_kipsec() {
	kt_module_loaded kipsec || return 0
	ip -all netns delete 2>/dev/null
	rmmod kipsec || kt_fail "rmmod kipsec failed"
}

# kt_ns NAME: a namespace with loopback up and forwarding on.
kt_ns() {
	ip netns add "$1" || kt_fail "cannot create netns $1"
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

# kt_link NS1 IF1 NS2 IF2: a veth pair between two namespaces.
kt_link() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" ||
		kt_fail "cannot create veth $1:$2 - $3:$4"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

# kt_addr NS IF ADDR/PLEN (nodad for IPv6 so it is usable at once)
kt_addr() {
	case $3 in
	*:*) ip -n "$1" -6 addr add "$3" dev "$2" nodad ;;
	*) ip -n "$1" addr add "$3" dev "$2" ;;
	esac || kt_fail "cannot add $3 to $1:$2"
}

# kt_peer_link NS1 IF1 NS2 IF2 [WIRE]: a veth pair, or through WIRE's bridge.
kt_peer_link() {
	if [ -n "${5:-}" ]; then kt_link_wire "$@"; else kt_link "$1" "$2" "$3" "$4"; fi
}

kt_topo_h2h() {
	kt_ns h1; kt_ns h2
	kt_peer_link h1 eth0 h2 eth0 "${1:-}"
	# The seeds put the two hosts in different /8s on one wire.
	kt_addr h1 eth0 10.1.1.1/32; kt_addr h2 eth0 20.1.1.1/32
	ip -n h1 route add 20.1.1.1/32 dev eth0
	ip -n h2 route add 10.1.1.1/32 dev eth0
	kt_addr h1 eth0 fd00:1::1/128; kt_addr h2 eth0 fd00:2::1/128
	ip -n h1 -6 route add fd00:2::1/128 dev eth0
	ip -n h2 -6 route add fd00:1::1/128 dev eth0
}

# kt_h2h_neigh6: kt_topo_h2h's IPv6 neighbours, static, for tests that must
# not wait for (or be disturbed by) neighbour discovery under a policy.
kt_h2h_neigh6() {
	local m1 m2
	m1=$(ip -n h1 link show eth0 | awk '/link\/ether/ { print $2 }')
	m2=$(ip -n h2 link show eth0 | awk '/link\/ether/ { print $2 }')
	ip -n h1 -6 neigh replace fd00:2::1 lladdr "$m2" dev eth0 nud permanent &&
		ip -n h2 -6 neigh replace fd00:1::1 lladdr "$m1" dev eth0 nud permanent ||
		kt_fail "cannot set the IPv6 neighbours"
}

kt_topo_gw() {
	local n
	for n in left gw1 gw2 right; do kt_ns $n; done
	kt_link left eth0 gw1 lan0
	kt_peer_link gw1 wan0 gw2 wan0 "${1:-}"
	kt_link gw2 lan0 right eth0
	kt_addr left eth0 10.0.1.2/24; kt_addr gw1 lan0 10.0.1.1/24
	kt_addr gw1 wan0 20.0.0.1/24; kt_addr gw2 wan0 20.0.0.2/24
	kt_addr gw2 lan0 10.0.2.1/24; kt_addr right eth0 10.0.2.2/24
	ip -n left route add default via 10.0.1.1
	ip -n right route add default via 10.0.2.1
	ip -n gw1 route add 10.0.2.0/24 via 20.0.0.2
	ip -n gw2 route add 10.0.1.0/24 via 20.0.0.1
	kt_addr left eth0 fd00:a::2/64; kt_addr gw1 lan0 fd00:a::1/64
	kt_addr gw1 wan0 fd00:f::1/64; kt_addr gw2 wan0 fd00:f::2/64
	kt_addr gw2 lan0 fd00:b::1/64; kt_addr right eth0 fd00:b::2/64
	ip -n left -6 route add default via fd00:a::1
	ip -n right -6 route add default via fd00:b::1
	ip -n gw1 -6 route add fd00:b::/64 via fd00:f::2
	ip -n gw2 -6 route add fd00:a::/64 via fd00:f::1
}

kt_ping() {
	local ns=$1 dst=$2; shift 2
	ip netns exec "$ns" ping -n -q -c "${KT_PING_COUNT:-2}" -i 0.2 -W 2 "$@" "$dst"
}

kt_ping_ok() {
	local out
	out=$(kt_ping "$@" 2>&1) || kt_fail "ping from $1 to $2 failed: $out"
}

kt_ping_fails() {
	kt_ping "$@" >/dev/null 2>&1 && kt_fail "ping from $1 to $2 succeeded but should fail"
	return 0
}

# kt_tcp_ok FROM TO DST [BYTES] [PORT]: send BYTES random bytes over TCP
# from FROM to DST (in TO), compare what arrived with what was sent, print
# the rate in MB/s. A file in place of BYTES is sent instead. A small C
# program moves the bytes (tests/guest/tcpxfer.c; tcpxfer.py before it,
# whose two Python start-ups per transfer took seconds under TCG), cmp
# compares them. The rate is over the connection's life, as the sender
# timed it.
kt_tcp_ok() {
	local from=$1 to=$2 dst=$3 bytes=${4:-1048576} port=${5:-5001} sink secs
	local tx=$KT_TMP/tcp.tx.$bytes rx=$KT_TMP/tcp.rx ready=$KT_TMP/tcp.ready
	local xfer=$KT_BUILD/guest/tcpxfer
	[ -x "$xfer" ] || kt_fail "$xfer not built (make all)"
	if [ -f "$bytes" ]; then tx=$bytes bytes=$(stat -c %s "$bytes"); fi
	[ -s "$tx" ] || head -c "$bytes" /dev/urandom >"$tx"
	rm -f "$rx" "$ready"
	ip netns exec "$to" "$xfer" recv "$port" "$rx" "$ready" 2>"$KT_TMP/tcp.rx.err" &
	sink=$!
	kt_wait_for 30 test -e "$ready" ||
		{ kill $sink 2>/dev/null; kt_fail "TCP receiver in $to did not start: $(cat "$KT_TMP/tcp.rx.err")"; }
	secs=$(ip netns exec "$from" "$xfer" send "$dst" "$port" "$tx" 2>"$KT_TMP/tcp.tx.err") ||
		{ kill $sink 2>/dev/null; kt_fail "TCP from $from to $dst failed: $(tail -1 "$KT_TMP/tcp.tx.err")"; }
	wait $sink || kt_fail "TCP receiver in $to failed: $(tail -1 "$KT_TMP/tcp.rx.err")"
	cmp -s "$tx" "$rx" ||
		kt_fail "TCP $from -> $dst: the data received differs ($(stat -c %s "$rx") of $bytes bytes)"
	awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.2f\n", b / 1e6 / s }'
}

# kt_capture_start NS IFACE FILE [FILTER...]: tcpdump in the background.
kt_capture_start() {
	local ns=$1 ifc=$2 file=$3; shift 3
	ip netns exec "$ns" tcpdump -n -U --immediate-mode -i "$ifc" -w "$file" "$@" 2>"$file.log" &
	KT_PIDS+=($!)
	KT_CAPTURE_PID=$!
	# Wait until tcpdump has the interface open.
	local i
	for ((i = 0; i < 50; i++)); do grep -q listening "$file.log" 2>/dev/null && return 0; kt_nap 0.1; done
	kt_fail "tcpdump did not start on $ns:$ifc"
}

kt_capture_stop() {
	# Let the last packets reach the file: a loaded TCG guest is slow.
	sleep 1
	kill -INT "$KT_CAPTURE_PID" 2>/dev/null
	wait "$KT_CAPTURE_PID" 2>/dev/null
	return 0
}

# kt_nap SECONDS: sleep without starting a process. Under TCG every exec
# costs about 0.1 s of guest CPU, and a poll loop's /bin/sleep was one of
# the suite's largest costs (seen with process accounting). read times out
# on a pipe that this shell holds both ends of, so nothing ever arrives.
exec {KT_NAP_FD}<> <(:)
kt_nap() {
	read -rt "$1" -u "$KT_NAP_FD" _ || :
}

# kt_wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds, at
# most SECONDS*10 times. The limit counts polls, not time: in a loaded TCG
# guest each poll can cost more than its 0.1 s, so a wait stretches (four
# times, seen in CI) and stays within a test's limit only when short.
kt_wait_for() {
	local limit=$1 i; shift
	for ((i = 0; i < limit * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		kt_nap 0.1
	done
	return 1
}

KT_STACK=${KT_STACK:-kipsec}

kt_load_stack() {
	case $KT_STACK in
	kipsec) kt_load_kipsec ;;
	afkey)
		kt_module_loaded kipsec && { rmmod kipsec || kt_fail "cannot unload kipsec"; }
		kt_module_loaded af_key || modprobe af_key || kt_fail "cannot load af_key"
		kt_module_loaded af_key || kt_fail "af_key is not in /proc/modules after modprobe" ;;
	*) kt_fail "KT_STACK=$KT_STACK: want kipsec or afkey" ;;
	esac
}

kt_stat() {
	local v
	v=$(ip netns exec "$1" awk -v f="$2" -v n="$3" '$1 == f && $2 == n { print $3; exit }' \
		/proc/net/kipsec_stat 2>/dev/null)
	[ -n "$v" ] || kt_fail "no counter '$2 $3' in /proc/net/kipsec_stat of $1"
	echo "$v"
}

kt_sa_stat() {
	local v spi in=(ip netns exec "$1") net=/proc/net
	[[ $1 = /* ]] && in=() net=$1
	spi=$(printf 'spi=0x%08x' "$2")
	v=$("${in[@]}" awk -v s="$spi" -v n="$3=" '
		{ hit = 0; for (i = 1; i <= NF; i++) if ($i == s) hit = 1 }
		hit { for (i = 1; i <= NF; i++) if (index($i, n) == 1) { print substr($i, length(n) + 1); exit } }' \
		"$net/kipsec_sa" 2>/dev/null)
	[ -n "$v" ] || kt_fail "no '$3' for $spi in /proc/net/kipsec_sa of $1"
	echo "$v"
}

kt_link_wire() {
	local w=$5
	if [ ! -e "/run/netns/$w" ]; then
		kt_ns "$w"
		ip netns exec "$w" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
		ip -n "$w" link add br0 type bridge && ip -n "$w" link set br0 up ||
			kt_fail "cannot create the bridge in $w"
	fi
	kt_link "$1" "$2" "$w" "$1-$2"
	kt_link "$3" "$4" "$w" "$3-$4"
	ip -n "$w" link set "$1-$2" master br0 && ip -n "$w" link set "$3-$4" master br0 ||
		kt_fail "cannot bridge $1:$2 and $3:$4 in $w"
}
