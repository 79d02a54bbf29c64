// SPDX-License-Identifier: BSD-2-Clause
/*
 * ikd/net.c where no IPsec module is loaded (the build host): what it
 * refuses before touching the system, and that it never opens an IKE
 * socket the kernel would not mark `bypass`. Sending and receiving, the
 * non-ESP marker and bypass under a `require` policy are exercised in the
 * guest (tests/guest/ikd_kernel.sh, with build/guest/ikd_kernel_probe).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../ikd/net.h"

static void on_recv(void *arg, const struct ikd_addr *local,
		    const struct ikd_addr *remote, const uint8_t *buf,
		    size_t len)
{
	(void)arg; (void)local; (void)remote; (void)buf; (void)len;
}

static struct ikd_addr A(const char *s)
{
	struct ikd_addr a;

	assert_int_equal(ikd_addr_parse(&a, s), 0);
	return a;
}

static void test_refusals(void **state)
{
	struct ikd_loop *loop = ikd_loop_new();
	struct ikd_net *n;
	struct ikd_addr lo = A("127.0.0.1[50500]"), peer = A("127.0.0.1[50501]");
	struct ikd_addr noport = A("127.0.0.1"), any = A("0.0.0.0[500]");
	struct ikd_addr ll = A("fe80::1[500]");
	int err;

	(void)state;
	assert_non_null(loop);
	assert_int_equal(ikd_net_new(loop, on_recv, NULL, &n), 0);
	/* No port, no address, a wildcard, a link-local address. */
	assert_int_equal(ikd_net_listen(n, &(struct ikd_addr){ 0 }, false), -EINVAL);
	assert_int_equal(ikd_net_listen(n, &noport, false), -EINVAL);
	assert_int_equal(ikd_net_listen(n, &any, false), -EINVAL);
	assert_int_equal(ikd_net_listen(n, &ll, false), -EINVAL);
	/* Nothing open: nothing to send from or close. */
	assert_int_equal(ikd_net_send(n, &lo, &peer, "x", 1), -EADDRNOTAVAIL);
	assert_int_equal(ikd_net_keepalive(n, &lo, &peer), -EADDRNOTAVAIL);
	assert_int_equal(ikd_net_unlisten(n, &lo), -ENOENT);
	assert_false(ikd_net_is_listening(n, &lo));

	/* Without kipsec.ko or af_key (and xfrm) the kernel takes no bypass
	 * policy: no socket, rather than one the SPD could hold. */
	err = ikd_net_listen(n, &lo, false);
	if (err == 0) {
		/* A host with IPsec: then it is a working socket. */
		assert_true(ikd_net_is_listening(n, &lo));
		assert_int_equal(ikd_net_listen(n, &lo, true), -EEXIST);
		assert_int_equal(ikd_net_dump(n), 1);
		assert_int_equal(ikd_net_keepalive(n, &lo, &peer), -EINVAL);
		assert_int_equal(ikd_net_unlisten(n, &lo), 0);
	} else {
		if (err != -EOPNOTSUPP && err != -EPERM && err != -ENOPROTOOPT)
			fail_msg("listen without IPsec: %s", strerror(-err));
		assert_false(ikd_net_is_listening(n, &lo));
		assert_int_equal(ikd_net_dump(n), 0);
	}
	ikd_net_free(n);
	ikd_loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
