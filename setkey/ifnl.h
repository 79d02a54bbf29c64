/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kipsec interfaces (include/kipsec/if_kipsec.h) over rtnetlink, with
 * libmnl: what ipsecif(8) and `ipsecstat -i` share.
 */
#ifndef KIPSEC_IFNL_H
#define KIPSEC_IFNL_H

#include <linux/if_link.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

union kif_addr {
	struct in_addr v4;
	struct in6_addr v6;
};

struct kif_info {
	char name[IF_NAMESIZE];
	unsigned int ifindex;
	int family;			/* outer family: AF_INET or AF_INET6 */
	union kif_addr local, remote;
	uint32_t reqid;
	unsigned int mtu;
	bool up;
	int link_netnsid;		/* -1: the encrypted side is here */
	struct rtnl_link_stats64 stats;
};

struct kif_spec {
	const char *name;
	int family;
	union kif_addr local, remote;
	uint32_t reqid;
	unsigned int mtu;		/* 0: the kernel's default */
};

/* Each returns 0 or -errno; *msg, when set, is the kernel's extack text. */
int kif_add(const struct kif_spec *s, const char **msg);
int kif_del(const char *name, const char **msg);

/*
 * Calls @fn for each kipsec interface of this namespace, or only @name;
 * stops at @fn's first nonzero return and returns it.
 */
int kif_dump(const char *name,
	     int (*fn)(const struct kif_info *, void *), void *arg);

/* 1: @nlh (RTM_NEWLINK) is a kipsec interface, filled in @out; 0: another
 * kind; -EINVAL: malformed. */
struct nlmsghdr;
int kif_parse(const struct nlmsghdr *nlh, struct kif_info *out);

#endif /* KIPSEC_IFNL_H */
