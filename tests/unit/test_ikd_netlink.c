// SPDX-License-Identifier: BSD-2-Clause
/*
 * ikd/netlink.c against the build machine's own rtnetlink, on what every
 * Linux host has: loopback. (Addresses that come and go need
 * CAP_NET_ADMIN: tests/guest/ikd_kernel.sh covers those.)
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <cmocka.h>

#include "../../ikd/netlink.h"

struct seen {
	int n4, n6, lo4, lo6;
	uint8_t lo4_plen, lo4_scope;
	unsigned int lo4_ifindex;
};

static void on_addr(void *arg, const struct ikd_nl_addr *a)
{
	struct seen *s = arg;
	struct ikd_addr lo4, lo6;

	assert_non_null(a);
	assert_true(a->added);
	assert_int_equal(a->addr.port, 0);
	assert_int_equal(ikd_addr_parse(&lo4, "127.0.0.1"), 0);
	assert_int_equal(ikd_addr_parse(&lo6, "::1"), 0);
	if (a->addr.family == AF_INET) {
		s->n4++;
		if (ikd_addr_eq(&a->addr, &lo4)) {
			s->lo4++;
			s->lo4_plen = a->prefixlen;
			s->lo4_scope = a->scope;
			s->lo4_ifindex = a->ifindex;
		}
	} else {
		assert_int_equal(a->addr.family, AF_INET6);
		s->n6++;
		s->lo6 += ikd_addr_eq(&a->addr, &lo6);
		assert_true(a->prefixlen <= 128);
	}
}

static int setup(void **state)
{
	struct ikd_nl *nl;
	int err = ikd_nl_open(&nl);

	/* A build sandbox without rtnetlink skips rather than fails. */
	if (err)
		fprintf(stderr, "no rtnetlink here: %s\n", strerror(-err));
	*state = err ? NULL : nl;
	return 0;
}

static int teardown(void **state)
{
	ikd_nl_close(*state);
	return 0;
}

#define NEED_NL(nl) do { if (!(nl)) skip(); } while (0)

static void test_addrs(void **state)
{
	struct ikd_nl *nl = *state;
	struct seen all = { 0 }, v4 = { 0 }, v6 = { 0 };

	NEED_NL(nl);
	assert_int_equal(ikd_nl_addrs(nl, AF_UNSPEC, on_addr, &all), 0);
	assert_int_equal(all.lo4, 1);
	assert_int_equal(all.lo4_plen, 8);
	assert_int_equal(all.lo4_scope, RT_SCOPE_HOST);
	assert_true(all.lo4_ifindex >= 1);
	/* One family at a time gives the same split. */
	assert_int_equal(ikd_nl_addrs(nl, AF_INET, on_addr, &v4), 0);
	assert_int_equal(ikd_nl_addrs(nl, AF_INET6, on_addr, &v6), 0);
	assert_int_equal(v4.n4, all.n4);
	assert_int_equal(v4.n6, 0);
	assert_int_equal(v6.n6, all.n6);
	assert_int_equal(v6.n4, 0);
	assert_int_equal(ikd_nl_addrs(nl, AF_UNIX, on_addr, &v4), -EAFNOSUPPORT);
}

static void test_route_src(void **state)
{
	struct ikd_nl *nl = *state;
	struct ikd_addr peer, src, want;
	unsigned int ifindex = 0;

	NEED_NL(nl);
	assert_int_equal(ikd_addr_parse(&peer, "127.0.0.2"), 0);
	assert_int_equal(ikd_addr_parse(&want, "127.0.0.1"), 0);
	assert_int_equal(ikd_nl_route_src(nl, &peer, &src, &ifindex), 0);
	assert_true(ikd_addr_eq(&src, &want));
	assert_true(ifindex >= 1);
	/* Twice on one socket: the sequence numbers keep answers apart. */
	assert_int_equal(ikd_nl_route_src(nl, &peer, &src, NULL), 0);
	assert_true(ikd_addr_eq(&src, &want));
	ikd_addr_zero(&peer);
	assert_int_equal(ikd_nl_route_src(nl, &peer, &src, NULL), -EAFNOSUPPORT);
}

static void test_route_src_v6(void **state)
{
	struct ikd_nl *nl = *state;
	struct ikd_addr peer, src, want;
	struct seen s = { 0 };
	int err;

	NEED_NL(nl);
	assert_int_equal(ikd_nl_addrs(nl, AF_INET6, on_addr, &s), 0);
	if (!s.lo6)
		skip();		/* IPv6 disabled on this host */
	assert_int_equal(ikd_addr_parse(&peer, "::1"), 0);
	assert_int_equal(ikd_addr_parse(&want, "::1"), 0);
	err = ikd_nl_route_src(nl, &peer, &src, NULL);
	assert_int_equal(err, 0);
	assert_true(ikd_addr_eq(&src, &want));
}

static void test_watch(void **state)
{
	struct ikd_nl *nl = *state;
	struct seen s = { 0 };

	NEED_NL(nl);
	assert_int_equal(ikd_nl_fd(nl), -1);
	assert_int_equal(ikd_nl_dispatch(nl), -EINVAL);
	assert_int_equal(ikd_nl_watch(nl, on_addr, &s), 0);
	assert_true(ikd_nl_fd(nl) >= 0);
	assert_int_equal(ikd_nl_watch(nl, on_addr, &s), -EALREADY);
	/* Nothing changed: nothing to read, no blocking. */
	assert_int_equal(ikd_nl_dispatch(nl), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_addrs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_src, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_src_v6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
