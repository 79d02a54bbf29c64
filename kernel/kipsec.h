/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kipsec: a KAME-style IPsec engine with its own SPD and SAD, reached through
 * a PF_KEY v2 socket (RFC 2367) with Linux's ABI.
 */
#ifndef KIPSEC_H
#define KIPSEC_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/in6.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#define KIPSEC_VERSION "0.1.0"

/* An address of either family, zero-padded so that memcmp() compares. */
struct kipsec_addr {
	union {
		__be32 v4;
		struct in6_addr v6;
	};
	u16 family;
};

/*
 * Destination prefix lengths, IPv4's 0..32 then IPv6's 0..128; and their
 * levels, lengths in steps of 8 (5 for IPv4, 17 for IPv6). See spd_dst.c.
 */
#define KIPSEC_SPD_NLEN		(33 + 129)
#define KIPSEC_SPD_NLEVEL	(5 + 17)

static inline unsigned int kipsec_len_index(u16 family, unsigned int plen)
{
	return family == AF_INET ? plen : 33 + plen;
}

static inline unsigned int kipsec_level_index(u16 family, unsigned int plen)
{
	return (family == AF_INET ? 0 : 5) + plen / 8;
}

struct kipsec_spd_dgroup;

/* Security association database of one namespace (sad.c). */
struct kipsec_sad {
	spinlock_t lock;		/* writers, and everything below */
	seqcount_spinlock_t seq;	/* lockless lookups retry on change */
	struct hlist_head *by_spi;	/* (spi, dst, proto): inbound lookup */
	struct hlist_head *by_addr;	/* (src, dst, proto): selection */
	struct hlist_head *by_seq;	/* larval SAs by GETSPI seq */
	unsigned int bits;		/* log2 of each table's size */
	struct rb_root ids;		/* by id: creation order, DUMP cursor */
	unsigned int count;
	unsigned int nr_acquire;	/* larval SAs of ACQUIREs, no SPI yet */
	u64 acquire_refused;		/* ACQUIREs over net.kipsec.acquire_max */
	u64 next_id;
	u32 acq_seq;			/* seq of the last ACQUIRE */
	u32 seed;
	struct delayed_work expire_work;
	struct work_struct grow_work;	/* grows the tables for atomic inserts */
	bool dead;			/* namespace going: no rescheduling */
};

/* Security policy database of one namespace (spd.c). */
struct kipsec_spd {
	spinlock_t lock;		/* writers, and everything below */
	seqcount_spinlock_t seq;	/* lockless lookups retry on change */
	struct hlist_head *by_key;	/* (class, masked selector) */
	struct hlist_head *by_id;	/* policy id */
	struct hlist_head *by_dst;	/* (group, masked destination) */
	struct hlist_head *by_blk;	/* (dir, level, masked destination) */
	unsigned int bits;
	/* classes per direction, by family and destination prefix length */
	struct kipsec_spd_dgroup __rcu *grp[3][KIPSEC_SPD_NLEN];
	/* blocks per direction and level; a bit per level that has some */
	unsigned int nblk[3][KIPSEC_SPD_NLEVEL];
	unsigned long levels[3];
	struct rb_root tree;		/* by (dir, priority, seq): SPD order */
	unsigned int count;
	u32 next_index;
	u64 next_seq;
	u32 next_reqid;
	u32 seed;
};

struct kipsec_mib;

/* kipsec interfaces whose encrypted side is a namespace (iface.c). */
#define KIPSEC_IF_BITS	6

/* Everything kipsec keeps is per network namespace. */
struct kipsec_net {
	struct net *net;
	atomic_t nr_sockets;
	spinlock_t sock_lock;		/* sockets */
	struct hlist_head sockets;	/* PF_KEY sockets, for broadcasts */
	struct kipsec_sad sad;
	struct kipsec_spd spd;
	int larval_lifetime;		/* sysctl, seconds */
	int acquire_max;		/* sysctl: larval SAs of ACQUIREs */
	int preferred_oldsa;		/* sysctl, bool */
	struct ctl_table_header *sysctl;
	struct kipsec_mib __percpu *mib;	/* packet counters (stats.c) */
	atomic_t inflight;		/* packets inside the crypto API */
	/* Interfaces, written under RTNL, read under RCU (iface.c). */
	struct hlist_head if_reqid[1 << KIPSEC_IF_BITS];
	struct hlist_head if_ep[1 << KIPSEC_IF_BITS];
	unsigned int nr_ifs;
};

extern unsigned int kipsec_net_id;
/* Process-context work that must be drained before unload (SA freeing). */
extern struct workqueue_struct *kipsec_wq;

static inline struct kipsec_net *kipsec_pernet(const struct net *net)
{
	return net_generic(net, kipsec_net_id);
}

unsigned int kipsec_chain_max(struct hlist_head **tablep,
			      unsigned int *bitsp);

int kipsec_netns_init(void);
void kipsec_netns_exit(void);

int kipsec_pfkey_init(void);
void kipsec_pfkey_exit(void);

#endif /* KIPSEC_H */
