// SPDX-License-Identifier: BSD-2-Clause
/*
 * Private helpers shared by the libpfkey source files.  Not installed.
 */
#ifndef KIPSEC_LIBPFKEY_INTERNAL_H
#define KIPSEC_LIBPFKEY_INTERNAL_H

#include <stdarg.h>
#include <kipsec/libpfkey.h>

#if defined(__GNUC__)
#define PFKEY_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define PFKEY_PRINTF(a, b)
#endif

/* strerror.c: thread-local diagnostics. */
void pfkey__set_parse_error(const char *fmt, ...) PFKEY_PRINTF(1, 2);
void pfkey__clear_parse_error(void);
void pfkey__set_ipsec_error(const char *text);

/*
 * Sockaddrs inside messages may sit at any offset in a fuzzed buffer, so
 * the library reads their family with memcpy rather than through a
 * (possibly misaligned) struct pointer.
 */
int pfkey__sa_family_at(const void *p);
/* sizeof(sockaddr_in/in6) for AF_INET/AF_INET6, 0 otherwise. */
size_t pfkey__family_salen(int family);
/* Maximum prefix length for a family (32/128), 0 if unknown. */
unsigned int pfkey__family_maxplen(int family);

/* parse.c: checks an x_policy extension of len bytes; on failure sets the
 * parse error and returns -EINVAL. */
int pfkey__check_policy(const void *ext, size_t len);

/*
 * A policy's direction as IPSEC_DIR_*. Linux's af_key reports a per-socket
 * policy with XFRM's numbering plus one: 4 (in) or 5 (out), its id's low
 * three bits being 3 or 4. IPSEC_DIR_MAX: neither.
 */
unsigned int pfkey__policy_dir(const struct sadb_x_policy *p);

#endif /* KIPSEC_LIBPFKEY_INTERNAL_H */
