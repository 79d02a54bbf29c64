/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ikdctl's server side: the admin socket (racoon.conf's `adminsock`), its
 * line protocol and the verbs (docs/ikdctl.8, docs/ikd-internals.md).
 *
 *   ctl.c        the socket, its clients (non-blocking, bounded), SO_PEERCRED
 *   ctl_proto.c  the request parser and the bounded reply buffer
 *   ctl_cmd.c    the verb table and the verbs that act (initiate, ...)
 *   ctl_show.c   show ike / show child / stats, as text and as JSON
 *
 * The protocol: the client sends one line (at most IKD_CTL_MAX_LINE bytes
 * with its newline) of words separated by blanks; the server answers with
 * a status line, "OK" or "ERR CODE MESSAGE", then the body, and closes.
 */
#ifndef IKD_CTL_H
#define IKD_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "diag.h"
#include "ike.h"
#include "kernel.h"
#include "loop.h"

#define IKD_DEFAULT_ADMINSOCK	"/run/ikd.sock"

#define IKD_CTL_MAX_LINE	1024	/* request, newline included */
#define IKD_CTL_MAX_WORDS	8
#define IKD_CTL_MAX_OUT		(4u << 20)	/* reply bytes kept at most */

/* ERR codes; ikdctl turns them into exit statuses (ikdctl(8)). */
#define IKD_CTL_E_USAGE		"usage"		/* unknown verb, bad arguments */
#define IKD_CTL_E_PEER		"unknown-peer"
#define IKD_CTL_E_DENIED	"denied"
#define IKD_CTL_E_FAILED	"failed"	/* it did not work; the message says why */
#define IKD_CTL_E_BUSY		"busy"

struct ikd_ctl_req {
	unsigned int argc;
	const char *argv[IKD_CTL_MAX_WORDS];
	bool json;		/* the word --json */
	char buf[IKD_CTL_MAX_LINE];	/* argv points here */
};

/* Parses @line (@len bytes, without its newline). 0, or -EINVAL with
 * *why saying what is wrong (a static string). */
int ikd_ctl_parse(const char *line, size_t len, struct ikd_ctl_req *req,
		  const char **why);

/* A reply: status line and body, at most IKD_CTL_MAX_OUT bytes (then cut,
 * with a last line saying so). */
struct ikd_ctl_out {
	char *buf;
	size_t len, cap;
	bool truncated, failed;
};

void ikd_ctl_out_init(struct ikd_ctl_out *o);
void ikd_ctl_out_free(struct ikd_ctl_out *o);
void ikd_ctl_printf(struct ikd_ctl_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Replaces what was written with "ERR CODE MESSAGE\n". */
void ikd_ctl_error(struct ikd_ctl_out *o, const char *code, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));
/* Appends @s with every byte outside printable ASCII as \xNN (and the
 * backslash as \\), so peers' identities cannot forge output lines or
 * send escape sequences to a terminal. */
void ikd_ctl_put_printable(struct ikd_ctl_out *o, const uint8_t *s,
			   size_t len);
/* The same into @buf (always terminated, cut to fit). */
const char *ikd_ctl_printable(const uint8_t *s, size_t len, char *buf,
			      size_t cap);

/* What the verbs work on: the daemon's state. */
struct ikd_ctl_env {
	struct ike_engine *engine;
	struct ikd_kernel *kernel;
	struct ikd_timers *timers;
	void *arg;
	/* The running configuration's peer for an address, or one by name
	 * (NULL: none); the result is copied at once. */
	const struct ike_peer_cfg *(*peer_by_addr)(void *arg,
						   const struct ikd_addr *a);
	const struct ike_peer_cfg *(*peer_by_name)(void *arg, const char *name);
	/* SIGHUP's reload; 0, or -errno with the reasons in @d. */
	int (*reload)(void *arg, struct ikd_diag *d);
	const char *conf_file;
};

/* Runs one parsed request, the reply in @o. */
void ikd_ctl_run(const struct ikd_ctl_env *env, const struct ikd_ctl_req *req,
		 struct ikd_ctl_out *o);

/* ctl_show.c */
void ikd_ctl_show_ike(const struct ikd_ctl_env *env, bool json,
		      struct ikd_ctl_out *o);
/* @proto: IPPROTO_ESP or IPPROTO_AH for only those, 0 for all. */
void ikd_ctl_show_child(const struct ikd_ctl_env *env, bool json,
			uint8_t proto, struct ikd_ctl_out *o);
void ikd_ctl_show_stats(const struct ike_stats *s, bool json,
			struct ikd_ctl_out *o);

/* The socket. */
struct ikd_ctl_sock_cfg {
	const char *path;	/* NULL: IKD_DEFAULT_ADMINSOCK */
	const char *owner, *group;	/* NULL: root */
	int mode;		/* -1: 0600 */
	bool configured;	/* the admin named it: failing is fatal */
};

struct ikd_ctl;

/* Creates the socket and watches it with @loop. 0 or -errno (logged). */
int ikd_ctl_open(struct ikd_ctl **out, struct ikd_loop *loop,
		 const struct ikd_ctl_sock_cfg *cfg,
		 const struct ikd_ctl_env *env);
/* Closes every client and the socket, and removes its file. NULL is fine. */
void ikd_ctl_close(struct ikd_ctl *c);

#endif /* IKD_CTL_H */
