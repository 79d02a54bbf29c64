// SPDX-License-Identifier: BSD-2-Clause
/*
 * KAME policy strings -> sadb_x_policy blobs (ipsec_set_policy(3)).
 *
 *   policy   := dir [priority] [action [request...]]
 *   dir      := "in" | "out" | "fwd"
 *   priority := ("priority" | "prio") (["-"] N | base [("+" | "-") N])
 *   base     := "low" | "def" | "high"
 *   action   := "discard" | "none" | "ipsec" | "entrust" | "bypass"
 *   request  := proto "/" mode ["/" [addrs] ["/" [level]]]
 *   addrs    := addr "-" addr | "me-any" | "any-me"
 *   level    := ("default" | "use" | "require" | "unique") [(":" | "#") N]
 *
 * as ipsec-tools' policy_parse.y accepts it, hand-written so errors can
 * carry the byte offset setkey needs for file:line:column diagnostics.
 * Tokens are separated by optional whitespace, as in ipsec-tools' lexer.
 *
 * Priorities follow ipsec-tools: no priority means PFKEY_PRIORITY_DEFAULT,
 * "priority N" means DEFAULT - N (a positive N searches earlier), and
 * "prio high + N" means HIGH - N.
 */
#include <ctype.h>
#include <errno.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum tok_kind { T_END, T_WORD, T_SLASH, T_HYPHEN, T_PLUS, T_BAD };

struct tok {
	enum tok_kind kind;
	const char *s;
	size_t len;
	size_t off;		/* byte offset in the policy text */
};

/* Largest blob: header plus the maximum of IPv6 tunnel requests. */
#define REQ_MAX_BYTES	(sizeof(struct sadb_x_ipsecrequest) + \
			 2 * sizeof(struct sockaddr_in6))
#define BLOB_MAX	(sizeof(struct sadb_x_policy) + \
			 PFKEY_POLICY_MAX_REQUESTS * REQ_MAX_BYTES)

struct parser {
	const char *text;
	size_t len;
	size_t pos;
	struct tok cur;		/* one token of lookahead */
	size_t err_off;
	const char *err;
	uint8_t dir;
	uint8_t blob[BLOB_MAX];
	size_t blob_len;
	unsigned int nreq;
};

static bool word_char(char c)
{
	/* ipsec-tools' ipaddress class, plus '#' for our own "unique#N". */
	return isalnum((unsigned char)c) || c == ':' || c == '.' || c == '_' ||
	       c == '%' || c == '#';
}

static void advance(struct parser *ps)
{
	struct tok *t = &ps->cur;

	while (ps->pos < ps->len && strchr(" \t\r\n", ps->text[ps->pos]) &&
	       ps->text[ps->pos] != '\0')
		ps->pos++;
	t->off = ps->pos;
	t->s = ps->text + ps->pos;
	t->len = 0;
	if (ps->pos >= ps->len || ps->text[ps->pos] == '\0') {
		t->kind = T_END;
		return;
	}
	switch (ps->text[ps->pos]) {
	case '/':
		t->kind = T_SLASH;
		break;
	case '-':
		t->kind = T_HYPHEN;
		break;
	case '+':
		t->kind = T_PLUS;
		break;
	default:
		if (!word_char(ps->text[ps->pos])) {
			t->kind = T_BAD;
			return;
		}
		t->kind = T_WORD;
		while (ps->pos + t->len < ps->len &&
		       word_char(ps->text[ps->pos + t->len]))
			t->len++;
		ps->pos += t->len;
		return;
	}
	t->len = 1;
	ps->pos++;
}

static bool is(const struct tok *t, const char *word)
{
	return t->kind == T_WORD && strlen(word) == t->len &&
	       memcmp(t->s, word, t->len) == 0;
}

static int fail(struct parser *ps, size_t off, const char *msg)
{
	ps->err_off = off;
	ps->err = msg;
	return -1;
}

/* Error at the current token, or a clearer text if the input ended. */
static int fail_here(struct parser *ps, const char *msg, const char *at_end)
{
	return fail(ps, ps->cur.off, ps->cur.kind == T_END ? at_end : msg);
}

/* Decimal number within [0, max] from a whole word. */
static int number(const struct tok *t, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (t->kind != T_WORD || t->len == 0 || t->len > 10)
		return -1;
	for (size_t i = 0; i < t->len; i++) {
		if (!isdigit((unsigned char)t->s[i]))
			return -1;
		v = v * 10 + (uint64_t)(t->s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int parse_priority(struct parser *ps, uint32_t *prio)
{
	uint32_t n, base;
	size_t num_off;
	int64_t v;
	bool neg;

	advance(ps);
	/* "priority N" is N before the default, "priority -N" N after it. */
	neg = ps->cur.kind == T_HYPHEN;
	if (neg)
		advance(ps);
	if (neg || (ps->cur.kind == T_WORD &&
		    isdigit((unsigned char)ps->cur.s[0]))) {
		if (number(&ps->cur, 0x7fffffff, &n))
			return fail_here(ps, "priority offset out of range "
					 "[-2147483647, 2147483647]",
					 "missing priority value");
		*prio = neg ? PFKEY_PRIORITY_DEFAULT + n
			    : PFKEY_PRIORITY_DEFAULT - n;
		advance(ps);
		return 0;
	}
	if (is(&ps->cur, "low"))
		base = PFKEY_PRIORITY_LOW;
	else if (is(&ps->cur, "def") || is(&ps->cur, "default"))
		base = PFKEY_PRIORITY_DEFAULT;
	else if (is(&ps->cur, "high"))
		base = PFKEY_PRIORITY_HIGH;
	else
		return fail_here(ps, "priority must be a number or low, def "
				 "or high", "missing priority value");
	num_off = ps->cur.off;
	advance(ps);
	v = base;
	if (ps->cur.kind == T_PLUS || ps->cur.kind == T_HYPHEN) {
		bool plus = ps->cur.kind == T_PLUS;

		advance(ps);
		num_off = ps->cur.off;
		/* ipsec-tools' limits: + up to 2^30, - up to 2^30 - 1. */
		if (number(&ps->cur, plus ? 0x40000000 : 0x3fffffff, &n))
			return fail_here(ps, "priority offset out of range",
					 "missing priority offset");
		v = plus ? v - n : v + n;
		advance(ps);
	}
	/* 0 would print as no priority at all; keep the round trip exact. */
	if (v <= 0)
		return fail(ps, num_off, "priority out of range");
	*prio = (uint32_t)v;
	return 0;
}

static bool is_proto_word(const struct tok *t)
{
	return is(t, "esp") || is(t, "ah") || is(t, "ipcomp");
}

/* One address word into sa (zeroed, port 0); 0 or -1. */
static int parse_addr(const struct tok *t, struct sockaddr_storage *ss)
{
	char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	char *scope;

	memset(ss, 0, sizeof(*ss));
	if (t->kind != T_WORD || t->len >= sizeof(buf))
		return -1;
	memcpy(buf, t->s, t->len);
	buf[t->len] = '\0';
	scope = strchr(buf, '%');
	if (scope)
		*scope++ = '\0';
	if (!scope && inet_pton(AF_INET, buf, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, &sin6->sin6_addr) != 1)
		return -1;
	sin6->sin6_family = AF_INET6;
	if (scope) {
		uint32_t id;
		struct tok st = { .kind = T_WORD, .s = scope,
				  .len = strlen(scope) };

		/* Numeric scope ids keep the library pure; names are for
		 * people typing "fe80::1%eth0". */
		if (number(&st, UINT32_MAX, &id) == 0)
			sin6->sin6_scope_id = id;
		else if ((sin6->sin6_scope_id = if_nametoindex(scope)) == 0)
			return -1;
	}
	return 0;
}

static int parse_addresses(struct parser *ps, struct sockaddr_storage *src,
			   struct sockaddr_storage *dst, bool *have)
{
	struct tok first = ps->cur;

	advance(ps);
	if (ps->cur.kind != T_HYPHEN)
		return fail(ps, first.off, "expected src-dst addresses");
	advance(ps);
	if (is(&first, "me") && is(&ps->cur, "any")) {
		if (ps->dir != IPSEC_DIR_OUTBOUND)
			return fail(ps, first.off, "me-any is only valid for "
				    "out policies");
		advance(ps);
		return 0;
	}
	if (is(&first, "any") && is(&ps->cur, "me")) {
		if (ps->dir != IPSEC_DIR_INBOUND)
			return fail(ps, first.off, "any-me is only valid for "
				    "in policies");
		advance(ps);
		return 0;
	}
	if (parse_addr(&first, src))
		return fail(ps, first.off, "invalid IP address");
	if (parse_addr(&ps->cur, dst))
		return fail_here(ps, "invalid IP address",
				 "missing destination address");
	if (src->ss_family != dst->ss_family)
		return fail(ps, ps->cur.off, "address family mismatch between "
			    "src and dst");
	advance(ps);
	*have = true;
	return 0;
}

static int parse_level(struct parser *ps, uint8_t *level, uint32_t *reqid)
{
	static const char *const names[] = {
		[IPSEC_LEVEL_DEFAULT] = "default",
		[IPSEC_LEVEL_USE] = "use",
		[IPSEC_LEVEL_REQUIRE] = "require",
		[IPSEC_LEVEL_UNIQUE] = "unique",
	};
	struct tok name = ps->cur, id;

	/* The token is not NUL-terminated: scan only its own bytes. */
	for (name.len = 0; name.len < ps->cur.len; name.len++)
		if (name.s[name.len] == ':' || name.s[name.len] == '#')
			break;
	for (uint8_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!is(&name, names[i]))
			continue;
		*level = i;
		*reqid = 0;
		if (name.len < ps->cur.len) {
			/* "unique:N" as in KAME; "#N" and other levels
			 * so everything ipsec_dump_policy prints reads back. */
			id = ps->cur;
			id.s += name.len + 1;
			id.len -= name.len + 1;
			id.off += name.len + 1;
			if (number(&id, UINT32_MAX, reqid))
				return fail(ps, id.off, "invalid reqid");
		}
		advance(ps);
		return 0;
	}
	return fail(ps, ps->cur.off, "unknown ipsec level (default, use, "
		    "require or unique)");
}

static int emit_request(struct parser *ps, uint16_t proto, uint8_t mode,
			uint8_t level, uint32_t reqid,
			const struct sockaddr_storage *src,
			const struct sockaddr_storage *dst, bool have)
{
	size_t salen = have ? pfkey__family_salen(src->ss_family) : 0;
	struct sadb_x_ipsecrequest r = {
		.sadb_x_ipsecrequest_len = (uint16_t)(sizeof(r) + 2 * salen),
		.sadb_x_ipsecrequest_proto = proto,
		.sadb_x_ipsecrequest_mode = mode,
		.sadb_x_ipsecrequest_level = level,
		.sadb_x_ipsecrequest_reqid = reqid,
	};
	uint8_t *p = ps->blob + ps->blob_len;

	/* BLOB_MAX has room for PFKEY_POLICY_MAX_REQUESTS of the largest. */
	memcpy(p, &r, sizeof(r));
	if (salen) {
		memcpy(p + sizeof(r), src, salen);
		memcpy(p + sizeof(r) + salen, dst, salen);
	}
	ps->blob_len += r.sadb_x_ipsecrequest_len;
	return 0;
}

static int parse_request(struct parser *ps)
{
	struct sockaddr_storage src, dst;
	size_t start = ps->cur.off, mode_off;
	uint16_t proto;
	uint8_t mode, level = IPSEC_LEVEL_DEFAULT;
	uint32_t reqid = 0;
	bool have = false;

	if (is(&ps->cur, "esp"))
		proto = IPPROTO_ESP;
	else if (is(&ps->cur, "ah"))
		proto = IPPROTO_AH;
	else if (is(&ps->cur, "ipcomp"))
		proto = IPPROTO_COMP;
	else
		return fail(ps, ps->cur.off, "unknown ipsec protocol (esp, ah "
			    "or ipcomp)");
	if (++ps->nreq > PFKEY_POLICY_MAX_REQUESTS)
		return fail(ps, start, "too many ipsec requests");
	advance(ps);
	if (ps->cur.kind != T_SLASH)
		return fail(ps, ps->cur.off, "too few arguments: expected "
			    "/mode after the protocol");
	advance(ps);
	mode_off = ps->cur.off;
	if (is(&ps->cur, "transport"))
		mode = IPSEC_MODE_TRANSPORT;
	else if (is(&ps->cur, "tunnel"))
		mode = IPSEC_MODE_TUNNEL;
	else
		return fail_here(ps, "unknown ipsec mode (transport or "
				 "tunnel)", "too few arguments: missing mode");
	advance(ps);
	if (ps->cur.kind == T_SLASH) {
		advance(ps);
		if (ps->cur.kind == T_WORD && !is_proto_word(&ps->cur) &&
		    parse_addresses(ps, &src, &dst, &have))
			return -1;
		if (ps->cur.kind == T_SLASH) {
			advance(ps);
			if (ps->cur.kind == T_WORD && !is_proto_word(&ps->cur) &&
			    parse_level(ps, &level, &reqid))
				return -1;
		}
	}
	if (mode == IPSEC_MODE_TUNNEL && !have)
		return fail(ps, mode_off, "tunnel mode needs endpoint "
			    "addresses (proto/tunnel/src-dst/level)");
	return emit_request(ps, proto, mode, level, reqid, &src, &dst, have);
}

static int parse_policy(struct parser *ps)
{
	struct sadb_x_policy *xp = (struct sadb_x_policy *)ps->blob;
	uint32_t prio = PFKEY_PRIORITY_DEFAULT;
	uint16_t type;

	ps->blob_len = sizeof(*xp);
	advance(ps);
	if (is(&ps->cur, "in"))
		ps->dir = IPSEC_DIR_INBOUND;
	else if (is(&ps->cur, "out"))
		ps->dir = IPSEC_DIR_OUTBOUND;
	else if (is(&ps->cur, "fwd"))
		ps->dir = IPSEC_DIR_FWD;
	else
		return fail_here(ps, "invalid direction (in, out or fwd)",
				 "empty policy: expected in, out or fwd");
	advance(ps);
	if (ps->cur.kind == T_END) {
		/* Direction only, as ipsec-tools: a selector for spddelete. */
		xp->sadb_x_policy_dir = ps->dir;
		xp->sadb_x_policy_type = IPSEC_POLICY_DISCARD;
		xp->sadb_x_policy_priority = 0;
		return 0;
	}
	if ((is(&ps->cur, "priority") || is(&ps->cur, "prio")) &&
	    parse_priority(ps, &prio))
		return -1;
	if (is(&ps->cur, "discard"))
		type = IPSEC_POLICY_DISCARD;
	else if (is(&ps->cur, "none"))
		type = IPSEC_POLICY_NONE;
	else if (is(&ps->cur, "ipsec"))
		type = IPSEC_POLICY_IPSEC;
	else if (is(&ps->cur, "entrust"))
		type = IPSEC_POLICY_ENTRUST;
	else if (is(&ps->cur, "bypass"))
		type = IPSEC_POLICY_BYPASS;
	else
		return fail_here(ps, "invalid policy action (discard, none, "
				 "ipsec, entrust or bypass)",
				 "missing policy action");
	xp->sadb_x_policy_dir = ps->dir;
	xp->sadb_x_policy_type = type;
	xp->sadb_x_policy_priority = prio;
	advance(ps);
	if (type != IPSEC_POLICY_IPSEC && ps->cur.kind != T_END)
		return fail(ps, ps->cur.off, "unexpected text: requests are "
			    "only allowed after ipsec");
	while (ps->cur.kind != T_END)
		if (parse_request(ps))
			return -1;
	return 0;
}

char *pfkey_policy_parse(const char *text, size_t len, size_t *err_offset,
			 const char **err_text)
{
	struct parser *ps;
	struct sadb_x_policy *xp;
	char *out = NULL;

	if (err_offset)
		*err_offset = 0;
	if (err_text)
		*err_text = NULL;
	ps = calloc(1, sizeof(*ps));
	if (!ps) {
		pfkey__set_ipsec_error("no buffers available");
		if (err_text)
			*err_text = "no buffers available";
		return NULL;
	}
	ps->text = text ? text : "";
	ps->len = text ? len : 0;
	if (parse_policy(ps) == 0 && (out = malloc(ps->blob_len)) == NULL)
		fail(ps, 0, "no buffers available");
	if (out) {
		xp = (struct sadb_x_policy *)ps->blob;
		xp->sadb_x_policy_exttype = SADB_X_EXT_POLICY;
		xp->sadb_x_policy_len = (uint16_t)(ps->blob_len / PFKEY_UNIT);
		memcpy(out, ps->blob, ps->blob_len);
		pfkey__set_ipsec_error(NULL);
	} else {
		pfkey__set_ipsec_error(ps->err);
		if (err_offset)
			*err_offset = ps->err_off;
		if (err_text)
			*err_text = ps->err;
	}
	free(ps);
	return out;
}

char *ipsec_set_policy(const char *policy, int len)
{
	size_t n;

	if (!policy) {
		pfkey__set_ipsec_error("invalid argument");
		return NULL;
	}
	/* KAME ignores len and reads a C string; honour len as an upper
	 * bound but stop at a NUL either way. */
	n = len < 0 ? strlen(policy) : strnlen(policy, (size_t)len);
	return pfkey_policy_parse(policy, n, NULL, NULL);
}

int ipsec_get_policylen(const char *policy_blob)
{
	const struct sadb_x_policy *xp = (const void *)policy_blob;

	if (!xp) {
		pfkey__set_ipsec_error("invalid argument");
		return -1;
	}
	return (int)PFKEY_BYTES(xp->sadb_x_policy_len);
}
