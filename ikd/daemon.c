// SPDX-License-Identifier: BSD-2-Clause
/*
 * The daemon's hooks (daemon.h) and its system wiring: the kernel seam
 * (PF_KEY), rtnetlink and the IKE sockets, on every address of the host
 * and on those that appear later. Places marked "LEAD:" are where the
 * configuration (racoon.conf) and the IKE engine plug in.
 */
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include "kernel.h"
#include "log.h"
#include "net.h"
#include "netlink.h"

#define IKE_PORT	500
#define IKE_NATT_PORT	4500

struct ikd_daemon {
	const struct ikd_options *o;
	struct ikd_loop *loop;
	struct ikd_kernel *kernel;
	struct ikd_nl *nl;
	struct ikd_net *net;
	/* LEAD: from racoon.conf's `listen { isakmp ...; isakmp_natt ...; }`
	 * (which may also name the addresses: then listen_addr() is called
	 * for those only, and not from the address watch). */
	uint16_t port, natt_port;
	bool started;		/* start-up done: failures are warnings now */
	bool stopping;
};

int ikd_daemon_check_config(const struct ikd_options *o)
{
	/* LEAD: parse and check the file with the racoon.conf grammar. Until
	 * then, a file that cannot be read is the one thing refused. */
	int fd = open(o->conf_file, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		log_error("cannot read %s: %s", o->conf_file, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/* ---- kernel ------------------------------------------------------------- */

static void on_acquire(void *arg, const struct ikd_acquire *acq)
{
	char s[IKD_ADDR_STRLEN], d[IKD_ADDR_STRLEN];

	(void)arg;
	/* LEAD: start the negotiation for acq (the engine's initiator). */
	log_notify("ACQUIRE %s->%s proto %u reqid %u for policy %u: no IKE "
		   "engine yet", ikd_addr_str(&acq->src, false, s),
		   ikd_addr_str(&acq->dst, false, d), acq->proto, acq->reqid,
		   acq->pol.id);
}

static void on_expire(void *arg, const struct ikd_expire *exp)
{
	char d[IKD_ADDR_STRLEN];

	(void)arg;
	/* LEAD: rekey (soft) or forget (hard) the CHILD_SA. */
	log_info("%s EXPIRE of SA 0x%08x to %s", exp->hard ? "hard" : "soft",
		 ntohl(exp->spi), ikd_addr_str(&exp->dst, false, d));
}

static void on_kernel(void *arg, int fd, uint32_t events)
{
	struct ikd_daemon *d = arg;
	int err = d->kernel->ops->dispatch(d->kernel);

	(void)fd;
	(void)events;
	if (err)
		log_error("reading the kernel's events: %s", strerror(-err));
}

static int start_kernel(struct ikd_daemon *d)
{
	const struct ikd_kernel_events ev = { on_acquire, on_expire, d };
	int err;

	d->kernel = ikd_kernel_pfkey_new();
	if (!d->kernel)
		return -ENOMEM;
	err = d->kernel->ops->open(d->kernel, &ev);
	if (err) {
		log_error("cannot open the kernel's PF_KEY interface: %s%s",
			  strerror(-err), err == -EAFNOSUPPORT ?
			  " (load kipsec.ko, or Linux's af_key)" : "");
		return err;
	}
	err = ikd_loop_add_fd(d->loop, d->kernel->ops->fd(d->kernel), 0,
			      on_kernel, d);
	if (err)
		return err;
	/* Events that came while open() registered wait for a dispatch. */
	return d->kernel->ops->dispatch(d->kernel);
}

/* ---- IKE sockets on the host's addresses ---------------------------------- */

static void on_ike(void *arg, const struct ikd_addr *local,
		   const struct ikd_addr *remote, const uint8_t *buf,
		   size_t len)
{
	char l[IKD_ADDR_STRLEN], r[IKD_ADDR_STRLEN];

	(void)arg;
	(void)buf;
	/* LEAD: the engine's receive entry point. */
	log_debug("%zu bytes from %s to %s: no IKE engine yet", len,
		  ikd_addr_str(remote, true, r), ikd_addr_str(local, true, l));
}

static bool usable(const struct ikd_nl_addr *a)
{
	/* Tentative IPv6 addresses cannot be bound yet; the kernel says
	 * again when DAD is done. Link-local ones need a scope. */
	if (a->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED))
		return false;
	return !(a->addr.family == AF_INET6 &&
		 IN6_IS_ADDR_LINKLOCAL(&a->addr.v6));
}

/* Opens (or with @up false closes) both IKE sockets of @addr. */
static int listen_addr(struct ikd_daemon *d, const struct ikd_addr *addr,
		       bool up)
{
	const uint16_t ports[2] = { d->port, d->natt_port };
	char s[IKD_ADDR_STRLEN];
	int ret = 0;

	for (int i = 0; i < 2; i++) {
		struct ikd_addr a = *addr;
		int err;

		if (!ports[i])
			continue;
		a.port = ports[i];
		err = up ? ikd_net_listen(d->net, &a, i == 1) :
			   ikd_net_unlisten(d->net, &a);
		if (!err) {
			log_info("%s IKE on %s%s", up ? "listening for" : "no more",
				 ikd_addr_str(&a, true, s), i ? " (NAT-T)" : "");
		} else if (err != -EEXIST && err != -ENOENT) {
			/* At start-up the caller reports it. */
			if (d->started)
				log_warn("cannot %s IKE on %s: %s",
					 up ? "listen for" : "stop listening for",
					 ikd_addr_str(&a, true, s), strerror(-err));
			if (!ret)
				ret = err;
		}
	}
	return ret;
}

struct scan {
	struct ikd_daemon *d;
	int err;
	struct ikd_addr bad;
};

static void scan_one(void *arg, const struct ikd_nl_addr *a)
{
	struct scan *sc = arg;
	int err;

	if (!usable(a))
		return;
	err = listen_addr(sc->d, &a->addr, true);
	if (err && !sc->err) {
		sc->err = err;
		sc->bad = a->addr;
	}
}

static int scan_addrs(struct ikd_daemon *d)
{
	struct scan sc = { .d = d };
	char s[IKD_ADDR_STRLEN];
	int err = ikd_nl_addrs(d->nl, AF_UNSPEC, scan_one, &sc);

	if (err) {
		log_error("cannot list the host's addresses: %s", strerror(-err));
		return err;
	}
	if (sc.err)
		log_error("cannot listen for IKE on %s: %s%s",
			  ikd_addr_str(&sc.bad, false, s), strerror(-sc.err),
			  sc.err == -EOPNOTSUPP ? " (the kernel takes no bypass "
			  "policy for IKE sockets: load kipsec.ko or af_key)" : "");
	return sc.err;
}

static void on_addr(void *arg, const struct ikd_nl_addr *a)
{
	struct ikd_daemon *d = arg;

	if (!a) {
		/* Changes were lost: read the whole list again. */
		log_notify("address changes were lost; scanning again");
		scan_addrs(d);
		return;
	}
	if (a->added && usable(a))
		listen_addr(d, &a->addr, true);
	else if (!a->added)
		listen_addr(d, &a->addr, false);
}

static void on_netlink(void *arg, int fd, uint32_t events)
{
	struct ikd_daemon *d = arg;
	int err = ikd_nl_dispatch(d->nl);

	(void)fd;
	(void)events;
	if (err)
		log_error("reading address changes: %s", strerror(-err));
}

static int start_net(struct ikd_daemon *d)
{
	int err = ikd_net_new(d->loop, on_ike, d, &d->net);

	if (!err)
		err = ikd_nl_open(&d->nl);
	/* Watch first, then list: an address that comes in between is
	 * reported twice rather than never. */
	if (!err)
		err = ikd_nl_watch(d->nl, on_addr, d);
	if (!err)
		err = ikd_loop_add_fd(d->loop, ikd_nl_fd(d->nl), 0, on_netlink, d);
	if (err) {
		log_error("cannot set up rtnetlink: %s", strerror(-err));
		return err;
	}
	return scan_addrs(d);
}

int ikd_daemon_start(struct ikd_daemon **out, const struct ikd_options *o,
		     struct ikd_loop *loop)
{
	struct ikd_daemon *d = calloc(1, sizeof(*d));
	int err;

	*out = d;
	if (!d)
		return -ENOMEM;
	d->o = o;
	d->loop = loop;
	d->port = IKE_PORT;
	d->natt_port = IKE_NATT_PORT;
	/* LEAD: parse o->conf_file here (errors logged, start fails) and
	 * create the engine with ikd_loop_timers(loop), d->kernel, d->net. */
	if (ikd_daemon_check_config(o))
		return -EINVAL;
	err = start_kernel(d);
	if (!err)
		err = start_net(d);
	if (!err)
		d->started = true;
	return err;
}

void ikd_daemon_reload(struct ikd_daemon *d)
{
	int err;

	/* A rotated log file is opened again under its name. */
	if (d->o->log_file &&
	    (err = ikd_log_open(IKD_LOG_FILE, d->o->log_file)))
		log_error("SIGHUP: cannot reopen %s: %s", d->o->log_file,
			  strerror(-err));
	/* LEAD: parse the file into a new configuration; keep the old one
	 * if it does not check (all or nothing), else swap them. */
	if (ikd_daemon_check_config(d->o))
		log_error("SIGHUP: %s not reloaded, the running configuration "
			  "stays", d->o->conf_file);
	else
		log_notify("SIGHUP: %s reloaded", d->o->conf_file);
}

void ikd_daemon_shutdown(struct ikd_daemon *d)
{
	/* LEAD: delete the IKE SAs (INFORMATIONAL Delete) and the CHILD_SAs
	 * and generated policies, then stop; a second signal stops at once. */
	log_notify("%s", d->stopping ? "stopping now" : "shutting down");
	d->stopping = true;
	ikd_loop_stop(d->loop);
}

void ikd_daemon_dump(struct ikd_daemon *d)
{
	unsigned int n;

	log_notify("ikd %s state: kernel interface %s", IKD_VERSION,
		   d->kernel ? d->kernel->ops->name : "none");
	n = d->net ? ikd_net_dump(d->net) : 0;
	log_notify("%u IKE sockets", n);
	/* LEAD: the IKE SAs and CHILD_SAs. */
}

void ikd_daemon_free(struct ikd_daemon *d)
{
	if (!d)
		return;
	ikd_net_free(d->net);
	if (d->nl && ikd_nl_fd(d->nl) >= 0)
		ikd_loop_del_fd(d->loop, ikd_nl_fd(d->nl));
	ikd_nl_close(d->nl);
	if (d->kernel) {
		ikd_loop_del_fd(d->loop, d->kernel->ops->fd(d->kernel));
		ikd_kernel_free(d->kernel);
	}
	free(d);
}
