// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * SADB_ACQUIRE: the packet path found an IPsec policy with no SA and asks
 * the key managers (registered sockets) for one. As in KAME and af_key, the
 * request is remembered as a larval SA without an SPI, which
 *  - holds further ACQUIREs for the same SA back until it expires
 *    (net.kipsec.larval_lifetime), and
 *  - is what a GETSPI carrying the ACQUIRE's seq completes (sad.c).
 * Packets make ACQUIREs, so at most net.kipsec.acquire_max of those larval
 * SAs exist in a namespace; further ACQUIREs are refused and counted
 * (acquire_refused in /proc/net/kipsec). XFRM and KAME set no such bound.
 */
#include "alg.h"
#include "sad.h"
#include "spd.h"
#include <linux/timekeeping.h>

/* Beyond this many combinations, a proposal is cut (about 9 KiB). */
#define KIPSEC_MAX_COMBS	128

static struct sk_buff *kipsec_acquire_msg(const struct kipsec_sa *sa,
					  const struct kipsec_policy *pol)
{
	unsigned int n = kipsec_alg_combs(sa->satype, NULL, KIPSEC_MAX_COMBS);
	unsigned int alen = kipsec_address_ext_len(sa->dst.family);
	unsigned int plen = n ? sizeof(struct sadb_prop) +
				n * sizeof(struct sadb_comb) : 0;
	unsigned int i, xlen = sizeof(struct sadb_x_policy);
	struct sadb_x_policy *xp;
	struct sadb_prop *prop;
	struct sadb_msg *hdr;
	struct sk_buff *skb;

	for (i = 0; pol && i < pol->nreqs; i++)
		xlen += kipsec_req_len(&pol->req[i]);
	skb = kipsec_msg_new(sizeof(*hdr) + 2 * alen + xlen + plen,
			     GFP_ATOMIC);
	if (!skb)
		return NULL;
	hdr = kipsec_put_hdr(skb, NULL, SADB_ACQUIRE, sa->satype);
	hdr->sadb_msg_seq = sa->seq;
	kipsec_put_address(skb, SADB_EXT_ADDRESS_SRC, &sa->src, 0,
			   kipsec_addr_bits(&sa->src), 0);
	kipsec_put_address(skb, SADB_EXT_ADDRESS_DST, &sa->dst, 0,
			   kipsec_addr_bits(&sa->dst), 0);
	xp = kipsec_put_ext(skb, SADB_X_EXT_POLICY, sizeof(*xp));
	xp->sadb_x_policy_type = IPSEC_POLICY_IPSEC;
	if (pol) {
		xp->sadb_x_policy_dir = pol->dir + 1;
		xp->sadb_x_policy_id = pol->id;
		xp->sadb_x_policy_priority = pol->priority;
		/* An interface's ACQUIRE says its reqid (iface_dp.c). */
		for (i = 0; i < pol->nreqs; i++)
			kipsec_put_req(skb, &pol->req[i]);
		xp->sadb_x_policy_len = xlen / 8;
	}
	if (n) {
		prop = kipsec_put_ext(skb, SADB_EXT_PROPOSAL, plen);
		prop->sadb_prop_replay = 32;
		kipsec_alg_combs(sa->satype, (struct sadb_comb *)(prop + 1), n);
	}
	kipsec_msg_finish(skb);
	return skb;
}

/* The larval SA that stands for an ACQUIRE until a GETSPI takes it. */
static struct kipsec_sa *kipsec_acquire_sa(struct kipsec_net *kn, u8 satype,
					   const struct kipsec_addr *src,
					   const struct kipsec_addr *dst,
					   u8 mode, u32 reqid)
{
	struct kipsec_sa *sa = kipsec_sa_alloc_gfp(GFP_ATOMIC);

	if (!sa)
		return NULL;
	sa->satype = satype;
	sa->state = SADB_SASTATE_LARVAL;
	sa->acquire = true;
	sa->src = *src;
	sa->dst = *dst;
	sa->mode = mode;
	sa->reqid = reqid;
	sa->cur.sadb_lifetime_addtime = ktime_get_real_seconds();
	sa->larval_deadline = sa->created + READ_ONCE(kn->larval_lifetime);
	return sa;
}

/*
 * A new ACQUIRE and its larval SA, in the SAD; -EEXIST while one is pending
 * for the same SA, -ENOSPC (counted) when net.kipsec.acquire_max are.
 * Caller holds the SAD lock.
 */
static int kipsec_acquire_new(struct kipsec_net *kn, u8 satype,
			      const struct kipsec_addr *src,
			      const struct kipsec_addr *dst,
			      const struct kipsec_policy *pol, u8 mode,
			      u32 reqid, struct sk_buff **skb)
{
	struct kipsec_sad *sad = &kn->sad;
	struct kipsec_sa *sa;

	if (kipsec_sad_select_larval(sad, satype, mode, src, dst, reqid))
		return -EEXIST;
	if (sad->nr_acquire >= READ_ONCE(kn->acquire_max)) {
		sad->acquire_refused++;
		return -ENOSPC;
	}
	sa = kipsec_acquire_sa(kn, satype, src, dst, mode, reqid);
	if (!sa)
		return -ENOMEM;
	/* Never 0: a seq of 0 means "none" to GETSPI. */
	sa->seq = ++sad->acq_seq ? sad->acq_seq : ++sad->acq_seq;
	*skb = kipsec_acquire_msg(sa, pol);
	if (!*skb) {
		kipsec_sa_free(sa);
		return -ENOMEM;
	}
	kipsec_sad_insert(sad, sa);
	return 0;
}

/*
 * Ask the key managers of @net for an SA of @satype from @src to @dst
 * (for @pol, which may be NULL). Callable from the packet path (atomic).
 * Returns 0 when an ACQUIRE went out, -EEXIST while one is pending for the
 * same SA, -ENOSPC when too many are (net.kipsec.acquire_max), -ENOMEM.
 */
int kipsec_km_acquire(struct net *net, u8 satype,
		      const struct kipsec_addr *src,
		      const struct kipsec_addr *dst,
		      const struct kipsec_policy *pol, u8 mode, u32 reqid)
{
	struct kipsec_net *kn = kipsec_pernet(net);
	struct sk_buff *skb = NULL;
	int err;

	spin_lock_bh(&kn->sad.lock);
	err = kipsec_acquire_new(kn, satype, src, dst, pol, mode, reqid, &skb);
	spin_unlock_bh(&kn->sad.lock);
	if (err == -ENOSPC)
		net_info_ratelimited("kipsec: ACQUIRE refused: %d pending, the most net.kipsec.acquire_max allows\n",
				     READ_ONCE(kn->acquire_max));
	if (err)
		return err;
	kipsec_broadcast(skb, GFP_ATOMIC, KIPSEC_BC_REGISTERED, NULL, net,
			 satype);
	return 0;
}
