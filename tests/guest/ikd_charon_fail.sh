# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 600
# What an admin sees when a negotiation fails, ikd (h1, kipsec.ko) against
# charon (h2, native XFRM):
#  - a wrong pre-shared key: AUTHENTICATION_FAILED in both logs, ikd's
#    naming the identity and the method; no SA on either host;
#  - no common proposal: NO_PROPOSAL_CHOSEN, and ikd's log lists both
#    sides' proposals, as initiator and as responder; no SA;
#  - a traffic selector charon's child does not accept (TS_UNACCEPTABLE):
#    ikd's log prints both selectors;
#  - a peer that does not answer: ikd retransmits with backoff, gives up
#    and says so; no SA, and a later ping raises a new negotiation.
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/vm/ike.sh"
. "$KT_TOP/tests/guest/ikd.bash"

setkey=$KT_BUILD/bin/setkey
PSK="kipsec ikd-fail $RANDOM$RANDOM"
kt_load_kipsec
modprobe aesni_intel 2>/dev/null
kt_topo_h2h
ip netns exec h1 "$setkey" -c <<EOF || kt_fail "setkey on h1 failed"
spdadd 10.1.1.1 20.1.1.1 any -P out ipsec esp/transport//require;
spdadd 20.1.1.1 10.1.1.1 any -P in ipsec esp/transport//require;
EOF

# h1's racoon.conf: IKE_ENC HASH DH; retransmission every second, 3 times.
h1_conf() {
	ikd_conf h1 <<-EOF
	path pre_shared_key "$IKD_DIR/h1.psk";
	timer { counter 3; interval 1 sec; }
	remote 20.1.1.1 {
		ike_version 2;
		proposal {
			encryption_algorithm $1;
			hash_algorithm $2;
			authentication_method pre_shared_key;
			dh_group $3;
		}
	}
	sainfo anonymous {
		encryption_algorithm aes 128;
		authentication_algorithm hmac_sha256;
	}
	EOF
}
reloads() { grep -c 'reloaded' "$(ikd_log h1)"; }
reloads_ge() { [ "$(reloads)" -ge "$1" ]; }
reload() {
	local r0
	r0=$(reloads)
	h1_conf "$@"
	kill -HUP "${IKD_PID[h1]}"
	kt_ike_until 30 reloads_ge $((r0 + 1)) || kt_fail "ikd did not reload"
}
# No mature SA: the larval one an ACQUIRE leaves stays for the larval
# lifetime, holding back the next ACQUIRE, as in KAME and XFRM. Each case
# waits for it to go before its ping: 10 s here, not the default 30 (a
# fixed 31-second sleep before each case was half of this test's time).
ip netns exec h1 sysctl -qw net.kipsec.larval_lifetime=10 || kt_fail "sysctl larval_lifetime on h1 failed"
no_larval() { ! ip netns exec h1 "$setkey" -D | grep -q 'state=larval'; }
larval_gone() { kt_ike_until 40 no_larval || kt_fail "$1: a larval SA outlived its lifetime"; }
no_sa() {
	! ip netns exec h1 "$setkey" -D | grep -q 'state=mature' &&
		[ -z "$(ip -n h2 xfrm state)" ]
}
# charon_conn NAME PROPOSALS [REMOTE_TS]
charon_conn() {
	kt_charon_load c <<-EOF
	connections {
	  $1 {
	    version = 2
	    local_addrs = 20.1.1.1
	    remote_addrs = 10.1.1.1
	    proposals = $2
	    local {
	      auth = psk
	      id = 20.1.1.1
	    }
	    remote {
	      auth = psk
	      id = 10.1.1.1
	    }
	    children {
	      $1 {
	        mode = transport
	        remote_ts = ${3:-dynamic}
	        esp_proposals = aes128-sha256
	      }
	    }
	  }
	}
	secrets {
	  ike-fail {
	    secret = "$PSK"
	  }
	}
	EOF
}
# logged FILE REGEX [SECS]: until FILE has a matching line.
logged() { kt_ike_until "${3:-30}" grep -qE "$2" "$1"; }
mark() { wc -l <"$1"; }
# since FILE LINE REGEX: a line matching after line LINE of FILE.
since() { tail -n +"$(($2 + 1))" "$1" | grep -qE "$3"; }
since_wait() { kt_ike_until "${4:-30}" since "$@"; }

ikd_psk h1 <<<"20.1.1.1 not-$PSK"
h1_conf "aes 128" sha256 14
ikd_start h1 h1 -d
kt_charon_start c h2
ilog=$(ikd_log h1) clog=$(kt_ike_log c)

# 1. Wrong PSK, both ways.
charon_conn psk aes128-sha256-modp2048
i0=$(mark "$ilog") c0=$(mark "$clog")
ip netns exec h1 ping -n -c 1 -W 1 20.1.1.1 >/dev/null 2>&1
since_wait "$ilog" $i0 'AUTHENTICATION_FAILED' || kt_fail "psk: ikd did not log AUTHENTICATION_FAILED"
since "$clog" $c0 'AUTHENTICATION_FAILED|authentication of .* failed|MAC mismatched' ||
	kt_fail "psk: charon's log has no authentication failure"
since "$ilog" $i0 'ID_IPV4_ADDR 20.1.1.1|20\.1\.1\.1' || kt_fail "psk: ikd's log does not name the peer"
since "$ilog" $i0 '[Pp]re.shared key|PSK|psk' || kt_fail "psk: ikd's log does not name the method"
kt_log "psk, ikd initiating: $(tail -n +$((i0 + 1)) "$ilog" | grep -m1 -E 'AUTHENTICATION_FAILED' | cut -d' ' -f3-)"
i0=$(mark "$ilog")
kt_charon_initiate c psk psk && kt_fail "psk: charon's initiation succeeded with a wrong key"
since_wait "$ilog" $i0 'authentication|AUTHENTICATION' || kt_fail "psk: ikd (responder) logged no authentication failure"
kt_log "psk, charon initiating: $(tail -n +$((i0 + 1)) "$ilog" | grep -m1 -iE 'authentication' | cut -d' ' -f3-)"
kt_ike_until 20 no_sa || kt_fail "psk: SAs left: $(ip netns exec h1 "$setkey" -D | head -3)"

# 2. No common proposal, both ways.
ikd_psk h1 <<<"20.1.1.1 $PSK"
reload "aes 256" sha512 19
charon_conn prop aes128-sha256-modp2048
i0=$(mark "$ilog")
larval_gone prop	# case 1's larval SA holds back a new ACQUIRE
ip netns exec h1 ping -n -c 1 -W 1 20.1.1.1 >/dev/null 2>&1
since_wait "$ilog" $i0 'NO_PROPOSAL_CHOSEN|no proposal chosen' || kt_fail "prop: ikd did not log NO_PROPOSAL_CHOSEN"
i0=$(mark "$ilog")
kt_charon_initiate c prop prop && kt_fail "prop: charon's initiation succeeded"
since_wait "$ilog" $i0 'no proposal chosen' || kt_fail "prop: ikd (responder) did not say no proposal was chosen"
line=$(tail -n +$((i0 + 1)) "$ilog" | grep -m1 'no proposal chosen')
grep -qi 'modp2048\|MODP_2048' <<<"$line" || kt_fail "prop: ikd's log does not show charon's proposal: $line"
grep -qi 'ecp256\|aes-cbc-256' <<<"$line" || kt_fail "prop: ikd's log does not show its own proposal: $line"
kt_log "prop: $(cut -d' ' -f3- <<<"$line")"
kt_ike_until 20 no_sa || kt_fail "prop: SAs left"

# 3. Traffic selectors charon does not take.
reload "aes 128" sha256 14
charon_conn ts aes128-sha256-modp2048 10.77.0.0/16
i0=$(mark "$ilog")
larval_gone ts
ip netns exec h1 ping -n -c 1 -W 1 20.1.1.1 >/dev/null 2>&1
since_wait "$ilog" $i0 'TS_UNACCEPTABLE' || kt_fail "ts: ikd did not log TS_UNACCEPTABLE"
line=$(tail -n +$((i0 + 1)) "$ilog" | grep -m1 'TS_UNACCEPTABLE')
grep -q '10\.1\.1\.1' <<<"$line" && grep -q '20\.1\.1\.1' <<<"$line" ||
	kt_fail "ts: ikd's log does not print the selectors: $line"
kt_log "ts: $(cut -d' ' -f3- <<<"$line")"
kt_ike_until 20 no_sa || kt_fail "ts: child SAs left: $(ip netns exec h1 "$setkey" -D | head -3)"

# 4. A peer that does not answer.
kt_charon_stop c
i0=$(mark "$ilog")
larval_gone dead
ip netns exec h1 ping -n -c 1 -W 1 20.1.1.1 >/dev/null 2>&1
since_wait "$ilog" $i0 'retransmitting IKE_SA_INIT \(1 ' 20 || kt_fail "dead: no first retransmission"
since_wait "$ilog" $i0 'retransmitting IKE_SA_INIT \(3 ' 30 || kt_fail "dead: no third retransmission"
since_wait "$ilog" $i0 'giving up|gave up|no answer' 60 || kt_fail "dead: ikd did not give up"
line=$(tail -n +$((i0 + 1)) "$ilog" | grep -m1 -E 'giving up|gave up|no answer')
kt_log "dead: $(cut -d' ' -f3- <<<"$line")"
[ "$(ip netns exec h1 "$setkey" -D | grep -c 'state=mature')" = 0 ] || kt_fail "dead: an SA was installed"
ikd_stop h1
