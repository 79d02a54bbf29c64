// SPDX-License-Identifier: BSD-2-Clause
/*
 * The IKEv1 tests' world (test_ikev1_p1.c, test_ikev1_qm.c): two engines,
 * A (192.0.2.1) and B (192.0.2.2), each with a fake kernel, one fake
 * clock and an in-memory network the test can drop, duplicate and mangle
 * datagrams on. Included once by each test.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_kernel.c"
#include "../../ikd/ikev1_int.h"	/* white-box: the SAs and keys */

#define QMAX	64
#define KEEP	16

struct pkt {
	struct ikd_addr from, to;
	size_t len;
	uint8_t data[];
};

struct world;

struct peer {
	const char *name;
	struct world *w;
	struct ike_engine *e;
	struct fake_kernel *k;
	struct ikd_addr addr;
	struct ike_peer_cfg cfg;
	struct ike_child_cfg ccfg;
	char psk[64];
	/* What this peer sent, in order (the first KEEP datagrams). */
	struct pkt *sent[KEEP];
	unsigned int nsent;
};

struct world {
	struct fake_timers t;
	struct peer a, b;
	struct pkt *q[QMAX];
	unsigned int nq;
	unsigned int npkt;		/* datagrams delivered or lost */
	uint64_t drop_mask, dup_mask;	/* by datagram number (< 64) */
	uint64_t trunc_mask, flip_mask;	/* a mangled copy first, then it */
	bool b_dead, a_dead;		/* everything to B (A) is lost */
};

/* --- the network -------------------------------------------------------- */

static struct pkt *pkt_new(const struct ikd_addr *from,
			   const struct ikd_addr *to, const uint8_t *buf,
			   size_t len)
{
	struct pkt *k = malloc(sizeof(*k) + len);

	assert_non_null(k);
	k->from = *from;
	k->to = *to;
	k->len = len;
	memcpy(k->data, buf, len);
	return k;
}

static void net_send(void *arg, const struct ikd_addr *local,
		     const struct ikd_addr *remote, const uint8_t *buf,
		     size_t len)
{
	struct peer *p = arg;
	struct world *w = p->w;

	assert_true(len >= ISAKMP_HDR_LEN);
	if (p->nsent < KEEP)
		p->sent[p->nsent++] = pkt_new(local, remote, buf, len);
	assert_true(w->nq < QMAX);
	w->q[w->nq++] = pkt_new(local, remote, buf, len);
}

static struct peer *peer_at(struct world *w, const struct ikd_addr *a)
{
	if (ikd_addr_eq_noport(a, &w->a.addr))
		return &w->a;
	assert_true(ikd_addr_eq_noport(a, &w->b.addr));
	return &w->b;
}

static void deliver(struct world *w, struct pkt *k)
{
	struct peer *to = peer_at(w, &k->to);
	unsigned int n = w->npkt++;
	bool drop = n < 64 && ((w->drop_mask >> n) & 1);

	if ((to == &w->b && w->b_dead) || (to == &w->a && w->a_dead))
		drop = true;
	if (n < 64 && ((w->trunc_mask >> n) & 1))
		ikev1_receive(to->e, &k->to, &k->from, k->data, k->len - 5);
	if (n < 64 && ((w->flip_mask >> n) & 1)) {
		/* The first payload's length: the chain no longer adds up. */
		k->data[ISAKMP_HDR_LEN + 2] ^= 0x40;
		ikev1_receive(to->e, &k->to, &k->from, k->data, k->len);
		k->data[ISAKMP_HDR_LEN + 2] ^= 0x40;
	}
	if (!drop)
		ikev1_receive(to->e, &k->to, &k->from, k->data, k->len);
	if (!drop && n < 64 && ((w->dup_mask >> n) & 1))
		ikev1_receive(to->e, &k->to, &k->from, k->data, k->len);
	free(k);
}

static void run(struct world *w)
{
	for (unsigned int rounds = 0; w->nq && rounds < 1000; rounds++) {
		struct pkt *k = w->q[0];

		memmove(w->q, w->q + 1, --w->nq * sizeof(w->q[0]));
		deliver(w, k);
	}
	assert_int_equal(w->nq, 0);
}

static void wait_ms(struct world *w, uint64_t ms)
{
	while (ms) {
		uint64_t step = fake_timers_next(&w->t);

		if (step > ms)
			step = ms;
		fake_timers_advance(&w->t, step);
		ms -= step;
		run(w);
	}
}

/* --- configuration ------------------------------------------------------ */

static const struct ike_peer_cfg *cb_peer(void *arg,
					  const struct ikd_addr *local,
					  const struct ikd_addr *remote)
{
	struct peer *p = arg;

	(void)local;
	(void)remote;
	return &p->cfg;
}

static int cb_psk(void *arg, const struct ike_peer_cfg *peer,
		  const struct ike_id *id, const struct ikd_addr *remote,
		  uint8_t *key, size_t cap, size_t *len)
{
	struct peer *p = arg;

	(void)peer;
	(void)id;
	(void)remote;
	*len = strlen(p->psk);
	if (!*len || *len > cap)
		return -ENOENT;
	memcpy(key, p->psk, *len);
	return 0;
}

static const struct ike_child_cfg *cb_child(void *arg,
					    const struct ike_peer_cfg *peer,
					    const struct ikd_sel *sel)
{
	(void)peer;
	(void)sel;
	return &((struct peer *)arg)->ccfg;
}

/* One proposal of each peer. */
struct suite {
	uint16_t encr, keybits, hash, dh;
	uint32_t life;
};

static const struct suite legacy = { OAKLEY_ENC_3DES, 0, OAKLEY_HASH_SHA1,
				     2, 3600 };
static const struct suite modern = { OAKLEY_ENC_AES, 256,
				     OAKLEY_HASH_SHA2_256, 14, 3600 };

static void set_suite(struct peer *p, const struct suite *s)
{
	struct ike_v1_prop_cfg *pr = &p->cfg.v1.prop[0];

	p->cfg.v1.nprop = 1;
	pr->encr = s->encr;
	pr->keybits = s->keybits;
	pr->hash = s->hash;
	pr->auth = OAKLEY_AUTH_PSK;
	pr->dh = s->dh;
	pr->lifetime_secs = s->life;
}

static void peer_cfg(struct peer *p, const struct peer *other, uint8_t mode,
		     const struct suite *s)
{
	struct ike_peer_cfg *c = &p->cfg;

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "to-%s", other->name);
	c->ike_version = 1;
	c->local = p->addr;
	c->remote = other->addr;
	c->retrans.counter = 3;
	c->retrans.interval_ms = 1000;
	c->v1.nxmode = 1;
	c->v1.xmode[0] = mode;
	c->v1.check = IKE_V1_CHECK_STRICT;
	set_suite(p, s);
	strcpy(p->psk, "correct horse battery staple");
}

static void start_peer(struct world *w, struct peer *p)
{
	struct ike_env env = {
		.kernel = &p->k->base,
		.timers = &w->t.ops,
		.arg = p,
		.send = net_send,
		.peer_by_addr = cb_peer,
		.psk = cb_psk,
		.child_cfg = cb_child,
	};

	p->e = ike_engine_new(&env);
	assert_non_null(p->e);
}

static struct world *new_world(uint8_t mode, const struct suite *s)
{
	struct world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	fake_timers_init(&w->t);
	fake_log_reset();
	w->a.name = "A";
	w->b.name = "B";
	w->a.w = w->b.w = w;
	assert_int_equal(ikd_addr_parse(&w->a.addr, "192.0.2.1"), 0);
	assert_int_equal(ikd_addr_parse(&w->b.addr, "192.0.2.2"), 0);
	w->a.addr.port = w->b.addr.port = 500;
	w->a.k = fake_kernel_new(0xa0000000);
	w->b.k = fake_kernel_new(0xb0000000);
	peer_cfg(&w->a, &w->b, mode, s);
	peer_cfg(&w->b, &w->a, mode, s);
	start_peer(w, &w->a);
	start_peer(w, &w->b);
	return w;
}

static void free_world(struct world *w)
{
	ike_engine_free(w->a.e);
	ike_engine_free(w->b.e);
	while (w->nq)
		free(w->q[--w->nq]);
	assert_int_equal(w->t.armed, 0);
	fake_timers_clear(&w->t);
	fake_kernel_free(w->a.k);
	fake_kernel_free(w->b.k);
	for (unsigned int i = 0; i < w->a.nsent; i++)
		free(w->a.sent[i]);
	for (unsigned int i = 0; i < w->b.nsent; i++)
		free(w->b.sent[i]);
	free(w);
}

static int initiate(struct world *w)
{
	return ikev1_initiate(w->a.e, &w->a.cfg, &w->a.addr, &w->b.addr);
}

/* The ISAKMP SAs in use: not those the peer deleted, which linger a
 * few seconds for the Informationals sent with the DELETE. */
static unsigned int nsa(const struct peer *p)
{
	unsigned int n = 0;

	for (const struct ikev1_sa *sa = p->e->v1_sas; sa; sa = sa->next)
		n += sa->state != V1_DELETED;
	return n;
}

static const struct ikev1_sa *the_sa(const struct peer *p)
{
	assert_int_equal(nsa(p), 1);
	return p->e->v1_sas;
}

