// SPDX-License-Identifier: BSD-2-Clause
/*
 * NAT traversal (RFC 7296 2.23, RFC 3948).
 *
 * IKE_SA_INIT carries NAT_DETECTION_SOURCE_IP and _DESTINATION_IP: SHA-1
 * of the header's SPIs, an address and a port. Each side compares the
 * peer's source hash with the address the message came from (no match:
 * the peer is behind a NAT) and the destination hash with the address it
 * arrived at (no match: we are). If either is, the initiator moves IKE to
 * port 4500 from IKE_AUTH on, the responder answers wherever requests
 * come from, and child SAs carry ESP in UDP between the IKE SA's ports.
 * `nat_traversal force` sends a source hash that cannot match, so the
 * peer sees a NAT and both sides encapsulate (strongSwan's encap=yes).
 *
 * The side behind a NAT keeps the mapping open with one-byte keepalives;
 * when the NAT gives the peer a new address or port anyway, its next
 * authentic message moves the IKE SA and its child SAs there (only
 * when the peer is behind a NAT, as 2.23 says).
 */
#include "ike_int.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <arpa/inet.h>

#include "log.h"

int ike_natt_hash(uint64_t spi_i, uint64_t spi_r, const struct ikd_addr *a,
		  uint8_t out[IKE_SHA1_LEN])
{
	uint8_t buf[8 + 8 + 16 + 2];
	size_t alen = a->family == AF_INET6 ? 16 : 4, n = 0;

	for (int i = 7; i >= 0; i--)
		buf[n++] = (uint8_t)(spi_i >> (8 * i));
	for (int i = 7; i >= 0; i--)
		buf[n++] = (uint8_t)(spi_r >> (8 * i));
	memcpy(buf + n, a->bytes, alen);
	n += alen;
	buf[n++] = (uint8_t)(a->port >> 8);
	buf[n++] = (uint8_t)a->port;
	return ike_sha1(buf, n, out);
}

bool ike_natt_wanted(const struct ike_sa *sa)
{
	/* kipsec.ko (as RFC 3948's users mostly) carries ESP in UDP for
	 * IPv4 only: over IPv6 we behave as `off`, so that no peer ever
	 * expects it of us. */
	if (sa->cfg->nat_traversal == IKE_NATT_OFF ||
	    sa->remote.family != AF_INET)
		return false;
	/* As responder, only to a peer that sent them (2.23). */
	return sa->initiator || sa->natt.peer_supports;
}

void ike_natt_build(struct ike_sa *sa, struct ike_builder *b, uint64_t spi_i,
		    uint64_t spi_r)
{
	uint8_t src[IKE_SHA1_LEN], dst[IKE_SHA1_LEN];

	if (!ike_natt_wanted(sa))
		return;
	/* force: a source hash nothing can match, so the peer sees a NAT. */
	if (sa->cfg->nat_traversal == IKE_NATT_FORCE ?
	    ike_random(src, sizeof(src)) :
	    ike_natt_hash(spi_i, spi_r, &sa->local, src))
		return;
	if (ike_natt_hash(spi_i, spi_r, &sa->remote, dst))
		return;
	ike_build_notify(b, 0, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP, src,
			 sizeof(src));
	ike_build_notify(b, 0, NULL, 0, IKE_N_NAT_DETECTION_DESTINATION_IP,
			 dst, sizeof(dst));
}

/* Whether one of @m's notifies of @type carries the hash of @a. The
 * source may come several times (one per address of a multihomed peer,
 * 2.23); a notify of the wrong length matches nothing. */
static bool natd_match(const struct ike_msg *m, uint16_t type,
		       const struct ikd_addr *a, unsigned int *count)
{
	uint8_t want[IKE_SHA1_LEN];
	bool match = false;

	*count = 0;
	if (ike_natt_hash(m->spi_i, m->spi_r, a, want))
		return false;
	for (unsigned int i = 0; i < m->nnotify; i++) {
		const struct ike_notify_pl *n = &m->notify[i];

		if (n->type != type)
			continue;
		(*count)++;
		if (n->data.len == IKE_SHA1_LEN &&
		    !memcmp(n->data.ptr, want, IKE_SHA1_LEN))
			match = true;
	}
	return match;
}

static void keepalive(void *arg);

static void arm_keepalive(struct ike_sa *sa)
{
	struct ikd_timers *t = sa->eng->env.timers;

	if (!sa->natt.local_behind || !sa->cfg->natt_keepalive_secs ||
	    !sa->eng->env.keepalive)
		return;
	t->cancel(t, sa->natt.ka_timer);
	sa->natt.ka_timer = t->add(t, (uint64_t)sa->cfg->natt_keepalive_secs *
				   1000, keepalive, sa);
}

/* RFC 3948 2.3: only the side behind the NAT needs them; unanswered. */
static void keepalive(void *arg)
{
	struct ike_sa *sa = arg;

	sa->natt.ka_timer = NULL;
	if (sa->state == IKE_ST_DEAD || sa->state == IKE_ST_DELETING)
		return;
	if (sa->local.port == IKE_NATT_PORT)
		sa->eng->env.keepalive(sa->eng->env.arg, &sa->local,
				       &sa->remote);
	arm_keepalive(sa);
}

/* The initiator moves to port 4500 for everything after IKE_SA_INIT. */
static void float_ports(struct ike_sa *sa)
{
	char lb[IKD_ADDR_STRLEN], rb[IKD_ADDR_STRLEN];

	if (!sa->initiator || sa->local.port == IKE_NATT_PORT)
		return;
	sa->local.port = IKE_NATT_PORT;
	sa->remote.port = IKE_NATT_PORT;
	log_info("NAT-T: IKE moves to %s-%s",
		 ikd_addr_str(&sa->local, true, lb),
		 ikd_addr_str(&sa->remote, true, rb));
}

void ike_natt_check(struct ike_sa *sa, const struct ike_msg *m)
{
	char rb[IKD_ADDR_STRLEN];
	unsigned int nsrc, ndst;
	bool src_ok, dst_ok;

	if (sa->cfg->nat_traversal == IKE_NATT_OFF ||
	    sa->remote.family != AF_INET)
		return;
	src_ok = natd_match(m, IKE_N_NAT_DETECTION_SOURCE_IP, &sa->remote,
			    &nsrc);
	dst_ok = natd_match(m, IKE_N_NAT_DETECTION_DESTINATION_IP, &sa->local,
			    &ndst);
	ikd_addr_str(&sa->remote, true, rb);
	if (!nsrc || !ndst) {
		log_info("%s sent no NAT_DETECTION notifies: no NAT traversal "
			 "with this peer", rb);
		return;
	}
	sa->natt.peer_supports = true;
	sa->natt.remote_behind = !src_ok;
	sa->natt.local_behind = !dst_ok;
	sa->natt.encap = !src_ok || !dst_ok ||
			 sa->cfg->nat_traversal == IKE_NATT_FORCE;
	if (!dst_ok)
		log_notify("NAT detected: this host is behind a NAT (towards %s)",
			   rb);
	/* Or it forces NAT-T: from here the two look the same. */
	if (!src_ok)
		log_notify("NAT detected: the peer %s is behind a NAT", rb);
	if (src_ok && dst_ok)
		log_info("no NAT between us and %s%s", rb,
			 sa->natt.encap ? "; NAT-T forced" : "");
	if (sa->natt.encap)
		float_ports(sa);
	arm_keepalive(sa);
}

/* Whether every selector of @pl is the same single address of @af. */
static bool one_host(const struct ike_ts_pl *pl, sa_family_t af)
{
	size_t n = af == AF_INET6 ? 16 : 4;
	uint8_t type = af == AF_INET6 ? IKE_TS_IPV6_ADDR_RANGE :
		       IKE_TS_IPV4_ADDR_RANGE;

	if (!pl->nts)
		return false;
	for (unsigned int i = 0; i < pl->nts; i++)
		if (pl->ts[i].type != type ||
		    memcmp(pl->ts[i].start, pl->ts[i].end, n) ||
		    memcmp(pl->ts[i].start, pl->ts[0].start, n))
			return false;
	return true;
}

/* @pl's address becomes @a's (ports and protocols stay); the one it had
 * goes to *@orig. False when @pl is not a host-to-host list. */
static bool substitute(struct ike_ts_pl *pl, const struct ikd_addr *a,
		       struct ikd_addr *orig, const char *whose)
{
	size_t n = a->family == AF_INET6 ? 16 : 4;
	char ob[IKD_ADDR_STRLEN], nb[IKD_ADDR_STRLEN];

	if (!one_host(pl, a->family))
		return false;
	ikd_addr_zero(orig);
	orig->family = a->family;
	memcpy(orig->bytes, pl->ts[0].start, n);
	for (unsigned int i = 0; i < pl->nts; i++) {
		memcpy(pl->ts[i].start, a->bytes, n);
		memcpy(pl->ts[i].end, a->bytes, n);
	}
	if (!ikd_addr_eq_noport(orig, a))
		log_info("NAT-T: transport mode: %s selectors name %s, taken "
			 "as %s (RFC 7296 2.23.1)", whose,
			 ikd_addr_str(orig, false, ob),
			 ikd_addr_str(a, false, nb));
	return true;
}

/*
 * Transport mode across a NAT (2.23.1): each side names its own address
 * in the selectors, from before the NAT, which means nothing to the
 * other side. So the addresses of the selectors for a side behind a NAT
 * are replaced with the IKE SA's (the responder's before it narrows
 * against its SPD, the initiator's in the answer before it checks it),
 * and SAs and policies get the addresses the packets carry. Only a
 * host-to-host list is replaced; anything wider is left as it came.
 * The peer's original address is its NAT-OA (RFC 3948 4.2).
 */
void ike_natt_transport_ts(const struct ike_sa *sa, struct ike_ts_pl *local,
			   struct ike_ts_pl *remote, struct ikd_addr *peer_oa)
{
	struct ikd_addr orig;

	ikd_addr_zero(peer_oa);
	if (!sa->natt.encap)
		return;
	if (sa->natt.local_behind)
		substitute(local, &sa->local, &orig, "our");
	/* The kernel fixes the checksum's source address with the NAT-OA
	 * (kernel/decap.c); when our own address was translated too, the
	 * fix would be half done, so none is given and the checksum goes
	 * unchecked (the ESP ICV protected it), as Linux does. */
	if (sa->natt.remote_behind &&
	    substitute(remote, &sa->remote, &orig, "the peer's") &&
	    !ikd_addr_eq_noport(&orig, &sa->remote) && !sa->natt.local_behind)
		*peer_oa = orig;
}

void ike_natt_child_sa(const struct ike_sa *sa, struct ikd_kernel_sa *in,
		       struct ikd_kernel_sa *out)
{
	if (!sa->natt.encap || in->proto != IPPROTO_ESP)
		return;
	in->encap_sport = sa->remote.port;
	in->encap_dport = sa->local.port;
	out->encap_sport = sa->local.port;
	out->encap_dport = sa->remote.port;
}

bool ike_natt_may_move(const struct ike_sa *sa)
{
	return sa->natt.remote_behind && sa->state == IKE_ST_ESTABLISHED;
}

/*
 * The kernel SAs of every installed child to the IKE SA's new ports.
 * A NAT that only picked another port (the usual case) is followed in
 * place; a new address would change the outbound SA's key in the SAD,
 * which no PF_KEY UPDATE can do: those children keep the old one
 * (logged) until they are negotiated again.
 */
static void move_children(struct ike_sa *sa, const struct ikd_addr *old)
{
	struct ikd_kernel *k = sa->eng->env.kernel;

	if (!ikd_addr_eq_noport(old, &sa->remote) || !k->ops->update_encap) {
		log_warn("NAT-T: the CHILD_SAs of remote \"%s\" cannot follow "
			 "the peer: %s", sa->cfg->name, k->ops->update_encap ?
			 "its address changed, not only its port" :
			 "the kernel interface cannot change NAT-T ports");
		return;
	}
	for (struct ike_child *c = sa->children; c; c = c->next) {
		struct ikd_kernel_sa in = { 0 }, out = { 0 };
		int err = 0;

		if (c->state != CHILD_ST_INSTALLED || c->proto != IPPROTO_ESP)
			continue;
		in.proto = out.proto = c->proto;
		in.spi = c->spi_in;
		in.src = sa->remote;
		in.dst = sa->local;
		out.spi = c->spi_out;
		out.src = sa->local;
		out.dst = sa->remote;
		ike_natt_child_sa(sa, &in, &out);
		in.src.port = in.dst.port = out.src.port = out.dst.port = 0;
		if (c->in_installed)
			err = k->ops->update_encap(k, &in);
		if (!err && c->out_installed)
			err = k->ops->update_encap(k, &out);
		if (err)
			log_error("NAT-T: cannot move CHILD_SA spi=0x%08x/0x%08x "
				  "to the peer's new port: %s", ntohl(c->spi_in),
				  ntohl(c->spi_out), strerror(-err));
	}
}

void ike_natt_follow(struct ike_sa *sa, const struct ikd_addr *local,
		     const struct ikd_addr *remote)
{
	char ob[IKD_ADDR_STRLEN], nb[IKD_ADDR_STRLEN], lb[IKD_ADDR_STRLEN];
	struct ikd_addr old = sa->remote;

	if (ikd_addr_eq(&sa->remote, remote) && ikd_addr_eq(&sa->local, local))
		return;
	/* The IKE_AUTH request of an initiator that moved to port 4500;
	 * or a peer behind a NAT whose mapping changed (2.23). Otherwise
	 * the addresses stay: a message from elsewhere gets nothing. */
	if (sa->state != IKE_ST_INIT_R && !ike_natt_may_move(sa))
		return;
	ike_sa_set_remote(sa, remote);
	sa->local = *local;
	ikd_addr_str(&old, true, ob);
	ikd_addr_str(remote, true, nb);
	if (sa->state == IKE_ST_INIT_R) {
		log_info("NAT-T: IKE_AUTH from %s to %s: the IKE SA continues "
			 "there", nb, ikd_addr_str(local, true, lb));
		return;
	}
	log_notify("NAT-T: peer of IKE SA %016" PRIx64 ":%016" PRIx64
		   " (remote \"%s\") moved from %s to %s: updating its "
		   "CHILD_SAs", sa->spi_i, sa->spi_r, sa->cfg->name, ob, nb);
	move_children(sa, &old);
}

void ike_natt_inherit(struct ike_sa *to, const struct ike_sa *from)
{
	to->natt = from->natt;
	to->natt.ka_timer = NULL;
	arm_keepalive(to);
}

void ike_natt_stop(struct ike_sa *sa)
{
	struct ikd_timers *t = sa->eng->env.timers;

	t->cancel(t, sa->natt.ka_timer);
	sa->natt.ka_timer = NULL;
}
