/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * PF_KEY v2 message validation: a message is checked once, at the socket
 * boundary, and split into an extension array; handlers then trust it.
 */
#ifndef KIPSEC_PFKEY_MSG_H
#define KIPSEC_PFKEY_MSG_H

#include "compat.h"

/* At most this many requests (a bundle) in one policy. */
#define KIPSEC_MAX_REQS		4

/* Largest message: sadb_msg_len is a u16 count of 64-bit words. */
#define KIPSEC_MSG_MAX		(0xffffu * 8)

struct kipsec_msg {
	const struct sadb_msg *hdr;
	/* ext[t] is the extension of type t, or NULL when absent. */
	const struct sadb_ext *ext[SADB_X_EXT_KIPSEC_MAX + 1];
};

int kipsec_msg_check_header(const void *buf, size_t len);
int kipsec_msg_parse(const void *buf, size_t len, struct kipsec_msg *m);

const struct sockaddr *kipsec_msg_sockaddr(const struct sadb_address *a);
unsigned int kipsec_sockaddr_len(unsigned int family);
int kipsec_policy_blob_check(const struct sadb_x_policy *pol, size_t len);
const struct sadb_x_ipsecrequest *
kipsec_policy_next_req(const struct sadb_x_policy *pol,
		       const struct sadb_x_ipsecrequest *prev);

static inline const void *kipsec_msg_ext(const struct kipsec_msg *m,
					 unsigned int type)
{
	return m->ext[type];
}

#endif /* KIPSEC_PFKEY_MSG_H */
