// SPDX-License-Identifier: BSD-2-Clause
/*
 * The daemon's hooks (daemon.h) and its system wiring: the kernel seam
 * (PF_KEY), rtnetlink and the IKE sockets, on every address of the host
 * and on those that appear later; the running configuration (config.h)
 * and the IKE engine (ike.h), which every event goes to.
 */
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include "config.h"
#include "ctl.h"
#include "ike.h"
#include "ikev1.h"
#include "kernel.h"
#include "log.h"
#include "net.h"
#include "netlink.h"

#define IKE_PORT	500
#define IKE_NATT_PORT	4500

struct ikd_daemon {
	/* First: the engine's configuration callbacks (config.c) take the
	 * daemon as a pointer to the running configuration's pointer. */
	struct ikd_config *config;
	const struct ikd_options *o;
	struct ikd_loop *loop;
	struct ikd_kernel *kernel;
	struct ikd_nl *nl;
	struct ikd_net *net;
	struct ike_engine *engine;
	struct ikd_ctl *ctl;		/* the admin socket; NULL: none */
	/* Ports of the IKE sockets on every address of the host, unless
	 * racoon.conf's `listen` names the sockets itself. */
	uint16_t port, natt_port;
	bool fixed_listen;	/* `listen` names the sockets */
	bool started;		/* start-up done: failures are warnings now */
	bool stopping;
};

/* Every diagnostic, as FILE:LINE:COL: severity: message, through the log. */
static void log_diag(const struct ikd_diag *d)
{
	char line[1024];
	size_t i;

	for (i = 0; i < d->n; i++) {
		ikd_diag_format(&d->v[i], line, sizeof(line));
		if (d->v[i].sev == IKD_DIAG_ERROR)
			log_error("%s", line);
		else
			log_warn("%s", line);
	}
	if (d->dropped)
		log_error("... and %zu more", d->dropped);
}

/* -n prints FILE:LINE:COL lines as they are, as compilers and sshd -t do.
 * @keep: the caller's (initialised) list, which gets the diagnostics too
 * (ikdctl reload shows them); NULL: none. */
static int load_config(const struct ikd_options *o, bool check_files,
		       struct ikd_config **out, struct ikd_diag *keep)
{
	struct ikd_diag local, *d = keep ? keep : &local;
	int err;

	if (!keep)
		ikd_diag_init(&local);
	err = ikd_config_load(o->conf_file, check_files, out, d);
	if (o->check_only)
		ikd_diag_print(d, stderr);
	else
		log_diag(d);
	if (!keep)
		ikd_diag_free(&local);
	if (!err && !o->debug)
		ikd_log_set_level((*out)->conf->log_level);
	/* ESN needs kipsec.ko: Linux's af_key cannot install it. */
	if (!err)
		(*out)->esn = access("/proc/net/kipsec", F_OK) == 0;
	return err;
}

int ikd_daemon_check_config(const struct ikd_options *o)
{
	struct ikd_config *c;
	int err = load_config(o, true, &c, NULL);

	if (!err)
		fprintf(stderr, "%s: configuration OK\n", o->conf_file);
	ikd_config_free(c);
	return err;
}

/* ---- kernel ------------------------------------------------------------- */

static void on_acquire(void *arg, const struct ikd_acquire *acq)
{
	struct ikd_daemon *d = arg;
	const struct ike_peer_cfg *peer;
	char s[IKD_ADDR_STRLEN], t[IKD_ADDR_STRLEN];
	int err;

	log_info("ACQUIRE %s->%s proto %u reqid %u for policy %u",
		 ikd_addr_str(&acq->src, false, s),
		 ikd_addr_str(&acq->dst, false, t), acq->proto, acq->reqid,
		 acq->pol.id);
	if (d->stopping)
		return;
	if (!acq->pol.id) {
		/* A kipsec interface's, told by its endpoints. */
		peer = ikd_config_peer_kif(d->config, d->kernel, acq);
		if (!peer)
			return;
		err = peer->ike_version == 1 ?
		      ikev1_acquire(d->engine, acq, peer) :
		      ike_engine_acquire(d->engine, acq, peer);
	} else if ((peer = ikd_config_peer_v1(d->config, &acq->dst))) {
		err = ikev1_acquire(d->engine, acq, peer);
	} else {
		peer = ikd_config_peer(d->config, &acq->dst);
		if (!peer)
			return;
		err = ike_engine_acquire(d->engine, acq, peer);
	}
	if (err && err != -EALREADY)
		log_notify("no negotiation for the ACQUIRE to %s: %s",
			   ikd_addr_str(&acq->dst, false, t),
			   err == -EPERM ? "the remote block is passive" :
			   err == -ENOENT ? "no sainfo for its traffic" :
			   strerror(-err));
}

static void on_expire(void *arg, const struct ikd_expire *exp)
{
	struct ikd_daemon *d = arg;

	if (!d->stopping && !ikev1_expire(d->engine, exp))
		ike_engine_expire(d->engine, exp);
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
	struct ikd_daemon *d = arg;

	if (d->stopping)
		return;
	/* The version byte decides; each engine counts what it gets. */
	if (ikev1_is_v1(buf, len))
		ikev1_receive(d->engine, local, remote, buf, len);
	else
		ike_engine_receive(d->engine, local, remote, buf, len);
}

static void send_ike(void *arg, const struct ikd_addr *local,
		     const struct ikd_addr *remote, const uint8_t *buf,
		     size_t len)
{
	struct ikd_daemon *d = arg;
	char l[IKD_ADDR_STRLEN], r[IKD_ADDR_STRLEN];
	int err = ikd_net_send(d->net, local, remote, buf, len);

	if (err)
		log_warn("cannot send %zu bytes from %s to %s: %s", len,
			 ikd_addr_str(local, true, l),
			 ikd_addr_str(remote, true, r), strerror(-err));
}

static void send_keepalive(void *arg, const struct ikd_addr *local,
			   const struct ikd_addr *remote)
{
	struct ikd_daemon *d = arg;
	char l[IKD_ADDR_STRLEN], r[IKD_ADDR_STRLEN];
	int err = ikd_net_keepalive(d->net, local, remote);

	if (err)
		log_warn("cannot send a NAT-T keepalive from %s to %s: %s",
			 ikd_addr_str(local, true, l),
			 ikd_addr_str(remote, true, r), strerror(-err));
	else
		log_debug("NAT-T keepalive to %s", ikd_addr_str(remote, true, r));
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
		err = up ? ikd_net_listen_host(d->net, &a, i == 1) :
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

static int start_engine(struct ikd_daemon *d)
{
	struct ike_env env = {
		.kernel = d->kernel,
		.timers = ikd_loop_timers(d->loop),
		.send = send_ike,
		.keepalive = send_keepalive,
		.keylog_path = d->o->keylog_file,
	};

	ikd_config_env(&env, &d->config);
	/* A test aid (ikd(8), ENVIRONMENT): both peers rekey at the same
	 * moment when their lifetimes are the same. */
	if (getenv("IKD_TEST_NO_REKEY_JITTER")) {
		env.no_rekey_jitter = true;
		log_warn("IKD_TEST_NO_REKEY_JITTER: rekeying without jitter "
			 "(a test aid)");
	}
	/* The callbacks reach the daemon through its first member. */
	env.arg = d;
	d->engine = ike_engine_new(&env);
	if (!d->engine) {
		log_error("cannot create the IKE engine");
		return -ENOMEM;
	}
	if (d->o->keylog_file)
		log_warn("writing IKE SA keys to %s (-K, for debugging only)",
			 d->o->keylog_file);
	return 0;
}

/* racoon.conf's `listen`: exactly the sockets it names. */
static int listen_conf(struct ikd_daemon *d)
{
	const struct ikd_conf *c = d->config->conf;
	char s[IKD_ADDR_STRLEN];
	size_t i;
	int err;

	for (i = 0; i < c->n_listen; i++) {
		err = ikd_net_listen(d->net, &c->listen[i].addr,
				     c->listen[i].natt);
		if (err && err != -EEXIST) {
			log_error("%s:%u: cannot listen for IKE on %s: %s",
				  c->listen[i].pos.file, c->listen[i].pos.line,
				  ikd_addr_str(&c->listen[i].addr, true, s),
				  strerror(-err));
			return err;
		}
		log_info("listening for IKE on %s%s",
			 ikd_addr_str(&c->listen[i].addr, true, s),
			 c->listen[i].natt ? " (NAT-T)" : "");
	}
	return 0;
}

static int start_ctl(struct ikd_daemon *d);

int ikd_daemon_start(struct ikd_daemon **out, const struct ikd_options *o,
		     struct ikd_loop *loop)
{
	struct ikd_daemon *d = calloc(1, sizeof(*d));
	int err;

	_Static_assert(offsetof(struct ikd_daemon, config) == 0,
		       "config.c's callbacks take the daemon as its config");
	*out = d;
	if (!d)
		return -ENOMEM;
	d->o = o;
	d->loop = loop;
	d->port = IKE_PORT;
	d->natt_port = IKE_NATT_PORT;
	err = load_config(o, false, &d->config, NULL);
	if (err)
		return err;
	err = start_kernel(d);
	if (!err)
		err = start_engine(d);
	if (!err && d->config->conf->n_listen) {
		d->fixed_listen = true;
		err = ikd_net_new(d->loop, on_ike, d, &d->net);
		if (!err)
			err = listen_conf(d);
	} else if (!err) {
		err = start_net(d);
	}
	if (!err)
		err = start_ctl(d);
	if (!err)
		d->started = true;
	return err;
}

/* SIGHUP and ikdctl's reload (@why says which); 0 or -EINVAL. */
static int reload(struct ikd_daemon *d, const char *why, struct ikd_diag *diag)
{
	struct ikd_config *c;
	int err;

	/* A rotated log file is opened again under its name. */
	if (d->o->log_file &&
	    (err = ikd_log_open(IKD_LOG_FILE, d->o->log_file)))
		log_error("%s: cannot reopen %s: %s", why, d->o->log_file,
			  strerror(-err));
	/* All or nothing: SAs up keep the parameters they were made with.
	 * The admin socket stays where it is (ikdctl(8)). */
	if (load_config(d->o, false, &c, diag)) {
		log_error("%s: %s not reloaded, the running configuration "
			  "stays", why, d->o->conf_file);
		return -EINVAL;
	}
	ikd_config_free(d->config);
	d->config = c;
	if (d->engine) {
		struct ike_dos_limits lim;

		ikd_config_dos_limits(c, &lim);
		ike_engine_set_dos_limits(d->engine, &lim);
	}
	log_notify("%s: %s reloaded", why, d->o->conf_file);
	return 0;
}

void ikd_daemon_reload(struct ikd_daemon *d)
{
	reload(d, "SIGHUP", NULL);
}

/* ---- the admin socket (ctl.h) ---------------------------------------------- */

static const struct ike_peer_cfg *ctl_peer_by_addr(void *arg,
						   const struct ikd_addr *a)
{
	struct ikd_daemon *d = arg;

	return ikd_config_peer(d->config, a);
}

static const struct ike_peer_cfg *ctl_peer_by_name(void *arg, const char *name)
{
	struct ikd_daemon *d = arg;

	return ikd_config_peer_by_name(d->config, name);
}

static int ctl_reload(void *arg, struct ikd_diag *diag)
{
	return reload(arg, "ikdctl reload", diag);
}

/* racoon.conf's adminsock; a failure is fatal only when the admin named
 * the socket (two test daemons on one host share the default path). */
static int start_ctl(struct ikd_daemon *d)
{
	const struct ikd_conf *conf = d->config->conf;
	const struct ikd_ctl_env env = {
		.engine = d->engine, .kernel = d->kernel,
		.timers = ikd_loop_timers(d->loop), .arg = d,
		.peer_by_addr = ctl_peer_by_addr,
		.peer_by_name = ctl_peer_by_name,
		.reload = ctl_reload, .conf_file = d->o->conf_file,
	};
	const struct ikd_ctl_sock_cfg cfg = {
		.path = conf->adminsock, .owner = conf->adminsock_owner,
		.group = conf->adminsock_group, .mode = conf->adminsock_mode,
		.configured = conf->adminsock != NULL,
	};
	int err;

	if (conf->adminsock_disabled)
		return 0;
	err = ikd_ctl_open(&d->ctl, d->loop, &cfg, &env);
	if (err && !cfg.configured) {
		log_warn("running without a control socket (ikdctl)");
		return 0;
	}
	return err;
}

void ikd_daemon_shutdown(struct ikd_daemon *d)
{
	/* DELETE to every peer, then every SA and generated policy out of
	 * the kernel; the engine does not wait for answers. */
	log_notify("%s", d->stopping ? "stopping now" : "shutting down");
	if (!d->stopping && d->engine)
		ike_engine_shutdown(d->engine);
	d->stopping = true;
	ikd_loop_stop(d->loop);
}

static int dump_sa(void *arg, const struct ike_sa_info *i)
{
	char l[IKD_ADDR_STRLEN], r[IKD_ADDR_STRLEN];

	(void)arg;
	log_notify("IKE SA %016llx:%016llx %s %s-%s %s (%s) %s/%s/%s/%s, %u child SAs",
		   (unsigned long long)i->spi_i, (unsigned long long)i->spi_r,
		   i->peer, ikd_addr_str(&i->local, true, l),
		   ikd_addr_str(&i->remote, true, r), i->state,
		   i->initiator ? "initiator" : "responder",
		   i->encr ? i->encr : "-", i->integ ? i->integ : "-",
		   i->prf ? i->prf : "-", i->dh ? i->dh : "-", i->nchild);
	return 0;
}

static int dump_child(void *arg, const struct ike_child_info *i)
{
	(void)arg;
	log_notify("  child SA %s %s in 0x%08x out 0x%08x reqid %u %s %s",
		   i->proto == IPPROTO_AH ? "AH" : "ESP",
		   i->mode == IKD_MODE_TUNNEL ? "tunnel" : "transport",
		   ntohl(i->spi_in), ntohl(i->spi_out), i->reqid, i->state,
		   i->encr ? i->encr : "-");
	return 0;
}

void ikd_daemon_dump(struct ikd_daemon *d)
{
	unsigned int n;

	log_notify("ikd %s state: kernel interface %s", IKD_VERSION,
		   d->kernel ? d->kernel->ops->name : "none");
	n = d->net ? ikd_net_dump(d->net) : 0;
	log_notify("%u IKE sockets", n);
	if (d->engine)
		ike_engine_foreach(d->engine, dump_sa, dump_child, d);
}

#define REKEY_MAX_NAMES	64

struct rekey_names {
	char name[REKEY_MAX_NAMES][IKE_CFG_NAME_MAX];
	unsigned int n;
};

static int rekey_name(void *arg, const struct ike_sa_info *si)
{
	struct rekey_names *rn = arg;

	for (unsigned int i = 0; i < rn->n; i++)
		if (!strcmp(rn->name[i], si->peer))
			return 0;
	if (rn->n < REKEY_MAX_NAMES)
		snprintf(rn->name[rn->n++], IKE_CFG_NAME_MAX, "%s", si->peer);
	return 0;
}

void ikd_daemon_rekey(struct ikd_daemon *d)
{
	struct rekey_names rn = { .n = 0 };
	int n = 0;

	if (!d->engine)
		return;
	/* The names first: rekeying changes the lists foreach walks. */
	ike_engine_foreach(d->engine, rekey_name, NULL, &rn);
	for (unsigned int i = 0; i < rn.n; i++) {
		int r = ike_engine_rekey(d->engine, rn.name[i], false);

		if (r > 0)
			n += r;
	}
	log_notify("SIGUSR2: %d child SA rekeys started", n);
}

void ikd_daemon_free(struct ikd_daemon *d)
{
	if (!d)
		return;
	ikd_ctl_close(d->ctl);
	ike_engine_free(d->engine);
	ikd_net_free(d->net);
	if (d->nl && ikd_nl_fd(d->nl) >= 0)
		ikd_loop_del_fd(d->loop, ikd_nl_fd(d->nl));
	ikd_nl_close(d->nl);
	if (d->kernel) {
		ikd_loop_del_fd(d->loop, d->kernel->ops->fd(d->kernel));
		ikd_kernel_free(d->kernel);
	}
	ikd_config_free(d->config);
	free(d);
}
