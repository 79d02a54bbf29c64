// SPDX-License-Identifier: BSD-2-Clause
/*
 * ikd's IKE cryptography (ike_crypto.h): transform tables, PRFs and prf+,
 * Diffie-Hellman, the SK payload.
 *
 * Known answers come from the published vectors, copied here byte for
 * byte with their RFC and section. Where there is no published vector for
 * IKE's framing, results are checked against a second computation made
 * here directly with EVP (cipher, HMAC), not through the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include "../../ikd/ike_crypto.h"
#include "../../ikd/ike_crypto_testing.h"

/* --- helpers ---------------------------------------------------------- */

/* Hex (spaces and colons allowed) into @out; returns the byte count. */
static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int v;

		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else
			continue;
		if (hi < 0) {
			hi = v;
			continue;
		}
		assert_true(n < cap);
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	assert_int_equal(hi, -1);
	return n;
}

/* The test's own HMAC, straight from EVP. */
static void ref_hmac(const char *digest, const uint8_t *key, size_t klen,
		     const uint8_t *data, size_t dlen, uint8_t *out,
		     size_t outlen)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	size_t mdlen = 0;
	static const uint8_t z;

	assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, digest, NULL,
				  klen ? key : &z, klen, data, dlen, md,
				  sizeof(md), &mdlen));
	assert_true(mdlen >= outlen);
	memcpy(out, md, outlen);
}

/* The legacy provider, loaded here independently of ike_crypto.c. */
static OSSL_LIB_CTX *ref_legacy(void)
{
	static OSSL_LIB_CTX *ctx;

	if (!ctx) {
		ctx = OSSL_LIB_CTX_new();
		assert_non_null(ctx);
		assert_non_null(OSSL_PROVIDER_load(ctx, "legacy"));
		assert_non_null(OSSL_PROVIDER_load(ctx, "default"));
	}
	return ctx;
}

struct ref_cipher {
	uint16_t id;
	const char *pre, *post;	/* OpenSSL's name: pre [keybits post] */
	bool legacy;
};

/* Written out apart from ike_crypto.c's table, as the reference. */
static const struct ref_cipher ref_ciphers[] = {
	{ IKE_ENCR_DES, "DES-CBC", NULL, true },
	{ IKE_ENCR_3DES, "DES-EDE3-CBC", NULL, false },
	{ IKE_ENCR_CAST, "CAST5-CBC", NULL, true },
	{ IKE_ENCR_BLOWFISH, "BF-CBC", NULL, true },
	{ IKE_ENCR_AES_CBC, "AES-", "-CBC", false },
	{ IKE_ENCR_AES_CTR, "AES-", "-CTR", false },
	{ IKE_ENCR_AES_GCM_8, "AES-", "-GCM", false },
	{ IKE_ENCR_AES_GCM_12, "AES-", "-GCM", false },
	{ IKE_ENCR_AES_GCM_16, "AES-", "-GCM", false },
	{ IKE_ENCR_CAMELLIA_CBC, "CAMELLIA-", "-CBC", false },
	{ IKE_ENCR_CHACHA20_POLY1305, "ChaCha20-Poly1305", NULL, false },
};

static EVP_CIPHER *ref_cipher(uint16_t id, uint16_t keybits)
{
	for (size_t i = 0; i < sizeof(ref_ciphers) / sizeof(ref_ciphers[0]);
	     i++) {
		const struct ref_cipher *r = &ref_ciphers[i];
		char name[64];

		if (r->id != id)
			continue;
		if (r->post)
			snprintf(name, sizeof(name), "%s%u%s", r->pre,
				 keybits, r->post);
		else
			snprintf(name, sizeof(name), "%s", r->pre);
		return EVP_CIPHER_fetch(r->legacy ? ref_legacy() : NULL, name,
					NULL);
	}
	fail_msg("no reference cipher for %u", id);
	return NULL;
}

static const char *ref_digest(uint16_t integ)
{
	switch (integ) {
	case IKE_AUTH_HMAC_MD5_96:
		return "MD5";
	case IKE_AUTH_HMAC_SHA1_96:
		return "SHA1";
	case IKE_AUTH_HMAC_SHA2_256_128:
		return "SHA256";
	case IKE_AUTH_HMAC_SHA2_384_192:
		return "SHA384";
	case IKE_AUTH_HMAC_SHA2_512_256:
		return "SHA512";
	}
	fail_msg("no reference digest for %u", integ);
	return NULL;
}

/*
 * Decrypt (or encrypt, @enc) with EVP directly, IKE's framing done here:
 * @iv is the payload's IV, the key material's salt is its tail. For AEAD
 * @tag is checked (decrypt) or written (encrypt); returns false when the
 * tag does not verify.
 */
static bool ref_crypt(const struct ike_encr_info *e, const uint8_t *ek,
		      int enc, const uint8_t *aad, size_t aadlen,
		      const uint8_t *iv, const uint8_t *in, uint8_t *out,
		      size_t len, uint8_t *tag)
{
	EVP_CIPHER *c = ref_cipher(e->id, e->keybits);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	size_t klen = (size_t)e->keylen - e->saltlen;
	uint8_t fulliv[16];
	size_t ivlen = e->ivlen;
	int n = 0, fin = 0;
	bool ok;

	assert_non_null(c);
	assert_non_null(ctx);
	memcpy(fulliv, iv, e->ivlen);
	if (e->saltlen) {
		memcpy(fulliv, ek + klen, 4);
		memcpy(fulliv + 4, iv, 8);
		ivlen = 12;
		if (e->id == IKE_ENCR_AES_CTR) {
			memcpy(fulliv + 12, "\0\0\0\1", 4);
			ivlen = 16;
		}
	}
	assert_true(EVP_CipherInit_ex2(ctx, c, NULL, NULL, enc, NULL));
	assert_true(EVP_CIPHER_CTX_set_key_length(ctx, (int)klen));
	if (e->aead)
		assert_true(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN,
						(int)ivlen, NULL));
	assert_true(EVP_CipherInit_ex2(ctx, NULL, ek, fulliv, enc, NULL));
	assert_true(EVP_CIPHER_CTX_set_padding(ctx, 0));
	if (e->aead && !enc)
		assert_true(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG,
						e->icvlen, tag));
	if (e->aead && aadlen)
		assert_true(EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aadlen));
	assert_true(EVP_CipherUpdate(ctx, out, &n, in, (int)len));
	assert_int_equal(n, len);
	ok = EVP_CipherFinal_ex(ctx, out + n, &fin) == 1;
	if (ok && e->aead && enc)
		assert_true(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG,
						e->icvlen, tag));
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
	return ok;
}

/* --- transform tables ------------------------------------------------- */

static void test_encr_table(void **state)
{
	const struct ike_encr_info *e;

	(void)state;
	e = ike_encr_info(IKE_ENCR_AES_CBC, 256);
	assert_non_null(e);
	assert_int_equal(e->keylen, 32);
	assert_int_equal(e->saltlen, 0);
	assert_int_equal(e->blocksize, 16);
	assert_int_equal(e->ivlen, 16);
	assert_int_equal(e->icvlen, 0);
	assert_false(e->aead);
	assert_true(e->ike_ok);
	assert_string_equal(e->name, "aes-cbc-256");
	/* keybits 0: the default size. */
	e = ike_encr_info(IKE_ENCR_AES_CBC, 0);
	assert_non_null(e);
	assert_int_equal(e->keybits, 128);
	assert_null(ike_encr_info(IKE_ENCR_AES_CBC, 160));
	assert_null(ike_encr_info(IKE_ENCR_AES_CBC, 512));

	/* RFC 5282 7.1: 4 bytes of salt after the key, 8-byte IV. */
	e = ike_encr_info(IKE_ENCR_AES_GCM_16, 256);
	assert_non_null(e);
	assert_int_equal(e->keylen, 36);
	assert_int_equal(e->saltlen, 4);
	assert_int_equal(e->ivlen, 8);
	assert_int_equal(e->icvlen, 16);
	assert_true(e->aead && e->ike_ok);
	assert_int_equal(ike_encr_info(IKE_ENCR_AES_GCM_8, 128)->icvlen, 8);
	assert_int_equal(ike_encr_info(IKE_ENCR_AES_GCM_12, 192)->icvlen, 12);
	assert_int_equal(ike_encr_info(IKE_ENCR_AES_GCM_12, 192)->keylen, 28);

	/* RFC 7634 2. */
	e = ike_encr_info(IKE_ENCR_CHACHA20_POLY1305, 0);
	assert_non_null(e);
	assert_int_equal(e->keybits, 256);
	assert_int_equal(e->keylen, 36);
	assert_int_equal(e->ivlen, 8);
	assert_int_equal(e->icvlen, 16);
	assert_true(e->aead);
	assert_null(ike_encr_info(IKE_ENCR_CHACHA20_POLY1305, 128));

	/* RFC 5930: AES-CTR, key + 4-byte nonce, 8-byte IV. */
	e = ike_encr_info(IKE_ENCR_AES_CTR, 192);
	assert_non_null(e);
	assert_int_equal(e->keylen, 28);
	assert_int_equal(e->saltlen, 4);
	assert_int_equal(e->ivlen, 8);
	assert_false(e->aead);

	e = ike_encr_info(IKE_ENCR_3DES, 0);
	assert_non_null(e);
	assert_int_equal(e->keybits, 192);
	assert_int_equal(e->keylen, 24);
	assert_int_equal(e->blocksize, 8);
	assert_non_null(ike_encr_info(IKE_ENCR_CAMELLIA_CBC, 256));

	/* The legacy provider's: present on Debian 12 (libssl3). */
	assert_non_null(ike_encr_info(IKE_ENCR_DES, 0));
	assert_non_null(ike_encr_info(IKE_ENCR_CAST, 128));
	e = ike_encr_info(IKE_ENCR_BLOWFISH, 0);
	assert_non_null(e);
	assert_int_equal(e->keybits, 128);
	assert_int_equal(ike_encr_info(IKE_ENCR_BLOWFISH, 448)->keylen, 56);

	/* NULL is ESP's only. */
	e = ike_encr_info(IKE_ENCR_NULL, 0);
	assert_non_null(e);
	assert_false(e->ike_ok);
	assert_int_equal(e->keylen, 0);

	assert_null(ike_encr_info(1, 0));	/* DES_IV64 */
	assert_null(ike_encr_info(0, 0));
	assert_null(ike_encr_info(9999, 0));
}

static void test_other_tables(void **state)
{
	static const struct { uint16_t id; uint8_t klen, icv; } integ[] = {
		{ IKE_AUTH_HMAC_MD5_96, 16, 12 },
		{ IKE_AUTH_HMAC_SHA1_96, 20, 12 },
		{ IKE_AUTH_HMAC_SHA2_256_128, 32, 16 },
		{ IKE_AUTH_HMAC_SHA2_384_192, 48, 24 },
		{ IKE_AUTH_HMAC_SHA2_512_256, 64, 32 },
	};
	static const struct { uint16_t id; uint8_t len; } prf[] = {
		{ IKE_PRF_HMAC_MD5, 16 }, { IKE_PRF_HMAC_SHA1, 20 },
		{ IKE_PRF_HMAC_SHA2_256, 32 }, { IKE_PRF_HMAC_SHA2_384, 48 },
		{ IKE_PRF_HMAC_SHA2_512, 64 },
	};
	static const struct { uint16_t id, publen; bool legacy; } dh[] = {
		{ IKE_DH_MODP768, 96, true }, { IKE_DH_MODP1024, 128, true },
		{ IKE_DH_MODP1536, 192, true }, { IKE_DH_MODP2048, 256, false },
		{ IKE_DH_MODP3072, 384, false }, { IKE_DH_MODP4096, 512, false },
		{ IKE_DH_MODP6144, 768, false },
		{ IKE_DH_MODP8192, 1024, false }, { IKE_DH_ECP256, 64, false },
		{ IKE_DH_ECP384, 96, false }, { IKE_DH_ECP521, 132, false },
		{ IKE_DH_CURVE25519, 32, false },
		{ IKE_DH_CURVE448, 56, false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(integ) / sizeof(integ[0]); i++) {
		const struct ike_integ_info *a = ike_integ_info(integ[i].id);

		assert_non_null(a);
		assert_int_equal(a->id, integ[i].id);
		assert_int_equal(a->keylen, integ[i].klen);
		assert_int_equal(a->icvlen, integ[i].icv);
		assert_true(a->icvlen <= IKE_MAX_ICV);
	}
	assert_non_null(ike_integ_info(IKE_AUTH_NONE));
	assert_int_equal(ike_integ_info(IKE_AUTH_NONE)->icvlen, 0);
	/* No XCBC-MAC in OpenSSL. */
	assert_null(ike_integ_info(IKE_AUTH_AES_XCBC_96));
	assert_null(ike_integ_info(3));

	for (size_t i = 0; i < sizeof(prf) / sizeof(prf[0]); i++) {
		const struct ike_prf_info *p = ike_prf_info(prf[i].id);

		assert_non_null(p);
		assert_int_equal(p->keylen, prf[i].len);
		assert_int_equal(p->outlen, prf[i].len);
		assert_true(p->outlen <= IKE_MAX_PRF);
	}
	assert_null(ike_prf_info(4));	/* PRF_AES128_XCBC */
	assert_null(ike_prf_info(3));

	for (size_t i = 0; i < sizeof(dh) / sizeof(dh[0]); i++) {
		const struct ike_dh_info *d = ike_dh_info(dh[i].id);

		assert_non_null(d);
		assert_int_equal(d->publen, dh[i].publen);
		assert_int_equal(d->legacy, dh[i].legacy);
		assert_true(d->publen <= IKE_MAX_DH_PUB);
	}
	assert_non_null(ike_dh_info(IKE_DH_NONE));
	assert_null(ike_dh_new(IKE_DH_NONE));
	assert_null(ike_dh_info(22));
	assert_null(ike_dh_new(22));
}

static void test_random(void **state)
{
	uint8_t a[32], b[32];

	(void)state;
	assert_int_equal(ike_random(a, sizeof(a)), 0);
	assert_int_equal(ike_random(b, sizeof(b)), 0);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_int_equal(ike_random(a, 0), 0);
}

/* --- PRF and prf+ ----------------------------------------------------- */

struct hmac_kat {
	uint16_t prf;
	const char *key, *data, *mac;	/* hex */
};

static const struct hmac_kat hmac_kats[] = {
	/* RFC 2202 2 (HMAC-MD5), test cases 1, 2, 3, 6. */
	{ IKE_PRF_HMAC_MD5, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	  "4869205468657265", "9294727a3638bb1c13f48ef8158bfc9d" },
	{ IKE_PRF_HMAC_MD5, "4a656665",
	  "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
	  "750c783e6ab0b503eaa86e310a5db738" },
	{ IKE_PRF_HMAC_MD5, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
	  "dddddddddddddddddddddddddddddddddddd",
	  "56be34521d144c88dbb8c733f0e8b3f6" },
	{ IKE_PRF_HMAC_MD5,	/* 80 bytes of key */
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a"
	  "65204b6579202d2048617368204b6579204669727374",
	  "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd" },
	/* RFC 2202 3 (HMAC-SHA-1), test cases 1, 2, 3. */
	{ IKE_PRF_HMAC_SHA1, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	  "4869205468657265", "b617318655057264e28bc0b6fb378c8ef146be00" },
	{ IKE_PRF_HMAC_SHA1, "4a656665",
	  "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
	  "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
	{ IKE_PRF_HMAC_SHA1, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
	  "dddddddddddddddddddddddddddddddddddd",
	  "125d7342b9ac11cd91a39af48aa17b4f63f175d3" },
	/* RFC 4231 4.2 and 4.3 (test cases 1 and 2). */
	{ IKE_PRF_HMAC_SHA2_256, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	  "4869205468657265",
	  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
	{ IKE_PRF_HMAC_SHA2_384, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	  "4869205468657265",
	  "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
	  "faea9ea9076ede7f4af152e8b2fa9cb6" },
	{ IKE_PRF_HMAC_SHA2_512, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	  "4869205468657265",
	  "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	  "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
	{ IKE_PRF_HMAC_SHA2_256, "4a656665",
	  "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
	{ IKE_PRF_HMAC_SHA2_384, "4a656665",
	  "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
	  "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
	  "8e2240ca5e69e2c78b3239ecfab21649" },
	{ IKE_PRF_HMAC_SHA2_512, "4a656665",
	  "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
	  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	  "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
	/* RFC 4231 4.7 (test case 6: a key longer than the block). */
	{ IKE_PRF_HMAC_SHA2_256,
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaa",
	  "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a"
	  "65204b6579202d2048617368204b6579204669727374",
	  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
	{ IKE_PRF_HMAC_SHA2_512,
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaa",
	  "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a"
	  "65204b6579202d2048617368204b6579204669727374",
	  "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
	  "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" },
};

static void test_prf_kat(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(hmac_kats) / sizeof(hmac_kats[0]); i++) {
		const struct hmac_kat *t = &hmac_kats[i];
		const struct ike_prf_info *p = ike_prf_info(t->prf);
		uint8_t key[200], data[200], want[64], got[64];
		size_t kl, dl, wl;

		assert_non_null(p);
		kl = unhex(t->key, key, sizeof(key));
		dl = unhex(t->data, data, sizeof(data));
		wl = unhex(t->mac, want, sizeof(want));
		assert_int_equal(wl, p->outlen);
		assert_int_equal(ike_prf(p, key, kl, data, dl, got), 0);
		assert_memory_equal(got, want, wl);
	}
	assert_int_equal(ike_prf(NULL, (const uint8_t *)"k", 1,
				 (const uint8_t *)"d", 1,
				 (uint8_t[64]){ 0 }), -EINVAL);
}

/* prf+ against T1 = prf(K, S | 1), Tn = prf(K, Tn-1 | S | n) chained here
 * with EVP's HMAC (RFC 7296 2.13). */
static void test_prf_plus(void **state)
{
	static const struct { uint16_t id; const char *md; } prfs[] = {
		{ IKE_PRF_HMAC_MD5, "MD5" }, { IKE_PRF_HMAC_SHA1, "SHA1" },
		{ IKE_PRF_HMAC_SHA2_256, "SHA256" },
		{ IKE_PRF_HMAC_SHA2_384, "SHA384" },
		{ IKE_PRF_HMAC_SHA2_512, "SHA512" },
	};
	uint8_t key[48], seed[100];

	(void)state;
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 7 + 1);
	for (size_t i = 0; i < sizeof(seed); i++)
		seed[i] = (uint8_t)(i ^ 0x5a);
	for (size_t i = 0; i < sizeof(prfs) / sizeof(prfs[0]); i++) {
		const struct ike_prf_info *p = ike_prf_info(prfs[i].id);
		size_t bs = p->outlen, max = 255 * bs;
		uint8_t *want = malloc(max), *got = malloc(max + 1);
		uint8_t in[64 + sizeof(seed) + 1];
		size_t lens[] = { 1, bs - 1, bs, bs + 1, 3 * bs + 5, max };

		assert_non_null(want);
		assert_non_null(got);
		for (size_t n = 1, done = 0; n <= 255; n++, done += bs) {
			size_t il = 0;

			if (n > 1) {
				memcpy(in, want + done - bs, bs);
				il = bs;
			}
			memcpy(in + il, seed, sizeof(seed));
			il += sizeof(seed);
			in[il++] = (uint8_t)n;
			ref_hmac(prfs[i].md, key, sizeof(key), in, il,
				 want + done, bs);
		}
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
			memset(got, 0xee, max + 1);
			assert_int_equal(ike_prf_plus(p, key, sizeof(key), seed,
						      sizeof(seed), got,
						      lens[l]), 0);
			assert_memory_equal(got, want, lens[l]);
			/* Not a byte more. */
			assert_int_equal(got[lens[l]], 0xee);
		}
		/* 256 blocks would need a counter of 256. */
		assert_int_equal(ike_prf_plus(p, key, sizeof(key), seed,
					      sizeof(seed), got, max + 1),
				 -EINVAL);
		assert_int_equal(ike_prf_plus(p, key, sizeof(key), seed,
					      sizeof(seed), got, 0), 0);
		/* Empty seed: T1 = prf(K, 0x01). */
		assert_int_equal(ike_prf_plus(p, key, sizeof(key), NULL, 0,
					      got, bs), 0);
		ref_hmac(prfs[i].md, key, sizeof(key),
			 (const uint8_t *)"\1", 1, want, bs);
		assert_memory_equal(got, want, bs);
		free(want);
		free(got);
	}
}

/* --- Diffie-Hellman --------------------------------------------------- */

struct ecdh_kat {
	uint16_t group;
	const char *i, *gix, *giy, *r, *grx, *gry, *girx;
};

/* RFC 5903 8.1, 8.2, 8.3. */
static const struct ecdh_kat ecdh_kats[] = {
	{ IKE_DH_ECP256,
	  "C88F01F5 10D9AC3F 70A292DA A2316DE5 44E9AAB8 AFE84049 C62A9C57 862D1433",
	  "DAD0B653 94221CF9 B051E1FE CA5787D0 98DFE637 FC90B9EF 945D0C37 72581180",
	  "5271A046 1CDB8252 D61F1C45 6FA3E59A B1F45B33 ACCF5F58 389E0577 B8990BB3",
	  "C6EF9C5D 78AE012A 011164AC B397CE20 88685D8F 06BF9BE0 B283AB46 476BEE53",
	  "D12DFB52 89C8D4F8 1208B702 70398C34 2296970A 0BCCB74C 736FC755 4494BF63",
	  "56FBF3CA 366CC23E 8157854C 13C58D6A AC23F046 ADA30F83 53E74F33 039872AB",
	  "D6840F6B 42F6EDAF D13116E0 E1256520 2FEF8E9E CE7DCE03 812464D0 4B9442DE" },
	{ IKE_DH_ECP384,
	  "099F3C70 34D4A2C6 99884D73 A375A67F 7624EF7C 6B3C0F16 0647B674 14DCE655"
	  "E35B5380 41E649EE 3FAEF896 783AB194",
	  "667842D7 D180AC2C DE6F74F3 7551F557 55C7645C 20EF73E3 1634FE72 B4C55EE6"
	  "DE3AC808 ACB4BDB4 C88732AE E95F41AA",
	  "9482ED1F C0EEB9CA FC498462 5CCFC23F 65032149 E0E144AD A0241815 35A0F38E"
	  "EB9FCFF3 C2C947DA E69B4C63 4573A81C",
	  "41CB0779 B4BDB85D 47846725 FBEC3C94 30FAB46C C8DC5060 855CC9BD A0AA2942"
	  "E0308312 916B8ED2 960E4BD5 5A7448FC",
	  "E558DBEF 53EECDE3 D3FCCFC1 AEA08A89 A987475D 12FD950D 83CFA417 32BC509D"
	  "0D1AC43A 0336DEF9 6FDA41D0 774A3571",
	  "DCFBEC7A ACF31964 72169E83 8430367F 66EEBE3C 6E70C416 DD5F0C68 759DD1FF"
	  "F83FA401 42209DFF 5EAAD96D B9E6386C",
	  "11187331 C279962D 93D60424 3FD592CB 9D0A926F 422E4718 7521287E 7156C5C4"
	  "D6031355 69B9E9D0 9CF5D4A2 70F59746" },
	{ IKE_DH_ECP521,
	  "0037ADE9 319A89F4 DABDB3EF 411AACCC A5123C61 ACAB57B5 393DCE47 608172A0"
	  "95AA85A3 0FE1C295 2C6771D9 37BA9777 F5957B26 39BAB072 462F68C2 7A57382D"
	  "4A52",
	  "0015417E 84DBF28C 0AD3C278 713349DC 7DF153C8 97A1891B D98BAB43 57C9ECBE"
	  "E1E3BF42 E00B8E38 0AEAE57C 2D107564 94188594 2AF5A7F4 601723C4 195D176C"
	  "ED3E",
	  "017CAE20 B6641D2E EB695786 D8C94614 6239D099 E18E1D5A 514C739D 7CB4A10A"
	  "D8A78801 5AC405D7 799DC75E 7B7D5B6C F2261A6A 7F150743 8BF01BEB 6CA3926F"
	  "9582",
	  "0145BA99 A847AF43 793FDD0E 872E7CDF A16BE30F DC780F97 BCCC3F07 8380201E"
	  "9C677D60 0B343757 A3BDBF2A 3163E4C2 F869CCA7 458AA4A4 EFFC311F 5CB15168"
	  "5EB9",
	  "00D0B397 5AC4B799 F5BEA16D 5E13E9AF 971D5E9B 984C9F39 728B5E57 39735A21"
	  "9B97C356 436ADC6E 95BB0352 F6BE64A6 C2912D4E F2D0433C ED2B6171 640012D9"
	  "460F",
	  "015C6822 6383956E 3BD066E7 97B623C2 7CE0EAC2 F551A10C 2C724D98 52077B87"
	  "220B6536 C5C408A1 D2AEBB8E 86D678AE 49CB5709 1F473229 6579AB44 FCD17F0F"
	  "C56A",
	  "01144C7D 79AE6956 BC8EDB8E 7C787C45 21CB086F A64407F9 7894E5E6 B2D79B04"
	  "D1427E73 CA4BAA24 0A347868 59810C06 B3C715A3 A8CC3151 F2BEE417 996D19F3"
	  "DDEA" },
};

/* Private @priv's public value must be @pub; with the peer's @peer the
 * secret must be @secret. */
static void dh_kat_side(uint16_t group, const uint8_t *priv, size_t privlen,
			const uint8_t *pub, size_t publen, const uint8_t *peer,
			const uint8_t *secret, size_t slen)
{
	struct ike_dh *dh = ike_dh_new_with_private(group, priv, privlen);
	uint8_t out[IKE_MAX_DH_PUB];
	size_t len = 0;

	assert_non_null(dh);
	assert_int_equal(ike_dh_group(dh), group);
	assert_int_equal(ike_dh_public(dh, out, sizeof(out), &len), 0);
	assert_int_equal(len, publen);
	assert_memory_equal(out, pub, publen);
	assert_int_equal(ike_dh_shared(dh, peer, publen, out, sizeof(out),
				       &len), 0);
	assert_int_equal(len, slen);
	assert_memory_equal(out, secret, slen);
	ike_dh_free(dh);
}

static void test_ecdh_kat(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(ecdh_kats) / sizeof(ecdh_kats[0]); k++) {
		const struct ecdh_kat *t = &ecdh_kats[k];
		uint8_t i[80], r[80], gi[160], gr[160], gir[80];
		size_t il, rl, c, s;

		il = unhex(t->i, i, sizeof(i));
		rl = unhex(t->r, r, sizeof(r));
		c = unhex(t->gix, gi, sizeof(gi));
		assert_int_equal(unhex(t->giy, gi + c, sizeof(gi) - c), c);
		assert_int_equal(unhex(t->grx, gr, sizeof(gr)), c);
		assert_int_equal(unhex(t->gry, gr + c, sizeof(gr) - c), c);
		s = unhex(t->girx, gir, sizeof(gir));
		assert_int_equal(s, c);
		assert_int_equal(ike_dh_info(t->group)->publen, 2 * c);
		dh_kat_side(t->group, i, il, gi, 2 * c, gr, gir, s);
		dh_kat_side(t->group, r, rl, gr, 2 * c, gi, gir, s);
	}
}

/* RFC 7748 6.1 (X25519) and 6.2 (X448). */
static void test_ecx_kat(void **state)
{
	static const struct {
		uint16_t group;
		const char *a, *ap, *b, *bp, *k;
	} kats[] = {
		{ IKE_DH_CURVE25519,
		  "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
		  "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
		  "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
		  "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
		  "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742" },
		{ IKE_DH_CURVE448,
		  "9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28d"
		  "d9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b",
		  "9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c"
		  "22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0",
		  "1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d"
		  "6927c120bb5ee8972b0d3e21374c9c921b09d1b0366f10b65173992d",
		  "3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b430"
		  "27d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609",
		  "07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282b"
		  "b60c0b56fd2464c335543936521c24403085d59a449a5037514a879d" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
		uint8_t a[56], ap[56], b[56], bp[56], k[56];
		size_t n = unhex(kats[i].a, a, sizeof(a));

		assert_int_equal(unhex(kats[i].ap, ap, sizeof(ap)), n);
		assert_int_equal(unhex(kats[i].b, b, sizeof(b)), n);
		assert_int_equal(unhex(kats[i].bp, bp, sizeof(bp)), n);
		assert_int_equal(unhex(kats[i].k, k, sizeof(k)), n);
		assert_int_equal(ike_dh_info(kats[i].group)->publen, n);
		dh_kat_side(kats[i].group, a, n, ap, n, bp, k, n);
		dh_kat_side(kats[i].group, b, n, bp, n, ap, k, n);
	}
}

/* Two fresh parties agree, in every group. */
static void test_dh_agree(void **state)
{
	static const uint16_t groups[] = {
		IKE_DH_MODP768, IKE_DH_MODP1024, IKE_DH_MODP1536,
		IKE_DH_MODP2048, IKE_DH_MODP3072, IKE_DH_MODP4096,
		IKE_DH_MODP6144, IKE_DH_MODP8192, IKE_DH_ECP256, IKE_DH_ECP384,
		IKE_DH_ECP521, IKE_DH_CURVE25519, IKE_DH_CURVE448,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		const struct ike_dh_info *info = ike_dh_info(groups[i]);
		struct ike_dh *a = ike_dh_new(groups[i]);
		struct ike_dh *b = ike_dh_new(groups[i]);
		uint8_t pa[IKE_MAX_DH_PUB], pb[IKE_MAX_DH_PUB];
		uint8_t sa[IKE_MAX_DH_PUB], sb[IKE_MAX_DH_PUB];
		size_t la, lb, ka, kb;
		size_t slen = info->publen;

		if (groups[i] >= IKE_DH_ECP256 && groups[i] <= IKE_DH_ECP521)
			slen /= 2;	/* x only */
		assert_non_null(a);
		assert_non_null(b);
		assert_int_equal(ike_dh_public(a, pa, sizeof(pa), &la), 0);
		assert_int_equal(ike_dh_public(b, pb, sizeof(pb), &lb), 0);
		assert_int_equal(la, info->publen);
		assert_int_equal(lb, info->publen);
		assert_memory_not_equal(pa, pb, la);
		assert_int_equal(ike_dh_shared(a, pb, lb, sa, sizeof(sa), &ka),
				 0);
		assert_int_equal(ike_dh_shared(b, pa, la, sb, sizeof(sb), &kb),
				 0);
		assert_int_equal(ka, slen);
		assert_int_equal(kb, slen);
		assert_memory_equal(sa, sb, ka);
		/* Buffers too small. */
		assert_int_equal(ike_dh_public(a, pa, la - 1, &la), -ENOSPC);
		assert_int_equal(ike_dh_shared(a, pb, lb, sa, ka - 1, &ka),
				 -ENOSPC);
		ike_dh_free(a);
		ike_dh_free(b);
	}
	ike_dh_free(NULL);
}

/* RFC 7296 2.14: g^ir keeps its leading zeros. One secret in 256 has a
 * zero first byte; look for one in the cheapest group. */
static void test_dh_leading_zero(void **state)
{
	struct ike_dh *a = ike_dh_new(IKE_DH_MODP768);
	uint8_t pa[96], pb[96], sa[96], sb[96];
	size_t la, lb, ka, kb;
	int tries;

	(void)state;
	assert_non_null(a);
	assert_int_equal(ike_dh_public(a, pa, sizeof(pa), &la), 0);
	for (tries = 0; tries < 4000; tries++) {
		struct ike_dh *b = ike_dh_new(IKE_DH_MODP768);

		assert_non_null(b);
		assert_int_equal(ike_dh_public(b, pb, sizeof(pb), &lb), 0);
		assert_int_equal(ike_dh_shared(a, pb, lb, sa, sizeof(sa), &ka),
				 0);
		assert_int_equal(ike_dh_shared(b, pa, la, sb, sizeof(sb), &kb),
				 0);
		ike_dh_free(b);
		assert_int_equal(ka, 96);
		assert_int_equal(kb, 96);
		assert_memory_equal(sa, sb, 96);
		if (sa[0] == 0)
			break;
	}
	assert_true(tries < 4000);	/* (255/256)^4000: never */
	ike_dh_free(a);
}

static void expect_refused(struct ike_dh *dh, const uint8_t *peer,
			   size_t plen)
{
	uint8_t out[IKE_MAX_DH_PUB];
	size_t len = 12345;

	memset(out, 0xa5, sizeof(out));
	assert_int_equal(ike_dh_shared(dh, peer, plen, out, sizeof(out), &len),
			 -EINVAL);
	assert_int_equal(len, 12345);
}

static void expect_accepted(struct ike_dh *dh, const uint8_t *peer,
			    size_t plen)
{
	uint8_t out[IKE_MAX_DH_PUB];
	size_t len;

	assert_int_equal(ike_dh_shared(dh, peer, plen, out, sizeof(out), &len),
			 0);
}

/* MODP: y in [2, p-2] only, and exactly as long as p (RFC 6989 2.2). */
static void test_dh_peer_modp(void **state)
{
	static const struct {
		uint16_t group;
		BIGNUM *(*prime)(BIGNUM *);
	} groups[] = {
		{ IKE_DH_MODP768, BN_get_rfc2409_prime_768 },
		{ IKE_DH_MODP1024, BN_get_rfc2409_prime_1024 },
		{ IKE_DH_MODP1536, BN_get_rfc3526_prime_1536 },
		{ IKE_DH_MODP2048, BN_get_rfc3526_prime_2048 },
		{ IKE_DH_MODP8192, BN_get_rfc3526_prime_8192 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		struct ike_dh *dh = ike_dh_new(groups[i].group);
		size_t n = ike_dh_info(groups[i].group)->publen;
		BIGNUM *p = groups[i].prime(NULL), *v = BN_new();
		uint8_t y[IKE_MAX_DH_PUB + 1];

		assert_non_null(dh);
		assert_non_null(p);
		assert_int_equal(BN_num_bytes(p), n);
		/* 0, 1 */
		memset(y, 0, sizeof(y));
		expect_refused(dh, y, n);
		y[n - 1] = 1;
		expect_refused(dh, y, n);
		/* 2: the smallest value allowed */
		y[n - 1] = 2;
		expect_accepted(dh, y, n);
		/* p-1, p, p+1, all ones */
		for (int d = -1; d <= 1; d++) {
			BN_copy(v, p);
			if (d < 0)
				BN_sub_word(v, 1);
			else
				BN_add_word(v, (BN_ULONG)d);
			assert_int_equal(BN_bn2binpad(v, y, (int)n), n);
			expect_refused(dh, y, n);
		}
		memset(y, 0xff, n);
		expect_refused(dh, y, n);
		/* p-2: the largest allowed */
		BN_copy(v, p);
		BN_sub_word(v, 2);
		BN_bn2binpad(v, y, (int)n);
		expect_accepted(dh, y, n);
		/* A good value, but one byte short or long. */
		expect_refused(dh, y, n - 1);
		y[n] = 0;
		expect_refused(dh, y, n + 1);
		expect_refused(dh, y, 0);
		BN_free(p);
		BN_free(v);
		ike_dh_free(dh);
	}
}

static void test_dh_peer_ecp(void **state)
{
	static const uint16_t groups[] = {
		IKE_DH_ECP256, IKE_DH_ECP384, IKE_DH_ECP521,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		struct ike_dh *a = ike_dh_new(groups[i]);
		struct ike_dh *b = ike_dh_new(groups[i]);
		uint8_t pub[IKE_MAX_DH_PUB + 1], bad[IKE_MAX_DH_PUB + 1];
		size_t n, c;

		assert_int_equal(ike_dh_public(b, pub, sizeof(pub), &n), 0);
		c = n / 2;
		expect_accepted(a, pub, n);
		/* Off the curve: y + 1, x + 1. */
		memcpy(bad, pub, n);
		bad[n - 1] ^= 1;
		expect_refused(a, bad, n);
		memcpy(bad, pub, n);
		bad[c - 1] ^= 1;
		expect_refused(a, bad, n);
		/* (0, 0) and all ones (coordinates beyond p). */
		memset(bad, 0, n);
		expect_refused(a, bad, n);
		memset(bad, 0xff, n);
		expect_refused(a, bad, n);
		/* Wrong lengths, and SEC 1's 0x04 prefix is not IKE's. */
		expect_refused(a, pub, n - 1);
		bad[0] = 0x04;
		memcpy(bad + 1, pub, n);
		expect_refused(a, bad, n + 1);
		expect_refused(a, pub, c);
		ike_dh_free(a);
		ike_dh_free(b);
	}
}

/* Points whose product with any clamped scalar is 0 (RFC 7748 6.1 asks
 * the protocol to check; RFC 8031 2.3 says refuse). */
static void test_dh_peer_ecx(void **state)
{
	static const char *low25519[] = {
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0100000000000000000000000000000000000000000000000000000000000000",
		"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
		"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	};
	struct ike_dh *dh = ike_dh_new(IKE_DH_CURVE25519);
	struct ike_dh *d448 = ike_dh_new(IKE_DH_CURVE448);
	uint8_t u[57];

	(void)state;
	assert_non_null(dh);
	for (size_t i = 0; i < sizeof(low25519) / sizeof(low25519[0]); i++) {
		assert_int_equal(unhex(low25519[i], u, sizeof(u)), 32);
		expect_refused(dh, u, 32);
	}
	assert_int_equal(ike_dh_public(d448, u, sizeof(u), &(size_t){ 0 }), 0);
	expect_refused(dh, u, 31);
	expect_refused(dh, u, 33);
	expect_refused(dh, u, 56);	/* a Curve448 value */
	/* Curve448: 0 and 1 have order 1 and 4. */
	memset(u, 0, sizeof(u));
	expect_refused(d448, u, 56);
	u[0] = 1;
	expect_refused(d448, u, 56);
	expect_refused(d448, u, 55);
	ike_dh_free(dh);
	ike_dh_free(d448);
}

/* --- SK payload: known answers ---------------------------------------- */

/*
 * An SK payload built from a published vector: @aad | IV | ciphertext |
 * ICV, with the vector's plaintext taken as IKE's (its last byte read as
 * the Pad Length). ike_sk_open must return the plaintext's first bytes.
 */
static void sk_kat_open(const struct ike_sk_keys *k, const uint8_t *aad,
			size_t aadlen, const uint8_t *iv, const uint8_t *ct,
			size_t ctlen, const uint8_t *icv, size_t icvlen,
			const uint8_t *pt, int expect)
{
	size_t ivlen = k->encr->ivlen, len = aadlen + ivlen + ctlen + icvlen;
	uint8_t *msg = malloc(len), plain[256];
	size_t plen = 9999;

	assert_non_null(msg);
	memcpy(msg, aad, aadlen);
	memcpy(msg + aadlen, iv, ivlen);
	memcpy(msg + aadlen + ivlen, ct, ctlen);
	memcpy(msg + aadlen + ivlen + ctlen, icv, icvlen);
	assert_int_equal(ike_sk_open(k, msg, aadlen, len, plain, sizeof(plain),
				     &plen), expect);
	if (!expect) {
		assert_int_equal(plen, ctlen - pt[ctlen - 1] - 1);
		assert_memory_equal(plain, pt, plen);
	} else {
		assert_int_equal(plen, 9999);
	}
	free(msg);
}

/* RFC 3602 4, cases 1-4, decrypted by ike_sk_open. The ICV is computed
 * here (EVP's HMAC-SHA2-256) over IKE header | IV | ciphertext. */
static void test_sk_cbc_kat(void **state)
{
	static const struct {
		const char *key, *iv, *pt, *ct;
		int expect;
	} kats[] = {
		/* Case #1: the last byte 'g' (103) is no Pad Length. */
		{ "06a9214036b8a15b512e03d534120006",
		  "3dafba429d9eb430b422da802c9fac41",
		  "53696e676c6520626c6f636b206d7367",
		  "e353779c1079aeb82708942dbe77181a", -EINVAL },
		/* Case #2: 0x1f pads all but the first 0 bytes. */
		{ "c286696d887c9aa0611bbb3e2025a45a",
		  "562e17996d093d28ddb3ba695a2e6f58",
		  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		  "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1",
		  0 },
		/* Case #3: ')' (41) leaves "This i". */
		{ "6c3ea0477630ce21a2ce334aa746c2cd",
		  "c782dc4c098c66cbd9cd27d825682c81",
		  "5468697320697320612034382d62797465206d657373616765202865786163746c7920332041455320626c6f636b7329",
		  "d0a02b3836451753d493665d33f0e8862dea54cdb293abc7506939276772f8d5021c19216bad525c8579695d83ba2684",
		  0 },
		/* Case #4: 0xdf (223) is more than the 63 bytes before it. */
		{ "56e47a38c5598974bc46903dba290349",
		  "8ce82eefbea0da3c44699ed7db51b7d9",
		  "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
		  "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf",
		  "c30e32ffedc0774e6aff6af0869f71aa0f3af07a9a31a9c684db207eb0ef8e4e"
		  "35907aa632c3ffdf868bb7b29d3d46ad83ce9f9a102ee99d49a53e87f4c3da55",
		  -EINVAL },
	};
	uint8_t ak[32];

	(void)state;
	for (size_t i = 0; i < sizeof(ak); i++)
		ak[i] = (uint8_t)(0x40 + i);
	for (size_t i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
		struct ike_sk_keys k = {
			.encr = ike_encr_info(IKE_ENCR_AES_CBC, 128),
			.integ = ike_integ_info(IKE_AUTH_HMAC_SHA2_256_128),
			.ak = ak,
		};
		uint8_t key[16], iv[16], pt[64], ct[64], hdr[32];
		uint8_t msg[32 + 16 + 64], icv[16];
		size_t n;

		unhex(kats[i].key, key, sizeof(key));
		unhex(kats[i].iv, iv, sizeof(iv));
		n = unhex(kats[i].pt, pt, sizeof(pt));
		assert_int_equal(unhex(kats[i].ct, ct, sizeof(ct)), n);
		k.ek = key;
		for (size_t j = 0; j < sizeof(hdr); j++)
			hdr[j] = (uint8_t)j;
		memcpy(msg, hdr, 32);
		memcpy(msg + 32, iv, 16);
		memcpy(msg + 48, ct, n);
		ref_hmac("SHA256", ak, 32, msg, 48 + n, icv, 16);
		sk_kat_open(&k, hdr, 32, iv, ct, n, icv, 16, pt,
			    kats[i].expect);
	}
}

/* The GCM spec's (McGrew, Viega) test cases 4 and 16: 60-byte plaintext,
 * 20-byte AAD, IV cafebabe facedbaddecaf888 split as RFC 5282's salt and
 * IV. The plaintext's last byte, 0x39, pads all but 2 bytes. */
static void test_sk_gcm_kat(void **state)
{
	static const char *pt_hex =
		"d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
		"1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
	static const char *aad_hex = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
	static const struct {
		uint16_t bits;
		const char *key, *ct, *tag;
	} kats[] = {
		{ 128, "feffe9928665731c6d6a8f9467308308",
		  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
		  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
		  "5bc94fbc3221a5db94fae95ae7121a47" },
		{ 256, "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
		  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
		  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
		  "76fc6ece0f4e1768cddf8853bb2d551b" },
	};
	static const uint16_t ids[] = {
		IKE_ENCR_AES_GCM_8, IKE_ENCR_AES_GCM_12, IKE_ENCR_AES_GCM_16,
	};
	uint8_t pt[60], aad[20], iv[8];

	(void)state;
	assert_int_equal(unhex(pt_hex, pt, sizeof(pt)), 60);
	assert_int_equal(unhex(aad_hex, aad, sizeof(aad)), 20);
	unhex("facedbaddecaf888", iv, sizeof(iv));
	for (size_t i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
		uint8_t ek[36], ct[60], tag[16];
		size_t kl = unhex(kats[i].key, ek, sizeof(ek));

		kl += unhex("cafebabe", ek + kl, 4);	/* the salt */
		assert_int_equal(unhex(kats[i].ct, ct, sizeof(ct)), 60);
		unhex(kats[i].tag, tag, sizeof(tag));
		/* RFC 5282's 8 and 12-byte ICVs are the tag's first bytes. */
		for (size_t j = 0; j < 3; j++) {
			struct ike_sk_keys k = {
				.encr = ike_encr_info(ids[j], kats[i].bits),
				.ek = ek,
			};
			size_t icv = k.encr->icvlen;
			uint8_t badtag[16];

			assert_int_equal(kl, k.encr->keylen);
			sk_kat_open(&k, aad, 20, iv, ct, 60, tag, icv, pt, 0);
			memcpy(badtag, tag, 16);
			badtag[icv - 1] ^= 0x80;
			sk_kat_open(&k, aad, 20, iv, ct, 60, badtag, icv, pt,
				    -EBADMSG);
		}
	}
}

/* RFC 8439 2.8.2 is RFC 7634's layout already: 32-bit constant 07000000
 * as the salt, IV 4041424344454647, AAD of 12 bytes. The last plaintext
 * byte '.' (46) pads all but 67 bytes. */
static void test_sk_chacha_kat(void **state)
{
	static const char *pt_txt =
		"Ladies and Gentlemen of the class of '99: If I could offer you "
		"only one tip for the future, sunscreen would be it.";
	static const char *ct_hex =
		"d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
		"3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
		"92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
		"3ff4def08e4b7a9de576d26586cec64b6116";
	struct ike_sk_keys k = {
		.encr = ike_encr_info(IKE_ENCR_CHACHA20_POLY1305, 256),
	};
	uint8_t ek[36], aad[12], iv[8], ct[114], tag[16];

	(void)state;
	for (size_t i = 0; i < 32; i++)
		ek[i] = (uint8_t)(0x80 + i);
	unhex("07000000", ek + 32, 4);
	k.ek = ek;
	unhex("50515253c0c1c2c3c4c5c6c7", aad, sizeof(aad));
	unhex("4041424344454647", iv, sizeof(iv));
	assert_int_equal(unhex(ct_hex, ct, sizeof(ct)), 114);
	unhex("1ae10b594f09e26a7e902ecbd0600691", tag, sizeof(tag));
	assert_int_equal(strlen(pt_txt), 114);
	sk_kat_open(&k, aad, 12, iv, ct, 114, tag, 16,
		    (const uint8_t *)pt_txt, 0);
	aad[0] ^= 1;
	sk_kat_open(&k, aad, 12, iv, ct, 114, tag, 16,
		    (const uint8_t *)pt_txt, -EBADMSG);
}

/* --- SK payload: every combination ------------------------------------ */

static const uint16_t encr_ids[] = {
	IKE_ENCR_DES, IKE_ENCR_3DES, IKE_ENCR_CAST, IKE_ENCR_BLOWFISH,
	IKE_ENCR_NULL, IKE_ENCR_AES_CBC, IKE_ENCR_AES_CTR, IKE_ENCR_AES_GCM_8,
	IKE_ENCR_AES_GCM_12, IKE_ENCR_AES_GCM_16, IKE_ENCR_CAMELLIA_CBC,
	IKE_ENCR_CHACHA20_POLY1305,
};
static const uint16_t keysizes[] = { 0, 64, 128, 192, 256, 448 };
static const uint16_t integ_ids[] = {
	IKE_AUTH_HMAC_MD5_96, IKE_AUTH_HMAC_SHA1_96, IKE_AUTH_AES_XCBC_96,
	IKE_AUTH_HMAC_SHA2_256_128, IKE_AUTH_HMAC_SHA2_384_192,
	IKE_AUTH_HMAC_SHA2_512_256,
};

#define HDR 32	/* IKE header + the SK payload's generic header */

/* Every pair of the tables' offers for the IKE SA, through @fn. */
static unsigned int for_each_pair(void (*fn)(const struct ike_sk_keys *))
{
	uint8_t ek[IKE_MAX_KEY], ak[64];
	unsigned int pairs = 0;

	for (size_t i = 0; i < sizeof(ek); i++)
		ek[i] = (uint8_t)(0xa0 ^ (i * 13));
	for (size_t i = 0; i < sizeof(ak); i++)
		ak[i] = (uint8_t)(0x31 + i * 3);
	for (size_t i = 0; i < sizeof(encr_ids) / sizeof(encr_ids[0]); i++) {
		for (size_t s = 1; s < sizeof(keysizes) / sizeof(keysizes[0]);
		     s++) {
			const struct ike_encr_info *e =
				ike_encr_info(encr_ids[i], keysizes[s]);
			struct ike_sk_keys k = { .encr = e, .ek = ek, .ak = ak };

			if (!e || !e->ike_ok)
				continue;
			assert_true(e->keylen <= IKE_MAX_KEY);
			if (e->aead) {
				fn(&k);
				pairs++;
				continue;
			}
			for (size_t a = 0;
			     a < sizeof(integ_ids) / sizeof(integ_ids[0]);
			     a++) {
				k.integ = ike_integ_info(integ_ids[a]);
				if (!k.integ)
					continue;
				fn(&k);
				pairs++;
			}
		}
	}
	return pairs;
}

/* A sealed message of @plen inner bytes; returns its length. */
static size_t seal_msg(const struct ike_sk_keys *k, uint8_t **msgp,
		       uint8_t **plainp, size_t plen)
{
	size_t sklen = ike_sk_len(k, plen);
	uint8_t *msg = malloc(HDR + sklen), *plain = malloc(plen + 1);

	assert_true(sklen > 0);
	assert_non_null(msg);
	assert_non_null(plain);
	for (size_t i = 0; i < HDR; i++)
		msg[i] = (uint8_t)(0xc0 + i);
	for (size_t i = 0; i < plen; i++)
		plain[i] = (uint8_t)(i * 31 + 7);
	assert_int_equal(ike_sk_seal(k, msg, HDR, plain, plen), 0);
	*msgp = msg;
	*plainp = plain;
	return HDR + sklen;
}

static void check_round_trip(const struct ike_sk_keys *k)
{
	const struct ike_encr_info *e = k->encr;
	size_t bs = e->blocksize;
	size_t lens[] = { 0, 1, 2, bs - 1, bs, bs + 1, 2 * bs - 1, 100, 9000 };

	for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
		size_t plen = lens[l], icvlen, ctlen, got = 0;
		uint8_t *msg, *plain, *out = malloc(plen + 64), *ref;
		size_t len = seal_msg(k, &msg, &plain, plen);
		const uint8_t *iv = msg + HDR, *ct = iv + e->ivlen;
		uint8_t icv[IKE_MAX_ICV];

		assert_non_null(out);
		icvlen = e->aead ? e->icvlen : k->integ->icvlen;
		ctlen = len - HDR - e->ivlen - icvlen;
		/* Padded to the block, with at least the Pad Length. */
		assert_true(ctlen > plen);
		assert_int_equal(ctlen % bs, 0);
		assert_true(ctlen - plen <= bs);

		assert_int_equal(ike_sk_open(k, msg, HDR, len, out, plen + 64,
					     &got), 0);
		assert_int_equal(got, plen);
		if (plen)
			assert_memory_equal(out, plain, plen);

		/* The same with EVP directly, framing done here. */
		ref = malloc(ctlen);
		assert_non_null(ref);
		if (e->aead) {
			memcpy(icv, ct + ctlen, icvlen);
			assert_true(ref_crypt(e, k->ek, 0, msg, HDR, iv, ct,
					      ref, ctlen, icv));
		} else {
			ref_hmac(ref_digest(k->integ->id), k->ak,
				 k->integ->keylen, msg, len - icvlen, icv,
				 icvlen);
			assert_memory_equal(icv, msg + len - icvlen, icvlen);
			assert_true(ref_crypt(e, k->ek, 0, NULL, 0, iv, ct,
					      ref, ctlen, NULL));
		}
		if (plen)
			assert_memory_equal(ref, plain, plen);
		assert_int_equal(ref[ctlen - 1], ctlen - plen - 1);

		/* The payloads fit even when the padding would not. */
		got = 0;
		assert_int_equal(ike_sk_open(k, msg, HDR, len, out, plen,
					     &got), 0);
		assert_int_equal(got, plen);
		if (plen) {
			assert_memory_equal(out, plain, plen);
			assert_int_equal(ike_sk_open(k, msg, HDR, len, out,
						     plen - 1, &got), -ENOSPC);
		}
		free(ref);
		free(out);
		free(msg);
		free(plain);
	}
}

static void test_sk_round_trips(void **state)
{
	(void)state;
	/* 16 non-AEAD ciphers x 5 HMACs + 10 AEAD on Debian 12. */
	assert_int_equal(for_each_pair(check_round_trip), 16 * 5 + 10);
}

/* Any one byte changed, anywhere: header, IV, ciphertext, ICV. */
static void check_tamper(const struct ike_sk_keys *k)
{
	uint8_t *msg, *plain, out[64];
	size_t len = seal_msg(k, &msg, &plain, 21), got;

	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit += 7) {
			got = 777;
			msg[i] ^= (uint8_t)(1 << bit);
			assert_int_equal(ike_sk_open(k, msg, HDR, len, out,
						     sizeof(out), &got),
					 -EBADMSG);
			assert_int_equal(got, 777);
			msg[i] ^= (uint8_t)(1 << bit);
		}
	}
	assert_int_equal(ike_sk_open(k, msg, HDR, len, out, sizeof(out), &got),
			 0);
	free(msg);
	free(plain);
}

static void test_sk_tamper(void **state)
{
	(void)state;
	assert_true(for_each_pair(check_tamper) > 0);
}

/* Lengths that cannot be: refused before any ICV or decryption. */
static void check_lengths(const struct ike_sk_keys *k)
{
	const struct ike_encr_info *e = k->encr;
	size_t icvlen = e->aead ? e->icvlen : k->integ->icvlen;
	size_t min = e->ivlen + icvlen + 1, got;
	uint8_t *msg, *plain, out[64];
	size_t len = seal_msg(k, &msg, &plain, 5);

	/* The SK data ends anywhere before IV | Pad Length | ICV. */
	for (size_t n = 0; n < min; n++)
		assert_int_equal(ike_sk_open(k, msg, HDR, HDR + n, out,
					     sizeof(out), &got), -EINVAL);
	assert_int_equal(ike_sk_open(k, msg, len + 1, len, out, sizeof(out),
				     &got), -EINVAL);
	/* Cut short by a byte: CBC's blocks no longer align; the others
	 * read a wrong ICV. */
	assert_int_equal(ike_sk_open(k, msg, HDR, len - 1, out, sizeof(out),
				     &got), e->blocksize > 1 ? -EINVAL
							     : -EBADMSG);
	assert_int_equal(ike_sk_open(k, msg, HDR, len, out, sizeof(out), NULL),
			 -EINVAL);
	assert_int_equal(ike_sk_open(k, NULL, HDR, len, out, sizeof(out), &got),
			 -EINVAL);
	free(msg);
	free(plain);
}

static void test_sk_lengths(void **state)
{
	(void)state;
	assert_true(for_each_pair(check_lengths) > 0);
}

/*
 * Well authenticated, badly padded: a Pad Length as long as the whole
 * plaintext or longer. Built here with EVP and the test's own HMAC, as
 * ike_sk_seal never makes one.
 */
static void check_bad_padding(const struct ike_sk_keys *k)
{
	const struct ike_encr_info *e = k->encr;
	size_t icvlen = e->aead ? e->icvlen : k->integ->icvlen;
	size_t ctlen = e->blocksize > 1 ? 2 * e->blocksize : 7;
	uint8_t msg[HDR + 16 + 32 + IKE_MAX_ICV], pt[32], out[64];
	uint8_t *iv = msg + HDR, *ct = iv + e->ivlen, *icv = ct + ctlen;
	size_t len = HDR + e->ivlen + ctlen + icvlen, got;
	/* Pad Length = ctlen - 1 is the most there can be. */
	const uint8_t pads[] = { (uint8_t)ctlen, (uint8_t)(ctlen - 1), 0, 1,
				 0x80, 0xff };

	for (size_t p = 0; p < sizeof(pads); p++) {
		uint8_t last = pads[p];

		memset(msg, 0x11, HDR);
		memset(iv, 0x22, e->ivlen);
		memset(pt, 0x33, ctlen);
		pt[ctlen - 1] = last;
		assert_true(ref_crypt(e, k->ek, 1, msg, HDR, iv, pt, ct, ctlen,
				      icv));
		if (!e->aead)
			ref_hmac(ref_digest(k->integ->id), k->ak,
				 k->integ->keylen, msg, len - icvlen, icv,
				 icvlen);
		got = 555;
		if (last >= ctlen) {
			assert_int_equal(ike_sk_open(k, msg, HDR, len, out,
						     sizeof(out), &got),
					 -EINVAL);
			assert_int_equal(got, 555);
		} else {
			assert_int_equal(ike_sk_open(k, msg, HDR, len, out,
						     sizeof(out), &got), 0);
			assert_int_equal(got, ctlen - last - 1);
		}
	}
}

static void test_sk_bad_padding(void **state)
{
	(void)state;
	assert_true(for_each_pair(check_bad_padding) > 0);
}

/* The inner payloads may already be where they go, or overlap it. */
static void test_sk_in_place(void **state)
{
	uint8_t ek[16] = { 1, 2, 3 }, ak[32] = { 4, 5, 6 };
	struct ike_sk_keys k = {
		.encr = ike_encr_info(IKE_ENCR_AES_CBC, 128),
		.integ = ike_integ_info(IKE_AUTH_HMAC_SHA2_256_128),
		.ek = ek, .ak = ak,
	};
	uint8_t msg[HDR + 256], want[100], out[128];
	size_t len = HDR + ike_sk_len(&k, sizeof(want)), got;

	(void)state;
	for (size_t i = 0; i < sizeof(want); i++)
		want[i] = (uint8_t)(i + 1);
	for (size_t where = HDR; where <= HDR + 16; where += 8) {
		memset(msg, 0x5c, sizeof(msg));
		memcpy(msg + where, want, sizeof(want));
		assert_int_equal(ike_sk_seal(&k, msg, HDR, msg + where,
					     sizeof(want)), 0);
		assert_int_equal(ike_sk_open(&k, msg, HDR, len, out,
					     sizeof(out), &got), 0);
		assert_int_equal(got, sizeof(want));
		assert_memory_equal(out, want, sizeof(want));
	}
}

/* Transforms the SK payload cannot use, and keys that are not there. */
static void test_sk_bad_keys(void **state)
{
	uint8_t key[64] = { 0 }, msg[256] = { 0 }, out[64];
	const struct ike_integ_info *sha = ike_integ_info(IKE_AUTH_HMAC_SHA1_96);
	const struct ike_integ_info *none = ike_integ_info(IKE_AUTH_NONE);
	struct ike_sk_keys bad[] = {
		/* NULL encryption is not for IKE. */
		{ ike_encr_info(IKE_ENCR_NULL, 0), sha, key, key },
		/* CBC without integrity, or with NONE. */
		{ ike_encr_info(IKE_ENCR_AES_CBC, 128), NULL, key, key },
		{ ike_encr_info(IKE_ENCR_AES_CBC, 128), none, key, key },
		/* AEAD with integrity. */
		{ ike_encr_info(IKE_ENCR_AES_GCM_16, 128), sha, key, key },
		/* Keys missing. */
		{ ike_encr_info(IKE_ENCR_AES_CBC, 128), sha, NULL, key },
		{ ike_encr_info(IKE_ENCR_AES_CBC, 128), sha, key, NULL },
		{ ike_encr_info(IKE_ENCR_AES_GCM_16, 128), NULL, NULL, NULL },
		{ NULL, sha, key, key },
	};
	struct ike_encr_info fake = *ike_encr_info(IKE_ENCR_AES_CBC, 128);
	struct ike_sk_keys k = { &fake, sha, key, key };
	size_t got;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ike_sk_seal(&bad[i], msg, HDR, key, 10),
				 -EINVAL);
		assert_int_equal(ike_sk_open(&bad[i], msg, HDR, 200, out,
					     sizeof(out), &got), -EINVAL);
	}
	/* ike_sk_len needs no keys, only transforms the SK payload takes. */
	assert_int_equal(ike_sk_len(&bad[0], 10), 0);
	assert_int_equal(ike_sk_len(&bad[1], 10), 0);
	assert_int_equal(ike_sk_len(&bad[4], 10), 16 + 16 + 12);
	assert_int_equal(ike_sk_len(NULL, 10), 0);
	/* A key size the table does not have. */
	fake.keybits = 200;
	assert_int_equal(ike_sk_open(&k, msg, HDR, 200, out, sizeof(out), &got),
			 -EINVAL);
	assert_int_equal(ike_sk_len(&k, 10), 0);
	assert_int_equal(ike_sk_seal(&bad[4], NULL, HDR, key, 10), -EINVAL);
	k = bad[4];
	k.ek = key;
	assert_int_equal(ike_sk_seal(&k, msg, HDR, NULL, 10), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encr_table),
		cmocka_unit_test(test_other_tables),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_prf_kat),
		cmocka_unit_test(test_prf_plus),
		cmocka_unit_test(test_ecdh_kat),
		cmocka_unit_test(test_ecx_kat),
		cmocka_unit_test(test_dh_agree),
		cmocka_unit_test(test_dh_leading_zero),
		cmocka_unit_test(test_dh_peer_modp),
		cmocka_unit_test(test_dh_peer_ecp),
		cmocka_unit_test(test_dh_peer_ecx),
		cmocka_unit_test(test_sk_cbc_kat),
		cmocka_unit_test(test_sk_gcm_kat),
		cmocka_unit_test(test_sk_chacha_kat),
		cmocka_unit_test(test_sk_round_trips),
		cmocka_unit_test(test_sk_tamper),
		cmocka_unit_test(test_sk_lengths),
		cmocka_unit_test(test_sk_bad_padding),
		cmocka_unit_test(test_sk_in_place),
		cmocka_unit_test(test_sk_bad_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
