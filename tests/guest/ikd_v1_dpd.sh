# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 360
# IKEv1 dead peer detection (RFC 3706): ikd on kipsec.ko (h1, transport
# `require` policies from setkey) against Debian's strongSwan (charon with
# swanctl, native XFRM, h2) in Main Mode with a pre-shared key, both sides
# with DPD every 2 s (ikd: dpd_delay 2, dpd_retry 1, dpd_maxfail 3;
# charon: dpd_delay = 2s, dpd_action = clear):
#  - idle: over several periods each side's R-U-THEREs are answered by
#    the other (ikd's log shows charon's ACKs and the R-U-THEREs it
#    answered; charon's log the DPD and DPD_ACK notifies both ways), and
#    the SAs stay: the same SPIs on both hosts, ping both ways, no "dead";
#  - charon is killed (-9) and h2's XFRM states and policies flushed, as
#    a reboot would leave them: ikd logs the peer dead within
#    dpd_delay x (dpd_maxfail + 1) (+ slack) and its SAs are gone from
#    `setkey -D`; the next ping raises a fresh ACQUIRE.
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/vm/ike.sh"
. "$KT_TOP/tests/guest/ikd.bash"
# ikd's logs where the host can read them, also after a time-out.
IKD_DIR=$KT_IKE_LOGS/ikd
mkdir -p "$IKD_DIR"

setkey=$KT_BUILD/bin/setkey
PSK="kipsec ikd-v1-dpd $RANDOM$RANDOM"
DELAY=2 RETRY=1 MAXFAIL=3
kt_load_kipsec
modprobe aesni_intel 2>/dev/null
modprobe -a cbc hmac sha1 des3_ede 2>/dev/null
kt_topo_h2h w

ikd_psk h1 <<EOF
20.1.1.1 $PSK
EOF
ikd_conf h1 <<EOF
path pre_shared_key "$IKD_DIR/h1.psk";
timer { counter 5; interval 2 sec; }
remote 20.1.1.1 {
	exchange_mode main;
	dpd_delay $DELAY;
	dpd_retry $RETRY;
	dpd_maxfail $MAXFAIL;
	proposal {
		encryption_algorithm 3des;
		hash_algorithm sha1;
		authentication_method pre_shared_key;
		dh_group 2;
	}
}
sainfo anonymous {
	pfs_group 2;
	encryption_algorithm aes 128;
	authentication_algorithm hmac_sha1;
}
EOF
ip netns exec h1 "$IKD" -n -f "$IKD_DIR/h1.conf" || kt_fail "ikd -n refuses h1's configuration"
ip netns exec h1 "$setkey" -c <<EOF || kt_fail "setkey on h1 failed"
spdadd 10.1.1.1 20.1.1.1 any -P out ipsec esp/transport//require;
spdadd 20.1.1.1 10.1.1.1 any -P in ipsec esp/transport//require;
EOF
# The kernel instantiates AES-CBC/HMAC-SHA1 (and its IV generator's RNG)
# on the first SA that uses it, which under TCG can take many seconds;
# ikd waits for its PF_KEY answer meanwhile, and charon, sending a DPD
# every 2 s, forgets the Quick Mode's IV after a few of them (it keeps
# IVs for a handful of exchanges only) and cannot decrypt ikd's HASH(3).
# An SA added and deleted by hand first keeps that out of the test.
ip netns exec h1 "$setkey" -c <<EOF || kt_fail "warm-up SA on h1 failed"
add 10.1.1.1 20.1.1.1 esp 0x1000 -m transport -E aes-cbc 0x00112233445566778899aabbccddeeff -A hmac-sha1 0x00112233445566778899aabbccddeeff00112233;
delete 10.1.1.1 20.1.1.1 esp 0x1000;
EOF
ikd_start h1 h1 -dd
kt_charon_start c h2
kt_charon_load c <<EOF
connections {
  v1 {
    version = 1
    aggressive = no
    local_addrs = 20.1.1.1
    remote_addrs = 10.1.1.1
    proposals = 3des-sha1-modp1024
    dpd_delay = ${DELAY}s
    local {
      auth = psk
      id = 20.1.1.1
    }
    remote {
      auth = psk
      id = 10.1.1.1
    }
    children {
      v1 {
        mode = transport
        esp_proposals = aes128-sha1-modp1024
        dpd_action = clear
      }
    }
  }
}
secrets {
  ike-ikd {
    secret = "$PSK"
  }
}
EOF

h1_spis() {
	ip netns exec h1 "$setkey" -D | sed -n 's/.*esp mode=.* spi=[0-9]*(\(0x[0-9a-f]*\)).*/\1/p' | sort
}
h1_two() { [ "$(h1_spis | wc -l)" = 2 ]; }
h1_none() { [ "$(ip netns exec h1 "$setkey" -D)" = "No SAD entries." ]; }
# count FILE REGEX: lines matching
count() { grep -cE "$2" "$1"; }
# at_least N FILE REGEX
at_least() { [ "$(count "$2" "$3")" -ge "$1" ]; }
IKD_LOG=$(ikd_log h1)
C_LOG=$(kt_ike_log c)

# check NAME: the pair is up on both sides and carries pings both ways.
check() {
	kt_ike_until 30 h1_two || kt_fail "$1: h1 has not two ESP SAs: $(ip netns exec h1 "$setkey" -D)"
	kt_expect_eq "$1: ESP SPIs of h1 and h2" "$(h1_spis)" "$(kt_ike_esp_spis h2)"
	ip netns exec h1 ping -n -q -c 2 -i 0.3 -W 3 20.1.1.1 >/dev/null ||
		kt_fail "$1: ping from h1 failed"
	ip netns exec h2 ping -n -q -c 2 -i 0.3 -W 3 10.1.1.1 >/dev/null ||
		kt_fail "$1: ping from h2 failed"
	kt_log "$1: SAs $(h1_spis | tr '\n' ' ')on both hosts, ping both ways"
}

# ikd initiates; both sent RFC 3706's vendor ID, so both check.
ip netns exec h1 ping -n -c 1 -W 1 20.1.1.1 >/dev/null 2>&1
kt_charon_wait c v1 60 || kt_fail "no IKE SA with a child on charon"
check established
spis0=$(h1_spis)
# charon's IKE SA; swanctl under load can come back empty once.
charon_ike() {
	local ike=
	kt_wait_for 30 eval 'ike=$(kt_charon_spis c v1); [ -n "$ike" ]'
	echo "$ike"
}
ike0=$(charon_ike)
[ -n "$ike0" ] || kt_fail "charon lists no IKE SA v1"

# --- idle: each side's R-U-THEREs answered ------------------------------
ack_re="DPD: R-U-THERE-ACK from 20\.1\.1\.1\[500\] \(seq [0-9]+\)$"
ans_re="DPD: R-U-THERE from 20\.1\.1\.1\[500\] \(seq [0-9]+\) answered"
kt_ike_until 60 at_least 4 "$IKD_LOG" "$ack_re" ||
	kt_fail "charon did not answer 4 of ikd's R-U-THEREs within 60 s ($(count "$IKD_LOG" "$ack_re"))"
kt_ike_until 60 at_least 4 "$IKD_LOG" "$ans_re" ||
	kt_fail "ikd did not answer 4 of charon's R-U-THEREs within 60 s ($(count "$IKD_LOG" "$ans_re"))"
# charon's side of both: what it parsed from ikd.
at_least 4 "$C_LOG" "parsed INFORMATIONAL_V1 request .*N\(DPD_ACK\)" ||
	kt_fail "charon's log shows fewer than 4 R-U-THERE-ACKs parsed: $(grep -c 'N(DPD' "$C_LOG")"
at_least 4 "$C_LOG" "parsed INFORMATIONAL_V1 request .*N\(DPD\)" ||
	kt_fail "charon's log shows fewer than 4 R-U-THEREs parsed from ikd"
# (An ACK later than dpd_retry is "ignored": the retry has the next
# sequence number. Anything else would be a bug.)
grep -E "DPD: .*(wrong cookie|bytes of data|seems to be dead)" "$IKD_LOG" &&
	kt_fail "ikd took a DPD notify of charon's as malformed, or declared charon dead"
grep -qF "$PSK" "$IKD_LOG" && kt_fail "h1's log holds the PSK"
kt_expect_eq "ESP SPIs after the checks" "$(h1_spis)" "$spis0"
kt_expect_eq "charon's IKE SA after the checks" "$(charon_ike)" "$ike0"
check idle
kt_log "idle: $(count "$IKD_LOG" "$ack_re") R-U-THEREs of ikd's and $(count "$IKD_LOG" "$ans_re") of charon's answered, the same SAs"

# --- charon dies ----------------------------------------------------------
kt_ike_kill c
ip -n h2 xfrm state flush
ip -n h2 xfrm policy flush
t0=$(date +%s%N)
dead_re="DPD: remote 20\.1\.1\.1\[500\] \(ISAKMP-SA spi=[0-9a-f]+:[0-9a-f]+\) seems to be dead"
kt_ike_until 30 grep -qE "$dead_re" "$IKD_LOG" ||
	kt_fail "ikd did not log charon dead within 30 s"
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
bound=$((DELAY * (MAXFAIL + 1) * 1000)) slack=2000
kt_log "ikd declared charon dead after $ms ms (bound $bound ms + $slack ms slack)"
[ $ms -le $((bound + slack)) ] ||
	kt_fail "dead peer noticed after $ms ms, more than dpd_delay x (dpd_maxfail + 1) = $bound ms + $slack ms"
kt_ike_until 10 h1_none || kt_fail "h1 still has SAs with its dead peer: $(ip netns exec h1 "$setkey" -D)"
kt_log "h1's SAD is empty: $(grep -cE 'IPsec-SA removed' "$IKD_LOG") pair(s) removed"
# The next packet asks for SAs again.
n0=$(count "$IKD_LOG" "ACQUIRE [^ ]*->[^ ]* proto")
ip netns exec h1 ping -n -c 1 -W 1 20.1.1.1 >/dev/null 2>&1
kt_ike_until 20 at_least $((n0 + 1)) "$IKD_LOG" "ACQUIRE [^ ]*->[^ ]* proto" ||
	kt_fail "no ACQUIRE logged by ikd after the peer was declared dead"
ikd_stop h1
kt_log "ok"
