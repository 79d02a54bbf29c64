// SPDX-License-Identifier: BSD-2-Clause
/*
 * The parser's plumbing (arena, allocation, diagnostics, paths) and the
 * builders of the global statements: path, log, padding, listen, timer.
 *
 * Allocation failures unwind to ikd_conf_parse() through oom_jmp (as the
 * scanner's do), so builders never check for NULL: the daemon reloading
 * its file gets an error, never a half-built model.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"
#include "conf_parse.h"

struct ikd_arena {
	struct ikd_arena *next;
	size_t used, cap;
	max_align_t data[];
};

#define ARENA_CHUNK	(64u << 10)

static void oom(struct ikd_cparse *p) __attribute__((noreturn));
static void oom(struct ikd_cparse *p)
{
	p->oom = true;
	longjmp(p->oom_jmp, 1);
}

void *ikd_cp_alloc(struct ikd_cparse *p, size_t n)
{
	struct ikd_arena *a = p->arena;
	size_t need = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	void *r;

	if (!need)
		need = sizeof(max_align_t);
	if (!a || a->cap - a->used < need) {
		size_t cap = need > ARENA_CHUNK ? need : ARENA_CHUNK;

		a = malloc(sizeof(*a) + cap);
		if (!a)
			oom(p);
		a->next = p->arena;
		a->used = 0;
		a->cap = cap;
		p->arena = a;
	}
	r = (char *)a->data + a->used;
	a->used += need;
	memset(r, 0, need);
	return r;
}

const char *ikd_cp_strndup(struct ikd_cparse *p, const char *s, size_t n)
{
	char *r = ikd_cp_alloc(p, n + 1);

	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

void ikd_cp_arena_free(struct ikd_cparse *p)
{
	while (p->arena) {
		struct ikd_arena *next = p->arena->next;

		free(p->arena);
		p->arena = next;
	}
}

void *ikd_cp_calloc(struct ikd_cparse *p, size_t n, size_t size)
{
	void *r = calloc(n ? n : 1, size ? size : 1);

	if (!r)
		oom(p);
	return r;
}

char *ikd_cp_strdup(struct ikd_cparse *p, const char *s)
{
	char *r;

	if (!s)
		return NULL;
	r = strdup(s);
	if (!r)
		oom(p);
	return r;
}

void *ikd_cp_push(struct ikd_cparse *p, void **v, size_t *n, size_t size)
{
	char *nv;

	if (*n >= SIZE_MAX / size - 1)
		oom(p);
	nv = realloc(*v, (*n + 1) * size);
	if (!nv)
		oom(p);
	*v = nv;
	memset(nv + *n * size, 0, size);
	return nv + (*n)++ * size;
}

const char *ikd_cp_intern(struct ikd_cparse *p, const char *name)
{
	struct ikd_conf_file *f;
	size_t len = strlen(name);

	for (f = p->conf->files; f; f = f->next)
		if (!strcmp(f->name, name))
			return f->name;
	f = malloc(sizeof(*f) + len + 1);
	if (!f)
		oom(p);
	memcpy(f->name, name, len + 1);
	f->next = p->conf->files;
	p->conf->files = f;
	return f->name;
}

void ikd_cp_error(struct ikd_cparse *p, const struct ikd_pos *pos,
		  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ikd_diag_vadd(p->d, IKD_DIAG_ERROR, pos, fmt, ap);
	va_end(ap);
}

void ikd_cp_warn(struct ikd_cparse *p, const struct ikd_pos *pos,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ikd_diag_vadd(p->d, IKD_DIAG_WARNING, pos, fmt, ap);
	va_end(ap);
}

void ikd_cp_noeffect(struct ikd_cparse *p, const struct ikd_pos *pos,
		     const char *what)
{
	ikd_cp_warn(p, pos, "%s is accepted but has no effect in ikd", what);
}

const char *ikd_cp_dir(struct ikd_cparse *p)
{
	if (p->conf->path_include)
		return p->conf->path_include;
	return p->nsrc ? p->src[p->nsrc - 1].dir : NULL;
}

const char *ikd_cp_resolve(struct ikd_cparse *p, const char *dir,
			   const char *path)
{
	size_t dl, pl;
	char *r;

	if (!dir || path[0] == '/' || path[0] == '~')
		return path;
	dl = strlen(dir);
	pl = strlen(path);
	r = ikd_cp_alloc(p, dl + pl + 2);
	memcpy(r, dir, dl);
	r[dl] = '/';
	memcpy(r + dl + 1, path, pl + 1);
	return r;
}

struct ikd_tok *ikd_tk(struct ikd_cparse *p, const struct ikd_cv *v,
		       const struct ikd_pos *pos)
{
	struct ikd_tok *t = ikd_cp_alloc(p, sizeof(*t));

	if (v && v->tok) {
		t->tok = v->tok;
		t->v = *v;
	}
	if (!t->v.s)
		t->v.s = "";
	t->pos = *pos;
	return t;
}

struct ikd_tok *ikd_tk_append(struct ikd_tok *list, struct ikd_tok *t)
{
	if (!t->tok)
		return list;
	if (!list) {
		t->tail = t;
		return t;
	}
	list->tail->next = t;
	list->tail = t;
	return list;
}

/* ------------------------------------------------------------------------
 * Global statements
 */

/* A setting written twice: the later one wins, as in racoon; say so. */
static void again(struct ikd_cparse *p, const struct ikd_pos *old,
		  const struct ikd_pos *now, const char *what)
{
	if (old->line)
		ikd_cp_warn(p, now, "%s given again: this replaces %s:%u:%u",
			    what, old->file, old->line, old->col);
}

void cb_path(struct ikd_cparse *p, const struct ikd_tok *type,
	     const struct ikd_tok *path)
{
	struct ikd_conf *c = p->conf;
	const char *t = type->v.s;
	const char *dir = p->nsrc ? p->src[p->nsrc - 1].dir : NULL;
	char **dst;
	struct ikd_pos *dpos;
	char what[64];

	if (!strcmp(t, "backupsa") || !strcmp(t, "script")) {
		snprintf(what, sizeof(what), "path %s", t);
		ikd_cp_warn(p, &type->pos, "%s is accepted but has no effect in "
			    "ikd (%s)", what, t[0] == 'b' ?
			    "ikd does not save SAs for -B" :
			    "ikd runs no hook scripts");
		return;
	}
	if (!strcmp(t, "include")) {
		dst = &c->path_include;
		dpos = &c->path_include_pos;
	} else if (!strcmp(t, "pre_shared_key")) {
		dst = &c->path_psk;
		dpos = &c->path_psk_pos;
	} else if (!strcmp(t, "certificate")) {
		dst = &c->path_cert;
		dpos = &c->path_cert_pos;
	} else if (!strcmp(t, "pidfile")) {
		dst = &c->path_pidfile;
		dpos = &c->path_pidfile_pos;
	} else {
		ikd_cp_error(p, &type->pos, "unknown path type '%s' (include, "
			     "pre_shared_key, certificate, pidfile, backupsa "
			     "or script)", t);
		return;
	}
	if (!*path->v.s) {
		ikd_cp_error(p, &path->pos, "path %s needs a file name", t);
		return;
	}
	snprintf(what, sizeof(what), "path %s", t);
	again(p, dpos, &type->pos, what);
	free(*dst);
	*dst = ikd_cp_strdup(p, ikd_cp_resolve(p, dir, path->v.s));
	*dpos = type->pos;
}

void cb_include(struct ikd_cparse *p, const struct ikd_tok *path)
{
	ikd_lex_include(p, path->v.s, &path->pos);
}

static const char *const log_levels[] = {
	[IKD_LOG_ERROR] = "error", [IKD_LOG_WARNING] = "warning",
	[IKD_LOG_NOTIFY] = "notify", [IKD_LOG_INFO] = "info",
	[IKD_LOG_DEBUG] = "debug", [IKD_LOG_DEBUG2] = "debug2",
};

void cb_log(struct ikd_cparse *p, const struct ikd_tok *w)
{
	for (size_t i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++)
		if (!strcmp(log_levels[i], w->v.s)) {
			again(p, &p->conf->log_pos, &w->pos, "log");
			p->conf->log_level = (enum ikd_log_level)i;
			p->conf->log_pos = w->pos;
			return;
		}
	ikd_cp_error(p, &w->pos, "unknown log level '%s' (error, warning, "
		     "notify, info, debug or debug2)", w->v.s);
}

void cb_padding(struct ikd_cparse *p, const struct ikd_tok *kw,
		const struct ikd_tok *v)
{
	struct ikd_conf *c = p->conf;
	const char *name = ikd_kw_name(kw->v.kw);
	bool *b = NULL, val;
	struct ikd_pos *pos;

	switch (kw->v.kw) {
	case KW_RANDOMIZE:
		b = &c->pad_randomize;
		pos = &c->pad_randomize_pos;
		break;
	case KW_RANDOMIZE_LENGTH:
		b = &c->pad_randomize_length;
		pos = &c->pad_randomize_length_pos;
		break;
	case KW_EXCLUSIVE_TAIL:
		b = &c->pad_exclusive_tail;
		pos = &c->pad_exclusive_tail_pos;
		break;
	case KW_STRICT_CHECK:
		b = &c->pad_strict_check;
		pos = &c->pad_strict_check_pos;
		break;
	default:
		/* IKEv1 pads to at most 255 bytes (its last byte counts). */
		if (cv_u32(p, v, 0, 255, name, &c->pad_maximum_length)) {
			again(p, &c->pad_maximum_length_pos, &kw->pos, name);
			c->pad_maximum_length_pos = kw->pos;
		}
		return;
	}
	if (!cv_switch(p, v, &val))
		return;
	again(p, pos, &kw->pos, name);
	*b = val;
	*pos = kw->pos;
}

void cb_listen(struct ikd_cparse *p, const struct ikd_tok *kw,
	       const struct ikd_tok *addr, const struct ikd_tok *port)
{
	struct ikd_conf *c = p->conf;
	bool natt = kw->v.kw == KW_ISAKMP_NATT;
	struct ikd_listen *l;
	struct ikd_addr a;
	char buf[IKD_ADDR_STRLEN];

	if (!cv_addr_port(p, addr, port, &a))
		return;
	if (!port->tok)
		a.port = natt ? 4500 : 500;
	for (size_t i = 0; i < c->n_listen; i++)
		if (ikd_addr_eq(&c->listen[i].addr, &a)) {
			ikd_cp_error(p, &addr->pos, "%s is listed already at "
				     "%s:%u:%u", ikd_addr_str(&a, true, buf),
				     c->listen[i].pos.file,
				     c->listen[i].pos.line,
				     c->listen[i].pos.col);
			return;
		}
	l = ikd_cp_push(p, (void **)&c->listen, &c->n_listen, sizeof(*l));
	l->addr = a;
	l->natt = natt;
	l->pos = kw->pos;
}

/* racoon writes the mode's octal digits as a decimal number ("0660"). */
static bool octal_mode(struct ikd_cparse *p, const struct ikd_tok *m,
		       int *mode)
{
	const char *s = m->v.s;
	int v = 0;

	if (strlen(s) > 4 || strspn(s, "01234567") != strlen(s)) {
		ikd_cp_error(p, &m->pos, "mode %s is not an octal mode like "
			     "0660", s);
		return false;
	}
	for (; *s; s++)
		v = v * 8 + (*s - '0');
	*mode = v;
	return true;
}

void cb_adminsock(struct ikd_cparse *p, const struct ikd_tok *kw,
		  const struct ikd_tok *t, size_t n)
{
	struct ikd_conf *c = p->conf;
	int mode = -1;

	if (t[0].tok == T_WORD) {
		if (strcmp(t[0].v.s, "disabled")) {
			ikd_cp_error(p, &t[0].pos, "expected a quoted path or "
				     "disabled, found '%s'", t[0].v.s);
			return;
		}
	} else if (!*t[0].v.s) {
		ikd_cp_error(p, &t[0].pos, "adminsock needs a path");
		return;
	}
	if (n == 4 && (!*t[1].v.s || !*t[2].v.s)) {
		ikd_cp_error(p, !*t[1].v.s ? &t[1].pos : &t[2].pos,
			     "adminsock needs an owner and a group");
		return;
	}
	if (n == 4 && !octal_mode(p, &t[3], &mode))
		return;
	again(p, &c->adminsock_pos, &kw->pos, "adminsock");
	free(c->adminsock);
	free(c->adminsock_owner);
	free(c->adminsock_group);
	c->adminsock = c->adminsock_owner = c->adminsock_group = NULL;
	c->adminsock_disabled = t[0].tok == T_WORD;
	if (!c->adminsock_disabled)
		c->adminsock = ikd_cp_strdup(p, t[0].v.s);
	if (n == 4) {
		c->adminsock_owner = ikd_cp_strdup(p, t[1].v.s);
		c->adminsock_group = ikd_cp_strdup(p, t[2].v.s);
	}
	c->adminsock_mode = mode;
	c->adminsock_pos = kw->pos;
}

void cb_strict_address(struct ikd_cparse *p, const struct ikd_tok *kw)
{
	p->conf->strict_address = true;
	p->conf->strict_address_pos = kw->pos;
}

void cb_listen_limit(struct ikd_cparse *p, const struct ikd_tok *kw,
		     const struct ikd_tok *n)
{
	struct ikd_conf *c = p->conf;
	const char *name = ikd_kw_name(kw->v.kw);
	bool cookie = kw->v.kw == KW_COOKIE_THRESHOLD;
	struct ikd_pos *pos = cookie ? &c->cookie_threshold_pos :
			      &c->half_open_per_source_pos;
	uint32_t val;

	if (!cv_u32(p, n, 1, 1000000, name, &val))
		return;
	again(p, pos, &kw->pos, name);
	*(cookie ? &c->cookie_threshold : &c->half_open_per_source) = val;
	*pos = kw->pos;
}

void cb_timer(struct ikd_cparse *p, const struct ikd_tok *kw,
	      const struct ikd_tok *n, const struct ikd_tok *unit)
{
	struct ikd_conf *c = p->conf;
	const char *name = ikd_kw_name(kw->v.kw);
	uint32_t *v, min = 1, val;
	struct ikd_pos *pos;
	bool timed = true;

	switch (kw->v.kw) {
	case KW_COUNTER:
		v = &c->retry_counter;
		pos = &c->retry_counter_pos;
		timed = false;
		min = 0;
		break;
	case KW_PERSEND:
		v = &c->retry_persend;
		pos = &c->retry_persend_pos;
		timed = false;
		break;
	case KW_INTERVAL:
		v = &c->retry_interval;
		pos = &c->retry_interval_pos;
		break;
	case KW_PHASE1:
		v = &c->phase1_timeout;
		pos = &c->phase1_timeout_pos;
		break;
	case KW_PHASE2:
		v = &c->phase2_timeout;
		pos = &c->phase2_timeout_pos;
		break;
	default:
		v = &c->natt_keepalive;
		pos = &c->natt_keepalive_pos;
		min = 0;
		break;
	}
	if (!timed && unit->tok) {
		ikd_cp_error(p, &unit->pos, "%s is a count: drop '%s'", name,
			     unit->v.s);
		return;
	}
	if (timed ? !cv_time(p, n, unit, &val) :
		    !cv_u32(p, n, min, UINT32_MAX, name, &val))
		return;
	if (val < min) {
		ikd_cp_error(p, &n->pos, "%s must be at least 1 second", name);
		return;
	}
	again(p, pos, &kw->pos, name);
	*v = val;
	*pos = kw->pos;
}

void cb_lifetime(struct ikd_cparse *p, enum ikd_ctx ctx,
		 const struct ikd_tok *kw, const struct ikd_tok *type,
		 const struct ikd_tok *n, const struct ikd_tok *unit)
{
	uint32_t secs, *dst;
	struct ikd_pos *dpos;
	uint64_t bytes;

	if (!strcmp(type->v.s, "byte")) {
		if (!cv_bytes(p, n, unit, &bytes))
			return;
		if (ctx != CTX_SAINFO) {
			ikd_cp_warn(p, &kw->pos, "lifetime byte is accepted but "
				    "has no effect in ikd (phase 1 SAs expire "
				    "by time only)");
			return;
		}
		p->sainfo->lifebytes = bytes;
		p->sainfo->lifebytes_pos = kw->pos;
		return;
	}
	if (strcmp(type->v.s, "time")) {
		ikd_cp_error(p, &type->pos, "expected time or byte after "
			     "lifetime, found '%s'", type->v.s);
		return;
	}
	if (!cv_time(p, n, unit, &secs))
		return;
	if (!secs) {
		ikd_cp_error(p, &n->pos, "a lifetime of 0 seconds");
		return;
	}
	switch (ctx) {
	case CTX_REMOTE:
		dst = &p->remote->lifetime;
		dpos = &p->remote->lifetime_pos;
		break;
	case CTX_PROPOSAL:
		dst = &p->prop->lifetime;
		dpos = &p->prop->lifetime_pos;
		break;
	default:
		dst = &p->sainfo->lifetime;
		dpos = &p->sainfo->lifetime_pos;
		break;
	}
	*dst = secs;
	*dpos = kw->pos;
}
