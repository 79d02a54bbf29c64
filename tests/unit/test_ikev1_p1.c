// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1 phase 1 between two engines in one process: Main and Aggressive
 * Mode with pre-shared keys, over an in-memory network the test controls
 * (drop, duplicate, mangle), with one fake clock. Each case ends in
 * assertions on both ISAKMP SA tables, their keys and the logs.
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

static unsigned int nsa(const struct peer *p)
{
	unsigned int n = 0;

	for (const struct ikev1_sa *sa = p->e->v1_sas; sa; sa = sa->next)
		n++;
	return n;
}

static const struct ikev1_sa *the_sa(const struct peer *p)
{
	assert_int_equal(nsa(p), 1);
	return p->e->v1_sas;
}

/* Both sides established the same ISAKMP SA with the same keys. */
static void assert_established(struct world *w)
{
	const struct ikev1_sa *a = the_sa(&w->a), *b = the_sa(&w->b);

	assert_int_equal(a->state, V1_ESTABLISHED);
	assert_int_equal(b->state, V1_ESTABLISHED);
	assert_true(a->initiator && !b->initiator);
	assert_memory_equal(a->cky_i, b->cky_i, IKEV1_COOKIE_LEN);
	assert_memory_equal(a->cky_r, b->cky_r, IKEV1_COOKIE_LEN);
	assert_memory_equal(&a->ch, &b->ch, sizeof(a->ch));
	assert_true(a->k.prflen > 0);
	assert_int_equal(a->k.prflen, b->k.prflen);
	assert_memory_equal(&a->k, &b->k, sizeof(a->k));
	assert_memory_equal(a->iv.cur, b->iv.cur, a->iv.len);
	assert_true(a->peer_natt && a->peer_dpd && b->peer_natt && b->peer_dpd);
	assert_int_equal(a->peer_id.type, IPSEC_ID_IPV4_ADDR);
	assert_memory_equal(a->peer_id.data, &w->b.addr.v4, 4);
	assert_true(fake_log_has("ISAKMP-SA established "
				 "192.0.2.1[500]-192.0.2.2[500] spi:"));
	assert_true(fake_log_has("ISAKMP-SA established "
				 "192.0.2.2[500]-192.0.2.1[500] spi:"));
	assert_true(fake_log_has("initiate new phase 1 negotiation: "
				 "192.0.2.1[500]<=>192.0.2.2[500]"));
	assert_true(fake_log_has("respond new phase 1 negotiation: "
				 "192.0.2.2[500]<=>192.0.2.1[500]"));
	assert_false(fake_log_has("correct horse"));
}

static void establish(uint8_t mode, const struct suite *s)
{
	struct world *w = new_world(mode, s);

	assert_int_equal(initiate(w), 0);
	run(w);
	assert_established(w);
	/* A second negotiation with the same peer is refused. */
	assert_int_equal(initiate(w), -EALREADY);
	free_world(w);
}

static void test_main_3des_sha1_modp1024(void **state)
{
	(void)state;
	establish(ISAKMP_EXCH_IDPROT, &legacy);
	assert_true(fake_log_has("3des-cbc/hmac-sha1/psk/modp1024/3600s"));
}

static void test_main_aes256_sha256_modp2048(void **state)
{
	(void)state;
	establish(ISAKMP_EXCH_IDPROT, &modern);
	assert_true(fake_log_has("aes-cbc-256/hmac-sha2-256/psk/modp2048"));
}

static void test_aggressive_3des_sha1_modp1024(void **state)
{
	(void)state;
	establish(ISAKMP_EXCH_AGGRESSIVE, &legacy);
	assert_true(fake_log_has("Aggressive"));
}

static void test_aggressive_aes256_sha256_modp2048(void **state)
{
	(void)state;
	establish(ISAKMP_EXCH_AGGRESSIVE, &modern);
}

/* --- failures ----------------------------------------------------------- */

static void test_main_wrong_psk(void **state)
{
	struct world *w = new_world(ISAKMP_EXCH_IDPROT, &modern);

	(void)state;
	strcpy(w->b.psk, "a different secret");
	assert_int_equal(initiate(w), 0);
	run(w);
	wait_ms(w, 60000);
	assert_int_equal(nsa(&w->a), 0);
	assert_int_equal(nsa(&w->b), 0);
	assert_true(fake_log_has("ISAKMP message from 192.0.2.1[500] "
				 "dropped: does not decrypt or parse (wrong "
				 "pre-shared key?)"));
	assert_true(fake_log_has("phase 1 negotiation with 192.0.2.2[500] "
				 "failed due to time up"));
	assert_true(fake_log_has("phase 1 negotiation with 192.0.2.1[500] "
				 "failed due to time up"));
	assert_false(fake_log_has("ISAKMP-SA established"));
	assert_false(fake_log_has("different secret"));
	free_world(w);
}

static void test_aggressive_wrong_psk(void **state)
{
	struct world *w = new_world(ISAKMP_EXCH_AGGRESSIVE, &legacy);

	(void)state;
	strcpy(w->b.psk, "a different secret");
	assert_int_equal(initiate(w), 0);
	run(w);
	assert_int_equal(nsa(&w->a), 0);
	assert_true(fake_log_has("invalid HASH_R from 192.0.2.2[500] "
				 "(ID ID_IPV4_ADDR 192.0.2.2): HASH mismatch"));
	wait_ms(w, 60000);
	assert_int_equal(nsa(&w->b), 0);
	assert_true(fake_log_has("phase 1 negotiation with 192.0.2.1[500] "
				 "failed due to time up"));
	assert_false(fake_log_has("ISAKMP-SA established"));
	free_world(w);
}

static void test_no_proposal_chosen(void **state)
{
	struct world *w = new_world(ISAKMP_EXCH_IDPROT, &modern);

	(void)state;
	set_suite(&w->b, &legacy);
	assert_int_equal(initiate(w), 0);
	run(w);
	assert_int_equal(nsa(&w->b), 0);
	assert_true(fake_log_has("no proposal chosen for 192.0.2.1[500]: "
				 "peer offered [aes-cbc-256/hmac-sha2-256/psk/"
				 "modp2048/3600s], we accept [3des-cbc/"
				 "hmac-sha1/psk/modp1024/3600s] "
				 "(proposal_check strict)"));
	assert_true(fake_log_has("phase 1 with 192.0.2.2[500]: peer answered "
				 "NO-PROPOSAL-CHOSEN (not authenticated)"));
	wait_ms(w, 60000);
	assert_int_equal(nsa(&w->a), 0);
	free_world(w);
}

/* proposal_check on the lifetime: @a_life offered, @b_life configured;
 * the lifetime both use, or 0 when B refuses. */
static uint32_t lifetime_with(uint8_t check, uint32_t a_life,
			      uint32_t b_life)
{
	struct world *w = new_world(ISAKMP_EXCH_IDPROT, &modern);
	uint32_t life = 0;

	w->a.cfg.v1.prop[0].lifetime_secs = a_life;
	w->b.cfg.v1.prop[0].lifetime_secs = b_life;
	w->b.cfg.v1.check = check;
	assert_int_equal(initiate(w), 0);
	run(w);
	if (nsa(&w->b)) {
		assert_established(w);
		life = the_sa(&w->b)->ch.life_secs;
		assert_int_equal(the_sa(&w->a)->ch.life_secs, life);
	} else {
		assert_true(fake_log_has("no proposal chosen"));
	}
	free_world(w);
	return life;
}

static void test_proposal_check_lifetime(void **state)
{
	(void)state;
	assert_int_equal(lifetime_with(IKE_V1_CHECK_STRICT, 600, 3600), 600);
	assert_int_equal(lifetime_with(IKE_V1_CHECK_STRICT, 3600, 3600), 3600);
	assert_int_equal(lifetime_with(IKE_V1_CHECK_STRICT, 7200, 3600), 0);
	assert_int_equal(lifetime_with(IKE_V1_CHECK_OBEY, 7200, 3600), 7200);
	assert_int_equal(lifetime_with(IKE_V1_CHECK_EXACT, 600, 3600), 0);
	assert_int_equal(lifetime_with(IKE_V1_CHECK_EXACT, 3600, 3600), 3600);
	assert_int_equal(lifetime_with(IKE_V1_CHECK_CLAIM, 600, 3600), 600);
}

/* --- the network's faults ----------------------------------------------- */

static void test_lost_messages_retransmitted(void **state)
{
	(void)state;
	/* Main Mode's third and sixth messages. */
	struct world *w = new_world(ISAKMP_EXCH_IDPROT, &modern);

	w->drop_mask = 1u << 2 | 1u << 5;
	assert_int_equal(initiate(w), 0);
	run(w);
	wait_ms(w, 10000);
	assert_established(w);
	assert_true(fake_log_has("retransmitting"));
	free_world(w);

	/* Aggressive Mode's last message: B repeats its answer, A answers
	 * that repetition with its last message again. */
	w = new_world(ISAKMP_EXCH_AGGRESSIVE, &modern);
	w->drop_mask = 1u << 2;
	assert_int_equal(initiate(w), 0);
	run(w);
	assert_int_equal(the_sa(&w->b)->state, V1_AM_R1);
	wait_ms(w, 10000);
	assert_established(w);
	assert_true(fake_log_has("192.0.2.2[500] repeated its last message"));
	free_world(w);
}

static void test_duplicate_answered_with_same_bytes(void **state)
{
	struct world *w = new_world(ISAKMP_EXCH_IDPROT, &modern);

	(void)state;
	w->dup_mask = 1u << 0;		/* MM1 twice */
	assert_int_equal(initiate(w), 0);
	run(w);
	assert_established(w);
	/* Each repeat is answered with the same bytes, and repeats go on
	 * down the exchange: B sent MM2, MM4 and MM6 twice each, and the
	 * repeat of MM6 got no answer (the exchange was over). */
	assert_int_equal(w->b.nsent, 6);
	for (unsigned int i = 0; i < 6; i += 2) {
		assert_int_equal(w->b.sent[i]->len, w->b.sent[i + 1]->len);
		assert_memory_equal(w->b.sent[i]->data, w->b.sent[i + 1]->data,
				    w->b.sent[i]->len);
	}
	assert_int_equal(w->a.nsent, 5);	/* MM1, MM3, MM5 twice */
	assert_true(fake_log_has("192.0.2.1[500] repeated its last message"));
	free_world(w);
}

static void test_mangled_dropped(void **state)
{
	struct world *w = new_world(ISAKMP_EXCH_IDPROT, &legacy);

	(void)state;
	/* MM1 truncated, MM3 with a payload length gone wrong, MM5
	 * truncated (no longer whole blocks): each copy is dropped, the
	 * real one goes on. */
	w->trunc_mask = 1u << 0 | 1u << 4;
	w->flip_mask = 1u << 2;
	assert_int_equal(initiate(w), 0);
	run(w);
	assert_established(w);
	assert_true(fake_log_has("ISAKMP message from 192.0.2.1[500] "
				 "dropped"));
	free_world(w);
}

static void test_half_open_given_up(void **state)
{
	struct world *w = new_world(ISAKMP_EXCH_IDPROT, &modern);

	(void)state;
	/* Nothing reaches B: A gives up after its retransmissions. */
	w->b_dead = true;
	assert_int_equal(initiate(w), 0);
	run(w);
	assert_int_equal(nsa(&w->a), 1);
	wait_ms(w, 30000);
	assert_int_equal(nsa(&w->a), 0);
	assert_true(fake_log_has("phase 1 negotiation with 192.0.2.2[500] "
				 "failed due to time up (3 retransmissions)"));
	free_world(w);

	/* Only MM1 reaches B: its half-open SA goes the same way. */
	w = new_world(ISAKMP_EXCH_IDPROT, &modern);
	w->a_dead = true;
	assert_int_equal(initiate(w), 0);
	run(w);
	assert_int_equal(nsa(&w->b), 1);
	assert_int_equal(w->b.e->v1_half_open, 1);
	wait_ms(w, 30000);
	assert_int_equal(nsa(&w->b), 0);
	assert_int_equal(w->b.e->v1_half_open, 0);
	free_world(w);
}

/* A restarts and comes back with INITIAL-CONTACT: B drops the ISAKMP
 * SA of A's earlier life. */
static void test_initial_contact(void **state)
{
	struct world *w = new_world(ISAKMP_EXCH_IDPROT, &modern);

	(void)state;
	assert_int_equal(initiate(w), 0);
	run(w);
	assert_established(w);
	ike_engine_free(w->a.e);
	start_peer(w, &w->a);
	w->a.cfg.initial_contact = true;
	assert_int_equal(initiate(w), 0);
	run(w);
	assert_int_equal(nsa(&w->b), 1);
	assert_int_equal(the_sa(&w->b)->state, V1_ESTABLISHED);
	assert_memory_equal(the_sa(&w->b)->cky_i, the_sa(&w->a)->cky_i,
			    IKEV1_COOKIE_LEN);
	assert_true(fake_log_has("INITIAL-CONTACT from 192.0.2.1[500]: "
				 "deleting its other ISAKMP-SAs"));
	free_world(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_main_3des_sha1_modp1024),
		cmocka_unit_test(test_main_aes256_sha256_modp2048),
		cmocka_unit_test(test_aggressive_3des_sha1_modp1024),
		cmocka_unit_test(test_aggressive_aes256_sha256_modp2048),
		cmocka_unit_test(test_main_wrong_psk),
		cmocka_unit_test(test_aggressive_wrong_psk),
		cmocka_unit_test(test_no_proposal_chosen),
		cmocka_unit_test(test_proposal_check_lifetime),
		cmocka_unit_test(test_lost_messages_retransmitted),
		cmocka_unit_test(test_duplicate_answered_with_same_bytes),
		cmocka_unit_test(test_mangled_dropped),
		cmocka_unit_test(test_half_open_given_up),
		cmocka_unit_test(test_initial_contact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
