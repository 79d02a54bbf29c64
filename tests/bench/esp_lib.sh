# SPDX-License-Identifier: BSD-2-Clause
# Sourced by tests/bench/esp_tput.sh and tests/bench/spd_scale.sh: the
# gateway topologies of each stack (kipsec, native XFRM, and the routed
# ipsecif and xfrmif), their tunnel's SAs and policies, the wire check and
# the UDP and TCP measurements. esp_tput.sh's header explains the method.
# The caller sets: kstack (kipsec or af_key), stacks, setkey, ipsecif,
# udp_window, raw (the results file), jdir (iperf3's JSON), start
# ($SECONDS at the start), runs, secs, window, tcp_secs, failed and
# skipped ("STACK/ALG ..." left out), and a (the algorithm row, for
# check_wire's messages). Optional: tunnel_prio (the priority of the
# tunnel's policies, in both stacks; unset: setkey's and ip xfrm's
# defaults).

# Test keys (AES-128; HMAC-SHA2-256 takes a 256-bit key; GCM a 128-bit
# key followed by the 32-bit salt).
EKEY=0x00112233445566778899aabbccddeeff
AKEY=0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
GKEY=0x00112233445566778899aabbccddeeffcafebabe

# setkey's and ip xfrm's spelling of each algorithm row. HMAC-SHA2-256 is
# truncated to 128 bits (RFC 4868) natively and by kipsec; af_key can only
# ask for 96, 4 bytes less per packet.
setkey_alg() {
	case $1 in
	null) echo "-E null" ;;
	cbc-sha256) echo "-E aes-cbc $EKEY -A hmac-sha2-256 $AKEY" ;;
	gcm) echo "-E aes-gcm-16 $GKEY" ;;
	ah-sha256) echo "-A hmac-sha2-256 $AKEY" ;;
	*) kt_fail "unknown algorithm row $1" ;;
	esac
}
xfrm_alg() {
	case $1 in
	null) echo "enc ecb(cipher_null) \"\"" ;;
	cbc-sha256) echo "enc cbc(aes) $EKEY auth-trunc hmac(sha256) $AKEY 128" ;;
	gcm) echo "aead rfc4106(gcm(aes)) $GKEY 128" ;;
	ah-sha256) echo "auth-trunc hmac(sha256) $AKEY 128 flag align4" ;;
	*) kt_fail "unknown algorithm row $1" ;;
	esac
}

# The IPsec protocol of an algorithm row. AH rows pad IPv4 AH to 32 bits
# natively too (align4), as kipsec and RFC 4302 do.
proto_of() { case $1 in ah-*) echo ah ;; *) echo esp ;; esac; }

# The namespace prefix of a stack.
pfx() { case $1 in kipsec) echo k ;; native) echo n ;; ipsecif) echo i ;; xfrmif) echo x ;; esac; }

# Is the stack's tunnel an interface (routed) rather than policies?
routed() { case $1 in ipsecif|xfrmif) return 0 ;; esac; return 1; }

# The reqid of ipsec0 and the if_id of xfrm0.
IFID=100

# How a stack's SAs get into the kernel for an algorithm: setkey or ip-xfrm.
via() {
	case $1 in native|xfrmif) echo ip-xfrm; return ;; ipsecif) echo setkey; return ;; esac
	case $kstack/$2 in
	af_key/gcm|af_key/null) echo ip-xfrm ;;
	*) echo setkey ;;
	esac
}

# topo STACK: kt_topo_gw's IPv4 half in namespaces P-left, P-gw1, P-gw2,
# P-right (P: the stack's prefix), with the routed stacks' interfaces, and
# every interface's received packets steered to vCPU 1 (RPS).
topo() {
	local p n
	p=$(pfx "$1")
	for n in left gw1 gw2 right; do kt_ns "$p-$n"; done
	kt_link "$p-left" eth0 "$p-gw1" lan0
	kt_link "$p-gw1" wan0 "$p-gw2" wan0
	kt_link "$p-gw2" lan0 "$p-right" eth0
	kt_addr "$p-left" eth0 10.0.1.2/24; kt_addr "$p-gw1" lan0 10.0.1.1/24
	kt_addr "$p-gw1" wan0 20.0.0.1/24; kt_addr "$p-gw2" wan0 20.0.0.2/24
	kt_addr "$p-gw2" lan0 10.0.2.1/24; kt_addr "$p-right" eth0 10.0.2.2/24
	ip -n "$p-left" route add default via 10.0.1.1
	ip -n "$p-right" route add default via 10.0.2.1
	ip -n "$p-gw1" route add 10.0.2.0/24 via 20.0.0.2
	ip -n "$p-gw2" route add 10.0.1.0/24 via 20.0.0.1
	if routed "$1"; then
		for n in gw1 gw2; do tunnel_if "$1" "$n"; done
	fi
	for n in left gw1 gw2 right; do
		ip netns exec "$p-$n" sh -c 'for q in /sys/class/net/*/queues/rx-*/rps_cpus; do
			case $q in */lo/*) ;; *) echo 2 >"$q" ;; esac; done' ||
			kt_fail "cannot steer $p-$n's packets to vCPU 1 (RPS)"
	done
}

# tunnel_if STACK GW: the gateway's ipsec0 or xfrm0, MTU 1500 (see the top),
# the remote LAN routed into it instead of over the wire.
tunnel_if() {
	local me peer lan rlan ns=$(pfx "$1")-$2 dev
	gw_vars "$2"
	if [ "$1" = ipsecif ]; then
		dev=ipsec0
		ip netns exec "$ns" "$ipsecif" add $dev local $me remote $peer reqid $IFID ||
			kt_fail "$ns: ipsecif add $dev"
	else
		dev=xfrm0
		ip -n "$ns" link add $dev type xfrm dev wan0 if_id $IFID ||
			kt_fail "$ns: ip link add $dev type xfrm"
	fi
	ip -n "$ns" link set $dev mtu 1500 up &&
		ip -n "$ns" route replace "$rlan" dev $dev || kt_fail "$ns: $dev up, route into it"
}

# Each gateway: its own address, the peer's, its LAN and the remote LAN.
# Both hold both SAs: SPI 0x1001 from gw1 to gw2, 0x1002 back.
gw_vars() {
	case $1 in
	gw1) me=20.0.0.1 peer=20.0.0.2 lan=10.0.1.0/24 rlan=10.0.2.0/24 ;;
	gw2) me=20.0.0.2 peer=20.0.0.1 lan=10.0.2.0/24 rlan=10.0.1.0/24 ;;
	esac
}

# setkey_conf STACK GW ALG; ipsecif: SAs with ipsec0's reqid, no SPD.
setkey_conf() {
	local me peer lan rlan alg pr u= prio=${tunnel_prio:+ prio $tunnel_prio}
	gw_vars "$2"; alg=$(setkey_alg "$3") pr=$(proto_of "$3")
	[ "$1" = ipsecif ] && u="-u $IFID"
	cat <<-EOF
	add 20.0.0.1 20.0.0.2 $pr 0x1001 -m tunnel $u -r 32 $alg;
	add 20.0.0.2 20.0.0.1 $pr 0x1002 -m tunnel $u -r 32 $alg;
	EOF
	[ "$1" = ipsecif ] && return
	cat <<-EOF
	spdadd $lan $rlan any -P out$prio ipsec $pr/tunnel/$me-$peer/require;
	spdadd $rlan $lan any -P in$prio ipsec $pr/tunnel/$peer-$me/require;
	spdadd $rlan $lan any -P fwd$prio ipsec $pr/tunnel/$peer-$me/require;
	EOF
}

# xfrm_batch STACK GW ALG; xfrmif: SAs and 0.0.0.0/0 policies with
# xfrm0's if_id, which only packets routed into xfrm0 (or arriving on
# its SAs) look up.
xfrm_batch() {
	local me peer lan rlan alg d pr id= prio=${tunnel_prio:+priority $tunnel_prio }
	gw_vars "$2"; alg=$(xfrm_alg "$3") pr=$(proto_of "$3")
	if [ "$1" = xfrmif ]; then lan=0.0.0.0/0 rlan=0.0.0.0/0 id="if_id $IFID"; fi
	echo "xfrm state add src 20.0.0.1 dst 20.0.0.2 proto $pr spi 0x1001 mode tunnel replay-window 32 $id $alg"
	echo "xfrm state add src 20.0.0.2 dst 20.0.0.1 proto $pr spi 0x1002 mode tunnel replay-window 32 $id $alg"
	echo "xfrm policy add src $lan dst $rlan dir out ${prio}tmpl src $me dst $peer proto $pr mode tunnel level required $id"
	for d in in fwd; do
		echo "xfrm policy add src $rlan dst $lan dir $d ${prio}tmpl src $peer dst $me proto $pr mode tunnel level required $id"
	done
}

# applies STACK ALG: false for the rows a stack has no column in (the
# interfaces carry no AH).
applies() { ! routed "$1" || [ "$(proto_of "$2")" = esp ]; }

# configure STACK ALG: SAs and policies on both of the stack's gateways.
# Returns 1 with the reason in $why if the kernel refuses.
configure() {
	local gw ns p
	p=$(pfx "$1")
	for gw in gw1 gw2; do
		ns=$p-$gw
		if [ "$(via "$1" "$2")" = setkey ]; then
			setkey_conf "$1" $gw "$2" >"$KT_TMP/$ns.conf"
			why=$(ip netns exec "$ns" "$setkey" -f "$KT_TMP/$ns.conf" 2>&1) || return 1
		else
			why=$(xfrm_batch "$1" $gw "$2" | ip -n "$ns" -batch - 2>&1) || return 1
		fi
	done
}

unconfigure() {
	local gw ns p
	p=$(pfx "$1")
	for gw in gw1 gw2; do
		ns=$p-$gw
		if [ "$(via "$1" "$2")" = setkey ]; then
			ip netns exec "$ns" "$setkey" -F && ip netns exec "$ns" "$setkey" -FP ||
				kt_fail "setkey flush on $ns failed"
		fi
		ip -n "$ns" xfrm state flush; ip -n "$ns" xfrm policy flush
	done
}

# check_wire STACK...: ping left -> right in each stack's topology,
# watching what gw1 sends on its WAN link: only ESP with our SPI may leave.
# (-Q out: decapsulated packets are re-injected on the receiving device, so
# a capture of both directions would show them as if they had been on the
# wire.) The first AES-GCM SA takes seconds before packets pass, hence the
# retries. Records a failure for each stack that does not pass.
check_wire() {
	local s p f esp clear i ok pids=()
	for s in "$@"; do
		p=$(pfx "$s")
		kt_capture_start "$p-gw1" wan0 "$KT_TMP/$p-wire.pcap" -Q out
		pids+=("$KT_CAPTURE_PID")
	done
	for s in "$@"; do
		p=$(pfx "$s") ok=0
		for i in 1 2 3 4 5; do kt_ping "$p-left" 10.0.2.2 >/dev/null 2>&1 && { ok=1; break; }; done
		[ $ok = 1 ] && KT_PING_COUNT=3 kt_ping "$p-left" 10.0.2.2 >/dev/null 2>&1
		eval "ping_ok_$p=$ok"
	done
	sleep 1		# the last packets reach the files
	for i in "${pids[@]}"; do kill -INT "$i" 2>/dev/null; wait "$i" 2>/dev/null; done
	for s in "$@"; do
		p=$(pfx "$s") f=$KT_TMP/$(pfx "$s")-wire.pcap why=
		read -r esp clear < <(tcpdump -n -r "$f" 2>/dev/null | awk '
			/ (ESP|AH)\(spi=0x00001001,/ { e++ }
			/ IP6? / && !/ (ESP|AH)\(/ { c++ }
			END { print e + 0, c + 0 }')
		eval "ok=\$ping_ok_$p"
		if [ "$ok" = 0 ]; then why="ping left -> right fails"
		elif [ "$clear" != 0 ]; then why="$clear cleartext IP packets left gw1"
		elif [ "$esp" = 0 ]; then why="no ESP or AH packet with SPI 0x1001 left gw1"
		fi
		if [ -n "$why" ]; then
			echo "# FAIL stack=$s alg=$a: $why" | tee -a "$raw"
			failed="$failed $s/$a"
		fi
	done
}

# mark NAME: tell tests/bench/vcpu_clock.py on the host to note how much
# host CPU time each vCPU has had so far: the table divides each rate by
# vCPU 1's share of a host CPU, which other guests on this machine reduce.
mark() { : >"$KT_OUT/marks/$1"; }

# udp ALG SIZE: every stack still standing, ESP_RUNS turns each, taking
# turns inside one udp_window process (labels STACK-ALG-udpSIZE).
udp() {
	local s specs=() line label rc
	for s in $stacks; do
		ok "$s" "$1" && specs+=("$s-$1-udp$2:$(pfx "$s")-left:$(pfx "$s")-right")
	done
	[ ${#specs[@]} -gt 0 ] || return 0
	timeout $((runs * ${#specs[@]} * (secs + 2) + 60)) "$udp_window" -a 10.0.2.2 -l "$2" \
		-t "$secs" -r "$runs" -W 300 -w "$window" -c 0 -m "$KT_OUT/marks" "${specs[@]}" \
		2>"$KT_TMP/udp.err" |
	while read -r line; do
		label=${line#label=}; label=${label%% *}; s=${label%%-*}
		run=${line#* run=}; run=${run%% *}
		echo "stack=$s via=$(via "$s" "$1") alg=$1 proto=udp id=$label-r$run $line" \
			"t=$((SECONDS - start))" | tee -a "$raw"
	done
	rc=${PIPESTATUS[0]}
	[ "$rc" = 0 ] && return 0
	echo "# FAIL alg=$1 size=$2: udp_window exited $rc:" \
		"$(head -c 300 "$KT_TMP/udp.err" | tr '\n' ' ')" | tee -a "$raw"
	for s in $stacks; do failed="$failed $s/$1"; done
}

# tcp STACK ALG RUN: one iperf3 run against the stack's iperf3 server;
# the client's JSON (with the receiver's byte count) in $jdir/ID.cli.json.
tcp() {
	local p id crc
	p=$(pfx "$1"); id=$1-$2-tcp-r$3
	mark "$id.begin"
	# -w: at most ~180 segments in flight, well below the backlog queue,
	# for the same reason as udp_window's window.
	timeout 60 ip netns exec "$p-left" iperf3 -c 10.0.2.2 -A 0 -J -t "$tcp_secs" -w 256K \
		>"$jdir/$id.cli.json" 2>&1
	crc=$?
	mark "$id.end"
	if [ $crc != 0 ]; then
		echo "# FAIL stack=$1 alg=$2 tcp run=$3: iperf3 exited $crc:" \
			"$(grep -h '"error"' "$jdir/$id.cli.json" | head -2)" | tee -a "$raw"
		failed="$failed $1/$2"
		return
	fi
	echo "stack=$1 via=$(via "$1" "$2") alg=$2 proto=tcp size=tcp run=$3 id=$id json=esp/$id" \
		"t=$((SECONDS - start))" | tee -a "$raw"
}
listening() { ip netns exec "$1" ss -Hltn 'sport = :5201' | grep -q .; }

ok() { case " $failed $skipped " in *" $1/$2 "*) return 1 ;; esac; }
