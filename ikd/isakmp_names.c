// SPDX-License-Identifier: BSD-2-Clause
/*
 * Names of the IKEv1 numbers for logs. The texts are the RFCs' own
 * spellings (hyphens included) so that a log line can be searched for in
 * the RFC or in a tcpdump/tshark decode of the same message.
 */
#include "isakmp.h"

const char *isakmp_exchange_name(uint8_t exch)
{
	switch (exch) {
	case ISAKMP_EXCH_BASE: return "Base";
	case ISAKMP_EXCH_IDPROT: return "Main Mode";
	case ISAKMP_EXCH_AUTH_ONLY: return "Authentication Only";
	case ISAKMP_EXCH_AGGRESSIVE: return "Aggressive Mode";
	case ISAKMP_EXCH_INFO: return "Informational";
	case ISAKMP_EXCH_TRANSACTION: return "Transaction";
	case ISAKMP_EXCH_QUICK: return "Quick Mode";
	case ISAKMP_EXCH_NEW_GROUP: return "New Group Mode";
	}
	return "exchange(unknown)";
}

const char *isakmp_payload_name(uint8_t type)
{
	switch (type) {
	case ISAKMP_PL_NONE: return "NONE";
	case ISAKMP_PL_SA: return "SA";
	case ISAKMP_PL_P: return "P";
	case ISAKMP_PL_T: return "T";
	case ISAKMP_PL_KE: return "KE";
	case ISAKMP_PL_ID: return "ID";
	case ISAKMP_PL_CERT: return "CERT";
	case ISAKMP_PL_CR: return "CR";
	case ISAKMP_PL_HASH: return "HASH";
	case ISAKMP_PL_SIG: return "SIG";
	case ISAKMP_PL_NONCE: return "NONCE";
	case ISAKMP_PL_N: return "N";
	case ISAKMP_PL_D: return "D";
	case ISAKMP_PL_VID: return "VID";
	case ISAKMP_PL_ATTR: return "ATTR";
	case ISAKMP_PL_NAT_D: return "NAT-D";
	case ISAKMP_PL_NAT_OA: return "NAT-OA";
	case ISAKMP_PL_NAT_D_DRAFT: return "NAT-D(draft)";
	case ISAKMP_PL_NAT_OA_DRAFT: return "NAT-OA(draft)";
	case ISAKMP_PL_FRAG: return "FRAG";
	}
	return "payload(unknown)";
}

static const char *const notify_errors[] = {
	[ISAKMP_N_INVALID_PAYLOAD_TYPE] = "INVALID-PAYLOAD-TYPE",
	[ISAKMP_N_DOI_NOT_SUPPORTED] = "DOI-NOT-SUPPORTED",
	[ISAKMP_N_SITUATION_NOT_SUPPORTED] = "SITUATION-NOT-SUPPORTED",
	[ISAKMP_N_INVALID_COOKIE] = "INVALID-COOKIE",
	[ISAKMP_N_INVALID_MAJOR_VERSION] = "INVALID-MAJOR-VERSION",
	[ISAKMP_N_INVALID_MINOR_VERSION] = "INVALID-MINOR-VERSION",
	[ISAKMP_N_INVALID_EXCHANGE_TYPE] = "INVALID-EXCHANGE-TYPE",
	[ISAKMP_N_INVALID_FLAGS] = "INVALID-FLAGS",
	[ISAKMP_N_INVALID_MESSAGE_ID] = "INVALID-MESSAGE-ID",
	[ISAKMP_N_INVALID_PROTOCOL_ID] = "INVALID-PROTOCOL-ID",
	[ISAKMP_N_INVALID_SPI] = "INVALID-SPI",
	[ISAKMP_N_INVALID_TRANSFORM_ID] = "INVALID-TRANSFORM-ID",
	[ISAKMP_N_ATTRIBUTES_NOT_SUPPORTED] = "ATTRIBUTES-NOT-SUPPORTED",
	[ISAKMP_N_NO_PROPOSAL_CHOSEN] = "NO-PROPOSAL-CHOSEN",
	[ISAKMP_N_BAD_PROPOSAL_SYNTAX] = "BAD-PROPOSAL-SYNTAX",
	[ISAKMP_N_PAYLOAD_MALFORMED] = "PAYLOAD-MALFORMED",
	[ISAKMP_N_INVALID_KEY_INFORMATION] = "INVALID-KEY-INFORMATION",
	[ISAKMP_N_INVALID_ID_INFORMATION] = "INVALID-ID-INFORMATION",
	[ISAKMP_N_INVALID_CERT_ENCODING] = "INVALID-CERT-ENCODING",
	[ISAKMP_N_INVALID_CERTIFICATE] = "INVALID-CERTIFICATE",
	[ISAKMP_N_CERT_TYPE_UNSUPPORTED] = "CERT-TYPE-UNSUPPORTED",
	[ISAKMP_N_INVALID_CERT_AUTHORITY] = "INVALID-CERT-AUTHORITY",
	[ISAKMP_N_INVALID_HASH_INFORMATION] = "INVALID-HASH-INFORMATION",
	[ISAKMP_N_AUTHENTICATION_FAILED] = "AUTHENTICATION-FAILED",
	[ISAKMP_N_INVALID_SIGNATURE] = "INVALID-SIGNATURE",
	[ISAKMP_N_ADDRESS_NOTIFICATION] = "ADDRESS-NOTIFICATION",
	[ISAKMP_N_NOTIFY_SA_LIFETIME] = "NOTIFY-SA-LIFETIME",
	[ISAKMP_N_CERTIFICATE_UNAVAILABLE] = "CERTIFICATE-UNAVAILABLE",
	[ISAKMP_N_UNSUPPORTED_EXCHANGE_TYPE] = "UNSUPPORTED-EXCHANGE-TYPE",
	[ISAKMP_N_UNEQUAL_PAYLOAD_LENGTHS] = "UNEQUAL-PAYLOAD-LENGTHS",
};

const char *isakmp_notify_name(uint16_t type)
{
	if (type < sizeof(notify_errors) / sizeof(notify_errors[0]) &&
	    notify_errors[type])
		return notify_errors[type];
	switch (type) {
	case ISAKMP_N_CONNECTED: return "CONNECTED";
	case IPSEC_N_RESPONDER_LIFETIME: return "RESPONDER-LIFETIME";
	case IPSEC_N_REPLAY_STATUS: return "REPLAY-STATUS";
	case IPSEC_N_INITIAL_CONTACT: return "INITIAL-CONTACT";
	case ISAKMP_N_R_U_THERE: return "R-U-THERE";
	case ISAKMP_N_R_U_THERE_ACK: return "R-U-THERE-ACK";
	}
	return type <= ISAKMP_N_ERROR_MAX ? "error(unknown)" : "status(unknown)";
}

const char *isakmp_proto_name(uint8_t proto)
{
	switch (proto) {
	case ISAKMP_PROTO_ISAKMP: return "ISAKMP";
	case ISAKMP_PROTO_AH: return "AH";
	case ISAKMP_PROTO_ESP: return "ESP";
	case ISAKMP_PROTO_IPCOMP: return "IPCOMP";
	}
	return "protocol(unknown)";
}

const char *isakmp_id_type_name(uint8_t type)
{
	switch (type) {
	case IPSEC_ID_IPV4_ADDR: return "ID_IPV4_ADDR";
	case IPSEC_ID_FQDN: return "ID_FQDN";
	case IPSEC_ID_USER_FQDN: return "ID_USER_FQDN";
	case IPSEC_ID_IPV4_ADDR_SUBNET: return "ID_IPV4_ADDR_SUBNET";
	case IPSEC_ID_IPV6_ADDR: return "ID_IPV6_ADDR";
	case IPSEC_ID_IPV6_ADDR_SUBNET: return "ID_IPV6_ADDR_SUBNET";
	case IPSEC_ID_IPV4_ADDR_RANGE: return "ID_IPV4_ADDR_RANGE";
	case IPSEC_ID_IPV6_ADDR_RANGE: return "ID_IPV6_ADDR_RANGE";
	case IPSEC_ID_DER_ASN1_DN: return "ID_DER_ASN1_DN";
	case IPSEC_ID_DER_ASN1_GN: return "ID_DER_ASN1_GN";
	case IPSEC_ID_KEY_ID: return "ID_KEY_ID";
	}
	return "id(unknown)";
}

const char *isakmp_cert_enc_name(uint8_t enc)
{
	switch (enc) {
	case ISAKMP_CERT_NONE: return "NONE";
	case ISAKMP_CERT_PKCS7: return "PKCS #7";
	case ISAKMP_CERT_PGP: return "PGP";
	case ISAKMP_CERT_DNS: return "DNS Signed Key";
	case ISAKMP_CERT_X509_SIG: return "X.509 Certificate - Signature";
	case ISAKMP_CERT_X509_KE: return "X.509 Certificate - Key Exchange";
	case ISAKMP_CERT_KERBEROS: return "Kerberos Tokens";
	case ISAKMP_CERT_CRL: return "CRL";
	case ISAKMP_CERT_ARL: return "ARL";
	case ISAKMP_CERT_SPKI: return "SPKI";
	case ISAKMP_CERT_X509_ATTR: return "X.509 Certificate - Attribute";
	}
	return "cert(unknown)";
}

static const char *esp_name(uint8_t id)
{
	switch (id) {
	case IPSEC_ESP_DES_IV64: return "ESP_DES_IV64";
	case IPSEC_ESP_DES: return "ESP_DES";
	case IPSEC_ESP_3DES: return "ESP_3DES";
	case IPSEC_ESP_RC5: return "ESP_RC5";
	case IPSEC_ESP_IDEA: return "ESP_IDEA";
	case IPSEC_ESP_CAST: return "ESP_CAST";
	case IPSEC_ESP_BLOWFISH: return "ESP_BLOWFISH";
	case IPSEC_ESP_3IDEA: return "ESP_3IDEA";
	case IPSEC_ESP_DES_IV32: return "ESP_DES_IV32";
	case IPSEC_ESP_RC4: return "ESP_RC4";
	case IPSEC_ESP_NULL: return "ESP_NULL";
	case IPSEC_ESP_AES: return "ESP_AES";
	case IPSEC_ESP_AES_CTR: return "ESP_AES_CTR";
	case IPSEC_ESP_AES_CCM_8: return "ESP_AES_CCM_8";
	case IPSEC_ESP_AES_CCM_12: return "ESP_AES_CCM_12";
	case IPSEC_ESP_AES_CCM_16: return "ESP_AES_CCM_16";
	case IPSEC_ESP_AES_GCM_8: return "ESP_AES_GCM_8";
	case IPSEC_ESP_AES_GCM_12: return "ESP_AES_GCM_12";
	case IPSEC_ESP_AES_GCM_16: return "ESP_AES_GCM_16";
	case IPSEC_ESP_SEED_CBC: return "ESP_SEED_CBC";
	case IPSEC_ESP_CAMELLIA: return "ESP_CAMELLIA";
	case IPSEC_ESP_NULL_AUTH_AES_GMAC: return "ESP_NULL_AUTH_AES_GMAC";
	}
	return "esp(unknown)";
}

static const char *ah_name(uint8_t id)
{
	switch (id) {
	case IPSEC_AH_MD5: return "AH_MD5";
	case IPSEC_AH_SHA: return "AH_SHA";
	case IPSEC_AH_DES: return "AH_DES";
	case IPSEC_AH_SHA2_256: return "AH_SHA2_256";
	case IPSEC_AH_SHA2_384: return "AH_SHA2_384";
	case IPSEC_AH_SHA2_512: return "AH_SHA2_512";
	case IPSEC_AH_RIPEMD: return "AH_RIPEMD";
	case IPSEC_AH_AES_XCBC_MAC: return "AH_AES_XCBC_MAC";
	}
	return "ah(unknown)";
}

static const char *ipcomp_name(uint8_t id)
{
	switch (id) {
	case IPSEC_IPCOMP_OUI: return "IPCOMP_OUI";
	case IPSEC_IPCOMP_DEFLATE: return "IPCOMP_DEFLATE";
	case IPSEC_IPCOMP_LZS: return "IPCOMP_LZS";
	case IPSEC_IPCOMP_LZJH: return "IPCOMP_LZJH";
	}
	return "ipcomp(unknown)";
}

const char *isakmp_transform_name(uint8_t proto, uint8_t id)
{
	switch (proto) {
	case ISAKMP_PROTO_ISAKMP:
		return id == ISAKMP_KEY_IKE ? "KEY_IKE" : "isakmp(unknown)";
	case ISAKMP_PROTO_AH:
		return ah_name(id);
	case ISAKMP_PROTO_ESP:
		return esp_name(id);
	case ISAKMP_PROTO_IPCOMP:
		return ipcomp_name(id);
	}
	return "transform(unknown)";
}

const char *oakley_attr_name(uint16_t type)
{
	switch (type) {
	case OAKLEY_ATTR_ENC_ALG: return "Encryption Algorithm";
	case OAKLEY_ATTR_HASH_ALG: return "Hash Algorithm";
	case OAKLEY_ATTR_AUTH_METHOD: return "Authentication Method";
	case OAKLEY_ATTR_GROUP_DESC: return "Group Description";
	case OAKLEY_ATTR_GROUP_TYPE: return "Group Type";
	case OAKLEY_ATTR_GROUP_PRIME: return "Group Prime/Irreducible Polynomial";
	case OAKLEY_ATTR_GROUP_GEN_ONE: return "Group Generator One";
	case OAKLEY_ATTR_GROUP_GEN_TWO: return "Group Generator Two";
	case OAKLEY_ATTR_GROUP_CURVE_A: return "Group Curve A";
	case OAKLEY_ATTR_GROUP_CURVE_B: return "Group Curve B";
	case OAKLEY_ATTR_LIFE_TYPE: return "Life Type";
	case OAKLEY_ATTR_LIFE_DURATION: return "Life Duration";
	case OAKLEY_ATTR_PRF: return "PRF";
	case OAKLEY_ATTR_KEY_LEN: return "Key Length";
	case OAKLEY_ATTR_FIELD_SIZE: return "Field Size";
	case OAKLEY_ATTR_GROUP_ORDER: return "Group Order";
	}
	return "attribute(unknown)";
}

const char *oakley_enc_name(uint16_t alg)
{
	switch (alg) {
	case OAKLEY_ENC_DES: return "DES-CBC";
	case OAKLEY_ENC_IDEA: return "IDEA-CBC";
	case OAKLEY_ENC_BLOWFISH: return "Blowfish-CBC";
	case OAKLEY_ENC_RC5: return "RC5-R16-B64-CBC";
	case OAKLEY_ENC_3DES: return "3DES-CBC";
	case OAKLEY_ENC_CAST: return "CAST-CBC";
	case OAKLEY_ENC_AES: return "AES-CBC";
	case OAKLEY_ENC_CAMELLIA: return "CAMELLIA-CBC";
	}
	return "encryption(unknown)";
}

const char *oakley_hash_name(uint16_t alg)
{
	switch (alg) {
	case OAKLEY_HASH_MD5: return "MD5";
	case OAKLEY_HASH_SHA1: return "SHA";
	case OAKLEY_HASH_TIGER: return "Tiger";
	case OAKLEY_HASH_SHA2_256: return "SHA2-256";
	case OAKLEY_HASH_SHA2_384: return "SHA2-384";
	case OAKLEY_HASH_SHA2_512: return "SHA2-512";
	}
	return "hash(unknown)";
}

const char *oakley_auth_method_name(uint16_t method)
{
	switch (method) {
	case OAKLEY_AUTH_PSK: return "pre-shared key";
	case OAKLEY_AUTH_DSS_SIG: return "DSS signatures";
	case OAKLEY_AUTH_RSA_SIG: return "RSA signatures";
	case OAKLEY_AUTH_RSA_ENC: return "RSA encryption";
	case OAKLEY_AUTH_RSA_REV_ENC: return "revised RSA encryption";
	case OAKLEY_AUTH_HYBRID_RSA_I: return "hybrid RSA (initiator)";
	case OAKLEY_AUTH_HYBRID_RSA_R: return "hybrid RSA (responder)";
	case OAKLEY_AUTH_HYBRID_DSS_I: return "hybrid DSS (initiator)";
	case OAKLEY_AUTH_HYBRID_DSS_R: return "hybrid DSS (responder)";
	case OAKLEY_AUTH_XAUTH_PSK_I: return "XAUTH pre-shared key (initiator)";
	case OAKLEY_AUTH_XAUTH_PSK_R: return "XAUTH pre-shared key (responder)";
	case OAKLEY_AUTH_XAUTH_DSS_I: return "XAUTH DSS (initiator)";
	case OAKLEY_AUTH_XAUTH_DSS_R: return "XAUTH DSS (responder)";
	case OAKLEY_AUTH_XAUTH_RSA_I: return "XAUTH RSA (initiator)";
	case OAKLEY_AUTH_XAUTH_RSA_R: return "XAUTH RSA (responder)";
	}
	return "auth(unknown)";
}

const char *ipsec_attr_name(uint16_t type)
{
	switch (type) {
	case IPSEC_ATTR_SA_LIFE_TYPE: return "SA Life Type";
	case IPSEC_ATTR_SA_LIFE_DURATION: return "SA Life Duration";
	case IPSEC_ATTR_GROUP_DESC: return "Group Description";
	case IPSEC_ATTR_ENCAP_MODE: return "Encapsulation Mode";
	case IPSEC_ATTR_AUTH_ALG: return "Authentication Algorithm";
	case IPSEC_ATTR_KEY_LEN: return "Key Length";
	case IPSEC_ATTR_KEY_ROUNDS: return "Key Rounds";
	case IPSEC_ATTR_COMP_DICT_SIZE: return "Compress Dictionary Size";
	case IPSEC_ATTR_COMP_PRIV_ALG: return "Compress Private Algorithm";
	case IPSEC_ATTR_ECN_TUNNEL: return "ECN Tunnel";
	}
	return "attribute(unknown)";
}

const char *ipsec_encap_name(uint16_t mode)
{
	switch (mode) {
	case IPSEC_ENCAP_TUNNEL: return "Tunnel";
	case IPSEC_ENCAP_TRANSPORT: return "Transport";
	case IPSEC_ENCAP_UDP_TUNNEL: return "UDP-Encapsulated-Tunnel";
	case IPSEC_ENCAP_UDP_TRANSPORT: return "UDP-Encapsulated-Transport";
	case IPSEC_ENCAP_UDP_TUNNEL_DRAFT: return "UDP-Encapsulated-Tunnel(draft)";
	case IPSEC_ENCAP_UDP_TRANSPORT_DRAFT:
		return "UDP-Encapsulated-Transport(draft)";
	}
	return "encapsulation(unknown)";
}

const char *ipsec_auth_alg_name(uint16_t alg)
{
	switch (alg) {
	case IPSEC_AUTH_HMAC_MD5: return "HMAC-MD5";
	case IPSEC_AUTH_HMAC_SHA1: return "HMAC-SHA";
	case IPSEC_AUTH_DES_MAC: return "DES-MAC";
	case IPSEC_AUTH_KPDK: return "KPDK";
	case IPSEC_AUTH_HMAC_SHA2_256: return "HMAC-SHA2-256";
	case IPSEC_AUTH_HMAC_SHA2_384: return "HMAC-SHA2-384";
	case IPSEC_AUTH_HMAC_SHA2_512: return "HMAC-SHA2-512";
	case IPSEC_AUTH_HMAC_RIPEMD: return "HMAC-RIPEMD";
	case IPSEC_AUTH_AES_XCBC_MAC: return "AES-XCBC-MAC";
	case IPSEC_AUTH_SIG_RSA: return "SIG-RSA";
	case IPSEC_AUTH_AES_128_GMAC: return "AES-128-GMAC";
	case IPSEC_AUTH_AES_192_GMAC: return "AES-192-GMAC";
	case IPSEC_AUTH_AES_256_GMAC: return "AES-256-GMAC";
	}
	return "auth-alg(unknown)";
}
