// SPDX-License-Identifier: BSD-2-Clause
#include "ike_buf.h"

#include <errno.h>
#include <string.h>

void ike_wbuf_init(struct ike_wbuf *w, void *mem, size_t cap)
{
	w->data = mem;
	w->len = 0;
	w->cap = mem ? cap : 0;
	w->err = 0;
}

uint8_t *ike_put_reserve(struct ike_wbuf *w, size_t n)
{
	uint8_t *p;

	if (w->err)
		return NULL;
	/* Written as a subtraction so that a huge n cannot wrap. */
	if (n > w->cap - w->len) {
		w->err = -ENOSPC;
		return NULL;
	}
	p = w->data + w->len;
	if (n)
		memset(p, 0, n);
	w->len += n;
	return p;
}

void ike_put_bytes(struct ike_wbuf *w, const void *p, size_t n)
{
	uint8_t *d = ike_put_reserve(w, n);

	if (d && n)
		memcpy(d, p, n);
}

void ike_put_zero(struct ike_wbuf *w, size_t n)
{
	ike_put_reserve(w, n);
}

void ike_put8(struct ike_wbuf *w, uint8_t v)
{
	ike_put_bytes(w, &v, 1);
}

void ike_put16(struct ike_wbuf *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	ike_put_bytes(w, b, sizeof(b));
}

void ike_put32(struct ike_wbuf *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 8), (uint8_t)v };

	ike_put_bytes(w, b, sizeof(b));
}

/* Each put is whole or nothing: a value never half-written. */
void ike_put64(struct ike_wbuf *w, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (56 - 8 * i));
	ike_put_bytes(w, b, sizeof(b));
}

static uint8_t *at(struct ike_wbuf *w, size_t off, size_t n)
{
	if (w->err)
		return NULL;
	if (off > w->len || n > w->len - off) {
		w->err = -ENOSPC;
		return NULL;
	}
	return w->data + off;
}

void ike_wbuf_set8(struct ike_wbuf *w, size_t off, uint8_t v)
{
	uint8_t *p = at(w, off, 1);

	if (p)
		p[0] = v;
}

void ike_wbuf_set16(struct ike_wbuf *w, size_t off, uint16_t v)
{
	uint8_t *p = at(w, off, 2);

	if (p) {
		p[0] = (uint8_t)(v >> 8);
		p[1] = (uint8_t)v;
	}
}

void ike_wbuf_set32(struct ike_wbuf *w, size_t off, uint32_t v)
{
	uint8_t *p = at(w, off, 4);

	if (p) {
		p[0] = (uint8_t)(v >> 24);
		p[1] = (uint8_t)(v >> 16);
		p[2] = (uint8_t)(v >> 8);
		p[3] = (uint8_t)v;
	}
}

void ike_wbuf_truncate(struct ike_wbuf *w, size_t len)
{
	if (len > w->len) {
		if (!w->err)
			w->err = -ENOSPC;
		return;
	}
	w->len = len;
}

void ike_rbuf_init(struct ike_rbuf *r, const void *mem, size_t len)
{
	r->data = mem;
	r->len = mem ? len : 0;
	r->off = 0;
	r->err = 0;
}

size_t ike_rbuf_left(const struct ike_rbuf *r)
{
	return r->err ? 0 : r->len - r->off;
}

const uint8_t *ike_get_bytes(struct ike_rbuf *r, size_t n)
{
	const uint8_t *p;

	if (r->err)
		return NULL;
	if (n > r->len - r->off) {
		r->err = -EBADMSG;
		return NULL;
	}
	p = r->data + r->off;
	r->off += n;
	return p;
}

void ike_get_copy(struct ike_rbuf *r, void *out, size_t n)
{
	const uint8_t *p = ike_get_bytes(r, n);

	if (p)
		memcpy(out, p, n);
	else if (n)
		memset(out, 0, n);
}

void ike_get_skip(struct ike_rbuf *r, size_t n)
{
	ike_get_bytes(r, n);
}

uint8_t ike_get8(struct ike_rbuf *r)
{
	const uint8_t *p = ike_get_bytes(r, 1);

	return p ? p[0] : 0;
}

uint16_t ike_get16(struct ike_rbuf *r)
{
	const uint8_t *p = ike_get_bytes(r, 2);

	return p ? ike_be16(p) : 0;
}

uint32_t ike_get32(struct ike_rbuf *r)
{
	const uint8_t *p = ike_get_bytes(r, 4);

	return p ? ike_be32(p) : 0;
}

uint64_t ike_get64(struct ike_rbuf *r)
{
	const uint8_t *p = ike_get_bytes(r, 8);

	return p ? ike_be64(p) : 0;
}

struct ike_rbuf ike_get_sub(struct ike_rbuf *r, size_t n)
{
	struct ike_rbuf sub;
	const uint8_t *p = ike_get_bytes(r, n);

	ike_rbuf_init(&sub, p, p ? n : 0);
	if (!p)
		sub.err = -EBADMSG;
	return sub;
}
