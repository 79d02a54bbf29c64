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

/*
 * Counters (struct rtnl_link_stats64, `ip -s -s link`), as KLIPS kept them:
 *  rx_packets/bytes   clear packets that came out of the interface
 *  tx_packets/bytes   clear packets encrypted and sent to the remote
 *  rx_errors          the sum of:
 *    rx_missed_errors   no SA: ESP/AH from remote to local, unknown SPI
 *    rx_fifo_errors     replayed (outside the window or seen)
 *    rx_crc_errors      authentication failed (ICV)
 *    rx_length_errors   malformed: bad length, padding, inner header
 *  rx_dropped         ESP on its SA dropped for want of memory
 *  tx_dropped         the sum of:
 *    tx_carrier_errors  no SA (an ACQUIRE was raised)
 *    tx_aborted_errors  no route to the remote, or a loop through itself
 *    tx_fifo_errors     no memory, or the transform failed
 *  tx_errors          tx_dropped plus packets too big for the path (an
 *                     ICMP error with the MTU left went back to the sender)
 *
 * tx_packets/bytes count a packet when the interface hands it to its SA;
 * one lost after that (no memory, the transform) is in tx_dropped too.
 *
 * A packet routed into an interface whose SA is missing raises an ACQUIRE
 * like a policy's: ESP, tunnel mode, local -> remote, level unique with the
 * interface's reqid; its policy extension has id 0 and direction out.
 */

#endif /* KIPSEC_IF_KIPSEC_H */
