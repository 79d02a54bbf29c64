// SPDX-License-Identifier: BSD-2-Clause
/*
 * The admin socket: a unix stream socket (racoon.conf's `adminsock`,
 * /run/ikd.sock by default), mode 0600 root unless configured. The file's
 * mode is the first gate; SO_PEERCRED is the second, so that a socket made
 * group- or world-writable by mistake still admits only root and the
 * configured owner and group.
 *
 * Clients are served from the event loop without ever blocking it: one
 * request line of at most IKD_CTL_MAX_LINE bytes, a reply of at most
 * IKD_CTL_MAX_OUT bytes written as the client reads it, at most
 * MAX_CLIENTS at a time, and CLIENT_TIMEOUT_MS for the whole exchange.
 */
#include "ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "log.h"

#define MAX_CLIENTS		16
#define CLIENT_TIMEOUT_MS	10000
#define MAX_GROUPS		256

struct client {
	struct client *next;
	struct ikd_ctl *ctl;
	int fd;
	uid_t uid;
	char in[IKD_CTL_MAX_LINE];
	size_t inlen;
	bool writing;
	struct ikd_ctl_out out;
	size_t outpos;
	struct ikd_timer *timer;
};

struct ikd_ctl {
	struct ikd_loop *loop;
	struct ikd_timers *timers;
	struct ikd_ctl_env env;
	int fd;
	char *path;
	bool bound;		/* the file is ours to remove */
	dev_t dev;
	ino_t ino;
	/* Who besides root may talk to us. */
	bool have_owner, have_group;
	uid_t owner;
	gid_t group;
	struct client *clients;
	unsigned int nclients;
};

/* ---- clients --------------------------------------------------------------- */

static void client_free(struct client *cl)
{
	struct ikd_ctl *c = cl->ctl;
	struct client **pp;

	for (pp = &c->clients; *pp; pp = &(*pp)->next)
		if (*pp == cl) {
			*pp = cl->next;
			break;
		}
	c->nclients--;
	ikd_loop_del_fd(c->loop, cl->fd);
	close(cl->fd);
	if (cl->timer)
		c->timers->cancel(c->timers, cl->timer);
	ikd_ctl_out_free(&cl->out);
	free(cl);
}

/* Writes what the socket takes; frees the client once all is out. */
static void client_flush(struct client *cl)
{
	while (cl->outpos < cl->out.len) {
		ssize_t n = send(cl->fd, cl->out.buf + cl->outpos,
				 cl->out.len - cl->outpos,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			log_debug("control client (uid %u) went away: %s",
				  (unsigned int)cl->uid,
				  n < 0 ? strerror(errno) : "closed");
			break;
		}
		cl->outpos += (size_t)n;
	}
	client_free(cl);
}

static void client_reply(struct client *cl)
{
	const char *why = NULL;
	struct ikd_ctl_req req;
	char *nl = memchr(cl->in, '\n', cl->inlen);
	size_t len = nl ? (size_t)(nl - cl->in) : cl->inlen;

	if (ikd_ctl_parse(cl->in, len, &req, &why)) {
		ikd_ctl_error(&cl->out, IKD_CTL_E_USAGE, "%s", why);
	} else {
		log_info("ikdctl (uid %u): %.*s", (unsigned int)cl->uid,
			 (int)len, cl->in);
		ikd_ctl_run(&cl->ctl->env, &req, &cl->out);
	}
	if (cl->out.failed)
		ikd_ctl_error(&cl->out, IKD_CTL_E_FAILED, "out of memory");
	else if (cl->out.truncated) {
		cl->out.truncated = false;
		/* Room for this line was never used: the limit is the
		 * buffer's, not the allocation's. */
		cl->out.len -= cl->out.len > 64 ? 64 : cl->out.len;
		ikd_ctl_printf(&cl->out, "\n... (reply cut at %u bytes)\n",
			       IKD_CTL_MAX_OUT);
	}
	cl->writing = true;
	/* From now on only whether it can take more matters. */
	if (ikd_loop_set_events(cl->ctl->loop, cl->fd, EPOLLOUT)) {
		client_free(cl);
		return;
	}
	client_flush(cl);
}

static void on_client(void *arg, int fd, uint32_t events)
{
	struct client *cl = arg;
	ssize_t n;

	(void)events;
	if (cl->writing) {
		client_flush(cl);
		return;
	}
	n = read(fd, cl->in + cl->inlen, sizeof(cl->in) - cl->inlen);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0 || (n == 0 && !cl->inlen)) {
		client_free(cl);
		return;
	}
	cl->inlen += (size_t)n;
	/* A line, or the end of what it sends, is the request. */
	if (n == 0 || memchr(cl->in + cl->inlen - n, '\n', (size_t)n)) {
		client_reply(cl);
		return;
	}
	if (cl->inlen == sizeof(cl->in)) {
		ikd_ctl_error(&cl->out, IKD_CTL_E_USAGE, "request longer than "
			      "%u bytes", IKD_CTL_MAX_LINE);
		cl->inlen = 0;
		cl->writing = true;
		if (ikd_loop_set_events(cl->ctl->loop, cl->fd, EPOLLOUT))
			client_free(cl);
		else
			client_flush(cl);
	}
}

static void on_client_timeout(void *arg)
{
	struct client *cl = arg;

	cl->timer = NULL;	/* fired: the loop frees it */
	log_info("control client (uid %u) timed out", (unsigned int)cl->uid);
	client_free(cl);
}

/* ---- who may talk ---------------------------------------------------------- */

static bool peer_in_group(int fd, gid_t want, gid_t primary)
{
	gid_t groups[MAX_GROUPS];
	socklen_t len = sizeof(groups);

	if (primary == want)
		return true;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
		return false;
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == want)
			return true;
	return false;
}

static bool allowed(const struct ikd_ctl *c, int fd, const struct ucred *cr)
{
	return cr->uid == 0 || (c->have_owner && cr->uid == c->owner) ||
	       (c->have_group && peer_in_group(fd, c->group, cr->gid));
}

/* Best effort, on a socket we are about to close. */
static void refuse(int fd, const char *code, const char *msg)
{
	char line[256];
	int n = snprintf(line, sizeof(line), "ERR %s %s\n", code, msg);

	if (send(fd, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		log_debug("control client: %s", strerror(errno));
	/* A request left unread makes close() reset the connection, which
	 * the client may see before our answer: read what is there. */
	if (recv(fd, line, sizeof(line), MSG_DONTWAIT) < 0 && errno != EAGAIN)
		log_debug("control client: %s", strerror(errno));
	close(fd);
}

static void on_listen(void *arg, int fd, uint32_t events)
{
	struct ikd_ctl *c = arg;
	struct ucred cr;
	socklen_t crlen = sizeof(cr);
	struct client *cl;
	int cfd;

	(void)events;
	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) < 0) {
		close(cfd);
		return;
	}
	if (!allowed(c, cfd, &cr)) {
		log_notify("control connection from uid %u (pid %d) refused: "
			   "not root, nor the adminsock owner or group",
			   (unsigned int)cr.uid, (int)cr.pid);
		refuse(cfd, IKD_CTL_E_DENIED, "permission denied: ikd's control "
		       "socket is for root (and adminsock's owner and group)");
		return;
	}
	if (c->nclients >= MAX_CLIENTS) {
		refuse(cfd, IKD_CTL_E_BUSY, "too many control connections");
		return;
	}
	cl = calloc(1, sizeof(*cl));
	if (!cl) {
		close(cfd);
		return;
	}
	cl->ctl = c;
	cl->fd = cfd;
	cl->uid = cr.uid;
	cl->timer = c->timers->add(c->timers, CLIENT_TIMEOUT_MS,
				   on_client_timeout, cl);
	if (!cl->timer || ikd_loop_add_fd(c->loop, cfd, 0, on_client, cl)) {
		if (cl->timer)
			c->timers->cancel(c->timers, cl->timer);
		free(cl);
		close(cfd);
		return;
	}
	cl->next = c->clients;
	c->clients = cl;
	c->nclients++;
}

/* ---- the socket -------------------------------------------------------------- */

static int resolve_ids(struct ikd_ctl *c, const struct ikd_ctl_sock_cfg *cfg)
{
	char *end;

	if (cfg->owner) {
		struct passwd *pw = getpwnam(cfg->owner);
		unsigned long v = strtoul(cfg->owner, &end, 10);

		if (!pw && *end)
			return -ENOENT;
		c->owner = pw ? pw->pw_uid : (uid_t)v;
		c->have_owner = c->owner != 0;
	}
	if (cfg->group) {
		struct group *gr = getgrnam(cfg->group);
		unsigned long v = strtoul(cfg->group, &end, 10);

		if (!gr && *end)
			return -ENOENT;
		c->group = gr ? gr->gr_gid : (gid_t)v;
		c->have_group = c->group != 0;
	}
	return 0;
}

/* A socket file left by an ikd that died is removed; one that answers
 * belongs to a running ikd and stays. */
static int clear_stale(const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, err = 0;

	if (lstat(sun->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (!connect(fd, (const struct sockaddr *)sun, sizeof(*sun)))
		err = -EADDRINUSE;
	else if (unlink(sun->sun_path) < 0)
		err = -errno;
	close(fd);
	return err;
}

static int make_socket(struct ikd_ctl *c, const struct ikd_ctl_sock_cfg *cfg)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t mode = cfg->mode >= 0 ? (mode_t)cfg->mode : 0600;
	struct stat st;
	int err;

	if (strlen(c->path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, c->path);
	err = clear_stale(&sun);
	if (err)
		return err;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	/* Born without access for anyone: chmod opens it as configured. */
	{
		mode_t old = umask(0777);

		err = bind(c->fd, (struct sockaddr *)&sun, sizeof(sun));
		umask(old);
	}
	if (err < 0)
		return -errno;
	c->bound = true;
	if ((cfg->owner || cfg->group) &&
	    chown(c->path, c->owner, cfg->group ? c->group : (gid_t)-1) < 0)
		return -errno;
	if (chmod(c->path, mode) < 0 || stat(c->path, &st) < 0)
		return -errno;
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	if (listen(c->fd, MAX_CLIENTS) < 0)
		return -errno;
	return ikd_loop_add_fd(c->loop, c->fd, 0, on_listen, c);
}

int ikd_ctl_open(struct ikd_ctl **out, struct ikd_loop *loop,
		 const struct ikd_ctl_sock_cfg *cfg,
		 const struct ikd_ctl_env *env)
{
	struct ikd_ctl *c = calloc(1, sizeof(*c));
	int err;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	c->loop = loop;
	c->timers = ikd_loop_timers(loop);
	c->env = *env;
	c->fd = -1;
	c->path = strdup(cfg->path ? cfg->path : IKD_DEFAULT_ADMINSOCK);
	err = c->path ? resolve_ids(c, cfg) : -ENOMEM;
	if (!err)
		err = make_socket(c, cfg);
	if (err) {
		log_error("cannot make the control socket %s: %s%s",
			  c->path ? c->path : "", strerror(-err),
			  err == -EADDRINUSE ? " (another ikd answers on it)" :
			  err == -EEXIST ? " (a file that is no socket is there)" :
			  "");
		if (c->bound)
			unlink(c->path);
		c->bound = false;
		ikd_ctl_close(c);
		return err;
	}
	log_info("control socket %s", c->path);
	*out = c;
	return 0;
}

void ikd_ctl_close(struct ikd_ctl *c)
{
	struct stat st;

	if (!c)
		return;
	while (c->clients)
		client_free(c->clients);
	if (c->fd >= 0) {
		ikd_loop_del_fd(c->loop, c->fd);
		close(c->fd);
	}
	/* Only our own file: another ikd may have taken the name since. */
	if (c->bound && !stat(c->path, &st) && st.st_dev == c->dev &&
	    st.st_ino == c->ino)
		unlink(c->path);
	free(c->path);
	free(c);
}
