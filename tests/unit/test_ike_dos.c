// SPDX-License-Identifier: BSD-2-Clause
/*
 * The responder under attack (RFC 7296 2.6): one engine fed hand-made
 * IKE_SA_INIT requests from many source addresses. Above the cookie
 * threshold a request without our cookie gets a COOKIE notify and the
 * engine keeps nothing; the right cookie gets through; a wrong, foreign
 * or stale one is refused; the secret changes and the previous one is
 * accepted for a while; one source cannot hold more half-open SAs than
 * its limit; the logs of all this are rate-limited.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "fake_kernel.c"
#include "../../ikd/ike_int.h"	/* white-box: build proposals, timeouts */

struct resp {
	struct fake_timers t;
	struct fake_kernel *k;
	struct ike_engine *e;
	struct ike_peer_cfg cfg;
	struct ike_child_cfg ccfg;
	struct ike_dh *dh;		/* the initiators' KE (one for all) */
	uint8_t reply[512];		/* the last datagram the engine sent */
	size_t reply_len;
	unsigned int nsent;
};

/* What the engine answered to one request. */
enum answer { NONE, COOKIE, ANSWER, OTHER };

static void net_send(void *arg, const struct ikd_addr *local,
		     const struct ikd_addr *remote, const uint8_t *buf,
		     size_t len)
{
	struct resp *r = arg;

	(void)local;
	(void)remote;
	assert_true(len <= sizeof(r->reply));
	memcpy(r->reply, buf, len);
	r->reply_len = len;
	r->nsent++;
}

static const struct ike_peer_cfg *cb_peer(void *arg,
					  const struct ikd_addr *local,
					  const struct ikd_addr *remote)
{
	(void)local;
	(void)remote;
	return &((struct resp *)arg)->cfg;
}

static int cb_psk(void *arg, const struct ike_peer_cfg *peer,
		  const struct ike_id *id, const struct ikd_addr *remote,
		  uint8_t *key, size_t cap, size_t *len)
{
	(void)arg;
	(void)peer;
	(void)id;
	(void)remote;
	(void)cap;
	memcpy(key, "secret", 6);
	*len = 6;
	return 0;
}

static const struct ike_child_cfg *cb_child(void *arg,
					    const struct ike_peer_cfg *peer,
					    const struct ikd_sel *sel)
{
	(void)peer;
	(void)sel;
	return &((struct resp *)arg)->ccfg;
}

static struct resp *new_resp(uint32_t threshold, uint32_t per_source)
{
	struct resp *r = calloc(1, sizeof(*r));
	struct ike_env env = {
		.timers = NULL,
		.send = net_send,
		.peer_by_addr = cb_peer,
		.psk = cb_psk,
		.child_cfg = cb_child,
		/* Half-open SAs stay while the test turns the clock. */
		.half_open_ms = 24 * 3600 * 1000,
		.dos = { threshold, per_source },
	};

	assert_non_null(r);
	fake_timers_init(&r->t);
	fake_log_reset();
	r->k = fake_kernel_new(0xb0000000);
	env.kernel = &r->k->base;
	env.timers = &r->t.ops;
	env.arg = r;
	r->cfg.ike_version = 2;
	strcpy(r->cfg.name, "anyone");
	r->cfg.nprop = 1;
	r->cfg.prop[0].nencr = 1;
	r->cfg.prop[0].encr[0] = (struct ike_encr_alg){ IKE_ENCR_AES_GCM_16, 256 };
	r->cfg.prop[0].nprf = 1;
	r->cfg.prop[0].prf[0] = IKE_PRF_HMAC_SHA2_256;
	r->cfg.prop[0].ndh = 1;
	r->cfg.prop[0].dh[0] = IKE_DH_CURVE25519;
	r->e = ike_engine_new(&env);
	assert_non_null(r->e);
	r->dh = ike_dh_new(IKE_DH_CURVE25519);
	assert_non_null(r->dh);
	return r;
}

static void free_resp(struct resp *r)
{
	ike_engine_free(r->e);
	assert_int_equal(r->t.armed, 0);
	fake_timers_clear(&r->t);
	fake_kernel_free(r->k);
	ike_dh_free(r->dh);
	free(r);
}

static unsigned int nsas(struct resp *r)
{
	unsigned int n = 0;

	for (struct ike_sa *sa = r->e->sas; sa; sa = sa->next)
		n++;
	assert_int_equal(n, r->e->nhalf_open);	/* all of them half-open */
	return n;
}

/* An initiator's IKE_SA_INIT: [N(COOKIE)], SA, KE, Ni. */
static size_t build_init(struct resp *r, uint64_t spi, const uint8_t *cookie,
			 size_t cookie_len, uint8_t *buf, size_t cap)
{
	struct ike_proposal props[IKE_CFG_MAX_PROPOSALS];
	uint8_t pub[IKE_MAX_DH_PUB], nonce[32];
	size_t plen;
	unsigned int n;
	struct ike_wbuf w;
	struct ike_builder b;

	memset(nonce, 0x5a, sizeof(nonce));
	n = ike_prop_build_ike(&r->cfg, IKE_DH_CURVE25519, props,
			       IKE_CFG_MAX_PROPOSALS);
	assert_true(n > 0);
	assert_int_equal(ike_dh_public(r->dh, pub, sizeof(pub), &plen), 0);
	ike_wbuf_init(&w, buf, cap);
	ike_build_hdr(&b, &w, spi, 0, IKE_SA_INIT, IKE_FLAG_I, 0);
	if (cookie_len)
		ike_build_notify(&b, 0, NULL, 0, IKE_N_COOKIE, cookie,
				 cookie_len);
	ike_build_sa(&b, props, n);
	ike_build_ke(&b, IKE_DH_CURVE25519, pub, plen);
	ike_build_nonce(&b, nonce, sizeof(nonce));
	assert_int_equal(ike_build_end(&b), 0);
	return w.len;
}

/* Sends an IKE_SA_INIT from @src; a COOKIE answer's data goes to @cookie
 * (64 bytes), its length to *clen. */
static enum answer init_from(struct resp *r, const char *src, uint64_t spi,
			     const uint8_t *cookie_in, size_t cookie_in_len,
			     uint8_t *cookie, size_t *clen)
{
	struct ikd_addr local, remote;
	uint8_t buf[1024];
	size_t len = build_init(r, spi, cookie_in, cookie_in_len, buf,
				sizeof(buf));
	unsigned int before = r->nsent;
	struct ike_msg *m = calloc(1, sizeof(*m));
	const struct ike_notify_pl *n;
	enum answer a = OTHER;

	assert_non_null(m);
	assert_int_equal(ikd_addr_parse(&local, "192.0.2.2"), 0);
	assert_int_equal(ikd_addr_parse(&remote, src), 0);
	local.port = remote.port = 500;
	ike_engine_receive(r->e, &local, &remote, buf, len);
	if (r->nsent == before) {
		free(m);
		return NONE;
	}
	assert_int_equal(r->nsent, before + 1);
	assert_int_equal(ike_msg_parse(m, r->reply, r->reply_len), 0);
	assert_int_equal(m->spi_i, spi);
	n = ike_msg_notify(m, IKE_N_COOKIE);
	if (n) {
		/* stateless: no responder SPI, the cookie alone */
		assert_int_equal(m->spi_r, 0);
		assert_int_equal(m->nnotify, 1);
		assert_true(n->data.len >= 1 && n->data.len <= IKE_MAX_COOKIE);
		if (cookie) {
			memcpy(cookie, n->data.ptr, n->data.len);
			*clen = n->data.len;
		}
		a = COOKIE;
	} else if (ike_msg_has(m, IKE_PL_SA) && m->spi_r) {
		a = ANSWER;
	}
	free(m);
	return a;
}

static enum answer plain(struct resp *r, const char *src, uint64_t spi)
{
	return init_from(r, src, spi, NULL, 0, NULL, NULL);
}

static uint64_t cookies_sent(struct resp *r)
{
	struct ike_stats st;

	ike_engine_stats(r->e, &st);
	return st.cookies_sent;
}

/* Below the threshold, no cookie; above, COOKIE and nothing kept. */
static void test_cookie_above_threshold(void **state)
{
	struct resp *r = new_resp(3, 0);
	uint8_t c[64];
	size_t clen = 0;

	(void)state;
	assert_int_equal(plain(r, "198.51.100.1", 1), ANSWER);
	assert_int_equal(plain(r, "198.51.100.2", 2), ANSWER);
	assert_int_equal(plain(r, "198.51.100.3", 3), ANSWER);
	assert_int_equal(nsas(r), 3);
	assert_int_equal(cookies_sent(r), 0);
	for (unsigned int i = 0; i < 200; i++) {
		char src[32];

		snprintf(src, sizeof(src), "10.%u.%u.1", i / 250, i % 250);
		assert_int_equal(init_from(r, src, 100 + i, NULL, 0, c, &clen),
				 COOKIE);
	}
	assert_int_equal(nsas(r), 3);
	assert_int_equal(cookies_sent(r), 200);
	/* the flood is not a log flood */
	assert_true(fake_log_count("answered with COOKIE") <= 3);
	assert_true(fake_log_has("(cookie_threshold 3)"));
	/* the right cookie gets through */
	assert_int_equal(init_from(r, "10.0.199.1", 7, NULL, 0, c, &clen),
			 COOKIE);
	assert_int_equal(init_from(r, "10.0.199.1", 7, c, clen, NULL, NULL),
			 ANSWER);
	assert_int_equal(nsas(r), 4);
	/* its retransmission is recognised (hashed lookup), no second SA */
	assert_int_equal(init_from(r, "10.0.199.1", 7, c, clen, NULL, NULL),
			 ANSWER);
	assert_int_equal(nsas(r), 4);
	free_resp(r);
}

static void test_wrong_cookies_refused(void **state)
{
	struct resp *r = new_resp(1, 0);
	uint8_t c[64], c2[64];
	size_t clen = 0, c2len = 0;

	(void)state;
	assert_int_equal(plain(r, "198.51.100.1", 1), ANSWER);
	assert_int_equal(init_from(r, "203.0.113.5", 9, NULL, 0, c, &clen),
			 COOKIE);
	/* one bit off */
	c[clen - 1] ^= 1;
	assert_int_equal(init_from(r, "203.0.113.5", 9, c, clen, c2, &c2len),
			 COOKIE);
	c[clen - 1] ^= 1;
	/* another source, another SPI, a truncated cookie */
	assert_int_equal(init_from(r, "203.0.113.6", 9, c, clen, NULL, NULL),
			 COOKIE);
	assert_int_equal(init_from(r, "203.0.113.5", 10, c, clen, NULL, NULL),
			 COOKIE);
	assert_int_equal(init_from(r, "203.0.113.5", 9, c, clen - 1, NULL,
				   NULL), COOKIE);
	assert_int_equal(nsas(r), 1);
	/* the genuine one still works */
	assert_int_equal(init_from(r, "203.0.113.5", 9, c, clen, NULL, NULL),
			 ANSWER);
	assert_int_equal(nsas(r), 2);
	free_resp(r);
}

/* The secret changes every 5 minutes; the one before is accepted for 30 s
 * after the change, never later. */
static void test_secret_rotation(void **state)
{
	struct resp *r = new_resp(1, 0);
	uint8_t c[64], cb[64], c2[64], c3[64];
	size_t clen = 0, cblen = 0, c2len = 0, c3len = 0;

	(void)state;
	assert_int_equal(plain(r, "198.51.100.1", 1), ANSWER);
	assert_int_equal(init_from(r, "203.0.113.5", 9, NULL, 0, c, &clen),
			 COOKIE);
	assert_int_equal(init_from(r, "203.0.113.8", 12, NULL, 0, cb, &cblen),
			 COOKIE);
	/* 5 minutes on: a new secret, another version */
	fake_timers_advance(&r->t, 5 * 60 * 1000);
	assert_int_equal(init_from(r, "203.0.113.7", 11, NULL, 0, c2, &c2len),
			 COOKIE);
	assert_int_not_equal(c2[0], c[0]);
	/* the old cookie is still good within 30 s of the change ... */
	fake_timers_advance(&r->t, 29 * 1000);
	assert_int_equal(init_from(r, "203.0.113.5", 9, c, clen, NULL, NULL),
			 ANSWER);
	/* ... and refused after: a cookie of the new secret is given */
	fake_timers_advance(&r->t, 2 * 1000);
	assert_int_equal(init_from(r, "203.0.113.8", 12, cb, cblen, c3, &c3len),
			 COOKIE);
	assert_int_equal(c3[0], c2[0]);
	assert_int_equal(init_from(r, "203.0.113.7", 11, c2, c2len, NULL, NULL),
			 ANSWER);
	/* long idle: at the next change the previous secret goes too */
	assert_int_equal(init_from(r, "203.0.113.9", 13, NULL, 0, c3, &c3len),
			 COOKIE);
	fake_timers_advance(&r->t, 6 * 60 * 1000);
	assert_int_equal(init_from(r, "203.0.113.9", 13, c3, c3len, NULL, NULL),
			 COOKIE);
	assert_int_equal(nsas(r), 3);
	free_resp(r);
}

/* One source gets half_open_per_source half-open SAs, no more; others
 * are not affected; once one completes or times out, it may start
 * another. */
static void test_per_source_limit(void **state)
{
	struct resp *r = new_resp(100, 2);
	uint8_t c[64];
	size_t clen = 0;

	(void)state;
	assert_int_equal(plain(r, "198.51.100.1", 1), ANSWER);
	assert_int_equal(plain(r, "198.51.100.1", 2), ANSWER);
	for (uint64_t spi = 3; spi < 50; spi++)
		assert_int_equal(plain(r, "198.51.100.1", spi), NONE);
	assert_int_equal(nsas(r), 2);
	assert_true(fake_log_has("IKE_SA_INIT from 198.51.100.1 dropped: it "
				 "has 2 half-open IKE SAs (half_open_per_source "
				 "2 reached)"));
	assert_true(fake_log_count("half_open_per_source 2 reached") <= 3);
	/* a retransmission of an SA it has is still answered */
	assert_int_equal(plain(r, "198.51.100.1", 2), ANSWER);
	/* others are not affected */
	assert_int_equal(plain(r, "198.51.100.2", 1), ANSWER);
	assert_int_equal(plain(r, "2001:db8::1", 1), ANSWER);
	assert_int_equal(nsas(r), 4);
	/* with a cookie too: a proven address is limited all the same */
	ike_engine_set_dos_limits(r->e, &(struct ike_dos_limits){ 1, 2 });
	assert_int_equal(init_from(r, "198.51.100.1", 60, NULL, 0, c, &clen),
			 COOKIE);
	assert_int_equal(init_from(r, "198.51.100.1", 60, c, clen, NULL, NULL),
			 NONE);
	assert_int_equal(nsas(r), 4);
	/* the rate-limited log says, later, how much it left out */
	fake_timers_advance(&r->t, 11 * 1000);
	assert_int_equal(plain(r, "198.51.100.1", 61), COOKIE);
	assert_int_equal(init_from(r, "198.51.100.1", 62, NULL, 0, c, &clen),
			 COOKIE);
	assert_int_equal(init_from(r, "198.51.100.1", 62, c, clen, NULL, NULL),
			 NONE);
	assert_true(fake_log_has("more messages like \"half_open_per_source "
				 "reached\""));
	free_resp(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cookie_above_threshold),
		cmocka_unit_test(test_wrong_cookies_refused),
		cmocka_unit_test(test_secret_rotation),
		cmocka_unit_test(test_per_source_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
