// SPDX-License-Identifier: BSD-2-Clause
/*
 * ISAKMP SAs (IKEv1 phase 1): the table, sending and retransmission,
 * repeated datagrams, the half-open limits, expiry and destruction.
 *
 * IKEv1 has no message IDs in phase 1 to tell a retransmission from a new
 * message, so a datagram byte for byte equal to the last one we accepted
 * from the peer is taken as its retransmission: it means our answer was
 * lost, and the answer goes again, nothing else is done. It must be
 * recognised before decryption (ikev1_keys.h: its IV is spent).
 *
 * Both roles retransmit a message that waits for an answer, with the
 * peer's `timer { counter; interval; }` doubling as IKEv2's (ike.h); the
 * last message of an exchange is only sent again when the peer repeats.
 */
#include "ikev1_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "log.h"

static const uint8_t zero_cky[IKEV1_COOKIE_LEN];

const char *ikev1_cky_str(const uint8_t *cky, char *buf)
{
	for (unsigned int i = 0; i < IKEV1_COOKIE_LEN; i++)
		snprintf(buf + 2 * i, 3, "%02x", cky[i]);
	return buf;
}

static void half_open_done(struct ikev1_sa *sa)
{
	if (sa->half_open) {
		sa->half_open = false;
		sa->eng->v1_half_open--;
	}
}

static void half_open_expired(void *arg)
{
	struct ikev1_sa *sa = arg;
	char rb[IKD_ADDR_STRLEN];

	sa->life_timer = NULL;	/* fired: the loop has freed it */
	if (sa->state == V1_DELETED) {
		/* its linger is over */
	} else if (sa->state == V1_ESTABLISHED) {
		log_info("ISAKMP-SA expired %s", ikd_addr_str(&sa->remote,
							     true, rb));
	} else {
		log_error("phase 1 negotiation with %s timed out: deleting "
			  "the half-open ISAKMP-SA",
			  ikd_addr_str(&sa->remote, true, rb));
		sa->eng->stats.ike_failed++;
		sa->eng->stats.fail_timeout++;
	}
	ikev1_sa_destroy(sa);
}

static void arm_life(struct ikev1_sa *sa, uint64_t ms)
{
	struct ikd_timers *t = sa->eng->env.timers;

	t->cancel(t, sa->life_timer);
	sa->life_timer = t->add(t, ms, half_open_expired, sa);
}

struct ikev1_sa *ikev1_sa_new(struct ike_engine *e, bool initiator,
			      uint8_t mode, const struct ikd_addr *local,
			      const struct ikd_addr *remote,
			      const struct ike_peer_cfg *cfg)
{
	struct ikev1_sa *sa = calloc(1, sizeof(*sa));

	if (!sa)
		return NULL;
	sa->eng = e;
	sa->initiator = initiator;
	sa->mode = mode;
	sa->local = *local;
	sa->remote = *remote;
	sa->cfg = *cfg;
	if (!sa->cfg.retrans.counter)
		sa->cfg.retrans.counter = IKE_DEFAULT_COUNTER;
	if (!sa->cfg.retrans.interval_ms)
		sa->cfg.retrans.interval_ms = IKE_DEFAULT_INTERVAL_MS;
	if (ike_random(initiator ? sa->cky_i : sa->cky_r, IKEV1_COOKIE_LEN)) {
		free(sa);
		return NULL;
	}
	sa->next = e->v1_sas;
	e->v1_sas = sa;
	if (!initiator) {
		sa->half_open = true;
		e->v1_half_open++;
	}
	arm_life(sa, e->env.half_open_ms ? e->env.half_open_ms :
		 IKE_DEFAULT_HALF_OPEN_MS);
	return sa;
}

struct ikev1_sa *ikev1_sa_find(struct ike_engine *e, const uint8_t *cky_i,
			       const uint8_t *cky_r,
			       const struct ikd_addr *remote)
{
	bool r_zero = !memcmp(cky_r, zero_cky, IKEV1_COOKIE_LEN);

	for (struct ikev1_sa *sa = e->v1_sas; sa; sa = sa->next) {
		if (sa->state == V1_DEAD ||
		    memcmp(sa->cky_i, cky_i, IKEV1_COOKIE_LEN))
			continue;
		if (!memcmp(sa->cky_r, cky_r, IKEV1_COOKIE_LEN))
			return sa;
		/* Our first message is out without the responder's cookie;
		 * or the peer repeats its first message, which had none. */
		if (sa->initiator && !memcmp(sa->cky_r, zero_cky,
					     IKEV1_COOKIE_LEN))
			return sa;
		if (!sa->initiator && r_zero &&
		    ikd_addr_eq_noport(&sa->remote, remote))
			return sa;
	}
	return NULL;
}

bool ikev1_sa_admit(struct ike_engine *e, const struct ikd_addr *remote)
{
	uint32_t max = e->env.max_half_open ? e->env.max_half_open :
		       IKE_DEFAULT_MAX_HALF_OPEN;
	uint32_t per = e->env.dos.half_open_per_source ?
		       e->env.dos.half_open_per_source :
		       IKE_DEFAULT_HALF_OPEN_PER_SOURCE;
	unsigned int from = 0;
	char rb[IKD_ADDR_STRLEN];

	if (e->nhalf_open + e->v1_half_open >= max) {
		if (ike_ratelimit_ok(e, &e->dos.rl_global, "half-open limit"))
			log_notify("%u half-open SAs: phase 1 from %s dropped",
				   e->nhalf_open + e->v1_half_open,
				   ikd_addr_str(remote, true, rb));
		return false;
	}
	/* A walk over the list: IKEv1 responders are few; the IKEv2
	 * engine's hash by source (ike_dos.c) would serve if not. */
	for (struct ikev1_sa *sa = e->v1_sas; sa; sa = sa->next)
		from += sa->half_open && ikd_addr_eq_noport(&sa->remote, remote);
	if (from >= per) {
		if (ike_ratelimit_ok(e, &e->dos.rl_source, "per-source limit"))
			log_notify("%u half-open ISAKMP-SAs from %s: phase 1 "
				   "dropped", from, ikd_addr_str(remote, false,
								 rb));
		return false;
	}
	return true;
}

static void unlink_sa(struct ikev1_sa *sa)
{
	for (struct ikev1_sa **pp = &sa->eng->v1_sas; *pp; pp = &(*pp)->next)
		if (*pp == sa) {
			*pp = sa->next;
			return;
		}
}

void ikev1_sa_peer_deleted(struct ikev1_sa *sa)
{
	struct ikd_timers *t = sa->eng->env.timers;

	sa->state = V1_DELETED;
	ikev1_dpd_stop(sa);
	ikev1_qm_free_all(sa);
	t->cancel(t, sa->rtx_timer);
	sa->rtx_timer = NULL;
	arm_life(sa, IKEV1_DELETED_LINGER_MS);
}

void ikev1_sa_destroy(struct ikev1_sa *sa)
{
	struct ikd_timers *t = sa->eng->env.timers;

	if (sa->npending)
		/* The kernel asks again for traffic still without an SA. */
		log_info("%u ACQUIRE(s) for %s dropped with their phase 1",
			 sa->npending, ikd_addr_str(&sa->remote, true,
						    (char[IKD_ADDR_STRLEN]){ 0 }));
	sa->state = V1_DEAD;
	half_open_done(sa);
	unlink_sa(sa);
	t->cancel(t, sa->rtx_timer);
	t->cancel(t, sa->life_timer);
	ikev1_dpd_stop(sa);
	ikev1_natt_stop(sa);
	ikev1_qm_free_all(sa);
	ike_dh_free(sa->dh);
	free(sa->tx);
	free(sa->sai_b);
	ikev1_keys_wipe(&sa->k);
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
}

void ikev1_free_all(struct ike_engine *e)
{
	while (e->v1_sas)
		ikev1_sa_destroy(e->v1_sas);
	ikev1_children_free(e);
	ikev1_frag_free_all(e);
}

/* --- sending ------------------------------------------------------------ */

static void send_raw(struct ikev1_sa *sa)
{
	struct ike_engine *e = sa->eng;

	if (ikev1_frag_send(sa))
		return;
	e->stats.tx++;
	e->env.send(e->env.arg, &sa->local, &sa->remote, sa->tx, sa->tx_len);
}

static void retransmit(void *arg)
{
	struct ikev1_sa *sa = arg;
	struct ikd_timers *t = sa->eng->env.timers;
	char rb[IKD_ADDR_STRLEN], ci[IKEV1_CKY_STRLEN], cr[IKEV1_CKY_STRLEN];

	sa->rtx_timer = NULL;	/* fired: the loop has freed it */
	ikd_addr_str(&sa->remote, true, rb);
	if (sa->tries >= sa->cfg.retrans.counter) {
		log_error("phase 1 negotiation with %s failed due to time up "
			  "(%u retransmissions): deleting ISAKMP-SA %s:%s", rb,
			  sa->tries, ikev1_cky_str(sa->cky_i, ci),
			  ikev1_cky_str(sa->cky_r, cr));
		sa->eng->stats.ike_failed++;
		sa->eng->stats.fail_timeout++;
		ikev1_sa_destroy(sa);
		return;
	}
	sa->tries++;
	sa->eng->stats.retransmits++;
	log_info("retransmitting %s message (%u of %u) to %s",
		 isakmp_exchange_name(sa->mode), sa->tries,
		 sa->cfg.retrans.counter, rb);
	send_raw(sa);
	if (sa->wait_ms < UINT32_MAX / 2)
		sa->wait_ms *= 2;
	sa->rtx_timer = t->add(t, sa->wait_ms, retransmit, sa);
}

int ikev1_sa_send(struct ikev1_sa *sa, const uint8_t *buf, size_t len,
		  bool waits)
{
	struct ikd_timers *t = sa->eng->env.timers;
	uint8_t *copy = malloc(len);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, buf, len);
	free(sa->tx);
	sa->tx = copy;
	sa->tx_len = len;
	sa->frag_id++;
	sa->tx_waits = waits;
	sa->tx_answers = true;
	t->cancel(t, sa->rtx_timer);
	sa->rtx_timer = NULL;
	send_raw(sa);
	if (!waits)
		return 0;
	sa->tries = 0;
	sa->wait_ms = sa->cfg.retrans.interval_ms;
	sa->rtx_timer = t->add(t, sa->wait_ms, retransmit, sa);
	return sa->rtx_timer ? 0 : -ENOMEM;
}

bool ikev1_sa_repeated(struct ikev1_sa *sa, const uint8_t *buf, size_t len)
{
	uint8_t d[IKE_SHA1_LEN];
	char rb[IKD_ADDR_STRLEN];

	if (!sa->have_rx || ike_sha1(buf, len, d) ||
	    CRYPTO_memcmp(d, sa->rx_digest, sizeof(d)))
		return false;
	if (sa->tx && sa->tx_answers) {
		log_info("%s repeated its last message: answering again",
			 ikd_addr_str(&sa->remote, true, rb));
		sa->eng->stats.retransmits++;
		send_raw(sa);
	}
	return true;
}

void ikev1_sa_accepted(struct ikev1_sa *sa, const uint8_t *buf, size_t len)
{
	struct ikd_timers *t = sa->eng->env.timers;

	sa->have_rx = !ike_sha1(buf, len, sa->rx_digest);
	t->cancel(t, sa->rtx_timer);
	sa->rtx_timer = NULL;
	sa->tx_waits = false;
	sa->tx_answers = false;
}

void ikev1_sa_established(struct ikev1_sa *sa)
{
	struct ike_engine *e = sa->eng;
	char lb[IKD_ADDR_STRLEN], rb[IKD_ADDR_STRLEN], x[128];
	char ci[IKEV1_CKY_STRLEN], cr[IKEV1_CKY_STRLEN];

	sa->state = V1_ESTABLISHED;
	half_open_done(sa);
	sa->established_ms = e->env.timers->now(e->env.timers);
	e->stats.ike_established++;
	/* Only what made the keys goes; the keys stay for phase 2. */
	ike_dh_free(sa->dh);
	sa->dh = NULL;
	OPENSSL_cleanse(sa->gxy, sizeof(sa->gxy));
	ikev1_xform_str(&sa->ch, x, sizeof(x));
	log_notify("ISAKMP-SA established %s-%s spi:%s:%s (%s, %s)",
		   ikd_addr_str(&sa->local, true, lb),
		   ikd_addr_str(&sa->remote, true, rb),
		   ikev1_cky_str(sa->cky_i, ci), ikev1_cky_str(sa->cky_r, cr),
		   isakmp_exchange_name(sa->mode), x);
	arm_life(sa, (uint64_t)(sa->ch.life_secs ? sa->ch.life_secs :
				IKEV1_LIFETIME_DEFAULT) * 1000);
	ikev1_natt_established(sa);
	if (sa->initiator && sa->cfg.initial_contact &&
	    ikev1_info_initial_contact(sa))
		log_error("INITIAL-CONTACT to %s not sent", rb);
	ikev1_dpd_start(sa);
	ikev1_sa_run_pending(sa);
}

/* --- receiving ------------------------------------------------------------ */

static void dropped(struct ike_engine *e, const struct ikd_addr *remote,
		    const char *why)
{
	char rb[IKD_ADDR_STRLEN];

	e->stats.rx_dropped++;
	if (ike_ratelimit_ok(e, &e->dos.rl_drop, "dropped ISAKMP messages"))
		log_info("ISAKMP message from %s dropped: %s",
			 ikd_addr_str(remote, true, rb), why);
}

void ikev1_receive(struct ike_engine *e, const struct ikd_addr *local,
		   const struct ikd_addr *remote, const uint8_t *buf,
		   size_t len)
{
	struct isakmp_msg *m;
	struct ikev1_sa *sa;
	int err;

	e->stats.rx++;
	if (!ikev1_is_v1(buf, len)) {
		dropped(e, remote, "not ISAKMP");
		return;
	}
	m = malloc(sizeof(*m));
	if (!m)
		return;
	err = isakmp_msg_parse(m, buf, len);
	if (!err && m->np == ISAKMP_PL_FRAG) {
		ikev1_frag_receive(e, local, remote, m);
	} else if (err) {
		dropped(e, remote, m->err_text ? m->err_text : "malformed");
	} else if (m->exchange == ISAKMP_EXCH_INFO) {
		sa = ikev1_sa_find(e, m->cky_i, m->cky_r, remote);
		if (!sa || ikev1_info_receive(sa, m))
			dropped(e, remote, "Informational not for an "
				"established ISAKMP-SA, or not authentic");
	} else if (m->exchange == ISAKMP_EXCH_QUICK) {
		sa = ikev1_sa_find(e, m->cky_i, m->cky_r, remote);
		if (sa)
			ikev1_natt_rx(sa, local, remote);
		if (!sa || ikev1_qm_receive(sa, m))
			dropped(e, remote, "Quick Mode message not for an "
				"established ISAKMP-SA, or not authentic");
		else
			ikev1_natt_follow(sa);
	} else if ((m->exchange != ISAKMP_EXCH_IDPROT &&
		    m->exchange != ISAKMP_EXCH_AGGRESSIVE) || m->msgid) {
		dropped(e, remote, "exchange not handled yet");
	} else if (!(sa = ikev1_sa_find(e, m->cky_i, m->cky_r, remote))) {
		if (!memcmp(m->cky_r, (uint8_t[IKEV1_COOKIE_LEN]){ 0 },
			    IKEV1_COOKIE_LEN))
			ikev1_p1_respond(e, local, remote, m);
		else
			dropped(e, remote, "unknown cookies");
	} else if (sa->mode != m->exchange) {
		dropped(e, remote, "exchange type of another mode");
	} else if (!ikev1_sa_repeated(sa, buf, len)) {
		ikev1_natt_rx(sa, local, remote);
		err = ikev1_p1_dispatch(sa, m);
		if (err == -EAGAIN)
			dropped(e, remote,
				sa->state == V1_ESTABLISHED ?
				"phase 1 is over for this ISAKMP-SA" :
				sa->have_keys ? "does not decrypt or parse "
				"(wrong pre-shared key?)" : "payloads missing");
		else if (err)
			ikev1_sa_destroy(sa);
	}
	free(m);
}
