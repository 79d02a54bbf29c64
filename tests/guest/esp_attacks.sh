# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 900
# Attacks on the kipsec side (h1: our setkey over PF_KEY, KT_STACK) from a
# native XFRM peer (h2: ip xfrm) on the wire, ESP transport, IPv4 and IPv6:
#  1. an ESP frame captured on h2's veth and sent again (AF_PACKET) is
#     dropped and counted as a replay;
#  2. a frame that never reached h1 (a tc filter ate it), with one bit of
#     its ciphertext flipped, is dropped and counted as an ICV failure; the
#     same frame unflipped is then accepted;
#  3. clear packets from h2 (its out policy removed) under h1's `require`
#     inbound policy are dropped and counted as policy violations;
#  4. a ping under a `require` outbound policy with no SA raises an ACQUIRE
#     that `setkey -x` (in the background in h1) shows, and counts "no SA".
# Counters: kipsec's /proc/net/kipsec_stat (per family) and kipsec_sa (per
# SA); under KT_STACK=afkey their XFRM counterparts in /proc/net/xfrm_stat
# (one set for both families) and `ip -s xfrm state`.
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/guest/esp_interop.bash"

[ -x "$setkey" ] || kt_fail "setkey not built ($setkey)"
kt_load_stack
modprobe aesni_intel 2>/dev/null
kt_topo_h2h
kt_h2h_neigh6
frame=$KT_TOP/tests/guest/esp_frame.py

ctr() { esp_ctr h1 "$1" "$2"; }

# sa_ctr SRC DST SPI NAME: packets|replay|auth of one SA of h1.
sa_ctr() {
	local v
	if [ "$KT_STACK" = kipsec ]; then
		kt_sa_stat h1 "$3" "$4"
		return
	fi
	v=$(ip -n h1 -s xfrm state get src "$1" dst "$2" proto esp spi "$3" | awk -v n="$4" '
		n == "packets" && /\(bytes\), .*\(packets\)/ { sub(/\(packets\)/, "", $2); print $2 }
		$1 == "replay-window" && $3 == "replay" && $5 == "failed" {
			if (n == "replay") print $4
			if (n == "auth") print $6
		}')
	[ -n "$v" ] || kt_fail "no $4 for SA $3 in ip -s xfrm state"
	echo "$v"
}

want() { esp_want "$@"; }

ekey=0x$(esp_hex 16) akey=0x$(esp_hex 20)
xalg=(enc 'cbc(aes)' "$ekey" auth-trunc 'hmac(sha1)' "$akey" 96)
conf=$KT_TMP/h1.conf
: >"$conf"
for fam in 4 6; do
	if [ $fam = 4 ]; then k=10.1.1.1 n=20.1.1.1 so=0x2001 si=0x2002; else k=fd00:1::1 n=fd00:2::1 so=0x2011 si=0x2012; fi
	cat >>"$conf" <<-EOF
	add $k $n esp $so -m transport -E aes-cbc $ekey -A hmac-sha1 $akey;
	add $n $k esp $si -m transport -r 32 -E aes-cbc $ekey -A hmac-sha1 $akey;
	spdadd $k $n any -P out ipsec esp/transport//require;
	spdadd $n $k any -P in ipsec esp/transport//require;
	EOF
	esp_xfrm h2 $n $k $n $k $si $so transport "${xalg[@]}" || kt_fail "ip xfrm on h2 failed"
done
ip netns exec h1 "$setkey" -f "$conf" || kt_fail "setkey -f on h1 failed"

for fam in 4 6; do
	if [ $fam = 4 ]; then k=10.1.1.1 n=20.1.1.1 si=0x2002 plen=32; else k=fd00:1::1 n=fd00:2::1 si=0x2012 plen=128; fi
	kt_log "IPv$fam"
	kt_ping_ok h1 $n

	# 1. Replay a frame h1 has already accepted.
	pcap=$KT_TMP/delivered$fam.pcap
	kt_capture_start h2 eth0 "$pcap" esp and src host $n
	KT_PING_COUNT=1 kt_ping_ok h2 $k
	kt_capture_stop
	r0=$(ctr in_espreplay $fam) && s0=$(sa_ctr $n $k $si replay) && p0=$(sa_ctr $n $k $si packets) || exit 1
	out=$(ip netns exec h2 python3 "$frame" eth0 "$pcap" 0) || kt_fail "cannot resend the frame: $out"
	kt_log "replay: $out"
	sleep 0.5
	r1=$(ctr in_espreplay $fam) && s1=$(sa_ctr $n $k $si replay) && p1=$(sa_ctr $n $k $si packets) || exit 1
	want "IPv$fam replayed frame: in_espreplay" "$r0" "$r1" 1
	want "IPv$fam replayed frame: replay count of SA $si" "$s0" "$s1" 1
	want "IPv$fam replayed frame: packets accepted by SA $si" "$p0" "$p1" 0

	# 2. A frame h1 never saw, one ciphertext bit flipped; then unflipped.
	pcap=$KT_TMP/unseen$fam.pcap
	tc -n h1 qdisc add dev eth0 clsact &&
		tc -n h1 filter add dev eth0 ingress matchall action drop ||
		kt_fail "cannot set up the tc drop on h1"
	kt_capture_start h2 eth0 "$pcap" esp and src host $n
	KT_PING_COUNT=1 kt_ping_fails h2 $k
	kt_capture_stop
	tc -n h1 qdisc del dev eth0 clsact || kt_fail "cannot remove the tc drop"
	a0=$(ctr in_authfail $fam) && s0=$(sa_ctr $n $k $si auth) && p0=$(sa_ctr $n $k $si packets) || exit 1
	out=$(ip netns exec h2 python3 "$frame" eth0 "$pcap" 0 --flip) || kt_fail "cannot send the flipped frame: $out"
	kt_log "bit flip: $out"
	sleep 0.5
	a1=$(ctr in_authfail $fam) && s1=$(sa_ctr $n $k $si auth) && p1=$(sa_ctr $n $k $si packets) || exit 1
	want "IPv$fam flipped bit: in_authfail" "$a0" "$a1" 1
	want "IPv$fam flipped bit: ICV failures of SA $si" "$s0" "$s1" 1
	want "IPv$fam flipped bit: packets accepted by SA $si" "$p0" "$p1" 0
	out=$(ip netns exec h2 python3 "$frame" eth0 "$pcap" 0) || kt_fail "cannot send the frame: $out"
	sleep 0.5
	p2=$(sa_ctr $n $k $si packets) && a2=$(ctr in_authfail $fam) || exit 1
	want "IPv$fam same frame unflipped: packets accepted by SA $si" "$p1" "$p2" 1
	want "IPv$fam same frame unflipped: in_authfail" "$a1" "$a2" 0

	# 3. Clear packets under h1's `require` inbound policy.
	ip -n h2 xfrm policy delete src $n/$plen dst $k/$plen dir out || kt_fail "cannot remove h2's out policy"
	v0=$(ctr in_polvio $fam) || exit 1
	KT_PING_COUNT=2 kt_ping_fails h2 $k
	v1=$(ctr in_polvio $fam) || exit 1
	want "IPv$fam clear packets under require: in_polvio" "$v0" "$v1" +2
	ip -n h2 xfrm policy add src $n/$plen dst $k/$plen dir out tmpl proto esp mode transport level required ||
		kt_fail "cannot restore h2's out policy"
	kt_ping_ok h2 $k
done

# 4. ACQUIRE. Linux sends it only while a key manager is registered (a
# promiscuous socket alone does not count); kipsec gets the same setup.
ip -n h1 route add 30.0.0.1/32 dev eth0 && ip -n h1 -6 route add fd00:3::1/128 dev eth0 ||
	kt_fail "cannot add routes to the SA-less peers"
ip netns exec h1 "$setkey" -x >"$KT_TMP/x.out" 2>&1 &
KT_PIDS+=($!)
sleep 0.5
ip netns exec h1 python3 "$KT_TOP/tests/guest/pfkey_register.py" 60 >"$KT_TMP/reg.out" 2>&1 &
KT_PIDS+=($!)
kt_wait_for 10 grep -q '^registered' "$KT_TMP/reg.out" || kt_fail "SADB_REGISTER failed: $(cat "$KT_TMP/reg.out")"
kt_wait_for 5 grep -q '^REGISTER' "$KT_TMP/x.out" ||
	kt_fail "setkey -x is not listening (it did not show the REGISTER): $(cat "$KT_TMP/x.out")"
for fam in 4 6; do
	if [ $fam = 4 ]; then k=10.1.1.1 n=30.0.0.1; else k=fd00:1::1 n=fd00:3::1; fi
	echo "spdadd $k $n any -P out ipsec esp/transport//require;" | ip netns exec h1 "$setkey" -c ||
		kt_fail "spdadd for $n failed"
	o0=$(ctr out_nosa $fam) || exit 1
	KT_PING_COUNT=1 kt_ping_fails h1 $n
	kt_wait_for 5 awk -v d="address_dst: $n " '/^ACQUIRE/ { a = 1 } /^$/ { a = 0 } a && index($0, d) { f = 1 } END { exit !f }' "$KT_TMP/x.out" ||
		kt_fail "IPv$fam: setkey -x showed no ACQUIRE for $n: $(cat "$KT_TMP/x.out")"
	o1=$(ctr out_nosa $fam) || exit 1
	want "IPv$fam packet with no SA: out_nosa" "$o0" "$o1" +1
done
grep -q '^ACQUIRE satype=3 ' "$KT_TMP/reg.out" || kt_fail "the registered socket got no ACQUIRE: $(cat "$KT_TMP/reg.out")"
kt_log "setkey -x saw: $(grep -c '^ACQUIRE' "$KT_TMP/x.out") ACQUIRE(s)"
sed -n '/^ACQUIRE/,/^$/p' "$KT_TMP/x.out" | head -20
exit 0
