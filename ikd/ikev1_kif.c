// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1's IPsec-SAs for kipsec interfaces (`interface` in a remote block,
 * ike_kif.c for IKEv2's). Quick Mode carries one pair of IDs, so the
 * initiator proposes IDci = IDcr = 0.0.0.0/0 (IPV4_ADDR_SUBNET, any
 * protocol): the kernel picks an interface's SAs by reqid, so the pair
 * carries IPv6 inside as well. With `interface NAME { local ...; remote
 * ...; }` the pair is each side's first prefix, and the responder takes
 * only IDs within the block's prefixes; it never reads the SPD. Unlike IKEv2's, the interface's endpoints must be this
 * ISAKMP SA's addresses: IKEv1's IPsec-SAs are kept by those.
 */
#include "ikev1_int.h"

#include <errno.h>
#include <string.h>

#include "log.h"

static bool same_ends(const struct ikd_kif *kif, const struct ikd_addr *local,
		      const struct ikd_addr *remote)
{
	return ikd_addr_eq_noport(&kif->local, local) &&
	       ikd_addr_eq_noport(&kif->remote, remote);
}

static int ends_differ(const struct ike_peer_cfg *peer)
{
	log_error("remote \"%s\": interface %s: IKEv1 needs the interface's "
		  "endpoints to be the IKE peers' addresses", peer->name,
		  peer->ifname);
	return -EINVAL;
}

/* The one pair of IDs Quick Mode carries: each side's first prefix in
 * the block, or 0.0.0.0/0 (::/0 beside an IPv6 prefix). */
static void conf_ids(const struct ike_peer_cfg *peer, struct ikd_sel *sel)
{
	const struct ikd_prefix *l = peer->n_kif_ts[0] ? &peer->kif_ts[0][0] :
				     NULL;
	const struct ikd_prefix *r = peer->n_kif_ts[1] ? &peer->kif_ts[1][0] :
				     NULL;
	sa_family_t family = l ? l->addr.family : r ? r->addr.family : AF_INET;

	memset(sel, 0, sizeof(*sel));
	sel->src.family = sel->dst.family = family;
	if (l && l->addr.family == family) {
		sel->src = l->addr;
		sel->src_plen = l->plen;
	}
	if (r && r->addr.family == family) {
		sel->dst = r->addr;
		sel->dst_plen = r->plen;
	}
}

/* Does @a/@plen lie in one of side @side's prefixes (or is there none)? */
static bool within(const struct ike_peer_cfg *peer, int side,
		   const struct ikd_addr *a, unsigned int plen)
{
	unsigned int n = peer->n_kif_ts[side];

	for (unsigned int i = 0; i < n; i++) {
		const struct ikd_prefix *pf = &peer->kif_ts[side][i];

		if (pf->plen <= plen && ikd_addr_in_prefix(a, &pf->addr, pf->plen))
			return true;
	}
	return !n;
}

int ikev1_kif_acquire(struct ike_engine *e, const struct ikd_acquire *acq,
		      const struct ike_peer_cfg *peer, struct ikd_acquire *out)
{
	struct ikd_kif kif;
	int err;

	if (acq->pol.id || acq->proto != IPPROTO_ESP) {
		log_error("ACQUIRE for policy %u: remote \"%s\" has interface "
			  "%s and no policies", acq->pol.id, peer->name,
			  peer->ifname);
		return -ENOENT;
	}
	err = ike_kif_get(e, peer, &kif);
	if (err)
		return err;
	if ((acq->reqid && acq->reqid != kif.reqid) ||
	    !same_ends(&kif, &acq->src, &acq->dst)) {
		log_error("ACQUIRE reqid %u is not interface %s's (reqid %u)",
			  acq->reqid, peer->ifname, kif.reqid);
		return -ENOENT;
	}
	if (peer->remote.family &&
	    !ikd_addr_eq_noport(&peer->remote, &kif.remote))
		return ends_differ(peer);
	ikd_kif_acquire(&kif, out);
	out->seq = acq->seq;
	conf_ids(peer, &out->pol.sel);
	return 0;
}

int ikev1_kif_ids(struct ikev1_sa *sa, struct ikev1_qm_x *q)
{
	struct ikd_kif kif;
	int err;

	if (q->mode != IKD_MODE_TUNNEL || q->proto != IPPROTO_ESP) {
		log_error("remote \"%s\": interface %s carries ESP in tunnel "
			  "mode only", sa->cfg.name, sa->cfg.ifname);
		return -ENOENT;
	}
	err = ike_kif_get(sa->eng, &sa->cfg, &kif);
	if (err)
		return err;
	if (!same_ends(&kif, &sa->local, &sa->remote))
		return ends_differ(&sa->cfg);
	if (!within(&sa->cfg, 0, &q->sel.src, q->sel.src_plen) ||
	    !within(&sa->cfg, 1, &q->sel.dst, q->sel.dst_plen)) {
		log_error("remote \"%s\": interface %s: the peer's IDs lie "
			  "outside the block's selectors", sa->cfg.name,
			  sa->cfg.ifname);
		return -ENOENT;
	}
	q->reqid = kif.reqid;
	q->comp_reqid = 0;
	return 0;
}
