# SPDX-License-Identifier: BSD-2-Clause
# IPcomp (RFC 3173, deflate) interop between kipsec and Linux's native XFRM,
# for tests/guest/ipcomp_interop.sh (sourced after tests/vm/lib.sh; not a
# test itself). It reuses esp_interop.bash's topologies and captures: the
# "kipsec side" is configured by our setkey, the "native side" by `ip xfrm`;
# transport mode host to host (h1 kipsec, h2 native, wire wh), tunnel mode
# gateway to gateway (gw1 kipsec, gw2 native, traffic between left and
# right, wire wg). The kipsec side's policies say "require", the native
# side's "level use" (uncompressed packets carry no IPcomp header: both
# must take them) but for its outbound tunnel policy, where Linux refuses
# an optional template ("level required", as strongSwan installs it).
# Per case:
#  - ping both ways: small packets, never compressed (IPcomp's threshold);
#  - IPC_TEXT (a text file of repeated lines) over TCP from the kipsec side
#    and towards it, files compared;
#  - the wire: IPcomp with each side's CPI, and the pings outside IPcomp
#    (transport: ICMP echo; tunnel: IP-in-IP); counters of the kipsec side
#    (compressed, decompressed, too small) moved.
# ipc_random: random data from the kipsec side goes out uncompressed (TCP on
# the wire, no IPcomp), and the backoff keeps most packets from being tried.
# ipc_corrupt: a captured IPcomp frame from the native side, resent, is
# accepted again (IPcomp has no replay check); with its deflate block type
# made invalid it is dropped and counted as invalid.

. "$KT_TOP/tests/guest/esp_interop.bash"

IPC_N=0
IPC_LINES=()

ipc_setup() {
	[ "$KT_STACK" = kipsec ] || kt_skip "IPcomp needs kipsec.ko (KT_STACK=$KT_STACK)"
	esp_setup
	IPC_TEXT=$KT_TMP/text
	seq 3000 | awk '{ print "line " $1 ": IPcomp compresses the payload of IP datagrams (RFC 3173, deflate RFC 2394)" }' >"$IPC_TEXT"
	kt_log "text file: $(stat -c %s "$IPC_TEXT") bytes"
}

# ipc_xfrm NS LOCAL REMOTE LSEL RSEL CPI_OUT CPI_IN MODE: the native side.
ipc_xfrm() {
	local ns=$1 l=$2 r=$3 lsel=$4 rsel=$5 co=$6 ci=$7 mode=$8
	local tout="tmpl proto comp mode transport" tin="tmpl proto comp mode transport" lo=use
	if [ "$mode" = tunnel ]; then
		tout="tmpl src $l dst $r proto comp mode tunnel"
		tin="tmpl src $r dst $l proto comp mode tunnel"
		lo=required	# "Mode in optional template not allowed in outbound policy"
	fi
	{
		echo "xfrm state flush"
		echo "xfrm policy flush"
		echo "xfrm state add src $l dst $r proto comp spi $co mode $mode comp deflate"
		echo "xfrm state add src $r dst $l proto comp spi $ci mode $mode comp deflate"
		echo "xfrm policy add src $lsel dst $rsel dir out $tout level $lo"
		echo "xfrm policy add src $rsel dst $lsel dir in $tin level use"
		[ "$mode" = tunnel ] && echo "xfrm policy add src $rsel dst $lsel dir fwd $tin level use"
	} | ip -n "$ns" -batch -
}

# ipc_hist NS FAMILY NAME ID: a histogram entry of /proc/net/kipsec_stat (0
# when absent: only nonzero entries are listed).
ipc_hist() {
	ip netns exec "$1" awk -v f="ipv$2" -v n="$3" -v id="$4" \
		'$1 == f && $2 == n && $3 == id { v = $4 } END { print v + 0 }' /proc/net/kipsec_stat
}

# ipc_count FILE KIND SRC [CPI]: a count from ipcomp_pcap.py's output.
ipc_count() {
	awk -v k="$2" -v s="$3" -v c="${4:-}" '
		$1 == k && $2 == s && (c == "" || $3 == c) { n += $NF } END { print n + 0 }' "$1"
}

# ipc_sa NS CPI: "comp decomp small larger backoff invalid" of an SA (one
# pass: each kt_sa_stat costs a process or two, slow under TCG).
ipc_sa() {
	local v
	v=$(ip netns exec "$1" awk -v s="$(printf 'spi=0x%08x' "$2")" '
		{ hit = 0; for (i = 1; i <= NF; i++) if ($i == s) hit = 1 }
		hit { for (i = 1; i <= NF; i++) { split($i, kv, "="); c[kv[1]] = kv[2] }
		      print c["comp"], c["decomp"], c["nocomp_small"], c["nocomp_larger"], c["nocomp_backoff"], c["invalid"]; exit }' \
		/proc/net/kipsec_sa)
	[[ $v =~ ^[0-9]+( [0-9]+){5}$ ]] || kt_fail "no IPcomp counters for CPI $2 in /proc/net/kipsec_sa of $1: '$v'"
	echo "$v"
}

# esp_capture_stop after a second: its tcpdump runs without immediate mode,
# and under a loaded TCG host the kernel may still hold the last block.
ipc_capture_stop() {
	sleep 1
	esp_capture_stop
}

# ipc_vars MODE FAMILY: the case's namespaces and addresses (as esp_case).
ipc_vars() {
	if [ "$1" = transport ]; then
		kns=h1 nns=h2 wns=wh wif=h1-eth0 kh=h1 nh=h2
		if [ "$2" = 4 ]; then ko=10.1.1.1 no=20.1.1.1; else ko=fd00:1::1 no=fd00:2::1; fi
		ksel=$ko nsel=$no kaddr=$ko naddr=$no
	else
		kns=gw1 nns=gw2 wns=wg wif=gw1-wan0 kh=left nh=right
		if [ "$2" = 4 ]; then
			ko=20.0.0.1 no=20.0.0.2 ksel=10.0.1.0/24 nsel=10.0.2.0/24 kaddr=10.0.1.2 naddr=10.0.2.2
		else
			ko=fd00:f::1 no=fd00:f::2 ksel=fd00:a::/64 nsel=fd00:b::/64 kaddr=fd00:a::2 naddr=fd00:b::2
		fi
	fi
}

# ipc_config MODE FAMILY CPI_OUT CPI_IN: both sides.
ipc_config() {
	local mode=$1 t_o='' t_i=''
	[ "$mode" = tunnel ] && t_o="$ko-$no" t_i="$no-$ko"
	ipc_xfrm $nns "$no" "$ko" "$nsel" "$ksel" "$4" "$3" "$mode" ||
		kt_fail "ip xfrm on $nns failed"
	ip netns exec $kns "$setkey" -c <<-EOC || kt_fail "setkey on $kns failed"
	flush;
	spdflush;
	add $ko $no ipcomp $3 -m $mode -C deflate;
	add $no $ko ipcomp $4 -m $mode -C deflate;
	spdadd $ksel $nsel any -P out ipsec ipcomp/$mode/$t_o/require;
	spdadd $nsel $ksel any -P in ipsec ipcomp/$mode/$t_i/require;
	$([ "$mode" = tunnel ] && echo "spdadd $nsel $ksel any -P fwd ipsec ipcomp/$mode/$t_i/require;")
	EOC
}

# ipc_case MODE FAMILY CPI_OUT CPI_IN: one case (CPIs in hex, 0x...).
ipc_case() {
	local mode=$1 fam=$2 co=$3 ci=$4 kns nns wns wif kh nh ko no ksel nsel kaddr naddr
	local n=$((IPC_N += 1)) p what t0
	ipc_vars "$mode" "$fam"
	what=$(printf '%2d %-9s IPv%s  CPI %-6s/%-6s' "$n" "$mode" "$fam" "$co" "$ci")
	kt_log "case $n: $mode IPv$fam, CPI $co from the kipsec side, $ci to it"
	t0=$(date +%s.%N)
	p=$KT_TMP/ipc$n
	(
		ipc_config "$mode" "$fam" "$co" "$ci"
		s0=$(kt_stat $kns "ipv$fam" out_nocomp_small) && c0=$(kt_stat $kns "ipv$fam" out_comp) || exit 1
		h0=$(ipc_hist $kns "$fam" out_comphist 2) && i0=$(ipc_hist $kns "$fam" in_comphist 2) || exit 1
		esp_capture_start $wns $wif "$p"
		echo "${ESP_CAP_PIDS[*]}" >"$p.pids"
		# 32 bytes of echo data: under the 90-byte threshold even as a
		# whole inner IPv6 packet (tunnel mode).
		kt_ping_ok $kh "$naddr" -s 32
		kt_ping_ok $nh "$kaddr" -s 32
		v=$(ipc_sa $kns "$co") && read -r sc sd ss _ <<<"$v" || exit 1
		esp_want "case $n: pings, too small to compress (SA $co)" 0 "$ss" 4
		[ "$sc" = 0 ] || kt_fail "case $n: pings compressed ($sc)"
		r1=$(kt_tcp_ok $kh $nh "$naddr" "$IPC_TEXT") || exit 1
		r2=$(kt_tcp_ok $nh $kh "$kaddr" "$IPC_TEXT" 5002) || exit 1
		ipc_capture_stop
		python3 "$KT_TOP/tests/guest/ipcomp_pcap.py" "$p.wire" >"$p.seen" || kt_fail "cannot read the capture"
		ck=$(ipc_count "$p.seen" comp "$ko" "$co") cn=$(ipc_count "$p.seen" comp "$no" "$ci")
		[ "$ck" -gt 0 ] || kt_fail "case $n: no IPcomp with CPI $co from the kipsec side: $(cat "$p.seen")"
		[ "$cn" -gt 0 ] || kt_fail "case $n: no IPcomp with CPI $ci from the native side: $(cat "$p.seen")"
		if [ "$mode" = transport ]; then
			clear=echo
			[ "$(ipc_count "$p.seen" ipip "$ko")$(ipc_count "$p.seen" ipip "$no")" = 00 ] ||
				kt_fail "case $n: IP-in-IP in transport mode: $(cat "$p.seen")"
		else
			clear=ipip
			[ "$(ipc_count "$p.seen" tcp "$kaddr")$(ipc_count "$p.seen" tcp "$naddr")" = 00 ] ||
				kt_fail "case $n: inner TCP outside the tunnel: $(cat "$p.seen")"
		fi
		ek=$(ipc_count "$p.seen" $clear "$ko") en=$(ipc_count "$p.seen" $clear "$no")
		[ "$ek" -ge 4 ] || kt_fail "case $n: want the kipsec side's 4 echo packets uncompressed ($clear), saw $ek: $(cat "$p.seen")"
		[ "$en" -ge 4 ] || kt_fail "case $n: want the native side's 4 echo packets uncompressed ($clear), saw $en: $(cat "$p.seen")"
		v=$(ipc_sa $kns "$co") && read -r sc sd ss sl sb si <<<"$v" || exit 1
		v=$(ipc_sa $kns "$ci") && read -r _ id _ _ _ ii <<<"$v" || exit 1
		[ "$sc" -ge "$ck" ] || kt_fail "case $n: SA $co counted $sc compressed, the wire saw $ck"
		[ "$id" -ge "$cn" ] || kt_fail "case $n: SA $ci counted $id decompressed, the wire saw $cn"
		[ "$ii" = 0 ] || kt_fail "case $n: SA $ci counted $ii invalid packets"
		esp_want "case $n: ipv$fam out_comp" "$c0" "$(kt_stat $kns "ipv$fam" out_comp)" "+$ck"
		esp_want "case $n: ipv$fam out_nocomp_small" "$s0" "$(kt_stat $kns "ipv$fam" out_nocomp_small)" +4
		esp_want "case $n: ipv$fam out_comphist deflate" "$h0" "$(ipc_hist $kns "$fam" out_comphist 2)" "+$ck"
		esp_want "case $n: ipv$fam in_comphist deflate" "$i0" "$(ipc_hist $kns "$fam" in_comphist 2)" "+$cn"
		kt_log "case $n: $(esp_since "$t0") s; TCP text kipsec->native $r1 MB/s, native->kipsec $r2 MB/s; wire: IPcomp $ck from / $cn to the kipsec side, $ek/$en echo packets uncompressed ($clear); SA $co: comp $sc small $ss larger $sl backoff $sb; SA $ci: decomp $id"
		echo "text both ways ok, IPcomp $ck/$cn, uncompressed echo $ek/$en" >"$p.result"
	) || { ipc_failed "$what" "$p"; return; }
	IPC_LINES+=("$what $(cat "$p.result"): ok")
}

# ipc_random FAMILY CPI_OUT CPI_IN: random data from the kipsec side
# (transport) leaves as TCP with no IPcomp header, and after the first
# failures most segments are not even tried (backoff).
ipc_random() {
	local fam=$1 co=$2 ci=$3 kns nns wns wif kh nh ko no ksel nsel kaddr naddr
	local n=$((IPC_N += 1)) p=$KT_TMP/ipc-rand$1 what
	ipc_vars transport "$fam"
	what=$(printf '%2d %-9s IPv%s  CPI %-6s/%-6s' "$n" random "$fam" "$co" "$ci")
	kt_log "case $n: random data, IPv$fam transport"
	(
		ipc_config transport "$fam" "$co" "$ci"
		l0=$(kt_stat $kns "ipv$fam" out_nocomp_larger) && b0=$(kt_stat $kns "ipv$fam" out_nocomp_backoff) || exit 1
		esp_capture_start $wns $wif "$p"
		echo "${ESP_CAP_PIDS[*]}" >"$p.pids"
		r=$(kt_tcp_ok $kh $nh "$naddr" 262144 5003) || exit 1
		ipc_capture_stop
		python3 "$KT_TOP/tests/guest/ipcomp_pcap.py" "$p.wire" >"$p.seen" || kt_fail "cannot read the capture"
		grep -q '^frames 0$' "$p.seen" && kt_fail "case $n: empty capture: $(cat "$p.wire.log")"
		ck=$(ipc_count "$p.seen" comp "$ko") tk=$(ipc_count "$p.seen" tcp "$ko")
		# 256 KiB: about 180 full segments, plus ACKs and the handshake.
		[ "$tk" -ge 150 ] || kt_fail "case $n: want >= 150 uncompressed TCP frames from the kipsec side, saw $tk: $(cat "$p.seen")"
		[ "$ck" -le $((tk / 20)) ] || kt_fail "case $n: random data: $ck IPcomp frames from the kipsec side for $tk uncompressed"
		v=$(ipc_sa $kns "$co") && read -r sc _ _ sl sb _ <<<"$v" || exit 1
		# 8 failures, a pause of 64, one failure, 128, ...: few tries.
		[ "$sl" -ge 8 ] || kt_fail "case $n: SA $co: $sl payloads did not compress, want >= 8"
		[ "$sb" -ge 64 ] || kt_fail "case $n: SA $co: $sb packets skipped by the backoff, want >= 64"
		[ "$sl" -le 20 ] || kt_fail "case $n: SA $co: $sl payloads tried in vain: backoff not working"
		esp_want "case $n: ipv$fam out_nocomp_larger" "$l0" "$(kt_stat $kns "ipv$fam" out_nocomp_larger)" "+$sl"
		esp_want "case $n: ipv$fam out_nocomp_backoff" "$b0" "$(kt_stat $kns "ipv$fam" out_nocomp_backoff)" "+$sb"
		kt_log "case $n: TCP $r MB/s; wire: $tk TCP / $ck IPcomp frames from the kipsec side; SA $co: comp $sc larger $sl backoff $sb"
		echo "TCP $tk uncompressed / $ck IPcomp, tried $sl, backoff $sb" >"$p.result"
	) || { ipc_failed "$what" "$p"; return; }
	IPC_LINES+=("$what $(cat "$p.result"): ok")
}

# ipc_corrupt FAMILY CPI_OUT CPI_IN: transport mode; an IPcomp frame the
# native side sent (a ping with a compressible payload), resent, is taken
# again; with a bad deflate block type it is dropped and counted.
ipc_corrupt() {
	local fam=$1 co=$2 ci=$3 kns nns wns wif kh nh ko no ksel nsel kaddr naddr
	local n=$((IPC_N += 1)) what pcap out frame=$KT_TOP/tests/guest/esp_frame.py
	ipc_vars transport "$fam"
	what=$(printf '%2d %-9s IPv%s  CPI %-6s/%-6s' "$n" corrupt "$fam" "$co" "$ci")
	kt_log "case $n: IPcomp frames resent and corrupted, IPv$fam"
	(
		ipc_config transport "$fam" "$co" "$ci"
		pcap=$KT_TMP/ipc-corrupt$fam.pcap
		kt_capture_start h2 eth0 "$pcap" ip proto 108 or ip6 proto 108
		KT_PING_COUNT=1 kt_ping_ok h2 "$ko" -s 600 -p 41
		kt_capture_stop
		v=$(ipc_sa $kns "$ci") && read -r _ d0 _ _ _ v0 <<<"$v" && e0=$(kt_stat $kns "ipv$fam" in_inval) || exit 1
		out=$(ip netns exec h2 python3 "$frame" eth0 "$pcap" 0) || kt_fail "cannot resend the frame: $out"
		sleep 0.5
		v=$(ipc_sa $kns "$ci") && read -r _ d1 _ _ _ v1 <<<"$v" && e1=$(kt_stat $kns "ipv$fam" in_inval) || exit 1
		esp_want "IPv$fam IPcomp frame resent ($out): decompressed by SA $ci" "$d0" "$d1" 1
		esp_want "IPv$fam IPcomp frame resent: invalid of SA $ci" "$v0" "$v1" 0
		out=$(ip netns exec h2 python3 "$frame" eth0 "$pcap" 0 --flip) || kt_fail "cannot send the corrupted frame: $out"
		sleep 0.5
		v=$(ipc_sa $kns "$ci") && read -r _ d2 _ _ _ v2 <<<"$v" && e2=$(kt_stat $kns "ipv$fam" in_inval) || exit 1
		esp_want "IPv$fam IPcomp frame corrupted ($out): decompressed by SA $ci" "$d1" "$d2" 0
		esp_want "IPv$fam IPcomp frame corrupted: invalid of SA $ci" "$v1" "$v2" 1
		esp_want "IPv$fam IPcomp frame corrupted: ipv$fam in_inval" "$e1" "$e2" 1
		[ "$e1" = "$e0" ] || kt_fail "IPv$fam: in_inval moved for a good frame ($e0 -> $e1)"
		kt_ping_ok h2 "$ko" -s 600 -p 41
		echo "resent: taken; block type 3: dropped, invalid +1" >"$KT_TMP/ipc$n.result"
	) || { ipc_failed "$what" "$KT_TMP/none"; return; }
	IPC_LINES+=("$what $(cat "$KT_TMP/ipc$n.result"): ok")
}

# ipc_failed WHAT PREFIX: a case failed; stop the captures it left running.
ipc_failed() {
	kill $(cat "$2.pids" 2>/dev/null) 2>/dev/null
	IPC_LINES+=("$1 FAIL (see the log)")
	IPC_FAILED=1
}

ipc_finish() {
	echo
	echo " # case      family CPIs (out/in)     result"
	printf '%s\n' "${IPC_LINES[@]}" | sort -n
	echo
	[ "${IPC_FAILED:-0}" = 0 ] || kt_fail "some IPcomp case failed"
	exit 0
}
