/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IKEv1 (ISAKMP) message codec: a parser that checks a datagram's
 * header and payload chain in one pass and keeps, per payload, references
 * into the datagram; decoders that give each payload's fields; iterators
 * over the proposals, transforms and attributes nested in an SA payload;
 * and builders that write through an ike_wbuf and so cannot overrun.
 *
 * Unlike the IKEv2 codec (ike_msg.h) the parser does not copy payloads
 * into typed fixed arrays. IKEv1 messages are read in order and hashed
 * in pieces (HASH(1) of Quick Mode covers every payload after the HASH,
 * SAi_b and IDii_b are payload bodies), so what the exchange code needs
 * is the chain itself: an array of payload references. Every payload of
 * a parsed message has already passed its decoder's checks, so decoding
 * it again where the exchange needs its fields cannot fail; the nested
 * SA structure is walked by iterators, which hold no arrays that an
 * attacker could fill. The nesting is fixed by the format (SA, proposal,
 * transform, attribute, nothing deeper), so only the number of payloads
 * in a chain needs a cap.
 *
 * The codec knows no keys. When the E flag is set, isakmp_msg_parse()
 * stops after the header and leaves the ciphertext in m->body; the
 * caller decrypts it and hands the plaintext to isakmp_msg_parse_body().
 */
#ifndef IKD_ISAKMP_MSG_H
#define IKD_ISAKMP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_buf.h"
#include "isakmp.h"

#define ISAKMP_MAX_PAYLOADS	64	/* per chain; more is refused */
#define ISAKMP_MSG_MAX		65535
#define ISAKMP_NONCE_MIN	8	/* RFC 2409 5 */
#define ISAKMP_NONCE_MAX	256

/* Bytes of the datagram (or of the decrypted body) by reference. */
struct isakmp_chunk {
	const uint8_t *ptr;
	size_t len;
};

/* Why something was refused: the notify to answer with, if any is
 * answered, and a short text for the log. */
struct isakmp_why {
	uint16_t notify;	/* ISAKMP_N_*; 0 while nothing failed */
	const char *text;
};

/* One payload of a chain. */
struct isakmp_pl {
	uint8_t type;			/* ISAKMP_PL_* */
	const uint8_t *hdr;		/* its generic header */
	size_t len;			/* generic header included */
	struct isakmp_chunk body;	/* after the generic header */
};

struct isakmp_msg {
	/* Header (numbers in host order). */
	uint8_t cky_i[ISAKMP_COOKIE_LEN], cky_r[ISAKMP_COOKIE_LEN];
	uint8_t np;		/* first payload */
	uint8_t version;	/* major 1; the minor is not checked */
	uint8_t exchange;
	uint8_t flags;
	uint32_t msgid;
	uint32_t length;
	const uint8_t *raw;	/* the datagram */
	size_t raw_len;
	size_t trailing;	/* datagram bytes past length, ignored */
	struct isakmp_chunk body;	/* after the header, within length:
					 * the ciphertext when E is set */

	/* The chain parsed last (clear, or the decrypted body). */
	struct isakmp_chunk chain;	/* first payload to end of the last */
	size_t pad;		/* bytes after the last payload (padding) */
	unsigned int npl;
	struct isakmp_pl pl[ISAKMP_MAX_PAYLOADS];

	/* Why parsing failed (see isakmp_msg_parse()); err_payload is the
	 * type of the payload refused (unknown, or failing its decoder),
	 * 0 when the header or the chain itself was at fault. */
	uint16_t err_notify;
	uint8_t err_payload;
	const char *err_text;
};

/*
 * Parses a datagram: header, then, unless the E flag is set, the payload
 * chain (a chain starting with a fragment payload is parsed whatever E
 * says: fragments are not encrypted, the message they carry may be). The header is filled in first, so on failure the caller still
 * knows the cookies and the exchange to answer for. Returns 0, or:
 *   -EPROTONOSUPPORT  major version not 1 (INVALID-MAJOR-VERSION);
 *   -ENOTSUP          exchange type not Main, Aggressive, Informational
 *                     or Quick (UNSUPPORTED-EXCHANGE-TYPE), or a payload
 *                     type we do not know (INVALID-PAYLOAD-TYPE, the type
 *                     in err_payload; RFC 2408 5.2: IKEv1 has no
 *                     critical bit, every unknown type is refused);
 *   -EBADMSG          malformed: err_notify says PAYLOAD-MALFORMED or
 *                     the more precise one (UNEQUAL-PAYLOAD-LENGTHS,
 *                     BAD-PROPOSAL-SYNTAX, INVALID-COOKIE, INVALID-ID-
 *                     INFORMATION, DOI-NOT-SUPPORTED, SITUATION-NOT-
 *                     SUPPORTED, INVALID-PROTOCOL-ID).
 * @m keeps pointers into @buf.
 */
int isakmp_msg_parse(struct isakmp_msg *m, const uint8_t *buf, size_t len);

/*
 * Parses the payload chain of a decrypted body, first payload @np (the
 * header's), into @m, replacing any chain parsed before; same returns.
 * Bytes after the last payload are the padding of RFC 2409 5.3 and are
 * skipped (m->pad); checking them against the block size is the caller's.
 */
int isakmp_msg_parse_body(struct isakmp_msg *m, uint8_t np,
			  const uint8_t *body, size_t len);

/* The first payload of @type after @after (NULL: from the start). */
const struct isakmp_pl *isakmp_msg_find(const struct isakmp_msg *m,
					uint8_t type,
					const struct isakmp_pl *after);
/* The bytes of the chain after @pl: what a HASH payload covers. */
struct isakmp_chunk isakmp_msg_after(const struct isakmp_msg *m,
				     const struct isakmp_pl *pl);

/* --- decoders: 0, or -EBADMSG with @why filled (why may be NULL) ------- */

struct isakmp_sa {
	uint32_t doi;		/* always ISAKMP_DOI_IPSEC once decoded */
	uint32_t situation;	/* always IPSEC_SIT_IDENTITY_ONLY */
	struct isakmp_chunk props;
};

struct isakmp_prop {
	uint8_t num, proto, spi_size, nxf;
	struct isakmp_chunk spi;
	struct isakmp_chunk xforms;
};

struct isakmp_xform {
	uint8_t num, id;
	struct isakmp_chunk attrs;
};

/* A data attribute: TV (AF bit set; value is its two bytes) or TLV. */
struct isakmp_attr {
	uint16_t type;		/* without the AF bit */
	bool tv;
	struct isakmp_chunk value;
};

/* Walks proposals, transforms or attributes; next() returns false at the
 * end, or on malformed input with why.notify set. */
struct isakmp_iter {
	struct ike_rbuf r;
	unsigned int n;		/* items returned */
	struct isakmp_why why;
};

/* Checks the whole SA: DOI, situation, each proposal (monotonic
 * numbers, known protocol, its SPI size, at least one transform and as
 * many as announced), each transform and each attribute. */
int isakmp_dec_sa(const struct isakmp_pl *pl, struct isakmp_sa *sa,
		  struct isakmp_why *why);
void isakmp_prop_iter(struct isakmp_iter *it, const struct isakmp_sa *sa);
bool isakmp_prop_next(struct isakmp_iter *it, struct isakmp_prop *p);
void isakmp_xform_iter(struct isakmp_iter *it, const struct isakmp_prop *p);
bool isakmp_xform_next(struct isakmp_iter *it, struct isakmp_xform *t);
void isakmp_attr_iter(struct isakmp_iter *it, const struct isakmp_xform *t);
bool isakmp_attr_next(struct isakmp_iter *it, struct isakmp_attr *a);
/* The attribute as a number: TV, or TLV of 1 to 8 bytes; else false. */
bool isakmp_attr_num(const struct isakmp_attr *a, uint64_t *v);

/* ID (RFC 2407 4.6.2); data is the identification data, addr_len 4 or
 * 16 for the address forms (subnets and ranges hold two addresses). */
struct isakmp_id {
	uint8_t type, proto;
	uint16_t port;
	uint8_t addr_len;
	struct isakmp_chunk data;
};
int isakmp_dec_id(const struct isakmp_pl *pl, struct isakmp_id *id,
		  struct isakmp_why *why);

/* CERT and CR: the encoding and the data (empty CR: any authority). */
struct isakmp_cert {
	uint8_t enc;
	struct isakmp_chunk data;
};
int isakmp_dec_cert(const struct isakmp_pl *pl, struct isakmp_cert *c,
		    struct isakmp_why *why);

struct isakmp_notify {
	uint32_t doi;
	uint8_t proto, spi_size;
	uint16_t type;
	struct isakmp_chunk spi, data;
};
int isakmp_dec_notify(const struct isakmp_pl *pl, struct isakmp_notify *n,
		      struct isakmp_why *why);

struct isakmp_delete {
	uint32_t doi;
	uint8_t proto, spi_size;
	uint16_t nspi;
	struct isakmp_chunk spis;	/* nspi * spi_size bytes */
};
int isakmp_dec_delete(const struct isakmp_pl *pl, struct isakmp_delete *d,
		      struct isakmp_why *why);

/* NAT-OA, RFC 3947 5.2 and the draft's: an IPv4 or IPv6 address. */
struct isakmp_nat_oa {
	uint8_t id_type;	/* IPSEC_ID_IPV4_ADDR or _IPV6_ADDR */
	struct isakmp_chunk addr;
};
int isakmp_dec_nat_oa(const struct isakmp_pl *pl, struct isakmp_nat_oa *oa,
		      struct isakmp_why *why);

/* racoon's fragment: numbered from 1, ISAKMP_FRAG_LAST on the last. */
struct isakmp_frag {
	uint16_t id;
	uint8_t num, flags;
	struct isakmp_chunk data;
};
int isakmp_dec_frag(const struct isakmp_pl *pl, struct isakmp_frag *f,
		    struct isakmp_why *why);

/* KE, HASH, SIG, NONCE, VID and NAT-D carry only data: pl->body, checked
 * non-empty (NONCE: 8 to 256 bytes) by the parser. */

/* Runs the decoder of @pl's type (the parser does, for every payload);
 * 0 or -EBADMSG. */
int isakmp_pl_check(const struct isakmp_pl *pl, struct isakmp_why *why);

/* --- builders ------------------------------------------------------------
 * As ike_msg.h's: each payload names the next one's type, so the builder
 * patches the previous "next payload" byte when a payload opens; the same
 * holds for the proposals of an SA and the transforms of a proposal.
 * Errors are sticky in the writer (-ENOSPC, -EMSGSIZE, and -EINVAL for a
 * transform outside a proposal or the like): build, then check
 * isakmp_build_end() once.
 */
struct isakmp_builder {
	struct ike_wbuf *w;
	size_t start;		/* offset of the header, or of the chain */
	size_t np_off;		/* where the next payload's type goes */
	bool has_hdr;
	uint8_t first_np;	/* chains without header */
	size_t sa_off, prop_off, xf_off;	/* open parts of an SA */
	uint8_t nxf;		/* transforms in the open proposal */
};

void isakmp_build_hdr(struct isakmp_builder *b, struct ike_wbuf *w,
		      const uint8_t *cky_i, const uint8_t *cky_r,
		      uint8_t exchange, uint8_t flags, uint32_t msgid);
/* A chain without header (the plaintext of an encrypted body). */
void isakmp_build_chain(struct isakmp_builder *b, struct ike_wbuf *w);
/* Closes an open SA, writes the header's length; 0 or the error. */
int isakmp_build_end(struct isakmp_builder *b);

size_t isakmp_build_open(struct isakmp_builder *b, uint8_t type);
void isakmp_build_close(struct isakmp_builder *b, size_t off);
/* A payload of data only (KE, HASH, SIG, NONCE, VID, NAT-D); @data NULL
 * writes zeros. Returns the offset of the data, e.g. to fill in a HASH
 * once what follows it is built. */
size_t isakmp_build_data(struct isakmp_builder *b, uint8_t type,
			 const uint8_t *data, size_t len);

void isakmp_build_sa_begin(struct isakmp_builder *b, uint32_t doi,
			   uint32_t situation);
void isakmp_build_prop(struct isakmp_builder *b, uint8_t num, uint8_t proto,
		       const uint8_t *spi, uint8_t spi_size);
void isakmp_build_xform(struct isakmp_builder *b, uint8_t num, uint8_t id);
void isakmp_build_attr_tv(struct isakmp_builder *b, uint16_t type,
			  uint16_t value);
void isakmp_build_attr_tlv(struct isakmp_builder *b, uint16_t type,
			   const uint8_t *value, uint16_t len);
/* TV when @v fits in 16 bits (RFC 2409 A allows it for variable
 * attributes too), else a TLV of 4 or 8 bytes. */
void isakmp_build_attr_num(struct isakmp_builder *b, uint16_t type,
			   uint64_t v);
void isakmp_build_sa_end(struct isakmp_builder *b);

void isakmp_build_id(struct isakmp_builder *b, uint8_t type, uint8_t proto,
		     uint16_t port, const uint8_t *data, size_t len);
/* @pl: ISAKMP_PL_CERT or ISAKMP_PL_CR. */
void isakmp_build_cert(struct isakmp_builder *b, uint8_t pl, uint8_t enc,
		       const uint8_t *data, size_t len);
void isakmp_build_notify(struct isakmp_builder *b, uint32_t doi,
			 uint8_t proto, const uint8_t *spi, uint8_t spi_size,
			 uint16_t type, const uint8_t *data, size_t len);
/* @spis: nspi SPIs of spi_size bytes each, as on the wire. */
void isakmp_build_delete(struct isakmp_builder *b, uint32_t doi,
			 uint8_t proto, uint8_t spi_size, const uint8_t *spis,
			 uint16_t nspi);
/* @pl: ISAKMP_PL_NAT_OA or its draft number; @len 4 or 16. */
void isakmp_build_nat_oa(struct isakmp_builder *b, uint8_t pl,
			 const uint8_t *addr, size_t len);
void isakmp_build_frag(struct isakmp_builder *b, uint16_t id, uint8_t num,
		       uint8_t flags, const uint8_t *data, size_t len);

#endif /* IKD_ISAKMP_MSG_H */
