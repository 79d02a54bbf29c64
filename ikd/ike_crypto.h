/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IKE's cryptography, all through OpenSSL 3 EVP (DESIGN.md: no home-made
 * crypto): Diffie-Hellman, PRFs and prf+, and the SK payload's encryption
 * and integrity. Transform ids are IKEv2's (RFC 7296 3.3.2 and IANA's
 * registries); IKEv1 maps its own ids onto these.
 *
 * Nothing here keeps global state but OpenSSL's legacy provider (DES,
 * Blowfish, CAST), loaded once, thread-safely, into a library context of
 * its own when such a transform is first asked for; every secret it holds
 * is wiped with OPENSSL_cleanse() when freed.
 */
#ifndef IKD_IKE_CRYPTO_H
#define IKD_IKE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Transform type 1: encryption. */
enum {
	IKE_ENCR_DES = 2,
	IKE_ENCR_3DES = 3,
	IKE_ENCR_CAST = 6,
	IKE_ENCR_BLOWFISH = 7,
	IKE_ENCR_NULL = 11,
	IKE_ENCR_AES_CBC = 12,
	IKE_ENCR_AES_CTR = 13,
	IKE_ENCR_AES_GCM_8 = 18,
	IKE_ENCR_AES_GCM_12 = 19,
	IKE_ENCR_AES_GCM_16 = 20,
	IKE_ENCR_CAMELLIA_CBC = 23,
	IKE_ENCR_CHACHA20_POLY1305 = 28,
};

/* Transform type 2: pseudorandom function. */
enum {
	IKE_PRF_HMAC_MD5 = 1,
	IKE_PRF_HMAC_SHA1 = 2,
	IKE_PRF_HMAC_SHA2_256 = 5,
	IKE_PRF_HMAC_SHA2_384 = 6,
	IKE_PRF_HMAC_SHA2_512 = 7,
};

/* Transform type 3: integrity. */
enum {
	IKE_AUTH_NONE = 0,
	IKE_AUTH_HMAC_MD5_96 = 1,
	IKE_AUTH_HMAC_SHA1_96 = 2,
	IKE_AUTH_AES_XCBC_96 = 5,
	IKE_AUTH_HMAC_SHA2_256_128 = 12,
	IKE_AUTH_HMAC_SHA2_384_192 = 13,
	IKE_AUTH_HMAC_SHA2_512_256 = 14,
};

/* Transform type 4: Diffie-Hellman group. */
enum {
	IKE_DH_NONE = 0,
	IKE_DH_MODP768 = 1,
	IKE_DH_MODP1024 = 2,
	IKE_DH_MODP1536 = 5,
	IKE_DH_MODP2048 = 14,
	IKE_DH_MODP3072 = 15,
	IKE_DH_MODP4096 = 16,
	IKE_DH_MODP6144 = 17,
	IKE_DH_MODP8192 = 18,
	IKE_DH_ECP256 = 19,
	IKE_DH_ECP384 = 20,
	IKE_DH_ECP521 = 21,
	IKE_DH_CURVE25519 = 31,
	IKE_DH_CURVE448 = 32,
};

#define IKE_MAX_KEY	64	/* longest key of any transform, with salt */
#define IKE_MAX_PRF	64	/* longest PRF output (SHA-512) */
#define IKE_MAX_ICV	32	/* longest ICV */
#define IKE_MAX_DH_PUB	1024	/* MODP 8192 */

struct ike_encr_info {
	uint16_t id, keybits;	/* keybits: the key without the salt */
	const char *name;	/* "aes-cbc-256", for logs */
	uint8_t keylen;		/* bytes of key material, salt included */
	uint8_t saltlen;	/* AEAD implicit nonce part (RFC 5282) */
	uint8_t blocksize;	/* padding unit of the plaintext */
	uint8_t ivlen;		/* explicit IV in the payload */
	uint8_t icvlen;		/* AEAD tag; 0 for non-AEAD */
	bool aead;
	bool ike_ok;		/* usable for the IKE SA (not only for ESP) */
};

struct ike_integ_info {
	uint16_t id;
	const char *name;	/* "hmac-sha2-256-128" */
	uint8_t keylen, icvlen;
};

struct ike_prf_info {
	uint16_t id;
	const char *name;	/* "prf-hmac-sha2-256" */
	uint8_t keylen;		/* preferred key length (RFC 7296 2.13) */
	uint8_t outlen;
};

struct ike_dh_info {
	uint16_t id;
	const char *name;	/* "modp2048", "ecp256", "curve25519" */
	uint16_t publen;	/* bytes of the KE payload's data */
	bool legacy;		/* 1, 2, 5: only when configured by name */
};

/* NULL when unknown or not available in this OpenSSL. keybits 0 picks the
 * transform's only or default size. */
const struct ike_encr_info *ike_encr_info(uint16_t id, uint16_t keybits);
const struct ike_integ_info *ike_integ_info(uint16_t id);
const struct ike_prf_info *ike_prf_info(uint16_t id);
const struct ike_dh_info *ike_dh_info(uint16_t group);

/* Cryptographically strong random bytes; 0 or -EIO. */
int ike_random(void *buf, size_t len);

/* SHA-1 of @len bytes (NAT detection, RFC 7296 2.23); 0 or -EIO. */
#define IKE_SHA1_LEN	20
int ike_sha1(const void *data, size_t len, uint8_t out[IKE_SHA1_LEN]);

/* out gets prf->outlen bytes. 0 or -errno. */
int ike_prf(const struct ike_prf_info *prf, const uint8_t *key, size_t klen,
	    const uint8_t *data, size_t dlen, uint8_t *out);
/* RFC 7296 2.13: prf+ (K, S) = T1 | T2 | ..., up to 255 blocks. */
int ike_prf_plus(const struct ike_prf_info *prf, const uint8_t *key,
		 size_t klen, const uint8_t *seed, size_t slen, uint8_t *out,
		 size_t outlen);

/*
 * IKEv1 (RFC 2409) feeds its PRF and hash with concatenations of message
 * parts; spans save copying them into one buffer first.
 */
struct ike_span {
	const void *p;
	size_t len;
};

/* prf(key, s[0] | s[1] | ... s[n-1]); out gets prf->outlen bytes. */
int ike_prf_spans(const struct ike_prf_info *prf, const uint8_t *key,
		  size_t klen, const struct ike_span *s, size_t n,
		  uint8_t *out);
/* The plain hash under @prf's HMAC (IKEv1's negotiated hash) over the
 * spans; out gets prf->outlen bytes. 0 or -errno. */
int ike_hash_spans(const struct ike_prf_info *prf, const struct ike_span *s,
		   size_t n, uint8_t *out);

/*
 * Raw CBC over @len bytes (whole blocks, no padding) from @in to @out,
 * which may be the same, with @key (encr->keylen bytes) and @iv (one
 * block). Only for CBC ciphers; -EINVAL for others or a partial block.
 */
int ike_cbc(const struct ike_encr_info *encr, bool encrypt,
	    const uint8_t *key, const uint8_t *iv, const uint8_t *in,
	    uint8_t *out, size_t len);
/* Whether ike_cbc() takes @encr: a CBC cipher of the table's, for IKE. */
bool ike_encr_is_cbc(const struct ike_encr_info *encr);

/* A Diffie-Hellman exchange: our key pair, then the shared secret. */
struct ike_dh;
struct ike_dh *ike_dh_new(uint16_t group);	/* NULL on failure */
uint16_t ike_dh_group(const struct ike_dh *dh);
/* Our public value as the KE payload carries it (publen bytes). */
int ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t cap,
		  size_t *len);
/* The shared secret g^ir (for MODP and ECP as RFC 7296/5903 fix its
 * length); the peer's value is validated (length, range, curve point,
 * all-zero X25519 result) and refused with -EINVAL. */
int ike_dh_shared(struct ike_dh *dh, const uint8_t *peer, size_t plen,
		  uint8_t *out, size_t cap, size_t *len);
void ike_dh_free(struct ike_dh *dh);

/* The SK payload (RFC 7296 3.14; RFC 5282 for AEAD). */
struct ike_sk_keys {
	const struct ike_encr_info *encr;
	const struct ike_integ_info *integ;	/* NULL with AEAD */
	const uint8_t *ek;			/* encr->keylen bytes */
	const uint8_t *ak;			/* integ->keylen bytes */
};

/* Bytes of SK payload data (IV, ciphertext with padding, ICV) that
 * @plen bytes of inner payloads become; 0 when @k cannot make an SK
 * payload (NULL encryption, integrity missing or given with AEAD). */
size_t ike_sk_len(const struct ike_sk_keys *k, size_t plen);

/*
 * Encrypt in place. @msg holds the whole message: the IKE header and every
 * payload before the SK payload's data, which starts at @off (the end of
 * the SK payload's generic header); the caller has already written every
 * length for the final size, @off + ike_sk_len(). @plain (@plen bytes)
 * becomes IV | ciphertext | ICV at msg + @off; it may already lie inside
 * @msg, even at msg + @off. For AEAD the AAD is msg[0, off); otherwise
 * the ICV covers msg[0, end - icvlen). 0 or -errno.
 */
int ike_sk_seal(const struct ike_sk_keys *k, uint8_t *msg, size_t off,
		const uint8_t *plain, size_t plen);

/*
 * Check and decrypt the SK payload data at msg + @off, running to @len
 * (the end of the message, or of the SK payload). The inner payloads go to
 * @plain (capacity @cap), their length without padding to *plen. -EBADMSG
 * when the ICV does not verify, -EINVAL when lengths or padding are wrong,
 * -ENOSPC when the inner payloads do not fit @cap.
 */
int ike_sk_open(const struct ike_sk_keys *k, const uint8_t *msg, size_t off,
		size_t len, uint8_t *plain, size_t cap, size_t *plen);

#endif /* IKD_IKE_CRYPTO_H */
