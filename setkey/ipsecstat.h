// SPDX-License-Identifier: BSD-2-Clause
/*
 * ipsecstat(8) internals: parse kipsec's /proc/net/kipsec_stat and
 * /proc/net/kipsec_sa into plain structs, and print them as KAME's
 * `netstat -s -p ipsec`, as a per-SA table or as JSON.  Everything except
 * ipsecstat_main() is pure (streams in, streams out) so the unit tests run
 * it on fixture text.
 *
 * File formats (the kernel's side of the contract):
 *   kipsec_stat  "FAMILY NAME VALUE" or "FAMILY HIST ALGID VALUE" per line,
 *                FAMILY ipv4|ipv6, VALUE a decimal u64, '#' comments;
 *                unknown NAMEs are ignored.
 *   kipsec_sa    one SA per line, space-separated key=value tokens;
 *                unknown keys are ignored.
 */
#ifndef SETKEY_IPSECSTAT_H
#define SETKEY_IPSECSTAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <kipsec/libpfkey.h>

enum ips_family { IPS_INET, IPS_INET6, IPS_NFAMILIES };

/* In KAME's print order (and the order of the JSON keys). */
enum ips_counter {
	IPS_IN_SUCCESS, IPS_IN_POLVIO, IPS_IN_NOSA, IPS_IN_INVAL,
	IPS_IN_NOMEM, IPS_IN_BADSPI, IPS_IN_AHREPLAY, IPS_IN_ESPREPLAY,
	IPS_IN_AUTHSUCC, IPS_IN_AUTHFAIL,
	IPS_OUT_SUCCESS, IPS_OUT_POLVIO, IPS_OUT_NOSA, IPS_OUT_INVAL,
	IPS_OUT_NOMEM, IPS_OUT_NOROUTE,
	/* kipsec's IPcomp counters, which KAME kept elsewhere */
	IPS_OUT_COMP, IPS_OUT_NOCOMP_SMALL, IPS_OUT_NOCOMP_LARGER,
	IPS_OUT_NOCOMP_BACKOFF,
	/* kipsec's: packets nested deeper than the kernel allows */
	IPS_IN_NESTED,
	IPS_NCOUNTERS
};

/* In the order of the JSON keys; the text output prints AH, ESP, IPComp
 * as KAME does. */
enum ips_hist {
	IPS_IN_ESPHIST, IPS_IN_AHHIST, IPS_IN_COMPHIST,
	IPS_OUT_ESPHIST, IPS_OUT_AHHIST, IPS_OUT_COMPHIST,
	IPS_NHISTS
};

/* Histogram slots are PF_KEY algorithm ids, which are 8-bit. */
#define IPS_NALGIDS 256

struct ips_counter_info {
	const char *name;	/* "in_success" */
	const char *pre;	/* label up to "packet": "inbound packet" */
	const char *post;	/* label after the plural 's' */
};

struct ips_hist_info {
	const char *name;	/* "in_esphist" */
	const char *title;	/* "ESP input" */
	enum pfkey_alg_kind kind;
};

const struct ips_counter_info *ips_counter_info(enum ips_counter c);
const struct ips_hist_info *ips_hist_info(enum ips_hist h);
const char *ips_family_name(enum ips_family f);	/* "ipv4", "ipv6" */

struct ips_family_stat {
	uint64_t counter[IPS_NCOUNTERS];
	uint64_t hist[IPS_NHISTS][IPS_NALGIDS];
};

struct ips_stat {
	struct ips_family_stat fam[IPS_NFAMILIES];
};

/* One line of kipsec_sa.  Strings are NULL when the key was absent;
 * proto, src, dst and spi are always present after a successful parse. */
struct ips_sa {
	char *proto, *src, *dst, *mode, *dir;
	uint32_t spi;
	unsigned ealg, aalg, calg;	/* 0: none */
	uint64_t reqid, packets, bytes;
	uint64_t replay, auth, invalid;	/* failures: replay check, ICV, other */
	enum ips_family family;		/* from src */
};

struct ips_sa_list {
	struct ips_sa *v;
	size_t n, cap;
};

/* A parse failure: line is 1-based, 0 when not about one line. */
struct ips_err {
	unsigned line;
	char msg[200];
};

/* Both return 0, or -1 with *err filled in (nothing is printed). */
int ips_parse_stat(FILE *in, struct ips_stat *st, struct ips_err *err);
int ips_parse_sa(FILE *in, struct ips_sa_list *l, struct ips_err *err);
void ips_sa_list_free(struct ips_sa_list *l);

/* Name of an algorithm for printing: the setkey name, or "#<id>". */
const char *ips_alg_str(enum pfkey_alg_kind kind, unsigned id, char buf[8]);

struct ips_opts {
	bool family[IPS_NFAMILIES];	/* which families to print */
	bool sas;			/* -s */
	bool json;			/* -j */
	bool ifs;			/* -i */
	const char *ifname;		/* -i NAME, or NULL: every interface */
};

void ips_print_text(FILE *out, const struct ips_stat *st,
		    const struct ips_opts *o);
void ips_print_sas(FILE *out, const struct ips_sa_list *l,
		   const struct ips_opts *o);
/* sas is printed only when o->sas (and may then be NULL = empty). */
void ips_print_json(FILE *out, const struct ips_stat *st,
		    const struct ips_sa_list *sas, const struct ips_opts *o);

/*
 * -i: kipsec interfaces (setkey/ifnl.h's struct kif_info), in the layout
 * ipsecstat(8) describes; "no kipsec interfaces" when n is 0.
 */
struct kif_info;
struct ips_if_list {
	struct kif_info *v;
	size_t n, cap;
};

void ips_print_ifs(FILE *out, const struct kif_info *v, size_t n);
/* The interfaces of this namespace, or only @name: 0 or -errno. */
int ips_load_ifs(const char *name, struct ips_if_list *l);
void ips_if_list_free(struct ips_if_list *l);

/* The whole command; KIPSEC_PROC_DIR overrides /proc/net.  Returns the
 * exit status. */
int ipsecstat_main(int argc, char **argv, FILE *out, FILE *err);

#endif
