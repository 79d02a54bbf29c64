# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 600
# TCP over IPsec leaves in whole packets, never in fragments, with kipsec
# on h1 and native XFRM on h2, whose SYNs offer its route's MSS: kipsec
# lowers the MSS of the SYNs it receives as of those it sends, for the
# whole policy. IPv4 and IPv6; ESP transport, and an ESP+AH bundle; 1 MiB
# each way. Counts the fragments on h2's wire: none is the pass.
. "$KT_TOP/tests/vm/lib.sh"

setkey=$KT_BUILD/bin/setkey
[ -x "$setkey" ] || kt_fail "setkey not built ($setkey)"
kt_load_kipsec
kt_topo_h2h
kt_h2h_neigh6
hex() { od -An -v -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }

# sas K N: SAs for kipsec (setkey) and native (ip xfrm), SPIs 0x1001..0x1004.
sas() {
	local k=$1 n=$2 ek=0x$(hex 16) ak=0x$(hex 20) hk=0x$(hex 20)
	ip netns exec h1 "$setkey" -c <<-EOT || kt_fail "setkey on h1"
	flush; spdflush;
	add $k $n esp 0x1001 -m transport -E aes-cbc $ek -A hmac-sha1 $ak;
	add $n $k esp 0x1002 -m transport -E aes-cbc $ek -A hmac-sha1 $ak;
	add $k $n ah 0x1003 -m transport -A hmac-sha1 $hk;
	add $n $k ah 0x1004 -m transport -A hmac-sha1 $hk;
	EOT
	ip -n h2 xfrm state flush
	ip -n h2 xfrm state add src $k dst $n proto esp spi 0x1001 mode transport \
		enc 'cbc(aes)' $ek auth-trunc 'hmac(sha1)' $ak 96 &&
	ip -n h2 xfrm state add src $n dst $k proto esp spi 0x1002 mode transport \
		enc 'cbc(aes)' $ek auth-trunc 'hmac(sha1)' $ak 96 &&
	ip -n h2 xfrm state add src $k dst $n proto ah spi 0x1003 mode transport \
		auth-trunc 'hmac(sha1)' $hk 96 &&
	ip -n h2 xfrm state add src $n dst $k proto ah spi 0x1004 mode transport \
		auth-trunc 'hmac(sha1)' $hk 96 || kt_fail "ip xfrm state on h2"
}

# policies K N REQS: REQS is "esp" or "esp ah" (the first innermost).
policies() {
	local k=$1 n=$2 r t=
	local p="esp/transport//require"
	[ "$3" = "esp ah" ] && p="$p ah/transport//require"
	for r in $3; do t="$t tmpl proto $r mode transport"; done
	ip netns exec h1 "$setkey" -c <<-EOT || kt_fail "setkey -P on h1"
	spdflush;
	spdadd $k $n tcp -P out ipsec $p;
	spdadd $n $k tcp -P in ipsec $p;
	EOT
	ip -n h2 xfrm policy flush
	ip -n h2 xfrm policy add src $n dst $k proto tcp dir out $t &&
		ip -n h2 xfrm policy add src $k dst $n proto tcp dir in $t ||
		kt_fail "ip xfrm policy on h2"
}

# frag FAMILY: a capture filter for fragments.
frag() { if [ "$1" = 4 ]; then echo 'ip[6:2] & 0x3fff != 0'; else echo 'ip6[6] == 44'; fi; }

for fam in 4 6; do
	if [ $fam = 4 ]; then k=10.1.1.1 n=20.1.1.1; else k=fd00:1::1 n=fd00:2::1; fi
	sas $k $n
	for reqs in "esp" "esp ah"; do
		policies $k $n "$reqs"
		pcap=$KT_TMP/p$fam.pcap
		kt_capture_start h2 eth0 "$pcap"
		a=$(kt_tcp_ok h1 h2 $n 1048576) || exit 1
		b=$(kt_tcp_ok h2 h1 $k 1048576 5002) || exit 1
		kt_capture_stop
		nf=$(tcpdump -n -r "$pcap" "$(frag $fam)" 2>/dev/null | wc -l)
		nx=$(tcpdump -n -r "$pcap" 'esp or ah' 2>/dev/null | wc -l)
		big=$(tcpdump -n -r "$pcap" 'esp or ah' 2>/dev/null | awk '{ print $NF }' | sort -n | tail -1)
		kt_log "IPv$fam $reqs: kipsec->native $a MB/s, native->kipsec $b MB/s; $nx ESP/AH frames, largest $big bytes; $nf fragments"
		[ "$nx" -gt 1000 ] || kt_fail "IPv$fam $reqs: only $nx ESP/AH frames for 2 MiB"
		[ "$nf" = 0 ] || kt_fail "IPv$fam $reqs: $nf fragments on the wire, such as $(tcpdump -n -v -c 1 -r "$pcap" "$(frag $fam)" 2>/dev/null)"
	done
done
exit 0
