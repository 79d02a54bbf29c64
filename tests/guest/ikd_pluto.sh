# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 600
# ikd on kipsec.ko (h1, `require` policies from setkey, no SA) against
# libreswan's pluto (build/libreswan, on native XFRM, h2), IKEv2 with a
# pre-shared key. Four cases: each side initiates, transport and tunnel,
# IPv4 and IPv6, AES-GCM-16 and AES-CBC + HMAC-SHA2-256, Curve25519 and
# MODP-2048. Then two in IKEv1 Main Mode (pluto's ikev2=no, ikd's remote
# without ike_version): ikd initiating in transport mode over IPv4 without
# PFS, pluto in tunnel mode over IPv6 with PFS (MODP-2048). ikd takes each case's racoon.conf with SIGHUP.
# Per case:
#  - the child SA comes up (ikd initiates on the first ping's ACQUIRE,
#    pluto with whack --initiate); pluto has it established; h1 has the
#    two ESP SAs with the case's algorithm and ESN (both daemons propose it
#    first; IKEv1 has no ESN), the SPIs h2 has; ping both ways;
#  - pluto terminates (it revives what it initiated when the peer deletes
#    it); then neither host has an SA;
#  - the wire shows IKE, then only ESP with those SPIs, then IKE (pluto's
#    DELETE): nothing in clear.
# Last, both daemons stop cleanly, no host has an SA, h2 no IPsec policy,
# and the PSK is nowhere in ikd's log (kept in build/vm/last-*/ike/).
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/vm/ike.sh"
. "$KT_TOP/tests/guest/ikd.bash"

setkey=$KT_BUILD/bin/setkey
wire=$KT_TOP/tests/guest/ike_wire.py
PSK="kipsec ikd-pluto $RANDOM$RANDOM"
kt_load_kipsec
modprobe aesni_intel 2>/dev/null
ikd_topo_inner

ikd_psk h1 <<EOF
20.1.1.1 $PSK
fd00:2::1 $PSK
EOF
ikd_case_conf "aes 128" sha256 14 "aes 128" hmac_sha256
ikd_start h1 h1
# libreswan 4.10 refuses IKEv1 unless its config setup says otherwise;
# read after the command line, the file must repeat kt_pluto_start's
# directories, or pluto falls back to its defaults.
{
	echo "config setup"
	printf '\t%s\n' "ikev1-policy=accept" "nssdir=$KT_IKE_DIR/p/nss" \
		"ipsecdir=$KT_IKE_DIR/p/ipsec.d" "secretsfile=$KT_IKE_DIR/p/ipsec.secrets" \
		"dumpdir=$KT_IKE_DIR/p" "logfile=$KT_IKE_LOGS/p.log"
} >"$KT_TMP/pluto-setup.conf"
kt_pluto_start p h2 --config "$KT_TMP/pluto-setup.conf"
kt_pluto_secrets p <<<"%any %any : PSK \"$PSK\""

reloads() { grep -c 'reloaded' "$(ikd_log h1)"; }
reloads_ge() { [ "$(reloads)" -ge "$1" ]; }
no_sa() {
	[ "$(ip netns exec h1 "$setkey" -D)" = "No SAD entries." ] &&
		[ -z "$(ip -n h2 xfrm state)" ] && ! kt_pluto_sas p | grep -q "\"$1\""
}
# h1_spis: h1's ESP SPIs, sorted, as 0x%08x.
h1_spis() {
	ip netns exec h1 "$setkey" -D | sed -n 's/.*esp mode=.* spi=[0-9]*(\(0x[0-9a-f]*\)).*/\1/p' | sort
}
h1_two() { [ "$(h1_spis | wc -l)" = 2 ]; }

# run_case NAME INITIATOR MODE FAMILY PLUTO_IKE PLUTO_ESP SETKEY_ALG_RE IKD...
# (IKEv1 when V1=1 in the environment)
run_case() {
	local n=$1 init=$2 mode=$3 fam=$4 pike=$5 pesp=$6 alg=$7 c p ci pi plen t0 r0 s1 s2 out seq spi
	local v=2 esn=2
	shift 7
	[ "${V1:-0}" = 1 ] && v=1 esn=0
	t0=$(date +%s)
	if [ "$fam" = 4 ]; then c=20.1.1.1 p=10.1.1.1 ci=10.99.2.1 pi=10.99.1.1 plen=32
	else c=fd00:2::1 p=fd00:1::1 ci=fd00:99:2::1 pi=fd00:99:1::1 plen=128; fi
	[ "$mode" = transport ] && ci=$c pi=$p
	ip netns exec h1 "$setkey" -c <<-EOF || kt_fail "$n: setkey on h1 failed"
	spdflush;
	spdadd $pi $ci any -P out ipsec esp/$mode/$([ $mode = tunnel ] && echo "$p-$c")/require;
	spdadd $ci $pi any -P in ipsec esp/$mode/$([ $mode = tunnel ] && echo "$c-$p")/require;
	EOF
	r0=$(reloads)
	if [ $v = 1 ]; then
		IKD_CASE_VERSION="exchange_mode main;" ikd_case_conf "$@"
	else
		ikd_case_conf "$@"
	fi
	kill -HUP "${IKD_PID[h1]}"
	kt_ike_until 30 reloads_ge $((r0 + 1)) || kt_fail "$n: ikd did not reload"
	{
		echo "conn $n"
		echo "	left=$c"
		echo "	right=$p"
		echo "	leftid=$c"
		echo "	rightid=$p"
		[ "$mode" = tunnel ] && echo "	leftsubnet=$ci/$plen" && echo "	rightsubnet=$pi/$plen"
		echo "	authby=secret"
		[ $v = 1 ] && echo "	ikev2=no"
		[ "${PFS:-}" = no ] && echo "	pfs=no"
		echo "	ike=$pike"
		echo "	esp=$pesp"
		echo "	type=$mode"
		echo "	auto=add"
	} >"$KT_TMP/$n.conn"
	# (not through a pipe: kt_fail there would end only the pipe's shell)
	kt_pluto_load p "$KT_TMP/$n.conn"
	kt_capture_start w h1-eth0 "$KT_TMP/$n.pcap"
	if [ "$init" = pluto ]; then
		kt_pluto_up p "$n" || kt_fail "$n: pluto could not initiate"
	else
		ip netns exec h1 ping -n -c 1 -W 1 "$ci" >/dev/null 2>&1
	fi
	kt_pluto_wait p "$n" 60 || kt_fail "$n: pluto has no established child SA"
	kt_ike_until 30 h1_two || kt_fail "$n: h1 has not two ESP SAs: $(ip netns exec h1 "$setkey" -D)"
	s1=$(h1_spis)
	s2=$(kt_ike_esp_spis h2)
	kt_expect_eq "$n: ESP SPIs of h1 and h2" "$s1" "$s2"
	[ "$(ip netns exec h1 "$setkey" -D | grep -cE "$alg")" = 2 ] ||
		kt_fail "$n: h1's SAs are not $alg: $(ip netns exec h1 "$setkey" -D)"
	[ "$(ip netns exec h1 "$setkey" -D | grep -c 'state=mature esn ')" = $esn ] &&
		[ "$(ip -n h2 xfrm state | grep -c 'flag .*esn')" = $esn ] ||
		kt_fail "$n: not $esn ESN SAs on each host: $(ip netns exec h1 "$setkey" -D) $(ip -n h2 xfrm state)"
	ip netns exec h1 ping -n -q -c 2 -i 0.3 -W 3 -I "$pi" "$ci" >/dev/null ||
		kt_fail "$n: ping from h1 failed"
	ip netns exec h2 ping -n -q -c 2 -i 0.3 -W 3 -I "$ci" "$pi" >/dev/null ||
		kt_fail "$n: ping from h2 failed"
	kt_pluto_down p "$n" || kt_fail "$n: pluto could not terminate"
	kt_ike_until 30 no_sa "$n" ||
		kt_fail "$n: SAs left after the terminate: h1 $(ip netns exec h1 "$setkey" -D | head -4) h2 $(ip -n h2 xfrm state | head -2) $(kt_pluto_sas p)"
	kt_capture_stop
	kt_pluto_unload p "$n"
	out=$(python3 "$wire" "$KT_TMP/$n.pcap") || kt_fail "$n: ike_wire.py failed: $out"
	seq=$(sed -n 's/^seq //p' <<<"$out")
	[[ $seq =~ ^I[0-9]+\ E[0-9]+\ I[0-9]+$ ]] ||
		kt_fail "$n: the wire is not IKE, then ESP, then IKE: $out"
	[ "$(sed -n 's/^clear //p' <<<"$out")" = 0 ] || kt_fail "$n: traffic in clear on the wire: $out"
	for spi in $s1; do
		grep -Eq "^esp $spi [1-9]" <<<"$out" || kt_fail "$n: no ESP with SPI $spi on the wire: $out"
	done
	if [ $v = 1 ]; then
		grep -q "ISAKMP-SA established .*$c\[500\]" "$(ikd_log h1)" ||
			kt_fail "$n: ikd logged no ISAKMP-SA established with $c"
	fi
	kt_log "$n: IKEv$v, $init initiated, $mode IPv$fam, IKE $pike, ESP $pesp; wire: $seq; ok in $(($(date +%s) - t0)) s"
}

GCM='E: aes-gcm-16'
CBC='E: aes-cbc'
run_case i4tragcm ikd transport 4 aes_gcm256-sha2_256-curve25519 aes_gcm128 "$GCM" \
	"aes_gcm_16 256" sha256 31 "aes_gcm_16 128"
run_case p4tracbc pluto transport 4 aes128-sha2_256-modp2048 aes128-sha2_256 "$CBC" \
	"aes 128" sha256 14 "aes 128" hmac_sha256
run_case i4tuncbc ikd tunnel 4 aes128-sha2_256-modp2048 aes128-sha2_256 "$CBC" \
	"aes 128" sha256 14 "aes 128" hmac_sha256
run_case p6tungcm pluto tunnel 6 aes_gcm256-sha2_256-curve25519 aes_gcm256 "$GCM" \
	"aes_gcm_16 256" sha256 31 "aes_gcm_16 256"
# pluto wants PFS unless told not to; ikd's sainfo has no pfs_group, so
# ikd initiates without it and, as responder, takes pluto's group.
V1=1 PFS=no run_case i4trav1 ikd transport 4 aes128-sha2_256-modp2048 aes128-sha2_256 "$CBC" \
	"aes 128" sha256 14 "aes 128" hmac_sha256
V1=1 run_case p6tunv1 pluto tunnel 6 aes256-sha2_256-modp2048 aes256-sha1 "$CBC" \
	"aes 256" sha256 14 "aes 256" hmac_sha1

ikd_stop h1
kt_pluto_stop p
kt_ike_xfrm_clean h2
[ "$(ip netns exec h1 "$setkey" -D)" = "No SAD entries." ] || kt_fail "h1 has SAs left"
cp "$(ikd_log h1)" "$KT_IKE_LOGS/ikd-h1.log"
grep -qF "$PSK" "$(ikd_log h1)" && kt_fail "the PSK is in ikd's log"
kt_log "both daemons stopped cleanly, no SA left, no PSK in ikd's log"
