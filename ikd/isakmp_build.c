// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1 message builders. Every write goes through an ike_wbuf, whose
 * sticky error turns a too small buffer (or a misuse, -EINVAL) into a
 * failure of isakmp_build_end(), never an overrun. Lengths are written
 * as placeholders and patched when a payload (a proposal, a transform)
 * closes; "next payload" bytes are patched when the next one opens.
 */
#include "isakmp_msg.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#define NONE	SIZE_MAX	/* no offset yet */

static void misuse(struct isakmp_builder *b)
{
	if (!b->w->err)
		b->w->err = -EINVAL;
}

/* Writes the 16-bit length of the part that starts at @off. */
static void close_len(struct ike_wbuf *w, size_t off)
{
	if (!w->err && w->len - off > UINT16_MAX)
		w->err = -EMSGSIZE;
	ike_wbuf_set16(w, off + 2, (uint16_t)(w->len - off));
}

static void init(struct isakmp_builder *b, struct ike_wbuf *w, bool hdr)
{
	b->w = w;
	b->start = w->len;
	b->has_hdr = hdr;
	b->first_np = ISAKMP_PL_NONE;
	b->np_off = NONE;
	b->sa_off = b->prop_off = b->xf_off = NONE;
	b->nxf = 0;
}

void isakmp_build_hdr(struct isakmp_builder *b, struct ike_wbuf *w,
		      const uint8_t *cky_i, const uint8_t *cky_r,
		      uint8_t exchange, uint8_t flags, uint32_t msgid)
{
	init(b, w, true);
	ike_put_bytes(w, cky_i, ISAKMP_COOKIE_LEN);
	ike_put_bytes(w, cky_r, ISAKMP_COOKIE_LEN);
	b->np_off = w->len;
	ike_put8(w, ISAKMP_PL_NONE);
	ike_put8(w, ISAKMP_VERSION);
	ike_put8(w, exchange);
	ike_put8(w, flags);
	ike_put32(w, msgid);
	ike_put32(w, 0);	/* length, written by isakmp_build_end() */
}

void isakmp_build_chain(struct isakmp_builder *b, struct ike_wbuf *w)
{
	init(b, w, false);
}

int isakmp_build_end(struct isakmp_builder *b)
{
	struct ike_wbuf *w = b->w;

	if (b->sa_off != NONE)
		isakmp_build_sa_end(b);
	if (b->has_hdr) {
		if (!w->err && w->len - b->start > ISAKMP_MSG_MAX)
			w->err = -EMSGSIZE;
		ike_wbuf_set32(w, b->start + 24, (uint32_t)(w->len - b->start));
	}
	return w->err;
}

size_t isakmp_build_open(struct isakmp_builder *b, uint8_t type)
{
	struct ike_wbuf *w = b->w;
	size_t off = w->len;

	if (b->sa_off != NONE)
		isakmp_build_sa_end(b);	/* a payload after an SA ends it */
	if (b->np_off == NONE)
		b->first_np = type;
	else
		ike_wbuf_set8(w, b->np_off, type);
	b->np_off = off;
	ike_put8(w, ISAKMP_PL_NONE);
	ike_put8(w, 0);		/* RESERVED */
	ike_put16(w, 0);	/* length, written by isakmp_build_close() */
	return off;
}

void isakmp_build_close(struct isakmp_builder *b, size_t off)
{
	close_len(b->w, off);
}

size_t isakmp_build_data(struct isakmp_builder *b, uint8_t type,
			 const uint8_t *data, size_t len)
{
	size_t off = isakmp_build_open(b, type);
	size_t data_off = b->w->len;

	if (data)
		ike_put_bytes(b->w, data, len);
	else
		ike_put_zero(b->w, len);
	isakmp_build_close(b, off);
	return data_off;
}

/* --- SA, proposals, transforms, attributes ------------------------------- */

void isakmp_build_sa_begin(struct isakmp_builder *b, uint32_t doi,
			   uint32_t situation)
{
	size_t off = isakmp_build_open(b, ISAKMP_PL_SA);

	ike_put32(b->w, doi);
	ike_put32(b->w, situation);
	b->sa_off = off;	/* after open(), which ends an earlier SA */
	b->prop_off = b->xf_off = NONE;
}

static void xform_end(struct isakmp_builder *b)
{
	if (b->xf_off != NONE)
		close_len(b->w, b->xf_off);
}

static void prop_end(struct isakmp_builder *b)
{
	if (b->prop_off == NONE)
		return;
	xform_end(b);
	close_len(b->w, b->prop_off);
	ike_wbuf_set8(b->w, b->prop_off + 7, b->nxf);
}

/* Opens a proposal or a transform after @prev (NONE: the first one),
 * whose "next payload" byte then names @type. */
static size_t open_nested(struct ike_wbuf *w, size_t prev, uint8_t type)
{
	size_t off = w->len;

	if (prev != NONE)
		ike_wbuf_set8(w, prev, type);
	ike_put8(w, ISAKMP_PL_NONE);
	ike_put8(w, 0);
	ike_put16(w, 0);
	return off;
}

void isakmp_build_prop(struct isakmp_builder *b, uint8_t num, uint8_t proto,
		       const uint8_t *spi, uint8_t spi_size)
{
	struct ike_wbuf *w = b->w;

	if (b->sa_off == NONE) {
		misuse(b);
		return;
	}
	prop_end(b);
	b->prop_off = open_nested(w, b->prop_off, ISAKMP_PL_P);
	b->xf_off = NONE;
	b->nxf = 0;
	ike_put8(w, num);
	ike_put8(w, proto);
	ike_put8(w, spi_size);
	ike_put8(w, 0);		/* transforms, written by prop_end() */
	if (spi)
		ike_put_bytes(w, spi, spi_size);
	else
		ike_put_zero(w, spi_size);
}

void isakmp_build_xform(struct isakmp_builder *b, uint8_t num, uint8_t id)
{
	struct ike_wbuf *w = b->w;

	if (b->prop_off == NONE || b->nxf == UINT8_MAX) {
		misuse(b);
		return;
	}
	xform_end(b);
	b->xf_off = open_nested(w, b->xf_off, ISAKMP_PL_T);
	b->nxf++;
	ike_put8(w, num);
	ike_put8(w, id);
	ike_put16(w, 0);	/* RESERVED2 */
}

void isakmp_build_attr_tv(struct isakmp_builder *b, uint16_t type,
			  uint16_t value)
{
	if (b->xf_off == NONE || type > 0x7fff) {
		misuse(b);
		return;
	}
	ike_put16(b->w, 0x8000 | type);
	ike_put16(b->w, value);
}

void isakmp_build_attr_tlv(struct isakmp_builder *b, uint16_t type,
			   const uint8_t *value, uint16_t len)
{
	if (b->xf_off == NONE || type > 0x7fff) {
		misuse(b);
		return;
	}
	ike_put16(b->w, type);
	ike_put16(b->w, len);
	ike_put_bytes(b->w, value, len);
}

void isakmp_build_attr_num(struct isakmp_builder *b, uint16_t type,
			   uint64_t v)
{
	uint8_t buf[8];
	size_t n = v > UINT32_MAX ? 8 : 4;

	if (v <= UINT16_MAX) {
		isakmp_build_attr_tv(b, type, (uint16_t)v);
		return;
	}
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	isakmp_build_attr_tlv(b, type, buf, (uint16_t)n);
}

void isakmp_build_sa_end(struct isakmp_builder *b)
{
	if (b->sa_off == NONE) {
		misuse(b);
		return;
	}
	prop_end(b);
	close_len(b->w, b->sa_off);
	b->sa_off = b->prop_off = b->xf_off = NONE;
}

/* --- the other payloads -------------------------------------------------- */

void isakmp_build_id(struct isakmp_builder *b, uint8_t type, uint8_t proto,
		     uint16_t port, const uint8_t *data, size_t len)
{
	size_t off = isakmp_build_open(b, ISAKMP_PL_ID);

	ike_put8(b->w, type);
	ike_put8(b->w, proto);
	ike_put16(b->w, port);
	ike_put_bytes(b->w, data, len);
	isakmp_build_close(b, off);
}

void isakmp_build_cert(struct isakmp_builder *b, uint8_t pl, uint8_t enc,
		       const uint8_t *data, size_t len)
{
	size_t off = isakmp_build_open(b, pl);

	ike_put8(b->w, enc);
	ike_put_bytes(b->w, data, len);
	isakmp_build_close(b, off);
}

void isakmp_build_notify(struct isakmp_builder *b, uint32_t doi,
			 uint8_t proto, const uint8_t *spi, uint8_t spi_size,
			 uint16_t type, const uint8_t *data, size_t len)
{
	size_t off = isakmp_build_open(b, ISAKMP_PL_N);

	ike_put32(b->w, doi);
	ike_put8(b->w, proto);
	ike_put8(b->w, spi_size);
	ike_put16(b->w, type);
	ike_put_bytes(b->w, spi, spi_size);
	ike_put_bytes(b->w, data, len);
	isakmp_build_close(b, off);
}

void isakmp_build_delete(struct isakmp_builder *b, uint32_t doi,
			 uint8_t proto, uint8_t spi_size, const uint8_t *spis,
			 uint16_t nspi)
{
	size_t off = isakmp_build_open(b, ISAKMP_PL_D);

	ike_put32(b->w, doi);
	ike_put8(b->w, proto);
	ike_put8(b->w, spi_size);
	ike_put16(b->w, nspi);
	ike_put_bytes(b->w, spis, (size_t)nspi * spi_size);
	isakmp_build_close(b, off);
}

void isakmp_build_nat_oa(struct isakmp_builder *b, uint8_t pl,
			 const uint8_t *addr, size_t len)
{
	size_t off = isakmp_build_open(b, pl);

	ike_put8(b->w, len == 16 ? IPSEC_ID_IPV6_ADDR : IPSEC_ID_IPV4_ADDR);
	ike_put_zero(b->w, 3);
	ike_put_bytes(b->w, addr, len);
	isakmp_build_close(b, off);
}

void isakmp_build_frag(struct isakmp_builder *b, uint16_t id, uint8_t num,
		       uint8_t flags, const uint8_t *data, size_t len)
{
	size_t off = isakmp_build_open(b, ISAKMP_PL_FRAG);

	ike_put16(b->w, id);
	ike_put8(b->w, num);
	ike_put8(b->w, flags);
	ike_put_bytes(b->w, data, len);
	isakmp_build_close(b, off);
}
