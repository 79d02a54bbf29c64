// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1 Quick Mode (first version: one ESP pair, no PFS) between two
 * engines that established phase 1: the SAs in both fake kernels, each
 * inbound SA matching the other side's outbound one, keys included.
 */
#include "ikev1_qm_world.c"

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
	/* B's reqid is its unique policy's. */
	assert_int_equal(b_in->sa.reqid, 200);
	assert_int_equal(b_out->sa.reqid, 200);
	/* Inbound first on both sides. */
	assert_in_range(fake_kernel_call_index(w->a.k, FK_UPDATE, a_in->sa.spi),
			0, fake_kernel_call_index(w->a.k, FK_ADD,
						  a_out->sa.spi) - 1);
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
	/* B said so: A gave up at once instead of retransmitting. */
	assert_true(fake_log_has("the peer answered NO-PROPOSAL-CHOSEN to "));
	assert_null(the_sa(&w->a)->qms);
	assert_int_equal(w->a.e->stats.retransmits, 0);
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
	w->a.ccfg.pfs_group = 9999;	/* no such group */
	acquire(w, &acq);
	assert_int_equal(ikev1_qm_initiate(w->a.e, &acq), -ENOTSUP);
	assert_null(the_sa(&w->a)->qms);
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

/* --- the responder's IDs against its SPD ----------------------------- */

/* B refuses A's IDs: INVALID-ID-INFORMATION back, nothing in B's
 * kernel, A installs nothing either. */
static void assert_refused(struct world *w)
{
	assert_int_equal(w->b.k->nsa, 0);
	assert_int_equal(fake_kernel_ncalls(w->b.k, FK_GETSPI), 0);
	assert_int_equal(fake_kernel_ncalls(w->b.k, FK_ADD), 0);
	assert_int_equal(fake_kernel_ncalls(w->b.k, FK_SPD_ADD), 0);
	assert_int_equal(fake_kernel_ncalls(w->a.k, FK_ADD), 0);
	assert_true(fake_log_has("no policy found: IDci=[10.1.0.0/16] "
				 "IDcr=[10.2.0.0/16] (Tunnel) from "
				 "192.0.2.1[500]"));
	assert_true(fake_log_has("invalid ID payload"));
	/* A stops at once: no retransmission can change B's mind. */
	assert_true(fake_log_has("phase2 negotiation with 192.0.2.2[500] "
				 "failed: the peer answered "
				 "INVALID-ID-INFORMATION to IDci="));
	assert_null(the_sa(&w->a)->qms);
	assert_null(the_sa(&w->b)->qms);
}

static void test_ids_outside_spd_refused(void **state)
{
	struct world *w = phase1_bare();

	(void)state;
	/* B's policy is for other networks. */
	policy(&w->b, &w->a, "10.3.0.0", 16, "10.1.0.0", 16, IKD_MODE_TUNNEL,
	       IPSEC_LEVEL_UNIQUE, 200);
	run_qm(w);
	assert_refused(w);
	free_world(w);
}

static void test_ids_empty_spd_refused(void **state)
{
	struct world *w = phase1_bare();

	(void)state;
	run_qm(w);
	assert_refused(w);
	assert_true(fake_log_has("(generate_policy is off)"));
	free_world(w);
}

/* Wider than the policy: racoon finds no SP for it either. */
static void test_ids_wider_refused(void **state)
{
	struct world *w = phase1_bare();

	(void)state;
	policy(&w->b, &w->a, "10.2.1.0", 24, "10.1.0.0", 16, IKD_MODE_TUNNEL,
	       IPSEC_LEVEL_UNIQUE, 200);
	policy(&w->b, &w->a, "10.2.0.0", 16, "10.1.0.0", 24, IKD_MODE_TUNNEL,
	       IPSEC_LEVEL_UNIQUE, 201);
	run_qm(w);
	assert_refused(w);
	free_world(w);
}

/* Inside the policy (racoon's SP lookup matches its prefixes as
 * wildcards): accepted as the IDs say, the reqid the policy's. */
static void test_ids_narrower_accepted(void **state)
{
	struct world *w = phase1_bare();
	const struct fake_sa *b_out;

	(void)state;
	policy(&w->b, &w->a, "10.2.0.0", 16, "10.0.0.0", 8, IKD_MODE_TUNNEL,
	       IPSEC_LEVEL_UNIQUE, 300);
	run_qm(w);
	assert_int_equal(w->b.k->nsa, 2);
	assert_int_equal(w->a.k->nsa, 2);
	b_out = find(w->b.k, false, &w->a.addr);
	assert_non_null(b_out);
	assert_int_equal(b_out->sa.reqid, 300);
	assert_int_equal(b_out->sa.sel.dst_plen, 16);
	assert_int_equal(fake_kernel_ncalls(w->b.k, FK_SPD_ADD), 0);
	free_world(w);
}

/* The policy is for transport mode; A asks for a tunnel. */
static void test_ids_mode_mismatch_refused(void **state)
{
	struct world *w = phase1_bare();

	(void)state;
	policy(&w->b, &w->a, "10.2.0.0", 16, "10.1.0.0", 16,
	       IKD_MODE_TRANSPORT, IPSEC_LEVEL_UNIQUE, 200);
	run_qm(w);
	assert_refused(w);
	assert_true(fake_log_has("our policy has the other mode"));
	free_world(w);
}

/* setkey's `unique` without a number gives the inbound policy a reqid
 * of its own, which the kernel checks inbound packets' SAs against: each
 * side's inbound SA takes it (racoon's reqid_in), the outbound SA the
 * outbound policy's. */
static void test_unique_in_reqid(void **state)
{
	struct world *w = phase1_bare();
	struct ikd_acquire acq;

	(void)state;
	policy(&w->a, &w->b, "10.1.0.0", 16, "10.2.0.0", 16, IKD_MODE_TUNNEL,
	       IPSEC_LEVEL_UNIQUE, 16384);
	policy(&w->b, &w->a, "10.2.0.0", 16, "10.1.0.0", 16, IKD_MODE_TUNNEL,
	       IPSEC_LEVEL_UNIQUE, 200);
	/* policy() adds out, then in: the in ones get their own. */
	assert_int_equal(w->a.k->spd[1].dir, IKD_DIR_IN);
	w->a.k->spd[1].req[0].reqid = 16385;
	w->b.k->spd[1].req[0].reqid = 201;
	acquire(w, &acq);
	assert_int_equal(ikev1_qm_initiate(w->a.e, &acq), 0);
	run(w);
	assert_int_equal(w->a.k->nsa, 2);
	assert_int_equal(w->b.k->nsa, 2);
	assert_int_equal(find(w->a.k, false, &w->a.addr)->sa.reqid, 16385);
	assert_int_equal(find(w->a.k, false, &w->b.addr)->sa.reqid, 16384);
	assert_int_equal(find(w->b.k, false, &w->b.addr)->sa.reqid, 201);
	assert_int_equal(find(w->b.k, false, &w->a.addr)->sa.reqid, 200);
	free_world(w);
}

/* Level require: no reqid of its own, the SAs get 0. */
static void test_ids_require_policy_reqid0(void **state)
{
	struct world *w = phase1_bare();
	const struct fake_sa *b_in;

	(void)state;
	policy(&w->b, &w->a, "10.2.0.0", 16, "10.1.0.0", 16, IKD_MODE_TUNNEL,
	       IPSEC_LEVEL_REQUIRE, 0);
	run_qm(w);
	b_in = find(w->b.k, false, &w->b.addr);
	assert_non_null(b_in);
	assert_int_equal(b_in->sa.reqid, 0);
	free_world(w);
}

/* generate_policy: no policy of B's, A's IDs are taken and installed
 * (out, in, fwd) with a reqid the SAs share. */
static void test_ids_generate_policy(void **state)
{
	struct world *w = phase1_bare();
	const struct fake_kernel *k;
	const struct fake_sa *b_in;
	char s[IKD_ADDR_STRLEN];

	(void)state;
	w->b.e->v1_sas->cfg.generate_policy = true;
	run_qm(w);
	k = w->b.k;
	assert_int_equal(k->nsa, 2);
	assert_int_equal(fake_kernel_ncalls(k, FK_SPD_ADD), 3);
	assert_int_equal(k->npol, 3);
	assert_int_equal(k->spd[0].dir, IKD_DIR_OUT);
	assert_string_equal(ikd_addr_str(&k->spd[0].sel.src, false, s),
			    "10.2.0.0");
	assert_int_equal(k->spd[0].sel.src_plen, 16);
	assert_string_equal(ikd_addr_str(&k->spd[0].sel.dst, false, s),
			    "10.1.0.0");
	assert_int_equal(k->spd[0].req[0].level, IPSEC_LEVEL_UNIQUE);
	assert_true(ikd_addr_eq_noport(&k->spd[0].req[0].tdst, &w->a.addr));
	assert_int_equal(k->spd[1].dir, IKD_DIR_IN);
	assert_int_equal(k->spd[2].dir, IKD_DIR_FWD);
	b_in = find(k, false, &w->b.addr);
	assert_non_null(b_in);
	assert_int_not_equal(b_in->sa.reqid, 0);
	assert_int_equal(k->spd[0].req[0].reqid, b_in->sa.reqid);
	assert_true(fake_log_has("generate_policy: installing"));
	free_world(w);
}

/* generate_policy, but the sainfo wants transport mode. */
static void test_ids_generate_policy_mode(void **state)
{
	struct world *w = phase1_bare();

	(void)state;
	w->b.e->v1_sas->cfg.generate_policy = true;
	w->b.ccfg.mode = IKD_MODE_TRANSPORT;
	run_qm(w);
	assert_int_equal(w->b.k->nsa, 0);
	assert_int_equal(fake_kernel_ncalls(w->b.k, FK_SPD_ADD), 0);
	assert_true(fake_log_has("generate_policy: 192.0.2.1[500] asks for "
				 "Tunnel mode, sainfo wants Transport"));
	free_world(w);
}

/* Transport mode between the peers themselves: A leaves the IDs out,
 * B takes the peers' addresses and finds its transport policy. */
static void test_ids_implied_transport(void **state)
{
	struct world *w = phase1_bare();
	struct ikd_acquire acq;
	const struct fake_sa *b_in, *a_in;

	(void)state;
	policy(&w->b, &w->a, "192.0.2.2", 32, "192.0.2.1", 32,
	       IKD_MODE_TRANSPORT, IPSEC_LEVEL_UNIQUE, 400);
	acquire(w, &acq);
	acq.mode = IKD_MODE_TRANSPORT;
	acq.pol.sel.src = w->a.addr;
	acq.pol.sel.dst = w->b.addr;
	acq.pol.sel.src.port = acq.pol.sel.dst.port = 0;
	acq.pol.sel.src_plen = acq.pol.sel.dst_plen = 32;
	acq.pol.sel.proto = 255;
	assert_int_equal(ikev1_qm_initiate(w->a.e, &acq), 0);
	run(w);
	assert_int_equal(w->a.k->nsa, 2);
	assert_int_equal(w->b.k->nsa, 2);
	b_in = find(w->b.k, false, &w->b.addr);
	a_in = find(w->a.k, false, &w->a.addr);
	assert_non_null(b_in);
	assert_non_null(a_in);
	assert_int_equal(b_in->sa.mode, IKD_MODE_TRANSPORT);
	assert_int_equal(b_in->sa.reqid, 400);
	assert_true(ikd_addr_eq_noport(&b_in->sa.sel.src, &w->a.addr));
	assert_int_equal(b_in->sa.sel.src_plen, 32);
	assert_true(fake_log_has("without IDs: the peers' addresses"));
	assert_true(fake_log_has("IPsec-SA established: ESP/Transport"));
	free_world(w);
}

/* No IDs, and B's policy is for networks: the peers' addresses are not
 * in it. */
static void test_ids_implied_outside_spd(void **state)
{
	struct world *w = phase1();
	struct ikd_acquire acq;

	(void)state;
	acquire(w, &acq);
	acq.mode = IKD_MODE_TRANSPORT;
	acq.pol.sel.src = w->a.addr;
	acq.pol.sel.dst = w->b.addr;
	acq.pol.sel.src.port = acq.pol.sel.dst.port = 0;
	acq.pol.sel.src_plen = acq.pol.sel.dst_plen = 32;
	assert_int_equal(ikev1_qm_initiate(w->a.e, &acq), 0);
	run(w);
	assert_int_equal(w->b.k->nsa, 0);
	assert_int_equal(fake_kernel_ncalls(w->a.k, FK_ADD), 0);
	assert_true(fake_log_has("no policy found: IDci=[192.0.2.1/32] "
				 "IDcr=[192.0.2.2/32] (Transport)"));
	free_world(w);
}

/* --- PFS -------------------------------------------------------------- */

static void test_pfs_both(void **state)
{
	struct world *w = phase1();

	(void)state;
	w->a.ccfg.pfs_group = w->b.ccfg.pfs_group = 14;
	run_qm(w);
	assert_installed_pairs(w);
	assert_int_equal(fake_log_count(": PFS with group 14"), 2);
	assert_false(fake_log_has("PFS group"));
	free_world(w);
}

/* The responder without PFS follows an initiator that asks for it. */
static void test_pfs_responder_follows(void **state)
{
	struct world *w = phase1();

	(void)state;
	w->a.ccfg.pfs_group = 2;
	run_qm(w);
	assert_installed_pairs(w);
	assert_int_equal(fake_log_count(": PFS with group 2"), 2);
	free_world(w);
}

/* The responder wants PFS: a proposal without it, or with another
 * group, is refused; nothing installed. */
static void test_pfs_required(void **state)
{
	struct world *w = phase1();

	(void)state;
	w->b.ccfg.pfs_group = 14;
	run_qm(w);
	assert_int_equal(w->b.k->nsa, 0);
	assert_int_equal(fake_kernel_ncalls(w->a.k, FK_ADD), 0);
	assert_true(fake_log_has("no proposal chosen for Quick Mode with "
				 "192.0.2.1[500]"));
	free_world(w);

	w = phase1();
	w->a.ccfg.pfs_group = 2;
	w->b.ccfg.pfs_group = 14;
	run_qm(w);
	assert_int_equal(w->b.k->nsa, 0);
	assert_int_equal(fake_kernel_ncalls(w->a.k, FK_ADD), 0);
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
		cmocka_unit_test(test_ids_outside_spd_refused),
		cmocka_unit_test(test_ids_empty_spd_refused),
		cmocka_unit_test(test_ids_wider_refused),
		cmocka_unit_test(test_ids_narrower_accepted),
		cmocka_unit_test(test_ids_mode_mismatch_refused),
		cmocka_unit_test(test_ids_require_policy_reqid0),
		cmocka_unit_test(test_unique_in_reqid),
		cmocka_unit_test(test_ids_generate_policy),
		cmocka_unit_test(test_ids_generate_policy_mode),
		cmocka_unit_test(test_ids_implied_transport),
		cmocka_unit_test(test_ids_implied_outside_spd),
		cmocka_unit_test(test_pfs_both),
		cmocka_unit_test(test_pfs_responder_follows),
		cmocka_unit_test(test_pfs_required),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
