// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for libpfkey's parsers.  Each input is tried three ways:
 *
 *  1. as a PF_KEY message: pfkey_parse(), then every accessor on what it
 *     accepted (ASan catches any read the validation failed to bound);
 *  2. as an sadb_x_policy blob (also the x_policy of an accepted message):
 *     ipsec_dump_policy(), then the text must read back and dump the same;
 *  3. as a policy string: pfkey_policy_parse(), and an accepted string must
 *     survive blob -> text -> blob unchanged.
 *
 * Seeds: tests/fuzz/corpus/pfkey_msg (messages from the unit tests'
 * builder, plus a few policy strings).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <kipsec/libpfkey.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touch every byte an accessor hands out so ASan sees any overread. */
static volatile uint8_t sink;

static void touch(const void *p, size_t n)
{
	const volatile uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		sink ^= b[i];
}

/* Blob -> text -> blob -> text: the two texts must agree, and text that
 * ipsec_dump_policy prints for a policy it could express must read back. */
static void policy_round_trip(const struct sadb_x_policy *xp)
{
	const struct sadb_x_ipsecrequest *r = NULL;
	bool expressible = xp->sadb_x_policy_dir != IPSEC_DIR_ANY;
	char *t1, *t2, *b2;

	t1 = ipsec_dump_policy((const char *)xp, "\n\t");
	if (!t1)
		abort();	/* validated blobs always print */
	while ((r = pfkey_policy_next_request(xp, r)) != NULL) {
		const struct sockaddr *s, *d;

		/* The policy language has no "any" or "beet" mode. */
		if (r->sadb_x_ipsecrequest_mode != IPSEC_MODE_TRANSPORT &&
		    r->sadb_x_ipsecrequest_mode != IPSEC_MODE_TUNNEL)
			expressible = false;
		if (pfkey_request_addrs(r, &s, &d) == 0) {
			touch(s, pfkey_sockaddr_len(s));
			touch(d, pfkey_sockaddr_len(d));
		}
	}
	b2 = ipsec_set_policy(t1, -1);
	if (expressible && !b2)
		abort();
	if (b2) {
		t2 = ipsec_dump_policy(b2, "\n\t");
		if (!t2 || strcmp(t1, t2) != 0)
			abort();
		free(t2);
		free(b2);
	}
	free(t1);
}

static void exercise(const struct pfkey_msg *m)
{
	size_t n;
	const uint8_t *k;
	const struct sadb_x_policy *xp = pfkey_msg_policy(m);

	for (unsigned int t = 0; t < PFKEY_EXT_SLOTS; t++)
		if (m->ext[t])
			touch(m->ext[t], PFKEY_BYTES(m->ext[t]->sadb_ext_len));
	k = pfkey_key_data(pfkey_msg_key(m, SADB_EXT_KEY_AUTH), &n);
	touch(k, n);
	k = pfkey_key_data(pfkey_msg_key(m, SADB_EXT_KEY_ENCRYPT), &n);
	touch(k, n);
	for (uint16_t t = SADB_EXT_ADDRESS_SRC; t <= SADB_EXT_ADDRESS_PROXY; t++) {
		const struct sockaddr *sa =
			pfkey_address_sockaddr(pfkey_msg_address(m, t));

		if (sa)
			touch(sa, pfkey_sockaddr_len(sa));
	}
	touch(pfkey_supported_algs(pfkey_msg_supported(m,
		SADB_EXT_SUPPORTED_ENCRYPT), &n), n * sizeof(struct sadb_alg));
	touch(pfkey_prop_combs(pfkey_msg_proposal(m), &n),
	      n * sizeof(struct sadb_comb));
	{
		const char *s = pfkey_ident_string(pfkey_msg_ident(m,
						   SADB_EXT_IDENTITY_SRC));

		if (s)
			touch(s, strlen(s));
	}
	if (xp)
		policy_round_trip(xp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pfkey_msg m;
	uint8_t *copy;
	size_t off, elen;
	const char *err;
	char *blob;

	/* An exact-size heap copy so ASan flags reads past the end, and
	 * 8-byte aligned as kernel buffers are. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);

	/* 1. A whole message. */
	if (pfkey_parse(copy, size, &m) == 0)
		exercise(&m);

	/* 2. A bare policy blob (only read within its own length). */
	if (size >= sizeof(struct sadb_x_policy) &&
	    pfkey_policy_validate(copy, size) == 0)
		policy_round_trip((const struct sadb_x_policy *)copy);

	/* 3. A policy string. */
	blob = pfkey_policy_parse((const char *)copy, size, &off, &err);
	if (blob) {
		char *text = ipsec_dump_policy(blob, " ");
		char *again;

		elen = (size_t)ipsec_get_policylen(blob);
		if (!text || pfkey_policy_validate(blob, elen) != 0)
			abort();
		/* "dir" alone means priority 0, which prints as a full
		 * policy at the default priority: skip the identity check. */
		again = ipsec_set_policy(text, -1);
		if (!again)
			abort();
		if (((struct sadb_x_policy *)blob)->sadb_x_policy_priority != 0 &&
		    ((size_t)ipsec_get_policylen(again) != elen ||
		     memcmp(blob, again, elen) != 0))
			abort();
		free(again);
		free(text);
		free(blob);
	} else if (off > size || !err) {
		abort();
	}
	free(copy);
	return 0;
}
