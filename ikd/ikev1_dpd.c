// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1 dead peer detection (RFC 3706), as racoon does it:
 *
 *   - with `dpd on` (the default) our phase 1 messages carry RFC 3706's
 *     vendor ID, and an R-U-THERE from the peer is answered with an
 *     R-U-THERE-ACK echoing its sequence number;
 *   - when the peer sent that vendor ID too and dpd_delay is not 0, an
 *     R-U-THERE goes every dpd_delay seconds once phase 1 is
 *     established. Unanswered for dpd_retry seconds it goes again, with
 *     the next sequence number; when dpd_maxfail of those went
 *     unanswered too, the peer is dead: the ISAKMP SA and every IPsec SA
 *     with it leave the kernel without a DELETE (nobody would read it),
 *     so that the next packet raises a fresh ACQUIRE.
 *
 * Both notifies are protected Informationals (ikev1_info.c checked HASH(1)
 * before we see them), with the ISAKMP SA's two cookies as the SPI and a
 * 4-byte sequence number as the data. Checks go every dpd_delay whatever
 * the traffic: racoon's do too, and an idle check costs one exchange.
 */
#include "ikev1_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

/* RFC 3706 10: the vendor ID. */
static const uint8_t vid_dpd[16] = {
	0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
	0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00,
};

#define DPD_SEQ_LEN	4

void ikev1_dpd_add_vid(const struct ikev1_sa *sa, struct isakmp_builder *b)
{
	if (sa->cfg.dpd)
		isakmp_build_data(b, ISAKMP_PL_VID, vid_dpd, sizeof(vid_dpd));
}

void ikev1_dpd_note_vid(struct ikev1_sa *sa, const struct isakmp_pl *v)
{
	if (v->body.len == sizeof(vid_dpd) &&
	    !memcmp(v->body.ptr, vid_dpd, sizeof(vid_dpd)))
		sa->peer_dpd = true;
}

/* "spi=0123456789abcdef:fedcba9876543210", as racoon names the SA */
static const char *spi_str(const struct ikev1_sa *sa, char *buf)
{
	char ci[IKEV1_CKY_STRLEN], cr[IKEV1_CKY_STRLEN];

	sprintf(buf, "%s:%s", ikev1_cky_str(sa->cky_i, ci),
		ikev1_cky_str(sa->cky_r, cr));
	return buf;
}
#define SPI_STRLEN	(2 * IKEV1_CKY_STRLEN)

static void arm(struct ikev1_sa *sa, uint32_t secs, ikd_timer_fn fn)
{
	struct ikd_timers *t = sa->eng->env.timers;

	t->cancel(t, sa->dpd.timer);
	sa->dpd.timer = t->add(t, (uint64_t)secs * 1000, fn, sa);
	if (!sa->dpd.timer)
		log_error("out of memory: DPD for %s stops", sa->cfg.name);
}

static void retry_fired(void *arg);

static uint32_t retry_secs(const struct ikev1_sa *sa)
{
	return sa->cfg.dpd_retry_secs ? sa->cfg.dpd_retry_secs :
	       IKE_DEFAULT_DPD_RETRY;
}

static void send_r_u_there(struct ikev1_sa *sa)
{
	uint8_t seq[DPD_SEQ_LEN];
	char rb[IKD_ADDR_STRLEN];

	sa->dpd.seq++;
	sa->dpd.waiting = true;
	seq[0] = (uint8_t)(sa->dpd.seq >> 24);
	seq[1] = (uint8_t)(sa->dpd.seq >> 16);
	seq[2] = (uint8_t)(sa->dpd.seq >> 8);
	seq[3] = (uint8_t)sa->dpd.seq;
	if (ikev1_info_notify_data(sa, ISAKMP_N_R_U_THERE, seq, sizeof(seq)))
		log_warn("DPD: R-U-THERE to %s not sent",
			 ikd_addr_str(&sa->remote, true, rb));
	else
		log_debug("DPD: R-U-THERE sent to %s (seq %" PRIu32 ")",
			 ikd_addr_str(&sa->remote, true, rb), sa->dpd.seq);
	arm(sa, retry_secs(sa), retry_fired);
}

static void delay_fired(void *arg)
{
	struct ikev1_sa *sa = arg;

	sa->dpd.timer = NULL;	/* fired: the loop has freed it */
	sa->dpd.fails = 0;
	send_r_u_there(sa);
}

/* The peer is dead: it and everything negotiated with it go. */
static void dead(struct ikev1_sa *sa)
{
	char rb[IKD_ADDR_STRLEN], spi[SPI_STRLEN];

	log_error("DPD: remote %s (ISAKMP-SA spi=%s) seems to be dead: "
		  "deleting its SAs", ikd_addr_str(&sa->remote, true, rb),
		  spi_str(sa, spi));
	ikev1_children_purge(sa->eng, &sa->remote);
	ikev1_sa_destroy(sa);
}

static void retry_fired(void *arg)
{
	struct ikev1_sa *sa = arg;

	sa->dpd.timer = NULL;
	if (sa->dpd.fails >= sa->cfg.dpd_maxfail) {
		dead(sa);
		return;
	}
	sa->dpd.fails++;
	send_r_u_there(sa);
}

void ikev1_dpd_start(struct ikev1_sa *sa)
{
	if (!sa->cfg.dpd || !sa->peer_dpd || !sa->cfg.dpd_delay_secs)
		return;
	/* A random start: a replayed ACK of an earlier SA's would not
	 * match (RFC 3706 7). The top bit clear leaves room to count. */
	if (ike_random(&sa->dpd.seq, sizeof(sa->dpd.seq))) {
		log_error("DPD: no random sequence number: DPD for %s off",
			  sa->cfg.name);
		return;
	}
	sa->dpd.seq &= 0x7fffffff;
	arm(sa, sa->cfg.dpd_delay_secs, delay_fired);
}

void ikev1_dpd_stop(struct ikev1_sa *sa)
{
	struct ikd_timers *t = sa->eng->env.timers;

	t->cancel(t, sa->dpd.timer);
	sa->dpd.timer = NULL;
	sa->dpd.waiting = false;
}

static uint32_t get_seq(const struct isakmp_notify *n)
{
	const uint8_t *p = n->data.ptr;

	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

void ikev1_dpd_notify(struct ikev1_sa *sa, const struct isakmp_notify *n)
{
	const char *what = n->type == ISAKMP_N_R_U_THERE ? "R-U-THERE" :
			   "R-U-THERE-ACK";
	char rb[IKD_ADDR_STRLEN];
	uint32_t seq;

	ikd_addr_str(&sa->remote, true, rb);
	if (n->spi.len != 2 * IKEV1_COOKIE_LEN ||
	    memcmp(n->spi.ptr, sa->cky_i, IKEV1_COOKIE_LEN) ||
	    memcmp(n->spi.ptr + IKEV1_COOKIE_LEN, sa->cky_r,
		   IKEV1_COOKIE_LEN)) {
		log_warn("DPD: %s from %s with wrong cookie(s): ignored",
			 what, rb);
		return;
	}
	if (n->data.len != DPD_SEQ_LEN) {
		log_warn("DPD: %s from %s has %zu bytes of data, not a "
			 "sequence number: ignored", what, rb, n->data.len);
		return;
	}
	seq = get_seq(n);
	if (n->type == ISAKMP_N_R_U_THERE) {
		if (!sa->cfg.dpd) {
			log_debug("DPD: R-U-THERE from %s: dpd is off, not "
				 "answered", rb);
			return;
		}
		if (ikev1_info_notify_data(sa, ISAKMP_N_R_U_THERE_ACK,
					   n->data.ptr, DPD_SEQ_LEN))
			log_warn("DPD: R-U-THERE-ACK to %s not sent", rb);
		else
			log_debug("DPD: R-U-THERE from %s (seq %" PRIu32
				 ") answered", rb, seq);
		return;
	}
	if (!sa->dpd.waiting || seq != sa->dpd.seq) {
		log_warn("DPD: R-U-THERE-ACK from %s with sequence number %"
			 PRIu32 ", expected %" PRIu32 ": ignored", rb, seq,
			 sa->dpd.seq);
		return;
	}
	log_debug("DPD: R-U-THERE-ACK from %s (seq %" PRIu32 ")", rb, seq);
	sa->dpd.waiting = false;
	sa->dpd.fails = 0;
	arm(sa, sa->cfg.dpd_delay_secs, delay_fired);
}
