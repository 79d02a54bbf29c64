// SPDX-License-Identifier: BSD-2-Clause
/*
 * The IKEv1 codec, the good paths: a message assembled by hand from the
 * layouts of RFC 2408 and RFC 2409 compared byte for byte with what the
 * builders write; racoon's Aggressive Mode first message and a Quick Mode
 * body built and read back field by field; every payload type round
 * tripped. Malformed input is test_isakmp_msg_errors.c's.
 *
 * With ISAKMP_CORPUS_DIR set, each message is also written there as a
 * fuzz seed (tests/fuzz/corpus/isakmp_msg is made this way).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>

#include "isakmp_fixture.h"

static void dump(const char *name, const uint8_t *data, size_t len)
{
	const char *dir = getenv("ISAKMP_CORPUS_DIR");
	char path[512];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s.bin", dir, name);
	f = fopen(path, "w");
	if (f) {
		fwrite(data, 1, len, f);
		fclose(f);
	}
}

static void chunk_is(struct isakmp_chunk c, const void *want, size_t len)
{
	assert_int_equal(c.len, len);
	assert_memory_equal(c.ptr, want, len);
}

static uint64_t attr_num(const struct isakmp_attr *a)
{
	uint64_t v = 0;

	assert_true(isakmp_attr_num(a, &v));
	return v;
}

/*
 * Main Mode message 1 written from the figures of RFC 2408 3.1-3.6 and
 * 3.12 and the attribute classes of RFC 2409 appendix A: one proposal
 * (ISAKMP, no SPI) of one KEY_IKE transform, 3DES / SHA / pre-shared key
 * / group 2 / 28800 seconds, the life duration as a 4-byte TLV; then the
 * RFC 3947 vendor ID.
 */
static const uint8_t MAIN_MODE_1[] = {
	/* header: CKY-I, CKY-R, next SA, version 1.0, Main Mode, flags,
	 * message ID, length 104 */
	0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x10, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x68,
	/* SA: next VID, length 56, DOI IPsec, SIT_IDENTITY_ONLY */
	0x0d, 0x00, 0x00, 0x38, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x01,
	/* P: last, length 44, #1, PROTO_ISAKMP, SPI size 0, 1 transform */
	0x00, 0x00, 0x00, 0x2c, 0x01, 0x01, 0x00, 0x01,
	/* T: last, length 36, #1, KEY_IKE, RESERVED2 */
	0x00, 0x00, 0x00, 0x24, 0x01, 0x01, 0x00, 0x00,
	0x80, 0x01, 0x00, 0x05,		/* encryption 3DES-CBC */
	0x80, 0x02, 0x00, 0x02,		/* hash SHA */
	0x80, 0x03, 0x00, 0x01,		/* pre-shared key */
	0x80, 0x04, 0x00, 0x02,		/* group 2 */
	0x80, 0x0b, 0x00, 0x01,		/* life type seconds */
	0x00, 0x0c, 0x00, 0x04, 0x00, 0x00, 0x70, 0x80,	/* 28800 */
	/* VID: last, length 20 */
	0x00, 0x00, 0x00, 0x14,
	0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
	0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f,
};

static void test_main_mode_vector(void **state)
{
	static const uint8_t life[4] = { 0x00, 0x00, 0x70, 0x80 };
	struct isakmp_test_msg m;
	struct isakmp_msg pm;
	struct isakmp_sa sa;
	struct isakmp_iter pi, ti, ai;
	struct isakmp_prop p;
	struct isakmp_xform t;
	struct isakmp_attr a;
	uint8_t *copy;
	static const uint16_t want[][2] = {
		{ OAKLEY_ATTR_ENC_ALG, OAKLEY_ENC_3DES },
		{ OAKLEY_ATTR_HASH_ALG, OAKLEY_HASH_SHA1 },
		{ OAKLEY_ATTR_AUTH_METHOD, OAKLEY_AUTH_PSK },
		{ OAKLEY_ATTR_GROUP_DESC, 2 },
		{ OAKLEY_ATTR_LIFE_TYPE, OAKLEY_LIFE_SECONDS },
	};

	(void)state;
	ike_wbuf_init(&m.w, m.data, sizeof(m.data));
	isakmp_build_hdr(&m.b, &m.w, CKY_I, CKY_ZERO, ISAKMP_EXCH_IDPROT, 0, 0);
	isakmp_build_sa_begin(&m.b, ISAKMP_DOI_IPSEC, IPSEC_SIT_IDENTITY_ONLY);
	isakmp_build_prop(&m.b, 1, ISAKMP_PROTO_ISAKMP, NULL, 0);
	isakmp_build_xform(&m.b, 1, ISAKMP_KEY_IKE);
	for (size_t i = 0; i < 5; i++)
		isakmp_build_attr_tv(&m.b, want[i][0], want[i][1]);
	isakmp_build_attr_tlv(&m.b, OAKLEY_ATTR_LIFE_DURATION, life, 4);
	isakmp_build_data(&m.b, ISAKMP_PL_VID, VID_RFC3947, 16);
	assert_int_equal(isakmp_build_end(&m.b), 0);
	assert_int_equal(m.w.len, sizeof(MAIN_MODE_1));
	assert_memory_equal(m.data, MAIN_MODE_1, sizeof(MAIN_MODE_1));
	dump("main-1", m.data, m.w.len);

	assert_int_equal(parse_copy(&pm, MAIN_MODE_1, sizeof(MAIN_MODE_1), &copy), 0);
	assert_int_equal(pm.exchange, ISAKMP_EXCH_IDPROT);
	assert_int_equal(pm.version, ISAKMP_VERSION);
	assert_int_equal(pm.length, sizeof(MAIN_MODE_1));
	assert_int_equal(pm.npl, 2);
	assert_int_equal(pm.pl[0].type, ISAKMP_PL_SA);
	assert_int_equal(pm.pl[1].type, ISAKMP_PL_VID);
	assert_int_equal(isakmp_dec_sa(&pm.pl[0], &sa, NULL), 0);
	isakmp_prop_iter(&pi, &sa);
	assert_true(isakmp_prop_next(&pi, &p));
	assert_int_equal(p.proto, ISAKMP_PROTO_ISAKMP);
	assert_int_equal(p.nxf, 1);
	isakmp_xform_iter(&ti, &p);
	assert_true(isakmp_xform_next(&ti, &t));
	assert_int_equal(t.id, ISAKMP_KEY_IKE);
	isakmp_attr_iter(&ai, &t);
	for (size_t i = 0; i < 5; i++) {
		assert_true(isakmp_attr_next(&ai, &a));
		assert_true(a.tv);
		assert_int_equal(a.type, want[i][0]);
		assert_int_equal(attr_num(&a), want[i][1]);
	}
	assert_true(isakmp_attr_next(&ai, &a));
	assert_false(a.tv);
	assert_int_equal(attr_num(&a), 28800);
	assert_false(isakmp_attr_next(&ai, &a));
	assert_int_equal(ai.why.notify, 0);
	assert_false(isakmp_xform_next(&ti, &t));
	assert_false(isakmp_prop_next(&pi, &p));
	assert_int_equal(pi.why.notify, 0);
	free(copy);
}

static void check_aggr_xform(const struct isakmp_xform *t, uint8_t num,
			     uint16_t enc, uint16_t keylen)
{
	struct isakmp_iter ai;
	struct isakmp_attr a;
	bool seen_key = false, seen_life = false;

	assert_int_equal(t->num, num);
	assert_int_equal(t->id, ISAKMP_KEY_IKE);
	isakmp_attr_iter(&ai, t);
	while (isakmp_attr_next(&ai, &a)) {
		if (a.type == OAKLEY_ATTR_ENC_ALG)
			assert_int_equal(attr_num(&a), enc);
		if (a.type == OAKLEY_ATTR_KEY_LEN) {
			assert_int_equal(attr_num(&a), keylen);
			seen_key = true;
		}
		if (a.type == OAKLEY_ATTR_LIFE_DURATION) {
			assert_false(a.tv);
			assert_int_equal(a.value.len, 4);
			assert_int_equal(attr_num(&a), 28800);
			seen_life = true;
		}
	}
	assert_int_equal(ai.why.notify, 0);
	assert_true(seen_life);
	assert_int_equal(seen_key, keylen != 0);
}

static void test_aggressive_mode(void **state)
{
	static const uint8_t types[] = {
		ISAKMP_PL_SA, ISAKMP_PL_KE, ISAKMP_PL_NONCE, ISAKMP_PL_ID,
		ISAKMP_PL_VID, ISAKMP_PL_VID, ISAKMP_PL_VID, ISAKMP_PL_NAT_D,
		ISAKMP_PL_NAT_D,
	};
	struct isakmp_test_msg m;
	struct isakmp_msg pm;
	struct isakmp_sa sa;
	struct isakmp_iter pi, ti;
	struct isakmp_prop p;
	struct isakmp_xform t;
	struct isakmp_id id;
	const struct isakmp_pl *pl;
	uint8_t *copy, ke[AGGR_KE_LEN];
	size_t len = build_aggressive(&m);

	(void)state;
	dump("aggressive-1", m.data, len);
	assert_int_equal(parse_copy(&pm, m.data, len, &copy), 0);
	assert_memory_equal(pm.cky_i, CKY_I, 8);
	assert_memory_equal(pm.cky_r, CKY_ZERO, 8);
	assert_int_equal(pm.exchange, ISAKMP_EXCH_AGGRESSIVE);
	assert_int_equal(pm.msgid, 0);
	assert_int_equal(pm.trailing, 0);
	assert_int_equal(pm.npl, sizeof(types));
	for (size_t i = 0; i < sizeof(types); i++)
		assert_int_equal(pm.pl[i].type, types[i]);
	assert_ptr_equal(pm.chain.ptr, copy + ISAKMP_HDR_LEN);
	assert_int_equal(pm.chain.len, len - ISAKMP_HDR_LEN);

	/* SAi_b, what HASH_I covers, is the SA body by reference. */
	assert_ptr_equal(pm.pl[0].body.ptr, copy + ISAKMP_HDR_LEN + 4);
	assert_int_equal(isakmp_dec_sa(&pm.pl[0], &sa, NULL), 0);
	isakmp_prop_iter(&pi, &sa);
	assert_true(isakmp_prop_next(&pi, &p));
	assert_int_equal(p.num, 1);
	assert_int_equal(p.nxf, AGGR_NXF);
	assert_int_equal(p.spi.len, 0);
	isakmp_xform_iter(&ti, &p);
	assert_true(isakmp_xform_next(&ti, &t));
	check_aggr_xform(&t, 1, OAKLEY_ENC_AES, 256);
	assert_true(isakmp_xform_next(&ti, &t));
	check_aggr_xform(&t, 2, OAKLEY_ENC_AES, 128);
	assert_true(isakmp_xform_next(&ti, &t));
	check_aggr_xform(&t, 3, OAKLEY_ENC_3DES, 0);
	assert_false(isakmp_xform_next(&ti, &t));
	assert_false(isakmp_prop_next(&pi, &p));

	fill(ke, sizeof(ke), 0x40);
	chunk_is(pm.pl[1].body, ke, sizeof(ke));
	assert_int_equal(pm.pl[2].body.len, AGGR_NONCE_LEN);
	assert_int_equal(isakmp_dec_id(&pm.pl[3], &id, NULL), 0);
	assert_int_equal(id.type, IPSEC_ID_FQDN);
	assert_int_equal(id.proto, 17);
	assert_int_equal(id.port, 500);
	assert_int_equal(id.addr_len, 0);
	chunk_is(id.data, AGGR_FQDN, strlen(AGGR_FQDN));

	pl = isakmp_msg_find(&pm, ISAKMP_PL_VID, NULL);
	chunk_is(pl->body, VID_RFC3947, 16);
	pl = isakmp_msg_find(&pm, ISAKMP_PL_VID, pl);
	chunk_is(pl->body, VID_DPD, 16);
	pl = isakmp_msg_find(&pm, ISAKMP_PL_VID, pl);
	chunk_is(pl->body, "ipsec-tools", 11);
	assert_null(isakmp_msg_find(&pm, ISAKMP_PL_VID, pl));
	pl = isakmp_msg_find(&pm, ISAKMP_PL_NAT_D, NULL);
	assert_int_equal(pl->body.len, 20);
	assert_int_equal(pl->body.ptr[0], 0xa0);
	pl = isakmp_msg_find(&pm, ISAKMP_PL_NAT_D, pl);
	assert_int_equal(pl->body.ptr[0], 0xb0);
	assert_int_equal(isakmp_msg_after(&pm, pl).len, 0);
	assert_null(isakmp_msg_find(&pm, ISAKMP_PL_HASH, NULL));
	free(copy);
}

static void check_qm_sa(const struct isakmp_pl *pl)
{
	struct isakmp_sa sa;
	struct isakmp_iter pi, ti, ai;
	struct isakmp_prop p;
	struct isakmp_xform t;
	struct isakmp_attr a;

	assert_int_equal(isakmp_dec_sa(pl, &sa, NULL), 0);
	isakmp_prop_iter(&pi, &sa);
	assert_true(isakmp_prop_next(&pi, &p));
	assert_int_equal(p.num, 1);
	assert_int_equal(p.proto, ISAKMP_PROTO_ESP);
	chunk_is(p.spi, "\x11\x22\x33\x44", 4);
	assert_int_equal(p.nxf, 2);
	isakmp_xform_iter(&ti, &p);
	assert_true(isakmp_xform_next(&ti, &t));
	assert_int_equal(t.id, IPSEC_ESP_AES);
	isakmp_attr_iter(&ai, &t);
	assert_true(isakmp_attr_next(&ai, &a));
	assert_int_equal(a.type, IPSEC_ATTR_SA_LIFE_TYPE);
	assert_true(isakmp_attr_next(&ai, &a));
	assert_int_equal(a.type, IPSEC_ATTR_SA_LIFE_DURATION);
	assert_true(a.tv);	/* 3600 fits: attr_num chose TV */
	assert_int_equal(attr_num(&a), 3600);
	assert_true(isakmp_xform_next(&ti, &t));
	assert_int_equal(t.id, IPSEC_ESP_3DES);
	assert_false(isakmp_xform_next(&ti, &t));

	/* The same number again: ESP and IPCOMP together (RFC 2408 4.2). */
	assert_true(isakmp_prop_next(&pi, &p));
	assert_int_equal(p.num, 1);
	assert_int_equal(p.proto, ISAKMP_PROTO_IPCOMP);
	chunk_is(p.spi, "\x12\x34", 2);
	isakmp_xform_iter(&ti, &p);
	assert_true(isakmp_xform_next(&ti, &t));
	assert_int_equal(t.id, IPSEC_IPCOMP_DEFLATE);

	assert_true(isakmp_prop_next(&pi, &p));
	assert_int_equal(p.num, 2);
	assert_int_equal(p.proto, ISAKMP_PROTO_ESP);
	assert_false(isakmp_prop_next(&pi, &p));
	assert_int_equal(pi.why.notify, 0);
}

/* A Quick Mode message goes encrypted: the header parse stops at the E
 * flag, and the (here clear) body is parsed with its padding. */
static void test_quick_mode_body(void **state)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	struct isakmp_test_msg body, m;
	struct isakmp_msg pm;
	struct isakmp_id id;
	struct isakmp_chunk after;
	uint8_t np, padded[4096];
	size_t hash_off, blen = build_quick_body(&body, &np, &hash_off);
	size_t len;

	(void)state;
	assert_int_equal(np, ISAKMP_PL_HASH);
	assert_int_equal(hash_off, 4);
	memcpy(padded, body.data, blen);
	memset(padded + blen, 0, 7);
	padded[blen + 6] = 7;	/* the pad length some peers put last */

	ike_wbuf_init(&m.w, m.data, sizeof(m.data));
	isakmp_build_hdr(&m.b, &m.w, CKY_I, CKY_I, ISAKMP_EXCH_QUICK,
			 ISAKMP_FLAG_E, 0x01020304);
	ike_wbuf_set8(&m.w, 16, np);
	ike_put_bytes(&m.w, padded, blen + 7);
	assert_int_equal(isakmp_build_end(&m.b), 0);
	len = m.w.len;
	dump("quick-1-clear-body", m.data, len);
	assert_int_equal(parse_once(&pm, m.data, len), 0);
	assert_int_equal(pm.flags, ISAKMP_FLAG_E);
	assert_int_equal(pm.msgid, 0x01020304);
	assert_int_equal(pm.np, ISAKMP_PL_HASH);
	assert_int_equal(pm.npl, 0);
	assert_int_equal(pm.body.len, blen + 7);

	assert_int_equal(parse_body_once(&pm, np, padded, blen + 7), 0);
	memset(&pm, 0, sizeof(pm));
	assert_int_equal(isakmp_msg_parse_body(&pm, np, padded, blen + 7), 0);
	assert_int_equal(pm.npl, 6);
	assert_int_equal(pm.pad, 7);
	assert_int_equal(pm.chain.len, blen);
	assert_int_equal(pm.pl[0].type, ISAKMP_PL_HASH);
	assert_int_equal(pm.pl[0].body.len, QM_HASH_LEN);
	/* HASH(1) covers everything after the HASH payload, no padding. */
	after = isakmp_msg_after(&pm, &pm.pl[0]);
	assert_ptr_equal(after.ptr, padded + 4 + QM_HASH_LEN);
	assert_int_equal(after.len, blen - 4 - QM_HASH_LEN);
	check_qm_sa(&pm.pl[1]);
	assert_int_equal(pm.pl[2].type, ISAKMP_PL_NONCE);
	assert_int_equal(pm.pl[3].type, ISAKMP_PL_KE);
	assert_int_equal(pm.pl[3].body.len, 256);

	assert_int_equal(isakmp_dec_id(&pm.pl[4], &id, NULL), 0);
	assert_int_equal(id.type, IPSEC_ID_IPV4_ADDR_SUBNET);
	assert_int_equal(id.addr_len, 4);
	chunk_is(id.data, "\x0a\x01\x00\x00\xff\xff\x00\x00", 8);
	assert_int_equal(isakmp_dec_id(&pm.pl[5], &id, NULL), 0);
	assert_int_equal(id.type, IPSEC_ID_IPV6_ADDR_SUBNET);
	assert_int_equal(id.proto, 6);
	assert_int_equal(id.port, 80);
	assert_int_equal(id.addr_len, 16);
	assert_int_equal(id.data.len, 32);
	assert_memory_equal(id.data.ptr, v6, 16);
	assert_memory_equal(id.data.ptr + 16, "\xff\xff\xff\xff", 4);
}

/* Every other payload, built and read back. */
static void test_other_payloads(void **state)
{
	static const uint8_t spis[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t cookies[16] = { 0xc1, 0xc2, 0xc3, 0xc4, 0xc5,
					     0xc6, 0xc7, 0xc8, 9 };
	static const uint8_t v4[4] = { 192, 0, 2, 1 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t range4[8] = { 10, 0, 0, 1, 10, 0, 0, 9 };
	static const uint8_t seq[4] = { 0, 0, 0, 42 };
	struct isakmp_test_msg m;
	struct isakmp_msg pm;
	struct isakmp_cert c;
	struct isakmp_notify n;
	struct isakmp_delete d;
	struct isakmp_nat_oa oa;
	struct isakmp_id id;
	uint8_t sig[64], *copy;

	(void)state;
	fill(sig, sizeof(sig), 3);
	ike_wbuf_init(&m.w, m.data, sizeof(m.data));
	isakmp_build_hdr(&m.b, &m.w, CKY_I, CKY_I, ISAKMP_EXCH_INFO, 0, 7);
	isakmp_build_cert(&m.b, ISAKMP_PL_CERT, ISAKMP_CERT_X509_SIG,
			  (const uint8_t *)"DER", 3);
	isakmp_build_cert(&m.b, ISAKMP_PL_CR, ISAKMP_CERT_X509_SIG, NULL, 0);
	isakmp_build_data(&m.b, ISAKMP_PL_SIG, sig, sizeof(sig));
	isakmp_build_notify(&m.b, ISAKMP_DOI_IPSEC, ISAKMP_PROTO_ISAKMP,
			    cookies, 16, ISAKMP_N_R_U_THERE, seq, 4);
	isakmp_build_delete(&m.b, ISAKMP_DOI_IPSEC, ISAKMP_PROTO_ESP, 4,
			    spis, 2);
	isakmp_build_delete(&m.b, ISAKMP_DOI_IPSEC, ISAKMP_PROTO_ISAKMP, 16,
			    cookies, 1);
	isakmp_build_nat_oa(&m.b, ISAKMP_PL_NAT_OA, v4, 4);
	isakmp_build_nat_oa(&m.b, ISAKMP_PL_NAT_OA_DRAFT, v6, 16);
	isakmp_build_data(&m.b, ISAKMP_PL_NAT_D_DRAFT, sig, 16);
	isakmp_build_id(&m.b, IPSEC_ID_IPV4_ADDR_RANGE, 0, 0, range4, 8);
	isakmp_build_id(&m.b, IPSEC_ID_IPV4_ADDR, 0, 0, v4, 4);
	isakmp_build_id(&m.b, IPSEC_ID_IPV6_ADDR, 0, 0, v6, 16);
	isakmp_build_id(&m.b, IPSEC_ID_USER_FQDN, 0, 0,
			(const uint8_t *)"a@b", 3);
	assert_int_equal(isakmp_build_end(&m.b), 0);
	dump("info-payloads", m.data, m.w.len);
	assert_int_equal(parse_copy(&pm, m.data, m.w.len, &copy), 0);
	assert_int_equal(pm.npl, 13);

	assert_int_equal(isakmp_dec_cert(&pm.pl[0], &c, NULL), 0);
	assert_int_equal(c.enc, ISAKMP_CERT_X509_SIG);
	chunk_is(c.data, "DER", 3);
	assert_int_equal(isakmp_dec_cert(&pm.pl[1], &c, NULL), 0);
	assert_int_equal(c.data.len, 0);
	chunk_is(pm.pl[2].body, sig, sizeof(sig));
	assert_int_equal(isakmp_dec_notify(&pm.pl[3], &n, NULL), 0);
	assert_int_equal(n.doi, ISAKMP_DOI_IPSEC);
	assert_int_equal(n.proto, ISAKMP_PROTO_ISAKMP);
	assert_int_equal(n.type, ISAKMP_N_R_U_THERE);
	chunk_is(n.spi, cookies, 16);
	chunk_is(n.data, seq, 4);
	assert_int_equal(isakmp_dec_delete(&pm.pl[4], &d, NULL), 0);
	assert_int_equal(d.proto, ISAKMP_PROTO_ESP);
	assert_int_equal(d.nspi, 2);
	chunk_is(d.spis, spis, 8);
	assert_int_equal(isakmp_dec_delete(&pm.pl[5], &d, NULL), 0);
	assert_int_equal(d.spi_size, 16);
	assert_int_equal(isakmp_dec_nat_oa(&pm.pl[6], &oa, NULL), 0);
	assert_int_equal(oa.id_type, IPSEC_ID_IPV4_ADDR);
	chunk_is(oa.addr, v4, 4);
	assert_int_equal(pm.pl[7].type, ISAKMP_PL_NAT_OA_DRAFT);
	assert_int_equal(isakmp_dec_nat_oa(&pm.pl[7], &oa, NULL), 0);
	assert_int_equal(oa.id_type, IPSEC_ID_IPV6_ADDR);
	chunk_is(oa.addr, v6, 16);
	assert_int_equal(pm.pl[8].type, ISAKMP_PL_NAT_D_DRAFT);
	assert_int_equal(isakmp_dec_id(&pm.pl[9], &id, NULL), 0);
	assert_int_equal(id.addr_len, 4);
	chunk_is(id.data, range4, 8);
	assert_int_equal(isakmp_dec_id(&pm.pl[10], &id, NULL), 0);
	chunk_is(id.data, v4, 4);
	assert_int_equal(isakmp_dec_id(&pm.pl[11], &id, NULL), 0);
	assert_int_equal(id.addr_len, 16);
	assert_int_equal(isakmp_dec_id(&pm.pl[12], &id, NULL), 0);
	chunk_is(id.data, "a@b", 3);
	free(copy);
}

static void test_fragment(void **state)
{
	struct isakmp_test_msg m;
	struct isakmp_msg pm;
	struct isakmp_frag f;
	uint8_t *copy;

	(void)state;
	ike_wbuf_init(&m.w, m.data, sizeof(m.data));
	isakmp_build_hdr(&m.b, &m.w, CKY_I, CKY_I, ISAKMP_EXCH_IDPROT, 0, 0);
	isakmp_build_frag(&m.b, 0x1234, 2, ISAKMP_FRAG_LAST,
			  (const uint8_t *)"piece", 5);
	assert_int_equal(isakmp_build_end(&m.b), 0);
	assert_int_equal(m.w.len, ISAKMP_HDR_LEN + 8 + 5);
	dump("fragment", m.data, m.w.len);
	assert_int_equal(parse_copy(&pm, m.data, m.w.len, &copy), 0);
	assert_int_equal(pm.npl, 1);
	assert_int_equal(pm.pl[0].type, ISAKMP_PL_FRAG);
	assert_int_equal(isakmp_dec_frag(&pm.pl[0], &f, NULL), 0);
	assert_int_equal(f.id, 0x1234);
	assert_int_equal(f.num, 2);
	assert_int_equal(f.flags, ISAKMP_FRAG_LAST);
	chunk_is(f.data, "piece", 5);
	free(copy);

	/* A fragment cut from an encrypted message may carry its E flag,
	 * yet is itself in clear. */
	m.data[19] = ISAKMP_FLAG_E;
	assert_int_equal(parse_copy(&pm, m.data, m.w.len, &copy), 0);
	assert_int_equal(pm.npl, 1);
	assert_int_equal(isakmp_dec_frag(&pm.pl[0], &f, NULL), 0);
	chunk_is(f.data, "piece", 5);
	free(copy);
}

/* Numbers too large for TV go as TLV of 4 or 8 bytes. */
static void test_attr_num_forms(void **state)
{
	static const uint64_t vals[] = { 0, 65535, 65536, 0xffffffffu,
					 0x100000000ull };
	static const size_t lens[] = { 2, 2, 4, 4, 8 };
	struct isakmp_test_msg m;
	struct isakmp_msg pm;
	struct isakmp_sa sa;
	struct isakmp_iter it;
	struct isakmp_prop p;
	struct isakmp_xform t;
	struct isakmp_attr a;
	uint8_t *copy;

	(void)state;
	ike_wbuf_init(&m.w, m.data, sizeof(m.data));
	isakmp_build_hdr(&m.b, &m.w, CKY_I, CKY_I, ISAKMP_EXCH_QUICK, 0, 1);
	isakmp_build_sa_begin(&m.b, ISAKMP_DOI_IPSEC, IPSEC_SIT_IDENTITY_ONLY);
	isakmp_build_prop(&m.b, 1, ISAKMP_PROTO_AH, NULL, 4);
	isakmp_build_xform(&m.b, 1, IPSEC_AH_SHA2_256);
	for (size_t i = 0; i < 5; i++)
		isakmp_build_attr_num(&m.b, IPSEC_ATTR_SA_LIFE_DURATION, vals[i]);
	assert_int_equal(isakmp_build_end(&m.b), 0);
	dump("quick-ah-lifetimes", m.data, m.w.len);
	assert_int_equal(parse_copy(&pm, m.data, m.w.len, &copy), 0);
	assert_int_equal(isakmp_dec_sa(&pm.pl[0], &sa, NULL), 0);
	isakmp_prop_iter(&it, &sa);
	assert_true(isakmp_prop_next(&it, &p));
	isakmp_xform_iter(&it, &p);
	assert_true(isakmp_xform_next(&it, &t));
	isakmp_attr_iter(&it, &t);
	for (size_t i = 0; i < 5; i++) {
		assert_true(isakmp_attr_next(&it, &a));
		assert_int_equal(a.value.len, lens[i]);
		assert_int_equal(a.tv, lens[i] == 2);
		assert_true(attr_num(&a) == vals[i]);
	}
	free(copy);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(isakmp_exchange_name(ISAKMP_EXCH_AGGRESSIVE),
			    "Aggressive Mode");
	assert_string_equal(isakmp_payload_name(ISAKMP_PL_NAT_D_DRAFT),
			    "NAT-D(draft)");
	assert_string_equal(isakmp_notify_name(ISAKMP_N_INVALID_HASH_INFORMATION),
			    "INVALID-HASH-INFORMATION");
	assert_string_equal(isakmp_notify_name(ISAKMP_N_R_U_THERE_ACK),
			    "R-U-THERE-ACK");
	assert_string_equal(isakmp_notify_name(31), "error(unknown)");
	assert_string_equal(isakmp_notify_name(40000), "status(unknown)");
	assert_string_equal(isakmp_transform_name(ISAKMP_PROTO_ESP,
						  IPSEC_ESP_AES), "ESP_AES");
	assert_string_equal(isakmp_transform_name(ISAKMP_PROTO_AH,
						  IPSEC_ESP_AES), "ah(unknown)");
	assert_string_equal(ipsec_encap_name(IPSEC_ENCAP_UDP_TUNNEL_DRAFT),
			    "UDP-Encapsulated-Tunnel(draft)");
	assert_string_equal(oakley_attr_name(OAKLEY_ATTR_KEY_LEN), "Key Length");
	for (unsigned int i = 0; i < 256; i++) {
		assert_non_null(isakmp_payload_name((uint8_t)i));
		assert_non_null(isakmp_id_type_name((uint8_t)i));
		assert_non_null(isakmp_cert_enc_name((uint8_t)i));
		assert_non_null(isakmp_proto_name((uint8_t)i));
		assert_non_null(oakley_enc_name((uint16_t)i));
		assert_non_null(oakley_hash_name((uint16_t)i));
		assert_non_null(oakley_auth_method_name((uint16_t)i));
		assert_non_null(ipsec_attr_name((uint16_t)i));
		assert_non_null(ipsec_auth_alg_name((uint16_t)i));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_main_mode_vector),
		cmocka_unit_test(test_aggressive_mode),
		cmocka_unit_test(test_quick_mode_body),
		cmocka_unit_test(test_other_payloads),
		cmocka_unit_test(test_fragment),
		cmocka_unit_test(test_attr_num_forms),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
