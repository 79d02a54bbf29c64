// SPDX-License-Identifier: BSD-2-Clause
/*
 * Child SAs of kipsec interfaces (route-based tunnels, docs/ikd-guide.md):
 * a remote block with `interface NAME` has no SPD behind it. The kernel
 * picks the interface's SAs by its reqid (level unique), so its child SAs
 * carry any traffic, 0.0.0.0/0 and ::/0 both ways unless the block says
 * `interface NAME { local ...; remote ...; }` (the responder narrows the
 * peer's selectors to those), in tunnel mode between the interface's
 * endpoints, and no policy is read or installed. The
 * interface is asked for each time a child is made (ACQUIRE, the peer's
 * proposal, a rekey): it may have been recreated meanwhile.
 */
#include "ike_int.h"

#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

#include "log.h"

int ike_kif_get(struct ike_engine *e, const struct ike_peer_cfg *peer,
		struct ikd_kif *out)
{
	struct ikd_kernel *k = e->env.kernel;
	char a[IKD_ADDR_STRLEN], b[IKD_ADDR_STRLEN];
	int err = k->ops->kif_get ? k->ops->kif_get(k, peer->ifname, out) :
		  -EOPNOTSUPP;

	if (!err && (!out->reqid || !out->local.family ||
		     out->local.family != out->remote.family))
		err = -EINVAL;
	if (err) {
		log_error("remote \"%s\": interface %s: %s", peer->name,
			  peer->ifname, ikd_kif_strerror(err));
		return err;
	}
	out->local.port = out->remote.port = 0;
	if (peer->remote.family &&
	    !ikd_addr_eq_noport(&peer->remote, &out->remote))
		log_notify("remote \"%s\": interface %s goes to %s, not to the "
			   "IKE peer %s: its SAs take the interface's "
			   "endpoints",
			   peer->name, peer->ifname,
			   ikd_addr_str(&out->remote, false, a),
			   ikd_addr_str(&peer->remote, false, b));
	return 0;
}

/* The selectors of one side ([0] local, [1] remote): the block's, or
 * everything in both families, the interface's routes choosing. */
static unsigned int conf_ts(struct ike_ts *ts, const struct ike_peer_cfg *peer,
			    int side)
{
	struct ikd_addr any4 = { .family = AF_INET };
	struct ikd_addr any6 = { .family = AF_INET6 };
	unsigned int n = peer->n_kif_ts[side];

	_Static_assert(IKD_KIF_MAX_TS <= IKE_CHILD_MAX_TS, "selectors fit");
	if (!n) {
		ike_ts_from_sel(&ts[0], &any4, 0, 0, 0);
		ike_ts_from_sel(&ts[1], &any6, 0, 0, 0);
		return 2;
	}
	for (unsigned int i = 0; i < n; i++)
		ike_ts_from_sel(&ts[i], &peer->kif_ts[side][i].addr,
				peer->kif_ts[side][i].plen, 0, 0);
	return n;
}

static void take_kif(struct ike_child *c, const struct ike_peer_cfg *peer,
		     const struct ikd_kif *kif)
{
	memcpy(c->ifname, peer->ifname, sizeof(c->ifname));
	c->kif_local = kif->local;
	c->kif_remote = kif->remote;
	c->reqid = kif->reqid;
	/* The interface's reqid is both directions' (no inbound policy). */
	c->reqid_unique = false;
	c->proto = IPPROTO_ESP;
	c->mode = IKD_MODE_TUNNEL;
}

void ike_kif_child_init(struct ike_child *c, const struct ike_peer_cfg *peer,
			const struct ikd_kif *kif)
{
	take_kif(c, peer, kif);
	c->pol_id = 0;
	c->nlocal = (uint8_t)conf_ts(c->local_ts, peer, 0);
	c->nremote = (uint8_t)conf_ts(c->remote_ts, peer, 1);
}

int ike_kif_refresh(struct ike_sa *sa, struct ike_child *c)
{
	struct ikd_kif kif;
	int err = ike_kif_get(sa->eng, sa->cfg, &kif);

	if (!err)
		take_kif(c, sa->cfg, &kif);
	return err;
}

/* The peer's selectors @pl narrowed to side @side of the block (as many
 * as a child keeps); without selectors there, all of them. */
static uint8_t take_ts(struct ike_ts *out, const struct ike_ts_pl *pl,
		       const struct ike_peer_cfg *peer, int side)
{
	struct ike_ts mine[IKE_CHILD_MAX_TS];
	unsigned int nmine = conf_ts(mine, peer, side);
	uint8_t n = 0;

	for (unsigned int i = 0; i < pl->nts; i++)
		for (unsigned int j = 0; j < nmine && n < IKE_CHILD_MAX_TS; j++)
			if (ike_ts_intersect(&pl->ts[i], &mine[j], &out[n]))
				n++;
	return n;
}

int ike_kif_narrow(struct ike_sa *sa, struct ike_child *c,
		   const struct ike_ts_pl *tsi, const struct ike_ts_pl *tsr)
{
	struct ikd_kif kif;
	int err;

	if (c->mode != IKD_MODE_TUNNEL || c->proto != IPPROTO_ESP) {
		log_error("remote \"%s\": interface %s carries ESP in tunnel "
			  "mode only; the peer asks for %s in %s mode",
			  sa->cfg->name, sa->cfg->ifname,
			  c->proto == IPPROTO_AH ? "AH" : "ESP",
			  ike_mode_name(c->mode));
		return -ENOENT;
	}
	err = ike_kif_get(sa->eng, sa->cfg, &kif);
	if (err)
		return err;
	if (!tsi->nts || !tsr->nts)
		return -ENOENT;
	take_kif(c, sa->cfg, &kif);
	c->nremote = take_ts(c->remote_ts, tsi, sa->cfg, 1);
	c->nlocal = take_ts(c->local_ts, tsr, sa->cfg, 0);
	if (!c->nremote || !c->nlocal) {
		log_error("remote \"%s\": interface %s: the peer's selectors "
			  "lie outside the block's", sa->cfg->name,
			  sa->cfg->ifname);
		return -ENOENT;
	}
	return 0;
}

void ike_child_ends(const struct ike_sa *sa, const struct ike_child *c,
		    struct ikd_addr *local, struct ikd_addr *remote)
{
	*local = c->ifname[0] ? c->kif_local : sa->local;
	*remote = c->ifname[0] ? c->kif_remote : sa->remote;
	local->port = remote->port = 0;
}

bool ike_kif_wants(const struct ike_child *c, const struct ikd_acquire *acq)
{
	return c->ifname[0] && c->proto == acq->proto &&
	       (!acq->reqid || c->reqid == acq->reqid) &&
	       ikd_addr_eq_noport(&c->kif_local, &acq->src) &&
	       ikd_addr_eq_noport(&c->kif_remote, &acq->dst);
}

struct ike_child *ike_kif_child_by_expire(struct ike_sa *sa,
					  const struct ikd_expire *exp,
					  bool *inbound)
{
	for (struct ike_child *c = sa->children; c; c = c->next) {
		if (!c->ifname[0] || c->proto != exp->proto)
			continue;
		if (c->spi_in == exp->spi &&
		    ikd_addr_eq_noport(&exp->dst, &c->kif_local)) {
			*inbound = true;
			return c;
		}
		if (c->spi_out == exp->spi &&
		    ikd_addr_eq_noport(&exp->dst, &c->kif_remote)) {
			*inbound = false;
			return c;
		}
	}
	return NULL;
}
