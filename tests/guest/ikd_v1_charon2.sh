# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 420
# ikd on kipsec.ko (h1, `require` policies from setkey, no SA) against
# Debian's strongSwan (charon with swanctl, native XFRM, h2) in IKEv1
# Aggressive Mode with a pre-shared key, FQDN identities on both sides as
# a racoon user writes them (my_identifier fqdn / peers_identifier fqdn;
# psk.txt keyed by the peer's FQDN). One charon connection with two
# children, loaded once:
#  - tun: tunnel mode between the inner addresses 10.99.1.1 and 10.99.2.1
#    (setkey esp/tunnel/.../unique policies on h1: `unique` without a
#    number gives the in and out policies different reqids, and the
#    inbound SA must carry the inbound policy's, or h1 drops every
#    packet from h2);
#  - comp: transport mode between the hosts with IPcomp (charon's
#    `ipcomp = yes`; ikd's `compression_algorithm deflate` and policies
#    bundling ipcomp/transport//use with esp/transport//require).
# Each side initiates both (ikd on its ACQUIREs, charon by swanctl).
# Per round: each host has the ESP tunnel pair, the ESP transport pair
# and the IPcomp pair with the same SPIs and CPIs; pings flow both ways
# between the inner addresses; large compressible pings (-s 1200 -p 00)
# flow between the hosts and h1's IPcomp SAs count what they compressed
# and decompressed; charon's terminate leaves no SA on either host.
# Then Aggressive Mode with RSA signatures: self-signed certificates
# pinned on each side (tests/guest/v1_certs.bash, as in ikd_v1_charon.sh),
# asn1dn identities, the tunnel child; charon without the Aggressive Mode
# PSK override (removed and its settings reloaded), ikd as a second
# instance. Each side initiates; each time both hosts have the ESP tunnel
# pair with the same SPIs, inner pings flow both ways, ikd logs the
# ISAKMP-SA (Aggressive Mode, .../rsasig/...) and charon's SIG verified,
# and charon's terminate leaves no SA.
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/vm/ike.sh"
. "$KT_TOP/tests/guest/ikd.bash"
. "$KT_TOP/tests/guest/v1_certs.bash"
IKD_DIR=$KT_IKE_LOGS/ikd
mkdir -p "$IKD_DIR"

setkey=$KT_BUILD/bin/setkey
PSK="kipsec ikd-v1-charon2 $RANDOM$RANDOM"
kt_load_kipsec
modprobe aesni_intel 2>/dev/null
modprobe -a cbc hmac sha1 des3_ede deflate xfrm_ipcomp ipcomp 2>/dev/null
ikd_topo_inner
# The guest's first SA with AES-CBC and HMAC-SHA1 waits ~10 s for the
# kernel's crypto under TCG (as long as ikd waits for a PF_KEY reply):
# take that wait here, not in ikd's first UPDATE.
ip netns exec h1 "$setkey" -c <<EOF || kt_fail "setkey could not add the warm-up SA"
add 10.1.1.1 20.1.1.1 esp 0x100 -m transport -E aes-cbc 0x00112233445566778899aabbccddeeff -A hmac-sha1 0x0011223344556677889900112233445566778899;
delete 10.1.1.1 20.1.1.1 esp 0x100;
EOF

ikd_psk h1 <<EOF
h2.kipsec.test $PSK
EOF
ikd_conf h1 <<EOF
path pre_shared_key "$IKD_DIR/h1.psk";
timer { counter 5; interval 2 sec; }
remote 20.1.1.1 {
	exchange_mode aggressive;
	my_identifier fqdn "h1.kipsec.test";
	peers_identifier fqdn "h2.kipsec.test";
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
	compression_algorithm deflate;
}
EOF
ip netns exec h1 "$IKD" -n -f "$IKD_DIR/h1.conf" || kt_fail "ikd -n refuses h1's configuration"
ip netns exec h1 "$setkey" -c <<EOF || kt_fail "setkey on h1 failed"
spdadd 10.99.1.1 10.99.2.1 any -P out ipsec esp/tunnel/10.1.1.1-20.1.1.1/unique;
spdadd 10.99.2.1 10.99.1.1 any -P in ipsec esp/tunnel/20.1.1.1-10.1.1.1/unique;
spdadd 10.1.1.1 20.1.1.1 any -P out ipsec ipcomp/transport//use esp/transport//require;
spdadd 20.1.1.1 10.1.1.1 any -P in ipsec ipcomp/transport//use esp/transport//require;
EOF
ikd_start h1 h1 -dd
# charon answers Aggressive Mode with a PSK only when told to.
kt_charon_start c h2 "i_dont_care_about_security_and_use_aggressive_mode_psk = yes"
kt_charon_load c <<EOF
connections {
  aggr {
    version = 1
    aggressive = yes
    local_addrs = 20.1.1.1
    remote_addrs = 10.1.1.1
    proposals = 3des-sha1-modp1024
    local {
      auth = psk
      id = @h2.kipsec.test
    }
    remote {
      auth = psk
      id = @h1.kipsec.test
    }
    children {
      tun {
        mode = tunnel
        local_ts = 10.99.2.1/32
        remote_ts = 10.99.1.1/32
        esp_proposals = aes128-sha1-modp1024
      }
      comp {
        mode = transport
        ipcomp = yes
        esp_proposals = aes128-sha1-modp1024
      }
    }
  }
}
secrets {
  ike-ikd {
    id = h1.kipsec.test
    secret = "$PSK"
  }
}
EOF

no_sa() {
	[ "$(ip netns exec h1 "$setkey" -D)" = "No SAD entries." ] &&
		[ -z "$(ip -n h2 xfrm state)" ]
}
# h1_spis PROTO MODE: h1's SPIs (CPIs) of PROTO (esp, ipcomp) in MODE,
# sorted, as 0x%08x; h2_spis the same from XFRM (esp, comp).
h1_spis() {
	ip netns exec h1 "$setkey" -D |
		sed -n "s/^	$1 mode=$2 spi=[0-9]*(\(0x[0-9a-f]*\)).*/\1/p" | sort
}
h2_spis() {
	ip -n h2 xfrm state | awk -v p="$1" -v m="$2" '
		$1 == "proto" && $2 == p && $3 == "spi" {
			for (i = 4; i < NF; i++) if ($i == "mode" && $(i + 1) == m) print $4 }' | sort
}
h1_n() { [ "$(h1_spis "$1" "$2" | wc -l)" = "$3" ]; }
# comp_sum KEY: KEY (comp, decomp) summed over h1's IPcomp SAs.
comp_sum() {
	ip netns exec h1 awk -v k="$1=" '/proto=ipcomp/ { for (i = 1; i <= NF; i++)
		if (index($i, k) == 1) n += substr($i, length(k) + 1) } END { print n + 0 }' /proc/net/kipsec_sa
}

# check_tun R: the tunnel pair is up on both hosts and carries pings
# between the inner addresses both ways.
check_tun() {
	kt_ike_until 30 h1_n esp tunnel 2 ||
		kt_fail "$1 tun: h1 has not two ESP tunnel SAs: $(ip netns exec h1 "$setkey" -D)"
	kt_expect_eq "$1 tun: ESP tunnel SPIs of h1 and h2" "$(h1_spis esp tunnel)" "$(h2_spis esp tunnel)"
	ip netns exec h1 ping -n -q -c 2 -i 0.3 -W 3 -I 10.99.1.1 10.99.2.1 >/dev/null ||
		kt_fail "$1 tun: ping from h1's inner address failed"
	ip netns exec h2 ping -n -q -c 2 -i 0.3 -W 3 -I 10.99.2.1 10.99.1.1 >/dev/null ||
		kt_fail "$1 tun: ping from h2's inner address failed"
	kt_log "$1 tun: ESP tunnel SAs $(h1_spis esp tunnel | tr '\n' ' ')on both hosts, inner pings both ways"
}

# check_comp R: the ESP transport pair and the IPcomp pair are up on both
# hosts; large compressible pings both ways go through h1's IPcomp SAs.
check_comp() {
	local c0 d0 c1 d1
	kt_ike_until 30 h1_n ipcomp transport 2 ||
		kt_fail "$1 comp: h1 has not two IPcomp SAs: $(ip netns exec h1 "$setkey" -D)"
	kt_ike_until 10 h1_n esp transport 2 ||
		kt_fail "$1 comp: h1 has not two ESP transport SAs: $(ip netns exec h1 "$setkey" -D)"
	kt_expect_eq "$1 comp: ESP transport SPIs of h1 and h2" "$(h1_spis esp transport)" "$(h2_spis esp transport)"
	kt_expect_eq "$1 comp: IPcomp CPIs of h1 and h2" "$(h1_spis ipcomp transport)" "$(h2_spis comp transport)"
	[ "$(ip netns exec h1 "$setkey" -D | grep -c 'C: deflate')" = 2 ] ||
		kt_fail "$1 comp: h1's IPcomp SAs are not deflate: $(ip netns exec h1 "$setkey" -D)"
	c0=$(comp_sum comp) d0=$(comp_sum decomp)
	ip netns exec h1 ping -n -q -c 3 -i 0.3 -W 3 -s 1200 -p 00 20.1.1.1 >/dev/null ||
		kt_fail "$1 comp: large ping from h1 failed"
	ip netns exec h2 ping -n -q -c 3 -i 0.3 -W 3 -s 1200 -p 00 10.1.1.1 >/dev/null ||
		kt_fail "$1 comp: large ping from h2 failed"
	c1=$(comp_sum comp) d1=$(comp_sum decomp)
	[ "$c1" -ge $((c0 + 6)) ] || kt_fail "$1 comp: h1 compressed $((c1 - c0)) packets, want >= 6"
	[ "$d1" -ge $((d0 + 6)) ] || kt_fail "$1 comp: h1 decompressed $((d1 - d0)) packets, want >= 6"
	kt_log "$1 comp: CPIs $(h1_spis ipcomp transport | tr '\n' ' ')on both hosts; large pings: h1 compressed $((c1 - c0)), decompressed $((d1 - d0))"
}

# terminate R [IKE]: charon deletes IKE (aggr) and its children.
terminate() {
	kt_charon_terminate c "${2:-aggr}" || kt_fail "$1: charon could not terminate"
	kt_ike_until 20 no_sa ||
		kt_fail "$1: SAs left after charon's DELETEs: h1 $(ip netns exec h1 "$setkey" -D | head -6) h2 $(ip -n h2 xfrm state | head -4)"
	kt_log "$1: charon's DELETEs emptied both SADs"
}

# ikd initiates: the inner ping's ACQUIRE brings up Aggressive Mode and
# the tunnel; the outer ping's ACQUIRE the IPcomp bundle on the same
# ISAKMP SA.
ip netns exec h1 ping -n -c 1 -W 1 -I 10.99.1.1 10.99.2.1 >/dev/null 2>&1
kt_charon_wait c aggr 60 || kt_fail "ikd-initiated: no IKE SA with a child on charon"
ikd_wait_log h1 "ISAKMP-SA established .*Aggressive Mode" 1 ||
	kt_fail "h1's log does not say ISAKMP-SA established in Aggressive Mode"
check_tun ikd-initiated
ip netns exec h1 ping -n -c 1 -W 1 20.1.1.1 >/dev/null 2>&1
check_comp ikd-initiated
ikd_wait_log h1 "IPsec-SA established: IPCOMP/Transport" 1 ||
	kt_fail "h1's log does not say IPsec-SA established for IPCOMP"
terminate ikd-initiated

# charon initiates both children.
kt_charon_initiate c tun aggr || kt_fail "charon could not initiate tun"
check_tun charon-initiated
kt_charon_initiate c comp aggr || kt_fail "charon could not initiate comp"
check_comp charon-initiated
terminate charon-initiated

grep -qF "$PSK" "$(ikd_log h1)" && kt_fail "h1's log holds the PSK"
ikd_stop h1

# rsasig: self-signed certificates pinned on each side, asn1dn identities,
# the tunnel child only. A second ikd instance (h1c, its own log) on the
# same policies; charon drops the PSK connection and the Aggressive Mode
# PSK override, so it takes Aggressive Mode with signatures as it is
# shipped.
C=$IKD_DIR/certs
v1_certs "$C"
ikd_conf h1c <<EOF
path certificate "$C";
timer { counter 5; interval 2 sec; }
remote 20.1.1.1 {
	exchange_mode aggressive;
	my_identifier asn1dn;
	peers_identifier asn1dn;
	certificate_type x509 "h1.pem" "h1.key";
	peers_certfile "h2.pem";
	proposal {
		encryption_algorithm 3des;
		hash_algorithm sha1;
		authentication_method rsasig;
		dh_group 2;
	}
}
sainfo anonymous {
	pfs_group 2;
	encryption_algorithm aes 128;
	authentication_algorithm hmac_sha1;
}
EOF
ip netns exec h1 "$IKD" -n -f "$IKD_DIR/h1c.conf" || kt_fail "ikd -n refuses h1's rsasig configuration"
ikd_start h1c h1 -dd
sed -i '/i_dont_care_about_security_and_use_aggressive_mode_psk/d' "$KT_IKE_DIR/c/strongswan.conf"
grep -q i_dont_care "$KT_IKE_DIR/c/strongswan.conf" && kt_fail "charon's PSK override is still set"
v1_charon_certs c "$C"
kt_charon_swanctl c --reload-settings >>"$KT_IKE_LOGS/c.out" 2>&1 ||
	kt_fail "charon could not reload its settings"
kt_charon_load c <<EOF
connections {
  aggrcert {
    version = 1
    aggressive = yes
    local_addrs = 20.1.1.1
    remote_addrs = 10.1.1.1
    proposals = 3des-sha1-modp1024
    local {
      auth = pubkey
      certs = h2.pem
      id = "O=kipsec test, CN=h2"
    }
    remote {
      auth = pubkey
      certs = h1.pem
      id = "O=kipsec test, CN=h1"
    }
    children {
      ctun {
        mode = tunnel
        local_ts = 10.99.2.1/32
        remote_ts = 10.99.1.1/32
        esp_proposals = aes128-sha1-modp1024
      }
    }
  }
}
EOF
# n_log REGEX: how many lines of h1c's log match.
n_log() { grep -cE "$1" "$(ikd_log h1c)"; }
est="ISAKMP-SA established .*\(Aggressive Mode, .*rsasig"
sig="certificate /O=kipsec test/CN=h2, SIG verified"

# ikd initiates on the inner ping's ACQUIRE.
ip netns exec h1 ping -n -c 1 -W 1 -I 10.99.1.1 10.99.2.1 >/dev/null 2>&1
kt_charon_wait c aggrcert 60 || kt_fail "rsasig ikd-initiated: no IKE SA with a child on charon"
check_tun rsasig-ikd-initiated
ikd_wait_log h1c "$est" 1 ||
	kt_fail "rsasig: h1's log does not say ISAKMP-SA established in Aggressive Mode with rsasig"
[ "$(n_log "$sig")" = 1 ] || kt_fail "rsasig: ikd did not verify charon's SIG as initiator"
terminate rsasig-ikd-initiated aggrcert

# charon initiates: ikd answers Aggressive Mode with its certificate.
kt_charon_initiate c ctun aggrcert || kt_fail "rsasig: charon could not initiate"
check_tun rsasig-charon-initiated
[ "$(n_log "respond new phase 1 negotiation: .*\(Aggressive Mode\)")" = 1 ] ||
	kt_fail "rsasig-charon-initiated: h1's log does not say it responded to Aggressive Mode"
[ "$(n_log "$est")" = 2 ] ||
	kt_fail "rsasig-charon-initiated: h1's log does not say a second ISAKMP-SA was established in Aggressive Mode with rsasig"
[ "$(n_log "$sig")" = 2 ] || kt_fail "rsasig-charon-initiated: ikd did not verify charon's SIG as responder"
terminate rsasig-charon-initiated aggrcert
ikd_stop h1c
kt_charon_stop c
