// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1's IPsec-SAs for kipsec interfaces (`interface` in a remote block,
 * ike_kif.c for IKEv2's). Quick Mode carries one pair of IDs, so the
 * initiator proposes IDci = IDcr = 0.0.0.0/0 (IPV4_ADDR_SUBNET, any
 * protocol): the kernel picks an interface's SAs by reqid, so the pair
 * carries IPv6 inside as well. The responder takes the peer's IDs without
 * reading the SPD. Unlike IKEv2's, the interface's endpoints must be this
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
	memset(out, 0, sizeof(*out));
	out->seq = acq->seq;
	out->proto = IPPROTO_ESP;
	out->mode = IKD_MODE_TUNNEL;
	out->reqid = kif.reqid;
	out->src = kif.local;
	out->dst = kif.remote;
	out->pol.dir = IKD_DIR_OUT;
	out->pol.sel.src.family = AF_INET;
	out->pol.sel.dst.family = AF_INET;
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
	q->reqid = kif.reqid;
	q->comp_reqid = 0;
	return 0;
}
