// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1 phase 1 between two engines in one process: Main and Aggressive
 * Mode with pre-shared keys, over an in-memory network the test controls
 * (drop, duplicate, mangle), with one fake clock. Each case ends in
 * assertions on both ISAKMP SA tables, their keys and the logs.
 */
#include "ikev1_world.c"

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
	/* The world's remote blocks have NAT-T and DPD off. */
	assert_false(a->natt.ver || a->peer_dpd || b->natt.ver || b->peer_dpd);
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
