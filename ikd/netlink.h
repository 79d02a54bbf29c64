/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What ikd asks rtnetlink (through libmnl): which local address the kernel
 * would use to reach a peer, which addresses this host has, and when they
 * change (so ikd can listen on an address that appears later, as racoon's
 * grabmyaddr.c did with its routing socket).
 *
 * Two sockets: one for requests (answered synchronously), one subscribed
 * to RTMGRP_IPV4_IFADDR and RTMGRP_IPV6_IFADDR that the loop polls. All
 * that comes from the kernel is checked by libmnl's attribute validation
 * before it is read.
 */
#ifndef IKD_NETLINK_H
#define IKD_NETLINK_H

#include <stdbool.h>
#include <stdint.h>
#include "addr.h"

struct ikd_nl;

/* One address of this host (RTM_NEWADDR / RTM_DELADDR). */
struct ikd_nl_addr {
	bool added;		/* false: the address went away */
	struct ikd_addr addr;	/* port 0 */
	uint8_t prefixlen;
	uint8_t scope;		/* RT_SCOPE_UNIVERSE, _LINK, _HOST, ... */
	uint32_t flags;		/* IFA_F_TENTATIVE, IFA_F_DEPRECATED, ... */
	unsigned int ifindex;	/* an IPv6 link-local address needs it */
};

/*
 * @a is NULL when events were lost (the subscription socket overflowed):
 * the receiver should read the whole list again with ikd_nl_addrs().
 */
typedef void (*ikd_nl_addr_fn)(void *arg, const struct ikd_nl_addr *a);

/* 0 or -errno. */
int ikd_nl_open(struct ikd_nl **out);
void ikd_nl_close(struct ikd_nl *nl);

/*
 * The source address (and outgoing interface, if @ifindex is not NULL)
 * the kernel would use to send to @peer (RTM_GETROUTE, RTA_PREFSRC).
 * -ENETUNREACH/-EHOSTUNREACH as the kernel says; -EADDRNOTAVAIL if the
 * route has no preferred source.
 */
int ikd_nl_route_src(struct ikd_nl *nl, const struct ikd_addr *peer,
		     struct ikd_addr *src, unsigned int *ifindex);

/* Calls @cb for every address of @family (AF_INET, AF_INET6 or AF_UNSPEC
 * for both), with added true. 0 or -errno. */
int ikd_nl_addrs(struct ikd_nl *nl, int family, ikd_nl_addr_fn cb, void *arg);

/* From now on ikd_nl_dispatch() reports address changes to @cb. */
int ikd_nl_watch(struct ikd_nl *nl, ikd_nl_addr_fn cb, void *arg);
/* The subscription socket, for the loop (-1 before ikd_nl_watch). */
int ikd_nl_fd(struct ikd_nl *nl);
/* Reads what the subscription socket has (non-blocking). 0 or -errno. */
int ikd_nl_dispatch(struct ikd_nl *nl);

#endif /* IKD_NETLINK_H */
