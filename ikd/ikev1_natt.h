/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAT traversal for IKEv1 (ikev1_natt.c): RFC 3947 and the drafts racoon
 * speaks, RFC 3948's ESP in UDP. Included by ikev1_int.h.
 */
#ifndef IKD_IKEV1_NATT_H
#define IKD_IKEV1_NATT_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

/* The variant in use, in our order of preference (higher better). */
enum ikev1_natt_ver {
	V1_NATT_NONE = 0,
	V1_NATT_DRAFT02,	/* draft-ietf-ipsec-nat-t-ike-02 */
	V1_NATT_DRAFT02N,	/* the same, its name hashed with a newline */
	V1_NATT_DRAFT03,	/* draft-ietf-ipsec-nat-t-ike-03 */
	V1_NATT_RFC,		/* RFC 3947 */
};

struct ikd_timer;

/* Per ISAKMP SA. */
struct ikev1_natt {
	uint8_t peer_vids;		/* 1 << enum ikev1_natt_ver, received */
	uint8_t ver;			/* chosen: the best both sent */
	bool checked;			/* the peer's NAT-D came */
	bool local_behind, remote_behind;
	bool encap;			/* ESP in UDP, IKE on port 4500 */
	/* Where the datagram being handled came from and to. */
	struct ikd_addr rx_local, rx_remote;
	struct ikd_timer *ka_timer;	/* keepalives, behind a NAT */
};

struct ikev1_sa;
struct ikev1_qm_x;
struct isakmp_builder;
struct isakmp_msg;
struct isakmp_pl;
struct ikd_kernel_sa;

/* Phase 1 */
/* Our NAT-T vendor IDs: all of them from the initiator, the chosen one
 * from the responder. */
void ikev1_natt_add_vids(const struct ikev1_sa *sa, struct isakmp_builder *b);
/* One of the peer's vendor IDs: noted if it is a NAT-T one. */
void ikev1_natt_note_vid(struct ikev1_sa *sa, const struct isakmp_pl *v);
/* NAT-D payloads (MM3/MM4, AM2/AM3) when NAT-T is negotiated. */
void ikev1_natt_add_natd(struct ikev1_sa *sa, struct isakmp_builder *b);
/* The peer's NAT-D payloads: who is behind a NAT (logged). */
void ikev1_natt_check(struct ikev1_sa *sa, const struct isakmp_msg *m);
/* The initiator moves to port 4500 when NAT-T is in use (MM5, AM3). */
void ikev1_natt_float(struct ikev1_sa *sa);
/* The datagram now handled came from @remote to @local. */
void ikev1_natt_rx(struct ikev1_sa *sa, const struct ikd_addr *local,
		   const struct ikd_addr *remote);
/* The datagram just authenticated came from elsewhere: the responder
 * follows an initiator that floated, anyone a peer behind a NAT whose
 * mapping changed (its IPsec SAs too). */
void ikev1_natt_follow(struct ikev1_sa *sa);
/* Phase 1 is done: keepalives if we are behind a NAT. */
void ikev1_natt_established(struct ikev1_sa *sa);
void ikev1_natt_stop(struct ikev1_sa *sa);

/* Quick Mode */
/* The Encapsulation Mode attribute for @mode (IKD_MODE_*). */
uint16_t ikev1_natt_encap_attr(const struct ikev1_sa *sa, uint8_t mode);
/* Whether @attr may be taken on @sa: the UDP modes only with NAT-T in
 * use, of the variant negotiated; *@mode and *@udp what it means. */
bool ikev1_natt_encap_ok(const struct ikev1_sa *sa, uint16_t attr,
			 uint8_t *mode, bool *udp);
/* NAT-OA payloads (RFC 3947 5.2) after the IDs of a transport mode
 * offer or answer in UDP. */
void ikev1_natt_add_oa(const struct ikev1_qm_x *q, struct isakmp_builder *b);
/* The peer's original address from @m's NAT-OA payloads into q->natt_oa
 * (logged); none, or a malformed one, leaves it unset. */
void ikev1_natt_take_oa(struct ikev1_qm_x *q, const struct isakmp_msg *m);
/* ESP in UDP between the ISAKMP SA's ports for @q's kernel SAs. */
void ikev1_natt_kernel_sa(const struct ikev1_sa *sa,
			  const struct ikev1_qm_x *q,
			  struct ikd_kernel_sa *in, struct ikd_kernel_sa *out);

#endif /* IKD_IKEV1_NATT_H */
