// SPDX-License-Identifier: BSD-2-Clause
/*
 * kernel.h values to PF_KEY messages and back (kernel_pfkey.h), only
 * through libpfkey's builder, parser and algorithm table.
 *
 * Linux's af_key takes a kipsec extension silently and installs something
 * else (docs/kipsec-extensions.md), and truncates HMAC-SHA2-256 to 96 bits
 * where IKEv2's AUTH_HMAC_SHA2_256_128 means 128: so against af_key those
 * are refused here, with a reason, rather than installed differently.
 */
#include "kernel_pfkey.h"

#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/udp.h>

/* af_key's replay bitmap is one u32. */
#define AFKEY_REPLAY_MAX	32u
/* sadb_sa_replay is a u8 (packets, as Linux counts it). */
#define SA_REPLAY_FIELD_MAX	255u

static int mode_to_pfkey(uint8_t mode)
{
	switch (mode) {
	case IKD_MODE_TRANSPORT:
		return IPSEC_MODE_TRANSPORT;
	case IKD_MODE_TUNNEL:
		return IPSEC_MODE_TUNNEL;
	}
	return -EINVAL;
}

static uint8_t mode_from_pfkey(unsigned int mode)
{
	switch (mode) {
	case IPSEC_MODE_TRANSPORT:
		return IKD_MODE_TRANSPORT;
	case IPSEC_MODE_TUNNEL:
		return IKD_MODE_TUNNEL;
	}
	return 0;
}

static int dir_to_pfkey(uint8_t dir)
{
	switch (dir) {
	case IKD_DIR_IN:
		return IPSEC_DIR_INBOUND;
	case IKD_DIR_OUT:
		return IPSEC_DIR_OUTBOUND;
	case IKD_DIR_FWD:
		return IPSEC_DIR_FWD;
	}
	return -EINVAL;
}

static uint8_t dir_from_pfkey(unsigned int dir)
{
	switch (dir) {
	case IPSEC_DIR_INBOUND:
		return IKD_DIR_IN;
	case IPSEC_DIR_OUTBOUND:
		return IKD_DIR_OUT;
	case IPSEC_DIR_FWD:
		return IKD_DIR_FWD;
	}
	return 0;
}

/* An address extension; ports and prefix from the ikd value. */
static int add_addr(struct pfkey_buf *b, uint16_t exttype,
		    const struct ikd_addr *a, uint8_t plen, uint8_t proto)
{
	struct sockaddr_storage ss;

	if (!ikd_addr_to_sockaddr(a, &ss))
		return -EAFNOSUPPORT;
	return pfkey_add_address(b, exttype, (const struct sockaddr *)&ss,
				 plen, proto);
}

static int add_endpoints(struct pfkey_buf *b, const struct ikd_addr *src,
			 const struct ikd_addr *dst)
{
	struct ikd_addr s = *src, d = *dst;
	int err;

	if (!src->family || src->family != dst->family)
		return -EINVAL;
	/* SA endpoints carry no ports: those go in NAT-T extensions. */
	s.port = d.port = 0;
	err = add_addr(b, SADB_EXT_ADDRESS_SRC, &s, 0xff, IPSEC_ULPROTO_ANY);
	if (!err)
		err = add_addr(b, SADB_EXT_ADDRESS_DST, &d, 0xff,
			       IPSEC_ULPROTO_ANY);
	return err;
}

/* The algorithms, keys and checks of one SA; fills *auth and *enc. */
static int sa_algs(const struct ikd_kernel_sa *sa, enum ikd_pf_kernel kern,
		   uint8_t *auth, uint8_t *enc, const char **why)
{
	const struct pfkey_alg *e = NULL, *a = NULL;

	*auth = SADB_AALG_NONE;
	*enc = SADB_EALG_NONE;
	switch (sa->proto) {
	case IPPROTO_COMP:
		if (sa->encr || sa->integ || sa->enc_key_len || sa->auth_key_len)
			return -EINVAL;
		e = pfkey_alg_by_ikev2(PFKEY_ALG_COMP, sa->comp);
		if (!e) {
			*why = "no such IPcomp transform in PF_KEY";
			return -EOPNOTSUPP;
		}
		*enc = e->id;
		return 0;
	case IPPROTO_ESP:
		e = pfkey_alg_by_ikev2(PFKEY_ALG_ENCRYPT, sa->encr);
		if (!e) {
			*why = "no such encryption transform in PF_KEY";
			return -EOPNOTSUPP;
		}
		/* IKE's key length excludes the salt PF_KEY keys carry. */
		if (!pfkey_alg_key_ok(e, (unsigned int)sa->enc_key_len * 8) ||
		    (sa->encr_keybits && sa->enc_key_len * 8 !=
		     (size_t)sa->encr_keybits + e->salt_bits))
			return -EINVAL;
		if (e->aead && sa->integ)
			return -EINVAL;
		if (e->aead && kern == IKD_PF_AFKEY) {
			*why = "Linux af_key has no combined-mode (AEAD) ciphers";
			return -EOPNOTSUPP;
		}
		*enc = e->id;
		break;
	case IPPROTO_AH:
		if (sa->encr || sa->enc_key_len || !sa->integ)
			return -EINVAL;
		break;
	default:
		return -EPROTONOSUPPORT;
	}
	if (sa->integ) {
		a = pfkey_alg_by_ikev2(PFKEY_ALG_AUTH, sa->integ);
		if (!a) {
			*why = "no such integrity transform in PF_KEY";
			return -EOPNOTSUPP;
		}
		if (!pfkey_alg_key_ok(a, (unsigned int)sa->auth_key_len * 8))
			return -EINVAL;
		if (a->id == SADB_X_AALG_SHA2_256HMAC && kern == IKD_PF_AFKEY) {
			*why = "Linux af_key truncates HMAC-SHA2-256 to 96 bits, "
			       "not RFC 4868's 128";
			return -EOPNOTSUPP;
		}
		*auth = a->id;
	} else if (sa->auth_key_len) {
		return -EINVAL;
	}
	return 0;
}

int ikd_pf_build_sa(struct pfkey_buf *b, uint8_t type,
		    const struct ikd_kernel_sa *sa, enum ikd_pf_kernel kern,
		    uint32_t seq, uint32_t pid, const char **why)
{
	uint8_t satype = (uint8_t)pfkey_proto_to_satype(sa->proto);
	uint8_t auth, enc, replay;
	bool ext;
	int mode = mode_to_pfkey(sa->mode), err;

	*why = NULL;
	if (!satype)
		return -EPROTONOSUPPORT;
	if ((type != SADB_ADD && type != SADB_UPDATE) || mode < 0)
		return -EINVAL;
	err = sa_algs(sa, kern, &auth, &enc, why);
	if (err)
		return err;
	if (sa->replay_window > KIPSEC_REPLAY_MAX)
		return -EINVAL;
	if (kern == IKD_PF_AFKEY && sa->esn) {
		*why = "Linux af_key has no extended sequence numbers";
		return -EOPNOTSUPP;
	}
	if (kern == IKD_PF_AFKEY && sa->replay_window > AFKEY_REPLAY_MAX) {
		*why = "Linux af_key caps replay windows at 32 packets";
		return -EOPNOTSUPP;
	}
	if (!sa->encap_sport != !sa->encap_dport ||
	    (sa->encap_sport && sa->proto != IPPROTO_ESP) ||
	    (sa->natt_oa.family && !sa->encap_sport))
		return -EINVAL;
	/* kipsec's extension only when a value needs it (as setkey). */
	ext = sa->esn || sa->replay_window > SA_REPLAY_FIELD_MAX;
	replay = (uint8_t)(sa->replay_window > SA_REPLAY_FIELD_MAX ?
			   SA_REPLAY_FIELD_MAX : sa->replay_window);

	if (!pfkey_msg_begin(b, type, satype, seq, pid))
		return b->err ? -b->err : -EMSGSIZE;
	/* RFC 2367 wants MATURE in ADD/UPDATE; both kernels ignore it. */
	pfkey_add_sa(b, sa->spi, replay, SADB_SASTATE_MATURE, auth, enc, 0);
	pfkey_add_sa2(b, (uint8_t)mode, sa->reqid, 0);
	err = add_endpoints(b, &sa->src, &sa->dst);
	if (err)
		return err;
	if (sa->hard_bytes || sa->hard_secs)
		pfkey_add_lifetime(b, SADB_EXT_LIFETIME_HARD, 0, sa->hard_bytes,
				   sa->hard_secs, 0);
	if (sa->soft_bytes || sa->soft_secs)
		pfkey_add_lifetime(b, SADB_EXT_LIFETIME_SOFT, 0, sa->soft_bytes,
				   sa->soft_secs, 0);
	if (sa->auth_key_len)
		pfkey_add_key(b, SADB_EXT_KEY_AUTH, sa->auth_key,
			      sa->auth_key_len);
	/* ESP always has an encryption key extension, empty for null
	 * encryption: af_key refuses an ESP SA without one. */
	if (sa->proto == IPPROTO_ESP)
		pfkey_add_key(b, SADB_EXT_KEY_ENCRYPT, sa->enc_key,
			      sa->enc_key_len);
	if (ext)
		pfkey_add_kipsec_sa(b, sa->replay_window,
				    sa->esn ? KIPSEC_SA_F_ESN : 0, 0);
	if (sa->encap_sport) {
		pfkey_add_nat_t_type(b, UDP_ENCAP_ESPINUDP);
		pfkey_add_nat_t_port(b, SADB_X_EXT_NAT_T_SPORT,
				     htons(sa->encap_sport));
		pfkey_add_nat_t_port(b, SADB_X_EXT_NAT_T_DPORT,
				     htons(sa->encap_dport));
		if (sa->natt_oa.family) {
			struct ikd_addr oa = sa->natt_oa;

			oa.port = 0;
			err = add_addr(b, SADB_X_EXT_NAT_T_OA, &oa, 0xff,
				       IPSEC_ULPROTO_ANY);
			if (err)
				return err;
		}
	}
	/* The builder's error is sticky: one check covers every add. */
	return pfkey_msg_end(b);
}

int ikd_pf_build_getspi(struct pfkey_buf *b, uint8_t proto, uint8_t mode,
			const struct ikd_addr *src, const struct ikd_addr *dst,
			uint32_t reqid, uint32_t seq, uint32_t pid)
{
	uint8_t satype = (uint8_t)pfkey_proto_to_satype(proto);
	int pmode = mode_to_pfkey(mode), err;

	if (!satype || pmode < 0)
		return -EINVAL;
	if (!pfkey_msg_begin(b, SADB_GETSPI, satype, seq, pid))
		return b->err ? -b->err : -EMSGSIZE;
	pfkey_add_sa2(b, (uint8_t)pmode, reqid, 0);
	err = add_endpoints(b, src, dst);
	if (err)
		return err;
	if (proto == IPPROTO_COMP)
		pfkey_add_spirange(b, IKD_PF_CPI_MIN, IKD_PF_CPI_MAX);
	else
		pfkey_add_spirange(b, IKD_PF_SPI_MIN, IKD_PF_SPI_MAX);
	return pfkey_msg_end(b);
}

int ikd_pf_build_update_encap(struct pfkey_buf *b,
			      const struct ikd_kernel_sa *sa, uint32_t seq,
			      uint32_t pid)
{
	uint8_t satype = (uint8_t)pfkey_proto_to_satype(sa->proto);
	int err;

	if (sa->proto != IPPROTO_ESP || !sa->encap_sport || !sa->encap_dport)
		return -EINVAL;
	if (!pfkey_msg_begin(b, SADB_UPDATE, satype, seq, pid))
		return b->err ? -b->err : -EMSGSIZE;
	pfkey_add_sa(b, sa->spi, 0, SADB_SASTATE_MATURE, 0, 0, 0);
	err = add_endpoints(b, &sa->src, &sa->dst);
	if (err)
		return err;
	pfkey_add_nat_t_type(b, UDP_ENCAP_ESPINUDP);
	pfkey_add_nat_t_port(b, SADB_X_EXT_NAT_T_SPORT, htons(sa->encap_sport));
	pfkey_add_nat_t_port(b, SADB_X_EXT_NAT_T_DPORT, htons(sa->encap_dport));
	return pfkey_msg_end(b);
}

int ikd_pf_build_sa_id(struct pfkey_buf *b, uint8_t type, uint8_t proto,
		       uint32_t spi, const struct ikd_addr *src,
		       const struct ikd_addr *dst, uint32_t seq, uint32_t pid)
{
	uint8_t satype = (uint8_t)pfkey_proto_to_satype(proto);
	int err;

	if (!satype || (type != SADB_GET && type != SADB_DELETE))
		return -EINVAL;
	if (!pfkey_msg_begin(b, type, satype, seq, pid))
		return b->err ? -b->err : -EMSGSIZE;
	pfkey_add_sa(b, spi, 0, 0, 0, 0, 0);
	err = add_endpoints(b, src, dst);
	if (err)
		return err;
	return pfkey_msg_end(b);
}

int ikd_pf_build_spdadd(struct pfkey_buf *b,
			const struct ikd_kernel_policy *p, uint32_t seq,
			uint32_t pid)
{
	struct pfkey_policy_req req[IKD_KERNEL_MAX_REQS];
	struct sockaddr_storage ts[IKD_KERNEL_MAX_REQS][2];
	uint8_t proto = p->sel.proto ? p->sel.proto : IPSEC_ULPROTO_ANY;
	int dir = dir_to_pfkey(p->dir), err;

	if (dir < 0 || p->nreqs > IKD_KERNEL_MAX_REQS ||
	    !p->sel.src.family || p->sel.src.family != p->sel.dst.family)
		return -EINVAL;
	for (unsigned int i = 0; i < p->nreqs; i++) {
		const struct ikd_kernel_req *r = &p->req[i];
		int mode = mode_to_pfkey(r->mode);

		if (mode < 0)
			return -EINVAL;
		req[i] = (struct pfkey_policy_req){
			.proto = r->proto, .mode = (uint8_t)mode,
			.level = r->level, .reqid = r->reqid,
		};
		if (r->tsrc.family) {
			if (!ikd_addr_to_sockaddr(&r->tsrc, &ts[i][0]) ||
			    !ikd_addr_to_sockaddr(&r->tdst, &ts[i][1]))
				return -EINVAL;
			req[i].src = (const struct sockaddr *)&ts[i][0];
			req[i].dst = (const struct sockaddr *)&ts[i][1];
		}
	}
	if (!pfkey_msg_begin(b, SADB_X_SPDADD, SADB_SATYPE_UNSPEC, seq, pid))
		return b->err ? -b->err : -EMSGSIZE;
	/* 0 is no priority at all to the kernels: ask for the default one,
	 * as a policy string without "priority" does. */
	pfkey_add_policy_reqs(b, p->action, (uint8_t)dir, 0,
			      p->priority ? p->priority : PFKEY_PRIORITY_DEFAULT,
			      req, p->nreqs);
	err = add_addr(b, SADB_EXT_ADDRESS_SRC, &p->sel.src, p->sel.src_plen,
		       proto);
	if (!err)
		err = add_addr(b, SADB_EXT_ADDRESS_DST, &p->sel.dst,
			       p->sel.dst_plen, proto);
	if (err)
		return err;
	return pfkey_msg_end(b);
}

int ikd_pf_build_spd_id(struct pfkey_buf *b, uint8_t type, uint32_t id,
			uint32_t seq, uint32_t pid)
{
	if (type != SADB_X_SPDGET && type != SADB_X_SPDDELETE2)
		return -EINVAL;
	if (!pfkey_msg_begin(b, type, SADB_SATYPE_UNSPEC, seq, pid))
		return b->err ? -b->err : -EMSGSIZE;
	/* Both kernels read only the id (its low bits are the direction). */
	pfkey_add_policy_hdr(b, IPSEC_POLICY_IPSEC, 0, id, 0);
	return pfkey_msg_end(b);
}

int ikd_pf_build_register(struct pfkey_buf *b, uint8_t satype, uint32_t seq,
			  uint32_t pid)
{
	if (!pfkey_msg_begin(b, SADB_REGISTER, satype, seq, pid))
		return b->err ? -b->err : -EMSGSIZE;
	return pfkey_msg_end(b);
}

/* ---- parsing -------------------------------------------------------------- */

/* An address extension into an ikd value; 0, or -EINVAL if absent. */
static int get_addr(const struct pfkey_msg *m, uint16_t exttype,
		    struct ikd_addr *a, uint8_t *plen, uint8_t *proto)
{
	const struct sadb_address *ad = pfkey_msg_address(m, exttype);

	ikd_addr_zero(a);
	/* The parser checked the family and that the sockaddr fits. */
	if (!ad || ikd_addr_from_sockaddr(a, pfkey_address_sockaddr(ad)))
		return -EINVAL;
	if (plen)
		*plen = ad->sadb_address_prefixlen;
	if (proto)
		*proto = ad->sadb_address_proto == IPSEC_ULPROTO_ANY ?
			 0 : ad->sadb_address_proto;
	return 0;
}

int ikd_pf_parse_policy(const struct pfkey_msg *m,
			struct ikd_kernel_policy *out)
{
	const struct sadb_x_policy *xp = pfkey_msg_policy(m);
	const struct sadb_x_ipsecrequest *r = NULL;
	uint8_t proto_dst;

	memset(out, 0, sizeof(*out));
	if (!xp)
		return -EINVAL;
	out->id = xp->sadb_x_policy_id;
	out->dir = dir_from_pfkey(xp->sadb_x_policy_dir);
	out->action = (uint8_t)xp->sadb_x_policy_type;
	out->priority = xp->sadb_x_policy_priority;
	if (get_addr(m, SADB_EXT_ADDRESS_SRC, &out->sel.src, &out->sel.src_plen,
		     &out->sel.proto) ||
	    get_addr(m, SADB_EXT_ADDRESS_DST, &out->sel.dst, &out->sel.dst_plen,
		     &proto_dst))
		return -EINVAL;
	while ((r = pfkey_policy_next_request(xp, r))) {
		struct ikd_kernel_req *q;
		const struct sockaddr *s, *d;

		if (out->nreqs == IKD_KERNEL_MAX_REQS)
			return -EINVAL;
		q = &out->req[out->nreqs++];
		q->proto = (uint8_t)r->sadb_x_ipsecrequest_proto;
		q->mode = mode_from_pfkey(r->sadb_x_ipsecrequest_mode);
		q->level = r->sadb_x_ipsecrequest_level;
		q->reqid = r->sadb_x_ipsecrequest_reqid;
		if (pfkey_request_addrs(r, &s, &d) == 0 &&
		    (ikd_addr_from_sockaddr(&q->tsrc, s) ||
		     ikd_addr_from_sockaddr(&q->tdst, d)))
			return -EINVAL;
	}
	return 0;
}

int ikd_pf_parse_acquire(const struct pfkey_msg *m, struct ikd_acquire *acq,
			 uint32_t *policy_id)
{
	const struct sadb_x_policy *xp = pfkey_msg_policy(m);

	memset(acq, 0, sizeof(*acq));
	acq->seq = m->hdr->sadb_msg_seq;
	acq->proto = (uint8_t)pfkey_satype_to_proto(m->hdr->sadb_msg_satype);
	if (!acq->proto || !xp ||
	    get_addr(m, SADB_EXT_ADDRESS_SRC, &acq->src, NULL, NULL) ||
	    get_addr(m, SADB_EXT_ADDRESS_DST, &acq->dst, NULL, NULL))
		return -EINVAL;
	acq->src.port = acq->dst.port = 0;
	*policy_id = xp->sadb_x_policy_id;
	return 0;
}

int ikd_pf_acquire_pick(struct ikd_acquire *acq)
{
	const struct ikd_kernel_req *fallback = NULL;

	/* In a bundle each transform has its own request and its own
	 * ACQUIRE, told apart by the satype; two of one protocol only
	 * nest tunnels, told apart by their endpoints. */
	for (unsigned int i = 0; i < acq->pol.nreqs; i++) {
		const struct ikd_kernel_req *r = &acq->pol.req[i];

		if (r->proto != acq->proto)
			continue;
		if (r->mode == IKD_MODE_TUNNEL && r->tsrc.family &&
		    (!ikd_addr_eq_noport(&r->tsrc, &acq->src) ||
		     !ikd_addr_eq_noport(&r->tdst, &acq->dst))) {
			if (!fallback)
				fallback = r;
			continue;
		}
		fallback = r;
		break;
	}
	if (!fallback)
		return -ENOENT;
	acq->mode = fallback->mode;
	acq->reqid = fallback->reqid;
	return 0;
}

int ikd_pf_parse_expire(const struct pfkey_msg *m, struct ikd_expire *exp)
{
	const struct sadb_sa *sa = pfkey_msg_sa(m);
	const struct sadb_lifetime *cur =
		pfkey_msg_lifetime(m, SADB_EXT_LIFETIME_CURRENT);
	bool hard = pfkey_msg_lifetime(m, SADB_EXT_LIFETIME_HARD) != NULL;
	bool soft = pfkey_msg_lifetime(m, SADB_EXT_LIFETIME_SOFT) != NULL;

	memset(exp, 0, sizeof(*exp));
	exp->proto = (uint8_t)pfkey_satype_to_proto(m->hdr->sadb_msg_satype);
	/* RFC 2367: exactly one of hard and soft says which expired. */
	if (!exp->proto || !sa || hard == soft ||
	    get_addr(m, SADB_EXT_ADDRESS_SRC, &exp->src, NULL, NULL) ||
	    get_addr(m, SADB_EXT_ADDRESS_DST, &exp->dst, NULL, NULL))
		return -EINVAL;
	exp->hard = hard;
	exp->spi = sa->sadb_sa_spi;
	exp->bytes = cur ? cur->sadb_lifetime_bytes : 0;
	return 0;
}

int ikd_pf_parse_sa_use(const struct pfkey_msg *m, struct ikd_sa_use *use)
{
	const struct sadb_lifetime *cur =
		pfkey_msg_lifetime(m, SADB_EXT_LIFETIME_CURRENT);

	memset(use, 0, sizeof(*use));
	if (!cur)
		return -EINVAL;
	use->bytes = cur->sadb_lifetime_bytes;
	/* Linux (and kipsec) count packets in allocations. */
	use->packets = cur->sadb_lifetime_allocations;
	use->added = cur->sadb_lifetime_addtime;
	/* PF_KEY's usetime is the first use (RFC 2367), not the last. */
	use->last_used = cur->sadb_lifetime_usetime;
	return 0;
}

int ikd_pf_parse_spi(const struct pfkey_msg *m, uint32_t *spi)
{
	const struct sadb_sa *sa = pfkey_msg_sa(m);

	if (!sa)
		return -EINVAL;
	*spi = sa->sadb_sa_spi;
	return 0;
}
