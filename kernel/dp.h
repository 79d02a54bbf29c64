/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The packet path: output.c (SPD on the way out), proto.c (how ESP, AH
 * and IPcomp come in), input.c (decapsulation and the inbound policy
 * check), esp.c, ah.c and ipcomp.c (the transforms), sa_crypto.c (per-SA
 * crypto and replay state) and stats.c (counters); iface_dp.c for kipsec
 * interfaces (iface.h).
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

struct kipsec_comp_cpu;
struct kipsec_plan;

/*
 * Transforms one inbound packet may come through, nested; more are
 * dropped and counted (in_nested). XFRM stops at the same depth.
 */
#define KIPSEC_MAX_DEPTH	6

/* The SAs an inbound packet came through, outermost first (a secpath). */
struct kipsec_secpath {
	unsigned int n;
	struct kipsec_sa *sa[KIPSEC_MAX_DEPTH];	/* each holds a reference */
	u8 tunnel;		/* bit i: sa[i] was decapsulated as a tunnel */
};

/*
 * skb->cb while kipsec owns a packet: the stack's IPCB/IP6CB, kept where
 * the stack expects it, then kipsec's own state. Nothing of it is read
 * once the packet is handed back to the stack.
 */
struct kipsec_cb {
	union {
		struct inet_skb_parm h4;
		struct inet6_skb_parm h6;
	} ip;
	union {
		/* Output: the SAs of a bundle still to apply (output.c). */
		struct kipsec_plan *plan;
		/*
		 * Input (input.c): the layers so far. The first SA lives
		 * here; a nested packet allocates room for the others.
		 */
		struct {
			struct kipsec_sa *sa0;
			struct kipsec_secpath *more;	/* sa[0] unused */
			u8 n;		/* layers, the current one included */
			u8 tunnel;	/* bit i: layer i was a tunnel */
			u8 nh;		/* the current transform's result */
			s8 err;
		} in;
	};
};

static inline struct kipsec_cb *kipsec_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct kipsec_cb) >
		     sizeof_field(struct sk_buff, cb));
	return (struct kipsec_cb *)skb->cb;
}

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
	/*
	 * From ICMP errors about our packets: unauthenticated, so with a
	 * floor, and forgotten at pmtu_expires (jiffies) as a route's is.
	 */
	u32 pmtu;
	unsigned long pmtu_expires;
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

/* The path MTU ICMP taught @dp, while still valid; 0 if none. */
static inline u32 kipsec_sa_pmtu_now(const struct kipsec_sa_dp *dp)
{
	u32 mtu = READ_ONCE(dp->pmtu);

	return mtu && time_before(jiffies, READ_ONCE(dp->pmtu_expires)) ?
	       mtu : 0;
}

/* main.c: the fault_alloc module parameter, for tests. */
extern unsigned int kipsec_fault_every;
bool kipsec_fault_now(void);

/* Should this packet-path allocation fail (a test asks for it)? */
static inline bool kipsec_fault(void)
{
	return unlikely(READ_ONCE(kipsec_fault_every)) && kipsec_fault_now();
}

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
	KIPSEC_IN_NESTED,	/* more than KIPSEC_MAX_DEPTH transforms */
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

/* Output (output.c) */
/*
 * The SAs a packet goes through, innermost first, in the order its policy
 * lists the requests (IPcomp, ESP, AH on a sound policy). Every SA holds a
 * reference. A packet with more than one SA carries its plan in its
 * control block, because the transforms may complete asynchronously; one
 * with a single SA carries NULL.
 */
struct kipsec_plan {
	struct kipsec_sa *sa[KIPSEC_MAX_REQS];
	u8 mode[KIPSEC_MAX_REQS];
	u8 n, next;
};

void kipsec_plan_release(struct kipsec_plan *p);
struct dst_entry *kipsec_route(struct net *net, u32 mark,
			       const struct kipsec_sa *sa);
void kipsec_out_iface(struct net *net, struct sk_buff *skb,
		      struct kipsec_sa *sa, u16 family);
struct kipsec_sa *kipsec_out_sa(struct kipsec_net *kn,
				const struct kipsec_req *r,
				const struct kipsec_addr *src,
				const struct kipsec_addr *dst);

/* The outer IP header a tunnel of @sa adds. */
static inline unsigned int kipsec_ohl(const struct kipsec_sa *sa)
{
	return sa->dst.family == AF_INET ? sizeof(struct iphdr) :
					   sizeof(struct ipv6hdr);
}

/* Sizes (mtu.c) */
int kipsec_out_size(struct sk_buff *skb, const struct kipsec_sa_dp *dp,
		    u16 family, unsigned int keep, unsigned int add,
		    unsigned int mtu, bool fwd, bool *frag);
unsigned int kipsec_path_mtu(const struct dst_entry *dst,
			     const struct kipsec_sa *sa);
unsigned int kipsec_tcp_syn(const struct sk_buff *skb, u16 family);
void kipsec_plan_clamp(struct net *net, struct sk_buff *skb,
		       const struct kipsec_plan *p, unsigned int thoff);

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

/* input.c, for proto.c: where inbound packets enter and every transform ends. */
void kipsec_in_start(struct kipsec_net *kn, struct sk_buff *skb,
		     struct kipsec_sa *sa, bool bare, u8 nh);
void kipsec_in_done(struct sk_buff *skb, struct kipsec_sa *sa, int err,
		    u8 nh);
void kipsec_in_fail(struct kipsec_net *kn, struct kipsec_sa *sa,
		    u16 family, int err);
bool kipsec_in_src_ok(const struct sk_buff *skb, u16 family,
		      const struct kipsec_sa *sa);
const struct kipsec_secpath *kipsec_in_delivering(const struct sk_buff *skb);
void kipsec_inq_init(void);
bool kipsec_in_ipip(struct net *net, struct sk_buff *skb, u16 family);

/* proto.c: headers of inbound packets. */
void kipsec_hdr_addr(const struct sk_buff *skb, u16 family, bool src,
		     struct kipsec_addr *a);
__be32 kipsec_hdr_spi(const void *h, u8 proto);

/* decap.c */
bool kipsec_sa_tunnel(const struct kipsec_sa *sa, u8 nh);
int kipsec_decap(struct sk_buff *skb, const struct kipsec_sa *sa,
		 bool tunnel, u8 nh);

/* secpath.c */
int kipsec_sp_push(struct kipsec_cb *cb, struct kipsec_sa *sa);
struct kipsec_sa *kipsec_sp_top(const struct kipsec_cb *cb);
void kipsec_sp_view(const struct kipsec_cb *cb, struct kipsec_secpath *sp);
void kipsec_sp_detach(struct kipsec_cb *cb, struct kipsec_secpath *sp);
void kipsec_sp_put(struct kipsec_secpath *sp);
bool kipsec_sp_ok(const struct kipsec_pol_snap *ps,
		  const struct kipsec_flow *fl, const struct kipsec_secpath *sp);
int kipsec_sp_init(void);
void kipsec_sp_exit(void);

#endif /* KIPSEC_DP_H */
