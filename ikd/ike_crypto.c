// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKE's transform tables, random bytes, the PRFs and prf+ (RFC 7296 2.13),
 * all through OpenSSL 3's EVP interfaces. Diffie-Hellman is in ike_dh.c,
 * the SK payload in ike_sk.c.
 *
 * The only state kept here is OpenSSL's legacy provider (DES, Blowfish,
 * CAST), loaded into a library context of our own the first time such a
 * transform is asked for, so that nothing else in the process sees it.
 * CRYPTO_THREAD_run_once() makes that safe from any thread.
 */
#include "ike_crypto_int.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

/* --- transform tables --------------------------------------------------- */

/*
 * One row per transform and key size; the first row of an id is its
 * default size (keybits 0). blocksize is the SK payload's padding unit:
 * the cipher's block for CBC, 1 for counter-based modes (RFC 5282 3,
 * RFC 5930 2, RFC 7634 4 need no alignment). AES-XCBC (RFC 3566) is
 * absent: OpenSSL has no XCBC-MAC and DESIGN.md rules out building one.
 */
#define CBC(id, bits, name, bs, ciph, leg)                                    \
	{ { id, bits, name, (bits) / 8, 0, bs, bs, 0, false, true },          \
	  ciph, IKC_CBC, leg }
#define CTR(bits)                                                             \
	{ { IKE_ENCR_AES_CTR, bits, "aes-ctr-" #bits, (bits) / 8 + 4, 4, 1,   \
	    8, 0, false, true }, "AES-" #bits "-CTR", IKC_CTR, false }
#define GCM(id, icv, bits)                                                    \
	{ { id, bits, "aes-gcm-" #icv "-" #bits, (bits) / 8 + 4, 4, 1, 8,     \
	    icv, true, true }, "AES-" #bits "-GCM", IKC_GCM, false }

static const struct ikc_encr encr_table[] = {
	CBC(IKE_ENCR_DES, 64, "des-cbc", 8, "DES-CBC", true),
	CBC(IKE_ENCR_3DES, 192, "3des-cbc", 8, "DES-EDE3-CBC", false),
	CBC(IKE_ENCR_CAST, 128, "cast128-cbc", 8, "CAST5-CBC", true),
	/* RFC 2451 2.2: Blowfish's default is 128 bits; racoon offered up
	 * to 448, strongSwan 128, 192 and 256. */
	CBC(IKE_ENCR_BLOWFISH, 128, "blowfish-cbc-128", 8, "BF-CBC", true),
	CBC(IKE_ENCR_BLOWFISH, 192, "blowfish-cbc-192", 8, "BF-CBC", true),
	CBC(IKE_ENCR_BLOWFISH, 256, "blowfish-cbc-256", 8, "BF-CBC", true),
	CBC(IKE_ENCR_BLOWFISH, 448, "blowfish-cbc-448", 8, "BF-CBC", true),
	/* RFC 2410: ESP only; RFC 7296 3.3.2 gives it no IKE SA use. */
	{ { IKE_ENCR_NULL, 0, "null", 0, 0, 1, 0, 0, false, false },
	  NULL, IKC_NONE, false },
	CBC(IKE_ENCR_AES_CBC, 128, "aes-cbc-128", 16, "AES-128-CBC", false),
	CBC(IKE_ENCR_AES_CBC, 192, "aes-cbc-192", 16, "AES-192-CBC", false),
	CBC(IKE_ENCR_AES_CBC, 256, "aes-cbc-256", 16, "AES-256-CBC", false),
	CTR(128), CTR(192), CTR(256),
	GCM(IKE_ENCR_AES_GCM_8, 8, 128), GCM(IKE_ENCR_AES_GCM_8, 8, 192),
	GCM(IKE_ENCR_AES_GCM_8, 8, 256),
	GCM(IKE_ENCR_AES_GCM_12, 12, 128), GCM(IKE_ENCR_AES_GCM_12, 12, 192),
	GCM(IKE_ENCR_AES_GCM_12, 12, 256),
	GCM(IKE_ENCR_AES_GCM_16, 16, 128), GCM(IKE_ENCR_AES_GCM_16, 16, 192),
	GCM(IKE_ENCR_AES_GCM_16, 16, 256),
	CBC(IKE_ENCR_CAMELLIA_CBC, 128, "camellia-cbc-128", 16,
	    "CAMELLIA-128-CBC", false),
	CBC(IKE_ENCR_CAMELLIA_CBC, 192, "camellia-cbc-192", 16,
	    "CAMELLIA-192-CBC", false),
	CBC(IKE_ENCR_CAMELLIA_CBC, 256, "camellia-cbc-256", 16,
	    "CAMELLIA-256-CBC", false),
	/* RFC 7634 2: a 256-bit key and a 4-byte salt, 8-byte IV. */
	{ { IKE_ENCR_CHACHA20_POLY1305, 256, "chacha20-poly1305", 36, 4, 1, 8,
	    16, true, true }, "ChaCha20-Poly1305", IKC_CHACHA, false },
};

#undef CBC
#undef CTR
#undef GCM

static const struct ikc_integ integ_table[] = {
	/* Only with AEAD; the SK payload refuses it otherwise. */
	{ { IKE_AUTH_NONE, "none", 0, 0 }, NULL },
	{ { IKE_AUTH_HMAC_MD5_96, "hmac-md5-96", 16, 12 }, "MD5" },
	{ { IKE_AUTH_HMAC_SHA1_96, "hmac-sha1-96", 20, 12 }, "SHA1" },
	{ { IKE_AUTH_HMAC_SHA2_256_128, "hmac-sha2-256-128", 32, 16 },
	  "SHA2-256" },
	{ { IKE_AUTH_HMAC_SHA2_384_192, "hmac-sha2-384-192", 48, 24 },
	  "SHA2-384" },
	{ { IKE_AUTH_HMAC_SHA2_512_256, "hmac-sha2-512-256", 64, 32 },
	  "SHA2-512" },
};

struct ikc_prf {
	struct ike_prf_info info;
	const char *digest;
};

/* RFC 7296 2.13: an HMAC PRF's preferred key is as long as its output. */
static const struct ikc_prf prf_table[] = {
	{ { IKE_PRF_HMAC_MD5, "prf-hmac-md5", 16, 16 }, "MD5" },
	{ { IKE_PRF_HMAC_SHA1, "prf-hmac-sha1", 20, 20 }, "SHA1" },
	{ { IKE_PRF_HMAC_SHA2_256, "prf-hmac-sha2-256", 32, 32 }, "SHA2-256" },
	{ { IKE_PRF_HMAC_SHA2_384, "prf-hmac-sha2-384", 48, 48 }, "SHA2-384" },
	{ { IKE_PRF_HMAC_SHA2_512, "prf-hmac-sha2-512", 64, 64 }, "SHA2-512" },
};

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

const struct ikc_encr *ikc_encr_find(uint16_t id, uint16_t keybits)
{
	for (size_t i = 0; i < N_ELEM(encr_table); i++) {
		const struct ikc_encr *e = &encr_table[i];

		if (e->info.id == id && (!keybits || e->info.keybits == keybits))
			return e;
	}
	return NULL;
}

const struct ikc_integ *ikc_integ_find(uint16_t id)
{
	for (size_t i = 0; i < N_ELEM(integ_table); i++)
		if (integ_table[i].info.id == id)
			return &integ_table[i];
	return NULL;
}

static const struct ikc_prf *prf_find(uint16_t id)
{
	for (size_t i = 0; i < N_ELEM(prf_table); i++)
		if (prf_table[i].info.id == id)
			return &prf_table[i];
	return NULL;
}

/* --- OpenSSL providers ----------------------------------------------------- */

static CRYPTO_ONCE legacy_once = CRYPTO_ONCE_STATIC_INIT;
static OSSL_LIB_CTX *legacy_libctx;	/* written once, under legacy_once */

/*
 * A library context of our own keeps the legacy provider away from the
 * default context, where loading any provider explicitly would also stop
 * OpenSSL from loading the default provider implicitly.
 */
static void legacy_load(void)
{
	OSSL_LIB_CTX *ctx = OSSL_LIB_CTX_new();

	if (!ctx)
		return;
	if (!OSSL_PROVIDER_load(ctx, "legacy")) {
		OSSL_LIB_CTX_free(ctx);
		return;
	}
	legacy_libctx = ctx;
}

static OSSL_LIB_CTX *legacy_ctx(void)
{
	if (!CRYPTO_THREAD_run_once(&legacy_once, legacy_load))
		return NULL;
	return legacy_libctx;
}

EVP_CIPHER *ikc_cipher_fetch(const struct ikc_encr *e)
{
	OSSL_LIB_CTX *ctx = NULL;
	EVP_CIPHER *c;

	if (!e->cipher)
		return NULL;
	/* A missing algorithm is an answer here, not an error to keep. */
	ERR_set_mark();
	if (e->legacy && !(ctx = legacy_ctx())) {
		ERR_pop_to_mark();
		return NULL;
	}
	c = EVP_CIPHER_fetch(ctx, e->cipher, NULL);
	if (!c)
		ERR_pop_to_mark();
	else
		ERR_clear_last_mark();
	return c;
}

static bool digest_available(const char *name)
{
	EVP_MD *md;

	ERR_set_mark();
	md = EVP_MD_fetch(NULL, name, NULL);
	if (!md) {
		ERR_pop_to_mark();
		return false;
	}
	ERR_clear_last_mark();
	EVP_MD_free(md);
	return true;
}

const struct ike_encr_info *ike_encr_info(uint16_t id, uint16_t keybits)
{
	const struct ikc_encr *e = ikc_encr_find(id, keybits);
	EVP_CIPHER *c;

	if (!e)
		return NULL;
	if (e->mode == IKC_NONE)
		return &e->info;
	c = ikc_cipher_fetch(e);
	if (!c)
		return NULL;
	EVP_CIPHER_free(c);
	return &e->info;
}

const struct ike_integ_info *ike_integ_info(uint16_t id)
{
	const struct ikc_integ *t = ikc_integ_find(id);

	if (!t || (t->digest && !digest_available(t->digest)))
		return NULL;
	return &t->info;
}

const struct ike_prf_info *ike_prf_info(uint16_t id)
{
	const struct ikc_prf *p = prf_find(id);

	if (!p || !digest_available(p->digest))
		return NULL;
	return &p->info;
}

/* --- random bytes ------------------------------------------------------- */

int ike_sha1(const void *data, size_t len, uint8_t out[IKE_SHA1_LEN])
{
	unsigned int n = 0;

	if (EVP_Digest(data, len, out, &n, EVP_sha1(), NULL) != 1 ||
	    n != IKE_SHA1_LEN)
		return -EIO;
	return 0;
}

int ike_random(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		int n = len > INT_MAX ? INT_MAX : (int)len;

		if (RAND_bytes(p, n) != 1)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* --- HMAC, the PRFs and prf+ -------------------------------------------- */

/* An HMAC context keyed with @key, ready for updates; NULL on failure. */
static EVP_MAC_CTX *hmac_new(const char *digest, const uint8_t *key,
			     size_t klen)
{
	static const uint8_t nokey;	/* EVP_MAC_init reads NULL as "no key" */
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx = NULL;
	EVP_MAC *mac;

	mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
	if (!mac)
		return NULL;
	ctx = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	if (!ctx)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(ctx, klen ? key : &nokey, klen, params)) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* Finish @ctx into @out, truncated to @outlen. */
static int hmac_final(EVP_MAC_CTX *ctx, uint8_t *out, size_t outlen)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	size_t mdlen = 0;
	int ret = 0;

	if (!EVP_MAC_final(ctx, md, &mdlen, sizeof(md)) || mdlen < outlen)
		ret = -EIO;
	else
		memcpy(out, md, outlen);
	OPENSSL_cleanse(md, sizeof(md));
	return ret;
}

int ikc_hmac(const char *digest, const uint8_t *key, size_t klen,
	     const uint8_t *data, size_t dlen, uint8_t *out, size_t outlen)
{
	EVP_MAC_CTX *ctx = hmac_new(digest, key, klen);
	int ret;

	if (!ctx)
		return -EIO;
	ret = EVP_MAC_update(ctx, data, dlen) ? hmac_final(ctx, out, outlen)
					      : -EIO;
	EVP_MAC_CTX_free(ctx);	/* frees the keyed pads cleansed */
	return ret;
}

/* The table's entry for a PRF the caller got from ike_prf_info(). */
static const struct ikc_prf *prf_of(const struct ike_prf_info *info)
{
	return info ? prf_find(info->id) : NULL;
}

int ike_prf(const struct ike_prf_info *prf, const uint8_t *key, size_t klen,
	    const uint8_t *data, size_t dlen, uint8_t *out)
{
	const struct ikc_prf *p = prf_of(prf);

	if (!p || !out || (klen && !key) || (dlen && !data))
		return -EINVAL;
	return ikc_hmac(p->digest, key, klen, data, dlen, out,
			p->info.outlen);
}

/*
 * RFC 7296 2.13: T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n), and
 * prf+ is T1 | T2 | ... cut to @outlen; n is one octet, so 255 blocks at
 * most. The keyed context is made once and copied for each block.
 */
int ike_prf_plus(const struct ike_prf_info *prf, const uint8_t *key,
		 size_t klen, const uint8_t *seed, size_t slen, uint8_t *out,
		 size_t outlen)
{
	const struct ikc_prf *p = prf_of(prf);
	uint8_t t[EVP_MAX_MD_SIZE];
	EVP_MAC_CTX *base, *ctx;
	size_t bs, done = 0;
	int ret = 0;

	if (!p || (klen && !key) || (slen && !seed) || (outlen && !out))
		return -EINVAL;
	bs = p->info.outlen;
	if (outlen > 255 * bs)
		return -EINVAL;
	if (!outlen)
		return 0;
	base = hmac_new(p->digest, key, klen);
	if (!base)
		return -EIO;
	for (unsigned int n = 1; done < outlen; n++) {
		uint8_t octet = (uint8_t)n;
		size_t take = outlen - done < bs ? outlen - done : bs;

		ctx = EVP_MAC_CTX_dup(base);
		if (!ctx || (n > 1 && !EVP_MAC_update(ctx, t, bs)) ||
		    !EVP_MAC_update(ctx, seed, slen) ||
		    !EVP_MAC_update(ctx, &octet, 1) ||
		    hmac_final(ctx, t, bs) < 0) {
			EVP_MAC_CTX_free(ctx);
			ret = -EIO;
			break;
		}
		EVP_MAC_CTX_free(ctx);
		memcpy(out + done, t, take);
		done += take;
	}
	EVP_MAC_CTX_free(base);
	OPENSSL_cleanse(t, sizeof(t));
	if (ret)
		OPENSSL_cleanse(out, outlen);
	return ret;
}

/* --- spans, plain hashes and raw CBC (IKEv1) ---------------------------- */

static bool spans_ok(const struct ike_span *s, size_t n)
{
	if (n && !s)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i].len && !s[i].p)
			return false;
	return true;
}

int ike_prf_spans(const struct ike_prf_info *prf, const uint8_t *key,
		  size_t klen, const struct ike_span *s, size_t n,
		  uint8_t *out)
{
	const struct ikc_prf *p = prf_of(prf);
	EVP_MAC_CTX *ctx;
	int ret = 0;

	if (!p || !out || (klen && !key) || !spans_ok(s, n))
		return -EINVAL;
	ctx = hmac_new(p->digest, key, klen);
	if (!ctx)
		return -EIO;
	for (size_t i = 0; i < n && !ret; i++)
		if (s[i].len && !EVP_MAC_update(ctx, s[i].p, s[i].len))
			ret = -EIO;
	if (!ret)
		ret = hmac_final(ctx, out, p->info.outlen);
	EVP_MAC_CTX_free(ctx);
	return ret;
}

int ike_hash_spans(const struct ike_prf_info *prf, const struct ike_span *s,
		   size_t n, uint8_t *out)
{
	const struct ikc_prf *p = prf_of(prf);
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx;
	EVP_MD *md;
	bool ok;

	if (!p || !out || !spans_ok(s, n))
		return -EINVAL;
	md = EVP_MD_fetch(NULL, p->digest, NULL);
	ctx = md ? EVP_MD_CTX_new() : NULL;
	ok = ctx && EVP_DigestInit_ex2(ctx, md, NULL);
	for (size_t i = 0; ok && i < n; i++)
		ok = !s[i].len || EVP_DigestUpdate(ctx, s[i].p, s[i].len);
	ok = ok && EVP_DigestFinal_ex(ctx, out, &mdlen) &&
	     mdlen == p->info.outlen;
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	return ok ? 0 : -EIO;
}

/* A CBC context for @e keyed with @key, @iv set, padding off. */
static EVP_CIPHER_CTX *cbc_ctx(const struct ikc_encr *e, int enc,
			       const uint8_t *key, const uint8_t *iv)
{
	EVP_CIPHER *c = ikc_cipher_fetch(e);
	EVP_CIPHER_CTX *ctx = c ? EVP_CIPHER_CTX_new() : NULL;
	bool ok = ctx && EVP_CipherInit_ex2(ctx, c, NULL, NULL, enc, NULL);

	/* Blowfish's key length varies with the table's row. */
	if (ok && EVP_CIPHER_CTX_get_key_length(ctx) != e->info.keylen)
		ok = EVP_CIPHER_CTX_set_key_length(ctx, e->info.keylen) > 0;
	ok = ok && EVP_CIPHER_CTX_get_iv_length(ctx) == e->info.blocksize &&
	     EVP_CipherInit_ex2(ctx, NULL, key, iv, enc, NULL) &&
	     EVP_CIPHER_CTX_set_padding(ctx, 0);
	EVP_CIPHER_free(c);
	if (!ok) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* The table's row of @encr when it is a CBC cipher for IKE, else NULL. */
static const struct ikc_encr *cbc_find(const struct ike_encr_info *encr)
{
	const struct ikc_encr *e;

	if (!encr)
		return NULL;
	e = ikc_encr_find(encr->id, encr->keybits);
	if (!e || e->mode != IKC_CBC || !e->info.ike_ok ||
	    e->info.keybits != encr->keybits)
		return NULL;
	return e;
}

bool ike_encr_is_cbc(const struct ike_encr_info *encr)
{
	return cbc_find(encr) != NULL;
}

int ike_cbc(const struct ike_encr_info *encr, bool encrypt,
	    const uint8_t *key, const uint8_t *iv, const uint8_t *in,
	    uint8_t *out, size_t len)
{
	const struct ikc_encr *e;
	EVP_CIPHER_CTX *ctx;
	int n = 0, fin = 0, ret = 0;

	if (!key || !iv || (len && (!in || !out)) || len > INT_MAX)
		return -EINVAL;
	e = cbc_find(encr);
	if (!e || len % e->info.blocksize)
		return -EINVAL;
	if (!len)
		return 0;
	ctx = cbc_ctx(e, encrypt, key, iv);
	if (!ctx)
		return -EIO;
	if (!EVP_CipherUpdate(ctx, out, &n, in, (int)len) ||
	    (size_t)n != len || !EVP_CipherFinal_ex(ctx, out + n, &fin) ||
	    fin != 0)
		ret = -EIO;
	EVP_CIPHER_CTX_free(ctx);	/* the key schedule goes cleansed */
	return ret;
}
