// SPDX-License-Identifier: BSD-2-Clause
/*
 * IKEv1 payload decoders (RFC 2408 3.4-3.15, RFC 2407 4.6, RFC 3947 5,
 * racoon's fragment) and the iterators over the SA's nesting. Every
 * decoder reads through an ike_rbuf bounded to the payload's body, so a
 * length from the wire can only make a read fail, never overrun.
 *
 * The iterators check each item as they return it, and a proposal's (a
 * transform's) check walks its transforms (attributes) too: an iterator
 * that returned an item has vouched for everything below it, whoever
 * calls it, with or without isakmp_dec_sa() first.
 */
#include "isakmp_msg.h"

#include <errno.h>
#include <string.h>

static int refuse(struct isakmp_why *why, uint16_t notify, const char *text)
{
	if (why) {
		why->notify = notify;
		why->text = text;
	}
	return -EBADMSG;
}

static struct isakmp_chunk rest(struct ike_rbuf *r)
{
	struct isakmp_chunk c;

	c.len = ike_rbuf_left(r);
	c.ptr = ike_get_bytes(r, c.len);
	return c;
}

static void iter_init(struct isakmp_iter *it, struct isakmp_chunk c)
{
	memset(it, 0, sizeof(*it));
	ike_rbuf_init(&it->r, c.ptr, c.len);
}

static bool stop(struct isakmp_iter *it, uint16_t notify, const char *text)
{
	it->why.notify = notify;
	it->why.text = text;
	if (!it->r.err)
		it->r.err = -EBADMSG;
	return false;
}

static bool stopped(const struct isakmp_iter *it)
{
	return it->why.notify || it->r.err;
}

/*
 * Reads the generic header of the next proposal or transform (@type P or
 * T) and bounds @body to it. In both, "next payload" is @type for all
 * but the last and 0 for the last (RFC 2408 3.5, 3.6).
 */
static bool next_nested(struct isakmp_iter *it, uint8_t type,
			struct ike_rbuf *body)
{
	uint8_t np;
	uint16_t len;

	if (stopped(it) || !ike_rbuf_left(&it->r))
		return false;
	np = ike_get8(&it->r);
	ike_get8(&it->r);	/* RESERVED */
	len = ike_get16(&it->r);
	if (it->r.err)
		return stop(it, ISAKMP_N_BAD_PROPOSAL_SYNTAX,
			    "truncated proposal or transform header");
	if (len < 8)
		return stop(it, ISAKMP_N_BAD_PROPOSAL_SYNTAX,
			    "proposal or transform length below 8");
	*body = ike_get_sub(&it->r, len - 4u);
	if (body->err)
		return stop(it, ISAKMP_N_BAD_PROPOSAL_SYNTAX,
			    "proposal or transform runs past its parent");
	if (np != type && np != ISAKMP_PL_NONE)
		return stop(it, ISAKMP_N_BAD_PROPOSAL_SYNTAX,
			    "wrong next payload inside an SA");
	if ((np == ISAKMP_PL_NONE) != (ike_rbuf_left(&it->r) == 0))
		return stop(it, ISAKMP_N_BAD_PROPOSAL_SYNTAX,
			    "last proposal or transform disagrees with the length");
	it->n++;
	return true;
}

/* --- attributes ---------------------------------------------------------- */

void isakmp_attr_iter(struct isakmp_iter *it, const struct isakmp_xform *t)
{
	iter_init(it, t->attrs);
}

bool isakmp_attr_next(struct isakmp_iter *it, struct isakmp_attr *a)
{
	uint16_t type;
	size_t len;

	if (stopped(it) || !ike_rbuf_left(&it->r))
		return false;
	type = ike_get16(&it->r);
	a->type = type & 0x7fff;
	a->tv = type & 0x8000;	/* AF bit: RFC 2408 3.3 */
	len = a->tv ? 2 : ike_get16(&it->r);
	a->value.len = len;
	a->value.ptr = ike_get_bytes(&it->r, len);
	if (it->r.err)
		return stop(it, ISAKMP_N_PAYLOAD_MALFORMED,
			    "attribute runs past its transform");
	it->n++;
	return true;
}

bool isakmp_attr_num(const struct isakmp_attr *a, uint64_t *v)
{
	uint64_t n = 0;

	if (!a->value.len || a->value.len > 8)
		return false;
	for (size_t i = 0; i < a->value.len; i++)
		n = n << 8 | a->value.ptr[i];
	*v = n;
	return true;
}

/* --- transforms ----------------------------------------------------------- */

void isakmp_xform_iter(struct isakmp_iter *it, const struct isakmp_prop *p)
{
	iter_init(it, p->xforms);
}

bool isakmp_xform_next(struct isakmp_iter *it, struct isakmp_xform *t)
{
	struct isakmp_iter ai;
	struct isakmp_attr a;
	struct ike_rbuf body;

	if (!next_nested(it, ISAKMP_PL_T, &body))
		return false;
	t->num = ike_get8(&body);
	t->id = ike_get8(&body);
	ike_get_skip(&body, 2);	/* RESERVED2 */
	t->attrs = rest(&body);
	isakmp_attr_iter(&ai, t);
	while (isakmp_attr_next(&ai, &a))
		;
	if (stopped(&ai))
		return stop(it, ai.why.notify, ai.why.text);
	return true;
}

/* --- proposals ------------------------------------------------------------ */

/* RFC 2408 3.5, RFC 2407 4.4.1: the SPI each protocol carries. ISAKMP's
 * is the cookie pair or, as RFC 2409 allows, nothing; IPCOMP's CPI is 2
 * bytes, sent as 4 by some. */
static bool spi_size_ok(uint8_t proto, uint8_t size)
{
	switch (proto) {
	case ISAKMP_PROTO_ISAKMP:
		return size == 0 || size == 2 * ISAKMP_COOKIE_LEN;
	case ISAKMP_PROTO_AH:
	case ISAKMP_PROTO_ESP:
		return size == 4;
	case ISAKMP_PROTO_IPCOMP:
		return size == 2 || size == 4;
	}
	return false;
}

void isakmp_prop_iter(struct isakmp_iter *it, const struct isakmp_sa *sa)
{
	iter_init(it, sa->props);
}

bool isakmp_prop_next(struct isakmp_iter *it, struct isakmp_prop *p)
{
	struct isakmp_iter ti;
	struct isakmp_xform t;
	struct ike_rbuf body;

	if (!next_nested(it, ISAKMP_PL_P, &body))
		return false;
	p->num = ike_get8(&body);
	p->proto = ike_get8(&body);
	p->spi_size = ike_get8(&body);
	p->nxf = ike_get8(&body);
	p->spi.len = p->spi_size;
	p->spi.ptr = ike_get_bytes(&body, p->spi_size);
	if (body.err)
		return stop(it, ISAKMP_N_BAD_PROPOSAL_SYNTAX,
			    "proposal SPI runs past the proposal");
	if (p->proto < ISAKMP_PROTO_ISAKMP || p->proto > ISAKMP_PROTO_IPCOMP)
		return stop(it, ISAKMP_N_INVALID_PROTOCOL_ID,
			    "proposal of an unknown protocol");
	if (!spi_size_ok(p->proto, p->spi_size))
		return stop(it, ISAKMP_N_INVALID_SPI,
			    "proposal SPI size wrong for its protocol");
	if (!p->nxf)
		return stop(it, ISAKMP_N_BAD_PROPOSAL_SYNTAX,
			    "proposal without transforms");
	p->xforms = rest(&body);
	isakmp_xform_iter(&ti, p);
	while (isakmp_xform_next(&ti, &t))
		;
	if (stopped(&ti))
		return stop(it, ti.why.notify, ti.why.text);
	if (ti.n != p->nxf)
		return stop(it, ISAKMP_N_BAD_PROPOSAL_SYNTAX,
			    "transform count differs from the transforms");
	return true;
}

int isakmp_dec_sa(const struct isakmp_pl *pl, struct isakmp_sa *sa,
		  struct isakmp_why *why)
{
	struct ike_rbuf r;
	struct isakmp_iter it;
	struct isakmp_prop p;
	unsigned int prev = 0;

	ike_rbuf_init(&r, pl->body.ptr, pl->body.len);
	sa->doi = ike_get32(&r);
	sa->situation = ike_get32(&r);
	if (r.err)
		return refuse(why, ISAKMP_N_PAYLOAD_MALFORMED,
			      "SA payload too short");
	if (sa->doi != ISAKMP_DOI_IPSEC)
		return refuse(why, ISAKMP_N_DOI_NOT_SUPPORTED,
			      "SA of a DOI other than IPsec");
	/* Secrecy and integrity add labelled domains (RFC 2407 4.6.1)
	 * that no peer of ours sends and we could not honour. */
	if (sa->situation != IPSEC_SIT_IDENTITY_ONLY)
		return refuse(why, ISAKMP_N_SITUATION_NOT_SUPPORTED,
			      "situation other than SIT_IDENTITY_ONLY");
	sa->props = rest(&r);
	isakmp_prop_iter(&it, sa);
	while (isakmp_prop_next(&it, &p)) {
		/* RFC 2408 4.2: equal numbers are one proposal of several
		 * protocols (ESP and IPCOMP); the numbers never go down. */
		if (it.n > 1 && p.num < prev)
			return refuse(why, ISAKMP_N_BAD_PROPOSAL_SYNTAX,
				      "proposal numbers go down");
		prev = p.num;
	}
	if (stopped(&it))
		return refuse(why, it.why.notify, it.why.text);
	if (!it.n)
		return refuse(why, ISAKMP_N_BAD_PROPOSAL_SYNTAX,
			      "SA payload without proposals");
	return 0;
}

/* --- the other payloads -------------------------------------------------- */

/* RFC 2407 4.6.2.1: the size of each address form's data; 0 for names,
 * which need only be non-empty. */
static int id_data_len(uint8_t type, uint8_t *addr_len, size_t *want)
{
	switch (type) {
	case IPSEC_ID_IPV4_ADDR:
		*addr_len = 4, *want = 4;
		return 0;
	case IPSEC_ID_IPV4_ADDR_SUBNET:
	case IPSEC_ID_IPV4_ADDR_RANGE:
		*addr_len = 4, *want = 8;
		return 0;
	case IPSEC_ID_IPV6_ADDR:
		*addr_len = 16, *want = 16;
		return 0;
	case IPSEC_ID_IPV6_ADDR_SUBNET:
	case IPSEC_ID_IPV6_ADDR_RANGE:
		*addr_len = 16, *want = 32;
		return 0;
	case IPSEC_ID_FQDN:
	case IPSEC_ID_USER_FQDN:
	case IPSEC_ID_DER_ASN1_DN:
	case IPSEC_ID_DER_ASN1_GN:
	case IPSEC_ID_KEY_ID:
		*addr_len = 0, *want = 0;
		return 0;
	}
	return -1;
}

int isakmp_dec_id(const struct isakmp_pl *pl, struct isakmp_id *id,
		  struct isakmp_why *why)
{
	struct ike_rbuf r;
	size_t want;

	ike_rbuf_init(&r, pl->body.ptr, pl->body.len);
	id->type = ike_get8(&r);
	id->proto = ike_get8(&r);
	id->port = ike_get16(&r);
	if (r.err)
		return refuse(why, ISAKMP_N_PAYLOAD_MALFORMED,
			      "ID payload too short");
	id->data = rest(&r);
	if (id_data_len(id->type, &id->addr_len, &want))
		return refuse(why, ISAKMP_N_INVALID_ID_INFORMATION,
			      "unknown ID type");
	if (want ? id->data.len != want : !id->data.len)
		return refuse(why, ISAKMP_N_INVALID_ID_INFORMATION,
			      "ID data length wrong for its type");
	return 0;
}

int isakmp_dec_cert(const struct isakmp_pl *pl, struct isakmp_cert *c,
		    struct isakmp_why *why)
{
	struct ike_rbuf r;

	ike_rbuf_init(&r, pl->body.ptr, pl->body.len);
	c->enc = ike_get8(&r);
	if (r.err)
		return refuse(why, ISAKMP_N_PAYLOAD_MALFORMED,
			      "CERT or CR payload without encoding");
	c->data = rest(&r);
	if (pl->type == ISAKMP_PL_CERT && !c->data.len)
		return refuse(why, ISAKMP_N_INVALID_CERTIFICATE,
			      "CERT payload without certificate");
	return 0;
}

int isakmp_dec_notify(const struct isakmp_pl *pl, struct isakmp_notify *n,
		      struct isakmp_why *why)
{
	struct ike_rbuf r;

	ike_rbuf_init(&r, pl->body.ptr, pl->body.len);
	n->doi = ike_get32(&r);
	n->proto = ike_get8(&r);
	n->spi_size = ike_get8(&r);
	n->type = ike_get16(&r);
	n->spi.len = n->spi_size;
	n->spi.ptr = ike_get_bytes(&r, n->spi_size);
	if (r.err)
		return refuse(why, ISAKMP_N_PAYLOAD_MALFORMED,
			      "notify payload shorter than its SPI");
	n->data = rest(&r);
	return 0;
}

int isakmp_dec_delete(const struct isakmp_pl *pl, struct isakmp_delete *d,
		      struct isakmp_why *why)
{
	struct ike_rbuf r;

	ike_rbuf_init(&r, pl->body.ptr, pl->body.len);
	d->doi = ike_get32(&r);
	d->proto = ike_get8(&r);
	d->spi_size = ike_get8(&r);
	d->nspi = ike_get16(&r);
	if (r.err)
		return refuse(why, ISAKMP_N_PAYLOAD_MALFORMED,
			      "delete payload too short");
	if (d->proto < ISAKMP_PROTO_ISAKMP || d->proto > ISAKMP_PROTO_IPCOMP)
		return refuse(why, ISAKMP_N_INVALID_PROTOCOL_ID,
			      "delete of an unknown protocol");
	if (!d->nspi || !d->spi_size || !spi_size_ok(d->proto, d->spi_size))
		return refuse(why, ISAKMP_N_PAYLOAD_MALFORMED,
			      "delete payload's SPI size or count is wrong");
	d->spis = rest(&r);
	if ((size_t)d->nspi * d->spi_size != d->spis.len)
		return refuse(why, ISAKMP_N_PAYLOAD_MALFORMED,
			      "delete payload's SPI count disagrees with its length");
	return 0;
}

int isakmp_dec_nat_oa(const struct isakmp_pl *pl, struct isakmp_nat_oa *oa,
		      struct isakmp_why *why)
{
	struct ike_rbuf r;
	size_t want;

	ike_rbuf_init(&r, pl->body.ptr, pl->body.len);
	oa->id_type = ike_get8(&r);
	ike_get_skip(&r, 3);	/* RESERVED, RESERVED2 */
	if (r.err)
		return refuse(why, ISAKMP_N_PAYLOAD_MALFORMED,
			      "NAT-OA payload too short");
	oa->addr = rest(&r);
	if (oa->id_type == IPSEC_ID_IPV4_ADDR)
		want = 4;
	else if (oa->id_type == IPSEC_ID_IPV6_ADDR)
		want = 16;
	else
		return refuse(why, ISAKMP_N_PAYLOAD_MALFORMED,
			      "NAT-OA of a type other than an address");
	if (oa->addr.len != want)
		return refuse(why, ISAKMP_N_PAYLOAD_MALFORMED,
			      "NAT-OA address length wrong for its type");
	return 0;
}

int isakmp_dec_frag(const struct isakmp_pl *pl, struct isakmp_frag *f,
		    struct isakmp_why *why)
{
	struct ike_rbuf r;

	ike_rbuf_init(&r, pl->body.ptr, pl->body.len);
	f->id = ike_get16(&r);
	f->num = ike_get8(&r);
	f->flags = ike_get8(&r);
	if (r.err)
		return refuse(why, ISAKMP_N_PAYLOAD_MALFORMED,
			      "fragment payload too short");
	f->data = rest(&r);
	if (!f->num || !f->data.len)
		return refuse(why, ISAKMP_N_PAYLOAD_MALFORMED,
			      "fragment number 0 or fragment without data");
	return 0;
}

int isakmp_pl_check(const struct isakmp_pl *pl, struct isakmp_why *why)
{
	union {
		struct isakmp_sa sa;
		struct isakmp_id id;
		struct isakmp_cert cert;
		struct isakmp_notify n;
		struct isakmp_delete d;
		struct isakmp_nat_oa oa;
		struct isakmp_frag f;
	} u;

	switch (pl->type) {
	case ISAKMP_PL_SA:
		return isakmp_dec_sa(pl, &u.sa, why);
	case ISAKMP_PL_ID:
		return isakmp_dec_id(pl, &u.id, why);
	case ISAKMP_PL_CERT:
	case ISAKMP_PL_CR:
		return isakmp_dec_cert(pl, &u.cert, why);
	case ISAKMP_PL_N:
		return isakmp_dec_notify(pl, &u.n, why);
	case ISAKMP_PL_D:
		return isakmp_dec_delete(pl, &u.d, why);
	case ISAKMP_PL_NAT_OA:
	case ISAKMP_PL_NAT_OA_DRAFT:
		return isakmp_dec_nat_oa(pl, &u.oa, why);
	case ISAKMP_PL_FRAG:
		return isakmp_dec_frag(pl, &u.f, why);
	case ISAKMP_PL_NONCE:
		if (pl->body.len < ISAKMP_NONCE_MIN ||
		    pl->body.len > ISAKMP_NONCE_MAX)
			return refuse(why, ISAKMP_N_PAYLOAD_MALFORMED,
				      "nonce not between 8 and 256 bytes");
		return 0;
	case ISAKMP_PL_KE:
	case ISAKMP_PL_HASH:
	case ISAKMP_PL_SIG:
	case ISAKMP_PL_NAT_D:
	case ISAKMP_PL_NAT_D_DRAFT:
		if (!pl->body.len)
			return refuse(why, ISAKMP_N_PAYLOAD_MALFORMED,
				      "payload without data");
		return 0;
	case ISAKMP_PL_VID:
		return 0;
	}
	return refuse(why, ISAKMP_N_INVALID_PAYLOAD_TYPE,
		      "payload type not allowed here");
}
