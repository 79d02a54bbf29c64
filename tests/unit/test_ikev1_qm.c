// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1 Quick Mode (first version: one ESP pair, no PFS) between two
 * engines that established phase 1: the SAs in both fake kernels, each
 * inbound SA matching the other side's outbound one, keys included.
 */
#include "ikev1_world.c"

#include <arpa/inet.h>
#include <netinet/in.h>

static void esp_cfg(struct peer *p, uint16_t encr, uint16_t keybits,
		    uint16_t integ)
{
	struct ike_child_cfg *c = &p->ccfg;

	memset(c, 0, sizeof(*c));
	c->nprop = 1;
	c->prop[0].proto = IKE_PROTO_ESP;
	c->prop[0].nencr = 1;
	c->prop[0].encr[0] = (struct ike_encr_alg){ encr, keybits };
	c->prop[0].ninteg = 1;
	c->prop[0].integ[0] = integ;
	c->hard_secs = 3600;
	c->replay_window = 64;
}

static struct world *phase1(void)
{
	struct world *w = new_world(ISAKMP_EXCH_IDPROT, &modern);

	assert_int_equal(initiate(w), 0);
	run(w);
	assert_int_equal(the_sa(&w->a)->state, V1_ESTABLISHED);
	assert_int_equal(the_sa(&w->b)->state, V1_ESTABLISHED);
	esp_cfg(&w->a, IKE_ENCR_AES_CBC, 128, IKE_AUTH_HMAC_SHA2_256_128);
	esp_cfg(&w->b, IKE_ENCR_AES_CBC, 128, IKE_AUTH_HMAC_SHA2_256_128);
	return w;
}

/* A's ACQUIRE: 10.1.0.0/16 (A's side) to 10.2.0.0/16, tunnel. */
static void acquire(struct world *w, struct ikd_acquire *acq)
{
	memset(acq, 0, sizeof(*acq));
	acq->seq = 7;
	acq->proto = IPPROTO_ESP;
	acq->mode = IKD_MODE_TUNNEL;
	acq->reqid = 16384;
	acq->src = w->a.addr;
	acq->dst = w->b.addr;
	assert_int_equal(ikd_addr_parse(&acq->pol.sel.src, "10.1.0.0"), 0);
	assert_int_equal(ikd_addr_parse(&acq->pol.sel.dst, "10.2.0.0"), 0);
	acq->pol.sel.src_plen = acq->pol.sel.dst_plen = 16;
}

static const struct fake_sa *find(const struct fake_kernel *k, bool larval,
				  const struct ikd_addr *dst)
{
	for (unsigned int i = 0; i < k->nsa; i++)
		if (k->sad[i].larval == larval &&
		    ikd_addr_eq_noport(&k->sad[i].sa.dst, dst))
			return &k->sad[i];
	return NULL;
}

/* @in (one kernel's inbound SA) is @out (the other's outbound one). */
static void assert_pair(const struct fake_sa *in, const struct fake_sa *out)
{
	assert_non_null(in);
	assert_non_null(out);
	assert_int_equal(in->sa.spi, out->sa.spi);
	assert_int_equal(in->sa.encr, IKE_ENCR_AES_CBC);
	assert_int_equal(in->sa.encr_keybits, 128);
	assert_int_equal(in->sa.integ, IKE_AUTH_HMAC_SHA2_256_128);
	assert_int_equal(in->sa.mode, IKD_MODE_TUNNEL);
	assert_int_equal(in->sa.enc_key_len, 16);
	assert_int_equal(in->sa.auth_key_len, 32);
	assert_memory_equal(in->enc_key, out->enc_key, 16);
	assert_memory_equal(in->auth_key, out->auth_key, 32);
	assert_memory_equal(&in->sa.sel, &out->sa.sel, sizeof(in->sa.sel));
	assert_int_equal(in->sa.hard_secs, 3600);
}

static void test_quick_mode_esp_tunnel(void **state)
{
	struct world *w = phase1();
	struct ikd_acquire acq;
	const struct fake_sa *a_in, *a_out, *b_in, *b_out;

	(void)state;
	acquire(w, &acq);
	assert_int_equal(ikev1_qm_initiate(w->a.e, &acq), 0);
	run(w);
	assert_int_equal(w->a.k->nsa, 2);
	assert_int_equal(w->b.k->nsa, 2);
	a_in = find(w->a.k, false, &w->a.addr);
	a_out = find(w->a.k, false, &w->b.addr);
	b_in = find(w->b.k, false, &w->b.addr);
	b_out = find(w->b.k, false, &w->a.addr);
	assert_pair(a_in, b_out);
	assert_pair(b_in, a_out);
	assert_int_not_equal(a_in->sa.spi, b_in->sa.spi);
	/* The selectors: A's outbound SA carries 10.1/16 -> 10.2/16. */
	assert_memory_equal(&a_out->sa.sel, &acq.pol.sel, sizeof(acq.pol.sel));
	assert_int_equal(a_in->sa.reqid, 16384);
	assert_int_equal(a_in->sa.seq, 7);
	/* Inbound first on both sides. */
	assert_int_equal(fake_kernel_call_index(w->a.k, FK_UPDATE,
						a_in->sa.spi), 1);
	assert_int_equal(fake_kernel_ncalls(w->b.k, FK_UPDATE), 1);
	assert_int_equal(fake_kernel_ncalls(w->b.k, FK_ADD), 1);
	assert_true(fake_log_has("IPsec-SA established: ESP/Tunnel "
				 "192.0.2.2[500]->192.0.2.1[500] spi="));
	assert_true(fake_log_has("IPsec-SA established: ESP/Tunnel "
				 "192.0.2.1[500]->192.0.2.2[500] spi="));
	assert_false(fake_log_has("correct horse"));
	/* The responder's exchange is gone once installed; the initiator's
	 * stays to answer a repeated HASH(2), then goes too. */
	assert_null(the_sa(&w->b)->qms);
	assert_non_null(the_sa(&w->a)->qms);
	wait_ms(w, 20000);
	assert_null(the_sa(&w->a)->qms);
	free_world(w);
}

static void test_quick_mode_no_proposal(void **state)
{
	struct world *w = phase1();
	struct ikd_acquire acq;

	(void)state;
	esp_cfg(&w->b, IKE_ENCR_3DES, 0, IKE_AUTH_HMAC_SHA1_96);
	acquire(w, &acq);
	assert_int_equal(ikev1_qm_initiate(w->a.e, &acq), 0);
	run(w);
	wait_ms(w, 1000);
	assert_int_equal(w->b.k->nsa, 0);
	assert_int_equal(fake_kernel_ncalls(w->a.k, FK_ADD), 0);
	assert_true(fake_log_has("no proposal chosen for Quick Mode with "
				 "192.0.2.1[500]"));
	free_world(w);
}

static void test_quick_mode_needs_phase1(void **state)
{
	struct world *w = new_world(ISAKMP_EXCH_IDPROT, &modern);
	struct ikd_acquire acq;

	(void)state;
	acquire(w, &acq);
	assert_int_equal(ikev1_qm_initiate(w->a.e, &acq), -ENOENT);
	w->a.ccfg.pfs_group = 14;
	free_world(w);
	w = phase1();
	w->a.ccfg.pfs_group = 14;
	acquire(w, &acq);
	assert_int_equal(ikev1_qm_initiate(w->a.e, &acq), -ENOTSUP);
	free_world(w);
}

/* A forged or garbled Quick Mode message is dropped; the real one goes
 * through after it. */
static void test_quick_mode_garbled_dropped(void **state)
{
	struct world *w = phase1();
	struct ikd_acquire acq;

	(void)state;
	acquire(w, &acq);
	/* QM1 first cut short, then with its ciphertext garbled. */
	w->trunc_mask = w->flip_mask = 1ull << w->npkt;
	assert_int_equal(ikev1_qm_initiate(w->a.e, &acq), 0);
	run(w);
	assert_int_equal(w->a.k->nsa, 2);
	assert_int_equal(w->b.k->nsa, 2);
	assert_true(fake_log_has("ISAKMP message from 192.0.2.1[500] dropped: "));
	assert_true(fake_log_has("Quick Mode message not for an established "
				 "ISAKMP-SA, or not authentic"));
	free_world(w);
}

/* QM1 lost, then QM3 lost: each side's retransmission or repeat
 * answer recovers; both kernels end up with the pair once. */
static void test_quick_mode_lost_messages(void **state)
{
	struct world *w = phase1();
	struct ikd_acquire acq;

	(void)state;
	acquire(w, &acq);
	/* QM1, then (after its retransmission and QM2) QM3. */
	w->drop_mask = 1ull << w->npkt | 1ull << (w->npkt + 3);
	assert_int_equal(ikev1_qm_initiate(w->a.e, &acq), 0);
	run(w);
	wait_ms(w, 10000);
	assert_int_equal(w->a.k->nsa, 2);
	assert_int_equal(w->b.k->nsa, 2);
	assert_int_equal(fake_kernel_ncalls(w->b.k, FK_ADD), 1);
	assert_int_equal(fake_kernel_ncalls(w->a.k, FK_ADD), 1);
	assert_true(fake_log_has("retransmitting Quick Mode message (1 of 3) "
				 "to 192.0.2.2[500]"));
	assert_true(fake_log_has("retransmitting Quick Mode message (1 of 3) "
				 "to 192.0.2.1[500]"));
	wait_ms(w, 30000);
	assert_null(the_sa(&w->a)->qms);
	assert_null(the_sa(&w->b)->qms);
	free_world(w);
}

static void test_quick_mode_given_up(void **state)
{
	struct world *w = phase1();
	struct ikd_acquire acq;

	(void)state;
	acquire(w, &acq);
	w->b_dead = true;
	assert_int_equal(ikev1_qm_initiate(w->a.e, &acq), 0);
	run(w);
	wait_ms(w, 30000);
	assert_null(the_sa(&w->a)->qms);
	assert_int_equal(fake_kernel_ncalls(w->a.k, FK_ADD), 0);
	assert_true(fake_log_has("Quick Mode with 192.0.2.2[500] (M-ID 0x"));
	assert_true(fake_log_has("failed due to time up (3 retransmissions)"));
	/* The ISAKMP SA stays. */
	assert_int_equal(the_sa(&w->a)->state, V1_ESTABLISHED);
	free_world(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quick_mode_esp_tunnel),
		cmocka_unit_test(test_quick_mode_no_proposal),
		cmocka_unit_test(test_quick_mode_needs_phase1),
		cmocka_unit_test(test_quick_mode_garbled_dropped),
		cmocka_unit_test(test_quick_mode_lost_messages),
		cmocka_unit_test(test_quick_mode_given_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
