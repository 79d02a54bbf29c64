// SPDX-License-Identifier: BSD-2-Clause
/*
 * `setkey -D`: one SA in KAME's layout, field for field, including its
 * quirks (trailing blanks after the addresses and the state, 20 blanks for
 * a zero time, "C: alg " with no newline for IPComp), so that scripts
 * written against KAME/ipsec-tools output keep working.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "setkey.h"

time_t sk_now(void)
{
	/* For tests only (documented in setkey.8): a fixed "current" time. */
	const char *fake = getenv("SETKEY_FAKE_TIME");

	if (fake && *fake)
		return (time_t)strtoll(fake, NULL, 10);
	return time(NULL);
}

void sk_format_time(char buf[21], uint64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t == 0 || !localtime_r(&tt, &tm) ||
	    strftime(buf, 21, "%b %e %H:%M:%S %Y", &tm) != 20)
		memset(buf, t == 0 ? ' ' : '?', 20);
	buf[20] = '\0';
}

/* Numeric only: no reverse DNS, and a numeric IPv6 scope. */
const char *sk_addr_str(const struct sockaddr *sa, char *buf, size_t cap)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		if (!inet_ntop(AF_INET, &sin->sin_addr, buf, (socklen_t)cap))
			snprintf(buf, cap, "?");
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
		size_t n;

		if (!inet_ntop(AF_INET6, &sin6->sin6_addr, buf, (socklen_t)cap)) {
			snprintf(buf, cap, "?");
			return buf;
		}
		n = strlen(buf);
		if (sin6->sin6_scope_id && n < cap)
			snprintf(buf + n, cap - n, "%%%" PRIu32, sin6->sin6_scope_id);
	} else {
		snprintf(buf, cap, "unknown-af");
	}
	return buf;
}

uint16_t sk_addr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return 0;
}

/* KAME's key dump: a blank before every 4 bytes, a newline every 32. */
void sk_hexdump_key(FILE *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i != 0 && i % 32 == 0)
			fputc('\n', out);
		if (i % 4 == 0)
			fputc(' ', out);
		fprintf(out, "%02x", p[i]);
	}
}

static void print_alg(FILE *out, enum pfkey_alg_kind kind, unsigned id)
{
	const char *name = pfkey_alg_name(kind, id);

	if (name)
		fprintf(out, "%s ", name);
	else
		fprintf(out, "%u ", id);
}

static void print_key(FILE *out, const char *tag, enum pfkey_alg_kind kind,
		      unsigned id, const struct sadb_key *k)
{
	size_t n;
	const uint8_t *data = pfkey_key_data(k, &n);

	fprintf(out, "\t%s: ", tag);
	print_alg(out, kind, id);
	sk_hexdump_key(out, data, n);
	fputc('\n', out);
}

static uint64_t lt_field(const struct sadb_lifetime *lt, int which)
{
	if (!lt)
		return 0;
	switch (which) {
	case 0:
		return lt->sadb_lifetime_addtime;
	case 1:
		return lt->sadb_lifetime_usetime;
	case 2:
		return lt->sadb_lifetime_bytes;
	default:
		return lt->sadb_lifetime_allocations;
	}
}

static void print_lifetimes(FILE *out, const struct pfkey_msg *m,
			    const struct sk_print_opts *o)
{
	const struct sadb_lifetime *c, *h, *s;
	char t1[21], t2[21];

	c = pfkey_msg_lifetime(m, SADB_EXT_LIFETIME_CURRENT);
	h = pfkey_msg_lifetime(m, SADB_EXT_LIFETIME_HARD);
	s = pfkey_msg_lifetime(m, SADB_EXT_LIFETIME_SOFT);
	if (!c)
		return;

	uint64_t add = c->sadb_lifetime_addtime;
	uint64_t diff = add == 0 ? 0 : (uint64_t)o->now - add;

	sk_format_time(t1, add);
	sk_format_time(t2, (uint64_t)o->now);
	fprintf(out, "\tcreated: %s\tcurrent: %s\n", t1, t2);
	fprintf(out, "\tdiff: %" PRIu64 "(s)\thard: %" PRIu64 "(s)\tsoft: %" PRIu64 "(s)\n",
		diff, lt_field(h, 0), lt_field(s, 0));
	sk_format_time(t1, c->sadb_lifetime_usetime);
	fprintf(out, "\tlast: %s\thard: %" PRIu64 "(s)\tsoft: %" PRIu64 "(s)\n",
		t1, lt_field(h, 1), lt_field(s, 1));
	fprintf(out, "\tcurrent: %" PRIu64 "(bytes)\thard: %" PRIu64 "(bytes)\tsoft: %" PRIu64 "(bytes)\n",
		lt_field(c, 2), lt_field(h, 2), lt_field(s, 2));
	fprintf(out, "\tallocated: %" PRIu64 "\thard: %" PRIu64 "\tsoft: %" PRIu64 "\n",
		lt_field(c, 3), lt_field(h, 3), lt_field(s, 3));
}

/*
 * KAME's "seq= replay= flags= state= " line.  With kipsec's extension the
 * window is the extension's (sadb_sa_replay then only says 255), and its
 * ESN flag and ICV length follow the state as more "word " items, so the
 * line of an SA without the extension stays byte for byte KAME's.
 */
static void print_seq_line(FILE *out, const struct sadb_sa *sa,
			   const struct sadb_x_sa2 *sa2,
			   const struct sadb_x_kipsec_sa *kx)
{
	uint32_t replay = kx ? kx->sadb_x_kipsec_sa_replay : sa->sadb_sa_replay;

	fprintf(out, "\tseq=0x%08" PRIx32 " replay=%" PRIu32 " flags=0x%08" PRIx32 " state=%s ",
		sa2->sadb_x_sa2_sequence, replay, sa->sadb_sa_flags,
		pfkey_state_name(sa->sadb_sa_state));
	if (kx && (kx->sadb_x_kipsec_sa_flags & KIPSEC_SA_F_ESN))
		fprintf(out, "esn ");
	if (kx && (kx->sadb_x_kipsec_sa_flags & ~KIPSEC_SA_F_ESN))
		fprintf(out, "xflags=0x%04x ",
			(unsigned)(kx->sadb_x_kipsec_sa_flags & ~KIPSEC_SA_F_ESN));
	if (kx && kx->sadb_x_kipsec_sa_icvbits)
		fprintf(out, "icv=%u ", (unsigned)kx->sadb_x_kipsec_sa_icvbits);
	fputc('\n', out);
}

/* ipsec-tools: "SRC[SPORT] DST[DPORT]" for a NAT-T SA. */
static void print_natt_port(FILE *out, const struct pfkey_msg *m,
			    uint16_t exttype)
{
	const struct sadb_x_nat_t_port *p = pfkey_msg_nat_t_port(m, exttype);

	if (pfkey_msg_nat_t_type(m) && p)
		fprintf(out, "[%u]", (unsigned)ntohs(p->sadb_x_nat_t_port_port));
}

/* ipsec-tools' "NAT: OAI=" line; Linux af_key and kipsec never send it. */
static void print_natt_oa(FILE *out, const struct pfkey_msg *m)
{
	const struct sadb_address *oa =
		pfkey_msg_address(m, SADB_X_EXT_NAT_T_OA);
	char buf[INET6_ADDRSTRLEN + 16];

	if (pfkey_msg_nat_t_type(m) && oa)
		fprintf(out, "\tNAT: OAI=%s\n",
			sk_addr_str(pfkey_address_sockaddr(oa), buf, sizeof(buf)));
}

void sk_dump_sa(FILE *out, const struct pfkey_msg *m,
		const struct sk_print_opts *o)
{
	const struct sadb_msg *hdr = m->hdr;
	const struct sadb_address *src, *dst;
	const struct sadb_sa *sa = pfkey_msg_sa(m);
	const struct sadb_x_sa2 *sa2 = pfkey_msg_sa2(m);
	const struct sadb_key *ka, *ke;
	char buf[INET6_ADDRSTRLEN + 16];

	src = pfkey_msg_address(m, SADB_EXT_ADDRESS_SRC);
	dst = pfkey_msg_address(m, SADB_EXT_ADDRESS_DST);
	if (!src) {
		fprintf(out, "no ADDRESS_SRC extension.\n");
		return;
	}
	fprintf(out, "%s", sk_addr_str(pfkey_address_sockaddr(src), buf, sizeof(buf)));
	print_natt_port(out, m, SADB_X_EXT_NAT_T_SPORT);
	if (!dst) {
		fprintf(out, "  no ADDRESS_DST extension.\n");
		return;
	}
	fprintf(out, " %s", sk_addr_str(pfkey_address_sockaddr(dst), buf, sizeof(buf)));
	print_natt_port(out, m, SADB_X_EXT_NAT_T_DPORT);
	fputc(' ', out);
	if (!sa) {
		fprintf(out, "no SA extension.\n");
		return;
	}
	if (!sa2) {
		fprintf(out, "no SA2 extension.\n");
		return;
	}
	fprintf(out, "\n\t%s mode=%s ",
		hdr->sadb_msg_satype == SADB_SATYPE_ESP && pfkey_msg_nat_t_type(m) ?
		"esp-udp" : pfkey_satype_name(hdr->sadb_msg_satype),
		pfkey_mode_name(sa2->sadb_x_sa2_mode));
	fprintf(out, "spi=%" PRIu32 "(0x%08" PRIx32 ") reqid=%" PRIu32 "(0x%08" PRIx32 ")\n",
		ntohl(sa->sadb_sa_spi), ntohl(sa->sadb_sa_spi),
		sa2->sadb_x_sa2_reqid, sa2->sadb_x_sa2_reqid);
	print_natt_oa(out, m);

	ke = pfkey_msg_key(m, SADB_EXT_KEY_ENCRYPT);
	ka = pfkey_msg_key(m, SADB_EXT_KEY_AUTH);
	if (hdr->sadb_msg_satype == SADB_X_SATYPE_IPCOMP) {
		fprintf(out, "\tC: ");
		print_alg(out, PFKEY_ALG_COMP, sa->sadb_sa_encrypt);
	} else if (hdr->sadb_msg_satype == SADB_SATYPE_ESP && ke) {
		print_key(out, "E", PFKEY_ALG_ENCRYPT, sa->sadb_sa_encrypt, ke);
	}
	if (ka)
		print_key(out, "A", PFKEY_ALG_AUTH, sa->sadb_sa_auth, ka);

	print_seq_line(out, sa, sa2, pfkey_msg_kipsec_sa(m));
	print_lifetimes(out, m, o);
	fprintf(out, "\tsadb_seq=%" PRIu32 " pid=%" PRIu32 " refcnt=%u\n",
		hdr->sadb_msg_seq, hdr->sadb_msg_pid, hdr->sadb_msg_reserved);
}
