// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1 for kipsec interfaces (ikev1_kif.c): an interface's ACQUIRE
 * (policy id 0) starts phase 1 and a Quick Mode with IDs 0.0.0.0/0 on
 * both sides; each side installs ESP in tunnel mode with its interface's
 * reqid and reads no SPD. Failures: no interface on the responder, an
 * interface whose endpoints are not the IKE addresses.
 */
#include "ikev1_qm_world.c"

#define A_REQID	42
#define B_REQID	43

static struct world *kif_world(bool b_has_kif)
{
	struct world *w = new_world(ISAKMP_EXCH_IDPROT, &modern);

	fake_kernel_add_kif(w->a.k, "ipsec0", "192.0.2.1", "192.0.2.2",
			    A_REQID);
	if (b_has_kif)
		fake_kernel_add_kif(w->b.k, "ipsec0", "192.0.2.2",
				    "192.0.2.1", B_REQID);
	strcpy(w->a.cfg.ifname, "ipsec0");
	strcpy(w->b.cfg.ifname, "ipsec0");
	esp_cfg(&w->a, IKE_ENCR_AES_CBC, 128, IKE_AUTH_HMAC_SHA2_256_128);
	esp_cfg(&w->b, IKE_ENCR_AES_CBC, 128, IKE_AUTH_HMAC_SHA2_256_128);
	return w;
}

static struct ikd_acquire kif_acquire(const char *src, const char *dst)
{
	struct ikd_acquire acq = { 0 };

	acq.seq = 5;
	acq.proto = IPPROTO_ESP;
	acq.mode = IKD_MODE_TUNNEL;
	acq.reqid = A_REQID;
	assert_int_equal(ikd_addr_parse(&acq.src, src), 0);
	assert_int_equal(ikd_addr_parse(&acq.dst, dst), 0);
	acq.pol.dir = IKD_DIR_OUT;
	return acq;
}

static void check_side(const struct peer *p, uint32_t reqid)
{
	char s[IKD_ADDR_STRLEN], d[IKD_ADDR_STRLEN];

	assert_int_equal(fake_kernel_count(p->k, true), 2);
	for (unsigned int i = 0; i < p->k->nsa; i++) {
		const struct ikd_kernel_sa *sa = &p->k->sad[i].sa;

		assert_int_equal(sa->mode, IKD_MODE_TUNNEL);
		assert_int_equal(sa->reqid, reqid);
		/* 0.0.0.0/0 both ways, whichever the direction */
		assert_string_equal(ikd_addr_str(&sa->sel.src, false, s),
				    "0.0.0.0");
		assert_string_equal(ikd_addr_str(&sa->sel.dst, false, d),
				    "0.0.0.0");
		assert_int_equal(sa->sel.src_plen, 0);
		assert_int_equal(sa->sel.dst_plen, 0);
	}
	assert_int_equal(fake_kernel_ncalls(p->k, FK_SPD_DUMP), 0);
	assert_int_equal(fake_kernel_ncalls(p->k, FK_SPD_ADD), 0);
}

static void test_v1_kif_acquire(void **state)
{
	struct world *w = kif_world(true);
	struct ikd_acquire acq = kif_acquire("192.0.2.1", "192.0.2.2");

	(void)state;
	assert_int_equal(ikev1_acquire(w->a.e, &acq, &w->a.cfg), 0);
	run(w);
	wait_ms(w, 1000);
	assert_installed_pairs(w);
	check_side(&w->a, A_REQID);
	check_side(&w->b, B_REQID);
	/* Again: the pair carries it. */
	assert_int_equal(ikev1_acquire(w->a.e, &acq, &w->a.cfg), -EALREADY);
	/* An ACQUIRE of a policy to this block is refused. */
	acq.pol.id = 7;
	assert_int_equal(ikev1_acquire(w->a.e, &acq, &w->a.cfg), -ENOENT);
	assert_true(fake_log_has("has interface ipsec0 and no policies"));
	free_world(w);
}

static void test_v1_kif_failures(void **state)
{
	struct world *w = kif_world(false);
	struct ikd_acquire acq = kif_acquire("192.0.2.1", "192.0.2.2");

	(void)state;
	/* B has no interface: its Quick Mode check fails, nothing is
	 * installed on either side. */
	assert_int_equal(ikev1_acquire(w->a.e, &acq, &w->a.cfg), 0);
	run(w);
	wait_ms(w, 1000);
	assert_true(fake_log_has("remote \"to-A\": interface ipsec0: no such "
				 "interface"));
	assert_int_equal(fake_kernel_count(w->b.k, true), 0);
	assert_int_equal(fake_kernel_count(w->a.k, false), 0);
	free_world(w);

	/* Endpoints other than the IKE addresses: IKEv2 only. */
	w = kif_world(true);
	w->a.k->kifs[0].kif.remote.v4.s_addr = htonl(0xc6336402);
	acq = kif_acquire("192.0.2.1", "198.51.100.2");
	assert_int_equal(ikev1_acquire(w->a.e, &acq, &w->a.cfg), -EINVAL);
	assert_true(fake_log_has("IKEv1 needs the interface's endpoints to be "
				 "the IKE peers' addresses"));
	assert_int_equal(w->nq, 0);
	free_world(w);
}

static void prefix(struct ike_peer_cfg *c, int side, const char *a,
		   uint8_t plen)
{
	struct ikd_prefix *pf = &c->kif_ts[side][c->n_kif_ts[side]++];

	assert_int_equal(ikd_addr_parse(&pf->addr, a), 0);
	pf->plen = plen;
}

/* The blocks' selectors: A's first pair goes as IDs, B takes them when
 * they lie within its prefixes, and refuses them when they do not. */
static void test_v1_kif_selectors(void **state)
{
	struct world *w = kif_world(true);
	struct ikd_acquire acq = kif_acquire("192.0.2.1", "192.0.2.2");
	char s[IKD_ADDR_STRLEN];

	(void)state;
	prefix(&w->a.cfg, 0, "10.1.0.0", 16);
	prefix(&w->a.cfg, 1, "10.2.0.0", 16);
	prefix(&w->b.cfg, 0, "172.16.0.0", 12);
	prefix(&w->b.cfg, 0, "10.2.0.0", 15);
	prefix(&w->b.cfg, 1, "10.1.0.0", 16);
	assert_int_equal(ikev1_acquire(w->a.e, &acq, &w->a.cfg), 0);
	run(w);
	wait_ms(w, 1000);
	assert_installed_pairs(w);
	for (unsigned int i = 0; i < w->b.k->nsa; i++) {
		const struct ikd_kernel_sa *sa = &w->b.k->sad[i].sa;
		bool in = sa->sel.src_plen == 16 &&
			  !strcmp(ikd_addr_str(&sa->sel.src, false, s),
				  "10.1.0.0");

		assert_int_equal(sa->sel.src_plen, 16);
		assert_int_equal(sa->sel.dst_plen, 16);
		assert_string_equal(ikd_addr_str(&sa->sel.dst, false, s),
				    in ? "10.2.0.0" : "10.1.0.0");
	}
	free_world(w);

	w = kif_world(true);
	prefix(&w->a.cfg, 0, "10.1.0.0", 16);
	prefix(&w->b.cfg, 1, "10.1.0.0", 24);
	assert_int_equal(ikev1_acquire(w->a.e, &acq, &w->a.cfg), 0);
	run(w);
	wait_ms(w, 1000);
	assert_true(fake_log_has("interface ipsec0: the peer's IDs lie outside "
				 "the block's selectors"));
	assert_int_equal(fake_kernel_count(w->b.k, true), 0);
	free_world(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_kif_acquire),
		cmocka_unit_test(test_v1_kif_failures),
		cmocka_unit_test(test_v1_kif_selectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
