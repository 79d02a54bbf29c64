// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1 mismatches between two engines in one process (ikev1_world.c):
 * racoon's proposal_check (obey, strict, claim, exact) on the phase 1
 * lifetime and on the Quick Mode lifetime and PFS group, a wrong
 * pre-shared key, no common proposal in either phase, and every phase 1
 * and Quick Mode message lost or repeated once. Each case asserts the
 * outcome (SAs, the lifetimes in the fake kernels) and the line each
 * side logs, in racoon's words, with both sides' values.
 *
 * The expectations are written out per mode (tables below), not derived
 * from the code under test.
 */
#include "ikev1_qm_world.c"

/* Each kernel has its inbound and outbound SA, the pairs match across,
 * with @life as hard lifetime on all four. */
static void assert_installed_pairs_life(struct world *w, uint32_t life)
{
	const struct fake_sa *in[2] = { find(w->a.k, false, &w->a.addr),
					find(w->b.k, false, &w->b.addr) };
	const struct fake_sa *out[2] = { find(w->b.k, false, &w->a.addr),
					 find(w->a.k, false, &w->b.addr) };

	assert_int_equal(w->a.k->nsa, 2);
	assert_int_equal(w->b.k->nsa, 2);
	for (int i = 0; i < 2; i++) {
		assert_non_null(in[i]);
		assert_non_null(out[i]);
		assert_int_equal(in[i]->sa.spi, out[i]->sa.spi);
		assert_memory_equal(in[i]->enc_key, out[i]->enc_key, 16);
		assert_memory_equal(in[i]->auth_key, out[i]->auth_key, 32);
		assert_int_equal(in[i]->sa.hard_secs, life);
		assert_int_equal(out[i]->sa.hard_secs, life);
	}
}

/* @line was logged; if not, the log and the line, to see why. */
static void must_log(const char *line)
{
	if (fake_log_has(line))
		return;
	fake_log_dump();
	fail_msg("not logged: %s", line);
}

static const char *const mode_name[] = { "obey", "strict", "claim",
					 "exact" };

/* --- phase 1 lifetime --------------------------------------------------- */

enum { SHORTER, EQUAL, LONGER };
static const uint32_t offer_life[] = { 600, 3600, 7200 };	/* ours 3600 */

/* What B does with A's offer: the lifetime both use, 0 refused. */
static const uint32_t p1_life[4][3] = {
	[IKE_V1_CHECK_OBEY]   = { 600, 3600, 7200 },
	[IKE_V1_CHECK_STRICT] = { 600, 3600, 0 },
	[IKE_V1_CHECK_CLAIM]  = { 600, 3600, 3600 },
	[IKE_V1_CHECK_EXACT]  = { 0, 3600, 0 },
};

static void p1_case(uint8_t check, int len)
{
	struct world *w = new_world(ISAKMP_EXCH_IDPROT, &modern);
	uint32_t want = p1_life[check][len], offered = offer_life[len];
	char line[200];

	w->a.cfg.v1.prop[0].lifetime_secs = offered;
	w->b.cfg.v1.check = check;
	assert_int_equal(initiate(w), 0);
	run(w);
	if (want) {
		assert_int_equal(the_sa(&w->a)->state, V1_ESTABLISHED);
		assert_int_equal(the_sa(&w->b)->state, V1_ESTABLISHED);
		assert_int_equal(the_sa(&w->a)->ch.life_secs, want);
		assert_int_equal(the_sa(&w->b)->ch.life_secs, want);
		snprintf(line, sizeof(line), "phase 1 with 192.0.2.1[500]: use "
			 "own lifetime: initiator %u s, ours 3600 s "
			 "(proposal_check claim)", offered);
		assert_int_equal(fake_log_has(line), want < offered);
	} else {
		assert_int_equal(nsa(&w->b), 0);
		snprintf(line, sizeof(line), "phase 1 with 192.0.2.1[500]: %s: "
			 "initiator %u s, ours 3600 s (proposal_check %s)",
			 check == IKE_V1_CHECK_EXACT ? "lifetime mismatched" :
			 "long lifetime proposed", offered, mode_name[check]);
		must_log(line);
		assert_true(fake_log_has("no proposal chosen for "
					 "192.0.2.1[500]: peer offered "));
		assert_true(fake_log_has("phase 1 with 192.0.2.2[500]: peer "
					 "answered NO-PROPOSAL-CHOSEN"));
		wait_ms(w, 60000);
		assert_int_equal(nsa(&w->a), 0);
	}
	free_world(w);
}

static void test_phase1_lifetime_matrix(void **state)
{
	(void)state;
	for (uint8_t c = IKE_V1_CHECK_OBEY; c <= IKE_V1_CHECK_EXACT; c++)
		for (int l = SHORTER; l <= LONGER; l++)
			p1_case(c, l);
}

/* --- Quick Mode lifetime and PFS ---------------------------------------- */

/* A's and B's pfs_group. */
enum { PFS_SAME, PFS_OTHER, PFS_I_NONE, PFS_R_NONE };
static const uint16_t pfs_a[] = { 2, 2, 0, 2 };
static const uint16_t pfs_b[] = { 2, 14, 14, 0 };

/* The lifetime B takes (0: refused) and whether it claims its own. */
static const uint32_t qm_life[4][3] = {
	[IKE_V1_CHECK_OBEY]   = { 600, 3600, 7200 },
	[IKE_V1_CHECK_STRICT] = { 600, 3600, 0 },
	[IKE_V1_CHECK_CLAIM]  = { 600, 3600, 3600 },
	[IKE_V1_CHECK_EXACT]  = { 0, 3600, 0 },
};

/* The group the pair ends up with, -1 refused. obey takes the
 * initiator's; strict and claim refuse only when B has a group and A's
 * differs; exact wants equal groups, none included. */
static const int qm_pfs[4][4] = {
	[IKE_V1_CHECK_OBEY]   = { 2, 2, 0, 2 },
	[IKE_V1_CHECK_STRICT] = { 2, -1, -1, 2 },
	[IKE_V1_CHECK_CLAIM]  = { 2, -1, -1, 2 },
	[IKE_V1_CHECK_EXACT]  = { 2, -1, -1, -1 },
};

static const char *grp(uint16_t g)
{
	return g == 2 ? "modp1024" : g == 14 ? "modp2048" : "none";
}

/* B's refusal: the lifetime is judged before the group. */
static void expect_qm_refusal(uint8_t check, int len, int pfs)
{
	char line[200];

	if (!qm_life[check][len])
		snprintf(line, sizeof(line), "Quick Mode with 192.0.2.1[500]: "
			 "%s: initiator %u s, ours 3600 s (proposal_check %s)",
			 check == IKE_V1_CHECK_EXACT ? "lifetime mismatched" :
			 "long lifetime proposed", offer_life[len],
			 mode_name[check]);
	else
		snprintf(line, sizeof(line), "Quick Mode with 192.0.2.1[500]: "
			 "pfs group mismatched: initiator %s, ours %s "
			 "(proposal_check %s)", grp(pfs_a[pfs]),
			 grp(pfs_b[pfs]), mode_name[check]);
	must_log(line);
	assert_true(fake_log_has("no proposal chosen for Quick Mode with "
				 "192.0.2.1[500]"));
	/* Refused and said so, not "dropped". */
	assert_false(fake_log_has("dropped"));
	snprintf(line, sizeof(line), "phase2 negotiation with 192.0.2.2[500] "
		 "failed: the peer answered NO-PROPOSAL-CHOSEN to "
		 "IDci=[10.1.0.0/16] IDcr=[10.2.0.0/16] (ESP Tunnel, PFS "
		 "group %u, lifetime %u s)",
		 pfs_a[pfs], offer_life[len]);
	must_log(line);
}

static void expect_qm_pair(struct world *w, uint32_t life, int group,
			   uint32_t offered)
{
	char line[200];

	assert_installed_pairs_life(w, life);
	snprintf(line, sizeof(line), ": PFS with group %d", group);
	assert_int_equal(fake_log_count(line), group ? 2 : 0);
	/* claim with a longer offer: B says so in RESPONDER-LIFETIME, and
	 * A takes it from there. */
	snprintf(line, sizeof(line), "Quick Mode with 192.0.2.1[500]: use own "
		 "lifetime: initiator %u s, ours 3600 s (proposal_check "
		 "claim), "
		 "RESPONDER-LIFETIME sent", offered);
	assert_int_equal(fake_log_has(line), life < offered);
	snprintf(line, sizeof(line), "Quick Mode with 192.0.2.2[500]: "
		 "RESPONDER-LIFETIME 3600 s, ours %u s: the responder's is "
		 "used", offered);
	assert_int_equal(fake_log_has(line), life < offered);
}

static void qm_case(uint8_t check, int len, int pfs)
{
	struct world *w = phase1();
	uint32_t life = qm_life[check][len];
	int group = qm_pfs[check][pfs];

	fake_log_reset();
	w->b.cfg.v1.check = check;
	((struct ikev1_sa *)the_sa(&w->b))->cfg.v1.check = check;
	w->a.ccfg.hard_secs = offer_life[len];
	w->a.ccfg.pfs_group = pfs_a[pfs];
	w->b.ccfg.pfs_group = pfs_b[pfs];
	run_qm(w);
	if (life && group >= 0) {
		expect_qm_pair(w, life, group, offer_life[len]);
	} else {
		assert_int_equal(w->b.k->nsa, 0);
		assert_int_equal(fake_kernel_ncalls(w->a.k, FK_ADD), 0);
		assert_null(the_sa(&w->a)->qms);
		expect_qm_refusal(check, len, pfs);
	}
	free_world(w);
}

static void test_quick_mode_matrix(void **state)
{
	(void)state;
	for (uint8_t c = IKE_V1_CHECK_OBEY; c <= IKE_V1_CHECK_EXACT; c++)
		for (int l = SHORTER; l <= LONGER; l++)
			for (int p = PFS_SAME; p <= PFS_R_NONE; p++)
				qm_case(c, l, p);
}

/* The sainfo without a lifetime stands for 28800 s (racoon's default):
 * strict takes a shorter offer, refuses a longer one. */
static void test_quick_mode_default_lifetime(void **state)
{
	struct world *w = phase1();

	(void)state;
	w->b.ccfg.hard_secs = 0;
	w->a.ccfg.hard_secs = 36000;
	run_qm(w);
	assert_int_equal(w->b.k->nsa, 0);
	assert_true(fake_log_has("long lifetime proposed: initiator 36000 s, "
				 "ours 28800 s (proposal_check strict)"));
	free_world(w);
}

/* RESPONDER-LIFETIME alone, through the codec: what the responder
 * builds, the initiator takes when shorter (TV and 4-byte TLV
 * durations), and a longer or malformed one is ignored. */
static uint32_t obeyed(uint32_t ours, const uint8_t *data, size_t len,
		       uint32_t claimed)
{
	struct ikev1_sa sa = { 0 };
	struct ikev1_qm_x r = { 0 }, i = { 0 };
	uint8_t buf[128];
	struct ike_wbuf wb;
	struct isakmp_builder b;
	struct isakmp_msg m;

	assert_int_equal(ikd_addr_parse(&sa.remote, "192.0.2.2"), 0);
	sa.remote.port = 500;
	r.sa = i.sa = &sa;
	r.proto = i.proto = IPPROTO_ESP;
	r.claimed = true;
	r.life_secs = claimed;
	i.initiator = true;
	i.life_secs = ours;
	ike_wbuf_init(&wb, buf, sizeof(buf));
	isakmp_build_chain(&b, &wb);
	if (data)
		isakmp_build_notify(&b, ISAKMP_DOI_IPSEC, ISAKMP_PROTO_ESP,
				    (const uint8_t *)"\1\2\3\4", 4,
				    IPSEC_N_RESPONDER_LIFETIME, data, len);
	else
		ikev1_qm_build_claim(&r, &b);
	assert_int_equal(isakmp_build_end(&b), 0);
	assert_int_equal(isakmp_msg_parse_body(&m, ISAKMP_PL_N, buf, wb.len),
			 0);
	ikev1_qm_obey_claim(&i, &m);
	return i.life_secs;
}

static void test_responder_lifetime_codec(void **state)
{
	/* Life type seconds, then a duration TLV of 2 bytes but only 1. */
	static const uint8_t cut[] = { 0x80, 1, 0, 1, 0, 2, 0, 2, 0x0e };
	/* Kilobytes: not a lifetime in seconds. */
	static const uint8_t kb[] = { 0x80, 1, 0, 2, 0x80, 2, 0, 9 };

	(void)state;
	fake_log_reset();
	assert_int_equal(obeyed(7200, NULL, 0, 3600), 3600);
	must_log("Quick Mode with 192.0.2.2[500]: RESPONDER-LIFETIME 3600 s, "
		 "ours 7200 s: the responder's is used");
	assert_int_equal(obeyed(200000, NULL, 0, 100000), 100000);
	assert_int_equal(obeyed(1800, NULL, 0, 3600), 1800);
	must_log("RESPONDER-LIFETIME 3600 s ignored, ours 1800 s");
	assert_int_equal(obeyed(7200, cut, sizeof(cut), 0), 7200);
	assert_int_equal(obeyed(7200, kb, sizeof(kb), 0), 7200);
	/* An empty one says nothing. */
	fake_log_reset();
	assert_int_equal(obeyed(7200, (const uint8_t *)"", 0, 0), 7200);
	assert_false(fake_log_has("the responder's is used"));
	must_log("RESPONDER-LIFETIME 0 s ignored, ours 7200 s");
}

/* A responder that did not claim, or an initiator, adds no notify. */
static void test_responder_lifetime_only_when_claimed(void **state)
{
	struct ikev1_qm_x q = { .proto = IPPROTO_ESP, .life_secs = 3600 };
	uint8_t buf[64];
	struct ike_wbuf wb;
	struct isakmp_builder b;

	(void)state;
	ike_wbuf_init(&wb, buf, sizeof(buf));
	isakmp_build_chain(&b, &wb);
	ikev1_qm_build_claim(&q, &b);
	q.initiator = q.claimed = true;
	ikev1_qm_build_claim(&q, &b);
	assert_int_equal(wb.len, 0);
	q.initiator = false;
	ikev1_qm_build_claim(&q, &b);
	/* N header 12 bytes + SPI 4 + TV type + TV duration. */
	assert_int_equal(wb.len, 4 + 8 + 4 + 8);
}

/* --- wrong pre-shared key ----------------------------------------------- */

static void test_wrong_psk_main(void **state)
{
	struct world *w = new_world(ISAKMP_EXCH_IDPROT, &modern);

	(void)state;
	strcpy(w->b.psk, "a different secret");
	assert_int_equal(initiate(w), 0);
	run(w);
	wait_ms(w, 60000);
	assert_int_equal(nsa(&w->a), 0);
	assert_int_equal(nsa(&w->b), 0);
	/* B cannot decrypt MM5; A never gets MM6. */
	assert_true(fake_log_has("ISAKMP message from 192.0.2.1[500] dropped: "
				 "does not decrypt or parse (wrong pre-shared "
				 "key?)"));
	assert_true(fake_log_has("phase 1 negotiation with 192.0.2.2[500] "
				 "failed due to time up"));
	assert_true(fake_log_has("phase 1 negotiation with 192.0.2.1[500] "
				 "failed due to time up"));
	assert_int_equal(w->a.k->nsa + w->b.k->nsa, 0);
	assert_false(fake_log_has("different secret"));
	assert_false(fake_log_has("correct horse"));
	free_world(w);
}

static void test_wrong_psk_aggressive(void **state)
{
	struct world *w = new_world(ISAKMP_EXCH_AGGRESSIVE, &legacy);

	(void)state;
	strcpy(w->b.psk, "a different secret");
	assert_int_equal(initiate(w), 0);
	run(w);
	/* A checks B's HASH_R at once; B waits for the HASH_I that never
	 * comes. */
	assert_int_equal(nsa(&w->a), 0);
	assert_true(fake_log_has("invalid HASH_R from 192.0.2.2[500] (ID "
				 "ID_IPV4_ADDR 192.0.2.2): HASH mismatch, wrong "
				 "pre-shared key?"));
	wait_ms(w, 60000);
	assert_int_equal(nsa(&w->b), 0);
	assert_true(fake_log_has("phase 1 negotiation with 192.0.2.1[500] "
				 "failed due to time up"));
	assert_false(fake_log_has("different secret"));
	assert_false(fake_log_has("correct horse"));
	free_world(w);
}

/* --- no common proposal ------------------------------------------------- */

static void test_no_common_phase1(void **state)
{
	struct world *w = new_world(ISAKMP_EXCH_AGGRESSIVE, &modern);

	(void)state;
	set_suite(&w->b, &legacy);
	assert_int_equal(initiate(w), 0);
	run(w);
	assert_int_equal(nsa(&w->b), 0);
	assert_true(fake_log_has("no proposal chosen for 192.0.2.1[500]: peer "
				 "offered [aes-cbc-256/hmac-sha2-256/psk/"
				 "modp2048/3600s], we accept [3des-cbc/hmac-sha1"
				 "/psk/modp1024/3600s] (proposal_check strict)"));
	assert_false(fake_log_has("lifetime proposed"));
	assert_true(fake_log_has("phase 1 with 192.0.2.2[500]: peer answered "
				 "NO-PROPOSAL-CHOSEN"));
	wait_ms(w, 60000);
	assert_int_equal(nsa(&w->a), 0);
	free_world(w);
}

static void test_no_common_quick_mode(void **state)
{
	struct world *w = phase1();

	(void)state;
	esp_cfg(&w->b, IKE_ENCR_3DES, 0, IKE_AUTH_HMAC_SHA1_96);
	run_qm(w);
	assert_int_equal(w->b.k->nsa, 0);
	assert_int_equal(fake_kernel_ncalls(w->a.k, FK_ADD), 0);
	assert_true(fake_log_has("Quick Mode with 192.0.2.1[500]: no proposal "
				 "chosen: peer offered [esp aes-cbc-128/"
				 "hmac-sha2-256-128], ours [esp 3des-cbc/"
				 "hmac-sha1-96]"));
	assert_false(fake_log_has("lifetime proposed"));
	assert_true(fake_log_has("phase2 negotiation with 192.0.2.2[500] "
				 "failed: the peer answered NO-PROPOSAL-CHOSEN"));
	free_world(w);
}

/* --- lost and repeated messages ----------------------------------------- */

/* Phase 1 with datagram @n (0-based, of the exchange) lost or
 * delivered twice: it ends established all the same. */
static void p1_fault(uint8_t mode, unsigned int n, bool dup)
{
	struct world *w = new_world(mode, &legacy);

	if (dup)
		w->dup_mask = 1ull << n;
	else
		w->drop_mask = 1ull << n;
	assert_int_equal(initiate(w), 0);
	run(w);
	wait_ms(w, 10000);
	assert_int_equal(the_sa(&w->a)->state, V1_ESTABLISHED);
	assert_int_equal(the_sa(&w->b)->state, V1_ESTABLISHED);
	assert_memory_equal(&the_sa(&w->a)->k, &the_sa(&w->b)->k,
			    sizeof(the_sa(&w->a)->k));
	assert_int_equal(fake_log_count("ISAKMP-SA established"), 2);
	if (!dup)
		assert_true(fake_log_has("retransmitting") ||
			    fake_log_has("repeated its last message"));
	free_world(w);
}

static void test_phase1_each_message_lost_or_repeated(void **state)
{
	(void)state;
	for (unsigned int n = 0; n < 6; n++) {
		p1_fault(ISAKMP_EXCH_IDPROT, n, false);
		p1_fault(ISAKMP_EXCH_IDPROT, n, true);
	}
	for (unsigned int n = 0; n < 3; n++) {
		p1_fault(ISAKMP_EXCH_AGGRESSIVE, n, false);
		p1_fault(ISAKMP_EXCH_AGGRESSIVE, n, true);
	}
}

/* QM1, QM2 or QM3 lost or delivered twice: one pair each side, once. */
static void qm_fault(unsigned int n, bool dup)
{
	struct world *w = phase1();
	struct ikd_acquire acq;

	acquire(w, &acq);
	if (dup)
		w->dup_mask = 1ull << (w->npkt + n);
	else
		w->drop_mask = 1ull << (w->npkt + n);
	assert_int_equal(ikev1_qm_initiate(w->a.e, &acq), 0);
	run(w);
	wait_ms(w, 10000);
	assert_installed_pairs_life(w, 3600);
	assert_int_equal(fake_kernel_ncalls(w->a.k, FK_ADD), 1);
	assert_int_equal(fake_kernel_ncalls(w->b.k, FK_ADD), 1);
	if (!dup)
		assert_true(fake_log_has("retransmitting Quick Mode message"));
	wait_ms(w, 30000);
	assert_null(the_sa(&w->a)->qms);
	assert_null(the_sa(&w->b)->qms);
	free_world(w);
}

static void test_quick_mode_each_message_lost_or_repeated(void **state)
{
	(void)state;
	for (unsigned int n = 0; n < 3; n++) {
		qm_fault(n, false);
		qm_fault(n, true);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phase1_lifetime_matrix),
		cmocka_unit_test(test_quick_mode_matrix),
		cmocka_unit_test(test_quick_mode_default_lifetime),
		cmocka_unit_test(test_responder_lifetime_codec),
		cmocka_unit_test(test_responder_lifetime_only_when_claimed),
		cmocka_unit_test(test_wrong_psk_main),
		cmocka_unit_test(test_wrong_psk_aggressive),
		cmocka_unit_test(test_no_common_phase1),
		cmocka_unit_test(test_no_common_quick_mode),
		cmocka_unit_test(test_phase1_each_message_lost_or_repeated),
		cmocka_unit_test(test_quick_mode_each_message_lost_or_repeated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
