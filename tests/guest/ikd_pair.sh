# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 600
# ikd against ikd, both hosts on kipsec.ko with `require` policies for all
# their traffic and no SA: the user's day with a key daemon.
#  - h1's first ping raises an ACQUIRE, ikd negotiates IKEv2 with a PSK
#    (AES-GCM-16 children, Curve25519), both sides install SAs, the ping
#    flows; on the wire IKE (UDP 500) and then only ESP;
#  - `setkey -D` on both hosts shows the two SAs with the same SPIs;
#  - the log says what racoon's would: IKE SA and child SA established;
#    no key and no PSK is in the log at any level (-dd);
#  - IPv6 and tunnel mode, started from h2 this time;
#  - a road warrior: h2 has no policy for h1's inner address and
#    `generate_policy on`: it installs the policies itself; h1's child SA
#    lives 20 s, and h1 rekeys it at its soft lifetime (16 s less up to
#    10%): new SPIs on both hosts, the generated policies pass to the new
#    child, the tunnel still carries pings, and no SA reaches its hard
#    lifetime;
#  - SIGTERM: each ikd sends DELETE and takes its SAs out of the kernel:
#    none is left on either host.
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/guest/ikd.bash"

setkey=$KT_BUILD/bin/setkey
kt_load_kipsec
modprobe aesni_intel 2>/dev/null
kt_topo_h2h wire
kt_h2h_neigh6
# The road warrior's inner addresses, tunnelled between 10.1.1.1 and 20.1.1.1.
kt_addr h1 lo 10.99.1.1/32; kt_addr h2 lo 10.99.2.1/32
ip -n h1 route add 10.99.2.1/32 dev eth0 src 10.99.1.1
ip -n h2 route add 10.99.1.1/32 dev eth0 src 10.99.2.1
psk=kipsec-ikd-pair-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')

for h in h1 h2; do
	if [ $h = h1 ]; then me=10.1.1.1 peer=20.1.1.1 me6=fd00:1::1 peer6=fd00:2::1
	else me=20.1.1.1 peer=10.1.1.1 me6=fd00:2::1 peer6=fd00:1::1; fi
	genpol=off; [ $h = h2 ] && genpol=on
	ikd_psk $h <<-EOF
	$peer $psk
	$peer6 $psk
	EOF
	ikd_conf $h <<-EOF
	path pre_shared_key "$IKD_DIR/$h.psk";
	timer { counter 5; interval 2 sec; }
	remote $peer {
		ike_version 2;
		lifetime time 1 hour;
		generate_policy $genpol;
		proposal {
			encryption_algorithm aes 256;
			hash_algorithm sha256;
			authentication_method pre_shared_key;
			dh_group 31;
		}
	}
	remote $peer6 {
		ike_version 2;
		proposal {
			encryption_algorithm aes_gcm_16 256;
			hash_algorithm sha384;
			authentication_method pre_shared_key;
			dh_group 19;
		}
	}
	sainfo anonymous {
		lifetime time 1 hour;
		encryption_algorithm aes_gcm_16 128, aes 128;
		authentication_algorithm hmac_sha256;
	}
	sainfo address 10.99.1.1/32 any address 10.99.2.1/32 any {
		lifetime time 20 sec;
		encryption_algorithm aes_gcm_16 128;
		authentication_algorithm hmac_sha256;
	}
	EOF
	ip netns exec $h "$setkey" -c <<-EOF || kt_fail "setkey on $h failed"
	spdadd $me $peer any -P out ipsec esp/transport//require;
	spdadd $peer $me any -P in ipsec esp/transport//require;
	spdadd $me6 $peer6 any -P out ipsec esp/tunnel/$me6-$peer6/require;
	spdadd $peer6 $me6 any -P in ipsec esp/tunnel/$peer6-$me6/require;
	EOF
	[ $h = h1 ] && { ip netns exec h1 "$setkey" -c <<-EOF || kt_fail "setkey on h1 failed"; }
	spdadd 10.99.1.1 10.99.2.1 any -P out ipsec esp/tunnel/10.1.1.1-20.1.1.1/require;
	spdadd 10.99.2.1 10.99.1.1 any -P in ipsec esp/tunnel/20.1.1.1-10.1.1.1/require;
	EOF
	ip netns exec $h "$IKD" -n -f "$IKD_DIR/$h.conf" ||
		kt_fail "ikd -n refuses $h's configuration"
done
ikd_start h1 h1 -dd
ikd_start h2 h2 -dd

# nsas NS: the number of mature ESP SAs in NS's SAD.
nsas() { ip netns exec "$1" "$setkey" -D | grep -c 'state=mature'; }
# nesp NS: its ESP SAs in any state (a 20 s SA is soon dying).
nesp() { ip netns exec "$1" "$setkey" -D | grep -c '^	esp mode='; }
# spis NS: its ESP SPIs, sorted.
spis() { ip netns exec "$1" "$setkey" -D | awk '/^\tesp mode=/ { print $3 }' | sort; }

# nchild NAME: child SAs NAME's log says were established.
nchild() { grep -c 'CHILD_SA established' "$(ikd_log $1)"; }
nchild_ge() { [ "$(nchild $1)" -ge "$2" ]; }

run_case() {
	local name=$1 from=$2 dst=$3 cap=$KT_TMP/$1.pcap out n0
	n0=$(nchild $from)
	kt_capture_start wire h1-eth0 "$cap"
	# The first packet meets no SA: the kernel asks ikd, which negotiates.
	ip netns exec $from ping -n -c 1 -W 1 $dst >/dev/null 2>&1
	kt_wait_for 90 nchild_ge $from $((n0 + 2)) ||
		kt_fail "$name: no child SA within 90 s"
	out=$(ip netns exec $from ping -n -c 4 -i 0.3 -W 3 $dst 2>&1) ||
		kt_fail "$name: ping lost packets once the SAs were up: $out"
	kt_capture_stop
	kt_log "$name: $(grep transmitted <<<"$out")"
	tcpdump -n -r "$cap" 2>/dev/null | head -3 | sed 's/^/#   /'
	python3 - "$cap" "$name" <<-'EOF' || kt_fail "$name: the wire is not IKE then ESP"
	import subprocess, sys
	lines = subprocess.run(["tcpdump", "-n", "-r", sys.argv[1], "ip or ip6"],
	                       capture_output=True, text=True).stdout.splitlines()
	kinds = ["ike" if (".500 " in l or ".500:" in l) else
	         "esp" if "ESP(spi=" in l else
	         "ndp" if "ICMP6, neighbor" in l else "clear" for l in lines]
	kinds = [k for k in kinds if k != "ndp"]
	assert "ike" in kinds and "esp" in kinds, kinds
	assert "clear" not in kinds, [l for l, k in zip(lines, kinds) if k == "clear"]
	first_esp = kinds.index("esp")
	assert all(k == "ike" for k in kinds[:first_esp]), kinds
	print(f"# {sys.argv[2]}: {kinds.count('ike')} IKE datagrams, then "
	      f"{kinds.count('esp')} ESP packets, nothing in clear")
	EOF
}

run_case ipv4-transport h1 20.1.1.1
kt_expect_eq "h1's and h2's ESP SPIs" "$(spis h1)" "$(spis h2)"
[ "$(nsas h1)" = 2 ] || kt_fail "h1 has $(nsas h1) ESP SAs, want 2"
ikd_wait_log h1 "IKE_SA .*established" 1 || kt_fail "h1's log does not say the IKE SA is established"
ikd_wait_log h1 "CHILD_SA .*established" 1 || kt_fail "h1's log does not say the child SA is established"

run_case ipv6-tunnel h2 fd00:1::1
[ "$(nsas h1)" = 4 ] || kt_fail "h1 has $(nsas h1) ESP SAs, want 4"
kt_expect_eq "h1's and h2's ESP SPIs" "$(spis h1)" "$(spis h2)"
ip netns exec h1 "$setkey" -D | grep -E '^\S|mode=' | sed 's/^/#   /'

# The road warrior: h2's SPD has nothing for 10.99.0.0/16 until ikd adds it.
ip netns exec h2 "$setkey" -DP | grep -q '10\.99\.' && kt_fail "h2 has a 10.99 policy already"
run_case road-warrior h1 10.99.2.1
[ "$(ip netns exec h2 "$setkey" -DP | grep -c '^10\.99\.')" -ge 2 ] ||
	kt_fail "h2 generated no policies: $(ip netns exec h2 "$setkey" -DP)"
kt_log "h2's generated policies:"
ip netns exec h2 "$setkey" -DP | grep -A1 '^10\.99\.' | sed 's/^/#   /'
# h1's 20 s child: rekeyed at its soft lifetime (tests/guest/ikd_rekey.sh
# tests rekeying itself; here, with generated policies).
rw_before=$(spis h2)
ikd_wait_log h1 "CHILD_SA rekeyed" 60 || kt_fail "h1 did not rekey the 20 s child"
# Both hosts back to six ESP SAs, three pairs (the old inbound ones stay
# 2 s), the same.
six_same() { [ "$(nesp h1)" = 6 ] && [ "$(nesp h2)" = 6 ] && [ "$(spis h1)" = "$(spis h2)" ]; }
kt_wait_for 15 six_same || kt_fail "after the rekey: h1 $(spis h1 | tr '\n' ' '), h2 $(spis h2 | tr '\n' ' ')"
[ "$(spis h2)" != "$rw_before" ] || kt_fail "the rekey changed no SPI"
[ "$(ip netns exec h2 "$setkey" -DP | grep -c '^10\.99\.')" -ge 2 ] ||
	kt_fail "h2's generated policies went with the old child: $(ip netns exec h2 "$setkey" -DP)"
out=$(ip netns exec h1 ping -n -c 3 -i 0.3 -W 3 10.99.2.1 2>&1) ||
	kt_fail "road warrior after the rekey: ping lost packets: $out"
grep -q "hard lifetime" "$(ikd_log h1)" "$(ikd_log h2)" && kt_fail "an SA reached its hard lifetime"
kt_log "road warrior: the 20 s child rekeyed, generated policies kept, ping flows"

# Secrets: the PSK and the keys ikd logged for Wireshark (-K) never
# appear in its log, even at -dd.
for h in h1 h2; do
	grep -qF "$psk" "$(ikd_log $h)" && kt_fail "$h's log holds the PSK"
	[ -s "$IKD_DIR/$h.keys" ] || kt_fail "$h wrote no key log"
	[ "$(stat -c %a "$IKD_DIR/$h.keys")" = 600 ] || kt_fail "$h's key log is not 0600"
	awk -F, '{ for (i = 3; i <= NF; i++) if (length($i) > 20) print $i }' \
		"$IKD_DIR/$h.keys" | tr -d '"' | sort -u >"$KT_TMP/$h.secrets"
	[ -s "$KT_TMP/$h.secrets" ] || kt_fail "no keys in $h's key log"
	grep -qiF -f "$KT_TMP/$h.secrets" "$(ikd_log $h)" && kt_fail "$h's log holds an IKE key"
done

ikd_stop h1
ikd_wait_log h2 "DELETE|delete" 10 || kt_fail "h2 heard no DELETE from h1"
ikd_stop h2
for h in h1 h2; do
	left=$(ip netns exec $h "$setkey" -D)
	[ "$left" = "No SAD entries." ] || kt_fail "SAs left on $h after ikd stopped: $left"
done
kt_log "both ikd stopped; no SA left"
