// SPDX-License-Identifier: BSD-2-Clause
/*
 * udp_window — UDP packet rates through paths of network namespaces, with
 * a bounded number of packets in flight, several paths taking turns.
 *
 * usage: udp_window -a DST_ADDR [-p PORT] [-l SIZE] [-t SECONDS] [-r RUNS]
 *                   [-W WARMUP_MS] [-w WINDOW] [-c CPU] [-m MARK_DIR]
 *                   LABEL:FROM_NS:TO_NS...
 *
 * For each path, a receiver thread joins netns TO_NS and binds
 * DST_ADDR:PORT (default 5301), and a sender thread joins FROM_NS and sends
 * SIZE-byte (default 64) UDP payloads to it. Each pair shares a counter of
 * packets received, so the sender keeps at most WINDOW (default 64) packets
 * in flight: a closed loop, like TCP's window but with no protocol of its
 * own.
 *
 * Why: an open-loop flood (iperf3 -u -b 0) through several namespaces on
 * one or two CPUs overruns the per-CPU backlog queue that every veth hop
 * shares. New packets then crowd out packets that were already forwarded
 * and encrypted, so most of the work is thrown away and the rate delivered
 * depends on the scheduler more than on the IPsec stack. With a window far
 * below the backlog's 1000 packets nothing is dropped, and the CPU that
 * carries the packets stays busy as long as the window covers the pipe.
 *
 * The paths take turns, one at a time, RUNS times (default 1), in the
 * given order in odd runs and in reverse in even runs: so that paths to
 * compare see the same machine, at the cost of no process start between
 * them. In each turn the path runs WARMUP_MS (default 500) unmeasured, then
 * SECONDS (default 3) measured; if MARK_DIR is given, the files
 * MARK_DIR/LABEL-rRUN.begin and .end are created at the two ends of the
 * measured part (tests/bench/vcpu_clock.py notes the host CPU time of each
 * vCPU when they appear). All threads run on CPU (default 0). A window with
 * no progress for 1 s counts its packets as lost and starts again (a
 * shorter wait mistakes a vCPU that the host did not run for a while for
 * loss). One line of key=value pairs per turn:
 *   label, run, size, secs, rx (packets received in the measured part),
 *   pps, mbps (UDP payload bits), lost (in the measured part), window.
 * Exit 1 on any error, or if a path received nothing in all of its turns (a
 * single empty turn happens when the host hardly runs the guest).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/futex.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define BATCH 32
#define MAXSIZE 9000
#define MAXPATHS 8

struct path {
	int index;
	char *label, *from_ns, *to_ns;
	_Atomic uint32_t received;	/* futex word: packets received */
	_Atomic uint64_t sent, lost;
	double measured;	/* packets received in all measured parts */
	atomic_bool ready;
	pthread_t rt, st;
};

static const char *dst_addr, *mark_dir;
static unsigned int port = 5301, size = 64, secs = 3, runs = 1, warmup_ms = 500;
static unsigned int window = 64, cpu;
static struct path paths[MAXPATHS];
static int npaths;
static _Atomic uint32_t active = UINT32_MAX;	/* futex word: the path sending */
static atomic_bool stop;

static void die(const char *what)
{
	fprintf(stderr, "udp_window: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void futex_wake(_Atomic uint32_t *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
}

/* 0 when woken or *w != val; -1 with errno ETIMEDOUT after the timeout. */
static long futex_wait(_Atomic uint32_t *w, uint32_t val, time_t sec, long nsec)
{
	struct timespec ts = { .tv_sec = sec, .tv_nsec = nsec };

	return syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, val, &ts, NULL, 0);
}

static void enter(const char *ns)
{
	char path[256];
	cpu_set_t set;
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(path);
	if (setns(fd, CLONE_NEWNET) < 0)
		die("setns");
	close(fd);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		die("sched_setaffinity");
}

static struct sockaddr_in dst(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	if (inet_pton(AF_INET, dst_addr, &a.sin_addr) != 1) {
		errno = EINVAL;
		die(dst_addr);
	}
	return a;
}

static void *receiver(void *arg)
{
	struct path *p = arg;
	uint8_t (*buf)[MAXSIZE + 1] = calloc(BATCH, MAXSIZE + 1);
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in a = dst();
	struct timeval tv = { .tv_sec = 0, .tv_usec = 100000 };
	int s, rcvbuf = 4 << 20;

	if (!buf)
		die("calloc");
	enter(p->to_ns);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		die("receiver socket");
	/* Room for the whole window and more; FORCE: root ignores rmem_max. */
	if (setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0 &&
	    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0)
		die("SO_RCVBUF");
	if (setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		die("SO_RCVTIMEO");
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("bind");
	for (int i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){ .iov_base = buf[i], .iov_len = MAXSIZE + 1 };
		msg[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	atomic_store(&p->ready, true);
	while (!atomic_load(&stop)) {
		int n = recvmmsg(s, msg, BATCH, MSG_WAITFORONE, NULL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			die("recvmmsg");
		}
		for (int i = 0; i < n; i++)
			if (msg[i].msg_len != size) {
				errno = EBADMSG;
				die("received a packet of the wrong size");
			}
		atomic_fetch_add(&p->received, (uint32_t)n);
		futex_wake(&p->received);
	}
	close(s);
	free(buf);
	return NULL;
}

static void *sender(void *arg)
{
	struct path *p = arg;
	static uint8_t payload[MAXSIZE];
	struct mmsghdr msg[BATCH];
	struct iovec iov = { .iov_base = payload, .iov_len = size };
	struct sockaddr_in a = dst();
	uint64_t base = 0;	/* packets written off as lost */
	int s;

	enter(p->from_ns);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		die("sender socket");
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("connect");
	for (int i = 0; i < BATCH; i++)
		msg[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov, .msg_iovlen = 1 } };

	while (!atomic_load(&stop)) {
		uint32_t act = atomic_load(&active);

		if (act != (uint32_t)p->index) {
			futex_wait(&active, act, 0, 100 * 1000 * 1000);
			continue;
		}
		uint32_t rx = atomic_load(&p->received);
		int64_t d = (int64_t)(atomic_load(&p->sent) - base) - (int64_t)rx;
		/* Below 0 when packets written off as lost arrive after all. */
		uint64_t inflight = d > 0 ? (uint64_t)d : 0;

		if (inflight < window) {
			unsigned int n = window - (unsigned int)inflight;

			if (n > BATCH)
				n = BATCH;
			int k = sendmmsg(s, msg, n, 0);

			if (k < 0) {
				/* A full queue or an error from the path:
				 * the window will notice what went missing. */
				if (errno == ENOBUFS || errno == EAGAIN || errno == ECONNREFUSED ||
				    errno == EINTR)
					continue;
				die("sendmmsg");
			}
			atomic_fetch_add(&p->sent, (uint64_t)k);
			continue;
		}
		/* Window full: sleep until the receiver counts more. */
		if (futex_wait(&p->received, rx, 1, 0) < 0 && errno == ETIMEDOUT &&
		    atomic_load(&p->received) == rx && atomic_load(&active) == (uint32_t)p->index) {
			/* 1 s without progress: the rest of the window is lost. */
			atomic_fetch_add(&p->lost, inflight);
			base += inflight;
		}
	}
	close(s);
	return NULL;
}

static void mark(const struct path *p, unsigned int run, const char *what)
{
	char path[512];
	int fd;

	if (!mark_dir)
		return;
	snprintf(path, sizeof(path), "%s/%s-r%u.%s", mark_dir, p->label, run, what);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die(path);
	close(fd);
}

static void usage(void)
{
	fprintf(stderr, "usage: udp_window -a DST_ADDR [-p PORT] [-l SIZE] [-t SECONDS] "
		"[-r RUNS] [-W WARMUP_MS] [-w WINDOW] [-c CPU] [-m MARK_DIR] "
		"LABEL:FROM_NS:TO_NS...\n");
	exit(2);
}

static unsigned int number(const char *s, unsigned int lo, unsigned int hi)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi)
		usage();
	return (unsigned int)v;
}

/* One turn of path p. */
static void turn(struct path *p, unsigned int run)
{
	atomic_store(&active, (uint32_t)p->index);
	futex_wake(&active);
	usleep(warmup_ms * 1000u);

	uint32_t rx0 = atomic_load(&p->received);
	uint64_t lost0 = atomic_load(&p->lost);
	double t0 = now();

	mark(p, run, "begin");
	sleep(secs);
	uint32_t rx1 = atomic_load(&p->received);
	uint64_t lost1 = atomic_load(&p->lost);
	double t1 = now();

	mark(p, run, "end");

	double dt = t1 - t0, n = (double)(rx1 - rx0);

	printf("label=%s run=%u size=%u secs=%.3f rx=%.0f pps=%.1f mbps=%.3f lost=%llu "
	       "window=%u\n", p->label, run, size, dt, n, n / dt, n * size * 8 / dt / 1e6,
	       (unsigned long long)(lost1 - lost0), window);
	fflush(stdout);
	p->measured += n;
}

int main(int argc, char **argv)
{
	bool ok = true;
	int c;

	while ((c = getopt(argc, argv, "a:p:l:t:r:W:w:c:m:")) != -1) {
		switch (c) {
		case 'a': dst_addr = optarg; break;
		case 'p': port = number(optarg, 1, 65535); break;
		case 'l': size = number(optarg, 1, MAXSIZE); break;
		case 't': secs = number(optarg, 1, 3600); break;
		case 'r': runs = number(optarg, 1, 1000); break;
		case 'W': warmup_ms = number(optarg, 0, 60000); break;
		case 'w': window = number(optarg, 1, 100000); break;
		case 'c': cpu = number(optarg, 0, CPU_SETSIZE - 1); break;
		case 'm': mark_dir = optarg; break;
		default: usage();
		}
	}
	if (!dst_addr || optind == argc || argc - optind > MAXPATHS)
		usage();
	for (int i = optind; i < argc; i++) {
		struct path *p = &paths[npaths];
		char *from, *to;

		p->index = npaths++;
		p->label = argv[i];
		from = strchr(argv[i], ':');
		to = from ? strchr(from + 1, ':') : NULL;
		if (!to || from == argv[i] || to == from + 1 || !to[1])
			usage();
		*from = *to = '\0';
		p->from_ns = from + 1;
		p->to_ns = to + 1;
	}

	for (int i = 0; i < npaths; i++)
		if (pthread_create(&paths[i].rt, NULL, receiver, &paths[i]) ||
		    pthread_create(&paths[i].st, NULL, sender, &paths[i]))
			die("pthread_create");
	for (int i = 0; i < npaths; i++)
		while (!atomic_load(&paths[i].ready))
			usleep(1000);

	for (unsigned int r = 1; r <= runs; r++)
		for (int i = 0; i < npaths; i++)
			turn(&paths[r % 2 ? i : npaths - 1 - i], r);

	atomic_store(&stop, true);
	atomic_store(&active, UINT32_MAX);
	futex_wake(&active);
	for (int i = 0; i < npaths; i++) {
		futex_wake(&paths[i].received);
		pthread_join(paths[i].st, NULL);
		pthread_join(paths[i].rt, NULL);
		if (paths[i].measured == 0) {
			fprintf(stderr, "udp_window: nothing arrived through %s\n", paths[i].label);
			ok = false;
		}
	}
	return ok ? 0 : 1;
}
