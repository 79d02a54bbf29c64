// SPDX-License-Identifier: BSD-2-Clause
/*
 * libpfkey builder and socket helpers: overflow safety with a canary,
 * every message type built and parsed back, and the request/dump loops
 * driven over a datagram socketpair standing in for the kernel.
 *
 * With PFKEY_CORPUS_DIR set, the messages built here are also written
 * there as fuzz seeds (tests/fuzz/corpus/pfkey_msg is made this way).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include <kipsec/libpfkey.h>

#define EXT(t) (1ull << (t))

static const uint8_t ekey[24] = "hogehogehogehogehogehoge";
static const uint8_t akey[20] = "01234567890123456789";

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

/* Adds extension `type` with fixed, recognisable contents. */
static int add_one(struct pfkey_buf *b, unsigned int type, bool ipv6)
{
	struct sockaddr_in s4 = v4("10.1.1.1"), d4 = v4("20.1.1.1");
	struct sockaddr_in6 s6 = v6("2001:db8::1"), d6 = v6("2001:db8::2");
	const struct sockaddr *src = ipv6 ? (void *)&s6 : (void *)&s4;
	const struct sockaddr *dst = ipv6 ? (void *)&d6 : (void *)&d4;
	static const struct sadb_alg algs[2] = {
		{ .sadb_alg_id = SADB_X_EALG_AESCBC, .sadb_alg_ivlen = 16,
		  .sadb_alg_minbits = 128, .sadb_alg_maxbits = 256 },
		{ .sadb_alg_id = SADB_EALG_3DESCBC, .sadb_alg_ivlen = 8,
		  .sadb_alg_minbits = 192, .sadb_alg_maxbits = 192 },
	};

	switch (type) {
	case SADB_EXT_SA:
		return pfkey_add_sa(b, htonl(9876), 4, SADB_SASTATE_MATURE,
				    SADB_AALG_SHA1HMAC, SADB_EALG_3DESCBC, 0);
	case SADB_EXT_LIFETIME_CURRENT:
	case SADB_EXT_LIFETIME_HARD:
	case SADB_EXT_LIFETIME_SOFT:
		return pfkey_add_lifetime(b, (uint16_t)type, type, 1000 * type,
					  86400, 0);
	case SADB_EXT_ADDRESS_SRC:
		return pfkey_add_address(b, SADB_EXT_ADDRESS_SRC, src, 0xff,
					 IPSEC_ULPROTO_ANY);
	case SADB_EXT_ADDRESS_DST:
		return pfkey_add_address(b, SADB_EXT_ADDRESS_DST, dst, 0xff,
					 IPSEC_ULPROTO_ANY);
	case SADB_EXT_KEY_AUTH:
		return pfkey_add_key(b, SADB_EXT_KEY_AUTH, akey, sizeof(akey));
	case SADB_EXT_KEY_ENCRYPT:
		return pfkey_add_key(b, SADB_EXT_KEY_ENCRYPT, ekey, sizeof(ekey));
	case SADB_EXT_IDENTITY_SRC:
	case SADB_EXT_IDENTITY_DST:
		return pfkey_add_ident(b, (uint16_t)type, SADB_IDENTTYPE_FQDN, 0,
				       "vpn.example.com");
	case SADB_EXT_PROPOSAL: {
		uint8_t p[8 + 72] = { 0 };
		struct sadb_prop h = { .sadb_prop_exttype = SADB_EXT_PROPOSAL,
				       .sadb_prop_replay = 32 };

		memcpy(p, &h, sizeof(h));
		p[8] = SADB_AALG_SHA1HMAC;
		return pfkey_add_raw(b, p, sizeof(p));
	}
	case SADB_EXT_SUPPORTED_AUTH:
	case SADB_EXT_SUPPORTED_ENCRYPT:
		return pfkey_add_supported(b, (uint16_t)type, algs, 2);
	case SADB_EXT_SPIRANGE:
		return pfkey_add_spirange(b, 0x100, 0x0fffffff);
	case SADB_X_EXT_POLICY: {
		char *p = ipsec_set_policy(ipv6 ?
			"out ipsec esp/tunnel/2001:db8::1-2001:db8::2/require" :
			"out ipsec esp/tunnel/10.1.1.1-20.1.1.1/unique:7", -1);
		int r;

		assert_non_null(p);
		r = pfkey_add_policy(b, p, (size_t)ipsec_get_policylen(p));
		free(p);
		return r;
	}
	case SADB_X_EXT_SA2:
		return pfkey_add_sa2(b, IPSEC_MODE_TUNNEL, 7, 0);
	case SADB_X_EXT_NAT_T_TYPE:
		return pfkey_add_nat_t_type(b, 2);
	case SADB_X_EXT_NAT_T_SPORT:
		return pfkey_add_nat_t_port(b, SADB_X_EXT_NAT_T_SPORT, htons(4500));
	case SADB_X_EXT_NAT_T_DPORT:
		return pfkey_add_nat_t_port(b, SADB_X_EXT_NAT_T_DPORT, htons(4501));
	case SADB_X_EXT_SEC_CTX:
		return pfkey_add_sec_ctx(b, 1, 1, "system_u:object_r:x:s0", 22);
	case SADB_X_EXT_KMADDRESS: {
		uint8_t k[8 + 2 * sizeof(struct sockaddr_in6)] = { 0 };
		struct sadb_x_kmaddress h = {
			.sadb_x_kmaddress_exttype = SADB_X_EXT_KMADDRESS };
		size_t salen = ipv6 ? sizeof(s6) : sizeof(s4);

		memcpy(k, &h, sizeof(h));
		memcpy(k + 8, src, salen);
		memcpy(k + 8 + salen, dst, salen);
		return pfkey_add_raw(b, k, 8 + 2 * salen);
	}
	case SADB_X_EXT_KIPSEC_SA:
		return pfkey_add_kipsec_sa(b, 1024, KIPSEC_SA_F_ESN, 0);
	case SADB_X_EXT_FILTER: {
		struct sadb_x_filter f = {
			.sadb_x_filter_exttype = SADB_X_EXT_FILTER,
			.sadb_x_filter_family = ipv6 ? AF_INET6 : AF_INET,
			.sadb_x_filter_splen = 8, .sadb_x_filter_dplen = 16 };

		return pfkey_add_raw(b, &f, sizeof(f));
	}
	default:
		fail_msg("no builder for extension %u", type);
		return -1;
	}
}

/* A plausible extension set per message type (RFC 2367 / af_key). */
#define SADDR (EXT(SADB_EXT_ADDRESS_SRC) | EXT(SADB_EXT_ADDRESS_DST))
#define SAFULL (EXT(SADB_EXT_SA) | SADDR | EXT(SADB_EXT_LIFETIME_HARD) | \
		EXT(SADB_EXT_LIFETIME_SOFT) | EXT(SADB_EXT_KEY_AUTH) | \
		EXT(SADB_EXT_KEY_ENCRYPT) | EXT(SADB_X_EXT_SA2))
static const uint64_t ext_sets[SADB_MAX + 1] = {
	[SADB_GETSPI] = SADDR | EXT(SADB_EXT_SPIRANGE) | EXT(SADB_X_EXT_SA2),
	[SADB_UPDATE] = SAFULL | EXT(SADB_EXT_IDENTITY_SRC) |
			EXT(SADB_EXT_IDENTITY_DST),
	[SADB_ADD] = SAFULL | EXT(SADB_X_EXT_NAT_T_TYPE) |
		     EXT(SADB_X_EXT_NAT_T_SPORT) | EXT(SADB_X_EXT_NAT_T_DPORT) |
		     EXT(SADB_X_EXT_SEC_CTX) | EXT(SADB_X_EXT_KIPSEC_SA),
	[SADB_DELETE] = EXT(SADB_EXT_SA) | SADDR,
	[SADB_GET] = EXT(SADB_EXT_SA) | SADDR,
	[SADB_ACQUIRE] = SADDR | EXT(SADB_EXT_PROPOSAL) | EXT(SADB_X_EXT_POLICY),
	[SADB_REGISTER] = EXT(SADB_EXT_SUPPORTED_AUTH) |
			  EXT(SADB_EXT_SUPPORTED_ENCRYPT),
	[SADB_EXPIRE] = EXT(SADB_EXT_SA) | SADDR | EXT(SADB_EXT_LIFETIME_CURRENT) |
			EXT(SADB_EXT_LIFETIME_HARD),
	[SADB_FLUSH] = 0,
	[SADB_DUMP] = EXT(SADB_X_EXT_FILTER),
	[SADB_X_PROMISC] = 0,
	[SADB_X_PCHANGE] = 0,
	[SADB_X_SPDUPDATE] = SADDR | EXT(SADB_X_EXT_POLICY),
	[SADB_X_SPDADD] = SADDR | EXT(SADB_X_EXT_POLICY) |
			  EXT(SADB_EXT_LIFETIME_HARD),
	[SADB_X_SPDDELETE] = SADDR | EXT(SADB_X_EXT_POLICY),
	[SADB_X_SPDGET] = EXT(SADB_X_EXT_POLICY),
	[SADB_X_SPDACQUIRE] = EXT(SADB_X_EXT_POLICY),
	[SADB_X_SPDDUMP] = 0,
	[SADB_X_SPDFLUSH] = 0,
	[SADB_X_SPDSETIDX] = SADDR | EXT(SADB_X_EXT_POLICY),
	[SADB_X_SPDEXPIRE] = SADDR | EXT(SADB_X_EXT_POLICY) |
			     EXT(SADB_EXT_LIFETIME_CURRENT),
	[SADB_X_SPDDELETE2] = EXT(SADB_X_EXT_POLICY),
	[SADB_X_NAT_T_NEW_MAPPING] = EXT(SADB_EXT_SA) | SADDR |
				     EXT(SADB_X_EXT_NAT_T_SPORT) |
				     EXT(SADB_X_EXT_NAT_T_DPORT),
	[SADB_X_MIGRATE] = SADDR | EXT(SADB_X_EXT_KMADDRESS) |
			   EXT(SADB_X_EXT_POLICY),
};

static size_t build(uint8_t *buf, size_t cap, unsigned int type, bool ipv6)
{
	struct pfkey_buf b;

	pfkey_buf_init(&b, buf, cap);
	assert_non_null(pfkey_msg_begin(&b, (uint8_t)type, SADB_SATYPE_ESP,
					1000 + type, 4242));
	for (unsigned int t = 1; t <= PFKEY_EXT_KNOWN_MAX; t++)
		if (ext_sets[type] & EXT(t))
			assert_int_equal(add_one(&b, t, ipv6), 0);
	assert_int_equal(pfkey_msg_end(&b), 0);
	assert_int_equal(pfkey_buf_msglen(&b), b.len);
	return b.len;
}

static void write_seed(const char *name, const void *p, size_t n)
{
	const char *dir = getenv("PFKEY_CORPUS_DIR");
	char path[512];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

static void check_contents(const struct pfkey_msg *m, bool ipv6)
{
	const struct sadb_sa *sa = pfkey_msg_sa(m);
	const struct sadb_key *k = pfkey_msg_key(m, SADB_EXT_KEY_ENCRYPT);
	const struct sadb_address *a = pfkey_msg_address(m, SADB_EXT_ADDRESS_DST);
	const struct sadb_supported *s;
	const struct sadb_ident *id = pfkey_msg_ident(m, SADB_EXT_IDENTITY_SRC);
	const struct sadb_x_sa2 *sa2 = pfkey_msg_sa2(m);
	const struct sadb_prop *pr = pfkey_msg_proposal(m);
	size_t n;

	if (sa) {
		assert_int_equal(ntohl(sa->sadb_sa_spi), 9876);
		assert_int_equal(sa->sadb_sa_encrypt, SADB_EALG_3DESCBC);
	}
	if (k) {
		const uint8_t *d = pfkey_key_data(k, &n);

		assert_int_equal(n, sizeof(ekey));
		assert_memory_equal(d, ekey, n);
	}
	if (a) {
		const struct sockaddr *sa_ = pfkey_address_sockaddr(a);

		assert_int_equal(sa_->sa_family, ipv6 ? AF_INET6 : AF_INET);
		assert_int_equal(a->sadb_address_prefixlen, ipv6 ? 128 : 32);
		assert_int_equal(pfkey_sockaddr_len(sa_),
				 ipv6 ? sizeof(struct sockaddr_in6) :
					sizeof(struct sockaddr_in));
		/* IPv6 address ext: 8 + 28 padded to 40. */
		assert_int_equal(a->sadb_address_len, ipv6 ? 5 : 3);
	}
	s = pfkey_msg_supported(m, SADB_EXT_SUPPORTED_ENCRYPT);
	if (s) {
		const struct sadb_alg *al = pfkey_supported_algs(s, &n);

		assert_int_equal(n, 2);
		assert_int_equal(al[1].sadb_alg_id, SADB_EALG_3DESCBC);
	}
	if (id)
		assert_string_equal(pfkey_ident_string(id), "vpn.example.com");
	if (sa2) {
		assert_int_equal(sa2->sadb_x_sa2_mode, IPSEC_MODE_TUNNEL);
		assert_int_equal(sa2->sadb_x_sa2_reqid, 7);
	}
	if (pr) {
		const struct sadb_comb *c = pfkey_prop_combs(pr, &n);

		assert_int_equal(n, 1);
		assert_int_equal(c->sadb_comb_auth, SADB_AALG_SHA1HMAC);
	}
	if (pfkey_msg_nat_t_port(m, SADB_X_EXT_NAT_T_DPORT))
		assert_int_equal(ntohs(pfkey_msg_nat_t_port(m,
			SADB_X_EXT_NAT_T_DPORT)->sadb_x_nat_t_port_port), 4501);
	if (pfkey_msg_nat_t_type(m))
		assert_int_equal(pfkey_msg_nat_t_type(m)->sadb_x_nat_t_type_type, 2);
	if (pfkey_msg_kipsec_sa(m))
		assert_int_equal(pfkey_msg_kipsec_sa(m)->sadb_x_kipsec_sa_replay,
				 1024);
	if (pfkey_msg_sec_ctx(m))
		assert_int_equal(pfkey_msg_sec_ctx(m)->sadb_x_ctx_len, 22);
	if (pfkey_msg_spirange(m))
		assert_int_equal(pfkey_msg_spirange(m)->sadb_spirange_max,
				 0x0fffffff);
	if (pfkey_msg_lifetime(m, SADB_EXT_LIFETIME_HARD))
		assert_int_equal(pfkey_msg_lifetime(m, SADB_EXT_LIFETIME_HARD)
				 ->sadb_lifetime_bytes, 3000);
}

static void test_every_message_type(void **state)
{
	_Alignas(8) uint8_t buf[2048];
	struct pfkey_msg m;
	char name[64];

	(void)state;
	for (int fam = 0; fam < 2; fam++) {
		for (unsigned int type = 1; type <= SADB_MAX; type++) {
			size_t n = build(buf, sizeof(buf), type, fam);

			if (pfkey_parse(buf, n, &m) != 0)
				fail_msg("%s: %s", pfkey_msg_type_name(type),
					 pfkey_parse_error());
			assert_int_equal(m.hdr->sadb_msg_type, type);
			assert_int_equal(m.hdr->sadb_msg_seq, 1000 + type);
			assert_int_equal(m.hdr->sadb_msg_pid, 4242);
			assert_int_equal(m.len, n);
			for (unsigned int t = 0; t < PFKEY_EXT_SLOTS; t++)
				assert_int_equal(m.ext[t] != NULL,
					t <= PFKEY_EXT_KNOWN_MAX &&
					(ext_sets[type] & EXT(t)) != 0);
			check_contents(&m, fam);
			/* Seeds: every type over IPv4, a few over IPv6. */
			if (fam && type != SADB_ADD && type != SADB_X_SPDADD &&
			    type != SADB_X_MIGRATE)
				continue;
			snprintf(name, sizeof(name), "%s%s.bin",
				 pfkey_msg_type_name(type), fam ? "_v6" : "");
			write_seed(name, buf, n);
		}
	}
}

/* Policy strings are seeds too: the target also parses input as text. */
static void test_policy_seeds(void **state)
{
	static const char *const seeds[] = {
		"out ipsec esp/transport//require",
		"in prio def + 10 ipsec esp/tunnel/10.0.0.1-10.0.0.2/unique:7 "
		"ah/transport//use",
		"fwd ipsec ipcomp/tunnel/2001:db8::1-2001:db8::2/use "
		"esp/transport//unique#16385",
		"out priority -5 discard",
	};
	char name[32];

	(void)state;
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		char *b = ipsec_set_policy(seeds[i], -1);

		assert_non_null(b);
		snprintf(name, sizeof(name), "policy_text_%zu.txt", i);
		write_seed(name, seeds[i], strlen(seeds[i]));
		snprintf(name, sizeof(name), "policy_blob_%zu.bin", i);
		write_seed(name, b, (size_t)ipsec_get_policylen(b));
		free(b);
	}
}

static void test_overflow_canary(void **state)
{
	_Alignas(8) uint8_t ref[2048];
	struct {
		_Alignas(8) uint8_t mem[2048];
	} *arena = malloc(sizeof(*arena));
	size_t need = build(ref, sizeof(ref), SADB_ADD, true);

	(void)state;
	assert_non_null(arena);
	/* Every capacity from 0 to past the need: never a byte beyond cap. */
	for (size_t cap = 0; cap <= need + 16; cap++) {
		struct pfkey_buf b;
		int rc = 0;

		memset(arena->mem, 0xa5, sizeof(arena->mem));
		pfkey_buf_init(&b, arena->mem, cap);
		pfkey_msg_begin(&b, SADB_ADD, SADB_SATYPE_ESP, 1000 + SADB_ADD,
				4242);
		for (unsigned int t = 1; t <= PFKEY_EXT_KNOWN_MAX; t++)
			if (ext_sets[SADB_ADD] & EXT(t))
				rc = add_one(&b, t, true);
		rc = pfkey_msg_end(&b);
		for (size_t i = cap; i < sizeof(arena->mem); i++)
			if (arena->mem[i] != 0xa5)
				fail_msg("cap %zu: byte %zu written", cap, i);
		assert_true(b.len <= cap);
		if (cap < need) {
			assert_int_equal(rc, -EMSGSIZE);
			assert_int_equal(b.err, EMSGSIZE);
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(b.len, need);
			assert_memory_equal(arena->mem, ref, need);
		}
	}
	free(arena);
}

static void test_sticky_error(void **state)
{
	_Alignas(8) uint8_t buf[40];
	struct pfkey_buf b;
	size_t len;

	(void)state;
	pfkey_buf_init(&b, buf, sizeof(buf));
	assert_non_null(pfkey_msg_begin(&b, SADB_ADD, SADB_SATYPE_ESP, 1, 2));
	assert_int_equal(pfkey_add_key(&b, SADB_EXT_KEY_ENCRYPT, ekey, 24),
			 -EMSGSIZE);
	len = b.len;
	/* Would fit now, but the failure is sticky. */
	assert_int_equal(pfkey_add_sa2(&b, 0, 0, 0), -EMSGSIZE);
	assert_int_equal(pfkey_add_nat_t_type(&b, 1), -EMSGSIZE);
	assert_int_equal(b.len, len);
	assert_int_equal(pfkey_msg_end(&b), -EMSGSIZE);
	/* Nothing fits in a zero-capacity or NULL buffer. */
	pfkey_buf_init(&b, NULL, 100);
	assert_null(pfkey_msg_begin(&b, SADB_ADD, 0, 0, 0));
	assert_int_equal(pfkey_msg_end(&b), -EMSGSIZE);
}

static void test_message_size_limit(void **state)
{
	size_t cap = PFKEY_MSG_MAX + 65536;
	uint8_t *big = malloc(cap);
	uint8_t *key = calloc(1, 8000);
	struct pfkey_buf b;
	int rc = 0;

	(void)state;
	assert_non_null(big);
	assert_non_null(key);
	pfkey_buf_init(&b, big, cap);
	pfkey_msg_begin(&b, SADB_ADD, SADB_SATYPE_ESP, 1, 2);
	/* Distinct types are not needed to test the builder's limit. */
	for (int i = 0; i < 80 && rc == 0; i++)
		rc = pfkey_add_key(&b, SADB_EXT_KEY_ENCRYPT, key, 8000);
	assert_int_equal(rc, -EMSGSIZE);
	assert_true(b.len <= PFKEY_MSG_MAX);
	/* A single extension can be at most 0xffff units. */
	pfkey_buf_init(&b, big, cap);
	pfkey_msg_begin(&b, SADB_ADD, SADB_SATYPE_ESP, 1, 2);
	assert_int_equal(pfkey_add_key(&b, SADB_EXT_KEY_ENCRYPT, key, 8192),
			 -EMSGSIZE);
	free(key);
	free(big);
}

static void test_adder_arguments(void **state)
{
	_Alignas(8) uint8_t buf[512];
	struct pfkey_buf b;
	struct sockaddr_in a = v4("10.0.0.0");
	struct sockaddr un = { .sa_family = AF_UNIX };
	struct sadb_ext bad = { .sadb_ext_len = 3,
				.sadb_ext_type = SADB_X_EXT_KMPRIVATE };
	const struct sadb_address *ad;
	struct pfkey_msg m;

#define FRESH() do { pfkey_buf_init(&b, buf, sizeof(buf)); \
	pfkey_msg_begin(&b, SADB_X_SPDADD, 0, 1, 2); } while (0)
	(void)state;
	/* No message begun. */
	pfkey_buf_init(&b, buf, sizeof(buf));
	assert_int_equal(pfkey_add_sa2(&b, 0, 0, 0), -EINVAL);
	FRESH();
	assert_int_equal(pfkey_add_address(&b, SADB_EXT_ADDRESS_SRC, &un, 0, 0),
			 -EAFNOSUPPORT);
	FRESH();
	assert_int_equal(pfkey_add_address(&b, SADB_EXT_ADDRESS_SRC,
					   (void *)&a, 33, 0), -EINVAL);
	FRESH();
	assert_int_equal(pfkey_add_spirange(&b, 10, 9), -EINVAL);
	FRESH();
	assert_int_equal(pfkey_add_raw(&b, &bad, sizeof(bad)), -EINVAL);
	FRESH();
	assert_int_equal(pfkey_add_policy(&b, "garbage-not-a-policy", 16),
			 -EINVAL);
	/* 0xff prefix = host; raw with len 0 gets its length filled in. */
	FRESH();
	assert_int_equal(pfkey_add_address(&b, SADB_EXT_ADDRESS_SRC,
					   (void *)&a, 0xff, 6), 0);
	bad.sadb_ext_len = 0;
	assert_int_equal(pfkey_add_raw(&b, &bad, sizeof(bad)), 0);
	assert_int_equal(pfkey_add_policy_hdr(&b, IPSEC_POLICY_NONE,
					      IPSEC_DIR_INBOUND, 5, 0), 0);
	assert_int_equal(pfkey_msg_end(&b), 0);
	assert_int_equal(pfkey_parse(buf, b.len, &m), 0);
	ad = pfkey_msg_address(&m, SADB_EXT_ADDRESS_SRC);
	assert_int_equal(ad->sadb_address_prefixlen, 32);
	assert_int_equal(ad->sadb_address_proto, 6);
	assert_int_equal(pfkey_msg_ext(&m, SADB_X_EXT_KMPRIVATE)->sadb_ext_len,
			 1);
	assert_int_equal(pfkey_msg_policy(&m)->sadb_x_policy_id, 5);
	assert_null(pfkey_policy_next_request(pfkey_msg_policy(&m), NULL));
	/* Wrong-kind accessor arguments give NULL, not a wrong cast. */
	assert_null(pfkey_msg_address(&m, SADB_EXT_SA));
	assert_null(pfkey_msg_key(&m, SADB_EXT_SA));
	assert_null(pfkey_msg_ext(&m, PFKEY_EXT_SLOTS));
#undef FRESH
}

/* pfkey_add_policy_reqs: a bundle from values, read back request by
 * request and as ipsec_dump_policy prints it; what the parser would
 * refuse is refused here. */
static void test_policy_reqs(void **state)
{
	_Alignas(8) uint8_t buf[1024];
	struct sockaddr_in6 t6s = v6("fd00::1"), t6d = v6("fd00::2");
	struct sockaddr_in t4 = v4("10.0.0.1");
	struct pfkey_policy_req rq[2] = {
		{ IPPROTO_ESP, IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_REQUIRE, 0,
		  NULL, NULL },
		{ IPPROTO_AH, IPSEC_MODE_TUNNEL, IPSEC_LEVEL_UNIQUE, 7,
		  (void *)&t6s, (void *)&t6d },
	};
	struct pfkey_policy_req many[PFKEY_POLICY_MAX_REQUESTS + 1];
	const struct sadb_x_ipsecrequest *r;
	const struct sockaddr *src, *dst;
	const struct sadb_x_policy *xp;
	struct pfkey_buf b;
	struct pfkey_msg m;
	char *text;

#define FRESH() do { pfkey_buf_init(&b, buf, sizeof(buf)); \
	pfkey_msg_begin(&b, SADB_X_SPDADD, 0, 1, 2); } while (0)
	(void)state;
	FRESH();
	assert_int_equal(pfkey_add_policy_reqs(&b, IPSEC_POLICY_IPSEC,
					       IPSEC_DIR_OUTBOUND, 0,
					       PFKEY_PRIORITY_DEFAULT - 5,
					       rq, 2), 0);
	assert_int_equal(pfkey_msg_end(&b), 0);
	assert_int_equal(pfkey_parse(buf, b.len, &m), 0);
	xp = pfkey_msg_policy(&m);
	assert_non_null(xp);
	/* 16 + 16 + (16 + 2 * 28) bytes. */
	assert_int_equal(xp->sadb_x_policy_len, 13);
	assert_int_equal(xp->sadb_x_policy_priority, PFKEY_PRIORITY_DEFAULT - 5);
	r = pfkey_policy_next_request(xp, NULL);
	assert_non_null(r);
	assert_int_equal(r->sadb_x_ipsecrequest_proto, IPPROTO_ESP);
	assert_int_equal(r->sadb_x_ipsecrequest_level, IPSEC_LEVEL_REQUIRE);
	assert_int_equal(pfkey_request_addrs(r, &src, &dst), -ENOENT);
	r = pfkey_policy_next_request(xp, r);
	assert_non_null(r);
	assert_int_equal(r->sadb_x_ipsecrequest_proto, IPPROTO_AH);
	assert_int_equal(r->sadb_x_ipsecrequest_mode, IPSEC_MODE_TUNNEL);
	assert_int_equal(r->sadb_x_ipsecrequest_reqid, 7);
	assert_int_equal(pfkey_request_addrs(r, &src, &dst), 0);
	assert_memory_equal(src, &t6s, sizeof(t6s));
	assert_memory_equal(dst, &t6d, sizeof(t6d));
	assert_null(pfkey_policy_next_request(xp, r));
	text = ipsec_dump_policy((const char *)xp, NULL);
	assert_non_null(text);
	assert_string_equal(text, "out prio def + 5 ipsec esp/transport//require "
			    "ah/tunnel/fd00::1-fd00::2/unique:7");
	free(text);

	/* No requests: a bypass policy. */
	FRESH();
	assert_int_equal(pfkey_add_policy_reqs(&b, IPSEC_POLICY_BYPASS,
					       IPSEC_DIR_INBOUND, 0, 0, NULL, 0), 0);
	/* Requests only for ipsec; tunnel mode needs endpoints; endpoints
	 * come in pairs of one family; at most PFKEY_POLICY_MAX_REQUESTS. */
	FRESH();
	assert_int_equal(pfkey_add_policy_reqs(&b, IPSEC_POLICY_BYPASS,
					       IPSEC_DIR_INBOUND, 0, 0, rq, 1),
			 -EINVAL);
	FRESH();
	rq[1].src = rq[1].dst = NULL;
	assert_int_equal(pfkey_add_policy_reqs(&b, IPSEC_POLICY_IPSEC,
					       IPSEC_DIR_INBOUND, 0, 0, rq, 2),
			 -EINVAL);
	FRESH();
	rq[1].src = (void *)&t6s;
	assert_int_equal(pfkey_add_policy_reqs(&b, IPSEC_POLICY_IPSEC,
					       IPSEC_DIR_INBOUND, 0, 0, rq, 2),
			 -EINVAL);
	FRESH();
	rq[1].dst = (void *)&t4;
	assert_int_equal(pfkey_add_policy_reqs(&b, IPSEC_POLICY_IPSEC,
					       IPSEC_DIR_INBOUND, 0, 0, rq, 2),
			 -EINVAL);
	FRESH();
	rq[0].proto = IPPROTO_UDP;
	assert_int_equal(pfkey_add_policy_reqs(&b, IPSEC_POLICY_IPSEC,
					       IPSEC_DIR_INBOUND, 0, 0, rq, 1),
			 -EINVAL);
	for (size_t i = 0; i < PFKEY_POLICY_MAX_REQUESTS + 1; i++)
		many[i] = (struct pfkey_policy_req){ IPPROTO_ESP,
			IPSEC_MODE_TRANSPORT, IPSEC_LEVEL_USE, 0, NULL, NULL };
	FRESH();
	assert_int_equal(pfkey_add_policy_reqs(&b, IPSEC_POLICY_IPSEC,
					       IPSEC_DIR_INBOUND, 0, 0, many,
					       PFKEY_POLICY_MAX_REQUESTS), 0);
	FRESH();
	assert_int_equal(pfkey_add_policy_reqs(&b, IPSEC_POLICY_IPSEC,
					       IPSEC_DIR_INBOUND, 0, 0, many,
					       PFKEY_POLICY_MAX_REQUESTS + 1),
			 -EINVAL);
#undef FRESH
}

static void test_two_messages_one_buffer(void **state)
{
	_Alignas(8) uint8_t buf[256];
	struct pfkey_buf b;
	struct pfkey_msg m;
	size_t first;

	(void)state;
	pfkey_buf_init(&b, buf, sizeof(buf));
	pfkey_msg_begin(&b, SADB_FLUSH, SADB_SATYPE_UNSPEC, 1, 2);
	assert_int_equal(pfkey_msg_end(&b), 0);
	first = b.len;
	pfkey_msg_begin(&b, SADB_X_SPDFLUSH, 0, 2, 2);
	assert_int_equal(pfkey_add_nat_t_type(&b, 1), 0);
	assert_int_equal(pfkey_msg_end(&b), 0);
	assert_ptr_equal(pfkey_buf_msg(&b), buf + first);
	assert_int_equal(pfkey_buf_msglen(&b), 24);
	assert_int_equal(pfkey_parse(buf, first, &m), 0);
	assert_int_equal(pfkey_parse(buf + first, 24, &m), 0);
	assert_int_equal(m.hdr->sadb_msg_type, SADB_X_SPDFLUSH);
}

/* --- socket helpers over a socketpair ------------------------------------ */

static int sp[2];

static int setup_pair(void **state)
{
	(void)state;
	return socketpair(AF_UNIX, SOCK_DGRAM, 0, sp);
}

static int teardown_pair(void **state)
{
	(void)state;
	close(sp[0]);
	close(sp[1]);
	return 0;
}

/* Queue a reply from the "kernel" end. */
static void kernel_says(uint8_t type, uint32_t seq, uint32_t pid,
			uint8_t err, bool with_sa)
{
	_Alignas(8) uint8_t buf[128];
	struct pfkey_buf b;
	struct sadb_msg *h;

	pfkey_buf_init(&b, buf, sizeof(buf));
	h = pfkey_msg_begin(&b, type, SADB_SATYPE_ESP, seq, pid);
	h->sadb_msg_errno = err;
	if (with_sa)
		pfkey_add_sa(&b, htonl(seq + 1), 0, 1, 0, 0, 0);
	assert_int_equal(pfkey_msg_end(&b), 0);
	assert_int_equal(pfkey_send(sp[1], buf, b.len), 0);
}

static void test_request_matching(void **state)
{
	_Alignas(8) uint8_t q[64], r[256];
	struct pfkey_buf b;
	ssize_t n;

	(void)state;
	pfkey_buf_init(&b, q, sizeof(q));
	pfkey_msg_begin(&b, SADB_GET, SADB_SATYPE_ESP, 77, 99);
	pfkey_add_sa(&b, htonl(1), 0, 0, 0, 0, 0);
	pfkey_msg_end(&b);
	/* Unrelated traffic first: another pid, another seq, an ACQUIRE. */
	kernel_says(SADB_GET, 77, 98, 0, true);
	kernel_says(SADB_GET, 76, 99, 0, true);
	kernel_says(SADB_ACQUIRE, 0, 0, 0, false);
	kernel_says(SADB_GET, 77, 99, 0, true);
	n = pfkey_request(sp[0], q, b.len, r, sizeof(r));
	assert_int_equal(n, 32);
	assert_int_equal(((struct sadb_msg *)r)->sadb_msg_seq, 77);
	assert_int_equal(((struct sadb_msg *)r)->sadb_msg_pid, 99);
	/* An error reply is returned as -errno. */
	kernel_says(SADB_GET, 77, 99, ESRCH, false);
	assert_int_equal(pfkey_request(sp[0], q, b.len, r, sizeof(r)), -ESRCH);
	/* Our reply, too big for the caller's buffer: said, not skipped. */
	kernel_says(SADB_GET, 77, 99, 0, true);
	assert_int_equal(pfkey_request(sp[0], q, b.len, r, 24), -EMSGSIZE);
	/* The request itself reached the other end intact. */
	assert_int_equal(pfkey_recv(sp[1], r, sizeof(r)), (ssize_t)b.len);
	assert_memory_equal(r, q, b.len);
	/* Drain the two later requests so the queue stays short. */
	assert_int_equal(pfkey_recv(sp[1], r, sizeof(r)), (ssize_t)b.len);
	assert_int_equal(pfkey_recv(sp[1], r, sizeof(r)), (ssize_t)b.len);

	/* af_key answers SPDDELETE2 with an SPDDELETE-typed message. */
	pfkey_buf_init(&b, q, sizeof(q));
	pfkey_msg_begin(&b, SADB_X_SPDDELETE2, 0, 78, 99);
	pfkey_add_policy_hdr(&b, IPSEC_POLICY_IPSEC, IPSEC_DIR_OUTBOUND, 9, 0);
	pfkey_msg_end(&b);
	kernel_says(SADB_X_SPDDELETE, 78, 99, 0, false);
	assert_int_equal(pfkey_request(sp[0], q, b.len, r, sizeof(r)), 16);
}

static void test_recv_too_small(void **state)
{
	_Alignas(8) uint8_t r[64];

	(void)state;
	kernel_says(SADB_GET, 1, 1, 0, true);
	assert_int_equal(pfkey_recv(sp[0], r, 16), -EMSGSIZE);
	assert_int_equal(pfkey_send(sp[0], r, 8), -EINVAL);
}

struct dump_ctx {
	unsigned int calls;
	uint32_t spis[8];
	int stop_after;
};

static int dump_cb(const struct pfkey_msg *m, void *arg)
{
	struct dump_ctx *c = arg;

	assert_non_null(pfkey_msg_sa(m));
	c->spis[c->calls++] = ntohl(pfkey_msg_sa(m)->sadb_sa_spi);
	return c->stop_after && (int)c->calls == c->stop_after ? 5 : 0;
}

static void test_dump_loop(void **state)
{
	uint32_t pid = (uint32_t)getpid();
	struct dump_ctx c = { 0 };

	(void)state;
	/* The kernel counts seq down to 0 on the last message. */
	kernel_says(SADB_DUMP, 2, pid, 0, true);
	kernel_says(SADB_ACQUIRE, 0, 0, 0, false);	/* interleaved */
	kernel_says(SADB_DUMP, 1, pid, 0, true);
	kernel_says(SADB_DUMP, 0, pid, 0, true);
	assert_int_equal(pfkey_dump(sp[0], SADB_DUMP, SADB_SATYPE_UNSPEC,
				    dump_cb, &c), 0);
	assert_int_equal(c.calls, 3);
	assert_int_equal(c.spis[0], 3);
	assert_int_equal(c.spis[2], 1);

	/* Empty table: ENOENT means no entries, not an error. */
	memset(&c, 0, sizeof(c));
	kernel_says(SADB_X_SPDDUMP, 5, pid, ENOENT, false);
	assert_int_equal(pfkey_dump(sp[0], SADB_X_SPDDUMP, 0, dump_cb, &c), 0);
	assert_int_equal(c.calls, 0);

	/* A callback's non-zero return stops callbacks, drains the rest. */
	memset(&c, 0, sizeof(c));
	c.stop_after = 1;
	kernel_says(SADB_DUMP, 1, pid, 0, true);
	kernel_says(SADB_DUMP, 0, pid, 0, true);
	assert_int_equal(pfkey_dump(sp[0], SADB_DUMP, 0, dump_cb, &c), 5);
	assert_int_equal(c.calls, 1);

	/* Other errors come back negated. */
	kernel_says(SADB_DUMP, 1, pid, EPERM, false);
	assert_int_equal(pfkey_dump(sp[0], SADB_DUMP, 0, dump_cb, &c), -EPERM);
	assert_int_equal(pfkey_dump(sp[0], SADB_ADD, 0, dump_cb, &c), -EINVAL);
}

static void test_open(void **state)
{
	int fd = pfkey_open();

	(void)state;
	/* Without af_key/kipsec (or CAP_NET_ADMIN) this fails with -errno;
	 * either way it must not return a bogus value. */
	if (fd >= 0)
		pfkey_close(fd);
	else
		assert_true(fd == -EAFNOSUPPORT || fd == -EPERM ||
			    fd == -EACCES || fd == -EPROTONOSUPPORT);
	assert_int_not_equal(pfkey_next_seq(), 0);
	assert_int_not_equal(pfkey_next_seq(), pfkey_next_seq());
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(pfkey_msg_type_name(SADB_ADD), "ADD");
	assert_string_equal(pfkey_msg_type_name(SADB_X_SPDDUMP), "X_SPDDUMP");
	assert_string_equal(pfkey_msg_type_name(200), "unknown");
	assert_string_equal(pfkey_satype_name(SADB_SATYPE_ESP), "esp");
	assert_string_equal(pfkey_satype_name(SADB_X_SATYPE_IPCOMP), "ipcomp");
	assert_string_equal(pfkey_satype_name(4), "unknown");
	assert_string_equal(pfkey_ext_name(SADB_EXT_ADDRESS_SRC), "address_src");
	assert_string_equal(pfkey_mode_name(IPSEC_MODE_TUNNEL), "tunnel");
	assert_string_equal(pfkey_mode_name(IPSEC_MODE_ANY), "any");
	assert_string_equal(pfkey_state_name(SADB_SASTATE_MATURE), "mature");
	assert_string_equal(pfkey_state_name(SADB_SASTATE_DEAD), "dead");
	assert_string_equal(pfkey_dir_name(IPSEC_DIR_FWD), "fwd");
	assert_string_equal(pfkey_level_name(IPSEC_LEVEL_UNIQUE), "unique");
	assert_string_equal(pfkey_policy_type_name(IPSEC_POLICY_ENTRUST),
			    "entrust");
	assert_int_equal(pfkey_satype_by_name("ah"), SADB_SATYPE_AH);
	assert_int_equal(pfkey_satype_by_name("unspec"), -1);
	assert_int_equal(pfkey_satype_by_name("bogus"), -1);
	assert_int_equal(pfkey_mode_by_name("transport"), IPSEC_MODE_TRANSPORT);
	assert_int_equal(pfkey_satype_to_proto(SADB_SATYPE_ESP), IPPROTO_ESP);
	assert_int_equal(pfkey_proto_to_satype(IPPROTO_COMP),
			 SADB_X_SATYPE_IPCOMP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_message_type),
		cmocka_unit_test(test_policy_seeds),
		cmocka_unit_test(test_overflow_canary),
		cmocka_unit_test(test_sticky_error),
		cmocka_unit_test(test_message_size_limit),
		cmocka_unit_test(test_adder_arguments),
		cmocka_unit_test(test_policy_reqs),
		cmocka_unit_test(test_two_messages_one_buffer),
		cmocka_unit_test_setup_teardown(test_request_matching,
						setup_pair, teardown_pair),
		cmocka_unit_test_setup_teardown(test_recv_too_small,
						setup_pair, teardown_pair),
		cmocka_unit_test_setup_teardown(test_dump_loop,
						setup_pair, teardown_pair),
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
