// SPDX-License-Identifier: BSD-2-Clause
/*
 * The reqid of an inbound SA. setkey's `unique` without a number gives
 * each policy a reqid of its own, so the inbound policy's differs from
 * the outbound one's, and the kernel checks an inbound packet's SA
 * against the inbound policy (as XFRM does with a template's reqid): our
 * inbound SA must carry the inbound policy's reqid, as racoon's reqid_in
 * did. IKEv1's Quick Mode and IKEv2's child SAs both ask here.
 */
#include "kernel.h"

#include <linux/ipsec.h>

#include "log.h"

struct in_match {
	const struct ikd_sel *out;
	uint8_t proto, mode;
	uint32_t reqid;
	bool found;
};

static bool same_side(const struct ikd_addr *a, uint8_t alen,
		      const struct ikd_addr *b, uint8_t blen)
{
	return alen == blen && ikd_addr_eq(a, b);
}

static int in_cb(void *arg, const struct ikd_kernel_policy *p)
{
	struct in_match *m = arg;
	const struct ikd_sel *s = m->out;
	uint8_t pp = p->sel.proto == 255 ? 0 : p->sel.proto;
	uint8_t sp = s->proto == 255 ? 0 : s->proto;

	if (m->found || p->dir != IKD_DIR_IN ||
	    p->action != IPSEC_POLICY_IPSEC || pp != sp ||
	    !same_side(&p->sel.src, p->sel.src_plen, &s->dst, s->dst_plen) ||
	    !same_side(&p->sel.dst, p->sel.dst_plen, &s->src, s->src_plen))
		return 0;
	for (unsigned int i = 0; i < p->nreqs && i < IKD_KERNEL_MAX_REQS; i++) {
		const struct ikd_kernel_req *r = &p->req[i];

		if (r->proto != m->proto || r->mode != m->mode)
			continue;
		m->found = true;
		if (r->level == IPSEC_LEVEL_UNIQUE && r->reqid)
			m->reqid = r->reqid;
		break;
	}
	return 0;
}

uint32_t ikd_kernel_in_reqid(struct ikd_kernel *k, const struct ikd_sel *out,
			     uint8_t proto, uint8_t mode, uint32_t out_reqid)
{
	struct in_match m = {
		.out = out, .proto = proto, .mode = mode, .reqid = out_reqid,
	};

	/* Below unique the kernel takes any SA: nothing to look up. */
	if (!out_reqid)
		return 0;
	if (k->ops->spd_dump(k, in_cb, &m))
		log_warn("cannot read the SPD for the inbound policy's reqid: "
			 "the inbound SA gets the outbound one's (%u)",
			 out_reqid);
	return m.reqid;
}
