// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1 Quick Mode's algorithms between two engines: AH transforms
 * (transform id and authentication attribute), and ESP with several
 * transforms, where the responder goes by its own sainfo's order.
 */
#include "ikev1_qm_world.c"

static void ah_cfg(struct peer *p, uint16_t integ)
{
	struct ike_child_cfg *c = &p->ccfg;

	memset(c, 0, sizeof(*c));
	c->nprop = 1;
	c->prop[0].proto = IKE_PROTO_AH;
	c->prop[0].ninteg = 1;
	c->prop[0].integ[0] = integ;
	c->hard_secs = 3600;
}

/* B's policy asks for AH. */
static void b_policy_ah(struct world *w)
{
	for (unsigned int i = 0; i < w->b.k->npol; i++)
		w->b.k->spd[i].req[0].proto = IPPROTO_AH;
}

static void ah_pair(const struct fake_sa *in, const struct fake_sa *out,
		    uint16_t integ, size_t klen)
{
	assert_non_null(in);
	assert_non_null(out);
	assert_int_equal(in->sa.proto, IPPROTO_AH);
	assert_int_equal(out->sa.proto, IPPROTO_AH);
	assert_int_equal(in->sa.spi, out->sa.spi);
	assert_int_equal(in->sa.encr, 0);
	assert_int_equal(in->sa.enc_key_len, 0);
	assert_int_equal(in->sa.integ, integ);
	assert_int_equal(in->sa.auth_key_len, klen);
	assert_memory_equal(in->auth_key, out->auth_key, klen);
	assert_int_equal(in->sa.mode, IKD_MODE_TUNNEL);
}

static void run_ah(uint16_t integ, size_t klen)
{
	struct world *w = phase1();
	struct ikd_acquire acq;

	b_policy_ah(w);
	ah_cfg(&w->a, integ);
	ah_cfg(&w->b, integ);
	acquire(w, &acq);
	acq.proto = IPPROTO_AH;
	assert_int_equal(ikev1_qm_initiate(w->a.e, &acq), 0);
	run(w);
	assert_int_equal(w->a.k->nsa, 2);
	assert_int_equal(w->b.k->nsa, 2);
	ah_pair(find(w->a.k, false, &w->a.addr),
		find(w->b.k, false, &w->a.addr), integ, klen);
	ah_pair(find(w->b.k, false, &w->b.addr),
		find(w->a.k, false, &w->b.addr), integ, klen);
	assert_int_equal(find(w->b.k, false, &w->b.addr)->sa.reqid, 200);
	assert_true(fake_log_has("IPsec-SA established: AH/Tunnel "
				 "192.0.2.2[500]->192.0.2.1[500] spi="));
	free_world(w);
}

static void test_ah_sha1(void **state)
{
	(void)state;
	run_ah(IKE_AUTH_HMAC_SHA1_96, 20);
}

static void test_ah_md5(void **state)
{
	(void)state;
	run_ah(IKE_AUTH_HMAC_MD5_96, 16);
}

static void test_ah_sha2(void **state)
{
	(void)state;
	run_ah(IKE_AUTH_HMAC_SHA2_256_128, 32);
	run_ah(IKE_AUTH_HMAC_SHA2_512_256, 64);
}

/* AH offered, B's sainfo has ESP only: no proposal chosen. */
static void test_ah_not_in_sainfo(void **state)
{
	struct world *w = phase1();
	struct ikd_acquire acq;

	(void)state;
	b_policy_ah(w);
	ah_cfg(&w->a, IKE_AUTH_HMAC_SHA1_96);
	acquire(w, &acq);
	acq.proto = IPPROTO_AH;
	assert_int_equal(ikev1_qm_initiate(w->a.e, &acq), 0);
	run(w);
	wait_ms(w, 1000);
	assert_int_equal(w->b.k->nsa, 0);
	assert_int_equal(fake_kernel_ncalls(w->a.k, FK_ADD), 0);
	assert_true(fake_log_has("no proposal chosen for Quick Mode with "
				 "192.0.2.1[500]"));
	free_world(w);
}

/* An ACQUIRE for AH with a sainfo of ESP only is not started. */
static void test_ah_initiator_without_sainfo(void **state)
{
	struct world *w = phase1();
	struct ikd_acquire acq;

	(void)state;
	acquire(w, &acq);
	acq.proto = IPPROTO_AH;
	assert_int_equal(ikev1_qm_initiate(w->a.e, &acq), -ENOTSUP);
	assert_null(the_sa(&w->a)->qms);
	assert_true(fake_log_has("the sainfo has no AH proposal"));
	free_world(w);
}

/* A offers AES-128 and 3DES, each with SHA1 and SHA2-256, in that order;
 * B's sainfo puts 3DES first: B's order wins, 3DES with SHA2-256 (A's
 * first offer with B's algorithms would be AES-128/SHA2-256). */
static void test_esp_responder_order(void **state)
{
	struct world *w = phase1();
	struct ike_child_prop_cfg *a = &w->a.ccfg.prop[0];
	struct ike_child_prop_cfg *b = &w->b.ccfg.prop[0];
	const struct fake_sa *in, *out;

	(void)state;
	a->nencr = 2;
	a->encr[0] = (struct ike_encr_alg){ IKE_ENCR_AES_CBC, 128 };
	a->encr[1] = (struct ike_encr_alg){ IKE_ENCR_3DES, 0 };
	a->ninteg = 2;
	a->integ[0] = IKE_AUTH_HMAC_SHA1_96;
	a->integ[1] = IKE_AUTH_HMAC_SHA2_256_128;
	b->nencr = 2;
	b->encr[0] = (struct ike_encr_alg){ IKE_ENCR_3DES, 0 };
	b->encr[1] = (struct ike_encr_alg){ IKE_ENCR_AES_CBC, 128 };
	b->ninteg = 1;
	b->integ[0] = IKE_AUTH_HMAC_SHA2_256_128;
	run_qm(w);
	assert_int_equal(w->a.k->nsa, 2);
	assert_int_equal(w->b.k->nsa, 2);
	in = find(w->a.k, false, &w->a.addr);
	out = find(w->b.k, false, &w->a.addr);
	assert_non_null(in);
	assert_non_null(out);
	assert_int_equal(in->sa.encr, IKE_ENCR_3DES);
	assert_int_equal(out->sa.encr, IKE_ENCR_3DES);
	assert_int_equal(in->sa.integ, IKE_AUTH_HMAC_SHA2_256_128);
	assert_int_equal(in->sa.enc_key_len, 24);
	assert_memory_equal(in->enc_key, out->enc_key, 24);
	assert_memory_equal(in->auth_key, out->auth_key, 32);
	free_world(w);
}

/* Several transforms, only A's last is B's. */
static void test_esp_last_offer_taken(void **state)
{
	struct world *w = phase1();
	struct ike_child_prop_cfg *a = &w->a.ccfg.prop[0];
	const struct fake_sa *in;

	(void)state;
	a->nencr = 3;
	a->encr[0] = (struct ike_encr_alg){ IKE_ENCR_3DES, 0 };
	a->encr[1] = (struct ike_encr_alg){ IKE_ENCR_AES_CBC, 256 };
	a->encr[2] = (struct ike_encr_alg){ IKE_ENCR_AES_CBC, 128 };
	run_qm(w);
	assert_int_equal(w->b.k->nsa, 2);
	in = find(w->b.k, false, &w->b.addr);
	assert_non_null(in);
	assert_int_equal(in->sa.encr, IKE_ENCR_AES_CBC);
	assert_int_equal(in->sa.encr_keybits, 128);
	free_world(w);
}

/* The seed's sainfo on both sides (3des, blowfish; hmac_sha1, hmac_md5):
 * 3DES/HMAC-SHA1, the responder's first. With B's order reversed, the
 * responder takes Blowfish-128, which A offered without a key length
 * (as racoon does): 128 bits by default (RFC 2451). */
static void seed_cfg(struct peer *p, bool blowfish_first, uint16_t bf_bits)
{
	struct ike_child_prop_cfg *c = &p->ccfg.prop[0];

	c->nencr = 2;
	c->encr[blowfish_first ? 1 : 0] = (struct ike_encr_alg){
		IKE_ENCR_3DES, 0 };
	c->encr[blowfish_first ? 0 : 1] = (struct ike_encr_alg){
		IKE_ENCR_BLOWFISH, bf_bits };
	c->ninteg = 2;
	c->integ[0] = IKE_AUTH_HMAC_SHA1_96;
	c->integ[1] = IKE_AUTH_HMAC_MD5_96;
}

static const struct fake_sa *esp_between(struct world *w, uint16_t encr,
					 uint16_t bits, uint16_t integ,
					 size_t eklen)
{
	const struct fake_sa *in = find(w->a.k, false, &w->a.addr);
	const struct fake_sa *out = find(w->b.k, false, &w->a.addr);

	assert_int_equal(w->a.k->nsa, 2);
	assert_int_equal(w->b.k->nsa, 2);
	assert_non_null(in);
	assert_non_null(out);
	assert_int_equal(in->sa.encr, encr);
	assert_int_equal(out->sa.encr, encr);
	assert_int_equal(in->sa.encr_keybits, bits);
	assert_int_equal(in->sa.integ, integ);
	assert_int_equal(in->sa.enc_key_len, eklen);
	assert_memory_equal(in->enc_key, out->enc_key, eklen);
	return in;
}

static void test_seed_sainfo_3des(void **state)
{
	struct world *w = phase1();

	(void)state;
	seed_cfg(&w->a, false, 0);
	seed_cfg(&w->b, false, 0);
	run_qm(w);
	esp_between(w, IKE_ENCR_3DES, 192, IKE_AUTH_HMAC_SHA1_96, 24);
	free_world(w);
}

static void test_blowfish_default_128(void **state)
{
	struct world *w = phase1();

	(void)state;
	seed_cfg(&w->a, false, 0);
	seed_cfg(&w->b, true, 128);
	run_qm(w);
	esp_between(w, IKE_ENCR_BLOWFISH, 128, IKE_AUTH_HMAC_SHA1_96, 16);
	free_world(w);
}

/* Blowfish with a named length, CAST-128, and HMAC-MD5. */
static void test_blowfish_448_cast_md5(void **state)
{
	struct world *w = phase1();

	(void)state;
	esp_cfg(&w->a, IKE_ENCR_BLOWFISH, 448, IKE_AUTH_HMAC_MD5_96);
	esp_cfg(&w->b, IKE_ENCR_BLOWFISH, 448, IKE_AUTH_HMAC_MD5_96);
	run_qm(w);
	esp_between(w, IKE_ENCR_BLOWFISH, 448, IKE_AUTH_HMAC_MD5_96, 56);
	free_world(w);
	w = phase1();
	esp_cfg(&w->a, IKE_ENCR_CAST, 0, IKE_AUTH_HMAC_SHA2_512_256);
	esp_cfg(&w->b, IKE_ENCR_CAST, 128, IKE_AUTH_HMAC_SHA2_512_256);
	run_qm(w);
	esp_between(w, IKE_ENCR_CAST, 128, IKE_AUTH_HMAC_SHA2_512_256, 16);
	free_world(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ah_sha1),
		cmocka_unit_test(test_ah_md5),
		cmocka_unit_test(test_ah_sha2),
		cmocka_unit_test(test_ah_not_in_sainfo),
		cmocka_unit_test(test_ah_initiator_without_sainfo),
		cmocka_unit_test(test_esp_responder_order),
		cmocka_unit_test(test_esp_last_offer_taken),
		cmocka_unit_test(test_seed_sainfo_3des),
		cmocka_unit_test(test_blowfish_default_128),
		cmocka_unit_test(test_blowfish_448_cast_md5),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
