/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Smallest valid length in bytes of each PF_KEY extension type, shared by
 * the kernel's message parser and libpfkey's so the two cannot drift. For
 * address extensions this is the header alone: each parser then checks
 * that the sockaddr inside has room for its family field and for the
 * family's exact length, which gives the user a precise error. Types left
 * at 0 are not accepted.
 *
 * Include after <linux/pfkeyv2.h> and <kipsec/pfkey_ext.h>.
 */
#ifndef KIPSEC_PFKEY_EXTLEN_H
#define KIPSEC_PFKEY_EXTLEN_H

#define KIPSEC_ADDR_EXT_MIN sizeof(struct sadb_address)

#define KIPSEC_EXT_MIN_LEN_INIT {					\
	[SADB_EXT_SA] = sizeof(struct sadb_sa),				\
	[SADB_EXT_LIFETIME_CURRENT] = sizeof(struct sadb_lifetime),	\
	[SADB_EXT_LIFETIME_HARD] = sizeof(struct sadb_lifetime),	\
	[SADB_EXT_LIFETIME_SOFT] = sizeof(struct sadb_lifetime),	\
	[SADB_EXT_ADDRESS_SRC] = KIPSEC_ADDR_EXT_MIN,			\
	[SADB_EXT_ADDRESS_DST] = KIPSEC_ADDR_EXT_MIN,			\
	[SADB_EXT_ADDRESS_PROXY] = KIPSEC_ADDR_EXT_MIN,			\
	[SADB_EXT_KEY_AUTH] = sizeof(struct sadb_key),			\
	[SADB_EXT_KEY_ENCRYPT] = sizeof(struct sadb_key),		\
	[SADB_EXT_IDENTITY_SRC] = sizeof(struct sadb_ident),		\
	[SADB_EXT_IDENTITY_DST] = sizeof(struct sadb_ident),		\
	[SADB_EXT_SENSITIVITY] = sizeof(struct sadb_sens),		\
	[SADB_EXT_PROPOSAL] = sizeof(struct sadb_prop),			\
	[SADB_EXT_SUPPORTED_AUTH] = sizeof(struct sadb_supported),	\
	[SADB_EXT_SUPPORTED_ENCRYPT] = sizeof(struct sadb_supported),	\
	[SADB_EXT_SPIRANGE] = sizeof(struct sadb_spirange),		\
	[SADB_X_EXT_KMPRIVATE] = sizeof(struct sadb_x_kmprivate),	\
	[SADB_X_EXT_POLICY] = sizeof(struct sadb_x_policy),		\
	[SADB_X_EXT_SA2] = sizeof(struct sadb_x_sa2),			\
	[SADB_X_EXT_NAT_T_TYPE] = sizeof(struct sadb_x_nat_t_type),	\
	[SADB_X_EXT_NAT_T_SPORT] = sizeof(struct sadb_x_nat_t_port),	\
	[SADB_X_EXT_NAT_T_DPORT] = sizeof(struct sadb_x_nat_t_port),	\
	[SADB_X_EXT_NAT_T_OA] = KIPSEC_ADDR_EXT_MIN,			\
	[SADB_X_EXT_SEC_CTX] = sizeof(struct sadb_x_sec_ctx),		\
	[SADB_X_EXT_KMADDRESS] = sizeof(struct sadb_x_kmaddress),	\
	[SADB_X_EXT_FILTER] = sizeof(struct sadb_x_filter),		\
	[SADB_X_EXT_KIPSEC_SA] = sizeof(struct sadb_x_kipsec_sa),	\
}

#endif /* KIPSEC_PFKEY_EXTLEN_H */
