// SPDX-License-Identifier: BSD-2-Clause
/*
 * `setkey -DP`: one policy in KAME's layout.
 */
#include <inttypes.h>
#include <netinet/in.h>
#include <stdlib.h>

#include "setkey.h"

static bool portless(unsigned proto)
{
	/* these carry ICMP type/code or a GRE key in the port fields */
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6 ||
	       proto == 135 || proto == IPPROTO_GRE;
}

static void print_selector(FILE *out, const struct sadb_address *a,
			   unsigned proto)
{
	const struct sockaddr *sa = pfkey_address_sockaddr(a);
	char buf[INET6_ADDRSTRLEN + 16];
	unsigned full = sa->sa_family == AF_INET ? 32 : 128;
	uint16_t port = sk_addr_port(sa);

	fputs(sk_addr_str(sa, buf, sizeof(buf)), out);
	if (a->sadb_address_prefixlen != full)
		fprintf(out, "/%u", a->sadb_address_prefixlen);
	if (!portless(proto)) {
		if (port == IPSEC_PORT_ANY)
			fputs("[any]", out);
		else
			fprintf(out, "[%u]", port);
	}
	fputc(' ', out);
}

static void print_upper(FILE *out, unsigned proto, uint16_t p1, uint16_t p2)
{
	char buf[32];

	fputs(sk_proto_name(proto, buf, sizeof(buf)), out);
	if (p1 == IPSEC_PORT_ANY && p2 == IPSEC_PORT_ANY)
		return;
	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6 || proto == 135)
		fprintf(out, " %u,%u", p1, p2);
	else if (proto == IPPROTO_GRE)
		fprintf(out, " %u", ((unsigned)p1 << 16) + p2);
}

void sk_dump_spd(FILE *out, const struct pfkey_msg *m,
		 const struct sk_print_opts *o)
{
	const struct sadb_msg *hdr = m->hdr;
	const struct sadb_address *src, *dst;
	const struct sadb_x_policy *xpl = pfkey_msg_policy(m);
	const struct sadb_lifetime *c, *h;
	char t1[21], t2[21];

	(void)o;
	src = pfkey_msg_address(m, SADB_EXT_ADDRESS_SRC);
	dst = pfkey_msg_address(m, SADB_EXT_ADDRESS_DST);
	if (!xpl) {
		fprintf(out, "no X_POLICY extension.\n");
		return;
	}
	/* Linux numbers per-socket policies with id % 8 >= 3 */
	if (xpl->sadb_x_policy_id % 8 >= 3) {
		fputs("(per-socket policy) ", out);
	} else if (src && dst) {
		unsigned proto = src->sadb_address_proto;

		print_selector(out, src, proto);
		print_selector(out, dst, proto);
		if (proto != dst->sadb_address_proto) {
			fputs("upper layer protocol mismatched.\n", out);
			return;
		}
		print_upper(out, proto, sk_addr_port(pfkey_address_sockaddr(src)),
			    sk_addr_port(pfkey_address_sockaddr(dst)));
	} else {
		fputs("(no selector, probably per-socket policy) ", out);
	}

	char *text = ipsec_dump_policy((const char *)xpl, "\n\t");

	if (!text) {
		fprintf(out, "\n\tPolicy:[%s]\n", ipsec_strerror());
	} else {
		fprintf(out, "\n\t%s\n", text);
		free(text);
	}

	c = pfkey_msg_lifetime(m, SADB_EXT_LIFETIME_CURRENT);
	h = pfkey_msg_lifetime(m, SADB_EXT_LIFETIME_HARD);
	if (c) {
		sk_format_time(t1, c->sadb_lifetime_addtime);
		sk_format_time(t2, c->sadb_lifetime_usetime);
		fprintf(out, "\tcreated: %s  lastused: %s\n", t1, t2);
	}
	if (h)
		fprintf(out, "\tlifetime: %" PRIu64 "(s) validtime: %" PRIu64 "(s)\n",
			(uint64_t)h->sadb_lifetime_addtime,
			(uint64_t)h->sadb_lifetime_usetime);
	fprintf(out, "\tspid=%" PRIu32 " seq=%" PRIu32 " pid=%" PRIu32 "\n",
		xpl->sadb_x_policy_id, hdr->sadb_msg_seq, hdr->sadb_msg_pid);
	fprintf(out, "\trefcnt=%u\n", hdr->sadb_msg_reserved);
}
