/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ikd's one kernel interface (DESIGN.md, "ikd, the key daemon"): all that
 * ikd asks of the kernel's IPsec engine and all it hears from it, as
 * strongSwan's kernel_ipsec_t. kernel_pfkey.c implements it on libpfkey
 * (kipsec.ko, or within its limits Linux's af_key); the unit tests put a
 * fake behind it. Nothing else in ikd knows PF_KEY.
 *
 * Algorithms are named by their IKEv2 transform ids (RFC 7296 3.3.2, IANA
 * "IKEv2 Transform Type 1/3" registries), which are also the ESP transform
 * ids IKEv1 uses; the implementation maps them to the kernel's.
 */
#ifndef IKD_KERNEL_H
#define IKD_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "addr.h"

enum ikd_mode {
	IKD_MODE_TRANSPORT = 1,
	IKD_MODE_TUNNEL = 2,
};

enum ikd_dir {
	IKD_DIR_IN = 1,
	IKD_DIR_OUT = 2,
	IKD_DIR_FWD = 3,
};

/* IPcomp transform ids (RFC 7296 3.3.2 notify IPCOMP_SUPPORTED, RFC 2407). */
#define IKD_IPCOMP_DEFLATE	2

/* One SA as ikd installs it. Pointers are borrowed for the call. */
struct ikd_kernel_sa {
	uint8_t proto;			/* IPPROTO_ESP, IPPROTO_AH, IPPROTO_COMP */
	uint8_t mode;			/* enum ikd_mode */
	uint32_t spi;			/* network order; a CPI in the low 16 bits */
	struct ikd_addr src, dst;	/* outer endpoints; ports unused */
	uint32_t reqid;			/* 0: none */
	uint32_t seq;			/* ACQUIRE's sequence number, or 0 */
	uint16_t encr;			/* IKEv2 ENCR_* id, 0 for AH and IPcomp */
	uint16_t encr_keybits;		/* key size without salt (AES: 128...) */
	uint16_t integ;			/* IKEv2 AUTH_* id, 0 for AEAD */
	uint16_t comp;			/* IKD_IPCOMP_*, for IPcomp */
	const uint8_t *enc_key;		/* with the salt for GCM and ChaCha20 */
	size_t enc_key_len;
	const uint8_t *auth_key;
	size_t auth_key_len;
	bool esn;			/* extended sequence numbers */
	uint32_t replay_window;		/* packets; 0: none */
	/* Lifetimes; 0: none. */
	uint64_t soft_bytes, hard_bytes;
	uint64_t soft_secs, hard_secs;
	/* ESP in UDP (RFC 3948): ports in host order, 0 when not used. */
	uint16_t encap_sport, encap_dport;
	struct ikd_addr natt_oa;	/* original address, family 0: none */
	/* The traffic it carries, where the kernel keeps one. */
	struct ikd_sel sel;
};

/* A request of an IPsec policy (one transform of a bundle). */
struct ikd_kernel_req {
	uint8_t proto;			/* IPPROTO_ESP, _AH, _COMP */
	uint8_t mode;			/* enum ikd_mode */
	uint8_t level;			/* IPSEC_LEVEL_* of <linux/ipsec.h> */
	uint32_t reqid;
	struct ikd_addr tsrc, tdst;	/* tunnel endpoints (tunnel mode) */
};

#define IKD_KERNEL_MAX_REQS	4

struct ikd_kernel_policy {
	uint32_t id;			/* the kernel's, 0 for a new one */
	uint8_t dir;			/* enum ikd_dir */
	uint8_t action;			/* IPSEC_POLICY_* of <linux/ipsec.h> */
	uint32_t priority;
	struct ikd_sel sel;
	unsigned int nreqs;
	struct ikd_kernel_req req[IKD_KERNEL_MAX_REQS];
};

/*
 * The kernel found no SA for a packet: @pol is the outbound policy that
 * wants one (fetched by id), @src/@dst the SA's endpoints, @proto/@mode/
 * @reqid the request without an SA. Pass @seq back with the getspi of the
 * negotiation it starts.
 */
struct ikd_acquire {
	uint32_t seq;
	uint8_t proto, mode;
	uint32_t reqid;
	struct ikd_addr src, dst;
	struct ikd_kernel_policy pol;
	struct ikd_sel flow;		/* the packet's, where the kernel says */
};

/* A kipsec interface (include/kipsec/if_kipsec.h): its SAs are ESP in
 * tunnel mode from local to remote with its reqid. */
struct ikd_kif {
	struct ikd_addr local, remote;	/* ports 0 */
	uint32_t reqid;
};

struct ikd_expire {
	bool hard;
	uint8_t proto;
	uint32_t spi;			/* network order */
	struct ikd_addr src, dst;
	uint64_t bytes;			/* used so far */
};

struct ikd_kernel_events {
	void (*acquire)(void *arg, const struct ikd_acquire *acq);
	void (*expire)(void *arg, const struct ikd_expire *exp);
	void *arg;
};

struct ikd_sa_use {
	uint64_t bytes, packets;
	uint64_t added, last_used;	/* Unix seconds; 0: never */
};

struct ikd_kernel;

/*
 * Every operation returns 0 or a negative errno, and is logged once by the
 * caller. An implementation is single-threaded: ikd calls it from its
 * event loop, and it calls the events back from dispatch().
 */
struct ikd_kernel_ops {
	const char *name;
	/* Open the interface and register for ESP, AH and IPcomp events. */
	int (*open)(struct ikd_kernel *k, const struct ikd_kernel_events *ev);
	void (*close)(struct ikd_kernel *k);
	/* A descriptor to poll for events, or -1; then dispatch() reads them.
	 * Call dispatch() once after open() too: events that came while it
	 * registered may be waiting. */
	int (*fd)(struct ikd_kernel *k);
	int (*dispatch)(struct ikd_kernel *k);
	/* A larval inbound SA from @src to @dst (this host); *spi in network order. */
	int (*getspi)(struct ikd_kernel *k, uint8_t proto, uint8_t mode,
		      const struct ikd_addr *src, const struct ikd_addr *dst,
		      uint32_t reqid, uint32_t seq, uint32_t *spi);
	/* Completes a getspi's larval SA (inbound). */
	int (*update_sa)(struct ikd_kernel *k, const struct ikd_kernel_sa *sa);
	/* Adds an SA (outbound, or inbound without getspi). */
	int (*add_sa)(struct ikd_kernel *k, const struct ikd_kernel_sa *sa);
	/* Optional (NULL: cannot). The NAT-T ports of an installed SA to
	 * sa->encap_sport/dport; only proto, spi, src and dst are read
	 * besides (a NAT gave the peer another port, RFC 7296 2.23). */
	int (*update_encap)(struct ikd_kernel *k,
			    const struct ikd_kernel_sa *sa);
	int (*del_sa)(struct ikd_kernel *k, uint8_t proto, uint32_t spi,
		      const struct ikd_addr *src, const struct ikd_addr *dst);
	int (*sa_use)(struct ikd_kernel *k, uint8_t proto, uint32_t spi,
		      const struct ikd_addr *src, const struct ikd_addr *dst,
		      struct ikd_sa_use *use);
	/* Calls @cb for every policy of the SPD, in the kernel's order. */
	int (*spd_dump)(struct ikd_kernel *k,
			int (*cb)(void *arg, const struct ikd_kernel_policy *p),
			void *arg);
	int (*spd_get)(struct ikd_kernel *k, uint32_t id,
		       struct ikd_kernel_policy *out);
	/* Adds @p and sets p->id to the kernel's id (generate_policy). */
	int (*spd_add)(struct ikd_kernel *k, struct ikd_kernel_policy *p);
	int (*spd_del)(struct ikd_kernel *k, uint32_t id);
	/* Optional (NULL: none). The kipsec interface @name as it is now
	 * (interfaces come and go: never cached): 0, -ENODEV when there is
	 * no such interface, -EMEDIUMTYPE when it is of another kind. */
	int (*kif_get)(struct ikd_kernel *k, const char *name,
		       struct ikd_kif *out);
};

/* Each implementation embeds this first in its own state. */
struct ikd_kernel {
	const struct ikd_kernel_ops *ops;
	struct ikd_kernel_events ev;
};

/* kernel_pfkey.c */
struct ikd_kernel *ikd_kernel_pfkey_new(void);
/* kernel_reqid.c: the reqid for our inbound SA of @proto in @mode whose
 * outbound twin has @out_reqid and selector @out (src ours): that of the
 * inbound policy mirroring @out when its request is at the unique level,
 * else @out_reqid (0 below unique). */
uint32_t ikd_kernel_in_reqid(struct ikd_kernel *k, const struct ikd_sel *out,
			     uint8_t proto, uint8_t mode, uint32_t out_reqid);
void ikd_kernel_free(struct ikd_kernel *k);
/* kernel_kif.c: what a kif_get() error means, for logs. */
const char *ikd_kif_strerror(int err);
/* The ACQUIRE @kif raises for a packet routed into it without an SA
 * (include/kipsec/if_kipsec.h): ESP, tunnel, its reqid, policy id 0. */
void ikd_kif_acquire(const struct ikd_kif *kif, struct ikd_acquire *a);
/* kernel_kif.c: kif_get over rtnetlink (setkey/ifnl.h). */
int ikd_kernel_kif_get(struct ikd_kernel *k, const char *name,
		       struct ikd_kif *out);

#endif /* IKD_KERNEL_H */
