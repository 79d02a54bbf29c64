// SPDX-License-Identifier: BSD-2-Clause
/*
 * The verbs of the control protocol, in one table: ikdctl's own and
 * racoonctl's as aliases. A new verb is one line in the table and one
 * handler.
 *
 * "initiate" has no ACQUIRE to answer, so it makes one for every outbound
 * `ipsec` policy of the SPD whose request goes to the peer (tunnel mode:
 * the tunnel's far end is the peer; transport mode: the policy's
 * destination is the peer's address, as a host), exactly as the kernel
 * would on the first packet: the IKE SA comes up with a child SA for each
 * policy (IKE_AUTH carries the first, CREATE_CHILD_SA the rest). An IKE
 * SA needs a child SA in IKE_AUTH here (no RFC 6023), so a peer without
 * such a policy cannot be initiated. A block with `interface` has no
 * policy: it gets the ACQUIRE its kipsec interface would raise.
 */
#include "ctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/ipsec.h>

#include "log.h"

struct verb {
	const char *w1, *w2;	/* the verb's words; w2 NULL: one word */
	unsigned int min, max;	/* arguments after them */
	int opt;		/* passed to fn (show-sa esp: the protocol) */
	void (*fn)(const struct ikd_ctl_env *env, const struct verb *v,
		   const char *const *argv, bool json, struct ikd_ctl_out *o);
	const char *usage;
};

/* ---- show ------------------------------------------------------------------ */

static void show_ike(const struct ikd_ctl_env *env, const struct verb *v,
		     const char *const *argv, bool json, struct ikd_ctl_out *o)
{
	(void)v;
	(void)argv;
	ikd_ctl_show_ike(env, json, o);
}

static void show_child(const struct ikd_ctl_env *env, const struct verb *v,
		       const char *const *argv, bool json,
		       struct ikd_ctl_out *o)
{
	(void)argv;
	ikd_ctl_show_child(env, json, (uint8_t)v->opt, o);
}

static void stats(const struct ikd_ctl_env *env, const struct verb *v,
		  const char *const *argv, bool json, struct ikd_ctl_out *o)
{
	struct ike_stats s;

	(void)v;
	(void)argv;
	ike_engine_stats(env->engine, &s);
	ikd_ctl_show_stats(&s, json, o);
}

/* ---- initiate -------------------------------------------------------------- */

#define MAX_INITIATE	32	/* policies towards one peer */

struct collect {
	struct ikd_addr peer;
	unsigned int n;
	struct ikd_acquire acq[MAX_INITIATE];
};

/* The endpoints of an SA that @r of policy @p asks for, if it goes to
 * the peer. */
static bool req_to_peer(const struct ikd_kernel_policy *p,
			const struct ikd_kernel_req *r,
			const struct ikd_addr *peer, struct ikd_addr *src)
{
	unsigned int bits = ikd_addr_bits(peer->family);

	if (r->proto != IPPROTO_ESP && r->proto != IPPROTO_AH)
		return false;
	if (r->mode == IKD_MODE_TUNNEL) {
		*src = r->tsrc;
		return ikd_addr_eq_noport(&r->tdst, peer) && src->family;
	}
	*src = p->sel.src;
	return p->sel.dst_plen == bits && p->sel.src_plen == bits &&
	       ikd_addr_eq_noport(&p->sel.dst, peer);
}

static int collect_policy(void *arg, const struct ikd_kernel_policy *p)
{
	struct collect *c = arg;

	if (p->dir != IKD_DIR_OUT || p->action != IPSEC_POLICY_IPSEC)
		return 0;
	for (unsigned int i = 0; i < p->nreqs && i < IKD_KERNEL_MAX_REQS; i++) {
		struct ikd_acquire *a = &c->acq[c->n];
		struct ikd_addr src;

		if (!req_to_peer(p, &p->req[i], &c->peer, &src))
			continue;
		if (c->n == MAX_INITIATE)
			return 0;
		memset(a, 0, sizeof(*a));
		a->proto = p->req[i].proto;
		a->mode = p->req[i].mode;
		a->reqid = p->req[i].reqid;
		a->src = src;
		a->src.port = 0;
		a->dst = c->peer;
		a->pol = *p;
		c->n++;
	}
	return 0;
}

/* The configured peer for NAME or ADDRESS, copied to @peer; false with
 * the error in @o. */
static bool find_peer(const struct ikd_ctl_env *env, const char *target,
		      struct ike_peer_cfg *peer, struct ikd_ctl_out *o)
{
	const struct ike_peer_cfg *p;
	struct ikd_addr a;

	if (!ikd_addr_parse(&a, target))
		p = env->peer_by_addr(env->arg, &a);
	else
		p = env->peer_by_name(env->arg, target);
	if (!p) {
		ikd_ctl_error(o, IKD_CTL_E_PEER, "no IKEv2 remote block for %s "
			      "in %s", target, env->conf_file);
		return false;
	}
	*peer = *p;
	return true;
}

static void start_children(const struct ikd_ctl_env *env,
			   const struct ike_peer_cfg *peer,
			   const struct collect *c, struct ikd_ctl_out *o)
{
	unsigned int started = 0, up = 0, failed = 0;

	for (unsigned int i = 0; i < c->n; i++) {
		int err = ike_engine_initiate(env->engine, &c->acq[i], peer);

		if (!err || err == -EALREADY)
			started++;
		else if (err == -EEXIST)
			up++;
		else
			failed++;
	}
	if (!started && !up) {
		ikd_ctl_error(o, IKD_CTL_E_FAILED, "could not start a negotiation "
			      "with \"%s\" (see the log)", peer->name);
		return;
	}
	ikd_ctl_printf(o, "OK\ninitiating with \"%s\": %u child SA%s "
		       "negotiated, %u already up, %u failed\n", peer->name,
		       started, started == 1 ? "" : "s", up, failed);
}

/* The ACQUIRE @peer's interface raises on its first packet (ike_kif.c).
 * The IKE peer defaults to the interface's remote, as for that ACQUIRE. */
static bool collect_kif(const struct ikd_ctl_env *env,
			struct ike_peer_cfg *peer, struct collect *c,
			struct ikd_ctl_out *o)
{
	struct ikd_kernel *k = env->kernel;
	struct ikd_kif kif;
	int err = k->ops->kif_get ? k->ops->kif_get(k, peer->ifname, &kif) :
		  -EOPNOTSUPP;

	if (err) {
		ikd_ctl_error(o, IKD_CTL_E_FAILED, "remote \"%s\": interface "
			      "%s: %s", peer->name, peer->ifname,
			      ikd_kif_strerror(err));
		return false;
	}
	ikd_kif_acquire(&kif, &c->acq[0]);
	c->n = 1;
	if (!peer->remote.family || ikd_addr_is_any(&peer->remote))
		peer->remote = kif.remote;
	return true;
}

static void initiate_to(const struct ikd_ctl_env *env, const char *target,
			struct ikd_ctl_out *o)
{
	struct ike_peer_cfg peer;
	struct collect *c;
	char s[IKD_ADDR_STRLEN];
	int err;

	if (!find_peer(env, target, &peer, o))
		return;
	if (peer.passive) {
		ikd_ctl_error(o, IKD_CTL_E_FAILED, "remote \"%s\" is passive",
			      peer.name);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		ikd_ctl_error(o, IKD_CTL_E_FAILED, "out of memory");
		return;
	}
	if (peer.ifname[0]) {
		if (collect_kif(env, &peer, c, o))
			start_children(env, &peer, c, o);
		free(c);
		return;
	}
	if (!peer.remote.family || ikd_addr_is_any(&peer.remote)) {
		ikd_ctl_error(o, IKD_CTL_E_PEER, "remote \"%s\" has no address "
			      "to initiate to", peer.name);
		free(c);
		return;
	}
	c->peer = peer.remote;
	c->peer.port = 0;
	err = env->kernel->ops->spd_dump(env->kernel, collect_policy, c);
	if (err)
		ikd_ctl_error(o, IKD_CTL_E_FAILED, "cannot read the SPD: %s",
			      strerror(-err));
	else if (!c->n)
		ikd_ctl_error(o, IKD_CTL_E_FAILED, "no outbound ipsec policy "
			      "towards %s in the SPD: an IKE SA needs a child SA",
			      ikd_addr_str(&c->peer, false, s));
	else
		start_children(env, &peer, c, o);
	free(c);
}

static void initiate(const struct ikd_ctl_env *env, const struct verb *v,
		     const char *const *argv, bool json, struct ikd_ctl_out *o)
{
	(void)v;
	(void)json;
	initiate_to(env, argv[0], o);
}

/* racoonctl's `establish-sa isakmp inet|inet6 SRC DST`. */
static bool racoon_addrs(const char *const *argv, struct ikd_addr *dst,
			 struct ikd_ctl_out *o)
{
	struct ikd_addr src;
	int family = !strcmp(argv[0], "inet") ? AF_INET :
		     !strcmp(argv[0], "inet6") ? AF_INET6 : 0;

	if (!family || ikd_addr_parse(&src, argv[1]) ||
	    ikd_addr_parse(dst, argv[2]) || src.family != family ||
	    dst->family != family) {
		ikd_ctl_error(o, IKD_CTL_E_USAGE, "expected inet|inet6 SRC DST "
			      "(numeric addresses of that family)");
		return false;
	}
	return true;
}

static void establish_sa(const struct ikd_ctl_env *env, const struct verb *v,
			 const char *const *argv, bool json,
			 struct ikd_ctl_out *o)
{
	struct ikd_addr dst;

	(void)v;
	(void)json;
	if (racoon_addrs(argv, &dst, o))
		initiate_to(env, argv[2], o);
}

/* ---- terminate --------------------------------------------------------------- */

static void terminate_one(const struct ikd_ctl_env *env, const char *target,
			  struct ikd_ctl_out *o)
{
	struct ikd_addr a;
	int n;

	if (!ikd_addr_parse(&a, target)) {
		n = ike_engine_terminate_remote(env->engine, &a);
	} else {
		n = ike_engine_terminate(env->engine, target);
		if (!n && !env->peer_by_name(env->arg, target)) {
			ikd_ctl_error(o, IKD_CTL_E_PEER, "no IKEv2 remote block "
				      "named %s in %s", target, env->conf_file);
			return;
		}
	}
	if (!n) {
		ikd_ctl_error(o, IKD_CTL_E_FAILED, "no IKE SA with %s", target);
		return;
	}
	ikd_ctl_printf(o, "OK\ndeleting %d IKE SA%s with %s\n", n,
		       n == 1 ? "" : "s", target);
	log_notify("ikdctl: terminate %s: %d IKE SA%s", target, n,
		   n == 1 ? "" : "s");
}

static void terminate(const struct ikd_ctl_env *env, const struct verb *v,
		      const char *const *argv, bool json, struct ikd_ctl_out *o)
{
	(void)v;
	(void)json;
	terminate_one(env, argv[0], o);
}

static void delete_sa(const struct ikd_ctl_env *env, const struct verb *v,
		      const char *const *argv, bool json, struct ikd_ctl_out *o)
{
	struct ikd_addr dst;

	(void)v;
	(void)json;
	if (racoon_addrs(argv, &dst, o))
		terminate_one(env, argv[2], o);
}

static void flush_isakmp(const struct ikd_ctl_env *env, const struct verb *v,
			 const char *const *argv, bool json,
			 struct ikd_ctl_out *o)
{
	int n = ike_engine_terminate_remote(env->engine, NULL);

	(void)v;
	(void)argv;
	(void)json;
	log_notify("ikdctl: flush-sa isakmp: %d IKE SAs", n);
	ikd_ctl_printf(o, "OK\ndeleting %d IKE SA%s\n", n, n == 1 ? "" : "s");
}

static void flush_ipsec(const struct ikd_ctl_env *env, const struct verb *v,
			const char *const *argv, bool json,
			struct ikd_ctl_out *o)
{
	int n = ike_engine_delete_children(env->engine);

	(void)v;
	(void)argv;
	(void)json;
	log_notify("ikdctl: flush-sa ipsec: %d child SAs", n);
	ikd_ctl_printf(o, "OK\ndeleting %d child SA%s\n", n, n == 1 ? "" : "s");
}

/* ---- reload ------------------------------------------------------------------ */

static void put_diag(const struct ikd_diag *d, struct ikd_ctl_out *o)
{
	char line[1024];

	for (size_t i = 0; i < d->n; i++) {
		ikd_diag_format(&d->v[i], line, sizeof(line));
		ikd_ctl_put_printable(o, (const uint8_t *)line, strlen(line));
		ikd_ctl_printf(o, "\n");
	}
	if (d->dropped)
		ikd_ctl_printf(o, "... and %zu more\n", d->dropped);
}

static void reload(const struct ikd_ctl_env *env, const struct verb *v,
		   const char *const *argv, bool json, struct ikd_ctl_out *o)
{
	struct ikd_diag d;

	(void)v;
	(void)argv;
	(void)json;
	ikd_diag_init(&d);
	if (env->reload(env->arg, &d))
		ikd_ctl_error(o, IKD_CTL_E_FAILED, "%s not reloaded, the running "
			      "configuration stays", env->conf_file);
	else
		ikd_ctl_printf(o, "OK\n%s reloaded\n", env->conf_file);
	put_diag(&d, o);
	ikd_diag_free(&d);
}

/* ---- rekey ------------------------------------------------------------------- */

/* v->opt: 1 rekeys the IKE SAs of the remote, 0 its child SAs. */
static void rekey(const struct ikd_ctl_env *env, const struct verb *v,
		  const char *const *argv, bool json, struct ikd_ctl_out *o)
{
	const char *what = v->opt ? "IKE SA" : "CHILD_SA";
	int n;

	(void)json;
	if (!env->peer_by_name(env->arg, argv[0])) {
		ikd_ctl_error(o, IKD_CTL_E_PEER, "no IKEv2 remote block named "
			      "%s in %s", argv[0], env->conf_file);
		return;
	}
	n = ike_engine_rekey(env->engine, argv[0], v->opt);
	if (n <= 0) {
		ikd_ctl_error(o, IKD_CTL_E_FAILED, "no %s of %s to rekey (none "
			      "established, or a rekey is under way)", what,
			      argv[0]);
		return;
	}
	ikd_ctl_printf(o, "OK\nrekeying %d %s%s of %s\n", n, what,
		       n == 1 ? "" : "s", argv[0]);
	log_notify("ikdctl: rekey %s%s: %d %s%s", v->opt ? "ike " : "",
		   argv[0], n, what, n == 1 ? "" : "s");
}

/* ---- the table ----------------------------------------------------------------- */

static void help(const struct ikd_ctl_env *env, const struct verb *v,
		 const char *const *argv, bool json, struct ikd_ctl_out *o);

static const struct verb verbs[] = {
	{ "show", "ike", 0, 0, 0, show_ike, "show ike [--json]" },
	{ "show", "child", 0, 0, 0, show_child, "show child [--json]" },
	{ "show", "sa", 0, 0, 0, show_child, "show sa [--json]" },
	{ "stats", NULL, 0, 0, 0, stats, "stats [--json]" },
	{ "initiate", NULL, 1, 1, 0, initiate, "initiate NAME|ADDRESS" },
	{ "terminate", NULL, 1, 1, 0, terminate, "terminate NAME|ADDRESS" },
	{ "rekey", "ike", 1, 1, 1, rekey, "rekey ike NAME" },
	{ "rekey", NULL, 1, 1, 0, rekey, "rekey NAME" },
	{ "reload", NULL, 0, 0, 0, reload, "reload" },
	{ "help", NULL, 0, 0, 0, help, "help" },
	/* racoonctl's verbs */
	{ "show-sa", "isakmp", 0, 0, 0, show_ike, "show-sa isakmp" },
	{ "show-sa", "ipsec", 0, 0, 0, show_child, "show-sa ipsec" },
	{ "show-sa", "esp", 0, 0, IPPROTO_ESP, show_child, "show-sa esp" },
	{ "show-sa", "ah", 0, 0, IPPROTO_AH, show_child, "show-sa ah" },
	{ "establish-sa", "isakmp", 3, 3, 0, establish_sa,
	  "establish-sa isakmp inet|inet6 SRC DST" },
	{ "delete-sa", "isakmp", 3, 3, 0, delete_sa,
	  "delete-sa isakmp inet|inet6 SRC DST" },
	{ "flush-sa", "isakmp", 0, 0, 0, flush_isakmp, "flush-sa isakmp" },
	{ "flush-sa", "ipsec", 0, 0, 0, flush_ipsec, "flush-sa ipsec" },
};
#define NVERBS	(sizeof(verbs) / sizeof(verbs[0]))

static void help(const struct ikd_ctl_env *env, const struct verb *v,
		 const char *const *argv, bool json, struct ikd_ctl_out *o)
{
	(void)env;
	(void)v;
	(void)argv;
	(void)json;
	ikd_ctl_printf(o, "OK\n");
	for (size_t i = 0; i < NVERBS; i++)
		ikd_ctl_printf(o, "%s\n", verbs[i].usage);
}

void ikd_ctl_run(const struct ikd_ctl_env *env, const struct ikd_ctl_req *req,
		 struct ikd_ctl_out *o)
{
	const struct verb *known = NULL;

	for (size_t i = 0; i < NVERBS; i++) {
		const struct verb *v = &verbs[i];
		unsigned int words = v->w2 ? 2 : 1, nargs;

		if (strcmp(req->argv[0], v->w1))
			continue;
		known = v;
		if (v->w2 && (req->argc < 2 || strcmp(req->argv[1], v->w2)))
			continue;
		nargs = req->argc - words;
		if (nargs < v->min || nargs > v->max) {
			ikd_ctl_error(o, IKD_CTL_E_USAGE, "usage: %s", v->usage);
			return;
		}
		v->fn(env, v, req->argv + words, req->json, o);
		return;
	}
	if (known)
		ikd_ctl_error(o, IKD_CTL_E_USAGE, "unknown %s \"%s\"; try "
			      "\"help\"", known->w1,
			      req->argc > 1 ? req->argv[1] : "");
	else
		ikd_ctl_error(o, IKD_CTL_E_USAGE, "unknown verb \"%s\"; try "
			      "\"help\"", req->argv[0]);
}
