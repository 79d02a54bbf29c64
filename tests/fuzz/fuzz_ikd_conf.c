// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for ikd's racoon.conf: the scanner, the grammar with its
 * error recovery, every value check, then the lookups and the printers on
 * whatever model comes out; the same bytes as a psk.txt. Pure: includes are
 * refused in the buffer form and nothing touches the file system.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../ikd/conf.h"
#include "../../ikd/psk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const struct ikd_conf *c)
{
	static const char *const sels[][2] = {
		{ "10.0.0.0", "10.1.0.0" }, { "192.0.2.1[500]", "0.0.0.0" },
		{ "2001:db8::", "2001:db8:1::1" },
	};
	struct ikd_id peer = { .type = IKD_ID_FQDN, .value = "peer.example" };
	char buf[512];

	for (const struct ikd_remote *r = c->remotes; r; r = r->next) {
		ikd_remote_str(r, buf, sizeof(buf));
		if (r->addr.family && ikd_conf_find_remote(c, &r->addr) == NULL)
			__builtin_trap();	/* its own address finds one */
		if (r->name && ikd_conf_find_remote_by_name(c, r->name) == NULL)
			__builtin_trap();
		for (size_t i = 0; i < r->n_proposal; i++)
			if (!ikd_encr_name(r->proposal[i].encr.id) ||
			    !ikd_hash_name(r->proposal[i].hash) ||
			    !ikd_dh_name(r->proposal[i].dh_group))
				__builtin_trap();	/* complete proposals */
	}
	for (const struct ikd_sainfo *s = c->sainfos; s; s = s->next)
		ikd_sainfo_str(s, buf, sizeof(buf));
	for (size_t i = 0; i < sizeof(sels) / sizeof(sels[0]); i++) {
		struct ikd_sel sel = { .src_plen = 24, .dst_plen = 32 };

		ikd_addr_parse(&sel.src, sels[i][0]);
		ikd_addr_parse(&sel.dst, sels[i][1]);
		ikd_conf_find_sainfo(c, &sel, &peer, &sel.dst, 0);
		ikd_conf_find_sainfo(c, &sel, NULL, NULL, 7);
		ikd_conf_find_remote(c, &sel.dst);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct ikd_conf *c;
	struct ikd_psk *k;
	struct ikd_diag d;

	if (!sink)
		sink = fopen("/dev/null", "w");
	ikd_diag_init(&d);
	if (ikd_conf_load_buffer("fuzz.conf", (const char *)data, size, &c,
				 &d) == 0) {
		if (ikd_diag_errors(&d))
			__builtin_trap();	/* a model only without errors */
		walk(c);
		ikd_conf_free(c);
	} else if (c || !ikd_diag_errors(&d)) {
		__builtin_trap();		/* a failure says why */
	}
	if (sink)
		ikd_diag_print(&d, sink);
	ikd_diag_free(&d);

	ikd_diag_init(&d);
	if (ikd_psk_parse("fuzz.txt", (const char *)data, size, &k, &d) == 0) {
		for (size_t i = 0; i < k->n; i++)
			if (ikd_psk_find(k, k->v[i].id) == NULL)
				__builtin_trap();
		ikd_psk_free(k);
	}
	ikd_diag_free(&d);
	return 0;
}
