// SPDX-License-Identifier: BSD-2-Clause
/*
 * Diffie-Hellman for IKE through EVP_PKEY: MODP groups (RFC 2409, 3526),
 * ECP groups (RFC 5903) and Curve25519/Curve448 (RFC 8031).
 *
 * What goes over the wire: MODP values big-endian, as long as the prime;
 * ECP points as x | y without SEC 1's 0x04 prefix, each coordinate as long
 * as the field; Curve25519/448 as RFC 7748's little-endian u. The shared
 * secret has the same fixed length (for ECP only x, RFC 5903 7).
 *
 * A peer's value is checked before use: its length; for MODP 1 < y < p-1,
 * which for these safe primes leaves out the only small subgroup {1, p-1}
 * (RFC 6989 2.2), so OpenSSL's y^q check, 0.3 s for MODP 8192 on these
 * machines, is not run for every KE payload a stranger sends; for ECP the
 * point must lie on the curve (EVP_PKEY_fromdata refuses it otherwise, and
 * EVP_PKEY_derive_set_peer_ex checks again); for Curve25519/448 the result
 * must not be all zero (RFC 8031 2.3, RFC 7748 6).
 */
#include "ike_crypto_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

/* Groups 1 and 2 have no OpenSSL name; their RFC 2409 primes come from
 * OpenSSL's own copies. Group 5 is RFC 3526's "modp_1536". */
static const struct ikc_dh dh_table[] = {
	{ { IKE_DH_NONE, "none", 0, false }, IKC_DH_NONE, NULL, NULL },
	{ { IKE_DH_MODP768, "modp768", 96, true }, IKC_DH_MODP, NULL,
	  BN_get_rfc2409_prime_768 },
	{ { IKE_DH_MODP1024, "modp1024", 128, true }, IKC_DH_MODP, NULL,
	  BN_get_rfc2409_prime_1024 },
	{ { IKE_DH_MODP1536, "modp1536", 192, true }, IKC_DH_MODP,
	  "modp_1536", NULL },
	{ { IKE_DH_MODP2048, "modp2048", 256, false }, IKC_DH_MODP,
	  "modp_2048", NULL },
	{ { IKE_DH_MODP3072, "modp3072", 384, false }, IKC_DH_MODP,
	  "modp_3072", NULL },
	{ { IKE_DH_MODP4096, "modp4096", 512, false }, IKC_DH_MODP,
	  "modp_4096", NULL },
	{ { IKE_DH_MODP6144, "modp6144", 768, false }, IKC_DH_MODP,
	  "modp_6144", NULL },
	{ { IKE_DH_MODP8192, "modp8192", 1024, false }, IKC_DH_MODP,
	  "modp_8192", NULL },
	{ { IKE_DH_ECP256, "ecp256", 64, false }, IKC_DH_ECP, "P-256", NULL },
	{ { IKE_DH_ECP384, "ecp384", 96, false }, IKC_DH_ECP, "P-384", NULL },
	{ { IKE_DH_ECP521, "ecp521", 132, false }, IKC_DH_ECP, "P-521", NULL },
	{ { IKE_DH_CURVE25519, "curve25519", 32, false }, IKC_DH_ECX,
	  "X25519", NULL },
	{ { IKE_DH_CURVE448, "curve448", 56, false }, IKC_DH_ECX, "X448",
	  NULL },
};

const struct ikc_dh *ikc_dh_find(uint16_t group)
{
	for (size_t i = 0; i < sizeof(dh_table) / sizeof(dh_table[0]); i++)
		if (dh_table[i].info.id == group)
			return &dh_table[i];
	return NULL;
}

const char *ikc_dh_keytype(const struct ikc_dh *g)
{
	switch (g->kind) {
	case IKC_DH_MODP:
		return "DH";
	case IKC_DH_ECP:
		return "EC";
	case IKC_DH_ECX:
		return g->name;
	default:
		return NULL;
	}
}

const struct ike_dh_info *ike_dh_info(uint16_t group)
{
	const struct ikc_dh *g = ikc_dh_find(group);
	EVP_KEYMGMT *km;

	if (!g)
		return NULL;
	if (g->kind == IKC_DH_NONE)
		return &g->info;
	ERR_set_mark();
	km = EVP_KEYMGMT_fetch(NULL, ikc_dh_keytype(g), NULL);
	if (!km) {
		ERR_pop_to_mark();
		return NULL;
	}
	ERR_clear_last_mark();
	EVP_KEYMGMT_free(km);
	return &g->info;
}

int ikc_dh_params(const struct ikc_dh *g, OSSL_PARAM_BLD *bld,
		  BIGNUM *hold[2])
{
	hold[0] = hold[1] = NULL;
	if (g->kind == IKC_DH_ECP || (g->kind == IKC_DH_MODP && g->name))
		return OSSL_PARAM_BLD_push_utf8_string(
			       bld, OSSL_PKEY_PARAM_GROUP_NAME, g->name, 0)
			       ? 0 : -ENOMEM;
	if (g->kind != IKC_DH_MODP)
		return 0;
	hold[0] = g->prime(NULL);
	hold[1] = BN_new();
	if (!hold[0] || !hold[1] || !BN_set_word(hold[1], 2) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, hold[0]) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, hold[1]))
		return -ENOMEM;
	return 0;
}

/* OpenSSL 3.0 has no OSSL_PARAM_clear_free() yet. */
static void params_clear_free(OSSL_PARAM *params)
{
	for (OSSL_PARAM *p = params; p && p->key; p++)
		if (p->data)
			OPENSSL_cleanse(p->data, p->data_size);
	OSSL_PARAM_free(params);
}

EVP_PKEY *ikc_pkey_fromdata(const char *type, int selection,
			    OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	if (params)
		ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	if (ctx && EVP_PKEY_fromdata_init(ctx) > 0 &&
	    EVP_PKEY_fromdata(ctx, &pkey, selection, params) <= 0)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	/* A private key among the params is a secret. */
	params_clear_free(params);
	return pkey;
}

/* A fresh key pair in MODP group @g. */
static EVP_PKEY *modp_keygen(const struct ikc_dh *g)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY *params = NULL, *key = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	BIGNUM *hold[2] = { NULL, NULL };

	if (bld && ikc_dh_params(g, bld, hold) == 0)
		params = ikc_pkey_fromdata("DH", EVP_PKEY_KEY_PARAMETERS, bld);
	if (params)
		ctx = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL);
	if (ctx && (EVP_PKEY_keygen_init(ctx) <= 0 ||
		    EVP_PKEY_generate(ctx, &key) <= 0))
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(params);
	BN_free(hold[0]);
	BN_free(hold[1]);
	OSSL_PARAM_BLD_free(bld);
	return key;
}

struct ike_dh *ike_dh_new(uint16_t group)
{
	const struct ikc_dh *g = ikc_dh_find(group);
	struct ike_dh *dh;

	if (!g || g->kind == IKC_DH_NONE)
		return NULL;
	dh = calloc(1, sizeof(*dh));
	if (!dh)
		return NULL;
	dh->g = g;
	switch (g->kind) {
	case IKC_DH_MODP:
		dh->key = modp_keygen(g);
		break;
	case IKC_DH_ECP:
		dh->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", g->name);
		break;
	default:
		dh->key = EVP_PKEY_Q_keygen(NULL, NULL, g->name);
		break;
	}
	if (!dh->key) {
		free(dh);
		return NULL;
	}
	return dh;
}

uint16_t ike_dh_group(const struct ike_dh *dh)
{
	return dh ? dh->g->info.id : IKE_DH_NONE;
}

/* Big-endian @name of @key, left-padded to exactly @len bytes. */
static int bn_param_out(const EVP_PKEY *key, const char *name, uint8_t *out,
			size_t len)
{
	BIGNUM *bn = NULL;
	int ret = 0;

	if (!EVP_PKEY_get_bn_param(key, name, &bn))
		return -EIO;
	if (BN_bn2binpad(bn, out, (int)len) < 0)
		ret = -EIO;
	BN_free(bn);
	return ret;
}

int ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t cap,
		  size_t *len)
{
	size_t publen, half;
	int ret;

	if (!dh || !out || !len)
		return -EINVAL;
	publen = dh->g->info.publen;
	if (cap < publen)
		return -ENOSPC;
	switch (dh->g->kind) {
	case IKC_DH_MODP:
		ret = bn_param_out(dh->key, OSSL_PKEY_PARAM_PUB_KEY, out,
				   publen);
		break;
	case IKC_DH_ECP:
		/* x | y, each as long as the field: RFC 5903 7. */
		half = publen / 2;
		ret = bn_param_out(dh->key, OSSL_PKEY_PARAM_EC_PUB_X, out,
				   half);
		if (!ret)
			ret = bn_param_out(dh->key, OSSL_PKEY_PARAM_EC_PUB_Y,
					   out + half, half);
		break;
	default: {
		size_t n = publen;

		ret = EVP_PKEY_get_raw_public_key(dh->key, out, &n) &&
		      n == publen ? 0 : -EIO;
		break;
	}
	}
	if (ret)
		return ret;
	*len = publen;
	return 0;
}

/* 1 < y < p-1, with p our group's prime. */
static int modp_check(const struct ike_dh *dh, const BIGNUM *y)
{
	BIGNUM *p = NULL;
	int ret = -EINVAL;

	if (!EVP_PKEY_get_bn_param(dh->key, OSSL_PKEY_PARAM_FFC_P, &p))
		return -EIO;
	if (!BN_sub_word(p, 1))
		ret = -EIO;
	else if (!BN_is_zero(y) && !BN_is_one(y) && BN_cmp(y, p) < 0)
		ret = 0;
	BN_free(p);
	return ret;
}

/* The peer's public value as a key of our group, checked; NULL with *err
 * set when it is not one. */
static EVP_PKEY *peer_key(const struct ike_dh *dh, const uint8_t *peer,
			  size_t plen, int *err)
{
	const struct ikc_dh *g = dh->g;
	uint8_t point[1 + IKE_MAX_DH_PUB];
	BIGNUM *hold[2] = { NULL, NULL }, *y = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *key = NULL;

	*err = -EINVAL;
	if (plen != g->info.publen)
		return NULL;
	if (g->kind == IKC_DH_ECX) {
		key = EVP_PKEY_new_raw_public_key_ex(NULL, g->name, NULL, peer,
						     plen);
		if (!key)
			*err = -EIO;
		return key;
	}
	*err = -ENOMEM;
	bld = OSSL_PARAM_BLD_new();
	if (!bld || ikc_dh_params(g, bld, hold))
		goto out;
	if (g->kind == IKC_DH_MODP) {
		y = BN_bin2bn(peer, (int)plen, NULL);
		if (!y)
			goto out;
		*err = modp_check(dh, y);
		if (*err)
			goto out;
		if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y))
			goto out;
	} else {
		/* SEC 1's uncompressed form; decoding it checks the curve. */
		point[0] = 0x04;
		memcpy(point + 1, peer, plen);
		if (!OSSL_PARAM_BLD_push_octet_string(
			    bld, OSSL_PKEY_PARAM_PUB_KEY, point, plen + 1))
			goto out;
	}
	key = ikc_pkey_fromdata(ikc_dh_keytype(g), EVP_PKEY_PUBLIC_KEY, bld);
	*err = key ? 0 : -EINVAL;
out:
	BN_free(y);
	BN_free(hold[0]);
	BN_free(hold[1]);
	OSSL_PARAM_BLD_free(bld);
	return key;
}

/* Is any of @buf's @len bytes set? Without an early exit. */
static bool nonzero(const uint8_t *buf, size_t len)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < len; i++)
		acc |= buf[i];
	return acc != 0;
}

int ike_dh_shared(struct ike_dh *dh, const uint8_t *peer, size_t plen,
		  uint8_t *out, size_t cap, size_t *len)
{
	const struct ikc_dh *g;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk;
	size_t want, got;
	int ret;

	if (!dh || !peer || !out || !len)
		return -EINVAL;
	g = dh->g;
	want = g->kind == IKC_DH_ECP ? g->info.publen / 2 : g->info.publen;
	if (cap < want)
		return -ENOSPC;
	pk = peer_key(dh, peer, plen, &ret);
	if (!pk)
		goto out;
	ret = -EIO;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->key, NULL);
	if (!ctx || EVP_PKEY_derive_init(ctx) <= 0)
		goto out;
	if (g->kind == IKC_DH_MODP) {
		/* RFC 7296 2.14: g^ir as long as the prime, leading zeros
		 * kept; OpenSSL strips them unless told to pad. */
		unsigned int pad = 1;
		OSSL_PARAM params[] = {
			OSSL_PARAM_construct_uint(OSSL_EXCHANGE_PARAM_PAD,
						  &pad),
			OSSL_PARAM_construct_end(),
		};

		if (!EVP_PKEY_CTX_set_params(ctx, params))
			goto out;
	}
	/* MODP was checked above; OpenSSL's own check adds y^q (slow). */
	ret = -EINVAL;
	if (EVP_PKEY_derive_set_peer_ex(ctx, pk, g->kind == IKC_DH_ECP) <= 0)
		goto out;
	got = cap;
	if (EVP_PKEY_derive(ctx, out, &got) <= 0 || got != want ||
	    !nonzero(out, got))
		goto out;
	*len = got;
	ret = 0;
out:
	if (ret) {
		OPENSSL_cleanse(out, cap);
		/* A bad value from the peer is an answer, not an error
		 * for whoever looks at OpenSSL's queue next. */
		ERR_clear_error();
	}
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return ret;
}

void ike_dh_free(struct ike_dh *dh)
{
	if (!dh)
		return;
	/* OpenSSL clears the private key as it frees it. */
	EVP_PKEY_free(dh->key);
	free(dh);
}
