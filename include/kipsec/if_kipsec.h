/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kipsec's virtual interfaces (KLIPS's ipsecN, FreeBSD's if_ipsec): the
 * rtnetlink link kind and its attributes, shared by kipsec.ko and userland.
 * docs/ipsec-interfaces.md describes the model.
 *
 * An interface is created with RTM_NEWLINK, IFLA_INFO_KIND "kipsec" and
 * IFLA_INFO_DATA holding the attributes below; RTM_GETLINK returns them the
 * same way. The encrypted side (the SAD and the outer routing) is the
 * namespace the interface was created in; moving the interface to another
 * namespace moves only its clear side.
 */
#ifndef KIPSEC_IF_KIPSEC_H
#define KIPSEC_IF_KIPSEC_H

#define KIPSEC_IF_KIND		"kipsec"

enum {
	IFLA_KIPSEC_UNSPEC,
	IFLA_KIPSEC_LOCAL,	/* outer source: 4 or 16 bytes, network order */
	IFLA_KIPSEC_REMOTE,	/* outer destination, same family as LOCAL */
	IFLA_KIPSEC_REQID,	/* u32, 1..IPSEC_MANUAL_REQID_MAX (0x3fff) */
	__IFLA_KIPSEC_MAX
};
#define IFLA_KIPSEC_MAX		(__IFLA_KIPSEC_MAX - 1)

#endif /* KIPSEC_IF_KIPSEC_H */
