// SPDX-License-Identifier: BSD-2-Clause
/*
 * Child SAs (RFC 7296 1.3, 2.17, 3.3): the SA/TS part that IKE_AUTH and
 * CREATE_CHILD_SA share, the CREATE_CHILD_SA exchange itself for new
 * child SAs, KEYMAT, and the kernel: the inbound SPI is allocated early
 * (getspi, it goes into our proposal), then make-before-break, inbound SA
 * completed (update_sa) before the outbound one is added (add_sa).
 *
 * State table of CREATE_CHILD_SA (IKE SA established):
 *
 *   role       message    child state     action            next
 *   initiator  (start)    QUEUED          getspi, request   NEGOTIATING
 *   initiator  response   NEGOTIATING     check, install    INSTALLED
 *                                         error notify      (freed)
 *   responder  request    -               narrow TS, choose,
 *                                         getspi, install,
 *                                         answer            INSTALLED
 *                                         or error notify   (none)
 */
#include "ike_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <openssl/crypto.h>

#include "log.h"

static uint8_t ike_proto(uint8_t ipproto)
{
	return ipproto == IPPROTO_AH ? IKE_PROTO_AH : IKE_PROTO_ESP;
}

const char *ike_mode_name(uint8_t mode)
{
	return mode == IKD_MODE_TRANSPORT ? "Transport" : "Tunnel";
}

const char *ike_child_state_name(enum ike_child_state st)
{
	switch (st) {
	case CHILD_ST_QUEUED: return "queued";
	case CHILD_ST_NEGOTIATING: return "negotiating";
	case CHILD_ST_INSTALLED: return "installed";
	case CHILD_ST_DELETING: return "deleting";
	}
	return "?";
}

struct ike_child *ike_child_new(struct ike_sa *sa)
{
	struct ike_child *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->ike = sa;
	c->state = CHILD_ST_QUEUED;
	c->proto = IPPROTO_ESP;
	c->mode = IKD_MODE_TUNNEL;
	c->next = sa->children;
	sa->children = c;
	return c;
}

struct ike_child *ike_child_find_spi(struct ike_sa *sa, uint8_t proto,
				     uint32_t spi, bool inbound)
{
	for (struct ike_child *c = sa->children; c; c = c->next)
		if (c->proto == proto && spi &&
		    (inbound ? c->spi_in : c->spi_out) == spi)
			return c;
	return NULL;
}

static bool child_carries(const struct ike_child *c, const struct ike_ts *l,
			  const struct ike_ts *r)
{
	bool in_l = false, in_r = false;

	for (unsigned int i = 0; i < c->nlocal; i++)
		in_l |= ike_ts_subset(l, &c->local_ts[i]);
	for (unsigned int i = 0; i < c->nremote; i++)
		in_r |= ike_ts_subset(r, &c->remote_ts[i]);
	return in_l && in_r;
}

/* An ACQUIRE raised just before a child went in (the peer's
 * CREATE_CHILD_SA won the race) asks for traffic that child carries; a
 * second pair of SAs would only be redundant. The kernel is asked whether
 * the outbound SA is still there, so that one deleted behind our back
 * (setkey) is negotiated anew. */
struct ike_child *ike_child_covering(struct ike_sa *sa,
				     const struct ikd_acquire *acq)
{
	const struct ikd_sel *f = &acq->flow, *s = &acq->pol.sel;
	struct ikd_kernel *k = sa->eng->env.kernel;
	struct ikd_addr src, dst;
	struct ikd_sa_use use;
	struct ike_ts l, r;
	uint8_t mode = acq->mode == IKD_MODE_TRANSPORT ? IKD_MODE_TRANSPORT :
			IKD_MODE_TUNNEL;

	if (f->src.family && f->src.family == f->dst.family) {
		ike_ts_from_sel(&l, &f->src, ikd_addr_bits(f->src.family),
				f->proto, f->src.port);
		ike_ts_from_sel(&r, &f->dst, ikd_addr_bits(f->dst.family),
				f->proto, f->dst.port);
	} else {
		ike_ts_from_sel(&l, &s->src, s->src_plen, s->proto,
				s->src.port);
		ike_ts_from_sel(&r, &s->dst, s->dst_plen, s->proto,
				s->dst.port);
	}
	for (struct ike_child *c = sa->children; c; c = c->next) {
		if (c->state != CHILD_ST_INSTALLED || !c->out_installed ||
		    c->proto != acq->proto || c->mode != mode ||
		    !(c->ifname[0] ? ike_kif_wants(c, acq) :
		      child_carries(c, &l, &r)))
			continue;
		ike_child_ends(sa, c, &src, &dst);
		if (!k->ops->sa_use(k, c->proto, c->spi_out, &src, &dst, &use))
			return c;
	}
	return NULL;
}

static void kernel_del(struct ike_sa *sa, struct ike_child *c, bool inbound)
{
	struct ikd_kernel *k = sa->eng->env.kernel;
	struct ikd_addr local, remote;
	int err;

	ike_child_ends(sa, c, &local, &remote);
	err = k->ops->del_sa(k, c->proto, inbound ? c->spi_in : c->spi_out,
			     inbound ? &remote : &local,
			     inbound ? &local : &remote);
	if (err && err != -ENOENT && err != -ESRCH)
		log_warn("cannot delete %s SA spi=0x%08x: %s",
			 c->proto == IPPROTO_AH ? "AH" : "ESP",
			 ntohl(inbound ? c->spi_in : c->spi_out),
			 strerror(-err));
}

void ike_child_free(struct ike_sa *sa, struct ike_child *c, bool kernel)
{
	struct ike_child **pp;

	ike_rekey_forget(sa, c);
	if (kernel) {
		if (c->in_installed || c->has_larval)
			kernel_del(sa, c, true);
		if (c->out_installed)
			kernel_del(sa, c, false);
		if (c->ngen_pol)
			ike_ts_remove_policies(sa, c);
	}
	ike_sa_unqueue_child(sa, c);
	if (sa->done_child == c)
		sa->done_child = NULL;
	for (pp = &sa->children; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	ike_dh_free(c->dh);
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

void ike_child_fail(struct ike_sa *sa, struct ike_child *c, const char *why)
{
	char a[IKE_TS_STRLEN], b[IKE_TS_STRLEN];

	log_error("CHILD_SA for %s === %s not established: %s",
		  ike_ts_str(c->local_ts, c->nlocal, a, sizeof(a)),
		  ike_ts_str(c->remote_ts, c->nremote, b, sizeof(b)), why);
	sa->eng->stats.child_failed++;
	ike_child_free(sa, c, true);
}

/* --- KEYMAT and the kernel ---------------------------------------------- */

/*
 * 2.17: KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr); the keys for the
 * direction initiator -> responder come first, encryption before
 * integrity. "Initiator" is the initiator of the exchange.
 */
static int install(struct ike_sa *sa, struct ike_child *c, bool we_init,
		   const uint8_t *gir, size_t girlen, const uint8_t *ni,
		   size_t nilen, const uint8_t *nr, size_t nrlen)
{
	struct ikd_kernel *k = sa->eng->env.kernel;
	size_t elen = c->ch.encr_info ? c->ch.encr_info->keylen : 0;
	size_t alen = c->ch.integ_info ? c->ch.integ_info->keylen : 0;
	uint8_t seed[IKE_MAX_DH_PUB + 2 * IKE_NONCE_MAX];
	uint8_t km[4 * IKE_MAX_KEY];
	struct ikd_kernel_sa in = { 0 }, out;
	const uint8_t *i2r = km, *r2i = km + elen + alen;
	size_t slen = 0;
	struct ikd_sel sel;
	int err;

	if (elen > IKE_MAX_KEY || alen > IKE_MAX_KEY ||
	    girlen > IKE_MAX_DH_PUB)
		return -EINVAL;
	if (girlen)
		memcpy(seed, gir, girlen), slen += girlen;
	memcpy(seed + slen, ni, nilen), slen += nilen;
	memcpy(seed + slen, nr, nrlen), slen += nrlen;
	err = ike_prf_plus(sa->ch.prf_info, sa->k.d, sa->k.prf_len, seed, slen,
			   km, 2 * (elen + alen));
	OPENSSL_cleanse(seed, sizeof(seed));
	if (err)
		goto out;

	in.proto = c->proto;
	in.mode = c->mode;
	in.reqid = c->reqid;
	in.seq = c->seq;
	in.encr = c->ch.encr;
	in.encr_keybits = c->ch.encr_info ? c->ch.encr_info->keybits : 0;
	in.integ = c->ch.integ;
	in.enc_key_len = elen;
	in.auth_key_len = alen;
	in.esn = c->ch.esn;
	in.replay_window = c->cfg.replay_window ? c->cfg.replay_window : 32;
	in.soft_bytes = c->cfg.soft_bytes;
	in.hard_bytes = c->cfg.hard_bytes;
	in.soft_secs = c->cfg.soft_secs;
	in.hard_secs = c->cfg.hard_secs;
	out = in;
	in.reqid = c->reqid_in;

	ike_ts_child_sel(c, &sel);
	in.spi = c->spi_in;
	ike_child_ends(sa, c, &in.dst, &in.src);
	in.sel.src = sel.dst;
	in.sel.src_plen = sel.dst_plen;
	in.sel.dst = sel.src;
	in.sel.dst_plen = sel.src_plen;
	in.sel.proto = sel.proto;
	in.enc_key = we_init ? r2i : i2r;
	in.auth_key = in.enc_key + elen;
	out.spi = c->spi_out;
	out.src = in.dst;
	out.dst = in.src;
	out.sel = sel;
	out.enc_key = we_init ? i2r : r2i;
	out.auth_key = out.enc_key + elen;
	ike_natt_child_sa(sa, &in, &out);
	in.src.port = in.dst.port = out.src.port = out.dst.port = 0;
	if (!c->natt_oa.family && c->rekey_of)
		c->natt_oa = c->rekey_of->natt_oa;
	if (in.encap_sport && c->natt_oa.family) {
		char ob[IKD_ADDR_STRLEN];

		/* The peer's checksums cover its original address. */
		in.natt_oa = c->natt_oa;
		log_info("NAT-T: inbound SA spi=0x%08x: the peer's original "
			 "address %s is its NAT-OA", ntohl(c->spi_in),
			 ikd_addr_str(&c->natt_oa, false, ob));
	}

	/* Make before break: inbound first, so that the peer's first
	 * packet on the new SA finds it. */
	err = c->has_larval ? k->ops->update_sa(k, &in) : k->ops->add_sa(k, &in);
	if (err) {
		log_error("cannot install inbound SA spi=0x%08x: %s",
			  ntohl(c->spi_in), strerror(-err));
		goto out;
	}
	c->has_larval = false;
	c->in_installed = true;
	if (c->rekey_of && !we_init) {
		/* Responder of a rekey: see ike_rekey.c. */
		ike_rekey_defer_out(c, &out);
		goto out;
	}
	err = k->ops->add_sa(k, &out);
	if (err) {
		log_error("cannot install outbound SA spi=0x%08x: %s",
			  ntohl(c->spi_out), strerror(-err));
		goto out;
	}
	c->out_installed = true;
out:
	OPENSSL_cleanse(km, sizeof(km));
	OPENSSL_cleanse(&out, sizeof(out));
	return err;
}

static void established(struct ike_sa *sa, struct ike_child *c)
{
	struct ikd_timers *t = sa->eng->env.timers;
	char lb[IKD_ADDR_STRLEN], rb[IKD_ADDR_STRLEN], pb[IKE_PROP_STRLEN];
	char a[IKE_TS_STRLEN], b[IKE_TS_STRLEN];
	const char *p = c->proto == IPPROTO_AH ? "AH" : "ESP";
	struct ikd_addr l, r;

	c->state = CHILD_ST_INSTALLED;
	c->established_ms = t->now(t);
	sa->eng->stats.child_established++;
	ike_rekey_arm(sa, c);
	ike_child_ends(sa, c, &l, &r);
	ikd_addr_str(&l, false, lb);
	ikd_addr_str(&r, false, rb);
	/* racoon's wording, one line per direction */
	log_notify("CHILD_SA established: %s/%s %s->%s spi=%u(0x%08x)", p,
		   ike_mode_name(c->mode), rb, lb, ntohl(c->spi_in),
		   ntohl(c->spi_in));
	log_notify("CHILD_SA established: %s/%s %s->%s spi=%u(0x%08x)", p,
		   ike_mode_name(c->mode), lb, rb, ntohl(c->spi_out),
		   ntohl(c->spi_out));
	ike_prop_str_chosen(&c->ch, false, pb, sizeof(pb));
	log_info("CHILD_SA %s === %s, %s, reqid %u%s%s",
		 ike_ts_str(c->local_ts, c->nlocal, a, sizeof(a)),
		 ike_ts_str(c->remote_ts, c->nremote, b, sizeof(b)), pb,
		 c->reqid, c->ifname[0] ? ", interface " : "", c->ifname);
}

static int alloc_spi(struct ike_sa *sa, struct ike_child *c)
{
	struct ikd_kernel *k = sa->eng->env.kernel;
	struct ikd_addr src, dst;
	struct ikd_sel sel;
	int err;

	if (c->spi_in)
		return 0;
	ike_child_ends(sa, c, &dst, &src);
	c->reqid_in = c->reqid;
	if (c->reqid_unique) {
		/* Only then: reading the SPD costs a dump per child. */
		ike_ts_child_sel(c, &sel);
		c->reqid_in = ikd_kernel_in_reqid(k, &sel, c->proto, c->mode,
						  c->reqid);
	}
	err = k->ops->getspi(k, c->proto, c->mode, &src, &dst, c->reqid_in,
			     c->seq, &c->spi_in);
	if (err) {
		log_error("cannot allocate an inbound SPI: %s", strerror(-err));
		return err;
	}
	c->has_larval = true;
	return 0;
}

/* --- the initiator ------------------------------------------------------ */

int ike_child_request(struct ike_sa *sa, struct ike_child *c,
		      struct ike_builder *b, bool in_auth)
{
	struct ike_proposal props[2 * IKE_CFG_MAX_PROPOSALS];
	uint16_t dh = in_auth ? 0 : c->cfg.pfs_group;
	unsigned int n;
	int err;

	err = alloc_spi(sa, c);
	if (err)
		return err;
	n = ike_prop_build_child(&c->cfg, ike_proto(c->proto), c->spi_in, dh,
				 props, 2 * IKE_CFG_MAX_PROPOSALS);
	if (!n) {
		log_error("sainfo has no %s proposal",
			  c->proto == IPPROTO_AH ? "AH" : "ESP");
		return -ENOENT;
	}
	if (c->rekey_of)	/* 1.3.3: the SA it replaces, by our SPI */
		ike_build_notify(b, ike_proto(c->proto),
				 (const uint8_t *)&c->rekey_of->spi_in, 4,
				 IKE_N_REKEY_SA, NULL, 0);
	if (c->mode == IKD_MODE_TRANSPORT)
		ike_build_notify(b, 0, NULL, 0, IKE_N_USE_TRANSPORT_MODE,
				 NULL, 0);
	ike_build_sa(b, props, n);
	if (!in_auth) {
		uint8_t pub[IKE_MAX_DH_PUB];
		size_t plen;

		c->ni_len = IKE_NONCE_LEN;
		if (ike_random(c->ni, c->ni_len))
			return -EIO;
		ike_build_nonce(b, c->ni, c->ni_len);
		if (dh) {
			ike_dh_free(c->dh);
			c->dh = ike_dh_new(dh);
			if (!c->dh || ike_dh_public(c->dh, pub, sizeof(pub),
						    &plen))
				return -ENOMEM;
			ike_build_ke(b, dh, pub, plen);
		}
	}
	ike_build_ts(b, IKE_PL_TSI, c->local_ts, c->nlocal);
	ike_build_ts(b, IKE_PL_TSR, c->remote_ts, c->nremote);
	c->state = CHILD_ST_NEGOTIATING;
	return 0;
}

int ike_child_start(struct ike_sa *sa, struct ike_child *c)
{
	uint8_t buf[4096];
	struct ike_wbuf w;
	struct ike_builder b;
	int err;

	ike_wbuf_init(&w, buf, sizeof(buf));
	ike_build_chain(&b, &w);
	err = ike_child_request(sa, c, &b, false);
	if (err)
		return err;
	return ike_sa_send_request(sa, REQ_CHILD, IKE_CREATE_CHILD_SA, c, &b);
}

/* The peer answered with an SA we cannot take: its half exists, so we
 * tell it with a DELETE (our inbound SPI) before the child goes. */
static void refuse_answer(struct ike_sa *sa, struct ike_child *c,
			  const char *why)
{
	char a[IKE_TS_STRLEN], b[IKE_TS_STRLEN];

	log_error("CHILD_SA for %s === %s not established: %s",
		  ike_ts_str(c->local_ts, c->nlocal, a, sizeof(a)),
		  ike_ts_str(c->remote_ts, c->nremote, b, sizeof(b)), why);
	sa->eng->stats.child_failed++;
	c->state = CHILD_ST_DELETING;
	ike_sa_queue(sa, REQ_DEL_CHILD, c, 0);
}

/* Every selector the peer returned must lie in one we proposed. */
static bool ts_narrowed(const struct ike_ts_pl *got, const struct ike_ts *ours,
			unsigned int n)
{
	if (!got->nts)
		return false;
	for (unsigned int i = 0; i < got->nts; i++) {
		bool in = false;

		for (unsigned int j = 0; j < n && !in; j++)
			in = ike_ts_subset(&got->ts[i], &ours[j]);
		if (!in)
			return false;
	}
	return true;
}

int ike_child_response(struct ike_sa *sa, struct ike_child *c,
		       const struct ike_msg *m, bool in_auth)
{
	const struct ike_notify_pl *err = ike_msg_error_notify(m);
	uint16_t dh = in_auth ? 0 : c->cfg.pfs_group;
	uint8_t gir[IKE_MAX_DH_PUB];
	size_t girlen = 0;
	char why[IKE_PROP_STRLEN + 64], pb[IKE_PROP_STRLEN];
	struct ike_ts_pl tsi, tsr;
	bool transport;
	int rc;

	if (err) {
		ike_stats_fail(sa->eng, err->type);
		if (err->type == IKE_N_NO_PROPOSAL_CHOSEN) {
			ike_prop_str_child_cfg(&c->cfg, dh, pb, sizeof(pb));
			snprintf(why, sizeof(why), "peer answered "
				 "NO_PROPOSAL_CHOSEN; we offered %s", pb);
		} else if (err->type == IKE_N_INVALID_KE_PAYLOAD &&
			   err->data.len == 2) {
			snprintf(why, sizeof(why), "peer answered "
				 "INVALID_KE_PAYLOAD: it wants PFS group %u, "
				 "sainfo has %u", ike_be16(err->data.ptr), dh);
		} else {
			snprintf(why, sizeof(why), "peer answered %s",
				 ike_notify_name(err->type));
		}
		ike_child_fail(sa, c, why);
		return -ECONNREFUSED;
	}
	if (!ike_msg_has(m, IKE_PL_SA) || !ike_msg_has(m, IKE_PL_TSI) ||
	    !ike_msg_has(m, IKE_PL_TSR) ||
	    (!in_auth && !ike_msg_has(m, IKE_PL_NONCE)) ||
	    (dh && !ike_msg_has(m, IKE_PL_KE))) {
		ike_child_fail(sa, c, "peer's answer lacks SA, TS, nonce or KE");
		return -EBADMSG;
	}
	if (ike_prop_check_child(&c->cfg, ike_proto(c->proto), &m->sa, dh,
				 &c->ch, &c->spi_out)) {
		ike_prop_str_offer(&m->sa, pb, sizeof(pb));
		snprintf(why, sizeof(why), "peer chose %s, which we did not "
			 "offer", pb);
		refuse_answer(sa, c, why);
		return -EPROTO;
	}
	/* 2.23.1: an answer across a NAT may name our address after it. */
	tsi = m->tsi;
	tsr = m->tsr;
	if (c->mode == IKD_MODE_TRANSPORT)
		ike_natt_transport_ts(sa, &tsi, &tsr, &c->natt_oa);
	if (!ts_narrowed(&tsi, c->local_ts, c->nlocal) ||
	    !ts_narrowed(&tsr, c->remote_ts, c->nremote)) {
		char a[IKE_TS_STRLEN], b[IKE_TS_STRLEN];

		snprintf(why, sizeof(why), "peer's selectors TSi=%s TSr=%s are "
			 "not within ours",
			 ike_ts_str(m->tsi.ts, m->tsi.nts, a, sizeof(a)),
			 ike_ts_str(m->tsr.ts, m->tsr.nts, b, sizeof(b)));
		refuse_answer(sa, c, why);
		return -EPROTO;
	}
	transport = ike_msg_notify(m, IKE_N_USE_TRANSPORT_MODE) != NULL;
	if (transport != (c->mode == IKD_MODE_TRANSPORT)) {
		/* The peer set up the SA in the other mode (2.9, 1.3.1):
		 * its half exists, so it must be deleted. */
		refuse_answer(sa, c, transport ?
			      "peer answered transport mode to a tunnel request" :
			      "peer refused transport mode");
		return -EPROTO;
	}
	c->nlocal = tsi.nts < IKE_CHILD_MAX_TS ? tsi.nts : IKE_CHILD_MAX_TS;
	memcpy(c->local_ts, tsi.ts, c->nlocal * sizeof(c->local_ts[0]));
	c->nremote = tsr.nts < IKE_CHILD_MAX_TS ? tsr.nts : IKE_CHILD_MAX_TS;
	memcpy(c->remote_ts, tsr.ts, c->nremote * sizeof(c->remote_ts[0]));
	if (!in_auth) {
		c->nr_len = m->nonce.len;
		memcpy(c->nr, m->nonce.ptr, m->nonce.len);
		if (dh) {
			if (m->ke.group != dh ||
			    ike_dh_shared(c->dh, m->ke.data.ptr, m->ke.data.len,
					  gir, sizeof(gir), &girlen)) {
				refuse_answer(sa, c, "peer's KE payload is not "
					      "a valid value of our PFS group");
				return -EPROTO;
			}
		}
		rc = install(sa, c, true, gir, girlen, c->ni, c->ni_len, c->nr,
			     c->nr_len);
	} else {
		rc = install(sa, c, true, NULL, 0, sa->ni, sa->ni_len, sa->nr,
			     sa->nr_len);
	}
	OPENSSL_cleanse(gir, sizeof(gir));
	if (rc) {
		/* Our half is not there: the peer's must go too. */
		c->state = CHILD_ST_DELETING;
		ike_sa_queue(sa, REQ_DEL_CHILD, c, 0);
		sa->eng->stats.child_failed++;
		return rc;
	}
	established(sa, c);
	return 0;
}

/* --- the responder ------------------------------------------------------ */

static void refuse(struct ike_builder *rb, uint16_t type, const uint8_t *data,
		   size_t len)
{
	ike_build_notify(rb, 0, NULL, 0, type, data, len);
}

/* The protocol the peer asks for: that of its first usable proposal. */
static uint8_t wanted_proto(const struct ike_sa_pl *sa)
{
	for (unsigned int i = 0; i < sa->nprop; i++) {
		if (sa->prop[i].unusable)
			continue;
		if (sa->prop[i].proto == IKE_PROTO_AH)
			return IPPROTO_AH;
		if (sa->prop[i].proto == IKE_PROTO_ESP)
			return IPPROTO_ESP;
	}
	return IPPROTO_ESP;
}

void ike_child_respond(struct ike_sa *sa, const struct ike_msg *m,
		       struct ike_builder *rb, bool in_auth)
{
	struct ike_engine *e = sa->eng;
	const struct ike_child_cfg *cfg;
	struct ike_proposal reply;
	struct ike_child *c, *old = NULL;
	uint16_t rekey_err;
	struct ikd_sel sel;
	uint8_t gir[IKE_MAX_DH_PUB], pub[IKE_MAX_DH_PUB];
	size_t girlen = 0, publen = 0;
	char a[IKE_PROP_STRLEN], b[IKE_PROP_STRLEN];
	struct ike_ts_pl tsi, tsr;
	bool generate = false;
	int err;

	if (!in_auth && ike_msg_has(m, IKE_PL_SA) &&
	    m->sa.prop[0].proto == IKE_PROTO_IKE) {
		/* An IKE SA rekey: no TS (ike_rekey_ike.c). */
		ike_rekey_ike_respond(sa, m, rb);
		return;
	}
	if (!ike_msg_has(m, IKE_PL_SA) || !ike_msg_has(m, IKE_PL_TSI) ||
	    !ike_msg_has(m, IKE_PL_TSR) ||
	    (!in_auth && !ike_msg_has(m, IKE_PL_NONCE))) {
		refuse(rb, IKE_N_INVALID_SYNTAX, NULL, 0);
		return;
	}

	rekey_err = in_auth ? 0 : ike_rekey_lookup(sa, m, &old);
	if (rekey_err) {
		refuse(rb, rekey_err, NULL, 0);
		return;
	}
	c = ike_child_new(sa);
	if (!c) {
		refuse(rb, IKE_N_TEMPORARY_FAILURE, NULL, 0);
		return;
	}
	c->rekey_of = old;
	c->state = CHILD_ST_NEGOTIATING;
	c->proto = wanted_proto(&m->sa);
	c->mode = ike_msg_notify(m, IKE_N_USE_TRANSPORT_MODE) ?
		  IKD_MODE_TRANSPORT : IKD_MODE_TUNNEL;
	/* 2.23.1: across a NAT, the SPD is asked with the IKE SA's
	 * addresses, and the answer carries them. */
	tsi = m->tsi;
	tsr = m->tsr;
	if (c->mode == IKD_MODE_TRANSPORT)
		ike_natt_transport_ts(sa, &tsr, &tsi, &c->natt_oa);
	/* A remote block with an interface has no SPD (ike_kif.c). */
	if (sa->cfg->ifname[0] ? ike_kif_narrow(sa, c, &tsi, &tsr) :
	    ike_ts_narrow(sa, c, &tsi, &tsr, &generate)) {
		ike_child_free(sa, c, false);
		e->stats.child_failed++;
		ike_stats_fail(e, IKE_N_TS_UNACCEPTABLE);
		refuse(rb, IKE_N_TS_UNACCEPTABLE, NULL, 0);
		return;
	}
	/* The exchange's initiator is the peer: its side is TSi. */
	ike_ts_child_sel(c, &sel);
	cfg = e->env.child_cfg(e->env.arg, sa->cfg, &sel);
	if (!cfg) {
		char t1[IKE_TS_STRLEN], t2[IKE_TS_STRLEN];

		log_error("no sainfo for %s === %s (peer %s): refusing the "
			  "CHILD_SA", ike_ts_str(c->local_ts, 1, t1, sizeof(t1)),
			  ike_ts_str(c->remote_ts, 1, t2, sizeof(t2)),
			  sa->cfg->name);
		goto no_proposal;
	}
	c->cfg = *cfg;
	if (generate && c->cfg.mode && c->cfg.mode != c->mode) {
		log_error("peer asks for %s mode, sainfo wants %s",
			  ike_mode_name(c->mode), ike_mode_name(c->cfg.mode));
		goto no_proposal;
	}
	if (ike_prop_choose_child(&c->cfg, ike_proto(c->proto), &m->sa,
				  !in_auth, &c->ch, &c->spi_out)) {
		ike_prop_str_offer(&m->sa, a, sizeof(a));
		ike_prop_str_child_cfg(&c->cfg, in_auth ? 0 : c->cfg.pfs_group,
				       b, sizeof(b));
		log_error("no proposal chosen for CHILD_SA with %s: peer "
			  "offered %s; we accept %s", sa->cfg->name, a, b);
		goto no_proposal;
	}
	if (!c->reqid)	/* a rekey keeps the old child's */
		c->reqid = old ? old->reqid : e->next_reqid++;
	if (!in_auth) {
		c->ni_len = m->nonce.len;
		memcpy(c->ni, m->nonce.ptr, m->nonce.len);
		c->nr_len = IKE_NONCE_LEN;
		if (ike_random(c->nr, c->nr_len))
			goto temporary;
		if (c->ch.dh) {
			uint8_t g[2] = { (uint8_t)(c->ch.dh >> 8),
					 (uint8_t)c->ch.dh };

			if (!ike_msg_has(m, IKE_PL_KE) || m->ke.group != c->ch.dh) {
				log_info("CREATE_CHILD_SA: asking the peer for "
					 "PFS group %u", c->ch.dh);
				ike_child_free(sa, c, false);
				refuse(rb, IKE_N_INVALID_KE_PAYLOAD, g, 2);
				return;
			}
			c->dh = ike_dh_new(c->ch.dh);
			if (!c->dh ||
			    ike_dh_public(c->dh, pub, sizeof(pub), &publen) ||
			    ike_dh_shared(c->dh, m->ke.data.ptr, m->ke.data.len,
					  gir, sizeof(gir), &girlen)) {
				ike_child_free(sa, c, false);
				refuse(rb, IKE_N_INVALID_SYNTAX, NULL, 0);
				return;
			}
		}
	}
	err = alloc_spi(sa, c);
	if (!err)
		err = in_auth ?
		      install(sa, c, false, NULL, 0, sa->ni, sa->ni_len,
			      sa->nr, sa->nr_len) :
		      install(sa, c, false, gir, girlen, c->ni, c->ni_len,
			      c->nr, c->nr_len);
	OPENSSL_cleanse(gir, sizeof(gir));
	if (!err && generate)
		err = ike_ts_install_policies(sa, c);
	if (err)
		goto temporary;

	if (c->mode == IKD_MODE_TRANSPORT)
		ike_build_notify(rb, 0, NULL, 0, IKE_N_USE_TRANSPORT_MODE,
				 NULL, 0);
	ike_prop_reply(&c->ch, ike_proto(c->proto), (const uint8_t *)&c->spi_in,
		       4, false, &reply);
	ike_build_sa(rb, &reply, 1);
	if (!in_auth) {
		ike_build_nonce(rb, c->nr, c->nr_len);
		if (c->ch.dh)
			ike_build_ke(rb, c->ch.dh, pub, publen);
	}
	ike_build_ts(rb, IKE_PL_TSI, c->remote_ts, c->nremote);
	ike_build_ts(rb, IKE_PL_TSR, c->local_ts, c->nlocal);
	ike_dh_free(c->dh);
	c->dh = NULL;
	established(sa, c);
	return;

no_proposal:
	ike_child_free(sa, c, true);
	e->stats.child_failed++;
	ike_stats_fail(e, IKE_N_NO_PROPOSAL_CHOSEN);
	refuse(rb, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
	return;
temporary:
	ike_child_free(sa, c, true);
	e->stats.child_failed++;
	refuse(rb, IKE_N_TEMPORARY_FAILURE, NULL, 0);
}

/* --- CREATE_CHILD_SA handlers ------------------------------------------- */

static int child_request(struct ike_sa *sa, const struct ike_msg *m,
			 struct ike_builder *rb)
{
	ike_child_respond(sa, m, rb, false);
	return IKE_H_REPLY;
}

static int child_response(struct ike_sa *sa, const struct ike_msg *m,
			  struct ike_builder *rb)
{
	(void)rb;
	if (sa->done_kind == REQ_REKEY_IKE) {
		ike_rekey_ike_response(sa, m);
		return 0;
	}
	if (!sa->done_child)	/* it went meanwhile (expire, delete) */
		return 0;
	if (sa->done_child->rekey_ours)
		ike_rekey_response(sa, sa->done_child, m);
	else
		ike_child_response(sa, sa->done_child, m, false);
	return 0;
}

const struct ike_handler ike_child_handlers[] = {
	{ IKE_CREATE_CHILD_SA, false, IKE_ST_BIT(IKE_ST_ESTABLISHED),
	  child_request },
	{ IKE_CREATE_CHILD_SA, true, IKE_ST_BIT(IKE_ST_ESTABLISHED) |
	  IKE_ST_BIT(IKE_ST_DELETING), child_response },
	{ 0, false, 0, NULL },
};

/* --- deleting ----------------------------------------------------------- */

int ike_child_delete_start(struct ike_sa *sa, struct ike_child *c)
{
	uint8_t buf[64];
	struct ike_wbuf w;
	struct ike_builder b;

	ike_wbuf_init(&w, buf, sizeof(buf));
	ike_build_chain(&b, &w);
	ike_build_delete(&b, ike_proto(c->proto), 4,
			 (const uint8_t *)&c->spi_in, 1);
	c->state = CHILD_ST_DELETING;
	return ike_sa_send_request(sa, REQ_DEL_CHILD, IKE_INFORMATIONAL, c, &b);
}
