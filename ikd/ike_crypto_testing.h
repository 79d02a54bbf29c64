/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * For tests only: Diffie-Hellman with a given private key, so that known
 * answers (RFC 5903 8, RFC 7748 6) can be checked. ikd itself never
 * includes this; a key pair it uses is always fresh from ike_dh_new().
 */
#ifndef IKD_IKE_CRYPTO_TESTING_H
#define IKD_IKE_CRYPTO_TESTING_H

#include "ike_crypto.h"

/* @priv as the wire carries numbers of its group: big-endian for MODP and
 * ECP, RFC 7748's little-endian scalar for Curve25519/448. NULL on
 * failure. */
struct ike_dh *ike_dh_new_with_private(uint16_t group, const uint8_t *priv,
				       size_t len);

#endif /* IKD_IKE_CRYPTO_TESTING_H */
