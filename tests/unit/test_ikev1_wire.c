// SPDX-License-Identifier: BSD-2-Clause
/*
 * What the daemon asks of IKEv1 (ikev1_child.c), between two engines: an
 * ACQUIRE queued across phase 1 and repeated ones ignored, the kernel's
 * soft and hard EXPIREs, DELETE both ways, shutdown.
 */
#include "ikev1_qm_world.c"

/* No ISAKMP SA yet: phase 1 starts, the ACQUIRE waits on it, Quick
 * Mode follows once it is established. */
static struct world *acquired(void)
{
	struct world *w = new_world(ISAKMP_EXCH_IDPROT, &legacy);
	struct ikd_acquire acq;

	esp_cfg(&w->a, IKE_ENCR_AES_CBC, 128, IKE_AUTH_HMAC_SHA2_256_128);
	esp_cfg(&w->b, IKE_ENCR_AES_CBC, 128, IKE_AUTH_HMAC_SHA2_256_128);
	b_policy(w);
	acquire(w, &acq);
	assert_int_equal(ikev1_acquire(w->a.e, &acq, &w->a.cfg), 0);
	assert_int_equal(the_sa(&w->a)->npending, 1);
	/* The kernel repeats it: already under way. */
	assert_int_equal(ikev1_acquire(w->a.e, &acq, &w->a.cfg), -EALREADY);
	assert_int_equal(the_sa(&w->a)->npending, 1);
	run(w);
	assert_installed_pairs(w);
	assert_int_equal(the_sa(&w->a)->npending, 0);
	assert_non_null(w->a.e->v1_children);
	assert_non_null(w->b.e->v1_children);
	return w;
}

static void test_acquire_across_phase1(void **state)
{
	struct world *w = acquired();
	struct ikd_acquire acq;

	(void)state;
	assert_true(fake_log_has("queued until phase 1 is established"));
	/* Carried by the pair now. */
	acquire(w, &acq);
	assert_int_equal(ikev1_acquire(w->a.e, &acq, &w->a.cfg), -EALREADY);
	assert_true(fake_log_has("already carries this traffic"));
	assert_int_equal(w->a.k->nsa, 2);
	free_world(w);
}

/* B answers A's Quick Mode; B's own ACQUIRE for the same traffic
 * (its reply) meanwhile starts nothing. */
static void test_acquire_while_responding(void **state)
{
	struct world *w = phase1();
	struct ikd_acquire acq, back;

	(void)state;
	acquire(w, &acq);
	assert_int_equal(ikev1_qm_initiate(w->a.e, &acq), 0);
	/* QM1 to B, QM2 back to A: stop before A's answer reaches B. */
	w->a_dead = true;
	run(w);
	assert_non_null(the_sa(&w->b)->qms);
	memset(&back, 0, sizeof(back));
	back.proto = IPPROTO_ESP;
	back.mode = IKD_MODE_TUNNEL;
	back.src = w->b.addr;
	back.dst = w->a.addr;
	back.pol.sel = the_sa(&w->b)->qms->sel;
	assert_int_equal(ikev1_acquire(w->b.e, &back, &w->b.cfg), -EALREADY);
	assert_int_equal(fake_kernel_ncalls(w->b.k, FK_GETSPI), 1);
	free_world(w);
}

static void test_acquire_passive(void **state)
{
	struct world *w = new_world(ISAKMP_EXCH_IDPROT, &legacy);
	struct ikd_acquire acq;

	(void)state;
	w->a.cfg.passive = true;
	acquire(w, &acq);
	assert_int_equal(ikev1_acquire(w->a.e, &acq, &w->a.cfg), -EPERM);
	assert_int_equal(nsa(&w->a), 0);
	free_world(w);
}

/* Phase 1 never answered: the queued ACQUIRE goes with it (the kernel
 * asks again), nothing reaches the kernel. */
static void test_acquire_phase1_fails(void **state)
{
	struct world *w = new_world(ISAKMP_EXCH_IDPROT, &legacy);
	struct ikd_acquire acq;

	(void)state;
	w->b_dead = true;
	acquire(w, &acq);
	assert_int_equal(ikev1_acquire(w->a.e, &acq, &w->a.cfg), 0);
	for (int i = 0; i < 8; i++) {
		run(w);
		wait_ms(w, 20000);
	}
	assert_int_equal(nsa(&w->a), 0);
	assert_true(fake_log_has("1 ACQUIRE(s) for 192.0.2.2[500] dropped "
				 "with their phase 1"));
	assert_int_equal(fake_kernel_ncalls(w->a.k, FK_GETSPI), 0);
	free_world(w);
}

static uint32_t out_spi(const struct peer *p, const struct peer *other)
{
	const struct fake_sa *s = find(p->k, false, &other->addr);

	assert_non_null(s);
	return s->sa.spi;
}

static void test_shutdown_deletes(void **state)
{
	struct world *w = acquired();

	(void)state;
	ikev1_shutdown(w->a.e);
	assert_int_equal(w->a.k->nsa, 0);
	assert_null(w->a.e->v1_children);
	assert_int_equal(nsa(&w->a), 0);
	run(w);
	/* B heard both DELETEs: the pair and the ISAKMP SA went. */
	assert_int_equal(w->b.k->nsa, 0);
	assert_null(w->b.e->v1_children);
	assert_int_equal(nsa(&w->b), 0);
	assert_true(fake_log_has("deleted IPsec-SA spi="));
	assert_true(fake_log_has("deleted the ISAKMP-SA"));
	/* B keeps it a few seconds for late Informationals, then frees it. */
	assert_non_null(w->b.e->v1_sas);
	wait_ms(w, IKEV1_DELETED_LINGER_MS + 1000);
	assert_null(w->b.e->v1_sas);
	free_world(w);
}

/* The ISAKMP SA's DELETE overtakes the pair's (two CPUs' backlogs
 * reorder a burst; seen against charon): the pair still goes. */
static void test_delete_after_isakmp_delete(void **state)
{
	struct world *w = acquired();
	struct pkt *k;

	(void)state;
	ikev1_shutdown(w->a.e);
	assert_int_equal(w->nq, 2);
	k = w->q[0];
	w->q[0] = w->q[1];
	w->q[1] = k;
	run(w);
	assert_true(fake_log_has("deleted the ISAKMP-SA"));
	assert_true(fake_log_has("deleted IPsec-SA spi="));
	assert_int_equal(w->b.k->nsa, 0);
	assert_null(w->b.e->v1_children);
	assert_int_equal(nsa(&w->b), 0);
	/* Deleted by the peer, it starts nothing: an ACQUIRE makes a new
	 * phase 1. */
	assert_int_equal(w->b.e->v1_sas->state, V1_DELETED);
	wait_ms(w, IKEV1_DELETED_LINGER_MS + 1000);
	assert_null(w->b.e->v1_sas);
	free_world(w);
}

static void test_hard_expire(void **state)
{
	struct world *w = acquired();
	struct ikd_expire exp = { .hard = true, .proto = IPPROTO_ESP };

	(void)state;
	exp.spi = out_spi(&w->a, &w->b);
	exp.src = w->a.addr;
	exp.dst = w->b.addr;
	assert_true(ikev1_expire(w->a.e, &exp));
	assert_null(w->a.e->v1_children);
	/* The inbound SA went too (the outbound one was the kernel's to
	 * remove; the fake kernel still has it). */
	assert_true(fake_kernel_ncalls(w->a.k, FK_DEL) >= 1);
	run(w);
	assert_int_equal(w->b.k->nsa, 0);
	assert_null(w->b.e->v1_children);
	/* Not ours: the IKEv2 engine's. */
	exp.spi = htonl(0x1234);
	assert_false(ikev1_expire(w->a.e, &exp));
	free_world(w);
}

static void test_soft_expire_rekeys(void **state)
{
	struct world *w = acquired();
	struct ikd_expire exp = { .proto = IPPROTO_ESP };

	(void)state;
	exp.spi = out_spi(&w->a, &w->b);
	exp.src = w->a.addr;
	exp.dst = w->b.addr;
	assert_true(ikev1_expire(w->a.e, &exp));
	run(w);
	/* A new pair on both sides, the old one kept until hard expiry. */
	assert_int_equal(w->a.k->nsa, 4);
	assert_int_equal(w->b.k->nsa, 4);
	/* Once only. */
	assert_true(ikev1_expire(w->a.e, &exp));
	run(w);
	assert_int_equal(w->a.k->nsa, 4);
	/* The responder's soft EXPIRE leaves the renewal to the initiator. */
	exp.spi = out_spi(&w->b, &w->a);
	exp.src = w->b.addr;
	exp.dst = w->a.addr;
	assert_true(ikev1_expire(w->b.e, &exp));
	run(w);
	assert_int_equal(w->b.k->nsa, 4);
	free_world(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acquire_across_phase1),
		cmocka_unit_test(test_acquire_while_responding),
		cmocka_unit_test(test_acquire_passive),
		cmocka_unit_test(test_acquire_phase1_fails),
		cmocka_unit_test(test_shutdown_deletes),
		cmocka_unit_test(test_delete_after_isakmp_delete),
		cmocka_unit_test(test_hard_expire),
		cmocka_unit_test(test_soft_expire_rekeys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
