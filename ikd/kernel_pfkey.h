/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The message half of kernel_pfkey.c: ikd's kernel.h values to PF_KEY
 * messages and back, through libpfkey's builder and parser only. Pure (no
 * I/O, no state), so the unit tests check the bytes without a kernel.
 * kernel_pfkey.c adds the sockets.
 */
#ifndef IKD_KERNEL_PFKEY_H
#define IKD_KERNEL_PFKEY_H

#include <stdbool.h>
#include <stdint.h>
#include <kipsec/libpfkey.h>
#include "kernel.h"

/*
 * Largest SA message ikd builds: header, SA, 3 lifetimes, 3 IPv6
 * addresses, SA2, two keys of at most 64 bytes, kipsec's extension and
 * NAT-T; rounded up generously.
 */
#define IKD_PF_MSG_MAX	1024

/* What the kernel behind the socket is (kernel_pfkey.c finds out). */
enum ikd_pf_kernel { IKD_PF_AFKEY, IKD_PF_KIPSEC };

/* KAME's default SPI range, for kipsec and af_key alike; CPIs below 256
 * are well-known ones (RFC 3173). */
#define IKD_PF_SPI_MIN	0x100u
#define IKD_PF_SPI_MAX	0x0fffffffu
#define IKD_PF_CPI_MIN	0x100u
#define IKD_PF_CPI_MAX	0xffffu

/*
 * SADB_ADD or SADB_UPDATE for @sa. -EOPNOTSUPP for an algorithm PF_KEY
 * has no id for, or for what @kern cannot do as asked (af_key: AEAD,
 * ESN, replay windows above 32, HMAC-SHA2-256 with RFC 4868's 128 bits);
 * *why then names it (static text). -EINVAL for inconsistent input (key
 * lengths, families, encapsulation ports).
 */
int ikd_pf_build_sa(struct pfkey_buf *b, uint8_t type,
		    const struct ikd_kernel_sa *sa, enum ikd_pf_kernel kern,
		    uint32_t seq, uint32_t pid, const char **why);
int ikd_pf_build_getspi(struct pfkey_buf *b, uint8_t proto, uint8_t mode,
			const struct ikd_addr *src, const struct ikd_addr *dst,
			uint32_t reqid, uint32_t seq, uint32_t pid);
/* SADB_UPDATE of an installed SA with only its NAT-T extensions: new
 * encapsulation ports (kipsec.ko changes them in place). */
int ikd_pf_build_update_encap(struct pfkey_buf *b,
			      const struct ikd_kernel_sa *sa, uint32_t seq,
			      uint32_t pid);
/* SADB_GET or SADB_DELETE of one SA. */
int ikd_pf_build_sa_id(struct pfkey_buf *b, uint8_t type, uint8_t proto,
		       uint32_t spi, const struct ikd_addr *src,
		       const struct ikd_addr *dst, uint32_t seq, uint32_t pid);
int ikd_pf_build_spdadd(struct pfkey_buf *b,
			const struct ikd_kernel_policy *p, uint32_t seq,
			uint32_t pid);
/* SADB_X_SPDGET or SADB_X_SPDDELETE2 by policy id. */
int ikd_pf_build_spd_id(struct pfkey_buf *b, uint8_t type, uint32_t id,
			uint32_t seq, uint32_t pid);
int ikd_pf_build_register(struct pfkey_buf *b, uint8_t satype, uint32_t seq,
			  uint32_t pid);

/* A policy message (SPDGET/SPDADD reply, SPDDUMP entry). -EINVAL if it
 * has more requests than IKD_KERNEL_MAX_REQS or lacks its selector. */
int ikd_pf_parse_policy(const struct pfkey_msg *m,
			struct ikd_kernel_policy *out);
/* ACQUIRE's own fields (seq, proto, endpoints) and the policy id to
 * fetch; the caller fills acq->pol and then calls ikd_pf_acquire_pick. */
int ikd_pf_parse_acquire(const struct pfkey_msg *m, struct ikd_acquire *acq,
			 uint32_t *policy_id);
/* Picks the request of acq->pol the ACQUIRE is for (its protocol; in
 * tunnel mode its endpoints) into acq's proto/mode/reqid; -ENOENT if the
 * policy has none. */
int ikd_pf_acquire_pick(struct ikd_acquire *acq);
int ikd_pf_parse_expire(const struct pfkey_msg *m, struct ikd_expire *exp);
/* The current lifetime of a GET reply. */
int ikd_pf_parse_sa_use(const struct pfkey_msg *m, struct ikd_sa_use *use);
/* The SPI of a GETSPI reply (network order). */
int ikd_pf_parse_spi(const struct pfkey_msg *m, uint32_t *spi);

/* A policy id of a socket policy (IP_IPSEC_POLICY): not part of the SPD. */
static inline bool ikd_pf_is_socket_policy(uint32_t id)
{
	return (id & 7) >= 3;
}

#endif /* IKD_KERNEL_PFKEY_H */
