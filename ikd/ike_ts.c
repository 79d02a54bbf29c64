// SPDX-License-Identifier: BSD-2-Clause
/*
 * Traffic selectors (RFC 7296 2.9, 3.13). The wire carries address ranges;
 * the kernel's SPD and SAs carry prefixes (struct ikd_sel). The responder
 * narrows the initiator's selectors against its own SPD, read through the
 * kernel seam: the first outbound ipsec policy in the SPD's order whose
 * request fits (protocol, mode, tunnel endpoints) and whose selectors
 * intersect the proposal gives the answer, the intersection made a prefix
 * (narrowing to a subset is always allowed). With generate_policy and no
 * such policy, the peer's first selectors are taken and installed as
 * policies, racoon's behaviour.
 */
#include "ike_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/ipsec.h>

#include "log.h"

static size_t alen(uint8_t type)
{
	return type == IKE_TS_IPV6_ADDR_RANGE ? 16 : 4;
}

static uint8_t ts_type(sa_family_t f)
{
	return f == AF_INET6 ? IKE_TS_IPV6_ADDR_RANGE : IKE_TS_IPV4_ADDR_RANGE;
}

void ike_ts_from_sel(struct ike_ts *ts, const struct ikd_addr *a,
		     unsigned int plen, uint8_t proto, uint16_t port)
{
	size_t n = a->family == AF_INET6 ? 16 : 4;

	memset(ts, 0, sizeof(*ts));
	ts->type = ts_type(a->family);
	/* PF_KEY says "any protocol" with 255 (IPSEC_ULPROTO_ANY). */
	ts->proto = proto == 255 ? 0 : proto;
	ts->sport = port;
	ts->eport = port ? port : 65535;
	if (plen > 8 * n)
		plen = (unsigned int)(8 * n);
	for (size_t i = 0; i < n; i++) {
		unsigned int bits = plen > 8 * i ? plen - 8 * (unsigned int)i : 0;
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);

		ts->start[i] = a->bytes[i] & mask;
		ts->end[i] = a->bytes[i] | (uint8_t)~mask;
	}
}

/* Is [start, start | hostmask(plen)] inside the range, start aligned? */
static bool prefix_fits(const struct ike_ts *ts, unsigned int plen,
			uint8_t *bcast)
{
	size_t n = alen(ts->type);

	for (size_t i = 0; i < n; i++) {
		unsigned int bits = plen > 8 * i ? plen - 8 * (unsigned int)i : 0;
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);

		if (ts->start[i] & (uint8_t)~mask)
			return false;	/* start not aligned to plen */
		bcast[i] = ts->start[i] | (uint8_t)~mask;
	}
	return memcmp(bcast, ts->end, n) <= 0;
}

void ike_ts_to_prefix(const struct ike_ts *ts, struct ikd_addr *a,
		      uint8_t *plen)
{
	size_t n = alen(ts->type);
	uint8_t bcast[16];
	unsigned int p;

	ikd_addr_zero(a);
	a->family = ts->type == IKE_TS_IPV6_ADDR_RANGE ? AF_INET6 : AF_INET;
	memcpy(a->bytes, ts->start, n);
	for (p = 0; p < 8 * n; p++)
		if (prefix_fits(ts, p, bcast))
			break;
	*plen = (uint8_t)p;
	a->port = ts->sport == ts->eport ? ts->sport : 0;
}

/* A range the kernel can carry: a prefix, any port or a single one. */
static void prefixify(struct ike_ts *ts)
{
	struct ikd_addr a;
	uint8_t plen;
	uint16_t port;

	ike_ts_to_prefix(ts, &a, &plen);
	if (ts->sport == 0 && ts->eport == 65535)
		port = 0;
	else
		port = ts->sport;	/* narrows a port range to its start */
	ike_ts_from_sel(ts, &a, plen, ts->proto, port);
}

bool ike_ts_intersect(const struct ike_ts *a, const struct ike_ts *b,
		      struct ike_ts *out)
{
	size_t n = alen(a->type);

	if (a->type != b->type)
		return false;
	memset(out, 0, sizeof(*out));
	out->type = a->type;
	if (a->proto && b->proto && a->proto != b->proto)
		return false;
	out->proto = a->proto ? a->proto : b->proto;
	out->sport = a->sport > b->sport ? a->sport : b->sport;
	out->eport = a->eport < b->eport ? a->eport : b->eport;
	if (out->sport > out->eport)
		return false;
	memcpy(out->start, memcmp(a->start, b->start, n) > 0 ? a->start :
	       b->start, n);
	memcpy(out->end, memcmp(a->end, b->end, n) < 0 ? a->end : b->end, n);
	return memcmp(out->start, out->end, n) <= 0;
}

bool ike_ts_subset(const struct ike_ts *in, const struct ike_ts *out)
{
	size_t n = alen(in->type);

	return in->type == out->type &&
	       (!out->proto || out->proto == in->proto) &&
	       in->sport >= out->sport && in->eport <= out->eport &&
	       memcmp(in->start, out->start, n) >= 0 &&
	       memcmp(in->end, out->end, n) <= 0 &&
	       memcmp(in->start, in->end, n) <= 0;
}

static const char *proto_str(uint8_t p, char *buf, size_t len)
{
	switch (p) {
	case 0: return "";
	case 1: return " icmp";
	case 6: return " tcp";
	case 17: return " udp";
	case 58: return " icmp6";
	}
	snprintf(buf, len, " proto %u", p);
	return buf;
}

const char *ike_ts_str(const struct ike_ts *ts, unsigned int n, char *buf,
		       size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	o += (size_t)snprintf(buf, len, "[");
	for (unsigned int i = 0; i < n && o < len; i++) {
		int af = ts[i].type == IKE_TS_IPV6_ADDR_RANGE ? AF_INET6 : AF_INET;
		char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], pb[16], ports[16];
		struct ikd_addr pa;
		struct ike_ts again;
		uint8_t plen;

		inet_ntop(af, ts[i].start, a, sizeof(a));
		inet_ntop(af, ts[i].end, b, sizeof(b));
		ike_ts_to_prefix(&ts[i], &pa, &plen);
		ike_ts_from_sel(&again, &pa, plen, ts[i].proto, 0);
		if (ts[i].sport == 0 && ts[i].eport == 65535)
			ports[0] = '\0';
		else if (ts[i].sport == ts[i].eport)
			snprintf(ports, sizeof(ports), "[%u]", ts[i].sport);
		else
			snprintf(ports, sizeof(ports), "[%u-%u]", ts[i].sport,
				 ts[i].eport);
		if (!memcmp(again.end, ts[i].end, alen(ts[i].type)))
			o += (size_t)snprintf(buf + o, len - o, "%s%s/%u%s%s",
					      i ? ", " : "", a, plen, ports,
					      proto_str(ts[i].proto, pb,
							sizeof(pb)));
		else
			o += (size_t)snprintf(buf + o, len - o, "%s%s-%s%s%s",
					      i ? ", " : "", a, b, ports,
					      proto_str(ts[i].proto, pb,
							sizeof(pb)));
	}
	if (o < len)
		snprintf(buf + o, len - o, "]");
	return buf;
}

/* The first selector that no other of the list contains: a peer may
 * answer with the packet's pair beside the policy's. */
static const struct ike_ts *widest(const struct ike_ts *ts, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		bool inside = false;

		for (unsigned int j = 0; j < n && !inside; j++)
			inside = j != i && ike_ts_subset(&ts[i], &ts[j]) &&
				 memcmp(&ts[i], &ts[j], sizeof(ts[i]));
		if (!inside)
			return &ts[i];
	}
	return &ts[0];
}

void ike_ts_child_sel(const struct ike_child *c, struct ikd_sel *sel)
{
	const struct ike_ts *l, *r;

	memset(sel, 0, sizeof(*sel));
	if (!c->nlocal || !c->nremote)
		return;
	l = widest(c->local_ts, c->nlocal);
	r = widest(c->remote_ts, c->nremote);
	ike_ts_to_prefix(l, &sel->src, &sel->src_plen);
	ike_ts_to_prefix(r, &sel->dst, &sel->dst_plen);
	sel->proto = l->proto;
}

/* --- narrowing against the SPD ------------------------------------------ */

struct narrow {
	struct ike_sa *sa;
	struct ike_child *c;
	const struct ike_ts_pl *tsi, *tsr;
	bool found;
	struct ike_ts local, remote;
	uint32_t reqid;
	char spd[IKE_TS_STRLEN];	/* our candidate policies, for the log */
	size_t spd_len;
};

static const struct ikd_kernel_req *fitting_req(const struct narrow *n,
						const struct ikd_kernel_policy *p)
{
	for (unsigned int i = 0; i < p->nreqs && i < IKD_KERNEL_MAX_REQS; i++) {
		const struct ikd_kernel_req *r = &p->req[i];

		if (r->proto != n->c->proto || r->mode != n->c->mode)
			continue;
		/* A tunnel's endpoints must be this IKE SA's (or unset). */
		if (r->mode == IKD_MODE_TUNNEL &&
		    ((r->tdst.family && !ikd_addr_eq_noport(&r->tdst, &n->sa->remote)) ||
		     (r->tsrc.family && !ikd_addr_is_any(&r->tsrc) &&
		      !ikd_addr_eq_noport(&r->tsrc, &n->sa->local))))
			continue;
		return r;
	}
	return NULL;
}

static void note_policy(struct narrow *n, const struct ikd_kernel_policy *p)
{
	struct ike_ts l, r;
	char a[IKE_TS_STRLEN / 2], b[IKE_TS_STRLEN / 2];
	int w;

	if (n->spd_len >= sizeof(n->spd) - 8)
		return;
	ike_ts_from_sel(&l, &p->sel.src, p->sel.src_plen, p->sel.proto,
			p->sel.src.port);
	ike_ts_from_sel(&r, &p->sel.dst, p->sel.dst_plen, p->sel.proto,
			p->sel.dst.port);
	w = snprintf(n->spd + n->spd_len, sizeof(n->spd) - n->spd_len,
		     "%s%s->%s", n->spd_len ? ", " : "",
		     ike_ts_str(&l, 1, a, sizeof(a)), ike_ts_str(&r, 1, b, sizeof(b)));
	if (w > 0)
		n->spd_len += (size_t)w;
	if (n->spd_len >= sizeof(n->spd))
		n->spd_len = sizeof(n->spd) - 1;
}

static bool packet_pair(const struct ike_ts_pl *tsi, const struct ike_ts_pl *tsr)
{
	return tsi->nts > 1 && tsr->nts > 1 &&
	       ike_ts_subset(&tsi->ts[0], &tsi->ts[1]) &&
	       ike_ts_subset(&tsr->ts[0], &tsr->ts[1]);
}

static int narrow_cb(void *arg, const struct ikd_kernel_policy *p)
{
	struct narrow *n = arg;
	const struct ikd_kernel_req *r;
	struct ike_ts lts, rts;

	if (n->found || p->dir != IKD_DIR_OUT ||
	    p->action != IPSEC_POLICY_IPSEC)
		return 0;
	if (p->sel.src.family != AF_INET && p->sel.src.family != AF_INET6)
		return 0;
	note_policy(n, p);
	r = fitting_req(n, p);
	if (!r)
		return 0;
	ike_ts_from_sel(&lts, &p->sel.src, p->sel.src_plen, p->sel.proto,
			p->sel.src.port);
	ike_ts_from_sel(&rts, &p->sel.dst, p->sel.dst_plen, p->sel.proto,
			p->sel.dst.port);
	/* 2.9: a first pair that lies in a later one is the packet that
	 * triggered the request; the policy must be the one for it. */
	if (packet_pair(n->tsi, n->tsr)) {
		struct ike_ts x;

		if (!ike_ts_intersect(&n->tsi->ts[0], &rts, &x) ||
		    !ike_ts_intersect(&n->tsr->ts[0], &lts, &x))
			return 0;
	}
	/* Broadest first: the packet's pair last, so that the SA covers
	 * the whole policy rather than one pair of hosts. */
	for (unsigned int i = n->tsi->nts; i-- > 0;)
		for (unsigned int j = n->tsr->nts; j-- > 0;) {
			struct ike_ts ri, lj;
			uint8_t proto;

			if (!ike_ts_intersect(&n->tsi->ts[i], &rts, &ri) ||
			    !ike_ts_intersect(&n->tsr->ts[j], &lts, &lj))
				continue;
			/* One SA carries one upper-layer protocol. */
			if (ri.proto && lj.proto && ri.proto != lj.proto)
				continue;
			proto = ri.proto ? ri.proto : lj.proto;
			ri.proto = lj.proto = proto;
			prefixify(&ri);
			prefixify(&lj);
			n->remote = ri;
			n->local = lj;
			n->found = true;
			if (r->level == IPSEC_LEVEL_UNIQUE && r->reqid)
				n->reqid = r->reqid;
			return 0;
		}
	return 0;
}

int ike_ts_narrow(struct ike_sa *sa, struct ike_child *c,
		  const struct ike_ts_pl *tsi, const struct ike_ts_pl *tsr,
		  bool *generate)
{
	struct ikd_kernel *k = sa->eng->env.kernel;
	struct narrow *n = calloc(1, sizeof(*n));
	char a[IKE_TS_STRLEN], b[IKE_TS_STRLEN], rb[IKD_ADDR_STRLEN];
	int err;

	if (!n)
		return -ENOMEM;
	*generate = false;
	n->sa = sa;
	n->c = c;
	n->tsi = tsi;
	n->tsr = tsr;
	err = k->ops->spd_dump(k, narrow_cb, n);
	if (err)
		log_error("cannot read the SPD to check the peer's traffic "
			  "selectors: %s", strerror(-err));
	if (!n->found && sa->cfg->generate_policy && tsi->nts && tsr->nts &&
	    tsi->ts[0].type == tsr->ts[0].type) {
		/* racoon's generate_policy: no policy of ours, take the
		 * peer's first pair (after the packet's, if it sent one). */
		unsigned int f = packet_pair(tsi, tsr) ? 1 : 0;

		n->remote = tsi->ts[f];
		n->local = tsr->ts[f];
		if (n->remote.proto && n->local.proto &&
		    n->remote.proto != n->local.proto)
			n->local.proto = n->remote.proto;
		prefixify(&n->remote);
		prefixify(&n->local);
		n->found = true;
		*generate = true;
	}
	if (!n->found) {
		log_error("TS_UNACCEPTABLE for %s (%s %s): peer proposed "
			  "TSi=%s TSr=%s; our outbound ipsec policies: [%s]%s",
			  ikd_addr_str(&sa->remote, false, rb),
			  c->proto == IPPROTO_AH ? "AH" : "ESP",
			  ike_mode_name(c->mode),
			  ike_ts_str(tsi->ts, tsi->nts, a, sizeof(a)),
			  ike_ts_str(tsr->ts, tsr->nts, b, sizeof(b)), n->spd,
			  sa->cfg->generate_policy ? "" :
			  " (generate_policy is off)");
		free(n);
		return -ENOENT;
	}
	c->remote_ts[0] = n->remote;
	c->local_ts[0] = n->local;
	c->nremote = c->nlocal = 1;
	c->reqid = n->reqid;
	c->reqid_unique = n->reqid != 0;
	free(n);
	return 0;
}

/* --- generated policies ------------------------------------------------- */

static void remove_now(struct ike_sa *sa, struct ike_child *c);

static void fill_sel(struct ikd_sel *sel, const struct ike_ts *src,
		     const struct ike_ts *dst)
{
	memset(sel, 0, sizeof(*sel));
	ike_ts_to_prefix(src, &sel->src, &sel->src_plen);
	ike_ts_to_prefix(dst, &sel->dst, &sel->dst_plen);
	sel->proto = src->proto ? src->proto : 255;
}

int ike_gen_policies_add(struct ikd_kernel *k, const struct ikd_sel *out_sel,
			 const struct ikd_sel *in_sel, uint8_t proto,
			 uint8_t mode, uint32_t reqid,
			 const struct ikd_addr *local,
			 const struct ikd_addr *remote, uint32_t ids[3],
			 unsigned int *n)
{
	static const uint8_t dirs[] = { IKD_DIR_OUT, IKD_DIR_IN, IKD_DIR_FWD };
	unsigned int ndir = mode == IKD_MODE_TUNNEL ? 3 : 2;

	for (unsigned int i = 0; i < ndir; i++) {
		struct ikd_kernel_policy p = { 0 };
		struct ikd_kernel_req *r = &p.req[0];
		bool out = dirs[i] == IKD_DIR_OUT;
		int err;

		p.dir = dirs[i];
		p.action = IPSEC_POLICY_IPSEC;
		p.sel = out ? *out_sel : *in_sel;
		p.nreqs = 1;
		r->proto = proto;
		r->mode = mode;
		r->level = IPSEC_LEVEL_UNIQUE;
		r->reqid = reqid;
		if (mode == IKD_MODE_TUNNEL) {
			r->tsrc = out ? *local : *remote;
			r->tdst = out ? *remote : *local;
			r->tsrc.port = r->tdst.port = 0;
		}
		err = k->ops->spd_add(k, &p);
		if (err) {
			log_error("generate_policy: cannot add the %s policy: %s",
				  out ? "out" : dirs[i] == IKD_DIR_IN ? "in" : "fwd",
				  strerror(-err));
			return err;
		}
		ids[(*n)++] = p.id;
	}
	return 0;
}

int ike_ts_install_policies(struct ike_sa *sa, struct ike_child *c)
{
	struct ikd_sel out, in;
	unsigned int n = c->ngen_pol;
	int err;

	fill_sel(&out, &c->local_ts[0], &c->remote_ts[0]);
	fill_sel(&in, &c->remote_ts[0], &c->local_ts[0]);
	err = ike_gen_policies_add(sa->eng->env.kernel, &out, &in, c->proto,
				   c->mode, c->reqid, &sa->local, &sa->remote,
				   c->gen_pol, &n);
	c->ngen_pol = (uint8_t)n;
	if (err)
		remove_now(sa, c);
	return err;
}

/*
 * Generated policies outlive the child SA that made them when another
 * child SA uses them (the peer rekeyed it: the new one found them in the
 * SPD); they go to that child instead of out of the kernel, or the
 * traffic would lose its policy.
 */
static bool hand_over(struct ike_sa *sa, struct ike_child *c)
{
	for (struct ike_sa *o = sa->eng->sas; o; o = o->next)
		for (struct ike_child *x = o->children; x; x = x->next)
			if (x != c && x->reqid == c->reqid && !x->ngen_pol &&
			    x->state != CHILD_ST_DELETING &&
			    o->state != IKE_ST_DEAD) {
				memcpy(x->gen_pol, c->gen_pol, sizeof(x->gen_pol));
				x->ngen_pol = c->ngen_pol;
				c->ngen_pol = 0;
				return true;
			}
	return false;
}

void ike_ts_remove_policies(struct ike_sa *sa, struct ike_child *c)
{
	if (!hand_over(sa, c))
		remove_now(sa, c);
}

static void remove_now(struct ike_sa *sa, struct ike_child *c)
{
	struct ikd_kernel *k = sa->eng->env.kernel;

	for (unsigned int i = 0; i < c->ngen_pol; i++) {
		int err = k->ops->spd_del(k, c->gen_pol[i]);

		if (err && err != -ENOENT)
			log_warn("cannot remove generated policy %u: %s",
				 c->gen_pol[i], strerror(-err));
	}
	c->ngen_pol = 0;
}
