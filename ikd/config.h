/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The running configuration: racoon.conf (conf.h) and its psk.txt (psk.h),
 * loaded and checked together, and turned into what the IKE engine asks
 * for (ike.h): a `remote` block becomes a struct ike_peer_cfg, a `sainfo`
 * a struct ike_child_cfg, a psk.txt entry the key for an identity.
 *
 * A SIGHUP loads a new one beside the running one and swaps them only if
 * it loaded without error (all or nothing); the engine copies what it was
 * given, so SAs already up are not disturbed.
 */
#ifndef IKD_CONFIG_H
#define IKD_CONFIG_H

#include <stdbool.h>
#include "conf.h"
#include "ike.h"
#include "psk.h"

struct ikd_config {
	struct ikd_conf *conf;
	struct ikd_psk *psk;		/* NULL without `path pre_shared_key` */
	bool esn;			/* offer ESN (the kernel has it) */
	/* The engine's view of the last block asked for; valid until the
	 * next callback (ike.h allows that). */
	struct ike_peer_cfg peer;
	struct ike_child_cfg child;
};

/*
 * Loads @path, its includes and its psk.txt, and checks what the engine
 * cannot use (IKEv2 remote blocks with algorithms it lacks, say), with
 * every problem as FILE:LINE:COL in @d. @check_files adds the checks of
 * `ikd -n` (certificates, keys). 0 and *out, or -EINVAL with *out NULL.
 */
int ikd_config_load(const char *path, bool check_files,
		    struct ikd_config **out, struct ikd_diag *d);
void ikd_config_free(struct ikd_config *c);

/* Fills the engine's configuration callbacks of @env, @env->arg being
 * the struct ikd_config ** that always points to the running one. */
void ikd_config_env(struct ike_env *env, struct ikd_config **running);
/* listen { cookie_threshold; half_open_per_source; } as the engine's
 * limits (0: its defaults). */
void ikd_config_dos_limits(const struct ikd_config *c,
			   struct ike_dos_limits *out);

/* The peer for an ACQUIRE towards @remote, or NULL (logged). */
const struct ike_peer_cfg *ikd_config_peer(struct ikd_config *c,
					   const struct ikd_addr *remote);

/* config_kif.c: the remote block whose `interface` raised @acq (an
 * ACQUIRE without policy: id 0), the interfaces read from @k now, as the
 * configuration of its engine (ike_version 2 or 1); NULL if none
 * (logged). */
const struct ike_peer_cfg *ikd_config_peer_kif(struct ikd_config *c,
					       struct ikd_kernel *k,
					       const struct ikd_acquire *acq);

/* ikdctl's peer by name: the IKEv2 remote block named @name (remote
 * "NAME"), or the one for the address @name is written as; NULL if none. */
const struct ike_peer_cfg *ikd_config_peer_by_name(struct ikd_config *c,
						   const char *name);

/* IKEv1 remote blocks, for the IKEv1 engine (ikev1.h); ikd_config_peer()
 * refuses them, the engine's peer_by_addr callback gives either kind.
 * The block for @remote when it says IKEv1, as the engine's peer
 * configuration (ike_version 1), or NULL. */
const struct ike_peer_cfg *ikd_config_peer_v1(struct ikd_config *c,
					      const struct ikd_addr *remote);
/* The engine's view of IKEv2 remote block @r; -errno with @d told why. */
int ikd_config_remote_v2(const struct ikd_config *c, const struct ikd_remote *r,
			 struct ike_peer_cfg *out, struct ikd_diag *d);
/* The same for block @r; 0, or -ENOENT when no proposal is usable. */
int ikd_config_remote_v1(const struct ikd_config *c, const struct ikd_remote *r,
			 struct ike_peer_cfg *out);

#endif /* IKD_CONFIG_H */
