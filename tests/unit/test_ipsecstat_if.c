// SPDX-License-Identifier: BSD-2-Clause
/*
 * ipsecstat -i: the layout of two kipsec interfaces (IPv4 and IPv6 outer,
 * one whose encrypted side is in another namespace) compared byte for byte,
 * each rtnl_link_stats64 field on the line if_kipsec.h gives it, singulars,
 * and the command's outcomes (none, a name, errors) through a fake
 * kif_dump() that stands in for setkey/ifnl.c's rtnetlink dump.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../setkey/ifnl.h"
#include "../../setkey/ipsecstat.h"

/* Distinct values, so that a field printed on the wrong line shows. */
static struct kif_info if4(void)
{
	struct kif_info ki = {
		.name = "ipsec0", .ifindex = 5, .family = AF_INET,
		.reqid = 100, .mtu = 1438, .up = true, .link_netnsid = -1,
		.stats = {
			.rx_packets = 4012, .rx_bytes = 1520345,
			.rx_errors = 22, .rx_missed_errors = 11,
			.rx_fifo_errors = 5, .rx_crc_errors = 4,
			.rx_length_errors = 2, .rx_dropped = 3,
			.tx_packets = 3998, .tx_bytes = 1498720,
			.tx_dropped = 9, .tx_carrier_errors = 6,
			.tx_aborted_errors = 2, .tx_fifo_errors = 1,
			.tx_errors = 12,
		},
	};

	inet_pton(AF_INET, "192.0.2.1", &ki.local.v4);
	inet_pton(AF_INET, "198.51.100.2", &ki.remote.v4);
	return ki;
}

static struct kif_info if6(void)
{
	struct kif_info ki = {
		.name = "ipsec1", .ifindex = 6, .family = AF_INET6,
		.reqid = 200, .mtu = 1418, .up = false, .link_netnsid = 0,
		.stats = {
			.rx_packets = 1, .rx_bytes = 1, .rx_errors = 1,
			.rx_crc_errors = 1,
			.tx_packets = 70, .tx_bytes = 8400, .tx_dropped = 1,
			.tx_carrier_errors = 1, .tx_errors = 1,
		},
	};

	inet_pton(AF_INET6, "2001:db8:1::1", &ki.local.v6);
	inet_pton(AF_INET6, "2001:db8:2::2", &ki.remote.v6);
	return ki;
}

static const char want_two[] =
	"ipsec0: 192.0.2.1 -> 198.51.100.2 reqid 100 mtu 1438 up\n"
	"\t4012 packets received (1520345 bytes)\n"
	"\t22 receive errors\n"
	"\t\t11 with no SA\n"
	"\t\t5 replayed\n"
	"\t\t4 failed authentication\n"
	"\t\t2 malformed\n"
	"\t3 packets dropped on input (no memory)\n"
	"\t3998 packets sent (1498720 bytes)\n"
	"\t9 packets dropped on output\n"
	"\t\t6 with no SA\n"
	"\t\t2 with no route to the remote\n"
	"\t\t1 with no memory or a failed transform\n"
	"\t3 packets too big for the path (ICMP sent back)\n"
	"\n"
	"ipsec1: 2001:db8:1::1 -> 2001:db8:2::2 reqid 200 mtu 1418 down"
	" link-netnsid 0\n"
	"\t1 packet received (1 byte)\n"
	"\t1 receive error\n"
	"\t\t0 with no SA\n"
	"\t\t0 replayed\n"
	"\t\t1 failed authentication\n"
	"\t\t0 malformed\n"
	"\t0 packets dropped on input (no memory)\n"
	"\t70 packets sent (8400 bytes)\n"
	"\t1 packet dropped on output\n"
	"\t\t1 with no SA\n"
	"\t\t0 with no route to the remote\n"
	"\t\t0 with no memory or a failed transform\n"
	"\t0 packets too big for the path (ICMP sent back)\n";

static char *print(const struct kif_info *v, size_t n)
{
	char *buf;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	ips_print_ifs(f, v, n);
	fclose(f);
	return buf;
}

static void test_two_interfaces(void **state)
{
	(void)state;
	struct kif_info v[2] = { if4(), if6() };
	char *out = print(v, 2);

	assert_string_equal(out, want_two);
	free(out);
}

static void test_none(void **state)
{
	(void)state;
	char *out = print(NULL, 0);

	assert_string_equal(out, "no kipsec interfaces\n");
	free(out);
}

/* ------------------------------------------------------------------------
 * The command, with kif_dump() faked: this definition keeps ifnl.o out of
 * the link.
 */
static struct {
	const struct kif_info *v;
	size_t n;
	int ret;		/* returned after the calls */
	int calls;
	char name[IF_NAMESIZE + 1];	/* "" for NULL */
} fake;

int kif_dump(const char *name, int (*fn)(const struct kif_info *, void *),
	     void *arg)
{
	fake.calls++;
	snprintf(fake.name, sizeof(fake.name), "%s", name ? name : "");
	for (size_t i = 0; i < fake.n; i++) {
		int r;

		if (name && strcmp(name, fake.v[i].name))
			continue;
		r = fn(&fake.v[i], arg);
		if (r)
			return r;
	}
	return fake.ret;
}

struct result {
	int status;
	char *out, *err;
};

static struct result run(const char *a1, const char *a2, const char *a3)
{
	char *argv[5] = { "ipsecstat", (char *)a1, (char *)a2, (char *)a3,
			  NULL };
	int argc = 1;
	struct result r;
	size_t olen, elen;
	FILE *out = open_memstream(&r.out, &olen);
	FILE *err = open_memstream(&r.err, &elen);

	assert_non_null(out);
	assert_non_null(err);
	while (argv[argc])
		argc++;
	fake.calls = 0;
	r.status = ipsecstat_main(argc, argv, out, err);
	fclose(out);
	fclose(err);
	return r;
}

static void result_free(struct result *r)
{
	free(r->out);
	free(r->err);
}

static void test_cmd_all(void **state)
{
	(void)state;
	struct kif_info v[2] = { if4(), if6() };
	struct result r;

	fake.v = v;
	fake.n = 2;
	fake.ret = 0;
	r = run("-i", NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(fake.calls, 1);
	assert_string_equal(fake.name, "");
	assert_string_equal(r.out, want_two);
	assert_string_equal(r.err, "");
	result_free(&r);

	r = run("-i", "ipsec1", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(fake.name, "ipsec1");
	assert_non_null(strstr(want_two, r.out));
	assert_true(strncmp(r.out, "ipsec1: ", 8) == 0);
	assert_null(strstr(r.out, "ipsec0"));
	result_free(&r);
}

/* No kipsec interface (or the module not loaded: no link of the kind) is
 * an answer, not an error. */
static void test_cmd_none(void **state)
{
	(void)state;
	struct result r;

	fake.v = NULL;
	fake.n = 0;
	fake.ret = 0;
	r = run("-i", NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "no kipsec interfaces\n");
	assert_string_equal(r.err, "");
	result_free(&r);
}

static void test_cmd_errors(void **state)
{
	(void)state;
	struct kif_info v[1] = { if4() };
	struct result r;

	fake.v = v;
	fake.n = 1;
	fake.ret = -ENODEV;
	r = run("-i", "nosuch0", NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "ipsecstat: nosuch0: no such interface\n");
	result_free(&r);

	/* Another kind of link: the dump gives nothing for it. */
	fake.ret = 0;
	r = run("-i", "lo", NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "ipsecstat: lo is not a kipsec interface\n");
	result_free(&r);

	/* A socket error: whatever was dumped before it is not printed. */
	fake.ret = -EPERM;
	r = run("-i", NULL, NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "ipsecstat: cannot list the kipsec "
			    "interfaces: Operation not permitted\n");
	result_free(&r);
}

static void test_cmd_usage(void **state)
{
	(void)state;
	static const char *const bad[][3] = {
		{ "-i", "-s", NULL }, { "-j", "-i", NULL }, { "-4", "-i", NULL },
		{ "-i", "a0", "b0" },
		{ "-i", "0123456789abcdef", NULL }, { "-i", "", NULL },
	};
	static const char *const msg[] = {
		"ipsecstat: -i takes no other option\nusage:",
		"ipsecstat: -i takes no other option\nusage:",
		"ipsecstat: -i takes no other option\nusage:",
		"ipsecstat: unexpected argument 'b0'\nusage:",
		"ipsecstat: '0123456789abcdef' is not an interface name\n",
		"ipsecstat: '' is not an interface name\n",
	};

	fake.n = 0;
	fake.ret = 0;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct result r = run(bad[i][0], bad[i][1], bad[i][2]);

		assert_int_equal(r.status, 1);
		assert_int_equal(fake.calls, 0);
		assert_string_equal(r.out, "");
		assert_true(strncmp(r.err, msg[i], strlen(msg[i])) == 0);
		result_free(&r);
	}
	/* 15 characters is the longest name Linux takes. */
	{
		struct result r = run("-i", "0123456789abcde", NULL);

		assert_int_equal(fake.calls, 1);
		assert_int_equal(r.status, 1);	/* not a kipsec interface */
		result_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_interfaces),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_cmd_all),
		cmocka_unit_test(test_cmd_none),
		cmocka_unit_test(test_cmd_errors),
		cmocka_unit_test(test_cmd_usage),
	};

	return cmocka_run_group_tests_name("ipsecstat_if", tests, NULL, NULL);
}
