// SPDX-License-Identifier: BSD-2-Clause
/*
 * sadb_x_policy blobs -> KAME policy strings (ipsec_dump_policy(3)).
 *
 * Output matches KAME/ipsec-tools:
 *   "<dir> [prio <base> [<op> <n>] ]<action>" then, for ipsec, each
 *   request as delimiter + "<proto>/<mode>/<src>-<dst>/<level>", where
 *   transport requests leave src-dst empty ("esp/transport//require").
 *   A non-zero reqid follows the level as ":<id>" when it is a manual one
 *   (<= IPSEC_MANUAL_REQID_MAX) and "#<id>" when the kernel chose it.
 *
 * One deliberate difference from ipsec-tools: a policy at exactly
 * PFKEY_PRIORITY_DEFAULT prints no "prio def", so a policy written
 * without a priority prints as KAME prints it ("in ipsec").
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int put_addr(FILE *f, const uint8_t *p)
{
	struct sockaddr_storage ss;
	char buf[INET6_ADDRSTRLEN];
	int family = pfkey__sa_family_at(p);
	size_t salen = pfkey__family_salen(family);

	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, p, salen);
	if (family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)&ss;

		inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof(buf));
		return fputs(buf, f) < 0 ? -1 : 0;
	} else {
		const struct sockaddr_in6 *sin6 = (const void *)&ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, buf, sizeof(buf));
		if (fputs(buf, f) < 0)
			return -1;
		/* Numeric scope: reads back without interface lookups. */
		if (sin6->sin6_scope_id &&
		    fprintf(f, "%%%u", sin6->sin6_scope_id) < 0)
			return -1;
		return 0;
	}
}

static const char *proto_name(unsigned int proto)
{
	switch (proto) {
	case IPPROTO_ESP:
		return "esp";
	case IPPROTO_AH:
		return "ah";
	case IPPROTO_COMP:
		return "ipcomp";
	default:
		return "unknown";
	}
}

static int put_request(FILE *f, const struct sadb_x_ipsecrequest *r)
{
	const uint8_t *p = (const uint8_t *)(r + 1);
	uint32_t reqid = r->sadb_x_ipsecrequest_reqid;

	if (fprintf(f, "%s/%s/", proto_name(r->sadb_x_ipsecrequest_proto),
		    pfkey_mode_name(r->sadb_x_ipsecrequest_mode)) < 0)
		return -1;
	if (r->sadb_x_ipsecrequest_len > sizeof(*r)) {
		/* Validated: two sockaddrs of one family. */
		size_t salen = pfkey__family_salen(pfkey__sa_family_at(p));

		if (put_addr(f, p) || fputc('-', f) == EOF ||
		    put_addr(f, p + salen))
			return -1;
	}
	if (fprintf(f, "/%s", pfkey_level_name(r->sadb_x_ipsecrequest_level)) < 0)
		return -1;
	if (reqid && fprintf(f, "%c%u", reqid > IPSEC_MANUAL_REQID_MAX ?
			     '#' : ':', reqid) < 0)
		return -1;
	return 0;
}

/* ipsec-tools' "prio <base> <op> <n> " rendering: the base nearest the
 * value, and the offset expressed the way it is typed (+ = earlier). */
static int put_priority(FILE *f, uint32_t prio)
{
	const char *base;
	int64_t off;

	if (prio == 0 || prio == PFKEY_PRIORITY_DEFAULT)
		return 0;
	if (prio < PFKEY_PRIORITY_DEFAULT / 4 * 3) {
		base = "high";
		off = (int64_t)PFKEY_PRIORITY_HIGH - prio;
	} else if (prio < PFKEY_PRIORITY_DEFAULT / 4 * 5) {
		base = "def";
		off = (int64_t)PFKEY_PRIORITY_DEFAULT - prio;
	} else {
		base = "low";
		off = (int64_t)PFKEY_PRIORITY_LOW - prio;
	}
	if (off == 0)
		return fprintf(f, "prio %s ", base) < 0 ? -1 : 0;
	return fprintf(f, "prio %s %c %lld ", base, off < 0 ? '-' : '+',
		       (long long)(off < 0 ? -off : off)) < 0 ? -1 : 0;
}

char *ipsec_dump_policy(const char *policy_blob, const char *delimiter)
{
	const struct sadb_x_policy *xp = (const void *)policy_blob;
	const struct sadb_x_ipsecrequest *r = NULL;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f;
	int bad;

	if (!xp) {
		pfkey__set_ipsec_error("invalid argument");
		return NULL;
	}
	if (xp->sadb_x_policy_exttype != SADB_X_EXT_POLICY) {
		pfkey__set_ipsec_error("invalid extension type");
		return NULL;
	}
	/* The blob is trusted to be as long as it says (KAME's contract);
	 * everything inside that length is checked before it is printed. */
	if (pfkey__check_policy(xp, PFKEY_BYTES(xp->sadb_x_policy_len))) {
		pfkey__set_ipsec_error("invalid security policy");
		return NULL;
	}
	if (!delimiter)
		delimiter = " ";

	f = open_memstream(&out, &outlen);
	if (!f) {
		pfkey__set_ipsec_error("no buffers available");
		return NULL;
	}
	bad = fprintf(f, "%s ", pfkey_dir_name(pfkey__policy_dir(xp))) < 0 ||
	      put_priority(f, xp->sadb_x_policy_priority) ||
	      fputs(pfkey_policy_type_name(xp->sadb_x_policy_type), f) < 0;
	while (!bad && (r = pfkey_policy_next_request(xp, r)) != NULL)
		bad = fputs(delimiter, f) < 0 || put_request(f, r);
	if (fclose(f) != 0 || bad) {
		free(out);
		pfkey__set_ipsec_error("no buffers available");
		return NULL;
	}
	pfkey__set_ipsec_error(NULL);
	return out;
}
