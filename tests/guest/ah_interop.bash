# SPDX-License-Identifier: BSD-2-Clause
# The AH interop matrix, shared by tests/guest/ah_interop_*.sh (sourced after
# tests/vm/lib.sh; not a test itself). It reuses esp_interop.bash's
# topologies and TCP transfer (see there): the "kipsec side" is configured by
# our setkey over PF_KEY, the "native side" by `ip xfrm`; transport mode host
# to host (h1 kipsec, h2 native), tunnel mode gateway to gateway (gw1
# kipsec, gw2 native, traffic between left and right).
# Per case:
#  - ping both ways, then AH_TCP_BYTES (512 KiB) over TCP, files compared:
#    transport from the kipsec side, tunnel towards it;
#  - the kipsec side's counters: both SAs used, no ICV or replay failure.
# The wire is captured once for the test (a capture and a Python
# pass per case cost more than the case's traffic under TCG); at the end:
#  - AH with each case's two SPIs must have flowed both ways, and no ESP,
#    clear TCP or ICMP echo may appear, in any case;
#  - the first AH_HEAD AH frames of each SPI are checked by ah_icv.py, which
#    computes the ICVs as RFC 4302 says, independently of both stacks
#    (tshark 4.0 has no AH ICV check: `tshark -G defaultprefs` lists none).
#    Every ICV must be good, and both SPIs of each case must have good ones.
# The hosts (h1, h2) and the gateways (gw1, gw2, left, right) are separate
# namespaces with separate SPIs and counters: a test runs its host cases and
# its gateway cases as two lanes side by side (ah_lane), which overlaps one
# lane's waits (pings, Python and tcpdump start-up) with the other's work.
# Linux pads IPv4 AH to 64 bits unless an SA has the `align4` flag; RFC 4302
# (and kipsec) pads to 32 bits. The native side's IPv4 SAs get `align4`.
# ah_linux_pad64 checks that kipsec takes Linux's default padding too.
# ah_attacks checks replays, a flipped bit and the mutable header fields.

. "$KT_TOP/tests/guest/esp_interop.bash"

AH_TCP_BYTES=${AH_TCP_BYTES:-524288}
AH_HEAD=${AH_HEAD:-40}	# AH frames per SPI whose ICVs the oracle checks
# The kipsec side's replay window: no replay may be counted, but the guest's
# two vCPUs, stalled in turn by a loaded host, reorder packets by more than 32.
AH_WINDOW=${AH_WINDOW:-1024}
AH_LANES=()	# "name pid" of each lane running in the background
AH_CAPS=()	# "pcap pid" of each wire capture

ah_setup() {
	[ "$KT_STACK" = kipsec ] || kt_skip "AH needs kipsec.ko (KT_STACK=$KT_STACK)"
	ESP_TCP_BYTES=$AH_TCP_BYTES esp_setup
	kt_log "ICV oracle: tests/guest/ah_icv.py; tshark $(dpkg-query -W -f '${Version}' tshark 2>/dev/null) cannot check AH ICVs (its only ICV check is esp.enable_authentication_check)"
	AH_T0=$(date +%s.%N)
	ah_capture_start wh h1-eth0 "$ESP_DIR/hosts"
	ah_capture_start wg gw1-wan0 "$ESP_DIR/gateways"
	ah_capture_wait
}

# ah_capture_start NS IFACE PREFIX: capture every frame into PREFIX.pcap
# until ah_finish, AH frames whole (ah_icv.py refuses a cut one).
# --immediate-mode (see esp_capture_start) makes libpcap use a ring of
# fixed slots, as large as the snap length on an interface with offloads
# (veth): with tcpdump's default (256 KiB) 2 MiB held 8 frames, and bulk
# TCP was dropped by the hundred while a loaded guest lagged. 4096 bytes
# hold any frame of these links; -B: 4096 slots.
ah_capture_start() {
	ip netns exec "$1" tcpdump -n -U --immediate-mode -s 4096 -B 16384 -i "$2" -w "$3.pcap" 2>"$3.log" &
	AH_CAPS+=("$3 $!")
	KT_PIDS+=($!)
}

# ah_capture_wait: until every capture listens (both start side by side).
ah_capture_wait() {
	local c
	for c in "${AH_CAPS[@]}"; do
		kt_wait_for 10 grep -q listening "${c% *}.log" ||
			kt_fail "tcpdump did not start: $(cat "${c% *}.log")"
	done
}

# ah_capture_stop: stop the captures, log what each saw and dropped.
ah_capture_stop() {
	local c
	sleep 1	# the last frames reach the file: a loaded TCG guest is slow
	for c in "${AH_CAPS[@]}"; do kill -INT "${c#* }" 2>/dev/null; done
	for c in "${AH_CAPS[@]}"; do
		wait "${c#* }" 2>/dev/null
		kt_log "capture ${c% *}.pcap: $(grep -E 'captured|dropped' "${c% *}.log" | tr '\n' ' ')"
	done
}

# ah_lane NAME CMD...: run CMD in the background, with its own KT_TMP
# (kt_tcp_ok's files); ah_finish waits for it. A lane writes its results to
# files (ah_note), not to the arrays of this shell.
ah_lane() {
	local name=$1; shift
	(
		KT_TMP=$KT_TMP/$name
		mkdir -p "$KT_TMP" || kt_fail "cannot create $KT_TMP"
		"$@"
	) &
	AH_LANES+=("$name $!")
}

# ah_note N LINE [FAILURE]: case N's table line, and why it failed.
ah_note() {
	echo "$2" >"$ESP_DIR/$1.line"
	[ -z "${3:-}" ] || echo "$3" >"$ESP_DIR/$1.fail"
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

# ah_snap NS FAM SPI_OUT SPI_IN: "in_authfail in_ahreplay" of ipvFAM, then
# packets of both SAs and ICV failures and replays of SPI_IN ("-" for an SA
# not there), from one read of NS's /proc/net/kipsec_stat and kipsec_sa:
# kt_stat and kt_sa_stat cost an `ip netns exec` each, seconds under TCG.
ah_snap() {
	ip netns exec "$1" awk -v fam="ipv$2" -v so="$(printf 'spi=0x%08x' "$3")" \
		-v si="$(printf 'spi=0x%08x' "$4")" '
		function tok(line, name,   i, n, t) {
			n = split(line, t, " ")
			for (i = 1; i <= n; i++) if (index(t[i], name "=") == 1) return substr(t[i], length(name) + 2)
			return "-"
		}
		FILENAME ~ /stat$/ && $1 == fam && !($2 in c) { c[$2] = $3 }
		FILENAME ~ /_sa$/ { for (i = 1; i <= NF; i++) { if ($i == so) o = $0; if ($i == si) n = $0 } }
		END {
			print ("in_authfail" in c ? c["in_authfail"] : "-"), ("in_ahreplay" in c ? c["in_ahreplay"] : "-"),
				tok(o, "packets"), tok(n, "packets"), tok(n, "auth"), tok(n, "replay")
		}' /proc/net/kipsec_stat /proc/net/kipsec_sa
}

# ah_counters NS FAM SPI_OUT SPI_IN BEFORE: after a case, the SAs' packets and
# failures and the family's AH failures against BEFORE (ah_snap's first two).
ah_counters() {
	local ns=$1 fam=$2 so=$3 si=$4 f0 r0 f r po pi ai ri
	read -r f0 r0 <<<"$5"
	read -r f r po pi ai ri < <(ah_snap "$ns" "$fam" "$so" "$si")
	[[ "$f $r $po $pi $ai $ri" =~ ^[0-9]+( [0-9]+){5}$ ]] ||
		kt_fail "counters missing in $ns: '$f $r $po $pi $ai $ri' (in_authfail in_ahreplay, SA $so packets, SA $si packets auth replay)"
	[ "$po" -gt 0 ] || kt_fail "SA $so carried no packet out"
	[ "$pi" -gt 0 ] || kt_fail "SA $si carried no packet in"
	[ "$ai" = 0 ] || kt_fail "SA $si counted ICV failures"
	[ "$ri" = 0 ] || kt_fail "SA $si counted replays"
	esp_want "in_authfail" "$f0" "$f" 0
	esp_want "in_ahreplay" "$r0" "$r" 0
	echo "SA packets $po out, $pi in"
}

# ah_case N AUTH MODE FAMILY [OUTER_FAMILY]: case N (AH_ESN=1: with ESN).
# Its SPIs are 0x2N01 and 0x2N02 (N in hex); ah_finish checks their frames.
ah_case() {
	local n=$1 auth=$2 mode=$3 fam=$4 outer=${5:-$4}
	local spi_o=$((0x2000 + n * 16 + 1)) spi_i=$((0x2000 + n * 16 + 2))
	local akey icv=${ESP_ICV[$auth]} kns nns kh nh ko no ksel nsel kaddr naddr
	local label=$auth fl=IPv$fam esn='' xflags=-
	akey=0x$(esp_hex $((ESP_AUTH_BITS[$auth] / 8)))
	[ "$outer" != "$fam" ] && fl="${fam}in$outer"
	if [ "${AH_ESN:-0}" = 1 ]; then esn=-esn label="$auth esn"; fi
	if [ "$mode" = transport ]; then
		kns=h1 nns=h2 kh=h1 nh=h2
		if [ "$fam" = 4 ]; then ko=10.1.1.1 no=20.1.1.1; else ko=fd00:1::1 no=fd00:2::1; fi
		ksel=$ko nsel=$no kaddr=$ko naddr=$no
	else
		kns=gw1 nns=gw2 kh=left nh=right
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
		ah_note "$n" "$what FAIL native side" \
			"$n $label: ip xfrm on the native side failed: $(cat "$ESP_DIR/$n.xerr")"
		return
	fi

	local t0 dir=k2n dirtxt="kipsec->native" spec_x=''
	t0=$(date +%s.%N)
	[ "$mode" = tunnel ] && dir=n2k dirtxt="native->kipsec"
	[ -n "$esn" ] && spec_x=:esn
	if ! (
		before=$(ah_snap $kns "$outer" $spi_o $spi_i) || exit 1
		[[ $before =~ ^[0-9]+\ [0-9]+\  ]] || kt_fail "no AH counters in $kns: $before"
		ip netns exec $kns "$setkey" -f "$conf" 2>"$ESP_DIR/$n.err" ||
			kt_fail "setkey -f failed: $(cat "$ESP_DIR/$n.err")"
		ph=("setup $(esp_since "$t0")")
		# Both ways at once: each ping spends most of its time waiting.
		kt_ping_ok $kh "$naddr" &
		p=$!
		kt_ping_ok $nh "$kaddr" || exit 1
		wait $p || exit 1
		ph+=("ping $(esp_since "$t0")")
		if [ "$dir" = k2n ]; then
			t=$(kt_tcp_ok $kh $nh "$naddr" "$AH_TCP_BYTES") || exit 1
		else
			t=$(kt_tcp_ok $nh $kh "$kaddr" "$AH_TCP_BYTES") || exit 1
		fi
		ph+=("tcp $(esp_since "$t0")")
		sas=$(ah_counters $kns "$outer" $spi_o $spi_i "$before") || exit 1
		ph+=("counters $(esp_since "$t0")")
		kt_log "case $n: ${ph[*]} s; TCP $dirtxt $t MB/s; $sas"
		# For ah_finish: the oracle's specs, then the table's text.
		echo "$(printf 0x%x $spi_o):$auth:$akey:$icv$spec_x" \
			"$(printf 0x%x $spi_i):$auth:$akey:$icv$spec_x" >"$ESP_DIR/$n.spec"
		echo "TCP $dirtxt $t MB/s" >"$ESP_DIR/$n.result"
	); then
		ah_note "$n" "$what FAIL (see the log)" "$n $label $mode $fl: see the FAIL line above"
		return
	fi
	echo "$what ping ok, $(cat "$ESP_DIR/$n.result")" >"$ESP_DIR/$n.ran"
}

# ah_matrix N MODE FAMILY: the six integrity algorithms, cases N to N+5.
ah_matrix() {
	local n=$1 a
	for a in hmac-md5 hmac-sha1 hmac-sha2-256 hmac-sha2-384 hmac-sha2-512 aes-xcbc-mac; do
		ah_case $((n++)) $a "$2" "$3"
	done
}

# ah_linux_pad64 N: IPv4 AH from a native SA without align4 (ICVs padded
# to 64 bits, Linux's default) is accepted. kipsec's own 32-bit padding is
# then refused by that SA (hmac-sha2-256: 28 bytes, not 32), so only the
# inbound side is checked: echo requests reach h1 and are counted.
ah_linux_pad64() {
	local n=$1 akey p0 p1 what
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
	ah_note "$n" "$what native without align4 -> kipsec: 3 echo requests accepted: ok"
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
	ah_note "attacks$fam" "$(printf '%2s %-19s %-9s %-6s' - hmac-sha1 transport "IPv$fam") replay, flipped bit, mutable fields: ok"
}

# ah_finish: wait for the lanes, stop the captures, check the wire and the
# ICVs of every case that ran, print the table and the verdict.
ah_finish() {
	local l c f specs=() pcaps=() t0 all=$ESP_DIR/all.pcap
	for l in "${AH_LANES[@]}"; do
		wait "${l#* }" || ESP_FAILED+=("lane ${l% *} stopped: see the FAIL line above")
	done
	kt_log "lanes done after $(esp_since "$AH_T0") s"
	ah_capture_stop
	for f in "$ESP_DIR"/*.spec; do [ -e "$f" ] && specs+=($(cat "$f")); done
	[ ${#specs[@]} -gt 0 ] || ESP_FAILED+=("no case ran")
	t0=$(date +%s.%N)
	for c in "${AH_CAPS[@]}"; do pcaps+=("${c% *}.pcap"); done
	mergecap -F pcap -w "$all" "${pcaps[@]}" || kt_fail "mergecap failed"
	# The wire reading and the oracle are independent: side by side.
	esp_wire "$all" >"$ESP_DIR/seen" 2>&1 &
	c=$!
	python3 "$KT_TOP/tests/guest/ah_icv.py" --head "$AH_HEAD" "$all" "${specs[@]}" >"$ESP_DIR/oracle" 2>&1
	f=$?
	wait $c || kt_fail "cannot read the capture: $(cat "$ESP_DIR/seen")"
	kt_log "wire and oracle: $(esp_since "$t0") s; wire: $(tr '\n' ' ' <"$ESP_DIR/seen")"
	kt_log "oracle: $(tr '\n' ' ' <"$ESP_DIR/oracle")"
	[ $f = 0 ] || ESP_FAILED+=("ICV oracle (exit $f): $(grep -v ' bad 0$' "$ESP_DIR/oracle" | tr '\n' ' ')")
	! grep -q '^esp ' "$ESP_DIR/seen" || ESP_FAILED+=("ESP on the wire: $(grep '^esp ' "$ESP_DIR/seen" | tr '\n' ' ')")
	grep -q '^clear 0$' "$ESP_DIR/seen" ||
		ESP_FAILED+=("clear TCP or ICMP echo on the wire: $(tcpdump -n -r "$all" 'tcp or icmp or icmp6' 2>/dev/null | head -3)")
	for f in "$ESP_DIR"/*.spec; do
		[ -e "$f" ] && ah_wire_case "$(basename "$f" .spec)"
	done
	for f in "$ESP_DIR"/*.line; do [ -e "$f" ] && ESP_LINES+=("$(cat "$f")"); done
	for f in "$ESP_DIR"/*.fail; do [ -e "$f" ] && ESP_FAILED+=("$(cat "$f")"); done
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

# ah_wire_case N: case N's frames on the wire and its ICVs (both SPIs must
# have AH frames, and good ICVs only), into its table line.
ah_wire_case() {
	local n=$1 s spi nah frames=() good=() verdict=ok
	for s in $((0x2000 + n * 16 + 1)) $((0x2000 + n * 16 + 2)); do
		spi=$(printf 0x%08x "$s")
		nah=$(awk -v s="$spi" '$1 == "ah" && $2 == s { print $3 }' "$ESP_DIR/seen")
		frames+=("${nah:-0}")
		[ "${nah:-0}" -gt 0 ] || { verdict=FAIL; ESP_FAILED+=("$n: no AH with SPI $spi on the wire"); }
		nah=$(awk -v s="$spi" '$1 == "ah" && $2 == s { print $4 "/" $6 }' "$ESP_DIR/oracle")
		good+=("${nah:-none}")
		case $nah in
		[1-9]*/0) ;;
		*) verdict=FAIL; ESP_FAILED+=("$n: ICV oracle, SPI $spi: good/bad ${nah:-none}") ;;
		esac
	done
	ah_note "$n" "$(cat "$ESP_DIR/$n.ran"), AH frames ${frames[0]} from / ${frames[1]} to the kipsec side, ICVs good/bad ${good[0]} ${good[1]}: $verdict"
}
