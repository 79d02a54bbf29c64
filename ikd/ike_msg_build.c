// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv2 message builders, and the names of the protocol's numbers for
 * logs. Every write goes through an ike_wbuf, whose sticky error makes a
 * too small buffer a failure of ike_build_end(), never an overrun.
 */
#include "ike_msg.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define NO_NP	SIZE_MAX	/* chain without header: nothing patched yet */

void ike_build_hdr(struct ike_builder *b, struct ike_wbuf *w, uint64_t spi_i,
		   uint64_t spi_r, uint8_t exchange, uint8_t flags,
		   uint32_t msgid)
{
	b->w = w;
	b->start = w->len;
	b->has_hdr = true;
	b->first_np = 0;
	ike_put64(w, spi_i);
	ike_put64(w, spi_r);
	b->np_off = w->len;
	ike_put8(w, IKE_PL_NONE);
	ike_put8(w, IKE_VERSION);
	ike_put8(w, exchange);
	ike_put8(w, flags);
	ike_put32(w, msgid);
	ike_put32(w, 0);	/* length, written by ike_build_end() */
}

void ike_build_chain(struct ike_builder *b, struct ike_wbuf *w)
{
	b->w = w;
	b->start = w->len;
	b->has_hdr = false;
	b->first_np = IKE_PL_NONE;
	b->np_off = NO_NP;
}

int ike_build_end(struct ike_builder *b)
{
	struct ike_wbuf *w = b->w;

	if (b->has_hdr) {
		if (!w->err && w->len - b->start > IKE_MSG_MAX)
			w->err = -EMSGSIZE;
		ike_wbuf_set32(w, b->start + 24, (uint32_t)(w->len - b->start));
	}
	return w->err;
}

size_t ike_build_open(struct ike_builder *b, uint8_t type)
{
	struct ike_wbuf *w = b->w;
	size_t off = w->len;

	if (b->np_off == NO_NP)
		b->first_np = type;
	else
		ike_wbuf_set8(w, b->np_off, type);
	b->np_off = off;
	ike_put8(w, IKE_PL_NONE);
	ike_put8(w, 0);		/* critical bit clear: 2.5 */
	ike_put16(w, 0);	/* length, written by ike_build_close() */
	return off;
}

void ike_build_close(struct ike_builder *b, size_t off)
{
	struct ike_wbuf *w = b->w;

	if (!w->err && w->len - off > UINT16_MAX)
		w->err = -EMSGSIZE;
	ike_wbuf_set16(w, off + 2, (uint16_t)(w->len - off));
}

static void put_xform(struct ike_wbuf *w, const struct ike_xform *xf,
		      bool last)
{
	ike_put8(w, last ? 0 : 3);
	ike_put8(w, 0);
	ike_put16(w, xf->keylen ? 12 : 8);
	ike_put8(w, xf->type);
	ike_put8(w, 0);
	ike_put16(w, xf->id);
	if (xf->keylen) {
		ike_put16(w, IKE_ATTR_TV | IKE_ATTR_KEY_LENGTH);
		ike_put16(w, xf->keylen);
	}
}

void ike_build_sa(struct ike_builder *b, const struct ike_proposal *props,
		  unsigned int nprop)
{
	struct ike_wbuf *w = b->w;
	size_t off = ike_build_open(b, IKE_PL_SA);

	for (unsigned int i = 0; i < nprop; i++) {
		const struct ike_proposal *p = &props[i];
		size_t poff = w->len;

		ike_put8(w, i + 1 == nprop ? 0 : 2);
		ike_put8(w, 0);
		ike_put16(w, 0);
		ike_put8(w, p->num);
		ike_put8(w, p->proto);
		ike_put8(w, p->spi_size);
		ike_put8(w, p->nxf);
		ike_put_bytes(w, p->spi, p->spi_size <= 8 ? p->spi_size : 8);
		for (unsigned int j = 0; j < p->nxf && j < IKE_MAX_XFORMS; j++)
			put_xform(w, &p->xf[j], j + 1 == p->nxf);
		if (!w->err && w->len - poff > UINT16_MAX)
			w->err = -EMSGSIZE;
		ike_wbuf_set16(w, poff + 2, (uint16_t)(w->len - poff));
	}
	ike_build_close(b, off);
}

void ike_build_ke(struct ike_builder *b, uint16_t group, const uint8_t *data,
		  size_t len)
{
	size_t off = ike_build_open(b, IKE_PL_KE);

	ike_put16(b->w, group);
	ike_put16(b->w, 0);
	ike_put_bytes(b->w, data, len);
	ike_build_close(b, off);
}

void ike_build_nonce(struct ike_builder *b, const uint8_t *data, size_t len)
{
	size_t off = ike_build_open(b, IKE_PL_NONCE);

	ike_put_bytes(b->w, data, len);
	ike_build_close(b, off);
}

/* The payloads that start with a type byte and three reserved ones. */
static void typed(struct ike_builder *b, uint8_t pl, uint8_t type,
		  const uint8_t *data, size_t len)
{
	size_t off = ike_build_open(b, pl);

	ike_put8(b->w, type);
	ike_put_zero(b->w, 3);
	ike_put_bytes(b->w, data, len);
	ike_build_close(b, off);
}

void ike_build_id(struct ike_builder *b, uint8_t pl, uint8_t type,
		  const uint8_t *data, size_t len)
{
	typed(b, pl, type, data, len);
}

void ike_build_auth(struct ike_builder *b, uint8_t method,
		    const uint8_t *data, size_t len)
{
	typed(b, IKE_PL_AUTH, method, data, len);
}

void ike_build_cp(struct ike_builder *b, uint8_t cfg_type,
		  const uint8_t *attrs, size_t len)
{
	typed(b, IKE_PL_CP, cfg_type, attrs, len);
}

void ike_build_notify(struct ike_builder *b, uint8_t proto,
		      const uint8_t *spi, uint8_t spi_size, uint16_t type,
		      const uint8_t *data, size_t len)
{
	size_t off = ike_build_open(b, IKE_PL_NOTIFY);

	ike_put8(b->w, proto);
	ike_put8(b->w, spi_size);
	ike_put16(b->w, type);
	ike_put_bytes(b->w, spi, spi_size);
	ike_put_bytes(b->w, data, len);
	ike_build_close(b, off);
}

void ike_build_delete(struct ike_builder *b, uint8_t proto, uint8_t spi_size,
		      const uint8_t *spis, uint16_t nspi)
{
	size_t off = ike_build_open(b, IKE_PL_DELETE);

	ike_put8(b->w, proto);
	ike_put8(b->w, spi_size);
	ike_put16(b->w, nspi);
	ike_put_bytes(b->w, spis, (size_t)spi_size * nspi);
	ike_build_close(b, off);
}

void ike_build_ts(struct ike_builder *b, uint8_t pl, const struct ike_ts *ts,
		  unsigned int nts)
{
	size_t off = ike_build_open(b, pl);

	if (nts > UINT8_MAX && !b->w->err)
		b->w->err = -EMSGSIZE;
	ike_put8(b->w, (uint8_t)nts);
	ike_put_zero(b->w, 3);
	for (unsigned int i = 0; i < nts; i++) {
		size_t alen = ts[i].type == IKE_TS_IPV6_ADDR_RANGE ? 16 : 4;

		ike_put8(b->w, ts[i].type);
		ike_put8(b->w, ts[i].proto);
		ike_put16(b->w, (uint16_t)(8 + 2 * alen));
		ike_put16(b->w, ts[i].sport);
		ike_put16(b->w, ts[i].eport);
		ike_put_bytes(b->w, ts[i].start, alen);
		ike_put_bytes(b->w, ts[i].end, alen);
	}
	ike_build_close(b, off);
}

void ike_build_vendor(struct ike_builder *b, const uint8_t *data, size_t len)
{
	size_t off = ike_build_open(b, IKE_PL_VENDOR);

	ike_put_bytes(b->w, data, len);
	ike_build_close(b, off);
}

void ike_build_cert(struct ike_builder *b, uint8_t pl, uint8_t enc,
		    const uint8_t *data, size_t len)
{
	size_t off = ike_build_open(b, pl);

	ike_put8(b->w, enc);
	ike_put_bytes(b->w, data, len);
	ike_build_close(b, off);
}

/* The SK or SKF payload (@skf: Fragment Number @num, Total Fragments
 * @total before the data), last of the message, sealed. */
static int build_sealed(struct ike_builder *b, const struct ike_sk_keys *keys,
			uint8_t inner_np, bool skf, uint16_t num,
			uint16_t total, const uint8_t *inner, size_t inner_len)
{
	struct ike_wbuf *w = b->w;
	size_t sklen = ike_sk_len(keys, inner_len);
	size_t off;
	int err;

	if (!sklen)
		return -EINVAL;	/* keys that cannot make an SK payload */
	off = ike_build_open(b, skf ? IKE_PL_SKF : IKE_PL_SK);
	/* The payload's "next payload" names the first inner payload, and
	 * nothing may follow it (3.14). */
	ike_wbuf_set8(w, off, inner_np);
	b->np_off = NO_NP;
	if (skf) {
		ike_put16(w, num);
		ike_put16(w, total);
	}
	ike_put_reserve(w, sklen);
	ike_build_close(b, off);
	err = ike_build_end(b);
	if (err)
		return err;
	/* Sealed from the end of the payload's headers: the fragment's
	 * numbers are covered by the ICV too (RFC 7383 2.5). */
	return ike_sk_seal(keys, w->data + b->start,
			   off + (skf ? 8 : 4) - b->start, inner, inner_len);
}

int ike_build_sk_end(struct ike_builder *b, const struct ike_sk_keys *keys,
		     uint8_t inner_np, const uint8_t *inner, size_t inner_len)
{
	return build_sealed(b, keys, inner_np, false, 0, 0, inner, inner_len);
}

int ike_build_skf_end(struct ike_builder *b, const struct ike_sk_keys *keys,
		      uint8_t inner_np, uint16_t num, uint16_t total,
		      const uint8_t *inner, size_t inner_len)
{
	return build_sealed(b, keys, inner_np, true, num, total, inner,
			    inner_len);
}

/* --- names -------------------------------------------------------------- */

const char *ike_exchange_name(uint8_t exch)
{
	switch (exch) {
	case IKE_SA_INIT: return "IKE_SA_INIT";
	case IKE_AUTH: return "IKE_AUTH";
	case IKE_CREATE_CHILD_SA: return "CREATE_CHILD_SA";
	case IKE_INFORMATIONAL: return "INFORMATIONAL";
	}
	return "exchange(unknown)";
}

const char *ike_payload_name(uint8_t type)
{
	static const char *const n[] = {
		"SA", "KE", "IDi", "IDr", "CERT", "CERTREQ", "AUTH", "Nonce",
		"N", "D", "V", "TSi", "TSr", "SK", "CP", "EAP",
	};

	if (type >= IKE_PL_SA && type <= IKE_PL_EAP)
		return n[type - IKE_PL_SA];
	if (type == IKE_PL_SKF)
		return "SKF";
	return "payload(unknown)";
}

const char *ike_notify_name(uint16_t type)
{
	switch (type) {
	case IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD: return "UNSUPPORTED_CRITICAL_PAYLOAD";
	case IKE_N_INVALID_IKE_SPI: return "INVALID_IKE_SPI";
	case IKE_N_INVALID_MAJOR_VERSION: return "INVALID_MAJOR_VERSION";
	case IKE_N_INVALID_SYNTAX: return "INVALID_SYNTAX";
	case IKE_N_INVALID_MESSAGE_ID: return "INVALID_MESSAGE_ID";
	case IKE_N_INVALID_SPI: return "INVALID_SPI";
	case IKE_N_NO_PROPOSAL_CHOSEN: return "NO_PROPOSAL_CHOSEN";
	case IKE_N_INVALID_KE_PAYLOAD: return "INVALID_KE_PAYLOAD";
	case IKE_N_AUTHENTICATION_FAILED: return "AUTHENTICATION_FAILED";
	case IKE_N_SINGLE_PAIR_REQUIRED: return "SINGLE_PAIR_REQUIRED";
	case IKE_N_NO_ADDITIONAL_SAS: return "NO_ADDITIONAL_SAS";
	case IKE_N_INTERNAL_ADDRESS_FAILURE: return "INTERNAL_ADDRESS_FAILURE";
	case IKE_N_FAILED_CP_REQUIRED: return "FAILED_CP_REQUIRED";
	case IKE_N_TS_UNACCEPTABLE: return "TS_UNACCEPTABLE";
	case IKE_N_INVALID_SELECTORS: return "INVALID_SELECTORS";
	case IKE_N_UNACCEPTABLE_ADDRESSES: return "UNACCEPTABLE_ADDRESSES";
	case IKE_N_UNEXPECTED_NAT_DETECTED: return "UNEXPECTED_NAT_DETECTED";
	case IKE_N_USE_ASSIGNED_HoA: return "USE_ASSIGNED_HoA";
	case IKE_N_TEMPORARY_FAILURE: return "TEMPORARY_FAILURE";
	case IKE_N_CHILD_SA_NOT_FOUND: return "CHILD_SA_NOT_FOUND";
	case IKE_N_INVALID_GROUP_ID: return "INVALID_GROUP_ID";
	case IKE_N_AUTHORIZATION_FAILED: return "AUTHORIZATION_FAILED";
	case IKE_N_STATE_NOT_FOUND: return "STATE_NOT_FOUND";
	case IKE_N_INITIAL_CONTACT: return "INITIAL_CONTACT";
	case IKE_N_SET_WINDOW_SIZE: return "SET_WINDOW_SIZE";
	case IKE_N_ADDITIONAL_TS_POSSIBLE: return "ADDITIONAL_TS_POSSIBLE";
	case IKE_N_IPCOMP_SUPPORTED: return "IPCOMP_SUPPORTED";
	case IKE_N_NAT_DETECTION_SOURCE_IP: return "NAT_DETECTION_SOURCE_IP";
	case IKE_N_NAT_DETECTION_DESTINATION_IP: return "NAT_DETECTION_DESTINATION_IP";
	case IKE_N_COOKIE: return "COOKIE";
	case IKE_N_USE_TRANSPORT_MODE: return "USE_TRANSPORT_MODE";
	case IKE_N_HTTP_CERT_LOOKUP_SUPPORTED: return "HTTP_CERT_LOOKUP_SUPPORTED";
	case IKE_N_REKEY_SA: return "REKEY_SA";
	case IKE_N_ESP_TFC_PADDING_NOT_SUPPORTED: return "ESP_TFC_PADDING_NOT_SUPPORTED";
	case IKE_N_NON_FIRST_FRAGMENTS_ALSO: return "NON_FIRST_FRAGMENTS_ALSO";
	case IKE_N_MOBIKE_SUPPORTED: return "MOBIKE_SUPPORTED";
	case IKE_N_IKEV2_FRAGMENTATION_SUPPORTED: return "IKEV2_FRAGMENTATION_SUPPORTED";
	case IKE_N_SIGNATURE_HASH_ALGORITHMS: return "SIGNATURE_HASH_ALGORITHMS";
	}
	return type <= IKE_N_ERROR_MAX ? "error(unknown)" : "status(unknown)";
}

const char *ike_id_type_name(uint8_t type)
{
	switch (type) {
	case IKE_ID_IPV4_ADDR: return "ID_IPV4_ADDR";
	case IKE_ID_FQDN: return "ID_FQDN";
	case IKE_ID_RFC822_ADDR: return "ID_RFC822_ADDR";
	case IKE_ID_IPV6_ADDR: return "ID_IPV6_ADDR";
	case IKE_ID_DER_ASN1_DN: return "ID_DER_ASN1_DN";
	case IKE_ID_DER_ASN1_GN: return "ID_DER_ASN1_GN";
	case IKE_ID_KEY_ID: return "ID_KEY_ID";
	}
	return "ID(unknown)";
}

const char *ike_auth_method_name(uint8_t method)
{
	switch (method) {
	case IKE_AUTH_RSA_SIG: return "RSA signature";
	case IKE_AUTH_PSK: return "pre-shared key";
	case IKE_AUTH_DSS_SIG: return "DSS signature";
	case IKE_AUTH_ECDSA_256: return "ECDSA-256 signature";
	case IKE_AUTH_ECDSA_384: return "ECDSA-384 signature";
	case IKE_AUTH_ECDSA_521: return "ECDSA-521 signature";
	case IKE_AUTH_NULL: return "NULL authentication";
	case IKE_AUTH_DIGITAL_SIG: return "digital signature";
	}
	return "auth method(unknown)";
}

const char *ike_proto_name(uint8_t proto)
{
	switch (proto) {
	case IKE_PROTO_IKE: return "IKE";
	case IKE_PROTO_AH: return "AH";
	case IKE_PROTO_ESP: return "ESP";
	}
	return "protocol(unknown)";
}
