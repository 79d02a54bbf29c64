// SPDX-License-Identifier: BSD-2-Clause
/*
 * ikd's racoon.conf, bad input: each class of error with its exact
 * FILE:LINE:COL message and the number of errors the input gives; several
 * errors in one file are all reported; bytes that are no text.
 */
#include "ikd_conf_test.h"

/* ------------------------------------------------------------------------
 * Errors: each with its exact position; nerrors counts all of them.
 */
struct bad {
	const char *src;
	const char *diag;	/* the first one */
	size_t nerrors;
};

static const struct bad bad[] = {
	/* unknown and misplaced statements */
	{ "foo bar;\n", "t.conf:1:1: error: unknown statement 'foo'", 1 },
	{ "foo { bar; }\nbaz;\n", "t.conf:1:1: error: unknown statement 'foo'",
	  2 },
	{ RA "pfs_group 2;\n" P1 "}\n",
	  "t.conf:3:1: error: unexpected 'pfs_group': pfs_group belongs in a "
	  "sainfo block", 1 },
	{ "esp_frag 552;\n", "t.conf:1:1: error: esp_frag is not allowed "
	  "here: it belongs in a remote block", 1 },
	{ "ldapcfg { host \"h\"; hots \"h\"; }\n",
	  "t.conf:1:21: error: unknown statement 'hots' in ldapcfg", 1 },
	{ "pfkey_buffer \"x\";\n", "t.conf:1:14: error: bad pfkey_buffer "
	  "statement (expected pfkey_buffer NUMBER;)", 1 },
	{ "privsep;\n", "t.conf:1:1: error: privsep needs a { } block", 1 },
	/* syntax */
	{ "log debug\nremote anonymous { }\n",
	  "t.conf:2:1: error: unexpected 'remote' (expected ';')", 1 },
	{ "path certificate \"/x\n",
	  "t.conf:1:18: error: this string has no closing '\"'", 2 },
	{ "log debug;\n@\n", "t.conf:2:1: error: unexpected character '@'",
	  1 },
	{ RA P1, "t.conf:4:1: error: unexpected end of file: the '{' at 1:18 "
	  "has no '}'", 1 },
	/* values */
	{ "log verbose;\n", "t.conf:1:5: error: unknown log level 'verbose' "
	  "(error, warning, notify, info, debug or debug2)", 1 },
	{ "path keys \"/x\";\n", "t.conf:1:6: error: unknown path type 'keys' "
	  "(include, pre_shared_key, certificate, pidfile, backupsa or "
	  "script)", 1 },
	{ RA "passive yes;\n" P1 "}\n",
	  "t.conf:3:9: error: expected on or off, found 'yes'", 1 },
	{ RA "nat_traversal maybe;\n" P1 "}\n",
	  "t.conf:3:15: error: expected on, off or force, found 'maybe'", 1 },
	{ RA "interface \"ipsec/0\";\n" P1 "}\n",
	  "t.conf:3:11: error: interface \"ipsec/0\" is not a valid interface "
	  "name (1 to 15 characters, none of '/', ':' or blanks)", 1 },
	{ RA "interface abcdefghijklmnop;\n" P1 "}\n",
	  "t.conf:3:11: error: interface \"abcdefghijklmnop\" is not a valid "
	  "interface name (1 to 15 characters, none of '/', ':' or blanks)",
	  1 },
	{ RA "interface ipsec0 { local 10.1.0.1/16; }\n" P1 "}\n",
	  "t.conf:3:26: error: 10.1.0.1/16 has bits set beyond its prefix "
	  "length", 1 },
	{ RA "interface ipsec0 { remote 10.1.0.0/33; }\n" P1 "}\n",
	  "t.conf:3:35: error: prefix length 33 is more than 32", 1 },
	{ RA "interface ipsec0 { peer 10.1.0.0/16; }\n" P1 "}\n",
	  "t.conf:3:20: error: an interface block has 'local' and 'remote' "
	  "lines, not 'peer'", 1 },
	{ RA "interface ipsec0 { local 1.0.0.0/8 2.0.0.0/8 3.0.0.0/8 4.0.0.0/8 "
	  "5.0.0.0/8; }\n" P1 "}\n",
	  "t.conf:3:66: error: an interface takes at most 4 local selectors",
	  1 },
	{ RA "interface;\n" P1 "}\n",
	  "t.conf:3:10: error: unexpected ';' (expected a word or a quoted "
	  "string)", 1 },
	{ RA "nonce_size 4;\n" P1 "}\n",
	  "t.conf:3:12: error: nonce_size must be between 8 and 256, not 4",
	  1 },
	{ RA "exchange_mode main, turbo;\n" P1 "}\n",
	  "t.conf:3:21: error: unknown exchange mode 'turbo' (main, "
	  "aggressive or base)", 1 },
	{ RA "lifetime time 4294967296 hours;\n" P1 "}\n",
	  "t.conf:3:15: error: 4294967296 hours is too long (at most "
	  "4294967295 seconds)", 1 },
	{ RA "lifetime time 99999999999999999999 sec;\n" P1 "}\n",
	  "t.conf:3:15: error: 99999999999999999999 sec is too long (at most "
	  "4294967295 seconds)", 1 },
	{ RA "lifetime time 1;\n" P1 "}\n",
	  "t.conf:3:15: error: 1 needs a time unit (sec, min, hour) after it",
	  1 },
	{ RA "lifetime time 1 day;\n" P1 "}\n",
	  "t.conf:3:17: error: expected a time unit (sec, min, hour), found "
	  "'day'", 1 },
	{ SA "lifetime byte 100 B;\n}\n",
	  "t.conf:4:15: error: a byte lifetime must be at least 1 KB", 1 },
	{ RA "proposal { encryption_algorithm rot13; hash_algorithm sha1; "
	  "authentication_method pre_shared_key; dh_group 2; }\n}\n",
	  "t.conf:3:33: error: unknown encryption_algorithm 'rot13' (one of "
	  "des, 3des, rc5, idea, cast128, blowfish, aes, rijndael, camellia, "
	  "aes_gcm_16, chacha20_poly1305)",
	  1 },
	{ RA "proposal { encryption_algorithm aes 100; hash_algorithm sha1; "
	  "authentication_method pre_shared_key; dh_group 2; }\n}\n",
	  "t.conf:3:37: error: aes takes a key of 128, 192 or 256 bits, not "
	  "100", 1 },
	{ RA "proposal { encryption_algorithm 3des 192; hash_algorithm sha1; "
	  "authentication_method pre_shared_key; dh_group 2; }\n}\n",
	  "t.conf:3:38: error: 3des has a fixed key length: drop '192'", 1 },
	{ RA "proposal { encryption_algorithm des_iv64; hash_algorithm sha1; "
	  "authentication_method pre_shared_key; dh_group 2; }\n}\n",
	  "t.conf:3:33: error: des_iv64 is a phase 2 algorithm: it goes in a "
	  "sainfo block", 1 },
	{ RA "proposal { encryption_algorithm aes; hash_algorithm sha1; "
	  "authentication_method pre_shared_key; dh_group 7; }\n}\n",
	  "t.conf:3:106: error: DH group 7 is not supported (1, 2, 3, 4, 5, "
	  "14 to 21 or 31)", 1 },
	{ RA "proposal { encryption_algorithm aes; hash_algorithm sha1; "
	  "authentication_method pre_shared_key; dh_group modp9999; }\n}\n",
	  "t.conf:3:106: error: unknown DH group 'modp9999' (a number, or "
	  "modp768 ... modp8192, ecp256, ecp384, ecp521, curve25519)", 1 },
	{ SA "authentication_algorithm sha1;\n}\n",
	  "t.conf:4:26: error: sha1 is a phase 1 hash_algorithm; in "
	  "authentication_algorithm write hmac_sha1", 1 },
	{ SA "encryption_algorithm hmac_md5;\n}\n",
	  "t.conf:4:22: error: hmac_md5 does not go in encryption_algorithm: "
	  "it is for authentication_algorithm", 1 },
	{ SA "hash_algorithm sha1;\n}\n",
	  "t.conf:4:1: error: hash_algorithm belongs in a proposal block", 1 },
	{ "remote 10.0.0.256 { }\n",
	  "t.conf:1:8: error: '10.0.0.256' is not an IPv4 or IPv6 address", 1 },
	{ "listen { isakmp 192.0.2.1 [70000]; }\n",
	  "t.conf:1:27: error: port [70000] is out of range (0-65535)", 1 },
	{ "listen { isakmp fe80::1%eth0; }\n",
	  "t.conf:1:17: error: fe80::1%eth0: scoped addresses (%zone) are not "
	  "supported", 1 },
	{ "listen { isakmp 192.0.2.1; isakmp 192.0.2.1 [500]; }\n",
	  "t.conf:1:35: error: 192.0.2.1[500] is listed already at "
	  "t.conf:1:10", 1 },
	{ "listen { adminsock \"/s\" \"root\" \"wheel\" 0998; }\n",
	  "t.conf:1:40: error: mode 0998 is not an octal mode like 0660", 1 },
	{ "sainfo address 10.0.0.0/33 any anonymous {\nencryption_algorithm "
	  "aes;\nauthentication_algorithm hmac_sha1;\n}\n",
	  "t.conf:1:24: error: prefix length 33 is more than 32", 1 },
	{ "sainfo address 10.0.0.0/8 any address 2001:db8::/32 any {\n"
	  "encryption_algorithm aes;\nauthentication_algorithm hmac_sha1;\n}\n",
	  "t.conf:1:31: error: the local id is IPv4 and the remote id IPv6: a "
	  "sainfo's ids must be of one address family", 1 },
	{ "sainfo address 10.0.0.1 [7] icmp anonymous {\nencryption_algorithm "
	  "aes;\nauthentication_algorithm hmac_sha1;\n}\n",
	  "t.conf:1:25: error: with icmp the port must be [any]", 1 },
	{ "sainfo address 2001:db8::1 icmp anonymous {\nencryption_algorithm "
	  "aes;\nauthentication_algorithm hmac_sha1;\n}\n",
	  "t.conf:1:28: error: icmp does not go with an IPv6 address", 1 },
	{ "sainfo address 10.0.0.9-10.0.0.1 any anonymous {\n"
	  "encryption_algorithm aes;\nauthentication_algorithm hmac_sha1;\n}\n",
	  "t.conf:1:25: error: this range ends before it starts (10.0.0.9)",
	  1 },
	{ "sainfo address 10.0.0.0/8 address 10.1.0.0/16 any {\n"
	  "encryption_algorithm aes;\nauthentication_algorithm hmac_sha1;\n}\n",
	  "t.conf:1:27: error: 10.0.0.0 needs an upper-layer protocol (any, "
	  "tcp, udp, icmp, icmp6, ... or a number) before 'address'", 1 },
	{ "sainfo asn1dn \"C=XX\" anonymous {\nencryption_algorithm aes;\n"
	  "authentication_algorithm hmac_sha1;\n}\n",
	  "t.conf:1:8: error: asn1dn cannot be a sainfo id", 1 },
	{ "sainfo anonymous {\npfs_group 2;\n}\n",
	  "t.conf:1:1: error: this sainfo needs encryption_algorithm", 2 },
	{ "sainfo anonymous {\nencryption_algorithm aes;\n}\n",
	  "t.conf:1:1: error: this sainfo needs authentication_algorithm "
	  "(non_auth for none)", 1 },
	{ "sainfo address 10.0.0.0/8 any anonymous {\nencryption_algorithm "
	  "aes;\nauthentication_algorithm hmac_sha1;\n}\nsainfo address "
	  "10.0.0.0/8 any anonymous {\nencryption_algorithm aes;\n"
	  "authentication_algorithm hmac_sha1;\n}\n",
	  "t.conf:5:1: error: a sainfo with these ids is defined already at "
	  "t.conf:1:1", 1 },
	/* remote blocks as a whole */
	{ "remote anonymous {\n" P1 "}\n",
	  "t.conf:1:1: error: remote anonymous needs exchange_mode (IKEv1) or "
	  "ike_version 2", 1 },
	{ RA "}\n", "t.conf:1:1: error: remote anonymous has no proposal", 1 },
	{ RA "proposal { encryption_algorithm aes; dh_group 2; }\n}\n",
	  "t.conf:3:1: error: this proposal needs hash_algorithm and "
	  "authentication_method", 1 },
	{ RA "ike_version 3;\n" P1 "}\n",
	  "t.conf:3:13: error: ike_version must be between 1 and 2, not 3", 1 },
	{ "remote anonymous {\nike_version 2;\nnonce_size 8;\n" P1 "}\n",
	  "t.conf:3:1: error: IKEv2 nonces are at least 16 bytes (RFC 7296 "
	  "2.10)", 1 },
	{ RA "dh_group 2;\n" P1 "}\n",
	  "t.conf:3:1: error: dh_group goes in a proposal block, not directly "
	  "in remote", 1 },
	{ "remote anonymous {\nexchange_mode aggressive;\n" P1
	  "proposal { encryption_algorithm aes; hash_algorithm sha1; "
	  "authentication_method pre_shared_key; dh_group 14; }\n}\n",
	  "t.conf:4:97: error: with aggressive mode every proposal needs the "
	  "same dh_group (2, as at t.conf:3:97)", 1 },
	{ RA "my_identifier asn1dn;\n" P1 "}\n",
	  "t.conf:3:1: error: my_identifier asn1dn without a DN takes the "
	  "certificate's subject: add certificate_type x509 or write the DN",
	  1 },
	{ RA "my_identifier fqdn;\n" P1 "}\n",
	  "t.conf:3:15: error: fqdn needs a quoted value", 1 },
	{ RA "my_identifier address tag \"x\";\n" P1 "}\n",
	  "t.conf:3:23: error: unexpected 'tag': only keyid takes a qualifier "
	  "(file or tag)", 1 },
	{ RA "my_identifier email \"x\";\n" P1 "}\n",
	  "t.conf:3:15: error: unknown identifier type 'email' (address, "
	  "fqdn, user_fqdn, keyid or asn1dn)", 1 },
	{ RA "certificate_type pem \"a\" \"b\";\n" P1 "}\n",
	  "t.conf:3:18: error: unknown certificate type 'pem' (x509 or "
	  "plain_rsa)", 1 },
	{ RA "certificate_type x509 \"a\";\n" P1 "}\n",
	  "t.conf:3:1: error: certificate_type x509's private key needs a "
	  "quoted file name", 1 },
	{ "remote anonymous {\nexchange_mode main;\nproposal { "
	  "encryption_algorithm aes; hash_algorithm sha1; "
	  "authentication_method rsasig; dh_group 2; }\n}\n",
	  "t.conf:1:1: error: remote anonymous authenticates with rsasig but "
	  "has no certificate_type x509", 1 },
	{ "remote 10.0.0.1 {\nremote_address 10.0.0.2;\nexchange_mode main;\n"
	  P1 "}\n", "t.conf:2:1: error: remote_address is for a remote block "
	  "with a name; this one is selected by its address already", 1 },
	{ "remote 10.0.0.1 inherit \"nope\";\n",
	  "t.conf:1:25: error: no earlier remote block \"nope\" to inherit "
	  "from", 1 },
	{ "remote 10.0.0.1;\n", "t.conf:1:16: error: remote 10.0.0.1 needs a "
	  "{ } block (only a block that inherits may end with ';')", 1 },
	{ RA P1 "}\n" RA P1 "}\n",
	  "t.conf:5:1: error: a remote block for anonymous peers is defined "
	  "already at t.conf:1:1", 1 },
	{ "remote 10.0.0.1 {\nexchange_mode main;\n" P1 "}\n"
	  "remote \"x\" {\nremote_address 10.0.0.1;\nexchange_mode main;\n"
	  P1 "}\n",
	  "t.conf:5:1: error: a remote block for 10.0.0.1 is defined already "
	  "at t.conf:1:1", 1 },
	{ "remote \"x\" {\nexchange_mode main;\n" P1 "}\n"
	  "remote \"x\" {\nexchange_mode main;\n" P1 "}\n",
	  "t.conf:5:1: error: remote \"x\" is defined already at t.conf:1:1",
	  1 },
	/* error recovery takes the second header's "from" into the first
	 * block: the first one's value must not leak (LSan checks) */
	{ "sainfo anonymous from fqdn \"p\" x;\n"
	  "sainfo anonymous from fqdn \"qq\" x;\n",
	  "t.conf:1:32: error: unexpected 'x' (expected '{')", 2 },
	/* includes need a file */
	{ "include \"other.conf\";\n", "t.conf:1:9: error: include "
	  "\"other.conf\" cannot be read: this configuration is not a file",
	  1 },
};

static void test_errors(void **state)
{
	size_t failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = strlen(bad[i].src);
		struct ikd_conf *c;

		ikd_diag_free(&D);
		assert_int_equal(ikd_conf_load_buffer("t.conf", bad[i].src, len,
						      &c, &D), -EINVAL);
		assert_null(c);
		if (D.n == 0 || strcmp(diag(0), bad[i].diag) ||
		    D.nerrors != bad[i].nerrors) {
			ikd_diag_print(&D, stderr);
			fprintf(stderr, "entry %zu:\n  got:  %s (%zu errors)\n"
				"  want: %s (%zu)\n", i, diag(0), D.nerrors,
				bad[i].diag, bad[i].nerrors);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

/* Bytes above 0x7f: fine in strings (UTF-8 paths), refused elsewhere. */
static void test_high_bytes(void **state)
{
	struct ikd_conf *c;

	(void)state;
	c = load("path certificate \"/etc/ik\xc3\xa9" "d\";\n");
	assert_non_null(c);
	assert_string_equal(c->path_cert, "/etc/ik\xc3\xa9" "d");
	ikd_conf_free(c);
	assert_null(load("log \xb6" "debug;\n"));
	EXPECT_DIAGS("t.conf:1:5: error: unexpected byte 0xb6");
}

static void test_nul_byte(void **state)
{
	static const char text[] = "log\0 debug;\nlog info;\n";
	struct ikd_conf *c;

	(void)state;
	ikd_diag_free(&D);
	assert_int_equal(ikd_conf_load_buffer("t.conf", text, sizeof(text) - 1,
					      &c, &D), -EINVAL);
	EXPECT_DIAGS("t.conf:1:4: error: a NUL byte: this is not a text file",
		     "t.conf:2:5: warning: log given again: this replaces "
		     "t.conf:1:6");
}

/* Several errors in one file: all reported, each at its statement. */
static void test_errors_collected(void **state)
{
	(void)state;
	assert_null(load("log loud;\n"
			 "path x \"y\";\n"
			 RA "passive maybe;\nnonce_size 1000;\n" P1 "}\n"
			 "timer { counter 3 sec; phase1 0 sec; }\n"));
	EXPECT_DIAGS(
		"t.conf:1:5: error: unknown log level 'loud' (error, warning, "
		"notify, info, debug or debug2)",
		"t.conf:2:6: error: unknown path type 'x' (include, "
		"pre_shared_key, certificate, pidfile, backupsa or script)",
		"t.conf:5:9: error: expected on or off, found 'maybe'",
		"t.conf:6:12: error: nonce_size must be between 8 and 256, not "
		"1000",
		"t.conf:9:19: error: counter is a count: drop 'sec'",
		"t.conf:9:31: error: phase1 must be at least 1 second");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_errors, teardown),
		cmocka_unit_test_teardown(test_high_bytes, teardown),
		cmocka_unit_test_teardown(test_nul_byte, teardown),
		cmocka_unit_test_teardown(test_errors_collected, teardown),
	};

	ikd_diag_init(&D);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
