/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Security policies (spd.c) and their PF_KEY form (spd_msg.c).
 */
#ifndef KIPSEC_SPD_H
#define KIPSEC_SPD_H

#include <linux/timekeeping.h>
#include "pfkey.h"

/* Directions, as indexes: PF_KEY's IPSEC_DIR_* minus one (af_key's). */
enum { KIPSEC_DIR_IN, KIPSEC_DIR_OUT, KIPSEC_DIR_FWD, KIPSEC_DIR_MAX };

/*
 * A selector, masked to its prefixes; zero-padded so that it can be hashed
 * and compared as bytes. proto 0 and ports 0 mean "any".
 */
struct kipsec_sel {
	struct kipsec_addr src, dst;
	__be16 sport, dport;
	u8 proto, splen, dplen, pad;
};

/*
 * The classes of one direction, family and destination prefix length: the
 * lookup asks them only when the packet's destination is one of theirs.
 */
struct kipsec_spd_dgroup {
	struct list_head classes;	/* its kipsec_spd_class.node */
	struct rcu_head rcu;
	u16 family;
	u8 dir, dplen;
	unsigned int refs;		/* classes in it */
	u32 salt;			/* hash salt of its marks */
};

/*
 * The destination prefixes of one direction and family whose lengths are
 * level..level+7, below one prefix of length level (a multiple of 8): a
 * bit for each of the 255 prefixes those lengths allow, set while a policy
 * has it. See spd_dst.c.
 */
#define KIPSEC_BLOCK_BITS	255

struct kipsec_spd_block {
	struct hlist_node node;		/* in kipsec_spd.by_blk */
	struct rcu_head rcu;
	struct kipsec_addr pfx;		/* masked to level, zero-padded */
	u8 dir, level;
	unsigned int refs;		/* marks in it */
	DECLARE_BITMAP(has, KIPSEC_BLOCK_BITS);
};

/* A destination prefix that policies of group @grp have; writers only. */
struct kipsec_spd_mark {
	struct hlist_node node;		/* in kipsec_spd.by_dst */
	const struct kipsec_spd_dgroup *grp;
	struct kipsec_spd_block *blk;	/* where its bit is */
	struct kipsec_addr dst;		/* masked, zero-padded */
	unsigned int refs;		/* policies with it */
};

/* The policies with one shape of selector: one hash probe per packet. */
struct kipsec_spd_class {
	struct list_head node;		/* in kipsec_spd_dgroup.classes */
	struct kipsec_spd_dgroup *grp;	/* its family and dplen */
	struct rcu_head rcu;
	u8 splen;
	bool proto, sport, dport;	/* which of these it selects on */
	unsigned int refs;		/* policies in the class */
	u32 salt;			/* hash salt of the class */
};

struct kipsec_req {
	u8 proto, mode, level;
	u32 reqid;
	struct kipsec_addr tsrc, tdst;	/* tunnel endpoints */
};

struct kipsec_policy {
	struct rcu_head rcu;
	struct hlist_node by_key;
	struct hlist_node by_id;
	struct rb_node node;		/* in kipsec_spd.tree */
	struct kipsec_spd_class *cls;
	struct kipsec_spd_mark *mark;	/* its destination in cls->grp */
	u32 id, priority;
	u64 seq;			/* insertion order among equals */
	u8 dir, action;			/* KIPSEC_DIR_*, IPSEC_POLICY_* */
	struct kipsec_sel sel;
	unsigned int nreqs;
	struct kipsec_req req[KIPSEC_MAX_REQS];
	struct sadb_lifetime hard, soft, cur;
	time64_t lastuse;		/* real seconds of the last packet, or 0 */
};

/*
 * The packet path found @pol for a packet: its last-use time (PF_KEY's
 * current lifetime, usetime), written at most once a second so that the
 * policy's cache line is not bounced between CPUs.
 */
static inline void kipsec_policy_used(struct kipsec_policy *pol)
{
	time64_t now = ktime_get_real_seconds();

	if (READ_ONCE(pol->lastuse) != now)
		WRITE_ONCE(pol->lastuse, now);
}

/* What a packet offers the SPD. */
struct kipsec_flow {
	struct kipsec_addr src, dst;
	__be16 sport, dport;
	u8 proto;
};

struct kipsec_policy *kipsec_spd_lookup(struct net *net, u8 dir,
					const struct kipsec_flow *fl);
struct kipsec_policy *__kipsec_spd_lookup(struct kipsec_spd *spd, u8 dir,
					  const struct kipsec_flow *fl);
int kipsec_spd_insert_new(struct kipsec_spd *spd, struct kipsec_policy *pol);
int kipsec_spd_remove(struct kipsec_spd *spd, u8 dir,
		      const struct kipsec_sel *sel);
int kipsec_spd_init(struct kipsec_spd *spd);

/* Marks and blocks (spd_dst.c); writers hold the SPD lock. */
struct kipsec_spd_mark *kipsec_mark_get(struct kipsec_spd *spd,
					const struct kipsec_spd_dgroup *g,
					const struct kipsec_sel *sel);
void kipsec_mark_put_unused(struct kipsec_spd *spd, struct kipsec_spd_mark *m);
void kipsec_spd_dst_move(struct kipsec_spd *spd, struct hlist_head *odst,
			 struct hlist_head *oblk, unsigned int obits);
unsigned int kipsec_spd_dst_lens(struct kipsec_spd *spd, u8 dir,
				 const struct kipsec_addr *dst,
				 unsigned int level);

void kipsec_spd_exit(struct kipsec_spd *spd);
int kipsec_spd_selftest(void);

void kipsec_sel_mask(struct kipsec_addr *a, unsigned int plen);
int kipsec_req_from_msg(struct kipsec_req *r,
			const struct sadb_x_ipsecrequest *rq, u32 *next_reqid);
int kipsec_policy_sel_from_msg(struct kipsec_policy *pol,
			       const struct kipsec_msg *m);
int kipsec_policy_from_msg(struct kipsec_policy *pol,
			   const struct kipsec_msg *m, u32 *next_reqid);
struct sk_buff *kipsec_policy_msg(const struct kipsec_policy *pol,
				  const struct sadb_msg *req, u8 type,
				  gfp_t gfp);

/* A request in a policy extension (spd_msg.c), for ACQUIREs too. */
unsigned int kipsec_req_len(const struct kipsec_req *r);
void kipsec_put_req(struct sk_buff *skb, const struct kipsec_req *r);

#endif /* KIPSEC_SPD_H */
