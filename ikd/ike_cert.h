/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * X.509 for IKE_AUTH (OpenSSL 3): our credentials from the files a
 * `remote` block names (struct ike_cert_cfg), the peer's certificate
 * verified against the configured CA (and CRLs), and the match between
 * an IKE identity and a certificate.
 *
 * Trust: the CA file of `ca_type x509` (every certificate in it is a
 * trust anchor; CRLs in it, PEM, are loaded too) plus `path certificate`
 * as an OpenSSL hash directory (racoon's layout: <hash>.0 for CAs,
 * <hash>.r0 for CRLs, made by `openssl rehash`). The leaf's revocation is
 * checked (X509_V_FLAG_CRL_CHECK) whenever its issuer has a CRL in either
 * place; an issuer without CRL is not an error.
 */
#ifndef IKD_IKE_CERT_H
#define IKD_IKE_CERT_H

#include <openssl/x509.h>

#include "ike.h"

struct ike_creds {
	X509 *cert;			/* ours (NULL: none loaded) */
	STACK_OF(X509) *chain;		/* what follows it in its file */
	EVP_PKEY *key;
	X509_STORE *store;		/* CAs and CRLs (NULL: none loaded) */
	STACK_OF(X509) *cas;		/* the CA file's certificates */
	X509 *peer_cert;		/* peers_certfile */
};

/* Loads what @cfg names: @mine our certificate, chain and key; @trust the
 * CA store and peers_certfile. 0, or -errno with @why filled (file and
 * reason). ike_creds_free() in every case. */
int ike_creds_load(const struct ike_cert_cfg *cfg, bool mine, bool trust,
		   struct ike_creds *cr, char *why, size_t wl);
void ike_creds_free(struct ike_creds *cr);

/*
 * The peer's certificate: from its CERT payloads (X.509 signature
 * encoding; the first is the end entity, the others intermediates), or
 * peers_certfile when configured (then pinned: it is trusted as it is).
 * Verified against the store unless verify_cert is off. Returns 0 and
 * *out (the caller frees it), or -EACCES with the reason in @why
 * ("expired", "unknown CA", "revoked", ...).
 */
int ike_cert_peer(const struct ike_creds *cr, const struct ike_cert_cfg *cfg,
		  const struct ike_opaque_pl *certs, unsigned int ncert,
		  X509 **out, char *why, size_t wl);

/* Does @x certify @id? Address: a subjectAltName IP; FQDN: a
 * subjectAltName DNS name (no wildcards); RFC822: an email address;
 * DER_ASN1_DN: the subject. 0, or -EACCES with @why "identity mismatch:
 * ...". */
int ike_cert_match_id(X509 *x, const struct ike_id *id, char *why, size_t wl);

/* @x's subject as a DER_ASN1_DN identity. 0 or -E2BIG. */
int ike_cert_subject_id(X509 *x, struct ike_id *id);

/* The CERTREQ data: SHA-1 of each CA's SubjectPublicKeyInfo (3.7).
 * Returns the length written (20 per CA, at most @cap). */
size_t ike_cert_req_data(const struct ike_creds *cr, uint8_t *out, size_t cap);

/* An asn1dn identity written as text ("C=FI, O=Example, CN=gw" or
 * "/C=FI/O=Example/CN=gw") to DER. 0 or -EINVAL. */
int ike_cert_dn_from_str(const char *s, struct ike_id *id);

/* A DER_ASN1_DN identity as text for logs (RFC 2253 order reversed to
 * read as written: "C=FI, O=Example, CN=gw"). */
const char *ike_cert_dn_str(const uint8_t *der, size_t len, char *buf,
			    size_t blen);

#endif /* IKD_IKE_CERT_H */
