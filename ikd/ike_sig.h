/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Signatures of IKEv2's AUTH payload, with OpenSSL 3 EVP keys: RFC 7427's
 * Digital Signature method (14: a length byte, a DER AlgorithmIdentifier,
 * the signature) and the classic methods of RFC 7296 (1: RSA PKCS#1 v1.5
 * with SHA-1) and RFC 4754 (9, 10, 11: ECDSA on P-256/384/521, r|s).
 *
 * Which one we send: method 14 when the peer announced
 * SIGNATURE_HASH_ALGORITHMS (RSA keys sign PKCS#1 v1.5 with SHA-256, keys
 * of type RSA-PSS sign RSASSA-PSS, ECDSA keys the hash that fits their
 * curve, Ed25519 "identity"); otherwise the classic method of the key
 * (Ed25519 has none). What we accept: any of these whose algorithm fits
 * the certificate's key.
 */
#ifndef IKD_IKE_SIG_H
#define IKD_IKE_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>

/* Hash algorithms of SIGNATURE_HASH_ALGORITHMS (RFC 7427 4, IANA). */
enum {
	IKE_SIGHASH_SHA1 = 1,
	IKE_SIGHASH_SHA256 = 2,
	IKE_SIGHASH_SHA384 = 3,
	IKE_SIGHASH_SHA512 = 4,
	IKE_SIGHASH_IDENTITY = 5,
};
#define IKE_SIGHASH_BIT(h)	(1u << (h))
/* What we announce and accept in method 14. */
#define IKE_SIGHASH_OURS	(IKE_SIGHASH_BIT(IKE_SIGHASH_SHA256) | \
				 IKE_SIGHASH_BIT(IKE_SIGHASH_SHA384) | \
				 IKE_SIGHASH_BIT(IKE_SIGHASH_SHA512) | \
				 IKE_SIGHASH_BIT(IKE_SIGHASH_IDENTITY))

#define IKE_SIG_MAX		1100	/* AUTH data: RSA-8192 and its prefix */

/* The notify data we send: our hash list, 2 bytes each. Returns its
 * length (at most @cap). */
size_t ike_sig_hash_list(uint8_t *out, size_t cap);
/* The bit set of a peer's SIGNATURE_HASH_ALGORITHMS data (odd length:
 * the last byte is ignored; unknown values are skipped). */
uint32_t ike_sig_parse_hashes(const uint8_t *data, size_t len);

/*
 * Signs @octets with @key: *method and the AUTH data in @out (capacity
 * @cap, *len). @peer_hashes: the peer's SIGNATURE_HASH_ALGORITHMS bits,
 * 0 if it sent none (classic methods). 0, or -errno with @why filled.
 */
int ike_sig_sign(EVP_PKEY *key, uint32_t peer_hashes, const uint8_t *octets,
		 size_t olen, uint8_t *method, uint8_t *out, size_t cap,
		 size_t *len, char *why, size_t whylen);

/* Checks AUTH data of @method over @octets with @key: 0, or -EACCES /
 * -EBADMSG with @why filled ("signature does not verify", "ECDSA method 9
 * with a P-384 key", ...). */
int ike_sig_verify(EVP_PKEY *key, uint8_t method, const uint8_t *auth,
		   size_t alen, const uint8_t *octets, size_t olen, char *why,
		   size_t whylen);

/* For logs: "ecdsa-with-SHA256", "rsassaPss (sha256, MGF1 sha256, salt
 * 32)", "ED25519", or the method's name; from AUTH data of method 14, or
 * the classic method. */
const char *ike_sig_scheme_str(uint8_t method, const uint8_t *auth,
			       size_t alen, char *buf, size_t len);

/* IKEv1 (ike_sig_raw.c): RSA PKCS#1 v1.5 over @hash itself, no
 * DigestInfo (RFC 2409 5.1, as racoon and strongSwan). 0, or -EINVAL /
 * -EACCES with @why filled ("signature does not verify", ...). */
int ike_sig_rsa_raw_sign(EVP_PKEY *key, const uint8_t *hash, size_t hlen,
			 uint8_t *out, size_t cap, size_t *len, char *why,
			 size_t wl);
int ike_sig_rsa_raw_verify(EVP_PKEY *key, const uint8_t *sig, size_t slen,
			   const uint8_t *hash, size_t hlen, char *why,
			   size_t wl);

#endif /* IKD_IKE_SIG_H */
