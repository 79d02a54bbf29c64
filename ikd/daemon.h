/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What main.c asks of the daemon: the hooks the configuration and the IKE
 * engine plug into. main.c parses the command line, sets up logging, the
 * pid file, the event loop and signals, and calls these; daemon.c holds
 * the system wiring (kernel seam, rtnetlink, IKE sockets) and the marked
 * places where the configuration and the engine go.
 */
#ifndef IKD_DAEMON_H
#define IKD_DAEMON_H

#include <stdbool.h>
#include "loop.h"

#define IKD_VERSION		"0.1"
#define IKD_DEFAULT_CONF	"/etc/ikd/racoon.conf"
#define IKD_DEFAULT_PIDFILE	"/run/ikd.pid"

/* The command line (ikd(8)). */
struct ikd_options {
	const char *conf_file;		/* -f, else IKD_DEFAULT_CONF */
	const char *log_file;		/* -l, else syslog */
	const char *pid_file;		/* -p, else IKD_DEFAULT_PIDFILE */
	const char *keylog_file;	/* -K: IKE SA keys for Wireshark */
	bool foreground;		/* -F: no detaching, stderr too */
	bool check_only;		/* -n */
	unsigned int debug;		/* number of -d */
};

struct ikd_daemon;

/*
 * -n: reads and checks o->conf_file without touching the system; returns
 * 0 if ikd would start with it. Reports what is wrong through log.h.
 */
int ikd_daemon_check_config(const struct ikd_options *o);

/*
 * Everything that may fail at start-up, while ikd still has its terminal:
 * the configuration, the kernel interface, the IKE sockets. Registers its
 * descriptors and timers with @loop. 0 or -errno (already logged).
 */
int ikd_daemon_start(struct ikd_daemon **out, const struct ikd_options *o,
		     struct ikd_loop *loop);

/* SIGHUP: read the configuration again, all or nothing. */
void ikd_daemon_reload(struct ikd_daemon *d);
/* SIGTERM, SIGINT: begin shutting down; ikd_loop_stop() when done.
 * A second signal while shutting down calls it again. */
void ikd_daemon_shutdown(struct ikd_daemon *d);
/* SIGUSR1: write the state (sockets, SAs) to the log. */
void ikd_daemon_dump(struct ikd_daemon *d);
/* SIGUSR2: rekeys every child SA now (ikd(8)). */
void ikd_daemon_rekey(struct ikd_daemon *d);

/* After the loop has stopped. NULL is fine. */
void ikd_daemon_free(struct ikd_daemon *d);

#endif /* IKD_DAEMON_H */
