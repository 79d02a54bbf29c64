// SPDX-License-Identifier: BSD-2-Clause
/*
 * NAT traversal in the IKE engine (RFC 7296 2.23, RFC 3948): two engines
 * in one process as in test_ike_exchange.c, with an optional NAT in front
 * of A that rewrites A's source address and port (and back), as an
 * iptables MASQUERADE does; the test can change its mapping. Assertions
 * on the wire (NAT_DETECTION notifies, ports), both fake kernels (ESP in
 * UDP ports) and the logs.
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
#include <linux/ipsec.h>
#include <cmocka.h>

#include "fake_kernel.c"
#include "../../ikd/ike.h"
#include "../../ikd/ike_int.h"	/* white-box: ike_natt_hash */

#define QMAX	64

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
	unsigned int keepalives;
	struct ikd_addr ka_from, ka_to;
};

struct world {
	struct fake_timers t;
	struct peer a, b;
	struct pkt *q[QMAX];
	unsigned int nq;
	bool nat;			/* A is behind a NAT */
	struct ikd_addr pub;		/* the NAT's public address */
	uint16_t map_base;		/* A's port p leaves as map_base + p */
	unsigned int natd_sent;		/* NAT_DETECTION notifies on the wire */
	unsigned int auth_from_4500;	/* IKE_AUTH requests from port 4500 */
};

/* --- the network, with the NAT ------------------------------------------ */

static unsigned int count_natd(const uint8_t *buf, size_t len)
{
	struct ike_msg *m = malloc(sizeof(*m));
	unsigned int n = 0;

	assert_non_null(m);
	if (!ike_msg_parse(m, buf, len))
		for (unsigned int i = 0; i < m->nnotify; i++)
			n += m->notify[i].type == IKE_N_NAT_DETECTION_SOURCE_IP ||
			     m->notify[i].type == IKE_N_NAT_DETECTION_DESTINATION_IP;
	free(m);
	return n;
}

static void net_send(void *arg, const struct ikd_addr *local,
		     const struct ikd_addr *remote, const uint8_t *buf,
		     size_t len)
{
	struct peer *p = arg;
	struct world *w = p->w;
	struct pkt *k;

	assert_true(len >= 28);
	if (buf[18] == IKE_SA_INIT)
		w->natd_sent += count_natd(buf, len);
	if (buf[18] == IKE_AUTH && !(buf[19] & IKE_FLAG_R) &&
	    local->port == 4500 && remote->port == 4500)
		w->auth_from_4500++;
	assert_true(w->nq < QMAX);
	k = malloc(sizeof(*k) + len);
	assert_non_null(k);
	k->from = *local;
	k->to = *remote;
	k->len = len;
	memcpy(k->data, buf, len);
	w->q[w->nq++] = k;
}

static void net_keepalive(void *arg, const struct ikd_addr *local,
			  const struct ikd_addr *remote)
{
	struct peer *p = arg;

	p->keepalives++;
	p->ka_from = *local;
	p->ka_to = *remote;
}

/* The NAT: A's datagrams leave from pub:map_base+port; datagrams to pub
 * go back to A's port. */
static void deliver(struct world *w, struct pkt *k)
{
	struct peer *to = NULL;

	if (w->nat && ikd_addr_eq_noport(&k->from, &w->a.addr)) {
		uint16_t p = k->from.port;

		k->from = w->pub;
		k->from.port = (uint16_t)(w->map_base + p);
	}
	if (w->nat && ikd_addr_eq_noport(&k->to, &w->pub) &&
	    k->to.port >= w->map_base) {
		uint16_t p = (uint16_t)(k->to.port - w->map_base);

		k->to = w->a.addr;
		k->to.port = p;
	}
	if (ikd_addr_eq_noport(&k->to, &w->a.addr))
		to = &w->a;
	else if (ikd_addr_eq_noport(&k->to, &w->b.addr))
		to = &w->b;
	else
		fail_msg("datagram to an unknown address");
	ike_engine_receive(to->e, &k->to, &k->from, k->data, k->len);
	free(k);
}

static void run(struct world *w)
{
	for (unsigned int rounds = 0; w->nq && rounds < 1000; rounds++) {
		struct pkt *k = w->q[0];

		memmove(w->q, w->q + 1, --w->nq * sizeof(w->q[0]));
		deliver(w, k);
	}
	assert_int_equal(w->nq, 0);
}

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

/* --- configuration ------------------------------------------------------- */

static const struct ike_peer_cfg *cb_peer(void *arg,
					  const struct ikd_addr *local,
					  const struct ikd_addr *remote)
{
	(void)local;
	(void)remote;
	return &((struct peer *)arg)->cfg;
}

static int cb_psk(void *arg, const struct ike_peer_cfg *peer,
		  const struct ike_id *id, const struct ikd_addr *remote,
		  uint8_t *key, size_t cap, size_t *len)
{
	static const char psk[] = "natt test key";

	(void)arg;
	(void)peer;
	(void)id;
	(void)remote;
	assert_true(cap >= sizeof(psk));
	memcpy(key, psk, sizeof(psk) - 1);
	*len = sizeof(psk) - 1;
	return 0;
}

static const struct ike_child_cfg *cb_child(void *arg,
					    const struct ike_peer_cfg *peer,
					    const struct ikd_sel *sel)
{
	(void)peer;
	(void)sel;
	return &((struct peer *)arg)->ccfg;
}

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

static void default_cfg(struct peer *p, const struct peer *other)
{
	struct ike_peer_cfg *c = &p->cfg;
	struct ike_child_cfg *cc = &p->ccfg;

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "to-%s", other->name);
	c->ike_version = 2;
	c->local = p->addr;
	/* A knows B's address; B takes A from wherever (anonymous). */
	if (p->name[0] == 'A')
		c->remote = other->addr;
	fqdn(&c->my_id, p->name[0] == 'A' ? "a.example.org" : "b.example.org");
	c->nprop = 1;
	c->prop[0].nencr = 1;
	c->prop[0].encr[0] = (struct ike_encr_alg){ IKE_ENCR_AES_GCM_16, 256 };
	c->prop[0].nprf = 1;
	c->prop[0].prf[0] = IKE_PRF_HMAC_SHA2_256;
	c->prop[0].ndh = 1;
	c->prop[0].dh[0] = IKE_DH_CURVE25519;
	c->retrans.counter = 3;
	c->retrans.interval_ms = 1000;
	c->nat_traversal = IKE_NATT_ON;
	c->natt_keepalive_secs = 20;

	memset(cc, 0, sizeof(*cc));
	cc->nprop = 1;
	cc->prop[0].proto = IKE_PROTO_ESP;
	cc->prop[0].nencr = 1;
	cc->prop[0].encr[0] = (struct ike_encr_alg){ IKE_ENCR_AES_GCM_16, 128 };
	cc->replay_window = 32;
	cc->mode = 0;
	p->cfg.generate_policy = true;
}

static struct world *new_world(bool nat)
{
	struct world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	fake_timers_init(&w->t);
	fake_log_reset();
	w->a.name = "A";
	w->b.name = "B";
	w->a.w = w->b.w = w;
	w->nat = nat;
	addr(&w->a.addr, nat ? "192.168.1.2" : "203.0.113.1");
	addr(&w->b.addr, "203.0.113.2");
	addr(&w->pub, "203.0.113.1");
	w->map_base = 40000;
	w->a.addr.port = w->b.addr.port = 500;
	w->a.k = fake_kernel_new(0xa0000000);
	w->b.k = fake_kernel_new(0xb0000000);
	default_cfg(&w->a, &w->b);
	default_cfg(&w->b, &w->a);
	return w;
}

static void start_peer(struct world *w, struct peer *p)
{
	struct ike_env env = {
		.kernel = &p->k->base,
		.timers = &w->t.ops,
		.arg = p,
		.send = net_send,
		.keepalive = net_keepalive,
		.peer_by_addr = cb_peer,
		.psk = cb_psk,
		.child_cfg = cb_child,
	};

	p->e = ike_engine_new(&env);
	assert_non_null(p->e);
}

static void free_world(struct world *w)
{
	ike_engine_free(w->a.e);
	ike_engine_free(w->b.e);
	while (w->nq)
		free(w->q[--w->nq]);
	assert_int_equal(w->t.armed, 0);
	fake_timers_clear(&w->t);
	fake_kernel_free(w->a.k);
	fake_kernel_free(w->b.k);
	free(w);
}

/* A tunnel from A's 10.1/16 to B's 10.2/16: A's policy and ACQUIRE (B
 * generates its policies from the proposal). */
static void establish(struct world *w)
{
	struct ikd_acquire acq = { 0 };

	start_peer(w, &w->a);
	start_peer(w, &w->b);
	acq.pol.dir = IKD_DIR_OUT;
	acq.pol.action = IPSEC_POLICY_IPSEC;
	addr(&acq.pol.sel.src, "10.1.0.0");
	addr(&acq.pol.sel.dst, "10.2.0.0");
	acq.pol.sel.src_plen = acq.pol.sel.dst_plen = 16;
	acq.pol.sel.proto = 255;
	acq.pol.nreqs = 1;
	acq.pol.req[0].proto = IPPROTO_ESP;
	acq.pol.req[0].mode = IKD_MODE_TUNNEL;
	acq.pol.req[0].level = IPSEC_LEVEL_REQUIRE;
	acq.pol.req[0].tsrc = w->a.addr;
	acq.pol.req[0].tdst = w->b.addr;
	acq.pol.req[0].tsrc.port = acq.pol.req[0].tdst.port = 0;
	acq.pol.id = fake_kernel_add_policy(w->a.k, &acq.pol);
	acq.seq = 7;
	acq.proto = IPPROTO_ESP;
	acq.mode = IKD_MODE_TUNNEL;
	acq.src = w->a.addr;
	acq.dst = w->b.addr;
	acq.src.port = acq.dst.port = 0;
	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg), 0);
	run(w);
}

/* The installed SA of @p's kernel towards @dst (outbound) or from it. */
static struct fake_sa *sa_dir(struct peer *p, bool out)
{
	for (unsigned int i = 0; i < p->k->nsa; i++) {
		struct fake_sa *s = &p->k->sad[i];
		bool to_me = ikd_addr_eq_noport(&s->sa.dst, &p->addr);

		if (!s->larval && to_me != out)
			return s;
	}
	fake_log_dump();
	fail_msg("%s: no %s SA", p->name, out ? "outbound" : "inbound");
	return NULL;
}

static int get_sa(void *arg, const struct ike_sa_info *si)
{
	struct ike_sa_info *out = arg;

	*out = *si;
	return 0;
}

static struct ike_sa_info ike_sa_of(struct peer *p)
{
	struct ike_sa_info si = { 0 };

	assert_int_equal(ike_engine_foreach(p->e, get_sa, NULL, &si), 0);
	assert_non_null(si.state);
	assert_string_equal(si.state, "established");
	return si;
}

static void expect_encap(struct fake_sa *s, uint16_t sport, uint16_t dport)
{
	assert_int_equal(s->sa.encap_sport, sport);
	assert_int_equal(s->sa.encap_dport, dport);
}

/* --- the cases ---------------------------------------------------------- */

/* SHA-1(SPIi | SPIr | IP | port), the vectors computed apart from the
 * engine (Python's hashlib over the same bytes). */
static void test_natd_hash_vectors(void **state)
{
	static const uint8_t v4[IKE_SHA1_LEN] = {
		0xd7, 0x98, 0xd9, 0x86, 0x14, 0x3f, 0x87, 0x8f, 0x70, 0x76,
		0x5e, 0x0e, 0x86, 0x9c, 0x80, 0xbb, 0xc3, 0x75, 0xf7, 0x01 };
	static const uint8_t v6[IKE_SHA1_LEN] = {
		0x98, 0xc7, 0x54, 0x83, 0xdb, 0x80, 0x16, 0x86, 0x97, 0x63,
		0x5a, 0xa7, 0x84, 0x45, 0x04, 0x96, 0x3e, 0x87, 0xde, 0x33 };
	uint8_t h[IKE_SHA1_LEN];
	struct ikd_addr a;

	(void)state;
	addr(&a, "192.0.2.1");
	a.port = 500;
	assert_int_equal(ike_natt_hash(0x0102030405060708ULL,
				       0x1112131415161718ULL, &a, h), 0);
	assert_memory_equal(h, v4, sizeof(h));
	addr(&a, "2001:db8::1");
	a.port = 4500;
	assert_int_equal(ike_natt_hash(0x0102030405060708ULL, 0, &a, h), 0);
	assert_memory_equal(h, v6, sizeof(h));
	/* the port counts */
	a.port = 4501;
	assert_int_equal(ike_natt_hash(0x0102030405060708ULL, 0, &a, h), 0);
	assert_memory_not_equal(h, v6, sizeof(h));
}

static void test_no_nat(void **state)
{
	struct world *w = new_world(false);
	struct ike_sa_info si;

	(void)state;
	establish(w);
	/* both IKE_SA_INIT messages carry both notifies */
	assert_int_equal(w->natd_sent, 4);
	assert_true(fake_log_has("no NAT between us and 203.0.113.2[500]"));
	assert_true(fake_log_has("no NAT between us and 203.0.113.1[500]"));
	assert_false(fake_log_has("NAT detected"));
	assert_int_equal(w->auth_from_4500, 0);
	si = ike_sa_of(&w->a);
	assert_int_equal(si.local.port, 500);
	assert_int_equal(si.remote.port, 500);
	expect_encap(sa_dir(&w->a, true), 0, 0);
	expect_encap(sa_dir(&w->a, false), 0, 0);
	expect_encap(sa_dir(&w->b, true), 0, 0);
	wait_ms(w, 60000);
	assert_int_equal(w->a.keepalives + w->b.keepalives, 0);
	free_world(w);
}

static void test_initiator_behind_nat(void **state)
{
	struct world *w = new_world(true);
	struct ike_sa_info si;

	(void)state;
	establish(w);
	assert_int_equal(w->natd_sent, 4);
	assert_true(fake_log_has("NAT detected: this host is behind a NAT "
				 "(towards 203.0.113.2[500])"));
	assert_true(fake_log_has("NAT detected: the peer 203.0.113.1[40500] is "
				 "behind a NAT"));
	assert_true(fake_log_has("NAT-T: IKE moves to 192.168.1.2[4500]-"
				 "203.0.113.2[4500]"));
	/* IKE_AUTH went from 4500 to 4500; B answers where it came from */
	assert_int_equal(w->auth_from_4500, 1);
	si = ike_sa_of(&w->a);
	assert_int_equal(si.local.port, 4500);
	assert_int_equal(si.remote.port, 4500);
	si = ike_sa_of(&w->b);
	assert_int_equal(si.local.port, 4500);
	assert_int_equal(si.remote.port, 44500);
	/* ESP in UDP between the IKE SA's ports, as each side sees them */
	expect_encap(sa_dir(&w->a, true), 4500, 4500);
	expect_encap(sa_dir(&w->a, false), 4500, 4500);
	expect_encap(sa_dir(&w->b, true), 4500, 44500);
	expect_encap(sa_dir(&w->b, false), 44500, 4500);
	/* keepalives: only A, which is behind the NAT, every 20 s */
	wait_ms(w, 20000);
	assert_int_equal(w->a.keepalives, 1);
	wait_ms(w, 40000);
	assert_int_equal(w->a.keepalives, 3);
	assert_int_equal(w->b.keepalives, 0);
	assert_int_equal(w->a.ka_from.port, 4500);
	assert_int_equal(w->a.ka_to.port, 4500);
	assert_true(ikd_addr_eq_noport(&w->a.ka_to, &w->b.addr));
	free_world(w);
}

/* force: no NAT, yet A's source hash cannot match, so B sees a "NAT" in
 * front of A and both encapsulate; A sends no keepalives (it is not
 * behind one). */
static void test_force(void **state)
{
	struct world *w = new_world(false);

	(void)state;
	w->a.cfg.nat_traversal = IKE_NATT_FORCE;
	establish(w);
	assert_true(fake_log_has("no NAT between us and 203.0.113.2[500]; "
				 "NAT-T forced"));
	assert_true(fake_log_has("NAT detected: the peer 203.0.113.1[500] is "
				 "behind a NAT"));
	assert_int_equal(w->auth_from_4500, 1);
	expect_encap(sa_dir(&w->a, true), 4500, 4500);
	expect_encap(sa_dir(&w->b, true), 4500, 4500);
	expect_encap(sa_dir(&w->b, false), 4500, 4500);
	wait_ms(w, 60000);
	assert_int_equal(w->a.keepalives + w->b.keepalives, 0);
	free_world(w);
}

/* off on either side: no NAT_DETECTION from that side, no NAT-T, IKE
 * stays on 500 (through the NAT), ESP is not encapsulated. */
static void test_off(void **state)
{
	for (int side = 0; side < 2; side++) {
		struct world *w = new_world(true);
		struct ike_sa_info si;

		(void)state;
		(side ? &w->b : &w->a)->cfg.nat_traversal = IKE_NATT_OFF;
		establish(w);
		/* A off: nothing on the wire; B off: A's two, unanswered */
		assert_int_equal(w->natd_sent, side ? 2 : 0);
		if (side)
			assert_true(fake_log_has("sent no NAT_DETECTION notifies"));
		assert_false(fake_log_has("NAT detected"));
		assert_int_equal(w->auth_from_4500, 0);
		si = ike_sa_of(&w->a);
		assert_int_equal(si.local.port, 500);
		expect_encap(sa_dir(&w->a, true), 0, 0);
		expect_encap(sa_dir(&w->b, true), 0, 0);
		free_world(w);
	}
}

/* The NAT forgets A's mapping and gives it another port: A's next
 * liveness check reaches B from the new port; B follows (2.23: A is
 * behind a NAT) and moves its child SAs' ESP in UDP there. */
static void test_mapping_change(void **state)
{
	struct world *w = new_world(true);
	struct ike_sa_info si;

	(void)state;
	w->a.cfg.dpd_delay_secs = 10;
	w->a.cfg.natt_keepalive_secs = 0;
	establish(w);
	expect_encap(sa_dir(&w->b, true), 4500, 44500);
	w->map_base = 50000;
	wait_ms(w, 11000);
	assert_true(fake_log_has("NAT-T: peer of IKE SA"));
	assert_true(fake_log_has("moved from 203.0.113.1[44500] to "
				 "203.0.113.1[54500]: updating its CHILD_SAs"));
	si = ike_sa_of(&w->b);
	assert_int_equal(si.remote.port, 54500);
	expect_encap(sa_dir(&w->b, true), 4500, 54500);
	expect_encap(sa_dir(&w->b, false), 54500, 4500);
	assert_int_equal(fake_kernel_ncalls(w->b.k, FK_UPDATE_ENCAP), 2);
	/* A's side did not change */
	expect_encap(sa_dir(&w->a, true), 4500, 4500);
	assert_int_equal(fake_kernel_ncalls(w->a.k, FK_UPDATE_ENCAP), 0);
	/* still one healthy IKE SA on each side */
	ike_sa_of(&w->a);
	free_world(w);
}

/* The NAT's public address changes: B's IKE SA follows A there, and the
 * responder SA is found under its new address (B hashes responder SAs by
 * the peer's address; a stale bucket would dangle once the SA is freed).
 * Child SAs cannot follow a new address (logged). */
static void test_address_change(void **state)
{
	struct world *w = new_world(true);
	struct ike_sa_info si;

	(void)state;
	w->a.cfg.dpd_delay_secs = 10;
	w->a.cfg.natt_keepalive_secs = 0;
	establish(w);
	si = ike_sa_of(&w->b);
	assert_int_equal(ikd_addr_parse(&w->pub, "203.0.113.9"), 0);
	wait_ms(w, 11000);
	assert_true(fake_log_has("cannot follow the peer: its address changed"));
	si = ike_sa_of(&w->b);
	assert_true(ikd_addr_eq_noport(&si.remote, &w->pub));
	assert_non_null(ike_dos_find_half_open(w->b.e, si.spi_i, &si.remote));
	free_world(w);
}

/* Without a NAT in front of the peer, a message from another port is not
 * followed (2.23): B's answer still goes to A's old port. */
static void test_no_follow_without_nat(void **state)
{
	struct world *w = new_world(false);
	struct ike_sa_info si;

	(void)state;
	w->a.cfg.dpd_delay_secs = 10;
	establish(w);
	/* A's datagrams now come from another port, though no NAT was
	 * detected (A's address is the "NAT's") */
	w->nat = true;
	w->map_base = 1000;
	wait_ms(w, 11000);
	assert_false(fake_log_has("moved from"));
	si = ike_sa_of(&w->b);
	assert_int_equal(si.remote.port, 500);
	assert_int_equal(fake_kernel_ncalls(w->b.k, FK_UPDATE_ENCAP), 0);
	free_world(w);
}

/* Over IPv6 NAT-T is off whatever the configuration: no notifies, no
 * ESP in UDP (kipsec.ko has ESP in UDP for IPv4 only). */
static void test_ipv6_stays_off(void **state)
{
	struct world *w = new_world(false);

	(void)state;
	addr(&w->a.addr, "2001:db8::a");
	addr(&w->b.addr, "2001:db8::b");
	w->a.addr.port = w->b.addr.port = 500;
	default_cfg(&w->a, &w->b);
	default_cfg(&w->b, &w->a);
	w->a.cfg.nat_traversal = w->b.cfg.nat_traversal = IKE_NATT_FORCE;
	start_peer(w, &w->a);
	start_peer(w, &w->b);
	{
		struct ikd_acquire acq = { 0 };

		acq.pol.dir = IKD_DIR_OUT;
		acq.pol.action = IPSEC_POLICY_IPSEC;
		addr(&acq.pol.sel.src, "2001:db8:1::");
		addr(&acq.pol.sel.dst, "2001:db8:2::");
		acq.pol.sel.src_plen = acq.pol.sel.dst_plen = 48;
		acq.pol.sel.proto = 255;
		acq.pol.nreqs = 1;
		acq.pol.req[0].proto = IPPROTO_ESP;
		acq.pol.req[0].mode = IKD_MODE_TUNNEL;
		acq.pol.req[0].level = IPSEC_LEVEL_REQUIRE;
		acq.pol.req[0].tsrc = w->a.addr;
		acq.pol.req[0].tdst = w->b.addr;
		acq.pol.req[0].tsrc.port = acq.pol.req[0].tdst.port = 0;
		acq.pol.id = fake_kernel_add_policy(w->a.k, &acq.pol);
		acq.proto = IPPROTO_ESP;
		acq.mode = IKD_MODE_TUNNEL;
		acq.src = w->a.addr;
		acq.dst = w->b.addr;
		acq.src.port = acq.dst.port = 0;
		assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg), 0);
		run(w);
	}
	assert_int_equal(w->natd_sent, 0);
	assert_int_equal(w->auth_from_4500, 0);
	expect_encap(sa_dir(&w->a, true), 0, 0);
	expect_encap(sa_dir(&w->b, true), 0, 0);
	free_world(w);
}

/* --- transport mode (2.23.1) ---------------------------------------- */

/* A host-to-host transport child from A's own address to B's: A's policy
 * and ACQUIRE, as setkey's `esp/transport//require` makes them. */
static void establish_transport(struct world *w)
{
	struct ikd_acquire acq = { 0 };

	start_peer(w, &w->a);
	start_peer(w, &w->b);
	acq.pol.dir = IKD_DIR_OUT;
	acq.pol.action = IPSEC_POLICY_IPSEC;
	acq.pol.sel.src = w->a.addr;
	acq.pol.sel.dst = w->b.addr;
	acq.pol.sel.src.port = acq.pol.sel.dst.port = 0;
	acq.pol.sel.src_plen = acq.pol.sel.dst_plen = 32;
	acq.pol.sel.proto = 255;
	acq.pol.nreqs = 1;
	acq.pol.req[0].proto = IPPROTO_ESP;
	acq.pol.req[0].mode = IKD_MODE_TRANSPORT;
	acq.pol.req[0].level = IPSEC_LEVEL_REQUIRE;
	acq.pol.id = fake_kernel_add_policy(w->a.k, &acq.pol);
	acq.seq = 7;
	acq.proto = IPPROTO_ESP;
	acq.mode = IKD_MODE_TRANSPORT;
	acq.src = acq.pol.sel.src;
	acq.dst = acq.pol.sel.dst;
	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg), 0);
	run(w);
}

static void expect_addr(const struct ikd_addr *a, const char *want)
{
	char b[IKD_ADDR_STRLEN];

	assert_string_equal(ikd_addr_str(a, false, b), want);
}

/* An SA's outer addresses and selectors (host-to-host: /32 each). */
static void expect_sa(struct fake_sa *s, const char *src, const char *dst)
{
	assert_int_equal(s->sa.mode, IKD_MODE_TRANSPORT);
	expect_addr(&s->sa.src, src);
	expect_addr(&s->sa.dst, dst);
	expect_addr(&s->sa.sel.src, src);
	expect_addr(&s->sa.sel.dst, dst);
	assert_int_equal(s->sa.sel.src_plen, 32);
	assert_int_equal(s->sa.sel.dst_plen, 32);
}

/* A (192.168.1.2) behind the NAT (203.0.113.1) asks for 192.168.1.2 ===
 * 203.0.113.2. B takes TSi for the NAT's address, generates its policies
 * and SAs with it and answers with it; A takes that for its own address.
 * B's inbound SA has A's private address as NAT-OA; A's has none (its own
 * address was translated: the kernel cannot fix the checksum). */
static void test_transport_behind_nat(void **state)
{
	struct world *w = new_world(true);
	struct fake_sa *in;

	(void)state;
	establish_transport(w);
	assert_true(fake_log_has("NAT-T: transport mode: the peer's selectors "
				 "name 192.168.1.2, taken as 203.0.113.1"));
	assert_true(fake_log_has("NAT-T: transport mode: our selectors name "
				 "203.0.113.1, taken as 192.168.1.2"));
	assert_true(fake_log_has("CHILD_SA established: ESP/Transport "
				 "192.168.1.2->203.0.113.2"));
	/* B: the real outer addresses, ESP in UDP to the NAT's port */
	in = sa_dir(&w->b, false);
	expect_sa(in, "203.0.113.1", "203.0.113.2");
	expect_encap(in, 44500, 4500);
	expect_addr(&in->sa.natt_oa, "192.168.1.2");
	expect_sa(sa_dir(&w->b, true), "203.0.113.2", "203.0.113.1");
	assert_int_equal(sa_dir(&w->b, true)->sa.natt_oa.family, 0);
	/* B's generated policies: in and out, no fwd, the NAT's address */
	assert_int_equal(w->b.k->npol, 2);
	for (unsigned int i = 0; i < 2; i++) {
		const struct ikd_kernel_policy *p = &w->b.k->spd[i];
		bool out = p->dir == IKD_DIR_OUT;

		assert_int_equal(p->req[0].mode, IKD_MODE_TRANSPORT);
		expect_addr(&p->sel.src, out ? "203.0.113.2" : "203.0.113.1");
		expect_addr(&p->sel.dst, out ? "203.0.113.1" : "203.0.113.2");
	}
	/* A: its own addresses, no NAT-OA */
	in = sa_dir(&w->a, false);
	expect_sa(in, "203.0.113.2", "192.168.1.2");
	expect_encap(in, 4500, 4500);
	assert_int_equal(in->sa.natt_oa.family, 0);
	expect_sa(sa_dir(&w->a, true), "192.168.1.2", "203.0.113.2");
	assert_int_equal(fake_kernel_ncalls(w->a.k, FK_SPD_ADD), 0);
	free_world(w);
}

/* B without generate_policy: its own SPD decides, and its transport
 * policy names where the packets come from, the NAT's address. One that
 * names A's private address matches nothing (TS_UNACCEPTABLE). */
static void test_transport_server_spd(void **state)
{
	for (int pub = 1; pub >= 0; pub--) {
		struct world *w = new_world(true);
		struct ikd_kernel_policy p = { 0 };

		(void)state;
		w->b.cfg.generate_policy = false;
		p.dir = IKD_DIR_OUT;
		p.action = IPSEC_POLICY_IPSEC;
		addr(&p.sel.src, "203.0.113.2");
		addr(&p.sel.dst, pub ? "203.0.113.1" : "192.168.1.2");
		p.sel.src_plen = p.sel.dst_plen = 32;
		p.sel.proto = 255;
		p.nreqs = 1;
		p.req[0].proto = IPPROTO_ESP;
		p.req[0].mode = IKD_MODE_TRANSPORT;
		p.req[0].level = IPSEC_LEVEL_REQUIRE;
		fake_kernel_add_policy(w->b.k, &p);
		establish_transport(w);
		if (pub) {
			expect_sa(sa_dir(&w->b, false), "203.0.113.1",
				  "203.0.113.2");
			expect_sa(sa_dir(&w->a, true), "192.168.1.2",
				  "203.0.113.2");
			assert_int_equal(fake_kernel_ncalls(w->b.k, FK_SPD_ADD), 0);
		} else {
			assert_true(fake_log_has("TS_UNACCEPTABLE"));
			assert_int_equal(fake_kernel_count(w->a.k, false), 0);
			assert_int_equal(fake_kernel_count(w->b.k, false), 0);
		}
		free_world(w);
	}
}

/* Without a NAT nothing is substituted and no NAT-OA is given, transport
 * or not; in tunnel mode across a NAT neither (the selectors are inner
 * addresses). */
static void test_transport_no_nat(void **state)
{
	struct world *w = new_world(false);

	(void)state;
	establish_transport(w);
	assert_false(fake_log_has("taken as"));
	expect_sa(sa_dir(&w->b, false), "203.0.113.1", "203.0.113.2");
	expect_encap(sa_dir(&w->b, false), 0, 0);
	assert_int_equal(sa_dir(&w->b, false)->sa.natt_oa.family, 0);
	free_world(w);
	w = new_world(true);
	establish(w);
	assert_false(fake_log_has("taken as"));
	assert_int_equal(sa_dir(&w->b, false)->sa.natt_oa.family, 0);
	free_world(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_natd_hash_vectors),
		cmocka_unit_test(test_no_nat),
		cmocka_unit_test(test_initiator_behind_nat),
		cmocka_unit_test(test_force),
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_mapping_change),
		cmocka_unit_test(test_address_change),
		cmocka_unit_test(test_no_follow_without_nat),
		cmocka_unit_test(test_ipv6_stays_off),
		cmocka_unit_test(test_transport_behind_nat),
		cmocka_unit_test(test_transport_server_spd),
		cmocka_unit_test(test_transport_no_nat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
