// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1 Quick Mode (RFC 2409 5.5) under an established ISAKMP SA, for
 * one ESP or AH SA pair, with PFS when the sainfo's pfs_group asks for it:
 *
 *   I: HDR*, HASH(1), SA, Ni, [KE,] IDci, IDcr
 *   R: HDR*, HASH(2), SA, Nr, [KE,] IDci, IDcr
 *   I: HDR*, HASH(3)
 *
 * The initiator offers one proposal of the ACQUIRE's protocol with a
 * transform per cipher and authentication algorithm of the sainfo
 * (ikev1_qm_prop.c), its inbound SPI from getspi. KEYMAT per direction comes
 * from ikev1_child_keys() with the SPI of the SA's receiver; the SAs go
 * into the kernel as ike_child.c installs IKEv2's: the inbound one first
 * (update of the larval SA), then the outbound one. The initiator
 * installs on HASH(2), the responder on HASH(3).
 *
 * The responder checks the IDs against its SPD (ikev1_qm_spd.c) and
 * takes the reqid from the policy; IDs outside it get
 * INVALID-ID-INFORMATION. Without IDs, the selectors are the peers'
 * addresses; the initiator leaves them out in transport mode between
 * the peers themselves.
 *
 * PFS: the group is a transform attribute (ikev1_qm_prop.c says which
 * the responder takes); g(qm)^xy goes into KEYMAT.
 *
 * IPcomp bundled with the pair (ikev1_qm_comp.c): the initiator offers
 * it when the ACQUIRE's policy has an IPcomp request and the sainfo has
 * compression_algorithm; its CPI comes by a second getspi. The IPcomp
 * pair goes in after the ESP (AH) pair.
 *
 * Retransmissions and repeats: ikev1_qm_tx.c; the pairs once installed
 * (renewal, DELETE, expiry): ikev1_child.c. Not yet: ESP and AH bundles.
 */
#include "ikev1_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/crypto.h>

#include "log.h"

static uint8_t plen_of(const uint8_t *mask, size_t n)
{
	uint8_t p = 0;

	for (size_t i = 0; i < n; i++)
		p += (uint8_t)__builtin_popcount(mask[i]);
	return p;
}

/* --- IDs <-> selectors ------------------------------------------------- */

static void add_sel_id(struct isakmp_builder *b, const struct ikd_addr *a,
		       uint8_t plen, uint8_t proto)
{
	size_t n = a->family == AF_INET ? 4 : 16;
	uint8_t data[32] = { 0 };

	memcpy(data, a->bytes, n);
	if (proto == 255)	/* PF_KEY's "any"; the ID's is 0 */
		proto = 0;
	if (plen == n * 8) {
		isakmp_build_id(b, n == 4 ? IPSEC_ID_IPV4_ADDR :
				IPSEC_ID_IPV6_ADDR, proto, a->port, data, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned int bits = plen > i * 8 ? plen - i * 8 : 0;

		data[n + i] = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);
	}
	isakmp_build_id(b, n == 4 ? IPSEC_ID_IPV4_ADDR_SUBNET :
			IPSEC_ID_IPV6_ADDR_SUBNET, proto, a->port, data, 2 * n);
}

static int sel_of_id(const struct isakmp_pl *pl, struct ikd_addr *a,
		     uint8_t *plen, uint8_t *proto)
{
	struct isakmp_id id;
	size_t n;

	if (!pl || isakmp_dec_id(pl, &id, NULL))
		return -EBADMSG;
	memset(a, 0, sizeof(*a));
	switch (id.type) {
	case IPSEC_ID_IPV4_ADDR: case IPSEC_ID_IPV4_ADDR_SUBNET:
		a->family = AF_INET, n = 4;
		break;
	case IPSEC_ID_IPV6_ADDR: case IPSEC_ID_IPV6_ADDR_SUBNET:
		a->family = AF_INET6, n = 16;
		break;
	default:
		return -ENOTSUP;
	}
	if (id.data.len != n && id.data.len != 2 * n)
		return -EBADMSG;
	memcpy(a->bytes, id.data.ptr, n);
	*plen = id.data.len == n ? (uint8_t)(n * 8) :
		plen_of(id.data.ptr + n, n);
	a->port = id.port;
	*proto = id.proto;
	return 0;
}

static bool is_host(const struct ikd_addr *a, uint8_t plen,
		    const struct ikd_addr *peer)
{
	return ikd_addr_eq_noport(a, peer) && !a->port &&
	       plen == ikd_addr_bits(a->family);
}

/* Transport mode between the two peers themselves, any protocol: the
 * IDs may go (RFC 2409 5.5), as racoon leaves them out. */
static bool ids_implied(const struct ikev1_sa *sa, const struct ikev1_qm_x *q)
{
	return q->mode == IKD_MODE_TRANSPORT &&
	       (!q->sel.proto || q->sel.proto == 255) &&
	       is_host(&q->sel.src, q->sel.src_plen, &sa->local) &&
	       is_host(&q->sel.dst, q->sel.dst_plen, &sa->remote);
}

/* No IDs (RFC 2409 5.5): the peers' own addresses, any protocol. */
static int peers_sel(const struct ikev1_sa *sa, struct ikd_sel *sel)
{
	memset(sel, 0, sizeof(*sel));
	sel->src = sa->local;
	sel->dst = sa->remote;
	sel->src.port = sel->dst.port = 0;
	sel->src_plen = sel->dst_plen = (uint8_t)ikd_addr_bits(sa->local.family);
	return 0;
}

/* --- sending ------------------------------------------------------------ */

/* HDR*, HASH(n), then the payloads @b built (after the HASH's room). */
static int qm_send(struct ikev1_sa *sa, struct ikev1_qm_x *q,
		   uint8_t *plain, size_t plen, bool waits)
{
	uint8_t msg[IKEV1_MSG_MAX];
	struct ike_wbuf w;
	struct isakmp_builder h;
	size_t clen = 0;
	int err;

	ike_wbuf_init(&w, msg, sizeof(msg));
	isakmp_build_hdr(&h, &w, sa->cky_i, sa->cky_r, ISAKMP_EXCH_QUICK,
			 ISAKMP_FLAG_E, q->msgid);
	ike_wbuf_set8(&w, 16, ISAKMP_PL_HASH);
	if (w.err)
		return w.err;
	err = ikev1_encrypt(&sa->k, &q->iv, q->msgid, plain, plen,
			    msg + ISAKMP_HDR_LEN, sizeof(msg) - ISAKMP_HDR_LEN,
			    &clen);
	OPENSSL_cleanse(plain, plen);
	if (err)
		return err;
	ike_wbuf_set32(&w, 24, (uint32_t)(ISAKMP_HDR_LEN + clen));
	return ikev1_qm_tx(q, msg, ISAKMP_HDR_LEN + clen, waits);
}

/* SA, nonce, IDci, IDcr of a first or second message, after HASH room. */
static size_t build_body(const struct ikev1_qm_x *q, struct isakmp_builder *b,
			 size_t *hash_off, size_t prflen)
{
	const uint8_t *nonce = q->initiator ? q->ni : q->nr;
	size_t rest;

	*hash_off = isakmp_build_data(b, ISAKMP_PL_HASH, NULL, prflen);
	rest = b->w->len;
	isakmp_build_sa_begin(b, ISAKMP_DOI_IPSEC, IPSEC_SIT_IDENTITY_ONLY);
	ikev1_qm_build_prop(q, b);
	isakmp_build_sa_end(b);
	isakmp_build_data(b, ISAKMP_PL_NONCE, nonce, IKEV1_NONCE_LEN);
	if (q->dh)
		isakmp_build_data(b, ISAKMP_PL_KE, q->ke, q->ke_len);
	/* IDci is the initiator's side, IDcr the responder's. */
	if (q->no_ids) {
		/* none: the peers' addresses */
	} else if (q->initiator) {
		add_sel_id(b, &q->sel.src, q->sel.src_plen, q->sel.proto);
		add_sel_id(b, &q->sel.dst, q->sel.dst_plen, q->sel.proto);
	} else {
		add_sel_id(b, &q->sel.dst, q->sel.dst_plen, q->sel.proto);
		add_sel_id(b, &q->sel.src, q->sel.src_plen, q->sel.proto);
	}
	ikev1_natt_add_oa(q, b);
	return rest;
}

/* --- the kernel --------------------------------------------------------- */

int ikev1_qm_put_pair(const struct ikev1_sa *sa, const struct ikev1_qm_x *q,
		      uint32_t spi_in, uint32_t spi_out,
		      struct ikd_kernel_sa *in, struct ikd_kernel_sa *out)
{
	struct ikd_kernel *k = sa->eng->env.kernel;
	int err;

	in->spi = spi_in;
	in->src = sa->remote;
	in->dst = sa->local;
	in->sel.src = q->sel.dst;
	in->sel.src_plen = q->sel.dst_plen;
	in->sel.dst = q->sel.src;
	in->sel.dst_plen = q->sel.src_plen;
	in->sel.proto = q->sel.proto;
	out->spi = spi_out;
	out->src = sa->local;
	out->dst = sa->remote;
	out->sel = q->sel;
	in->src.port = in->dst.port = out->src.port = out->dst.port = 0;
	ikev1_natt_kernel_sa(sa, q, in, out);
	/* Inbound first: the peer's first packet must find it. */
	err = k->ops->update_sa(k, in);
	if (!err)
		err = k->ops->add_sa(k, out);
	return err;
}

static int install(struct ikev1_sa *sa, struct ikev1_qm_x *q)
{
	const struct ike_encr_info *ei = ike_encr_info(q->encr, q->keybits);
	const struct ike_integ_info *ii = ike_integ_info(q->integ);
	struct ikev1_qm km = {
		.ni_b = { q->ni, q->ni_len }, .nr_b = { q->nr, q->nr_len },
		.gqm = { q->gqm, q->gqm_len },
	};
	uint8_t keys[4 * IKE_MAX_KEY];
	struct ikd_kernel_sa in = { 0 }, out;
	uint8_t iproto = ikev1_qm_isakmp_proto(q->proto);
	size_t eklen = ei ? ei->keylen : 0;
	int err;

	/* AH has no cipher: KEYMAT is its authentication key alone. */
	if ((!ei && q->proto != IPPROTO_AH) || !ii)
		return -EINVAL;
	in.enc_key = keys;
	in.auth_key = keys + IKE_MAX_KEY;
	err = ikev1_child_keys(&sa->k, &km, iproto,
			       (const uint8_t *)&q->spi_in, keys, eklen,
			       keys + IKE_MAX_KEY, ii->keylen);
	if (!err)
		err = ikev1_child_keys(&sa->k, &km, iproto,
				       (const uint8_t *)&q->spi_out,
				       keys + 2 * IKE_MAX_KEY, eklen,
				       keys + 3 * IKE_MAX_KEY, ii->keylen);
	if (err)
		goto done;
	in.proto = q->proto;
	in.mode = q->mode;
	in.reqid = q->reqid;
	in.seq = q->seq;
	in.encr = q->encr;
	in.encr_keybits = ei ? ei->keybits : 0;
	in.integ = q->integ;
	in.enc_key_len = eklen;
	in.auth_key_len = ii->keylen;
	in.replay_window = q->cfg.replay_window ? q->cfg.replay_window : 32;
	in.hard_secs = q->life_secs;
	in.soft_secs = (uint64_t)q->life_secs * 4 / 5;
	out = in;
	in.reqid = q->reqid_in;
	out.enc_key = keys + 2 * IKE_MAX_KEY;
	out.auth_key = keys + 3 * IKE_MAX_KEY;
	err = ikev1_qm_put_pair(sa, q, q->spi_in, q->spi_out, &in, &out);
	if (err)
		log_error("cannot install the IPsec-SAs spi=0x%08x/0x%08x: %s",
			  ntohl(q->spi_in), ntohl(q->spi_out), strerror(-err));
	if (!err && q->comp)
		err = ikev1_qm_comp_install(sa, q);
done:
	OPENSSL_cleanse(keys, sizeof(keys));
	return err;
}

static void established(struct ikev1_sa *sa, struct ikev1_qm_x *q)
{
	char lb[IKD_ADDR_STRLEN], rb[IKD_ADDR_STRLEN];
	const char *m = q->mode == IKD_MODE_TUNNEL ? "Tunnel" : "Transport";
	const char *p = q->proto == IPPROTO_AH ? "AH" : "ESP";

	q->state = QM_DONE;
	sa->eng->stats.child_established++;
	ikd_addr_str(&sa->local, true, lb);
	ikd_addr_str(&sa->remote, true, rb);
	log_notify("IPsec-SA established: %s/%s %s->%s spi=%u(0x%08x)", p,
		   m, rb, lb, ntohl(q->spi_in), ntohl(q->spi_in));
	log_notify("IPsec-SA established: %s/%s %s->%s spi=%u(0x%08x)", p,
		   m, lb, rb, ntohl(q->spi_out), ntohl(q->spi_out));
	if (q->comp)
		ikev1_qm_comp_log(sa, q);
	ikev1_child_add(sa, q);
}

static int get_spi(struct ikev1_sa *sa, struct ikev1_qm_x *q)
{
	struct ikd_kernel *k = sa->eng->env.kernel;
	struct ikd_addr src = sa->remote, dst = sa->local;

	int err;

	src.port = dst.port = 0;
	/* An interface's reqid is both directions' (no SPD). */
	q->reqid_in = sa->cfg.ifname[0] ? q->reqid :
		      ikd_kernel_in_reqid(k, &q->sel, q->proto, q->mode, q->reqid);
	err = k->ops->getspi(k, q->proto, q->mode, &src, &dst, q->reqid_in,
			     q->seq, &q->spi_in);
	if (!err && (q->initiator ? q->comp_want : q->comp))
		err = ikev1_qm_comp_getspi(sa, q);
	return err;
}

/* --- PFS ------------------------------------------------------------- */

/* Our key pair of q->dh_group, if PFS was asked for or chosen. */
static int pfs_start(struct ikev1_qm_x *q)
{
	if (!q->dh_group)
		return 0;
	if (!ike_dh_info(q->dh_group))
		return -ENOTSUP;
	q->dh = ike_dh_new(q->dh_group);
	if (!q->dh)
		return -ENOMEM;
	return ike_dh_public(q->dh, q->ke, sizeof(q->ke), &q->ke_len);
}

/* g(qm)^xy from the peer's KE, which PFS needs and its absence
 * forbids. */
static int pfs_finish(struct ikev1_qm_x *q, const struct isakmp_msg *m)
{
	const struct isakmp_pl *ke = isakmp_msg_find(m, ISAKMP_PL_KE, NULL);
	int err;

	if (!q->dh)
		return ke ? -EBADMSG : 0;
	if (!ke)
		return -EBADMSG;
	err = ike_dh_shared(q->dh, ke->body.ptr, ke->body.len, q->gqm,
			    sizeof(q->gqm), &q->gqm_len);
	if (!err)
		log_debug("Quick Mode M-ID 0x%08x: PFS with group %u",
			  q->msgid, q->dh_group);
	return err;
}

/* --- exchanges ------------------------------------------------------------ */

void ikev1_qm_free(struct ikev1_sa *sa, struct ikev1_qm_x *q)
{
	for (struct ikev1_qm_x **pp = &sa->qms; *pp; pp = &(*pp)->next)
		if (*pp == q) {
			*pp = q->next;
			break;
		}
	ikev1_qm_tx_free(q);
	/* Policies generated for an exchange that installed nothing. */
	ikev1_del_policies(sa->eng, q->gen_pol, q->ngen);
	ike_dh_free(q->dh);
	OPENSSL_cleanse(q, sizeof(*q));
	free(q);
}

void ikev1_qm_free_all(struct ikev1_sa *sa)
{
	while (sa->qms)
		ikev1_qm_free(sa, sa->qms);
}

static struct ikev1_qm_x *qm_find(struct ikev1_sa *sa, uint32_t msgid)
{
	for (struct ikev1_qm_x *q = sa->qms; q; q = q->next)
		if (q->msgid == msgid)
			return q;
	return NULL;
}

bool ikev1_qm_negotiating(const struct ikev1_sa *sa, const struct ikd_sel *sel,
			  uint8_t proto)
{
	/* Either side's: our reply traffic while we answer the peer's
	 * Quick Mode must not start a second pair. */
	for (const struct ikev1_qm_x *q = sa->qms; q; q = q->next)
		if ((q->state == QM_I1 || q->state == QM_R1) &&
		    q->proto == proto && ikev1_sel_eq(&q->sel, sel))
			return true;
	return false;
}

/* Which of our waiting exchanges @n answers: the one whose SPI it
 * names, or, when it names none of ours (racoon's and ours name the
 * ISAKMP SA), every one still waiting for its answer. */
static bool refused_names(const struct ikev1_qm_x *q,
			  const struct isakmp_notify *n, bool any_named)
{
	if (!q->initiator || q->state != QM_I1)
		return false;
	if (!any_named)
		return true;
	return n->spi_size == 4 && !memcmp(n->spi.ptr, &q->spi_in, 4);
}

void ikev1_qm_refused(struct ikev1_sa *sa, const struct isakmp_notify *n)
{
	struct ikev1_qm_x *q, *next;
	char rb[IKD_ADDR_STRLEN], a[IKE_TS_STRLEN], b[IKE_TS_STRLEN];
	bool any_named = false;

	for (q = sa->qms; q; q = q->next)
		if (n->spi_size == 4 && q->initiator &&
		    !memcmp(n->spi.ptr, &q->spi_in, 4))
			any_named = true;
	ikd_addr_str(&sa->remote, true, rb);
	for (q = sa->qms; q; q = next) {
		struct ike_ts l, r;

		next = q->next;
		if (!refused_names(q, n, any_named))
			continue;
		ike_ts_from_sel(&l, &q->sel.src, q->sel.src_plen, q->sel.proto,
				q->sel.src.port);
		ike_ts_from_sel(&r, &q->sel.dst, q->sel.dst_plen, q->sel.proto,
				q->sel.dst.port);
		log_error("phase2 negotiation with %s failed: the peer "
			  "answered %s to IDci=%s IDcr=%s (%s %s%s, PFS group "
			  "%u, lifetime %u s); giving up M-ID 0x%08x", rb,
			  isakmp_notify_name(n->type),
			  ike_ts_str(&l, 1, a, sizeof(a)),
			  ike_ts_str(&r, 1, b, sizeof(b)),
			  q->proto == IPPROTO_AH ? "AH" : "ESP",
			  ike_mode_name(q->mode),
			  q->no_ids ? ", no IDs sent" : "", q->dh_group,
			  q->life_secs, q->msgid);
		sa->eng->stats.child_failed++;
		ikev1_qm_free(sa, q);
	}
}

static struct ikev1_qm_x *qm_new(struct ikev1_sa *sa, uint32_t msgid)
{
	struct ikev1_qm_x *q;
	unsigned int n = 0;

	for (q = sa->qms; q; q = q->next)
		n++;
	if (n >= QM_MAX_PENDING)
		return NULL;
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	while (!msgid || qm_find(sa, msgid))
		if (ike_random(&msgid, sizeof(msgid))) {
			free(q);
			return NULL;
		}
	q->msgid = msgid;
	q->sa = sa;
	if (ikev1_iv_exchange(&q->iv, &sa->k, &sa->iv, msgid)) {
		free(q);
		return NULL;
	}
	q->next = sa->qms;
	sa->qms = q;
	return q;
}

/* HASH(1) or HASH(2) into its room, then out. */
static int send_first_or_second(struct ikev1_sa *sa, struct ikev1_qm_x *q)
{
	uint8_t plain[IKEV1_MSG_MAX], h[IKE_MAX_PRF];
	struct ike_wbuf w;
	struct isakmp_builder b;
	struct ike_span rest;
	size_t hash_off, rest_off;
	int err;

	ike_wbuf_init(&w, plain, sizeof(plain));
	isakmp_build_chain(&b, &w);
	rest_off = build_body(q, &b, &hash_off, sa->k.prflen);
	ikev1_qm_build_claim(q, &b);	/* last, as racoon puts it */
	err = isakmp_build_end(&b);
	if (err)
		return err;
	rest = (struct ike_span){ plain + rest_off, w.len - rest_off };
	err = q->initiator ?
	      ikev1_qm_hash1(&sa->k, q->msgid, rest, h) :
	      ikev1_qm_hash2(&sa->k, q->msgid,
			     (struct ike_span){ q->ni, q->ni_len }, rest, h);
	if (err)
		return err;
	memcpy(plain + hash_off, h, sa->k.prflen);
	return qm_send(sa, q, plain, w.len, true);
}

int ikev1_qm_initiate(struct ike_engine *e, const struct ikd_acquire *acq)
{
	const struct ike_child_cfg *ccfg;
	struct ikev1_sa *sa;
	struct ikev1_qm_x *q;
	int err;

	for (sa = e->v1_sas; sa; sa = sa->next)
		if (sa->state == V1_ESTABLISHED &&
		    ikd_addr_eq_noport(&sa->remote, &acq->dst))
			break;
	if (!sa)
		return -ENOENT;
	ccfg = e->env.child_cfg(e->env.arg, &sa->cfg, &acq->pol.sel);
	if (!ccfg)
		return -ENOENT;
	if ((acq->proto != IPPROTO_ESP && acq->proto != IPPROTO_AH) ||
	    !ikev1_qm_cfg_has_proto(ccfg, acq->proto)) {
		log_error("Quick Mode: the sainfo has no %s proposal for the "
			  "ACQUIRE (ESP and AH bundles are not negotiated)",
			  acq->proto == IPPROTO_AH ? "AH" : "ESP");
		return -ENOTSUP;
	}
	q = qm_new(sa, 0);
	if (!q)
		return -ENOMEM;
	q->initiator = true;
	q->sel = acq->pol.sel;
	q->proto = acq->proto;
	q->mode = acq->mode;
	q->reqid = acq->reqid;
	q->seq = acq->seq;
	q->cfg = *ccfg;
	q->life_secs = ikev1_qm_our_life(q);
	q->ni_len = IKEV1_NONCE_LEN;
	q->dh_group = ccfg->pfs_group;
	q->no_ids = ids_implied(sa, q);
	ikev1_qm_comp_want(q, acq);
	err = pfs_start(q);
	if (!err)
		err = get_spi(sa, q);
	if (!err)
		err = ike_random(q->ni, q->ni_len);
	if (!err)
		err = send_first_or_second(sa, q);
	if (err) {
		log_error("Quick Mode with %s not started: %s",
			  ikd_addr_str(&sa->remote, true,
				       (char[IKD_ADDR_STRLEN]){ 0 }),
			  strerror(-err));
		ikev1_qm_free(sa, q);
		return err;
	}
	q->state = QM_I1;
	return 0;
}

/* --- receiving ------------------------------------------------------------ */

/* Decrypts with @q's IV and parses; HASH first. The IV waits for the
 * caller's confirm or drop. */
static int qm_open(struct ikev1_sa *sa, struct ikev1_qm_x *q,
		   struct isakmp_msg *m, uint8_t *plain, size_t cap)
{
	if (!(m->flags & ISAKMP_FLAG_E) || m->body.len > cap ||
	    ikev1_decrypt(&sa->k, &q->iv, q->msgid, m->body.ptr, m->body.len,
			  plain, cap))
		return -EBADMSG;
	if (isakmp_msg_parse_body(m, m->np, plain, m->body.len)) {
		/* Decrypted, so likely the peer's, but not yet authentic:
		 * say what the codec refused (a wrong IPCOMP CPI size...). */
		log_info("Quick Mode M-ID 0x%08x: payloads refused: %s",
			 m->msgid, m->err_text ? m->err_text : "malformed");
		ikev1_iv_drop(&q->iv);
		return -EBADMSG;
	}
	if (!m->npl || m->pl[0].type != ISAKMP_PL_HASH ||
	    m->pl[0].body.len != sa->k.prflen) {
		ikev1_iv_drop(&q->iv);
		return -EBADMSG;
	}
	return 0;
}

static bool hash_ok(const struct ikev1_sa *sa, const struct ikev1_qm_x *q,
		    const struct isakmp_msg *m, int which)
{
	struct isakmp_chunk c = isakmp_msg_after(m, &m->pl[0]);
	struct ike_span rest = { c.ptr, c.len };
	struct ike_span ni = { q->ni, q->ni_len }, nr = { q->nr, q->nr_len };
	uint8_t h[IKE_MAX_PRF];
	int err = which == 1 ? ikev1_qm_hash1(&sa->k, q->msgid, rest, h) :
		  which == 2 ? ikev1_qm_hash2(&sa->k, q->msgid, ni, rest, h) :
		  ikev1_qm_hash3(&sa->k, q->msgid, ni, nr, h);

	return !err && !CRYPTO_memcmp(h, m->pl[0].body.ptr, sa->k.prflen);
}

static int take_nonce(struct ikev1_qm_x *q, const struct isakmp_msg *m)
{
	const struct isakmp_pl *pl = isakmp_msg_find(m, ISAKMP_PL_NONCE, NULL);

	if (!pl)
		return -EBADMSG;
	memcpy(q->initiator ? q->nr : q->ni, pl->body.ptr, pl->body.len);
	*(q->initiator ? &q->nr_len : &q->ni_len) = pl->body.len;
	return 0;
}

/* Responder: HASH(1), SA, Ni, IDci, IDcr. */
static int qm_respond(struct ikev1_sa *sa, struct isakmp_msg *m)
{
	struct ike_engine *e = sa->eng;
	uint8_t plain[IKEV1_MSG_MAX];
	const struct ike_child_cfg *ccfg;
	const struct isakmp_pl *idci, *idcr;
	struct ikev1_qm_x *q = qm_new(sa, m->msgid);
	uint8_t proto_r = 0, proto_i = 0;
	int err = -EBADMSG;

	if (!q)
		return -ENOMEM;
	if (qm_open(sa, q, m, plain, sizeof(plain)))
		goto fail;
	if (!hash_ok(sa, q, m, 1)) {
		ikev1_iv_drop(&q->iv);
		goto fail;
	}
	idci = isakmp_msg_find(m, ISAKMP_PL_ID, NULL);
	idcr = idci ? isakmp_msg_find(m, ISAKMP_PL_ID, idci) : NULL;
	if ((idci ? !idcr ||
	     sel_of_id(idcr, &q->sel.src, &q->sel.src_plen, &proto_r) ||
	     sel_of_id(idci, &q->sel.dst, &q->sel.dst_plen, &proto_i) ||
	     proto_r != proto_i : peers_sel(sa, &q->sel)) ||
	    take_nonce(q, m)) {
		ikev1_iv_drop(&q->iv);
		goto fail;
	}
	if (idci)
		q->sel.proto = proto_i;
	q->no_ids = !idci;	/* then our answer has none either */
	if (q->no_ids)
		log_debug("Quick Mode M-ID 0x%08x without IDs: the peers' "
			  "addresses", q->msgid);
	ikev1_iv_confirm(&q->iv);
	ikev1_qm_accepted(q, m->raw, m->raw_len);
	ccfg = e->env.child_cfg(e->env.arg, &sa->cfg, &q->sel);
	if (!ccfg)
		goto fail;
	q->cfg = *ccfg;
	/* The lifetime: proposal_check's verdict (ikev1_qm_choose()). */
	if (ikev1_qm_choose(q, m)) {
		log_error("no proposal chosen for Quick Mode with %s",
			  ikd_addr_str(&sa->remote, true,
				       (char[IKD_ADDR_STRLEN]){ 0 }));
		e->stats.child_failed++;
		/* Told, so that the initiator stops retransmitting. */
		ikev1_info_notify(sa, ISAKMP_N_NO_PROPOSAL_CHOSEN);
		err = -ECONNREFUSED;	/* told and logged, not dropped */
		goto fail;
	}
	if (ikev1_qm_check_ids(sa, q)) {
		e->stats.child_failed++;
		ikev1_info_notify(sa, ISAKMP_N_INVALID_ID_INFORMATION);
		err = -ECONNREFUSED;
		goto fail;
	}
	ikev1_natt_take_oa(q, m);
	err = pfs_start(q);
	if (!err)
		err = pfs_finish(q, m);
	if (err) {
		log_error("Quick Mode with %s: PFS group %u: %s",
			  ikd_addr_str(&sa->remote, true,
				       (char[IKD_ADDR_STRLEN]){ 0 }),
			  q->dh_group, strerror(-err));
		e->stats.child_failed++;
		goto fail;
	}
	q->nr_len = IKEV1_NONCE_LEN;
	err = get_spi(sa, q);
	if (!err)
		err = ike_random(q->nr, q->nr_len);
	if (!err)
		err = send_first_or_second(sa, q);
	if (err)
		goto fail;
	OPENSSL_cleanse(plain, sizeof(plain));
	q->state = QM_R1;
	return 0;
fail:
	OPENSSL_cleanse(plain, sizeof(plain));
	ikev1_qm_free(sa, q);
	return err ? err : -EBADMSG;
}

/* Initiator: HASH(2), SA, Nr, [IDci, IDcr]; HASH(3) goes. */
static int qm_second(struct ikev1_sa *sa, struct ikev1_qm_x *q,
		     struct isakmp_msg *m)
{
	uint8_t plain[IKEV1_MSG_MAX], h[IKE_MAX_PRF];
	struct ike_wbuf w;
	struct isakmp_builder b;
	int err = -EBADMSG;

	if (qm_open(sa, q, m, plain, sizeof(plain)))
		return -EBADMSG;
	if (take_nonce(q, m) || !hash_ok(sa, q, m, 2)) {
		ikev1_iv_drop(&q->iv);
		goto out;
	}
	if (ikev1_qm_choose(q, m) || pfs_finish(q, m)) {
		/* Authentic, but not what we offered: it cannot improve. */
		log_error("Quick Mode with %s: the answer is not what we "
			  "offered (transform or PFS)",
			  ikd_addr_str(&sa->remote, true,
				       (char[IKD_ADDR_STRLEN]){ 0 }));
		ikev1_iv_confirm(&q->iv);
		err = -ENOENT;
		goto out;
	}
	ikev1_iv_confirm(&q->iv);
	ikev1_qm_accepted(q, m->raw, m->raw_len);
	ikev1_qm_comp_drop(sa, q);
	ikev1_natt_take_oa(q, m);
	err = install(sa, q);
	ike_wbuf_init(&w, plain, sizeof(plain));
	isakmp_build_chain(&b, &w);
	if (!err)
		err = ikev1_qm_hash3(&sa->k, q->msgid,
				     (struct ike_span){ q->ni, q->ni_len },
				     (struct ike_span){ q->nr, q->nr_len }, h);
	isakmp_build_data(&b, ISAKMP_PL_HASH, h, sa->k.prflen);
	if (!err)
		err = isakmp_build_end(&b);
	if (!err)
		err = qm_send(sa, q, plain, w.len, false);
	if (!err)
		established(sa, q);
out:
	OPENSSL_cleanse(plain, sizeof(plain));
	return err;
}

/* Responder: HASH(3). */
static int qm_third(struct ikev1_sa *sa, struct ikev1_qm_x *q,
		    struct isakmp_msg *m)
{
	uint8_t plain[IKEV1_MSG_MAX];
	int err = -EBADMSG;

	if (qm_open(sa, q, m, plain, sizeof(plain)))
		return -EBADMSG;
	if (!hash_ok(sa, q, m, 3)) {
		ikev1_iv_drop(&q->iv);
		goto out;
	}
	ikev1_iv_confirm(&q->iv);
	ikev1_qm_accepted(q, m->raw, m->raw_len);
	err = install(sa, q);
	if (!err)
		established(sa, q);
out:
	OPENSSL_cleanse(plain, sizeof(plain));
	return err;
}

int ikev1_qm_receive(struct ikev1_sa *sa, struct isakmp_msg *m)
{
	struct ikev1_qm_x *q;
	int err;

	if (sa->state != V1_ESTABLISHED || !m->msgid)
		return -EAGAIN;
	q = qm_find(sa, m->msgid);
	if (!q) {
		err = qm_respond(sa, m);
		return err && err != -ECONNREFUSED ? -EAGAIN : 0;
	}
	if (ikev1_qm_repeated(q, m->raw, m->raw_len))
		return 0;
	if (q->state == QM_I1)
		err = qm_second(sa, q, m);
	else if (q->state == QM_R1)
		err = qm_third(sa, q, m);
	else
		err = -EAGAIN;
	/* Done (its SAs are the kernel's now): the initiator stays a while
	 * to answer a repeated HASH(2) with its HASH(3). Failed for good
	 * after authentication (installation): nothing to wait for. */
	if (q->state == QM_DONE && q->initiator && !err)
		ikev1_qm_linger(q);
	else if (q->state == QM_DONE || (err && err != -EBADMSG))
		ikev1_qm_free(sa, q);
	return err ? -EAGAIN : 0;
}
