// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * How big a packet may be once kipsec wraps it: the path MTU of an SA
 * (the route's, lowered by what ICMP errors about the SA's packets said,
 * until that expires), the room ESP, AH and IPcomp leave, what happens to
 * a packet too big (fragmented, or refused with ICMP), and the MSS of TCP
 * SYNs whose connection kipsec will protect, clamped so that full
 * segments fit once wrapped.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/tcp.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/tcp.h>
#include "dp.h"

/* Bytes ESP or AH makes of @plen bytes of payload. */
static unsigned int kipsec_xf_len(const struct kipsec_sa_dp *dp,
				  unsigned int plen)
{
	/* IPcomp is used only where it shrinks the packet: never larger. */
	if (dp->proto == IPPROTO_COMP)
		return plen;
	if (dp->proto == IPPROTO_AH)
		return dp->ahlen + plen;
	return kipsec_esp_len(dp, plen);
}

/* The largest payload whose ESP or AH form fits in @room bytes (0: none). */
static unsigned int kipsec_xf_room(const struct kipsec_sa_dp *dp,
				   unsigned int room)
{
	if (dp->proto == IPPROTO_COMP)
		return room;
	if (dp->proto == IPPROTO_AH)
		return room > dp->ahlen ? room - dp->ahlen : 0;
	return kipsec_esp_room(dp, room);
}

static void kipsec_send_toobig(struct sk_buff *skb, u16 family,
			       unsigned int mtu)
{
	if (family == AF_INET) {
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, htonl(mtu));
		return;
	}
	/* Locally generated packets have no device yet. */
	if (!skb->dev)
		skb->dev = skb_dst(skb)->dev;
	icmpv6_send(skb, ICMPV6_PKT_TOOBIG, 0, max_t(u32, mtu, IPV6_MIN_MTU));
}

static bool kipsec_may_fragment(const struct sk_buff *skb, u16 family,
				bool fwd)
{
	if (skb->ignore_df || !fwd)
		return true;
	if (family == AF_INET)
		return !(ip_hdr(skb)->frag_off & htons(IP_DF));
	return skb->len <= IPV6_MIN_MTU;
}

/* The largest packet that still fits in @mtu once ESP wraps it. */
static unsigned int kipsec_inner_mtu(const struct kipsec_sa_dp *dp,
				     unsigned int keep, unsigned int add,
				     unsigned int mtu)
{
	return keep + kipsec_xf_room(dp, mtu > add + keep ?
					 mtu - add - keep : 0);
}

/* Where a TCP SYN's header starts, or 0 for any other packet. */
unsigned int kipsec_tcp_syn(const struct sk_buff *skb, u16 family)
{
	unsigned int off = skb_network_offset(skb);
	const struct tcphdr *th;
	struct tcphdr _th;

	if (family == AF_INET) {
		if (ip_hdr(skb)->protocol != IPPROTO_TCP ||
		    ip_is_fragment(ip_hdr(skb)))
			return 0;
		off += ip_hdrlen(skb);
	} else {
		if (ipv6_hdr(skb)->nexthdr != IPPROTO_TCP)
			return 0;
		off += sizeof(struct ipv6hdr);
	}
	th = skb_header_pointer(skb, off, sizeof(_th), &_th);
	return th && th->syn && th->doff >= 5 ? off : 0;
}

/*
 * RFC 879: the MSS leaves out the IP and TCP headers, not the options.
 * @thoff is where the SYN's TCP header starts (kipsec_tcp_syn).
 */
static void kipsec_clamp_mss(struct sk_buff *skb, unsigned int thoff,
			     unsigned int inner_mtu)
{
	unsigned int hlen = thoff - skb_network_offset(skb), optlen, i;
	struct tcphdr *th;
	u8 *opt;
	u16 max;

	if (inner_mtu < hlen + sizeof(*th) + 64)
		return;
	max = inner_mtu - hlen - sizeof(*th);
	if (skb_ensure_writable(skb, thoff + sizeof(*th)))
		return;
	optlen = ((struct tcphdr *)(skb->data + thoff))->doff * 4 - sizeof(*th);
	if (skb_ensure_writable(skb, thoff + sizeof(*th) + optlen))
		return;
	th = (struct tcphdr *)(skb->data + thoff);
	opt = (u8 *)(th + 1);
	for (i = 0; i + 4 <= optlen; i += opt[i] < 2 ? 1 : opt[i + 1]) {
		if (opt[i] == TCPOPT_EOL || (opt[i] >= 2 && opt[i + 1] < 2))
			return;
		if (opt[i] == TCPOPT_MSS && opt[i + 1] == TCPOLEN_MSS &&
		    get_unaligned_be16(opt + i + 2) > max) {
			/* Leaves a CHECKSUM_PARTIAL seed alone. */
			inet_proto_csum_replace2(&th->check, skb,
						 get_unaligned((__be16 *)(opt + i + 2)),
						 htons(max), false);
			put_unaligned_be16(max, opt + i + 2);
			return;
		}
	}
}

/*
 * Will @skb fit in @mtu once @add bytes of new headers and ESP wrap all
 * but its first @keep bytes? A forwarded packet too big that must not be
 * fragmented is dropped (-EMSGSIZE) and its sender learns the MTU it can
 * use. *frag says the result may be fragmented.
 */
int kipsec_out_size(struct sk_buff *skb, const struct kipsec_sa_dp *dp,
		    u16 family, unsigned int keep, unsigned int add,
		    unsigned int mtu, bool fwd, bool *frag)
{
	*frag = false;
	if (add + keep + kipsec_xf_len(dp, skb->len - keep) <= mtu)
		return 0;
	if (kipsec_may_fragment(skb, family, fwd)) {
		*frag = true;
		return 0;
	}
	kipsec_send_toobig(skb, family, kipsec_inner_mtu(dp, keep, add, mtu));
	return -EMSGSIZE;
}

/*
 * The MTU for the ESP packets of @sa through @dst: the device's, the
 * route's configured one, and what ICMP errors about this SA's packets
 * said. Not dst_mtu(): the path MTU kipsec itself teaches local senders
 * (a smaller one, for the packet before ESP) lands on the same route when
 * the peer is the final destination, and would shrink on every packet.
 */
unsigned int kipsec_path_mtu(const struct dst_entry *dst,
			     const struct kipsec_sa *sa)
{
	unsigned int mtu = READ_ONCE(dst->dev->mtu), m;

	m = dst_metric_raw(dst, RTAX_MTU);
	if (m && m < mtu)
		mtu = m;
	m = kipsec_sa_pmtu_now(sa->dp);
	if (m && m < mtu)
		mtu = m;
	return mtu;
}

/* ---- TCP MSS -------------------------------------------------------- */

/* The IP header that transform @i of @p keeps in transport mode. */
static unsigned int kipsec_plan_hlen(const struct kipsec_plan *p,
				     unsigned int i, unsigned int hlen)
{
	while (i--)
		if (p->mode[i] == IPSEC_MODE_TUNNEL)
			return kipsec_ohl(p->sa[i]);
	return hlen;
}

/*
 * The largest packet, with @hlen bytes of IP header, that still fits the
 * path once every transform of @p has wrapped it; 0 if there is no route.
 */
static unsigned int kipsec_plan_mtu(struct net *net,
				    const struct kipsec_plan *p, u32 mark,
				    unsigned int hlen)
{
	const struct kipsec_sa *sa = p->sa[p->n - 1];
	struct dst_entry *dst;
	unsigned int mtu, i;

	dst = kipsec_route(net, mark, sa);
	if (IS_ERR(dst))
		return 0;
	mtu = kipsec_path_mtu(dst, sa);
	dst_release(dst);
	for (i = p->n; i--; ) {
		sa = p->sa[i];
		if (p->mode[i] == IPSEC_MODE_TUNNEL)
			mtu = kipsec_inner_mtu(sa->dp, 0, kipsec_ohl(sa), mtu);
		else
			mtu = kipsec_inner_mtu(sa->dp,
					       kipsec_plan_hlen(p, i, hlen), 0,
					       mtu);
	}
	return mtu;
}

/* The MSS of the SYN at @thoff, lowered to what fits once @p wraps it. */
void kipsec_plan_clamp(struct net *net, struct sk_buff *skb,
		       const struct kipsec_plan *p, unsigned int thoff)
{
	kipsec_clamp_mss(skb, thoff,
			 kipsec_plan_mtu(net, p, skb->mark,
					 thoff - skb_network_offset(skb)));
}

/*
 * A TCP SYN or SYN-ACK for this host, whose answers kipsec will wrap,
 * gets its MSS lowered to what fits once they are wrapped. Else local TCP
 * would send segments as large as the peer offers, and every one would
 * leave in two fragments: a peer on native XFRM offers its route's MSS.
 * Requests without an SA yet are left out; so is a socket's own policy.
 */
void kipsec_in_clamp(struct net *net, struct sk_buff *skb, u16 family)
{
	struct kipsec_net *kn = kipsec_pernet(net);
	unsigned int thoff = kipsec_tcp_syn(skb, family), i;
	const struct kipsec_addr *src, *dst;
	struct kipsec_flow fl, rev;
	struct kipsec_pol_snap ps;
	struct kipsec_plan p = { };
	struct kipsec_sa *sa;

	if (!thoff || !READ_ONCE(kn->spd.count) ||
	    kipsec_flow_of(skb, family, &fl))
		return;
	rev = (struct kipsec_flow){ .src = fl.dst, .dst = fl.src,
				    .sport = fl.dport, .dport = fl.sport,
				    .proto = fl.proto };
	if (!kipsec_spd_snap(kn, KIPSEC_DIR_OUT, &rev, &ps) ||
	    ps.action != IPSEC_POLICY_IPSEC)
		return;
	src = &rev.src;
	dst = &rev.dst;
	for (i = 0; i < ps.nreqs; i++) {
		if (ps.req[i].mode == IPSEC_MODE_TUNNEL) {
			src = &ps.req[i].tsrc;
			dst = &ps.req[i].tdst;
		}
		sa = dst->family ? kipsec_out_sa(kn, &ps.req[i], src, dst) :
				   NULL;
		if (sa) {
			p.sa[p.n] = sa;
			p.mode[p.n++] = ps.req[i].mode;
		}
	}
	if (p.n)
		kipsec_plan_clamp(net, skb, &p, thoff);
	kipsec_plan_release(&p);
}

