// SPDX-License-Identifier: BSD-2-Clause
/*
 * ikd's log (ikd/log.c): racoon's file format, levels and -d, appending,
 * control characters escaped, long lines cut, stderr as a second
 * destination, and levels by name.
 */
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../ikd/log.h"

struct fx {
	char dir[64];
	char path[96];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/ikd-log.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/ikd.log", f->dir);
	ikd_log_set_level(IKD_LOG_NOTIFY);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	ikd_log_close();
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* The whole file, NUL-terminated (test-sized). */
static char *slurp(const char *path)
{
	static char buf[16384];
	FILE *fp = fopen(path, "r");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return buf;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void assert_matches(const char *text, const char *re)
{
	regex_t r;

	assert_int_equal(regcomp(&r, re, REG_EXTENDED | REG_NEWLINE), 0);
	if (regexec(&r, text, 0, NULL, 0) != 0)
		fail_msg("'%s' does not match /%s/", text, re);
	regfree(&r);
}

static void test_file_format_and_levels(void **state)
{
	struct fx *f = *state;
	char *s;

	assert_int_equal(ikd_log_open(IKD_LOG_FILE, f->path), 0);
	log_error("bad %d", 1);
	log_warn("warned");
	log_notify("phase %s up", "1");
	log_info("not shown at notify");
	log_debug("not shown either");
	s = slurp(f->path);
	assert_int_equal(count_lines(s), 3);
	assert_matches(s, "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}: ERROR: bad 1$");
	assert_matches(s, "^[0-9-]{10} [0-9:]{8}: WARNING: warned$");
	assert_matches(s, "^[0-9-]{10} [0-9:]{8}: NOTIFY: phase 1 up$");
	assert_null(strstr(s, "not shown"));

	/* -d -d: two levels more. */
	ikd_log_set_level(ikd_log_get_level() + 2);
	assert_int_equal(ikd_log_get_level(), IKD_LOG_DEBUG);
	assert_true(ikd_log_enabled(IKD_LOG_DEBUG));
	assert_false(ikd_log_enabled(IKD_LOG_DEBUG2));
	log_debug("now debug");
	ikd_log(IKD_LOG_DEBUG2, "still not debug2");
	s = slurp(f->path);
	assert_int_equal(count_lines(s), 4);
	assert_matches(s, "^[0-9-]{10} [0-9:]{8}: DEBUG: now debug$");
	/* Beyond the last level it stays at debug2. */
	ikd_log_set_level(IKD_LOG_DEBUG2 + 3);
	assert_int_equal(ikd_log_get_level(), IKD_LOG_DEBUG2);
}

static void test_file_appends_and_mode(void **state)
{
	struct fx *f = *state;
	struct stat st;
	int fd = open(f->path, O_WRONLY | O_CREAT, 0600);
	char *s;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "earlier line\n", 13), 13);
	close(fd);
	assert_int_equal(ikd_log_open(IKD_LOG_FILE, f->path), 0);
	log_error("after");
	/* Reopen (logrotate): the same file again, still appended. */
	assert_int_equal(ikd_log_open(IKD_LOG_FILE, f->path), 0);
	log_error("reopened");
	s = slurp(f->path);
	assert_int_equal(strncmp(s, "earlier line\n", 13), 0);
	assert_int_equal(count_lines(s), 3);
	assert_matches(s, "ERROR: after$");
	assert_matches(s, "ERROR: reopened$");
	unlink(f->path);
	ikd_log_close();
	/* A new file is created 0600: identities are not for everyone. */
	assert_int_equal(ikd_log_open(IKD_LOG_FILE, f->path), 0);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_file_errors(void **state)
{
	struct fx *f = *state;
	char bad[128];

	snprintf(bad, sizeof(bad), "%s/no/such/dir/log", f->dir);
	assert_int_equal(ikd_log_open(IKD_LOG_FILE, bad), -ENOENT);
	assert_int_equal(ikd_log_open(IKD_LOG_FILE, NULL), -EINVAL);
	assert_int_equal(ikd_log_open(IKD_LOG_FILE, ""), -EINVAL);
}

static void test_escapes_and_truncation(void **state)
{
	struct fx *f = *state;
	char big[5000];
	char *s, *line;

	assert_int_equal(ikd_log_open(IKD_LOG_FILE, f->path), 0);
	/* A peer's identity trying to forge a second line. */
	log_error("id %s", "evil\n2026-01-01 00:00:00: ERROR: forged\t\x7f");
	s = slurp(f->path);
	assert_int_equal(count_lines(s), 1);
	assert_matches(s, "ERROR: id evil\\\\x0a2026-01-01 00:00:00: ERROR: forged\\\\x09\\\\x7f$");

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_error("%s", big);
	s = slurp(f->path);
	assert_int_equal(count_lines(s), 2);
	line = strchr(s, '\n') + 1;
	assert_matches(line, "ERROR: a+\\.\\.\\.$");
	assert_true(strlen(line) < 2100);
}

static void test_stderr_too(void **state)
{
	struct fx *f = *state;
	char errpath[128];
	int saved = dup(2), fd;
	char *s;

	snprintf(errpath, sizeof(errpath), "%s/stderr", f->dir);
	fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0 && saved >= 0);
	assert_int_equal(dup2(fd, 2), 2);
	close(fd);
	/* -l FILE and -F: both get every line. */
	assert_int_equal(ikd_log_open(IKD_LOG_FILE, f->path), 0);
	assert_int_equal(ikd_log_open(IKD_LOG_STDERR, NULL), 0);
	log_notify("both %s", "places");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	s = slurp(errpath);
	assert_int_equal(count_lines(s), 1);
	assert_matches(s, "^[0-9-]{10} [0-9:]{8}: NOTIFY: both places$");
	s = slurp(f->path);
	assert_matches(s, "NOTIFY: both places$");
	unlink(errpath);
}

static void test_errno_kept(void **state)
{
	struct fx *f = *state;

	assert_int_equal(ikd_log_open(IKD_LOG_FILE, f->path), 0);
	errno = EAGAIN;
	log_error("x");
	assert_int_equal(errno, EAGAIN);
}

static void test_level_names(void **state)
{
	(void)state;
	assert_int_equal(ikd_log_level_by_name("error"), IKD_LOG_ERROR);
	assert_int_equal(ikd_log_level_by_name("warning"), IKD_LOG_WARNING);
	assert_int_equal(ikd_log_level_by_name("notify"), IKD_LOG_NOTIFY);
	assert_int_equal(ikd_log_level_by_name("info"), IKD_LOG_INFO);
	assert_int_equal(ikd_log_level_by_name("debug"), IKD_LOG_DEBUG);
	assert_int_equal(ikd_log_level_by_name("debug2"), IKD_LOG_DEBUG2);
	/* racoon.conf is case-insensitive in its keywords. */
	assert_int_equal(ikd_log_level_by_name("DEBUG"), IKD_LOG_DEBUG);
	assert_int_equal(ikd_log_level_by_name("debug3"), -1);
	assert_int_equal(ikd_log_level_by_name(""), -1);
	assert_int_equal(ikd_log_level_by_name(NULL), -1);
}

static void test_syslog_opens(void **state)
{
	(void)state;
	/* Nothing to read back without a syslogd; it must not fail. */
	assert_int_equal(ikd_log_open(IKD_LOG_SYSLOG, NULL), 0);
	assert_int_equal(ikd_log_open(IKD_LOG_SYSLOG, NULL), 0);
	assert_int_equal(ikd_log_open((enum ikd_log_target)42, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_file_format_and_levels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_appends_and_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escapes_and_truncation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stderr_too, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errno_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syslog_opens, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
