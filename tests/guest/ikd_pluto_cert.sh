# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 420
# ikd on kipsec.ko (h1, `require` transport policies from setkey) against
# libreswan's pluto (build/libreswan, native XFRM, h2), IKEv2 with X.509
# certificates and RFC 7427 signatures. A test CA (ECDSA P-256) made here
# with `openssl req -x509` issues h1 an RSA-2048, an ECDSA P-256 and an
# RSA-PSS certificate, h2 an ECDSA P-256 and an RSA-2048 one; a second CA
# issues h2 a "rogue" certificate with the same names. pluto's NSS database (certutil, as
# `ipsec initnss` makes it) trusts the first CA ("CT,,") and holds h2's
# certificates and keys, imported as PKCS#12 with pk12util.
#  a. ikd (RSA, ID fqdn h1.test) initiates on a ping's ACQUIRE to pluto
#     (ECDSA, leftid=%fromcert: an asn1dn ID); pluto sends its certificate
#     because ikd's CERTREQ asked for it;
#  b. pluto (RSA, ID fqdn h2.test; it signs RSASSA-PSS with SHA-512, salt
#     64, and ikd logs those parameters) initiates to ikd (ECDSA, ID
#     asn1dn from its certificate);
#  d. ikd with an RSA-PSS key (RSASSA-PSS, SHA-256, salt 32) initiates to
#     pluto (ECDSA), which takes it with rightauth=rsasig;
#  in each: each side logs the other's certificate verified with the
#  expected signature scheme, h1 and h2 have the same two ESP SPIs, ping
#  flows both ways; pluto terminates and no SA is left;
#  c. pluto initiates with the rogue certificate: ikd refuses it (the
#     chain does not reach its CA: "unknown CA") with the reason in its
#     log, pluto is told AUTHENTICATION_FAILED, no SA anywhere (pluto
#     retries what whack initiated until the conn is deleted).
# Not tested: Ed25519. libreswan 4.10 has no EdDSA: ipsec.conf(5) offers
# no such authby=/leftauth=, and nothing in Debian's package (pluto
# included) names Ed25519 or EdDSA. ikd's Ed25519 certificates work with
# ikd and charon only (tests/guest/ikd_cert.sh).
# Last, both daemons stop cleanly and no private key is in ikd's log.
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/vm/ike.sh"
. "$KT_TOP/tests/guest/ikd.bash"

setkey=$KT_BUILD/bin/setkey
# ikd's logs beside pluto's (build/vm/last-*/ike/), whatever the outcome.
trap 'rc=$?; cp "$IKD_DIR"/*.log "$KT_IKE_LOGS/" 2>/dev/null; (exit $rc); kt_ike_cleanup' EXIT
kt_load_kipsec
modprobe aesni_intel 2>/dev/null
# The ESP algorithms' kernel modules before pluto installs its first SA,
# so that it does not keep IKE_AUTH's response while they load.
for m in authenc authencesn cbc hmac sha256_generic; do modprobe -q "$m" 2>/dev/null; done
kt_topo_h2h wire

# --- the PKI --------------------------------------------------------------
# One openssl call per certificate (openssl is slow under TCG): `req -x509`
# makes the key and, with -CA, signs the certificate.
P=$KT_TMP/pki
mkdir -p "$P/kt-ca/certs" "$P/rogue-ca/certs"
cat >"$P/host.cnf" <<EOF
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
[ host ]
basicConstraints = CA:FALSE
subjectAltName = \${ENV::SAN}
EOF
ossl() { out=$(openssl "$@" 2>&1) || kt_fail "openssl $1 failed: $out"; }
# newkey ALG: openssl req's -newkey arguments for rsa (2048) or ec (P-256)
newkey() {
	case $1 in
	rsa) echo "-newkey rsa:2048" ;;
	ec) echo "-newkey ec -pkeyopt ec_paramgen_curve:P-256" ;;
	rsa-pss) echo "-newkey rsa-pss -pkeyopt rsa_keygen_bits:2048" ;;
	esac
}
# ca NAME: a CA (ECDSA P-256), NAME/certs/ca.pem and NAME/ca.key
ca() {
	# shellcheck disable=SC2046 # newkey's words
	ossl req -x509 $(newkey ec) -nodes -keyout "$P/$1/ca.key" \
		-subj "/O=kipsec test/CN=$1" -days 30 \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign \
		-out "$P/$1/certs/ca.pem"
}
# host CA NAME KEYALG SAN: CA/certs/NAME.key and NAME.pem
host() {
	local d=$P/$1
	# shellcheck disable=SC2046 # newkey's words
	SAN=$4 ossl req -x509 -config "$P/host.cnf" -extensions host $(newkey "$3") -nodes \
		-keyout "$d/certs/$2.key" -subj "/O=kipsec test/CN=$2" \
		-CA "$d/certs/ca.pem" -CAkey "$d/ca.key" -days 30 -out "$d/certs/$2.pem"
}
# p12 CA NAME: NAME's certificate and key as PKCS#12, nickname NAME
p12() {
	ossl pkcs12 -export -in "$P/$1/certs/$2.pem" -inkey "$P/$1/certs/$2.key" -name "$2" \
		-passout pass: -out "$P/$1/$2.p12"
}
ca kt-ca
ca rogue-ca
host kt-ca h1-rsa rsa "DNS:h1.test"
host kt-ca h1-ec ec "DNS:h1.test"
host kt-ca h1-pss rsa-pss "DNS:h1.test"
host kt-ca h2-ec ec "DNS:h2.test"
host kt-ca h2-rsa rsa "DNS:h2.test"
host rogue-ca h2-rogue ec "DNS:h2.test"
p12 kt-ca h2-ec
p12 kt-ca h2-rsa
p12 rogue-ca h2-rogue
kt_log "PKI: two CAs, 6 host certificates, in $SECONDS s"

# --- ikd ------------------------------------------------------------------
# cert_conf NAME MYID PEERID CERT: h1's racoon.conf for peer 20.1.1.1.
cert_conf() {
	ikd_conf "$1" <<-EOF
	path certificate "$P/kt-ca/certs";
	timer { counter 5; interval 2 sec; }
	remote 20.1.1.1 {
		ike_version 2;
		my_identifier $2;
		peers_identifier $3;
		certificate_type x509 "$4.pem" "$4.key";
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
	"$IKD" -n -f "$IKD_DIR/$1.conf" || kt_fail "ikd -n refuses $1's configuration"
}
ip netns exec h1 "$setkey" -c <<EOF || kt_fail "setkey on h1 failed"
spdadd 10.1.1.1 20.1.1.1 any -P out ipsec esp/transport//require;
spdadd 20.1.1.1 10.1.1.1 any -P in ipsec esp/transport//require;
EOF

# --- pluto ----------------------------------------------------------------
kt_pluto_start p h2
nss=sql:$KT_IKE_DIR/p/nss
out=$(certutil -A -d "$nss" -n kt-ca -t CT,, -a -i "$P/kt-ca/certs/ca.pem" 2>&1) ||
	kt_fail "certutil -A of the CA failed: $out"
for n in kt-ca/h2-ec kt-ca/h2-rsa rogue-ca/h2-rogue; do
	out=$(pk12util -i "$P/$n.p12" -d "$nss" -W '' 2>&1) ||
		kt_fail "pk12util -i $n.p12 failed: $out"
done
[ "$(certutil -K -d "$nss" 2>/dev/null | grep -c 'h2-')" = 3 ] ||
	kt_fail "pluto's NSS database lacks h2's keys: $(certutil -K -d "$nss" 2>&1)"

# pluto_conf NAME LEFTCERT LEFTID RIGHTID LEFTAUTH RIGHTAUTH [MORE]: a conn
# between h2 (left) and h1. (Written to a file first: kt_fail in a
# pipeline would only leave the pipeline's subshell.)
pluto_conf() {
	{
		echo "conn $1"
		echo "	left=20.1.1.1"
		echo "	right=10.1.1.1"
		echo "	leftcert=$2"
		echo "	leftid=\"$3\""
		echo "	rightid=\"$4\""
		echo "	leftauth=$5"
		echo "	rightauth=$6"
		echo "	ike=aes128-sha2_256-dh19"
		echo "	esp=aes128-sha2_256"
		echo "	type=transport"
		echo "	auto=add"
		[ -z "${7:-}" ] || echo "	$7"
	} >"$KT_TMP/$1.conn"
	kt_pluto_load p "$KT_TMP/$1.conn"
}

h1_spis() {
	ip netns exec h1 "$setkey" -D | sed -n 's/.*esp mode=.* spi=[0-9]*(\(0x[0-9a-f]*\)).*/\1/p' | sort
}
h1_two() { [ "$(h1_spis | wc -l)" = 2 ]; }
no_sa() {
	[ "$(ip netns exec h1 "$setkey" -D)" = "No SAD entries." ] &&
		[ -z "$(ip -n h2 xfrm state)" ] && ! kt_pluto_sas p | grep -q "\"$1\""
}
logged() { grep -qF -- "$2" "$(ikd_log "$1")" || kt_fail "ikd $1's log lacks: $2"; }
# pluto_verified CONN SCHEME_RE PEER_ID: pluto logged CONN's peer
# authenticated with a signature matching SCHEME_RE and a certificate from
# kt-ca for PEER_ID.
pluto_verified() {
	grep -F -- "\"$1\" #" "$(kt_ike_log p)" | grep -qE -- "established IKE SA; authenticated peer '$2' digital signature using peer certificate '$3' issued by CA 'O=kipsec test, CN=kt-ca'" ||
		kt_fail "pluto's log does not say $1's peer $3 was verified with $2"
}

# good NAME INITIATOR IKDCERT IKDID IKDPEERID H2CERT PLUTO_ID PLUTO_RIGHTID
#      LEFTAUTH RIGHTAUTH IKD_SEES IKD_SIGNS PLUTO_SEES
good() {
	local a=$1 init=$2 t0=$(date +%s) s1 s2
	cert_conf "$a" "$4" "$5" "$3"
	ikd_start "$a" h1 -d
	pluto_conf "$a" "$6" "$7" "$8" "$9" "${10}"
	if [ "$init" = pluto ]; then
		kt_pluto_up p "$a" || kt_fail "$a: pluto could not initiate"
	else
		ip netns exec h1 ping -n -c 1 -W 1 20.1.1.1 >/dev/null 2>&1
	fi
	kt_pluto_wait p "$a" 60 || kt_fail "$a: pluto has no established child SA"
	kt_ike_until 30 h1_two || kt_fail "$a: h1 has not two ESP SAs: $(ip netns exec h1 "$setkey" -D)"
	s1=$(h1_spis)
	s2=$(kt_ike_esp_spis h2)
	kt_expect_eq "$a: ESP SPIs of h1 and h2" "$s1" "$s2"
	ip netns exec h1 ping -n -q -c 2 -i 0.3 -W 3 20.1.1.1 >/dev/null ||
		kt_fail "$a: ping from h1 failed"
	ip netns exec h2 ping -n -q -c 2 -i 0.3 -W 3 10.1.1.1 >/dev/null ||
		kt_fail "$a: ping from h2 failed"
	logged "$a" "certificate /O=kipsec test/CN=$6 verified, ${11}"
	logged "$a" "signing our AUTH with ${12}"
	pluto_verified "$a" "${13}" "$8"
	kt_pluto_down p "$a" || kt_fail "$a: pluto could not terminate"
	kt_ike_until 30 no_sa "$a" ||
		kt_fail "$a: SAs left after the terminate: h1 $(ip netns exec h1 "$setkey" -D | head -4) h2 $(ip -n h2 xfrm state | head -2) $(kt_pluto_sas p)"
	kt_pluto_unload p "$a"
	ikd_stop "$a"
	kt_log "$a: $init initiated, ikd $3 ($4) <-> pluto $6 ($7), ping ok, in $(($(date +%s) - t0)) s"
}

good a-ikd ikd h1-rsa 'fqdn "h1.test"' asn1dn \
	h2-ec %fromcert @h1.test ecdsa rsasig \
	ecdsa-with-SHA256 sha256WithRSAEncryption '2048-bit PKCS#1 1.5 RSA with SHA2_256'
good b-pluto pluto h1-ec asn1dn 'fqdn "h2.test"' \
	h2-rsa @h2.test "O=kipsec test, CN=h1-ec" rsasig ecdsa \
	'rsassaPss (sha512, MGF1 sha512, salt 64)' ecdsa-with-SHA256 'P-256 ECDSA with SHA2_256'
good d-pss ikd h1-pss 'fqdn "h1.test"' asn1dn \
	h2-ec %fromcert @h1.test ecdsa rsasig \
	ecdsa-with-SHA256 'rsassaPss (sha256, MGF1 sha256, salt 32)' '2048-bit RSASSA-PSS with SHA2_256'

# c: pluto initiates with the rogue CA's certificate.
t0=$(date +%s)
cert_conf c-rogue asn1dn 'fqdn "h2.test"' h1-ec
ikd_start c-rogue h1 -d
pluto_conf c-rogue h2-rogue @h2.test "O=kipsec test, CN=h1-ec" ecdsa ecdsa leftsendcert=always
kt_pluto_up p c-rogue && kt_fail "c-rogue: pluto's initiate with the rogue certificate succeeded"
ikd_wait_log c-rogue "authentication failed: peer 20.1.1.1" 30 ||
	kt_fail "c-rogue: ikd did not refuse the rogue certificate"
logged c-rogue "authentication failed: peer 20.1.1.1 (ID_FQDN h2.test, remote \"20.1.1.1\"), digital signature: certificate /O=kipsec test/CN=h2-rogue: unknown CA (depth 0)"
grep -q '"c-rogue" #[0-9]*: IKE SA authentication request rejected by peer: AUTHENTICATION_FAILED' \
	"$(kt_ike_log p)" || kt_fail "c-rogue: pluto was not told AUTHENTICATION_FAILED"
grep -q 'c-rogue.*established' "$(kt_ike_log p)" && kt_fail "c-rogue: pluto established something"
kt_ike_until 30 no_sa c-rogue || kt_fail "c-rogue: SAs after the refusal: $(ip netns exec h1 "$setkey" -D | head -4) $(ip -n h2 xfrm state | head -2)"
kt_pluto_unload p c-rogue
ikd_stop c-rogue
kt_log "c-rogue: refused in $(($(date +%s) - t0)) s: $(grep -F 'authentication failed' "$(ikd_log c-rogue)" | tail -1 | sed 's/.*ERROR: //')"

kt_pluto_stop p
kt_ike_xfrm_clean h2
[ "$(ip netns exec h1 "$setkey" -D)" = "No SAD entries." ] || kt_fail "h1 has SAs left"
for k in "$P"/*/certs/*.key; do
	# the key's base64 body, first line: nowhere in a log
	grep -qF -- "$(sed -n 2p "$k")" "$IKD_DIR"/*.log && kt_fail "$k is in an ikd log"
done
kt_log "both daemons stopped cleanly, no SA left, no private key in ikd's logs"
