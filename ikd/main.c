// SPDX-License-Identifier: BSD-2-Clause
/*
 * ikd(8): racoon's command line, then the event loop. Everything ikd does
 * is in the daemon's hooks (daemon.h); here the process is set up: logs,
 * the pid file, detaching (after start-up, so that its errors reach the
 * terminal), and signals through a signalfd.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "daemon.h"
#include "log.h"
#include "proc.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ikd [-dFhnv] [-f FILE] [-l LOGFILE] [-p PIDFILE] [-K KEYLOG]\n"
		"  -f FILE     configuration (default " IKD_DEFAULT_CONF ")\n"
		"  -F          stay in the foreground, log to stderr too\n"
		"  -d          more debugging output (repeat for more)\n"
		"  -l LOGFILE  log to LOGFILE instead of syslog\n"
		"  -n          check the configuration and exit\n"
		"  -p PIDFILE  pid file (default " IKD_DEFAULT_PIDFILE ")\n"
		"  -K KEYLOG   append IKE SA keys for Wireshark (debugging only)\n"
		"  -v          print the version and exit\n"
		"  -h          this help\n");
}

/* 0 to run, else the exit status + 1 (-v, -h, errors). */
static int parse(int argc, char **argv, struct ikd_options *o)
{
	int c;

	*o = (struct ikd_options){ .conf_file = IKD_DEFAULT_CONF,
				   .pid_file = IKD_DEFAULT_PIDFILE };
	while ((c = getopt(argc, argv, "f:Fdl:np:K:vh")) != -1) {
		switch (c) {
		case 'f': o->conf_file = optarg; break;
		case 'F': o->foreground = true; break;
		case 'd': o->debug++; break;
		case 'l': o->log_file = optarg; break;
		case 'n': o->check_only = true; break;
		case 'p': o->pid_file = optarg; break;
		case 'K': o->keylog_file = optarg; break;
		case 'v': printf("ikd %s (kipsec)\n", IKD_VERSION); return 1;
		case 'h': usage(stdout); return 1;
		default: usage(stderr); return 3;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ikd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 3;
	}
	return 0;
}

/* Logs to stderr until detached, and to the -l file or syslog. The level
 * survives: the configuration's `log` may have set it. */
static int open_logs(const struct ikd_options *o, bool with_stderr)
{
	enum ikd_log_level level = ikd_log_get_level();
	int err = 0;

	ikd_log_close();
	ikd_log_set_level(level);
	if (with_stderr)
		ikd_log_open(IKD_LOG_STDERR, NULL);
	if (o->log_file)
		err = ikd_log_open(IKD_LOG_FILE, o->log_file);
	else if (!o->check_only)
		ikd_log_open(IKD_LOG_SYSLOG, NULL);
	if (err)
		log_error("cannot open the log file %s: %s", o->log_file,
			  strerror(-err));
	return err;
}

struct run {
	struct ikd_daemon *d;
	int sigfd;
};

static void on_signal(void *arg, int fd, uint32_t events)
{
	struct run *r = arg;
	int sig;

	(void)fd;
	(void)events;
	while ((sig = ikd_signalfd_read(r->sigfd)) > 0) {
		if (sig == SIGHUP)
			ikd_daemon_reload(r->d);
		else if (sig == SIGUSR1)
			ikd_daemon_dump(r->d);
		else if (sig == SIGUSR2)
			ikd_daemon_rekey(r->d);
		else
			ikd_daemon_shutdown(r->d);
	}
}

int main(int argc, char **argv)
{
	static const int sigs[] = { SIGHUP, SIGTERM, SIGINT, SIGUSR1, SIGUSR2 };
#define NSIGS (sizeof(sigs) / sizeof(sigs[0]))
	struct ikd_options o;
	struct ikd_loop *loop = NULL;
	struct run r = { NULL, -1 };
	int ret = 1, pidfd = -1, ready = -1, err;
	pid_t other;

	err = parse(argc, argv, &o);
	if (err)
		return err - 1;
	ikd_log_set_level(IKD_LOG_NOTIFY + (int)o.debug);
	if (open_logs(&o, true))
		return 1;
	if (o.check_only)
		return ikd_daemon_check_config(&o) ? 1 : 0;
	/* Blocked from here on: they wait for the signalfd. */
	ikd_signals_block(sigs, NSIGS);
	signal(SIGPIPE, SIG_IGN);
	pidfd = ikd_pidfile_lock(o.pid_file, &other);
	if (pidfd == -EEXIST) {
		log_error("ikd is already running (pid %ld, %s)", (long)other,
			  o.pid_file);
		return 1;
	}
	if (pidfd < 0) {
		log_error("cannot open the pid file %s: %s", o.pid_file,
			  strerror(-pidfd));
		return 1;
	}
	loop = ikd_loop_new();
	if (!loop) {
		log_error("cannot set up the event loop: %s", strerror(errno));
		goto out;
	}
	if (ikd_daemon_start(&r.d, &o, loop))
		goto out;
	if (!o.foreground) {
		err = ikd_detach(&ready);
		if (err) {
			log_error("cannot detach: %s", strerror(-err));
			goto out;
		}
		open_logs(&o, false);
	}
	/* After detaching: see ikd_signalfd(). */
	r.sigfd = ikd_signalfd(sigs, NSIGS);
	err = r.sigfd < 0 ? r.sigfd : ikd_loop_add_fd(loop, r.sigfd, 0, on_signal, &r);
	if (err) {
		log_error("cannot watch signals: %s", strerror(-err));
		goto out;
	}
	err = ikd_pidfile_write(pidfd);
	if (err)
		log_warn("cannot write the pid file %s: %s", o.pid_file,
			 strerror(-err));
	ikd_detach_ready(ready);
	log_notify("ikd %s started (pid %ld)", IKD_VERSION, (long)getpid());
	err = ikd_loop_run(loop);
	if (err)
		log_error("event loop: %s", strerror(-err));
	ret = err ? 1 : 0;
	log_notify("ikd stopped");
out:
	if (r.sigfd >= 0)
		close(r.sigfd);
	ikd_daemon_free(r.d);
	ikd_loop_free(loop);
	ikd_pidfile_remove(o.pid_file, pidfd);
	ikd_log_close();
	return ret;
}
