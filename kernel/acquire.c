// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * SADB_ACQUIRE: the packet path found an IPsec policy with no SA and asks
 * the key managers (registered sockets) for one. As in KAME and af_key, the
 * request is remembered as a larval SA without an SPI, which
 *  - holds further ACQUIREs for the same SA back until it expires
 *    (net.kipsec.larval_lifetime), and
 *  - is what a GETSPI carrying the ACQUIRE's seq completes (sad.c).
 */
#include "alg.h"
#include "sad.h"
#include "spd.h"
#include <linux/timekeeping.h>

/* Beyond this many combinations, a proposal is cut (about 9 KiB). */
#define KIPSEC_MAX_COMBS	128

/* An ACQUIRE for this SA is outstanding. Caller holds the SAD lock. */
static bool kipsec_acquire_pending(struct kipsec_sad *sad,
				   const struct kipsec_sa *want)
{
	struct kipsec_sa *sa;

	sa = kipsec_sad_select_larval(sad, want->satype, &want->src,
				      &want->dst, want->reqid);
	return sa;
}

static struct sk_buff *kipsec_acquire_msg(const struct kipsec_sa *sa,
					  const struct kipsec_policy *pol)
{
	unsigned int n = kipsec_alg_combs(sa->satype, NULL, KIPSEC_MAX_COMBS);
	unsigned int alen = kipsec_address_ext_len(sa->dst.family);
	unsigned int plen = n ? sizeof(struct sadb_prop) +
				n * sizeof(struct sadb_comb) : 0;
	struct sadb_x_policy *xp;
	struct sadb_prop *prop;
	struct sadb_msg *hdr;
	struct sk_buff *skb;

	skb = kipsec_msg_new(sizeof(*hdr) + 2 * alen + sizeof(*xp) + plen,
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
	}
	if (n) {
		prop = kipsec_put_ext(skb, SADB_EXT_PROPOSAL, plen);
		prop->sadb_prop_replay = 32;
		kipsec_alg_combs(sa->satype, (struct sadb_comb *)(prop + 1), n);
	}
	kipsec_msg_finish(skb);
	return skb;
}

/*
 * Ask the key managers of @net for an SA of @satype from @src to @dst
 * (for @pol, which may be NULL). Callable from the packet path (atomic).
 * Returns 0 when an ACQUIRE went out, -EEXIST while one is pending for the
 * same SA, -ENOMEM.
 */
int kipsec_km_acquire(struct net *net, u8 satype,
		      const struct kipsec_addr *src,
		      const struct kipsec_addr *dst,
		      const struct kipsec_policy *pol, u8 mode, u32 reqid)
{
	struct kipsec_net *kn = kipsec_pernet(net);
	struct kipsec_sad *sad = &kn->sad;
	struct sk_buff *skb = NULL;
	struct kipsec_sa *sa;
	int err = 0;

	sa = kipsec_sa_alloc_gfp(GFP_ATOMIC);
	if (!sa)
		return -ENOMEM;
	sa->satype = satype;
	sa->state = SADB_SASTATE_LARVAL;
	sa->src = *src;
	sa->dst = *dst;
	sa->mode = mode;
	sa->reqid = reqid;
	sa->cur.sadb_lifetime_addtime = ktime_get_real_seconds();
	sa->larval_deadline = sa->created + READ_ONCE(kn->larval_lifetime);

	spin_lock_bh(&sad->lock);
	if (kipsec_acquire_pending(sad, sa)) {
		err = -EEXIST;
	} else {
		/* Never 0: a seq of 0 means "none" to GETSPI. */
		sa->seq = ++sad->acq_seq ? sad->acq_seq : ++sad->acq_seq;
		skb = kipsec_acquire_msg(sa, pol);
		if (skb)
			kipsec_sad_insert(sad, sa);
		else
			err = -ENOMEM;
	}
	spin_unlock_bh(&sad->lock);
	if (err) {
		kipsec_sa_free(sa);
		return err;
	}
	kipsec_broadcast(skb, GFP_ATOMIC, KIPSEC_BC_REGISTERED, NULL, net,
			 satype);
	return 0;
}
