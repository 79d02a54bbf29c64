// SPDX-License-Identifier: BSD-2-Clause
/*
 * proposal_check on Quick Mode (racoon.conf(5)): what the responder does
 * with the initiator's lifetime and PFS group once the algorithms match,
 * and the RESPONDER-LIFETIME notify (RFC 2407 4.6.3.1) that says so when
 * it uses a shorter lifetime than offered.
 *
 *   obey    the initiator's lifetime and group (any group we compute);
 *   strict  a lifetime not longer than ours, taken; a longer one refused
 *           ("long lifetime proposed"); with our pfs_group, the same group
 *           (none or another refused), without, the initiator's;
 *   claim   the shorter lifetime; when it is ours, RESPONDER-LIFETIME goes
 *           with the answer; the group as strict;
 *   exact   the same lifetime and the same group (both none included).
 *
 * An offer without a lifetime stands for 28800 s (RFC 2407 4.5), and so
 * does a sainfo without one, as racoon's default.
 */
#include "ikev1_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

uint32_t ikev1_qm_our_life(const struct ikev1_qm_x *q)
{
	uint64_t h = q->cfg.hard_secs;

	if (!h)
		return IKEV1_LIFETIME_DEFAULT;
	return h > UINT32_MAX ? UINT32_MAX : (uint32_t)h;
}

static void group_str(uint16_t g, char *buf, size_t len)
{
	const struct ike_dh_info *di = g ? ike_dh_info(g) : NULL;

	if (!g)
		snprintf(buf, len, "none");
	else if (di)
		snprintf(buf, len, "%s", di->name);
	else
		snprintf(buf, len, "group%u", g);
}

/* Whether the responder's sainfo takes @pfs (0: none). */
static bool group_passes(uint8_t check, uint16_t ours, uint16_t pfs)
{
	if (pfs && !ike_dh_info(pfs))
		return false;		/* one we cannot compute */
	switch (check) {
	case IKE_V1_CHECK_OBEY:
		return true;
	case IKE_V1_CHECK_EXACT:
		return pfs == ours;
	default:		/* strict, claim */
		return !ours || pfs == ours;
	}
}

int ikev1_qm_judge(const struct ikev1_qm_x *q, uint8_t check, uint32_t life,
		   uint16_t pfs, struct ikev1_qm_verdict *v)
{
	uint32_t ours = ikev1_qm_our_life(q);

	memset(v, 0, sizeof(*v));
	v->check = check;
	v->theirs_life = life ? life : IKEV1_LIFETIME_DEFAULT;
	v->ours_life = ours;
	v->theirs_grp = pfs;
	v->ours_grp = q->cfg.pfs_group;
	v->life = v->theirs_life;
	if (check == IKE_V1_CHECK_STRICT && v->theirs_life > ours)
		v->why = IKEV1_QM_LONG_LIFE;
	else if (check == IKE_V1_CHECK_EXACT && v->theirs_life != ours)
		v->why = IKEV1_QM_LIFE_MISMATCH;
	else if (!group_passes(check, v->ours_grp, pfs))
		v->why = IKEV1_QM_PFS_MISMATCH;
	if (v->why)
		return -ENOENT;
	if (check == IKE_V1_CHECK_CLAIM && v->theirs_life > ours) {
		v->life = ours;
		v->claimed = true;
	}
	return 0;
}

void ikev1_qm_log_verdict(const struct ikev1_qm_x *q,
			  const struct ikev1_qm_verdict *v)
{
	static const char *const what[] = {
		[IKEV1_QM_LONG_LIFE] = "long lifetime proposed",
		[IKEV1_QM_LIFE_MISMATCH] = "lifetime mismatched",
	};
	char rb[IKD_ADDR_STRLEN], tg[32], og[32];

	ikd_addr_str(&q->sa->remote, true, rb);
	if (v->why == IKEV1_QM_PFS_MISMATCH) {
		group_str(v->theirs_grp, tg, sizeof(tg));
		group_str(v->ours_grp, og, sizeof(og));
		log_error("Quick Mode with %s: pfs group mismatched: initiator "
			  "%s, ours %s (proposal_check %s)", rb, tg, og,
			  ikev1_check_name(v->check));
	} else if (v->why) {
		log_error("Quick Mode with %s: %s: initiator %u s, ours %u s "
			  "(proposal_check %s)", rb, what[v->why],
			  v->theirs_life, v->ours_life,
			  ikev1_check_name(v->check));
	} else if (v->claimed) {
		log_notify("Quick Mode with %s: use own lifetime: initiator "
			   "%u s, ours %u s (proposal_check claim), "
			   "RESPONDER-LIFETIME sent", rb, v->theirs_life,
			   v->ours_life);
	}
}

/* --- RESPONDER-LIFETIME ------------------------------------------------- */

/* The notify's data: SA Life Type seconds, SA Life Duration (TV when it
 * fits in 16 bits, else a 4-byte TLV). */
static size_t life_attrs(uint32_t secs, uint8_t *p)
{
	size_t n = 0;

	p[n++] = 0x80 | IPSEC_ATTR_SA_LIFE_TYPE >> 8;
	p[n++] = IPSEC_ATTR_SA_LIFE_TYPE & 0xff;
	p[n++] = 0;
	p[n++] = IPSEC_LIFE_SECONDS;
	if (secs <= UINT16_MAX) {
		p[n++] = 0x80 | IPSEC_ATTR_SA_LIFE_DURATION >> 8;
		p[n++] = IPSEC_ATTR_SA_LIFE_DURATION & 0xff;
		p[n++] = (uint8_t)(secs >> 8);
		p[n++] = (uint8_t)secs;
		return n;
	}
	p[n++] = IPSEC_ATTR_SA_LIFE_DURATION >> 8;
	p[n++] = IPSEC_ATTR_SA_LIFE_DURATION & 0xff;
	p[n++] = 0;
	p[n++] = 4;
	for (int s = 24; s >= 0; s -= 8)
		p[n++] = (uint8_t)(secs >> s);
	return n;
}

void ikev1_qm_build_claim(const struct ikev1_qm_x *q,
			  struct isakmp_builder *b)
{
	uint8_t data[12];
	size_t n;

	if (q->initiator || !q->claimed)
		return;
	/* The SPI is ours, the one the peer sends to (as racoon). */
	n = life_attrs(q->life_secs, data);
	isakmp_build_notify(b, ISAKMP_DOI_IPSEC,
			    ikev1_qm_isakmp_proto(q->proto),
			    (const uint8_t *)&q->spi_in, IKEV1_SPI_LEN,
			    IPSEC_N_RESPONDER_LIFETIME, data, n);
}

/* The lifetime in seconds a RESPONDER-LIFETIME gives, or 0. */
static uint32_t claimed_secs(const struct isakmp_notify *n)
{
	struct isakmp_xform t = { .attrs = n->data };
	struct isakmp_iter it;
	struct isakmp_attr a;
	uint64_t v, type = IPSEC_LIFE_SECONDS, secs = 0;

	isakmp_attr_iter(&it, &t);
	while (isakmp_attr_next(&it, &a)) {
		if (!isakmp_attr_num(&a, &v))
			return 0;
		if (a.type == IPSEC_ATTR_SA_LIFE_TYPE)
			type = v;
		else if (a.type == IPSEC_ATTR_SA_LIFE_DURATION &&
			 type == IPSEC_LIFE_SECONDS)
			secs = v;
	}
	if (it.why.notify)
		return 0;
	return secs > UINT32_MAX ? UINT32_MAX : (uint32_t)secs;
}

/*
 * Initiator: a RESPONDER-LIFETIME in the answer for our protocol is
 * obeyed when it shortens the lifetime, as racoon's initiator does; a
 * longer one is not (a responder may not lengthen what we offered).
 */
void ikev1_qm_obey_claim(struct ikev1_qm_x *q, const struct isakmp_msg *m)
{
	const struct isakmp_pl *pl = NULL;
	struct isakmp_notify n;
	char rb[IKD_ADDR_STRLEN];
	uint32_t secs;

	while ((pl = isakmp_msg_find(m, ISAKMP_PL_N, pl))) {
		if (isakmp_dec_notify(pl, &n, NULL) ||
		    n.type != IPSEC_N_RESPONDER_LIFETIME ||
		    n.proto != ikev1_qm_isakmp_proto(q->proto))
			continue;
		secs = claimed_secs(&n);
		ikd_addr_str(&q->sa->remote, true, rb);
		if (!secs || secs >= q->life_secs) {
			log_info("Quick Mode with %s: RESPONDER-LIFETIME %u s "
				 "ignored, ours %u s", rb, secs, q->life_secs);
			continue;
		}
		log_notify("Quick Mode with %s: RESPONDER-LIFETIME %u s, "
			   "ours %u s: the responder's is used", rb, secs,
			   q->life_secs);
		q->life_secs = secs;
	}
}
