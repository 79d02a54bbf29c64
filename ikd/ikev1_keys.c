// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1's key derivations and keyed hashes (RFC 2409 5, 5.5, 5.7,
 * Appendix B; RFC 3947 3.2), every one a prf or hash over a concatenation
 * that ike_prf_spans()/ike_hash_spans() take piecewise, so that no secret
 * is copied into a scratch buffer but the few keys built here.
 */
#include "ikev1_keys.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#define SPAN(ptr, n)	((struct ike_span){ (ptr), (n) })
#define N_ELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* M-ID as the ISAKMP header carries it. */
static void msgid_bytes(uint32_t msgid, uint8_t out[4])
{
	out[0] = (uint8_t)(msgid >> 24);
	out[1] = (uint8_t)(msgid >> 16);
	out[2] = (uint8_t)(msgid >> 8);
	out[3] = (uint8_t)msgid;
}

static bool span_ok(struct ike_span s)
{
	return !s.len || s.p;
}

static bool p1_ok(const struct ikev1_p1 *p1)
{
	return p1 && p1->cky_i && p1->cky_r && span_ok(p1->ni_b) &&
	       span_ok(p1->nr_b) && span_ok(p1->gxi) && span_ok(p1->gxr) &&
	       span_ok(p1->gxy);
}

/* IKEv1 encrypts with CBC alone (RFC 2409 Appendix B). */
static bool cbc_cipher(const struct ike_encr_info *encr)
{
	return ike_encr_is_cbc(encr) && encr->blocksize <= IKEV1_MAX_BLOCK;
}

/* prf(SKEYID, ...) etc. under one of @k's keys. */
static int keyed(const struct ikev1_keys *k, const uint8_t *key,
		 const struct ike_span *s, size_t n, uint8_t *out)
{
	return ike_prf_spans(k->prf, key, k->prflen, s, n, out);
}

/* --- attribute values ------------------------------------------------- */

const struct ike_encr_info *ikev1_encr_info(uint16_t alg, uint16_t keybits)
{
	static const uint16_t v2[][2] = {
		{ IKEV1_ENCR_DES, IKE_ENCR_DES },
		{ IKEV1_ENCR_BLOWFISH, IKE_ENCR_BLOWFISH },
		{ IKEV1_ENCR_3DES, IKE_ENCR_3DES },
		{ IKEV1_ENCR_CAST, IKE_ENCR_CAST },
		{ IKEV1_ENCR_AES, IKE_ENCR_AES_CBC },
		{ IKEV1_ENCR_CAMELLIA, IKE_ENCR_CAMELLIA_CBC },
	};

	for (size_t i = 0; i < N_ELEM(v2); i++)
		if (v2[i][0] == alg)
			return ike_encr_info(v2[i][1], keybits);
	return NULL;
}

const struct ike_prf_info *ikev1_hash_prf(uint16_t alg)
{
	static const uint16_t v2[][2] = {
		{ IKEV1_HASH_MD5, IKE_PRF_HMAC_MD5 },
		{ IKEV1_HASH_SHA, IKE_PRF_HMAC_SHA1 },
		{ IKEV1_HASH_SHA2_256, IKE_PRF_HMAC_SHA2_256 },
		{ IKEV1_HASH_SHA2_384, IKE_PRF_HMAC_SHA2_384 },
		{ IKEV1_HASH_SHA2_512, IKE_PRF_HMAC_SHA2_512 },
	};

	for (size_t i = 0; i < N_ELEM(v2); i++)
		if (v2[i][0] == alg)
			return ike_prf_info(v2[i][1]);
	return NULL;
}

/* --- phase 1 ------------------------------------------------------------ */

/*
 * SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
 * SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
 * SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
 */
static int derive_children(struct ikev1_keys *k, const struct ikev1_p1 *p1)
{
	uint8_t *prev[3] = { NULL, k->skeyid_d, k->skeyid_a };
	uint8_t *dest[3] = { k->skeyid_d, k->skeyid_a, k->skeyid_e };

	for (uint8_t i = 0; i < 3; i++) {
		struct ike_span s[] = {
			SPAN(prev[i], prev[i] ? k->prflen : 0), p1->gxy,
			SPAN(p1->cky_i, IKEV1_COOKIE_LEN),
			SPAN(p1->cky_r, IKEV1_COOKIE_LEN), SPAN(&i, 1),
		};
		int ret = keyed(k, k->skeyid, s, N_ELEM(s), dest[i]);

		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Appendix B: the key is SKEYID_e's first bytes when it is long enough;
 * else K1 | K2 | ... with K1 = prf(SKEYID_e, 0) (one zero octet) and
 * Kn = prf(SKEYID_e, K(n-1)), cut to the key's length.
 */
static int derive_enc_key(struct ikev1_keys *k)
{
	size_t need = k->encr->keylen, done = 0;
	uint8_t kn[IKE_MAX_PRF];
	static const uint8_t zero;
	int ret = 0;

	if (need <= k->prflen) {
		memcpy(k->enc_key, k->skeyid_e, need);
		return 0;
	}
	while (done < need) {
		struct ike_span s = done ? SPAN(kn, k->prflen) : SPAN(&zero, 1);
		size_t take = need - done < k->prflen ? need - done : k->prflen;

		ret = keyed(k, k->skeyid_e, &s, 1, kn);
		if (ret)
			break;
		memcpy(k->enc_key + done, kn, take);
		done += take;
	}
	OPENSSL_cleanse(kn, sizeof(kn));
	return ret;
}

/* Checks and resets @k for a derivation with @prf and @encr. */
static int keys_start(struct ikev1_keys *k, const struct ike_prf_info *prf,
		      const struct ike_encr_info *encr,
		      const struct ikev1_p1 *p1)
{
	if (!k)
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	if (!prf || !ike_prf_info(prf->id) || !cbc_cipher(encr) ||
	    encr->keylen > IKE_MAX_KEY || prf->outlen > IKE_MAX_PRF ||
	    !p1_ok(p1))
		return -EINVAL;
	k->prf = prf;
	k->encr = encr;
	k->prflen = prf->outlen;
	return 0;
}

/* The rest once SKEYID is in place (or @ret says why it is not). */
static int keys_finish(struct ikev1_keys *k, const struct ikev1_p1 *p1,
		       int ret)
{
	if (!ret)
		ret = derive_children(k, p1);
	if (!ret)
		ret = derive_enc_key(k);
	if (ret)
		ikev1_keys_wipe(k);
	return ret;
}

int ikev1_keys_psk(struct ikev1_keys *k, const struct ike_prf_info *prf,
		   const struct ike_encr_info *encr, const struct ikev1_p1 *p1,
		   const uint8_t *psk, size_t psklen)
{
	int ret = keys_start(k, prf, encr, p1);

	if (ret)
		return ret;
	if (!psk || !psklen) {
		ikev1_keys_wipe(k);
		return -EINVAL;
	}
	ret = ike_prf_spans(prf, psk, psklen,
			    (struct ike_span[]){ p1->ni_b, p1->nr_b }, 2,
			    k->skeyid);
	return keys_finish(k, p1, ret);
}

int ikev1_keys_sig(struct ikev1_keys *k, const struct ike_prf_info *prf,
		   const struct ike_encr_info *encr, const struct ikev1_p1 *p1)
{
	int ret = keys_start(k, prf, encr, p1);
	size_t klen;
	uint8_t *key;

	if (ret)
		return ret;
	/* The nonces are public, but HMAC wants its key in one piece. */
	klen = p1->ni_b.len + p1->nr_b.len;
	key = malloc(klen ? klen : 1);
	if (!key) {
		ikev1_keys_wipe(k);
		return -ENOMEM;
	}
	if (p1->ni_b.len)
		memcpy(key, p1->ni_b.p, p1->ni_b.len);
	if (p1->nr_b.len)
		memcpy(key + p1->ni_b.len, p1->nr_b.p, p1->nr_b.len);
	ret = ike_prf_spans(prf, key, klen, &p1->gxy, 1, k->skeyid);
	free(key);
	return keys_finish(k, p1, ret);
}

int ikev1_keys_pke(struct ikev1_keys *k, const struct ike_prf_info *prf,
		   const struct ike_encr_info *encr, const struct ikev1_p1 *p1)
{
	int ret = keys_start(k, prf, encr, p1);
	uint8_t key[IKE_MAX_PRF];

	if (ret)
		return ret;
	ret = ike_hash_spans(prf, (struct ike_span[]){ p1->ni_b, p1->nr_b },
			     2, key);
	if (!ret)
		ret = ike_prf_spans(prf, key, k->prflen,
				    (struct ike_span[]){
					    SPAN(p1->cky_i, IKEV1_COOKIE_LEN),
					    SPAN(p1->cky_r, IKEV1_COOKIE_LEN) },
				    2, k->skeyid);
	OPENSSL_cleanse(key, sizeof(key));
	return keys_finish(k, p1, ret);
}

void ikev1_keys_wipe(struct ikev1_keys *k)
{
	if (k)
		OPENSSL_cleanse(k, sizeof(*k));
}

static bool keys_ok(const struct ikev1_keys *k)
{
	return k && k->prf && k->prflen && k->prflen == k->prf->outlen;
}

/* HASH_I when @initiator, else HASH_R: the first four parts swap. */
static int hash_ir(const struct ikev1_keys *k, const struct ikev1_p1 *p1,
		   bool initiator, struct ike_span sai_b, struct ike_span id_b,
		   uint8_t *out)
{
	struct ike_span ci = SPAN(p1 ? p1->cky_i : NULL, IKEV1_COOKIE_LEN);
	struct ike_span cr = SPAN(p1 ? p1->cky_r : NULL, IKEV1_COOKIE_LEN);

	if (!keys_ok(k) || !p1_ok(p1) || !span_ok(sai_b) || !span_ok(id_b) ||
	    !out)
		return -EINVAL;
	if (initiator)
		return keyed(k, k->skeyid,
			     (struct ike_span[]){ p1->gxi, p1->gxr, ci, cr,
						  sai_b, id_b }, 6, out);
	return keyed(k, k->skeyid,
		     (struct ike_span[]){ p1->gxr, p1->gxi, cr, ci, sai_b,
					  id_b }, 6, out);
}

int ikev1_hash_i(const struct ikev1_keys *k, const struct ikev1_p1 *p1,
		 struct ike_span sai_b, struct ike_span idii_b, uint8_t *out)
{
	return hash_ir(k, p1, true, sai_b, idii_b, out);
}

int ikev1_hash_r(const struct ikev1_keys *k, const struct ikev1_p1 *p1,
		 struct ike_span sai_b, struct ike_span idir_b, uint8_t *out)
{
	return hash_ir(k, p1, false, sai_b, idir_b, out);
}

/* --- Quick Mode and Informational ------------------------------------ */

/* prf(SKEYID_a, [0 |] M-ID | a | b) */
static int hash_a(const struct ikev1_keys *k, bool zero, uint32_t msgid,
		  struct ike_span a, struct ike_span b, uint8_t *out)
{
	static const uint8_t nul;
	uint8_t mid[4];

	if (!keys_ok(k) || !span_ok(a) || !span_ok(b) || !out)
		return -EINVAL;
	msgid_bytes(msgid, mid);
	return keyed(k, k->skeyid_a,
		     (struct ike_span[]){ SPAN(&nul, zero ? 1 : 0),
					  SPAN(mid, 4), a, b }, 4, out);
}

int ikev1_qm_hash1(const struct ikev1_keys *k, uint32_t msgid,
		   struct ike_span rest, uint8_t *out)
{
	return hash_a(k, false, msgid, rest, SPAN(NULL, 0), out);
}

int ikev1_qm_hash2(const struct ikev1_keys *k, uint32_t msgid,
		   struct ike_span ni_b, struct ike_span rest, uint8_t *out)
{
	return hash_a(k, false, msgid, ni_b, rest, out);
}

int ikev1_qm_hash3(const struct ikev1_keys *k, uint32_t msgid,
		   struct ike_span ni_b, struct ike_span nr_b, uint8_t *out)
{
	return hash_a(k, true, msgid, ni_b, nr_b, out);
}

int ikev1_info_hash(const struct ikev1_keys *k, uint32_t msgid,
		    struct ike_span rest, uint8_t *out)
{
	return ikev1_qm_hash1(k, msgid, rest, out);
}

/* Nobody needs more than a few keys' worth; this bounds the loop. */
#define KEYMAT_MAX	1024

int ikev1_keymat(const struct ikev1_keys *k, const struct ikev1_qm *qm,
		 uint8_t proto, const uint8_t spi[IKEV1_SPI_LEN],
		 uint8_t *out, size_t len)
{
	uint8_t kn[IKE_MAX_PRF];
	size_t done = 0;
	int ret = 0;

	if (!keys_ok(k) || !qm || !span_ok(qm->ni_b) || !span_ok(qm->nr_b) ||
	    !span_ok(qm->gqm) || !spi || (len && !out) || len > KEYMAT_MAX)
		return -EINVAL;
	while (done < len) {
		struct ike_span s[] = {
			SPAN(kn, done ? k->prflen : 0), qm->gqm,
			SPAN(&proto, 1), SPAN(spi, IKEV1_SPI_LEN), qm->ni_b,
			qm->nr_b,
		};
		size_t take = len - done < k->prflen ? len - done : k->prflen;

		ret = keyed(k, k->skeyid_d, s, N_ELEM(s), kn);
		if (ret)
			break;
		memcpy(out + done, kn, take);
		done += take;
	}
	OPENSSL_cleanse(kn, sizeof(kn));
	if (ret)
		OPENSSL_cleanse(out, len);
	return ret;
}

int ikev1_child_keys(const struct ikev1_keys *k, const struct ikev1_qm *qm,
		     uint8_t proto, const uint8_t spi[IKEV1_SPI_LEN],
		     uint8_t *ek, size_t eklen, uint8_t *ak, size_t aklen)
{
	uint8_t km[2 * (IKE_MAX_KEY + IKE_MAX_PRF)];
	int ret;

	if ((eklen && !ek) || (aklen && !ak) || eklen > IKE_MAX_KEY ||
	    aklen > IKE_MAX_PRF)
		return -EINVAL;
	ret = ikev1_keymat(k, qm, proto, spi, km, eklen + aklen);
	if (!ret) {
		if (eklen)
			memcpy(ek, km, eklen);
		if (aklen)
			memcpy(ak, km + eklen, aklen);
	}
	OPENSSL_cleanse(km, sizeof(km));
	return ret;
}

/* --- NAT-D ------------------------------------------------------------- */

int ikev1_natd_hash(const struct ike_prf_info *prf,
		    const uint8_t cky_i[IKEV1_COOKIE_LEN],
		    const uint8_t cky_r[IKEV1_COOKIE_LEN], const uint8_t *ip,
		    size_t iplen, uint16_t port, uint8_t *out)
{
	uint8_t pb[2] = { (uint8_t)(port >> 8), (uint8_t)port };

	if (!cky_i || !cky_r || !ip || (iplen != 4 && iplen != 16))
		return -EINVAL;
	return ike_hash_spans(prf,
			      (struct ike_span[]){
				      SPAN(cky_i, IKEV1_COOKIE_LEN),
				      SPAN(cky_r, IKEV1_COOKIE_LEN),
				      SPAN(ip, iplen), SPAN(pb, 2) },
			      4, out);
}
