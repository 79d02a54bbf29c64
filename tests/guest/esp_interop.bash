# SPDX-License-Identifier: BSD-2-Clause
# The ESP interop matrix, shared by tests/guest/esp_interop_*.sh (sourced
# after tests/vm/lib.sh; not a test itself, hence not *.sh), and helpers the
# other esp_*.sh tests use (esp_xfrm, esp_capture_*, esp_hex).
#
# A case puts ESP between the "kipsec side", configured by our setkey over
# PF_KEY (KT_STACK: kipsec.ko, or Linux's af_key), and the "native side",
# configured by `ip xfrm` over netlink. Transport mode runs host to host
# (h1 = kipsec side, h2 = native), tunnel mode gateway to gateway (gw1 =
# kipsec side, gw2 = native, traffic between left and right): kt_topo_h2h's
# and kt_topo_gw's addresses, with the link between the two peers running
# through a bridge namespace (kt_link_wire) where the capture sees the wire.
# Per case:
#  - ping both ways, then ESP_TCP_BYTES (2 MiB) over TCP, files compared:
#    transport from the kipsec side's host to the native side's, tunnel the
#    other way round (so each algorithm has bulk traffic in both directions);
#  - the wire is captured: ESP with the case's two SPIs must flow both ways,
#    and no clear TCP or ICMP echo may appear;
#  - the first ESP_HEAD ESP frames are kept for the oracle: at the end, one
#    tshark pass over all cases with every case's keys in the esp_sa UAT
#    (tshark takes ~10 s to start in the TCG guest, too slow to run per
#    case). The ICMP and TCP packets the kipsec side sent must decode, and
#    where tshark 4.0 checks the algorithm's ICV it must be good, never bad.
# A case the stack cannot run (AEAD under af_key) must be refused by setkey
# with a message, and is reported as not run; a file with such cases ends in
# kt_skip, never in a pass.
#
# KT_STACK=xfrm configures the kipsec side with `ip xfrm` as well: a check of
# this file's own machinery (tshark names, keys, AEAD), not of setkey or
# kipsec. ESP_TCP_BYTES can be lowered for a quick run.

setkey=$KT_BUILD/bin/setkey
ESP_TCP_BYTES=${ESP_TCP_BYTES:-2097152}
ESP_HEAD=${ESP_HEAD:-40}	# ESP frames per case kept for tshark
ESP_N=0
ESP_CASES=()	# "n|line|spi_o|rate|oracle" per case that ran
ESP_FAILED=()
ESP_NOTRUN=()
ESP_UAT=()
ESP_LINES=()

# setkey name -> ip xfrm name, ICV bits, tshark 4.0 esp_sa name
declare -A ESP_XFRM=(
	[aes-cbc]='cbc(aes)' [aes-ctr]='rfc3686(ctr(aes))' [3des-cbc]='cbc(des3_ede)'
	[blowfish-cbc]='cbc(blowfish)' [des-cbc]='cbc(des)' [null]='ecb(cipher_null)'
	[aes-gcm-8]='rfc4106(gcm(aes))' [aes-gcm-12]='rfc4106(gcm(aes))'
	[aes-gcm-16]='rfc4106(gcm(aes))' [chacha20-poly1305]='rfc7539esp(chacha20,poly1305)'
	[hmac-md5]='hmac(md5)' [hmac-sha1]='hmac(sha1)' [hmac-sha2-256]='hmac(sha256)'
	[hmac-sha2-384]='hmac(sha384)' [hmac-sha2-512]='hmac(sha512)' [aes-xcbc-mac]='xcbc(aes)')
declare -A ESP_ICV=(
	[aes-gcm-8]=64 [aes-gcm-12]=96 [aes-gcm-16]=128 [chacha20-poly1305]=128
	[hmac-md5]=96 [hmac-sha1]=96 [hmac-sha2-256]=128 [hmac-sha2-384]=192
	[hmac-sha2-512]=256 [aes-xcbc-mac]=96)
declare -A ESP_AUTH_BITS=(
	[hmac-md5]=128 [hmac-sha1]=160 [hmac-sha2-256]=256 [hmac-sha2-384]=384
	[hmac-sha2-512]=512 [aes-xcbc-mac]=128)
declare -A ESP_TSHARK=(
	[aes-cbc]='AES-CBC [RFC3602]' [aes-ctr]='AES-CTR [RFC3686]'
	[3des-cbc]='TripleDES-CBC [RFC2451]' [blowfish-cbc]='BLOWFISH-CBC [RFC2451]'
	[des-cbc]='DES-CBC [RFC2405]' [null]='NULL'
	[aes-gcm-8]='AES-GCM with 8 octet ICV [RFC4106]'
	[aes-gcm-12]='AES-GCM with 12 octet ICV [RFC4106]'
	[aes-gcm-16]='AES-GCM with 16 octet ICV [RFC4106]'
	[hmac-md5]='HMAC-MD5-96 [RFC2403]' [hmac-sha1]='HMAC-SHA-1-96 [RFC2404]'
	[hmac-sha2-256]='HMAC-SHA-256-128 [RFC4868]'
	[hmac-sha2-384]='HMAC-SHA-384-192 [RFC4868]'
	[hmac-sha2-512]='HMAC-SHA-512-256 [RFC4868]'
	[aes-xcbc-mac]='ANY 96 bit authentication [no checking]')
# tshark 4.0 has no ChaCha20-Poly1305 for ESP and cannot check AES-XCBC-MAC.
declare -A ESP_TSHARK_ICV=([aes-xcbc-mac]=no)

if [ "$KT_STACK" = afkey ]; then
	# af_key truncates HMAC-SHA2-256 to 96 bits (docs/setkey.8, -icv)
	ESP_ICV[hmac-sha2-256]=96
	ESP_TSHARK[hmac-sha2-256]='HMAC-SHA-256-96 [draft-ietf-ipsec-ciph-sha-256-00]'
fi

esp_is_aead() { case $1 in aes-gcm-*|chacha20-poly1305) return 0 ;; esac; return 1; }
esp_hex() { od -An -v -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
esp_since() { echo "$(date +%s.%N) $1" | awk '{ printf "%.1f", $1 - $2 }'; }
esp_mac() { ip -n "$1" link show "$2" | awk '/link\/ether/ { print $2 }'; }

# esp_ctr NS NAME FAMILY: kipsec_stat counter NAME (ipvFAMILY) of NS, or under
# af_key (or xfrm) its XFRM counterpart in /proc/net/xfrm_stat, which has one
# set for both families.
esp_ctr() {
	local x v
	if [ "$KT_STACK" = kipsec ]; then
		kt_stat "$1" "ipv$3" "$2"
		return
	fi
	case $2 in
	in_espreplay) x=XfrmInStateSeqError ;;
	in_authfail) x=XfrmInStateProtoError ;;
	in_polvio) x=XfrmInTmplMismatch ;;
	out_nosa) x=XfrmOutNoStates ;;
	*) kt_fail "no XFRM counterpart for $2" ;;
	esac
	v=$(ip netns exec "$1" awk -v n=$x '$1 == n { print $2 }' /proc/net/xfrm_stat)
	[ -n "$v" ] || kt_fail "no $x in /proc/net/xfrm_stat of $1"
	echo "$v"
}

# esp_neigh NS1 IF1 ADDR1 NS2 IF2 ADDR2: fixed IPv6 neighbours, so that
# policies covering every protocol between two hosts leave ND alone.
esp_neigh() {
	ip -n "$1" -6 neigh replace "$6" lladdr "$(esp_mac "$4" "$5")" dev "$2" nud permanent &&
		ip -n "$4" -6 neigh replace "$3" lladdr "$(esp_mac "$1" "$2")" dev "$5" nud permanent ||
		kt_fail "cannot set the IPv6 neighbours of $1 and $4"
}

# esp_topo_h2h, esp_topo_gw: kt_topo_h2h and kt_topo_gw, the h1-h2 link
# through wire namespace wh (capture on port h1-eth0), gw1-gw2 through wg
# (capture on gw1-wan0). esp_topo: both.
esp_topo() { esp_topo_h2h; esp_topo_gw; }

esp_topo_h2h() {
	kt_topo_h2h wh
	esp_neigh h1 eth0 fd00:1::1 h2 eth0 fd00:2::1
}

esp_topo_gw() { kt_topo_gw wg; }

esp_setup() {
	case $KT_STACK in
	xfrm) ;;
	*) kt_load_stack ;;
	esac
	[ -x "$setkey" ] || kt_fail "setkey not built ($setkey)"
	# No udev in the guest: without this xfrm uses aes-generic.
	modprobe aesni_intel 2>/dev/null
	esp_topo
	ESP_DIR=$KT_TMP/esp
	mkdir -p "$ESP_DIR"
	kt_log "stack: $KT_STACK; TCP: $ESP_TCP_BYTES bytes per case"
}

# esp_xfrm NS LOCAL REMOTE LSEL RSEL SPI_OUT SPI_IN MODE ALGS...: both SAs and
# the out/in(/fwd) policies of one side, through netlink, in one `ip -batch`
# (each ip command costs a few tenths of a second under TCG). With
# ESP_XFRM_FLUSH=1 the side's SAD and SPD are flushed first.
esp_xfrm() {
	local ns=$1 l=$2 r=$3 lsel=$4 rsel=$5 so=$6 si=$7 mode=$8 a; shift 8
	local tout="tmpl proto esp mode transport" tin="tmpl proto esp mode transport" flag=
	if [ "$mode" = tunnel ]; then
		tout="tmpl src $l dst $r proto esp mode tunnel"
		tin="tmpl src $r dst $l proto esp mode tunnel"
		flag="flag af-unspec"	# any inner family (4in6, 6in4)
	fi
	a=$(printf '"%s" ' "$@")	# algorithm names have parentheses; a key may be empty
	{
		if [ "${ESP_XFRM_FLUSH:-0}" = 1 ]; then
			echo "xfrm state flush"
			echo "xfrm policy flush"
		fi
		echo "xfrm state add src $l dst $r proto esp spi $so mode $mode $flag $a"
		echo "xfrm state add src $r dst $l proto esp spi $si mode $mode replay-window 32 $flag $a"
		echo "xfrm policy add src $lsel dst $rsel dir out $tout level required"
		echo "xfrm policy add src $rsel dst $lsel dir in $tin level required"
		[ "$mode" = tunnel ] && echo "xfrm policy add src $rsel dst $lsel dir fwd $tin level required"
	} | ip -n "$ns" -batch -
}

# esp_capture_start NS IFACE PREFIX [HEAD]: two captures in parallel, PREFIX.wire
# (every frame, first 128 bytes: enough for esp_pcap.py) and, with HEAD,
# PREFIX.head (the first HEAD ESP frames whole, for tshark; ESP_CAP_PROTO=ah
# keeps AH frames instead). esp_capture_stop: stop both. --immediate-mode:
# otherwise libpcap holds frames in its ring for up to a second, and those
# of a short exchange are lost when tcpdump is stopped (seen: an empty
# capture of a whole POP session).
esp_capture_start() {
	local ns=$1 ifc=$2 p=$3 head=${4:-0} f i
	ESP_CAP_PIDS=()
	ip netns exec "$ns" tcpdump -n -U --immediate-mode -s 128 -i "$ifc" -w "$p.wire" 2>"$p.wire.log" &
	ESP_CAP_PIDS+=($!)
	if [ "$head" -gt 0 ]; then
		ip netns exec "$ns" tcpdump -n -U --immediate-mode -c "$head" -i "$ifc" -w "$p.head" "${ESP_CAP_PROTO:-esp}" 2>"$p.head.log" &
		ESP_CAP_PIDS+=($!)
	fi
	KT_PIDS+=("${ESP_CAP_PIDS[@]}")
	for f in "$p.wire.log" "$p.head.log"; do
		[ "$f" = "$p.head.log" ] && [ "$head" = 0 ] && continue
		for i in $(seq 100); do grep -q listening "$f" 2>/dev/null && break; sleep 0.1; done
		grep -q listening "$f" || kt_fail "tcpdump did not start on $ns:$ifc: $(cat "$f")"
	done
}

esp_capture_stop() {
	local p
	sleep 0.3
	for p in "${ESP_CAP_PIDS[@]}"; do kill -INT "$p" 2>/dev/null; done
	for p in "${ESP_CAP_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	return 0
}

# esp_wire PCAP: esp_pcap.py's reading of a capture ("esp 0xSPI N", "ah ...",
# "clear N", "frames N").
esp_wire() { python3 "$KT_TOP/tests/guest/esp_pcap.py" "$1"; }

# esp_case ENC KEYBITS AUTH MODE FAMILY [OUTER_FAMILY]
#   ENC, AUTH: setkey's names (AUTH "-" with an AEAD ENC); KEYBITS: the ENC
#   key as setkey counts it (salt/nonce included); MODE transport|tunnel;
#   FAMILY 4|6 of the protected traffic, OUTER_FAMILY of the tunnel.
esp_case() {
	local enc=$1 ebits=$2 auth=$3 mode=$4 fam=$5 outer=${6:-$5}
	local n=$((ESP_N += 1))
	local spi_o=$((0x1000 + n * 16 + 1)) spi_i=$((0x1000 + n * 16 + 2))
	local ekey='' akey='' kns nns wns wif ko no ksel nsel kh nh kaddr naddr
	local label="$enc/$ebits $auth" fl=IPv$fam
	[ "$auth" = - ] && label="$enc/$ebits"
	[ "$outer" != "$fam" ] && fl="${fam}in$outer"
	[ "$ebits" -gt 0 ] && ekey=0x$(esp_hex $((ebits / 8)))
	[ "$auth" != - ] && akey=0x$(esp_hex $((ESP_AUTH_BITS[$auth] / 8)))
	# kh/nh: the hosts whose traffic is protected, kaddr/naddr their addresses
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

	# The same algorithms in both languages.
	local sk_alg xalg=()
	if esp_is_aead "$enc"; then
		sk_alg="-E $enc $ekey"
		xalg=(aead "${ESP_XFRM[$enc]}" "$ekey" "${ESP_ICV[$enc]}")
	else
		sk_alg="-E $enc${ekey:+ $ekey} -A $auth $akey"
		xalg=(enc "${ESP_XFRM[$enc]}" "$ekey" auth-trunc "${ESP_XFRM[$auth]}" "$akey" "${ESP_ICV[$auth]}")
	fi
	local t_o='' t_i=''
	[ "$mode" = tunnel ] && t_o="$ko-$no" t_i="$no-$ko"
	local conf=$ESP_DIR/$n.conf
	{
		echo "flush;"
		echo "spdflush;"
		echo "add $ko $no esp $spi_o -m $mode $sk_alg;"
		echo "add $no $ko esp $spi_i -m $mode -r 32 $sk_alg;"
		echo "spdadd $ksel $nsel any -P out ipsec esp/$mode/$t_o/require;"
		echo "spdadd $nsel $ksel any -P in ipsec esp/$mode/$t_i/require;"
		# Linux checks forwarded traffic against fwd policies only;
		# kipsec takes fwd policies too (docs/setkey.8).
		[ "$mode" = tunnel ] && echo "spdadd $nsel $ksel any -P fwd ipsec esp/$mode/$t_i/require;"
	} >"$conf"
	local what
	what=$(printf '%2d %-27s %-9s %-6s' "$n" "$label" "$mode" "$fl")
	kt_log "case $n: $label $mode $fl (SPI 0x$(printf %x $spi_o) from the kipsec side, 0x$(printf %x $spi_i) to it)"

	# A stack without the algorithm must say so.
	if esp_is_aead "$enc" && [ "$KT_STACK" = afkey ]; then
		if ip netns exec $kns "$setkey" -f "$conf" >"$ESP_DIR/$n.err" 2>&1; then
			ESP_FAILED+=("$n $label: setkey -f succeeded against af_key, which has no AEAD")
			ESP_LINES+=("$what FAIL af_key accepted an AEAD SA")
		elif ! grep -q "^$conf:3: add: " "$ESP_DIR/$n.err" ||
			[ "$(ip netns exec $kns "$setkey" -D)" != "No SAD entries." ]; then
			ESP_FAILED+=("$n $label: refusal not reported at $conf:3, or SAD not empty: $(cat "$ESP_DIR/$n.err")")
			ESP_LINES+=("$what FAIL unclear refusal")
		else
			ESP_NOTRUN+=("$n")
			ESP_LINES+=("$what NOT RUN, needs kipsec (af_key: $(sed -n "s|^$conf:3: ||p" "$ESP_DIR/$n.err"))")
		fi
		return
	fi
	# A case af_key cannot carry although it takes the configuration.
	if [ -n "${ESP_AFKEY_CANNOT:-}" ] && [ "$KT_STACK" = afkey ]; then
		if ! ip netns exec $kns "$setkey" -f "$conf" >"$ESP_DIR/$n.err" 2>&1; then
			ESP_FAILED+=("$n $label: setkey -f failed: $(cat "$ESP_DIR/$n.err")")
			ESP_LINES+=("$what FAIL setkey -f")
		else
			ESP_NOTRUN+=("$n")
			ESP_LINES+=("$what NOT RUN, needs kipsec (loads, but $ESP_AFKEY_CANNOT)")
		fi
		return
	fi
	if ! ESP_XFRM_FLUSH=1 esp_xfrm $nns "$no" "$ko" "$nsel" "$ksel" $spi_i $spi_o $mode "${xalg[@]}" 2>"$ESP_DIR/$n.xerr"; then
		if [ "$enc" = des-cbc ]; then
			# The kernel lacks DES: our setkey must be refused too.
			if ip netns exec $kns "$setkey" -f "$conf" >"$ESP_DIR/$n.err" 2>&1; then
				ESP_FAILED+=("$n $label: ip xfrm refused DES ($(cat "$ESP_DIR/$n.xerr")) but setkey -f succeeded")
				ESP_LINES+=("$what FAIL setkey accepted DES")
			elif ! grep -q "^$conf:3: add: " "$ESP_DIR/$n.err"; then
				ESP_FAILED+=("$n $label: refusal not reported at $conf:3: $(cat "$ESP_DIR/$n.err")")
				ESP_LINES+=("$what FAIL unclear refusal")
			else
				ESP_LINES+=("$what ok: the kernel has no DES, both sides refuse it")
			fi
			return
		fi
		ESP_FAILED+=("$n $label: ip xfrm on the native side failed: $(cat "$ESP_DIR/$n.xerr")")
		ESP_LINES+=("$what FAIL native side")
		return
	fi

	local t0 rc dir=k2n dirtxt="kipsec->native"
	t0=$(date +%s.%N)
	[ "$mode" = tunnel ] && dir=n2k dirtxt="native->kipsec"
	(
		if [ "$KT_STACK" = xfrm ]; then
			ESP_XFRM_FLUSH=1 esp_xfrm $kns "$ko" "$no" "$ksel" "$nsel" $spi_o $spi_i $mode "${xalg[@]}" ||
				kt_fail "ip xfrm on the kipsec side failed"
		else
			ip netns exec $kns "$setkey" -f "$conf" 2>"$ESP_DIR/$n.err" ||
				kt_fail "setkey -f failed: $(cat "$ESP_DIR/$n.err")"
		fi
		p=$ESP_DIR/$n
		esp_capture_start $wns $wif "$p" "$ESP_HEAD"
		echo "${ESP_CAP_PIDS[*]}" >"$p.pids"
		ph=("setup $(esp_since "$t0")")
		kt_ping_ok $kh "$naddr"
		kt_ping_ok $nh "$kaddr"
		ph+=("ping $(esp_since "$t0")")
		if [ "$dir" = k2n ]; then
			t=$(kt_tcp_ok $kh $nh "$naddr" "$ESP_TCP_BYTES") || exit 1
		else
			t=$(kt_tcp_ok $nh $kh "$kaddr" "$ESP_TCP_BYTES") || exit 1
		fi
		ph+=("tcp $(esp_since "$t0")")
		esp_capture_stop
		esp_wire "$p.wire" >"$p.seen" || kt_fail "cannot read the capture"
		nout=$(awk -v s="$(printf 0x%08x $spi_o)" '$1 == "esp" && $2 == s { print $3 }' "$p.seen")
		nin=$(awk -v s="$(printf 0x%08x $spi_i)" '$1 == "esp" && $2 == s { print $3 }' "$p.seen")
		[ "${nout:-0}" -gt 0 ] || kt_fail "no ESP with the kipsec side's SPI on the wire: $(cat "$p.seen")"
		[ "${nin:-0}" -gt 0 ] || kt_fail "no ESP with the native side's SPI on the wire: $(cat "$p.seen")"
		grep -q '^clear 0$' "$p.seen" ||
			kt_fail "clear TCP or ICMP echo on the wire: $(tcpdump -n -r "$p.wire" 'tcp or icmp or icmp6' 2>/dev/null | head -3)"
		[ -s "$p.head" ] || kt_fail "no ESP frames kept for tshark"
		rm -f "$p.wire"
		ph+=("wire $(esp_since "$t0")")
		kt_log "case $n: ${ph[*]} s; TCP $dirtxt $t MB/s; ESP frames $nout from / $nin to the kipsec side"
		echo "$t" >"$p.rate"
	)
	rc=$?
	if [ $rc != 0 ]; then
		kill $(cat "$ESP_DIR/$n.pids" 2>/dev/null) 2>/dev/null
		ESP_FAILED+=("$n $label $mode $fl: see the FAIL line above")
		ESP_LINES+=("$what FAIL (see the log)")
		return
	fi
	local oracle=yes
	if [ -z "${ESP_TSHARK[$enc]:-}" ]; then
		oracle="no: tshark 4.0 has no $enc"
	else
		local ta=NULL tak=''
		if [ "$auth" != - ]; then ta=${ESP_TSHARK[$auth]} tak=$akey; fi
		local s
		for s in $spi_o $spi_i; do
			ESP_UAT+=(-o "uat:esp_sa:\"IPv$outer\",\"*\",\"*\",\"$(printf 0x%08x $s)\",\"${ESP_TSHARK[$enc]}\",\"$ekey\",\"$ta\",\"$tak\"")
		done
		[ "$auth" != - ] && [ "${ESP_TSHARK_ICV[$auth]:-}" = no ] && oracle="no ICV check: tshark cannot check $auth"
	fi
	ESP_CASES+=("$n|$what|$(printf 0x%08x $spi_o)|TCP $dirtxt $(cat "$ESP_DIR/$n.rate") MB/s|$oracle")
}

# esp_want WHAT BEFORE AFTER DELTA: AFTER must be BEFORE + DELTA ("+N": at least).
esp_want() {
	case $4 in
	+*) [ "$3" -ge $(($2 + ${4#+})) ] || kt_fail "$1: went from $2 to $3, want at least $4" ;;
	*) [ "$3" -eq $(($2 + $4)) ] || kt_fail "$1: went from $2 to $3, want +$4" ;;
	esac
}

# esp_matrix MODE FAMILY: the six non-AEAD encryption algorithms, each with
# one of the six integrity algorithms (key sizes differ between families).
esp_matrix() {
	local big=$(( $2 == 6 ))
	esp_case aes-cbc $((big ? 256 : 128)) hmac-sha2-256 "$1" "$2"
	esp_case aes-ctr $((big ? 288 : 160)) hmac-sha2-512 "$1" "$2"
	esp_case 3des-cbc 192 hmac-sha1 "$1" "$2"
	esp_case blowfish-cbc 128 hmac-md5 "$1" "$2"	# tshark: 128 only
	esp_case des-cbc 64 aes-xcbc-mac "$1" "$2"
	esp_case null 0 hmac-sha2-384 "$1" "$2"
}

# esp_matrix_aead MODE FAMILY: AES-GCM with 128/192/256-bit keys and
# 8/12/16-byte ICVs, and ChaCha20-Poly1305.
esp_matrix_aead() {
	esp_case aes-gcm-8 160 - "$1" "$2"
	esp_case aes-gcm-12 224 - "$1" "$2"
	esp_case aes-gcm-16 288 - "$1" "$2"
	esp_case chacha20-poly1305 288 - "$1" "$2"
}

# esp_finish: the tshark oracle over every case, the table, the verdict.
esp_finish() {
	local heads=() c fields=$ESP_DIR/fields t0
	for c in "${ESP_CASES[@]}"; do heads+=("$ESP_DIR/${c%%|*}.head"); done
	: >"$fields"
	if [ ${#heads[@]} -gt 0 ]; then
		mergecap -w "$ESP_DIR/all.pcap" "${heads[@]}" || kt_fail "mergecap failed"
		t0=$(date +%s.%N)
		tshark -n -r "$ESP_DIR/all.pcap" -o esp.enable_encryption_decode:TRUE \
			-o esp.enable_authentication_check:TRUE "${ESP_UAT[@]}" \
			-T fields -E separator=/t -e esp.spi -e icmp.type -e icmpv6.type \
			-e tcp.srcport -e esp.icv_good -e esp.icv_bad >"$fields" 2>"$ESP_DIR/tshark.err" ||
			kt_fail "tshark failed: $(grep -v 'Running as user' "$ESP_DIR/tshark.err" | head -5)"
		kt_log "tshark: $(wc -l <"$fields") frames of ${#heads[@]} cases in $(esp_since "$t0") s"
	fi
	for c in "${ESP_CASES[@]}"; do
		local n what spi rate oracle icmp tcp good bad verdict=ok o
		IFS='|' read -r n what spi rate oracle <<<"$c"
		read -r icmp tcp good bad < <(awk -F'\t' -v sh="$spi" -v sd="$((spi))" '
			tolower($1) == sh || $1 == sd {
				if ($2 ~ /(^|,)(0|8)(,|$)/ || $3 ~ /(^|,)(128|129)(,|$)/) i++
				if ($4 != "") t++
				if ($5 ~ /^(1|True)$/) g++
				if ($6 ~ /^(1|True)$/) b++
			}
			END { printf "%d %d %d %d\n", i, t, g, b }' "$fields")
		o="tshark decoded icmp=$icmp tcp=$tcp, ICV good=$good bad=$bad"
		case $oracle in
		no:*) o="tshark: $oracle" ;;
		*)
			[ "$icmp" -gt 0 ] || { verdict=FAIL; ESP_FAILED+=("$n: tshark decoded no ICMP from the kipsec side (SPI $spi)"); }
			[ "$tcp" -gt 0 ] || { verdict=FAIL; ESP_FAILED+=("$n: tshark decoded no TCP from the kipsec side (SPI $spi)"); }
			[ "$bad" = 0 ] || { verdict=FAIL; ESP_FAILED+=("$n: tshark found $bad bad ICVs from the kipsec side (SPI $spi)"); }
			if [ "$oracle" = yes ]; then
				[ "$good" -gt 0 ] || { verdict=FAIL; ESP_FAILED+=("$n: tshark saw no good ICV from the kipsec side (SPI $spi)"); }
			else
				o="$o ($oracle)"
			fi ;;
		esac
		ESP_LINES+=("$what ping ok, $rate, $o: $verdict")
	done
	echo
	echo " # algorithm                   mode      family result"
	printf '%s\n' "${ESP_LINES[@]}" | sort -n
	echo
	if [ ${#ESP_FAILED[@]} -gt 0 ]; then
		printf 'FAIL: case %s\n' "${ESP_FAILED[@]}" >&2
		kt_fail "${#ESP_FAILED[@]} check(s) failed"
	fi
	if [ ${#ESP_NOTRUN[@]} -gt 0 ]; then
		kt_skip "cases ${ESP_NOTRUN[*]} need kipsec: not run under KT_STACK=$KT_STACK (see the table); $((ESP_N - ${#ESP_NOTRUN[@]})) other case(s) passed"
	fi
	exit 0
}
