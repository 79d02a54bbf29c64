// SPDX-License-Identifier: BSD-2-Clause
/*
 * Every setkey file of the seed inventory's Appendix A (tests/unit/seeds/)
 * parses to the expected PF_KEY messages, checked field by field; the
 * verbatim (extraction-damaged) forms give exactly the expected
 * diagnostics.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../setkey/setkey.h"

/* ------------------------------------------------------------------------
 * Expected messages
 */
struct xreq {
	uint16_t proto;		/* IPPROTO_ESP/AH/COMP */
	uint8_t mode, level;
	const char *tsrc, *tdst;	/* tunnel endpoints or NULL */
};

struct xmsg {
	uint8_t type, satype;
	const char *src, *dst;
	uint8_t splen, dplen;
	uint16_t sport, dport;
	uint8_t proto;
	/* SA */
	uint32_t spi;
	uint8_t mode;
	uint8_t ealg, aalg;
	const char *ekey, *akey;	/* "text" or "0x..." */
	/* policy */
	uint8_t dir;
	uint16_t ptype;
	const char *policy;		/* ipsec_dump_policy(" ") */
	struct xreq req[3];
};

#define ADD(sat, s, d, spi_, m, e, ek, a, ak)                                  \
	{ .type = SADB_ADD, .satype = SADB_SATYPE_##sat, .src = s, .dst = d, \
	  .splen = 32, .dplen = 32, .proto = IPSEC_ULPROTO_ANY, .spi = spi_, \
	  .mode = IPSEC_MODE_##m, .ealg = e, .ekey = ek, .aalg = a,          \
	  .akey = ak }
#define ESP3DES(s, d, spi_, m, k) \
	ADD(ESP, s, d, spi_, m, SADB_EALG_3DESCBC, k, 0, NULL)
#define ESPAES(s, d, spi_, k) \
	ADD(ESP, s, d, spi_, ANY, SADB_X_EALG_AESCBC, k, 0, NULL)
#define ESPBF(s, d, spi_, k) \
	ADD(ESP, s, d, spi_, ANY, SADB_X_EALG_BLOWFISHCBC, k, 0, NULL)
#define AHMD5(s, d, spi_, m, k) \
	ADD(AH, s, d, spi_, m, 0, NULL, SADB_AALG_MD5HMAC, k)

#define SPD(s, sp, spt, d, dp, dpt, up, dir_, ptype_, text, ...)             \
	{ .type = SADB_X_SPDADD, .src = s, .dst = d, .splen = sp,            \
	  .dplen = dp, .sport = spt, .dport = dpt, .proto = up,              \
	  .dir = IPSEC_DIR_##dir_, .ptype = IPSEC_POLICY_##ptype_,           \
	  .policy = text, .req = { __VA_ARGS__ } }
#define REQ(p, m, l, s, d) \
	{ IPPROTO_##p, IPSEC_MODE_##m, IPSEC_LEVEL_##l, s, d }
#define ANYP IPSEC_ULPROTO_ANY

#define K3DES_A "hogehogehogehogehogehoge"
#define K3DES_B "0xdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef"
#define K128_B "0xdeadbeefdeadbeefdeadbeefdeadbeef"

static const struct xmsg a01[] = {
	ESP3DES("10.1.1.1", "20.1.1.1", 9876, ANY, K3DES_A),
	ESP3DES("20.1.1.1", "10.1.1.1", 10000, ANY, K3DES_B),
	SPD("10.1.1.1", 32, 0, "20.1.1.1", 32, 0, ANYP, OUTBOUND, IPSEC,
	    "out ipsec esp/transport//use", REQ(ESP, TRANSPORT, USE, NULL, NULL)),
};
static const struct xmsg a01_req[] = {
	ESP3DES("10.1.1.1", "20.1.1.1", 9876, ANY, K3DES_A),
	ESP3DES("20.1.1.1", "10.1.1.1", 10000, ANY, K3DES_B),
	SPD("10.1.1.1", 32, 0, "20.1.1.1", 32, 0, ANYP, OUTBOUND, IPSEC,
	    "out ipsec esp/transport//use", REQ(ESP, TRANSPORT, USE, NULL, NULL)),
	SPD("20.1.1.1", 32, 0, "10.1.1.1", 32, 0, ANYP, INBOUND, IPSEC,
	    "in ipsec esp/transport//require",
	    REQ(ESP, TRANSPORT, REQUIRE, NULL, NULL)),
};
static const struct xmsg a02[] = {
	ESP3DES("10.1.1.1", "20.1.1.1", 9876, ANY, K3DES_A),
	ESP3DES("20.1.1.1", "10.1.1.1", 10000, ANY, K3DES_B),
	SPD("20.1.1.1", 32, 0, "10.1.1.1", 32, 0, ANYP, OUTBOUND, IPSEC,
	    "out ipsec esp/transport//use", REQ(ESP, TRANSPORT, USE, NULL, NULL)),
};
static const struct xmsg a03[] = {
	ESPAES("10.1.1.1", "20.1.1.1", 9876, "hogehogehogehoge"),
	ESPAES("20.1.1.1", "10.1.1.1", 10000, K128_B),
	SPD("10.1.1.1", 32, 0, "20.1.1.1", 32, 0, ANYP, OUTBOUND, IPSEC,
	    "out ipsec esp/transport//use", REQ(ESP, TRANSPORT, USE, NULL, NULL)),
};
static const struct xmsg a04[] = {
	AHMD5("10.1.1.1", "20.1.1.1", 9877, ANY, "hogehogehogehoge"),
	AHMD5("20.1.1.1", "10.1.1.1", 10001, ANY, "mogamogamogamoga"),
	SPD("10.1.1.1", 32, 0, "20.1.1.1", 32, 0, ANYP, OUTBOUND, IPSEC,
	    "out ipsec ah/transport//use", REQ(AH, TRANSPORT, USE, NULL, NULL)),
};
static const struct xmsg a05[] = {
	ESP3DES("10.1.1.1", "20.1.1.1", 9876, ANY, K3DES_A),
	ESP3DES("20.1.1.1", "10.1.1.1", 10000, ANY, K3DES_B),
	AHMD5("10.1.1.1", "20.1.1.1", 9877, ANY, "hogehogehogehoge"),
	AHMD5("20.1.1.1", "10.1.1.1", 10001, ANY, "mogamogamogamoga"),
	SPD("10.1.1.1", 32, 0, "20.1.1.1", 32, 0, ANYP, OUTBOUND, IPSEC,
	    "out ipsec esp/transport//use ah/transport//use",
	    REQ(ESP, TRANSPORT, USE, NULL, NULL),
	    REQ(AH, TRANSPORT, USE, NULL, NULL)),
};
static const struct xmsg a06a[] = {
	SPD("10.1.1.1", 32, 0, "20.1.1.1", 32, 0, ANYP, OUTBOUND, IPSEC,
	    "out ipsec esp/transport//require",
	    REQ(ESP, TRANSPORT, REQUIRE, NULL, NULL)),
	SPD("20.1.1.1", 32, 0, "10.1.1.1", 32, 0, ANYP, INBOUND, IPSEC,
	    "in ipsec esp/transport//require",
	    REQ(ESP, TRANSPORT, REQUIRE, NULL, NULL)),
};
static const struct xmsg a06b[] = {
	SPD("20.1.1.1", 32, 0, "10.1.1.1", 32, 0, ANYP, OUTBOUND, IPSEC,
	    "out ipsec esp/transport//require",
	    REQ(ESP, TRANSPORT, REQUIRE, NULL, NULL)),
	SPD("10.1.1.1", 32, 0, "20.1.1.1", 32, 0, ANYP, INBOUND, IPSEC,
	    "in ipsec esp/transport//require",
	    REQ(ESP, TRANSPORT, REQUIRE, NULL, NULL)),
};
static const struct xmsg a07gw1[] = {
	ESPBF("20.0.0.1", "20.0.0.2", 13245, "blowfishtest.001"),
	ESPBF("20.0.0.2", "20.0.0.1", 13246, K128_B),
	SPD("10.0.1.0", 24, 0, "10.0.2.0", 24, 0, ANYP, OUTBOUND, IPSEC,
	    "out ipsec esp/tunnel/20.0.0.1-20.0.0.2/require",
	    REQ(ESP, TUNNEL, REQUIRE, "20.0.0.1", "20.0.0.2")),
	SPD("10.0.2.0", 24, 0, "10.0.1.0", 24, 0, ANYP, INBOUND, IPSEC,
	    "in ipsec esp/tunnel/20.0.0.2-20.0.0.1/require",
	    REQ(ESP, TUNNEL, REQUIRE, "20.0.0.2", "20.0.0.1")),
};
static const struct xmsg a07gw2[] = {
	ESPBF("20.0.0.1", "20.0.0.2", 13245, "blowfishtest.001"),
	ESPBF("20.0.0.2", "20.0.0.1", 13246, K128_B),
	SPD("10.0.2.0", 24, 0, "10.0.1.0", 24, 0, ANYP, OUTBOUND, IPSEC,
	    "out ipsec esp/tunnel/20.0.0.2-20.0.0.1/require",
	    REQ(ESP, TUNNEL, REQUIRE, "20.0.0.2", "20.0.0.1")),
	SPD("10.0.1.0", 24, 0, "10.0.2.0", 24, 0, ANYP, INBOUND, IPSEC,
	    "in ipsec esp/tunnel/20.0.0.1-20.0.0.2/require",
	    REQ(ESP, TUNNEL, REQUIRE, "20.0.0.1", "20.0.0.2")),
};
static const struct xmsg a08leaf[] = {
	ESPAES("10.0.1.1", "10.0.1.5", 1011, "rijndaeltest.001"),
	ESPAES("10.0.1.5", "10.0.1.1", 1012, K128_B),
	SPD("10.0.1.5", 32, 0, "0.0.0.0", 0, 0, ANYP, OUTBOUND, IPSEC,
	    "out ipsec esp/tunnel/10.0.1.5-10.0.1.1/require",
	    REQ(ESP, TUNNEL, REQUIRE, "10.0.1.5", "10.0.1.1")),
	SPD("0.0.0.0", 0, 0, "10.0.1.5", 32, 0, ANYP, INBOUND, IPSEC,
	    "in ipsec esp/tunnel/10.0.1.1-10.0.1.5/require",
	    REQ(ESP, TUNNEL, REQUIRE, "10.0.1.1", "10.0.1.5")),
};
static const struct xmsg a08router[] = {
	ESPAES("10.0.1.1", "10.0.1.5", 1011, "rijndaeltest.001"),
	ESPAES("10.0.1.5", "10.0.1.1", 1012, K128_B),
	SPD("10.0.1.5", 32, 0, "0.0.0.0", 0, 0, ANYP, INBOUND, IPSEC,
	    "in ipsec esp/tunnel/10.0.1.5-10.0.1.1/require",
	    REQ(ESP, TUNNEL, REQUIRE, "10.0.1.5", "10.0.1.1")),
	SPD("0.0.0.0", 0, 0, "10.0.1.5", 32, 0, ANYP, OUTBOUND, IPSEC,
	    "out ipsec esp/tunnel/10.0.1.1-10.0.1.5/require",
	    REQ(ESP, TUNNEL, REQUIRE, "10.0.1.1", "10.0.1.5")),
};
static const struct xmsg a09a[] = {
	SPD("10.1.1.1", 32, 110, "10.1.1.1", 32, 0, IPPROTO_TCP, OUTBOUND, NONE,
	    "out none"),
	SPD("10.1.1.1", 32, 0, "10.1.1.1", 32, 110, IPPROTO_TCP, INBOUND, NONE,
	    "in none"),
	SPD("10.1.1.1", 32, 110, "0.0.0.0", 0, 0, IPPROTO_TCP, OUTBOUND, IPSEC,
	    "out ipsec ah/transport//require",
	    REQ(AH, TRANSPORT, REQUIRE, NULL, NULL)),
	SPD("0.0.0.0", 0, 0, "10.1.1.1", 32, 110, IPPROTO_TCP, INBOUND, IPSEC,
	    "in ipsec ah/transport//require",
	    REQ(AH, TRANSPORT, REQUIRE, NULL, NULL)),
};
static const struct xmsg a09b[] = {
	SPD("20.1.1.1", 32, 0, "10.1.1.1", 32, 110, IPPROTO_TCP, OUTBOUND, IPSEC,
	    "out ipsec ah/transport//require",
	    REQ(AH, TRANSPORT, REQUIRE, NULL, NULL)),
	SPD("10.1.1.1", 32, 110, "20.1.1.1", 32, 0, IPPROTO_TCP, INBOUND, IPSEC,
	    "in ipsec ah/transport//require",
	    REQ(AH, TRANSPORT, REQUIRE, NULL, NULL)),
};

#define UNIXWARE_SAS                                                          \
	ESP3DES("10.0.0.100", "10.0.0.110", 0x10001, TUNNEL,                 \
		"thescogp12341234thescogp"),                                 \
	ESP3DES("10.0.0.110", "10.0.0.100", 0x10002, TUNNEL,                 \
		"thescogp43214321thescogp")
#define UNIXWARE_AH                                                           \
	AHMD5("10.1.1.100", "10.1.1.110", 0x10003, TUNNEL, "scogroupscogroup"), \
	AHMD5("10.1.1.110", "10.1.1.100", 0x10004, TUNNEL, "groupscogroupsco")
#define UW_SPD(s, d, dir_, text)                                              \
	SPD(s, 32, 0, d, 32, 0, IPPROTO_TCP, dir_, IPSEC, text,              \
	    REQ(ESP, TUNNEL, USE, s, d), REQ(AH, TUNNEL, USE, s, d))
#define UW_REQUIRE(s, d, dir_, text)                                          \
	SPD(s, 32, 0, d, 32, 0, IPPROTO_TCP, dir_, IPSEC, text,              \
	    REQ(ESP, TUNNEL, REQUIRE, s, d))

static const struct xmsg a10[] = {
	UNIXWARE_SAS,
	UNIXWARE_AH,
	UW_SPD("10.0.0.100", "10.0.0.110", INBOUND,
	       "in ipsec esp/tunnel/10.0.0.100-10.0.0.110/use ah/tunnel/10.0.0.100-10.0.0.110/use"),
	UW_SPD("10.0.0.110", "10.0.0.100", OUTBOUND,
	       "out ipsec esp/tunnel/10.0.0.110-10.0.0.100/use ah/tunnel/10.0.0.110-10.0.0.100/use"),
};
/* The fused comment hides both ESP SAs (E-2). */
static const struct xmsg a10v[] = {
	UNIXWARE_AH,
	UW_SPD("10.0.0.100", "10.0.0.110", INBOUND,
	       "in ipsec esp/tunnel/10.0.0.100-10.0.0.110/use ah/tunnel/10.0.0.100-10.0.0.110/use"),
	UW_SPD("10.0.0.110", "10.0.0.100", OUTBOUND,
	       "out ipsec esp/tunnel/10.0.0.110-10.0.0.100/use ah/tunnel/10.0.0.110-10.0.0.100/use"),
};
static const struct xmsg a11r[] = {
	UNIXWARE_SAS,
	UNIXWARE_AH,
	UW_SPD("10.0.0.100", "10.0.0.110", OUTBOUND,
	       "out ipsec esp/tunnel/10.0.0.100-10.0.0.110/use ah/tunnel/10.0.0.100-10.0.0.110/use"),
	UW_SPD("10.0.0.110", "10.0.0.100", INBOUND,
	       "in ipsec esp/tunnel/10.0.0.110-10.0.0.100/use ah/tunnel/10.0.0.110-10.0.0.100/use"),
};
static const struct xmsg a12elmer[] = {
	UW_REQUIRE("10.0.0.100", "10.0.0.110", INBOUND,
		   "in ipsec esp/tunnel/10.0.0.100-10.0.0.110/require"),
	UW_REQUIRE("10.0.0.110", "10.0.0.100", OUTBOUND,
		   "out ipsec esp/tunnel/10.0.0.110-10.0.0.100/require"),
};
static const struct xmsg a12relent[] = {
	UW_REQUIRE("10.0.0.100", "10.0.0.110", OUTBOUND,
		   "out ipsec esp/tunnel/10.0.0.100-10.0.0.110/require"),
	UW_REQUIRE("10.0.0.110", "10.0.0.100", INBOUND,
		   "in ipsec esp/tunnel/10.0.0.110-10.0.0.100/require"),
};
static const struct xmsg a13[] = {
	SPD("10.0.0.110", 32, 0, "10.0.0.53", 32, 53, IPPROTO_UDP, INBOUND, NONE,
	    "in none"),
	SPD("10.0.0.53", 32, 53, "10.0.0.110", 32, 0, IPPROTO_UDP, OUTBOUND, NONE,
	    "out none"),
};

/* Diagnostics of the files that must not load (or load with warnings). */
#define HIDDEN "warning: this comment runs to the end of the line, hiding what looks like statements (the first is '%s ...;')"
#define NOT_STMT "'A' is not a statement (expected add, update, get, delete, deleteall, flush, dump, spdadd, spdupdate, spddelete, spdflush, spddump or getspi)"
#define SWALLOWED(l, kw, sl, cl) \
	l ":1: expected an SA option, an algorithm (-E, -A, -C) or ';', found '" kw \
	"' (the add statement at " sl ":1 is not finished: the '#' comment at " sl ":" cl " swallowed its ';')"

static const char *const d_hidden_add[] = { "2:1: " "warning: this comment runs to the end of the line, hiding what looks like statements (the first is 'add ...;')", NULL };
static const char *const d_a06v[] = {
	"2:1: " NOT_STMT,
	"2:2: warning: this comment runs to the end of the line, hiding what looks like statements (the first is 'spdadd ...;')",
	NULL,
};
static const char *const d_a11[] = {
	SWALLOWED("12", "add", "11", "38"),
	SWALLOWED("15", "spdadd", "12", "38"),
	NULL,
};
static const char *const d_a11v[] = {
	"2:1: warning: this comment runs to the end of the line, hiding what looks like statements (the first is 'add ...;')",
	SWALLOWED("5", "add", "4", "38"),
	SWALLOWED("7", "spdadd", "5", "38"),
	NULL,
};
static const char *const d_a13v[] = {
	"2:8: 'hostA' is not a numeric address (setkey does not resolve host names)",
	"2:57: 'DNSserver' is not a numeric address (setkey does not resolve host names)",
	NULL,
};

struct seed {
	const char *file;
	const struct xmsg *msgs;	/* NULL: the file must be rejected */
	size_t n;
	const char *const *diags;	/* exact "LINE:COL: text" list, or NULL */
	bool reject;			/* sk_parse must fail */
};

#define OK(f, m) { f, m, sizeof(m) / sizeof(m[0]), NULL, false }
#define OKW(f, m, d) { f, m, sizeof(m) / sizeof(m[0]), d, false }
#define EMPTY(f, d) { f, NULL, 0, d, false }
#define FAIL(f, d) { f, NULL, 0, d, true }

static const struct seed seeds[] = {
	OK("a01-host-esp-3des.conf", a01),
	OK("a01-in-require.conf", a01_req),
	EMPTY("a01-verbatim.conf", d_hidden_add),
	OK("a02-host-esp-3des-peer.conf", a02),
	EMPTY("a02-verbatim.conf", d_hidden_add),
	OK("a03-host-esp-rijndael.conf", a03),
	EMPTY("a03-verbatim.conf", d_hidden_add),
	OK("a04-host-ah-md5.conf", a04),
	EMPTY("a04-verbatim.conf", d_hidden_add),
	OK("a05-host-esp-ah.conf", a05),
	EMPTY("a05-verbatim.conf", d_hidden_add),
	OK("a06-node-a.conf", a06a),
	OK("a06-node-b.conf", a06b),
	FAIL("a06-verbatim.conf", d_a06v),
	OK("a07-vpn-gw1.conf", a07gw1),
	OK("a07-vpn-gw2.conf", a07gw2),
	EMPTY("a07-verbatim.conf", d_hidden_add),
	OK("a08-leaf.conf", a08leaf),
	OK("a08-router.conf", a08router),
	EMPTY("a08-verbatim.conf", d_hidden_add),
	OK("a09-pop3-node-a.conf", a09a),
	OK("a09-pop3-node-b.conf", a09b),
	FAIL("a09-verbatim.conf", d_a06v),
	OK("a10-elmer.conf", a10),
	OKW("a10-verbatim.conf", a10v, d_hidden_add),
	FAIL("a11-relent.conf", d_a11),
	OK("a11-relent-repaired.conf", a11r),
	FAIL("a11-verbatim.conf", d_a11v),
	OK("a12-elmer.conf", a12elmer),
	OK("a12-relent.conf", a12relent),
	OK("a13-dns.conf", a13),
	FAIL("a13-verbatim.conf", d_a13v),
};

/* ------------------------------------------------------------------------
 * Helpers
 */
static char *read_seed(const char *name, size_t *len)
{
	char path[1024], exe[512];
	FILE *f;
	ssize_t n;

	snprintf(path, sizeof(path), "tests/unit/seeds/%s", name);
	f = fopen(path, "r");
	if (!f && (n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		exe[n] = '\0';	/* build/san/test_x -> ../../tests/unit/seeds */
		snprintf(path, sizeof(path), "%s/../../tests/unit/seeds/%s",
			 dirname(exe), name);
		f = fopen(path, "r");
	}
	if (!f)
		fail_msg("cannot open seed %s", name);

	char *buf = malloc(1 << 16);

	assert_non_null(buf);
	*len = fread(buf, 1, (1 << 16) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static void check_addr(const struct pfkey_msg *m, uint16_t type,
		       const char *addr, uint8_t plen, uint16_t port,
		       uint8_t proto)
{
	const struct sadb_address *a = pfkey_msg_address(m, type);
	const struct sockaddr_in *sin;
	char buf[INET_ADDRSTRLEN];

	assert_non_null(a);
	sin = (const struct sockaddr_in *)pfkey_address_sockaddr(a);
	assert_int_equal(sin->sin_family, AF_INET);
	inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof(buf));
	assert_string_equal(buf, addr);
	assert_int_equal(a->sadb_address_prefixlen, plen);
	assert_int_equal(ntohs(sin->sin_port), port);
	assert_int_equal(a->sadb_address_proto, proto);
}

static void check_key(const struct pfkey_msg *m, uint16_t type,
		      const char *want)
{
	const struct sadb_key *k = pfkey_msg_key(m, type);
	uint8_t bytes[128];
	size_t n = 0, got;

	if (!want) {
		assert_null(k);
		return;
	}
	assert_non_null(k);
	if (strncmp(want, "0x", 2) == 0) {
		for (const char *p = want + 2; *p; p += 2) {
			unsigned v;

			sscanf(p, "%2x", &v);
			bytes[n++] = (uint8_t)v;
		}
	} else {
		n = strlen(want);
		memcpy(bytes, want, n);
	}
	const uint8_t *data = pfkey_key_data(k, &got);

	assert_int_equal(k->sadb_key_bits, n * 8);
	assert_int_equal(got, n);
	assert_memory_equal(data, bytes, n);
}

static void check_tunnel(const struct sockaddr *sa, const char *want)
{
	char buf[INET_ADDRSTRLEN];

	assert_non_null(sa);
	inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf,
		  sizeof(buf));
	assert_string_equal(buf, want);
}

static void check_policy(const struct pfkey_msg *m, const struct xmsg *x)
{
	const struct sadb_x_policy *p = pfkey_msg_policy(m);
	const struct sadb_x_ipsecrequest *r = NULL;
	char *text;

	assert_non_null(p);
	assert_int_equal(p->sadb_x_policy_dir, x->dir);
	assert_int_equal(p->sadb_x_policy_type, x->ptype);
	for (size_t i = 0; i < 3 && x->req[i].proto; i++) {
		const struct sockaddr *s, *d;

		r = pfkey_policy_next_request(p, r);
		assert_non_null(r);
		assert_int_equal(r->sadb_x_ipsecrequest_proto, x->req[i].proto);
		assert_int_equal(r->sadb_x_ipsecrequest_mode, x->req[i].mode);
		assert_int_equal(r->sadb_x_ipsecrequest_level, x->req[i].level);
		if (x->req[i].tsrc) {
			assert_int_equal(pfkey_request_addrs(r, &s, &d), 0);
			check_tunnel(s, x->req[i].tsrc);
			check_tunnel(d, x->req[i].tdst);
		} else {
			assert_int_equal(pfkey_request_addrs(r, &s, &d), -ENOENT);
		}
	}
	assert_null(pfkey_policy_next_request(p, r));

	text = ipsec_dump_policy((const char *)p, " ");
	assert_non_null(text);
	assert_string_equal(text, x->policy);
	free(text);
}

static void check_msg(const void *buf, size_t len, const struct xmsg *x,
		      uint32_t seq)
{
	struct pfkey_msg m;

	assert_int_equal(pfkey_parse(buf, len, &m), 0);
	assert_int_equal(m.hdr->sadb_msg_version, PF_KEY_V2);
	assert_int_equal(m.hdr->sadb_msg_type, x->type);
	assert_int_equal(m.hdr->sadb_msg_seq, seq);
	assert_int_equal(m.hdr->sadb_msg_pid, 4242);
	assert_int_equal(m.hdr->sadb_msg_errno, 0);

	if (x->type == SADB_X_SPDADD) {
		assert_int_equal(m.hdr->sadb_msg_satype, SADB_SATYPE_UNSPEC);
		check_addr(&m, SADB_EXT_ADDRESS_SRC, x->src, x->splen, x->sport,
			   x->proto);
		check_addr(&m, SADB_EXT_ADDRESS_DST, x->dst, x->dplen, x->dport,
			   x->proto);
		assert_null(pfkey_msg_sa(&m));
		check_policy(&m, x);
		return;
	}

	const struct sadb_sa *sa = pfkey_msg_sa(&m);
	const struct sadb_x_sa2 *sa2 = pfkey_msg_sa2(&m);

	assert_int_equal(m.hdr->sadb_msg_satype, x->satype);
	check_addr(&m, SADB_EXT_ADDRESS_SRC, x->src, 32, 0, IPSEC_ULPROTO_ANY);
	check_addr(&m, SADB_EXT_ADDRESS_DST, x->dst, 32, 0, IPSEC_ULPROTO_ANY);
	assert_non_null(sa);
	assert_int_equal(ntohl(sa->sadb_sa_spi), x->spi);
	assert_int_equal(sa->sadb_sa_replay, 0);
	assert_int_equal(sa->sadb_sa_state, SADB_SASTATE_LARVAL);
	assert_int_equal(sa->sadb_sa_encrypt, x->ealg);
	assert_int_equal(sa->sadb_sa_auth, x->aalg);
	assert_int_equal(sa->sadb_sa_flags, SADB_X_EXT_CYCSEQ);
	assert_non_null(sa2);
	assert_int_equal(sa2->sadb_x_sa2_mode, x->mode);
	assert_int_equal(sa2->sadb_x_sa2_reqid, 0);
	check_key(&m, SADB_EXT_KEY_ENCRYPT, x->ekey);
	check_key(&m, SADB_EXT_KEY_AUTH, x->akey);
	assert_null(pfkey_msg_policy(&m));
	assert_null(pfkey_msg_lifetime(&m, SADB_EXT_LIFETIME_HARD));
	assert_null(pfkey_msg_lifetime(&m, SADB_EXT_LIFETIME_SOFT));
}

static void check_seed(const struct seed *s)
{
	struct sk_prog prog;
	size_t len;
	char *src = read_seed(s->file, &len);
	int rc = sk_parse(&prog, s->file, src, len);

	free(src);
	if (s->diags) {
		unsigned i = 0;

		for (; s->diags[i]; i++) {
			char got[SK_DIAG_LEN + 32];

			assert_true(i < prog.ndiags);
			snprintf(got, sizeof(got), "%u:%u: %s%s",
				 prog.diags[i].pos.line, prog.diags[i].pos.col,
				 prog.diags[i].warning ? "warning: " : "",
				 prog.diags[i].msg);
			assert_string_equal(got, s->diags[i]);
		}
		assert_int_equal(prog.ndiags, i);
	} else {
		assert_int_equal(prog.ndiags, 0);
	}

	if (s->reject) {
		assert_int_equal(rc, -1);
		assert_true(prog.nerrors > 0);
		sk_prog_free(&prog);
		return;
	} else {
		assert_int_equal(rc, 0);
		assert_int_equal(prog.nerrors, 0);
		assert_int_equal(prog.nstmts, s->n);
	}

	uint32_t seq = 0;
	size_t i = 0;

	for (const struct sk_stmt *st = prog.head; st; st = st->next, i++) {
		uint8_t mem[4096];
		struct pfkey_buf b;

		assert_true(i < s->n);
		pfkey_buf_init(&b, mem, sizeof(mem));
		assert_int_equal(sk_compile(st, &b, ++seq, 4242), 0);
		check_msg(pfkey_buf_msg(&b), pfkey_buf_msglen(&b), &s->msgs[i],
			  seq);
	}
	sk_prog_free(&prog);
}

static void test_seed(void **state)
{
	check_seed(*state);
}

/* Every seed file in the directory is in the table above. */
static void test_seed_count(void **state)
{
	char *src;
	size_t len;

	(void)state;
	assert_int_equal(sizeof(seeds) / sizeof(seeds[0]), 32);
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		src = read_seed(seeds[i].file, &len);
		/* SPDX line first, as on every file of the project */
		assert_int_equal(strncmp(src, "# SPDX-License-Identifier: BSD-2-Clause\n", 40), 0);
		free(src);
	}
}

int main(void)
{
	enum { N = sizeof(seeds) / sizeof(seeds[0]) };
	struct CMUnitTest tests[N + 1];

	/* one test per seed file, named after it */
	for (size_t i = 0; i < N; i++)
		tests[i] = (struct CMUnitTest){ seeds[i].file, test_seed, NULL,
						NULL, (void *)&seeds[i] };
	tests[N] = (struct CMUnitTest)cmocka_unit_test(test_seed_count);
	return _cmocka_run_group_tests("setkey_seeds", tests, N + 1, NULL, NULL);
}
