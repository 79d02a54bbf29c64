// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKE_AUTH with certificates (RFC 7296 2.15, 3.6, 3.7; RFC 7427): what
 * ike_auth.c calls instead of the PSK when the remote block says
 * `authentication_method rsasig`. The AUTH octets are those of the PSK
 * method; ike_sig.c signs them, ike_cert.c finds and checks the peer's
 * certificate. Files are read at each IKE_AUTH (ike_cert.c says why); the
 * responder's CERTREQ in IKE_SA_INIT is kept until the CA file changes.
 *
 *   IKE_SA_INIT  both: SIGNATURE_HASH_ALGORITHMS; responder: CERTREQ
 *   IKE_AUTH     ours: ID, CERT (send_cert), CERTREQ (initiator,
 *                send_cr), AUTH (method 14 if the peer announced hashes,
 *                else the key's classic method)
 *                theirs: certificate chains to our CA (unless verify_cert
 *                off), ID matches it, signature verifies
 */
#include "ike_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ike_cert.h"
#include "ike_sig.h"
#include "log.h"

#define CERT_ENC_X509_SIG	4
#define CERTREQ_MAX		IKE_CERTREQ_MAX

/* The CERTREQ data for @cfg's CA file, computed again only when the file
 * changed (its mtime or size). 0: none (logged). */
static size_t certreq_data(struct ike_sa *sa, uint8_t **out)
{
	struct ike_engine *e = sa->eng;
	const struct ike_cert_cfg *cfg = &sa->cfg->cert;
	struct ike_creds cr;
	struct stat st;
	char why[512];
	int64_t mt;

	if (stat(cfg->ca, &st)) {
		log_warn("remote \"%s\": no CERTREQ sent: CA file \"%s\": %s",
			 sa->cfg->name, cfg->ca, strerror(errno));
		return 0;
	}
	mt = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	*out = e->certreq.data;
	if (!strcmp(e->certreq.path, cfg->ca) && e->certreq.mtime_ns == mt &&
	    e->certreq.size == (int64_t)st.st_size)
		return e->certreq.len;
	e->certreq.path[0] = 0;
	if (ike_creds_load(cfg, false, true, &cr, why, sizeof(why))) {
		log_warn("remote \"%s\": no CERTREQ sent: %s", sa->cfg->name,
			 why);
		ike_creds_free(&cr);
		return 0;
	}
	e->certreq.len = ike_cert_req_data(&cr, e->certreq.data,
					   sizeof(e->certreq.data));
	ike_creds_free(&cr);
	snprintf(e->certreq.path, sizeof(e->certreq.path), "%s", cfg->ca);
	e->certreq.mtime_ns = mt;
	e->certreq.size = st.st_size;
	return e->certreq.len;
}

void ike_auth_sig_init_payloads(struct ike_sa *sa, struct ike_builder *b)
{
	uint8_t hashes[16], *req;
	size_t n;

	if (sa->cfg->auth != IKE_CFG_AUTH_CERT)
		return;
	n = ike_sig_hash_list(hashes, sizeof(hashes));
	ike_build_notify(b, 0, NULL, 0, IKE_N_SIGNATURE_HASH_ALGORITHMS,
			 hashes, n);
	if (sa->initiator || !sa->cfg->cert.send_cr || !sa->cfg->cert.ca[0])
		return;
	n = certreq_data(sa, &req);
	if (n)
		ike_build_cert(b, IKE_PL_CERTREQ, CERT_ENC_X509_SIG, req, n);
}

void ike_auth_sig_init_note(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_notify_pl *n =
		ike_msg_notify(m, IKE_N_SIGNATURE_HASH_ALGORITHMS);

	sa->peer_sig_hashes = n ? ike_sig_parse_hashes(n->data.ptr,
						       n->data.len) : 0;
}

/* CERT payloads: ours, then the intermediates of its file. */
static void add_certs(struct ike_builder *b, const struct ike_creds *cr)
{
	unsigned char *der = NULL;
	int n;

	for (int i = -1; i < sk_X509_num(cr->chain); i++) {
		X509 *x = i < 0 ? cr->cert : sk_X509_value(cr->chain, i);

		der = NULL;
		n = i2d_X509(x, &der);
		if (n > 0)
			ike_build_cert(b, IKE_PL_CERT, CERT_ENC_X509_SIG, der,
				       (size_t)n);
		OPENSSL_free(der);
	}
}

static void add_certreq(struct ike_builder *b, const struct ike_creds *cr)
{
	uint8_t req[CERTREQ_MAX];
	size_t n = ike_cert_req_data(cr, req, sizeof(req));

	if (n)
		ike_build_cert(b, IKE_PL_CERTREQ, CERT_ENC_X509_SIG, req, n);
}

/* Signs our side's octets: the AUTH payload. */
static int add_auth(struct ike_sa *sa, bool initiator, EVP_PKEY *key,
		    struct ike_builder *b, char *why, size_t wl)
{
	uint8_t idb[4 + IKE_ID_MAX], *octets, *sig;
	size_t idb_len, olen, slen;
	uint8_t method;
	int err;

	idb_len = ike_auth_id_body(&sa->my_id, idb);
	err = ike_auth_octets(sa, initiator, idb, idb_len, &octets, &olen);
	if (err) {
		snprintf(why, wl, "%s", strerror(-err));
		return err;
	}
	sig = malloc(IKE_SIG_MAX);
	err = sig ? ike_sig_sign(key, sa->peer_sig_hashes, octets, olen,
				 &method, sig, IKE_SIG_MAX, &slen, why, wl) :
		    -ENOMEM;
	if (!err) {
		char sb[80];

		ike_build_auth(b, method, sig, slen);
		log_info("remote \"%s\": signing our AUTH with %s",
			 sa->cfg->name, ike_sig_scheme_str(method, sig, slen,
							    sb, sizeof(sb)));
	}
	free(sig);
	free(octets);
	return err;
}

int ike_auth_sig_add(struct ike_sa *sa, bool initiator, struct ike_builder *b)
{
	const struct ike_cert_cfg *cc = &sa->cfg->cert;
	bool req = initiator && cc->send_cr;
	struct ike_creds cr;
	char why[512];
	int err;

	err = ike_creds_load(cc, true, req, &cr, why, sizeof(why));
	if (!err && sa->my_id.type == IKE_ID_DER_ASN1_DN && !sa->my_id.len &&
	    ike_cert_subject_id(cr.cert, &sa->my_id)) {
		snprintf(why, sizeof(why), "our certificate's subject is too "
			 "long for an ID");
		err = -E2BIG;
	}
	if (!err) {
		ike_build_id(b, initiator ? IKE_PL_IDI : IKE_PL_IDR,
			     sa->my_id.type, sa->my_id.data, sa->my_id.len);
		if (cc->send_cert)
			add_certs(b, &cr);
		if (req)
			add_certreq(b, &cr);
		if (initiator && sa->cfg->peer_id.type)
			ike_build_id(b, IKE_PL_IDR, sa->cfg->peer_id.type,
				     sa->cfg->peer_id.data, sa->cfg->peer_id.len);
		err = add_auth(sa, initiator, cr.key, b, why, sizeof(why));
	}
	if (err) {
		char rb[IKD_ADDR_STRLEN];

		log_error("cannot authenticate to %s (remote \"%s\") with a "
			  "certificate: %s", ikd_addr_str(&sa->remote, false, rb),
			  sa->cfg->name, why);
	}
	ike_creds_free(&cr);
	return err;
}

int ike_auth_sig_check(struct ike_sa *sa, const struct ike_msg *m,
		       const struct ike_id_pl *idpl, const struct ike_id *id,
		       bool peer_is_initiator)
{
	struct ike_creds cr;
	X509 *x = NULL;
	uint8_t *octets = NULL;
	size_t olen;
	char why[768], subj[256], sb[80];
	int err;

	err = ike_creds_load(&sa->cfg->cert, false, true, &cr, why,
			     sizeof(why));
	if (!err)
		err = ike_cert_peer(&cr, &sa->cfg->cert, m->cert, m->ncert, &x,
				    why, sizeof(why));
	if (!err)
		err = ike_cert_match_id(x, id, why, sizeof(why));
	if (!err) {
		err = ike_auth_octets(sa, peer_is_initiator, idpl->body.ptr,
				      idpl->body.len, &octets, &olen);
		if (err)
			snprintf(why, sizeof(why), "%s", strerror(-err));
	}
	if (!err)
		err = ike_sig_verify(X509_get0_pubkey(x), m->auth.method,
				     m->auth.data.ptr, m->auth.data.len, octets,
				     olen, why, sizeof(why));
	if (err) {
		ike_auth_failed_log(sa, id, m->auth.method, why);
		err = -EACCES;
	} else {
		X509_NAME_oneline(X509_get_subject_name(x), subj, sizeof(subj));
		log_notify("remote \"%s\": certificate %s verified, %s",
			   sa->cfg->name, subj,
			   ike_sig_scheme_str(m->auth.method, m->auth.data.ptr,
					      m->auth.data.len, sb, sizeof(sb)));
	}
	free(octets);
	X509_free(x);
	ike_creds_free(&cr);
	return err;
}
