// SPDX-License-Identifier: BSD-2-Clause
#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ikd_addr_zero(struct ikd_addr *a)
{
	memset(a, 0, sizeof(*a));
}

int ikd_addr_from_sockaddr(struct ikd_addr *a, const struct sockaddr *sa)
{
	ikd_addr_zero(a);
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		a->family = AF_INET;
		a->port = ntohs(in->sin_port);
		a->v4 = in->sin_addr;
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		a->family = AF_INET6;
		a->port = ntohs(in6->sin6_port);
		a->v6 = in6->sin6_addr;
		return 0;
	}
	return -EAFNOSUPPORT;
}

socklen_t ikd_addr_to_sockaddr(const struct ikd_addr *a,
			       struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(a->port);
		in->sin_addr = a->v4;
		return sizeof(*in);
	}
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(a->port);
		in6->sin6_addr = a->v6;
		return sizeof(*in6);
	}
	return 0;
}

int ikd_addr_parse(struct ikd_addr *a, const char *s)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *br = strchr(s, '[');
	size_t n = br ? (size_t)(br - s) : strlen(s);
	unsigned long port = 0;
	char *end;

	ikd_addr_zero(a);
	if (n == 0 || n >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, n);
	host[n] = '\0';
	if (br) {
		errno = 0;
		port = strtoul(br + 1, &end, 10);
		if (errno || end == br + 1 || port > 65535 || strcmp(end, "]"))
			return -EINVAL;
	}
	if (inet_pton(AF_INET, host, &a->v4) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, host, &a->v6) == 1)
		a->family = AF_INET6;
	else
		return -EINVAL;
	a->port = (uint16_t)port;
	return 0;
}

const char *ikd_addr_str(const struct ikd_addr *a, bool with_port, char *buf)
{
	char host[INET6_ADDRSTRLEN];

	if (!a->family || !inet_ntop(a->family, a->bytes, host, sizeof(host)))
		snprintf(host, sizeof(host), "(none)");
	if (with_port)
		snprintf(buf, IKD_ADDR_STRLEN, "%s[%u]", host, a->port);
	else
		snprintf(buf, IKD_ADDR_STRLEN, "%s", host);
	return buf;
}

bool ikd_addr_eq(const struct ikd_addr *a, const struct ikd_addr *b)
{
	return ikd_addr_eq_noport(a, b) && a->port == b->port;
}

bool ikd_addr_eq_noport(const struct ikd_addr *a, const struct ikd_addr *b)
{
	if (a->family != b->family)
		return false;
	return !memcmp(a->bytes, b->bytes, a->family == AF_INET ? 4 : 16);
}

bool ikd_addr_is_any(const struct ikd_addr *a)
{
	static const uint8_t zero[16];

	return !a->family ||
	       !memcmp(a->bytes, zero, a->family == AF_INET ? 4 : 16);
}

unsigned int ikd_addr_bits(sa_family_t family)
{
	return family == AF_INET ? 32 : 128;
}

bool ikd_addr_in_prefix(const struct ikd_addr *a, const struct ikd_addr *net,
			unsigned int plen)
{
	unsigned int full = plen / 8, rest = plen % 8;

	if (a->family != net->family || plen > ikd_addr_bits(a->family))
		return false;
	if (memcmp(a->bytes, net->bytes, full))
		return false;
	if (!rest)
		return true;
	return !((a->bytes[full] ^ net->bytes[full]) & (0xff00 >> rest));
}
