// SPDX-License-Identifier: BSD-2-Clause
/*
 * Bounds-checked PF_KEY message builder.
 *
 * Every write goes through reserve(), which checks the remaining room
 * first.  The first failure is sticky (b->err) so a caller can add a
 * whole message and check once at pfkey_msg_end(), OpenIKED ibuf-style,
 * without ever writing past cap.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "internal.h"

#define NO_MSG ((size_t)-1)

void pfkey_buf_init(struct pfkey_buf *b, void *mem, size_t cap)
{
	b->data = mem;
	b->len = 0;
	b->cap = mem ? cap : 0;
	b->err = 0;
	b->start = NO_MSG;
}

static int fail(struct pfkey_buf *b, int err)
{
	if (!b->err)
		b->err = err;
	return -b->err;
}

/* Room for size bytes rounded up to 8, zeroed; NULL (and err set) if not. */
static void *reserve(struct pfkey_buf *b, size_t size)
{
	size_t padded = PFKEY_ALIGN8(size);
	uint8_t *p;

	if (b->err)
		return NULL;
	if (b->start == NO_MSG) {
		fail(b, EINVAL);
		return NULL;
	}
	if (padded < size || padded > b->cap - b->len ||
	    b->len + padded - b->start > PFKEY_MSG_MAX) {
		fail(b, EMSGSIZE);
		return NULL;
	}
	p = b->data + b->len;
	memset(p, 0, padded);
	b->len += padded;
	return p;
}

/* Starts an extension of size bytes (before padding) with its header
 * filled in.  Extension lengths are 16-bit counts of 8-byte units. */
static void *ext_begin(struct pfkey_buf *b, uint16_t exttype, size_t size)
{
	struct sadb_ext *e;

	if (b->err)
		return NULL;
	if (size < sizeof(*e) || PFKEY_ALIGN8(size) / PFKEY_UNIT > 0xffff) {
		fail(b, EMSGSIZE);
		return NULL;
	}
	e = reserve(b, size);
	if (!e)
		return NULL;
	e->sadb_ext_len = (uint16_t)(PFKEY_ALIGN8(size) / PFKEY_UNIT);
	e->sadb_ext_type = exttype;
	return e;
}

struct sadb_msg *pfkey_msg_begin(struct pfkey_buf *b, uint8_t type,
				 uint8_t satype, uint32_t seq, uint32_t pid)
{
	struct sadb_msg *h;

	if (b->err)
		return NULL;
	/* A message must start on an 8-byte boundary of the buffer. */
	b->start = b->len;
	h = reserve(b, sizeof(*h));
	if (!h) {
		b->start = NO_MSG;
		return NULL;
	}
	h->sadb_msg_version = PF_KEY_V2;
	h->sadb_msg_type = type;
	h->sadb_msg_satype = satype;
	h->sadb_msg_seq = seq;
	h->sadb_msg_pid = pid;
	return h;
}

int pfkey_msg_end(struct pfkey_buf *b)
{
	struct sadb_msg *h;
	size_t n;

	if (b->err)
		return -b->err;
	if (b->start == NO_MSG)
		return fail(b, EINVAL);
	n = b->len - b->start;
	if (n > PFKEY_MSG_MAX)
		return fail(b, EMSGSIZE);
	h = (struct sadb_msg *)(b->data + b->start);
	h->sadb_msg_len = (uint16_t)(n / PFKEY_UNIT);
	return 0;
}

const struct sadb_msg *pfkey_buf_msg(const struct pfkey_buf *b)
{
	if (b->start == NO_MSG || b->len - b->start < sizeof(struct sadb_msg))
		return NULL;
	return (const struct sadb_msg *)(b->data + b->start);
}

size_t pfkey_buf_msglen(const struct pfkey_buf *b)
{
	return b->start == NO_MSG ? 0 : b->len - b->start;
}

int pfkey_add_sa(struct pfkey_buf *b, uint32_t spi_net, uint8_t replay,
		 uint8_t state, uint8_t auth, uint8_t encrypt, uint32_t flags)
{
	struct sadb_sa *sa = ext_begin(b, SADB_EXT_SA, sizeof(*sa));

	if (!sa)
		return -b->err;
	sa->sadb_sa_spi = spi_net;
	sa->sadb_sa_replay = replay;
	sa->sadb_sa_state = state;
	sa->sadb_sa_auth = auth;
	sa->sadb_sa_encrypt = encrypt;
	sa->sadb_sa_flags = flags;
	return 0;
}

int pfkey_add_address(struct pfkey_buf *b, uint16_t exttype,
		      const struct sockaddr *sa, uint8_t prefixlen,
		      uint8_t proto)
{
	struct sadb_address *a;
	size_t salen;
	unsigned int maxplen;

	if (b->err)
		return -b->err;
	if (!sa)
		return fail(b, EINVAL);
	salen = pfkey__family_salen(sa->sa_family);
	maxplen = pfkey__family_maxplen(sa->sa_family);
	if (!salen)
		return fail(b, EAFNOSUPPORT);
	if (prefixlen == 0xff)
		prefixlen = (uint8_t)maxplen;
	if (prefixlen > maxplen)
		return fail(b, EINVAL);
	a = ext_begin(b, exttype, sizeof(*a) + salen);
	if (!a)
		return -b->err;
	a->sadb_address_proto = proto;
	a->sadb_address_prefixlen = prefixlen;
	memcpy(a + 1, sa, salen);
	return 0;
}

int pfkey_add_key(struct pfkey_buf *b, uint16_t exttype, const void *key,
		  size_t keylen_bytes)
{
	struct sadb_key *k;

	if (b->err)
		return -b->err;
	if (keylen_bytes > 0xffff / 8 || (keylen_bytes && !key))
		return fail(b, keylen_bytes ? EMSGSIZE : EINVAL);
	k = ext_begin(b, exttype, sizeof(*k) + keylen_bytes);
	if (!k)
		return -b->err;
	k->sadb_key_bits = (uint16_t)(keylen_bytes * 8);
	if (keylen_bytes)
		memcpy(k + 1, key, keylen_bytes);
	return 0;
}

int pfkey_add_lifetime(struct pfkey_buf *b, uint16_t exttype,
		       uint32_t allocations, uint64_t bytes, uint64_t addtime,
		       uint64_t usetime)
{
	struct sadb_lifetime *l = ext_begin(b, exttype, sizeof(*l));

	if (!l)
		return -b->err;
	l->sadb_lifetime_allocations = allocations;
	l->sadb_lifetime_bytes = bytes;
	l->sadb_lifetime_addtime = addtime;
	l->sadb_lifetime_usetime = usetime;
	return 0;
}

int pfkey_add_sa2(struct pfkey_buf *b, uint8_t mode, uint32_t reqid,
		  uint32_t seq)
{
	struct sadb_x_sa2 *s = ext_begin(b, SADB_X_EXT_SA2, sizeof(*s));

	if (!s)
		return -b->err;
	s->sadb_x_sa2_mode = mode;
	s->sadb_x_sa2_reqid = reqid;
	s->sadb_x_sa2_sequence = seq;
	return 0;
}

int pfkey_add_spirange(struct pfkey_buf *b, uint32_t min, uint32_t max)
{
	struct sadb_spirange *r;

	if (b->err)
		return -b->err;
	if (min > max)
		return fail(b, EINVAL);
	r = ext_begin(b, SADB_EXT_SPIRANGE, sizeof(*r));
	if (!r)
		return -b->err;
	r->sadb_spirange_min = min;
	r->sadb_spirange_max = max;
	return 0;
}

int pfkey_add_policy(struct pfkey_buf *b, const void *policy_blob,
		     size_t len)
{
	const struct sadb_x_policy *p = policy_blob;

	if (b->err)
		return -b->err;
	if (!p || len < sizeof(*p) || len % PFKEY_UNIT ||
	    PFKEY_BYTES(p->sadb_x_policy_len) != len ||
	    p->sadb_x_policy_exttype != SADB_X_EXT_POLICY)
		return fail(b, EINVAL);
	/* Refuse to send what our own parser would reject. */
	if (pfkey__check_policy(p, len) < 0)
		return fail(b, EINVAL);
	return pfkey_add_raw(b, p, len);
}

int pfkey_add_policy_hdr(struct pfkey_buf *b, uint16_t type, uint8_t dir,
			 uint32_t id, uint32_t priority)
{
	struct sadb_x_policy *p = ext_begin(b, SADB_X_EXT_POLICY, sizeof(*p));

	if (!p)
		return -b->err;
	p->sadb_x_policy_type = type;
	p->sadb_x_policy_dir = dir;
	p->sadb_x_policy_id = id;
	p->sadb_x_policy_priority = priority;
	return 0;
}

/* The largest policy: the header and as many IPv6 tunnel requests as the
 * parser takes. */
#define POLICY_REQ_MAX	(sizeof(struct sadb_x_ipsecrequest) + \
			 2 * sizeof(struct sockaddr_in6))
#define POLICY_MAX	(sizeof(struct sadb_x_policy) + \
			 PFKEY_POLICY_MAX_REQUESTS * POLICY_REQ_MAX)

int pfkey_add_policy_reqs(struct pfkey_buf *b, uint16_t type, uint8_t dir,
			  uint32_t id, uint32_t priority,
			  const struct pfkey_policy_req *req, size_t n)
{
	_Alignas(8) uint8_t blob[POLICY_MAX];
	struct sadb_x_policy p = {
		.sadb_x_policy_exttype = SADB_X_EXT_POLICY,
		.sadb_x_policy_type = type,
		.sadb_x_policy_dir = dir,
		.sadb_x_policy_id = id,
		.sadb_x_policy_priority = priority,
	};
	size_t len = sizeof(p);

	if (b->err)
		return -b->err;
	if (n > PFKEY_POLICY_MAX_REQUESTS || (n && !req))
		return fail(b, EINVAL);
	for (size_t i = 0; i < n; i++) {
		const struct sockaddr *src = req[i].src, *dst = req[i].dst;
		size_t salen = src ? pfkey__family_salen(src->sa_family) : 0;
		struct sadb_x_ipsecrequest r = {
			.sadb_x_ipsecrequest_proto = req[i].proto,
			.sadb_x_ipsecrequest_mode = req[i].mode,
			.sadb_x_ipsecrequest_level = req[i].level,
			.sadb_x_ipsecrequest_reqid = req[i].reqid,
		};

		/* Endpoints come in pairs of one known family. */
		if (!src != !dst || (src && (!salen ||
					     dst->sa_family != src->sa_family)))
			return fail(b, EINVAL);
		r.sadb_x_ipsecrequest_len = (uint16_t)(sizeof(r) + 2 * salen);
		memcpy(blob + len, &r, sizeof(r));
		if (salen) {
			memcpy(blob + len + sizeof(r), src, salen);
			memcpy(blob + len + sizeof(r) + salen, dst, salen);
		}
		len += r.sadb_x_ipsecrequest_len;
	}
	p.sadb_x_policy_len = (uint16_t)(len / PFKEY_UNIT);
	memcpy(blob, &p, sizeof(p));
	/* The requests' lengths are multiples of 8 (16 + 2 * 16 or 28);
	 * pfkey_add_policy checks the rest as the parser would. */
	return pfkey_add_policy(b, blob, len);
}

int pfkey_add_raw(struct pfkey_buf *b, const void *ext, size_t len)
{
	struct sadb_ext hdr;
	uint8_t *p;

	if (b->err)
		return -b->err;
	if (!ext || len < sizeof(hdr))
		return fail(b, EINVAL);
	if (PFKEY_ALIGN8(len) / PFKEY_UNIT > 0xffff)
		return fail(b, EMSGSIZE);
	memcpy(&hdr, ext, sizeof(hdr));
	/* A zero length is filled in; any other must agree with len. */
	if (hdr.sadb_ext_len != 0 &&
	    PFKEY_BYTES(hdr.sadb_ext_len) != PFKEY_ALIGN8(len))
		return fail(b, EINVAL);
	p = reserve(b, len);
	if (!p)
		return -b->err;
	memcpy(p, ext, len);
	hdr.sadb_ext_len = (uint16_t)(PFKEY_ALIGN8(len) / PFKEY_UNIT);
	memcpy(p, &hdr, sizeof(hdr));
	return 0;
}

int pfkey_add_nat_t_type(struct pfkey_buf *b, uint8_t type)
{
	struct sadb_x_nat_t_type *t =
		ext_begin(b, SADB_X_EXT_NAT_T_TYPE, sizeof(*t));

	if (!t)
		return -b->err;
	t->sadb_x_nat_t_type_type = type;
	return 0;
}

int pfkey_add_nat_t_port(struct pfkey_buf *b, uint16_t exttype,
			 uint16_t port_net)
{
	struct sadb_x_nat_t_port *p = ext_begin(b, exttype, sizeof(*p));

	if (!p)
		return -b->err;
	p->sadb_x_nat_t_port_port = port_net;
	return 0;
}

int pfkey_add_ident(struct pfkey_buf *b, uint16_t exttype, uint16_t type,
		    uint64_t id_num, const char *id)
{
	/* The string is NUL-terminated inside the extension (RFC 2367). */
	size_t slen = id ? strlen(id) + 1 : 0;
	struct sadb_ident *i;

	if (b->err)
		return -b->err;
	if (slen > PFKEY_MSG_MAX)
		return fail(b, EMSGSIZE);
	i = ext_begin(b, exttype, sizeof(*i) + slen);
	if (!i)
		return -b->err;
	i->sadb_ident_type = type;
	i->sadb_ident_id = id_num;
	if (slen)
		memcpy(i + 1, id, slen);
	return 0;
}

int pfkey_add_kipsec_sa(struct pfkey_buf *b, uint32_t replay, uint16_t flags,
			uint16_t icvbits)
{
	struct sadb_x_kipsec_sa *k =
		ext_begin(b, SADB_X_EXT_KIPSEC_SA, sizeof(*k));

	if (!k)
		return -b->err;
	k->sadb_x_kipsec_sa_replay = replay;
	k->sadb_x_kipsec_sa_flags = flags;
	k->sadb_x_kipsec_sa_icvbits = icvbits;
	return 0;
}

int pfkey_add_sec_ctx(struct pfkey_buf *b, uint8_t alg, uint8_t doi,
		      const void *ctx, uint16_t ctx_len)
{
	struct sadb_x_sec_ctx *c;

	if (b->err)
		return -b->err;
	if (ctx_len && !ctx)
		return fail(b, EINVAL);
	c = ext_begin(b, SADB_X_EXT_SEC_CTX, sizeof(*c) + ctx_len);
	if (!c)
		return -b->err;
	c->sadb_x_ctx_alg = alg;
	c->sadb_x_ctx_doi = doi;
	c->sadb_x_ctx_len = ctx_len;
	if (ctx_len)
		memcpy(c + 1, ctx, ctx_len);
	return 0;
}

int pfkey_add_supported(struct pfkey_buf *b, uint16_t exttype,
			const struct sadb_alg *algs, size_t n)
{
	struct sadb_supported *s;

	if (b->err)
		return -b->err;
	if (n && !algs)
		return fail(b, EINVAL);
	if (n > PFKEY_MSG_MAX / sizeof(*algs))
		return fail(b, EMSGSIZE);
	s = ext_begin(b, exttype, sizeof(*s) + n * sizeof(*algs));
	if (!s)
		return -b->err;
	if (n)
		memcpy(s + 1, algs, n * sizeof(*algs));
	return 0;
}
