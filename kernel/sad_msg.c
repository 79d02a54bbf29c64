// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Security associations to and from PF_KEY messages. The parser has checked
 * the framing; here the SA's meaning is checked: algorithms exist for the
 * SA type, keys have the sizes the algorithms take, SPIs are in range.
 */
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/udp.h>
#include "alg.h"
#include "sad.h"

static unsigned int kipsec_key_ext_len(const struct sadb_key *k)
{
	return k ? k->sadb_key_len * 8 : 0;
}

/*
 * As af_key: type, source and destination port, after SA2. The NAT-OA is
 * kept but not echoed, as af_key does not keep it.
 */
static void kipsec_put_natt(struct sk_buff *skb, const struct kipsec_sa *sa)
{
	struct sadb_x_nat_t_type *t;
	struct sadb_x_nat_t_port *p;

	t = kipsec_put_ext(skb, SADB_X_EXT_NAT_T_TYPE, sizeof(*t));
	t->sadb_x_nat_t_type_type = sa->natt_type;
	p = kipsec_put_ext(skb, SADB_X_EXT_NAT_T_SPORT, sizeof(*p));
	p->sadb_x_nat_t_port_port = sa->natt_sport;
	p = kipsec_put_ext(skb, SADB_X_EXT_NAT_T_DPORT, sizeof(*p));
	p->sadb_x_nat_t_port_port = sa->natt_dport;
}

struct sk_buff *kipsec_sa_msg(const struct kipsec_sa *sa,
			      const struct sadb_msg *req, u8 type,
			      unsigned int what, gfp_t gfp)
{
	unsigned int alen = kipsec_address_ext_len(sa->dst.family);
	unsigned int size = sizeof(struct sadb_msg) + sizeof(struct sadb_sa) +
			    3 * sizeof(struct sadb_lifetime) + 2 * alen +
			    sizeof(struct sadb_x_sa2) + sizeof(sa->kx) +
			    sizeof(struct sadb_x_nat_t_type) +
			    2 * sizeof(struct sadb_x_nat_t_port);
	struct sadb_lifetime cur;
	struct sadb_x_sa2 *sa2;
	struct sadb_sa *ssa;
	struct sk_buff *skb;

	if (what & KIPSEC_SAMSG_KEYS)
		size += kipsec_key_ext_len(sa->akey) +
			kipsec_key_ext_len(sa->ekey);
	skb = kipsec_msg_new(size, gfp);
	if (!skb)
		return NULL;
	kipsec_put_hdr(skb, req, type, sa->satype);

	ssa = kipsec_put_ext(skb, SADB_EXT_SA, sizeof(*ssa));
	ssa->sadb_sa_spi = sa->spi;
	ssa->sadb_sa_replay = sa->replay;
	ssa->sadb_sa_state = sa->state;
	ssa->sadb_sa_auth = sa->aalg;
	ssa->sadb_sa_encrypt = sa->ealg;
	ssa->sadb_sa_flags = sa->flags;

	kipsec_sa_cur(sa, &cur);
	kipsec_put_lifetime(skb, SADB_EXT_LIFETIME_CURRENT, &cur);
	if (!(what & KIPSEC_SAMSG_SOFT))
		kipsec_put_lifetime(skb, SADB_EXT_LIFETIME_HARD, &sa->hard);
	if (!(what & KIPSEC_SAMSG_HARD))
		kipsec_put_lifetime(skb, SADB_EXT_LIFETIME_SOFT, &sa->soft);
	kipsec_put_address(skb, SADB_EXT_ADDRESS_SRC, &sa->src, 0,
			   kipsec_addr_bits(&sa->src), 0);
	kipsec_put_address(skb, SADB_EXT_ADDRESS_DST, &sa->dst, 0,
			   kipsec_addr_bits(&sa->dst), 0);
	if ((what & KIPSEC_SAMSG_KEYS) && sa->akey)
		skb_put_data(skb, sa->akey, kipsec_key_ext_len(sa->akey));
	if ((what & KIPSEC_SAMSG_KEYS) && sa->ekey)
		skb_put_data(skb, sa->ekey, kipsec_key_ext_len(sa->ekey));

	sa2 = kipsec_put_ext(skb, SADB_X_EXT_SA2, sizeof(*sa2));
	sa2->sadb_x_sa2_mode = sa->mode;
	sa2->sadb_x_sa2_reqid = sa->reqid;
	/*
	 * KAME reports the SA's sequence counter here, af_key 0; sa->seq is
	 * the PF_KEY seq of the message that made the SA, for ACQUIRE/GETSPI
	 * matching, not for the user. No packet has used an SA yet.
	 */
	sa2->sadb_x_sa2_sequence = 0;
	if (sa->kx.sadb_x_kipsec_sa_len)
		skb_put_data(skb, &sa->kx, sizeof(sa->kx));
	if (sa->natt_type)
		kipsec_put_natt(skb, sa);
	kipsec_msg_finish(skb);
	return skb;
}

void kipsec_sa_free_keys(struct kipsec_sa *sa)
{
	kfree_sensitive(sa->akey);
	kfree_sensitive(sa->ekey);
	sa->akey = NULL;
	sa->ekey = NULL;
}

/* A private copy of a key extension, exactly as long as its key. */
static int kipsec_copy_key(struct sadb_key **dst, const struct sadb_key *k)
{
	unsigned int bytes = DIV_ROUND_UP(k->sadb_key_bits, 8);
	unsigned int len = sizeof(*k) + ALIGN(bytes, 8);
	struct sadb_key *copy = kzalloc(len, GFP_KERNEL);

	if (!copy)
		return -ENOMEM;
	*copy = *k;
	copy->sadb_key_len = len / 8;
	memcpy(copy + 1, k + 1, bytes);
	*dst = copy;
	return 0;
}

/* An algorithm of @kind and its key: both known and of matching size. */
static int kipsec_check_alg(enum kipsec_alg_kind kind, u8 id,
			    const struct sadb_key *key,
			    const struct kipsec_alg **out)
{
	const struct kipsec_alg *alg;

	*out = NULL;
	if (id == SADB_AALG_NONE)	/* also SADB_EALG_NONE */
		return key ? -EINVAL : 0;
	alg = kipsec_alg_find(kind, id);
	if (!alg)
		return -EINVAL;
	if (kind == KIPSEC_ALG_COMP)
		return key ? -EINVAL : 0;
	if (!key && alg->maxbits)
		return -EINVAL;
	if (key && !kipsec_alg_key_ok(alg, key->sadb_key_bits))
		return -EINVAL;
	*out = alg;
	return 0;
}

/* Which algorithms each SA type takes (RFC 4302, 4303, 3173). */
static int kipsec_check_algs(const struct kipsec_sa *sa,
			     const struct kipsec_msg *m)
{
	const struct sadb_key *ak = kipsec_msg_ext(m, SADB_EXT_KEY_AUTH);
	const struct sadb_key *ek = kipsec_msg_ext(m, SADB_EXT_KEY_ENCRYPT);
	const struct kipsec_alg *auth, *enc;
	int err;

	if (sa->satype == SADB_X_SATYPE_IPCOMP) {
		if (sa->aalg || ak)
			return -EINVAL;
		err = kipsec_check_alg(KIPSEC_ALG_COMP, sa->ealg, ek, &enc);
		return err ? err : (sa->ealg ? 0 : -EINVAL);
	}
	err = kipsec_check_alg(KIPSEC_ALG_AUTH, sa->aalg, ak, &auth);
	if (err)
		return err;
	err = kipsec_check_alg(KIPSEC_ALG_ENC, sa->ealg, ek, &enc);
	if (err)
		return err;
	if (sa->satype == SADB_SATYPE_AH && (!auth || sa->ealg))
		return -EINVAL;
	if (sa->satype == SADB_SATYPE_ESP && !enc)
		return -EINVAL;
	if (enc && enc->aead && auth)
		return -EINVAL;
	if (sa->kx.sadb_x_kipsec_sa_icvbits &&
	    (!auth || !kipsec_alg_icv_ok(auth, sa->kx.sadb_x_kipsec_sa_icvbits)))
		return -EINVAL;
	return 0;
}

/* SPIs 1-255 are reserved (RFC 4303); CPIs are 16 bits (RFC 3173). */
static int kipsec_check_spi(u8 satype, __be32 spi)
{
	u32 v = ntohl(spi);

	if (satype == SADB_X_SATYPE_IPCOMP)
		return v && v <= 0xffff ? 0 : -EINVAL;
	return v >= 0x100 ? 0 : -EINVAL;
}

static void kipsec_copy_lifetime(struct sadb_lifetime *dst,
				 const struct sadb_lifetime *src)
{
	if (src)
		*dst = *src;
}

/*
 * ESP in UDP (RFC 3948), IPv4 ESP SAs only: type UDP_ENCAP_ESPINUDP and
 * both ports, not 0; the original address (NAT-OA) optional, of the SA's
 * family. Ports or NAT-OA without a type are refused. af_key is laxer
 * (any type, ports optional); UDP_ENCAP_ESPINUDP_NON_IKE, the draft's
 * non-IKE marker, has no packet path here and is refused.
 */
static int kipsec_natt_from_msg(struct kipsec_sa *sa,
				const struct kipsec_msg *m)
{
	const struct sadb_x_nat_t_type *t = kipsec_msg_ext(m, SADB_X_EXT_NAT_T_TYPE);
	const struct sadb_x_nat_t_port *sp = kipsec_msg_ext(m, SADB_X_EXT_NAT_T_SPORT);
	const struct sadb_x_nat_t_port *dp = kipsec_msg_ext(m, SADB_X_EXT_NAT_T_DPORT);
	const struct sadb_address *oa = kipsec_msg_ext(m, SADB_X_EXT_NAT_T_OA);

	if (!t)
		return sp || dp || oa ? -EINVAL : 0;
	if (sa->satype != SADB_SATYPE_ESP || sa->dst.family != AF_INET ||
	    t->sadb_x_nat_t_type_type != UDP_ENCAP_ESPINUDP || !sp || !dp ||
	    !sp->sadb_x_nat_t_port_port || !dp->sadb_x_nat_t_port_port)
		return -EINVAL;
	if (oa && kipsec_msg_sockaddr(oa)->sa_family != AF_INET)
		return -EINVAL;
	sa->natt_type = t->sadb_x_nat_t_type_type;
	sa->natt_sport = sp->sadb_x_nat_t_port_port;
	sa->natt_dport = dp->sadb_x_nat_t_port_port;
	if (oa)
		kipsec_addr_from_sockaddr(&sa->natt_oa, kipsec_msg_sockaddr(oa));
	return 0;
}

/* Fill @sa (zeroed by the caller) from an ADD or UPDATE message. */
int kipsec_sa_from_msg(struct kipsec_sa *sa, const struct kipsec_msg *m)
{
	const struct sadb_sa *ssa = kipsec_msg_ext(m, SADB_EXT_SA);
	const struct sadb_address *src = kipsec_msg_ext(m, SADB_EXT_ADDRESS_SRC);
	const struct sadb_address *dst = kipsec_msg_ext(m, SADB_EXT_ADDRESS_DST);
	const struct sadb_x_sa2 *sa2 = kipsec_msg_ext(m, SADB_X_EXT_SA2);
	const struct sadb_x_kipsec_sa *kx = kipsec_msg_ext(m, SADB_X_EXT_KIPSEC_SA);
	const struct sadb_key *k;
	int err;

	sa->satype = m->hdr->sadb_msg_satype;
	sa->spi = ssa->sadb_sa_spi;
	sa->replay = ssa->sadb_sa_replay;
	sa->aalg = ssa->sadb_sa_auth;
	sa->ealg = ssa->sadb_sa_encrypt;
	sa->flags = ssa->sadb_sa_flags;
	sa->seq = m->hdr->sadb_msg_seq;
	sa->pid = m->hdr->sadb_msg_pid;
	kipsec_addr_from_sockaddr(&sa->src, kipsec_msg_sockaddr(src));
	kipsec_addr_from_sockaddr(&sa->dst, kipsec_msg_sockaddr(dst));
	if (sa2) {
		if (sa2->sadb_x_sa2_mode > IPSEC_MODE_TUNNEL)
			return -EINVAL;
		sa->mode = sa2->sadb_x_sa2_mode;
		sa->reqid = sa2->sadb_x_sa2_reqid;
	}
	if (kx) {
		/* Kept, and echoed, at the length this kernel knows. */
		sa->kx = *kx;
		sa->kx.sadb_x_kipsec_sa_len = sizeof(sa->kx) / 8;
	}
	kipsec_copy_lifetime(&sa->hard, kipsec_msg_ext(m, SADB_EXT_LIFETIME_HARD));
	kipsec_copy_lifetime(&sa->soft, kipsec_msg_ext(m, SADB_EXT_LIFETIME_SOFT));
	sa->cur.sadb_lifetime_addtime = ktime_get_real_seconds();

	err = kipsec_check_spi(sa->satype, sa->spi);
	if (!err)
		err = kipsec_check_algs(sa, m);
	if (!err)
		err = kipsec_natt_from_msg(sa, m);
	if (err)
		return err;

	k = kipsec_msg_ext(m, SADB_EXT_KEY_AUTH);
	if (k && kipsec_copy_key(&sa->akey, k))
		return -ENOMEM;
	k = kipsec_msg_ext(m, SADB_EXT_KEY_ENCRYPT);
	if (k && kipsec_copy_key(&sa->ekey, k)) {
		kipsec_sa_free_keys(sa);
		return -ENOMEM;
	}
	return 0;
}
