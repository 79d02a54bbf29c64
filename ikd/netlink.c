// SPDX-License-Identifier: BSD-2-Clause
/*
 * rtnetlink through libmnl (netlink.h). Every message from the kernel goes
 * through mnl_cb_run (framing, sequence and port checks) and every
 * attribute through mnl_attr_parse with a validator that checks its length
 * for its type before anything reads it; an address attribute must be
 * exactly 4 or 16 bytes as the message's family says.
 */
#include "netlink.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

/* Larger than any dump message the kernel makes (NLMSG_GOODSIZE). */
#define NL_BUF	32768

struct ikd_nl {
	struct mnl_socket *req, *ev;
	unsigned int req_port;
	unsigned int seq;
	ikd_nl_addr_fn cb;
	void *arg;
	_Alignas(8) char buf[NL_BUF];
};

int ikd_nl_open(struct ikd_nl **out)
{
	struct ikd_nl *nl = calloc(1, sizeof(*nl));
	int err;

	*out = NULL;
	if (!nl)
		return -ENOMEM;
	nl->req = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->req || mnl_socket_bind(nl->req, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		ikd_nl_close(nl);
		return err;
	}
	nl->req_port = mnl_socket_get_portid(nl->req);
	nl->seq = (unsigned int)time(NULL);
	*out = nl;
	return 0;
}

void ikd_nl_close(struct ikd_nl *nl)
{
	if (!nl)
		return;
	if (nl->req)
		mnl_socket_close(nl->req);
	if (nl->ev)
		mnl_socket_close(nl->ev);
	free(nl);
}

/* Address attributes are as long as their family's address. */
static size_t family_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

struct attrs {
	const struct nlattr *tb[RTA_MAX + 1 > IFA_MAX + 1 ? RTA_MAX + 1 : IFA_MAX + 1];
	int max;		/* IFA_MAX or RTA_MAX */
	size_t alen;		/* address length for the family */
	bool route;		/* RTA_* rather than IFA_* */
};

static int attr_cb(const struct nlattr *a, void *data)
{
	struct attrs *at = data;
	int type = mnl_attr_get_type(a);

	/* Unknown (newer) attributes are skipped, not trusted. */
	if (mnl_attr_type_valid(a, (uint16_t)at->max) <= 0)
		return MNL_CB_OK;
	if (at->route) {
		switch (type) {
		case RTA_DST:
		case RTA_SRC:
		case RTA_PREFSRC:
		case RTA_GATEWAY:
			if (mnl_attr_validate2(a, MNL_TYPE_BINARY, at->alen) < 0)
				return MNL_CB_ERROR;
			break;
		case RTA_OIF:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return MNL_CB_ERROR;
			break;
		default:
			return MNL_CB_OK;	/* not read */
		}
	} else {
		switch (type) {
		case IFA_ADDRESS:
		case IFA_LOCAL:
			if (mnl_attr_validate2(a, MNL_TYPE_BINARY, at->alen) < 0)
				return MNL_CB_ERROR;
			break;
		case IFA_FLAGS:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return MNL_CB_ERROR;
			break;
		default:
			return MNL_CB_OK;
		}
	}
	at->tb[type] = a;
	return MNL_CB_OK;
}

static void addr_from(struct ikd_addr *a, int family, const struct nlattr *at)
{
	ikd_addr_zero(a);
	a->family = (sa_family_t)family;
	memcpy(a->bytes, mnl_attr_get_payload(at), family_len(family));
}

/*
 * One datagram, only from the kernel: on NETLINK_ROUTE any local process
 * may send unicast to our port, and a forged RTM_NEWADDR must not make
 * ikd believe in an address. -ENOSPC if it did not fit.
 */
static ssize_t nl_recv(struct mnl_socket *s, char *buf, size_t len)
{
	struct sockaddr_nl from;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = {
		.msg_name = &from, .msg_namelen = sizeof(from),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	ssize_t n;

	for (;;) {
		n = recvmsg(mnl_socket_get_fd(s), &mh, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (mh.msg_flags & MSG_TRUNC)
			return -ENOSPC;
		if (mh.msg_namelen == sizeof(from) && from.nl_pid == 0)
			return n;
		mh.msg_namelen = sizeof(from);	/* not the kernel: next */
	}
}

/* ---- requests ------------------------------------------------------------- */

/* Sends @h (flags and seq filled here) and runs @cb over the answer. */
static int nl_request(struct ikd_nl *nl, struct nlmsghdr *h, mnl_cb_t cb,
		      void *data)
{
	unsigned int seq = ++nl->seq;
	int ret;

	h->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl->req, h, h->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = nl_recv(nl->req, nl->buf, sizeof(nl->buf));

		if (n < 0)
			return (int)n;
		/* Checks lengths, seq and port; NLMSG_ERROR becomes errno.
		 * A dump ends with NLMSG_DONE, a request with its ACK. */
		ret = mnl_cb_run(nl->buf, (size_t)n, seq, nl->req_port, cb, data);
		if (ret <= MNL_CB_STOP)
			break;
	}
	return ret < 0 ? -errno : 0;
}

struct route_ctx {
	int family;
	struct ikd_addr *src;
	unsigned int ifindex;
	bool got;
};

static int route_cb(const struct nlmsghdr *h, void *data)
{
	struct route_ctx *c = data;
	const struct rtmsg *rtm;
	struct attrs at = { .max = RTA_MAX, .route = true };

	if (h->nlmsg_type != RTM_NEWROUTE ||
	    mnl_nlmsg_get_payload_len(h) < sizeof(*rtm))
		return MNL_CB_ERROR;
	rtm = mnl_nlmsg_get_payload(h);
	if (rtm->rtm_family != c->family)
		return MNL_CB_ERROR;
	at.alen = family_len(c->family);
	if (mnl_attr_parse(h, sizeof(*rtm), attr_cb, &at) < 0)
		return MNL_CB_ERROR;
	if (at.tb[RTA_OIF])
		c->ifindex = mnl_attr_get_u32(at.tb[RTA_OIF]);
	if (at.tb[RTA_PREFSRC]) {
		addr_from(c->src, c->family, at.tb[RTA_PREFSRC]);
		c->got = true;
	}
	return MNL_CB_OK;
}

int ikd_nl_route_src(struct ikd_nl *nl, const struct ikd_addr *peer,
		     struct ikd_addr *src, unsigned int *ifindex)
{
	_Alignas(8) char req[MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct rtmsg)) +
			     MNL_ATTR_HDRLEN + 16];
	struct route_ctx c = { .family = peer->family, .src = src };
	struct nlmsghdr *h;
	struct rtmsg *rtm;
	size_t alen = family_len(peer->family);
	int err;

	ikd_addr_zero(src);
	if (!alen)
		return -EAFNOSUPPORT;
	h = mnl_nlmsg_put_header(req);
	h->nlmsg_type = RTM_GETROUTE;
	/* The ACK after the route ends the exchange for nl_request. */
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	rtm = mnl_nlmsg_put_extra_header(h, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)peer->family;
	rtm->rtm_dst_len = (unsigned char)(alen * 8);
	mnl_attr_put(h, RTA_DST, alen, peer->bytes);
	err = nl_request(nl, h, route_cb, &c);
	if (err)
		return err;
	if (ifindex)
		*ifindex = c.ifindex;
	return c.got ? 0 : -EADDRNOTAVAIL;
}

struct addr_ctx {
	int family;		/* wanted, AF_UNSPEC for both */
	ikd_nl_addr_fn cb;
	void *arg;
};

/* One RTM_NEWADDR/RTM_DELADDR into @out; MNL_CB_OK to skip it. */
static int parse_addr(const struct nlmsghdr *h, struct ikd_nl_addr *out,
		      bool *use)
{
	struct attrs at = { .max = IFA_MAX };
	const struct ifaddrmsg *ifa;
	const struct nlattr *a;

	*use = false;
	if (h->nlmsg_type != RTM_NEWADDR && h->nlmsg_type != RTM_DELADDR)
		return MNL_CB_OK;
	if (mnl_nlmsg_get_payload_len(h) < sizeof(*ifa))
		return MNL_CB_ERROR;
	ifa = mnl_nlmsg_get_payload(h);
	at.alen = family_len(ifa->ifa_family);
	if (!at.alen)
		return MNL_CB_OK;
	if (mnl_attr_parse(h, sizeof(*ifa), attr_cb, &at) < 0)
		return MNL_CB_ERROR;
	/* IFA_LOCAL is ours; IFA_ADDRESS is the peer on point-to-point
	 * links, and ours otherwise. */
	a = at.tb[IFA_LOCAL] ? at.tb[IFA_LOCAL] : at.tb[IFA_ADDRESS];
	if (!a)
		return MNL_CB_OK;
	memset(out, 0, sizeof(*out));
	out->added = h->nlmsg_type == RTM_NEWADDR;
	addr_from(&out->addr, ifa->ifa_family, a);
	out->prefixlen = ifa->ifa_prefixlen;
	out->scope = ifa->ifa_scope;
	out->ifindex = ifa->ifa_index;
	/* The 8-bit ifa_flags lack the newer flags. */
	out->flags = at.tb[IFA_FLAGS] ? mnl_attr_get_u32(at.tb[IFA_FLAGS]) :
					ifa->ifa_flags;
	*use = true;
	return MNL_CB_OK;
}

static int addr_cb(const struct nlmsghdr *h, void *data)
{
	struct addr_ctx *c = data;
	struct ikd_nl_addr a;
	bool use;
	int ret = parse_addr(h, &a, &use);

	if (ret == MNL_CB_OK && use &&
	    (c->family == AF_UNSPEC || c->family == a.addr.family))
		c->cb(c->arg, &a);
	return ret;
}

int ikd_nl_addrs(struct ikd_nl *nl, int family, ikd_nl_addr_fn cb, void *arg)
{
	_Alignas(8) char req[MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct ifaddrmsg))];
	struct addr_ctx c = { family, cb, arg };
	struct nlmsghdr *h;
	struct ifaddrmsg *ifa;

	if (family != AF_UNSPEC && !family_len(family))
		return -EAFNOSUPPORT;
	h = mnl_nlmsg_put_header(req);
	h->nlmsg_type = RTM_GETADDR;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(h, sizeof(*ifa));
	ifa->ifa_family = (unsigned char)family;
	return nl_request(nl, h, addr_cb, &c);
}

/* ---- the subscription ------------------------------------------------------ */

int ikd_nl_watch(struct ikd_nl *nl, ikd_nl_addr_fn cb, void *arg)
{
	if (nl->ev)
		return -EALREADY;
	nl->ev = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!nl->ev ||
	    mnl_socket_bind(nl->ev, RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR,
			    MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		if (nl->ev)
			mnl_socket_close(nl->ev);
		nl->ev = NULL;
		return err;
	}
	nl->cb = cb;
	nl->arg = arg;
	return 0;
}

int ikd_nl_fd(struct ikd_nl *nl)
{
	return nl->ev ? mnl_socket_get_fd(nl->ev) : -1;
}

int ikd_nl_dispatch(struct ikd_nl *nl)
{
	struct addr_ctx c = { AF_UNSPEC, nl->cb, nl->arg };

	if (!nl->ev)
		return -EINVAL;
	for (;;) {
		ssize_t n = nl_recv(nl->ev, nl->buf, sizeof(nl->buf));

		if (n == -EAGAIN)
			return 0;
		if (n == -ENOBUFS) {
			/* The kernel dropped notifications. */
			nl->cb(nl->arg, NULL);
			continue;
		}
		if (n == -ENOSPC)
			continue;
		if (n < 0)
			return (int)n;
		/* Notifications carry seq 0 and the kernel's port 0: mnl
		 * checks neither then. A malformed one is skipped. */
		mnl_cb_run(nl->buf, (size_t)n, 0, 0, addr_cb, &c);
	}
}
