// SPDX-License-Identifier: BSD-2-Clause
/*
 * remote blocks and their proposals (phase 1).
 *
 * Inheritance follows racoon: a block that inherits starts as a copy of
 * its parent, which must come earlier in the file, and overrides what it
 * writes; lists (peers_identifier, proposal) are appended to, except
 * exchange_mode which is replaced. What selects the block (its name, its
 * address, anonymous) is its own. Checks that need the whole block run at
 * its '}', so every error keeps the position of the statement at fault.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"
#include "conf_parse.h"

/* racoon's defaults (remoteconf.c newrmconf()). */
static void remote_defaults(struct ikd_remote *r)
{
	r->my_id.type = IKD_ID_ADDRESS;
	r->nonce_size = IKD_NONCE_SIZE_DEFAULT;
	r->initial_contact = true;
	r->proposal_check = IKD_PCHECK_STRICT;
	r->verify_cert = true;
	r->send_cert = true;
	r->send_cr = true;
	r->dpd = true;
	r->dpd_retry = IKD_DPD_RETRY_DEFAULT;
	r->dpd_maxfail = IKD_DPD_MAXFAIL_DEFAULT;
	r->rekey = IKD_ON;
	r->lifetime = IKD_P1_LIFETIME_DEFAULT;
}

/* Frees what a block owns but its name, and zeroes those fields. */
static void remote_clear(struct ikd_remote *r)
{
	ikd_id_clear(&r->my_id);
	for (size_t i = 0; i < r->n_peers_id; i++)
		ikd_id_clear(&r->peers_id[i]);
	free(r->peers_id);
	free(r->xauth_login);
	free(r->cert_file);
	free(r->key_file);
	free(r->cert_path);
	free(r->key_path);
	free(r->peers_cert_file);
	free(r->peers_cert_path);
	free(r->ca_file);
	free(r->ca_path);
	free(r->proposal);
	r->peers_id = NULL;
	r->n_peers_id = 0;
	r->xauth_login = r->cert_file = r->key_file = NULL;
	r->cert_path = r->key_path = NULL;
	r->peers_cert_file = r->peers_cert_path = NULL;
	r->ca_file = r->ca_path = NULL;
	r->proposal = NULL;
	r->n_proposal = 0;
}

void ikd_remote_free(struct ikd_remote *r)
{
	if (!r)
		return;
	remote_clear(r);
	free(r->name);
	free(r);
}

void cb_remote_begin(struct ikd_cparse *p, const struct ikd_tok *kw)
{
	struct ikd_remote *r = ikd_cp_calloc(p, 1, sizeof(*r));

	remote_defaults(r);
	r->pos = kw->pos;
	ikd_remote_free(p->remote);	/* one left open by a syntax error */
	p->remote = r;
	p->remote_xmode = false;
	p->remote_errors = p->d->nerrors;
}

void cb_remote_head(struct ikd_cparse *p, const struct ikd_tok *v,
		    const struct ikd_tok *port)
{
	struct ikd_remote *r = p->remote;

	switch (v->tok) {
	case T_STRING:
		if (!*v->v.s)
			ikd_cp_error(p, &v->pos, "a remote block's name must "
				     "not be empty");
		free(r->name);
		r->name = ikd_cp_strdup(p, v->v.s);
		break;
	case T_ANONYMOUS:
		r->anonymous = true;
		if (port->tok) {
			struct ikd_tok any = *v;

			/* A port alone: check it as one of 0.0.0.0. */
			any.tok = T_ADDR;
			any.v.s = "0.0.0.0";
			if (cv_addr_port(p, &any, port, &r->addr))
				r->addr.family = 0;
			r->addr_pos = port->pos;
		}
		break;
	default:
		cv_addr_port(p, v, port, &r->addr);
		r->addr_pos = v->pos;
		break;
	}
}

static bool same_selector(const struct ikd_remote *a,
			  const struct ikd_remote *b)
{
	if (a->name || b->name)
		return a->name && b->name && !strcmp(a->name, b->name);
	if (a->anonymous || b->anonymous)
		return a->anonymous && b->anonymous &&
		       a->addr.port == b->addr.port;
	return ikd_addr_eq(&a->addr, &b->addr);
}

static const struct ikd_remote *find_parent(struct ikd_cparse *p,
					    const struct ikd_remote *want)
{
	const struct ikd_remote *loose = NULL;

	for (const struct ikd_remote *r = p->conf->remotes; r; r = r->next) {
		if (same_selector(r, want))
			return r;
		/* "inherit 192.0.2.1" also finds "remote 192.0.2.1 [500]" */
		if (!want->name && !want->anonymous && !r->name &&
		    !r->anonymous && !want->addr.port &&
		    ikd_addr_eq_noport(&r->addr, &want->addr) && !loose)
			loose = r;
	}
	return loose;
}

static void copy_settings(struct ikd_cparse *p, struct ikd_remote *dst,
			  const struct ikd_remote *src)
{
	struct ikd_remote keep;

	remote_clear(dst);
	keep = *dst;
	*dst = *src;
	/* What selects a block is its own. */
	dst->next = NULL;
	dst->pos = keep.pos;
	dst->name = keep.name;
	dst->anonymous = keep.anonymous;
	dst->addr = keep.addr;
	dst->addr_pos = keep.addr_pos;
	dst->inherit_pos = keep.inherit_pos;

	ikd_id_copy(p, &dst->my_id, &src->my_id);
	dst->peers_id = NULL;
	dst->n_peers_id = 0;
	for (size_t i = 0; i < src->n_peers_id; i++) {
		struct ikd_id *id = ikd_cp_push(p, (void **)&dst->peers_id,
						&dst->n_peers_id,
						sizeof(*id));

		ikd_id_copy(p, id, &src->peers_id[i]);
	}
	dst->xauth_login = ikd_cp_strdup(p, src->xauth_login);
	dst->cert_file = ikd_cp_strdup(p, src->cert_file);
	dst->key_file = ikd_cp_strdup(p, src->key_file);
	dst->peers_cert_file = ikd_cp_strdup(p, src->peers_cert_file);
	dst->ca_file = ikd_cp_strdup(p, src->ca_file);
	dst->cert_path = dst->key_path = NULL;
	dst->peers_cert_path = dst->ca_path = NULL;
	dst->proposal = NULL;
	dst->n_proposal = 0;
	if (src->n_proposal) {
		dst->proposal = ikd_cp_calloc(p, src->n_proposal,
					      sizeof(*src->proposal));
		memcpy(dst->proposal, src->proposal,
		       src->n_proposal * sizeof(*src->proposal));
		dst->n_proposal = src->n_proposal;
	}
}

void cb_remote_inherit(struct ikd_cparse *p, const struct ikd_tok *kw,
		       const struct ikd_tok *v, const struct ikd_tok *port)
{
	struct ikd_remote want = { 0 };
	const struct ikd_remote *parent;
	char buf[IKD_ADDR_STRLEN + 8];

	p->remote->inherit_pos = kw->pos;
	if (v->tok == T_STRING)
		want.name = (char *)v->v.s;
	else if (v->tok == T_ANONYMOUS)
		want.anonymous = true;
	else if (!cv_addr(p, v, &want.addr))
		return;
	if (port->tok) {
		if (port->v.any || port->v.ovf || port->v.n > 65535) {
			ikd_cp_error(p, &port->pos, "port %s is out of range "
				     "(0-65535)", port->v.s);
			return;
		}
		want.addr.port = (uint16_t)port->v.n;
	}
	parent = find_parent(p, &want);
	if (!parent) {
		ikd_cp_error(p, &v->pos, "no earlier remote block %s to inherit "
			     "from", ikd_remote_str(&want, buf, sizeof(buf)));
		return;
	}
	copy_settings(p, p->remote, parent);
}

void cb_remote_address(struct ikd_cparse *p, const struct ikd_tok *kw,
		       const struct ikd_tok *addr, const struct ikd_tok *port)
{
	struct ikd_remote *r = p->remote;
	struct ikd_addr a;

	if (!cv_addr_port(p, addr, port, &a))
		return;
	if (r->addr.family || r->anonymous) {
		ikd_cp_error(p, &kw->pos, "remote_address is for a remote block "
			     "with a name; this one is selected by %s already",
			     r->anonymous ? "anonymous" : "its address");
		return;
	}
	r->addr = a;
	r->addr_pos = kw->pos;
}

void cb_exchange_mode(struct ikd_cparse *p, const struct ikd_tok *kw,
		      const struct ikd_tok *words)
{
	struct ikd_remote *r = p->remote;
	enum ikd_exchange_mode m[IKD_MAX_XMODES];
	unsigned int n = 0;

	for (const struct ikd_tok *w = words; w; w = w->next) {
		enum ikd_exchange_mode x;

		if (!strcmp(w->v.s, "main"))
			x = IKD_XMODE_MAIN;
		else if (!strcmp(w->v.s, "aggressive"))
			x = IKD_XMODE_AGGRESSIVE;
		else if (!strcmp(w->v.s, "base"))
			x = IKD_XMODE_BASE;
		else {
			ikd_cp_error(p, &w->pos, "unknown exchange mode '%s' "
				     "(main, aggressive or base)", w->v.s);
			return;
		}
		for (unsigned int i = 0; i < n; i++)
			if (m[i] == x) {
				ikd_cp_error(p, &w->pos, "%s is listed twice",
					     w->v.s);
				return;
			}
		m[n++] = x;
	}
	memcpy(r->xmode, m, sizeof(m));
	r->n_xmode = n;
	r->xmode_pos = kw->pos;
	p->remote_xmode = true;
}

/* The one-value statements of a remote block. */
enum vkind { V_SWITCH, V_TRI, V_GENPOL, V_PCHECK, V_NUM };

static const struct {
	enum ikd_kw kw;
	enum vkind kind;
	size_t off, pos;
	uint32_t min, max;
} rvalues[] = {
#define B(k, f) { k, V_SWITCH, offsetof(struct ikd_remote, f), \
		  offsetof(struct ikd_remote, f##_pos), 0, 0 }
#define T(k, f) { k, V_TRI, offsetof(struct ikd_remote, f), \
		  offsetof(struct ikd_remote, f##_pos), 0, 0 }
#define N(k, f, lo, hi) { k, V_NUM, offsetof(struct ikd_remote, f), \
		  offsetof(struct ikd_remote, f##_pos), lo, hi }
	B(KW_VERIFY_IDENTIFIER, verify_identifier),
	B(KW_VERIFY_CERT, verify_cert),
	B(KW_SEND_CERT, send_cert),
	B(KW_SEND_CR, send_cr),
	B(KW_MATCH_EMPTY_CR, match_empty_cr),
	B(KW_PASSIVE, passive),
	B(KW_SUPPORT_PROXY, support_proxy),
	B(KW_INITIAL_CONTACT, initial_contact),
	B(KW_DPD, dpd),
	B(KW_WEAK_PHASE1_CHECK, weak_phase1_check),
	B(KW_MODE_CFG, mode_cfg),
	T(KW_IKE_FRAG, ike_frag),
	T(KW_NAT_TRAVERSAL, nat_traversal),
	T(KW_REKEY, rekey),
	{ KW_GENERATE_POLICY, V_GENPOL,
	  offsetof(struct ikd_remote, generate_policy),
	  offsetof(struct ikd_remote, generate_policy_pos), 0, 0 },
	{ KW_PROPOSAL_CHECK, V_PCHECK,
	  offsetof(struct ikd_remote, proposal_check),
	  offsetof(struct ikd_remote, proposal_check_pos), 0, 0 },
	/* RFC 2409 5: nonces of 8 to 256 bytes */
	N(KW_NONCE_SIZE, nonce_size, 8, 256),
	N(KW_DPD_DELAY, dpd_delay, 0, UINT32_MAX),
	N(KW_DPD_RETRY, dpd_retry, 1, UINT32_MAX),
	N(KW_DPD_MAXFAIL, dpd_maxfail, 0, UINT32_MAX),
	N(KW_PH1ID, ph1id, 0, UINT32_MAX),
	N(KW_IKE_VERSION, ike_version, 1, 2),
#undef B
#undef T
#undef N
};

static bool word_of(struct ikd_cparse *p, const struct ikd_tok *v,
		    const char *const *words, size_t n, const char *expect,
		    int *out)
{
	for (size_t i = 0; i < n; i++)
		if (v->tok == T_WORD && words[i] && !strcmp(words[i], v->v.s)) {
			*out = (int)i;
			return true;
		}
	ikd_cp_error(p, &v->pos, "expected %s, found '%s'", expect, v->v.s);
	return false;
}

void cb_remote_value(struct ikd_cparse *p, const struct ikd_tok *kw,
		     const struct ikd_tok *v)
{
	static const char *const tri[] = { "off", "on", "force" };
	static const char *const genpol[] = { "off", "on", "unique",
					      "require" };
	static const char *const pcheck[] = { "obey", "strict", "claim",
					      "exact" };
	const char *name = ikd_kw_name(kw->v.kw);
	char *r = (char *)p->remote;
	size_t i;
	bool b;
	int w;
	uint32_t n;

	for (i = 0; i < sizeof(rvalues) / sizeof(rvalues[0]); i++)
		if (rvalues[i].kw == (enum ikd_kw)kw->v.kw)
			break;
	if (i == sizeof(rvalues) / sizeof(rvalues[0]))
		return;
	switch (rvalues[i].kind) {
	case V_SWITCH:
		if (!cv_switch(p, v, &b))
			return;
		*(bool *)(r + rvalues[i].off) = b;
		break;
	case V_TRI:
		if (!word_of(p, v, tri, 3, "on, off or force", &w))
			return;
		*(enum ikd_tristate *)(r + rvalues[i].off) = w;
		break;
	case V_GENPOL:
		if (!word_of(p, v, genpol, 4, "on, off, require or unique", &w))
			return;
		*(enum ikd_generate_policy *)(r + rvalues[i].off) =
			w == 3 ? IKD_GENPOL_REQUIRE : (enum ikd_generate_policy)w;
		break;
	case V_PCHECK:
		if (!word_of(p, v, pcheck, 4, "obey, strict, claim or exact",
			     &w))
			return;
		*(enum ikd_proposal_check *)(r + rvalues[i].off) = w;
		break;
	case V_NUM:
		if (!cv_u32(p, v, rvalues[i].min, rvalues[i].max, name, &n))
			return;
		if (kw->v.kw == KW_NONCE_SIZE || kw->v.kw == KW_IKE_VERSION)
			*(unsigned int *)(r + rvalues[i].off) = n;
		else
			*(uint32_t *)(r + rvalues[i].off) = n;
		break;
	}
	*(struct ikd_pos *)(r + rvalues[i].pos) = kw->pos;
}

void cb_my_identifier(struct ikd_cparse *p, const struct ikd_tok *kw,
		      const struct ikd_tok *id)
{
	struct ikd_id v;

	if (!cv_id(p, id, false, &v))
		return;
	v.pos = kw->pos;
	ikd_id_clear(&p->remote->my_id);
	p->remote->my_id = v;
}

void cb_peers_identifier(struct ikd_cparse *p, const struct ikd_tok *kw,
			 const struct ikd_tok *id)
{
	struct ikd_remote *r = p->remote;
	struct ikd_id v, *slot;

	if (!cv_id(p, id, true, &v))
		return;
	v.pos = kw->pos;
	slot = ikd_cp_push(p, (void **)&r->peers_id, &r->n_peers_id,
			   sizeof(*slot));
	*slot = v;
}

void cb_xauth_login(struct ikd_cparse *p, const struct ikd_tok *kw,
		    const struct ikd_tok *v)
{
	if (!v->tok || !*v->v.s) {
		ikd_cp_error(p, &kw->pos, "xauth_login needs a login");
		return;
	}
	free(p->remote->xauth_login);
	p->remote->xauth_login = ikd_cp_strdup(p, v->v.s);
	p->remote->xauth_login_pos = kw->pos;
}

/* A file name of certificate_type, peers_certfile or ca_type. */
static bool file_arg(struct ikd_cparse *p, const struct ikd_tok *kw,
		     const struct ikd_tok *f, const char *what)
{
	if (f->tok == T_STRING && *f->v.s)
		return true;
	ikd_cp_error(p, f->tok ? &f->pos : &kw->pos, "%s needs a quoted "
		     "file name", what);
	return false;
}

void cb_certificate_type(struct ikd_cparse *p, const struct ikd_tok *kw,
			 const struct ikd_tok *type, const struct ikd_tok *f1,
			 const struct ikd_tok *f2)
{
	struct ikd_remote *r = p->remote;

	if (!strcmp(type->v.s, "plain_rsa")) {
		if (f2->tok)
			ikd_cp_error(p, &f2->pos, "certificate_type plain_rsa "
				     "takes one file");
		else
			ikd_cp_warn(p, &kw->pos, "certificate_type plain_rsa "
				    "is accepted but has no effect in ikd "
				    "(ikd reads no plainrsa-gen keys; use "
				    "x509)");
		return;
	}
	if (strcmp(type->v.s, "x509")) {
		ikd_cp_error(p, &type->pos, "unknown certificate type '%s' "
			     "(x509 or plain_rsa)", type->v.s);
		return;
	}
	if (!file_arg(p, kw, f1, "certificate_type x509") ||
	    !file_arg(p, kw, f2, "certificate_type x509's private key"))
		return;
	free(r->cert_file);
	free(r->key_file);
	r->cert_file = ikd_cp_strdup(p, f1->v.s);
	r->key_file = ikd_cp_strdup(p, f2->v.s);
	r->cert_pos = kw->pos;
}

void cb_peers_certfile(struct ikd_cparse *p, const struct ikd_tok *kw,
		       const struct ikd_tok *type, const struct ikd_tok *f)
{
	struct ikd_remote *r = p->remote;
	const char *t = type->tok ? type->v.s : "x509";

	if (!strcmp(t, "dnssec") || !strcmp(t, "plain_rsa")) {
		if (t[0] == 'd' && f->tok)
			ikd_cp_error(p, &f->pos, "peers_certfile dnssec takes "
				     "no file");
		else
			ikd_cp_warn(p, &kw->pos, "peers_certfile %s is accepted "
				    "but has no effect in ikd (%s)", t,
				    t[0] == 'd' ? "ikd fetches no certificates "
				    "from DNS" : "ikd reads no plainrsa-gen "
				    "keys; use x509");
		return;
	}
	if (strcmp(t, "x509")) {
		ikd_cp_error(p, &type->pos, "unknown peers_certfile type '%s' "
			     "(x509, plain_rsa or dnssec)", t);
		return;
	}
	if (!file_arg(p, kw, f, "peers_certfile"))
		return;
	free(r->peers_cert_file);
	r->peers_cert_file = ikd_cp_strdup(p, f->v.s);
	r->peers_cert_pos = kw->pos;
}

void cb_ca_type(struct ikd_cparse *p, const struct ikd_tok *kw,
		const struct ikd_tok *type, const struct ikd_tok *f)
{
	struct ikd_remote *r = p->remote;

	if (strcmp(type->v.s, "x509")) {
		ikd_cp_error(p, &type->pos, "unknown ca_type '%s' (x509)",
			     type->v.s);
		return;
	}
	if (!file_arg(p, kw, f, "ca_type x509"))
		return;
	free(r->ca_file);
	r->ca_file = ikd_cp_strdup(p, f->v.s);
	r->ca_pos = kw->pos;
}

void cb_remote_dh_group(struct ikd_cparse *p, const struct ikd_tok *kw)
{
	ikd_cp_error(p, &kw->pos, "dh_group goes in a proposal block, not "
		     "directly in remote");
}

/* ------------------------------------------------------------------------
 * proposal
 */
void cb_proposal_begin(struct ikd_cparse *p, const struct ikd_tok *kw)
{
	struct ikd_remote *r = p->remote;

	p->prop = ikd_cp_push(p, (void **)&r->proposal, &r->n_proposal,
			      sizeof(*p->prop));
	p->prop->pos = kw->pos;
	p->prop_errors = p->d->nerrors;
}

void cb_proposal_alg(struct ikd_cparse *p, const struct ikd_tok *kw,
		     const struct ikd_tok *name, const struct ikd_tok *keylen)
{
	struct ikd_p1_proposal *pr = p->prop;
	enum ikd_kw k = kw->v.kw;
	struct ikd_alg a;

	if (k == KW_AUTHENTICATION_ALGORITHM || k == KW_COMPRESSION_ALGORITHM) {
		ikd_cp_error(p, &kw->pos, "%s belongs in a sainfo block",
			     ikd_kw_name(k));
		return;
	}
	if (!cv_alg(p, k, true, name, keylen, &a))
		return;
	a.pos = kw->pos;
	if (k == KW_ENCRYPTION_ALGORITHM) {
		pr->encr = a;
	} else if (k == KW_HASH_ALGORITHM) {
		pr->hash = a.id;
		pr->hash_pos = kw->pos;
	} else {
		pr->auth_method = a.id;
		pr->auth_method_pos = kw->pos;
	}
}

void cb_proposal_dh(struct ikd_cparse *p, const struct ikd_tok *kw,
		    const struct ikd_tok *v)
{
	unsigned int g;

	if (!cv_dh(p, v, &g))
		return;
	p->prop->dh_group = g;
	p->prop->dh_group_pos = kw->pos;
}

void cb_proposal_end(struct ikd_cparse *p)
{
	const struct ikd_p1_proposal *pr = p->prop;
	const char *miss[4];
	int n = 0;

	/* A statement with a bad value is reported already. */
	if (p->d->nerrors != p->prop_errors) {
		p->prop = NULL;
		return;
	}
	if (!pr->encr.pos.line)
		miss[n++] = "encryption_algorithm";
	if (!pr->hash_pos.line)
		miss[n++] = "hash_algorithm";
	if (!pr->auth_method_pos.line)
		miss[n++] = "authentication_method";
	if (!pr->dh_group_pos.line)
		miss[n++] = "dh_group";
	if (n)
		ikd_cp_error(p, &pr->pos, "this proposal needs %s%s%s%s%s%s%s",
			     miss[0], n > 2 ? ", " : n > 1 ? " and " : "",
			     n > 1 ? miss[1] : "",
			     n > 3 ? ", " : n > 2 ? " and " : "",
			     n > 2 ? miss[2] : "", n > 3 ? " and " : "",
			     n > 3 ? miss[3] : "");
	p->prop = NULL;
}

/* ------------------------------------------------------------------------
 * The end of a block: what only the whole block can tell.
 */
static void check_version(struct ikd_cparse *p, struct ikd_remote *r,
			  const char *name)
{
	if (!r->ike_version_pos.line) {
		if (!r->n_xmode) {
			ikd_cp_error(p, &r->pos, "remote %s needs exchange_mode "
				     "(IKEv1) or ike_version 2", name);
			return;
		}
		r->ike_version = IKD_IKEV1;
	} else if (r->ike_version == IKD_IKEV1 && !r->n_xmode) {
		ikd_cp_error(p, &r->ike_version_pos, "ike_version 1 needs "
			     "exchange_mode");
	} else if (r->ike_version == IKD_IKEV2) {
		if (p->remote_xmode)
			ikd_cp_warn(p, &r->xmode_pos, "exchange_mode has no "
				    "effect with ike_version 2");
		if (r->nonce_size < 16)
			ikd_cp_error(p, r->nonce_size_pos.line ?
				     &r->nonce_size_pos : &r->ike_version_pos,
				     "IKEv2 nonces are at least 16 bytes "
				     "(RFC 7296 2.10)");
	}
}

static void check_proposals(struct ikd_cparse *p, struct ikd_remote *r,
			    const char *name)
{
	bool aggressive = false, rsasig = false;

	if (!r->n_proposal) {
		ikd_cp_error(p, &r->pos, "remote %s has no proposal", name);
		return;
	}
	for (unsigned int i = 0; i < r->n_xmode; i++)
		aggressive |= r->xmode[i] == IKD_XMODE_AGGRESSIVE &&
			      r->ike_version == IKD_IKEV1;
	for (size_t i = 0; i < r->n_proposal; i++) {
		const struct ikd_p1_proposal *pr = &r->proposal[i];

		rsasig |= pr->auth_method == IKD_AUTH_RSA_SIG;
		/* Aggressive mode sends its KE before choosing a proposal. */
		if (aggressive && i && pr->dh_group && r->proposal[0].dh_group &&
		    pr->dh_group != r->proposal[0].dh_group)
			ikd_cp_error(p, &pr->dh_group_pos, "with aggressive "
				     "mode every proposal needs the same "
				     "dh_group (%u, as at %s:%u:%u)",
				     r->proposal[0].dh_group,
				     r->proposal[0].dh_group_pos.file,
				     r->proposal[0].dh_group_pos.line,
				     r->proposal[0].dh_group_pos.col);
	}
	if (rsasig && !r->cert_file)
		ikd_cp_error(p, &r->pos, "remote %s authenticates with rsasig "
			     "but has no certificate_type x509", name);
}

void cb_remote_end(struct ikd_cparse *p, const struct ikd_tok *end)
{
	struct ikd_remote *r = p->remote;
	char name[IKD_ADDR_STRLEN + 64];

	if (!r)
		return;
	ikd_remote_str(r, name, sizeof(name));
	/* A block with errors is checked as a whole once they are fixed:
	 * its missing parts may be the statements at fault. */
	if (p->d->nerrors != p->remote_errors)
		goto link;
	if (end->tok == ';' && !r->inherit_pos.line) {
		ikd_cp_error(p, &end->pos, "remote %s needs a { } block (only "
			     "a block that inherits may end with ';')", name);
		goto link;
	}
	if (r->my_id.type == IKD_ID_ASN1DN && !r->my_id.value && !r->cert_file)
		ikd_cp_error(p, &r->my_id.pos, "my_identifier asn1dn without "
			     "a DN takes the certificate's subject: add "
			     "certificate_type x509 or write the DN");
	check_version(p, r, name);
	check_proposals(p, r, name);
	for (const struct ikd_remote *o = p->conf->remotes; o; o = o->next) {
		char addr[IKD_ADDR_STRLEN];

		if (r->name && o->name && !strcmp(r->name, o->name)) {
			ikd_cp_error(p, &r->pos, "remote %s is defined already "
				     "at %s:%u:%u", name, o->pos.file,
				     o->pos.line, o->pos.col);
			break;
		}
		if ((r->addr.family && ikd_addr_eq(&r->addr, &o->addr)) ||
		    (r->anonymous && o->anonymous &&
		     r->addr.port == o->addr.port)) {
			ikd_cp_error(p, &r->pos, "a remote block for %s is "
				     "defined already at %s:%u:%u",
				     r->anonymous ? "anonymous peers" :
				     ikd_addr_str(&r->addr, r->addr.port != 0,
						  addr),
				     o->pos.file, o->pos.line, o->pos.col);
			break;
		}
	}
link:
	*p->remote_tail = r;
	p->remote_tail = &r->next;
	p->remote = NULL;
}
