// SPDX-License-Identifier: BSD-2-Clause
/*
 * IPcomp (RFC 3173) bundled with Quick Mode's ESP or AH pair, as racoon's
 * `compression_algorithm deflate` negotiates it: an IPCOMP proposal under
 * the ESP (or AH) proposal's number, the two ANDed (RFC 2408 4.2, RFC
 * 2407 4.4.1). Its SPI is the CPI, 2 bytes (4 accepted on input, the CPI
 * in the low 16 bits, as racoon did); its one transform IPCOMP_DEFLATE.
 * The CPIs come from the kernel by GETSPI for IPcomp; the IPcomp SAs take
 * the ESP pair's mode and have no keys (KEYMAT is ESP's or AH's only).
 *
 * Which proposals are taken is ikev1_qm_prop.c's business; this file
 * builds and reads the IPCOMP part and installs the IPcomp pair.
 */
#include "ikev1_int.h"

#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/ipsec.h>

#include "log.h"

/* RFC 3173 3.3: CPIs below 256 are well known or reserved, never
 * negotiated. */
#define CPI_MIN	256

void ikev1_qm_comp_want(struct ikev1_qm_x *q, const struct ikd_acquire *acq)
{
	const struct ikd_kernel_policy *p = &acq->pol;

	for (unsigned int i = 0; i < p->nreqs && i < IKD_KERNEL_MAX_REQS; i++) {
		const struct ikd_kernel_req *r = &p->req[i];

		if (r->proto != IPPROTO_COMP)
			continue;
		if (!q->cfg.ipcomp) {
			log_info("Quick Mode M-ID 0x%08x: the policy asks for "
				 "IPcomp, the sainfo has no "
				 "compression_algorithm: %s alone", q->msgid,
				 q->proto == IPPROTO_AH ? "AH" : "ESP");
			return;
		}
		if (r->mode != q->mode) {
			log_warn("Quick Mode M-ID 0x%08x: the policy's IPcomp "
				 "is in %s mode, its %s in %s: IPcomp is only "
				 "negotiated in the same mode", q->msgid,
				 ike_mode_name(r->mode),
				 q->proto == IPPROTO_AH ? "AH" : "ESP",
				 ike_mode_name(q->mode));
			return;
		}
		q->comp_want = true;
		q->comp_level = r->level;
		q->comp_reqid = r->reqid;
		return;
	}
}

void ikev1_qm_comp_build(const struct ikev1_qm_x *q, struct isakmp_builder *b,
			 uint8_t num)
{
	/* The CPI is the low half of the SPI the kernel gave. */
	const uint8_t *cpi = (const uint8_t *)&q->cpi_in + 2;

	isakmp_build_prop(b, num, ISAKMP_PROTO_IPCOMP, cpi, 2);
	isakmp_build_xform(b, 1, IPSEC_IPCOMP_DEFLATE);
	isakmp_build_attr_tv(b, IPSEC_ATTR_SA_LIFE_TYPE, IPSEC_LIFE_SECONDS);
	isakmp_build_attr_num(b, IPSEC_ATTR_SA_LIFE_DURATION, q->life_secs);
	isakmp_build_attr_tv(b, IPSEC_ATTR_ENCAP_MODE,
			     q->mode == IKD_MODE_TUNNEL ? IPSEC_ENCAP_TUNNEL :
			     IPSEC_ENCAP_TRANSPORT);
}

bool ikev1_qm_comp_read(const struct isakmp_prop *p, uint32_t *cpi)
{
	struct isakmp_iter xit;
	struct isakmp_xform t;
	const uint8_t *s = p->spi.ptr;
	uint16_t v;
	bool deflate = false;
	uint8_t other = 0;

	/* isakmp_prop_next() let 2 or 4 bytes through, no other size. */
	if (p->spi_size != 2 && p->spi_size != 4)
		return false;
	v = (uint16_t)(s[p->spi_size - 2] << 8 | s[p->spi_size - 1]);
	isakmp_xform_iter(&xit, p);
	while (isakmp_xform_next(&xit, &t)) {
		if (t.id == IPSEC_IPCOMP_DEFLATE)
			deflate = true;
		else
			other = t.id;
	}
	if (!deflate) {
		log_notify("IPCOMP proposal #%u: transform %s is not "
			   "supported (deflate only): proposal not taken",
			   p->num, isakmp_transform_name(ISAKMP_PROTO_IPCOMP,
						     other));
		return false;
	}
	if (v < CPI_MIN || (p->spi_size == 4 && (s[0] || s[1]))) {
		log_notify("IPCOMP proposal #%u: CPI 0x%0*x is not a "
			   "negotiable one: proposal not taken", p->num,
			   2 * p->spi_size, p->spi_size == 4 ?
			   (unsigned int)(s[0] << 24 | s[1] << 16 | v) : v);
		return false;
	}
	*cpi = htonl(v);
	return true;
}

int ikev1_qm_comp_getspi(struct ikev1_sa *sa, struct ikev1_qm_x *q)
{
	struct ikd_kernel *k = sa->eng->env.kernel;
	struct ikd_addr src = sa->remote, dst = sa->local;

	src.port = dst.port = 0;
	q->comp_reqid_in = ikd_kernel_in_reqid(k, &q->sel, IPPROTO_COMP,
					       q->mode, q->comp_reqid);
	return k->ops->getspi(k, IPPROTO_COMP, q->mode, &src, &dst,
			      q->comp_reqid_in, 0, &q->cpi_in);
}

int ikev1_qm_comp_install(struct ikev1_sa *sa, struct ikev1_qm_x *q)
{
	struct ikd_kernel_sa in = { 0 }, out;
	int err;

	in.proto = IPPROTO_COMP;
	in.mode = q->mode;
	in.reqid = q->comp_reqid;
	in.comp = IKD_IPCOMP_DEFLATE;
	/* No soft lifetime: the ESP (AH) pair's expiry renews or removes
	 * both; the margin makes that one come first. */
	in.hard_secs = (uint64_t)q->life_secs + 60;
	out = in;
	in.reqid = q->comp_reqid_in;
	err = ikev1_qm_put_pair(sa, q, q->cpi_in, q->cpi_out, &in, &out);
	if (err)
		log_error("cannot install the IPcomp SAs cpi=0x%04x/0x%04x: %s",
			  ntohl(q->cpi_in), ntohl(q->cpi_out), strerror(-err));
	return err;
}

void ikev1_qm_comp_log(const struct ikev1_sa *sa, const struct ikev1_qm_x *q)
{
	char lb[IKD_ADDR_STRLEN], rb[IKD_ADDR_STRLEN];
	const char *m = q->mode == IKD_MODE_TUNNEL ? "Tunnel" : "Transport";

	ikd_addr_str(&sa->local, true, lb);
	ikd_addr_str(&sa->remote, true, rb);
	log_notify("IPsec-SA established: IPCOMP/%s %s->%s cpi=%u(0x%04x)", m,
		   rb, lb, ntohl(q->cpi_in), ntohl(q->cpi_in));
	log_notify("IPsec-SA established: IPCOMP/%s %s->%s cpi=%u(0x%04x)", m,
		   lb, rb, ntohl(q->cpi_out), ntohl(q->cpi_out));
}

void ikev1_qm_comp_drop(struct ikev1_sa *sa, struct ikev1_qm_x *q)
{
	struct ikd_kernel *k = sa->eng->env.kernel;
	struct ikd_addr src = sa->remote, dst = sa->local;

	if (!q->cpi_in || q->comp)
		return;
	src.port = dst.port = 0;
	log_info("Quick Mode M-ID 0x%08x: the peer took %s without IPcomp",
		 q->msgid, q->proto == IPPROTO_AH ? "AH" : "ESP");
	/* Larval: nothing will complete it. */
	k->ops->del_sa(k, IPPROTO_COMP, q->cpi_in, &src, &dst);
	q->cpi_in = 0;
}
