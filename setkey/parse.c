// SPDX-License-Identifier: BSD-2-Clause
/*
 * setkey statements: tokens -> a list of checked struct sk_stmt.
 *
 * Grammar (KAME setkey(8); brackets are optional parts):
 *   add|update [-46n] SRC DST SATYPE SPI [SA options and algorithms] ;
 *   get|delete [-46n] SRC DST SATYPE SPI ;
 *   deleteall [-46n] SRC DST [SATYPE] ;
 *   flush [SATYPE] ;    dump [SATYPE] ;
 *   spdadd|spdupdate|spddelete [-46n] SEL SEL UPPER [TYPE[,CODE]] [-P] POLICY ;
 *   spdflush ;  spddump ;
 *   getspi [-46n] SRC DST SATYPE [SPI|MIN-MAX] [-m MODE] [-u REQID] ;
 * After an error the parser skips to the next ';' and goes on, so one run
 * reports several independent mistakes.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "setkey.h"

static const struct {
	const char *name;
	enum sk_cmd cmd;
} commands[] = {
	{ "add", SK_ADD },		{ "update", SK_UPDATE },
	{ "get", SK_GET },		{ "delete", SK_DELETE },
	{ "deleteall", SK_DELETEALL },	{ "flush", SK_FLUSH },
	{ "dump", SK_DUMP },		{ "spdadd", SK_SPDADD },
	{ "spdupdate", SK_SPDUPDATE },	{ "spddelete", SK_SPDDELETE },
	{ "spdflush", SK_SPDFLUSH },	{ "spddump", SK_SPDDUMP },
	{ "getspi", SK_GETSPI },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

const char *sk_cmd_name(enum sk_cmd cmd)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (commands[i].cmd == cmd)
			return commands[i].name;
	return "?";
}

/* ------------------------------------------------------------------------
 * Token helpers shared by the parser files
 */
const struct sk_token *sk_peek(const struct sk_parser *p)
{
	return &p->toks[p->i];
}

const struct sk_token *sk_next(struct sk_parser *p)
{
	const struct sk_token *t = &p->toks[p->i];

	if (t->kind != TK_EOF)
		p->i++;
	return t;
}

bool sk_tok_is(const struct sk_token *t, const char *word)
{
	size_t n = strlen(word);

	return t->kind == TK_WORD && t->len == n && memcmp(t->text, word, n) == 0;
}

bool sk_is_command(const struct sk_token *t)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (sk_tok_is(t, commands[i].name))
			return true;
	return false;
}

const char *sk_tok_show(const struct sk_token *t, char *buf, size_t cap)
{
	size_t n = t->len;

	if (t->kind == TK_EOF) {
		snprintf(buf, cap, "end of input");
		return buf;
	}
	if (n >= cap) {
		n = cap > 4 ? cap - 4 : 0;
		memcpy(buf, t->text, n);
		snprintf(buf + n, cap - n, "...");
		return buf;
	}
	memcpy(buf, t->text, n);
	buf[n] = '\0';
	return buf;
}

/* Decimal or 0x-hex, at most max.  No message: callers know the context. */
int sk_parse_u32(const struct sk_token *t, uint64_t max, uint64_t *out)
{
	const char *s = t->text;
	size_t n = t->len, i = 0;
	unsigned base = 10;
	uint64_t v = 0;

	if (t->kind != TK_WORD || n == 0)
		return -1;
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	for (; i < n; i++) {
		unsigned d;
		unsigned char c = (unsigned char)s[i];

		if (isdigit(c))
			d = c - '0';
		else if (base == 16 && isxdigit(c))
			d = (unsigned)(tolower(c) - 'a' + 10);
		else
			return -1;
		if (v > (max - d) / base)
			return -1;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

/* A comment between two offsets that ate a ';', or NULL. */
static const struct sk_comment *eaten_semi(const struct sk_parser *p,
					   size_t from, size_t to)
{
	for (size_t i = 0; i < p->ncomments; i++) {
		const struct sk_comment *c = &p->comments[i];

		if (c->has_semi && c->off >= from && c->off < to)
			return c;
	}
	return NULL;
}

/* " (... missing ';' ...)" hint when t starts another statement. */
static void semi_hint(const struct sk_parser *p, size_t off, char *buf,
		      size_t cap)
{
	const struct sk_token *first = &p->toks[p->stmt_first];
	const struct sk_comment *c = eaten_semi(p, first->off, off);

	if (c)
		snprintf(buf, cap,
			 " (the %.*s statement at %u:%u is not finished: the '#' comment at %u:%u swallowed its ';')",
			 (int)first->len, first->text, first->pos.line,
			 first->pos.col, c->pos.line, c->pos.col);
	else
		snprintf(buf, cap, " (is a ';' missing before it?)");
}

/* Where input ends, shown as just after the last token: more useful than
 * the line after the file's last newline. */
static struct sk_pos end_of_last(const struct sk_parser *p,
				 const struct sk_token *eof)
{
	size_t i = (size_t)(eof - p->toks);

	if (i == 0)
		return eof->pos;

	const struct sk_token *last = &p->toks[i - 1];
	struct sk_pos pos = last->pos;

	pos.col += (unsigned)(last->len + (last->kind == TK_STRING ? 2 : 0));
	return pos;
}

int sk_unexpected(struct sk_parser *p, const struct sk_token *t,
		  const char *what)
{
	char shown[64], hint[200] = "";

	switch (t->kind) {
	case TK_EOF:
		snprintf(shown, sizeof(shown), "end of input");
		break;
	case TK_STRING:
		snprintf(shown, sizeof(shown), "a quoted string");
		break;
	default:
		snprintf(shown, sizeof(shown), "'");
		sk_tok_show(t, shown + 1, sizeof(shown) - 2);
		strcat(shown, "'");
		if (sk_is_command(t) && (size_t)(t - p->toks) > p->stmt_first) {
			semi_hint(p, t->off, hint, sizeof(hint));
			/* it probably starts the next statement: parse it */
			p->resume = (size_t)(t - p->toks);
		}
		break;
	}
	if (t->kind == TK_EOF) {
		const struct sk_token *first = &p->toks[p->stmt_first];
		const struct sk_comment *c = eaten_semi(p, first->off, t->off);

		if (c)
			snprintf(hint, sizeof(hint),
				 " (the '#' comment at %u:%u swallowed a ';')",
				 c->pos.line, c->pos.col);
	}
	sk_diag(p->prog, t->kind == TK_EOF ? end_of_last(p, t) : t->pos,
		"expected %s, found %s%s", what, shown, hint);
	return -1;
}

/* ------------------------------------------------------------------------
 * Statement parts
 */

/* Token text is not NUL-terminated: no str*() on it. */
static bool is_addr_flags(const struct sk_token *t)
{
	if (t->kind != TK_WORD || t->len < 2 || t->text[0] != '-')
		return false;
	for (size_t k = 1; k < t->len; k++)
		if (t->text[k] != '4' && t->text[k] != '6' && t->text[k] != 'n')
			return false;
	return true;
}

/* [-4] [-6] [-n]: address family restriction and KAME's "numeric" flag
 * (a no-op: addresses are always numeric here). */
static int parse_addr_flags(struct sk_parser *p)
{
	const struct sk_token *t;

	p->family = AF_UNSPEC;
	while (is_addr_flags(t = sk_peek(p))) {
		for (size_t k = 1; k < t->len; k++) {
			if (t->text[k] == '4')
				p->family = AF_INET;
			else if (t->text[k] == '6')
				p->family = AF_INET6;
		}
		sk_next(p);
	}
	return 0;
}

static int parse_src_dst(struct sk_parser *p, struct sk_stmt *st,
			 bool selector)
{
	if (parse_addr_flags(p) < 0 ||
	    sk_parse_addr(p, &st->src, "source", selector) < 0)
		return -1;

	struct sk_pos dpos = sk_peek(p)->pos;

	if (sk_parse_addr(p, &st->dst, "destination", selector) < 0)
		return -1;
	return sk_check_families(p, &st->src, &st->dst, dpos);
}

static void set_port(struct sk_addr *a, uint16_t v)
{
	uint16_t port = htons(v);

	if (a->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&a->ss)->sin_port = port;
	else
		((struct sockaddr_in6 *)&a->ss)->sin6_port = port;
	a->has_port = true;
}

/* "icmp6 135,0": ICMP type and code travel in the port fields (KAME). */
static int parse_icmp_spec(struct sk_parser *p, struct sk_stmt *st)
{
	const struct sk_token *t = sk_peek(p);
	char buf[32], *comma, *end;

	if (t->kind != TK_WORD || !isdigit((unsigned char)t->text[0]))
		return 0;
	if (st->upper != IPPROTO_ICMP && st->upper != IPPROTO_ICMPV6 &&
	    st->upper != 135) {
		sk_diag(p->prog, t->pos,
			"only icmp, icmp6 and mh take a TYPE[,CODE] after the protocol");
		return -1;
	}
	if (st->src.has_port || st->dst.has_port) {
		sk_diag(p->prog, t->pos,
			"an ICMP type/code cannot be combined with [port] selectors");
		return -1;
	}
	sk_next(p);
	sk_tok_show(t, buf, sizeof(buf));

	unsigned long type = strtoul(buf, &end, 10), code = 0;

	comma = strchr(buf, ',');
	if (comma && end == comma)
		code = strtoul(comma + 1, &end, 10);
	if (*end || type > 255 || code > 255 || (comma && comma[1] == '\0')) {
		sk_diag(p->prog, t->pos,
			"'%s' is not an ICMP TYPE[,CODE] (numbers 0-255)", buf);
		return -1;
	}
	set_port(&st->src, (uint16_t)type);
	if (comma)
		set_port(&st->dst, (uint16_t)code);
	return 0;
}

/*
 * [-P] DIRECTION ... up to ';', handed whole to libpfkey's KAME policy
 * parser.  Comments inside are blanked (same length, so the parser's error
 * offset still maps to a line and column of the source).
 */
static int parse_policy(struct sk_parser *p, struct sk_stmt *st)
{
	const struct sk_token *t = sk_peek(p);

	if (sk_tok_is(t, "-P")) {
		sk_next(p);
		t = sk_peek(p);
	}
	if (t->kind == TK_SEMI || t->kind == TK_EOF)
		return sk_unexpected(p, t, "a policy (in|out|fwd [priority N] discard|none|ipsec ...)");

	size_t j = p->i;

	while (p->toks[j].kind != TK_SEMI && p->toks[j].kind != TK_EOF)
		j++;
	if (p->toks[j].kind == TK_EOF)
		return sk_unexpected(p, &p->toks[j], "';' after the policy");

	size_t start = t->off, end = p->toks[j].off, len = end - start;
	char *text = malloc(len + 1);

	if (!text) {
		sk_diag(p->prog, t->pos, "out of memory");
		return -1;
	}
	memcpy(text, p->src + start, len);
	text[len] = '\0';
	for (size_t k = 0; k < p->ncomments; k++) {
		const struct sk_comment *c = &p->comments[k];

		if (c->off >= start && c->off < end)
			memset(text + (c->off - start), ' ', c->len);
	}
	for (size_t k = 0; k < len; k++)
		if (isspace((unsigned char)text[k]))
			text[k] = ' ';
	while (len > 0 && text[len - 1] == ' ')
		len--;

	size_t eoff = 0;
	const char *etext = NULL;
	char *pol = pfkey_policy_parse(text, len, &eoff, &etext);

	free(text);
	if (!pol) {
		char hint[200] = "";
		const struct sk_comment *c = eaten_semi(p, start, start + eoff);

		if (eoff > len)
			eoff = len;
		if (c)
			snprintf(hint, sizeof(hint),
				 "; the '#' comment at %u:%u swallowed this statement's ';'",
				 c->pos.line, c->pos.col);
		sk_diag(p->prog, sk_pos_at(p->src, start + eoff), "policy: %s%s",
			etext ? etext : "invalid policy", hint);
		return -1;
	}
	st->policy = pol;
	st->policy_len = (size_t)ipsec_get_policylen(pol);
	p->i = j;
	return 0;
}

static int parse_spd(struct sk_parser *p, struct sk_stmt *st)
{
	if (parse_src_dst(p, st, true) < 0 || sk_parse_upper(p, &st->upper) < 0 ||
	    parse_icmp_spec(p, st) < 0)
		return -1;
	return parse_policy(p, st);
}

static uint16_t addr_port(const struct sk_addr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ((const struct sockaddr_in *)&a->ss)->sin_port;
	return ((const struct sockaddr_in6 *)&a->ss)->sin6_port;
}

/*
 * Ports on SA addresses are esp-udp's UDP ports (ipsec-tools): add and
 * update need both, other statements may give them (they are ignored).
 */
static int check_sa_ports(struct sk_parser *p, const struct sk_stmt *st)
{
	const struct sk_addr *a = st->src.has_port ? &st->src : &st->dst;
	bool need = st->cmd == SK_ADD || st->cmd == SK_UPDATE;

	if (!st->natt_type) {
		if (!a->has_port)
			return 0;
		sk_diag(p->prog, a->port_pos,
			"a port on an SA address is only for esp-udp (NAT-T); policy selectors take ports in spdadd");
		return -1;
	}
	if (!need)
		return 0;
	if (st->src.ss.ss_family != AF_INET) {
		sk_diag(p->prog, st->pos,
			"esp-udp (NAT-T) is for IPv4 SAs only");
		return -1;
	}
	a = !st->src.has_port || !addr_port(&st->src) ? &st->src : &st->dst;
	if (a->has_port && addr_port(a))
		return 0;
	sk_diag(p->prog, a->has_port ? a->port_pos : st->pos,
		"esp-udp needs the UDP ports on both addresses, not 0 or any: SRC[PORT] DST[PORT], e.g. [4500]");
	return -1;
}

static int parse_sa_stmt(struct sk_parser *p, struct sk_stmt *st)
{
	st->mode = IPSEC_MODE_ANY;
	st->flags = SADB_X_EXT_CYCSEQ;
	if (parse_src_dst(p, st, false) < 0)
		return -1;

	switch (st->cmd) {
	case SK_DELETEALL:
		if (sk_parse_satype(p, st, true) < 0)
			return -1;
		return check_sa_ports(p, st);
	case SK_GETSPI:
		if (sk_parse_satype(p, st, false) < 0 ||
		    check_sa_ports(p, st) < 0)
			return -1;
		return sk_parse_getspi_options(p, st);
	default:
		break;
	}
	if (sk_parse_satype(p, st, false) < 0 || check_sa_ports(p, st) < 0 ||
	    sk_parse_spi(p, st) < 0)
		return -1;
	if (st->cmd == SK_ADD || st->cmd == SK_UPDATE)
		return sk_parse_sa_options(p, st);
	return 0;
}

static int expect_semi(struct sk_parser *p, const char *what)
{
	const struct sk_token *t = sk_peek(p);

	if (t->kind == TK_SEMI) {
		sk_next(p);
		return 0;
	}
	return sk_unexpected(p, t, what);
}

static int parse_stmt(struct sk_parser *p, struct sk_stmt *st)
{
	const struct sk_token *kw = sk_next(p);
	size_t k;
	char shown[64];

	for (k = 0; k < NCOMMANDS; k++)
		if (sk_tok_is(kw, commands[k].name))
			break;
	if (k == NCOMMANDS) {
		if (kw->kind != TK_WORD)
			return sk_unexpected(p, kw, "a statement");
		sk_diag(p->prog, kw->pos,
			"'%s' is not a statement (expected add, update, get, delete, deleteall, flush, dump, spdadd, spdupdate, spddelete, spdflush, spddump or getspi)",
			sk_tok_show(kw, shown, sizeof(shown)));
		return -1;
	}
	st->cmd = commands[k].cmd;
	st->pos = kw->pos;

	switch (st->cmd) {
	case SK_FLUSH:
	case SK_DUMP:
		if (sk_parse_satype(p, st, true) < 0)
			return -1;
		return expect_semi(p, "an SA type or ';'");
	case SK_SPDFLUSH:
	case SK_SPDDUMP:
		return expect_semi(p, "';'");
	case SK_SPDADD:
	case SK_SPDUPDATE:
	case SK_SPDDELETE:
		if (parse_spd(p, st) < 0)
			return -1;
		return expect_semi(p, "';'");
	default:
		if (parse_sa_stmt(p, st) < 0)
			return -1;
		/* add/update have already consumed their ';' */
		if (st->cmd == SK_ADD || st->cmd == SK_UPDATE)
			return 0;
		return expect_semi(p, "';'");
	}
}

static void stmt_free(struct sk_stmt *st)
{
	if (!st)
		return;
	free(st->ekey);
	free(st->akey);
	free(st->policy);
	free(st);
}

/* KAME's verbatim seeds put whole scripts on one comment line; say so
 * instead of silently loading nothing. */
static void warn_hidden_statements(struct sk_parser *p)
{
	for (size_t i = 0; i < p->ncomments; i++) {
		const struct sk_comment *c = &p->comments[i];
		const char *s = p->src + c->off;

		if (!c->has_semi)
			continue;
		for (size_t k = 0; k < NCOMMANDS; k++) {
			size_t n = strlen(commands[k].name);

			for (size_t o = 1; o + n < c->len; o++) {
				if (memcmp(s + o, commands[k].name, n) == 0 &&
				    s[o + n] == ' ' &&
				    (s[o - 1] == ' ' || s[o - 1] == '\t') &&
				    memchr(s + o, ';', c->len - o)) {
					sk_warn(p->prog, c->pos,
						"this comment runs to the end of the line, hiding what looks like statements (the first is '%s ...;')",
						commands[k].name);
					goto next;
				}
			}
		}
next:;
	}
}

/* Builds every message once, so that even a builder limit is reported
 * before anything is sent. */
static void check_compile(struct sk_prog *prog)
{
	uint8_t mem[8192];

	for (const struct sk_stmt *st = prog->head; st; st = st->next) {
		struct pfkey_buf b;
		int rc;

		pfkey_buf_init(&b, mem, sizeof(mem));
		rc = sk_compile(st, &b, 0, 0);
		if (rc < 0)
			sk_diag(prog, st->pos,
				"%s: cannot build the PF_KEY message: %s",
				sk_cmd_name(st->cmd), strerror(-rc));
	}
}

/* Warnings are found in a separate pass: report in source order. */
static void sort_diags(struct sk_prog *prog)
{
	for (unsigned i = 1; i < prog->ndiags; i++) {
		struct sk_diag d = prog->diags[i];
		unsigned j = i;

		while (j > 0 && (prog->diags[j - 1].pos.line > d.pos.line ||
				 (prog->diags[j - 1].pos.line == d.pos.line &&
				  prog->diags[j - 1].pos.col > d.pos.col))) {
			prog->diags[j] = prog->diags[j - 1];
			j--;
		}
		prog->diags[j] = d;
	}
}

int sk_parse(struct sk_prog *prog, const char *file, const char *src,
	     size_t len)
{
	struct sk_parser p = { .prog = prog, .src = src, .srclen = len };

	memset(prog, 0, sizeof(*prog));
	prog->file = file;
	if (sk_lex(&p) < 0)
		goto out;
	warn_hidden_statements(&p);

	while (sk_peek(&p)->kind != TK_EOF) {
		if (sk_peek(&p)->kind == TK_SEMI) {	/* empty statement */
			sk_next(&p);
			continue;
		}
		p.stmt_first = p.i;
		p.resume = 0;

		struct sk_stmt *st = calloc(1, sizeof(*st));

		if (!st) {
			sk_diag(prog, sk_peek(&p)->pos, "out of memory");
			break;
		}
		if (parse_stmt(&p, st) < 0) {
			stmt_free(st);
			/* recover: resume at a statement keyword that ended
			 * this one, or after the next ';' */
			if (p.resume > p.stmt_first) {
				p.i = p.resume;
				p.resume = 0;
				continue;
			}
			while (sk_peek(&p)->kind != TK_EOF &&
			       sk_next(&p)->kind != TK_SEMI)
				;
			continue;
		}
		if (prog->tail)
			prog->tail->next = st;
		else
			prog->head = st;
		prog->tail = st;
		prog->nstmts++;
	}
	if (!prog->nerrors)
		check_compile(prog);
out:
	sort_diags(prog);
	free(p.toks);
	free(p.comments);
	return prog->nerrors ? -1 : 0;
}

void sk_prog_free(struct sk_prog *prog)
{
	struct sk_stmt *st = prog->head, *next;

	for (; st; st = next) {
		next = st->next;
		stmt_free(st);
	}
	prog->head = prog->tail = NULL;
	prog->nstmts = 0;
}

void sk_print_diags(const struct sk_prog *prog, FILE *out)
{
	for (unsigned i = 0; i < prog->ndiags; i++) {
		const struct sk_diag *d = &prog->diags[i];

		fprintf(out, "%s:%u:%u: %s%s\n", prog->file, d->pos.line,
			d->pos.col, d->warning ? "warning: " : "", d->msg);
	}
	if (prog->nerrors + prog->nwarnings > prog->ndiags)
		fprintf(out, "%s: %u more diagnostics not shown\n", prog->file,
			prog->nerrors + prog->nwarnings - prog->ndiags);
}
