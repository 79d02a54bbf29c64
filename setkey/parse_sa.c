// SPDX-License-Identifier: BSD-2-Clause
/*
 * SA parts of statements: SA type, SPI, options, algorithms and keys.
 * Every check that can be made without the kernel is made here, so that a
 * file with a wrong key length never half-loads.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/udp.h>

#include "setkey.h"

static bool is_option(const struct sk_token *t)
{
	return t->kind == TK_WORD && t->len >= 2 && t->text[0] == '-' &&
	       !isdigit((unsigned char)t->text[1]);
}

int sk_parse_satype(struct sk_parser *p, struct sk_stmt *st, bool optional)
{
	const struct sk_token *t = sk_peek(p);
	char name[64];

	if (optional && t->kind == TK_SEMI) {
		st->satype = SADB_SATYPE_UNSPEC;
		return 0;
	}
	if (t->kind != TK_WORD || sk_is_command(t) || is_option(t))
		return sk_unexpected(p, t, optional ?
				     "an SA type (esp, ah or ipcomp) or ';'" :
				     "an SA type (esp, ah or ipcomp)");
	sk_next(p);
	sk_tok_show(t, name, sizeof(name));
	if (strcmp(name, "esp") == 0) {
		st->satype = SADB_SATYPE_ESP;
	} else if (strcmp(name, "ah") == 0) {
		st->satype = SADB_SATYPE_AH;
	} else if (strcmp(name, "ipcomp") == 0) {
		st->satype = SADB_X_SATYPE_IPCOMP;
	} else if (strcmp(name, "esp-old") == 0) {
		sk_diag(p->prog, t->pos,
			"esp-old: RFC 1827 SAs are not supported by Linux PF_KEY");
		return -1;
	} else if (strcmp(name, "ah-old") == 0) {
		sk_diag(p->prog, t->pos,
			"ah-old: RFC 1826 SAs are not supported by Linux PF_KEY");
		return -1;
	} else if (strcmp(name, "tcp") == 0) {
		sk_diag(p->prog, t->pos,
			"tcp: TCP-MD5 signature SAs (RFC 2385) are not supported by Linux PF_KEY");
		return -1;
	} else if (strcmp(name, "esp-udp") == 0) {
		/* ipsec-tools: ESP in UDP (RFC 3948), ports from SRC[P] DST[P] */
		st->satype = SADB_SATYPE_ESP;
		st->natt_type = UDP_ENCAP_ESPINUDP;
	} else {
		sk_diag(p->prog, t->pos,
			"'%s' is not an SA type (expected esp, ah or ipcomp)", name);
		return -1;
	}
	return 0;
}

static int check_spi(struct sk_parser *p, const struct sk_stmt *st,
		     const struct sk_token *t, uint64_t v)
{
	if (st->satype == SADB_X_SATYPE_IPCOMP) {
		if (v == 0 || v > 0xffff) {
			sk_diag(p->prog, t->pos,
				"an IPComp CPI is 16 bits and not 0: %llu is outside 1-65535",
				(unsigned long long)v);
			return -1;
		}
	} else if (st->satype != SADB_SATYPE_UNSPEC && v < 256) {
		sk_diag(p->prog, t->pos,
			"SPI %llu is reserved: SPIs 0-255 are never used for SAs (RFC 4303); use 256 or more",
			(unsigned long long)v);
		return -1;
	}
	return 0;
}

int sk_parse_spi(struct sk_parser *p, struct sk_stmt *st)
{
	const struct sk_token *t = sk_peek(p);
	uint64_t v;
	char shown[64];

	if (t->kind != TK_WORD || sk_is_command(t) || is_option(t))
		return sk_unexpected(p, t, "an SPI (a decimal or 0x-hex number)");
	sk_next(p);
	if (sk_parse_u32(t, UINT32_MAX, &v) < 0) {
		sk_diag(p->prog, t->pos,
			"'%s' is not an SPI (a decimal or 0x-hex number below 2^32)",
			sk_tok_show(t, shown, sizeof(shown)));
		return -1;
	}
	if (check_spi(p, st, t, v) < 0)
		return -1;
	st->spi = (uint32_t)v;
	return 0;
}

/* "a 192-bit key", "a 128-, 192- or 256-bit key", "a key of 40 to 448
 * bits (in steps of 8)". */
static void key_sizes(const struct pfkey_alg *a, char *buf, size_t cap)
{
	unsigned min = a->key_min_bits, max = a->key_max_bits;
	unsigned step = a->key_step_bits ? a->key_step_bits : max - min;
	unsigned count = step ? (max - min) / step + 1 : 1;

	if (min == max) {
		snprintf(buf, cap, "a %u-bit key", min);
	} else if (count <= 4) {
		size_t n = snprintf(buf, cap, "a");

		for (unsigned b = min; b <= max && n < cap; b += step)
			n += snprintf(buf + n, cap - n, "%s%u-",
				      b == min ? " " : b + step > max ? " or " : ", ",
				      b);
		if (n < cap)
			snprintf(buf + n, cap - n, "bit key");
	} else {
		snprintf(buf, cap, "a key of %u to %u bits in steps of %u", min,
			 max, step);
	}
}

static int hexval(unsigned char c)
{
	if (isdigit(c))
		return c - '0';
	if (isxdigit(c))
		return tolower(c) - 'a' + 10;
	return -1;
}

static int parse_key(struct sk_parser *p, const struct pfkey_alg *alg,
		     uint8_t **key, size_t *keylen)
{
	const struct sk_token *t = sk_peek(p);
	bool hex = t->kind == TK_WORD && t->len >= 2 && t->text[0] == '0' &&
		   (t->text[1] == 'x' || t->text[1] == 'X');
	char shown[64], what[96];

	if (alg->key_max_bits == 0) {
		if (t->kind == TK_STRING || hex) {
			sk_diag(p->prog, t->pos, "%s takes no key", alg->name);
			return -1;
		}
		return 0;
	}
	if (t->kind != TK_STRING && !hex) {
		snprintf(what, sizeof(what), "a key for %s (\"text\" or 0x-hex)",
			 alg->name);
		return sk_unexpected(p, t, what);
	}
	sk_next(p);

	size_t n = t->kind == TK_STRING ? t->len : (t->len - 2) / 2;
	uint8_t *k = malloc(n ? n : 1);

	if (!k) {
		sk_diag(p->prog, t->pos, "out of memory");
		return -1;
	}
	if (t->kind == TK_STRING) {
		memcpy(k, t->text, n);
	} else {
		sk_tok_show(t, shown, sizeof(shown));
		if (t->len == 2 || (t->len - 2) % 2) {
			sk_diag(p->prog, t->pos,
				"hex key '%s' must have an even, non-zero number of digits",
				shown);
			free(k);
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			int hi = hexval((unsigned char)t->text[2 + 2 * i]);
			int lo = hexval((unsigned char)t->text[3 + 2 * i]);

			if (hi < 0 || lo < 0) {
				sk_diag(p->prog, t->pos,
					"'%s' is not a hex key: '%c' is not a hex digit",
					shown, t->text[hi < 0 ? 2 + 2 * i : 3 + 2 * i]);
				free(k);
				return -1;
			}
			k[i] = (uint8_t)(hi << 4 | lo);
		}
	}
	if (n > 0xffff / 8 || !pfkey_alg_key_ok(alg, (unsigned)(n * 8))) {
		key_sizes(alg, what, sizeof(what));
		sk_diag(p->prog, t->pos, "%s needs %s, got %zu", alg->name, what,
			n * 8);
		free(k);
		return -1;
	}
	*key = k;
	*keylen = n;
	return 0;
}

static const char *kind_word(enum pfkey_alg_kind kind)
{
	return kind == PFKEY_ALG_AUTH ? "an authentication" :
	       kind == PFKEY_ALG_ENCRYPT ? "an encryption" : "a compression";
}

static const char *kind_opt(enum pfkey_alg_kind kind)
{
	return kind == PFKEY_ALG_AUTH ? "-A" :
	       kind == PFKEY_ALG_ENCRYPT ? "-E" : "-C";
}

static const struct pfkey_alg *parse_alg(struct sk_parser *p,
					 enum pfkey_alg_kind kind)
{
	const struct sk_token *t = sk_peek(p);
	char name[64], what[64];

	if (t->kind != TK_WORD || is_option(t) || sk_is_command(t)) {
		snprintf(what, sizeof(what), "%s algorithm after %s",
			 kind_word(kind), kind_opt(kind));
		sk_unexpected(p, t, what);
		return NULL;
	}
	sk_next(p);
	sk_tok_show(t, name, sizeof(name));

	const struct pfkey_alg *a = pfkey_alg_by_name(kind, name);

	if (a)
		return a;
	for (int k = PFKEY_ALG_AUTH; k <= PFKEY_ALG_COMP; k++) {
		if ((enum pfkey_alg_kind)k == kind)
			continue;
		if (pfkey_alg_by_name((enum pfkey_alg_kind)k, name)) {
			sk_diag(p->prog, t->pos, "%s is %s algorithm: use it with %s",
				name, kind_word((enum pfkey_alg_kind)k),
				kind_opt((enum pfkey_alg_kind)k));
			return NULL;
		}
	}

	char known[320];
	size_t n = 0;

	known[0] = '\0';
	for (a = pfkey_alg_first(); a && n < sizeof(known); a = pfkey_alg_next(a))
		if (a->kind == kind)
			n += snprintf(known + n, sizeof(known) - n, "%s%s",
				      n ? ", " : "", a->name);
	sk_diag(p->prog, t->pos, "'%s' is not %s algorithm (known: %s)", name,
		kind_word(kind), known);
	return NULL;
}

/* The word after an option, as a number up to max. */
static int option_number(struct sk_parser *p, const char *opt,
			 const char *what, uint64_t max, uint64_t *v)
{
	const struct sk_token *t = sk_peek(p);
	char buf[96], shown[64];

	if (t->kind != TK_WORD || is_option(t) || sk_is_command(t)) {
		snprintf(buf, sizeof(buf), "%s after %s", what, opt);
		return sk_unexpected(p, t, buf);
	}
	sk_next(p);
	if (sk_parse_u32(t, max, v) < 0) {
		sk_tok_show(t, shown, sizeof(shown));
		if (max == UINT64_MAX)
			sk_diag(p->prog, t->pos, "'%s' is not %s", shown, what);
		else
			sk_diag(p->prog, t->pos, "'%s' is not %s (0-%llu)", shown,
				what, (unsigned long long)max);
		return -1;
	}
	return 0;
}

static int parse_mode(struct sk_parser *p, uint8_t *mode)
{
	const struct sk_token *t = sk_peek(p);
	char shown[64];

	if (t->kind != TK_WORD || is_option(t) || sk_is_command(t))
		return sk_unexpected(p, t, "a mode (transport, tunnel or any) after -m");
	sk_next(p);
	if (sk_tok_is(t, "transport"))
		*mode = IPSEC_MODE_TRANSPORT;
	else if (sk_tok_is(t, "tunnel"))
		*mode = IPSEC_MODE_TUNNEL;
	else if (sk_tok_is(t, "any"))
		*mode = IPSEC_MODE_ANY;
	else {
		sk_diag(p->prog, t->pos,
			"'%s' is not a mode (expected transport, tunnel or any)",
			sk_tok_show(t, shown, sizeof(shown)));
		return -1;
	}
	return 0;
}

static int parse_pad(struct sk_parser *p, uint32_t *flags)
{
	const struct sk_token *t = sk_peek(p);
	char shown[64];

	if (t->kind != TK_WORD || is_option(t) || sk_is_command(t))
		return sk_unexpected(p, t,
			"zero-pad, random-pad, seq-pad or nocyclic-seq after -f");
	sk_next(p);
	if (sk_tok_is(t, "zero-pad"))
		*flags = (*flags & ~SADB_X_EXT_PMASK) | SADB_X_EXT_PZERO;
	else if (sk_tok_is(t, "random-pad"))
		*flags = (*flags & ~SADB_X_EXT_PMASK) | SADB_X_EXT_PRAND;
	else if (sk_tok_is(t, "seq-pad"))
		*flags = (*flags & ~SADB_X_EXT_PMASK) | SADB_X_EXT_PSEQ;
	else if (sk_tok_is(t, "nocyclic-seq"))
		*flags &= ~SADB_X_EXT_CYCSEQ;
	else {
		sk_diag(p->prog, t->pos,
			"'%s' is not a -f option (expected zero-pad, random-pad, seq-pad or nocyclic-seq)",
			sk_tok_show(t, shown, sizeof(shown)));
		return -1;
	}
	return 0;
}

/* Positions of the options, for checks that involve several of them. */
struct seen {
	const struct sk_token *opt[16];
	const struct sk_token *icv_val;	/* the number after -icv */
};

enum { O_M, O_R, O_U, O_LH, O_LS, O_BH, O_BS, O_E, O_A, O_C, O_RAW, O_ESN,
       O_ICV, O_OA };

static const char *const opt_names[] = {
	[O_M] = "-m", [O_R] = "-r", [O_U] = "-u", [O_LH] = "-lh",
	[O_LS] = "-ls", [O_BH] = "-bh", [O_BS] = "-bs", [O_E] = "-E",
	[O_A] = "-A", [O_C] = "-C", [O_RAW] = "-R", [O_ESN] = "-esn",
	[O_ICV] = "-icv", [O_OA] = "-o",
};

static int one_option(struct sk_parser *p, struct sk_stmt *st,
		      const struct sk_token *t, struct seen *seen)
{
	int o = -1;
	uint64_t v;

	if (sk_tok_is(t, "-f"))
		return parse_pad(p, &st->flags);
	for (size_t k = 0; k < sizeof(opt_names) / sizeof(opt_names[0]); k++)
		if (sk_tok_is(t, opt_names[k]))
			o = (int)k;
	if (o < 0) {
		char shown[64];

		sk_diag(p->prog, t->pos,
			"'%s' is not an SA option (expected -m, -r, -u, -f, -esn, -lh, -ls, -bh, -bs, -E, -A, -icv, -C, -R or -o)",
			sk_tok_show(t, shown, sizeof(shown)));
		return -1;
	}
	if (seen->opt[o]) {
		sk_diag(p->prog, t->pos, "%s is given twice (first at %u:%u)",
			opt_names[o], seen->opt[o]->pos.line,
			seen->opt[o]->pos.col);
		return -1;
	}
	seen->opt[o] = t;

	switch (o) {
	case O_M:
		return parse_mode(p, &st->mode);
	case O_R:
		/* Packets, as Linux counts sadb_sa_replay; above 255 the
		 * window travels in kipsec's extension (compile.c). */
		if (option_number(p, "-r", "a replay window size in packets",
				  KIPSEC_REPLAY_MAX, &v) < 0)
			return -1;
		st->replay = (uint32_t)v;
		return 0;
	case O_ESN:
		st->kflags |= KIPSEC_SA_F_ESN;
		return 0;
	case O_ICV:
		seen->icv_val = sk_peek(p);
		if (option_number(p, "-icv", "an ICV length in bits", UINT16_MAX,
				  &v) < 0)
			return -1;
		st->icvbits = (uint16_t)v;
		return 0;
	case O_U:
		if (option_number(p, "-u", "a reqid", UINT32_MAX, &v) < 0)
			return -1;
		st->reqid = (uint32_t)v;
		return 0;
	case O_LH:
		return option_number(p, "-lh", "a lifetime in seconds", UINT64_MAX,
				     &st->lt_hard_time);
	case O_LS:
		return option_number(p, "-ls", "a lifetime in seconds", UINT64_MAX,
				     &st->lt_soft_time);
	case O_BH:
		return option_number(p, "-bh", "a lifetime in bytes", UINT64_MAX,
				     &st->lt_hard_bytes);
	case O_BS:
		return option_number(p, "-bs", "a lifetime in bytes", UINT64_MAX,
				     &st->lt_soft_bytes);
	case O_E:
		st->ealg = parse_alg(p, PFKEY_ALG_ENCRYPT);
		return st->ealg ? parse_key(p, st->ealg, &st->ekey, &st->ekey_len) : -1;
	case O_A:
		st->aalg = parse_alg(p, PFKEY_ALG_AUTH);
		return st->aalg ? parse_key(p, st->aalg, &st->akey, &st->akey_len) : -1;
	case O_C:
		st->calg = parse_alg(p, PFKEY_ALG_COMP);
		return st->calg ? 0 : -1;
	case O_OA:
		st->has_natt_oa = true;
		return sk_parse_addr(p, &st->natt_oa, "NAT original", false);
	default:	/* -R */
		st->flags |= SADB_X_EXT_RAWCPI;
		return 0;
	}
}

/*
 * -icv BITS: only HMAC-SHA2 has a choice.  Its RFC 4868 length is the
 * default and becomes 0 (nothing to send, so the file still loads into
 * af_key); the one other length kipsec takes is 96 with HMAC-SHA2-256.
 */
static int check_icv(struct sk_parser *p, struct sk_stmt *st,
		     const struct seen *seen)
{
	const struct sk_token *opt = seen->opt[O_ICV];
	unsigned def;

	if (!opt)
		return 0;
	if (!st->aalg) {
		sk_diag(p->prog, opt->pos,
			"-icv needs an HMAC-SHA2 authentication algorithm (-A hmac-sha2-256 KEY)%s",
			st->ealg && st->ealg->aead ?
			": an AEAD algorithm's ICV length is part of its name" : "");
		return -1;
	}
	def = st->aalg->sha2_icv_bits;
	if (def == 0) {
		sk_diag(p->prog, opt->pos,
			"-icv is only for hmac-sha2-256, -384 and -512: %s's ICV length is fixed",
			st->aalg->name);
		return -1;
	}
	if (st->icvbits == def) {
		st->icvbits = 0;
		return 0;
	}
	if (st->icvbits == 96 && st->aalg->id == SADB_X_AALG_SHA2_256HMAC)
		return 0;
	if (st->aalg->id == SADB_X_AALG_SHA2_256HMAC)
		sk_diag(p->prog, seen->icv_val->pos,
			"hmac-sha2-256 takes -icv 128 (RFC 4868, the default) or 96 (legacy truncation), not %u",
			st->icvbits);
	else
		sk_diag(p->prog, seen->icv_val->pos,
			"%s takes only -icv %u (RFC 4868), not %u", st->aalg->name,
			def, st->icvbits);
	return -1;
}

/* Checks that need the whole option list; the statement ends at semi. */
static int check_combination(struct sk_parser *p, struct sk_stmt *st,
			     const struct seen *seen, const struct sk_token *semi)
{
	const struct sk_token *const *o = seen->opt;

	switch (st->satype) {
	case SADB_SATYPE_ESP:
		if (o[O_C]) {
			sk_diag(p->prog, o[O_C]->pos, "-C is only for ipcomp SAs");
			return -1;
		}
		if (!st->ealg) {
			sk_diag(p->prog, semi->pos,
				"an esp SA needs an encryption algorithm: -E ALGORITHM KEY (-E null for authentication only)");
			return -1;
		}
		if (st->ealg->aead && st->aalg) {
			sk_diag(p->prog, o[O_A]->pos,
				"%s is an AEAD algorithm (it authenticates by itself): -A is not allowed with it",
				st->ealg->name);
			return -1;
		}
		if (st->ealg->key_max_bits == 0 && !st->aalg)
			sk_warn(p->prog, o[O_E]->pos,
				"esp with -E %s and no -A neither encrypts nor authenticates",
				st->ealg->name);
		break;
	case SADB_SATYPE_AH:
		if (o[O_E] || o[O_C]) {
			sk_diag(p->prog, (o[O_E] ? o[O_E] : o[O_C])->pos,
				"%s is not allowed for an ah SA (ah only authenticates: use -A)",
				o[O_E] ? "-E" : "-C");
			return -1;
		}
		if (!st->aalg) {
			sk_diag(p->prog, semi->pos,
				"an ah SA needs an authentication algorithm: -A ALGORITHM KEY");
			return -1;
		}
		break;
	default:	/* ipcomp */
		if (o[O_E] || o[O_A]) {
			sk_diag(p->prog, (o[O_E] ? o[O_E] : o[O_A])->pos,
				"%s is not allowed for an ipcomp SA (use -C)",
				o[O_E] ? "-E" : "-A");
			return -1;
		}
		if (!st->calg) {
			sk_diag(p->prog, semi->pos,
				"an ipcomp SA needs a compression algorithm: -C ALGORITHM");
			return -1;
		}
		break;
	}
	if (o[O_OA] && (!st->natt_type || st->natt_oa.has_port ||
			st->natt_oa.ss.ss_family != AF_INET)) {
		sk_diag(p->prog, o[O_OA]->pos,
			"-o (the peer's address before NAT) is only for esp-udp SAs, and takes an IPv4 address without a port");
		return -1;
	}
	if (o[O_RAW] && st->satype != SADB_X_SATYPE_IPCOMP) {
		sk_diag(p->prog, o[O_RAW]->pos, "-R is only for ipcomp SAs");
		return -1;
	}
	if (o[O_ESN] && st->satype == SADB_X_SATYPE_IPCOMP) {
		sk_diag(p->prog, o[O_ESN]->pos,
			"-esn is only for esp and ah SAs (IPComp has no sequence numbers)");
		return -1;
	}
	if (check_icv(p, st, seen) < 0)
		return -1;
	if (st->lt_hard_time && st->lt_soft_time > st->lt_hard_time)
		sk_warn(p->prog, o[O_LS]->pos,
			"the soft lifetime (%llus) is longer than the hard one (%llus): it will never fire",
			(unsigned long long)st->lt_soft_time,
			(unsigned long long)st->lt_hard_time);
	if (st->lt_hard_bytes && st->lt_soft_bytes > st->lt_hard_bytes)
		sk_warn(p->prog, o[O_BS]->pos,
			"the soft byte lifetime is larger than the hard one: it will never fire");
	return 0;
}

/* add/update: options and algorithms up to and including the ';'. */
int sk_parse_sa_options(struct sk_parser *p, struct sk_stmt *st)
{
	struct seen seen = { { NULL }, NULL };
	const struct sk_token *t;

	while (is_option(t = sk_peek(p))) {
		sk_next(p);
		if (one_option(p, st, t, &seen) < 0)
			return -1;
	}
	if (t->kind != TK_SEMI)
		return sk_unexpected(p, t,
			"an SA option, an algorithm (-E, -A, -C) or ';'");
	if (check_combination(p, st, &seen, t) < 0)
		return -1;
	sk_next(p);
	return 0;
}

/* getspi: [SPI | MIN-MAX] [-m MODE] [-u REQID] */
int sk_parse_getspi_options(struct sk_parser *p, struct sk_stmt *st)
{
	const struct sk_token *t = sk_peek(p);
	char shown[64];

	if (t->kind == TK_WORD && isdigit((unsigned char)t->text[0])) {
		const char *dash = memchr(t->text, '-', t->len);
		struct sk_token lo = *t, hi = *t;
		uint64_t min, max;

		sk_next(p);
		if (dash) {
			lo.len = (size_t)(dash - t->text);
			hi.text = dash + 1;
			hi.len = t->len - lo.len - 1;
		}
		if (sk_parse_u32(&lo, UINT32_MAX, &min) < 0 ||
		    sk_parse_u32(&hi, UINT32_MAX, &max) < 0) {
			sk_diag(p->prog, t->pos,
				"'%s' is not an SPI or an SPI range MIN-MAX",
				sk_tok_show(t, shown, sizeof(shown)));
			return -1;
		}
		if (min > max) {
			sk_diag(p->prog, t->pos,
				"SPI range '%s' is empty (MIN is above MAX)",
				sk_tok_show(t, shown, sizeof(shown)));
			return -1;
		}
		if (check_spi(p, st, t, min) < 0 || check_spi(p, st, t, max) < 0)
			return -1;
		st->spi_min = (uint32_t)min;
		st->spi_max = (uint32_t)max;
		st->has_range = true;
	}

	struct seen seen = { { NULL }, NULL };

	while (is_option(t = sk_peek(p))) {
		if (!sk_tok_is(t, "-m") && !sk_tok_is(t, "-u")) {
			sk_diag(p->prog, t->pos,
				"getspi takes only -m MODE and -u REQID, not '%s'",
				sk_tok_show(t, shown, sizeof(shown)));
			return -1;
		}
		sk_next(p);
		if (one_option(p, st, t, &seen) < 0)
			return -1;
	}
	return 0;
}
