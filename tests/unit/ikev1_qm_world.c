// SPDX-License-Identifier: BSD-2-Clause
/*
 * Quick Mode between two engines (ikev1_world.c): phase 1 done, a
 * sainfo on each side, B's SPD mirroring A's ACQUIRE, and the checks
 * of the SAs both fake kernels end up with. Included once by each
 * Quick Mode test.
 */
#include "ikev1_world.c"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/ipsec.h>

__attribute__((unused))
static void esp_cfg(struct peer *p, uint16_t encr, uint16_t keybits,
		    uint16_t integ)
{
	struct ike_child_cfg *c = &p->ccfg;

	memset(c, 0, sizeof(*c));
	c->nprop = 1;
	c->prop[0].proto = IKE_PROTO_ESP;
	c->prop[0].nencr = 1;
	c->prop[0].encr[0] = (struct ike_encr_alg){ encr, keybits };
	c->prop[0].ninteg = 1;
	c->prop[0].integ[0] = integ;
	c->hard_secs = 3600;
	c->replay_window = 64;
}

/* An outbound ESP policy of @p's SPD, @local -> @remote, with its in
 * twin (as setkey's spdadd would have put them). */
__attribute__((unused))
static void policy(struct peer *p, const struct peer *other,
		   const char *local, uint8_t lplen, const char *remote,
		   uint8_t rplen, uint8_t mode, uint8_t level, uint32_t reqid)
{
	struct ikd_kernel_policy pol = { 0 };
	struct ikd_kernel_req *r = &pol.req[0];
	struct ikd_addr tmp;

	pol.dir = IKD_DIR_OUT;
	pol.action = IPSEC_POLICY_IPSEC;
	assert_int_equal(ikd_addr_parse(&pol.sel.src, local), 0);
	assert_int_equal(ikd_addr_parse(&pol.sel.dst, remote), 0);
	pol.sel.src_plen = lplen;
	pol.sel.dst_plen = rplen;
	pol.sel.proto = 255;
	pol.nreqs = 1;
	r->proto = IPPROTO_ESP;
	r->mode = mode;
	r->level = level;
	r->reqid = reqid;
	if (mode == IKD_MODE_TUNNEL) {
		r->tsrc = p->addr;
		r->tdst = other->addr;
		r->tsrc.port = r->tdst.port = 0;
	}
	fake_kernel_add_policy(p->k, &pol);
	pol.dir = IKD_DIR_IN;
	tmp = pol.sel.src;
	pol.sel.src = pol.sel.dst;
	pol.sel.dst = tmp;
	pol.sel.src_plen = rplen;
	pol.sel.dst_plen = lplen;
	fake_kernel_add_policy(p->k, &pol);
}

/* B's SPD mirrors A's ACQUIRE: 10.2/16 -> 10.1/16, tunnel, reqid 200. */
__attribute__((unused))
static void b_policy(struct world *w)
{
	policy(&w->b, &w->a, "10.2.0.0", 16, "10.1.0.0", 16, IKD_MODE_TUNNEL,
	       IPSEC_LEVEL_UNIQUE, 200);
}

__attribute__((unused))
static struct world *phase1_bare(void)
{
	struct world *w = new_world(ISAKMP_EXCH_IDPROT, &modern);

	assert_int_equal(initiate(w), 0);
	run(w);
	assert_int_equal(the_sa(&w->a)->state, V1_ESTABLISHED);
	assert_int_equal(the_sa(&w->b)->state, V1_ESTABLISHED);
	esp_cfg(&w->a, IKE_ENCR_AES_CBC, 128, IKE_AUTH_HMAC_SHA2_256_128);
	esp_cfg(&w->b, IKE_ENCR_AES_CBC, 128, IKE_AUTH_HMAC_SHA2_256_128);
	return w;
}

__attribute__((unused))
static struct world *phase1(void)
{
	struct world *w = phase1_bare();

	b_policy(w);
	return w;
}

/* A's ACQUIRE: 10.1.0.0/16 (A's side) to 10.2.0.0/16, tunnel. */
__attribute__((unused))
static void acquire(struct world *w, struct ikd_acquire *acq)
{
	memset(acq, 0, sizeof(*acq));
	acq->seq = 7;
	acq->proto = IPPROTO_ESP;
	acq->mode = IKD_MODE_TUNNEL;
	acq->reqid = 16384;
	acq->src = w->a.addr;
	acq->dst = w->b.addr;
	assert_int_equal(ikd_addr_parse(&acq->pol.sel.src, "10.1.0.0"), 0);
	assert_int_equal(ikd_addr_parse(&acq->pol.sel.dst, "10.2.0.0"), 0);
	acq->pol.sel.src_plen = acq->pol.sel.dst_plen = 16;
}

__attribute__((unused))
static const struct fake_sa *find(const struct fake_kernel *k, bool larval,
				  const struct ikd_addr *dst)
{
	for (unsigned int i = 0; i < k->nsa; i++)
		if (k->sad[i].larval == larval &&
		    ikd_addr_eq_noport(&k->sad[i].sa.dst, dst))
			return &k->sad[i];
	return NULL;
}

/* @in (one kernel's inbound SA) is @out (the other's outbound one). */
__attribute__((unused))
static void assert_pair(const struct fake_sa *in, const struct fake_sa *out)
{
	assert_non_null(in);
	assert_non_null(out);
	assert_int_equal(in->sa.spi, out->sa.spi);
	assert_int_equal(in->sa.encr, IKE_ENCR_AES_CBC);
	assert_int_equal(in->sa.encr_keybits, 128);
	assert_int_equal(in->sa.integ, IKE_AUTH_HMAC_SHA2_256_128);
	assert_int_equal(in->sa.mode, IKD_MODE_TUNNEL);
	assert_int_equal(in->sa.enc_key_len, 16);
	assert_int_equal(in->sa.auth_key_len, 32);
	assert_memory_equal(in->enc_key, out->enc_key, 16);
	assert_memory_equal(in->auth_key, out->auth_key, 32);
	assert_memory_equal(&in->sa.sel, &out->sa.sel, sizeof(in->sa.sel));
	assert_int_equal(in->sa.hard_secs, 3600);
}

__attribute__((unused))
static void run_qm(struct world *w)
{
	struct ikd_acquire acq;

	acquire(w, &acq);
	assert_int_equal(ikev1_qm_initiate(w->a.e, &acq), 0);
	run(w);
	wait_ms(w, 1000);
}

/* Both kernels' pairs match, keys included: both sides put the same
 * g(qm)^xy into KEYMAT. */
__attribute__((unused))
static void assert_installed_pairs(struct world *w)
{
	assert_int_equal(w->a.k->nsa, 2);
	assert_int_equal(w->b.k->nsa, 2);
	assert_pair(find(w->a.k, false, &w->a.addr),
		    find(w->b.k, false, &w->a.addr));
	assert_pair(find(w->b.k, false, &w->b.addr),
		    find(w->a.k, false, &w->b.addr));
}

