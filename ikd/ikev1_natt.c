// SPDX-License-Identifier: BSD-2-Clause
/*
 * NAT traversal for IKEv1: RFC 3947, and the drafts racoon also sends
 * (draft-ietf-ipsec-nat-t-ike-02, the same name hashed with a newline,
 * and -03), which differ only in numbers: NAT-D is payload 130 instead
 * of 20, NAT-OA 131 instead of 21, and the UDP encapsulation modes are
 * 61443/61444 instead of 3/4.
 *
 *   MM1/MM2  vendor IDs: the initiator sends all four, the responder
 *            answers with the best it also got
 *   MM3/MM4  NAT-D: hash(CKY-I | CKY-R | IP | port) with the negotiated
 *            hash, first the address the message goes to, then ours
 *   MM5 on   port 4500 with the non-ESP marker when a NAT is seen
 *   (Aggressive Mode: vendor IDs in AM1/AM2, NAT-D in AM2/AM3, AM3 on
 *   port 4500.)
 *
 * A peer's first NAT-D payload that does not hash our address means we
 * are behind a NAT; none of the others hashing its address means it is.
 * `nat_traversal force` makes our own hash unmatchable, so that both
 * sides see a NAT and encapsulate, as ike_natt.c does for IKEv2. Quick
 * Mode then offers and takes only the UDP encapsulation modes, and the
 * kernel SAs carry ESP in UDP between the ISAKMP SA's ports (RFC 3948);
 * in transport mode NAT-OA payloads give each side the other's address
 * from before the NAT, for the kernel's checksum fix.
 * The side behind a NAT sends keepalives (natt_keepalive) while its
 * ISAKMP SA lives; when the NAT gives the peer another port, its next
 * authentic message moves the ISAKMP SA and the IPsec SAs it made.
 */
#include "ikev1_int.h"

#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

#include "log.h"

#define VID_LEN	16

/* MD5 of each variant's name, by enum ikev1_natt_ver. */
static const uint8_t vids[][VID_LEN] = {
	[V1_NATT_DRAFT02] = { 0xcd, 0x60, 0x46, 0x43, 0x35, 0xdf, 0x21, 0xf8,
			      0x7c, 0xfd, 0xb2, 0xfc, 0x68, 0xb6, 0xa4, 0x48 },
	[V1_NATT_DRAFT02N] = { 0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e,
			       0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f },
	[V1_NATT_DRAFT03] = { 0x7d, 0x94, 0x19, 0xa6, 0x53, 0x10, 0xca, 0x6f,
			      0x2c, 0x17, 0x9d, 0x92, 0x15, 0x52, 0x9d, 0x56 },
	[V1_NATT_RFC] = { 0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
			  0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f },
};

static const char *const ver_names[] = {
	[V1_NATT_NONE] = "none",
	[V1_NATT_DRAFT02] = "draft-ietf-ipsec-nat-t-ike-02",
	[V1_NATT_DRAFT02N] = "draft-ietf-ipsec-nat-t-ike-02\\n",
	[V1_NATT_DRAFT03] = "draft-ietf-ipsec-nat-t-ike-03",
	[V1_NATT_RFC] = "RFC 3947",
};

/* kipsec.ko carries ESP in UDP for IPv4 only (as ike_natt.c says). */
static bool configured(const struct ikev1_sa *sa)
{
	return sa->cfg.nat_traversal != IKE_NATT_OFF &&
	       sa->remote.family == AF_INET;
}

static bool rfc(const struct ikev1_sa *sa)
{
	return sa->natt.ver == V1_NATT_RFC;
}

void ikev1_natt_add_vids(const struct ikev1_sa *sa, struct isakmp_builder *b)
{
	if (!configured(sa))
		return;
	if (!sa->initiator) {
		if (sa->natt.ver)
			isakmp_build_data(b, ISAKMP_PL_VID,
					  vids[sa->natt.ver], VID_LEN);
		return;
	}
	for (int v = V1_NATT_RFC; v > V1_NATT_NONE; v--)
		isakmp_build_data(b, ISAKMP_PL_VID, vids[v], VID_LEN);
}

void ikev1_natt_note_vid(struct ikev1_sa *sa, const struct isakmp_pl *v)
{
	if (v->body.len != VID_LEN)
		return;
	for (int i = V1_NATT_DRAFT02; i <= V1_NATT_RFC; i++) {
		if (memcmp(v->body.ptr, vids[i], VID_LEN))
			continue;
		sa->natt.peer_vids |= (uint8_t)(1 << i);
		/* The responder's answer names what both speak; the
		 * initiator's offer, the best of those it sent. */
		if (configured(sa) && i > sa->natt.ver) {
			sa->natt.ver = (uint8_t)i;
			log_debug("peer speaks NAT-T %s", ver_names[i]);
		}
	}
}

static uint8_t natd_type(const struct ikev1_sa *sa)
{
	return rfc(sa) ? ISAKMP_PL_NAT_D : ISAKMP_PL_NAT_D_DRAFT;
}

static int natd_hash(const struct ikev1_sa *sa, const struct ikd_addr *a,
		     uint8_t *out)
{
	return ikev1_natd_hash(ikev1_hash_prf(sa->ch.hash), sa->cky_i,
			       sa->cky_r, a->bytes, 4, a->port, out);
}

void ikev1_natt_add_natd(struct ikev1_sa *sa, struct isakmp_builder *b)
{
	const struct ike_prf_info *prf = ikev1_hash_prf(sa->ch.hash);
	uint8_t dst[IKE_MAX_PRF], src[IKE_MAX_PRF];

	if (!sa->natt.ver || !configured(sa) || !prf)
		return;
	if (natd_hash(sa, &sa->remote, dst))
		return;
	/* force: a hash of ours nothing matches, so the peer sees a NAT. */
	if (sa->cfg.nat_traversal == IKE_NATT_FORCE ?
	    ike_random(src, prf->outlen) : natd_hash(sa, &sa->local, src))
		return;
	isakmp_build_data(b, natd_type(sa), dst, prf->outlen);
	isakmp_build_data(b, natd_type(sa), src, prf->outlen);
}

/* Whether NAT-D payload @pl hashes @a; a payload of the wrong length
 * matches nothing (logged). */
static bool natd_match(const struct ikev1_sa *sa, const struct isakmp_pl *pl,
		       unsigned int i, const struct ikd_addr *a)
{
	const struct ike_prf_info *prf = ikev1_hash_prf(sa->ch.hash);
	uint8_t want[IKE_MAX_PRF];
	bool ok;

	if (pl->body.len != prf->outlen) {
		log_warn("NAT-D payload #%u has %zu bytes, not the %u of the "
			 "negotiated hash", i, pl->body.len, prf->outlen);
		return false;
	}
	ok = !natd_hash(sa, a, want) &&
	     !memcmp(pl->body.ptr, want, prf->outlen);
	if (ok)
		log_debug("NAT-D payload #%u verified", i);
	else
		log_info("NAT-D payload #%u doesn't match", i);
	return ok;
}

void ikev1_natt_check(struct ikev1_sa *sa, const struct isakmp_msg *m)
{
	/* The addresses of the datagram at hand: AM3 came to port 4500. */
	const struct ikd_addr *local = sa->natt.rx_local.family ?
				       &sa->natt.rx_local : &sa->local;
	const struct ikd_addr *remote = sa->natt.rx_remote.family ?
					&sa->natt.rx_remote : &sa->remote;
	const struct isakmp_pl *pl = NULL;
	char rb[IKD_ADDR_STRLEN];
	bool me = false, peer = false;
	unsigned int n = 0;

	if (!sa->natt.ver || !configured(sa) || sa->natt.checked ||
	    !ikev1_hash_prf(sa->ch.hash))
		return;
	ikd_addr_str(&sa->remote, true, rb);
	while ((pl = isakmp_msg_find(m, natd_type(sa), pl))) {
		/* The first names us; any other may name the peer. */
		if (n == 0)
			me = natd_match(sa, pl, n, local);
		else if (!peer)
			peer = natd_match(sa, pl, n, remote);
		n++;
	}
	if (n < 2) {
		log_info("%s sent %s NAT-D payload: no NAT traversal with it",
			 rb, n ? "one" : "no");
		sa->natt.ver = V1_NATT_NONE;
		return;
	}
	sa->natt.checked = true;
	sa->natt.local_behind = !me;
	sa->natt.remote_behind = !peer;
	sa->natt.encap = !me || !peer ||
			 sa->cfg.nat_traversal == IKE_NATT_FORCE;
	if (!me || !peer)
		log_notify("NAT detected: %s%s(%s with %s)", me ? "" : "ME ",
			   peer ? "" : "PEER ", ver_names[sa->natt.ver], rb);
	else
		log_info("NAT not detected with %s%s", rb, sa->natt.encap ?
			 ": NAT-T forced" : "");
}

void ikev1_natt_float(struct ikev1_sa *sa)
{
	char lb[IKD_ADDR_STRLEN], rb[IKD_ADDR_STRLEN];

	if (!sa->natt.encap || !sa->initiator ||
	    sa->local.port == IKE_NATT_PORT)
		return;
	sa->local.port = IKE_NATT_PORT;
	sa->remote.port = IKE_NATT_PORT;
	log_info("NAT-T: floating ports to %s-%s",
		 ikd_addr_str(&sa->local, true, lb),
		 ikd_addr_str(&sa->remote, true, rb));
}

void ikev1_natt_rx(struct ikev1_sa *sa, const struct ikd_addr *local,
		   const struct ikd_addr *remote)
{
	sa->natt.rx_local = *local;
	sa->natt.rx_remote = *remote;
}

/*
 * The IPsec SAs this ISAKMP SA made to the peer's new port. A new
 * address would change the outbound SA's key in the SAD, which no
 * PF_KEY UPDATE can do: those keep the old one (logged) until Quick
 * Mode renews them. Older ISAKMP SAs' IPsec SAs do not follow either.
 */
static void move_children(struct ikev1_sa *sa, const struct ikd_addr *old)
{
	struct ikd_kernel *k = sa->eng->env.kernel;

	if (!ikd_addr_eq_noport(old, &sa->remote) || !k->ops->update_encap) {
		log_warn("NAT-T: the IPsec-SAs with %s cannot follow the "
			 "peer: %s", sa->cfg.name, k->ops->update_encap ?
			 "its address changed, not only its port" :
			 "the kernel interface cannot change NAT-T ports");
		return;
	}
	for (struct ikev1_child *c = sa->eng->v1_children; c; c = c->next) {
		struct ikd_kernel_sa in = { .proto = c->proto },
				     out = { .proto = c->proto };
		int err;

		if (c->proto != IPPROTO_ESP ||
		    memcmp(c->cky_i, sa->cky_i, IKEV1_COOKIE_LEN) ||
		    memcmp(c->cky_r, sa->cky_r, IKEV1_COOKIE_LEN))
			continue;
		in.spi = c->spi_in;
		in.src = c->remote;
		in.dst = c->local;
		in.encap_sport = sa->remote.port;
		in.encap_dport = sa->local.port;
		out.spi = c->spi_out;
		out.src = c->local;
		out.dst = c->remote;
		out.encap_sport = sa->local.port;
		out.encap_dport = sa->remote.port;
		err = k->ops->update_encap(k, &in);
		if (!err)
			err = k->ops->update_encap(k, &out);
		if (err)
			log_error("NAT-T: cannot move IPsec-SA spi=0x%08x/"
				  "0x%08x to the peer's new port: %s",
				  ntohl(c->spi_in), ntohl(c->spi_out),
				  strerror(-err));
	}
}

void ikev1_natt_follow(struct ikev1_sa *sa)
{
	const struct ikd_addr *local = &sa->natt.rx_local;
	const struct ikd_addr *remote = &sa->natt.rx_remote;
	char ob[IKD_ADDR_STRLEN], nb[IKD_ADDR_STRLEN], lb[IKD_ADDR_STRLEN];
	struct ikd_addr old = sa->remote;
	bool established = sa->state == V1_ESTABLISHED;

	if (!sa->natt.encap || !remote->family ||
	    (ikd_addr_eq(&sa->remote, remote) && ikd_addr_eq(&sa->local, local)))
		return;
	/* Once phase 1 is over, only a peer behind a NAT may move: anyone
	 * else's authentic message from elsewhere is answered where the
	 * SA says (RFC 3947 7: no following without need). */
	if (established && !sa->natt.remote_behind)
		return;
	sa->remote = *remote;
	sa->local = *local;
	ikd_addr_str(&old, true, ob);
	ikd_addr_str(remote, true, nb);
	if (!established) {
		log_info("NAT-T: ports floated: %s-%s", ikd_addr_str(local, true,
			 lb), nb);
		return;
	}
	log_notify("NAT-T: peer of ISAKMP-SA with %s moved from %s to %s: "
		   "updating its IPsec-SAs", sa->cfg.name, ob, nb);
	move_children(sa, &old);
}

static void keepalive(void *arg);

static void arm_keepalive(struct ikev1_sa *sa)
{
	struct ikd_timers *t = sa->eng->env.timers;

	t->cancel(t, sa->natt.ka_timer);
	sa->natt.ka_timer = NULL;
	if (!sa->natt.local_behind || !sa->cfg.natt_keepalive_secs ||
	    !sa->eng->env.keepalive)
		return;
	sa->natt.ka_timer = t->add(t, (uint64_t)sa->cfg.natt_keepalive_secs *
				   1000, keepalive, sa);
}

/* RFC 3948 2.3: from the side behind the NAT, unanswered. */
static void keepalive(void *arg)
{
	struct ikev1_sa *sa = arg;

	sa->natt.ka_timer = NULL;
	if (sa->state != V1_ESTABLISHED)
		return;
	if (sa->local.port == IKE_NATT_PORT)
		sa->eng->env.keepalive(sa->eng->env.arg, &sa->local,
				       &sa->remote);
	arm_keepalive(sa);
}

void ikev1_natt_established(struct ikev1_sa *sa)
{
	arm_keepalive(sa);
}

void ikev1_natt_stop(struct ikev1_sa *sa)
{
	struct ikd_timers *t = sa->eng->env.timers;

	t->cancel(t, sa->natt.ka_timer);
	sa->natt.ka_timer = NULL;
}

/* --- Quick Mode ----------------------------------------------------------- */

uint16_t ikev1_natt_encap_attr(const struct ikev1_sa *sa, uint8_t mode)
{
	bool tunnel = mode == IKD_MODE_TUNNEL;

	if (!sa->natt.encap)
		return tunnel ? IPSEC_ENCAP_TUNNEL : IPSEC_ENCAP_TRANSPORT;
	if (rfc(sa))
		return tunnel ? IPSEC_ENCAP_UDP_TUNNEL :
				IPSEC_ENCAP_UDP_TRANSPORT;
	return tunnel ? IPSEC_ENCAP_UDP_TUNNEL_DRAFT :
			IPSEC_ENCAP_UDP_TRANSPORT_DRAFT;
}

bool ikev1_natt_encap_ok(const struct ikev1_sa *sa, uint16_t attr,
			 uint8_t *mode, bool *udp)
{
	*mode = IKD_MODE_TUNNEL;
	*udp = false;
	switch (attr) {
	case IPSEC_ENCAP_TRANSPORT:
		*mode = IKD_MODE_TRANSPORT;
		/* fall through */
	case 0:		/* RFC 2407 4.5: unspecified, tunnel as before */
	case IPSEC_ENCAP_TUNNEL:
		/* Across a NAT plain ESP would not pass it. */
		return !sa->natt.encap;
	case IPSEC_ENCAP_UDP_TRANSPORT:
	case IPSEC_ENCAP_UDP_TRANSPORT_DRAFT:
		*mode = IKD_MODE_TRANSPORT;
		/* fall through */
	case IPSEC_ENCAP_UDP_TUNNEL:
	case IPSEC_ENCAP_UDP_TUNNEL_DRAFT:
		*udp = true;
		return sa->natt.encap &&
		       attr == ikev1_natt_encap_attr(sa, *mode);
	}
	return false;
}

static bool oa_wanted(const struct ikev1_qm_x *q)
{
	return q->sa->natt.encap && q->mode == IKD_MODE_TRANSPORT &&
	       q->proto == IPPROTO_ESP;
}

/*
 * RFC 3947: NAT-OAi, the initiator's address, then NAT-OAr, the
 * responder's, each as the sender knows it (its own from before the NAT,
 * the peer's as the datagrams show it). The drafts: one NAT-OA, the
 * sender's own address.
 */
void ikev1_natt_add_oa(const struct ikev1_qm_x *q, struct isakmp_builder *b)
{
	const struct ikev1_sa *sa = q->sa;
	const struct ikd_addr *i = q->initiator ? &sa->local : &sa->remote;
	const struct ikd_addr *r = q->initiator ? &sa->remote : &sa->local;

	if (!oa_wanted(q))
		return;
	if (!rfc(sa)) {
		isakmp_build_nat_oa(b, ISAKMP_PL_NAT_OA_DRAFT, sa->local.bytes, 4);
		return;
	}
	isakmp_build_nat_oa(b, ISAKMP_PL_NAT_OA, i->bytes, 4);
	isakmp_build_nat_oa(b, ISAKMP_PL_NAT_OA, r->bytes, 4);
}

void ikev1_natt_take_oa(struct ikev1_qm_x *q, const struct isakmp_msg *m)
{
	uint8_t type = rfc(q->sa) ? ISAKMP_PL_NAT_OA : ISAKMP_PL_NAT_OA_DRAFT;
	/* The peer's own: NAT-OAi from an initiator, NAT-OAr from a
	 * responder; the draft's only one. */
	unsigned int want = rfc(q->sa) && q->initiator ? 1 : 0, n = 0;
	const struct isakmp_pl *pl = NULL;
	struct isakmp_nat_oa oa;
	char ob[IKD_ADDR_STRLEN];

	ikd_addr_zero(&q->natt_oa);
	if (!oa_wanted(q))
		return;
	while ((pl = isakmp_msg_find(m, type, pl)) && n < want)
		n++;
	/* The codec checked each; an IPv6 one means nothing to IPv4 SAs. */
	if (!pl || isakmp_dec_nat_oa(pl, &oa, NULL) ||
	    oa.id_type != IPSEC_ID_IPV4_ADDR || oa.addr.len != 4) {
		log_info("Quick Mode M-ID 0x%08x: no usable NAT-OA from the "
			 "peer", q->msgid);
		return;
	}
	q->natt_oa.family = AF_INET;
	memcpy(q->natt_oa.bytes, oa.addr.ptr, 4);
	log_info("NAT-OA: the peer's original address is %s",
		 ikd_addr_str(&q->natt_oa, false, ob));
}

void ikev1_natt_kernel_sa(const struct ikev1_sa *sa,
			  const struct ikev1_qm_x *q,
			  struct ikd_kernel_sa *in, struct ikd_kernel_sa *out)
{
	if (!sa->natt.encap || q->proto != IPPROTO_ESP)
		return;
	in->encap_sport = sa->remote.port;
	in->encap_dport = sa->local.port;
	out->encap_sport = sa->local.port;
	out->encap_dport = sa->remote.port;
	/* The kernel fixes the inbound checksums with it; when our own
	 * address was translated too the fix would be half done, so none
	 * (as ike_natt.c: the ESP ICV protected them). */
	if (q->natt_oa.family && sa->natt.remote_behind &&
	    !sa->natt.local_behind &&
	    !ikd_addr_eq_noport(&q->natt_oa, &sa->remote))
		in->natt_oa = q->natt_oa;
}
