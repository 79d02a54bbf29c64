// SPDX-License-Identifier: BSD-2-Clause
/*
 * ikd's system layer driven from the shell, for tests/guest/ikd_kernel.sh:
 * the real kernel_pfkey.c, net.c and netlink.c against kipsec.ko or af_key.
 * One command per run; results on stdout as "key=value" words, errors as
 * "error NAME" (an errno name) with exit status 1.
 *
 *   register                         open + REGISTER ESP, AH, IPcomp
 *   shell                            the commands below that need the kernel
 *                                    interface, one per line on stdin, each
 *                                    answered by its output and a line "."
 *   getspi PROTO MODE SRC DST REQID SEQ
 *   add|update KEY=VALUE...          an SA (see sa_spec below)
 *   del|use PROTO SPI SRC DST
 *   spdadd DIR ACTION SRC/PLEN DST/PLEN ULPROTO [REQ...]
 *                                    REQ: proto/mode/level/reqid[/TSRC-TDST]
 *   spdget ID | spddel ID | spddump
 *   events SECONDS COUNT [getspi]    print ACQUIRE/EXPIRE; with getspi, answer
 *                                    each ACQUIRE with a GETSPI of its seq
 *   echo LOCAL[PORT] SECONDS [natt]  IKE socket answering each datagram
 *   send LOCAL[PORT] PEER[PORT] TEXT [natt]   IKE socket: send, await answer
 *   plainsend PEER[PORT] TEXT        an ordinary UDP socket: send, await answer
 *   routesrc PEER | addrs | watch SECONDS   rtnetlink
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <poll.h>

#include "../../ikd/kernel.h"
#include "../../ikd/log.h"
#include "../../ikd/loop.h"
#include "../../ikd/net.h"
#include "../../ikd/netlink.h"

static const char *errname(int err)
{
	switch (err < 0 ? -err : err) {
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EEXIST: return "EEXIST";
	case ENOSYS: return "ENOSYS";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EPERM: return "EPERM";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
	case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
	}
	return strerror(err < 0 ? -err : err);
}

static int fail(int err)
{
	printf("error %s\n", errname(err));
	return 1;
}

static void die(const char *what)
{
	fprintf(stderr, "ikd_kernel_probe: %s\n", what);
	exit(2);
}

static struct ikd_addr addr(const char *s)
{
	struct ikd_addr a;

	if (ikd_addr_parse(&a, s))
		die("bad address");
	return a;
}

static unsigned long num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (!*s || *end)
		die("bad number");
	return v;
}

static uint8_t proto_of(const char *s)
{
	if (!strcmp(s, "esp"))
		return IPPROTO_ESP;
	if (!strcmp(s, "ah"))
		return IPPROTO_AH;
	if (!strcmp(s, "ipcomp"))
		return IPPROTO_COMP;
	die("bad protocol");
	return 0;
}

static uint8_t mode_of(const char *s)
{
	if (!strcmp(s, "transport"))
		return IKD_MODE_TRANSPORT;
	if (!strcmp(s, "tunnel"))
		return IKD_MODE_TUNNEL;
	die("bad mode");
	return 0;
}

static const char *proto_name(unsigned int p)
{
	return p == IPPROTO_ESP ? "esp" : p == IPPROTO_AH ? "ah" :
	       p == IPPROTO_COMP ? "ipcomp" : "?";
}

static const char *mode_name(unsigned int m)
{
	return m == IKD_MODE_TRANSPORT ? "transport" :
	       m == IKD_MODE_TUNNEL ? "tunnel" : "?";
}

/* Hex into a static buffer of one of two slots. */
static const uint8_t *hex(const char *s, size_t *len, int slot)
{
	static uint8_t buf[2][128];
	size_t n = strlen(s) / 2;

	if (strlen(s) % 2 || n > sizeof(buf[0]))
		die("bad hex key");
	for (size_t i = 0; i < n; i++) {
		unsigned int v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			die("bad hex key");
		buf[slot][i] = (uint8_t)v;
	}
	*len = n;
	return buf[slot];
}

static struct ikd_kernel *open_kernel(const struct ikd_kernel_events *ev)
{
	struct ikd_kernel *k = ikd_kernel_pfkey_new();
	int err;

	if (!k)
		die("out of memory");
	err = k->ops->open(k, ev);
	if (err) {
		fail(err);
		exit(1);
	}
	return k;
}

/*
 * proto= mode= spi= src= dst= reqid= seq= encr= keybits= ekey= integ=
 * akey= comp= replay= esn soft_bytes= hard_bytes= soft_secs= hard_secs=
 * sport= dport= oa=
 */
static void sa_spec(struct ikd_kernel_sa *sa, int argc, char **argv)
{
	memset(sa, 0, sizeof(*sa));
	for (int i = 0; i < argc; i++) {
		char *k = argv[i], *v = strchr(k, '=');

		if (!strcmp(k, "esn")) {
			sa->esn = true;
			continue;
		}
		if (!v)
			die("want KEY=VALUE");
		*v++ = '\0';
		if (!strcmp(k, "proto")) sa->proto = proto_of(v);
		else if (!strcmp(k, "mode")) sa->mode = mode_of(v);
		else if (!strcmp(k, "spi")) sa->spi = htonl((uint32_t)num(v));
		else if (!strcmp(k, "src")) sa->src = addr(v);
		else if (!strcmp(k, "dst")) sa->dst = addr(v);
		else if (!strcmp(k, "reqid")) sa->reqid = (uint32_t)num(v);
		else if (!strcmp(k, "seq")) sa->seq = (uint32_t)num(v);
		else if (!strcmp(k, "encr")) sa->encr = (uint16_t)num(v);
		else if (!strcmp(k, "keybits")) sa->encr_keybits = (uint16_t)num(v);
		else if (!strcmp(k, "ekey")) sa->enc_key = hex(v, &sa->enc_key_len, 0);
		else if (!strcmp(k, "integ")) sa->integ = (uint16_t)num(v);
		else if (!strcmp(k, "akey")) sa->auth_key = hex(v, &sa->auth_key_len, 1);
		else if (!strcmp(k, "comp")) sa->comp = (uint16_t)num(v);
		else if (!strcmp(k, "replay")) sa->replay_window = (uint32_t)num(v);
		else if (!strcmp(k, "soft_bytes")) sa->soft_bytes = num(v);
		else if (!strcmp(k, "hard_bytes")) sa->hard_bytes = num(v);
		else if (!strcmp(k, "soft_secs")) sa->soft_secs = num(v);
		else if (!strcmp(k, "hard_secs")) sa->hard_secs = num(v);
		else if (!strcmp(k, "sport")) sa->encap_sport = (uint16_t)num(v);
		else if (!strcmp(k, "dport")) sa->encap_dport = (uint16_t)num(v);
		else if (!strcmp(k, "oa")) sa->natt_oa = addr(v);
		else die("unknown SA key");
	}
}

/* "10.0.0.0/24[80]" or "10.0.0.1" into address, port and prefix. */
static void prefix(const char *s, struct ikd_addr *a, uint8_t *plen)
{
	char buf[80];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash) {
		char *br = strchr(slash, '[');
		char port[16] = "";

		if (br) {
			snprintf(port, sizeof(port), "%s", br);
			*br = '\0';
		}
		*plen = (uint8_t)num(slash + 1);
		*slash = '\0';
		strncat(buf, port, sizeof(buf) - strlen(buf) - 1);
		*a = addr(buf);
	} else {
		*a = addr(buf);
		*plen = (uint8_t)ikd_addr_bits(a->family);
	}
}

static void print_policy(const struct ikd_kernel_policy *p)
{
	static const char *const dirs[] = { "?", "in", "out", "fwd" };
	static const char *const acts[] = { "discard", "none", "ipsec",
					    "entrust", "bypass" };
	char s[IKD_ADDR_STRLEN], d[IKD_ADDR_STRLEN];

	printf("id=%u dir=%s action=%s prio=0x%08x sel=%s/%u->%s/%u proto=%u reqs=",
	       p->id, dirs[p->dir < 4 ? p->dir : 0],
	       p->action < 5 ? acts[p->action] : "?", p->priority,
	       ikd_addr_str(&p->sel.src, true, s), p->sel.src_plen,
	       ikd_addr_str(&p->sel.dst, true, d), p->sel.dst_plen, p->sel.proto);
	for (unsigned int i = 0; i < p->nreqs; i++) {
		const struct ikd_kernel_req *r = &p->req[i];

		printf("%s%s/%s/%u/%u", i ? "," : "", proto_name(r->proto),
		       mode_name(r->mode), r->level, r->reqid);
		if (r->tsrc.family)
			printf("/%s-%s", ikd_addr_str(&r->tsrc, false, s),
			       ikd_addr_str(&r->tdst, false, d));
	}
	if (!p->nreqs)
		printf("-");
	printf("\n");
}

static int spdadd(struct ikd_kernel *k, int argc, char **argv)
{
	static const char *const acts[] = { "discard", "none", "ipsec",
					    "entrust", "bypass" };
	struct ikd_kernel_policy p = { 0 };
	int err;

	if (argc < 5)
		die("spdadd DIR ACTION SRC DST ULPROTO [REQ...]");
	p.dir = !strcmp(argv[0], "in") ? IKD_DIR_IN :
		!strcmp(argv[0], "out") ? IKD_DIR_OUT : IKD_DIR_FWD;
	for (uint8_t i = 0; i < 5; i++)
		if (!strcmp(argv[1], acts[i]))
			p.action = i;
	prefix(argv[2], &p.sel.src, &p.sel.src_plen);
	prefix(argv[3], &p.sel.dst, &p.sel.dst_plen);
	p.sel.proto = (uint8_t)num(argv[4]);
	for (int i = 5; i < argc && p.nreqs < IKD_KERNEL_MAX_REQS; i++) {
		char buf[128], *f[5] = { 0 }, *save = NULL;
		struct ikd_kernel_req *r = &p.req[p.nreqs++];
		int n = 0;

		snprintf(buf, sizeof(buf), "%s", argv[i]);
		for (char *t = strtok_r(buf, "/", &save); t && n < 5;
		     t = strtok_r(NULL, "/", &save))
			f[n++] = t;
		if (n < 4)
			die("REQ: proto/mode/level/reqid[/TSRC-TDST]");
		r->proto = proto_of(f[0]);
		r->mode = mode_of(f[1]);
		r->level = (uint8_t)num(f[2]);
		r->reqid = (uint32_t)num(f[3]);
		if (f[4]) {
			char *dash = strchr(f[4], '-');

			if (!dash)
				die("TSRC-TDST");
			*dash = '\0';
			r->tsrc = addr(f[4]);
			r->tdst = addr(dash + 1);
		}
	}
	err = k->ops->spd_add(k, &p);
	if (err)
		return fail(err);
	printf("id=%u\n", p.id);
	return 0;
}

static int print_cb(void *arg, const struct ikd_kernel_policy *p)
{
	(*(unsigned int *)arg)++;
	print_policy(p);
	return 0;
}

/* ---- events --------------------------------------------------------------- */

struct ev_ctx {
	struct ikd_kernel *k;
	struct ikd_loop *loop;
	unsigned int want, got;
	bool getspi;
};

static void on_acquire(void *arg, const struct ikd_acquire *a)
{
	struct ev_ctx *c = arg;
	char s[IKD_ADDR_STRLEN], d[IKD_ADDR_STRLEN];

	printf("ACQUIRE seq=%u proto=%s mode=%s reqid=%u src=%s dst=%s policy=%u nreqs=%u\n",
	       a->seq, proto_name(a->proto), mode_name(a->mode), a->reqid,
	       ikd_addr_str(&a->src, false, s), ikd_addr_str(&a->dst, false, d),
	       a->pol.id, a->pol.nreqs);
	if (c->getspi) {
		uint32_t spi = 0;
		int err = c->k->ops->getspi(c->k, a->proto, a->mode, &a->src,
					    &a->dst, a->reqid, a->seq, &spi);

		if (err)
			printf("GETSPI error %s\n", errname(err));
		else
			printf("GETSPI spi=0x%08x\n", ntohl(spi));
	}
	fflush(stdout);
	if (++c->got == c->want)
		ikd_loop_stop(c->loop);
}

static void on_expire(void *arg, const struct ikd_expire *e)
{
	struct ev_ctx *c = arg;
	char s[IKD_ADDR_STRLEN], d[IKD_ADDR_STRLEN];

	printf("EXPIRE %s proto=%s spi=0x%08x src=%s dst=%s bytes=%llu\n",
	       e->hard ? "hard" : "soft", proto_name(e->proto), ntohl(e->spi),
	       ikd_addr_str(&e->src, false, s), ikd_addr_str(&e->dst, false, d),
	       (unsigned long long)e->bytes);
	fflush(stdout);
	if (++c->got == c->want)
		ikd_loop_stop(c->loop);
}

static void on_kernel(void *arg, int fd, uint32_t events)
{
	struct ev_ctx *c = arg;
	int err = c->k->ops->dispatch(c->k);

	(void)fd;
	(void)events;
	if (err)
		printf("dispatch error %s\n", errname(err));
}

static void on_timeout(void *arg)
{
	struct ikd_loop *l = arg;

	printf("timeout\n");
	ikd_loop_stop(l);
}

static int events(int argc, char **argv)
{
	struct ev_ctx c = { 0 };
	struct ikd_kernel_events ev = { on_acquire, on_expire, &c };
	struct ikd_timers *t;

	if (argc < 2)
		die("events SECONDS COUNT [getspi]");
	c.want = (unsigned int)num(argv[1]);
	c.getspi = argc > 2 && !strcmp(argv[2], "getspi");
	c.loop = ikd_loop_new();
	c.k = open_kernel(&ev);
	t = ikd_loop_timers(c.loop);
	if (ikd_loop_add_fd(c.loop, c.k->ops->fd(c.k), 0, on_kernel, &c) ||
	    !t->add(t, num(argv[0]) * 1000, on_timeout, c.loop))
		die("loop");
	printf("ready\n");
	fflush(stdout);
	c.k->ops->dispatch(c.k);
	ikd_loop_run(c.loop);
	ikd_kernel_free(c.k);
	ikd_loop_free(c.loop);
	return c.got == c.want ? 0 : 1;
}

/* ---- IKE sockets ------------------------------------------------------------ */

struct net_ctx {
	struct ikd_net *net;
	struct ikd_loop *loop;
	bool echo;
	int got;
};

static void on_ike(void *arg, const struct ikd_addr *local,
		   const struct ikd_addr *remote, const uint8_t *buf,
		   size_t len)
{
	struct net_ctx *c = arg;
	char l[IKD_ADDR_STRLEN], r[IKD_ADDR_STRLEN];
	int err;

	printf("recv from=%s to=%s len=%zu data=%.*s\n",
	       ikd_addr_str(remote, true, r), ikd_addr_str(local, true, l), len,
	       (int)len, (const char *)buf);
	fflush(stdout);
	c->got++;
	if (c->echo) {
		err = ikd_net_send(c->net, local, remote, buf, len);
		if (err)
			printf("echo error %s\n", errname(err));
	} else {
		ikd_loop_stop(c->loop);
	}
}

static int net_run(int argc, char **argv, bool echo)
{
	struct net_ctx c = { .echo = echo };
	struct ikd_addr local = addr(argv[0]), peer;
	bool natt = argc > (echo ? 2 : 3) && !strcmp(argv[echo ? 2 : 3], "natt");
	struct ikd_timers *t;
	int err;

	c.loop = ikd_loop_new();
	t = ikd_loop_timers(c.loop);
	if (ikd_net_new(c.loop, on_ike, &c, &c.net))
		die("net");
	err = ikd_net_listen(c.net, &local, natt);
	if (err)
		return fail(err);
	if (echo) {
		printf("listening\n");
		fflush(stdout);
		t->add(t, num(argv[1]) * 1000, on_timeout, c.loop);
	} else {
		peer = addr(argv[1]);
		err = ikd_net_send(c.net, &local, &peer, argv[2], strlen(argv[2]));
		if (err)
			return fail(err);
		t->add(t, 3000, on_timeout, c.loop);
	}
	ikd_loop_run(c.loop);
	ikd_net_free(c.net);
	ikd_loop_free(c.loop);
	return echo || c.got ? 0 : 1;
}

static int plainsend(const char *peer_s, const char *text)
{
	struct ikd_addr peer = addr(peer_s);
	struct sockaddr_storage ss;
	socklen_t sl = ikd_addr_to_sockaddr(&peer, &ss);
	int fd = socket(peer.family, SOCK_DGRAM, 0);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[512];
	ssize_t n;

	if (fd < 0)
		return fail(-errno);
	if (sendto(fd, text, strlen(text), 0, (struct sockaddr *)&ss, sl) < 0)
		return fail(-errno);
	if (poll(&pfd, 1, 3000) != 1) {
		printf("timeout\n");
		return 1;
	}
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		return fail(-errno);
	printf("answer=%.*s\n", (int)n, buf);
	return 0;
}

/* ---- rtnetlink -------------------------------------------------------------- */

static void on_addr(void *arg, const struct ikd_nl_addr *a)
{
	char s[IKD_ADDR_STRLEN];

	(void)arg;
	if (!a) {
		printf("lost\n");
		return;
	}
	printf("%s %s/%u ifindex=%u scope=%u flags=0x%x\n",
	       a->added ? "added" : "removed", ikd_addr_str(&a->addr, false, s),
	       a->prefixlen, a->ifindex, a->scope, a->flags);
	fflush(stdout);
}

static void on_nl(void *arg, int fd, uint32_t events)
{
	(void)fd;
	(void)events;
	ikd_nl_dispatch(arg);
}

static int nl_cmd(int argc, char **argv)
{
	struct ikd_nl *nl;
	int err = ikd_nl_open(&nl);

	if (err)
		return fail(err);
	if (!strcmp(argv[0], "routesrc") && argc > 1) {
		struct ikd_addr peer = addr(argv[1]), src;
		unsigned int ifindex = 0;
		char s[IKD_ADDR_STRLEN];

		err = ikd_nl_route_src(nl, &peer, &src, &ifindex);
		if (err)
			return fail(err);
		printf("src=%s ifindex=%u\n", ikd_addr_str(&src, false, s), ifindex);
	} else if (!strcmp(argv[0], "addrs")) {
		err = ikd_nl_addrs(nl, AF_UNSPEC, on_addr, NULL);
	} else if (!strcmp(argv[0], "watch") && argc > 1) {
		struct ikd_loop *l = ikd_loop_new();
		struct ikd_timers *t = ikd_loop_timers(l);

		err = ikd_nl_watch(nl, on_addr, NULL);
		if (!err)
			err = ikd_loop_add_fd(l, ikd_nl_fd(nl), 0, on_nl, nl);
		if (err)
			return fail(err);
		t->add(t, num(argv[1]) * 1000, on_timeout, l);
		printf("ready\n");
		fflush(stdout);
		ikd_loop_run(l);
		ikd_loop_free(l);
	} else {
		die("routesrc PEER | addrs | watch SECONDS");
	}
	ikd_nl_close(nl);
	return err ? fail(err) : 0;
}

/* ---- main ------------------------------------------------------------------- */

static int sa_cmd(struct ikd_kernel *k, const char *cmd, int argc, char **argv)
{
	uint32_t spi = 0;
	int err;

	if (!strcmp(cmd, "getspi") && argc == 6) {
		struct ikd_addr s = addr(argv[2]), d = addr(argv[3]);

		err = k->ops->getspi(k, proto_of(argv[0]), mode_of(argv[1]), &s,
				     &d, (uint32_t)num(argv[4]),
				     (uint32_t)num(argv[5]), &spi);
		if (err)
			return fail(err);
		printf("spi=0x%08x\n", ntohl(spi));
		return 0;
	}
	if (!strcmp(cmd, "add") || !strcmp(cmd, "update")) {
		struct ikd_kernel_sa sa;

		sa_spec(&sa, argc, argv);
		err = cmd[0] == 'a' ? k->ops->add_sa(k, &sa) :
				      k->ops->update_sa(k, &sa);
		if (err)
			return fail(err);
		printf("ok\n");
		return 0;
	}
	if ((!strcmp(cmd, "del") || !strcmp(cmd, "use")) && argc == 4) {
		struct ikd_addr s = addr(argv[2]), d = addr(argv[3]);
		struct ikd_sa_use u;

		spi = htonl((uint32_t)num(argv[1]));
		if (cmd[0] == 'd')
			err = k->ops->del_sa(k, proto_of(argv[0]), spi, &s, &d);
		else
			err = k->ops->sa_use(k, proto_of(argv[0]), spi, &s, &d, &u);
		if (err)
			return fail(err);
		if (cmd[0] == 'u')
			printf("bytes=%llu packets=%llu added=%llu used=%llu\n",
			       (unsigned long long)u.bytes,
			       (unsigned long long)u.packets,
			       (unsigned long long)u.added,
			       (unsigned long long)u.last_used);
		else
			printf("ok\n");
		return 0;
	}
	die("bad SA command or arguments");
	return 2;
}

/* One command on an open kernel interface. */
static int kernel_cmd(struct ikd_kernel *k, const char *cmd, int argc,
		      char **argv)
{
	int err;

	if (!strcmp(cmd, "register")) {
		printf("registered\n");
		return 0;
	}
	if (!strcmp(cmd, "spdadd"))
		return spdadd(k, argc, argv);
	if (!strcmp(cmd, "spdget") && argc == 1) {
		struct ikd_kernel_policy p;

		err = k->ops->spd_get(k, (uint32_t)num(argv[0]), &p);
		if (err)
			return fail(err);
		print_policy(&p);
		return 0;
	}
	if (!strcmp(cmd, "spddel") && argc == 1) {
		err = k->ops->spd_del(k, (uint32_t)num(argv[0]));
		if (err)
			return fail(err);
		printf("ok\n");
		return 0;
	}
	if (!strcmp(cmd, "spddump")) {
		unsigned int n = 0;

		err = k->ops->spd_dump(k, print_cb, &n);
		if (err)
			return fail(err);
		printf("count=%u\n", n);
		return 0;
	}
	return sa_cmd(k, cmd, argc, argv);
}

/*
 * "shell": one kernel interface for many commands, one per line on stdin,
 * each answered by its output and a line ".". Saves a REGISTER per
 * command (af_key probes its algorithms on every one: seconds in the
 * guest) and keeps larval SAs within their 30 s.
 */
static int shell(struct ikd_kernel *k)
{
	char line[1024];

	printf(".\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		char *argv[32], *save = NULL;
		int argc = 0;

		for (char *t = strtok_r(line, " \t\n", &save); t && argc < 32;
		     t = strtok_r(NULL, " \t\n", &save))
			argv[argc++] = t;
		if (argc)
			kernel_cmd(k, argv[0], argc - 1, argv + 1);
		printf(".\n");
		fflush(stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct ikd_kernel_events quiet = { 0 };
	struct ikd_kernel *k;
	const char *cmd;
	int ret;

	if (argc < 2)
		die("usage: see the comment at the top of ikd_kernel_probe.c");
	ikd_log_open(IKD_LOG_STDERR, NULL);
	ikd_log_set_level(getenv("PROBE_DEBUG") ? IKD_LOG_DEBUG : IKD_LOG_WARNING);
	cmd = argv[1];
	argc -= 2;
	argv += 2;
	if (!strcmp(cmd, "events"))
		return events(argc, argv);
	if (!strcmp(cmd, "echo") && argc >= 2)
		return net_run(argc, argv, true);
	if (!strcmp(cmd, "send") && argc >= 3)
		return net_run(argc, argv, false);
	if (!strcmp(cmd, "plainsend") && argc == 2)
		return plainsend(argv[0], argv[1]);
	if (!strcmp(cmd, "routesrc") || !strcmp(cmd, "addrs") ||
	    !strcmp(cmd, "watch"))
		return nl_cmd(argc + 1, argv - 1);

	k = open_kernel(&quiet);
	ret = !strcmp(cmd, "shell") ? shell(k) : kernel_cmd(k, cmd, argc, argv);
	ikd_kernel_free(k);
	return ret;
}
