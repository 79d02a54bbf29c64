// SPDX-License-Identifier: BSD-2-Clause
/*
 * ike_sig.c and ike_cert.c on their own: signature round trips for every
 * key type in both method families, AlgorithmIdentifier parsing (good,
 * truncated, trailing garbage, refused algorithms), RSASSA-PSS as
 * libreswan signs it (SHA-512, salt 64, rsaEncryption key), identity matching
 * against subjectAltNames and subjects, chain verification (good,
 * expired, unknown CA, revoked by CRL, verify_cert off, pinned
 * peers_certfile), CERTREQ hashes and asn1dn text.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "cert_fixture.c"
#include "../../ikd/ike_cert.h"
#include "../../ikd/ike_msg.h"
#include "../../ikd/ike_sig.h"

static const uint8_t OCTETS[] = "IKE_SA_INIT | nonce | prf(SK_p, ID)";

static void round_trip(const char *type, uint32_t hashes, uint8_t want_method)
{
	EVP_PKEY *k = fx_key(type), *other = fx_key(type);
	uint8_t sig[IKE_SIG_MAX], bad[sizeof(OCTETS)];
	size_t len;
	uint8_t method = 0;
	char why[256] = "";

	assert_non_null(k);
	assert_int_equal(ike_sig_sign(k, hashes, OCTETS, sizeof(OCTETS),
				      &method, sig, sizeof(sig), &len, why,
				      sizeof(why)), 0);
	assert_int_equal(method, want_method);
	assert_int_equal(ike_sig_verify(k, method, sig, len, OCTETS,
					sizeof(OCTETS), why, sizeof(why)), 0);
	/* other octets, another key, a flipped bit: refused */
	memcpy(bad, OCTETS, sizeof(bad));
	bad[3] ^= 1;
	assert_int_equal(ike_sig_verify(k, method, sig, len, bad, sizeof(bad),
					why, sizeof(why)), -EACCES);
	assert_string_equal(why, "signature does not verify");
	assert_int_equal(ike_sig_verify(other, method, sig, len, OCTETS,
					sizeof(OCTETS), why, sizeof(why)),
			 -EACCES);
	sig[len - 1] ^= 0x80;
	assert_int_not_equal(ike_sig_verify(k, method, sig, len, OCTETS,
					    sizeof(OCTETS), why, sizeof(why)),
			     0);
	EVP_PKEY_free(k);
	EVP_PKEY_free(other);
}

static void test_sign_verify_each_key(void **state)
{
	(void)state;
	round_trip("rsa", IKE_SIGHASH_OURS, IKE_AUTH_DIGITAL_SIG);
	round_trip("rsa", 0, IKE_AUTH_RSA_SIG);
	round_trip("rsa-pss", IKE_SIGHASH_OURS, IKE_AUTH_DIGITAL_SIG);
	round_trip("ec256", IKE_SIGHASH_OURS, IKE_AUTH_DIGITAL_SIG);
	round_trip("ec256", 0, IKE_AUTH_ECDSA_256);
	round_trip("ec384", IKE_SIGHASH_OURS, IKE_AUTH_DIGITAL_SIG);
	round_trip("ec384", 0, IKE_AUTH_ECDSA_384);
	round_trip("ed25519", IKE_SIGHASH_OURS, IKE_AUTH_DIGITAL_SIG);
	/* a peer that takes only SHA-384 gets it from an RSA key */
	round_trip("rsa", IKE_SIGHASH_BIT(IKE_SIGHASH_SHA384),
		   IKE_AUTH_DIGITAL_SIG);
}

static void test_sign_needs_a_usable_hash(void **state)
{
	EVP_PKEY *ed = fx_key("ed25519");
	uint8_t sig[IKE_SIG_MAX], method;
	size_t len;
	char why[256];

	(void)state;
	/* Ed25519 has no classic method, and needs "identity" */
	assert_int_equal(ike_sig_sign(ed, 0, OCTETS, sizeof(OCTETS), &method,
				      sig, sizeof(sig), &len, why, sizeof(why)),
			 -EOPNOTSUPP);
	assert_non_null(strstr(why, "no SIGNATURE_HASH_ALGORITHMS"));
	assert_int_equal(ike_sig_sign(ed, IKE_SIGHASH_BIT(IKE_SIGHASH_SHA256),
				      OCTETS, sizeof(OCTETS), &method, sig,
				      sizeof(sig), &len, why, sizeof(why)),
			 -EOPNOTSUPP);
	EVP_PKEY_free(ed);
}

static void test_algorithm_identifier_parsing(void **state)
{
	EVP_PKEY *k = fx_key("ec256"), *rsa = fx_key("rsa");
	uint8_t sig[IKE_SIG_MAX], buf[IKE_SIG_MAX + 8], method;
	size_t len;
	char why[256], name[80];
	/* sha1WithRSAEncryption: not accepted in method 14 */
	static const uint8_t sha1rsa[] = { 15, 0x30, 0x0d, 0x06, 0x09, 0x2a,
		0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05, 0x05, 0x00,
		0x01, 0x02 };

	(void)state;
	assert_int_equal(ike_sig_sign(k, IKE_SIGHASH_OURS, OCTETS,
				      sizeof(OCTETS), &method, sig, sizeof(sig),
				      &len, why, sizeof(why)), 0);
	assert_string_equal(ike_sig_scheme_str(method, sig, len, name,
					       sizeof(name)),
			    "ecdsa-with-SHA256");
	/* the length byte longer than the payload, zero, or cutting the
	 * blob short */
	assert_int_equal(ike_sig_verify(k, method, sig, 5, OCTETS,
					sizeof(OCTETS), why, sizeof(why)),
			 -EBADMSG);
	memcpy(buf, sig, len);
	buf[0] = 0;
	assert_int_equal(ike_sig_verify(k, method, buf, len, OCTETS,
					sizeof(OCTETS), why, sizeof(why)),
			 -EBADMSG);
	buf[0] = (uint8_t)(sig[0] - 1);
	assert_int_equal(ike_sig_verify(k, method, buf, len, OCTETS,
					sizeof(OCTETS), why, sizeof(why)),
			 -EBADMSG);
	assert_non_null(strstr(why, "malformed AlgorithmIdentifier"));
	assert_int_equal(ike_sig_verify(k, method, buf, 1, OCTETS,
					sizeof(OCTETS), why, sizeof(why)),
			 -EBADMSG);
	/* an ECDSA signature checked with an RSA certificate */
	assert_int_equal(ike_sig_verify(rsa, method, sig, len, OCTETS,
					sizeof(OCTETS), why, sizeof(why)),
			 -EACCES);
	assert_non_null(strstr(why, "does not fit the certificate's RSA key"));
	assert_int_equal(ike_sig_verify(rsa, IKE_AUTH_DIGITAL_SIG, sha1rsa,
					sizeof(sha1rsa), OCTETS,
					sizeof(OCTETS), why, sizeof(why)),
			 -EOPNOTSUPP);
	assert_non_null(strstr(why, "is not accepted"));
	/* classic ECDSA: wrong size, wrong curve, PSK method */
	assert_int_equal(ike_sig_verify(k, IKE_AUTH_ECDSA_256, sig, 63, OCTETS,
					sizeof(OCTETS), why, sizeof(why)),
			 -EBADMSG);
	assert_int_equal(ike_sig_verify(k, IKE_AUTH_ECDSA_384, sig, 96, OCTETS,
					sizeof(OCTETS), why, sizeof(why)),
			 -EACCES);
	assert_int_equal(ike_sig_verify(k, IKE_AUTH_PSK, sig, 32, OCTETS,
					sizeof(OCTETS), why, sizeof(why)),
			 -EACCES);
	EVP_PKEY_free(k);
	EVP_PKEY_free(rsa);
}

/* RSASSA-PSS with SHA-512, MGF1 SHA-512, salt 64: the AlgorithmIdentifier
 * libreswan's pluto sends with an ordinary RSA (rsaEncryption) key. */
static const uint8_t PSS_SHA512[] = {
	0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	0x01, 0x0a, 0x30, 0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60,
	0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0xa1,
	0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
	0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
	0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01,
	0x40 };

/* AUTH data of method 14: PSS_SHA512, then a PSS signature of OCTETS with
 * SHA-512 and the salt length @salt. */
static size_t pss_auth(EVP_PKEY *k, int salt, uint8_t *out, size_t cap)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	size_t n = cap - 1 - sizeof(PSS_SHA512);

	out[0] = sizeof(PSS_SHA512);
	memcpy(out + 1, PSS_SHA512, sizeof(PSS_SHA512));
	assert_non_null(ctx);
	assert_int_equal(EVP_DigestSignInit(ctx, &pctx, EVP_sha512(), NULL, k),
			 1);
	assert_true(EVP_PKEY_CTX_set_rsa_padding(pctx,
						 RSA_PKCS1_PSS_PADDING) > 0);
	assert_true(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt) > 0);
	assert_true(EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha512()) > 0);
	assert_int_equal(EVP_DigestSign(ctx, out + 1 + sizeof(PSS_SHA512), &n,
					OCTETS, sizeof(OCTETS)), 1);
	EVP_MD_CTX_free(ctx);
	return 1 + sizeof(PSS_SHA512) + n;
}

static void test_pss_as_libreswan_signs(void **state)
{
	EVP_PKEY *rsa = fx_key("rsa"), *pss = fx_key("rsa-pss");
	uint8_t auth[IKE_SIG_MAX], method;
	size_t len;
	char why[256], name[80];

	(void)state;
	/* pluto's PSS with an rsaEncryption certificate: verified, and the
	 * log names its parameters */
	len = pss_auth(rsa, 64, auth, sizeof(auth));
	assert_int_equal(ike_sig_verify(rsa, IKE_AUTH_DIGITAL_SIG, auth, len,
					OCTETS, sizeof(OCTETS), why,
					sizeof(why)), 0);
	assert_string_equal(ike_sig_scheme_str(IKE_AUTH_DIGITAL_SIG, auth,
					       len, name, sizeof(name)),
			    "rsassaPss (sha512, MGF1 sha512, salt 64)");
	/* signed with another salt length than the blob says: refused */
	len = pss_auth(rsa, 32, auth, sizeof(auth));
	assert_int_equal(ike_sig_verify(rsa, IKE_AUTH_DIGITAL_SIG, auth, len,
					OCTETS, sizeof(OCTETS), why,
					sizeof(why)), -EACCES);
	assert_string_equal(why, "signature does not verify");
	/* what ikd itself sends with an RSA-PSS key */
	assert_int_equal(ike_sig_sign(pss, IKE_SIGHASH_OURS, OCTETS,
				      sizeof(OCTETS), &method, auth,
				      sizeof(auth), &len, why, sizeof(why)), 0);
	assert_string_equal(ike_sig_scheme_str(method, auth, len, name,
					       sizeof(name)),
			    "rsassaPss (sha256, MGF1 sha256, salt 32)");
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(pss);
}

static void test_hash_list(void **state)
{
	uint8_t out[16];
	static const uint8_t peer[] = { 0, 2, 0, 9, 0, 5, 0x40, 0x02, 0 };

	(void)state;
	assert_int_equal(ike_sig_hash_list(out, sizeof(out)), 8);
	assert_int_equal(ike_sig_parse_hashes(out, 8), IKE_SIGHASH_OURS);
	/* unknown values skipped, a last odd byte ignored */
	assert_int_equal(ike_sig_parse_hashes(peer, sizeof(peer)),
			 IKE_SIGHASH_BIT(2) | IKE_SIGHASH_BIT(5));
	assert_int_equal(ike_sig_parse_hashes(peer, 1), 0);
}

static void id_of(struct ike_id *id, uint8_t type, const char *s)
{
	memset(id, 0, sizeof(*id));
	id->type = type;
	if (type == IKE_ID_IPV4_ADDR) {
		inet_pton(AF_INET, s, id->data);
		id->len = 4;
	} else {
		id->len = (uint16_t)strlen(s);
		memcpy(id->data, s, id->len);
	}
}

static void test_identity_matching(void **state)
{
	EVP_PKEY *ck = fx_key("ec256"), *k = fx_key("ec256");
	X509 *ca = fx_cert("CA", ck, NULL, NULL, NULL, 1, -1, 30);
	X509 *x = fx_cert("gw", k, ca, ck, "DNS:gw.example,IP:192.0.2.1,"
			  "email:admin@example", 2, -1, 30);
	struct ike_id id, dn;
	char why[512];

	(void)state;
	id_of(&id, IKE_ID_FQDN, "gw.example");
	assert_int_equal(ike_cert_match_id(x, &id, why, sizeof(why)), 0);
	id_of(&id, IKE_ID_IPV4_ADDR, "192.0.2.1");
	assert_int_equal(ike_cert_match_id(x, &id, why, sizeof(why)), 0);
	id_of(&id, IKE_ID_RFC822_ADDR, "admin@example");
	assert_int_equal(ike_cert_match_id(x, &id, why, sizeof(why)), 0);
	assert_int_equal(ike_cert_subject_id(x, &dn), 0);
	assert_int_equal(ike_cert_match_id(x, &dn, why, sizeof(why)), 0);
	/* the same DN written as text, both of racoon's ways */
	assert_int_equal(ike_cert_dn_from_str("O=kipsec test, CN=gw", &id), 0);
	assert_int_equal(id.len, dn.len);
	assert_memory_equal(id.data, dn.data, dn.len);
	assert_int_equal(ike_cert_dn_from_str("/O=kipsec test/CN=gw", &id), 0);
	assert_memory_equal(id.data, dn.data, dn.len);
	assert_int_equal(ike_cert_dn_from_str("no equals sign", &id), -EINVAL);

	id_of(&id, IKE_ID_FQDN, "other.example");
	assert_int_equal(ike_cert_match_id(x, &id, why, sizeof(why)), -EACCES);
	assert_string_equal(why, "identity mismatch: ID fqdn:other.example not "
			    "in certificate subjectAltName (DNS:gw.example, "
			    "IP:192.0.2.1, email:admin@example)");
	/* the CN is not a subjectAltName */
	id_of(&id, IKE_ID_FQDN, "gw");
	assert_int_equal(ike_cert_match_id(x, &id, why, sizeof(why)), -EACCES);
	id_of(&id, IKE_ID_IPV4_ADDR, "192.0.2.2");
	assert_int_equal(ike_cert_match_id(x, &id, why, sizeof(why)), -EACCES);
	assert_non_null(strstr(why, "ID ipv4:192.0.2.2 not in"));
	assert_int_equal(ike_cert_dn_from_str("O=kipsec test, CN=other", &id), 0);
	assert_int_equal(ike_cert_match_id(x, &id, why, sizeof(why)), -EACCES);
	assert_non_null(strstr(why, "is not the certificate's subject"));
	assert_non_null(strstr(why, "CN = other"));
	/* a malformed DN from the wire */
	id.len = 3;
	assert_int_equal(ike_cert_match_id(x, &id, why, sizeof(why)), -EACCES);
	id_of(&id, IKE_ID_KEY_ID, "abc");
	assert_int_equal(ike_cert_match_id(x, &id, why, sizeof(why)), -EACCES);
	X509_free(x);
	X509_free(ca);
	EVP_PKEY_free(k);
	EVP_PKEY_free(ck);
}

/* The peer's certificate as the CERT payloads would carry it. */
static int check_peer_as(const struct ike_cert_cfg *cfg, X509 *leaf,
			 X509 *expect, char *why, size_t wl)
{
	struct ike_creds cr;
	struct ike_opaque_pl pl = { .type = 4 };
	unsigned char *der = NULL;
	int n = i2d_X509(leaf, &der), err;
	X509 *got = NULL;

	assert_true(n > 0);
	pl.data.ptr = der;
	pl.data.len = (size_t)n;
	err = ike_creds_load(cfg, false, true, &cr, why, wl);
	assert_int_equal(err, 0);
	err = ike_cert_peer(&cr, cfg, &pl, 1, &got, why, wl);
	if (!err)
		assert_int_equal(X509_cmp(got, expect), 0);
	X509_free(got);
	ike_creds_free(&cr);
	OPENSSL_free(der);
	return err;
}

static int check_peer(const struct ike_cert_cfg *cfg, X509 *leaf, char *why,
		      size_t wl)
{
	return check_peer_as(cfg, leaf, leaf, why, wl);
}

static void test_chain_verification(void **state)
{
	char dir[200], why[512];
	EVP_PKEY *ck = fx_key("ec256"), *ok = fx_key("ec256");
	EVP_PKEY *rk = fx_key("ed25519");
	X509 *ca = fx_cert("CA", ck, NULL, NULL, NULL, 1, -1, 30);
	X509 *rogue = fx_cert("CA", rk, NULL, NULL, NULL, 1, -1, 30);
	X509 *good = fx_cert("good", ok, ca, ck, "DNS:good", 10, -1, 30);
	X509 *old = fx_cert("old", ok, ca, ck, "DNS:old", 11, -30, -2);
	X509 *revoked = fx_cert("revoked", ok, ca, ck, "DNS:r", 12, -1, 30);
	X509 *stranger = fx_cert("stranger", ok, rogue, rk, "DNS:s", 13, -1, 30);
	X509_CRL *crl = fx_crl(ca, ck, 12);
	struct ike_cert_cfg cfg = { .verify_cert = true };
	struct ike_creds cr;
	uint8_t req[40], md[20];
	unsigned char *spki = NULL;
	unsigned int mdlen;
	int n;

	(void)state;
	fx_dir(dir, sizeof(dir));
	fx_write_cert(dir, "ca.pem", ca, false);
	fx_write_cert(dir, "good.pem", good, false);
	snprintf(cfg.ca, sizeof(cfg.ca), "%s/ca.pem", dir);
	assert_int_equal(check_peer(&cfg, good, why, sizeof(why)), 0);
	/* no CRL for this CA yet: the revoked one still passes */
	assert_int_equal(check_peer(&cfg, revoked, why, sizeof(why)), 0);
	assert_int_equal(check_peer(&cfg, old, why, sizeof(why)), -EACCES);
	assert_non_null(strstr(why, ": expired (depth 0)"));
	assert_int_equal(check_peer(&cfg, stranger, why, sizeof(why)), -EACCES);
	assert_non_null(strstr(why, ": unknown CA"));
	/* the CRL appended to the CA file */
	fx_write_crl(dir, "ca.pem", crl);
	assert_int_equal(check_peer(&cfg, revoked, why, sizeof(why)), -EACCES);
	assert_non_null(strstr(why, "CN=revoked: revoked"));
	assert_int_equal(check_peer(&cfg, good, why, sizeof(why)), 0);
	/* verify_cert off: the chain is not looked at */
	cfg.verify_cert = false;
	assert_int_equal(check_peer(&cfg, stranger, why, sizeof(why)), 0);
	/* peers_certfile pins that certificate, whatever was sent (the
	 * signature then has to be made with its key) */
	cfg.verify_cert = true;
	snprintf(cfg.peer_cert, sizeof(cfg.peer_cert), "%s/good.pem", dir);
	assert_int_equal(check_peer(&cfg, good, why, sizeof(why)), 0);
	assert_int_equal(check_peer_as(&cfg, stranger, good, why, sizeof(why)),
			 0);
	cfg.peer_cert[0] = '\0';
	/* CERTREQ: SHA-1 of the CA's SubjectPublicKeyInfo */
	assert_int_equal(ike_creds_load(&cfg, false, true, &cr, why,
					sizeof(why)), 0);
	assert_int_equal(ike_cert_req_data(&cr, req, sizeof(req)), 20);
	n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(ca), &spki);
	assert_true(n > 0);
	assert_int_equal(EVP_Digest(spki, (size_t)n, md, &mdlen, EVP_sha1(),
				    NULL), 1);
	assert_memory_equal(req, md, 20);
	OPENSSL_free(spki);
	ike_creds_free(&cr);
	/* a missing CA file is said so */
	snprintf(cfg.ca, sizeof(cfg.ca), "%s/none.pem", dir);
	assert_int_equal(ike_creds_load(&cfg, false, true, &cr, why,
					sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "none.pem"));
	ike_creds_free(&cr);

	fx_rmdir(dir);
	X509_CRL_free(crl);
	X509_free(ca);
	X509_free(rogue);
	X509_free(good);
	X509_free(old);
	X509_free(revoked);
	X509_free(stranger);
	EVP_PKEY_free(ck);
	EVP_PKEY_free(ok);
	EVP_PKEY_free(rk);
}

static void test_own_credentials(void **state)
{
	char dir[200], why[512];
	EVP_PKEY *ck = fx_key("ec256"), *k = fx_key("rsa"), *k2 = fx_key("rsa");
	X509 *ca = fx_cert("CA", ck, NULL, NULL, NULL, 1, -1, 30);
	X509 *x = fx_cert("me", k, ca, ck, "DNS:me", 2, -1, 30);
	struct ike_cert_cfg cfg = { .verify_cert = true };
	struct ike_creds cr;

	(void)state;
	fx_dir(dir, sizeof(dir));
	fx_write_cert(dir, "me.pem", x, false);
	fx_write_cert(dir, "me.pem", ca, true);	/* the chain after it */
	fx_write_key(dir, "me.key", k);
	fx_write_key(dir, "other.key", k2);
	snprintf(cfg.cert, sizeof(cfg.cert), "%s/me.pem", dir);
	snprintf(cfg.key, sizeof(cfg.key), "%s/me.key", dir);
	assert_int_equal(ike_creds_load(&cfg, true, false, &cr, why,
					sizeof(why)), 0);
	assert_int_equal(X509_cmp(cr.cert, x), 0);
	assert_int_equal(sk_X509_num(cr.chain), 1);
	ike_creds_free(&cr);
	snprintf(cfg.key, sizeof(cfg.key), "%s/other.key", dir);
	assert_int_equal(ike_creds_load(&cfg, true, false, &cr, why,
					sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "does not belong to certificate"));
	ike_creds_free(&cr);
	fx_rmdir(dir);
	X509_free(x);
	X509_free(ca);
	EVP_PKEY_free(k);
	EVP_PKEY_free(k2);
	EVP_PKEY_free(ck);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_verify_each_key),
		cmocka_unit_test(test_sign_needs_a_usable_hash),
		cmocka_unit_test(test_algorithm_identifier_parsing),
		cmocka_unit_test(test_pss_as_libreswan_signs),
		cmocka_unit_test(test_hash_list),
		cmocka_unit_test(test_identity_matching),
		cmocka_unit_test(test_chain_verification),
		cmocka_unit_test(test_own_credentials),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
