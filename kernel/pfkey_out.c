// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Building PF_KEY messages for userland. Sizes are computed by the callers
 * before allocation, so the skb_put() calls here never run past the end.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include "pfkey.h"

struct sk_buff *kipsec_msg_new(unsigned int size, gfp_t gfp)
{
	return alloc_skb(size, gfp);
}

/* Header echoing the request's seq and pid, as RFC 2367 asks. */
struct sadb_msg *kipsec_put_hdr(struct sk_buff *skb,
				const struct sadb_msg *req, u8 type, u8 satype)
{
	struct sadb_msg *hdr = skb_put_zero(skb, sizeof(*hdr));

	hdr->sadb_msg_version = PF_KEY_V2;
	hdr->sadb_msg_type = type;
	hdr->sadb_msg_satype = satype;
	if (req) {
		hdr->sadb_msg_seq = req->sadb_msg_seq;
		hdr->sadb_msg_pid = req->sadb_msg_pid;
	}
	return hdr;
}

void *kipsec_put_ext(struct sk_buff *skb, u16 type, unsigned int len)
{
	struct sadb_ext *ext = skb_put_zero(skb, len);

	ext->sadb_ext_len = len / 8;
	ext->sadb_ext_type = type;
	return ext;
}

void kipsec_msg_finish(struct sk_buff *skb)
{
	struct sadb_msg *hdr = (struct sadb_msg *)skb->data;

	hdr->sadb_msg_len = skb->len / 8;
}

unsigned int kipsec_address_ext_len(u16 family)
{
	return ALIGN(sizeof(struct sadb_address) +
		     kipsec_sockaddr_len(family), 8);
}

void kipsec_put_address(struct sk_buff *skb, u16 type,
			const struct kipsec_addr *a, u8 proto, u8 plen,
			__be16 port)
{
	struct sadb_address *ext;

	ext = kipsec_put_ext(skb, type, kipsec_address_ext_len(a->family));
	ext->sadb_address_proto = proto;
	ext->sadb_address_prefixlen = plen;
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)(ext + 1);

		sin->sin_family = AF_INET;
		sin->sin_port = port;
		sin->sin_addr.s_addr = a->v4;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(ext + 1);

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = port;
		sin6->sin6_addr = a->v6;
	}
}

/* From a sockaddr the parser validated; returns its port. */
__be16 kipsec_addr_from_sockaddr(struct kipsec_addr *a,
				 const struct sockaddr *sa)
{
	memset(a, 0, sizeof(*a));
	a->family = sa->sa_family;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		a->v4 = sin->sin_addr.s_addr;
		return sin->sin_port;
	}
	a->v6 = ((const struct sockaddr_in6 *)sa)->sin6_addr;
	return ((const struct sockaddr_in6 *)sa)->sin6_port;
}

unsigned int kipsec_addr_bits(const struct kipsec_addr *a)
{
	return a->family == AF_INET ? 32 : 128;
}

/* A lifetime extension with @from's counters (its header is ignored). */
void kipsec_put_lifetime(struct sk_buff *skb, u16 type,
			 const struct sadb_lifetime *from)
{
	struct sadb_lifetime *lt = kipsec_put_ext(skb, type, sizeof(*lt));

	lt->sadb_lifetime_allocations = from->sadb_lifetime_allocations;
	lt->sadb_lifetime_bytes = from->sadb_lifetime_bytes;
	lt->sadb_lifetime_addtime = from->sadb_lifetime_addtime;
	lt->sadb_lifetime_usetime = from->sadb_lifetime_usetime;
}
