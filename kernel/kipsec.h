/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kipsec: a KAME-style IPsec engine with its own SPD and SAD, reached through
 * a PF_KEY v2 socket (RFC 2367) with Linux's ABI.
 */
#ifndef KIPSEC_H
#define KIPSEC_H

#include <linux/atomic.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#define KIPSEC_VERSION "0.1.0"

/* Everything kipsec keeps is per network namespace. */
struct kipsec_net {
	struct net *net;
	atomic_t nr_sockets;
};

extern unsigned int kipsec_net_id;

static inline struct kipsec_net *kipsec_pernet(const struct net *net)
{
	return net_generic(net, kipsec_net_id);
}

int kipsec_netns_init(void);
void kipsec_netns_exit(void);

int kipsec_pfkey_init(void);
void kipsec_pfkey_exit(void);

#endif /* KIPSEC_H */
