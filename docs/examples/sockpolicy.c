// SPDX-License-Identifier: BSD-2-Clause
/*
 * sockpolicy: put KAME policies on one UDP socket, as racoon does on its
 * IKE sockets, and send or receive through it. See docs/socket-policy.md.
 *
 *   sockpolicy dump POLICY               the blob ipsec_set_policy() makes
 *   sockpolicy [-6] [-P POLICY]... [-X HEX]... CMD ARGS
 *     echo PORT [N]        answer N datagrams (default 1) on PORT, 10 s max
 *     send ADDR PORT [MSG] send MSG (default "ping") and wait 2 s for an answer
 *     hold SECONDS         keep the socket (and its policies) that long
 *
 * -P takes a policy string ("in bypass", "out ipsec esp/transport//require");
 * -X a raw blob in hex, sent as it is (to test the kernel's checks).
 * Exit status: 0 done; 1 no answer; 2 setsockopt failed (the errno name is
 * printed on stdout: "setsockopt: EINVAL"); 3 usage or other errors.
 *
 * Build: cc -Iinclude sockpolicy.c build/libkipsec.a (make builds
 * build/examples/sockpolicy).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/ipsec.h>
#include <kipsec/libpfkey.h>

#ifndef IP_IPSEC_POLICY
#define IP_IPSEC_POLICY		16
#endif
#ifndef IPV6_IPSEC_POLICY
#define IPV6_IPSEC_POLICY	34
#endif

#define MAX_POLICIES	8

struct blob {
	char *data;
	int len;
};

static int family = AF_INET;

static void usage(void)
{
	fputs("usage: sockpolicy dump POLICY\n"
	      "       sockpolicy [-6] [-P POLICY]... [-X HEX]... "
	      "echo PORT [N] | send ADDR PORT [MSG] | hold SECONDS\n", stderr);
	exit(3);
}

static const char *errname(int e)
{
	switch (e) {
	case EINVAL:
		return "EINVAL";
	case EPERM:
		return "EPERM";
	case EACCES:
		return "EACCES";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	case EMSGSIZE:
		return "EMSGSIZE";
	case ENOPROTOOPT:
		return "ENOPROTOOPT";
	default:
		return strerror(e);
	}
}

static int from_hex(const char *hex, struct blob *b)
{
	size_t n = strlen(hex) / 2;
	unsigned int v;

	if (strlen(hex) % 2 || n == 0)
		return -1;
	b->data = malloc(n);
	if (!b->data)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		b->data[i] = (char)v;
	}
	b->len = (int)n;
	return 0;
}

static int from_text(const char *text, struct blob *b)
{
	b->data = ipsec_set_policy(text, (int)strlen(text));
	if (!b->data) {
		fprintf(stderr, "sockpolicy: %s: %s\n", text, ipsec_strerror());
		return -1;
	}
	b->len = ipsec_get_policylen(b->data);
	return 0;
}

/* The whole point: one setsockopt() per policy (one per direction). */
static int apply(int fd, const struct blob *b)
{
	int level = family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	int opt = family == AF_INET ? IP_IPSEC_POLICY : IPV6_IPSEC_POLICY;

	if (setsockopt(fd, level, opt, b->data, (socklen_t)b->len) == 0)
		return 0;
	printf("setsockopt: %s\n", errname(errno));
	return -1;
}

static int dump(const char *text)
{
	struct blob b;
	char *s;

	if (from_text(text, &b))
		return 3;
	s = ipsec_dump_policy(b.data, NULL);
	if (!s) {
		fprintf(stderr, "sockpolicy: %s\n", ipsec_strerror());
		return 3;
	}
	printf("%s\n%d bytes:", s, b.len);
	for (int i = 0; i < b.len; i++)
		printf(" %02x", (unsigned char)b.data[i]);
	putchar('\n');
	free(s);
	free(b.data);
	return 0;
}

static int addr_of(const char *host, unsigned int port,
		   struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*len = sizeof(*sin);
		return host && inet_pton(AF_INET, host, &sin->sin_addr) != 1;
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	*len = sizeof(*sin6);
	return host && inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1;
}

static int wait_in(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

static int echo(int fd, unsigned int port, int n)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[2048];
	ssize_t got;

	if (addr_of(NULL, port, &ss, &len) ||
	    bind(fd, (struct sockaddr *)&ss, len)) {
		perror("sockpolicy: bind");
		return 3;
	}
	printf("listening\n");
	fflush(stdout);
	while (n-- > 0) {
		if (!wait_in(fd, 10000))
			return 1;
		len = sizeof(ss);
		got = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&ss,
			       &len);
		if (got < 0 ||
		    sendto(fd, buf, (size_t)got, 0, (struct sockaddr *)&ss,
			   len) < 0) {
			perror("sockpolicy: echo");
			return 3;
		}
	}
	return 0;
}

static int send_one(int fd, const char *host, unsigned int port,
		    const char *msg)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[2048];
	ssize_t got;

	if (addr_of(host, port, &ss, &len)) {
		fprintf(stderr, "sockpolicy: bad address %s\n", host);
		return 3;
	}
	if (sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&ss, len) < 0) {
		/* A policy that drops the packet: the stack says EPERM. */
		printf("sendto: %s\n", errname(errno));
		return 1;
	}
	if (!wait_in(fd, 2000))
		return 1;
	got = recv(fd, buf, sizeof(buf) - 1, 0);
	if (got < 0)
		return 1;
	buf[got] = '\0';
	printf("%s\n", buf);
	return 0;
}

int main(int argc, char **argv)
{
	struct blob b[MAX_POLICIES];
	int nb = 0, c, fd, i;

	if (argc == 3 && !strcmp(argv[1], "dump"))
		return dump(argv[2]);
	while ((c = getopt(argc, argv, "6P:X:")) != -1) {
		if (c == '6') {
			family = AF_INET6;
		} else if ((c == 'P' || c == 'X') && nb < MAX_POLICIES) {
			if (c == 'P' ? from_text(optarg, &b[nb]) :
				       from_hex(optarg, &b[nb]))
				return 3;
			nb++;
		} else {
			usage();
		}
	}
	if (optind >= argc)
		usage();
	fd = socket(family, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("sockpolicy: socket");
		return 3;
	}
	for (i = 0; i < nb; i++)
		if (apply(fd, &b[i]))
			return 2;
	argv += optind;
	argc -= optind;
	if (!strcmp(argv[0], "echo") && argc >= 2)
		return echo(fd, (unsigned int)atoi(argv[1]),
			    argc > 2 ? atoi(argv[2]) : 1);
	if (!strcmp(argv[0], "send") && argc >= 3)
		return send_one(fd, argv[1], (unsigned int)atoi(argv[2]),
				argc > 3 ? argv[3] : "ping");
	if (!strcmp(argv[0], "hold") && argc == 2) {
		printf("holding\n");
		fflush(stdout);
		sleep((unsigned int)atoi(argv[1]));
		return 0;
	}
	usage();
	return 3;
}
