/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Security associations (sad.c) and how they become PF_KEY messages
 * (sad_msg.c).
 */
#ifndef KIPSEC_SAD_H
#define KIPSEC_SAD_H

#include <linux/refcount.h>
#include <linux/time64.h>
#include <linux/workqueue.h>
#include "pfkey.h"

struct kipsec_policy;
struct kipsec_sa_dp;

struct kipsec_sa {
	struct hlist_node by_spi;
	struct hlist_node by_addr;
	struct hlist_node by_seq;	/* hashed while larval */
	struct rb_node by_id;		/* in kipsec_sad.ids */
	refcount_t ref;			/* the table's, and each packet's */
	struct rcu_work free_work;	/* frees after a grace period */
	struct kipsec_sa_dp *dp;	/* packet path state (keyed ESP) */
	atomic64_t packets, bytes;	/* current lifetime, lockless */
	u64 id;				/* creation order, DUMP cursor */
	struct kipsec_addr src, dst;
	__be32 spi;
	u32 seq, pid, reqid, flags;
	u8 satype, state, mode, replay, aalg, ealg;
	u8 natt_type;			/* UDP_ENCAP_ESPINUDP (RFC 3948), or 0 */
	__be16 natt_sport, natt_dport;	/* UDP ports, with natt_type */
	struct kipsec_addr natt_oa;	/* NAT-OA, family 0 when not given */
	bool soft_expired;
	bool acquire;			/* an ACQUIRE's, without an SPI yet */
	time64_t created;		/* monotonic seconds */
	time64_t larval_deadline;	/* monotonic seconds */
	time64_t first_use;		/* monotonic seconds, 0: never used */
	bool limit_kicked;		/* the expiry work was woken */
	struct sadb_lifetime hard, soft, cur;
	struct sadb_key *akey, *ekey;	/* whole extensions, or NULL */
	struct sadb_x_kipsec_sa kx;	/* kx.sadb_x_kipsec_sa_len 0: absent */
};

/* What to put in a message about an SA. */
enum {
	KIPSEC_SAMSG_KEYS = 1,		/* key extensions (GET, DUMP) */
	KIPSEC_SAMSG_HARD = 2,		/* only the hard lifetime (EXPIRE) */
	KIPSEC_SAMSG_SOFT = 4,		/* only the soft lifetime (EXPIRE) */
};

struct sk_buff *kipsec_sa_msg(const struct kipsec_sa *sa,
			      const struct sadb_msg *req, u8 type,
			      unsigned int what, gfp_t gfp);
int kipsec_sa_from_msg(struct kipsec_sa *sa, const struct kipsec_msg *m);
void kipsec_sa_free_keys(struct kipsec_sa *sa);
int kipsec_sa_dp_init(struct kipsec_sa *sa);	/* sa_crypto.c */
void kipsec_sa_dp_free(struct kipsec_sa *sa);

struct kipsec_sa *kipsec_sad_lookup(struct kipsec_sad *sad, __be32 spi,
				    const struct kipsec_addr *dst, u8 satype);
struct kipsec_sa *kipsec_sad_select_larval(struct kipsec_sad *sad, u8 satype,
					   u8 mode,
					   const struct kipsec_addr *src,
					   const struct kipsec_addr *dst,
					   u32 reqid);
struct kipsec_sa *kipsec_sa_alloc(void);
struct kipsec_sa *kipsec_sa_alloc_gfp(gfp_t gfp);
void kipsec_sad_insert(struct kipsec_sad *sad, struct kipsec_sa *sa);
int kipsec_km_acquire(struct net *net, u8 satype,
		      const struct kipsec_addr *src,
		      const struct kipsec_addr *dst,
		      const struct kipsec_policy *pol, u8 mode, u32 reqid);
void kipsec_sa_free(struct kipsec_sa *sa);
int kipsec_sad_insert_new(struct kipsec_sad *sad, struct kipsec_sa *sa);
int kipsec_sad_selftest(void);
int kipsec_km_selftest(void);
void kipsec_sa_count(struct kipsec_sad *sad, struct kipsec_sa *sa,
		     unsigned int bytes);
void kipsec_sa_cur(const struct kipsec_sa *sa, struct sadb_lifetime *cur);
void kipsec_sa_put(struct kipsec_sa *sa);
struct kipsec_sa *kipsec_sad_lookup_hold(struct kipsec_sad *sad, __be32 spi,
					 const struct kipsec_addr *dst,
					 u8 satype);
/* @mode IPSEC_MODE_ANY: any SA; else one of that mode or of mode any. */
struct kipsec_sa *kipsec_sad_select_hold(struct kipsec_net *kn, u8 satype,
					 u8 mode, const struct kipsec_addr *src,
					 const struct kipsec_addr *dst,
					 u32 reqid);
struct kipsec_sa *kipsec_sad_select(struct kipsec_net *kn, u8 satype,
				    u8 mode, const struct kipsec_addr *src,
				    const struct kipsec_addr *dst, u32 reqid);

/* Walking the SAD in id (creation) order; caller holds the SAD lock. */
struct kipsec_sa *kipsec_sa_after(struct kipsec_sad *sad, u64 id);
struct kipsec_sa *kipsec_sa_next(struct kipsec_sa *sa);
unsigned int kipsec_sad_chain_max(struct kipsec_sad *sad);

#endif /* KIPSEC_SAD_H */
