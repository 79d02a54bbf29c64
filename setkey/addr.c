// SPDX-License-Identifier: BSD-2-Clause
/*
 * Addresses, prefixes, ports and upper-layer protocols.
 *
 * Addresses are numeric only: setkey never resolves host names, so a
 * configuration loads the same way at boot before DNS works, and -n can
 * promise that it touches no network.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "setkey.h"

/*
 * Protocol names known without /etc/protocols, so that configurations and
 * dumps do not depend on the host's netbase.  Looked up first; anything
 * else goes to getprotobyname().
 */
static const struct {
	const char *name;
	uint8_t proto;
} builtin_protos[] = {
	{ "icmp", IPPROTO_ICMP },	{ "igmp", IPPROTO_IGMP },
	{ "ipencap", IPPROTO_IPIP },	{ "ip4", IPPROTO_IPIP },
	{ "tcp", IPPROTO_TCP },		{ "udp", IPPROTO_UDP },
	{ "ipv6", IPPROTO_IPV6 },	{ "gre", IPPROTO_GRE },
	{ "esp", IPPROTO_ESP },		{ "ah", IPPROTO_AH },
	{ "ipv6-icmp", IPPROTO_ICMPV6 }, { "icmp6", IPPROTO_ICMPV6 },
	{ "ipcomp", IPPROTO_COMP },	{ "sctp", IPPROTO_SCTP },
	{ "mobility-header", 135 },	{ "mh", 135 },
	{ "udplite", IPPROTO_UDPLITE },
};

int sk_proto_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(builtin_protos) / sizeof(builtin_protos[0]); i++)
		if (strcmp(builtin_protos[i].name, name) == 0)
			return builtin_protos[i].proto;

	struct protoent *pe = getprotobyname(name);
	int proto = pe ? pe->p_proto : -1;

	endprotoent();
	return proto >= 0 && proto <= 255 ? proto : -1;
}

const char *sk_proto_name(unsigned int proto, char *buf, size_t cap)
{
	if (proto == IPSEC_ULPROTO_ANY)
		return "any";
	/* The first builtin name for a number is the canonical one. */
	for (size_t i = 0; i < sizeof(builtin_protos) / sizeof(builtin_protos[0]); i++)
		if (builtin_protos[i].proto == proto)
			return builtin_protos[i].name;

	struct protoent *pe = getprotobynumber((int)proto);

	if (pe)
		snprintf(buf, cap, "%s", pe->p_name);
	else
		snprintf(buf, cap, "%u", proto);
	endprotoent();
	return buf;
}

static bool looks_like_name(const char *s)
{
	bool alpha = false;

	for (; *s; s++) {
		if (*s == ':')
			return false;
		if (isalpha((unsigned char)*s))
			alpha = true;
	}
	return alpha;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static int parse_numeric(struct sk_parser *p, const struct sk_token *t,
			 struct sk_addr *a)
{
	char text[INET6_ADDRSTRLEN + 16], shown[64];
	char *scope;

	sk_tok_show(t, shown, sizeof(shown));
	if (t->len >= sizeof(text)) {
		sk_diag(p->prog, t->pos, "'%s' is not a numeric IPv4 or IPv6 address",
			shown);
		return -1;
	}
	memcpy(text, t->text, t->len);
	text[t->len] = '\0';

	memset(a, 0, sizeof(*a));
	a->prefixlen = 0xff;
	scope = strchr(text, '%');
	if (scope)
		*scope++ = '\0';

	struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;

	if (!scope && inet_pton(AF_INET, text, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
	} else if (inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		if (scope) {
			unsigned long id = strtoul(scope, NULL, 10);

			if (!all_digits(scope) || id > UINT32_MAX) {
				sk_diag(p->prog, t->pos,
					"scope '%%%s' must be a numeric interface index (names are not looked up)",
					scope);
				return -1;
			}
			sin6->sin6_scope_id = (uint32_t)id;
		}
	} else if (looks_like_name(text)) {
		sk_diag(p->prog, t->pos,
			"'%s' is not a numeric address (setkey does not resolve host names)",
			shown);
		return -1;
	} else {
		sk_diag(p->prog, t->pos, "'%s' is not a valid IPv4 or IPv6 address",
			shown);
		return -1;
	}

	int fam = a->ss.ss_family;

	if (p->family != AF_UNSPEC && p->family != fam) {
		sk_diag(p->prog, t->pos, "'%s' is an IPv%c address, but %s was given",
			shown, fam == AF_INET ? '4' : '6',
			p->family == AF_INET ? "-4" : "-6");
		return -1;
	}
	return 0;
}

static int parse_prefix(struct sk_parser *p, struct sk_addr *a)
{
	const struct sk_token *t = sk_next(p);
	unsigned max = a->ss.ss_family == AF_INET ? 32 : 128;
	uint64_t v;

	if (t->kind != TK_WORD)
		return sk_unexpected(p, t, "a prefix length after '/'");
	char shown[64];

	sk_tok_show(t, shown, sizeof(shown));
	if (sk_parse_u32(t, UINT32_MAX, &v) < 0) {
		sk_diag(p->prog, t->pos, "'%s' is not a prefix length", shown);
		return -1;
	}
	if (v > max) {
		sk_diag(p->prog, t->pos,
			"prefix length %s is out of range for IPv%c (0-%u)", shown,
			max == 32 ? '4' : '6', max);
		return -1;
	}
	a->prefixlen = (uint8_t)v;
	return 0;
}

static int parse_port(struct sk_parser *p, struct sk_addr *a)
{
	const struct sk_token *t = sk_next(p);
	uint64_t v = 0;

	if (t->kind != TK_WORD)
		return sk_unexpected(p, t, "a port number or 'any' after '['");
	if (!sk_tok_is(t, "any") && sk_parse_u32(t, 65535, &v) < 0) {
		char shown[64];

		sk_diag(p->prog, t->pos,
			"'%s' is not a port (use a number 0-65535 or 'any')",
			sk_tok_show(t, shown, sizeof(shown)));
		return -1;
	}
	t = sk_next(p);
	if (t->kind != TK_RBRACK)
		return sk_unexpected(p, t, "']' after the port");

	uint16_t port = htons((uint16_t)v);

	if (a->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&a->ss)->sin_port = port;
	else
		((struct sockaddr_in6 *)&a->ss)->sin6_port = port;
	a->has_port = true;
	return 0;
}

/*
 * ADDRESS[[PORT|any]], and for selectors ADDRESS[/PREFIX][[PORT|any]].  role is
 * "source" or "destination", for messages.
 */
int sk_parse_addr(struct sk_parser *p, struct sk_addr *a, const char *role,
		  bool selector)
{
	const struct sk_token *t = sk_peek(p);
	char what[48];

	snprintf(what, sizeof(what), "a %s address", role);
	if (t->kind != TK_WORD || sk_is_command(t) ||
	    (t->len >= 2 && t->text[0] == '-' && !memchr(t->text, ':', t->len)))
		return sk_unexpected(p, t, what);
	sk_next(p);
	if (parse_numeric(p, t, a) < 0)
		return -1;

	t = sk_peek(p);
	if (t->kind == TK_SLASH) {
		if (!selector) {
			sk_diag(p->prog, t->pos,
				"a prefix length is only allowed in policy selectors (spdadd, spdupdate, spddelete)");
			return -1;
		}
		sk_next(p);
		if (parse_prefix(p, a) < 0)
			return -1;
		t = sk_peek(p);
	}
	/* SA statements check their ports against the SA type (parse.c). */
	if (t->kind == TK_LBRACK) {
		a->port_pos = t->pos;
		sk_next(p);
		if (parse_port(p, a) < 0)
			return -1;
	}
	return 0;
}

int sk_check_families(struct sk_parser *p, const struct sk_addr *src,
		      const struct sk_addr *dst, struct sk_pos dstpos)
{
	if (src->ss.ss_family == dst->ss.ss_family)
		return 0;
	sk_diag(p->prog, dstpos,
		"the source address is IPv%c but the destination is IPv%c",
		src->ss.ss_family == AF_INET ? '4' : '6',
		dst->ss.ss_family == AF_INET ? '4' : '6');
	return -1;
}

/* any | all | NAME (from /etc/protocols) | NUMBER */
int sk_parse_upper(struct sk_parser *p, uint8_t *proto)
{
	const struct sk_token *t = sk_peek(p);
	char name[64];
	uint64_t v;

	if (t->kind != TK_WORD || sk_tok_is(t, "-P") || sk_is_command(t))
		return sk_unexpected(p, t,
			"an upper-layer protocol (any, tcp, udp, icmp, a name from /etc/protocols or a number)");
	sk_next(p);
	sk_tok_show(t, name, sizeof(name));
	/* "all" is UnixWare's spelling of "any" (seed 004). */
	if (sk_tok_is(t, "any") || sk_tok_is(t, "all")) {
		*proto = IPSEC_ULPROTO_ANY;
		return 0;
	}
	if (isdigit((unsigned char)t->text[0])) {
		if (sk_parse_u32(t, 255, &v) < 0) {
			sk_diag(p->prog, t->pos,
				"upper-layer protocol number '%s' is out of range (0-255)",
				name);
			return -1;
		}
		*proto = (uint8_t)v;
		return 0;
	}

	int n = t->len < sizeof(name) ? sk_proto_by_name(name) : -1;

	if (n < 0) {
		sk_diag(p->prog, t->pos,
			"'%s' is not an upper-layer protocol (any, a name from /etc/protocols, or a number 0-255)",
			name);
		return -1;
	}
	*proto = (uint8_t)n;
	return 0;
}
