# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 600
# ikd's system layer for real (ikd/kernel_pfkey.c, net.c, netlink.c through
# build/guest/ikd_kernel_probe), against kipsec.ko and then Linux's af_key,
# on kt_topo_h2h (h1 10.1.1.1, fd00:1::1 --- h2 20.1.1.1, fd00:2::1):
#  1. open + REGISTER; GETSPI (a larval SA in `setkey -D`);
#  2. UPDATE of that SA and ADD: AES-GCM-16, AES-CBC + HMAC-SHA2-256 with
#     lifetimes, as `setkey -D` shows them; kipsec: ESN, a 4096 window,
#     ChaCha20-Poly1305; af_key refuses (EOPNOTSUPP) what it would install
#     differently (AEAD, HMAC-SHA2-256's 96-bit ICV, ESN, windows over 32)
#     and takes HMAC-SHA2-384 with its 192-bit ICV (`ip xfrm state`);
#     NAT-T ports; sa_use; DELETE;
#  3. spd_add/spd_get/spd_dump/spd_del against `setkey -DP`;
#  4. a bundle policy (esp unique:100 + ah unique:200): a ping raises an
#     ACQUIRE for ESP with reqid 100 and the policy's id, GETSPI with its
#     seq takes over the kernel's larval SA, UPDATE completes it, and the
#     next ping raises the ACQUIRE for AH with reqid 200;
#  5. soft and hard EXPIRE of a 2 s / 8 s SA, and the SA gone;
#  6. IKE sockets under `require` everything, both ways, both hosts: UDP
#     500 (IPv4, IPv6) and 4500 (NAT-T, the non-ESP marker on the wire)
#     between two probes gets through; an ordinary socket does not;
#  7. (kipsec run) rtnetlink: source address for a peer, an address that
#     appears and goes.
. "$KT_TOP/tests/vm/lib.sh"

probe=$KT_BUILD/guest/ikd_kernel_probe
setkey=$KT_BUILD/bin/setkey
[ -x "$probe" ] || kt_fail "probe not built ($probe)"
[ -x "$setkey" ] || kt_fail "setkey not built ($setkey)"
modprobe aesni_intel 2>/dev/null

P() { ip netns exec h1 "$probe" "$@"; }
P2() { ip netns exec h2 "$probe" "$@"; }
S() { ip netns exec h1 "$setkey" "$@"; }

# The kernel interface of one probe in h1 for all of a stack's commands
# (a REGISTER per command would cost seconds with af_key, and the 30 s of
# a larval SA): K CMD... prints the command's output. Its log is
# $KT_TMP/k.log.
k_start() {
	coproc PR { exec ip netns exec h1 env PROBE_DEBUG=1 "$probe" shell 2>"$KT_TMP/k.log"; }
	K_PID=$PR_PID
	KT_PIDS+=($K_PID)
	local line
	IFS= read -r -t 180 line <&"${PR[0]}" && [ "$line" = . ] ||
		kt_fail "probe shell did not start: $(cat "$KT_TMP/k.log")"
}

K() {
	local line
	echo "$*" >&"${PR[1]}"
	while IFS= read -r -t 60 line <&"${PR[0]}"; do
		[ "$line" = . ] && return 0
		echo "$line"
	done
	echo "probe shell died: $(cat "$KT_TMP/k.log")"
}

k_stop() {
	local fd=${PR[1]}
	exec {fd}>&-
	wait "$K_PID" 2>/dev/null
}

GCM=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff01020304
CBC=0123456789abcdef0123456789abcdef
SHA256=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
SHA384=${SHA256}000102030405060708090a0b0c0d0e0f
SHA1=00112233445566778899aabbccddeeff00112233

# KAME's key dump of HEX's first 32 bytes: "  00112233 44556677 ...".
kame() { echo "${1:0:64}" | sed 's/.\{8\}/ &/g'; }

# expect WHAT WANT CMD...: CMD's output must be WANT exactly; its log
# (stderr) is kept in $KT_TMP/log.
expect() {
	local what=$1 want=$2 got; shift 2
	got=$("$@" 2>"$KT_TMP/log")
	[ "$got" = "$want" ] || kt_fail "$what: got '$got', want '$want'; log: $(cat "$KT_TMP/log")"
}

# sa_block SPI: the `setkey -D` paragraph of the SA with that SPI.
sa_block() {
	S -D | awk -v s="$(printf '(0x%08x)' "$1")" '
		/^[0-9a-f:.]+(\[[0-9]+\])? [0-9a-f:.]+/ { blk = $0; keep = 0; next }
		{ blk = blk "\n" $0; if (index($0, s)) keep = 1 }
		/sadb_seq=/ { if (keep) print blk; keep = 0 }'
}

want_in() {	# want_in WHAT TEXT PATTERN...: each fixed string is in TEXT
	local what=$1 text=$2 p; shift 2
	for p in "$@"; do
		grep -qF -- "$p" <<<"$text" || kt_fail "$what: no '$p' in:
$text"
	done
}

run_stack() {
	local stack=$1 out spi id spid t0 t1 now blk
	kt_log "==== $stack"
	KT_STACK=$stack kt_load_stack
	kt_topo_h2h
	kt_h2h_neigh6

	# ---- 1. open, REGISTER, GETSPI ------------------------------------
	t0=$(date +%s.%N)
	k_start
	t1=$(date +%s.%N)
	expect "register" registered K register
	# Which kernel it talks to decides what it refuses.
	if [ "$stack" = kipsec ]; then out="PF_KEY: kipsec.ko"; else out="PF_KEY: Linux af_key"; fi
	grep -q "$out" "$KT_TMP/k.log" || kt_fail "kernel not recognised: $(cat "$KT_TMP/k.log")"
	kt_log "open + REGISTER: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
	out=$(K getspi esp tunnel 20.1.1.1 10.1.1.1 16385 0)
	spi=${out#spi=}
	[[ $out =~ ^spi=0x[0-9a-f]{8}$ ]] || kt_fail "getspi: $out"
	(( spi >= 0x100 && spi <= 0x0fffffff )) || kt_fail "SPI $spi out of KAME's range"
	blk=$(sa_block "$spi")
	want_in "larval SA" "$blk" "20.1.1.1 10.1.1.1" "esp mode=tunnel spi=$((spi))" \
		"reqid=16385(" "state=larval"

	# ---- 2. UPDATE, ADD -------------------------------------------------
	local upd=(update proto=esp mode=tunnel spi="$spi" src=20.1.1.1 dst=10.1.1.1
		reqid=16385 soft_bytes=800000 hard_bytes=1000000 soft_secs=2880 hard_secs=3600)
	if [ "$stack" = kipsec ]; then
		expect "update GCM" ok K "${upd[@]}" encr=20 keybits=256 ekey=$GCM replay=64
		blk=$(sa_block "$spi")
		want_in "GCM SA" "$blk" "E: aes-gcm-16 $(kame $GCM)" "replay=64 " \
			"state=mature" "hard: 3600(s)	soft: 2880(s)" \
			"hard: 1000000(bytes)	soft: 800000(bytes)"
		grep -q "A: " <<<"$blk" && kt_fail "GCM SA with an auth key: $blk"
	else
		expect "update GCM on af_key" "error EOPNOTSUPP" K "${upd[@]}" encr=20 keybits=256 ekey=$GCM
		expect "update CBC+SHA1" ok K "${upd[@]}" encr=12 keybits=128 ekey=$CBC integ=2 akey=$SHA1 replay=32
		blk=$(sa_block "$spi")
		want_in "CBC SA" "$blk" "E: aes-cbc $(kame $CBC)" "A: hmac-sha1 $(kame $SHA1)" \
			"replay=32 " "state=mature" "hard: 3600(s)	soft: 2880(s)"
	fi

	local add=(add proto=esp mode=transport src=10.1.1.1 dst=20.1.1.1 encr=12
		keybits=128 ekey=$CBC replay=32 hard_secs=3600 soft_secs=3000)
	if [ "$stack" = kipsec ]; then
		expect "add CBC+SHA2-256" ok K "${add[@]}" spi=0x2001 integ=12 akey=$SHA256
		blk=$(sa_block 0x2001)
		want_in "CBC+SHA2 SA" "$blk" "10.1.1.1 20.1.1.1" "esp mode=transport spi=8193(" \
			"E: aes-cbc $(kame $CBC)" "A: hmac-sha2-256 $(kame $SHA256)" "state=mature"
		# RFC 4868's 128 bits is kipsec's default: no icv= word.
		grep -q "icv=" <<<"$blk" && kt_fail "SHA2-256 SA with a changed ICV: $blk"
		expect "add ESN 4096" ok K "${add[@]}" spi=0x2002 integ=12 akey=$SHA256 replay=4096 esn
		want_in "ESN SA" "$(sa_block 0x2002)" "replay=4096 " "esn"
		expect "add GCM" ok K add proto=esp mode=tunnel spi=0x2003 src=10.1.1.1 dst=20.1.1.1 \
			encr=20 keybits=256 ekey=$GCM
		want_in "GCM SA" "$(sa_block 0x2003)" "E: aes-gcm-16 $(kame $GCM)"
		expect "add ChaCha20" ok K add proto=esp mode=transport spi=0x2004 src=10.1.1.1 \
			dst=20.1.1.1 encr=28 ekey=$GCM
		want_in "ChaCha20 SA" "$(sa_block 0x2004)" "E: chacha20-poly1305 $(kame $GCM)"
	else
		expect "add SHA2-256 on af_key" "error EOPNOTSUPP" K "${add[@]}" spi=0x2001 integ=12 akey=$SHA256
		grep -q "esp spi 0x00002001 refused: Linux af_key truncates HMAC-SHA2-256 to 96 bits" "$KT_TMP/k.log" ||
			kt_fail "no reason for the refusal: $(cat "$KT_TMP/k.log")"
		expect "add ESN on af_key" "error EOPNOTSUPP" K "${add[@]}" spi=0x2002 integ=2 akey=$SHA1 esn
		expect "add window 64 on af_key" "error EOPNOTSUPP" K "${add[@]}" spi=0x2002 integ=2 \
			akey=$SHA1 replay=64
		expect "add ChaCha20 on af_key" "error EOPNOTSUPP" K add proto=esp mode=transport \
			spi=0x2004 src=10.1.1.1 dst=20.1.1.1 encr=28 ekey=$GCM
		expect "add CBC+SHA2-384" ok K "${add[@]}" spi=0x2001 integ=13 akey=$SHA384
		want_in "CBC+SHA2-384 SA" "$(sa_block 0x2001)" "A: hmac-sha2-384 $(kame $SHA384)"
		# The oracle next door: XFRM's own view of the ICV length.
		ip -n h1 xfrm state | grep -q "auth-trunc hmac(sha384) 0x$SHA384 192" ||
			kt_fail "af_key SA's ICV: $(ip -n h1 xfrm state)"
		for s in 0x2002 0x2004; do
			[ -z "$(sa_block $s)" ] || kt_fail "af_key got SA $s although it was refused"
		done
	fi
	expect "add NAT-T" ok K add proto=esp mode=tunnel spi=0x2005 src=10.1.1.1 dst=20.1.1.1 \
		encr=12 keybits=128 ekey=$CBC integ=2 akey=$SHA1 sport=4500 dport=4501
	want_in "NAT-T SA" "$(sa_block 0x2005)" "10.1.1.1[4500] 20.1.1.1[4501]" "esp-udp mode=tunnel"
	expect "add bad key length" "error EINVAL" K "${add[@]}" spi=0x2006 integ=2 akey=$SHA256

	out=$(K use esp 0x2001 10.1.1.1 20.1.1.1)
	now=$(date +%s)
	[[ $out =~ ^bytes=0\ packets=0\ added=([0-9]+)\ used=0$ ]] || kt_fail "sa_use: $out"
	(( ${BASH_REMATCH[1]} > now - 120 && ${BASH_REMATCH[1]} <= now + 2 )) ||
		kt_fail "sa_use: added ${BASH_REMATCH[1]}, now $now"
	expect "delete" ok K del esp 0x2001 10.1.1.1 20.1.1.1
	[ -z "$(sa_block 0x2001)" ] || kt_fail "the SA outlived its DELETE"
	out=$(K del esp 0x2001 10.1.1.1 20.1.1.1)
	[ "$out" = "error ESRCH" ] || [ "$out" = "error ENOENT" ] || kt_fail "second delete: $out"
	S -F || kt_fail "setkey -F"

	# ---- 3. the SPD ------------------------------------------------------
	out=$(K spdadd out ipsec 10.0.1.0/24 "10.0.2.0/24[80]" 6 esp/tunnel/3/0/10.1.1.1-20.1.1.1)
	[[ $out =~ ^id=([0-9]+)$ ]] || kt_fail "spdadd: $out"
	id=${BASH_REMATCH[1]}
	out=$(S -DP)
	grep -A6 -F '10.0.1.0/24[any] 10.0.2.0/24[80] tcp' <<<"$out" | grep -q "spid=$id " ||
		kt_fail "setkey -DP does not show policy $id: $out"
	# The kernel chooses the reqid (kipsec from 1, af_key above 0x3fff).
	grep -qxE $'\tesp/tunnel/10.1.1.1-20.1.1.1/unique[:#][1-9][0-9]*' <<<"$out" ||
		kt_fail "setkey -DP: no kernel-chosen unique reqid: $out"
	out=$(K spdget "$id")
	re='^id='$id' dir=out action=ipsec prio=0x80000000 sel=10\.0\.1\.0\[0\]/24->10\.0\.2\.0\[80\]/24 proto=6 reqs=esp/tunnel/3/([0-9]+)/10\.1\.1\.1-20\.1\.1\.1$'
	[[ $out =~ $re ]] || kt_fail "spdget: $out"
	(( BASH_REMATCH[1] > 0 )) || kt_fail "spdget: reqid 0 for a unique request"
	out=$(K spddump)
	[ "$(grep -c "^id=$id " <<<"$out")" = 1 ] && grep -qx count=1 <<<"$out" ||
		kt_fail "spddump: $out"
	expect "spddel" ok K spddel "$id"
	S -DP | grep -q "spid=$id " && kt_fail "policy $id outlived spd_del"
	out=$(K spdget "$id")
	case $out in "error ENOENT" | "error ESRCH") ;; *) kt_fail "spdget of a deleted policy: $out" ;; esac

	# ---- 4. ACQUIRE for a bundle -------------------------------------------
	S -c <<<'spdadd 10.1.1.1 20.1.1.1 any -P out ipsec esp/transport//unique:100 ah/transport//unique:200;' ||
		kt_fail "setkey spdadd"
	spid=$(S -DP | sed -n 's/.*spid=\([0-9]*\) .*/\1/p' | head -1)
	[ -n "$spid" ] || kt_fail "no spid in setkey -DP"
	P events 40 2 getspi >"$KT_TMP/ev.$stack" 2>&1 &
	KT_PIDS+=($!)
	kt_wait_for 20 grep -q '^ready' "$KT_TMP/ev.$stack" || kt_fail "events: $(cat "$KT_TMP/ev.$stack")"
	KT_PING_COUNT=1 kt_ping_fails h1 20.1.1.1
	kt_wait_for 10 grep -q '^GETSPI' "$KT_TMP/ev.$stack" || kt_fail "no ACQUIRE: $(cat "$KT_TMP/ev.$stack")"
	out=$(grep '^ACQUIRE' "$KT_TMP/ev.$stack")
	[[ $out =~ ^ACQUIRE\ seq=[0-9]+\ proto=esp\ mode=transport\ reqid=100\ src=10.1.1.1\ dst=20.1.1.1\ policy=$spid\ nreqs=2$ ]] ||
		kt_fail "ESP ACQUIRE: $out (policy $spid)"
	out=$(grep '^GETSPI' "$KT_TMP/ev.$stack")
	[[ $out =~ ^GETSPI\ spi=(0x[0-9a-f]{8})$ ]] || kt_fail "GETSPI with the ACQUIRE's seq: $out"
	spi=${BASH_REMATCH[1]}
	# The kernel's larval SA took the SPI: one ESP SA, not two.
	out=$(S -D)
	[ "$(grep -c $'^\tesp mode=' <<<"$out")" = 1 ] || kt_fail "want one larval ESP SA: $out"
	want_in "ACQUIRE's larval SA" "$(sa_block "$spi")" "10.1.1.1 20.1.1.1" "state=larval"
	expect "update the acquired SA" ok K update proto=esp mode=transport spi="$spi" src=10.1.1.1 \
		dst=20.1.1.1 reqid=100 encr=12 keybits=128 ekey=$CBC integ=2 akey=$SHA1
	want_in "acquired SA" "$(sa_block "$spi")" "reqid=100(" "state=mature"
	KT_PING_COUNT=1 kt_ping_fails h1 20.1.1.1
	kt_wait_for 10 grep -q 'proto=ah' "$KT_TMP/ev.$stack" || kt_fail "no AH ACQUIRE: $(cat "$KT_TMP/ev.$stack")"
	grep -qE "^ACQUIRE seq=[0-9]+ proto=ah mode=transport reqid=200 src=10.1.1.1 dst=20.1.1.1 policy=$spid nreqs=2$" \
		"$KT_TMP/ev.$stack" || kt_fail "AH ACQUIRE: $(cat "$KT_TMP/ev.$stack")"
	wait "${KT_PIDS[-1]}" || kt_fail "events: $(cat "$KT_TMP/ev.$stack")"
	S -F && S -FP || kt_fail "flush"

	# ---- 5. EXPIRE -----------------------------------------------------------
	P events 30 2 >"$KT_TMP/exp.$stack" 2>&1 &
	KT_PIDS+=($!)
	kt_wait_for 20 grep -q '^ready' "$KT_TMP/exp.$stack" || kt_fail "events: $(cat "$KT_TMP/exp.$stack")"
	# Hard well after soft: an expiry pass that runs late on a loaded TCG
	# guest and finds both lifetimes over reports only the hard one (seen
	# in CI with 2 s between them).
	expect "add 2 s/8 s SA" ok K add proto=esp mode=transport spi=0x5005 src=10.1.1.1 dst=20.1.1.1 \
		encr=12 keybits=128 ekey=$CBC integ=2 akey=$SHA1 soft_secs=2 hard_secs=8
	wait "${KT_PIDS[-1]}" || kt_fail "EXPIREs: $(cat "$KT_TMP/exp.$stack")"
	expect "EXPIREs" "EXPIRE soft proto=esp spi=0x00005005 src=10.1.1.1 dst=20.1.1.1 bytes=0
EXPIRE hard proto=esp spi=0x00005005 src=10.1.1.1 dst=20.1.1.1 bytes=0" grep ^EXPIRE "$KT_TMP/exp.$stack"
	[ -z "$(sa_block 0x5005)" ] || kt_fail "the SA outlived its hard EXPIRE"

	# ---- 6. IKE sockets under `require` everything ---------------------------
	local ns
	for ns in h1 h2; do
		ip netns exec $ns "$setkey" -c <<-'EOF' || kt_fail "require-all on $ns"
		spdadd 0.0.0.0/0 0.0.0.0/0 any -P out ipsec esp/transport//require;
		spdadd 0.0.0.0/0 0.0.0.0/0 any -P in ipsec esp/transport//require;
		spdadd ::/0 ::/0 any -P out ipsec esp/transport//require;
		spdadd ::/0 ::/0 any -P in ipsec esp/transport//require;
		EOF
	done
	KT_PING_COUNT=1 kt_ping_fails h1 20.1.1.1
	kt_capture_start h2 eth0 "$KT_TMP/natt.$stack.pcap" udp port 4500
	P2 echo "20.1.1.1[500]" 60 >"$KT_TMP/e500" 2>&1 &
	KT_PIDS+=($!)
	P2 echo "20.1.1.1[4500]" 60 natt >"$KT_TMP/e4500" 2>&1 &
	KT_PIDS+=($!)
	P2 echo "fd00:2::1[500]" 60 >"$KT_TMP/e6" 2>&1 &
	KT_PIDS+=($!)
	for f in e500 e4500 e6; do
		kt_wait_for 20 grep -q '^listening' "$KT_TMP/$f" || kt_fail "echo $f: $(cat "$KT_TMP/$f")"
	done
	expect "IKE on 500" "recv from=20.1.1.1[500] to=10.1.1.1[500] len=6 data=hello4" \
		P send "10.1.1.1[500]" "20.1.1.1[500]" hello4
	expect "IKE on 4500" "recv from=20.1.1.1[4500] to=10.1.1.1[4500] len=5 data=natt4" \
		P send "10.1.1.1[4500]" "20.1.1.1[4500]" natt4 natt
	expect "IKE on 500, IPv6" "recv from=fd00:2::1[500] to=fd00:1::1[500] len=6 data=hello6" \
		P send "fd00:1::1[500]" "fd00:2::1[500]" hello6
	# Held by the SPD at h1 (sendto may or may not say so).
	for dst in "20.1.1.1[500]" "fd00:2::1[500]"; do
		out=$(P plainsend "$dst" plain)
		[[ $out == timeout || $out == error* ]] || kt_fail "ordinary UDP to $dst: $out"
	done
	kt_capture_stop
	expect "datagrams at h2:500" "recv from=10.1.1.1[500] to=20.1.1.1[500] len=6 data=hello4" \
		grep '^recv' "$KT_TMP/e500"
	expect "datagrams at h2:[fd00:2::1]:500" "recv from=fd00:1::1[500] to=fd00:2::1[500] len=6 data=hello6" \
		grep '^recv' "$KT_TMP/e6"
	# On the wire, both ways: the marker, then the message.
	out=$(tcpdump -nr "$KT_TMP/natt.$stack.pcap" -x 2>/dev/null | awk '
		/^[0-9]/ { if (h != "") print substr(h, 57); h = ""; next }
		{ for (i = 2; i <= NF; i++) h = h $i }
		END { if (h != "") print substr(h, 57) }')
	expect "NAT-T payloads on the wire" "000000006e61747434
000000006e61747434" echo "$out"
	k_stop
	for p in "${KT_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	KT_PIDS=()

	# ---- 7. rtnetlink (once) ------------------------------------------------------
	if [ "$stack" = kipsec ]; then
		expect "route source" "src=10.1.1.1 ifindex=$(ip -n h1 -o link show eth0 | cut -d: -f1)" \
			P routesrc 20.1.1.1
		out=$(P routesrc fd00:2::1)
		[[ $out =~ ^src=fd00:1::1\  ]] || kt_fail "IPv6 route source: $out"
		out=$(P routesrc 30.0.0.1)
		[[ $out =~ ^error ]] || kt_fail "route source without a route: $out"
		P watch 20 >"$KT_TMP/watch" 2>&1 &
		KT_PIDS+=($!)
		kt_wait_for 20 grep -q '^ready' "$KT_TMP/watch" || kt_fail "watch: $(cat "$KT_TMP/watch")"
		ip -n h1 addr add 10.9.9.9/32 dev eth0
		kt_wait_for 5 grep -q '^added 10.9.9.9/32 ' "$KT_TMP/watch" || kt_fail "no added: $(cat "$KT_TMP/watch")"
		ip -n h1 addr del 10.9.9.9/32 dev eth0
		kt_wait_for 5 grep -q '^removed 10.9.9.9/32 ' "$KT_TMP/watch" || kt_fail "no removed: $(cat "$KT_TMP/watch")"
		kill "${KT_PIDS[-1]}"
		wait 2>/dev/null
		KT_PIDS=()
		P addrs | grep -q '^added 10.1.1.1/32 ' || kt_fail "addrs: $(P addrs)"
	fi
	ip -all netns delete
}

run_stack kipsec
modprobe -n af_key 2>/dev/null || kt_skip "no af_key module (kipsec part passed)"
run_stack afkey
exit 0
