# SPDX-License-Identifier: BSD-2-Clause
# kt-timeout: 300
# ikd against ikd in IKEv1 with RSA signatures: the seed's UnixWare pair
# (appendix B.3 elmer = h1, B.4 relent = h2). Certificates made with the
# seed's openssl commands (self-signed RSA-1024, SHA-1 request), each
# host's copied into the other's certificate directory; racoon.conf as
# the seed writes it, only the addresses and the directory adapted:
#  - Aggressive Mode as written: both logs say "ISAKMP-SA established"
#    with rsasig and the peer's certificate verified, Quick Mode follows,
#    the ping flows and the wire shows ISAKMP then only ESP;
#  - the same with exchange_mode main (the only change).
# The policies are esp/transport//require between the two hosts (the
# seed's sainfo asks for deflate, which Quick Mode does not negotiate
# yet: compression is ignored).
. "$KT_TOP/tests/vm/lib.sh"
. "$KT_TOP/tests/guest/ikd.bash"

setkey=$KT_BUILD/bin/setkey
kt_load_kipsec
modprobe -a cbc hmac sha1 des3_ede 2>/dev/null
kt_topo_h2h wire
logs_out=${KT_OUT:+$KT_OUT/ike/ikd_v1_cert}
[ -n "$logs_out" ] && mkdir -p "$logs_out"
keep_logs() {
	[ -n "$logs_out" ] || return 0
	cp "$(ikd_log h1)" "$logs_out/h1-$1.log"
	cp "$(ikd_log h2)" "$logs_out/h2-$1.log"
}
trap 'keep_logs "${mode:-start}"; kt_cleanup' EXIT

# The seed's /usr/local/ssl/certs, one per host.
h1dir=$KT_TMP/h1-certs h2dir=$KT_TMP/h2-certs

# make_cert DIR NAME CN: the seed's commands in DIR; openssl req's
# questions answered on stdin (country .. CN, email, challenge, company).
make_cert() {
	mkdir -p "$1"
	(
		cd "$1" || exit 1
		printf 'US\n.\n.\nkipsec test\n.\n%s\n.\n.\n.\n' "$3" |
		openssl req -new -nodes -newkey rsa:1024 -sha1 -keyform PEM \
			-keyout privkey.pem -out request.pem &&
		openssl x509 -req -in request.pem -signkey privkey.pem -out "$2"_cert.pem &&
		ln -s "$2"_cert.pem "$(openssl x509 -noout -hash -in "$2"_cert.pem)".0
	) >"$KT_TMP/openssl-$2.out" 2>&1 || {
		cat "$KT_TMP/openssl-$2.out" >&2
		kt_fail "the seed's openssl commands failed for $2"
	}
}
make_cert "$h1dir" elmer elmer.example
make_cert "$h2dir" relent relent.example
cp "$h1dir/elmer_cert.pem" "$h2dir/"
cp "$h2dir/relent_cert.pem" "$h1dir/"
kt_log "certificates: $(openssl x509 -noout -subject -in "$h1dir/elmer_cert.pem"), $(openssl x509 -noout -subject -in "$h2dir/relent_cert.pem")"

# conf HOST DIR PEER MINE THEIRS MODE: the seed's racoon.conf.
conf() {
	ikd_conf "$1" <<-EOF
	path certificate "$2" ;
	log debug;
	remote $3
	{
		exchange_mode $6 ;
		my_identifier asn1dn ;
		peers_identifier asn1dn ;
		certificate_type x509 "$4" "privkey.pem";
		peers_certfile "$5";
		lifetime time 1 hour ; # sec,min,hour

		# phase 1 proposal (for ISAKMP SA)
		proposal {
			encryption_algorithm 3des;
			hash_algorithm sha1;
			authentication_method rsasig ;
			dh_group 2 ;
		}

		# the configuration makes racoon (as a responder) to obey the
		# initiator's lifetime and PFS group proposal.
		# this makes testing so much easier.
		proposal_check obey;
	}

	# phase 2 proposal (for IPsec SA).
	# actual phase 2 proposal will obey the following items:
	# - kernel IPsec policy configuration (like "esp/transport//use)
	# - permutation of the crypto/hash/compression algorithms presented below
	sainfo anonymous
	{
		pfs_group 2;
		lifetime time 10 hour ;
		# lifetime byte 50 MB ;
		encryption_algorithm 3des, blowfish;
		authentication_algorithm hmac_sha1, hmac_md5 ;
		compression_algorithm deflate ;
	}
	EOF
	ip netns exec "$1" "$IKD" -n -f "$IKD_DIR/$1.conf" >"$KT_TMP/n-$1.out" 2>&1 || {
		cat "$KT_TMP/n-$1.out" >&2
		kt_fail "ikd -n refuses $1's configuration ($6)"
	}
}

for h in h1 h2; do
	if [ $h = h1 ]; then me=10.1.1.1 peer=20.1.1.1; else me=20.1.1.1 peer=10.1.1.1; fi
	ip netns exec $h "$setkey" -c <<-EOF || kt_fail "setkey on $h failed"
	spdadd $me $peer any -P out ipsec esp/transport//require;
	spdadd $peer $me any -P in ipsec esp/transport//require;
	EOF
done

# The kernel sets up 3DES and HMAC-SHA1 (and self-tests them) at their
# first SA: done here, once, rather than while Quick Mode's responder
# waits for its last message (which it would retransmit meanwhile).
for h in h1 h2; do
	ip netns exec $h "$setkey" -c <<-EOF || kt_fail "setkey warm-up on $h failed"
	add 192.0.2.1 192.0.2.2 esp 0x100 -E 3des-cbc "hogehogehogehogehogehoge" -A hmac-sha1 "hogehogehogehogehoge";
	delete 192.0.2.1 192.0.2.2 esp 0x100;
	EOF
done

nsas() { ip netns exec "$1" "$setkey" -D | grep -c 'state=mature'; }
nipsec_ge() { [ "$(grep -c 'IPsec-SA established' "$(ikd_log $1)")" -ge "$2" ]; }

run_mode() {
	mode=$1
	local exch=$2 cap=$KT_TMP/v1cert-$1.pcap out h
	conf h1 "$h1dir" 20.1.1.1 elmer_cert.pem relent_cert.pem "$mode"
	conf h2 "$h2dir" 10.1.1.1 relent_cert.pem elmer_cert.pem "$mode"
	: >"$(ikd_log h1)"; : >"$(ikd_log h2)"
	ikd_start h1 h1 -dd
	ikd_start h2 h2 -dd
	kt_capture_start wire h1-eth0 "$cap"
	ip netns exec h1 ping -n -c 1 -W 1 20.1.1.1 >/dev/null 2>&1
	kt_wait_for 60 nipsec_ge h1 2 || kt_fail "$mode: no IPsec-SA on h1 within 60 s"
	kt_wait_for 10 nipsec_ge h2 2 || kt_fail "$mode: no IPsec-SA on h2"
	out=$(ip netns exec h1 ping -n -c 3 -i 0.3 -W 3 20.1.1.1 2>&1) ||
		kt_fail "$mode: ping lost packets once the SAs were up: $out"
	kt_capture_stop
	kt_log "$mode: $(grep transmitted <<<"$out")"
	python3 - "$cap" "$exch" <<-'EOF' || kt_fail "$mode: the wire is not ISAKMP then ESP"
	import struct, sys
	data = open(sys.argv[1], "rb").read()
	end = "<" if struct.unpack("<I", data[:4])[0] in (0xA1B2C3D4, 0xA1B23C4D) else ">"
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
	        kinds.append(l4[8 + 18])
	    else:
	        kinds.append("clear")
	assert "clear" not in kinds, kinds
	assert "esp" in kinds, kinds
	first = kinds.index("esp")
	ike = kinds[:first]
	assert all(k == "esp" for k in kinds[first:]), kinds
	assert ike and ike[0] == int(sys.argv[2]) and 32 in ike, ike
	print(f"# ISAKMP exchanges {ike}, then {len(kinds) - first} ESP packets, nothing in clear")
	EOF
	[ "$(nsas h1)" = 2 ] || kt_fail "$mode: h1 has $(nsas h1) mature ESP SAs, want 2"
	[ "$(nsas h2)" = 2 ] || kt_fail "$mode: h2 has $(nsas h2) mature ESP SAs, want 2"
	for h in h1 h2; do
		grep -q 'ISAKMP-SA established.*rsasig' "$(ikd_log $h)" ||
			kt_fail "$mode: $h's log does not say ISAKMP-SA established with rsasig"
		grep -q 'SIG verified' "$(ikd_log $h)" ||
			kt_fail "$mode: $h did not verify the peer's SIG"
		grep -q 'IPsec-SA established: ESP/Transport' "$(ikd_log $h)" ||
			kt_fail "$mode: $h's log does not say IPsec-SA established"
	done
	grep -E 'established|SIG verified' "$(ikd_log h1)" | sed 's/^/#   /'
	ikd_stop h1
	ikd_stop h2
	keep_logs "$mode"
	for h in h1 h2; do
		ip netns exec $h "$setkey" -F || kt_fail "setkey -F on $h"
	done
}

run_mode aggressive 4
run_mode main 2
