// SPDX-License-Identifier: BSD-2-Clause
/*
 * Quick Mode's retransmissions, as phase 1's (ikev1_sa.c) but per M-ID:
 * the initiator's first message and the responder's answer wait for the
 * next one and are retransmitted with the peer's `timer` settings; the
 * initiator's HASH(3) is only sent again when the responder repeats its
 * answer, so a finished initiator exchange lingers as long as the
 * responder may still retransmit, then goes.
 */
#include "ikev1_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "log.h"

static void send_tx(struct ikev1_qm_x *q)
{
	struct ike_engine *e = q->sa->eng;

	e->stats.tx++;
	e->env.send(e->env.arg, &q->sa->local, &q->sa->remote, q->tx,
		    q->tx_len);
}

static void retransmit(void *arg)
{
	struct ikev1_qm_x *q = arg;
	struct ikev1_sa *sa = q->sa;
	struct ikd_timers *t = sa->eng->env.timers;
	char rb[IKD_ADDR_STRLEN];

	q->timer = NULL;	/* fired: the loop has freed it */
	ikd_addr_str(&sa->remote, true, rb);
	if (q->tries >= sa->cfg.retrans.counter) {
		log_error("Quick Mode with %s (M-ID 0x%08x) failed due to "
			  "time up (%u retransmissions)", rb, q->msgid,
			  q->tries);
		sa->eng->stats.child_failed++;
		sa->eng->stats.fail_timeout++;
		ikev1_qm_free(sa, q);
		return;
	}
	q->tries++;
	sa->eng->stats.retransmits++;
	log_info("retransmitting Quick Mode message (%u of %u) to %s",
		 q->tries, sa->cfg.retrans.counter, rb);
	send_tx(q);
	if (q->wait_ms < UINT32_MAX / 2)
		q->wait_ms *= 2;
	q->timer = t->add(t, q->wait_ms, retransmit, q);
}

static void linger_over(void *arg)
{
	struct ikev1_qm_x *q = arg;

	q->timer = NULL;
	ikev1_qm_free(q->sa, q);
}

int ikev1_qm_tx(struct ikev1_qm_x *q, const uint8_t *msg, size_t len,
		bool waits)
{
	struct ikd_timers *t = q->sa->eng->env.timers;
	uint8_t *copy = malloc(len);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, msg, len);
	free(q->tx);
	q->tx = copy;
	q->tx_len = len;
	q->tx_answers = true;
	t->cancel(t, q->timer);
	q->timer = NULL;
	send_tx(q);
	if (!waits)
		return 0;
	q->tries = 0;
	q->wait_ms = q->sa->cfg.retrans.interval_ms;
	q->timer = t->add(t, q->wait_ms, retransmit, q);
	return q->timer ? 0 : -ENOMEM;
}

bool ikev1_qm_repeated(struct ikev1_qm_x *q, const uint8_t *msg, size_t len)
{
	uint8_t d[IKE_SHA1_LEN];

	if (!q->have_rx || ike_sha1(msg, len, d) ||
	    CRYPTO_memcmp(d, q->rx_digest, sizeof(d)))
		return false;
	if (q->tx && q->tx_answers) {
		q->sa->eng->stats.retransmits++;
		send_tx(q);
	}
	return true;
}

void ikev1_qm_accepted(struct ikev1_qm_x *q, const uint8_t *msg, size_t len)
{
	struct ikd_timers *t = q->sa->eng->env.timers;

	q->have_rx = !ike_sha1(msg, len, q->rx_digest);
	t->cancel(t, q->timer);
	q->timer = NULL;
	q->tx_answers = false;
}

void ikev1_qm_linger(struct ikev1_qm_x *q)
{
	struct ikd_timers *t = q->sa->eng->env.timers;
	uint64_t ms = q->sa->cfg.retrans.interval_ms;

	/* The peer's retransmissions span interval * (2^(counter+1) - 1). */
	for (unsigned int i = 0; i < q->sa->cfg.retrans.counter && i < 16; i++)
		ms *= 2;
	t->cancel(t, q->timer);
	q->timer = t->add(t, 2 * ms, linger_over, q);
	if (!q->timer)
		ikev1_qm_free(q->sa, q);
}

void ikev1_qm_tx_free(struct ikev1_qm_x *q)
{
	struct ikd_timers *t = q->sa->eng->env.timers;

	t->cancel(t, q->timer);
	q->timer = NULL;
	free(q->tx);
	q->tx = NULL;
}
