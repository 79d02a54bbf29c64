# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 360
# ikd under an IKE_SA_INIT flood (RFC 7296 2.6). h1 runs ikd with
# `remote anonymous` (so every request it gets could cost it a half-open
# SA and a DH computation) and `listen { cookie_threshold 10; }`; the
# namespace fl floods it with IKE_SA_INIT requests (100/s) from random
# addresses of 172.16.0.0/16 (routed from h1 towards fl, raw socket), while
# h2's ikd negotiates with h1 for a ping, and for 5 s more (some 20-60 s
# in all under TCG). Asserted:
#  - the flood gets stateless COOKIE answers (counted on fl's wire), and
#    no more than cookie_threshold full IKE_SA_INIT answers per 30 s (the
#    life of a half-open SA);
#  - h1's ikd's VmRSS at the end of the flood is within 1 MiB of its value
#    at the start, and within 128 KiB of its value once the half-open SAs
#    and h2's SA exist (the flood itself costs no memory); its log is not
#    flooded (rate-limited lines);
#  - h2 gets its IKE SA (having been asked for a cookie) and its child SA,
#    and the ping flows.
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/guest/ikd.bash"

setkey=$KT_BUILD/bin/setkey
SECS=120 RATE=100 MORE=5 THRESHOLD=10
kt_load_kipsec
kt_topo_h2h
kt_ns fl
kt_link h1 eth1 fl eth0
kt_addr h1 eth1 192.168.77.1/24
kt_addr fl eth0 192.168.77.2/24
ip -n h1 route add 172.16.0.0/16 via 192.168.77.2 dev eth1
ip -n fl route add 10.1.1.1/32 via 192.168.77.1 dev eth0
# fl only pretends to be those hosts: their answers end there, silently.
ip -n fl route add blackhole 172.16.0.0/16
psk=kipsec-ikd-dos-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')

for h in h1 h2; do
	if [ $h = h1 ]; then me=10.1.1.1 peer=20.1.1.1 rem=anonymous
	else me=20.1.1.1 peer=10.1.1.1 rem=$peer; fi
	ikd_psk $h <<-EOF
	$peer $psk
	EOF
	ikd_conf $h <<-EOF
	path pre_shared_key "$IKD_DIR/$h.psk";
	listen { cookie_threshold $THRESHOLD; half_open_per_source 5; }
	timer { counter 6; interval 2 sec; }
	remote $rem {
		ike_version 2;
		proposal {
			encryption_algorithm aes 128;
			hash_algorithm sha256;
			authentication_method pre_shared_key;
			dh_group 31;
		}
	}
	sainfo anonymous {
		encryption_algorithm aes 128;
		authentication_algorithm hmac_sha256;
	}
	EOF
	ip netns exec $h "$IKD" -n -f "$IKD_DIR/$h.conf" ||
		kt_fail "ikd -n refuses $h's configuration"
	ip netns exec $h "$setkey" -c <<-EOF || kt_fail "setkey on $h failed"
	spdadd $me $peer any -P out ipsec esp/transport//require;
	spdadd $peer $me any -P in ipsec esp/transport//require;
	EOF
done
# The first SA of these algorithms makes the kernel load its crypto
# modules, which takes seconds under TCG while ikd waits in the kernel:
# done here, so that what is measured is ikd under the flood.
ip netns exec fl "$setkey" -c <<-EOF || kt_fail "setkey warm-up in fl failed"
add 192.168.77.2 192.168.77.1 esp 0x999 -m transport -E aes-cbc 0x$(printf '%032d' 1) -A hmac-sha256 0x$(printf '%064d' 2);
flush;
EOF
ikd_start h1 h1 -dd
ikd_start h2 h2 -dd
pid1=${IKD_PID[h1]}
nesp() { ip netns exec "$1" "$setkey" -D | grep -c '^	esp mode='; }
# A first negotiation before the flood: what h1 sets up once for its first
# IKE SA (OpenSSL's algorithms, buffers) is not counted against the flood.
# Then h2 stops (its DELETE empties both SADs) and starts afresh.
ip netns exec h2 ping -n -c 1 -W 1 10.1.1.1 >/dev/null 2>&1
kt_wait_for 60 grep -q 'CHILD_SA established' "$(ikd_log h2)" ||
	kt_fail "h2 got no child SA before the flood"
ikd_stop h2
kt_wait_for 10 test "$(nesp h1)" = 0 || kt_fail "h1 kept its SAs after h2's DELETE"
ikd_conf h2b <"$IKD_DIR/h2.conf"
ikd_start h2b h2 -dd
rss() { awk '/^VmRSS:/ { print $2 }' /proc/$pid1/status; }
nlines() { wc -l <"$(ikd_log h1)"; }

cap=$KT_TMP/flood.pcap
kt_capture_start fl eth0 "$cap" udp port 500
rss0=$(rss) lines0=$(nlines) tf0=$(date +%s)
ip netns exec fl python3 "$KT_TOP/tests/guest/ike_flood.py" 10.1.1.1 172.16 $SECS $RATE \
	>"$KT_TMP/flood.out" 2>&1 &
flood=$!
KT_PIDS+=($flood)
# Once h1 asks for cookies, h2 wants its SA.
ikd_wait_log h1 "answered with COOKIE" 15 || kt_fail "h1 never asked the flood for a cookie"
tcookie=$(date +%s)
ip netns exec h2 ping -n -c 1 -W 1 10.1.1.1 >/dev/null 2>&1
kt_wait_for 60 grep -q 'CHILD_SA established' "$(ikd_log h2b)" ||
	kt_fail "h2 got no child SA during the flood"
kill -0 $flood 2>/dev/null || kt_fail "h2's SA came after the flood ended: the test proves nothing"
out=$(ip netns exec h2 ping -n -c 3 -i 0.3 -W 3 10.1.1.1 2>&1) ||
	kt_fail "ping h2 -> h1 lost packets once the SAs were up: $out"
kt_log "during the flood: $(grep transmitted <<<"$out")"
rss_mid=$(rss) tmid=$(date +%s)
# The flood goes on for MORE seconds with every SA in place, then stops.
sleep $MORE
# At least one whole rate-limit window (10 s) of cookies, so that h1 has
# lines to leave out and summarise: on a fast host the SA is up at once.
while [ $(($(date +%s) - tcookie)) -lt 12 ]; do sleep 1; done
kill -0 $flood 2>/dev/null || kt_fail "the flood ended early: $(cat "$KT_TMP/flood.out")"
rss1=$(rss) tf1=$(date +%s)
kill -TERM $flood
wait $flood
sleep 1	# what is queued in h1's socket
lines1=$(nlines)
kt_capture_stop
sent=$(cat "$KT_TMP/flood.out")
grep -q "10.1.1.1\[500\] asked for a cookie: resending IKE_SA_INIT" "$(ikd_log h2b)" ||
	kt_fail "h2 was not asked for a cookie"

# COOKIE answers and full answers (an SA payload) to the flood, on fl's wire.
read -r requests cookies full < <(python3 - "$cap" <<-'EOF'
	import struct, sys
	data = open(sys.argv[1], "rb").read()
	end = "<" if struct.unpack("<I", data[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D) else ">"
	off, requests, cookies, full = 24, 0, 0, 0
	while off + 16 <= len(data):
	    incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
	    f = data[off + 16:off + 16 + incl]
	    off += 16 + incl
	    if len(f) < 14 + 20 or f[12:14] != b"\x08\x00":
	        continue
	    ip = f[14:]
	    ihl = (ip[0] & 15) * 4
	    if ip[9] != 17:
	        continue
	    u = ip[ihl:]
	    ike = u[8:]
	    if struct.unpack("!H", u[0:2])[0] != 500 or len(ike) < 28:
	        continue
	    if ip[12:14] == bytes([172, 16]):
	        requests += 1                 # the flood's, as they left fl
	        continue
	    if ip[12:14] != bytes([10, 1]):
	        continue                      # from h1 only
	    if ike[18] != 34 or not ike[19] & 0x20:
	        continue                      # IKE_SA_INIT responses
	    if ike[16] == 41 and len(ike) >= 36 and struct.unpack("!H", ike[34:36])[0] == 16390:
	        cookies += 1
	    elif ike[16] == 33:
	        full += 1
	print(requests, cookies, full)
	EOF
)
kt_log "flood: $sent IKE_SA_INIT sent in $((tf1 - tf0)) s ($requests captured); h1 answered $cookies with COOKIE, $full in full"
grep -h 'more messages like' "$(ikd_log h1)" | sed 's/^/# h1: /' 
[ "$sent" -ge $(((tf1 - tf0) * RATE / 4)) ] || kt_fail "the flood sent only $sent requests"
# Under TCG with other guests on the host, h1's socket may overflow: not
# every request gets an answer, but a good share must.
[ "$cookies" -ge $((requests / 3)) ] && [ "$cookies" -ge 500 ] ||
	kt_fail "only $cookies COOKIE answers to $requests requests"
# A half-open SA lives 30 s: then the flood may fill its place again.
maxfull=$((THRESHOLD * (1 + (tf1 - tf0) / 30)))
[ "$full" -le $maxfull ] ||
	kt_fail "$full full IKE_SA_INIT answers to the flood in $((tf1 - tf0)) s: more than cookie_threshold $THRESHOLD per 30 s"
# The half-open SAs and h2's IKE SA, made during the flood, are the only
# memory that may stay (with the heap pages malloc keeps around them); once
# they exist, the flood itself must cost nothing.
kt_log "h1 VmRSS: $rss0 kB at the start of the flood, $rss_mid kB once h2's SA was up ($((tmid - tf0)) s in), $rss1 kB at its end ($((tf1 - tf0)) s)"
[ $((rss1 - rss0)) -le 1024 ] || kt_fail "h1's ikd grew by $((rss1 - rss0)) kB under the flood"
[ $((rss1 - rss_mid)) -le 128 ] ||
	kt_fail "h1's ikd grew by $((rss1 - rss_mid)) kB in the last $((tf1 - tmid)) s of the flood"
kt_log "h1's log grew by $((lines1 - lines0)) lines (-dd) during the flood"
[ $((lines1 - lines0)) -le 150 ] || kt_fail "h1's log grew by $((lines1 - lines0)) lines: a log flood"
grep -q "more messages like \"answered with COOKIE\"" "$(ikd_log h1)" ||
	kt_fail "h1 did not summarise the COOKIE lines it left out"
n=$(nesp h2)
[ "$n" = 2 ] || kt_fail "h2 has $n ESP SAs, want 2"
ikd_stop h2b
ikd_stop h1
kt_log "ok"
