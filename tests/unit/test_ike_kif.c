// SPDX-License-Identifier: BSD-2-Clause
/*
 * Route-based tunnels: child SAs of kipsec interfaces (ike_kif.c) between
 * two engines in one process, test_ike_exchange.c's world included whole
 * (its main() renamed). Each fake kernel has its side's interface; the
 * cases check what goes into the kernels: ESP in tunnel mode between the
 * interface's endpoints with its reqid, 0.0.0.0/0 and ::/0 negotiated,
 * no policy read or added; and the failures: a missing interface, one of
 * another kind, an ACQUIRE that is not the interface's. The daemon's
 * lookup of the remote block for an ACQUIRE (config_kif.c) closes it;
 * IKEv1's are test_ikev1_kif.c's.
 */
#define main exchange_main
#include "test_ike_exchange.c"
#undef main

#include "../../ikd/config.h"

#define A_REQID	42
#define B_REQID	43

/* Interface ipsec0 on both sides, from @al to @bl on A and back on B; the
 * remote blocks name it. */
static void kifs(struct world *w, const char *al, const char *bl)
{
	fake_kernel_add_kif(w->a.k, "ipsec0", al, bl, A_REQID);
	fake_kernel_add_kif(w->b.k, "ipsec0", bl, al, B_REQID);
	strcpy(w->a.cfg.ifname, "ipsec0");
	strcpy(w->b.cfg.ifname, "ipsec0");
}

/* The ACQUIRE of a packet routed into an interface without SA
 * (if_kipsec.h): ESP, tunnel, level unique with its reqid, policy id 0. */
static struct ikd_acquire kif_acquire(const char *src, const char *dst,
				      uint32_t reqid)
{
	struct ikd_acquire acq = { 0 };
	struct ikd_kernel_req *r = &acq.pol.req[0];

	acq.seq = 9;
	acq.proto = IPPROTO_ESP;
	acq.mode = IKD_MODE_TUNNEL;
	acq.reqid = reqid;
	addr(&acq.src, src);
	addr(&acq.dst, dst);
	acq.pol.dir = IKD_DIR_OUT;
	acq.pol.action = IPSEC_POLICY_IPSEC;
	acq.pol.sel.src = acq.src;
	acq.pol.sel.dst = acq.dst;
	acq.pol.sel.src_plen = acq.pol.sel.dst_plen =
		(uint8_t)ikd_addr_bits(acq.src.family);
	acq.pol.nreqs = 1;
	r->proto = IPPROTO_ESP;
	r->mode = IKD_MODE_TUNNEL;
	r->level = IPSEC_LEVEL_UNIQUE;
	r->reqid = reqid;
	r->tsrc = acq.src;
	r->tdst = acq.dst;
	return acq;
}

/* @p's kernel holds one pair: ESP, tunnel mode, @reqid both ways, from
 * @l to @r and back; no policy was read or added. Returns the SPIs. */
static void check_kif_pair(struct peer *p, const char *l, const char *r,
			   uint32_t reqid, uint32_t *spi_in, uint32_t *spi_out)
{
	struct ikd_addr la, ra;
	unsigned int nin = 0;

	addr(&la, l);
	addr(&ra, r);
	if (fake_kernel_count(p->k, true) != 2)
		fake_log_dump();
	assert_int_equal(fake_kernel_count(p->k, true), 2);
	for (unsigned int i = 0; i < p->k->nsa; i++) {
		const struct ikd_kernel_sa *s = &p->k->sad[i].sa;
		bool in = ikd_addr_eq_noport(&s->dst, &la);

		assert_false(p->k->sad[i].larval);
		assert_int_equal(s->proto, IPPROTO_ESP);
		assert_int_equal(s->mode, IKD_MODE_TUNNEL);
		assert_int_equal(s->reqid, reqid);
		assert_true(ikd_addr_eq_noport(&s->src, in ? &ra : &la));
		assert_true(ikd_addr_eq_noport(&s->dst, in ? &la : &ra));
		*(in ? spi_in : spi_out) = s->spi;
		nin += in;
	}
	assert_int_equal(nin, 1);
	assert_int_equal(fake_kernel_ncalls(p->k, FK_SPD_DUMP), 0);
	assert_int_equal(fake_kernel_ncalls(p->k, FK_SPD_ADD), 0);
}

/* Both sides' single child has 0.0.0.0/0 and ::/0 on either side. */
static void check_all_ts(struct peer *p)
{
	const struct ike_child *c = p->e->sas->children;
	char a[IKE_TS_STRLEN], b[IKE_TS_STRLEN];

	assert_non_null(c);
	assert_null(c->next);
	assert_string_equal(ike_ts_str(c->local_ts, c->nlocal, a, sizeof(a)),
			    "[0.0.0.0/0, ::/0]");
	assert_string_equal(ike_ts_str(c->remote_ts, c->nremote, b, sizeof(b)),
			    "[0.0.0.0/0, ::/0]");
	assert_string_equal(c->ifname, "ipsec0");
}

static void test_kif_acquire_rekey_delete(void **state)
{
	struct world *w = new_world(false);
	struct ikd_acquire acq;
	uint32_t ai, ao, bi, bo, ai2, ao2, bi2, bo2;

	(void)state;
	kifs(w, "192.0.2.1", "192.0.2.2");
	start(w);
	acq = kif_acquire("192.0.2.1", "192.0.2.2", A_REQID);
	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg), 0);
	run(w);
	expect_counts(&w->a, 1, 1, 1);
	expect_counts(&w->b, 1, 1, 1);
	check_kif_pair(&w->a, "192.0.2.1", "192.0.2.2", A_REQID, &ai, &ao);
	check_kif_pair(&w->b, "192.0.2.2", "192.0.2.1", B_REQID, &bi, &bo);
	assert_int_equal(ao, bi);
	assert_int_equal(bo, ai);
	check_all_ts(&w->a);
	check_all_ts(&w->b);
	assert_true(fake_log_has("[0.0.0.0/0, ::/0] === [0.0.0.0/0, ::/0]"));

	/* The same ACQUIRE again: the child carries it already. */
	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg),
			 -EALREADY);

	/* Rekey: the same paths as an SPD child's, the interface read anew
	 * (A's was created again meanwhile, with another reqid). */
	w->a.k->kifs[0].kif.reqid = A_REQID + 2;
	assert_int_equal(ike_engine_rekey(w->a.e, "to-B", false), 1);
	run(w);
	wait_ms(w, IKE_REKEY_INBOUND_DELAY_MS + 100);
	check_kif_pair(&w->a, "192.0.2.1", "192.0.2.2", A_REQID + 2, &ai2,
		       &ao2);
	check_kif_pair(&w->b, "192.0.2.2", "192.0.2.1", B_REQID, &bi2, &bo2);
	assert_int_equal(ao2, bi2);
	assert_int_equal(bo2, ai2);
	assert_int_not_equal(ai2, ai);
	assert_int_not_equal(bi2, bi);
	check_all_ts(&w->a);
	check_all_ts(&w->b);

	/* A rekey while the interface is gone fails, the child stays. */
	w->a.k->nkif = 0;
	assert_int_equal(ike_engine_rekey(w->a.e, "to-B", false), 0);
	assert_true(fake_log_has("remote \"to-B\": interface ipsec0: no such "
				 "interface"));
	run(w);
	expect_counts(&w->a, 1, 1, 1);
	check_kif_pair(&w->a, "192.0.2.1", "192.0.2.2", A_REQID + 2, &ai, &ao);
	assert_int_equal(ao, ao2);

	/* Delete: both kernels empty, the IKE SA stays. */
	assert_int_equal(ike_engine_delete_children(w->b.e), 1);
	run(w);
	wait_ms(w, IKE_REKEY_INBOUND_DELAY_MS + 100);
	assert_int_equal(fake_kernel_count(w->a.k, true), 0);
	assert_int_equal(fake_kernel_count(w->b.k, true), 0);
	expect_counts(&w->a, 1, 1, 0);
	expect_counts(&w->b, 1, 1, 0);
	free_world(w);
}

/* The interface's remote is not the IKE peer's address: the SAs take the
 * interface's endpoints, IKE stays with the remote block's peer (and
 * goes from the interface's local, as for a policy's ACQUIRE); an EXPIRE
 * of such an SA finds its child. */
static void test_kif_other_endpoints(void **state)
{
	struct world *w = new_world(false);
	struct ikd_acquire acq;
	struct ikd_expire exp = { 0 };
	uint32_t ai, ao, bi, bo;

	(void)state;
	kifs(w, "192.0.2.1", "198.51.100.2");
	start(w);
	acq = kif_acquire("192.0.2.1", "198.51.100.2", 0);
	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg), 0);
	run(w);
	expect_counts(&w->a, 1, 1, 1);
	expect_counts(&w->b, 1, 1, 1);
	check_kif_pair(&w->a, "192.0.2.1", "198.51.100.2", A_REQID, &ai, &ao);
	check_kif_pair(&w->b, "198.51.100.2", "192.0.2.1", B_REQID, &bi, &bo);
	assert_int_equal(ao, bi);
	assert_true(fake_log_has("interface ipsec0 goes to 198.51.100.2, not "
				 "to the IKE peer 192.0.2.2"));
	assert_true(ikd_addr_eq_noport(&w->a.e->sas->remote, &w->b.addr));

	/* A soft EXPIRE of A's outbound SA starts a rekey of that child. */
	exp.proto = IPPROTO_ESP;
	exp.spi = ao;
	addr(&exp.dst, "198.51.100.2");
	addr(&exp.src, "192.0.2.1");
	ike_engine_expire(w->a.e, &exp);
	run(w);
	wait_ms(w, IKE_REKEY_INBOUND_DELAY_MS + 100);
	assert_true(fake_log_has("kernel's soft EXPIRE"));
	check_kif_pair(&w->a, "192.0.2.1", "198.51.100.2", A_REQID, &ai, &ao);
	check_kif_pair(&w->b, "198.51.100.2", "192.0.2.1", B_REQID, &bi, &bo);
	assert_int_equal(ao, bi);
	assert_int_equal(bo, ai);
	free_world(w);
}

/* A policy-based peer proposes its policy's selectors to a remote block
 * with an interface: accepted as they are, installed with the interface's
 * reqid and endpoints, B's SPD never read. */
static void test_kif_responder_accepts(void **state)
{
	struct world *w = new_world(false);
	uint32_t bi, bo;

	(void)state;
	fake_kernel_add_kif(w->b.k, "ipsec0", "192.0.2.2", "192.0.2.1",
			    B_REQID);
	strcpy(w->b.cfg.ifname, "ipsec0");
	start(w);
	establish(w, &nets4, IKD_MODE_TUNNEL);
	expect_counts(&w->a, 1, 1, 1);
	expect_counts(&w->b, 1, 1, 1);
	check_kif_pair(&w->b, "192.0.2.2", "192.0.2.1", B_REQID, &bi, &bo);
	assert_non_null(sa_to(&w->a, &w->b));
	assert_int_equal(sa_to(&w->a, &w->b)->sa.spi, bi);
	/* As proposed: the packet's pair first, then the policy's. */
	assert_true(fake_log_has("CHILD_SA [10.2.0.9/32 icmp, 10.2.0.0/16] === "
				 "[10.1.0.5/32 icmp, 10.1.0.0/16], "
				 "aes-gcm-16-256/esn, reqid 43"));
	free_world(w);
}

static void prefix(struct ikd_prefix *pf, const char *a, uint8_t plen)
{
	addr(&pf->addr, a);
	pf->plen = plen;
}

/* The blocks' own selectors: A proposes its /16s, B takes only its /24
 * of them (narrowing), both install that; a peer proposing what B's
 * block does not cover gets nothing. */
static void test_kif_configured_ts(void **state)
{
	struct world *w = new_world(false);
	struct ikd_acquire acq;
	const struct ike_child *c;
	char a[IKE_TS_STRLEN], b[IKE_TS_STRLEN];
	uint32_t ai, ao, bi, bo;

	(void)state;
	kifs(w, "192.0.2.1", "192.0.2.2");
	prefix(&w->a.cfg.kif_ts[0][0], "10.1.0.0", 16);
	prefix(&w->a.cfg.kif_ts[1][0], "10.2.0.0", 16);
	w->a.cfg.n_kif_ts[0] = w->a.cfg.n_kif_ts[1] = 1;
	prefix(&w->b.cfg.kif_ts[0][0], "10.2.1.0", 24);
	prefix(&w->b.cfg.kif_ts[1][0], "10.0.0.0", 8);
	w->b.cfg.n_kif_ts[0] = w->b.cfg.n_kif_ts[1] = 1;
	start(w);
	acq = kif_acquire("192.0.2.1", "192.0.2.2", A_REQID);
	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg), 0);
	run(w);
	check_kif_pair(&w->a, "192.0.2.1", "192.0.2.2", A_REQID, &ai, &ao);
	check_kif_pair(&w->b, "192.0.2.2", "192.0.2.1", B_REQID, &bi, &bo);
	c = w->b.e->sas->children;
	assert_string_equal(ike_ts_str(c->local_ts, c->nlocal, a, sizeof(a)),
			    "[10.2.1.0/24]");
	assert_string_equal(ike_ts_str(c->remote_ts, c->nremote, b, sizeof(b)),
			    "[10.1.0.0/16]");
	c = w->a.e->sas->children;
	assert_string_equal(ike_ts_str(c->local_ts, c->nlocal, a, sizeof(a)),
			    "[10.1.0.0/16]");
	assert_string_equal(ike_ts_str(c->remote_ts, c->nremote, b, sizeof(b)),
			    "[10.2.1.0/24]");
	free_world(w);

	/* B's block covers none of what A proposes: no child. */
	w = new_world(false);
	kifs(w, "192.0.2.1", "192.0.2.2");
	prefix(&w->b.cfg.kif_ts[1][0], "172.16.0.0", 12);
	w->b.cfg.n_kif_ts[1] = 1;
	prefix(&w->a.cfg.kif_ts[0][0], "10.1.0.0", 16);
	w->a.cfg.n_kif_ts[0] = 1;
	start(w);
	acq = kif_acquire("192.0.2.1", "192.0.2.2", A_REQID);
	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg), 0);
	run(w);
	assert_int_equal(fake_kernel_count(w->b.k, true), 0);
	assert_true(fake_log_has("interface ipsec0: the peer's selectors lie "
				 "outside the block's"));
	free_world(w);
}

static void test_kif_missing(void **state)
{
	struct world *w = new_world(false);
	struct ikd_acquire acq = kif_acquire("192.0.2.1", "192.0.2.2", A_REQID);
	struct fake_kif *f;

	(void)state;
	strcpy(w->a.cfg.ifname, "ipsec0");
	strcpy(w->b.cfg.ifname, "ipsec0");
	start(w);
	/* No interface: nothing starts. */
	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg), -ENODEV);
	assert_true(fake_log_has("remote \"to-B\": interface ipsec0: no such "
				 "interface"));
	/* Another kind of interface by that name. */
	f = fake_kernel_add_kif(w->a.k, "ipsec0", "192.0.2.1", "192.0.2.2",
				A_REQID);
	f->err = -EMEDIUMTYPE;
	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg),
			 -EMEDIUMTYPE);
	assert_true(fake_log_has("interface ipsec0: not a kipsec interface"));
	/* An ACQUIRE of another reqid is not the interface's. */
	f->err = 0;
	acq.reqid = A_REQID + 1;
	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg), -ENOENT);
	assert_true(fake_log_has("is not interface ipsec0's (reqid 42)"));
	expect_counts(&w->a, 0, 0, 0);
	assert_int_equal(w->nq, 0);

	/* B has none: the child is refused, the IKE SA stays, no SA is
	 * left in either kernel. */
	acq.reqid = A_REQID;
	assert_int_equal(ike_engine_acquire(w->a.e, &acq, &w->a.cfg), 0);
	run(w);
	assert_true(fake_log_has("remote \"to-A\": interface ipsec0: no such "
				 "interface"));
	assert_true(fake_log_has("TS_UNACCEPTABLE"));
	expect_counts(&w->a, 1, 1, 0);
	expect_counts(&w->b, 1, 1, 0);
	assert_int_equal(fake_kernel_count(w->a.k, true), 0);
	assert_int_equal(fake_kernel_count(w->b.k, true), 0);
	free_world(w);
}

/* --- the daemon's lookup: which remote block an ACQUIRE is for ---------- */

static const char kif_conf[] =
	"remote 192.0.2.2 {\n"
	" ike_version 2;\n"
	" interface ipsec0;\n"
	" proposal { encryption_algorithm aes 128; hash_algorithm sha256;\n"
	"  authentication_method pre_shared_key; dh_group 14; }\n"
	"}\n"
	"remote 192.0.2.3 {\n"
	" ike_version 2;\n"
	" interface ipsec1;\n"
	" proposal { encryption_algorithm aes 128; hash_algorithm sha256;\n"
	"  authentication_method pre_shared_key; dh_group 14; }\n"
	"}\n";

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, 0600), 0);
}

/* Loads @body after a `path pre_shared_key` line (line 1); on failure,
 * the first diagnostic's text goes to @why. */
static struct ikd_config *load_conf(const char *dir, const char *body,
				    char *why, size_t len)
{
	char conf[300], psk[300], *text;
	struct ikd_config *c = NULL;
	struct ikd_diag d;

	snprintf(conf, sizeof(conf), "%s/racoon.conf", dir);
	snprintf(psk, sizeof(psk), "%s/psk.txt", dir);
	write_text(psk, "192.0.2.2 secret\n192.0.2.3 secret\n");
	assert_true(asprintf(&text, "path pre_shared_key \"%s\";\n%s", psk,
			     body) > 0);
	write_text(conf, text);
	free(text);
	ikd_diag_init(&d);
	why[0] = '\0';
	if (ikd_config_load(conf, false, &c, &d) && d.n)
		snprintf(why, len, "%u:%u: %s", d.v[0].line, d.v[0].col,
			 d.v[0].msg);
	ikd_diag_free(&d);
	unlink(conf);
	unlink(psk);
	return c;
}

static void test_kif_config_lookup(void **state)
{
	char dir[] = "/tmp/ikd-kif-test.XXXXXX";
	struct fake_kernel *k = fake_kernel_new(0xc0000000);
	struct ikd_config *c;
	const struct ike_peer_cfg *p;
	struct ikd_acquire acq;
	char why[256];

	(void)state;
	fake_log_reset();
	assert_non_null(mkdtemp(dir));
	c = load_conf(dir, kif_conf, why, sizeof(why));
	assert_non_null(c);
	/* ipsec0 is missing: said, and the next block is tried. */
	fake_kernel_add_kif(k, "ipsec1", "192.0.2.1", "192.0.2.3", 7);
	acq = kif_acquire("192.0.2.1", "192.0.2.3", 7);
	p = ikd_config_peer_kif(c, &k->base, &acq);
	assert_non_null(p);
	assert_string_equal(p->ifname, "ipsec1");
	assert_true(ikd_addr_eq_noport(&p->remote, &acq.dst));
	assert_true(fake_log_has("interface ipsec0 ("));
	assert_true(fake_log_has(":4): no such interface"));
	/* Without a request in the ACQUIRE, the endpoints alone tell. */
	acq.reqid = 0;
	assert_non_null(ikd_config_peer_kif(c, &k->base, &acq));
	/* Another reqid, other endpoints: no block. */
	acq.reqid = 8;
	assert_null(ikd_config_peer_kif(c, &k->base, &acq));
	acq = kif_acquire("192.0.2.1", "192.0.2.9", 0);
	assert_null(ikd_config_peer_kif(c, &k->base, &acq));
	assert_int_equal(fake_log_count("no remote block names an interface"),
			 2);
	ikd_config_free(c);

	/* An IKEv1 block: its engine's configuration. */
	c = load_conf(dir, "remote 192.0.2.3 {\n exchange_mode main;\n"
		      " interface ipsec1;\n proposal { encryption_algorithm "
		      "aes; hash_algorithm sha1;\n  authentication_method "
		      "pre_shared_key; dh_group 14; }\n}\n", why, sizeof(why));
	assert_non_null(c);
	acq = kif_acquire("192.0.2.1", "192.0.2.3", 7);
	p = ikd_config_peer_kif(c, &k->base, &acq);
	assert_non_null(p);
	assert_int_equal(p->ike_version, 1);
	assert_string_equal(p->ifname, "ipsec1");
	ikd_config_free(c);
	rmdir(dir);
	fake_kernel_free(k);
}

int main(void)
{
	fake_log_echo = getenv("ECHO") != NULL;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kif_acquire_rekey_delete),
		cmocka_unit_test(test_kif_other_endpoints),
		cmocka_unit_test(test_kif_responder_accepts),
		cmocka_unit_test(test_kif_configured_ts),
		cmocka_unit_test(test_kif_missing),
		cmocka_unit_test(test_kif_config_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
