// SPDX-License-Identifier: BSD-2-Clause
/*
 * ACQUIREs: the kernel wants an SA for traffic of an outbound policy, or
 * of a kipsec interface (ike_kif.c). A child SA is queued on the IKE SA
 * with that peer, or a new IKE SA starts for it (IKE_SA_INIT, then the
 * child in IKE_AUTH).
 */
#include "ike_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/ipsec.h>

#include "log.h"

static bool negotiating(const struct ike_child *c)
{
	return c->state == CHILD_ST_QUEUED || c->state == CHILD_ST_NEGOTIATING;
}

static bool same_request(const struct ike_child *c,
			 const struct ikd_acquire *acq)
{
	struct ike_ts l, r;

	if (c->ifname[0])
		return ike_kif_wants(c, acq);
	if (acq->pol.id)
		return c->pol_id == acq->pol.id;
	ike_ts_from_sel(&l, &acq->pol.sel.src, acq->pol.sel.src_plen,
			acq->pol.sel.proto, acq->pol.sel.src.port);
	ike_ts_from_sel(&r, &acq->pol.sel.dst, acq->pol.sel.dst_plen,
			acq->pol.sel.proto, acq->pol.sel.dst.port);
	return c->nlocal && c->nremote &&
	       !memcmp(&c->local_ts[c->nlocal - 1], &l, sizeof(l)) &&
	       !memcmp(&c->remote_ts[c->nremote - 1], &r, sizeof(r));
}

static uint32_t acquire_reqid(struct ike_engine *e,
			      const struct ikd_acquire *acq, bool *unique)
{
	*unique = true;
	for (unsigned int i = 0; i < acq->pol.nreqs && i < IKD_KERNEL_MAX_REQS; i++) {
		const struct ikd_kernel_req *r = &acq->pol.req[i];

		if (r->proto == acq->proto && r->level == IPSEC_LEVEL_UNIQUE &&
		    r->reqid)
			return r->reqid;
	}
	*unique = false;
	return e->next_reqid++;
}

/* An interface's ACQUIRE (policy id 0) for the interface of @peer, as it
 * is now: 0 with *kif, or -errno (logged). The IKE peer stays the
 * block's; the interface's endpoints are its SAs'. */
static int acquire_kif(struct ike_engine *e, const struct ikd_acquire *acq,
		       const struct ike_peer_cfg *peer, struct ikd_kif *kif)
{
	char a[IKD_ADDR_STRLEN], b[IKD_ADDR_STRLEN];
	int err;

	ikd_addr_str(&acq->src, false, a);
	ikd_addr_str(&acq->dst, false, b);
	if (acq->pol.id || acq->proto != IPPROTO_ESP) {
		log_error("ACQUIRE %s->%s for policy %u: remote \"%s\" has "
			  "interface %s and no policies", a, b, acq->pol.id,
			  peer->name, peer->ifname);
		return -ENOENT;
	}
	err = ike_kif_get(e, peer, kif);
	if (err)
		return err;
	if ((acq->reqid && acq->reqid != kif->reqid) ||
	    !ikd_addr_eq_noport(&acq->src, &kif->local) ||
	    !ikd_addr_eq_noport(&acq->dst, &kif->remote)) {
		log_error("ACQUIRE %s->%s reqid %u is not interface %s's "
			  "(reqid %u)", a, b, acq->reqid, peer->ifname,
			  kif->reqid);
		return -ENOENT;
	}
	return 0;
}

/* TSi/TSr from the policy; the packet's own selector first (2.9), which
 * helps a responder narrow to what this traffic needs. */
static void acquire_ts(struct ike_child *c, const struct ikd_acquire *acq)
{
	const struct ikd_sel *s = &acq->pol.sel;
	const struct ikd_sel *f = &acq->flow;
	struct ike_ts l, r, fl, fr;

	ike_ts_from_sel(&l, &s->src, s->src_plen, s->proto, s->src.port);
	ike_ts_from_sel(&r, &s->dst, s->dst_plen, s->proto, s->dst.port);
	c->nlocal = c->nremote = 0;
	if (f->src.family && f->src.family == s->src.family &&
	    f->dst.family == s->dst.family) {
		ike_ts_from_sel(&fl, &f->src, ikd_addr_bits(f->src.family),
				f->proto, f->src.port);
		ike_ts_from_sel(&fr, &f->dst, ikd_addr_bits(f->dst.family),
				f->proto, f->dst.port);
		if (ike_ts_subset(&fl, &l) && ike_ts_subset(&fr, &r) &&
		    memcmp(&fl, &l, sizeof(l))) {
			c->local_ts[c->nlocal++] = fl;
			c->remote_ts[c->nremote++] = fr;
		}
	}
	c->local_ts[c->nlocal++] = l;
	c->remote_ts[c->nremote++] = r;
}

int ike_engine_acquire(struct ike_engine *e, const struct ikd_acquire *acq,
		       const struct ike_peer_cfg *peer)
{
	const struct ike_child_cfg *ccfg;
	struct ike_sa *sa, *found = NULL;
	struct ike_child *c;
	struct ikd_addr local = acq->src, remote = acq->dst;
	struct ikd_kif kif;
	char rb[IKD_ADDR_STRLEN];
	int err;

	ikd_addr_str(&remote, false, rb);
	if (!peer || peer->ike_version != 2) {
		log_error("ACQUIRE for %s: no IKEv2 remote configuration", rb);
		return -ENOENT;
	}
	if (acq->proto != IPPROTO_ESP && acq->proto != IPPROTO_AH) {
		log_error("ACQUIRE for %s: protocol %u is not negotiated by "
			  "IKEv2 here", rb, acq->proto);
		return -ENOTSUP;
	}
	if (peer->ifname[0]) {
		err = acquire_kif(e, acq, peer, &kif);
		if (err)
			return err;
		if (peer->remote.family)
			remote = peer->remote;
		ikd_addr_str(&remote, false, rb);
	}
	for (sa = e->sas; sa; sa = sa->next) {
		if (sa->state == IKE_ST_DEAD || sa->state == IKE_ST_DELETING ||
		    !ikd_addr_eq_noport(&sa->remote, &remote))
			continue;
		for (c = sa->children; c; c = c->next)
			if (negotiating(c) && same_request(c, acq)) {
				log_debug("ACQUIRE for %s: policy %u is already "
					  "being negotiated", rb, acq->pol.id);
				return -EALREADY;
			}
		c = sa->state == IKE_ST_ESTABLISHED ?
		    ike_child_covering(sa, acq) : NULL;
		if (c) {
			log_info("ACQUIRE for %s: CHILD_SA spi=0x%08x already "
				 "carries this traffic, ignored", rb,
				 ntohl(c->spi_out));
			return -EALREADY;
		}
		if (!found || sa->state == IKE_ST_ESTABLISHED)
			found = sa;
	}
	if (!found && peer->passive) {
		log_notify("ACQUIRE for %s: remote \"%s\" is passive, not "
			   "initiating", rb, peer->name);
		return -EPERM;
	}
	if (found) {
		sa = found;
	} else {
		local.port = peer->local.port ? peer->local.port : 500;
		remote.port = peer->remote.port ? peer->remote.port : 500;
		if (!local.family || ikd_addr_is_any(&local))
			local = peer->local;
		sa = ike_sa_new(e, true, &local, &remote, peer);
		if (!sa)
			return -ENOMEM;
	}
	c = ike_child_new(sa);
	if (!c) {
		err = -ENOMEM;
		goto fail;
	}
	c->proto = acq->proto;
	c->mode = acq->mode == IKD_MODE_TRANSPORT ? IKD_MODE_TRANSPORT :
		  IKD_MODE_TUNNEL;
	c->seq = acq->seq;
	c->pol_id = acq->pol.id;
	if (peer->ifname[0]) {
		struct ikd_sel sel;

		ike_kif_child_init(c, peer, &kif);
		ike_ts_child_sel(c, &sel);
		ccfg = e->env.child_cfg(e->env.arg, sa->cfg, &sel);
	} else {
		struct ikd_sel sel = acq->pol.sel;

		c->reqid = acquire_reqid(e, acq, &c->reqid_unique);
		acquire_ts(c, acq);
		ccfg = e->env.child_cfg(e->env.arg, sa->cfg, &sel);
	}
	if (!ccfg) {
		char a[IKE_TS_STRLEN], b[IKE_TS_STRLEN];

		log_error("ACQUIRE for %s: no sainfo for %s === %s", rb,
			  ike_ts_str(c->local_ts, c->nlocal, a, sizeof(a)),
			  ike_ts_str(c->remote_ts, c->nremote, b, sizeof(b)));
		ike_child_free(sa, c, false);
		err = -ENOENT;
		goto fail;
	}
	c->cfg = *ccfg;
	if (found) {
		log_info("ACQUIRE for %s: queued on IKE SA %016" PRIx64
			 ":%016" PRIx64 " (%s)", rb, sa->spi_i, sa->spi_r,
			 ike_state_name(sa->state));
		err = ike_sa_queue(sa, REQ_CHILD, c, 0);
		if (err) {
			ike_child_free(sa, c, false);
			return err;
		}
		ike_sa_run_queue(sa);
		return 0;
	}
	{
		char lb[IKD_ADDR_STRLEN];

		/* racoon's words for the same moment */
		log_notify("initiate new phase 1 negotiation: %s<=>%s "
			   "(remote \"%s\", IKEv2)",
			   ikd_addr_str(&sa->local, true, lb),
			   ikd_addr_str(&sa->remote, true, rb), sa->cfg->name);
	}
	err = ike_init_start(sa);
	if (err)
		goto fail;
	return 0;
fail:
	if (!found) {
		e->stats.ike_failed++;
		ike_sa_destroy(sa);
	}
	return err;
}

