// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Security policies to and from PF_KEY messages (KAME's x_policy).
 */
#include <linux/in.h>
#include <linux/timekeeping.h>
#include "spd.h"

/* Zero the bits of @a beyond @plen. */
void kipsec_sel_mask(struct kipsec_addr *a, unsigned int plen)
{
	unsigned int words = a->family == AF_INET ? 1 : 4;
	__be32 *w = a->family == AF_INET ? &a->v4 : a->v6.s6_addr32;
	unsigned int i, bits;

	for (i = 0; i < words; i++) {
		bits = plen > 32 * i ? min(plen - 32 * i, 32u) : 0;
		if (!bits)
			w[i] = 0;
		else if (bits < 32)
			w[i] &= htonl(~0u << (32 - bits));
	}
}

static void kipsec_sel_side(struct kipsec_addr *a, __be16 *port, u8 *plen,
			    const struct sadb_address *ext)
{
	*port = kipsec_addr_from_sockaddr(a, kipsec_msg_sockaddr(ext));
	*plen = ext->sadb_address_prefixlen;
	kipsec_sel_mask(a, *plen);
}

int kipsec_req_from_msg(struct kipsec_req *r,
			const struct sadb_x_ipsecrequest *rq, u32 *next_reqid)
{
	const struct sockaddr *sa = (const void *)(rq + 1);

	if (rq->sadb_x_ipsecrequest_proto != IPPROTO_AH &&
	    rq->sadb_x_ipsecrequest_proto != IPPROTO_ESP &&
	    rq->sadb_x_ipsecrequest_proto != IPPROTO_COMP)
		return -EINVAL;
	if (rq->sadb_x_ipsecrequest_mode != IPSEC_MODE_TRANSPORT &&
	    rq->sadb_x_ipsecrequest_mode != IPSEC_MODE_TUNNEL)
		return -EINVAL;
	if (rq->sadb_x_ipsecrequest_level > IPSEC_LEVEL_UNIQUE)
		return -EINVAL;
	r->proto = rq->sadb_x_ipsecrequest_proto;
	r->mode = rq->sadb_x_ipsecrequest_mode;
	r->level = rq->sadb_x_ipsecrequest_level;
	r->reqid = rq->sadb_x_ipsecrequest_reqid;
	/* "unique" without a reqid gets one of its own, as in KAME. */
	if (r->level == IPSEC_LEVEL_UNIQUE && !r->reqid)
		r->reqid = ++*next_reqid;
	if (r->mode == IPSEC_MODE_TUNNEL) {
		kipsec_addr_from_sockaddr(&r->tsrc, sa);
		sa = (const void *)((const u8 *)sa +
				    kipsec_sockaddr_len(sa->sa_family));
		kipsec_addr_from_sockaddr(&r->tdst, sa);
	}
	return 0;
}

/* Direction and selector: all X_SPDDELETE needs. */
int kipsec_policy_sel_from_msg(struct kipsec_policy *pol,
			       const struct kipsec_msg *m)
{
	const struct sadb_x_policy *xp = kipsec_msg_ext(m, SADB_X_EXT_POLICY);
	const struct sadb_address *src = kipsec_msg_ext(m, SADB_EXT_ADDRESS_SRC);
	const struct sadb_address *dst = kipsec_msg_ext(m, SADB_EXT_ADDRESS_DST);

	if (!xp->sadb_x_policy_dir || xp->sadb_x_policy_dir > IPSEC_DIR_FWD)
		return -EINVAL;
	pol->dir = xp->sadb_x_policy_dir - 1;
	kipsec_sel_side(&pol->sel.src, &pol->sel.sport, &pol->sel.splen, src);
	kipsec_sel_side(&pol->sel.dst, &pol->sel.dport, &pol->sel.dplen, dst);
	if (src->sadb_address_proto != IPSEC_ULPROTO_ANY)
		pol->sel.proto = src->sadb_address_proto;
	return 0;
}

/* Fill @pol (zeroed by the caller) from an SPDADD/UPDATE/SETIDX message. */
int kipsec_policy_from_msg(struct kipsec_policy *pol,
			   const struct kipsec_msg *m, u32 *next_reqid)
{
	const struct sadb_x_policy *xp = kipsec_msg_ext(m, SADB_X_EXT_POLICY);
	const struct sadb_x_ipsecrequest *rq = NULL;
	const struct sadb_lifetime *lt;
	int err;

	err = kipsec_policy_sel_from_msg(pol, m);
	if (err)
		return err;
	if (xp->sadb_x_policy_type > IPSEC_POLICY_IPSEC)
		return -EINVAL;
	pol->action = xp->sadb_x_policy_type;
	pol->priority = xp->sadb_x_policy_priority;

	while ((rq = kipsec_policy_next_req(xp, rq))) {
		err = kipsec_req_from_msg(&pol->req[pol->nreqs], rq, next_reqid);
		if (err)
			return err;
		pol->nreqs++;
	}
	if (pol->action == IPSEC_POLICY_IPSEC && !pol->nreqs)
		return -EINVAL;

	lt = kipsec_msg_ext(m, SADB_EXT_LIFETIME_HARD);
	if (lt)
		pol->hard = *lt;
	lt = kipsec_msg_ext(m, SADB_EXT_LIFETIME_SOFT);
	if (lt)
		pol->soft = *lt;
	pol->cur.sadb_lifetime_addtime = ktime_get_real_seconds();
	return 0;
}

unsigned int kipsec_req_len(const struct kipsec_req *r)
{
	unsigned int len = sizeof(struct sadb_x_ipsecrequest);

	if (r->mode == IPSEC_MODE_TUNNEL)
		len += 2 * kipsec_sockaddr_len(r->tsrc.family);
	return len;
}

static void kipsec_put_sockaddr(void *p, const struct kipsec_addr *a)
{
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = p;

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = a->v4;
	} else {
		struct sockaddr_in6 *sin6 = p;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = a->v6;
	}
}

void kipsec_put_req(struct sk_buff *skb, const struct kipsec_req *r)
{
	unsigned int len = kipsec_req_len(r);
	struct sadb_x_ipsecrequest *rq = skb_put_zero(skb, len);

	rq->sadb_x_ipsecrequest_len = len;
	rq->sadb_x_ipsecrequest_proto = r->proto;
	rq->sadb_x_ipsecrequest_mode = r->mode;
	rq->sadb_x_ipsecrequest_level = r->level;
	rq->sadb_x_ipsecrequest_reqid = r->reqid;
	if (r->mode == IPSEC_MODE_TUNNEL) {
		unsigned int salen = kipsec_sockaddr_len(r->tsrc.family);

		kipsec_put_sockaddr(rq + 1, &r->tsrc);
		kipsec_put_sockaddr((u8 *)(rq + 1) + salen, &r->tdst);
	}
}

struct sk_buff *kipsec_policy_msg(const struct kipsec_policy *pol,
				  const struct sadb_msg *req, u8 type,
				  gfp_t gfp)
{
	unsigned int i, xlen = sizeof(struct sadb_x_policy);
	u8 proto = pol->sel.proto ? pol->sel.proto : IPSEC_ULPROTO_ANY;
	struct sadb_lifetime cur;
	struct sadb_x_policy *xp;
	struct sk_buff *skb;

	for (i = 0; i < pol->nreqs; i++)
		xlen += kipsec_req_len(&pol->req[i]);
	skb = kipsec_msg_new(sizeof(struct sadb_msg) +
			     2 * kipsec_address_ext_len(pol->sel.src.family) +
			     3 * sizeof(struct sadb_lifetime) + xlen, gfp);
	if (!skb)
		return NULL;
	kipsec_put_hdr(skb, req, type, SADB_SATYPE_UNSPEC);
	kipsec_put_address(skb, SADB_EXT_ADDRESS_SRC, &pol->sel.src, proto,
			   pol->sel.splen, pol->sel.sport);
	kipsec_put_address(skb, SADB_EXT_ADDRESS_DST, &pol->sel.dst, proto,
			   pol->sel.dplen, pol->sel.dport);
	kipsec_put_lifetime(skb, SADB_EXT_LIFETIME_HARD, &pol->hard);
	kipsec_put_lifetime(skb, SADB_EXT_LIFETIME_SOFT, &pol->soft);
	cur = pol->cur;
	cur.sadb_lifetime_usetime = READ_ONCE(pol->lastuse);
	kipsec_put_lifetime(skb, SADB_EXT_LIFETIME_CURRENT, &cur);
	xp = kipsec_put_ext(skb, SADB_X_EXT_POLICY, sizeof(*xp));
	xp->sadb_x_policy_type = pol->action;
	xp->sadb_x_policy_dir = pol->dir + 1;
	xp->sadb_x_policy_id = pol->id;
	xp->sadb_x_policy_priority = pol->priority;
	for (i = 0; i < pol->nreqs; i++)
		kipsec_put_req(skb, &pol->req[i]);
	xp->sadb_x_policy_len = xlen / 8;
	kipsec_msg_finish(skb);
	return skb;
}
