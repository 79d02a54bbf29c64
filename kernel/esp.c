// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ESP (RFC 4303) through the crypto API's AEAD interface.
 *
 * Output inserts the ESP header and IV after the headers that stay in
 * front, pads, and encrypts in place. A NAT-T SA (RFC 3948) puts a UDP
 * header in front of ESP: its ports, checksum 0, and IP protocol UDP.
 * Input decrypts in place, checks the padding and trims the trailer; it
 * starts at the ESP header, UDP or not. The additional authenticated data (SPI,
 * sequence number and, with ESN, its high half) lives in the per-packet
 * context rather than in front of the ESP header, so no byte of the packet
 * is borrowed.
 *
 * Each call ends in exactly one call of @done, synchronously or from the
 * crypto API's completion: the fast AES-NI implementations are
 * asynchronous. @done owns the packet (it frees it on error) and the
 * caller's reference on the SA. Errors given to @done:
 * -EBADMSG ICV mismatch, -EALREADY replay, -EINVAL malformed,
 * -EOVERFLOW sequence numbers exhausted, -ENOMEM.
 */
#include <linux/ip.h>
#include <linux/scatterlist.h>
#include <linux/udp.h>
#include <kipsec/pfkey_ext.h>
#include "dp.h"

struct kipsec_esp_ctx {
	struct sk_buff *skb;
	struct kipsec_sa *sa;
	kipsec_xf_done_t done;
	u64 seq;
	__be32 aad[3];			/* SPI, [seq hi,] seq lo */
	u8 *iv;
	struct aead_request *req;
	struct scatterlist *sg;
};

/* One allocation per packet: context, IV, request, scatterlist. */
static struct kipsec_esp_ctx *kipsec_esp_ctx_alloc(struct crypto_aead *aead,
						   int nfrags)
{
	unsigned int len = sizeof(struct kipsec_esp_ctx), iv_off, req_off;
	unsigned int sg_off;
	struct kipsec_esp_ctx *ctx;
	u8 *p;

	iv_off = len;
	len += crypto_aead_ivsize(aead) + crypto_aead_alignmask(aead);
	len = ALIGN(len, crypto_tfm_ctx_alignment());
	req_off = len;
	len += sizeof(struct aead_request) + crypto_aead_reqsize(aead);
	len = ALIGN(len, __alignof__(struct scatterlist));
	sg_off = len;
	len += sizeof(struct scatterlist) * (nfrags + 1);

	p = kipsec_fault() ? NULL : kmalloc(len, GFP_ATOMIC);
	if (!p)
		return NULL;
	ctx = (struct kipsec_esp_ctx *)p;
	ctx->iv = PTR_ALIGN(p + iv_off, crypto_aead_alignmask(aead) + 1);
	ctx->req = (struct aead_request *)(p + req_off);
	ctx->sg = (struct scatterlist *)(p + sg_off);
	return ctx;
}

/* The AAD and the scatterlist: AAD, then the packet from the IV on. */
static int kipsec_esp_sg(struct kipsec_esp_ctx *ctx, int nfrags,
			 unsigned int esp_off)
{
	struct kipsec_sa_dp *dp = ctx->sa->dp;
	struct sk_buff *skb = ctx->skb;
	unsigned int assoclen = 8;
	int err;

	ctx->aad[0] = ctx->sa->spi;
	if (dp->esn) {
		ctx->aad[1] = htonl(upper_32_bits(ctx->seq));
		assoclen = 12;
	}
	ctx->aad[assoclen / 4 - 1] = htonl(lower_32_bits(ctx->seq));
	sg_init_table(ctx->sg, nfrags + 1);
	sg_set_buf(ctx->sg, ctx->aad, assoclen);
	err = skb_to_sgvec(skb, ctx->sg + 1, esp_off + sizeof(struct ip_esp_hdr),
			   skb->len - esp_off - sizeof(struct ip_esp_hdr));
	return err < 0 ? err : assoclen;
}

static void kipsec_esp_finish(struct kipsec_esp_ctx *ctx, int err, u8 nh)
{
	struct sk_buff *skb = ctx->skb;
	struct kipsec_sa *sa = ctx->sa;
	kipsec_xf_done_t done = ctx->done;

	kfree(ctx);
	done(skb, sa, err, nh);
}

/* ---- output --------------------------------------------------------- */

/* Bytes ESP (and its UDP header) makes of @plen bytes of payload. */
unsigned int kipsec_esp_len(const struct kipsec_sa_dp *dp, unsigned int plen)
{
	return dp->encap + sizeof(struct ip_esp_hdr) + dp->ivlen +
	       ALIGN(plen + 2, dp->blksize) + dp->icvlen;
}

/* The largest payload whose ESP form fits in @room bytes (0: none). */
unsigned int kipsec_esp_room(const struct kipsec_sa_dp *dp, unsigned int room)
{
	unsigned int fixed = dp->encap + sizeof(struct ip_esp_hdr) + dp->ivlen +
			     dp->icvlen;

	if (room < fixed + dp->blksize)
		return 0;
	return ((room - fixed) & ~(dp->blksize - 1U)) - 2;
}

static void kipsec_esp_out_cb(struct crypto_async_request *base, int err)
{
	kipsec_esp_finish(base->data, err, 0);
}

/* Padding, pad length and next header, then room for the ICV. */
static int kipsec_esp_trailer(struct sk_buff *skb, unsigned int clen,
			      unsigned int plen, unsigned int icvlen, u8 nh)
{
	unsigned int padlen = clen - plen - 2, i;
	struct sk_buff *trailer;
	int nfrags;
	u8 *tail;

	nfrags = skb_cow_data(skb, clen - plen + icvlen, &trailer);
	if (nfrags < 0)
		return nfrags;
	tail = pskb_put(skb, trailer, clen - plen + icvlen);
	for (i = 0; i < padlen; i++)
		tail[i] = i + 1;
	tail[padlen] = padlen;
	tail[padlen + 1] = nh;
	return nfrags;
}

/* RFC 3948 2.1: the SA's ports, the length, no checksum (IPv4). */
static void kipsec_esp_udp(struct sk_buff *skb, const struct kipsec_sa *sa,
			   unsigned int off)
{
	struct udphdr *uh = (struct udphdr *)(skb->data + off);

	uh->source = sa->natt_sport;
	uh->dest = sa->natt_dport;
	uh->len = htons(skb->len - off);
	uh->check = 0;
}

static int kipsec_esp_encrypt(struct sk_buff *skb, struct kipsec_sa *sa,
			      const struct kipsec_xf_out *o,
			      kipsec_xf_done_t done, u64 seq)
{
	struct kipsec_sa_dp *dp = sa->dp;
	unsigned int plen = skb->len - o->hlen;
	unsigned int clen = ALIGN(plen + 2, dp->blksize);
	unsigned int esp_off = o->hlen + dp->encap;
	unsigned int esplen = dp->encap + sizeof(struct ip_esp_hdr) + dp->ivlen;
	struct kipsec_esp_ctx *ctx;
	struct ip_esp_hdr *esph;
	__be64 seqno = cpu_to_be64(seq);
	unsigned int n = min_t(unsigned int, dp->ivlen, 8);
	int nfrags, assoclen;

	if (skb_cow_head(skb, esplen))
		return -ENOMEM;
	nfrags = kipsec_esp_trailer(skb, clen, plen, dp->icvlen, o->nexthdr);
	if (nfrags < 0)
		return nfrags;

	__skb_push(skb, esplen);
	memmove(skb->data, skb->data + esplen, o->hlen);
	skb_reset_network_header(skb);
	skb_set_transport_header(skb, o->hlen);
	if (dp->encap) {
		kipsec_esp_udp(skb, sa, o->hlen);
		skb->data[o->proto_off] = IPPROTO_UDP;
	} else {
		skb->data[o->proto_off] = IPPROTO_ESP;
	}
	esph = (struct ip_esp_hdr *)(skb->data + esp_off);
	esph->spi = sa->spi;
	esph->seq_no = htonl(lower_32_bits(seq));

	ctx = kipsec_esp_ctx_alloc(dp->aead, nfrags);
	if (!ctx)
		return -ENOMEM;
	*ctx = (struct kipsec_esp_ctx){ .skb = skb, .sa = sa, .done = done,
		.seq = seq, .iv = ctx->iv, .req = ctx->req, .sg = ctx->sg };
	assoclen = kipsec_esp_sg(ctx, nfrags, esp_off);
	if (assoclen < 0) {
		kfree(ctx);
		return assoclen;
	}
	/* The IV generator derives the IV from the sequence number. */
	memset(ctx->iv, 0, dp->ivlen);
	memcpy(ctx->iv + dp->ivlen - n, (u8 *)&seqno + 8 - n, n);

	aead_request_set_tfm(ctx->req, dp->aead);
	aead_request_set_callback(ctx->req, 0, kipsec_esp_out_cb, ctx);
	aead_request_set_crypt(ctx->req, ctx->sg, ctx->sg, dp->ivlen + clen,
			       ctx->iv);
	aead_request_set_ad(ctx->req, assoclen);
	switch (crypto_aead_encrypt(ctx->req)) {
	case -EINPROGRESS:
		return 0;
	case 0:
		kipsec_esp_finish(ctx, 0, 0);
		return 0;
	default:	/* -EBUSY too: no backlog was asked for */
		kfree(ctx);
		return -ENOMEM;
	}
}

/*
 * Protect @skb (network header first) with @sa: what follows o->hlen bytes
 * of headers becomes ESP payload, and the byte at o->proto_off says ESP.
 */
void kipsec_esp_output(struct sk_buff *skb, struct kipsec_sa *sa,
		       const struct kipsec_xf_out *o, kipsec_xf_done_t done)
{
	u64 seq;
	int err;

	err = kipsec_seq_next(sa, &seq);
	if (!err)
		err = kipsec_esp_encrypt(skb, sa, o, done, seq);
	if (err)
		done(skb, sa, err, 0);
}

/* ---- input ---------------------------------------------------------- */

/* Pad bytes must be 1, 2, 3... unless the SA says otherwise (KAME). */
static int kipsec_esp_check_pad(struct sk_buff *skb, struct kipsec_sa *sa,
				unsigned int end, unsigned int padlen)
{
	u8 pad[255];
	unsigned int i;

	if (sa->flags & SADB_X_EXT_PMASK)
		return 0;
	if (skb_copy_bits(skb, end - padlen, pad, padlen))
		return -EINVAL;
	for (i = 0; i < padlen; i++)
		if (pad[i] != i + 1)
			return -EINVAL;
	return 0;
}

/* After decryption: replay window, trailer, padding; then trim. */
static int kipsec_esp_untrail(struct kipsec_esp_ctx *ctx, u8 *nh)
{
	struct kipsec_sa_dp *dp = ctx->sa->dp;
	struct sk_buff *skb = ctx->skb;
	unsigned int esplen = sizeof(struct ip_esp_hdr) + dp->ivlen;
	unsigned int end = skb->len - dp->icvlen - 2;
	u8 tr[2];
	int err;

	if (!kipsec_replay_advance(dp, ctx->seq))
		return -EALREADY;
	if (skb_copy_bits(skb, end, tr, 2) || tr[0] > end - esplen)
		return -EINVAL;
	err = kipsec_esp_check_pad(skb, ctx->sa, end, tr[0]);
	if (err)
		return err;
	if (pskb_trim(skb, end - tr[0]))
		return -ENOMEM;
	*nh = tr[1];
	__skb_pull(skb, esplen);
	skb->ip_summed = CHECKSUM_NONE;
	return 0;
}

static void kipsec_esp_in_done(struct kipsec_esp_ctx *ctx, int err)
{
	u8 nh = 0;

	if (!err)
		err = kipsec_esp_untrail(ctx, &nh);
	kipsec_esp_finish(ctx, err, nh);
}

static void kipsec_esp_in_cb(struct crypto_async_request *base, int err)
{
	kipsec_esp_in_done(base->data, err);
}

static int kipsec_esp_decrypt(struct sk_buff *skb, struct kipsec_sa *sa,
			      kipsec_xf_done_t done)
{
	struct kipsec_sa_dp *dp = sa->dp;
	unsigned int esplen = sizeof(struct ip_esp_hdr) + dp->ivlen;
	struct kipsec_esp_ctx *ctx;
	struct sk_buff *trailer;
	int elen, nfrags, assoclen;
	u64 seq;

	if (!pskb_may_pull(skb, esplen))
		return -EINVAL;
	elen = skb->len - esplen - dp->icvlen;
	if (elen < 2 || elen & (dp->blksize - 1))
		return -EINVAL;
	seq = kipsec_replay_seq(dp, ((struct ip_esp_hdr *)skb->data)->seq_no);
	if (!kipsec_replay_check(dp, seq))
		return -EALREADY;
	nfrags = skb_cow_data(skb, 0, &trailer);
	if (nfrags < 0)
		return nfrags;
	ctx = kipsec_esp_ctx_alloc(dp->aead, nfrags);
	if (!ctx)
		return -ENOMEM;
	*ctx = (struct kipsec_esp_ctx){ .skb = skb, .sa = sa, .done = done,
		.seq = seq, .iv = ctx->iv, .req = ctx->req, .sg = ctx->sg };
	assoclen = kipsec_esp_sg(ctx, nfrags, 0);
	if (assoclen < 0) {
		kfree(ctx);
		return assoclen;
	}
	aead_request_set_tfm(ctx->req, dp->aead);
	aead_request_set_callback(ctx->req, 0, kipsec_esp_in_cb, ctx);
	aead_request_set_crypt(ctx->req, ctx->sg, ctx->sg,
			       skb->len - sizeof(struct ip_esp_hdr), ctx->iv);
	aead_request_set_ad(ctx->req, assoclen);
	switch (crypto_aead_decrypt(ctx->req)) {
	case -EINPROGRESS:
		return 0;
	case -EBADMSG:
		kipsec_esp_in_done(ctx, -EBADMSG);
		return 0;
	case 0:
		kipsec_esp_in_done(ctx, 0);
		return 0;
	default:
		kfree(ctx);
		return -ENOMEM;
	}
}

/*
 * Decrypt @skb, whose data starts at the ESP header. @done gets it with
 * the data at the decrypted payload, the network and transport headers
 * where they were (the transport header at the ESP header), and the next
 * header value.
 */
void kipsec_esp_input(struct sk_buff *skb, struct kipsec_sa *sa,
		      kipsec_xf_done_t done)
{
	int err = kipsec_esp_decrypt(skb, sa, done);

	if (err)
		done(skb, sa, err, 0);
}
