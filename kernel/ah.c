// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * AH (RFC 4302) through the crypto API's ahash interface.
 *
 * The ICV covers the packet from the IP header on, with the fields that
 * change in transit seen as zero: the IP header's mutable fields, the
 * mutable IPv4 options (RFC 4302 appendix A), the data of IPv6 options
 * marked as changing en route, and the ICV itself. It is computed in
 * place, as ah4/ah6 do: the headers in front of AH are saved in the
 * per-packet context, their mutable fields zeroed in the packet, and put
 * back once the hash is done. Nothing else of the packet is copied.
 *
 * Source routes (IPv4 LSRR/SSRR options, IPv6 routing headers) would need
 * the final destination in the ICV: such packets are dropped (invalid).
 *
 * AH is padded to 32 bits in IPv4 and 64 in IPv6 (RFC 4302 3.3.3.2.1),
 * with zeros. Linux pads IPv4 AH to 64 bits unless the SA has the
 * "align4" flag: input takes both. The padding is hashed as it came, as
 * Linux sends whatever its headroom held there.
 *
 * With ESN, the high half of the sequence number is hashed after the
 * packet (RFC 4302 2.5.1). The replay window is checked before the ICV,
 * and updated after it was found good.
 *
 * As in esp.c, each call ends in exactly one call of @done, synchronously
 * or from the crypto API's completion, with the same errors.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/scatterlist.h>
#include <crypto/algapi.h>
#include <net/ah.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include "dp.h"

/* IPv4 options RFC 4302 A.1 calls immutable that <linux/ip.h> lacks. */
#define KIPSEC_IPOPT_ESEC	133	/* extended security */
#define KIPSEC_IPOPT_SDMDD	149	/* RFC 1770 multi-destination delivery */

/* The length of an AH header, ICV and padding included. */
static unsigned int kipsec_ah_hlen(const struct ip_auth_hdr *ah)
{
	return (ah->hdrlen + 2) * 4;
}

struct kipsec_ah_ctx {
	struct sk_buff *skb;
	struct kipsec_sa *sa;
	kipsec_xf_done_t done;
	u64 seq;
	unsigned int hlen;	/* bytes of headers in front of AH */
	__be32 seqhi;		/* ESN: hashed after the packet */
	u8 *hdrs;		/* those headers as they were */
	u8 *rx_icv;		/* input: the ICV received */
	u8 *icv;		/* the digest */
	struct ahash_request *req;
	struct scatterlist *sg;
};

/* One allocation per packet: context, headers, ICVs, request, sg. */
static struct kipsec_ah_ctx *kipsec_ah_ctx_alloc(struct sk_buff *skb,
						 struct kipsec_sa *sa,
						 kipsec_xf_done_t done, u64 seq,
						 unsigned int hlen, int nfrags)
{
	struct crypto_ahash *ahash = sa->dp->ahash;
	unsigned int len = sizeof(struct kipsec_ah_ctx), icv_off, req_off;
	unsigned int sg_off;
	struct kipsec_ah_ctx *ctx;
	u8 *p;

	len += hlen + sa->dp->icvlen;
	icv_off = len;
	len += crypto_ahash_digestsize(ahash) + crypto_ahash_alignmask(ahash);
	len = ALIGN(len, crypto_tfm_ctx_alignment());
	req_off = len;
	len += sizeof(struct ahash_request) + crypto_ahash_reqsize(ahash);
	len = ALIGN(len, __alignof__(struct scatterlist));
	sg_off = len;
	len += sizeof(struct scatterlist) * (nfrags + 1);

	p = kipsec_fault() ? NULL : kmalloc(len, GFP_ATOMIC);
	if (!p)
		return NULL;
	ctx = (struct kipsec_ah_ctx *)p;
	*ctx = (struct kipsec_ah_ctx){ .skb = skb, .sa = sa, .done = done,
		.seq = seq, .hlen = hlen };
	ctx->hdrs = p + sizeof(*ctx);
	ctx->rx_icv = ctx->hdrs + hlen;
	ctx->icv = PTR_ALIGN(p + icv_off, crypto_ahash_alignmask(ahash) + 1);
	ctx->req = (struct ahash_request *)(p + req_off);
	ctx->sg = (struct scatterlist *)(p + sg_off);
	return ctx;
}

static void kipsec_ah_finish(struct kipsec_ah_ctx *ctx, int err, u8 nh)
{
	struct sk_buff *skb = ctx->skb;
	struct kipsec_sa *sa = ctx->sa;
	kipsec_xf_done_t done = ctx->done;

	kfree(ctx);
	done(skb, sa, err, nh);
}

/* ---- the fields the ICV does not cover ------------------------------ */

/* RFC 4302 3.3.3.1.1 and appendix A.1: mutable options are zeroed whole. */
static int kipsec_ah_mutable4(struct iphdr *iph)
{
	unsigned int len = iph->ihl * 4 - sizeof(*iph), olen;
	u8 *opt = (u8 *)(iph + 1);

	iph->tos = 0;
	iph->frag_off = 0;
	iph->ttl = 0;
	iph->check = 0;
	while (len && *opt != IPOPT_END) {
		if (*opt == IPOPT_NOOP) {
			opt++;
			len--;
			continue;
		}
		if (len < 2 || opt[1] < 2 || opt[1] > len)
			return -EINVAL;
		olen = opt[1];
		switch (*opt) {
		case IPOPT_SEC:
		case KIPSEC_IPOPT_ESEC:
		case IPOPT_CIPSO:
		case IPOPT_RA:
		case KIPSEC_IPOPT_SDMDD:
			break;
		case IPOPT_LSRR:
		case IPOPT_SSRR:
			return -EINVAL;
		default:
			memset(opt, 0, olen);
		}
		opt += olen;
		len -= olen;
	}
	return 0;
}

/* RFC 4302 3.3.3.1.2.2: the data of options marked "may change" is zero. */
static int kipsec_ah_opts6(u8 *h, unsigned int len)
{
	unsigned int off = 2;

	while (off < len) {
		if (h[off] == IPV6_TLV_PAD1) {
			off++;
			continue;
		}
		if (off + 2 > len || off + 2 + h[off + 1] > len)
			return -EINVAL;
		if (h[off] & 0x20)
			memset(h + off + 2, 0, h[off + 1]);
		off += 2 + h[off + 1];
	}
	return 0;
}

/* IPv6: traffic class, flow label, hop limit, and option data. */
static int kipsec_ah_mutable6(u8 *nh, unsigned int hlen)
{
	struct ipv6hdr *ip6h = (struct ipv6hdr *)nh;
	unsigned int off = sizeof(*ip6h), len;
	u8 next = ip6h->nexthdr;

	ip6_flow_hdr(ip6h, 0, 0);
	ip6h->hop_limit = 0;
	while (off < hlen) {
		/* Routing headers, and anything else, are not handled. */
		if ((next != NEXTHDR_HOP && next != NEXTHDR_DEST) ||
		    off + 2 > hlen)
			return -EINVAL;
		len = (nh[off + 1] + 1) * 8;
		if (off + len > hlen || kipsec_ah_opts6(nh + off, len))
			return -EINVAL;
		next = nh[off];
		off += len;
	}
	return 0;
}

/*
 * Save the @hlen bytes of headers at @nh, in front of AH, in the context,
 * then zero their mutable fields in the packet.
 */
static int kipsec_ah_zero(struct kipsec_ah_ctx *ctx, u8 *nh)
{
	memcpy(ctx->hdrs, nh, ctx->hlen);
	if (ctx->sa->dst.family == AF_INET)
		return kipsec_ah_mutable4((struct iphdr *)nh);
	return kipsec_ah_mutable6(nh, ctx->hlen);
}

/* ---- the hash ------------------------------------------------------- */

/* The packet, from skb->data on, then the high half of an ESN. */
static int kipsec_ah_sg(struct kipsec_ah_ctx *ctx, int nfrags)
{
	struct sk_buff *skb = ctx->skb;
	unsigned int len = skb->len;
	int n;

	sg_init_table(ctx->sg, nfrags + 1);
	n = skb_to_sgvec_nomark(skb, ctx->sg, 0, skb->len);
	if (n <= 0)
		return n < 0 ? n : -EINVAL;
	if (ctx->sa->dp->esn) {
		ctx->seqhi = htonl(upper_32_bits(ctx->seq));
		sg_set_buf(&ctx->sg[n++], &ctx->seqhi, sizeof(ctx->seqhi));
		len += sizeof(ctx->seqhi);
	}
	sg_mark_end(&ctx->sg[n - 1]);
	ahash_request_set_tfm(ctx->req, ctx->sa->dp->ahash);
	ahash_request_set_crypt(ctx->req, ctx->sg, ctx->icv, len);
	return 0;
}

/*
 * Start the hash; @fin runs when it is done, here or from the completion.
 * Returns 0 once @fin owns the packet, or an error (the caller's).
 */
static int kipsec_ah_digest(struct kipsec_ah_ctx *ctx, crypto_completion_t cb,
			    void (*fin)(struct kipsec_ah_ctx *ctx, int err))
{
	ahash_request_set_callback(ctx->req, 0, cb, ctx);
	switch (crypto_ahash_digest(ctx->req)) {
	case -EINPROGRESS:
		return 0;
	case 0:
		fin(ctx, 0);
		return 0;
	default:	/* -EBUSY too: no backlog was asked for */
		kfree(ctx);
		return -ENOMEM;
	}
}

/* ---- output --------------------------------------------------------- */

static void kipsec_ah_out_done(struct kipsec_ah_ctx *ctx, int err)
{
	struct sk_buff *skb = ctx->skb;

	memcpy(skb->data, ctx->hdrs, ctx->hlen);
	if (!err)
		memcpy(ip_auth_hdr(skb)->auth_data, ctx->icv,
		       ctx->sa->dp->icvlen);
	kipsec_ah_finish(ctx, err, 0);
}

static void kipsec_ah_out_cb(struct crypto_async_request *base, int err)
{
	kipsec_ah_out_done(base->data, err);
}

/* Insert the AH header, ICV and padding zero, and fix the IP length. */
static int kipsec_ah_push(struct sk_buff *skb, struct kipsec_sa *sa,
			  const struct kipsec_xf_out *o, u64 seq)
{
	unsigned int max = sa->dst.family == AF_INET ? IP_MAX_MTU :
			   IPV6_MAXPLEN + sizeof(struct ipv6hdr);
	unsigned int ahlen = sa->dp->ahlen;
	struct sk_buff *trailer;
	struct ip_auth_hdr *ah;
	int nfrags;

	/* No room in the length field: no jumbograms here. */
	if (skb->len + ahlen > max)
		return -EMSGSIZE;
	if (skb_cow_head(skb, ahlen))
		return -ENOMEM;
	nfrags = skb_cow_data(skb, 0, &trailer);
	if (nfrags < 0)
		return nfrags;

	__skb_push(skb, ahlen);
	memmove(skb->data, skb->data + ahlen, o->hlen);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, o->hlen);
	skb->data[o->proto_off] = IPPROTO_AH;
	ah = ip_auth_hdr(skb);
	ah->nexthdr = o->nexthdr;
	ah->hdrlen = ahlen / 4 - 2;
	ah->reserved = 0;
	ah->spi = sa->spi;
	ah->seq_no = htonl(lower_32_bits(seq));
	memset(ah->auth_data, 0, ahlen - sizeof(*ah));
	/* The length is covered by the ICV: final now, not at ip_local_out(). */
	if (sa->dst.family == AF_INET)
		ip_hdr(skb)->tot_len = htons(skb->len);
	else
		ipv6_hdr(skb)->payload_len =
			htons(skb->len - sizeof(struct ipv6hdr));
	return nfrags;
}

static int kipsec_ah_sign(struct sk_buff *skb, struct kipsec_sa *sa,
			  const struct kipsec_xf_out *o,
			  kipsec_xf_done_t done, u64 seq)
{
	struct kipsec_ah_ctx *ctx;
	int nfrags, err;

	nfrags = kipsec_ah_push(skb, sa, o, seq);
	if (nfrags < 0)
		return nfrags;
	ctx = kipsec_ah_ctx_alloc(skb, sa, done, seq, o->hlen, nfrags);
	if (!ctx)
		return -ENOMEM;
	err = kipsec_ah_zero(ctx, skb->data);
	if (!err)
		err = kipsec_ah_sg(ctx, nfrags);
	if (err) {
		kfree(ctx);
		return err;
	}
	return kipsec_ah_digest(ctx, kipsec_ah_out_cb, kipsec_ah_out_done);
}

/*
 * Protect @skb (network header first) with @sa: AH goes after o->hlen
 * bytes of headers, and the byte at o->proto_off says AH.
 */
void kipsec_ah_output(struct sk_buff *skb, struct kipsec_sa *sa,
		      const struct kipsec_xf_out *o, kipsec_xf_done_t done)
{
	u64 seq;
	int err;

	err = kipsec_seq_next(sa, &seq);
	if (!err)
		err = kipsec_ah_sign(skb, sa, o, done, seq);
	if (err)
		done(skb, sa, err, 0);
}

/* ---- input ---------------------------------------------------------- */

/* After the hash: ICV, replay window; then the headers back, AH pulled. */
static void kipsec_ah_in_done(struct kipsec_ah_ctx *ctx, int err)
{
	struct kipsec_sa_dp *dp = ctx->sa->dp;
	struct sk_buff *skb = ctx->skb;
	struct ip_auth_hdr *ah;
	u8 nh = 0;

	if (!err && crypto_memneq(ctx->icv, ctx->rx_icv, dp->icvlen))
		err = -EBADMSG;
	if (!err && !kipsec_replay_advance(dp, ctx->seq))
		err = -EALREADY;
	if (!err) {
		memcpy(skb->data, ctx->hdrs, ctx->hlen);
		ah = ip_auth_hdr(skb);
		nh = ah->nexthdr;
		__skb_pull(skb, ctx->hlen + kipsec_ah_hlen(ah));
		skb->ip_summed = CHECKSUM_NONE;
	}
	kipsec_ah_finish(ctx, err, nh);
}

static void kipsec_ah_in_cb(struct crypto_async_request *base, int err)
{
	kipsec_ah_in_done(base->data, err);
}

/* The truncated ICV, padded as RFC 4302 says or (IPv4) as Linux does. */
static bool kipsec_ah_len_ok(const struct kipsec_sa_dp *dp, unsigned int len)
{
	return len == dp->ahlen ||
	       len == ALIGN(sizeof(struct ip_auth_hdr) + dp->icvlen, 8);
}

static int kipsec_ah_verify(struct sk_buff *skb, struct kipsec_sa *sa,
			    kipsec_xf_done_t done)
{
	unsigned int hlen = skb_network_header_len(skb);
	struct kipsec_sa_dp *dp = sa->dp;
	struct kipsec_ah_ctx *ctx;
	struct ip_auth_hdr *ah;
	struct sk_buff *trailer;
	int nfrags, err;
	u64 seq;

	if (!pskb_may_pull(skb, sizeof(*ah)))
		return -EINVAL;
	ah = (struct ip_auth_hdr *)skb->data;
	if (!kipsec_ah_len_ok(dp, kipsec_ah_hlen(ah)) ||
	    !pskb_may_pull(skb, kipsec_ah_hlen(ah)))
		return -EINVAL;
	ah = (struct ip_auth_hdr *)skb->data;
	seq = kipsec_replay_seq(dp, ah->seq_no);
	if (!kipsec_replay_check(dp, seq))
		return -EALREADY;
	nfrags = skb_cow_data(skb, 0, &trailer);
	if (nfrags < 0)
		return nfrags;
	ctx = kipsec_ah_ctx_alloc(skb, sa, done, seq, hlen, nfrags);
	if (!ctx)
		return -ENOMEM;
	ah = (struct ip_auth_hdr *)skb->data;
	memcpy(ctx->rx_icv, ah->auth_data, dp->icvlen);
	memset(ah->auth_data, 0, dp->icvlen);
	err = kipsec_ah_zero(ctx, skb_network_header(skb));
	__skb_push(skb, hlen);
	if (!err)
		err = kipsec_ah_sg(ctx, nfrags);
	if (err) {
		kfree(ctx);
		return err;
	}
	return kipsec_ah_digest(ctx, kipsec_ah_in_cb, kipsec_ah_in_done);
}

/*
 * Verify @skb, whose data starts at the AH header. @done gets it as from
 * kipsec_esp_input(): the data at the payload, the network and transport
 * headers where they were (the transport header at AH), and the next
 * header value.
 */
void kipsec_ah_input(struct sk_buff *skb, struct kipsec_sa *sa,
		     kipsec_xf_done_t done)
{
	int err = kipsec_ah_verify(skb, sa, done);

	if (err)
		done(skb, sa, err, 0);
}
