// SPDX-License-Identifier: BSD-2-Clause
/*
 * ikd's racoon.conf: every seed file of the inventory's Appendix B parses
 * to the expected model (and the verbatim, extraction-damaged forms give
 * exactly the expected diagnostics); a file with every statement gives
 * each value and the warning of each statement ikd only accepts; warnings
 * and IKE versions; the lookups follow racoon's precedence. Errors:
 * test_ikd_conf_errors.c; files and psk.txt: test_ikd_files.c.
 */
#include "ikd_conf_test.h"

/* ------------------------------------------------------------------------
 * Seeds (Appendix B)
 */
static void check_psk_seed(const struct ikd_conf *c, const char *myaddr)
{
	const struct ikd_remote *r = c->remotes;
	const struct ikd_sainfo *s = c->sainfos;
	const struct ikd_p1_proposal *p;

	assert_string_equal(c->path_psk, "/etc/inet/psk.txt");
	assert_pos(&c->path_psk_pos, 4, 6);
	assert_int_equal(c->log_level, IKD_LOG_DEBUG);
	assert_non_null(r);
	assert_null(r->next);
	assert_true(r->anonymous);
	assert_null(r->name);
	assert_int_equal(r->addr.family, 0);
	assert_int_equal(r->ike_version, IKD_IKEV1);
	assert_int_equal(r->ike_version_pos.line, 0);
	assert_int_equal(r->n_xmode, 1);
	assert_int_equal(r->xmode[0], IKD_XMODE_AGGRESSIVE);
	assert_int_equal(r->my_id.type, IKD_ID_ADDRESS);
	assert_string_equal(r->my_id.value, myaddr);
	assert_addr(&r->my_id.addr, myaddr, 0);
	assert_int_equal(r->lifetime, 3600);
	assert_pos(&r->lifetime_pos, 10, 2);
	assert_int_equal(r->proposal_check, IKD_PCHECK_OBEY);
	assert_pos(&r->proposal_check_pos, 23, 2);
	/* defaults, not written */
	assert_int_equal(r->nonce_size, 16);
	assert_true(r->initial_contact);
	assert_false(r->passive);
	assert_int_equal(r->generate_policy, IKD_GENPOL_OFF);
	assert_int_equal(r->n_proposal, 1);
	p = &r->proposal[0];
	assert_pos(&p->pos, 13, 2);
	assert_alg(&p->encr, IKD_ENCR_3DES, 0);
	assert_pos(&p->encr.pos, 14, 3);
	assert_int_equal(p->hash, IKD_HASH_SHA1);
	assert_int_equal(p->auth_method, IKD_AUTH_PSK);
	assert_int_equal(p->dh_group, 2);
	assert_pos(&p->dh_group_pos, 17, 3);
	assert_int_equal(p->lifetime, 0);

	assert_non_null(s);
	assert_null(s->next);
	assert_int_equal(s->local.kind, IKD_SAID_ANONYMOUS);
	assert_int_equal(s->remote.kind, IKD_SAID_ANONYMOUS);
	assert_int_equal(s->pfs_group, 2);
	assert_int_equal(s->lifetime, 36000);
	assert_int_equal(s->lifebytes, 0);
	assert_int_equal(s->n_encr, 2);
	assert_alg(&s->encr[0], IKD_ENCR_3DES, 0);
	assert_alg(&s->encr[1], IKD_ENCR_BLOWFISH, 128);
	assert_int_equal(s->n_auth, 2);
	assert_alg(&s->auth[0], IKD_P2AUTH_HMAC_SHA1, 0);
	assert_alg(&s->auth[1], IKD_P2AUTH_HMAC_MD5, 0);
	assert_int_equal(s->n_comp, 1);
	assert_alg(&s->comp[0], IKD_COMP_DEFLATE, 0);
}

static void test_seed_b01_b02(void **state)
{
	struct ikd_conf *c;

	(void)state;
	c = load_file("tests/unit/seeds/b01-elmer-psk.racoon.conf");
	assert_int_equal(D.n, 0);
	check_psk_seed(c, "10.0.0.110");
	assert_pos(&c->sainfos->encr[1].pos, 30, 29);
	ikd_conf_free(c);

	c = load_file("tests/unit/seeds/b02-relent-psk.racoon.conf");
	assert_int_equal(D.n, 0);
	check_psk_seed(c, "10.0.0.100");
	ikd_conf_free(c);
}

static void check_cert_seed(const struct ikd_conf *c, const char *peer,
			    const char *mine, const char *theirs)
{
	const struct ikd_remote *r = c->remotes;
	char path[256];

	assert_string_equal(c->path_cert, "/usr/local/ssl/certs");
	assert_null(c->path_psk);
	assert_non_null(r);
	assert_null(r->next);
	assert_false(r->anonymous);
	assert_addr(&r->addr, peer, 0);
	assert_pos(&r->addr_pos, 6, 8);
	assert_int_equal(r->my_id.type, IKD_ID_ASN1DN);
	assert_null(r->my_id.value);
	assert_int_equal(r->n_peers_id, 1);
	assert_int_equal(r->peers_id[0].type, IKD_ID_ASN1DN);
	assert_null(r->peers_id[0].value);
	assert_pos(&r->peers_id[0].pos, 10, 2);
	assert_string_equal(r->cert_file, mine);
	assert_string_equal(r->key_file, "privkey.pem");
	snprintf(path, sizeof(path), "/usr/local/ssl/certs/%s", mine);
	assert_string_equal(r->cert_path, path);
	assert_string_equal(r->key_path, "/usr/local/ssl/certs/privkey.pem");
	assert_string_equal(r->peers_cert_file, theirs);
	snprintf(path, sizeof(path), "/usr/local/ssl/certs/%s", theirs);
	assert_string_equal(r->peers_cert_path, path);
	assert_null(r->ca_path);
	assert_int_equal(r->proposal[0].auth_method, IKD_AUTH_RSA_SIG);
	assert_int_equal(c->sainfos->lifebytes, 0);
}

static void test_seed_b03_b04(void **state)
{
	struct ikd_conf *c;

	(void)state;
	c = load_file("tests/unit/seeds/b03-elmer-cert.racoon.conf");
	assert_int_equal(D.n, 0);
	check_cert_seed(c, "10.0.0.100", "elmer_cert.pem", "relent_cert.pem");
	ikd_conf_free(c);
	c = load_file("tests/unit/seeds/b04-relent-cert.racoon.conf");
	assert_int_equal(D.n, 0);
	check_cert_seed(c, "10.0.0.110", "relent_cert.pem", "elmer_cert.pem");
	ikd_conf_free(c);
}

static void test_seed_b05(void **state)
{
	struct ikd_conf *c;
	const struct ikd_remote *r;

	(void)state;
	c = load_file("tests/unit/seeds/b05-roadwarrior.racoon.conf");
	assert_int_equal(D.n, 0);
	r = c->remotes;
	assert_int_equal(c->log_level, IKD_LOG_NOTIFY);
	assert_pos(&c->log_pos, 7, 5);
	assert_true(r->anonymous);
	assert_true(r->passive);
	assert_pos(&r->passive_pos, 12, 49);
	assert_int_equal(r->generate_policy, IKD_GENPOL_REQUIRE);
	assert_int_equal(r->my_id.type, IKD_ID_ASN1DN);
	assert_int_equal(r->peers_id[0].type, IKD_ID_ASN1DN);
	assert_int_equal(c->sainfos->comp[0].id, IKD_COMP_DEFLATE);
	assert_pos(&c->sainfos->comp[0].pos, 29, 24);
	ikd_conf_free(c);
}

/* The collapsed lines of the seed: '#' swallows what follows on a line. */
static void verbatim(const char *name)
{
	char rel[256];
	struct ikd_conf *c;
	size_t len;
	char *text;

	snprintf(rel, sizeof(rel), "tests/unit/seeds/%s", name);
	text = slurp(rel, &len);
	ikd_diag_free(&D);
	assert_int_equal(ikd_conf_load_buffer(name, text, len, &c, &D),
			 -EINVAL);
	assert_null(c);
	free(text);
}

static void test_seed_verbatim(void **state)
{
	(void)state;
	verbatim("b01-verbatim.racoon.conf");
	EXPECT_DIAGS(
		"b01-verbatim.racoon.conf:4:1: error: unexpected 'sainfo': "
		"sainfo belongs at the top level (is a '}' missing before it?)",
		"b01-verbatim.racoon.conf:4:57: error: unexpected "
		"'encryption_algorithm': encryption_algorithm belongs in a "
		"proposal or sainfo block",
		"b01-verbatim.racoon.conf:4:94: error: unexpected "
		"'authentication_algorithm': authentication_algorithm belongs "
		"in a sainfo block",
		"b01-verbatim.racoon.conf:4:141: error: unexpected "
		"'compression_algorithm': compression_algorithm belongs in a "
		"sainfo block");
	verbatim("b02-verbatim.racoon.conf");
	EXPECT_DIAGS(
		"b02-verbatim.racoon.conf:6:1: error: unexpected 'sainfo': "
		"sainfo belongs at the top level (is a '}' missing before it?)",
		"b02-verbatim.racoon.conf:7:1: error: unexpected end of file: "
		"the '{' at 6:18 has no '}'");
	verbatim("b03-verbatim.racoon.conf");
	EXPECT_DIAGS(
		"b03-verbatim.racoon.conf:10:1: error: unexpected end of file: "
		"the '{' at 3:19 has no '}'");
	verbatim("b04-verbatim.racoon.conf");
	EXPECT_DIAGS(
		"b04-verbatim.racoon.conf:10:1: error: unexpected end of file: "
		"the '{' at 3:19 has no '}'");
}

/* ------------------------------------------------------------------------
 * Every statement
 */
static void check_all_globals(const struct ikd_conf *c)
{
	assert_string_equal(c->path_include, "/etc/racoon");
	assert_string_equal(c->path_psk, "/etc/racoon/psk.txt");
	assert_string_equal(c->path_cert, "/etc/racoon/certs");
	assert_string_equal(c->path_pidfile, "/run/ikd.pid");
	assert_pos(&c->path_pidfile_pos, 8, 6);
	assert_int_equal(c->log_level, IKD_LOG_DEBUG2);
	assert_false(c->pad_randomize);
	assert_true(c->pad_randomize_length);
	assert_int_equal(c->pad_maximum_length, 40);
	assert_false(c->pad_exclusive_tail);
	assert_true(c->pad_strict_check);
	assert_pos(&c->pad_strict_check_pos, 21, 2);
	assert_int_equal(c->n_listen, 3);
	assert_addr(&c->listen[0].addr, "192.0.2.1", 500);
	assert_false(c->listen[0].natt);
	assert_addr(&c->listen[1].addr, "2001:db8::1", 500);
	assert_addr(&c->listen[2].addr, "192.0.2.1", 4500);
	assert_true(c->listen[2].natt);
	assert_pos(&c->listen[2].pos, 26, 2);
	assert_string_equal(c->adminsock, "/run/ikd.sock");
	assert_string_equal(c->adminsock_owner, "root");
	assert_string_equal(c->adminsock_group, "operator");
	assert_int_equal(c->adminsock_mode, 0660);
	assert_false(c->adminsock_disabled);
	assert_true(c->strict_address);
	assert_int_equal(c->retry_counter, 7);
	assert_int_equal(c->retry_interval, 20);
	assert_int_equal(c->retry_persend, 2);
	assert_int_equal(c->phase1_timeout, 30);
	assert_int_equal(c->phase2_timeout, 60);
	assert_int_equal(c->natt_keepalive, 15);
	assert_pos(&c->natt_keepalive_pos, 36, 2);
}

static void check_all_base(const struct ikd_remote *r)
{
	assert_string_equal(r->name, "base");
	assert_int_equal(r->addr.family, 0);
	assert_int_equal(r->n_xmode, 2);
	assert_int_equal(r->xmode[0], IKD_XMODE_MAIN);
	assert_int_equal(r->xmode[1], IKD_XMODE_AGGRESSIVE);
	assert_int_equal(r->my_id.type, IKD_ID_FQDN);
	assert_string_equal(r->my_id.value, "gw.example.org");
	assert_int_equal(r->n_peers_id, 2);
	assert_int_equal(r->peers_id[0].type, IKD_ID_USER_FQDN);
	assert_string_equal(r->peers_id[0].value, "peer@example.org");
	assert_int_equal(r->peers_id[1].type, IKD_ID_ADDRESS);
	assert_addr(&r->peers_id[1].addr, "198.51.100.7", 0);
	assert_true(r->verify_identifier);
	assert_string_equal(r->xauth_login, "alice");
	assert_string_equal(r->cert_path, "/etc/racoon/certs/gw.pem");
	assert_string_equal(r->key_path, "/etc/racoon/certs/gw.key");
	assert_string_equal(r->peers_cert_path, "/etc/racoon/certs/peer.pem");
	assert_string_equal(r->ca_path, "/etc/racoon/certs/ca.pem");
	assert_false(r->verify_cert);
	assert_false(r->send_cert);
	assert_false(r->send_cr);
	assert_true(r->match_empty_cr);
	assert_int_equal(r->nonce_size, 32);
	assert_true(r->passive);
	assert_int_equal(r->ike_frag, IKD_FORCE);
	assert_int_equal(r->generate_policy, IKD_GENPOL_UNIQUE);
	assert_true(r->support_proxy);
	assert_false(r->initial_contact);
	assert_int_equal(r->nat_traversal, IKD_FORCE);
	assert_true(r->dpd);
	assert_int_equal(r->dpd_delay, 30);
	assert_int_equal(r->dpd_retry, 3);
	assert_int_equal(r->dpd_maxfail, 4);
	assert_int_equal(r->rekey, IKD_FORCE);
	assert_true(r->mode_cfg);
	assert_true(r->weak_phase1_check);
	assert_int_equal(r->ph1id, 7);
	assert_int_equal(r->proposal_check, IKD_PCHECK_CLAIM);
	assert_int_equal(r->lifetime, 8 * 3600);
	assert_pos(&r->lifetime_pos, 76, 2);
	assert_int_equal(r->n_proposal, 2);
	assert_alg(&r->proposal[0].encr, IKD_ENCR_AES_CBC, 256);
	assert_int_equal(r->proposal[0].hash, IKD_HASH_SHA2_256);
	assert_int_equal(r->proposal[0].auth_method, IKD_AUTH_RSA_SIG);
	assert_int_equal(r->proposal[0].dh_group, 14);
	assert_int_equal(r->proposal[0].lifetime, 7200);
	assert_alg(&r->proposal[1].encr, IKD_ENCR_3DES, 0);
	assert_int_equal(r->proposal[1].auth_method, IKD_AUTH_PSK);
}

static void check_all_remotes(const struct ikd_conf *c)
{
	const struct ikd_remote *r = c->remotes->next;

	check_all_base(c->remotes);
	/* inherits everything, with the parent's positions, and adds */
	assert_null(r->name);
	assert_addr(&r->addr, "198.51.100.7", 500);
	assert_pos(&r->inherit_pos, 92, 27);
	assert_false(r->passive);
	assert_pos(&r->passive_pos, 93, 2);
	assert_true(r->support_proxy);
	assert_pos(&r->support_proxy_pos, 64, 2);
	assert_int_equal(r->n_peers_id, 3);
	assert_int_equal(r->peers_id[2].type, IKD_ID_KEYID);
	assert_false(r->peers_id[2].key_file);
	assert_string_equal(r->peers_id[2].value, "peer-7");
	assert_int_equal(r->n_proposal, 3);
	assert_alg(&r->proposal[2].encr, IKD_ENCR_CAMELLIA_CBC, 192);
	assert_int_equal(r->proposal[2].hash, IKD_HASH_SHA2_512);

	r = r->next;	/* remote 203.0.113.5 inherit 198.51.100.7; */
	assert_addr(&r->addr, "203.0.113.5", 0);
	assert_int_equal(r->n_proposal, 3);
	assert_false(r->passive);

	r = r->next;
	assert_string_equal(r->name, "by-name");
	assert_addr(&r->addr, "203.0.113.9", 0);
	assert_int_equal(r->ike_version, IKD_IKEV2);
	assert_pos(&r->ike_version_pos, 105, 2);
	assert_int_equal(r->n_xmode, 0);
	assert_int_equal(r->my_id.type, IKD_ID_KEYID);
	assert_true(r->my_id.key_file);
	assert_int_equal(r->proposal[0].dh_group, 31);
	assert_alg(&r->proposal[0].encr, IKD_ENCR_AES_CBC, 128);

	r = r->next;
	assert_true(r->anonymous);
	assert_string_equal(r->my_id.value, "C=XX, O=Example, CN=gw");
	assert_string_equal(r->peers_id[0].value, "C=XX, O=Example, CN=*");
	assert_null(r->cert_file);
	assert_int_equal(r->proposal[0].auth_method, IKD_AUTH_XAUTH_PSK_CLIENT);
	assert_alg(&r->proposal[0].encr, IKD_ENCR_BLOWFISH, 448);
	assert_null(r->next);
}

static void check_all_sainfos(const struct ikd_conf *c)
{
	const struct ikd_sainfo *s = c->sainfos;

	assert_int_equal(s->pfs_group, 2);
	assert_int_equal(s->lifetime, 1800);
	assert_int_equal(s->lifebytes, 50ull << 20);
	assert_int_equal(s->n_encr, 5);
	assert_alg(&s->encr[0], IKD_ENCR_AES_CBC, 256);
	assert_alg(&s->encr[2], IKD_ENCR_BLOWFISH, 448);
	assert_alg(&s->encr[3], IKD_ENCR_NULL, 0);
	assert_alg(&s->encr[4], IKD_ENCR_AES_CBC, 128);
	assert_alg(&s->auth[0], IKD_P2AUTH_HMAC_SHA2_256, 0);
	assert_alg(&s->auth[2], IKD_P2AUTH_NON_AUTH, 0);

	s = s->next;
	assert_int_equal(s->local.kind, IKD_SAID_ADDR);
	assert_addr(&s->local.addr, "10.1.0.0", 0);
	assert_int_equal(s->local.plen, 16);
	assert_int_equal(s->remote.plen, 16);
	assert_int_equal(s->local.proto, 0);
	assert_alg(&s->encr[0], IKD_ENCR_AES_GCM_16, 128);
	assert_alg(&s->encr[1], IKD_ENCR_CHACHA20_POLY1305, 256);
	assert_int_equal(s->n_auth, 0);

	s = s->next;
	assert_true(s->local.subnet);
	assert_addr(&s->local.addr, "10.1.0.0", 80);
	assert_int_equal(s->local.plen, 24);
	assert_int_equal(s->local.proto, 6);
	assert_addr(&s->remote.addr, "10.2.0.1", 0);
	assert_int_equal(s->remote.plen, 32);
	assert_int_equal(s->remote.proto, 6);
	assert_int_equal(s->from.type, IKD_ID_FQDN);
	assert_string_equal(s->from.value, "peer.example.org");
	assert_int_equal(s->remoteid, 7);

	s = s->next;
	assert_int_equal(s->local.addr.family, AF_INET6);
	assert_int_equal(s->local.plen, 48);
	assert_int_equal(s->remote.kind, IKD_SAID_ANONYMOUS);

	s = s->next;
	assert_int_equal(s->local.kind, IKD_SAID_ANONYMOUS);
	assert_addr(&s->remote.addr, "192.0.2.0", 500);
	assert_int_equal(s->remote.proto, 17);

	s = s->next;
	assert_int_equal(s->local.kind, IKD_SAID_RANGE);
	assert_addr(&s->local.addr, "10.9.0.1", 0);
	assert_addr(&s->local.addr_hi, "10.9.0.9", 0);
	assert_int_equal(s->local.proto, 1);
	assert_int_equal(s->remote.kind, IKD_SAID_CLIENTADDR);

	s = s->next;
	assert_int_equal(s->local.kind, IKD_SAID_NAME);
	assert_int_equal(s->local.name_type, IKD_ID_FQDN);
	assert_string_equal(s->remote.name, "b@example.org");
	assert_int_equal(s->n_encr, 9);
	assert_alg(&s->encr[0], IKD_ENCR_TWOFISH, 128);
	assert_alg(&s->encr[1], IKD_ENCR_CAST, 64);
	assert_alg(&s->encr[8], IKD_ENCR_CAMELLIA_CBC, 256);
	assert_alg(&s->auth[0], IKD_P2AUTH_KPDK, 0);
	assert_alg(&s->comp[1], IKD_COMP_OUI, 0);
	assert_null(s->next);
}

static void test_all_statements(void **state)
{
	struct ikd_conf *c;

	(void)state;
	c = load_file("tests/unit/fixtures/ikd/all.conf");
	EXPECT_DIAGS(
		"all.conf:9:6: warning: path backupsa is accepted but has no "
		"effect in ikd (ikd does not save SAs for -B)",
		"all.conf:10:6: warning: path script is accepted but has no "
		"effect in ikd (ikd runs no hook scripts)",
		"all.conf:12:1: warning: privsep { } is accepted but has no "
		"effect in ikd (ikd has no privilege separation yet)",
		"all.conf:13:1: warning: pfkey_buffer is accepted but has no "
		"effect in ikd (libpfkey sizes its socket buffers itself)",
		"all.conf:14:1: warning: gss_id_enc is accepted but has no "
		"effect in ikd (ikd has no GSS-API authentication)",
		"all.conf:15:1: warning: complex_bundle is accepted but has no "
		"effect in ikd (ikd proposes bundles as racoon's default does)",
		"all.conf:38:1: warning: ldapcfg { } is accepted but has no "
		"effect in ikd (ikd has no XAuth server)",
		"all.conf:39:1: warning: radiuscfg { } is accepted but has no "
		"effect in ikd (ikd has no XAuth server)",
		"all.conf:40:1: warning: mode_cfg { } is accepted but has no "
		"effect in ikd (ikd is no mode-config server)",
		"all.conf:61:2: warning: esp_frag is accepted but has no effect "
		"in ikd (the kernel does not fragment before ESP-in-UDP)",
		"all.conf:62:2: warning: script is accepted but has no effect "
		"in ikd (ikd runs no hook scripts)",
		"all.conf:89:3: warning: gss_id is accepted but has no effect "
		"in ikd (ikd has no GSS-API authentication)",
		"all.conf:118:2: warning: certificate_type plain_rsa is "
		"accepted but has no effect in ikd (ikd reads no plainrsa-gen "
		"keys; use x509)",
		"all.conf:119:2: warning: peers_certfile dnssec is accepted but "
		"has no effect in ikd (ikd fetches no certificates from DNS)",
		"all.conf:120:2: warning: lifetime byte is accepted but has no "
		"effect in ikd (phase 1 SAs expire by time only)",
		"all.conf:148:2: warning: my_identifier in sainfo is accepted "
		"but has no effect in ikd (phase 2 ids come from the policy)",
		"all.conf:150:49: warning: sainfo ... group is accepted but has "
		"no effect in ikd (ikd has no XAuth server)");
	check_all_globals(c);
	check_all_remotes(c);
	check_all_sainfos(c);
	ikd_conf_free(c);
}

/* ------------------------------------------------------------------------
 * Warnings and IKE versions
 */
static void test_warnings(void **state)
{
	struct ikd_conf *c;

	(void)state;
	c = load("log debug;\nlog info;\n"
		 "remote anonymous {\nike_version 2;\nexchange_mode main;\n"
		 "my_identifier user_fqdn \"nobody\";\n" P1 "}\n"
		 SA "encryption_algorithm aes;\n}\n"
		 "sainfo anonymous {\nencryption_algorithm 3des;\n"
		 "authentication_algorithm hmac_md5;\n}\n");
	assert_non_null(c);
	EXPECT_DIAGS(
		"t.conf:2:5: warning: log given again: this replaces t.conf:1:5",
		"t.conf:6:25: warning: user_fqdn \"nobody\" has no '@' "
		"(user@domain)",
		"t.conf:5:1: warning: exchange_mode has no effect with "
		"ike_version 2",
		"t.conf:12:22: warning: this algorithm is listed already",
		"t.conf:14:1: warning: this sainfo is never used: the one at "
		"t.conf:9:1 has the same ids");
	assert_int_equal(c->log_level, IKD_LOG_INFO);
	assert_int_equal(c->remotes->ike_version, IKD_IKEV2);
	assert_int_equal(c->sainfos->n_encr, 2);
	ikd_conf_free(c);
}

static void test_ike_version(void **state)
{
	struct ikd_conf *c;

	(void)state;
	c = load("remote \"v2\" {\nremote_address 192.0.2.9;\nike_version 2;\n"
		 P1 "}\nremote \"v1\" {\nexchange_mode base;\n" P1 "}\n"
		 "remote \"v1b\" inherit \"v1\";\n"
		 "remote \"v2b\" inherit \"v1\" {\nike_version 2;\n}\n");
	assert_non_null(c);
	assert_int_equal(D.n, 0);
	assert_int_equal(c->remotes->ike_version, IKD_IKEV2);
	assert_pos(&c->remotes->ike_version_pos, 3, 1);
	assert_int_equal(c->remotes->next->ike_version, IKD_IKEV1);
	assert_int_equal(c->remotes->next->ike_version_pos.line, 0);
	assert_int_equal(c->remotes->next->xmode[0], IKD_XMODE_BASE);
	assert_int_equal(c->remotes->next->next->ike_version, IKD_IKEV1);
	assert_pos(&c->remotes->next->next->inherit_pos, 10, 14);
	/* an inherited exchange_mode is not this block's to warn about */
	assert_int_equal(c->remotes->next->next->next->ike_version, IKD_IKEV2);
	ikd_conf_free(c);
}

/* interface NAME (kipsec interfaces): a word or a string, inherited. */
static void test_interface(void **state)
{
	struct ikd_conf *c;

	(void)state;
	c = load("remote 192.0.2.9 {\nike_version 2;\ninterface ipsec0;\n"
		 P1 "}\nremote \"q\" {\nike_version 2;\n"
		 "interface \"ipsec-q.1\";\n" P1 "}\n"
		 "remote \"r\" inherit \"q\";\n"
		 "remote \"none\" {\nike_version 2;\n" P1 "}\n");
	assert_non_null(c);
	assert_int_equal(D.n, 0);
	assert_string_equal(c->remotes->ifname, "ipsec0");
	assert_pos(&c->remotes->ifname_pos, 3, 1);
	assert_string_equal(c->remotes->next->ifname, "ipsec-q.1");
	assert_string_equal(c->remotes->next->next->ifname, "ipsec-q.1");
	assert_string_equal(c->remotes->next->next->next->ifname, "");
	assert_int_equal(c->remotes->n_kif_ts[0], 0);
	assert_int_equal(c->remotes->n_kif_ts[1], 0);
	ikd_conf_free(c);
}

/* interface NAME { local ...; remote ...; }: the child SAs' selectors. */
static void test_interface_ts(void **state)
{
	const struct ikd_remote *r;
	struct ikd_conf *c;
	char a[IKD_ADDR_STRLEN];

	(void)state;
	c = load("remote 192.0.2.9 {\nike_version 2;\ninterface ipsec0 {\n"
		 "local 10.1.0.0/16 fd00:1::/48;\nremote 10.2.0.0/16;\n"
		 "remote 10.3.0.1;\n}\n" P1 "}\n");
	assert_non_null(c);
	assert_int_equal(D.n, 0);
	r = c->remotes;
	assert_string_equal(r->ifname, "ipsec0");
	assert_int_equal(r->n_kif_ts[0], 2);
	assert_int_equal(r->n_kif_ts[1], 2);
	assert_string_equal(ikd_addr_str(&r->kif_ts[0][0].addr, false, a),
			    "10.1.0.0");
	assert_int_equal(r->kif_ts[0][0].plen, 16);
	assert_string_equal(ikd_addr_str(&r->kif_ts[0][1].addr, false, a),
			    "fd00:1::");
	assert_int_equal(r->kif_ts[0][1].plen, 48);
	assert_int_equal(r->kif_ts[1][0].plen, 16);
	assert_string_equal(ikd_addr_str(&r->kif_ts[1][1].addr, false, a),
			    "10.3.0.1");
	assert_int_equal(r->kif_ts[1][1].plen, 32);
	ikd_conf_free(c);
}

/* ------------------------------------------------------------------------
 * Lookups
 */
static const char lookup_conf[] =
	"remote anonymous {\nexchange_mode main;\n" P1 "}\n"
	"remote anonymous [4500] {\nexchange_mode main;\n" P1 "}\n"
	"remote 192.0.2.1 {\nexchange_mode main;\n" P1 "}\n"
	"remote 192.0.2.2 [600] {\nexchange_mode main;\n" P1 "}\n"
	"remote \"named\" {\nexchange_mode main;\n" P1 "}\n"
	"sainfo anonymous {\nencryption_algorithm aes;\n"
	"authentication_algorithm hmac_sha1;\n}\n"
	"sainfo address 10.0.0.0/24 any anonymous {\n"
	"encryption_algorithm aes;\nauthentication_algorithm hmac_sha1;\n}\n"
	"sainfo address 10.0.0.0/24 [80] tcp address 10.1.0.0/24 any {\n"
	"encryption_algorithm aes;\nauthentication_algorithm hmac_sha1;\n}\n"
	"sainfo address 10.0.0.0/24 any address 10.1.0.0/24 any {\n"
	"encryption_algorithm aes;\nauthentication_algorithm hmac_sha1;\n}\n"
	"sainfo anonymous from fqdn \"peer.example\" {\n"
	"encryption_algorithm aes;\nauthentication_algorithm hmac_sha1;\n}\n"
	"sainfo anonymous {\nremoteid 5;\nencryption_algorithm aes;\n"
	"authentication_algorithm hmac_sha1;\n}\n"
	"sainfo anonymous clientaddr {\nremoteid 6;\n"
	"encryption_algorithm aes;\nauthentication_algorithm hmac_sha1;\n}\n";

static const struct ikd_remote *find(const struct ikd_conf *c, const char *s)
{
	struct ikd_addr a;

	assert_int_equal(ikd_addr_parse(&a, s), 0);
	return ikd_conf_find_remote(c, &a);
}

static void test_find_remote(void **state)
{
	struct ikd_conf *c = load(lookup_conf);
	const struct ikd_remote *r;

	(void)state;
	assert_non_null(c);
	r = find(c, "192.0.2.1");
	assert_addr(&r->addr, "192.0.2.1", 0);
	assert_true(find(c, "192.0.2.1[4500]") == r);
	assert_true(find(c, "192.0.2.2[600]")->addr.port == 600);
	assert_true(find(c, "192.0.2.2")->addr.port == 600);
	/* another port: the anonymous block for that port, or for any */
	assert_true(find(c, "192.0.2.2[500]") == c->remotes);
	assert_true(find(c, "198.51.100.1[4500]") == c->remotes->next);
	assert_true(find(c, "198.51.100.1") == c->remotes);
	assert_true(find(c, "2001:db8::1") == c->remotes);
	assert_null(ikd_conf_find_remote_by_name(c, "nope"));
	r = ikd_conf_find_remote_by_name(c, "named");
	assert_non_null(r);
	assert_pos(&r->pos, 17, 1);
	ikd_conf_free(c);
}

static const struct ikd_sainfo *
find_si(const struct ikd_conf *c, const char *src, unsigned int splen,
	const char *dst, unsigned int dplen, uint8_t proto,
	const struct ikd_id *peer, const char *client, uint32_t remoteid)
{
	struct ikd_sel sel = { .src_plen = (uint8_t)splen,
			       .dst_plen = (uint8_t)dplen, .proto = proto };
	struct ikd_addr cl;

	assert_int_equal(ikd_addr_parse(&sel.src, src), 0);
	assert_int_equal(ikd_addr_parse(&sel.dst, dst), 0);
	if (client)
		assert_int_equal(ikd_addr_parse(&cl, client), 0);
	return ikd_conf_find_sainfo(c, &sel, peer, client ? &cl : NULL,
				    remoteid);
}

static unsigned int line_of(const struct ikd_sainfo *s)
{
	return s ? s->pos.line : 0;
}

static void test_find_sainfo(void **state)
{
	struct ikd_conf *c = load(lookup_conf);
	struct ikd_id peer = { .type = IKD_ID_FQDN, .value = "peer.example" };

	(void)state;
	assert_non_null(c);
	/* the most specific wins; anonymous is the fallback */
	assert_int_equal(line_of(find_si(c, "10.9.0.0", 24, "10.8.0.0", 24, 6,
					 NULL, NULL, 0)), 21);
	assert_int_equal(line_of(find_si(c, "10.0.0.0", 24, "10.8.0.0", 24, 6,
					 NULL, NULL, 0)), 25);
	assert_int_equal(line_of(find_si(c, "10.0.0.0", 24, "10.1.0.0", 24, 17,
					 NULL, NULL, 0)), 33);
	/* port and protocol, where the id gives them; equals: the first */
	assert_int_equal(line_of(find_si(c, "10.0.0.0[80]", 24, "10.1.0.0",
					 24, 6, NULL, NULL, 0)), 29);
	assert_int_equal(line_of(find_si(c, "10.0.0.0[81]", 24, "10.1.0.0",
					 24, 6, NULL, NULL, 0)), 33);
	assert_int_equal(line_of(find_si(c, "10.0.0.0[80]", 24, "10.1.0.0",
					 24, 17, NULL, NULL, 0)), 33);
	/* an id is a value, not a filter */
	assert_int_equal(line_of(find_si(c, "10.0.0.0", 25, "10.1.0.0", 24, 6,
					 NULL, NULL, 0)), 21);
	/* "from" outranks the ids */
	assert_int_equal(line_of(find_si(c, "10.0.0.0", 24, "10.1.0.0", 24, 6,
					 &peer, NULL, 0)), 37);
	/* remoteid must match the remote's ph1id */
	assert_int_equal(line_of(find_si(c, "10.9.0.0", 24, "10.8.0.0", 24, 6,
					 NULL, NULL, 5)), 41);
	assert_null(find_si(c, "10.9.0.0", 24, "10.8.0.0", 24, 6, NULL, NULL,
			    9));
	/* clientaddr: the remote side is the peer's own address */
	assert_null(find_si(c, "10.9.0.0", 24, "192.0.2.7", 32, 6, NULL, NULL,
			    6));
	assert_int_equal(line_of(find_si(c, "10.9.0.0", 24, "192.0.2.7", 32, 6,
					 NULL, "192.0.2.7", 6)), 46);
	ikd_conf_free(c);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(ikd_encr_name(IKD_ENCR_AES_CBC), "aes");
	assert_string_equal(ikd_encr_name(IKD_ENCR_NULL), "null_enc");
	assert_string_equal(ikd_encr_name(IKD_ENCR_CAST), "cast128");
	assert_null(ikd_encr_name(99));
	assert_string_equal(ikd_hash_name(IKD_HASH_SHA2_256), "sha256");
	assert_string_equal(ikd_auth_method_name(IKD_AUTH_HYBRID_RSA_CLIENT),
			    "hybrid_rsa_client");
	assert_string_equal(ikd_p2auth_name(IKD_P2AUTH_NON_AUTH), "non_auth");
	assert_string_equal(ikd_comp_name(IKD_COMP_DEFLATE), "deflate");
	assert_string_equal(ikd_dh_name(14), "modp2048");
	assert_string_equal(ikd_dh_name(31), "curve25519");
	assert_null(ikd_dh_name(22));
	assert_int_equal(ikd_encr_oakley(IKD_ENCR_AES_CBC), 7);
	assert_int_equal(ikd_encr_oakley(IKD_ENCR_3DES), 5);
	assert_int_equal(ikd_encr_oakley(IKD_ENCR_AES_GCM_16), 0);
	assert_true(ikd_encr_is_aead(IKD_ENCR_CHACHA20_POLY1305));
	assert_false(ikd_encr_is_aead(IKD_ENCR_AES_CBC));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_seed_b01_b02, teardown),
		cmocka_unit_test_teardown(test_seed_b03_b04, teardown),
		cmocka_unit_test_teardown(test_seed_b05, teardown),
		cmocka_unit_test_teardown(test_seed_verbatim, teardown),
		cmocka_unit_test_teardown(test_all_statements, teardown),
		cmocka_unit_test_teardown(test_warnings, teardown),
		cmocka_unit_test_teardown(test_ike_version, teardown),
		cmocka_unit_test_teardown(test_interface, teardown),
		cmocka_unit_test_teardown(test_interface_ts, teardown),
		cmocka_unit_test_teardown(test_find_remote, teardown),
		cmocka_unit_test_teardown(test_find_sainfo, teardown),
		cmocka_unit_test_teardown(test_names, teardown),
	};

	ikd_diag_init(&D);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
