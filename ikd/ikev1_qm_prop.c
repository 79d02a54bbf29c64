// SPDX-License-Identifier: BSD-2-Clause
/*
 * Quick Mode proposals (RFC 2407 4.5): the initiator's SA payload, a
 * transform per cipher and authentication algorithm of the sainfo, and
 * either side's choice in an SA payload it received. The ESP transform
 * ids are IKEv2's ENCR ids; the authentication algorithm attribute is
 * mapped to and from IKEv2's integrity ids, which the kernel seam takes.
 * With PFS, every transform carries the group (GROUP_DESC).
 */
#include "ikev1_int.h"

#include <errno.h>
#include <string.h>

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

void ikev1_qm_build_xforms(const struct ikev1_qm_x *q, struct isakmp_builder *b,
			 bool only_chosen)
{
	uint8_t encap = q->mode == IKD_MODE_TUNNEL ? IPSEC_ENCAP_TUNNEL :
			IPSEC_ENCAP_TRANSPORT;
	uint8_t num = 0;

	for (unsigned int p = 0; p < q->cfg.nprop; p++) {
		const struct ike_child_prop_cfg *pc = &q->cfg.prop[p];

		if (pc->proto != IKE_PROTO_ESP || !pc->ninteg)
			continue;
		for (unsigned int i = 0; i < pc->nencr; i++)
			for (unsigned int j = 0; j < pc->ninteg; j++) {
				uint16_t e = pc->encr[i].id;
				uint16_t kb = pc->encr[i].keybits;
				uint16_t a = pc->integ[j];

				num++;
				if (!auth_to_ipsec(a) || (only_chosen &&
				    (e != q->encr || kb != q->keybits ||
				     a != q->integ)))
					continue;
				isakmp_build_xform(b, num, (uint8_t)e);
				isakmp_build_attr_tv(b, IPSEC_ATTR_SA_LIFE_TYPE,
						     IPSEC_LIFE_SECONDS);
				isakmp_build_attr_num(b,
						      IPSEC_ATTR_SA_LIFE_DURATION,
						      q->life_secs);
				isakmp_build_attr_tv(b, IPSEC_ATTR_ENCAP_MODE,
						     encap);
				isakmp_build_attr_tv(b, IPSEC_ATTR_AUTH_ALG,
						     auth_to_ipsec(a));
				if (q->dh_group)
					isakmp_build_attr_tv(b,
							     IPSEC_ATTR_GROUP_DESC,
							     q->dh_group);
				if (kb)
					isakmp_build_attr_tv(b,
							     IPSEC_ATTR_KEY_LEN,
							     kb);
				if (only_chosen)
					return;
			}
	}
}

/* Whether the sainfo has ESP with this cipher, key length and auth. */
static bool cfg_has(const struct ike_child_cfg *cfg, uint16_t encr,
		    uint16_t keybits, uint16_t integ)
{
	for (unsigned int p = 0; p < cfg->nprop; p++) {
		const struct ike_child_prop_cfg *pc = &cfg->prop[p];

		if (pc->proto != IKE_PROTO_ESP)
			continue;
		for (unsigned int i = 0; i < pc->nencr; i++)
			for (unsigned int j = 0; j < pc->ninteg; j++)
				if (pc->encr[i].id == encr &&
				    pc->encr[i].keybits == keybits &&
				    pc->integ[j] == integ)
					return true;
	}
	return false;
}

/*
 * PFS (RFC 2409 5.5): the initiator takes only the group it offered.
 * A responder whose sainfo has pfs_group takes only that group, a
 * transform without one is refused; one without PFS follows the
 * initiator (no group, or one we can compute), as racoon does with
 * proposal_check obey.
 */
static bool group_ok(const struct ikev1_qm_x *q, uint16_t grp)
{
	if (q->initiator)
		return grp == q->dh_group;
	if (q->cfg.pfs_group)
		return grp == q->cfg.pfs_group;
	return !grp || ike_dh_info(grp);
}

/* The first transform of the SA payload the sainfo has: the chosen
 * one in @q (and the peer's SPI). */
int ikev1_qm_choose(struct ikev1_qm_x *q, const struct isakmp_msg *m)
{
	const struct isakmp_pl *pl = isakmp_msg_find(m, ISAKMP_PL_SA, NULL);
	struct isakmp_iter pit, xit, ait;
	struct isakmp_prop p;
	struct isakmp_xform t;
	struct isakmp_attr a;
	struct isakmp_sa sa;
	uint64_t v;

	if (!pl || isakmp_dec_sa(pl, &sa, NULL))
		return -EBADMSG;
	isakmp_prop_iter(&pit, &sa);
	while (isakmp_prop_next(&pit, &p)) {
		if (p.proto != ISAKMP_PROTO_ESP || p.spi_size != IKEV1_SPI_LEN)
			continue;
		isakmp_xform_iter(&xit, &p);
		while (isakmp_xform_next(&xit, &t)) {
			uint16_t auth = 0, kb = 0, encap = 0, grp = 0;
			uint32_t life = 0;

			isakmp_attr_iter(&ait, &t);
			while (isakmp_attr_next(&ait, &a) &&
			       isakmp_attr_num(&a, &v)) {
				if (a.type == IPSEC_ATTR_AUTH_ALG)
					auth = (uint16_t)v;
				else if (a.type == IPSEC_ATTR_KEY_LEN)
					kb = (uint16_t)v;
				else if (a.type == IPSEC_ATTR_GROUP_DESC)
					grp = (uint16_t)v;
				else if (a.type == IPSEC_ATTR_ENCAP_MODE)
					encap = (uint16_t)v;
				else if (a.type == IPSEC_ATTR_SA_LIFE_DURATION)
					life = v > UINT32_MAX ? UINT32_MAX :
					       (uint32_t)v;
			}
			if (!cfg_has(&q->cfg, t.id, kb, auth_from_ipsec(auth)) ||
			    !group_ok(q, grp))
				continue;
			q->dh_group = grp;
			q->encr = t.id;
			q->keybits = kb;
			q->integ = auth_from_ipsec(auth);
			if (life && (!q->life_secs || life < q->life_secs))
				q->life_secs = life;
			if (!q->initiator)
				q->mode = encap == IPSEC_ENCAP_TRANSPORT ?
					  IKD_MODE_TRANSPORT : IKD_MODE_TUNNEL;
			memcpy(&q->spi_out, p.spi.ptr, IKEV1_SPI_LEN);
			return 0;
		}
	}
	return -ENOENT;
}
