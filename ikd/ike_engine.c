// SPDX-License-Identifier: BSD-2-Clause
/*
 * The engine's entry points. receive() is the dispatcher: parse, find the
 * IKE SA by our SPI, apply the message-ID rules (RFC 7296 2.2, 2.3: our
 * requests one at a time; the peer's request with the next ID is
 * processed, a byte-identical repeat of the last one gets the cached
 * answer, anything else is dropped; a response must answer our
 * outstanding request), decrypt and check the SK payload, then run the
 * handler that the exchange tables name for (exchange, request or
 * response, SA state).
 */
#include "ike_int.h"
#include "ikev1.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/ipsec.h>
#include <openssl/crypto.h>

#include "log.h"

struct ike_engine *ike_engine_new(const struct ike_env *env)
{
	struct ike_engine *e;

	if (!env || !env->kernel || !env->timers || !env->send ||
	    !env->peer_by_addr || !env->psk || !env->child_cfg)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->env = *env;
	e->next_reqid = IKE_REQID_BASE;
	if (ike_dos_init(e)) {
		free(e);
		return NULL;
	}
	return e;
}

void ike_engine_free(struct ike_engine *e)
{
	if (!e)
		return;
	/* Without the kernel: SAs are forgotten, not removed. */
	while (e->sas) {
		struct ike_sa *sa = e->sas;

		while (sa->children)
			ike_child_free(sa, sa->children, false);
		ike_sa_destroy(sa);
	}
	ikev1_free_all(e);
	free(e);
}

void ike_engine_set_dos_limits(struct ike_engine *e,
			       const struct ike_dos_limits *lim)
{
	e->env.dos = *lim;
}

void ike_engine_stats(const struct ike_engine *e, struct ike_stats *out)
{
	*out = e->stats;
}

void ike_stats_tx(struct ike_engine *e, const uint8_t *buf, size_t len)
{
	/* The exchange type is byte 18 of the IKE header (3.1). */
	e->stats.tx++;
	if (len >= IKE_HDR_LEN && buf[16] == IKE_PL_SKF)
		e->stats.frag_tx++;
	if (len >= IKE_HDR_LEN && buf[18] >= IKE_SA_INIT &&
	    buf[18] < IKE_SA_INIT + IKE_STATS_NEXCH)
		e->stats.tx_exchange[buf[18] - IKE_SA_INIT]++;
}

void ike_stats_fail(struct ike_engine *e, uint16_t notify)
{
	switch (notify) {
	case IKE_N_NO_PROPOSAL_CHOSEN:
		e->stats.fail_no_proposal++;
		break;
	case IKE_N_AUTHENTICATION_FAILED:
		e->stats.fail_auth++;
		break;
	case IKE_N_TS_UNACCEPTABLE:
		e->stats.fail_ts++;
		break;
	default:
		break;
	}
}

/* --- receive ------------------------------------------------------------ */

static const struct ike_handler *find_handler(uint8_t exchange, bool response,
					      enum ike_state st)
{
	static const struct ike_handler *const tables[] = {
		ike_init_handlers, ike_auth_handlers, ike_child_handlers,
		ike_info_handlers,
	};

	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct ike_handler *h = tables[t]; h->fn; h++)
			if (h->exchange == exchange && h->response == response &&
			    (h->states & IKE_ST_BIT(st)))
				return h;
	return NULL;
}

static void drop(struct ike_engine *e, const struct ikd_addr *remote,
		 const char *why)
{
	char rb[IKD_ADDR_STRLEN];

	e->stats.rx_dropped++;
	if (ike_ratelimit_ok(e, &e->dos.rl_drop, "dropped IKE message"))
		log_info("dropped IKE message from %s: %s",
			 ikd_addr_str(remote, true, rb), why);
}

static void wipe_free(uint8_t *p, size_t len)
{
	if (p) {
		OPENSSL_cleanse(p, len);
		free(p);
	}
}

/*
 * A request outside the window (2.3): never acknowledged. If it is
 * authentic, the peer's message IDs are out of step with ours, and we say
 * so once in an INFORMATIONAL (INVALID_MESSAGE_ID with the ID as data,
 * 3.10.1); the SA goes when that is answered or given up on.
 */
static void invalid_msgid(struct ike_sa *sa, struct ike_msg *m)
{
	struct ike_engine *e = sa->eng;
	uint8_t *plain = NULL;
	size_t plain_len;
	int err;

	if (sa->sent_invalid_msgid || sa->state != IKE_ST_ESTABLISHED ||
	    m->msgid < sa->expect_msgid) {
		drop(e, &sa->remote, "unexpected message ID");
		return;
	}
	err = ike_frag_open(sa, m, false, &plain, &plain_len);
	wipe_free(plain, plain_len);
	if (err == -EBADMSG) {
		drop(e, &sa->remote, "unexpected message ID, not authentic");
		return;
	}
	log_error("%s sent message ID %u where %u was due: the IKE SA is out "
		  "of step, telling the peer (INVALID_MESSAGE_ID) and deleting it",
		  sa->cfg->name, m->msgid, sa->expect_msgid);
	e->stats.rx_dropped++;
	sa->sent_invalid_msgid = true;
	sa->bad_msgid = m->msgid;
	ike_sa_queue(sa, REQ_NOTIFY, NULL, IKE_N_INVALID_MESSAGE_ID);
	ike_sa_run_queue(sa);
}

static void finish(struct ike_sa *sa)
{
	struct ike_engine *e = sa->eng;

	e->busy = NULL;
	if (sa->state == IKE_ST_DEAD)
		ike_sa_destroy(sa);
	else
		ike_sa_run_queue(sa);
}

static void handle_request(struct ike_sa *sa, struct ike_msg *m,
			   const struct ikd_addr *local,
			   const struct ikd_addr *remote)
{
	struct ike_engine *e = sa->eng;
	const struct ike_handler *h;
	uint8_t *plain = NULL, *rbuf;
	size_t plain_len;
	struct ike_wbuf w;
	struct ike_builder rb;
	int err, rc;

	if (m->msgid + 1 == sa->expect_msgid) {
		if (!ike_sa_retransmitted(sa, m))
			drop(e, &sa->remote, "old message ID, not a retransmission");
		return;
	}
	if (m->msgid != sa->expect_msgid) {
		invalid_msgid(sa, m);
		return;
	}
	if (m->exchange == IKE_SA_INIT) {
		drop(e, &sa->remote, "IKE_SA_INIT request on an existing SA");
		return;
	}
	err = ike_frag_open(sa, m, true, &plain, &plain_len);
	if (err == -EBADMSG || err == -EINPROGRESS) {
		wipe_free(plain, plain_len);
		if (err == -EBADMSG)
			drop(e, &sa->remote, "no SK payload, or its integrity "
			     "check failed");
		return;
	}
	/* Authentic: the response goes where the request came from. */
	ike_natt_follow(sa, local, remote);
	sa->last_rx_ms = e->env.timers->now(e->env.timers);	/* DPD */
	rbuf = malloc(IKE_MSG_MAX);
	if (!rbuf) {
		free(plain);
		return;
	}
	ike_wbuf_init(&w, rbuf, IKE_MSG_MAX);
	ike_build_chain(&rb, &w);
	h = err ? NULL : find_handler(m->exchange, false, sa->state);
	if (err) {
		/* Authentic but malformed: say so (2.21.4, 3.2). */
		uint8_t pl = m->err_payload;

		log_info("malformed %s request: %s", ike_exchange_name(m->exchange),
			 m->err_text ? m->err_text : "?");
		ike_build_notify(&rb, 0, NULL, 0, m->err_notify, &pl,
				 m->err_notify == IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD);
		rc = sa->state == IKE_ST_INIT_R ? IKE_H_REPLY_DESTROY : IKE_H_REPLY;
	} else if (!h) {
		log_info("%s request in state %s: refused",
			 ike_exchange_name(m->exchange), ike_state_name(sa->state));
		ike_build_notify(&rb, 0, NULL, 0, IKE_N_INVALID_SYNTAX, NULL, 0);
		rc = IKE_H_REPLY;
	} else {
		e->busy = sa;
		rc = h->fn(sa, m, &rb);
	}
	if (rc >= 0) {
		sa->expect_msgid++;
		if (ike_sa_respond(sa, m, &rb))
			log_error("cannot send the %s response",
				  ike_exchange_name(m->exchange));
	}
	if (rc == IKE_H_REPLY_DESTROY)
		ike_sa_set_state(sa, IKE_ST_DEAD);
	wipe_free(plain, plain_len);
	free(rbuf);
	finish(sa);
}

static void handle_response(struct ike_sa *sa, struct ike_msg *m,
			    const struct ikd_addr *local,
			    const struct ikd_addr *remote)
{
	struct ike_engine *e = sa->eng;
	const struct ike_handler *h;
	uint8_t *plain = NULL;
	size_t plain_len = 0;
	int err = 0;

	if (sa->req.kind == REQ_NONE || m->msgid != sa->req.msgid ||
	    m->exchange != sa->req.exchange) {
		drop(e, &sa->remote, "response to no request of ours");
		return;
	}
	if (m->exchange != IKE_SA_INIT) {
		err = ike_frag_open(sa, m, true, &plain, &plain_len);
		if (err == -EBADMSG || err == -EINPROGRESS) {
			wipe_free(plain, plain_len);
			if (err == -EBADMSG)
				drop(e, &sa->remote, "no SK payload, or its "
				     "integrity check failed");
			return;
		}
		ike_natt_follow(sa, local, remote);
		sa->last_rx_ms = e->env.timers->now(e->env.timers);
	}
	sa->done_kind = sa->req.kind;
	sa->done_child = sa->req.child;
	ike_sa_request_done(sa);
	h = find_handler(m->exchange, true, sa->state);
	e->busy = sa;
	if (err) {
		log_error("malformed %s response from %s: %s",
			  ike_exchange_name(m->exchange), sa->cfg->name,
			  m->err_text ? m->err_text : "?");
	} else if (h) {
		err = h->fn(sa, m, NULL);
	}
	if (err || !h) {
		if (sa->state != IKE_ST_DEAD && sa->state != IKE_ST_ESTABLISHED)
			e->stats.ike_failed++;
		ike_sa_set_state(sa, IKE_ST_DEAD);
	}
	wipe_free(plain, plain_len);
	finish(sa);
}

void ike_engine_receive(struct ike_engine *e, const struct ikd_addr *local,
			const struct ikd_addr *remote, const uint8_t *buf,
			size_t len)
{
	struct ike_msg *m = malloc(sizeof(*m));
	struct ike_sa *sa;
	bool from_init;
	int err;

	e->stats.rx++;
	if (!m)
		return;
	err = ike_msg_parse(m, buf, len);
	if (!err && m->exchange >= IKE_SA_INIT &&
	    m->exchange < IKE_SA_INIT + IKE_STATS_NEXCH)
		e->stats.rx_exchange[m->exchange - IKE_SA_INIT]++;
	if (err) {
		/* An IKE_SA_INIT request gets a stateless error; anything
		 * else would have to be encrypted, which a broken outer
		 * chain prevents. IKEv1 (major 1) is not ours to answer. */
		if (len >= IKE_HDR_LEN && m->exchange == IKE_SA_INIT &&
		    !(m->flags & IKE_FLAG_R) && (m->version >> 4) >= 2 &&
		    m->spi_i && !m->msgid)
			ike_init_refuse(e, local, remote, m);
		drop(e, remote, m->err_text ? m->err_text : "malformed");
		goto out;
	}
	from_init = m->flags & IKE_FLAG_I;
	if (m->exchange == IKE_SA_INIT && !(m->flags & IKE_FLAG_R)) {
		if (!from_init || m->msgid) {
			drop(e, remote, "IKE_SA_INIT request without I flag or "
			     "with a message ID");
			goto out;
		}
		sa = ike_sa_find_half_open(e, m->spi_i, remote);
		if (sa) {
			if (!ike_sa_retransmitted(sa, m))
				drop(e, remote, "IKE_SA_INIT for an SA being "
				     "set up");
			goto out;
		}
		ike_init_respond(e, local, remote, m);
		goto out;
	}
	/* The I flag says who sent it, so which SPI is ours (2.6). */
	sa = ike_sa_find(e, from_init ? m->spi_r : m->spi_i);
	if (!sa || sa->initiator == from_init ||
	    (from_init ? sa->spi_i != m->spi_i :
	     sa->spi_r && sa->spi_r != m->spi_r) ||
	    (!ikd_addr_eq_noport(&sa->remote, remote) &&
	     !ike_natt_may_move(sa))) {
		drop(e, remote, "no IKE SA for these SPIs and addresses");
		goto out;
	}
	if (m->flags & IKE_FLAG_R)
		handle_response(sa, m, local, remote);
	else
		handle_request(sa, m, local, remote);
out:
	free(m);
}

/* --- expire ------------------------------------------------------------- */

void ike_engine_expire(struct ike_engine *e, const struct ikd_expire *exp)
{
	for (struct ike_sa *sa = e->sas; sa; sa = sa->next) {
		struct ike_child *c;
		bool inbound;

		if (sa->state == IKE_ST_DEAD)
			continue;
		c = NULL;
		inbound = ikd_addr_eq_noport(&exp->dst, &sa->local);
		if (inbound || ikd_addr_eq_noport(&exp->dst, &sa->remote))
			c = ike_child_find_spi(sa, exp->proto, exp->spi, inbound);
		/* An interface's SAs may have other endpoints. */
		if (!c)
			c = ike_kif_child_by_expire(sa, exp, &inbound);
		if (!c)
			continue;
		if (!exp->hard) {
			/* Usually our own timer has started it already. */
			log_info("soft lifetime of CHILD_SA spi=0x%08x (%s) "
				 "reached", ntohl(exp->spi),
				 inbound ? "in" : "out");
			ike_rekey_child(sa, c, "kernel's soft EXPIRE");
			return;
		}
		if (c->state == CHILD_ST_DELETING)
			/* Being deleted, or an old inbound SA kept after
			 * a rekey (ike_rekey_retire): nothing more to do. */
			log_info("hard lifetime of CHILD_SA spi=0x%08x (%s) "
				 "reached; it was going anyway",
				 ntohl(exp->spi), inbound ? "in" : "out");
		else
			log_notify("hard lifetime of CHILD_SA spi=0x%08x (%s) "
				   "reached: deleting it on both sides",
				   ntohl(exp->spi), inbound ? "in" : "out");
		/* The kernel has removed that SA already. */
		if (inbound) {
			c->in_installed = false;
			c->has_larval = false;
		} else {
			c->out_installed = false;
		}
		ike_rekey_old_gone(sa, c);
		if (c->state != CHILD_ST_INSTALLED) {
			/* A larval SA expired during negotiation, or a
			 * delete is already out. */
			if (c->state == CHILD_ST_NEGOTIATING && inbound &&
			    sa->req.child != c)
				ike_child_fail(sa, c, "inbound SPI expired");
			return;
		}
		if (sa->state != IKE_ST_ESTABLISHED) {
			ike_child_free(sa, c, true);
			return;
		}
		c->state = CHILD_ST_DELETING;
		if (ike_sa_queue(sa, REQ_DEL_CHILD, c, 0))
			ike_child_free(sa, c, true);
		ike_sa_run_queue(sa);
		return;
	}
}

/* --- rekey, terminate, shutdown ------------------------------------------ */

int ike_engine_rekey(struct ike_engine *e, const char *name, bool ike_sa)
{
	int n = 0;

	for (struct ike_sa *sa = e->sas; sa; sa = sa->next) {
		struct ike_child *c, *next;

		if (sa->state != IKE_ST_ESTABLISHED || strcmp(sa->cfg->name, name))
			continue;
		if (ike_sa) {
			/* New SAs go to the head of the list: not seen. */
			if (!ike_rekey_ike(sa, "asked by the administrator"))
				n++;
			continue;
		}
		/* New children go to the head of the list: next is taken
		 * first, and they are not installed anyway. */
		for (c = sa->children; c; c = next) {
			next = c->next;
			if (!ike_rekey_child(sa, c, "asked by the administrator"))
				n++;
		}
	}
	return n;
}

int ike_engine_terminate(struct ike_engine *e, const char *name)
{
	struct ike_sa *sa, *next;
	int n = 0;

	for (sa = e->sas; sa; sa = next) {
		next = sa->next;
		if (sa->state == IKE_ST_DEAD || sa->state == IKE_ST_DELETING ||
		    strcmp(sa->cfg->name, name))
			continue;
		n++;
		ike_sa_delete(sa, "terminated by the administrator");
	}
	return n;
}

int ike_engine_terminate_remote(struct ike_engine *e,
				const struct ikd_addr *remote)
{
	struct ike_sa *sa, *next;
	int n = 0;

	for (sa = e->sas; sa; sa = next) {
		next = sa->next;
		if (sa->state == IKE_ST_DEAD || sa->state == IKE_ST_DELETING ||
		    (remote && !ikd_addr_eq_noport(&sa->remote, remote)))
			continue;
		n++;
		ike_sa_delete(sa, "terminated by the administrator");
	}
	return n;
}

int ike_engine_delete_children(struct ike_engine *e)
{
	int n = 0;

	for (struct ike_sa *sa = e->sas; sa; sa = sa->next) {
		if (sa->state != IKE_ST_ESTABLISHED)
			continue;
		for (struct ike_child *c = sa->children; c; c = c->next) {
			if (c->state != CHILD_ST_INSTALLED)
				continue;
			/* As a hard expiry does, but both halves are still
			 * in the kernel: the DELETE's answer removes them. */
			c->state = CHILD_ST_DELETING;
			if (ike_sa_queue(sa, REQ_DEL_CHILD, c, 0))
				c->state = CHILD_ST_INSTALLED;
			else
				n++;
		}
		ike_sa_run_queue(sa);
	}
	return n;
}

int ike_engine_initiate(struct ike_engine *e, const struct ikd_acquire *acq,
			const struct ike_peer_cfg *peer)
{
	for (struct ike_sa *sa = e->sas; sa; sa = sa->next) {
		if (sa->state == IKE_ST_DEAD || sa->state == IKE_ST_DELETING ||
		    !ikd_addr_eq_noport(&sa->remote, &acq->dst))
			continue;
		for (struct ike_child *c = sa->children; c; c = c->next)
			if (c->state == CHILD_ST_INSTALLED &&
			    (c->ifname[0] ? ike_kif_wants(c, acq) :
			     c->pol_id == acq->pol.id &&
			     c->proto == acq->proto))
				return -EEXIST;
	}
	return ike_engine_acquire(e, acq, peer);
}

void ike_engine_shutdown(struct ike_engine *e)
{
	ikev1_shutdown(e);
	while (e->sas) {
		struct ike_sa *sa = e->sas;

		if (sa->state == IKE_ST_ESTABLISHED ||
		    sa->state == IKE_ST_DELETING) {
			/* Told once; a lost DELETE leaves the peer to find
			 * out by liveness checks. */
			if (ike_info_delete_ike(sa, true))
				log_warn("cannot send DELETE to %s", sa->cfg->name);
		}
		ike_sa_destroy(sa);
	}
}

/* --- foreach ------------------------------------------------------------ */

int ike_engine_foreach(struct ike_engine *e,
		       int (*sa_cb)(void *arg, const struct ike_sa_info *),
		       int (*child_cb)(void *arg, const struct ike_child_info *),
		       void *arg)
{
	for (struct ike_sa *sa = e->sas; sa; sa = sa->next) {
		struct ike_sa_info si = { 0 };
		int rc;

		if (sa->state == IKE_ST_DEAD)
			continue;
		si.version = 2;
		si.peer = sa->cfg->name;
		si.local = sa->local;
		si.remote = sa->remote;
		si.spi_i = sa->spi_i;
		si.spi_r = sa->spi_r;
		si.initiator = sa->initiator;
		si.state = ike_state_name(sa->state);
		if (sa->ch.encr_info) {
			si.encr = sa->ch.encr_info->name;
			si.encr_keybits = sa->ch.encr_info->keybits;
		}
		si.integ = sa->ch.integ_info ? sa->ch.integ_info->name : NULL;
		si.prf = sa->ch.prf_info ? sa->ch.prf_info->name : NULL;
		if (sa->ch.dh && ike_dh_info(sa->ch.dh))
			si.dh = ike_dh_info(sa->ch.dh)->name;
		si.my_id = &sa->my_id;
		si.peer_id = &sa->peer_id;
		si.established_ms = sa->established_ms;
		si.lifetime_secs = sa->cfg->lifetime_secs;
		for (struct ike_child *c = sa->children; c; c = c->next)
			si.nchild++;
		if (sa_cb && (rc = sa_cb(arg, &si)))
			return rc;
		for (struct ike_child *c = sa->children; child_cb && c;
		     c = c->next) {
			struct ike_child_info ci = { 0 };

			ci.ike_spi_i = sa->spi_i;
			ci.ike_spi_r = sa->spi_r;
			ci.proto = c->proto;
			ci.mode = c->mode;
			ci.spi_in = c->spi_in;
			ci.spi_out = c->spi_out;
			ci.reqid = c->reqid;
			ci.state = ike_child_state_name(c->state);
			if (c->ch.encr_info) {
				ci.encr = c->ch.encr_info->name;
				ci.encr_keybits = c->ch.encr_info->keybits;
			}
			ci.integ = c->ch.integ_info ? c->ch.integ_info->name : NULL;
			ci.esn = c->ch.esn;
			ike_ts_child_sel(c, &ci.sel);
			ci.established_ms = c->established_ms;
			ci.hard_secs = c->cfg.hard_secs;
			if (c->ifname[0]) {
				ci.ifname = c->ifname;
				ci.sa_local = &c->kif_local;
				ci.sa_remote = &c->kif_remote;
			}
			rc = child_cb(arg, &ci);
			if (rc)
				return rc;
		}
	}
	return ikev1_foreach(e, sa_cb, child_cb, arg);
}
