// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * PF_KEY v2 message validation. Everything a handler may rely on is checked
 * here, once: header, extension framing, per-type lengths, sockaddrs, key
 * sizes, policy requests, and which extensions each message type needs.
 * This file builds in userspace too (tests/fuzz/fuzz_kernel_msg.c), so it
 * includes nothing but compat.h.
 */
#include "compat.h"
#include "pfkey_msg.h"

#define EXT(t)		(1ull << (t))

/* How a message type constrains sadb_msg_satype. */
enum kipsec_satype_rule {
	KIPSEC_SATYPE_IGNORED,	/* any value up to SADB_SATYPE_MAX */
	KIPSEC_SATYPE_SA,	/* AH, ESP or IPCOMP */
	KIPSEC_SATYPE_SA_ANY,	/* UNSPEC (all) or AH, ESP, IPCOMP */
	KIPSEC_SATYPE_BOOL,	/* X_PROMISC: 0 off, 1 on */
};

struct kipsec_msg_rule {
	u64 required;
	u8 satype;
};

static const struct kipsec_msg_rule kipsec_msg_rules[SADB_MAX + 1] = {
	[SADB_GETSPI] = { EXT(SADB_EXT_ADDRESS_SRC) | EXT(SADB_EXT_ADDRESS_DST),
			  KIPSEC_SATYPE_SA },
	[SADB_UPDATE] = { EXT(SADB_EXT_SA) | EXT(SADB_EXT_ADDRESS_SRC) |
			  EXT(SADB_EXT_ADDRESS_DST), KIPSEC_SATYPE_SA },
	[SADB_ADD] = { EXT(SADB_EXT_SA) | EXT(SADB_EXT_ADDRESS_SRC) |
		       EXT(SADB_EXT_ADDRESS_DST), KIPSEC_SATYPE_SA },
	[SADB_DELETE] = { EXT(SADB_EXT_SA) | EXT(SADB_EXT_ADDRESS_SRC) |
			  EXT(SADB_EXT_ADDRESS_DST), KIPSEC_SATYPE_SA },
	[SADB_GET] = { EXT(SADB_EXT_SA) | EXT(SADB_EXT_ADDRESS_SRC) |
		       EXT(SADB_EXT_ADDRESS_DST), KIPSEC_SATYPE_SA },
	[SADB_REGISTER] = { 0, KIPSEC_SATYPE_SA_ANY },
	[SADB_FLUSH] = { 0, KIPSEC_SATYPE_SA_ANY },
	[SADB_DUMP] = { 0, KIPSEC_SATYPE_SA_ANY },
	[SADB_X_PROMISC] = { 0, KIPSEC_SATYPE_BOOL },
	[SADB_X_SPDUPDATE] = { EXT(SADB_X_EXT_POLICY) |
			       EXT(SADB_EXT_ADDRESS_SRC) |
			       EXT(SADB_EXT_ADDRESS_DST),
		KIPSEC_SATYPE_IGNORED },
	[SADB_X_SPDADD] = { EXT(SADB_X_EXT_POLICY) | EXT(SADB_EXT_ADDRESS_SRC) |
			    EXT(SADB_EXT_ADDRESS_DST),
		KIPSEC_SATYPE_IGNORED },
	[SADB_X_SPDSETIDX] = { EXT(SADB_X_EXT_POLICY) |
			       EXT(SADB_EXT_ADDRESS_SRC) |
			       EXT(SADB_EXT_ADDRESS_DST),
		KIPSEC_SATYPE_IGNORED },
	[SADB_X_SPDDELETE] = { EXT(SADB_X_EXT_POLICY) |
			       EXT(SADB_EXT_ADDRESS_SRC) |
			       EXT(SADB_EXT_ADDRESS_DST),
		KIPSEC_SATYPE_IGNORED },
	[SADB_X_SPDGET] = { EXT(SADB_X_EXT_POLICY),
		KIPSEC_SATYPE_IGNORED },
	[SADB_X_SPDDELETE2] = { EXT(SADB_X_EXT_POLICY),
		KIPSEC_SATYPE_IGNORED },
};

/* Smallest valid length in bytes of each extension type; 0 = unknown. */
static const u16 kipsec_ext_min[SADB_X_EXT_KIPSEC_MAX + 1] =
	KIPSEC_EXT_MIN_LEN_INIT;

unsigned int kipsec_sockaddr_len(unsigned int family)
{
	switch (family) {
	case AF_INET:
		return sizeof(struct sockaddr_in);
	case AF_INET6:
		return sizeof(struct sockaddr_in6);
	}
	return 0;
}

const struct sockaddr *kipsec_msg_sockaddr(const struct sadb_address *a)
{
	return (const struct sockaddr *)(a + 1);
}

/* A sockaddr of a known family that fits in @room bytes. */
static int kipsec_check_sockaddr(const void *p, size_t room)
{
	const struct sockaddr *sa = p;
	unsigned int salen;

	if (room < sizeof(sa->sa_family))
		return -EINVAL;
	salen = kipsec_sockaddr_len(sa->sa_family);
	if (!salen || salen > room)
		return -EINVAL;
	return 0;
}

static int kipsec_check_address(const struct sadb_address *a, size_t len)
{
	const struct sockaddr *sa = kipsec_msg_sockaddr(a);
	unsigned int maxplen;
	int err;

	err = kipsec_check_sockaddr(sa, len - sizeof(*a));
	if (err)
		return err;
	maxplen = sa->sa_family == AF_INET ? 32 : 128;
	if (a->sadb_address_prefixlen > maxplen)
		return -EINVAL;
	return 0;
}

static int kipsec_check_key(const struct sadb_key *k, size_t len)
{
	if (k->sadb_key_reserved)
		return -EINVAL;
	if (sizeof(*k) + ((size_t)k->sadb_key_bits + 7) / 8 > len)
		return -EINVAL;
	return 0;
}

static int kipsec_check_sec_ctx(const struct sadb_x_sec_ctx *c, size_t len)
{
	if (sizeof(*c) + c->sadb_x_ctx_len > len)
		return -EINVAL;
	return 0;
}

/*
 * The requests of an IPsec policy: each long enough for its header, within
 * the extension, and in tunnel mode followed by two sockaddrs of one family.
 */
static int kipsec_check_request(const struct sadb_x_ipsecrequest *rq,
				size_t rqlen)
{
	const u8 *p = (const u8 *)(rq + 1);
	const struct sockaddr *src, *dst;
	size_t room = rqlen - sizeof(*rq);
	unsigned int salen;

	if (rq->sadb_x_ipsecrequest_mode != IPSEC_MODE_TUNNEL)
		return 0;
	src = (const struct sockaddr *)p;
	if (kipsec_check_sockaddr(src, room))
		return -EINVAL;
	salen = kipsec_sockaddr_len(src->sa_family);
	dst = (const struct sockaddr *)(p + salen);
	if (kipsec_check_sockaddr(dst, room - salen))
		return -EINVAL;
	if (dst->sa_family != src->sa_family)
		return -EINVAL;
	return 0;
}

static int kipsec_check_policy(const struct sadb_x_policy *pol, size_t len)
{
	const u8 *p = (const u8 *)(pol + 1);
	size_t left = len - sizeof(*pol);
	unsigned int n = 0;

	if (pol->sadb_x_policy_type != IPSEC_POLICY_IPSEC)
		return 0;
	while (left >= sizeof(struct sadb_x_ipsecrequest)) {
		const struct sadb_x_ipsecrequest *rq = (const void *)p;
		size_t rqlen = rq->sadb_x_ipsecrequest_len;

		if (rqlen < sizeof(*rq) || rqlen > left || rqlen % 8)
			return -EINVAL;
		if (++n > KIPSEC_MAX_REQS)
			return -EINVAL;
		if (kipsec_check_request(rq, rqlen))
			return -EINVAL;
		p += rqlen;
		left -= rqlen;
	}
	/* Only padding may follow the last request. */
	return left < 8 ? 0 : -EINVAL;
}

/* A policy extension on its own: a socket's (sockpol.c). */
int kipsec_policy_blob_check(const struct sadb_x_policy *pol, size_t len)
{
	return kipsec_check_policy(pol, len);
}

/* The next request of a validated IPsec policy, or NULL. */
const struct sadb_x_ipsecrequest *
kipsec_policy_next_req(const struct sadb_x_policy *pol,
		       const struct sadb_x_ipsecrequest *prev)
{
	const u8 *end = (const u8 *)pol + pol->sadb_x_policy_len * 8;
	const u8 *p;

	if (pol->sadb_x_policy_type != IPSEC_POLICY_IPSEC)
		return NULL;
	if (prev)
		p = (const u8 *)prev + prev->sadb_x_ipsecrequest_len;
	else
		p = (const u8 *)(pol + 1);
	if ((size_t)(end - p) < sizeof(struct sadb_x_ipsecrequest))
		return NULL;
	return (const struct sadb_x_ipsecrequest *)p;
}

/*
 * A longer extension than this kernel knows is accepted if what follows is
 * zero, as reserved fields are: a later field's zero must mean "default".
 */
static int kipsec_check_kipsec_sa(const struct sadb_x_kipsec_sa *k,
				  size_t len)
{
	const u8 *tail = (const u8 *)(k + 1);
	size_t i;

	for (i = 0; i < len - sizeof(*k); i++)
		if (tail[i])
			return -EINVAL;
	if (k->sadb_x_kipsec_sa_reserved)
		return -EINVAL;
	if (k->sadb_x_kipsec_sa_flags & ~KIPSEC_SA_F_ALL)
		return -EINVAL;
	if (k->sadb_x_kipsec_sa_replay > KIPSEC_REPLAY_MAX)
		return -EINVAL;
	return 0;
}

/*
 * Type-specific checks of one extension of @len bytes. Taken as void so
 * that userspace compilers do not warn about the uapi's packed sadb_ext.
 */
static int kipsec_check_ext(const void *ext, size_t len)
{
	switch (((const struct sadb_ext *)ext)->sadb_ext_type) {
	case SADB_EXT_ADDRESS_SRC:
	case SADB_EXT_ADDRESS_DST:
	case SADB_EXT_ADDRESS_PROXY:
	case SADB_X_EXT_NAT_T_OA:
		return kipsec_check_address(ext, len);
	case SADB_EXT_KEY_AUTH:
	case SADB_EXT_KEY_ENCRYPT:
		return kipsec_check_key(ext, len);
	case SADB_X_EXT_SEC_CTX:
		return kipsec_check_sec_ctx(ext, len);
	case SADB_X_EXT_POLICY:
		return kipsec_check_policy(ext, len);
	case SADB_X_EXT_KIPSEC_SA:
		return kipsec_check_kipsec_sa(ext, len);
	}
	return 0;
}

/*
 * The base header. A message failing here gets no reply, as with af_key:
 * there is no trustworthy header to echo.
 */
int kipsec_msg_check_header(const void *buf, size_t len)
{
	const struct sadb_msg *hdr = buf;

	if (len < sizeof(*hdr))
		return -EMSGSIZE;
	if (hdr->sadb_msg_version != PF_KEY_V2 || hdr->sadb_msg_reserved ||
	    hdr->sadb_msg_type == SADB_RESERVED ||
	    hdr->sadb_msg_type > SADB_MAX)
		return -EINVAL;
	if ((size_t)hdr->sadb_msg_len * 8 != len)
		return -EMSGSIZE;
	return 0;
}

static int kipsec_parse_exts(const u8 *p, size_t left, struct kipsec_msg *m)
{
	while (left) {
		const struct sadb_ext *ext = (const void *)p;
		size_t elen;
		u16 type;
		int err;

		if (left < sizeof(*ext))
			return -EINVAL;
		elen = (size_t)ext->sadb_ext_len * 8;
		type = ext->sadb_ext_type;
		if (!elen || elen > left)
			return -EINVAL;
		if (type >= ARRAY_SIZE(kipsec_ext_min) || !kipsec_ext_min[type])
			return -EINVAL;
		if (m->ext[type] || elen < kipsec_ext_min[type])
			return -EINVAL;
		err = kipsec_check_ext(ext, elen);
		if (err)
			return err;
		m->ext[type] = ext;
		p += elen;
		left -= elen;
	}
	return 0;
}

static bool kipsec_satype_is_sa(u8 satype)
{
	return satype == SADB_SATYPE_AH || satype == SADB_SATYPE_ESP ||
	       satype == SADB_X_SATYPE_IPCOMP;
}

static int kipsec_check_satype(u8 rule, u8 satype)
{
	if (satype > SADB_SATYPE_MAX)
		return -EINVAL;
	switch (rule) {
	case KIPSEC_SATYPE_SA:
		return kipsec_satype_is_sa(satype) ? 0 : -EINVAL;
	case KIPSEC_SATYPE_SA_ANY:
		if (satype == SADB_SATYPE_UNSPEC || kipsec_satype_is_sa(satype))
			return 0;
		return -EINVAL;
	case KIPSEC_SATYPE_BOOL:
		return satype <= 1 ? 0 : -EINVAL;
	}
	return 0;
}

/* Source and destination, when both are given, are of one family. */
static int kipsec_check_families(const struct kipsec_msg *m)
{
	const struct sadb_address *src = (const void *)m->ext[SADB_EXT_ADDRESS_SRC];
	const struct sadb_address *dst = (const void *)m->ext[SADB_EXT_ADDRESS_DST];

	if (!src || !dst)
		return 0;
	if (kipsec_msg_sockaddr(src)->sa_family !=
	    kipsec_msg_sockaddr(dst)->sa_family)
		return -EINVAL;
	return 0;
}

/*
 * Parse and validate a whole message whose header passed
 * kipsec_msg_check_header(). Errors here are reported to the sender in a
 * reply with sadb_msg_errno set.
 */
int kipsec_msg_parse(const void *buf, size_t len, struct kipsec_msg *m)
{
	const struct kipsec_msg_rule *rule;
	unsigned int t;
	int err;

	memset(m, 0, sizeof(*m));
	m->hdr = buf;
	err = kipsec_parse_exts((const u8 *)buf + sizeof(*m->hdr),
				len - sizeof(*m->hdr), m);
	if (err)
		return err;

	rule = &kipsec_msg_rules[m->hdr->sadb_msg_type];
	err = kipsec_check_satype(rule->satype, m->hdr->sadb_msg_satype);
	if (err)
		return err;
	for (t = 0; t < ARRAY_SIZE(m->ext); t++)
		if ((rule->required & EXT(t)) && !m->ext[t])
			return -EINVAL;
	return kipsec_check_families(m);
}
