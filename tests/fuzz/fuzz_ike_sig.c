// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for what IKE_AUTH with certificates reads from the
 * peer (ikd/ike_sig.c, ikd/ike_cert.c): each input is
 *
 *  byte 0      the AUTH method (taken modulo a list of interesting ones)
 *  byte 1      an ID type
 *  the rest    at once the AUTH data (RFC 7427 length byte and
 *              AlgorithmIdentifier, or a classic signature), a CERT
 *              payload's DER, a DER_ASN1_DN identity and a
 *              SIGNATURE_HASH_ALGORITHMS notify.
 *
 * The AUTH data is checked against an RSA, an ECDSA and an Ed25519 key;
 * the CERT payload is taken as the peer's certificate (verify_cert off,
 * so that any certificate that parses reaches the identity match, which
 * gets an ID made of the input). Nothing may crash, leak or read past the
 * input; a forged signature must never verify.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "../../ikd/ike_cert.h"
#include "../../ikd/ike_msg.h"
#include "../../ikd/ike_sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static EVP_PKEY *keys[3];

static void init(void)
{
	if (keys[0])
		return;
	keys[0] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	keys[1] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	keys[2] = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!keys[0] || !keys[1] || !keys[2])
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t methods[] = { IKE_AUTH_DIGITAL_SIG, IKE_AUTH_RSA_SIG,
					   IKE_AUTH_ECDSA_256, IKE_AUTH_ECDSA_384,
					   IKE_AUTH_ECDSA_521, IKE_AUTH_PSK };
	static const uint8_t octets[] = "signed octets";
	struct ike_cert_cfg cfg = { .verify_cert = false };
	struct ike_creds cr = { 0 };
	struct ike_opaque_pl pl = { .type = 4 };
	struct ike_id id = { 0 };
	char why[768], name[80];
	const uint8_t *rest;
	size_t n;
	X509 *x = NULL;
	uint8_t *copy;

	init();
	if (size < 2)
		return 0;
	rest = data + 2;
	n = size - 2;
	/* A copy of exactly the input's size, so that ASan sees any read
	 * past it. */
	copy = malloc(n ? n : 1);
	if (!copy)
		return 0;
	memcpy(copy, rest, n);
	for (int k = 0; k < 3; k++)
		if (!ike_sig_verify(keys[k], methods[data[0] % sizeof(methods)],
				    copy, n, octets, sizeof(octets), why,
				    sizeof(why)))
			abort();	/* a forgery */
	ike_sig_scheme_str(methods[data[0] % sizeof(methods)], copy, n, name,
			   sizeof(name));
	ike_sig_parse_hashes(copy, n);
	ike_cert_dn_str(copy, n, why, sizeof(why));

	pl.data.ptr = copy;
	pl.data.len = n;
	cr.store = X509_STORE_new();
	if (cr.store && !ike_cert_peer(&cr, &cfg, &pl, 1, &x, why,
				       sizeof(why))) {
		id.type = data[1];
		id.len = (uint16_t)(n < IKE_ID_MAX ? n : IKE_ID_MAX);
		memcpy(id.data, copy, id.len);
		ike_cert_match_id(x, &id, why, sizeof(why));
		X509_free(x);
	}
	ike_creds_free(&cr);
	free(copy);
	return 0;
}
