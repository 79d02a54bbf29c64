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
#include <stdbool.h>

#define WMAX 1024
#include "pfkey_batch.h"

static unsigned int window = 256, cap_s = 300;

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
