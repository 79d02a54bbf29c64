// SPDX-License-Identifier: BSD-2-Clause
/*
 * Bulk TCP transfer for kt_tcp_ok (tests/vm/lib.sh): tcpxfer.py's recv and
 * send, in C. Python takes seconds to start under TCG, twice per transfer,
 * and the interop matrices make dozens of transfers; this starts at once.
 * The caller compares the two files with cmp.
 *
 *   tcpxfer recv PORT OUTFILE READYFILE
 *       listen on PORT (IPv4 and IPv6), create READYFILE once listening,
 *       write everything one connection sends to OUTFILE
 *   tcpxfer send ADDR PORT INFILE
 *       connect to ADDR, send INFILE (sendfile), wait for the receiver to
 *       close; print the seconds that took
 * Each wait (accept, connect, a read or a write) gives up after 120 s.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define WAIT_S 120

static void die(const char *what)
{
	fprintf(stderr, "tcpxfer: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void timeouts(int fd)
{
	struct timeval tv = { .tv_sec = WAIT_S };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		die("setsockopt");
}

static int do_recv(const char *port, const char *out, const char *ready)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
				     .sin6_addr = IN6ADDR_ANY_INIT };
	struct pollfd pfd = { .events = POLLIN };
	static char buf[262144];
	int srv, conn, fd, zero = 0, one = 1;
	ssize_t n;

	sin6.sin6_port = htons(atoi(port));
	srv = socket(AF_INET6, SOCK_STREAM, 0);
	if (srv < 0 ||
	    setsockopt(srv, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) ||
	    setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die("socket");
	if (bind(srv, (struct sockaddr *)&sin6, sizeof(sin6)) || listen(srv, 1))
		die("bind/listen");
	fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die(ready);
	close(fd);
	pfd.fd = srv;
	if (poll(&pfd, 1, WAIT_S * 1000) != 1) {
		errno = ETIMEDOUT;
		die("accept");
	}
	conn = accept(srv, NULL, NULL);
	if (conn < 0)
		die("accept");
	timeouts(conn);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die(out);
	while ((n = read(conn, buf, sizeof(buf))) > 0)
		if (write(fd, buf, n) != n)
			die(out);
	if (n < 0)
		die("read");
	if (close(fd))
		die(out);
	close(conn);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int do_send(const char *addr, const char *port, const char *path)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai;
	struct stat st;
	off_t off = 0;
	double t0;
	char c;
	int fd, s, err;

	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		die(path);
	err = getaddrinfo(addr, port, &hints, &ai);
	if (err) {
		fprintf(stderr, "tcpxfer: %s: %s\n", addr, gai_strerror(err));
		return 1;
	}
	t0 = now();
	s = socket(ai->ai_family, SOCK_STREAM, 0);
	if (s < 0)
		die("socket");
	timeouts(s);	/* SO_SNDTIMEO bounds connect() too */
	if (connect(s, ai->ai_addr, ai->ai_addrlen))
		die("connect");
	while (off < st.st_size)
		if (sendfile(s, fd, &off, st.st_size - off) <= 0)
			die("sendfile");
	if (shutdown(s, SHUT_WR))
		die("shutdown");
	/* The receiver closes once it has everything. */
	if (read(s, &c, 1) < 0)
		die("read");
	close(s);
	printf("%.6f\n", now() - t0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "recv"))
		return do_recv(argv[2], argv[3], argv[4]);
	if (argc == 5 && !strcmp(argv[1], "send"))
		return do_send(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: tcpxfer recv PORT OUTFILE READYFILE\n"
		"       tcpxfer send ADDR PORT INFILE\n");
	return 2;
}
