// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1 NAT traversal (ikev1_natt.c) between two engines, with A behind
 * a simulated NAT: what A sends to B leaves from 203.0.113.9 and A's
 * port plus an offset; what B sends there goes back to A. Detection on
 * both sides, the float to port 4500, the Quick Mode encapsulation mode
 * and the kernel SAs' UDP ports, keepalives, a NAT mapping that changes,
 * the draft variants, `force`, and NAT-D payloads that do not add up.
 */
#include "ikev1_qm_world.c"

#define NAT_PUB		"203.0.113.9"

static const uint8_t vid_rfc[16] = {
	0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
	0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f,
};
static const uint8_t vid_draft03[16] = {
	0x7d, 0x94, 0x19, 0xa6, 0x53, 0x10, 0xca, 0x6f,
	0x2c, 0x17, 0x9d, 0x92, 0x15, 0x52, 0x9d, 0x56,
};

struct nat {
	bool on;
	uint16_t offset;		/* public port = A's port + offset */
	struct ikd_addr pub;
	bool hide_rfc_vid;		/* A's RFC 3947 vendor ID garbled */
	unsigned int a_keepalives, b_keepalives;
	struct ikd_addr ka_from, ka_to;
};

static struct nat nat;

static void cb_keepalive(void *arg, const struct ikd_addr *local,
			 const struct ikd_addr *remote)
{
	struct peer *p = arg;

	if (p == &p->w->a)
		nat.a_keepalives++;
	else
		nat.b_keepalives++;
	nat.ka_from = *local;
	nat.ka_to = *remote;
}

static bool has_bytes(const struct pkt *k, const uint8_t *b, size_t n)
{
	return k->len >= n && memmem(k->data, k->len, b, n);
}

/* The network through the NAT (ikev1_world.c's run() otherwise). */
static void nat_deliver(struct world *w, struct pkt *k)
{
	if (nat.hide_rfc_vid && has_bytes(k, vid_rfc, sizeof(vid_rfc)))
		((uint8_t *)memmem(k->data, k->len, vid_rfc,
				   sizeof(vid_rfc)))[0] ^= 0xff;
	if (nat.on && ikd_addr_eq_noport(&k->from, &w->a.addr)) {
		uint16_t port = (uint16_t)(k->from.port + nat.offset);

		k->from = nat.pub;
		k->from.port = port;
	} else if (nat.on && ikd_addr_eq_noport(&k->to, &nat.pub)) {
		uint16_t port = (uint16_t)(k->to.port - nat.offset);

		/* An old mapping is gone: the NAT drops what comes to it. */
		if (port != 500 && port != 4500) {
			free(k);
			return;
		}
		k->to = w->a.addr;
		k->to.port = port;
	}
	ikev1_receive(peer_at(w, &k->to)->e, &k->to, &k->from, k->data,
		      k->len);
	free(k);
}

static void nat_run(struct world *w)
{
	for (unsigned int rounds = 0; w->nq && rounds < 1000; rounds++) {
		struct pkt *k = w->q[0];

		memmove(w->q, w->q + 1, --w->nq * sizeof(w->q[0]));
		nat_deliver(w, k);
	}
	assert_int_equal(w->nq, 0);
}

static void nat_wait(struct world *w, uint64_t ms)
{
	while (ms) {
		uint64_t step = fake_timers_next(&w->t);

		if (step > ms)
			step = ms;
		fake_timers_advance(&w->t, step);
		ms -= step;
		nat_run(w);
	}
}

/* Phase 1 (@mode) with NAT-T @a_mode on A and on on B, A behind the
 * NAT when @behind. */
static struct world *natt_world(uint8_t mode, uint8_t a_mode, bool behind)
{
	struct world *w = new_world(mode, &modern);
	struct peer a_seen;

	memset(&nat, 0, sizeof(nat));
	nat.on = behind;
	nat.offset = 10000;
	assert_int_equal(ikd_addr_parse(&nat.pub, NAT_PUB), 0);
	w->a.cfg.nat_traversal = a_mode;
	w->b.cfg.nat_traversal = IKE_NATT_ON;
	w->a.cfg.natt_keepalive_secs = w->b.cfg.natt_keepalive_secs = 20;
	w->a.e->env.keepalive = w->b.e->env.keepalive = cb_keepalive;
	esp_cfg(&w->a, IKE_ENCR_AES_CBC, 128, IKE_AUTH_HMAC_SHA2_256_128);
	esp_cfg(&w->b, IKE_ENCR_AES_CBC, 128, IKE_AUTH_HMAC_SHA2_256_128);
	/* B's tunnel ends where A's packets come from: the NAT. */
	a_seen = w->a;
	if (behind)
		a_seen.addr = nat.pub;
	policy(&w->b, &a_seen, "10.2.0.0", 16, "10.1.0.0", 16, IKD_MODE_TUNNEL,
	       IPSEC_LEVEL_UNIQUE, 200);
	return w;
}

static void establish(struct world *w)
{
	assert_int_equal(initiate(w), 0);
	nat_run(w);
	assert_int_equal(the_sa(&w->a)->state, V1_ESTABLISHED);
	assert_int_equal(the_sa(&w->b)->state, V1_ESTABLISHED);
}

static void quick_mode(struct world *w, uint32_t seq)
{
	struct ikd_acquire acq;

	acquire(w, &acq);
	acq.seq = seq;
	assert_int_equal(ikev1_qm_initiate(w->a.e, &acq), 0);
	nat_run(w);
	nat_wait(w, 5000);	/* answers a moved NAT lost go again */
}

static void assert_port(const struct ikd_addr *a, const char *ip,
			uint16_t port)
{
	struct ikd_addr want;

	assert_int_equal(ikd_addr_parse(&want, ip), 0);
	assert_true(ikd_addr_eq_noport(a, &want));
	assert_int_equal(a->port, port);
}

static void assert_encap(const struct fake_sa *s, uint16_t sport,
			 uint16_t dport)
{
	assert_non_null(s);
	assert_int_equal(s->sa.encap_sport, sport);
	assert_int_equal(s->sa.encap_dport, dport);
}

static void test_main_mode_behind_nat(void **state)
{
	struct world *w = natt_world(ISAKMP_EXCH_IDPROT, IKE_NATT_ON, true);
	const struct ikev1_sa *a, *b;
	struct ikd_addr pub;

	(void)state;
	establish(w);
	a = the_sa(&w->a);
	b = the_sa(&w->b);
	/* All four vendor IDs in MM1, RFC 3947 chosen. */
	assert_true(has_bytes(w->a.sent[0], vid_rfc, 16));
	assert_true(has_bytes(w->a.sent[0], vid_draft03, 16));
	assert_int_equal(a->natt.ver, V1_NATT_RFC);
	assert_int_equal(b->natt.ver, V1_NATT_RFC);
	assert_true(a->natt.local_behind && !a->natt.remote_behind);
	assert_true(b->natt.remote_behind && !b->natt.local_behind);
	assert_true(a->natt.encap && b->natt.encap);
	assert_true(fake_log_has("NAT detected: ME (RFC 3947"));
	assert_true(fake_log_has("NAT detected: PEER (RFC 3947"));
	assert_true(fake_log_has("NAT-D payload #0 doesn't match"));
	/* MM1 and MM3 from port 500, MM5 from 4500; B's answers follow. */
	assert_int_equal(w->a.sent[0]->from.port, 500);
	assert_int_equal(w->a.sent[1]->from.port, 500);
	assert_int_equal(w->a.sent[2]->from.port, 4500);
	assert_int_equal(w->a.sent[2]->to.port, 4500);
	assert_int_equal(w->b.sent[2]->from.port, 4500);
	assert_port(&w->b.sent[2]->to, NAT_PUB, 14500);
	assert_port(&a->local, "192.0.2.1", 4500);
	assert_port(&a->remote, "192.0.2.2", 4500);
	assert_port(&b->remote, NAT_PUB, 14500);
	assert_port(&b->local, "192.0.2.2", 4500);

	/* Quick Mode: ESP in UDP between the ISAKMP SA's ports. */
	quick_mode(w, 7);
	assert_int_equal(w->a.k->nsa, 2);
	assert_int_equal(w->b.k->nsa, 2);
	assert_int_equal(ikd_addr_parse(&pub, NAT_PUB), 0);
	assert_encap(find(w->a.k, false, &w->a.addr), 4500, 4500);
	assert_encap(find(w->a.k, false, &w->b.addr), 4500, 4500);
	assert_encap(find(w->b.k, false, &w->b.addr), 14500, 4500);
	assert_encap(find(w->b.k, false, &pub), 4500, 14500);
	assert_true(fake_log_has("IPsec-SA established: ESP/Tunnel"));

	/* Keepalives from A alone, to B's port 4500. */
	nat_wait(w, 45000);
	assert_true(nat.a_keepalives >= 2);
	assert_int_equal(nat.b_keepalives, 0);
	assert_port(&nat.ka_from, "192.0.2.1", 4500);
	assert_port(&nat.ka_to, "192.0.2.2", 4500);
	free_world(w);
}

/* The NAT maps A to another port: B follows with its ISAKMP SA and the
 * IPsec SAs it made. */
static void test_mapping_changes(void **state)
{
	struct world *w = natt_world(ISAKMP_EXCH_IDPROT, IKE_NATT_ON, true);
	struct ikd_addr pub;

	(void)state;
	establish(w);
	quick_mode(w, 7);
	assert_int_equal(fake_kernel_ncalls(w->b.k, FK_UPDATE_ENCAP), 0);
	nat.offset = 20000;
	quick_mode(w, 8);
	assert_port(&the_sa(&w->b)->remote, NAT_PUB, 24500);
	assert_true(fake_log_has("moved from " NAT_PUB "[14500] to "
				 NAT_PUB "[24500]"));
	/* The first pair follows (the second is made at the new port). */
	assert_int_equal(fake_kernel_ncalls(w->b.k, FK_UPDATE_ENCAP), 2);
	assert_int_equal(w->b.k->nsa, 4);
	assert_int_equal(ikd_addr_parse(&pub, NAT_PUB), 0);
	for (unsigned int i = 0; i < w->b.k->nsa; i++) {
		const struct fake_sa *s = &w->b.k->sad[i];

		if (ikd_addr_eq_noport(&s->sa.dst, &pub))
			assert_encap(s, 4500, 24500);
		else
			assert_encap(s, 24500, 4500);
	}
	free_world(w);
}

static void test_aggressive_mode_behind_nat(void **state)
{
	struct world *w = natt_world(ISAKMP_EXCH_AGGRESSIVE, IKE_NATT_ON,
				     true);
	struct ikd_addr pub;

	(void)state;
	establish(w);
	assert_true(the_sa(&w->a)->natt.local_behind);
	assert_true(the_sa(&w->b)->natt.remote_behind);
	/* AM1 from 500, AM3 from 4500. */
	assert_int_equal(w->a.sent[0]->from.port, 500);
	assert_int_equal(w->a.sent[1]->from.port, 4500);
	assert_port(&the_sa(&w->b)->remote, NAT_PUB, 14500);
	quick_mode(w, 7);
	assert_int_equal(ikd_addr_parse(&pub, NAT_PUB), 0);
	assert_encap(find(w->b.k, false, &pub), 4500, 14500);
	assert_encap(find(w->a.k, false, &w->b.addr), 4500, 4500);
	free_world(w);
}

/* Transport mode between A (behind the NAT) and B: no IDs (the peers'
 * addresses as each sees them), UDP-Encapsulated-Transport, NAT-OA
 * payloads; B's inbound SA gets A's original address as its NAT-OA, A's
 * none (its own address was translated). */
static void test_transport_behind_nat(void **state)
{
	struct world *w = natt_world(ISAKMP_EXCH_IDPROT, IKE_NATT_ON, true);
	struct ikd_acquire acq;
	struct peer a_seen = w->a;
	const struct fake_sa *b_in, *a_in;

	(void)state;
	a_seen.addr = nat.pub;
	policy(&w->b, &a_seen, "192.0.2.2", 32, NAT_PUB, 32,
	       IKD_MODE_TRANSPORT, IPSEC_LEVEL_UNIQUE, 300);
	establish(w);
	acquire(w, &acq);
	acq.mode = IKD_MODE_TRANSPORT;
	acq.pol.sel.src = w->a.addr;
	acq.pol.sel.dst = w->b.addr;
	acq.pol.sel.src.port = acq.pol.sel.dst.port = 0;
	acq.pol.sel.src_plen = acq.pol.sel.dst_plen = 32;
	assert_int_equal(ikev1_qm_initiate(w->a.e, &acq), 0);
	nat_run(w);
	assert_true(fake_log_has("IPsec-SA established: ESP/Transport"));
	assert_true(fake_log_has("NAT-OA: the peer's original address is "
				 "192.0.2.1"));
	assert_true(fake_log_has("NAT-OA: the peer's original address is "
				 "192.0.2.2"));
	b_in = find(w->b.k, false, &w->b.addr);
	a_in = find(w->a.k, false, &w->a.addr);
	assert_non_null(b_in);
	assert_non_null(a_in);
	assert_int_equal(b_in->sa.mode, IKD_MODE_TRANSPORT);
	assert_encap(b_in, 14500, 4500);
	assert_encap(a_in, 4500, 4500);
	assert_int_equal(b_in->sa.natt_oa.family, AF_INET);
	assert_true(ikd_addr_eq_noport(&b_in->sa.natt_oa, &w->a.addr));
	assert_int_equal(a_in->sa.natt_oa.family, 0);
	free_world(w);
}

/* No NAT: negotiated, nothing moves, plain ESP. */
static void test_no_nat(void **state)
{
	struct world *w = natt_world(ISAKMP_EXCH_IDPROT, IKE_NATT_ON, false);

	(void)state;
	establish(w);
	assert_int_equal(the_sa(&w->a)->natt.ver, V1_NATT_RFC);
	assert_false(the_sa(&w->a)->natt.encap);
	assert_false(the_sa(&w->b)->natt.encap);
	assert_true(fake_log_has("NAT not detected"));
	assert_int_equal(the_sa(&w->a)->local.port, 500);
	assert_int_equal(the_sa(&w->b)->remote.port, 500);
	quick_mode(w, 7);
	assert_encap(find(w->a.k, false, &w->b.addr), 0, 0);
	assert_encap(find(w->b.k, false, &w->a.addr), 0, 0);
	nat_wait(w, 45000);
	assert_int_equal(nat.a_keepalives + nat.b_keepalives, 0);
	free_world(w);
}

/* off on A: no vendor ID, no NAT-D, even behind a NAT. */
static void test_off(void **state)
{
	struct world *w = natt_world(ISAKMP_EXCH_IDPROT, IKE_NATT_OFF, false);

	(void)state;
	establish(w);
	assert_false(has_bytes(w->a.sent[0], vid_rfc, 16));
	assert_int_equal(the_sa(&w->a)->natt.ver, V1_NATT_NONE);
	assert_int_equal(the_sa(&w->b)->natt.ver, V1_NATT_NONE);
	free_world(w);
}

/* force on A without a NAT: both sides see one and encapsulate. */
static void test_force(void **state)
{
	struct world *w = natt_world(ISAKMP_EXCH_IDPROT, IKE_NATT_FORCE,
				     false);

	(void)state;
	establish(w);
	assert_true(the_sa(&w->a)->natt.encap);
	assert_true(the_sa(&w->b)->natt.encap);
	assert_true(the_sa(&w->b)->natt.remote_behind);
	assert_int_equal(the_sa(&w->a)->local.port, 4500);
	assert_int_equal(the_sa(&w->b)->remote.port, 4500);
	quick_mode(w, 7);
	assert_encap(find(w->a.k, false, &w->b.addr), 4500, 4500);
	assert_encap(find(w->b.k, false, &w->a.addr), 4500, 4500);
	free_world(w);
}

/* A peer without RFC 3947: draft-03, NAT-D payload 130, encapsulation
 * mode 61443. */
static void test_draft(void **state)
{
	struct world *w = natt_world(ISAKMP_EXCH_IDPROT, IKE_NATT_ON, true);
	struct ikd_addr pub;

	(void)state;
	nat.hide_rfc_vid = true;
	establish(w);
	assert_int_equal(the_sa(&w->a)->natt.ver, V1_NATT_DRAFT03);
	assert_int_equal(the_sa(&w->b)->natt.ver, V1_NATT_DRAFT03);
	assert_true(fake_log_has("NAT detected: ME (draft-ietf-ipsec-nat-t-"
				 "ike-03"));
	/* B's MM4 carries NAT-D as payload 130. */
	assert_true(the_sa(&w->a)->natt.local_behind);
	quick_mode(w, 7);
	assert_int_equal(ikd_addr_parse(&pub, NAT_PUB), 0);
	assert_encap(find(w->b.k, false, &pub), 4500, 14500);
	free_world(w);
}

/* ikev1_natt_check() on hand-made messages: NAT-D payloads of the
 * wrong length match nothing; one alone means no NAT-T. */
static void natd_msg(struct isakmp_msg *m, uint8_t *buf, size_t cap,
		     const struct ikev1_sa *sa, const uint8_t *d0, size_t l0,
		     const uint8_t *d1, size_t l1)
{
	struct ike_wbuf wb;
	struct isakmp_builder b;

	ike_wbuf_init(&wb, buf, cap);
	isakmp_build_hdr(&b, &wb, sa->cky_i, sa->cky_r, ISAKMP_EXCH_IDPROT,
			 0, 0);
	isakmp_build_data(&b, ISAKMP_PL_NAT_D, d0, l0);
	if (d1)
		isakmp_build_data(&b, ISAKMP_PL_NAT_D, d1, l1);
	assert_int_equal(isakmp_build_end(&b), 0);
	assert_int_equal(isakmp_msg_parse(m, buf, wb.len), 0);
}

static void test_natd_check(void **state)
{
	struct ikev1_sa *sa = calloc(1, sizeof(*sa));
	struct isakmp_msg *m = malloc(sizeof(*m));
	uint8_t buf[256], me[IKE_SHA1_LEN], peer[IKE_SHA1_LEN];
	const struct ike_prf_info *prf = ikev1_hash_prf(OAKLEY_HASH_SHA1);

	(void)state;
	assert_non_null(sa);
	assert_non_null(m);
	fake_log_reset();
	sa->cfg.nat_traversal = IKE_NATT_ON;
	sa->ch.hash = OAKLEY_HASH_SHA1;
	sa->natt.ver = V1_NATT_RFC;
	memset(sa->cky_i, 1, sizeof(sa->cky_i));
	memset(sa->cky_r, 2, sizeof(sa->cky_r));
	assert_int_equal(ikd_addr_parse(&sa->local, "192.0.2.1"), 0);
	assert_int_equal(ikd_addr_parse(&sa->remote, "192.0.2.2"), 0);
	sa->local.port = sa->remote.port = 500;
	assert_int_equal(ikev1_natd_hash(prf, sa->cky_i, sa->cky_r,
					 sa->local.bytes, 4, 500, me), 0);
	assert_int_equal(ikev1_natd_hash(prf, sa->cky_i, sa->cky_r,
					 sa->remote.bytes, 4, 500, peer), 0);

	/* Both right: no NAT. */
	natd_msg(m, buf, sizeof(buf), sa, me, 20, peer, 20);
	ikev1_natt_check(sa, m);
	assert_true(sa->natt.checked);
	assert_false(sa->natt.encap);

	/* The first one short: taken as not ours, so we are behind one. */
	sa->natt.checked = false;
	natd_msg(m, buf, sizeof(buf), sa, me, 19, peer, 20);
	ikev1_natt_check(sa, m);
	assert_true(sa->natt.local_behind);
	assert_false(sa->natt.remote_behind);
	assert_true(fake_log_has("NAT-D payload #0 has 19 bytes"));

	/* A single NAT-D: no NAT-T with this peer. */
	sa->natt.checked = false;
	sa->natt.encap = false;
	natd_msg(m, buf, sizeof(buf), sa, me, 20, NULL, 0);
	ikev1_natt_check(sa, m);
	assert_int_equal(sa->natt.ver, V1_NATT_NONE);
	assert_false(sa->natt.encap);
	assert_true(fake_log_has("sent one NAT-D payload"));
	free(m);
	free(sa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_main_mode_behind_nat),
		cmocka_unit_test(test_mapping_changes),
		cmocka_unit_test(test_aggressive_mode_behind_nat),
		cmocka_unit_test(test_transport_behind_nat),
		cmocka_unit_test(test_no_nat),
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_force),
		cmocka_unit_test(test_draft),
		cmocka_unit_test(test_natd_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
