// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The packet path of kipsec interfaces (iface.c). Out: a packet routed
 * into an interface goes through its SA by output.c's tunnel code, as a
 * forwarded packet would (too big and not to be fragmented: ICMP with the
 * MTU left), the SPD unasked. In: input.c hands over a clear packet whose
 * outermost layer was an interface's SA instead of checking it against
 * the SPD; it enters the stack again on the interface through netif_rx(),
 * so that taps see it and firewall rules can name the interface.
 */
#include <linux/netdevice.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include "iface.h"
#include "dp.h"

/* ---- out ------------------------------------------------------------ */

static noinline void kipsec_if_acquire(struct kipsec_if *ifp)
{
	struct kipsec_policy pol = {
		.dir = KIPSEC_DIR_OUT, .action = IPSEC_POLICY_IPSEC, .nreqs = 1,
		.req[0] = { .proto = IPPROTO_ESP, .mode = IPSEC_MODE_TUNNEL,
			    .level = IPSEC_LEVEL_UNIQUE, .reqid = ifp->reqid,
			    .tsrc = ifp->local, .tdst = ifp->remote },
	};

	kipsec_km_acquire(ifp->net, SADB_SATYPE_ESP, &ifp->local,
			  &ifp->remote, &pol, IPSEC_MODE_TUNNEL, ifp->reqid);
}

/*
 * Is there a route to the remote that does not loop through @dev, and
 * does @skb fit it once wrapped by @sa? Checked while the clear side's
 * route is still on @skb: ICMP to its sender needs it.
 */
static int kipsec_if_path(struct kipsec_if *ifp, struct sk_buff *skb,
			  const struct kipsec_sa *sa, u16 family, bool xnet)
{
	struct dst_entry *dst;
	bool frag;
	int err;

	dst = kipsec_route(ifp->net, xnet ? 0 : skb->mark, sa);
	if (IS_ERR(dst) || dst->dev == ifp->dev) {
		if (!IS_ERR(dst))
			dst_release(dst);
		atomic_long_inc(&ifp->tx_aborted);
		return -EHOSTUNREACH;
	}
	err = kipsec_out_size(skb, sa->dp, family, 0, kipsec_ohl(sa),
			      kipsec_path_mtu(dst, sa), true, &frag);
	dst_release(dst);
	if (err)
		atomic_long_inc(&ifp->tx_toobig);
	return err;
}

static u16 kipsec_if_family(struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IP) &&
	    pskb_network_may_pull(skb, sizeof(struct iphdr)) &&
	    ip_hdr(skb)->version == 4)
		return AF_INET;
	if (skb->protocol == htons(ETH_P_IPV6) &&
	    pskb_network_may_pull(skb, sizeof(struct ipv6hdr)) &&
	    ipv6_hdr(skb)->version == 6)
		return AF_INET6;
	return 0;
}

netdev_tx_t kipsec_if_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct kipsec_if *ifp = netdev_priv(dev);
	bool xnet = !net_eq(ifp->net, dev_net(dev));
	unsigned int len = skb->len;
	struct kipsec_sa *sa;
	u16 family;

	family = kipsec_if_family(skb);
	if (!family) {
		atomic_long_inc(&ifp->tx_fifo);
		goto drop;
	}
	sa = kipsec_sad_select_hold(kipsec_pernet(ifp->net), SADB_SATYPE_ESP,
				    IPSEC_MODE_TUNNEL, &ifp->local,
				    &ifp->remote, ifp->reqid);
	if (!sa) {
		kipsec_if_acquire(ifp);
		atomic_long_inc(&ifp->tx_carrier);
		goto drop;
	}
	if (kipsec_if_path(ifp, skb, sa, family, xnet)) {
		kipsec_sa_put(sa);
		goto drop;
	}
	skb_scrub_packet(skb, xnet);
	kipsec_out_iface(ifp->net, skb, sa, family);
	dev_sw_netstats_tx_add(dev, 1, len);
	return NETDEV_TX_OK;
drop:
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

/* ---- an SA's interface ---------------------------------------------- */

/* The interface of @sa's reqid whose endpoints are @local and @remote. */
static struct kipsec_if *kipsec_if_bound(struct kipsec_net *kn,
					 const struct kipsec_sa *sa,
					 const struct kipsec_addr *local,
					 const struct kipsec_addr *remote)
{
	struct kipsec_if *ifp;

	if (!READ_ONCE(kn->nr_ifs) || sa->mode != IPSEC_MODE_TUNNEL)
		return NULL;
	ifp = kipsec_if_of_reqid(kn, sa->reqid);
	if (!ifp || memcmp(&ifp->local, local, sizeof(*local)) ||
	    memcmp(&ifp->remote, remote, sizeof(*remote)))
		return NULL;
	return ifp;
}

/* The interface whose inbound SA @sa is, if any. */
struct kipsec_if *kipsec_if_of_sa(struct kipsec_net *kn,
				  const struct kipsec_sa *sa)
{
	return kipsec_if_bound(kn, sa, &sa->dst, &sa->src);
}

/*
 * A packet routed into an interface was dropped after kipsec_if_xmit()
 * handed it over, on the way through its SA @sa (output.c); rare.
 */
void kipsec_if_out_fail(struct kipsec_net *kn, const struct kipsec_sa *sa,
			int err)
{
	struct kipsec_if *ifp;

	rcu_read_lock();
	ifp = kipsec_if_bound(kn, sa, &sa->src, &sa->dst);
	if (ifp)
		atomic_long_inc(err == -EHOSTUNREACH ? &ifp->tx_aborted :
				err == -EMSGSIZE ? &ifp->tx_toobig :
				&ifp->tx_fifo);
	rcu_read_unlock();
}

/* ---- in ------------------------------------------------------------- */

/* @skb, clear, its data at the inner IP header, comes out of @ifp. */
void kipsec_if_rx(struct kipsec_if *ifp, struct sk_buff *skb)
{
	struct net_device *dev = ifp->dev;

	skb_scrub_packet(skb, !net_eq(ifp->net, dev_net(dev)));
	skb->dev = dev;
	skb_reset_mac_header(skb);
	dev_sw_netstats_rx_add(dev, skb->len);
	if (netif_rx(skb) == NET_RX_DROP)
		atomic_long_inc(&ifp->rx_dropped);
}

/* Inbound errors on an interface's SA (input.c's kipsec_in_fail()). */
void kipsec_if_in_fail(struct kipsec_net *kn, const struct kipsec_sa *sa,
		       int err)
{
	struct kipsec_if *ifp = kipsec_if_of_sa(kn, sa);

	if (!ifp)
		return;
	switch (err) {
	case -EBADMSG:
		atomic_long_inc(&ifp->rx_crc);
		break;
	case -EALREADY:
		atomic_long_inc(&ifp->rx_fifo);
		break;
	case -ENOENT:
		atomic_long_inc(&ifp->rx_missed);
		break;
	case -ENOMEM:
		atomic_long_inc(&ifp->rx_dropped);
		break;
	case -EPERM:
	case -ELOOP:
		break;
	default:
		atomic_long_inc(&ifp->rx_length);
	}
}

/* ESP or AH from @skb's source to its destination with an unknown SPI. */
void kipsec_if_nosa(struct kipsec_net *kn, const struct sk_buff *skb,
		    u16 family)
{
	struct kipsec_addr local, remote;
	struct kipsec_if *ifp;

	kipsec_hdr_addr(skb, family, false, &local);
	kipsec_hdr_addr(skb, family, true, &remote);
	ifp = kipsec_if_of_ep(kn, &local, &remote);
	if (ifp)
		atomic_long_inc(&ifp->rx_missed);
}
