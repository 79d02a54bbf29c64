// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * IPcomp (RFC 3173) with deflate (RFC 2394), through the crypto API's
 * synchronous "comp" interface.
 *
 * A deflate transform keeps its zlib stream in the transform, so one
 * transform can serve one packet at a time: every CPU has its own, and a
 * scratch buffer of 64 KiB, used with bottom halves off. There is one such
 * per-CPU set for all IPcomp SAs of all namespaces, made when the first
 * IPcomp SA is added and freed with the last one (each CPU's deflate
 * workspace is about 300 KiB: per SA, that would add up fast).
 *
 * Output (RFC 3173 2.2): a payload below KIPSEC_COMP_MIN bytes is not
 * compressed, nor one whose compressed form with the IPcomp header would
 * not be smaller. Such packets leave with no IPcomp header: in transport
 * mode as they were, in tunnel mode as IP-in-IP. After KIPSEC_COMP_FAILS
 * payloads in a row did not shrink, the next KIPSEC_COMP_SKIP packets are
 * sent without trying; each further failure right after a pause doubles
 * it, up to KIPSEC_COMP_SKIP_MAX, and a payload that shrinks starts over.
 * The state is per SA and updated without a lock: concurrent CPUs may
 * lose an update, which only makes a pause a little shorter or longer.
 *
 * Input: the CPI must be the SA's, and the payload must inflate to at most
 * what fits in an IP packet (65535 bytes). Failures count as invalid.
 *
 * Each call ends in exactly one call of @done, always synchronously, with
 * the contract of esp.c.
 */
#include <linux/crypto.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/vmalloc.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include "dp.h"

#define KIPSEC_COMP_MIN		90	/* bytes of payload, as Linux's deflate */
#define KIPSEC_COMP_FAILS	8	/* failures in a row before a pause */
#define KIPSEC_COMP_SKIP	64	/* first pause, in packets */
#define KIPSEC_COMP_SKIP_MAX	4096	/* longest pause */
#define KIPSEC_COMP_SCRATCH	65536

struct kipsec_comp_cpu {
	struct crypto_comp *tfm;
	u8 *scratch;
};

static DEFINE_MUTEX(kipsec_comp_lock);
static struct kipsec_comp_cpu __percpu *kipsec_comp_set;
static unsigned int kipsec_comp_users;

static void kipsec_comp_free(struct kipsec_comp_cpu __percpu *set)
{
	struct kipsec_comp_cpu *c;
	int cpu;

	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(set, cpu);
		if (!IS_ERR_OR_NULL(c->tfm))
			crypto_free_comp(c->tfm);
		vfree(c->scratch);
	}
	free_percpu(set);
}

static struct kipsec_comp_cpu __percpu *kipsec_comp_alloc(void)
{
	struct kipsec_comp_cpu __percpu *set;
	struct kipsec_comp_cpu *c;
	int cpu;

	set = alloc_percpu(struct kipsec_comp_cpu);
	if (!set)
		return ERR_PTR(-ENOMEM);
	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(set, cpu);
		c->tfm = crypto_alloc_comp("deflate", 0, 0);
		if (IS_ERR(c->tfm)) {
			int err = PTR_ERR(c->tfm);

			kipsec_comp_free(set);
			return ERR_PTR(err == -ENOENT ? -EOPNOTSUPP : err);
		}
		c->scratch = vmalloc_node(KIPSEC_COMP_SCRATCH, cpu_to_node(cpu));
		if (!c->scratch) {
			kipsec_comp_free(set);
			return ERR_PTR(-ENOMEM);
		}
	}
	return set;
}

/* An IPcomp SA is being added (process context): take the shared set. */
int kipsec_ipcomp_init(struct kipsec_sa *sa, struct kipsec_sa_dp *dp)
{
	struct kipsec_comp_cpu __percpu *set;
	int err = 0;

	if (sa->ealg != SADB_X_CALG_DEFLATE)
		return -EOPNOTSUPP;
	mutex_lock(&kipsec_comp_lock);
	if (!kipsec_comp_users) {
		set = kipsec_comp_alloc();
		if (IS_ERR(set))
			err = PTR_ERR(set);
		else
			kipsec_comp_set = set;
	}
	if (!err) {
		kipsec_comp_users++;
		dp->comp = kipsec_comp_set;
		dp->comp_skip_next = KIPSEC_COMP_SKIP;
	}
	mutex_unlock(&kipsec_comp_lock);
	return err;
}

/* The SA is being freed (process context, no packet left). */
void kipsec_ipcomp_release(struct kipsec_sa_dp *dp)
{
	if (!dp->comp)
		return;
	mutex_lock(&kipsec_comp_lock);
	if (!--kipsec_comp_users) {
		kipsec_comp_free(kipsec_comp_set);
		kipsec_comp_set = NULL;
	}
	mutex_unlock(&kipsec_comp_lock);
	dp->comp = NULL;
}

/* ---- output --------------------------------------------------------- */

/* In a pause after failures? Then one packet of it is used up. */
static bool kipsec_comp_paused(struct kipsec_sa_dp *dp)
{
	u32 skip = READ_ONCE(dp->comp_skip);

	if (!skip)
		return false;
	WRITE_ONCE(dp->comp_skip, skip - 1);
	return true;
}

static void kipsec_comp_result(struct kipsec_sa_dp *dp, bool shrank)
{
	u32 fails, next;

	if (shrank) {
		if (READ_ONCE(dp->comp_fails)) {
			WRITE_ONCE(dp->comp_fails, 0);
			WRITE_ONCE(dp->comp_skip_next, KIPSEC_COMP_SKIP);
		}
		return;
	}
	fails = READ_ONCE(dp->comp_fails) + 1;
	if (fails < KIPSEC_COMP_FAILS) {
		WRITE_ONCE(dp->comp_fails, fails);
		return;
	}
	/* Stays at KIPSEC_COMP_FAILS: the next failure pauses again. */
	WRITE_ONCE(dp->comp_fails, KIPSEC_COMP_FAILS);
	next = READ_ONCE(dp->comp_skip_next);
	WRITE_ONCE(dp->comp_skip, next);
	WRITE_ONCE(dp->comp_skip_next, min(next * 2, KIPSEC_COMP_SKIP_MAX));
}

/*
 * Compress the @plen bytes after o->hlen into the packet, behind an IPcomp
 * header, if that makes it smaller. False leaves the payload as it was.
 */
static bool kipsec_comp_try(struct sk_buff *skb, struct kipsec_sa *sa,
			    const struct kipsec_xf_out *o, unsigned int plen)
{
	unsigned int dlen = plen - sizeof(struct ip_comp_hdr) - 1;
	struct kipsec_comp_cpu *c;
	struct ip_comp_hdr *ch;
	int err;

	if (skb_linearize_cow(skb))
		return false;
	local_bh_disable();
	c = this_cpu_ptr(sa->dp->comp);
	/* Output that would not end smaller fails for want of room. */
	err = crypto_comp_compress(c->tfm, skb->data + o->hlen, plen,
				   c->scratch, &dlen);
	if (!err)
		memcpy(skb->data + o->hlen + sizeof(*ch), c->scratch, dlen);
	local_bh_enable();
	if (err)
		return false;
	__skb_trim(skb, o->hlen + sizeof(*ch) + dlen);
	skb_set_transport_header(skb, o->hlen);
	ch = (struct ip_comp_hdr *)skb_transport_header(skb);
	ch->nexthdr = o->nexthdr;
	ch->flags = 0;
	ch->cpi = htons(ntohl(sa->spi));
	skb->data[o->proto_off] = IPPROTO_COMP;
	return true;
}

/*
 * Compress @skb (network header first) with @sa, if worth it: what follows
 * o->hlen bytes of headers becomes the IPcomp payload. Otherwise the byte
 * at o->proto_off gets o->nexthdr back and the packet goes as it is.
 */
void kipsec_ipcomp_output(struct sk_buff *skb, struct kipsec_sa *sa,
			  const struct kipsec_xf_out *o, kipsec_xf_done_t done)
{
	struct kipsec_net *kn = kipsec_pernet(dev_net(skb_dst(skb)->dev));
	unsigned int plen = skb->len - o->hlen;
	struct kipsec_sa_dp *dp = sa->dp;
	u16 family = sa->dst.family;
	enum kipsec_stat why;
	bool shrank = false;

	if (plen < KIPSEC_COMP_MIN) {
		why = KIPSEC_OUT_NOCOMP_SMALL;
		atomic64_inc(&dp->nocomp_small);
	} else if (kipsec_comp_paused(dp)) {
		why = KIPSEC_OUT_NOCOMP_BACKOFF;
		atomic64_inc(&dp->nocomp_backoff);
	} else {
		shrank = kipsec_comp_try(skb, sa, o, plen);
		kipsec_comp_result(dp, shrank);
		why = KIPSEC_OUT_NOCOMP_LARGER;
		atomic64_inc(shrank ? &dp->comp_out : &dp->nocomp_larger);
	}
	if (shrank) {
		kipsec_stat(kn, family, KIPSEC_OUT_COMP);
		kipsec_hist(kn, family, KIPSEC_HIST_OUT_COMP, sa->ealg);
	} else {
		/* RFC 3173 2.2: no IPcomp header; in tunnel mode, IP-in-IP. */
		skb->data[o->proto_off] = o->nexthdr;
		kipsec_stat(kn, family, why);
	}
	done(skb, sa, 0, 0);
}

/* ---- input ---------------------------------------------------------- */

/* Replace the payload (skb->data on, linear) by @len bytes at @p. */
static int kipsec_comp_put(struct sk_buff *skb, const u8 *p, unsigned int len)
{
	unsigned int room;

	__skb_trim(skb, 0);
	room = skb_tailroom(skb);
	if (len > room &&
	    pskb_expand_head(skb, 0, len - room, GFP_ATOMIC))
		return -ENOMEM;
	skb_put_data(skb, p, len);
	return 0;
}

static int kipsec_decomp(struct sk_buff *skb, struct kipsec_sa *sa, u8 *nh)
{
	unsigned int hlen = skb_network_header_len(skb), max, dlen;
	struct kipsec_comp_cpu *c;
	struct ip_comp_hdr *ch;
	int err;

	if (!pskb_may_pull(skb, sizeof(*ch) + 1))
		return -EINVAL;
	ch = (struct ip_comp_hdr *)skb->data;
	if (ntohs(ch->cpi) != ntohl(sa->spi) || ch->nexthdr == IPPROTO_COMP)
		return -EINVAL;
	*nh = ch->nexthdr;
	/* The whole IP packet afterwards must fit its length field. */
	max = sa->dst.family == AF_INET ? IP_MAX_MTU :
	      IPV6_MAXPLEN + sizeof(struct ipv6hdr);
	if (hlen >= max)
		return -EINVAL;
	max = min(max - hlen, KIPSEC_COMP_SCRATCH);
	if (skb_linearize_cow(skb))
		return -ENOMEM;
	__skb_pull(skb, sizeof(*ch));

	local_bh_disable();
	c = this_cpu_ptr(sa->dp->comp);
	dlen = max;
	/* Output larger than max fails for want of room: -EINVAL. */
	err = crypto_comp_decompress(c->tfm, skb->data, skb->len, c->scratch,
				     &dlen);
	if (!err)
		err = kipsec_comp_put(skb, c->scratch, dlen);
	local_bh_enable();
	if (err)
		return err == -ENOMEM ? err : -EINVAL;
	skb->ip_summed = CHECKSUM_NONE;
	return 0;
}

/*
 * Decompress @skb, whose data starts at the IPcomp header. @done gets it
 * as from kipsec_esp_input(): the data at the decompressed payload, the
 * network and transport headers where they were (the transport header at
 * the IPcomp header), and the next header value.
 */
void kipsec_ipcomp_input(struct sk_buff *skb, struct kipsec_sa *sa,
			 kipsec_xf_done_t done)
{
	struct kipsec_net *kn = kipsec_pernet(dev_net(skb->dev));
	u8 nh = 0;
	int err;

	err = kipsec_decomp(skb, sa, &nh);
	if (!err) {
		kipsec_hist(kn, sa->dst.family, KIPSEC_HIST_IN_COMP, sa->ealg);
		atomic64_inc(&sa->dp->comp_in);
	}
	done(skb, sa, err, nh);
}
