// SPDX-License-Identifier: BSD-2-Clause
/*
 * libpfkey parser, x_policy extension: the request-list rules, one test
 * each, on an SPDADD message with exactly one thing wrong.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
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

/* --- x_policy and its requests ------------------------------------------ */

struct req_v4 {
	struct sadb_x_ipsecrequest r;
	struct sockaddr_in src, dst;
} __attribute__((packed));

static size_t make_policy(uint8_t *out, unsigned int nreq, bool tunnel)
{
	struct sadb_x_policy p = {
		.sadb_x_policy_exttype = SADB_X_EXT_POLICY,
		.sadb_x_policy_type = IPSEC_POLICY_IPSEC,
		.sadb_x_policy_dir = IPSEC_DIR_OUTBOUND,
	};
	size_t off = sizeof(p);

	for (unsigned int i = 0; i < nreq; i++) {
		struct req_v4 q = {
			.r = { .sadb_x_ipsecrequest_proto = IPPROTO_ESP,
			       .sadb_x_ipsecrequest_mode = tunnel ?
					IPSEC_MODE_TUNNEL : IPSEC_MODE_TRANSPORT,
			       .sadb_x_ipsecrequest_level = IPSEC_LEVEL_REQUIRE },
			.src = v4("1.2.3.4"), .dst = v4("5.6.7.8"),
		};
		size_t n = tunnel ? sizeof(q) : sizeof(q.r);

		q.r.sadb_x_ipsecrequest_len = (uint16_t)n;
		memcpy(out + off, &q, n);
		off += n;
	}
	p.sadb_x_policy_len = (uint16_t)(off / 8);
	memcpy(out, &p, sizeof(p));
	return off;
}

static void add_policy_bytes(struct msgbuf *m, const uint8_t *p, size_t n)
{
	begin(m, SADB_X_SPDADD);
	add_pair(m);
	assert_int_equal(pfkey_add_raw(&m->b, p, n), 0);
	end(m);
}

static struct sadb_x_ipsecrequest *first_req(uint8_t *p)
{
	return (struct sadb_x_ipsecrequest *)(p + sizeof(struct sadb_x_policy));
}

static void test_policy_valid(void **state)
{
	_Alignas(8) uint8_t p[512];
	struct msgbuf m;
	struct pfkey_msg pm;
	const struct sadb_x_ipsecrequest *r = NULL;
	const struct sockaddr *s, *d;
	unsigned int n = 0;

	(void)state;
	add_policy_bytes(&m, p, make_policy(p, 3, true));
	assert_int_equal(parse(&m, &pm), 0);
	while ((r = pfkey_policy_next_request(pfkey_msg_policy(&pm), r))) {
		assert_int_equal(pfkey_request_addrs(r, &s, &d), 0);
		assert_int_equal(s->sa_family, AF_INET);
		assert_int_equal(d->sa_family, AF_INET);
		n++;
	}
	assert_int_equal(n, 3);
}

static void test_policy_req_short(void **state)
{
	_Alignas(8) uint8_t p[512];
	struct msgbuf m;
	size_t n = make_policy(p, 2, false);

	(void)state;
	first_req(p)->sadb_x_ipsecrequest_len = 8;
	add_policy_bytes(&m, p, n);
	expect_einval(&m, "request 1: length 8 outside");
}

static void test_policy_req_past_end(void **state)
{
	_Alignas(8) uint8_t p[512];
	struct msgbuf m;
	size_t n = make_policy(p, 1, false);

	(void)state;
	first_req(p)->sadb_x_ipsecrequest_len = 24;
	add_policy_bytes(&m, p, n);
	expect_einval(&m, "request 1: length 24 outside");
}

static void test_policy_req_trailing(void **state)
{
	_Alignas(8) uint8_t p[512];
	struct msgbuf m;
	size_t n = make_policy(p, 1, false);
	struct sadb_x_policy *xp = (struct sadb_x_policy *)p;

	(void)state;
	/* 8 bytes after the last request: not another request header. */
	memset(p + n, 0, 8);
	n += 8;
	xp->sadb_x_policy_len = (uint16_t)(n / 8);
	add_policy_bytes(&m, p, n);
	expect_einval(&m, "less than a request header");
}

static void test_policy_too_many(void **state)
{
	_Alignas(8) uint8_t p[1024];
	struct msgbuf m;
	struct pfkey_msg pm;

	(void)state;
	add_policy_bytes(&m, p, make_policy(p, PFKEY_POLICY_MAX_REQUESTS,
					    false));
	assert_int_equal(parse(&m, &pm), 0);
	add_policy_bytes(&m, p, make_policy(p, PFKEY_POLICY_MAX_REQUESTS + 1,
					    false));
	expect_einval(&m, "more than");
}

static void test_policy_req_addr_len(void **state)
{
	_Alignas(8) uint8_t p[512];
	struct msgbuf m;
	size_t n = make_policy(p, 1, true);
	struct sadb_x_policy *xp = (struct sadb_x_policy *)p;

	(void)state;
	/* 8 extra bytes inside the request after the two sockaddrs. */
	memset(p + n, 0, 8);
	first_req(p)->sadb_x_ipsecrequest_len += 8;
	n += 8;
	xp->sadb_x_policy_len = (uint16_t)(n / 8);
	add_policy_bytes(&m, p, n);
	expect_einval(&m, "40 bytes for two sockaddrs of 32");
}

static void test_policy_req_addr_family(void **state)
{
	_Alignas(8) uint8_t p[512];
	struct msgbuf m;
	size_t n = make_policy(p, 1, true);
	sa_family_t f = AF_INET6;

	(void)state;
	/* dst claims IPv6 but only 16 bytes follow. */
	memcpy(p + 16 + 16 + 16, &f, sizeof(f));
	add_policy_bytes(&m, p, n);
	expect_einval(&m, "request endpoints: sockaddr length 16 < 28");
}

static void test_policy_non_ipsec_requests(void **state)
{
	_Alignas(8) uint8_t p[512];
	struct msgbuf m;
	size_t n = make_policy(p, 1, false);

	(void)state;
	((struct sadb_x_policy *)p)->sadb_x_policy_type = IPSEC_POLICY_NONE;
	add_policy_bytes(&m, p, n);
	expect_einval(&m, "request in a policy of type none");
}

static void test_policy_req_fields(void **state)
{
	_Alignas(8) uint8_t p[512];
	struct msgbuf m;
	size_t n = make_policy(p, 1, false);

	(void)state;
	first_req(p)->sadb_x_ipsecrequest_proto = IPPROTO_TCP;
	add_policy_bytes(&m, p, n);
	expect_einval(&m, "protocol 6");
	n = make_policy(p, 1, false);
	first_req(p)->sadb_x_ipsecrequest_level = 9;
	add_policy_bytes(&m, p, n);
	expect_einval(&m, "level 9");
	n = make_policy(p, 1, false);
	first_req(p)->sadb_x_ipsecrequest_mode = IPSEC_MODE_TUNNEL;
	add_policy_bytes(&m, p, n);
	expect_einval(&m, "tunnel mode without endpoints");
}

static void test_policy_header_fields(void **state)
{
	_Alignas(8) uint8_t p[512];
	struct msgbuf m;
	size_t n = make_policy(p, 0, false);

	(void)state;
	((struct sadb_x_policy *)p)->sadb_x_policy_type = 5;
	add_policy_bytes(&m, p, n);
	expect_einval(&m, "unknown policy type 5");
	n = make_policy(p, 0, false);
	((struct sadb_x_policy *)p)->sadb_x_policy_dir = IPSEC_DIR_MAX;
	add_policy_bytes(&m, p, n);
	expect_einval(&m, "unknown direction");
}

/* Linux's af_key reports per-socket policies as direction 4 (in) and 5
 * (out) with id % 8 of 3 and 4: parsed and printed as in and out. */
static void test_policy_afkey_socket_dirs(void **state)
{
	_Alignas(8) uint8_t p[512];
	struct sadb_x_policy *xp = (struct sadb_x_policy *)p;
	struct msgbuf m;
	struct pfkey_msg pm;
	size_t n;
	char *text;

	(void)state;
	n = make_policy(p, 0, false);
	xp->sadb_x_policy_dir = 4;
	xp->sadb_x_policy_id = 8 * 5 + 3;
	add_policy_bytes(&m, p, n);
	assert_int_equal(parse(&m, &pm), 0);
	text = ipsec_dump_policy((const char *)pfkey_msg_policy(&pm), " ");
	assert_non_null(text);
	assert_true(strncmp(text, "in ", 3) == 0);
	free(text);
	n = make_policy(p, 0, false);
	xp->sadb_x_policy_dir = 5;
	xp->sadb_x_policy_id = 8 * 5 + 4;
	add_policy_bytes(&m, p, n);
	assert_int_equal(parse(&m, &pm), 0);
	/* the id says a global policy: 4 is no direction for it */
	n = make_policy(p, 0, false);
	xp->sadb_x_policy_dir = 4;
	xp->sadb_x_policy_id = 8 * 5 + 1;
	add_policy_bytes(&m, p, n);
	expect_einval(&m, "unknown direction 4");
}

static void test_policy_validate_blob(void **state)
{
	_Alignas(8) uint8_t p[512];
	size_t n = make_policy(p, 2, true);

	(void)state;
	/* The bare-blob check used by pfkey_add_policy and the dumper. */
	assert_int_equal(pfkey_policy_validate(p, n), 0);
	assert_int_equal(pfkey_policy_validate(p, n - 8), -EINVAL);
	assert_int_equal(pfkey_policy_validate(p, 8), -EINVAL);
	assert_int_equal(pfkey_policy_validate(NULL, 16), -EINVAL);
	((struct sadb_x_policy *)p)->sadb_x_policy_exttype = SADB_X_EXT_SA2;
	assert_int_equal(pfkey_policy_validate(p, n), -EINVAL);
	assert_non_null(strstr(pfkey_parse_error(), "blob header"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_valid),
		cmocka_unit_test(test_policy_req_short),
		cmocka_unit_test(test_policy_req_past_end),
		cmocka_unit_test(test_policy_req_trailing),
		cmocka_unit_test(test_policy_too_many),
		cmocka_unit_test(test_policy_req_addr_len),
		cmocka_unit_test(test_policy_req_addr_family),
		cmocka_unit_test(test_policy_non_ipsec_requests),
		cmocka_unit_test(test_policy_req_fields),
		cmocka_unit_test(test_policy_header_fields),
		cmocka_unit_test(test_policy_afkey_socket_dirs),
		cmocka_unit_test(test_policy_validate_blob),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
