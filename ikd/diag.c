// SPDX-License-Identifier: BSD-2-Clause
#include "diag.h"

#include <stdlib.h>
#include <string.h>

void ikd_diag_init(struct ikd_diag *d)
{
	memset(d, 0, sizeof(*d));
}

void ikd_diag_free(struct ikd_diag *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	ikd_diag_init(d);
}

void ikd_diag_vadd(struct ikd_diag *d, enum ikd_diag_severity sev,
		   const struct ikd_pos *pos, const char *fmt, va_list ap)
{
	struct ikd_diag_entry e = { .sev = sev };
	char *msg;

	if (sev == IKD_DIAG_ERROR)
		d->nerrors++;
	else
		d->nwarnings++;
	if (d->n >= IKD_DIAG_MAX) {
		d->dropped++;
		return;
	}
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct ikd_diag_entry *v = realloc(d->v, cap * sizeof(*v));

		if (!v) {
			d->dropped++;
			return;
		}
		d->v = v;
		d->cap = cap;
	}
	if (vasprintf(&msg, fmt, ap) < 0) {
		d->dropped++;
		return;
	}
	e.msg = msg;
	if (pos && pos->file) {
		e.file = strdup(pos->file);
		if (!e.file) {
			free(msg);
			d->dropped++;
			return;
		}
	}
	if (pos) {
		e.line = pos->line;
		e.col = pos->line ? pos->col : 0;
	}
	d->v[d->n++] = e;
}

void ikd_diag_add(struct ikd_diag *d, enum ikd_diag_severity sev,
		  const struct ikd_pos *pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ikd_diag_vadd(d, sev, pos, fmt, ap);
	va_end(ap);
}

int ikd_diag_format(const struct ikd_diag_entry *e, char *buf, size_t len)
{
	const char *sev = e->sev == IKD_DIAG_ERROR ? "error" : "warning";

	if (e->file && e->line)
		return snprintf(buf, len, "%s:%u:%u: %s: %s", e->file, e->line,
				e->col, sev, e->msg);
	if (e->file)
		return snprintf(buf, len, "%s: %s: %s", e->file, sev, e->msg);
	return snprintf(buf, len, "%s: %s", sev, e->msg);
}

void ikd_diag_print(const struct ikd_diag *d, FILE *f)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct ikd_diag_entry *e = &d->v[i];
		const char *sev = e->sev == IKD_DIAG_ERROR ? "error" : "warning";

		if (e->file && e->line)
			fprintf(f, "%s:%u:%u: %s: %s\n", e->file, e->line,
				e->col, sev, e->msg);
		else if (e->file)
			fprintf(f, "%s: %s: %s\n", e->file, sev, e->msg);
		else
			fprintf(f, "%s: %s\n", sev, e->msg);
	}
	if (d->dropped)
		fprintf(f, "(%zu more diagnostics not shown)\n", d->dropped);
}
