// SPDX-License-Identifier: BSD-2-Clause
/*
 * Rekeying child SAs (RFC 7296 1.3.3, 2.8, 2.8.1): CREATE_CHILD_SA with a
 * REKEY_SA notify naming the old SA, new nonces, a KE when the sainfo has
 * a pfs_group.
 *
 * Make before break. Both kernels send on the NEWEST mature SA of a
 * policy, so the order of kernel operations is what keeps packets flowing:
 *
 *   initiator: answer arrives -> new inbound, new outbound -> DELETE(old)
 *              -> answer to the DELETE -> old inbound and outbound removed
 *   responder: request -> new inbound (answer sent; the new outbound is
 *              kept, not installed) -> DELETE(old) arrives -> new outbound
 *              -> old outbound and inbound removed -> answer
 *
 * Had the responder installed its new outbound SA when it answered, its
 * packets on it would reach the initiator before the answer does, and be
 * dropped there (no inbound SA yet).
 *
 * Simultaneous rekeys (2.8.1): both sides rekey the same child at once
 * and each answers the other's request. Once its own answer is in, each
 * side knows all four nonces; the new child made with the lowest one is
 * redundant. Its initiator deletes it (and installs the outbound SA of
 * the other new child, which the winner has complete); the winner does
 * not install the redundant child's outbound SA and deletes the old child.
 *
 * A rekey that fails (TEMPORARY_FAILURE when it crossed a DELETE or
 * another exchange, a lost answer, ...) is tried again later with backoff
 * while the old child lives; it still ends at its hard lifetime.
 *
 * When: at the soft lifetime reduced at random by up to 10% (so that many
 * SAs made in the same second do not rekey in the same second, and two
 * peers with the same lifetimes rarely rekey at once), from the engine's
 * own timer; the kernel's soft EXPIRE (time or bytes) starts one too if
 * none is under way.
 */
#include "ike_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <openssl/crypto.h>

#include "log.h"

#define REKEY_MAX_TRIES		5
#define REKEY_RETRY_MAX_MS	30000

static const char *proto_name(const struct ike_child *c)
{
	return c->proto == IPPROTO_AH ? "AH" : "ESP";
}

/* Our own rekey of @old, if one is queued or out. */
static struct ike_child *our_rekey(struct ike_sa *sa, struct ike_child *old)
{
	for (struct ike_child *c = sa->children; c; c = c->next)
		if (c->rekey_of == old && c->rekey_ours)
			return c;
	return NULL;
}

/* The peer's rekey of @old that we answered, if any. */
static struct ike_child *peer_rekey(struct ike_sa *sa, struct ike_child *old)
{
	for (struct ike_child *c = sa->children; c; c = c->next)
		if (c->rekey_of == old && !c->rekey_ours)
			return c;
	return NULL;
}

static void rekey_fire(void *arg)
{
	struct ike_child *c = arg;

	c->rekey_timer = NULL;
	ike_rekey_child(c->ike, c, c->rekey_tries ? "retrying the rekey" :
			"soft lifetime reached");
}

static void arm(struct ike_sa *sa, struct ike_child *c, uint64_t ms)
{
	struct ikd_timers *t = sa->eng->env.timers;

	t->cancel(t, c->rekey_timer);
	c->rekey_timer = t->add(t, ms, rekey_fire, c);
}

void ike_rekey_arm(struct ike_sa *sa, struct ike_child *c)
{
	if (c->cfg.soft_secs)
		arm(sa, c, ike_rekey_jitter_ms(sa->eng, c->cfg.soft_secs));
}

/* Tries again later: 1, 2, 4, ... s (at most 30), a few times. */
static void retry_later(struct ike_sa *sa, struct ike_child *old)
{
	uint64_t ms;

	if (old->state != CHILD_ST_INSTALLED)
		return;
	if (++old->rekey_tries > REKEY_MAX_TRIES) {
		log_error("giving up rekeying CHILD_SA spi in 0x%08x out 0x%08x "
			  "after %u tries: it ends at its hard lifetime",
			  ntohl(old->spi_in), ntohl(old->spi_out),
			  REKEY_MAX_TRIES);
		return;
	}
	ms = 1000ull << (old->rekey_tries - 1);
	if (ms > REKEY_RETRY_MAX_MS)
		ms = REKEY_RETRY_MAX_MS;
	arm(sa, old, ms);
}

int ike_rekey_child(struct ike_sa *sa, struct ike_child *old, const char *why)
{
	struct ike_engine *e = sa->eng;
	const struct ike_child_cfg *cfg;
	struct ike_child *c;
	struct ikd_sel sel;
	int err;

	/* A rekey by the peer that we answered does the job too. */
	if (sa->state != IKE_ST_ESTABLISHED || old->state != CHILD_ST_INSTALLED ||
	    old->redundant || our_rekey(sa, old) || peer_rekey(sa, old))
		return -EALREADY;
	/* The sainfo as it is now: a reload applies from the next rekey. */
	ike_ts_child_sel(old, &sel);
	cfg = e->env.child_cfg(e->env.arg, sa->cfg, &sel);
	c = ike_child_new(sa);
	if (!c)
		return -ENOMEM;
	/* The same traffic, mode and reqid: the policy's SAs, one newer. */
	c->rekey_of = old;
	c->rekey_ours = true;
	c->proto = old->proto;
	c->mode = old->mode;
	c->reqid = old->reqid;
	c->reqid_unique = old->reqid_unique;
	c->pol_id = old->pol_id;
	if (old->ifname[0]) {
		err = ike_kif_refresh(sa, c);
		if (err) {
			ike_child_free(sa, c, false);
			return err;
		}
	}
	c->cfg = cfg ? *cfg : old->cfg;
	c->nlocal = old->nlocal;
	c->nremote = old->nremote;
	memcpy(c->local_ts, old->local_ts, sizeof(c->local_ts));
	memcpy(c->remote_ts, old->remote_ts, sizeof(c->remote_ts));
	log_notify("rekeying CHILD_SA %s spi in 0x%08x out 0x%08x (%s)",
		   proto_name(old), ntohl(old->spi_in), ntohl(old->spi_out), why);
	err = ike_sa_queue(sa, REQ_CHILD, c, 0);
	if (err) {
		ike_child_free(sa, c, false);
		return err;
	}
	ike_sa_run_queue(sa);
	return 0;
}

/* 2.8.1: compares nonces as unsigned byte strings. */
static int nonce_cmp(const uint8_t *a, size_t alen, const uint8_t *b,
		     size_t blen)
{
	int r = memcmp(a, b, alen < blen ? alen : blen);

	return r ? r : (alen > blen) - (alen < blen);
}

static const uint8_t *lowest(const struct ike_child *c, size_t *len)
{
	if (nonce_cmp(c->ni, c->ni_len, c->nr, c->nr_len) < 0) {
		*len = c->ni_len;
		return c->ni;
	}
	*len = c->nr_len;
	return c->nr;
}

/* Does the child made by exchange @a hold the lowest of the four nonces? */
static bool lowest_nonce(const struct ike_child *a, const struct ike_child *b)
{
	size_t alen, blen;
	const uint8_t *an = lowest(a, &alen), *bn = lowest(b, &blen);

	return nonce_cmp(an, alen, bn, blen) < 0;
}

static void install_out(struct ike_sa *sa, struct ike_child *c)
{
	struct ikd_kernel *k = sa->eng->env.kernel;
	int err;

	if (!c->out_pending)
		return;
	c->out_pending = false;
	err = k->ops->add_sa(k, &c->out_sa);
	OPENSSL_cleanse(c->out_keys, sizeof(c->out_keys));
	c->out_sa.enc_key = c->out_sa.auth_key = NULL;
	if (err) {
		log_error("cannot install outbound SA spi=0x%08x: %s",
			  ntohl(c->spi_out), strerror(-err));
		return;
	}
	c->out_installed = true;
	log_info("CHILD_SA outbound spi=0x%08x installed: the old one goes",
		 ntohl(c->spi_out));
}

void ike_rekey_defer_out(struct ike_child *c, const struct ikd_kernel_sa *out)
{
	size_t elen = out->enc_key_len, alen = out->auth_key_len;

	c->out_sa = *out;
	memcpy(c->out_keys, out->enc_key, elen);
	memcpy(c->out_keys + elen, out->auth_key, alen);
	c->out_sa.enc_key = c->out_keys;
	c->out_sa.auth_key = c->out_keys + elen;
	c->out_pending = true;
}

void ike_rekey_old_gone(struct ike_sa *sa, struct ike_child *old)
{
	for (struct ike_child *c = sa->children; c; c = c->next)
		if (c->rekey_of == old && !c->rekey_ours && !c->redundant)
			install_out(sa, c);
}

/* Our rekey of @old is complete (both halves of @c installed). */
static void rekeyed(struct ike_sa *sa, struct ike_child *c,
		    struct ike_child *old)
{
	struct ike_child *x = peer_rekey(sa, old);

	old->rekey_tries = 0;
	if (x && x->state == CHILD_ST_INSTALLED && lowest_nonce(c, x)) {
		log_notify("simultaneous rekey of CHILD_SA spi in 0x%08x: ours "
			   "(in 0x%08x) is redundant, deleting it; the peer's "
			   "(in 0x%08x) stays", ntohl(old->spi_in),
			   ntohl(c->spi_in), ntohl(x->spi_in));
		/* The peer has x complete and deletes the old child. */
		install_out(sa, x);
		c->redundant = true;
		c->state = CHILD_ST_DELETING;
		if (ike_sa_queue(sa, REQ_DEL_CHILD, c, 0))
			ike_child_free(sa, c, true);
		return;
	}
	if (x) {
		log_notify("simultaneous rekey of CHILD_SA spi in 0x%08x: the "
			   "peer's (in 0x%08x) is redundant, ours (in 0x%08x) "
			   "stays", ntohl(old->spi_in), ntohl(x->spi_in),
			   ntohl(c->spi_in));
		x->redundant = true;	/* its outbound SA never goes in */
	}
	log_notify("CHILD_SA rekeyed: %s spi in 0x%08x out 0x%08x replaces in "
		   "0x%08x out 0x%08x", proto_name(c), ntohl(c->spi_in),
		   ntohl(c->spi_out), ntohl(old->spi_in), ntohl(old->spi_out));
	old->state = CHILD_ST_DELETING;
	if (ike_sa_queue(sa, REQ_DEL_CHILD, old, 0))
		ike_child_free(sa, old, true);
}

void ike_rekey_response(struct ike_sa *sa, struct ike_child *c,
			const struct ike_msg *m)
{
	struct ike_child *old = c->rekey_of;
	const struct ike_notify_pl *n = ike_msg_error_notify(m);

	if (n && old && (n->type == IKE_N_CHILD_SA_NOT_FOUND)) {
		/* The peer has no such child any more: neither do we. */
		log_notify("peer no longer has CHILD_SA spi out 0x%08x: "
			   "removing it", ntohl(old->spi_out));
		ike_child_free(sa, c, true);
		ike_child_free(sa, old, true);
		return;
	}
	if (n && old && n->type == IKE_N_TEMPORARY_FAILURE) {
		log_info("peer answered TEMPORARY_FAILURE to our rekey of "
			 "CHILD_SA spi in 0x%08x: trying again later",
			 ntohl(old->spi_in));
		ike_child_free(sa, c, true);
		retry_later(sa, old);
		return;
	}
	if (ike_child_response(sa, c, m, false)) {
		/* c is gone (logged). */
		if (old)
			retry_later(sa, old);
		return;
	}
	if (old)
		rekeyed(sa, c, old);
}

uint16_t ike_rekey_lookup(struct ike_sa *sa, const struct ike_msg *m,
			  struct ike_child **old)
{
	const struct ike_notify_pl *n = ike_msg_notify(m, IKE_N_REKEY_SA);
	struct ike_child *c, *ours;
	uint8_t proto;
	uint32_t spi;

	*old = NULL;
	if (!n)
		return 0;
	if ((n->proto != IKE_PROTO_ESP && n->proto != IKE_PROTO_AH) ||
	    n->spi_size != 4 || n->spi.len != 4) {
		log_warn("peer %s sent a malformed REKEY_SA notify",
			 sa->cfg->name);
		return IKE_N_INVALID_SYNTAX;
	}
	proto = n->proto == IKE_PROTO_AH ? IPPROTO_AH : IPPROTO_ESP;
	memcpy(&spi, n->spi.ptr, 4);
	/* The peer names its inbound SA: our outbound. */
	c = ike_child_find_spi(sa, proto, spi, false);
	if (!c) {
		log_notify("peer %s rekeys CHILD_SA spi 0x%08x, which we do not "
			   "have", sa->cfg->name, ntohl(spi));
		return IKE_N_CHILD_SA_NOT_FOUND;
	}
	if (c->state != CHILD_ST_INSTALLED || c->redundant) {
		/* 2.25.1: we are deleting it. */
		log_info("peer rekeys CHILD_SA spi 0x%08x while we delete it: "
			 "TEMPORARY_FAILURE", ntohl(spi));
		return IKE_N_TEMPORARY_FAILURE;
	}
	ours = our_rekey(sa, c);
	if (ours && ours->state == CHILD_ST_QUEUED) {
		/* Ours has not left yet: the peer's does the job. */
		ike_child_free(sa, ours, false);
		ours = NULL;
	}
	log_info("peer rekeys CHILD_SA spi in 0x%08x out 0x%08x%s",
		 ntohl(c->spi_in), ntohl(c->spi_out),
		 ours ? " while we rekey it too (2.8.1)" : "");
	*old = c;
	return 0;
}

static void retire_fire(void *arg)
{
	struct ike_child *c = arg;

	c->rekey_timer = NULL;
	ike_child_free(c->ike, c, true);
}

/*
 * A packet the peer sent on the old SA (or, after a simultaneous rekey,
 * on the redundant one) just before it switched may still
 * be on its way when the DELETE (or its answer) has come: an asynchronous
 * cipher can hold it past the IKE message, which is not encrypted by the
 * kernel. The old inbound SA stays IKE_REKEY_INBOUND_DELAY_MS for it, as
 * strongSwan's delete_rekeyed_delay does; the outbound one goes now.
 */
bool ike_rekey_retire(struct ike_sa *sa, struct ike_child *c)
{
	struct ikd_kernel *k = sa->eng->env.kernel;
	struct ikd_timers *t = sa->eng->env.timers;
	struct ikd_addr src, dst;
	struct ike_child *x;

	/* Replaced by a rekey, or the redundant child of a simultaneous
	 * one, on which the peer sent a little before it switched. */
	for (x = sa->children; x; x = x->next)
		if (x->rekey_of == c && !x->redundant)
			break;
	if ((!x && !c->redundant) || !c->in_installed)
		return false;
	ike_child_ends(sa, c, &src, &dst);
	if (c->out_installed)
		k->ops->del_sa(k, c->proto, c->spi_out, &src, &dst);
	c->out_installed = false;
	c->state = CHILD_ST_DELETING;
	ike_sa_unqueue_child(sa, c);
	t->cancel(t, c->rekey_timer);
	c->rekey_timer = t->add(t, IKE_REKEY_INBOUND_DELAY_MS, retire_fire, c);
	if (!c->rekey_timer)
		return false;
	return true;
}

void ike_rekey_forget(struct ike_sa *sa, struct ike_child *c)
{
	struct ikd_timers *t = sa->eng->env.timers;
	struct ike_child *x;

	t->cancel(t, c->rekey_timer);
	c->rekey_timer = NULL;
	OPENSSL_cleanse(c->out_keys, sizeof(c->out_keys));
again:
	for (x = sa->children; x; x = x->next) {
		if (x->rekey_of != c)
			continue;
		x->rekey_of = NULL;
		if (x->rekey_ours && x->state == CHILD_ST_QUEUED) {
			/* A rekey of a child that is gone: pointless. */
			ike_child_free(sa, x, true);
			goto again;
		}
		/* Its successor stays a child SA of its own. */
		if (!x->redundant && sa->state == IKE_ST_ESTABLISHED)
			install_out(sa, x);
	}
}
