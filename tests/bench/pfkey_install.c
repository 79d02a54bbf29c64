// SPDX-License-Identifier: BSD-2-Clause
/*
 * pfkey_install — SA and policy install rates over one PF_KEY socket,
 * whichever stack owns PF_KEY (Linux af_key or kipsec.ko).
 *
 * usage: pfkey_install [-w W] [-t CAP_SECONDS] N
 *   -w W   requests in flight: W messages per sendmmsg(), then their W
 *          replies by recvmmsg() (default 256); -w 1 is the unbatched mode,
 *          one write() and one read() per request
 *   -t S   give up on an install phase after S seconds (default 300); the
 *          rest still runs, and the exit code is 3
 *
 * Installs N ESP SAs (AES-CBC-128 + HMAC-SHA1, SPIs 0x10000.., from
 * 10.0.0.1 to 12.0.0.0+i: one per peer, as a gateway would have), then N
 * outbound policies (10.0.0.0+i/32 -> 11.0.0.0+i/32, esp/transport//require),
 * then SADB_FLUSH and SADB_X_SPDFLUSH. Prints one line of key=value pairs.
 * Every reply must match its request (type, seq, pid) with errno 0, and
 * every request must get one: otherwise exit 1, so a failure is never
 * measured as a rate.
 */
#include "kpfkey_lib.h"

#include <stdbool.h>
#include <sys/uio.h>

#define SLOT 512		/* bytes per request; ours are < 300 */
#define RSLOT 4096		/* bytes per reply; af_key's ADD reply ~ 300 */
#define WMAX 1024

static unsigned int window = 256, cap_s = 300;
static uint8_t reqbuf[WMAX][SLOT] __attribute__((aligned(8)));
static uint8_t repbuf[WMAX][RSLOT] __attribute__((aligned(8)));
static struct kmsg scratch;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void ipv4(char *buf, uint32_t addr)
{
	struct in_addr a = { .s_addr = htonl(addr) };

	inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/*
 * A peer per SA: with one address pair for all, XFRM's state insert walks a
 * bydst chain holding every SA (af_key slowed from ~1200/s at 2k SAs to
 * ~500/s at 10k), which measures an unusual setup rather than the stack.
 */
static void build_sa(struct kmsg *m, unsigned int i)
{
	char dst[INET_ADDRSTRLEN];

	ipv4(dst, 0x0c000000u + i);
	kmsg_init(m, SADB_ADD, SADB_SATYPE_ESP);
	kmsg_sa(m, 0x10000 + i, SADB_AALG_SHA1HMAC, SADB_X_EALG_AESCBC);
	kmsg_addr(m, SADB_EXT_ADDRESS_SRC, SRC, 32, 0, 0);
	kmsg_addr(m, SADB_EXT_ADDRESS_DST, dst, 32, 0, 0);
	kmsg_key(m, SADB_EXT_KEY_AUTH, 160);
	kmsg_key(m, SADB_EXT_KEY_ENCRYPT, 128);
}

static void build_spd(struct kmsg *m, unsigned int i)
{
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];

	/* Distinct /32 pairs: both stacks can hash these exactly. */
	ipv4(src, 0x0a000000u + i);
	ipv4(dst, 0x0b000000u + i);
	spd_msg(m, SADB_X_SPDADD, src, dst, 32, IPSEC_DIR_OUTBOUND,
		IPSEC_POLICY_IPSEC, 0);
}

static void check_reply(const uint8_t *buf, ssize_t n, const struct sadb_msg *q)
{
	const struct sadb_msg *r = (const void *)buf;

	CHECK(n >= (ssize_t)sizeof(*r) && (size_t)r->sadb_msg_len * 8 == (size_t)n,
	      "reply of %zd bytes, length %u words", n,
	      n >= (ssize_t)sizeof(*r) ? r->sadb_msg_len : 0);
	CHECK(r->sadb_msg_type == q->sadb_msg_type && r->sadb_msg_seq == q->sadb_msg_seq &&
	      r->sadb_msg_pid == q->sadb_msg_pid,
	      "reply type %u seq %u pid %u to type %u seq %u pid %u",
	      r->sadb_msg_type, r->sadb_msg_seq, r->sadb_msg_pid,
	      q->sadb_msg_type, q->sadb_msg_seq, q->sadb_msg_pid);
	CHECK(r->sadb_msg_errno == 0, "type %u seq %u: errno %u (%s)",
	      q->sadb_msg_type, q->sadb_msg_seq, r->sadb_msg_errno,
	      strerror(r->sadb_msg_errno));
}

/* Wait for @fd to be readable; a lost reply shows up as this timing out. */
static void wait_readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	CHECK(poll(&pfd, 1, 10000) == 1, "no reply within 10 s (dropped?)");
}

/* One request, one reply: what a naive setkey-style client does. */
static void one_by_one(int fd, void (*build)(struct kmsg *, unsigned int),
		       unsigned int i)
{
	ssize_t n;

	if (build)	/* else @scratch already holds the request */
		build(&scratch, i);
	CHECK(ksend(fd, &scratch) == 0, "write: %s", strerror(errno));
	wait_readable(fd);
	n = recv(fd, repbuf[0], RSLOT, MSG_TRUNC);
	CHECK(n > 0 && n <= RSLOT, "recv: %zd %s", n, strerror(errno));
	check_reply(repbuf[0], n, kmsg_hdr(&scratch));
}

/* Requests [i, i+w) in one sendmmsg(), then their w replies. */
static void batch(int fd, void (*build)(struct kmsg *, unsigned int),
		  unsigned int i, unsigned int w)
{
	static struct mmsghdr sv[WMAX], rv[WMAX];
	static struct iovec siov[WMAX], riov[WMAX];
	unsigned int sent = 0, got = 0;

	for (unsigned int k = 0; k < w; k++) {
		build(&scratch, i + k);
		kmsg_finish(&scratch);
		CHECK(scratch.len <= SLOT, "request of %zu bytes", scratch.len);
		memcpy(reqbuf[k], scratch.buf, scratch.len);
		siov[k] = (struct iovec){ reqbuf[k], scratch.len };
		sv[k] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &siov[k], .msg_iovlen = 1 } };
		riov[k] = (struct iovec){ repbuf[k], RSLOT };
	}
	while (sent < w) {
		int n = sendmmsg(fd, sv + sent, w - sent, 0);

		CHECK(n > 0, "sendmmsg: %s", strerror(errno));
		sent += (unsigned int)n;
	}
	while (got < w) {
		int n;

		for (unsigned int k = got; k < w; k++)
			rv[k] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &riov[k], .msg_iovlen = 1 } };
		wait_readable(fd);
		n = recvmmsg(fd, rv + got, w - got, MSG_DONTWAIT, NULL);
		CHECK(n > 0, "recvmmsg: %s", strerror(errno));
		for (int k = 0; k < n; k++) {
			struct mmsghdr *h = &rv[got + k];

			CHECK(!(h->msg_hdr.msg_flags & MSG_TRUNC), "reply truncated");
			check_reply(repbuf[got + k], h->msg_len,
				    (const void *)reqbuf[got + k]);
		}
		got += (unsigned int)n;
	}
}

/* Install @n objects; the rate in objects/s, or -1 if the cap was hit. */
static double install(int fd, void (*build)(struct kmsg *, unsigned int),
		      unsigned int n, unsigned int *done)
{
	double t0 = now();

	for (*done = 0; *done < n;) {
		unsigned int w = n - *done < window ? n - *done : window;

		if (window == 1)
			one_by_one(fd, build, *done);
		else
			batch(fd, build, *done, w);
		*done += w;
		/* Checked every batch (cheap next to a syscall). */
		if (now() - t0 > cap_s)
			return *done < n ? -1 : n / (now() - t0);
	}
	return n / (now() - t0);
}

static double flush_ms(int fd, uint8_t type)
{
	double t0, ms;
	ssize_t n;

	kmsg_init(&scratch, type, SADB_SATYPE_UNSPEC);
	t0 = now();
	one_by_one(fd, NULL, 0);
	ms = (now() - t0) * 1e3;
	/*
	 * af_key answers a flush twice (a unicast reply, then the broadcast
	 * notification); both are queued before write() returns. Drain the
	 * second so that it is not taken for the next request's reply.
	 */
	while ((n = recv(fd, repbuf[0], RSLOT, MSG_DONTWAIT)) > 0)
		check_reply(repbuf[0], n, kmsg_hdr(&scratch));
	CHECK(n < 0 && errno == EAGAIN, "recv: %zd %s", n, strerror(errno));
	return ms;
}

static void print_ms(const char *key, double ms, bool valid)
{
	if (valid)
		printf(" %s=%.1f", key, ms);
	else
		printf(" %s=n/a", key);
}

int main(int argc, char **argv)
{
	int fd, opt, buf = 64 << 20;
	unsigned int n, done, done_spd;
	double sa, spd;

	while ((opt = getopt(argc, argv, "w:t:")) != -1) {
		switch (opt) {
		case 'w': window = (unsigned int)atoi(optarg); break;
		case 't': cap_s = (unsigned int)atoi(optarg); break;
		default: goto usage;
		}
	}
	if (optind != argc - 1 || window < 1 || window > WMAX)
		goto usage;
	n = (unsigned int)strtoul(argv[optind], NULL, 0);
	CHECK(n > 0 && n < (1u << 24), "N out of range");

	fd = kopen();
	/*
	 * Both stacks drop a reply (silently, for the writer) when the receive
	 * buffer is full; the FORCE variants lift the sysctl caps (we are root).
	 */
	CHECK(!setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)), "rcvbuf");
	CHECK(!setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)), "sndbuf");

	printf("n=%u window=%u cap_s=%u", n, window, cap_s);
	fflush(stdout);
	/* A capped phase reports how far it got; its flush time is then moot. */
	sa = install(fd, build_sa, n, &done);
	if (sa < 0)
		printf(" sa_per_s=capped(%u/%u)", done, n);
	else
		printf(" sa_per_s=%.0f", sa);
	fflush(stdout);
	spd = install(fd, build_spd, n, &done_spd);
	if (spd < 0)
		printf(" spd_per_s=capped(%u/%u)", done_spd, n);
	else
		printf(" spd_per_s=%.0f", spd);
	print_ms("saflush_ms", flush_ms(fd, SADB_FLUSH), sa >= 0);
	print_ms("spdflush_ms", flush_ms(fd, SADB_X_SPDFLUSH), spd >= 0);
	putchar('\n');
	close(fd);
	return sa < 0 || spd < 0 ? 3 : 0;
usage:
	fprintf(stderr, "usage: %s [-w W] [-t CAP_SECONDS] N\n", argv[0]);
	return 2;
}
