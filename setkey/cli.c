// SPDX-License-Identifier: BSD-2-Clause
/*
 * setkey's command line.  Exit status: 0 when everything worked, 1 for any
 * error (usage, unreadable input, a syntax error, a kernel refusal).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "setkey.h"

/* Inputs larger than this are certainly not setkey files. */
#define MAX_INPUT (16u << 20)

static void usage(FILE *out)
{
	fputs("usage: setkey [-nv] -f FILE\n"
	      "       setkey [-nv] -c\n"
	      "       setkey [-av] -D [-P]\n"
	      "       setkey [-v] -F [-P]\n"
	      "       setkey -x [-x]\n"
	      "       setkey -h\n"
	      "  -f FILE  load statements from FILE (\"-\" for standard input)\n"
	      "  -c       load statements from standard input\n"
	      "  -D       dump the SAD (-DP: the SPD; -a: dead SAs too)\n"
	      "  -F       flush the SAD (-FP: the SPD)\n"
	      "  -x       print every PF_KEY message (-xx: with a hex dump)\n"
	      "  -n       only check the statements: open and send nothing\n"
	      "  -v       print each message sent and each reply\n"
	      "  -h       this help\n", out);
}

/* Reads a whole stream; returns a malloc'd buffer (NUL-terminated). */
static char *slurp(FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);

	while (buf) {
		size_t got = fread(buf + n, 1, cap - n - 1, f);

		n += got;
		if (got == 0)
			break;
		if (cap - n - 1 == 0) {
			if (cap >= MAX_INPUT) {
				errno = EFBIG;
				free(buf);
				return NULL;
			}
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (!buf)
		return NULL;
	if (ferror(f)) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* -nv: what would be sent, without sending it. */
static void show_messages(const struct sk_prog *prog, FILE *out)
{
	uint8_t mem[8192];
	uint32_t seq = 0;

	for (const struct sk_stmt *st = prog->head; st; st = st->next) {
		struct pfkey_buf b;

		pfkey_buf_init(&b, mem, sizeof(mem));
		if (sk_compile(st, &b, ++seq, 0) < 0)
			continue;	/* cannot happen: sk_parse built it */
		fprintf(out, "%s:%u: ", prog->file, st->pos.line);
		sk_print_msg(out, pfkey_buf_msg(&b), pfkey_buf_msglen(&b), false);
	}
}

enum mode { M_NONE, M_FILE, M_STDIN, M_DUMP, M_FLUSH, M_MONITOR };

static int load(const char *name, FILE *in, FILE *err, bool check_only,
		const struct sk_run_opts *ro)
{
	FILE *f = in;
	const char *shown = "(stdin)";
	char *src;
	size_t len = 0;
	struct sk_prog prog;
	int status;

	if (name && strcmp(name, "-") != 0) {
		f = fopen(name, "r");
		if (!f) {
			fprintf(err, "setkey: %s: %s\n", name, strerror(errno));
			return 1;
		}
		shown = name;
	}
	src = slurp(f, &len);
	if (!src)
		fprintf(err, "setkey: %s: %s\n", shown, strerror(errno));
	if (f != in)
		fclose(f);
	if (!src)
		return 1;

	sk_parse(&prog, shown, src, len);
	free(src);
	sk_print_diags(&prog, err);
	if (prog.nerrors) {
		fprintf(err, "setkey: %s: %u error%s, nothing was sent\n", shown,
			prog.nerrors, prog.nerrors == 1 ? "" : "s");
		status = 1;
	} else if (check_only) {
		if (ro->verbose)
			show_messages(&prog, ro->out);
		status = 0;
	} else {
		status = sk_run(&prog, ro);
	}
	sk_prog_free(&prog);
	return status;
}

int setkey_main(int argc, char **argv, const struct sk_ops *ops, FILE *in,
		FILE *out, FILE *err)
{
	struct sk_run_opts ro = {
		.ops = ops, .out = out, .err = err,
	};
	enum mode mode = M_NONE;
	const char *file = NULL;
	bool policy = false, check_only = false, conflict = false;
	int c;

	opterr = 0;
	optind = 0;	/* glibc: restart scanning (tests call us repeatedly) */
	while ((c = getopt(argc, argv, "+acf:hnvxDFP")) != -1) {
		enum mode m = M_NONE;

		switch (c) {
		case 'a':
			ro.all = true;
			break;
		case 'c':
			m = M_STDIN;
			break;
		case 'f':
			m = M_FILE;
			file = optarg;
			break;
		case 'D':
			m = M_DUMP;
			break;
		case 'F':
			m = M_FLUSH;
			break;
		case 'P':
			policy = true;
			break;
		case 'x':
			m = M_MONITOR;
			ro.monitor++;
			break;
		case 'n':
			check_only = true;
			break;
		case 'v':
			ro.verbose = true;
			break;
		case 'h':
			usage(out);
			return 0;
		default:
			if (optopt == 'f')
				fprintf(err, "setkey: -f needs a file name\n");
			else
				fprintf(err, "setkey: unknown option -%c\n", optopt);
			usage(err);
			return 1;
		}
		if (m != M_NONE) {
			if (mode != M_NONE && mode != m)
				conflict = true;
			mode = m;
		}
	}
	if (optind < argc) {
		fprintf(err, "setkey: unexpected argument '%s' (use -f FILE to load a file)\n",
			argv[optind]);
		usage(err);
		return 1;
	}
	if (conflict || mode == M_NONE) {
		fprintf(err, conflict ?
			"setkey: choose one of -f, -c, -D, -F and -x\n" :
			"setkey: nothing to do\n");
		usage(err);
		return 1;
	}
	if (policy && mode != M_DUMP && mode != M_FLUSH) {
		fprintf(err, "setkey: -P goes with -D or -F\n");
		return 1;
	}
	if (check_only && mode != M_FILE && mode != M_STDIN) {
		fprintf(err, "setkey: -n goes with -f or -c\n");
		return 1;
	}
	ro.print.now = sk_now();

	switch (mode) {
	case M_FILE:
		return load(file, in, err, check_only, &ro);
	case M_STDIN:
		return load(NULL, in, err, check_only, &ro);
	case M_DUMP:
		return sk_run_dump(&ro, policy, SADB_SATYPE_UNSPEC);
	case M_FLUSH:
		return sk_run_flush(&ro, policy);
	default:
		return sk_run_monitor(&ro);
	}
}
