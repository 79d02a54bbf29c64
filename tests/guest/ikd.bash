# SPDX-License-Identifier: BSD-2-Clause
# ikd in guest tests: sourced after tests/vm/lib.sh.
#
#   ikd_conf NAME      racoon.conf of instance NAME from stdin; its psk.txt
#                      is $IKD_DIR/NAME.psk (write it with ikd_psk)
#   ikd_psk NAME       psk.txt from stdin, mode 0600
#   ikd_start NAME NS [ARGS...]   ikd -F in netns NS, its log in
#                      $IKD_DIR/NAME.log, its IKE keys (-K) in NAME.keys;
#                      returns once it says it started
#   ikd_stop NAME      SIGTERM; fails unless it exits within 30 s, status 0
#   ikd_log NAME       the log's path
#   ikd_wait_log NAME REGEX [SECS]   until the log has a line matching
#   ikd_topo_inner     kt_topo_h2h (wire w, IPv6 neighbours) plus inner
#                      addresses 10.99.N.1 and fd00:99:N::1 on hN's lo,
#                      routed over eth0 (for tunnel-mode cases)
#   ikd_case_conf IKE_ENC HASH DH ESP_ENC [ESP_AUTH]   h1's racoon.conf:
#                      one IKEv2 proposal for any peer, one sainfo, the
#                      key in $IKD_DIR/h1.psk
# A failing test prints the tail of every ikd log (kt_fail's trap).
IKD=${IKD:-$KT_BUILD/bin/ikd}
IKD_DIR=$KT_TMP/ikd
mkdir -p "$IKD_DIR"
[ -x "$IKD" ] || kt_fail "ikd not built ($IKD)"
declare -A IKD_PID

ikd_log() { echo "$IKD_DIR/$1.log"; }

ikd_conf() {
	cat >"$IKD_DIR/$1.conf"
}

ikd_psk() {
	(umask 077; cat >"$IKD_DIR/$1.psk")
}

ikd_start() {
	local name=$1 ns=$2; shift 2
	ip netns exec "$ns" "$IKD" -F -f "$IKD_DIR/$name.conf" \
		-l "$IKD_DIR/$name.log" -p "$IKD_DIR/$name.pid" \
		-K "$IKD_DIR/$name.keys" "$@" >"$IKD_DIR/$name.out" 2>&1 &
	IKD_PID[$name]=$!
	KT_PIDS+=($!)
	kt_wait_for 120 ikd_started "$name" ||
		kt_fail "ikd $name did not start: $(tail -5 "$IKD_DIR/$name.out")"
	grep -qE "ikd .* started" "$IKD_DIR/$name.log" ||
		kt_fail "ikd $name exited at start: $(tail -5 "$IKD_DIR/$name.out")"
}

# True once ikd logged its start, or once it is gone: a configuration error
# ends the wait at once instead of after the whole timeout.
ikd_started() {
	grep -qE "ikd .* started" "$IKD_DIR/$1.log" 2>/dev/null ||
		! kill -0 "${IKD_PID[$1]}" 2>/dev/null
}

ikd_wait_log() {
	kt_wait_for "${3:-30}" grep -qE "$2" "$IKD_DIR/$1.log"
}

ikd_stop() {
	local pid=${IKD_PID[$1]} i st
	kill -TERM "$pid" 2>/dev/null || kt_fail "ikd $1 is not running"
	for ((i = 0; i < 300; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		kt_nap 0.1
	done
	kill -0 "$pid" 2>/dev/null && kt_fail "ikd $1 did not stop within 30 s"
	wait "$pid"; st=$?
	[ "$st" = 0 ] || kt_fail "ikd $1 exited with status $st"
}

ikd_tails() {
	local f
	for f in "$IKD_DIR"/*.log; do
		[ -e "$f" ] || continue
		echo "--- $(basename "$f") (last 25 lines)" >&2
		tail -25 "$f" >&2
	done
}
# A failure shows the logs, and keeps them where the host can read them
# (tests/vm/ike.sh's KT_IKE_LOGS, when the test sourced it).
kt_fail() {
	echo "FAIL: $*" >&2
	ikd_tails
	[ -n "${KT_IKE_LOGS:-}" ] && cp "$IKD_DIR"/*.log "$KT_IKE_LOGS/" 2>/dev/null
	exit 1
}

ikd_topo_inner() {
	kt_topo_h2h w
	kt_h2h_neigh6
	kt_addr h1 lo 10.99.1.1/32; kt_addr h2 lo 10.99.2.1/32
	kt_addr h1 lo fd00:99:1::1/128; kt_addr h2 lo fd00:99:2::1/128
	ip -n h1 route add 10.99.2.1/32 dev eth0 src 10.99.1.1
	ip -n h2 route add 10.99.1.1/32 dev eth0 src 10.99.2.1
	ip -n h1 -6 route add fd00:99:2::1/128 dev eth0 src fd00:99:1::1
	ip -n h2 -6 route add fd00:99:1::1/128 dev eth0 src fd00:99:2::1
}

ikd_case_conf() {
	ikd_conf h1 <<-EOF
	path pre_shared_key "$IKD_DIR/h1.psk";
	timer { counter 5; interval 2 sec; }
	remote anonymous {
		${IKD_CASE_VERSION:-ike_version 2;}
		proposal {
			encryption_algorithm $1;
			hash_algorithm $2;
			authentication_method pre_shared_key;
			dh_group $3;
		}
	}
	sainfo anonymous {
		encryption_algorithm $4;
		$([ -n "${5:-}" ] && echo "authentication_algorithm $5;")
	}
	EOF
}
