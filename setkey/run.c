// SPDX-License-Identifier: BSD-2-Clause
/*
 * Sending checked statements to a PF_KEY socket and printing what comes
 * back.  Kernel refusals do not stop the run (KAME does the same): each is
 * reported as "FILE:LINE: kind: error" and the exit status becomes 1.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "setkey.h"

static int default_open(void)
{
	int fd = pfkey_open();

	if (fd >= 0) {
		/* never hang on a kernel that does not answer */
		struct timeval tv = { .tv_sec = 5 };

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	return fd;
}

/* kipsec.ko creates /proc/net/kipsec in every namespace; it and af_key
 * cannot be loaded together (both register PF_KEY). */
static bool default_is_kipsec(void)
{
	return access("/proc/net/kipsec", F_OK) == 0;
}

const struct sk_ops sk_default_ops = {
	.open = default_open,
	.close = pfkey_close,
	.send = pfkey_send,
	.recv = pfkey_recv,
	.is_kipsec = default_is_kipsec,
};

struct runner {
	const struct sk_run_opts *o;
	int fd;
	uint32_t pid;
	uint32_t seq;
	uint8_t *rbuf;		/* PFKEY_RECV_BUFSIZE bytes */
};

static int runner_open(struct runner *r, const struct sk_run_opts *o)
{
	memset(r, 0, sizeof(*r));
	r->o = o;
	r->pid = (uint32_t)getpid();
	r->rbuf = malloc(PFKEY_RECV_BUFSIZE);
	if (!r->rbuf) {
		fprintf(o->err, "setkey: out of memory\n");
		return -1;
	}
	r->fd = o->ops->open();
	if (r->fd < 0) {
		int e = -r->fd;

		fprintf(o->err, "setkey: cannot open a PF_KEY socket: %s%s\n",
			strerror(e),
			e == EAFNOSUPPORT ? " (load kipsec.ko or af_key first)" :
			e == EPERM || e == EACCES ? " (setkey needs CAP_NET_ADMIN)" : "");
		free(r->rbuf);
		return -1;
	}
	return 0;
}

static void runner_close(struct runner *r)
{
	r->o->ops->close(r->fd);
	free(r->rbuf);
}

static int send_msg(struct runner *r, const void *msg, size_t len)
{
	if (r->o->verbose) {
		fputs("send: ", r->o->out);
		sk_print_msg(r->o->out, msg, len, false);
	}
	return r->o->ops->send(r->fd, msg, len);
}

/*
 * Receives the next message addressed to this process with the given type
 * (and seq, unless any_seq: dump replies count seq down to 0).  Other
 * traffic on the socket is skipped.  Returns its length or -errno.
 */
static ssize_t recv_reply(struct runner *r, uint8_t type, uint32_t seq,
			  bool any_seq)
{
	for (;;) {
		ssize_t n = r->o->ops->recv(r->fd, r->rbuf, PFKEY_RECV_BUFSIZE);
		struct sadb_msg h;

		if (n < 0)
			return n;
		if ((size_t)n < sizeof(h))
			continue;
		memcpy(&h, r->rbuf, sizeof(h));
		if (h.sadb_msg_pid != r->pid || h.sadb_msg_type != type ||
		    (!any_seq && h.sadb_msg_seq != seq))
			continue;
		if (r->o->verbose) {
			fputs("recv: ", r->o->out);
			sk_print_msg(r->o->out, r->rbuf, (size_t)n, false);
		}
		return n;
	}
}

static int reply_errno(const struct runner *r)
{
	return ((const struct sadb_msg *)r->rbuf)->sadb_msg_errno;
}

/* Sends msg and waits for its answer: 0, or a positive errno. */
static int request(struct runner *r, const void *msg, size_t len)
{
	const struct sadb_msg *h = msg;
	int rc = send_msg(r, msg, len);
	ssize_t n;

	if (rc < 0)
		return -rc;
	n = recv_reply(r, h->sadb_msg_type, h->sadb_msg_seq, false);
	if (n < 0)
		return (int)-n;
	return reply_errno(r);
}

typedef void (*dump_cb)(struct runner *r, const struct pfkey_msg *m,
			void *arg);

/* SADB_DUMP / SADB_X_SPDDUMP: cb for each entry.  0, or a positive errno
 * (ENOENT, the kernel's "empty table", is turned into 0 with no calls). */
static int dump(struct runner *r, uint8_t type, uint8_t satype, dump_cb cb,
		void *arg, unsigned *count)
{
	uint8_t mem[sizeof(struct sadb_msg)];
	struct pfkey_buf b;
	int rc;

	*count = 0;
	pfkey_buf_init(&b, mem, sizeof(mem));
	pfkey_msg_begin(&b, type, satype, ++r->seq, r->pid);
	if ((rc = pfkey_msg_end(&b)) < 0)
		return -rc;
	if ((rc = send_msg(r, mem, sizeof(mem))) < 0)
		return -rc;
	for (;;) {
		ssize_t n = recv_reply(r, type, 0, true);
		struct pfkey_msg m;
		struct sadb_msg h;

		if (n < 0)
			return (int)-n;
		memcpy(&h, r->rbuf, sizeof(h));
		if (h.sadb_msg_errno)
			return h.sadb_msg_errno == ENOENT ? 0 : h.sadb_msg_errno;
		if (pfkey_parse(r->rbuf, (size_t)n, &m) == 0) {
			(*count)++;
			cb(r, &m, arg);
		} else {
			fprintf(r->o->err, "setkey: malformed dump message: %s\n",
				pfkey_parse_error());
		}
		if (h.sadb_msg_seq == 0)
			return 0;
	}
}

static void print_sa_cb(struct runner *r, const struct pfkey_msg *m, void *arg)
{
	const struct sadb_sa *sa = pfkey_msg_sa(m);

	(void)arg;
	if (!r->o->all && sa && sa->sadb_sa_state == SADB_SASTATE_DEAD)
		return;
	sk_dump_sa(r->o->out, m, &r->o->print);
}

static void print_spd_cb(struct runner *r, const struct pfkey_msg *m, void *arg)
{
	(void)arg;
	sk_dump_spd(r->o->out, m, &r->o->print);
}

static int do_dump(struct runner *r, bool policy, uint8_t satype)
{
	unsigned count;
	int e = dump(r, policy ? SADB_X_SPDDUMP : SADB_DUMP, satype,
		     policy ? print_spd_cb : print_sa_cb, NULL, &count);

	if (e == 0 && count == 0)
		fprintf(r->o->out, policy ? "No SPD entries.\n" : "No SAD entries.\n");
	fflush(r->o->out);
	return e;
}

/* deleteall: Linux af_key wants an SPI in SADB_DELETE, so list the SAs
 * between the two addresses and delete them one by one (as ipsec-tools
 * does on Linux). */
struct victims {
	const struct sk_stmt *st;
	size_t n, cap;
	bool oom;
	struct { uint8_t satype; uint32_t spi_net; } *v;
};

static bool same_host(const struct sockaddr *a, const struct sk_addr *b)
{
	const struct sockaddr *bs = (const struct sockaddr *)&b->ss;

	if (a->sa_family != bs->sa_family)
		return false;
	if (a->sa_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
			      &((const struct sockaddr_in *)bs)->sin_addr, 4) == 0;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		      &((const struct sockaddr_in6 *)bs)->sin6_addr, 16) == 0;
}

static void collect_cb(struct runner *r, const struct pfkey_msg *m, void *arg)
{
	struct victims *vs = arg;
	const struct sadb_address *s = pfkey_msg_address(m, SADB_EXT_ADDRESS_SRC);
	const struct sadb_address *d = pfkey_msg_address(m, SADB_EXT_ADDRESS_DST);
	const struct sadb_sa *sa = pfkey_msg_sa(m);

	(void)r;
	if (!s || !d || !sa ||
	    !same_host(pfkey_address_sockaddr(s), &vs->st->src) ||
	    !same_host(pfkey_address_sockaddr(d), &vs->st->dst))
		return;
	if (vs->n == vs->cap) {
		size_t cap = vs->cap ? vs->cap * 2 : 16;
		void *nv = realloc(vs->v, cap * sizeof(*vs->v));

		if (!nv) {
			vs->oom = true;
			return;
		}
		vs->v = nv;
		vs->cap = cap;
	}
	vs->v[vs->n].satype = m->hdr->sadb_msg_satype;
	vs->v[vs->n].spi_net = sa->sadb_sa_spi;
	vs->n++;
}

static int do_deleteall(struct runner *r, const struct sk_stmt *st)
{
	struct victims vs = { .st = st };
	unsigned count;
	int e = dump(r, SADB_DUMP, st->satype, collect_cb, &vs, &count);

	if (e == 0 && vs.oom)
		e = ENOMEM;

	for (size_t i = 0; e == 0 && i < vs.n; i++) {
		struct sk_stmt del = *st;
		uint8_t mem[512];
		struct pfkey_buf b;
		int rc;

		del.next = NULL;
		del.cmd = SK_DELETE;
		del.satype = vs.v[i].satype;
		del.spi = ntohl(vs.v[i].spi_net);
		pfkey_buf_init(&b, mem, sizeof(mem));
		rc = sk_compile(&del, &b, ++r->seq, r->pid);
		e = rc < 0 ? -rc : request(r, pfkey_buf_msg(&b), pfkey_buf_msglen(&b));
	}
	free(vs.v);
	return e;
}

/* get and getspi print the SA the kernel returns. */
static void print_reply_sa(struct runner *r, size_t n)
{
	struct pfkey_msg m;

	if (pfkey_parse(r->rbuf, n, &m) == 0)
		sk_dump_sa(r->o->out, &m, &r->o->print);
	fflush(r->o->out);
}

static int run_stmt(struct runner *r, const struct sk_stmt *st)
{
	uint8_t mem[8192];
	struct pfkey_buf b;
	const struct sadb_msg *h;
	int rc;

	switch (st->cmd) {
	case SK_DUMP:
		return do_dump(r, false, st->satype);
	case SK_SPDDUMP:
		return do_dump(r, true, 0);
	case SK_DELETEALL:
		return do_deleteall(r, st);
	default:
		break;
	}
	pfkey_buf_init(&b, mem, sizeof(mem));
	if ((rc = sk_compile(st, &b, ++r->seq, r->pid)) < 0)
		return -rc;
	h = pfkey_buf_msg(&b);
	if ((rc = send_msg(r, h, pfkey_buf_msglen(&b))) < 0)
		return -rc;

	ssize_t n = recv_reply(r, h->sadb_msg_type, h->sadb_msg_seq, false);

	if (n < 0)
		return (int)-n;
	if (reply_errno(r))
		return reply_errno(r);
	if (st->cmd == SK_GET || st->cmd == SK_GETSPI)
		print_reply_sa(r, (size_t)n);
	return 0;
}

int sk_run(const struct sk_prog *prog, const struct sk_run_opts *o)
{
	struct runner r;
	int status = 0;

	if (!prog->head)
		return 0;
	if (runner_open(&r, o) < 0)
		return 1;
	for (const struct sk_stmt *st = prog->head; st; st = st->next) {
		int e;

		/* Linux's af_key skips extensions it does not know, so it
		 * would install the SA without the window, ESN or ICV asked
		 * for: refuse here instead, like a kernel refusal. */
		if (sk_needs_kipsec_sa(st) && o->ops->is_kipsec &&
		    !o->ops->is_kipsec()) {
			fprintf(o->err, "%s:%u: %s: -r above %u, -esn and -icv need kipsec.ko (Linux af_key would ignore them); not sent\n",
				prog->file, st->pos.line, sk_cmd_name(st->cmd),
				SK_SA_REPLAY_MAX);
			status = 1;
			continue;
		}
		e = run_stmt(&r, st);
		if (e) {
			fprintf(o->err, "%s:%u: %s: %s\n", prog->file,
				st->pos.line, sk_cmd_name(st->cmd),
				e == EAGAIN ? "no reply from the kernel" : strerror(e));
			status = 1;
		}
	}
	runner_close(&r);
	return status;
}

int sk_run_dump(const struct sk_run_opts *o, bool policy, uint8_t satype)
{
	struct runner r;
	int e;

	if (runner_open(&r, o) < 0)
		return 1;
	e = do_dump(&r, policy, satype);
	if (e)
		fprintf(o->err, "setkey: %s: %s\n", policy ? "spddump" : "dump",
			strerror(e));
	runner_close(&r);
	return e ? 1 : 0;
}

int sk_run_flush(const struct sk_run_opts *o, bool policy)
{
	struct sk_stmt st = { .cmd = policy ? SK_SPDFLUSH : SK_FLUSH };
	struct runner r;
	int e;

	if (runner_open(&r, o) < 0)
		return 1;
	e = run_stmt(&r, &st);
	if (e)
		fprintf(o->err, "setkey: %s: %s\n", sk_cmd_name(st.cmd),
			strerror(e));
	runner_close(&r);
	return e ? 1 : 0;
}

static void print_stamp(FILE *out)
{
	struct timeval tv;
	struct tm tm;
	time_t t;

	gettimeofday(&tv, NULL);
	t = sk_now();
	if (t != tv.tv_sec)	/* SETKEY_FAKE_TIME: keep test output stable */
		tv.tv_usec = 0;
	localtime_r(&t, &tm);
	fprintf(out, "%02d:%02d:%02d.%06ld\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
		(long)tv.tv_usec);
}

int sk_run_monitor(const struct sk_run_opts *o)
{
	struct runner r;
	uint8_t mem[sizeof(struct sadb_msg)];
	struct pfkey_buf b;
	unsigned seen = 0;
	int rc;

	if (runner_open(&r, o) < 0)
		return 1;
	/* satype 1 switches promiscuous mode on (KAME and Linux) */
	pfkey_buf_init(&b, mem, sizeof(mem));
	pfkey_msg_begin(&b, SADB_X_PROMISC, 1, ++r.seq, r.pid);
	pfkey_msg_end(&b);
	if ((rc = o->ops->send(r.fd, mem, sizeof(mem))) < 0) {
		fprintf(o->err, "setkey: promisc: %s\n", strerror(-rc));
		runner_close(&r);
		return 1;
	}
	while (!o->monitor_max || seen < o->monitor_max) {
		ssize_t n = o->ops->recv(r.fd, r.rbuf, PFKEY_RECV_BUFSIZE);
		const uint8_t *p = r.rbuf;
		struct sadb_msg h;

		if (n == -EAGAIN || n == -EINTR)
			continue;
		if (n < 0) {
			fprintf(o->err, "setkey: recv: %s\n", strerror((int)-n));
			runner_close(&r);
			return 1;
		}
		seen++;
		print_stamp(o->out);
		memcpy(&h, p, (size_t)n < sizeof(h) ? (size_t)n : sizeof(h));
		/* KAME wraps what it copies to promiscuous sockets in an
		 * X_PROMISC header; Linux does not. */
		if ((size_t)n > sizeof(h) && h.sadb_msg_type == SADB_X_PROMISC) {
			p += sizeof(h);
			n -= (ssize_t)sizeof(h);
		}
		sk_print_msg(o->out, p, (size_t)n, o->monitor > 1);
		fputc('\n', o->out);
		fflush(o->out);
	}
	runner_close(&r);
	return 0;
}
