// SPDX-License-Identifier: BSD-2-Clause
/*
 * Which remote block a kipsec interface's ACQUIRE is for. The ACQUIRE
 * names no policy (id 0): only the interface's reqid and endpoints tell
 * it, so each block with `interface` has its interface looked up, as the
 * kernel has it now (interfaces are recreated), and compared.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "log.h"

static bool kif_matches(const struct ikd_kif *kif,
			const struct ikd_acquire *acq)
{
	return (!acq->reqid || acq->reqid == kif->reqid) &&
	       ikd_addr_eq_noport(&kif->local, &acq->src) &&
	       ikd_addr_eq_noport(&kif->remote, &acq->dst);
}

const struct ike_peer_cfg *ikd_config_peer_kif(struct ikd_config *c,
					       struct ikd_kernel *k,
					       const struct ikd_acquire *acq)
{
	char a[IKD_ADDR_STRLEN], b[IKD_ADDR_STRLEN];
	const struct ikd_remote *r;
	struct ikd_kif kif;
	struct ikd_diag d;
	int err;

	for (r = c->conf->remotes; r; r = r->next) {
		if (!r->ifname[0])
			continue;
		err = k->ops->kif_get ? k->ops->kif_get(k, r->ifname, &kif) :
		      -EOPNOTSUPP;
		if (err) {
			log_warn("interface %s (%s:%u): %s", r->ifname,
				 r->ifname_pos.file, r->ifname_pos.line,
				 ikd_kif_strerror(err));
			continue;
		}
		if (!kif_matches(&kif, acq))
			continue;
		ikd_diag_init(&d);
		err = r->ike_version == IKD_IKEV2 ?
		      ikd_config_remote_v2(c, r, &c->peer, &d) :
		      ikd_config_remote_v1(c, r, &c->peer);
		ikd_diag_free(&d);	/* checked at load */
		if (err)
			return NULL;
		if (!c->peer.remote.family)
			c->peer.remote = kif.remote;
		return &c->peer;
	}
	log_notify("ACQUIRE %s->%s reqid %u of a kipsec interface: no remote "
		   "block names an interface with these endpoints",
		   ikd_addr_str(&acq->src, false, a),
		   ikd_addr_str(&acq->dst, false, b), acq->reqid);
	return NULL;
}
