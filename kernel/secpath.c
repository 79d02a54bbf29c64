// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The record of the SAs an inbound packet came through (its secpath), and
 * the inbound policy check made against it once the packet is clear.
 *
 * A peer is trusted only within its own SA. So every request of the policy
 * that matches the clear packet must be met by a distinct SA of the
 * secpath that fits the request's template (protocol, mode, tunnel
 * endpoints, reqid) and the packet's addresses, and every SA of the
 * secpath must meet a request: an SA the policy does not ask for is a
 * layer nobody checked. Requests are listed innermost first, the secpath
 * outermost first; requests of level "use" and IPcomp requests (RFC 3173
 * lets the sender skip IPcomp for any packet) may go unmet.
 */
#include <linux/slab.h>
#include "dp.h"

static struct kmem_cache *kipsec_sp_cache __read_mostly;

/* Record @sa, whose reference the packet takes over, as the next layer. */
int kipsec_sp_push(struct kipsec_cb *cb, struct kipsec_sa *sa)
{
	if (!cb->in.n) {
		cb->in.sa0 = sa;
		cb->in.n = 1;
		return 0;
	}
	if (cb->in.n == KIPSEC_MAX_DEPTH)
		return -ELOOP;
	if (!cb->in.more) {
		cb->in.more = kipsec_fault() ? NULL :
			kmem_cache_alloc(kipsec_sp_cache, GFP_ATOMIC);
		if (!cb->in.more)
			return -ENOMEM;
	}
	cb->in.more->sa[cb->in.n++] = sa;
	return 0;
}

struct kipsec_sa *kipsec_sp_top(const struct kipsec_cb *cb)
{
	return cb->in.n == 1 ? cb->in.sa0 : cb->in.more->sa[cb->in.n - 1];
}

/* The layers of @cb as one struct; the packet keeps the references. */
void kipsec_sp_view(const struct kipsec_cb *cb, struct kipsec_secpath *sp)
{
	unsigned int i;

	sp->n = cb->in.n;
	sp->tunnel = cb->in.tunnel;
	if (sp->n)
		sp->sa[0] = cb->in.sa0;
	for (i = 1; i < sp->n; i++)
		sp->sa[i] = cb->in.more->sa[i];
}

/*
 * Move the layers of @cb, and their references, into @sp: the packet is
 * about to be delivered or dropped, and skb->cb is no longer kipsec's.
 */
void kipsec_sp_detach(struct kipsec_cb *cb, struct kipsec_secpath *sp)
{
	kipsec_sp_view(cb, sp);
	if (cb->in.more)
		kmem_cache_free(kipsec_sp_cache, cb->in.more);
	cb->in.more = NULL;
	cb->in.n = 0;
}

void kipsec_sp_put(struct kipsec_secpath *sp)
{
	while (sp->n)
		kipsec_sa_put(sp->sa[--sp->n]);
}

static bool kipsec_addr_eq(const struct kipsec_addr *a,
			   const struct kipsec_addr *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/*
 * Does layer @i of @sp fit request @r, between @src and @dst (the
 * packet's addresses at that depth, or the request's tunnel endpoints)?
 */
static bool kipsec_req_fits(const struct kipsec_req *r,
			    const struct kipsec_secpath *sp, unsigned int i,
			    const struct kipsec_addr *src,
			    const struct kipsec_addr *dst)
{
	const struct kipsec_sa *sa = sp->sa[i];
	bool tunnel = sp->tunnel & BIT(i);

	if (r->proto != sa->dp->proto)
		return false;
	if (r->mode == IPSEC_MODE_TUNNEL && !tunnel)
		return false;
	if (r->mode == IPSEC_MODE_TRANSPORT && tunnel)
		return false;
	if (!kipsec_addr_eq(&sa->src, src) || !kipsec_addr_eq(&sa->dst, dst))
		return false;
	return r->level != IPSEC_LEVEL_UNIQUE || r->reqid == sa->reqid;
}

/* Must a packet have come through request @r? */
static bool kipsec_req_wants_in(const struct kipsec_req *r)
{
	return r->proto != IPPROTO_COMP && kipsec_req_wants(r);
}

/*
 * Can requests @ri.. of @ps be met by layers @li down to 0 of @sp, the
 * packet's addresses being @src and @dst at request @ri? At most
 * KIPSEC_MAX_REQS levels deep: each call consumes a request.
 */
static bool kipsec_sp_match(const struct kipsec_pol_snap *ps,
			    unsigned int ri, const struct kipsec_secpath *sp,
			    int li, const struct kipsec_addr *src,
			    const struct kipsec_addr *dst)
{
	const struct kipsec_req *r;

	if (ri == ps->nreqs)
		return li < 0;
	r = &ps->req[ri];
	/* Outside a tunnel, the next requests are between its endpoints. */
	if (r->mode == IPSEC_MODE_TUNNEL) {
		src = &r->tsrc;
		dst = &r->tdst;
	}
	if (li >= 0 && kipsec_req_fits(r, sp, li, src, dst) &&
	    kipsec_sp_match(ps, ri + 1, sp, li - 1, src, dst))
		return true;
	return !kipsec_req_wants_in(r) &&
	       kipsec_sp_match(ps, ri + 1, sp, li, src, dst);
}

/*
 * May a packet of flow @fl, that came through @sp (possibly no layer at
 * all), pass the policy @ps (NULL: no policy matched)? Without a policy,
 * transport mode is accepted as KAME does, tunnel mode is not: inner
 * addresses outside every policy would let the peer inject any packet.
 */
bool kipsec_sp_ok(const struct kipsec_pol_snap *ps,
		  const struct kipsec_flow *fl, const struct kipsec_secpath *sp)
{
	if (!ps)
		return !sp->tunnel;
	if (ps->action == IPSEC_POLICY_NONE)
		return true;
	if (ps->action != IPSEC_POLICY_IPSEC)
		return false;
	return kipsec_sp_match(ps, 0, sp, (int)sp->n - 1, &fl->src, &fl->dst);
}

int kipsec_sp_init(void)
{
	kipsec_sp_cache = KMEM_CACHE(kipsec_secpath, 0);
	return kipsec_sp_cache ? 0 : -ENOMEM;
}

void kipsec_sp_exit(void)
{
	kmem_cache_destroy(kipsec_sp_cache);
}
