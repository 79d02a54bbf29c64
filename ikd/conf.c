// SPDX-License-Identifier: BSD-2-Clause
/*
 * Loading a configuration: one parse of the file and what it includes,
 * every diagnostic collected, then the model only if there was no error,
 * so that a reload keeps the running configuration when the file is bad.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"

static void conf_defaults(struct ikd_conf *c)
{
	c->log_level = IKD_LOG_NOTIFY;
	c->adminsock_mode = -1;
	c->retry_counter = IKD_RETRY_COUNTER_DEFAULT;
	c->retry_interval = IKD_RETRY_INTERVAL_DEFAULT;
	c->retry_persend = IKD_RETRY_PERSEND_DEFAULT;
	c->phase1_timeout = IKD_PHASE1_TIMEOUT_DEFAULT;
	c->phase2_timeout = IKD_PHASE2_TIMEOUT_DEFAULT;
	c->natt_keepalive = IKD_NATT_KEEPALIVE_DEFAULT;
	c->pad_randomize = true;
	c->pad_exclusive_tail = true;
	c->pad_maximum_length = IKD_PAD_MAXLEN_DEFAULT;
}

void ikd_conf_free(struct ikd_conf *c)
{
	if (!c)
		return;
	free(c->path_include);
	free(c->path_psk);
	free(c->path_cert);
	free(c->path_pidfile);
	free(c->listen);
	free(c->adminsock);
	free(c->adminsock_owner);
	free(c->adminsock_group);
	while (c->remotes) {
		struct ikd_remote *next = c->remotes->next;

		ikd_remote_free(c->remotes);
		c->remotes = next;
	}
	while (c->sainfos) {
		struct ikd_sainfo *next = c->sainfos->next;

		ikd_sainfo_free(c->sainfos);
		c->sainfos = next;
	}
	while (c->files) {
		struct ikd_conf_file *next = c->files->next;

		free(c->files);
		c->files = next;
	}
	free(c);
}

/* The directory of the file a statement stands in (NULL: a buffer). */
static char *stmt_dir(const struct ikd_cparse *p, const struct ikd_pos *pos)
{
	const char *slash;

	if (p->buffer_mode || !pos->file)
		return NULL;
	slash = strrchr(pos->file, '/');
	if (!slash)
		return strdup(".");
	return strndup(pos->file, slash == pos->file ? 1 :
				  (size_t)(slash - pos->file));
}

/* Certificate files are relative to `path certificate`, wherever in the
 * file it stands, else to the directory of the statement's file. */
static char *cert_path(struct ikd_cparse *p, const char *file,
		       const struct ikd_pos *pos)
{
	char *dir = NULL, *r;

	if (!file)
		return NULL;
	if (file[0] != '/' && !p->conf->path_cert)
		dir = stmt_dir(p, pos);
	r = ikd_cp_strdup(p, ikd_cp_resolve(p, p->conf->path_cert ?
					    p->conf->path_cert : dir, file));
	free(dir);
	return r;
}

/* A keyid file named relative to the file that names it. */
static void keyid_path(struct ikd_cparse *p, struct ikd_id *id)
{
	char *dir, *abs;

	if (id->type != IKD_ID_KEYID || !id->key_file || !id->value ||
	    id->value[0] == '/' || !(dir = stmt_dir(p, &id->pos)))
		return;
	abs = ikd_cp_strdup(p, ikd_cp_resolve(p, dir, id->value));
	free(dir);
	free(id->value);
	id->value = abs;
}

static void finalize(struct ikd_cparse *p)
{
	for (struct ikd_remote *r = p->conf->remotes; r; r = r->next) {
		keyid_path(p, &r->my_id);
		for (size_t i = 0; i < r->n_peers_id; i++)
			keyid_path(p, &r->peers_id[i]);
		r->cert_path = cert_path(p, r->cert_file, &r->cert_pos);
		r->key_path = cert_path(p, r->key_file, &r->cert_pos);
		r->peers_cert_path = cert_path(p, r->peers_cert_file,
					       &r->peers_cert_pos);
		r->ca_path = cert_path(p, r->ca_file, &r->ca_pos);
	}
}

/* Takes @text (malloc'd, or NULL with len 0). */
static int parse(const char *name, char *text, size_t len, const char *dir,
		 const char *real, bool buffer_mode, struct ikd_conf **out,
		 struct ikd_diag *d)
{
	struct ikd_cparse *p = calloc(1, sizeof(*p));
	struct ikd_pos file = { .file = name };
	size_t errors = d->nerrors;
	volatile int rc = 0;

	*out = NULL;
	if (!p || !(p->conf = calloc(1, sizeof(*p->conf)))) {
		free(p);
		free(text);
		ikd_diag_error(d, &file, "out of memory");
		return -ENOMEM;
	}
	p->d = d;
	p->buffer_mode = buffer_mode;
	p->remote_tail = &p->conf->remotes;
	p->sainfo_tail = &p->conf->sainfos;
	conf_defaults(p->conf);
	/* The scanner owns @text from here, even when it fails. */
	if (!setjmp(p->oom_jmp)) {
		if (ikd_lex_open(p, name, text, len, dir, real) < 0) {
			p->oom = true;
		} else {
			rc = ikd_conf_parse_run(p);
			if (rc == 0 && d->nerrors == errors)
				finalize(p);
		}
	}
	ikd_lex_close(p);
	free(p->braces);
	ikd_remote_free(p->remote);
	ikd_sainfo_free(p->sainfo);
	ikd_cp_arena_free(p);
	if (p->oom || rc == 2) {
		ikd_diag_error(d, &file, "out of memory");
		rc = -ENOMEM;
	} else if (d->nerrors != errors || rc) {
		if (d->nerrors == errors)
			ikd_diag_error(d, &file, "cannot be parsed");
		rc = -EINVAL;
	}
	if (rc)
		ikd_conf_free(p->conf);
	else
		*out = p->conf;
	free(p);
	return rc;
}

int ikd_conf_load_file(const char *path, struct ikd_conf **out,
		       struct ikd_diag *d)
{
	struct ikd_pos file = { .file = path };
	char real[PATH_MAX], *text, *dir;
	const char *slash = strrchr(path, '/');
	size_t len;
	int err, rc;

	*out = NULL;
	err = ikd_read_file(path, &text, &len);
	if (!err && !realpath(path, real))
		err = -errno;
	if (err) {
		free(text);
		ikd_diag_error(d, &file, "cannot read: %s", err == -EINVAL ?
			       "not a regular file" : strerror(-err));
		return err == -ENOMEM ? -ENOMEM : -EINVAL;
	}
	if (!slash)
		dir = strdup(".");
	else
		dir = strndup(path, slash == path ? 1 : (size_t)(slash - path));
	if (!dir) {
		free(text);
		ikd_diag_error(d, &file, "out of memory");
		return -ENOMEM;
	}
	rc = parse(path, text, len, dir, real, false, out, d);
	free(dir);
	return rc;
}

int ikd_conf_load_buffer(const char *name, const char *text, size_t len,
			 struct ikd_conf **out, struct ikd_diag *d)
{
	char *copy = malloc(len + 1);

	*out = NULL;
	if (!copy) {
		ikd_diag_error(d, &(struct ikd_pos){ .file = name },
			       "out of memory");
		return -ENOMEM;
	}
	if (len)
		memcpy(copy, text, len);
	copy[len] = '\0';
	return parse(name, copy, len, NULL, NULL, true, out, d);
}

/* ------------------------------------------------------------------------
 * Lookups
 */
const struct ikd_remote *ikd_conf_find_remote(const struct ikd_conf *c,
					      const struct ikd_addr *peer)
{
	const struct ikd_remote *any_port = NULL, *anon = NULL;

	for (const struct ikd_remote *r = c->remotes; r; r = r->next) {
		if (r->anonymous) {
			if (r->addr.port && peer->port &&
			    r->addr.port == peer->port)
				anon = r;
			else if (!r->addr.port && !anon)
				anon = r;
			continue;
		}
		if (!r->addr.family || !ikd_addr_eq_noport(&r->addr, peer))
			continue;
		if (r->addr.port == peer->port)
			return r;
		if ((!r->addr.port || !peer->port) && !any_port)
			any_port = r;
	}
	return any_port ? any_port : anon;
}

const struct ikd_remote *ikd_conf_find_remote_by_name(const struct ikd_conf *c,
						      const char *name)
{
	for (const struct ikd_remote *r = c->remotes; r; r = r->next)
		if (r->name && !strcmp(r->name, name))
			return r;
	return NULL;
}

const char *ikd_remote_str(const struct ikd_remote *r, char *buf, size_t len)
{
	char a[IKD_ADDR_STRLEN];

	if (r->name)
		snprintf(buf, len, "\"%s\"", r->name);
	else if (r->anonymous && r->addr.port)
		snprintf(buf, len, "anonymous [%u]", r->addr.port);
	else if (r->anonymous)
		snprintf(buf, len, "anonymous");
	else
		snprintf(buf, len, "%s", ikd_addr_str(&r->addr,
						       r->addr.port != 0, a));
	return buf;
}
