/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ikd's IKE sockets: one UDP socket per local address and port, IPv4 or
 * IPv6, as racoon's `listen { isakmp ADDR [PORT]; isakmp_natt ADDR PORT; }`
 * (docs/ikd-internals.md, "System layer", says why not one wildcard socket).
 *
 * Every socket is marked `bypass` in both directions with a per-socket
 * policy (IP_IPSEC_POLICY / IPV6_IPSEC_POLICY, a libpfkey blob), so IKE
 * never waits for the SAs it negotiates, whatever the SPD says. A NAT-T
 * socket (port 4500 by convention) also carries UDP_ENCAP_ESPINUDP, so the
 * kernel takes the ESP in UDP that arrives on it (RFC 3948), and IKE on it
 * goes with the 4-byte non-ESP marker, added on send and removed on
 * receive here: callers see bare IKE messages on every port.
 */
#ifndef IKD_NET_H
#define IKD_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "addr.h"
#include "loop.h"

/* The largest datagram read; longer ones are dropped, as truncated. */
#define IKD_NET_MAX_DATAGRAM	65535

struct ikd_net;

/*
 * One IKE message: @local is the socket's address and port (the address
 * the peer sent to), @remote the sender's. @buf is valid during the call.
 */
typedef void (*ikd_net_recv_fn)(void *arg, const struct ikd_addr *local,
				const struct ikd_addr *remote,
				const uint8_t *buf, size_t len);

/* Receives through @loop; 0 or -errno. */
int ikd_net_new(struct ikd_loop *loop, ikd_net_recv_fn cb, void *arg,
		struct ikd_net **out);
/* Closes every socket. */
void ikd_net_free(struct ikd_net *n);

/*
 * Opens the IKE socket for @local (a unicast address of this host, not
 * link-local, with its port), a NAT-T one when @natt. -EEXIST if open
 * already; bind()'s error (-EADDRNOTAVAIL: not, or not yet, an address of
 * this host; -EADDRINUSE); -EOPNOTSUPP/-EPERM when the kernel takes no
 * bypass policy (no kipsec.ko or af_key, or no CAP_NET_ADMIN).
 */
int ikd_net_listen(struct ikd_net *n, const struct ikd_addr *local, bool natt);
/*
 * The same for an address the kernel has just reported (RTM_NEWADDR): the
 * message goes out before the address's local route is in place, so a
 * plain bind() can still fail with -EADDRNOTAVAIL; this one binds with
 * IP_FREEBIND (IPV6_FREEBIND).
 */
int ikd_net_listen_host(struct ikd_net *n, const struct ikd_addr *local,
			bool natt);
/* Closes it; -ENOENT if it was not open. */
int ikd_net_unlisten(struct ikd_net *n, const struct ikd_addr *local);
bool ikd_net_is_listening(const struct ikd_net *n, const struct ikd_addr *local);
/* Logs every open socket (SIGUSR1's dump); returns how many there are. */
unsigned int ikd_net_dump(const struct ikd_net *n);

/*
 * Sends one IKE message from the socket of @local (address and port) to
 * @remote; -EADDRNOTAVAIL without such a socket, -EMSGSIZE if too long,
 * else send()'s error. The caller retransmits: nothing is queued.
 */
int ikd_net_send(struct ikd_net *n, const struct ikd_addr *local,
		 const struct ikd_addr *remote, const void *buf, size_t len);
/* A NAT-T keepalive (RFC 3948 2.3, one 0xff byte) from a NAT-T socket. */
int ikd_net_keepalive(struct ikd_net *n, const struct ikd_addr *local,
		      const struct ikd_addr *remote);

#endif /* IKD_NET_H */
