# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 420
# Dead peers, ikd against ikd on kipsec.ko (`require` transport policies
# between h1 and h2):
#  - dead: with dpd_delay 2, dpd_retry 1, dpd_maxfail 2, h2's ikd is killed
#    (-9) and its SAD flushed, as a reboot would; h1 logs the peer dead
#    within dpd_delay x (dpd_maxfail + 1) (+ slack), and its SAs are gone
#    from `setkey -D`; h2's ikd comes back, its first ping negotiates anew
#    (INITIAL_CONTACT in its IKE_AUTH), the ping flows and each host has
#    exactly one pair of SAs, with the same SPIs;
#  - rebooted before the liveness checks notice (h1 with dpd_delay 60 this
#    time): h2 comes back at once, and its INITIAL_CONTACT makes h1 drop
#    the stale IKE SA and take its child SAs out of the kernel: again
#    exactly one pair on each host, and no "dead" line.
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/guest/ikd.bash"

setkey=$KT_BUILD/bin/setkey
kt_load_kipsec
kt_topo_h2h
psk=kipsec-ikd-dpd-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')
DELAY=2 RETRY=1 MAXFAIL=2

# conf NAME ME PEER DPD_DELAY
conf() {
	ikd_psk "$1" <<-EOF
	$3 $psk
	EOF
	ikd_conf "$1" <<-EOF
	path pre_shared_key "$IKD_DIR/$1.psk";
	timer { counter 3; interval 2 sec; }
	remote $3 {
		ike_version 2;
		dpd_delay $4;
		dpd_retry $RETRY;
		dpd_maxfail $MAXFAIL;
		proposal {
			encryption_algorithm aes 128;
			hash_algorithm sha256;
			authentication_method pre_shared_key;
			dh_group 31;
		}
	}
	sainfo anonymous {
		encryption_algorithm aes 128;
		authentication_algorithm hmac_sha256;
	}
	EOF
	ip netns exec "${1:0:2}" "$IKD" -n -f "$IKD_DIR/$1.conf" ||
		kt_fail "ikd -n refuses $1's configuration"
}
for h in h1 h2; do
	if [ $h = h1 ]; then me=10.1.1.1 peer=20.1.1.1; else me=20.1.1.1 peer=10.1.1.1; fi
	ip netns exec $h "$setkey" -c <<-EOF || kt_fail "setkey on $h failed"
	spdadd $me $peer any -P out ipsec esp/transport//require;
	spdadd $peer $me any -P in ipsec esp/transport//require;
	EOF
done
conf h1 10.1.1.1 20.1.1.1 $DELAY
conf h2 20.1.1.1 10.1.1.1 $DELAY

nesp() { ip netns exec "$1" "$setkey" -D | grep -c '^	esp mode='; }
spis() { ip netns exec "$1" "$setkey" -D | awk '/^\tesp mode=/ { print $3 }' | sort | tr '\n' ' '; }
nchild() { grep -c 'CHILD_SA established' "$(ikd_log $1)"; }
nchild_ge() { [ "$(nchild $1)" -ge "$2" ]; }

# up NAME FROM DST: FROM's ping raises the ACQUIRE; NAME's log (FROM's
# ikd) shows both child SA halves, then pings flow.
up() {
	local n0 out
	n0=$(nchild $1)
	ip netns exec $2 ping -n -c 1 -W 1 $3 >/dev/null 2>&1
	kt_wait_for 60 nchild_ge $1 $((n0 + 2)) || kt_fail "$1: no child SA within 60 s"
	out=$(ip netns exec $2 ping -n -c 3 -i 0.3 -W 3 $3 2>&1) ||
		kt_fail "$1: ping $2 -> $3 lost packets once the SAs were up: $out"
	kt_log "$1: $(grep transmitted <<<"$out")"
}

# one_pair: exactly one SA pair on each host, the same SPIs on both.
one_pair() {
	local n1 n2 s1 s2
	n1=$(nesp h1) n2=$(nesp h2) s1=$(spis h1) s2=$(spis h2)
	[ "$n1" = 2 ] && [ "$n2" = 2 ] ||
		kt_fail "$1: h1 has $n1 ESP SAs, h2 $n2; want one pair each"
	[ "$s1" = "$s2" ] || kt_fail "$1: h1's SPIs ($s1) are not h2's ($s2)"
	kt_log "$1: one SA pair on each host: $s1"
}

# kill9 NAME NS: ikd dies without a word and the host's SAD is flushed,
# as a reboot would leave it.
kill9() {
	kill -KILL "${IKD_PID[$1]}"
	wait "${IKD_PID[$1]}" 2>/dev/null
	ip netns exec $2 "$setkey" -F || kt_fail "setkey -F on $2 failed"
}

ikd_start h1 h1 -dd
ikd_start h2 h2 -dd
up h1 h1 20.1.1.1
one_pair "first negotiation"

# --- the peer dies -------------------------------------------------------
kill9 h2 h2
t0=$(date +%s%N)
dead_re="peer 20.1.1.1 dead: no answer to $((MAXFAIL + 1)) liveness checks"
kt_wait_for 30 grep -q "$dead_re" "$(ikd_log h1)" ||
	kt_fail "h1 did not log \"$dead_re\" within 30 s"
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
bound=$((DELAY * (MAXFAIL + 1) * 1000)) slack=1500
kt_log "h1 declared h2 dead after $ms ms (bound ${bound} ms + ${slack} ms slack)"
[ $ms -le $((bound + slack)) ] ||
	kt_fail "dead peer noticed after $ms ms, more than dpd_delay x (dpd_maxfail + 1) = $bound ms + $slack ms"
grep -c "retransmitting liveness check" "$(ikd_log h1)" | grep -qx "$MAXFAIL" ||
	kt_fail "h1 did not retransmit its liveness check exactly $MAXFAIL times"
kt_wait_for 5 test "$(nesp h1)" = 0 ||
	kt_fail "h1 still has SAs with its dead peer: $(ip netns exec h1 "$setkey" -D)"
kt_log "h1's SAD is empty"

# h2 comes back: its first ping negotiates, with INITIAL_CONTACT.
ikd_conf h2b <"$IKD_DIR/h2.conf"
ikd_start h2b h2 -dd
up h2b h2 10.1.1.1
grep -q "INITIAL_CONTACT from .*: no older IKE SA to remove" "$(ikd_log h1)" ||
	kt_fail "h1 did not see INITIAL_CONTACT from the restarted h2"
one_pair "after the restart"
ikd_stop h2b
ikd_stop h1

# --- the peer reboots before the checks notice --------------------------
conf h1b 10.1.1.1 20.1.1.1 60
ikd_start h1b h1 -dd
ikd_conf h2c <"$IKD_DIR/h2.conf"
ikd_start h2c h2 -dd
up h1b h1 20.1.1.1
one_pair "second negotiation"
kill9 h2c h2
ikd_conf h2d <"$IKD_DIR/h2.conf"
ikd_start h2d h2 -dd
# h1 still holds the stale pair: h2's ping raises h2's ACQUIRE.
[ "$(nesp h1)" = 2 ] || kt_fail "h1 lost its SAs before h2 came back"
up h2d h2 10.1.1.1
grep -q "INITIAL_CONTACT from .*: removing its older IKE SA and CHILD_SAs" "$(ikd_log h1b)" ||
	kt_fail "h1 did not remove the stale IKE SA on INITIAL_CONTACT"
one_pair "after INITIAL_CONTACT"
grep -q "dead: no answer" "$(ikd_log h1b)" &&
	kt_fail "h1 declared the peer dead: the test meant INITIAL_CONTACT to act first"
ikd_stop h2d
ikd_stop h1b
kt_log "ok"
