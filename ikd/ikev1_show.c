// SPDX-License-Identifier: BSD-2-Clause
/*
 * ISAKMP SAs and the IPsec SAs Quick Mode installed, as ikdctl and the
 * SIGUSR1 dump see them: the same ike_sa_info and ike_child_info as
 * IKEv2's, filled from IKEv1's own records. An IPsec SA pair is not tied
 * to a live ISAKMP SA (phase 1 often expires first, as racoon's default
 * lifetimes have it), so the pairs come after all ISAKMP SAs, each with
 * the name and cookies of the exchange that made it.
 */
#include "ikev1_int.h"

#include <string.h>

static const char *const state_names[] = {
	[V1_MM_I1] = "MM SA sent",
	[V1_MM_R1] = "MM SA answered",
	[V1_MM_I2] = "MM KE sent",
	[V1_MM_R2] = "MM KE answered",
	[V1_MM_I3] = "MM ID sent",
	[V1_AM_I1] = "AM SA sent",
	[V1_AM_R1] = "AM SA answered",
	[V1_ESTABLISHED] = "established",
	[V1_DELETED] = "deleted by the peer",
	[V1_DEAD] = "deleted",
};

static uint64_t cookie64(const uint8_t *c)
{
	uint64_t v = 0;

	for (int i = 0; i < IKEV1_COOKIE_LEN; i++)
		v = v << 8 | c[i];
	return v;
}

static unsigned int children_of(const struct ike_engine *e,
				const struct ikev1_sa *sa)
{
	unsigned int n = 0;

	for (const struct ikev1_child *c = e->v1_children; c; c = c->next)
		n += !memcmp(c->cky_i, sa->cky_i, IKEV1_COOKIE_LEN) &&
		     !memcmp(c->cky_r, sa->cky_r, IKEV1_COOKIE_LEN);
	return n;
}

static void sa_info(const struct ike_engine *e, const struct ikev1_sa *sa,
		    struct ike_sa_info *si)
{
	const struct ike_encr_info *ei;
	const struct ike_prf_info *pi;
	const struct ike_dh_info *di;

	memset(si, 0, sizeof(*si));
	si->version = 1;
	si->peer = sa->cfg.name;
	si->local = sa->local;
	si->remote = sa->remote;
	si->spi_i = cookie64(sa->cky_i);
	si->spi_r = cookie64(sa->cky_r);
	si->initiator = sa->initiator;
	si->state = state_names[sa->state];
	if (sa->ch.encr && (ei = ikev1_encr_info(sa->ch.encr, sa->ch.keybits))) {
		si->encr = ei->name;
		si->encr_keybits = ei->keybits;
	}
	/* Phase 1 has no integrity transform: the hash is the PRF's. */
	if (sa->ch.hash && (pi = ikev1_hash_prf(sa->ch.hash)))
		si->prf = pi->name;
	if (sa->ch.dh && (di = ike_dh_info(sa->ch.dh)))
		si->dh = di->name;
	si->my_id = &sa->my_id;
	si->peer_id = &sa->peer_id;
	si->established_ms = sa->established_ms;
	si->lifetime_secs = sa->ch.life_secs;
	si->nchild = children_of(e, sa);
}

static void child_info(const struct ikev1_child *c, struct ike_child_info *ci)
{
	const struct ike_encr_info *ei;
	const struct ike_integ_info *ii;

	memset(ci, 0, sizeof(*ci));
	ci->peer = c->peer;
	ci->local = &c->local;
	ci->remote = &c->remote;
	ci->ike_spi_i = cookie64(c->cky_i);
	ci->ike_spi_r = cookie64(c->cky_r);
	ci->proto = c->proto;
	ci->mode = c->mode;
	ci->spi_in = c->spi_in;
	ci->spi_out = c->spi_out;
	ci->reqid = c->reqid;
	ci->state = c->rekeyed ? "rekeyed" : "installed";
	if (c->encr && (ei = ike_encr_info(c->encr, c->keybits))) {
		ci->encr = ei->name;
		ci->encr_keybits = ei->keybits;
	}
	if (c->integ && (ii = ike_integ_info(c->integ)))
		ci->integ = ii->name;
	ci->sel = c->sel;
	ci->established_ms = c->established_ms;
	ci->hard_secs = c->hard_secs;
}

int ikev1_foreach(struct ike_engine *e,
		  int (*sa_cb)(void *arg, const struct ike_sa_info *),
		  int (*child_cb)(void *arg, const struct ike_child_info *),
		  void *arg)
{
	int rc;

	for (struct ikev1_sa *sa = e->v1_sas; sa_cb && sa; sa = sa->next) {
		struct ike_sa_info si;

		if (sa->state == V1_DEAD)
			continue;
		sa_info(e, sa, &si);
		rc = sa_cb(arg, &si);
		if (rc)
			return rc;
	}
	for (struct ikev1_child *c = e->v1_children; child_cb && c;
	     c = c->next) {
		struct ike_child_info ci;

		child_info(c, &ci);
		rc = child_cb(arg, &ci);
		if (rc)
			return rc;
	}
	return 0;
}
