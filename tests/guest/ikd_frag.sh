# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 600
# IKEv2 fragmentation (RFC 7383, racoon.conf `ike_frag`) through a path that
# drops IP fragments: h1 - r - h2, where the router r has
# `iptables -A FORWARD -f -j DROP`. A test PKI made here with openssl: an
# RSA root CA, three RSA intermediates, host certificates under the last;
# each ikd's certificate file carries the intermediates, so its IKE_AUTH is
# some 4-5 kB, more than one 1500-byte IP datagram.
#  - the path: a 3000-byte ping fails through r, a small one passes;
#  - ikd <-> ikd on kipsec.ko, ike_frag on: IKE_AUTH passes; on the wire
#    (captured on h1's link) IKE_AUTH went as several SKF datagrams
#    (payload 53), none over 1280 bytes, no IP fragment at all; ping over
#    ESP; ikdctl stats counts the fragments;
#  - negative control: h1 with `ike_frag off`: its IKE_AUTH leaves as IP
#    fragments, r drops them, h1 gives up, no SA anywhere;
#  - ikd <-> charon (native XFRM on h2, `fragmentation = yes`): ikd
#    initiates, then charon does; ping both times.
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/vm/ike.sh"
. "$KT_TOP/tests/guest/ikd.bash"
# ikd's logs where the host can read them, also after a time-out.
IKD_DIR=$KT_IKE_LOGS/ikd
mkdir -p "$IKD_DIR"

setkey=$KT_BUILD/bin/setkey
ikdctl=$KT_BUILD/bin/ikdctl
kt_load_kipsec
modprobe aesni_intel 2>/dev/null
command -v iptables >/dev/null || kt_fail "iptables is not installed (make deps)"

# --- h1 - r - h2, r dropping IP fragments ---------------------------------
kt_ns h1; kt_ns r; kt_ns h2
kt_link h1 eth0 r eth1
kt_link r eth2 h2 eth0
kt_addr h1 eth0 10.1.1.1/24; kt_addr r eth1 10.1.1.254/24
kt_addr h2 eth0 20.1.1.1/24; kt_addr r eth2 20.1.1.254/24
ip -n h1 route add default via 10.1.1.254
ip -n h2 route add default via 20.1.1.254
ip netns exec r iptables -A FORWARD -f -j DROP || kt_fail "iptables on r failed"
kt_ping_ok h1 20.1.1.1
# r passes the first fragment of the big ping (`-f` matches the others):
# h2 answers it with an ICMP time exceeded when its reassembly times out,
# 30 s later by default. Once h2's policies exist that ICMP raises an
# ACQUIRE and h2 starts an IKE SA of its own, crossing h1's (seen in CI
# when the PKI took 40 s). A 1-second reassembly time ends it here.
ip netns exec h2 sysctl -qw net.ipv4.ipfrag_time=1 || kt_fail "sysctl ipfrag_time on h2 failed"
kt_ping_fails h1 20.1.1.1 -s 3000
sleep 2
kt_log "path: small ping passes r, a 3000-byte one does not"

# --- the PKI: root -> I1 -> I2 -> I3 -> hosts -------------------------------
P=$KT_TMP/pki
mkdir -p "$P"
ossl() { out=$(openssl "$@" 2>&1) || kt_fail "openssl $1 failed: $out"; }
cat >"$P/ext.cnf" <<EOF
[ ca ]
basicConstraints = critical,CA:TRUE
keyUsage = keyCertSign,cRLSign
[ host ]
basicConstraints = CA:FALSE
subjectAltName = \${ENV::SAN}
EOF
export SAN=DNS:unused
key() {
	ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$P/$1.key"
	chmod 600 "$P/$1.key"
}
# cert NAME ISSUER EXT SERIAL [KEY]: NAME.pem signed by ISSUER's key, for a
# new key or KEY's (RSA key generation is slow under TCG: the
# intermediates share one).
cert() {
	if [ -n "${5:-}" ]; then cp "$P/$5.key" "$P/$1.key"; else key "$1"; fi
	ossl req -new -key "$P/$1.key" -subj "/O=kipsec test/CN=$1" -out "$P/$1.csr"
	ossl x509 -req -in "$P/$1.csr" -CA "$P/$2.pem" -CAkey "$P/$2.key" \
		-set_serial "$4" -days 30 -sha256 -extfile "$P/ext.cnf" \
		-extensions "$3" -out "$P/$1.pem"
}
key root
ossl req -x509 -new -key "$P/root.key" -subj "/O=kipsec test/CN=root" -days 30 \
	-addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign \
	-out "$P/root.pem"
cert I1 root ca 11
cert I2 I1 ca 12 I1
cert I3 I2 ca 13 I1
SAN="DNS:h1.test" cert h1 I3 host 21
SAN="DNS:h2.test" cert h2 I3 host 22
for h in h1 h2; do cat "$P/$h.pem" "$P/I3.pem" "$P/I2.pem" "$P/I1.pem" >"$P/$h-chain.pem"; done
kt_log "PKI: root, 3 intermediates, 2 hosts (RSA-2048) in $SECONDS s"

# --- ikd --------------------------------------------------------------------
# conf NAME PEER MYID PEERID CERT FRAG: with `ike_frag off` h1 gives up
# after 2 retransmissions (14 s); otherwise 5 (126 s), as a loaded TCG guest
# can take longer than 14 s to sign and check an RSA chain.
conf() {
	ikd_conf "$1" <<-EOF
	path certificate "$P";
	listen { adminsock "/run/kt-frag-$1.sock"; }
	timer { counter $([ "$6" = off ] && echo 2 || echo 5); interval 2 sec; }
	remote $2 {
		ike_version 2;
		my_identifier fqdn "$3";
		peers_identifier fqdn "$4";
		certificate_type x509 "$5-chain.pem" "$5.key";
		ca_type x509 "root.pem";
		ike_frag $6;
		proposal {
			encryption_algorithm aes 128;
			hash_algorithm sha256;
			authentication_method rsasig;
			dh_group 19;
		}
	}
	sainfo anonymous {
		encryption_algorithm aes 128;
		authentication_algorithm hmac_sha256;
	}
	EOF
	out=$("$IKD" -n -f "$IKD_DIR/$1.conf" 2>&1) || kt_fail "ikd -n refuses $1's configuration: $out"
	grep -q "ike_frag" <<<"$out" && kt_fail "ikd -n still warns about ike_frag: $out"
	return 0
}
for h in h1 h2; do
	if [ $h = h1 ]; then me=10.1.1.1 peer=20.1.1.1; else me=20.1.1.1 peer=10.1.1.1; fi
	ip netns exec $h "$setkey" -c <<-EOF || kt_fail "setkey on $h failed"
	spdadd $me $peer any -P out ipsec esp/transport//require;
	spdadd $peer $me any -P in ipsec esp/transport//require;
	EOF
done
nsas() { ip netns exec "$1" "$setkey" -D | grep -c 'state=mature'; }
two_sas() { [ "$(nsas h1)" = 2 ] && [ "$(nsas h2)" = 2 ]; }
no_sa() { [ "$(ip netns exec h1 "$setkey" -D)" = "No SAD entries." ]; }
logged() { grep -qF -- "$2" "$(ikd_log "$1")" || kt_fail "$1's log lacks: $2"; }

# wire PCAP: "AUTH n skf m max L frags F" for the IKE_AUTH datagrams
# (IPv4, UDP 500/4500 after the non-ESP marker) and all IP fragments.
wire() {
	python3 - "$1" <<-'EOF'
	import struct, sys
	d = open(sys.argv[1], "rb").read()
	e = "<" if struct.unpack("<I", d[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D) else ">"
	off, n, skf, mx, frags = 24, 0, 0, 0, 0
	while off + 16 <= len(d):
	    incl = struct.unpack(e + "I", d[off + 8:off + 12])[0]
	    f = d[off + 16:off + 16 + incl]
	    off += 16 + incl
	    if len(f) < 34 or f[12:14] != b"\x08\x00":
	        continue
	    ip = f[14:]
	    tot, fo = struct.unpack(">H", ip[2:4])[0], struct.unpack(">H", ip[6:8])[0]
	    if fo & 0x3fff:
	        frags += 1
	        continue
	    hl = (ip[0] & 15) * 4
	    if ip[9] != 17:
	        continue
	    sport, dport = struct.unpack(">HH", ip[hl:hl + 4])
	    ike = ip[hl + 8:]
	    if 4500 in (sport, dport):
	        if ike[:4] != b"\0\0\0\0":
	            continue
	        ike = ike[4:]
	    elif 500 not in (sport, dport):
	        continue
	    if len(ike) >= 28 and ike[18] == 35:
	        n += 1
	        skf += ike[16] == 53
	        mx = max(mx, tot)
	print(f"AUTH {n} skf {skf} max {mx} frags {frags}")
	EOF
}

conf h2 10.1.1.1 h2.test h1.test h2 on
ikd_start h2 h2 -d
kt_log "h2: ikd started at $SECONDS s"

# ikd_case NAME FRAG: h1 initiates with ike_frag FRAG; prints the wire summary.
ikd_case() {
	local a=$1 t0=$(date +%s)
	conf "$a" 20.1.1.1 h1.test h2.test h1 "$2"
	kt_capture_start r eth1 "$KT_TMP/$a.pcap"
	ikd_start "$a" h1 -d
	kt_log "$a: started, $(($(date +%s) - t0)) s"
	ip netns exec h1 ping -n -c 1 -W 1 20.1.1.1 >/dev/null 2>&1
	if [ "$2" = off ]; then
		ikd_wait_log "$a" "not answered after 2 retransmissions" 60 ||
			kt_fail "$a: h1 did not give up on IKE_AUTH"
		[ "$(nsas h1)" = 0 ] && [ "$(nsas h2)" = 0 ] ||
			kt_fail "$a: SAs came up through a fragment-dropping path"
	else
		kt_wait_for 90 two_sas || kt_fail "$a: no SAs within 90 s"
		ip netns exec h1 ping -n -q -c 3 -i 0.3 -W 3 20.1.1.1 >/dev/null ||
			kt_fail "$a: ping over the SAs failed"
		logged h2 "certificate /O=kipsec test/CN=h1 verified"
		logged "$a" "certificate /O=kipsec test/CN=h2 verified"
	fi
	kt_capture_stop
	W=$(wire "$KT_TMP/$a.pcap") || kt_fail "$a: cannot read the capture"
	ikd_stop "$a"
	kt_wait_for 20 no_sa || kt_fail "$a: SAs left after stopping"
	ip netns exec h1 "$setkey" -F || kt_fail "setkey -F on h1 failed"
	kt_log "$a (ike_frag $2): $W, in $(($(date +%s) - t0)) s"
}

ikd_case h1frag on
read -r _ n _ skf _ max _ frags <<<"$W"
[ "$n" -ge 4 ] && [ "$skf" = "$n" ] || kt_fail "h1frag: IKE_AUTH was not sent as SKF fragments: $W"
[ "$max" -le 1280 ] || kt_fail "h1frag: an IKE datagram of $max bytes: $W"
[ "$frags" = 0 ] || kt_fail "h1frag: IP fragments on the wire: $W"
st=$(ip netns exec h2 "$ikdctl" -s /run/kt-frag-h2.sock stats 2>&1) ||
	kt_fail "ikdctl stats on h2 failed: $st"
grep -q "fragments: [1-9][0-9]* sent, [1-9][0-9]* received, 1 reassembled, 0 dropped" <<<"$st" ||
	kt_fail "h2's ikdctl stats do not show the fragments: $st"

ikd_case h1off off
read -r _ n _ skf _ max _ frags <<<"$W"
[ "$skf" = 0 ] && [ "$frags" -ge 2 ] || kt_fail "h1off: IKE_AUTH did not leave as IP fragments: $W"
ikd_stop h2

# --- ikd <-> charon -----------------------------------------------------------
ip netns exec h2 "$setkey" -c <<<"spdflush;" || kt_fail "setkey spdflush on h2 failed"
kt_charon_start c h2
sed -i 's/^  load = pem pkcs1 pkcs8 x509 pubkey$/  load = pem pkcs1 pkcs8 x509 pubkey openssl/' \
	"$KT_IKE_DIR/c/strongswan.conf"
sw=$KT_IKE_DIR/c/swanctl
mkdir -p "$sw/x509" "$sw/x509ca" "$sw/private"
cp "$P/h2.pem" "$sw/x509/"
cp "$P/root.pem" "$P/I1.pem" "$P/I2.pem" "$P/I3.pem" "$sw/x509ca/"
cp "$P/h2.key" "$sw/private/"
kt_charon_load c <<EOF
connections {
  ikd {
    version = 2
    local_addrs = 20.1.1.1
    remote_addrs = 10.1.1.1
    proposals = aes128-sha256-ecp256
    fragmentation = yes
    local {
      auth = pubkey
      certs = h2.pem
      id = h2.test
    }
    remote {
      auth = pubkey
      id = h1.test
    }
    children {
      ikd {
        mode = transport
        esp_proposals = aes128-sha256
      }
    }
  }
}
EOF
xfrm_two() { [ "$(nsas h1)" = 2 ] && [ "$(ip -n h2 xfrm state | grep -c '^src')" = 2 ]; }
charon_case() {
	local a=$1 t0=$(date +%s)
	conf "$a" 20.1.1.1 h1.test h2.test h1 on
	kt_capture_start r eth1 "$KT_TMP/$a.pcap"
	ikd_start "$a" h1 -d
	if [ "$2" = charon ]; then
		kt_charon_initiate c ikd ikd || kt_fail "$a: charon could not initiate"
	else
		ip netns exec h1 ping -n -c 1 -W 1 20.1.1.1 >/dev/null 2>&1
		kt_charon_wait c ikd 60 || kt_fail "$a: no IKE SA with a child from ikd's ACQUIRE"
	fi
	kt_wait_for 30 xfrm_two || kt_fail "$a: not two SAs on each side"
	ip netns exec h1 ping -n -q -c 3 -i 0.3 -W 3 20.1.1.1 >/dev/null ||
		kt_fail "$a: ping over the SAs failed"
	logged "$a" "certificate /O=kipsec test/CN=h2 verified"
	kt_capture_stop
	W=$(wire "$KT_TMP/$a.pcap") || kt_fail "$a: cannot read the capture"
	read -r _ n _ skf _ max _ frags <<<"$W"
	[ "$skf" -ge 4 ] && [ "$max" -le 1280 ] && [ "$frags" = 0 ] ||
		kt_fail "$a: IKE_AUTH not in fragments within 1280 bytes: $W"
	kt_charon_terminate c ikd || kt_fail "$a: charon could not terminate"
	kt_wait_for 20 no_sa || kt_fail "$a: SAs left after charon's terminate"
	ikd_stop "$a"
	kt_log "$a: $2 initiated, ikd <-> charon: $W, ping ok, in $(($(date +%s) - t0)) s"
}
charon_case c1 ikd
charon_case c2 charon
kt_charon_stop c
cp "$IKD_DIR"/*.log "$KT_IKE_LOGS/" 2>/dev/null
kt_log "all in $SECONDS s"
