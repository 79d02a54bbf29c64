// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for the IKE engine's state machine: a responder (B)
 * with a fake kernel meets hostile input after a real initiator (A) has
 * set up an IKE SA with it (or only its IKE_SA_INIT half). Random bytes
 * alone never get past the SK payload's integrity check, so besides raw
 * datagrams the input can ask the harness to seal its bytes as the inner
 * payloads of a request or response with the SA's real keys: a peer that
 * knows the keys and sends anything at all.
 *
 * Input: one byte of set-up (bit 0: stop after IKE_SA_INIT; bit 1: B's
 * remote block has a kipsec interface with its own selectors, so that
 * B's children go through ike_kif.c's narrowing), then records
 * of [op][len][len bytes]:
 *   op 0  raw datagram to B from A's address
 *   op 1  request to B: [exchange][msgid delta][first payload] + inner
 *   op 2  response to B's outstanding request: [first payload] + inner
 *   op 3  advance the clock by len * 500 ms
 *   op 4  hard or soft EXPIRE of one of B's SAs
 *   op 5  IKE_SA_INIT response to B as initiator: B starts an IKE SA of
 *         its own first, with C (192.0.2.3, no engine, silent), which
 *         the record answers: [SPIr 8][first payload] + payloads
 *   op 6  an SKF fragment (RFC 7383) of a request or response to B, sealed
 *         with the SA's keys: [exchange][msgid delta + R bit][fragment
 *         number][total fragments][first payload] + its slice of inner
 * A sends every message after IKE_SA_INIT as fragments (ike_frag force),
 * so B reassembles all of A's traffic too.
 * Records 1 and 2 go to the newest SA of B that fits (op 2: one with a
 * request out, so also B's own IKE_AUTH once op 5 gave it keys).
 * After each record both engines exchange what they sent, A answering B.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/fake_kernel.c"
#include "../../ikd/ike_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define QMAX	64

struct node {
	struct ike_engine *e;
	struct fake_kernel *k;
	struct ikd_addr addr;
	struct ike_peer_cfg cfg;
	struct ike_child_cfg ccfg;
};

struct pkt {
	struct ikd_addr from, to;
	size_t len;
	uint8_t data[];
};

static struct fake_timers clock_;
static struct node a, b;
static struct pkt *q[QMAX];
static unsigned int nq;
static bool half_open;		/* B gets A's first message only */
static struct ikd_addr c_addr;	/* a peer without an engine */
static unsigned int to_b;

static void net_send(void *arg, const struct ikd_addr *local,
		     const struct ikd_addr *remote, const uint8_t *buf,
		     size_t len)
{
	struct pkt *k;

	(void)arg;
	if (nq >= QMAX)
		return;
	k = malloc(sizeof(*k) + len);
	if (!k)
		return;
	k->from = *local;
	k->to = *remote;
	k->len = len;
	memcpy(k->data, buf, len);
	q[nq++] = k;
}

static void run(void)
{
	for (unsigned int rounds = 0; nq && rounds < 64; rounds++) {
		struct pkt *k = q[0];
		struct node *to = ikd_addr_eq_noport(&k->to, &a.addr) ? &a :
				  ikd_addr_eq_noport(&k->to, &b.addr) ? &b : NULL;

		memmove(q, q + 1, --nq * sizeof(q[0]));
		if (to == &b)
			to_b++;
		if (to && !(to == &b && half_open && to_b > 1))
			ike_engine_receive(to->e, &k->to, &k->from, k->data,
					   k->len);
		free(k);
	}
	while (nq)
		free(q[--nq]);
}

static const struct ike_peer_cfg *cb_peer(void *arg,
					  const struct ikd_addr *local,
					  const struct ikd_addr *remote)
{
	(void)local;
	(void)remote;
	return &((struct node *)arg)->cfg;
}

static int cb_psk(void *arg, const struct ike_peer_cfg *peer,
		  const struct ike_id *id, const struct ikd_addr *remote,
		  uint8_t *key, size_t cap, size_t *len)
{
	(void)arg; (void)peer; (void)id; (void)remote;
	if (cap < 6)
		return -1;
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
	return &((struct node *)arg)->ccfg;
}

static void setup_node(struct node *n, const char *ip, const char *peer,
		       uint32_t spi_base)
{
	struct ike_env env = {
		.timers = &clock_.ops, .arg = n, .send = net_send,
		.peer_by_addr = cb_peer, .psk = cb_psk, .child_cfg = cb_child,
		/* Low, so that raw IKE_SA_INITs beside a half-open SA reach
		 * the cookie check and the per-source limit. */
		.dos = { .cookie_threshold = 1, .half_open_per_source = 2 },
	};
	struct ike_peer_cfg *c = &n->cfg;
	struct ike_child_cfg *cc = &n->ccfg;

	memset(n, 0, sizeof(*n));
	ikd_addr_parse(&n->addr, ip);
	n->addr.port = 500;
	n->k = fake_kernel_new(spi_base);
	env.kernel = &n->k->base;
	strcpy(c->name, "fuzz");
	c->ike_version = 2;
	ikd_addr_parse(&c->remote, peer);
	c->nprop = 1;
	c->prop[0].nencr = 1;
	c->prop[0].encr[0] = (struct ike_encr_alg){ IKE_ENCR_AES_GCM_16, 128 };
	c->prop[0].nprf = 1;
	c->prop[0].prf[0] = IKE_PRF_HMAC_SHA2_256;
	c->prop[0].ndh = 1;
	c->prop[0].dh[0] = IKE_DH_CURVE25519;
	c->retrans.counter = 2;
	c->retrans.interval_ms = 1000;
	c->generate_policy = true;
	c->initial_contact = true;
	c->dpd_delay_secs = 5;
	/* NAT-D notifies parsed and checked, ESP in UDP when they say so. */
	c->nat_traversal = IKE_NATT_ON;
	c->natt_keepalive_secs = 20;
	c->ike_frag = n == &a ? IKE_FRAG_FORCE : IKE_FRAG_ON;
	cc->nprop = 1;
	cc->prop[0].proto = IKE_PROTO_ESP;
	cc->prop[0].nencr = 1;
	cc->prop[0].encr[0] = (struct ike_encr_alg){ IKE_ENCR_AES_GCM_16, 128 };
	cc->pfs_group = IKE_DH_CURVE25519;
	cc->hard_secs = 60;
	n->e = ike_engine_new(&env);
	if (!n->e)
		abort();
}

/* B's block names interface ipsec0 (its endpoints the IKE addresses),
 * with selectors narrower than A's policy on one side. */
static void kif_b(void)
{
	struct ike_peer_cfg *c = &b.cfg;

	fake_kernel_add_kif(b.k, "ipsec0", "192.0.2.2", "192.0.2.1", 77);
	strcpy(c->ifname, "ipsec0");
	ikd_addr_parse(&c->kif_ts[0][0].addr, "10.2.1.0");
	c->kif_ts[0][0].plen = 24;
	ikd_addr_parse(&c->kif_ts[1][0].addr, "10.0.0.0");
	c->kif_ts[1][0].plen = 8;
	ikd_addr_parse(&c->kif_ts[1][1].addr, "fd00::");
	c->kif_ts[1][1].plen = 8;
	c->n_kif_ts[0] = 1;
	c->n_kif_ts[1] = 2;
}

static void acquire(struct node *from, const struct ikd_addr *to, uint32_t id)
{
	struct ikd_acquire acq = { 0 };

	acq.seq = id;
	acq.proto = IPPROTO_ESP;
	acq.mode = IKD_MODE_TUNNEL;
	acq.src = from->addr;
	acq.dst = *to;
	acq.src.port = acq.dst.port = 0;
	acq.pol.id = id;
	acq.pol.dir = IKD_DIR_OUT;
	ikd_addr_parse(&acq.pol.sel.src, from == &a ? "10.1.0.0" : "10.2.0.0");
	ikd_addr_parse(&acq.pol.sel.dst, from == &a ? "10.2.0.0" : "10.1.0.0");
	acq.pol.sel.src_plen = acq.pol.sel.dst_plen = 16;
	acq.pol.sel.proto = 255;
	ike_engine_acquire(from->e, &acq, &from->cfg);
}

/* B's own IKE SA waiting for its IKE_SA_INIT answer, started if need be. */
static struct ike_sa *b_initiating(void)
{
	for (int tries = 0; tries < 2; tries++) {
		for (struct ike_sa *sa = b.e->sas; sa; sa = sa->next)
			if (sa->initiator && sa->state == IKE_ST_INIT_I)
				return sa;
		acquire(&b, &c_addr, 100 + (uint32_t)tries);
		run();
	}
	return NULL;
}

static void init_response(struct ike_sa *sa, const uint8_t *p, size_t len)
{
	static uint8_t buf[IKE_HDR_LEN + 256];
	struct ike_wbuf w;
	struct ike_builder bd;
	uint64_t spi_r = ike_be64(p);

	ike_wbuf_init(&w, buf, sizeof(buf));
	ike_build_hdr(&bd, &w, sa->spi_i, spi_r ? spi_r : 1, IKE_SA_INIT,
		      IKE_FLAG_R, 0);
	buf[16] = p[8];
	ike_put_bytes(&w, p + 9, len - 9);
	if (ike_build_end(&bd))
		return;
	ike_engine_receive(b.e, &b.addr, &c_addr, buf, w.len);
}

/* Seals @inner as a message from B's peer in the SA, with its keys. */
static void sealed(struct ike_sa *sa, uint8_t exchange, uint8_t flags,
		   uint32_t msgid, uint8_t np, const uint8_t *inner,
		   size_t len)
{
	static uint8_t buf[IKE_MSG_MAX];
	struct ike_sk_keys k;
	struct ike_wbuf w;
	struct ike_builder bd;

	if (!sa->have_keys)
		return;
	/* The peer's keys, and its I flag when it is the initiator. */
	ike_sa_sk_keys(sa, !sa->initiator, &k);
	ike_wbuf_init(&w, buf, sizeof(buf));
	ike_build_hdr(&bd, &w, sa->spi_i, sa->spi_r, exchange,
		      flags | (sa->initiator ? 0 : IKE_FLAG_I), msgid);
	if (ike_build_sk_end(&bd, &k, np, inner, len))
		return;
	ike_engine_receive(b.e, &b.addr, &sa->remote, buf, w.len);
}

/* The same as one SKF fragment, @num of @total (unchecked: the parser's
 * and the reassembly's checks are what is fuzzed). */
static void sealed_frag(struct ike_sa *sa, uint8_t exchange, uint8_t flags,
			uint32_t msgid, uint8_t np, uint16_t num,
			uint16_t total, const uint8_t *inner, size_t len)
{
	static uint8_t buf[IKE_MSG_MAX];
	struct ike_sk_keys k;
	struct ike_wbuf w;
	struct ike_builder bd;

	if (!sa->have_keys)
		return;
	ike_sa_sk_keys(sa, !sa->initiator, &k);
	ike_wbuf_init(&w, buf, sizeof(buf));
	ike_build_hdr(&bd, &w, sa->spi_i, sa->spi_r, exchange,
		      flags | (sa->initiator ? 0 : IKE_FLAG_I), msgid);
	if (ike_build_skf_end(&bd, &k, np, num, total, inner, len))
		return;
	ike_engine_receive(b.e, &b.addr, &sa->remote, buf, w.len);
}

/* B's newest SA with keys (op 1), or with a request out (op 2). */
static struct ike_sa *b_sa(bool with_request)
{
	for (struct ike_sa *sa = b.e->sas; sa; sa = sa->next)
		if (sa->have_keys && sa->state != IKE_ST_DEAD &&
		    (!with_request || sa->req.kind != REQ_NONE))
			return sa;
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 1;

	if (size < 1)
		return 0;
	fake_timers_init(&clock_);
	fake_log_reset();
	fake_log_echo = getenv("FUZZ_LOG") != NULL;	/* debugging a crash */
	setup_node(&a, "192.0.2.1", "192.0.2.2", 0xa0000000);
	setup_node(&b, "192.0.2.2", "192.0.2.1", 0xb0000000);
	half_open = data[0] & 1;
	if (data[0] & 2)
		kif_b();
	to_b = 0;
	ikd_addr_parse(&c_addr, "192.0.2.3");
	c_addr.port = 500;
	acquire(&a, &b.addr, 1);
	run();
	half_open = false;

	while (off + 2 <= size) {
		uint8_t op = data[off] % 7;
		size_t len = data[off + 1];
		const uint8_t *p = data + off + 2;
		struct ike_sa *sa;

		if (off + 2 + len > size)
			len = size - off - 2;
		off += 2 + len;
		switch (op) {
		case 0:
			ike_engine_receive(b.e, &b.addr, &a.addr, p, len);
			break;
		case 1:
			sa = b_sa(false);
			if (sa && len >= 3)
				sealed(sa, (uint8_t)(33 + p[0] % 6), 0,
				       sa->expect_msgid + p[1] % 3 - 1, p[2],
				       p + 3, len - 3);
			break;
		case 2:
			sa = b_sa(true);
			if (sa && len >= 1)
				sealed(sa, sa->req.exchange, IKE_FLAG_R,
				       sa->req.msgid, p[0], p + 1, len - 1);
			break;
		case 3:
			fake_timers_advance(&clock_, (uint64_t)len * 500);
			break;
		case 4:
			if (b.k->nsa) {
				struct fake_sa *s = &b.k->sad[len % b.k->nsa];
				struct ikd_expire ex = {
					.hard = len & 1, .proto = s->sa.proto,
					.spi = s->sa.spi, .src = s->sa.src,
					.dst = s->sa.dst,
				};

				/* A hard expiry removes the SA first, as the
				 * kernel does. */
				if (ex.hard)
					*s = b.k->sad[--b.k->nsa];
				ike_engine_expire(b.e, &ex);
			}
			break;
		case 5:
			sa = len >= 9 ? b_initiating() : NULL;
			if (sa)
				init_response(sa, p, len);
			break;
		case 6:
			sa = len >= 5 ? b_sa(p[1] & 0x80) : NULL;
			if (sa && (p[1] & 0x80))
				sealed_frag(sa, sa->req.exchange, IKE_FLAG_R,
					    sa->req.msgid, p[4], p[2] % 8,
					    p[3] % 8, p + 5, len - 5);
			else if (sa)
				sealed_frag(sa, (uint8_t)(33 + p[0] % 6), 0,
					    sa->expect_msgid + p[1] % 3 - 1,
					    p[4], p[2] % 8, p[3] % 8, p + 5,
					    len - 5);
			break;
		}
		run();
	}
	ike_engine_shutdown(b.e);
	ike_engine_shutdown(a.e);
	/* Everything the engines installed is gone. */
	if (b.k->nsa || a.k->nsa || b.k->npol) {
		fake_log_dump();
		fprintf(stderr, "left: A %u SAs, B %u SAs, %u policies\n",
			a.k->nsa, b.k->nsa, b.k->npol);
		abort();
	}
	ike_engine_free(a.e);
	ike_engine_free(b.e);
	while (nq)
		free(q[--nq]);
	if (clock_.armed)
		abort();
	fake_timers_clear(&clock_);
	fake_kernel_free(a.k);
	fake_kernel_free(b.k);
	return 0;
}
