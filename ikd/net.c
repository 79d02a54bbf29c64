// SPDX-License-Identifier: BSD-2-Clause
/*
 * The IKE sockets (net.h): one per local address and port, each with
 * per-socket `bypass` policies, NAT-T ones with UDP_ENCAP_ESPINUDP and the
 * non-ESP marker.
 */
#include "net.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <kipsec/libpfkey.h>
#include "log.h"

/* RFC 3948 2.2: IKE on the NAT-T port starts with four zero bytes, where
 * ESP would have its SPI (never 0). */
#define NON_ESP_MARKER_LEN	4

struct ikd_sock {
	struct ikd_sock *next;
	struct ikd_net *net;
	int fd;
	bool natt;
	struct ikd_addr local;
};

struct ikd_net {
	struct ikd_loop *loop;
	ikd_net_recv_fn cb;
	void *arg;
	struct ikd_sock *socks;
	uint8_t *buf;			/* IKD_NET_MAX_DATAGRAM + 1 */
};

int ikd_net_new(struct ikd_loop *loop, ikd_net_recv_fn cb, void *arg,
		struct ikd_net **out)
{
	struct ikd_net *n = calloc(1, sizeof(*n));

	*out = NULL;
	if (!n)
		return -ENOMEM;
	/* One byte more than the largest datagram: a longer one shows. */
	n->buf = malloc(IKD_NET_MAX_DATAGRAM + 1);
	if (!n->buf) {
		free(n);
		return -ENOMEM;
	}
	n->loop = loop;
	n->cb = cb;
	n->arg = arg;
	*out = n;
	return 0;
}

static void sock_close(struct ikd_sock *s)
{
	ikd_loop_del_fd(s->net->loop, s->fd);
	close(s->fd);
	free(s);
}

void ikd_net_free(struct ikd_net *n)
{
	if (!n)
		return;
	while (n->socks) {
		struct ikd_sock *s = n->socks;

		n->socks = s->next;
		sock_close(s);
	}
	free(n->buf);
	free(n);
}

static struct ikd_sock **find(struct ikd_net *n, const struct ikd_addr *local)
{
	struct ikd_sock **p;

	for (p = &n->socks; *p; p = &(*p)->next)
		if (ikd_addr_eq(&(*p)->local, local))
			return p;
	return p;
}

bool ikd_net_is_listening(const struct ikd_net *n, const struct ikd_addr *local)
{
	return *find((struct ikd_net *)n, local) != NULL;
}

unsigned int ikd_net_dump(const struct ikd_net *n)
{
	char a[IKD_ADDR_STRLEN];
	unsigned int count = 0;

	for (const struct ikd_sock *s = n->socks; s; s = s->next, count++)
		log_notify("IKE socket %s%s", ikd_addr_str(&s->local, true, a),
			   s->natt ? " (NAT-T)" : "");
	return count;
}

/* ---- receiving ------------------------------------------------------------- */

static void on_readable(void *arg, int fd, uint32_t events)
{
	struct ikd_sock *s = arg;
	struct ikd_net *n = s->net;
	struct sockaddr_storage from;
	struct iovec iov = { .iov_base = n->buf, .iov_len = IKD_NET_MAX_DATAGRAM + 1 };
	struct msghdr mh = {
		.msg_name = &from, .msg_namelen = sizeof(from),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	struct ikd_addr remote;
	const uint8_t *msg = n->buf;
	ssize_t len;

	(void)events;
	/* One datagram per wake-up: the loop is level-triggered, and the
	 * callback may close this very socket. */
	len = recvmsg(fd, &mh, MSG_DONTWAIT);
	if (len < 0) {
		/* ICMP errors of earlier sends surface here. */
		if (errno != EAGAIN && errno != EINTR)
			log_debug("IKE socket: %s", strerror(errno));
		return;
	}
	if ((mh.msg_flags & MSG_TRUNC) || len > IKD_NET_MAX_DATAGRAM ||
	    ikd_addr_from_sockaddr(&remote, (struct sockaddr *)&from)) {
		log_debug("IKE socket: truncated or odd datagram dropped");
		return;
	}
	if (s->natt) {
		/* The kernel took ESP and keepalives; anything else
		 * without the marker is not IKE. */
		if (len < NON_ESP_MARKER_LEN ||
		    memcmp(msg, "\0\0\0\0", NON_ESP_MARKER_LEN)) {
			log_debug("IKE socket: datagram without non-ESP marker "
				  "dropped");
			return;
		}
		msg += NON_ESP_MARKER_LEN;
		len -= NON_ESP_MARKER_LEN;
	}
	n->cb(n->arg, &s->local, &remote, msg, (size_t)len);
}

/* ---- opening ---------------------------------------------------------------- */

/* `in bypass` and `out bypass` on @fd: kipsec.ko's per-socket policies,
 * or native XFRM's when af_key is the PF_KEY implementation. */
static int set_bypass(int fd, sa_family_t family)
{
	static const char *const pol[] = { "in bypass", "out bypass" };
	int level = family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	int opt = family == AF_INET ? IP_IPSEC_POLICY : IPV6_IPSEC_POLICY;

	for (size_t i = 0; i < 2; i++) {
		char *blob = ipsec_set_policy(pol[i], -1);
		int err = 0;

		if (!blob)
			return -ENOMEM;
		if (setsockopt(fd, level, opt, blob,
			       (socklen_t)ipsec_get_policylen(blob)))
			err = -errno;
		free(blob);
		if (err)
			return err;
	}
	return 0;
}

static int set_freebind(int fd, sa_family_t family)
{
	int one = 1;

	if (family == AF_INET6)
		return setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one,
				  sizeof(one)) ? -errno : 0;
	return setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one)) ?
	       -errno : 0;
}

static int open_socket(const struct ikd_addr *local, bool natt,
		       bool freebind)
{
	struct sockaddr_storage ss;
	socklen_t sl = ikd_addr_to_sockaddr(local, &ss);
	int fd, err, one = 1, encap = UDP_ENCAP_ESPINUDP;

	fd = socket(local->family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    IPPROTO_UDP);
	if (fd < 0)
		return -errno;
	/* Policies before bind: no datagram ever meets the SPD. */
	err = set_bypass(fd, local->family);
	if (!err && local->family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
		err = -errno;
	if (!err && natt &&
	    setsockopt(fd, SOL_UDP, UDP_ENCAP, &encap, sizeof(encap)))
		err = -errno;
	if (!err && freebind)
		err = set_freebind(fd, local->family);
	if (!err && bind(fd, (struct sockaddr *)&ss, sl))
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static int listen_on(struct ikd_net *n, const struct ikd_addr *local,
		     bool natt, bool freebind)
{
	struct ikd_sock *s;
	int fd, err;

	if ((local->family != AF_INET && local->family != AF_INET6) ||
	    !local->port || ikd_addr_is_any(local))
		return -EINVAL;
	/* An IPv6 link-local address needs a scope ikd_addr cannot carry. */
	if (local->family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&local->v6))
		return -EINVAL;
	if (*find(n, local))
		return -EEXIST;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	fd = open_socket(local, natt, freebind);
	if (fd < 0) {
		free(s);
		return fd;
	}
	s->net = n;
	s->fd = fd;
	s->natt = natt;
	s->local = *local;
	err = ikd_loop_add_fd(n->loop, fd, 0, on_readable, s);
	if (err) {
		close(fd);
		free(s);
		return err;
	}
	s->next = n->socks;
	n->socks = s;
	return 0;
}

int ikd_net_listen(struct ikd_net *n, const struct ikd_addr *local, bool natt)
{
	return listen_on(n, local, natt, false);
}

int ikd_net_listen_host(struct ikd_net *n, const struct ikd_addr *local,
			bool natt)
{
	return listen_on(n, local, natt, true);
}

int ikd_net_unlisten(struct ikd_net *n, const struct ikd_addr *local)
{
	struct ikd_sock **p = find(n, local), *s = *p;

	if (!s)
		return -ENOENT;
	*p = s->next;
	sock_close(s);
	return 0;
}

/* ---- sending --------------------------------------------------------------- */

static int send_parts(struct ikd_net *n, const struct ikd_addr *local,
		      const struct ikd_addr *remote, const void *buf,
		      size_t len, bool marker)
{
	static const uint8_t zero[NON_ESP_MARKER_LEN];
	struct ikd_sock *s = *find(n, local);
	struct sockaddr_storage to;
	socklen_t tl;
	struct iovec iov[2];
	struct msghdr mh = { .msg_name = &to, .msg_iov = iov };
	ssize_t sent;

	if (!s)
		return -EADDRNOTAVAIL;
	if (remote->family != local->family || !remote->port)
		return -EINVAL;
	if (len > IKD_NET_MAX_DATAGRAM - (marker ? sizeof(zero) : 0))
		return -EMSGSIZE;
	tl = ikd_addr_to_sockaddr(remote, &to);
	mh.msg_namelen = tl;
	if (marker) {
		iov[mh.msg_iovlen++] = (struct iovec){ (void *)zero, sizeof(zero) };
	}
	iov[mh.msg_iovlen++] = (struct iovec){ (void *)buf, len };
	do
		sent = sendmsg(s->fd, &mh, 0);
	while (sent < 0 && errno == EINTR);
	if (sent < 0)
		return -errno;
	return 0;
}

int ikd_net_send(struct ikd_net *n, const struct ikd_addr *local,
		 const struct ikd_addr *remote, const void *buf, size_t len)
{
	struct ikd_sock *s = *find(n, local);

	return send_parts(n, local, remote, buf, len, s && s->natt);
}

int ikd_net_keepalive(struct ikd_net *n, const struct ikd_addr *local,
		      const struct ikd_addr *remote)
{
	static const uint8_t ff = 0xff;
	struct ikd_sock *s = *find(n, local);

	if (s && !s->natt)
		return -EINVAL;
	return send_parts(n, local, remote, &ff, 1, false);
}
