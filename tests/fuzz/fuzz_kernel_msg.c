// SPDX-License-Identifier: BSD-2-Clause
/*
 * Fuzz kipsec.ko's PF_KEY message validator, compiled in userspace from the
 * very same source (kernel/pfkey_msg.c). Beyond "no crash", it checks the
 * promises handlers rely on: every extension lies inside the message, is at
 * least as long as its struct, and policy requests stay in bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../kernel/pfkey_msg.c"

static uint64_t fuzz_buf[KIPSEC_MSG_MAX / 8 + 1];

static void fuzz_check_policy(const struct sadb_x_policy *pol)
{
	const uint8_t *end = (const uint8_t *)pol + pol->sadb_x_policy_len * 8;
	const struct sadb_x_ipsecrequest *rq = NULL;
	unsigned int n = 0;

	while ((rq = kipsec_policy_next_req(pol, rq))) {
		if ((const uint8_t *)rq + rq->sadb_x_ipsecrequest_len > end)
			abort();
		if (++n > KIPSEC_MAX_REQS)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *base = (const uint8_t *)fuzz_buf;
	struct kipsec_msg m;
	unsigned int t;

	if (size > KIPSEC_MSG_MAX)
		return 0;
	/* The kernel parses from an skb, which is 8-byte aligned. */
	memcpy(fuzz_buf, data, size);
	if (kipsec_msg_check_header(fuzz_buf, size))
		return 0;
	if (kipsec_msg_parse(fuzz_buf, size, &m))
		return 0;
	for (t = 0; t < ARRAY_SIZE(m.ext); t++) {
		const struct sadb_ext *e = m.ext[t];

		if (!e)
			continue;
		if ((const uint8_t *)e < base + sizeof(struct sadb_msg) ||
		    (const uint8_t *)e + e->sadb_ext_len * 8 > base + size ||
		    e->sadb_ext_len * 8u < kipsec_ext_min[t])
			abort();
	}
	if (m.ext[SADB_X_EXT_POLICY])
		fuzz_check_policy((const void *)m.ext[SADB_X_EXT_POLICY]);
	return 0;
}
