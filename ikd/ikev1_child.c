// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1's IPsec SAs after Quick Mode installed them, and what the daemon
 * asks of IKEv1 about them:
 *
 *   ACQUIRE   Quick Mode over an established ISAKMP SA with the peer;
 *             otherwise queued on the one being set up, or on a new
 *             phase 1, and started when phase 1 is established. An
 *             ACQUIRE for traffic an installed pair carries, or one
 *             already under way, is ignored (the kernel repeats them).
 *   EXPIRE    soft: the side that started the pair negotiates a new one
 *             for the same selectors (the old pair lives on until its
 *             hard lifetime, as racoon's do); hard: the pair goes, with
 *             a DELETE to the peer when an ISAKMP SA is there to carry it.
 *   DELETE    from the peer: the pair goes from the kernel and from here.
 *             An IPcomp pair bundled with it goes along; a DELETE for
 *             IPCOMP (racoon sends one, with the 2-byte CPI, besides the
 *             ESP one) removes the IPcomp pair alone, and so do we send
 *             one for ours.
 *   shutdown  DELETE for every pair and ISAKMP SA, the pairs and the
 *             policies generate_policy made out of the kernel.
 *
 * The pairs are the engine's, not an ISAKMP SA's: in IKEv1 they outlive
 * the phase 1 that negotiated them.
 */
#include "ikev1_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "log.h"

static const char *proto_name(uint8_t proto)
{
	return proto == IPPROTO_AH ? "AH" : "ESP";
}

bool ikev1_sel_eq(const struct ikd_sel *a, const struct ikd_sel *b)
{
	/* PF_KEY writes "any protocol" as 255, the IDs as 0. */
	return ikd_addr_eq(&a->src, &b->src) && ikd_addr_eq(&a->dst, &b->dst) &&
	       a->src_plen == b->src_plen && a->dst_plen == b->dst_plen &&
	       a->proto % 255 == b->proto % 255;
}

/* The installed pair that carries @acq's traffic, if any. */
static struct ikev1_child *carrying(struct ike_engine *e,
				    const struct ikd_acquire *acq)
{
	for (struct ikev1_child *c = e->v1_children; c; c = c->next)
		if (c->proto == acq->proto &&
		    ikd_addr_eq_noport(&c->remote, &acq->dst) &&
		    ikev1_sel_eq(&c->sel, &acq->pol.sel))
			return c;
	return NULL;
}

/* --- the pairs ------------------------------------------------------------ */

void ikev1_child_add(struct ikev1_sa *sa, struct ikev1_qm_x *q)
{
	struct ikev1_child *c = calloc(1, sizeof(*c));

	if (!c) {
		/* The kernel has the SAs; they expire there unrekeyed. */
		log_error("out of memory: IPsec-SA spi=0x%08x is not tracked",
			  ntohl(q->spi_in));
		return;
	}
	c->local = sa->local;
	c->remote = sa->remote;
	c->local.port = c->remote.port = 0;
	c->sel = q->sel;
	c->proto = q->proto;
	c->mode = q->mode;
	c->reqid = q->reqid;
	c->spi_in = q->spi_in;
	c->spi_out = q->spi_out;
	if (q->comp) {
		c->cpi_in = q->cpi_in;
		c->cpi_out = q->cpi_out;
		c->comp_reqid = q->comp_reqid;
	}
	c->comp_level = q->comp_level;	/* the initiator's; it renews */
	c->initiator = q->initiator;
	memcpy(c->cky_i, sa->cky_i, sizeof(c->cky_i));
	memcpy(c->cky_r, sa->cky_r, sizeof(c->cky_r));
	snprintf(c->peer, sizeof(c->peer), "%s", sa->cfg.name);
	c->encr = q->encr;
	c->keybits = q->keybits;
	c->integ = q->integ;
	c->established_ms = sa->eng->env.timers->now(sa->eng->env.timers);
	c->hard_secs = q->life_secs;
	memcpy(c->gen_pol, q->gen_pol, sizeof(c->gen_pol));
	c->ngen = q->ngen;
	q->ngen = 0;		/* the pair's now */
	c->next = sa->eng->v1_children;
	sa->eng->v1_children = c;
}

void ikev1_del_policies(struct ike_engine *e, const uint32_t *ids,
			unsigned int n)
{
	struct ikd_kernel *k = e->env.kernel;

	for (unsigned int i = 0; i < n; i++) {
		int err = k->ops->spd_del(k, ids[i]);

		if (err && err != -ENOENT)
			log_warn("cannot remove generated policy %u: %s",
				 ids[i], strerror(-err));
	}
}

/* Another pair for the same traffic (a rekey's) takes the generated
 * policies over; the last one removes them. */
static void release_policies(struct ike_engine *e, struct ikev1_child *c)
{
	struct ikev1_child *o;

	if (!c->ngen)
		return;
	for (o = e->v1_children; o; o = o->next)
		if (o != c && !o->ngen && o->proto == c->proto &&
		    ikd_addr_eq(&o->remote, &c->remote) &&
		    ikev1_sel_eq(&o->sel, &c->sel))
			break;
	if (o) {
		memcpy(o->gen_pol, c->gen_pol, sizeof(o->gen_pol));
		o->ngen = c->ngen;
	} else {
		ikev1_del_policies(e, c->gen_pol, c->ngen);
	}
	c->ngen = 0;
}

static void del_sa(struct ike_engine *e, const struct ikev1_child *c,
		   bool inbound)
{
	struct ikd_kernel *k = e->env.kernel;
	uint32_t spi = inbound ? c->spi_in : c->spi_out;
	int err = inbound ? k->ops->del_sa(k, c->proto, spi, &c->remote,
					   &c->local) :
			    k->ops->del_sa(k, c->proto, spi, &c->local,
					   &c->remote);

	/* Gone already: the kernel expired it. */
	if (err && err != -ENOENT && err != -ESRCH)
		log_warn("cannot remove IPsec-SA spi=0x%08x: %s", ntohl(spi),
			 strerror(-err));
}

/* The IPcomp pair bundled with @c, if any, from the kernel. */
static void del_comp(struct ike_engine *e, struct ikev1_child *c)
{
	struct ikd_kernel *k = e->env.kernel;
	int err = 0;

	if (c->cpi_in)
		err = k->ops->del_sa(k, IPPROTO_COMP, c->cpi_in, &c->remote,
				     &c->local);
	if (c->cpi_out && (!err || err == -ENOENT || err == -ESRCH))
		err = k->ops->del_sa(k, IPPROTO_COMP, c->cpi_out, &c->local,
				     &c->remote);
	if (err && err != -ENOENT && err != -ESRCH)
		log_warn("cannot remove IPcomp SA cpi=0x%04x: %s",
			 ntohl(c->cpi_in), strerror(-err));
	c->cpi_in = c->cpi_out = 0;
}

static struct ikev1_sa *established_with(struct ike_engine *e,
					 const struct ikd_addr *remote)
{
	for (struct ikev1_sa *sa = e->v1_sas; sa; sa = sa->next)
		if (sa->state == V1_ESTABLISHED &&
		    ikd_addr_eq_noport(&sa->remote, remote))
			return sa;
	return NULL;
}

/* Our inbound SPI goes in the DELETE: the peer's outbound SA is the one
 * it names for the peer. */
static void tell_peer(struct ike_engine *e, const struct ikev1_child *c)
{
	struct ikev1_sa *sa = established_with(e, &c->remote);

	/* IPcomp first: the ESP one takes the peer's whole pair with it.
	 * The CPI is the low half of the SPI field, as proposed. */
	if (sa && c->cpi_in &&
	    ikev1_info_delete(sa, ISAKMP_PROTO_IPCOMP,
			      (const uint8_t *)&c->cpi_in + 2, 2))
		log_warn("DELETE for IPcomp SA cpi=0x%04x not sent",
			 ntohl(c->cpi_in));
	if (sa && ikev1_info_delete(sa, ikev1_qm_isakmp_proto(c->proto),
				    (const uint8_t *)&c->spi_in, 4))
		log_warn("DELETE for IPsec-SA spi=0x%08x not sent",
			 ntohl(c->spi_in));
}

static void unlink_child(struct ike_engine *e, struct ikev1_child *c)
{
	for (struct ikev1_child **pp = &e->v1_children; *pp;
	     pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
}

/* The pair goes: from the kernel (@in, @out: which are still there),
 * its policies if nobody takes them, and from the list. */
static void child_remove(struct ike_engine *e, struct ikev1_child *c,
			 bool in, bool out)
{
	char lb[IKD_ADDR_STRLEN], rb[IKD_ADDR_STRLEN];

	if (in)
		del_sa(e, c, true);
	if (out)
		del_sa(e, c, false);
	del_comp(e, c);
	unlink_child(e, c);
	release_policies(e, c);
	log_info("IPsec-SA removed: %s/%s %s<->%s spi=0x%08x/0x%08x",
		 proto_name(c->proto), ike_mode_name(c->mode),
		 ikd_addr_str(&c->local, false, lb),
		 ikd_addr_str(&c->remote, false, rb), ntohl(c->spi_in),
		 ntohl(c->spi_out));
	free(c);
}

void ikev1_children_free(struct ike_engine *e)
{
	while (e->v1_children) {
		struct ikev1_child *c = e->v1_children;

		e->v1_children = c->next;
		free(c);
	}
}

void ikev1_children_purge(struct ike_engine *e,
			  const struct ikd_addr *remote)
{
	struct ikev1_child *c, *next;

	for (c = e->v1_children; c; c = next) {
		next = c->next;
		if (ikd_addr_eq_noport(&c->remote, remote))
			child_remove(e, c, true, true);
	}
}

/* --- ACQUIRE ------------------------------------------------------------- */

static bool pending_has(const struct ikev1_sa *sa,
			const struct ikd_acquire *acq)
{
	for (unsigned int i = 0; i < sa->npending; i++)
		if (sa->pending[i].proto == acq->proto &&
		    ikev1_sel_eq(&sa->pending[i].pol.sel, &acq->pol.sel))
			return true;
	return false;
}

static int queue(struct ikev1_sa *sa, const struct ikd_acquire *acq)
{
	char rb[IKD_ADDR_STRLEN];

	ikd_addr_str(&sa->remote, true, rb);
	if (sa->npending >= IKEV1_PENDING_MAX) {
		log_warn("ACQUIRE for %s dropped: %u already wait for phase 1",
			 rb, sa->npending);
		return -ENOSPC;
	}
	sa->pending[sa->npending++] = *acq;
	log_info("ACQUIRE for %s: queued until phase 1 is established", rb);
	return 0;
}

/* Quick Mode with an established ISAKMP SA, or phase 1 first. */
static int negotiate(struct ike_engine *e, const struct ikd_acquire *acq,
		     const struct ike_peer_cfg *peer)
{
	struct ikev1_sa *sa, *found = NULL;
	struct ikd_addr local = acq->src, remote = acq->dst;
	char rb[IKD_ADDR_STRLEN];
	int err;

	ikd_addr_str(&remote, false, rb);
	for (sa = e->v1_sas; sa; sa = sa->next) {
		if (sa->state == V1_DEAD || sa->state == V1_DELETED ||
		    !ikd_addr_eq_noport(&sa->remote, &remote))
			continue;
		if (pending_has(sa, acq) ||
		    ikev1_qm_negotiating(sa, &acq->pol.sel, acq->proto)) {
			log_debug("ACQUIRE for %s: already being negotiated",
				  rb);
			return -EALREADY;
		}
		if (!found || sa->state == V1_ESTABLISHED)
			found = sa;
	}
	if (found && found->state == V1_ESTABLISHED)
		return ikev1_qm_initiate(e, acq);
	if (!found) {
		if (peer->passive) {
			log_notify("ACQUIRE for %s: remote \"%s\" is passive, "
				   "not initiating", rb, peer->name);
			return -EPERM;
		}
		if (!local.family || ikd_addr_is_any(&local))
			local = peer->local;
		local.port = peer->local.port ? peer->local.port : 500;
		remote.port = peer->remote.port ? peer->remote.port : 500;
		err = ikev1_initiate(e, peer, &local, &remote);
		if (err)
			return err;
		/* ikev1_sa_new() put it first. */
		found = e->v1_sas;
	}
	return queue(found, acq);
}

static bool bundles_esp_ah(const struct ikd_kernel_policy *p)
{
	for (unsigned int i = 0; i < p->nreqs && i < IKD_KERNEL_MAX_REQS; i++)
		if (p->req[i].proto == IPPROTO_ESP ||
		    p->req[i].proto == IPPROTO_AH)
			return true;
	return false;
}

int ikev1_acquire(struct ike_engine *e, const struct ikd_acquire *acq,
		  const struct ike_peer_cfg *peer)
{
	struct ikev1_child *c;
	struct ikd_acquire kacq;
	char rb[IKD_ADDR_STRLEN];
	int err;

	ikd_addr_str(&acq->dst, false, rb);
	if (!peer || peer->ike_version != 1)
		return -ENOENT;
	if (peer->ifname[0]) {
		err = ikev1_kif_acquire(e, acq, peer, &kacq);
		if (err)
			return err;
		acq = &kacq;
	}
	/* The ESP (AH) request's ACQUIRE, from the same packet, negotiates
	 * the IPcomp of the bundle; this one also comes again while the
	 * pair has no IPcomp (the peer took ESP alone). */
	if (acq->proto == IPPROTO_COMP && bundles_esp_ah(&acq->pol)) {
		log_debug("ACQUIRE for IPcomp to %s: negotiated with its "
			  "policy's ESP or AH", rb);
		return -EALREADY;
	}
	if (acq->proto != IPPROTO_ESP && acq->proto != IPPROTO_AH) {
		log_error("ACQUIRE for %s: protocol %u is not negotiated by "
			  "IKEv1 here", rb, acq->proto);
		return -ENOTSUP;
	}
	c = carrying(e, acq);
	if (c) {
		log_info("ACQUIRE for %s: IPsec-SA spi=0x%08x already carries "
			 "this traffic, ignored", rb, ntohl(c->spi_out));
		return -EALREADY;
	}
	return negotiate(e, acq, peer);
}

void ikev1_sa_run_pending(struct ikev1_sa *sa)
{
	struct ike_engine *e = sa->eng;
	struct ikd_acquire acq;
	char rb[IKD_ADDR_STRLEN];
	int err;

	ikd_addr_str(&sa->remote, true, rb);
	/* One at a time off the front: Quick Mode may fail and log, never
	 * queue again on this (established) SA. */
	while (sa->npending) {
		acq = sa->pending[0];
		memmove(&sa->pending[0], &sa->pending[1],
			--sa->npending * sizeof(sa->pending[0]));
		err = ikev1_qm_initiate(e, &acq);
		if (err)
			log_error("Quick Mode with %s for a queued ACQUIRE not "
				  "started: %s", rb, err == -ENOENT ?
				  "no sainfo for its traffic" : strerror(-err));
	}
}

/* --- EXPIRE ------------------------------------------------------------- */

static struct ikev1_child *find_spi(struct ike_engine *e,
				    const struct ikd_expire *exp, bool *inbound)
{
	for (struct ikev1_child *c = e->v1_children; c; c = c->next) {
		if (c->proto != exp->proto)
			continue;
		if (c->spi_in == exp->spi &&
		    ikd_addr_eq_noport(&exp->dst, &c->local)) {
			*inbound = true;
			return c;
		}
		if (c->spi_out == exp->spi &&
		    ikd_addr_eq_noport(&exp->dst, &c->remote)) {
			*inbound = false;
			return c;
		}
	}
	return NULL;
}

/* A new pair for @c's traffic; the old one stays until its hard
 * lifetime. */
static void rekey(struct ike_engine *e, struct ikev1_child *c)
{
	struct ikd_acquire acq = { 0 };
	const struct ike_peer_cfg *peer;
	int err;

	c->rekeyed = true;
	acq.proto = c->proto;
	acq.mode = c->mode;
	acq.reqid = c->reqid;
	acq.src = c->local;
	acq.dst = c->remote;
	acq.pol.sel = c->sel;
	/* The renewal asks for IPcomp as the first ACQUIRE's policy did. */
	if (c->comp_level) {
		acq.pol.nreqs = 1;
		acq.pol.req[0] = (struct ikd_kernel_req){ .proto = IPPROTO_COMP,
			.mode = c->mode, .level = c->comp_level,
			.reqid = c->comp_reqid };
	}
	peer = e->env.peer_by_addr(e->env.arg, &c->local, &c->remote);
	err = peer && peer->ike_version == 1 ? negotiate(e, &acq, peer) :
	      -ENOENT;
	if (err && err != -EALREADY)
		log_error("rekeying IPsec-SA spi=0x%08x: %s", ntohl(c->spi_out),
			  err == -ENOENT ? "no IKEv1 remote or sainfo for it" :
			  strerror(-err));
}

bool ikev1_expire(struct ike_engine *e, const struct ikd_expire *exp)
{
	bool inbound = false;
	struct ikev1_child *c = find_spi(e, exp, &inbound);

	if (!c)
		return false;
	if (!exp->hard) {
		log_info("soft lifetime of IPsec-SA spi=0x%08x (%s) reached",
			 ntohl(exp->spi), inbound ? "in" : "out");
		/* The side that started the pair renews it: both at once
		 * would make two. */
		if (c->initiator && !c->rekeyed)
			rekey(e, c);
		return true;
	}
	log_notify("hard lifetime of IPsec-SA spi=0x%08x (%s) reached: "
		   "deleting the pair", ntohl(exp->spi),
		   inbound ? "in" : "out");
	tell_peer(e, c);
	/* The kernel has removed the expired one already. */
	child_remove(e, c, !inbound, inbound);
	return true;
}

/* --- DELETE, shutdown ---------------------------------------------------- */

void ikev1_child_peer_deleted(struct ikev1_sa *sa, uint8_t proto,
			      uint32_t spi)
{
	struct ike_engine *e = sa->eng;
	char rb[IKD_ADDR_STRLEN];

	ikd_addr_str(&sa->remote, true, rb);
	for (struct ikev1_child *c = e->v1_children; c; c = c->next)
		if (c->proto == proto && c->spi_out == spi &&
		    ikd_addr_eq_noport(&c->remote, &sa->remote)) {
			log_notify("%s deleted IPsec-SA spi=0x%08x: removing "
				   "the pair", rb, ntohl(spi));
			child_remove(e, c, true, true);
			return;
		}
	log_info("%s sent DELETE for unknown %s spi=0x%08x", rb,
		 proto_name(proto), ntohl(spi));
}

void ikev1_child_peer_deleted_comp(struct ikev1_sa *sa, uint32_t cpi)
{
	struct ike_engine *e = sa->eng;
	char rb[IKD_ADDR_STRLEN];

	ikd_addr_str(&sa->remote, true, rb);
	for (struct ikev1_child *c = e->v1_children; c; c = c->next)
		if (c->cpi_out == cpi &&
		    ikd_addr_eq_noport(&c->remote, &sa->remote)) {
			log_notify("%s deleted IPcomp SA cpi=0x%04x: removing "
				   "the IPcomp pair", rb, ntohl(cpi));
			del_comp(e, c);
			return;
		}
	log_info("%s sent DELETE for unknown IPCOMP cpi=0x%04x", rb,
		 ntohl(cpi));
}

void ikev1_shutdown(struct ike_engine *e)
{
	uint8_t cky[2 * IKEV1_COOKIE_LEN];

	while (e->v1_children) {
		struct ikev1_child *c = e->v1_children;

		tell_peer(e, c);
		child_remove(e, c, true, true);
	}
	for (struct ikev1_sa *sa = e->v1_sas; sa; sa = sa->next) {
		if (sa->state != V1_ESTABLISHED)
			continue;
		memcpy(cky, sa->cky_i, IKEV1_COOKIE_LEN);
		memcpy(cky + IKEV1_COOKIE_LEN, sa->cky_r, IKEV1_COOKIE_LEN);
		/* Told once; a lost DELETE leaves it to the peer's DPD or
		 * lifetime. */
		if (ikev1_info_delete(sa, ISAKMP_PROTO_ISAKMP, cky,
				      sizeof(cky)))
			log_warn("DELETE for the ISAKMP-SA with %s not sent",
				 sa->cfg.name);
	}
	ikev1_free_all(e);
}
