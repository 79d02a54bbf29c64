// SPDX-License-Identifier: BSD-2-Clause
/*
 * The IKEv1 codec, the bad paths: valid messages (isakmp_fixture.h) with
 * one thing wrong, each refused with the errno and the notify the
 * exchange code would answer with; every truncation and many byte flips
 * parsed from heap copies of exact size, so ASan reports any read past
 * the end; and builders that cannot write past their buffer.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "isakmp_fixture.h"

static void expect(const uint8_t *data, size_t len, int err, uint16_t notify)
{
	struct isakmp_msg pm;

	assert_int_equal(parse_once(&pm, data, len), err);
	assert_int_equal(pm.err_notify, notify);
	if (err)
		assert_non_null(pm.err_text);
}

static void set32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void set16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Offset in @data of the generic header of payload @i. */
static size_t pl_off(const uint8_t *data, size_t len, unsigned int i)
{
	struct isakmp_msg pm;

	assert_int_equal(isakmp_msg_parse(&pm, data, len), 0);
	assert_true(i < pm.npl);
	return (size_t)(pm.pl[i].hdr - data);
}

/* A message of one payload of @type holding @body as given. */
static size_t one(struct isakmp_test_msg *m, uint8_t type,
		  const void *body, size_t len)
{
	ike_wbuf_init(&m->w, m->data, sizeof(m->data));
	isakmp_build_hdr(&m->b, &m->w, CKY_I, CKY_I, ISAKMP_EXCH_INFO, 0, 1);
	isakmp_build_data(&m->b, type, body, len);
	assert_int_equal(isakmp_build_end(&m->b), 0);
	return m->w.len;
}

static void test_header_errors(void **state)
{
	struct isakmp_test_msg m;
	struct isakmp_msg pm;
	uint8_t *copy;
	size_t len = build_aggressive(&m);

	(void)state;
	for (size_t l = 0; l < ISAKMP_HDR_LEN; l++)
		expect(m.data, l, -EBADMSG, ISAKMP_N_PAYLOAD_MALFORMED);
	m.data[17] = 0x20;
	expect(m.data, len, -EPROTONOSUPPORT, ISAKMP_N_INVALID_MAJOR_VERSION);
	m.data[17] = 0x00;
	expect(m.data, len, -EPROTONOSUPPORT, ISAKMP_N_INVALID_MAJOR_VERSION);
	m.data[17] = 0x11;	/* a later minor version is read as 1.0 */
	expect(m.data, len, 0, 0);
	m.data[17] = ISAKMP_VERSION;

	for (unsigned int x = 0; x < 256; x++) {
		bool ok = x == ISAKMP_EXCH_IDPROT || x == ISAKMP_EXCH_AGGRESSIVE ||
			  x == ISAKMP_EXCH_INFO || x == ISAKMP_EXCH_QUICK;

		m.data[18] = (uint8_t)x;
		expect(m.data, len, ok ? 0 : -ENOTSUP,
		       ok ? 0 : ISAKMP_N_UNSUPPORTED_EXCHANGE_TYPE);
	}
	m.data[18] = ISAKMP_EXCH_AGGRESSIVE;

	memset(m.data, 0, 8);
	expect(m.data, len, -EBADMSG, ISAKMP_N_INVALID_COOKIE);
	memcpy(m.data, CKY_I, 8);

	set32(m.data + 24, 27);
	expect(m.data, len, -EBADMSG, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS);
	set32(m.data + 24, (uint32_t)len + 1);
	expect(m.data, len, -EBADMSG, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS);
	set32(m.data + 24, 0xffffffffu);
	expect(m.data, len, -EBADMSG, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS);

	/* Bytes past the header's length are ignored, and counted. */
	set32(m.data + 24, (uint32_t)len);
	memset(m.data + len, 0xee, 5);
	assert_int_equal(parse_copy(&pm, m.data, len + 5, &copy), 0);
	assert_int_equal(pm.trailing, 5);
	assert_int_equal(pm.body.len, len - ISAKMP_HDR_LEN);
	free(copy);

	/* Unknown flag bits are not refused; E stops after the header. */
	m.data[19] = 0xf8;
	expect(m.data, len, 0, 0);
	m.data[19] = ISAKMP_FLAG_E;
	assert_int_equal(parse_once(&pm, m.data, len), 0);
	assert_int_equal(pm.npl, 0);
}

/* Cut anywhere, a message is refused: as a datagram shorter than its
 * length, and with the length cut to match (the chain then breaks off). */
static void test_every_truncation(void **state)
{
	struct isakmp_test_msg m, q;
	struct isakmp_msg pm;
	uint8_t np;
	size_t hash_off, qlen, len = build_aggressive(&m);

	(void)state;
	for (size_t l = 0; l < len; l++)
		assert_int_not_equal(parse_once(&pm, m.data, l), 0);
	for (size_t l = ISAKMP_HDR_LEN; l < len; l++) {
		set32(m.data + 24, (uint32_t)l);
		assert_int_equal(parse_once(&pm, m.data, l), -EBADMSG);
		assert_non_null(pm.err_text);
	}
	qlen = build_quick_body(&q, &np, &hash_off);
	for (size_t l = 0; l < qlen; l++) {
		assert_int_equal(parse_body_once(&pm, np, q.data, l), -EBADMSG);
		assert_non_null(pm.err_text);
	}
	assert_int_equal(parse_body_once(&pm, np, q.data, qlen), 0);
}

/* Whatever a byte becomes, parsing ends with an answer and no bad read;
 * what is accepted decodes again without failure. */
static void test_every_byte_flip(void **state)
{
	static const uint8_t vals[] = { 0x00, 0x01, 0x02, 0x03, 0x7f, 0x80,
					0xff };
	struct isakmp_test_msg m;
	struct isakmp_msg pm;
	struct isakmp_why why;
	uint8_t *copy;
	size_t len = build_aggressive(&m);

	(void)state;
	for (size_t i = 0; i < len; i++) {
		uint8_t keep = m.data[i];

		for (size_t v = 0; v < sizeof(vals); v++) {
			int err;

			m.data[i] = vals[v];
			err = parse_copy(&pm, m.data, len, &copy);
			if (err)
				assert_non_null(pm.err_text);
			for (unsigned int p = 0; !err && p < pm.npl; p++)
				assert_int_equal(isakmp_pl_check(&pm.pl[p], &why), 0);
			free(copy);
		}
		m.data[i] = keep;
	}
}

static void test_payload_lengths(void **state)
{
	struct isakmp_test_msg m;
	size_t len = build_aggressive(&m);
	size_t sa = pl_off(m.data, len, 0), ke = pl_off(m.data, len, 1);
	size_t last = pl_off(m.data, len, 8);

	(void)state;
	for (uint16_t l = 0; l < 4; l++) {
		set16(m.data + sa + 2, l);
		expect(m.data, len, -EBADMSG, ISAKMP_N_PAYLOAD_MALFORMED);
	}
	build_aggressive(&m);
	set16(m.data + last + 2, (uint16_t)(len - last + 1));
	expect(m.data, len, -EBADMSG, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS);
	set16(m.data + last + 2, 0xffff);
	expect(m.data, len, -EBADMSG, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS);
	/* A KE four bytes longer swallows the NONCE's header: what follows
	 * no longer parses. */
	build_aggressive(&m);
	set16(m.data + ke + 2, (uint16_t)(4 + AGGR_KE_LEN + 4));
	assert_int_not_equal(parse_once(&(struct isakmp_msg){ 0 }, m.data, len), 0);
	/* A clear message whose payloads end before its length. */
	build_aggressive(&m);
	set16(m.data + last + 2, (uint16_t)(len - last - 1));
	expect(m.data, len, -EBADMSG, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS);
}

/* RFC 2408 5.2: IKEv1 has no critical bit; any payload type we do not
 * know is INVALID-PAYLOAD-TYPE. P and T stand only inside an SA. */
static void test_unknown_payload_type(void **state)
{
	static const uint8_t bad[] = { 2, 3, 14, 15, 19, 22, 99, 128, 133, 255 };
	struct isakmp_test_msg m;
	struct isakmp_msg pm;
	size_t len = build_aggressive(&m);
	size_t last = pl_off(m.data, len, 8);

	(void)state;
	for (size_t i = 0; i < sizeof(bad); i++) {
		m.data[last] = bad[i];
		assert_int_equal(parse_once(&pm, m.data, len), -ENOTSUP);
		assert_int_equal(pm.err_notify, ISAKMP_N_INVALID_PAYLOAD_TYPE);
		assert_int_equal(pm.err_payload, bad[i]);
		m.data[last] = 0;
		m.data[16] = bad[i];
		assert_int_equal(parse_once(&pm, m.data, len), -ENOTSUP);
		assert_int_equal(pm.err_payload, bad[i]);
		m.data[16] = ISAKMP_PL_SA;
	}
	/* The RESERVED byte of a generic header is not checked. */
	m.data[last + 1] = 0x80;
	expect(m.data, len, 0, 0);
}

static void test_too_many_payloads(void **state)
{
	struct isakmp_test_msg m;

	(void)state;
	for (unsigned int n = ISAKMP_MAX_PAYLOADS; n <= ISAKMP_MAX_PAYLOADS + 1; n++) {
		ike_wbuf_init(&m.w, m.data, sizeof(m.data));
		isakmp_build_hdr(&m.b, &m.w, CKY_I, CKY_I, ISAKMP_EXCH_INFO, 0, 1);
		for (unsigned int i = 0; i < n; i++)
			isakmp_build_data(&m.b, ISAKMP_PL_VID, VID_DPD, 16);
		assert_int_equal(isakmp_build_end(&m.b), 0);
		if (n == ISAKMP_MAX_PAYLOADS)
			expect(m.data, m.w.len, 0, 0);
		else
			expect(m.data, m.w.len, -EBADMSG,
			       ISAKMP_N_PAYLOAD_MALFORMED);
	}
}

/* Main Mode with one SA: one ISAKMP proposal, one transform, one TLV
 * attribute of 4 bytes. Offsets: SA 28, P 40, T 48, attribute 56. */
static size_t small_sa(struct isakmp_test_msg *m)
{
	ike_wbuf_init(&m->w, m->data, sizeof(m->data));
	isakmp_build_hdr(&m->b, &m->w, CKY_I, CKY_ZERO, ISAKMP_EXCH_IDPROT, 0, 0);
	isakmp_build_sa_begin(&m->b, ISAKMP_DOI_IPSEC, IPSEC_SIT_IDENTITY_ONLY);
	isakmp_build_prop(&m->b, 1, ISAKMP_PROTO_ISAKMP, NULL, 0);
	isakmp_build_xform(&m->b, 1, ISAKMP_KEY_IKE);
	isakmp_build_attr_tlv(&m->b, OAKLEY_ATTR_LIFE_DURATION,
			      (const uint8_t *)"\0\0\x70\x80", 4);
	assert_int_equal(isakmp_build_end(&m->b), 0);
	assert_int_equal(m->w.len, 64);
	return m->w.len;
}

static void sa_case(size_t off, uint8_t v, uint16_t notify)
{
	struct isakmp_test_msg m;
	size_t len = small_sa(&m);

	m.data[off] = v;
	expect(m.data, len, -EBADMSG, notify);
}

static void test_sa_errors(void **state)
{
	struct isakmp_test_msg m;
	size_t len;

	(void)state;
	expect(m.data, small_sa(&m), 0, 0);
	sa_case(35, 2, ISAKMP_N_DOI_NOT_SUPPORTED);
	sa_case(39, IPSEC_SIT_SECRECY, ISAKMP_N_SITUATION_NOT_SUPPORTED);
	sa_case(40, ISAKMP_PL_P, ISAKMP_N_BAD_PROPOSAL_SYNTAX);	/* not last */
	sa_case(40, ISAKMP_PL_KE, ISAKMP_N_BAD_PROPOSAL_SYNTAX);
	sa_case(43, 7, ISAKMP_N_BAD_PROPOSAL_SYNTAX);	/* P length 7 */
	sa_case(43, 25, ISAKMP_N_BAD_PROPOSAL_SYNTAX);	/* past the SA */
	sa_case(45, 0, ISAKMP_N_INVALID_PROTOCOL_ID);
	sa_case(45, 5, ISAKMP_N_INVALID_PROTOCOL_ID);
	sa_case(46, 4, ISAKMP_N_INVALID_SPI);	/* ISAKMP SPI of 4 */
	sa_case(46, 200, ISAKMP_N_BAD_PROPOSAL_SYNTAX);	/* past the P */
	sa_case(47, 0, ISAKMP_N_BAD_PROPOSAL_SYNTAX);	/* no transforms */
	sa_case(47, 2, ISAKMP_N_BAD_PROPOSAL_SYNTAX);	/* count > present */
	sa_case(48, ISAKMP_PL_T, ISAKMP_N_BAD_PROPOSAL_SYNTAX);
	sa_case(51, 4, ISAKMP_N_BAD_PROPOSAL_SYNTAX);	/* T length 4 */
	sa_case(59, 5, ISAKMP_N_PAYLOAD_MALFORMED);	/* TLV past the T */
	sa_case(59, 0xff, ISAKMP_N_PAYLOAD_MALFORMED);
	sa_case(59, 3, ISAKMP_N_PAYLOAD_MALFORMED);	/* 1 byte left over */

	/* Proposal numbers may repeat (AND) but not go down. */
	ike_wbuf_init(&m.w, m.data, sizeof(m.data));
	isakmp_build_hdr(&m.b, &m.w, CKY_I, CKY_I, ISAKMP_EXCH_QUICK, 0, 1);
	isakmp_build_sa_begin(&m.b, ISAKMP_DOI_IPSEC, IPSEC_SIT_IDENTITY_ONLY);
	isakmp_build_prop(&m.b, 2, ISAKMP_PROTO_ESP, NULL, 4);
	isakmp_build_xform(&m.b, 1, IPSEC_ESP_AES);
	isakmp_build_prop(&m.b, 1, ISAKMP_PROTO_ESP, NULL, 4);
	isakmp_build_xform(&m.b, 1, IPSEC_ESP_AES);
	assert_int_equal(isakmp_build_end(&m.b), 0);
	expect(m.data, m.w.len, -EBADMSG, ISAKMP_N_BAD_PROPOSAL_SYNTAX);
	m.data[28 + 12 + 4] = 1;
	expect(m.data, m.w.len, 0, 0);

	/* An SA without proposals, and one too short for DOI and situation. */
	ike_wbuf_init(&m.w, m.data, sizeof(m.data));
	isakmp_build_hdr(&m.b, &m.w, CKY_I, CKY_I, ISAKMP_EXCH_QUICK, 0, 1);
	isakmp_build_sa_begin(&m.b, ISAKMP_DOI_IPSEC, IPSEC_SIT_IDENTITY_ONLY);
	assert_int_equal(isakmp_build_end(&m.b), 0);
	expect(m.data, m.w.len, -EBADMSG, ISAKMP_N_BAD_PROPOSAL_SYNTAX);
	len = one(&m, ISAKMP_PL_SA, "\0\0\0\1\0\0\0", 7);
	expect(m.data, len, -EBADMSG, ISAKMP_N_PAYLOAD_MALFORMED);
}

static void test_delete_errors(void **state)
{
	static const uint8_t hdr_esp[] = { 0, 0, 0, 1, ISAKMP_PROTO_ESP, 4, 0, 3 };
	struct isakmp_test_msg m;
	uint8_t body[64] = { 0 };
	size_t len;

	(void)state;
	memcpy(body, hdr_esp, sizeof(hdr_esp));
	len = one(&m, ISAKMP_PL_D, body, 8 + 12);
	expect(m.data, len, 0, 0);
	len = one(&m, ISAKMP_PL_D, body, 8 + 8);	/* 3 SPIs, 2 there */
	expect(m.data, len, -EBADMSG, ISAKMP_N_PAYLOAD_MALFORMED);
	len = one(&m, ISAKMP_PL_D, body, 8 + 13);	/* a byte too many */
	expect(m.data, len, -EBADMSG, ISAKMP_N_PAYLOAD_MALFORMED);
	body[7] = 0;					/* no SPI */
	len = one(&m, ISAKMP_PL_D, body, 8);
	expect(m.data, len, -EBADMSG, ISAKMP_N_PAYLOAD_MALFORMED);
	body[7] = 0xff, body[6] = 0xff;			/* 65535 * 4 */
	len = one(&m, ISAKMP_PL_D, body, 8 + 4);
	expect(m.data, len, -EBADMSG, ISAKMP_N_PAYLOAD_MALFORMED);
	body[6] = 0, body[7] = 1, body[5] = 3;		/* ESP SPI of 3 */
	len = one(&m, ISAKMP_PL_D, body, 8 + 3);
	expect(m.data, len, -EBADMSG, ISAKMP_N_PAYLOAD_MALFORMED);
	body[4] = 9, body[5] = 4;			/* protocol 9 */
	len = one(&m, ISAKMP_PL_D, body, 8 + 4);
	expect(m.data, len, -EBADMSG, ISAKMP_N_INVALID_PROTOCOL_ID);
	len = one(&m, ISAKMP_PL_D, body, 7);
	expect(m.data, len, -EBADMSG, ISAKMP_N_PAYLOAD_MALFORMED);
}

static void id_case(uint8_t type, size_t data_len, uint16_t notify)
{
	struct isakmp_test_msg m;
	uint8_t body[64] = { type };
	size_t len = one(&m, ISAKMP_PL_ID, body, 4 + data_len);

	expect(m.data, len, notify ? -EBADMSG : 0, notify);
}

static void test_id_errors(void **state)
{
	static const struct { uint8_t type; size_t good; } forms[] = {
		{ IPSEC_ID_IPV4_ADDR, 4 }, { IPSEC_ID_IPV4_ADDR_SUBNET, 8 },
		{ IPSEC_ID_IPV4_ADDR_RANGE, 8 }, { IPSEC_ID_IPV6_ADDR, 16 },
		{ IPSEC_ID_IPV6_ADDR_SUBNET, 32 }, { IPSEC_ID_IPV6_ADDR_RANGE, 32 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		for (size_t l = 0; l <= 40; l++)
			id_case(forms[i].type, l, l == forms[i].good ? 0 :
				ISAKMP_N_INVALID_ID_INFORMATION);
	id_case(IPSEC_ID_FQDN, 0, ISAKMP_N_INVALID_ID_INFORMATION);
	id_case(IPSEC_ID_KEY_ID, 1, 0);
	id_case(IPSEC_ID_DER_ASN1_DN, 30, 0);
	id_case(0, 4, ISAKMP_N_INVALID_ID_INFORMATION);
	id_case(12, 4, ISAKMP_N_INVALID_ID_INFORMATION);
	for (size_t l = 0; l < 4; l++) {
		struct isakmp_test_msg m;
		size_t len = one(&m, ISAKMP_PL_ID, "\x02\0\0", l);

		expect(m.data, len, -EBADMSG, ISAKMP_N_PAYLOAD_MALFORMED);
	}
}

static void body_case(uint8_t type, const void *body, size_t blen,
		      uint16_t notify)
{
	struct isakmp_test_msg m;
	size_t len = one(&m, type, body, blen);

	expect(m.data, len, notify ? -EBADMSG : 0, notify);
}

static void test_other_payload_errors(void **state)
{
	static const uint8_t n_spi[] = { 0, 0, 0, 1, 1, 16, 0x8d, 0x28, 1, 2 };
	static const uint8_t oa[20] = { IPSEC_ID_IPV4_ADDR };
	static const uint8_t oa6[20] = { IPSEC_ID_IPV6_ADDR };
	static const uint8_t oa_fqdn[8] = { IPSEC_ID_FQDN };
	static const uint8_t frag[6] = { 0, 1, 1, 0, 'x', 'y' };
	uint8_t big[300] = { 0 };

	(void)state;
	body_case(ISAKMP_PL_NONCE, big, 7, ISAKMP_N_PAYLOAD_MALFORMED);
	body_case(ISAKMP_PL_NONCE, big, 8, 0);
	body_case(ISAKMP_PL_NONCE, big, 256, 0);
	body_case(ISAKMP_PL_NONCE, big, 257, ISAKMP_N_PAYLOAD_MALFORMED);
	body_case(ISAKMP_PL_KE, big, 0, ISAKMP_N_PAYLOAD_MALFORMED);
	body_case(ISAKMP_PL_HASH, big, 0, ISAKMP_N_PAYLOAD_MALFORMED);
	body_case(ISAKMP_PL_SIG, big, 0, ISAKMP_N_PAYLOAD_MALFORMED);
	body_case(ISAKMP_PL_NAT_D, big, 0, ISAKMP_N_PAYLOAD_MALFORMED);
	body_case(ISAKMP_PL_VID, big, 0, 0);
	body_case(ISAKMP_PL_CERT, "\x04", 1, ISAKMP_N_INVALID_CERTIFICATE);
	body_case(ISAKMP_PL_CERT, big, 0, ISAKMP_N_PAYLOAD_MALFORMED);
	body_case(ISAKMP_PL_CR, "\x04", 1, 0);
	body_case(ISAKMP_PL_N, n_spi, 7, ISAKMP_N_PAYLOAD_MALFORMED);
	body_case(ISAKMP_PL_N, n_spi, sizeof(n_spi), ISAKMP_N_PAYLOAD_MALFORMED);
	body_case(ISAKMP_PL_NAT_OA, oa, 8, 0);
	body_case(ISAKMP_PL_NAT_OA, oa, 20, ISAKMP_N_PAYLOAD_MALFORMED);
	body_case(ISAKMP_PL_NAT_OA_DRAFT, oa6, 20, 0);
	body_case(ISAKMP_PL_NAT_OA_DRAFT, oa6, 8, ISAKMP_N_PAYLOAD_MALFORMED);
	body_case(ISAKMP_PL_NAT_OA, oa_fqdn, 8, ISAKMP_N_PAYLOAD_MALFORMED);
	body_case(ISAKMP_PL_NAT_OA, oa, 3, ISAKMP_N_PAYLOAD_MALFORMED);
	body_case(ISAKMP_PL_FRAG, frag, 6, 0);
	body_case(ISAKMP_PL_FRAG, frag, 4, ISAKMP_N_PAYLOAD_MALFORMED);
	body_case(ISAKMP_PL_FRAG, frag, 3, ISAKMP_N_PAYLOAD_MALFORMED);
	/* fragment number 0 */
	body_case(ISAKMP_PL_FRAG, "\0\1\0\1xy", 6, ISAKMP_N_PAYLOAD_MALFORMED);
}

/* racoon's fragment is the only payload of its message. */
static void test_fragment_alone(void **state)
{
	struct isakmp_test_msg m;

	(void)state;
	ike_wbuf_init(&m.w, m.data, sizeof(m.data));
	isakmp_build_hdr(&m.b, &m.w, CKY_I, CKY_I, ISAKMP_EXCH_IDPROT, 0, 0);
	isakmp_build_frag(&m.b, 1, 1, 0, (const uint8_t *)"ab", 2);
	isakmp_build_data(&m.b, ISAKMP_PL_VID, VID_DPD, 16);
	assert_int_equal(isakmp_build_end(&m.b), 0);
	expect(m.data, m.w.len, -EBADMSG, ISAKMP_N_PAYLOAD_MALFORMED);
}

/* The builders stop at the buffer's end: each capacity below the
 * message's size fails with -ENOSPC, and ASan checks no byte past it. */
static void test_builder_cannot_overrun(void **state)
{
	struct isakmp_test_msg ref;
	size_t len = build_aggressive(&ref);
	size_t want = pl_off(ref.data, len, 1);	/* header and SA */

	(void)state;
	for (size_t cap = 0; cap <= want; cap++) {
		uint8_t *buf = malloc(cap ? cap : 1);
		struct ike_wbuf w;
		struct isakmp_builder b;
		int err;

		assert_non_null(buf);
		ike_wbuf_init(&w, buf, cap);
		isakmp_build_hdr(&b, &w, CKY_I, CKY_ZERO,
				 ISAKMP_EXCH_AGGRESSIVE, 0, 0);
		isakmp_build_sa_begin(&b, ISAKMP_DOI_IPSEC, IPSEC_SIT_IDENTITY_ONLY);
		isakmp_build_prop(&b, 1, ISAKMP_PROTO_ISAKMP, NULL, 0);
		aggr_xform(&b, 1, OAKLEY_ENC_AES, 256, OAKLEY_HASH_SHA2_256);
		aggr_xform(&b, 2, OAKLEY_ENC_AES, 128, OAKLEY_HASH_SHA1);
		aggr_xform(&b, 3, OAKLEY_ENC_3DES, 0, OAKLEY_HASH_SHA1);
		isakmp_build_sa_end(&b);
		err = isakmp_build_end(&b);
		assert_int_equal(err, cap < want ? -ENOSPC : 0);
		if (!err)
			assert_memory_equal(buf, ref.data, ISAKMP_HDR_LEN - 4);
		free(buf);
	}
}

static void test_builder_misuse(void **state)
{
	struct isakmp_test_msg m;
	static uint8_t huge[70000];

	(void)state;
	ike_wbuf_init(&m.w, m.data, sizeof(m.data));
	isakmp_build_chain(&m.b, &m.w);
	isakmp_build_xform(&m.b, 1, 1);
	assert_int_equal(isakmp_build_end(&m.b), -EINVAL);

	ike_wbuf_init(&m.w, m.data, sizeof(m.data));
	isakmp_build_chain(&m.b, &m.w);
	isakmp_build_sa_begin(&m.b, 1, 1);
	isakmp_build_prop(&m.b, 1, ISAKMP_PROTO_ESP, NULL, 4);
	isakmp_build_attr_tv(&m.b, 1, 1);	/* no transform open */
	assert_int_equal(isakmp_build_end(&m.b), -EINVAL);

	ike_wbuf_init(&m.w, m.data, sizeof(m.data));
	isakmp_build_chain(&m.b, &m.w);
	isakmp_build_sa_end(&m.b);
	assert_int_equal(isakmp_build_end(&m.b), -EINVAL);

	/* A payload longer than its 16-bit length field. */
	{
		static uint8_t out[sizeof(huge) + 64];
		struct ike_wbuf w;
		struct isakmp_builder b;

		ike_wbuf_init(&w, out, sizeof(out));
		isakmp_build_chain(&b, &w);
		isakmp_build_data(&b, ISAKMP_PL_VID, huge, sizeof(huge));
		assert_int_equal(isakmp_build_end(&b), -EMSGSIZE);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_every_byte_flip),
		cmocka_unit_test(test_payload_lengths),
		cmocka_unit_test(test_unknown_payload_type),
		cmocka_unit_test(test_too_many_payloads),
		cmocka_unit_test(test_sa_errors),
		cmocka_unit_test(test_delete_errors),
		cmocka_unit_test(test_id_errors),
		cmocka_unit_test(test_other_payload_errors),
		cmocka_unit_test(test_fragment_alone),
		cmocka_unit_test(test_builder_cannot_overrun),
		cmocka_unit_test(test_builder_misuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
