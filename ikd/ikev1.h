/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IKEv1 (RFC 2409 over ISAKMP, RFC 2408): what the rest of ikd calls.
 * Main and Aggressive Mode with pre-shared keys, then Quick Mode for the
 * kernel's ACQUIREs (see docs/ikd-internals.md, "IKEv1").
 *
 * The IKEv1 SAs live in the same struct ike_engine as the IKEv2 ones and
 * use its environment (send, psk, timers, limits); a datagram whose
 * version byte is ISAKMP_VERSION (0x10) is the IKEv1 engine's.
 */
#ifndef IKD_IKEV1_H
#define IKD_IKEV1_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "ike.h"

/* True when @buf is an IKEv1 datagram (major version 1). */
static inline bool ikev1_is_v1(const uint8_t *buf, size_t len)
{
	return len > 17 && (buf[17] & 0xf0) == 0x10;
}

/* A datagram from @remote to @local; everything is checked, malformed
 * or unexpected input is logged once and dropped. */
void ikev1_receive(struct ike_engine *e, const struct ikd_addr *local,
		   const struct ikd_addr *remote, const uint8_t *buf,
		   size_t len);

/* Starts phase 1 with @peer (ike_version 1) in its first exchange mode.
 * 0, -EALREADY (one is under way or established with @remote), -EPERM
 * (passive), -EINVAL (no usable proposal), or another -errno. */
int ikev1_initiate(struct ike_engine *e, const struct ike_peer_cfg *peer,
		   const struct ikd_addr *local, const struct ikd_addr *remote);

/* Quick Mode for @acq over the established ISAKMP SA with acq->dst:
 * 0, -ENOENT (none, or no sainfo), -ENOTSUP (PFS), or -errno. */
int ikev1_qm_initiate(struct ike_engine *e, const struct ikd_acquire *acq);

/* An ACQUIRE for @peer (ike_version 1): Quick Mode over an established
 * ISAKMP SA, else queued on one being set up or a new phase 1. 0,
 * -EALREADY (carried or being negotiated already), -EPERM (passive),
 * -ENOENT (no sainfo), -ENOSPC (queue full) or another -errno. */
int ikev1_acquire(struct ike_engine *e, const struct ikd_acquire *acq,
		  const struct ike_peer_cfg *peer);

/* The kernel's EXPIRE, if it is about an IPsec SA of IKEv1's: true.
 * Soft: our SA pair is negotiated anew; hard: the pair goes. */
bool ikev1_expire(struct ike_engine *e, const struct ikd_expire *exp);

/* DELETE for every IPsec SA and ISAKMP SA, our SAs and generated
 * policies out of the kernel, everything freed (ike_engine_shutdown()). */
void ikev1_shutdown(struct ike_engine *e);

/* ike_engine_foreach() for IKEv1: every ISAKMP SA, then every IPsec SA
 * pair (ikev1_show.c). */
int ikev1_foreach(struct ike_engine *e,
		  int (*sa_cb)(void *arg, const struct ike_sa_info *),
		  int (*child_cb)(void *arg, const struct ike_child_info *),
		  void *arg);

/* Frees every IKEv1 SA without telling anyone (ike_engine_free()). */
void ikev1_free_all(struct ike_engine *e);

#endif /* IKD_IKEV1_H */
