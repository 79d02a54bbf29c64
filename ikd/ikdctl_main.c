// SPDX-License-Identifier: BSD-2-Clause
/*
 * ikdctl(8): sends one request to ikd's admin socket and prints the
 * answer: the body on stdout when it says OK, its error (one line, then
 * any details) on stderr otherwise, with an exit status per kind of
 * failure so that scripts can tell them apart.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include "ctl.h"

enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,	/* ikd could not do it */
	EXIT_USAGE = 2,		/* unknown verb, bad arguments */
	EXIT_NOT_RUNNING = 3,	/* nobody answers on the socket */
	EXIT_DENIED = 4,
	EXIT_PEER = 5,		/* no such remote */
};

#define REPLY_MAX	(IKD_CTL_MAX_OUT + 4096)
#define TIMEOUT_SECS	30

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ikdctl [-s SOCKET] [-j] VERB [ARGS...]\n"
		"  show ike | show child | show sa     SAs (-j, --json: as JSON)\n"
		"  stats                               counters\n"
		"  initiate NAME|ADDRESS               bring up the IKE SA and its child SAs\n"
		"  terminate NAME|ADDRESS              delete the IKE SAs with a peer\n"
		"  reload                              read the configuration again\n"
		"  help                                every verb ikd knows, racoonctl's too\n"
		"socket: %s unless -s\n", IKD_DEFAULT_ADMINSOCK);
}

/* The request line: the words, one blank between them. */
static int build_request(int argc, char **argv, bool json, char *buf,
			 size_t cap)
{
	size_t n = 0;

	for (int i = 0; i < argc; i++) {
		size_t len = strlen(argv[i]);

		if (!len || strpbrk(argv[i], " \t\r\n")) {
			fprintf(stderr, "ikdctl: an argument may not be empty "
				"nor hold blanks: \"%s\"\n", argv[i]);
			return -1;
		}
		if (n + len + 2 > cap)
			goto long_;
		if (n)
			buf[n++] = ' ';
		memcpy(buf + n, argv[i], len);
		n += len;
	}
	if (json) {
		if (n + 8 + 2 > cap)
			goto long_;
		memcpy(buf + n, " --json", 7);
		n += 7;
	}
	buf[n++] = '\n';
	return (int)n;
long_:
	fprintf(stderr, "ikdctl: request longer than %u bytes\n",
		IKD_CTL_MAX_LINE);
	return -1;
}

static int connect_ikd(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = TIMEOUT_SECS };
	int fd, err;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "ikdctl: %s: path too long\n", path);
		exit(EXIT_USAGE);
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "ikdctl: socket: %s\n", strerror(errno));
		exit(EXIT_FAILED);
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		err = errno;
		if (err == EACCES || err == EPERM) {
			fprintf(stderr, "ikdctl: %s: permission denied (ikd's "
				"control socket is for root)\n", path);
			exit(EXIT_DENIED);
		}
		fprintf(stderr, "ikdctl: %s: %s: is ikd running?\n", path,
			strerror(err));
		exit(EXIT_NOT_RUNNING);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

static bool send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

/* The whole reply, NUL-terminated; NULL after printing why. */
static char *read_reply(int fd, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);

	while (buf) {
		ssize_t r;

		if (n + 1 == cap) {
			char *b = cap < REPLY_MAX ? realloc(buf, cap * 2) : NULL;

			if (!b) {
				fprintf(stderr, "ikdctl: reply too long\n");
				break;
			}
			buf = b;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		/* ikd refuses a client before reading its request, and
		 * closing with the request unread resets the connection
		 * after the answer: what came before the reset is the answer. */
		if (r < 0 && errno == ECONNRESET && n)
			r = 0;
		if (r < 0) {
			fprintf(stderr, "ikdctl: reading ikd's reply: %s\n",
				errno == EAGAIN ? "timed out" : strerror(errno));
			break;
		}
		if (r == 0) {
			buf[n] = '\0';
			*len = n;
			return buf;
		}
		n += (size_t)r;
	}
	free(buf);
	return NULL;
}

static int exit_for(const char *code, size_t len)
{
	static const struct { const char *code; int status; } map[] = {
		{ IKD_CTL_E_USAGE, EXIT_USAGE }, { IKD_CTL_E_PEER, EXIT_PEER },
		{ IKD_CTL_E_DENIED, EXIT_DENIED },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strlen(map[i].code) == len && !strncmp(code, map[i].code, len))
			return map[i].status;
	return EXIT_FAILED;
}

/* "OK\n" BODY, or "ERR CODE MESSAGE\n" DETAILS. */
static int print_reply(const char *r, size_t len)
{
	const char *nl = memchr(r, '\n', len), *code, *msg;
	size_t codelen;

	if (nl && nl - r == 2 && !strncmp(r, "OK", 2)) {
		fwrite(nl + 1, 1, len - (size_t)(nl + 1 - r), stdout);
		return fflush(stdout) ? EXIT_FAILED : EXIT_OK;
	}
	if (!nl || strncmp(r, "ERR ", 4)) {
		fprintf(stderr, "ikdctl: ikd's reply makes no sense\n");
		return EXIT_FAILED;
	}
	code = r + 4;
	codelen = strcspn(code, " \n");
	msg = code + codelen + (code[codelen] == ' ');
	fprintf(stderr, "ikdctl: %.*s\n", (int)(nl - msg), msg);
	fwrite(nl + 1, 1, len - (size_t)(nl + 1 - r), stderr);
	return exit_for(code, codelen);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = IKD_DEFAULT_ADMINSOCK;
	char req[IKD_CTL_MAX_LINE];
	bool json = false;
	size_t len;
	char *reply;
	int c, n, fd, st;

	/* "+": options only before the verb; its arguments are the verb's. */
	while ((c = getopt_long(argc, argv, "+hjs:", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 's':
			path = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	n = build_request(argc - optind, argv + optind, json, req, sizeof(req));
	if (n < 0)
		return EXIT_USAGE;
	fd = connect_ikd(path);
	/* ikd may refuse before it reads (permission): its answer says so. */
	c = send_all(fd, req, (size_t)n) ? 0 : errno;
	reply = read_reply(fd, &len);
	close(fd);
	if (reply && !len && c) {
		fprintf(stderr, "ikdctl: sending to ikd: %s\n", strerror(c));
		free(reply);
		return EXIT_FAILED;
	}
	if (!reply)
		return EXIT_FAILED;
	st = print_reply(reply, len);
	free(reply);
	return st;
}
