// SPDX-License-Identifier: BSD-2-Clause
/*
 * ipsecstat's outputs: KAME's `netstat -s -p ipsec` text, the per-SA table
 * (-s) and JSON (-j; schema in ipsecstat(8)).
 */
#include <inttypes.h>
#include <string.h>

#include "ipsecstat.h"

/* ------------------------------------------------------------------------
 * netstat layout
 */
static void print_counter(FILE *out, const struct ips_family_stat *fs,
			  enum ips_counter c)
{
	const struct ips_counter_info *ci = ips_counter_info(c);
	uint64_t v = fs->counter[c];

	fprintf(out, "\t%" PRIu64 " %s%s%s\n", v, ci->pre, v == 1 ? "" : "s",
		ci->post);
}

/* KAME's ipsec_hist(): a heading, then one line per nonzero slot. */
static void print_hist(FILE *out, const struct ips_family_stat *fs,
		       enum ips_hist h)
{
	const struct ips_hist_info *hi = ips_hist_info(h);
	bool first = true;

	for (unsigned id = 0; id < IPS_NALGIDS; id++) {
		char buf[8];

		if (!fs->hist[h][id])
			continue;
		if (first)
			fprintf(out, "\t%s histogram:\n", hi->title);
		first = false;
		fprintf(out, "\t\t%s: %" PRIu64 "\n",
			ips_alg_str(hi->kind, id, buf), fs->hist[h][id]);
	}
}

static void print_family(FILE *out, const struct ips_family_stat *fs,
			 enum ips_family f)
{
	fprintf(out, "%s:\n", f == IPS_INET6 ? "ipsec6" : "ipsec");
	for (enum ips_counter c = IPS_IN_SUCCESS; c <= IPS_IN_AUTHFAIL; c++)
		print_counter(out, fs, c);
	/* Not in KAME's layout: only when it happened. */
	if (fs->counter[IPS_IN_NESTED])
		print_counter(out, fs, IPS_IN_NESTED);
	print_hist(out, fs, IPS_IN_AHHIST);
	print_hist(out, fs, IPS_IN_ESPHIST);
	print_hist(out, fs, IPS_IN_COMPHIST);
	for (enum ips_counter c = IPS_OUT_SUCCESS; c <= IPS_OUT_NOROUTE; c++)
		print_counter(out, fs, c);
	/* Not in KAME's layout: only where IPcomp was used. */
	for (enum ips_counter c = IPS_OUT_COMP; c <= IPS_OUT_NOCOMP_BACKOFF; c++)
		if (fs->counter[c])
			print_counter(out, fs, c);
	print_hist(out, fs, IPS_OUT_AHHIST);
	print_hist(out, fs, IPS_OUT_ESPHIST);
	print_hist(out, fs, IPS_OUT_COMPHIST);
}

void ips_print_text(FILE *out, const struct ips_stat *st,
		    const struct ips_opts *o)
{
	for (enum ips_family f = 0; f < IPS_NFAMILIES; f++)
		if (o->family[f])
			print_family(out, &st->fam[f], f);
}

/* ------------------------------------------------------------------------
 * Per-SA table: columns as wide as their widest cell, two blanks apart,
 * numbers right-aligned.
 */
enum col {
	C_PROTO, C_SRC, C_DST, C_SPI, C_DIR, C_MODE, C_REQID, C_ALGS,
	C_PACKETS, C_BYTES, C_REPLAY, C_AUTHFAIL, C_INVALID, NCOLS
};

static const char *const col_head[NCOLS] = {
	"PROTO", "SRC", "DST", "SPI", "DIR", "MODE", "REQID", "ALGORITHMS",
	"PACKETS", "BYTES", "REPLAY", "AUTHFAIL", "INVALID",
};

struct row {
	const char *cell[NCOLS];
	char num[NCOLS][24];
	char algs[80];
};

static void set_num(struct row *r, enum col c, uint64_t v)
{
	snprintf(r->num[c], sizeof(r->num[c]), "%" PRIu64, v);
	r->cell[c] = r->num[c];
}

/* "3des-cbc,hmac-md5", or "-" when the SA names no algorithm. */
static void set_algs(struct row *r, const struct ips_sa *sa)
{
	const struct { enum pfkey_alg_kind kind; unsigned id; } a[] = {
		{ PFKEY_ALG_ENCRYPT, sa->ealg },
		{ PFKEY_ALG_AUTH, sa->aalg },
		{ PFKEY_ALG_COMP, sa->calg },
	};
	size_t n = 0;

	strcpy(r->algs, "-");
	for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
		char buf[8];
		int w;

		if (!a[i].id || n >= sizeof(r->algs))
			continue;
		w = snprintf(r->algs + n, sizeof(r->algs) - n, "%s%s",
			     n ? "," : "", ips_alg_str(a[i].kind, a[i].id, buf));
		n += w > 0 ? (size_t)w : 0;
	}
	r->cell[C_ALGS] = r->algs;
}

static void make_row(struct row *r, const struct ips_sa *sa)
{
	r->cell[C_PROTO] = sa->proto;
	r->cell[C_SRC] = sa->src;
	r->cell[C_DST] = sa->dst;
	snprintf(r->num[C_SPI], sizeof(r->num[C_SPI]), "0x%08" PRIx32, sa->spi);
	r->cell[C_SPI] = r->num[C_SPI];
	r->cell[C_DIR] = sa->dir ? sa->dir : "-";
	r->cell[C_MODE] = sa->mode ? sa->mode : "-";
	set_num(r, C_REQID, sa->reqid);
	set_algs(r, sa);
	set_num(r, C_PACKETS, sa->packets);
	set_num(r, C_BYTES, sa->bytes);
	set_num(r, C_REPLAY, sa->replay);
	set_num(r, C_AUTHFAIL, sa->auth);
	set_num(r, C_INVALID, sa->invalid);
}

static bool right_aligned(enum col c)
{
	return c == C_REQID || c >= C_PACKETS;
}

static void print_row(FILE *out, const char *const *cell, const size_t *w)
{
	for (enum col c = 0; c < NCOLS; c++) {
		const char *sep = c ? "  " : "";

		if (right_aligned(c))
			fprintf(out, "%s%*s", sep, (int)w[c], cell[c]);
		else if (c == NCOLS - 1)
			fprintf(out, "%s%s", sep, cell[c]);
		else
			fprintf(out, "%s%-*s", sep, (int)w[c], cell[c]);
	}
	fputc('\n', out);
}

static bool sa_shown(const struct ips_sa *sa, const struct ips_opts *o)
{
	return o->family[sa->family];
}

void ips_print_sas(FILE *out, const struct ips_sa_list *l,
		   const struct ips_opts *o)
{
	size_t w[NCOLS], shown = 0;
	struct row r;

	for (enum col c = 0; c < NCOLS; c++)
		w[c] = strlen(col_head[c]);
	for (size_t i = 0; i < l->n; i++) {
		if (!sa_shown(&l->v[i], o))
			continue;
		shown++;
		make_row(&r, &l->v[i]);
		for (enum col c = 0; c < NCOLS; c++)
			if (strlen(r.cell[c]) > w[c])
				w[c] = strlen(r.cell[c]);
	}
	if (!shown) {
		fputs("Security associations: none\n", out);
		return;
	}
	fputs("Security associations:\n", out);
	print_row(out, col_head, w);
	for (size_t i = 0; i < l->n; i++) {
		if (!sa_shown(&l->v[i], o))
			continue;
		make_row(&r, &l->v[i]);
		print_row(out, r.cell, w);
	}
}

/* ------------------------------------------------------------------------
 * JSON
 */
static void json_str(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

static void json_hist(FILE *out, const struct ips_family_stat *fs,
		      enum ips_hist h)
{
	const struct ips_hist_info *hi = ips_hist_info(h);
	bool first = true;

	fprintf(out, "      \"%s\": {", hi->name);
	for (unsigned id = 0; id < IPS_NALGIDS; id++) {
		char buf[8];

		if (!fs->hist[h][id])
			continue;
		fprintf(out, "%s\n        ", first ? "" : ",");
		json_str(out, ips_alg_str(hi->kind, id, buf));
		fprintf(out, ": %" PRIu64, fs->hist[h][id]);
		first = false;
	}
	fprintf(out, "%s}%s\n", first ? "" : "\n      ",
		h == IPS_NHISTS - 1 ? "" : ",");
}

static void json_family(FILE *out, const struct ips_family_stat *fs,
			enum ips_family f)
{
	fprintf(out, "  \"%s\": {\n", ips_family_name(f));
	for (enum ips_counter c = 0; c < IPS_NCOUNTERS; c++)
		fprintf(out, "    \"%s\": %" PRIu64 ",\n",
			ips_counter_info(c)->name, fs->counter[c]);
	fputs("    \"histograms\": {\n", out);
	for (enum ips_hist h = 0; h < IPS_NHISTS; h++)
		json_hist(out, fs, h);
	fputs("    }\n  }", out);
}

static void json_alg(FILE *out, const char *key, enum pfkey_alg_kind kind,
		     unsigned id)
{
	char buf[8];

	fprintf(out, ", \"%s\": ", key);
	json_str(out, id ? ips_alg_str(kind, id, buf) : NULL);
}

static void json_sa(FILE *out, const struct ips_sa *sa)
{
	fputs("    {\"proto\": ", out);
	json_str(out, sa->proto);
	fputs(", \"src\": ", out);
	json_str(out, sa->src);
	fputs(", \"dst\": ", out);
	json_str(out, sa->dst);
	fprintf(out, ", \"spi\": %" PRIu32 ", \"mode\": ", sa->spi);
	json_str(out, sa->mode);
	fputs(", \"dir\": ", out);
	json_str(out, sa->dir);
	fprintf(out, ", \"reqid\": %" PRIu64, sa->reqid);
	json_alg(out, "ealg", PFKEY_ALG_ENCRYPT, sa->ealg);
	json_alg(out, "aalg", PFKEY_ALG_AUTH, sa->aalg);
	json_alg(out, "calg", PFKEY_ALG_COMP, sa->calg);
	fprintf(out, ", \"packets\": %" PRIu64 ", \"bytes\": %" PRIu64
		", \"replay\": %" PRIu64 ", \"auth\": %" PRIu64
		", \"invalid\": %" PRIu64 "}", sa->packets, sa->bytes,
		sa->replay, sa->auth, sa->invalid);
}

static void json_sas(FILE *out, const struct ips_sa_list *l,
		     const struct ips_opts *o)
{
	bool first = true;

	fputs("  \"sas\": [", out);
	for (size_t i = 0; l && i < l->n; i++) {
		if (!sa_shown(&l->v[i], o))
			continue;
		fputs(first ? "\n" : ",\n", out);
		json_sa(out, &l->v[i]);
		first = false;
	}
	fputs(first ? "]" : "\n  ]", out);
}

void ips_print_json(FILE *out, const struct ips_stat *st,
		    const struct ips_sa_list *sas, const struct ips_opts *o)
{
	const char *sep = "\n";

	fputc('{', out);
	for (enum ips_family f = 0; f < IPS_NFAMILIES; f++) {
		if (!o->family[f])
			continue;
		fputs(sep, out);
		json_family(out, &st->fam[f], f);
		sep = ",\n";
	}
	if (o->sas) {
		fputs(sep, out);
		json_sas(out, sas, o);
	}
	fputs("\n}\n", out);
}
