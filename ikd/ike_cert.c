// SPDX-License-Identifier: BSD-2-Clause
/*
 * Certificates for IKE_AUTH (ike_cert.h): loading, chain verification
 * with X509_verify_cert, CRLs, identity matching, CERTREQ hashes.
 *
 * Files are read when an IKE_AUTH needs them, not kept: a SIGHUP or a new
 * CRL dropped into `path certificate` takes effect at the next exchange,
 * and nothing of a reloaded configuration outlives it.
 */
#include "ike_cert.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ike_msg.h"

#define CERT_ENC_X509_SIG	4	/* 3.6: X.509 Certificate - Signature */
#define CERT_MAX_CHAIN		8

static const char *ssl_err(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return r ? r : "not a certificate or key OpenSSL reads";
}

/* Every certificate of a PEM file (or the one of a DER file). */
static STACK_OF(X509) *read_certs(const char *path, char *why, size_t wl)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	BIO *b = BIO_new_file(path, "rb");
	X509 *x;

	if (!b || !sk) {
		snprintf(why, wl, "cannot read \"%s\": %s", path, ssl_err());
		goto fail;
	}
	while (sk_X509_num(sk) <= CERT_MAX_CHAIN &&
	       (x = PEM_read_bio_X509(b, NULL, NULL, NULL)))
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			break;
		}
	ERR_clear_error();
	if (!sk_X509_num(sk) && BIO_reset(b) == 0 &&
	    (x = d2i_X509_bio(b, NULL)) && !sk_X509_push(sk, x))
		X509_free(x);
	if (!sk_X509_num(sk)) {
		snprintf(why, wl, "\"%s\" holds no PEM or DER certificate: %s",
			 path, ssl_err());
		goto fail;
	}
	BIO_free(b);
	return sk;
fail:
	BIO_free(b);
	sk_X509_pop_free(sk, X509_free);
	return NULL;
}

static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static int load_mine(const struct ike_cert_cfg *cfg, struct ike_creds *cr,
		     char *why, size_t wl)
{
	BIO *b;

	if (!cfg->cert[0] || !cfg->key[0]) {
		snprintf(why, wl, "no certificate_type x509 for this remote");
		return -ENOENT;
	}
	cr->chain = read_certs(cfg->cert, why, wl);
	if (!cr->chain)
		return -ENOENT;
	cr->cert = sk_X509_shift(cr->chain);
	b = BIO_new_file(cfg->key, "rb");
	cr->key = b ? PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL) :
		      NULL;
	BIO_free(b);
	if (!cr->key) {
		snprintf(why, wl, "cannot load private key \"%s\": %s",
			 cfg->key, ssl_err());
		return -ENOENT;
	}
	if (X509_check_private_key(cr->cert, cr->key) != 1) {
		snprintf(why, wl, "private key \"%s\" does not belong to "
			 "certificate \"%s\"", cfg->key, cfg->cert);
		ERR_clear_error();
		return -EINVAL;
	}
	return 0;
}

static int load_trust(const struct ike_cert_cfg *cfg, struct ike_creds *cr,
		      char *why, size_t wl)
{
	STACK_OF(X509) *sk;

	if (cfg->peer_cert[0]) {
		sk = read_certs(cfg->peer_cert, why, wl);
		if (!sk)
			return -ENOENT;
		cr->peer_cert = sk_X509_shift(sk);
		sk_X509_pop_free(sk, X509_free);
	}
	cr->store = X509_STORE_new();
	if (!cr->store)
		return -ENOMEM;
	if (cfg->ca[0]) {
		cr->cas = read_certs(cfg->ca, why, wl);
		/* The same file again for its CRLs (and certificates). */
		if (!cr->cas || X509_STORE_load_file(cr->store, cfg->ca) != 1) {
			if (cr->cas)
				snprintf(why, wl, "cannot load CA file \"%s\": "
					 "%s", cfg->ca, ssl_err());
			return -ENOENT;
		}
	}
	if (cfg->dir[0] && X509_STORE_load_path(cr->store, cfg->dir) != 1) {
		snprintf(why, wl, "cannot use path certificate \"%s\": %s",
			 cfg->dir, ssl_err());
		return -ENOENT;
	}
	ERR_clear_error();
	return 0;
}

int ike_creds_load(const struct ike_cert_cfg *cfg, bool mine, bool trust,
		   struct ike_creds *cr, char *why, size_t wl)
{
	int err = 0;

	memset(cr, 0, sizeof(*cr));
	if (mine)
		err = load_mine(cfg, cr, why, wl);
	if (!err && trust)
		err = load_trust(cfg, cr, why, wl);
	return err;
}

void ike_creds_free(struct ike_creds *cr)
{
	X509_free(cr->cert);
	sk_X509_pop_free(cr->chain, X509_free);
	EVP_PKEY_free(cr->key);
	X509_STORE_free(cr->store);
	sk_X509_pop_free(cr->cas, X509_free);
	X509_free(cr->peer_cert);
	memset(cr, 0, sizeof(*cr));
}

/* --- the peer's certificate --------------------------------------------- */

/* An issuer without a CRL is not a failure: only a CRL that lists the
 * certificate is (strongSwan's default too). */
static int verify_cb(int ok, X509_STORE_CTX *ctx)
{
	if (!ok && X509_STORE_CTX_get_error(ctx) == X509_V_ERR_UNABLE_TO_GET_CRL)
		return 1;
	return ok;
}

static const char *verify_reason(int err)
{
	switch (err) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return "expired";
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return "not yet valid";
	case X509_V_ERR_CERT_REVOKED:
		return "revoked";
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		return "unknown CA";
	}
	return X509_verify_cert_error_string(err);
}

static X509 *der_cert(const struct ike_opaque_pl *c)
{
	const unsigned char *p = c->data.ptr;
	X509 *x;

	if (c->type != CERT_ENC_X509_SIG || !c->data.len ||
	    c->data.len > 65535)
		return NULL;
	x = d2i_X509(NULL, &p, (long)c->data.len);
	if (x && p != c->data.ptr + c->data.len) {
		X509_free(x);
		x = NULL;
	}
	ERR_clear_error();
	return x;
}

static int chain_ok(const struct ike_creds *cr, X509 *leaf,
		    STACK_OF(X509) *untrusted, char *why, size_t wl)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	char name[256];
	int ok = 0, e;

	if (ctx && X509_STORE_CTX_init(ctx, cr->store, leaf, untrusted) == 1) {
		X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_CRL_CHECK);
		X509_STORE_CTX_set_verify_cb(ctx, verify_cb);
		ok = X509_verify_cert(ctx) == 1;
		if (!ok) {
			e = X509_STORE_CTX_get_error(ctx);
			X509_NAME_oneline(X509_get_subject_name(leaf), name,
					  sizeof(name));
			snprintf(why, wl, "certificate %s: %s (depth %d)",
				 name, verify_reason(e),
				 X509_STORE_CTX_get_error_depth(ctx));
		}
	} else {
		snprintf(why, wl, "cannot set up certificate verification");
	}
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return ok ? 0 : -EACCES;
}

int ike_cert_peer(const struct ike_creds *cr, const struct ike_cert_cfg *cfg,
		  const struct ike_opaque_pl *certs, unsigned int ncert,
		  X509 **out, char *why, size_t wl)
{
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509 *leaf = NULL, *x;
	int err = -EACCES;

	*out = NULL;
	if (!untrusted)
		return -ENOMEM;
	for (unsigned int i = 0; i < ncert; i++) {
		x = der_cert(&certs[i]);
		if (!x)
			continue;	/* other encodings: not ours to use */
		if (!leaf)
			leaf = x;
		else if (!sk_X509_push(untrusted, x))
			X509_free(x);
	}
	if (cr->peer_cert) {
		/* peers_certfile: that certificate and no other. */
		X509_free(leaf);
		leaf = X509_dup(cr->peer_cert);
		err = leaf ? 0 : -ENOMEM;
	} else if (!leaf) {
		snprintf(why, wl, "no X.509 certificate in CERT payloads and "
			 "no peers_certfile");
	} else if (!cfg->verify_cert) {
		err = 0;
	} else {
		err = chain_ok(cr, leaf, untrusted, why, wl);
	}
	sk_X509_pop_free(untrusted, X509_free);
	if (err)
		X509_free(leaf);
	else
		*out = leaf;
	return err;
}

/* --- identities --------------------------------------------------------- */

/* "DNS:gw.example, IP:10.1.1.1, email:a@b" for the log. */
static void san_list(X509 *x, char *buf, size_t len)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
					       NULL);
	size_t n = 0;
	char ip[INET6_ADDRSTRLEN];

	buf[0] = '\0';
	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens) && n < len;
	     i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const ASN1_STRING *s = NULL;
		const char *tag = NULL;
		int af = 0;

		if (g->type == GEN_DNS)
			tag = "DNS", s = g->d.dNSName;
		else if (g->type == GEN_EMAIL)
			tag = "email", s = g->d.rfc822Name;
		else if (g->type == GEN_IPADD)
			tag = "IP", s = g->d.iPAddress;
		if (!tag)
			continue;
		if (g->type == GEN_IPADD) {
			af = ASN1_STRING_length(s) == 4 ? AF_INET :
			     ASN1_STRING_length(s) == 16 ? AF_INET6 : 0;
			if (!af || !inet_ntop(af, ASN1_STRING_get0_data(s), ip,
					      sizeof(ip)))
				continue;
			n += (size_t)snprintf(buf + n, len - n, "%s%s:%s",
					      n ? ", " : "", tag, ip);
		} else {
			n += (size_t)snprintf(buf + n, len - n, "%s%s:%.*s",
					      n ? ", " : "", tag,
					      ASN1_STRING_length(s),
					      (const char *)
						      ASN1_STRING_get0_data(s));
		}
	}
	GENERAL_NAMES_free(gens);
	if (!buf[0])
		snprintf(buf, len, "none");
}

static const char *id_text(const struct ike_id *id, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	switch (id->type) {
	case IKE_ID_IPV4_ADDR:
	case IKE_ID_IPV6_ADDR:
		if (!inet_ntop(id->type == IKE_ID_IPV4_ADDR ? AF_INET : AF_INET6,
			       id->data, a, sizeof(a)))
			snprintf(a, sizeof(a), "?");
		snprintf(buf, len, "%s:%s", id->type == IKE_ID_IPV4_ADDR ?
			 "ipv4" : "ipv6", a);
		return buf;
	case IKE_ID_FQDN:
	case IKE_ID_RFC822_ADDR:
		snprintf(buf, len, "%s:", id->type == IKE_ID_FQDN ? "fqdn" :
			 "user_fqdn");
		/* The peer's text: printable ASCII only into our log. */
		for (size_t i = 0, n = strlen(buf); i < id->len && n + 1 < len;
		     i++, n++) {
			buf[n] = id->data[i] >= 0x20 && id->data[i] < 0x7f ?
				 (char)id->data[i] : '?';
			buf[n + 1] = '\0';
		}
		return buf;
	case IKE_ID_DER_ASN1_DN: {
		char dn[300];

		snprintf(buf, len, "asn1dn:%s",
			 ike_cert_dn_str(id->data, id->len, dn, sizeof(dn)));
		return buf;
	}
	}
	snprintf(buf, len, "%s", ike_id_type_name(id->type));
	return buf;
}

int ike_cert_match_id(X509 *x, const struct ike_id *id, char *why, size_t wl)
{
	char it[IKE_ID_MAX + 64], sans[512], subj[300];
	const unsigned char *p = id->data;
	X509_NAME *dn = NULL;
	int r = 0;

	switch (id->type) {
	case IKE_ID_IPV4_ADDR:
	case IKE_ID_IPV6_ADDR:
		r = X509_check_ip(x, id->data, id->len, 0);
		break;
	case IKE_ID_FQDN:
		r = X509_check_host(x, (const char *)id->data, id->len,
				    X509_CHECK_FLAG_NEVER_CHECK_SUBJECT |
				    X509_CHECK_FLAG_NO_WILDCARDS, NULL);
		break;
	case IKE_ID_RFC822_ADDR:
		r = X509_check_email(x, (const char *)id->data, id->len,
				     X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
		break;
	case IKE_ID_DER_ASN1_DN:
		dn = d2i_X509_NAME(NULL, &p, id->len);
		r = dn && p == id->data + id->len &&
		    !X509_NAME_cmp(dn, X509_get_subject_name(x));
		X509_NAME_free(dn);
		break;
	}
	ERR_clear_error();
	if (r == 1)
		return 0;
	id_text(id, it, sizeof(it));
	if (id->type == IKE_ID_DER_ASN1_DN) {
		uint8_t der[IKE_ID_MAX];
		unsigned char *q = der;
		int n = i2d_X509_NAME(X509_get_subject_name(x), NULL);

		if (n > 0 && n <= (int)sizeof(der))
			n = i2d_X509_NAME(X509_get_subject_name(x), &q);
		snprintf(why, wl, "identity mismatch: ID %s is not the "
			 "certificate's subject %s", it, n > 0 &&
			 n <= (int)sizeof(der) ?
			 ike_cert_dn_str(der, (size_t)n, subj, sizeof(subj)) :
			 "(too long)");
	} else if (id->type == IKE_ID_IPV4_ADDR ||
		   id->type == IKE_ID_IPV6_ADDR || id->type == IKE_ID_FQDN ||
		   id->type == IKE_ID_RFC822_ADDR) {
		san_list(x, sans, sizeof(sans));
		snprintf(why, wl, "identity mismatch: ID %s not in certificate "
			 "subjectAltName (%s)", it, sans);
	} else {
		snprintf(why, wl, "identity mismatch: an ID of type %s cannot "
			 "be matched with a certificate", it);
	}
	return -EACCES;
}

int ike_cert_subject_id(X509 *x, struct ike_id *id)
{
	unsigned char *p = id->data;
	int n = i2d_X509_NAME(X509_get_subject_name(x), NULL);

	memset(id, 0, sizeof(*id));
	if (n <= 0 || n > IKE_ID_MAX)
		return -E2BIG;
	p = id->data;
	i2d_X509_NAME(X509_get_subject_name(x), &p);
	id->type = IKE_ID_DER_ASN1_DN;
	id->len = (uint16_t)n;
	return 0;
}

size_t ike_cert_req_data(const struct ike_creds *cr, uint8_t *out, size_t cap)
{
	size_t n = 0;

	for (int i = 0; cr->cas && i < sk_X509_num(cr->cas) && n + 20 <= cap;
	     i++) {
		X509_PUBKEY *pk = X509_get_X509_PUBKEY(sk_X509_value(cr->cas, i));
		unsigned char *der = NULL;
		int len = i2d_X509_PUBKEY(pk, &der);
		unsigned int mdlen = 0;

		if (len > 0 && EVP_Digest(der, (size_t)len, out + n, &mdlen,
					  EVP_sha1(), NULL) == 1 && mdlen == 20)
			n += 20;
		OPENSSL_free(der);
	}
	ERR_clear_error();
	return n;
}

/* --- distinguished names as text --------------------------------------- */

int ike_cert_dn_from_str(const char *s, struct ike_id *id)
{
	X509_NAME *dn = X509_NAME_new();
	char buf[IKE_ID_MAX + 1], *tok, *save = NULL, *eq;
	const char *sep = s[0] == '/' ? "/" : ",";
	unsigned char *p;
	int n, err = -EINVAL;

	memset(id, 0, sizeof(*id));
	if (!dn || strlen(s) >= sizeof(buf))
		goto out;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, sep, &save); tok;
	     tok = strtok_r(NULL, sep, &save)) {
		while (*tok == ' ')
			tok++;
		eq = strchr(tok, '=');
		if (!eq || eq == tok)
			goto out;
		*eq = '\0';
		for (char *e = eq - 1; e > tok && *e == ' '; e--)
			*e = '\0';
		if (X509_NAME_add_entry_by_txt(dn, tok, MBSTRING_UTF8,
					       (const unsigned char *)eq + 1,
					       -1, -1, 0) != 1)
			goto out;
	}
	n = i2d_X509_NAME(dn, NULL);
	if (n <= 0 || n > IKE_ID_MAX || !X509_NAME_entry_count(dn))
		goto out;
	p = id->data;
	i2d_X509_NAME(dn, &p);
	id->type = IKE_ID_DER_ASN1_DN;
	id->len = (uint16_t)n;
	err = 0;
out:
	X509_NAME_free(dn);
	ERR_clear_error();
	return err;
}

const char *ike_cert_dn_str(const uint8_t *der, size_t len, char *buf,
			    size_t blen)
{
	const unsigned char *p = der;
	X509_NAME *dn = d2i_X509_NAME(NULL, &p, (long)len);
	BIO *b = BIO_new(BIO_s_mem());
	int n = 0;

	snprintf(buf, blen, "(not a DER distinguished name)");
	if (dn && b && p == der + len &&
	    X509_NAME_print_ex(b, dn, 0, XN_FLAG_ONELINE) >= 0) {
		n = BIO_read(b, buf, (int)blen - 1);
		buf[n > 0 ? n : 0] = '\0';
	}
	X509_NAME_free(dn);
	BIO_free(b);
	ERR_clear_error();
	return buf;
}
