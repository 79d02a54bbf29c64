# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 240
# The UnixWare seed's racoon PSK example (seed inventory Appendix B.1 elmer,
# B.2 relent) between two ikd on kipsec.ko, at the seed's own addresses
# (elmer 10.0.0.110, relent 10.0.0.100 on one wire): racoon.conf and
# psk.txt as written, only the psk.txt path moved into the test's directory.
# The policies are the seed's /etc/inet/elmer.ipsec.conf (Appendix A.12,
# loaded with setkey -f as `ipseckey -f` loaded it) with the two tcp lines
# as written. They have no IPcomp (nor ICMP): two lines in the same style
# are added for icmp asking for ipcomp (level use) bundled with the ESP
# tunnel, so that ping exercises `compression_algorithm deflate`.
#  - elmer's ping raises the ACQUIRE: Aggressive Mode, then Quick Mode
#    with ESP and IPCOMP under one proposal number; both logs say
#    "ISAKMP-SA established" and "IPsec-SA established" (ESP and IPCOMP);
#  - relent, the responder, picks 3des/hmac_sha1, the first of its own
#    sainfo's order that elmer offered (racoon's rule); setkey -D on both
#    shows a 3des-cbc ESP pair and a deflate IPcomp pair, in tunnel mode;
#  - large compressible pings (-s 1200 -p 00) flow; on the wire there is
#    ESP between the hosts and no clear ICMP; relent's IPcomp SA counts
#    the packets it decompressed.
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/guest/ikd.bash"

setkey=$KT_BUILD/bin/setkey
kt_load_kipsec
modprobe -a cbc hmac sha1 md5 des3_ede blowfish deflate 2>/dev/null
kt_ns elmer; kt_ns relent
kt_peer_link elmer eth0 relent eth0 wire
kt_addr elmer eth0 10.0.0.110/24; kt_addr relent eth0 10.0.0.100/24
logs_out=${KT_OUT:+$KT_OUT/ike/ikd_v1_unixware}
[ -n "$logs_out" ] && mkdir -p "$logs_out"
keep_logs() {
	[ -n "$logs_out" ] || return 0
	cp "$(ikd_log elmer)" "$(ikd_log relent)" "$logs_out/" 2>/dev/null
	return 0
}
trap 'keep_logs; kt_cleanup' EXIT

# B.1 and B.2, reconstructed form; only the psk.txt path differs.
ikd_psk elmer <<'EOF'
10.0.0.100 mekmitasdigoat
EOF
ikd_psk relent <<'EOF'
10.0.0.110 mekmitasdigoat
EOF
ikd_conf elmer <<EOF
path pre_shared_key "$IKD_DIR/elmer.psk" ;
log debug;
remote anonymous
{
	exchange_mode aggressive ;
	my_identifier address 10.0.0.110 ;
	lifetime time 1 hour ; # sec,min,hour

	# phase 1 proposal (for ISAKMP SA)
	proposal {
		encryption_algorithm 3des;
		hash_algorithm sha1;
		authentication_method pre_shared_key ;
		dh_group 2 ;
	}

	# the following makes racoon (as a responder) obey the
	# initiator's lifetime and PFS group proposal.
	# this makes testing easier.
	proposal_check obey;
}

sainfo anonymous
{
	pfs_group 2;
	lifetime time 10 hour ;
	encryption_algorithm 3des, blowfish;
	authentication_algorithm hmac_sha1, hmac_md5 ;
	compression_algorithm deflate ;
}
EOF
ikd_conf relent <<EOF
path pre_shared_key "$IKD_DIR/relent.psk" ;
log debug;
remote anonymous
{
	exchange_mode aggressive ;
	my_identifier address 10.0.0.100 ;
	lifetime time 1 hour ; # sec,min,hour

	# phase 1 proposal (for ISAKMP SA)
	proposal {
		encryption_algorithm 3des;
		hash_algorithm sha1;
		authentication_method pre_shared_key ;
		dh_group 2 ;
	}

	# the configuration makes racoon (as a responder) to obey the
	# initiator's lifetime and PFS group proposal.
	# this makes testing so much easier.
	proposal_check obey;
}

sainfo anonymous
{
	pfs_group 2;
	lifetime time 10 hour ;
	# lifetime byte 50 MB ;
	encryption_algorithm 3des, blowfish;
	authentication_algorithm hmac_sha1, hmac_md5 ;
	compression_algorithm deflate ;
}
EOF

# A.12's elmer.ipsec.conf (the tcp lines as written), plus the icmp lines;
# relent's is the same with in and out swapped (the seed's relent file).
cat >"$KT_TMP/elmer.ipsec.conf" <<'EOF'
spdadd 10.0.0.100[any] 10.0.0.110[any] tcp -P in ipsec esp/tunnel/10.0.0.100-10.0.0.110/require ;
spdadd 10.0.0.110[any] 10.0.0.100[any] tcp -P out ipsec esp/tunnel/10.0.0.110-10.0.0.100/require;
# added for this test: ICMP, IPcomp (use) bundled with the ESP tunnel
spdadd 10.0.0.100[any] 10.0.0.110[any] icmp -P in ipsec ipcomp/tunnel/10.0.0.100-10.0.0.110/use esp/tunnel/10.0.0.100-10.0.0.110/require ;
spdadd 10.0.0.110[any] 10.0.0.100[any] icmp -P out ipsec ipcomp/tunnel/10.0.0.110-10.0.0.100/use esp/tunnel/10.0.0.110-10.0.0.100/require;
EOF
sed -e 's/-P in /-P XX /' -e 's/-P out /-P in /' -e 's/-P XX /-P out /' \
	"$KT_TMP/elmer.ipsec.conf" >"$KT_TMP/relent.ipsec.conf"
for h in elmer relent; do
	ip netns exec $h "$setkey" -f "$KT_TMP/$h.ipsec.conf" || kt_fail "setkey -f on $h failed"
	ip netns exec $h "$IKD" -n -f "$IKD_DIR/$h.conf" || kt_fail "ikd -n refuses $h's racoon.conf"
done

nipsec() { grep -c "IPsec-SA established: $2" "$(ikd_log $1)"; }
nipsec_ge() { [ "$(nipsec "$1" "$2")" -ge "$3" ]; }
# sa_count HOST PROTO: PROTO's tunnel-mode SAs in HOST's setkey -D
sa_count() { ip netns exec "$1" "$setkey" -D | grep -c "^	$2 mode=tunnel "; }
comp_sum() {
	ip netns exec "$1" awk -v k="$2=" '/proto=ipcomp/ { for (i = 1; i <= NF; i++)
		if (index($i, k) == 1) n += substr($i, length(k) + 1) } END { print n + 0 }' /proc/net/kipsec_sa
}

ikd_start elmer elmer -dd
ikd_start relent relent -dd
cap=$KT_TMP/unixware.pcap
kt_capture_start wire elmer-eth0 "$cap"
ip netns exec elmer ping -n -c 1 -W 1 10.0.0.100 >/dev/null 2>&1
kt_wait_for 90 nipsec_ge elmer IPCOMP 2 || kt_fail "no IPcomp IPsec-SA on elmer within 90 s"
kt_wait_for 10 nipsec_ge relent IPCOMP 2 || kt_fail "no IPcomp IPsec-SA on relent"
for h in elmer relent; do
	grep -q 'ISAKMP-SA established' "$(ikd_log $h)" || kt_fail "$h's log does not say ISAKMP-SA established"
	[ "$(nipsec $h ESP/Tunnel)" = 2 ] || kt_fail "$h's log does not say IPsec-SA established for the ESP pair"
	grep -q mekmitasdigoat "$(ikd_log $h)" && kt_fail "$h's log holds the pre-shared key"
done
d0=$(comp_sum relent decomp)
out=$(ip netns exec elmer ping -n -c 4 -i 0.3 -W 3 -s 1200 -p 00 10.0.0.100 2>&1) ||
	kt_fail "large pings lost once the SAs were up: $out"
kt_log "ping -s 1200 -p 00: $(grep transmitted <<<"$out")"
kt_capture_stop
d1=$(comp_sum relent decomp)
kt_log "relent's IPcomp SAs decompressed $d0 -> $d1 packets"
[ "$d1" -ge $((d0 + 4)) ] || kt_fail "relent decompressed $((d1 - d0)) packets, want >= 4"
python3 - "$cap" <<'EOF' || kt_fail "the wire is not ISAKMP then ESP only"
import struct, sys
data = open(sys.argv[1], "rb").read()
end = "<" if struct.unpack("<I", data[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D) else ">"
kinds, off, big = [], 24, 0
while off + 16 <= len(data):
    n = struct.unpack(end + "I", data[off + 8:off + 12])[0]
    fr, off = data[off + 16:off + 16 + n], off + 16 + n
    if len(fr) < 34 or fr[12:14] != b"\x08\x00":
        continue
    proto = fr[23]
    if proto == 50:
        kinds.append("esp")
        # Compressed inside: 1200 zero bytes go as far less.
        if len(fr) < 400:
            big += 1
    elif proto == 17:
        kinds.append("isakmp")
    else:
        kinds.append("clear-%d" % proto)
assert not [k for k in kinds if k.startswith("clear")], kinds
assert kinds.count("esp") >= 8, kinds
# The 8 big pings (4 each way) went compressed inside ESP.
assert big >= 8, f"only {big} short ESP frames"
print(f"# wire: {kinds.count('isakmp')} ISAKMP, {kinds.count('esp')} ESP ({big} short), nothing in clear")
EOF
for h in elmer relent; do
	[ "$(sa_count $h esp)" = 2 ] || kt_fail "$h: $(sa_count $h esp) mature ESP tunnel SAs, want 2: $(ip netns exec $h "$setkey" -D)"
	[ "$(sa_count $h ipcomp)" = 2 ] || kt_fail "$h: $(sa_count $h ipcomp) mature IPcomp tunnel SAs, want 2: $(ip netns exec $h "$setkey" -D)"
	sad=$(ip netns exec $h "$setkey" -D)
	[ "$(grep -c 'E: 3des-cbc' <<<"$sad")" = 2 ] || kt_fail "$h: the ESP SAs are not 3des-cbc (relent's first): $sad"
	[ "$(grep -c 'A: hmac-sha1' <<<"$sad")" = 2 ] || kt_fail "$h: the ESP SAs are not hmac-sha1: $sad"
	[ "$(grep -c 'C: deflate' <<<"$sad")" = 2 ] || kt_fail "$h: the IPcomp SAs are not deflate: $sad"
	[ "$(grep -c 'state=mature' <<<"$sad")" = 4 ] || kt_fail "$h: not 4 mature SAs: $sad"
done
# The SAs without their keys.
ip netns exec elmer "$setkey" -D | grep -E 'mode=|C: ' | sed -E 's/^/#   /; s/(E|A): ([a-z0-9-]+) .*/\1: \2/'
grep 'established' "$(ikd_log relent)" | sed 's/^/#   /'
ikd_stop elmer
ikd_wait_log relent "deleted IPcomp SA" 10 || kt_fail "relent heard no IPCOMP DELETE from elmer"
ikd_stop relent
keep_logs
