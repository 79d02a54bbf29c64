# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 420
# ikd on kipsec.ko (h1, transport-mode `require` policies from setkey, no
# SA) against Debian's strongSwan (charon with swanctl, native XFRM, h2)
# in IKEv1: Main Mode with a pre-shared key (3DES, SHA-1, MODP-1024),
# Quick Mode with AES-128, HMAC-SHA1 and PFS (MODP-1024).
#  - ikd initiates on the first ping's ACQUIRE: charon has the IKE SA with
#    its child, both hosts the two ESP SAs with the same SPIs, ping flows
#    both ways; charon's terminate (its DELETEs) leaves no SA on h1;
#  - charon initiates: the same, ikd as responder checking charon's IDs
#    against its SPD;
#  - ikd stops with the SAs up: its DELETEs take them down on charon;
#  - Main Mode with RSA signatures (rsasig), self-signed certificates
#    pinned on each side, asn1dn identities: ikd initiates, each side
#    verifies the other's SIG; after charon's terminate, charon initiates
#    and ikd answers, verifying charon's SIG as responder.
# Aggressive Mode, tunnel mode and IPcomp are in ikd_v1_charon2.sh.
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/vm/ike.sh"
. "$KT_TOP/tests/guest/ikd.bash"
. "$KT_TOP/tests/guest/v1_certs.bash"
# ikd's logs where the host can read them, also after a time-out.
IKD_DIR=$KT_IKE_LOGS/ikd
mkdir -p "$IKD_DIR"

setkey=$KT_BUILD/bin/setkey
PSK="kipsec ikd-v1-charon $RANDOM$RANDOM"
kt_load_kipsec
modprobe aesni_intel 2>/dev/null
modprobe -a cbc hmac sha1 des3_ede 2>/dev/null
kt_topo_h2h w
# The guest's first AES-CBC/HMAC-SHA1 SA waits ~10 s for the kernel's
# crypto under TCG (as long as ikd waits for a PF_KEY reply): take that
# wait here, not in ikd's first UPDATE.
ip netns exec h1 "$setkey" -c <<EOF || kt_fail "setkey could not add the warm-up SA"
add 10.1.1.1 20.1.1.1 esp 0x100 -m transport -E aes-cbc 0x00112233445566778899aabbccddeeff -A hmac-sha1 0x0011223344556677889900112233445566778899;
delete 10.1.1.1 20.1.1.1 esp 0x100;
EOF

ikd_psk h1 <<EOF
20.1.1.1 $PSK
EOF
ikd_conf h1 <<EOF
path pre_shared_key "$IKD_DIR/h1.psk";
timer { counter 5; interval 2 sec; }
remote 20.1.1.1 {
	exchange_mode main;
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
ip netns exec h1 "$IKD" -n -f "$IKD_DIR/h1.conf" || kt_fail "ikd -n refuses h1's configuration"
ip netns exec h1 "$setkey" -c <<EOF || kt_fail "setkey on h1 failed"
spdadd 10.1.1.1 20.1.1.1 any -P out ipsec esp/transport//require;
spdadd 20.1.1.1 10.1.1.1 any -P in ipsec esp/transport//require;
EOF
ikd_start h1 h1 -dd
kt_charon_start c h2
kt_charon_load c <<EOF
connections {
  v1 {
    version = 1
    aggressive = no
    local_addrs = 20.1.1.1
    remote_addrs = 10.1.1.1
    proposals = 3des-sha1-modp1024
    local {
      auth = psk
      id = 20.1.1.1
    }
    remote {
      auth = psk
      id = 10.1.1.1
    }
    children {
      v1 {
        mode = transport
        esp_proposals = aes128-sha1-modp1024
      }
    }
  }
}
secrets {
  ike-ikd {
    secret = "$PSK"
  }
}
EOF

no_sa() {
	[ "$(ip netns exec h1 "$setkey" -D)" = "No SAD entries." ] &&
		[ -z "$(ip -n h2 xfrm state)" ]
}
h1_spis() {
	ip netns exec h1 "$setkey" -D | sed -n 's/.*esp mode=.* spi=[0-9]*(\(0x[0-9a-f]*\)).*/\1/p' | sort
}
h1_two() { [ "$(h1_spis | wc -l)" = 2 ]; }

# check NAME: the pair is up on both sides and carries pings both ways.
check() {
	kt_ike_until 30 h1_two || kt_fail "$1: h1 has not two ESP SAs: $(ip netns exec h1 "$setkey" -D)"
	kt_expect_eq "$1: ESP SPIs of h1 and h2" "$(h1_spis)" "$(kt_ike_esp_spis h2)"
	ip netns exec h1 ping -n -q -c 2 -i 0.3 -W 3 20.1.1.1 >/dev/null ||
		kt_fail "$1: ping from h1 failed"
	ip netns exec h2 ping -n -q -c 2 -i 0.3 -W 3 10.1.1.1 >/dev/null ||
		kt_fail "$1: ping from h2 failed"
	kt_log "$1: SAs $(h1_spis | tr '\n' ' ')on both hosts, ping both ways"
}

# ikd initiates.
ip netns exec h1 ping -n -c 1 -W 1 20.1.1.1 >/dev/null 2>&1
kt_charon_wait c v1 60 || kt_fail "ikd-initiated: no IKE SA with a child on charon"
check ikd-initiated
ikd_wait_log h1 "ISAKMP-SA established" 1 || kt_fail "h1's log does not say ISAKMP-SA established"
ikd_wait_log h1 "IPsec-SA established: ESP/Transport" 1 || kt_fail "h1's log does not say IPsec-SA established"
kt_charon_terminate c v1 || kt_fail "charon could not terminate"
kt_ike_until 20 no_sa || kt_fail "ikd-initiated: SAs left after charon's DELETE: $(ip netns exec h1 "$setkey" -D | head -4)"
kt_log "ikd-initiated: charon's DELETEs emptied h1's SAD"

# charon initiates.
kt_charon_initiate c v1 v1 || kt_fail "charon could not initiate"
check charon-initiated

# ikd stops with the SAs up.
ikd_stop h1
kt_ike_until 20 no_sa || kt_fail "SAs left after ikd stopped: $(ip -n h2 xfrm state | head -3)"
kt_charon_sas c | grep -q ESTABLISHED && kt_fail "charon still has an IKE SA after ikd's DELETE"
grep -qF "$PSK" "$(ikd_log h1)" && kt_fail "h1's log holds the PSK"
kt_log "ikd stopped: its DELETEs took the SAs down on charon; no SA left"

# rsasig: self-signed RSA certificates, each pinned on the other side
# (peers_certfile; charon's remote certs), asn1dn identities; ikd
# initiates Main Mode. Both sides check the other's SIG, which shows
# ikd's PKCS#1 signature of the raw HASH is what charon makes and takes.
C=$IKD_DIR/certs
v1_certs "$C"
ikd_conf h1 <<EOF
path certificate "$C";
timer { counter 5; interval 2 sec; }
remote 20.1.1.1 {
	exchange_mode main;
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
ip netns exec h1 "$IKD" -n -f "$IKD_DIR/h1.conf" || kt_fail "ikd -n refuses h1's rsasig configuration"
: >"$(ikd_log h1)"
ikd_start h1 h1 -dd
v1_charon_certs c "$C"
kt_charon_load c <<EOF
connections {
  v1cert {
    version = 1
    aggressive = no
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
      v1cert {
        mode = transport
        esp_proposals = aes128-sha1-modp1024
      }
    }
  }
}
EOF
ip netns exec h1 ping -n -c 1 -W 1 20.1.1.1 >/dev/null 2>&1
kt_charon_wait c v1cert 60 || kt_fail "rsasig: no IKE SA with a child on charon"
check rsasig
ikd_wait_log h1 "ISAKMP-SA established .*rsasig" 1 || kt_fail "rsasig: h1's log does not say ISAKMP-SA established with rsasig"
ikd_wait_log h1 "certificate /O=kipsec test/CN=h2, SIG verified" 1 || kt_fail "rsasig: ikd did not verify charon's SIG"
kt_charon_terminate c v1cert || kt_fail "rsasig: charon could not terminate"
kt_ike_until 20 no_sa || kt_fail "rsasig: SAs left after charon's DELETE: $(ip netns exec h1 "$setkey" -D | head -4)"
kt_log "rsasig: Main Mode with certificates both ways, ikd initiating"

# rsasig, charon initiating: ikd answers Main Mode with its certificate.
nsig() { grep -c "certificate /O=kipsec test/CN=h2, SIG verified" "$(ikd_log h1)"; }
kt_charon_initiate c v1cert v1cert || kt_fail "rsasig: charon could not initiate"
check rsasig-charon
grep -q "respond new phase 1 negotiation: .*(Main Mode)" "$(ikd_log h1)" ||
	kt_fail "rsasig-charon: h1's log does not say it responded to Main Mode"
[ "$(grep -c "ISAKMP-SA established .*rsasig" "$(ikd_log h1)")" = 2 ] ||
	kt_fail "rsasig-charon: h1's log does not say a second ISAKMP-SA was established with rsasig"
[ "$(nsig)" = 2 ] || kt_fail "rsasig-charon: ikd did not verify charon's SIG as responder"
ikd_stop h1
kt_ike_until 20 no_sa || kt_fail "rsasig: SAs left after ikd stopped"
kt_log "rsasig: Main Mode with certificates both ways, charon initiating"
kt_charon_stop c
