// SPDX-License-Identifier: BSD-2-Clause
/*
 * Typed accessors for a message that pfkey_parse() accepted.  They rely on
 * the parser's checks (minimum lengths, key bits, request lengths) and do
 * no validation of their own beyond NULL for "absent".
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

const struct sadb_ext *pfkey_msg_ext(const struct pfkey_msg *m,
				     uint16_t exttype)
{
	if (!m || exttype >= PFKEY_EXT_SLOTS)
		return NULL;
	return m->ext[exttype];
}

const struct sadb_sa *pfkey_msg_sa(const struct pfkey_msg *m)
{
	return (const void *)pfkey_msg_ext(m, SADB_EXT_SA);
}

const struct sadb_address *pfkey_msg_address(const struct pfkey_msg *m,
					     uint16_t exttype)
{
	switch (exttype) {
	case SADB_EXT_ADDRESS_SRC:
	case SADB_EXT_ADDRESS_DST:
	case SADB_EXT_ADDRESS_PROXY:
	case SADB_X_EXT_NAT_T_OA:
		return (const void *)pfkey_msg_ext(m, exttype);
	default:
		return NULL;
	}
}

const struct sockaddr *pfkey_address_sockaddr(const struct sadb_address *a)
{
	return a ? (const void *)(a + 1) : NULL;
}

const struct sadb_key *pfkey_msg_key(const struct pfkey_msg *m,
				     uint16_t exttype)
{
	if (exttype != SADB_EXT_KEY_AUTH && exttype != SADB_EXT_KEY_ENCRYPT)
		return NULL;
	return (const void *)pfkey_msg_ext(m, exttype);
}

const uint8_t *pfkey_key_data(const struct sadb_key *k, size_t *len_bytes)
{
	if (!k) {
		if (len_bytes)
			*len_bytes = 0;
		return NULL;
	}
	if (len_bytes)
		*len_bytes = ((size_t)k->sadb_key_bits + 7) / 8;
	return (const uint8_t *)(k + 1);
}

const struct sadb_lifetime *pfkey_msg_lifetime(const struct pfkey_msg *m,
					       uint16_t exttype)
{
	switch (exttype) {
	case SADB_EXT_LIFETIME_CURRENT:
	case SADB_EXT_LIFETIME_HARD:
	case SADB_EXT_LIFETIME_SOFT:
		return (const void *)pfkey_msg_ext(m, exttype);
	default:
		return NULL;
	}
}

const struct sadb_x_sa2 *pfkey_msg_sa2(const struct pfkey_msg *m)
{
	return (const void *)pfkey_msg_ext(m, SADB_X_EXT_SA2);
}

const struct sadb_x_policy *pfkey_msg_policy(const struct pfkey_msg *m)
{
	return (const void *)pfkey_msg_ext(m, SADB_X_EXT_POLICY);
}

const struct sadb_spirange *pfkey_msg_spirange(const struct pfkey_msg *m)
{
	return (const void *)pfkey_msg_ext(m, SADB_EXT_SPIRANGE);
}

const struct sadb_supported *pfkey_msg_supported(const struct pfkey_msg *m,
						 uint16_t exttype)
{
	if (exttype != SADB_EXT_SUPPORTED_AUTH &&
	    exttype != SADB_EXT_SUPPORTED_ENCRYPT)
		return NULL;
	return (const void *)pfkey_msg_ext(m, exttype);
}

const struct sadb_alg *pfkey_supported_algs(const struct sadb_supported *s,
					    size_t *n)
{
	size_t len = s ? PFKEY_BYTES(s->sadb_supported_len) : 0;

	*n = len > sizeof(*s) ? (len - sizeof(*s)) / sizeof(struct sadb_alg)
			      : 0;
	return *n ? (const void *)(s + 1) : NULL;
}

const struct sadb_prop *pfkey_msg_proposal(const struct pfkey_msg *m)
{
	return (const void *)pfkey_msg_ext(m, SADB_EXT_PROPOSAL);
}

const struct sadb_comb *pfkey_prop_combs(const struct sadb_prop *p,
					 size_t *n)
{
	size_t len = p ? PFKEY_BYTES(p->sadb_prop_len) : 0;

	*n = len > sizeof(*p) ? (len - sizeof(*p)) / sizeof(struct sadb_comb)
			      : 0;
	return *n ? (const void *)(p + 1) : NULL;
}

const struct sadb_ident *pfkey_msg_ident(const struct pfkey_msg *m,
					 uint16_t exttype)
{
	if (exttype != SADB_EXT_IDENTITY_SRC && exttype != SADB_EXT_IDENTITY_DST)
		return NULL;
	return (const void *)pfkey_msg_ext(m, exttype);
}

const char *pfkey_ident_string(const struct sadb_ident *id)
{
	size_t len;
	const char *s;

	if (!id)
		return NULL;
	len = PFKEY_BYTES(id->sadb_ident_len) - sizeof(*id);
	s = (const char *)(id + 1);
	/* Only hand out a string that is terminated inside the extension. */
	if (len == 0 || !memchr(s, '\0', len) || s[0] == '\0')
		return NULL;
	return s;
}

const struct sadb_x_nat_t_type *pfkey_msg_nat_t_type(const struct pfkey_msg *m)
{
	return (const void *)pfkey_msg_ext(m, SADB_X_EXT_NAT_T_TYPE);
}

const struct sadb_x_nat_t_port *pfkey_msg_nat_t_port(const struct pfkey_msg *m,
						     uint16_t exttype)
{
	if (exttype != SADB_X_EXT_NAT_T_SPORT &&
	    exttype != SADB_X_EXT_NAT_T_DPORT)
		return NULL;
	return (const void *)pfkey_msg_ext(m, exttype);
}

const struct sadb_x_sec_ctx *pfkey_msg_sec_ctx(const struct pfkey_msg *m)
{
	return (const void *)pfkey_msg_ext(m, SADB_X_EXT_SEC_CTX);
}

const struct sadb_x_kipsec_sa *pfkey_msg_kipsec_sa(const struct pfkey_msg *m)
{
	/* Not packed like Linux's structs; extensions are 8-byte aligned. */
	const void *ext = m->ext[SADB_X_EXT_KIPSEC_SA];

	return ext;
}

const struct sadb_x_ipsecrequest *
pfkey_policy_next_request(const struct sadb_x_policy *p,
			  const struct sadb_x_ipsecrequest *prev)
{
	const uint8_t *base = (const uint8_t *)p;
	size_t len, off;

	if (!p)
		return NULL;
	len = PFKEY_BYTES(p->sadb_x_policy_len);
	if (prev)
		off = (size_t)((const uint8_t *)prev - base) +
		      prev->sadb_x_ipsecrequest_len;
	else
		off = sizeof(*p);
	if (off >= len || len - off < sizeof(*prev))
		return NULL;
	return (const void *)(base + off);
}

int pfkey_request_addrs(const struct sadb_x_ipsecrequest *r,
			const struct sockaddr **src,
			const struct sockaddr **dst)
{
	const uint8_t *p;

	*src = *dst = NULL;
	if (!r || r->sadb_x_ipsecrequest_len <= sizeof(*r))
		return -ENOENT;
	p = (const uint8_t *)(r + 1);
	*src = (const void *)p;
	*dst = (const void *)(p + pfkey__family_salen(pfkey__sa_family_at(p)));
	return 0;
}
