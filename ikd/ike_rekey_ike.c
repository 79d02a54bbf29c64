// SPDX-License-Identifier: BSD-2-Clause
/*
 * Rekeying the IKE SA (RFC 7296 1.3.2, 2.8, 2.8.1): CREATE_CHILD_SA on the
 * old SA with an IKE proposal that carries the new SPI, a nonce and a KE
 * of the old SA's group; the new SA's keys come from
 * SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr). Its initiator is
 * whoever started the rekey; its message IDs start at 0.
 *
 *   initiator  lifetime (less up to 10%), or ike_engine_rekey()
 *              -> queued on the old SA (window 1) -> request: a new SA
 *              object (our SPI, hashed) waits for the answer -> answer:
 *              check, keys, the old SA's child SAs and queued requests
 *              move to the new SA -> DELETE of the old SA on the old SA
 *   responder  request -> choose, new SA established, answer -> child
 *              SAs move; the old SA waits (state DELETING) for the
 *              initiator's DELETE, at most 60 s
 *
 * Simultaneous rekeys (2.8.1): both sides send the request on the old SA
 * and each answers the other's. The answering side does not move the
 * children yet; when its own answer comes, the new SA made with the lowest
 * of the four nonces is redundant: its initiator deletes it (a DELETE on
 * that SA) and the children go to the other new SA; the winner deletes the
 * old SA. A rekey request while we have another exchange of ours
 * outstanding on that SA is answered TEMPORARY_FAILURE (2.25); the
 * initiator retries after 1, 2, 4, ... s and, after 5 failures, deletes
 * the IKE SA as before rekeying existed.
 */
#include "ike_int.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <openssl/crypto.h>

#include "log.h"

#define REKEY_JITTER_PCT	10
#define IKE_REKEY_MAX_TRIES	5
#define OLD_SA_GRACE_MS		60000

uint64_t ike_rekey_jitter_ms(const struct ike_engine *e, uint64_t secs)
{
	uint64_t ms = secs * 1000;
	uint32_t r;

	if (e->env.no_rekey_jitter || ike_random(&r, sizeof(r)))
		return ms;
	return ms - ms * REKEY_JITTER_PCT / 100 * (r % 1001) / 1000;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

/* The configuration as it is now (a reload applies from the next rekey),
 * if it is still the same remote; else the SA's own. */
static const struct ike_peer_cfg *current_cfg(struct ike_sa *sa)
{
	struct ike_engine *e = sa->eng;
	const struct ike_peer_cfg *c =
		e->env.peer_by_addr(e->env.arg, &sa->local, &sa->remote);

	/* A reload may have made the block IKEv1: this SA keeps its own. */
	return c && c->ike_version == 2 && !strcmp(c->name, sa->cfg->name) ?
	       c : sa->cfg;
}

/* The proposals of a rekey carry the new SPI (8 bytes), those of
 * IKE_SA_INIT none: ike_prop.c's choice and check see the SA payload
 * without them (proposals with another SPI size stay out of reach). */
static void without_spis(struct ike_sa_pl *pl)
{
	for (unsigned int i = 0; i < pl->nprop; i++)
		pl->prop[i].spi_size = pl->prop[i].spi_size == 8 ? 0 : 0xff;
}

/* --- timers ------------------------------------------------------------- */

static void destroy_fire(void *arg)
{
	struct ike_sa *sa = arg;

	sa->rekey_timer = NULL;
	ike_sa_destroy(sa);
}

/* Frees @sa from a timer: never under the feet of whoever called us. */
static void destroy_later(struct ike_sa *sa, uint64_t ms)
{
	struct ikd_timers *t = sa->eng->env.timers;

	t->cancel(t, sa->rekey_timer);
	sa->rekey_timer = t->add(t, ms, destroy_fire, sa);
}

static void retry_fire(void *arg)
{
	struct ike_sa *sa = arg;
	int err;

	sa->rekey_timer = NULL;
	err = ike_rekey_ike(sa, "retrying");
	if (err && err != -EALREADY)
		ike_sa_delete(sa, "cannot rekey the IKE SA");
}

static void retry_later(struct ike_sa *sa)
{
	struct ikd_timers *t = sa->eng->env.timers;

	if (sa->state != IKE_ST_ESTABLISHED)
		return;
	if (++sa->rekey_tries > IKE_REKEY_MAX_TRIES) {
		ike_sa_delete(sa, "rekeying failed 5 times");
		return;
	}
	t->cancel(t, sa->rekey_timer);
	sa->rekey_timer = t->add(t, 1000ull << (sa->rekey_tries - 1),
				 retry_fire, sa);
}

/* --- moving the children ----------------------------------------------- */

/* The child SAs of @from, and its queued requests about them, go to @to. */
static void adopt(struct ike_sa *to, struct ike_sa *from)
{
	struct ike_child **tail = &to->children, *c;
	struct ike_task **pp = &from->tasks;

	while (*tail)
		tail = &(*tail)->next;
	*tail = from->children;
	from->children = NULL;
	for (c = *tail; c; c = c->next)
		c->ike = to;
	while (*pp) {
		struct ike_task *t = *pp;

		if (t->kind != REQ_CHILD && t->kind != REQ_DEL_CHILD) {
			pp = &t->next;
			continue;
		}
		*pp = t->next;
		t->next = NULL;
		*to->tasks_tail = t;
		to->tasks_tail = &t->next;
	}
	from->tasks_tail = &from->tasks;
	while (*from->tasks_tail)
		from->tasks_tail = &(*from->tasks_tail)->next;
}

/* 2.8.1: nonces compare as unsigned byte strings. */
static int nonce_cmp(const uint8_t *a, size_t alen, const uint8_t *b,
		     size_t blen)
{
	int r = memcmp(a, b, alen < blen ? alen : blen);

	return r ? r : (alen > blen) - (alen < blen);
}

static const uint8_t *lowest(const struct ike_sa *n, size_t *len)
{
	bool i = nonce_cmp(n->ni, n->ni_len, n->nr, n->nr_len) < 0;

	*len = i ? n->ni_len : n->nr_len;
	return i ? n->ni : n->nr;
}

static void log_rekeyed(const struct ike_sa *n, const struct ike_sa *old,
			const char *who)
{
	log_notify("IKE SA rekeyed by %s: %016" PRIx64 ":%016" PRIx64
		   " replaces %016" PRIx64 ":%016" PRIx64, who, n->spi_i,
		   n->spi_r, old->spi_i, old->spi_r);
}

/* --- initiator ---------------------------------------------------------- */

int ike_rekey_ike(struct ike_sa *sa, const char *why)
{
	if (sa->state != IKE_ST_ESTABLISHED || sa->rekey_new || sa->rekey_peer)
		return -EALREADY;
	for (struct ike_task *t = sa->tasks; t; t = t->next)
		if (t->kind == REQ_REKEY_IKE || t->kind == REQ_DEL_IKE)
			return -EALREADY;
	log_notify("rekeying IKE SA %016" PRIx64 ":%016" PRIx64 " with %s (%s)",
		   sa->spi_i, sa->spi_r, sa->cfg->name, why);
	if (ike_sa_queue(sa, REQ_REKEY_IKE, NULL, 0))
		return -ENOMEM;
	ike_sa_run_queue(sa);
	return 0;
}

int ike_rekey_ike_start(struct ike_sa *sa)
{
	struct ike_proposal props[2 * IKE_CFG_MAX_PROPOSALS];
	uint8_t buf[4096], pub[IKE_MAX_DH_PUB];
	uint16_t group = sa->ch.dh;
	struct ike_builder b;
	struct ike_wbuf w;
	struct ike_sa *n;
	size_t plen;
	unsigned int np;
	int err = -ENOMEM;

	if (sa->rekey_peer)	/* the peer's rekey got in first */
		return 0;
	n = ike_sa_new(sa->eng, true, &sa->local, &sa->remote, current_cfg(sa));
	if (!n)
		return -ENOMEM;
	ike_natt_inherit(n, sa);
	ike_frag_inherit(n, sa);
	n->rekey_old = sa;
	sa->rekey_new = n;
	n->ni_len = IKE_NONCE_LEN;
	n->dh = ike_dh_new(group);
	if (ike_random(n->ni, n->ni_len) || !n->dh ||
	    ike_dh_public(n->dh, pub, sizeof(pub), &plen))
		goto fail;
	np = ike_prop_build_ike(n->cfg, group, props,
				2 * IKE_CFG_MAX_PROPOSALS);
	if (!np) {
		err = -ENOENT;
		goto fail;
	}
	for (unsigned int i = 0; i < np; i++) {
		props[i].spi_size = 8;
		put_be64(props[i].spi, n->spi_i);
	}
	ike_wbuf_init(&w, buf, sizeof(buf));
	ike_build_chain(&b, &w);
	ike_build_sa(&b, props, np);
	ike_build_nonce(&b, n->ni, n->ni_len);
	ike_build_ke(&b, group, pub, plen);
	err = ike_sa_send_request(sa, REQ_REKEY_IKE, IKE_CREATE_CHILD_SA, NULL,
				  &b);
	if (!err)
		return 0;
fail:
	sa->rekey_new = NULL;
	n->rekey_old = NULL;
	ike_sa_destroy(n);
	retry_later(sa);
	return err;
}

static bool answer_ok(struct ike_sa *sa, struct ike_sa *n,
		      const struct ike_msg *m)
{
	const struct ike_proposal *p = &m->sa.prop[0];
	struct ike_sa_pl reply = m->sa;
	uint64_t spi = 0;

	without_spis(&reply);
	if (!ike_msg_has(m, IKE_PL_SA) || !ike_msg_has(m, IKE_PL_NONCE) ||
	    !ike_msg_has(m, IKE_PL_KE) || m->sa.nprop != 1 ||
	    p->spi_size != 8 || m->ke.group != sa->ch.dh ||
	    ike_prop_check_ike(n->cfg, &reply, &n->ch) || n->ch.dh != sa->ch.dh) {
		log_error("peer's answer to our IKE SA rekey is not acceptable "
			  "(SA, SPI, nonce or KE)");
		return false;
	}
	for (int i = 0; i < 8; i++)
		spi = spi << 8 | p->spi[i];
	ike_sa_set_spi_r(n, spi);
	n->nr_len = m->nonce.len;
	memcpy(n->nr, m->nonce.ptr, m->nonce.len);
	if (ike_sa_derive_rekey_keys(n, sa, m->ke.data.ptr, m->ke.data.len)) {
		log_error("cannot derive the keys of the rekeyed IKE SA");
		return false;
	}
	n->peer_id = sa->peer_id;
	n->my_id = sa->my_id;
	return true;
}

void ike_rekey_ike_response(struct ike_sa *sa, const struct ike_msg *m)
{
	const struct ike_notify_pl *err = ike_msg_error_notify(m);
	struct ike_sa *n = sa->rekey_new, *peer = sa->rekey_peer;
	size_t ol, pl;
	const uint8_t *low;

	if (!n)
		return;
	sa->rekey_new = NULL;
	n->rekey_old = NULL;
	if (err || !answer_ok(sa, n, m)) {
		if (err)
			log_notify("peer answered %s to our rekey of IKE SA %016"
				   PRIx64 ":%016" PRIx64 ": trying again later",
				   ike_notify_name(err->type), sa->spi_i,
				   sa->spi_r);
		ike_sa_destroy(n);
		retry_later(sa);
		return;
	}
	sa->rekey_tries = 0;
	ike_sa_established(n);
	if (peer) {
		sa->rekey_peer = NULL;
		peer->rekey_old = NULL;
		low = lowest(n, &ol);
		pl = sa->rekey_peer_low_len;
		if (nonce_cmp(low, ol, sa->rekey_peer_low, pl) < 0) {
			/* Ours is redundant: the peer's new SA takes over and
			 * the peer deletes the old one. */
			log_notify("simultaneous rekey of IKE SA %016" PRIx64
				   ":%016" PRIx64 ": ours is redundant",
				   sa->spi_i, sa->spi_r);
			adopt(peer, sa);
			log_rekeyed(peer, sa, "the peer (2.8.1)");
			ike_sa_delete(n, "redundant (simultaneous rekey)");
			ike_sa_set_state(sa, IKE_ST_DELETING);
			destroy_later(sa, OLD_SA_GRACE_MS);
			ike_sa_run_queue(peer);
			return;
		}
		log_notify("simultaneous rekey of IKE SA %016" PRIx64 ":%016"
			   PRIx64 ": the peer's is redundant", sa->spi_i,
			   sa->spi_r);
		/* The peer deletes its redundant SA; if it does not, it
		 * goes anyway. */
		destroy_later(peer, OLD_SA_GRACE_MS);
	}
	adopt(n, sa);
	log_rekeyed(n, sa, "us");
	ike_sa_delete(sa, "rekeyed");
	ike_sa_run_queue(n);
}

/* --- responder ---------------------------------------------------------- */

static void refuse(struct ike_builder *rb, uint16_t type, uint16_t group)
{
	uint8_t g[2] = { (uint8_t)(group >> 8), (uint8_t)group };

	ike_build_notify(rb, 0, NULL, 0, type, group ? g : NULL,
			 group ? 2 : 0);
}

static const struct ike_proposal *chosen_prop(const struct ike_sa_pl *offer,
					      uint8_t num)
{
	for (unsigned int i = 0; i < offer->nprop; i++)
		if (offer->prop[i].num == num &&
		    offer->prop[i].proto == IKE_PROTO_IKE &&
		    offer->prop[i].spi_size == 8)
			return &offer->prop[i];
	return NULL;
}

void ike_rekey_ike_respond(struct ike_sa *sa, const struct ike_msg *m,
			   struct ike_builder *rb)
{
	struct ike_engine *e = sa->eng;
	const struct ike_peer_cfg *cfg = current_cfg(sa);
	const struct ike_proposal *p;
	struct ike_proposal reply;
	struct ike_sa_pl offer = m->sa;
	struct ike_chosen ch;
	struct ike_sa *n;
	uint8_t pub[IKE_MAX_DH_PUB], spi[8];
	char a[IKE_PROP_STRLEN], b[IKE_PROP_STRLEN];
	const uint8_t *low;
	size_t plen;
	uint64_t peer_spi = 0;

	if (!ike_msg_has(m, IKE_PL_NONCE) || !ike_msg_has(m, IKE_PL_KE)) {
		refuse(rb, IKE_N_INVALID_SYNTAX, 0);
		return;
	}
	/* 2.25: another exchange of ours is under way on this SA. */
	if (sa->rekey_peer || (sa->req.kind != REQ_NONE &&
			       sa->req.kind != REQ_REKEY_IKE &&
			       sa->req.kind != REQ_LIVENESS)) {
		log_info("peer rekeys IKE SA %016" PRIx64 ":%016" PRIx64
			 " while another exchange is under way: "
			 "TEMPORARY_FAILURE", sa->spi_i, sa->spi_r);
		refuse(rb, IKE_N_TEMPORARY_FAILURE, 0);
		return;
	}
	without_spis(&offer);
	if (ike_prop_choose_ike(cfg, &offer, m->ke.group, &ch) ||
	    !(p = chosen_prop(&m->sa, ch.num))) {
		ike_prop_str_offer(&m->sa, a, sizeof(a));
		ike_prop_str_ike_cfg(cfg, b, sizeof(b));
		log_error("no proposal chosen for the IKE SA rekey with %s: "
			  "peer offered %s; we accept %s", sa->cfg->name, a, b);
		refuse(rb, IKE_N_NO_PROPOSAL_CHOSEN, 0);
		return;
	}
	if (ch.dh != m->ke.group) {
		refuse(rb, IKE_N_INVALID_KE_PAYLOAD, ch.dh);
		return;
	}
	for (int i = 0; i < 8; i++)
		peer_spi = peer_spi << 8 | p->spi[i];
	n = ike_sa_new(e, false, &sa->local, &sa->remote, cfg);
	if (!n) {
		refuse(rb, IKE_N_TEMPORARY_FAILURE, 0);
		return;
	}
	ike_natt_inherit(n, sa);
	ike_frag_inherit(n, sa);
	n->spi_i = peer_spi;
	n->ch = ch;
	n->ni_len = m->nonce.len;
	memcpy(n->ni, m->nonce.ptr, m->nonce.len);
	n->nr_len = IKE_NONCE_LEN;
	n->dh = ike_dh_new(ch.dh);
	if (ike_random(n->nr, n->nr_len) || !n->dh ||
	    ike_dh_public(n->dh, pub, sizeof(pub), &plen) ||
	    ike_sa_derive_rekey_keys(n, sa, m->ke.data.ptr, m->ke.data.len)) {
		ike_sa_destroy(n);
		refuse(rb, IKE_N_INVALID_SYNTAX, 0);
		return;
	}
	n->peer_id = sa->peer_id;
	n->my_id = sa->my_id;
	put_be64(spi, n->spi_r);
	ike_prop_reply(&ch, IKE_PROTO_IKE, spi, 8, true, &reply);
	ike_build_sa(rb, &reply, 1);
	ike_build_nonce(rb, n->nr, n->nr_len);
	ike_build_ke(rb, ch.dh, pub, plen);
	if (sa->rekey_new) {
		/* Ours is out too: decided when its answer comes (2.8.1). */
		low = lowest(n, &sa->rekey_peer_low_len);
		memcpy(sa->rekey_peer_low, low, sa->rekey_peer_low_len);
		sa->rekey_peer = n;
		n->rekey_old = sa;
		log_info("peer rekeys IKE SA %016" PRIx64 ":%016" PRIx64
			 " while we do too (2.8.1)", sa->spi_i, sa->spi_r);
		ike_sa_established(n);
		return;
	}
	ike_sa_established(n);
	adopt(n, sa);
	log_rekeyed(n, sa, "the peer");
	/* The peer deletes the old SA; if it does not, it goes anyway. */
	ike_sa_set_state(sa, IKE_ST_DELETING);
	destroy_later(sa, OLD_SA_GRACE_MS);
	ike_sa_run_queue(n);
}

/*
 * The peer deletes the old SA while we had answered its rekey and ours was
 * still out: its rekey completed first (its answer to ours was lost or is
 * late), so its new SA is the one left; our answer will not come now that
 * the old SA is gone. The child SAs go to the peer's new SA instead of
 * dying with the old one.
 */
void ike_rekey_ike_peer_deleted(struct ike_sa *sa)
{
	struct ike_sa *peer = sa->rekey_peer;

	if (!peer)
		return;
	sa->rekey_peer = NULL;
	peer->rekey_old = NULL;
	adopt(peer, sa);
	log_rekeyed(peer, sa, "the peer (2.8.1: its DELETE came first)");
	ike_sa_run_queue(peer);
}

/* --- freeing ------------------------------------------------------------ */

void ike_rekey_ike_forget(struct ike_sa *sa)
{
	struct ikd_timers *t = sa->eng->env.timers;
	struct ike_sa *o = sa->rekey_old;

	t->cancel(t, sa->rekey_timer);
	sa->rekey_timer = NULL;
	if (o) {
		if (o->rekey_new == sa)
			o->rekey_new = NULL;
		if (o->rekey_peer == sa)
			o->rekey_peer = NULL;
	}
	if (sa->rekey_peer)
		sa->rekey_peer->rekey_old = NULL;
	if (sa->rekey_new) {
		/* Half made: it goes too, from a timer (the caller may be
		 * walking the list of SAs). */
		sa->rekey_new->rekey_old = NULL;
		ike_sa_set_state(sa->rekey_new, IKE_ST_DEAD);
		destroy_later(sa->rekey_new, 0);
	}
}
