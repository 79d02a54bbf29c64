/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Diagnostics of everything ikd reads from an admin (racoon.conf, psk.txt,
 * the files they name): a list of errors and warnings, each with its
 * position, printed as compilers do ("FILE:LINE:COL: error: MESSAGE"), so
 * that `ikd -n` can report every problem of a file in one run.
 *
 * A diagnostic never carries secret material: callers name the line and
 * the identifier of a key, never the key.
 */
#ifndef IKD_DIAG_H
#define IKD_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Where something was written. @file points into storage owned by whoever
 * made the position (the configuration keeps its file names for its whole
 * life); line 0 means "not written" (a default, or the file as a whole).
 */
struct ikd_pos {
	const char *file;
	unsigned int line;	/* 1-based; 0: none */
	unsigned int col;	/* 1-based, in bytes (a tab counts as one) */
};

enum ikd_diag_severity {
	IKD_DIAG_ERROR,
	IKD_DIAG_WARNING,
};

struct ikd_diag_entry {
	enum ikd_diag_severity sev;
	char *file;		/* a copy; NULL: no file */
	unsigned int line, col;	/* 0: not known */
	char *msg;
};

/* Entries kept at most; more are counted but dropped (a fuzzed file can
 * have an error per byte). */
#define IKD_DIAG_MAX	500

struct ikd_diag {
	struct ikd_diag_entry *v;
	size_t n, cap;
	size_t nerrors, nwarnings;	/* all of them, kept or not */
	size_t dropped;
};

void ikd_diag_init(struct ikd_diag *d);
void ikd_diag_free(struct ikd_diag *d);

/* Records a diagnostic at @pos (NULL or line 0: the file or nothing).
 * Allocation failures are counted, never fatal. */
void ikd_diag_add(struct ikd_diag *d, enum ikd_diag_severity sev,
		  const struct ikd_pos *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void ikd_diag_vadd(struct ikd_diag *d, enum ikd_diag_severity sev,
		   const struct ikd_pos *pos, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

#define ikd_diag_error(d, pos, ...) \
	ikd_diag_add((d), IKD_DIAG_ERROR, (pos), __VA_ARGS__)
#define ikd_diag_warn(d, pos, ...) \
	ikd_diag_add((d), IKD_DIAG_WARNING, (pos), __VA_ARGS__)

static inline size_t ikd_diag_errors(const struct ikd_diag *d)
{
	return d->nerrors;
}

/* "FILE:LINE:COL: error: MESSAGE" (or "FILE: error: ...", "error: ...")
 * into @buf; returns what snprintf returns. */
int ikd_diag_format(const struct ikd_diag_entry *e, char *buf, size_t len);

/* Prints every kept entry, one per line, then a note if some were
 * dropped. */
void ikd_diag_print(const struct ikd_diag *d, FILE *f);

#endif /* IKD_DIAG_H */
