// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv2 message parser (RFC 7296 section 3). One pass over the datagram:
 * the header, then the payload chain, each payload's generic header
 * checked against what is left of its parent before its body is read
 * through a reader bounded to that body. Builders are in ike_msg_build.c.
 */
#include "ike_msg.h"

#include <errno.h>
#include <string.h>

/* Records why parsing failed; returns the errno for the caller. */
static int bad(struct ike_msg *m, const char *why)
{
	m->err_notify = IKE_N_INVALID_SYNTAX;
	m->err_text = why;
	return -EBADMSG;
}

static int parse_hdr(struct ike_msg *m, const uint8_t *buf, size_t len)
{
	struct ike_rbuf r;

	memset(m, 0, sizeof(*m));
	m->raw = buf;
	m->raw_len = len;
	if (len < IKE_HDR_LEN)
		return bad(m, "shorter than an IKE header");
	ike_rbuf_init(&r, buf, len);
	m->spi_i = ike_get64(&r);
	m->spi_r = ike_get64(&r);
	m->np = ike_get8(&r);
	m->version = ike_get8(&r);
	m->exchange = ike_get8(&r);
	m->flags = ike_get8(&r);
	m->msgid = ike_get32(&r);
	m->length = ike_get32(&r);
	if ((m->version >> 4) != 2) {
		m->err_notify = IKE_N_INVALID_MAJOR_VERSION;
		m->err_text = "IKE major version is not 2";
		return -EPROTONOSUPPORT;
	}
	if (m->length != len)
		return bad(m, "header length differs from the datagram's");
	if (!m->spi_i)
		return bad(m, "initiator SPI is zero");
	return 0;
}

/* --- payload bodies ----------------------------------------------------- */

static int parse_xform(struct ike_msg *m, struct ike_rbuf *r,
		       struct ike_xform *xf, bool *known_type)
{
	uint8_t type = ike_get8(r);

	ike_get8(r);	/* reserved */
	xf->type = type;
	xf->id = ike_get16(r);
	*known_type = type >= 1 && type <= IKE_XF_TYPES;
	while (ike_rbuf_left(r)) {
		uint16_t at = ike_get16(r);

		if (at & IKE_ATTR_TV) {
			uint16_t v = ike_get16(r);

			if ((at & ~IKE_ATTR_TV) == IKE_ATTR_KEY_LENGTH &&
			    !xf->keylen && v)
				xf->keylen = v;
			else
				xf->unusable = true;
		} else {
			uint16_t alen = ike_get16(r);

			/* Key Length is TV only; any TLV attribute is
			 * one we do not know. */
			ike_get_skip(r, alen);
			xf->unusable = true;
		}
	}
	if (r->err)
		return bad(m, "transform attribute runs past the transform");
	return 0;
}

static int parse_proposal(struct ike_msg *m, struct ike_rbuf *r,
			  struct ike_proposal *p, bool keep)
{
	uint8_t nxf_wire, i;
	int err;

	p->num = ike_get8(r);
	p->proto = ike_get8(r);
	p->spi_size = ike_get8(r);
	nxf_wire = ike_get8(r);
	if (r->err)
		return bad(m, "proposal shorter than its header");
	if (p->spi_size > 8)
		return bad(m, "proposal SPI longer than 8 bytes");
	if (p->proto == IKE_PROTO_IKE && p->spi_size != 0 && p->spi_size != 8)
		return bad(m, "IKE proposal with an SPI size other than 0 or 8");
	if ((p->proto == IKE_PROTO_ESP || p->proto == IKE_PROTO_AH) &&
	    p->spi_size != 4)
		return bad(m, "ESP/AH proposal with an SPI size other than 4");
	if (p->proto < IKE_PROTO_IKE || p->proto > IKE_PROTO_ESP)
		p->unusable = true;
	ike_get_copy(r, p->spi, p->spi_size);
	if (r->err)
		return bad(m, "proposal SPI runs past the proposal");
	if (nxf_wire == 0)
		return bad(m, "proposal without transforms");
	for (i = 0; i < nxf_wire; i++) {
		struct ike_xform scratch = { 0 }, *xf;
		struct ike_rbuf body;
		uint8_t last;
		uint16_t xlen;
		bool known;

		last = ike_get8(r);
		ike_get8(r);
		xlen = ike_get16(r);
		if (r->err)
			return bad(m, "transform count larger than the proposal holds");
		if ((last != 0 && last != 3) || (last == 0) != (i + 1 == nxf_wire))
			return bad(m, "transform 'last' flag disagrees with the count");
		if (xlen < 8)
			return bad(m, "transform length below 8");
		body = ike_get_sub(r, xlen - 4u);
		if (body.err)
			return bad(m, "transform runs past the proposal");
		xf = keep && p->nxf < IKE_MAX_XFORMS ? &p->xf[p->nxf] : &scratch;
		memset(xf, 0, sizeof(*xf));
		err = parse_xform(m, &body, xf, &known);
		if (err)
			return err;
		if (!known)
			p->unusable = true;
		if (xf == &scratch)
			p->unusable = true;	/* too many to choose from */
		else
			p->nxf++;
	}
	if (ike_rbuf_left(r))
		return bad(m, "bytes after the last transform of a proposal");
	return 0;
}

static int parse_sa(struct ike_msg *m, struct ike_rbuf *r)
{
	struct ike_sa_pl *sa = &m->sa;
	unsigned int n = 0;
	uint8_t prev_num = 0;

	while (ike_rbuf_left(r)) {
		struct ike_proposal scratch, *p;
		struct ike_rbuf body;
		uint8_t last;
		uint16_t plen;
		int err;

		last = ike_get8(r);
		ike_get8(r);
		plen = ike_get16(r);
		if (r->err)
			return bad(m, "truncated proposal header");
		if (last != 0 && last != 2)
			return bad(m, "proposal 'last' flag is neither 0 nor 2");
		if (plen < 8)
			return bad(m, "proposal length below 8");
		body = ike_get_sub(r, plen - 4u);
		if (body.err)
			return bad(m, "proposal runs past the SA payload");
		if ((last == 0) != (ike_rbuf_left(r) == 0))
			return bad(m, "proposal 'last' flag disagrees with the SA length");
		p = sa->nprop < IKE_MAX_PROPOSALS ? &sa->prop[sa->nprop] : &scratch;
		memset(p, 0, sizeof(*p));
		err = parse_proposal(m, &body, p, p != &scratch);
		if (err)
			return err;
		/* 3.3.1: numbered from 1, each one more than the last (a
		 * response carries the single chosen one, any number). */
		if (n > 0 && p->num != (uint8_t)(prev_num + 1))
			return bad(m, "proposal numbers not consecutive");
		prev_num = p->num;
		n++;
		if (p == &scratch) {
			if (sa->dropped < UINT8_MAX)
				sa->dropped++;
		} else {
			sa->nprop++;
		}
	}
	if (n == 0)
		return bad(m, "SA payload without proposals");
	return 0;
}

static int parse_ke(struct ike_msg *m, struct ike_rbuf *r)
{
	m->ke.group = ike_get16(r);
	ike_get16(r);
	if (r->err)
		return bad(m, "KE payload too short");
	m->ke.data.len = ike_rbuf_left(r);
	m->ke.data.ptr = ike_get_bytes(r, m->ke.data.len);
	if (!m->ke.data.len)
		return bad(m, "KE payload without data");
	return 0;
}

static int parse_nonce(struct ike_msg *m, struct ike_rbuf *r)
{
	size_t n = ike_rbuf_left(r);

	if (n < IKE_NONCE_MIN || n > IKE_NONCE_MAX)
		return bad(m, "nonce not between 16 and 256 bytes");
	m->nonce.len = n;
	m->nonce.ptr = ike_get_bytes(r, n);
	return 0;
}

static int parse_id(struct ike_msg *m, struct ike_rbuf *r, struct ike_id_pl *id)
{
	id->body.len = ike_rbuf_left(r);
	id->body.ptr = r->data + r->off;
	id->type = ike_get8(r);
	ike_get_skip(r, 3);
	if (r->err)
		return bad(m, "ID payload too short");
	id->data.len = ike_rbuf_left(r);
	id->data.ptr = ike_get_bytes(r, id->data.len);
	if (!id->data.len)
		return bad(m, "ID payload without identification data");
	return 0;
}

static int parse_auth(struct ike_msg *m, struct ike_rbuf *r)
{
	m->auth.method = ike_get8(r);
	ike_get_skip(r, 3);
	if (r->err)
		return bad(m, "AUTH payload too short");
	m->auth.data.len = ike_rbuf_left(r);
	m->auth.data.ptr = ike_get_bytes(r, m->auth.data.len);
	if (!m->auth.data.len)
		return bad(m, "AUTH payload without data");
	return 0;
}

static int parse_notify(struct ike_msg *m, struct ike_rbuf *r)
{
	struct ike_notify_pl n = { 0 };

	n.proto = ike_get8(r);
	n.spi_size = ike_get8(r);
	n.type = ike_get16(r);
	n.spi.len = n.spi_size;
	n.spi.ptr = ike_get_bytes(r, n.spi_size);
	if (r->err)
		return bad(m, "notify payload shorter than its SPI");
	n.data.len = ike_rbuf_left(r);
	n.data.ptr = ike_get_bytes(r, n.data.len);
	if (m->nnotify < IKE_MAX_NOTIFY)
		m->notify[m->nnotify++] = n;
	else if (m->dropped_notify < UINT16_MAX)
		m->dropped_notify++;
	return 0;
}

static int parse_delete(struct ike_msg *m, struct ike_rbuf *r)
{
	struct ike_delete_pl d = { 0 };

	d.proto = ike_get8(r);
	d.spi_size = ike_get8(r);
	d.nspi = ike_get16(r);
	if (r->err)
		return bad(m, "delete payload too short");
	if (d.proto == IKE_PROTO_IKE && (d.spi_size || d.nspi))
		return bad(m, "IKE SA delete with SPIs");
	if ((d.proto == IKE_PROTO_ESP || d.proto == IKE_PROTO_AH) &&
	    d.spi_size != 4)
		return bad(m, "ESP/AH delete with an SPI size other than 4");
	if ((size_t)d.nspi * d.spi_size != ike_rbuf_left(r))
		return bad(m, "delete payload's SPI count disagrees with its length");
	d.spis.len = ike_rbuf_left(r);
	d.spis.ptr = ike_get_bytes(r, d.spis.len);
	if (m->ndelete >= IKE_MAX_DELETE)
		return bad(m, "too many delete payloads");
	m->del[m->ndelete++] = d;
	return 0;
}

static int parse_ts(struct ike_msg *m, struct ike_rbuf *r, struct ike_ts_pl *pl)
{
	uint8_t n = ike_get8(r), i;

	ike_get_skip(r, 3);
	if (r->err)
		return bad(m, "TS payload too short");
	if (n == 0)
		return bad(m, "TS payload without selectors");
	for (i = 0; i < n; i++) {
		uint8_t type = ike_get8(r), proto = ike_get8(r);
		uint16_t slen = ike_get16(r);
		size_t alen;
		struct ike_rbuf body;
		struct ike_ts ts = { .type = type, .proto = proto };

		if (r->err)
			return bad(m, "TS count larger than the payload holds");
		if (slen < 4)
			return bad(m, "traffic selector length below 4");
		body = ike_get_sub(r, slen - 4u);
		if (body.err)
			return bad(m, "traffic selector runs past the payload");
		if (type == IKE_TS_IPV4_ADDR_RANGE)
			alen = 4;
		else if (type == IKE_TS_IPV6_ADDR_RANGE)
			alen = 16;
		else {
			/* A type we do not know: ignoring it narrows, as 2.9
			 * allows. */
			if (pl->dropped < UINT8_MAX)
				pl->dropped++;
			continue;
		}
		if (slen != 8 + 2 * alen)
			return bad(m, "traffic selector length wrong for its type");
		ts.sport = ike_get16(&body);
		ts.eport = ike_get16(&body);
		ike_get_copy(&body, ts.start, alen);
		ike_get_copy(&body, ts.end, alen);
		if (pl->nts < IKE_MAX_TS)
			pl->ts[pl->nts++] = ts;
		else if (pl->dropped < UINT8_MAX)
			pl->dropped++;
	}
	if (ike_rbuf_left(r))
		return bad(m, "bytes after the last traffic selector");
	return 0;
}

static int parse_opaque(struct ike_msg *m, struct ike_rbuf *r,
			struct ike_opaque_pl *arr, uint8_t *count,
			unsigned int cap, size_t hdr)
{
	struct ike_opaque_pl o = { 0 };

	if (hdr) {
		o.type = ike_get8(r);
		ike_get_skip(r, hdr - 1);
		if (r->err)
			return bad(m, "payload shorter than its fixed part");
	}
	o.data.len = ike_rbuf_left(r);
	o.data.ptr = ike_get_bytes(r, o.data.len);
	if (*count < cap)
		arr[(*count)++] = o;
	return 0;
}

/* --- the chain ---------------------------------------------------------- */

/* Payload types that may appear at most once in a message. */
static bool single(uint8_t type)
{
	switch (type) {
	case IKE_PL_SA: case IKE_PL_KE: case IKE_PL_IDI: case IKE_PL_IDR:
	case IKE_PL_AUTH: case IKE_PL_NONCE: case IKE_PL_TSI: case IKE_PL_TSR:
	case IKE_PL_SK: case IKE_PL_CP: case IKE_PL_EAP: case IKE_PL_SKF:
		return true;
	}
	return false;
}

static int parse_body(struct ike_msg *m, uint8_t type, struct ike_rbuf *r)
{
	switch (type) {
	case IKE_PL_SA:
		return parse_sa(m, r);
	case IKE_PL_KE:
		return parse_ke(m, r);
	case IKE_PL_IDI:
		return parse_id(m, r, &m->idi);
	case IKE_PL_IDR:
		return parse_id(m, r, &m->idr);
	case IKE_PL_CERT:
		return parse_opaque(m, r, m->cert, &m->ncert, IKE_MAX_OPAQUE, 1);
	case IKE_PL_CERTREQ:
		return parse_opaque(m, r, m->certreq, &m->ncertreq,
				    IKE_MAX_OPAQUE, 1);
	case IKE_PL_AUTH:
		return parse_auth(m, r);
	case IKE_PL_NONCE:
		return parse_nonce(m, r);
	case IKE_PL_NOTIFY:
		return parse_notify(m, r);
	case IKE_PL_DELETE:
		return parse_delete(m, r);
	case IKE_PL_VENDOR:
		return parse_opaque(m, r, m->vendor, &m->nvendor,
				    IKE_MAX_OPAQUE, 0);
	case IKE_PL_TSI:
		return parse_ts(m, r, &m->tsi);
	case IKE_PL_TSR:
		return parse_ts(m, r, &m->tsr);
	case IKE_PL_CP: {
		uint8_t one = 0;

		return parse_opaque(m, r, &m->cp, &one, 1, 4);
	}
	case IKE_PL_EAP:
		return 0;	/* known, not supported: the engine refuses it */
	}
	return 0;
}

static bool known(uint8_t type)
{
	return (type >= IKE_PL_SA && type <= IKE_PL_EAP) || type == IKE_PL_SKF;
}

/*
 * Walks a chain starting with payload type @np over @r. In the outer
 * chain (@outer) an SK payload ends the walk: it must run to the end of
 * the datagram, and its "next payload" is the inner chain's first type.
 * An SKF payload (RFC 7383) does the same after its two numbers.
 */
static int parse_chain(struct ike_msg *m, struct ike_rbuf *r, uint8_t np,
		       bool outer)
{
	unsigned int count = 0;

	while (np != IKE_PL_NONE) {
		uint8_t type = np, crit;
		uint16_t plen;
		struct ike_rbuf body;
		size_t body_off;
		int err;

		if (++count > IKE_MAX_PAYLOADS)
			return bad(m, "too many payloads");
		np = ike_get8(r);
		crit = ike_get8(r) & IKE_PL_CRITICAL;
		plen = ike_get16(r);
		if (r->err)
			return bad(m, "payload chain runs past the end");
		if (plen < 4)
			return bad(m, "payload length below 4");
		body_off = r->off;
		body = ike_get_sub(r, plen - 4u);
		if (body.err)
			return bad(m, "payload runs past the end");
		if ((type == IKE_PL_SK || type == IKE_PL_SKF) && !outer)
			return bad(m, "SK payload inside the SK payload");
		if (!known(type)) {
			if (crit) {
				m->err_notify = IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD;
				m->err_payload = type;
				m->err_text = "unsupported critical payload";
				return -ENOTSUP;
			}
			continue;	/* 2.5: skip what we do not know */
		}
		if (single(type) && ike_msg_has(m, type))
			return bad(m, "payload repeated");
		m->seen |= 1u << (type - 32);
		if (type == IKE_PL_SK) {
			if (ike_rbuf_left(r))
				return bad(m, "SK payload is not the last one");
			m->sk_off = body_off;
			m->sk_np = np;
			return 0;
		}
		if (type == IKE_PL_SKF) {
			/* 2.5: it is the only payload of the message. */
			if (count != 1 || ike_rbuf_left(r))
				return bad(m, "SKF payload is not the only one");
			m->frag_num = ike_get16(&body);
			m->frag_total = ike_get16(&body);
			if (body.err || !m->frag_num || !m->frag_total ||
			    m->frag_num > m->frag_total)
				return bad(m, "SKF payload's fragment numbers "
					   "are wrong");
			m->sk_off = body_off + 4;
			m->sk_np = np;
			return 0;
		}
		err = parse_body(m, type, &body);
		if (err)
			return err;
		if (body.err)
			return bad(m, "payload body truncated");
	}
	if (ike_rbuf_left(r))
		return bad(m, "bytes after the last payload");
	return 0;
}

int ike_msg_parse(struct ike_msg *m, const uint8_t *buf, size_t len)
{
	struct ike_rbuf r;
	int err = parse_hdr(m, buf, len);

	if (err)
		return err;
	ike_rbuf_init(&r, buf, len);
	ike_get_skip(&r, IKE_HDR_LEN);
	return parse_chain(m, &r, m->np, true);
}

int ike_msg_parse_inner(struct ike_msg *m, const uint8_t *plain, size_t len)
{
	struct ike_rbuf r;

	/* The SK bit stays set: "seen" then says this was encrypted. */
	ike_rbuf_init(&r, plain, len);
	return parse_chain(m, &r, m->sk_np, false);
}

const struct ike_notify_pl *ike_msg_notify(const struct ike_msg *m,
					   uint16_t type)
{
	for (unsigned int i = 0; i < m->nnotify; i++)
		if (m->notify[i].type == type)
			return &m->notify[i];
	return NULL;
}

const struct ike_notify_pl *ike_msg_error_notify(const struct ike_msg *m)
{
	for (unsigned int i = 0; i < m->nnotify; i++)
		if (m->notify[i].type <= IKE_N_ERROR_MAX)
			return &m->notify[i];
	return NULL;
}
