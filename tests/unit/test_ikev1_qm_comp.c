// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1 Quick Mode with IPcomp bundled with ESP between two engines: the
 * bundle proposed and taken (both IPcomp pairs, CPIs, reqids), a
 * responder without compression taking ESP alone (level use) or nothing
 * (level require), and IPCOMP proposals we cannot take (unknown
 * transform, CPI of a wrong size or value) refused with a log line.
 */
#include "ikev1_qm_world.c"

#include "../../ikd/isakmp_msg.h"

/* @p's policies (out and in) ask for IPcomp at @level before the ESP. */
static void comp_policies(struct peer *p, uint8_t level, uint32_t reqid)
{
	for (unsigned int i = 0; i < p->k->npol; i++) {
		struct ikd_kernel_policy *pol = &p->k->spd[i];

		pol->req[1] = pol->req[0];
		pol->req[0].proto = IPPROTO_COMP;
		pol->req[0].level = level;
		pol->req[0].reqid = reqid;
		pol->nreqs = 2;
	}
}

/* A's ACQUIRE for the ESP request of an ipcomp+esp policy. */
static void comp_acquire(struct world *w, struct ikd_acquire *acq,
			 uint8_t level)
{
	acquire(w, acq);
	acq->pol.nreqs = 2;
	acq->pol.req[0] = (struct ikd_kernel_req){ .proto = IPPROTO_COMP,
		.mode = IKD_MODE_TUNNEL, .level = level, .reqid = 16385 };
	acq->pol.req[1] = (struct ikd_kernel_req){ .proto = IPPROTO_ESP,
		.mode = IKD_MODE_TUNNEL, .level = IPSEC_LEVEL_REQUIRE,
		.reqid = 16384 };
}

static const struct fake_sa *find_p(const struct fake_kernel *k, uint8_t proto,
				    bool larval, const struct ikd_addr *dst)
{
	for (unsigned int i = 0; i < k->nsa; i++)
		if (k->sad[i].sa.proto == proto && k->sad[i].larval == larval &&
		    ikd_addr_eq_noport(&k->sad[i].sa.dst, dst))
			return &k->sad[i];
	return NULL;
}

static void comp_pair(const struct fake_sa *in, const struct fake_sa *out)
{
	assert_non_null(in);
	assert_non_null(out);
	assert_int_equal(in->sa.spi, out->sa.spi);
	assert_true(ntohl(in->sa.spi) >= 256 && ntohl(in->sa.spi) <= 0xffff);
	assert_int_equal(in->sa.comp, IKD_IPCOMP_DEFLATE);
	assert_int_equal(out->sa.comp, IKD_IPCOMP_DEFLATE);
	assert_int_equal(in->sa.mode, IKD_MODE_TUNNEL);
	assert_int_equal(in->sa.encr, 0);
	assert_int_equal(in->sa.integ, 0);
	assert_int_equal(in->sa.enc_key_len + in->sa.auth_key_len, 0);
	assert_memory_equal(&in->sa.sel, &out->sa.sel, sizeof(in->sa.sel));
}

static void test_bundle_taken(void **state)
{
	struct world *w = phase1();
	struct ikd_acquire acq;

	(void)state;
	comp_policies(&w->b, IPSEC_LEVEL_UNIQUE, 201);
	w->a.ccfg.ipcomp = w->b.ccfg.ipcomp = true;
	comp_acquire(w, &acq, IPSEC_LEVEL_USE);
	assert_int_equal(ikev1_qm_initiate(w->a.e, &acq), 0);
	run(w);
	wait_ms(w, 1000);
	assert_int_equal(w->a.k->nsa, 4);
	assert_int_equal(w->b.k->nsa, 4);
	assert_pair(find_p(w->a.k, IPPROTO_ESP, false, &w->a.addr),
		    find_p(w->b.k, IPPROTO_ESP, false, &w->a.addr));
	assert_pair(find_p(w->b.k, IPPROTO_ESP, false, &w->b.addr),
		    find_p(w->a.k, IPPROTO_ESP, false, &w->b.addr));
	comp_pair(find_p(w->a.k, IPPROTO_COMP, false, &w->a.addr),
		  find_p(w->b.k, IPPROTO_COMP, false, &w->a.addr));
	comp_pair(find_p(w->b.k, IPPROTO_COMP, false, &w->b.addr),
		  find_p(w->a.k, IPPROTO_COMP, false, &w->b.addr));
	/* Each side's IPcomp SAs carry its policy's IPcomp reqid. */
	assert_int_equal(find_p(w->a.k, IPPROTO_COMP, false,
				&w->a.addr)->sa.reqid, 16385);
	assert_int_equal(find_p(w->b.k, IPPROTO_COMP, false,
				&w->b.addr)->sa.reqid, 201);
	assert_int_equal(find_p(w->b.k, IPPROTO_ESP, false,
				&w->b.addr)->sa.reqid, 200);
	assert_true(fake_log_has("IPsec-SA established: IPCOMP/Tunnel "
				 "192.0.2.2[500]->192.0.2.1[500] cpi="));
	assert_true(fake_log_has("IPsec-SA established: IPCOMP/Tunnel "
				 "192.0.2.1[500]->192.0.2.2[500] cpi="));
	free_world(w);
}

/* The pair goes with its IPcomp: B's DELETE for ESP and for IPCOMP
 * empty A's kernel too. */
static void test_bundle_deleted(void **state)
{
	struct world *w = phase1();
	struct ikd_acquire acq;

	(void)state;
	comp_policies(&w->b, IPSEC_LEVEL_UNIQUE, 201);
	w->a.ccfg.ipcomp = w->b.ccfg.ipcomp = true;
	comp_acquire(w, &acq, IPSEC_LEVEL_USE);
	assert_int_equal(ikev1_qm_initiate(w->a.e, &acq), 0);
	run(w);
	wait_ms(w, 1000);
	assert_int_equal(w->b.k->nsa, 4);
	ikev1_shutdown(w->b.e);
	run(w);
	assert_int_equal(fake_kernel_ncalls(w->b.k, FK_DEL), 4);
	assert_int_equal(fake_kernel_ncalls(w->a.k, FK_DEL), 4);
	assert_true(fake_log_has("deleted IPcomp SA cpi="));
	free_world(w);
}

/* Level use, B without compression: B takes A's second proposal, ESP
 * alone; A drops its unused larval IPcomp SA. */
static void test_responder_without_comp(void **state)
{
	struct world *w = phase1();
	struct ikd_acquire acq;

	(void)state;
	w->a.ccfg.ipcomp = true;
	comp_acquire(w, &acq, IPSEC_LEVEL_USE);
	assert_int_equal(ikev1_qm_initiate(w->a.e, &acq), 0);
	run(w);
	wait_ms(w, 1000);
	assert_installed_pairs(w);
	assert_null(find_p(w->a.k, IPPROTO_COMP, true, &w->a.addr));
	assert_true(fake_log_has("the peer took ESP without IPcomp"));
	assert_false(fake_log_has("IPsec-SA established: IPCOMP"));
	free_world(w);
}

/* Level require, B without compression: nothing B can take. */
static void test_required_comp_refused(void **state)
{
	struct world *w = phase1();
	struct ikd_acquire acq;

	(void)state;
	w->a.ccfg.ipcomp = true;
	comp_acquire(w, &acq, IPSEC_LEVEL_REQUIRE);
	assert_int_equal(ikev1_qm_initiate(w->a.e, &acq), 0);
	run(w);
	wait_ms(w, 1000);
	assert_int_equal(w->b.k->nsa, 0);
	assert_true(fake_log_has("no proposal chosen for Quick Mode with "
				 "192.0.2.1[500]"));
	free_world(w);
}

/* The policy asks for IPcomp, A's sainfo has no compression_algorithm:
 * ESP alone is offered and taken. */
static void test_initiator_without_comp(void **state)
{
	struct world *w = phase1();
	struct ikd_acquire acq;

	(void)state;
	w->b.ccfg.ipcomp = true;
	comp_acquire(w, &acq, IPSEC_LEVEL_REQUIRE);
	assert_int_equal(ikev1_qm_initiate(w->a.e, &acq), 0);
	run(w);
	wait_ms(w, 1000);
	assert_installed_pairs(w);
	assert_true(fake_log_has("the sainfo has no compression_algorithm"));
	free_world(w);
}

/* --- the peer's IPCOMP proposal, straight into ikev1_qm_choose() ------- */

/* An SA payload: ESP (AES-128/SHA2-256, tunnel) and IPCOMP under
 * number 1; IPCOMP's SPI @cpi_len bytes of @cpi, transform @xid. */
static int choose_with(const uint8_t *cpi, uint8_t cpi_len, uint8_t xid,
		       bool want)
{
	static uint8_t buf[512];
	uint8_t spi[4] = { 1, 2, 3, 4 };
	struct ike_wbuf wb;
	struct isakmp_builder b;
	struct isakmp_msg m;
	struct ikev1_qm_x q;
	static struct ikev1_sa sa;	/* the responder's, for proposal_check */

	memset(&q, 0, sizeof(q));
	sa.cfg.v1.check = IKE_V1_CHECK_OBEY;
	q.sa = &sa;
	q.cfg.nprop = 1;
	q.cfg.prop[0].proto = IKE_PROTO_ESP;
	q.cfg.prop[0].nencr = 1;
	q.cfg.prop[0].encr[0] = (struct ike_encr_alg){ IKE_ENCR_AES_CBC, 128 };
	q.cfg.prop[0].ninteg = 1;
	q.cfg.prop[0].integ[0] = IKE_AUTH_HMAC_SHA2_256_128;
	q.cfg.ipcomp = want;
	ike_wbuf_init(&wb, buf, sizeof(buf));
	isakmp_build_chain(&b, &wb);
	isakmp_build_sa_begin(&b, ISAKMP_DOI_IPSEC, IPSEC_SIT_IDENTITY_ONLY);
	isakmp_build_prop(&b, 1, ISAKMP_PROTO_ESP, spi, 4);
	isakmp_build_xform(&b, 1, IKE_ENCR_AES_CBC);
	isakmp_build_attr_tv(&b, IPSEC_ATTR_ENCAP_MODE, IPSEC_ENCAP_TUNNEL);
	isakmp_build_attr_tv(&b, IPSEC_ATTR_AUTH_ALG, IPSEC_AUTH_HMAC_SHA2_256);
	isakmp_build_attr_tv(&b, IPSEC_ATTR_KEY_LEN, 128);
	isakmp_build_prop(&b, 1, ISAKMP_PROTO_IPCOMP, cpi, cpi_len);
	isakmp_build_xform(&b, 1, xid);
	isakmp_build_attr_tv(&b, IPSEC_ATTR_ENCAP_MODE, IPSEC_ENCAP_TUNNEL);
	isakmp_build_sa_end(&b);
	assert_int_equal(isakmp_build_end(&b), 0);
	memset(&m, 0, sizeof(m));
	/* Refused before Quick Mode looks at it (qm_open() logs why). */
	if (isakmp_msg_parse_body(&m, ISAKMP_PL_SA, buf, wb.len))
		return m.err_text && strstr(m.err_text, "SPI size") ?
		       -EPROTO : -EINVAL;
	return ikev1_qm_choose(&q, &m) ? -ENOENT :
	       q.comp ? (int)ntohl(q.cpi_out) : 0;
}

static void test_malformed_comp(void **state)
{
	const uint8_t c2[2] = { 0x12, 0x34 }, c4[4] = { 0, 0, 0x12, 0x34 };
	const uint8_t c3[3] = { 0, 0x12, 0x34 }, low[2] = { 0, 0x20 };
	const uint8_t c4hi[4] = { 1, 0, 0x12, 0x34 };
	int r;

	(void)state;
	/* Taken: 2 bytes, 4 bytes (racoon's), and without compression the
	 * bundle is not taken (no ESP-alone proposal offered). */
	assert_int_equal(choose_with(c2, 2, IPSEC_IPCOMP_DEFLATE, true), 0x1234);
	assert_int_equal(choose_with(c4, 4, IPSEC_IPCOMP_DEFLATE, true), 0x1234);
	assert_int_equal(choose_with(c2, 2, IPSEC_IPCOMP_DEFLATE, false),
			 -ENOENT);
	/* A transform other than deflate: refused, said so. */
	assert_int_equal(choose_with(c2, 2, IPSEC_IPCOMP_LZS, true), -ENOENT);
	assert_true(fake_log_has("IPCOMP proposal #1: transform IPCOMP_LZS is "
				 "not supported (deflate only)"));
	/* A well-known CPI, or a 4-byte one with its high half set. */
	assert_int_equal(choose_with(low, 2, IPSEC_IPCOMP_DEFLATE, true),
			 -ENOENT);
	assert_true(fake_log_has("IPCOMP proposal #1: CPI 0x0020 is not a "
				 "negotiable one"));
	assert_int_equal(choose_with(c4hi, 4, IPSEC_IPCOMP_DEFLATE, true),
			 -ENOENT);
	assert_true(fake_log_has("CPI 0x01001234 is not a negotiable one"));
	/* A 3-byte CPI: the payload chain is refused as malformed, with
	 * the reason, before any proposal is chosen. */
	r = choose_with(c3, 3, IPSEC_IPCOMP_DEFLATE, true);
	assert_int_equal(r, -EPROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bundle_taken),
		cmocka_unit_test(test_bundle_deleted),
		cmocka_unit_test(test_responder_without_comp),
		cmocka_unit_test(test_required_comp_refused),
		cmocka_unit_test(test_initiator_without_comp),
		cmocka_unit_test(test_malformed_comp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
