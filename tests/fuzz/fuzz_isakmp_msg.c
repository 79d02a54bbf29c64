// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for the IKEv1 codec (ikd/isakmp_msg.c, isakmp_pl.c,
 * isakmp_build.c). Each input is:
 *
 *  1. parsed as a datagram (isakmp_msg_parse); with the E flag set, its
 *     body is parsed as if it were the decrypted plaintext
 *     (isakmp_msg_parse_body), as the exchange code will do;
 *  2. for an accepted chain, every payload is decoded again by its
 *     decoder, which must not fail (the parser ran it), every proposal,
 *     transform and attribute is iterated, and every chunk touched, so
 *     ASan sees any reference past the input;
 *  3. the chain is built again from what was decoded (each SA from its
 *     iterators, the rest from its bodies) and parsed back: it must be
 *     accepted and decode to the same fields.
 *
 * Seeds: tests/fuzz/corpus/isakmp_msg (the messages of the unit tests,
 * written by ISAKMP_CORPUS_DIR=... build/san/test_isakmp_msg).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../ikd/isakmp_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

static void touch(struct isakmp_chunk c)
{
	for (size_t i = 0; i < c.len; i++)
		sink ^= c.ptr[i];
}

static void must(bool ok)
{
	if (!ok)
		abort();
}

/* Walks an SA down to its attributes; with @b, writes it again. */
static void walk_sa(const struct isakmp_pl *pl, struct isakmp_builder *b)
{
	struct isakmp_sa sa;
	struct isakmp_iter pi, ti, ai;
	struct isakmp_prop p;
	struct isakmp_xform t;
	struct isakmp_attr a;
	uint64_t v;

	must(isakmp_dec_sa(pl, &sa, NULL) == 0);
	if (b)
		isakmp_build_sa_begin(b, sa.doi, sa.situation);
	isakmp_prop_iter(&pi, &sa);
	while (isakmp_prop_next(&pi, &p)) {
		touch(p.spi);
		if (b)
			isakmp_build_prop(b, p.num, p.proto, p.spi.ptr,
					  p.spi_size);
		isakmp_xform_iter(&ti, &p);
		while (isakmp_xform_next(&ti, &t)) {
			if (b)
				isakmp_build_xform(b, t.num, t.id);
			isakmp_attr_iter(&ai, &t);
			while (isakmp_attr_next(&ai, &a)) {
				touch(a.value);
				if (isakmp_attr_num(&a, &v))
					sink ^= (uint8_t)v;
				if (b && a.tv)
					isakmp_build_attr_tv(b, a.type,
						(uint16_t)(a.value.ptr[0] << 8 |
							   a.value.ptr[1]));
				else if (b)
					isakmp_build_attr_tlv(b, a.type,
						a.value.ptr, (uint16_t)a.value.len);
			}
			must(!ai.why.notify);
		}
		must(!ti.why.notify && ti.n == p.nxf);
	}
	must(!pi.why.notify && pi.n > 0);
	if (b)
		isakmp_build_sa_end(b);
}

/* Decodes one payload (it must decode: the parser accepted it). */
static void decode(const struct isakmp_pl *pl)
{
	struct isakmp_id id;
	struct isakmp_cert c;
	struct isakmp_notify n;
	struct isakmp_delete d;
	struct isakmp_nat_oa oa;
	struct isakmp_frag f;

	touch(pl->body);
	switch (pl->type) {
	case ISAKMP_PL_SA:
		walk_sa(pl, NULL);
		break;
	case ISAKMP_PL_ID:
		must(isakmp_dec_id(pl, &id, NULL) == 0);
		must(!id.addr_len || id.data.len == id.addr_len ||
		     id.data.len == 2u * id.addr_len);
		touch(id.data);
		break;
	case ISAKMP_PL_CERT:
	case ISAKMP_PL_CR:
		must(isakmp_dec_cert(pl, &c, NULL) == 0);
		touch(c.data);
		break;
	case ISAKMP_PL_N:
		must(isakmp_dec_notify(pl, &n, NULL) == 0);
		touch(n.spi);
		touch(n.data);
		break;
	case ISAKMP_PL_D:
		must(isakmp_dec_delete(pl, &d, NULL) == 0);
		must(d.spis.len == (size_t)d.nspi * d.spi_size);
		touch(d.spis);
		break;
	case ISAKMP_PL_NAT_OA:
	case ISAKMP_PL_NAT_OA_DRAFT:
		must(isakmp_dec_nat_oa(pl, &oa, NULL) == 0);
		touch(oa.addr);
		break;
	case ISAKMP_PL_FRAG:
		must(isakmp_dec_frag(pl, &f, NULL) == 0);
		touch(f.data);
		break;
	case ISAKMP_PL_NONCE:
		must(pl->body.len >= ISAKMP_NONCE_MIN &&
		     pl->body.len <= ISAKMP_NONCE_MAX);
		break;
	}
}

static void decode_all(const struct isakmp_msg *m)
{
	for (unsigned int i = 0; i < m->npl; i++) {
		struct isakmp_chunk after = isakmp_msg_after(m, &m->pl[i]);

		must(after.ptr >= m->chain.ptr &&
		     after.ptr + after.len == m->chain.ptr + m->chain.len);
		decode(&m->pl[i]);
	}
}

/* Two accepted chains carry the same payloads (RESERVED bytes aside). */
static void same_chain(const struct isakmp_msg *a, const struct isakmp_msg *b)
{
	must(a->npl == b->npl);
	for (unsigned int i = 0; i < a->npl; i++) {
		const struct isakmp_pl *p = &a->pl[i], *q = &b->pl[i];

		must(p->type == q->type);
		if (p->type != ISAKMP_PL_SA)
			must(p->body.len == q->body.len &&
			     !memcmp(p->body.ptr, q->body.ptr, p->body.len));
	}
}

/* SAs compared field by field through the iterators of both. */
static void same_sa(const struct isakmp_pl *x, const struct isakmp_pl *y)
{
	struct isakmp_sa sa[2];
	struct isakmp_iter pi[2], ti[2], ai[2];
	struct isakmp_prop p[2];
	struct isakmp_xform t[2];
	struct isakmp_attr a[2];

	must(!isakmp_dec_sa(x, &sa[0], NULL) && !isakmp_dec_sa(y, &sa[1], NULL));
	isakmp_prop_iter(&pi[0], &sa[0]);
	isakmp_prop_iter(&pi[1], &sa[1]);
	while (isakmp_prop_next(&pi[0], &p[0])) {
		must(isakmp_prop_next(&pi[1], &p[1]));
		must(p[0].num == p[1].num && p[0].proto == p[1].proto &&
		     p[0].nxf == p[1].nxf && p[0].spi_size == p[1].spi_size &&
		     !memcmp(p[0].spi.ptr, p[1].spi.ptr, p[0].spi.len));
		isakmp_xform_iter(&ti[0], &p[0]);
		isakmp_xform_iter(&ti[1], &p[1]);
		while (isakmp_xform_next(&ti[0], &t[0])) {
			must(isakmp_xform_next(&ti[1], &t[1]));
			must(t[0].num == t[1].num && t[0].id == t[1].id);
			must(t[0].attrs.len == t[1].attrs.len &&
			     !memcmp(t[0].attrs.ptr, t[1].attrs.ptr,
				     t[0].attrs.len));
			isakmp_attr_iter(&ai[0], &t[0]);
			isakmp_attr_iter(&ai[1], &t[1]);
			while (isakmp_attr_next(&ai[0], &a[0]))
				must(isakmp_attr_next(&ai[1], &a[1]) &&
				     a[0].type == a[1].type &&
				     a[0].tv == a[1].tv);
		}
	}
	must(!isakmp_prop_next(&pi[1], &p[1]));
}

/* Writes the chain of @m again and parses it back. */
static void round_trip(const struct isakmp_msg *m)
{
	static uint8_t buf[ISAKMP_MSG_MAX];
	static struct isakmp_msg back;
	struct ike_wbuf w;
	struct isakmp_builder b;

	ike_wbuf_init(&w, buf, sizeof(buf));
	isakmp_build_hdr(&b, &w, m->cky_i, m->cky_r, m->exchange,
			 m->flags & ~ISAKMP_FLAG_E, m->msgid);
	for (unsigned int i = 0; i < m->npl; i++) {
		const struct isakmp_pl *pl = &m->pl[i];

		if (pl->type == ISAKMP_PL_SA)
			walk_sa(pl, &b);
		else
			isakmp_build_data(&b, pl->type, pl->body.ptr,
					  pl->body.len);
	}
	if (isakmp_build_end(&b))
		return;	/* a decrypted body may not fit one datagram */
	must(isakmp_msg_parse(&back, buf, w.len) == 0);
	same_chain(m, &back);
	for (unsigned int i = 0; i < m->npl; i++)
		if (m->pl[i].type == ISAKMP_PL_SA)
			same_sa(&m->pl[i], &back.pl[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct isakmp_msg m;
	uint8_t *copy = malloc(size ? size : 1);
	int err;

	/* An exact-size copy: ASan catches a read one past the end. */
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	err = isakmp_msg_parse(&m, copy, size);
	if (!err && (m.flags & ISAKMP_FLAG_E) && m.np != ISAKMP_PL_FRAG) {
		/* As if the body had been decrypted in place. */
		must(m.body.ptr == copy + ISAKMP_HDR_LEN &&
		     m.body.len + ISAKMP_HDR_LEN + m.trailing == size);
		err = isakmp_msg_parse_body(&m, m.np, m.body.ptr, m.body.len);
	}
	if (!err) {
		decode_all(&m);
		round_trip(&m);
	} else {
		must(m.err_text && m.err_notify);	/* every refusal says why */
	}
	free(copy);
	return 0;
}
