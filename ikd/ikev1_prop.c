// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1 phase 1 proposals (RFC 2409 5, Appendix A; RFC 2408 4.2): the
 * initiator offers one ISAKMP proposal with a transform per configured
 * `proposal` block; the responder answers with the one transform it took.
 *
 * The responder walks the offer in the initiator's order and takes the
 * first transform that equals one of its own proposals in cipher, key
 * length, hash, authentication method and group; the lifetime is then
 * judged by proposal_check as racoon.conf(5) describes it: obey takes
 * the initiator's; strict takes it when it is not longer than ours;
 * claim takes the shorter of the two (as racoon, no RESPONDER-LIFETIME
 * in phase 1: the answer's transform carries it); exact wants them
 * equal. A refusal names both lifetimes in racoon's words.
 */
#include "ikev1_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

#define OFFER_MAX	16	/* transforms quoted in a log line */

/* --- building ---------------------------------------------------------- */

static void build_xform(struct isakmp_builder *b, uint8_t num,
			const struct ikev1_xform *x)
{
	isakmp_build_xform(b, num, ISAKMP_KEY_IKE);
	isakmp_build_attr_tv(b, OAKLEY_ATTR_ENC_ALG, x->encr);
	if (x->keybits)
		isakmp_build_attr_tv(b, OAKLEY_ATTR_KEY_LEN, x->keybits);
	isakmp_build_attr_tv(b, OAKLEY_ATTR_HASH_ALG, x->hash);
	isakmp_build_attr_tv(b, OAKLEY_ATTR_AUTH_METHOD, x->auth);
	isakmp_build_attr_tv(b, OAKLEY_ATTR_GROUP_DESC, x->dh);
	isakmp_build_attr_tv(b, OAKLEY_ATTR_LIFE_TYPE, OAKLEY_LIFE_SECONDS);
	isakmp_build_attr_num(b, OAKLEY_ATTR_LIFE_DURATION, x->life_secs);
}

static void xform_of_cfg(const struct ike_v1_prop_cfg *p,
			 struct ikev1_xform *x)
{
	memset(x, 0, sizeof(*x));
	x->encr = p->encr;
	x->keybits = p->keybits;
	x->hash = p->hash;
	x->auth = p->auth;
	x->dh = p->dh;
	x->life_secs = p->lifetime_secs ? p->lifetime_secs :
		       IKEV1_LIFETIME_DEFAULT;
}

void ikev1_prop_build(const struct ike_peer_cfg *cfg, uint16_t dh,
		      struct isakmp_builder *b)
{
	struct ikev1_xform x;
	uint8_t num = 0;

	isakmp_build_sa_begin(b, ISAKMP_DOI_IPSEC, IPSEC_SIT_IDENTITY_ONLY);
	isakmp_build_prop(b, 1, ISAKMP_PROTO_ISAKMP, NULL, 0);
	for (unsigned int i = 0; i < cfg->v1.nprop; i++) {
		if (dh && cfg->v1.prop[i].dh != dh)
			continue;
		xform_of_cfg(&cfg->v1.prop[i], &x);
		build_xform(b, ++num, &x);
	}
	isakmp_build_sa_end(b);
}

void ikev1_prop_build_reply(const struct ikev1_xform *x,
			    struct isakmp_builder *b)
{
	isakmp_build_sa_begin(b, ISAKMP_DOI_IPSEC, IPSEC_SIT_IDENTITY_ONLY);
	isakmp_build_prop(b, 1, ISAKMP_PROTO_ISAKMP, NULL, 0);
	build_xform(b, x->num, x);
	isakmp_build_sa_end(b);
}

/* --- parsing ------------------------------------------------------------ */

/* A transform's attributes; false for one we cannot take (an attribute
 * we do not know, a group given by its parameters, a lifetime in
 * kilobytes only is ignored: the kernel does not count ISAKMP bytes). */
static bool parse_xform(const struct isakmp_xform *t, struct ikev1_xform *x)
{
	struct isakmp_iter it;
	struct isakmp_attr a;
	uint64_t v;
	uint16_t life_type = 0;

	memset(x, 0, sizeof(*x));
	x->num = t->num;
	if (t->id != ISAKMP_KEY_IKE)
		return false;
	isakmp_attr_iter(&it, t);
	while (isakmp_attr_next(&it, &a)) {
		if (!isakmp_attr_num(&a, &v))
			return false;
		switch (a.type) {
		case OAKLEY_ATTR_ENC_ALG:	x->encr = (uint16_t)v; break;
		case OAKLEY_ATTR_KEY_LEN:	x->keybits = (uint16_t)v; break;
		case OAKLEY_ATTR_HASH_ALG:	x->hash = (uint16_t)v; break;
		case OAKLEY_ATTR_AUTH_METHOD:	x->auth = (uint16_t)v; break;
		case OAKLEY_ATTR_GROUP_DESC:	x->dh = (uint16_t)v; break;
		case OAKLEY_ATTR_LIFE_TYPE:	life_type = (uint16_t)v; break;
		case OAKLEY_ATTR_LIFE_DURATION:
			if (life_type == OAKLEY_LIFE_SECONDS)
				x->life_secs = v > UINT32_MAX ? UINT32_MAX :
					       (uint32_t)v;
			break;
		default:
			return false;
		}
	}
	if (it.why.notify || !x->encr || !x->hash || !x->auth || !x->dh)
		return false;
	if (!x->life_secs)
		x->life_secs = IKEV1_LIFETIME_DEFAULT;
	return true;
}

/* The key length a cipher really uses: 0 stands for its only size. */
static uint16_t keybits_of(uint16_t encr, uint16_t keybits)
{
	const struct ike_encr_info *ei = ikev1_encr_info(encr, keybits);

	return ei ? ei->keybits : keybits;
}

static bool same_algs(const struct ikev1_xform *a, const struct ikev1_xform *b)
{
	return a->encr == b->encr && a->hash == b->hash && a->auth == b->auth &&
	       a->dh == b->dh &&
	       keybits_of(a->encr, a->keybits) == keybits_of(b->encr, b->keybits);
}

/* proposal_check on the lifetime: the one to use, or 0 to refuse. */
static uint32_t check_life(uint8_t check, uint32_t theirs, uint32_t ours)
{
	switch (check) {
	case IKE_V1_CHECK_OBEY:
		return theirs;
	case IKE_V1_CHECK_CLAIM:
		return theirs < ours ? theirs : ours;
	case IKE_V1_CHECK_EXACT:
		return theirs == ours ? theirs : 0;
	default:	/* strict */
		return theirs <= ours ? theirs : 0;
	}
}

const char *ikev1_check_name(uint8_t c)
{
	static const char *const n[] = { "obey", "strict", "claim", "exact" };

	return c < 4 ? n[c] : "strict";
}

/* The first lifetime proposal_check refused, for the log. */
struct life_refusal {
	uint32_t theirs, ours;		/* theirs 0: none refused */
};

/* Whether our proposal @p takes offered transform @x (lifetime set). */
static bool takes(const struct ike_peer_cfg *cfg,
		  const struct ike_v1_prop_cfg *p, struct ikev1_xform *x,
		  struct life_refusal *r)
{
	struct ikev1_xform ours;
	uint32_t life;

	xform_of_cfg(p, &ours);
	/* rsasig only with a certificate to sign with (config.c leaves it
	 * out when the remote's proposals mix methods). */
	if ((ours.auth != OAKLEY_AUTH_PSK &&
	     (ours.auth != OAKLEY_AUTH_RSA_SIG || !cfg->cert.cert[0])) ||
	    !same_algs(&ours, x))
		return false;
	life = check_life(cfg->v1.check, x->life_secs, ours.life_secs);
	if (!life) {
		if (!r->theirs)
			*r = (struct life_refusal){ x->life_secs,
						    ours.life_secs };
		return false;
	}
	x->life_secs = life;
	return true;
}

/* racoon's words: strict refuses a "long lifetime proposed", exact a
 * "lifetime mismatched". */
static void log_life_refusal(const struct ike_peer_cfg *cfg,
			     const struct ikd_addr *remote,
			     const struct life_refusal *r)
{
	char rb[IKD_ADDR_STRLEN];

	log_error("phase 1 with %s: %s: initiator %u s, ours %u s "
		  "(proposal_check %s)", ikd_addr_str(remote, true, rb),
		  cfg->v1.check == IKE_V1_CHECK_EXACT ?
		  "lifetime mismatched" : "long lifetime proposed",
		  r->theirs, r->ours, ikev1_check_name(cfg->v1.check));
}

/* claim with a longer offer: our lifetime goes into the answer (phase 1
 * has no RESPONDER-LIFETIME in racoon either). */
static void log_claim(const struct ike_peer_cfg *cfg,
		      const struct ikd_addr *remote, uint32_t offered,
		      const struct ikev1_xform *x)
{
	char rb[IKD_ADDR_STRLEN];

	if (x->life_secs >= offered)
		return;
	log_notify("phase 1 with %s: use own lifetime: initiator %u s, ours "
		   "%u s (proposal_check %s)", ikd_addr_str(remote, true, rb),
		   offered, x->life_secs, ikev1_check_name(cfg->v1.check));
}

static void log_no_proposal(const struct ike_peer_cfg *cfg,
			    const struct ikd_addr *remote,
			    const struct ikev1_xform *offer, unsigned int n)
{
	char theirs[OFFER_MAX * 64] = "", ours[IKE_CFG_MAX_PROPOSALS * 64] = "";
	char one[96], rb[IKD_ADDR_STRLEN];
	struct ikev1_xform x;
	size_t off = 0;

	for (unsigned int i = 0; i < n && i < OFFER_MAX; i++) {
		ikev1_xform_str(&offer[i], one, sizeof(one));
		off += (size_t)snprintf(theirs + off, sizeof(theirs) - off,
					"%s%s", i ? ", " : "", one);
		if (off >= sizeof(theirs))
			break;
	}
	off = 0;
	for (unsigned int i = 0; i < cfg->v1.nprop; i++) {
		xform_of_cfg(&cfg->v1.prop[i], &x);
		ikev1_xform_str(&x, one, sizeof(one));
		off += (size_t)snprintf(ours + off, sizeof(ours) - off,
					"%s%s", i ? ", " : "", one);
		if (off >= sizeof(ours))
			break;
	}
	log_error("no proposal chosen for %s: peer offered [%s], we accept "
		  "[%s] (proposal_check %s)", ikd_addr_str(remote, true, rb),
		  n ? theirs : "nothing usable", ours,
		  ikev1_check_name(cfg->v1.check));
}

int ikev1_prop_choose(const struct ike_peer_cfg *cfg,
		      const struct isakmp_pl *pl, const struct ikd_addr *remote,
		      struct ikev1_xform *out)
{
	struct ikev1_xform offer[OFFER_MAX];
	struct isakmp_iter pit, xit;
	struct isakmp_prop p;
	struct isakmp_xform t;
	struct isakmp_sa sa;
	struct life_refusal r = { 0, 0 };
	unsigned int n = 0;

	if (isakmp_dec_sa(pl, &sa, NULL))
		return -EBADMSG;
	isakmp_prop_iter(&pit, &sa);
	while (isakmp_prop_next(&pit, &p)) {
		if (p.proto != ISAKMP_PROTO_ISAKMP)
			return -EBADMSG;
		isakmp_xform_iter(&xit, &p);
		while (isakmp_xform_next(&xit, &t)) {
			struct ikev1_xform x;

			if (!parse_xform(&t, &x))
				continue;
			uint32_t offered = x.life_secs;

			for (unsigned int i = 0; i < cfg->v1.nprop; i++)
				if (takes(cfg, &cfg->v1.prop[i], &x, &r)) {
					log_claim(cfg, remote, offered, &x);
					*out = x;
					return 0;
				}
			if (n < OFFER_MAX)
				offer[n++] = x;
		}
	}
	if (r.theirs)
		log_life_refusal(cfg, remote, &r);
	log_no_proposal(cfg, remote, offer, n);
	return -ENOENT;
}

int ikev1_prop_check(const struct ike_peer_cfg *cfg,
		     const struct isakmp_pl *pl, struct ikev1_xform *out)
{
	struct isakmp_iter pit, xit;
	struct isakmp_prop p;
	struct isakmp_xform t;
	struct isakmp_sa sa;
	struct ikev1_xform ours;

	if (isakmp_dec_sa(pl, &sa, NULL))
		return -EBADMSG;
	isakmp_prop_iter(&pit, &sa);
	if (!isakmp_prop_next(&pit, &p) || p.proto != ISAKMP_PROTO_ISAKMP ||
	    p.nxf != 1)
		return -EBADMSG;
	isakmp_xform_iter(&xit, &p);
	if (!isakmp_xform_next(&xit, &t) || !parse_xform(&t, out))
		return -EBADMSG;
	for (unsigned int i = 0; i < cfg->v1.nprop; i++) {
		xform_of_cfg(&cfg->v1.prop[i], &ours);
		/* A responder may shorten the lifetime (claim), never
		 * lengthen it. */
		if (same_algs(&ours, out) && out->life_secs <= ours.life_secs)
			return 0;
	}
	return -ENOENT;
}

void ikev1_xform_str(const struct ikev1_xform *x, char *buf, size_t len)
{
	const struct ike_encr_info *ei = ikev1_encr_info(x->encr, x->keybits);
	const struct ike_prf_info *pi = ikev1_hash_prf(x->hash);
	const struct ike_dh_info *di = ike_dh_info(x->dh);
	char e[32], h[32], g[32];

	if (ei)
		snprintf(e, sizeof(e), "%s", ei->name);
	else
		snprintf(e, sizeof(e), "enc%u/%u", x->encr, x->keybits);
	if (pi)
		snprintf(h, sizeof(h), "%s", pi->name + (strncmp(pi->name,
			 "prf-", 4) ? 0 : 4));
	else
		snprintf(h, sizeof(h), "hash%u", x->hash);
	if (di)
		snprintf(g, sizeof(g), "%s", di->name);
	else
		snprintf(g, sizeof(g), "group%u", x->dh);
	snprintf(buf, len, "%s/%s/%s/%s/%us", e, h,
		 x->auth == OAKLEY_AUTH_PSK ? "psk" :
		 x->auth == OAKLEY_AUTH_RSA_SIG ? "rsasig" : "auth?", g,
		 x->life_secs);
}
