// SPDX-License-Identifier: BSD-2-Clause
/*
 * Algorithm and DH group names as racoon.conf writes them (ipsec-tools
 * 0.8's cftoken.l and algorithm.c), with the key lengths racoon allows,
 * and the few ikd adds (marked "ikd"). One table, so that a name written
 * in the wrong statement gets a message saying where it belongs.
 */
#include <stdio.h>
#include <string.h>

#include "conf_int.h"
#include "conf_parse.h"

#define P1	1	/* allowed in a proposal */
#define P2	2	/* allowed in a sainfo */
#define FIXED	0, 0, 0, 0	/* a fixed key length */

struct algdef {
	const char *name;
	enum ikd_kw cls;
	unsigned char phases;
	uint16_t id;
	/* key lengths in bits: default, minimum, maximum, step; 0: fixed */
	uint16_t def, min, max, step;
};

#define ENC	KW_ENCRYPTION_ALGORITHM
#define HASH	KW_HASH_ALGORITHM
#define AMETH	KW_AUTHENTICATION_METHOD
#define AUTH	KW_AUTHENTICATION_ALGORITHM
#define COMP	KW_COMPRESSION_ALGORITHM

static const struct algdef algs[] = {
	{ "des", ENC, P1 | P2, IKD_ENCR_DES, FIXED },
	{ "3des", ENC, P1 | P2, IKD_ENCR_3DES, FIXED },
	{ "des_iv64", ENC, P2, IKD_ENCR_DES_IV64, FIXED },
	{ "des_iv32", ENC, P2, IKD_ENCR_DES_IV32, FIXED },
	{ "rc5", ENC, P1 | P2, IKD_ENCR_RC5, 128, 40, 2040, 8 },
	{ "rc4", ENC, P2, IKD_ENCR_RC4, FIXED },
	{ "idea", ENC, P1 | P2, IKD_ENCR_IDEA, FIXED },
	{ "3idea", ENC, P2, IKD_ENCR_3IDEA, FIXED },
	{ "cast128", ENC, P1 | P2, IKD_ENCR_CAST, 128, 40, 128, 8 },
	{ "blowfish", ENC, P1 | P2, IKD_ENCR_BLOWFISH, 128, 40, 448, 8 },
	{ "null_enc", ENC, P2, IKD_ENCR_NULL, FIXED },
	{ "null", ENC, P2, IKD_ENCR_NULL, FIXED },
	{ "twofish", ENC, P2, IKD_ENCR_TWOFISH, 128, 40, 256, 8 },
	{ "aes", ENC, P1 | P2, IKD_ENCR_AES_CBC, 128, 128, 256, 64 },
	{ "rijndael", ENC, P1 | P2, IKD_ENCR_AES_CBC, 128, 128, 256, 64 },
	{ "camellia", ENC, P1 | P2, IKD_ENCR_CAMELLIA_CBC, 128, 128, 256, 64 },
	{ "aes_gcm_16", ENC, P1 | P2, IKD_ENCR_AES_GCM_16, 128, 128, 256, 64 }, /* ikd */
	{ "chacha20_poly1305", ENC, P1 | P2, IKD_ENCR_CHACHA20_POLY1305,
	  256, 256, 256, 8 },						/* ikd */

	{ "md5", HASH, P1, IKD_HASH_MD5, FIXED },
	{ "sha1", HASH, P1, IKD_HASH_SHA1, FIXED },
	{ "tiger", HASH, P1, IKD_HASH_TIGER, FIXED },
	{ "sha256", HASH, P1, IKD_HASH_SHA2_256, FIXED },
	{ "sha2_256", HASH, P1, IKD_HASH_SHA2_256, FIXED },
	{ "sha384", HASH, P1, IKD_HASH_SHA2_384, FIXED },
	{ "sha2_384", HASH, P1, IKD_HASH_SHA2_384, FIXED },
	{ "sha512", HASH, P1, IKD_HASH_SHA2_512, FIXED },
	{ "sha2_512", HASH, P1, IKD_HASH_SHA2_512, FIXED },

	{ "pre_shared_key", AMETH, P1, IKD_AUTH_PSK, FIXED },
	{ "dsssig", AMETH, P1, IKD_AUTH_DSS_SIG, FIXED },
	{ "rsasig", AMETH, P1, IKD_AUTH_RSA_SIG, FIXED },
	{ "rsaenc", AMETH, P1, IKD_AUTH_RSA_ENC, FIXED },
	{ "rsarev", AMETH, P1, IKD_AUTH_RSA_REV, FIXED },
	{ "gssapi_krb", AMETH, P1, IKD_AUTH_GSSAPI_KRB, FIXED },
	{ "hybrid_rsa_server", AMETH, P1, IKD_AUTH_HYBRID_RSA_SERVER, FIXED },
	{ "hybrid_rsa_client", AMETH, P1, IKD_AUTH_HYBRID_RSA_CLIENT, FIXED },
	{ "hybrid_dss_server", AMETH, P1, IKD_AUTH_HYBRID_DSS_SERVER, FIXED },
	{ "hybrid_dss_client", AMETH, P1, IKD_AUTH_HYBRID_DSS_CLIENT, FIXED },
	{ "xauth_psk_server", AMETH, P1, IKD_AUTH_XAUTH_PSK_SERVER, FIXED },
	{ "xauth_psk_client", AMETH, P1, IKD_AUTH_XAUTH_PSK_CLIENT, FIXED },
	{ "xauth_rsa_server", AMETH, P1, IKD_AUTH_XAUTH_RSA_SERVER, FIXED },
	{ "xauth_rsa_client", AMETH, P1, IKD_AUTH_XAUTH_RSA_CLIENT, FIXED },

	{ "hmac_md5", AUTH, P2, IKD_P2AUTH_HMAC_MD5, FIXED },
	{ "hmac_sha1", AUTH, P2, IKD_P2AUTH_HMAC_SHA1, FIXED },
	{ "hmac_sha2_256", AUTH, P2, IKD_P2AUTH_HMAC_SHA2_256, FIXED },
	{ "hmac_sha256", AUTH, P2, IKD_P2AUTH_HMAC_SHA2_256, FIXED },
	{ "hmac_sha2_384", AUTH, P2, IKD_P2AUTH_HMAC_SHA2_384, FIXED },
	{ "hmac_sha384", AUTH, P2, IKD_P2AUTH_HMAC_SHA2_384, FIXED },
	{ "hmac_sha2_512", AUTH, P2, IKD_P2AUTH_HMAC_SHA2_512, FIXED },
	{ "hmac_sha512", AUTH, P2, IKD_P2AUTH_HMAC_SHA2_512, FIXED },
	{ "kpdk", AUTH, P2, IKD_P2AUTH_KPDK, FIXED },
	{ "non_auth", AUTH, P2, IKD_P2AUTH_NON_AUTH, FIXED },

	{ "deflate", COMP, P2, IKD_COMP_DEFLATE, FIXED },
	{ "lzs", COMP, P2, IKD_COMP_LZS, FIXED },
	{ "oui", COMP, P2, IKD_COMP_OUI, FIXED },
};

#define NALGS	(sizeof(algs) / sizeof(algs[0]))

static const struct algdef *alg_find(enum ikd_kw cls, const char *name)
{
	for (size_t i = 0; i < NALGS; i++)
		if (algs[i].cls == cls && !strcmp(algs[i].name, name))
			return &algs[i];
	return NULL;
}

static const char *alg_name(enum ikd_kw cls, unsigned int id)
{
	for (size_t i = 0; i < NALGS; i++)
		if (algs[i].cls == cls && algs[i].id == id)
			return algs[i].name;
	return NULL;
}

const char *ikd_encr_name(unsigned int id)
{
	return id == IKD_ENCR_NULL ? "null_enc" : alg_name(ENC, id);
}

const char *ikd_hash_name(unsigned int id)
{
	return alg_name(HASH, id);
}

const char *ikd_auth_method_name(unsigned int id)
{
	return alg_name(AMETH, id);
}

const char *ikd_p2auth_name(unsigned int id)
{
	return alg_name(AUTH, id);
}

const char *ikd_comp_name(unsigned int id)
{
	return alg_name(COMP, id);
}

unsigned int ikd_encr_oakley(unsigned int id)
{
	switch (id) {
	case IKD_ENCR_DES:		return 1;
	case IKD_ENCR_IDEA:		return 2;
	case IKD_ENCR_BLOWFISH:		return 3;
	case IKD_ENCR_RC5:		return 4;
	case IKD_ENCR_3DES:		return 5;
	case IKD_ENCR_CAST:		return 6;
	case IKD_ENCR_AES_CBC:		return 7;
	case IKD_ENCR_CAMELLIA_CBC:	return 8;
	default:			return 0;
	}
}

bool ikd_encr_is_aead(unsigned int id)
{
	return id == IKD_ENCR_AES_GCM_16 || id == IKD_ENCR_CHACHA20_POLY1305;
}

/* The names of one class and phase, for "one of ..." lists. */
static void alg_list(enum ikd_kw cls, unsigned char phase, char *buf,
		     size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NALGS && off < len; i++)
		if (algs[i].cls == cls && (algs[i].phases & phase))
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
						off ? ", " : "", algs[i].name);
}

static bool check_keylen(struct ikd_cparse *p, const struct algdef *a,
			 const struct ikd_tok *keylen, struct ikd_alg *out)
{
	uint64_t n = keylen->v.n;

	out->keylen = a->def;
	if (!keylen->tok)
		return true;
	if (!a->def) {
		ikd_cp_error(p, &keylen->pos, "%s has a fixed key length: drop "
			     "'%s'", a->name, keylen->v.s);
		return false;
	}
	if (keylen->v.ovf || n < a->min || n > a->max ||
	    (n - a->min) % a->step) {
		if (a->step == 64)
			ikd_cp_error(p, &keylen->pos, "%s takes a key of 128, "
				     "192 or 256 bits, not %s", a->name,
				     keylen->v.s);
		else if (a->min == a->max)
			ikd_cp_error(p, &keylen->pos, "%s takes a key of %u "
				     "bits, not %s", a->name, a->min,
				     keylen->v.s);
		else
			ikd_cp_error(p, &keylen->pos, "%s takes a key of %u to "
				     "%u bits in steps of %u, not %s", a->name,
				     a->min, a->max, a->step, keylen->v.s);
		return false;
	}
	out->keylen = (uint16_t)n;
	return true;
}

bool cv_alg(struct ikd_cparse *p, enum ikd_kw kw, bool phase1,
	    const struct ikd_tok *name, const struct ikd_tok *keylen,
	    struct ikd_alg *out)
{
	unsigned char phase = phase1 ? P1 : P2;
	const char *stmt = ikd_kw_name(kw), *n = name->v.s;
	const struct algdef *a = alg_find(kw, n);
	char list[512];

	memset(out, 0, sizeof(*out));
	out->pos = name->pos;
	if (a && (a->phases & phase)) {
		out->id = a->id;
		return check_keylen(p, a, keylen, out);
	}
	if (a) {
		ikd_cp_error(p, &name->pos, "%s is a phase %d algorithm: it "
			     "goes in a %s block", n, phase1 ? 2 : 1,
			     phase1 ? "sainfo" : "proposal");
		return false;
	}
	for (size_t i = 0; i < NALGS; i++) {
		if (strcmp(algs[i].name, n))
			continue;
		if (kw == AUTH && algs[i].cls == HASH)
			ikd_cp_error(p, &name->pos, "%s is a phase 1 "
				     "hash_algorithm; in %s write hmac_%s",
				     n, stmt, n);
		else
			ikd_cp_error(p, &name->pos, "%s does not go in %s: it "
				     "is for %s", n, stmt,
				     ikd_kw_name(algs[i].cls));
		return false;
	}
	alg_list(kw, phase, list, sizeof(list));
	ikd_cp_error(p, &name->pos, "unknown %s '%s' (one of %s)", stmt, n,
		     list);
	return false;
}

/* ------------------------------------------------------------------------
 * Diffie-Hellman groups
 */
static const struct {
	const char *name;
	unsigned int group;
} dh_names[] = {
	{ "modp768", 1 }, { "modp1024", 2 }, { "ec2n155", 3 },
	{ "ec2n185", 4 }, { "modp1536", 5 }, { "modp2048", 14 },
	{ "modp3072", 15 }, { "modp4096", 16 }, { "modp6144", 17 },
	{ "modp8192", 18 },
	{ "ecp256", 19 }, { "ecp384", 20 }, { "ecp521", 21 },	/* ikd */
	{ "curve25519", 31 },					/* ikd */
};

#define NDH	(sizeof(dh_names) / sizeof(dh_names[0]))

const char *ikd_dh_name(unsigned int group)
{
	for (size_t i = 0; i < NDH; i++)
		if (dh_names[i].group == group)
			return dh_names[i].name;
	return NULL;
}

bool cv_dh(struct ikd_cparse *p, const struct ikd_tok *v, unsigned int *group)
{
	*group = 0;
	if (v->tok == T_NUMBER) {
		if (!v->v.ovf && v->v.n <= 31 && ikd_dh_name((unsigned int)v->v.n)) {
			*group = (unsigned int)v->v.n;
			return true;
		}
		ikd_cp_error(p, &v->pos, "DH group %s is not supported (1, 2, "
			     "3, 4, 5, 14 to 21 or 31)", v->v.s);
		return false;
	}
	for (size_t i = 0; i < NDH; i++)
		if (!strcmp(dh_names[i].name, v->v.s)) {
			*group = dh_names[i].group;
			return true;
		}
	ikd_cp_error(p, &v->pos, "unknown DH group '%s' (a number, or modp768 "
		     "... modp8192, ecp256, ecp384, ecp521, curve25519)",
		     v->v.s);
	return false;
}
