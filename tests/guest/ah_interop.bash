# SPDX-License-Identifier: BSD-2-Clause
# The AH interop matrix, shared by tests/guest/ah_interop_*.sh (sourced after
# tests/vm/lib.sh; not a test itself). It reuses esp_interop.bash's
# topologies, captures and TCP transfer (see there): the "kipsec side" is
# configured by our setkey over PF_KEY, the "native side" by `ip xfrm`;
# transport mode host to host (h1 kipsec, h2 native), tunnel mode gateway to
# gateway (gw1 kipsec, gw2 native, traffic between left and right).
# Per case:
#  - ping both ways, then AH_TCP_BYTES (512 KiB) over TCP, files compared:
#    transport from the kipsec side, tunnel towards it;
#  - the wire is captured: AH with the case's two SPIs must flow both ways,
#    and no ESP, clear TCP or ICMP echo may appear;
#  - the first AH_HEAD AH frames are checked by ah_icv.py, which computes the
#    ICVs as RFC 4302 says, independently of both stacks (tshark 4.0 has no
#    AH ICV check: `tshark -G defaultprefs` lists none). Every ICV must be
#    good, and both SPIs must have good ones;
#  - the kipsec side's counters: both SAs used, no ICV or replay failure.
# Linux pads IPv4 AH to 64 bits unless an SA has the `align4` flag; RFC 4302
# (and kipsec) pads to 32 bits. The native side's IPv4 SAs get `align4`.
# ah_linux_pad64 checks that kipsec takes Linux's default padding too.
# ah_attacks checks replays, a flipped bit and the mutable header fields.

. "$KT_TOP/tests/guest/esp_interop.bash"

AH_TCP_BYTES=${AH_TCP_BYTES:-524288}
AH_HEAD=${AH_HEAD:-40}
# The kipsec side's replay window: no replay may be counted, but the guest's
# two vCPUs, stalled in turn by a loaded host, reorder packets by more than 32.
AH_WINDOW=${AH_WINDOW:-1024}
ESP_CAP_PROTO=ah

ah_setup() {
	[ "$KT_STACK" = kipsec ] || kt_skip "AH needs kipsec.ko (KT_STACK=$KT_STACK)"
	ESP_TCP_BYTES=$AH_TCP_BYTES esp_setup
	kt_log "ICV oracle: tests/guest/ah_icv.py; tshark $(dpkg-query -W -f '${Version}' tshark 2>/dev/null) cannot check AH ICVs (its only ICV check is esp.enable_authentication_check)"
}

# ah_xfrm NS LOCAL REMOTE LSEL RSEL SPI_OUT SPI_IN MODE FLAGS ALG KEY BITS:
# esp_xfrm for AH, with `flag FLAGS` on both SAs ("-": none).
ah_xfrm() {
	local ns=$1 l=$2 r=$3 lsel=$4 rsel=$5 so=$6 si=$7 mode=$8 fl=$9
	local alg=${10} key=${11} bits=${12}
	local tout="tmpl proto ah mode transport" tin="tmpl proto ah mode transport"
	local a="auth-trunc \"$alg\" $key $bits" f=
	[ "$fl" != - ] && f="flag $fl"
	if [ "$mode" = tunnel ]; then
		tout="tmpl src $l dst $r proto ah mode tunnel"
		tin="tmpl src $r dst $l proto ah mode tunnel"
	fi
	{
		echo "xfrm state flush"
		echo "xfrm policy flush"
		echo "xfrm state add src $l dst $r proto ah spi $so mode $mode replay-window 32 $f $a"
		echo "xfrm state add src $r dst $l proto ah spi $si mode $mode replay-window 32 $f $a"
		echo "xfrm policy add src $lsel dst $rsel dir out $tout level required"
		echo "xfrm policy add src $rsel dst $lsel dir in $tin level required"
		[ "$mode" = tunnel ] && echo "xfrm policy add src $rsel dst $lsel dir fwd $tin level required"
	} | ip -n "$ns" -batch -
}

# ah_counters NS FAM SPI_OUT SPI_IN BEFORE: after a case, the SAs' packets and
# failures and the family's AH failures against BEFORE ("authfail replay").
ah_counters() {
	local ns=$1 fam=$2 so=$3 si=$4 po pi f r
	read -r f r <<<"$5"
	po=$(kt_sa_stat "$ns" "$so" packets) && pi=$(kt_sa_stat "$ns" "$si" packets) || return 1
	[ "$po" -gt 0 ] || kt_fail "SA $so carried no packet out"
	[ "$pi" -gt 0 ] || kt_fail "SA $si carried no packet in"
	[ "$(kt_sa_stat "$ns" "$si" auth)" = 0 ] || kt_fail "SA $si counted ICV failures"
	[ "$(kt_sa_stat "$ns" "$si" replay)" = 0 ] || kt_fail "SA $si counted replays"
	esp_want "in_authfail" "$f" "$(kt_stat "$ns" "ipv$fam" in_authfail)" 0
	esp_want "in_ahreplay" "$r" "$(kt_stat "$ns" "ipv$fam" in_ahreplay)" 0
	echo "SA packets $po out, $pi in"
}

# ah_case AUTH MODE FAMILY [OUTER_FAMILY]: one case (AH_ESN=1: with ESN).
ah_case() {
	local auth=$1 mode=$2 fam=$3 outer=${4:-$3}
	local n=$((ESP_N += 1))
	local spi_o=$((0x2000 + n * 16 + 1)) spi_i=$((0x2000 + n * 16 + 2))
	local akey icv=${ESP_ICV[$auth]} kns nns wns wif ko no ksel nsel kh nh kaddr naddr
	local label=$auth fl=IPv$fam esn='' xflags=-
	akey=0x$(esp_hex $((ESP_AUTH_BITS[$auth] / 8)))
	[ "$outer" != "$fam" ] && fl="${fam}in$outer"
	if [ "${AH_ESN:-0}" = 1 ]; then esn=-esn label="$auth esn"; fi
	if [ "$mode" = transport ]; then
		kns=h1 nns=h2 wns=wh wif=h1-eth0 kh=h1 nh=h2
		if [ "$fam" = 4 ]; then ko=10.1.1.1 no=20.1.1.1; else ko=fd00:1::1 no=fd00:2::1; fi
		ksel=$ko nsel=$no kaddr=$ko naddr=$no
	else
		kns=gw1 nns=gw2 wns=wg wif=gw1-wan0 kh=left nh=right
		if [ "$outer" = 4 ]; then ko=20.0.0.1 no=20.0.0.2; else ko=fd00:f::1 no=fd00:f::2; fi
		if [ "$fam" = 4 ]; then
			ksel=10.0.1.0/24 nsel=10.0.2.0/24 kaddr=10.0.1.2 naddr=10.0.2.2
		else
			ksel=fd00:a::/64 nsel=fd00:b::/64 kaddr=fd00:a::2 naddr=fd00:b::2
		fi
	fi
	# RFC 4302's IPv4 padding; any inner family in a tunnel; ESN.
	[ "$outer" = 4 ] && xflags=align4
	[ "$mode" = tunnel ] && xflags="${xflags#-} af-unspec"
	[ -n "$esn" ] && xflags="${xflags#-} esn"
	local t_o='' t_i='' conf=$ESP_DIR/$n.conf what
	[ "$mode" = tunnel ] && t_o="$ko-$no" t_i="$no-$ko"
	{
		echo "flush;"
		echo "spdflush;"
		echo "add $ko $no ah $spi_o -m $mode $esn -A $auth $akey;"
		echo "add $no $ko ah $spi_i -m $mode -r $AH_WINDOW $esn -A $auth $akey;"
		echo "spdadd $ksel $nsel any -P out ipsec ah/$mode/$t_o/require;"
		echo "spdadd $nsel $ksel any -P in ipsec ah/$mode/$t_i/require;"
		[ "$mode" = tunnel ] && echo "spdadd $nsel $ksel any -P fwd ipsec ah/$mode/$t_i/require;"
	} >"$conf"
	what=$(printf '%2d %-19s %-9s %-6s' "$n" "$label" "$mode" "$fl")
	kt_log "case $n: $label $mode $fl (SPI 0x$(printf %x $spi_o) from the kipsec side, 0x$(printf %x $spi_i) to it; native flags: $xflags)"
	if ! ah_xfrm $nns "$no" "$ko" "$nsel" "$ksel" $spi_i $spi_o $mode "$xflags" \
		"${ESP_XFRM[$auth]}" "$akey" "$icv" 2>"$ESP_DIR/$n.xerr"; then
		ESP_FAILED+=("$n $label: ip xfrm on the native side failed: $(cat "$ESP_DIR/$n.xerr")")
		ESP_LINES+=("$what FAIL native side")
		return
	fi

	local t0 rc dir=k2n dirtxt="kipsec->native" spec_x=''
	t0=$(date +%s.%N)
	[ "$mode" = tunnel ] && dir=n2k dirtxt="native->kipsec"
	[ -n "$esn" ] && spec_x=:esn
	(
		before="$(kt_stat $kns "ipv$outer" in_authfail) $(kt_stat $kns "ipv$outer" in_ahreplay)" || exit 1
		ip netns exec $kns "$setkey" -f "$conf" 2>"$ESP_DIR/$n.err" ||
			kt_fail "setkey -f failed: $(cat "$ESP_DIR/$n.err")"
		p=$ESP_DIR/$n
		esp_capture_start $wns $wif "$p" "$AH_HEAD"
		echo "${ESP_CAP_PIDS[*]}" >"$p.pids"
		kt_ping_ok $kh "$naddr"
		kt_ping_ok $nh "$kaddr"
		if [ "$dir" = k2n ]; then
			t=$(kt_tcp_ok $kh $nh "$naddr" "$AH_TCP_BYTES") || exit 1
		else
			t=$(kt_tcp_ok $nh $kh "$kaddr" "$AH_TCP_BYTES") || exit 1
		fi
		esp_capture_stop
		esp_wire "$p.wire" >"$p.seen" || kt_fail "cannot read the capture"
		nout=$(awk -v s="$(printf 0x%08x $spi_o)" '$1 == "ah" && $2 == s { print $3 }' "$p.seen")
		nin=$(awk -v s="$(printf 0x%08x $spi_i)" '$1 == "ah" && $2 == s { print $3 }' "$p.seen")
		[ "${nout:-0}" -gt 0 ] || kt_fail "no AH with the kipsec side's SPI on the wire: $(cat "$p.seen")"
		[ "${nin:-0}" -gt 0 ] || kt_fail "no AH with the native side's SPI on the wire: $(cat "$p.seen")"
		! grep -q '^esp ' "$p.seen" || kt_fail "ESP on the wire: $(cat "$p.seen")"
		grep -q '^clear 0$' "$p.seen" ||
			kt_fail "clear TCP or ICMP echo on the wire: $(tcpdump -n -r "$p.wire" 'tcp or icmp or icmp6' 2>/dev/null | head -3)"
		rm -f "$p.wire"
		orc=$(python3 "$KT_TOP/tests/guest/ah_icv.py" "$p.head" \
			"$(printf 0x%x $spi_o):$auth:$akey:${ESP_ICV[$auth]}$spec_x" \
			"$(printf 0x%x $spi_i):$auth:$akey:${ESP_ICV[$auth]}$spec_x" 2>&1) ||
			kt_fail "ICV oracle: $(tr '\n' ' ' <<<"$orc")"
		for s in $spi_o $spi_i; do
			grep -q "^ah $(printf 0x%08x "$s") good [1-9]" <<<"$orc" ||
				kt_fail "ICV oracle: no good ICV for SPI $s: $(tr '\n' ' ' <<<"$orc")"
		done
		sas=$(ah_counters $kns "$outer" $spi_o $spi_i "$before") || exit 1
		kt_log "case $n: $(esp_since "$t0") s; TCP $dirtxt $t MB/s; AH frames $nout from / $nin to the kipsec side; oracle: $(tr '\n' ' ' <<<"$orc"); $sas"
		echo "TCP $dirtxt $t MB/s, ICV oracle: both SPIs good" >"$p.result"
	)
	rc=$?
	if [ $rc != 0 ]; then
		kill $(cat "$ESP_DIR/$n.pids" 2>/dev/null) 2>/dev/null
		ESP_FAILED+=("$n $label $mode $fl: see the FAIL line above")
		ESP_LINES+=("$what FAIL (see the log)")
		return
	fi
	ESP_LINES+=("$what ping ok, $(cat "$ESP_DIR/$n.result"): ok")
}

# ah_matrix MODE FAMILY: the six integrity algorithms.
ah_matrix() {
	local a
	for a in hmac-md5 hmac-sha1 hmac-sha2-256 hmac-sha2-384 hmac-sha2-512 aes-xcbc-mac; do
		ah_case $a "$1" "$2"
	done
}

# ah_linux_pad64: IPv4 AH from a native SA without align4 (ICVs padded
# to 64 bits, Linux's default) is accepted. kipsec's own 32-bit padding is
# then refused by that SA (hmac-sha2-256: 28 bytes, not 32), so only the
# inbound side is checked: echo requests reach h1 and are counted.
ah_linux_pad64() {
	local n=$((ESP_N += 1)) akey p0 p1 what
	local spi_o=$((0x2000 + n * 16 + 1)) spi_i=$((0x2000 + n * 16 + 2))
	akey=0x$(esp_hex 32)
	what=$(printf '%2d %-19s %-9s %-6s' "$n" "hmac-sha2-256" transport "IPv4")
	kt_log "case $n: native IPv4 AH without align4 (64-bit padding) into kipsec"
	ah_xfrm h2 20.1.1.1 10.1.1.1 20.1.1.1 10.1.1.1 $spi_i $spi_o transport - \
		'hmac(sha256)' "$akey" 128 || kt_fail "ip xfrm on h2 failed"
	ip netns exec h1 "$setkey" -c <<-EOF || kt_fail "setkey on h1 failed"
	flush;
	spdflush;
	add 10.1.1.1 20.1.1.1 ah $spi_o -m transport -A hmac-sha2-256 $akey;
	add 20.1.1.1 10.1.1.1 ah $spi_i -m transport -r 32 -A hmac-sha2-256 $akey;
	spdadd 10.1.1.1 20.1.1.1 any -P out ipsec ah/transport//require;
	spdadd 20.1.1.1 10.1.1.1 any -P in ipsec ah/transport//require;
	EOF
	p0=$(kt_sa_stat h1 $spi_i packets) || exit 1
	KT_PING_COUNT=3 kt_ping_fails h2 10.1.1.1
	p1=$(kt_sa_stat h1 $spi_i packets) || exit 1
	esp_want "packets of SA $spi_i (native, 64-bit padding)" "$p0" "$p1" 3
	[ "$(kt_sa_stat h1 $spi_i auth)" = 0 ] || kt_fail "SA $spi_i counted ICV failures"
	ESP_LINES+=("$what native without align4 -> kipsec: 3 echo requests accepted: ok")
}

# ah_attacks FAMILY: on an hmac-sha1 transport pair, a frame h1 accepted,
# sent again, is a replay; a frame h1 never saw with a payload bit flipped
# fails the ICV; the same frame with every mutable IP header field changed
# is accepted; sent once more, it is a replay.
ah_attacks() {
	local fam=$1 k n so si akey pcap out r0 r1 a0 a1 p0 p1 s0 s1
	local frame=$KT_TOP/tests/guest/esp_frame.py
	if [ "$fam" = 4 ]; then k=10.1.1.1 n=20.1.1.1 so=0x2f01 si=0x2f02; else k=fd00:1::1 n=fd00:2::1 so=0x2f11 si=0x2f12; fi
	akey=0x$(esp_hex 20)
	kt_log "attacks, IPv$fam, hmac-sha1 transport"
	ah_xfrm h2 $n $k $n $k $si $so transport "$([ "$fam" = 4 ] && echo align4 || echo -)" \
		'hmac(sha1)' "$akey" 96 || kt_fail "ip xfrm on h2 failed"
	ip netns exec h1 "$setkey" -c <<-EOF || kt_fail "setkey on h1 failed"
	flush;
	spdflush;
	add $k $n ah $so -m transport -A hmac-sha1 $akey;
	add $n $k ah $si -m transport -r 32 -A hmac-sha1 $akey;
	spdadd $k $n any -P out ipsec ah/transport//require;
	spdadd $n $k any -P in ipsec ah/transport//require;
	EOF
	kt_ping_ok h1 $n

	pcap=$KT_TMP/ah-delivered$fam.pcap
	kt_capture_start h2 eth0 "$pcap" ah and src host $n
	KT_PING_COUNT=1 kt_ping_ok h2 $k
	kt_capture_stop
	r0=$(kt_stat h1 ipv$fam in_ahreplay) && s0=$(kt_sa_stat h1 $si replay) && p0=$(kt_sa_stat h1 $si packets) || exit 1
	out=$(ip netns exec h2 python3 "$frame" eth0 "$pcap" 0) || kt_fail "cannot resend the frame: $out"
	sleep 0.5
	r1=$(kt_stat h1 ipv$fam in_ahreplay) && s1=$(kt_sa_stat h1 $si replay) && p1=$(kt_sa_stat h1 $si packets) || exit 1
	esp_want "IPv$fam AH frame replayed ($out): in_ahreplay" "$r0" "$r1" 1
	esp_want "IPv$fam AH frame replayed: replays of SA $si" "$s0" "$s1" 1
	esp_want "IPv$fam AH frame replayed: packets of SA $si" "$p0" "$p1" 0

	pcap=$KT_TMP/ah-unseen$fam.pcap
	tc -n h1 qdisc add dev eth0 clsact && tc -n h1 filter add dev eth0 ingress matchall action drop ||
		kt_fail "cannot set up the tc drop on h1"
	kt_capture_start h2 eth0 "$pcap" ah and src host $n
	KT_PING_COUNT=1 kt_ping_fails h2 $k
	kt_capture_stop
	tc -n h1 qdisc del dev eth0 clsact || kt_fail "cannot remove the tc drop"
	a0=$(kt_stat h1 ipv$fam in_authfail) && s0=$(kt_sa_stat h1 $si auth) && p0=$(kt_sa_stat h1 $si packets) || exit 1
	out=$(ip netns exec h2 python3 "$frame" eth0 "$pcap" 0 --flip) || kt_fail "cannot send the flipped frame: $out"
	sleep 0.5
	a1=$(kt_stat h1 ipv$fam in_authfail) && s1=$(kt_sa_stat h1 $si auth) && p1=$(kt_sa_stat h1 $si packets) || exit 1
	esp_want "IPv$fam AH payload bit flipped ($out): in_authfail" "$a0" "$a1" 1
	esp_want "IPv$fam AH payload bit flipped: ICV failures of SA $si" "$s0" "$s1" 1
	esp_want "IPv$fam AH payload bit flipped: packets of SA $si" "$p0" "$p1" 0
	out=$(ip netns exec h2 python3 "$frame" eth0 "$pcap" 0 --mutate) || kt_fail "cannot send the mutated frame: $out"
	sleep 0.5
	p0=$(kt_sa_stat h1 $si packets) && a0=$(kt_stat h1 ipv$fam in_authfail) || exit 1
	esp_want "IPv$fam AH mutable fields changed ($out): packets of SA $si" "$p1" "$p0" 1
	esp_want "IPv$fam AH mutable fields changed: in_authfail" "$a1" "$a0" 0
	r0=$(kt_stat h1 ipv$fam in_ahreplay) || exit 1
	out=$(ip netns exec h2 python3 "$frame" eth0 "$pcap" 0) || kt_fail "cannot send the frame: $out"
	sleep 0.5
	r1=$(kt_stat h1 ipv$fam in_ahreplay) || exit 1
	esp_want "IPv$fam AH frame sent again after the mutated copy: in_ahreplay" "$r0" "$r1" 1
	kt_ping_ok h2 $k
	ESP_LINES+=("$(printf '%2s %-19s %-9s %-6s' - hmac-sha1 transport "IPv$fam") replay, flipped bit, mutable fields: ok")
}

# ah_finish: the table and the verdict.
ah_finish() {
	echo
	echo " # algorithm           mode      family result"
	printf '%s\n' "${ESP_LINES[@]}" | sort -n
	echo
	if [ ${#ESP_FAILED[@]} -gt 0 ]; then
		printf 'FAIL: case %s\n' "${ESP_FAILED[@]}" >&2
		kt_fail "${#ESP_FAILED[@]} check(s) failed"
	fi
	exit 0
}
