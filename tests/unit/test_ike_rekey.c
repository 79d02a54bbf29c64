// SPDX-License-Identifier: BSD-2-Clause
/*
 * Rekeying child SAs (RFC 7296 2.8, 2.8.1) between two engines in one
 * process. The two-peer world (network, fake kernels, clock, callbacks)
 * is test_ike_exchange.c's: it is included whole, its main() renamed, so
 * that both files share one world and neither grows past reading.
 *
 * What every case checks in the fake kernels: the old SAs are gone on both
 * sides, exactly one new pair is there and matches crosswise, and the
 * order of the kernel calls is make-before-break: on the rekey's initiator
 * the new inbound SA before the new outbound one before the old ones go;
 * on its responder the new outbound SA only once the DELETE of the old
 * child has arrived.
 */
#define main exchange_main
#include "test_ike_exchange.c"
#undef main

/* Delivers the first datagram in flight (the test watches each step). */
static void step(struct world *w)
{
	struct pkt *k;

	assert_true(w->nq > 0);
	k = w->q[0];
	memmove(w->q, w->q + 1, --w->nq * sizeof(w->q[0]));
	deliver(w, k);
}

/* Index of the first call of @op for @spi at or after @from, or -1. */
static int call_after(const struct fake_kernel *k, unsigned int from,
		      enum fk_op op, uint32_t spi)
{
	for (unsigned int i = from; i < k->ncalls; i++)
		if (k->calls[i].op == op && k->calls[i].spi == spi)
			return (int)i;
	return -1;
}

struct pair {
	uint32_t in, out;	/* one side's SPIs, network order */
};

static struct pair spis(struct peer *p, struct peer *o)
{
	struct fake_sa *in = sa_to(p, p), *out = sa_to(p, o);

	assert_non_null(in);
	assert_non_null(out);
	return (struct pair){ in->sa.spi, out->sa.spi };
}

/* The SA to @dst that is not @old (during a rekey both are there). */
static struct fake_sa *sa_other(struct peer *p, const struct peer *dst,
				uint32_t old)
{
	for (unsigned int i = 0; i < p->k->nsa; i++)
		if (ikd_addr_eq_noport(&p->k->sad[i].sa.dst, &dst->addr) &&
		    p->k->sad[i].sa.spi != old)
			return &p->k->sad[i];
	return NULL;
}

static struct pair new_spis(struct peer *p, struct peer *o, struct pair old)
{
	struct fake_sa *in = sa_other(p, p, old.in), *out = sa_other(p, o, old.out);

	assert_non_null(in);
	assert_non_null(out);
	return (struct pair){ in->sa.spi, out->sa.spi };
}

static bool has_sa(struct peer *p, const struct peer *dst, uint32_t spi)
{
	return fake_kernel_find(p->k, IPPROTO_ESP, spi, &dst->addr) != NULL;
}

/* The pair that replaced @old on both sides: exactly two SAs each, new
 * SPIs, matching crosswise, same reqid as before. */
static void check_replaced(struct world *w, struct pair olda, struct pair oldb,
			   uint32_t reqid)
{
	struct pair a, b;

	/* the old inbound SAs stay IKE_REKEY_INBOUND_DELAY_MS */
	wait_ms(w, IKE_REKEY_INBOUND_DELAY_MS);
	assert_int_equal(fake_kernel_count(w->a.k, true), 2);
	assert_int_equal(fake_kernel_count(w->b.k, true), 2);
	a = spis(&w->a, &w->b);
	b = spis(&w->b, &w->a);
	assert_int_equal(a.out, b.in);
	assert_int_equal(b.out, a.in);
	assert_int_not_equal(a.in, olda.in);
	assert_int_not_equal(b.in, oldb.in);
	assert_int_equal(sa_to(&w->a, &w->a)->sa.reqid, reqid);
	assert_int_equal(sa_to(&w->a, &w->b)->sa.reqid, reqid);
	expect_counts(&w->a, 1, 1, 1);
	expect_counts(&w->b, 1, 1, 1);
}

/* Rekey started by @side (0: A, the IKE SA's initiator; 1: B), with or
 * without PFS; watched datagram by datagram. */
static void rekey_by(int side, bool pfs)
{
	struct world *w = new_world(false);
	struct peer *p, *o;
	struct pair oldp, oldo, np, no;
	uint32_t reqid;
	unsigned int p0, o0;
	int u, a, d;

	if (pfs)
		w->a.ccfg.pfs_group = w->b.ccfg.pfs_group = IKE_DH_CURVE25519;
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	p = side ? &w->b : &w->a;
	o = side ? &w->a : &w->b;
	oldp = spis(p, o);
	oldo = spis(o, p);
	reqid = sa_to(p, p)->sa.reqid;
	p0 = p->k->ncalls;
	o0 = o->k->ncalls;

	assert_int_equal(ike_engine_rekey(p->e, p->cfg.name, false), 1);
	/* a second call finds the rekey under way */
	assert_int_equal(ike_engine_rekey(p->e, p->cfg.name, false), 0);
	assert_true(fake_log_has("rekeying CHILD_SA"));
	assert_int_equal(w->nq, 1);		/* CREATE_CHILD_SA request */
	step(w);
	/* o: the new inbound SA is in, its outbound is held back */
	assert_int_equal(fake_kernel_count(o->k, true), 3);
	assert_true(has_sa(o, p, oldo.out));
	step(w);				/* the answer */
	/* p: both new SAs in, the old ones still there, DELETE out */
	assert_int_equal(fake_kernel_count(p->k, true), 4);
	np = new_spis(p, o, oldp);
	assert_true(fake_log_has("CHILD_SA rekeyed"));
	u = call_after(p->k, p0, FK_UPDATE, np.in);
	a = call_after(p->k, p0, FK_ADD, np.out);
	assert_true(u >= 0 && a > u);
	assert_int_equal(call_after(p->k, p0, FK_DEL, oldp.in), -1);
	/* o has not installed its outbound SA yet: p's new inbound must
	 * exist before o sends on the new SA */
	assert_int_equal(call_after(o->k, o0, FK_ADD, np.in), -1);
	assert_int_equal(w->nq, 1);		/* DELETE of the old child */
	step(w);
	/* o: new outbound in, then the old outbound out; the old inbound
	 * stays a moment for what p sent just before it switched */
	assert_int_equal(fake_kernel_count(o->k, true), 3);
	no = new_spis(o, p, oldo);
	assert_int_equal(no.out, np.in);
	a = call_after(o->k, o0, FK_ADD, no.out);
	d = call_after(o->k, o0, FK_DEL, oldo.out);
	assert_true(a >= 0 && d > a);
	assert_true(has_sa(o, o, oldo.in));
	step(w);				/* the DELETE's answer */
	assert_int_equal(w->nq, 0);
	/* p: the old outbound went only with the answer, the inbound
	 * stays a moment too */
	assert_true(call_after(p->k, p0, FK_DEL, oldp.out) >= 0);
	assert_true(has_sa(p, p, oldp.in));
	wait_ms(w, IKE_REKEY_INBOUND_DELAY_MS - 100);
	assert_true(has_sa(o, o, oldo.in));
	assert_true(has_sa(p, p, oldp.in));
	wait_ms(w, 100);
	assert_false(has_sa(o, o, oldo.in));
	assert_false(has_sa(p, p, oldp.in));
	check_replaced(w, side ? oldo : oldp, side ? oldp : oldo, reqid);
	assert_true(fake_log_has("CHILD_SA deleted by peer"));
	assert_true(fake_log_has("CHILD_SA deleted by us"));
	free_world(w);
}

static void test_rekey_child_by_initiator(void **state)
{
	rekey_by(0, false);
	(void)state;
}

static void test_rekey_child_by_responder(void **state)
{
	rekey_by(1, false);
	(void)state;
}

static void test_rekey_child_pfs(void **state)
{
	rekey_by(0, true);
	rekey_by(1, true);
	(void)state;
}

/* One side has a pfs_group, the other none: the rekey is refused, the
 * old child stays, retries follow with backoff. The refusals show that
 * the rekey's proposal has a DH group (and so a KE) exactly when the
 * initiator's sainfo has pfs_group. */
static void test_rekey_pfs_mismatch_keeps_old(void **state)
{
	for (int pfs_a = 0; pfs_a < 2; pfs_a++) {
		struct world *w = new_world(false);
		struct pair olda;

		if (pfs_a)
			w->a.ccfg.pfs_group = IKE_DH_CURVE25519;
		else
			w->b.ccfg.pfs_group = IKE_DH_CURVE25519;
		start(w);
		establish(w, &nets4, IKD_MODE_TUNNEL);
		olda = spis(&w->a, &w->b);
		assert_int_equal(ike_engine_rekey(w->a.e, w->a.cfg.name, false), 1);
		run(w);
		assert_true(fake_log_has(pfs_a ?
			"peer offered [ESP:aes-gcm-16-256/curve25519/esn" :
			"peer offered [ESP:aes-gcm-16-256/esn"));
		assert_true(fake_log_has("peer answered NO_PROPOSAL_CHOSEN"));
		assert_int_equal(fake_kernel_count(w->a.k, true), 2);
		assert_int_equal(fake_kernel_count(w->b.k, true), 2);
		assert_int_equal(spis(&w->a, &w->b).in, olda.in);
		expect_counts(&w->a, 1, 1, 1);
		fake_log_reset();
		wait_ms(w, 900);
		assert_false(fake_log_has("retrying the rekey"));
		wait_ms(w, 200);	/* first retry after 1 s, then 2, 4... */
		assert_true(fake_log_has("retrying the rekey"));
		wait_ms(w, 1000);
		assert_false(fake_log_has("giving up"));
		wait_ms(w, 60000);
		assert_true(fake_log_has("giving up rekeying CHILD_SA"));
		assert_int_equal(fake_kernel_count(w->a.k, true), 2);
		assert_int_equal(spis(&w->a, &w->b).in, olda.in);
		free_world(w);
	}
	(void)state;
}

/* The engine's own timer: soft lifetime (up to 10% earlier), no kernel
 * EXPIRE needed; then the kernel's soft EXPIRE does it too. */
static void test_rekey_timer_and_soft_expire(void **state)
{
	struct world *w = new_world(false);
	struct pair olda, oldb;
	struct ikd_expire ex = { 0 };
	uint32_t reqid;

	w->a.ccfg.soft_secs = 8;
	w->a.ccfg.hard_secs = 10;
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	olda = spis(&w->a, &w->b);
	oldb = spis(&w->b, &w->a);
	reqid = sa_to(&w->a, &w->a)->sa.reqid;
	wait_ms(w, 7100);		/* 8 s less at most 10%: not yet */
	assert_false(fake_log_has("rekeying CHILD_SA"));
	wait_ms(w, 900);
	assert_true(fake_log_has("soft lifetime reached"));
	check_replaced(w, olda, oldb, reqid);

	/* B's kernel says its outbound SA reached its soft lifetime */
	fake_log_reset();
	olda = spis(&w->a, &w->b);
	oldb = spis(&w->b, &w->a);
	ex.proto = IPPROTO_ESP;
	ex.spi = oldb.out;
	ex.src = w->b.addr;
	ex.dst = w->a.addr;
	ike_engine_expire(w->b.e, &ex);
	run(w);
	assert_true(fake_log_has("kernel's soft EXPIRE"));
	check_replaced(w, olda, oldb, reqid);
	free_world(w);
	(void)state;
}

/* 2.8.1: both sides rekey the same child at once; the new child with the
 * lowest nonce goes, by its initiator; one pair is left. Delivered back to
 * front, one side's whole rekey overtakes the other's request. */
static void test_rekey_simultaneous(void **state)
{
	for (int reorder = 0; reorder < 2; reorder++) {
		struct world *w = new_world(false);
		struct pair olda, oldb;
		uint32_t reqid;

		start(w);
		establish(w, &nets4, IKD_MODE_TUNNEL);
		olda = spis(&w->a, &w->b);
		oldb = spis(&w->b, &w->a);
		reqid = sa_to(&w->a, &w->a)->sa.reqid;
		assert_int_equal(ike_engine_rekey(w->a.e, w->a.cfg.name, false), 1);
		assert_int_equal(ike_engine_rekey(w->b.e, w->b.cfg.name, false), 1);
		assert_int_equal(w->nq, 2);	/* both requests cross */
		w->reorder = reorder;
		run(w);
		w->reorder = false;
		run(w);
		if (!reorder) {
			assert_true(fake_log_has("simultaneous rekey"));
			assert_true(fake_log_has("is redundant, deleting it"));
			assert_true(fake_log_has("is redundant, ours"));
		} else {
			/* B's answer, then its DELETE of the old child, overtake
			 * A's request: B is deleting what A rekeys. */
			assert_true(fake_log_has("TEMPORARY_FAILURE"));
		}
		check_replaced(w, olda, oldb, reqid);
		/* nothing left that could fire later and undo it */
		wait_ms(w, 60000);
		assert_int_equal(fake_kernel_count(w->a.k, true), 2);
		assert_int_equal(fake_kernel_count(w->b.k, true), 2);
		free_world(w);
	}
	(void)state;
}

/* Each message of the rekey lost once: retransmissions finish it. */
static void test_rekey_lost_messages(void **state)
{
	for (unsigned int lost = 0; lost < 4; lost++) {
		struct world *w = new_world(false);
		struct pair olda, oldb;
		uint32_t reqid;

		start(w);
		establish(w, &nets4, IKD_MODE_TUNNEL);
		olda = spis(&w->a, &w->b);
		oldb = spis(&w->b, &w->a);
		reqid = sa_to(&w->a, &w->a)->sa.reqid;
		w->drop_mask = 1ull << (w->npkt + lost);
		assert_int_equal(ike_engine_rekey(w->b.e, w->b.cfg.name, false), 1);
		run(w);
		wait_ms(w, 5000);
		check_replaced(w, olda, oldb, reqid);
		assert_true(w->a.sent + w->b.sent > 0);
		free_world(w);
	}
	(void)state;
}

/* A rekeys the child while B deletes it (its hard lifetime): B answers
 * the rekey TEMPORARY_FAILURE, A answers the DELETE; nothing is left. */
static void test_rekey_crossing_delete(void **state)
{
	struct world *w = new_world(false);
	struct ikd_expire ex = { 0 };
	struct fake_sa *out;

	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	assert_int_equal(ike_engine_rekey(w->a.e, w->a.cfg.name, false), 1);
	out = sa_to(&w->b, &w->a);
	ex.proto = IPPROTO_ESP;
	ex.spi = out->sa.spi;
	ex.src = w->b.addr;
	ex.dst = w->a.addr;
	ex.hard = true;
	*out = w->b.k->sad[--w->b.k->nsa];
	ike_engine_expire(w->b.e, &ex);
	assert_int_equal(w->nq, 2);
	run(w);
	wait_ms(w, 60000);
	assert_true(fake_log_has("TEMPORARY_FAILURE"));
	assert_int_equal(fake_kernel_count(w->a.k, true), 0);
	assert_int_equal(fake_kernel_count(w->b.k, true), 0);
	expect_counts(&w->a, 1, 1, 0);
	expect_counts(&w->b, 1, 1, 0);
	free_world(w);
	(void)state;
}

/* Several rekeys in a row, by both sides' timers (A's lifetime shorter):
 * never more than one pair once each finishes, same reqid throughout. */
static void test_rekey_repeatedly(void **state)
{
	struct world *w = new_world(false);
	uint32_t reqid;
	unsigned int n = 0;

	w->a.ccfg.soft_secs = 4;
	w->a.ccfg.hard_secs = 5;
	w->b.ccfg.soft_secs = 6;
	w->b.ccfg.hard_secs = 7;
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	reqid = sa_to(&w->a, &w->a)->sa.reqid;
	for (int i = 0; i < 10; i++) {
		wait_ms(w, 1000);
		/* two, and the old inbound SA for 2 s after a rekey */
		assert_true(fake_kernel_count(w->a.k, true) <= 3);
		assert_int_equal(sa_to(&w->a, &w->a)->sa.reqid, reqid);
	}
	/* the log keeps its lines in fl_lines (fake_kernel.c) */
	for (unsigned int i = 0; i < fl_n && i < FL_LINES; i++)
		n += strstr(fl_lines[i], "CHILD_SA rekeyed") != NULL;
	/* 10 s: A at 3.6-4 s, again 3.6-4 s later; B's 6 s never comes */
	assert_int_equal(n, 2);
	assert_false(fake_log_has("hard lifetime"));
	expect_counts(&w->a, 1, 1, 1);
	expect_counts(&w->b, 1, 1, 1);
	free_world(w);
	(void)state;
}

/* --- the IKE SA ---------------------------------------------------------- */

struct ike_spis {
	unsigned int n;
	uint64_t i, r;
	bool initiator;
};

static int get_ike_spis(void *arg, const struct ike_sa_info *si)
{
	struct ike_spis *x = arg;

	x->n++;
	x->i = si->spi_i;
	x->r = si->spi_r;
	x->initiator = si->initiator;
	return 0;
}

/* @p's only IKE SA. */
static struct ike_spis ike_of(struct peer *p)
{
	struct ike_spis x = { 0 };

	ike_engine_foreach(p->e, get_ike_spis, NULL, &x);
	assert_int_equal(x.n, 1);
	return x;
}

/* After an IKE SA rekey: one IKE SA each, new SPIs, the same on both
 * sides, the child SA unchanged in both kernels; and the new SA works
 * (a child rekey over it, which its keys must protect). */
static void check_ike_rekeyed(struct world *w, struct ike_spis old,
			      struct pair olda, struct pair oldb)
{
	struct ike_spis a = ike_of(&w->a), b = ike_of(&w->b);

	assert_int_equal(a.i, b.i);
	assert_int_equal(a.r, b.r);
	assert_int_not_equal(a.i, old.i);
	assert_int_not_equal(a.r, old.r);
	assert_true(a.initiator != b.initiator);
	expect_counts(&w->a, 1, 1, 1);
	expect_counts(&w->b, 1, 1, 1);
	assert_int_equal(fake_kernel_count(w->a.k, true), 2);
	assert_int_equal(fake_kernel_count(w->b.k, true), 2);
	assert_int_equal(spis(&w->a, &w->b).in, olda.in);
	assert_int_equal(spis(&w->b, &w->a).in, oldb.in);
	assert_int_equal(ike_engine_rekey(w->a.e, w->a.cfg.name, false), 1);
	run(w);
	check_replaced(w, olda, oldb, sa_to(&w->a, &w->a)->sa.reqid);
}

static void rekey_ike_by(int side)
{
	struct world *w = new_world(false);
	struct peer *p = side ? &w->b : &w->a;
	struct ike_spis old;
	struct pair olda, oldb;
	struct ike_stats st;

	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	old = ike_of(&w->a);
	olda = spis(&w->a, &w->b);
	oldb = spis(&w->b, &w->a);
	assert_int_equal(ike_engine_rekey(p->e, p->cfg.name, true), 1);
	assert_int_equal(ike_engine_rekey(p->e, p->cfg.name, true), 0);
	run(w);
	assert_true(fake_log_has("IKE SA rekeyed by us"));
	assert_true(fake_log_has("IKE SA rekeyed by the peer"));
	/* the rekey's initiator is the new SA's initiator */
	assert_true(ike_of(p).initiator);
	check_ike_rekeyed(w, old, olda, oldb);
	ike_engine_stats(p->e, &st);
	assert_int_equal(st.ike_established, 2);
	assert_int_equal(st.ike_failed, 0);
	/* and it ends as any IKE SA does */
	assert_int_equal(ike_engine_terminate(w->b.e, w->b.cfg.name), 1);
	run(w);
	expect_counts(&w->a, 0, 0, 0);
	expect_counts(&w->b, 0, 0, 0);
	assert_int_equal(fake_kernel_count(w->a.k, true), 0);
	assert_int_equal(fake_kernel_count(w->b.k, true), 0);
	free_world(w);
}

static void test_rekey_ike_by_each_side(void **state)
{
	rekey_ike_by(0);
	rekey_ike_by(1);
	(void)state;
}

/* The remote's lifetime (less up to 10%) rekeys the IKE SA, again and
 * again; the shorter side's does it. */
static void test_rekey_ike_lifetime(void **state)
{
	struct world *w = new_world(false);
	struct ike_spis old;
	struct pair olda, oldb;

	w->b.cfg.lifetime_secs = 10;
	w->a.cfg.lifetime_secs = 100;
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	old = ike_of(&w->a);
	olda = spis(&w->a, &w->b);
	oldb = spis(&w->b, &w->a);
	wait_ms(w, 8900);
	assert_false(fake_log_has("rekeying IKE SA"));
	wait_ms(w, 1100);
	assert_true(fake_log_has("its lifetime is reached"));
	assert_false(ike_of(&w->a).initiator);	/* B started it */
	assert_int_not_equal(ike_of(&w->a).i, old.i);
	old = ike_of(&w->a);
	wait_ms(w, 10000);
	assert_int_not_equal(ike_of(&w->a).i, old.i);
	assert_false(fake_log_has("IKE SA lifetime reached"));
	check_ike_rekeyed(w, old, olda, oldb);
	free_world(w);
	(void)state;
}

/* racoon's rekey at the IKE SA's lifetime: off deletes it with its child
 * SAs; on deletes it once it has no child SA left; force rekeys it even
 * then. */
static void lifetime_with(uint8_t mode, bool children, bool rekeyed)
{
	struct world *w = new_world(false);
	struct ikd_expire ex = { .hard = true, .proto = IPPROTO_ESP };
	struct ike_spis old;

	w->a.cfg.lifetime_secs = 10;
	w->b.cfg.lifetime_secs = 100;
	w->a.cfg.rekey = mode;
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	old = ike_of(&w->a);
	if (!children) {
		/* A's kernel drops its inbound SA: the child goes, on both */
		ex.spi = spis(&w->a, &w->b).in;
		ex.src = w->b.addr;
		ex.dst = w->a.addr;
		ike_engine_expire(w->a.e, &ex);
		run(w);
		expect_counts(&w->a, 1, 1, 0);
		expect_counts(&w->b, 1, 1, 0);
		assert_int_equal(fake_kernel_count(w->b.k, true), 0);
	}
	fake_log_reset();
	wait_ms(w, 10000);
	assert_int_equal(fake_log_has("rekeying IKE SA"), rekeyed);
	if (rekeyed) {
		assert_int_not_equal(ike_of(&w->a).i, old.i);
		assert_int_equal(ike_of(&w->b).i, ike_of(&w->a).i);
	} else {
		assert_true(fake_log_has(mode == IKE_REKEY_OFF ?
				"IKE SA lifetime reached (rekey off)" :
				"IKE SA lifetime reached, no CHILD_SA"));
		expect_counts(&w->a, 0, 0, 0);
		expect_counts(&w->b, 0, 0, 0);
		/* (a real kernel removed the expired SA itself; ours not) */
		assert_int_equal(fake_kernel_count(w->a.k, true), !children);
		assert_int_equal(fake_kernel_count(w->b.k, true), 0);
	}
	free_world(w);
}

static void test_rekey_ike_mode(void **state)
{
	lifetime_with(IKE_REKEY_ON, true, true);
	lifetime_with(IKE_REKEY_ON, false, false);
	lifetime_with(IKE_REKEY_FORCE, false, true);
	lifetime_with(IKE_REKEY_OFF, true, false);
	(void)state;
}

/* 2.8.1 for the IKE SA: both rekey at once; the redundant new SA is
 * deleted by its initiator, the old one by the winner; one SA left, which
 * works, and nothing fires later. */
static void test_rekey_ike_simultaneous(void **state)
{
	struct world *w = new_world(false);
	struct ike_spis old;
	struct pair olda, oldb;

	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	old = ike_of(&w->a);
	olda = spis(&w->a, &w->b);
	oldb = spis(&w->b, &w->a);
	assert_int_equal(ike_engine_rekey(w->a.e, w->a.cfg.name, true), 1);
	assert_int_equal(ike_engine_rekey(w->b.e, w->b.cfg.name, true), 1);
	assert_int_equal(w->nq, 2);
	run(w);
	assert_true(fake_log_has("simultaneous rekey of IKE SA"));
	assert_true(fake_log_has("ours is redundant"));
	assert_true(fake_log_has("the peer's is redundant"));
	check_ike_rekeyed(w, old, olda, oldb);
	wait_ms(w, 70000);
	expect_counts(&w->a, 1, 1, 1);
	expect_counts(&w->b, 1, 1, 1);
	free_world(w);
	(void)state;
}

/* 2.8.1 with B's request lost: A's rekey meets B's outstanding one,
 * completes, and A deletes the old SA before B's answer could come. B
 * takes A's new SA with the child SAs; its own half-made one goes. */
static void test_rekey_ike_peer_delete_first(void **state)
{
	struct world *w = new_world(false);
	struct ike_spis old;
	struct pair olda, oldb;

	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	old = ike_of(&w->a);
	olda = spis(&w->a, &w->b);
	oldb = spis(&w->b, &w->a);
	w->drop_mask = 1ull << w->npkt;
	assert_int_equal(ike_engine_rekey(w->b.e, w->b.cfg.name, true), 1);
	run(w);
	assert_int_equal(ike_engine_rekey(w->a.e, w->a.cfg.name, true), 1);
	run(w);
	assert_true(fake_log_has("while we do too"));
	assert_true(fake_log_has("its DELETE came first"));
	wait_ms(w, 70000);
	check_ike_rekeyed(w, old, olda, oldb);
	free_world(w);
	(void)state;
}

/* Each message of an IKE SA rekey lost once. */
static void test_rekey_ike_lost_messages(void **state)
{
	for (unsigned int lost = 0; lost < 4; lost++) {
		struct world *w = new_world(false);
		struct ike_spis old;
		struct pair olda, oldb;

		start(w);
		establish(w, &nets4, IKD_MODE_TUNNEL);
		old = ike_of(&w->a);
		olda = spis(&w->a, &w->b);
		oldb = spis(&w->b, &w->a);
		w->drop_mask = 1ull << (w->npkt + lost);
		assert_int_equal(ike_engine_rekey(w->a.e, w->a.cfg.name, true), 1);
		run(w);
		/* The answer to the old SA's DELETE lost: B has freed the
		 * SA and never answers the retransmissions; A gives up after
		 * 1 + 2 + 4 + 8 s (retrans counter 3, interval 1 s). */
		wait_ms(w, lost == 3 ? 20000 : 5000);
		check_ike_rekeyed(w, old, olda, oldb);
		free_world(w);
	}
	(void)state;
}

/* A rekeys its child SA while B rekeys the IKE SA: B's request meets A's
 * outstanding one and is answered TEMPORARY_FAILURE; B tries again 1 s
 * later; both rekeys happen. */
static void test_rekey_ike_crossing_child_rekey(void **state)
{
	struct world *w = new_world(false);
	struct ike_spis old;
	struct pair olda, oldb;

	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	old = ike_of(&w->a);
	olda = spis(&w->a, &w->b);
	oldb = spis(&w->b, &w->a);
	assert_int_equal(ike_engine_rekey(w->a.e, w->a.cfg.name, false), 1);
	assert_int_equal(ike_engine_rekey(w->b.e, w->b.cfg.name, true), 1);
	run(w);
	assert_true(fake_log_has("TEMPORARY_FAILURE"));
	assert_true(fake_log_has("CHILD_SA rekeyed"));
	wait_ms(w, 1500);
	assert_true(fake_log_has("IKE SA rekeyed by us"));
	wait_ms(w, IKE_REKEY_INBOUND_DELAY_MS);
	assert_int_not_equal(spis(&w->a, &w->b).in, olda.in);
	check_ike_rekeyed(w, old, spis(&w->a, &w->b), spis(&w->b, &w->a));
	(void)oldb;
	free_world(w);
	(void)state;
}

static void test_rekey_unknown_remote(void **state)
{
	struct world *w = new_world(false);

	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	assert_int_equal(ike_engine_rekey(w->a.e, "no-such-remote", false), 0);
	assert_int_equal(ike_engine_rekey(w->a.e, "no-such-remote", true), 0);
	free_world(w);
	(void)state;
}

int main(void)
{
	fake_log_echo = getenv("ECHO") != NULL;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rekey_child_by_initiator),
		cmocka_unit_test(test_rekey_child_by_responder),
		cmocka_unit_test(test_rekey_child_pfs),
		cmocka_unit_test(test_rekey_pfs_mismatch_keeps_old),
		cmocka_unit_test(test_rekey_timer_and_soft_expire),
		cmocka_unit_test(test_rekey_simultaneous),
		cmocka_unit_test(test_rekey_lost_messages),
		cmocka_unit_test(test_rekey_crossing_delete),
		cmocka_unit_test(test_rekey_repeatedly),
		cmocka_unit_test(test_rekey_ike_by_each_side),
		cmocka_unit_test(test_rekey_ike_lifetime),
		cmocka_unit_test(test_rekey_ike_mode),
		cmocka_unit_test(test_rekey_ike_simultaneous),
		cmocka_unit_test(test_rekey_ike_lost_messages),
		cmocka_unit_test(test_rekey_ike_peer_delete_first),
		cmocka_unit_test(test_rekey_ike_crossing_child_rekey),
		cmocka_unit_test(test_rekey_unknown_remote),
	};

	(void)exchange_main;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
