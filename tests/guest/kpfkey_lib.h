/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A tiny raw PF_KEY v2 toolkit for kipsec.ko's guest tests: messages are
 * built by hand from <linux/pfkeyv2.h> so that malformed ones can be made
 * too, and so the tests do not depend on libpfkey (whose own tests are
 * elsewhere). Header-only: every tests/guest/NAME.c is its own program.
 */
#ifndef KPFKEY_LIB_H
#define KPFKEY_LIB_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/ipsec.h>
#include <linux/pfkeyv2.h>
#include <kipsec/pfkey_ext.h>

#define CHECK(cond, ...)                                                    \
	do {                                                                \
		if (!(cond)) {                                              \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__,       \
				__LINE__, #cond);                           \
			fprintf(stderr, __VA_ARGS__);                       \
			fputc('\n', stderr);                                \
			exit(1);                                            \
		}                                                           \
	} while (0)

struct kmsg {
	uint64_t buf[8192];	/* 64 KiB, 8-byte aligned */
	size_t len;
};

static uint32_t kseq = 1;

static inline struct sadb_msg *kmsg_hdr(struct kmsg *m)
{
	return (struct sadb_msg *)m->buf;
}

static inline void kmsg_init(struct kmsg *m, uint8_t type, uint8_t satype)
{
	struct sadb_msg *h = kmsg_hdr(m);

	memset(m->buf, 0, sizeof(struct sadb_msg));
	h->sadb_msg_version = PF_KEY_V2;
	h->sadb_msg_type = type;
	h->sadb_msg_satype = satype;
	h->sadb_msg_seq = kseq++;
	h->sadb_msg_pid = (uint32_t)getpid();
	m->len = sizeof(*h);
}

/* Append @len bytes (rounded up to 8) and return them zeroed. */
static inline void *kmsg_put(struct kmsg *m, size_t len)
{
	size_t alen = (len + 7) & ~(size_t)7;
	uint8_t *p = (uint8_t *)m->buf + m->len;

	CHECK(m->len + alen <= sizeof(m->buf), "message too big");
	memset(p, 0, alen);
	m->len += alen;
	return p;
}

static inline void *kmsg_ext(struct kmsg *m, uint16_t type, size_t len)
{
	struct sadb_ext *e = kmsg_put(m, len);

	e->sadb_ext_len = (uint16_t)(((len + 7) & ~(size_t)7) / 8);
	e->sadb_ext_type = type;
	return e;
}

static inline void kmsg_sa(struct kmsg *m, uint32_t spi, uint8_t auth,
			   uint8_t enc)
{
	struct sadb_sa *sa = kmsg_ext(m, SADB_EXT_SA, sizeof(*sa));

	sa->sadb_sa_spi = htonl(spi);
	sa->sadb_sa_auth = auth;
	sa->sadb_sa_encrypt = enc;
	sa->sadb_sa_replay = 32;
}

/* Fill a sockaddr from text ("10.0.0.1" or "fd00::1"); returns its size. */
static inline size_t ksockaddr(void *p, const char *addr, uint16_t port)
{
	struct sockaddr_in6 *s6 = p;
	struct sockaddr_in *s4 = p;

	if (strchr(addr, ':')) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		CHECK(inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1, "%s", addr);
		return sizeof(*s6);
	}
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	CHECK(inet_pton(AF_INET, addr, &s4->sin_addr) == 1, "%s", addr);
	return sizeof(*s4);
}

static inline void kmsg_addr(struct kmsg *m, uint16_t type, const char *addr,
			     uint8_t plen, uint8_t proto, uint16_t port)
{
	struct sockaddr_in6 tmp;
	size_t salen = ksockaddr(&tmp, addr, port);
	struct sadb_address *a = kmsg_ext(m, type, sizeof(*a) + salen);

	memcpy(a + 1, &tmp, salen);
	a->sadb_address_prefixlen = plen;
	a->sadb_address_proto = proto;
}

static inline void kmsg_key(struct kmsg *m, uint16_t type, unsigned int bits)
{
	struct sadb_key *k = kmsg_ext(m, type, sizeof(*k) + (bits + 7) / 8);

	k->sadb_key_bits = (uint16_t)bits;
	memset(k + 1, 0xa5, (bits + 7) / 8);
}

static inline void kmsg_lifetime(struct kmsg *m, uint16_t type,
				 uint64_t addtime)
{
	struct sadb_lifetime *l = kmsg_ext(m, type, sizeof(*l));

	l->sadb_lifetime_addtime = addtime;
}

static inline void kmsg_spirange(struct kmsg *m, uint32_t min, uint32_t max)
{
	struct sadb_spirange *r = kmsg_ext(m, SADB_EXT_SPIRANGE, sizeof(*r));

	r->sadb_spirange_min = min;
	r->sadb_spirange_max = max;
}

/* An x_policy header; requests follow with kmsg_req(), then kmsg_policy_end(). */
static inline struct sadb_x_policy *kmsg_policy(struct kmsg *m, uint8_t dir,
						uint16_t type, uint32_t id,
						uint32_t prio)
{
	struct sadb_x_policy *p = kmsg_ext(m, SADB_X_EXT_POLICY, sizeof(*p));

	p->sadb_x_policy_dir = dir;
	p->sadb_x_policy_type = type;
	p->sadb_x_policy_id = id;
	p->sadb_x_policy_priority = prio;
	return p;
}

static inline void kmsg_req(struct kmsg *m, uint8_t proto, uint8_t mode,
			    uint8_t level, uint32_t reqid, const char *tsrc,
			    const char *tdst)
{
	struct sadb_x_ipsecrequest *r;
	uint8_t sas[2 * sizeof(struct sockaddr_in6)] = { 0 };
	size_t salen = 0;

	if (tsrc) {
		salen = ksockaddr(sas, tsrc, 0);
		ksockaddr(sas + salen, tdst, 0);
	}
	r = kmsg_put(m, sizeof(*r) + 2 * salen);
	r->sadb_x_ipsecrequest_len = (uint16_t)(sizeof(*r) + 2 * salen);
	r->sadb_x_ipsecrequest_proto = proto;
	r->sadb_x_ipsecrequest_mode = mode;
	r->sadb_x_ipsecrequest_level = level;
	r->sadb_x_ipsecrequest_reqid = reqid;
	memcpy(r + 1, sas, 2 * salen);
}

static inline void kmsg_policy_end(struct kmsg *m, struct sadb_x_policy *p)
{
	p->sadb_x_policy_len = (uint16_t)(((uint8_t *)m->buf + m->len -
					   (uint8_t *)p) / 8);
}

static inline void kmsg_finish(struct kmsg *m)
{
	kmsg_hdr(m)->sadb_msg_len = (uint16_t)(m->len / 8);
}

static inline int kopen(void)
{
	int fd = socket(PF_KEY, SOCK_RAW, PF_KEY_V2);

	CHECK(fd >= 0, "socket(PF_KEY): %s", strerror(errno));
	return fd;
}

/* Send as is (no length fix-up): 0 or the errno of write(). */
static inline int ksend_raw(int fd, const void *p, size_t len)
{
	ssize_t n = write(fd, p, len);

	if (n < 0)
		return errno;
	CHECK((size_t)n == len, "short write %zd of %zu", n, len);
	return 0;
}

static inline int ksend(int fd, struct kmsg *m)
{
	kmsg_finish(m);
	return ksend_raw(fd, m->buf, m->len);
}

/* The next message within @ms milliseconds, or -1. */
static inline ssize_t krecv(int fd, struct kmsg *m, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&pfd, 1, ms) <= 0)
		return -1;
	n = recv(fd, m->buf, sizeof(m->buf), 0);
	CHECK(n >= (ssize_t)sizeof(struct sadb_msg), "recv: %zd %s", n,
	      strerror(errno));
	CHECK((size_t)kmsg_hdr(m)->sadb_msg_len * 8 == (size_t)n,
	      "reply length %u words for %zd bytes", kmsg_hdr(m)->sadb_msg_len,
	      n);
	m->len = (size_t)n;
	return n;
}

/* Nothing is waiting on @fd. */
static inline int kquiet(int fd, int ms)
{
	struct kmsg *m = malloc(sizeof(*m));
	ssize_t n = krecv(fd, m, ms);

	if (n >= 0)
		fprintf(stderr, "unexpected message type %u errno %u\n",
			kmsg_hdr(m)->sadb_msg_type, kmsg_hdr(m)->sadb_msg_errno);
	free(m);
	return n < 0;
}

/* Extension @type of a received message, or NULL. */
static inline void *kmsg_find(struct kmsg *m, uint16_t type)
{
	size_t off = sizeof(struct sadb_msg);

	while (off + sizeof(struct sadb_ext) <= m->len) {
		struct sadb_ext *e = (void *)((uint8_t *)m->buf + off);

		if (!e->sadb_ext_len)
			return NULL;
		if (e->sadb_ext_type == type)
			return e;
		off += e->sadb_ext_len * 8u;
	}
	return NULL;
}

/*
 * Send @req on @fd and check the reply: its type, errno (0 for success)
 * and echoed seq/pid. As with af_key, write() succeeds whenever a reply
 * was queued, even one carrying an error. Returns what write() said.
 */
static inline int krequest(int fd, struct kmsg *req, struct kmsg *rep,
			   int want_errno, int line)
{
	struct sadb_msg *q = kmsg_hdr(req), *r;
	int err = ksend(fd, req);

	if (krecv(fd, rep, 5000) < 0) {
		fprintf(stderr, "FAIL line %d: no reply to type %u (write: %s)\n",
			line, q->sadb_msg_type, strerror(err));
		exit(1);
	}
	r = kmsg_hdr(rep);
	if (r->sadb_msg_type != q->sadb_msg_type ||
	    r->sadb_msg_errno != want_errno || r->sadb_msg_seq != q->sadb_msg_seq ||
	    r->sadb_msg_pid != q->sadb_msg_pid || err != 0) {
		fprintf(stderr,
			"FAIL line %d: type %u: reply type %u errno %u (%s) seq %u/%u, write %d (%s); want errno %d (%s), write 0\n",
			line, q->sadb_msg_type, r->sadb_msg_type, r->sadb_msg_errno,
			strerror(r->sadb_msg_errno), r->sadb_msg_seq,
			q->sadb_msg_seq, err, strerror(err), want_errno,
			strerror(want_errno));
		exit(1);
	}
	return err;
}

#define KREQ(fd, req, rep, want) krequest(fd, req, rep, want, __LINE__)

/* ---- messages the tests use again and again ---- */

#define SRC "10.0.0.1"
#define DST "10.0.0.2"

/* An ESP SA with AES-CBC-128 and HMAC-SHA2-256. */
static inline void esp_add_msg(struct kmsg *m, uint8_t type, uint32_t spi,
			const char *src, const char *dst)
{
	kmsg_init(m, type, SADB_SATYPE_ESP);
	kmsg_sa(m, spi, SADB_X_AALG_SHA2_256HMAC, SADB_X_EALG_AESCBC);
	kmsg_addr(m, SADB_EXT_ADDRESS_SRC, src, 32, 0, 0);
	kmsg_addr(m, SADB_EXT_ADDRESS_DST, dst, 32, 0, 0);
	kmsg_key(m, SADB_EXT_KEY_AUTH, 256);
	kmsg_key(m, SADB_EXT_KEY_ENCRYPT, 128);
}

static inline void sa_key_msg(struct kmsg *m, uint8_t type, uint8_t satype,
		       uint32_t spi)
{
	kmsg_init(m, type, satype);
	kmsg_sa(m, spi, 0, 0);
	kmsg_addr(m, SADB_EXT_ADDRESS_SRC, SRC, 32, 0, 0);
	kmsg_addr(m, SADB_EXT_ADDRESS_DST, DST, 32, 0, 0);
}

static inline void spd_msg(struct kmsg *m, uint8_t type, const char *src,
		    const char *dst, uint8_t plen, uint8_t dir, uint16_t ptype,
		    uint32_t prio)
{
	struct sadb_x_policy *p;

	kmsg_init(m, type, SADB_SATYPE_UNSPEC);
	kmsg_addr(m, SADB_EXT_ADDRESS_SRC, src, plen, IPSEC_ULPROTO_ANY, 0);
	kmsg_addr(m, SADB_EXT_ADDRESS_DST, dst, plen, IPSEC_ULPROTO_ANY, 0);
	p = kmsg_policy(m, dir, ptype, 0, prio);
	if (ptype == IPSEC_POLICY_IPSEC)
		kmsg_req(m, IPPROTO_ESP, IPSEC_MODE_TRANSPORT,
			 IPSEC_LEVEL_REQUIRE, 0, NULL, NULL);
	kmsg_policy_end(m, p);
}

#endif /* KPFKEY_LIB_H */
