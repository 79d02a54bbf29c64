// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for the setkey language: lexer, parser, checks and the
 * message compiler, then the printers on every compiled message.  Pure: no
 * sockets are opened.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../../setkey/setkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	static const struct sk_print_opts popts = { .now = 1795356000 };
	struct sk_prog prog;
	uint8_t mem[8192];
	uint32_t seq = 0;

	if (!sink)
		sink = fopen("/dev/null", "w");
	sk_parse(&prog, "fuzz", (const char *)data, size);
	if (sink)
		sk_print_diags(&prog, sink);

	for (const struct sk_stmt *st = prog.head; st; st = st->next) {
		struct pfkey_buf b;
		struct pfkey_msg m;

		pfkey_buf_init(&b, mem, sizeof(mem));
		if (sk_compile(st, &b, ++seq, 1) < 0)
			__builtin_trap();	/* sk_parse promised it builds */
		if (pfkey_parse(pfkey_buf_msg(&b), pfkey_buf_msglen(&b), &m) < 0)
			__builtin_trap();	/* and that libpfkey accepts it */
		if (!sink)
			continue;
		sk_print_msg(sink, pfkey_buf_msg(&b), pfkey_buf_msglen(&b), true);
		if (st->cmd >= SK_SPDADD && st->cmd <= SK_SPDDELETE)
			sk_dump_spd(sink, &m, &popts);
		else
			sk_dump_sa(sink, &m, &popts);
	}
	sk_prog_free(&prog);
	return 0;
}
