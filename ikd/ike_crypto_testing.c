// SPDX-License-Identifier: BSD-2-Clause
/*
 * ike_dh_new_with_private() for known-answer tests. A file of its own, so
 * that the ikd binary, which never calls it, never links it.
 */
#include "ike_crypto_testing.h"

#include "ike_crypto_int.h"

#include <stdlib.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>

/* The public value g^x mod p (MODP) or xG (ECP) of private @x, pushed
 * onto @bld together with @x. @bld refers to *@pub and @point until it
 * is turned into params. */
static int push_keypair(const struct ikc_dh *g, OSSL_PARAM_BLD *bld,
			const BIGNUM *x, BIGNUM **pub,
			uint8_t point[1 + IKE_MAX_DH_PUB])
{
	BN_CTX *bnctx = BN_CTX_new();
	EVP_PKEY *params = NULL;
	EC_GROUP *grp = NULL;
	EC_POINT *pt = NULL;
	BIGNUM *p = NULL, *gen = NULL;
	size_t n;
	int ret = -1;

	if (!bnctx || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, x))
		goto out;
	if (g->kind == IKC_DH_MODP) {
		OSSL_PARAM_BLD *pb = OSSL_PARAM_BLD_new();
		BIGNUM *hold[2] = { NULL, NULL };

		if (pb && !ikc_dh_params(g, pb, hold))
			params = ikc_pkey_fromdata("DH", EVP_PKEY_KEY_PARAMETERS,
						   pb);
		BN_free(hold[0]);
		BN_free(hold[1]);
		OSSL_PARAM_BLD_free(pb);
		*pub = BN_new();
		if (params && *pub &&
		    EVP_PKEY_get_bn_param(params, OSSL_PKEY_PARAM_FFC_P, &p) &&
		    EVP_PKEY_get_bn_param(params, OSSL_PKEY_PARAM_FFC_G, &gen) &&
		    BN_mod_exp(*pub, gen, x, p, bnctx) &&
		    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, *pub))
			ret = 0;
		goto out;
	}
	grp = EC_GROUP_new_by_curve_name(EC_curve_nist2nid(g->name));
	pt = grp ? EC_POINT_new(grp) : NULL;
	if (!pt || !EC_POINT_mul(grp, pt, x, NULL, NULL, bnctx))
		goto out;
	n = EC_POINT_point2oct(grp, pt, POINT_CONVERSION_UNCOMPRESSED, point,
			       1 + IKE_MAX_DH_PUB, bnctx);
	if (n && OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
						  point, n))
		ret = 0;
out:
	EC_POINT_free(pt);
	EC_GROUP_free(grp);
	BN_free(p);
	BN_free(gen);
	EVP_PKEY_free(params);
	BN_CTX_free(bnctx);
	return ret;
}

struct ike_dh *ike_dh_new_with_private(uint16_t group, const uint8_t *priv,
				       size_t len)
{
	const struct ikc_dh *g = ikc_dh_find(group);
	BIGNUM *hold[2] = { NULL, NULL }, *x = NULL, *pub = NULL;
	uint8_t point[1 + IKE_MAX_DH_PUB];
	OSSL_PARAM_BLD *bld = NULL;
	struct ike_dh *dh;

	if (!g || g->kind == IKC_DH_NONE || !priv)
		return NULL;
	dh = calloc(1, sizeof(*dh));
	if (!dh)
		return NULL;
	dh->g = g;
	if (g->kind == IKC_DH_ECX) {
		dh->key = EVP_PKEY_new_raw_private_key_ex(NULL, g->name, NULL,
							  priv, len);
		goto out;
	}
	bld = OSSL_PARAM_BLD_new();
	x = BN_secure_new();
	if (bld && x && BN_bin2bn(priv, (int)len, x) &&
	    !ikc_dh_params(g, bld, hold) && !push_keypair(g, bld, x, &pub, point))
		dh->key = ikc_pkey_fromdata(ikc_dh_keytype(g), EVP_PKEY_KEYPAIR,
					    bld);
out:
	BN_free(pub);
	BN_clear_free(x);
	BN_free(hold[0]);
	BN_free(hold[1]);
	OSSL_PARAM_BLD_free(bld);
	if (!dh->key) {
		free(dh);
		return NULL;
	}
	return dh;
}
