/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Messages for the IKEv1 codec's tests: what racoon sends first in
 * Aggressive Mode, and the body of a Quick Mode first message. Built with
 * the builders; test_isakmp_msg.c checks them field by field, and
 * test_isakmp_msg_errors.c breaks them one thing at a time.
 */
#ifndef TESTS_ISAKMP_FIXTURE_H
#define TESTS_ISAKMP_FIXTURE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../ikd/isakmp_msg.h"

static const uint8_t CKY_I[8] = { 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8 };
static const uint8_t CKY_ZERO[8];

/* MD5("RFC 3947"), the NAT-T vendor ID of RFC 3947 section 4. */
static const uint8_t VID_RFC3947[16] = {
	0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
	0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f,
};
/* The DPD vendor ID of RFC 3706 section 5.1 (major 1, minor 0). */
static const uint8_t VID_DPD[16] = {
	0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
	0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00,
};

#define AGGR_KE_LEN	128	/* MODP group 2 */
#define AGGR_NONCE_LEN	16
#define AGGR_FQDN	"client.example.org"
#define AGGR_NXF	3
#define QM_HASH_LEN	20

struct isakmp_test_msg {
	uint8_t data[4096];
	struct ike_wbuf w;
	struct isakmp_builder b;
};

static inline void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i);
}

/* One phase-1 transform as racoon writes it: every basic attribute TV,
 * the life duration as a 4-byte TLV (racoon does so for any value). */
static inline void aggr_xform(struct isakmp_builder *b, uint8_t num,
			      uint16_t enc, uint16_t keylen, uint16_t hash)
{
	static const uint8_t life[4] = { 0x00, 0x00, 0x70, 0x80 };	/* 28800 */

	isakmp_build_xform(b, num, ISAKMP_KEY_IKE);
	isakmp_build_attr_tv(b, OAKLEY_ATTR_ENC_ALG, enc);
	if (keylen)
		isakmp_build_attr_tv(b, OAKLEY_ATTR_KEY_LEN, keylen);
	isakmp_build_attr_tv(b, OAKLEY_ATTR_HASH_ALG, hash);
	isakmp_build_attr_tv(b, OAKLEY_ATTR_AUTH_METHOD, OAKLEY_AUTH_PSK);
	isakmp_build_attr_tv(b, OAKLEY_ATTR_GROUP_DESC, 2);
	isakmp_build_attr_tv(b, OAKLEY_ATTR_LIFE_TYPE, OAKLEY_LIFE_SECONDS);
	isakmp_build_attr_tlv(b, OAKLEY_ATTR_LIFE_DURATION, life, sizeof(life));
}

/* Aggressive Mode message 1: SA, KE, NONCE, ID, three VIDs, two NAT-D.
 * Returns its length. */
static inline size_t build_aggressive(struct isakmp_test_msg *m)
{
	uint8_t ke[AGGR_KE_LEN], nonce[AGGR_NONCE_LEN], natd[20];

	ike_wbuf_init(&m->w, m->data, sizeof(m->data));
	isakmp_build_hdr(&m->b, &m->w, CKY_I, CKY_ZERO,
			 ISAKMP_EXCH_AGGRESSIVE, 0, 0);
	isakmp_build_sa_begin(&m->b, ISAKMP_DOI_IPSEC, IPSEC_SIT_IDENTITY_ONLY);
	isakmp_build_prop(&m->b, 1, ISAKMP_PROTO_ISAKMP, NULL, 0);
	aggr_xform(&m->b, 1, OAKLEY_ENC_AES, 256, OAKLEY_HASH_SHA2_256);
	aggr_xform(&m->b, 2, OAKLEY_ENC_AES, 128, OAKLEY_HASH_SHA1);
	aggr_xform(&m->b, 3, OAKLEY_ENC_3DES, 0, OAKLEY_HASH_SHA1);
	isakmp_build_sa_end(&m->b);
	fill(ke, sizeof(ke), 0x40);
	isakmp_build_data(&m->b, ISAKMP_PL_KE, ke, sizeof(ke));
	fill(nonce, sizeof(nonce), 0x80);
	isakmp_build_data(&m->b, ISAKMP_PL_NONCE, nonce, sizeof(nonce));
	isakmp_build_id(&m->b, IPSEC_ID_FQDN, 17, 500,
			(const uint8_t *)AGGR_FQDN, strlen(AGGR_FQDN));
	isakmp_build_data(&m->b, ISAKMP_PL_VID, VID_RFC3947, 16);
	isakmp_build_data(&m->b, ISAKMP_PL_VID, VID_DPD, 16);
	isakmp_build_data(&m->b, ISAKMP_PL_VID, (const uint8_t *)"ipsec-tools", 11);
	fill(natd, sizeof(natd), 0xa0);
	isakmp_build_data(&m->b, ISAKMP_PL_NAT_D, natd, sizeof(natd));
	fill(natd, sizeof(natd), 0xb0);
	isakmp_build_data(&m->b, ISAKMP_PL_NAT_D, natd, sizeof(natd));
	if (isakmp_build_end(&m->b))
		abort();
	return m->w.len;
}

static inline void qm_esp_xform(struct isakmp_builder *b, uint8_t num,
				uint8_t id, uint16_t keylen)
{
	isakmp_build_xform(b, num, id);
	isakmp_build_attr_tv(b, IPSEC_ATTR_SA_LIFE_TYPE, IPSEC_LIFE_SECONDS);
	isakmp_build_attr_num(b, IPSEC_ATTR_SA_LIFE_DURATION, 3600);
	isakmp_build_attr_tv(b, IPSEC_ATTR_ENCAP_MODE, IPSEC_ENCAP_TUNNEL);
	isakmp_build_attr_tv(b, IPSEC_ATTR_AUTH_ALG, IPSEC_AUTH_HMAC_SHA2_256);
	if (keylen)
		isakmp_build_attr_tv(b, IPSEC_ATTR_KEY_LEN, keylen);
	isakmp_build_attr_tv(b, IPSEC_ATTR_GROUP_DESC, 14);
}

/* Quick Mode message 1, the plaintext body: HASH(1), SA (proposal 1 is
 * ESP and IPCOMP together, proposal 2 ESP alone), NONCE, KE, IDci
 * (10.1.0.0/16) and IDcr (2001:db8::/32). Built as a chain after
 * *first_np; returns its length. */
static inline size_t build_quick_body(struct isakmp_test_msg *m,
				      uint8_t *first_np, size_t *hash_off)
{
	static const uint8_t spi1[4] = { 0x11, 0x22, 0x33, 0x44 };
	static const uint8_t spi2[4] = { 0x55, 0x66, 0x77, 0x88 };
	static const uint8_t cpi[2] = { 0x12, 0x34 };
	static const uint8_t idci[8] = { 10, 1, 0, 0, 255, 255, 0, 0 };
	uint8_t idcr[32] = { 0x20, 0x01, 0x0d, 0xb8 };
	uint8_t nonce[16], ke[256];

	memset(idcr + 16, 0, 16);
	memset(idcr + 16, 0xff, 4);
	ike_wbuf_init(&m->w, m->data, sizeof(m->data));
	isakmp_build_chain(&m->b, &m->w);
	*hash_off = isakmp_build_data(&m->b, ISAKMP_PL_HASH, NULL, QM_HASH_LEN);
	isakmp_build_sa_begin(&m->b, ISAKMP_DOI_IPSEC, IPSEC_SIT_IDENTITY_ONLY);
	isakmp_build_prop(&m->b, 1, ISAKMP_PROTO_ESP, spi1, 4);
	qm_esp_xform(&m->b, 1, IPSEC_ESP_AES, 256);
	qm_esp_xform(&m->b, 2, IPSEC_ESP_3DES, 0);
	isakmp_build_prop(&m->b, 1, ISAKMP_PROTO_IPCOMP, cpi, 2);
	isakmp_build_xform(&m->b, 1, IPSEC_IPCOMP_DEFLATE);
	isakmp_build_attr_tv(&m->b, IPSEC_ATTR_ENCAP_MODE, IPSEC_ENCAP_TUNNEL);
	isakmp_build_prop(&m->b, 2, ISAKMP_PROTO_ESP, spi2, 4);
	qm_esp_xform(&m->b, 1, IPSEC_ESP_AES_GCM_16, 128);
	isakmp_build_sa_end(&m->b);
	fill(nonce, sizeof(nonce), 0x10);
	isakmp_build_data(&m->b, ISAKMP_PL_NONCE, nonce, sizeof(nonce));
	fill(ke, sizeof(ke), 0x20);
	isakmp_build_data(&m->b, ISAKMP_PL_KE, ke, sizeof(ke));
	isakmp_build_id(&m->b, IPSEC_ID_IPV4_ADDR_SUBNET, 0, 0, idci, sizeof(idci));
	isakmp_build_id(&m->b, IPSEC_ID_IPV6_ADDR_SUBNET, 6, 80, idcr, sizeof(idcr));
	if (isakmp_build_end(&m->b))
		abort();
	*first_np = m->b.first_np;
	return m->w.len;
}

/* Parses a heap copy of exactly @len bytes, so that ASan sees a read one
 * past the end; the copy is returned for the caller to free. */
static inline int parse_copy(struct isakmp_msg *pm, const uint8_t *data,
			     size_t len, uint8_t **copy)
{
	*copy = malloc(len ? len : 1);
	if (!*copy)
		abort();
	memcpy(*copy, data, len);
	return isakmp_msg_parse(pm, *copy, len);
}

static inline int parse_once(struct isakmp_msg *pm, const uint8_t *data,
			     size_t len)
{
	uint8_t *copy;
	int err = parse_copy(pm, data, len, &copy);

	free(copy);
	return err;
}

static inline int parse_body_once(struct isakmp_msg *pm, uint8_t np,
				  const uint8_t *data, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	int err;

	if (!copy)
		abort();
	memcpy(copy, data, len);
	memset(pm, 0, sizeof(*pm));
	err = isakmp_msg_parse_body(pm, np, copy, len);
	free(copy);
	return err;
}

#endif /* TESTS_ISAKMP_FIXTURE_H */
