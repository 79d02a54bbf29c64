// SPDX-License-Identifier: BSD-2-Clause
/*
 * Values at the boundary: every word, number, address and identity of the
 * file is checked here, where its position is known, and turned into the
 * model's types. Each function reports its own error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"
#include "conf_parse.h"

bool cv_switch(struct ikd_cparse *p, const struct ikd_tok *w, bool *out)
{
	if (w->tok == T_WORD && !strcmp(w->v.s, "on"))
		*out = true;
	else if (w->tok == T_WORD && !strcmp(w->v.s, "off"))
		*out = false;
	else {
		ikd_cp_error(p, &w->pos, "expected on or off, found '%s'",
			     w->v.s);
		return false;
	}
	return true;
}

bool cv_u32(struct ikd_cparse *p, const struct ikd_tok *n, uint32_t min,
	    uint32_t max, const char *what, uint32_t *out)
{
	if (n->tok != T_NUMBER) {
		ikd_cp_error(p, &n->pos, "%s must be a number, not '%s'", what,
			     n->v.s);
		return false;
	}
	if (n->v.ovf || n->v.n < min || n->v.n > max) {
		ikd_cp_error(p, &n->pos, "%s must be between %u and %u, not %s",
			     what, min, max, n->v.s);
		return false;
	}
	*out = (uint32_t)n->v.n;
	return true;
}

static const struct {
	const char *name;
	uint64_t mult;
	bool bytes;
} units[] = {
	{ "sec", 1, false }, { "secs", 1, false }, { "second", 1, false },
	{ "seconds", 1, false }, { "min", 60, false }, { "mins", 60, false },
	{ "minute", 60, false }, { "minutes", 60, false },
	{ "hour", 3600, false }, { "hours", 3600, false },
	{ "B", 1, true }, { "byte", 1, true }, { "bytes", 1, true },
	{ "KB", 1ull << 10, true }, { "MB", 1ull << 20, true },
	{ "GB", 1ull << 30, true }, { "TB", 1ull << 40, true },
};

/* N UNIT as a count of the unit's base; false after reporting. */
static bool scaled(struct ikd_cparse *p, const struct ikd_tok *n,
		   const struct ikd_tok *unit, bool bytes, uint64_t max,
		   uint64_t *out)
{
	const char *kind = bytes ? "a byte unit (B, KB, MB, GB)" :
				   "a time unit (sec, min, hour)";
	uint64_t mult = 0;

	if (!unit->tok) {
		ikd_cp_error(p, &unit->pos, "%s needs %s after it", n->v.s,
			     kind);
		return false;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (units[i].bytes == bytes && !strcmp(units[i].name, unit->v.s))
			mult = units[i].mult;
	if (!mult) {
		ikd_cp_error(p, &unit->pos, "expected %s, found '%s'", kind,
			     unit->v.s);
		return false;
	}
	if (n->v.ovf || n->v.n > max / mult) {
		ikd_cp_error(p, &n->pos, "%s %s is too long (at most %llu %s)",
			     n->v.s, unit->v.s, (unsigned long long)max,
			     bytes ? "bytes" : "seconds");
		return false;
	}
	*out = n->v.n * mult;
	return true;
}

bool cv_time(struct ikd_cparse *p, const struct ikd_tok *n,
	     const struct ikd_tok *unit, uint32_t *secs)
{
	uint64_t v;

	if (!scaled(p, n, unit, false, UINT32_MAX, &v))
		return false;
	*secs = (uint32_t)v;
	return true;
}

bool cv_bytes(struct ikd_cparse *p, const struct ikd_tok *n,
	      const struct ikd_tok *unit, uint64_t *bytes)
{
	if (!scaled(p, n, unit, true, UINT64_MAX, bytes))
		return false;
	/* IKEv1 carries byte lifetimes in kilobytes (RFC 2407 4.5). */
	if (*bytes < 1024) {
		ikd_cp_error(p, &n->pos, "a byte lifetime must be at least 1 KB");
		return false;
	}
	return true;
}

bool cv_addr(struct ikd_cparse *p, const struct ikd_tok *a,
	     struct ikd_addr *out)
{
	const char *s = a->v.s;

	if (a->tok != T_ADDR && a->tok != T_STRING) {
		ikd_cp_error(p, &a->pos, "expected an address, found '%s'", s);
		return false;
	}
	if (strchr(s, '%')) {
		ikd_cp_error(p, &a->pos, "%s: scoped addresses (%%zone) are not "
			     "supported", s);
		return false;
	}
	if (strchr(s, '[') || ikd_addr_parse(out, s)) {
		ikd_cp_error(p, &a->pos, "'%s' is not an IPv4 or IPv6 address",
			     s);
		return false;
	}
	return true;
}

bool cv_addr_port(struct ikd_cparse *p, const struct ikd_tok *a,
		  const struct ikd_tok *port, struct ikd_addr *out)
{
	if (!cv_addr(p, a, out))
		return false;
	if (!port->tok)
		return true;
	if (port->v.any) {
		ikd_cp_error(p, &port->pos, "[any] is only for sainfo; leave "
			     "the port out instead");
		return false;
	}
	if (port->v.ovf || port->v.n > 65535) {
		ikd_cp_error(p, &port->pos, "port %s is out of range (0-65535)",
			     port->v.s);
		return false;
	}
	out->port = (uint16_t)port->v.n;
	return true;
}

/* ------------------------------------------------------------------------
 * Identities
 */
static const struct {
	const char *name;
	enum ikd_id_type type;
} id_types[] = {
	{ "address", IKD_ID_ADDRESS }, { "fqdn", IKD_ID_FQDN },
	{ "user_fqdn", IKD_ID_USER_FQDN }, { "keyid", IKD_ID_KEYID },
	{ "asn1dn", IKD_ID_ASN1DN },
};

void ikd_id_clear(struct ikd_id *id)
{
	free(id->value);
	memset(id, 0, sizeof(*id));
}

bool ikd_id_copy(struct ikd_cparse *p, struct ikd_id *dst,
		 const struct ikd_id *src)
{
	*dst = *src;
	dst->value = NULL;
	if (src->value && !(dst->value = ikd_cp_strdup(p, src->value)))
		return false;
	return true;
}

static bool id_value(struct ikd_cparse *p, const struct ikd_tok *t,
		     const struct ikd_tok *val, bool peers, struct ikd_id *out)
{
	const char *type = t->v.s, *v = val->tok ? val->v.s : NULL;

	switch (out->type) {
	case IKD_ID_ADDRESS:
		if (!v)
			return true;
		if (!cv_addr(p, val, &out->addr))
			return false;
		break;
	case IKD_ID_FQDN:
	case IKD_ID_USER_FQDN:
	case IKD_ID_KEYID:
		if (!v || !*v || val->tok != T_STRING) {
			ikd_cp_error(p, v ? &val->pos : &t->pos, "%s needs a "
				     "quoted value", type);
			return false;
		}
		if (out->type == IKD_ID_USER_FQDN && !strchr(v, '@'))
			ikd_cp_warn(p, &val->pos, "user_fqdn \"%s\" has no '@' "
				    "(user@domain)", v);
		break;
	case IKD_ID_ASN1DN:
		if (!v)
			return true;
		if (val->tok != T_STRING || !strchr(v, '=')) {
			ikd_cp_error(p, &val->pos, "asn1dn needs a quoted "
				     "distinguished name like \"C=XX, O=Org, "
				     "CN=name\"%s", peers ? " ('*' matches any "
				     "value)" : "");
			return false;
		}
		break;
	default:
		return false;
	}
	out->value = ikd_cp_strdup(p, v);
	return out->value != NULL;
}

bool cv_id(struct ikd_cparse *p, const struct ikd_tok *t, bool peers,
	   struct ikd_id *out)
{
	const struct ikd_tok *qual = &t[1], *val = &t[2];

	memset(out, 0, sizeof(*out));
	out->pos = t[0].pos;
	for (size_t i = 0; i < sizeof(id_types) / sizeof(id_types[0]); i++)
		if (!strcmp(id_types[i].name, t[0].v.s))
			out->type = id_types[i].type;
	if (out->type == IKD_ID_NONE) {
		ikd_cp_error(p, &t[0].pos, "unknown identifier type '%s' "
			     "(address, fqdn, user_fqdn, keyid or asn1dn)",
			     t[0].v.s);
		return false;
	}
	if (qual->tok) {
		if (out->type != IKD_ID_KEYID) {
			ikd_cp_error(p, &qual->pos, "unexpected '%s': only "
				     "keyid takes a qualifier (file or tag)",
				     qual->v.s);
			return false;
		}
		if (strcmp(qual->v.s, "file") && strcmp(qual->v.s, "tag")) {
			ikd_cp_error(p, &qual->pos, "keyid's qualifier is file "
				     "or tag, not '%s'", qual->v.s);
			return false;
		}
	}
	/* racoon reads "keyid VALUE" from a file, like "keyid file". */
	out->key_file = out->type == IKD_ID_KEYID &&
			!(qual->tok && !strcmp(qual->v.s, "tag"));
	return id_value(p, &t[0], val, peers, out);
}
