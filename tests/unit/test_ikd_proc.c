// SPDX-License-Identifier: BSD-2-Clause
/*
 * ikd/proc.c: the pid file as a lock (a live holder refuses a second ikd,
 * a stale file does not), its text, detaching with the ready handshake,
 * and signals through the signalfd.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "../../ikd/proc.h"

static char dir[64], path[96];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ikd-proc.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/ikd.pid", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(dir);
	return 0;
}

static void read_file(const char *p, char *buf, size_t len)
{
	int fd = open(p, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, len - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
}

static void test_pidfile(void **state)
{
	char want[32], got[64];
	pid_t other = -1;
	int fd, fd2;

	(void)state;
	fd = ikd_pidfile_lock(path, &other);
	assert_true(fd >= 0);
	assert_int_equal(other, 0);
	/* Held but not written yet: refused, pid unknown. */
	assert_int_equal(ikd_pidfile_lock(path, &other), -EEXIST);
	assert_int_equal(other, 0);
	assert_int_equal(ikd_pidfile_write(fd), 0);
	snprintf(want, sizeof(want), "%ld\n", (long)getpid());
	read_file(path, got, sizeof(got));
	assert_string_equal(got, want);
	/* A second ikd learns who runs. */
	assert_int_equal(ikd_pidfile_lock(path, &other), -EEXIST);
	assert_int_equal(other, getpid());
	ikd_pidfile_remove(path, fd);
	assert_int_equal(access(path, F_OK), -1);

	/* A stale file from a crash (longer text, no lock) is taken over
	 * and rewritten with nothing of the old text left. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(write(fd, "99999999\n", 9), 9);
	close(fd);
	fd2 = ikd_pidfile_lock(path, &other);
	assert_true(fd2 >= 0);
	assert_int_equal(ikd_pidfile_write(fd2), 0);
	read_file(path, got, sizeof(got));
	assert_string_equal(got, want);
	ikd_pidfile_remove(path, fd2);

	/* A directory that does not exist. */
	assert_int_equal(ikd_pidfile_lock("/nonexistent/dir/ikd.pid", &other),
			 -ENOENT);
}

static void test_pidfile_across_fork(void **state)
{
	pid_t other = 0, child;
	int fd, up[2], down[2], status;
	char c;

	(void)state;
	fd = ikd_pidfile_lock(path, &other);
	assert_true(fd >= 0);
	assert_int_equal(pipe(up), 0);
	assert_int_equal(pipe(down), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		/* The daemon keeps the lock after its parent exits. */
		ikd_pidfile_write(fd);
		if (write(up[1], "x", 1) != 1 || read(down[0], &c, 1) != 1)
			_exit(2);
		_exit(0);
	}
	assert_int_equal(read(up[0], &c, 1), 1);
	close(fd);		/* as the exiting parent does */
	assert_int_equal(ikd_pidfile_lock(path, &other), -EEXIST);
	assert_int_equal(other, child);
	assert_int_equal(write(down[1], "y", 1), 1);
	assert_int_equal(waitpid(child, &status, 0), child);
	/* Gone with its holder. */
	fd = ikd_pidfile_lock(path, &other);
	assert_true(fd >= 0);
	ikd_pidfile_remove(path, fd);
	for (int i = 0; i < 2; i++) {
		close(up[i]);
		close(down[i]);
	}
}

/* Runs ikd_detach in a child; the daemon writes "pid sid" to @out and
 * says ready (or dies first when !ready). Returns the child's status. */
static int detach_child(const char *out, bool ready)
{
	pid_t child = fork(), w;
	int status = -1;

	assert_true(child >= 0);
	if (child == 0) {
		int rfd = -1, fd;
		char line[64];

		if (ikd_detach(&rfd))
			_exit(3);
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		snprintf(line, sizeof(line), "%ld %ld %d\n", (long)getpid(),
			 (long)getsid(0), isatty(0));
		if (fd < 0 || write(fd, line, strlen(line)) < 0)
			_exit(4);
		close(fd);
		if (ready)
			ikd_detach_ready(rfd);
		_exit(0);
	}
	w = waitpid(child, &status, 0);
	assert_int_equal(w, child);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status) * 1000 + (int)child % 1000;
}

static void test_detach(void **state)
{
	char out[128], got[64];
	long pid = 0, sid = 0;
	int tty = -1, st;

	(void)state;
	snprintf(out, sizeof(out), "%s/daemon", dir);
	st = detach_child(out, true);
	assert_int_equal(st / 1000, 0);
	/* The daemon wrote before it said ready: the file is complete. */
	read_file(out, got, sizeof(got));
	assert_int_equal(sscanf(got, "%ld %ld %d", &pid, &sid, &tty), 3);
	/* Not the child we forked, a session of its own, no terminal. */
	assert_true(pid != getpid());
	assert_true(sid != getsid(0));
	assert_true(pid != sid);	/* not the session leader */
	assert_int_equal(tty, 0);
	unlink(out);
	/* A daemon that dies before it is ready: exit status 1. */
	st = detach_child(out, false);
	assert_int_equal(st / 1000, 1);
	unlink(out);
}

static void test_signalfd(void **state)
{
	static const int sigs[] = { SIGUSR1, SIGHUP };
	int fd;

	(void)state;
	fd = ikd_signalfd(sigs, 2);
	assert_true(fd >= 0);
	assert_int_equal(ikd_signalfd_read(fd), 0);
	/* Blocked: no handler runs, the descriptor has it. */
	raise(SIGUSR1);
	raise(SIGHUP);
	assert_int_equal(ikd_signalfd_read(fd), SIGHUP);
	assert_int_equal(ikd_signalfd_read(fd), SIGUSR1);
	assert_int_equal(ikd_signalfd_read(fd), 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pidfile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pidfile_across_fork, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signalfd, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
