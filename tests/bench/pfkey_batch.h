/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * PF_KEY requests in batches, for the benchmarks' own clients
 * (pfkey_install.c, ctl_scale.c): requests built one at a time into
 * reqbuf, sent WMAX or fewer at a time with sendmmsg(), each reply checked
 * against its request. The including file defines WMAX first.
 */
#ifndef KIPSEC_PFKEY_BATCH_H
#define KIPSEC_PFKEY_BATCH_H

#include "kpfkey_lib.h"

#include <sys/uio.h>

#define SLOT 512		/* bytes per request; ours are < 300 */
#define RSLOT 4096		/* bytes per reply; af_key's ADD reply ~ 300 */

static uint8_t reqbuf[WMAX][SLOT] __attribute__((aligned(8)));
static uint8_t repbuf[WMAX][RSLOT] __attribute__((aligned(8)));
static struct kmsg scratch;

typedef void (*build_fn)(struct kmsg *m, unsigned int i);

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

/* Requests [i, i+w) in one sendmmsg(), then their w replies. */
static void batch(int fd, build_fn build, unsigned int i, unsigned int w)
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

#endif /* KIPSEC_PFKEY_BATCH_H */
