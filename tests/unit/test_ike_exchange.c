// SPDX-License-Identifier: BSD-2-Clause
/*
 * Two IKE engines in one process (strongSwan's exchange tests are the
 * model): A and B talk through an in-memory network the test controls
 * (drop, duplicate, reorder), each with a fake kernel behind the seam and
 * one fake clock. Every case ends in concrete assertions on both kernels,
 * the engines' SAs and their logs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/ipsec.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "fake_kernel.c"
#include "cert_fixture.c"
#include "../../ikd/ike.h"
#include "../../ikd/ike_int.h"	/* white-box: to put message IDs out of step */

#define QMAX	256

struct pkt {
	struct ikd_addr from, to;
	size_t len;
	uint8_t data[];
};

struct world;

struct peer {
	const char *name;
	struct world *w;
	struct ike_engine *e;
	struct fake_kernel *k;
	struct ikd_addr addr;
	struct ike_peer_cfg cfg;
	struct ike_child_cfg ccfg;
	char psk[64];
	bool no_peer_cfg;
	unsigned int sent, sent_init;
};

enum fate { DELIVER, DROP, DUPLICATE };

struct world {
	struct fake_timers t;
	struct peer a, b;
	struct pkt *q[QMAX];
	unsigned int nq;
	unsigned int npkt;		/* datagrams sent so far */
	uint64_t drop_mask, dup_mask;	/* by datagram number (< 64) */
	bool b_dead;			/* everything to B is lost */
	bool reorder;			/* deliver the queue back to front */
	bool cookie;			/* B "asks" for a cookie once */
	uint8_t proto;			/* of the policies: ESP, or AH */
	uint8_t *last_init;		/* the last IKE_SA_INIT request sent */
	/* A path that drops IP fragments: datagrams longer than this are
	 * lost (0: none), and counted. */
	size_t mtu;
	unsigned int mtu_drops;
};

/* --- the network -------------------------------------------------------- */

/* IKE_DUMP_DIR=dir writes every datagram to dir/N.bin: the seeds of
 * tests/fuzz/corpus/ike_msg were made this way. */
static void dump(const uint8_t *buf, size_t len)
{
	static unsigned int n;
	const char *dir = getenv("IKE_DUMP_DIR");
	char path[512];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%u.bin", dir, n++);
	f = fopen(path, "w");
	if (f) {
		fwrite(buf, 1, len, f);
		fclose(f);
	}
}

static void net_send(void *arg, const struct ikd_addr *local,
		     const struct ikd_addr *remote, const uint8_t *buf,
		     size_t len)
{
	struct peer *p = arg;
	struct world *w = p->w;
	struct pkt *k;

	assert_true(len >= 28);
	p->sent++;
	if (buf[18] == 34 && !(buf[19] & 0x20)) {	/* IKE_SA_INIT request */
		p->sent_init++;
		free(w->last_init);
		w->last_init = malloc(len);
		assert_non_null(w->last_init);
		memcpy(w->last_init, buf, len);
	}
	assert_true(w->nq < QMAX);
	dump(buf, len);
	k = malloc(sizeof(*k) + len);
	assert_non_null(k);
	k->from = *local;
	k->to = *remote;
	k->len = len;
	memcpy(k->data, buf, len);
	w->q[w->nq++] = k;
}

static struct peer *peer_at(struct world *w, const struct ikd_addr *a)
{
	if (ikd_addr_eq_noport(a, &w->a.addr))
		return &w->a;
	if (ikd_addr_eq_noport(a, &w->b.addr))
		return &w->b;
	fail_msg("datagram to an unknown address");
	return NULL;
}

/* Answers A's IKE_SA_INIT in B's place with a COOKIE notify (2.6), as
 * a responder under load would; A must resend with the cookie first. */
static bool ask_cookie(struct world *w, struct pkt *k)
{
	static const uint8_t cookie[] = "0123456789abcdef-cookie";
	uint8_t buf[128];
	struct ike_wbuf wb;
	struct ike_builder b;

	if (!w->cookie || k->data[18] != IKE_SA_INIT || (k->data[19] & IKE_FLAG_R))
		return false;
	w->cookie = false;
	ike_wbuf_init(&wb, buf, sizeof(buf));
	ike_build_hdr(&b, &wb, ike_be64(k->data), 0, IKE_SA_INIT, IKE_FLAG_R, 0);
	ike_build_notify(&b, 0, NULL, 0, IKE_N_COOKIE, cookie, sizeof(cookie) - 1);
	assert_int_equal(ike_build_end(&b), 0);
	ike_engine_receive(w->a.e, &k->from, &k->to, buf, wb.len);
	return true;
}

static void deliver(struct world *w, struct pkt *k)
{
	struct peer *to = peer_at(w, &k->to);
	unsigned int n = w->npkt++;
	enum fate f = DELIVER;

	if (to == &w->b && ask_cookie(w, k)) {
		free(k);
		return;
	}

	if (n < 64 && (w->drop_mask >> n) & 1)
		f = DROP;
	else if (n < 64 && (w->dup_mask >> n) & 1)
		f = DUPLICATE;
	if (to == &w->b && w->b_dead)
		f = DROP;
	if (w->mtu && k->len > w->mtu) {
		w->mtu_drops++;
		f = DROP;
	}
	if (f != DROP)
		ike_engine_receive(to->e, &k->to, &k->from, k->data, k->len);
	if (f == DUPLICATE)
		ike_engine_receive(to->e, &k->to, &k->from, k->data, k->len);
	free(k);
}

/* Delivers until the network is quiet. */
static void run(struct world *w)
{
	for (unsigned int rounds = 0; w->nq && rounds < 1000; rounds++) {
		struct pkt *k;

		if (w->reorder) {
			k = w->q[--w->nq];
		} else {
			k = w->q[0];
			memmove(w->q, w->q + 1, --w->nq * sizeof(w->q[0]));
		}
		deliver(w, k);
	}
	assert_int_equal(w->nq, 0);
}

/* Advances the clock by ms, delivering what timers send on the way. */
static void wait_ms(struct world *w, uint64_t ms)
{
	while (ms) {
		uint64_t step = fake_timers_next(&w->t);

		if (step > ms)
			step = ms;
		fake_timers_advance(&w->t, step);
		ms -= step;
		run(w);
	}
}

/* --- configuration callbacks -------------------------------------------- */

static const struct ike_peer_cfg *cb_peer(void *arg,
					  const struct ikd_addr *local,
					  const struct ikd_addr *remote)
{
	struct peer *p = arg;

	(void)local;
	(void)remote;
	return p->no_peer_cfg ? NULL : &p->cfg;
}

static int cb_psk(void *arg, const struct ike_peer_cfg *peer,
		  const struct ike_id *id, const struct ikd_addr *remote,
		  uint8_t *key, size_t cap, size_t *len)
{
	struct peer *p = arg;

	(void)peer;
	(void)id;
	(void)remote;
	*len = strlen(p->psk);
	if (!*len || *len > cap)
		return -ENOENT;
	memcpy(key, p->psk, *len);
	return 0;
}

static const struct ike_child_cfg *cb_child(void *arg,
					    const struct ike_peer_cfg *peer,
					    const struct ikd_sel *sel)
{
	struct peer *p = arg;

	(void)peer;
	(void)sel;
	return &p->ccfg;
}

/* --- set-up ------------------------------------------------------------- */

static void addr(struct ikd_addr *a, const char *s)
{
	assert_int_equal(ikd_addr_parse(a, s), 0);
}

static void fqdn(struct ike_id *id, const char *s)
{
	id->type = IKE_ID_FQDN;
	id->len = (uint16_t)strlen(s);
	memcpy(id->data, s, id->len);
}

/* The default proposals: AES-GCM-16-256 with X25519 first, AES-CBC-128
 * with HMAC-SHA2-256 and MODP-2048 second. */
static void default_cfg(struct peer *p, const struct peer *other)
{
	struct ike_peer_cfg *c = &p->cfg;
	struct ike_child_cfg *cc = &p->ccfg;

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "to-%s", other->name);
	c->ike_version = 2;
	c->local = p->addr;
	c->remote = other->addr;
	fqdn(&c->my_id, p->name[0] == 'A' ? "a.example.org" : "b.example.org");
	c->nprop = 2;
	c->prop[0].nencr = 1;
	c->prop[0].encr[0] = (struct ike_encr_alg){ IKE_ENCR_AES_GCM_16, 256 };
	c->prop[0].nprf = 1;
	c->prop[0].prf[0] = IKE_PRF_HMAC_SHA2_256;
	c->prop[0].ndh = 1;
	c->prop[0].dh[0] = IKE_DH_CURVE25519;
	c->prop[1].nencr = 1;
	c->prop[1].encr[0] = (struct ike_encr_alg){ IKE_ENCR_AES_CBC, 128 };
	c->prop[1].nprf = 1;
	c->prop[1].prf[0] = IKE_PRF_HMAC_SHA2_256;
	c->prop[1].ninteg = 1;
	c->prop[1].integ[0] = IKE_AUTH_HMAC_SHA2_256_128;
	c->prop[1].ndh = 1;
	c->prop[1].dh[0] = IKE_DH_MODP2048;
	c->retrans.counter = 3;
	c->retrans.interval_ms = 1000;
	c->initial_contact = true;

	memset(cc, 0, sizeof(*cc));
	cc->nprop = 2;
	cc->prop[0].proto = IKE_PROTO_ESP;
	cc->prop[0].nencr = 1;
	cc->prop[0].encr[0] = (struct ike_encr_alg){ IKE_ENCR_AES_GCM_16, 256 };
	cc->prop[0].nesn = 2;
	cc->prop[0].esn[0] = IKE_ESN_YES;
	cc->prop[0].esn[1] = IKE_ESN_NO;
	cc->prop[1].proto = IKE_PROTO_ESP;
	cc->prop[1].nencr = 1;
	cc->prop[1].encr[0] = (struct ike_encr_alg){ IKE_ENCR_AES_CBC, 128 };
	cc->prop[1].ninteg = 1;
	cc->prop[1].integ[0] = IKE_AUTH_HMAC_SHA2_256_128;
	cc->soft_secs = 2880;
	cc->hard_secs = 3600;
	cc->soft_bytes = 1000000;
	cc->hard_bytes = 2000000;
	cc->replay_window = 64;
	strcpy(p->psk, "correct horse battery staple");
}

static void start_peer(struct world *w, struct peer *p)
{
	struct ike_env env = {
		.kernel = &p->k->base,
		.timers = &w->t.ops,
		.arg = p,
		.send = net_send,
		.peer_by_addr = cb_peer,
		.psk = cb_psk,
		.child_cfg = cb_child,
	};

	p->e = ike_engine_new(&env);
	assert_non_null(p->e);
}

static struct world *new_world(bool v6)
{
	struct world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	fake_timers_init(&w->t);
	fake_log_reset();
	w->proto = IPPROTO_ESP;
	w->a.name = "A";
	w->b.name = "B";
	w->a.w = w->b.w = w;
	addr(&w->a.addr, v6 ? "2001:db8::a" : "192.0.2.1");
	addr(&w->b.addr, v6 ? "2001:db8::b" : "192.0.2.2");
	w->a.addr.port = w->b.addr.port = 500;
	w->a.k = fake_kernel_new(0xa0000000);
	w->b.k = fake_kernel_new(0xb0000000);
	default_cfg(&w->a, &w->b);
	default_cfg(&w->b, &w->a);
	return w;
}

static void start(struct world *w)
{
	start_peer(w, &w->a);
	start_peer(w, &w->b);
}

static void free_world(struct world *w)
{
	ike_engine_free(w->a.e);
	ike_engine_free(w->b.e);
	while (w->nq)
		free(w->q[--w->nq]);
	/* Nothing may stay armed once both engines are gone. */
	assert_int_equal(w->t.armed, 0);
	fake_timers_clear(&w->t);
	fake_kernel_free(w->a.k);
	fake_kernel_free(w->b.k);
	free(w->last_init);
	free(w);
}

/* A's outbound policy from its net to B's, as setkey would have it, and
 * the matching one in B's SPD; returns the ACQUIRE for it. */
struct nets {
	const char *a_net, *b_net;
	uint8_t a_plen, b_plen;
	const char *a_host, *b_host;	/* the packet that hit the policy */
};

static const struct nets nets4 = { "10.1.0.0", "10.2.0.0", 16, 16,
				   "10.1.0.5", "10.2.0.9" };
static const struct nets nets6 = { "2001:db8:1::", "2001:db8:2::", 48, 48,
				   "2001:db8:1::5", "2001:db8:2::9" };

static struct ikd_kernel_policy policy(const struct peer *from,
				       const struct peer *to, const char *src,
				       uint8_t splen, const char *dst,
				       uint8_t dplen, uint8_t mode)
{
	struct ikd_kernel_policy p = { 0 };

	p.dir = IKD_DIR_OUT;
	p.action = IPSEC_POLICY_IPSEC;
	addr(&p.sel.src, src);
	addr(&p.sel.dst, dst);
	p.sel.src_plen = splen;
	p.sel.dst_plen = dplen;
	p.sel.proto = 255;
	p.nreqs = 1;
	p.req[0].proto = from->w->proto;
	p.req[0].mode = mode;
	p.req[0].level = IPSEC_LEVEL_REQUIRE;
	if (mode == IKD_MODE_TUNNEL) {
		p.req[0].tsrc = from->addr;
		p.req[0].tdst = to->addr;
		p.req[0].tsrc.port = p.req[0].tdst.port = 0;
	}
	return p;
}

static struct ikd_acquire setup_policies(struct world *w, const struct nets *n,
					 uint8_t mode)
{
	struct ikd_acquire acq = { 0 };
	const char *an = n->a_net, *bn = n->b_net;
	uint8_t ap = n->a_plen, bp = n->b_plen;
	char ab[64], bb[64];

	if (mode == IKD_MODE_TRANSPORT) {
		/* Transport: the hosts themselves. */
		ikd_addr_str(&w->a.addr, false, ab);
		ikd_addr_str(&w->b.addr, false, bb);
		an = ab;
		bn = bb;
		ap = bp = (uint8_t)ikd_addr_bits(w->a.addr.family);
	}
	acq.pol = policy(&w->a, &w->b, an, ap, bn, bp, mode);
	acq.pol.id = fake_kernel_add_policy(w->a.k, &acq.pol);
	{
		struct ikd_kernel_policy pb = policy(&w->b, &w->a, bn, bp, an,
						     ap, mode);

		fake_kernel_add_policy(w->b.k, &pb);
	}
	acq.seq = 77;
	acq.proto = w->proto;
	acq.mode = mode;
	acq.src = w->a.addr;
	acq.dst = w->b.addr;
	acq.src.port = acq.dst.port = 0;
	if (mode == IKD_MODE_TUNNEL) {
		addr(&acq.flow.src, n->a_host);
		addr(&acq.flow.dst, n->b_host);
		acq.flow.src_plen = acq.flow.dst_plen =
			(uint8_t)ikd_addr_bits(acq.flow.src.family);
		acq.flow.proto = 1;
	}
	return acq;
}

/* --- what both sides hold ------------------------------------------------ */

static int count_sa(void *arg, const struct ike_sa_info *si)
{
	unsigned int *n = arg;

	(void)si;
	if (!strcmp(si->state, "established"))
		n[0]++;
	n[1]++;
	return 0;
}

static int count_child(void *arg, const struct ike_child_info *ci)
{
	unsigned int *n = arg;

	n[2] += !strcmp(ci->state, "installed");
	return 0;
}

/* [established IKE SAs, IKE SAs, installed child SAs] */
static void counts(struct peer *p, unsigned int out[3])
{
	out[0] = out[1] = out[2] = 0;
	assert_int_equal(ike_engine_foreach(p->e, count_sa, count_child, out), 0);
}

static void expect_counts(struct peer *p, unsigned int est, unsigned int all,
			  unsigned int children)
{
	unsigned int n[3];

	counts(p, n);
	if (n[0] != est || n[1] != all || n[2] != children) {
		fake_log_dump();
		fail_msg("%s: %u/%u IKE SAs established, %u children; want "
			 "%u/%u, %u", p->name, n[0], n[1], n[2], est, all,
			 children);
	}
}

static struct fake_sa *sa_to(struct peer *p, const struct peer *dst)
{
	for (unsigned int i = 0; i < p->k->nsa; i++)
		if (ikd_addr_eq_noport(&p->k->sad[i].sa.dst, &dst->addr))
			return &p->k->sad[i];
	return NULL;
}

/* A and B hold exactly one pair of SAs that match crosswise. */
static void check_pair(struct world *w, uint8_t mode, uint16_t encr,
		       uint16_t integ, bool esn)
{
	struct fake_sa *ao = sa_to(&w->a, &w->b), *ai = sa_to(&w->a, &w->a);
	struct fake_sa *bo = sa_to(&w->b, &w->a), *bi = sa_to(&w->b, &w->b);

	assert_int_equal(fake_kernel_count(w->a.k, true), 2);
	assert_int_equal(fake_kernel_count(w->b.k, true), 2);
	assert_non_null(ao);
	assert_non_null(ai);
	assert_non_null(bo);
	assert_non_null(bi);
	assert_false(ai->larval || bi->larval);
	/* SPIs: each side's outbound is the other's inbound */
	assert_int_equal(ao->sa.spi, bi->sa.spi);
	assert_int_equal(bo->sa.spi, ai->sa.spi);
	assert_int_equal(ntohl(ai->sa.spi) >> 28, 0xa);
	assert_int_equal(ntohl(bi->sa.spi) >> 28, 0xb);
	/* keys crosswise, and the two directions differ */
	assert_int_equal(ao->sa.enc_key_len, bi->sa.enc_key_len);
	assert_memory_equal(ao->enc_key, bi->enc_key, ao->sa.enc_key_len);
	assert_memory_equal(bo->enc_key, ai->enc_key, bo->sa.enc_key_len);
	assert_int_equal(ao->sa.auth_key_len, bi->sa.auth_key_len);
	assert_memory_equal(ao->auth_key, bi->auth_key, ao->sa.auth_key_len);
	assert_memory_equal(bo->auth_key, ai->auth_key, bo->sa.auth_key_len);
	if (w->proto == IPPROTO_AH)
		assert_memory_not_equal(ao->auth_key, ai->auth_key,
					ao->sa.auth_key_len);
	else
		assert_memory_not_equal(ao->enc_key, ai->enc_key,
					ao->sa.enc_key_len);
	for (int i = 0; i < 4; i++) {
		struct fake_sa *s = i == 0 ? ao : i == 1 ? ai : i == 2 ? bo : bi;

		assert_int_equal(s->sa.proto, w->proto);
		assert_int_equal(s->sa.mode, mode);
		assert_int_equal(s->sa.encr, encr);
		assert_int_equal(s->sa.integ, integ);
		assert_int_equal(s->sa.esn, esn);
		assert_int_equal(s->sa.soft_secs, 2880);
		assert_int_equal(s->sa.hard_secs, 3600);
		assert_int_equal(s->sa.soft_bytes, 1000000);
		assert_int_equal(s->sa.hard_bytes, 2000000);
		assert_int_equal(s->sa.replay_window, 64);
		assert_int_equal(s->sa.src.port, 0);
		assert_int_not_equal(s->sa.reqid, 0);
	}
	assert_int_equal(ao->sa.reqid, ai->sa.reqid);
	assert_int_equal(bo->sa.reqid, bi->sa.reqid);
	if (w->proto == IPPROTO_AH) {
		assert_int_equal(ao->sa.enc_key_len, 0);
		assert_int_equal(ao->sa.auth_key_len, 64);
	} else if (encr == IKE_ENCR_AES_GCM_16 ||
		   encr == IKE_ENCR_CHACHA20_POLY1305) {
		assert_int_equal(ao->sa.enc_key_len, 36);	/* with salt */
		assert_int_equal(ao->sa.auth_key_len, 0);
	} else {
		assert_int_equal(ao->sa.auth_key_len,
				 integ == IKE_AUTH_HMAC_SHA1_96 ? 20 : 32);
	}
	/* make before break: getspi, then inbound, then outbound */
	for (int i = 0; i < 2; i++) {
		struct fake_kernel *k = i ? w->b.k : w->a.k;
		struct fake_sa *in = i ? bi : ai, *out = i ? bo : ao;
		int g = fake_kernel_call_index(k, FK_GETSPI, in->sa.spi);
		int u = fake_kernel_call_index(k, FK_UPDATE, in->sa.spi);
		int a = fake_kernel_call_index(k, FK_ADD, out->sa.spi);

		assert_true(g >= 0 && u > g && a > u);
	}
	/* the ACQUIRE's sequence number went back with A's getspi */
	assert_int_equal(ai->sa.seq, 77);
}

/* --- the cases ---------------------------------------------------------- */

static void establish(struct world *w, const struct nets *n, uint8_t mode)
{
	struct ikd_acquire acq = setup_policies(w, n, mode);

	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg), 0);
	run(w);
}

static void test_tunnel_v4_gcm_x25519(void **state)
{
	struct world *w = new_world(false);
	struct fake_sa *ao;
	char a[64], b[64];

	(void)state;
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	check_pair(w, IKD_MODE_TUNNEL, IKE_ENCR_AES_GCM_16, 0, true);
	expect_counts(&w->a, 1, 1, 1);
	expect_counts(&w->b, 1, 1, 1);
	/* the whole policy, not only the packet's hosts */
	ao = sa_to(&w->a, &w->b);
	assert_string_equal(ikd_addr_str(&ao->sa.sel.src, false, a), "10.1.0.0");
	assert_int_equal(ao->sa.sel.src_plen, 16);
	assert_string_equal(ikd_addr_str(&ao->sa.sel.dst, false, b), "10.2.0.0");
	assert_int_equal(ao->sa.sel.dst_plen, 16);
	assert_true(fake_log_has("IKE_SA established 192.0.2.1[500]-192.0.2.2[500]"));
	assert_true(fake_log_has("aes-gcm-16-256/prf-hmac-sha2-256/curve25519"));
	assert_true(fake_log_has("CHILD_SA established: ESP/Tunnel 192.0.2.1->192.0.2.2 spi="));
	assert_true(fake_log_has("CHILD_SA established: ESP/Tunnel 192.0.2.2->192.0.2.1 spi="));
	/* four messages: IKE_SA_INIT and IKE_AUTH, no retransmission */
	assert_int_equal(w->npkt, 4);
	free_world(w);
}

static void test_transport_v6_cbc_modp(void **state)
{
	struct world *w = new_world(true);

	(void)state;
	/* B accepts only AES-CBC-128/HMAC-SHA2-256/MODP-2048 */
	w->b.cfg.prop[0] = w->b.cfg.prop[1];
	w->b.cfg.nprop = 1;
	w->b.ccfg.prop[0] = w->b.ccfg.prop[1];
	w->b.ccfg.nprop = 1;
	start(w);
	establish(w, &nets6, IKD_MODE_TRANSPORT);
	check_pair(w, IKD_MODE_TRANSPORT, IKE_ENCR_AES_CBC,
		   IKE_AUTH_HMAC_SHA2_256_128, false);
	assert_true(fake_log_has("aes-cbc-128/hmac-sha2-256-128/prf-hmac-sha2-256/modp2048"));
	assert_true(fake_log_has("CHILD_SA established: ESP/Transport 2001:db8::a->2001:db8::b"));
	/* A's first KE (X25519) was refused with INVALID_KE_PAYLOAD: A
	 * retried once, with the group B asked for */
	assert_int_equal(w->a.sent_init, 2);
	assert_true(fake_log_has("wants DH group 14 instead of 31: retrying"));
	free_world(w);
}

static void test_wrong_psk(void **state)
{
	struct world *w = new_world(false);
	struct ike_stats st;

	(void)state;
	strcpy(w->b.psk, "a different secret");
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	/* B refused A's AUTH; A heard AUTHENTICATION_FAILED */
	assert_true(fake_log_has("authentication failed: peer 192.0.2.1 "
				 "(ID_FQDN a.example.org, remote \"to-A\"), "
				 "pre-shared key: AUTH payload does not verify"));
	assert_true(fake_log_has("192.0.2.2 refused our authentication "
				 "(ID_FQDN a.example.org, pre-shared key, "
				 "remote \"to-B\"): AUTHENTICATION_FAILED"));
	/* nothing installed, larval SA gone, no IKE SA left */
	assert_int_equal(fake_kernel_count(w->a.k, true), 0);
	assert_int_equal(fake_kernel_count(w->b.k, true), 0);
	assert_int_equal(fake_kernel_ncalls(w->a.k, FK_GETSPI), 1);
	assert_int_equal(fake_kernel_ncalls(w->a.k, FK_DEL), 1);
	assert_int_equal(fake_kernel_ncalls(w->b.k, FK_GETSPI), 0);
	expect_counts(&w->a, 0, 0, 0);
	expect_counts(&w->b, 0, 0, 0);
	ike_engine_stats(w->a.e, &st);
	assert_int_equal(st.ike_failed, 1);
	assert_int_equal(st.fail_auth, 1);
	ike_engine_stats(w->b.e, &st);
	assert_int_equal(st.ike_failed, 1);
	assert_int_equal(st.fail_auth, 1);
	/* by exchange: B answered one IKE_SA_INIT and one IKE_AUTH */
	assert_int_equal(st.rx_exchange[0], 1);
	assert_int_equal(st.rx_exchange[1], 1);
	assert_int_equal(st.tx_exchange[1], 1);
	/* the secret appears nowhere in the log */
	assert_false(fake_log_has("correct horse"));
	assert_false(fake_log_has("different secret"));
	free_world(w);
}

static void test_no_proposal_chosen(void **state)
{
	struct world *w = new_world(false);

	(void)state;
	/* A offers only AES-GCM/X25519, B accepts only AES-CBC/MODP */
	w->a.cfg.nprop = 1;
	w->b.cfg.prop[0] = w->b.cfg.prop[1];
	w->b.cfg.nprop = 1;
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	assert_true(fake_log_has("no proposal chosen for 192.0.2.1[500] "
				 "(remote \"to-A\"): peer offered "
				 "[aes-gcm-16-256/prf-hmac-sha2-256/curve25519]; "
				 "we accept [aes-cbc-128/hmac-sha2-256-128/"
				 "prf-hmac-sha2-256/modp2048]"));
	assert_true(fake_log_has("no proposal chosen: 192.0.2.2[500] refused "
				 "our IKE proposals "
				 "[aes-gcm-16-256/prf-hmac-sha2-256/curve25519]"));
	expect_counts(&w->a, 0, 0, 0);
	expect_counts(&w->b, 0, 0, 0);
	assert_int_equal(fake_kernel_count(w->a.k, true), 0);
	assert_int_equal(w->npkt, 2);
	{
		struct ike_stats sa, sb;

		ike_engine_stats(w->a.e, &sa);
		ike_engine_stats(w->b.e, &sb);
		assert_int_equal(sa.fail_no_proposal, 1);
		assert_int_equal(sb.fail_no_proposal, 1);
		assert_int_equal(sa.tx_exchange[0], 1);
		assert_int_equal(sb.tx_exchange[0], 1);
	}
	free_world(w);
}

static void test_child_no_proposal_keeps_ike_sa(void **state)
{
	struct world *w = new_world(false);

	(void)state;
	/* IKE agrees; ESP does not: A wants only GCM, B only CBC */
	w->a.ccfg.nprop = 1;
	w->b.ccfg.prop[0] = w->b.ccfg.prop[1];
	w->b.ccfg.nprop = 1;
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	assert_true(fake_log_has("no proposal chosen for CHILD_SA with to-A: "
				 "peer offered [ESP:aes-gcm-16-256/esn/noesn]; "
				 "we accept [ESP:aes-cbc-128/hmac-sha2-256-128/noesn]"));
	assert_true(fake_log_has("peer answered NO_PROPOSAL_CHOSEN"));
	/* 2.21.3: the IKE SA stays up without the child */
	expect_counts(&w->a, 1, 1, 0);
	expect_counts(&w->b, 1, 1, 0);
	assert_int_equal(fake_kernel_count(w->a.k, true), 0);
	assert_int_equal(fake_kernel_count(w->b.k, true), 0);
	free_world(w);
}

static void test_ts_narrowing(void **state)
{
	struct world *w = new_world(false);
	struct ikd_acquire acq;
	struct ikd_kernel_policy pb;
	struct fake_sa *ao, *bi;
	char s[64];

	(void)state;
	start(w);
	/* A's policy covers 10.1/16 -> 10.2/16; B's SPD only the /24s in
	 * it, and a non-matching one first. */
	acq = setup_policies(w, &(struct nets){ "10.1.0.0", "10.2.0.0", 16, 16,
						"10.1.1.5", "10.2.1.9" },
			     IKD_MODE_TUNNEL);
	w->b.k->npol = 0;
	pb = policy(&w->b, &w->a, "172.16.0.0", 12, "10.1.0.0", 16,
		    IKD_MODE_TUNNEL);
	fake_kernel_add_policy(w->b.k, &pb);
	pb = policy(&w->b, &w->a, "10.2.1.0", 24, "10.1.1.0", 24,
		    IKD_MODE_TUNNEL);
	pb.req[0].level = IPSEC_LEVEL_UNIQUE;
	pb.req[0].reqid = 4242;
	fake_kernel_add_policy(w->b.k, &pb);
	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg), 0);
	run(w);
	check_pair(w, IKD_MODE_TUNNEL, IKE_ENCR_AES_GCM_16, 0, true);
	ao = sa_to(&w->a, &w->b);
	assert_string_equal(ikd_addr_str(&ao->sa.sel.src, false, s), "10.1.1.0");
	assert_int_equal(ao->sa.sel.src_plen, 24);
	assert_string_equal(ikd_addr_str(&ao->sa.sel.dst, false, s), "10.2.1.0");
	assert_int_equal(ao->sa.sel.dst_plen, 24);
	/* B took its policy's unique reqid */
	bi = sa_to(&w->b, &w->b);
	assert_int_equal(bi->sa.reqid, 4242);
	assert_string_equal(ikd_addr_str(&bi->sa.sel.src, false, s), "10.1.1.0");
	free_world(w);
}

/* A unique-level policy pair of setkey's `unique` without a number: the
 * out and in policies have reqids of their own. @p is the out policy in
 * @k; its mirror goes in as the in policy, with @reqid + 1. */
static void unique_pair(struct peer *p, const struct peer *peer,
			struct ikd_kernel_policy *out, uint32_t reqid)
{
	struct ikd_kernel_policy in;
	char src[64], dst[64];

	out->req[0].level = IPSEC_LEVEL_UNIQUE;
	out->req[0].reqid = reqid;
	ikd_addr_str(&out->sel.dst, false, src);
	ikd_addr_str(&out->sel.src, false, dst);
	in = policy(peer, p, src, out->sel.dst_plen, dst, out->sel.src_plen,
		    out->req[0].mode);
	in.dir = IKD_DIR_IN;
	in.req[0].level = IPSEC_LEVEL_UNIQUE;
	in.req[0].reqid = reqid + 1;
	fake_kernel_add_policy(p->k, &in);
}

/* The kernel checks an inbound SA against the inbound policy's reqid:
 * each side's inbound SA takes it, its outbound SA the out policy's
 * (racoon's reqid_in; IKEv1's Quick Mode does the same). */
static void test_unique_in_reqid(void **state)
{
	struct world *w = new_world(false);
	struct ikd_acquire acq;

	(void)state;
	start(w);
	acq = setup_policies(w, &nets4, IKD_MODE_TUNNEL);
	acq.pol.req[0].level = IPSEC_LEVEL_UNIQUE;
	acq.pol.req[0].reqid = 100;
	unique_pair(&w->a, &w->b, &w->a.k->spd[0], 100);
	unique_pair(&w->b, &w->a, &w->b.k->spd[0], 200);
	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg), 0);
	run(w);
	/* check_pair() would want one reqid per side */
	assert_int_equal(fake_kernel_count(w->a.k, true), 2);
	assert_int_equal(fake_kernel_count(w->b.k, true), 2);
	assert_int_equal(sa_to(&w->a, &w->b)->sa.spi,
			 sa_to(&w->b, &w->b)->sa.spi);
	assert_int_equal(sa_to(&w->a, &w->b)->sa.reqid, 100);
	assert_int_equal(sa_to(&w->a, &w->a)->sa.reqid, 101);
	assert_int_equal(sa_to(&w->b, &w->a)->sa.reqid, 200);
	assert_int_equal(sa_to(&w->b, &w->b)->sa.reqid, 201);
	free_world(w);
}

static void test_ts_unacceptable(void **state)
{
	struct world *w = new_world(false);
	struct ikd_acquire acq;
	struct ikd_kernel_policy pb;

	(void)state;
	start(w);
	acq = setup_policies(w, &nets4, IKD_MODE_TUNNEL);
	w->b.k->npol = 0;
	pb = policy(&w->b, &w->a, "192.168.0.0", 16, "10.9.0.0", 16,
		    IKD_MODE_TUNNEL);
	fake_kernel_add_policy(w->b.k, &pb);
	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg), 0);
	run(w);
	assert_true(fake_log_has("TS_UNACCEPTABLE for 192.0.2.1 (ESP Tunnel): "
				 "peer proposed TSi=[10.1.0.5/32 icmp, 10.1.0.0/16] "
				 "TSr=[10.2.0.9/32 icmp, 10.2.0.0/16]; our outbound "
				 "ipsec policies: [[192.168.0.0/16]->[10.9.0.0/16]] "
				 "(generate_policy is off)"));
	assert_true(fake_log_has("peer answered TS_UNACCEPTABLE"));
	{
		struct ike_stats sa, sb;

		ike_engine_stats(w->a.e, &sa);
		ike_engine_stats(w->b.e, &sb);
		assert_int_equal(sa.fail_ts, 1);
		assert_int_equal(sb.fail_ts, 1);
	}
	expect_counts(&w->a, 1, 1, 0);
	expect_counts(&w->b, 1, 1, 0);
	assert_int_equal(fake_kernel_count(w->a.k, true), 0);
	assert_int_equal(fake_kernel_count(w->b.k, true), 0);
	free_world(w);
}

static void test_generate_policy(void **state)
{
	struct world *w = new_world(false);
	struct ikd_acquire acq;
	char s[64];

	(void)state;
	w->b.cfg.generate_policy = true;
	w->b.cfg.passive = true;
	start(w);
	acq = setup_policies(w, &nets4, IKD_MODE_TUNNEL);
	w->b.k->npol = 0;	/* B has no policy at all */
	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg), 0);
	run(w);
	check_pair(w, IKD_MODE_TUNNEL, IKE_ENCR_AES_GCM_16, 0, true);
	/* out, in, fwd for the peer's (broad) selectors, unique reqid */
	assert_int_equal(w->b.k->npol, 3);
	assert_int_equal(w->b.k->spd[0].dir, IKD_DIR_OUT);
	assert_string_equal(ikd_addr_str(&w->b.k->spd[0].sel.src, false, s),
			    "10.2.0.0");
	assert_int_equal(w->b.k->spd[0].sel.src_plen, 16);
	assert_string_equal(ikd_addr_str(&w->b.k->spd[0].sel.dst, false, s),
			    "10.1.0.0");
	assert_int_equal(w->b.k->spd[0].req[0].level, IPSEC_LEVEL_UNIQUE);
	assert_int_equal(w->b.k->spd[0].req[0].reqid,
			 sa_to(&w->b, &w->b)->sa.reqid);
	assert_true(ikd_addr_eq_noport(&w->b.k->spd[0].req[0].tdst, &w->a.addr));
	assert_int_equal(w->b.k->spd[1].dir, IKD_DIR_IN);
	assert_int_equal(w->b.k->spd[2].dir, IKD_DIR_FWD);
	/* B's shutdown takes SAs and generated policies away, and A's
	 * SAs go with B's DELETE */
	ike_engine_shutdown(w->b.e);
	assert_int_equal(w->b.k->npol, 0);
	assert_int_equal(fake_kernel_count(w->b.k, true), 0);
	run(w);
	assert_int_equal(fake_kernel_count(w->a.k, true), 0);
	expect_counts(&w->a, 0, 0, 0);
	assert_true(fake_log_has("deleted by peer 192.0.2.2"));
	free_world(w);
}

/* A second child SA for the same selectors (as a peer's rekey makes)
 * finds B's generated policies in the SPD; when the first one goes, the
 * policies stay for the second. */
static void test_generated_policies_outlive_their_child(void **state)
{
	struct world *w = new_world(false);
	struct ikd_acquire acq;
	struct ikd_expire ex = { .hard = true, .proto = IPPROTO_ESP };
	struct fake_sa *first;

	(void)state;
	w->b.cfg.generate_policy = true;
	start(w);
	acq = setup_policies(w, &nets4, IKD_MODE_TUNNEL);
	w->b.k->npol = 0;
	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg), 0);
	run(w);
	first = sa_to(&w->a, &w->b);
	ex.spi = first->sa.spi;
	ex.src = w->a.addr;
	ex.dst = w->b.addr;
	/* A's kernel lost the first child's outbound SA (its hard expire,
	 * below, is still on its way), so the next ACQUIRE adds a child */
	assert_int_equal(w->a.k->base.ops->del_sa(&w->a.k->base, ex.proto,
		ex.spi, &ex.src, &ex.dst), 0);
	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg), 0);
	run(w);
	expect_counts(&w->b, 1, 1, 2);
	assert_int_equal(w->b.k->npol, 3);
	assert_int_equal(fake_kernel_ncalls(w->b.k, FK_SPD_ADD), 3);
	/* the first child goes */
	ike_engine_expire(w->a.e, &ex);
	run(w);
	expect_counts(&w->a, 1, 1, 1);
	expect_counts(&w->b, 1, 1, 1);
	assert_int_equal(fake_kernel_count(w->b.k, true), 2);
	assert_int_equal(w->b.k->npol, 3);
	assert_int_equal(fake_kernel_ncalls(w->b.k, FK_SPD_DEL), 0);
	/* and go with the second */
	ike_engine_shutdown(w->b.e);
	assert_int_equal(w->b.k->npol, 0);
	free_world(w);
}

static void test_lost_first_message(void **state)
{
	struct world *w = new_world(false);
	struct ike_stats st;

	(void)state;
	w->drop_mask = 1;	/* A's first IKE_SA_INIT */
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	expect_counts(&w->a, 0, 1, 0);
	wait_ms(w, 999);
	expect_counts(&w->a, 0, 1, 0);
	wait_ms(w, 1);		/* the retransmission, after interval */
	check_pair(w, IKD_MODE_TUNNEL, IKE_ENCR_AES_GCM_16, 0, true);
	ike_engine_stats(w->a.e, &st);
	assert_int_equal(st.retransmits, 1);
	assert_true(fake_log_has("retransmitting IKE_SA_INIT (1 of 3) to 192.0.2.2[500]"));
	free_world(w);
}

static void test_duplicated_request(void **state)
{
	struct world *w = new_world(false);
	struct ike_stats st;

	(void)state;
	w->dup_mask = 1u << 2;	/* A's IKE_AUTH arrives twice */
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	check_pair(w, IKD_MODE_TUNNEL, IKE_ENCR_AES_GCM_16, 0, true);
	/* B answered the copy from its cache: one SA pair, one getspi */
	assert_int_equal(fake_kernel_ncalls(w->b.k, FK_GETSPI), 1);
	assert_int_equal(fake_kernel_ncalls(w->b.k, FK_ADD), 1);
	ike_engine_stats(w->b.e, &st);
	assert_int_equal(st.retransmits, 1);
	assert_int_equal(st.child_established, 1);
	/* A dropped the second answer: it answers no request of A's */
	ike_engine_stats(w->a.e, &st);
	assert_int_equal(st.rx_dropped, 1);
	expect_counts(&w->a, 1, 1, 1);
	free_world(w);
}

static void test_duplicated_init_and_reorder(void **state)
{
	struct world *w = new_world(false);

	(void)state;
	w->dup_mask = 1;	/* IKE_SA_INIT twice */
	w->reorder = true;
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	check_pair(w, IKD_MODE_TUNNEL, IKE_ENCR_AES_GCM_16, 0, true);
	expect_counts(&w->b, 1, 1, 1);
	free_world(w);
}

static void test_peer_never_answers(void **state)
{
	struct world *w = new_world(false);
	uint64_t t0;
	struct ike_stats st;

	(void)state;
	w->b_dead = true;
	start(w);
	t0 = w->t.now;
	establish(w, &nets4, IKD_MODE_TUNNEL);
	assert_int_equal(w->a.sent, 1);
	/* retransmissions after 1, 1+2, 1+2+4 seconds */
	wait_ms(w, 1000);
	assert_int_equal(w->a.sent, 2);
	wait_ms(w, 1999);
	assert_int_equal(w->a.sent, 2);
	wait_ms(w, 1);
	assert_int_equal(w->a.sent, 3);
	wait_ms(w, 4000);
	assert_int_equal(w->a.sent, 4);
	expect_counts(&w->a, 0, 1, 0);
	/* no fourth retransmission: after 8 more seconds, give up */
	wait_ms(w, 7999);
	expect_counts(&w->a, 0, 1, 0);
	wait_ms(w, 1);
	assert_int_equal(w->a.sent, 4);
	expect_counts(&w->a, 0, 0, 0);
	assert_int_equal(w->t.now - t0, 15000);
	assert_true(fake_log_has("IKE_SA_INIT to 192.0.2.2[500] not answered "
				 "after 3 retransmissions: giving up"));
	ike_engine_stats(w->a.e, &st);
	assert_int_equal(st.retransmits, 3);
	assert_int_equal(st.ike_failed, 1);
	assert_int_equal(st.fail_timeout, 1);
	/* retransmissions count as sent IKE_SA_INIT messages too */
	assert_int_equal(st.tx_exchange[0], 4);
	assert_int_equal(fake_kernel_count(w->a.k, true), 0);
	free_world(w);
}

static void test_cookie(void **state)
{
	struct world *w = new_world(false);
	uint8_t *second = NULL;

	(void)state;
	w->cookie = true;
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	check_pair(w, IKD_MODE_TUNNEL, IKE_ENCR_AES_GCM_16, 0, true);
	assert_int_equal(w->a.sent_init, 2);
	assert_true(fake_log_has("192.0.2.2[500] asked for a cookie: resending IKE_SA_INIT"));
	/* AUTH (both sides established) signed A's second IKE_SA_INIT, the
	 * one with the cookie as its first payload: the last one A sent.
	 * (The engines keep IKE_SA_INIT only until IKE_AUTH is done.) */
	second = w->last_init;
	assert_non_null(second);
	for (struct ike_sa *sa = w->b.e->sas; sa; sa = sa->next)
		assert_null(sa->init_i);
	assert_int_equal(second[16], IKE_PL_NOTIFY);
	/* header, N's generic header, protocol, SPI size, then the type */
	assert_int_equal(ike_be16(second + IKE_HDR_LEN + 4 + 2), IKE_N_COOKIE);
	free_world(w);
}

static void test_invalid_message_id(void **state)
{
	struct world *w = new_world(false);

	(void)state;
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	/* A skips message IDs: its next request is out of B's window */
	w->a.e->sas->next_msgid += 3;
	assert_int_equal(ike_engine_terminate(w->a.e, w->a.cfg.name), 1);
	run(w);
	assert_true(fake_log_has("to-A sent message ID 5 where 2 was due"));
	assert_true(fake_log_has("192.0.2.2 says INVALID_MESSAGE_ID"));
	expect_counts(&w->a, 0, 0, 0);
	expect_counts(&w->b, 0, 0, 0);
	assert_int_equal(fake_kernel_count(w->a.k, true), 0);
	assert_int_equal(fake_kernel_count(w->b.k, true), 0);
	free_world(w);
}

/* racoon's dpd_delay 20, dpd_retry 2, dpd_maxfail 3. */
static void test_dead_peer_detection(void **state)
{
	struct world *w = new_world(false);

	(void)state;
	w->a.cfg.dpd_delay_secs = 20;
	w->a.cfg.dpd_retry_secs = 2;
	w->a.cfg.dpd_maxfail = 3;
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	/* alive: the empty INFORMATIONAL is answered */
	wait_ms(w, 20000);
	assert_int_equal(w->a.sent, 3);
	expect_counts(&w->a, 1, 1, 1);
	/* dead: 20 s quiet, a check, 3 more every 2 s, 2 s for the last */
	w->b_dead = true;
	wait_ms(w, 20000);
	assert_int_equal(w->a.sent, 4);
	wait_ms(w, 2000);
	assert_int_equal(w->a.sent, 5);
	wait_ms(w, 4000);
	assert_int_equal(w->a.sent, 7);
	wait_ms(w, 1999);
	expect_counts(&w->a, 1, 1, 1);
	assert_int_equal(fake_kernel_count(w->a.k, true), 2);
	wait_ms(w, 1);
	assert_int_equal(w->a.sent, 7);		/* no DELETE: nobody hears it */
	expect_counts(&w->a, 0, 0, 0);
	assert_int_equal(fake_kernel_count(w->a.k, true), 0);
	assert_true(fake_log_has("peer 192.0.2.2 dead: no answer to 4 liveness "
				 "checks"));
	free_world(w);
}

/* 2.4: a check only when nothing came from the peer for dpd_delay: B's
 * own checks every 15 s keep A's (every 20 s) from ever going out. */
static void test_dpd_only_when_quiet(void **state)
{
	struct world *w = new_world(false);

	(void)state;
	w->a.cfg.dpd_delay_secs = 20;
	w->b.cfg.dpd_delay_secs = 15;
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	assert_int_equal(w->a.sent, 2);
	wait_ms(w, 60000);
	/* A answered B's four checks and sent nothing of its own */
	assert_int_equal(w->b.sent, 2 + 4);
	assert_int_equal(w->a.sent, 2 + 4);
	expect_counts(&w->a, 1, 1, 1);
	free_world(w);
}

/* A reboots (its engine and its SAD gone, as after a crash) and talks to
 * B again: its INITIAL_CONTACT makes B drop the stale IKE SA and take its
 * child SAs out of the kernel. */
static void test_initial_contact_removes_stale(void **state)
{
	struct world *w = new_world(false);
	struct ikd_acquire acq;

	(void)state;
	start(w);
	acq = setup_policies(w, &nets4, IKD_MODE_TUNNEL);
	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg), 0);
	run(w);
	expect_counts(&w->b, 1, 1, 1);
	assert_int_equal(fake_kernel_count(w->b.k, true), 2);
	ike_engine_free(w->a.e);
	w->a.k->nsa = 0;
	start_peer(w, &w->a);
	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg), 0);
	run(w);
	assert_true(fake_log_has("INITIAL_CONTACT from to-A: removing its "
				 "older IKE SA and CHILD_SAs"));
	expect_counts(&w->b, 1, 1, 1);
	assert_int_equal(fake_kernel_count(w->b.k, true), 2);
	assert_int_equal(fake_kernel_ncalls(w->b.k, FK_DEL), 2);
	check_pair(w, IKD_MODE_TUNNEL, IKE_ENCR_AES_GCM_16, 0, true);
	free_world(w);
}

/* What B answers to a hand-made IKE_SA_INIT request: the notify type
 * (0: no answer) and its data's first byte. */
static uint16_t answer_to(struct world *w, const uint8_t *buf, size_t len,
			  uint8_t *data0)
{
	struct ike_msg *m = calloc(1, sizeof(*m));
	uint16_t type = 0;

	assert_non_null(m);
	ike_engine_receive(w->b.e, &w->b.addr, &w->a.addr, buf, len);
	if (w->nq) {
		struct pkt *k = w->q[--w->nq];

		assert_int_equal(w->nq, 0);
		assert_int_equal(ike_msg_parse(m, k->data, k->len), 0);
		assert_true(m->flags & IKE_FLAG_R);
		assert_int_equal(m->nnotify, 1);
		type = m->notify[0].type;
		*data0 = m->notify[0].data.len ? m->notify[0].data.ptr[0] : 0;
		free(k);
	}
	free(m);
	return type;
}

static void test_malformed_init_answered(void **state)
{
	struct world *w = new_world(false);
	uint8_t buf[256], d0 = 0;
	struct ike_wbuf wb;
	struct ike_builder b;
	size_t off;

	(void)state;
	start(w);
	/* an unknown payload (type 99) with the critical bit */
	ike_wbuf_init(&wb, buf, sizeof(buf));
	ike_build_hdr(&b, &wb, 0x1122334455667788ull, 0, IKE_SA_INIT, IKE_FLAG_I, 0);
	off = ike_build_open(&b, 99);
	buf[off + 1] = IKE_PL_CRITICAL;
	ike_put32(&wb, 0);
	ike_build_close(&b, off);
	assert_int_equal(ike_build_end(&b), 0);
	assert_int_equal(answer_to(w, buf, wb.len, &d0),
			 IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD);
	assert_int_equal(d0, 99);
	/* a payload running past the end */
	buf[IKE_HDR_LEN + 3] = 200;
	assert_int_equal(answer_to(w, buf, wb.len, &d0), IKE_N_INVALID_SYNTAX);
	/* no SA, KE, nonce */
	ike_wbuf_init(&wb, buf, sizeof(buf));
	ike_build_hdr(&b, &wb, 0x1122334455667788ull, 0, IKE_SA_INIT, IKE_FLAG_I, 0);
	assert_int_equal(ike_build_end(&b), 0);
	assert_int_equal(answer_to(w, buf, wb.len, &d0), IKE_N_INVALID_SYNTAX);
	/* IKEv1 is not ours to answer, nor garbage, nor responses */
	buf[17] = 0x10;
	assert_int_equal(answer_to(w, buf, wb.len, &d0), 0);
	assert_int_equal(answer_to(w, buf, 10, &d0), 0);
	buf[17] = 0x20;
	buf[19] = IKE_FLAG_R;
	assert_int_equal(answer_to(w, buf, wb.len, &d0), 0);
	expect_counts(&w->b, 0, 0, 0);
	free_world(w);
}

static void test_half_open_timeout(void **state)
{
	struct world *w = new_world(false);

	(void)state;
	w->drop_mask = ~1ull;	/* everything after A's first message */
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	expect_counts(&w->b, 0, 1, 0);
	wait_ms(w, 29999);
	expect_counts(&w->b, 0, 1, 0);
	wait_ms(w, 1);
	expect_counts(&w->b, 0, 0, 0);
	assert_true(fake_log_has("half-open IKE SA from 192.0.2.1[500] timed out"));
	free_world(w);
}

static void test_terminate_from_either_side(void **state)
{
	for (int side = 0; side < 2; side++) {
		struct world *w = new_world(false);
		struct peer *p;

		start(w);
		establish(w, &nets4, IKD_MODE_TUNNEL);
		check_pair(w, IKD_MODE_TUNNEL, IKE_ENCR_AES_GCM_16, 0, true);
		p = side ? &w->b : &w->a;
		assert_int_equal(ike_engine_terminate(p->e, p->cfg.name), 1);
		run(w);
		assert_int_equal(fake_kernel_count(w->a.k, true), 0);
		assert_int_equal(fake_kernel_count(w->b.k, true), 0);
		expect_counts(&w->a, 0, 0, 0);
		expect_counts(&w->b, 0, 0, 0);
		assert_true(fake_log_has("deleted by peer"));
		free_world(w);
	}
	(void)state;
}

static void test_hard_expire(void **state)
{
	for (int side = 0; side < 2; side++) {
		struct world *w = new_world(false);
		struct peer *p, *o;
		struct fake_sa *out;
		struct ikd_expire ex = { 0 };

		start(w);
		establish(w, &nets4, IKD_MODE_TUNNEL);
		p = side ? &w->b : &w->a;
		o = side ? &w->a : &w->b;
		/* (a soft EXPIRE rekeys: test_ike_rekey.c) */
		out = sa_to(p, o);
		ex.proto = IPPROTO_ESP;
		ex.spi = out->sa.spi;
		ex.src = p->addr;
		ex.dst = o->addr;
		/* hard: the kernel removed the outbound SA, the engine the
		 * rest, on both sides */
		ex.hard = true;
		*out = p->k->sad[--p->k->nsa];
		ike_engine_expire(p->e, &ex);
		run(w);
		assert_int_equal(fake_kernel_count(w->a.k, true), 0);
		assert_int_equal(fake_kernel_count(w->b.k, true), 0);
		/* the IKE SA stays */
		expect_counts(&w->a, 1, 1, 0);
		expect_counts(&w->b, 1, 1, 0);
		assert_true(fake_log_has("CHILD_SA deleted by peer"));
		assert_true(fake_log_has("CHILD_SA deleted by us"));
		free_world(w);
	}
	(void)state;
}

static void test_shutdown_removes_everything(void **state)
{
	struct world *w = new_world(false);

	(void)state;
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	ike_engine_shutdown(w->a.e);
	assert_int_equal(fake_kernel_count(w->a.k, true), 0);
	expect_counts(&w->a, 0, 0, 0);
	run(w);
	assert_int_equal(fake_kernel_count(w->b.k, true), 0);
	expect_counts(&w->b, 0, 0, 0);
	free_world(w);
}

static void test_second_policy_create_child(void **state)
{
	struct world *w = new_world(false);
	struct ikd_acquire acq, acq2;
	struct ikd_kernel_policy pb;

	(void)state;
	w->a.ccfg.pfs_group = IKE_DH_CURVE25519;
	w->b.ccfg.pfs_group = IKE_DH_CURVE25519;
	start(w);
	acq = setup_policies(w, &nets4, IKD_MODE_TUNNEL);
	acq2 = acq;
	acq2.pol = policy(&w->a, &w->b, "10.3.0.0", 16, "10.4.0.0", 16,
			  IKD_MODE_TUNNEL);
	acq2.pol.id = fake_kernel_add_policy(w->a.k, &acq2.pol);
	memset(&acq2.flow, 0, sizeof(acq2.flow));
	pb = policy(&w->b, &w->a, "10.4.0.0", 16, "10.3.0.0", 16,
		    IKD_MODE_TUNNEL);
	fake_kernel_add_policy(w->b.k, &pb);
	/* both ACQUIREs before anything is answered, each repeated */
	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg), 0);
	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg), -EALREADY);
	assert_int_equal(ike_engine_acquire(w->a.e, &acq2, &w->a.cfg), 0);
	assert_int_equal(ike_engine_acquire(w->a.e, &acq2, &w->a.cfg), -EALREADY);
	run(w);
	assert_int_equal(w->a.sent_init, 1);
	expect_counts(&w->a, 1, 1, 2);
	expect_counts(&w->b, 1, 1, 2);
	assert_int_equal(fake_kernel_count(w->a.k, false), 4);
	assert_int_equal(fake_kernel_count(w->b.k, false), 4);
	free_world(w);
}

/* An ACQUIRE raised before the peer's child went in asks for what that
 * child carries: ignored, unless the kernel has lost the outbound SA. */
static void test_acquire_covered_by_child(void **state)
{
	struct world *w = new_world(false);
	struct ikd_acquire acq, acqb;
	struct fake_sa *ao;

	(void)state;
	start(w);
	acq = setup_policies(w, &nets4, IKD_MODE_TUNNEL);
	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg), 0);
	run(w);
	expect_counts(&w->b, 1, 1, 1);
	acqb = acq;
	acqb.src = acq.dst;
	acqb.dst = acq.src;
	acqb.flow.src = acq.flow.dst;
	acqb.flow.dst = acq.flow.src;
	acqb.pol = policy(&w->b, &w->a, nets4.b_net, nets4.b_plen,
			  nets4.a_net, nets4.a_plen, IKD_MODE_TUNNEL);
	assert_int_equal(ike_engine_acquire(w->b.e, &acqb, &w->b.cfg),
			 -EALREADY);
	assert_true(fake_log_has("already carries this traffic, ignored"));
	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg),
			 -EALREADY);
	run(w);
	expect_counts(&w->a, 1, 1, 1);
	expect_counts(&w->b, 1, 1, 1);
	/* setkey deleted A's outbound SA: the next ACQUIRE negotiates */
	ao = sa_to(&w->a, &w->b);
	assert_non_null(ao);
	assert_int_equal(w->a.k->base.ops->del_sa(&w->a.k->base,
		ao->sa.proto, ao->sa.spi, &ao->sa.src, &ao->sa.dst), 0);
	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg), 0);
	run(w);
	expect_counts(&w->a, 1, 1, 2);
	expect_counts(&w->b, 1, 1, 2);
	free_world(w);
}

static void test_legacy_group_only_when_configured(void **state)
{
	struct world *w = new_world(false);

	(void)state;
	/* MODP-1024 offered by A only when configured; B does not list it
	 * and so refuses it even though it knows the group. */
	w->a.cfg.nprop = 1;
	w->a.cfg.prop[0].dh[0] = IKE_DH_MODP1024;
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	assert_true(fake_log_has("peer offered [aes-gcm-16-256/prf-hmac-sha2-256/modp1024]"));
	expect_counts(&w->a, 0, 0, 0);
	free_world(w);
}

/* The seed documents' racoon.conf: 3DES, HMAC-SHA1, MODP-1024, named in
 * the configuration of both sides. */
static void test_legacy_3des_sha1_modp1024(void **state)
{
	struct world *w = new_world(false);

	(void)state;
	for (int i = 0; i < 2; i++) {
		struct peer *p = i ? &w->b : &w->a;
		struct ike_sa_prop_cfg *ip = &p->cfg.prop[0];
		struct ike_child_prop_cfg *cp = &p->ccfg.prop[0];

		memset(ip, 0, sizeof(*ip));
		p->cfg.nprop = 1;
		ip->nencr = ip->nprf = ip->ninteg = ip->ndh = 1;
		ip->encr[0] = (struct ike_encr_alg){ IKE_ENCR_3DES, 0 };
		ip->prf[0] = IKE_PRF_HMAC_SHA1;
		ip->integ[0] = IKE_AUTH_HMAC_SHA1_96;
		ip->dh[0] = IKE_DH_MODP1024;
		memset(cp, 0, sizeof(*cp));
		p->ccfg.nprop = 1;
		cp->proto = IKE_PROTO_ESP;
		cp->nencr = cp->ninteg = 1;
		cp->encr[0] = (struct ike_encr_alg){ IKE_ENCR_3DES, 0 };
		cp->integ[0] = IKE_AUTH_HMAC_SHA1_96;
	}
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	check_pair(w, IKD_MODE_TUNNEL, IKE_ENCR_3DES, IKE_AUTH_HMAC_SHA1_96,
		   false);
	assert_true(fake_log_has("3des/hmac-sha1-96/prf-hmac-sha1/modp1024"));
	free_world(w);
}

static void test_ah_tunnel_v6(void **state)
{
	struct world *w = new_world(true);

	(void)state;
	w->proto = IPPROTO_AH;
	for (int i = 0; i < 2; i++) {
		struct ike_child_cfg *cc = i ? &w->b.ccfg : &w->a.ccfg;

		memset(cc->prop, 0, sizeof(cc->prop));
		cc->nprop = 1;
		cc->prop[0].proto = IKE_PROTO_AH;
		cc->prop[0].ninteg = 2;
		cc->prop[0].integ[0] = i ? IKE_AUTH_HMAC_SHA2_512_256 :
				       IKE_AUTH_HMAC_SHA2_256_128;
		cc->prop[0].integ[1] = IKE_AUTH_HMAC_SHA2_512_256;
	}
	start(w);
	establish(w, &nets6, IKD_MODE_TUNNEL);
	check_pair(w, IKD_MODE_TUNNEL, 0, IKE_AUTH_HMAC_SHA2_512_256, false);
	assert_true(fake_log_has("CHILD_SA established: AH/Tunnel 2001:db8::a->2001:db8::b"));
	free_world(w);
}

static void test_chacha20_poly1305(void **state)
{
	struct world *w = new_world(false);

	(void)state;
	w->a.ccfg.prop[0].encr[0] = (struct ike_encr_alg){ IKE_ENCR_CHACHA20_POLY1305, 0 };
	w->b.ccfg.prop[0].encr[0] = (struct ike_encr_alg){ IKE_ENCR_CHACHA20_POLY1305, 0 };
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	check_pair(w, IKD_MODE_TUNNEL, IKE_ENCR_CHACHA20_POLY1305, 0, true);
	free_world(w);
}

static void test_passive_and_no_config(void **state)
{
	struct world *w = new_world(false);
	struct ikd_acquire acq;

	(void)state;
	w->a.cfg.passive = true;
	w->b.no_peer_cfg = true;
	start(w);
	acq = setup_policies(w, &nets4, IKD_MODE_TUNNEL);
	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg), -EPERM);
	assert_int_equal(w->a.sent, 0);
	w->a.cfg.passive = false;
	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg), 0);
	run(w);
	assert_true(fake_log_has("no IKEv2 remote configuration for this peer"));
	assert_true(fake_log_has("refused IKE_SA_INIT: NO_PROPOSAL_CHOSEN") ||
		    fake_log_has("no proposal chosen: 192.0.2.2[500] refused"));
	expect_counts(&w->a, 0, 0, 0);
	free_world(w);
}

static void test_keylog(void **state)
{
	struct world *w = new_world(false);
	char path[] = "/tmp/ikd-keylog-XXXXXX", line[512];
	struct ike_env env;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	start_peer(w, &w->b);
	env = (struct ike_env){ .kernel = &w->a.k->base, .timers = &w->t.ops,
				.arg = &w->a, .send = net_send,
				.peer_by_addr = cb_peer, .psk = cb_psk,
				.child_cfg = cb_child, .keylog_path = path };
	w->a.e = ike_engine_new(&env);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	{
		struct stat st;

		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
	}
	unlink(path);
	/* SPIs, 36-byte GCM keys in hex, Wireshark's names */
	assert_int_equal(strlen(line), 16 + 1 + 16 + 1 + 72 + 1 + 72 + 1 +
			 strlen("\"AES-GCM-256 with 16 octet ICV [RFC5282]\"") +
			 3 + strlen("\"NONE [RFC4306]\"") + 1);
	assert_non_null(strstr(line, ",\"AES-GCM-256 with 16 octet ICV [RFC5282]\",,,\"NONE [RFC4306]\"\n"));
	free_world(w);
}

/* Certificates: A signs with ECDSA P-256, B with RSA (PKCS#1 v1.5) and
 * B's certificate names A's fqdn only if @b_san says so. Both trust one
 * CA; IKE_SA_INIT carries SIGNATURE_HASH_ALGORITHMS, so both use RFC 7427
 * method 14. */
static void cert_world(struct world *w, char *dir, size_t dlen,
		       const char *a_san)
{
	EVP_PKEY *ck = fx_key("ec256"), *ak = fx_key("ec256"), *bk = fx_key("rsa");
	X509 *ca = fx_cert("CA", ck, NULL, NULL, NULL, 1, -1, 30);
	X509 *ac = fx_cert("A", ak, ca, ck, a_san, 2, -1, 30);
	X509 *bc = fx_cert("B", bk, ca, ck, "DNS:b.example.org", 3, -1, 30);
	struct peer *ps[2] = { &w->a, &w->b };

	fx_dir(dir, dlen);
	fx_write_cert(dir, "ca.pem", ca, false);
	fx_write_cert(dir, "A.pem", ac, false);
	fx_write_cert(dir, "B.pem", bc, false);
	fx_write_key(dir, "A.key", ak);
	fx_write_key(dir, "B.key", bk);
	for (int i = 0; i < 2; i++) {
		struct ike_cert_cfg *cc = &ps[i]->cfg.cert;

		ps[i]->cfg.auth = IKE_CFG_AUTH_CERT;
		snprintf(cc->cert, sizeof(cc->cert), "%s/%s.pem", dir,
			 ps[i]->name);
		snprintf(cc->key, sizeof(cc->key), "%s/%s.key", dir,
			 ps[i]->name);
		snprintf(cc->ca, sizeof(cc->ca), "%s/ca.pem", dir);
		cc->verify_cert = cc->send_cert = cc->send_cr = true;
		ps[i]->psk[0] = '\0';	/* no PSK to fall back on */
	}
	X509_free(ca);
	X509_free(ac);
	X509_free(bc);
	EVP_PKEY_free(ck);
	EVP_PKEY_free(ak);
	EVP_PKEY_free(bk);
}

static void test_certificates(void **state)
{
	struct world *w = new_world(false);
	char dir[200];

	(void)state;
	cert_world(w, dir, sizeof(dir), "DNS:a.example.org");
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	check_pair(w, IKD_MODE_TUNNEL, IKE_ENCR_AES_GCM_16, 0, true);
	expect_counts(&w->a, 1, 1, 1);
	expect_counts(&w->b, 1, 1, 1);
	assert_true(fake_log_has("signing our AUTH with ecdsa-with-SHA256"));
	assert_true(fake_log_has("signing our AUTH with sha256WithRSAEncryption"));
	assert_true(fake_log_has("certificate /O=kipsec test/CN=A verified, "
				 "ecdsa-with-SHA256"));
	assert_true(fake_log_has("certificate /O=kipsec test/CN=B verified, "
				 "sha256WithRSAEncryption"));
	assert_int_equal(w->npkt, 4);
	fx_rmdir(dir);
	free_world(w);
}

static void test_certificate_wrong_identity(void **state)
{
	struct world *w = new_world(false);
	char dir[200];
	struct ike_stats st;

	(void)state;
	cert_world(w, dir, sizeof(dir), "DNS:mallory.example.org");
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	assert_true(fake_log_has("authentication failed: peer 192.0.2.1 "
				 "(ID_FQDN a.example.org, remote \"to-A\"), "
				 "digital signature: identity mismatch: ID "
				 "fqdn:a.example.org not in certificate "
				 "subjectAltName (DNS:mallory.example.org)"));
	assert_true(fake_log_has("refused our authentication (ID_FQDN "
				 "a.example.org, certificate, remote \"to-B\"): "
				 "AUTHENTICATION_FAILED"));
	assert_int_equal(fake_kernel_count(w->a.k, true), 0);
	assert_int_equal(fake_kernel_count(w->b.k, true), 0);
	ike_engine_stats(w->b.e, &st);
	assert_int_equal(st.ike_failed, 1);
	fx_rmdir(dir);
	free_world(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tunnel_v4_gcm_x25519),
		cmocka_unit_test(test_transport_v6_cbc_modp),
		cmocka_unit_test(test_wrong_psk),
		cmocka_unit_test(test_no_proposal_chosen),
		cmocka_unit_test(test_child_no_proposal_keeps_ike_sa),
		cmocka_unit_test(test_ts_narrowing),
		cmocka_unit_test(test_unique_in_reqid),
		cmocka_unit_test(test_ts_unacceptable),
		cmocka_unit_test(test_generate_policy),
		cmocka_unit_test(test_generated_policies_outlive_their_child),
		cmocka_unit_test(test_lost_first_message),
		cmocka_unit_test(test_duplicated_request),
		cmocka_unit_test(test_duplicated_init_and_reorder),
		cmocka_unit_test(test_peer_never_answers),
		cmocka_unit_test(test_cookie),
		cmocka_unit_test(test_invalid_message_id),
		cmocka_unit_test(test_dead_peer_detection),
		cmocka_unit_test(test_dpd_only_when_quiet),
		cmocka_unit_test(test_initial_contact_removes_stale),
		cmocka_unit_test(test_malformed_init_answered),
		cmocka_unit_test(test_half_open_timeout),
		cmocka_unit_test(test_terminate_from_either_side),
		cmocka_unit_test(test_hard_expire),
		cmocka_unit_test(test_shutdown_removes_everything),
		cmocka_unit_test(test_second_policy_create_child),
		cmocka_unit_test(test_acquire_covered_by_child),
		cmocka_unit_test(test_legacy_group_only_when_configured),
		cmocka_unit_test(test_chacha20_poly1305),
		cmocka_unit_test(test_ah_tunnel_v6),
		cmocka_unit_test(test_legacy_3des_sha1_modp1024),
		cmocka_unit_test(test_passive_and_no_config),
		cmocka_unit_test(test_keylog),
		cmocka_unit_test(test_certificates),
		cmocka_unit_test(test_certificate_wrong_identity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
