// SPDX-License-Identifier: BSD-2-Clause
/*
 * ipsecstat(8): the seed's `netstat -nsp ipsec` transcript (inventory
 * Appendix D.2) reproduced byte for byte from a kipsec_stat fixture, both
 * families, every histogram kind, forward compatibility (unknown names and
 * keys), malformed lines with their line numbers, the per-SA table, JSON
 * (checked against an expected text and by a small validating parser) and
 * the command line's messages.  Fixtures: tests/unit/fixtures/ipsecstat/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../setkey/ipsecstat.h"

/* Appendix D.2, with the tabs KAME's netstat prints. */
static const char d2[] =
	"ipsec:\n"
	"\t406 inbound packets processed successfully\n"
	"\t0 inbound packets violated process security policy\n"
	"\t351 inbound packets with no SA available\n"
	"\t0 invalid inbound packets\n"
	"\t0 inbound packets failed due to insufficient memory\n"
	"\t0 inbound packets failed getting SPI\n"
	"\t0 inbound packets failed on AH replay check\n"
	"\t0 inbound packets failed on ESP replay check\n"
	"\t0 inbound packets considered authentic\n"
	"\t0 inbound packets failed on authentication\n"
	"\tESP input histogram:\n"
	"\t\t3des-cbc: 406\n"
	"\t582 outbound packets processed successfully\n"
	"\t0 outbound packets violated process security policy\n"
	"\t0 outbound packets with no SA available\n"
	"\t0 invalid outbound packets\n"
	"\t0 outbound packets failed due to insufficient memory\n"
	"\t0 outbound packets with no route\n"
	"\tESP output histogram:\n"
	"\t\t3des-cbc: 582\n";

static const char idle6[] =
	"ipsec6:\n"
	"\t0 inbound packets processed successfully\n"
	"\t0 inbound packets violated process security policy\n"
	"\t0 inbound packets with no SA available\n"
	"\t0 invalid inbound packets\n"
	"\t0 inbound packets failed due to insufficient memory\n"
	"\t0 inbound packets failed getting SPI\n"
	"\t0 inbound packets failed on AH replay check\n"
	"\t0 inbound packets failed on ESP replay check\n"
	"\t0 inbound packets considered authentic\n"
	"\t0 inbound packets failed on authentication\n"
	"\t0 outbound packets processed successfully\n"
	"\t0 outbound packets violated process security policy\n"
	"\t0 outbound packets with no SA available\n"
	"\t0 invalid outbound packets\n"
	"\t0 outbound packets failed due to insufficient memory\n"
	"\t0 outbound packets with no route\n";

static const char d2_sas[] =
	"\nSecurity associations:\n"
	"PROTO  SRC       DST       SPI         DIR  MODE       REQID  ALGORITHMS"
	"  PACKETS  BYTES  REPLAY  AUTHFAIL  INVALID\n"
	"esp    20.1.1.1  10.1.1.1  0x00002710  in   transport      0  3des-cbc  "
	"      406  48720       0         0        0\n"
	"esp    10.1.1.1  20.1.1.1  0x00002694  out  transport      0  3des-cbc  "
	"      582  69840       0         0        0\n";

/* ------------------------------------------------------------------------
 * Helpers
 */
static const char *fixture_dir(void)
{
	static char dir[1024];
	char exe[512];
	ssize_t n;

	snprintf(dir, sizeof(dir), "tests/unit/fixtures/ipsecstat/d2");
	if (access(dir, R_OK) == 0)
		return dir;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';	/* build/san/test_x -> ../../tests/unit/fixtures */
	snprintf(dir, sizeof(dir), "%s/../../tests/unit/fixtures/ipsecstat/d2",
		 dirname(exe));
	assert_int_equal(access(dir, R_OK), 0);
	return dir;
}

struct result {
	int status;
	char *out, *err;
};

/* Runs ipsecstat_main with KIPSEC_PROC_DIR=dir and up to 4 options. */
static struct result run(const char *dir, const char *a1, const char *a2)
{
	char *argv[4] = { "ipsecstat", (char *)a1, (char *)a2, NULL };
	int argc = a1 ? (a2 ? 3 : 2) : 1;
	struct result r;
	size_t olen, elen;
	FILE *out = open_memstream(&r.out, &olen);
	FILE *err = open_memstream(&r.err, &elen);

	assert_non_null(out);
	assert_non_null(err);
	if (dir)
		setenv("KIPSEC_PROC_DIR", dir, 1);
	else
		unsetenv("KIPSEC_PROC_DIR");
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

static int parse_stat_text(const char *text, struct ips_stat *st,
			   struct ips_err *e)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int r;

	assert_non_null(f);
	r = ips_parse_stat(f, st, e);
	fclose(f);
	return r;
}

static int parse_sa_text(const char *text, struct ips_sa_list *l,
			 struct ips_err *e)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int r;

	assert_non_null(f);
	r = ips_parse_sa(f, l, e);
	fclose(f);
	return r;
}

/* Text output of a kipsec_stat text for the given families. */
static char *format_stat(const char *text, bool v4, bool v6)
{
	static struct ips_stat st;
	struct ips_opts o = { .family = { v4, v6 } };
	struct ips_err e = { 0 };
	char *buf;
	size_t len;
	FILE *out = open_memstream(&buf, &len);

	if (parse_stat_text(text, &st, &e) < 0)
		fail_msg("line %u: %s", e.line, e.msg);
	ips_print_text(out, &st, &o);
	fclose(out);
	return buf;
}

/* A small JSON parser that accepts exactly RFC 8259 values (no
 * duplicate-key check); returns the end of the value or NULL. */
static const char *json_value(const char *p);

static const char *json_ws(const char *p)
{
	return p + strspn(p, " \t\r\n");
}

static const char *json_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (; *p != '"'; p++) {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				if (strspn(p + 1, "0123456789abcdefABCDEF") < 4)
					return NULL;
				p += 4;
			} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
	}
	return p + 1;
}

static const char *json_list(const char *p, char close, bool object)
{
	p = json_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (object) {
			p = json_string(json_ws(p));
			if (!p || *(p = json_ws(p)) != ':')
				return NULL;
			p++;
		}
		p = json_value(p);
		if (!p)
			return NULL;
		p = json_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *json_value(const char *p)
{
	p = json_ws(p);
	if (*p == '{')
		return json_list(p, '}', true);
	if (*p == '[')
		return json_list(p, ']', false);
	if (*p == '"')
		return json_string(p);
	if (strncmp(p, "null", 4) == 0)
		return p + 4;
	if (*p >= '1' && *p <= '9')
		return p + strspn(p, "0123456789");
	return *p == '0' ? p + 1 : NULL;
}

static void assert_json(const char *text)
{
	const char *end = json_value(text);

	assert_non_null(end);
	assert_string_equal(json_ws(end), "");
}

/* ------------------------------------------------------------------------
 * Text output
 */
static void test_d2_golden(void **state)
{
	(void)state;
	struct result r = run(fixture_dir(), "-4", NULL);

	assert_int_equal(r.status, 0);
	assert_string_equal(r.err, "");
	assert_string_equal(r.out, d2);
	result_free(&r);
}

static void test_both_families(void **state)
{
	(void)state;
	struct result r = run(fixture_dir(), NULL, NULL);
	char *v6;

	assert_int_equal(r.status, 0);
	assert_int_equal(strlen(r.out), strlen(d2) + strlen(idle6));
	assert_memory_equal(r.out, d2, strlen(d2));
	assert_string_equal(r.out + strlen(d2), idle6);
	result_free(&r);

	r = run(fixture_dir(), "-6", NULL);
	assert_string_equal(r.out, idle6);
	result_free(&r);

	/* IPv6 lines go to ipsec6 only; 1 is singular, as in KAME. */
	v6 = format_stat("ipv6 in_success 1\nipv6 in_inval 1\n"
			 "ipv6 out_noroute 2\nipv6 out_esphist 12 1\n",
			 false, true);
	assert_non_null(strstr(v6, "ipsec6:\n\t1 inbound packet processed "
			       "successfully\n"));
	assert_non_null(strstr(v6, "\t1 invalid inbound packet\n"));
	assert_non_null(strstr(v6, "\t2 outbound packets with no route\n"
			       "\tESP output histogram:\n\t\taes-cbc: 1\n"));
	free(v6);
	v6 = format_stat("ipv6 in_success 1\n", true, false);
	assert_null(strstr(v6, "\t1 inbound"));
	free(v6);
}

/* IPcomp's counters, not in KAME's layout, appear only when not zero. */
static void test_ipcomp_counters(void **state)
{
	(void)state;
	char *out = format_stat("ipv4 out_noroute 1\nipv4 out_comp 5\n"
				"ipv4 out_nocomp_small 1\n"
				"ipv4 out_nocomp_backoff 0\n"
				"ipv4 out_comphist 2 5\n", true, false);

	assert_non_null(strstr(out, "\t1 outbound packet with no route\n"
			       "\t5 outbound packets compressed\n"
			       "\t1 outbound packet too small to compress\n"
			       "\tIPComp output histogram:\n\t\tdeflate: 5\n"));
	assert_null(strstr(out, "backoff"));
	assert_null(strstr(out, "not smaller"));
	free(out);
	out = format_stat("ipv4 out_success 1\n", true, false);
	assert_null(strstr(out, "compress"));
	free(out);
}

static void test_histograms(void **state)
{
	(void)state;
	char *out = format_stat(
		"ipv4 in_esphist 12 7\n"	/* aes-cbc */
		"ipv4 in_esphist 99 1\n"	/* unknown id */
		"ipv4 in_ahhist 2 3\n"		/* hmac-md5 */
		"ipv4 in_ahhist 5 4\n"		/* hmac-sha2-256 */
		"ipv4 in_comphist 2 5\n"	/* deflate */
		"ipv4 out_esphist 28 6\n"	/* chacha20-poly1305 */
		"ipv4 out_ahhist 251 8\n"	/* null (KAME's id) */
		"ipv4 out_comphist 3 9\n"	/* lzs */
		"ipv4 out_comphist 0 0\n",	/* zero: not listed */
		true, false);

	/* KAME's order: AH, ESP, IPComp after each direction's counters. */
	assert_non_null(strstr(out,
		"failed on authentication\n"
		"\tAH input histogram:\n\t\thmac-md5: 3\n\t\thmac-sha2-256: 4\n"
		"\tESP input histogram:\n\t\taes-cbc: 7\n\t\t#99: 1\n"
		"\tIPComp input histogram:\n\t\tdeflate: 5\n"
		"\t0 outbound packets processed successfully\n"));
	assert_non_null(strstr(out,
		"with no route\n"
		"\tAH output histogram:\n\t\tnull: 8\n"
		"\tESP output histogram:\n\t\tchacha20-poly1305: 6\n"
		"\tIPComp output histogram:\n\t\tlzs: 9\n"));
	assert_null(strstr(out, "#0"));
	free(out);
}

static void test_alg_names(void **state)
{
	(void)state;
	char buf[8];

	assert_string_equal(ips_alg_str(PFKEY_ALG_ENCRYPT, 3, buf), "3des-cbc");
	assert_string_equal(ips_alg_str(PFKEY_ALG_AUTH, 3, buf), "hmac-sha1");
	assert_string_equal(ips_alg_str(PFKEY_ALG_COMP, 2, buf), "deflate");
	assert_string_equal(ips_alg_str(PFKEY_ALG_ENCRYPT, 12, buf), "aes-cbc");
	assert_string_equal(ips_alg_str(PFKEY_ALG_COMP, 200, buf), "#200");
	assert_string_equal(ips_alg_str(PFKEY_ALG_ENCRYPT, 255, buf), "#255");
}

static void test_unknown_ignored(void **state)
{
	(void)state;
	char *out = format_stat(
		"# a comment\n"
		"   # an indented comment\n"
		"\n"
		"ipv4 in_success 406\n"
		"ipv4 in_future 12\n"
		"ipv4 in_futurehist 3 9\n"
		"ipv4 in_future3 1 2 3 4 5\n"
		"ipv6 out_whatever x\n"
		"ipv4\tin_nosa  351\r\n",
		true, false);

	assert_non_null(strstr(out, "\t406 inbound packets processed"));
	assert_non_null(strstr(out, "\t351 inbound packets with no SA"));
	assert_null(strstr(out, "histogram"));
	free(out);
}

/* ------------------------------------------------------------------------
 * Malformed input
 */
struct bad {
	const char *text;
	unsigned line;
	const char *msg;	/* a substring of the message */
};

static const struct bad bad_stat[] = {
	{ "ipv4 in_success abc\n", 1, "'abc' is not a decimal number" },
	{ "ipv4 in_success -1\n", 1, "not a decimal number" },
	{ "ipv4 in_success +1\n", 1, "not a decimal number" },
	{ "ipv4 in_success 0x10\n", 1, "not a decimal number" },
	{ "ipv4 in_success 1.5\n", 1, "not a decimal number" },
	{ "ipv4 in_success 18446744073709551616\n", 1, "out of range" },
	{ "ipv4 in_success 99999999999999999999999\n", 1, "out of range" },
	{ "# c\n\nipv4 in_success 1\nipv4 in_nosa\n", 4, "missing fields" },
	{ "ipv4\n", 1, "missing fields" },
	{ "ipv4 in_success 1 2\n", 1, "in_success needs FAMILY NAME VALUE" },
	{ "ipv5 in_success 1\n", 1, "unknown family 'ipv5'" },
	{ "ipv4 in_esphist 3\n", 1, "in_esphist needs FAMILY in_esphist ALGID" },
	{ "ipv4 in_esphist 3 1 1\n", 1, "got 5 fields" },
	{ "ipv4 in_esphist 256 1\n", 1, "algorithm id value '256' is out of range" },
	{ "ipv4 in_esphist x 1\n", 1, "algorithm id value 'x'" },
	{ "ipv4 out_ahhist 2 1e3\n", 1, "out_ahhist value '1e3'" },
	{ "ipv4 in_nosa 1\nipv6 in_nosa 1\nipv4 in_nosa 2\n", 3,
	  "duplicate ipv4 in_nosa" },
	{ "ipv4 in_ahhist 2 1\nipv4 in_ahhist 2 1\n", 2, "duplicate" },
};

static void test_malformed_stat(void **state)
{
	(void)state;
	static struct ips_stat st;

	for (size_t i = 0; i < sizeof(bad_stat) / sizeof(bad_stat[0]); i++) {
		struct ips_err e = { 0 };

		if (parse_stat_text(bad_stat[i].text, &st, &e) == 0)
			fail_msg("accepted: %s", bad_stat[i].text);
		if (e.line != bad_stat[i].line || !strstr(e.msg, bad_stat[i].msg))
			fail_msg("%s: got line %u '%s'", bad_stat[i].text,
				 e.line, e.msg);
	}
	/* The largest u64 is fine. */
	struct ips_err e = { 0 };

	assert_int_equal(parse_stat_text("ipv6 out_nomem 18446744073709551615\n",
					 &st, &e), 0);
	assert_true(st.fam[IPS_INET6].counter[IPS_OUT_NOMEM] == UINT64_MAX);
}

/* The command reports the file and line once, prints nothing else. */
static void test_malformed_reported_once(void **state)
{
	(void)state;
	char dir[] = "/tmp/ipsecstat-test-XXXXXX", path[64];
	struct result r;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/kipsec_stat", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("# header\nipv4 in_success 1\nipv4 in_nosa 12x\nipv4 bad\n", f);
	fclose(f);

	r = run(dir, NULL, NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	char want[200];

	snprintf(want, sizeof(want), "ipsecstat: %s:3: in_nosa value '12x' "
		 "is not a decimal number\n", path);
	assert_string_equal(r.err, want);
	result_free(&r);
	unlink(path);
	rmdir(dir);
}

static const struct bad bad_sa[] = {
	{ "proto=esp src=1.1.1.1 dst=2.2.2.2\n", 1, "missing spi=" },
	{ "src=1.1.1.1 dst=2.2.2.2 spi=1\n", 1, "missing proto=" },
	{ "proto=esp src=1.1.1.1 dst=2.2.2.2 spi=0xZZ\n", 1,
	  "spi value '0xZZ' is not a number" },
	{ "proto=esp src=1.1.1.1 dst=2.2.2.2 spi=0x100000000\n", 1,
	  "out of range" },
	{ "\n# c\nproto=esp src=1.1.1.1 dst=2.2.2.2 spi=1 ealg=256\n", 3,
	  "ealg value '256' is out of range" },
	{ "proto=esp src=1.1.1.1 dst=2.2.2.2 spi=1 packets=-3\n", 1,
	  "packets value" },
	{ "proto=esp src=1.1.1.1 dst=2.2.2.2 spi=1 spi=2\n", 1, "duplicate spi=" },
	{ "proto=esp src=1.1.1.1 dst=2.2.2.2 spi=1 junk\n", 1,
	  "'junk' is not key=value" },
	{ "proto=esp src=1.1.1.1 dst=2.2.2.2 spi=1 =x\n", 1, "not key=value" },
	{ "proto=esp src= dst=2.2.2.2 spi=1\n", 1, "empty value for src=" },
	{ "proto=esp src=1.1.1.1 dst=2.2.2.2 spi=1\n"
	  "proto=esp src=1.1.1.1 dst=2.2.2.2 spi=1 dir=\001\n", 2,
	  "non-printable" },
};

static void test_malformed_sa(void **state)
{
	(void)state;

	for (size_t i = 0; i < sizeof(bad_sa) / sizeof(bad_sa[0]); i++) {
		struct ips_sa_list l;
		struct ips_err e = { 0 };

		if (parse_sa_text(bad_sa[i].text, &l, &e) == 0)
			fail_msg("accepted: %s", bad_sa[i].text);
		if (e.line != bad_sa[i].line || !strstr(e.msg, bad_sa[i].msg))
			fail_msg("%s: got line %u '%s'", bad_sa[i].text,
				 e.line, e.msg);
		assert_int_equal(l.n, 0);
	}
}

/* ------------------------------------------------------------------------
 * SAs and JSON
 */
static void test_sa_table(void **state)
{
	(void)state;
	struct result r = run(fixture_dir(), "-4", "-s");
	char want[4096];

	assert_int_equal(r.status, 0);
	snprintf(want, sizeof(want), "%s%s", d2, d2_sas);
	assert_string_equal(r.out, want);
	result_free(&r);

	r = run(fixture_dir(), "-6s", NULL);
	assert_non_null(strstr(r.out, "\nesp    2001:db8::1  2001:db8::2  "
			       "0x00001000  in   tunnel  16385  aes-gcm-16  "
			       "     12   1008       1         2        3\n"));
	assert_null(strstr(r.out, "20.1.1.1"));
	result_free(&r);
}

static void test_sa_parse(void **state)
{
	(void)state;
	struct ips_sa_list l;
	struct ips_err e = { 0 };
	struct ips_opts o = { .family = { true, true }, .sas = true };
	char *buf;
	size_t len;
	FILE *out;

	/* The kernel's example line, an unknown key, then an AH SA with
	 * only the required keys and an IPComp one. */
	assert_int_equal(parse_sa_text(
		"proto=esp src=10.1.1.1 dst=20.1.1.1 spi=0x00001000 "
		"mode=transport reqid=0 ealg=3 aalg=2 packets=12 bytes=1008 "
		"replay=0 auth=1 invalid=0 dir=in future=yes\n"
		"proto=ah src=fe80::1%2 dst=fe80::2 spi=300\n"
		"proto=ipcomp src=1.1.1.1 dst=2.2.2.2 spi=0x2000 calg=2\n",
		&l, &e), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].proto, "esp");
	assert_int_equal(l.v[0].spi, 0x1000);
	assert_int_equal(l.v[0].ealg, 3);
	assert_int_equal(l.v[0].aalg, 2);
	assert_int_equal(l.v[0].auth, 1);
	assert_int_equal(l.v[0].family, IPS_INET);
	assert_int_equal(l.v[1].family, IPS_INET6);
	assert_int_equal(l.v[1].spi, 300);
	assert_null(l.v[1].mode);

	out = open_memstream(&buf, &len);
	ips_print_sas(out, &l, &o);
	fclose(out);
	assert_non_null(strstr(buf, "  3des-cbc,hmac-md5  "));
	assert_non_null(strstr(buf, "\nah      fe80::1%2  fe80::2   0x0000012c  -    -"));
	assert_non_null(strstr(buf, "  deflate     "));
	free(buf);

	o.family[IPS_INET] = o.family[IPS_INET6] = false;
	out = open_memstream(&buf, &len);
	ips_print_sas(out, &l, &o);
	fclose(out);
	assert_string_equal(buf, "Security associations: none\n");
	free(buf);
	ips_sa_list_free(&l);
}

/* Packets nested too deep, not in KAME's layout, appear only when not zero. */
static void test_nested_counter(void **state)
{
	(void)state;
	char *out = format_stat("ipv4 in_authfail 2\nipv4 in_nested 3\n",
				true, false);

	assert_non_null(strstr(out, "\t2 inbound packets failed on authentication\n"
			       "\t3 inbound packets nested too deep\n"));
	free(out);
	out = format_stat("ipv4 in_authfail 2\nipv4 in_nested 0\n", true,
			  false);
	assert_null(strstr(out, "nested"));
	free(out);
}

static const char json_v4_head[] =
	"{\n  \"ipv4\": {\n"
	"    \"in_success\": 406,\n    \"in_polvio\": 0,\n"
	"    \"in_nosa\": 351,\n    \"in_inval\": 0,\n    \"in_nomem\": 0,\n"
	"    \"in_badspi\": 0,\n    \"in_ahreplay\": 0,\n"
	"    \"in_espreplay\": 0,\n    \"in_authsucc\": 0,\n"
	"    \"in_authfail\": 0,\n    \"out_success\": 582,\n"
	"    \"out_polvio\": 0,\n    \"out_nosa\": 0,\n    \"out_inval\": 0,\n"
	"    \"out_nomem\": 0,\n    \"out_noroute\": 0,\n"
	"    \"out_comp\": 0,\n    \"out_nocomp_small\": 0,\n"
	"    \"out_nocomp_larger\": 0,\n    \"out_nocomp_backoff\": 0,\n"
	"    \"in_nested\": 0,\n"
	"    \"histograms\": {\n"
	"      \"in_esphist\": {\n        \"3des-cbc\": 406\n      },\n"
	"      \"in_ahhist\": {},\n      \"in_comphist\": {},\n"
	"      \"out_esphist\": {\n        \"3des-cbc\": 582\n      },\n"
	"      \"out_ahhist\": {},\n      \"out_comphist\": {}\n"
	"    }\n  }";

static void test_json(void **state)
{
	(void)state;
	struct result r = run(fixture_dir(), "-4j", NULL);
	char want[4096];

	assert_int_equal(r.status, 0);
	snprintf(want, sizeof(want), "%s\n}\n", json_v4_head);
	assert_string_equal(r.out, want);
	assert_json(r.out);
	result_free(&r);

	r = run(fixture_dir(), "-j", "-s");
	assert_int_equal(r.status, 0);
	assert_json(r.out);
	assert_memory_equal(r.out, json_v4_head, strlen(json_v4_head));
	assert_non_null(strstr(r.out, ",\n  \"ipv6\": {\n    \"in_success\": 0,"));
	assert_non_null(strstr(r.out, ",\n  \"sas\": [\n    {\"proto\": \"esp\", "
		"\"src\": \"20.1.1.1\", \"dst\": \"10.1.1.1\", \"spi\": 10000, "
		"\"mode\": \"transport\", \"dir\": \"in\", \"reqid\": 0, "
		"\"ealg\": \"3des-cbc\", \"aalg\": null, \"calg\": null, "
		"\"packets\": 406, \"bytes\": 48720, \"replay\": 0, "
		"\"auth\": 0, \"invalid\": 0},\n"));
	assert_non_null(strstr(r.out, "\"invalid\": 3}\n  ]\n}\n"));
	result_free(&r);

	/* Quotes and backslashes from the file stay valid JSON. */
	struct ips_sa_list l;
	struct ips_err e = { 0 };
	struct ips_opts o = { .family = { true, true }, .sas = true,
			      .json = true };
	static struct ips_stat st;
	char *buf;
	size_t len;
	FILE *out;

	assert_int_equal(parse_sa_text("proto=e\"s\\p src=a dst=b spi=1\n",
				       &l, &e), 0);
	out = open_memstream(&buf, &len);
	ips_print_json(out, &st, &l, &o);
	fclose(out);
	assert_json(buf);
	assert_non_null(strstr(buf, "\"proto\": \"e\\\"s\\\\p\""));
	free(buf);
	ips_sa_list_free(&l);

	out = open_memstream(&buf, &len);
	o.family[IPS_INET] = false;
	ips_print_json(out, &st, NULL, &o);
	fclose(out);
	assert_json(buf);
	assert_non_null(strstr(buf, "\n  \"sas\": []\n}\n"));
	assert_null(strstr(buf, "ipv4"));
	free(buf);
}

/* ------------------------------------------------------------------------
 * Command line
 */
static void test_missing_files(void **state)
{
	(void)state;
	struct result r = run("/nonexistent-kipsec", NULL, NULL);

	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_string_equal(r.err, "ipsecstat: kipsec.ko is not loaded "
			    "(no /nonexistent-kipsec/kipsec_stat)\n");
	result_free(&r);

	if (access("/proc/net/kipsec_stat", F_OK) != 0) {
		r = run(NULL, NULL, NULL);
		assert_int_equal(r.status, 1);
		assert_string_equal(r.err, "ipsecstat: kipsec.ko is not loaded "
				    "(no /proc/net/kipsec_stat)\n");
		result_free(&r);
	}

	/* -s needs kipsec_sa as well. */
	char dir[] = "/tmp/ipsecstat-test-XXXXXX", path[64], want[200];
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/kipsec_stat", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	r = run(dir, "-s", NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	snprintf(want, sizeof(want), "ipsecstat: %s/kipsec_sa: No such file "
		 "or directory\n", dir);
	assert_string_equal(r.err, want);
	result_free(&r);
	unlink(path);
	rmdir(dir);
}

static void test_usage(void **state)
{
	(void)state;
	struct result r = run(fixture_dir(), "-h", NULL);

	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "usage: ipsecstat [-46js]"));
	assert_string_equal(r.err, "");
	result_free(&r);

	r = run(fixture_dir(), "-z", NULL);
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "ipsecstat: unknown option -z\nusage:"));
	result_free(&r);

	r = run(fixture_dir(), "-4", "extra");
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "unexpected argument 'extra'"));
	result_free(&r);

	/* -4 -6 together: both families. */
	r = run(fixture_dir(), "-4", "-6");
	assert_int_equal(r.status, 0);
	assert_int_equal(strlen(r.out), strlen(d2) + strlen(idle6));
	result_free(&r);
}

static void test_write_error(void **state)
{
	(void)state;
	FILE *full = fopen("/dev/full", "w");
	char *argv[] = { "ipsecstat", NULL };
	char *ebuf;
	size_t elen;
	FILE *err;

	if (!full)
		skip();
	err = open_memstream(&ebuf, &elen);
	setenv("KIPSEC_PROC_DIR", fixture_dir(), 1);
	assert_int_equal(ipsecstat_main(1, argv, full, err), 1);
	fclose(full);
	fclose(err);
	assert_non_null(strstr(ebuf, "ipsecstat: write error"));
	free(ebuf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_d2_golden),
		cmocka_unit_test(test_both_families),
		cmocka_unit_test(test_ipcomp_counters),
		cmocka_unit_test(test_nested_counter),
		cmocka_unit_test(test_histograms),
		cmocka_unit_test(test_alg_names),
		cmocka_unit_test(test_unknown_ignored),
		cmocka_unit_test(test_malformed_stat),
		cmocka_unit_test(test_malformed_reported_once),
		cmocka_unit_test(test_malformed_sa),
		cmocka_unit_test(test_sa_table),
		cmocka_unit_test(test_sa_parse),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_missing_files),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests_name("ipsecstat", tests, NULL, NULL);
}
