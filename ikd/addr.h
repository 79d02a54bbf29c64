/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Addresses and traffic selectors as every part of ikd passes them: one
 * small value type instead of sockaddr casts, comparable with memcmp()
 * because unused bytes are always zero (build them with the helpers).
 */
#ifndef IKD_ADDR_H
#define IKD_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

struct ikd_addr {
	sa_family_t family;		/* AF_INET, AF_INET6, or 0: none */
	uint16_t port;			/* host order; 0: none or any */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t bytes[16];
	};
};

/* "192.0.2.1", "2001:db8::1", "192.0.2.1[500]" with a port. */
#define IKD_ADDR_STRLEN	(INET6_ADDRSTRLEN + 8)

/* A traffic selector: prefixes, upper-layer protocol and ports. */
struct ikd_sel {
	struct ikd_addr src, dst;	/* ports: 0 any */
	uint8_t src_plen, dst_plen;	/* prefix lengths in bits */
	uint8_t proto;			/* 0 (or 255 in PF_KEY): any */
};

void ikd_addr_zero(struct ikd_addr *a);
int ikd_addr_from_sockaddr(struct ikd_addr *a, const struct sockaddr *sa);
/* Returns the length to pass with the sockaddr. */
socklen_t ikd_addr_to_sockaddr(const struct ikd_addr *a,
			       struct sockaddr_storage *ss);
/* Numeric address with an optional "[port]"; 0 or -EINVAL. */
int ikd_addr_parse(struct ikd_addr *a, const char *s);
/* Formats into buf (IKD_ADDR_STRLEN), "[port]" when with_port. */
const char *ikd_addr_str(const struct ikd_addr *a, bool with_port, char *buf);
bool ikd_addr_eq(const struct ikd_addr *a, const struct ikd_addr *b);
bool ikd_addr_eq_noport(const struct ikd_addr *a, const struct ikd_addr *b);
bool ikd_addr_is_any(const struct ikd_addr *a);
unsigned int ikd_addr_bits(sa_family_t family);	/* 32 or 128 */
/* An address prefix (port 0). */
struct ikd_prefix {
	struct ikd_addr addr;
	uint8_t plen;
};

#define IKD_KIF_MAX_TS	4	/* prefixes per side of an interface block */

/* Does @a lie in @net/@plen (ports ignored)? */
bool ikd_addr_in_prefix(const struct ikd_addr *a, const struct ikd_addr *net,
			unsigned int plen);

#endif /* IKD_ADDR_H */
