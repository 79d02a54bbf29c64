// SPDX-License-Identifier: BSD-2-Clause
/*
 * libpfkey parser: one test per validation rule, each built from a valid
 * message with exactly one thing wrong, so a failure points at one rule.
 * The x_policy rules are in test_libpfkey_xpolicy.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include <kipsec/libpfkey.h>

struct msgbuf {
	_Alignas(8) uint8_t data[2048];
	struct pfkey_buf b;
};

static void begin(struct msgbuf *m, uint8_t type)
{
	pfkey_buf_init(&m->b, m->data, sizeof(m->data));
	assert_non_null(pfkey_msg_begin(&m->b, type, SADB_SATYPE_ESP, 7, 42));
}

static size_t end(struct msgbuf *m)
{
	assert_int_equal(pfkey_msg_end(&m->b), 0);
	return m->b.len;
}

static struct sockaddr_in v4(const char *s)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	assert_int_equal(inet_pton(AF_INET, s, &sin.sin_addr), 1);
	return sin;
}

static struct sockaddr_in6 v6(const char *s)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };

	assert_int_equal(inet_pton(AF_INET6, s, &sin6.sin6_addr), 1);
	return sin6;
}

/* Adds an extension of total_len bytes (multiple of 8) with the given
 * type; body is copied after the 4-byte header (zeros if NULL). */
static void add_ext(struct msgbuf *m, uint16_t type, size_t total_len,
		    const void *body, size_t body_len)
{
	uint8_t e[512] = { 0 };
	struct sadb_ext h = { .sadb_ext_len = (uint16_t)(total_len / 8),
			      .sadb_ext_type = type };

	assert_true(total_len <= sizeof(e) && body_len + 4 <= total_len);
	memcpy(e, &h, sizeof(h));
	if (body)
		memcpy(e + 4, body, body_len);
	assert_int_equal(pfkey_add_raw(&m->b, e, total_len), 0);
}

static int parse(struct msgbuf *m, struct pfkey_msg *out)
{
	return pfkey_parse(m->data, m->b.len, out);
}

static void expect_einval(struct msgbuf *m, const char *text)
{
	struct pfkey_msg pm;

	assert_int_equal(parse(m, &pm), -EINVAL);
	assert_null(pm.hdr);
	if (text && !strstr(pfkey_parse_error(), text))
		fail_msg("error \"%s\" lacks \"%s\"", pfkey_parse_error(), text);
}

static void add_pair(struct msgbuf *m)
{
	struct sockaddr_in a = v4("10.1.1.1"), b = v4("20.1.1.1");

	assert_int_equal(pfkey_add_address(&m->b, SADB_EXT_ADDRESS_SRC,
					   (void *)&a, 32, 255), 0);
	assert_int_equal(pfkey_add_address(&m->b, SADB_EXT_ADDRESS_DST,
					   (void *)&b, 32, 255), 0);
}

/* --- message header ---------------------------------------------------- */

static void test_valid_minimal(void **state)
{
	struct msgbuf m;
	struct pfkey_msg pm;

	(void)state;
	begin(&m, SADB_FLUSH);
	end(&m);
	assert_int_equal(parse(&m, &pm), 0);
	assert_ptr_equal(pm.hdr, (void *)m.data);
	assert_int_equal(pm.len, 16);
	assert_string_equal(pfkey_parse_error(), "");
}

static void test_short_message(void **state)
{
	struct msgbuf m;
	struct pfkey_msg pm;

	(void)state;
	begin(&m, SADB_FLUSH);
	end(&m);
	assert_int_equal(pfkey_parse(m.data, 15, &pm), -EMSGSIZE);
	assert_int_equal(pfkey_parse(m.data, 0, &pm), -EMSGSIZE);
	assert_int_equal(pfkey_parse(NULL, 16, &pm), -EMSGSIZE);
	assert_non_null(strstr(pfkey_parse_error(), "shorter than sadb_msg"));
}

static void test_bad_version(void **state)
{
	struct msgbuf m;

	(void)state;
	begin(&m, SADB_FLUSH);
	end(&m);
	((struct sadb_msg *)m.data)->sadb_msg_version = 1;
	expect_einval(&m, "sadb_msg_version 1");
}

static void test_len_mismatch(void **state)
{
	struct msgbuf m;
	struct pfkey_msg pm;

	(void)state;
	begin(&m, SADB_GET);
	add_pair(&m);
	end(&m);
	/* Buffer longer and shorter than sadb_msg_len says. */
	assert_int_equal(pfkey_parse(m.data, m.b.len + 8, &pm), -EMSGSIZE);
	assert_int_equal(pfkey_parse(m.data, m.b.len - 8, &pm), -EMSGSIZE);
	assert_int_equal(pfkey_parse(m.data, m.b.len - 1, &pm), -EMSGSIZE);
	assert_non_null(strstr(pfkey_parse_error(), "sadb_msg_len"));
}

/* The kernel reports a policy's refcnt in sadb_msg_reserved. */
static void test_reserved_nonzero(void **state)
{
	struct msgbuf m;
	struct pfkey_msg pm;

	(void)state;
	begin(&m, SADB_FLUSH);
	end(&m);
	((struct sadb_msg *)m.data)->sadb_msg_reserved = 3;
	assert_int_equal(pfkey_parse(m.data, m.b.len, &pm), 0);
	assert_int_equal(pm.hdr->sadb_msg_reserved, 3);
}

static void test_bad_msg_type(void **state)
{
	struct msgbuf m;

	(void)state;
	begin(&m, 0);
	end(&m);
	expect_einval(&m, "message type 0");
	begin(&m, PFKEY_MSG_TYPE_MAX + 1);
	end(&m);
	expect_einval(&m, "message type");
}

/* --- generic extension rules -------------------------------------------- */

static void test_ext_len_zero(void **state)
{
	struct msgbuf m;
	struct sadb_ext *e;

	(void)state;
	begin(&m, SADB_GET);
	add_pair(&m);
	end(&m);
	e = (struct sadb_ext *)(m.data + 16);
	e->sadb_ext_len = 0;
	expect_einval(&m, "is zero");
}

static void test_ext_past_end(void **state)
{
	struct msgbuf m;
	struct sadb_ext *e;

	(void)state;
	begin(&m, SADB_GET);
	add_pair(&m);
	end(&m);
	/* The second (last) extension claims one unit more than remains. */
	e = (struct sadb_ext *)(m.data + 16 + 24);
	e->sadb_ext_len++;
	expect_einval(&m, "runs past the end");
}

static void test_ext_duplicate(void **state)
{
	struct msgbuf m;

	(void)state;
	begin(&m, SADB_GET);
	add_pair(&m);
	assert_int_equal(pfkey_add_sa(&m.b, htonl(0x1234), 0, 0, 0, 0, 0), 0);
	assert_int_equal(pfkey_add_sa(&m.b, htonl(0x1235), 0, 0, 0, 0, 0), 0);
	end(&m);
	expect_einval(&m, "extension 1 (sa): duplicate");
}

static void test_ext_unknown_type(void **state)
{
	struct msgbuf m;

	(void)state;
	begin(&m, SADB_GET);
	add_ext(&m, PFKEY_EXT_KNOWN_MAX + 1, 8, NULL, 0);
	end(&m);
	expect_einval(&m, "unknown type");
	begin(&m, SADB_GET);
	add_ext(&m, SADB_EXT_RESERVED, 8, NULL, 0);
	end(&m);
	expect_einval(&m, "unknown type 0");
}

static void test_ext_gap_types(void **state)
{
	struct msgbuf m;

	(void)state;
	/* Between Linux's last type and kipsec's first: not known. */
	for (uint16_t t = SADB_EXT_MAX + 1; t < SADB_X_EXT_KIPSEC_BASE; t++) {
		begin(&m, SADB_ADD);
		add_ext(&m, t, 8, NULL, 0);
		end(&m);
		expect_einval(&m, "unknown type");
	}
}

static void test_ext_kipsec_sa(void **state)
{
	struct msgbuf m;
	struct pfkey_msg pm;
	const struct sadb_x_kipsec_sa *k;

	(void)state;
	begin(&m, SADB_ADD);
	assert_int_equal(pfkey_add_kipsec_sa(&m.b, 4096, KIPSEC_SA_F_ESN, 128),
			 0);
	end(&m);
	assert_int_equal(parse(&m, &pm), 0);
	k = pfkey_msg_kipsec_sa(&pm);
	assert_non_null(k);
	assert_int_equal(k->sadb_x_kipsec_sa_len, 2);
	assert_int_equal(k->sadb_x_kipsec_sa_replay, 4096);
	assert_int_equal(k->sadb_x_kipsec_sa_flags, KIPSEC_SA_F_ESN);
	assert_int_equal(k->sadb_x_kipsec_sa_icvbits, 128);
	assert_string_equal(pfkey_ext_name(SADB_X_EXT_KIPSEC_SA),
			    "x_kipsec_sa");
}

/* --- per-type minimum lengths (one prestate test per type) -------------- */

struct minlen_case {
	uint16_t type;
	size_t min;		/* smallest valid length */
};

static const struct minlen_case minlen_cases[] = {
	{ SADB_EXT_SA, 16 },
	{ SADB_EXT_LIFETIME_CURRENT, 32 },
	{ SADB_EXT_LIFETIME_HARD, 32 },
	{ SADB_EXT_LIFETIME_SOFT, 32 },
	{ SADB_EXT_KEY_AUTH, 8 },
	{ SADB_EXT_KEY_ENCRYPT, 8 },
	{ SADB_EXT_IDENTITY_SRC, 16 },
	{ SADB_EXT_IDENTITY_DST, 16 },
	{ SADB_EXT_SENSITIVITY, 16 },
	{ SADB_EXT_PROPOSAL, 8 },
	{ SADB_EXT_SUPPORTED_AUTH, 8 },
	{ SADB_EXT_SUPPORTED_ENCRYPT, 8 },
	{ SADB_EXT_SPIRANGE, 16 },
	{ SADB_X_EXT_KMPRIVATE, 8 },
	{ SADB_X_EXT_POLICY, 16 },
	{ SADB_X_EXT_SA2, 16 },
	{ SADB_X_EXT_NAT_T_TYPE, 8 },
	{ SADB_X_EXT_NAT_T_SPORT, 8 },
	{ SADB_X_EXT_NAT_T_DPORT, 8 },
	{ SADB_X_EXT_SEC_CTX, 8 },
	{ SADB_X_EXT_KIPSEC_SA, 16 },
};

static void test_minlen(void **state)
{
	const struct minlen_case *c = *state;
	struct msgbuf m;
	struct pfkey_msg pm;
	/* x_policy needs a valid direction; filter a family (see below). */
	uint8_t body[64] = { 0 };

	if (c->type == SADB_X_EXT_POLICY)
		body[2] = IPSEC_DIR_INBOUND;	/* sadb_x_policy_dir */
	begin(&m, SADB_ADD);
	add_ext(&m, c->type, c->min, body, c->min - 4);
	end(&m);
	assert_int_equal(parse(&m, &pm), 0);
	assert_non_null(pfkey_msg_ext(&pm, c->type));

	/* One 8-byte unit shorter must fail ("is zero" for 8-byte ones). */
	begin(&m, SADB_ADD);
	if (c->min > 8) {
		add_ext(&m, c->type, c->min - 8, body, c->min - 12);
		end(&m);
		expect_einval(&m, "< minimum");
	} else {
		add_ext(&m, c->type, 8, NULL, 0);
		end(&m);
		((struct sadb_ext *)(m.data + 16))->sadb_ext_len = 0;
		expect_einval(&m, "is zero");
	}
}

static void test_minlen_address(void **state)
{
	struct msgbuf m;
	uint8_t body[32] = { 0 };
	sa_family_t f = AF_INET;

	(void)state;
	/* Header only (8 bytes): no room for any sockaddr. */
	begin(&m, SADB_GET);
	add_ext(&m, SADB_EXT_ADDRESS_SRC, 8, NULL, 0);
	end(&m);
	expect_einval(&m, "too short for a sockaddr");
	/* The exact text the design notes promise. */
	memcpy(body + 4, &f, sizeof(f));
	begin(&m, SADB_GET);
	add_ext(&m, SADB_EXT_ADDRESS_SRC, 16, body, 12);
	end(&m);
	expect_einval(&m, NULL);
	assert_string_equal(pfkey_parse_error(),
			    "extension 5 (address_src): sockaddr length 8 < 16 "
			    "for AF_INET");
	/* NAT-T original address uses the same layout and rule. */
	begin(&m, SADB_GET);
	add_ext(&m, SADB_X_EXT_NAT_T_OA, 16, body, 12);
	end(&m);
	expect_einval(&m, "sockaddr length 8 < 16");
}

static void test_minlen_kmaddress(void **state)
{
	struct msgbuf m;
	struct pfkey_msg pm;
	struct sockaddr_in a = v4("1.1.1.1"), b = v4("2.2.2.2");
	uint8_t body[64] = { 0 };

	(void)state;
	begin(&m, SADB_X_MIGRATE);
	add_ext(&m, SADB_X_EXT_KMADDRESS, 8, NULL, 0);
	end(&m);
	expect_einval(&m, "too short for a sockaddr");
	/* Two IPv4 sockaddrs: valid. */
	memcpy(body + 4, &a, sizeof(a));
	memcpy(body + 4 + 16, &b, sizeof(b));
	begin(&m, SADB_X_MIGRATE);
	add_ext(&m, SADB_X_EXT_KMADDRESS, 40, body, 36);
	end(&m);
	assert_int_equal(parse(&m, &pm), 0);
	/* Only one sockaddr fits. */
	begin(&m, SADB_X_MIGRATE);
	add_ext(&m, SADB_X_EXT_KMADDRESS, 32, body, 28);
	end(&m);
	expect_einval(&m, "sockaddr length 8 < 16");
	/* Families differ. */
	{
		struct sockaddr_in6 c = v6("::1");
		uint8_t big[64] = { 0 };

		memcpy(big + 4, &a, sizeof(a));
		memcpy(big + 4 + 16, &c, sizeof(c));
		begin(&m, SADB_X_MIGRATE);
		add_ext(&m, SADB_X_EXT_KMADDRESS, 56, big, 52);
		end(&m);
		expect_einval(&m, "families differ");
	}
}

static void test_minlen_filter(void **state)
{
	struct msgbuf m;
	struct pfkey_msg pm;
	struct sadb_x_filter f = { .sadb_x_filter_family = AF_INET,
				   .sadb_x_filter_splen = 24,
				   .sadb_x_filter_dplen = 32 };

	(void)state;
	begin(&m, SADB_DUMP);
	add_ext(&m, SADB_X_EXT_FILTER, 40, (uint8_t *)&f + 4, sizeof(f) - 4);
	end(&m);
	assert_int_equal(parse(&m, &pm), 0);
	begin(&m, SADB_DUMP);
	add_ext(&m, SADB_X_EXT_FILTER, 32, (uint8_t *)&f + 4, 28);
	end(&m);
	expect_einval(&m, "< minimum 40");
	/* Content: family and prefix lengths. */
	f.sadb_x_filter_splen = 33;
	begin(&m, SADB_DUMP);
	add_ext(&m, SADB_X_EXT_FILTER, 40, (uint8_t *)&f + 4, sizeof(f) - 4);
	end(&m);
	expect_einval(&m, "prefix lengths");
	f.sadb_x_filter_family = 99;
	begin(&m, SADB_DUMP);
	add_ext(&m, SADB_X_EXT_FILTER, 40, (uint8_t *)&f + 4, sizeof(f) - 4);
	end(&m);
	expect_einval(&m, "unsupported address family");
}

/* --- address extension --------------------------------------------------- */

static void test_address_family(void **state)
{
	struct msgbuf m;
	uint8_t body[32] = { 0 };
	sa_family_t f = AF_UNIX;

	(void)state;
	memcpy(body + 4, &f, sizeof(f));
	begin(&m, SADB_GET);
	add_ext(&m, SADB_EXT_ADDRESS_DST, 24, body, 20);
	end(&m);
	expect_einval(&m, "unsupported address family 1");
}

static void test_address_v6_room(void **state)
{
	struct msgbuf m;
	struct sockaddr_in6 s = v6("2001:db8::1");
	uint8_t body[48] = { 0 };

	(void)state;
	/* 24 of the 28 bytes of a sockaddr_in6. */
	memcpy(body + 4, &s, 24);
	begin(&m, SADB_GET);
	add_ext(&m, SADB_EXT_ADDRESS_SRC, 32, body, 28);
	end(&m);
	expect_einval(&m, "sockaddr length 24 < 28 for AF_INET6");
}

static void test_address_prefixlen(void **state)
{
	struct msgbuf m;
	struct sockaddr_in a = v4("10.0.0.0");
	struct sockaddr_in6 b = v6("2001:db8::");
	struct sadb_address *sa;

	(void)state;
	begin(&m, SADB_X_SPDADD);
	assert_int_equal(pfkey_add_address(&m.b, SADB_EXT_ADDRESS_SRC,
					   (void *)&a, 32, 255), 0);
	end(&m);
	sa = (struct sadb_address *)(m.data + 16);
	sa->sadb_address_prefixlen = 33;
	expect_einval(&m, "prefix length 33 > 32 for AF_INET");

	begin(&m, SADB_X_SPDADD);
	assert_int_equal(pfkey_add_address(&m.b, SADB_EXT_ADDRESS_SRC,
					   (void *)&b, 128, 255), 0);
	end(&m);
	sa = (struct sadb_address *)(m.data + 16);
	sa->sadb_address_prefixlen = 129;
	expect_einval(&m, "prefix length 129 > 128 for AF_INET6");
}

static void test_address_family_mismatch(void **state)
{
	struct msgbuf m;
	struct sockaddr_in a = v4("10.0.0.1");
	struct sockaddr_in6 b = v6("2001:db8::1");

	(void)state;
	begin(&m, SADB_ADD);
	assert_int_equal(pfkey_add_address(&m.b, SADB_EXT_ADDRESS_SRC,
					   (void *)&a, 32, 255), 0);
	assert_int_equal(pfkey_add_address(&m.b, SADB_EXT_ADDRESS_DST,
					   (void *)&b, 128, 255), 0);
	end(&m);
	expect_einval(&m, "address_src is AF_INET but address_dst is AF_INET6");
}

/* --- other extension contents ------------------------------------------- */

static void test_key_bits_fit(void **state)
{
	struct msgbuf m;
	struct pfkey_msg pm;
	struct sadb_key *k;

	(void)state;
	begin(&m, SADB_ADD);
	assert_int_equal(pfkey_add_key(&m.b, SADB_EXT_KEY_ENCRYPT,
				       "0123456789abcdef01234567", 24), 0);
	end(&m);
	assert_int_equal(parse(&m, &pm), 0);
	k = (struct sadb_key *)(m.data + 16);
	/* 24 bytes of room: 192 bits fit, 193 do not. */
	k->sadb_key_bits = 192;
	assert_int_equal(parse(&m, &pm), 0);
	k->sadb_key_bits = 193;
	expect_einval(&m, "key of 193 bits does not fit in 24 bytes");
}

static void test_sensitivity_bitmaps(void **state)
{
	struct msgbuf m;
	struct sadb_sens s = { .sadb_sens_sens_len = 1,
			       .sadb_sens_integ_len = 1 };

	(void)state;
	begin(&m, SADB_ADD);
	add_ext(&m, SADB_EXT_SENSITIVITY, 24, (uint8_t *)&s + 4, 12);
	end(&m);
	expect_einval(&m, "bitmap words");
}

static void test_proposal_combs(void **state)
{
	struct msgbuf m;
	struct pfkey_msg pm;

	(void)state;
	begin(&m, SADB_ACQUIRE);
	add_ext(&m, SADB_EXT_PROPOSAL, 8 + 72, NULL, 0);
	end(&m);
	assert_int_equal(parse(&m, &pm), 0);
	begin(&m, SADB_ACQUIRE);
	add_ext(&m, SADB_EXT_PROPOSAL, 8 + 64, NULL, 0);
	end(&m);
	expect_einval(&m, "sadb_comb");
}

static void test_sec_ctx_len(void **state)
{
	struct msgbuf m;
	struct sadb_x_sec_ctx c = { .sadb_x_ctx_len = 9 };

	(void)state;
	begin(&m, SADB_ADD);
	add_ext(&m, SADB_X_EXT_SEC_CTX, 16, (uint8_t *)&c + 4, 4);
	end(&m);
	expect_einval(&m, "context length 9");
}

static void test_failed_parse_clears_output(void **state)
{
	struct msgbuf m;
	struct pfkey_msg pm;

	(void)state;
	begin(&m, SADB_GET);
	add_pair(&m);
	assert_int_equal(pfkey_add_sa(&m.b, 1, 0, 0, 0, 0, 0), 0);
	assert_int_equal(pfkey_add_sa(&m.b, 2, 0, 0, 0, 0, 0), 0);
	end(&m);
	memset(&pm, 0xff, sizeof(pm));
	assert_int_equal(parse(&m, &pm), -EINVAL);
	assert_null(pm.hdr);
	assert_null(pm.ext[SADB_EXT_ADDRESS_SRC]);
	assert_int_equal(pm.len, 0);
}

static void test_unaligned_buffer(void **state)
{
	_Alignas(8) uint8_t copy[2048 + 1];
	struct msgbuf m;
	struct pfkey_msg pm;

	(void)state;
	/* Parsing must not depend on alignment (UBSan checks this). */
	begin(&m, SADB_ADD);
	add_pair(&m);
	assert_int_equal(pfkey_add_lifetime(&m.b, SADB_EXT_LIFETIME_HARD, 1, 2,
					    3, 4), 0);
	end(&m);
	memcpy(copy + 1, m.data, m.b.len);
	assert_int_equal(pfkey_parse(copy + 1, m.b.len, &pm), 0);
}

#define MINLEN(i) cmocka_unit_test_prestate(test_minlen, \
					    (void *)&minlen_cases[i])

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_minimal),
		cmocka_unit_test(test_short_message),
		cmocka_unit_test(test_bad_version),
		cmocka_unit_test(test_len_mismatch),
		cmocka_unit_test(test_reserved_nonzero),
		cmocka_unit_test(test_bad_msg_type),
		cmocka_unit_test(test_ext_len_zero),
		cmocka_unit_test(test_ext_past_end),
		cmocka_unit_test(test_ext_duplicate),
		cmocka_unit_test(test_ext_unknown_type),
		cmocka_unit_test(test_ext_gap_types),
		cmocka_unit_test(test_ext_kipsec_sa),
		MINLEN(0), MINLEN(1), MINLEN(2), MINLEN(3), MINLEN(4),
		MINLEN(5), MINLEN(6), MINLEN(7), MINLEN(8), MINLEN(9),
		MINLEN(10), MINLEN(11), MINLEN(12), MINLEN(13), MINLEN(14),
		MINLEN(15), MINLEN(16), MINLEN(17), MINLEN(18), MINLEN(19),
		MINLEN(20),
		cmocka_unit_test(test_minlen_address),
		cmocka_unit_test(test_minlen_kmaddress),
		cmocka_unit_test(test_minlen_filter),
		cmocka_unit_test(test_address_family),
		cmocka_unit_test(test_address_v6_room),
		cmocka_unit_test(test_address_prefixlen),
		cmocka_unit_test(test_address_family_mismatch),
		cmocka_unit_test(test_key_bits_fit),
		cmocka_unit_test(test_sensitivity_bitmaps),
		cmocka_unit_test(test_proposal_combs),
		cmocka_unit_test(test_sec_ctx_len),
		cmocka_unit_test(test_failed_parse_clears_output),
		cmocka_unit_test(test_unaligned_buffer),
	};

	_Static_assert(sizeof(minlen_cases) / sizeof(minlen_cases[0]) == 21,
		       "MINLEN list above must match minlen_cases");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
