// SPDX-License-Identifier: BSD-2-Clause
/*
 * kif_parse (setkey/ifnl.c) on RTM_NEWLINK messages built by hand: a kipsec
 * interface of each outer family with its name, MTU, state, counters and
 * link-netnsid; other kinds and none; then malformed messages (truncated,
 * attributes too short or too long, bad nesting, mixed families, missing
 * attributes, an unterminated name) which must all be -EINVAL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include <kipsec/if_kipsec.h>
#include "../../setkey/ifnl.h"

static _Alignas(8) char buf[4096];

/* Which parts of a message to leave out or spoil. */
enum {
	NO_REQID = 1, MIXED = 2, BAD_LOCAL = 4, NAME_NOTERM = 8,
	NO_MTU = 16, NO_DATA = 32,
};

struct msg {
	const char *kind;	/* NULL: no IFLA_LINKINFO */
	int family;
	unsigned int flags;	/* IFF_* */
	int netnsid;		/* -1: none */
	unsigned int spoil;
};

static struct nlmsghdr *build(const struct msg *m)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlattr *li, *data;
	struct rtnl_link_stats64 st;
	struct ifinfomsg *ifi;
	struct in6_addr l6, r6;
	struct in_addr l4, r4;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = 7;
	ifi->ifi_flags = m->flags;
	if (m->spoil & NAME_NOTERM)
		mnl_attr_put(nlh, IFLA_IFNAME, 6, "ipsec0");
	else
		mnl_attr_put_strz(nlh, IFLA_IFNAME, "ipsec0");
	if (!(m->spoil & NO_MTU))
		mnl_attr_put_u32(nlh, IFLA_MTU, 1399);
	memset(&st, 0, sizeof(st));
	st.rx_packets = 5;
	st.tx_bytes = 420;
	st.rx_crc_errors = 2;
	mnl_attr_put(nlh, IFLA_STATS64, sizeof(st), &st);
	if (m->netnsid >= 0)
		mnl_attr_put_u32(nlh, IFLA_LINK_NETNSID, (uint32_t)m->netnsid);
	if (!m->kind)
		return nlh;
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, m->kind);
	if (!(m->spoil & NO_DATA)) {
		data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
		inet_pton(AF_INET, "20.0.0.1", &l4);
		inet_pton(AF_INET, "20.0.0.2", &r4);
		inet_pton(AF_INET6, "fd00:f::1", &l6);
		inet_pton(AF_INET6, "fd00:f::2", &r6);
		if (m->spoil & BAD_LOCAL)
			mnl_attr_put(nlh, IFLA_KIPSEC_LOCAL, 5, &l6);
		else if (m->family == AF_INET)
			mnl_attr_put(nlh, IFLA_KIPSEC_LOCAL, 4, &l4);
		else
			mnl_attr_put(nlh, IFLA_KIPSEC_LOCAL, 16, &l6);
		if ((m->family == AF_INET) != !!(m->spoil & MIXED))
			mnl_attr_put(nlh, IFLA_KIPSEC_REMOTE, 4, &r4);
		else
			mnl_attr_put(nlh, IFLA_KIPSEC_REMOTE, 16, &r6);
		if (!(m->spoil & NO_REQID))
			mnl_attr_put_u32(nlh, IFLA_KIPSEC_REQID, 100);
		mnl_attr_nest_end(nlh, data);
	}
	mnl_attr_nest_end(nlh, li);
	return nlh;
}

static void test_v4(void **state)
{
	struct msg m = { KIPSEC_IF_KIND, AF_INET, IFF_UP, -1, 0 };
	struct kif_info i;
	char a[INET6_ADDRSTRLEN];

	(void)state;
	assert_int_equal(kif_parse(build(&m), &i), 1);
	assert_string_equal(i.name, "ipsec0");
	assert_int_equal(i.ifindex, 7);
	assert_int_equal(i.family, AF_INET);
	assert_string_equal(inet_ntop(AF_INET, &i.local, a, sizeof(a)), "20.0.0.1");
	assert_string_equal(inet_ntop(AF_INET, &i.remote, a, sizeof(a)), "20.0.0.2");
	assert_int_equal(i.reqid, 100);
	assert_int_equal(i.mtu, 1399);
	assert_true(i.up);
	assert_int_equal(i.link_netnsid, -1);
	assert_int_equal(i.stats.rx_packets, 5);
	assert_int_equal(i.stats.tx_bytes, 420);
	assert_int_equal(i.stats.rx_crc_errors, 2);
}

static void test_v6_netnsid(void **state)
{
	struct msg m = { KIPSEC_IF_KIND, AF_INET6, 0, 3, 0 };
	struct kif_info i;
	char a[INET6_ADDRSTRLEN];

	(void)state;
	assert_int_equal(kif_parse(build(&m), &i), 1);
	assert_int_equal(i.family, AF_INET6);
	assert_string_equal(inet_ntop(AF_INET6, &i.local, a, sizeof(a)), "fd00:f::1");
	assert_string_equal(inet_ntop(AF_INET6, &i.remote, a, sizeof(a)), "fd00:f::2");
	assert_false(i.up);
	assert_int_equal(i.link_netnsid, 3);
}

static void test_other_kinds(void **state)
{
	struct msg veth = { "veth", AF_INET, IFF_UP, -1, 0 };
	struct msg none = { NULL, AF_INET, IFF_UP, -1, 0 };
	struct msg prefix = { "kipsec0", AF_INET, IFF_UP, -1, 0 };
	struct kif_info i;

	(void)state;
	assert_int_equal(kif_parse(build(&veth), &i), 0);
	assert_int_equal(kif_parse(build(&none), &i), 0);
	assert_int_equal(kif_parse(build(&prefix), &i), 0);
}

static void test_malformed_kipsec(void **state)
{
	static const unsigned int spoils[] = {
		NO_REQID, MIXED, BAD_LOCAL, NAME_NOTERM, NO_MTU, NO_DATA,
	};
	struct kif_info i;
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(spoils) / sizeof(spoils[0]); k++) {
		struct msg m = { KIPSEC_IF_KIND, AF_INET, IFF_UP, -1, spoils[k] };

		assert_int_equal(kif_parse(build(&m), &i), -EINVAL);
	}
}

/*
 * A message cut short is never taken for a kipsec interface: cut inside
 * IFLA_LINKINFO (the last attribute) it is malformed; cut before, it has
 * no kind (or is malformed where the cut splits another attribute).
 */
static void test_truncated(void **state)
{
	struct msg m = { KIPSEC_IF_KIND, AF_INET, IFF_UP, 1, 0 };
	struct nlmsghdr *nlh = build(&m);
	uint32_t len = nlh->nlmsg_len, cut, li_len = 0;
	struct kif_info i;
	struct nlattr *a;
	int ret;

	(void)state;
	mnl_attr_for_each(a, nlh, sizeof(struct ifinfomsg))
		if (mnl_attr_get_type(a) == IFLA_LINKINFO)
			li_len = a->nla_len;
	assert_true(li_len > 0);
	for (cut = 1; cut < len; cut++) {
		nlh->nlmsg_len = len - cut;
		ret = kif_parse(nlh, &i);
		if (cut < li_len)
			assert_int_equal(ret, -EINVAL);
		else
			assert_true(ret == 0 || ret == -EINVAL);
	}
	nlh->nlmsg_len = len;
	assert_int_equal(kif_parse(nlh, &i), 1);
}

static void test_bad_attr_lengths(void **state)
{
	struct msg m = { KIPSEC_IF_KIND, AF_INET, IFF_UP, -1, 0 };
	struct nlmsghdr *nlh = build(&m);
	struct nlattr *first;
	struct kif_info i;
	uint16_t keep;

	(void)state;
	first = (struct nlattr *)((char *)mnl_nlmsg_get_payload(nlh) +
				  MNL_ALIGN(sizeof(struct ifinfomsg)));
	keep = first->nla_len;
	first->nla_len = 2;		/* shorter than its own header */
	assert_int_equal(kif_parse(nlh, &i), -EINVAL);
	first->nla_len = 0xfff0;	/* past the message */
	assert_int_equal(kif_parse(nlh, &i), -EINVAL);
	first->nla_len = keep;
	nlh->nlmsg_type = RTM_DELLINK;
	assert_int_equal(kif_parse(nlh, &i), -EINVAL);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_len = NLMSG_HDRLEN + 8;	/* not even an ifinfomsg */
	assert_int_equal(kif_parse(nlh, &i), -EINVAL);
}

/* A MTU attribute of the wrong size, and a nested attribute cut short. */
static void test_bad_nesting(void **state)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlattr *li, *data;
	struct kif_info i;
	uint16_t mtu = 1400;

	(void)state;
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "ipsec0");
	mnl_attr_put(nlh, IFLA_MTU, sizeof(mtu), &mtu);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, KIPSEC_IF_KIND);
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put(nlh, IFLA_KIPSEC_LOCAL, 4, "\x14\0\0\1");
	mnl_attr_put(nlh, IFLA_KIPSEC_REMOTE, 4, "\x14\0\0\2");
	mnl_attr_put_u32(nlh, IFLA_KIPSEC_REQID, 1);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, li);
	assert_int_equal(kif_parse(nlh, &i), -EINVAL);	/* 2-byte MTU */
	/* The data nest claims more than its parent holds. */
	data->nla_len += 8;
	assert_int_equal(kif_parse(nlh, &i), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4),
		cmocka_unit_test(test_v6_netnsid),
		cmocka_unit_test(test_other_kinds),
		cmocka_unit_test(test_malformed_kipsec),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_attr_lengths),
		cmocka_unit_test(test_bad_nesting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
