// SPDX-License-Identifier: BSD-2-Clause
/*
 * setkey lexer.  The whole input is cut into tokens before parsing starts;
 * comments are kept aside (their spans are needed to blank them out of
 * policy text, and to explain a ';' that a '#' swallowed).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "setkey.h"

__attribute__((format(printf, 4, 0)))
static void vdiag(struct sk_prog *prog, struct sk_pos pos, bool warning,
		  const char *fmt, va_list ap)
{
	if (warning)
		prog->nwarnings++;
	else
		prog->nerrors++;
	if (prog->ndiags >= SK_MAX_DIAGS)
		return;
	struct sk_diag *d = &prog->diags[prog->ndiags++];
	d->pos = pos;
	d->warning = warning;
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
}

void sk_diag(struct sk_prog *prog, struct sk_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(prog, pos, false, fmt, ap);
	va_end(ap);
}

void sk_warn(struct sk_prog *prog, struct sk_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(prog, pos, true, fmt, ap);
	va_end(ap);
}

struct sk_pos sk_pos_at(const char *src, size_t off)
{
	struct sk_pos pos = { 1, 1 };

	for (size_t i = 0; i < off; i++) {
		if (src[i] == '\n') {
			pos.line++;
			pos.col = 1;
		} else {
			pos.col++;
		}
	}
	return pos;
}

static int push_tok(struct sk_parser *p, const struct sk_token *t)
{
	if (p->ntoks == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct sk_token *n = realloc(p->toks, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		p->toks = n;
		p->cap = cap;
	}
	p->toks[p->ntoks++] = *t;
	return 0;
}

static int push_comment(struct sk_parser *p, const struct sk_comment *c)
{
	if (p->ncomments == p->ccap) {
		size_t cap = p->ccap ? p->ccap * 2 : 16;
		struct sk_comment *n = realloc(p->comments, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		p->comments = n;
		p->ccap = cap;
	}
	p->comments[p->ncomments++] = *c;
	return 0;
}

static bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static bool is_special(unsigned char c)
{
	return c == ';' || c == '#' || c == '"' || c == '[' || c == ']' ||
	       c == '/';
}

static bool is_control(unsigned char c)
{
	return (c < 0x20 && !is_blank(c)) || c == 0x7f;
}

/* Returns 0, or -1 after recording an error (lexing stops there). */
int sk_lex(struct sk_parser *p)
{
	const char *s = p->src;
	size_t n = p->srclen, i = 0;
	struct sk_pos pos = { 1, 1 };

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		struct sk_token t = { .text = s + i, .off = i, .pos = pos };

		if (c == '\n') {
			i++;
			pos.line++;
			pos.col = 1;
			continue;
		}
		if (is_blank(c)) {
			i++;
			pos.col++;
			continue;
		}
		if (is_control(c)) {
			sk_diag(p->prog, pos, "unexpected control character 0x%02x",
				c);
			return -1;
		}
		if (c == '#') {
			struct sk_comment cm = { .off = i, .pos = pos };

			while (i < n && s[i] != '\n') {
				if (s[i] == ';')
					cm.has_semi = true;
				i++;
				pos.col++;
			}
			cm.len = i - cm.off;
			if (push_comment(p, &cm) < 0)
				goto nomem;
			continue;
		}
		if (c == '"') {
			size_t j = i + 1;

			while (j < n && s[j] != '"' && s[j] != '\n')
				j++;
			if (j >= n || s[j] != '"') {
				sk_diag(p->prog, pos,
					"unterminated quoted string (a quoted key must end on the line it starts)");
				return -1;
			}
			t.kind = TK_STRING;
			t.text = s + i + 1;
			t.len = j - i - 1;
			pos.col += (unsigned)(j + 1 - i);
			i = j + 1;
		} else if (is_special(c)) {
			t.kind = c == ';' ? TK_SEMI : c == '/' ? TK_SLASH :
				 c == '[' ? TK_LBRACK : TK_RBRACK;
			t.len = 1;
			i++;
			pos.col++;
		} else {
			size_t j = i;

			while (j < n && !is_blank((unsigned char)s[j]) &&
			       !is_special((unsigned char)s[j]) &&
			       !is_control((unsigned char)s[j]))
				j++;
			t.kind = TK_WORD;
			t.len = j - i;
			pos.col += (unsigned)(j - i);
			i = j;
		}
		if (push_tok(p, &t) < 0)
			goto nomem;
	}

	struct sk_token eof = { .kind = TK_EOF, .text = s + n, .off = n,
				.pos = pos };
	if (push_tok(p, &eof) < 0)
		goto nomem;
	return 0;
nomem:
	sk_diag(p->prog, pos, "out of memory");
	return -1;
}
