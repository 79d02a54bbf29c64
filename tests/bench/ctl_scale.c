// SPDX-License-Identifier: BSD-2-Clause
/*
 * ctl_scale — the control plane at scale over PF_KEY, whichever stack owns
 * it (kipsec.ko or Linux af_key): the driver of tests/bench/ctl_scale.sh.
 *
 * usage:
 *   ctl_scale fill N
 *       Installs N ESP SAs (SPIs 0x10000.., 10.0.0.1 -> 12.0.0.0+i) and N
 *       outbound policies (10.0.0.0+i/32 -> 11.0.0.0+i/32, require), 256
 *       requests in flight, and keeps them. Prints n, sa_per_s, spd_per_s
 *       and how much the kernel's Slab (/proc/meminfo) grew with each.
 *   ctl_scale exec [-o FILE | -n] CMD [ARG...]
 *       Runs CMD (its stdout to FILE, if given; with -n into a pipe, whose
 *       lines that start with a digit are counted: lines=N) and prints its wall time,
 *       peak RSS (wait4's ru_maxrss), CPU times, and the kernel's Slab
 *       (/proc/meminfo, sampled every 10 ms) at the start and its peak
 *       rise over CMD's life. Exits with CMD's status.
 *   ctl_scale churn [-c NS:IF] [-p POOL] -r RATE -t SECS
 *       Installs POOL (default 1000) ESP SAs (30.0.0.1 -> 31.0.0.0+i, SPIs
 *       0x200000+i) untimed, then for SECS s sends SADB_ADD of a new SA and
 *       SADB_DELETE of the oldest, in turn, paced at RATE requests/s (in
 *       1 ms ticks, at most 64 in flight; RATE 0: none, the baseline), then
 *       deletes the pool. Prints the requests done and their rate, the
 *       client's CPU time (user + system, which holds the kernel's work on
 *       the requests) per request, and the packets per second that IF in
 *       network namespace NS received meanwhile.
 *   ctl_scale acquire [-c NS:IF] [-e EXPECT] [-w WAIT_S] [-R RUNS] [-i IDLE_S]
 *                     -n N BASE
 *       Registers a PF_KEY socket for ESP (once: af_key probes the kernel's
 *       algorithms at every SADB_REGISTER, which takes seconds to minutes
 *       under TCG), then RUNS (default 1) bursts: one UDP datagram to each
 *       of N addresses, BASE+1 .. BASE+N in the first, the N after those
 *       in the next, and so on (sendto one by one: a stack that refuses
 *       the datagram fails the call, and sendmmsg would stop there),
 *       reading ACQUIREs every 64 sends and then until EXPECT (default N)
 *       arrived or none came for WAIT_S (default 2) s. With -i, a turn of
 *       IDLE_S s without burst before each odd run's burst and after each
 *       even run's. A line per turn: turn=acquire with run, sent, refused
 *       (datagrams the call refused), acquires, distinct (their distinct
 *       destinations in the range), send_ms, all_ms (first send to the
 *       last ACQUIRE read), acq_bytes (an ACQUIRE's mean length),
 *       register_ms, and the packets per second that IF in NS received
 *       during the sends; turn=idle with run and that packet rate.
 * Every PF_KEY reply must match its request (type, seq, pid) with errno 0:
 * otherwise exit 1, so a failure is never measured as a rate.
 */
#include "kpfkey_lib.h"

#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define WMAX 256
#include "pfkey_batch.h"

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int pfkey_socket(void)
{
	int fd = kopen(), buf = 256 << 20;

	/* Both stacks drop messages silently when the receive buffer is
	 * full; the FORCE variants lift the sysctl caps (we are root). */
	CHECK(!setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)), "rcvbuf");
	CHECK(!setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)), "sndbuf");
	return fd;
}

/* ---- packets received by an interface of another namespace ---- */

static int ctr_fd = -1;
static char ctr_if[32];

/*
 * NS:IF. /proc/self/net/dev opened from inside NS stays NS's file after we
 * return to our own namespace, so a sample is one read, no process.
 */
static void counter_open(const char *spec)
{
	const char *colon = strchr(spec, ':');
	char path[300];
	int self, ns;

	CHECK(colon && colon != spec && colon[1] && strlen(colon + 1) < sizeof(ctr_if),
	      "counter wants NS:IF, not %s", spec);
	snprintf(ctr_if, sizeof(ctr_if), "%s", colon + 1);
	snprintf(path, sizeof(path), "/run/netns/%.*s", (int)(colon - spec), spec);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(self >= 0 && ns >= 0, "%s: %s", path, strerror(errno));
	CHECK(setns(ns, CLONE_NEWNET) == 0, "setns %s: %s", path, strerror(errno));
	ctr_fd = open("/proc/self/net/dev", O_RDONLY | O_CLOEXEC);
	CHECK(ctr_fd >= 0, "/proc/self/net/dev: %s", strerror(errno));
	CHECK(setns(self, CLONE_NEWNET) == 0, "setns back: %s", strerror(errno));
	close(ns);
	close(self);
}

/* rx_packets of the counter's interface; 0 without a counter. */
static uint64_t counter_read(void)
{
	static char buf[65536];
	size_t len = 0;
	ssize_t n;
	char *line;

	if (ctr_fd < 0)
		return 0;
	CHECK(lseek(ctr_fd, 0, SEEK_SET) == 0, "lseek: %s", strerror(errno));
	while ((n = read(ctr_fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	CHECK(n == 0, "read /proc/net/dev: %s", strerror(errno));
	buf[len] = '\0';
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		unsigned long long bytes, packets;
		char name[64];

		if (sscanf(line, " %63[^:]: %llu %llu", name, &bytes, &packets) == 3 &&
		    !strcmp(name, ctr_if))
			return packets;
	}
	CHECK(0, "no interface %s in the counter's /proc/net/dev", ctr_if);
	return 0;
}

/* ---- batched requests (pfkey_batch.h) ---- */

/* Requests build(i) for i in [i0, i1), WMAX at a time. */
static void batches(int fd, build_fn build, unsigned int i0, unsigned int i1)
{
	while (i0 < i1) {
		unsigned int w = i1 - i0 < WMAX ? i1 - i0 : WMAX;

		batch(fd, build, i0, w);
		i0 += w;
	}
}

static long slab_kb(void)
{
	static int fd = -1;
	char buf[4096], *p;
	ssize_t n;

	if (fd < 0)
		fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0, "/proc/meminfo: %s", strerror(errno));
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	CHECK(n > 0, "read /proc/meminfo: %s", strerror(errno));
	buf[n] = '\0';
	p = strstr(buf, "\nSlab:");
	CHECK(p, "no Slab in /proc/meminfo");
	return strtol(p + 6, NULL, 10);
}

/* ---- fill ---- */

static int fill(unsigned int n)
{
	int fd = pfkey_socket();
	double t0, t1, t2;

	long s0, s1, s2;

	s0 = slab_kb();
	t0 = now();
	batches(fd, build_sa, 0, n);
	t1 = now();
	s1 = slab_kb();
	batches(fd, build_spd, 0, n);
	t2 = now();
	s2 = slab_kb();
	printf("n=%u sa_per_s=%.0f spd_per_s=%.0f sa_slab_kb=%ld spd_slab_kb=%ld\n",
	       n, n / (t1 - t0), n / (t2 - t1), s1 - s0, s2 - s1);
	close(fd);
	return 0;
}

/* ---- exec ---- */

/* Lines of @buf that start with a digit; *@bol: the last read ended a line. */
static unsigned long count_lines(const char *buf, size_t len, bool *bol)
{
	unsigned long n = 0;

	for (size_t i = 0; i < len; i++) {
		if (*bol && buf[i] >= '0' && buf[i] <= '9')
			n++;
		*bol = buf[i] == '\n';
	}
	return n;
}

/* @out: the child's stdout (NULL: ours); @count: into a pipe, counted. */
static int run_exec(const char *out, bool count, char **argv)
{
	long slab0 = slab_kb(), peak = slab0;
	unsigned long lines = 0;
	struct rusage ru;
	struct pollfd pfd[2];
	int status, pidfd, p[2] = { -1, -1 };
	bool bol = true, exited = false;
	double t0, t1 = 0;
	pid_t pid;

	if (count)
		CHECK(pipe2(p, O_CLOEXEC) == 0, "pipe: %s", strerror(errno));
	fflush(stdout);
	t0 = now();
	pid = fork();
	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = count ? p[1] : out ? open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : 1;

		if (fd < 0 || dup2(fd, 1) < 0) {
			fprintf(stderr, "ctl_scale: %s: %s\n", out ? out : "pipe", strerror(errno));
			_exit(127);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "ctl_scale: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (count)
		close(p[1]);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	CHECK(pidfd >= 0, "pidfd_open: %s", strerror(errno));
	pfd[0] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	/* The pidfd is readable when the child exits: the wall time is not
	 * rounded to the sampling period. */
	while (!exited || pfd[1].fd >= 0) {
		int n = poll(pfd, 2, 10);
		long sl = slab_kb();

		if (sl > peak)
			peak = sl;
		CHECK(n >= 0, "poll: %s", strerror(errno));
		if (pfd[0].revents & POLLIN) {
			exited = true;
			pfd[0].fd = -1;
			t1 = now();
		}
		if (pfd[1].fd >= 0 && pfd[1].revents) {
			static char buf[65536];
			ssize_t k = read(p[0], buf, sizeof(buf));

			CHECK(k >= 0, "read: %s", strerror(errno));
			if (k == 0)
				pfd[1].fd = -1;
			lines += count_lines(buf, (size_t)k, &bol);
		}
	}
	CHECK(wait4(pid, &status, 0, &ru) == pid, "wait4: %s", strerror(errno));
	printf("wall_ms=%.1f maxrss_kb=%ld utime_ms=%.1f stime_ms=%.1f slab0_kb=%ld "
	       "slab_peak_kb=%ld", (t1 - t0) * 1e3, ru.ru_maxrss,
	       ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3,
	       ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3, slab0, peak - slab0);
	if (count)
		printf(" lines=%lu", lines);
	printf(" rc=%d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* ---- churn ---- */

static unsigned int pool = 1000;

static void churn_sa(struct kmsg *m, uint8_t type, unsigned int i)
{
	char dst[INET_ADDRSTRLEN];

	ipv4(dst, 0x1f000000u + i);
	kmsg_init(m, type, SADB_SATYPE_ESP);
	kmsg_sa(m, 0x200000 + i, type == SADB_ADD ? SADB_AALG_SHA1HMAC : 0,
		type == SADB_ADD ? SADB_X_EALG_AESCBC : 0);
	kmsg_addr(m, SADB_EXT_ADDRESS_SRC, "30.0.0.1", 32, 0, 0);
	kmsg_addr(m, SADB_EXT_ADDRESS_DST, dst, 32, 0, 0);
	if (type == SADB_ADD) {
		kmsg_key(m, SADB_EXT_KEY_AUTH, 160);
		kmsg_key(m, SADB_EXT_KEY_ENCRYPT, 128);
	}
}

static void churn_add(struct kmsg *m, unsigned int i) { churn_sa(m, SADB_ADD, i); }
static void churn_del(struct kmsg *m, unsigned int i) { churn_sa(m, SADB_DELETE, i); }

/* Request k of the churn: even, add SA pool + k/2; odd, delete SA k/2. */
static void churn_op(struct kmsg *m, unsigned int k)
{
	if (k % 2 == 0)
		churn_add(m, pool + k / 2);
	else
		churn_del(m, k / 2);
}

static int churn(unsigned int rate, unsigned int secs)
{
	int fd = pfkey_socket();
	unsigned int done = 0, live_lo, live_hi;
	uint64_t rx0, rx1;
	double t0, t1, c0, c1;
	struct timespec tick;

	batches(fd, churn_add, 0, pool);
	c0 = cpu_s();
	rx0 = counter_read();
	t0 = now();
	clock_gettime(CLOCK_MONOTONIC, &tick);
	for (;;) {
		double t = now() - t0;
		unsigned int due;

		if (t >= secs)
			break;
		due = rate ? (unsigned int)(t * rate) - done : 0;
		/* Up to 64 in flight: a client that keeps pace sends a tick's
		 * worth at once, one that cannot sends without pause. */
		while (due > 0) {
			unsigned int w = due < 64 ? due : 64;

			batch(fd, churn_op, done, w);
			done += w;
			due -= w;
			if (now() - t0 >= secs)
				break;
		}
		tick.tv_nsec += 1000000;
		if (tick.tv_nsec >= 1000000000) {
			tick.tv_nsec -= 1000000000;
			tick.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &tick, NULL);
	}
	t1 = now();
	rx1 = counter_read();
	c1 = cpu_s();
	/* SAs left: [deleted, pool + added). */
	live_lo = done / 2;
	live_hi = pool + (done + 1) / 2;
	batches(fd, churn_del, live_lo, live_hi);
	printf("rate=%u secs=%.3f ops=%u ops_per_s=%.0f", rate, t1 - t0, done, done / (t1 - t0));
	if (done)
		printf(" cpu_us_per_op=%.1f", (c1 - c0) * 1e6 / done);
	if (ctr_fd >= 0)
		printf(" pps=%.0f rx=%llu", (double)(rx1 - rx0) / (t1 - t0),
		       (unsigned long long)(rx1 - rx0));
	printf(" pool=%u\n", pool);
	close(fd);
	return 0;
}

/* ---- acquire ---- */

static unsigned int acq_n, acq_expect, acq_count, acq_distinct;
static uint32_t acq_base;
static uint8_t *acq_seen;
static double acq_last;
static uint64_t acq_bytes;

/* The IPv4 destination of the ACQUIRE in @buf (@len bytes), or NULL. */
static const struct sockaddr_in *acquire_dst(const uint8_t *buf, size_t len)
{
	size_t off = sizeof(struct sadb_msg);

	while (off + sizeof(struct sadb_ext) <= len) {
		const struct sadb_ext *e = (const void *)(buf + off);

		if (!e->sadb_ext_len || off + e->sadb_ext_len * 8u > len)
			return NULL;
		if (e->sadb_ext_type == SADB_EXT_ADDRESS_DST &&
		    e->sadb_ext_len * 8u >= sizeof(struct sadb_address) +
					    sizeof(struct sockaddr_in))
			return (const void *)(buf + off + sizeof(struct sadb_address));
		off += e->sadb_ext_len * 8u;
	}
	return NULL;
}

/* Read every message waiting (or, with @ms, the first within @ms);
 * count the ACQUIREs. Returns how many messages were read. */
static unsigned int drain(int fd, int ms)
{
	/* kipsec's ACQUIREs carry up to 128 proposals (about 9 KiB). */
	static uint8_t abuf[64][16384] __attribute__((aligned(8)));
	static struct mmsghdr rv[64];
	static struct iovec riov[64];
	unsigned int total = 0;

	for (;;) {
		int n;

		if (ms) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };

			if (poll(&pfd, 1, ms) <= 0)
				return total;
			ms = 0;
		}
		for (unsigned int k = 0; k < 64; k++) {
			riov[k] = (struct iovec){ abuf[k], sizeof(abuf[k]) };
			rv[k] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &riov[k], .msg_iovlen = 1 } };
		}
		n = recvmmsg(fd, rv, 64, MSG_DONTWAIT, NULL);
		if (n < 0 && errno == EAGAIN)
			return total;
		CHECK(n > 0, "recvmmsg: %s", strerror(errno));
		acq_last = now();
		for (int k = 0; k < n; k++) {
			const struct sadb_msg *h = (const void *)abuf[k];
			const struct sockaddr_in *sin;
			uint32_t i;

			CHECK(!(rv[k].msg_hdr.msg_flags & MSG_TRUNC), "message truncated");
			CHECK(rv[k].msg_len >= sizeof(*h) &&
			      h->sadb_msg_len * 8u == rv[k].msg_len,
			      "message of %u bytes, length %u words", rv[k].msg_len,
			      h->sadb_msg_len);
			if (h->sadb_msg_type != SADB_ACQUIRE)
				continue;
			acq_count++;
			acq_bytes += rv[k].msg_len;
			sin = acquire_dst(abuf[k], rv[k].msg_len);
			CHECK(sin, "ACQUIRE without a destination");
			CHECK(sin->sin_family == AF_INET, "ACQUIRE for family %u", sin->sin_family);
			i = ntohl(sin->sin_addr.s_addr) - acq_base - 1;
			if (i < acq_n && !acq_seen[i]) {
				acq_seen[i] = 1;
				acq_distinct++;
			}
		}
		total += (unsigned int)n;
	}
}

/* One burst from @base; prints its line. */
static void burst(int fd, int u, uint32_t base, unsigned int run, unsigned int wait_s,
		  double treg)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
	unsigned int refused = 0;
	uint64_t rx0, rx1;
	double t0, t1;
	ssize_t n;

	acq_base = base;
	acq_count = acq_distinct = 0;
	acq_bytes = 0;
	memset(acq_seen, 0, acq_n);
	rx0 = counter_read();
	t0 = now();
	acq_last = t0;
	for (unsigned int i = 0; i < acq_n; i++) {
		to.sin_addr.s_addr = htonl(acq_base + 1 + i);
		n = sendto(u, "x", 1, 0, (struct sockaddr *)&to, sizeof(to));
		if (n < 0) {
			/* kipsec refuses a datagram it holds no SA for;
			 * XFRM drops it into a blackhole, silently. */
			CHECK(errno == EPERM || errno == EAGAIN || errno == EHOSTUNREACH,
			      "sendto: %s", strerror(errno));
			refused++;
		}
		if (i % 64 == 63)
			drain(fd, 0);
	}
	t1 = now();
	/* The burst is the sends: ACQUIREs go out as they are made. */
	rx1 = counter_read();
	drain(fd, 0);
	while (acq_count < acq_expect && drain(fd, (int)wait_s * 1000))
		;
	printf("turn=acquire run=%u n=%u sent=%u refused=%u acquires=%u distinct=%u "
	       "send_ms=%.1f all_ms=%.1f acq_bytes=%.0f register_ms=%.1f",
	       run, acq_n, acq_n, refused, acq_count, acq_distinct, (t1 - t0) * 1e3,
	       acq_count ? (acq_last - t0) * 1e3 : 0.0,
	       acq_count ? (double)acq_bytes / acq_count : 0.0, treg * 1e3);
	if (ctr_fd >= 0)
		printf(" pps=%.0f rx=%llu", (double)(rx1 - rx0) / (t1 - t0),
		       (unsigned long long)(rx1 - rx0));
	putchar('\n');
	fflush(stdout);
}

/* A turn of @secs without burst; prints its line. */
static void idle(unsigned int run, unsigned int secs)
{
	uint64_t rx0 = counter_read(), rx1;
	double t0 = now(), t1;

	usleep(secs * 1000000u);
	t1 = now();
	rx1 = counter_read();
	printf("turn=idle run=%u secs=%.3f pps=%.0f rx=%llu\n", run, t1 - t0,
	       (double)(rx1 - rx0) / (t1 - t0), (unsigned long long)(rx1 - rx0));
	fflush(stdout);
}

static int acquire(const char *base, unsigned int wait_s, unsigned int runs,
		   unsigned int idle_s)
{
	int fd = pfkey_socket(), u;
	struct in_addr b;
	double treg;

	CHECK(inet_pton(AF_INET, base, &b) == 1, "bad base address %s", base);
	acq_seen = calloc(acq_n, 1);
	CHECK(acq_seen, "calloc");
	treg = now();
	kmsg_init(&scratch, SADB_REGISTER, SADB_SATYPE_ESP);
	CHECK(ksend(fd, &scratch) == 0, "REGISTER: %s", strerror(errno));
	do {
		/* af_key probes the kernel's algorithms first: slow. */
		CHECK(krecv(fd, &scratch, 600000) > 0, "no REGISTER reply");
	} while (kmsg_hdr(&scratch)->sadb_msg_type != SADB_REGISTER);
	CHECK(kmsg_hdr(&scratch)->sadb_msg_errno == 0, "REGISTER: errno %u",
	      kmsg_hdr(&scratch)->sadb_msg_errno);
	treg = now() - treg;
	u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(u >= 0, "socket: %s", strerror(errno));
	for (unsigned int r = 1; r <= runs; r++) {
		uint32_t from = ntohl(b.s_addr) + (r - 1) * acq_n;

		if (idle_s && r % 2)
			idle(r, idle_s);
		burst(fd, u, from, r, wait_s, treg);
		if (idle_s && !(r % 2))
			idle(r, idle_s);
	}
	close(u);
	close(fd);
	free(acq_seen);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: ctl_scale fill N\n"
		"       ctl_scale exec [-o FILE | -n] CMD [ARG...]\n"
		"       ctl_scale churn [-c NS:IF] [-p POOL] -r RATE -t SECS\n"
		"       ctl_scale acquire [-c NS:IF] [-e EXPECT] [-w WAIT_S] [-R RUNS] [-i IDLE_S] -n N BASE\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned int rate = 0, secs = 0, wait_s = 2, runs = 1, idle_s = 0;
	bool have_rate = false, have_expect = false;
	const char *cmd;
	int opt;

	if (argc < 2)
		usage();
	cmd = argv[1];
	argv++;
	argc--;
	if (!strcmp(cmd, "exec")) {
		if (argc >= 4 && !strcmp(argv[1], "-o"))
			return run_exec(argv[2], false, argv + 3);
		if (argc >= 3 && !strcmp(argv[1], "-n"))
			return run_exec(NULL, true, argv + 2);
		if (argc < 2 || argv[1][0] == '-')
			usage();
		return run_exec(NULL, false, argv + 1);
	}
	while ((opt = getopt(argc, argv, "c:p:r:t:n:e:w:R:i:")) != -1) {
		switch (opt) {
		case 'c': counter_open(optarg); break;
		case 'p': pool = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'r': rate = (unsigned int)strtoul(optarg, NULL, 0); have_rate = true; break;
		case 't': secs = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'n': acq_n = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'e': acq_expect = (unsigned int)strtoul(optarg, NULL, 0); have_expect = true; break;
		case 'w': wait_s = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'R': runs = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'i': idle_s = (unsigned int)strtoul(optarg, NULL, 0); break;
		default: usage();
		}
	}
	if (!strcmp(cmd, "fill") && optind == argc - 1) {
		unsigned int n = (unsigned int)strtoul(argv[optind], NULL, 0);

		CHECK(n > 0 && n < (1u << 20), "N out of range");
		return fill(n);
	}
	if (!strcmp(cmd, "churn") && optind == argc && have_rate && secs > 0) {
		CHECK(pool > 0 && pool < (1u << 20), "POOL out of range");
		return churn(rate, secs);
	}
	if (!strcmp(cmd, "acquire") && optind == argc - 1 && acq_n > 0 && acq_n < (1u << 22) &&
	    runs > 0 && (uint64_t)acq_n * runs < (1u << 24)) {
		if (!have_expect)
			acq_expect = acq_n;
		return acquire(argv[optind], wait_s, runs, idle_s);
	}
	usage();
	return 2;
}
