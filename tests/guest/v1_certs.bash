# SPDX-License-Identifier: BSD-2-Clause
# Certificates for ikd against charon with rsasig (sourced after
# tests/vm/ike.sh and tests/guest/ikd.bash; ikd_v1_charon*.sh):
#
#   v1_certs DIR       self-signed RSA-2048 certificates DIR/h1.pem and
#                      DIR/h2.pem, subjects "/O=kipsec test/CN=hN", keys
#                      DIR/hN.key; ikd pins them with peers_certfile
#   v1_charon_certs NAME DIR   charon NAME (on h2) gets both certificates
#                      and h2's key where swanctl loads them, and swanctl
#                      the openssl plugin to parse the RSA key
v1_certs() {
	local h
	mkdir -p "$1"
	for h in h1 h2; do
		openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 30 \
			-subj "/O=kipsec test/CN=$h" -keyout "$1/$h.key" -out "$1/$h.pem" \
			>"$KT_TMP/openssl-$h.out" 2>&1 || kt_fail "openssl for $h: $(cat "$KT_TMP/openssl-$h.out")"
	done
}

v1_charon_certs() {
	local sw=$KT_IKE_DIR/$1/swanctl
	sed -i 's/^  load = pem pkcs1 pkcs8 x509 pubkey$/  load = pem pkcs1 pkcs8 x509 pubkey openssl/' \
		"$KT_IKE_DIR/$1/strongswan.conf"
	mkdir -p "$sw/x509" "$sw/private"
	cp "$2/h1.pem" "$2/h2.pem" "$sw/x509/"
	cp "$2/h2.key" "$sw/private/"
}
