// SPDX-License-Identifier: BSD-2-Clause
/*
 * ikdctl's server side without a socket: the request parser, the bounded
 * reply, the verb table, and what show/stats print, as text and as JSON
 * (read back with jansson). A real engine behind a fake kernel: initiate
 * turns an SPD policy into an IKE SA whose identity and name are hostile
 * bytes, which must come out escaped and as valid JSON.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <jansson.h>
#include <linux/ipsec.h>
#include <stdlib.h>
#include <string.h>

#include "../../ikd/ctl.h"
#include "fake_kernel.h"
#include "fake_kernel.c"

/* ---- the parser ---------------------------------------------------------- */

static int parse(const char *s, struct ikd_ctl_req *r, const char **why)
{
	*why = NULL;
	return ikd_ctl_parse(s, strlen(s), r, why);
}

static void test_parse_words(void **state)
{
	struct ikd_ctl_req r;
	const char *why;

	(void)state;
	assert_int_equal(parse("  show\tike  --json \r", &r, &why), 0);
	assert_int_equal(r.argc, 2);
	assert_string_equal(r.argv[0], "show");
	assert_string_equal(r.argv[1], "ike");
	assert_true(r.json);
	assert_int_equal(parse("--json stats", &r, &why), 0);
	assert_int_equal(r.argc, 1);
	assert_true(r.json);
	assert_int_equal(parse("initiate 192.0.2.1", &r, &why), 0);
	assert_false(r.json);
	assert_string_equal(r.argv[1], "192.0.2.1");
	/* "--jsonx" is a word, not the option. */
	assert_int_equal(parse("show --jsonx", &r, &why), 0);
	assert_int_equal(r.argc, 2);
	assert_false(r.json);
}

static void test_parse_refuses(void **state)
{
	struct ikd_ctl_req r;
	const char *why;
	char line[IKD_CTL_MAX_LINE + 8];

	(void)state;
	assert_int_equal(parse("", &r, &why), -EINVAL);
	assert_non_null(why);
	assert_int_equal(parse(" \t --json ", &r, &why), -EINVAL);
	assert_int_equal(parse("show\x1b[31m", &r, &why), -EINVAL);
	assert_int_equal(parse("show \xc3\xa9", &r, &why), -EINVAL);
	assert_int_equal(ikd_ctl_parse("show\0ike", 8, &r, &why), -EINVAL);
	assert_int_equal(parse("a b c d e f g h", &r, &why), 0);
	assert_int_equal(r.argc, IKD_CTL_MAX_WORDS);
	assert_int_equal(parse("a b c d e f g h i", &r, &why), -EINVAL);
	memset(line, 'a', sizeof(line));
	assert_int_equal(ikd_ctl_parse(line, IKD_CTL_MAX_LINE - 1, &r, &why), 0);
	assert_int_equal(ikd_ctl_parse(line, IKD_CTL_MAX_LINE, &r, &why),
			 -EINVAL);
	assert_int_equal(ikd_ctl_parse(line, sizeof(line), &r, &why), -EINVAL);
}

/* ---- the reply ------------------------------------------------------------ */

static void test_printable(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(ikd_ctl_printable((const uint8_t *)"a\"b\\c\n\xff",
					      7, buf, sizeof(buf)),
			    "a\"b\\\\c\\x0a\\xff");
	/* Cut whole: never half an escape. */
	assert_string_equal(ikd_ctl_printable((const uint8_t *)"ab\x01", 3, buf,
					      5), "ab");
}

static void test_out_bounded(void **state)
{
	struct ikd_ctl_out o;
	char chunk[4097];

	(void)state;
	ikd_ctl_out_init(&o);
	ikd_ctl_printf(&o, "OK\n");
	ikd_ctl_error(&o, IKD_CTL_E_PEER, "no %s", "peer");
	assert_string_equal(o.buf, "ERR unknown-peer no peer\n");
	memset(chunk, 'x', sizeof(chunk) - 1);
	chunk[sizeof(chunk) - 1] = '\0';
	for (int i = 0; i < 2000; i++)
		ikd_ctl_printf(&o, "%s", chunk);
	assert_true(o.truncated);
	assert_true(o.len < IKD_CTL_MAX_OUT);
	assert_true(o.len + sizeof(chunk) > IKD_CTL_MAX_OUT);
	ikd_ctl_out_free(&o);
}

/* ---- the verbs, against an engine behind a fake kernel --------------------- */

struct bench {
	struct fake_kernel *k;
	struct fake_timers t;
	struct ike_engine *e;
	struct ike_peer_cfg peer;
	struct ike_child_cfg child;
	struct ikd_ctl_env env;
	unsigned int sent, reloads;
};

static void net_send(void *arg, const struct ikd_addr *l,
		     const struct ikd_addr *r, const uint8_t *b, size_t n)
{
	struct bench *be = arg;

	(void)l;
	(void)r;
	(void)b;
	(void)n;
	be->sent++;
}

static const struct ike_peer_cfg *eng_peer(void *arg, const struct ikd_addr *l,
					   const struct ikd_addr *r)
{
	(void)l;
	(void)r;
	return &((struct bench *)arg)->peer;
}

static int eng_psk(void *arg, const struct ike_peer_cfg *p,
		   const struct ike_id *id, const struct ikd_addr *r,
		   uint8_t *key, size_t cap, size_t *len)
{
	(void)arg;
	(void)p;
	(void)id;
	(void)r;
	(void)cap;
	memcpy(key, "secret", 6);
	*len = 6;
	return 0;
}

static const struct ike_child_cfg *eng_child(void *arg,
					     const struct ike_peer_cfg *p,
					     const struct ikd_sel *sel)
{
	(void)p;
	(void)sel;
	return &((struct bench *)arg)->child;
}

static const struct ike_peer_cfg *ctl_by_addr(void *arg,
					      const struct ikd_addr *a)
{
	struct bench *be = arg;

	return ikd_addr_eq_noport(a, &be->peer.remote) ? &be->peer : NULL;
}

static const struct ike_peer_cfg *ctl_by_name(void *arg, const char *name)
{
	struct bench *be = arg;

	return strcmp(name, "gw") ? NULL : &be->peer;
}

static int ctl_reload(void *arg, struct ikd_diag *d)
{
	struct bench *be = arg;
	struct ikd_pos pos = { "/etc/ikd/racoon.conf", 12, 5 };

	if (be->reloads++ == 0)
		return 0;
	ikd_diag_error(d, &pos, "unexpected '}'");
	return -EINVAL;
}

static struct bench *bench_new(void)
{
	struct bench *be = calloc(1, sizeof(*be));
	struct ike_env env = { .send = net_send, .peer_by_addr = eng_peer,
			       .psk = eng_psk, .child_cfg = eng_child };
	struct ikd_kernel_policy p = { 0 };
	/* A name and an FQDN identity no terminal or JSON parser should see
	 * raw: a quote, an escape sequence, a newline, bytes not UTF-8. */
	static const char id[] = "gw\"\x1b[2J\n\xff\xfe.example";

	assert_non_null(be);
	fake_timers_init(&be->t);
	fake_log_reset();
	be->k = fake_kernel_new(0xc0000000);
	env.kernel = &be->k->base;
	env.timers = &be->t.ops;
	env.arg = be;
	strcpy(be->peer.name, "gw");
	be->peer.ike_version = 2;
	ikd_addr_parse(&be->peer.local, "192.0.2.1");
	ikd_addr_parse(&be->peer.remote, "192.0.2.2");
	be->peer.my_id.type = IKE_ID_FQDN;
	be->peer.my_id.len = sizeof(id) - 1;
	memcpy(be->peer.my_id.data, id, sizeof(id) - 1);
	be->peer.nprop = 1;
	be->peer.prop[0] = (struct ike_sa_prop_cfg){
		.nencr = 1, .nprf = 1, .ninteg = 1, .ndh = 1,
		.encr = { { IKE_ENCR_AES_CBC, 128 } },
		.prf = { IKE_PRF_HMAC_SHA2_256 },
		.integ = { IKE_AUTH_HMAC_SHA2_256_128 }, .dh = { IKE_DH_ECP256 } };
	be->peer.lifetime_secs = 3600;
	be->child.nprop = 1;
	be->child.prop[0] = (struct ike_child_prop_cfg){
		.proto = IKE_PROTO_ESP, .nencr = 1, .ninteg = 1,
		.encr = { { IKE_ENCR_AES_CBC, 128 } },
		.integ = { IKE_AUTH_HMAC_SHA2_256_128 } };
	be->e = ike_engine_new(&env);
	assert_non_null(be->e);
	/* setkey's spdadd 192.0.2.1 192.0.2.2 any -P out ipsec
	 * esp/transport//require */
	p.dir = IKD_DIR_OUT;
	p.action = IPSEC_POLICY_IPSEC;
	p.sel.src = be->peer.local;
	p.sel.dst = be->peer.remote;
	p.sel.src_plen = p.sel.dst_plen = 32;
	p.sel.proto = 255;
	p.nreqs = 1;
	p.req[0].proto = IPPROTO_ESP;
	p.req[0].mode = IKD_MODE_TRANSPORT;
	p.req[0].level = IPSEC_LEVEL_REQUIRE;
	fake_kernel_add_policy(be->k, &p);
	be->env = (struct ikd_ctl_env){
		.engine = be->e, .kernel = &be->k->base, .timers = &be->t.ops,
		.arg = be, .peer_by_addr = ctl_by_addr,
		.peer_by_name = ctl_by_name, .reload = ctl_reload,
		.conf_file = "/etc/ikd/racoon.conf" };
	return be;
}

static void bench_free(struct bench *be)
{
	ike_engine_free(be->e);
	fake_kernel_free(be->k);
	fake_timers_clear(&be->t);
	free(be);
}

/* Runs @line; the reply, which the caller frees. */
static char *run(struct bench *be, const char *line)
{
	struct ikd_ctl_req r;
	struct ikd_ctl_out o;
	const char *why;
	char *s;

	assert_int_equal(parse(line, &r, &why), 0);
	ikd_ctl_out_init(&o);
	ikd_ctl_run(&be->env, &r, &o);
	assert_false(o.truncated || o.failed);
	assert_non_null(o.buf);
	s = strdup(o.buf);
	ikd_ctl_out_free(&o);
	return s;
}

/* Runs @line, which must answer OK with a JSON body; returns it parsed. */
static json_t *run_json(struct bench *be, const char *line)
{
	char *s = run(be, line);
	json_error_t err;
	json_t *j;

	assert_memory_equal(s, "OK\n", 3);
	j = json_loads(s + 3, 0, &err);
	if (!j)
		fail_msg("not JSON (%s): %s", err.text, s);
	free(s);
	return j;
}

static void expect_err(struct bench *be, const char *line, const char *start)
{
	char *s = run(be, line);

	if (strncmp(s, start, strlen(start)))
		fail_msg("'%s' answered '%s', want '%s...'", line, s, start);
	/* One line: the status line is all of an error without details. */
	free(s);
}

static void test_verbs_errors(void **state)
{
	struct bench *be = bench_new();

	(void)state;
	expect_err(be, "frobnicate", "ERR usage unknown verb \"frobnicate\"");
	expect_err(be, "show nothing", "ERR usage unknown show \"nothing\"");
	expect_err(be, "show", "ERR usage unknown show");
	expect_err(be, "show ike extra", "ERR usage usage: show ike");
	expect_err(be, "initiate", "ERR usage usage: initiate");
	expect_err(be, "initiate 198.51.100.1", "ERR unknown-peer ");
	expect_err(be, "initiate nosuch", "ERR unknown-peer ");
	expect_err(be, "terminate nosuch", "ERR unknown-peer ");
	expect_err(be, "terminate gw", "ERR failed no IKE SA with gw");
	expect_err(be, "establish-sa isakmp inet6 192.0.2.1 192.0.2.2",
		   "ERR usage ");
	expect_err(be, "delete-sa isakmp inet 192.0.2.1", "ERR usage usage: ");
	bench_free(be);
}

static void test_empty_engine(void **state)
{
	struct bench *be = bench_new();
	json_t *j;
	char *s;

	(void)state;
	s = run(be, "show ike");
	assert_string_equal(s, "OK\nno IKE SA\n");
	free(s);
	s = run(be, "show-sa ipsec");
	assert_string_equal(s, "OK\nno child SA\n");
	free(s);
	j = run_json(be, "show ike --json");
	assert_int_equal(json_array_size(json_object_get(j, "ike_sas")), 0);
	json_decref(j);
	j = run_json(be, "show sa --json");
	assert_int_equal(json_array_size(json_object_get(j, "child_sas")), 0);
	json_decref(j);
	s = run(be, "help");
	assert_non_null(strstr(s, "\nflush-sa ipsec\n"));
	free(s);
	bench_free(be);
}

static void test_initiate_and_show(void **state)
{
	struct bench *be = bench_new();
	json_t *j, *sa, *c;
	char *s;

	(void)state;
	s = run(be, "initiate gw");
	assert_string_equal(s, "OK\ninitiating with \"gw\": 1 child SA "
			    "negotiated, 0 already up, 0 failed\n");
	free(s);
	assert_int_equal(be->sent, 1);	/* IKE_SA_INIT */
	/* Again: already being negotiated, nothing new sent. */
	free(run(be, "establish-sa isakmp inet 192.0.2.1 192.0.2.2"));
	assert_int_equal(be->sent, 1);

	j = run_json(be, "show ike --json");
	assert_int_equal(json_array_size(json_object_get(j, "ike_sas")), 1);
	sa = json_array_get(json_object_get(j, "ike_sas"), 0);
	assert_string_equal(json_string_value(json_object_get(sa, "name")), "gw");
	assert_string_equal(json_string_value(json_object_get(sa, "local_id")),
			    "gw\"\\x1b[2J\\x0a\\xff\\xfe.example");
	assert_string_equal(json_string_value(json_object_get(sa, "local_id_type")),
			    "ID_FQDN");
	assert_string_equal(json_string_value(json_object_get(sa, "remote")),
			    "192.0.2.2");
	assert_true(json_is_true(json_object_get(sa, "initiator")));
	assert_true(json_is_null(json_object_get(sa, "established")));
	assert_int_equal(strlen(json_string_value(json_object_get(sa, "spi_i"))),
			 16);
	assert_string_equal(json_string_value(json_object_get(sa, "spi_r")),
			    "0000000000000000");
	json_decref(j);

	j = run_json(be, "show child --json");
	c = json_array_get(json_object_get(j, "child_sas"), 0);
	assert_non_null(c);
	assert_string_equal(json_string_value(json_object_get(c, "proto")), "esp");
	assert_string_equal(json_string_value(json_object_get(c, "mode")),
			    "transport");
	assert_string_equal(json_string_value(json_object_get(c, "local_ts")),
			    "192.0.2.1/32");
	/* Not installed: no kernel counts. */
	assert_true(json_is_null(json_object_get(c, "bytes_in")));
	json_decref(j);

	/* The text never carries the raw bytes either. */
	s = run(be, "show ike");
	assert_null(strchr(s, '\x1b'));
	assert_null(strstr(s, "\xff"));
	assert_non_null(strstr(s, "IKE SA \"gw\": 192.0.2.1[500] <=> 192.0.2.2[500]"));
	free(s);
	s = run(be, "show-sa ah");
	assert_string_equal(s, "OK\nno child SA\n");
	free(s);

	s = run(be, "terminate 192.0.2.2");
	assert_string_equal(s, "OK\ndeleting 1 IKE SA with 192.0.2.2\n");
	free(s);
	s = run(be, "show ike");
	assert_string_equal(s, "OK\nno IKE SA\n");
	free(s);
	bench_free(be);
}

static void test_stats(void **state)
{
	struct ike_stats st = { .rx = 7, .tx = 9, .retransmits = 2,
				.rx_exchange = { 1, 2, 3, 4 },
				.tx_exchange = { 5, 6, 7, 8 },
				.fail_no_proposal = 11, .fail_auth = 12,
				.fail_ts = 13, .fail_timeout = 14,
				.cookies_sent = 15, .frag_tx = 16,
				.frag_rx = 17, .frag_reassembled = 18,
				.frag_dropped = 19 };
	struct ikd_ctl_out o;
	json_error_t err;
	json_t *j, *x;

	(void)state;
	ikd_ctl_out_init(&o);
	ikd_ctl_show_stats(&st, true, &o);
	j = json_loads(o.buf + 3, 0, &err);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "tx")), 9);
	assert_int_equal(json_integer_value(json_object_get(j, "cookies_sent")), 15);
	x = json_object_get(json_object_get(j, "exchanges"), "CREATE_CHILD_SA");
	assert_int_equal(json_integer_value(json_object_get(x, "rx")), 3);
	assert_int_equal(json_integer_value(json_object_get(x, "tx")), 7);
	x = json_object_get(j, "failures");
	assert_int_equal(json_integer_value(json_object_get(x, "no_proposal_chosen")), 11);
	assert_int_equal(json_integer_value(json_object_get(x, "authentication_failed")), 12);
	assert_int_equal(json_integer_value(json_object_get(x, "ts_unacceptable")), 13);
	assert_int_equal(json_integer_value(json_object_get(x, "timeout")), 14);
	x = json_object_get(j, "fragments");
	assert_int_equal(json_integer_value(json_object_get(x, "sent")), 16);
	assert_int_equal(json_integer_value(json_object_get(x, "dropped")), 19);
	json_decref(j);
	ikd_ctl_out_free(&o);
	ikd_ctl_out_init(&o);
	ikd_ctl_show_stats(&st, false, &o);
	assert_non_null(strstr(o.buf, "  INFORMATIONAL    4 received, 8 sent\n"));
	assert_non_null(strstr(o.buf, "cookies sent: 15\n"));
	assert_non_null(strstr(o.buf, "fragments: 16 sent, 17 received, "
			       "18 reassembled, 19 dropped\n"));
	ikd_ctl_out_free(&o);
}

static void test_reload(void **state)
{
	struct bench *be = bench_new();
	char *s;

	(void)state;
	s = run(be, "reload");
	assert_string_equal(s, "OK\n/etc/ikd/racoon.conf reloaded\n");
	free(s);
	s = run(be, "reload");
	assert_string_equal(s, "ERR failed /etc/ikd/racoon.conf not reloaded, "
			    "the running configuration stays\n"
			    "/etc/ikd/racoon.conf:12:5: error: unexpected '}'\n");
	free(s);
	bench_free(be);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_words),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_printable),
		cmocka_unit_test(test_out_bounded),
		cmocka_unit_test(test_verbs_errors),
		cmocka_unit_test(test_empty_engine),
		cmocka_unit_test(test_initiate_and_show),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_reload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
