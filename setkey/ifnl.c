// SPDX-License-Identifier: BSD-2-Clause
/*
 * kipsec interfaces over rtnetlink (ifnl.h). One socket per call: the
 * tools make a request or two and exit. Every attribute the kernel sends is
 * walked with its length checked before it is read; a message whose
 * attributes do not fill it exactly is malformed.
 */
#include "ifnl.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <kipsec/if_kipsec.h>

/* Larger than any message the kernel sends in a dump (NLMSG_GOODSIZE). */
#define KIF_BUF	32768

/* ---- parsing -------------------------------------------------------- */

/*
 * The attributes in @len bytes at @buf into @tb (indexed by type, up to
 * @max; others ignored). -EINVAL unless they fill the bytes exactly.
 */
static int kif_attrs(const void *buf, size_t len, const struct nlattr **tb,
		     unsigned int max)
{
	const struct nlattr *a = buf;
	int left = (int)len;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	while (left > 0) {
		if (!mnl_attr_ok(a, left))
			return -EINVAL;
		if (mnl_attr_get_type(a) <= max)
			tb[mnl_attr_get_type(a)] = a;
		left -= (int)MNL_ALIGN(a->nla_len);
		a = mnl_attr_next(a);
	}
	return 0;
}

static int kif_nested(const struct nlattr *a, const struct nlattr **tb,
		      unsigned int max)
{
	return kif_attrs(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a),
			 tb, max);
}

static int kif_u32(const struct nlattr *a, uint32_t *v)
{
	if (mnl_attr_get_payload_len(a) != sizeof(*v))
		return -EINVAL;
	*v = mnl_attr_get_u32(a);
	return 0;
}

/* An outer address: its family from its length. */
static int kif_addr(const struct nlattr *a, union kif_addr *out, int *family)
{
	uint16_t len = mnl_attr_get_payload_len(a);

	if (len != sizeof(out->v4) && len != sizeof(out->v6))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	memcpy(out, mnl_attr_get_payload(a), len);
	*family = len == sizeof(out->v4) ? AF_INET : AF_INET6;
	return 0;
}

/* IFLA_INFO_DATA of a kipsec interface. */
static int kif_parse_data(const struct nlattr *data, struct kif_info *out)
{
	const struct nlattr *tb[IFLA_KIPSEC_MAX + 1];
	int lfam, rfam;

	if (!data || kif_nested(data, tb, IFLA_KIPSEC_MAX) ||
	    !tb[IFLA_KIPSEC_LOCAL] || !tb[IFLA_KIPSEC_REMOTE] ||
	    !tb[IFLA_KIPSEC_REQID] ||
	    kif_addr(tb[IFLA_KIPSEC_LOCAL], &out->local, &lfam) ||
	    kif_addr(tb[IFLA_KIPSEC_REMOTE], &out->remote, &rfam) ||
	    lfam != rfam || kif_u32(tb[IFLA_KIPSEC_REQID], &out->reqid))
		return -EINVAL;
	out->family = lfam;
	return 0;
}

/* 1: IFLA_LINKINFO says kind "kipsec" (its data parsed), 0: another. */
static int kif_parse_linkinfo(const struct nlattr *li, struct kif_info *out)
{
	const struct nlattr *tb[IFLA_INFO_MAX + 1];
	const char *kind;
	uint16_t len;

	if (!li)
		return 0;
	if (kif_nested(li, tb, IFLA_INFO_MAX))
		return -EINVAL;
	if (!tb[IFLA_INFO_KIND])
		return 0;
	kind = mnl_attr_get_payload(tb[IFLA_INFO_KIND]);
	len = mnl_attr_get_payload_len(tb[IFLA_INFO_KIND]);
	if (len != sizeof(KIPSEC_IF_KIND) ||
	    memcmp(kind, KIPSEC_IF_KIND, sizeof(KIPSEC_IF_KIND)))
		return 0;
	return kif_parse_data(tb[IFLA_INFO_DATA], out) ? -EINVAL : 1;
}

static int kif_parse_name(const struct nlattr *a, char *name)
{
	uint16_t len;

	if (!a)
		return -EINVAL;
	len = mnl_attr_get_payload_len(a);
	if (!len || len > IF_NAMESIZE ||
	    !memchr(mnl_attr_get_payload(a), '\0', len))
		return -EINVAL;
	strcpy(name, mnl_attr_get_payload(a));
	return 0;
}

int kif_parse(const struct nlmsghdr *nlh, struct kif_info *out)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifi;
	uint32_t u;
	int ret;

	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*ifi)))
		return -EINVAL;
	ifi = mnl_nlmsg_get_payload(nlh);
	if (kif_attrs((const char *)ifi + NLMSG_ALIGN(sizeof(*ifi)),
		      nlh->nlmsg_len - NLMSG_HDRLEN - NLMSG_ALIGN(sizeof(*ifi)),
		      tb, IFLA_MAX))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	ret = kif_parse_linkinfo(tb[IFLA_LINKINFO], out);
	if (ret <= 0)
		return ret;
	if (kif_parse_name(tb[IFLA_IFNAME], out->name) ||
	    !tb[IFLA_MTU] || kif_u32(tb[IFLA_MTU], &u))
		return -EINVAL;
	out->mtu = u;
	out->ifindex = (unsigned int)ifi->ifi_index;
	out->up = ifi->ifi_flags & IFF_UP;
	out->link_netnsid = -1;
	if (tb[IFLA_LINK_NETNSID]) {
		if (kif_u32(tb[IFLA_LINK_NETNSID], &u))
			return -EINVAL;
		out->link_netnsid = (int32_t)u;
	}
	if (tb[IFLA_STATS64]) {
		if (mnl_attr_get_payload_len(tb[IFLA_STATS64]) <
		    sizeof(out->stats))
			return -EINVAL;
		memcpy(&out->stats, mnl_attr_get_payload(tb[IFLA_STATS64]),
		       sizeof(out->stats));
	}
	return 1;
}

/* ---- requests ------------------------------------------------------- */

struct kif_req {
	struct mnl_socket *nl;
	unsigned int port, seq;
	int err;			/* from an NLMSG_ERROR, or 0 */
	const char **msg;
	int (*fn)(const struct kif_info *, void *);
	void *arg;
	int ret;			/* fn's first nonzero return */
	bool any;			/* a kipsec interface was seen */
	bool other;			/* an interface of another kind was */
	_Alignas(8) char buf[KIF_BUF];
};

/* The extack text, kept until the next request. */
static char kif_msgbuf[256];

static void kif_extack(const struct nlmsghdr *nlh, const struct nlmsgerr *e,
		       const char **msg)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = sizeof(*e);
	uint16_t len;

	if (!msg || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	if (NLMSG_HDRLEN + off > nlh->nlmsg_len ||
	    kif_attrs((const char *)e + off,
		      nlh->nlmsg_len - NLMSG_HDRLEN - off, tb,
		      NLMSGERR_ATTR_MAX) || !tb[NLMSGERR_ATTR_MSG])
		return;
	len = mnl_attr_get_payload_len(tb[NLMSGERR_ATTR_MSG]);
	if (!len || len > sizeof(kif_msgbuf) ||
	    !memchr(mnl_attr_get_payload(tb[NLMSGERR_ATTR_MSG]), '\0', len))
		return;
	memcpy(kif_msgbuf, mnl_attr_get_payload(tb[NLMSGERR_ATTR_MSG]), len);
	*msg = kif_msgbuf;
}

static int kif_error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct kif_req *r = data;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e)) {
		r->err = -EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!e->error)
		return MNL_CB_STOP;
	r->err = e->error < 0 ? e->error : -e->error;
	kif_extack(nlh, e, r->msg);
	return MNL_CB_ERROR;
}

/* The end of a dump, which may say that it failed. */
static int kif_done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct kif_req *r = data;
	int32_t err;

	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(err)) {
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
		if (err < 0) {
			r->err = err;
			return MNL_CB_ERROR;
		}
	}
	return MNL_CB_STOP;
}

static int kif_overrun_cb(const struct nlmsghdr *nlh, void *data)
{
	struct kif_req *r = data;

	(void)nlh;
	r->err = -ENOBUFS;
	return MNL_CB_ERROR;
}

static int kif_link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct kif_req *r = data;
	struct kif_info info;
	int ret = kif_parse(nlh, &info);

	if (ret < 0) {
		r->err = ret;
		return MNL_CB_ERROR;
	}
	if (!ret) {
		r->other = true;
		return MNL_CB_OK;
	}
	r->any = true;
	if (r->fn) {
		r->ret = r->fn(&info, r->arg);
		if (r->ret)
			return MNL_CB_STOP;
	}
	return MNL_CB_OK;
}

static int kif_open(struct kif_req *r, const char **msg)
{
	int one = 1;

	memset(r, 0, offsetof(struct kif_req, buf));
	r->msg = msg;
	if (msg)
		*msg = NULL;
	r->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!r->nl)
		return -errno;
	/* Without extack the kernel's reasons are lost: best effort. */
	mnl_socket_setsockopt(r->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	if (mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		mnl_socket_close(r->nl);
		return err;
	}
	r->port = mnl_socket_get_portid(r->nl);
	r->seq = (unsigned int)time(NULL);
	return 0;
}

/* Send @nlh and read answers up to the ACK, DONE, or an error. */
static int kif_talk(struct kif_req *r, struct nlmsghdr *nlh)
{
	/* With an array, libmnl's defaults are not used: DONE too is ours. */
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = kif_error_cb,
		[NLMSG_DONE] = kif_done_cb,
		[NLMSG_OVERRUN] = kif_overrun_cb,
	};
	ssize_t n;
	int ret;

	nlh->nlmsg_seq = r->seq;
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(r->nl, r->buf, sizeof(r->buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run2(r->buf, (size_t)n, r->seq, r->port,
				  kif_link_cb, r, ctl, NLMSG_MIN_TYPE);
	} while (ret > MNL_CB_STOP);
	if (r->err)
		return r->err;
	return ret < 0 ? -errno : 0;
}

static struct nlmsghdr *kif_msg(struct kif_req *r, uint16_t type,
				uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(r->buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	return nlh;
}

static void kif_put_addr(struct nlmsghdr *nlh, uint16_t type, int family,
			 const union kif_addr *a)
{
	mnl_attr_put(nlh, type, family == AF_INET ? sizeof(a->v4) :
			  sizeof(a->v6), a);
}

int kif_add(const struct kif_spec *s, const char **msg)
{
	struct nlattr *li, *data;
	struct nlmsghdr *nlh;
	struct kif_req r;
	int err;

	err = kif_open(&r, msg);
	if (err)
		return err;
	nlh = kif_msg(&r, RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, s->name);
	if (s->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, s->mtu);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, KIPSEC_IF_KIND);
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	kif_put_addr(nlh, IFLA_KIPSEC_LOCAL, s->family, &s->local);
	kif_put_addr(nlh, IFLA_KIPSEC_REMOTE, s->family, &s->remote);
	mnl_attr_put_u32(nlh, IFLA_KIPSEC_REQID, s->reqid);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, li);
	err = kif_talk(&r, nlh);
	mnl_socket_close(r.nl);
	return err;
}

/* RTM_GETLINK for @name, or a dump; kif_link_cb sees the answers. */
static int kif_get(struct kif_req *r, const char *name)
{
	struct nlmsghdr *nlh;

	if (!name)
		return kif_talk(r, kif_msg(r, RTM_GETLINK, NLM_F_DUMP));
	nlh = kif_msg(r, RTM_GETLINK, NLM_F_ACK);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return kif_talk(r, nlh);
}

static int kif_index_of(const struct kif_info *info, void *arg)
{
	*(unsigned int *)arg = info->ifindex;
	return 0;	/* read on to the ACK: the socket is used again */
}

int kif_del(const char *name, const char **msg)
{
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh;
	unsigned int index = 0;
	struct kif_req r;
	int err;

	err = kif_open(&r, msg);
	if (err)
		return err;
	/* Only a kipsec interface: `ipsecif del eth0` deletes nothing. */
	r.fn = kif_index_of;
	r.arg = &index;
	err = kif_get(&r, name);
	if (!err && !index)
		err = -EMEDIUMTYPE;
	if (!err) {
		r.fn = NULL;
		r.seq++;
		nlh = kif_msg(&r, RTM_DELLINK, NLM_F_ACK);
		ifi = mnl_nlmsg_get_payload(nlh);
		ifi->ifi_index = (int)index;
		err = kif_talk(&r, nlh);
	}
	mnl_socket_close(r.nl);
	return err;
}

int kif_dump(const char *name,
	     int (*fn)(const struct kif_info *, void *), void *arg)
{
	struct kif_req r;
	int err;

	err = kif_open(&r, NULL);
	if (err)
		return err;
	r.fn = fn;
	r.arg = arg;
	err = kif_get(&r, name);
	mnl_socket_close(r.nl);
	if (err)
		return err;
	if (name && !r.any)
		return -EMEDIUMTYPE;
	return r.ret;
}
