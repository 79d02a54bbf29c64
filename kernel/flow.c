// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What the packet path asks the SPD: the flow of a packet (addresses,
 * upper-layer protocol, ports; ICMP type and code in the ports, as Linux
 * selectors have them), and the policy for it, copied out so that no lock
 * is held while the packet is transformed.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include "dp.h"

static void kipsec_flow_ports(const struct sk_buff *skb, int off,
			      struct kipsec_flow *fl)
{
	__be16 ports[2];
	u8 icmp[2];

	switch (fl->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
	case IPPROTO_DCCP:
		if (skb_copy_bits(skb, off, ports, sizeof(ports)))
			return;
		fl->sport = ports[0];
		fl->dport = ports[1];
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (skb_copy_bits(skb, off, icmp, sizeof(icmp)))
			return;
		fl->sport = htons(icmp[0]);
		fl->dport = htons(icmp[1]);
		break;
	}
}

/*
 * ipv6_skip_exthdr(), except that AH ends the walk, as it does in IPv4 and
 * in XFRM's flow decoding: the flow of an AH packet is AH's, so that it is
 * checked once verified and decapsulated, as an ESP packet is.
 */
static int kipsec_skip6(const struct sk_buff *skb, int off, u8 *nh,
			__be16 *frag_off)
{
	u8 buf[8];	/* an extension header has at least 8 bytes */

	while (ipv6_ext_hdr(*nh) && *nh != NEXTHDR_AUTH) {
		if (*nh == NEXTHDR_NONE || skb_copy_bits(skb, off, buf, 8))
			return -EINVAL;
		if (*nh == NEXTHDR_FRAGMENT) {
			memcpy(frag_off, buf + 2, sizeof(*frag_off));
			if (*frag_off & htons(IP6_OFFSET))
				break;	/* as ipv6_skip_exthdr() */
			off += 8;
		} else {
			off += (buf[1] + 1) * 8;
		}
		*nh = buf[0];
	}
	return off;
}

/* The flow of @skb, whose network header is an IP header of @family. */
int kipsec_flow_of(const struct sk_buff *skb, u16 family,
		   struct kipsec_flow *fl)
{
	__be16 frag_off = 0;
	int off;

	memset(fl, 0, sizeof(*fl));
	fl->src.family = family;
	fl->dst.family = family;
	if (family == AF_INET) {
		const struct iphdr *iph = ip_hdr(skb);

		fl->src.v4 = iph->saddr;
		fl->dst.v4 = iph->daddr;
		fl->proto = iph->protocol;
		off = skb_network_offset(skb) + iph->ihl * 4;
		frag_off = iph->frag_off & htons(IP_OFFSET);
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);
		u8 nh = ip6h->nexthdr;

		fl->src.v6 = ip6h->saddr;
		fl->dst.v6 = ip6h->daddr;
		off = kipsec_skip6(skb, skb_network_offset(skb) +
				   sizeof(*ip6h), &nh, &frag_off);
		if (off < 0)
			return -EINVAL;
		fl->proto = nh;
		frag_off &= htons(IP6_OFFSET);
	}
	/* Only the first fragment has ports. */
	if (!frag_off)
		kipsec_flow_ports(skb, off, fl);
	return 0;
}

/* The policy for @fl in @dir, copied into @ps; false if there is none. */
bool kipsec_spd_snap(struct kipsec_net *kn, u8 dir,
		     const struct kipsec_flow *fl, struct kipsec_pol_snap *ps)
{
	struct kipsec_spd *spd = &kn->spd;
	struct kipsec_policy *pol;
	unsigned int seq;

	rcu_read_lock();
	do {
		seq = read_seqcount_begin(&spd->seq);
		pol = __kipsec_spd_lookup(spd, dir, fl);
		if (pol) {
			ps->id = pol->id;
			ps->priority = pol->priority;
			ps->dir = pol->dir;
			ps->action = pol->action;
			ps->nreqs = min_t(unsigned int, pol->nreqs,
					  KIPSEC_MAX_REQS);
			memcpy(ps->req, pol->req,
			       ps->nreqs * sizeof(ps->req[0]));
		}
	} while (read_seqcount_retry(&spd->seq, seq));
	if (pol)
		kipsec_policy_used(pol);
	rcu_read_unlock();
	return pol;
}

/* A request that must be met: without its SA the packet is dropped. */
bool kipsec_req_wants(const struct kipsec_req *r)
{
	return r->level == IPSEC_LEVEL_REQUIRE || r->level == IPSEC_LEVEL_UNIQUE;
}
