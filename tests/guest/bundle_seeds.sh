# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 900
# Bundles from the seeds end to end, kipsec on both hosts unless said:
#  - A.5 "IPv4 AH ESP payload": esp/transport//use ah/transport//use host to
#    host (the peer mirrors the policy); every frame on the wire is AH
#    around ESP, both ways, and nothing is clear;
#  - the same against Linux's native XFRM on the peer (ip xfrm, templates
#    esp then ah), with `require` inbound on both;
#  - ipcomp+esp+ah against native XFRM, text both ways: AH around ESP on
#    the wire, and both sides compressed (kipsec's counters);
#  - a packet that lacks a transform an inbound `require` bundle asks for
#    (ESP without AH) is dropped and counted as a policy violation;
#  - A.10/A.11 (UnixWare) as written: the AH SAs sit on other addresses
#    (E-3), so the `use` AH request is skipped and only ESP is on the wire;
#  - A.10/A.11 with the AH SAs moved onto the hosts' addresses: tunnel
#    mode AH after tunnel mode ESP nests a second tunnel (IP AH IP ESP IP),
#    as KAME and native XFRM do (docs/dataplane.md).
. "$KT_TOP/tests/vm/lib.sh"
[ "${KT_STACK:-kipsec}" = kipsec ] || kt_skip "bundles are checked on kipsec (KT_STACK=$KT_STACK)"
. "$KT_TOP/tests/guest/esp_seeds.bash"

# bundle_wire PATTERN "OUTER,INNER...": after esp_capture_stop, some frame
# on the wire matches the printf PATTERN for each pair of SPIs, no ESP
# frame lacks AH around it, and no TCP or ICMP is clear.
bundle_wire() {
	local pat=$1 spis=$2 dump n line
	dump=$(tcpdump -n -r "$cap.wire" 2>/dev/null)
	for line in $spis; do
		n=$(grep -cE "$(printf "$pat" ${line//,/ })" <<<"$dump")
		[ "$n" -gt 0 ] || kt_fail "$case: no frame like '$(printf "$pat" ${line//,/ })' on the wire: $(head -4 <<<"$dump")"
	done
	n=$(grep -c 'ESP(spi=' <<<"$dump")
	[ "$n" = "$(grep -c 'AH(spi=.*ESP(spi=' <<<"$dump")" ] ||
		kt_fail "$case: ESP without AH around it on the wire: $(grep -v 'AH(spi=' <<<"$dump" | head -3)"
	[ -z "$(tcpdump -n -r "$cap.wire" tcp or icmp 2>/dev/null)" ] ||
		kt_fail "$case: clear traffic on the wire: $(tcpdump -n -r "$cap.wire" tcp or icmp 2>/dev/null | head -3)"
	kt_log "$case: wire ok: $n frames of AH around ESP, nothing clear"
}

both_ways() {
	kt_ping_ok "$1" "$4"
	kt_ping_ok "$2" "$3"
	kt_tcp_ok "$1" "$2" "$4" 262144 >/dev/null || exit 1
	kt_tcp_ok "$2" "$1" "$3" 262144 >/dev/null || exit 1
}

esp_topo_h2h
a05=$seeds/a05-host-esp-ah.conf
a05_in='spdadd 20.1.1.1 10.1.1.1 any -P in ipsec esp/transport//require ah/transport//require;'
sed 's/^spdadd 10.1.1.1 20.1.1.1 any -P out/spdadd 20.1.1.1 10.1.1.1 any -P out/' "$a05" >"$ESP_DIR/a05-peer.conf"
grep -q '^spdadd 20.1.1.1 10.1.1.1 any -P out ipsec esp/transport//use ah/transport//use;' "$ESP_DIR/a05-peer.conf" ||
	kt_fail "cannot derive A.5's peer"
ah_esp='AH\(spi=0x%08x,[^)]*\): ESP\(spi=0x%08x,'

# --- A.5 between two kipsec hosts ------------------------------------------
case="a05 kipsec-kipsec"
flush h1 h2
load h1 "$a05"
load h2 "$ESP_DIR/a05-peer.conf"
esp_capture_start wh h1-eth0 "$cap"
both_ways h1 h2 10.1.1.1 20.1.1.1
esp_capture_stop
bundle_wire "IP 10.1.1.1 > 20.1.1.1: $ah_esp" "9877,9876"
bundle_wire "IP 20.1.1.1 > 10.1.1.1: $ah_esp" "10001,10000"

# --- A.5 against native XFRM, require inbound on both ----------------------
case="a05 kipsec-native"
flush h1 h2
load h1 "$a05"
sk h1 -c <<<"$a05_in" || kt_fail "$case: inbound policy refused"
hoge=0x$(printf hogehogehogehogehogehoge | od -An -tx1 | tr -d ' \n')
ahk1=0x$(printf hogehogehogehoge | od -An -tx1 | tr -d ' \n')
ahk2=0x$(printf mogamogamogamoga | od -An -tx1 | tr -d ' \n')
tmpl='tmpl proto esp mode transport level required tmpl proto ah mode transport level required'
# a05_native TEMPLATES [LINE...]: A.5's SAs as native states on h2, then
# the ip -batch LINEs, then out and in policies with TEMPLATES.
a05_native() {
	local t=$1; shift
	{
		echo "xfrm state add src 10.1.1.1 dst 20.1.1.1 proto esp spi 9876 mode transport enc cbc(des3_ede) $hoge"
		echo "xfrm state add src 20.1.1.1 dst 10.1.1.1 proto esp spi 10000 mode transport enc cbc(des3_ede) 0xdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef"
		echo "xfrm state add src 10.1.1.1 dst 20.1.1.1 proto ah spi 9877 mode transport auth-trunc hmac(md5) $ahk1 96"
		echo "xfrm state add src 20.1.1.1 dst 10.1.1.1 proto ah spi 10001 mode transport auth-trunc hmac(md5) $ahk2 96"
		printf '%s\n' "$@"
		echo "xfrm policy add src 20.1.1.1 dst 10.1.1.1 dir out $t"
		echo "xfrm policy add src 10.1.1.1 dst 20.1.1.1 dir in $t"
	} | ip -n h2 -batch - || kt_fail "$case: ip xfrm on h2 failed"
}
a05_native "$tmpl"
esp_capture_start wh h1-eth0 "$cap"
both_ways h1 h2 10.1.1.1 20.1.1.1
esp_capture_stop
bundle_wire "IP 10.1.1.1 > 20.1.1.1: $ah_esp" "9877,9876"
bundle_wire "IP 20.1.1.1 > 10.1.1.1: $ah_esp" "10001,10000"
for spi in 9876 9877 10000 10001; do
	[ "$(kt_sa_stat h1 $spi packets)" -gt 0 ] || kt_fail "$case: SA $spi on h1 carried nothing"
done
ip -n h2 xfrm state flush && ip -n h2 xfrm policy flush || kt_fail "$case: cannot flush h2's XFRM"

# --- ipcomp+esp+ah against native XFRM --------------------------------------
case="ipcomp+esp+ah kipsec-native"
flush h1 h2
grep '^add ' "$a05" | sk h1 -c || kt_fail "$case: SAs on h1 refused"
trio='ipcomp/transport//use esp/transport//require ah/transport//require'
sk h1 -c <<EOF || kt_fail "$case: IPcomp SAs or policies on h1 refused"
add 10.1.1.1 20.1.1.1 ipcomp 0x4000 -m transport -C deflate;
add 20.1.1.1 10.1.1.1 ipcomp 0x4001 -m transport -C deflate;
spdadd 10.1.1.1 20.1.1.1 any -P out ipsec $trio;
spdadd 20.1.1.1 10.1.1.1 any -P in ipsec $trio;
EOF
tmpl3="tmpl proto comp mode transport level use $tmpl"
a05_native "$tmpl3" \
	"xfrm state add src 10.1.1.1 dst 20.1.1.1 proto comp spi 0x4000 mode transport comp deflate" \
	"xfrm state add src 20.1.1.1 dst 10.1.1.1 proto comp spi 0x4001 mode transport comp deflate"
text=$ESP_DIR/text
yes 'IPcomp before ESP before AH: compress, encrypt, authenticate.' | head -c 262144 >"$text"
c0=$(kt_stat h1 ipv4 out_comp) && d0=$(kt_sa_stat h1 0x4001 decomp) || exit 1
esp_capture_start wh h1-eth0 "$cap"
kt_ping_ok h1 20.1.1.1
kt_tcp_ok h1 h2 20.1.1.1 "$text" >/dev/null || exit 1
kt_tcp_ok h2 h1 10.1.1.1 "$text" >/dev/null || exit 1
esp_capture_stop
bundle_wire "IP 10.1.1.1 > 20.1.1.1: $ah_esp" "9877,9876"
bundle_wire "IP 20.1.1.1 > 10.1.1.1: $ah_esp" "10001,10000"
c1=$(kt_stat h1 ipv4 out_comp) && d1=$(kt_sa_stat h1 0x4001 decomp) || exit 1
[ $((c1 - c0)) -gt 0 ] || kt_fail "$case: kipsec compressed nothing (out_comp $c0 -> $c1)"
[ $((d1 - d0)) -gt 0 ] || kt_fail "$case: kipsec decompressed nothing from native (SA 0x4001 decomp $d0 -> $d1)"
kt_log "$case: kipsec compressed $((c1 - c0)) packets, decompressed $((d1 - d0)) from native"
ip -n h2 xfrm state flush && ip -n h2 xfrm policy flush || kt_fail "$case: cannot flush h2's XFRM"

# --- a transform missing under require: dropped and counted ----------------
case="a05 ESP without AH into require"
flush h1 h2
load h1 "$a05"
sk h1 -c <<<"$a05_in" || kt_fail "$case: inbound policy refused"
grep '^add ' "$a05" | sk h2 -c || kt_fail "$case: SAs on h2 refused"
sk h2 -c <<<'spdadd 20.1.1.1 10.1.1.1 any -P out ipsec esp/transport//require;' ||
	kt_fail "$case: policy on h2 refused"
v0=$(kt_stat h1 ipv4 in_polvio) && p0=$(kt_sa_stat h1 10000 packets) || exit 1
KT_PING_COUNT=3 kt_ping_fails h2 10.1.1.1
v1=$(kt_stat h1 ipv4 in_polvio) && p1=$(kt_sa_stat h1 10000 packets) || exit 1
[ $((v1 - v0)) -ge 3 ] || kt_fail "$case: in_polvio went from $v0 to $v1, want 3 more"
[ $((p1 - p0)) = 3 ] || kt_fail "$case: ESP SA 10000 decrypted $((p1 - p0)) packets, want 3"
kt_log "$case: 3 echo requests decrypted, then dropped: in_polvio $v0 -> $v1"

# --- A.10/A.11 as written: the AH request finds no SA ----------------------
case="a10+a11 as written"
seeds_topo_unixware
load elmer "$seeds/a10-elmer.conf"
load relent "$seeds/a11-relent-repaired.conf"
esp_capture_start wu relent-net0 "$cap"
kt_tcp_ok relent elmer 10.0.0.110 262144 >/dev/null || exit 1
kt_tcp_ok elmer relent 10.0.0.100 65536 >/dev/null || exit 1
esp_capture_stop
wire ESP tcp 0x10001 0x10002
[ -z "$(tcpdump -n -r "$cap.wire" ah 2>/dev/null)" ] || kt_fail "$case: AH on the wire, but its SAs are on other addresses"

# --- A.10/A.11 with the AH SAs on the hosts' addresses ---------------------
case="a10+a11 AH repaired"
for f in a10-elmer a11-relent-repaired; do
	sed -E '/^add 10\.1\.1\.1[01]0 10\.1\.1\.1[01]0 ah /s/10\.1\.1\./10.0.0./g' "$seeds/$f.conf" >"$ESP_DIR/$f.ah.conf"
	[ "$(grep -c '^add 10\.0\.0\.1[01]0 10\.0\.0\.1[01]0 ah ' "$ESP_DIR/$f.ah.conf")" = 2 ] ||
		kt_fail "$case: cannot move $f's AH SAs"
done
flush elmer relent
load elmer "$ESP_DIR/a10-elmer.ah.conf"
load relent "$ESP_DIR/a11-relent-repaired.ah.conf"
esp_capture_start wu relent-net0 "$cap"
kt_tcp_ok relent elmer 10.0.0.110 262144 >/dev/null || exit 1
kt_tcp_ok elmer relent 10.0.0.100 262144 >/dev/null || exit 1
esp_capture_stop
nest='AH\(spi=0x%08x,[^)]*\): IP [0-9.]+ > [0-9.]+: ESP\(spi=0x%08x,'
bundle_wire "IP 10.0.0.100 > 10.0.0.110: $nest" "0x10003,0x10001"
bundle_wire "IP 10.0.0.110 > 10.0.0.100: $nest" "0x10004,0x10002"
exit 0
