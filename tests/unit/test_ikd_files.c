// SPDX-License-Identifier: BSD-2-Clause
/*
 * What ikd's configuration reads from disk: `include` (relative paths,
 * glob patterns, the errors at the include's position), psk.txt (its
 * syntax, its permissions, keys kept out of diagnostics) and the checks of
 * `ikd -n` (ikd_conf_check_files(): key file, certificates with OpenSSL).
 * Each test works in a fresh directory under /tmp.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#define _XOPEN_SOURCE_EXTENDED 1
#include <errno.h>
#include <ftw.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../ikd/conf.h"
#include "../../ikd/psk.h"

static struct ikd_diag D;
static char dir[256];

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ikd-conf-test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	ikd_diag_init(&D);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	ikd_diag_free(&D);
	return 0;
}

static const char *at(const char *rel)
{
	static char bufs[4][512];
	static int n;
	char *b = bufs[n++ % 4];

	snprintf(b, 512, "%s/%s", dir, rel);
	return b;
}

static void put(const char *rel, const char *text, mode_t mode)
{
	char path[512], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (slash = strchr(path + strlen(dir) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0700);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

/* Copies a fixture of tests/unit/fixtures/ikd into the test directory. */
static void put_fixture(const char *name, const char *rel, mode_t mode)
{
	char src[512], exe[512], buf[8192];
	FILE *f;
	size_t n;
	ssize_t l;

	snprintf(src, sizeof(src), "tests/unit/fixtures/ikd/%s", name);
	f = fopen(src, "r");
	if (!f && (l = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		exe[l] = '\0';
		snprintf(src, sizeof(src), "%s/../../tests/unit/fixtures/ikd/%s",
			 dirname(exe), name);
		f = fopen(src, "r");
	}
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	put(rel, buf, mode);
}

static const char *diag(size_t i)
{
	static char buf[1024];

	if (i >= D.n)
		return "(none)";
	ikd_diag_format(&D.v[i], buf, sizeof(buf));
	return buf;
}

/* Compares with the test directory's path written as "@/". */
static void expect_diags(const char *const *want, size_t n)
{
	for (size_t i = 0; i < n || i < D.n; i++) {
		char w[1024] = "(none)", *o = w;

		if (i < n) {
			for (const char *s = want[i]; *s && o < w + 900; s++) {
				if (s[0] == '@' && s[1] == '/')
					o += snprintf(o, 100, "%s", dir);
				else
					*o++ = *s;
			}
			*o = '\0';
		}
		if (i >= n || i >= D.n || strcmp(diag(i), w)) {
			ikd_diag_print(&D, stderr);
			fail_msg("diagnostic %zu:\n  got:  %s\n  want: %s", i,
				 diag(i), w);
		}
	}
}

#define EXPECT_DIAGS(...)						\
	do {								\
		static const char *const w_[] = { __VA_ARGS__ };	\
		expect_diags(w_, sizeof(w_) / sizeof(w_[0]));		\
	} while (0)

#define EXPECT_NO_DIAGS()						\
	do {								\
		if (D.n)						\
			ikd_diag_print(&D, stderr);			\
		assert_int_equal(D.n, 0);				\
	} while (0)

static struct ikd_conf *load(const char *rel)
{
	struct ikd_conf *c;

	ikd_diag_free(&D);
	ikd_conf_load_file(at(rel), &c, &D);
	return c;
}

#define PROP "proposal { encryption_algorithm aes; hash_algorithm sha1; " \
	     "authentication_method pre_shared_key; dh_group 14; }\n"
#define REMOTE(addr) "remote " addr " {\nexchange_mode main;\n" PROP "}\n"

/* ------------------------------------------------------------------------
 * include
 */
static void test_include(void **state)
{
	struct ikd_conf *c;
	const struct ikd_remote *r;

	(void)state;
	put("main.conf", "log info;\ninclude \"sub/peer.conf\";\n"
	    "include \"conf.d/*.conf\";\nlog debug;\n", 0644);
	put("sub/peer.conf", "# first\n" REMOTE("192.0.2.1"), 0644);
	put("conf.d/20-b.conf", REMOTE("192.0.2.3"), 0644);
	put("conf.d/10-a.conf", "\n\n" REMOTE("192.0.2.2"), 0644);
	put("conf.d/notes.txt", "this is not read\n", 0644);
	c = load("main.conf");
	EXPECT_DIAGS("@/main.conf:4:5: warning: log given again: this "
		     "replaces @/main.conf:1:5");
	assert_non_null(c);
	r = c->remotes;
	assert_string_equal(r->pos.file, at("sub/peer.conf"));
	assert_int_equal(r->pos.line, 2);
	r = r->next;
	assert_string_equal(r->pos.file, at("conf.d/10-a.conf"));
	assert_int_equal(r->pos.line, 3);
	r = r->next;
	assert_string_equal(r->pos.file, at("conf.d/20-b.conf"));
	assert_null(r->next);
	/* the main file goes on after the included ones */
	assert_int_equal(c->log_level, IKD_LOG_DEBUG);
	assert_string_equal(c->log_pos.file, at("main.conf"));
	ikd_conf_free(c);
}

static void test_include_path(void **state)
{
	struct ikd_conf *c;
	char text[512];

	(void)state;
	snprintf(text, sizeof(text), "path include \"%s/etc\";\n"
		 "include \"peer.conf\";\n", dir);
	put("main.conf", text, 0644);
	put("etc/peer.conf", REMOTE("192.0.2.1"), 0644);
	put("peer.conf", "this would be an error;\n", 0644);
	c = load("main.conf");
	EXPECT_NO_DIAGS();
	assert_non_null(c);
	assert_string_equal(c->remotes->pos.file, at("etc/peer.conf"));
	ikd_conf_free(c);
}

static void test_include_errors(void **state)
{
	struct ikd_conf *c;

	(void)state;
	put("main.conf", "log info;\ninclude \"missing.conf\";\n"
	    "include \"none.d/*.conf\";\ninclude \"bad.conf\";\n"
	    "include \"sub\";\ninclude \"main.conf\";\n"
	    "include \"self.conf\";\nlog loud;\n", 0644);
	put("bad.conf", "\n  remote 10.0.0.300 { }\n", 0644);
	put("sub/x", "", 0644);
	put("self.conf", "include \"self.conf\";\n", 0644);
	assert_null(load("main.conf"));
	EXPECT_DIAGS(
		"@/main.conf:2:9: error: cannot read \"@/missing.conf\": No "
		"such file or directory",
		"@/main.conf:3:9: error: include \"@/none.d/*.conf\" matches "
		"no file",
		"@/bad.conf:2:10: error: '10.0.0.300' is not an IPv4 or IPv6 "
		"address",
		"@/main.conf:5:9: error: cannot read \"@/sub\": Is a directory",
		"@/main.conf:6:9: error: \"@/main.conf\" includes itself",
		"@/self.conf:1:9: error: \"@/self.conf\" includes itself",
		"@/main.conf:8:5: error: unknown log level 'loud' (error, "
		"warning, notify, info, debug or debug2)");

	/* An included file is read where the include stands, as in racoon:
	 * a block it leaves open goes on in the file that included it. */
	put("main.conf", "include \"open.conf\";\nexchange_mode main;\n"
	    PROP "}\n", 0644);
	put("open.conf", "remote anonymous {\n", 0644);
	c = load("main.conf");
	EXPECT_NO_DIAGS();
	assert_non_null(c);
	assert_true(c->remotes->anonymous);
	assert_string_equal(c->remotes->pos.file, at("open.conf"));
	assert_string_equal(c->remotes->xmode_pos.file, at("main.conf"));
	ikd_conf_free(c);
}

static void test_include_depth(void **state)
{
	char name[32], text[64];

	(void)state;
	for (int i = 0; i <= 11; i++) {
		snprintf(name, sizeof(name), "d%d.conf", i);
		snprintf(text, sizeof(text), "include \"d%d.conf\";\n", i + 1);
		put(name, text, 0644);
	}
	put("d12.conf", "", 0644);
	assert_null(load("d0.conf"));
	EXPECT_DIAGS("@/d10.conf:1:9: error: includes nest deeper than 10 "
		     "levels");
}

/* ------------------------------------------------------------------------
 * psk.txt
 */
static void test_psk_parse(void **state)
{
	static const char text[] =
		"# keys\n"
		"10.160.94.3\tmekmitasdigoat\n"
		"\n"
		"   # an indented comment\n"
		"2001:DB8::1  with inner  blanks\n"
		"foo@kame.net    0x12345678\n"
		"foo.kame.net hoge\n"
		"10.160.94.3 second\n"
		"gw.example   trailing \n";
	const struct ikd_psk_entry *e;
	struct ikd_psk *k;

	(void)state;
	ikd_diag_free(&D);
	assert_int_equal(ikd_psk_parse("psk.txt", text, sizeof(text) - 1, &k,
				       &D), 0);
	EXPECT_DIAGS(
		"psk.txt:8:1: warning: '10.160.94.3' has a key on line 2 "
		"already; that one is used",
		"psk.txt:9:1: warning: the key of 'gw.example' ends in "
		"whitespace, which is part of the key");
	assert_int_equal(k->n, 6);
	e = ikd_psk_find(k, "10.160.94.3");
	assert_non_null(e);
	assert_int_equal(e->line, 2);
	assert_memory_equal(e->key, "mekmitasdigoat", e->key_len);
	assert_int_equal(e->key_len, 14);
	e = ikd_psk_find(k, "2001:db8:0::1");	/* the same address */
	assert_non_null(e);
	assert_string_equal(e->id, "2001:DB8::1");
	assert_int_equal(e->key_len, strlen("with inner  blanks"));
	assert_memory_equal(e->key, "with inner  blanks", e->key_len);
	e = ikd_psk_find(k, "foo@kame.net");
	assert_int_equal(e->key_len, 4);
	assert_memory_equal(e->key, "\x12\x34\x56\x78", 4);
	e = ikd_psk_find(k, "foo.kame.net");
	assert_memory_equal(e->key, "hoge", 4);
	e = ikd_psk_find(k, "gw.example");
	assert_int_equal(e->key_len, strlen("trailing "));
	assert_null(ikd_psk_find(k, "10.160.94.4"));
	assert_null(ikd_psk_find(k, "kame.net"));
	ikd_psk_free(k);
}

static void test_psk_errors(void **state)
{
	static const char text[] =
		"lonely\n"
		"peer.example 0xABC\n"
		"peer2.example 0xSECRETKEY1\n"
		"peer3.example \t \n"
		"crlf.example\r\n";
	struct ikd_psk *k;

	(void)state;
	ikd_diag_free(&D);
	assert_int_equal(ikd_psk_parse("psk.txt", text, sizeof(text) - 1, &k,
				       &D), -EINVAL);
	assert_null(k);
	EXPECT_DIAGS(
		"psk.txt:1:1: error: 'lonely' has no key",
		"psk.txt:2:1: error: the key of 'peer.example' is not an even "
		"number of hex digits after 0x",
		"psk.txt:3:1: error: the key of 'peer2.example' is not an even "
		"number of hex digits after 0x",
		"psk.txt:4:1: error: 'peer3.example' has no key",
		"psk.txt:5:1: error: 'crlf.example' has no key");
	/* a diagnostic names the line and the identifier, never the key */
	for (size_t i = 0; i < D.n; i++)
		assert_null(strstr(D.v[i].msg, "SECRETKEY"));
}

static void test_psk_permissions(void **state)
{
	struct ikd_psk *k;

	(void)state;
	put("psk.txt", "10.0.0.1 secret\n", 0600);
	ikd_diag_free(&D);
	assert_int_equal(ikd_psk_load(at("psk.txt"), &k, &D), 0);
	EXPECT_NO_DIAGS();
	assert_int_equal(k->n, 1);
	ikd_psk_free(k);	/* wipes the key: ASan checks the free path */

	assert_int_equal(chmod(at("psk.txt"), 0640), 0);
	assert_int_equal(ikd_psk_load(at("psk.txt"), &k, &D), -EPERM);
	assert_null(k);
	EXPECT_DIAGS("@/psk.txt: error: must not be accessible by group or "
		     "others (mode 0640); run chmod 600 @/psk.txt");

	ikd_diag_free(&D);
	assert_int_equal(chmod(at("psk.txt"), 0604), 0);
	assert_int_equal(ikd_psk_load(at("psk.txt"), &k, &D), -EPERM);
	EXPECT_DIAGS("@/psk.txt: error: must not be accessible by group or "
		     "others (mode 0604); run chmod 600 @/psk.txt");

	ikd_diag_free(&D);
	assert_int_equal(mkdir(at("sub"), 0700), 0);
	assert_int_equal(ikd_psk_load(at("sub"), &k, &D), -EINVAL);
	EXPECT_DIAGS("@/sub: error: is not a regular file");

	ikd_diag_free(&D);
	assert_int_equal(ikd_psk_load(at("nope.txt"), &k, &D), -ENOENT);
	EXPECT_DIAGS("@/nope.txt: error: cannot read: No such file or "
		     "directory");
}

/* ------------------------------------------------------------------------
 * ikd -n
 */
static const char cert_conf[] =
	"path pre_shared_key \"psk.txt\";\n"
	"path certificate \"certs\";\n"
	"remote anonymous {\n"
	"exchange_mode main;\n"
	"certificate_type x509 \"gw-cert.pem\" \"%s\";\n"
	"peers_certfile x509 \"%s\";\n"
	"ca_type x509 \"gw-cert.pem\";\n"
	"my_identifier keyid \"%s\";\n"
	"proposal { encryption_algorithm aes; hash_algorithm sha256; "
	"authentication_method rsasig; dh_group 14; }\n"
	PROP
	"}\n";

static struct ikd_conf *cert_setup(const char *key, const char *peer,
				   const char *keyid)
{
	char text[2048];

	snprintf(text, sizeof(text), cert_conf, key, peer, keyid);
	put("racoon.conf", text, 0644);
	put("psk.txt", "10.0.0.1 secret\n", 0600);
	put_fixture("gw-cert.pem", "certs/gw-cert.pem", 0644);
	put_fixture("gw-key.pem", "certs/gw-key.pem", 0600);
	put_fixture("other-key.pem", "certs/other-key.pem", 0600);
	put("certs/garbage.pem", "-----BEGIN CERTIFICATE-----\nxx\n", 0644);
	put("keyid", "id", 0600);
	return load("racoon.conf");
}

static void test_check_files_ok(void **state)
{
	struct ikd_conf *c;

	(void)state;
	c = cert_setup("gw-key.pem", "gw-cert.pem", "keyid");
	EXPECT_NO_DIAGS();
	assert_non_null(c);
	/* relative names: from the file that says them */
	assert_string_equal(c->remotes->my_id.value, at("keyid"));
	assert_string_equal(c->path_psk, at("psk.txt"));
	assert_string_equal(c->remotes->cert_path, at("certs/gw-cert.pem"));
	assert_int_equal(ikd_conf_check_files(c, &D), 0);
	EXPECT_NO_DIAGS();
	ikd_conf_free(c);
}

static void test_check_files_errors(void **state)
{
	struct ikd_conf *c;

	(void)state;
	c = cert_setup("other-key.pem", "garbage.pem", at("no-keyid"));
	assert_non_null(c);
	assert_int_equal(chmod(at("psk.txt"), 0644), 0);
	assert_int_equal(chmod(at("certs/other-key.pem"), 0640), 0);
	assert_int_equal(ikd_conf_check_files(c, &D), 4);
	/* OpenSSL's words for a broken file are its own */
	assert_true(D.n == 5 && strstr(D.v[3].msg, "cannot load peer "
				       "certificate \"") &&
		    strstr(D.v[3].msg, "garbage.pem\": not a PEM or DER "
			   "certificate (OpenSSL: "));
	D.v[3].msg[strcspn(D.v[3].msg, "(")] = '\0';
	EXPECT_DIAGS(
		"@/psk.txt: error: must not be accessible by group or others "
		"(mode 0644); run chmod 600 @/psk.txt",
		"@/racoon.conf:5:1: warning: private key \"@/certs/"
		"other-key.pem\" is accessible by group or others (mode 0640); "
		"run chmod 600 @/certs/other-key.pem",
		"@/racoon.conf:5:1: error: private key \"@/certs/other-key.pem\" "
		"does not belong to certificate \"@/certs/gw-cert.pem\"",
		"@/racoon.conf:6:1: error: cannot load peer certificate "
		"\"@/certs/garbage.pem\": not a PEM or DER certificate ",
		"@/racoon.conf:8:1: error: cannot read keyid file "
		"\"@/no-keyid\": No such file or directory");
	ikd_conf_free(c);
}

static void test_check_files_missing(void **state)
{
	struct ikd_conf *c;

	(void)state;
	put("racoon.conf", "path certificate \"nowhere\";\n"
	    "listen { adminsock \"/run/x\" \"no-such-user-x\" \"0\" 0600; }\n"
	    REMOTE("anonymous"), 0644);
	c = load("racoon.conf");
	EXPECT_NO_DIAGS();
	assert_int_equal(ikd_conf_check_files(c, &D), 3);
	EXPECT_DIAGS(
		"@/racoon.conf:5:59: error: pre_shared_key authentication "
		"needs a key file: add path pre_shared_key",
		"@/racoon.conf:1:6: error: path certificate \"@/nowhere\": No "
		"such file or directory",
		"@/racoon.conf:2:10: error: unknown user \"no-such-user-x\"");
	ikd_conf_free(c);

	put("racoon.conf", "path pre_shared_key \"gone.txt\";\n"
	    "path certificate \"racoon.conf\";\n", 0644);
	c = load("racoon.conf");
	assert_int_equal(ikd_conf_check_files(c, &D), 2);
	EXPECT_DIAGS(
		"@/racoon.conf:1:6: error: cannot read pre-shared key file "
		"\"@/gone.txt\": No such file or directory",
		"@/racoon.conf:2:6: error: path certificate \"@/racoon.conf\" "
		"is not a directory");
	ikd_conf_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_include, setup, teardown),
		cmocka_unit_test_setup_teardown(test_include_path, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_include_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_include_depth, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_psk_parse, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_psk_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_psk_permissions, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_check_files_ok, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_check_files_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_check_files_missing, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
