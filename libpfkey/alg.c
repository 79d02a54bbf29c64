// SPDX-License-Identifier: BSD-2-Clause
/*
 * The algorithm table: the single source of truth for algorithm names,
 * PF_KEY ids and key lengths.  setkey, ikd and the tests all read it
 * through the functions below; nothing else may keep a second list.
 *
 * Key lengths are what goes into sadb_key_bits, i.e. what the user types
 * after -E/-A.  For AEAD and counter modes that includes the salt or nonce
 * the kernel expects appended to the key (RFC 4106/4309/3686/7634).
 */
#include <string.h>

#include "internal.h"

#define ENC(n, i, mn, mx, st, al) \
	{ .name = (n), .kind = PFKEY_ALG_ENCRYPT, .id = (i), \
	  .key_min_bits = (mn), .key_max_bits = (mx), .key_step_bits = (st), \
	  .aliases = (al) }
#define AEAD(n, i, mn, mx, st, icv, al) \
	{ .name = (n), .kind = PFKEY_ALG_ENCRYPT, .id = (i), \
	  .key_min_bits = (mn), .key_max_bits = (mx), .key_step_bits = (st), \
	  .icv_bytes = (icv), .aead = true, .aliases = (al) }
#define AUTH(n, i, bits, al) \
	{ .name = (n), .kind = PFKEY_ALG_AUTH, .id = (i), \
	  .key_min_bits = (bits), .key_max_bits = (bits), .aliases = (al) }
#define AUTH_SHA2(n, i, bits, al) \
	{ .name = (n), .kind = PFKEY_ALG_AUTH, .id = (i), \
	  .key_min_bits = (bits), .key_max_bits = (bits), \
	  .sha2_icv_bits = (bits) / 2, .aliases = (al) }
#define COMP(n, i) \
	{ .name = (n), .kind = PFKEY_ALG_COMP, .id = (i) }

static const struct pfkey_alg algs[] = {
	/* Encryption.  Legacy ciphers stay: the seed configs use them. */
	ENC("des-cbc", SADB_EALG_DESCBC, 64, 64, 0, NULL),
	ENC("3des-cbc", SADB_EALG_3DESCBC, 192, 192, 0, NULL),
	ENC("cast128-cbc", SADB_X_EALG_CASTCBC, 40, 128, 8, NULL),
	ENC("blowfish-cbc", SADB_X_EALG_BLOWFISHCBC, 40, 448, 8, NULL),
	/* KAME's "null" has no key at all. */
	ENC("null", SADB_EALG_NULL, 0, 0, 0, NULL),
	/* rijndael-cbc is KAME's historical name for the same id. */
	ENC("aes-cbc", SADB_X_EALG_AESCBC, 128, 256, 64, "rijndael-cbc"),
	/* RFC 3686: AES key followed by a 32-bit nonce. */
	ENC("aes-ctr", SADB_X_EALG_AESCTR, 160, 288, 64, NULL),
	/* RFC 4309: AES key followed by a 24-bit salt. */
	AEAD("aes-ccm-8", SADB_X_EALG_AES_CCM_ICV8, 152, 280, 64, 8, NULL),
	AEAD("aes-ccm-12", SADB_X_EALG_AES_CCM_ICV12, 152, 280, 64, 12, NULL),
	AEAD("aes-ccm-16", SADB_X_EALG_AES_CCM_ICV16, 152, 280, 64, 16, NULL),
	/* RFC 4106: AES key followed by a 32-bit salt.  Plain "aes-gcm"
	 * means the 16-byte ICV, as in strongSwan and RFC 4106 practice. */
	AEAD("aes-gcm-8", SADB_X_EALG_AES_GCM_ICV8, 160, 288, 64, 8, NULL),
	AEAD("aes-gcm-12", SADB_X_EALG_AES_GCM_ICV12, 160, 288, 64, 12, NULL),
	AEAD("aes-gcm-16", SADB_X_EALG_AES_GCM_ICV16, 160, 288, 64, 16,
	     "aes-gcm"),
	ENC("camellia-cbc", SADB_X_EALG_CAMELLIACBC, 128, 256, 64, NULL),
	/* RFC 4543 GMAC: authentication only, but keyed like GCM and
	 * combined-mode, so no separate -A. */
	AEAD("null-aes-gmac", SADB_X_EALG_NULL_AES_GMAC, 160, 288, 64, 16,
	     "aes-gmac"),
	ENC("sm4-cbc", SADB_X_EALG_SM4CBC, 128, 128, 0, NULL),
	/* kipsec extension: Linux's <linux/pfkeyv2.h> has no id for
	 * ChaCha20-Poly1305; we use IANA's ESP transform number 28.  RFC 7634:
	 * 256-bit key followed by a 32-bit salt. */
	AEAD("chacha20-poly1305", SADB_X_EALG_CHACHA20_POLY1305, 288, 288, 0,
	     16, NULL),
	ENC("serpent-cbc", SADB_X_EALG_SERPENTCBC, 128, 256, 64, NULL),
	ENC("twofish-cbc", SADB_X_EALG_TWOFISHCBC, 128, 256, 64, NULL),

	/* Authentication.  Fixed key sizes = the hash output, as KAME
	 * setkey enforces. ipsec-tools spells SHA-2 without the "2-". */
	AUTH("hmac-md5", SADB_AALG_MD5HMAC, 128, NULL),
	AUTH("hmac-sha1", SADB_AALG_SHA1HMAC, 160, NULL),
	AUTH_SHA2("hmac-sha2-256", SADB_X_AALG_SHA2_256HMAC, 256,
		  "hmac-sha256"),
	AUTH_SHA2("hmac-sha2-384", SADB_X_AALG_SHA2_384HMAC, 384,
		  "hmac-sha384"),
	AUTH_SHA2("hmac-sha2-512", SADB_X_AALG_SHA2_512HMAC, 512,
		  "hmac-sha512"),
	AUTH("hmac-ripemd160", SADB_X_AALG_RIPEMD160HMAC, 160, NULL),
	AUTH("aes-xcbc-mac", SADB_X_AALG_AES_XCBC_MAC, 128, NULL),
	AUTH("hmac-sm3", SADB_X_AALG_SM3_256HMAC, 256, NULL),
	AUTH("null", SADB_X_AALG_NULL, 0, NULL),

	/* Compression: no keys. */
	COMP("deflate", SADB_X_CALG_DEFLATE),
	COMP("lzs", SADB_X_CALG_LZS),
	COMP("lzjh", SADB_X_CALG_LZJH),
};

#define NALGS (sizeof(algs) / sizeof(algs[0]))

/* True if word is one of the space-separated names in list. */
static bool in_list(const char *list, const char *word)
{
	size_t wl = strlen(word);

	while (list && *list) {
		size_t n = strcspn(list, " ");

		if (n == wl && memcmp(list, word, n) == 0)
			return true;
		list += n;
		list += strspn(list, " ");
	}
	return false;
}

const struct pfkey_alg *pfkey_alg_by_name(enum pfkey_alg_kind kind,
					  const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < NALGS; i++) {
		const struct pfkey_alg *a = &algs[i];

		if (a->kind != kind)
			continue;
		if (strcmp(a->name, name) == 0 || in_list(a->aliases, name))
			return a;
	}
	return NULL;
}

const struct pfkey_alg *pfkey_alg_by_id(enum pfkey_alg_kind kind,
					unsigned int id)
{
	for (size_t i = 0; i < NALGS; i++)
		if (algs[i].kind == kind && algs[i].id == id)
			return &algs[i];
	return NULL;
}

const char *pfkey_alg_name(enum pfkey_alg_kind kind, unsigned int id)
{
	const struct pfkey_alg *a = pfkey_alg_by_id(kind, id);

	return a ? a->name : NULL;
}

bool pfkey_alg_key_ok(const struct pfkey_alg *alg, unsigned int key_bits)
{
	if (!alg)
		return false;
	if (key_bits == alg->key_min_bits || key_bits == alg->key_max_bits)
		return true;
	if (alg->key_step_bits == 0)
		return false;
	return key_bits > alg->key_min_bits && key_bits < alg->key_max_bits &&
	       (key_bits - alg->key_min_bits) % alg->key_step_bits == 0;
}

const struct pfkey_alg *pfkey_alg_first(void)
{
	return &algs[0];
}

const struct pfkey_alg *pfkey_alg_next(const struct pfkey_alg *alg)
{
	if (!alg || alg < algs || alg >= algs + NALGS - 1)
		return NULL;
	return alg + 1;
}
