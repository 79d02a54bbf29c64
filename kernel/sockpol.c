// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Per-socket policies: IP_IPSEC_POLICY and IPV6_IPSEC_POLICY with KAME
 * blobs (ipsec_set_policy(3)). See docs/socket-policy.md.
 *
 * The kernel hands the blob to every key manager's compile_policy() and
 * attaches the xfrm_policy that one returns to the socket. kipsec's
 * validates the blob and encodes it in that xfrm_policy itself: the KAME
 * type in the mark's value, the requests as templates. The mark's mask is
 * 0, so native XFRM's socket policy lookup ((sk_mark & 0) != value) never
 * matches it and native XFRM goes on as if the socket had none. Nothing
 * of kipsec's is allocated: the kernel frees the policy when the socket
 * closes, copies it when a listener's child is accepted, and after
 * kipsec.ko is unloaded it is inert.
 */
#include <linux/capability.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/kmod.h>
#include <net/inet_hashtables.h>
#include <net/inet6_hashtables.h>
#include <net/udp.h>
#include <net/xfrm.h>
#include "dp.h"

/* The mark value of a kipsec socket policy, the KAME type in the low byte. */
#define KIPSEC_SKPOL_MAGIC	0x6b697000u	/* "kip" */
#define KIPSEC_SKPOL_TYPE	0xffu

static bool kipsec_skpol_ours(const struct xfrm_policy *xp)
{
	return !xp->mark.m &&
	       (xp->mark.v & ~KIPSEC_SKPOL_TYPE) == KIPSEC_SKPOL_MAGIC;
}

/* ---- setsockopt ----------------------------------------------------- */

static bool kipsec_skpol_opt(const struct sock *sk, int opt)
{
	if (sk->sk_family == AF_INET)
		return opt == IP_IPSEC_POLICY;
	if (sk->sk_family == AF_INET6)
		return opt == IPV6_IPSEC_POLICY;
	return false;
}

/* The blob as a whole; its requests are checked as PF_KEY's are. */
static int kipsec_skpol_check(const struct sadb_x_policy *xp, int len)
{
	if (len < (int)sizeof(*xp) || xp->sadb_x_policy_len * 8 != len ||
	    xp->sadb_x_policy_exttype != SADB_X_EXT_POLICY)
		return -EINVAL;
	if (xp->sadb_x_policy_dir != IPSEC_DIR_INBOUND &&
	    xp->sadb_x_policy_dir != IPSEC_DIR_OUTBOUND)
		return -EINVAL;
	if (xp->sadb_x_policy_type > IPSEC_POLICY_BYPASS)
		return -EINVAL;
	if (xp->sadb_x_policy_type != IPSEC_POLICY_IPSEC &&
	    len != sizeof(*xp))
		return -EINVAL;
	return kipsec_policy_blob_check(xp, len);
}

static void kipsec_skpol_xaddr(xfrm_address_t *x, const struct kipsec_addr *a)
{
	if (a->family == AF_INET)
		x->a4 = a->v4;
	else
		x->in6 = a->v6;
}

static void kipsec_skpol_addr(struct kipsec_addr *a, const xfrm_address_t *x,
			      u16 family)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	if (family == AF_INET)
		a->v4 = x->a4;
	else
		a->v6 = x->in6;
}

/*
 * A request as a template. The KAME level goes in share, which native
 * XFRM never reads here; optional says the same for a reader of the
 * template.
 */
static void kipsec_skpol_tmpl(struct xfrm_tmpl *t, const struct kipsec_req *r)
{
	t->id.proto = r->proto;
	t->mode = r->mode == IPSEC_MODE_TUNNEL ? XFRM_MODE_TUNNEL :
						 XFRM_MODE_TRANSPORT;
	t->share = r->level;
	t->optional = !kipsec_req_wants(r);
	t->reqid = r->reqid;
	t->allalgs = 1;
	if (r->mode == IPSEC_MODE_TUNNEL) {
		t->encap_family = r->tdst.family;
		kipsec_skpol_xaddr(&t->saddr, &r->tsrc);
		kipsec_skpol_xaddr(&t->id.daddr, &r->tdst);
	}
}

/* The requests into @xp's templates; reqids for "unique" from the SPD's. */
static int kipsec_skpol_reqs(struct net *net, struct xfrm_policy *xp,
			     const struct sadb_x_policy *pol)
{
	struct kipsec_spd *spd = &kipsec_pernet(net)->spd;
	const struct sadb_x_ipsecrequest *rq = NULL;
	struct kipsec_req r;
	int err = 0;

	spin_lock_bh(&spd->lock);
	while (!err && (rq = kipsec_policy_next_req(pol, rq))) {
		memset(&r, 0, sizeof(r));
		err = kipsec_req_from_msg(&r, rq, &spd->next_reqid);
		if (!err)
			kipsec_skpol_tmpl(&xp->xfrm_vec[xp->xfrm_nr++], &r);
	}
	spin_unlock_bh(&spd->lock);
	if (!err && pol->sadb_x_policy_type == IPSEC_POLICY_IPSEC &&
	    !xp->xfrm_nr)
		err = -EINVAL;
	return err;
}

static struct xfrm_policy *kipsec_skpol_build(struct sock *sk,
					      const struct sadb_x_policy *pol,
					      int *dir)
{
	struct xfrm_policy *xp;
	int err;

	xp = xfrm_policy_alloc(sock_net(sk), GFP_ATOMIC);
	if (!xp) {
		*dir = -ENOBUFS;
		return NULL;
	}
	xp->family = sk->sk_family;
	xp->mark.v = KIPSEC_SKPOL_MAGIC | pol->sadb_x_policy_type;
	xp->mark.m = 0;
	xp->action = pol->sadb_x_policy_type == IPSEC_POLICY_DISCARD ?
		     XFRM_POLICY_BLOCK : XFRM_POLICY_ALLOW;
	xp->priority = pol->sadb_x_policy_priority;
	xp->lft.soft_byte_limit = XFRM_INF;
	xp->lft.hard_byte_limit = XFRM_INF;
	xp->lft.soft_packet_limit = XFRM_INF;
	xp->lft.hard_packet_limit = XFRM_INF;
	err = kipsec_skpol_reqs(sock_net(sk), xp, pol);
	if (err) {
		/* Never linked: xfrm_policy_destroy() wants it dead. */
		xp->walk.dead = 1;
		xfrm_policy_destroy(xp);
		*dir = err;
		return NULL;
	}
	*dir = pol->sadb_x_policy_dir == IPSEC_DIR_INBOUND ? XFRM_POLICY_IN :
							     XFRM_POLICY_OUT;
	return xp;
}

/*
 * xfrm_mgr.compile_policy, called by xfrm_user_policy() under RCU. The
 * caller of setsockopt() already passed CAP_NET_ADMIN (ip_sockglue.c);
 * checked again here, quietly, so that kipsec never depends on it.
 */
static struct xfrm_policy *kipsec_skpol_compile(struct sock *sk, int opt,
						u8 *data, int len, int *dir)
{
	const struct sadb_x_policy *pol = (const void *)data;
	int err;

	if (!kipsec_skpol_opt(sk, opt)) {
		*dir = -EOPNOTSUPP;
		return NULL;
	}
	if (!ns_capable_noaudit(sock_net(sk)->user_ns, CAP_NET_ADMIN)) {
		*dir = -EPERM;
		return NULL;
	}
	err = kipsec_skpol_check(pol, len);
	if (err) {
		*dir = err;
		return NULL;
	}
	return kipsec_skpol_build(sk, pol, dir);
}

/* Native XFRM asks every key manager for SAs: kipsec has none to give. */
static int kipsec_skpol_acquire(struct xfrm_state *x, struct xfrm_tmpl *t,
				struct xfrm_policy *xp)
{
	return -EINVAL;
}

static struct xfrm_mgr kipsec_xfrm_mgr = {
	.acquire = kipsec_skpol_acquire,
	.compile_policy = kipsec_skpol_compile,
};

/*
 * xfrm_user_policy() keeps the error of the last key manager that refused
 * a blob, and xfrm_user refuses every IP_IPSEC_POLICY blob (EOPNOTSUPP).
 * Loaded first, it comes before kipsec in the list, so a malformed blob
 * gets kipsec's EINVAL. Failing that, EOPNOTSUPP is still an error.
 */
void kipsec_skpol_init(void)
{
	if (IS_MODULE(CONFIG_XFRM_USER))
		request_module("xfrm_user");
	xfrm_register_km(&kipsec_xfrm_mgr);
}

void kipsec_skpol_exit(void)
{
	xfrm_unregister_km(&kipsec_xfrm_mgr);
}

/* ---- the packet path ------------------------------------------------ */

static void kipsec_skpol_req(struct kipsec_req *r, const struct xfrm_tmpl *t)
{
	memset(r, 0, sizeof(*r));
	r->proto = t->id.proto;
	r->level = t->share;
	r->reqid = t->reqid;
	r->mode = t->mode == XFRM_MODE_TUNNEL ? IPSEC_MODE_TUNNEL :
						IPSEC_MODE_TRANSPORT;
	if (r->mode == IPSEC_MODE_TUNNEL) {
		kipsec_skpol_addr(&r->tsrc, &t->saddr, t->encap_family);
		kipsec_skpol_addr(&r->tdst, &t->id.daddr, t->encap_family);
	}
}

/*
 * The kipsec policy of full socket @sk for direction @dir (KIPSEC_DIR_IN
 * or _OUT) into @ps; false if it has none, or "entrust" (the SPD
 * decides). "bypass" reads as "none". Caller holds rcu_read_lock().
 */
bool kipsec_skpol_snap(const struct sock *sk, u8 dir,
		       struct kipsec_pol_snap *ps)
{
	const struct xfrm_policy *xp;
	unsigned int i;
	u8 type;

	xp = rcu_dereference(sk->sk_policy[dir == KIPSEC_DIR_IN ?
					    XFRM_POLICY_IN : XFRM_POLICY_OUT]);
	if (!xp || !kipsec_skpol_ours(xp))
		return false;
	type = xp->mark.v & KIPSEC_SKPOL_TYPE;
	if (type == IPSEC_POLICY_ENTRUST)
		return false;
	ps->id = xp->index;
	ps->priority = xp->priority;
	ps->dir = dir;
	ps->action = type == IPSEC_POLICY_BYPASS ? IPSEC_POLICY_NONE : type;
	ps->nreqs = min_t(unsigned int, xp->xfrm_nr, KIPSEC_MAX_REQS);
	for (i = 0; i < ps->nreqs; i++)
		kipsec_skpol_req(&ps->req[i], &xp->xfrm_vec[i]);
	return true;
}

/* The full socket behind @sk (a listener for a request), held, or NULL. */
static struct sock *kipsec_skpol_full(struct sock *sk)
{
	sk = sk_to_full_sk(sk);
	if (sk && sk_fullsock(sk) && refcount_inc_not_zero(&sk->sk_refcnt))
		return sk;
	return NULL;
}

static struct sock *kipsec_skpol_lookup(struct net *net, struct sk_buff *skb,
					const struct kipsec_flow *fl)
{
	int doff = skb_transport_offset(skb), dif = skb->skb_iif;
	struct inet_hashinfo *tcp = net->ipv4.tcp_death_row.hashinfo;

	if (fl->src.family == AF_INET) {
		if (fl->proto == IPPROTO_UDP)
			return udp4_lib_lookup(net, fl->src.v4, fl->sport,
					       fl->dst.v4, fl->dport, dif);
		return inet_lookup(net, tcp, skb, doff, fl->src.v4, fl->sport,
				   fl->dst.v4, fl->dport, dif);
	}
	if (fl->proto == IPPROTO_UDP)
		return udp6_lib_lookup(net, &fl->src.v6, fl->sport,
				       &fl->dst.v6, fl->dport, dif);
	return inet6_lookup(net, tcp, skb, doff, &fl->src.v6, fl->sport,
			    &fl->dst.v6, fl->dport, dif);
}

/*
 * The local full socket an inbound TCP or UDP packet goes to, held, or
 * NULL: the one early demux found, else a lookup as the protocol will do
 * it. A connection not yet accepted answers for its listener.
 */
struct sock *kipsec_skpol_in_sock(struct net *net, struct sk_buff *skb,
				  const struct kipsec_flow *fl)
{
	struct sock *sk, *full;

	if (skb->sk)
		return kipsec_skpol_full(skb->sk);
	sk = kipsec_skpol_lookup(net, skb, fl);
	if (!sk)
		return NULL;
	full = kipsec_skpol_full(sk);
	sock_gen_put(sk);
	return full;
}

/* ---- X_SPDDUMP ------------------------------------------------------ */

/* Socket policies as af_key shows them: an empty selector, id % 8 >= 3. */
static struct sk_buff *kipsec_skpol_msg(const struct xfrm_policy *xp,
					const struct sadb_msg *req)
{
	struct kipsec_policy *pol;
	struct sk_buff *skb;
	unsigned int i, dir;

	dir = (xp->index & 7) == XFRM_POLICY_MAX + XFRM_POLICY_IN ?
	      KIPSEC_DIR_IN : KIPSEC_DIR_OUT;
	pol = kzalloc(sizeof(*pol), GFP_ATOMIC);
	if (!pol)
		return NULL;
	pol->id = xp->index;
	pol->dir = dir;
	pol->priority = xp->priority;
	pol->action = xp->mark.v & KIPSEC_SKPOL_TYPE;
	pol->sel.src.family = xp->family;
	pol->sel.dst.family = xp->family;
	pol->cur.sadb_lifetime_addtime = xp->curlft.add_time;
	pol->nreqs = min_t(unsigned int, xp->xfrm_nr, KIPSEC_MAX_REQS);
	for (i = 0; i < pol->nreqs; i++)
		kipsec_skpol_req(&pol->req[i], &xp->xfrm_vec[i]);
	skb = kipsec_policy_msg(pol, req, SADB_X_SPDDUMP, GFP_ATOMIC);
	kfree(pol);
	return skb;
}

struct kipsec_skpol_walk {
	struct sock *sk;
	struct kipsec_dump *d;
	unsigned int seen;
	int err;
};

static int kipsec_skpol_one(struct xfrm_policy *xp, int dir, int count,
			    void *arg)
{
	struct kipsec_skpol_walk *w = arg;
	struct sk_buff *skb;

	if (dir < XFRM_POLICY_MAX || !kipsec_skpol_ours(xp))
		return 0;
	if (w->seen++ < w->d->skpol_sent)
		return 0;
	if (!kipsec_dump_room(w->sk)) {
		w->err = 1;
		return 1;
	}
	skb = kipsec_skpol_msg(xp, &w->d->req);
	if (!skb) {
		w->err = -ENOBUFS;
		return 1;
	}
	kipsec_dump_emit(w->sk, w->d, skb);
	w->d->skpol_sent++;
	return 0;
}

/*
 * The socket policies, after the SPD. Each step walks from the start and
 * skips those already sent: a policy that goes meanwhile may make the
 * dump skip one that stayed, as a socket closing under any dump would.
 */
int kipsec_skpol_dump_step(struct sock *sk, struct kipsec_dump *d)
{
	struct kipsec_skpol_walk w = { .sk = sk, .d = d };
	struct net *net = sock_net(sk);
	struct xfrm_policy_walk walk;

	if (!READ_ONCE(net->xfrm.policy_count[XFRM_POLICY_MAX + XFRM_POLICY_IN]) &&
	    !READ_ONCE(net->xfrm.policy_count[XFRM_POLICY_MAX + XFRM_POLICY_OUT]))
		return 0;
	xfrm_policy_walk_init(&walk, XFRM_POLICY_TYPE_ANY);
	xfrm_policy_walk(net, &walk, kipsec_skpol_one, &w);
	xfrm_policy_walk_done(&walk, net);
	return w.err;
}
