// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1 fragmentation (racoon's ike_frag, ikev1_frag.c) between two
 * engines in one process: rsasig with RSA-1024 certificates makes Main
 * Mode 5/6 and Aggressive Mode 2 larger than the 548-byte fragments of
 * IPv4, so they go as fragment payloads (132) when ike_frag wants it and
 * are reassembled on the other side; a lost fragment comes again with
 * the retransmission. Then fragments made here, wrong in each way the
 * reassembly refuses, given to a responder's engine.
 */
#include "ikev1_world.c"
#include "cert_fixture.c"

struct pki {
	char dir[128];
	EVP_PKEY *ka, *kb;
};

static void pki_new(struct pki *p)
{
	EVP_PKEY *k[2];
	const char *cn[2] = { "elmer", "relent" };
	const char *crt[2] = { "a.pem", "b.pem" }, *key[2] = { "a.key", "b.key" };

	memset(p, 0, sizeof(*p));
	fx_dir(p->dir, sizeof(p->dir));
	for (int i = 0; i < 2; i++) {
		X509 *x;

		k[i] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
		assert_non_null(k[i]);
		x = fx_cert(cn[i], k[i], NULL, NULL, NULL, 1, -1, 30);
		if (!X509_sign(x, k[i], EVP_sha1()))
			abort();
		fx_write_cert(p->dir, crt[i], x, false);
		fx_write_key(p->dir, key[i], k[i]);
		X509_free(x);
	}
	p->ka = k[0];
	p->kb = k[1];
}

static void pki_free(struct pki *p)
{
	EVP_PKEY_free(p->ka);
	EVP_PKEY_free(p->kb);
	fx_rmdir(p->dir);
}

static void use_sig(struct peer *pe, const struct pki *p, const char *mine,
		    const char *key, const char *peers, uint8_t frag)
{
	struct ike_cert_cfg *cc = &pe->cfg.cert;

	pe->cfg.auth = IKE_CFG_AUTH_CERT;
	pe->cfg.v1.prop[0].auth = OAKLEY_AUTH_RSA_SIG;
	snprintf(cc->cert, IKE_CFG_PATH_MAX, "%s/%s", p->dir, mine);
	snprintf(cc->key, IKE_CFG_PATH_MAX, "%s/%s", p->dir, key);
	snprintf(cc->peer_cert, IKE_CFG_PATH_MAX, "%s/%s", p->dir, peers);
	cc->verify_cert = cc->send_cert = cc->send_cr = true;
	pe->cfg.my_id.type = IPSEC_ID_DER_ASN1_DN;
	pe->cfg.peer_id.type = IPSEC_ID_DER_ASN1_DN;
	pe->psk[0] = 0;
	pe->cfg.ike_frag = frag;
}

static struct world *frag_world(uint8_t mode, const struct pki *p,
				uint8_t frag_a, uint8_t frag_b)
{
	struct world *w = new_world(mode, &legacy);

	use_sig(&w->a, p, "a.pem", "a.key", "b.pem", frag_a);
	use_sig(&w->b, p, "b.pem", "b.key", "a.pem", frag_b);
	return w;
}

/* @pe's datagrams that are fragments, and its longest datagram. */
static unsigned int nfrags(const struct peer *pe, size_t *longest)
{
	unsigned int n = 0;

	*longest = 0;
	for (unsigned int i = 0; i < pe->nsent; i++) {
		n += pe->sent[i]->data[16] == ISAKMP_PL_FRAG;
		if (pe->sent[i]->len > *longest)
			*longest = pe->sent[i]->len;
	}
	return n;
}

static void assert_established(struct world *w)
{
	const struct ikev1_sa *a = the_sa(&w->a), *b = the_sa(&w->b);

	assert_int_equal(a->state, V1_ESTABLISHED);
	assert_int_equal(b->state, V1_ESTABLISHED);
	assert_int_equal(a->ch.auth, OAKLEY_AUTH_RSA_SIG);
	assert_memory_equal(&a->k, &b->k, sizeof(a->k));
	assert_int_equal(fake_log_count("ISAKMP-SA established"), 2);
}

/* Both ways in fragments, none longer than 548 bytes, every one
 * reassembled. */
static void frag_both_ways(uint8_t mode, uint8_t frag_a, uint8_t frag_b)
{
	struct pki p;
	struct world *w;
	size_t la, lb;

	pki_new(&p);
	w = frag_world(mode, &p, frag_a, frag_b);
	assert_int_equal(initiate(w), 0);
	run(w);
	assert_established(w);
	if (mode == ISAKMP_EXCH_IDPROT)
		assert_true(nfrags(&w->a, &la) >= 2);	/* MM5 */
	else
		(void)nfrags(&w->a, &la);
	assert_true(nfrags(&w->b, &lb) >= 2);		/* MM6 or AM2 */
	assert_true(la <= 548 && lb <= 548);
	assert_int_equal(w->b.e->stats.frag_dropped, 0);
	assert_int_equal(w->a.e->stats.frag_dropped, 0);
	assert_true(w->a.e->stats.frag_reassembled >= 1);
	if (mode == ISAKMP_EXCH_IDPROT)
		assert_true(w->b.e->stats.frag_reassembled >= 1);
	free_world(w);
	pki_free(&p);
}

static void test_main_force(void **state)
{
	(void)state;
	frag_both_ways(ISAKMP_EXCH_IDPROT, IKE_FRAG_FORCE, IKE_FRAG_FORCE);
}

/* on: each sends the vendor ID, and fragments because the other did. */
static void test_main_on_vid(void **state)
{
	(void)state;
	frag_both_ways(ISAKMP_EXCH_IDPROT, IKE_FRAG_ON, IKE_FRAG_ON);
}

static void test_aggressive_on_vid(void **state)
{
	(void)state;
	frag_both_ways(ISAKMP_EXCH_AGGRESSIVE, IKE_FRAG_ON, IKE_FRAG_ON);
}

/* on against off: no vendor ID from B, so nothing is fragmented. */
static void test_main_on_against_off(void **state)
{
	struct pki p;
	struct world *w;
	size_t la, lb;

	(void)state;
	pki_new(&p);
	w = frag_world(ISAKMP_EXCH_IDPROT, &p, IKE_FRAG_ON, IKE_FRAG_OFF);
	assert_int_equal(initiate(w), 0);
	run(w);
	assert_established(w);
	assert_false(the_sa(&w->a)->peer_frag);
	assert_true(the_sa(&w->b)->peer_frag);
	assert_int_equal(nfrags(&w->a, &la), 0);
	assert_int_equal(nfrags(&w->b, &lb), 0);
	assert_true(la > 548 && lb > 548);
	free_world(w);
	pki_free(&p);
}

/* MM5's second fragment is lost: B holds the first; A's retransmission
 * sends both again, the first is a duplicate, the second completes it. */
static void test_main_lost_fragment(void **state)
{
	struct pki p;
	struct world *w;

	(void)state;
	pki_new(&p);
	w = frag_world(ISAKMP_EXCH_IDPROT, &p, IKE_FRAG_FORCE,
		       IKE_FRAG_FORCE);
	/* MM1..MM4 are datagrams 0-3, MM5's fragments 4 and 5. */
	w->drop_mask = 1ull << 5;
	assert_int_equal(initiate(w), 0);
	run(w);
	assert_int_equal(the_sa(&w->b)->state, V1_MM_R2);
	assert_int_equal(w->b.e->stats.frag_reassembled, 0);
	wait_ms(w, 1500);
	assert_established(w);
	assert_true(fake_log_has("retransmitting Main Mode message (1 of 3)"));
	assert_true(fake_log_has("ISAKMP fragment 1 (id 3) from "
				 "192.0.2.1[500] dropped: duplicate"));
	free_world(w);
	pki_free(&p);
}

/* --- malformed fragments, made here ------------------------------------- */

static const uint8_t cky[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

static void inject(struct world *w, uint16_t id, uint8_t num, uint8_t flags,
		   const uint8_t *data, size_t len)
{
	uint8_t buf[4096];
	struct ike_wbuf wb;
	struct isakmp_builder b;

	ike_wbuf_init(&wb, buf, sizeof(buf));
	isakmp_build_hdr(&b, &wb, cky, (uint8_t[8]){ 0 }, ISAKMP_EXCH_IDPROT,
			 0, 0);
	isakmp_build_frag(&b, id, num, flags, data, len);
	assert_int_equal(isakmp_build_end(&b), 0);
	ikev1_receive(w->b.e, &w->b.addr, &w->a.addr, buf, wb.len);
}

/* Drops are logged at most 3 lines in 10 s: a new window. */
static void fresh(struct world *w)
{
	wait_ms(w, 10000);
	fake_log_reset();
}

/* A Main Mode 1 as A would send it, with our cookie. */
static size_t mm1(struct world *w, uint8_t *buf, size_t cap)
{
	struct ike_wbuf wb;
	struct isakmp_builder b;

	ike_wbuf_init(&wb, buf, cap);
	isakmp_build_hdr(&b, &wb, cky, (uint8_t[8]){ 0 }, ISAKMP_EXCH_IDPROT,
			 0, 0);
	ikev1_prop_build(&w->a.cfg, 0, &b);
	assert_int_equal(isakmp_build_end(&b), 0);
	return wb.len;
}

/* Main Mode 1 in two fragments: B answers once both are in, and not when
 * the ids differ (the second replaces the first). */
static void test_first_message_reassembled(void **state)
{
	struct world *w = new_world(ISAKMP_EXCH_IDPROT, &legacy);
	uint8_t m[512];
	size_t len = mm1(w, m, sizeof(m)), half = len / 2;

	(void)state;
	w->b.cfg.ike_frag = IKE_FRAG_ON;
	inject(w, 7, 1, 0, m, half);
	inject(w, 8, 2, ISAKMP_FRAG_LAST, m + half, len - half);
	assert_int_equal(w->b.nsent, 0);
	assert_int_equal(nsa(&w->b), 0);
	inject(w, 8, 1, 0, m, half);
	assert_int_equal(nsa(&w->b), 1);
	assert_int_equal(w->b.nsent, 1);
	assert_int_equal(w->b.e->stats.frag_reassembled, 1);
	assert_int_equal(w->b.e->stats.frag_dropped, 1);
	free_world(w);
}

static void test_malformed_fragments(void **state)
{
	struct world *w = new_world(ISAKMP_EXCH_IDPROT, &legacy);
	uint8_t m[512], big[2100] = { 0 };
	size_t len = mm1(w, m, sizeof(m));
	uint8_t bad[64];

	(void)state;
	/* ike_frag off (the world's default): not taken. */
	inject(w, 1, 1, ISAKMP_FRAG_LAST, m, len);
	assert_true(fake_log_has("ISAKMP fragment 1 (id 1) from "
				 "192.0.2.1[500] dropped: ike_frag is off for "
				 "this peer"));
	assert_int_equal(nsa(&w->b), 0);
	w->b.cfg.ike_frag = IKE_FRAG_FORCE;
	fresh(w);

	/* Number 0: the codec refuses it. */
	inject(w, 1, 0, 0, m, 10);
	assert_true(fake_log_has("fragment number 0 or fragment without "
				 "data"));
	/* The fragment payload's length past the datagram's. */
	{
		struct ike_wbuf wb;
		struct isakmp_builder b;

		ike_wbuf_init(&wb, bad, sizeof(bad));
		isakmp_build_hdr(&b, &wb, cky, (uint8_t[8]){ 0 },
				 ISAKMP_EXCH_IDPROT, 0, 0);
		isakmp_build_frag(&b, 1, 1, 0, m, 16);
		assert_int_equal(isakmp_build_end(&b), 0);
		bad[ISAKMP_HDR_LEN + 3] += 8;	/* payload length */
		ikev1_receive(w->b.e, &w->b.addr, &w->a.addr, bad, wb.len);
		assert_true(fake_log_has("ISAKMP message from 192.0.2.1[500] "
					 "dropped"));
		/* Shorter than its fragment header. */
		bad[ISAKMP_HDR_LEN + 3] = 6;
		bad[27] = ISAKMP_HDR_LEN + 6;
		ikev1_receive(w->b.e, &w->b.addr, &w->a.addr, bad,
			      ISAKMP_HDR_LEN + 6);
		assert_true(fake_log_has("ISAKMP message from 192.0.2.1[500] "
					 "dropped"));
	}
	fresh(w);
	/* Too many. */
	inject(w, 1, 17, ISAKMP_FRAG_LAST, m, 10);
	assert_true(fake_log_has("ISAKMP fragment 17 (id 1) from "
				 "192.0.2.1[500] dropped: more fragments than "
				 "we accept"));
	/* The same number again, other data; past the last; a second last;
	 * a last before a higher number already in. */
	inject(w, 2, 2, 0, m, 10);
	inject(w, 2, 2, 0, m + 1, 10);
	assert_true(fake_log_has("ISAKMP fragment 2 (id 2) from "
				 "192.0.2.1[500] dropped: overlaps a fragment "
				 "of the same number"));
	inject(w, 2, 1, ISAKMP_FRAG_LAST, m, 10);
	assert_true(fake_log_has("ISAKMP fragment 1 (id 2) from "
				 "192.0.2.1[500] dropped: last fragment before "
				 "others already received"));
	fresh(w);
	inject(w, 2, 3, ISAKMP_FRAG_LAST, m, 10);
	inject(w, 2, 4, 0, m, 10);
	assert_true(fake_log_has("ISAKMP fragment 4 (id 2) from "
				 "192.0.2.1[500] dropped: past the last "
				 "fragment"));
	/* Too big: 16 x 2100 bytes. */
	for (uint8_t i = 1; i <= 16; i++)
		inject(w, 3, i, i == 16 ? ISAKMP_FRAG_LAST : 0, big,
		       sizeof(big));
	assert_true(fake_log_has("the message would be too big"));
	/* Whole, but no ISAKMP message of these cookies. */
	inject(w, 4, 1, 0, big, 40);
	inject(w, 4, 2, ISAKMP_FRAG_LAST, big, 40);
	assert_true(fake_log_has("the reassembled message is not an ISAKMP "
				 "message of the fragments' cookies"));
	/* Nothing of it made an SA or an answer. */
	assert_int_equal(nsa(&w->b), 0);
	assert_int_equal(w->b.nsent, 0);
	assert_int_equal(w->b.e->stats.frag_reassembled, 0);
	free_world(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_main_force),
		cmocka_unit_test(test_main_on_vid),
		cmocka_unit_test(test_aggressive_on_vid),
		cmocka_unit_test(test_main_on_against_off),
		cmocka_unit_test(test_main_lost_fragment),
		cmocka_unit_test(test_first_message_reassembled),
		cmocka_unit_test(test_malformed_fragments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
