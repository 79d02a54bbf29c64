# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 600
# The IKE interop harness proves itself (tests/vm/ike.sh, the tshark oracle
# tests/guest/ike_oracle.py, tests/guest/ike_wire.py): Debian's strongSwan
# (charon, on h1) against libreswan's pluto (on h2), both on native XFRM,
# IKEv2 with a pre-shared key, host to host through a bridge (kt_topo_h2h
# w) where the wire is captured. Four cases, so that each side initiates
# twice (and each deletes an IKE SA), in tunnel and in transport mode, IPv4
# and IPv6, with AES-GCM-16 and with AES-CBC + HMAC-SHA2-256 for both IKE
# and ESP, and Curve25519 and MODP-2048; and a fifth on UDP port 5500 (a
# second charon in h1, next to the first). Per case:
#  - both daemons report the IKE SA and its child established; each host
#    has exactly the two ESP SAs, the same SPIs on both, with the case's
#    mode and the kernel's name of its algorithm and key length;
#  - ping both ways;
#  - the wire shows IKE (IKE_SA_INIT, IKE_AUTH), then only ESP with those
#    two SPIs, then IKE (the INFORMATIONAL that deletes): nothing in clear;
#  - after the terminate, neither host has an SA left.
# Then the oracle: tshark, given the IKE SA keys that charon logs (level 4
# of its ike group: Debian builds no save-keys plugin), decodes every case's
# IKE_SA_INIT, IKE_AUTH and INFORMATIONAL exchanges with every encrypted
# message decrypted and no expert warning or error; with one key altered
# it must report that SA's messages undecrypted and fail. Last, both
# daemons stop cleanly and leave no SA and no IPsec policy.
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/vm/ike.sh"

PSK="kipsec harness $RANDOM$RANDOM"
oracle=$KT_TOP/tests/guest/ike_oracle.py
wire=$KT_TOP/tests/guest/ike_wire.py
keys=$KT_TMP/ike.keys
: >"$keys"
command -v tshark >/dev/null || kt_fail "tshark is not installed (make deps)"
t_start=$(date +%s)

kt_topo_h2h w
kt_h2h_neigh6
# Tunnel mode carries traffic between addresses on lo.
kt_addr h1 lo 10.99.1.1/32; kt_addr h2 lo 10.99.2.1/32
kt_addr h1 lo fd00:99:1::1/128; kt_addr h2 lo fd00:99:2::1/128
ip -n h1 route add 10.99.2.1/32 dev eth0 src 10.99.1.1
ip -n h2 route add 10.99.1.1/32 dev eth0 src 10.99.2.1
ip -n h1 -6 route add fd00:99:2::1/128 dev eth0 src fd00:99:1::1
ip -n h2 -6 route add fd00:99:1::1/128 dev eth0 src fd00:99:2::1

kt_charon_start c h1
# A second charon in the same namespace, on other ports: IKE on 5500 with
# the non-ESP marker, as pluto speaks it with leftikeport=/rightikeport=.
KT_IKE_PORT=5499 KT_IKE_NATT_PORT=5500 kt_charon_start c5500 h1
kt_pluto_start p h2
kt_pluto_secrets p <<<"%any %any : PSK \"$PSK\""
kt_log "charon and pluto up after $(($(date +%s) - t_start)) s"

# xfrm_check NS MODE ALG_RE...: NS has two ESP SAs in MODE, each with a
# line matching each ALG_RE; prints their SPIs.
xfrm_check() {
	local ns=$1 mode=$2 re st n
	shift 2
	st=$(ip -n "$ns" xfrm state)
	n=$(grep -c '^\s*proto esp ' <<<"$st")
	[ "$n" = 2 ] || kt_fail "$ns: $n ESP SAs, want 2: $st"
	n=$(grep -c "^\s*proto esp spi 0x[0-9a-f]* reqid [0-9]* mode $mode\$" <<<"$st")
	[ "$n" = 2 ] || kt_fail "$ns: not two $mode ESP SAs: $st"
	for re in "$@"; do
		n=$(grep -Ec "^\s*$re\$" <<<"$st")
		[ "$n" = 2 ] || kt_fail "$ns: not two SAs with '$re': $st"
	done
	st=$(kt_ike_esp_spis "$ns")
	[ "$(grep -c '^0x[0-9a-f]\{8\}$' <<<"$st")" = 2 ] || kt_fail "$ns: cannot read the two SPIs: $st"
	echo "$st"
}

# shellcheck disable=SC2317 # called through kt_ike_until
no_sa() {
	[ -z "$(ip -n h1 xfrm state)" ] && [ -z "$(ip -n h2 xfrm state)" ] &&
		! kt_charon_sas "$cn" "$1" | grep -q . &&
		! kt_pluto_sas p | grep -q "\"$1\""
}

GCM='aead rfc4106\(gcm\(aes\)\) 0x'
CBC='enc cbc\(aes\) 0x'
SHA256='auth-trunc hmac\(sha256\) 0x[0-9a-f]{64} 128'
CASES=()

# run_case NAME INITIATOR TERMINATOR MODE FAMILY CHARON_IKE CHARON_ESP PLUTO_IKE PLUTO_ESP XFRM_RE...
# (pluto revives a connection it initiated when the peer deletes it, so
# pluto terminates what it initiated). PORT in the environment: IKE on
# that port, with charon c$PORT.
run_case() {
	local n=$1 init=$2 term=$3 mode=$4 fam=$5 cike=$6 cesp=$7 pike=$8 pesp=$9; shift 9
	local c p ci pi lts rts t0 s1 s2 out spi want seq port=${PORT:-} cn=c
	t0=$(date +%s)
	if [ "$fam" = 4 ]; then c=10.1.1.1 p=20.1.1.1 ci=10.99.1.1 pi=10.99.2.1
	else c=fd00:1::1 p=fd00:2::1 ci=fd00:99:1::1 pi=fd00:99:2::1; fi
	[ "$mode" = transport ] && ci=$c pi=$p
	lts=$ci/$([ "$fam" = 4 ] && echo 32 || echo 128)
	rts=$pi/${lts#*/}
	[ -n "$port" ] && cn=c$port
	kt_charon_load "$cn" <<-EOF
	connections {
	  $n {
	    version = 2
	    local_addrs = $c
	    remote_addrs = $p
	    $([ -n "$port" ] && echo "local_port = $port")
	    $([ -n "$port" ] && echo "remote_port = $port")
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
	        local_ts = $lts
	        remote_ts = $rts
	        esp_proposals = $cesp
	      }
	    }
	  }
	}
	secrets {
	  ike-harness {
	    secret = "$PSK"
	  }
	}
	EOF
	{
		echo "conn $n"
		echo "	left=$p"
		echo "	right=$c"
		echo "	leftid=$p"
		echo "	rightid=$c"
		[ "$mode" = tunnel ] && echo "	leftsubnet=$rts" && echo "	rightsubnet=$lts"
		[ -n "$port" ] && echo "	leftikeport=$port" && echo "	rightikeport=$port"
		echo "	authby=secret"
		echo "	ike=$pike"
		echo "	esp=$pesp"
		echo "	type=$mode"
		echo "	auto=add"
	} | kt_pluto_load p
	kt_capture_start w h1-eth0 "$KT_TMP/$n.pcap"
	if [ "$init" = charon ]; then
		kt_charon_initiate "$cn" "$n" "$n" || kt_fail "$n: charon could not initiate"
	else
		kt_pluto_up p "$n" || kt_fail "$n: pluto could not initiate"
	fi
	kt_charon_wait "$cn" "$n" || kt_fail "$n: charon has no established IKE SA with an installed child"
	kt_pluto_wait p "$n" || kt_fail "$n: pluto has no established child SA"
	s1=$(xfrm_check h1 "$mode" "$@") || exit 1
	s2=$(xfrm_check h2 "$mode" "$@") || exit 1
	kt_expect_eq "$n: ESP SPIs of h1 and h2" "$s1" "$s2"
	kt_ping_ok h1 "$pi"
	kt_ping_ok h2 "$ci"
	out=$(kt_charon_ikekeys "$cn" "$n" 2>&1) || kt_fail "$n: no IKE keys from charon: $out"
	[ "$(wc -l <<<"$out")" = 1 ] || kt_fail "$n: want the keys of one IKE SA: $out"
	echo "$out" >>"$keys"
	if [ "$term" = pluto ]; then
		kt_pluto_down p "$n" || kt_fail "$n: pluto could not terminate"
	else
		kt_charon_terminate "$cn" "$n" || kt_fail "$n: charon could not terminate"
	fi
	kt_ike_until 20 no_sa "$n" ||
		kt_fail "$n: SAs left after the terminate: h1 $(ip -n h1 xfrm state | head -2) h2 $(ip -n h2 xfrm state | head -2) $(kt_charon_sas "$cn" "$n") $(kt_pluto_sas p | grep "\"$n\"")"
	kt_capture_stop
	kt_pluto_unload p "$n"

	out=$(python3 "$wire" "$KT_TMP/$n.pcap" ${port:+"$port"}) || kt_fail "$n: ike_wire.py failed: $out"
	seq=$(sed -n 's/^seq //p' <<<"$out")
	[[ $seq =~ ^I[0-9]+\ E[0-9]+\ I[0-9]+$ ]] ||
		kt_fail "$n: the wire is not IKE, then ESP, then IKE: $out"
	[ "$(sed -n 's/^ike //p' <<<"$out")" -ge 6 ] || kt_fail "$n: fewer than 6 IKE messages on the wire: $out"
	[ "$(sed -n 's/^clear //p' <<<"$out")" = 0 ] || kt_fail "$n: traffic in clear on the wire: $out"
	for spi in $s1; do
		grep -Eq "^esp $spi ([2-9]|[1-9][0-9]+)\$" <<<"$out" ||
			kt_fail "$n: ESP with SPI $spi not seen twice on the wire: $out"
	done
	want=$(awk '/^esp / { print $2 }' <<<"$out" | sort)
	kt_expect_eq "$n: SPIs on the wire" "$s1" "$want"
	CASES+=("$n $(tail -1 "$keys" | cut -d, -f1,2 | tr , ' ')")
	kt_log "$n: $init initiated, $term terminated, $mode IPv$fam, IKE $cike, ESP $cesp; wire: $seq; ok in $(($(date +%s) - t0)) s"
}

run_case gcm4tun charon pluto tunnel 4 aes256gcm16-prfsha256-x25519 aes128gcm16 \
	aes_gcm256-sha2_256-curve25519 aes_gcm128 "${GCM}[0-9a-f]{40} 128"
run_case cbc4tra pluto pluto transport 4 aes128-sha256-modp2048 aes128-sha256 \
	aes128-sha2_256-modp2048 aes128-sha2_256 "${CBC}[0-9a-f]{32}" "$SHA256"
run_case gcm6tra charon charon transport 6 aes128-sha256-x25519 aes256gcm16 \
	aes128-sha2_256-curve25519 aes_gcm256 "${GCM}[0-9a-f]{72} 128"
run_case cbc6tun pluto pluto tunnel 6 aes256gcm16-prfsha256-modp2048 aes256-sha256 \
	aes_gcm256-sha2_256-modp2048 aes256-sha2_256 "${CBC}[0-9a-f]{64}" "$SHA256"
PORT=5500 run_case port5500 charon charon transport 4 aes128gcm16-prfsha256-x25519 aes128gcm16 \
	aes_gcm128-sha2_256-curve25519 aes_gcm128 "${GCM}[0-9a-f]{40} 128"

# The oracle, once over every case (tshark takes seconds to start here).
t0=$(date +%s)
pcaps=()
for c in "${CASES[@]}"; do pcaps+=("$KT_TMP/${c%% *}.pcap"); done
cp "$keys" "$KT_IKE_LOGS/ike.keys"
python3 "$oracle" -k "$keys" -p 5500 "${pcaps[@]}" >"$KT_IKE_LOGS/oracle.txt" 2>&1
rc=$?
grep '^\(sa\|summary\|error\)' "$KT_IKE_LOGS/oracle.txt"
[ $rc = 0 ] || kt_fail "the oracle found undecrypted messages or errors (exit $rc): $(grep -v '^msg' "$KT_IKE_LOGS/oracle.txt" | head -20)"
for c in "${CASES[@]}"; do
	read -r n ispi rspi <<<"$c"
	line=$(grep "^sa $ispi $rspi " "$KT_IKE_LOGS/oracle.txt") ||
		kt_fail "$n: the oracle saw no IKE SA $ispi $rspi"
	# At least a request and a response of each (retransmissions happen
	# under TCG), every encrypted one decrypted.
	[[ $line =~ \ IKE_SA_INIT=[2-9][0-9]*\ IKE_AUTH=[2-9][0-9]*\ INFORMATIONAL=[2-9][0-9]*\ decrypted=[4-9][0-9]*\ undecrypted=0\ errors=0$ ]] ||
		kt_fail "$n: the oracle's account differs from IKE_SA_INIT, IKE_AUTH, INFORMATIONAL all decrypted: $line"
done
kt_log "oracle: every exchange of ${#CASES[@]} IKE SAs decoded and decrypted in $(($(date +%s) - t0)) s"

# It must be able to fail: one SA's SK_ei altered.
read -r n ispi rspi <<<"${CASES[0]}"
awk -F, -v OFS=, -v s="$ispi" '$1 == s { $3 = substr($3, 1, 4) (substr($3, 5, 1) == "0" ? "1" : "0") substr($3, 6) } 1' \
	"$keys" >"$KT_TMP/bad.keys"
cmp -s "$keys" "$KT_TMP/bad.keys" && kt_fail "could not alter the keys of $ispi"
python3 "$oracle" -k "$KT_TMP/bad.keys" -p 5500 "${pcaps[@]}" >"$KT_IKE_LOGS/oracle-bad.txt" 2>&1
rc=$?
[ $rc = 1 ] || kt_fail "the oracle with a wrong key exited $rc, want 1: $(tail -5 "$KT_IKE_LOGS/oracle-bad.txt")"
grep -Eq "^sa $ispi $rspi .* undecrypted=[1-9]" "$KT_IKE_LOGS/oracle-bad.txt" ||
	kt_fail "the oracle with a wrong SK_ei did not report $n's messages undecrypted: $(grep "^sa $ispi" "$KT_IKE_LOGS/oracle-bad.txt")"
kt_log "oracle with one wrong key: $(grep "^sa $ispi" "$KT_IKE_LOGS/oracle-bad.txt")"

kt_charon_stop c
kt_charon_stop c5500
kt_pluto_stop p
kt_ike_xfrm_clean h1
kt_ike_xfrm_clean h2
kt_log "both daemons stopped cleanly, no SA left; $(($(date +%s) - t_start)) s in all"
exit 0
