// SPDX-License-Identifier: BSD-2-Clause
/*
 * INFORMATIONAL (RFC 7296 1.4, 1.5, 2.21): DELETE of the IKE SA and of
 * child SAs, the empty request that checks liveness, error notifies.
 *
 * State table:
 *
 *   role       message   state        payloads      action
 *   responder  request   AUTH_I,      D(IKE)        answer empty, delete SA
 *                        ESTABLISHED, D(ESP/AH)     remove those children,
 *                        DELETING                   answer with our halves
 *                                                   (not for children we
 *                                                   are deleting ourselves)
 *                                     N(error)      logged; AUTHENTICATION_
 *                                                   FAILED or INVALID_
 *                                                   MESSAGE_ID end the SA
 *                                     none          liveness: answer empty
 *   initiator  response  ESTABLISHED, (our D(IKE))  delete SA
 *                        DELETING     (our D(ESP))  remove the child
 *                                     (liveness)    peer is alive
 */
#include "ike_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "log.h"

static uint8_t ipproto(uint8_t ike_proto)
{
	return ike_proto == IKE_PROTO_AH ? IPPROTO_AH : IPPROTO_ESP;
}

static int send_inner(struct ike_sa *sa, enum ike_req_kind kind,
		      struct ike_child *c, const struct ike_builder *b,
		      bool oneshot)
{
	if (oneshot)
		return ike_sa_send_oneshot(sa, IKE_INFORMATIONAL, b);
	return ike_sa_send_request(sa, kind, IKE_INFORMATIONAL, c, b);
}

int ike_info_delete_ike(struct ike_sa *sa, bool oneshot)
{
	uint8_t buf[32];
	struct ike_wbuf w;
	struct ike_builder b;
	int err;

	ike_wbuf_init(&w, buf, sizeof(buf));
	ike_build_chain(&b, &w);
	ike_build_delete(&b, IKE_PROTO_IKE, 0, NULL, 0);
	err = send_inner(sa, REQ_DEL_IKE, NULL, &b, oneshot);
	if (!err && !oneshot)
		ike_sa_set_state(sa, IKE_ST_DELETING);
	return err;
}

int ike_info_liveness(struct ike_sa *sa)
{
	uint8_t buf[8];
	struct ike_wbuf w;
	struct ike_builder b;

	ike_wbuf_init(&w, buf, sizeof(buf));
	ike_build_chain(&b, &w);
	return send_inner(sa, REQ_LIVENESS, NULL, &b, false);
}

int ike_info_notify(struct ike_sa *sa, uint16_t type)
{
	uint8_t buf[32], id[4];
	struct ike_wbuf w;
	struct ike_builder b;
	bool has_id = type == IKE_N_INVALID_MESSAGE_ID;

	id[0] = (uint8_t)(sa->bad_msgid >> 24);
	id[1] = (uint8_t)(sa->bad_msgid >> 16);
	id[2] = (uint8_t)(sa->bad_msgid >> 8);
	id[3] = (uint8_t)sa->bad_msgid;
	ike_wbuf_init(&w, buf, sizeof(buf));
	ike_build_chain(&b, &w);
	ike_build_notify(&b, 0, NULL, 0, type, has_id ? id : NULL,
			 has_id ? 4 : 0);
	return send_inner(sa, REQ_NOTIFY, NULL, &b, false);
}

/* --- dead peer detection (2.4) ------------------------------------------ */

/* Liveness checks retransmit by racoon's dpd_retry and dpd_maxfail, at a
 * fixed interval: the point is to notice a dead peer within a known time,
 * not to be gentle with a slow network. */
uint32_t ike_info_dpd_retry_ms(const struct ike_sa *sa)
{
	uint32_t s = sa->cfg->dpd_retry_secs ? sa->cfg->dpd_retry_secs :
		     IKE_DEFAULT_DPD_RETRY;

	return s > UINT32_MAX / 1000 ? UINT32_MAX : s * 1000;
}

/* Nothing answered our liveness checks: the peer is gone (rebooted, or
 * unreachable). No DELETE can reach it, so the SAs simply go: the kernel
 * then raises an ACQUIRE with the next packet and we negotiate anew. */
void ike_info_peer_dead(struct ike_sa *sa)
{
	char rb[IKD_ADDR_STRLEN];

	log_error("peer %s dead: no answer to %u liveness checks (remote "
		  "\"%s\"): deleting IKE SA %016" PRIx64 ":%016" PRIx64
		  " and its CHILD_SAs", ikd_addr_str(&sa->remote, false, rb),
		  sa->req.tries + 1, sa->cfg->name, sa->spi_i, sa->spi_r);
	ike_sa_destroy(sa);
}

/*
 * Every dpd_delay: if nothing authentic came from the peer for that long
 * (2.4: only then is there a reason to ask), an empty INFORMATIONAL. A
 * request of ours already out checks liveness by itself. The timer is
 * re-armed for the moment the peer would have been quiet for dpd_delay.
 */
static void dpd_fire(void *arg)
{
	struct ike_sa *sa = arg;
	struct ikd_timers *t = sa->eng->env.timers;
	uint64_t delay = (uint64_t)sa->cfg->dpd_delay_secs * 1000;
	uint64_t quiet = t->now(t) - sa->last_rx_ms;

	sa->dpd_timer = NULL;
	if (sa->state != IKE_ST_ESTABLISHED)
		return;
	if (quiet < delay) {
		sa->dpd_timer = t->add(t, delay - quiet, dpd_fire, sa);
		return;
	}
	if (sa->req.kind == REQ_NONE && !sa->tasks) {
		ike_sa_queue(sa, REQ_LIVENESS, NULL, 0);
		ike_sa_run_queue(sa);
	}
	sa->dpd_timer = t->add(t, delay, dpd_fire, sa);
}

void ike_info_dpd_arm(struct ike_sa *sa)
{
	struct ikd_timers *t = sa->eng->env.timers;

	if (sa->cfg->dpd_delay_secs)
		sa->dpd_timer = t->add(t,
				       (uint64_t)sa->cfg->dpd_delay_secs * 1000,
				       dpd_fire, sa);
}

static void log_child_deleted(struct ike_sa *sa, struct ike_child *c,
			      const char *who)
{
	char rb[IKD_ADDR_STRLEN];

	log_notify("CHILD_SA deleted by %s: %s spi in 0x%08x out 0x%08x "
		   "(peer %s)", who, c->proto == IPPROTO_AH ? "AH" : "ESP",
		   ntohl(c->spi_in), ntohl(c->spi_out),
		   ikd_addr_str(&sa->remote, false, rb));
}

static int info_request(struct ike_sa *sa, const struct ike_msg *m,
			struct ike_builder *rb)
{
	uint8_t ours[2][4 * 64];	/* our inbound SPIs, ESP and AH */
	uint16_t nours[2] = { 0, 0 };
	char rbuf[IKD_ADDR_STRLEN];
	bool end = false;

	ikd_addr_str(&sa->remote, false, rbuf);
	for (unsigned int i = 0; i < m->nnotify; i++) {
		uint16_t t = m->notify[i].type;

		if (t > IKE_N_ERROR_MAX)
			continue;
		log_error("%s says %s about IKE SA %016" PRIx64 ":%016" PRIx64,
			  rbuf, ike_notify_name(t), sa->spi_i, sa->spi_r);
		ike_stats_fail(sa->eng, t);
		/* Our authentication was refused after the fact (2.21.2),
		 * or the message IDs are out of step (2.3): the SA is
		 * useless either way. */
		if (t == IKE_N_AUTHENTICATION_FAILED ||
		    t == IKE_N_INVALID_MESSAGE_ID)
			end = true;
	}
	for (unsigned int i = 0; i < m->ndelete; i++) {
		const struct ike_delete_pl *d = &m->del[i];

		if (d->proto == IKE_PROTO_IKE) {
			log_notify("IKE SA %016" PRIx64 ":%016" PRIx64 " deleted "
				   "by peer %s", sa->spi_i, sa->spi_r, rbuf);
			ike_rekey_ike_peer_deleted(sa);
			end = true;
			continue;
		}
		if (d->proto != IKE_PROTO_ESP && d->proto != IKE_PROTO_AH)
			continue;
		for (uint16_t j = 0; j < d->nspi; j++) {
			uint32_t spi;
			struct ike_child *c;
			int k = d->proto == IKE_PROTO_AH;

			memcpy(&spi, d->spis.ptr + 4 * j, 4);
			/* The peer names its inbound SA: our outbound. */
			c = ike_child_find_spi(sa, ipproto(d->proto), spi, false);
			if (!c)
				continue;
			if (c->state == CHILD_ST_DELETING) {
				/* Both sides delete at once (1.4.1): the
				 * outbound goes now, the inbound with the
				 * answer to our own request, and our answer
				 * names nothing. */
				struct ikd_kernel *kr = sa->eng->env.kernel;
				struct ikd_addr s, dd;

				ike_child_ends(sa, c, &s, &dd);
				if (c->out_installed)
					kr->ops->del_sa(kr, c->proto, c->spi_out,
							&s, &dd);
				c->out_installed = false;
				continue;
			}
			if (nours[k] < 64) {
				memcpy(&ours[k][4 * nours[k]], &c->spi_in, 4);
				nours[k]++;
			}
			log_child_deleted(sa, c, "peer");
			/* A rekey's new outbound SA goes in before the old
			 * SAs go out (ike_rekey.c). */
			ike_rekey_old_gone(sa, c);
			if (!ike_rekey_retire(sa, c))
				ike_child_free(sa, c, true);
		}
	}
	if (end) {
		/* An IKE SA delete is answered empty (1.4.1). */
		return IKE_H_REPLY_DESTROY;
	}
	if (nours[0])
		ike_build_delete(rb, IKE_PROTO_ESP, 4, ours[0], nours[0]);
	if (nours[1])
		ike_build_delete(rb, IKE_PROTO_AH, 4, ours[1], nours[1]);
	return IKE_H_REPLY;
}

static int info_response(struct ike_sa *sa, const struct ike_msg *m,
			 struct ike_builder *rb)
{
	const struct ike_notify_pl *n = ike_msg_error_notify(m);
	char rbuf[IKD_ADDR_STRLEN];

	(void)rb;
	if (n)
		log_warn("%s answered our INFORMATIONAL with %s",
			 ikd_addr_str(&sa->remote, false, rbuf),
			 ike_notify_name(n->type));
	switch (sa->done_kind) {
	case REQ_DEL_IKE:
		log_notify("IKE SA %016" PRIx64 ":%016" PRIx64 " deleted",
			   sa->spi_i, sa->spi_r);
		ike_sa_destroy(sa);
		break;
	case REQ_DEL_CHILD:
		if (sa->done_child) {
			log_child_deleted(sa, sa->done_child, "us");
			if (!ike_rekey_retire(sa, sa->done_child))
				ike_child_free(sa, sa->done_child, true);
		}
		break;
	case REQ_NOTIFY:
		/* An error we reported: the SA is over. */
		ike_sa_destroy(sa);
		break;
	default:
		break;
	}
	return 0;
}

const struct ike_handler ike_info_handlers[] = {
	{ IKE_INFORMATIONAL, false, IKE_ST_BIT(IKE_ST_AUTH_I) |
	  IKE_ST_BIT(IKE_ST_ESTABLISHED) | IKE_ST_BIT(IKE_ST_DELETING),
	  info_request },
	{ IKE_INFORMATIONAL, true, IKE_ST_BIT(IKE_ST_ESTABLISHED) |
	  IKE_ST_BIT(IKE_ST_DELETING), info_response },
	{ 0, false, 0, NULL },
};
