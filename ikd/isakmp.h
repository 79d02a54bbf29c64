/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The numbers of IKEv1: ISAKMP (RFC 2408), the IPsec DOI (RFC 2407), IKE
 * (RFC 2409 appendix A), NAT traversal (RFC 3947 and the drafts racoon and
 * old peers still speak), dead peer detection (RFC 3706) and racoon's IKE
 * fragmentation. Kept apart from the IKEv2 numbers of ike_msg.h because
 * the two protocols reuse the same names for different values (payload
 * types, notify codes, ID types overlap only partly).
 *
 * Only numbers and their names for logs are here; the codec that uses
 * them is isakmp_msg.h.
 */
#ifndef IKD_ISAKMP_H
#define IKD_ISAKMP_H

#include <stdint.h>

/* RFC 2408 3.1: header */
#define ISAKMP_HDR_LEN		28
#define ISAKMP_VERSION		0x10	/* major 1, minor 0 */
#define ISAKMP_COOKIE_LEN	8

/* Header flags (3.1) */
#define ISAKMP_FLAG_E		0x01	/* payloads after the header encrypted */
#define ISAKMP_FLAG_C		0x02	/* commit */
#define ISAKMP_FLAG_A		0x04	/* authentication only */

/* Exchange types (3.1; RFC 2409 for the DOI-specific ones) */
enum {
	ISAKMP_EXCH_NONE = 0,
	ISAKMP_EXCH_BASE = 1,
	ISAKMP_EXCH_IDPROT = 2,		/* Main Mode in IKE */
	ISAKMP_EXCH_AUTH_ONLY = 3,
	ISAKMP_EXCH_AGGRESSIVE = 4,
	ISAKMP_EXCH_INFO = 5,
	ISAKMP_EXCH_TRANSACTION = 6,	/* draft mode-config / XAUTH */
	ISAKMP_EXCH_QUICK = 32,
	ISAKMP_EXCH_NEW_GROUP = 33,
};

/* Payload types (3.1) */
enum {
	ISAKMP_PL_NONE = 0,
	ISAKMP_PL_SA = 1,
	ISAKMP_PL_P = 2,		/* only inside SA */
	ISAKMP_PL_T = 3,		/* only inside P */
	ISAKMP_PL_KE = 4,
	ISAKMP_PL_ID = 5,
	ISAKMP_PL_CERT = 6,
	ISAKMP_PL_CR = 7,
	ISAKMP_PL_HASH = 8,
	ISAKMP_PL_SIG = 9,
	ISAKMP_PL_NONCE = 10,
	ISAKMP_PL_N = 11,
	ISAKMP_PL_D = 12,
	ISAKMP_PL_VID = 13,
	ISAKMP_PL_ATTR = 14,		/* draft mode-config; name only */
	ISAKMP_PL_NAT_D = 20,		/* RFC 3947 */
	ISAKMP_PL_NAT_OA = 21,		/* RFC 3947 */
	ISAKMP_PL_NAT_D_DRAFT = 130,	/* draft-ietf-ipsec-nat-t-ike-02/03 */
	ISAKMP_PL_NAT_OA_DRAFT = 131,
	ISAKMP_PL_FRAG = 132,		/* racoon / Cisco IKE fragmentation */
};

/* Domain of interpretation and situation (RFC 2407 4.2) */
#define ISAKMP_DOI_ISAKMP	0
#define ISAKMP_DOI_IPSEC	1
#define IPSEC_SIT_IDENTITY_ONLY	0x01
#define IPSEC_SIT_SECRECY	0x02
#define IPSEC_SIT_INTEGRITY	0x04

/* Protocol ids (RFC 2407 4.4.1) */
enum {
	ISAKMP_PROTO_ISAKMP = 1,
	ISAKMP_PROTO_AH = 2,
	ISAKMP_PROTO_ESP = 3,
	ISAKMP_PROTO_IPCOMP = 4,
};

/* Transform id of a phase-1 (ISAKMP) proposal (RFC 2407 4.4.2) */
#define ISAKMP_KEY_IKE		1

/* Phase-1 attribute types (RFC 2409 appendix A); B basic, V variable */
enum {
	OAKLEY_ATTR_ENC_ALG = 1,	/* B */
	OAKLEY_ATTR_HASH_ALG = 2,	/* B */
	OAKLEY_ATTR_AUTH_METHOD = 3,	/* B */
	OAKLEY_ATTR_GROUP_DESC = 4,	/* B */
	OAKLEY_ATTR_GROUP_TYPE = 5,	/* B */
	OAKLEY_ATTR_GROUP_PRIME = 6,	/* V */
	OAKLEY_ATTR_GROUP_GEN_ONE = 7,	/* V */
	OAKLEY_ATTR_GROUP_GEN_TWO = 8,	/* V */
	OAKLEY_ATTR_GROUP_CURVE_A = 9,	/* V */
	OAKLEY_ATTR_GROUP_CURVE_B = 10,	/* V */
	OAKLEY_ATTR_LIFE_TYPE = 11,	/* B */
	OAKLEY_ATTR_LIFE_DURATION = 12,	/* V */
	OAKLEY_ATTR_PRF = 13,		/* B */
	OAKLEY_ATTR_KEY_LEN = 14,	/* B */
	OAKLEY_ATTR_FIELD_SIZE = 15,	/* B */
	OAKLEY_ATTR_GROUP_ORDER = 16,	/* V */
};

/* Encryption algorithms */
enum {
	OAKLEY_ENC_DES = 1,
	OAKLEY_ENC_IDEA = 2,
	OAKLEY_ENC_BLOWFISH = 3,
	OAKLEY_ENC_RC5 = 4,
	OAKLEY_ENC_3DES = 5,
	OAKLEY_ENC_CAST = 6,
	OAKLEY_ENC_AES = 7,		/* RFC 3602 */
	OAKLEY_ENC_CAMELLIA = 8,	/* RFC 4132 */
};

/* Hash algorithms */
enum {
	OAKLEY_HASH_MD5 = 1,
	OAKLEY_HASH_SHA1 = 2,
	OAKLEY_HASH_TIGER = 3,
	OAKLEY_HASH_SHA2_256 = 4,	/* RFC 4868 */
	OAKLEY_HASH_SHA2_384 = 5,
	OAKLEY_HASH_SHA2_512 = 6,
};

/* Authentication methods; the XAUTH and hybrid ones (draft-ietf-ipsra-
 * hybrid-auth, draft-beaulieu-ike-xauth) are names only. */
enum {
	OAKLEY_AUTH_PSK = 1,
	OAKLEY_AUTH_DSS_SIG = 2,
	OAKLEY_AUTH_RSA_SIG = 3,
	OAKLEY_AUTH_RSA_ENC = 4,
	OAKLEY_AUTH_RSA_REV_ENC = 5,
	OAKLEY_AUTH_HYBRID_RSA_I = 64221,
	OAKLEY_AUTH_HYBRID_RSA_R = 64222,
	OAKLEY_AUTH_HYBRID_DSS_I = 64223,
	OAKLEY_AUTH_HYBRID_DSS_R = 64224,
	OAKLEY_AUTH_XAUTH_PSK_I = 65001,
	OAKLEY_AUTH_XAUTH_PSK_R = 65002,
	OAKLEY_AUTH_XAUTH_DSS_I = 65003,
	OAKLEY_AUTH_XAUTH_DSS_R = 65004,
	OAKLEY_AUTH_XAUTH_RSA_I = 65005,
	OAKLEY_AUTH_XAUTH_RSA_R = 65006,
};

/* Group types, life types */
enum { OAKLEY_GROUP_MODP = 1, OAKLEY_GROUP_ECP = 2, OAKLEY_GROUP_EC2N = 3 };
enum { OAKLEY_LIFE_SECONDS = 1, OAKLEY_LIFE_KILOBYTES = 2 };

/* Phase-2 (IPsec DOI) SA attribute types (RFC 2407 4.5) */
enum {
	IPSEC_ATTR_SA_LIFE_TYPE = 1,	/* B */
	IPSEC_ATTR_SA_LIFE_DURATION = 2,	/* V */
	IPSEC_ATTR_GROUP_DESC = 3,	/* B */
	IPSEC_ATTR_ENCAP_MODE = 4,	/* B */
	IPSEC_ATTR_AUTH_ALG = 5,	/* B */
	IPSEC_ATTR_KEY_LEN = 6,		/* B */
	IPSEC_ATTR_KEY_ROUNDS = 7,	/* B */
	IPSEC_ATTR_COMP_DICT_SIZE = 8,	/* B */
	IPSEC_ATTR_COMP_PRIV_ALG = 9,	/* V */
	IPSEC_ATTR_ECN_TUNNEL = 10,	/* B, RFC 3168 */
};

enum { IPSEC_LIFE_SECONDS = 1, IPSEC_LIFE_KILOBYTES = 2 };

/* Encapsulation modes; 3 and 4 from RFC 3947, 61443/61444 what the
 * nat-t-ike drafts used before the numbers were assigned. */
enum {
	IPSEC_ENCAP_TUNNEL = 1,
	IPSEC_ENCAP_TRANSPORT = 2,
	IPSEC_ENCAP_UDP_TUNNEL = 3,
	IPSEC_ENCAP_UDP_TRANSPORT = 4,
	IPSEC_ENCAP_UDP_TUNNEL_DRAFT = 61443,
	IPSEC_ENCAP_UDP_TRANSPORT_DRAFT = 61444,
};

/* Authentication algorithm attribute values (RFC 2407 4.5, RFC 4868) */
enum {
	IPSEC_AUTH_HMAC_MD5 = 1,
	IPSEC_AUTH_HMAC_SHA1 = 2,
	IPSEC_AUTH_DES_MAC = 3,
	IPSEC_AUTH_KPDK = 4,
	IPSEC_AUTH_HMAC_SHA2_256 = 5,
	IPSEC_AUTH_HMAC_SHA2_384 = 6,
	IPSEC_AUTH_HMAC_SHA2_512 = 7,
	IPSEC_AUTH_HMAC_RIPEMD = 8,
	IPSEC_AUTH_AES_XCBC_MAC = 9,
	IPSEC_AUTH_SIG_RSA = 10,
	IPSEC_AUTH_AES_128_GMAC = 11,
	IPSEC_AUTH_AES_192_GMAC = 12,
	IPSEC_AUTH_AES_256_GMAC = 13,
};

/* ESP transform ids (RFC 2407 4.4.4 and the IANA registry) */
enum {
	IPSEC_ESP_DES_IV64 = 1,
	IPSEC_ESP_DES = 2,
	IPSEC_ESP_3DES = 3,
	IPSEC_ESP_RC5 = 4,
	IPSEC_ESP_IDEA = 5,
	IPSEC_ESP_CAST = 6,
	IPSEC_ESP_BLOWFISH = 7,
	IPSEC_ESP_3IDEA = 8,
	IPSEC_ESP_DES_IV32 = 9,
	IPSEC_ESP_RC4 = 10,
	IPSEC_ESP_NULL = 11,
	IPSEC_ESP_AES = 12,		/* CBC, RFC 3602 */
	IPSEC_ESP_AES_CTR = 13,
	IPSEC_ESP_AES_CCM_8 = 14,
	IPSEC_ESP_AES_CCM_12 = 15,
	IPSEC_ESP_AES_CCM_16 = 16,
	IPSEC_ESP_AES_GCM_8 = 18,	/* RFC 4106 */
	IPSEC_ESP_AES_GCM_12 = 19,
	IPSEC_ESP_AES_GCM_16 = 20,
	IPSEC_ESP_SEED_CBC = 21,
	IPSEC_ESP_CAMELLIA = 22,
	IPSEC_ESP_NULL_AUTH_AES_GMAC = 23,
};

/* AH transform ids (RFC 2407 4.4.3, RFC 4868) */
enum {
	IPSEC_AH_MD5 = 2,
	IPSEC_AH_SHA = 3,
	IPSEC_AH_DES = 4,
	IPSEC_AH_SHA2_256 = 5,
	IPSEC_AH_SHA2_384 = 6,
	IPSEC_AH_SHA2_512 = 7,
	IPSEC_AH_RIPEMD = 8,
	IPSEC_AH_AES_XCBC_MAC = 9,
};

/* IPCOMP transform ids (RFC 2407 4.4.5) */
enum {
	IPSEC_IPCOMP_OUI = 1,
	IPSEC_IPCOMP_DEFLATE = 2,
	IPSEC_IPCOMP_LZS = 3,
	IPSEC_IPCOMP_LZJH = 4,
};

/* Identification types (RFC 2407 4.6.2.1) */
enum {
	IPSEC_ID_IPV4_ADDR = 1,
	IPSEC_ID_FQDN = 2,
	IPSEC_ID_USER_FQDN = 3,
	IPSEC_ID_IPV4_ADDR_SUBNET = 4,
	IPSEC_ID_IPV6_ADDR = 5,
	IPSEC_ID_IPV6_ADDR_SUBNET = 6,
	IPSEC_ID_IPV4_ADDR_RANGE = 7,
	IPSEC_ID_IPV6_ADDR_RANGE = 8,
	IPSEC_ID_DER_ASN1_DN = 9,
	IPSEC_ID_DER_ASN1_GN = 10,
	IPSEC_ID_KEY_ID = 11,
};

/* Certificate encodings (RFC 2408 3.9) */
enum {
	ISAKMP_CERT_NONE = 0,
	ISAKMP_CERT_PKCS7 = 1,
	ISAKMP_CERT_PGP = 2,
	ISAKMP_CERT_DNS = 3,
	ISAKMP_CERT_X509_SIG = 4,
	ISAKMP_CERT_X509_KE = 5,
	ISAKMP_CERT_KERBEROS = 6,
	ISAKMP_CERT_CRL = 7,
	ISAKMP_CERT_ARL = 8,
	ISAKMP_CERT_SPKI = 9,
	ISAKMP_CERT_X509_ATTR = 10,
};

/* Notify message types: RFC 2408 3.14.1 errors (1..30), ISAKMP status
 * (16384), IPsec DOI status (RFC 2407 4.6.3), DPD (RFC 3706). */
enum {
	ISAKMP_N_INVALID_PAYLOAD_TYPE = 1,
	ISAKMP_N_DOI_NOT_SUPPORTED = 2,
	ISAKMP_N_SITUATION_NOT_SUPPORTED = 3,
	ISAKMP_N_INVALID_COOKIE = 4,
	ISAKMP_N_INVALID_MAJOR_VERSION = 5,
	ISAKMP_N_INVALID_MINOR_VERSION = 6,
	ISAKMP_N_INVALID_EXCHANGE_TYPE = 7,
	ISAKMP_N_INVALID_FLAGS = 8,
	ISAKMP_N_INVALID_MESSAGE_ID = 9,
	ISAKMP_N_INVALID_PROTOCOL_ID = 10,
	ISAKMP_N_INVALID_SPI = 11,
	ISAKMP_N_INVALID_TRANSFORM_ID = 12,
	ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED = 13,
	ISAKMP_N_NO_PROPOSAL_CHOSEN = 14,
	ISAKMP_N_BAD_PROPOSAL_SYNTAX = 15,
	ISAKMP_N_PAYLOAD_MALFORMED = 16,
	ISAKMP_N_INVALID_KEY_INFORMATION = 17,
	ISAKMP_N_INVALID_ID_INFORMATION = 18,
	ISAKMP_N_INVALID_CERT_ENCODING = 19,
	ISAKMP_N_INVALID_CERTIFICATE = 20,
	ISAKMP_N_CERT_TYPE_UNSUPPORTED = 21,
	ISAKMP_N_INVALID_CERT_AUTHORITY = 22,
	ISAKMP_N_INVALID_HASH_INFORMATION = 23,
	ISAKMP_N_AUTHENTICATION_FAILED = 24,
	ISAKMP_N_INVALID_SIGNATURE = 25,
	ISAKMP_N_ADDRESS_NOTIFICATION = 26,
	ISAKMP_N_NOTIFY_SA_LIFETIME = 27,
	ISAKMP_N_CERTIFICATE_UNAVAILABLE = 28,
	ISAKMP_N_UNSUPPORTED_EXCHANGE_TYPE = 29,
	ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS = 30,
	ISAKMP_N_ERROR_MAX = 8191,

	ISAKMP_N_CONNECTED = 16384,
	IPSEC_N_RESPONDER_LIFETIME = 24576,
	IPSEC_N_REPLAY_STATUS = 24577,
	IPSEC_N_INITIAL_CONTACT = 24578,
	ISAKMP_N_R_U_THERE = 36136,
	ISAKMP_N_R_U_THERE_ACK = 36137,
};

/* racoon's fragmentation payload: the flag of the last fragment */
#define ISAKMP_FRAG_LAST	0x01

/* Names for logs; never NULL. An unknown number gives a fixed text
 * ("notify(unknown)"): the caller logs the number beside it. */
const char *isakmp_exchange_name(uint8_t exch);
const char *isakmp_payload_name(uint8_t type);
const char *isakmp_notify_name(uint16_t type);
const char *isakmp_proto_name(uint8_t proto);
const char *isakmp_id_type_name(uint8_t type);
const char *isakmp_cert_enc_name(uint8_t enc);
/* A transform id depends on the proposal's protocol. */
const char *isakmp_transform_name(uint8_t proto, uint8_t id);
const char *oakley_attr_name(uint16_t type);
const char *oakley_enc_name(uint16_t alg);
const char *oakley_hash_name(uint16_t alg);
const char *oakley_auth_method_name(uint16_t method);
const char *ipsec_attr_name(uint16_t type);
const char *ipsec_encap_name(uint16_t mode);
const char *ipsec_auth_alg_name(uint16_t alg);

#endif /* IKD_ISAKMP_H */
