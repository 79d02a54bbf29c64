// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Route-based tunnels: virtual interfaces of link kind "kipsec", KLIPS's
 * ipsecN. Routing, not the SPD, decides what a tunnel protects: whatever
 * is routed into an interface is sent through the SA that its endpoints
 * and reqid select in the SAD, and whatever arrives through that SA comes
 * out of it, so dynamic routing, overlapping subnets and firewall zones
 * work per tunnel. The SAs are ordinary ones (setkey -u, ikd), so one SAD
 * serves both models; the SPD is not consulted for such packets.
 *
 * An interface has two sides. The encrypted side (SAD, outer routing) is
 * the namespace it was created in and never changes; the clear side is
 * where the netdev lives, which `ip link set netns` may move, so that a
 * container can own a tunnel whose keys it cannot see (as WireGuard and
 * xfrm interfaces allow). When the encrypted side's namespace goes, its
 * interfaces go with it.
 *
 * Lookups from the packet path (by reqid, and by endpoints for errors of
 * unknown SPIs) are RCU hash tables in the encrypted side's kipsec_net,
 * written under RTNL. iface_dp.c has the packet path.
 */
#include <linux/etherdevice.h>
#include <linux/hash.h>
#include <linux/if_arp.h>
#include <linux/jhash.h>
#include <linux/module.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <net/rtnetlink.h>
#include <kipsec/if_kipsec.h>
#include "iface.h"
#include "dp.h"

/* What IPSEC_MANUAL_REQID_MAX allows; setkey -u takes as much. */
#define KIPSEC_IF_REQID_MAX	0x3fff

/*
 * The worst ESP tunnel overhead after the outer IP header, with the
 * algorithms kipsec offers: a NAT-T UDP header (8), SPI and sequence
 * number (8), a CBC IV (16), padding to a 16-byte block with its two
 * trailer bytes (17), and HMAC-SHA-512's 32-byte ICV: 81 bytes. The
 * default MTU, 1500 less that and the outer header, is 1399 over IPv4
 * and 1379 over IPv6: full-size packets fit an Ethernet path whatever the
 * SA, and the SA's own overhead only matters on smaller paths, where
 * ICMP tells the senders (iface_dp.c).
 */
#define KIPSEC_IF_ESP_MAX	81

static unsigned int kipsec_if_overhead(u16 family)
{
	return (family == AF_INET ? sizeof(struct iphdr) :
		sizeof(struct ipv6hdr)) + KIPSEC_IF_ESP_MAX;
}

static u32 kipsec_if_ep_hash(const struct kipsec_addr *local,
			     const struct kipsec_addr *remote)
{
	return hash_32(jhash(local, sizeof(*local),
			     jhash(remote, sizeof(*remote), 0)), KIPSEC_IF_BITS);
}

static void kipsec_if_hash(struct kipsec_if *ifp)
{
	struct kipsec_net *kn = kipsec_pernet(ifp->net);

	hlist_add_head_rcu(&ifp->by_reqid,
			   &kn->if_reqid[hash_32(ifp->reqid, KIPSEC_IF_BITS)]);
	hlist_add_head_rcu(&ifp->by_ep,
			   &kn->if_ep[kipsec_if_ep_hash(&ifp->local,
							&ifp->remote)]);
	WRITE_ONCE(kn->nr_ifs, kn->nr_ifs + 1);
}

static void kipsec_if_unhash(struct kipsec_if *ifp)
{
	struct kipsec_net *kn = kipsec_pernet(ifp->net);

	hlist_del_init_rcu(&ifp->by_reqid);
	hlist_del_init_rcu(&ifp->by_ep);
	WRITE_ONCE(kn->nr_ifs, kn->nr_ifs - 1);
}

struct kipsec_if *kipsec_if_of_reqid(struct kipsec_net *kn, u32 reqid)
{
	struct kipsec_if *ifp;

	hlist_for_each_entry_rcu(ifp, &kn->if_reqid[hash_32(reqid, KIPSEC_IF_BITS)],
				 by_reqid)
		if (ifp->reqid == reqid)
			return ifp;
	return NULL;
}

struct kipsec_if *kipsec_if_of_ep(struct kipsec_net *kn,
				  const struct kipsec_addr *local,
				  const struct kipsec_addr *remote)
{
	struct kipsec_if *ifp;

	hlist_for_each_entry_rcu(ifp, &kn->if_ep[kipsec_if_ep_hash(local, remote)],
				 by_ep)
		if (!memcmp(&ifp->local, local, sizeof(*local)) &&
		    !memcmp(&ifp->remote, remote, sizeof(*remote)))
			return ifp;
	return NULL;
}

/* ---- the netdev ----------------------------------------------------- */

static int kipsec_if_init(struct net_device *dev)
{
	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	return dev->tstats ? 0 : -ENOMEM;
}

static void kipsec_if_destruct(struct net_device *dev)
{
	free_percpu(dev->tstats);
}

static void kipsec_if_get_stats64(struct net_device *dev,
				  struct rtnl_link_stats64 *s)
{
	struct kipsec_if *ifp = netdev_priv(dev);

	dev_fetch_sw_netstats(s, dev->tstats);
	s->rx_missed_errors = atomic_long_read(&ifp->rx_missed);
	s->rx_fifo_errors = atomic_long_read(&ifp->rx_fifo);
	s->rx_crc_errors = atomic_long_read(&ifp->rx_crc);
	s->rx_length_errors = atomic_long_read(&ifp->rx_length);
	s->rx_errors = s->rx_missed_errors + s->rx_fifo_errors +
		       s->rx_crc_errors + s->rx_length_errors;
	s->rx_dropped = atomic_long_read(&ifp->rx_dropped);
	s->tx_carrier_errors = atomic_long_read(&ifp->tx_carrier);
	s->tx_aborted_errors = atomic_long_read(&ifp->tx_aborted);
	s->tx_fifo_errors = atomic_long_read(&ifp->tx_fifo);
	s->tx_dropped = s->tx_carrier_errors + s->tx_aborted_errors +
			s->tx_fifo_errors;
	s->tx_errors = s->tx_dropped + atomic_long_read(&ifp->tx_toobig);
}

const struct net_device_ops kipsec_if_ops = {
	.ndo_init = kipsec_if_init,
	.ndo_start_xmit = kipsec_if_xmit,
	.ndo_get_stats64 = kipsec_if_get_stats64,
};

static void kipsec_if_setup(struct net_device *dev)
{
	dev->netdev_ops = &kipsec_if_ops;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_NOARP | IFF_POINTOPOINT;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->features |= NETIF_F_LLTX;
	/* The clear side's route, for ICMP to the sender (iface_dp.c). */
	netif_keep_dst(dev);
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->mtu = ETH_DATA_LEN - kipsec_if_overhead(AF_INET);
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = IP_MAX_MTU - kipsec_if_overhead(AF_INET6);
	dev->needs_free_netdev = true;
	dev->priv_destructor = kipsec_if_destruct;
}

/* ---- rtnetlink ------------------------------------------------------ */

static const struct nla_policy kipsec_if_policy[IFLA_KIPSEC_MAX + 1] = {
	[IFLA_KIPSEC_LOCAL] = NLA_POLICY_MIN_LEN(sizeof(struct in_addr)),
	[IFLA_KIPSEC_REMOTE] = NLA_POLICY_MIN_LEN(sizeof(struct in_addr)),
	[IFLA_KIPSEC_REQID] = NLA_POLICY_RANGE(NLA_U32, 1, KIPSEC_IF_REQID_MAX),
};

/* An outer address: 4 or 16 bytes, not a wildcard. */
static int kipsec_if_addr(const struct nlattr *a, struct kipsec_addr *out,
			  struct netlink_ext_ack *extack)
{
	memset(out, 0, sizeof(*out));
	if (nla_len(a) == sizeof(struct in_addr)) {
		out->family = AF_INET;
		out->v4 = nla_get_in_addr(a);
		if (!ipv4_is_zeronet(out->v4) && !ipv4_is_multicast(out->v4) &&
		    !ipv4_is_lbcast(out->v4))
			return 0;
	} else if (nla_len(a) == sizeof(struct in6_addr)) {
		out->family = AF_INET6;
		out->v6 = nla_get_in6_addr(a);
		if (!ipv6_addr_any(&out->v6) &&
		    !ipv6_addr_is_multicast(&out->v6))
			return 0;
	} else {
		NL_SET_ERR_MSG_ATTR(extack, a, "an address is 4 or 16 bytes");
		return -EINVAL;
	}
	NL_SET_ERR_MSG_ATTR(extack, a, "a tunnel endpoint must be a unicast address");
	return -EINVAL;
}

static int kipsec_if_validate(struct nlattr *tb[], struct nlattr *data[],
			      struct netlink_ext_ack *extack)
{
	struct kipsec_addr l, r;
	int err;

	if (!data || !data[IFLA_KIPSEC_LOCAL] || !data[IFLA_KIPSEC_REMOTE] ||
	    !data[IFLA_KIPSEC_REQID]) {
		NL_SET_ERR_MSG(extack, "kipsec interfaces need local, remote and reqid");
		return -EINVAL;
	}
	err = kipsec_if_addr(data[IFLA_KIPSEC_LOCAL], &l, extack);
	if (!err)
		err = kipsec_if_addr(data[IFLA_KIPSEC_REMOTE], &r, extack);
	if (err)
		return err;
	if (l.family != r.family) {
		NL_SET_ERR_MSG(extack, "local and remote must be of one family");
		return -EINVAL;
	}
	return 0;
}

static int kipsec_if_newlink(struct net *src_net, struct net_device *dev,
			     struct nlattr *tb[], struct nlattr *data[],
			     struct netlink_ext_ack *extack)
{
	struct kipsec_if *ifp = netdev_priv(dev);
	int err;

	/* validate() checked them */
	kipsec_if_addr(data[IFLA_KIPSEC_LOCAL], &ifp->local, NULL);
	kipsec_if_addr(data[IFLA_KIPSEC_REMOTE], &ifp->remote, NULL);
	ifp->reqid = nla_get_u32(data[IFLA_KIPSEC_REQID]);
	ifp->net = src_net;
	ifp->dev = dev;
	if (kipsec_if_of_reqid(kipsec_pernet(src_net), ifp->reqid)) {
		NL_SET_ERR_MSG_ATTR(extack, data[IFLA_KIPSEC_REQID],
				    "another kipsec interface has this reqid");
		return -EEXIST;
	}
	if (!tb[IFLA_MTU])
		dev->mtu = ETH_DATA_LEN - kipsec_if_overhead(ifp->local.family);
	err = register_netdevice(dev);
	if (err)
		return err;
	kipsec_if_hash(ifp);
	return 0;
}

static void kipsec_if_dellink(struct net_device *dev, struct list_head *head)
{
	kipsec_if_unhash(netdev_priv(dev));
	unregister_netdevice_queue(dev, head);
}

/*
 * The endpoints and reqid are what the interface is: they cannot change
 * under the packet path, which reads them without a lock.
 */
static int kipsec_if_changelink(struct net_device *dev, struct nlattr *tb[],
				struct nlattr *data[],
				struct netlink_ext_ack *extack)
{
	struct kipsec_if *ifp = netdev_priv(dev);
	struct kipsec_addr a;

	if (!data)
		return 0;
	if (data[IFLA_KIPSEC_LOCAL] &&
	    (kipsec_if_addr(data[IFLA_KIPSEC_LOCAL], &a, extack) ||
	     memcmp(&a, &ifp->local, sizeof(a))))
		goto fixed;
	if (data[IFLA_KIPSEC_REMOTE] &&
	    (kipsec_if_addr(data[IFLA_KIPSEC_REMOTE], &a, extack) ||
	     memcmp(&a, &ifp->remote, sizeof(a))))
		goto fixed;
	if (data[IFLA_KIPSEC_REQID] &&
	    nla_get_u32(data[IFLA_KIPSEC_REQID]) != ifp->reqid)
		goto fixed;
	return 0;
fixed:
	NL_SET_ERR_MSG(extack, "endpoints and reqid are fixed: delete and add the interface");
	return -EOPNOTSUPP;
}

static size_t kipsec_if_get_size(const struct net_device *dev)
{
	return 2 * nla_total_size(sizeof(struct in6_addr)) +
	       nla_total_size(sizeof(u32));
}

static int kipsec_if_put_addr(struct sk_buff *skb, int type,
			      const struct kipsec_addr *a)
{
	if (a->family == AF_INET)
		return nla_put_in_addr(skb, type, a->v4);
	return nla_put_in6_addr(skb, type, &a->v6);
}

static int kipsec_if_fill_info(struct sk_buff *skb,
			       const struct net_device *dev)
{
	const struct kipsec_if *ifp = netdev_priv(dev);

	if (kipsec_if_put_addr(skb, IFLA_KIPSEC_LOCAL, &ifp->local) ||
	    kipsec_if_put_addr(skb, IFLA_KIPSEC_REMOTE, &ifp->remote) ||
	    nla_put_u32(skb, IFLA_KIPSEC_REQID, ifp->reqid))
		return -EMSGSIZE;
	return 0;
}

static struct net *kipsec_if_get_link_net(const struct net_device *dev)
{
	const struct kipsec_if *ifp = netdev_priv(dev);

	return ifp->net;
}

static struct rtnl_link_ops kipsec_link_ops __read_mostly = {
	.kind = KIPSEC_IF_KIND,
	.priv_size = sizeof(struct kipsec_if),
	.setup = kipsec_if_setup,
	.maxtype = IFLA_KIPSEC_MAX,
	.policy = kipsec_if_policy,
	.validate = kipsec_if_validate,
	.newlink = kipsec_if_newlink,
	.changelink = kipsec_if_changelink,
	.dellink = kipsec_if_dellink,
	.get_size = kipsec_if_get_size,
	.fill_info = kipsec_if_fill_info,
	.get_link_net = kipsec_if_get_link_net,
};

/*
 * The namespace of @kn's encrypted side is going: its interfaces, wherever
 * their clear side is, go first, before the SAD they use.
 */
void kipsec_iface_net_exit(struct kipsec_net *kn)
{
	struct hlist_node *tmp;
	struct kipsec_if *ifp;
	LIST_HEAD(list);
	unsigned int i;

	rtnl_lock();
	for (i = 0; i < ARRAY_SIZE(kn->if_reqid); i++)
		hlist_for_each_entry_safe(ifp, tmp, &kn->if_reqid[i], by_reqid)
			kipsec_if_dellink(ifp->dev, &list);
	unregister_netdevice_many(&list);
	rtnl_unlock();
}

int kipsec_iface_init(void)
{
	return rtnl_link_register(&kipsec_link_ops);
}

/* Every interface of every namespace goes (rtnl_link_unregister). */
void kipsec_iface_exit(void)
{
	rtnl_link_unregister(&kipsec_link_ops);
}

MODULE_ALIAS_RTNL_LINK(KIPSEC_IF_KIND);
