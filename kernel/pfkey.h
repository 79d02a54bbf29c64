/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the PF_KEY socket layer offers the SAD and SPD: message building,
 * delivery by RFC 2367's rules, and resumable dumps.
 */
#ifndef KIPSEC_PFKEY_H
#define KIPSEC_PFKEY_H

#include <linux/skbuff.h>
#include <net/sock.h>
#include "kipsec.h"
#include "pfkey_msg.h"

/* Who gets a message (RFC 2367 section 3.1, af_key's BROADCAST_*). */
enum kipsec_bcast {
	KIPSEC_BC_ONE,		/* the requesting socket only */
	KIPSEC_BC_ALL,		/* every PF_KEY socket of the namespace */
	KIPSEC_BC_REGISTERED,	/* sockets registered for the SA type */
};

int kipsec_broadcast(struct sk_buff *skb, gfp_t gfp, enum kipsec_bcast how,
		     struct sock *one, struct net *net, u8 satype);

struct sk_buff *kipsec_msg_new(unsigned int size, gfp_t gfp);
struct sadb_msg *kipsec_put_hdr(struct sk_buff *skb,
				const struct sadb_msg *req, u8 type, u8 satype);
void *kipsec_put_ext(struct sk_buff *skb, u16 type, unsigned int len);
void kipsec_msg_finish(struct sk_buff *skb);
void kipsec_put_lifetime(struct sk_buff *skb, u16 type,
			 const struct sadb_lifetime *from);

unsigned int kipsec_address_ext_len(u16 family);
void kipsec_put_address(struct sk_buff *skb, u16 type,
			const struct kipsec_addr *a, u8 proto, u8 plen,
			__be16 port);
__be16 kipsec_addr_from_sockaddr(struct kipsec_addr *a,
				 const struct sockaddr *sa);
unsigned int kipsec_addr_bits(const struct kipsec_addr *a);

/*
 * A dump in progress on one socket. step() queues messages with
 * kipsec_dump_emit() while kipsec_dump_room() says so, remembering where it
 * stopped in pos[]; it returns 1 when more is left, 0 when done, or -errno.
 * The socket calls it again from recvmsg() as its queue drains.
 */
struct kipsec_dump {
	int (*step)(struct sock *sk, struct kipsec_dump *d);
	struct sadb_msg req;
	u64 pos[2];
	struct sk_buff *pending;	/* held back: the last gets seq 0 */
	unsigned int sent;
	bool skpol;			/* X_SPDDUMP: at the socket policies */
	unsigned int skpol_sent;	/* socket policies sent */
};

bool kipsec_dump_room(struct sock *sk);
void kipsec_dump_emit(struct sock *sk, struct kipsec_dump *d,
		      struct sk_buff *skb);

/* Message handlers: 0 when the reply went out, -errno for an error reply. */
int kipsec_sad_getspi(struct sock *sk, const struct kipsec_msg *m);
int kipsec_sad_add(struct sock *sk, const struct kipsec_msg *m);
int kipsec_sad_delete(struct sock *sk, const struct kipsec_msg *m);
int kipsec_sad_get(struct sock *sk, const struct kipsec_msg *m);
int kipsec_sad_flush(struct sock *sk, const struct kipsec_msg *m);
int kipsec_sad_dump_step(struct sock *sk, struct kipsec_dump *d);
int kipsec_sad_register_reply(struct sock *sk, const struct kipsec_msg *m);

int kipsec_spd_add(struct sock *sk, const struct kipsec_msg *m);
int kipsec_spd_delete(struct sock *sk, const struct kipsec_msg *m);
int kipsec_spd_get(struct sock *sk, const struct kipsec_msg *m);
int kipsec_spd_flush(struct sock *sk, const struct kipsec_msg *m);
int kipsec_spd_dump_step(struct sock *sk, struct kipsec_dump *d);

/* Per-namespace tables (sad.c, spd.c) and algorithms (alg.c). */
int kipsec_sad_init(struct kipsec_net *kn);
void kipsec_sad_exit(struct kipsec_net *kn);
int kipsec_sad_cache_init(void);
void kipsec_sad_cache_exit(void);

#endif /* KIPSEC_PFKEY_H */
