// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv2 fragmentation (RFC 7383) between two engines in one process, in
 * test_ike_exchange.c's world (included whole, its main() renamed, as
 * test_ike_rekey.c does) with a path that loses every datagram longer
 * than the fragment size, as a path dropping IP fragments does.
 *
 * IKE_AUTH with an RSA certificate chain (CA, two intermediates, host) is
 * several kB: with ike_frag on both sides it passes as fragments, none
 * over the limit; with ike_frag off on either side it cannot. Then the
 * reassembly itself, on fragments the engines really made: out of order,
 * duplicated, one lost and the request retransmitted, a forged fragment
 * (integrity fails) that must not poison the reassembly, Total Fragments
 * above the limit, Total Fragments changing, and a reassembled message
 * above the size limit.
 */
#define main exchange_main
#include "test_ike_exchange.c"
#undef main

#define V4_FRAG_MAX	(IKE_FRAG_IP_MAX - 20 - 8)	/* IPv4, UDP 500 */

/* A CA certificate (basicConstraints CA:TRUE) signed by @issuer. */
static X509 *intermediate(const char *cn, EVP_PKEY *key, X509 *issuer,
			  EVP_PKEY *ikey, long serial)
{
	X509 *x = fx_cert(cn, key, issuer, ikey, NULL, serial, -1, 30);

	fx_ext(x, issuer, NID_basic_constraints, "critical,CA:TRUE");
	assert_true(X509_sign(x, ikey, EVP_sha256()) > 0);
	return x;
}

/* Both peers authenticate with RSA certificates under CA -> I1 -> I2,
 * each sending its certificate and both intermediates. */
static void chain_world(struct world *w, char *dir, size_t dlen)
{
	EVP_PKEY *ck = fx_key("rsa"), *k1 = fx_key("rsa"), *k2 = fx_key("rsa");
	EVP_PKEY *ak = fx_key("rsa"), *bk = fx_key("rsa");
	X509 *ca = fx_cert("CA", ck, NULL, NULL, NULL, 1, -1, 30);
	X509 *i1 = intermediate("I1", k1, ca, ck, 2);
	X509 *i2 = intermediate("I2", k2, i1, k1, 3);
	X509 *ac = fx_cert("A", ak, i2, k2, "DNS:a.example.org", 4, -1, 30);
	X509 *bc = fx_cert("B", bk, i2, k2, "DNS:b.example.org", 5, -1, 30);
	struct peer *ps[2] = { &w->a, &w->b };

	fx_dir(dir, dlen);
	fx_write_cert(dir, "ca.pem", ca, false);
	fx_write_cert(dir, "A.pem", ac, false);
	fx_write_cert(dir, "A.pem", i2, true);
	fx_write_cert(dir, "A.pem", i1, true);
	fx_write_cert(dir, "B.pem", bc, false);
	fx_write_cert(dir, "B.pem", i2, true);
	fx_write_cert(dir, "B.pem", i1, true);
	fx_write_key(dir, "A.key", ak);
	fx_write_key(dir, "B.key", bk);
	for (int i = 0; i < 2; i++) {
		struct ike_cert_cfg *cc = &ps[i]->cfg.cert;

		ps[i]->cfg.auth = IKE_CFG_AUTH_CERT;
		ps[i]->cfg.ike_frag = IKE_FRAG_ON;
		snprintf(cc->cert, sizeof(cc->cert), "%s/%s.pem", dir,
			 ps[i]->name);
		snprintf(cc->key, sizeof(cc->key), "%s/%s.key", dir,
			 ps[i]->name);
		snprintf(cc->ca, sizeof(cc->ca), "%s/ca.pem", dir);
		cc->verify_cert = cc->send_cert = cc->send_cr = true;
		ps[i]->psk[0] = '\0';
	}
	X509_free(ca);
	X509_free(i1);
	X509_free(i2);
	X509_free(ac);
	X509_free(bc);
	EVP_PKEY_free(ck);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
	EVP_PKEY_free(ak);
	EVP_PKEY_free(bk);
}

static struct ike_stats stats(struct peer *p)
{
	struct ike_stats st;

	ike_engine_stats(p->e, &st);
	return st;
}

/* Delivers the first datagram in flight. */
static void step(struct world *w)
{
	struct pkt *k = w->q[0];

	assert_true(w->nq > 0);
	memmove(w->q, w->q + 1, --w->nq * sizeof(w->q[0]));
	deliver(w, k);
}

/* Runs IKE_SA_INIT only: A's IKE_AUTH request is then in flight. */
static struct ikd_acquire to_auth(struct world *w)
{
	struct ikd_acquire acq = setup_policies(w, &nets4, IKD_MODE_TUNNEL);

	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg), 0);
	step(w);
	step(w);
	return acq;
}

static bool is_skf(const struct pkt *k)
{
	return k->len >= IKE_HDR_LEN + 8 && k->data[16] == IKE_PL_SKF;
}

static void test_chain_through_fragment_dropping_path(void **state)
{
	struct world *w = new_world(false);
	struct ike_stats sa_, sb;
	char dir[200];

	(void)state;
	chain_world(w, dir, sizeof(dir));
	w->mtu = V4_FRAG_MAX;
	start(w);
	to_auth(w);
	/* A's IKE_AUTH request went as several SKF fragments, each one
	 * within the limit. */
	assert_true(w->nq >= 3);
	for (unsigned int i = 0; i < w->nq; i++) {
		assert_true(is_skf(w->q[i]));
		assert_true(w->q[i]->len <= V4_FRAG_MAX);
		assert_int_equal(ike_be16(w->q[i]->data + IKE_HDR_LEN + 6),
				 w->nq);
	}
	run(w);
	check_pair(w, IKD_MODE_TUNNEL, IKE_ENCR_AES_GCM_16, 0, true);
	expect_counts(&w->a, 1, 1, 1);
	expect_counts(&w->b, 1, 1, 1);
	assert_int_equal(w->mtu_drops, 0);
	sa_ = stats(&w->a);
	sb = stats(&w->b);
	assert_true(sa_.frag_tx >= 3 && sb.frag_tx >= 3);
	assert_int_equal(sa_.frag_rx, sb.frag_tx);
	assert_int_equal(sb.frag_rx, sa_.frag_tx);
	assert_int_equal(sa_.frag_reassembled, 1);
	assert_int_equal(sb.frag_reassembled, 1);
	assert_int_equal(sa_.frag_dropped + sb.frag_dropped, 0);
	assert_true(fake_log_has("certificate /O=kipsec test/CN=B verified"));
	fx_rmdir(dir);
	free_world(w);
}

/* Without fragmentation on one side, the same path loses IKE_AUTH. */
static void frag_off(bool on_a)
{
	struct world *w = new_world(false);
	char dir[200];

	chain_world(w, dir, sizeof(dir));
	(on_a ? &w->a : &w->b)->cfg.ike_frag = IKE_FRAG_OFF;
	w->mtu = V4_FRAG_MAX;
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	wait_ms(w, 31000);	/* A gives up, B's half-open SA times out */
	expect_counts(&w->a, 0, 0, 0);
	expect_counts(&w->b, 0, 0, 0);
	assert_true(w->mtu_drops >= 4);	/* the request and 3 retransmissions */
	assert_int_equal(stats(&w->a).frag_tx + stats(&w->b).frag_tx, 0);
	assert_true(fake_log_has("not answered after 3 retransmissions"));
	fx_rmdir(dir);
	free_world(w);
}

static void test_off_on_initiator_fails(void **state)
{
	(void)state;
	frag_off(true);
}

static void test_off_on_responder_fails(void **state)
{
	(void)state;
	frag_off(false);
}

/* Fragments delivered back to front, each one twice. */
static void test_reorder_and_duplicates(void **state)
{
	struct world *w = new_world(false);
	char dir[200];

	(void)state;
	chain_world(w, dir, sizeof(dir));
	w->mtu = V4_FRAG_MAX;
	w->dup_mask = ~0ull;
	start(w);
	to_auth(w);
	w->reorder = true;
	run(w);
	expect_counts(&w->a, 1, 1, 1);
	expect_counts(&w->b, 1, 1, 1);
	/* duplicates were ignored, not counted as dropped */
	assert_int_equal(stats(&w->a).frag_reassembled, 1);
	assert_int_equal(stats(&w->b).frag_reassembled, 1);
	assert_int_equal(stats(&w->a).frag_dropped + stats(&w->b).frag_dropped,
			 0);
	fx_rmdir(dir);
	free_world(w);
}

/* A fragment of the request and one of the response are lost: the
 * retransmission (every fragment again) completes both. */
static void test_lost_fragment_retransmitted(void **state)
{
	struct world *w = new_world(false);
	char dir[200];

	(void)state;
	chain_world(w, dir, sizeof(dir));
	w->mtu = V4_FRAG_MAX;
	/* 0, 1: IKE_SA_INIT; 2..: A's fragments; the second one is lost */
	w->drop_mask = 1ull << 3;
	start(w);
	to_auth(w);
	run(w);
	expect_counts(&w->b, 0, 1, 0);	/* half-open, waiting */
	wait_ms(w, 1000);
	expect_counts(&w->a, 1, 1, 1);
	expect_counts(&w->b, 1, 1, 1);
	assert_true(stats(&w->a).retransmits >= 1);
	fx_rmdir(dir);
	free_world(w);
}

/* The responder's cached answer: a retransmitted request (all its
 * fragments) gets every fragment of the response again, once. */
static void test_response_lost_resent_on_first_fragment(void **state)
{
	struct world *w = new_world(false);
	struct ike_stats before;
	char dir[200];
	unsigned int nreq;

	(void)state;
	chain_world(w, dir, sizeof(dir));
	w->mtu = V4_FRAG_MAX;
	start(w);
	to_auth(w);
	nreq = w->nq;
	/* B gets A's fragments; every fragment of its answer is lost */
	for (unsigned int i = 0; i < nreq; i++)
		step(w);
	before = stats(&w->b);
	while (w->nq)
		free(w->q[--w->nq]);
	wait_ms(w, 1000);
	expect_counts(&w->a, 1, 1, 1);
	/* B answered the retransmission once, all fragments of it */
	assert_int_equal(stats(&w->b).frag_tx - before.frag_tx,
			 before.frag_tx);
	assert_int_equal(stats(&w->b).ike_established, 1);
	fx_rmdir(dir);
	free_world(w);
}

/* A forged copy of a fragment (a flipped ciphertext bit) arrives first:
 * dropped, and the genuine fragment still completes the message. Then
 * the same with numbers that break the limits. */
static void test_forged_and_out_of_limits(void **state)
{
	struct world *w = new_world(false);
	struct pkt *k;
	uint8_t buf[2048];
	char dir[200];

	(void)state;
	chain_world(w, dir, sizeof(dir));
	w->mtu = V4_FRAG_MAX;
	start(w);
	to_auth(w);
	k = w->q[1];
	assert_true(k->len <= sizeof(buf));
	/* forged: integrity check fails */
	memcpy(buf, k->data, k->len);
	buf[k->len - 20] ^= 1;
	ike_engine_receive(w->b.e, &k->to, &k->from, buf, k->len);
	assert_int_equal(stats(&w->b).frag_dropped, 1);
	assert_true(fake_log_has("integrity check failed"));
	/* Total Fragments over the limit (checked before decryption) */
	memcpy(buf, k->data, k->len);
	buf[IKE_HDR_LEN + 6] = 0;
	buf[IKE_HDR_LEN + 7] = 65;
	ike_engine_receive(w->b.e, &k->to, &k->from, buf, k->len);
	assert_int_equal(stats(&w->b).frag_dropped, 2);
	assert_true(fake_log_has("more fragments than we accept"));
	/* numbers that make no sense: the parser refuses them */
	buf[IKE_HDR_LEN + 4] = 0;
	buf[IKE_HDR_LEN + 5] = 3;
	buf[IKE_HDR_LEN + 7] = 2;
	ike_engine_receive(w->b.e, &k->to, &k->from, buf, k->len);
	assert_true(fake_log_has("fragment numbers are wrong"));
	run(w);
	expect_counts(&w->a, 1, 1, 1);
	expect_counts(&w->b, 1, 1, 1);
	assert_int_equal(stats(&w->b).frag_reassembled, 1);
	fx_rmdir(dir);
	free_world(w);
}

/* Seals a request of @len bytes of vendor IDs from A as fragments; the
 * engine's own sender does it. */
static void send_big(struct world *w, size_t len)
{
	struct ike_sa *sa = w->a.e->sas;
	uint8_t *inner = malloc(len + 64), *v = calloc(1, 1000);
	struct ike_wbuf wb;
	struct ike_builder b;

	assert_non_null(inner);
	assert_non_null(v);
	ike_wbuf_init(&wb, inner, len + 64);
	ike_build_chain(&b, &wb);
	while (wb.len + 1004 <= len)
		ike_build_vendor(&b, v, 1000);
	assert_int_equal(wb.err, 0);
	assert_int_equal(ike_sa_send_request(sa, REQ_LIVENESS,
					     IKE_INFORMATIONAL, NULL, &b), 0);
	free(inner);
	free(v);
}

/* Total Fragments changing (2.6.1): fewer than before is dropped, more
 * restarts the reassembly. The engines' own fragments of two sealings of
 * one message ID with different sizes play the two retransmissions. */
static void test_total_fragments_change(void **state)
{
	struct world *w = new_world(false);
	struct pkt *small[8], *big[16];
	unsigned int ns, nb;
	struct ike_sa *sa;

	(void)state;
	w->a.cfg.ike_frag = w->b.cfg.ike_frag = IKE_FRAG_ON;
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	expect_counts(&w->a, 1, 1, 1);
	sa = w->a.e->sas;
	/* 5 kB: some fragments */
	send_big(w, 5000);
	ns = w->nq;
	assert_true(ns >= 4 && ns < 8);
	memcpy(small, w->q, ns * sizeof(small[0]));
	w->nq = 0;
	/* the same message ID again, in more fragments, as a peer
	 * fragmenting its retransmission smaller would send */
	sa->next_msgid--;
	send_big(w, 9000);
	nb = w->nq;
	assert_true(nb > ns && nb < 16);
	memcpy(big, w->q, nb * sizeof(big[0]));
	w->nq = 0;
	/* two of the small set, then one of the big set: restart; then
	 * the rest of the small set: fewer fragments, dropped */
	deliver(w, small[0]);
	deliver(w, small[1]);
	assert_int_equal(stats(&w->b).frag_rx, 2);
	deliver(w, big[0]);
	assert_int_equal(stats(&w->b).frag_dropped, 2);	/* the two small */
	for (unsigned int i = 2; i < ns; i++)
		deliver(w, small[i]);
	assert_int_equal(stats(&w->b).frag_dropped, 2 + ns - 2);
	assert_true(fake_log_has("fewer Total Fragments than before"));
	for (unsigned int i = 1; i < nb; i++)
		deliver(w, big[i]);
	assert_int_equal(stats(&w->b).frag_reassembled, 1);
	run(w);
	/* B answered; A took the answer */
	assert_int_equal(sa->req.kind, REQ_NONE);
	free_world(w);
}

/* A reassembled message may not exceed IKE_MSG_MAX: the reassembly is
 * given up and nothing is answered. Fragments of a message that never
 * completes are discarded on timeout. */
static void test_size_limit_and_timeout(void **state)
{
	struct world *w = new_world(false);

	(void)state;
	w->a.cfg.ike_frag = w->b.cfg.ike_frag = IKE_FRAG_ON;
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	send_big(w, 70000);
	assert_true(w->nq > 55 && w->nq <= 64);
	run(w);
	assert_true(fake_log_has("the message would be too big"));
	assert_int_equal(stats(&w->b).frag_reassembled, 0);
	assert_int_equal(stats(&w->b).tx_exchange[IKE_INFORMATIONAL -
						   IKE_SA_INIT], 0);
	/* what was kept after the drop goes on timeout */
	wait_ms(w, 31000);
	assert_true(fake_log_has("giving up on it"));
	assert_null(w->b.e->sas->frag.in[0]);
	free_world(w);
}

/* force: even a message that fits goes as one fragment, and peers
 * without fragmentation never see one. */
static void test_force_and_negotiation(void **state)
{
	struct world *w = new_world(false);

	(void)state;
	w->a.cfg.ike_frag = IKE_FRAG_FORCE;
	w->b.cfg.ike_frag = IKE_FRAG_ON;
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	expect_counts(&w->a, 1, 1, 1);
	expect_counts(&w->b, 1, 1, 1);
	assert_int_equal(stats(&w->a).frag_tx, 1);	/* IKE_AUTH request */
	assert_int_equal(stats(&w->b).frag_tx, 0);	/* fits: whole */
	assert_int_equal(stats(&w->b).frag_reassembled, 1);
	free_world(w);

	/* B off: no notify back, A never fragments */
	w = new_world(false);
	w->a.cfg.ike_frag = IKE_FRAG_FORCE;
	w->b.cfg.ike_frag = IKE_FRAG_OFF;
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	expect_counts(&w->a, 1, 1, 1);
	assert_int_equal(stats(&w->a).frag_tx, 0);
	assert_false(w->a.e->sas->frag.use);
	assert_false(w->b.e->sas->frag.use);
	free_world(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_through_fragment_dropping_path),
		cmocka_unit_test(test_off_on_initiator_fails),
		cmocka_unit_test(test_off_on_responder_fails),
		cmocka_unit_test(test_reorder_and_duplicates),
		cmocka_unit_test(test_lost_fragment_retransmitted),
		cmocka_unit_test(test_response_lost_resent_on_first_fragment),
		cmocka_unit_test(test_forged_and_out_of_limits),
		cmocka_unit_test(test_total_fragments_change),
		cmocka_unit_test(test_size_limit_and_timeout),
		cmocka_unit_test(test_force_and_negotiation),
	};

	(void)exchange_main;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
