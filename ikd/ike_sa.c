// SPDX-License-Identifier: BSD-2-Clause
/*
 * The life of an IKE SA: creation and lookup by our SPI, key derivation
 * (RFC 7296 2.14), our requests with their retransmission (2.1, 2.4) and
 * the queue of requests waiting for the window (2.3, window size 1), the
 * cached last response for the peer's retransmissions, and destruction,
 * which takes every child SA out of the kernel and wipes every secret.
 */
#include "ike_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <openssl/crypto.h>

#include "ike_cert.h"
#include "log.h"

static unsigned int bucket_of(uint64_t spi)
{
	return (unsigned int)((spi ^ (spi >> 32) ^ (spi >> 16)) %
			      IKE_SA_BUCKETS);
}

static uint64_t our_spi(const struct ike_sa *sa)
{
	return sa->initiator ? sa->spi_i : sa->spi_r;
}

struct ike_sa *ike_sa_find(struct ike_engine *e, uint64_t spi)
{
	struct ike_sa *sa;

	if (!spi)
		return NULL;
	for (sa = e->bucket[bucket_of(spi)]; sa; sa = sa->hnext)
		if (our_spi(sa) == spi && sa->state != IKE_ST_DEAD)
			return sa;
	return NULL;
}

struct ike_sa *ike_sa_find_half_open(struct ike_engine *e, uint64_t spi_i,
				     const struct ikd_addr *remote)
{
	/* Hashed by the peer's address: an IKE_SA_INIT flood costs no walk
	 * of every SA. */
	return ike_dos_find_half_open(e, spi_i, remote);
}

static void unhash(struct ike_sa *sa)
{
	struct ike_sa **pp = &sa->eng->bucket[bucket_of(our_spi(sa))];

	for (; *pp; pp = &(*pp)->hnext)
		if (*pp == sa) {
			*pp = sa->hnext;
			return;
		}
}

struct ike_sa *ike_sa_new(struct ike_engine *e, bool initiator,
			  const struct ikd_addr *local,
			  const struct ikd_addr *remote,
			  const struct ike_peer_cfg *cfg)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));
	struct ike_peer_cfg c;
	uint64_t spi;

	if (!sa)
		return NULL;
	/* A random SPI (2.6), unique among ours. */
	do {
		if (ike_random(&spi, sizeof(spi))) {
			free(sa);
			return NULL;
		}
	} while (!spi || ike_sa_find(e, spi));
	sa->eng = e;
	sa->initiator = initiator;
	if (initiator)
		sa->spi_i = spi;
	else
		sa->spi_r = spi;
	sa->local = *local;
	sa->remote = *remote;
	memcpy(&c, cfg, sizeof(c));	/* padding too: ike_sa_set_cfg compares */
	if (!c.retrans.counter)
		c.retrans.counter = IKE_DEFAULT_COUNTER;
	if (!c.retrans.interval_ms)
		c.retrans.interval_ms = IKE_DEFAULT_INTERVAL_MS;
	if (!c.lifetime_secs)
		c.lifetime_secs = IKE_DEFAULT_LIFETIME;
	sa->ni = malloc(2 * IKE_NONCE_MAX);
	if (!sa->ni || ike_sa_set_cfg(sa, &c)) {
		free(sa->ni);
		free(sa);
		return NULL;
	}
	sa->nr = sa->ni + IKE_NONCE_MAX;
	if (cfg->my_id.type)
		sa->my_id = cfg->my_id;
	else
		ike_id_from_addr(&sa->my_id, local);
	sa->tasks_tail = &sa->tasks;
	sa->state = initiator ? IKE_ST_INIT_I : IKE_ST_INIT_R;
	if (!initiator)
		e->nhalf_open++;
	sa->next = e->sas;
	if (e->sas)
		e->sas->prev = sa;
	e->sas = sa;
	sa->hnext = e->bucket[bucket_of(spi)];
	e->bucket[bucket_of(spi)] = sa;
	if (!initiator)
		ike_dos_src_link(sa);
	return sa;
}

/* The nonces, once nothing needs them: 512 bytes less per IKE SA. */
static void drop_nonces(struct ike_sa *sa)
{
	if (!sa->ni)
		return;
	OPENSSL_cleanse(sa->ni, 2 * IKE_NONCE_MAX);
	free(sa->ni);
	sa->ni = sa->nr = NULL;
	sa->ni_len = sa->nr_len = 0;
}

/* --- shared configurations ---------------------------------------------- */

/* One configuration the IKE SAs of a remote share; most recently used
 * first. A configuration reloaded with other values is another entry;
 * the last SA that holds one frees it. */
struct ike_cfg_ref {
	struct ike_cfg_ref *next;
	unsigned int refs;
	struct ike_peer_cfg cfg;
};

/* Entries looked at for a match: beyond, a new one (as many as there are
 * configurations in use, normally; this bounds the search if they are
 * not). */
#define IKE_CFG_SEARCH	8

static void cfg_drop(struct ike_engine *e, const struct ike_peer_cfg *cfg)
{
	struct ike_cfg_ref **pp, *r;

	if (!cfg)
		return;
	for (pp = &e->cfgs; (r = *pp); pp = &r->next)
		if (&r->cfg == cfg) {
			if (--r->refs)
				return;
			*pp = r->next;
			free(r);
			return;
		}
}

int ike_sa_set_cfg(struct ike_sa *sa, const struct ike_peer_cfg *cfg)
{
	struct ike_engine *e = sa->eng;
	struct ike_cfg_ref **pp, *r;
	unsigned int n = 0;

	for (pp = &e->cfgs; (r = *pp) && n < IKE_CFG_SEARCH;
	     pp = &r->next, n++)
		if (!memcmp(&r->cfg, cfg, sizeof(*cfg))) {
			*pp = r->next;		/* to the front */
			break;
		}
	if (!r || n == IKE_CFG_SEARCH) {
		r = malloc(sizeof(*r));
		if (!r)
			return -ENOMEM;
		memcpy(&r->cfg, cfg, sizeof(*cfg));
		r->refs = 0;
	}
	r->next = e->cfgs;
	e->cfgs = r;
	r->refs++;
	cfg_drop(e, sa->cfg);
	sa->cfg = &r->cfg;
	return 0;
}

void ike_sa_set_spi_r(struct ike_sa *sa, uint64_t spi_r)
{
	/* Our SPI, the hash key, is the initiator's when we initiate. */
	sa->spi_r = spi_r;
}

const char *ike_state_name(enum ike_state st)
{
	switch (st) {
	case IKE_ST_INIT_I: return "IKE_SA_INIT sent";
	case IKE_ST_INIT_R: return "half-open";
	case IKE_ST_AUTH_I: return "IKE_AUTH sent";
	case IKE_ST_ESTABLISHED: return "established";
	case IKE_ST_DELETING: return "deleting";
	case IKE_ST_DEAD: return "dead";
	}
	return "?";
}

void ike_sa_set_state(struct ike_sa *sa, enum ike_state st)
{
	if (sa->state == IKE_ST_INIT_R && st != IKE_ST_INIT_R)
		sa->eng->nhalf_open--;
	sa->state = st;
}

void ike_sa_set_remote(struct ike_sa *sa, const struct ikd_addr *remote)
{
	/* A responder SA is hashed by its peer's address (ike_dos.c): a
	 * peer that moved must be found, and unlinked, in its new bucket. */
	if (!sa->initiator)
		ike_dos_src_unlink(sa);
	sa->remote = *remote;
	if (!sa->initiator)
		ike_dos_src_link(sa);
}

static void free_tasks(struct ike_sa *sa)
{
	while (sa->tasks) {
		struct ike_task *t = sa->tasks;

		sa->tasks = t->next;
		free(t);
	}
	sa->tasks_tail = &sa->tasks;
}

static void clear_request(struct ike_sa *sa)
{
	struct ikd_timers *t = sa->eng->env.timers;

	t->cancel(t, sa->req.timer);
	sa->req.timer = NULL;
	free(sa->req.pkt);
	sa->req.pkt = NULL;
	sa->req.kind = REQ_NONE;
	sa->req.child = NULL;
}

static void free_now(struct ike_sa *sa)
{
	struct ike_engine *e = sa->eng;
	struct ikd_timers *t = e->env.timers;

	if (sa->state == IKE_ST_INIT_R)
		e->nhalf_open--;
	ike_rekey_ike_forget(sa);
	while (sa->children)
		ike_child_free(sa, sa->children, true);
	clear_request(sa);
	free_tasks(sa);
	t->cancel(t, sa->life_timer);
	t->cancel(t, sa->dpd_timer);
	ike_natt_stop(sa);
	ike_frag_free(sa);
	ike_dh_free(sa->dh);
	unhash(sa);
	if (!sa->initiator)
		ike_dos_src_unlink(sa);
	if (sa->prev)
		sa->prev->next = sa->next;
	else
		e->sas = sa->next;
	if (sa->next)
		sa->next->prev = sa->prev;
	free(sa->init_i);
	free(sa->init_r);
	free(sa->last_req);
	free(sa->last_resp);
	drop_nonces(sa);
	cfg_drop(e, sa->cfg);
	/* Keys, nonces and everything else: 2.x and DESIGN.md, wiped. */
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
}

void ike_sa_destroy(struct ike_sa *sa)
{
	if (sa->eng->busy == sa) {
		/* A handler of this SA runs: the dispatcher frees it when the
		 * handler returns. The state makes it invisible meanwhile. */
		ike_sa_set_state(sa, IKE_ST_DEAD);
		return;
	}
	free_now(sa);
}

/* --- keys (2.14) -------------------------------------------------------- */

/* @skd: NULL for a new IKE SA, the old SA's SK_d for a rekey (2.8). */
static int derive(struct ike_sa *sa, const uint8_t *peer_ke, size_t peer_len,
		  const struct ike_prf_info *old_prf, const uint8_t *skd,
		  size_t skd_len)
{
	const struct ike_prf_info *prf = sa->ch.prf_info;
	uint8_t shared[IKE_MAX_DH_PUB], skeyseed[IKE_MAX_PRF];
	uint8_t gnn[IKE_MAX_DH_PUB + 2 * IKE_NONCE_MAX];
	uint8_t seed[2 * IKE_NONCE_MAX + 16], nn[2 * IKE_NONCE_MAX];
	uint8_t km[3 * IKE_MAX_PRF + 4 * IKE_MAX_KEY];
	struct ike_keys *k = &sa->k;
	size_t slen = 0, nlen, total, off = 0;
	int err;

	err = ike_dh_shared(sa->dh, peer_ke, peer_len, shared, sizeof(shared),
			    &slen);
	if (err)
		return err;
	/* SKEYSEED = prf(Ni | Nr, g^ir) */
	memcpy(nn, sa->ni, sa->ni_len);
	memcpy(nn + sa->ni_len, sa->nr, sa->nr_len);
	nlen = sa->ni_len + sa->nr_len;
	if (skd) {
		/* rekey: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) */
		memcpy(gnn, shared, slen);
		memcpy(gnn + slen, nn, nlen);
		err = ike_prf(old_prf, skd, skd_len, gnn, slen + nlen,
			      skeyseed);
	} else {
		err = ike_prf(prf, nn, nlen, shared, slen, skeyseed);
	}
	if (err)
		goto out;
	/* {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
	 *   = prf+ (SKEYSEED, Ni | Nr | SPIi | SPIr) */
	memcpy(seed, nn, nlen);
	for (int i = 0; i < 8; i++) {
		seed[nlen + i] = (uint8_t)(sa->spi_i >> (56 - 8 * i));
		seed[nlen + 8 + i] = (uint8_t)(sa->spi_r >> (56 - 8 * i));
	}
	k->prf_len = prf->keylen;
	k->a_len = sa->ch.integ_info ? sa->ch.integ_info->keylen : 0;
	k->e_len = sa->ch.encr_info->keylen;
	total = 3 * k->prf_len + 2 * k->a_len + 2 * k->e_len;
	if (total > sizeof(km) || k->prf_len > IKE_MAX_PRF ||
	    k->a_len > IKE_MAX_KEY || k->e_len > IKE_MAX_KEY) {
		err = -EINVAL;
		goto out;
	}
	err = ike_prf_plus(prf, skeyseed, prf->outlen, seed, nlen + 16, km,
			   total);
	if (err)
		goto out;
	memcpy(k->d, km + off, k->prf_len), off += k->prf_len;
	memcpy(k->ai, km + off, k->a_len), off += k->a_len;
	memcpy(k->ar, km + off, k->a_len), off += k->a_len;
	memcpy(k->ei, km + off, k->e_len), off += k->e_len;
	memcpy(k->er, km + off, k->e_len), off += k->e_len;
	memcpy(k->pi, km + off, k->prf_len), off += k->prf_len;
	memcpy(k->pr, km + off, k->prf_len);
	sa->have_keys = true;
	if (sa->eng->env.keylog_path)
		ike_keylog_write(sa->eng->env.keylog_path, sa);
out:
	OPENSSL_cleanse(shared, sizeof(shared));
	OPENSSL_cleanse(gnn, sizeof(gnn));
	OPENSSL_cleanse(skeyseed, sizeof(skeyseed));
	OPENSSL_cleanse(km, sizeof(km));
	OPENSSL_cleanse(nn, sizeof(nn));
	OPENSSL_cleanse(seed, sizeof(seed));
	/* The exchange is done with: drop our private value now. */
	ike_dh_free(sa->dh);
	sa->dh = NULL;
	return err;
}

int ike_sa_derive_keys(struct ike_sa *sa, const uint8_t *peer_ke,
		       size_t peer_len)
{
	return derive(sa, peer_ke, peer_len, NULL, NULL, 0);
}

int ike_sa_derive_rekey_keys(struct ike_sa *sa, const struct ike_sa *old,
			     const uint8_t *peer_ke, size_t peer_len)
{
	return derive(sa, peer_ke, peer_len, old->ch.prf_info, old->k.d,
		      old->k.prf_len);
}

void ike_sa_sk_keys(const struct ike_sa *sa, bool from_initiator,
		    struct ike_sk_keys *k)
{
	k->encr = sa->ch.encr_info;
	k->integ = sa->ch.integ_info;
	k->ek = from_initiator ? sa->k.ei : sa->k.er;
	k->ak = from_initiator ? sa->k.ai : sa->k.ar;
}

/* --- sending ------------------------------------------------------------ */

void ike_sa_send(struct ike_sa *sa, const uint8_t *buf, size_t len)
{
	struct ike_engine *e = sa->eng;

	/* @buf may hold several datagrams, fragments (ike_frag.c), each as
	 * long as its header says. */
	while (len >= IKE_HDR_LEN) {
		size_t n = ike_be32(buf + 24);

		if (n < IKE_HDR_LEN || n > len)
			n = len;
		ike_stats_tx(e, buf, n);
		e->env.send(e->env.arg, &sa->local, &sa->remote, buf, n);
		buf += n;
		len -= n;
	}
}

static void retransmit(void *arg)
{
	struct ike_sa *sa = arg;
	struct ikd_timers *t = sa->eng->env.timers;
	char rb[IKD_ADDR_STRLEN];
	bool liveness = sa->req.kind == REQ_LIVENESS;

	sa->req.timer = NULL;	/* fired: the loop has freed it */
	if (liveness && sa->req.tries >= sa->cfg->dpd_maxfail) {
		ike_info_peer_dead(sa);
		return;
	}
	if (!liveness && sa->req.tries >= sa->cfg->retrans.counter) {
		log_error("%s to %s not answered after %u retransmissions: "
			  "giving up, deleting IKE SA %016" PRIx64 ":%016" PRIx64,
			  ike_exchange_name(sa->req.exchange),
			  ikd_addr_str(&sa->remote, true, rb), sa->req.tries,
			  sa->spi_i, sa->spi_r);
		if (sa->state != IKE_ST_ESTABLISHED &&
		    sa->state != IKE_ST_DELETING)
			sa->eng->stats.ike_failed++;
		sa->eng->stats.fail_timeout++;
		ike_sa_destroy(sa);
		return;
	}
	sa->req.tries++;
	sa->eng->stats.retransmits++;
	log_info("retransmitting %s (%u of %u) to %s",
		 liveness ? "liveness check" :
		 ike_exchange_name(sa->req.exchange), sa->req.tries,
		 liveness ? sa->cfg->dpd_maxfail : sa->cfg->retrans.counter,
		 ikd_addr_str(&sa->remote, true, rb));
	ike_sa_send(sa, sa->req.pkt, sa->req.len);
	if (!liveness && sa->req.wait_ms < UINT32_MAX / 2)
		sa->req.wait_ms *= 2;
	sa->req.timer = t->add(t, sa->req.wait_ms, retransmit, sa);
}

static int start_request(struct ike_sa *sa, enum ike_req_kind kind,
			 uint8_t exchange, uint32_t msgid, uint8_t *pkt,
			 size_t len, struct ike_child *child)
{
	struct ikd_timers *t = sa->eng->env.timers;

	clear_request(sa);
	sa->req.kind = kind;
	sa->req.exchange = exchange;
	sa->req.msgid = msgid;
	sa->req.pkt = pkt;
	sa->req.len = len;
	sa->req.tries = 0;
	sa->req.child = child;
	sa->req.wait_ms = kind == REQ_LIVENESS ? ike_info_dpd_retry_ms(sa) :
			  sa->cfg->retrans.interval_ms;
	ike_sa_send(sa, pkt, len);
	sa->req.timer = t->add(t, sa->req.wait_ms, retransmit, sa);
	if (!sa->req.timer)
		return -ENOMEM;
	return 0;
}

int ike_sa_send_raw_request(struct ike_sa *sa, enum ike_req_kind kind,
			    uint8_t exchange, uint8_t *pkt, size_t len)
{
	sa->next_msgid = 1;
	return start_request(sa, kind, exchange, 0, pkt, len, NULL);
}

int ike_sa_send_request(struct ike_sa *sa, enum ike_req_kind kind,
			uint8_t exchange, struct ike_child *child,
			const struct ike_builder *inner)
{
	size_t len;
	uint8_t *pkt = ike_frag_seal(sa, exchange, 0, sa->next_msgid, inner,
				    &len);

	if (!pkt)
		return -ENOMEM;
	return start_request(sa, kind, exchange, sa->next_msgid++, pkt, len,
			     child);
}

int ike_sa_send_oneshot(struct ike_sa *sa, uint8_t exchange,
			const struct ike_builder *inner)
{
	size_t len;
	uint8_t *pkt = ike_frag_seal(sa, exchange, 0, sa->next_msgid++, inner,
				    &len);

	if (!pkt)
		return -ENOMEM;
	ike_sa_send(sa, pkt, len);
	free(pkt);
	return 0;
}

void ike_sa_request_done(struct ike_sa *sa)
{
	clear_request(sa);
}

/* Keeps the request and our answer, so that a retransmission of the
 * request gets the same answer without being processed again (2.1). */
static void cache(struct ike_sa *sa, const struct ike_msg *req,
		  uint8_t *resp, size_t len)
{
	uint8_t *copy = malloc(req->raw_len);

	free(sa->last_req);
	free(sa->last_resp);
	sa->last_req = copy;
	sa->last_req_len = copy ? req->raw_len : 0;
	if (copy)
		memcpy(copy, req->raw, req->raw_len);
	sa->last_resp = resp;
	sa->last_resp_len = len;
	sa->have_last = copy != NULL;
}

int ike_sa_respond(struct ike_sa *sa, const struct ike_msg *req,
		   const struct ike_builder *inner)
{
	size_t len;
	uint8_t *pkt = ike_frag_seal(sa, req->exchange, IKE_FLAG_R, req->msgid,
				     inner, &len);

	if (!pkt)
		return -ENOMEM;
	ike_sa_send(sa, pkt, len);
	cache(sa, req, pkt, len);
	/* Established: IKE_AUTH's handler has used the nonces for AUTH and
	 * the first child's KEYMAT; CREATE_CHILD_SA has nonces of its own. */
	if (sa->state == IKE_ST_ESTABLISHED)
		drop_nonces(sa);
	return 0;
}

void ike_sa_respond_raw(struct ike_sa *sa, const struct ike_msg *req,
			uint8_t *pkt, size_t len)
{
	ike_sa_send(sa, pkt, len);
	cache(sa, req, pkt, len);
}

bool ike_sa_retransmitted(struct ike_sa *sa, const struct ike_msg *m)
{
	/* A fragmented request is answered again once, on its first
	 * fragment (RFC 7383 2.6.1); the others are ignored. */
	if (ike_msg_has(m, IKE_PL_SKF) && m->frag_num != 1)
		return true;
	if (!sa->have_last || m->raw_len != sa->last_req_len ||
	    memcmp(m->raw, sa->last_req, m->raw_len))
		return false;
	sa->eng->stats.retransmits++;
	ike_sa_send(sa, sa->last_resp, sa->last_resp_len);
	return true;
}

/* --- the queue ---------------------------------------------------------- */

int ike_sa_queue(struct ike_sa *sa, enum ike_req_kind kind,
		 struct ike_child *child, uint16_t notify)
{
	struct ike_task *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->kind = kind;
	t->child = child;
	t->notify = notify;
	*sa->tasks_tail = t;
	sa->tasks_tail = &t->next;
	return 0;
}

/* Forgets queued tasks about a child that goes. */
void ike_sa_unqueue_child(struct ike_sa *sa, struct ike_child *c)
{
	struct ike_task **pp = &sa->tasks;

	while (*pp) {
		struct ike_task *t = *pp;

		if (t->child == c) {
			*pp = t->next;
			free(t);
		} else {
			pp = &t->next;
		}
	}
	sa->tasks_tail = &sa->tasks;
	while (*sa->tasks_tail)
		sa->tasks_tail = &(*sa->tasks_tail)->next;
	if (sa->req.child == c)
		sa->req.child = NULL;
}

void ike_sa_run_queue(struct ike_sa *sa)
{
	while (sa->tasks && sa->req.kind == REQ_NONE &&
	       sa->state == IKE_ST_ESTABLISHED) {
		struct ike_task *t = sa->tasks;
		int err = 0;

		sa->tasks = t->next;
		if (!sa->tasks)
			sa->tasks_tail = &sa->tasks;
		switch (t->kind) {
		case REQ_CHILD:
			err = ike_child_start(sa, t->child);
			if (err)
				ike_child_fail(sa, t->child,
					       "cannot start CREATE_CHILD_SA");
			break;
		case REQ_DEL_CHILD:
			err = ike_child_delete_start(sa, t->child);
			break;
		case REQ_DEL_IKE:
			err = ike_info_delete_ike(sa, false);
			break;
		case REQ_LIVENESS:
			err = ike_info_liveness(sa);
			break;
		case REQ_NOTIFY:
			err = ike_info_notify(sa, t->notify);
			break;
		case REQ_REKEY_IKE:
			err = ike_rekey_ike_start(sa);
			break;
		default:
			break;
		}
		free(t);
		if (err)
			log_warn("queued IKE request failed: %s", strerror(-err));
	}
}

/* --- established, lifetime, liveness ------------------------------------ */

static bool lifetime_rekeys(const struct ike_sa *sa)
{
	return sa->cfg->rekey == IKE_REKEY_FORCE ||
	       (sa->cfg->rekey == IKE_REKEY_ON && sa->children);
}

static void lifetime_expired(void *arg)
{
	struct ike_sa *sa = arg;

	sa->life_timer = NULL;
	if (sa->state == IKE_ST_INIT_R) {
		char rb[IKD_ADDR_STRLEN];

		log_info("half-open IKE SA from %s timed out waiting for "
			 "IKE_AUTH", ikd_addr_str(&sa->remote, true, rb));
		ike_sa_destroy(sa);
		return;
	}
	/* Rekeyed (ike_rekey_ike.c); deleted if that cannot start. */
	if (sa->state == IKE_ST_ESTABLISHED && lifetime_rekeys(sa)) {
		int err = ike_rekey_ike(sa, "its lifetime is reached");

		if (!err || err == -EALREADY)
			return;
	}
	ike_sa_delete(sa, sa->cfg->rekey == IKE_REKEY_OFF ?
		      "IKE SA lifetime reached (rekey off)" :
		      sa->children || sa->cfg->rekey == IKE_REKEY_FORCE ?
		      "IKE SA lifetime reached" :
		      "IKE SA lifetime reached, no CHILD_SA to keep");
}

void ike_sa_arm_half_open(struct ike_sa *sa)
{
	struct ikd_timers *t = sa->eng->env.timers;
	uint32_t ms = sa->eng->env.half_open_ms ? sa->eng->env.half_open_ms :
		      IKE_DEFAULT_HALF_OPEN_MS;

	t->cancel(t, sa->life_timer);
	sa->life_timer = t->add(t, ms, lifetime_expired, sa);
}

void ike_sa_established(struct ike_sa *sa)
{
	struct ike_engine *e = sa->eng;
	struct ikd_timers *t = e->env.timers;
	char lb[IKD_ADDR_STRLEN], rb[IKD_ADDR_STRLEN], pb[IKE_PROP_STRLEN];
	char ib[IKE_ID_STRLEN];

	ike_sa_set_state(sa, IKE_ST_ESTABLISHED);
	sa->established_ms = t->now(t);
	sa->last_rx_ms = sa->established_ms;
	/* Both IKE_SA_INIT messages served the AUTH payloads, which are
	 * done: some 400 bytes less for every IKE SA that stays. */
	free(sa->init_i);
	free(sa->init_r);
	sa->init_i = sa->init_r = NULL;
	sa->init_i_len = sa->init_r_len = 0;
	e->stats.ike_established++;
	t->cancel(t, sa->life_timer);
	sa->life_timer = t->add(t, ike_rekey_jitter_ms(e, sa->cfg->lifetime_secs),
				lifetime_expired, sa);
	ike_info_dpd_arm(sa);
	ike_prop_str_chosen(&sa->ch, true, pb, sizeof(pb));
	log_notify("IKE_SA established %s-%s spi:%016" PRIx64 ":%016" PRIx64
		   " (%s, %s, peer %s, remote \"%s\")",
		   ikd_addr_str(&sa->local, true, lb),
		   ikd_addr_str(&sa->remote, true, rb), sa->spi_i, sa->spi_r,
		   sa->initiator ? "initiator" : "responder", pb,
		   ike_id_str(&sa->peer_id, ib, sizeof(ib)), sa->cfg->name);
}

void ike_sa_delete(struct ike_sa *sa, const char *why)
{
	char rb[IKD_ADDR_STRLEN];

	log_notify("deleting IKE SA %016" PRIx64 ":%016" PRIx64 " with %s: %s",
		   sa->spi_i, sa->spi_r, ikd_addr_str(&sa->remote, true, rb),
		   why);
	if (sa->state != IKE_ST_ESTABLISHED) {
		if (sa->state != IKE_ST_DELETING)
			ike_sa_destroy(sa);
		return;
	}
	/* Nothing else is worth starting now: the DELETE goes first. */
	free_tasks(sa);
	ike_sa_queue(sa, REQ_DEL_IKE, NULL, 0);
	ike_sa_run_queue(sa);
}

/* --- identities --------------------------------------------------------- */

void ike_id_from_addr(struct ike_id *id, const struct ikd_addr *a)
{
	memset(id, 0, sizeof(*id));
	if (a->family == AF_INET) {
		id->type = IKE_ID_IPV4_ADDR;
		id->len = 4;
	} else if (a->family == AF_INET6) {
		id->type = IKE_ID_IPV6_ADDR;
		id->len = 16;
	} else {
		return;
	}
	memcpy(id->data, a->bytes, id->len);
}

const char *ike_id_str(const struct ike_id *id, char *buf, size_t len)
{
	size_t n;
	int af = 0;

	switch (id->type) {
	case 0:
		snprintf(buf, len, "(none)");
		return buf;
	case IKE_ID_IPV4_ADDR:
		af = id->len == 4 ? AF_INET : 0;
		break;
	case IKE_ID_IPV6_ADDR:
		af = id->len == 16 ? AF_INET6 : 0;
		break;
	}
	n = (size_t)snprintf(buf, len, "%s ", ike_id_type_name(id->type));
	if (n >= len)
		return buf;
	if (af) {
		inet_ntop(af, id->data, buf + n, (socklen_t)(len - n));
		return buf;
	}
	if (id->type == IKE_ID_FQDN || id->type == IKE_ID_RFC822_ADDR) {
		/* Printable ASCII as is, anything else escaped: this is
		 * the peer's text, going into our log. */
		for (size_t i = 0; i < id->len && n + 5 < len; i++) {
			uint8_t c = id->data[i];

			if (c >= 0x20 && c < 0x7f && c != '\\')
				buf[n++] = (char)c;
			else
				n += (size_t)snprintf(buf + n, len - n,
						      "\\x%02x", c);
		}
		buf[n < len ? n : len - 1] = '\0';
		return buf;
	}
	if (id->type == IKE_ID_DER_ASN1_DN) {
		/* The DN as text (control characters escaped by OpenSSL). */
		ike_cert_dn_str(id->data, id->len, buf + n, len - n);
		return buf;
	}
	for (size_t i = 0; i < id->len && n + 3 < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%02x", id->data[i]);
	return buf;
}
