// SPDX-License-Identifier: BSD-2-Clause
/*
 * ikd's racoon.conf: every seed file of the inventory's Appendix B parses
 * to the expected model (and the verbatim, extraction-damaged forms give
 * exactly the expected diagnostics); a file with every statement gives
 * each value and the warning of each statement ikd only accepts; each
 * class of error gives its exact FILE:LINE:COL message; the lookups follow
 * racoon's precedence. Files and psk.txt: test_ikd_files.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../ikd/conf.h"

static struct ikd_diag D;

/* The source tree: the current directory or ../.. of build/san/test_x. */
static const char *srcdir(void)
{
	static char dir[512];
	char exe[512];
	ssize_t n;

	if (dir[0])
		return dir;
	if (!access("tests/unit/seeds", F_OK)) {
		snprintf(dir, sizeof(dir), ".");
	} else {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		assert_true(n > 0);
		exe[n] = '\0';
		snprintf(dir, sizeof(dir), "%s/../..", dirname(exe));
	}
	return dir;
}

static const char *src_path(const char *rel)
{
	static char path[1024];

	snprintf(path, sizeof(path), "%s/%s", srcdir(), rel);
	return path;
}

static char *slurp(const char *rel, size_t *len)
{
	FILE *f = fopen(src_path(rel), "r");
	char *buf = malloc(1 << 16);

	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, (1 << 16) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static struct ikd_conf *load(const char *text)
{
	struct ikd_conf *c;
	int rc;

	ikd_diag_free(&D);
	rc = ikd_conf_load_buffer("t.conf", text, strlen(text), &c, &D);
	assert_true(rc == 0 ? c != NULL : c == NULL);
	return c;
}

static struct ikd_conf *load_file(const char *rel)
{
	struct ikd_conf *c;

	ikd_diag_free(&D);
	if (ikd_conf_load_file(src_path(rel), &c, &D))
		ikd_diag_print(&D, stderr);
	assert_non_null(c);
	return c;
}

/* Diagnostic @i, formatted, with the file name cut to its base name. */
static const char *diag(size_t i)
{
	static char buf[1024];
	struct ikd_diag_entry e;
	char *slash;

	if (i >= D.n)
		return "(none)";
	e = D.v[i];
	slash = e.file ? strrchr(e.file, '/') : NULL;
	if (slash)
		e.file = slash + 1;
	ikd_diag_format(&e, buf, sizeof(buf));
	return buf;
}

static void expect_diags(const char *const *want, size_t n)
{
	for (size_t i = 0; i < n || i < D.n; i++) {
		if (i >= n || i >= D.n || strcmp(diag(i), want[i])) {
			ikd_diag_print(&D, stderr);
			fail_msg("diagnostic %zu:\n  got:  %s\n  want: %s", i,
				 diag(i), i < n ? want[i] : "(none)");
		}
	}
}

#define EXPECT_DIAGS(...)						\
	do {								\
		static const char *const w_[] = { __VA_ARGS__ };	\
		expect_diags(w_, sizeof(w_) / sizeof(w_[0]));		\
	} while (0)

static void assert_addr(const struct ikd_addr *a, const char *s,
			uint16_t port)
{
	struct ikd_addr want;

	assert_int_equal(ikd_addr_parse(&want, s), 0);
	want.port = port;
	assert_true(ikd_addr_eq(a, &want));
}

static void assert_pos(const struct ikd_pos *p, unsigned int line,
		       unsigned int col)
{
	assert_int_equal(p->line, line);
	assert_int_equal(p->col, col);
}

static void assert_alg(const struct ikd_alg *a, unsigned int id,
		       unsigned int keylen)
{
	assert_int_equal(a->id, id);
	assert_int_equal(a->keylen, keylen);
}

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
 * Errors: each with its exact position; nerrors counts all of them.
 */
#define P1 "proposal { encryption_algorithm aes; hash_algorithm sha1; " \
	   "authentication_method pre_shared_key; dh_group 2; }\n"
#define RA "remote anonymous {\nexchange_mode main;\n"	/* line 3 next */
#define SA "sainfo anonymous {\nencryption_algorithm aes;\n" \
	   "authentication_algorithm hmac_sha1;\n"		/* line 4 next */

struct bad {
	const char *src;
	const char *diag;	/* the first one */
	size_t nerrors;
};

static const struct bad bad[] = {
	/* unknown and misplaced statements */
	{ "foo bar;\n", "t.conf:1:1: error: unknown statement 'foo'", 1 },
	{ "foo { bar; }\nbaz;\n", "t.conf:1:1: error: unknown statement 'foo'",
	  2 },
	{ RA "pfs_group 2;\n" P1 "}\n",
	  "t.conf:3:1: error: unexpected 'pfs_group': pfs_group belongs in a "
	  "sainfo block", 1 },
	{ "esp_frag 552;\n", "t.conf:1:1: error: esp_frag is not allowed "
	  "here: it belongs in a remote block", 1 },
	{ "ldapcfg { host \"h\"; hots \"h\"; }\n",
	  "t.conf:1:21: error: unknown statement 'hots' in ldapcfg", 1 },
	{ "pfkey_buffer \"x\";\n", "t.conf:1:14: error: bad pfkey_buffer "
	  "statement (expected pfkey_buffer NUMBER;)", 1 },
	{ "privsep;\n", "t.conf:1:1: error: privsep needs a { } block", 1 },
	/* syntax */
	{ "log debug\nremote anonymous { }\n",
	  "t.conf:2:1: error: unexpected 'remote' (expected ';')", 1 },
	{ "path certificate \"/x\n",
	  "t.conf:1:18: error: this string has no closing '\"'", 2 },
	{ "log debug;\n@\n", "t.conf:2:1: error: unexpected character '@'",
	  1 },
	{ RA P1, "t.conf:4:1: error: unexpected end of file: the '{' at 1:18 "
	  "has no '}'", 1 },
	/* values */
	{ "log verbose;\n", "t.conf:1:5: error: unknown log level 'verbose' "
	  "(error, warning, notify, info, debug or debug2)", 1 },
	{ "path keys \"/x\";\n", "t.conf:1:6: error: unknown path type 'keys' "
	  "(include, pre_shared_key, certificate, pidfile, backupsa or "
	  "script)", 1 },
	{ RA "passive yes;\n" P1 "}\n",
	  "t.conf:3:9: error: expected on or off, found 'yes'", 1 },
	{ RA "nat_traversal maybe;\n" P1 "}\n",
	  "t.conf:3:15: error: expected on, off or force, found 'maybe'", 1 },
	{ RA "nonce_size 4;\n" P1 "}\n",
	  "t.conf:3:12: error: nonce_size must be between 8 and 256, not 4",
	  1 },
	{ RA "exchange_mode main, turbo;\n" P1 "}\n",
	  "t.conf:3:21: error: unknown exchange mode 'turbo' (main, "
	  "aggressive or base)", 1 },
	{ RA "lifetime time 4294967296 hours;\n" P1 "}\n",
	  "t.conf:3:15: error: 4294967296 hours is too long (at most "
	  "4294967295 seconds)", 1 },
	{ RA "lifetime time 99999999999999999999 sec;\n" P1 "}\n",
	  "t.conf:3:15: error: 99999999999999999999 sec is too long (at most "
	  "4294967295 seconds)", 1 },
	{ RA "lifetime time 1;\n" P1 "}\n",
	  "t.conf:3:15: error: 1 needs a time unit (sec, min, hour) after it",
	  1 },
	{ RA "lifetime time 1 day;\n" P1 "}\n",
	  "t.conf:3:17: error: expected a time unit (sec, min, hour), found "
	  "'day'", 1 },
	{ SA "lifetime byte 100 B;\n}\n",
	  "t.conf:4:15: error: a byte lifetime must be at least 1 KB", 1 },
	{ RA "proposal { encryption_algorithm rot13; hash_algorithm sha1; "
	  "authentication_method pre_shared_key; dh_group 2; }\n}\n",
	  "t.conf:3:33: error: unknown encryption_algorithm 'rot13' (one of "
	  "des, 3des, rc5, idea, cast128, blowfish, aes, rijndael, camellia)",
	  1 },
	{ RA "proposal { encryption_algorithm aes 100; hash_algorithm sha1; "
	  "authentication_method pre_shared_key; dh_group 2; }\n}\n",
	  "t.conf:3:37: error: aes takes a key of 128, 192 or 256 bits, not "
	  "100", 1 },
	{ RA "proposal { encryption_algorithm 3des 192; hash_algorithm sha1; "
	  "authentication_method pre_shared_key; dh_group 2; }\n}\n",
	  "t.conf:3:38: error: 3des has a fixed key length: drop '192'", 1 },
	{ RA "proposal { encryption_algorithm des_iv64; hash_algorithm sha1; "
	  "authentication_method pre_shared_key; dh_group 2; }\n}\n",
	  "t.conf:3:33: error: des_iv64 is a phase 2 algorithm: it goes in a "
	  "sainfo block", 1 },
	{ RA "proposal { encryption_algorithm aes; hash_algorithm sha1; "
	  "authentication_method pre_shared_key; dh_group 7; }\n}\n",
	  "t.conf:3:106: error: DH group 7 is not supported (1, 2, 3, 4, 5, "
	  "14 to 21 or 31)", 1 },
	{ RA "proposal { encryption_algorithm aes; hash_algorithm sha1; "
	  "authentication_method pre_shared_key; dh_group modp9999; }\n}\n",
	  "t.conf:3:106: error: unknown DH group 'modp9999' (a number, or "
	  "modp768 ... modp8192, ecp256, ecp384, ecp521, curve25519)", 1 },
	{ SA "authentication_algorithm sha1;\n}\n",
	  "t.conf:4:26: error: sha1 is a phase 1 hash_algorithm; in "
	  "authentication_algorithm write hmac_sha1", 1 },
	{ SA "encryption_algorithm hmac_md5;\n}\n",
	  "t.conf:4:22: error: hmac_md5 does not go in encryption_algorithm: "
	  "it is for authentication_algorithm", 1 },
	{ SA "hash_algorithm sha1;\n}\n",
	  "t.conf:4:1: error: hash_algorithm belongs in a proposal block", 1 },
	{ "remote 10.0.0.256 { }\n",
	  "t.conf:1:8: error: '10.0.0.256' is not an IPv4 or IPv6 address", 1 },
	{ "listen { isakmp 192.0.2.1 [70000]; }\n",
	  "t.conf:1:27: error: port [70000] is out of range (0-65535)", 1 },
	{ "listen { isakmp fe80::1%eth0; }\n",
	  "t.conf:1:17: error: fe80::1%eth0: scoped addresses (%zone) are not "
	  "supported", 1 },
	{ "listen { isakmp 192.0.2.1; isakmp 192.0.2.1 [500]; }\n",
	  "t.conf:1:35: error: 192.0.2.1[500] is listed already at "
	  "t.conf:1:10", 1 },
	{ "listen { adminsock \"/s\" \"root\" \"wheel\" 0998; }\n",
	  "t.conf:1:40: error: mode 0998 is not an octal mode like 0660", 1 },
	{ "sainfo address 10.0.0.0/33 any anonymous {\nencryption_algorithm "
	  "aes;\nauthentication_algorithm hmac_sha1;\n}\n",
	  "t.conf:1:24: error: prefix length 33 is more than 32", 1 },
	{ "sainfo address 10.0.0.0/8 any address 2001:db8::/32 any {\n"
	  "encryption_algorithm aes;\nauthentication_algorithm hmac_sha1;\n}\n",
	  "t.conf:1:31: error: the local id is IPv4 and the remote id IPv6: a "
	  "sainfo's ids must be of one address family", 1 },
	{ "sainfo address 10.0.0.1 [7] icmp anonymous {\nencryption_algorithm "
	  "aes;\nauthentication_algorithm hmac_sha1;\n}\n",
	  "t.conf:1:25: error: with icmp the port must be [any]", 1 },
	{ "sainfo address 2001:db8::1 icmp anonymous {\nencryption_algorithm "
	  "aes;\nauthentication_algorithm hmac_sha1;\n}\n",
	  "t.conf:1:28: error: icmp does not go with an IPv6 address", 1 },
	{ "sainfo address 10.0.0.9-10.0.0.1 any anonymous {\n"
	  "encryption_algorithm aes;\nauthentication_algorithm hmac_sha1;\n}\n",
	  "t.conf:1:25: error: this range ends before it starts (10.0.0.9)",
	  1 },
	{ "sainfo address 10.0.0.0/8 address 10.1.0.0/16 any {\n"
	  "encryption_algorithm aes;\nauthentication_algorithm hmac_sha1;\n}\n",
	  "t.conf:1:27: error: 10.0.0.0 needs an upper-layer protocol (any, "
	  "tcp, udp, icmp, icmp6, ... or a number) before 'address'", 1 },
	{ "sainfo asn1dn \"C=XX\" anonymous {\nencryption_algorithm aes;\n"
	  "authentication_algorithm hmac_sha1;\n}\n",
	  "t.conf:1:8: error: asn1dn cannot be a sainfo id", 1 },
	{ "sainfo anonymous {\npfs_group 2;\n}\n",
	  "t.conf:1:1: error: this sainfo needs encryption_algorithm", 2 },
	{ "sainfo anonymous {\nencryption_algorithm aes;\n}\n",
	  "t.conf:1:1: error: this sainfo needs authentication_algorithm "
	  "(non_auth for none)", 1 },
	{ "sainfo address 10.0.0.0/8 any anonymous {\nencryption_algorithm "
	  "aes;\nauthentication_algorithm hmac_sha1;\n}\nsainfo address "
	  "10.0.0.0/8 any anonymous {\nencryption_algorithm aes;\n"
	  "authentication_algorithm hmac_sha1;\n}\n",
	  "t.conf:5:1: error: a sainfo with these ids is defined already at "
	  "t.conf:1:1", 1 },
	/* remote blocks as a whole */
	{ "remote anonymous {\n" P1 "}\n",
	  "t.conf:1:1: error: remote anonymous needs exchange_mode (IKEv1) or "
	  "ike_version 2", 1 },
	{ RA "}\n", "t.conf:1:1: error: remote anonymous has no proposal", 1 },
	{ RA "proposal { encryption_algorithm aes; dh_group 2; }\n}\n",
	  "t.conf:3:1: error: this proposal needs hash_algorithm and "
	  "authentication_method", 1 },
	{ RA "ike_version 3;\n" P1 "}\n",
	  "t.conf:3:13: error: ike_version must be between 1 and 2, not 3", 1 },
	{ "remote anonymous {\nike_version 2;\nnonce_size 8;\n" P1 "}\n",
	  "t.conf:3:1: error: IKEv2 nonces are at least 16 bytes (RFC 7296 "
	  "2.10)", 1 },
	{ RA "dh_group 2;\n" P1 "}\n",
	  "t.conf:3:1: error: dh_group goes in a proposal block, not directly "
	  "in remote", 1 },
	{ "remote anonymous {\nexchange_mode aggressive;\n" P1
	  "proposal { encryption_algorithm aes; hash_algorithm sha1; "
	  "authentication_method pre_shared_key; dh_group 14; }\n}\n",
	  "t.conf:4:97: error: with aggressive mode every proposal needs the "
	  "same dh_group (2, as at t.conf:3:97)", 1 },
	{ RA "my_identifier asn1dn;\n" P1 "}\n",
	  "t.conf:3:1: error: my_identifier asn1dn without a DN takes the "
	  "certificate's subject: add certificate_type x509 or write the DN",
	  1 },
	{ RA "my_identifier fqdn;\n" P1 "}\n",
	  "t.conf:3:15: error: fqdn needs a quoted value", 1 },
	{ RA "my_identifier address tag \"x\";\n" P1 "}\n",
	  "t.conf:3:23: error: unexpected 'tag': only keyid takes a qualifier "
	  "(file or tag)", 1 },
	{ RA "my_identifier email \"x\";\n" P1 "}\n",
	  "t.conf:3:15: error: unknown identifier type 'email' (address, "
	  "fqdn, user_fqdn, keyid or asn1dn)", 1 },
	{ RA "certificate_type pem \"a\" \"b\";\n" P1 "}\n",
	  "t.conf:3:18: error: unknown certificate type 'pem' (x509 or "
	  "plain_rsa)", 1 },
	{ RA "certificate_type x509 \"a\";\n" P1 "}\n",
	  "t.conf:3:1: error: certificate_type x509's private key needs a "
	  "quoted file name", 1 },
	{ "remote anonymous {\nexchange_mode main;\nproposal { "
	  "encryption_algorithm aes; hash_algorithm sha1; "
	  "authentication_method rsasig; dh_group 2; }\n}\n",
	  "t.conf:1:1: error: remote anonymous authenticates with rsasig but "
	  "has no certificate_type x509", 1 },
	{ "remote 10.0.0.1 {\nremote_address 10.0.0.2;\nexchange_mode main;\n"
	  P1 "}\n", "t.conf:2:1: error: remote_address is for a remote block "
	  "with a name; this one is selected by its address already", 1 },
	{ "remote 10.0.0.1 inherit \"nope\";\n",
	  "t.conf:1:25: error: no earlier remote block \"nope\" to inherit "
	  "from", 1 },
	{ "remote 10.0.0.1;\n", "t.conf:1:16: error: remote 10.0.0.1 needs a "
	  "{ } block (only a block that inherits may end with ';')", 1 },
	{ RA P1 "}\n" RA P1 "}\n",
	  "t.conf:5:1: error: a remote block for anonymous peers is defined "
	  "already at t.conf:1:1", 1 },
	{ "remote 10.0.0.1 {\nexchange_mode main;\n" P1 "}\n"
	  "remote \"x\" {\nremote_address 10.0.0.1;\nexchange_mode main;\n"
	  P1 "}\n",
	  "t.conf:5:1: error: a remote block for 10.0.0.1 is defined already "
	  "at t.conf:1:1", 1 },
	{ "remote \"x\" {\nexchange_mode main;\n" P1 "}\n"
	  "remote \"x\" {\nexchange_mode main;\n" P1 "}\n",
	  "t.conf:5:1: error: remote \"x\" is defined already at t.conf:1:1",
	  1 },
	/* error recovery takes the second header's "from" into the first
	 * block: the first one's value must not leak (LSan checks) */
	{ "sainfo anonymous from fqdn \"p\" x;\n"
	  "sainfo anonymous from fqdn \"qq\" x;\n",
	  "t.conf:1:32: error: unexpected 'x' (expected '{')", 2 },
	/* includes need a file */
	{ "include \"other.conf\";\n", "t.conf:1:9: error: include "
	  "\"other.conf\" cannot be read: this configuration is not a file",
	  1 },
};

static void test_errors(void **state)
{
	size_t failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = strlen(bad[i].src);
		struct ikd_conf *c;

		ikd_diag_free(&D);
		assert_int_equal(ikd_conf_load_buffer("t.conf", bad[i].src, len,
						      &c, &D), -EINVAL);
		assert_null(c);
		if (D.n == 0 || strcmp(diag(0), bad[i].diag) ||
		    D.nerrors != bad[i].nerrors) {
			ikd_diag_print(&D, stderr);
			fprintf(stderr, "entry %zu:\n  got:  %s (%zu errors)\n"
				"  want: %s (%zu)\n", i, diag(0), D.nerrors,
				bad[i].diag, bad[i].nerrors);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

/* Bytes above 0x7f: fine in strings (UTF-8 paths), refused elsewhere. */
static void test_high_bytes(void **state)
{
	struct ikd_conf *c;

	(void)state;
	c = load("path certificate \"/etc/ik\xc3\xa9" "d\";\n");
	assert_non_null(c);
	assert_string_equal(c->path_cert, "/etc/ik\xc3\xa9" "d");
	ikd_conf_free(c);
	assert_null(load("log \xb6" "debug;\n"));
	EXPECT_DIAGS("t.conf:1:5: error: unexpected byte 0xb6");
}

static void test_nul_byte(void **state)
{
	static const char text[] = "log\0 debug;\nlog info;\n";
	struct ikd_conf *c;

	(void)state;
	ikd_diag_free(&D);
	assert_int_equal(ikd_conf_load_buffer("t.conf", text, sizeof(text) - 1,
					      &c, &D), -EINVAL);
	EXPECT_DIAGS("t.conf:1:4: error: a NUL byte: this is not a text file",
		     "t.conf:2:5: warning: log given again: this replaces "
		     "t.conf:1:6");
}

/* Several errors in one file: all reported, each at its statement. */
static void test_errors_collected(void **state)
{
	(void)state;
	assert_null(load("log loud;\n"
			 "path x \"y\";\n"
			 RA "passive maybe;\nnonce_size 1000;\n" P1 "}\n"
			 "timer { counter 3 sec; phase1 0 sec; }\n"));
	EXPECT_DIAGS(
		"t.conf:1:5: error: unknown log level 'loud' (error, warning, "
		"notify, info, debug or debug2)",
		"t.conf:2:6: error: unknown path type 'x' (include, "
		"pre_shared_key, certificate, pidfile, backupsa or script)",
		"t.conf:5:9: error: expected on or off, found 'maybe'",
		"t.conf:6:12: error: nonce_size must be between 8 and 256, not "
		"1000",
		"t.conf:9:19: error: counter is a count: drop 'sec'",
		"t.conf:9:31: error: phase1 must be at least 1 second");
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

static int teardown(void **state)
{
	(void)state;
	ikd_diag_free(&D);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_seed_b01_b02, teardown),
		cmocka_unit_test_teardown(test_seed_b03_b04, teardown),
		cmocka_unit_test_teardown(test_seed_b05, teardown),
		cmocka_unit_test_teardown(test_seed_verbatim, teardown),
		cmocka_unit_test_teardown(test_all_statements, teardown),
		cmocka_unit_test_teardown(test_errors, teardown),
		cmocka_unit_test_teardown(test_high_bytes, teardown),
		cmocka_unit_test_teardown(test_nul_byte, teardown),
		cmocka_unit_test_teardown(test_errors_collected, teardown),
		cmocka_unit_test_teardown(test_warnings, teardown),
		cmocka_unit_test_teardown(test_ike_version, teardown),
		cmocka_unit_test_teardown(test_find_remote, teardown),
		cmocka_unit_test_teardown(test_find_sainfo, teardown),
		cmocka_unit_test_teardown(test_names, teardown),
	};

	ikd_diag_init(&D);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
