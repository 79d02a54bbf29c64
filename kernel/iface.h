/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kipsec's virtual interfaces (iface.c, iface_dp.c): route-based tunnels
 * bound to SAs by reqid. include/kipsec/if_kipsec.h has the ABI.
 */
#ifndef KIPSEC_IFACE_H
#define KIPSEC_IFACE_H

#include <linux/netdevice.h>
#include "kipsec.h"

struct kipsec_sa;

/* One interface; its netdev's private data. */
struct kipsec_if {
	struct net_device *dev;
	struct net *net;		/* the encrypted side: SAD, outer routes */
	struct kipsec_addr local, remote;
	u32 reqid;
	struct hlist_node by_reqid;	/* in kipsec_net.if_reqid, RCU */
	struct hlist_node by_ep;	/* in kipsec_net.if_ep, RCU */
	/* the errors of if_kipsec.h, rare: shared counters */
	atomic_long_t rx_missed, rx_fifo, rx_crc, rx_length, rx_dropped;
	atomic_long_t tx_carrier, tx_aborted, tx_fifo, tx_toobig;
};

extern const struct net_device_ops kipsec_if_ops;

static inline bool kipsec_is_iface(const struct net_device *dev)
{
	return dev && dev->netdev_ops == &kipsec_if_ops;
}

int kipsec_iface_init(void);
void kipsec_iface_exit(void);
void kipsec_iface_net_exit(struct kipsec_net *kn);

/* The packet path, under RCU (iface_dp.c). */
struct kipsec_if *kipsec_if_of_reqid(struct kipsec_net *kn, u32 reqid);
struct kipsec_if *kipsec_if_of_sa(struct kipsec_net *kn,
				  const struct kipsec_sa *sa);
struct kipsec_if *kipsec_if_of_ep(struct kipsec_net *kn,
				  const struct kipsec_addr *local,
				  const struct kipsec_addr *remote);
void kipsec_if_rx(struct kipsec_if *ifp, struct sk_buff *skb);
void kipsec_if_in_fail(struct kipsec_net *kn, const struct kipsec_sa *sa,
		       int err);
void kipsec_if_out_fail(struct kipsec_net *kn, const struct kipsec_sa *sa,
			int err);
void kipsec_if_nosa(struct kipsec_net *kn, const struct sk_buff *skb,
		    u16 family);
netdev_tx_t kipsec_if_xmit(struct sk_buff *skb, struct net_device *dev);

#endif /* KIPSEC_IFACE_H */
