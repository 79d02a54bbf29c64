// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1 message parser: the header and the payload chain (RFC 2408 3.1,
 * 3.2, 5.1). Each payload's generic header is checked against what is
 * left of the chain before its body is handed, bounded, to the payload's
 * decoder (isakmp_pl.c). Decisions where the RFC and practice differ:
 *
 *  - Length. The header's length may be shorter than the datagram: the
 *    rest is ignored (and counted in m->trailing, for the log). Some
 *    peers pad the datagram of an encrypted message beyond the length
 *    they announce, and nothing past the length is ever read, so
 *    accepting costs nothing. A length beyond the datagram is refused
 *    (UNEQUAL-PAYLOAD-LENGTHS), and in a clear message the payloads must
 *    fill the length exactly.
 *  - RESERVED bytes. RFC 2408 asks for zeros; we do not check them:
 *    refusing gains nothing, and an IKEv2-minded peer may set what is
 *    the critical bit there.
 *  - The minor version and the unknown flag bits are not checked either,
 *    for the same reason; a major version other than 1 is refused.
 */
#include "isakmp_msg.h"

#include <errno.h>
#include <string.h>

static int fail(struct isakmp_msg *m, uint16_t notify, const char *why)
{
	m->err_notify = notify;
	m->err_text = why;
	return -EBADMSG;
}

static bool supported_exchange(uint8_t exch)
{
	switch (exch) {
	case ISAKMP_EXCH_IDPROT:
	case ISAKMP_EXCH_AGGRESSIVE:
	case ISAKMP_EXCH_INFO:
	case ISAKMP_EXCH_QUICK:
		return true;
	}
	return false;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static int parse_hdr(struct isakmp_msg *m, const uint8_t *buf, size_t len)
{
	struct ike_rbuf r;

	memset(m, 0, sizeof(*m));
	m->raw = buf;
	m->raw_len = len;
	if (len < ISAKMP_HDR_LEN)
		return fail(m, ISAKMP_N_PAYLOAD_MALFORMED,
			    "shorter than an ISAKMP header");
	ike_rbuf_init(&r, buf, len);
	ike_get_copy(&r, m->cky_i, ISAKMP_COOKIE_LEN);
	ike_get_copy(&r, m->cky_r, ISAKMP_COOKIE_LEN);
	m->np = ike_get8(&r);
	m->version = ike_get8(&r);
	m->exchange = ike_get8(&r);
	m->flags = ike_get8(&r);
	m->msgid = ike_get32(&r);
	m->length = ike_get32(&r);
	if ((m->version >> 4) != 1) {
		m->err_notify = ISAKMP_N_INVALID_MAJOR_VERSION;
		m->err_text = "ISAKMP major version is not 1";
		return -EPROTONOSUPPORT;
	}
	if (m->length < ISAKMP_HDR_LEN)
		return fail(m, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS,
			    "header length below 28");
	if (m->length > len)
		return fail(m, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS,
			    "header length beyond the datagram");
	/* RFC 2408 5.2: every message carries the initiator's cookie. */
	if (all_zero(m->cky_i, ISAKMP_COOKIE_LEN))
		return fail(m, ISAKMP_N_INVALID_COOKIE,
			    "initiator cookie is zero");
	if (!supported_exchange(m->exchange)) {
		m->err_notify = ISAKMP_N_UNSUPPORTED_EXCHANGE_TYPE;
		m->err_text = "unsupported exchange type";
		return -ENOTSUP;
	}
	m->trailing = len - m->length;
	m->body.ptr = buf + ISAKMP_HDR_LEN;
	m->body.len = m->length - ISAKMP_HDR_LEN;
	return 0;
}

/* Payload types that may stand in a chain; P and T live inside SA only
 * and ATTR (mode-config) is not spoken. */
static bool known_type(uint8_t type)
{
	switch (type) {
	case ISAKMP_PL_SA: case ISAKMP_PL_KE: case ISAKMP_PL_ID:
	case ISAKMP_PL_CERT: case ISAKMP_PL_CR: case ISAKMP_PL_HASH:
	case ISAKMP_PL_SIG: case ISAKMP_PL_NONCE: case ISAKMP_PL_N:
	case ISAKMP_PL_D: case ISAKMP_PL_VID: case ISAKMP_PL_NAT_D:
	case ISAKMP_PL_NAT_OA: case ISAKMP_PL_NAT_D_DRAFT:
	case ISAKMP_PL_NAT_OA_DRAFT: case ISAKMP_PL_FRAG:
		return true;
	}
	return false;
}

/*
 * Walks the chain starting with @np over @r. With @padded (a decrypted
 * body) bytes after the last payload are padding; otherwise they are an
 * error.
 */
static int parse_chain(struct isakmp_msg *m, struct ike_rbuf *r, uint8_t np,
		       bool padded)
{
	struct isakmp_why why = { 0 };

	m->npl = 0;
	m->pad = 0;
	m->chain.ptr = r->data;
	while (np != ISAKMP_PL_NONE) {
		struct isakmp_pl *pl;
		const uint8_t *hdr = r->data + r->off;
		uint8_t type = np;
		uint16_t plen;

		if (m->npl == ISAKMP_MAX_PAYLOADS)
			return fail(m, ISAKMP_N_PAYLOAD_MALFORMED,
				    "too many payloads");
		if (!known_type(type)) {
			m->err_notify = ISAKMP_N_INVALID_PAYLOAD_TYPE;
			m->err_payload = type;
			m->err_text = "unknown payload type";
			return -ENOTSUP;
		}
		np = ike_get8(r);
		ike_get8(r);	/* RESERVED: see the file comment */
		plen = ike_get16(r);
		if (r->err)
			return fail(m, ISAKMP_N_PAYLOAD_MALFORMED,
				    "payload chain runs past the end");
		if (plen < 4)
			return fail(m, ISAKMP_N_PAYLOAD_MALFORMED,
				    "payload length below 4");
		if (plen - 4u > ike_rbuf_left(r))
			return fail(m, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS,
				    "payload runs past the end");
		pl = &m->pl[m->npl++];
		pl->type = type;
		pl->hdr = hdr;
		pl->len = plen;
		pl->body.len = plen - 4u;
		pl->body.ptr = ike_get_bytes(r, pl->body.len);
		if (isakmp_pl_check(pl, &why)) {
			m->err_payload = type;
			return fail(m, why.notify, why.text);
		}
	}
	m->chain.len = r->off;
	if (ike_rbuf_left(r)) {
		if (!padded)
			return fail(m, ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS,
				    "bytes after the last payload");
		m->pad = ike_rbuf_left(r);
	}
	/* racoon's fragment stands alone: its data is a piece of another
	 * message, nothing else can be read beside it. */
	if (isakmp_msg_find(m, ISAKMP_PL_FRAG, NULL) && m->npl != 1)
		return fail(m, ISAKMP_N_PAYLOAD_MALFORMED,
			    "fragment payload is not the only one");
	return 0;
}

int isakmp_msg_parse(struct isakmp_msg *m, const uint8_t *buf, size_t len)
{
	struct ike_rbuf r;
	int err = parse_hdr(m, buf, len);

	if (err)
		return err;
	/* A racoon fragment is never encrypted itself: it carries a piece
	 * of a whole message, header included, and its own header may
	 * carry the E flag of the message it was cut from. */
	if ((m->flags & ISAKMP_FLAG_E) && m->np != ISAKMP_PL_FRAG)
		return 0;	/* the caller decrypts m->body */
	ike_rbuf_init(&r, m->body.ptr, m->body.len);
	return parse_chain(m, &r, m->np, false);
}

int isakmp_msg_parse_body(struct isakmp_msg *m, uint8_t np,
			  const uint8_t *body, size_t len)
{
	struct ike_rbuf r;

	m->err_notify = 0;
	m->err_payload = 0;
	m->err_text = NULL;
	ike_rbuf_init(&r, body, len);
	return parse_chain(m, &r, np, true);
}

const struct isakmp_pl *isakmp_msg_find(const struct isakmp_msg *m,
					uint8_t type,
					const struct isakmp_pl *after)
{
	unsigned int i = after ? (unsigned int)(after - m->pl) + 1 : 0;

	for (; i < m->npl; i++)
		if (m->pl[i].type == type)
			return &m->pl[i];
	return NULL;
}

struct isakmp_chunk isakmp_msg_after(const struct isakmp_msg *m,
				     const struct isakmp_pl *pl)
{
	const uint8_t *from = pl->hdr + pl->len;
	struct isakmp_chunk c = {
		.ptr = from,
		.len = (size_t)(m->chain.ptr + m->chain.len - from),
	};

	return c;
}
