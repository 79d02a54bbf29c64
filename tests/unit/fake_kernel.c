// SPDX-License-Identifier: BSD-2-Clause
/*
 * Test doubles for the IKE engine (see fake_kernel.h). Included once by
 * the test or fuzz target that uses them.
 */
#include "fake_kernel.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "../../ikd/log.h"

/* --- the kernel --------------------------------------------------------- */

static struct fake_kernel *fk_of(struct ikd_kernel *k)
{
	return (struct fake_kernel *)k;
}

static void record(struct fake_kernel *fk, enum fk_op op, uint32_t spi,
		   uint32_t id)
{
	if (fk->ncalls < FK_MAX_CALLS)
		fk->calls[fk->ncalls++] = (struct fk_call){ op, spi, id };
}

static int fk_open(struct ikd_kernel *k, const struct ikd_kernel_events *ev)
{
	k->ev = *ev;
	return 0;
}

static void fk_close(struct ikd_kernel *k)
{
	(void)k;
}

static int fk_fd(struct ikd_kernel *k)
{
	(void)k;
	return -1;
}

static int fk_dispatch(struct ikd_kernel *k)
{
	(void)k;
	return 0;
}

struct fake_sa *fake_kernel_find(struct fake_kernel *fk, uint8_t proto,
				 uint32_t spi, const struct ikd_addr *dst)
{
	for (unsigned int i = 0; i < fk->nsa; i++)
		if (fk->sad[i].sa.proto == proto && fk->sad[i].sa.spi == spi &&
		    ikd_addr_eq_noport(&fk->sad[i].sa.dst, dst))
			return &fk->sad[i];
	return NULL;
}

static int fk_getspi(struct ikd_kernel *k, uint8_t proto, uint8_t mode,
		     const struct ikd_addr *src, const struct ikd_addr *dst,
		     uint32_t reqid, uint32_t seq, uint32_t *spi)
{
	struct fake_kernel *fk = fk_of(k);
	struct fake_sa *s;

	if (fk->nsa >= FK_MAX_SA)
		return -ENOSPC;
	s = &fk->sad[fk->nsa++];
	memset(s, 0, sizeof(*s));
	s->larval = true;
	s->sa.proto = proto;
	s->sa.mode = mode;
	s->sa.src = *src;
	s->sa.dst = *dst;
	s->sa.reqid = reqid;
	s->sa.seq = seq;
	/* An IPcomp SA's is a CPI: 16 bits, 256 and up (RFC 3173). */
	s->sa.spi = proto == IPPROTO_COMP ?
		    htonl(0x100 + (fk->next_spi++ & 0xfff)) :
		    htonl(fk->next_spi++);
	*spi = s->sa.spi;
	record(fk, FK_GETSPI, *spi, 0);
	return 0;
}

static void copy_sa(struct fake_sa *s, const struct ikd_kernel_sa *sa)
{
	s->sa = *sa;
	memset(s->enc_key, 0, sizeof(s->enc_key));
	memset(s->auth_key, 0, sizeof(s->auth_key));
	if (sa->enc_key_len <= sizeof(s->enc_key) && sa->enc_key)
		memcpy(s->enc_key, sa->enc_key, sa->enc_key_len);
	if (sa->auth_key_len <= sizeof(s->auth_key) && sa->auth_key)
		memcpy(s->auth_key, sa->auth_key, sa->auth_key_len);
	s->sa.enc_key = s->enc_key;
	s->sa.auth_key = s->auth_key;
	s->larval = false;
}

static int fk_update(struct ikd_kernel *k, const struct ikd_kernel_sa *sa)
{
	struct fake_kernel *fk = fk_of(k);
	struct fake_sa *s = fake_kernel_find(fk, sa->proto, sa->spi, &sa->dst);

	record(fk, FK_UPDATE, sa->spi, 0);
	if (!s || !s->larval)
		return -ENOENT;
	copy_sa(s, sa);
	return 0;
}

static int fk_add(struct ikd_kernel *k, const struct ikd_kernel_sa *sa)
{
	struct fake_kernel *fk = fk_of(k);
	int err = fk->fail_add;

	record(fk, FK_ADD, sa->spi, 0);
	if (err) {
		fk->fail_add = 0;
		return err;
	}
	if (fake_kernel_find(fk, sa->proto, sa->spi, &sa->dst))
		return -EEXIST;
	if (fk->nsa >= FK_MAX_SA)
		return -ENOSPC;
	copy_sa(&fk->sad[fk->nsa++], sa);
	return 0;
}

static int fk_del(struct ikd_kernel *k, uint8_t proto, uint32_t spi,
		  const struct ikd_addr *src, const struct ikd_addr *dst)
{
	struct fake_kernel *fk = fk_of(k);
	struct fake_sa *s = fake_kernel_find(fk, proto, spi, dst);

	(void)src;
	record(fk, FK_DEL, spi, 0);
	if (!s)
		return -ESRCH;
	*s = fk->sad[--fk->nsa];
	/* The moved entry's key pointers must point into its new slot. */
	s->sa.enc_key = s->enc_key;
	s->sa.auth_key = s->auth_key;
	return 0;
}

static int fk_sa_use(struct ikd_kernel *k, uint8_t proto, uint32_t spi,
		     const struct ikd_addr *src, const struct ikd_addr *dst,
		     struct ikd_sa_use *use)
{
	(void)src;
	if (!fake_kernel_find(fk_of(k), proto, spi, dst))
		return -ENOENT;
	memset(use, 0, sizeof(*use));
	return 0;
}

static int fk_spd_dump(struct ikd_kernel *k,
		       int (*cb)(void *arg, const struct ikd_kernel_policy *p),
		       void *arg)
{
	struct fake_kernel *fk = fk_of(k);

	record(fk, FK_SPD_DUMP, 0, 0);
	for (unsigned int i = 0; i < fk->npol; i++) {
		int rc = cb(arg, &fk->spd[i]);

		if (rc)
			return rc;
	}
	return 0;
}

static int fk_spd_get(struct ikd_kernel *k, uint32_t id,
		      struct ikd_kernel_policy *out)
{
	struct fake_kernel *fk = fk_of(k);

	for (unsigned int i = 0; i < fk->npol; i++)
		if (fk->spd[i].id == id) {
			*out = fk->spd[i];
			return 0;
		}
	return -ENOENT;
}

static int fk_spd_add(struct ikd_kernel *k, struct ikd_kernel_policy *p)
{
	struct fake_kernel *fk = fk_of(k);

	if (fk->npol >= FK_MAX_POL)
		return -ENOSPC;
	p->id = fk->next_id++;
	fk->spd[fk->npol++] = *p;
	record(fk, FK_SPD_ADD, 0, p->id);
	return 0;
}

static int fk_spd_del(struct ikd_kernel *k, uint32_t id)
{
	struct fake_kernel *fk = fk_of(k);

	record(fk, FK_SPD_DEL, 0, id);
	for (unsigned int i = 0; i < fk->npol; i++)
		if (fk->spd[i].id == id) {
			memmove(&fk->spd[i], &fk->spd[i + 1],
				(fk->npol - i - 1) * sizeof(fk->spd[0]));
			fk->npol--;
			return 0;
		}
	return -ENOENT;
}

/* As kipsec.ko: the NAT-T ports of an installed ESP-in-UDP SA change. */
static int fk_update_encap(struct ikd_kernel *k, const struct ikd_kernel_sa *sa)
{
	struct fake_kernel *fk = fk_of(k);
	struct fake_sa *s = fake_kernel_find(fk, sa->proto, sa->spi, &sa->dst);

	record(fk, FK_UPDATE_ENCAP, sa->spi, 0);
	if (!s || s->larval)
		return -ENOENT;
	if (!s->sa.encap_sport || !ikd_addr_eq_noport(&s->sa.src, &sa->src))
		return -EINVAL;
	s->sa.encap_sport = sa->encap_sport;
	s->sa.encap_dport = sa->encap_dport;
	return 0;
}

static int fk_kif_get(struct ikd_kernel *k, const char *name,
		      struct ikd_kif *out)
{
	struct fake_kernel *fk = fk_of(k);

	record(fk, FK_KIF_GET, 0, 0);
	for (unsigned int i = 0; i < fk->nkif; i++)
		if (!strcmp(fk->kifs[i].name, name)) {
			if (fk->kifs[i].err)
				return fk->kifs[i].err;
			*out = fk->kifs[i].kif;
			return 0;
		}
	return -ENODEV;
}

struct fake_kif *fake_kernel_add_kif(struct fake_kernel *fk, const char *name,
				     const char *local, const char *remote,
				     uint32_t reqid)
{
	struct fake_kif *f;

	if (fk->nkif == FK_MAX_KIF)
		abort();
	f = &fk->kifs[fk->nkif++];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	if (ikd_addr_parse(&f->kif.local, local) ||
	    ikd_addr_parse(&f->kif.remote, remote))
		abort();
	f->kif.reqid = reqid;
	return f;
}

static const struct ikd_kernel_ops fk_ops = {
	.name = "fake",
	.open = fk_open,
	.close = fk_close,
	.fd = fk_fd,
	.dispatch = fk_dispatch,
	.getspi = fk_getspi,
	.update_sa = fk_update,
	.add_sa = fk_add,
	.update_encap = fk_update_encap,
	.del_sa = fk_del,
	.sa_use = fk_sa_use,
	.spd_dump = fk_spd_dump,
	.spd_get = fk_spd_get,
	.spd_add = fk_spd_add,
	.spd_del = fk_spd_del,
	.kif_get = fk_kif_get,
};

struct fake_kernel *fake_kernel_new(uint32_t spi_base)
{
	struct fake_kernel *fk = calloc(1, sizeof(*fk));

	if (!fk)
		abort();
	fk->base.ops = &fk_ops;
	fk->next_spi = spi_base;
	fk->next_id = 1;
	return fk;
}

void fake_kernel_free(struct fake_kernel *fk)
{
	free(fk);
}

uint32_t fake_kernel_add_policy(struct fake_kernel *fk,
				const struct ikd_kernel_policy *p)
{
	struct ikd_kernel_policy c = *p;

	if (fk_spd_add(&fk->base, &c))
		abort();
	fk->ncalls--;	/* the test's own, not the engine's */
	return c.id;
}

unsigned int fake_kernel_count(const struct fake_kernel *fk, bool larval)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < fk->nsa; i++)
		n += larval || !fk->sad[i].larval;
	return n;
}

unsigned int fake_kernel_ncalls(const struct fake_kernel *fk, enum fk_op op)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < fk->ncalls; i++)
		n += fk->calls[i].op == op;
	return n;
}

int fake_kernel_call_index(const struct fake_kernel *fk, enum fk_op op,
			   uint32_t spi)
{
	for (unsigned int i = 0; i < fk->ncalls; i++)
		if (fk->calls[i].op == op && fk->calls[i].spi == spi)
			return (int)i;
	return -1;
}

/* --- timers ------------------------------------------------------------- */

struct fake_timer {
	struct fake_timer *next;
	uint64_t due;
	uint64_t order;
	ikd_timer_fn fn;
	void *arg;
};

static uint64_t ft_order;

static struct fake_timers *ft_of(struct ikd_timers *t)
{
	return (struct fake_timers *)t;
}

static struct ikd_timer *ft_add(struct ikd_timers *t, uint64_t after,
				ikd_timer_fn fn, void *arg)
{
	struct fake_timers *ft = ft_of(t);
	struct fake_timer *x = calloc(1, sizeof(*x)), **pp;

	if (!x)
		return NULL;
	x->due = ft->now + after;
	x->order = ft_order++;
	x->fn = fn;
	x->arg = arg;
	/* Sorted by due time, then by arming order. */
	for (pp = &ft->list; *pp && (*pp)->due <= x->due; pp = &(*pp)->next)
		;
	x->next = *pp;
	*pp = x;
	ft->armed++;
	return (struct ikd_timer *)x;
}

static void ft_cancel(struct ikd_timers *t, struct ikd_timer *timer)
{
	struct fake_timers *ft = ft_of(t);
	struct fake_timer **pp;

	if (!timer)
		return;
	for (pp = &ft->list; *pp; pp = &(*pp)->next)
		if (*pp == (struct fake_timer *)timer) {
			*pp = (*pp)->next;
			free(timer);
			ft->armed--;
			return;
		}
	abort();	/* cancelling a timer that is not armed: a bug */
}

static uint64_t ft_now(struct ikd_timers *t)
{
	return ft_of(t)->now;
}

void fake_timers_init(struct fake_timers *ft)
{
	memset(ft, 0, sizeof(*ft));
	ft->ops.add = ft_add;
	ft->ops.cancel = ft_cancel;
	ft->ops.now = ft_now;
	ft->now = 1000000;
}

void fake_timers_advance(struct fake_timers *ft, uint64_t ms)
{
	uint64_t end = ft->now + ms;

	while (ft->list && ft->list->due <= end) {
		struct fake_timer *x = ft->list;

		ft->list = x->next;
		ft->armed--;
		ft->now = x->due;
		/* One-shot: freed after it fired, as the real loop does. */
		x->fn(x->arg);
		free(x);
	}
	ft->now = end;
}

uint64_t fake_timers_next(const struct fake_timers *ft)
{
	return ft->list ? ft->list->due - ft->now : UINT64_MAX;
}

void fake_timers_clear(struct fake_timers *ft)
{
	while (ft->list) {
		struct fake_timer *x = ft->list;

		ft->list = x->next;
		free(x);
	}
	ft->armed = 0;
}

/* --- the log ------------------------------------------------------------ */

#define FL_LINES	512
#define FL_LEN		1024

static char fl_lines[FL_LINES][FL_LEN];
static unsigned int fl_n;
static enum ikd_log_level fl_level = IKD_LOG_DEBUG2;
bool fake_log_echo;

void fake_log_reset(void)
{
	fl_n = 0;
}

const char *fake_log_find(const char *needle)
{
	for (unsigned int i = 0; i < fl_n; i++)
		if (strstr(fl_lines[i], needle))
			return fl_lines[i];
	return NULL;
}

unsigned int fake_log_count(const char *needle)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < fl_n; i++)
		n += strstr(fl_lines[i], needle) != NULL;
	return n;
}

bool fake_log_has(const char *needle)
{
	return fake_log_find(needle) != NULL;
}

void fake_log_dump(void)
{
	for (unsigned int i = 0; i < fl_n; i++)
		fprintf(stderr, "  log: %s\n", fl_lines[i]);
}

/* log.h, as a sink: the real log.c is the daemon's. */
int ikd_log_open(enum ikd_log_target target, const char *path)
{
	(void)target;
	(void)path;
	return 0;
}

void ikd_log_close(void)
{
}

void ikd_log_set_level(enum ikd_log_level level)
{
	fl_level = level;
}

enum ikd_log_level ikd_log_get_level(void)
{
	return fl_level;
}

bool ikd_log_enabled(enum ikd_log_level level)
{
	return level <= fl_level;
}

int ikd_log_level_by_name(const char *name)
{
	(void)name;
	return -1;
}

void ikd_vlog(enum ikd_log_level level, const char *fmt, va_list ap)
{
	char *line;

	if (level > fl_level)
		return;
	line = fl_lines[fl_n < FL_LINES ? fl_n : FL_LINES - 1];
	vsnprintf(line, FL_LEN, fmt, ap);
	if (fl_n < FL_LINES)
		fl_n++;
	if (fake_log_echo)
		fprintf(stderr, "[%d] %s\n", (int)level, line);
}

void ikd_log(enum ikd_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ikd_vlog(level, fmt, ap);
	va_end(ap);
}
