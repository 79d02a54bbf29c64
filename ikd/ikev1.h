/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IKEv1 (RFC 2409 over ISAKMP, RFC 2408): what the rest of ikd calls.
 * Phase 1 only so far (Main and Aggressive Mode with pre-shared keys):
 * the daemon does not feed it yet (see docs/ikd-internals.md, "IKEv1").
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

/* Frees every IKEv1 SA without telling anyone (ike_engine_free()). */
void ikev1_free_all(struct ike_engine *e);

#endif /* IKD_IKEV1_H */
