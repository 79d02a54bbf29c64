// SPDX-License-Identifier: BSD-2-Clause
/*
 * ikd_conf_check_files(): what `ikd -n` checks beyond the syntax, in the
 * environment the daemon will run in. Certificates and keys are loaded
 * with OpenSSL 3 (PEM, or DER for certificates, as racoon's
 * eay_get_x509cert() takes); an encrypted private key is refused rather
 * than prompting for a passphrase nobody will type.
 */
#include <errno.h>
#include <stddef.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "conf.h"
#include "psk.h"

/* OpenSSL's reason for the last failure, and an empty error queue. */
static const char *ssl_reason(char *buf, size_t len)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	snprintf(buf, len, "%s", r ? r : "not a certificate or key OpenSSL "
		 "reads");
	ERR_clear_error();
	return buf;
}

static X509 *load_cert(const char *path, const struct ikd_pos *pos,
		       const char *what, struct ikd_diag *d)
{
	char why[160];
	X509 *x = NULL;
	BIO *b = (errno = 0, BIO_new_file(path, "rb"));

	if (!b) {
		ERR_clear_error();
		ikd_diag_error(d, pos, "cannot read %s \"%s\": %s", what, path,
			       strerror(errno ? errno : ENOENT));
		return NULL;
	}
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	if (!x) {
		/* PEM's reason: DER is the fallback, rarely the intent */
		ssl_reason(why, sizeof(why));
		if (BIO_reset(b) == 0)
			x = d2i_X509_bio(b, NULL);
		ERR_clear_error();
	}
	BIO_free(b);
	if (!x)
		ikd_diag_error(d, pos, "cannot load %s \"%s\": not a PEM or DER "
			       "certificate (OpenSSL: %s)", what, path, why);
	return x;
}

static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static EVP_PKEY *load_key(const char *path, const struct ikd_pos *pos,
			  struct ikd_diag *d)
{
	char why[160];
	EVP_PKEY *k;
	struct stat st;
	BIO *b = (errno = 0, BIO_new_file(path, "rb"));

	if (!b) {
		ERR_clear_error();
		ikd_diag_error(d, pos, "cannot read private key \"%s\": %s",
			       path, strerror(errno ? errno : ENOENT));
		return NULL;
	}
	k = PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL);
	BIO_free(b);
	if (!k) {
		ikd_diag_error(d, pos, "cannot load private key \"%s\": %s "
			       "(an encrypted key cannot be used)", path,
			       ssl_reason(why, sizeof(why)));
		return NULL;
	}
	if (!stat(path, &st) && (st.st_mode & (S_IRWXG | S_IRWXO)))
		ikd_diag_warn(d, pos, "private key \"%s\" is accessible by "
			      "group or others (mode %04o); run chmod 600 %s",
			      path, (unsigned int)(st.st_mode & 07777), path);
	return k;
}

static bool pos_eq(const struct ikd_pos *a, const struct ikd_pos *b)
{
	return a->line && a->file == b->file && a->line == b->line &&
	       a->col == b->col;
}

/* Was the statement at @pos checked already, for a block that inherits
 * it from an earlier one? */
static bool seen(const struct ikd_conf *c, const struct ikd_remote *upto,
		 size_t off)
{
	const struct ikd_pos *pos = (const void *)((const char *)upto + off);

	for (const struct ikd_remote *o = c->remotes; o != upto; o = o->next)
		if (pos_eq((const void *)((const char *)o + off), pos))
			return true;
	return false;
}

#define SEEN(c, r, field)	seen((c), (r), offsetof(struct ikd_remote, field))

static void check_remote_certs(const struct ikd_conf *c,
			       const struct ikd_remote *r, struct ikd_diag *d)
{
	X509 *x;

	if (r->cert_path && !SEEN(c, r, cert_pos)) {
		EVP_PKEY *k;

		x = load_cert(r->cert_path, &r->cert_pos, "certificate", d);
		k = load_key(r->key_path, &r->cert_pos, d);
		if (x && k && X509_check_private_key(x, k) != 1) {
			ERR_clear_error();
			ikd_diag_error(d, &r->cert_pos, "private key \"%s\" does "
				       "not belong to certificate \"%s\"",
				       r->key_path, r->cert_path);
		}
		X509_free(x);
		EVP_PKEY_free(k);
	}
	if (r->peers_cert_path && !SEEN(c, r, peers_cert_pos)) {
		x = load_cert(r->peers_cert_path, &r->peers_cert_pos,
			      "peer certificate", d);
		X509_free(x);
	}
	if (r->ca_path && !SEEN(c, r, ca_pos)) {
		x = load_cert(r->ca_path, &r->ca_pos, "CA certificate", d);
		X509_free(x);
	}
}

static void check_keyid(const struct ikd_id *id, struct ikd_diag *d)
{
	struct stat st;

	if (id->type != IKD_ID_KEYID || !id->key_file || !id->value)
		return;
	if (stat(id->value, &st))
		ikd_diag_error(d, &id->pos, "cannot read keyid file \"%s\": %s",
			       id->value, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		ikd_diag_error(d, &id->pos, "keyid file \"%s\" is not a regular "
			       "file", id->value);
}

static bool uses_psk(const struct ikd_remote *r,
		     const struct ikd_pos **where)
{
	for (size_t i = 0; i < r->n_proposal; i++) {
		enum ikd_auth_method m = r->proposal[i].auth_method;

		if (m == IKD_AUTH_PSK || m == IKD_AUTH_XAUTH_PSK_CLIENT ||
		    m == IKD_AUTH_XAUTH_PSK_SERVER) {
			*where = &r->proposal[i].auth_method_pos;
			return true;
		}
	}
	return false;
}

static void check_adminsock(const struct ikd_conf *c, struct ikd_diag *d)
{
	char *end;

	if (c->adminsock_owner && !getpwnam(c->adminsock_owner) &&
	    (strtoul(c->adminsock_owner, &end, 10), *end))
		ikd_diag_error(d, &c->adminsock_pos, "unknown user \"%s\"",
			       c->adminsock_owner);
	if (c->adminsock_group && !getgrnam(c->adminsock_group) &&
	    (strtoul(c->adminsock_group, &end, 10), *end))
		ikd_diag_error(d, &c->adminsock_pos, "unknown group \"%s\"",
			       c->adminsock_group);
}

int ikd_conf_check_files(const struct ikd_conf *c, struct ikd_diag *d)
{
	size_t errors = d->nerrors;
	const struct ikd_pos *psk_user = NULL;
	struct stat st;

	for (const struct ikd_remote *r = c->remotes; r && !psk_user;
	     r = r->next)
		uses_psk(r, &psk_user);
	if (c->path_psk && stat(c->path_psk, &st)) {
		ikd_diag_error(d, &c->path_psk_pos, "cannot read pre-shared "
			       "key file \"%s\": %s", c->path_psk,
			       strerror(errno));
	} else if (c->path_psk) {
		struct ikd_psk *psk;

		if (!ikd_psk_load(c->path_psk, &psk, d))
			ikd_psk_free(psk);
	} else if (psk_user) {
		ikd_diag_error(d, psk_user, "pre_shared_key authentication needs "
			       "a key file: add path pre_shared_key");
	}
	if (c->path_cert && stat(c->path_cert, &st))
		ikd_diag_error(d, &c->path_cert_pos, "path certificate \"%s\": "
			       "%s", c->path_cert, strerror(errno));
	else if (c->path_cert && !S_ISDIR(st.st_mode))
		ikd_diag_error(d, &c->path_cert_pos, "path certificate \"%s\" "
			       "is not a directory", c->path_cert);
	for (const struct ikd_remote *r = c->remotes; r; r = r->next) {
		check_remote_certs(c, r, d);
		if (!SEEN(c, r, my_id.pos))
			check_keyid(&r->my_id, d);
		/* peers_identifier: inherited ones come first, checked there */
		for (size_t i = 0; i < r->n_peers_id; i++) {
			bool dup = false;

			for (const struct ikd_remote *o = c->remotes; o != r;
			     o = o->next)
				for (size_t j = 0; j < o->n_peers_id; j++)
					dup |= pos_eq(&o->peers_id[j].pos,
						      &r->peers_id[i].pos);
			if (!dup)
				check_keyid(&r->peers_id[i], d);
		}
	}
	check_adminsock(c, d);
	return (int)(d->nerrors - errors);
}
