// SPDX-License-Identifier: BSD-2-Clause
/*
 * libpfkey algorithm table: names, ids, aliases and exact key lengths.
 * The expectations here are written out independently of alg.c so a
 * slip in the table shows up as a disagreement.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <kipsec/libpfkey.h>

struct alg_case {
	const char *name;
	enum pfkey_alg_kind kind;
	unsigned int id;
	unsigned int good[6];	/* accepted key lengths in bits, 0-terminated
				 * (except first entry may be 0 for keyless) */
	unsigned int bad[6];	/* rejected lengths, terminated by 9999 */
	unsigned int icv;
	bool aead;
};

#define E PFKEY_ALG_ENCRYPT
#define A PFKEY_ALG_AUTH
#define C PFKEY_ALG_COMP
#define END 9999

static const struct alg_case cases[] = {
	{ "des-cbc", E, SADB_EALG_DESCBC, { 64 }, { 56, 128, END }, 0, false },
	{ "3des-cbc", E, SADB_EALG_3DESCBC, { 192 }, { 128, 168, 256, END }, 0, false },
	{ "blowfish-cbc", E, SADB_X_EALG_BLOWFISHCBC, { 40, 48, 128, 440, 448 },
	  { 32, 44, 127, 456, END }, 0, false },
	{ "cast128-cbc", E, SADB_X_EALG_CASTCBC, { 40, 64, 80, 128 },
	  { 32, 41, 136, END }, 0, false },
	{ "aes-cbc", E, SADB_X_EALG_AESCBC, { 128, 192, 256 },
	  { 0, 64, 160, 224, 320, END }, 0, false },
	{ "rijndael-cbc", E, SADB_X_EALG_AESCBC, { 128, 192, 256 },
	  { 160, END }, 0, false },
	{ "aes-ctr", E, SADB_X_EALG_AESCTR, { 160, 224, 288 },
	  { 128, 192, 256, END }, 0, false },
	{ "aes-gcm-16", E, SADB_X_EALG_AES_GCM_ICV16, { 160, 224, 288 },
	  { 128, 256, END }, 16, true },
	{ "aes-gcm-12", E, SADB_X_EALG_AES_GCM_ICV12, { 160, 224, 288 },
	  { 128, END }, 12, true },
	{ "aes-gcm-8", E, SADB_X_EALG_AES_GCM_ICV8, { 160, 224, 288 },
	  { 128, END }, 8, true },
	{ "aes-gcm", E, SADB_X_EALG_AES_GCM_ICV16, { 160, 224, 288 },
	  { 128, END }, 16, true },
	{ "chacha20-poly1305", E, SADB_X_EALG_CHACHA20_POLY1305, { 288 },
	  { 256, 160, END }, 16, true },
	{ "camellia-cbc", E, SADB_X_EALG_CAMELLIACBC, { 128, 192, 256 },
	  { 160, END }, 0, false },
	{ "null", E, SADB_EALG_NULL, { 0 }, { 8, 64, END }, 0, false },
	{ "hmac-md5", A, SADB_AALG_MD5HMAC, { 128 }, { 0, 160, END }, 0, false },
	{ "hmac-sha1", A, SADB_AALG_SHA1HMAC, { 160 }, { 128, 256, END }, 0, false },
	{ "hmac-sha2-256", A, SADB_X_AALG_SHA2_256HMAC, { 256 },
	  { 128, 512, END }, 0, false },
	{ "hmac-sha256", A, SADB_X_AALG_SHA2_256HMAC, { 256 }, { 128, END }, 0, false },
	{ "hmac-sha2-384", A, SADB_X_AALG_SHA2_384HMAC, { 384 },
	  { 256, END }, 0, false },
	{ "hmac-sha2-512", A, SADB_X_AALG_SHA2_512HMAC, { 512 },
	  { 384, END }, 0, false },
	{ "hmac-ripemd160", A, SADB_X_AALG_RIPEMD160HMAC, { 160 },
	  { 128, END }, 0, false },
	{ "aes-xcbc-mac", A, SADB_X_AALG_AES_XCBC_MAC, { 128 }, { 256, END }, 0, false },
	{ "null", A, SADB_X_AALG_NULL, { 0 }, { 8, END }, 0, false },
	{ "deflate", C, SADB_X_CALG_DEFLATE, { 0 }, { END }, 0, false },
	{ "lzs", C, SADB_X_CALG_LZS, { 0 }, { END }, 0, false },
	{ "lzjh", C, SADB_X_CALG_LZJH, { 0 }, { END }, 0, false },
};

static void test_alg(void **state)
{
	const struct alg_case *c = *state;
	const struct pfkey_alg *a = pfkey_alg_by_name(c->kind, c->name);

	if (!a)
		fail_msg("%s not found", c->name);
	assert_int_equal(a->id, c->id);
	assert_int_equal(a->kind, c->kind);
	assert_int_equal(a->icv_bytes, c->icv);
	assert_int_equal(a->aead, c->aead);
	/* The first good length may be 0 (keyless); the rest end at 0. */
	for (size_t i = 0; i < 6 && (i == 0 || c->good[i]); i++)
		if (!pfkey_alg_key_ok(a, c->good[i]))
			fail_msg("%s: %u bits refused", c->name, c->good[i]);
	for (size_t i = 0; i < 6 && c->bad[i] != END; i++)
		if (pfkey_alg_key_ok(a, c->bad[i]))
			fail_msg("%s: %u bits accepted", c->name, c->bad[i]);
	/* by_id gives the canonical entry, whose name may differ. */
	assert_ptr_equal(pfkey_alg_by_id(c->kind, c->id), a);
}

static void test_lookup_misses(void **state)
{
	(void)state;
	assert_null(pfkey_alg_by_name(PFKEY_ALG_ENCRYPT, "hmac-md5"));
	assert_null(pfkey_alg_by_name(PFKEY_ALG_AUTH, "3des-cbc"));
	assert_null(pfkey_alg_by_name(PFKEY_ALG_ENCRYPT, "aes"));
	assert_null(pfkey_alg_by_name(PFKEY_ALG_ENCRYPT, "3DES-CBC"));
	assert_null(pfkey_alg_by_name(PFKEY_ALG_ENCRYPT, NULL));
	assert_null(pfkey_alg_by_id(PFKEY_ALG_AUTH, 200));
	assert_false(pfkey_alg_key_ok(NULL, 128));
	assert_string_equal(pfkey_alg_name(PFKEY_ALG_ENCRYPT,
					   SADB_X_EALG_AESCBC), "aes-cbc");
	assert_string_equal(pfkey_alg_name(PFKEY_ALG_AUTH,
					   SADB_X_AALG_SHA2_256HMAC),
			    "hmac-sha2-256");
	assert_null(pfkey_alg_name(PFKEY_ALG_COMP, 99));
}

/* The table is the one source of truth: no id or name twice per kind,
 * consistent fields, and every Linux id covered. */
static void test_table_consistency(void **state)
{
	static const unsigned int linux_ealgs[] = {
		SADB_EALG_DESCBC, SADB_EALG_3DESCBC, SADB_X_EALG_CASTCBC,
		SADB_X_EALG_BLOWFISHCBC, SADB_EALG_NULL, SADB_X_EALG_AESCBC,
		SADB_X_EALG_AESCTR, SADB_X_EALG_AES_CCM_ICV8,
		SADB_X_EALG_AES_CCM_ICV12, SADB_X_EALG_AES_CCM_ICV16,
		SADB_X_EALG_AES_GCM_ICV8, SADB_X_EALG_AES_GCM_ICV12,
		SADB_X_EALG_AES_GCM_ICV16, SADB_X_EALG_CAMELLIACBC,
		SADB_X_EALG_NULL_AES_GMAC, SADB_X_EALG_SM4CBC,
		SADB_X_EALG_SERPENTCBC, SADB_X_EALG_TWOFISHCBC,
	};
	static const unsigned int linux_aalgs[] = {
		SADB_AALG_MD5HMAC, SADB_AALG_SHA1HMAC, SADB_X_AALG_SHA2_256HMAC,
		SADB_X_AALG_SHA2_384HMAC, SADB_X_AALG_SHA2_512HMAC,
		SADB_X_AALG_RIPEMD160HMAC, SADB_X_AALG_AES_XCBC_MAC,
		SADB_X_AALG_SM3_256HMAC, SADB_X_AALG_NULL,
	};
	unsigned int n = 0;

	(void)state;
	for (const struct pfkey_alg *a = pfkey_alg_first(); a;
	     a = pfkey_alg_next(a), n++) {
		assert_non_null(a->name);
		assert_true(a->key_min_bits <= a->key_max_bits);
		assert_true(a->aead == (a->icv_bytes != 0));
		if (a->aead)
			assert_int_equal(a->kind, PFKEY_ALG_ENCRYPT);
		if (a->key_step_bits)
			assert_int_equal((a->key_max_bits - a->key_min_bits) %
					 a->key_step_bits, 0);
		for (const struct pfkey_alg *b = pfkey_alg_next(a); b;
		     b = pfkey_alg_next(b)) {
			if (b->kind != a->kind)
				continue;
			assert_int_not_equal(a->id, b->id);
			assert_string_not_equal(a->name, b->name);
			/* A name must not also be another entry's alias. */
			assert_ptr_equal(pfkey_alg_by_name(b->kind, b->name), b);
		}
	}
	assert_true(n >= 30);
	assert_null(pfkey_alg_next(NULL));
	for (size_t i = 0; i < sizeof(linux_ealgs) / sizeof(*linux_ealgs); i++)
		assert_non_null(pfkey_alg_by_id(PFKEY_ALG_ENCRYPT, linux_ealgs[i]));
	for (size_t i = 0; i < sizeof(linux_aalgs) / sizeof(*linux_aalgs); i++)
		assert_non_null(pfkey_alg_by_id(PFKEY_ALG_AUTH, linux_aalgs[i]));
	for (unsigned int id = SADB_X_CALG_DEFLATE; id <= SADB_X_CALG_MAX; id++)
		assert_non_null(pfkey_alg_by_id(PFKEY_ALG_COMP, id));
}

/* IKEv2 transform ids (IANA) to PF_KEY ids, written out from the IANA
 * registries and <linux/pfkeyv2.h>, not from alg.c. */
static void test_ikev2_ids(void **state)
{
	static const struct {
		enum pfkey_alg_kind kind;
		unsigned int ikev2, pfkey, salt;
	} map[] = {
		{ E, 2, SADB_EALG_DESCBC, 0 },		/* ENCR_DES */
		{ E, 3, SADB_EALG_3DESCBC, 0 },		/* ENCR_3DES */
		{ E, 6, SADB_X_EALG_CASTCBC, 0 },	/* ENCR_CAST */
		{ E, 7, SADB_X_EALG_BLOWFISHCBC, 0 },	/* ENCR_BLOWFISH */
		{ E, 11, SADB_EALG_NULL, 0 },		/* ENCR_NULL */
		{ E, 12, SADB_X_EALG_AESCBC, 0 },	/* ENCR_AES_CBC */
		{ E, 13, SADB_X_EALG_AESCTR, 32 },	/* ENCR_AES_CTR */
		{ E, 14, SADB_X_EALG_AES_CCM_ICV8, 24 },
		{ E, 15, SADB_X_EALG_AES_CCM_ICV12, 24 },
		{ E, 16, SADB_X_EALG_AES_CCM_ICV16, 24 },
		{ E, 18, SADB_X_EALG_AES_GCM_ICV8, 32 },
		{ E, 19, SADB_X_EALG_AES_GCM_ICV12, 32 },
		{ E, 20, SADB_X_EALG_AES_GCM_ICV16, 32 },
		{ E, 21, SADB_X_EALG_NULL_AES_GMAC, 32 }, /* 23 in PF_KEY */
		{ E, 23, SADB_X_EALG_CAMELLIACBC, 0 },	/* 22 in PF_KEY */
		{ E, 28, SADB_X_EALG_CHACHA20_POLY1305, 32 },
		{ A, 1, SADB_AALG_MD5HMAC, 0 },		/* AUTH_HMAC_MD5_96 */
		{ A, 2, SADB_AALG_SHA1HMAC, 0 },	/* AUTH_HMAC_SHA1_96 */
		{ A, 5, SADB_X_AALG_AES_XCBC_MAC, 0 },	/* AUTH_AES_XCBC_96 */
		{ A, 12, SADB_X_AALG_SHA2_256HMAC, 0 },	/* _256_128 */
		{ A, 13, SADB_X_AALG_SHA2_384HMAC, 0 },	/* _384_192 */
		{ A, 14, SADB_X_AALG_SHA2_512HMAC, 0 },	/* _512_256 */
		{ C, 2, SADB_X_CALG_DEFLATE, 0 },	/* IPCOMP_DEFLATE */
		{ C, 3, SADB_X_CALG_LZS, 0 },
		{ C, 4, SADB_X_CALG_LZJH, 0 },
	};
	static const struct { enum pfkey_alg_kind kind; unsigned int id; } none[] = {
		{ E, 0 }, { E, 1 }, { E, 4 }, { E, 17 }, { E, 22 }, { E, 24 },
		{ E, 1024 }, { A, 0 }, { A, 3 }, { A, 6 }, { A, 8 }, { A, 9 },
		{ C, 1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		const struct pfkey_alg *a = pfkey_alg_by_ikev2(map[i].kind,
							       map[i].ikev2);

		if (!a)
			fail_msg("IKEv2 id %u (kind %d) not mapped", map[i].ikev2,
				 map[i].kind);
		if (a->id != map[i].pfkey || a->salt_bits != map[i].salt)
			fail_msg("IKEv2 id %u: PF_KEY %u salt %u, want %u salt %u",
				 map[i].ikev2, a->id, a->salt_bits,
				 map[i].pfkey, map[i].salt);
		assert_int_equal(a->kind, map[i].kind);
		assert_int_equal(a->ikev2_id, map[i].ikev2);
	}
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		if (pfkey_alg_by_ikev2(none[i].kind, none[i].id))
			fail_msg("IKEv2 id %u (kind %d) should map to nothing",
				 none[i].id, none[i].kind);
	/* AES-GCM with a 256-bit IKE key: 288 bits to PF_KEY. */
	assert_true(pfkey_alg_key_ok(pfkey_alg_by_ikev2(E, 20), 256 + 32));
	assert_false(pfkey_alg_key_ok(pfkey_alg_by_ikev2(E, 20), 256));
	/* No IKEv2 id twice per kind. */
	for (const struct pfkey_alg *a = pfkey_alg_first(); a; a = pfkey_alg_next(a))
		if (a->ikev2_id)
			assert_ptr_equal(pfkey_alg_by_ikev2(a->kind, a->ikev2_id), a);
}

#define ALG(i) cmocka_unit_test_prestate(test_alg, (void *)&cases[i])
#define N (sizeof(cases) / sizeof(cases[0]))

int main(void)
{
	struct CMUnitTest tests[N + 3];
	size_t n = 0;

	for (size_t i = 0; i < N; i++) {
		tests[n] = (struct CMUnitTest)ALG(i);
		tests[n++].name = cases[i].name;
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_lookup_misses);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_table_consistency);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_ikev2_ids);
	return _cmocka_run_group_tests("libpfkey_alg", tests, n, NULL, NULL);
}
