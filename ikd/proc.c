// SPDX-License-Identifier: BSD-2-Clause
/*
 * The daemon as a process (proc.h).
 *
 * The pid file is its own lock: flock() on it says whether an ikd is alive
 * (a stale file from a crash holds no lock), so no pid is ever guessed
 * from the file's text and no kill(pid, 0) can be fooled by a recycled
 * pid. The text is written in place under the lock, the number first and
 * then the length cut to it, so a reader never sees an empty or partial
 * first line once the daemon has written it.
 */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

static pid_t read_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long v;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	v = strtol(buf, NULL, 10);
	return v > 0 ? (pid_t)v : 0;
}

int ikd_pidfile_lock(const char *path, pid_t *other)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);

	*other = 0;
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int err = errno;

		if (err == EWOULDBLOCK)
			*other = read_pid(fd);
		close(fd);
		return err == EWOULDBLOCK ? -EEXIST : -err;
	}
	return fd;
}

int ikd_pidfile_write(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	if (pwrite(fd, buf, (size_t)n, 0) != n || ftruncate(fd, n))
		return -errno;
	return 0;
}

void ikd_pidfile_remove(const char *path, int fd)
{
	if (fd < 0)
		return;
	/* Unlink while still holding the lock: a new ikd either sees our
	 * lock or a fresh file, never our file unlocked. */
	unlink(path);
	close(fd);
}

int ikd_detach(int *ready_fd)
{
	int p[2], null;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(p[0]);
		close(p[1]);
		return err;
	}
	if (pid > 0) {
		char c = 0;
		ssize_t r;

		/* The caller: wait for the daemon to say it is up. EOF
		 * means it died (or failed) first. */
		close(p[1]);
		do
			r = read(p[0], &c, 1);
		while (r < 0 && errno == EINTR);
		_exit(r == 1 && c == 'R' ? 0 : 1);
	}
	close(p[0]);
	if (setsid() < 0)
		_exit(1);
	/* Not a session leader: can never acquire a terminal again. */
	pid = fork();
	if (pid < 0)
		_exit(1);
	if (pid > 0)
		_exit(0);
	if (chdir("/"))
		_exit(1);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
	    dup2(null, 2) < 0)
		_exit(1);
	if (null > 2)
		close(null);
	*ready_fd = p[1];
	return 0;
}

void ikd_detach_ready(int ready_fd)
{
	if (ready_fd < 0)
		return;
	while (write(ready_fd, "R", 1) < 0 && errno == EINTR)
		;
	close(ready_fd);
}

static void make_set(sigset_t *set, const int *sigs, size_t n)
{
	sigemptyset(set);
	for (size_t i = 0; i < n; i++)
		sigaddset(set, sigs[i]);
}

int ikd_signals_block(const int *sigs, size_t n)
{
	sigset_t set;

	make_set(&set, sigs, n);
	return sigprocmask(SIG_BLOCK, &set, NULL) ? -errno : 0;
}

int ikd_signalfd(const int *sigs, size_t n)
{
	sigset_t set;
	int fd;

	make_set(&set, sigs, n);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int ikd_signalfd_read(int fd)
{
	struct signalfd_siginfo si;
	ssize_t n = read(fd, &si, sizeof(si));

	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	return n == (ssize_t)sizeof(si) ? (int)si.ssi_signo : -EIO;
}
