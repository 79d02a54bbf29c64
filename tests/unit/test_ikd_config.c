// SPDX-License-Identifier: BSD-2-Clause
/*
 * ikd/config.c: racoon.conf as the IKEv2 engine sees it. Statements the
 * engine does not act on warn with their line (nothing is dropped
 * silently), an IKEv1 remote says it is unused, and racoon's
 * ph1id/remoteid pairing picks the sainfo.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../ikd/isakmp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../ikd/addr.h"
#include "../../ikd/config.h"

static char dir[] = "/tmp/ikd-config-test.XXXXXX";
static char conf_path[300], psk_path[300];

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

/* Loads @body after a `path pre_shared_key` line (line 1). */
static int load(const char *body, struct ikd_config **c, struct ikd_diag *d)
{
	char *text;

	assert_true(asprintf(&text, "path pre_shared_key \"%s\";\n%s",
			     psk_path, body) > 0);
	write_file(conf_path, text, 0644);
	free(text);
	ikd_diag_init(d);
	return ikd_config_load(conf_path, false, c, d);
}

/* Is there a warning at @line whose text holds @needle? */
static bool has_warning(const struct ikd_diag *d, unsigned int line,
			const char *needle)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->v[i].sev == IKD_DIAG_WARNING && d->v[i].line == line &&
		    strstr(d->v[i].msg, needle))
			return true;
	return false;
}

#define V2_REMOTE(extra) \
	"remote 192.0.2.2 {\n" \
	" ike_version 2;\n" \
	" proposal { encryption_algorithm aes 128; hash_algorithm sha256;\n" \
	"  authentication_method pre_shared_key; dh_group 14; }\n" \
	extra \
	"}\n"

static void test_unused_statements_warn(void **state)
{
	struct ikd_config *c;
	struct ikd_diag d;

	(void)state;
	assert_int_equal(load("timer { phase1 30 sec; natt_keepalive 10 sec; }\n"
			      V2_REMOTE(" nat_traversal on;\n rekey off;\n"
					" dpd_maxfail 3;\n passive off;\n"),
			      &c, &d), 0);
	assert_true(has_warning(&d, 2, "timer phase1"));
	/* rekey, dpd_maxfail, passive, nat_traversal and natt_keepalive
	 * are honoured: no warning for them, and the engine gets them. */
	assert_false(has_warning(&d, 8, "rekey"));
	assert_false(has_warning(&d, 9, "dpd_maxfail"));
	assert_false(has_warning(&d, 2, "natt_keepalive"));
	assert_false(has_warning(&d, 7, "nat_traversal"));
	assert_int_equal(d.nwarnings, 1);
	assert_int_equal(d.nerrors, 0);
	{
		struct ikd_addr a;
		const struct ike_peer_cfg *p;

		assert_int_equal(ikd_addr_parse(&a, "192.0.2.2"), 0);
		p = ikd_config_peer(c, &a);
		assert_non_null(p);
		assert_int_equal(p->nat_traversal, IKE_NATT_ON);
		assert_int_equal(p->natt_keepalive_secs, 10);
		assert_int_equal(p->rekey, IKE_REKEY_OFF);
	}
	ikd_diag_free(&d);
	ikd_config_free(c);
}

/* racoon's dpd_* reach the engine; ikd's listen limits too, checked. */
static void test_dpd_and_dos_limits(void **state)
{
	struct ikd_config *c;
	struct ikd_diag d;
	struct ike_dos_limits lim;
	const struct ike_peer_cfg *peer;
	struct ikd_addr remote;

	(void)state;
	assert_int_equal(load("listen { cookie_threshold 20; "
			      "half_open_per_source 3; }\n"
			      V2_REMOTE(" dpd_delay 30;\n dpd_retry 2;\n"
					" dpd_maxfail 4;\n dpd off;\n"), &c, &d),
			 0);
	assert_int_equal(d.nwarnings, 0);
	ikd_config_dos_limits(c, &lim);
	assert_int_equal(lim.cookie_threshold, 20);
	assert_int_equal(lim.half_open_per_source, 3);
	assert_int_equal(ikd_addr_parse(&remote, "192.0.2.2"), 0);
	peer = ikd_config_peer(c, &remote);
	assert_non_null(peer);
	assert_int_equal(peer->dpd_delay_secs, 30);
	assert_int_equal(peer->dpd_retry_secs, 2);
	assert_int_equal(peer->dpd_maxfail, 4);
	assert_false(peer->dpd);
	ikd_diag_free(&d);
	ikd_config_free(c);
	/* not written: racoon's dpd defaults, the engine's limits */
	assert_int_equal(load(V2_REMOTE(""), &c, &d), 0);
	ikd_config_dos_limits(c, &lim);
	assert_int_equal(lim.cookie_threshold, 0);
	assert_int_equal(lim.half_open_per_source, 0);
	peer = ikd_config_peer(c, &remote);
	assert_non_null(peer);
	assert_int_equal(peer->dpd_retry_secs, 5);
	assert_int_equal(peer->dpd_maxfail, 5);
	assert_true(peer->dpd);		/* racoon's default: on */
	ikd_diag_free(&d);
	ikd_config_free(c);
	/* 0 is not a threshold: an error at its line */
	assert_int_not_equal(load("listen {\n cookie_threshold 0;\n}\n", &c,
				  &d), 0);
	assert_true(d.nerrors >= 1 && d.v[0].line == 3);
	ikd_diag_free(&d);
}

static void test_ikev1_remote_warns(void **state)
{
	struct ikd_config *c;
	struct ikd_diag d;

	(void)state;
	assert_int_equal(load("remote 192.0.2.3 {\n exchange_mode main;\n"
			      " proposal { encryption_algorithm aes; "
			      "hash_algorithm sha1;\n"
			      "  authentication_method pre_shared_key; "
			      "dh_group 2; }\n}\n", &c, &d), 0);
	/* ikd speaks IKEv1 now: a usable block is not warned about. */
	assert_false(has_warning(&d, 1, "IKEv1"));
	assert_false(has_warning(&d, 2, "IKEv1"));
	ikd_diag_free(&d);
	ikd_config_free(c);
}

/* An IKEv1 remote block becomes the engine's phase 1 configuration:
 * modes in order, proposals as Oakley values, proposal_check; the
 * IKEv2 callback still refuses it. */
static void test_ikev1_remote_maps(void **state)
{
	const struct ike_peer_cfg *p;
	struct ikd_addr a;
	struct ikd_config *c;
	struct ikd_diag d;

	(void)state;
	assert_int_equal(load("remote 192.0.2.3 {\n exchange_mode aggressive, main;\n"
			      " proposal_check obey;\n lifetime time 2 hour;\n"
			      " proposal { encryption_algorithm aes 256; "
			      "hash_algorithm sha256;\n"
			      "  authentication_method pre_shared_key; "
			      "dh_group 14; lifetime time 600 sec; }\n"
			      " proposal { encryption_algorithm 3des; "
			      "hash_algorithm sha1;\n"
			      "  authentication_method pre_shared_key; "
			      "dh_group 14; }\n}\n", &c, &d), 0);
	ikd_diag_free(&d);
	assert_int_equal(ikd_addr_parse(&a, "192.0.2.3"), 0);
	assert_null(ikd_config_peer(c, &a));
	p = ikd_config_peer_v1(c, &a);
	assert_non_null(p);
	assert_int_equal(p->ike_version, 1);
	assert_int_equal(p->v1.nxmode, 2);
	assert_int_equal(p->v1.xmode[0], ISAKMP_EXCH_AGGRESSIVE);
	assert_int_equal(p->v1.xmode[1], ISAKMP_EXCH_IDPROT);
	assert_int_equal(p->v1.check, IKE_V1_CHECK_OBEY);
	assert_int_equal(p->v1.nprop, 2);
	assert_int_equal(p->v1.prop[0].encr, OAKLEY_ENC_AES);
	assert_int_equal(p->v1.prop[0].keybits, 256);
	assert_int_equal(p->v1.prop[0].hash, OAKLEY_HASH_SHA2_256);
	assert_int_equal(p->v1.prop[0].auth, OAKLEY_AUTH_PSK);
	assert_int_equal(p->v1.prop[0].dh, 14);
	assert_int_equal(p->v1.prop[0].lifetime_secs, 600);
	assert_int_equal(p->v1.prop[1].encr, OAKLEY_ENC_3DES);
	assert_int_equal(p->v1.prop[1].hash, OAKLEY_HASH_SHA1);
	assert_int_equal(p->v1.prop[1].dh, 14);
	assert_int_equal(p->v1.prop[1].lifetime_secs, 7200);
	ikd_config_free(c);
}

/* IKEv1 negotiates the method: a block may offer rsasig and
 * pre_shared_key, and its rsasig proposals keep the certificate paths
 * (IKEv2's mapping refuses the mix and leaves them out). */
static void test_ikev1_remote_mixed_methods(void **state)
{
	const struct ike_peer_cfg *p;
	struct ikd_addr a;
	struct ikd_config *c;
	struct ikd_diag d;

	(void)state;
	assert_int_equal(load("remote 192.0.2.3 {\n exchange_mode main;\n"
			      " certificate_type x509 \"/nonexistent/me.pem\" "
			      "\"/nonexistent/me.key\";\n"
			      " peers_certfile x509 \"/nonexistent/peer.pem\";\n"
			      " proposal { encryption_algorithm 3des; "
			      "hash_algorithm sha1;\n"
			      "  authentication_method rsasig; dh_group 2; }\n"
			      " proposal { encryption_algorithm 3des; "
			      "hash_algorithm sha1;\n"
			      "  authentication_method pre_shared_key; "
			      "dh_group 2; }\n}\n", &c, &d), 0);
	assert_false(has_warning(&d, 2, "no proposal ikd can use"));
	ikd_diag_free(&d);
	assert_int_equal(ikd_addr_parse(&a, "192.0.2.3"), 0);
	p = ikd_config_peer_v1(c, &a);
	assert_non_null(p);
	assert_int_equal(p->v1.nprop, 2);
	assert_int_equal(p->v1.prop[0].auth, OAKLEY_AUTH_RSA_SIG);
	assert_int_equal(p->v1.prop[1].auth, OAKLEY_AUTH_PSK);
	assert_string_equal(p->cert.cert, "/nonexistent/me.pem");
	assert_string_equal(p->cert.key, "/nonexistent/me.key");
	assert_string_equal(p->cert.peer_cert, "/nonexistent/peer.pem");
	assert_true(p->cert.send_cert && p->cert.send_cr);
	ikd_config_free(c);
}

/* The sainfo whose remoteid is the peer's ph1id wins over the anonymous
 * one, as racoon chooses. */
static void test_remoteid_picks_sainfo(void **state)
{
	struct ikd_config *c, *running;
	struct ike_env env = { 0 };
	const struct ike_peer_cfg *peer;
	const struct ike_child_cfg *child;
	struct ikd_addr remote;
	struct ikd_sel sel = { 0 };
	struct ikd_diag d;

	(void)state;
	assert_int_equal(load(V2_REMOTE(" ph1id 7;\n")
			      "sainfo anonymous { encryption_algorithm aes;\n"
			      " authentication_algorithm hmac_sha256; }\n"
			      "sainfo anonymous {\n remoteid 7;\n"
			      " lifetime time 600 sec;\n"
			      " encryption_algorithm aes_gcm_16; }\n", &c, &d), 0);
	assert_int_equal(d.nerrors, 0);
	assert_int_equal(ikd_addr_parse(&remote, "192.0.2.2"), 0);
	running = c;
	ikd_config_env(&env, &running);
	peer = ikd_config_peer(c, &remote);
	assert_non_null(peer);
	sel.src.family = sel.dst.family = AF_INET;
	child = env.child_cfg(env.arg, peer, &sel);
	assert_non_null(child);
	assert_int_equal(child->hard_secs, 600);
	ikd_diag_free(&d);
	ikd_config_free(c);
}

/* sainfo's cipher order is the proposal order, AEAD or not. */
static void test_child_proposal_order(void **state)
{
	static const char *const lists[2] = { "aes_gcm_16 128, aes 128",
					      "aes 128, aes_gcm_16 128" };
	struct ikd_config *c, *running;
	struct ike_env env = { 0 };
	const struct ike_child_cfg *child;
	struct ikd_addr remote;
	struct ikd_sel sel = { 0 };
	struct ikd_diag d;
	char *text;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		assert_true(asprintf(&text, V2_REMOTE("")
				     "sainfo anonymous {\n"
				     " encryption_algorithm %s;\n"
				     " authentication_algorithm hmac_sha256; }\n",
				     lists[i]) > 0);
		assert_int_equal(load(text, &c, &d), 0);
		free(text);
		assert_int_equal(ikd_addr_parse(&remote, "192.0.2.2"), 0);
		running = c;
		ikd_config_env(&env, &running);
		sel.src.family = sel.dst.family = AF_INET;
		child = env.child_cfg(env.arg, ikd_config_peer(c, &remote), &sel);
		assert_non_null(child);
		assert_int_equal(child->nprop, 2);
		assert_int_equal(child->prop[0].ninteg == 0, i == 0);
		assert_int_equal(child->prop[1].ninteg == 0, i == 1);
		ikd_diag_free(&d);
		ikd_config_free(c);
	}
}

static int setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(conf_path, sizeof(conf_path), "%s/racoon.conf", dir);
	snprintf(psk_path, sizeof(psk_path), "%s/psk.txt", dir);
	write_file(psk_path, "192.0.2.2 secret\n", 0600);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(conf_path);
	unlink(psk_path);
	rmdir(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unused_statements_warn),
		cmocka_unit_test(test_dpd_and_dos_limits),
		cmocka_unit_test(test_ikev1_remote_warns),
		cmocka_unit_test(test_ikev1_remote_maps),
		cmocka_unit_test(test_ikev1_remote_mixed_methods),
		cmocka_unit_test(test_remoteid_picks_sainfo),
		cmocka_unit_test(test_child_proposal_order),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
