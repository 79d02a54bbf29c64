// SPDX-License-Identifier: BSD-2-Clause
/*
 * The SK payload's data: IV | ciphertext | ICV.
 *
 * - CBC with HMAC (RFC 7296 3.14): a random IV as long as the block; the
 *   plaintext is the inner payloads, Padding and a Pad Length octet, a
 *   whole number of blocks; the ICV is the HMAC of the message from the
 *   IKE header to the end of the ciphertext, cut to the integrity
 *   transform's length. Open checks the ICV before it decrypts anything.
 * - AES-CTR with HMAC (RFC 5930): the same, with an 8-byte IV, the key's
 *   last 4 bytes as the nonce, and counter blocks nonce | IV | 1, 2, ...
 * - AES-GCM (RFC 5282) and ChaCha20-Poly1305 (RFC 7634): an 8-byte IV,
 *   the nonce salt | IV with the salt the key material's last 4 bytes, AAD
 *   the message up to the SK payload's data, the tag as the ICV.
 *
 * The IV of the AEAD modes is random too: they need it unique per key,
 * and with nowhere to keep a counter, 64 random bits are that for the few
 * thousand messages an IKE SA carries in its life.
 */
#include "ike_crypto_int.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

/* EVP counts in int; IKE messages are far smaller. */
#define SK_MAX	(INT_MAX / 2)

/* A transform pair resolved against our own tables. */
struct sk {
	const struct ikc_encr *e;
	const struct ikc_integ *a;	/* NULL with AEAD */
	const uint8_t *ek, *ak;
	size_t keylen;			/* the cipher's key, salt excluded */
	size_t icvlen;
};

/*
 * The tables' entries of @k's transforms: only what ike_encr_info()
 * offers for the IKE SA, with integrity exactly when the cipher is not
 * AEAD. @keys: the key pointers must be there too.
 */
static int sk_resolve(const struct ike_sk_keys *k, struct sk *s, bool keys)
{
	if (!k || !k->encr)
		return -EINVAL;
	s->e = ikc_encr_find(k->encr->id, k->encr->keybits);
	if (!s->e || !s->e->info.ike_ok ||
	    s->e->info.keybits != k->encr->keybits)
		return -EINVAL;
	s->ek = k->ek;
	s->ak = k->ak;
	s->keylen = (size_t)s->e->info.keylen - s->e->info.saltlen;
	if (s->e->info.aead) {
		if (k->integ && k->integ->id != IKE_AUTH_NONE)
			return -EINVAL;
		s->a = NULL;
		s->icvlen = s->e->info.icvlen;
	} else {
		if (!k->integ)
			return -EINVAL;
		s->a = ikc_integ_find(k->integ->id);
		if (!s->a || !s->a->digest)
			return -EINVAL;
		s->icvlen = s->a->info.icvlen;
		if (keys && !s->ak)
			return -EINVAL;
	}
	if (keys && !s->ek)
		return -EINVAL;
	return 0;
}

/* Bytes of ciphertext (padding and Pad Length included) for @plen. */
static size_t sk_ctlen(const struct sk *s, size_t plen)
{
	size_t bs = s->e->info.blocksize;

	return (plen + 1 + bs - 1) / bs * bs;
}

size_t ike_sk_len(const struct ike_sk_keys *k, size_t plen)
{
	struct sk s;

	if (sk_resolve(k, &s, false) || plen > SK_MAX)
		return 0;
	return s.e->info.ivlen + sk_ctlen(&s, plen) + s.icvlen;
}

/* A cipher context for @s, keyed, with @iv (or nonce) set. */
static EVP_CIPHER_CTX *sk_cipher(const struct sk *s, int enc,
				 const uint8_t *iv, size_t ivlen)
{
	EVP_CIPHER *c = ikc_cipher_fetch(s->e);
	EVP_CIPHER_CTX *ctx = c ? EVP_CIPHER_CTX_new() : NULL;
	bool ok = ctx && EVP_CipherInit_ex2(ctx, c, NULL, NULL, enc, NULL);

	/* Blowfish's key length is variable; the others' is fixed and
	 * already right. */
	if (ok && EVP_CIPHER_CTX_get_key_length(ctx) != (int)s->keylen)
		ok = EVP_CIPHER_CTX_set_key_length(ctx, (int)s->keylen) > 0;
	if (ok && s->e->info.aead)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN,
					 (int)ivlen, NULL) > 0;
	else if (ok)
		ok = (size_t)EVP_CIPHER_CTX_get_iv_length(ctx) == ivlen;
	if (ok)
		ok = EVP_CipherInit_ex2(ctx, NULL, s->ek, iv, enc, NULL) &&
		     EVP_CIPHER_CTX_set_padding(ctx, 0);
	EVP_CIPHER_free(c);
	if (!ok) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* CBC or CTR over @len bytes, @in to @out (which may be the same). */
static int sk_crypt(const struct sk *s, int enc, const uint8_t *iv,
		    const uint8_t *in, uint8_t *out, size_t len)
{
	uint8_t ctr[16];
	EVP_CIPHER_CTX *ctx;
	int n = 0, fin = 0, ret = 0;

	if (s->e->mode == IKC_CTR) {
		/* RFC 3686 4 via RFC 5930 2: nonce | IV | block counter 1. */
		memcpy(ctr, s->ek + s->keylen, 4);
		memcpy(ctr + 4, iv, 8);
		memcpy(ctr + 12, "\0\0\0\1", 4);
		ctx = sk_cipher(s, enc, ctr, sizeof(ctr));
	} else {
		ctx = sk_cipher(s, enc, iv, s->e->info.ivlen);
	}
	if (!ctx ||
	    !EVP_CipherUpdate(ctx, out, &n, in, (int)len) || (size_t)n != len ||
	    !EVP_CipherFinal_ex(ctx, out + n, &fin) || fin != 0)
		ret = -EIO;
	EVP_CIPHER_CTX_free(ctx);	/* the key schedule goes cleansed */
	OPENSSL_cleanse(ctr, sizeof(ctr));	/* the nonce is key material */
	return ret;
}

/*
 * GCM or ChaCha20-Poly1305 over @len bytes, @in to @out; @aad of @aadlen
 * bytes. Sealing writes the tag to @tag, opening checks it: -EBADMSG.
 */
static int sk_aead(const struct sk *s, int enc, const uint8_t *aad,
		   size_t aadlen, const uint8_t *iv, const uint8_t *in,
		   uint8_t *out, size_t len, uint8_t *tag)
{
	uint8_t nonce[12];
	EVP_CIPHER_CTX *ctx;
	int n = 0, fin = 0, ret = -EIO;

	memcpy(nonce, s->ek + s->keylen, 4);
	memcpy(nonce + 4, iv, 8);
	ctx = sk_cipher(s, enc, nonce, sizeof(nonce));
	OPENSSL_cleanse(nonce, sizeof(nonce));	/* the salt is key material */
	if (!ctx)
		return -EIO;
	if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG,
					(int)s->icvlen, tag) <= 0)
		goto out;
	if (aadlen && !EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aadlen))
		goto out;
	if (!EVP_CipherUpdate(ctx, out, &n, in, (int)len) || (size_t)n != len)
		goto out;
	if (!EVP_CipherFinal_ex(ctx, out + n, &fin) || fin != 0) {
		ret = enc ? -EIO : -EBADMSG;
		goto out;
	}
	if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG,
				       (int)s->icvlen, tag) <= 0)
		goto out;
	ret = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}

int ike_sk_seal(const struct ike_sk_keys *k, uint8_t *msg, size_t off,
		const uint8_t *plain, size_t plen)
{
	size_t ivlen, ctlen, total;
	uint8_t *iv, *ct;
	struct sk s;
	int ret;

	ret = sk_resolve(k, &s, true);
	if (ret)
		return ret;
	if (!msg || (plen && !plain) || plen > SK_MAX)
		return -EINVAL;
	ivlen = s.e->info.ivlen;
	ctlen = sk_ctlen(&s, plen);
	total = ivlen + ctlen + s.icvlen;
	if (off > SIZE_MAX - total)
		return -EINVAL;
	iv = msg + off;
	ct = iv + ivlen;
	/* The inner payloads may already sit in msg (even at msg + off). */
	if (plen)
		memmove(ct, plain, plen);
	/* RFC 7296 3.14: Padding of any value, then its length. */
	memset(ct + plen, 0, ctlen - plen - 1);
	ct[ctlen - 1] = (uint8_t)(ctlen - plen - 1);
	ret = ike_random(iv, ivlen);
	if (!ret && s.a)
		ret = sk_crypt(&s, 1, iv, ct, ct, ctlen);
	if (!ret && s.a)
		ret = ikc_hmac(s.a->digest, s.ak, s.a->info.keylen, msg,
			       off + ivlen + ctlen, ct + ctlen, s.icvlen);
	if (!ret && !s.a)
		ret = sk_aead(&s, 1, msg, off, iv, ct, ct, ctlen, ct + ctlen);
	if (ret) {
		/* No plaintext left behind in a buffer that may go out. */
		OPENSSL_cleanse(msg + off, total);
		ERR_clear_error();
	}
	return ret;
}

int ike_sk_open(const struct ike_sk_keys *k, const uint8_t *msg, size_t off,
		size_t len, uint8_t *plain, size_t cap, size_t *plen)
{
	size_t ivlen, ctlen, inner = 0;
	const uint8_t *iv, *ct, *icv;
	uint8_t *out, *tmp = NULL;
	struct sk s;
	int ret;

	ret = sk_resolve(k, &s, true);
	if (ret)
		return ret;
	if (!msg || !plen || (cap && !plain) || off > len)
		return -EINVAL;
	ivlen = s.e->info.ivlen;
	/* At least the Pad Length octet between IV and ICV. */
	if (len - off < ivlen + s.icvlen + 1)
		return -EINVAL;
	ctlen = len - off - ivlen - s.icvlen;
	if (ctlen % s.e->info.blocksize || ctlen > SK_MAX)
		return -EINVAL;
	iv = msg + off;
	ct = iv + ivlen;
	icv = ct + ctlen;

	if (s.a) {
		uint8_t mac[IKE_MAX_ICV];

		ret = ikc_hmac(s.a->digest, s.ak, s.a->info.keylen, msg,
			       len - s.icvlen, mac, s.icvlen);
		if (!ret && CRYPTO_memcmp(mac, icv, s.icvlen))
			ret = -EBADMSG;
		OPENSSL_cleanse(mac, sizeof(mac));
		if (ret)
			goto out;
	}

	/* The padding may not fit @cap even when the payloads do. */
	out = plain;
	if (cap < ctlen) {
		out = tmp = malloc(ctlen);
		if (!tmp) {
			ret = -ENOMEM;
			goto out;
		}
	}
	if (s.a)
		ret = sk_crypt(&s, 0, iv, ct, out, ctlen);
	else
		ret = sk_aead(&s, 0, msg, off, iv, ct, out, ctlen,
			      (uint8_t *)icv);
	if (!ret) {
		size_t pad = out[ctlen - 1];

		if (pad >= ctlen)
			ret = -EINVAL;
		else
			inner = ctlen - pad - 1;
	}
	if (!ret && tmp) {
		if (inner > cap)
			ret = -ENOSPC;
		else if (inner)
			memcpy(plain, tmp, inner);
	}
	if (ret)
		OPENSSL_cleanse(out, ctlen);
	if (tmp) {
		OPENSSL_cleanse(tmp, ctlen);
		free(tmp);
	}
out:
	if (ret) {
		ERR_clear_error();
		return ret;
	}
	*plen = inner;
	return 0;
}
