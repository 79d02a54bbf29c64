// SPDX-License-Identifier: BSD-2-Clause
/*
 * What ikdctl shows: IKE SAs, child SAs (with the kernel's byte and packet
 * counts) and the engine's counters, as text for people and as JSON for
 * programs (jansson, as DESIGN.md asks: no hand-built JSON strings).
 *
 * JSON conventions (docs/ikdctl.8): 64-bit IKE SPIs are 16-digit hex
 * strings (JSON numbers lose precision above 2^53); child SPIs are numbers
 * in host order, as setkey prints them in decimal; times are Unix seconds
 * or null; a peer's identity is text with every byte outside printable
 * ASCII as \xNN, so it is valid UTF-8 whatever the peer sent.
 */
#include "ctl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <jansson.h>

#include "ike_msg.h"

#define ID_TEXT_MAX	(4 * IKE_ID_MAX + 8)

struct show {
	const struct ikd_ctl_env *env;
	struct ikd_ctl_out *o;
	json_t *list;		/* JSON: the array; NULL: text */
	uint8_t proto;		/* child SAs of this protocol only; 0: all */
	unsigned int n;
	/* The IKE SA whose child SAs come next (foreach's order). */
	char peer[4 * IKE_CFG_NAME_MAX];	/* shown as name_text() */
	struct ikd_addr local, remote;
};

/* ---- values ---------------------------------------------------------------- */

static const char *id_value(const struct ike_id *id, char *buf, size_t cap)
{
	size_t n = 0;

	buf[0] = '\0';
	if ((id->type == IKE_ID_IPV4_ADDR && id->len == 4) ||
	    (id->type == IKE_ID_IPV6_ADDR && id->len == 16)) {
		inet_ntop(id->type == IKE_ID_IPV4_ADDR ? AF_INET : AF_INET6,
			  id->data, buf, (socklen_t)cap);
		return buf;
	}
	if (id->type == IKE_ID_FQDN || id->type == IKE_ID_RFC822_ADDR)
		return ikd_ctl_printable(id->data, id->len, buf, cap);
	for (size_t i = 0; i < id->len && n + 3 <= cap; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%02x", id->data[i]);
	return buf;
}

/* A configuration name as it may be shown (and be valid UTF-8 in JSON). */
static const char *name_text(const char *name, char *buf, size_t cap)
{
	return ikd_ctl_printable((const uint8_t *)name, strlen(name), buf, cap);
}

static const char *id_type(const struct ike_id *id)
{
	return id->type ? ike_id_type_name(id->type) : "none";
}

/* Unix time of monotonic @ms, 0 for 0. */
static time_t wall_time(const struct ikd_ctl_env *env, uint64_t ms)
{
	uint64_t now = env->timers->now(env->timers);

	if (!ms)
		return 0;
	return time(NULL) - (time_t)((now > ms ? now - ms : 0) / 1000);
}

static const char *time_text(time_t t, char *buf, size_t cap)
{
	struct tm tm;

	if (!t || !localtime_r(&t, &tm) ||
	    !strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, cap, "-");
	return buf;
}

static json_t *json_time(time_t t)
{
	return t ? json_integer((json_int_t)t) : json_null();
}

static json_t *json_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static const char *sel_text(const struct ikd_addr *a, unsigned int plen,
			    char *buf, size_t cap)
{
	char s[IKD_ADDR_STRLEN];

	if (a->port)
		snprintf(buf, cap, "%s/%u[%u]", ikd_addr_str(a, false, s), plen,
			 a->port);
	else
		snprintf(buf, cap, "%s/%u", ikd_addr_str(a, false, s), plen);
	return buf;
}

/* Appends the JSON text of @v (consumed) to the reply. */
static void put_json(struct ikd_ctl_out *o, json_t *v)
{
	char *s = v ? json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;

	if (s)
		ikd_ctl_printf(o, "%s\n", s);
	else
		ikd_ctl_error(o, IKD_CTL_E_FAILED, "out of memory");
	free(s);
	json_decref(v);
}

/* ---- IKE SAs ------------------------------------------------------------- */

static json_t *ike_json(const struct show *sh, const struct ike_sa_info *i,
			time_t est, time_t exp)
{
	char l[IKD_ADDR_STRLEN], r[IKD_ADDR_STRLEN], si[17], sr[17];
	char mi[ID_TEXT_MAX], pi[ID_TEXT_MAX], nb[4 * IKE_CFG_NAME_MAX];

	(void)sh;
	snprintf(si, sizeof(si), "%016" PRIx64, i->spi_i);
	snprintf(sr, sizeof(sr), "%016" PRIx64, i->spi_r);
	return json_pack("{s:s, s:i, s:s, s:i, s:s, s:i, s:s, s:s, s:b, s:s, "
			 "s:o, s:o, s:o, s:o, s:s, s:s, s:s, s:s, s:o, s:o, "
			 "s:I, s:i}",
			 "name", name_text(i->peer, nb, sizeof(nb)),
			 "version", (int)i->version,
			 "local", ikd_addr_str(&i->local, false, l),
			 "local_port", i->local.port,
			 "remote", ikd_addr_str(&i->remote, false, r),
			 "remote_port", i->remote.port,
			 "spi_i", si, "spi_r", sr,
			 "initiator", i->initiator,
			 "state", i->state,
			 "encr", json_str_or_null(i->encr),
			 "integ", json_str_or_null(i->integ),
			 "prf", json_str_or_null(i->prf),
			 "dh", json_str_or_null(i->dh),
			 "local_id_type", id_type(i->my_id),
			 "local_id", id_value(i->my_id, mi, sizeof(mi)),
			 "remote_id_type", id_type(i->peer_id),
			 "remote_id", id_value(i->peer_id, pi, sizeof(pi)),
			 "established", json_time(est),
			 "expires", json_time(exp),
			 "lifetime", (json_int_t)i->lifetime_secs,
			 "child_sas", (int)i->nchild);
}

static void ike_text(struct show *sh, const struct ike_sa_info *i, time_t est,
		     time_t exp)
{
	struct ikd_ctl_out *o = sh->o;
	char l[IKD_ADDR_STRLEN], r[IKD_ADDR_STRLEN], a[32], b[32];
	char mi[ID_TEXT_MAX], pi[ID_TEXT_MAX], nb[4 * IKE_CFG_NAME_MAX];

	ikd_ctl_printf(o, "IKE SA \"%s\": %s <=> %s, %s, %s, IKEv%u\n",
		       name_text(i->peer, nb, sizeof(nb)),
		       ikd_addr_str(&i->local, true, l),
		       ikd_addr_str(&i->remote, true, r), i->state,
		       i->initiator ? "initiator" : "responder", i->version);
	ikd_ctl_printf(o, "  spi %016" PRIx64 ":%016" PRIx64 "\n", i->spi_i,
		       i->spi_r);
	ikd_ctl_printf(o, "  id %s %s <=> %s %s\n", id_type(i->my_id),
		       id_value(i->my_id, mi, sizeof(mi)), id_type(i->peer_id),
		       id_value(i->peer_id, pi, sizeof(pi)));
	ikd_ctl_printf(o, "  %s/%s/%s/%s\n", i->encr ? i->encr : "-",
		       i->integ ? i->integ : "-", i->prf ? i->prf : "-",
		       i->dh ? i->dh : "-");
	ikd_ctl_printf(o, "  established %s, expires %s, %u child SA%s\n",
		       time_text(est, a, sizeof(a)), time_text(exp, b, sizeof(b)),
		       i->nchild, i->nchild == 1 ? "" : "s");
}

static int ike_cb(void *arg, const struct ike_sa_info *i)
{
	struct show *sh = arg;
	time_t est = wall_time(sh->env, i->established_ms);
	time_t exp = est ? est + (time_t)i->lifetime_secs : 0;

	sh->n++;
	if (sh->list) {
		json_t *v = ike_json(sh, i, est, exp);

		return v ? json_array_append_new(sh->list, v) : -ENOMEM;
	}
	ike_text(sh, i, est, exp);
	return 0;
}

void ikd_ctl_show_ike(const struct ikd_ctl_env *env, bool json,
		      struct ikd_ctl_out *o)
{
	struct show sh = { .env = env, .o = o };

	ikd_ctl_printf(o, "OK\n");
	if (json && !(sh.list = json_array())) {
		ikd_ctl_error(o, IKD_CTL_E_FAILED, "out of memory");
		return;
	}
	if (ike_engine_foreach(env->engine, ike_cb, NULL, &sh)) {
		json_decref(sh.list);
		ikd_ctl_error(o, IKD_CTL_E_FAILED, "out of memory");
		return;
	}
	if (json)
		put_json(o, json_pack("{s:o}", "ike_sas", sh.list));
	else if (!sh.n)
		ikd_ctl_printf(o, "no IKE SA\n");
}

/* ---- child SAs ----------------------------------------------------------- */

static int remember_sa(void *arg, const struct ike_sa_info *i)
{
	struct show *sh = arg;

	name_text(i->peer, sh->peer, sizeof(sh->peer));
	sh->local = i->local;
	sh->remote = i->remote;
	sh->local.port = sh->remote.port = 0;
	return 0;
}

/* One direction's SA endpoints: a kipsec interface's, or the IKE SA's. */
static void sa_ends(const struct show *sh, const struct ike_child_info *i,
		    bool in, const struct ikd_addr **src,
		    const struct ikd_addr **dst)
{
	const struct ikd_addr *l = i->ifname ? i->sa_local : &sh->local;
	const struct ikd_addr *r = i->ifname ? i->sa_remote : &sh->remote;

	*src = in ? r : l;
	*dst = in ? l : r;
}

/* The kernel's counts of one direction; false when it has no such SA. */
static bool sa_use(const struct show *sh, const struct ike_child_info *i,
		   bool in, struct ikd_sa_use *u)
{
	struct ikd_kernel *k = sh->env->kernel;
	uint32_t spi = in ? i->spi_in : i->spi_out;
	const struct ikd_addr *src, *dst;

	memset(u, 0, sizeof(*u));
	if (!k || !spi || strcmp(i->state, "installed"))
		return false;
	sa_ends(sh, i, in, &src, &dst);
	return !k->ops->sa_use(k, i->proto, spi, src, dst, u);
}

static json_t *child_json(const struct show *sh, const struct ike_child_info *i,
			  time_t est, time_t exp)
{
	struct ikd_sa_use in, out;
	bool have_in = sa_use(sh, i, true, &in);
	bool have_out = sa_use(sh, i, false, &out);
	char si[17], sr[17], l[IKD_ADDR_STRLEN], r[IKD_ADDR_STRLEN];
	char lt[IKD_ADDR_STRLEN + 16], rt[IKD_ADDR_STRLEN + 16];

	snprintf(si, sizeof(si), "%016" PRIx64, i->ike_spi_i);
	snprintf(sr, sizeof(sr), "%016" PRIx64, i->ike_spi_r);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:I, "
			 "s:I, s:o, s:o, s:i, s:b, s:s, s:s, s:i, s:o, s:o, "
			 "s:I, s:o, s:o, s:o, s:o}",
			 "name", sh->peer,
			 "ike_spi_i", si, "ike_spi_r", sr,
			 "local", ikd_addr_str(&sh->local, false, l),
			 "remote", ikd_addr_str(&sh->remote, false, r),
			 "proto", i->proto == IPPROTO_AH ? "ah" : "esp",
			 "mode", i->mode == IKD_MODE_TUNNEL ? "tunnel" : "transport",
			 "reqid", (json_int_t)i->reqid,
			 "state", i->state,
			 "spi_in", (json_int_t)ntohl(i->spi_in),
			 "spi_out", (json_int_t)ntohl(i->spi_out),
			 "encr", json_str_or_null(i->encr),
			 "integ", json_str_or_null(i->integ),
			 "encr_keybits", (int)i->encr_keybits,
			 "esn", i->esn,
			 "local_ts", sel_text(&i->sel.src, i->sel.src_plen, lt, sizeof(lt)),
			 "remote_ts", sel_text(&i->sel.dst, i->sel.dst_plen, rt, sizeof(rt)),
			 "ts_proto", (int)i->sel.proto,
			 "established", json_time(est),
			 "expires", json_time(exp),
			 "hard_lifetime", (json_int_t)i->hard_secs,
			 "bytes_in", have_in ? json_integer((json_int_t)in.bytes) : json_null(),
			 "packets_in", have_in ? json_integer((json_int_t)in.packets) : json_null(),
			 "bytes_out", have_out ? json_integer((json_int_t)out.bytes) : json_null(),
			 "packets_out", have_out ? json_integer((json_int_t)out.packets) : json_null());
}

static void child_dir_text(struct show *sh, const struct ike_child_info *i,
			   bool in)
{
	char s[IKD_ADDR_STRLEN], d[IKD_ADDR_STRLEN];
	uint32_t spi = ntohl(in ? i->spi_in : i->spi_out);
	const struct ikd_addr *src, *dst;
	struct ikd_sa_use u;

	sa_ends(sh, i, in, &src, &dst);
	ikd_ctl_printf(sh->o, "  %-3s spi 0x%08x (%u) %s -> %s", in ? "in" : "out",
		       spi, spi, ikd_addr_str(src, false, s),
		       ikd_addr_str(dst, false, d));
	if (sa_use(sh, i, in, &u))
		ikd_ctl_printf(sh->o, ", %" PRIu64 " bytes, %" PRIu64 " packets",
			       u.bytes, u.packets);
	ikd_ctl_printf(sh->o, "\n");
}

static void child_text(struct show *sh, const struct ike_child_info *i,
		       time_t est, time_t exp)
{
	char lt[IKD_ADDR_STRLEN + 16], rt[IKD_ADDR_STRLEN + 16], a[32], b[32];

	ikd_ctl_printf(sh->o, "CHILD SA \"%s\": %s/%s reqid %u, %s, %s%s%sIKE SA "
		       "%016" PRIx64 ":%016" PRIx64 "\n", sh->peer,
		       i->proto == IPPROTO_AH ? "ah" : "esp",
		       i->mode == IKD_MODE_TUNNEL ? "tunnel" : "transport",
		       i->reqid, i->state, i->ifname ? "interface " : "",
		       i->ifname ? i->ifname : "", i->ifname ? ", " : "",
		       i->ike_spi_i, i->ike_spi_r);
	child_dir_text(sh, i, true);
	child_dir_text(sh, i, false);
	ikd_ctl_printf(sh->o, "  %s%s%s, esn %s\n", i->encr ? i->encr : "-",
		       i->integ ? "/" : "", i->integ ? i->integ : "",
		       i->esn ? "yes" : "no");
	if (i->sel.proto && i->sel.proto != 255)
		snprintf(a, sizeof(a), "%u", i->sel.proto);
	else
		snprintf(a, sizeof(a), "any");
	ikd_ctl_printf(sh->o, "  %s === %s, proto %s\n",
		       sel_text(&i->sel.src, i->sel.src_plen, lt, sizeof(lt)),
		       sel_text(&i->sel.dst, i->sel.dst_plen, rt, sizeof(rt)), a);
	ikd_ctl_printf(sh->o, "  established %s, expires %s\n",
		       time_text(est, a, sizeof(a)), time_text(exp, b, sizeof(b)));
}

static int child_cb(void *arg, const struct ike_child_info *i)
{
	struct show *sh = arg;
	time_t est = wall_time(sh->env, i->established_ms);
	time_t exp = est && i->hard_secs ? est + (time_t)i->hard_secs : 0;

	if (sh->proto && i->proto != sh->proto)
		return 0;
	if (i->peer) {
		name_text(i->peer, sh->peer, sizeof(sh->peer));
		sh->local = *i->local;
		sh->remote = *i->remote;
	}
	sh->n++;
	if (sh->list) {
		json_t *v = child_json(sh, i, est, exp);

		if (v && i->ifname &&
		    json_object_set_new(v, "interface", json_string(i->ifname))) {
			json_decref(v);
			v = NULL;
		}
		return v ? json_array_append_new(sh->list, v) : -ENOMEM;
	}
	child_text(sh, i, est, exp);
	return 0;
}

void ikd_ctl_show_child(const struct ikd_ctl_env *env, bool json,
			uint8_t proto, struct ikd_ctl_out *o)
{
	struct show sh = { .env = env, .o = o, .proto = proto };

	ikd_ctl_printf(o, "OK\n");
	if (json && !(sh.list = json_array())) {
		ikd_ctl_error(o, IKD_CTL_E_FAILED, "out of memory");
		return;
	}
	if (ike_engine_foreach(env->engine, remember_sa, child_cb, &sh)) {
		json_decref(sh.list);
		ikd_ctl_error(o, IKD_CTL_E_FAILED, "out of memory");
		return;
	}
	if (json)
		put_json(o, json_pack("{s:o}", "child_sas", sh.list));
	else if (!sh.n)
		ikd_ctl_printf(o, "no child SA\n");
}

/* ---- counters ------------------------------------------------------------ */

static const char *const exchange_names[IKE_STATS_NEXCH] = {
	"IKE_SA_INIT", "IKE_AUTH", "CREATE_CHILD_SA", "INFORMATIONAL",
};

static json_t *stats_json(const struct ike_stats *s)
{
	json_t *ex = json_object();

	for (int i = 0; ex && i < IKE_STATS_NEXCH; i++)
		json_object_set_new(ex, exchange_names[i],
				    json_pack("{s:I, s:I}",
					      "rx", (json_int_t)s->rx_exchange[i],
					      "tx", (json_int_t)s->tx_exchange[i]));
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, "
			 "s:{s:I, s:I, s:I, s:I}, s:I, s:{s:I, s:I, s:I, s:I}}",
			 "rx", (json_int_t)s->rx,
			 "rx_dropped", (json_int_t)s->rx_dropped,
			 "tx", (json_int_t)s->tx,
			 "retransmits", (json_int_t)s->retransmits,
			 "ike_established", (json_int_t)s->ike_established,
			 "ike_failed", (json_int_t)s->ike_failed,
			 "child_established", (json_int_t)s->child_established,
			 "child_failed", (json_int_t)s->child_failed,
			 "exchanges", ex ? ex : json_null(),
			 "failures",
			 "no_proposal_chosen", (json_int_t)s->fail_no_proposal,
			 "authentication_failed", (json_int_t)s->fail_auth,
			 "ts_unacceptable", (json_int_t)s->fail_ts,
			 "timeout", (json_int_t)s->fail_timeout,
			 "cookies_sent", (json_int_t)s->cookies_sent,
			 "fragments",
			 "sent", (json_int_t)s->frag_tx,
			 "received", (json_int_t)s->frag_rx,
			 "reassembled", (json_int_t)s->frag_reassembled,
			 "dropped", (json_int_t)s->frag_dropped);
}

void ikd_ctl_show_stats(const struct ike_stats *s, bool json,
			struct ikd_ctl_out *o)
{
	ikd_ctl_printf(o, "OK\n");
	if (json) {
		put_json(o, stats_json(s));
		return;
	}
	ikd_ctl_printf(o, "messages: %" PRIu64 " received (%" PRIu64
		       " dropped), %" PRIu64 " sent, %" PRIu64
		       " retransmissions\n", s->rx, s->rx_dropped, s->tx,
		       s->retransmits);
	for (int i = 0; i < IKE_STATS_NEXCH; i++)
		ikd_ctl_printf(o, "  %-16s %" PRIu64 " received, %" PRIu64
			       " sent\n", exchange_names[i], s->rx_exchange[i],
			       s->tx_exchange[i]);
	ikd_ctl_printf(o, "IKE SAs: %" PRIu64 " established, %" PRIu64
		       " failed\n", s->ike_established, s->ike_failed);
	ikd_ctl_printf(o, "child SAs: %" PRIu64 " established, %" PRIu64
		       " failed\n", s->child_established, s->child_failed);
	ikd_ctl_printf(o, "failures: %" PRIu64 " no proposal chosen, %" PRIu64
		       " authentication failed, %" PRIu64 " TS unacceptable, %"
		       PRIu64 " timed out\n", s->fail_no_proposal, s->fail_auth,
		       s->fail_ts, s->fail_timeout);
	ikd_ctl_printf(o, "cookies sent: %" PRIu64 "\n", s->cookies_sent);
	ikd_ctl_printf(o, "fragments: %" PRIu64 " sent, %" PRIu64 " received, %"
		       PRIu64 " reassembled, %" PRIu64 " dropped\n", s->frag_tx,
		       s->frag_rx, s->frag_reassembled, s->frag_dropped);
}
