// SPDX-License-Identifier: BSD-2-Clause
/*
 * The kernel seam's kif_get(): a kipsec interface's endpoints and reqid,
 * read over rtnetlink each time (setkey/ifnl.h, shared with ipsecif and
 * ipsecstat). Interfaces are deleted and recreated with other addresses
 * while ikd runs, so nothing is kept between calls.
 */
#include "kernel.h"

#include <errno.h>
#include <string.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/ipsec.h>

#include "../setkey/ifnl.h"

struct kif_want {
	struct ikd_kif *out;
	int err;
};

static int take(const struct kif_info *i, void *arg)
{
	struct kif_want *w = arg;
	size_t n = i->family == AF_INET6 ? 16 : 4;

	/* Its SAD is another namespace's: ikd cannot key it from here. */
	if (i->link_netnsid != -1) {
		w->err = -EXDEV;
		return 1;
	}
	memset(w->out, 0, sizeof(*w->out));
	w->out->local.family = (sa_family_t)i->family;
	w->out->remote.family = (sa_family_t)i->family;
	memcpy(w->out->local.bytes, &i->local, n);
	memcpy(w->out->remote.bytes, &i->remote, n);
	w->out->reqid = i->reqid;
	w->err = 0;
	return 1;
}

int ikd_kernel_kif_get(struct ikd_kernel *k, const char *name,
		       struct ikd_kif *out)
{
	struct kif_want w = { out, -ENOENT };
	int err;

	(void)k;
	err = kif_dump(name, take, &w);
	if (err < 0 && err != -ENODEV)
		return err;
	if (w.err != -ENOENT)
		return w.err;
	/* kif_dump() calls back for kipsec interfaces only. */
	return if_nametoindex(name) ? -EMEDIUMTYPE : -ENODEV;
}

const char *ikd_kif_strerror(int err)
{
	switch (err) {
	case -ENODEV: return "no such interface";
	case -EMEDIUMTYPE: return "not a kipsec interface";
	case -EXDEV: return "its encrypted side is another network namespace";
	case -EOPNOTSUPP: return "the kernel seam cannot read interfaces";
	}
	return strerror(-err);
}

void ikd_kif_acquire(const struct ikd_kif *kif, struct ikd_acquire *a)
{
	memset(a, 0, sizeof(*a));
	a->proto = IPPROTO_ESP;
	a->mode = IKD_MODE_TUNNEL;
	a->reqid = kif->reqid;
	a->src = kif->local;
	a->dst = kif->remote;
	a->pol.dir = IKD_DIR_OUT;
	a->pol.action = IPSEC_POLICY_IPSEC;
}
