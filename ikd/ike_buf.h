/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Bounds-checked byte buffers for the IKE codec: a writer that cannot run
 * past its capacity and a reader whose every get checks what remains.
 *
 * Both keep a sticky error, so a builder or a parser can do a run of puts
 * or gets and test once at the end: after the first failure every later
 * put writes nothing and every later get returns zeros (and a NULL pointer
 * for byte runs), and the error stays. Values are big-endian on the wire.
 */
#ifndef IKD_IKE_BUF_H
#define IKD_IKE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A writer over caller memory; data is never reallocated. */
struct ike_wbuf {
	uint8_t *data;
	size_t len;		/* bytes written */
	size_t cap;		/* bytes available at data */
	int err;		/* 0, or -ENOSPC once something did not fit */
};

void ike_wbuf_init(struct ike_wbuf *w, void *mem, size_t cap);
void ike_put8(struct ike_wbuf *w, uint8_t v);
void ike_put16(struct ike_wbuf *w, uint16_t v);
void ike_put32(struct ike_wbuf *w, uint32_t v);
void ike_put64(struct ike_wbuf *w, uint64_t v);
void ike_put_bytes(struct ike_wbuf *w, const void *p, size_t n);
void ike_put_zero(struct ike_wbuf *w, size_t n);
/* Reserves n bytes (zeroed) and returns them, or NULL (error set). */
uint8_t *ike_put_reserve(struct ike_wbuf *w, size_t n);
/* Overwrites bytes already written at @off (a length placeholder);
 * a write beyond len sets the error. */
void ike_wbuf_set8(struct ike_wbuf *w, size_t off, uint8_t v);
void ike_wbuf_set16(struct ike_wbuf *w, size_t off, uint16_t v);
void ike_wbuf_set32(struct ike_wbuf *w, size_t off, uint32_t v);
/* Drops everything after @len (which must not exceed the current len). */
void ike_wbuf_truncate(struct ike_wbuf *w, size_t len);

/* A reader over borrowed bytes. */
struct ike_rbuf {
	const uint8_t *data;
	size_t len;		/* bytes in the buffer */
	size_t off;		/* bytes consumed */
	int err;		/* 0, or -EBADMSG once a get ran past len */
};

void ike_rbuf_init(struct ike_rbuf *r, const void *mem, size_t len);
size_t ike_rbuf_left(const struct ike_rbuf *r);
uint8_t ike_get8(struct ike_rbuf *r);
uint16_t ike_get16(struct ike_rbuf *r);
uint32_t ike_get32(struct ike_rbuf *r);
uint64_t ike_get64(struct ike_rbuf *r);
/* Returns a pointer to the next n bytes and consumes them, or NULL. */
const uint8_t *ike_get_bytes(struct ike_rbuf *r, size_t n);
/* Copies n bytes to out (zeros on failure). */
void ike_get_copy(struct ike_rbuf *r, void *out, size_t n);
void ike_get_skip(struct ike_rbuf *r, size_t n);
/* A reader over the next n bytes, which are consumed from @r; on failure
 * both readers carry the error and the sub-reader is empty. */
struct ike_rbuf ike_get_sub(struct ike_rbuf *r, size_t n);

/* Big-endian helpers for already-checked memory. */
static inline uint16_t ike_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t ike_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t ike_be64(const uint8_t *p)
{
	return (uint64_t)ike_be32(p) << 32 | ike_be32(p + 4);
}

#endif /* IKD_IKE_BUF_H */
