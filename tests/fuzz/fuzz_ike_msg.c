// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for the IKEv2 codec (ikd/ike_msg.c). Each input is:
 *
 *  1. parsed as a datagram (ike_msg_parse); every chunk the parser hands
 *     out is touched, so ASan sees any reference past the input;
 *  2. if it has an SK payload, its data is parsed as if it were the
 *     decrypted inner chain (ike_msg_parse_inner), as the engine does;
 *  3. the SA and TS payloads of an accepted message are built again and
 *     parsed back: the result must be the same (builders and parser
 *     agree on every field).
 *
 * Seeds: tests/fuzz/corpus/ike_msg (messages of the unit tests' engines).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../ikd/ike_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

static void touch(struct ike_chunk c)
{
	for (size_t i = 0; i < c.len; i++)
		sink ^= c.ptr[i];
}

static void touch_all(const struct ike_msg *m)
{
	touch(m->ke.data);
	touch(m->nonce);
	touch(m->idi.data);
	touch(m->idi.body);
	touch(m->idr.body);
	touch(m->auth.data);
	touch(m->cp.data);
	for (unsigned int i = 0; i < m->nnotify; i++) {
		touch(m->notify[i].spi);
		touch(m->notify[i].data);
	}
	for (unsigned int i = 0; i < m->ndelete; i++)
		touch(m->del[i].spis);
	for (unsigned int i = 0; i < m->ncert; i++)
		touch(m->cert[i].data);
	for (unsigned int i = 0; i < m->ncertreq; i++)
		touch(m->certreq[i].data);
	for (unsigned int i = 0; i < m->nvendor; i++)
		touch(m->vendor[i].data);
	if (m->nonce.ptr && (m->nonce.len < 16 || m->nonce.len > 256))
		abort();
}

static void same_sa(const struct ike_sa_pl *a, const struct ike_sa_pl *b)
{
	if (a->nprop != b->nprop)
		abort();
	for (unsigned int i = 0; i < a->nprop; i++) {
		const struct ike_proposal *p = &a->prop[i], *q = &b->prop[i];

		if (p->num != q->num || p->proto != q->proto ||
		    p->spi_size != q->spi_size || p->nxf != q->nxf ||
		    memcmp(p->spi, q->spi, p->spi_size))
			abort();
		for (unsigned int j = 0; j < p->nxf; j++)
			if (p->xf[j].type != q->xf[j].type ||
			    p->xf[j].id != q->xf[j].id ||
			    p->xf[j].keylen != q->xf[j].keylen)
				abort();
	}
}

/* Rebuilds what was parsed (where that is lossless) and parses it back. */
static void round_trip(const struct ike_msg *m)
{
	static uint8_t buf[IKE_MSG_MAX];
	static struct ike_msg back;
	struct ike_wbuf w;
	struct ike_builder b;
	bool sa = ike_msg_has(m, IKE_PL_SA) && !m->sa.dropped;

	for (unsigned int i = 0; sa && i < m->sa.nprop; i++) {
		const struct ike_proposal *p = &m->sa.prop[i];

		/* Unknown attributes are not kept, nor transforms past
		 * the cap: those cannot be rebuilt as they were. */
		if (p->unusable)
			sa = false;
		for (unsigned int j = 0; j < p->nxf; j++)
			if (p->xf[j].unusable)
				sa = false;
	}
	ike_wbuf_init(&w, buf, sizeof(buf));
	ike_build_hdr(&b, &w, m->spi_i, m->spi_r, m->exchange, m->flags,
		      m->msgid);
	if (sa)
		ike_build_sa(&b, m->sa.prop, m->sa.nprop);
	if (ike_msg_has(m, IKE_PL_TSI) && !m->tsi.dropped)
		ike_build_ts(&b, IKE_PL_TSI, m->tsi.ts, m->tsi.nts);
	if (ike_build_end(&b))
		return;
	if (ike_msg_parse(&back, buf, w.len))
		abort();
	if (sa)
		same_sa(&m->sa, &back.sa);
	if (ike_msg_has(m, IKE_PL_TSI) && !m->tsi.dropped &&
	    (back.tsi.nts != m->tsi.nts ||
	     memcmp(back.tsi.ts, m->tsi.ts, m->tsi.nts * sizeof(m->tsi.ts[0]))))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ike_msg m;
	uint8_t *copy = malloc(size ? size : 1);

	/* An exact-size copy: ASan catches a read one past the end. */
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (ike_msg_parse(&m, copy, size) == 0) {
		touch_all(&m);
		round_trip(&m);
		if (ike_msg_has(&m, IKE_PL_SK) && m.sk_off <= size) {
			size_t n = size - m.sk_off;
			uint8_t *inner = malloc(n ? n : 1);

			if (inner) {
				memcpy(inner, copy + m.sk_off, n);
				if (ike_msg_parse_inner(&m, inner, n) == 0)
					touch_all(&m);
				free(inner);
			}
		}
	} else if (!m.err_text && !m.err_notify) {
		abort();	/* every refusal says why */
	}
	free(copy);
	return 0;
}
