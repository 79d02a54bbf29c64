# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 900
# ikd on kipsec.ko (h1, `require` policies from setkey, no SA) against
# Debian's strongSwan (charon with swanctl, on native XFRM, h2), IKEv2
# with a pre-shared key. Eight cases cover each side initiating, transport
# and tunnel, IPv4 and IPv6, AES-GCM-16 and AES-CBC + HMAC-SHA2-256 for
# IKE and ESP, and Curve25519 and MODP-2048. ikd takes each case's
# racoon.conf with SIGHUP. Per case:
#  - the child SA comes up (ikd initiates on the first ping's ACQUIRE);
#    each host has the two ESP SAs with the same SPIs and the case's
#    algorithm; ping both ways;
#  - the wire shows IKE, then only ESP with those SPIs, then IKE (the
#    DELETE charon sends): nothing in clear;
#  - after charon's terminate, neither host has an SA left.
# Then the oracle (tshark, tests/guest/ike_oracle.py), given the keys ikd
# wrote with -K, decodes and decrypts every IKE exchange of every case
# without error. Last, ikd stops with an IKE SA up: its DELETE reaches
# charon, and neither host has an SA left.
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/vm/ike.sh"
. "$KT_TOP/tests/guest/ikd.bash"

setkey=$KT_BUILD/bin/setkey
oracle=$KT_TOP/tests/guest/ike_oracle.py
wire=$KT_TOP/tests/guest/ike_wire.py
PSK="kipsec ikd-charon $RANDOM$RANDOM"
kt_load_kipsec
modprobe aesni_intel 2>/dev/null
ikd_topo_inner

ikd_psk h1 <<EOF
20.1.1.1 $PSK
fd00:2::1 $PSK
EOF
ikd_case_conf "aes 128" sha256 14 "aes 128" hmac_sha256
ikd_start h1 h1
kt_charon_start c h2
cat >"$KT_TMP/secrets.conf" <<EOF
secrets {
  ike-ikd {
    secret = "$PSK"
  }
}
EOF

reloads() { grep -c 'reloaded' "$(ikd_log h1)"; }
reloads_ge() { [ "$(reloads)" -ge "$1" ]; }
no_sa() {
	[ "$(ip netns exec h1 "$setkey" -D)" = "No SAD entries." ] &&
		[ -z "$(ip -n h2 xfrm state)" ]
}
# h1_spis: h1's ESP SPIs, sorted, as 0x%08x.
h1_spis() {
	ip netns exec h1 "$setkey" -D | sed -n 's/.*esp mode=.* spi=[0-9]*(\(0x[0-9a-f]*\)).*/\1/p' | sort
}

h1_two() { [ "$(h1_spis | wc -l)" = 2 ]; }
CASES=()
# run_case NAME INITIATOR MODE FAMILY CHARON_IKE CHARON_ESP SETKEY_ALG_RE IKD...
run_case() {
	local n=$1 init=$2 mode=$3 fam=$4 cike=$5 cesp=$6 alg=$7 c p ci pi plen t0 r0 s1 s2 out seq spi
	shift 7
	t0=$(date +%s)
	if [ "$fam" = 4 ]; then c=20.1.1.1 p=10.1.1.1 ci=10.99.2.1 pi=10.99.1.1 plen=32
	else c=fd00:2::1 p=fd00:1::1 ci=fd00:99:2::1 pi=fd00:99:1::1 plen=128; fi
	[ "$mode" = transport ] && ci=$c pi=$p
	# h1 (ikd): policies from setkey, racoon.conf by SIGHUP.
	ip netns exec h1 "$setkey" -c <<-EOF || kt_fail "$n: setkey on h1 failed"
	spdflush;
	spdadd $pi $ci any -P out ipsec esp/$mode/$([ $mode = tunnel ] && echo "$p-$c")/require;
	spdadd $ci $pi any -P in ipsec esp/$mode/$([ $mode = tunnel ] && echo "$c-$p")/require;
	EOF
	r0=$(reloads)
	ikd_case_conf "$@"
	kill -HUP "${IKD_PID[h1]}"
	kt_ike_until 30 reloads_ge $((r0 + 1)) || kt_fail "$n: ikd did not reload"
	{
		cat <<-EOF
		connections {
		  $n {
		    version = 2
		    local_addrs = $c
		    remote_addrs = $p
		    proposals = $cike
		    local {
		      auth = psk
		      id = $c
		    }
		    remote {
		      auth = psk
		      id = $p
		    }
		    children {
		      $n {
		        mode = $mode
		        local_ts = $ci/$plen
		        remote_ts = $pi/$plen
		        esp_proposals = $cesp
		      }
		    }
		  }
		}
		EOF
		cat "$KT_TMP/secrets.conf"
	} | kt_charon_load c
	kt_capture_start w h1-eth0 "$KT_TMP/$n.pcap"
	if [ "$init" = charon ]; then
		kt_charon_initiate c "$n" "$n" || kt_fail "$n: charon could not initiate"
	else
		ip netns exec h1 ping -n -c 1 -W 1 "$ci" >/dev/null 2>&1
		kt_charon_wait c "$n" 60 || kt_fail "$n: no IKE SA with a child from ikd's ACQUIRE"
	fi
	kt_ike_until 30 h1_two || kt_fail "$n: h1 has not two ESP SAs: $(ip netns exec h1 "$setkey" -D)"
	s1=$(h1_spis)
	s2=$(kt_ike_esp_spis h2 | sort)
	kt_expect_eq "$n: ESP SPIs of h1 and h2" "$s1" "$s2"
	[ "$(ip netns exec h1 "$setkey" -D | grep -cE "$alg")" = 2 ] ||
		kt_fail "$n: h1's SAs are not $alg: $(ip netns exec h1 "$setkey" -D)"
	ip netns exec h1 ping -n -q -c 2 -i 0.3 -W 3 -I "$pi" "$ci" >/dev/null ||
		kt_fail "$n: ping from h1 failed"
	ip netns exec h2 ping -n -q -c 2 -i 0.3 -W 3 -I "$ci" "$pi" >/dev/null ||
		kt_fail "$n: ping from h2 failed"
	kt_charon_terminate c "$n" || kt_fail "$n: charon could not terminate"
	kt_ike_until 20 no_sa || kt_fail "$n: SAs left after the terminate: h1 $(ip netns exec h1 "$setkey" -D | head -4) h2 $(ip -n h2 xfrm state | head -2)"
	kt_capture_stop
	out=$(python3 "$wire" "$KT_TMP/$n.pcap") || kt_fail "$n: ike_wire.py failed: $out"
	seq=$(sed -n 's/^seq //p' <<<"$out")
	[[ $seq =~ ^I[0-9]+\ E[0-9]+\ I[0-9]+$ ]] ||
		kt_fail "$n: the wire is not IKE, then ESP, then IKE: $out"
	[ "$(sed -n 's/^clear //p' <<<"$out")" = 0 ] || kt_fail "$n: traffic in clear on the wire: $out"
	for spi in $s1; do
		grep -Eq "^esp $spi [1-9]" <<<"$out" || kt_fail "$n: no ESP with SPI $spi on the wire: $out"
	done
	CASES+=("$n")
	kt_log "$n: $init initiated, $mode IPv$fam, IKE $cike, ESP $cesp; wire: $seq; ok in $(($(date +%s) - t0)) s"
}

GCM='E: aes-gcm-16'
CBC='E: aes-cbc'
run_case i4tragcm ikd transport 4 aes256gcm16-prfsha256-x25519 aes128gcm16 "$GCM" \
	"aes_gcm_16 256" sha256 31 "aes_gcm_16 128"
run_case c4tracbc charon transport 4 aes128-sha256-modp2048 aes128-sha256 "$CBC" \
	"aes 128" sha256 14 "aes 128" hmac_sha256
run_case i4tuncbc ikd tunnel 4 aes128-sha256-modp2048 aes128-sha256 "$CBC" \
	"aes 128" sha256 14 "aes 128" hmac_sha256
run_case c4tungcm charon tunnel 4 aes256gcm16-prfsha256-x25519 aes128gcm16 "$GCM" \
	"aes_gcm_16 256" sha256 31 "aes_gcm_16 128"
run_case i6tracbc ikd transport 6 aes128-sha256-x25519 aes128-sha256 "$CBC" \
	"aes 128" sha256 31 "aes 128" hmac_sha256
run_case c6tungcm charon tunnel 6 aes256gcm16-prfsha256-modp2048 aes256gcm16 "$GCM" \
	"aes_gcm_16 256" sha256 14 "aes_gcm_16 256"
run_case i6tungcm ikd tunnel 6 aes256gcm16-prfsha256-x25519 aes128gcm16 "$GCM" \
	"aes_gcm_16 256" sha256 31 "aes_gcm_16 128"
run_case c6tracbc charon transport 6 aes128-sha256-modp2048 aes256-sha256 "$CBC" \
	"aes 128" sha256 14 "aes 256" hmac_sha256

# The oracle over every case, with the keys ikd wrote.
pcaps=()
for n in "${CASES[@]}"; do pcaps+=("$KT_TMP/$n.pcap"); done
python3 "$oracle" -k "$IKD_DIR/h1.keys" "${pcaps[@]}" >"$KT_TMP/oracle.txt" 2>&1
rc=$?
grep '^\(sa\|error\)' "$KT_TMP/oracle.txt" | sed 's/^/# oracle: /'
[ $rc = 0 ] || kt_fail "the oracle found undecrypted messages or errors (exit $rc): $(grep -v '^msg' "$KT_TMP/oracle.txt" | head -20)"
n=$(grep -cE '^sa .* IKE_AUTH=[2-9][0-9]* .*decrypted=[4-9][0-9]* undecrypted=0 errors=0$' "$KT_TMP/oracle.txt")
[ "$n" -ge ${#CASES[@]} ] || kt_fail "the oracle decrypted $n IKE SAs fully, want ${#CASES[@]}"
kt_log "oracle: $n IKE SAs decoded and decrypted, no error"

# ikd stops with an IKE SA up: its DELETE reaches charon.
run_stop() {
	ip netns exec h1 ping -n -c 1 -W 1 20.1.1.1 >/dev/null 2>&1
	kt_charon_wait c c4tracbc 60 || kt_fail "stop: no IKE SA"
}
ip netns exec h1 "$setkey" -c <<EOF
spdflush;
spdadd 10.1.1.1 20.1.1.1 any -P out ipsec esp/transport//require;
spdadd 20.1.1.1 10.1.1.1 any -P in ipsec esp/transport//require;
EOF
ikd_case_conf "aes 128" sha256 14 "aes 128" hmac_sha256
kill -HUP "${IKD_PID[h1]}"
sleep 1
kt_charon_load c <<EOF
connections {
  c4tracbc {
    version = 2
    local_addrs = 20.1.1.1
    remote_addrs = 10.1.1.1
    proposals = aes128-sha256-modp2048
    local {
      auth = psk
      id = 20.1.1.1
    }
    remote {
      auth = psk
      id = 10.1.1.1
    }
    children {
      c4tracbc {
        mode = transport
        esp_proposals = aes128-sha256
      }
    }
  }
}
$(cat "$KT_TMP/secrets.conf")
EOF
run_stop
ikd_stop h1
kt_ike_until 20 no_sa || kt_fail "SAs left after ikd stopped: $(ip -n h2 xfrm state | head -3)"
kt_charon_sas c | grep -q ESTABLISHED && kt_fail "charon still has an IKE SA after ikd's DELETE"
kt_log "ikd stopped: its DELETE took the IKE SA down on charon; no SA left"
kt_charon_stop c
