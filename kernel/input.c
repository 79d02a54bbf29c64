// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Inbound packets, once proto.c has found the SA of their first transform.
 *
 * A packet takes one path, layer after layer: its transform (esp.c, ah.c,
 * ipcomp.c) ends in kipsec_in_done(), which queues it on this CPU's
 * queue; the queue is drained by whoever finds it idle, so a transform that
 * completes synchronously returns before the next layer starts, and the
 * stack depth of a packet does not grow with its layers. Each layer is
 * recorded in the packet's secpath (secpath.c) and decapsulated
 * (decap.c). When the clear packet is itself ESP, AH or IPcomp for one of
 * kipsec's SAs at the same address, that SA is the next layer, up to
 * KIPSEC_MAX_DEPTH. Then the clear packet is checked against the inbound
 * SPD with the whole secpath, and delivered at PRE_ROUTING as native
 * XFRM's are, synchronously: while it is, this CPU remembers which packet
 * it is and its secpath, so that the LOCAL_IN and FORWARD hooks know it
 * was checked, and a socket's own policy can be checked against the same
 * SAs. A packet that reaches kipsec's protocol handlers again while being
 * delivered (nesting through the stack) is dropped, and so is one that
 * comes out of a kipsec interface (iface_dp.c): netif_rx() starts it
 * afresh, and no depth would bound it.
 *
 * The LOCAL_IN and FORWARD hooks drop clear packets that an inbound policy
 * says must be protected (KAME's ipsec4_in_reject). Forwarded packets are
 * checked against a "fwd" policy if one matches, else the "in" one, so
 * KAME configurations with in/out policies only protect gateways too.
 */
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/xfrm.h>
#include "dp.h"
#include "iface.h"

static u16 kipsec_skb_family(const struct sk_buff *skb)
{
	return skb->protocol == htons(ETH_P_IPV6) ? AF_INET6 : AF_INET;
}

static bool kipsec_ipsec_proto(u8 proto)
{
	return proto == IPPROTO_ESP || proto == IPPROTO_AH ||
	       proto == IPPROTO_COMP;
}

/* The policy for @fl, "fwd" first if @fwd; NULL if none. */
static const struct kipsec_pol_snap *
kipsec_in_snap(struct kipsec_net *kn, const struct kipsec_flow *fl, bool fwd,
	       struct kipsec_pol_snap *ps)
{
	if (fwd && kipsec_spd_snap(kn, KIPSEC_DIR_FWD, fl, ps))
		return ps;
	return kipsec_spd_snap(kn, KIPSEC_DIR_IN, fl, ps) ? ps : NULL;
}

/* ---- what this CPU is delivering ------------------------------------ */

struct kipsec_delivery {
	const struct sk_buff *skb;
	const struct kipsec_secpath *sp;
};

static DEFINE_PER_CPU(struct kipsec_delivery, kipsec_delivering);

/*
 * The secpath of @skb if kipsec is delivering it on this CPU right now,
 * else NULL. Called with bottom halves off, as netfilter hooks and
 * protocol handlers are.
 */
const struct kipsec_secpath *kipsec_in_delivering(const struct sk_buff *skb)
{
	const struct kipsec_delivery *d = this_cpu_ptr(&kipsec_delivering);

	return d->skb == skb ? d->sp : NULL;
}

/* ---- clear packets -------------------------------------------------- */

/*
 * Is @skb, UDP in IPv4, ESP for one of kipsec's NAT-T SAs, to the SA's
 * port? It goes on to the UDP_ENCAP socket and is checked once
 * decapsulated, as bare ESP is.
 */
static bool kipsec_natt_esp(struct kipsec_net *kn, const struct sk_buff *skb,
			    const struct kipsec_flow *fl)
{
	struct kipsec_sa *sa;
	struct {
		struct udphdr uh;
		__be32 spi;
	} _h;
	const typeof(_h) *h;
	bool ok;

	if (fl->proto != IPPROTO_UDP || fl->dst.family != AF_INET)
		return false;
	h = skb_header_pointer(skb, skb_network_offset(skb) + ip_hdrlen(skb),
			       sizeof(_h), &_h);
	if (!h || !h->spi || ntohs(h->uh.len) <= sizeof(_h))
		return false;
	sa = kipsec_sad_lookup_hold(&kn->sad, h->spi, &fl->dst,
				    SADB_SATYPE_ESP);
	if (!sa)
		return false;
	ok = sa->natt_type && h->uh.dest == sa->natt_dport;
	kipsec_sa_put(sa);
	return ok;
}

static const struct kipsec_secpath kipsec_no_layer;

/* A clear packet where policy wants IPsec: drop it. */
static unsigned int kipsec_in_check(struct net *net, struct sk_buff *skb,
				    u16 family, bool fwd)
{
	struct kipsec_net *kn = kipsec_pernet(net);
	const struct kipsec_pol_snap *pol;
	struct kipsec_pol_snap ps;
	struct kipsec_flow fl;

	/* Only what came through its SA comes out of an interface. */
	if (!READ_ONCE(kn->spd.count) || kipsec_in_delivering(skb) ||
	    secpath_exists(skb) || kipsec_is_iface(skb->dev))
		return NF_ACCEPT;
	/* Protected packets are checked once decapsulated. */
	if (kipsec_flow_of(skb, family, &fl) || kipsec_ipsec_proto(fl.proto))
		return NF_ACCEPT;
	pol = kipsec_in_snap(kn, &fl, fwd, &ps);
	if (!pol || kipsec_sp_ok(pol, &fl, &kipsec_no_layer))
		return NF_ACCEPT;
	/* Only then: ESP in UDP looks like clear UDP to the policy. */
	if (kipsec_natt_esp(kn, skb, &fl))
		return NF_ACCEPT;
	kipsec_stat(kn, family, KIPSEC_IN_POLVIO);
	return NF_DROP;
}

/* ---- per-socket policies (sockpol.c) -------------------------------- */

/*
 * A TCP or UDP packet for a local socket with a kipsec inbound policy:
 * that policy decides (NF_ACCEPT or NF_DROP), not the SPD, checked against
 * the SAs the packet came through (none for a clear packet). Otherwise
 * KIPSEC_SKPOL_PASS. Costs nothing while no socket of the namespace has an
 * inbound policy.
 */
#define KIPSEC_SKPOL_PASS	(NF_MAX_VERDICT + 1)

static unsigned int kipsec_in_skpol(struct net *net, struct sk_buff *skb,
				    u16 family)
{
	const struct kipsec_secpath *sp;
	struct kipsec_pol_snap ps;
	unsigned int verdict = KIPSEC_SKPOL_PASS;
	struct kipsec_flow fl;
	struct sock *sk;

	if (!READ_ONCE(net->xfrm.policy_count[XFRM_POLICY_MAX + XFRM_POLICY_IN]))
		return verdict;
	if (kipsec_flow_of(skb, family, &fl) ||
	    (fl.proto != IPPROTO_UDP && fl.proto != IPPROTO_TCP))
		return verdict;
	sk = kipsec_skpol_in_sock(net, skb, &fl);
	if (!sk)
		return verdict;
	if (kipsec_skpol_snap(sk, KIPSEC_DIR_IN, &ps)) {
		sp = kipsec_in_delivering(skb) ?: &kipsec_no_layer;
		verdict = NF_ACCEPT;
		if (!kipsec_sp_ok(&ps, &fl, sp)) {
			kipsec_stat(kipsec_pernet(net), family,
				    KIPSEC_IN_POLVIO);
			verdict = NF_DROP;
		}
	}
	sock_put(sk);
	return verdict;
}

unsigned int kipsec_in_hook(void *priv, struct sk_buff *skb,
			    const struct nf_hook_state *st)
{
	u16 family = st->pf == NFPROTO_IPV4 ? AF_INET : AF_INET6;
	unsigned int verdict;

	/* IPcomp tunnel mode, packets sent uncompressed. */
	if (kipsec_in_ipip(st->net, skb, family))
		return NF_STOLEN;
	verdict = kipsec_in_skpol(st->net, skb, family);
	if (verdict == KIPSEC_SKPOL_PASS)
		verdict = kipsec_in_check(st->net, skb, family, false);
	if (verdict == NF_ACCEPT)
		kipsec_in_clamp(st->net, skb, family);
	return verdict;
}

unsigned int kipsec_fwd_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *st)
{
	u16 family = st->pf == NFPROTO_IPV4 ? AF_INET : AF_INET6;

	/* Routed into an interface: the SPD is not asked (iface.c). */
	if (kipsec_is_iface(st->out))
		return NF_ACCEPT;
	if (kipsec_in_check(st->net, skb, family, true) == NF_DROP)
		return NF_DROP;
	return kipsec_out_hook(priv, skb, st);
}

/* ---- delivery ------------------------------------------------------- */

static int kipsec_rcv_finish4(struct net *net, struct sock *sk,
			      struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);

	if (!skb_dst(skb) && ip_route_input_noref(skb, iph->daddr, iph->saddr,
						  iph->tos, skb->dev)) {
		kfree_skb(skb);
		return NET_RX_DROP;
	}
	return dst_input(skb);
}

static int kipsec_rcv_finish6(struct net *net, struct sock *sk,
			      struct sk_buff *skb)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	struct flowi6 fl6 = {
		.flowi6_iif = skb->dev->ifindex,
		.daddr = ip6h->daddr,
		.saddr = ip6h->saddr,
		.flowlabel = ip6_flowinfo(ip6h),
		.flowi6_mark = skb->mark,
		.flowi6_proto = ip6h->nexthdr,
	};

	if (!skb_dst(skb))
		skb_dst_set(skb, ip6_route_input_lookup(net, skb->dev, &fl6,
							skb,
							RT6_LOOKUP_F_HAS_SADDR));
	return dst_input(skb);
}

/* The checked, clear packet re-enters the stack; @sp stays valid meanwhile. */
static void kipsec_in_deliver(struct net *net, struct sk_buff *skb,
			      const struct kipsec_secpath *sp)
{
	struct kipsec_delivery *d = this_cpu_ptr(&kipsec_delivering);
	struct kipsec_delivery outer = *d;

	d->skb = skb;
	d->sp = sp;
	nf_reset_ct(skb);
	if (kipsec_skb_family(skb) == AF_INET)
		NF_HOOK(NFPROTO_IPV4, NF_INET_PRE_ROUTING, net, NULL, skb,
			skb->dev, NULL, kipsec_rcv_finish4);
	else
		NF_HOOK(NFPROTO_IPV6, NF_INET_PRE_ROUTING, net, NULL, skb,
			skb->dev, NULL, kipsec_rcv_finish6);
	/* Same CPU: bottom halves stayed off. */
	*this_cpu_ptr(&kipsec_delivering) = outer;
}

/* ---- one packet, layer by layer ------------------------------------- */

void kipsec_in_fail(struct kipsec_net *kn, struct kipsec_sa *sa,
		    u16 family, int err)
{
	struct kipsec_sa_dp *dp = sa->dp;

	kipsec_if_in_fail(kn, sa, err);
	switch (err) {
	case -EBADMSG:
		kipsec_stat(kn, family, KIPSEC_IN_AUTHFAIL);
		atomic64_inc(&dp->auth_fail);
		break;
	case -EALREADY:
		kipsec_stat(kn, family, dp->proto == IPPROTO_AH ?
			    KIPSEC_IN_AHREPLAY : KIPSEC_IN_ESPREPLAY);
		atomic64_inc(&dp->replay_fail);
		break;
	case -EPERM:
		kipsec_stat(kn, family, KIPSEC_IN_POLVIO);
		break;
	case -ENOMEM:
		kipsec_stat(kn, family, KIPSEC_IN_NOMEM);
		break;
	case -ELOOP:
		kipsec_stat(kn, family, KIPSEC_IN_NESTED);
		break;
	case -ENOENT:
		kipsec_stat(kn, family, KIPSEC_IN_NOSA);
		break;
	default:
		kipsec_stat(kn, family, KIPSEC_IN_INVAL);
		atomic64_inc(&dp->invalid);
	}
}

/*
 * The end of a packet in kipsec: out of interface @via if not NULL, else
 * delivered (@ok) or dropped.
 */
static void kipsec_in_end(struct kipsec_net *kn, struct sk_buff *skb,
			  bool ok, struct kipsec_if *via)
{
	struct net_device *dev = skb->dev;
	struct kipsec_secpath sp;

	kipsec_sp_detach(kipsec_cb(skb), &sp);
	if (via)
		kipsec_if_rx(via, skb);
	else if (ok)
		kipsec_in_deliver(kn->net, skb, &sp);
	else
		kfree_skb(skb);
	kipsec_sp_put(&sp);
	dev_put(dev);
	atomic_dec(&kn->inflight);
}

static void kipsec_in_xform(struct sk_buff *skb, struct kipsec_sa *sa,
			    bool bare, u8 nh)
{
	WRITE_ONCE(sa->dp->used_in, true);
	if (bare)
		kipsec_in_done(skb, sa, 0, nh);
	else if (sa->dp->proto == IPPROTO_AH)
		kipsec_ah_input(skb, sa, kipsec_in_done);
	else if (sa->dp->proto == IPPROTO_COMP)
		kipsec_ipcomp_input(skb, sa, kipsec_in_done);
	else
		kipsec_esp_input(skb, sa, kipsec_in_done);
}

/*
 * Take @skb, its data at the header of @sa's transform, whose reference
 * it takes over. @bare: IP-in-IP that a tunnel-mode IPcomp SA sent
 * uncompressed (@nh says which), its data at the inner packet.
 */
void kipsec_in_start(struct kipsec_net *kn, struct sk_buff *skb,
		     struct kipsec_sa *sa, bool bare, u8 nh)
{
	struct kipsec_cb *cb = kipsec_cb(skb);

	cb->in.n = 0;
	cb->in.more = NULL;
	cb->in.tunnel = 0;
	kipsec_sp_push(cb, sa);		/* the first layer needs no room */
	dev_hold(skb->dev);
	atomic_inc(&kn->inflight);
	kipsec_in_xform(skb, sa, bare, nh);
}

/* Was @skb, whose network header is of @family, sent by @sa's peer? */
bool kipsec_in_src_ok(const struct sk_buff *skb, u16 family,
		      const struct kipsec_sa *sa)
{
	static const u8 any[sizeof(struct in6_addr)];

	if (family == AF_INET)
		return !sa->src.v4 || sa->src.v4 == ip_hdr(skb)->saddr;
	return !memcmp(&sa->src.v6, any, sizeof(any)) ||
	       ipv6_addr_equal(&sa->src.v6, &ipv6_hdr(skb)->saddr);
}

/* The layer's accounting and decapsulation; its result in cb->in.nh. */
static int kipsec_in_layer(struct kipsec_net *kn, struct sk_buff *skb,
			   struct kipsec_sa *sa)
{
	struct kipsec_cb *cb = kipsec_cb(skb);
	u16 family = sa->dst.family;
	bool tunnel = kipsec_sa_tunnel(sa, cb->in.nh);
	int err;

	if (sa->dp->icvlen)
		kipsec_stat(kn, family, KIPSEC_IN_AUTHSUCC);
	kipsec_sa_count(&kn->sad, sa, skb->len);
	err = kipsec_decap(skb, sa, tunnel, cb->in.nh);
	if (err)
		return err;
	if (tunnel)
		cb->in.tunnel |= BIT(cb->in.n - 1);
	kipsec_stat(kn, family, KIPSEC_IN_SUCCESS);
	if (sa->dp->proto == IPPROTO_AH)
		kipsec_hist(kn, family, KIPSEC_HIST_IN_AH, sa->aalg);
	else if (sa->dp->proto == IPPROTO_ESP)
		kipsec_hist(kn, family, KIPSEC_HIST_IN_ESP, sa->ealg);
	/* IPcomp counts only what it decompressed (ipcomp.c). */
	return 0;
}

/*
 * Is the clear packet (data at its network header) a next layer for this
 * host: ESP, AH or IPcomp for one of kipsec's SAs to the same address as
 * @prev's, from the SA's peer, or IP-in-IP that a tunnel-mode IPcomp SA
 * sent uncompressed (*bare)? Then its SA, held, the data at that layer.
 * NULL: the packet is final. *err, when set, says why it must be dropped.
 */
static struct kipsec_sa *kipsec_in_next(struct kipsec_net *kn,
					struct sk_buff *skb,
					const struct kipsec_sa *prev,
					bool *bare, u8 *nh, int *err)
{
	u16 family = kipsec_skb_family(skb);
	unsigned int hlen = skb_transport_offset(skb);
	struct kipsec_addr src, dst;
	struct kipsec_sa *sa;
	u8 proto;

	if (family == AF_INET) {
		if (ip_is_fragment(ip_hdr(skb)))
			return NULL;
		proto = ip_hdr(skb)->protocol;
	} else {
		proto = skb_network_header(skb)[IP6CB(skb)->nhoff];
	}
	kipsec_hdr_addr(skb, family, false, &dst);
	if (memcmp(&dst, &prev->dst, sizeof(dst)))
		return NULL;
	*nh = proto;
	*bare = proto == IPPROTO_IPIP || proto == IPPROTO_IPV6;
	if (*bare) {
		kipsec_hdr_addr(skb, family, true, &src);
		sa = kipsec_sad_select_hold(kn, SADB_X_SATYPE_IPCOMP,
					    IPSEC_MODE_TUNNEL, &src, &dst, 0);
	} else if (kipsec_ipsec_proto(proto) &&
		   pskb_may_pull(skb, hlen + 8)) {
		sa = kipsec_sad_lookup_hold(&kn->sad,
					    kipsec_hdr_spi(skb->data + hlen,
							   proto),
					    &dst, kipsec_proto_satype(proto));
	} else {
		return NULL;
	}
	if (!sa)
		return NULL;
	if (!kipsec_in_src_ok(skb, family, sa) || sa->natt_type) {
		*err = sa->natt_type ? -EINVAL : -ENOENT;
		kipsec_sa_put(sa);
		return NULL;
	}
	__skb_pull(skb, hlen);
	return sa;
}

/*
 * The clear packet, with every layer it came through: checked against the
 * inbound SPD, "fwd" policies first (it may be forwarded).
 */
static bool kipsec_in_final_ok(struct kipsec_net *kn, struct sk_buff *skb)
{
	struct kipsec_secpath sp;
	struct kipsec_pol_snap ps;
	struct kipsec_flow fl;

	if (kipsec_flow_of(skb, kipsec_skb_family(skb), &fl))
		return false;
	kipsec_sp_view(kipsec_cb(skb), &sp);
	return kipsec_sp_ok(kipsec_in_snap(kn, &fl, true, &ps), &fl, &sp);
}

/* The next step of a packet whose current layer's transform is done. */
static void kipsec_in_step(struct sk_buff *skb)
{
	struct kipsec_cb *cb = kipsec_cb(skb);
	struct kipsec_net *kn = kipsec_pernet(dev_net(skb->dev));
	struct kipsec_sa *sa = kipsec_sp_top(cb), *next;
	u16 family = sa->dst.family;
	struct kipsec_if *via;
	int err = cb->in.err;
	bool bare = false;
	u8 nh = 0;

	if (!err)
		err = kipsec_in_layer(kn, skb, sa);
	if (err)
		goto drop;
	next = kipsec_in_next(kn, skb, sa, &bare, &nh, &err);
	if (next) {
		err = kipsec_sp_push(cb, next);
		if (err) {
			kipsec_sa_put(next);
			goto drop;
		}
		kipsec_in_xform(skb, next, bare, nh);
		return;
	}
	if (err)
		goto drop;
	/* An interface's tunnel: the interface, not the SPD, takes it. */
	via = cb->in.tunnel & 1 ? kipsec_if_of_sa(kn, cb->in.sa0) : NULL;
	if (!via && !kipsec_in_final_ok(kn, skb)) {
		kipsec_stat(kn, family, KIPSEC_IN_POLVIO);
		kipsec_in_end(kn, skb, false, NULL);
		return;
	}
	kipsec_in_end(kn, skb, true, via);
	return;
drop:
	kipsec_in_fail(kn, sa, family, err);
	kipsec_in_end(kn, skb, false, NULL);
}

struct kipsec_inq {
	struct sk_buff_head q;
	bool busy;
};

static DEFINE_PER_CPU(struct kipsec_inq, kipsec_inq);

/*
 * The end of every inbound transform, synchronous or from the crypto
 * API's completion (which may run in process context). The packet waits
 * on this CPU's queue; if no one is draining it, this call does.
 */
void kipsec_in_done(struct sk_buff *skb, struct kipsec_sa *sa, int err,
		    u8 nh)
{
	struct kipsec_cb *cb = kipsec_cb(skb);
	struct kipsec_inq *q;

	cb->in.err = err;
	cb->in.nh = nh;
	rcu_read_lock();
	local_bh_disable();
	q = this_cpu_ptr(&kipsec_inq);
	__skb_queue_tail(&q->q, skb);
	if (!q->busy) {
		q->busy = true;
		while ((skb = __skb_dequeue(&q->q)))
			kipsec_in_step(skb);
		q->busy = false;
	}
	local_bh_enable();
	rcu_read_unlock();
}

void kipsec_inq_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		__skb_queue_head_init(&per_cpu(kipsec_inq, cpu).q);
}
