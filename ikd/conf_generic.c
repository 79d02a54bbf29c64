// SPDX-License-Identifier: BSD-2-Clause
/*
 * The keywords of the grammar, and every racoon statement ikd accepts but
 * does not act on. Those are checked against the shapes racoon's grammar
 * (ipsec-tools 0.8 cfparse.y) gives them, so a typo in one is still an
 * error, and each gets one warning naming its line: nothing an admin
 * wrote is dropped silently. A statement no table knows is an error.
 */
#include <stdio.h>
#include <string.h>

#include "conf_int.h"
#include "conf_parse.h"

static const struct ikd_keyword keywords[] = {
	{ "path", T_PATH, KW_PATH, "at the top level" },
	{ "include", T_INCLUDE, KW_INCLUDE, "at the top level" },
	{ "log", T_LOG, KW_LOG, "at the top level" },
	{ "padding", T_PADDING, KW_PADDING, "at the top level" },
	{ "listen", T_LISTEN, KW_LISTEN, "at the top level" },
	{ "timer", T_TIMER, KW_TIMER, "at the top level" },
	{ "sainfo", T_SAINFO, KW_SAINFO, "at the top level" },
	{ "remote", T_REMOTE, KW_REMOTE, "at the top level" },
	{ "mode_cfg", T_MODE_CFG, KW_MODE_CFG,
	  "at the top level (mode_cfg { }) or in a remote block" },
	{ "randomize", T_PADKW, KW_RANDOMIZE, "in a padding block" },
	{ "randomize_length", T_PADKW, KW_RANDOMIZE_LENGTH,
	  "in a padding block" },
	{ "exclusive_tail", T_PADKW, KW_EXCLUSIVE_TAIL, "in a padding block" },
	{ "strict_check", T_PADKW, KW_STRICT_CHECK, "in a padding block" },
	{ "maximum_length", T_PADKW, KW_MAXIMUM_LENGTH, "in a padding block" },
	{ "isakmp", T_ISAKMP, KW_ISAKMP, "in a listen block" },
	{ "isakmp_natt", T_ISAKMP_NATT, KW_ISAKMP_NATT, "in a listen block" },
	{ "adminsock", T_ADMINSOCK, KW_ADMINSOCK, "in a listen block" },
	{ "strict_address", T_STRICT_ADDRESS, KW_STRICT_ADDRESS,
	  "in a listen block" },
	{ "cookie_threshold", T_LISTENKW, KW_COOKIE_THRESHOLD,
	  "in a listen block" },
	{ "half_open_per_source", T_LISTENKW, KW_HALF_OPEN_PER_SOURCE,
	  "in a listen block" },
	{ "counter", T_TIMERKW, KW_COUNTER, "in a timer block" },
	{ "persend", T_TIMERKW, KW_PERSEND, "in a timer block" },
	{ "interval", T_TIMERKW, KW_INTERVAL, "in a timer block" },
	{ "phase1", T_TIMERKW, KW_PHASE1, "in a timer block" },
	{ "phase2", T_TIMERKW, KW_PHASE2, "in a timer block" },
	{ "natt_keepalive", T_TIMERKW, KW_NATT_KEEPALIVE, "in a timer block" },
	{ "anonymous", T_ANONYMOUS, KW_ANONYMOUS, NULL },
	{ "clientaddr", T_CLIENTADDR, KW_CLIENTADDR, NULL },
	{ "from", T_FROM, KW_FROM, NULL },
	{ "group", T_GROUP, KW_GROUP, NULL },
	{ "pfs_group", T_PFS_GROUP, KW_PFS_GROUP, "in a sainfo block" },
	{ "remoteid", T_REMOTEID, KW_REMOTEID, "in a sainfo block" },
	{ "lifetime", T_LIFETIME, KW_LIFETIME,
	  "in a remote, proposal or sainfo block" },
	{ "my_identifier", T_MY_IDENTIFIER, KW_MY_IDENTIFIER,
	  "in a remote block" },
	{ "encryption_algorithm", T_ALGCLASS, KW_ENCRYPTION_ALGORITHM,
	  "in a proposal or sainfo block" },
	{ "authentication_algorithm", T_ALGCLASS, KW_AUTHENTICATION_ALGORITHM,
	  "in a sainfo block" },
	{ "compression_algorithm", T_ALGCLASS, KW_COMPRESSION_ALGORITHM,
	  "in a sainfo block" },
	{ "hash_algorithm", T_ALGCLASS, KW_HASH_ALGORITHM,
	  "in a proposal block" },
	{ "authentication_method", T_ALGCLASS, KW_AUTHENTICATION_METHOD,
	  "in a proposal block" },
	{ "inherit", T_INHERIT, KW_INHERIT, NULL },
	{ "remote_address", T_REMOTE_ADDRESS, KW_REMOTE_ADDRESS,
	  "in a remote block" },
	{ "exchange_mode", T_EXCHANGE_MODE, KW_EXCHANGE_MODE,
	  "in a remote block" },
	{ "peers_identifier", T_PEERS_IDENTIFIER, KW_PEERS_IDENTIFIER,
	  "in a remote block" },
	{ "xauth_login", T_XAUTH_LOGIN, KW_XAUTH_LOGIN, "in a remote block" },
	{ "interface", T_INTERFACE, KW_INTERFACE, "in a remote block" },
	{ "certificate_type", T_CERTIFICATE_TYPE, KW_CERTIFICATE_TYPE,
	  "in a remote block" },
	{ "peers_certfile", T_PEERS_CERTFILE, KW_PEERS_CERTFILE,
	  "in a remote block" },
	{ "ca_type", T_CA_TYPE, KW_CA_TYPE, "in a remote block" },
	{ "dh_group", T_DH_GROUP, KW_DH_GROUP, "in a proposal block" },
	{ "proposal", T_PROPOSAL, KW_PROPOSAL, "in a remote block" },
	{ "verify_identifier", T_RVALUE, KW_VERIFY_IDENTIFIER,
	  "in a remote block" },
	{ "verify_cert", T_RVALUE, KW_VERIFY_CERT, "in a remote block" },
	{ "send_cert", T_RVALUE, KW_SEND_CERT, "in a remote block" },
	{ "send_cr", T_RVALUE, KW_SEND_CR, "in a remote block" },
	{ "match_empty_cr", T_RVALUE, KW_MATCH_EMPTY_CR, "in a remote block" },
	{ "passive", T_RVALUE, KW_PASSIVE, "in a remote block" },
	{ "support_proxy", T_RVALUE, KW_SUPPORT_PROXY, "in a remote block" },
	{ "initial_contact", T_RVALUE, KW_INITIAL_CONTACT,
	  "in a remote block" },
	{ "dpd", T_RVALUE, KW_DPD, "in a remote block" },
	{ "weak_phase1_check", T_RVALUE, KW_WEAK_PHASE1_CHECK,
	  "in a remote block" },
	{ "ike_frag", T_RVALUE, KW_IKE_FRAG, "in a remote block" },
	{ "nat_traversal", T_RVALUE, KW_NAT_TRAVERSAL, "in a remote block" },
	{ "rekey", T_RVALUE, KW_REKEY, "in a remote block" },
	{ "generate_policy", T_RVALUE, KW_GENERATE_POLICY,
	  "in a remote block" },
	{ "proposal_check", T_RVALUE, KW_PROPOSAL_CHECK, "in a remote block" },
	{ "nonce_size", T_RVALUE, KW_NONCE_SIZE, "in a remote block" },
	{ "dpd_delay", T_RVALUE, KW_DPD_DELAY, "in a remote block" },
	{ "dpd_retry", T_RVALUE, KW_DPD_RETRY, "in a remote block" },
	{ "dpd_maxfail", T_RVALUE, KW_DPD_MAXFAIL, "in a remote block" },
	{ "ph1id", T_RVALUE, KW_PH1ID, "in a remote block" },
	{ "ike_version", T_RVALUE, KW_IKE_VERSION, "in a remote block" },
};

const struct ikd_keyword *ikd_keyword_find(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (keywords[i].name[0] == s[0] &&
		    !strncmp(keywords[i].name, s, len) &&
		    keywords[i].name[len] == '\0')
			return &keywords[i];
	return NULL;
}

const char *ikd_kw_name(enum ikd_kw kw)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (keywords[i].kw == kw)
			return keywords[i].name;
	return "?";
}

/* ------------------------------------------------------------------------
 * racoon statements ikd accepts with a warning
 *
 * A shape is a list of items separated by blanks: S a quoted string, N a
 * number, A an address, P an address with an optional /prefix, "x|y" one
 * of these words; a trailing ',' means "one or more, separated by commas".
 */
struct gdef {
	const char *name;
	const char *shape[2];	/* alternatives */
	const struct gdef *block;	/* statements of its { } block */
	const char *quiet;	/* arguments meaning what ikd does anyway */
	const char *why;	/* appended to the warning */
};

/* A statement ikd checks but does not act on (S: shapes). */
#define STMT(n, ...)	{ .name = (n), .shape = { __VA_ARGS__ } }
#define END		{ .name = NULL }

static const struct gdef privsep_defs[] = {
	STMT("user", "S", "N"),
	STMT("group", "S", "N"),
	STMT("chroot", "S"),
	END
};

static const struct gdef ldapcfg_defs[] = {
	STMT("version", "N"), STMT("debug", "on|off"), STMT("timeout", "N"),
	STMT("uri", "S"), STMT("host", "S"), STMT("port", "N"),
	STMT("base", "S"), STMT("subtree", "on|off"), STMT("bind_dn", "S"),
	STMT("bind_pw", "S"), STMT("attr_user", "S"), STMT("attr_addr", "S"),
	STMT("attr_mask", "S"), STMT("attr_group", "S"),
	STMT("attr_member", "S"),
	END
};

static const struct gdef radiuscfg_defs[] = {
	STMT("auth", "S S", "S N S"),
	STMT("acct", "S S", "S N S"),
	STMT("timeout", "N"),
	STMT("retries", "N"),
	END
};

static const struct gdef modecfg_defs[] = {
	STMT("network4", "A"), STMT("netmask4", "A"), STMT("dns4", "A,"),
	STMT("nbns4", "A,"), STMT("wins4", "A,"),
	STMT("default_domain", "S"),
	STMT("auth_source", "system|radius|pam|ldap"),
	STMT("auth_groups", "S,"), STMT("group_source", "system|ldap"),
	STMT("conf_source", "local|radius|ldap"),
	STMT("accounting", "none|system|radius|pam"),
	STMT("pool_size", "N"), STMT("banner", "S"),
	STMT("auth_throttle", "N"),
	STMT("split_network", "include|local_lan P,"),
	STMT("split_dns", "S,"), STMT("pfs_group", "N"),
	STMT("save_passwd", "on|off"),
	END
};

static const struct gdef top_defs[] = {
	{ .name = "privsep", .block = privsep_defs,
	  .why = "ikd has no privilege separation yet" },
	{ .name = "ldapcfg", .block = ldapcfg_defs,
	  .why = "ikd has no XAuth server" },
	{ .name = "radiuscfg", .block = radiuscfg_defs,
	  .why = "ikd has no XAuth server" },
	{ .name = "pfkey_buffer", .shape = { "N" },
	  .why = "libpfkey sizes its socket buffers itself" },
	{ .name = "gss_id_enc", .shape = { "latin1|utf-16le" },
	  .why = "ikd has no GSS-API authentication" },
	{ .name = "complex_bundle", .shape = { "on|off" },
	  .why = "ikd proposes bundles as racoon's default does" },
	END
};

static const struct gdef remote_defs[] = {
	{ .name = "doi", .shape = { "ipsec_doi" }, .quiet = "ipsec_doi" },
	{ .name = "situation", .shape = { "identity_only|secrecy|integrity" },
	  .quiet = "identity_only",
	  .why = "ikd always uses SIT_IDENTITY_ONLY" },
	{ .name = "esp_frag", .shape = { "N" },
	  .why = "the kernel does not fragment before ESP-in-UDP" },
	{ .name = "script", .shape = { "S phase1_up|phase1_down|phase1_dead" },
	  .why = "ikd runs no hook scripts" },
	END
};

static const struct gdef proposal_defs[] = {
	{ .name = "gss_id", .shape = { "S" },
	  .why = "ikd has no GSS-API authentication" },
	{ .name = "gssapi_id", .shape = { "S" },
	  .why = "ikd has no GSS-API authentication" },
	END
};

static const struct gdef empty_defs[] = { END };

static const struct {
	enum ikd_ctx ctx;
	const char *where;	/* "in a remote block" */
	const struct gdef *defs;
} contexts[] = {
	{ CTX_TOP, "at the top level", top_defs },
	{ CTX_REMOTE, "in a remote block", remote_defs },
	{ CTX_PROPOSAL, "in a proposal block", proposal_defs },
	{ CTX_PADDING, "in a padding block", empty_defs },
	{ CTX_LISTEN, "in a listen block", empty_defs },
	{ CTX_TIMER, "in a timer block", empty_defs },
	{ CTX_SAINFO, "in a sainfo block", empty_defs },
};

#define NCONTEXTS	(sizeof(contexts) / sizeof(contexts[0]))

static const struct gdef *find_def(const struct gdef *defs, const char *name)
{
	for (; defs && defs->name; defs++)
		if (!strcmp(defs->name, name))
			return defs;
	return NULL;
}

static bool word_in(const char *alts, const char *w)
{
	size_t n = strlen(w);

	for (const char *a = alts; *a;) {
		const char *bar = strchr(a, '|');
		size_t len = bar ? (size_t)(bar - a) : strlen(a);

		if (len == n && !memcmp(a, w, n))
			return true;
		if (!bar)
			break;
		a = bar + 1;
	}
	return false;
}

/* Does @t (and what follows it) fit one item? Advances *tp past it. */
static bool match_one(const struct ikd_tok **tp, const char *item,
		      size_t ilen)
{
	const struct ikd_tok *t = *tp;
	char alts[128];

	if (!t)
		return false;
	if (ilen == 1 && item[0] == 'S')
		return t->tok == T_STRING && (*tp = t->next, true);
	if (ilen == 1 && item[0] == 'N')
		return t->tok == T_NUMBER && !t->v.ovf && (*tp = t->next, true);
	if (ilen == 1 && (item[0] == 'A' || item[0] == 'P')) {
		struct ikd_addr a;

		if (t->tok != T_ADDR || ikd_addr_parse(&a, t->v.s) ||
		    strchr(t->v.s, '['))
			return false;
		t = t->next;
		if (item[0] == 'P' && t && t->tok == T_PREFIX) {
			if (t->v.ovf || t->v.n > ikd_addr_bits(a.family))
				return false;
			t = t->next;
		}
		*tp = t;
		return true;
	}
	if (ilen >= sizeof(alts) || !t->v.s || t->tok == T_STRING ||
	    t->tok == T_NUMBER || t->tok == T_ADDR)
		return false;
	memcpy(alts, item, ilen);
	alts[ilen] = '\0';
	return word_in(alts, t->v.s) && (*tp = t->next, true);
}

static bool match_shape(const struct ikd_tok *t, const char *shape)
{
	const char *s = shape;

	while (*s) {
		size_t len = strcspn(s, " ");
		bool list = s[len - 1] == ',';

		if (!match_one(&t, s, list ? len - 1 : len))
			return false;
		while (list && t && t->tok == ',') {
			t = t->next;
			if (!match_one(&t, s, len - 1))
				return false;
		}
		s += len;
		while (*s == ' ')
			s++;
	}
	return t == NULL;
}

/* "NAME ARGS;" as racoon.conf(5) writes the shape, for errors. */
static void usage(const struct gdef *g, char *buf, size_t len)
{
	size_t off = 0;

	for (int i = 0; i < 2 && g->shape[i] && off < len; i++) {
		const char *s = g->shape[i];

		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? " or " : "", g->name);
		while (*s && off < len) {
			size_t n = strcspn(s, " ");
			const char *what = NULL;
			bool list = s[n - 1] == ',';
			size_t wl = list ? n - 1 : n;

			if (wl == 1 && *s == 'S')
				what = "\"STRING\"";
			else if (wl == 1 && *s == 'N')
				what = "NUMBER";
			else if (wl == 1 && *s == 'A')
				what = "ADDRESS";
			else if (wl == 1 && *s == 'P')
				what = "ADDRESS/PREFIX";
			if (what)
				off += (size_t)snprintf(buf + off, len - off,
							" %s%s", what,
							list ? ", ..." : "");
			else
				off += (size_t)snprintf(buf + off, len - off,
							" %.*s%s", (int)wl, s,
							list ? ", ..." : "");
			s += n;
			while (*s == ' ')
				s++;
		}
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off, ";");
	}
}

static bool args_are(const struct ikd_tok *t, const char *words)
{
	return t && !t->next && t->v.s && word_in(words, t->v.s);
}

/* Checks one statement against its definition; true if it fits. */
static bool check_stmt(struct ikd_cparse *p, const struct gdef *g,
		       const struct ikd_gstmt *s)
{
	char u[256];
	bool ok = false;

	if (g->block && !s->block) {
		ikd_cp_error(p, &s->pos, "%s needs a { } block", s->name);
		return false;
	}
	if (!g->block && s->block) {
		ikd_cp_error(p, &s->pos, "%s takes no { } block", s->name);
		return false;
	}
	if (g->block) {
		if (s->args) {
			ikd_cp_error(p, &s->args->pos,
				     "unexpected '%s' after %s", s->args->v.s,
				     s->name);
			return false;
		}
		return true;
	}
	for (int i = 0; i < 2 && g->shape[i]; i++)
		ok = ok || match_shape(s->args, g->shape[i]);
	if (!ok) {
		usage(g, u, sizeof(u));
		ikd_cp_error(p, s->args ? &s->args->pos : &s->pos,
			     "bad %s statement (expected %s)", s->name, u);
	}
	return ok;
}

/* Where else a name is a statement, for "belongs in ..." hints. */
static const char *home_of(const char *name, enum ikd_ctx here)
{
	const struct ikd_keyword *k = ikd_keyword_find(name, strlen(name));

	if (k && k->home)
		return k->home;
	for (size_t i = 0; i < NCONTEXTS; i++)
		if (contexts[i].ctx != here && find_def(contexts[i].defs, name))
			return contexts[i].where;
	return NULL;
}

static void unknown(struct ikd_cparse *p, enum ikd_ctx ctx,
		    const struct ikd_gstmt *s)
{
	const char *home = home_of(s->name, ctx);

	if (home)
		ikd_cp_error(p, &s->pos, "%s is not allowed here: it belongs %s",
			     s->name, home);
	else
		ikd_cp_error(p, &s->pos, "unknown statement '%s'", s->name);
}

static void check_inner(struct ikd_cparse *p, const struct gdef *defs,
			const char *block, const struct ikd_gstmt *inner)
{
	for (const struct ikd_gstmt *s = inner; s; s = s->next) {
		const struct gdef *g = find_def(defs, s->name);

		if (!g)
			ikd_cp_error(p, &s->pos, "unknown statement '%s' in %s",
				     s->name, block);
		else
			check_stmt(p, g, s);
	}
}

void cb_generic(struct ikd_cparse *p, enum ikd_ctx ctx, struct ikd_gstmt *s)
{
	const struct gdef *defs = empty_defs, *g;
	char what[96];

	if (!s)
		return;
	for (size_t i = 0; i < NCONTEXTS; i++)
		if (contexts[i].ctx == ctx)
			defs = contexts[i].defs;
	g = find_def(defs, s->name);
	if (!g) {
		unknown(p, ctx, s);
		return;
	}
	if (!check_stmt(p, g, s))
		return;
	if (g->block)
		check_inner(p, g->block, s->name, s->inner);
	if (g->quiet && args_are(s->args, g->quiet))
		return;
	snprintf(what, sizeof(what), "%s%s%s", s->name,
		 g->block ? " { }" : "", "");
	if (g->why)
		ikd_cp_warn(p, &s->pos, "%s is accepted but has no effect in "
			    "ikd (%s)", what, g->why);
	else
		ikd_cp_noeffect(p, &s->pos, what);
}

void cb_modecfg_block(struct ikd_cparse *p, const struct ikd_tok *kw,
		      struct ikd_gstmt *inner)
{
	check_inner(p, modecfg_defs, "mode_cfg", inner);
	ikd_cp_warn(p, &kw->pos, "mode_cfg { } is accepted but has no effect "
		    "in ikd (ikd is no mode-config server)");
}

struct ikd_gstmt *cb_gstmt(struct ikd_cparse *p, const struct ikd_tok *name,
			   struct ikd_tok *args, bool block,
			   struct ikd_gstmt *inner)
{
	struct ikd_gstmt *s = ikd_cp_alloc(p, sizeof(*s));

	s->name = name->v.s ? name->v.s : "";
	s->pos = name->pos;
	s->args = args;
	s->block = block;
	s->inner = inner;
	return s;
}

struct ikd_gstmt *cb_gstmt_append(struct ikd_gstmt *list, struct ikd_gstmt *s)
{
	if (!list) {
		s->tail = s;
		return s;
	}
	list->tail->next = s;
	list->tail = s;
	return list;
}
