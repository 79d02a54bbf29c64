# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 600
# ikd with certificates (authentication_method rsasig, RFC 7427 signatures).
# A test CA (ECDSA P-256) made here with `openssl ca` issues host
# certificates: h1 RSA-2048 and Ed25519, h2 ECDSA P-256; and three bad ones
# for h1: revoked (listed in a CRL found through `path certificate`, made a
# hash directory by `openssl rehash`), expired, and one whose
# subjectAltName does not hold h1's ID.
#  - ikd <-> ikd on kipsec.ko: h1 (RSA, ID fqdn) initiates to h2 (ECDSA,
#    ID asn1dn from its certificate); each logs the other's certificate as
#    verified with the expected signature scheme; ping flows over ESP.
#  - the same with h1's Ed25519 certificate;
#  - h1 with the revoked, the expired, the wrong-identity certificate: h2
#    refuses each with the reason in its log ("revoked", "expired",
#    "identity mismatch: ..."), h1 logs AUTHENTICATION_FAILED, no SA;
#  - ikd <-> charon (native XFRM on h2, ECDSA certificate): ikd (RSA)
#    initiates; then charon initiates to ikd (Ed25519). Ping both times.
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/vm/ike.sh"
. "$KT_TOP/tests/guest/ikd.bash"

setkey=$KT_BUILD/bin/setkey
kt_load_kipsec
modprobe aesni_intel 2>/dev/null
kt_topo_h2h wire

# --- the PKI --------------------------------------------------------------
P=$KT_TMP/pki
mkdir -p "$P/db/new" "$P/certs"
: >"$P/db/index.txt"
echo 1000 >"$P/db/serial"
echo 1000 >"$P/db/crlnumber"
cat >"$P/ca.cnf" <<EOF
[ ca ]
default_ca = kt
[ kt ]
database = $P/db/index.txt
new_certs_dir = $P/db/new
serial = $P/db/serial
crlnumber = $P/db/crlnumber
certificate = $P/certs/ca.pem
private_key = $P/ca.key
default_md = sha256
default_days = 30
default_crl_days = 30
policy = pol
unique_subject = no
[ pol ]
organizationName = supplied
commonName = supplied
[ host ]
basicConstraints = CA:FALSE
subjectAltName = \${ENV::SAN}
EOF
export SAN=DNS:unused
ossl() { out=$(openssl "$@" 2>&1) || kt_fail "openssl $1 failed: $out"; }
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$P/ca.key"
ossl req -x509 -new -key "$P/ca.key" -subj "/O=kipsec test/CN=kipsec test CA" -days 30 \
	-addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign \
	-out "$P/certs/ca.pem"
# host NAME KEYALG SAN [openssl ca options...]: NAME.key and NAME.pem
host() {
	local n=$1 alg=$2 san=$3; shift 3
	case $alg in
	rsa) ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$P/certs/$n.key" ;;
	ec) ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$P/certs/$n.key" ;;
	ed25519) ossl genpkey -algorithm ED25519 -out "$P/certs/$n.key" ;;
	esac
	chmod 600 "$P/certs/$n.key"
	ossl req -new -key "$P/certs/$n.key" -subj "/O=kipsec test/CN=$n" -out "$P/$n.csr"
	SAN=$san ossl ca -batch -config "$P/ca.cnf" -extensions host -notext \
		-in "$P/$n.csr" -out "$P/certs/$n.pem" "$@"
}
host h1-rsa rsa "DNS:h1.test,IP:10.1.1.1"
host h1-ed ed25519 "DNS:h1.test"
host h2-ec ec "DNS:h2.test,IP:20.1.1.1"
host h1-revoked ec "DNS:h1.test"
host h1-expired ec "DNS:h1.test" -startdate 20200101000000Z -enddate 20210101000000Z
host h1-mallory ec "DNS:mallory.test"
ossl ca -config "$P/ca.cnf" -revoke "$P/certs/h1-revoked.pem"
ossl ca -config "$P/ca.cnf" -gencrl -out "$P/certs/crl.pem"
ossl rehash "$P/certs"
ls "$P/certs" | grep -q '\.r0$' || kt_fail "openssl rehash made no CRL link: $(ls "$P/certs")"
kt_log "PKI: CA, 6 host certificates, CRL listing h1-revoked, in $SECONDS s"

# --- ikd configurations ---------------------------------------------------
# cert_conf NAME PEER MYID PEERID CERT: an ikd racoon.conf with certificates.
cert_conf() {
	ikd_conf "$1" <<-EOF
	path certificate "$P/certs";
	timer { counter 3; interval 2 sec; }
	remote $2 {
		ike_version 2;
		my_identifier $3;
		peers_identifier $4;
		certificate_type x509 "$5.pem" "$5.key";
		ca_type x509 "ca.pem";
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
	"$IKD" -n -f "$IKD_DIR/$1.conf" ||
		kt_fail "ikd -n refuses $1's configuration"
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
no_sa() {
	[ "$(ip netns exec h1 "$setkey" -D)" = "No SAD entries." ] &&
		[ "$(ip netns exec h2 "$setkey" -D)" = "No SAD entries." ]
}
logged() { grep -qF -- "$2" "$(ikd_log "$1")" || kt_fail "$1's log lacks: $2"; }

# h2 answers every ikd case with its ECDSA certificate and asn1dn ID.
cert_conf h2 10.1.1.1 'asn1dn' 'fqdn "h1.test"' h2-ec
ikd_start h2 h2 -d

# good NAME H1CERT H2WANTS H1WANTS: h1 with H1CERT comes up with h2; each
# logs how the other signed.
good() {
	local a=$1 t0=$(date +%s)
	cert_conf "$a" 20.1.1.1 'fqdn "h1.test"' 'asn1dn' "$2"
	ikd_start "$a" h1 -d
	ip netns exec h1 ping -n -c 1 -W 1 20.1.1.1 >/dev/null 2>&1
	kt_wait_for 60 two_sas || kt_fail "$a: no SAs within 60 s"
	ip netns exec h1 ping -n -q -c 3 -i 0.3 -W 3 20.1.1.1 >/dev/null ||
		kt_fail "$a: ping over the SAs failed"
	logged h2 "certificate /O=kipsec test/CN=$2 verified, $3"
	logged "$a" "certificate /O=kipsec test/CN=h2-ec verified, $4"
	logged "$a" "signing our AUTH with $3"
	# h2's ID is the subject of its certificate (my_identifier asn1dn;)
	logged "$a" "peer ID_DER_ASN1_DN O = kipsec test, CN = h2-ec, remote"
	ikd_stop "$a"
	kt_wait_for 20 no_sa || kt_fail "$a: SAs left after stopping"
	kt_log "$a: $2 <-> h2-ec up, ping ok, in $(($(date +%s) - t0)) s"
}
good h1rsa h1-rsa sha256WithRSAEncryption ecdsa-with-SHA256
good h1ed h1-ed ED25519 ecdsa-with-SHA256

# bad NAME H1CERT REASON: h2 refuses h1's certificate, saying why.
bad() {
	local a=$1 t0=$(date +%s)
	cert_conf "$a" 20.1.1.1 'fqdn "h1.test"' 'asn1dn' "$2"
	ikd_start "$a" h1
	ip netns exec h1 ping -n -c 1 -W 1 20.1.1.1 >/dev/null 2>&1
	ikd_wait_log "$a" "refused our authentication" 60 ||
		kt_fail "$a: h1 was not told AUTHENTICATION_FAILED"
	logged "$a" "certificate, remote \"20.1.1.1\"): AUTHENTICATION_FAILED"
	logged h2 "$3"
	[ "$(nsas h1)" = 0 ] || kt_fail "$a: h1 has SAs: $(ip netns exec h1 "$setkey" -D)"
	ikd_stop "$a"
	# The kernel holds the ping's larval ACQUIRE entry for its lifetime
	# (30 s) and raises no other for that traffic meanwhile: drop it, so
	# the next case's ping negotiates at once.
	ip netns exec h1 "$setkey" -F || kt_fail "setkey -F on h1 failed"
	kt_log "$a: refused in $(($(date +%s) - t0)) s: $(grep -F -- "$3" "$(ikd_log h2)" | tail -1 | sed 's/.*ERROR: //')"
}
bad h1rev h1-revoked "digital signature: certificate /O=kipsec test/CN=h1-revoked: revoked (depth 0)"
bad h1exp h1-expired "digital signature: certificate /O=kipsec test/CN=h1-expired: expired (depth 0)"
bad h1mal h1-mallory "identity mismatch: ID fqdn:h1.test not in certificate subjectAltName (DNS:mallory.test)"
ikd_stop h2
[ "$(nsas h2)" = 0 ] || kt_fail "h2 kept SAs after the refusals"

# --- ikd <-> charon -------------------------------------------------------
ip netns exec h2 "$setkey" -c <<<"spdflush;" || kt_fail "setkey spdflush on h2 failed"
kt_charon_start c h2
# swanctl parses the private keys itself: give it the key types' plugins.
sed -i 's/^  load = pem pkcs1 pkcs8 x509 pubkey$/  load = pem pkcs1 pkcs8 x509 pubkey openssl/' \
	"$KT_IKE_DIR/c/strongswan.conf"
sw=$KT_IKE_DIR/c/swanctl
mkdir -p "$sw/x509" "$sw/x509ca" "$sw/private"
cp "$P/certs/h2-ec.pem" "$sw/x509/"
cp "$P/certs/ca.pem" "$sw/x509ca/"
cp "$P/certs/h2-ec.key" "$sw/private/"
kt_charon_load c <<EOF
connections {
  ikd {
    version = 2
    local_addrs = 20.1.1.1
    remote_addrs = 10.1.1.1
    proposals = aes128-sha256-ecp256
    local {
      auth = pubkey
      certs = h2-ec.pem
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
# charon CASE INITIATOR H1CERT H1WANTS
charon_case() {
	local a=$1 t0=$(date +%s)
	cert_conf "$a" 20.1.1.1 'fqdn "h1.test"' 'fqdn "h2.test"' "$3"
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
	logged "$a" "certificate /O=kipsec test/CN=h2-ec verified, ecdsa-with-SHA256"
	logged "$a" "signing our AUTH with $4"
	kt_charon_terminate c ikd || kt_fail "$a: charon could not terminate"
	kt_wait_for 20 no_sa || kt_fail "$a: SAs left after charon's terminate"
	ikd_stop "$a"
	kt_log "$a: $2 initiated, ikd $3 <-> charon h2-ec, ping ok, in $(($(date +%s) - t0)) s"
}
charon_case c1rsa ikd h1-rsa sha256WithRSAEncryption
charon_case c1ed charon h1-ed ED25519
kt_charon_stop c
# ikd's logs beside charon's, for reading after the run (build/vm/last-*/ike/).
cp "$IKD_DIR"/*.log "$KT_IKE_LOGS/" 2>/dev/null
