/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The packet path: output.c (SPD on the way out), proto.c (how ESP, AH
 * and IPcomp come in), input.c (decapsulation and the inbound policy
 * check), esp.c, ah.c and ipcomp.c (the transforms), sa_crypto.c (per-SA
 * crypto and replay state) and stats.c (counters).
 */
#ifndef KIPSEC_DP_H
#define KIPSEC_DP_H

#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <crypto/aead.h>
#include <crypto/hash.h>
#include <linux/netfilter.h>
#include <linux/ipv6.h>
#include <net/ip.h>
#include <net/inet_sock.h>
#include "sad.h"
#include "spd.h"

/*
 * IPCB()/IP6CB() flag on a packet kipsec decapsulated and checked against
 * the inbound SPD, so that the LOCAL_IN and FORWARD checks let it through.
 * No 6.1 IPSKB_* or IP6SKB_* flag uses bit 15. Decapsulated packets
 * re-enter at PRE_ROUTING, never through ip_rcv(), so the flag survives.
 */
#define KIPSEC_SKB_DECAPPED	BIT(15)

/*
 * With it, which transforms the packet came through, for the policy check
 * of bundles (KAME's M_DECRYPTED and M_AUTHIPHDR). Bits 12-14 are free too.
 */
#define KIPSEC_SKB_VIA_COMP	BIT(12)
#define KIPSEC_SKB_VIA_AH	BIT(13)
#define KIPSEC_SKB_VIA_ESP	BIT(14)
#define KIPSEC_SKB_VIA_ALL	(KIPSEC_SKB_VIA_COMP | KIPSEC_SKB_VIA_AH | \
				 KIPSEC_SKB_VIA_ESP)

struct kipsec_comp_cpu;

/* Packet-path state of a keyed ESP or AH SA, or of an IPcomp SA. */
struct kipsec_sa_dp {
	union {
		struct crypto_aead *aead;	/* ESP */
		struct crypto_ahash *ahash;	/* AH */
		struct kipsec_comp_cpu __percpu *comp;	/* IPcomp, shared */
	};
	u8 proto;			/* IPPROTO_ESP, _AH or _COMP */
	u8 ivlen, icvlen, blksize;	/* blksize: ESP payload alignment */
	u8 ahlen;			/* AH header, ICV and padding */
	u8 encap;			/* UDP header before ESP (NAT-T), or 0 */
	bool esn;
	atomic64_t oseq;		/* last sequence number sent */
	/* counters for /proc/net/kipsec_sa */
	atomic64_t replay_fail, auth_fail, invalid;
	bool used_in, used_out;
	u32 pmtu;			/* from ICMP errors about our ESP */
	/* IPcomp: backoff (ipcomp.c) and counters for /proc/net/kipsec_sa */
	u32 comp_fails, comp_skip, comp_skip_next;
	atomic64_t comp_out, comp_in;
	atomic64_t nocomp_small, nocomp_larger, nocomp_backoff;
	/* anti-replay (RFC 4303 3.4.3, appendix A), window of @win packets */
	spinlock_t replay_lock;
	u64 top;			/* highest sequence number accepted */
	u32 win;			/* 0: no replay check */
	u32 nbits;			/* bitmap size, power of two >= win */
	unsigned long bitmap[];
};

/* replay.c: @seq is the 64-bit number (ESN inferred) of a packet. */
u64 kipsec_replay_seq(const struct kipsec_sa_dp *dp, __be32 seq_lo);
bool kipsec_replay_check(struct kipsec_sa_dp *dp, u64 seq);
bool kipsec_replay_advance(struct kipsec_sa_dp *dp, u64 seq);
int kipsec_seq_next(struct kipsec_sa *sa, u64 *seq);
int kipsec_replay_selftest(void);

/* Counters, KAME's ipsecstat set, per address family (stats.c). */
enum kipsec_stat {
	KIPSEC_IN_SUCCESS, KIPSEC_IN_POLVIO, KIPSEC_IN_NOSA, KIPSEC_IN_INVAL,
	KIPSEC_IN_NOMEM, KIPSEC_IN_BADSPI, KIPSEC_IN_AHREPLAY,
	KIPSEC_IN_ESPREPLAY, KIPSEC_IN_AUTHSUCC, KIPSEC_IN_AUTHFAIL,
	KIPSEC_OUT_SUCCESS, KIPSEC_OUT_POLVIO, KIPSEC_OUT_NOSA,
	KIPSEC_OUT_INVAL, KIPSEC_OUT_NOMEM, KIPSEC_OUT_NOROUTE,
	/* IPcomp output: compressed, or sent as it was and why (ipcomp.c) */
	KIPSEC_OUT_COMP, KIPSEC_OUT_NOCOMP_SMALL, KIPSEC_OUT_NOCOMP_LARGER,
	KIPSEC_OUT_NOCOMP_BACKOFF,
	KIPSEC_STAT_MAX
};

enum kipsec_hist {
	KIPSEC_HIST_IN_ESP, KIPSEC_HIST_IN_AH, KIPSEC_HIST_IN_COMP,
	KIPSEC_HIST_OUT_ESP, KIPSEC_HIST_OUT_AH, KIPSEC_HIST_OUT_COMP,
	KIPSEC_HIST_MAX
};

#define KIPSEC_HIST_IDS	64	/* algorithm ids counted; others in 0 */

struct kipsec_mib {
	u64 stat[2][KIPSEC_STAT_MAX];
	u64 hist[2][KIPSEC_HIST_MAX][KIPSEC_HIST_IDS];
};

static inline unsigned int kipsec_af(u16 family)
{
	return family == AF_INET6;
}

static inline void kipsec_stat(struct kipsec_net *kn, u16 family,
			       enum kipsec_stat item)
{
	this_cpu_inc(kn->mib->stat[kipsec_af(family)][item]);
}

static inline void kipsec_hist(struct kipsec_net *kn, u16 family,
			       enum kipsec_hist h, u8 alg)
{
	if (alg >= KIPSEC_HIST_IDS)
		alg = 0;
	this_cpu_inc(kn->mib->hist[kipsec_af(family)][h][alg]);
}

int kipsec_stats_net_init(struct kipsec_net *kn);
void kipsec_stats_net_exit(struct kipsec_net *kn);

/*
 * The transforms, esp.c, ah.c and ipcomp.c: @done gets the packet back, and
 * frees it on error. All take the same description of where the new header
 * goes.
 */
struct kipsec_xf_out {
	unsigned int hlen;	/* bytes of headers that stay before ESP/AH */
	unsigned int proto_off;	/* offset of the protocol byte to set */
	u8 nexthdr;		/* what ESP/AH protects */
};

typedef void (*kipsec_xf_done_t)(struct sk_buff *skb, struct kipsec_sa *sa,
				 int err, u8 nexthdr);

void kipsec_esp_output(struct sk_buff *skb, struct kipsec_sa *sa,
		       const struct kipsec_xf_out *o, kipsec_xf_done_t done);
void kipsec_esp_input(struct sk_buff *skb, struct kipsec_sa *sa,
		      kipsec_xf_done_t done);
unsigned int kipsec_esp_len(const struct kipsec_sa_dp *dp, unsigned int plen);
unsigned int kipsec_esp_room(const struct kipsec_sa_dp *dp, unsigned int mtu);

void kipsec_ah_output(struct sk_buff *skb, struct kipsec_sa *sa,
		      const struct kipsec_xf_out *o, kipsec_xf_done_t done);
void kipsec_ah_input(struct sk_buff *skb, struct kipsec_sa *sa,
		     kipsec_xf_done_t done);

void kipsec_ipcomp_output(struct sk_buff *skb, struct kipsec_sa *sa,
			  const struct kipsec_xf_out *o, kipsec_xf_done_t done);
void kipsec_ipcomp_input(struct sk_buff *skb, struct kipsec_sa *sa,
			 kipsec_xf_done_t done);
int kipsec_ipcomp_init(struct kipsec_sa *sa, struct kipsec_sa_dp *dp);
void kipsec_ipcomp_release(struct kipsec_sa_dp *dp);

/* The SA type (SADB_SATYPE_*) that carries IP protocol @proto. */
static inline u8 kipsec_proto_satype(u8 proto)
{
	if (proto == IPPROTO_COMP)
		return SADB_X_SATYPE_IPCOMP;
	return proto == IPPROTO_AH ? SADB_SATYPE_AH : SADB_SATYPE_ESP;
}

/* Flows from packets; the SPD as the packet path sees it (flow.c). */
int kipsec_flow_of(const struct sk_buff *skb, u16 family,
		   struct kipsec_flow *fl);

/* A policy as one packet needs it, copied out from under the SPD lock. */
struct kipsec_pol_snap {
	u32 id, priority;
	u8 dir, action;
	unsigned int nreqs;
	struct kipsec_req req[KIPSEC_MAX_REQS];
};

bool kipsec_spd_snap(struct kipsec_net *kn, u8 dir,
		     const struct kipsec_flow *fl, struct kipsec_pol_snap *ps);
bool kipsec_req_wants(const struct kipsec_req *r);

/* Per-socket policies (sockpol.c). */
bool kipsec_skpol_snap(const struct sock *sk, u8 dir,
		       struct kipsec_pol_snap *ps);
struct sock *kipsec_skpol_in_sock(struct net *net, struct sk_buff *skb,
				  const struct kipsec_flow *fl);
int kipsec_skpol_dump_step(struct sock *sk, struct kipsec_dump *d);
void kipsec_skpol_init(void);
void kipsec_skpol_exit(void);

/*
 * The full socket of a locally generated packet if it has a socket policy
 * for direction @xdir (XFRM_POLICY_*), of kipsec's or not; else NULL.
 * One load for a packet of a socket without one.
 */
static inline struct sock *kipsec_skpol_sk(struct sk_buff *skb, int xdir)
{
	struct sock *sk = skb_to_full_sk(skb);

	if (!sk || !sk_fullsock(sk) || !rcu_access_pointer(sk->sk_policy[xdir]))
		return NULL;
	return sk;
}

/* Hooks (output.c, input.c). */
unsigned int kipsec_out_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state);
void kipsec_in_clamp(struct net *net, struct sk_buff *skb, u16 family);
unsigned int kipsec_in_hook(void *priv, struct sk_buff *skb,
			    const struct nf_hook_state *state);
unsigned int kipsec_fwd_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state);
int kipsec_hooks_net_init(struct net *net);
void kipsec_hooks_net_exit(struct net *net);
int kipsec_input_init(void);
void kipsec_input_exit(void);

/* input.c, for proto.c: the end of every transform's input. */
void kipsec_in_done(struct sk_buff *skb, struct kipsec_sa *sa, int err,
		    u8 nh);
void kipsec_in_fail(struct kipsec_net *kn, struct kipsec_sa *sa,
		    u16 family, int err);
bool kipsec_in_ipip(struct net *net, struct sk_buff *skb, u16 family);

static inline u16 *kipsec_cb_flags(struct sk_buff *skb, u16 family)
{
	return family == AF_INET ? &IPCB(skb)->flags : &IP6CB(skb)->flags;
}

#endif /* KIPSEC_DP_H */
