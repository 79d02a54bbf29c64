// SPDX-License-Identifier: BSD-2-Clause
/*
 * The `interface` statement of a remote block: a kipsec interface
 * (route-based, docs/ipsec-interfaces.md) carries the block's child SAs,
 * and an optional { local ...; remote ...; } gives their selectors
 * instead of 0.0.0.0/0 and ::/0 (ike_kif.c, ikev1_kif.c use them).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "conf_int.h"
#include "conf_parse.h"

/* Linux's dev_valid_name(): 1 to 15 bytes, no '/', ':' or blank, not
 * "." or "..". */
static bool ifname_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= sizeof(((struct ikd_remote *)0)->ifname) ||
	    !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s) ||
		    !isprint((unsigned char)*s))
			return false;
	return true;
}

void cb_interface(struct ikd_cparse *p, const struct ikd_tok *kw,
		  const struct ikd_tok *v)
{
	if (!ifname_ok(v->v.s)) {
		ikd_cp_error(p, &v->pos, "interface \"%.40s\" is not a valid "
			     "interface name (1 to 15 characters, none of "
			     "'/', ':' or blanks)", v->v.s);
		return;
	}
	snprintf(p->remote->ifname, sizeof(p->remote->ifname), "%s", v->v.s);
	p->remote->ifname_pos = kw->pos;
}

static bool host_bits_clear(const struct ikd_prefix *pf)
{
	unsigned int bytes = ikd_addr_bits(pf->addr.family) / 8;

	for (unsigned int i = pf->plen / 8; i < bytes; i++) {
		uint8_t host = i == pf->plen / 8 ? 0xff >> (pf->plen % 8) : 0xff;

		if (pf->addr.bytes[i] & host)
			return false;
	}
	return true;
}

void cb_interface_side(struct ikd_cparse *p, const struct ikd_tok *kw)
{
	if (kw->tok == T_REMOTE || !strcmp(kw->v.s, "local")) {
		p->kif_side = kw->tok == T_REMOTE;
		return;
	}
	p->kif_side = -1;
	ikd_cp_error(p, &kw->pos, "an interface block has 'local' and "
		     "'remote' lines, not '%.40s'", kw->v.s);
}

void cb_interface_ts(struct ikd_cparse *p, const struct ikd_tok *addr,
		     const struct ikd_tok *plen)
{
	struct ikd_remote *r = p->remote;
	struct ikd_prefix *pf;
	unsigned int bits;
	int side = p->kif_side;

	if (side < 0)
		return;
	if (r->n_kif_ts[side] == IKD_KIF_MAX_TS) {
		ikd_cp_error(p, &addr->pos, "an interface takes at most %d "
			     "%s selectors", IKD_KIF_MAX_TS,
			     side ? "remote" : "local");
		return;
	}
	pf = &r->kif_ts[side][r->n_kif_ts[side]];
	if (!cv_addr(p, addr, &pf->addr))
		return;
	pf->addr.port = 0;
	bits = ikd_addr_bits(pf->addr.family);
	pf->plen = (uint8_t)bits;
	if (plen->tok) {
		if (plen->v.ovf || plen->v.n > bits) {
			ikd_cp_error(p, &plen->pos, "prefix length %s is more "
				     "than %u", plen->v.s + 1, bits);
			return;
		}
		pf->plen = (uint8_t)plen->v.n;
	}
	if (!host_bits_clear(pf)) {
		ikd_cp_error(p, &addr->pos, "%s/%u has bits set beyond its "
			     "prefix length", addr->v.s, pf->plen);
		return;
	}
	r->n_kif_ts[side]++;
}
