// SPDX-License-Identifier: BSD-2-Clause
/*
 * Test certificates made on the spot with OpenSSL (included by the unit
 * tests that need them, as fake_kernel.c is): keys of each type, a CA, host
 * certificates with subjectAltNames and chosen validity, a CRL, all
 * written as PEM into a fresh directory.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* "rsa", "rsa-pss", "ec256", "ec384", "ed25519" */
static __attribute__((unused)) EVP_PKEY *fx_key(const char *type)
{
	if (!strcmp(type, "rsa"))
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	if (!strcmp(type, "rsa-pss")) {
		EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "RSA-PSS",
							     NULL);
		EVP_PKEY *k = NULL;

		if (!c || EVP_PKEY_keygen_init(c) != 1 ||
		    EVP_PKEY_CTX_set_rsa_keygen_bits(c, 2048) != 1 ||
		    EVP_PKEY_keygen(c, &k) != 1)
			abort();
		EVP_PKEY_CTX_free(c);
		return k;
	}
	if (!strcmp(type, "ec256"))
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (!strcmp(type, "ec384"))
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	if (!strcmp(type, "ed25519"))
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	return NULL;
}

static __attribute__((unused)) void fx_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!e)
		abort();
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
}

/* A certificate for @key named CN=@cn (O=kipsec test), signed by @issuer
 * (NULL: self-signed CA). @san: "DNS:x,IP:y" or NULL. Valid from
 * @from_days to @to_days around now. */
static __attribute__((unused)) X509 *fx_cert(const char *cn, EVP_PKEY *key, X509 *issuer,
		     EVP_PKEY *ikey, const char *san, long serial,
		     long from_days, long to_days)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	EVP_PKEY *signer = issuer ? ikey : key;
	int t = EVP_PKEY_get_base_id(signer);

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC,
				   (const unsigned char *)"kipsec test", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	X509_NAME_free(n);
	X509_gmtime_adj(X509_getm_notBefore(x), from_days * 86400);
	X509_gmtime_adj(X509_getm_notAfter(x), to_days * 86400);
	X509_set_pubkey(x, key);
	if (!issuer)
		fx_ext(x, NULL, NID_basic_constraints, "critical,CA:TRUE");
	if (san)
		fx_ext(x, issuer, NID_subject_alt_name, san);
	if (!X509_sign(x, signer, t == EVP_PKEY_ED25519 ? NULL : EVP_sha256()))
		abort();
	return x;
}

/* A CRL of @ca listing @serial. */
static __attribute__((unused)) X509_CRL *fx_crl(X509 *ca, EVP_PKEY *cakey, long serial)
{
	X509_CRL *crl = X509_CRL_new();
	X509_REVOKED *r = X509_REVOKED_new();
	ASN1_INTEGER *sn = ASN1_INTEGER_new();
	ASN1_TIME *t = ASN1_TIME_new();

	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca));
	X509_gmtime_adj(t, -3600);
	X509_CRL_set1_lastUpdate(crl, t);
	X509_gmtime_adj(t, 86400);
	X509_CRL_set1_nextUpdate(crl, t);
	ASN1_INTEGER_set(sn, serial);
	X509_REVOKED_set_serialNumber(r, sn);
	X509_gmtime_adj(t, -60);
	X509_REVOKED_set_revocationDate(r, t);
	X509_CRL_add0_revoked(crl, r);
	X509_CRL_sort(crl);
	ASN1_INTEGER_free(sn);
	ASN1_TIME_free(t);
	if (!X509_CRL_sign(crl, cakey, EVP_sha256()))
		abort();
	return crl;
}

/* @path/@name gets @x (appended with @append). */
static __attribute__((unused)) void fx_write_cert(const char *dir, const char *name, X509 *x,
			  bool append)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, append ? "a" : "w");
	if (!f || !PEM_write_X509(f, x))
		abort();
	fclose(f);
}

static __attribute__((unused)) void fx_write_crl(const char *dir, const char *name, X509_CRL *c)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "a");
	if (!f || !PEM_write_X509_CRL(f, c))
		abort();
	fclose(f);
}

static __attribute__((unused)) void fx_write_key(const char *dir, const char *name, EVP_PKEY *k)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (!f || !PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL))
		abort();
	fclose(f);
	chmod(p, 0600);
}

/* A fresh directory under $TMPDIR (the caller removes it). */
static __attribute__((unused)) void fx_dir(char *buf, size_t len)
{
	const char *t = getenv("TMPDIR");

	snprintf(buf, len, "%s/ikd-cert-XXXXXX", t ? t : "/tmp");
	if (!mkdtemp(buf))
		abort();
}

static __attribute__((unused)) void fx_rmdir(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		abort();
}
