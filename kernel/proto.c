// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * How ESP, AH and IPcomp reach kipsec: xfrm4/xfrm6 protocol handlers
 * registered above the native esp4/esp6, ah4/ah6 and ipcomp ones, and the
 * input handler that ESP in UDP (NAT-T) reaches from a UDP_ENCAP socket. A
 * packet whose SPI is not in kipsec's SAD goes on to the native stack
 * untouched. A packet for one of kipsec's SAs must come from the SA's peer
 * (RFC 4301 5.2: the SA binds the packet's addresses), and goes to
 * kipsec_in_start() (input.c). ICMP errors about kipsec's packets teach
 * their SA the path MTU, within limits: they are not authenticated.
 */
#include <linux/icmp.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/xfrm.h>
#include "dp.h"
#include "iface.h"

/* The source (@src) or destination address of @skb's IP header. */
void kipsec_hdr_addr(const struct sk_buff *skb, u16 family, bool src,
		     struct kipsec_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	if (family == AF_INET)
		a->v4 = src ? ip_hdr(skb)->saddr : ip_hdr(skb)->daddr;
	else
		a->v6 = src ? ipv6_hdr(skb)->saddr : ipv6_hdr(skb)->daddr;
}

/* The SPI of an ESP or AH header at @h; an IPcomp CPI as sad.c keeps it. */
__be32 kipsec_hdr_spi(const void *h, u8 proto)
{
	if (proto == IPPROTO_COMP)
		return htonl(ntohs(((const struct ip_comp_hdr *)h)->cpi));
	if (proto == IPPROTO_AH)
		return ((const struct ip_auth_hdr *)h)->spi;
	return ((const struct ip_esp_hdr *)h)->spi;
}

/* The UDP header in front of ESP that xfrm4_udp_encap_rcv() left. */
static const struct udphdr *kipsec_encap_udp(const struct sk_buff *skb)
{
	return (const struct udphdr *)(skb_network_header(skb) +
				       ip_hdrlen(skb));
}

/*
 * An SA takes ESP in UDP only, or bare ESP only (as XFRM's encap_type
 * check). The peer's UDP port must be the SA's: a NAT that changed it
 * needs the key manager to update the SA (no NAT_T_NEW_MAPPING yet).
 */
static bool kipsec_encap_ok(const struct sk_buff *skb,
			    const struct kipsec_sa *sa, bool udp)
{
	if (!udp)
		return !sa->natt_type;
	return sa->natt_type && kipsec_encap_udp(skb)->source == sa->natt_sport;
}

/*
 * ESP or AH (@proto) for this host, the data at its header; @udp: ESP that
 * came in UDP (NAT-T), its UDP header still in front of the data.
 */
static int kipsec_xf_rcv(struct sk_buff *skb, u16 family, u8 proto, bool udp)
{
	struct net *net = dev_net(skb->dev);
	struct kipsec_net *kn = kipsec_pernet(net);
	struct kipsec_addr dst;
	struct kipsec_sa *sa;
	int err = 0;

	/* All three have the SPI (CPI) in their first 8 bytes. */
	if (!pskb_may_pull(skb, 8)) {
		if (!READ_ONCE(net->xfrm.state_num))
			kipsec_stat(kn, family, KIPSEC_IN_INVAL);
		return -EINVAL;		/* the native handler drops it */
	}
	kipsec_hdr_addr(skb, family, false, &dst);
	sa = kipsec_sad_lookup_hold(&kn->sad, kipsec_hdr_spi(skb->data, proto),
				    &dst, kipsec_proto_satype(proto));
	if (!sa) {
		/* Not ours: native XFRM may know it. */
		if (!READ_ONCE(net->xfrm.state_num))
			kipsec_stat(kn, family, KIPSEC_IN_NOSA);
		if (READ_ONCE(kn->nr_ifs))
			kipsec_if_nosa(kn, skb, family);
		return -EINVAL;
	}
	if (!kipsec_in_src_ok(skb, family, sa))
		err = -ENOENT;
	else if (!kipsec_encap_ok(skb, sa, udp))
		err = -EINVAL;
	else if (kipsec_in_delivering(skb) || kipsec_is_iface(skb->dev))
		err = -ELOOP;	/* nested through the stack: see input.c */
	if (err) {
		kipsec_in_fail(kn, sa, family, err);
		kipsec_sa_put(sa);
		kfree_skb(skb);
		return 0;
	}
	kipsec_in_start(kn, skb, sa, false, 0);
	return 0;
}

static int kipsec_esp4_rcv(struct sk_buff *skb)
{
	return kipsec_xf_rcv(skb, AF_INET, IPPROTO_ESP, false);
}

static int kipsec_esp6_rcv(struct sk_buff *skb)
{
	return kipsec_xf_rcv(skb, AF_INET6, IPPROTO_ESP, false);
}

static int kipsec_ah4_rcv(struct sk_buff *skb)
{
	return kipsec_xf_rcv(skb, AF_INET, IPPROTO_AH, false);
}

static int kipsec_ah6_rcv(struct sk_buff *skb)
{
	return kipsec_xf_rcv(skb, AF_INET6, IPPROTO_AH, false);
}

/* ---- IPcomp ---------------------------------------------------------- */

static int kipsec_comp4_rcv(struct sk_buff *skb)
{
	return kipsec_xf_rcv(skb, AF_INET, IPPROTO_COMP, false);
}

static int kipsec_comp6_rcv(struct sk_buff *skb)
{
	return kipsec_xf_rcv(skb, AF_INET6, IPPROTO_COMP, false);
}

/*
 * A tunnel-mode packet that the peer did not compress comes as plain
 * IP-in-IP (RFC 3173 2.2). LOCAL_IN takes IPv4 or IPv6 inside IPv4 or
 * IPv6 (no extension headers) from A to B when B has a tunnel-mode IPcomp
 * SA from A, and it goes on as if that SA had decompressed it.
 */
bool kipsec_in_ipip(struct net *net, struct sk_buff *skb, u16 family)
{
	struct kipsec_net *kn = kipsec_pernet(net);
	struct kipsec_addr src, dst;
	struct kipsec_sa *sa;
	unsigned int hlen;
	u8 nh;

	if (family == AF_INET) {
		nh = ip_hdr(skb)->protocol;
		hlen = ip_hdrlen(skb);
	} else {
		nh = ipv6_hdr(skb)->nexthdr;
		hlen = sizeof(struct ipv6hdr);
	}
	/* Every packet of LOCAL_IN comes here: the cheap tests first. */
	if ((nh != IPPROTO_IPIP && nh != IPPROTO_IPV6) ||
	    !READ_ONCE(kn->sad.count) || kipsec_in_delivering(skb))
		return false;
	kipsec_hdr_addr(skb, family, true, &src);
	kipsec_hdr_addr(skb, family, false, &dst);
	sa = kipsec_sad_select_hold(kn, SADB_X_SATYPE_IPCOMP, IPSEC_MODE_TUNNEL,
				    &src, &dst, 0);
	if (!sa)
		return false;
	/* As after IPcomp input: the data after a (here empty) header. */
	skb_set_transport_header(skb, hlen);
	__skb_pull(skb, hlen);
	kipsec_in_start(kn, skb, sa, true, nh);
	return true;
}

/*
 * The smallest path MTU an ICMP error may teach, and for how long (the
 * route's own limits: net.ipv4.route.min_pmtu and mtu_expires; IPv6's
 * minimum MTU and net.ipv6.route.mtu_expires).
 */
static u32 kipsec_pmtu_floor(const struct net *net, u16 family)
{
	return family == AF_INET ? READ_ONCE(net->ipv4.ip_rt_min_pmtu) :
				   IPV6_MIN_MTU;
}

static unsigned long kipsec_pmtu_life(const struct net *net, u16 family)
{
	return family == AF_INET ? READ_ONCE(net->ipv4.ip_rt_mtu_expires) :
				   READ_ONCE(net->ipv6.sysctl.ip6_rt_mtu_expires);
}

/*
 * ICMP says packets of @sa need at most @mtu bytes. Anyone can send that:
 * the value is raised to the floor, only lowers a value still valid, and
 * is forgotten after a while, as a route's learned MTU is.
 */
static void kipsec_sa_pmtu(const struct net *net, struct kipsec_sa_dp *dp,
			   u16 family, u32 mtu)
{
	u32 old = READ_ONCE(dp->pmtu);

	mtu = max(mtu, kipsec_pmtu_floor(net, family));
	if (old && time_before(jiffies, READ_ONCE(dp->pmtu_expires)) &&
	    old < mtu)
		return;
	WRITE_ONCE(dp->pmtu_expires, jiffies + kipsec_pmtu_life(net, family));
	WRITE_ONCE(dp->pmtu, mtu);
}

/*
 * An ICMP error quotes an ESP, AH or IPcomp packet: if it is one that this
 * host sent with one of kipsec's SAs, note a smaller path MTU for that SA
 * (output.c uses it) and say so. The ICMP code made sure that 8 bytes of
 * the quoted header are there.
 */
static bool kipsec_xf_err(struct net *net, const void *h, u8 proto,
			  const struct kipsec_addr *src,
			  const struct kipsec_addr *dst, u32 mtu)
{
	struct kipsec_sa *sa;

	sa = kipsec_sad_lookup_hold(&kipsec_pernet(net)->sad,
				    kipsec_hdr_spi(h, proto), dst,
				    kipsec_proto_satype(proto));
	if (!sa)
		return false;
	if (mtu && !memcmp(src, &sa->src, sizeof(*src)))
		kipsec_sa_pmtu(net, sa->dp, dst->family, mtu);
	kipsec_sa_put(sa);
	return true;
}

static int kipsec_xf4_err(struct sk_buff *skb, u32 info, u8 proto)
{
	const struct iphdr *iph = (const struct iphdr *)skb->data;
	const void *h = skb->data + (iph->ihl << 2);
	struct net *net = dev_net(skb->dev);
	struct kipsec_addr src = { .family = AF_INET };
	struct kipsec_addr dst = { .family = AF_INET };

	bool toobig = icmp_hdr(skb)->type == ICMP_DEST_UNREACH &&
		      icmp_hdr(skb)->code == ICMP_FRAG_NEEDED;

	src.v4 = iph->saddr;
	dst.v4 = iph->daddr;
	if (!kipsec_xf_err(net, h, proto, &src, &dst, toobig ? info : 0))
		return 1;
	if (icmp_hdr(skb)->type == ICMP_REDIRECT)
		ipv4_redirect(skb, net, 0, proto);
	return 0;
}

static int kipsec_xf6_err(struct sk_buff *skb, u8 type, int offset,
			  __be32 info, u8 proto)
{
	const struct ipv6hdr *ip6h = (const struct ipv6hdr *)skb->data;
	struct net *net = dev_net(skb->dev);
	struct kipsec_addr src, dst;

	memset(&src, 0, sizeof(src));
	memset(&dst, 0, sizeof(dst));
	src.family = AF_INET6;
	src.v6 = ip6h->saddr;
	dst.family = AF_INET6;
	dst.v6 = ip6h->daddr;
	if (!kipsec_xf_err(net, skb->data + offset, proto, &src, &dst,
			   type == ICMPV6_PKT_TOOBIG ? ntohl(info) : 0))
		return 1;
	if (type == NDISC_REDIRECT)
		ip6_redirect(skb, net, skb->dev->ifindex, 0,
			     sock_net_uid(net, NULL));
	return 0;
}

static int kipsec_esp4_err(struct sk_buff *skb, u32 info)
{
	return kipsec_xf4_err(skb, info, IPPROTO_ESP);
}

static int kipsec_ah4_err(struct sk_buff *skb, u32 info)
{
	return kipsec_xf4_err(skb, info, IPPROTO_AH);
}

static int kipsec_esp6_err(struct sk_buff *skb, struct inet6_skb_parm *opt,
			   u8 type, u8 code, int offset, __be32 info)
{
	return kipsec_xf6_err(skb, type, offset, info, IPPROTO_ESP);
}

static int kipsec_ah6_err(struct sk_buff *skb, struct inet6_skb_parm *opt,
			  u8 type, u8 code, int offset, __be32 info)
{
	return kipsec_xf6_err(skb, type, offset, info, IPPROTO_AH);
}

static int kipsec_comp4_err(struct sk_buff *skb, u32 info)
{
	return kipsec_xf4_err(skb, info, IPPROTO_COMP);
}

static int kipsec_comp6_err(struct sk_buff *skb, struct inet6_skb_parm *opt,
			    u8 type, u8 code, int offset, __be32 info)
{
	return kipsec_xf6_err(skb, type, offset, info, IPPROTO_COMP);
}

/*
 * ESP in UDP (RFC 3948) from a UDP_ENCAP_ESPINUDP socket: xfrm4's
 * xfrm4_udp_encap_rcv() has eaten keepalives, passed IKE to the socket,
 * and left the data and the transport header at ESP, the UDP header in
 * place before it, the IP protocol UDP. -EINVAL, the skb untouched, hands
 * it to the next handler (native XFRM); anything else means it was taken.
 */
static int kipsec_esp4_input_handler(struct sk_buff *skb, int nexthdr,
				     __be32 spi, int encap_type)
{
	if (encap_type != UDP_ENCAP_ESPINUDP)
		return -EINVAL;
	return kipsec_xf_rcv(skb, AF_INET, IPPROTO_ESP, true);
}

/* Other encapsulations (ESP in UDP over IPv6, ...) are native XFRM's. */
static int kipsec_xf_input_handler(struct sk_buff *skb, int nexthdr,
				   __be32 spi, int encap_type)
{
	return -EINVAL;
}

/* Native XFRM's post-input callbacks walk every handler: not ours. */
static int kipsec_xf_cb_handler(struct sk_buff *skb, int err)
{
	return 1;
}

/* Above esp4/esp6 and ah4/ah6 (0), xfrm interfaces (10) and vti (100). */
#define KIPSEC_XFRM_PRIORITY	300

static struct xfrm4_protocol kipsec_esp4_protocol = {
	.handler = kipsec_esp4_rcv,
	.input_handler = kipsec_esp4_input_handler,
	.cb_handler = kipsec_xf_cb_handler,
	.err_handler = kipsec_esp4_err,
	.priority = KIPSEC_XFRM_PRIORITY,
};

static struct xfrm6_protocol kipsec_esp6_protocol = {
	.handler = kipsec_esp6_rcv,
	.input_handler = kipsec_xf_input_handler,
	.cb_handler = kipsec_xf_cb_handler,
	.err_handler = kipsec_esp6_err,
	.priority = KIPSEC_XFRM_PRIORITY,
};

static struct xfrm4_protocol kipsec_ah4_protocol = {
	.handler = kipsec_ah4_rcv,
	.input_handler = kipsec_xf_input_handler,
	.cb_handler = kipsec_xf_cb_handler,
	.err_handler = kipsec_ah4_err,
	.priority = KIPSEC_XFRM_PRIORITY,
};

static struct xfrm6_protocol kipsec_ah6_protocol = {
	.handler = kipsec_ah6_rcv,
	.input_handler = kipsec_xf_input_handler,
	.cb_handler = kipsec_xf_cb_handler,
	.err_handler = kipsec_ah6_err,
	.priority = KIPSEC_XFRM_PRIORITY,
};

static struct xfrm4_protocol kipsec_comp4_protocol = {
	.handler = kipsec_comp4_rcv,
	.input_handler = kipsec_xf_input_handler,
	.cb_handler = kipsec_xf_cb_handler,
	.err_handler = kipsec_comp4_err,
	.priority = KIPSEC_XFRM_PRIORITY,
};

static struct xfrm6_protocol kipsec_comp6_protocol = {
	.handler = kipsec_comp6_rcv,
	.input_handler = kipsec_xf_input_handler,
	.cb_handler = kipsec_xf_cb_handler,
	.err_handler = kipsec_comp6_err,
	.priority = KIPSEC_XFRM_PRIORITY,
};

static int kipsec_comp_register(void)
{
	int err = xfrm4_protocol_register(&kipsec_comp4_protocol, IPPROTO_COMP);

	if (err)
		return err;
	err = xfrm6_protocol_register(&kipsec_comp6_protocol, IPPROTO_COMP);
	if (err)
		xfrm4_protocol_deregister(&kipsec_comp4_protocol, IPPROTO_COMP);
	return err;
}

static void kipsec_comp_deregister(void)
{
	xfrm6_protocol_deregister(&kipsec_comp6_protocol, IPPROTO_COMP);
	xfrm4_protocol_deregister(&kipsec_comp4_protocol, IPPROTO_COMP);
}

int kipsec_input_init(void)
{
	int err;

	kipsec_inq_init();
	err = xfrm4_protocol_register(&kipsec_esp4_protocol, IPPROTO_ESP);
	if (err)
		return err;
	err = xfrm6_protocol_register(&kipsec_esp6_protocol, IPPROTO_ESP);
	if (err)
		goto err_esp4;
	err = xfrm4_protocol_register(&kipsec_ah4_protocol, IPPROTO_AH);
	if (err)
		goto err_esp6;
	err = xfrm6_protocol_register(&kipsec_ah6_protocol, IPPROTO_AH);
	if (err)
		goto err_ah4;
	err = kipsec_comp_register();
	if (err)
		goto err_ah6;
	return 0;

err_ah6:
	xfrm6_protocol_deregister(&kipsec_ah6_protocol, IPPROTO_AH);
err_ah4:
	xfrm4_protocol_deregister(&kipsec_ah4_protocol, IPPROTO_AH);
err_esp6:
	xfrm6_protocol_deregister(&kipsec_esp6_protocol, IPPROTO_ESP);
err_esp4:
	xfrm4_protocol_deregister(&kipsec_esp4_protocol, IPPROTO_ESP);
	return err;
}

void kipsec_input_exit(void)
{
	kipsec_comp_deregister();
	xfrm6_protocol_deregister(&kipsec_ah6_protocol, IPPROTO_AH);
	xfrm4_protocol_deregister(&kipsec_ah4_protocol, IPPROTO_AH);
	xfrm6_protocol_deregister(&kipsec_esp6_protocol, IPPROTO_ESP);
	xfrm4_protocol_deregister(&kipsec_esp4_protocol, IPPROTO_ESP);
}
