/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IKEv2 message codec (RFC 7296 section 3): the protocol's numbers, a
 * parser that turns one datagram into a validated struct ike_msg in a
 * single pass, and builders that write payloads through an ike_wbuf and so
 * cannot overrun.
 *
 * Parsing never allocates: every variable part is either a reference into
 * the datagram (struct ike_chunk) or an entry of a fixed array whose size
 * caps what an attacker can make us hold. What lies past a cap is dropped
 * as the RFC allows a receiver to (more proposals, traffic selectors or
 * vendor IDs than we would ever choose from), and the drop is counted.
 *
 * The codec knows no keys; the SK payload is kept as a reference, the
 * engine decrypts it with ike_sk_open() and hands the plaintext back to
 * ike_msg_parse_inner(), which parses it into the same struct.
 */
#ifndef IKD_IKE_MSG_H
#define IKD_IKE_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_buf.h"
#include "ike_crypto.h"

/* RFC 7296 3.1: header */
#define IKE_HDR_LEN		28
#define IKE_VERSION		0x20	/* major 2, minor 0 */
#define IKE_FLAG_I		0x08	/* sent by the original initiator */
#define IKE_FLAG_V		0x10	/* "higher version supported"; never set */
#define IKE_FLAG_R		0x20	/* a response */
#define IKE_MSG_MAX		65535	/* the most a datagram (or we) will carry */

/* Exchange types */
enum {
	IKE_SA_INIT = 34,
	IKE_AUTH = 35,
	IKE_CREATE_CHILD_SA = 36,
	IKE_INFORMATIONAL = 37,
};

/* Payload types (3.2) */
enum {
	IKE_PL_NONE = 0,
	IKE_PL_SA = 33,
	IKE_PL_KE = 34,
	IKE_PL_IDI = 35,
	IKE_PL_IDR = 36,
	IKE_PL_CERT = 37,
	IKE_PL_CERTREQ = 38,
	IKE_PL_AUTH = 39,
	IKE_PL_NONCE = 40,
	IKE_PL_NOTIFY = 41,
	IKE_PL_DELETE = 42,
	IKE_PL_VENDOR = 43,
	IKE_PL_TSI = 44,
	IKE_PL_TSR = 45,
	IKE_PL_SK = 46,
	IKE_PL_CP = 47,
	IKE_PL_EAP = 48,
	IKE_PL_SKF = 53,	/* RFC 7383: an encrypted fragment */
};

#define IKE_PL_CRITICAL		0x80	/* the C bit of the generic header */

/* Protocol IDs (3.3.1) */
enum {
	IKE_PROTO_IKE = 1,
	IKE_PROTO_AH = 2,
	IKE_PROTO_ESP = 3,
};

/* Transform types (3.3.2) */
enum {
	IKE_XF_ENCR = 1,
	IKE_XF_PRF = 2,
	IKE_XF_INTEG = 3,
	IKE_XF_DH = 4,
	IKE_XF_ESN = 5,
};
#define IKE_XF_TYPES		5

/* Transform attribute (3.3.5): the only one defined. */
#define IKE_ATTR_KEY_LENGTH	14
#define IKE_ATTR_TV		0x8000	/* attribute format bit */

/* ESN transform ids */
enum { IKE_ESN_NO = 0, IKE_ESN_YES = 1 };

/* Notify message types (3.10.1): errors below 16384, status above. */
enum {
	IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD = 1,
	IKE_N_INVALID_IKE_SPI = 4,
	IKE_N_INVALID_MAJOR_VERSION = 5,
	IKE_N_INVALID_SYNTAX = 7,
	IKE_N_INVALID_MESSAGE_ID = 9,
	IKE_N_INVALID_SPI = 11,
	IKE_N_NO_PROPOSAL_CHOSEN = 14,
	IKE_N_INVALID_KE_PAYLOAD = 17,
	IKE_N_AUTHENTICATION_FAILED = 24,
	IKE_N_SINGLE_PAIR_REQUIRED = 34,
	IKE_N_NO_ADDITIONAL_SAS = 35,
	IKE_N_INTERNAL_ADDRESS_FAILURE = 36,
	IKE_N_FAILED_CP_REQUIRED = 37,
	IKE_N_TS_UNACCEPTABLE = 38,
	IKE_N_INVALID_SELECTORS = 39,
	IKE_N_UNACCEPTABLE_ADDRESSES = 40,	/* RFC 4555 */
	IKE_N_UNEXPECTED_NAT_DETECTED = 41,	/* RFC 4555 */
	IKE_N_USE_ASSIGNED_HoA = 42,		/* RFC 5026 */
	IKE_N_TEMPORARY_FAILURE = 43,
	IKE_N_CHILD_SA_NOT_FOUND = 44,
	IKE_N_INVALID_GROUP_ID = 45,		/* RFC 6407 */
	IKE_N_AUTHORIZATION_FAILED = 46,	/* RFC 6407 */
	IKE_N_STATE_NOT_FOUND = 47,		/* RFC 8019 */
	IKE_N_ERROR_MAX = 16383,

	IKE_N_INITIAL_CONTACT = 16384,
	IKE_N_SET_WINDOW_SIZE = 16385,
	IKE_N_ADDITIONAL_TS_POSSIBLE = 16386,
	IKE_N_IPCOMP_SUPPORTED = 16387,
	IKE_N_NAT_DETECTION_SOURCE_IP = 16388,
	IKE_N_NAT_DETECTION_DESTINATION_IP = 16389,
	IKE_N_COOKIE = 16390,
	IKE_N_USE_TRANSPORT_MODE = 16391,
	IKE_N_HTTP_CERT_LOOKUP_SUPPORTED = 16392,
	IKE_N_REKEY_SA = 16393,
	IKE_N_ESP_TFC_PADDING_NOT_SUPPORTED = 16394,
	IKE_N_NON_FIRST_FRAGMENTS_ALSO = 16395,
	IKE_N_MOBIKE_SUPPORTED = 16396,		/* RFC 4555 */
	IKE_N_IKEV2_FRAGMENTATION_SUPPORTED = 16430,	/* RFC 7383 */
	IKE_N_SIGNATURE_HASH_ALGORITHMS = 16431,	/* RFC 7427 */
};

/* ID types (3.5) */
enum {
	IKE_ID_IPV4_ADDR = 1,
	IKE_ID_FQDN = 2,
	IKE_ID_RFC822_ADDR = 3,
	IKE_ID_IPV6_ADDR = 5,
	IKE_ID_DER_ASN1_DN = 9,
	IKE_ID_DER_ASN1_GN = 10,
	IKE_ID_KEY_ID = 11,
};

/* Authentication methods (3.8) */
enum {
	IKE_AUTH_RSA_SIG = 1,
	IKE_AUTH_PSK = 2,		/* Shared Key Message Integrity Code */
	IKE_AUTH_DSS_SIG = 3,
	IKE_AUTH_ECDSA_256 = 9,		/* RFC 4754 */
	IKE_AUTH_ECDSA_384 = 10,
	IKE_AUTH_ECDSA_521 = 11,
	IKE_AUTH_NULL = 13,		/* RFC 7619 */
	IKE_AUTH_DIGITAL_SIG = 14,	/* RFC 7427 */
};

/* Traffic selector types (3.13.1) */
enum {
	IKE_TS_IPV4_ADDR_RANGE = 7,
	IKE_TS_IPV6_ADDR_RANGE = 8,
};

/* Configuration payload types (3.15) */
enum {
	IKE_CFG_REQUEST = 1,
	IKE_CFG_REPLY = 2,
	IKE_CFG_SET = 3,
	IKE_CFG_ACK = 4,
};

/* Caps on what one message may make us hold (see the file comment). */
#define IKE_MAX_PAYLOADS	64	/* per chain; more is refused */
#define IKE_MAX_PROPOSALS	32
#define IKE_MAX_XFORMS		64	/* per proposal */
#define IKE_MAX_NOTIFY		32
#define IKE_MAX_DELETE		8
#define IKE_MAX_TS		16
#define IKE_MAX_OPAQUE		8	/* CERT, CERTREQ, V kept */
#define IKE_NONCE_MIN		16
#define IKE_NONCE_MAX		256
#define IKE_ID_MAX		255	/* identification data we keep */

/* Bytes of the datagram (or of the decrypted SK payload) by reference. */
struct ike_chunk {
	const uint8_t *ptr;
	size_t len;
};

struct ike_xform {
	uint8_t type;		/* IKE_XF_* */
	uint16_t id;
	uint16_t keylen;	/* Key Length attribute in bits, 0: none */
	bool unusable;		/* carries an attribute we do not know */
};

struct ike_proposal {
	uint8_t num;		/* proposal number */
	uint8_t proto;		/* IKE_PROTO_* */
	uint8_t spi_size;	/* 0, 4 or 8 */
	uint8_t spi[8];
	uint8_t nxf;
	bool unusable;		/* unknown transform type, or too many transforms */
	struct ike_xform xf[IKE_MAX_XFORMS];
};

struct ike_sa_pl {
	uint8_t nprop;
	uint8_t dropped;	/* proposals beyond IKE_MAX_PROPOSALS */
	struct ike_proposal prop[IKE_MAX_PROPOSALS];
};

struct ike_ke_pl {
	uint16_t group;
	struct ike_chunk data;
};

struct ike_id_pl {
	uint8_t type;
	struct ike_chunk data;	/* identification data */
	struct ike_chunk body;	/* type | reserved | data: what AUTH signs */
};

struct ike_auth_pl {
	uint8_t method;
	struct ike_chunk data;
};

struct ike_notify_pl {
	uint8_t proto;
	uint8_t spi_size;
	uint16_t type;
	struct ike_chunk spi;
	struct ike_chunk data;
};

struct ike_delete_pl {
	uint8_t proto;
	uint8_t spi_size;
	uint16_t nspi;
	struct ike_chunk spis;	/* nspi * spi_size bytes */
};

/* One traffic selector as the wire carries it: an address range. */
struct ike_ts {
	uint8_t type;		/* IKE_TS_IPV4/6_ADDR_RANGE */
	uint8_t proto;		/* IP protocol, 0: any */
	uint16_t sport, eport;	/* host order */
	uint8_t start[16], end[16];	/* network order, 4 bytes used for v4 */
};

struct ike_ts_pl {
	uint8_t nts;
	uint8_t dropped;	/* beyond IKE_MAX_TS or of unknown type */
	struct ike_ts ts[IKE_MAX_TS];
};

struct ike_opaque_pl {
	uint8_t type;		/* CERT encoding, CP type; 0 for V */
	struct ike_chunk data;
};

struct ike_msg {
	/* Header (host order). */
	uint64_t spi_i, spi_r;
	uint8_t np;		/* first payload */
	uint8_t version;
	uint8_t exchange;
	uint8_t flags;
	uint32_t msgid;
	uint32_t length;
	const uint8_t *raw;	/* the whole datagram */
	size_t raw_len;

	uint32_t seen;		/* bit (type - 32) for each payload type met */
	struct ike_sa_pl sa;
	struct ike_ke_pl ke;
	struct ike_chunk nonce;
	struct ike_id_pl idi, idr;
	struct ike_auth_pl auth;
	struct ike_ts_pl tsi, tsr;
	struct ike_opaque_pl cp;
	uint8_t nnotify, ndelete, ncert, ncertreq, nvendor;
	uint16_t dropped_notify;	/* notifies beyond the cap */
	struct ike_notify_pl notify[IKE_MAX_NOTIFY];
	struct ike_delete_pl del[IKE_MAX_DELETE];
	struct ike_opaque_pl cert[IKE_MAX_OPAQUE];
	struct ike_opaque_pl certreq[IKE_MAX_OPAQUE];
	struct ike_opaque_pl vendor[IKE_MAX_OPAQUE];

	/* The SK payload: its data (IV | ciphertext | ICV) runs from
	 * sk_off to the end of the datagram; inner chain starts with sk_np. */
	size_t sk_off;
	uint8_t sk_np;
	/* An SKF payload instead (RFC 7383 2.5): the same, its data after
	 * Fragment Number and Total Fragments; sk_np is the first inner
	 * payload in fragment 1, 0 in the others. */
	uint16_t frag_num, frag_total;

	/* Why parsing failed: the notify to answer with (INVALID_SYNTAX,
	 * UNSUPPORTED_CRITICAL_PAYLOAD, INVALID_MAJOR_VERSION), the
	 * critical payload type, and a short text for the log. */
	uint16_t err_notify;
	uint8_t err_payload;
	const char *err_text;
};

static inline bool ike_msg_has(const struct ike_msg *m, uint8_t pl)
{
	return pl > 32 && pl < 64 && (m->seen & (1u << (pl - 32)));
}

/*
 * Parses the header and the unencrypted payload chain of @buf. The header
 * is filled in first, so on failure the caller can still see whether it
 * is a request worth answering. Returns 0, or:
 *   -EPROTONOSUPPORT  major version is not 2 (IKEv1 is 1): err_notify says
 *                     INVALID_MAJOR_VERSION;
 *   -ENOTSUP          an unknown payload with the critical bit
 *                     (err_payload), UNSUPPORTED_CRITICAL_PAYLOAD;
 *   -EBADMSG          anything malformed, INVALID_SYNTAX.
 * @m may keep pointers into @buf.
 */
int ike_msg_parse(struct ike_msg *m, const uint8_t *buf, size_t len);

/* Parses the decrypted inner chain (first payload m->sk_np) into @m, with
 * the same rules and returns; @m keeps pointers into @plain. */
int ike_msg_parse_inner(struct ike_msg *m, const uint8_t *plain, size_t len);

/* First notify of @type, or NULL. */
const struct ike_notify_pl *ike_msg_notify(const struct ike_msg *m,
					   uint16_t type);
/* The first error notify (type < 16384), or NULL. */
const struct ike_notify_pl *ike_msg_error_notify(const struct ike_msg *m);

/* Names for logs ("IKE_AUTH", "NO_PROPOSAL_CHOSEN", ...); never NULL. */
const char *ike_exchange_name(uint8_t exch);
const char *ike_payload_name(uint8_t type);
const char *ike_notify_name(uint16_t type);
const char *ike_id_type_name(uint8_t type);
const char *ike_auth_method_name(uint8_t method);
const char *ike_proto_name(uint8_t proto);

/*
 * Builders. A message is a header and a chain of payloads; every payload
 * names the type of the next one, so the builder remembers where the last
 * "next payload" byte is and patches it when the next payload starts. A
 * chain without header (the inside of an SK payload) is built the same
 * way and remembers its first payload type instead.
 *
 * Errors are sticky in the writer: build freely, then check the return of
 * ike_build_end() (or w->err) once.
 */
struct ike_builder {
	struct ike_wbuf *w;
	size_t start;		/* offset of the header, or of the chain */
	size_t np_off;		/* where the next payload's type goes */
	bool has_hdr;
	uint8_t first_np;	/* chains without header */
};

void ike_build_hdr(struct ike_builder *b, struct ike_wbuf *w, uint64_t spi_i,
		   uint64_t spi_r, uint8_t exchange, uint8_t flags,
		   uint32_t msgid);
void ike_build_chain(struct ike_builder *b, struct ike_wbuf *w);
/* Writes the header's length field; 0 or the writer's error. */
int ike_build_end(struct ike_builder *b);

/* Opens a payload of @type (generic header); returns its offset, to pass
 * to ike_build_close() once the body is written. */
size_t ike_build_open(struct ike_builder *b, uint8_t type);
void ike_build_close(struct ike_builder *b, size_t off);

void ike_build_sa(struct ike_builder *b, const struct ike_proposal *props,
		  unsigned int nprop);
void ike_build_ke(struct ike_builder *b, uint16_t group, const uint8_t *data,
		  size_t len);
void ike_build_nonce(struct ike_builder *b, const uint8_t *data, size_t len);
/* @pl: IKE_PL_IDI or IKE_PL_IDR. */
void ike_build_id(struct ike_builder *b, uint8_t pl, uint8_t type,
		  const uint8_t *data, size_t len);
void ike_build_auth(struct ike_builder *b, uint8_t method,
		    const uint8_t *data, size_t len);
void ike_build_notify(struct ike_builder *b, uint8_t proto,
		      const uint8_t *spi, uint8_t spi_size, uint16_t type,
		      const uint8_t *data, size_t len);
/* @spis: nspi SPIs of spi_size bytes each, as on the wire. */
void ike_build_delete(struct ike_builder *b, uint8_t proto, uint8_t spi_size,
		      const uint8_t *spis, uint16_t nspi);
/* @pl: IKE_PL_TSI or IKE_PL_TSR. */
void ike_build_ts(struct ike_builder *b, uint8_t pl, const struct ike_ts *ts,
		  unsigned int nts);
void ike_build_vendor(struct ike_builder *b, const uint8_t *data, size_t len);
/* @pl: IKE_PL_CERT or IKE_PL_CERTREQ; @enc the encoding. */
void ike_build_cert(struct ike_builder *b, uint8_t pl, uint8_t enc,
		    const uint8_t *data, size_t len);
/* @attrs: the configuration attributes, already encoded. */
void ike_build_cp(struct ike_builder *b, uint8_t cfg_type,
		  const uint8_t *attrs, size_t len);
/*
 * Closes a message with an SK payload holding @inner (a chain built with
 * ike_build_chain(), first payload @inner_np), sealed with @keys, and
 * writes the header's length. The SK payload must be the last one.
 * Returns 0, -ENOSPC, or the error of ike_sk_seal().
 */
int ike_build_sk_end(struct ike_builder *b, const struct ike_sk_keys *keys,
		     uint8_t inner_np, const uint8_t *inner, size_t inner_len);
/* The same with an SKF payload (RFC 7383 2.5) carrying fragment @num of
 * @total: @inner is this fragment's share of the inner chain, @inner_np
 * the chain's first payload type in fragment 1 and 0 in the others. */
int ike_build_skf_end(struct ike_builder *b, const struct ike_sk_keys *keys,
		      uint8_t inner_np, uint16_t num, uint16_t total,
		      const uint8_t *inner, size_t inner_len);

#endif /* IKD_IKE_MSG_H */
