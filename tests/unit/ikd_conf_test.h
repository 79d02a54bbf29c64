/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers of the racoon.conf tests (test_ikd_conf*.c): load a buffer or a
 * file of the source tree into D's diagnostics, and compare them exactly.
 */
#ifndef TESTS_UNIT_IKD_CONF_TEST_H
#define TESTS_UNIT_IKD_CONF_TEST_H

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
static inline const char *srcdir(void)
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

static inline const char *src_path(const char *rel)
{
	static char path[1024];

	snprintf(path, sizeof(path), "%s/%s", srcdir(), rel);
	return path;
}

static inline char *slurp(const char *rel, size_t *len)
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

static inline struct ikd_conf *load(const char *text)
{
	struct ikd_conf *c;
	int rc;

	ikd_diag_free(&D);
	rc = ikd_conf_load_buffer("t.conf", text, strlen(text), &c, &D);
	assert_true(rc == 0 ? c != NULL : c == NULL);
	return c;
}

static inline struct ikd_conf *load_file(const char *rel)
{
	struct ikd_conf *c;

	ikd_diag_free(&D);
	if (ikd_conf_load_file(src_path(rel), &c, &D))
		ikd_diag_print(&D, stderr);
	assert_non_null(c);
	return c;
}

/* Diagnostic @i, formatted, with the file name cut to its base name. */
static inline const char *diag(size_t i)
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

static inline void expect_diags(const char *const *want, size_t n)
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

static inline void assert_addr(const struct ikd_addr *a, const char *s,
			uint16_t port)
{
	struct ikd_addr want;

	assert_int_equal(ikd_addr_parse(&want, s), 0);
	want.port = port;
	assert_true(ikd_addr_eq(a, &want));
}

static inline void assert_pos(const struct ikd_pos *p, unsigned int line,
		       unsigned int col)
{
	assert_int_equal(p->line, line);
	assert_int_equal(p->col, col);
}

static inline void assert_alg(const struct ikd_alg *a, unsigned int id,
		       unsigned int keylen)
{
	assert_int_equal(a->id, id);
	assert_int_equal(a->keylen, keylen);
}

static inline int teardown(void **state)
{
	(void)state;
	ikd_diag_free(&D);
	return 0;
}

/* A remote block's first lines and a complete proposal, for short tests. */
#define P1 "proposal { encryption_algorithm aes; hash_algorithm sha1; " \
	   "authentication_method pre_shared_key; dh_group 2; }\n"
#define RA "remote anonymous {\nexchange_mode main;\n"	/* line 3 next */
#define SA "sainfo anonymous {\nencryption_algorithm aes;\n" \
	   "authentication_algorithm hmac_sha1;\n"		/* line 4 next */

#endif /* TESTS_UNIT_IKD_CONF_TEST_H */
