// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Decapsulation: what remains of an inbound packet once its transform
 * (ESP, AH or IPcomp) has left the data at the payload. Transport mode puts
 * the IP header back in front of the payload; tunnel mode makes the inner
 * packet the packet, checked as ip_rcv() would check it.
 */
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include "dp.h"

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

/* RFC 6040: congestion seen outside stays seen inside. */
static int kipsec_decap_ecn(struct sk_buff *skb, u8 nh)
{
	unsigned int hlen = nh == IPPROTO_IPIP ? ip_hdrlen(skb) :
			    sizeof(struct ipv6hdr);

	/* A packet that came in clear (IPcomp not applied) may be shared. */
	if (skb_ensure_writable(skb, hlen))
		return -ENOMEM;
	if (nh == IPPROTO_IPIP)
		IP_ECN_set_ce(ip_hdr(skb));
	else
		IP6_ECN_set_ce(skb, ipv6_hdr(skb));
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
	if (!err && INET_ECN_is_ce(ds))
		err = kipsec_decap_ecn(skb, nh);
	if (err)
		return err;
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

/*
 * Was layer @sa, whose payload is @nh, a tunnel? An SA of mode "any"
 * (setkey's default) is one when it carries a whole IP packet.
 */
bool kipsec_sa_tunnel(const struct kipsec_sa *sa, u8 nh)
{
	if (sa->mode == IPSEC_MODE_ANY)
		return nh == IPPROTO_IPIP || nh == IPPROTO_IPV6;
	return sa->mode == IPSEC_MODE_TUNNEL;
}

/*
 * @skb, its data at the payload that @sa's transform left (next header
 * @nh), becomes the packet that payload makes: the network header at an IP
 * header, the data there too.
 */
int kipsec_decap(struct sk_buff *skb, const struct kipsec_sa *sa,
		 bool tunnel, u8 nh)
{
	int err;

	if (tunnel)
		return kipsec_decap_tunnel(skb, sa->dst.family, nh);
	err = kipsec_decap_transport(skb, sa->dst.family, nh);
	if (!err && sa->natt_type)
		kipsec_natt_csum(skb, sa);
	return err;
}
