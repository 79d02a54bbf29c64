/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The daemon as a Unix process: its pid file, detaching from the terminal,
 * and signals as a descriptor for the loop.
 */
#ifndef IKD_PROC_H
#define IKD_PROC_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Opens and locks @path (flock, held as long as the returned descriptor is
 * open, also across fork). -EEXIST if another live process holds it, its
 * pid then in *other (0 if it has not written it yet); else -errno.
 */
int ikd_pidfile_lock(const char *path, pid_t *other);
/* Writes this process's pid into the locked file. 0 or -errno. */
int ikd_pidfile_write(int fd);
/* Removes the file we hold and closes it. */
void ikd_pidfile_remove(const char *path, int fd);

/*
 * Detaches from the terminal: fork, setsid, fork again, chdir("/"),
 * stdin/out/err on /dev/null. Returns 0 in the daemon only, with
 * *ready_fd to pass to ikd_detach_ready() once it is up (pid file
 * written): the process that called exits then with status 0, or with 1
 * if the daemon dies before. -errno if detaching failed.
 */
int ikd_detach(int *ready_fd);
void ikd_detach_ready(int ready_fd);

/* Blocks @sigs, so they wait for a signalfd. 0 or -errno. */
int ikd_signals_block(const int *sigs, size_t n);
/*
 * Blocks @sigs and returns a signalfd (non-blocking) for them. Make it in
 * the process that polls it, after detaching: epoll learns of a
 * signalfd's signals through the process that added it.
 */
int ikd_signalfd(const int *sigs, size_t n);
/* The next signal from it, 0 if none is pending, -errno. */
int ikd_signalfd_read(int fd);

#endif /* IKD_PROC_H */
