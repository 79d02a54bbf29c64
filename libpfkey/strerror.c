// SPDX-License-Identifier: BSD-2-Clause
/*
 * Printable names (KAME's spellings) and the thread-local error texts of
 * the parser and of the policy-string functions.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Index = value; NULL holes print as "unknown". */
#define NAME(tab, v) \
	((v) < sizeof(tab) / sizeof((tab)[0]) && (tab)[v] ? (tab)[v] : "unknown")

static const char *const msg_types[] = {
	[SADB_RESERVED] = "RESERVED",
	[SADB_GETSPI] = "GETSPI",
	[SADB_UPDATE] = "UPDATE",
	[SADB_ADD] = "ADD",
	[SADB_DELETE] = "DELETE",
	[SADB_GET] = "GET",
	[SADB_ACQUIRE] = "ACQUIRE",
	[SADB_REGISTER] = "REGISTER",
	[SADB_EXPIRE] = "EXPIRE",
	[SADB_FLUSH] = "FLUSH",
	[SADB_DUMP] = "DUMP",
	[SADB_X_PROMISC] = "X_PROMISC",
	[SADB_X_PCHANGE] = "X_PCHANGE",
	[SADB_X_SPDUPDATE] = "X_SPDUPDATE",
	[SADB_X_SPDADD] = "X_SPDADD",
	[SADB_X_SPDDELETE] = "X_SPDDELETE",
	[SADB_X_SPDGET] = "X_SPDGET",
	[SADB_X_SPDACQUIRE] = "X_SPDACQUIRE",
	[SADB_X_SPDDUMP] = "X_SPDDUMP",
	[SADB_X_SPDFLUSH] = "X_SPDFLUSH",
	[SADB_X_SPDSETIDX] = "X_SPDSETIDX",
	[SADB_X_SPDEXPIRE] = "X_SPDEXPIRE",
	[SADB_X_SPDDELETE2] = "X_SPDDELETE2",
	[SADB_X_NAT_T_NEW_MAPPING] = "X_NAT_T_NEW_MAPPING",
	[SADB_X_MIGRATE] = "X_MIGRATE",
};

static const char *const satypes[] = {
	[SADB_SATYPE_UNSPEC] = "unspec",
	[SADB_SATYPE_AH] = "ah",
	[SADB_SATYPE_ESP] = "esp",
	[SADB_SATYPE_RSVP] = "rsvp",
	[SADB_SATYPE_OSPFV2] = "ospfv2",
	[SADB_SATYPE_RIPV2] = "ripv2",
	[SADB_SATYPE_MIP] = "mip",
	[SADB_X_SATYPE_IPCOMP] = "ipcomp",
};

static const char *const ext_names[] = {
	[SADB_EXT_RESERVED] = "reserved",
	[SADB_EXT_SA] = "sa",
	[SADB_EXT_LIFETIME_CURRENT] = "lifetime_current",
	[SADB_EXT_LIFETIME_HARD] = "lifetime_hard",
	[SADB_EXT_LIFETIME_SOFT] = "lifetime_soft",
	[SADB_EXT_ADDRESS_SRC] = "address_src",
	[SADB_EXT_ADDRESS_DST] = "address_dst",
	[SADB_EXT_ADDRESS_PROXY] = "address_proxy",
	[SADB_EXT_KEY_AUTH] = "key_auth",
	[SADB_EXT_KEY_ENCRYPT] = "key_encrypt",
	[SADB_EXT_IDENTITY_SRC] = "identity_src",
	[SADB_EXT_IDENTITY_DST] = "identity_dst",
	[SADB_EXT_SENSITIVITY] = "sensitivity",
	[SADB_EXT_PROPOSAL] = "proposal",
	[SADB_EXT_SUPPORTED_AUTH] = "supported_auth",
	[SADB_EXT_SUPPORTED_ENCRYPT] = "supported_encrypt",
	[SADB_EXT_SPIRANGE] = "spirange",
	[SADB_X_EXT_KMPRIVATE] = "x_kmprivate",
	[SADB_X_EXT_POLICY] = "x_policy",
	[SADB_X_EXT_SA2] = "x_sa2",
	[SADB_X_EXT_NAT_T_TYPE] = "x_nat_t_type",
	[SADB_X_EXT_NAT_T_SPORT] = "x_nat_t_sport",
	[SADB_X_EXT_NAT_T_DPORT] = "x_nat_t_dport",
	[SADB_X_EXT_NAT_T_OA] = "x_nat_t_oa",
	[SADB_X_EXT_SEC_CTX] = "x_sec_ctx",
	[SADB_X_EXT_KMADDRESS] = "x_kmaddress",
	[SADB_X_EXT_FILTER] = "x_filter",
	[SADB_X_EXT_KIPSEC_SA] = "x_kipsec_sa",
};

static const char *const modes[] = {
	[IPSEC_MODE_ANY] = "any",
	[IPSEC_MODE_TRANSPORT] = "transport",
	[IPSEC_MODE_TUNNEL] = "tunnel",
	[IPSEC_MODE_BEET] = "beet",
};

static const char *const states[] = {
	[SADB_SASTATE_LARVAL] = "larval",
	[SADB_SASTATE_MATURE] = "mature",
	[SADB_SASTATE_DYING] = "dying",
	[SADB_SASTATE_DEAD] = "dead",
};

static const char *const dirs[] = {
	[IPSEC_DIR_ANY] = "any",
	[IPSEC_DIR_INBOUND] = "in",
	[IPSEC_DIR_OUTBOUND] = "out",
	[IPSEC_DIR_FWD] = "fwd",
};

static const char *const policy_types[] = {
	[IPSEC_POLICY_DISCARD] = "discard",
	[IPSEC_POLICY_NONE] = "none",
	[IPSEC_POLICY_IPSEC] = "ipsec",
	[IPSEC_POLICY_ENTRUST] = "entrust",
	[IPSEC_POLICY_BYPASS] = "bypass",
};

static const char *const levels[] = {
	[IPSEC_LEVEL_DEFAULT] = "default",
	[IPSEC_LEVEL_USE] = "use",
	[IPSEC_LEVEL_REQUIRE] = "require",
	[IPSEC_LEVEL_UNIQUE] = "unique",
};

const char *pfkey_msg_type_name(unsigned int type)
{
	return NAME(msg_types, type);
}

const char *pfkey_satype_name(unsigned int satype)
{
	return NAME(satypes, satype);
}

const char *pfkey_ext_name(unsigned int exttype)
{
	return NAME(ext_names, exttype);
}

const char *pfkey_mode_name(unsigned int mode)
{
	return NAME(modes, mode);
}

const char *pfkey_state_name(unsigned int state)
{
	return NAME(states, state);
}

const char *pfkey_dir_name(unsigned int dir)
{
	return NAME(dirs, dir);
}

const char *pfkey_policy_type_name(unsigned int type)
{
	return NAME(policy_types, type);
}

const char *pfkey_level_name(unsigned int level)
{
	return NAME(levels, level);
}

static int index_of(const char *const *tab, size_t n, const char *name)
{
	if (!name)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (tab[i] && strcmp(tab[i], name) == 0)
			return (int)i;
	return -1;
}

int pfkey_satype_by_name(const char *name)
{
	/* "unspec" is a real satype but not something a user names. */
	int v = index_of(satypes, sizeof(satypes) / sizeof(satypes[0]), name);

	return v == SADB_SATYPE_UNSPEC ? -1 : v;
}

int pfkey_mode_by_name(const char *name)
{
	return index_of(modes, sizeof(modes) / sizeof(modes[0]), name);
}

unsigned int pfkey_satype_to_proto(unsigned int satype)
{
	switch (satype) {
	case SADB_SATYPE_AH:
		return IPPROTO_AH;
	case SADB_SATYPE_ESP:
		return IPPROTO_ESP;
	case SADB_X_SATYPE_IPCOMP:
		return IPPROTO_COMP;
	default:
		return 0;
	}
}

unsigned int pfkey_proto_to_satype(unsigned int proto)
{
	switch (proto) {
	case IPPROTO_AH:
		return SADB_SATYPE_AH;
	case IPPROTO_ESP:
		return SADB_SATYPE_ESP;
	case IPPROTO_COMP:
		return SADB_X_SATYPE_IPCOMP;
	default:
		return 0;
	}
}

/* ------------------------------------------------------------------------
 * Thread-local diagnostics: each thread sees only its own last error.
 */
static _Thread_local char parse_err[256];
static _Thread_local const char *ipsec_err;

void pfkey__set_parse_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(parse_err, sizeof(parse_err), fmt, ap);
	va_end(ap);
}

void pfkey__clear_parse_error(void)
{
	parse_err[0] = '\0';
}

const char *pfkey_parse_error(void)
{
	return parse_err;
}

void pfkey__set_ipsec_error(const char *text)
{
	ipsec_err = text;
}

const char *ipsec_strerror(void)
{
	return ipsec_err ? ipsec_err : "Success";
}

/* ------------------------------------------------------------------------
 * Sockaddr helpers (see internal.h for why memcpy).
 */
int pfkey__sa_family_at(const void *p)
{
	sa_family_t f;

	memcpy(&f, (const uint8_t *)p + offsetof(struct sockaddr, sa_family),
	       sizeof(f));
	return f;
}

size_t pfkey__family_salen(int family)
{
	switch (family) {
	case AF_INET:
		return sizeof(struct sockaddr_in);
	case AF_INET6:
		return sizeof(struct sockaddr_in6);
	default:
		return 0;
	}
}

unsigned int pfkey__family_maxplen(int family)
{
	switch (family) {
	case AF_INET:
		return 32;
	case AF_INET6:
		return 128;
	default:
		return 0;
	}
}

socklen_t pfkey_sockaddr_len(const struct sockaddr *sa)
{
	return sa ? (socklen_t)pfkey__family_salen(pfkey__sa_family_at(sa)) : 0;
}
