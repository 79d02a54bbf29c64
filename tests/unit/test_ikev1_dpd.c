// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1 dead peer detection (RFC 3706, ikev1_dpd.c) between two engines:
 * the vendor IDs, R-U-THERE answered, a silent peer declared dead and
 * its SAs out of the kernel, malformed or stray notifies ignored.
 */
#include "ikev1_qm_world.c"

/* Phase 1 and one ESP pair, A checking B every 10 s (retry 3 s, maxfail
 * 2); B answers (@b_dpd) but checks nothing itself. */
static struct world *dpd_world(bool b_dpd)
{
	struct world *w = new_world(ISAKMP_EXCH_IDPROT, &modern);

	w->a.cfg.dpd = true;
	w->a.cfg.dpd_delay_secs = 10;
	w->a.cfg.dpd_retry_secs = 3;
	w->a.cfg.dpd_maxfail = 2;
	w->b.cfg.dpd = b_dpd;
	assert_int_equal(initiate(w), 0);
	run(w);
	assert_int_equal(the_sa(&w->a)->state, V1_ESTABLISHED);
	assert_int_equal(the_sa(&w->b)->state, V1_ESTABLISHED);
	esp_cfg(&w->a, IKE_ENCR_AES_CBC, 128, IKE_AUTH_HMAC_SHA2_256_128);
	esp_cfg(&w->b, IKE_ENCR_AES_CBC, 128, IKE_AUTH_HMAC_SHA2_256_128);
	b_policy(w);
	run_qm(w);
	assert_installed_pairs(w);
	return w;
}

static struct ikev1_sa *sa_of(struct peer *p)
{
	assert_int_equal(nsa(p), 1);
	return p->e->v1_sas;
}

/* Both sent the vendor ID; every R-U-THERE of A's is answered with its
 * own sequence number, and the SAs stay. */
static void test_dpd_ack(void **state)
{
	struct world *w = dpd_world(true);
	uint32_t seq0 = sa_of(&w->a)->dpd.seq;

	(void)state;
	assert_true(sa_of(&w->a)->peer_dpd);
	assert_true(sa_of(&w->b)->peer_dpd);
	wait_ms(w, 35000);
	assert_int_equal(fake_log_count("DPD: R-U-THERE sent to "
					"192.0.2.2[500]"), 3);
	assert_int_equal(fake_log_count("DPD: R-U-THERE from 192.0.2.1[500]"
					" (seq "), 3);
	assert_int_equal(fake_log_count("DPD: R-U-THERE-ACK from "
					"192.0.2.2[500] (seq "), 3);
	assert_int_equal(sa_of(&w->a)->dpd.seq, seq0 + 3);
	assert_false(sa_of(&w->a)->dpd.waiting);
	assert_false(fake_log_has("seems to be dead"));
	assert_false(fake_log_has("ignored"));
	/* B has no dpd_delay: it only answers. */
	assert_null(sa_of(&w->b)->dpd.timer);
	assert_int_equal(w->a.k->nsa, 2);
	assert_int_equal(w->b.k->nsa, 2);
	free_world(w);
}

/* B without dpd: no vendor ID from it, so A never asks; nor does B
 * answer. */
static void test_dpd_peer_without_vid(void **state)
{
	struct world *w = dpd_world(false);

	(void)state;
	assert_false(sa_of(&w->a)->peer_dpd);
	assert_true(sa_of(&w->b)->peer_dpd);
	assert_null(sa_of(&w->a)->dpd.timer);
	wait_ms(w, 35000);
	assert_false(fake_log_has("R-U-THERE"));
	/* B, with dpd off, does not answer one either. */
	assert_int_equal(ikev1_info_notify_data(sa_of(&w->a),
						ISAKMP_N_R_U_THERE,
						(const uint8_t[4]){ 0, 0, 0, 9 },
						4), 0);
	run(w);
	assert_true(fake_log_has("DPD: R-U-THERE from 192.0.2.1[500]: dpd is "
				 "off, not answered"));
	assert_false(fake_log_has("R-U-THERE-ACK"));
	free_world(w);
}

/* B goes silent: A retries dpd_maxfail times, then declares it dead and
 * takes the ISAKMP SA and the pair out of its kernel. */
static void test_dpd_dead(void **state)
{
	struct world *w = dpd_world(true);
	/* dpd_delay, then dpd_retry for the first R-U-THERE and each of
	 * dpd_maxfail more. */
	uint64_t dead_at = sa_of(&w->a)->established_ms + 10000 + 3 * 3000;

	(void)state;
	w->b_dead = true;
	wait_ms(w, dead_at - w->t.ops.now(&w->t.ops) - 1);
	assert_int_equal(fake_log_count("DPD: R-U-THERE sent to "
					"192.0.2.2[500]"), 3);
	assert_false(fake_log_has("seems to be dead"));
	assert_int_equal(nsa(&w->a), 1);
	assert_int_equal(w->a.k->nsa, 2);
	wait_ms(w, 2);
	assert_true(fake_log_has("DPD: remote 192.0.2.2[500] (ISAKMP-SA spi="));
	assert_true(fake_log_has("seems to be dead"));
	assert_int_equal(nsa(&w->a), 0);
	assert_int_equal(w->a.k->nsa, 0);
	assert_true(fake_log_has("IPsec-SA removed: ESP/Tunnel 192.0.2.1"
				 "<->192.0.2.2"));
	/* No DELETE went: nobody is there to read it. */
	assert_int_equal(fake_log_count("R-U-THERE sent"), 3);
	free_world(w);
}

/* An R-U-THERE whose data is not a 4-byte sequence number, an ACK A did
 * not ask for, a garbled one: logged and dropped. B's own R-U-THERE is
 * answered with its sequence number echoed. */
static void test_dpd_malformed(void **state)
{
	struct world *w = dpd_world(true);
	struct ikev1_sa *b = sa_of(&w->b);
	const uint8_t short_seq[3] = { 1, 2, 3 };
	const uint8_t seq[4] = { 0, 0, 0, 77 };

	(void)state;
	assert_int_equal(ikev1_info_notify_data(b, ISAKMP_N_R_U_THERE,
						short_seq, 3), 0);
	run(w);
	assert_true(fake_log_has("DPD: R-U-THERE from 192.0.2.2[500] has 3 "
				 "bytes of data, not a sequence number: "
				 "ignored"));
	assert_int_equal(ikev1_info_notify_data(b, ISAKMP_N_R_U_THERE, NULL,
						0), 0);
	run(w);
	assert_true(fake_log_has("has 0 bytes of data"));
	assert_false(fake_log_has("R-U-THERE-ACK"));

	assert_int_equal(ikev1_info_notify_data(b, ISAKMP_N_R_U_THERE_ACK,
						seq, 4), 0);
	run(w);
	assert_true(fake_log_has("DPD: R-U-THERE-ACK from 192.0.2.2[500] "
				 "with sequence number 77, expected "));

	w->flip_mask = 1ull << w->npkt;
	assert_int_equal(ikev1_info_notify_data(b, ISAKMP_N_R_U_THERE, seq,
						4), 0);
	run(w);
	/* The garbled copy dropped, the real one answered: 77 echoed, B
	 * (asking nothing itself) logs the ACK as unexpected. */
	assert_true(fake_log_has("Informational not for an established "
				 "ISAKMP-SA, or not authentic"));
	assert_int_equal(fake_log_count("DPD: R-U-THERE from 192.0.2.2[500] "
					"(seq 77) answered"), 1);
	assert_true(fake_log_has("DPD: R-U-THERE-ACK from 192.0.2.1[500] "
				 "with sequence number 77, expected "));
	/* A's own checks go on unharmed. */
	wait_ms(w, 11000);
	assert_int_equal(fake_log_count("DPD: R-U-THERE-ACK from "
					"192.0.2.2[500] (seq "), 1);
	assert_int_equal(w->a.k->nsa, 2);
	free_world(w);
}

/* The SPI must be the ISAKMP SA's two cookies: an ACK naming another
 * SA, or a short SPI, does not count as the answer A waits for. */
static void test_dpd_wrong_cookies(void **state)
{
	struct world *w = dpd_world(true);
	struct ikev1_sa *a = sa_of(&w->a);
	uint8_t spi[2 * IKEV1_COOKIE_LEN], seq[4];
	struct isakmp_notify n = { .doi = ISAKMP_DOI_IPSEC,
				   .proto = ISAKMP_PROTO_ISAKMP,
				   .type = ISAKMP_N_R_U_THERE_ACK };

	(void)state;
	w->b_dead = true;
	wait_ms(w, 10000);	/* A's first R-U-THERE is out, unanswered */
	assert_true(a->dpd.waiting);
	seq[0] = (uint8_t)(a->dpd.seq >> 24);
	seq[1] = (uint8_t)(a->dpd.seq >> 16);
	seq[2] = (uint8_t)(a->dpd.seq >> 8);
	seq[3] = (uint8_t)a->dpd.seq;
	memcpy(spi, a->cky_i, IKEV1_COOKIE_LEN);
	memcpy(spi + IKEV1_COOKIE_LEN, a->cky_r, IKEV1_COOKIE_LEN);
	spi[15] ^= 1;
	n.spi = (struct isakmp_chunk){ spi, sizeof(spi) };
	n.data = (struct isakmp_chunk){ seq, sizeof(seq) };
	ikev1_dpd_notify(a, &n);
	assert_true(fake_log_has("DPD: R-U-THERE-ACK from 192.0.2.2[500] "
				 "with wrong cookie(s): ignored"));
	assert_true(a->dpd.waiting);
	spi[15] ^= 1;
	n.spi.len = IKEV1_COOKIE_LEN;
	ikev1_dpd_notify(a, &n);
	assert_int_equal(fake_log_count("with wrong cookie(s)"), 2);
	assert_true(a->dpd.waiting);
	/* The right one is taken. */
	n.spi.len = sizeof(spi);
	ikev1_dpd_notify(a, &n);
	assert_false(a->dpd.waiting);
	assert_int_equal(a->dpd.fails, 0);
	free_world(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dpd_ack),
		cmocka_unit_test(test_dpd_peer_without_vid),
		cmocka_unit_test(test_dpd_dead),
		cmocka_unit_test(test_dpd_malformed),
		cmocka_unit_test(test_dpd_wrong_cookies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
