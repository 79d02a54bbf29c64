# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 420
# ikd against ikd in IKEv1 with pre-shared keys, both hosts on kipsec.ko
# with transport-mode `require` policies and no SA, as racoon users run it:
#  - Main Mode (3DES, SHA-1, MODP-1024), then Quick Mode (AES-128,
#    HMAC-SHA1, PFS with MODP-1024), raised by h1's first ping: the ping
#    flows, each SAD has two mature ESP SAs with the same SPIs, both logs
#    say "ISAKMP-SA established" and "IPsec-SA established"; on the wire
#    ISAKMP (UDP 500: exchange type 2, then 32) and then only ESP;
#  - ikd stopped on h1 sends DELETEs: h2 removes its SAs, h1 took its own
#    out; none is left on either host;
#  - the same with Aggressive Mode (exchange type 4, then 32).
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/guest/ikd.bash"

setkey=$KT_BUILD/bin/setkey
kt_load_kipsec
# The first SA would otherwise wait seconds for the kernel to load its
# ciphers (Quick Mode's responder retransmits meanwhile).
modprobe aesni_intel 2>/dev/null
modprobe -a cbc hmac sha1 des3_ede 2>/dev/null
kt_topo_h2h wire
# The daemons' logs survive the guest (build/vm/last-*/ike/ikd_v1_pair/).
logs_out=${KT_OUT:+$KT_OUT/ike/ikd_v1_pair}
[ -n "$logs_out" ] && mkdir -p "$logs_out"
keep_logs() {
	[ -n "$logs_out" ] || return 0
	cp "$(ikd_log h1)" "$logs_out/h1-$1.log"
	cp "$(ikd_log h2)" "$logs_out/h2-$1.log"
}
# On failure too (kt_fail shows only the tails), before lib.sh's cleanup.
trap 'keep_logs "${mode:-start}"; kt_cleanup' EXIT
psk=kipsec-ikd-v1-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')

# conf_all MODE: both hosts' racoon.conf for exchange_mode MODE.
conf_all() {
	local h peer
	for h in h1 h2; do
		if [ $h = h1 ]; then peer=20.1.1.1; else peer=10.1.1.1; fi
		ikd_psk $h <<-EOF
		$peer $psk
		EOF
		ikd_conf $h <<-EOF
		path pre_shared_key "$IKD_DIR/$h.psk";
		timer { counter 5; interval 2 sec; }
		remote $peer {
			exchange_mode $1;
			proposal {
				encryption_algorithm 3des;
				hash_algorithm sha1;
				authentication_method pre_shared_key;
				dh_group 2;
			}
		}
		sainfo anonymous {
			pfs_group 2;
			encryption_algorithm aes 128;
			authentication_algorithm hmac_sha1;
		}
		EOF
		ip netns exec $h "$IKD" -n -f "$IKD_DIR/$h.conf" ||
			kt_fail "ikd -n refuses $h's configuration ($1)"
	done
}

for h in h1 h2; do
	if [ $h = h1 ]; then me=10.1.1.1 peer=20.1.1.1; else me=20.1.1.1 peer=10.1.1.1; fi
	ip netns exec $h "$setkey" -c <<-EOF || kt_fail "setkey on $h failed"
	spdadd $me $peer any -P out ipsec esp/transport//require;
	spdadd $peer $me any -P in ipsec esp/transport//require;
	EOF
done

nsas() { ip netns exec "$1" "$setkey" -D | grep -c 'state=mature'; }
spis() { ip netns exec "$1" "$setkey" -D | awk '/^\tesp mode=/ { print $3 }' | sort; }
nipsec() { grep -c 'IPsec-SA established' "$(ikd_log $1)"; }
nipsec_ge() { [ "$(nipsec $1)" -ge "$2" ]; }
no_sa() { [ "$(ip netns exec "$1" "$setkey" -D)" = "No SAD entries." ]; }

# run_mode MODE EXCH: phase 1 in MODE (ISAKMP exchange type EXCH), then
# Quick Mode, then h1 stops and h2 hears its DELETEs.
run_mode() {
	mode=$1
	local exch=$2 cap=$KT_TMP/v1-$1.pcap out
	conf_all "$mode"
	: >"$(ikd_log h1)"; : >"$(ikd_log h2)"
	ikd_start h1 h1 -dd
	ikd_start h2 h2 -dd
	kt_capture_start wire h1-eth0 "$cap"
	ip netns exec h1 ping -n -c 1 -W 1 20.1.1.1 >/dev/null 2>&1
	kt_wait_for 90 nipsec_ge h1 2 || kt_fail "$mode: no IPsec-SA on h1 within 90 s"
	kt_wait_for 10 nipsec_ge h2 2 || kt_fail "$mode: no IPsec-SA on h2"
	out=$(ip netns exec h1 ping -n -c 4 -i 0.3 -W 3 20.1.1.1 2>&1) ||
		kt_fail "$mode: ping lost packets once the SAs were up: $out"
	kt_capture_stop
	kt_log "$mode: $(grep transmitted <<<"$out")"
	python3 - "$cap" "$mode" "$exch" <<-'EOF' || kt_fail "$mode: the wire is not ISAKMP then ESP"
	import struct, sys
	data = open(sys.argv[1], "rb").read()
	end = "<" if struct.unpack("<I", data[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D) else ">"
	assert struct.unpack(end + "I", data[20:24])[0] == 1, "not Ethernet"
	kinds, off = [], 24
	while off + 16 <= len(data):
	    n = struct.unpack(end + "I", data[off + 8:off + 12])[0]
	    fr, off = data[off + 16:off + 16 + n], off + 16 + n
	    if len(fr) < 34 or fr[12:14] != b"\x08\x00":
	        continue
	    ihl, proto = (fr[14] & 15) * 4, fr[23]
	    l4 = fr[14 + ihl:]
	    if proto == 50:
	        kinds.append("esp")
	    elif proto == 17 and struct.unpack("!HH", l4[:4]) == (500, 500) and len(l4) >= 8 + 28:
	        isakmp = l4[8:]
	        assert isakmp[17] == 0x10, f"ISAKMP version {isakmp[17]:#x}"
	        kinds.append(isakmp[18])
	    else:
	        kinds.append("clear")
	assert "clear" not in kinds, kinds
	assert "esp" in kinds, kinds
	first_esp = kinds.index("esp")
	ike = kinds[:first_esp]
	assert all(k != "esp" for k in kinds[:first_esp]) and all(k == "esp" for k in kinds[first_esp:]), kinds
	assert ike and ike[0] == int(sys.argv[3]), ike
	assert 32 in ike and ike.index(32) > max(i for i, k in enumerate(ike) if k == int(sys.argv[3])), ike
	assert set(ike) <= {int(sys.argv[3]), 5, 32}, ike
	print(f"# {sys.argv[2]}: ISAKMP exchanges {ike}, then {len(kinds) - first_esp} ESP packets, nothing in clear")
	EOF
	[ "$(nsas h1)" = 2 ] || kt_fail "$mode: h1 has $(nsas h1) mature ESP SAs, want 2"
	[ "$(nsas h2)" = 2 ] || kt_fail "$mode: h2 has $(nsas h2) mature ESP SAs, want 2"
	kt_expect_eq "$mode: h1's and h2's ESP SPIs" "$(spis h1)" "$(spis h2)"
	for h in h1 h2; do
		grep -q 'ISAKMP-SA established' "$(ikd_log $h)" ||
			kt_fail "$mode: $h's log does not say ISAKMP-SA established"
		grep -q 'IPsec-SA established: ESP/Transport' "$(ikd_log $h)" ||
			kt_fail "$mode: $h's log does not say IPsec-SA established"
		grep -qF "$psk" "$(ikd_log $h)" && kt_fail "$mode: $h's log holds the PSK"
	done
	grep 'established' "$(ikd_log h1)" | sed 's/^/#   /'
	ikd_stop h1
	no_sa h1 || kt_fail "$mode: SAs left on h1 after ikd stopped: $(ip netns exec h1 "$setkey" -D)"
	ikd_wait_log h2 "deleted IPsec-SA" 10 || kt_fail "$mode: h2 heard no DELETE from h1"
	kt_wait_for 10 no_sa h2 || kt_fail "$mode: h2 kept SAs after h1's DELETE: $(ip netns exec h2 "$setkey" -D)"
	ikd_wait_log h2 "deleted the ISAKMP-SA" 10 || kt_fail "$mode: h2 kept its ISAKMP-SA"
	ikd_stop h2
	keep_logs "$mode"
	kt_log "$mode: h1 stopped, its DELETEs emptied h2's SAD"
}

run_mode main 2
run_mode aggressive 4
