// SPDX-License-Identifier: BSD-2-Clause
/*
 * ikd's kernel interface (kernel.h) on PF_KEY v2 through libpfkey: kipsec.ko,
 * or Linux's af_key within its limits (kernel_pfkey_msg.c refuses what
 * af_key would install differently).
 *
 * Two sockets keep replies and broadcasts apart:
 *  - the request socket sends every request and waits for its reply
 *    (pfkey_request matches type, seq and pid). It is not registered, so
 *    the kernel never queues an ACQUIRE or EXPIRE on it, and waiting for a
 *    reply can never swallow one;
 *  - the event socket is registered for ESP, AH and IPcomp and is what the
 *    loop polls: dispatch() reads ACQUIREs and EXPIREs from it and throws
 *    away the rest (ADD/DELETE broadcasts, ours and other processes').
 * Only the REGISTERs go out on the event socket, at open(); an event that
 * arrives while open() waits for their replies is kept and delivered by the
 * first dispatch().
 *
 * Keys travel in the ADD/UPDATE requests, and af_key copies them into the
 * ADD broadcasts every PF_KEY socket receives: every buffer that may hold a
 * message is wiped after use.
 */
#include "kernel_pfkey.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "log.h"

/* Replies to ikd's requests are small; a broadcast skipped meanwhile may
 * be cut short, which does not matter. */
#define REPLY_BUF	65536
/* Events: an ACQUIRE with every combination kipsec proposes is ~9 KiB. */
#define EVENT_BUF	65536
/* Events read per dispatch() call, so descriptors get their turn. */
#define EVENTS_PER_DISPATCH 64
/* The kernel's first REGISTER probes every algorithm of the crypto API,
 * which may load modules: seconds on a slow machine. Wait this long per
 * try, and try this often, before open() gives up. */
#define REGISTER_WAIT_MS	10000
#define REGISTER_TRIES		3

struct pending {
	struct pending *next;
	size_t len;
	_Alignas(8) uint8_t msg[];
};

struct pfkey_kernel {
	struct ikd_kernel k;		/* first: kernel.h's contract */
	int req_fd, ev_fd;
	enum ikd_pf_kernel kern;
	uint8_t *rbuf, *ebuf;		/* 8-byte aligned (malloc) */
	struct pending *pend, **pend_tail;
};

static struct pfkey_kernel *pk(struct ikd_kernel *k)
{
	return (struct pfkey_kernel *)k;
}

static uint32_t my_pid(void)
{
	/* Not cached: the daemon forks after open(). */
	return (uint32_t)getpid();
}

/*
 * Every ADD and DELETE in the system is broadcast to the request socket
 * too, and piles up between requests; a full queue would make the kernel
 * drop our reply. So what is there is read away first.
 */
static int drain(struct pfkey_kernel *p)
{
	ssize_t n;

	while ((n = pfkey_recv(p->req_fd, p->rbuf, REPLY_BUF)) != -EAGAIN)
		if (n < 0 && n != -EMSGSIZE && n != -EBADMSG)
			return (int)n;
	return 0;
}

/*
 * Sends a built message on the request socket and parses the reply into
 * *m (pointing into p->rbuf, valid until the next request). The caller
 * wipes the message; the reply buffer is wiped by done().
 */
static int request(struct pfkey_kernel *p, const struct pfkey_buf *b,
		   struct pfkey_msg *m)
{
	ssize_t n = drain(p);

	if (n < 0)
		return (int)n;
	n = pfkey_request(p->req_fd, b->data, b->len, p->rbuf, REPLY_BUF);
	if (n < 0)
		return (int)n;
	if (pfkey_parse(p->rbuf, (size_t)n, m)) {
		log_warn("PF_KEY: malformed %s reply from the kernel: %s",
			 pfkey_msg_type_name(b->data[1]), pfkey_parse_error());
		return -EBADMSG;
	}
	return 0;
}

/* Wipes what may have held keys: the request and every reply buffer. */
static void done(struct pfkey_kernel *p, struct pfkey_buf *b)
{
	if (b)
		explicit_bzero(b->data, b->cap);
	explicit_bzero(p->rbuf, REPLY_BUF);
}

/* ---- opening: sockets, which kernel, REGISTER ------------------------------ */

static void keep_pending(struct pfkey_kernel *p, const void *msg, size_t len)
{
	struct pending *e = malloc(sizeof(*e) + len);

	if (!e) {
		log_warn("PF_KEY: out of memory, an event during start-up is lost");
		return;
	}
	e->next = NULL;
	e->len = len;
	memcpy(e->msg, msg, len);
	*p->pend_tail = e;
	p->pend_tail = &e->next;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int wait_in(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int r;

	do
		r = poll(&pfd, 1, ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r ? 0 : -ETIMEDOUT;
}

/*
 * REGISTER @satype on the event socket and wait for its reply, keeping
 * ACQUIREs and EXPIREs that arrive meanwhile. The REGISTER is sent again
 * after each REGISTER_WAIT_MS without an answer (with the same seq, so
 * either reply counts).
 */
static int do_register(struct pfkey_kernel *p, uint8_t satype)
{
	_Alignas(8) uint8_t msg[sizeof(struct sadb_msg)];
	uint32_t seq = pfkey_next_seq(), pid = my_pid();
	struct pfkey_buf b;
	int err;

	pfkey_buf_init(&b, msg, sizeof(msg));
	err = ikd_pf_build_register(&b, satype, seq, pid);
	if (err)
		return err;
	for (int try = 0; try < REGISTER_TRIES; try++) {
		uint64_t deadline = now_ms() + REGISTER_WAIT_MS;
		uint64_t t;

		err = pfkey_send(p->ev_fd, b.data, b.len);
		if (err)
			return err;
		/* Other messages do not extend the wait. */
		while ((t = now_ms()) < deadline &&
		       (err = wait_in(p->ev_fd, (int)(deadline - t))) == 0) {
			const struct sadb_msg *h = (const void *)p->ebuf;
			ssize_t n = pfkey_recv(p->ev_fd, p->ebuf, EVENT_BUF);

			if (n == -EAGAIN || n == -EMSGSIZE || n == -EBADMSG)
				continue;
			if (n < 0)
				return (int)n;
			if (h->sadb_msg_type == SADB_REGISTER &&
			    h->sadb_msg_pid == pid && h->sadb_msg_seq == seq) {
				err = -(int)h->sadb_msg_errno;
				explicit_bzero(p->ebuf, (size_t)n);
				return err;
			}
			if (h->sadb_msg_type == SADB_ACQUIRE ||
			    h->sadb_msg_type == SADB_EXPIRE)
				keep_pending(p, p->ebuf, (size_t)n);
			explicit_bzero(p->ebuf, (size_t)n);
		}
		if (err && err != -ETIMEDOUT)
			return err;
		log_notify("PF_KEY: no answer to REGISTER %s after %d s (the kernel "
			   "may still be probing its algorithms)%s",
			   pfkey_satype_name(satype),
			   (try + 1) * REGISTER_WAIT_MS / 1000,
			   try + 1 < REGISTER_TRIES ? "; asking again" : "");
	}
	return -ETIMEDOUT;
}

static int open_sockets(struct pfkey_kernel *p)
{
	int big = 4 << 20;

	p->req_fd = pfkey_open();
	if (p->req_fd < 0)
		return p->req_fd;
	p->ev_fd = pfkey_open();
	if (p->ev_fd < 0)
		return p->ev_fd;
	/* A burst of ADD broadcasts (ours included) must not crowd out an
	 * ACQUIRE: kernels drop what a full socket cannot take. FORCE
	 * works with CAP_NET_ADMIN, which PF_KEY needs anyway. */
	for (int i = 0; i < 2; i++) {
		int fd = i ? p->ev_fd : p->req_fd;

		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)))
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
		/* The loop polls the event socket; pfkey_request polls
		 * before it reads. */
		if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK))
			return -errno;
	}
	return 0;
}

static int pf_open(struct ikd_kernel *k, const struct ikd_kernel_events *ev)
{
	static const uint8_t satypes[] = {
		SADB_SATYPE_ESP, SADB_SATYPE_AH, SADB_X_SATYPE_IPCOMP,
	};
	struct pfkey_kernel *p = pk(k);
	int err;

	k->ev = *ev;
	err = open_sockets(p);
	if (err)
		return err;
	/* As setkey decides (docs/kipsec-extensions.md): kipsec.ko makes
	 * /proc/net/kipsec in every namespace, and it and af_key cannot be
	 * loaded together. */
	p->kern = access("/proc/net/kipsec", F_OK) == 0 ? IKD_PF_KIPSEC :
							  IKD_PF_AFKEY;
	for (size_t i = 0; i < sizeof(satypes); i++) {
		err = do_register(p, satypes[i]);
		if (err) {
			log_debug("PF_KEY: REGISTER %s: %s",
				  pfkey_satype_name(satypes[i]), strerror(-err));
			return err;
		}
	}
	if (p->kern == IKD_PF_KIPSEC)
		log_info("PF_KEY: kipsec.ko, registered for ESP, AH and IPcomp");
	else
		log_notify("PF_KEY: Linux af_key, registered for ESP, AH and "
			   "IPcomp; it cannot take AEAD ciphers, ESN, replay "
			   "windows above 32 or HMAC-SHA2-256 with 128-bit ICVs, "
			   "so SAs that need them are refused");
	return 0;
}

static void pf_close(struct ikd_kernel *k)
{
	struct pfkey_kernel *p = pk(k);

	pfkey_close(p->req_fd);
	pfkey_close(p->ev_fd);
	p->req_fd = p->ev_fd = -1;
	while (p->pend) {
		struct pending *e = p->pend;

		p->pend = e->next;
		explicit_bzero(e->msg, e->len);
		free(e);
	}
	p->pend_tail = &p->pend;
}

static int pf_fd(struct ikd_kernel *k)
{
	return pk(k)->ev_fd;
}

/* ---- events ------------------------------------------------------------------ */

/* The policy that wants the SA: neither kernel says which request does
 * (af_key sends no SA2). A kipsec interface's ACQUIRE has no policy to
 * fetch (id 0): its request is in its own policy extension (if_kipsec.h). */
static int pf_spd_get(struct ikd_kernel *k, uint32_t id,
		      struct ikd_kernel_policy *out);

static int acquire_policy(struct pfkey_kernel *p, const struct pfkey_msg *m,
			  uint32_t id, struct ikd_acquire *acq)
{
	if (!id)
		return ikd_pf_parse_policy(m, &acq->pol);
	return pf_spd_get(&p->k, id, &acq->pol);
}

static void on_acquire(struct pfkey_kernel *p, const struct pfkey_msg *m)
{
	char s[IKD_ADDR_STRLEN], d[IKD_ADDR_STRLEN];
	struct ikd_acquire acq;
	uint32_t id;
	int err = ikd_pf_parse_acquire(m, &acq, &id);

	if (err) {
		log_warn("PF_KEY: ACQUIRE without endpoints or policy, ignored");
		return;
	}
	ikd_addr_str(&acq.src, false, s);
	ikd_addr_str(&acq.dst, false, d);
	err = acquire_policy(p, m, id, &acq);
	if (err) {
		log_warn("PF_KEY: ACQUIRE %s %s->%s for policy %u: cannot read "
			 "the policy: %s", pfkey_satype_name(m->hdr->sadb_msg_satype),
			 s, d, id, strerror(-err));
		return;
	}
	if (!id && !acq.pol.nreqs) {
		/* An interface's without its request: tunnel mode, and the
		 * endpoints tell the interface (ike_kif.c). */
		acq.mode = IKD_MODE_TUNNEL;
	} else if (ikd_pf_acquire_pick(&acq)) {
		log_warn("PF_KEY: ACQUIRE %s %s->%s: policy %u has no %s "
			 "request", pfkey_satype_name(m->hdr->sadb_msg_satype),
			 s, d, id, pfkey_satype_name(m->hdr->sadb_msg_satype));
		return;
	}
	log_debug("PF_KEY: ACQUIRE seq %u %s %s->%s policy %u reqid %u",
		  acq.seq, pfkey_satype_name(m->hdr->sadb_msg_satype), s, d, id,
		  acq.reqid);
	if (p->k.ev.acquire)
		p->k.ev.acquire(p->k.ev.arg, &acq);
}

static void on_expire(struct pfkey_kernel *p, const struct pfkey_msg *m)
{
	struct ikd_expire exp;

	if (ikd_pf_parse_expire(m, &exp)) {
		log_warn("PF_KEY: EXPIRE without SA, endpoints or one lifetime, "
			 "ignored");
		return;
	}
	log_debug("PF_KEY: %s EXPIRE %s spi 0x%08x after %llu bytes",
		  exp.hard ? "hard" : "soft", pfkey_satype_name(m->hdr->sadb_msg_satype),
		  ntohl(exp.spi), (unsigned long long)exp.bytes);
	if (p->k.ev.expire)
		p->k.ev.expire(p->k.ev.arg, &exp);
}

static void handle_event(struct pfkey_kernel *p, const uint8_t *buf, size_t n)
{
	const struct sadb_msg *h = (const void *)buf;
	struct pfkey_msg m;

	/* Broadcasts of every ADD and DELETE come here too: only the
	 * kernel's own events matter, and only well-formed ones. */
	if (h->sadb_msg_type != SADB_ACQUIRE && h->sadb_msg_type != SADB_EXPIRE)
		return;
	if (h->sadb_msg_errno || pfkey_parse(buf, n, &m)) {
		log_warn("PF_KEY: malformed %s from the kernel: %s",
			 pfkey_msg_type_name(h->sadb_msg_type),
			 pfkey_parse_error());
		return;
	}
	if (h->sadb_msg_type == SADB_ACQUIRE)
		on_acquire(p, &m);
	else
		on_expire(p, &m);
}

static int pf_dispatch(struct ikd_kernel *k)
{
	struct pfkey_kernel *p = pk(k);

	while (p->pend) {
		struct pending *e = p->pend;

		p->pend = e->next;
		if (!p->pend)
			p->pend_tail = &p->pend;
		handle_event(p, e->msg, e->len);
		explicit_bzero(e->msg, e->len);
		free(e);
	}
	for (int i = 0; i < EVENTS_PER_DISPATCH; i++) {
		ssize_t n = pfkey_recv(p->ev_fd, p->ebuf, EVENT_BUF);

		if (n == -EAGAIN)
			return 0;
		if (n == -EMSGSIZE || n == -EBADMSG) {
			log_warn("PF_KEY: %s message from the kernel dropped",
				 n == -EMSGSIZE ? "an oversized" : "a short");
			continue;
		}
		if (n < 0)
			return (int)n;
		handle_event(p, p->ebuf, (size_t)n);
		explicit_bzero(p->ebuf, (size_t)n);
	}
	return 0;
}

/* ---- SAs ---------------------------------------------------------------------- */

static int pf_getspi(struct ikd_kernel *k, uint8_t proto, uint8_t mode,
		     const struct ikd_addr *src, const struct ikd_addr *dst,
		     uint32_t reqid, uint32_t seq, uint32_t *spi)
{
	struct pfkey_kernel *p = pk(k);
	_Alignas(8) uint8_t q[IKD_PF_MSG_MAX];
	struct pfkey_buf b;
	struct pfkey_msg r;
	int err;

	pfkey_buf_init(&b, q, sizeof(q));
	/* The ACQUIRE's seq ties the new SA to the kernel's larval one.
	 * Without one it must be 0, never a number of ours: af_key would
	 * take over any larval SA of the same destination with that seq. */
	err = ikd_pf_build_getspi(&b, proto, mode, src, dst, reqid, seq,
				  my_pid());
	if (!err)
		err = request(p, &b, &r);
	if (!err)
		err = ikd_pf_parse_spi(&r, spi);
	done(p, NULL);
	return err;
}

static int add_or_update(struct pfkey_kernel *p, uint8_t type,
			 const struct ikd_kernel_sa *sa)
{
	_Alignas(8) uint8_t q[IKD_PF_MSG_MAX];
	const char *why = NULL;
	struct pfkey_buf b;
	struct pfkey_msg r;
	int err;

	pfkey_buf_init(&b, q, sizeof(q));
	/* As for GETSPI: af_key replaces the larval SA of this seq (the
	 * ACQUIRE's), so no seq of ours. Replies match on type and pid. */
	err = ikd_pf_build_sa(&b, type, sa, p->kern, sa->seq, my_pid(), &why);
	if (!err)
		err = request(p, &b, &r);
	done(p, &b);
	if (err == -EOPNOTSUPP && why)
		log_warn("PF_KEY: %s spi 0x%08x refused: %s",
			 pfkey_satype_name(pfkey_proto_to_satype(sa->proto)),
			 ntohl(sa->spi), why);
	return err;
}

static int pf_update_sa(struct ikd_kernel *k, const struct ikd_kernel_sa *sa)
{
	return add_or_update(pk(k), SADB_UPDATE, sa);
}

static int pf_add_sa(struct ikd_kernel *k, const struct ikd_kernel_sa *sa)
{
	return add_or_update(pk(k), SADB_ADD, sa);
}

/* Only kipsec.ko changes the ports of a mature SA; af_key would want the
 * whole SA, keys included, which ikd no longer holds. */
static int pf_update_encap(struct ikd_kernel *k, const struct ikd_kernel_sa *sa)
{
	struct pfkey_kernel *p = pk(k);
	_Alignas(8) uint8_t q[IKD_PF_MSG_MAX];
	struct pfkey_buf b;
	struct pfkey_msg r;
	int err;

	if (p->kern != IKD_PF_KIPSEC)
		return -EOPNOTSUPP;
	pfkey_buf_init(&b, q, sizeof(q));
	err = ikd_pf_build_update_encap(&b, sa, pfkey_next_seq(), my_pid());
	if (!err)
		err = request(p, &b, &r);
	done(p, NULL);
	return err;
}

/* GET or DELETE of one SA; *use filled for GET when not NULL. */
static int sa_op(struct pfkey_kernel *p, uint8_t type, uint8_t proto,
		 uint32_t spi, const struct ikd_addr *src,
		 const struct ikd_addr *dst, struct ikd_sa_use *use)
{
	_Alignas(8) uint8_t q[IKD_PF_MSG_MAX];
	struct pfkey_buf b;
	struct pfkey_msg r;
	int err;

	pfkey_buf_init(&b, q, sizeof(q));
	err = ikd_pf_build_sa_id(&b, type, proto, spi, src, dst,
				 pfkey_next_seq(), my_pid());
	if (!err)
		err = request(p, &b, &r);
	if (!err && use)
		err = ikd_pf_parse_sa_use(&r, use);
	/* A GET reply carries the keys. */
	done(p, NULL);
	return err;
}

static int pf_del_sa(struct ikd_kernel *k, uint8_t proto, uint32_t spi,
		     const struct ikd_addr *src, const struct ikd_addr *dst)
{
	return sa_op(pk(k), SADB_DELETE, proto, spi, src, dst, NULL);
}

static int pf_sa_use(struct ikd_kernel *k, uint8_t proto, uint32_t spi,
		     const struct ikd_addr *src, const struct ikd_addr *dst,
		     struct ikd_sa_use *use)
{
	return sa_op(pk(k), SADB_GET, proto, spi, src, dst, use);
}

/* ---- the SPD ------------------------------------------------------------------- */

struct dump_arg {
	int (*cb)(void *arg, const struct ikd_kernel_policy *p);
	void *arg;
};

static int dump_one(const struct pfkey_msg *m, void *arg)
{
	struct dump_arg *d = arg;
	struct ikd_kernel_policy pol;
	int err = ikd_pf_parse_policy(m, &pol);

	if (err)
		return err;
	/* Sockets' own policies (ikd's bypass ones among them) come last
	 * in a dump but are not the SPD's. */
	if (ikd_pf_is_socket_policy(pol.id))
		return 0;
	return d->cb(d->arg, &pol);
}

static int pf_spd_dump(struct ikd_kernel *k,
		       int (*cb)(void *arg, const struct ikd_kernel_policy *p),
		       void *arg)
{
	struct pfkey_kernel *p = pk(k);
	struct dump_arg d = { cb, arg };
	int err = drain(p);

	done(p, NULL);
	if (err)
		return err;
	return pfkey_dump(p->req_fd, SADB_X_SPDDUMP, SADB_SATYPE_UNSPEC,
			  dump_one, &d);
}

static int pf_spd_get(struct ikd_kernel *k, uint32_t id,
		      struct ikd_kernel_policy *out)
{
	struct pfkey_kernel *p = pk(k);
	_Alignas(8) uint8_t q[64];
	struct pfkey_buf b;
	struct pfkey_msg r;
	int err;

	pfkey_buf_init(&b, q, sizeof(q));
	err = ikd_pf_build_spd_id(&b, SADB_X_SPDGET, id, pfkey_next_seq(),
				  my_pid());
	if (!err)
		err = request(p, &b, &r);
	if (!err)
		err = ikd_pf_parse_policy(&r, out);
	done(p, NULL);
	return err;
}

static int pf_spd_add(struct ikd_kernel *k, struct ikd_kernel_policy *pol)
{
	struct pfkey_kernel *p = pk(k);
	_Alignas(8) uint8_t q[IKD_PF_MSG_MAX];
	struct ikd_kernel_policy got;
	struct pfkey_buf b;
	struct pfkey_msg r;
	int err;

	pfkey_buf_init(&b, q, sizeof(q));
	err = ikd_pf_build_spdadd(&b, pol, pfkey_next_seq(), my_pid());
	if (!err)
		err = request(p, &b, &r);
	/* The reply is the policy as the kernel keeps it, with its id. */
	if (!err)
		err = ikd_pf_parse_policy(&r, &got);
	if (!err)
		pol->id = got.id;
	done(p, NULL);
	return err;
}

static int pf_spd_del(struct ikd_kernel *k, uint32_t id)
{
	struct pfkey_kernel *p = pk(k);
	_Alignas(8) uint8_t q[64];
	struct pfkey_buf b;
	struct pfkey_msg r;
	int err;

	pfkey_buf_init(&b, q, sizeof(q));
	err = ikd_pf_build_spd_id(&b, SADB_X_SPDDELETE2, id, pfkey_next_seq(),
				  my_pid());
	if (!err)
		err = request(p, &b, &r);
	done(p, NULL);
	return err;
}

static const struct ikd_kernel_ops pfkey_ops = {
	.name = "pfkey",
	.open = pf_open,
	.close = pf_close,
	.fd = pf_fd,
	.dispatch = pf_dispatch,
	.getspi = pf_getspi,
	.update_sa = pf_update_sa,
	.add_sa = pf_add_sa,
	.update_encap = pf_update_encap,
	.del_sa = pf_del_sa,
	.sa_use = pf_sa_use,
	.spd_dump = pf_spd_dump,
	.spd_get = pf_spd_get,
	.spd_add = pf_spd_add,
	.spd_del = pf_spd_del,
	.kif_get = ikd_kernel_kif_get,
};

struct ikd_kernel *ikd_kernel_pfkey_new(void)
{
	struct pfkey_kernel *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->rbuf = malloc(REPLY_BUF);
	p->ebuf = malloc(EVENT_BUF);
	if (!p->rbuf || !p->ebuf) {
		free(p->rbuf);
		free(p->ebuf);
		free(p);
		return NULL;
	}
	p->k.ops = &pfkey_ops;
	p->req_fd = p->ev_fd = -1;
	p->pend_tail = &p->pend;
	return &p->k;
}

void ikd_kernel_free(struct ikd_kernel *k)
{
	struct pfkey_kernel *p;

	if (!k)
		return;
	k->ops->close(k);
	if (k->ops != &pfkey_ops)
		return;
	p = pk(k);
	explicit_bzero(p->rbuf, REPLY_BUF);
	explicit_bzero(p->ebuf, EVENT_BUF);
	free(p->rbuf);
	free(p->ebuf);
	free(p);
}
