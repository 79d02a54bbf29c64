// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for the SK payload's opener, ike_sk_open(), with fixed
 * keys for each transform the SK payload takes.
 *
 * Input: byte 0 picks the transform pair, byte 1 the way, byte 2 the
 * offset of the SK data (the IKE header and payloads before it), byte 3
 * the output capacity; the rest is the message (or the plaintext).
 *
 *  0. raw: the bytes as a message, as a stranger would send it. Almost
 *     always refused (a forged ICV), but every length check runs on them;
 *     the output buffer is exactly @cap bytes, so ASan sees any overrun.
 *  1. round trip: the bytes are the inner payloads; ike_sk_seal into a
 *     buffer of exactly ike_sk_len(), then ike_sk_open must give them back.
 *  2. authentic garbage: the bytes are IV | ciphertext (or, for AEAD, the
 *     plaintext, encrypted here with EVP directly) and the ICV is made
 *     right here, so decryption and the Pad Length check see arbitrary
 *     plaintext. The answer may be a refusal of the padding, never of the
 *     ICV; an AEAD result must be the plaintext's first bytes.
 *
 * Seeds: tests/fuzz/corpus/ike_sk.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include <openssl/evp.h>

#include "../../ikd/ike_crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct pair {
	uint16_t encr, bits, integ;
	const char *digest;	/* of integ, for the ICV made here */
	const char *cipher;	/* AEAD: OpenSSL's name, to encrypt here */
};

static const struct pair pairs[] = {
	{ IKE_ENCR_AES_CBC, 128, IKE_AUTH_HMAC_SHA2_256_128, "SHA256", NULL },
	{ IKE_ENCR_AES_CBC, 256, IKE_AUTH_HMAC_SHA2_512_256, "SHA512", NULL },
	{ IKE_ENCR_AES_CBC, 192, IKE_AUTH_HMAC_SHA1_96, "SHA1", NULL },
	{ IKE_ENCR_3DES, 192, IKE_AUTH_HMAC_SHA1_96, "SHA1", NULL },
	{ IKE_ENCR_AES_CTR, 128, IKE_AUTH_HMAC_SHA2_256_128, "SHA256", NULL },
	{ IKE_ENCR_CAMELLIA_CBC, 256, IKE_AUTH_HMAC_SHA2_384_192, "SHA384",
	  NULL },
	{ IKE_ENCR_BLOWFISH, 448, IKE_AUTH_HMAC_MD5_96, "MD5", NULL },
	{ IKE_ENCR_CAST, 128, IKE_AUTH_HMAC_SHA1_96, "SHA1", NULL },
	{ IKE_ENCR_DES, 64, IKE_AUTH_HMAC_MD5_96, "MD5", NULL },
	{ IKE_ENCR_AES_GCM_16, 128, 0, NULL, "AES-128-GCM" },
	{ IKE_ENCR_AES_GCM_12, 256, 0, NULL, "AES-256-GCM" },
	{ IKE_ENCR_AES_GCM_8, 192, 0, NULL, "AES-192-GCM" },
	{ IKE_ENCR_CHACHA20_POLY1305, 256, 0, NULL, "ChaCha20-Poly1305" },
};

#define NPAIRS (sizeof(pairs) / sizeof(pairs[0]))

static const uint8_t ek[IKE_MAX_KEY] = {
	0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87, 0x98, 0xa9, 0xba,
	0xcb, 0xdc, 0xed, 0xfe, 0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69,
	0x78, 0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0, 0x01, 0xca,
	0xfe, 0xba, 0xbe, 0x55, 0xaa, 0x55, 0xaa,
};
static const uint8_t ak[64] = {
	0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
	0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0c, 0x0d,
};

/* Touch every byte the opener says it wrote. */
static volatile uint8_t sink;

static void touch(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sink ^= p[i];
}

/* ike_sk_open into a buffer of exactly @cap bytes; checks what any
 * success must be like. */
static int open_exact(const struct ike_sk_keys *k, const uint8_t *msg,
		      size_t off, size_t len, size_t cap, uint8_t *copy,
		      size_t *plen)
{
	uint8_t *plain = malloc(cap ? cap : 1);
	int ret;

	if (!plain)
		return -ENOMEM;
	*plen = 0;
	ret = ike_sk_open(k, msg, off, len, cap ? plain : NULL, cap, plen);
	if (ret == 0) {
		if (*plen > cap || *plen >= len - off)
			__builtin_trap();
		touch(plain, *plen);
		if (copy)
			memcpy(copy, plain, *plen);
	} else if (ret != -EINVAL && ret != -EBADMSG && ret != -ENOSPC) {
		__builtin_trap();
	}
	free(plain);
	return ret;
}

static void round_trip(const struct ike_sk_keys *k, const uint8_t *hdr,
		       size_t off, const uint8_t *pt, size_t plen)
{
	size_t sklen = ike_sk_len(k, plen), got;
	uint8_t *msg, *back;

	if (!sklen)
		__builtin_trap();
	msg = malloc(off + sklen);
	back = malloc(plen ? plen : 1);
	if (!msg || !back)
		goto out;
	memcpy(msg, hdr, off);
	if (ike_sk_seal(k, msg, off, pt, plen))
		__builtin_trap();
	if (open_exact(k, msg, off, off + sklen, plen, back, &got) ||
	    got != plen || (plen && memcmp(back, pt, plen)))
		__builtin_trap();
out:
	free(msg);
	free(back);
}

/* AEAD: encrypt @pt here, salt | IV as the nonce, msg[0, off) as AAD. */
static bool aead_here(const struct pair *p, const struct ike_encr_info *e,
		      uint8_t *msg, size_t off, const uint8_t *pt, size_t n)
{
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, p->cipher, NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	size_t klen = (size_t)e->keylen - e->saltlen;
	uint8_t nonce[12], *ct = msg + off + e->ivlen;
	int outl = 0;
	bool ok;

	memcpy(nonce, ek + klen, 4);
	memcpy(nonce + 4, msg + off, 8);
	ok = c && ctx && EVP_EncryptInit_ex2(ctx, c, ek, nonce, NULL) &&
	     (!off || EVP_EncryptUpdate(ctx, NULL, &outl, msg, (int)off)) &&
	     EVP_EncryptUpdate(ctx, ct, &outl, pt, (int)n) &&
	     EVP_EncryptFinal_ex(ctx, ct + outl, &outl) &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, e->icvlen,
				 ct + n) > 0;
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
	return ok;
}

static void authentic(const struct pair *p, const struct ike_sk_keys *k,
		      const uint8_t *hdr, size_t off, const uint8_t *body,
		      size_t n, size_t cap)
{
	const struct ike_encr_info *e = k->encr;
	size_t icvlen = e->aead ? e->icvlen : k->integ->icvlen;
	size_t len = off + n + icvlen, got, mdlen;
	uint8_t *msg = malloc(len);
	uint8_t *copy = malloc(n + 1), md[EVP_MAX_MD_SIZE];
	int ret;

	if (!msg || !copy)
		goto out;
	memcpy(msg, hdr, off);
	if (e->aead) {
		/* body = IV | plaintext */
		if (n < e->ivlen)
			goto out;
		memcpy(msg + off, body, e->ivlen);
		if (!aead_here(p, e, msg, off, body + e->ivlen, n - e->ivlen))
			__builtin_trap();
	} else {
		memcpy(msg + off, body, n);
		if (!EVP_Q_mac(NULL, "HMAC", NULL, p->digest, NULL, ak,
			       k->integ->keylen, msg, len - icvlen, md,
			       sizeof(md), &mdlen))
			__builtin_trap();
		memcpy(msg + len - icvlen, md, icvlen);
	}
	ret = open_exact(k, msg, off, len, cap, copy, &got);
	/* Well-formed lengths and a right ICV: only the padding may be
	 * refused (or @cap be too small). */
	if (ret == -EBADMSG)
		__builtin_trap();
	if (e->aead && n > e->ivlen) {
		const uint8_t *pt = body + e->ivlen;
		size_t ptlen = n - e->ivlen, pad = pt[ptlen - 1];

		if (ret == -EINVAL && pad < ptlen)
			__builtin_trap();
		if (ret == 0 && (pad >= ptlen || got != ptlen - pad - 1 ||
				 memcmp(copy, pt, got)))
			__builtin_trap();
	}
out:
	free(msg);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct pair *p;
	struct ike_sk_keys k;
	size_t off, cap;
	uint8_t way;

	if (size < 4)
		return 0;
	p = &pairs[data[0] % NPAIRS];
	way = data[1] % 3;
	k = (struct ike_sk_keys){
		.encr = ike_encr_info(p->encr, p->bits),
		.integ = p->integ ? ike_integ_info(p->integ) : NULL,
		.ek = ek, .ak = ak,
	};
	if (!k.encr || (p->integ && !k.integ))
		return 0;	/* not in this OpenSSL */
	off = data[2];
	cap = data[3] * 8;
	data += 4;
	size -= 4;

	switch (way) {
	case 0: {
		/* A copy of exactly @size bytes: reads past it are caught. */
		uint8_t *msg = malloc(size ? size : 1);
		size_t got;

		if (!msg)
			return 0;
		memcpy(msg, data, size);
		open_exact(&k, msg, off < size ? off : size, size, cap, NULL,
			   &got);
		free(msg);
		break;
	}
	case 1:
		if (off > size)
			off = size;
		round_trip(&k, data, off, data + off, size - off);
		break;
	default: {
		const struct ike_encr_info *e = k.encr;
		size_t n;

		if (off > size)
			off = size;
		n = size - off;
		/* Lengths right, so that the ICV is what gets checked. */
		if (n < e->ivlen + 1)
			break;
		if (!e->aead)
			n -= (n - e->ivlen) % e->blocksize;
		if (n == e->ivlen)
			break;
		authentic(p, &k, data, off, data + off, n, cap);
		break;
	}
	}
	return 0;
}
