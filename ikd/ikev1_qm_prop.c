// SPDX-License-Identifier: BSD-2-Clause
/*
 * Quick Mode proposals (RFC 2407 4.4.1, 4.5): the initiator's SA
 * payload, one proposal of the ACQUIRE's protocol (ESP or AH) with a
 * transform per cipher and authentication algorithm of the sainfo, and
 * either side's choice in an SA payload it received. ESP transform ids
 * are IKEv2's ENCR ids; the authentication algorithm attribute is mapped
 * to and from IKEv2's integrity ids, which the kernel seam takes. An AH
 * transform id names the same algorithm as its authentication attribute
 * (AH_SHA with HMAC-SHA1, ...); both must agree. With PFS, every
 * transform carries the group (GROUP_DESC).
 *
 * The responder takes the first of its own sainfo's algorithms (in the
 * sainfo's order) that the initiator offered with a lifetime and group
 * proposal_check passes (ikev1_qm_check.c); the initiator takes the
 * answer's transform if it is one it offered.
 *
 * IPcomp (ikev1_qm_comp.c) goes as an IPCOMP proposal under the ESP
 * (AH) proposal's number. When the policy's IPcomp is at level "use",
 * the initiator offers the ESP transforms again alone under the next
 * number, so that a peer without compression can take ESP alone (RFC
 * 2408 4.2: a proposal number is taken whole or not at all). A
 * responder with compression_algorithm takes an algorithm with IPcomp
 * where it is offered, else without; one without takes none with
 * IPcomp. A number bundling ESP with AH is not taken.
 */
#include "ikev1_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/ipsec.h>

#include "log.h"

#define QM_MAX_OFFERS	64	/* transforms of the peer's we look at */

static uint16_t auth_to_ipsec(uint16_t integ)
{
	switch (integ) {
	case IKE_AUTH_HMAC_MD5_96:		return IPSEC_AUTH_HMAC_MD5;
	case IKE_AUTH_HMAC_SHA1_96:		return IPSEC_AUTH_HMAC_SHA1;
	case IKE_AUTH_HMAC_SHA2_256_128:	return IPSEC_AUTH_HMAC_SHA2_256;
	case IKE_AUTH_HMAC_SHA2_384_192:	return IPSEC_AUTH_HMAC_SHA2_384;
	case IKE_AUTH_HMAC_SHA2_512_256:	return IPSEC_AUTH_HMAC_SHA2_512;
	default:				return 0;
	}
}

static uint16_t auth_from_ipsec(uint16_t a)
{
	for (uint16_t i = 1; i < 16; i++)
		if (auth_to_ipsec(i) == a && a)
			return i;
	return 0;
}

static uint8_t ah_id(uint16_t integ)
{
	switch (integ) {
	case IKE_AUTH_HMAC_MD5_96:		return IPSEC_AH_MD5;
	case IKE_AUTH_HMAC_SHA1_96:		return IPSEC_AH_SHA;
	case IKE_AUTH_HMAC_SHA2_256_128:	return IPSEC_AH_SHA2_256;
	case IKE_AUTH_HMAC_SHA2_384_192:	return IPSEC_AH_SHA2_384;
	case IKE_AUTH_HMAC_SHA2_512_256:	return IPSEC_AH_SHA2_512;
	default:				return 0;
	}
}

static uint16_t integ_of_ah(uint8_t id)
{
	for (uint16_t i = 1; i < 16; i++)
		if (ah_id(i) == id && id)
			return i;
	return 0;
}

uint8_t ikev1_qm_isakmp_proto(uint8_t ipproto)
{
	return ipproto == IPPROTO_AH ? ISAKMP_PROTO_AH : ISAKMP_PROTO_ESP;
}

static uint8_t cfg_proto(uint8_t ipproto)
{
	return ipproto == IPPROTO_AH ? IKE_PROTO_AH : IKE_PROTO_ESP;
}

/* --- building ----------------------------------------------------------- */

static void build_one(const struct ikev1_qm_x *q, struct isakmp_builder *b,
		      uint8_t num, uint16_t e, uint16_t kb, uint16_t a)
{
	uint16_t encap = ikev1_natt_encap_attr(q->sa, q->mode);

	isakmp_build_xform(b, num, q->proto == IPPROTO_AH ? ah_id(a) :
			   (uint8_t)e);
	isakmp_build_attr_tv(b, IPSEC_ATTR_SA_LIFE_TYPE, IPSEC_LIFE_SECONDS);
	isakmp_build_attr_num(b, IPSEC_ATTR_SA_LIFE_DURATION, q->life_secs);
	if (q->dh_group)
		isakmp_build_attr_tv(b, IPSEC_ATTR_GROUP_DESC, q->dh_group);
	isakmp_build_attr_tv(b, IPSEC_ATTR_ENCAP_MODE, encap);
	isakmp_build_attr_tv(b, IPSEC_ATTR_AUTH_ALG, auth_to_ipsec(a));
	if (kb)
		isakmp_build_attr_tv(b, IPSEC_ATTR_KEY_LEN, kb);
}

/* The initiator's transforms: every cipher and authentication pair of
 * the sainfo's proposals of q->proto (ESP without authentication, AEAD,
 * is IKEv2's only). */
static void build_offer(const struct ikev1_qm_x *q, struct isakmp_builder *b)
{
	uint8_t num = 0;

	for (unsigned int p = 0; p < q->cfg.nprop; p++) {
		const struct ike_child_prop_cfg *pc = &q->cfg.prop[p];
		bool ah = pc->proto == IKE_PROTO_AH;
		unsigned int nencr = ah ? 1 : pc->nencr;

		if (pc->proto != cfg_proto(q->proto) || !pc->ninteg)
			continue;
		for (unsigned int i = 0; i < nencr; i++)
			for (unsigned int j = 0; j < pc->ninteg; j++) {
				uint16_t a = pc->integ[j];

				if (!auth_to_ipsec(a) || num == UINT8_MAX)
					continue;
				build_one(q, b, ++num, ah ? 0 : pc->encr[i].id,
					  ah ? 0 : pc->encr[i].keybits, a);
			}
	}
}

/* The initiator's IPcomp at level "use": ESP alone will do too. */
static bool comp_optional(const struct ikev1_qm_x *q)
{
	return q->comp_level == IPSEC_LEVEL_USE ||
	       q->comp_level == IPSEC_LEVEL_DEFAULT;
}

void ikev1_qm_build_prop(const struct ikev1_qm_x *q, struct isakmp_builder *b)
{
	uint8_t num = q->initiator ? 1 : q->pnum;
	bool comp = q->initiator ? q->comp_want : q->comp;

	isakmp_build_prop(b, num, ikev1_qm_isakmp_proto(q->proto),
			  (const uint8_t *)&q->spi_in, IKEV1_SPI_LEN);
	if (q->initiator)
		build_offer(q, b);
	else
		build_one(q, b, q->xnum, q->encr, q->keybits, q->integ);
	if (!comp)
		return;
	ikev1_qm_comp_build(q, b, num);
	if (q->initiator && comp_optional(q)) {
		isakmp_build_prop(b, 2, ikev1_qm_isakmp_proto(q->proto),
				  (const uint8_t *)&q->spi_in, IKEV1_SPI_LEN);
		build_offer(q, b);
	}
}

bool ikev1_qm_cfg_has_proto(const struct ike_child_cfg *cfg, uint8_t ipproto)
{
	for (unsigned int p = 0; p < cfg->nprop; p++)
		if (cfg->prop[p].proto == cfg_proto(ipproto) &&
		    cfg->prop[p].ninteg)
			return true;
	return false;
}

/* --- choosing ----------------------------------------------------------- */

/* One transform of the peer's, in our numbers. */
struct offer {
	uint8_t proto;			/* IPPROTO_* */
	uint8_t num, pnum;		/* transform's, proposal's */
	bool comp;			/* with a usable IPCOMP proposal */
	bool bundle_bad;		/* with one we cannot take, or AH+ESP */
	uint32_t cpi;			/* network order, low 16 bits */
	uint16_t encr, keybits, integ, grp, encap;
	uint32_t life;
	uint32_t spi;			/* network order */
};

/* RFC 2451 2.2: Blowfish and CAST-128 without a key length are 128
 * bits, as racoon sends them and as a sainfo may name them. */
static uint16_t default_bits(uint16_t encr, uint16_t keybits)
{
	if (!keybits && (encr == IKE_ENCR_BLOWFISH || encr == IKE_ENCR_CAST))
		return 128;
	return keybits;
}

/* The transform's attributes; false if it is not one we can take. */
static bool read_offer(const struct isakmp_prop *p, const struct isakmp_xform *t,
		       struct offer *o)
{
	struct isakmp_iter ait;
	struct isakmp_attr a;
	uint64_t v, life_type = IPSEC_LIFE_SECONDS;	/* RFC 2407 4.5 */
	uint16_t auth = 0;

	memset(o, 0, sizeof(*o));
	o->proto = p->proto == ISAKMP_PROTO_AH ? IPPROTO_AH : IPPROTO_ESP;
	o->num = t->num;
	o->pnum = p->num;
	memcpy(&o->spi, p->spi.ptr, IKEV1_SPI_LEN);
	isakmp_attr_iter(&ait, t);
	while (isakmp_attr_next(&ait, &a) && isakmp_attr_num(&a, &v)) {
		if (a.type == IPSEC_ATTR_AUTH_ALG)
			auth = (uint16_t)v;
		else if (a.type == IPSEC_ATTR_KEY_LEN)
			o->keybits = (uint16_t)v;
		else if (a.type == IPSEC_ATTR_GROUP_DESC)
			o->grp = (uint16_t)v;
		else if (a.type == IPSEC_ATTR_ENCAP_MODE)
			o->encap = (uint16_t)v;
		else if (a.type == IPSEC_ATTR_SA_LIFE_TYPE)
			life_type = v;
		/* A duration in kilobytes is not one in seconds. */
		else if (a.type == IPSEC_ATTR_SA_LIFE_DURATION &&
			 life_type == IPSEC_LIFE_SECONDS)
			o->life = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	}
	o->integ = auth_from_ipsec(auth);
	if (o->proto == IPPROTO_AH) {
		/* The transform id names the algorithm; the attribute, which
		 * RFC 2407 4.5 requires, must say the same. */
		o->integ = integ_of_ah(t->id);
		return o->integ && auth == auth_to_ipsec(o->integ) &&
		       !o->keybits;
	}
	o->encr = t->id;
	o->keybits = default_bits(o->encr, o->keybits);
	return o->integ != 0;
}

/* Per proposal number: the protocols under it, its IPcomp's CPI. */
struct numbers {
	uint8_t protos[256];		/* bits 1 << ISAKMP_PROTO_* */
	bool comp_bad[256];		/* an IPCOMP we cannot take */
	uint32_t cpi[256];
};

static void read_comp(const struct isakmp_prop *p, struct numbers *nb)
{
	uint32_t cpi = 0;

	if (ikev1_qm_comp_read(p, &cpi))
		nb->cpi[p->num] = cpi;
	else
		nb->comp_bad[p->num] = true;
}

/* What the proposal number of each offer bundles with it. */
static void mark_bundles(struct offer *o, unsigned int n,
			 const struct numbers *nb)
{
	const uint8_t esp_ah = 1 << ISAKMP_PROTO_ESP | 1 << ISAKMP_PROTO_AH;

	for (unsigned int i = 0; i < n; i++) {
		uint8_t pr = nb->protos[o[i].pnum];

		o[i].comp = (pr & 1 << ISAKMP_PROTO_IPCOMP) &&
			    !nb->comp_bad[o[i].pnum];
		o[i].cpi = nb->cpi[o[i].pnum];
		o[i].bundle_bad = (pr & esp_ah) == esp_ah ||
				  nb->comp_bad[o[i].pnum];
	}
}

/* The peer's transforms of its ESP and AH proposals, and what each
 * proposal number bundles with them (IPCOMP). */
static int read_offers(const struct isakmp_msg *m, struct offer *o,
		       unsigned int *n)
{
	const struct isakmp_pl *pl = isakmp_msg_find(m, ISAKMP_PL_SA, NULL);
	struct isakmp_iter pit, xit;
	struct isakmp_prop p;
	struct isakmp_xform t;
	struct isakmp_sa sa;
	struct numbers nb;
	struct isakmp_why why = { 0 };

	*n = 0;
	memset(&nb, 0, sizeof(nb));
	if (!pl)
		return -EBADMSG;
	if (isakmp_dec_sa(pl, &sa, &why)) {
		log_notify("Quick Mode SA payload refused: %s",
			   why.text ? why.text : "malformed");
		return -EBADMSG;
	}
	isakmp_prop_iter(&pit, &sa);
	while (isakmp_prop_next(&pit, &p)) {
		nb.protos[p.num] |= (uint8_t)(1 << p.proto);
		if (p.proto == ISAKMP_PROTO_IPCOMP)
			read_comp(&p, &nb);
		if ((p.proto != ISAKMP_PROTO_ESP && p.proto != ISAKMP_PROTO_AH) ||
		    p.spi_size != IKEV1_SPI_LEN)
			continue;
		isakmp_xform_iter(&xit, &p);
		while (isakmp_xform_next(&xit, &t) && *n < QM_MAX_OFFERS)
			if (read_offer(&p, &t, &o[*n]))
				(*n)++;
	}
	mark_bundles(o, *n, &nb);
	return 0;
}

static void take(struct ikev1_qm_x *q, const struct offer *o,
		 const struct ikev1_qm_verdict *v)
{
	q->proto = o->proto;
	q->xnum = o->num;
	q->encr = o->encr;
	q->keybits = o->keybits;
	q->integ = o->integ;
	q->dh_group = o->grp;
	if (q->initiator) {
		/* The answer may shorten what we offered, never lengthen. */
		if (o->life && o->life < q->life_secs)
			q->life_secs = o->life;
	} else {
		q->life_secs = v->life;
		q->claimed = v->claimed;
	}
	ikev1_natt_encap_ok(q->sa, o->encap, &q->mode, &q->udp_encap);
	q->spi_out = o->spi;
	q->pnum = o->pnum;
	q->comp = o->comp;
	q->cpi_out = o->comp ? o->cpi : 0;
}

static bool same_alg(const struct offer *o, uint8_t proto, uint16_t encr,
		     uint16_t keybits, uint16_t integ)
{
	return o->proto == proto && o->encr == encr && o->keybits == keybits &&
	       o->integ == integ;
}

/* Whether @o's proposal number may be taken, @with IPcomp or without:
 * with, if we want it; without, unless our policy requires it. */
static bool comp_fits(const struct ikev1_qm_x *q, const struct offer *o,
		      bool with)
{
	bool want = q->initiator ? q->comp_want : q->cfg.ipcomp;

	if (o->bundle_bad)
		return false;
	if (with)
		return o->comp && want;
	return !o->comp && (!q->initiator || !q->comp_want || comp_optional(q));
}

/* The offer's encapsulation mode on this ISAKMP SA (ESP in UDP across
 * a NAT, not otherwise); the initiator's, the mode it asked for. */
static bool encap_fits(const struct ikev1_qm_x *q, const struct offer *o)
{
	uint8_t mode;
	bool udp;

	return ikev1_natt_encap_ok(q->sa, o->encap, &mode, &udp) &&
	       (!q->initiator || mode == q->mode);
}

/*
 * The first offer with this algorithm that we take, with IPcomp first if
 * we want it. The initiator takes only the group it offered (RFC 2409
 * 5.5); the responder judges the lifetime and group by proposal_check,
 * keeping in @v the first refusal for the log when nothing else is taken.
 */
static const struct offer *offered(const struct ikev1_qm_x *q,
				   const struct offer *o, unsigned int n,
				   uint8_t proto, uint16_t encr,
				   uint16_t keybits, uint16_t integ,
				   struct ikev1_qm_verdict *v)
{
	struct ikev1_qm_verdict t;

	for (int with = 1; with >= 0; with--)
		for (unsigned int i = 0; i < n; i++) {
			if (!same_alg(&o[i], proto, encr, keybits, integ) ||
			    !comp_fits(q, &o[i], with) ||
			    !encap_fits(q, &o[i]))
				continue;
			if (q->initiator) {
				if (o[i].grp == q->dh_group)
					return &o[i];
				continue;
			}
			if (!ikev1_qm_judge(q, q->sa->cfg.v1.check, o[i].life,
					    o[i].grp, &t)) {
				*v = t;
				return &o[i];
			}
			if (!v->why)
				*v = t;
		}
	return NULL;
}

/* Our sainfo's algorithms in its order: the first the peer offered. For
 * the initiator, the answer must be one of what it offered (its
 * protocol, its sainfo). */
static const struct offer *pick(const struct ikev1_qm_x *q,
				const struct offer *o, unsigned int n,
				struct ikev1_qm_verdict *v)
{
	for (unsigned int p = 0; p < q->cfg.nprop; p++) {
		const struct ike_child_prop_cfg *pc = &q->cfg.prop[p];
		uint8_t proto = pc->proto == IKE_PROTO_AH ? IPPROTO_AH :
				IPPROTO_ESP;
		unsigned int nencr = proto == IPPROTO_AH ? 1 : pc->nencr;

		if (q->initiator && proto != q->proto)
			continue;
		for (unsigned int i = 0; i < nencr; i++)
			for (unsigned int j = 0; j < pc->ninteg; j++) {
				const struct offer *f = offered(q, o, n, proto,
					proto == IPPROTO_AH ? 0 : pc->encr[i].id,
					proto == IPPROTO_AH ? 0 :
					default_bits(pc->encr[i].id,
						     pc->encr[i].keybits),
					pc->integ[j], v);

				if (f)
					return f;
			}
	}
	return NULL;
}

/* --- the log ------------------------------------------------------------ */

static void alg_str(char *buf, size_t len, uint8_t proto, uint16_t encr,
		    uint16_t keybits, uint16_t integ)
{
	const struct ike_encr_info *ei = ike_encr_info(encr, keybits);
	const struct ike_integ_info *ii = ike_integ_info(integ);
	char e[40] = "";

	if (proto != IPPROTO_AH)
		snprintf(e, sizeof(e), "%s/", ei ? ei->name : "enc?");
	snprintf(buf, len, "%s %s%s", proto == IPPROTO_AH ? "ah" : "esp", e,
		 ii ? ii->name : "auth?");
}

/* Appends ", " and @one to @buf (cut when full). */
static void add(char *buf, size_t cap, size_t *off, const char *one)
{
	int n;

	if (*off >= cap)
		return;
	n = snprintf(buf + *off, cap - *off, "%s%s", *off ? ", " : "", one);
	*off += n < 0 ? 0 : (size_t)n;
}

/* No algorithm in common: what the peer offered and what we take. */
static void log_no_common(const struct ikev1_qm_x *q, const struct offer *o,
			  unsigned int n)
{
	char theirs[1024] = "", ours[1024] = "", one[80];
	char rb[IKD_ADDR_STRLEN];
	size_t ot = 0, oo = 0;

	for (unsigned int i = 0; i < n; i++) {
		alg_str(one, sizeof(one), o[i].proto, o[i].encr, o[i].keybits,
			o[i].integ);
		add(theirs, sizeof(theirs), &ot, one);
	}
	for (unsigned int p = 0; p < q->cfg.nprop; p++) {
		const struct ike_child_prop_cfg *pc = &q->cfg.prop[p];
		uint8_t proto = pc->proto == IKE_PROTO_AH ? IPPROTO_AH :
				IPPROTO_ESP;
		unsigned int nencr = proto == IPPROTO_AH ? 1 : pc->nencr;

		for (unsigned int i = 0; i < nencr; i++)
			for (unsigned int j = 0; j < pc->ninteg; j++) {
				alg_str(one, sizeof(one), proto,
					proto == IPPROTO_AH ? 0 :
					pc->encr[i].id,
					proto == IPPROTO_AH ? 0 :
					pc->encr[i].keybits, pc->integ[j]);
				add(ours, sizeof(ours), &oo, one);
			}
	}
	log_error("Quick Mode with %s: no proposal chosen: peer offered [%s], "
		  "ours [%s]", ikd_addr_str(&q->sa->remote, true, rb),
		  n ? theirs : "nothing usable", ours);
}

int ikev1_qm_choose(struct ikev1_qm_x *q, const struct isakmp_msg *m)
{
	struct offer o[QM_MAX_OFFERS];
	struct ikev1_qm_verdict v = { 0 };
	const struct offer *f;
	unsigned int n;
	int err = read_offers(m, o, &n);

	if (err)
		return err;
	f = pick(q, o, n, &v);
	if (!q->initiator && !f && !v.why)
		log_no_common(q, o, n);
	if (!q->initiator)
		ikev1_qm_log_verdict(q, &v);
	if (!f)
		return -ENOENT;
	if (q->initiator)
		ikev1_qm_obey_claim(q, m);
	take(q, f, &v);
	return 0;
}
