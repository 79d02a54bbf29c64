# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 300
# IKEv1 fragmentation (racoon's ike_frag, the Cisco payload 132 format)
# between ikd on kipsec.ko (h1, `ike_frag force`) and Debian's charon
# (h2, `fragmentation = force`, fragment_size 512): Main Mode with RSA
# signatures and 2048-bit self-signed certificates, so that MM5 and MM6
# are over a kB. ikd initiates on the first ping's ACQUIRE:
#  - the ESP pair is up with the same SPIs on both hosts, ping both ways;
#  - a capture on h1 shows payload-132 fragments from each side, the last
#    of each message flagged, none of ikd's IKE datagrams over 548 bytes;
#  - ikd's log says what it sent as fragments and what it reassembled,
#    and that it verified charon's SIG (which came in fragments).
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/vm/ike.sh"
. "$KT_TOP/tests/guest/ikd.bash"
IKD_DIR=$KT_IKE_LOGS/ikd
mkdir -p "$IKD_DIR"

setkey=$KT_BUILD/bin/setkey
kt_load_kipsec
modprobe aesni_intel 2>/dev/null
modprobe -a cbc hmac sha1 des3_ede 2>/dev/null
kt_topo_h2h w

C=$IKD_DIR/certs
mkdir -p "$C"
for h in h1 h2; do
	openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 30 \
		-subj "/O=kipsec test/CN=$h" -keyout "$C/$h.key" -out "$C/$h.pem" \
		>"$KT_TMP/openssl-$h.out" 2>&1 || kt_fail "openssl for $h: $(cat "$KT_TMP/openssl-$h.out")"
done
ikd_conf h1 <<EOF
path certificate "$C";
timer { counter 5; interval 2 sec; }
remote 20.1.1.1 {
	exchange_mode main;
	ike_frag force;
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
ip netns exec h1 "$IKD" -n -f "$IKD_DIR/h1.conf" || kt_fail "ikd -n refuses h1's configuration"
ip netns exec h1 "$setkey" -c <<EOF || kt_fail "setkey on h1 failed"
spdadd 10.1.1.1 20.1.1.1 any -P out ipsec esp/transport//require;
spdadd 20.1.1.1 10.1.1.1 any -P in ipsec esp/transport//require;
EOF
ikd_start h1 h1 -dd

# charon cuts whatever is over 512 bytes, so that MM6 goes in fragments
# whatever the size of its certificate.
kt_charon_start c h2 "fragment_size = 512"
# swanctl parses the private key itself: give it the RSA plugin.
sed -i 's/^  load = pem pkcs1 pkcs8 x509 pubkey$/  load = pem pkcs1 pkcs8 x509 pubkey openssl/' \
	"$KT_IKE_DIR/c/strongswan.conf"
sw=$KT_IKE_DIR/c/swanctl
mkdir -p "$sw/x509" "$sw/private"
cp "$C/h1.pem" "$C/h2.pem" "$sw/x509/"
cp "$C/h2.key" "$sw/private/"
kt_charon_load c <<EOF
connections {
  v1frag {
    version = 1
    aggressive = no
    fragmentation = force
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
      v1frag {
        mode = transport
        esp_proposals = aes128-sha1-modp1024
      }
    }
  }
}
EOF

h1_spis() {
	ip netns exec h1 "$setkey" -D | sed -n 's/.*esp mode=.* spi=[0-9]*(\(0x[0-9a-f]*\)).*/\1/p' | sort
}
h1_two() { [ "$(h1_spis | wc -l)" = 2 ]; }
no_sa() {
	[ "$(ip netns exec h1 "$setkey" -D)" = "No SAD entries." ] &&
		[ -z "$(ip -n h2 xfrm state)" ]
}

# wire PCAP SRC: for IKE datagrams (UDP 500) from SRC: "N datagrams F
# fragments L last MAX max-bytes" (MAX: the longest ISAKMP message).
wire() {
	python3 - "$1" "$2" <<-'EOF'
	import socket, struct, sys
	d = open(sys.argv[1], "rb").read()
	src = socket.inet_aton(sys.argv[2])
	e = "<" if struct.unpack("<I", d[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D) else ">"
	off, n, frag, last, mx = 24, 0, 0, 0, 0
	while off + 16 <= len(d):
	    incl = struct.unpack(e + "I", d[off + 8:off + 12])[0]
	    f = d[off + 16:off + 16 + incl]
	    off += 16 + incl
	    if len(f) < 34 or f[12:14] != b"\x08\x00":
	        continue
	    ip = f[14:]
	    hl = (ip[0] & 15) * 4
	    if ip[9] != 17 or ip[12:16] != src:
	        continue
	    sport, dport = struct.unpack(">HH", ip[hl:hl + 4])
	    ike = ip[hl + 8:]
	    if 500 not in (sport, dport) or len(ike) < 28:
	        continue
	    n += 1
	    mx = max(mx, len(ike))
	    # np 132; the fragment payload: generic header, id, number, flags
	    if ike[16] == 132 and len(ike) >= 36:
	        frag += 1
	        last += ike[35] & 1
	print(n, "datagrams", frag, "fragments", last, "last", mx, "max-bytes")
	EOF
}

kt_capture_start h1 eth0 "$KT_TMP/ike.pcap" udp port 500
ip netns exec h1 ping -n -c 1 -W 1 20.1.1.1 >/dev/null 2>&1
kt_charon_wait c v1frag 90 || kt_fail "no IKE SA with a child on charon"
kt_ike_until 30 h1_two || kt_fail "h1 has not two ESP SAs: $(ip netns exec h1 "$setkey" -D)"
kt_expect_eq "ESP SPIs of h1 and h2" "$(h1_spis)" "$(kt_ike_esp_spis h2)"
ip netns exec h1 ping -n -q -c 2 -i 0.3 -W 3 20.1.1.1 >/dev/null || kt_fail "ping from h1 failed"
ip netns exec h2 ping -n -q -c 2 -i 0.3 -W 3 10.1.1.1 >/dev/null || kt_fail "ping from h2 failed"
kt_log "SAs $(h1_spis | tr '\n' ' ')on both hosts, ping both ways"
kt_capture_stop

W1=$(wire "$KT_TMP/ike.pcap" 10.1.1.1) || kt_fail "cannot read the capture"
W2=$(wire "$KT_TMP/ike.pcap" 20.1.1.1) || kt_fail "cannot read the capture"
kt_log "from ikd (h1): $W1"
kt_log "from charon (h2): $W2"
read -r _ _ f1 _ l1 _ m1 _ <<<"$W1"
read -r _ _ f2 _ l2 _ _ _ <<<"$W2"
[ "$f1" -ge 2 ] && [ "$l1" -ge 1 ] || kt_fail "ikd sent no fragmented message: $W1"
[ "$f2" -ge 2 ] && [ "$l2" -ge 1 ] || kt_fail "charon sent no fragmented message: $W2"
[ "$m1" -le 548 ] || kt_fail "ikd sent an IKE datagram of $m1 bytes: $W1"

ikd_wait_log h1 "Main Mode message to 20\.1\.1\.1(\[500\])? sent as [0-9]* fragments" 1 ||
	kt_fail "h1's log does not say it sent fragments"
ikd_wait_log h1 "ISAKMP message from 20.1.1.1\[500\] reassembled from [0-9]* fragments" 1 ||
	kt_fail "h1's log does not say it reassembled charon's fragments"
ikd_wait_log h1 "certificate /O=kipsec test/CN=h2, SIG verified" 1 || kt_fail "ikd did not verify charon's SIG"
ikd_wait_log h1 "ISAKMP-SA established .*rsasig" 1 || kt_fail "h1's log does not say ISAKMP-SA established"

ikd_stop h1
kt_ike_until 20 no_sa || kt_fail "SAs left after ikd stopped"
kt_log "Main Mode rsasig in fragments both ways between ikd and charon"
kt_charon_stop c
