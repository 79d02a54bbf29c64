// SPDX-License-Identifier: BSD-2-Clause
/*
 * ipsecstat's command line: options, reading the two /proc files, and
 * reporting errors (once, here).  Exit status: 0, or 1 on any error.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "ipsecstat.h"

#define DEFAULT_PROC_DIR "/proc/net"

static void usage(FILE *out)
{
	fputs("usage: ipsecstat [-46js]\n"
	      "       ipsecstat -i [NAME]\n"
	      "       ipsecstat -h\n"
	      "  -4  IPv4 counters only (with -s: IPv4 SAs only)\n"
	      "  -6  IPv6 counters only (with -s: IPv6 SAs only)\n"
	      "  -s  also list the counters of each SA\n"
	      "  -j  print JSON\n"
	      "  -i  kipsec interfaces (all, or NAME) and their counters\n"
	      "  -h  this help\n"
	      "The files are read from $KIPSEC_PROC_DIR (default "
	      DEFAULT_PROC_DIR ").\n", out);
}

static char *proc_path(const char *name)
{
	const char *dir = getenv("KIPSEC_PROC_DIR");
	char *path;

	if (!dir || !*dir)
		dir = DEFAULT_PROC_DIR;
	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return NULL;
	return path;
}

/* Parses kipsec_stat into st or kipsec_sa into sas; reports any problem
 * and returns -1. */
static int load(const char *name, FILE *err, bool is_stat,
		struct ips_stat *st, struct ips_sa_list *sas)
{
	struct ips_err e = { 0 };
	char *path = proc_path(name);
	FILE *f;
	int r;

	if (!path) {
		fprintf(err, "ipsecstat: out of memory\n");
		return -1;
	}
	f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT && is_stat)
			fprintf(err, "ipsecstat: kipsec.ko is not loaded (no %s)\n",
				path);
		else
			fprintf(err, "ipsecstat: %s: %s\n", path, strerror(errno));
		free(path);
		return -1;
	}
	r = is_stat ? ips_parse_stat(f, st, &e) : ips_parse_sa(f, sas, &e);
	fclose(f);
	if (r < 0 && e.line)
		fprintf(err, "ipsecstat: %s:%u: %s\n", path, e.line, e.msg);
	else if (r < 0)
		fprintf(err, "ipsecstat: %s: %s\n", path, e.msg);
	free(path);
	return r;
}

/* -i [NAME]: the interfaces' counters are their own report, so the
 * options that shape the stack's report do not apply. */
static int if_options(int argc, char **argv, struct ips_opts *o,
		      const bool *only, FILE *err)
{
	if (o->sas || o->json || only[IPS_INET] || only[IPS_INET6]) {
		fprintf(err, "ipsecstat: -i takes no other option\n");
		usage(err);
		return -1;
	}
	if (optind < argc)
		o->ifname = argv[optind++];
	if (optind < argc) {
		fprintf(err, "ipsecstat: unexpected argument '%s'\n",
			argv[optind]);
		usage(err);
		return -1;
	}
	if (o->ifname && (!*o->ifname || strlen(o->ifname) >= IF_NAMESIZE)) {
		fprintf(err, "ipsecstat: '%s' is not an interface name\n",
			o->ifname);
		return -1;
	}
	return 0;
}

/* Returns -1 after printing a usage error, 1 for -h, 0 to go on. */
static int options(int argc, char **argv, struct ips_opts *o, FILE *out,
		   FILE *err)
{
	bool only[IPS_NFAMILIES] = { false, false };
	int c;

	opterr = 0;
	optind = 0;	/* glibc: restart scanning (tests call us repeatedly) */
	while ((c = getopt(argc, argv, "+46hijs")) != -1) {
		switch (c) {
		case '4':
			only[IPS_INET] = true;
			break;
		case '6':
			only[IPS_INET6] = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 's':
			o->sas = true;
			break;
		case 'i':
			o->ifs = true;
			break;
		case 'h':
			usage(out);
			return 1;
		default:
			fprintf(err, "ipsecstat: unknown option -%c\n", optopt);
			usage(err);
			return -1;
		}
	}
	if (o->ifs)
		return if_options(argc, argv, o, only, err);
	if (optind < argc) {
		fprintf(err, "ipsecstat: unexpected argument '%s'\n",
			argv[optind]);
		usage(err);
		return -1;
	}
	/* Neither -4 nor -6, or both: every family. */
	for (int f = 0; f < IPS_NFAMILIES; f++)
		o->family[f] = only[f] || (!only[IPS_INET] && !only[IPS_INET6]);
	return 0;
}

static void print(FILE *out, const struct ips_stat *st,
		  const struct ips_sa_list *sas, const struct ips_opts *o)
{
	if (o->json) {
		ips_print_json(out, st, sas, o);
		return;
	}
	ips_print_text(out, st, o);
	if (o->sas) {
		fputc('\n', out);
		ips_print_sas(out, sas, o);
	}
}

/* Returns 0, or -1 after reporting the problem. */
static int show_ifs(const char *name, FILE *out, FILE *err)
{
	struct ips_if_list l = { 0 };
	int r = ips_load_ifs(name, &l);

	if (r == -ENODEV && name)
		fprintf(err, "ipsecstat: %s: no such interface\n", name);
	else if (r < 0)
		fprintf(err, "ipsecstat: cannot list the kipsec interfaces: "
			"%s\n", strerror(-r));
	else if (name && !l.n)
		fprintf(err, "ipsecstat: %s is not a kipsec interface\n", name);
	else
		ips_print_ifs(out, l.v, l.n);
	r = r < 0 || (name && !l.n) ? -1 : 0;
	ips_if_list_free(&l);
	return r;
}

static int finish(FILE *out, FILE *err, int r)
{
	if (r == 0 && (fflush(out) != 0 || ferror(out))) {
		fprintf(err, "ipsecstat: write error: %s\n", strerror(errno));
		r = -1;
	}
	return r < 0 ? 1 : 0;
}

int ipsecstat_main(int argc, char **argv, FILE *out, FILE *err)
{
	struct ips_opts o = { 0 };
	struct ips_sa_list sas = { 0 };
	struct ips_stat *st;
	int r = options(argc, argv, &o, out, err);

	if (r)
		return r < 0 ? 1 : 0;
	if (o.ifs)
		return finish(out, err, show_ifs(o.ifname, out, err));
	st = malloc(sizeof(*st));	/* ~25 KiB of histograms */
	if (!st) {
		fprintf(err, "ipsecstat: out of memory\n");
		return 1;
	}
	r = load("kipsec_stat", err, true, st, NULL);
	if (r == 0 && o.sas)
		r = load("kipsec_sa", err, false, NULL, &sas);
	if (r == 0)
		print(out, st, &sas, &o);
	ips_sa_list_free(&sas);
	free(st);
	return finish(out, err, r);
}
