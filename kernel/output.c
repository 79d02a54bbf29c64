// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Outbound packets. Netfilter hooks at LOCAL_OUT (locally generated) and
 * FORWARD (after the inbound check, input.c) look each packet up in the
 * SPD, pick the SA its policy asks for, and hand it to ESP or AH. The result
 * leaves through ip_local_out()/ip6_local_out() marked as transformed, the
 * mark native XFRM uses too, and these hooks let marked packets pass: what
 * kipsec produced is never processed again.
 *
 * GSO packets are segmented first. A forwarded packet that ESP would make
 * too big for the path, and that must not be fragmented (IPv4 with DF,
 * IPv6), is dropped and its sender told the MTU left after ESP, by ICMP, as
 * a router would. Local TCP connections never get there: the SYNs this
 * host sends and those it receives carry an MSS that leaves room for ESP
 * (as native XFRM's smaller route MTU does). Other local packets, and
 * forwarded ones that may be, are encapsulated and the outer packet is
 * fragmented. An ICMP error to a local sender would lower the route's
 * path MTU, which the ESP packet to the same peer then could not pass.
 * All this holds for AH and bundles as for ESP.
 */
#include <linux/tcp.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/icmp.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/route.h>
#include <net/tcp.h>
#include <net/xfrm.h>
#include "dp.h"
#include "iface.h"

static bool kipsec_transformed(const struct sk_buff *skb, u16 family)
{
	if (family == AF_INET)
		return IPCB(skb)->flags & IPSKB_XFRM_TRANSFORMED;
	return IP6CB(skb)->flags & IP6SKB_XFRM_TRANSFORMED;
}

static u16 kipsec_hook_family(const struct nf_hook_state *st)
{
	return st->pf == NFPROTO_IPV4 ? AF_INET : AF_INET6;
}

/* ---- bundles -------------------------------------------------------- */

static struct kipsec_plan **kipsec_plan_slot(struct sk_buff *skb)
{
	return &kipsec_cb(skb)->plan;
}

/* Drop the references of the SAs not applied yet. */
void kipsec_plan_release(struct kipsec_plan *p)
{
	while (p->next < p->n)
		kipsec_sa_put(p->sa[p->next++]);
}

static void kipsec_plan_free(struct sk_buff *skb)
{
	struct kipsec_plan *p = *kipsec_plan_slot(skb);

	if (p) {
		kipsec_plan_release(p);
		kfree(p);
	}
}

static void kipsec_out_one(struct net *net, struct sk_buff *skb,
			   struct kipsec_sa *sa, u8 mode, u16 family, bool fwd);

/*
 * ip_local_out() completes the IP header of what leaves. A header that a
 * tunnel wraps again must be complete before: the receiver checks it.
 */
static void kipsec_complete_hdr(struct sk_buff *skb, u16 family)
{
	if (family == AF_INET) {
		ip_hdr(skb)->tot_len = htons(skb->len);
		ip_send_check(ip_hdr(skb));
	} else {
		ipv6_hdr(skb)->payload_len =
			htons(skb->len - sizeof(struct ipv6hdr));
	}
}

/*
 * The next SA of @skb's plan, if any. Later transforms wrap a packet that
 * kipsec made: it may be fragmented, like a local one.
 */
static bool kipsec_plan_next(struct net *net, struct sk_buff *skb, u16 family)
{
	struct kipsec_plan *p = *kipsec_plan_slot(skb);
	struct kipsec_sa *sa;
	u8 mode;

	if (!p)
		return false;
	sa = p->sa[p->next];
	mode = p->mode[p->next++];
	if (p->next == p->n) {
		kfree(p);
		*kipsec_plan_slot(skb) = NULL;
	}
	kipsec_complete_hdr(skb, family);
	kipsec_out_one(net, skb, sa, mode, family, false);
	return true;
}

/* ---- after ESP or AH ------------------------------------------------ */

static void kipsec_out_send(struct net *net, struct sk_buff *skb, u16 family)
{
	nf_reset_ct(skb);
	if (family == AF_INET) {
		IPCB(skb)->flags |= IPSKB_XFRM_TRANSFORMED;
		ip_local_out(net, skb->sk, skb);
	} else {
		IP6CB(skb)->flags |= IP6SKB_XFRM_TRANSFORMED;
		ip6_local_out(net, skb->sk, skb);
	}
}

static void kipsec_out_done(struct sk_buff *skb, struct kipsec_sa *sa,
			    int err, u8 nh)
{
	struct net *net = dev_net(skb_dst(skb)->dev);
	struct kipsec_net *kn = kipsec_pernet(net);
	u16 family = sa->dst.family;

	if (err) {
		kipsec_stat(kn, family, err == -ENOMEM ? KIPSEC_OUT_NOMEM :
			    KIPSEC_OUT_INVAL);
		kipsec_if_out_fail(kn, sa, err);
		kipsec_plan_free(skb);
		kfree_skb(skb);
	} else {
		if (sa->dp->proto == IPPROTO_AH)
			kipsec_hist(kn, family, KIPSEC_HIST_OUT_AH, sa->aalg);
		else if (sa->dp->proto == IPPROTO_ESP)
			kipsec_hist(kn, family, KIPSEC_HIST_OUT_ESP, sa->ealg);
		/* IPcomp counts only what it compressed (ipcomp.c). */
		if (!kipsec_plan_next(net, skb, family)) {
			kipsec_stat(kn, family, KIPSEC_OUT_SUCCESS);
			kipsec_out_send(net, skb, family);
		}
	}
	kipsec_sa_put(sa);
	atomic_dec(&kn->inflight);
}

/* ---- transport and tunnel mode -------------------------------------- */

static int kipsec_transport(struct sk_buff *skb, struct kipsec_sa *sa,
			    u16 family, bool fwd, struct kipsec_xf_out *o)
{
	u8 *prevhdr;
	bool frag;
	int off;

	if (family == AF_INET) {
		o->hlen = ip_hdrlen(skb);
		o->proto_off = offsetof(struct iphdr, protocol);
		o->nexthdr = ip_hdr(skb)->protocol;
	} else {
		/* ESP or AH goes where a fragment header would. */
		off = ip6_find_1stfragopt(skb, &prevhdr);
		if (off < 0)
			return off;
		o->hlen = off;
		o->proto_off = prevhdr - skb_network_header(skb);
		o->nexthdr = *prevhdr;
	}
	if (kipsec_out_size(skb, sa->dp, family, o->hlen, 0,
			    kipsec_path_mtu(skb_dst(skb), sa), fwd, &frag))
		return -EMSGSIZE;
	skb->ignore_df |= frag;
	return 0;
}

struct dst_entry *kipsec_route(struct net *net, u32 mark,
			       const struct kipsec_sa *sa)
{
	struct flowi6 fl6 = { .flowi6_mark = mark };
	struct flowi4 fl4 = { .flowi4_mark = mark };
	struct dst_entry *dst;
	struct rtable *rt;
	int err;

	if (sa->dst.family == AF_INET) {
		fl4.daddr = sa->dst.v4;
		fl4.saddr = sa->src.v4;
		rt = ip_route_output_key(net, &fl4);
		return IS_ERR(rt) ? ERR_CAST(rt) : &rt->dst;
	}
	fl6.daddr = sa->dst.v6;
	fl6.saddr = sa->src.v6;
	dst = ip6_route_output(net, NULL, &fl6);
	err = dst->error;
	if (err) {
		dst_release(dst);
		return ERR_PTR(err);
	}
	return dst;
}

static u8 kipsec_dsfield(const struct sk_buff *skb, u16 family)
{
	if (family == AF_INET)
		return ip_hdr(skb)->tos;
	return ipv6_get_dsfield(ipv6_hdr(skb));
}

static void kipsec_push_outer4(struct net *net, struct sk_buff *skb,
			       const struct kipsec_sa *sa, u8 ds, bool frag)
{
	struct iphdr *top;

	skb_push(skb, sizeof(*top));
	skb_reset_network_header(skb);
	top = ip_hdr(skb);
	top->version = 4;
	top->ihl = sizeof(*top) / 4;
	top->tos = INET_ECN_encapsulate(ds, ds);
	top->tot_len = htons(skb->len);
	top->frag_off = frag ? 0 : htons(IP_DF);
	top->ttl = ip4_dst_hoplimit(skb_dst(skb));
	top->protocol = sa->dp->proto;
	top->saddr = sa->src.v4;
	top->daddr = sa->dst.v4;
	ip_select_ident(net, skb, NULL);
	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	skb->protocol = htons(ETH_P_IP);
}

static void kipsec_push_outer6(struct sk_buff *skb, const struct kipsec_sa *sa,
			       u8 ds, bool frag)
{
	struct ipv6hdr *top;

	skb_push(skb, sizeof(*top));
	skb_reset_network_header(skb);
	top = ipv6_hdr(skb);
	ip6_flow_hdr(top, INET_ECN_encapsulate(ds, ds), 0);
	top->payload_len = htons(skb->len - sizeof(*top));
	top->nexthdr = sa->dp->proto;
	top->hop_limit = ip6_dst_hoplimit(skb_dst(skb));
	top->saddr = sa->src.v6;
	top->daddr = sa->dst.v6;
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	skb->protocol = htons(ETH_P_IPV6);
	skb->ignore_df = frag;
}

/* Route the outer packet, check the size, and put the outer header on. */
static int kipsec_tunnel(struct net *net, struct sk_buff *skb,
			 struct kipsec_sa *sa, u16 family, bool fwd,
			 struct kipsec_xf_out *o)
{
	u16 ofamily = sa->dst.family;
	unsigned int ohl = kipsec_ohl(sa);
	u8 ds = kipsec_dsfield(skb, family);
	struct dst_entry *dst;
	bool frag;
	int err;

	dst = kipsec_route(net, skb->mark, sa);
	if (IS_ERR(dst))
		return -EHOSTUNREACH;
	err = kipsec_out_size(skb, sa->dp, family, 0, ohl,
			      kipsec_path_mtu(dst, sa), fwd, &frag);
	if (!err)
		err = skb_cow_head(skb, ohl + LL_RESERVED_SPACE(dst->dev));
	if (err) {
		dst_release(dst);
		return err;
	}
	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
	if (ofamily == AF_INET)
		kipsec_push_outer4(net, skb, sa, ds, frag);
	else
		kipsec_push_outer6(skb, sa, ds, frag);
	o->hlen = ohl;
	o->proto_off = ofamily == AF_INET ? offsetof(struct iphdr, protocol) :
					    offsetof(struct ipv6hdr, nexthdr);
	o->nexthdr = family == AF_INET ? IPPROTO_IPIP : IPPROTO_IPV6;
	return 0;
}

/* One packet (not GSO) through one SA; consumes the SA reference. */
static void kipsec_out_one(struct net *net, struct sk_buff *skb,
			   struct kipsec_sa *sa, u8 mode, u16 family, bool fwd)
{
	struct kipsec_net *kn = kipsec_pernet(net);
	struct kipsec_xf_out o;
	int err = -ENOMEM;

	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb))
		goto drop;
	if (mode == IPSEC_MODE_TUNNEL)
		err = kipsec_tunnel(net, skb, sa, family, fwd, &o);
	else
		err = kipsec_transport(skb, sa, family, fwd, &o);
	if (err)
		goto drop;
	/* What the SA protects, as on input and as XFRM counts it. */
	kipsec_sa_count(&kn->sad, sa, skb->len - o.hlen);
	WRITE_ONCE(sa->dp->used_out, true);
	atomic_inc(&kn->inflight);
	if (sa->dp->proto == IPPROTO_AH)
		kipsec_ah_output(skb, sa, &o, kipsec_out_done);
	else if (sa->dp->proto == IPPROTO_COMP)
		kipsec_ipcomp_output(skb, sa, &o, kipsec_out_done);
	else
		kipsec_esp_output(skb, sa, &o, kipsec_out_done);
	return;
drop:
	kipsec_stat(kn, family, err == -EHOSTUNREACH ? KIPSEC_OUT_NOROUTE :
		    err == -ENOMEM ? KIPSEC_OUT_NOMEM : KIPSEC_OUT_INVAL);
	kipsec_if_out_fail(kn, sa, err);
	kipsec_plan_free(skb);
	kfree_skb(skb);
	kipsec_sa_put(sa);
}

/*
 * Start @skb on the SAs of @p, whose references it takes over; @p itself
 * is left as it was (GSO segments share it).
 */
static void kipsec_out_start(struct net *net, struct sk_buff *skb,
			     const struct kipsec_plan *p, u16 family, bool fwd)
{
	struct kipsec_plan *rest = NULL;
	unsigned int i;

	if (p->n > 1) {
		rest = kipsec_fault() ? NULL :
		       kmemdup(p, sizeof(*p), GFP_ATOMIC);
		if (!rest) {
			kipsec_stat(kipsec_pernet(net), family,
				    KIPSEC_OUT_NOMEM);
			for (i = p->next; i < p->n; i++)
				kipsec_sa_put(p->sa[i]);
			kfree_skb(skb);
			return;
		}
		rest->next++;
	}
	*kipsec_plan_slot(skb) = rest;
	kipsec_out_one(net, skb, p->sa[p->next], p->mode[p->next], family,
		       fwd);
}

static void kipsec_out_segments(struct net *net, struct sk_buff *skb,
				struct kipsec_plan *p, u16 family, bool fwd)
{
	struct sk_buff *segs, *next;
	unsigned int i;

	if (!skb_is_gso(skb)) {
		kipsec_out_start(net, skb, p, family, fwd);
		return;
	}
	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs)) {
		kipsec_stat(kipsec_pernet(net), family, KIPSEC_OUT_NOMEM);
		kipsec_if_out_fail(kipsec_pernet(net), p->sa[0], -ENOMEM);
		kfree_skb(skb);
		kipsec_plan_release(p);
		return;
	}
	consume_skb(skb);
	skb_list_walk_safe(segs, skb, next) {
		skb_mark_not_on_list(skb);
		for (i = 0; i < p->n; i++)
			refcount_inc(&p->sa[i]->ref);
		kipsec_out_start(net, skb, p, family, fwd);
	}
	kipsec_plan_release(p);
}

/*
 * A packet routed into a kipsec interface (iface_dp.c), through its SA
 * @sa (the reference is taken over) in tunnel mode, as if forwarded.
 */
void kipsec_out_iface(struct net *net, struct sk_buff *skb,
		      struct kipsec_sa *sa, u16 family)
{
	struct kipsec_plan p = { .sa = { sa }, .mode = { IPSEC_MODE_TUNNEL },
				 .n = 1 };

	kipsec_out_segments(net, skb, &p, family, true);
}

/* ---- the SPD's answer ----------------------------------------------- */

static noinline void kipsec_out_acquire(struct net *net,
					const struct kipsec_pol_snap *ps,
					const struct kipsec_req *r,
					const struct kipsec_addr *src,
					const struct kipsec_addr *dst)
{
	struct kipsec_policy pol = { .id = ps->id, .priority = ps->priority,
				     .dir = ps->dir };

	kipsec_km_acquire(net, kipsec_proto_satype(r->proto), src, dst, &pol,
			  r->mode, r->reqid);
}

/* The SA @r asks for between @src and @dst, held, or NULL. */
struct kipsec_sa *kipsec_out_sa(struct kipsec_net *kn,
				const struct kipsec_req *r,
				const struct kipsec_addr *src,
				const struct kipsec_addr *dst)
{
	return kipsec_sad_select_hold(kn, kipsec_proto_satype(r->proto),
				      r->mode, src, dst, r->level == IPSEC_LEVEL_UNIQUE ?
				      r->reqid : 0);
}

/*
 * NF_ACCEPT (in clear), NF_DROP, or NF_STOLEN with the SAs to apply in
 * @p. A request without an SA asks for one (KAME does at every level);
 * at level "use" the packet goes on without that transform, otherwise it
 * is dropped. After a tunnel, the requests that follow are between the
 * tunnel's endpoints.
 */
static unsigned int kipsec_out_decide(struct net *net, struct sk_buff *skb,
				      u16 family, const struct sock *sk,
				      struct kipsec_plan *p)
{
	struct kipsec_net *kn = kipsec_pernet(net);
	const struct kipsec_addr *src, *dst;
	const struct kipsec_req *r;
	struct kipsec_pol_snap ps;
	struct kipsec_flow fl;
	struct kipsec_sa *sa;
	unsigned int i;

	if (kipsec_flow_of(skb, family, &fl)) {
		kipsec_stat(kn, family, KIPSEC_OUT_INVAL);
		return NF_DROP;
	}
	/* A socket's own policy comes before the SPD (sockpol.c). */
	if ((!sk || !kipsec_skpol_snap(sk, KIPSEC_DIR_OUT, &ps)) &&
	    !kipsec_spd_snap(kn, KIPSEC_DIR_OUT, &fl, &ps))
		return NF_ACCEPT;
	if (ps.action == IPSEC_POLICY_NONE)
		return NF_ACCEPT;
	if (ps.action != IPSEC_POLICY_IPSEC) {
		kipsec_stat(kn, family, KIPSEC_OUT_POLVIO);
		return NF_DROP;
	}
	src = &fl.src;
	dst = &fl.dst;
	p->n = 0;
	p->next = 0;
	for (i = 0; i < ps.nreqs; i++) {
		r = &ps.req[i];
		if (r->mode == IPSEC_MODE_TUNNEL) {
			src = &r->tsrc;
			dst = &r->tdst;
		}
		if ((r->proto != IPPROTO_ESP && r->proto != IPPROTO_AH &&
		     r->proto != IPPROTO_COMP) || !dst->family) {
			net_warn_ratelimited("kipsec: policy %u: request %u (protocol %u) is not implemented\n",
					     ps.id, i + 1, r->proto);
			kipsec_stat(kn, family, KIPSEC_OUT_INVAL);
			goto drop;
		}
		sa = kipsec_out_sa(kn, r, src, dst);
		if (sa) {
			p->sa[p->n] = sa;
			p->mode[p->n++] = r->mode;
			continue;
		}
		kipsec_out_acquire(net, &ps, r, src, dst);
		if (kipsec_req_wants(r)) {
			kipsec_stat(kn, family, KIPSEC_OUT_NOSA);
			goto drop;
		}
	}
	return p->n ? NF_STOLEN : NF_ACCEPT;
drop:
	kipsec_plan_release(p);
	return NF_DROP;
}

unsigned int kipsec_out_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *st)
{
	u16 family = kipsec_hook_family(st);
	unsigned int verdict, thoff;
	struct kipsec_plan plan;
	struct sock *sk = NULL;

	/* Routed into an interface: its SA, not the SPD, protects it. */
	if (kipsec_transformed(skb, family) || kipsec_is_iface(st->out))
		return NF_ACCEPT;
	if (st->hook == NF_INET_LOCAL_OUT)
		sk = kipsec_skpol_sk(skb, XFRM_POLICY_OUT);
	if (!sk && !READ_ONCE(kipsec_pernet(st->net)->spd.count))
		return NF_ACCEPT;
	verdict = kipsec_out_decide(st->net, skb, family, sk, &plan);
	if (verdict != NF_STOLEN)
		return verdict;
	thoff = kipsec_tcp_syn(skb, family);
	if (thoff)
		kipsec_plan_clamp(st->net, skb, &plan, thoff);
	kipsec_out_segments(st->net, skb, &plan, family,
			    st->hook == NF_INET_FORWARD);
	return NF_STOLEN;
}

/* ---- registration --------------------------------------------------- */

/* After filtering and NAT, so that the final addresses are looked up. */
#define KIPSEC_NF_PRI	(NF_IP_PRI_SELINUX_LAST + 1)

static const struct nf_hook_ops kipsec_nf_ops[] = {
	{ .hook = kipsec_out_hook, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_LOCAL_OUT, .priority = KIPSEC_NF_PRI },
	{ .hook = kipsec_fwd_hook, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_FORWARD, .priority = KIPSEC_NF_PRI },
	{ .hook = kipsec_in_hook, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_LOCAL_IN, .priority = KIPSEC_NF_PRI },
	{ .hook = kipsec_out_hook, .pf = NFPROTO_IPV6,
	  .hooknum = NF_INET_LOCAL_OUT, .priority = KIPSEC_NF_PRI },
	{ .hook = kipsec_fwd_hook, .pf = NFPROTO_IPV6,
	  .hooknum = NF_INET_FORWARD, .priority = KIPSEC_NF_PRI },
	{ .hook = kipsec_in_hook, .pf = NFPROTO_IPV6,
	  .hooknum = NF_INET_LOCAL_IN, .priority = KIPSEC_NF_PRI },
};

int kipsec_hooks_net_init(struct net *net)
{
	return nf_register_net_hooks(net, kipsec_nf_ops,
				     ARRAY_SIZE(kipsec_nf_ops));
}

void kipsec_hooks_net_exit(struct net *net)
{
	nf_unregister_net_hooks(net, kipsec_nf_ops, ARRAY_SIZE(kipsec_nf_ops));
}
