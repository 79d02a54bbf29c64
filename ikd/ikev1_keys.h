/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IKEv1's keying and message protection (RFC 2409, ISAKMP RFC 2408):
 * SKEYID and its children, the phase 1 encryption key (Appendix B), the
 * HASH_I/HASH_R and Quick Mode hashes, KEYMAT, the CBC IVs and their
 * chaining, message encryption, and the NAT-D hash (RFC 3947 3.2).
 *
 * All of it goes through ike_crypto.h. The negotiated Hash Algorithm is
 * given as the ike_prf_info of its HMAC (MD5 -> IKE_PRF_HMAC_MD5, SHA ->
 * IKE_PRF_HMAC_SHA1, SHA2-256 -> IKE_PRF_HMAC_SHA2_256, ...): that is
 * IKEv1's prf, and its digest is the plain hash where RFC 2409 says
 * "hash". The cipher is an ike_encr_info of a CBC cipher with the key
 * length the Key Length attribute (or the cipher's fixed size) gives.
 *
 * Message parts are taken as byte spans exactly as RFC 2409 names them:
 * "_b" is a payload's body without its generic header; g^xi, g^xr the KE
 * payloads' data; g^xy the shared secret at its full length (leading
 * zeros kept, as ike_dh_shared() returns it). M-IDs are host-order
 * numbers; they are hashed as the header carries them, big-endian.
 */
#ifndef IKD_IKEV1_KEYS_H
#define IKD_IKEV1_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_crypto.h"

#define IKEV1_COOKIE_LEN	8
#define IKEV1_SPI_LEN		4	/* AH and ESP SPIs in Quick Mode */
#define IKEV1_MAX_BLOCK		16	/* longest cipher block (AES) */

/* Phase 1 attribute values (RFC 2409 Appendix A, IANA "IPSEC Registry"). */
enum {
	IKEV1_ENCR_DES = 1,
	IKEV1_ENCR_BLOWFISH = 3,
	IKEV1_ENCR_3DES = 5,
	IKEV1_ENCR_CAST = 6,
	IKEV1_ENCR_AES = 7,
	IKEV1_ENCR_CAMELLIA = 8,
};

enum {
	IKEV1_HASH_MD5 = 1,
	IKEV1_HASH_SHA = 2,
	IKEV1_HASH_SHA2_256 = 4,
	IKEV1_HASH_SHA2_384 = 5,
	IKEV1_HASH_SHA2_512 = 6,
};

/* The cipher of an Encryption Algorithm value with its Key Length (bits;
 * 0 when absent: the cipher's default size), or NULL when there is none
 * here (IDEA, RC5, a size the table lacks). */
const struct ike_encr_info *ikev1_encr_info(uint16_t alg, uint16_t keybits);
/* The HMAC of a Hash Algorithm value (IKEv1's prf, and its hash), or
 * NULL (Tiger, unknown). */
const struct ike_prf_info *ikev1_hash_prf(uint16_t alg);

/* What phase 1 exchanged, as the derivations take it. */
struct ikev1_p1 {
	const uint8_t *cky_i, *cky_r;	/* IKEV1_COOKIE_LEN bytes each */
	struct ike_span ni_b, nr_b;	/* the Nonce payloads' bodies */
	struct ike_span gxi, gxr;	/* the KE payloads' data */
	struct ike_span gxy;		/* the shared secret */
};

/* The ISAKMP SA's transforms and keys. Wipe with ikev1_keys_wipe(). */
struct ikev1_keys {
	const struct ike_prf_info *prf;		/* HMAC of the negotiated hash */
	const struct ike_encr_info *encr;	/* CBC, key length set */
	size_t prflen;				/* prf->outlen */
	uint8_t skeyid[IKE_MAX_PRF];
	uint8_t skeyid_d[IKE_MAX_PRF];		/* keys the child SAs */
	uint8_t skeyid_a[IKE_MAX_PRF];		/* authenticates messages */
	uint8_t skeyid_e[IKE_MAX_PRF];		/* source of enc_key */
	uint8_t enc_key[IKE_MAX_KEY];		/* encr->keylen bytes */
};

/*
 * Derive SKEYID by the authentication method, then SKEYID_d, _a, _e and
 * the encryption key (RFC 2409 5 and Appendix B) into @k:
 *  psk: SKEYID = prf(pre-shared-key, Ni_b | Nr_b)
 *  sig: SKEYID = prf(Ni_b | Nr_b, g^xy)
 *  pke: SKEYID = prf(hash(Ni_b | Nr_b), CKY-I | CKY-R)  (both PKE modes)
 * -EINVAL for a missing input or a cipher that is not CBC; @k is wiped
 * on any failure.
 */
int ikev1_keys_psk(struct ikev1_keys *k, const struct ike_prf_info *prf,
		   const struct ike_encr_info *encr, const struct ikev1_p1 *p1,
		   const uint8_t *psk, size_t psklen);
int ikev1_keys_sig(struct ikev1_keys *k, const struct ike_prf_info *prf,
		   const struct ike_encr_info *encr, const struct ikev1_p1 *p1);
int ikev1_keys_pke(struct ikev1_keys *k, const struct ike_prf_info *prf,
		   const struct ike_encr_info *encr, const struct ikev1_p1 *p1);
void ikev1_keys_wipe(struct ikev1_keys *k);

/*
 * HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b),
 * HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b).
 * Both take @p1 as it is (the swap is done here); SAi_b is the
 * initiator's SA payload body in both. @out gets k->prflen bytes.
 */
int ikev1_hash_i(const struct ikev1_keys *k, const struct ikev1_p1 *p1,
		 struct ike_span sai_b, struct ike_span idii_b, uint8_t *out);
int ikev1_hash_r(const struct ikev1_keys *k, const struct ikev1_p1 *p1,
		 struct ike_span sai_b, struct ike_span idir_b, uint8_t *out);

/*
 * Quick Mode and Informational hashes (RFC 2409 5.5, 5.7), each into
 * k->prflen bytes at @out. @rest is the message after the HASH payload,
 * payload headers included, padding excluded.
 *  HASH(1) = prf(SKEYID_a, M-ID | rest)  (also Informational's HASH)
 *  HASH(2) = prf(SKEYID_a, M-ID | Ni_b | rest)
 *  HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)
 */
int ikev1_qm_hash1(const struct ikev1_keys *k, uint32_t msgid,
		   struct ike_span rest, uint8_t *out);
int ikev1_qm_hash2(const struct ikev1_keys *k, uint32_t msgid,
		   struct ike_span ni_b, struct ike_span rest, uint8_t *out);
int ikev1_qm_hash3(const struct ikev1_keys *k, uint32_t msgid,
		   struct ike_span ni_b, struct ike_span nr_b, uint8_t *out);
int ikev1_info_hash(const struct ikev1_keys *k, uint32_t msgid,
		    struct ike_span rest, uint8_t *out);

/* One Quick Mode exchange's keying material. */
struct ikev1_qm {
	struct ike_span ni_b, nr_b;	/* Quick Mode's own nonces */
	struct ike_span gqm;		/* g(qm)^xy with PFS, else empty */
};

/*
 * KEYMAT (RFC 2409 5.5) of one SA: K1 | K2 | ... cut to @len bytes, with
 *  K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b),
 *  Kn = prf(SKEYID_d, K(n-1) | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b).
 * @spi is the SPI the SA's receiver chose, as the wire carries it: our
 * own for the inbound SA, the peer's for the outbound one. @proto is the
 * Protocol-ID (PROTO_IPSEC_AH 2, PROTO_IPSEC_ESP 3).
 */
int ikev1_keymat(const struct ikev1_keys *k, const struct ikev1_qm *qm,
		 uint8_t proto, const uint8_t spi[IKEV1_SPI_LEN],
		 uint8_t *out, size_t len);
/* KEYMAT cut into the encryption key (@eklen bytes, first) and the
 * authentication key (@aklen bytes, next), as RFC 4303/2451 take them. */
int ikev1_child_keys(const struct ikev1_keys *k, const struct ikev1_qm *qm,
		     uint8_t proto, const uint8_t spi[IKEV1_SPI_LEN],
		     uint8_t *ek, size_t eklen, uint8_t *ak, size_t aklen);

/*
 * NAT-D (RFC 3947 3.2): hash(CKY-I | CKY-R | IP | Port) with the
 * negotiated hash, into prf->outlen bytes. @ip is 4 or 16 bytes in
 * network order, @port a host-order number.
 */
int ikev1_natd_hash(const struct ike_prf_info *prf,
		    const uint8_t cky_i[IKEV1_COOKIE_LEN],
		    const uint8_t cky_r[IKEV1_COOKIE_LEN], const uint8_t *ip,
		    size_t iplen, uint16_t port, uint8_t *out);

/* --- IVs and message encryption (ikev1_crypt.c) ------------------------ */

/*
 * The CBC IV of one exchange: phase 1 (M-ID 0) or one M-ID's Quick Mode
 * or Informational exchange. Each message's IV is the last ciphertext
 * block of the previous one in the same exchange, which ikev1_encrypt()
 * and ikev1_decrypt() track here themselves. A received message moves
 * the IV only once the caller has checked it (its HASH) and says so with
 * ikev1_iv_confirm(): a forged or garbled message must not throw the
 * chain off. Until then, ikev1_encrypt() refuses to run (-EBUSY).
 */
struct ikev1_iv {
	uint32_t msgid;
	uint8_t len;			/* the cipher's block size */
	bool pending;			/* next holds an unconfirmed IV */
	uint8_t cur[IKEV1_MAX_BLOCK];	/* the next message's IV */
	uint8_t next[IKEV1_MAX_BLOCK];	/* after the message just opened */
};

/* Phase 1's first IV: hash(g^xi | g^xr) cut to the block. */
int ikev1_iv_phase1(struct ikev1_iv *iv, const struct ikev1_keys *k,
		    const struct ikev1_p1 *p1);
/*
 * A Quick Mode or Informational exchange's first IV: hash(last phase 1
 * CBC output block | M-ID) cut to the block. @p1 is phase 1's IV after
 * its last message (confirmed); @msgid must not be 0.
 */
int ikev1_iv_exchange(struct ikev1_iv *iv, const struct ikev1_keys *k,
		      const struct ikev1_iv *p1, uint32_t msgid);
/* The message last decrypted checked out: its last block is the IV now. */
void ikev1_iv_confirm(struct ikev1_iv *iv);
/* It did not: keep the IV it was decrypted with. */
void ikev1_iv_drop(struct ikev1_iv *iv);

/* Bytes of ciphertext @plen bytes of payloads become (zero-padded to the
 * block); 0 when @k has no usable cipher. */
size_t ikev1_encrypted_len(const struct ikev1_keys *k, size_t plen);

/*
 * Encrypt the payloads after the ISAKMP header, @plain (@plen bytes),
 * zero-padded to the block, into @out (capacity @cap; may be @plain), and
 * chain @iv on. @msgid is the header's and must be @iv's. *@outlen gets
 * ikev1_encrypted_len(). -EINVAL, -ENOSPC, -EBUSY (a received message
 * not yet confirmed or dropped), -EIO.
 */
int ikev1_encrypt(const struct ikev1_keys *k, struct ikev1_iv *iv,
		  uint32_t msgid, const uint8_t *plain, size_t plen,
		  uint8_t *out, size_t cap, size_t *outlen);

/*
 * Decrypt @len bytes after the ISAKMP header into @out (capacity @cap;
 * may be @ct); the plaintext is as long, padding and all: the payload
 * chain's lengths say where it ends. -EINVAL unless @len is a nonzero
 * multiple of the block and @msgid is @iv's. The new IV waits for
 * ikev1_iv_confirm(); decrypting another message before that drops it.
 * A retransmission of the peer's last message must be recognised from
 * its bytes before this: its IV is no longer the chain's.
 */
int ikev1_decrypt(const struct ikev1_keys *k, struct ikev1_iv *iv,
		  uint32_t msgid, const uint8_t *ct, size_t len, uint8_t *out,
		  size_t cap);

#endif /* IKD_IKEV1_KEYS_H */
