/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kipsec extensions to PF_KEY v2 (RFC 2367) on top of Linux's ABI
 * (<linux/pfkeyv2.h>, <linux/ipsec.h>). Shared by kipsec.ko and userland;
 * docs/kipsec-extensions.md describes each item.
 *
 * Extension types are numbered above Linux's SADB_EXT_MAX (26) with a gap
 * so that Linux can grow without colliding; algorithm ids follow IANA's
 * ESP transform numbers where they do not collide with Linux's.
 */
#ifndef KIPSEC_PFKEY_EXT_H
#define KIPSEC_PFKEY_EXT_H

#include <linux/types.h>

/* First extension type kipsec owns; Linux's last one is 26. */
#define SADB_X_EXT_KIPSEC_BASE		32

/*
 * Per-SA parameters that sadb_sa cannot carry: struct sadb_x_kipsec_sa.
 * Accepted in ADD and UPDATE; returned in GET, DUMP and ADD/UPDATE replies
 * whenever it differs from the defaults.
 */
#define SADB_X_EXT_KIPSEC_SA		32

/* Highest extension type kipsec knows (parser array size - 1). */
#define SADB_X_EXT_KIPSEC_MAX		32

/* ChaCha20-Poly1305 for ESP (RFC 7634), IANA ESP transform 28; 288 key bits. */
#ifndef SADB_X_EALG_CHACHA20_POLY1305
#define SADB_X_EALG_CHACHA20_POLY1305	28
#endif

/*
 * KAME's sadb_sa_flags bits for ESP padding, sequence cycling and IPcomp
 * CPIs. Linux's header lacks them; ipsec-tools on Linux sends them anyway
 * and af_key ignores bits it does not know.
 */
#define SADB_X_EXT_CYCSEQ	0x0040	/* sequence number may wrap */
#define SADB_X_EXT_RAWCPI	0x0080	/* IPcomp: the SPI is a well-known CPI */
#define SADB_X_EXT_PSEQ		0x0000	/* ESP padding: sequential bytes */
#define SADB_X_EXT_PRAND	0x0100	/* ESP padding: random bytes */
#define SADB_X_EXT_PZERO	0x0200	/* ESP padding: zero bytes */
#define SADB_X_EXT_PMASK	0x0300

/* sadb_x_kipsec_sa_flags: the SA uses 64-bit extended sequence numbers. */
#define KIPSEC_SA_F_ESN			0x0001

/* All flags defined so far; others must be zero (EINVAL otherwise). */
#define KIPSEC_SA_F_ALL			KIPSEC_SA_F_ESN

/* Largest replay window, in packets (a bitmap of 8 KiB per SA). */
#define KIPSEC_REPLAY_MAX		65536

/*
 * struct sadb_x_kipsec_sa - kipsec's per-SA extension (16 bytes, no padding).
 * @sadb_x_kipsec_sa_len:     length in 64-bit words (2)
 * @sadb_x_kipsec_sa_exttype: SADB_X_EXT_KIPSEC_SA
 * @sadb_x_kipsec_sa_replay:  replay window in packets, 0..KIPSEC_REPLAY_MAX;
 *                            overrides sadb_sa_replay, which is a u8 and in
 *                            Linux's ABI counts packets (so at most 255)
 * @sadb_x_kipsec_sa_flags:   KIPSEC_SA_F_*
 * @sadb_x_kipsec_sa_icvbits: ICV length in bits for the authentication
 *                            algorithm; 0 means the RFC default (RFC 4868
 *                            for HMAC-SHA2: 128/192/256); 96 with
 *                            HMAC-SHA2-256 asks for the legacy truncation
 * @sadb_x_kipsec_sa_reserved: zero
 */
struct sadb_x_kipsec_sa {
	__u16 sadb_x_kipsec_sa_len;
	__u16 sadb_x_kipsec_sa_exttype;
	__u32 sadb_x_kipsec_sa_replay;
	__u16 sadb_x_kipsec_sa_flags;
	__u16 sadb_x_kipsec_sa_icvbits;
	__u32 sadb_x_kipsec_sa_reserved;
};

#endif /* KIPSEC_PFKEY_EXT_H */
