// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1 phase 1 authentication (RFC 2409 5, 5.1, 5.4): what the last
 * messages of Main and Aggressive Mode carry after the ID, and its check.
 *
 *   pre_shared_key  HASH_I / HASH_R
 *   rsasig          [CERT] SIG_I / SIG_R: HASH_I / HASH_R signed with
 *                   our certificate's RSA key (ike_sig_raw.c); CERT
 *                   (X.509 signature, encoding 4) unless send_cert off;
 *                   CERTREQ (empty: any authority) in MM3/MM4 and AM1/AM2
 *                   unless send_cr off, as racoon
 *
 * The peer's certificate (rsasig): its CERT payload or peers_certfile.
 * With peers_certfile a CERT the peer sends must be that very
 * certificate (racoon compares them too); without it the certificate
 * must chain to ca_type / path certificate unless verify_cert is off
 * (ike_cert.c, as for IKEv2). Its identity must match the ID payload
 * (ike_cert_match_id: the subject for asn1dn, a subjectAltName for the
 * others), and the SIG must verify with its key. A failure ends phase 1
 * with a notify (INVALID-SIGNATURE, or AUTHENTICATION-FAILED for the
 * certificate and the ID) protected with the new keys.
 */
#include "ikev1_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "ike_cert.h"
#include "ike_msg.h"
#include "ike_sig.h"
#include "log.h"

#define V1_CERT_MAX	4	/* CERT payloads looked at: leaf, chain */

bool ikev1_p1_sig(const struct ikev1_sa *sa)
{
	return sa->ch.auth == OAKLEY_AUTH_RSA_SIG;
}

struct ikev1_p1 ikev1_p1_of(const struct ikev1_sa *sa)
{
	return (struct ikev1_p1){
		.cky_i = sa->cky_i, .cky_r = sa->cky_r,
		.ni_b = { sa->ni, sa->ni_len }, .nr_b = { sa->nr, sa->nr_len },
		.gxi = { sa->gxi, sa->gxi_len }, .gxr = { sa->gxr, sa->gxr_len },
		.gxy = { sa->gxy, sa->gxy_len },
	};
}

size_t ikev1_my_id_body(const struct ikev1_sa *sa, uint8_t *out)
{
	out[0] = sa->my_id.type;
	out[1] = 0;
	out[2] = out[3] = 0;
	memcpy(out + 4, sa->my_id.data, sa->my_id.len);
	return 4 + (size_t)sa->my_id.len;
}

int ikev1_auth_my_id(struct ikev1_sa *sa)
{
	struct ike_creds cr;
	char why[512];
	int err;

	/* `my_identifier asn1dn` without a DN: our certificate's subject. */
	if (sa->my_id.type != IPSEC_ID_DER_ASN1_DN || sa->my_id.len)
		return 0;
	err = ike_creds_load(&sa->cfg.cert, true, false, &cr, why,
			     sizeof(why));
	if (!err && ike_cert_subject_id(cr.cert, &sa->my_id)) {
		snprintf(why, sizeof(why), "its subject is too long for an ID");
		err = -E2BIG;
	}
	if (err)
		log_error("remote \"%s\": my_identifier asn1dn: our "
			  "certificate: %s", sa->cfg.name, why);
	ike_creds_free(&cr);
	return err;
}

void ikev1_auth_add_cr(struct ikev1_sa *sa, struct isakmp_builder *b)
{
	if (ikev1_p1_sig(sa) && sa->cfg.cert.send_cr)
		isakmp_build_cert(b, ISAKMP_PL_CR, ISAKMP_CERT_X509_SIG, NULL,
				  0);
}

/* HASH_I (@of_initiator) or HASH_R over the ID body @id_b. */
static int hash_of(const struct ikev1_sa *sa, bool of_initiator,
		   const uint8_t *id_b, size_t id_len, uint8_t *out)
{
	struct ikev1_p1 p1 = ikev1_p1_of(sa);
	struct ike_span sai = { sa->sai_b, sa->sai_b_len };
	struct ike_span id = { id_b, id_len };

	return of_initiator ? ikev1_hash_i(&sa->k, &p1, sai, id, out) :
			      ikev1_hash_r(&sa->k, &p1, sai, id, out);
}

/* [CERT] SIG: our HASH signed. */
static int add_sig(struct ikev1_sa *sa, const uint8_t *h,
		   struct isakmp_builder *b)
{
	uint8_t sig[IKE_SIG_MAX];
	unsigned char *der = NULL;
	size_t slen = 0;
	struct ike_creds cr;
	char why[512], rb[IKD_ADDR_STRLEN];
	int n, err;

	err = ike_creds_load(&sa->cfg.cert, true, false, &cr, why,
			     sizeof(why));
	if (!err)
		err = ike_sig_rsa_raw_sign(cr.key, h, sa->k.prflen, sig,
					   sizeof(sig), &slen, why,
					   sizeof(why));
	if (!err && sa->cfg.cert.send_cert) {
		n = i2d_X509(cr.cert, &der);
		if (n > 0)
			isakmp_build_cert(b, ISAKMP_PL_CERT,
					  ISAKMP_CERT_X509_SIG, der, (size_t)n);
		OPENSSL_free(der);
	}
	if (!err)
		isakmp_build_data(b, ISAKMP_PL_SIG, sig, slen);
	else
		log_error("cannot sign phase 1 with %s (remote \"%s\"): %s",
			  ikd_addr_str(&sa->remote, true, rb), sa->cfg.name,
			  why);
	ike_creds_free(&cr);
	return err;
}

void ikev1_auth_add(struct ikev1_sa *sa, struct isakmp_builder *b)
{
	uint8_t idb[4 + IKE_ID_MAX], h[IKE_MAX_PRF];
	size_t n = ikev1_my_id_body(sa, idb);

	if (hash_of(sa, sa->initiator, idb, n, h)) {
		b->w->err = -EINVAL;
		return;
	}
	if (!ikev1_p1_sig(sa))
		isakmp_build_data(b, ISAKMP_PL_HASH, h, sa->k.prflen);
	else if (add_sig(sa, h, b))
		b->w->err = -EACCES;
	OPENSSL_cleanse(h, sizeof(h));
}

static void auth_failed(struct ikev1_sa *sa, uint16_t notify)
{
	sa->eng->stats.fail_auth++;
	sa->eng->stats.ike_failed++;
	if (!notify)
		return;
	/* The peer's message decrypted: its last block is the IV the
	 * peer derives our Informational's from. The SA ends anyway. */
	ikev1_iv_confirm(&sa->iv);
	ikev1_info_notify(sa, notify);
}

/* The peer's HASH over its ID body. */
static int check_hash(struct ikev1_sa *sa, const struct isakmp_msg *m)
{
	const struct isakmp_pl *pl = isakmp_msg_find(m, ISAKMP_PL_HASH, NULL);
	uint8_t h[IKE_MAX_PRF];
	char rb[IKD_ADDR_STRLEN], ib[IKE_ID_STRLEN];

	if (pl && pl->body.len == sa->k.prflen &&
	    !hash_of(sa, !sa->initiator, sa->peer_id_b, sa->peer_id_b_len, h) &&
	    !CRYPTO_memcmp(h, pl->body.ptr, sa->k.prflen))
		return 0;
	log_error("invalid HASH_%c from %s (ID %s): HASH mismatch, wrong "
		  "pre-shared key? deleting the half-open ISAKMP-SA",
		  sa->initiator ? 'R' : 'I',
		  ikd_addr_str(&sa->remote, true, rb),
		  ike_id_str(&sa->peer_id, ib, sizeof(ib)));
	auth_failed(sa, 0);
	return -EACCES;
}

/* The peer's CERT payloads of encoding X.509 signature (others are not
 * ours to use and are skipped). Returns how many. */
static unsigned int peer_certs(const struct isakmp_msg *m,
			       struct ike_opaque_pl *out)
{
	const struct isakmp_pl *pl = NULL;
	struct isakmp_cert c;
	unsigned int n = 0;

	while (n < V1_CERT_MAX &&
	       (pl = isakmp_msg_find(m, ISAKMP_PL_CERT, pl))) {
		if (isakmp_dec_cert(pl, &c, NULL) ||
		    c.enc != ISAKMP_CERT_X509_SIG || !c.data.len)
			continue;
		out[n].type = c.enc;
		out[n].data = (struct ike_chunk){ c.data.ptr, c.data.len };
		n++;
	}
	return n;
}

static const char *subject_str(X509 *x, char *buf, size_t len)
{
	X509_NAME_oneline(X509_get_subject_name(x), buf, (int)len);
	return buf;
}

/* peers_certfile given: the CERT the peer sent must be that one. */
static int pinned_ok(const struct ike_creds *cr, const struct ike_cert_cfg *cc,
		     const struct ike_opaque_pl *certs, unsigned int n,
		     char *why, size_t wl)
{
	const unsigned char *p;
	unsigned char *mine = NULL;
	char a[256], b[256];
	X509 *got;
	int len, same;

	if (!cr->peer_cert || !n)
		return 0;
	p = certs[0].data.ptr;
	got = d2i_X509(NULL, &p, (long)certs[0].data.len);
	if (!got) {
		snprintf(why, wl, "its CERT payload is not an X.509 "
			 "certificate");
		return -EACCES;
	}
	len = i2d_X509(cr->peer_cert, &mine);
	same = len > 0 && (size_t)len == certs[0].data.len &&
	       !memcmp(mine, certs[0].data.ptr, (size_t)len);
	OPENSSL_free(mine);
	if (!same)
		snprintf(why, wl, "peer certificate mismatch: it sent %s, "
			 "peers_certfile \"%s\" is %s",
			 subject_str(got, a, sizeof(a)), cc->peer_cert,
			 subject_str(cr->peer_cert, b, sizeof(b)));
	X509_free(got);
	return same ? 0 : -EACCES;
}

/* The peer's certificate, checked and matched with its ID: 0 and *out,
 * or -EACCES with @why filled. */
static int peer_cert(struct ikev1_sa *sa, const struct isakmp_msg *m,
		     X509 **out, char *why, size_t wl)
{
	struct ike_opaque_pl certs[V1_CERT_MAX];
	unsigned int n = peer_certs(m, certs);
	const struct ike_cert_cfg *cc = &sa->cfg.cert;
	struct ike_creds cr;
	char ib[IKE_ID_STRLEN], sb[256], mw[512];
	int err;

	*out = NULL;
	err = ike_creds_load(cc, false, true, &cr, why, wl);
	if (!err)
		err = pinned_ok(&cr, cc, certs, n, why, wl);
	if (!err)
		err = ike_cert_peer(&cr, cc, certs, n, out, why, wl);
	ike_creds_free(&cr);
	if (err)
		return -EACCES;
	if (ike_cert_match_id(*out, &sa->peer_id, mw, sizeof(mw))) {
		snprintf(why, wl, "ID mismatch: ID %s, certificate %s",
			 ike_id_str(&sa->peer_id, ib, sizeof(ib)),
			 subject_str(*out, sb, sizeof(sb)));
		X509_free(*out);
		*out = NULL;
		return -EACCES;
	}
	return 0;
}

static int check_sig(struct ikev1_sa *sa, const struct isakmp_msg *m)
{
	const struct isakmp_pl *pl = isakmp_msg_find(m, ISAKMP_PL_SIG, NULL);
	uint8_t h[IKE_MAX_PRF];
	char why[1024], rb[IKD_ADDR_STRLEN], sb[256];
	X509 *x = NULL;
	int err;

	ikd_addr_str(&sa->remote, true, rb);
	if (!pl) {
		log_error("phase 1 with %s: no SIG payload", rb);
		auth_failed(sa, ISAKMP_N_AUTHENTICATION_FAILED);
		return -EACCES;
	}
	if (peer_cert(sa, m, &x, why, sizeof(why))) {
		log_error("phase 1 with %s: %s", rb, why);
		auth_failed(sa, ISAKMP_N_AUTHENTICATION_FAILED);
		return -EACCES;
	}
	err = hash_of(sa, !sa->initiator, sa->peer_id_b, sa->peer_id_b_len, h);
	if (!err)
		err = ike_sig_rsa_raw_verify(X509_get0_pubkey(x), pl->body.ptr,
					     pl->body.len, h, sa->k.prflen,
					     why, sizeof(why));
	else
		snprintf(why, sizeof(why), "cannot compute HASH");
	if (err) {
		log_error("Invalid SIG. from %s (certificate %s): %s", rb,
			  subject_str(x, sb, sizeof(sb)), why);
		auth_failed(sa, ISAKMP_N_INVALID_SIGNATURE);
	} else {
		log_notify("phase 1 with %s: certificate %s, SIG verified", rb,
			   subject_str(x, sb, sizeof(sb)));
	}
	X509_free(x);
	return err ? -EACCES : 0;
}

int ikev1_auth_check(struct ikev1_sa *sa, const struct isakmp_msg *m)
{
	return ikev1_p1_sig(sa) ? check_sig(sa, m) : check_hash(sa, m);
}
