// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Inbound packets, once proto.c has handed them over: decrypted (esp.c),
 * verified (ah.c) or decompressed (ipcomp.c), they take one path:
 * decapsulated,
 * checked against the inbound SPD for the SA that carried them, marked,
 * and they re-enter the stack at PRE_ROUTING as native XFRM's do.
 *
 * The LOCAL_IN and FORWARD hooks drop clear packets that an inbound policy
 * says must be protected (KAME's ipsec4_in_reject). Forwarded packets are
 * checked against a "fwd" policy if one matches, else the "in" one, so
 * KAME configurations with in/out policies only protect gateways too.
 */
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/xfrm.h>
#include "dp.h"

static u16 kipsec_skb_family(const struct sk_buff *skb)
{
	return skb->protocol == htons(ETH_P_IPV6) ? AF_INET6 : AF_INET;
}

static bool kipsec_ipsec_proto(u8 proto)
{
	return proto == IPPROTO_ESP || proto == IPPROTO_AH ||
	       proto == IPPROTO_COMP;
}

/* ---- the inbound SPD ------------------------------------------------ */

static bool kipsec_in_snap(struct kipsec_net *kn, const struct kipsec_flow *fl,
			   bool fwd, struct kipsec_pol_snap *ps)
{
	if (fwd && kipsec_spd_snap(kn, KIPSEC_DIR_FWD, fl, ps))
		return true;
	return kipsec_spd_snap(kn, KIPSEC_DIR_IN, fl, ps);
}

/*
 * Must a packet have come through request @r? Never for IPcomp: RFC 3173
 * lets the sender leave out IPcomp for any packet (too small, or not
 * smaller compressed), and such a packet arrives with no IPcomp header.
 */
static bool kipsec_req_wants_in(const struct kipsec_req *r)
{
	return r->proto != IPPROTO_COMP && kipsec_req_wants(r);
}

/* Does request @r accept a packet that @sa carried? */
static bool kipsec_req_accepts(const struct kipsec_req *r,
			       const struct kipsec_sa *sa)
{
	if (r->proto != sa->dp->proto)
		return false;
	if (r->mode != IPSEC_MODE_ANY && sa->mode != IPSEC_MODE_ANY &&
	    r->mode != sa->mode)
		return false;
	if (r->mode == IPSEC_MODE_TUNNEL && r->tdst.family &&
	    (memcmp(&r->tsrc, &sa->src, sizeof(sa->src)) ||
	     memcmp(&r->tdst, &sa->dst, sizeof(sa->dst))))
		return false;
	return r->level != IPSEC_LEVEL_UNIQUE || r->reqid == sa->reqid;
}

static u16 kipsec_via(u8 proto)
{
	switch (proto) {
	case IPPROTO_ESP:
		return KIPSEC_SKB_VIA_ESP;
	case IPPROTO_AH:
		return KIPSEC_SKB_VIA_AH;
	default:
		return KIPSEC_SKB_VIA_COMP;
	}
}

/*
 * May a packet decapsulated from @sa, now at the network header, go on?
 * Its policy must accept @sa, and the packet must have come through every
 * other transform the policy requires (@via). With no policy, transport
 * mode is accepted (KAME), but tunnel mode is not: inner addresses outside
 * every policy would let the peer inject any packet. A bundle's outer
 * layers, whose payload is the next transform for this same address, are
 * checked with the innermost one.
 */
static bool kipsec_in_sa_ok(struct kipsec_net *kn, struct sk_buff *skb,
			    const struct kipsec_sa *sa, bool tunnel, u16 via)
{
	bool wanted = false, ok = false;
	const struct kipsec_req *r;
	struct kipsec_pol_snap ps;
	struct kipsec_flow fl;
	unsigned int i;

	if (kipsec_flow_of(skb, kipsec_skb_family(skb), &fl))
		return false;
	if (kipsec_ipsec_proto(fl.proto) &&
	    !memcmp(&fl.dst, &sa->dst, sizeof(fl.dst)))
		return true;
	if (!kipsec_in_snap(kn, &fl, true, &ps))
		return !tunnel;
	if (ps.action != IPSEC_POLICY_IPSEC)
		return ps.action == IPSEC_POLICY_NONE;
	for (i = 0; i < ps.nreqs; i++) {
		r = &ps.req[i];
		if (kipsec_req_accepts(r, sa))
			ok = true;
		else if (kipsec_req_wants_in(r) && !(via & kipsec_via(r->proto)))
			return false;
		wanted |= kipsec_req_wants_in(r);
	}
	return ok || !wanted;
}

/*
 * Is @skb, UDP in IPv4, ESP for one of kipsec's NAT-T SAs, to the SA's
 * port? It goes on to the UDP_ENCAP socket and is checked once
 * decapsulated, as bare ESP is.
 */
static bool kipsec_natt_esp(struct kipsec_net *kn, const struct sk_buff *skb,
			    const struct kipsec_flow *fl)
{
	struct kipsec_sa *sa;
	struct {
		struct udphdr uh;
		__be32 spi;
	} _h;
	const typeof(_h) *h;
	bool ok;

	if (fl->proto != IPPROTO_UDP || fl->dst.family != AF_INET)
		return false;
	h = skb_header_pointer(skb, skb_network_offset(skb) + ip_hdrlen(skb),
			       sizeof(_h), &_h);
	if (!h || !h->spi || ntohs(h->uh.len) <= sizeof(_h))
		return false;
	sa = kipsec_sad_lookup_hold(&kn->sad, h->spi, &fl->dst,
				    SADB_SATYPE_ESP);
	if (!sa)
		return false;
	ok = sa->natt_type && h->uh.dest == sa->natt_dport;
	kipsec_sa_put(sa);
	return ok;
}

/* Was every request of @ps that inbound packets must meet met by @via? */
static bool kipsec_in_met(const struct kipsec_pol_snap *ps, u16 via)
{
	unsigned int i;

	for (i = 0; i < ps->nreqs; i++)
		if (kipsec_req_wants_in(&ps->req[i]) &&
		    !(via & kipsec_via(ps->req[i].proto)))
			return false;
	return true;
}

/* A clear packet where policy wants IPsec: drop it. */
static unsigned int kipsec_in_check(struct net *net, struct sk_buff *skb,
				    u16 family, bool fwd)
{
	struct kipsec_net *kn = kipsec_pernet(net);
	struct kipsec_pol_snap ps;
	struct kipsec_flow fl;

	if ((*kipsec_cb_flags(skb, family) & KIPSEC_SKB_DECAPPED) ||
	    !READ_ONCE(kn->spd.count) || secpath_exists(skb))
		return NF_ACCEPT;
	/* Protected packets are checked once decapsulated. */
	if (kipsec_flow_of(skb, family, &fl) || kipsec_ipsec_proto(fl.proto))
		return NF_ACCEPT;
	if (!kipsec_in_snap(kn, &fl, fwd, &ps) ||
	    ps.action == IPSEC_POLICY_NONE)
		return NF_ACCEPT;
	if (ps.action == IPSEC_POLICY_IPSEC && kipsec_in_met(&ps, 0))
		return NF_ACCEPT;
	/* Only then: ESP in UDP looks like clear UDP to the policy. */
	if (kipsec_natt_esp(kn, skb, &fl))
		return NF_ACCEPT;
	kipsec_stat(kn, family, KIPSEC_IN_POLVIO);
	return NF_DROP;
}

/* ---- per-socket policies (sockpol.c) -------------------------------- */

/*
 * What the inbound policy @ps of a socket says of @skb, which came through
 * the transforms in its control block (none for a clear packet): every
 * request at level require or unique must have been met by one of its
 * protocol.
 */
static unsigned int kipsec_in_skpol_verdict(struct kipsec_net *kn,
					    struct sk_buff *skb, u16 family,
					    const struct kipsec_pol_snap *ps)
{
	u16 flags = *kipsec_cb_flags(skb, family), via = 0;

	if (ps->action == IPSEC_POLICY_NONE)
		return NF_ACCEPT;
	if (flags & KIPSEC_SKB_DECAPPED)
		via = flags & KIPSEC_SKB_VIA_ALL;
	if (ps->action == IPSEC_POLICY_IPSEC && kipsec_in_met(ps, via))
		return NF_ACCEPT;
	kipsec_stat(kn, family, KIPSEC_IN_POLVIO);
	return NF_DROP;
}

/*
 * A TCP or UDP packet for a local socket with a kipsec inbound policy:
 * that policy decides (NF_ACCEPT or NF_DROP), not the SPD. Otherwise
 * KIPSEC_SKPOL_PASS. Costs nothing while no socket of the namespace has an
 * inbound policy.
 */
#define KIPSEC_SKPOL_PASS	(NF_MAX_VERDICT + 1)

static unsigned int kipsec_in_skpol(struct net *net, struct sk_buff *skb,
				    u16 family)
{
	struct kipsec_pol_snap ps;
	unsigned int verdict = KIPSEC_SKPOL_PASS;
	struct kipsec_flow fl;
	struct sock *sk;

	if (!READ_ONCE(net->xfrm.policy_count[XFRM_POLICY_MAX + XFRM_POLICY_IN]))
		return verdict;
	if (kipsec_flow_of(skb, family, &fl) ||
	    (fl.proto != IPPROTO_UDP && fl.proto != IPPROTO_TCP))
		return verdict;
	sk = kipsec_skpol_in_sock(net, skb, &fl);
	if (!sk)
		return verdict;
	if (kipsec_skpol_snap(sk, KIPSEC_DIR_IN, &ps))
		verdict = kipsec_in_skpol_verdict(kipsec_pernet(net), skb,
						  family, &ps);
	sock_put(sk);
	return verdict;
}

unsigned int kipsec_in_hook(void *priv, struct sk_buff *skb,
			    const struct nf_hook_state *st)
{
	u16 family = st->pf == NFPROTO_IPV4 ? AF_INET : AF_INET6;
	unsigned int verdict;

	/* IPcomp tunnel mode, packets sent uncompressed. */
	if (kipsec_in_ipip(st->net, skb, family))
		return NF_STOLEN;
	verdict = kipsec_in_skpol(st->net, skb, family);
	if (verdict == KIPSEC_SKPOL_PASS)
		verdict = kipsec_in_check(st->net, skb, family, false);
	if (verdict == NF_ACCEPT)
		kipsec_in_clamp(st->net, skb, family);
	return verdict;
}

unsigned int kipsec_fwd_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *st)
{
	u16 family = st->pf == NFPROTO_IPV4 ? AF_INET : AF_INET6;

	if (kipsec_in_check(st->net, skb, family, true) == NF_DROP)
		return NF_DROP;
	return kipsec_out_hook(priv, skb, st);
}

/* ---- decapsulation -------------------------------------------------- */

/*
 * Transport mode: the IP header (and IPv6 extensions) back on the payload.
 * In IPv4 a NAT-T UDP header may lie between the IP header and ESP.
 */
static int kipsec_decap_transport(struct sk_buff *skb, u16 family, u8 nh)
{
	unsigned int hlen = family == AF_INET ? ip_hdrlen(skb) :
			    skb_transport_header(skb) - skb_network_header(skb);

	memmove(skb->data - hlen, skb_network_header(skb), hlen);
	skb_set_network_header(skb, -(int)hlen);
	skb_reset_transport_header(skb);
	__skb_push(skb, hlen);
	if (family == AF_INET) {
		ip_hdr(skb)->protocol = nh;
		ip_hdr(skb)->tot_len = htons(skb->len);
		ip_send_check(ip_hdr(skb));
	} else {
		skb_network_header(skb)[IP6CB(skb)->nhoff] = nh;
		ipv6_hdr(skb)->payload_len =
			htons(skb->len - sizeof(struct ipv6hdr));
	}
	return 0;
}

/* The inner packet must be what ip_rcv() would have accepted. */
static int kipsec_inner4(struct sk_buff *skb)
{
	const struct iphdr *iph;
	unsigned int len;

	if (!pskb_may_pull(skb, sizeof(*iph)))
		return -EINVAL;
	iph = ip_hdr(skb);
	if (iph->version != 4 || iph->ihl < 5 ||
	    !pskb_may_pull(skb, iph->ihl * 4))
		return -EINVAL;
	iph = ip_hdr(skb);
	len = ntohs(iph->tot_len);
	if (ip_fast_csum((u8 *)iph, iph->ihl) || len > skb->len ||
	    len < iph->ihl * 4)
		return -EINVAL;
	if (pskb_trim(skb, len))
		return -ENOMEM;
	skb->protocol = htons(ETH_P_IP);
	skb_set_transport_header(skb, iph->ihl * 4);
	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	IPCB(skb)->iif = skb->skb_iif;
	return 0;
}

/* Hop-by-hop options are parsed only by ipv6_rcv(): such packets go. */
static int kipsec_inner6(struct sk_buff *skb)
{
	const struct ipv6hdr *ip6h;
	unsigned int len;

	if (!pskb_may_pull(skb, sizeof(*ip6h)))
		return -EINVAL;
	ip6h = ipv6_hdr(skb);
	len = ntohs(ip6h->payload_len) + sizeof(*ip6h);
	if (ip6h->version != 6 || ip6h->nexthdr == NEXTHDR_HOP ||
	    len > skb->len || (!ip6h->payload_len && skb->len != len))
		return -EINVAL;
	if (pskb_trim(skb, len))
		return -ENOMEM;
	skb->protocol = htons(ETH_P_IPV6);
	skb_set_transport_header(skb, sizeof(*ip6h));
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	IP6CB(skb)->nhoff = offsetof(struct ipv6hdr, nexthdr);
	IP6CB(skb)->iif = skb->dev->ifindex;
	return 0;
}

static int kipsec_decap_tunnel(struct sk_buff *skb, u16 ofamily, u8 nh)
{
	u8 ds = ofamily == AF_INET ? ip_hdr(skb)->tos :
				     ipv6_get_dsfield(ipv6_hdr(skb));
	int err = -EINVAL;

	skb_reset_network_header(skb);
	if (nh == IPPROTO_IPIP)
		err = kipsec_inner4(skb);
	else if (nh == IPPROTO_IPV6)
		err = kipsec_inner6(skb);
	if (err)
		return err;
	/* RFC 6040: congestion seen outside stays seen inside. */
	if (INET_ECN_is_ce(ds)) {
		if (nh == IPPROTO_IPIP)
			IP_ECN_set_ce(ip_hdr(skb));
		else
			IP6_ECN_set_ce(skb, ipv6_hdr(skb));
	}
	skb_dst_drop(skb);
	return 0;
}

/*
 * NAT-T transport mode: the peer's TCP or UDP checksum covers its address
 * before the NAT. With the SA's NAT-OA it is made to cover the address
 * the NAT put in its place, and checked as usual (RFC 3948 3.1.2);
 * without, it is not checked, as Linux does: ESP's ICV protected it.
 */
static void kipsec_natt_csum(struct sk_buff *skb, const struct kipsec_sa *sa)
{
	unsigned int off = skb_network_offset(skb) + ip_hdrlen(skb);
	const struct iphdr *iph = ip_hdr(skb);
	__sum16 *check;

	skb->ip_summed = CHECKSUM_UNNECESSARY;
	if (sa->natt_oa.family != AF_INET || ip_is_fragment(iph))
		return;
	if (iph->protocol == IPPROTO_TCP)
		off += offsetof(struct tcphdr, check);
	else if (iph->protocol == IPPROTO_UDP)
		off += offsetof(struct udphdr, check);
	else
		return;
	if (skb_ensure_writable(skb, off + sizeof(*check)))
		return;
	iph = ip_hdr(skb);
	check = (__sum16 *)(skb->data + off);
	if (iph->protocol == IPPROTO_UDP && !*check)
		return;		/* no checksum to fix */
	csum_replace4(check, sa->natt_oa.v4, iph->saddr);
	if (iph->protocol == IPPROTO_UDP && !*check)
		*check = CSUM_MANGLED_0;
	skb->ip_summed = CHECKSUM_NONE;
}

/* ---- delivery ------------------------------------------------------- */

static int kipsec_rcv_finish4(struct net *net, struct sock *sk,
			      struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);

	if (!skb_dst(skb) && ip_route_input_noref(skb, iph->daddr, iph->saddr,
						  iph->tos, skb->dev)) {
		kfree_skb(skb);
		return NET_RX_DROP;
	}
	return dst_input(skb);
}

static int kipsec_rcv_finish6(struct net *net, struct sock *sk,
			      struct sk_buff *skb)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	struct flowi6 fl6 = {
		.flowi6_iif = skb->dev->ifindex,
		.daddr = ip6h->daddr,
		.saddr = ip6h->saddr,
		.flowlabel = ip6_flowinfo(ip6h),
		.flowi6_mark = skb->mark,
		.flowi6_proto = ip6h->nexthdr,
	};

	if (!skb_dst(skb))
		skb_dst_set(skb, ip6_route_input_lookup(net, skb->dev, &fl6,
							skb,
							RT6_LOOKUP_F_HAS_SADDR));
	return dst_input(skb);
}

static void kipsec_in_deliver(struct net *net, struct sk_buff *skb)
{
	u16 family = kipsec_skb_family(skb);

	*kipsec_cb_flags(skb, family) |= KIPSEC_SKB_DECAPPED;
	nf_reset_ct(skb);
	if (family == AF_INET)
		NF_HOOK(NFPROTO_IPV4, NF_INET_PRE_ROUTING, net, NULL, skb,
			skb->dev, NULL, kipsec_rcv_finish4);
	else
		NF_HOOK(NFPROTO_IPV6, NF_INET_PRE_ROUTING, net, NULL, skb,
			skb->dev, NULL, kipsec_rcv_finish6);
}

static bool kipsec_sa_tunnel(const struct kipsec_sa *sa, u8 nh)
{
	if (sa->mode == IPSEC_MODE_ANY)
		return nh == IPPROTO_IPIP || nh == IPPROTO_IPV6;
	return sa->mode == IPSEC_MODE_TUNNEL;
}

void kipsec_in_fail(struct kipsec_net *kn, struct kipsec_sa *sa,
		    u16 family, int err)
{
	struct kipsec_sa_dp *dp = sa->dp;

	switch (err) {
	case -EBADMSG:
		kipsec_stat(kn, family, KIPSEC_IN_AUTHFAIL);
		atomic64_inc(&dp->auth_fail);
		break;
	case -EALREADY:
		kipsec_stat(kn, family, dp->proto == IPPROTO_AH ?
			    KIPSEC_IN_AHREPLAY : KIPSEC_IN_ESPREPLAY);
		atomic64_inc(&dp->replay_fail);
		break;
	case -EPERM:
		kipsec_stat(kn, family, KIPSEC_IN_POLVIO);
		break;
	case -ENOMEM:
		kipsec_stat(kn, family, KIPSEC_IN_NOMEM);
		break;
	default:
		kipsec_stat(kn, family, KIPSEC_IN_INVAL);
		atomic64_inc(&dp->invalid);
	}
}

/* A decrypted or verified packet: decapsulate, check, count, deliver. */
static int kipsec_in_accept(struct kipsec_net *kn, struct sk_buff *skb,
			    struct kipsec_sa *sa, u8 nh)
{
	u16 family = sa->dst.family;
	bool tunnel = kipsec_sa_tunnel(sa, nh);
	u16 via, *flags;
	int err;

	if (sa->dp->icvlen)
		kipsec_stat(kn, family, KIPSEC_IN_AUTHSUCC);
	kipsec_sa_count(&kn->sad, sa, skb->len);
	via = *kipsec_cb_flags(skb, family) & KIPSEC_SKB_VIA_ALL;
	via |= kipsec_via(sa->dp->proto);
	if (tunnel)
		err = kipsec_decap_tunnel(skb, family, nh);
	else
		err = kipsec_decap_transport(skb, family, nh);
	if (err)
		return err;
	flags = kipsec_cb_flags(skb, kipsec_skb_family(skb));
	*flags |= via;
	if (!tunnel && sa->natt_type)
		kipsec_natt_csum(skb, sa);
	if (!kipsec_in_sa_ok(kn, skb, sa, tunnel, via))
		return -EPERM;
	kipsec_stat(kn, family, KIPSEC_IN_SUCCESS);
	if (sa->dp->proto == IPPROTO_AH)
		kipsec_hist(kn, family, KIPSEC_HIST_IN_AH, sa->aalg);
	else if (sa->dp->proto == IPPROTO_ESP)
		kipsec_hist(kn, family, KIPSEC_HIST_IN_ESP, sa->ealg);
	/* IPcomp counts only what it decompressed (ipcomp.c). */
	kipsec_in_deliver(kn->net, skb);
	return 0;
}

void kipsec_in_done(struct sk_buff *skb, struct kipsec_sa *sa, int err,
		    u8 nh)
{
	struct net_device *dev = skb->dev;
	struct kipsec_net *kn = kipsec_pernet(dev_net(dev));

	/* Crypto completions may come from process context. */
	rcu_read_lock();
	local_bh_disable();
	if (!err)
		err = kipsec_in_accept(kn, skb, sa, nh);
	if (err) {
		kipsec_in_fail(kn, sa, sa->dst.family, err);
		kfree_skb(skb);
	}
	local_bh_enable();
	rcu_read_unlock();
	kipsec_sa_put(sa);
	dev_put(dev);
	atomic_dec(&kn->inflight);
}
