/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The algorithms kipsec knows, by PF_KEY id, with their key sizes and the
 * kernel crypto API names they map to.
 */
#ifndef KIPSEC_ALG_H
#define KIPSEC_ALG_H

#include <linux/types.h>
#include <linux/pfkeyv2.h>

enum kipsec_alg_kind {
	KIPSEC_ALG_AUTH,	/* sadb_sa_auth */
	KIPSEC_ALG_ENC,		/* sadb_sa_encrypt, ESP */
	KIPSEC_ALG_COMP,	/* sadb_sa_encrypt, IPcomp */
};

struct kipsec_alg {
	u8 kind;
	u8 id;			/* SADB_*ALG_* */
	bool aead;		/* combined mode: no separate auth */
	u8 ivlen;		/* bytes, for sadb_alg_ivlen */
	u16 minbits, maxbits;	/* key size range, bits */
	u16 stepbits;		/* key sizes between come in these steps */
	u16 icvbits;		/* default ICV length (RFC 4868 for SHA2) */
	const char *name;	/* crypto API name */
};

const struct kipsec_alg *kipsec_alg_find(enum kipsec_alg_kind kind, u8 id);
bool kipsec_alg_key_ok(const struct kipsec_alg *alg, unsigned int bits);
bool kipsec_alg_icv_ok(const struct kipsec_alg *alg, unsigned int icvbits);
unsigned int kipsec_alg_supported(enum kipsec_alg_kind kind,
				  struct sadb_alg *out, unsigned int max);

unsigned int kipsec_alg_combs(u8 satype, struct sadb_comb *out,
			      unsigned int max);

void kipsec_alg_exit(void);
void kipsec_alg_status(unsigned int *tried, unsigned int *total,
		       unsigned int *have);

#endif /* KIPSEC_ALG_H */
