// SPDX-License-Identifier: BSD-2-Clause
/*
 * sainfo blocks (phase 2) and the lookup of the one that applies to a
 * negotiation, with racoon's precedence (sainfo.c: a block with remoteid
 * or "from" outranks one without, then each non-anonymous side counts;
 * the first in the file wins among equals). As in racoon, an id is an
 * exact value, not a filter: "address 10.0.0.0/24" matches a selector of
 * 10.0.0.0/24, not 10.0.0.0/25.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"
#include "conf_parse.h"

void ikd_sainfo_free(struct ikd_sainfo *s)
{
	if (!s)
		return;
	free(s->local.name);
	free(s->remote.name);
	ikd_id_clear(&s->from);
	free(s->encr);
	free(s->auth);
	free(s->comp);
	free(s);
}

void cb_sainfo_begin(struct ikd_cparse *p, const struct ikd_tok *kw)
{
	struct ikd_sainfo *s = ikd_cp_calloc(p, 1, sizeof(*s));

	s->pos = kw->pos;
	s->lifetime = IKD_P2_LIFETIME_DEFAULT;
	ikd_sainfo_free(p->sainfo);	/* one left open by a syntax error */
	p->sainfo = s;
	p->sainfo_errors = p->d->nerrors;
}

static const struct {
	const char *name;
	uint8_t proto;
} protos[] = {
	{ "any", 0 }, { "icmp", 1 }, { "tcp", 6 }, { "udp", 17 },
	{ "gre", 47 }, { "esp", 50 }, { "ah", 51 }, { "icmp6", 58 },
	{ "ipv6-icmp", 58 }, { "ipcomp", 108 },
};

static bool said_proto(struct ikd_cparse *p, const struct ikd_tok *t,
		       const struct ikd_tok *addr, struct ikd_said *out)
{
	if (t->tok == T_NUMBER) {
		if (t->v.ovf || t->v.n > 255) {
			ikd_cp_error(p, &t->pos, "protocol %s is out of range "
				     "(0-255)", t->v.s);
			return false;
		}
		/* 255 is PF_KEY's "any", as racoon's IPSEC_ULPROTO_ANY */
		out->proto = t->v.n == 255 ? 0 : (uint8_t)t->v.n;
		return true;
	}
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (!strcmp(protos[i].name, t->v.s)) {
			out->proto = protos[i].proto;
			return true;
		}
	if (!strcmp(t->v.s, "address") || !strcmp(t->v.s, "subnet")) {
		ikd_cp_error(p, &t->pos, "%s needs an upper-layer protocol "
			     "(any, tcp, udp, icmp, icmp6, ... or a number) "
			     "before '%s'", addr->v.s, t->v.s);
		/* The grammar took the next id's type for the protocol and
		 * trips on its address next: that is this same error. */
		p->quiet_syntax = true;
	} else
		ikd_cp_error(p, &t->pos, "unknown protocol '%s' (any, tcp, "
			     "udp, icmp, icmp6, gre, esp, ah, ipcomp or a "
			     "number)", t->v.s);
	return false;
}

/* TYPE ADDR[-ADDR][/PLEN] [PORT] PROTO */
static bool said_addr(struct ikd_cparse *p, const struct ikd_tok *t,
		      struct ikd_said *out)
{
	unsigned int bits;

	if (!cv_addr(p, &t[1], &out->addr))
		return false;
	bits = ikd_addr_bits(out->addr.family);
	out->kind = IKD_SAID_ADDR;
	out->plen = (uint8_t)bits;
	if (t[2].tok) {
		out->kind = IKD_SAID_RANGE;
		if (!cv_addr(p, &t[2], &out->addr_hi))
			return false;
		if (out->addr_hi.family != out->addr.family) {
			ikd_cp_error(p, &t[2].pos, "a range's ends must both be "
				     "IPv4 or both IPv6");
			return false;
		}
		if (memcmp(out->addr.bytes, out->addr_hi.bytes, bits / 8) > 0) {
			ikd_cp_error(p, &t[2].pos, "this range ends before it "
				     "starts (%s)", t[1].v.s);
			return false;
		}
		if (t[3].tok) {
			ikd_cp_error(p, &t[3].pos, "a range takes no prefix "
				     "length");
			return false;
		}
	}
	if (t[3].tok) {
		if (t[3].v.ovf || t[3].v.n > bits) {
			ikd_cp_error(p, &t[3].pos, "prefix length %s is more "
				     "than %u", t[3].v.s + 1, bits);
			return false;
		}
		out->plen = (uint8_t)t[3].v.n;
	}
	if (t[4].tok && !t[4].v.any) {
		if (t[4].v.ovf || t[4].v.n > 65535) {
			ikd_cp_error(p, &t[4].pos, "port %s is out of range "
				     "(0-65535)", t[4].v.s);
			return false;
		}
		out->addr.port = (uint16_t)t[4].v.n;
		out->addr_hi.port = out->addr.port;
	}
	if (!said_proto(p, &t[5], &t[1], out))
		return false;
	if ((out->proto == 1 || out->proto == 58) && out->addr.port) {
		ikd_cp_error(p, &t[4].pos, "with %s the port must be [any]",
			     t[5].v.s);
		return false;
	}
	if ((out->proto == 1 && out->addr.family == AF_INET6) ||
	    (out->proto == 58 && out->addr.family == AF_INET)) {
		ikd_cp_error(p, &t[5].pos, "%s does not go with an %s address",
			     t[5].v.s, out->addr.family == AF_INET ? "IPv4" :
			     "IPv6");
		return false;
	}
	return true;
}

void cb_sainfo_side(struct ikd_cparse *p, int side, const struct ikd_tok *id)
{
	struct ikd_said *out = side ? &p->sainfo->remote : &p->sainfo->local;
	const char *type = id->v.s;

	free(out->name);
	memset(out, 0, sizeof(*out));
	out->pos = id->pos;
	if (id->tok == T_ANONYMOUS)
		return;
	if (id->tok == T_CLIENTADDR) {
		out->kind = IKD_SAID_CLIENTADDR;
		return;
	}
	if (!strcmp(type, "address") || !strcmp(type, "subnet")) {
		if (id[1].tok != T_ADDR) {
			ikd_cp_error(p, &id[1].pos, "%s needs an address",
				     type);
			return;
		}
		out->subnet = type[0] == 's';
		if (!said_addr(p, id, out))
			out->kind = IKD_SAID_ANONYMOUS;
		return;
	}
	if (!strcmp(type, "fqdn") || !strcmp(type, "user_fqdn") ||
	    !strcmp(type, "keyid")) {
		if (id[1].tok != T_STRING || !*id[1].v.s) {
			ikd_cp_error(p, &id[1].pos, "%s needs a quoted value",
				     type);
			return;
		}
		out->kind = IKD_SAID_NAME;
		out->name_type = type[0] == 'f' ? IKD_ID_FQDN :
				 type[0] == 'u' ? IKD_ID_USER_FQDN :
				 IKD_ID_KEYID;
		out->name = ikd_cp_strdup(p, id[1].v.s);
		return;
	}
	if (!strcmp(type, "asn1dn"))
		ikd_cp_error(p, &id->pos, "asn1dn cannot be a sainfo id");
	else
		ikd_cp_error(p, &id->pos, "unknown sainfo id type '%s' "
			     "(address, subnet, fqdn, user_fqdn or keyid)",
			     type);
}

void cb_sainfo_from(struct ikd_cparse *p, const struct ikd_tok *kw,
		    const struct ikd_tok *id)
{
	struct ikd_id v;

	if (!cv_id(p, id, false, &v))
		return;
	if (!v.value) {
		ikd_cp_error(p, &id[0].pos, "from %s needs the peer's value",
			     id[0].v.s);
		return;
	}
	v.pos = kw->pos;
	/* Error recovery can bring a second one into this block. */
	ikd_id_clear(&p->sainfo->from);
	p->sainfo->from = v;
}

void cb_sainfo_group(struct ikd_cparse *p, const struct ikd_tok *kw)
{
	ikd_cp_warn(p, &kw->pos, "sainfo ... group is accepted but has no "
		    "effect in ikd (ikd has no XAuth server)");
}

void cb_sainfo_pfs(struct ikd_cparse *p, const struct ikd_tok *kw,
		   const struct ikd_tok *v)
{
	unsigned int g;

	if (!cv_dh(p, v, &g))
		return;
	p->sainfo->pfs_group = g;
	p->sainfo->pfs_group_pos = kw->pos;
}

void cb_sainfo_remoteid(struct ikd_cparse *p, const struct ikd_tok *kw,
			const struct ikd_tok *n)
{
	if (cv_u32(p, n, 0, UINT32_MAX, "remoteid", &p->sainfo->remoteid))
		p->sainfo->remoteid_pos = kw->pos;
}

void cb_sainfo_algs(struct ikd_cparse *p, const struct ikd_tok *kw,
		    const struct ikd_tok *list)
{
	struct ikd_sainfo *s = p->sainfo;
	enum ikd_kw k = kw->v.kw;
	struct ikd_alg **v;
	size_t *n;

	switch (k) {
	case KW_ENCRYPTION_ALGORITHM:
		v = &s->encr;
		n = &s->n_encr;
		break;
	case KW_AUTHENTICATION_ALGORITHM:
		v = &s->auth;
		n = &s->n_auth;
		break;
	case KW_COMPRESSION_ALGORITHM:
		v = &s->comp;
		n = &s->n_comp;
		break;
	default:
		ikd_cp_error(p, &kw->pos, "%s belongs in a proposal block",
			     ikd_kw_name(k));
		return;
	}
	for (const struct ikd_tok *t = list; t; t = t->next) {
		static const struct ikd_tok none = { .v.s = "" };
		const struct ikd_tok *name = t, *klen = &none;
		struct ikd_alg a;

		if (t->next && t->next->tok == T_NUMBER) {
			klen = t->next;
			t = t->next;
		}
		if (!cv_alg(p, k, false, name, klen, &a))
			continue;
		for (size_t i = 0; i < *n; i++)
			if ((*v)[i].id == a.id && (*v)[i].keylen == a.keylen)
				ikd_cp_warn(p, &a.pos, "this algorithm is "
					    "listed already");
		*(struct ikd_alg *)ikd_cp_push(p, (void **)v, n,
					       sizeof(**v)) = a;
	}
}

void cb_sainfo_my_identifier(struct ikd_cparse *p, const struct ikd_tok *kw)
{
	ikd_cp_warn(p, &kw->pos, "my_identifier in sainfo is accepted but has "
		    "no effect in ikd (phase 2 ids come from the policy)");
}

static bool said_eq(const struct ikd_said *a, const struct ikd_said *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case IKD_SAID_NAME:
		return a->name_type == b->name_type &&
		       !strcmp(a->name, b->name);
	case IKD_SAID_ADDR:
	case IKD_SAID_RANGE:
		return ikd_addr_eq(&a->addr, &b->addr) &&
		       ikd_addr_eq(&a->addr_hi, &b->addr_hi) &&
		       a->plen == b->plen && a->proto == b->proto;
	default:
		return true;
	}
}

static bool id_eq(const struct ikd_id *a, const struct ikd_id *b)
{
	if (a->type != b->type)
		return false;
	if (a->type == IKD_ID_NONE)
		return true;
	if (a->type == IKD_ID_ADDRESS && a->value && b->value)
		return ikd_addr_eq_noport(&a->addr, &b->addr);
	return a->value && b->value && !strcmp(a->value, b->value);
}

static void check_duplicate(struct ikd_cparse *p, const struct ikd_sainfo *s)
{
	for (const struct ikd_sainfo *o = p->conf->sainfos; o; o = o->next) {
		if (!said_eq(&o->local, &s->local) ||
		    !said_eq(&o->remote, &s->remote) ||
		    !id_eq(&o->from, &s->from) || o->remoteid != s->remoteid)
			continue;
		/* racoon refuses these only when the local id is given. */
		if (s->local.kind == IKD_SAID_ANONYMOUS)
			ikd_cp_warn(p, &s->pos, "this sainfo is never used: the "
				    "one at %s:%u:%u has the same ids",
				    o->pos.file, o->pos.line, o->pos.col);
		else
			ikd_cp_error(p, &s->pos, "a sainfo with these ids is "
				     "defined already at %s:%u:%u",
				     o->pos.file, o->pos.line, o->pos.col);
		return;
	}
}

void cb_sainfo_end(struct ikd_cparse *p)
{
	struct ikd_sainfo *s = p->sainfo;
	bool aead;

	if (!s)
		return;
	if (p->d->nerrors != p->sainfo_errors)
		goto link;
	aead = s->n_encr > 0;
	for (size_t i = 0; i < s->n_encr; i++)
		aead &= ikd_encr_is_aead(s->encr[i].id);
	if (!s->n_encr)
		ikd_cp_error(p, &s->pos, "this sainfo needs encryption_algorithm");
	if (!s->n_auth && !aead)
		ikd_cp_error(p, &s->pos, "this sainfo needs "
			     "authentication_algorithm (non_auth for none)");
	if ((s->local.kind == IKD_SAID_ADDR || s->local.kind == IKD_SAID_RANGE) &&
	    (s->remote.kind == IKD_SAID_ADDR ||
	     s->remote.kind == IKD_SAID_RANGE) &&
	    s->local.addr.family != s->remote.addr.family)
		ikd_cp_error(p, &s->remote.pos, "the local id is %s and the "
			     "remote id %s: a sainfo's ids must be of one "
			     "address family",
			     s->local.addr.family == AF_INET ? "IPv4" : "IPv6",
			     s->remote.addr.family == AF_INET ? "IPv4" : "IPv6");
	check_duplicate(p, s);
link:
	*p->sainfo_tail = s;
	p->sainfo_tail = &s->next;
	p->sainfo = NULL;
}

/* ------------------------------------------------------------------------
 * Lookup
 */

/* Does one side of a selector match a sainfo id? */
static bool said_match(const struct ikd_said *id, const struct ikd_addr *a,
		       unsigned int plen, uint8_t proto,
		       const struct ikd_addr *client)
{
	unsigned int bits = a->family ? ikd_addr_bits(a->family) : 0;

	switch (id->kind) {
	case IKD_SAID_ANONYMOUS:
		return true;
	case IKD_SAID_CLIENTADDR:
		return client && plen == bits && ikd_addr_eq_noport(a, client);
	case IKD_SAID_NAME:
		return false;
	case IKD_SAID_RANGE: {
		struct ikd_addr last = *a;

		if (a->family != id->addr.family || plen > bits)
			return false;
		for (unsigned int i = plen; i < bits; i++)
			last.bytes[i / 8] |= (uint8_t)(0x80 >> (i % 8));
		if (!ikd_addr_eq_noport(a, &id->addr) ||
		    !ikd_addr_eq_noport(&last, &id->addr_hi))
			return false;
		break;
	}
	default:
		if (!ikd_addr_eq_noport(a, &id->addr) || plen != id->plen)
			return false;
		break;
	}
	if (id->addr.port && id->addr.port != a->port)
		return false;
	return !id->proto || id->proto == proto;
}

static bool from_match(const struct ikd_id *from, const struct ikd_id *peer)
{
	if (from->type == IKD_ID_NONE)
		return true;
	return peer && id_eq(from, peer);
}

const struct ikd_sainfo *ikd_conf_find_sainfo(const struct ikd_conf *c,
					      const struct ikd_sel *sel,
					      const struct ikd_id *peer_id,
					      const struct ikd_addr *client,
					      uint32_t remoteid)
{
	const struct ikd_sainfo *best = NULL;
	int best_score = -1;

	for (const struct ikd_sainfo *s = c->sainfos; s; s = s->next) {
		int score;

		if (s->remoteid != remoteid || !from_match(&s->from, peer_id) ||
		    !said_match(&s->local, &sel->src, sel->src_plen,
				sel->proto, NULL) ||
		    !said_match(&s->remote, &sel->dst, sel->dst_plen,
				sel->proto, client))
			continue;
		score = (s->remoteid ? 3 : 0) +
			(s->from.type != IKD_ID_NONE ? 3 : 0) +
			(s->local.kind != IKD_SAID_ANONYMOUS) +
			(s->remote.kind != IKD_SAID_ANONYMOUS);
		if (score > best_score) {
			best = s;
			best_score = score;
		}
	}
	return best;
}

static void said_str(const struct ikd_said *id, char *buf, size_t len)
{
	char a[IKD_ADDR_STRLEN], b[IKD_ADDR_STRLEN], port[16] = "";

	switch (id->kind) {
	case IKD_SAID_ANONYMOUS:
		snprintf(buf, len, "anonymous");
		return;
	case IKD_SAID_CLIENTADDR:
		snprintf(buf, len, "clientaddr");
		return;
	case IKD_SAID_NAME:
		snprintf(buf, len, "%s \"%s\"", id->name_type == IKD_ID_FQDN ?
			 "fqdn" : id->name_type == IKD_ID_USER_FQDN ?
			 "user_fqdn" : "keyid", id->name);
		return;
	default:
		break;
	}
	snprintf(port, sizeof(port), id->addr.port ? "[%u]" : "[any]",
		 id->addr.port);
	ikd_addr_str(&id->addr, false, a);
	if (id->kind == IKD_SAID_RANGE)
		snprintf(buf, len, "address %s-%s%s %u", a,
			 ikd_addr_str(&id->addr_hi, false, b), port, id->proto);
	else
		snprintf(buf, len, "%s %s/%u%s %u", id->subnet ? "subnet" :
			 "address", a, id->plen, port, id->proto);
}

const char *ikd_sainfo_str(const struct ikd_sainfo *s, char *buf, size_t len)
{
	char l[96], r[96];

	said_str(&s->local, l, sizeof(l));
	if (s->local.kind == IKD_SAID_ANONYMOUS &&
	    s->remote.kind == IKD_SAID_ANONYMOUS)
		snprintf(buf, len, "anonymous");
	else
		snprintf(buf, len, "%s %s", l,
			 (said_str(&s->remote, r, sizeof(r)), r));
	return buf;
}
