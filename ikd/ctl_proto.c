// SPDX-License-Identifier: BSD-2-Clause
/*
 * The control protocol's two pieces that see the client's bytes or build
 * what goes back: the request parser and the bounded reply buffer. Both
 * are free of the daemon, so the unit tests and the fuzz target take them
 * alone.
 */
#include "ctl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ikd_ctl_parse(const char *line, size_t len, struct ikd_ctl_req *req,
		  const char **why)
{
	size_t i;
	char *p;

	memset(req, 0, sizeof(*req));
	/* A client may end its line with CR LF (telnet, socat crlf). */
	if (len && line[len - 1] == '\r')
		len--;
	if (len >= sizeof(req->buf)) {
		*why = "request too long";
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)line[i];

		if (ch == '\t')
			continue;
		if (ch < 0x20 || ch > 0x7e) {
			*why = "request has a byte that is not printable ASCII";
			return -EINVAL;
		}
	}
	memcpy(req->buf, line, len);
	req->buf[len] = '\0';
	for (p = req->buf;;) {
		char *w;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		w = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
		if (!strcmp(w, "--json")) {
			req->json = true;
		} else if (req->argc == IKD_CTL_MAX_WORDS) {
			*why = "too many words";
			return -EINVAL;
		} else {
			req->argv[req->argc++] = w;
		}
	}
	if (!req->argc) {
		*why = "empty request";
		return -EINVAL;
	}
	return 0;
}

/* ---- the reply ------------------------------------------------------------- */

void ikd_ctl_out_init(struct ikd_ctl_out *o)
{
	memset(o, 0, sizeof(*o));
}

void ikd_ctl_out_free(struct ikd_ctl_out *o)
{
	free(o->buf);
	memset(o, 0, sizeof(*o));
}

/* Room for @n more bytes and a NUL; false once the limit is reached. */
static bool reserve(struct ikd_ctl_out *o, size_t n)
{
	size_t cap;
	char *b;

	if (o->truncated || o->failed)
		return false;
	if (o->len + n + 1 <= o->cap)
		return true;
	if (o->len + n + 1 > IKD_CTL_MAX_OUT) {
		o->truncated = true;
		return false;
	}
	cap = o->cap ? o->cap : 4096;
	while (cap < o->len + n + 1)
		cap *= 2;
	if (cap > IKD_CTL_MAX_OUT)
		cap = IKD_CTL_MAX_OUT;
	b = realloc(o->buf, cap);
	if (!b) {
		o->failed = true;
		return false;
	}
	o->buf = b;
	o->cap = cap;
	return true;
}

static void __attribute__((format(printf, 2, 0)))
vprintf_out(struct ikd_ctl_out *o, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || !reserve(o, (size_t)n))
		return;
	vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	o->len += (size_t)n;
}

void ikd_ctl_printf(struct ikd_ctl_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf_out(o, fmt, ap);
	va_end(ap);
}

void ikd_ctl_error(struct ikd_ctl_out *o, const char *code, const char *fmt,
		   ...)
{
	va_list ap;

	o->len = 0;
	o->truncated = o->failed = false;
	ikd_ctl_printf(o, "ERR %s ", code);
	va_start(ap, fmt);
	vprintf_out(o, fmt, ap);
	va_end(ap);
	ikd_ctl_printf(o, "\n");
}

const char *ikd_ctl_printable(const uint8_t *s, size_t len, char *buf,
			      size_t cap)
{
	size_t i, n = 0;

	if (!cap)
		return buf;
	for (i = 0; i < len; i++) {
		char esc[5];
		size_t k;

		if (s[i] == '\\')
			k = (size_t)snprintf(esc, sizeof(esc), "\\\\");
		else if (s[i] < 0x20 || s[i] > 0x7e)
			k = (size_t)snprintf(esc, sizeof(esc), "\\x%02x", s[i]);
		else
			k = (size_t)snprintf(esc, sizeof(esc), "%c", s[i]);
		if (n + k >= cap)
			break;
		memcpy(buf + n, esc, k);
		n += k;
	}
	buf[n] = '\0';
	return buf;
}

void ikd_ctl_put_printable(struct ikd_ctl_out *o, const uint8_t *s, size_t len)
{
	char buf[4 * 256 + 1];

	while (len) {
		size_t n = len > 256 ? 256 : len;

		ikd_ctl_printf(o, "%s", ikd_ctl_printable(s, n, buf, sizeof(buf)));
		s += n;
		len -= n;
	}
}
