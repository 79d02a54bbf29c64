/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What ike_crypto.c, ike_dh.c and ike_sk.c share and nobody else sees: how
 * each transform of ike_crypto.h maps onto OpenSSL, and where its
 * implementation comes from.
 */
#ifndef IKD_IKE_CRYPTO_INT_H
#define IKD_IKE_CRYPTO_INT_H

#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "ike_crypto.h"

/* How the SK payload uses a cipher. */
enum ikc_mode {
	IKC_NONE,	/* ENCR_NULL: never used for the SK payload */
	IKC_CBC,	/* RFC 7296 3.14 */
	IKC_CTR,	/* RFC 5930: nonce | IV | counter, integrity apart */
	IKC_GCM,	/* RFC 5282 */
	IKC_CHACHA,	/* RFC 7634 */
};

struct ikc_encr {
	struct ike_encr_info info;	/* what ike_encr_info() hands out */
	const char *cipher;		/* OpenSSL's name */
	enum ikc_mode mode;
	bool legacy;			/* only in OpenSSL's legacy provider */
};

struct ikc_integ {
	struct ike_integ_info info;
	const char *digest;		/* HMAC's digest; NULL for NONE */
};

/*
 * The table entry of a transform whether or not OpenSSL can provide it.
 * The SK code looks the entry up again from the id and key size of the
 * ike_encr_info it is given, rather than trusting where the pointer points.
 */
const struct ikc_encr *ikc_encr_find(uint16_t id, uint16_t keybits);
const struct ikc_integ *ikc_integ_find(uint16_t id);

/* The cipher of @e from the provider that has it; EVP_CIPHER_free() it.
 * NULL when this OpenSSL does not have it. */
EVP_CIPHER *ikc_cipher_fetch(const struct ikc_encr *e);

/* HMAC-@digest of @data under @key, truncated to @outlen (at most the
 * digest's size). 0 or -errno. */
int ikc_hmac(const char *digest, const uint8_t *key, size_t klen,
	     const uint8_t *data, size_t dlen, uint8_t *out, size_t outlen);

/* Diffie-Hellman groups and how OpenSSL does them. */
enum ikc_dh_kind {
	IKC_DH_NONE,
	IKC_DH_MODP,	/* OpenSSL's named group, or an RFC 2409 prime */
	IKC_DH_ECP,	/* RFC 5903: x | y, secret x */
	IKC_DH_ECX,	/* RFC 8031: X25519, X448 */
};

struct ikc_dh {
	struct ike_dh_info info;
	enum ikc_dh_kind kind;
	const char *name;		/* group, curve or key type */
	BIGNUM *(*prime)(BIGNUM *);	/* MODP groups OpenSSL does not name */
};

struct ike_dh {
	const struct ikc_dh *g;
	EVP_PKEY *key;			/* our key pair */
};

const struct ikc_dh *ikc_dh_find(uint16_t group);

/* OpenSSL's key type of @g: "DH", "EC", "X25519", "X448". */
const char *ikc_dh_keytype(const struct ikc_dh *g);

/* Push @g's domain parameters (MODP and ECP) onto @bld. BIGNUMs that must
 * outlive @bld's OSSL_PARAM_BLD_to_param() go to hold[0..1]; BN_free them
 * after. 0 or -errno. */
int ikc_dh_params(const struct ikc_dh *g, OSSL_PARAM_BLD *bld,
		  BIGNUM *hold[2]);

/* EVP_PKEY_fromdata() of @type with what @bld holds; NULL on failure. */
EVP_PKEY *ikc_pkey_fromdata(const char *type, int selection,
			    OSSL_PARAM_BLD *bld);

#endif /* IKD_IKE_CRYPTO_INT_H */
