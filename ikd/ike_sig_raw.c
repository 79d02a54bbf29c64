// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1's RSA signatures (RFC 2409 5.1): SIG_I and SIG_R are PKCS#1 v1.5
 * signatures (block type 1) of HASH_I / HASH_R as they are, without the
 * DigestInfo that IKEv2's method 1 puts around its hash. racoon and
 * strongSwan sign so (RSA_private_encrypt of the raw hash); a DigestInfo
 * would not verify with them. Declared in ike_sig.h with IKEv2's methods.
 */
#include "ike_sig.h"

#include <errno.h>
#include <stdio.h>
#include <openssl/rsa.h>

static EVP_PKEY_CTX *raw_ctx(EVP_PKEY *key, bool sign, char *why, size_t wl)
{
	EVP_PKEY_CTX *c;

	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
		snprintf(why, wl, "IKEv1 rsasig needs an RSA key, not %s",
			 EVP_PKEY_get0_type_name(key));
		return NULL;
	}
	c = EVP_PKEY_CTX_new(key, NULL);
	if (!c || (sign ? EVP_PKEY_sign_init(c) : EVP_PKEY_verify_init(c)) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) != 1) {
		snprintf(why, wl, "OpenSSL cannot set up an RSA PKCS#1 "
			 "context");
		EVP_PKEY_CTX_free(c);
		return NULL;
	}
	return c;
}

int ike_sig_rsa_raw_sign(EVP_PKEY *key, const uint8_t *hash, size_t hlen,
			 uint8_t *out, size_t cap, size_t *len, char *why,
			 size_t wl)
{
	EVP_PKEY_CTX *c = raw_ctx(key, true, why, wl);
	size_t n = cap;
	int ok;

	if (!c)
		return -EINVAL;
	/* No signature digest set: the data is padded as it is. */
	ok = EVP_PKEY_sign(c, out, &n, hash, hlen) == 1;
	EVP_PKEY_CTX_free(c);
	if (!ok) {
		snprintf(why, wl, "RSA signing failed (key of %d bits)",
			 EVP_PKEY_get_bits(key));
		return -EINVAL;
	}
	*len = n;
	return 0;
}

int ike_sig_rsa_raw_verify(EVP_PKEY *key, const uint8_t *sig, size_t slen,
			   const uint8_t *hash, size_t hlen, char *why,
			   size_t wl)
{
	EVP_PKEY_CTX *c = raw_ctx(key, false, why, wl);
	int ok;

	if (!c)
		return -EACCES;
	if (slen != (size_t)EVP_PKEY_get_size(key)) {
		snprintf(why, wl, "SIG of %zu bytes for a %d-bit key", slen,
			 EVP_PKEY_get_bits(key));
		EVP_PKEY_CTX_free(c);
		return -EACCES;
	}
	ok = EVP_PKEY_verify(c, sig, slen, hash, hlen) == 1;
	EVP_PKEY_CTX_free(c);
	if (!ok) {
		snprintf(why, wl, "signature does not verify");
		return -EACCES;
	}
	return 0;
}
