// SPDX-License-Identifier: BSD-2-Clause
/*
 * PF_KEY socket I/O: open/close, whole-message send and receive, and the
 * request/reply and dump loops every caller would otherwise rewrite.
 *
 * PF_KEY sockets are datagram-like: one send() is one message and one
 * recv() returns one message.  Replies are matched on (type, seq, pid)
 * because the kernel also broadcasts other processes' messages and
 * ACQUIREs/EXPIREs to every PF_KEY socket.
 */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* How long pfkey_request/pfkey_dump wait for the kernel's next message.
 * The kernel answers synchronously, so this only guards against a reply
 * that never comes (e.g. a message type the module ignores). */
#define PFKEY_REPLY_TIMEOUT_MS	10000

int pfkey_open(void)
{
	int fd = socket(PF_KEY, SOCK_RAW | SOCK_CLOEXEC, PF_KEY_V2);

	return fd < 0 ? -errno : fd;
}

void pfkey_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

int pfkey_send(int fd, const void *msg, size_t len)
{
	ssize_t n;

	if (!msg || len < sizeof(struct sadb_msg) || len > PFKEY_MSG_MAX)
		return -EINVAL;
	do
		n = send(fd, msg, len, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* A datagram socket never sends part of a message. */
	return (size_t)n == len ? 0 : -EMSGSIZE;
}

/* Receives one message, copying at most cap bytes.  Returns the bytes
 * copied or -errno; *full is the message's real length.  MSG_TRUNC makes
 * af_key return the real length, so a message that did not fit is
 * detected rather than silently cut short. */
static ssize_t recv_one(int fd, void *buf, size_t cap, size_t *full)
{
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	do
		n = recvmsg(fd, &mh, MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	*full = (size_t)n;
	if ((mh.msg_flags & MSG_TRUNC) && *full <= cap)
		*full = cap + 1;	/* truncated but length unknown */
	return (ssize_t)(*full < cap ? *full : cap);
}

ssize_t pfkey_recv(int fd, void *buf, size_t cap)
{
	size_t full;
	ssize_t n = recv_one(fd, buf, cap, &full);

	if (n < 0)
		return n;
	if (full > cap)
		return -EMSGSIZE;
	if ((size_t)n < sizeof(struct sadb_msg))
		return -EBADMSG;
	return n;
}

static int wait_readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int r;

	do
		r = poll(&pfd, 1, PFKEY_REPLY_TIMEOUT_MS);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r == 0 ? -ETIMEDOUT : 0;
}

/* Linux af_key answers SPDDELETE2 (delete by id) with a message typed
 * SPDDELETE, since both come from the same "policy deleted" event. */
static bool type_matches(uint8_t want, uint8_t got)
{
	return got == want ||
	       (want == SADB_X_SPDDELETE2 && got == SADB_X_SPDDELETE);
}

/* Receives until a message of this type for this pid arrives (seq too,
 * unless any_seq).  Returns its length or -errno; -EMSGSIZE if that
 * message was ours but did not fit in cap. */
static ssize_t recv_reply(int fd, uint8_t type, uint32_t seq, uint32_t pid,
			  bool any_seq, void *buf, size_t cap)
{
	for (;;) {
		const struct sadb_msg *h = buf;
		size_t full;
		ssize_t n;
		int err = wait_readable(fd);

		if (err)
			return err;
		n = recv_one(fd, buf, cap, &full);
		if (n < 0)
			return n;
		/* Judge by the header, which is there even if truncated. */
		if ((size_t)n < sizeof(*h) || h->sadb_msg_version != PF_KEY_V2 ||
		    !type_matches(type, h->sadb_msg_type) ||
		    h->sadb_msg_pid != pid ||
		    (!any_seq && h->sadb_msg_seq != seq))
			continue;
		return full > cap ? -EMSGSIZE : n;
	}
}

ssize_t pfkey_request(int fd, const void *msg, size_t len, void *reply,
		      size_t cap)
{
	const struct sadb_msg *q = msg;
	const struct sadb_msg *r = reply;
	ssize_t n;
	int err;

	if (!reply || cap < sizeof(*r))
		return -EINVAL;
	err = pfkey_send(fd, msg, len);
	if (err)
		return err;
	n = recv_reply(fd, q->sadb_msg_type, q->sadb_msg_seq, q->sadb_msg_pid,
		       false, reply, cap);
	if (n < 0)
		return n;
	if (r->sadb_msg_errno)
		return -(ssize_t)r->sadb_msg_errno;
	return n;
}

uint32_t pfkey_next_seq(void)
{
	static atomic_uint_fast32_t seq;

	/* Never 0: a dump's last reply carries seq 0. */
	uint32_t s = (uint32_t)(atomic_fetch_add(&seq, 1) + 1);

	return s ? s : (uint32_t)(atomic_fetch_add(&seq, 1) + 1);
}

int pfkey_dump(int fd, uint8_t type, uint8_t satype,
	       int (*cb)(const struct pfkey_msg *m, void *arg), void *arg)
{
	uint8_t req[sizeof(struct sadb_msg)];
	struct pfkey_buf b;
	uint32_t pid = (uint32_t)getpid();
	uint8_t *buf;
	int ret = 0, err;

	if (type != SADB_DUMP && type != SADB_X_SPDDUMP)
		return -EINVAL;
	pfkey_buf_init(&b, req, sizeof(req));
	pfkey_msg_begin(&b, type, satype, pfkey_next_seq(), pid);
	err = pfkey_msg_end(&b);
	if (err)
		return err;
	/* One maximal message; the heap keeps 512 KiB off the stack. */
	buf = malloc(PFKEY_RECV_BUFSIZE);
	if (!buf)
		return -ENOMEM;
	err = pfkey_send(fd, b.data, b.len);
	if (err)
		goto out;

	for (;;) {
		const struct sadb_msg *h = (const void *)buf;
		struct pfkey_msg m;
		ssize_t n;

		n = recv_reply(fd, type, 0, pid, true, buf, PFKEY_RECV_BUFSIZE);
		if (n < 0) {
			err = (int)n;
			break;
		}
		if (h->sadb_msg_errno) {
			/* An empty table is reported as ENOENT. */
			err = h->sadb_msg_errno == ENOENT ? 0 :
							    -h->sadb_msg_errno;
			break;
		}
		/* Keep draining after a callback stop or a bad message so
		 * the rest of the dump does not confuse the next request. */
		if (!ret) {
			err = pfkey_parse(buf, (size_t)n, &m);
			if (err)
				ret = err;
			else
				ret = cb(&m, arg);
		}
		if (h->sadb_msg_seq == 0)
			break;
	}
out:
	/* SA dumps carry keys, and so may broadcasts skipped meanwhile. */
	explicit_bzero(buf, PFKEY_RECV_BUFSIZE);
	free(buf);
	return err ? err : ret;
}
