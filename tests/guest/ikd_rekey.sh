# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 600
# Rekeying, make before break, with a steady flow through it: two paced
# UDP streams (20 datagrams/s each way, sequence numbers,
# tests/guest/udp_seq.py) must lose nothing while the SAs change under
# them. Transport mode, `require` policies on both hosts.
#  1. ikd <-> ikd, both on kipsec.ko, one flow throughout:
#     - simultaneous child rekey (RFC 7296 2.8.1): SIGUSR2 to both
#       daemons at once; both rekey the same child, the redundant new
#       child goes;
#     - simultaneous IKE SA rekey: `ikdctl rekey ike` on both while h2's
#       IKE is held back by iptables, then released: the requests cross,
#       both log it, one IKE SA is left (checked at the end);
#     - h1's sainfo lives 6 s and its IKE SA 8 s, h2's 10 s and 12 s
#       (SIGHUP): h1 rekeys the child >= 3 times and the IKE SA once;
#       then the other way round (SIGHUP again): h2 rekeys the child
#       >= 2 times and the IKE SA once;
#     - no datagram lost either way; at the end each host has exactly
#       the current pair of SAs, the same SPIs on both, one IKE SA, and
#       no SA reached its hard lifetime.
#  2. ikd (kipsec.ko) <-> strongSwan's charon (native XFRM), PFS with
#     Curve25519: ikd rekeys the child at its soft lifetime and the IKE
#     SA at its lifetime, charon both when told (swanctl --rekey);
#     no datagram lost; one pair left on each host, the same SPIs.
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/vm/ike.sh"
. "$KT_TOP/tests/guest/ikd.bash"

setkey=$KT_BUILD/bin/setkey
ikdctl=$KT_BUILD/bin/ikdctl
useq=$KT_TOP/tests/guest/udp_seq.py
psk=kipsec-ikd-rekey-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')
kt_load_kipsec
modprobe aesni_intel 2>/dev/null
kt_topo_h2h wire

# conf HOST PEER CHILD_LIFETIME IKE_LIFETIME [PFS_LINE]
conf() {
	ikd_conf $1 <<-EOF
	path pre_shared_key "$IKD_DIR/$1.psk";
	listen { adminsock "$IKD_DIR/$1.sock"; }
	timer { counter 5; interval 2 sec; }
	remote $2 {
		ike_version 2;
		lifetime time $4;
		proposal {
			encryption_algorithm aes 128;
			hash_algorithm sha256;
			authentication_method pre_shared_key;
			dh_group 31;
		}
	}
	sainfo anonymous {
		lifetime time $3;
		${5:-}
		encryption_algorithm aes 128;
		authentication_algorithm hmac_sha256;
	}
	EOF
}
policies() {
	ip netns exec $1 "$setkey" -c <<-EOF || kt_fail "setkey on $1 failed"
	spdflush;
	spdadd $2 $3 any -P out ipsec esp/transport//require;
	spdadd $3 $2 any -P in ipsec esp/transport//require;
	EOF
}
hup() {
	local n0
	n0=$(grep -c 'SIGHUP: .* reloaded' "$(ikd_log $1)")
	kill -HUP "${IKD_PID[$1]}"
	until_s 10 eval "[ \$(grep -c 'SIGHUP: .* reloaded' $(ikd_log $1)) -gt $n0 ]" ||
		kt_fail "$1 did not reload"
}
# until_s SECS CMD...: CMD until it succeeds, for SECS seconds of wall
# time (kt_wait_for counts tries, and each try is slow in the guest).
until_s() {
	local end=$((SECONDS + $1)); shift
	while [ $SECONDS -lt $end ]; do "$@" >/dev/null 2>&1 && return 0; kt_nap 0.2; done
	return 1
}
# count HOST REGEX: lines of HOST's ikd log that match.
count() { grep -cE "$2" "$(ikd_log $1)"; }
count_ge() { [ "$(count "$1" "$2")" -ge "$3" ]; }
# esp_spis NS: its ESP SPIs (kipsec, setkey -D), sorted.
esp_spis() {
	ip netns exec "$1" "$setkey" -D | sed -n 's/.*esp mode=.* spi=[0-9]*(\(0x[0-9a-f]*\)).*/\1/p' | sort
}

# flow_start NAME: a stream each way (h1 -> h2 port 9000, h2 -> h1 port
# 9001) until flow_check NAME, which stops it and wants no loss.
flow_start() {
	local n=$1 ctl=$KT_TMP/$1.ctl
	mkdir -p "$ctl"
	ip netns exec h2 python3 "$useq" recv 20.1.1.1 9000 600 >"$KT_TMP/$n.r2" 2>&1 &
	FLOW_PIDS=($!)
	ip netns exec h1 python3 "$useq" recv 10.1.1.1 9001 600 >"$KT_TMP/$n.r1" 2>&1 &
	FLOW_PIDS+=($!)
	ip netns exec h1 python3 "$useq" send 20.1.1.1 9000 0.05 "$ctl" >"$KT_TMP/$n.s1" 2>&1 &
	FLOW_PIDS+=($!)
	ip netns exec h2 python3 "$useq" send 10.1.1.1 9001 0.05 "$ctl" >"$KT_TMP/$n.s2" 2>&1 &
	FLOW_PIDS+=($!)
	KT_PIDS+=("${FLOW_PIDS[@]}")
	until_s 60 eval "grep -q ready $KT_TMP/$n.r1 && grep -q ready $KT_TMP/$n.r2" ||
		kt_fail "$n: the receivers did not start"
	touch "$ctl/go"
}
flow_check() {
	local n=$1 p r dir
	touch "$KT_TMP/$n.ctl/stop"
	for p in "${FLOW_PIDS[@]}"; do wait "$p"; done
	for r in r1 r2; do
		dir="h1 -> h2"; [ $r = r1 ] && dir="h2 -> h1"
		grep -q '^received ' "$KT_TMP/$n.$r" || kt_fail "$n: $dir: $(cat "$KT_TMP/$n.$r")"
		kt_log "$n: $dir: $(grep '^received' "$KT_TMP/$n.$r")"
		grep -q 'no END' "$KT_TMP/$n.$r" &&
			kt_fail "$n: $dir: the stream ended without its END (sender: $(cat "$KT_TMP/$n.s$((3 - ${r#r}))"))"
		grep -q ' lost 0 ' "$KT_TMP/$n.$r" ||
			kt_fail "$n: $dir: datagrams lost: $(grep '^received' "$KT_TMP/$n.$r")"
		[ "$(awk '/^received/ { print $4 }' "$KT_TMP/$n.$r")" -ge 100 ] ||
			kt_fail "$n: $dir: the stream was too short: $(cat "$KT_TMP/$n.$r")"
	done
}
# one_pair H1SPIS H2SPIS: both hosts have exactly two ESP SAs, the same.
one_pair() {
	local a b
	a=$(esp_spis h1)
	b=$1
	[ "$(wc -l <<<"$a")" = 2 ] && [ "$a" = "$b" ]
}
pair_ikd() { one_pair "$(esp_spis h2)"; }
pair_charon() { one_pair "$(kt_ike_esp_spis h2)"; }

# ike_sas HOST: its established IKE SAs' SPIs, one line each (SIGUSR1 writes
# them to the log).
ike_sas() {
	local n0
	n0=$(count $1 'state: kernel interface')
	kill -USR1 "${IKD_PID[$1]}"
	until_s 5 count_ge $1 'state: kernel interface' $((n0 + 1))
	sleep 0.2
	awk -v n=$n0 '/state: kernel interface/ { s++; next }
		s > n && /NOTIFY: IKE SA [0-9a-f]+:[0-9a-f]+ .* established \(/ { print $6 }' "$(ikd_log $1)"
}

# --- 1. ikd <-> ikd -----------------------------------------------------
# h1's IKE SA lives 8 s, h2's 12 s: h1 rekeys it (and keeps doing so).
for h in h1 h2; do
	if [ $h = h1 ]; then me=10.1.1.1 peer=20.1.1.1 ike="8 sec"
	else me=20.1.1.1 peer=10.1.1.1 ike="12 sec"; fi
	ikd_psk $h <<<"$peer $psk"
	conf $h $peer "1 hour" "$ike"
	policies $h $me $peer
done
# SIGUSR2 makes both rekey at once; the jitter is off for the same reason.
export IKD_TEST_NO_REKEY_JITTER=1
ikd_start h1 h1 -d
ikd_start h2 h2 -d
unset IKD_TEST_NO_REKEY_JITTER
ip netns exec h1 ping -n -c 1 -W 1 20.1.1.1 >/dev/null 2>&1
until_s 60 pair_ikd || kt_fail "no child SA from the first ping"
ip netns exec h1 ping -n -q -c 2 -i 0.3 -W 3 20.1.1.1 >/dev/null || kt_fail "ping fails"
first=$(esp_spis h1 | tr '\n' ' ')
kt_log "child SA up: $first"

# One flow for all of part 1.
t0=$(date +%s)
flow_start pair

# Simultaneous: both daemons rekey the same child at once. A try where
# one request arrives before the other daemon acted is a plain rekey;
# the next try then runs on the new child.
for try in 1 2 3 4 5; do
	s0=$(count h1 'simultaneous rekey of CHILD_SA')
	kill -USR2 "${IKD_PID[h1]}" "${IKD_PID[h2]}"
	until_s 10 pair_ikd
	[ "$(count h1 'simultaneous rekey of CHILD_SA')" -gt "$s0" ] && break
done
count_ge h1 'simultaneous rekey of CHILD_SA' 1 && count_ge h2 'simultaneous rekey of CHILD_SA' 1 ||
	kt_fail "no simultaneous rekey in $try tries"
kt_log "simultaneous rekey after $try SIGUSR2 (h1: $(grep -m1 'simultaneous rekey' "$(ikd_log h1)" | sed 's/.*NOTIFY: //'))"
until_s 10 pair_ikd || kt_fail "after the simultaneous rekey: h1 $(esp_spis h1 | tr '\n' ' '), h2 $(esp_spis h2 | tr '\n' ' ')"
[ "$(esp_spis h1 | tr '\n' ' ')" != "$first" ] || kt_fail "the SPIs did not change"
kt_log "simultaneous case done, $(($(date +%s) - t0)) s into the flow"

# Children: h1 6 s, h2 10 s; a rekey (SIGUSR2 to h1) brings them in.
conf h1 20.1.1.1 "6 sec" "8 sec"; hup h1
conf h2 10.1.1.1 "10 sec" "12 sec"; hup h2
r1=$(count h1 'rekeying CHILD_SA .*(soft lifetime reached|soft EXPIRE)')
r2=$(count h2 'rekeying CHILD_SA .*(soft lifetime reached|soft EXPIRE)')
kill -USR2 "${IKD_PID[h1]}"
until_s 30 count_ge h1 'rekeying CHILD_SA .*(soft lifetime reached|soft EXPIRE)' $((r1 + 3)) ||
	kt_fail "h1 did not rekey the child 3 times at its soft lifetime"
count_ge h1 'IKE SA rekeyed by us' 1 || kt_fail "h1 did not rekey the IKE SA"
kt_log "h1 rekeyed the child 3 times, the IKE SA $(count h1 'IKE SA rekeyed by us') times, $(($(date +%s) - t0)) s into the flow"
# The other way round: h2's lifetimes are now the short ones. The IKE SA
# and the child take them at their next rekey (h1's, once more).
i2=$(count h2 'IKE SA rekeyed by us')
conf h1 20.1.1.1 "10 sec" "12 sec"; hup h1
conf h2 10.1.1.1 "6 sec" "8 sec"; hup h2
until_s 30 count_ge h2 'rekeying CHILD_SA .*(soft lifetime reached|soft EXPIRE)' $((r2 + 2)) ||
	kt_fail "h2 did not rekey the child 2 times at its soft lifetime"
until_s 30 count_ge h2 'IKE SA rekeyed by us' $((i2 + 1)) || kt_fail "h2 did not rekey the IKE SA"
kt_log "h2 rekeyed the child 2 times, the IKE SA once, $(($(date +%s) - t0)) s into the flow"
# Long lifetimes again, taken by one more rekey of each, so that the end
# state holds still long enough to be looked at.
i2=$(count h2 'IKE SA rekeyed by us')
conf h1 20.1.1.1 "1 hour" "1 hour"; hup h1
conf h2 10.1.1.1 "1 hour" "1 hour"; hup h2
kill -USR2 "${IKD_PID[h2]}"
until_s 20 count_ge h2 'IKE SA rekeyed by us' $((i2 + 1)) || kt_fail "h2 did not rekey the IKE SA again"
# Simultaneous IKE SA rekey (2.8.1), made certain: h2's IKE datagrams
# are held back while h2, then h1, are told to rekey the IKE SA (ikdctl;
# started one after the other, they are seconds apart here). h1's request
# reaches h2 while h2's own is out; released, h2's retransmitted request
# reaches h1 while h1's is unanswered. Lifetimes are long now: no rekey
# of their own gets in the way.
ip netns exec h2 iptables -A OUTPUT -p udp --dport 500 -j DROP || kt_fail "iptables on h2"
p2=$(count h2 'while we do too')
r2=$(count h2 'rekeying IKE SA')
# (ikdctl fails if a rekey is under way already: its SA's lifetime, from
# before the reload, may have started one; that one does as well)
ip netns exec h2 "$ikdctl" -s "$IKD_DIR/h2.sock" rekey ike 10.1.1.1 >/dev/null
until_s 5 count_ge h2 'rekeying IKE SA' $((r2 + 1)) || kt_fail "h2 does not rekey the IKE SA"
ip netns exec h1 "$ikdctl" -s "$IKD_DIR/h1.sock" rekey ike 20.1.1.1 >/dev/null
until_s 20 count_ge h2 'while we do too' $((p2 + 1)) ||
	kt_fail "h1's IKE SA rekey did not meet h2's"
ip netns exec h2 iptables -D OUTPUT -p udp --dport 500 -j DROP
# h2 answered h1's request while its own was out. Either h2's request
# then reaches h1 while h1's is out too, and the side whose new SA has
# the lowest nonce deletes it as redundant; or h1's rekey completes first
# (h2's request was still held back) and h1's DELETE of the old SA tells
# h2 that h1's new SA is the one. Either way: one IKE SA (checked below),
# the child SAs kept, nothing lost.
sim() {
	count_ge h1 'simultaneous rekey of IKE SA' 1 || count_ge h2 'simultaneous rekey of IKE SA' 1 ||
		count_ge h2 'its DELETE came first' 1
}
until_s 30 sim ||
	kt_fail "the simultaneous IKE SA rekey was not resolved: h1 $(grep -c 'IKE SA rekeyed' "$(ikd_log h1)"), h2 $(grep -c 'IKE SA rekeyed' "$(ikd_log h2)") rekeys"
kt_log "simultaneous IKE SA rekey: $(grep -hE 'simultaneous rekey of IKE|its DELETE came first' "$(ikd_log h1)" "$(ikd_log h2)" | sed 's/.*NOTIFY: //' | tr '\n' ' ')"

flow_check pair
until_s 10 pair_ikd || kt_fail "not one pair at the end: h1 $(esp_spis h1 | tr '\n' ' '), h2 $(esp_spis h2 | tr '\n' ' ')"
# One IKE SA each, the same (IKE SAs are rekeyed every few seconds here:
# a look may fall in the middle of one).
same_ike() {
	local a b
	a=$(ike_sas h1); b=$(ike_sas h2)
	[ -n "$a" ] && [ "$(wc -l <<<"$a")" = 1 ] && [ "$a" = "$b" ]
}
# After the crossed IKE SA rekeys, the side that kept the peer's redundant
# SA may hold it until the peer's DELETE, or 60 s if the peer dropped its
# half-made one without a DELETE (ike_rekey_ike.c).
until_s 75 same_ike || kt_fail "IKE SAs: h1 $(ike_sas h1 | tr '\n' ' '), h2 $(ike_sas h2 | tr '\n' ' ')"
n1=$(count h1 'CHILD_SA rekeyed'); n2=$(count h2 'CHILD_SA rekeyed')
[ $((n1 + n2)) -ge 7 ] || kt_fail "only $n1 + $n2 child rekeys"
for h in h1 h2; do
	count_ge $h 'hard lifetime.*deleting it on both sides' 1 && kt_fail "$h: an SA in use reached its hard lifetime"
	count_ge $h 'not established|cannot install|cannot rekey|rekeying failed' 1 &&
		kt_fail "$h: $(grep -m2 -E 'not established|cannot install|cannot rekey|rekeying failed' "$(ikd_log $h)")"
done
kt_log "ikd <-> ikd: child rekeys completed by h1 $n1, by h2 $n2; IKE SA rekeys by h1 $(count h1 'IKE SA rekeyed by us'), by h2 $(count h2 'IKE SA rekeyed by us'); one pair and one IKE SA left ($(esp_spis h1 | tr '\n' ' ')), $(($(date +%s) - t0)) s"

ikd_stop h2
ikd_stop h1
for h in h1 h2; do
	[ "$(ip netns exec $h "$setkey" -D)" = "No SAD entries." ] || kt_fail "SAs left on $h after ikd stopped"
done

# --- 2. ikd <-> charon --------------------------------------------------
t0=$(date +%s)
ip netns exec h2 "$setkey" -FP
ikd_psk h1c <<<"20.1.1.1 $psk"
conf h1c 20.1.1.1 "6 sec" "12 sec" "pfs_group curve25519;"
ikd_start h1c h1 -d
# charon keeps a rekeyed child's inbound SA 5 s by default; 1 s here, so
# that the end state comes sooner.
kt_charon_start c h2 "delete_rekeyed_delay = 1"
kt_charon_load c <<EOF
connections {
  rk {
    version = 2
    local_addrs = 20.1.1.1
    remote_addrs = 10.1.1.1
    proposals = aes128-sha256-x25519
    local {
      auth = psk
      id = 20.1.1.1
    }
    remote {
      auth = psk
      id = 10.1.1.1
    }
    children {
      rk {
        mode = transport
        esp_proposals = aes128-sha256-x25519
        rekey_time = 1h
      }
    }
  }
}
secrets {
  ike-rk {
    secret = "$psk"
  }
}
EOF
kt_charon_initiate c rk rk || kt_fail "charon could not initiate"
until_s 30 count_ge h1c 'CHILD_SA established' 2 || kt_fail "no child SA with charon"
r1=$(count h1c 'rekeying CHILD_SA .*(soft lifetime reached|soft EXPIRE)')
p1=$(count h1c 'peer rekeys CHILD_SA')
flow_start charon
until_s 20 count_ge h1c 'CHILD_SA rekeyed' 2 || kt_fail "ikd did not rekey the child twice with charon"
kt_charon_swanctl c --rekey --ike rk >>"$KT_TMP/rekey.out" 2>&1 ||
	kt_fail "swanctl --rekey --ike failed: $(cat "$KT_TMP/rekey.out")"
until_s 10 count_ge h1c 'IKE SA rekeyed by the peer' 1 || kt_fail "charon's IKE SA rekey did not complete at ikd"
until_s 15 count_ge h1c 'IKE SA rekeyed by us' 1 || kt_fail "ikd did not rekey the IKE SA with charon"
for i in 1 2; do
	sleep 1
	kt_charon_swanctl c --rekey --child rk >>"$KT_TMP/rekey.out" 2>&1 ||
		kt_fail "swanctl --rekey failed: $(cat "$KT_TMP/rekey.out")"
	until_s 10 count_ge h1c 'peer rekeys CHILD_SA' $((p1 + i)) ||
		kt_fail "charon's rekey $i did not reach ikd"
done
# Long lifetimes, taken by one more rekey of the child (SIGUSR2) and of
# the IKE SA (charon's), so that the end state holds still.
conf h1c 20.1.1.1 "1 hour" "1 hour" "pfs_group curve25519;"; hup h1c
cr=$(count h1c 'CHILD_SA rekeyed')
kill -USR2 "${IKD_PID[h1c]}"
# charon removes the old inbound SA a few seconds after ikd's DELETE, from
# a job that loses it if the IKE SA is rekeyed meanwhile (strongSwan 5.9.8
# logs "CHILD_SA {n} not found for delete" and the SA stays in XFRM): its
# IKE SA rekey waits until that is done.
until_s 20 count_ge h1c 'CHILD_SA rekeyed' $((cr + 1)) || kt_fail "ikd's last child rekey with charon did not complete"
until_s 30 pair_charon || kt_fail "after ikd's last child rekey: h1 $(esp_spis h1 | tr '\n' ' '), h2 $(kt_ike_esp_spis h2 | tr '\n' ' ')"
ip2=$(count h1c 'IKE SA rekeyed by the peer')
kt_charon_swanctl c --rekey --ike rk >>"$KT_TMP/rekey.out" 2>&1
until_s 20 count_ge h1c 'IKE SA rekeyed by the peer' $((ip2 + 1)) || kt_fail "charon's second IKE SA rekey did not complete at ikd"
flow_check charon
until_s 10 pair_charon || kt_fail "not one pair at the end: h1 $(esp_spis h1 | tr '\n' ' '), h2 $(kt_ike_esp_spis h2 | tr '\n' ' ')"
count_ge h1c 'not established|cannot install|cannot rekey|rekeying failed' 1 &&
	kt_fail "h1: $(grep -m2 -E 'not established|cannot install|cannot rekey|rekeying failed' "$(ikd_log h1c)")"
until_s 20 eval "[ \$(ike_sas h1c | wc -l) = 1 ]" || kt_fail "ikd's IKE SAs: $(ike_sas h1c)"
[ "$(kt_charon_sas c | grep -c 'ESTABLISHED')" = 1 ] || kt_fail "charon's IKE SAs: $(kt_charon_sas c)"
kt_log "ikd <-> charon: child rekeys by ikd $(($(count h1c 'rekeying CHILD_SA .*(soft lifetime reached|soft EXPIRE)') - r1)), by charon $(($(count h1c 'peer rekeys CHILD_SA') - p1)); IKE SA rekeys by ikd $(count h1c 'IKE SA rekeyed by us'), by charon $(count h1c 'IKE SA rekeyed by the peer'); one pair and one IKE SA left, $(($(date +%s) - t0)) s"
kt_charon_stop c
ikd_stop h1c
