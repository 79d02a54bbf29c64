// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for ikd's reading of kernel messages
 * (ikd/kernel_pfkey_msg.c): whatever pfkey_parse() accepts is handed to
 * every ikd_pf_parse_* function, as dispatch() and the request replies
 * would, and an ACQUIRE's request is picked from the policy of the same
 * message. Seeds: tests/fuzz/corpus/ikd_pfkey (libpfkey's messages).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../ikd/kernel_pfkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ikd_kernel_policy pol;
	struct ikd_acquire acq;
	struct ikd_expire exp;
	struct ikd_sa_use use;
	struct pfkey_msg m;
	uint32_t id, spi;
	uint8_t *buf;

	/* The daemon's buffers are 8-byte aligned (malloc). */
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (pfkey_parse(buf, size, &m) == 0) {
		int have_pol = ikd_pf_parse_policy(&m, &pol) == 0;

		if (ikd_pf_parse_acquire(&m, &acq, &id) == 0 && have_pol) {
			acq.pol = pol;
			ikd_pf_acquire_pick(&acq);
		}
		ikd_pf_parse_expire(&m, &exp);
		ikd_pf_parse_sa_use(&m, &use);
		ikd_pf_parse_spi(&m, &spi);
	}
	free(buf);
	return 0;
}
