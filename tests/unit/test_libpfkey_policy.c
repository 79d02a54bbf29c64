// SPDX-License-Identifier: BSD-2-Clause
/*
 * KAME policy strings: parse -> blob -> dump -> parse gives the same blob,
 * the dump text is exactly KAME's, and bad strings report an offset.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include <kipsec/libpfkey.h>

struct rt_case {
	const char *in;		/* what a user writes */
	const char *out;	/* what ipsec_dump_policy prints (" " delim) */
};

static const struct rt_case rt_cases[] = {
	/* Non-ipsec actions. */
	{ "in discard", "in discard" },
	{ "out none", "out none" },
	{ "in bypass", "in bypass" },
	{ "out entrust", "out entrust" },
	{ "fwd discard", "fwd discard" },
	{ "out ipsec", "out ipsec" },
	/* One request, transport, each level. */
	{ "out ipsec esp/transport//use", "out ipsec esp/transport//use" },
	{ "out ipsec esp/transport//require",
	  "out ipsec esp/transport//require" },
	{ "out ipsec ah/transport//default", "out ipsec ah/transport//default" },
	{ "in ipsec esp/transport//unique", "in ipsec esp/transport//unique" },
	{ "in ipsec esp/transport//unique:12",
	  "in ipsec esp/transport//unique:12" },
	/* Short forms default the level, as ipsec-tools does. */
	{ "out ipsec esp/transport", "out ipsec esp/transport//default" },
	{ "out ipsec esp/transport/", "out ipsec esp/transport//default" },
	{ "out ipsec esp/transport//", "out ipsec esp/transport//default" },
	/* Tunnel, IPv4 and IPv6 endpoints. */
	{ "out ipsec esp/tunnel/10.0.0.1-10.0.0.2/require",
	  "out ipsec esp/tunnel/10.0.0.1-10.0.0.2/require" },
	{ "in ipsec esp/tunnel/2001:db8::1-2001:db8::2/use",
	  "in ipsec esp/tunnel/2001:db8::1-2001:db8::2/use" },
	{ "in ipsec ah/tunnel/fe80::1%2-fe80::2%2/require",
	  "in ipsec ah/tunnel/fe80::1%2-fe80::2%2/require" },
	{ "in ipsec esp/transport/2001:db8::1-2001:db8::2/require",
	  "in ipsec esp/transport/2001:db8::1-2001:db8::2/require" },
	{ "out ipsec esp/tunnel/1.2.3.4-5.6.7.8",
	  "out ipsec esp/tunnel/1.2.3.4-5.6.7.8/default" },
	/* Transport with endpoints, me-any: accepted like ipsec-tools. */
	{ "out ipsec esp/transport/1.1.1.1-2.2.2.2/use",
	  "out ipsec esp/transport/1.1.1.1-2.2.2.2/use" },
	{ "out ipsec esp/transport/me-any/use",
	  "out ipsec esp/transport//use" },
	/* Bundles of 2, 3, 4 requests. */
	{ "out ipsec esp/transport//use ah/transport//use",
	  "out ipsec esp/transport//use ah/transport//use" },
	{ "out ipsec ipcomp/tunnel/10.0.0.1-10.0.0.2/use "
	  "esp/transport//require ah/transport//require",
	  "out ipsec ipcomp/tunnel/10.0.0.1-10.0.0.2/use "
	  "esp/transport//require ah/transport//require" },
	{ "out ipsec esp/tunnel/10.0.0.100-10.0.0.110/use "
	  "ah/tunnel/10.0.0.100-10.0.0.110/use "
	  "esp/tunnel/2001:db8::1-2001:db8::2/unique:3 "
	  "ah/transport//unique#20000",
	  "out ipsec esp/tunnel/10.0.0.100-10.0.0.110/use "
	  "ah/tunnel/10.0.0.100-10.0.0.110/use "
	  "esp/tunnel/2001:db8::1-2001:db8::2/unique:3 "
	  "ah/transport//unique#20000" },
	/* Reqids: manual print ':', kernel-chosen print '#'. */
	{ "out ipsec esp/transport//unique:16383",
	  "out ipsec esp/transport//unique:16383" },
	{ "out ipsec esp/transport//unique:16384",
	  "out ipsec esp/transport//unique#16384" },
	{ "out ipsec esp/transport//use:5", "out ipsec esp/transport//use:5" },
	/* Priorities, ipsec-tools' spellings. */
	{ "in priority 10 ipsec esp/transport//require",
	  "in prio def + 10 ipsec esp/transport//require" },
	{ "in prio -7 discard", "in prio def - 7 discard" },
	{ "out prio high ipsec esp/transport//use",
	  "out prio high ipsec esp/transport//use" },
	{ "out prio high - 5 none", "out prio high - 5 none" },
	{ "out prio low + 3 bypass", "out prio low + 3 bypass" },
	{ "out priority low-3 bypass", "out prio low - 3 bypass" },
	{ "fwd prio def + 1000 ipsec esp/tunnel/1.2.3.4-5.6.7.8/require",
	  "fwd prio def + 1000 ipsec esp/tunnel/1.2.3.4-5.6.7.8/require" },
	/* The default priority prints as KAME prints no priority. */
	{ "in prio def ipsec ah/transport//use", "in ipsec ah/transport//use" },
	{ "in priority 0 none", "in none" },
	/* Whitespace between tokens is free, as in ipsec-tools' lexer. */
	{ "  out\tipsec\n esp / transport // require ",
	  "out ipsec esp/transport//require" },
};

/* parse -> blob -> dump -> parse -> identical blob, and exact text. */
static void test_round_trip(void **state)
{
	const struct rt_case *c = *state;
	char *b1, *b2, *t1, *t2;
	int l1, l2;

	b1 = ipsec_set_policy(c->in, (int)strlen(c->in));
	if (!b1)
		fail_msg("\"%s\": %s", c->in, ipsec_strerror());
	assert_string_equal(ipsec_strerror(), "Success");
	l1 = ipsec_get_policylen(b1);
	assert_int_equal(l1 % 8, 0);
	assert_int_equal(pfkey_policy_validate(b1, (size_t)l1), 0);
	t1 = ipsec_dump_policy(b1, NULL);
	assert_non_null(t1);
	assert_string_equal(t1, c->out);
	b2 = ipsec_set_policy(t1, (int)strlen(t1));
	if (!b2)
		fail_msg("dump \"%s\" does not read back: %s", t1,
			 ipsec_strerror());
	l2 = ipsec_get_policylen(b2);
	assert_int_equal(l1, l2);
	assert_memory_equal(b1, b2, (size_t)l1);
	t2 = ipsec_dump_policy(b2, " ");
	assert_string_equal(t1, t2);
	free(b1);
	free(b2);
	free(t1);
	free(t2);
}

static void test_kame_format(void **state)
{
	char *b, *t;

	(void)state;
	/* setkey -DP prints with "\n\t" between the pieces. */
	b = ipsec_set_policy("in ipsec esp/transport//require", -1);
	t = ipsec_dump_policy(b, "\n\t");
	assert_string_equal(t, "in ipsec\n\tesp/transport//require");
	free(t);
	free(b);
	b = ipsec_set_policy("out ipsec esp/tunnel/10.0.0.1-10.0.0.2/require "
			     "ah/transport//use", -1);
	t = ipsec_dump_policy(b, "\n\t");
	assert_string_equal(t, "out ipsec\n\tesp/tunnel/10.0.0.1-10.0.0.2/"
			       "require\n\tah/transport//use");
	free(t);
	free(b);
}

static void test_blob_layout(void **state)
{
	const struct sadb_x_policy *xp;
	const struct sadb_x_ipsecrequest *r;
	const struct sockaddr *s, *d;
	char *b;

	(void)state;
	b = ipsec_set_policy("out ipsec esp/tunnel/10.0.0.1-10.0.0.2/unique:9 "
			     "ah/transport//use", -1);
	assert_non_null(b);
	xp = (const void *)b;
	assert_int_equal(xp->sadb_x_policy_exttype, SADB_X_EXT_POLICY);
	assert_int_equal(xp->sadb_x_policy_type, IPSEC_POLICY_IPSEC);
	assert_int_equal(xp->sadb_x_policy_dir, IPSEC_DIR_OUTBOUND);
	assert_int_equal(xp->sadb_x_policy_priority, PFKEY_PRIORITY_DEFAULT);
	/* 16 + (16 + 2*16) + 16 bytes. */
	assert_int_equal(xp->sadb_x_policy_len, 10);
	r = pfkey_policy_next_request(xp, NULL);
	assert_int_equal(r->sadb_x_ipsecrequest_len, 48);
	assert_int_equal(r->sadb_x_ipsecrequest_proto, IPPROTO_ESP);
	assert_int_equal(r->sadb_x_ipsecrequest_mode, IPSEC_MODE_TUNNEL);
	assert_int_equal(r->sadb_x_ipsecrequest_level, IPSEC_LEVEL_UNIQUE);
	assert_int_equal(r->sadb_x_ipsecrequest_reqid, 9);
	assert_int_equal(pfkey_request_addrs(r, &s, &d), 0);
	assert_int_equal(((const struct sockaddr_in *)d)->sin_addr.s_addr,
			 inet_addr("10.0.0.2"));
	r = pfkey_policy_next_request(xp, r);
	assert_int_equal(r->sadb_x_ipsecrequest_len, 16);
	assert_int_equal(r->sadb_x_ipsecrequest_proto, IPPROTO_AH);
	assert_int_equal(pfkey_request_addrs(r, &s, &d), -ENOENT);
	assert_null(pfkey_policy_next_request(xp, r));
	free(b);

	/* Priority arithmetic: positive offsets search earlier. */
	b = ipsec_set_policy("in priority 10 discard", -1);
	assert_int_equal(((const struct sadb_x_policy *)b)
			 ->sadb_x_policy_priority, PFKEY_PRIORITY_DEFAULT - 10);
	free(b);
	b = ipsec_set_policy("in prio high + 5 discard", -1);
	assert_int_equal(((const struct sadb_x_policy *)b)
			 ->sadb_x_policy_priority, PFKEY_PRIORITY_HIGH - 5);
	free(b);
	/* Direction only (a spddelete selector): priority 0. */
	b = ipsec_set_policy("out", -1);
	assert_int_equal(((const struct sadb_x_policy *)b)
			 ->sadb_x_policy_priority, 0);
	free(b);
}

/*
 * What setsockopt(IP_IPSEC_POLICY) gets (docs/socket-policy.md): the
 * exact bytes, which tests/guest/sockpolicy.sh also writes by hand, and
 * the dump of a blob made by hand reads as KAME prints it.
 */
static void test_socket_blobs(void **state)
{
	static const unsigned char bypass[16] = {
		0x02, 0x00, 0x12, 0x00, 0x04, 0x00, 0x01, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80,
	};
	static const unsigned char esp[32] = {
		0x04, 0x00, 0x12, 0x00, 0x02, 0x00, 0x02, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80,
		0x10, 0x00, 0x32, 0x00, 0x01, 0x02, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	uint64_t hand[4];
	char *b, *t;

	(void)state;
	b = ipsec_set_policy("in bypass", -1);
	assert_non_null(b);
	assert_int_equal(ipsec_get_policylen(b), sizeof(bypass));
	assert_memory_equal(b, bypass, sizeof(bypass));
	free(b);
	b = ipsec_set_policy("out ipsec esp/transport//require", -1);
	assert_non_null(b);
	assert_int_equal(ipsec_get_policylen(b), sizeof(esp));
	assert_memory_equal(b, esp, sizeof(esp));
	free(b);

	memcpy(hand, esp, sizeof(esp));
	t = ipsec_dump_policy((const char *)hand, NULL);
	assert_non_null(t);
	assert_string_equal(t, "out ipsec esp/transport//require");
	free(t);
	/* A request that runs past the blob is refused, not printed. */
	((unsigned char *)hand)[16] = 0x20;
	assert_null(ipsec_dump_policy((const char *)hand, NULL));
	assert_int_equal(ipsec_get_policylen(NULL), -1);
}

struct bad_case {
	const char *in;
	size_t off;		/* expected error offset */
	const char *text;	/* substring of the error text */
};

static const struct bad_case bad_cases[] = {
	{ "", 0, "empty policy" },
	{ "sideways discard", 0, "invalid direction" },
	{ "in frobnicate", 3, "invalid policy action" },
	{ "in priority", 11, "missing priority value" },
	{ "in priority x ipsec", 12, "priority must be" },
	{ "in priority 2147483648 ipsec", 12, "out of range" },
	{ "in prio high + 1073741824 none", 15, "priority out of range" },
	{ "in prio low - 1073741824 none", 14, "priority offset out of range" },
	{ "in discard esp/transport//use", 11, "only allowed after ipsec" },
	{ "out ipsec foo/transport//use", 10, "unknown ipsec protocol" },
	{ "out ipsec esp", 13, "too few arguments" },
	{ "out ipsec esp/", 14, "missing mode" },
	{ "out ipsec esp/sideways//use", 14, "unknown ipsec mode" },
	{ "out ipsec esp/tunnel//require", 14, "tunnel mode needs endpoint" },
	{ "out ipsec esp/tunnel/require", 21, "expected src-dst" },
	{ "out ipsec esp/transport//sometimes", 25, "unknown ipsec level" },
	{ "out ipsec esp/transport//unique:abc", 32, "invalid reqid" },
	{ "out ipsec esp/transport//unique:4294967296", 32, "invalid reqid" },
	{ "out ipsec esp/tunnel/1.2.3.300-1.2.3.4/use", 21,
	  "invalid IP address" },
	{ "out ipsec esp/tunnel/1.2.3.4-1.2.3/use", 29, "invalid IP address" },
	{ "out ipsec esp/tunnel/1.2.3.4-::1/use", 29, "family mismatch" },
	{ "out ipsec esp/tunnel/1.2.3.4-", 29, "missing destination" },
	{ "in ipsec esp/transport/me-any/use", 23, "only valid for out" },
	{ "out ipsec esp/transport/any-me/use", 24, "only valid for in" },
	{ "out ipsec esp/transport//use $", 29, "unknown ipsec protocol" },
	{ "out ipsec esp/transport//use ah/transport//use esp/transport//use "
	  "ah/transport//use esp/transport//use ah/transport//use "
	  "esp/transport//use ah/transport//use esp/transport//use", 158,
	  "too many" },
};

static void test_bad(void **state)
{
	const struct bad_case *c = *state;
	size_t off = 12345;
	const char *text = NULL;
	char *b;

	b = pfkey_policy_parse(c->in, strlen(c->in), &off, &text);
	if (b)
		fail_msg("\"%s\" was accepted", c->in);
	assert_non_null(text);
	if (off != c->off || !strstr(text, c->text))
		fail_msg("\"%s\": got offset %zu \"%s\", want %zu \"%s\"", c->in,
			 off, text, c->off, c->text);
	/* The KAME interface reports the same text. */
	assert_null(ipsec_set_policy(c->in, (int)strlen(c->in)));
	assert_string_equal(ipsec_strerror(), text);
}

static void test_len_bounds(void **state)
{
	const char *s = "in discardXXX";
	size_t off;
	const char *text;
	char *b;

	(void)state;
	/* len limits what is read; the text need not be NUL-terminated. */
	b = pfkey_policy_parse(s, 10, &off, &text);
	assert_non_null(b);
	assert_null(text);
	free(b);
	b = ipsec_set_policy(s, 10);
	assert_non_null(b);
	free(b);
	assert_null(ipsec_set_policy(s, 13));
	assert_null(ipsec_set_policy(NULL, 0));
	assert_int_equal(ipsec_get_policylen(NULL), -1);
}

static void test_dump_rejects(void **state)
{
	_Alignas(8) uint8_t blob[64] = { 0 };
	struct sadb_x_policy *xp = (void *)blob;

	(void)state;
	assert_null(ipsec_dump_policy(NULL, NULL));
	xp->sadb_x_policy_len = 2;
	xp->sadb_x_policy_exttype = SADB_X_EXT_SA2;
	assert_null(ipsec_dump_policy((char *)blob, NULL));
	assert_string_equal(ipsec_strerror(), "invalid extension type");
	xp->sadb_x_policy_exttype = SADB_X_EXT_POLICY;
	xp->sadb_x_policy_type = 9;
	assert_null(ipsec_dump_policy((char *)blob, NULL));
	assert_string_equal(ipsec_strerror(), "invalid security policy");
	/* A kernel policy at priority 0 prints with no priority (KAME). */
	xp->sadb_x_policy_type = IPSEC_POLICY_NONE;
	xp->sadb_x_policy_dir = IPSEC_DIR_INBOUND;
	{
		char *t = ipsec_dump_policy((char *)blob, NULL);

		assert_string_equal(t, "in none");
		free(t);
	}
}

#define RT(i) cmocka_unit_test_prestate(test_round_trip, (void *)&rt_cases[i])
#define BAD(i) cmocka_unit_test_prestate(test_bad, (void *)&bad_cases[i])
#define N(a) (sizeof(a) / sizeof((a)[0]))

int main(void)
{
	struct CMUnitTest tests[N(rt_cases) + N(bad_cases) + 8];
	size_t n = 0;

	/* One named test per case would need a macro per line; build the
	 * array instead so adding a case is one table row. */
	for (size_t i = 0; i < N(rt_cases); i++) {
		tests[n] = (struct CMUnitTest)RT(i);
		/* Inputs may hold tabs and newlines; outputs never do. */
		tests[n++].name = rt_cases[i].out;
	}
	for (size_t i = 0; i < N(bad_cases); i++) {
		tests[n] = (struct CMUnitTest)BAD(i);
		tests[n++].name = bad_cases[i].in;
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_kame_format);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_blob_layout);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_socket_blobs);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_len_bounds);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_dump_rejects);
	return _cmocka_run_group_tests("libpfkey_policy", tests, n, NULL, NULL);
}
