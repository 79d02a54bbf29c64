// SPDX-License-Identifier: BSD-2-Clause
/*
 * The algorithm table: the single source of truth for algorithm names,
 * PF_KEY ids and key lengths.  setkey, ikd and the tests all read it
 * through the functions below; nothing else may keep a second list.
 *
 * Key lengths are what goes into sadb_key_bits, i.e. what the user types
 * after -E/-A.  ikd maps IKEv2 transform ids here too (ikev2_id).  For AEAD and counter modes that includes the salt or nonce
 * the kernel expects appended to the key (RFC 4106/4309/3686/7634).
 */
#include <string.h>

#include "internal.h"

/*
 * The last two fields of each entry are the IKEv2 transform id (IANA's
 * "Transform Type 1/3" registries and IPCOMP ids; 0 where IKEv2 has none)
 * and the salt or nonce bits that follow the key in PF_KEY but are not
 * part of IKE's key length attribute.
 */
#define ENC(n, i, mn, mx, st, al, ike, salt) \
	{ .name = (n), .kind = PFKEY_ALG_ENCRYPT, .id = (i), \
	  .key_min_bits = (mn), .key_max_bits = (mx), .key_step_bits = (st), \
	  .aliases = (al), .ikev2_id = (ike), .salt_bits = (salt) }
#define AEAD(n, i, mn, mx, st, icv, al, ike, salt) \
	{ .name = (n), .kind = PFKEY_ALG_ENCRYPT, .id = (i), \
	  .key_min_bits = (mn), .key_max_bits = (mx), .key_step_bits = (st), \
	  .icv_bytes = (icv), .aead = true, .aliases = (al), \
	  .ikev2_id = (ike), .salt_bits = (salt) }
#define AUTH(n, i, bits, al, ike) \
	{ .name = (n), .kind = PFKEY_ALG_AUTH, .id = (i), \
	  .key_min_bits = (bits), .key_max_bits = (bits), .aliases = (al), \
	  .ikev2_id = (ike) }
#define AUTH_SHA2(n, i, bits, al, ike) \
	{ .name = (n), .kind = PFKEY_ALG_AUTH, .id = (i), \
	  .key_min_bits = (bits), .key_max_bits = (bits), \
	  .sha2_icv_bits = (bits) / 2, .aliases = (al), .ikev2_id = (ike) }
#define COMP(n, i, ike) \
	{ .name = (n), .kind = PFKEY_ALG_COMP, .id = (i), .ikev2_id = (ike) }

static const struct pfkey_alg algs[] = {
	/* Encryption.  Legacy ciphers stay: the seed configs use them. */
	ENC("des-cbc", SADB_EALG_DESCBC, 64, 64, 0, NULL, 2, 0),
	ENC("3des-cbc", SADB_EALG_3DESCBC, 192, 192, 0, NULL, 3, 0),
	ENC("cast128-cbc", SADB_X_EALG_CASTCBC, 40, 128, 8, NULL, 6, 0),
	ENC("blowfish-cbc", SADB_X_EALG_BLOWFISHCBC, 40, 448, 8, NULL, 7, 0),
	/* KAME's "null" has no key at all. */
	ENC("null", SADB_EALG_NULL, 0, 0, 0, NULL, 11, 0),
	/* rijndael-cbc is KAME's historical name for the same id. */
	ENC("aes-cbc", SADB_X_EALG_AESCBC, 128, 256, 64, "rijndael-cbc", 12, 0),
	/* RFC 3686: AES key followed by a 32-bit nonce. */
	ENC("aes-ctr", SADB_X_EALG_AESCTR, 160, 288, 64, NULL, 13, 32),
	/* RFC 4309: AES key followed by a 24-bit salt. */
	AEAD("aes-ccm-8", SADB_X_EALG_AES_CCM_ICV8, 152, 280, 64, 8, NULL, 14, 24),
	AEAD("aes-ccm-12", SADB_X_EALG_AES_CCM_ICV12, 152, 280, 64, 12, NULL,
	     15, 24),
	AEAD("aes-ccm-16", SADB_X_EALG_AES_CCM_ICV16, 152, 280, 64, 16, NULL,
	     16, 24),
	/* RFC 4106: AES key followed by a 32-bit salt.  Plain "aes-gcm"
	 * means the 16-byte ICV, as in strongSwan and RFC 4106 practice. */
	AEAD("aes-gcm-8", SADB_X_EALG_AES_GCM_ICV8, 160, 288, 64, 8, NULL, 18, 32),
	AEAD("aes-gcm-12", SADB_X_EALG_AES_GCM_ICV12, 160, 288, 64, 12, NULL,
	     19, 32),
	AEAD("aes-gcm-16", SADB_X_EALG_AES_GCM_ICV16, 160, 288, 64, 16,
	     "aes-gcm", 20, 32),
	/* IKEv2 23 is Camellia-CBC, PF_KEY 23 null-aes-gmac. */
	ENC("camellia-cbc", SADB_X_EALG_CAMELLIACBC, 128, 256, 64, NULL, 23, 0),
	/* RFC 4543 GMAC: authentication only, but keyed like GCM and
	 * combined-mode, so no separate -A. */
	AEAD("null-aes-gmac", SADB_X_EALG_NULL_AES_GMAC, 160, 288, 64, 16,
	     "aes-gmac", 21, 32),
	ENC("sm4-cbc", SADB_X_EALG_SM4CBC, 128, 128, 0, NULL, 0, 0),
	/* kipsec extension: Linux's <linux/pfkeyv2.h> has no id for
	 * ChaCha20-Poly1305; we use IANA's ESP transform number 28.  RFC 7634:
	 * 256-bit key followed by a 32-bit salt. */
	AEAD("chacha20-poly1305", SADB_X_EALG_CHACHA20_POLY1305, 288, 288, 0,
	     16, NULL, 28, 32),
	ENC("serpent-cbc", SADB_X_EALG_SERPENTCBC, 128, 256, 64, NULL, 0, 0),
	ENC("twofish-cbc", SADB_X_EALG_TWOFISHCBC, 128, 256, 64, NULL, 0, 0),

	/* Authentication.  Fixed key sizes = the hash output, as KAME
	 * setkey enforces. ipsec-tools spells SHA-2 without the "2-". */
	AUTH("hmac-md5", SADB_AALG_MD5HMAC, 128, NULL, 1),
	AUTH("hmac-sha1", SADB_AALG_SHA1HMAC, 160, NULL, 2),
	AUTH_SHA2("hmac-sha2-256", SADB_X_AALG_SHA2_256HMAC, 256,
		  "hmac-sha256", 12),
	AUTH_SHA2("hmac-sha2-384", SADB_X_AALG_SHA2_384HMAC, 384,
		  "hmac-sha384", 13),
	AUTH_SHA2("hmac-sha2-512", SADB_X_AALG_SHA2_512HMAC, 512,
		  "hmac-sha512", 14),
	AUTH("hmac-ripemd160", SADB_X_AALG_RIPEMD160HMAC, 160, NULL, 0),
	AUTH("aes-xcbc-mac", SADB_X_AALG_AES_XCBC_MAC, 128, NULL, 5),
	AUTH("hmac-sm3", SADB_X_AALG_SM3_256HMAC, 256, NULL, 0),
	AUTH("null", SADB_X_AALG_NULL, 0, NULL, 0),

	/* Compression: no keys. */
	COMP("deflate", SADB_X_CALG_DEFLATE, 2),
	COMP("lzs", SADB_X_CALG_LZS, 3),
	COMP("lzjh", SADB_X_CALG_LZJH, 4),
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

const struct pfkey_alg *pfkey_alg_by_ikev2(enum pfkey_alg_kind kind,
					   unsigned int ikev2_id)
{
	if (!ikev2_id)
		return NULL;
	for (size_t i = 0; i < NALGS; i++)
		if (algs[i].kind == kind && algs[i].ikev2_id == ikev2_id)
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
