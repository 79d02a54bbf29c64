// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1 message encryption (RFC 2409 Appendix B, RFC 2408 3.1): CBC over
 * everything after the ISAKMP header, no integrity check of its own (the
 * HASH payloads are that), and an IV that is never sent but chained:
 *
 *   phase 1:  IV0 = hash(g^xi | g^xr), then the last ciphertext block of
 *             each message, whoever sent it;
 *   M-ID x:   IV0 = hash(last phase 1 CBC output block | M-ID), then
 *             chained the same way within that exchange alone.
 *
 * One struct ikev1_iv per exchange keeps the chain; encrypt and decrypt
 * move it themselves, and a received message's block only becomes the IV
 * once the caller has verified the message (ikev1_iv_confirm()).
 *
 * Padding: we send zero bytes up to the next whole block, none when the
 * payloads fill the last block already. RFC 2408 asks only for a whole
 * number of blocks with the header's length counting the padding;
 * strongSwan and libreswan pad with zeros and find the end of the
 * payloads from their lengths, and so do we on receipt: whatever follows
 * the last payload is not looked at.
 */
#include "ikev1_keys.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#define SPAN(ptr, n)	((struct ike_span){ (ptr), (n) })

/* The block of @k's cipher, 0 when @k is not ready for messages. */
static size_t block_of(const struct ikev1_keys *k)
{
	if (!k || !k->encr || !k->prf || k->prflen != k->prf->outlen)
		return 0;
	if (!k->encr->blocksize || k->encr->blocksize > IKEV1_MAX_BLOCK)
		return 0;
	return k->encr->blocksize;
}

/* An IV is the negotiated hash of @s cut to the block: the hash is at
 * least 16 bytes (MD5), a block at most 16. */
static int iv_from_hash(struct ikev1_iv *iv, const struct ikev1_keys *k,
			uint32_t msgid, const struct ike_span *s, size_t n)
{
	uint8_t md[IKE_MAX_PRF];
	size_t bs = block_of(k);
	int ret;

	if (!bs || bs > k->prflen)
		return -EINVAL;
	ret = ike_hash_spans(k->prf, s, n, md);
	if (ret)
		return ret;
	memset(iv, 0, sizeof(*iv));
	iv->msgid = msgid;
	iv->len = (uint8_t)bs;
	memcpy(iv->cur, md, bs);
	return 0;
}

int ikev1_iv_phase1(struct ikev1_iv *iv, const struct ikev1_keys *k,
		    const struct ikev1_p1 *p1)
{
	if (!iv || !p1 || (p1->gxi.len && !p1->gxi.p) ||
	    (p1->gxr.len && !p1->gxr.p))
		return -EINVAL;
	return iv_from_hash(iv, k, 0,
			    (struct ike_span[]){ p1->gxi, p1->gxr }, 2);
}

int ikev1_iv_exchange(struct ikev1_iv *iv, const struct ikev1_keys *k,
		      const struct ikev1_iv *p1, uint32_t msgid)
{
	uint8_t mid[4] = { (uint8_t)(msgid >> 24), (uint8_t)(msgid >> 16),
			   (uint8_t)(msgid >> 8), (uint8_t)msgid };

	/* Phase 1's chain must have ended: no message left unconfirmed. */
	if (!iv || !p1 || p1->msgid != 0 || p1->pending || !msgid ||
	    p1->len != block_of(k))
		return -EINVAL;
	return iv_from_hash(iv, k, msgid,
			    (struct ike_span[]){ SPAN(p1->cur, p1->len),
						 SPAN(mid, 4) }, 2);
}

void ikev1_iv_confirm(struct ikev1_iv *iv)
{
	if (!iv || !iv->pending)
		return;
	memcpy(iv->cur, iv->next, iv->len);
	iv->pending = false;
}

void ikev1_iv_drop(struct ikev1_iv *iv)
{
	if (iv)
		iv->pending = false;
}

size_t ikev1_encrypted_len(const struct ikev1_keys *k, size_t plen)
{
	size_t bs = block_of(k);

	if (!bs || plen > SIZE_MAX - bs)
		return 0;
	/* At least one block: an empty body cannot be told from none. */
	return plen ? (plen + bs - 1) / bs * bs : bs;
}

/* @iv fits @k and @msgid. */
static bool iv_fits(const struct ikev1_iv *iv, const struct ikev1_keys *k,
		    uint32_t msgid)
{
	size_t bs = block_of(k);

	return iv && bs && iv->len == bs && iv->msgid == msgid;
}

int ikev1_encrypt(const struct ikev1_keys *k, struct ikev1_iv *iv,
		  uint32_t msgid, const uint8_t *plain, size_t plen,
		  uint8_t *out, size_t cap, size_t *outlen)
{
	size_t len = ikev1_encrypted_len(k, plen);
	int ret;

	if (!iv_fits(iv, k, msgid) || !len || (plen && !plain) || !out ||
	    !outlen)
		return -EINVAL;
	if (iv->pending)
		return -EBUSY;
	if (cap < len)
		return -ENOSPC;
	if (out != plain && plen)
		memmove(out, plain, plen);
	memset(out + plen, 0, len - plen);
	ret = ike_cbc(k->encr, true, k->enc_key, iv->cur, out, out, len);
	if (ret) {
		OPENSSL_cleanse(out, len);
		return ret;
	}
	memcpy(iv->cur, out + len - iv->len, iv->len);
	*outlen = len;
	return 0;
}

int ikev1_decrypt(const struct ikev1_keys *k, struct ikev1_iv *iv,
		  uint32_t msgid, const uint8_t *ct, size_t len, uint8_t *out,
		  size_t cap)
{
	uint8_t last[IKEV1_MAX_BLOCK];
	int ret;

	if (!iv_fits(iv, k, msgid) || !ct || !out || len < iv->len ||
	    len % iv->len)
		return -EINVAL;
	if (cap < len)
		return -ENOSPC;
	/* Taken first: @out may be @ct. */
	memcpy(last, ct + len - iv->len, iv->len);
	ret = ike_cbc(k->encr, false, k->enc_key, iv->cur, ct, out, len);
	if (ret) {
		OPENSSL_cleanse(out, len);
		return ret;
	}
	memcpy(iv->next, last, iv->len);
	iv->pending = true;
	return 0;
}
