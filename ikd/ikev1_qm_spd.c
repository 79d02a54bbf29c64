// SPDX-License-Identifier: BSD-2-Clause
/*
 * The Quick Mode responder's IDs against our SPD. IKEv1 has no narrowing
 * (RFC 2409 5.5: the responder takes the IDs or refuses them), so an
 * authenticated peer must not get whatever selectors it names installed:
 * the IDs must lie within an outbound ipsec policy of ours for this peer
 * (the initiator's IDci is our remote side, its IDcr our local one),
 * equal to the policy's selectors or inside them. racoon does the same:
 * it looks the SP up by the IDs, matching the policy's prefixes as
 * wildcards, then checks the proposal against the policy; a wider ID
 * finds no policy. The policy's request must be the chosen protocol (ESP
 * or AH) in the proposed encapsulation mode, its tunnel endpoints (if
 * set) this ISAKMP SA's addresses. Its reqid is taken at the unique level, as for an ACQUIRE.
 *
 * With generate_policy in the remote block and no such policy, the IDs
 * are taken and installed as policies (out, in and, in tunnel mode,
 * fwd), with a new reqid, as IKEv2's responder does; the sainfo's mode,
 * when it has one, must be the proposed one.
 */
#include "ikev1_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/ipsec.h>

#include "log.h"

struct id_match {
	const struct ikev1_sa *sa;
	const struct ikev1_qm_x *q;
	struct ike_ts local, remote;	/* the IDs: IDcr, IDci */
	bool found, wrong_mode;
	uint32_t reqid, comp_reqid;
};

static void sel_ts(struct ike_ts *ts, const struct ikd_addr *a, uint8_t plen,
		   uint8_t proto)
{
	ike_ts_from_sel(ts, a, plen, proto, a->port);
}

/* The request of @p for our protocol whose tunnel endpoints (if any)
 * are ours. */
static const struct ikd_kernel_req *proto_req(const struct id_match *m,
					    const struct ikd_kernel_policy *p)
{
	for (unsigned int i = 0; i < p->nreqs && i < IKD_KERNEL_MAX_REQS; i++) {
		const struct ikd_kernel_req *r = &p->req[i];

		if (r->proto != m->q->proto)
			continue;
		if (r->mode == IKD_MODE_TUNNEL &&
		    ((r->tdst.family &&
		      !ikd_addr_eq_noport(&r->tdst, &m->sa->remote)) ||
		     (r->tsrc.family && !ikd_addr_is_any(&r->tsrc) &&
		      !ikd_addr_eq_noport(&r->tsrc, &m->sa->local))))
			continue;
		return r;
	}
	return NULL;
}

static int match_cb(void *arg, const struct ikd_kernel_policy *p)
{
	struct id_match *m = arg;
	const struct ikd_kernel_req *r;
	struct ike_ts l, rm;

	if (m->found || p->dir != IKD_DIR_OUT ||
	    p->action != IPSEC_POLICY_IPSEC ||
	    p->sel.src.family != m->q->sel.src.family)
		return 0;
	sel_ts(&l, &p->sel.src, p->sel.src_plen, p->sel.proto);
	sel_ts(&rm, &p->sel.dst, p->sel.dst_plen, p->sel.proto);
	if (!ike_ts_subset(&m->local, &l) || !ike_ts_subset(&m->remote, &rm))
		return 0;
	r = proto_req(m, p);
	if (!r)
		return 0;
	if (r->mode != m->q->mode) {
		m->wrong_mode = true;
		return 0;
	}
	m->found = true;
	m->reqid = r->level == IPSEC_LEVEL_UNIQUE ? r->reqid : 0;
	/* The IPcomp SAs of a chosen bundle get its IPcomp's reqid. */
	for (unsigned int i = 0; i < p->nreqs && i < IKD_KERNEL_MAX_REQS; i++)
		if (p->req[i].proto == IPPROTO_COMP)
			m->comp_reqid = p->req[i].level == IPSEC_LEVEL_UNIQUE ?
					p->req[i].reqid : 0;
	return 0;
}

static int install_policies(struct ikev1_sa *sa, struct ikev1_qm_x *q)
{
	struct ikd_sel out = q->sel, in;

	/* PF_KEY's "any protocol" */
	out.proto = q->sel.proto ? q->sel.proto : 255;
	in = out;
	in.src = out.dst;
	in.src_plen = out.dst_plen;
	in.dst = out.src;
	in.dst_plen = out.src_plen;
	return ike_gen_policies_add(sa->eng->env.kernel, &out, &in, q->proto,
				    q->mode, q->reqid, &sa->local, &sa->remote,
				    q->gen_pol, &q->ngen);
}

int ikev1_qm_check_ids(struct ikev1_sa *sa, struct ikev1_qm_x *q)
{
	struct ikd_kernel *k = sa->eng->env.kernel;
	struct id_match m = { .sa = sa, .q = q };
	char lb[IKE_TS_STRLEN], rb[IKE_TS_STRLEN], pb[IKD_ADDR_STRLEN];
	int err;

	if (sa->cfg.ifname[0])
		return ikev1_kif_ids(sa, q);
	sel_ts(&m.local, &q->sel.src, q->sel.src_plen, q->sel.proto);
	sel_ts(&m.remote, &q->sel.dst, q->sel.dst_plen, q->sel.proto);
	ike_ts_str(&m.local, 1, lb, sizeof(lb));
	ike_ts_str(&m.remote, 1, rb, sizeof(rb));
	ikd_addr_str(&sa->remote, true, pb);
	err = k->ops->spd_dump(k, match_cb, &m);
	if (err)
		log_error("cannot read the SPD to check the IDs of %s: %s", pb,
			  strerror(-err));
	if (m.found) {
		q->reqid = m.reqid;
		q->comp_reqid = m.comp_reqid;
		return 0;
	}
	if (sa->cfg.generate_policy && q->cfg.mode && q->cfg.mode != q->mode) {
		log_error("generate_policy: %s asks for %s mode, sainfo wants "
			  "%s", pb, ike_mode_name(q->mode),
			  ike_mode_name(q->cfg.mode));
		return -ENOENT;
	}
	if (sa->cfg.generate_policy) {
		q->reqid = sa->eng->next_reqid++;
		log_info("generate_policy: installing %s->%s (%s) for %s", lb,
			 rb, ike_mode_name(q->mode), pb);
		return install_policies(sa, q);
	}
	log_error("no policy found: IDci=%s IDcr=%s (%s) from %s%s; "
		  "invalid ID payload (generate_policy is off)", rb, lb,
		  ike_mode_name(q->mode), pb,
		  m.wrong_mode ? ", our policy has the other mode" : "");
	return -ENOENT;
}
