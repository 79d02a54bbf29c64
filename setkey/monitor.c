// SPDX-License-Identifier: BSD-2-Clause
/*
 * A readable block for any PF_KEY message, used by -x (everything the
 * kernel broadcasts) and -v (what setkey sends and gets back):
 *
 *   ADD esp seq=1 pid=1234 len=152
 *   	sa: spi=9876(0x00002694) replay=0 state=larval auth=none encrypt=3des-cbc flags=0x00000040
 *   	address_src: 10.1.1.1 proto=any
 *   	...
 *
 * One header line, then one tab-indented line per extension in type order.
 * With raw (-xx) the bytes come first as a hex dump.
 */
#include <inttypes.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "setkey.h"

static void hexdump(FILE *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i % 16 == 0)
			fprintf(out, "%08zx:", i);
		fprintf(out, " %02x", p[i]);
		if (i % 16 == 15 || i + 1 == n)
			fputc('\n', out);
	}
}

static const char *alg_name(enum pfkey_alg_kind kind, unsigned id,
			    char *buf, size_t cap)
{
	const char *n = pfkey_alg_name(kind, id);

	if (n)
		return n;
	if (id == 0)
		return "none";
	snprintf(buf, cap, "%u", id);
	return buf;
}

static void print_address(FILE *out, const struct sadb_address *a)
{
	const struct sockaddr *sa = pfkey_address_sockaddr(a);
	char buf[INET6_ADDRSTRLEN + 16], pbuf[32];
	unsigned full = sa->sa_family == AF_INET ? 32 : 128;
	uint16_t port = sk_addr_port(sa);

	fputs(sk_addr_str(sa, buf, sizeof(buf)), out);
	if (a->sadb_address_prefixlen != full)
		fprintf(out, "/%u", a->sadb_address_prefixlen);
	if (port)
		fprintf(out, "[%u]", port);
	fprintf(out, " proto=%s",
		sk_proto_name(a->sadb_address_proto, pbuf, sizeof(pbuf)));
}

static void print_sa(FILE *out, const struct pfkey_msg *m)
{
	const struct sadb_sa *sa = pfkey_msg_sa(m);
	bool comp = m->hdr->sadb_msg_satype == SADB_X_SATYPE_IPCOMP;
	char b1[16], b2[16];

	fprintf(out, "spi=%" PRIu32 "(0x%08" PRIx32 ") replay=%u state=%s auth=%s %s=%s flags=0x%08" PRIx32,
		ntohl(sa->sadb_sa_spi), ntohl(sa->sadb_sa_spi),
		sa->sadb_sa_replay, pfkey_state_name(sa->sadb_sa_state),
		alg_name(PFKEY_ALG_AUTH, sa->sadb_sa_auth, b1, sizeof(b1)),
		comp ? "comp" : "encrypt",
		alg_name(comp ? PFKEY_ALG_COMP : PFKEY_ALG_ENCRYPT,
			 sa->sadb_sa_encrypt, b2, sizeof(b2)),
		sa->sadb_sa_flags);
}

static void print_supported(FILE *out, const struct pfkey_msg *m,
			    uint16_t type)
{
	const struct sadb_supported *s = pfkey_msg_supported(m, type);
	size_t n;
	const struct sadb_alg *a = pfkey_supported_algs(s, &n);
	enum pfkey_alg_kind kind = type == SADB_EXT_SUPPORTED_AUTH ?
				   PFKEY_ALG_AUTH : PFKEY_ALG_ENCRYPT;
	char b[16];

	fprintf(out, "%zu algorithms", n);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "\n\t\t%s(%u) ivlen=%u bits=%u-%u",
			alg_name(kind, a[i].sadb_alg_id, b, sizeof(b)),
			a[i].sadb_alg_id, a[i].sadb_alg_ivlen,
			a[i].sadb_alg_minbits, a[i].sadb_alg_maxbits);
}

static void print_proposal(FILE *out, const struct pfkey_msg *m)
{
	const struct sadb_prop *p = pfkey_msg_proposal(m);
	size_t n;
	const struct sadb_comb *c = pfkey_prop_combs(p, &n);
	char b1[16], b2[16];

	fprintf(out, "replay=%u, %zu combinations", p->sadb_prop_replay, n);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "\n\t\tauth=%s(%u-%u) encrypt=%s(%u-%u) flags=0x%08" PRIx32
			" soft=%" PRIu64 "s/%" PRIu64 "B hard=%" PRIu64 "s/%" PRIu64 "B",
			alg_name(PFKEY_ALG_AUTH, c[i].sadb_comb_auth, b1, sizeof(b1)),
			c[i].sadb_comb_auth_minbits, c[i].sadb_comb_auth_maxbits,
			alg_name(PFKEY_ALG_ENCRYPT, c[i].sadb_comb_encrypt, b2, sizeof(b2)),
			c[i].sadb_comb_encrypt_minbits, c[i].sadb_comb_encrypt_maxbits,
			c[i].sadb_comb_flags,
			(uint64_t)c[i].sadb_comb_soft_addtime,
			(uint64_t)c[i].sadb_comb_soft_bytes,
			(uint64_t)c[i].sadb_comb_hard_addtime,
			(uint64_t)c[i].sadb_comb_hard_bytes);
}

static void print_policy(FILE *out, const struct pfkey_msg *m)
{
	const struct sadb_x_policy *x = pfkey_msg_policy(m);
	char *text = ipsec_dump_policy((const char *)x, " ");

	fprintf(out, "%s spid=%" PRIu32, text ? text : "(unprintable)",
		x->sadb_x_policy_id);
	free(text);
}

static void print_ext(FILE *out, const struct pfkey_msg *m, unsigned type)
{
	const struct sadb_ext *e = m->ext[type];
	const struct sadb_lifetime *lt;
	const struct sadb_key *k;
	const uint8_t *data;
	size_t n;

	fprintf(out, "\t%s: ", pfkey_ext_name(type));
	switch (type) {
	case SADB_EXT_SA:
		print_sa(out, m);
		break;
	case SADB_EXT_LIFETIME_CURRENT:
	case SADB_EXT_LIFETIME_HARD:
	case SADB_EXT_LIFETIME_SOFT:
		lt = pfkey_msg_lifetime(m, (uint16_t)type);
		fprintf(out, "allocations=%" PRIu32 " bytes=%" PRIu64 " addtime=%" PRIu64 " usetime=%" PRIu64,
			lt->sadb_lifetime_allocations,
			(uint64_t)lt->sadb_lifetime_bytes,
			(uint64_t)lt->sadb_lifetime_addtime,
			(uint64_t)lt->sadb_lifetime_usetime);
		break;
	case SADB_EXT_ADDRESS_SRC:
	case SADB_EXT_ADDRESS_DST:
	case SADB_EXT_ADDRESS_PROXY:
	case SADB_X_EXT_NAT_T_OA:
		print_address(out, pfkey_msg_address(m, (uint16_t)type));
		break;
	case SADB_EXT_KEY_AUTH:
	case SADB_EXT_KEY_ENCRYPT:
		k = pfkey_msg_key(m, (uint16_t)type);
		fprintf(out, "bits=%u", k->sadb_key_bits);
		data = pfkey_key_data(k, &n);
		sk_hexdump_key(out, data, n);
		break;
	case SADB_EXT_IDENTITY_SRC:
	case SADB_EXT_IDENTITY_DST: {
		const struct sadb_ident *id = pfkey_msg_ident(m, (uint16_t)type);
		const char *s = pfkey_ident_string(id);

		fprintf(out, "type=%u id=%" PRIu64 " %s", id->sadb_ident_type,
			(uint64_t)id->sadb_ident_id, s ? s : "");
		break;
	}
	case SADB_EXT_PROPOSAL:
		print_proposal(out, m);
		break;
	case SADB_EXT_SUPPORTED_AUTH:
	case SADB_EXT_SUPPORTED_ENCRYPT:
		print_supported(out, m, (uint16_t)type);
		break;
	case SADB_EXT_SPIRANGE: {
		const struct sadb_spirange *r = pfkey_msg_spirange(m);

		fprintf(out, "min=0x%08" PRIx32 " max=0x%08" PRIx32,
			r->sadb_spirange_min, r->sadb_spirange_max);
		break;
	}
	case SADB_X_EXT_POLICY:
		print_policy(out, m);
		break;
	case SADB_X_EXT_SA2: {
		const struct sadb_x_sa2 *s = pfkey_msg_sa2(m);

		fprintf(out, "mode=%s reqid=%" PRIu32 " seq=%" PRIu32,
			pfkey_mode_name(s->sadb_x_sa2_mode),
			s->sadb_x_sa2_reqid, s->sadb_x_sa2_sequence);
		break;
	}
	case SADB_X_EXT_NAT_T_TYPE:
		fprintf(out, "%u", pfkey_msg_nat_t_type(m)->sadb_x_nat_t_type_type);
		break;
	case SADB_X_EXT_NAT_T_SPORT:
	case SADB_X_EXT_NAT_T_DPORT:
		fprintf(out, "%u", ntohs(pfkey_msg_nat_t_port(m, (uint16_t)type)->sadb_x_nat_t_port_port));
		break;
	case SADB_X_EXT_KIPSEC_SA: {
		const struct sadb_x_kipsec_sa *kx = pfkey_msg_kipsec_sa(m);

		fprintf(out, "replay=%" PRIu32 " flags=0x%04x icvbits=%u",
			kx->sadb_x_kipsec_sa_replay,
			(unsigned)kx->sadb_x_kipsec_sa_flags,
			(unsigned)kx->sadb_x_kipsec_sa_icvbits);
		break;
	}
	case SADB_X_EXT_SEC_CTX: {
		const struct sadb_x_sec_ctx *c = pfkey_msg_sec_ctx(m);

		fprintf(out, "doi=%u alg=%u len=%u", c->sadb_x_ctx_doi,
			c->sadb_x_ctx_alg, c->sadb_x_ctx_len);
		break;
	}
	default:
		fprintf(out, "type %u, %zu bytes", type,
			PFKEY_BYTES(e->sadb_ext_len));
		break;
	}
	fputc('\n', out);
}

void sk_print_msg(FILE *out, const void *buf, size_t len, bool raw)
{
	struct sadb_msg h;
	struct pfkey_msg m;

	if (raw)
		hexdump(out, buf, len);
	if (len < sizeof(h)) {
		fprintf(out, "short message (%zu bytes)\n", len);
		return;
	}
	memcpy(&h, buf, sizeof(h));
	fprintf(out, "%s %s seq=%" PRIu32 " pid=%" PRIu32 " len=%zu",
		pfkey_msg_type_name(h.sadb_msg_type),
		pfkey_satype_name(h.sadb_msg_satype), h.sadb_msg_seq,
		h.sadb_msg_pid, len);
	if (h.sadb_msg_errno)
		fprintf(out, " errno=%u (%s)", h.sadb_msg_errno,
			strerror(h.sadb_msg_errno));
	fputc('\n', out);

	if (pfkey_parse(buf, len, &m) < 0) {
		fprintf(out, "\tmalformed: %s\n", pfkey_parse_error());
		return;
	}
	for (unsigned t = 1; t < PFKEY_EXT_SLOTS; t++)
		if (m.ext[t])
			print_ext(out, &m, t);
}
