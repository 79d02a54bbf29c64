// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for IKEv1 phase 1 (ikev1_receive()): a responder B and
 * an initiator A, both real engines, run a Main or Aggressive Mode
 * exchange part of the way; then hostile input goes to either side.
 * Random bytes never decrypt to anything, so a record can also ask the
 * harness to encrypt its bytes with B's real phase 1 key and IV: a peer
 * that knows the keys and sends anything.
 *
 * Input: one byte of set-up (bit 0: Aggressive Mode; bits 1-3: how many
 * datagrams of the real exchange are delivered first: 6 or 3 complete
 * phase 1; bit 4: rsasig with self-signed RSA-1024 certificates, made
 * once per process and pinned by peers_certfile; bit 5: nat_traversal
 * on both sides (vendor IDs, NAT-D), bit 6 with it: force on A, so that
 * both float to port 4500 and Quick Mode takes the UDP encapsulation
 * modes); bit 7: ike_frag force on both, so that large messages go as
 * fragments and fragments sent to B are reassembled, ikev1_frag.c), then
 * records of
 * [op][len][len bytes]:
 *   op 0  raw datagram to B from A's address
 *   op 1  raw datagram to A from B's address
 *   op 2  to B with B's SA's cookies and exchange, encrypted with its
 *         keys: [first payload] + payloads
 *   op 3  advance the clock by len * 500 ms
 *   op 4  Quick Mode to B under the established ISAKMP SA: [M-ID 4]
 *         [next payload] + payloads; the harness puts a correct HASH(1)
 *         before them and encrypts with that M-ID's IV
 *   op 7  as op 4, an Informational (notifies such as DPD's R-U-THERE,
 *         DELETE)
 *   op 5  A starts Quick Mode (an ACQUIRE for 10.1/16 -> 10.2/16)
 *   op 6  Quick Mode options from the record's first byte: bit 0 A's
 *         sainfo wants PFS (group 2), bit 1 B's does, bit 2 B's ISAKMP
 *         SA has generate_policy, bit 3 both sainfos offer AH too (after
 *         ESP, B's first), bit 4 op 5's ACQUIRE is for AH, bit 5 B's
 *         sainfo has compression_algorithm deflate (it takes IPCOMP
 *         proposals), bits 6-7 B's proposal_check (obey, strict, claim,
 *         exact)
 * B's SPD has an ESP tunnel policy 10.2/16 -> 10.1/16, so that A's
 * Quick Mode reaches installation.
 * After each record the engines exchange what they sent. FUZZ_LOG_ECHO
 * in the environment prints the engines' log (to check a seed's path).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ipsec.h>

#include "../unit/fake_kernel.c"
#include "../unit/cert_fixture.c"
#include "../../ikd/ikev1_int.h"

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
static bool acquire_ah;

static void net_send(void *arg, const struct ikd_addr *local,
		     const struct ikd_addr *remote, const uint8_t *buf,
		     size_t len)
{
	struct pkt *k;

	(void)arg;
	if (nq >= QMAX || !(k = malloc(sizeof(*k) + len)))
		return;
	k->from = *local;
	k->to = *remote;
	k->len = len;
	memcpy(k->data, buf, len);
	q[nq++] = k;
}

/* Delivers up to @max datagrams (UINT32_MAX: until quiet). */
static void run(uint32_t max)
{
	for (uint32_t n = 0; nq && n < max && n < 200; n++) {
		struct pkt *k = q[0];
		struct node *to = ikd_addr_eq_noport(&k->to, &a.addr) ? &a : &b;

		memmove(q, q + 1, --nq * sizeof(q[0]));
		ikev1_receive(to->e, &k->to, &k->from, k->data, k->len);
		free(k);
	}
}

static const struct ike_peer_cfg *cb_peer(void *arg,
					  const struct ikd_addr *l,
					  const struct ikd_addr *r)
{
	(void)l;
	(void)r;
	return &((struct node *)arg)->cfg;
}

static int cb_psk(void *arg, const struct ike_peer_cfg *peer,
		  const struct ike_id *id, const struct ikd_addr *remote,
		  uint8_t *key, size_t cap, size_t *len)
{
	(void)arg;
	(void)peer;
	(void)id;
	(void)remote;
	*len = 6;
	if (cap < 6)
		return -ENOENT;
	memcpy(key, "secret", 6);
	return 0;
}

static const struct ike_child_cfg *cb_child(void *arg,
					    const struct ike_peer_cfg *p,
					    const struct ikd_sel *s)
{
	(void)p;
	(void)s;
	return &((struct node *)arg)->ccfg;
}

static void child_init(struct node *n)
{
	static const struct ike_child_cfg esp = {
		.nprop = 1,
		.prop[0] = { .proto = IKE_PROTO_ESP, .nencr = 1, .ninteg = 1,
			     .encr[0] = { IKE_ENCR_AES_CBC, 128 },
			     .integ[0] = IKE_AUTH_HMAC_SHA1_96 },
		.hard_secs = 3600,
	};

	n->ccfg = esp;
}

/* B's own policy (as setkey would have put it): A's ACQUIRE's mirror. */
static void b_policy(void)
{
	struct ikd_kernel_policy p = { .dir = IKD_DIR_OUT,
				       .action = IPSEC_POLICY_IPSEC,
				       .nreqs = 1 };

	ikd_addr_parse(&p.sel.src, "10.2.0.0");
	ikd_addr_parse(&p.sel.dst, "10.1.0.0");
	p.sel.src_plen = p.sel.dst_plen = 16;
	p.sel.proto = 255;
	p.req[0] = (struct ikd_kernel_req){ .proto = IPPROTO_ESP,
					    .mode = IKD_MODE_TUNNEL,
					    .level = IPSEC_LEVEL_UNIQUE,
					    .reqid = 7 };
	fake_kernel_add_policy(b.k, &p);
}

static void qm_options(uint8_t f)
{
	static const struct ike_child_prop_cfg ah = {
		.proto = IKE_PROTO_AH, .ninteg = 1,
		.integ[0] = IKE_AUTH_HMAC_SHA2_256_128 };

	a.ccfg.pfs_group = f & 1 ? 2 : 0;
	b.ccfg.pfs_group = f & 2 ? 2 : 0;
	b.ccfg.ipcomp = f & 32;
	if (b.e->v1_sas) {
		b.e->v1_sas->cfg.generate_policy = f & 4;
		b.e->v1_sas->cfg.v1.check = f >> 6;
	}
	if (f & 8) {
		a.ccfg.prop[1] = ah;
		b.ccfg.prop[1] = b.ccfg.prop[0];
		b.ccfg.prop[0] = ah;
		a.ccfg.nprop = b.ccfg.nprop = 2;
	}
	acquire_ah = f & 16;
}

static void no_keepalive(void *arg, const struct ikd_addr *local,
			 const struct ikd_addr *remote)
{
	(void)arg;
	(void)local;
	(void)remote;
}

static void node_init(struct node *n, const char *ip, const struct node *o,
		      uint8_t mode)
{
	struct ike_env env = {
		.timers = &clock_.ops, .arg = n, .send = net_send,
		.peer_by_addr = cb_peer, .psk = cb_psk, .child_cfg = cb_child,
		.keepalive = no_keepalive,
	};

	memset(&n->cfg, 0, sizeof(n->cfg));
	ikd_addr_parse(&n->addr, ip);
	n->addr.port = 500;
	n->k = fake_kernel_new(0xa0000000);
	env.kernel = &n->k->base;
	n->cfg.ike_version = 1;
	n->cfg.remote = o ? o->addr : n->addr;
	n->cfg.retrans.counter = 2;
	n->cfg.retrans.interval_ms = 1000;
	n->cfg.v1.nxmode = 1;
	n->cfg.v1.xmode[0] = mode;
	n->cfg.v1.check = IKE_V1_CHECK_STRICT;
	n->cfg.v1.nprop = 1;
	/* A small group keeps each run fast. */
	n->cfg.v1.prop[0] = (struct ike_v1_prop_cfg){
		OAKLEY_ENC_AES, 128, OAKLEY_HASH_SHA1, OAKLEY_AUTH_PSK, 2, 3600 };
	child_init(n);
	n->e = ike_engine_new(&env);
}

/* rsasig's files, made at the first run that asks for them. */
static char cert_dir[128];

static void rm_certs(void)
{
	fx_rmdir(cert_dir);
}

static void make_certs(void)
{
	const char *const names[2] = { "a", "b" };
	char file[16];

	if (cert_dir[0])
		return;
	fx_dir(cert_dir, sizeof(cert_dir));
	atexit(rm_certs);
	for (int i = 0; i < 2; i++) {
		EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
		X509 *x = k ? fx_cert(names[i], k, NULL, NULL, NULL, 1, -1, 30) :
			      NULL;

		if (!x)
			abort();
		snprintf(file, sizeof(file), "%s.pem", names[i]);
		fx_write_cert(cert_dir, file, x, false);
		snprintf(file, sizeof(file), "%s.key", names[i]);
		fx_write_key(cert_dir, file, k);
		X509_free(x);
		EVP_PKEY_free(k);
	}
}

/* @n signs with @mine's certificate and pins @theirs'. */
static void use_rsasig(struct node *n, const char *mine, const char *theirs)
{
	struct ike_cert_cfg *cc = &n->cfg.cert;

	make_certs();
	n->cfg.auth = IKE_CFG_AUTH_CERT;
	n->cfg.v1.prop[0].auth = OAKLEY_AUTH_RSA_SIG;
	snprintf(cc->cert, sizeof(cc->cert), "%s/%s.pem", cert_dir, mine);
	snprintf(cc->key, sizeof(cc->key), "%s/%s.key", cert_dir, mine);
	snprintf(cc->peer_cert, sizeof(cc->peer_cert), "%s/%s.pem", cert_dir,
		 theirs);
	cc->verify_cert = cc->send_cert = cc->send_cr = true;
	n->cfg.my_id.type = n->cfg.peer_id.type = IPSEC_ID_DER_ASN1_DN;
}

/* Encrypts @body (first payload type, then payloads) as B expects. */
static void sealed_to_b(const uint8_t *body, size_t len)
{
	struct ikev1_sa *sa = b.e->v1_sas;
	uint8_t msg[IKEV1_MSG_MAX];
	struct ikev1_iv iv;
	struct ike_wbuf w;
	struct isakmp_builder h;
	size_t clen;

	if (!sa || !sa->have_keys || len < 1 || len > 2048)
		return;
	iv = sa->iv;	/* B's own chain: B decrypts with it */
	ike_wbuf_init(&w, msg, sizeof(msg));
	isakmp_build_hdr(&h, &w, sa->cky_i, sa->cky_r, sa->mode,
			 ISAKMP_FLAG_E, 0);
	ike_wbuf_set8(&w, 16, body[0]);
	if (w.err || iv.pending ||
	    ikev1_encrypt(&sa->k, &iv, 0, body + 1, len - 1,
			  msg + ISAKMP_HDR_LEN, sizeof(msg) - ISAKMP_HDR_LEN,
			  &clen))
		return;
	ike_wbuf_set32(&w, 24, (uint32_t)(ISAKMP_HDR_LEN + clen));
	ikev1_receive(b.e, &b.addr, &a.addr, msg, ISAKMP_HDR_LEN + clen);
}

/* Quick Mode (or, @exch, an Informational: its HASH(1) is made the same
 * way, RFC 2409 5.7) to B under its ISAKMP SA. */
static void protected_to_b(uint8_t exch, const uint8_t *d, size_t len)
{
	struct ikev1_sa *sa = b.e->v1_sas;
	uint8_t plain[2100], msg[IKEV1_MSG_MAX];
	size_t plen, hl, clen;
	struct ikev1_iv iv;
	struct ike_wbuf w;
	struct isakmp_builder h;
	uint32_t msgid;

	if (!sa || sa->state != V1_ESTABLISHED || len < 5 || len > 2000)
		return;
	msgid = ((uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 |
		 (uint32_t)d[2] << 8 | d[3]) | 1;
	hl = 4 + sa->k.prflen;
	plain[0] = d[4];
	plain[1] = 0;
	plain[2] = (uint8_t)(hl >> 8);
	plain[3] = (uint8_t)hl;
	memcpy(plain + hl, d + 5, len - 5);
	plen = hl + len - 5;
	if (ikev1_qm_hash1(&sa->k, msgid,
			   (struct ike_span){ plain + hl, len - 5 }, plain + 4) ||
	    ikev1_iv_exchange(&iv, &sa->k, &sa->iv, msgid))
		return;
	ike_wbuf_init(&w, msg, sizeof(msg));
	isakmp_build_hdr(&h, &w, sa->cky_i, sa->cky_r, exch, ISAKMP_FLAG_E,
			 msgid);
	ike_wbuf_set8(&w, 16, ISAKMP_PL_HASH);
	if (w.err || ikev1_encrypt(&sa->k, &iv, msgid, plain, plen,
				   msg + ISAKMP_HDR_LEN,
				   sizeof(msg) - ISAKMP_HDR_LEN, &clen))
		return;
	ike_wbuf_set32(&w, 24, (uint32_t)(ISAKMP_HDR_LEN + clen));
	ikev1_receive(b.e, &b.addr, &a.addr, msg, ISAKMP_HDR_LEN + clen);
}

static void quick_from_a(void)
{
	struct ikd_acquire acq = { .proto = acquire_ah ? IPPROTO_AH :
					    IPPROTO_ESP,
				   .mode = IKD_MODE_TUNNEL, .src = a.addr,
				   .dst = b.addr };

	ikd_addr_parse(&acq.pol.sel.src, "10.1.0.0");
	ikd_addr_parse(&acq.pol.sel.dst, "10.2.0.0");
	acq.pol.sel.src_plen = acq.pol.sel.dst_plen = 16;
	ikev1_qm_initiate(a.e, &acq);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t mode;

	if (size < 1)
		return 0;
	mode = data[0] & 1 ? ISAKMP_EXCH_AGGRESSIVE : ISAKMP_EXCH_IDPROT;
	fake_timers_init(&clock_);
	fake_log_reset();
	fake_log_echo = getenv("FUZZ_LOG_ECHO");	/* seeing a seed's path */
	node_init(&a, "192.0.2.1", NULL, mode);
	node_init(&b, "192.0.2.2", &a, mode);
	a.cfg.remote = b.addr;
	if (!a.e || !b.e)
		abort();
	if (data[0] & 0x20) {
		a.cfg.nat_traversal = data[0] & 0x40 ? IKE_NATT_FORCE :
						      IKE_NATT_ON;
		b.cfg.nat_traversal = IKE_NATT_ON;
		a.cfg.natt_keepalive_secs = b.cfg.natt_keepalive_secs = 20;
	}
	if (data[0] & 0x10) {
		use_rsasig(&a, "a", "b");
		use_rsasig(&b, "b", "a");
	}
	if (data[0] & 0x80)
		a.cfg.ike_frag = b.cfg.ike_frag = IKE_FRAG_FORCE;
	acquire_ah = false;
	b_policy();
	ikev1_initiate(a.e, &a.cfg, &a.addr, &b.addr);
	run((data[0] >> 1) & 7);
	data++;
	size--;
	while (size >= 2) {
		uint8_t op = data[0];
		size_t len = data[1];

		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		switch (op & 7) {
		case 0:
			ikev1_receive(b.e, &b.addr, &a.addr, data, len);
			break;
		case 1:
			ikev1_receive(a.e, &a.addr, &b.addr, data, len);
			break;
		case 2:
			sealed_to_b(data, len);
			break;
		case 3:
			fake_timers_advance(&clock_, (uint64_t)len * 500);
			break;
		case 4:
			protected_to_b(ISAKMP_EXCH_QUICK, data, len);
			break;
		case 7:
			protected_to_b(ISAKMP_EXCH_INFO, data, len);
			break;
		case 5:
			quick_from_a();
			break;
		case 6:
			qm_options(len ? data[0] : 0);
			break;
		}
		run(UINT32_MAX);
		data += len;
		size -= len;
	}
	ike_engine_free(a.e);
	ike_engine_free(b.e);
	while (nq)
		free(q[--nq]);
	if (clock_.armed)
		abort();	/* a timer outlived its engine */
	fake_timers_clear(&clock_);
	fake_kernel_free(a.k);
	fake_kernel_free(b.k);
	return 0;
}
