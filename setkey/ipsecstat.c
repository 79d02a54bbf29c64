// SPDX-License-Identifier: BSD-2-Clause
/*
 * ipsecstat: the counter and SA tables, and the parsers of
 * /proc/net/kipsec_stat and /proc/net/kipsec_sa (formats in ipsecstat.h
 * and ipsecstat(8)).  A parser stops at the first malformed line and
 * describes it in struct ips_err; the caller reports it, once.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ipsecstat.h"

/* Labels are KAME netstat's (ipsec.c), split around the plural 's'. */
static const struct ips_counter_info counters[IPS_NCOUNTERS] = {
	[IPS_IN_SUCCESS] = { "in_success", "inbound packet",
			     " processed successfully" },
	[IPS_IN_POLVIO] = { "in_polvio", "inbound packet",
			    " violated process security policy" },
	[IPS_IN_NOSA] = { "in_nosa", "inbound packet", " with no SA available" },
	[IPS_IN_INVAL] = { "in_inval", "invalid inbound packet", "" },
	[IPS_IN_NOMEM] = { "in_nomem", "inbound packet",
			   " failed due to insufficient memory" },
	[IPS_IN_BADSPI] = { "in_badspi", "inbound packet",
			    " failed getting SPI" },
	[IPS_IN_AHREPLAY] = { "in_ahreplay", "inbound packet",
			      " failed on AH replay check" },
	[IPS_IN_ESPREPLAY] = { "in_espreplay", "inbound packet",
			       " failed on ESP replay check" },
	[IPS_IN_AUTHSUCC] = { "in_authsucc", "inbound packet",
			      " considered authentic" },
	[IPS_IN_AUTHFAIL] = { "in_authfail", "inbound packet",
			      " failed on authentication" },
	[IPS_OUT_SUCCESS] = { "out_success", "outbound packet",
			      " processed successfully" },
	[IPS_OUT_POLVIO] = { "out_polvio", "outbound packet",
			     " violated process security policy" },
	[IPS_OUT_NOSA] = { "out_nosa", "outbound packet",
			   " with no SA available" },
	[IPS_OUT_INVAL] = { "out_inval", "invalid outbound packet", "" },
	[IPS_OUT_NOMEM] = { "out_nomem", "outbound packet",
			    " failed due to insufficient memory" },
	[IPS_OUT_NOROUTE] = { "out_noroute", "outbound packet",
			      " with no route" },
	[IPS_OUT_COMP] = { "out_comp", "outbound packet", " compressed" },
	[IPS_OUT_NOCOMP_SMALL] = { "out_nocomp_small", "outbound packet",
				   " too small to compress" },
	[IPS_OUT_NOCOMP_LARGER] = { "out_nocomp_larger", "outbound packet",
				    " not smaller compressed" },
	[IPS_OUT_NOCOMP_BACKOFF] = { "out_nocomp_backoff", "outbound packet",
				     " not compressed in a backoff" },
	[IPS_IN_NESTED] = { "in_nested", "inbound packet",
			    " nested too deep" },
};

static const struct ips_hist_info hists[IPS_NHISTS] = {
	[IPS_IN_ESPHIST] = { "in_esphist", "ESP input", PFKEY_ALG_ENCRYPT },
	[IPS_IN_AHHIST] = { "in_ahhist", "AH input", PFKEY_ALG_AUTH },
	[IPS_IN_COMPHIST] = { "in_comphist", "IPComp input", PFKEY_ALG_COMP },
	[IPS_OUT_ESPHIST] = { "out_esphist", "ESP output", PFKEY_ALG_ENCRYPT },
	[IPS_OUT_AHHIST] = { "out_ahhist", "AH output", PFKEY_ALG_AUTH },
	[IPS_OUT_COMPHIST] = { "out_comphist", "IPComp output",
			       PFKEY_ALG_COMP },
};

const struct ips_counter_info *ips_counter_info(enum ips_counter c)
{
	return &counters[c];
}

const struct ips_hist_info *ips_hist_info(enum ips_hist h)
{
	return &hists[h];
}

const char *ips_family_name(enum ips_family f)
{
	return f == IPS_INET6 ? "ipv6" : "ipv4";
}

const char *ips_alg_str(enum pfkey_alg_kind kind, unsigned id, char buf[8])
{
	const char *name = pfkey_alg_name(kind, id);

	if (name)
		return name;
	snprintf(buf, 8, "#%u", id & 0xffffu);
	return buf;
}

/* ------------------------------------------------------------------------
 * Helpers
 */
__attribute__((format(printf, 3, 4)))
static int fail(struct ips_err *err, unsigned line, const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* Decimal (or, with hex_ok, 0x-prefixed hex) u64: digits only, no sign,
 * no blanks.  Returns 0, -EINVAL or -ERANGE. */
static int parse_u64(const char *s, bool hex_ok, uint64_t *v)
{
	unsigned base = 10;
	uint64_t n = 0;

	if (hex_ok && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return -EINVAL;
		if (n > (UINT64_MAX - d) / base)
			return -ERANGE;
		n = n * base + d;
	}
	*v = n;
	return 0;
}

static int number(struct ips_err *err, unsigned line, const char *what,
		  const char *s, bool hex_ok, uint64_t max, uint64_t *v)
{
	int r = parse_u64(s, hex_ok, v);

	if (r == -ERANGE || (r == 0 && *v > max))
		return fail(err, line, "%s value '%.40s' is out of range",
			    what, s);
	if (r < 0)
		return fail(err, line, "%s value '%.40s' is not a %snumber",
			    what, s, hex_ok ? "" : "decimal ");
	return 0;
}

/* After getline() returned -1: end of file, or a read or memory error. */
static int check_eof(FILE *in, struct ips_err *err)
{
	if (feof(in) && !ferror(in))
		return 0;
	return fail(err, 0, "read error: %s", strerror(errno ? errno : EIO));
}

/* Splits s at blanks, keeping the first max fields; returns how many
 * fields there are. */
static size_t split(char *s, char **f, size_t max)
{
	size_t n = 0;
	char *save = NULL;

	for (char *t = strtok_r(s, " \t\r\n", &save); t;
	     t = strtok_r(NULL, " \t\r\n", &save), n++)
		if (n < max)
			f[n] = t;
	return n;
}

/* ------------------------------------------------------------------------
 * kipsec_stat
 */
static int find_counter(const char *name)
{
	for (int i = 0; i < IPS_NCOUNTERS; i++)
		if (strcmp(counters[i].name, name) == 0)
			return i;
	return -1;
}

static int find_hist(const char *name)
{
	for (int i = 0; i < IPS_NHISTS; i++)
		if (strcmp(hists[i].name, name) == 0)
			return i;
	return -1;
}

static int stat_hist(struct ips_family_stat *fs, int h, char **f, size_t nf,
		     unsigned line, struct ips_err *err)
{
	uint64_t id, v;

	if (nf != 4)
		return fail(err, line, "%s needs FAMILY %s ALGID VALUE, "
			    "got %zu fields", f[1], f[1], nf);
	if (number(err, line, "algorithm id", f[2], false,
		   IPS_NALGIDS - 1, &id) < 0 ||
	    number(err, line, f[1], f[3], false, UINT64_MAX, &v) < 0)
		return -1;
	if (fs->hist[h][id])
		return fail(err, line, "duplicate %s %s %s", f[0], f[1], f[2]);
	fs->hist[h][id] = v;
	return 0;
}

static int stat_line(struct ips_stat *st, uint32_t seen[IPS_NFAMILIES],
		     char *text, unsigned line, struct ips_err *err)
{
	char *f[4];
	size_t nf = split(text, f, 4);
	enum ips_family fam;
	int c, h;
	uint64_t v;

	if (nf == 0 || f[0][0] == '#')
		return 0;
	if (nf < 3)
		return fail(err, line, "missing fields: expected FAMILY NAME VALUE");
	if (strcmp(f[0], "ipv4") == 0)
		fam = IPS_INET;
	else if (strcmp(f[0], "ipv6") == 0)
		fam = IPS_INET6;
	else
		return fail(err, line, "unknown family '%.40s' (ipv4 or ipv6)",
			    f[0]);
	h = find_hist(f[1]);
	if (h >= 0)
		return stat_hist(&st->fam[fam], h, f, nf, line, err);
	c = find_counter(f[1]);
	if (c < 0)
		return 0;	/* a newer kernel's counter */
	if (nf != 3)
		return fail(err, line, "%s needs FAMILY NAME VALUE, got %zu fields",
			    f[1], nf);
	if (number(err, line, f[1], f[2], false, UINT64_MAX, &v) < 0)
		return -1;
	if (seen[fam] & (1u << c))
		return fail(err, line, "duplicate %s %s", f[0], f[1]);
	seen[fam] |= 1u << c;
	st->fam[fam].counter[c] = v;
	return 0;
}

int ips_parse_stat(FILE *in, struct ips_stat *st, struct ips_err *err)
{
	uint32_t seen[IPS_NFAMILIES] = { 0 };
	char *buf = NULL;
	size_t cap = 0;
	unsigned line = 0;
	int r = 0;

	memset(st, 0, sizeof(*st));
	while (r == 0 && getline(&buf, &cap, in) >= 0)
		r = stat_line(st, seen, buf, ++line, err);
	if (r == 0)
		r = check_eof(in, err);
	free(buf);
	return r;
}

/* ------------------------------------------------------------------------
 * kipsec_sa
 */
enum sa_key {
	K_PROTO, K_SRC, K_DST, K_MODE, K_DIR,		/* strings */
	K_SPI,						/* u32, hex or dec */
	K_EALG, K_AALG, K_CALG,				/* algorithm ids */
	K_REQID, K_PACKETS, K_BYTES, K_REPLAY, K_AUTH, K_INVALID,
	K_NKEYS
};

static const char *const sa_keys[K_NKEYS] = {
	"proto", "src", "dst", "mode", "dir", "spi", "ealg", "aalg", "calg",
	"reqid", "packets", "bytes", "replay", "auth", "invalid",
};

static char **sa_str(struct ips_sa *sa, enum sa_key k)
{
	char **p[] = { &sa->proto, &sa->src, &sa->dst, &sa->mode, &sa->dir };

	return p[k];
}

static uint64_t *sa_u64(struct ips_sa *sa, enum sa_key k)
{
	uint64_t *p[] = { &sa->reqid, &sa->packets, &sa->bytes, &sa->replay,
			  &sa->auth, &sa->invalid };

	return p[k - K_REQID];
}

static unsigned *sa_alg(struct ips_sa *sa, enum sa_key k)
{
	unsigned *p[] = { &sa->ealg, &sa->aalg, &sa->calg };

	return p[k - K_EALG];
}

static void sa_free(struct ips_sa *sa)
{
	for (enum sa_key k = K_PROTO; k <= K_DIR; k++)
		free(*sa_str(sa, k));
}

static int sa_value(struct ips_sa *sa, enum sa_key k, const char *val,
		    unsigned line, struct ips_err *err)
{
	uint64_t v;

	if (k <= K_DIR) {
		for (const char *c = val; *c; c++)
			if ((unsigned char)*c < 0x21 || (unsigned char)*c > 0x7e)
				return fail(err, line, "%s= has a non-printable "
					    "character", sa_keys[k]);
		*sa_str(sa, k) = strdup(val);
		return *sa_str(sa, k) ? 0 : fail(err, line, "out of memory");
	}
	if (number(err, line, sa_keys[k], val, k == K_SPI,
		   k == K_SPI ? UINT32_MAX :
		   k <= K_CALG ? IPS_NALGIDS - 1 : UINT64_MAX, &v) < 0)
		return -1;
	if (k == K_SPI)
		sa->spi = (uint32_t)v;
	else if (k <= K_CALG)
		*sa_alg(sa, k) = (unsigned)v;
	else
		*sa_u64(sa, k) = v;
	return 0;
}

static int sa_token(struct ips_sa *sa, uint32_t *seen, char *tok,
		    unsigned line, struct ips_err *err)
{
	char *eq = strchr(tok, '=');

	if (!eq || eq == tok)
		return fail(err, line, "'%.40s' is not key=value", tok);
	*eq = '\0';
	for (enum sa_key k = 0; k < K_NKEYS; k++) {
		if (strcmp(sa_keys[k], tok) != 0)
			continue;
		if (*seen & (1u << k))
			return fail(err, line, "duplicate %s=", tok);
		if (!eq[1])
			return fail(err, line, "empty value for %s=", tok);
		*seen |= 1u << k;
		return sa_value(sa, k, eq + 1, line, err);
	}
	return 0;	/* a newer kernel's key */
}

static int sa_line(struct ips_sa *sa, char *text, unsigned line,
		   struct ips_err *err)
{
	static const enum sa_key required[] = { K_PROTO, K_SRC, K_DST, K_SPI };
	uint32_t seen = 0;
	char *save = NULL;

	for (char *t = strtok_r(text, " \t\r\n", &save); t;
	     t = strtok_r(NULL, " \t\r\n", &save))
		if (sa_token(sa, &seen, t, line, err) < 0)
			return -1;
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!(seen & (1u << required[i])))
			return fail(err, line, "missing %s=", sa_keys[required[i]]);
	sa->family = strchr(sa->src, ':') ? IPS_INET6 : IPS_INET;
	return 0;
}

static bool blank_or_comment(const char *s)
{
	s += strspn(s, " \t\r\n");
	return !*s || *s == '#';
}

static int sa_append(struct ips_sa_list *l, char *text, unsigned line,
		     struct ips_err *err)
{
	struct ips_sa sa = { 0 };

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct ips_sa *v = reallocarray(l->v, cap, sizeof(*v));

		if (!v)
			return fail(err, line, "out of memory");
		l->v = v;
		l->cap = cap;
	}
	if (sa_line(&sa, text, line, err) < 0) {
		sa_free(&sa);
		return -1;
	}
	l->v[l->n++] = sa;
	return 0;
}

int ips_parse_sa(FILE *in, struct ips_sa_list *l, struct ips_err *err)
{
	char *buf = NULL;
	size_t cap = 0;
	unsigned line = 0;
	int r = 0;

	memset(l, 0, sizeof(*l));
	while (r == 0 && getline(&buf, &cap, in) >= 0) {
		line++;
		if (!blank_or_comment(buf))
			r = sa_append(l, buf, line, err);
	}
	if (r == 0)
		r = check_eof(in, err);
	free(buf);
	if (r < 0)
		ips_sa_list_free(l);
	return r;
}

void ips_sa_list_free(struct ips_sa_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		sa_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}
