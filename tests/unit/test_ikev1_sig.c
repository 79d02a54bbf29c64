// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1 phase 1 with RSA signatures (authentication_method rsasig)
 * between two engines in one process: Main and Aggressive Mode with the
 * seed's self-signed RSA-1024/SHA-1 certificates pinned by
 * peers_certfile, with a CA instead, and the failures: a SIG that does
 * not verify, a CERT that is not peers_certfile, an ID its certificate
 * does not certify. Certificates are made on the spot (cert_fixture.c).
 */
#include "ikev1_world.c"
#include "cert_fixture.c"

#include "../../ikd/ike_cert.h"

struct pki {
	char dir[128];
	EVP_PKEY *ka, *kb, *kx;		/* A's, B's, an impostor's */
	X509 *ca;
	EVP_PKEY *kca;
};

/* As `openssl req -newkey rsa:1024 -sha1` + `x509 -signkey` make them:
 * self-signed, 1024 bits, SHA-1. */
static X509 *seed_cert(const char *cn, EVP_PKEY *k)
{
	X509 *x = fx_cert(cn, k, NULL, NULL, NULL, 1, -1, 30);

	if (!X509_sign(x, k, EVP_sha1()))
		abort();
	return x;
}

static EVP_PKEY *rsa1024(void)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
}

static void pki_new(struct pki *p)
{
	X509 *a, *b, *xa, *xo;

	memset(p, 0, sizeof(*p));
	fx_dir(p->dir, sizeof(p->dir));
	p->ka = rsa1024();
	p->kb = rsa1024();
	p->kx = rsa1024();
	assert_true(p->ka && p->kb && p->kx);
	a = seed_cert("elmer", p->ka);
	b = seed_cert("relent", p->kb);
	xa = seed_cert("elmer", p->kx);		/* A's name, another key */
	xo = seed_cert("someone", p->kx);
	fx_write_cert(p->dir, "a.pem", a, false);
	fx_write_cert(p->dir, "b.pem", b, false);
	fx_write_cert(p->dir, "impostor_a.pem", xa, false);
	fx_write_cert(p->dir, "other.pem", xo, false);
	fx_write_key(p->dir, "a.key", p->ka);
	fx_write_key(p->dir, "b.key", p->kb);
	X509_free(a);
	X509_free(b);
	X509_free(xa);
	X509_free(xo);
}

static void pki_free(struct pki *p)
{
	EVP_PKEY_free(p->ka);
	EVP_PKEY_free(p->kb);
	EVP_PKEY_free(p->kx);
	X509_free(p->ca);
	EVP_PKEY_free(p->kca);
	fx_rmdir(p->dir);
}

static void path(char *dst, const struct pki *p, const char *name)
{
	snprintf(dst, IKE_CFG_PATH_MAX, "%s/%s", p->dir, name);
}

/* rsasig for @pe: its certificate and key, the peer's pinned (NULL:
 * none), asn1dn identities taken from the certificates. */
static void use_sig(struct peer *pe, const struct pki *p, const char *mine,
		    const char *key, const char *peers)
{
	struct ike_cert_cfg *cc = &pe->cfg.cert;

	pe->cfg.auth = IKE_CFG_AUTH_CERT;
	pe->cfg.v1.prop[0].auth = OAKLEY_AUTH_RSA_SIG;
	path(cc->cert, p, mine);
	path(cc->key, p, key);
	if (peers)
		path(cc->peer_cert, p, peers);
	cc->verify_cert = cc->send_cert = cc->send_cr = true;
	pe->cfg.my_id.type = IPSEC_ID_DER_ASN1_DN;
	pe->cfg.peer_id.type = IPSEC_ID_DER_ASN1_DN;
	pe->psk[0] = 0;		/* no pre-shared key to fall back on */
}

static struct world *sig_world(uint8_t mode, const struct pki *p)
{
	struct world *w = new_world(mode, &legacy);

	use_sig(&w->a, p, "a.pem", "a.key", "b.pem");
	use_sig(&w->b, p, "b.pem", "b.key", "a.pem");
	return w;
}

/* Whether @pe sent an Informational carrying a notify (encrypted: its
 * exchange type tells). */
static bool sent_info(const struct peer *pe)
{
	for (unsigned int i = 0; i < pe->nsent; i++)
		if (pe->sent[i]->data[18] == ISAKMP_EXCH_INFO)
			return true;
	return false;
}

/* Whether @pe's datagram @i has payload type @type in clear. */
static bool sent_has(const struct peer *pe, unsigned int i, uint8_t type)
{
	struct isakmp_msg m;

	assert_true(i < pe->nsent);
	assert_int_equal(isakmp_msg_parse(&m, pe->sent[i]->data,
					  pe->sent[i]->len), 0);
	return isakmp_msg_find(&m, type, NULL) != NULL;
}

static void assert_sig_established(struct world *w)
{
	const struct ikev1_sa *a = the_sa(&w->a), *b = the_sa(&w->b);
	char buf[256];

	assert_int_equal(a->state, V1_ESTABLISHED);
	assert_int_equal(b->state, V1_ESTABLISHED);
	assert_int_equal(a->ch.auth, OAKLEY_AUTH_RSA_SIG);
	assert_memory_equal(&a->k, &b->k, sizeof(a->k));
	assert_int_equal(a->peer_id.type, IPSEC_ID_DER_ASN1_DN);
	assert_int_equal(a->peer_id.len, b->my_id.len);
	assert_memory_equal(a->peer_id.data, b->my_id.data, b->my_id.len);
	assert_string_equal(ike_cert_dn_str(a->peer_id.data, a->peer_id.len,
					    buf, sizeof(buf)),
			    "O = kipsec test, CN = relent");
	assert_true(fake_log_has("certificate /O=kipsec test/CN=relent, SIG "
				 "verified"));
	assert_true(fake_log_has("certificate /O=kipsec test/CN=elmer, SIG "
				 "verified"));
	assert_int_equal(fake_log_count("ISAKMP-SA established"), 2);
	assert_false(sent_info(&w->a) || sent_info(&w->b));
}

static void sig_establish(uint8_t mode)
{
	struct pki p;
	struct world *w;

	pki_new(&p);
	w = sig_world(mode, &p);
	assert_int_equal(initiate(w), 0);
	run(w);
	assert_sig_established(w);
	free_world(w);
	pki_free(&p);
}

static void test_main_rsasig_seed_certs(void **state)
{
	(void)state;
	sig_establish(ISAKMP_EXCH_IDPROT);
	assert_true(fake_log_has("3des-cbc/hmac-sha1/rsasig/modp1024"));
}

static void test_aggressive_rsasig_seed_certs(void **state)
{
	(void)state;
	sig_establish(ISAKMP_EXCH_AGGRESSIVE);
}

/* CERTREQ in MM3 and MM4, not in MM1. */
static void test_main_rsasig_certreq(void **state)
{
	struct pki p;
	struct world *w;

	(void)state;
	pki_new(&p);
	w = sig_world(ISAKMP_EXCH_IDPROT, &p);
	assert_int_equal(initiate(w), 0);
	run(w);
	assert_sig_established(w);
	assert_false(sent_has(&w->a, 0, ISAKMP_PL_CR));
	assert_true(sent_has(&w->a, 1, ISAKMP_PL_CR));
	assert_true(sent_has(&w->b, 1, ISAKMP_PL_CR));
	free_world(w);
	pki_free(&p);
}

/* No peers_certfile: the peer's CERT chains to ca_type's CA. */
static void test_main_rsasig_ca(void **state)
{
	struct pki p;
	struct world *w;
	X509 *a, *b;

	(void)state;
	pki_new(&p);
	/* Old-style too: an RSA-1024 CA signing with SHA-1, which the
	 * verification takes (no OpenSSL security level applies to it). */
	p.kca = rsa1024();
	p.ca = seed_cert("test CA", p.kca);
	a = fx_cert("elmer", p.ka, p.ca, p.kca, NULL, 2, -1, 30);
	b = fx_cert("relent", p.kb, p.ca, p.kca, NULL, 3, -1, 30);
	if (!X509_sign(a, p.kca, EVP_sha1()) || !X509_sign(b, p.kca, EVP_sha1()))
		abort();
	fx_write_cert(p.dir, "ca.pem", p.ca, false);
	fx_write_cert(p.dir, "a.pem", a, false);
	fx_write_cert(p.dir, "b.pem", b, false);
	X509_free(a);
	X509_free(b);
	w = new_world(ISAKMP_EXCH_IDPROT, &legacy);
	use_sig(&w->a, &p, "a.pem", "a.key", NULL);
	use_sig(&w->b, &p, "b.pem", "b.key", NULL);
	path(w->a.cfg.cert.ca, &p, "ca.pem");
	path(w->b.cfg.cert.ca, &p, "ca.pem");
	assert_int_equal(initiate(w), 0);
	run(w);
	assert_sig_established(w);
	free_world(w);
	pki_free(&p);
}

/* --- failures: B refuses A's last message -------------------------------- */

static void assert_refused(struct world *w, const char *line)
{
	if (!fake_log_has(line) || !sent_info(&w->b))
		fake_log_dump();
	assert_true(fake_log_has(line));
	assert_int_equal(nsa(&w->b), 0);
	assert_true(sent_info(&w->b));
	assert_int_equal(w->b.e->stats.fail_auth, 1);
	assert_false(fake_log_has("ISAKMP-SA established 192.0.2.2"));
	/* Phase 1 installs nothing; the fake kernels saw no SA either. */
	assert_int_equal(w->a.k->nsa, 0);
	assert_int_equal(w->b.k->nsa, 0);
	/* A took the notify (Aggressive Mode: A was established). */
	assert_true(fake_log_has("phase 1 with 192.0.2.2[500]: peer refused "
				 "our authentication"));
	assert_int_equal(nsa(&w->a), 0);
	wait_ms(w, 60000);
}

/* A sends no CERT; B's peers_certfile has A's name and another key. */
static void wrong_sig(uint8_t mode)
{
	struct pki p;
	struct world *w;

	pki_new(&p);
	w = sig_world(mode, &p);
	w->a.cfg.cert.send_cert = false;
	path(w->b.cfg.cert.peer_cert, &p, "impostor_a.pem");
	assert_int_equal(initiate(w), 0);
	run(w);
	assert_refused(w, "Invalid SIG. from 192.0.2.1[500] (certificate "
		       "/O=kipsec test/CN=elmer): signature does not verify");
	free_world(w);
	pki_free(&p);
}

static void test_main_rsasig_wrong_signature(void **state)
{
	(void)state;
	wrong_sig(ISAKMP_EXCH_IDPROT);
}

static void test_aggressive_rsasig_wrong_signature(void **state)
{
	(void)state;
	wrong_sig(ISAKMP_EXCH_AGGRESSIVE);
}

static void cert_not_pinned(uint8_t mode)
{
	struct pki p;
	struct world *w;

	pki_new(&p);
	w = sig_world(mode, &p);
	path(w->b.cfg.cert.peer_cert, &p, "other.pem");
	assert_int_equal(initiate(w), 0);
	run(w);
	assert_refused(w, "phase 1 with 192.0.2.1[500]: peer certificate "
		       "mismatch: it sent /O=kipsec test/CN=elmer, "
		       "peers_certfile \"");
	assert_true(fake_log_has("other.pem\" is /O=kipsec test/CN=someone"));
	free_world(w);
	pki_free(&p);
}

static void test_main_rsasig_cert_not_peers_certfile(void **state)
{
	(void)state;
	cert_not_pinned(ISAKMP_EXCH_IDPROT);
}

static void test_aggressive_rsasig_cert_not_peers_certfile(void **state)
{
	(void)state;
	cert_not_pinned(ISAKMP_EXCH_AGGRESSIVE);
}

/* A claims a DN its certificate does not have. */
static void id_not_cert(uint8_t mode)
{
	struct pki p;
	struct world *w;

	pki_new(&p);
	w = sig_world(mode, &p);
	assert_int_equal(ike_cert_dn_from_str("O=kipsec test, CN=mallory",
					      &w->a.cfg.my_id), 0);
	assert_int_equal(initiate(w), 0);
	run(w);
	assert_refused(w, "phase 1 with 192.0.2.1[500]: ID mismatch: ID "
		       "ID_DER_ASN1_DN O = kipsec test, CN = mallory, certificate "
		       "/O=kipsec test/CN=elmer");
	free_world(w);
	pki_free(&p);
}

static void test_main_rsasig_id_not_cert(void **state)
{
	(void)state;
	id_not_cert(ISAKMP_EXCH_IDPROT);
}

static void test_aggressive_rsasig_id_not_cert(void **state)
{
	(void)state;
	id_not_cert(ISAKMP_EXCH_AGGRESSIVE);
}

/* Address IDs (no my_identifier): the certificates carry them as
 * subjectAltName IPs. */
static void test_aggressive_rsasig_address_ids(void **state)
{
	struct pki p;
	struct world *w;
	X509 *a, *b;

	(void)state;
	pki_new(&p);
	a = fx_cert("elmer", p.ka, NULL, NULL, "IP:192.0.2.1", 5, -1, 30);
	b = fx_cert("relent", p.kb, NULL, NULL, "IP:192.0.2.2", 6, -1, 30);
	fx_write_cert(p.dir, "a.pem", a, false);
	fx_write_cert(p.dir, "b.pem", b, false);
	X509_free(a);
	X509_free(b);
	w = sig_world(ISAKMP_EXCH_AGGRESSIVE, &p);
	memset(&w->a.cfg.my_id, 0, sizeof(w->a.cfg.my_id));
	memset(&w->b.cfg.my_id, 0, sizeof(w->b.cfg.my_id));
	memset(&w->a.cfg.peer_id, 0, sizeof(w->a.cfg.peer_id));
	memset(&w->b.cfg.peer_id, 0, sizeof(w->b.cfg.peer_id));
	assert_int_equal(initiate(w), 0);
	run(w);
	assert_int_equal(the_sa(&w->a)->state, V1_ESTABLISHED);
	assert_int_equal(the_sa(&w->b)->state, V1_ESTABLISHED);
	assert_int_equal(the_sa(&w->a)->peer_id.type, IPSEC_ID_IPV4_ADDR);
	assert_int_equal(fake_log_count("SIG verified"), 2);
	free_world(w);
	/* B's address is not in A's certificate: refused. */
	a = fx_cert("elmer", p.ka, NULL, NULL, "IP:192.0.2.9", 7, -1, 30);
	fx_write_cert(p.dir, "a.pem", a, false);
	X509_free(a);
	fake_log_reset();
	w = sig_world(ISAKMP_EXCH_AGGRESSIVE, &p);
	memset(&w->a.cfg.my_id, 0, sizeof(w->a.cfg.my_id));
	memset(&w->b.cfg.peer_id, 0, sizeof(w->b.cfg.peer_id));
	assert_int_equal(initiate(w), 0);
	run(w);
	assert_refused(w, "phase 1 with 192.0.2.1[500]: ID mismatch: ID "
		       "ID_IPV4_ADDR 192.0.2.1, certificate /O=kipsec "
		       "test/CN=elmer");
	free_world(w);
	pki_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_main_rsasig_seed_certs),
		cmocka_unit_test(test_aggressive_rsasig_seed_certs),
		cmocka_unit_test(test_main_rsasig_certreq),
		cmocka_unit_test(test_main_rsasig_ca),
		cmocka_unit_test(test_main_rsasig_wrong_signature),
		cmocka_unit_test(test_aggressive_rsasig_wrong_signature),
		cmocka_unit_test(test_main_rsasig_cert_not_peers_certfile),
		cmocka_unit_test(test_aggressive_rsasig_cert_not_peers_certfile),
		cmocka_unit_test(test_main_rsasig_id_not_cert),
		cmocka_unit_test(test_aggressive_rsasig_id_not_cert),
		cmocka_unit_test(test_aggressive_rsasig_address_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
