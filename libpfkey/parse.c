// SPDX-License-Identifier: BSD-2-Clause
/*
 * Validate-once PF_KEY parser, in the manner of Linux af_key's
 * parse_exthdrs(): every length, family and nested count is checked here,
 * once, so the code that consumes struct pfkey_msg can trust it.
 *
 * Pure: no I/O and no allocation, so fuzz targets and unit tests drive it
 * directly.  Multi-byte fields are read through the packed structs of
 * <linux/pfkeyv2.h>, and sockaddrs through memcpy, so a buffer at any
 * alignment is safe to parse.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>

#include "internal.h"
#include <kipsec/pfkey_extlen.h>

unsigned int pfkey__policy_dir(const struct sadb_x_policy *p)
{
	unsigned int dir = p->sadb_x_policy_dir, sock = p->sadb_x_policy_id & 7;

	if (dir < IPSEC_DIR_MAX)
		return dir;
	if ((dir == 4 || dir == 5) && sock == dir - 1)
		return dir == 4 ? IPSEC_DIR_INBOUND : IPSEC_DIR_OUTBOUND;
	return IPSEC_DIR_MAX;
}

/* Minimum bytes per extension type; 0 means the type is not accepted
 * (reserved, or in the gap between Linux's types and kipsec's). */
static const uint16_t ext_min_len[PFKEY_EXT_KNOWN_MAX + 1] =
	KIPSEC_EXT_MIN_LEN_INIT;

_Static_assert(PFKEY_EXT_KNOWN_MAX < PFKEY_EXT_SLOTS,
	       "struct pfkey_msg.ext[] must hold every accepted type");

/* Everything reports through this, so messages share one shape:
 * "extension 5 (address_src): sockaddr length 8 < 16 for AF_INET". */
#define EXT_ERR(type, fmt, ...) \
	pfkey__set_parse_error("extension %u (%s): " fmt, (unsigned int)(type), \
			       pfkey_ext_name(type), __VA_ARGS__)

static const char *family_name(int family)
{
	return family == AF_INET ? "AF_INET" :
	       family == AF_INET6 ? "AF_INET6" : "unknown family";
}

/* A sockaddr of a supported family fully inside [p, p + room).  what
 * prefixes the message ("" or "request endpoints: "). */
static int check_sockaddr(const uint8_t *p, size_t room, const char *what,
			  uint16_t type, int *family)
{
	size_t salen;

	/* Enough to read sa_family; the family then says how much more. */
	if (room < offsetof(struct sockaddr, sa_family) + sizeof(sa_family_t)) {
		EXT_ERR(type, "%s%zu bytes, too short for a sockaddr", what,
			room);
		return -EINVAL;
	}
	*family = pfkey__sa_family_at(p);
	salen = pfkey__family_salen(*family);
	if (!salen) {
		EXT_ERR(type, "%sunsupported address family %d", what,
			*family);
		return -EINVAL;
	}
	if (room < salen) {
		EXT_ERR(type, "%ssockaddr length %zu < %zu for %s", what, room,
			salen, family_name(*family));
		return -EINVAL;
	}
	return 0;
}

static int check_address(const uint8_t *e, size_t len, uint16_t type,
			 int *family)
{
	const struct sadb_address *a = (const void *)e;
	unsigned int plen = a->sadb_address_prefixlen;
	int err;

	err = check_sockaddr(e + sizeof(*a), len - sizeof(*a), "", type,
			     family);
	if (err)
		return err;
	if (plen > pfkey__family_maxplen(*family)) {
		EXT_ERR(type, "prefix length %u > %u for %s", plen,
			pfkey__family_maxplen(*family), family_name(*family));
		return -EINVAL;
	}
	return 0;
}

static int check_key(const uint8_t *e, size_t len, uint16_t type)
{
	const struct sadb_key *k = (const void *)e;
	size_t need = ((size_t)k->sadb_key_bits + 7) / 8;

	if (need > len - sizeof(*k)) {
		EXT_ERR(type, "key of %u bits does not fit in %zu bytes",
			k->sadb_key_bits, len - sizeof(*k));
		return -EINVAL;
	}
	return 0;
}

static int check_sens(const uint8_t *e, size_t len, uint16_t type)
{
	const struct sadb_sens *s = (const void *)e;
	size_t words = (size_t)s->sadb_sens_sens_len + s->sadb_sens_integ_len;

	if (words * 8 > len - sizeof(*s)) {
		EXT_ERR(type, "%zu bitmap words do not fit in %zu bytes", words,
			len - sizeof(*s));
		return -EINVAL;
	}
	return 0;
}

static int check_proposal(size_t len, uint16_t type)
{
	if ((len - sizeof(struct sadb_prop)) % sizeof(struct sadb_comb)) {
		EXT_ERR(type, "%zu bytes after the header are not whole "
			"sadb_comb entries of %zu", len - sizeof(struct sadb_prop),
			sizeof(struct sadb_comb));
		return -EINVAL;
	}
	return 0;
}

static int check_sec_ctx(const uint8_t *e, size_t len, uint16_t type)
{
	const struct sadb_x_sec_ctx *c = (const void *)e;

	if (c->sadb_x_ctx_len > len - sizeof(*c)) {
		EXT_ERR(type, "context length %u runs past %zu bytes",
			c->sadb_x_ctx_len, len - sizeof(*c));
		return -EINVAL;
	}
	return 0;
}

/* Two sockaddrs of one family back to back (af_key's sockaddr pair). */
static int check_pair(const uint8_t *p, size_t room, uint16_t type,
		      const char *what, size_t *used)
{
	int f1, f2, err;
	size_t salen;

	err = check_sockaddr(p, room, what, type, &f1);
	if (err)
		return err;
	salen = pfkey__family_salen(f1);
	err = check_sockaddr(p + salen, room - salen, what, type, &f2);
	if (err)
		return err;
	if (f1 != f2) {
		EXT_ERR(type, "%sfamilies differ (%s, %s)", what,
			family_name(f1), family_name(f2));
		return -EINVAL;
	}
	*used = 2 * salen;
	return 0;
}

static int check_kmaddress(const uint8_t *e, size_t len, uint16_t type)
{
	size_t used;

	return check_pair(e + sizeof(struct sadb_x_kmaddress),
			  len - sizeof(struct sadb_x_kmaddress), type,
			  "addresses: ", &used);
}

static int check_filter(const uint8_t *e, uint16_t type)
{
	const struct sadb_x_filter *f = (const void *)e;
	unsigned int max = pfkey__family_maxplen(f->sadb_x_filter_family);

	if (!max) {
		EXT_ERR(type, "unsupported address family %u",
			f->sadb_x_filter_family);
		return -EINVAL;
	}
	if (f->sadb_x_filter_splen > max || f->sadb_x_filter_dplen > max) {
		EXT_ERR(type, "prefix lengths %u/%u > %u",
			f->sadb_x_filter_splen, f->sadb_x_filter_dplen, max);
		return -EINVAL;
	}
	return 0;
}

int pfkey__check_policy(const void *ext, size_t len)
{
	const uint8_t *base = ext;
	const struct sadb_x_policy *p = ext;
	const uint16_t type = SADB_X_EXT_POLICY;
	size_t off = sizeof(*p);
	unsigned int n = 0;

	if (len < sizeof(*p)) {
		EXT_ERR(type, "length %zu < %zu", len, sizeof(*p));
		return -EINVAL;
	}
	if (p->sadb_x_policy_type > IPSEC_POLICY_BYPASS) {
		EXT_ERR(type, "unknown policy type %u", p->sadb_x_policy_type);
		return -EINVAL;
	}
	if (pfkey__policy_dir(p) >= IPSEC_DIR_MAX) {
		EXT_ERR(type, "unknown direction %u", p->sadb_x_policy_dir);
		return -EINVAL;
	}
	while (off < len) {
		struct sadb_x_ipsecrequest r;
		size_t used;

		if (len - off < sizeof(r)) {
			EXT_ERR(type, "request %u: %zu bytes left, less than a "
				"request header", n + 1, len - off);
			return -EINVAL;
		}
		memcpy(&r, base + off, sizeof(r));
		if (r.sadb_x_ipsecrequest_len < sizeof(r) ||
		    r.sadb_x_ipsecrequest_len > len - off) {
			EXT_ERR(type, "request %u: length %u outside %zu..%zu",
				n + 1, r.sadb_x_ipsecrequest_len, sizeof(r),
				len - off);
			return -EINVAL;
		}
		if (++n > PFKEY_POLICY_MAX_REQUESTS) {
			EXT_ERR(type, "more than %d requests",
				PFKEY_POLICY_MAX_REQUESTS);
			return -EINVAL;
		}
		if (p->sadb_x_policy_type != IPSEC_POLICY_IPSEC) {
			EXT_ERR(type, "request in a policy of type %s",
				pfkey_policy_type_name(p->sadb_x_policy_type));
			return -EINVAL;
		}
		switch (r.sadb_x_ipsecrequest_proto) {
		case IPPROTO_ESP:
		case IPPROTO_AH:
		case IPPROTO_COMP:
			break;
		default:
			EXT_ERR(type, "request %u: protocol %u is not esp, ah "
				"or ipcomp", n, r.sadb_x_ipsecrequest_proto);
			return -EINVAL;
		}
		if (r.sadb_x_ipsecrequest_mode > IPSEC_MODE_BEET ||
		    r.sadb_x_ipsecrequest_level > IPSEC_LEVEL_UNIQUE) {
			EXT_ERR(type, "request %u: mode %u or level %u unknown",
				n, r.sadb_x_ipsecrequest_mode,
				r.sadb_x_ipsecrequest_level);
			return -EINVAL;
		}
		if (r.sadb_x_ipsecrequest_len > sizeof(r)) {
			size_t room = r.sadb_x_ipsecrequest_len - sizeof(r);

			if (check_pair(base + off + sizeof(r), room, type,
				       "request endpoints: ", &used))
				return -EINVAL;
			if (used != room) {
				EXT_ERR(type, "request %u: %zu bytes for two "
					"sockaddrs of %zu", n, room, used);
				return -EINVAL;
			}
		} else if (r.sadb_x_ipsecrequest_mode == IPSEC_MODE_TUNNEL) {
			EXT_ERR(type, "request %u: tunnel mode without "
				"endpoints", n);
			return -EINVAL;
		}
		off += r.sadb_x_ipsecrequest_len;
	}
	return 0;
}

int pfkey_policy_validate(const void *blob, size_t len)
{
	const struct sadb_x_policy *p = blob;

	pfkey__clear_parse_error();
	if (!p || len < sizeof(*p) ||
	    PFKEY_BYTES(p->sadb_x_policy_len) != len ||
	    p->sadb_x_policy_exttype != SADB_X_EXT_POLICY) {
		pfkey__set_parse_error("x_policy: blob header does not match "
				       "its length %zu", len);
		return -EINVAL;
	}
	return pfkey__check_policy(blob, len);
}

/* Type-specific checks, after the generic length checks passed. */
static int check_ext(const uint8_t *e, size_t len, uint16_t type,
		     int families[2])
{
	switch (type) {
	case SADB_EXT_ADDRESS_SRC:
		return check_address(e, len, type, &families[0]);
	case SADB_EXT_ADDRESS_DST:
		return check_address(e, len, type, &families[1]);
	case SADB_EXT_ADDRESS_PROXY:
	case SADB_X_EXT_NAT_T_OA: {
		int f;

		return check_address(e, len, type, &f);
	}
	case SADB_EXT_KEY_AUTH:
	case SADB_EXT_KEY_ENCRYPT:
		return check_key(e, len, type);
	case SADB_EXT_SENSITIVITY:
		return check_sens(e, len, type);
	case SADB_EXT_PROPOSAL:
		return check_proposal(len, type);
	case SADB_X_EXT_POLICY:
		return pfkey__check_policy(e, len);
	case SADB_X_EXT_SEC_CTX:
		return check_sec_ctx(e, len, type);
	case SADB_X_EXT_KMADDRESS:
		return check_kmaddress(e, len, type);
	case SADB_X_EXT_FILTER:
		return check_filter(e, type);
	default:
		return 0;
	}
}

static int parse(const void *buf, size_t len, struct pfkey_msg *out)
{
	const uint8_t *p = buf;
	const struct sadb_msg *h = buf;
	int families[2] = { 0, 0 };
	size_t off;

	if (!buf || len < sizeof(*h)) {
		pfkey__set_parse_error("message of %zu bytes is shorter than "
				       "sadb_msg (%zu)", len, sizeof(*h));
		return -EMSGSIZE;
	}
	if (h->sadb_msg_version != PF_KEY_V2) {
		pfkey__set_parse_error("sadb_msg_version %u, expected %u",
				       h->sadb_msg_version, PF_KEY_V2);
		return -EINVAL;
	}
	if (PFKEY_BYTES(h->sadb_msg_len) != len) {
		pfkey__set_parse_error("sadb_msg_len says %zu bytes, message "
				       "has %zu", PFKEY_BYTES(h->sadb_msg_len),
				       len);
		return -EMSGSIZE;
	}
	/*
	 * sadb_msg_reserved is not checked: KAME and Linux's af_key report a
	 * policy's reference count there in SPD replies (setkey -DP prints it
	 * as refcnt=). A kernel must refuse it non-zero in requests; a reader
	 * of kernel messages must not.
	 */
	if (h->sadb_msg_type == SADB_RESERVED ||
	    h->sadb_msg_type > PFKEY_MSG_TYPE_MAX) {
		pfkey__set_parse_error("unknown message type %u",
				       h->sadb_msg_type);
		return -EINVAL;
	}

	for (off = sizeof(*h); off < len;) {
		struct sadb_ext e;
		size_t elen;
		int err;

		/* len is a multiple of 8, so a header always fits here. */
		memcpy(&e, p + off, sizeof(e));
		elen = PFKEY_BYTES(e.sadb_ext_len);
		if (elen == 0 || elen > len - off) {
			pfkey__set_parse_error("extension at offset %zu (type "
					       "%u): length %zu %s", off,
					       e.sadb_ext_type, elen,
					       elen ? "runs past the end" :
						      "is zero");
			return -EINVAL;
		}
		if (e.sadb_ext_type > PFKEY_EXT_KNOWN_MAX ||
		    ext_min_len[e.sadb_ext_type] == 0) {
			pfkey__set_parse_error("extension at offset %zu: "
					       "unknown type %u", off,
					       e.sadb_ext_type);
			return -EINVAL;
		}
		if (out->ext[e.sadb_ext_type]) {
			EXT_ERR(e.sadb_ext_type, "duplicate at offset %zu", off);
			return -EINVAL;
		}
		if (elen < ext_min_len[e.sadb_ext_type]) {
			EXT_ERR(e.sadb_ext_type, "length %zu < minimum %u", elen,
				ext_min_len[e.sadb_ext_type]);
			return -EINVAL;
		}
		err = check_ext(p + off, elen, e.sadb_ext_type, families);
		if (err)
			return err;
		out->ext[e.sadb_ext_type] = (const struct sadb_ext *)(p + off);
		off += elen;
	}

	if (families[0] && families[1] && families[0] != families[1]) {
		pfkey__set_parse_error("address_src is %s but address_dst is %s",
				       family_name(families[0]),
				       family_name(families[1]));
		return -EINVAL;
	}
	out->hdr = h;
	out->len = len;
	return 0;
}

int pfkey_parse(const void *buf, size_t len, struct pfkey_msg *out)
{
	/* Parse into a scratch copy so a rejected message leaves *out empty
	 * rather than half-filled. */
	struct pfkey_msg m;
	int err;

	memset(&m, 0, sizeof(m));
	pfkey__clear_parse_error();
	err = parse(buf, len, &m);
	if (err)
		memset(&m, 0, sizeof(m));
	*out = m;
	return err;
}
