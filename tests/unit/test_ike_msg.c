// SPDX-License-Identifier: BSD-2-Clause
/*
 * The IKEv2 codec: every payload built and parsed back field by field;
 * then malformed messages, each made from a valid one with one thing
 * wrong, refused with the right error. Messages are parsed from heap
 * copies of their exact size, so ASan reports any read past the end.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "../../ikd/ike_msg.h"

#define SPI_I	0x0102030405060708ull
#define SPI_R	0x1112131415161718ull

struct msg {
	uint8_t data[8192];
	struct ike_wbuf w;
	struct ike_builder b;
};

static void begin(struct msg *m, uint8_t exch, uint8_t flags, uint32_t id)
{
	ike_wbuf_init(&m->w, m->data, sizeof(m->data));
	ike_build_hdr(&m->b, &m->w, SPI_I, SPI_R, exch, flags, id);
}

static size_t end(struct msg *m)
{
	assert_int_equal(ike_build_end(&m->b), 0);
	return m->w.len;
}

/* Parses a heap copy of exactly len bytes; the copy is freed by the
 * caller through *copy (parsed chunks point into it). */
static int parse(const uint8_t *data, size_t len, struct ike_msg *pm,
		 uint8_t **copy)
{
	*copy = malloc(len ? len : 1);
	assert_non_null(*copy);
	memcpy(*copy, data, len);
	return ike_msg_parse(pm, *copy, len);
}

static int parse_once(const uint8_t *data, size_t len, struct ike_msg *pm)
{
	uint8_t *copy;
	int err = parse(data, len, pm, &copy);

	free(copy);
	return err;
}

static struct ike_msg *new_msg(void)
{
	struct ike_msg *pm = calloc(1, sizeof(*pm));

	assert_non_null(pm);
	return pm;
}

/* Writes a 32-bit length into the header of m (for length tests). */
static void set_len(uint8_t *data, uint32_t len)
{
	data[24] = (uint8_t)(len >> 24);
	data[25] = (uint8_t)(len >> 16);
	data[26] = (uint8_t)(len >> 8);
	data[27] = (uint8_t)len;
}

static void ike_props(struct ike_proposal *p)
{
	memset(p, 0, 2 * sizeof(*p));
	p[0].num = 1;
	p[0].proto = IKE_PROTO_IKE;
	p[0].nxf = 4;
	p[0].xf[0] = (struct ike_xform){ IKE_XF_ENCR, IKE_ENCR_AES_CBC, 256, false };
	p[0].xf[1] = (struct ike_xform){ IKE_XF_PRF, IKE_PRF_HMAC_SHA2_256, 0, false };
	p[0].xf[2] = (struct ike_xform){ IKE_XF_INTEG, IKE_AUTH_HMAC_SHA2_256_128, 0, false };
	p[0].xf[3] = (struct ike_xform){ IKE_XF_DH, IKE_DH_MODP2048, 0, false };
	p[1].num = 2;
	p[1].proto = IKE_PROTO_IKE;
	p[1].nxf = 3;
	p[1].xf[0] = (struct ike_xform){ IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 128, false };
	p[1].xf[1] = (struct ike_xform){ IKE_XF_PRF, IKE_PRF_HMAC_SHA2_512, 0, false };
	p[1].xf[2] = (struct ike_xform){ IKE_XF_DH, IKE_DH_CURVE25519, 0, false };
}

static struct ike_ts ts4(const char *a, const char *b, uint8_t proto,
			 uint16_t sp, uint16_t ep)
{
	struct ike_ts t = { .type = IKE_TS_IPV4_ADDR_RANGE, .proto = proto,
			    .sport = sp, .eport = ep };

	assert_int_equal(inet_pton(AF_INET, a, t.start), 1);
	assert_int_equal(inet_pton(AF_INET, b, t.end), 1);
	return t;
}

static struct ike_ts ts6(const char *a, const char *b)
{
	struct ike_ts t = { .type = IKE_TS_IPV6_ADDR_RANGE, .eport = 65535 };

	assert_int_equal(inet_pton(AF_INET6, a, t.start), 1);
	assert_int_equal(inet_pton(AF_INET6, b, t.end), 1);
	return t;
}

static void chunk_is(struct ike_chunk c, const void *want, size_t len)
{
	assert_int_equal(c.len, len);
	assert_memory_equal(c.ptr, want, len);
}

/* --- every payload, built and parsed back -------------------------------- */

static void test_header_round_trip(void **state)
{
	struct msg m;
	struct ike_msg *pm = new_msg();
	uint8_t *copy;
	size_t len;

	(void)state;
	begin(&m, IKE_INFORMATIONAL, IKE_FLAG_I | IKE_FLAG_R, 0x01020304);
	len = end(&m);
	assert_int_equal(len, IKE_HDR_LEN);
	assert_int_equal(parse(m.data, len, pm, &copy), 0);
	assert_true(pm->spi_i == SPI_I);
	assert_true(pm->spi_r == SPI_R);
	assert_int_equal(pm->np, IKE_PL_NONE);
	assert_int_equal(pm->version, 0x20);
	assert_int_equal(pm->exchange, IKE_INFORMATIONAL);
	assert_int_equal(pm->flags, IKE_FLAG_I | IKE_FLAG_R);
	assert_int_equal(pm->msgid, 0x01020304);
	assert_int_equal(pm->length, IKE_HDR_LEN);
	assert_int_equal(pm->seen, 0);
	free(copy);
	free(pm);
}

static void test_every_payload(void **state)
{
	static const uint8_t ke[256] = { 1, 2, 3 }, nonce[32] = { 9, 8 };
	static const uint8_t idi[] = "alice.example.org", idr[] = { 192, 0, 2, 1 };
	static const uint8_t auth[32] = { 0xaa }, cert[] = { 0x30, 0x82 };
	static const uint8_t creq[20] = { 0x55 }, vid[] = "kipsec ikd";
	static const uint8_t nspi[4] = { 0xde, 0xad, 0xbe, 0xef };
	static const uint8_t ndata[] = { 0, 14 };
	static const uint8_t spis[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t cpattrs[] = { 0, 1, 0, 0 };
	struct ike_proposal props[2];
	struct ike_ts tsi[2], tsr[1];
	struct msg m;
	struct ike_msg *pm = new_msg();
	uint8_t *copy;
	size_t len;

	(void)state;
	ike_props(props);
	tsi[0] = ts4("10.0.0.0", "10.0.0.255", 6, 0, 65535);
	tsi[1] = ts6("2001:db8::", "2001:db8::ffff");
	tsr[0] = ts4("192.0.2.7", "192.0.2.7", 17, 500, 500);
	begin(&m, IKE_AUTH, IKE_FLAG_I, 1);
	ike_build_sa(&m.b, props, 2);
	ike_build_ke(&m.b, IKE_DH_MODP2048, ke, sizeof(ke));
	ike_build_nonce(&m.b, nonce, sizeof(nonce));
	ike_build_id(&m.b, IKE_PL_IDI, IKE_ID_FQDN, idi, sizeof(idi) - 1);
	ike_build_id(&m.b, IKE_PL_IDR, IKE_ID_IPV4_ADDR, idr, sizeof(idr));
	ike_build_cert(&m.b, IKE_PL_CERT, 4, cert, sizeof(cert));
	ike_build_cert(&m.b, IKE_PL_CERTREQ, 4, creq, sizeof(creq));
	ike_build_auth(&m.b, IKE_AUTH_PSK, auth, sizeof(auth));
	ike_build_notify(&m.b, IKE_PROTO_ESP, nspi, 4, IKE_N_REKEY_SA, NULL, 0);
	ike_build_notify(&m.b, 0, NULL, 0, IKE_N_INVALID_KE_PAYLOAD, ndata, 2);
	ike_build_delete(&m.b, IKE_PROTO_ESP, 4, spis, 2);
	ike_build_delete(&m.b, IKE_PROTO_IKE, 0, NULL, 0);
	ike_build_vendor(&m.b, vid, sizeof(vid) - 1);
	ike_build_ts(&m.b, IKE_PL_TSI, tsi, 2);
	ike_build_ts(&m.b, IKE_PL_TSR, tsr, 1);
	ike_build_cp(&m.b, IKE_CFG_REQUEST, cpattrs, sizeof(cpattrs));
	len = end(&m);

	assert_int_equal(parse(m.data, len, pm, &copy), 0);
	assert_int_equal(pm->np, IKE_PL_SA);
	/* SA */
	assert_true(ike_msg_has(pm, IKE_PL_SA));
	assert_int_equal(pm->sa.nprop, 2);
	assert_int_equal(pm->sa.dropped, 0);
	for (int i = 0; i < 2; i++) {
		const struct ike_proposal *p = &pm->sa.prop[i];

		assert_int_equal(p->num, props[i].num);
		assert_int_equal(p->proto, IKE_PROTO_IKE);
		assert_int_equal(p->spi_size, 0);
		assert_false(p->unusable);
		assert_int_equal(p->nxf, props[i].nxf);
		for (int j = 0; j < p->nxf; j++) {
			assert_int_equal(p->xf[j].type, props[i].xf[j].type);
			assert_int_equal(p->xf[j].id, props[i].xf[j].id);
			assert_int_equal(p->xf[j].keylen, props[i].xf[j].keylen);
			assert_false(p->xf[j].unusable);
		}
	}
	/* KE, Nonce */
	assert_int_equal(pm->ke.group, IKE_DH_MODP2048);
	chunk_is(pm->ke.data, ke, sizeof(ke));
	chunk_is(pm->nonce, nonce, sizeof(nonce));
	/* IDs: data, and the body AUTH signs (type, 3 reserved, data) */
	assert_int_equal(pm->idi.type, IKE_ID_FQDN);
	chunk_is(pm->idi.data, idi, sizeof(idi) - 1);
	assert_int_equal(pm->idi.body.len, 4 + sizeof(idi) - 1);
	assert_int_equal(pm->idi.body.ptr[0], IKE_ID_FQDN);
	assert_ptr_equal(pm->idi.body.ptr + 4, pm->idi.data.ptr);
	assert_int_equal(pm->idr.type, IKE_ID_IPV4_ADDR);
	chunk_is(pm->idr.data, idr, sizeof(idr));
	/* CERT, CERTREQ, AUTH */
	assert_int_equal(pm->ncert, 1);
	assert_int_equal(pm->cert[0].type, 4);
	chunk_is(pm->cert[0].data, cert, sizeof(cert));
	assert_int_equal(pm->ncertreq, 1);
	chunk_is(pm->certreq[0].data, creq, sizeof(creq));
	assert_int_equal(pm->auth.method, IKE_AUTH_PSK);
	chunk_is(pm->auth.data, auth, sizeof(auth));
	/* N */
	assert_int_equal(pm->nnotify, 2);
	assert_int_equal(pm->notify[0].proto, IKE_PROTO_ESP);
	assert_int_equal(pm->notify[0].type, IKE_N_REKEY_SA);
	chunk_is(pm->notify[0].spi, nspi, 4);
	assert_int_equal(pm->notify[0].data.len, 0);
	assert_ptr_equal(ike_msg_notify(pm, IKE_N_INVALID_KE_PAYLOAD),
			 &pm->notify[1]);
	assert_ptr_equal(ike_msg_error_notify(pm), &pm->notify[1]);
	chunk_is(pm->notify[1].data, ndata, 2);
	assert_null(ike_msg_notify(pm, IKE_N_COOKIE));
	/* D */
	assert_int_equal(pm->ndelete, 2);
	assert_int_equal(pm->del[0].proto, IKE_PROTO_ESP);
	assert_int_equal(pm->del[0].spi_size, 4);
	assert_int_equal(pm->del[0].nspi, 2);
	chunk_is(pm->del[0].spis, spis, 8);
	assert_int_equal(pm->del[1].proto, IKE_PROTO_IKE);
	assert_int_equal(pm->del[1].nspi, 0);
	/* V */
	assert_int_equal(pm->nvendor, 1);
	chunk_is(pm->vendor[0].data, vid, sizeof(vid) - 1);
	/* TS */
	assert_int_equal(pm->tsi.nts, 2);
	assert_memory_equal(&pm->tsi.ts[0], &tsi[0], sizeof(tsi[0]));
	assert_memory_equal(&pm->tsi.ts[1], &tsi[1], sizeof(tsi[1]));
	assert_int_equal(pm->tsr.nts, 1);
	assert_memory_equal(&pm->tsr.ts[0], &tsr[0], sizeof(tsr[0]));
	/* CP */
	assert_true(ike_msg_has(pm, IKE_PL_CP));
	assert_int_equal(pm->cp.type, IKE_CFG_REQUEST);
	chunk_is(pm->cp.data, cpattrs, sizeof(cpattrs));
	assert_false(ike_msg_has(pm, IKE_PL_SK));
	free(copy);
	free(pm);
}

static void test_esp_proposal_spi(void **state)
{
	struct ike_proposal p = { .num = 1, .proto = IKE_PROTO_ESP,
				  .spi_size = 4, .spi = { 0xc0, 1, 2, 3 },
				  .nxf = 3 };
	struct msg m;
	struct ike_msg *pm = new_msg();

	(void)state;
	p.xf[0] = (struct ike_xform){ IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 256, false };
	p.xf[1] = (struct ike_xform){ IKE_XF_ESN, IKE_ESN_YES, 0, false };
	p.xf[2] = (struct ike_xform){ IKE_XF_ESN, IKE_ESN_NO, 0, false };
	begin(&m, IKE_AUTH, IKE_FLAG_R, 1);
	ike_build_sa(&m.b, &p, 1);
	assert_int_equal(parse_once(m.data, end(&m), pm), 0);
	assert_int_equal(pm->sa.prop[0].spi_size, 4);
	assert_memory_equal(pm->sa.prop[0].spi, p.spi, 4);
	assert_int_equal(pm->sa.prop[0].nxf, 3);
	assert_int_equal(pm->sa.prop[0].xf[2].type, IKE_XF_ESN);
	free(pm);
}

/* An SK payload ends the outer chain; the inner chain parses into the
 * same message. (The encryption itself is tested with the crypto.) */
static void test_sk_reference_and_inner(void **state)
{
	static const uint8_t idi[] = "bob@example.org";
	uint8_t inner[256];
	struct ike_wbuf iw;
	struct ike_builder ib;
	struct msg m;
	struct ike_msg *pm = new_msg();
	uint8_t *copy;
	size_t off, len;

	(void)state;
	ike_wbuf_init(&iw, inner, sizeof(inner));
	ike_build_chain(&ib, &iw);
	ike_build_id(&ib, IKE_PL_IDI, IKE_ID_RFC822_ADDR, idi, sizeof(idi) - 1);
	ike_build_notify(&ib, 0, NULL, 0, IKE_N_INITIAL_CONTACT, NULL, 0);
	assert_int_equal(ike_build_end(&ib), 0);
	assert_int_equal(ib.first_np, IKE_PL_IDI);

	begin(&m, IKE_AUTH, IKE_FLAG_I, 1);
	off = ike_build_open(&m.b, IKE_PL_SK);
	m.data[off] = IKE_PL_IDI;
	ike_put_bytes(&m.w, "0123456789abcdef", 16);
	ike_build_close(&m.b, off);
	len = end(&m);
	assert_int_equal(parse(m.data, len, pm, &copy), 0);
	assert_true(ike_msg_has(pm, IKE_PL_SK));
	assert_int_equal(pm->sk_np, IKE_PL_IDI);
	assert_int_equal(pm->sk_off, IKE_HDR_LEN + 4);
	assert_false(ike_msg_has(pm, IKE_PL_IDI));
	assert_int_equal(ike_msg_parse_inner(pm, inner, iw.len), 0);
	assert_int_equal(pm->idi.type, IKE_ID_RFC822_ADDR);
	chunk_is(pm->idi.data, idi, sizeof(idi) - 1);
	assert_non_null(ike_msg_notify(pm, IKE_N_INITIAL_CONTACT));
	free(copy);
	free(pm);
}

/* --- the header ---------------------------------------------------------- */

static void test_header_errors(void **state)
{
	struct msg m;
	struct ike_msg *pm = new_msg();
	uint8_t buf[64];
	size_t len;

	(void)state;
	begin(&m, IKE_SA_INIT, IKE_FLAG_I, 0);
	ike_build_nonce(&m.b, (const uint8_t *)"0123456789abcdef", 16);
	len = end(&m);

	for (size_t l = 0; l < IKE_HDR_LEN; l++)
		assert_int_equal(parse_once(m.data, l, pm), -EBADMSG);

	/* header length shorter and longer than the datagram */
	memcpy(buf, m.data, len);
	set_len(buf, (uint32_t)len - 1);
	assert_int_equal(parse_once(buf, len, pm), -EBADMSG);
	assert_int_equal(pm->err_notify, IKE_N_INVALID_SYNTAX);
	set_len(buf, (uint32_t)len + 1);
	assert_int_equal(parse_once(buf, len, pm), -EBADMSG);
	set_len(buf, 0xffffffff);
	assert_int_equal(parse_once(buf, len, pm), -EBADMSG);

	/* IKEv1 and IKEv3: the header is still there to answer */
	memcpy(buf, m.data, len);
	buf[17] = 0x10;
	assert_int_equal(parse_once(buf, len, pm), -EPROTONOSUPPORT);
	assert_int_equal(pm->err_notify, IKE_N_INVALID_MAJOR_VERSION);
	assert_int_equal(pm->exchange, IKE_SA_INIT);
	buf[17] = 0x30;
	assert_int_equal(parse_once(buf, len, pm), -EPROTONOSUPPORT);
	/* a minor version is accepted (2.5) */
	buf[17] = 0x21;
	assert_int_equal(parse_once(buf, len, pm), 0);

	/* zero initiator SPI */
	memcpy(buf, m.data, len);
	memset(buf, 0, 8);
	assert_int_equal(parse_once(buf, len, pm), -EBADMSG);
	free(pm);
}

/* Every shorter prefix of a valid message, with the header's length made
 * to agree, must be refused without reading past it. */
static void test_every_truncation(void **state)
{
	static const uint8_t k[64], n[32];
	struct ike_proposal props[2];
	struct ike_ts t = ts4("10.1.0.0", "10.1.255.255", 0, 0, 65535);
	struct msg m;
	struct ike_msg *pm = new_msg();
	size_t len;
	uint8_t *buf;

	(void)state;
	ike_props(props);
	begin(&m, IKE_SA_INIT, IKE_FLAG_I, 0);
	ike_build_sa(&m.b, props, 2);
	ike_build_ke(&m.b, IKE_DH_ECP256, k, sizeof(k));
	ike_build_nonce(&m.b, n, sizeof(n));
	ike_build_ts(&m.b, IKE_PL_TSI, &t, 1);
	ike_build_delete(&m.b, IKE_PROTO_ESP, 4, n, 3);
	ike_build_notify(&m.b, IKE_PROTO_ESP, n, 4, IKE_N_REKEY_SA, n, 5);
	len = end(&m);
	buf = malloc(len);
	assert_non_null(buf);
	for (size_t l = IKE_HDR_LEN; l < len; l++) {
		memcpy(buf, m.data, l);
		set_len(buf, (uint32_t)l);
		assert_int_equal(ike_msg_parse(pm, buf, l), -EBADMSG);
	}
	free(buf);
	free(pm);
}

/* Every single-byte change of a valid message either parses or is
 * refused; it never reads out of bounds (ASan) or crashes. */
static void test_every_byte_flip(void **state)
{
	static const uint8_t n[32];
	struct ike_proposal props[2];
	struct ike_ts t[2] = { ts4("10.1.0.0", "10.1.255.255", 0, 0, 65535),
			       ts6("::", "ffff::") };
	struct msg m;
	struct ike_msg *pm = new_msg();
	size_t len;
	uint8_t *buf;
	unsigned int ok = 0;

	(void)state;
	ike_props(props);
	begin(&m, IKE_AUTH, IKE_FLAG_I, 1);
	ike_build_sa(&m.b, props, 2);
	ike_build_ts(&m.b, IKE_PL_TSI, t, 2);
	ike_build_delete(&m.b, IKE_PROTO_AH, 4, n, 2);
	ike_build_id(&m.b, IKE_PL_IDI, IKE_ID_KEY_ID, n, 7);
	len = end(&m);
	buf = malloc(len);
	assert_non_null(buf);
	for (size_t i = IKE_HDR_LEN; i < len; i++) {
		static const uint8_t vals[] = { 0x00, 0x01, 0x03, 0x04, 0x7f,
						0x80, 0xff };

		for (size_t v = 0; v < sizeof(vals); v++) {
			int err;

			memcpy(buf, m.data, len);
			buf[i] = vals[v];
			err = ike_msg_parse(pm, buf, len);
			assert_true(err == 0 || err == -EBADMSG ||
				    err == -ENOTSUP);
			ok += err == 0;
		}
	}
	assert_true(ok > 0);
	free(buf);
	free(pm);
}

/* --- the payload chain --------------------------------------------------- */

/* A header followed by raw payload bytes, first payload type np. */
static size_t raw_msg(uint8_t *out, uint8_t np, const uint8_t *pl, size_t n)
{
	struct ike_wbuf w;
	struct ike_builder b;

	ike_wbuf_init(&w, out, IKE_HDR_LEN + n);
	ike_build_hdr(&b, &w, SPI_I, 0, IKE_SA_INIT, IKE_FLAG_I, 0);
	ike_put_bytes(&w, pl, n);
	out[16] = np;
	assert_int_equal(ike_build_end(&b), 0);
	return w.len;
}

static void expect_bad(uint8_t np, const uint8_t *pl, size_t n)
{
	uint8_t buf[1024];
	struct ike_msg *pm = new_msg();
	size_t len = raw_msg(buf, np, pl, n);

	assert_int_equal(parse_once(buf, len, pm), -EBADMSG);
	assert_int_equal(pm->err_notify, IKE_N_INVALID_SYNTAX);
	assert_non_null(pm->err_text);
	free(pm);
}

static void expect_ok(uint8_t np, const uint8_t *pl, size_t n,
		      struct ike_msg *pm)
{
	static uint8_t buf[1024];
	size_t len = raw_msg(buf, np, pl, n);

	assert_int_equal(ike_msg_parse(pm, buf, len), 0);
}

static void test_chain_errors(void **state)
{
	/* vendor ID payloads: generic header + body */
	static const uint8_t len0[] = { 0, 0, 0, 0 };
	static const uint8_t len3[] = { 0, 0, 0, 3, 1, 2, 3 };
	static const uint8_t past[] = { 0, 0, 0, 9, 1, 2, 3, 4 };
	static const uint8_t dangling[] = { IKE_PL_VENDOR, 0, 0, 5, 1 };
	static const uint8_t trailing[] = { 0, 0, 0, 5, 1, 0xee };
	static const uint8_t half_hdr[] = { IKE_PL_VENDOR, 0, 0, 5, 1, 0, 0 };
	static const uint8_t two_nonces[] = {
		IKE_PL_NONCE, 0, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
		13, 14, 15, 16,
		0, 0, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
		15, 16,
	};
	static const uint8_t sk_not_last[] = {
		IKE_PL_VENDOR, 0, 0, 6, 0xaa, 0xbb,
		0, 0, 0, 4,
	};
	uint8_t many[4 * (IKE_MAX_PAYLOADS + 1)];

	(void)state;
	expect_bad(IKE_PL_VENDOR, len0, sizeof(len0));	/* would loop */
	expect_bad(IKE_PL_VENDOR, len3, sizeof(len3));
	expect_bad(IKE_PL_VENDOR, past, sizeof(past));
	expect_bad(IKE_PL_VENDOR, dangling, sizeof(dangling));
	expect_bad(IKE_PL_VENDOR, trailing, sizeof(trailing));
	expect_bad(IKE_PL_VENDOR, half_hdr, sizeof(half_hdr));
	expect_bad(IKE_PL_NONCE, two_nonces, sizeof(two_nonces));
	expect_bad(IKE_PL_SK, sk_not_last, sizeof(sk_not_last));
	/* a first payload with no bytes at all */
	expect_bad(IKE_PL_VENDOR, NULL, 0);

	/* IKE_MAX_PAYLOADS + 1 empty vendor IDs */
	for (size_t i = 0; i < sizeof(many); i += 4) {
		many[i] = i + 4 < sizeof(many) ? IKE_PL_VENDOR : 0;
		many[i + 1] = 0;
		many[i + 2] = 0;
		many[i + 3] = 4;
	}
	expect_bad(IKE_PL_VENDOR, many, sizeof(many));
	{
		struct ike_msg *pm = new_msg();

		expect_ok(IKE_PL_VENDOR, many + 4, sizeof(many) - 4, pm);
		assert_int_equal(pm->nvendor, IKE_MAX_OPAQUE);
		free(pm);
	}
}

static void test_critical_payloads(void **state)
{
	/* type 200, unknown: skipped without C, refused with it */
	static const uint8_t plain[] = { IKE_PL_NONCE, 0, 0, 6, 0xaa, 0xbb,
		0, 0, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
		15, 16 };
	uint8_t crit[sizeof(plain)], buf[128];
	struct ike_msg *pm = new_msg();
	size_t len;

	(void)state;
	expect_ok(200, plain, sizeof(plain), pm);
	assert_int_equal(pm->nonce.len, 16);
	assert_int_equal(pm->seen, 1u << (IKE_PL_NONCE - 32));

	memcpy(crit, plain, sizeof(plain));
	crit[1] = IKE_PL_CRITICAL;
	len = raw_msg(buf, 200, crit, sizeof(crit));
	assert_int_equal(parse_once(buf, len, pm), -ENOTSUP);
	assert_int_equal(pm->err_notify, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD);
	assert_int_equal(pm->err_payload, 200);

	/* the C bit on a payload we know is ignored (2.5) */
	memcpy(crit, plain, sizeof(plain));
	crit[7] = IKE_PL_CRITICAL;
	expect_ok(200, crit, sizeof(crit), pm);
	assert_int_equal(pm->nonce.len, 16);
	free(pm);
}

/* --- payload bodies ------------------------------------------------------ */

/* One SA payload with the given body. */
static int parse_sa_body(const uint8_t *body, size_t n, struct ike_msg *pm)
{
	uint8_t pl[512], buf[600];

	assert_true(n + 4 <= sizeof(pl));
	pl[0] = 0;
	pl[1] = 0;
	pl[2] = (uint8_t)((n + 4) >> 8);
	pl[3] = (uint8_t)(n + 4);
	memcpy(pl + 4, body, n);
	return parse_once(buf, raw_msg(buf, IKE_PL_SA, pl, n + 4), pm);
}

static void test_sa_errors(void **state)
{
	/* one IKE proposal with two transforms (encr+keylen, dh) */
	static const uint8_t good[] = {
		0, 0, 0, 28, 1, IKE_PROTO_IKE, 0, 2,
		3, 0, 0, 12, IKE_XF_ENCR, 0, 0, 12, 0x80, 14, 0, 128,
		0, 0, 0, 8, IKE_XF_DH, 0, 0, 14,
	};
	struct ike_msg *pm = new_msg();
	uint8_t b[64];

	(void)state;
	assert_int_equal(parse_sa_body(good, sizeof(good), pm), 0);
	assert_int_equal(pm->sa.prop[0].nxf, 2);
	assert_int_equal(pm->sa.prop[0].xf[0].keylen, 128);

#define MUTATE(i, v) do { \
		memcpy(b, good, sizeof(good)); b[i] = (v); \
		assert_int_equal(parse_sa_body(b, sizeof(good), pm), -EBADMSG); \
	} while (0)
	MUTATE(0, 2);		/* "more proposals" on the last one */
	MUTATE(0, 1);		/* neither 0 nor 2 */
	MUTATE(3, 7);		/* proposal length below 8 */
	MUTATE(3, 27);		/* proposal shorter than its transforms */
	MUTATE(3, 29);		/* proposal longer than the SA payload */
	MUTATE(7, 3);		/* more transforms than present */
	MUTATE(7, 1);		/* fewer transforms than present */
	MUTATE(7, 0);		/* no transforms */
	MUTATE(8, 0);		/* "last transform" on the first */
	MUTATE(20, 3);		/* "more transforms" on the last */
	MUTATE(11, 7);		/* transform length below 8 */
	MUTATE(11, 13);		/* transform runs into the next */
	MUTATE(6, 4);		/* IKE proposal SPI size 4 */
	MUTATE(6, 9);		/* SPI size over 8 */
#undef MUTATE
	/* TLV attribute running past the transform */
	memcpy(b, good, sizeof(good));
	b[16] = 0;
	b[18] = 0;
	b[19] = 8;
	assert_int_equal(parse_sa_body(b, sizeof(good), pm), -EBADMSG);
	/* ESP without an SPI */
	memcpy(b, good, sizeof(good));
	b[5] = IKE_PROTO_ESP;
	assert_int_equal(parse_sa_body(b, sizeof(good), pm), -EBADMSG);
	/* an SA payload with no proposal */
	assert_int_equal(parse_sa_body(b, 0, pm), -EBADMSG);
	/* unknown attribute and transform type: parsed, marked unusable */
	memcpy(b, good, sizeof(good));
	b[17] = 15;
	assert_int_equal(parse_sa_body(b, sizeof(good), pm), 0);
	assert_true(pm->sa.prop[0].xf[0].unusable);
	assert_false(pm->sa.prop[0].unusable);
	memcpy(b, good, sizeof(good));
	b[24] = 9;
	assert_int_equal(parse_sa_body(b, sizeof(good), pm), 0);
	assert_true(pm->sa.prop[0].unusable);
	free(pm);
}

static void test_sa_numbering_and_caps(void **state)
{
	struct ike_proposal *props = calloc(IKE_MAX_PROPOSALS + 8,
					    sizeof(*props));
	struct ike_msg *pm = new_msg();
	struct msg *m = malloc(sizeof(*m));
	uint8_t *copy;
	size_t len;

	(void)state;
	assert_non_null(props);
	assert_non_null(m);
	for (int i = 0; i < IKE_MAX_PROPOSALS + 8; i++) {
		props[i].num = (uint8_t)(i + 1);
		props[i].proto = IKE_PROTO_ESP;
		props[i].spi_size = 4;
		props[i].nxf = 1;
		props[i].xf[0] = (struct ike_xform){ IKE_XF_ENCR, IKE_ENCR_3DES, 0, false };
	}
	begin(m, IKE_AUTH, 0, 1);
	ike_build_sa(&m->b, props, IKE_MAX_PROPOSALS + 8);
	len = end(m);
	assert_int_equal(parse(m->data, len, pm, &copy), 0);
	free(copy);
	assert_int_equal(pm->sa.nprop, IKE_MAX_PROPOSALS);
	assert_int_equal(pm->sa.dropped, 8);
	assert_int_equal(pm->sa.prop[IKE_MAX_PROPOSALS - 1].num,
			 IKE_MAX_PROPOSALS);

	/* proposal numbers must go up by one */
	props[2].num = 2;
	begin(m, IKE_AUTH, 0, 1);
	ike_build_sa(&m->b, props, 3);
	assert_int_equal(parse_once(m->data, end(m), pm), -EBADMSG);
	props[2].num = 5;
	begin(m, IKE_AUTH, 0, 1);
	ike_build_sa(&m->b, props, 3);
	assert_int_equal(parse_once(m->data, end(m), pm), -EBADMSG);
	/* a lone proposal (a response) may carry any number */
	begin(m, IKE_AUTH, 0, 1);
	ike_build_sa(&m->b, &props[2], 1);
	assert_int_equal(parse_once(m->data, end(m), pm), 0);
	assert_int_equal(pm->sa.prop[0].num, 5);

	/* as many transforms as we keep */
	props[0].nxf = IKE_MAX_XFORMS;
	for (int i = 0; i < IKE_MAX_XFORMS; i++)
		props[0].xf[i] = (struct ike_xform){ IKE_XF_INTEG, (uint16_t)i, 0, false };
	begin(m, IKE_AUTH, 0, 1);
	ike_build_sa(&m->b, props, 1);
	assert_int_equal(parse_once(m->data, end(m), pm), 0);
	assert_false(pm->sa.prop[0].unusable);
	assert_int_equal(pm->sa.prop[0].nxf, IKE_MAX_XFORMS);
	free(props);
	free(pm);
	free(m);
}

static void test_body_errors(void **state)
{
	uint8_t n15[4 + 15] = { 0, 0, 0, 19 }, n16[4 + 16] = { 0, 0, 0, 20 };
	uint8_t n257[4 + 257] = { 0, 0, 1, 5 }, n256[4 + 256] = { 0, 0, 1, 4 };
	static const uint8_t ke_short[] = { 0, 0, 0, 7, 0, 14, 0 };
	static const uint8_t ke_empty[] = { 0, 0, 0, 8, 0, 14, 0, 0 };
	static const uint8_t id_empty[] = { 0, 0, 0, 8, 2, 0, 0, 0 };
	static const uint8_t auth_empty[] = { 0, 0, 0, 8, 2, 0, 0, 0 };
	static const uint8_t n_spi_past[] = { 0, 0, 0, 10, 3, 4, 0x40, 0, 1, 2 };
	static const uint8_t d_count[] = { 0, 0, 0, 16, 3, 4, 0, 3,
		1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t d_ike_spis[] = { 0, 0, 0, 12, 1, 0, 0, 1,
		1, 2, 3, 4 };
	static const uint8_t d_esp8[] = { 0, 0, 0, 16, 3, 8, 0, 1,
		1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t ts_count[] = { 0, 0, 0, 24, 2, 0, 0, 0,
		7, 0, 0, 16, 0, 0, 255, 255, 10, 0, 0, 0, 10, 0, 0, 255 };
	static const uint8_t ts_fewer[] = { 0, 0, 0, 24, 0, 0, 0, 0,
		7, 0, 0, 16, 0, 0, 255, 255, 10, 0, 0, 0, 10, 0, 0, 255 };
	static const uint8_t ts_v4len[] = { 0, 0, 0, 28, 1, 0, 0, 0,
		7, 0, 0, 20, 0, 0, 255, 255, 10, 0, 0, 0, 10, 0, 0, 255,
		0, 0, 0, 0 };
	static const uint8_t ts_trailing[] = { 0, 0, 0, 26, 1, 0, 0, 0,
		7, 0, 0, 16, 0, 0, 255, 255, 10, 0, 0, 0, 10, 0, 0, 255, 9, 9 };
	static const uint8_t ts_unknown[] = { 0, 0, 0, 36, 2, 0, 0, 0,
		9, 0, 0, 12, 1, 2, 3, 4, 5, 6, 7, 8,
		7, 0, 0, 16, 0, 0, 255, 255, 10, 0, 0, 0, 10, 0, 0, 255 };
	struct ike_msg *pm = new_msg();

	(void)state;
	expect_bad(IKE_PL_NONCE, n15, sizeof(n15));
	expect_ok(IKE_PL_NONCE, n16, sizeof(n16), pm);
	expect_bad(IKE_PL_NONCE, n257, sizeof(n257));
	expect_ok(IKE_PL_NONCE, n256, sizeof(n256), pm);
	assert_int_equal(pm->nonce.len, 256);
	expect_bad(IKE_PL_KE, ke_short, sizeof(ke_short));
	expect_bad(IKE_PL_KE, ke_empty, sizeof(ke_empty));
	expect_bad(IKE_PL_IDI, id_empty, sizeof(id_empty));
	expect_bad(IKE_PL_AUTH, auth_empty, sizeof(auth_empty));
	expect_bad(IKE_PL_NOTIFY, n_spi_past, sizeof(n_spi_past));
	expect_bad(IKE_PL_DELETE, d_count, sizeof(d_count));
	expect_bad(IKE_PL_DELETE, d_ike_spis, sizeof(d_ike_spis));
	expect_bad(IKE_PL_DELETE, d_esp8, sizeof(d_esp8));
	expect_bad(IKE_PL_TSI, ts_count, sizeof(ts_count));
	expect_bad(IKE_PL_TSI, ts_fewer, sizeof(ts_fewer));
	expect_bad(IKE_PL_TSI, ts_v4len, sizeof(ts_v4len));
	expect_bad(IKE_PL_TSR, ts_trailing, sizeof(ts_trailing));
	expect_ok(IKE_PL_TSR, ts_unknown, sizeof(ts_unknown), pm);
	assert_int_equal(pm->tsr.nts, 1);
	assert_int_equal(pm->tsr.dropped, 1);
	free(pm);
}

static void test_notify_ts_caps(void **state)
{
	struct ike_ts ts[IKE_MAX_TS + 4];
	struct msg m;
	struct ike_msg *pm = new_msg();
	uint8_t *copy;

	(void)state;
	for (int i = 0; i < IKE_MAX_TS + 4; i++)
		ts[i] = ts4("10.0.0.1", "10.0.0.1", (uint8_t)i, 0, 65535);
	begin(&m, IKE_AUTH, 0, 1);
	ike_build_ts(&m.b, IKE_PL_TSI, ts, IKE_MAX_TS + 4);
	for (int i = 0; i < IKE_MAX_NOTIFY + 3; i++)
		ike_build_notify(&m.b, 0, NULL, 0, (uint16_t)(40000 + i), NULL, 0);
	assert_int_equal(parse(m.data, end(&m), pm, &copy), 0);
	assert_int_equal(pm->tsi.nts, IKE_MAX_TS);
	assert_int_equal(pm->tsi.dropped, 4);
	assert_int_equal(pm->tsi.ts[IKE_MAX_TS - 1].proto, IKE_MAX_TS - 1);
	assert_int_equal(pm->nnotify, IKE_MAX_NOTIFY);
	assert_int_equal(pm->dropped_notify, 3);
	free(copy);
	free(pm);
}

/* --- the writer ---------------------------------------------------------- */

static void test_writer_cannot_overrun(void **state)
{
	static const uint8_t n[64];
	struct ike_wbuf w;
	struct ike_builder b;
	uint8_t *mem;

	(void)state;
	for (size_t cap = 0; cap < IKE_HDR_LEN + 4 + 64; cap++) {
		mem = malloc(cap ? cap : 1);
		assert_non_null(mem);
		ike_wbuf_init(&w, mem, cap);
		ike_build_hdr(&b, &w, SPI_I, 0, IKE_SA_INIT, IKE_FLAG_I, 0);
		ike_build_nonce(&b, n, sizeof(n));
		assert_int_equal(ike_build_end(&b), -ENOSPC);
		assert_true(w.len <= cap);
		free(mem);
	}
	/* sticky: a later small put does not clear the error */
	mem = malloc(4);
	ike_wbuf_init(&w, mem, 4);
	ike_put64(&w, 1);
	ike_put8(&w, 1);
	assert_int_equal(w.err, -ENOSPC);
	assert_int_equal(w.len, 0);
	ike_wbuf_set16(&w, 3, 1);
	assert_int_equal(w.err, -ENOSPC);
	free(mem);
}

static void test_reader(void **state)
{
	static const uint8_t d[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	struct ike_rbuf r, s;

	(void)state;
	ike_rbuf_init(&r, d, sizeof(d));
	assert_int_equal(ike_get16(&r), 0x0102);
	s = ike_get_sub(&r, 4);
	assert_int_equal(ike_rbuf_left(&s), 4);
	assert_int_equal(ike_get32(&s), 0x03040506);
	assert_int_equal(ike_get8(&s), 0);
	assert_int_equal(s.err, -EBADMSG);
	assert_int_equal(ike_rbuf_left(&r), 3);
	assert_null(ike_get_bytes(&r, 4));
	assert_int_equal(r.err, -EBADMSG);
	assert_int_equal(ike_get8(&r), 0);	/* sticky */
	assert_int_equal(ike_rbuf_left(&r), 0);
	ike_rbuf_init(&r, d, sizeof(d));
	assert_null(ike_get_bytes(&r, SIZE_MAX));
	s = ike_get_sub(&r, SIZE_MAX);
	assert_int_equal(s.err, -EBADMSG);
	assert_int_equal(ike_rbuf_left(&s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_round_trip),
		cmocka_unit_test(test_every_payload),
		cmocka_unit_test(test_esp_proposal_spi),
		cmocka_unit_test(test_sk_reference_and_inner),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_every_byte_flip),
		cmocka_unit_test(test_chain_errors),
		cmocka_unit_test(test_critical_payloads),
		cmocka_unit_test(test_sa_errors),
		cmocka_unit_test(test_sa_numbering_and_caps),
		cmocka_unit_test(test_body_errors),
		cmocka_unit_test(test_notify_ts_caps),
		cmocka_unit_test(test_writer_cannot_overrun),
		cmocka_unit_test(test_reader),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
