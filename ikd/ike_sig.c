// SPDX-License-Identifier: BSD-2-Clause
/*
 * AUTH payload signatures (ike_sig.h): RFC 7427 method 14 and the classic
 * methods 1, 9, 10, 11, all through OpenSSL 3's EVP_DigestSign/Verify.
 *
 * Method 14's AlgorithmIdentifier is written from a table of fixed DER
 * blobs (those strongSwan and libreswan send too) and read with OpenSSL's
 * parser, so that a peer's RSASSA-PSS parameters (hash, MGF1 hash, salt
 * length) are taken as it wrote them.
 */
#include "ike_sig.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ike_msg.h"

/* AlgorithmIdentifier blobs we send (DER). */
static const uint8_t ALG_RSA_SHA256[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	0x01, 0x0b, 0x05, 0x00 };
static const uint8_t ALG_RSA_SHA384[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	0x01, 0x0c, 0x05, 0x00 };
static const uint8_t ALG_RSA_SHA512[] = {
	0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	0x01, 0x0d, 0x05, 0x00 };
/* RSASSA-PSS, SHA-256, MGF1 with SHA-256, salt 32 (RFC 7427 A.4.3's shape) */
static const uint8_t ALG_PSS_SHA256[] = {
	0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	0x01, 0x0a, 0x30, 0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60,
	0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa1,
	0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
	0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
	0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01,
	0x20 };
static const uint8_t ALG_ECDSA_SHA256[] = {
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03,
	0x02 };
static const uint8_t ALG_ECDSA_SHA384[] = {
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03,
	0x03 };
static const uint8_t ALG_ECDSA_SHA512[] = {
	0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03,
	0x04 };
static const uint8_t ALG_ED25519[] = { 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65,
				       0x70 };
static const uint8_t ALG_ED448[] = { 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65,
				     0x71 };

/* One way of signing: the key type it needs, the digest (NULL for the
 * EdDSA "identity"), RSASSA-PSS parameters. */
struct sig_scheme {
	int pkey;		/* EVP_PKEY_RSA, _EC, _ED25519, _ED448 */
	const EVP_MD *md;
	const EVP_MD *mgf1;	/* PSS only */
	bool pss;
	int saltlen;		/* PSS only */
};

size_t ike_sig_hash_list(uint8_t *out, size_t cap)
{
	static const uint8_t ours[] = { 0, IKE_SIGHASH_SHA256, 0,
					IKE_SIGHASH_SHA384, 0,
					IKE_SIGHASH_SHA512, 0,
					IKE_SIGHASH_IDENTITY };
	size_t n = sizeof(ours) < cap ? sizeof(ours) : cap & ~(size_t)1;

	memcpy(out, ours, n);
	return n;
}

uint32_t ike_sig_parse_hashes(const uint8_t *data, size_t len)
{
	uint32_t bits = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		unsigned int h = (unsigned int)data[i] << 8 | data[i + 1];

		if (h >= IKE_SIGHASH_SHA1 && h <= IKE_SIGHASH_IDENTITY)
			bits |= IKE_SIGHASH_BIT(h);
	}
	return bits;
}

static void say(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

/* For messages: "RSA", "EC", "ED25519"... */
static const char *key_name(const EVP_PKEY *key)
{
	const char *n = EVP_PKEY_get0_type_name(key);

	return n ? n : "unknown";
}

/* The key's base type, RSA-PSS keys as RSA (they sign PSS only). */
static int key_type(EVP_PKEY *key, bool *pss_only)
{
	int t = EVP_PKEY_get_base_id(key);

	*pss_only = t == EVP_PKEY_RSA_PSS;
	return *pss_only ? EVP_PKEY_RSA : t;
}

/* The ECDSA curve's size in bytes (32, 48, 66), 0 for other curves. */
static size_t ec_field_len(EVP_PKEY *key)
{
	char name[64];
	size_t n;

	if (!EVP_PKEY_get_utf8_string_param(key, "group", name, sizeof(name),
					    &n))
		return 0;
	if (!strcmp(name, "prime256v1") || !strcmp(name, "P-256"))
		return 32;
	if (!strcmp(name, "secp384r1") || !strcmp(name, "P-384"))
		return 48;
	if (!strcmp(name, "secp521r1") || !strcmp(name, "P-521"))
		return 66;
	return 0;
}

static const EVP_MD *ec_md(size_t flen)
{
	return flen == 32 ? EVP_sha256() : flen == 48 ? EVP_sha384() :
	       EVP_sha512();
}

static int setup_pss(EVP_PKEY_CTX *pctx, const struct sig_scheme *s)
{
	if (!s->pss)
		return 1;
	return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
	       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, s->saltlen) > 0 &&
	       EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, s->mgf1) > 0;
}

static int do_sign(EVP_PKEY *key, const struct sig_scheme *s,
		   const uint8_t *octets, size_t olen, uint8_t *sig,
		   size_t cap, size_t *len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	size_t need = 0;
	int ok;

	ok = ctx && EVP_DigestSignInit(ctx, &pctx, s->md, NULL, key) == 1 &&
	     setup_pss(pctx, s) &&
	     EVP_DigestSign(ctx, NULL, &need, octets, olen) == 1 &&
	     need <= cap &&
	     EVP_DigestSign(ctx, sig, &need, octets, olen) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	*len = need;
	return ok ? 0 : -EINVAL;
}

static bool do_verify(EVP_PKEY *key, const struct sig_scheme *s,
		      const uint8_t *octets, size_t olen, const uint8_t *sig,
		      size_t slen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	bool ok;

	ok = ctx && EVP_DigestVerifyInit(ctx, &pctx, s->md, NULL, key) == 1 &&
	     setup_pss(pctx, s) &&
	     EVP_DigestVerify(ctx, sig, slen, octets, olen) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

/* DER Ecdsa-Sig-Value <-> RFC 4754's r | s, each @flen bytes. */
static int ecdsa_der_to_rs(const uint8_t *der, size_t dlen, size_t flen,
			   uint8_t *out)
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)dlen);
	int ok;

	if (!sig)
		return -EINVAL;
	ok = BN_bn2binpad(ECDSA_SIG_get0_r(sig), out, (int)flen) == (int)flen &&
	     BN_bn2binpad(ECDSA_SIG_get0_s(sig), out + flen, (int)flen) ==
		     (int)flen;
	ECDSA_SIG_free(sig);
	return ok ? 0 : -EINVAL;
}

static int ecdsa_rs_to_der(const uint8_t *rs, size_t flen, uint8_t *out,
			   size_t cap, size_t *len)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(rs, (int)flen, NULL);
	BIGNUM *s = BN_bin2bn(rs + flen, (int)flen, NULL);
	unsigned char *p = out;
	int n = -1;

	if (sig && r && s && ECDSA_SIG_set0(sig, r, s)) {
		r = s = NULL;	/* the ECDSA_SIG owns them */
		if (i2d_ECDSA_SIG(sig, NULL) <= (int)cap)
			n = i2d_ECDSA_SIG(sig, &p);
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(sig);
	if (n <= 0)
		return -EINVAL;
	*len = (size_t)n;
	return 0;
}

/* --- signing ------------------------------------------------------------ */

/* Method 14: the scheme and AlgorithmIdentifier for @key given the peer's
 * hashes. */
static int choose14(EVP_PKEY *key, uint32_t peer, struct sig_scheme *s,
		    const uint8_t **alg, size_t *alen, char *why, size_t wl)
{
	bool pss_only;
	int t = key_type(key, &pss_only);
	bool h256 = peer & IKE_SIGHASH_BIT(IKE_SIGHASH_SHA256);
	bool h384 = peer & IKE_SIGHASH_BIT(IKE_SIGHASH_SHA384);
	bool h512 = peer & IKE_SIGHASH_BIT(IKE_SIGHASH_SHA512);
	size_t flen;

	memset(s, 0, sizeof(*s));
	s->pkey = t;
#define PICK(blob, digest) (*alg = (blob), *alen = sizeof(blob), \
			    s->md = (digest), 0)
	switch (t) {
	case EVP_PKEY_ED25519:
	case EVP_PKEY_ED448:
		if (!(peer & IKE_SIGHASH_BIT(IKE_SIGHASH_IDENTITY)))
			break;
		return t == EVP_PKEY_ED25519 ? PICK(ALG_ED25519, NULL) :
					       PICK(ALG_ED448, NULL);
	case EVP_PKEY_RSA:
		if (pss_only) {
			if (!h256)
				break;
			s->pss = true;
			s->mgf1 = EVP_sha256();
			s->saltlen = 32;
			return PICK(ALG_PSS_SHA256, EVP_sha256());
		}
		if (h256)
			return PICK(ALG_RSA_SHA256, EVP_sha256());
		if (h384)
			return PICK(ALG_RSA_SHA384, EVP_sha384());
		if (h512)
			return PICK(ALG_RSA_SHA512, EVP_sha512());
		break;
	case EVP_PKEY_EC:
		flen = ec_field_len(key);
		if (flen == 32 && h256)
			return PICK(ALG_ECDSA_SHA256, EVP_sha256());
		if (flen == 48 && h384)
			return PICK(ALG_ECDSA_SHA384, EVP_sha384());
		if (flen && h512)
			return PICK(ALG_ECDSA_SHA512, EVP_sha512());
		if (flen && h384)
			return PICK(ALG_ECDSA_SHA384, EVP_sha384());
		if (flen && h256)
			return PICK(ALG_ECDSA_SHA256, EVP_sha256());
		break;
	default:
		say(why, wl, "the private key's type (%s) cannot sign IKE",
		    key_name(key));
		return -EOPNOTSUPP;
	}
#undef PICK
	say(why, wl, "the peer's SIGNATURE_HASH_ALGORITHMS has no hash our "
	    "%s key can sign with", key_name(key));
	return -EOPNOTSUPP;
}

static int sign14(EVP_PKEY *key, uint32_t peer, const uint8_t *octets,
		  size_t olen, uint8_t *out, size_t cap, size_t *len,
		  char *why, size_t wl)
{
	struct sig_scheme s;
	const uint8_t *alg;
	size_t alen, slen;
	int err = choose14(key, peer, &s, &alg, &alen, why, wl);

	if (err)
		return err;
	if (cap < 1 + alen)
		return -ENOSPC;
	out[0] = (uint8_t)alen;
	memcpy(out + 1, alg, alen);
	err = do_sign(key, &s, octets, olen, out + 1 + alen, cap - 1 - alen,
		      &slen);
	if (err) {
		say(why, wl, "signing with the %s key failed",
		    key_name(key));
		return err;
	}
	*len = 1 + alen + slen;
	return 0;
}

static int sign_classic(EVP_PKEY *key, const uint8_t *octets, size_t olen,
			uint8_t *method, uint8_t *out, size_t cap,
			size_t *len, char *why, size_t wl)
{
	struct sig_scheme s = { 0 };
	uint8_t der[160];
	size_t flen, dlen;
	bool pss_only;
	int t = key_type(key, &pss_only);

	if (t == EVP_PKEY_RSA && !pss_only) {
		s.md = EVP_sha1();	/* RFC 7296's RSA method: SHA-1 */
		*method = IKE_AUTH_RSA_SIG;
		if (!do_sign(key, &s, octets, olen, out, cap, len))
			return 0;
	} else if (t == EVP_PKEY_EC && (flen = ec_field_len(key)) &&
		   2 * flen <= cap) {
		s.md = ec_md(flen);
		*method = flen == 32 ? IKE_AUTH_ECDSA_256 :
			  flen == 48 ? IKE_AUTH_ECDSA_384 : IKE_AUTH_ECDSA_521;
		if (!do_sign(key, &s, octets, olen, der, sizeof(der), &dlen) &&
		    !ecdsa_der_to_rs(der, dlen, flen, out)) {
			*len = 2 * flen;
			return 0;
		}
	} else {
		say(why, wl, "the peer sent no SIGNATURE_HASH_ALGORITHMS "
		    "(RFC 7427), and a %s key has no other IKEv2 method",
		    key_name(key));
		return -EOPNOTSUPP;
	}
	say(why, wl, "signing with the %s key failed",
	    key_name(key));
	return -EINVAL;
}

int ike_sig_sign(EVP_PKEY *key, uint32_t peer_hashes, const uint8_t *octets,
		 size_t olen, uint8_t *method, uint8_t *out, size_t cap,
		 size_t *len, char *why, size_t whylen)
{
	*len = 0;
	if (peer_hashes) {
		*method = IKE_AUTH_DIGITAL_SIG;
		return sign14(key, peer_hashes, octets, olen, out, cap, len,
			      why, whylen);
	}
	return sign_classic(key, octets, olen, method, out, cap, len, why,
			    whylen);
}

/* --- verifying ---------------------------------------------------------- */

static const EVP_MD *md_of(const X509_ALGOR *a)
{
	const ASN1_OBJECT *obj;

	if (!a)
		return EVP_sha1();	/* PSS's default */
	X509_ALGOR_get0(&obj, NULL, NULL, a);
	return EVP_get_digestbynid(OBJ_obj2nid(obj));
}

/* RSASSA-PSS-params as the peer wrote them (RFC 4055 3.1). */
static int pss_params(const X509_ALGOR *alg, struct sig_scheme *s)
{
	const void *pval;
	int ptype;
	RSA_PSS_PARAMS *p;
	X509_ALGOR *mgf_hash = NULL;
	const ASN1_OBJECT *mgf_obj;
	int err = -EBADMSG;

	X509_ALGOR_get0(NULL, &ptype, &pval, alg);
	if (ptype != V_ASN1_SEQUENCE)
		return -EBADMSG;
	p = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(RSA_PSS_PARAMS),
				      (const ASN1_TYPE *)alg->parameter);
	if (!p)
		return -EBADMSG;
	s->pss = true;
	s->pkey = EVP_PKEY_RSA;
	s->md = md_of(p->hashAlgorithm);
	s->mgf1 = EVP_sha1();
	if (p->maskGenAlgorithm) {
		X509_ALGOR_get0(&mgf_obj, &ptype, &pval,
				p->maskGenAlgorithm);
		if (OBJ_obj2nid(mgf_obj) != NID_mgf1 || ptype != V_ASN1_SEQUENCE)
			goto out;
		mgf_hash = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(X509_ALGOR),
				(const ASN1_TYPE *)p->maskGenAlgorithm->parameter);
		s->mgf1 = mgf_hash ? md_of(mgf_hash) : NULL;
	}
	s->saltlen = 20;
	if (p->saltLength) {
		long v = ASN1_INTEGER_get(p->saltLength);

		if (v < 0 || v > 1024)
			goto out;
		s->saltlen = (int)v;
	}
	if (p->trailerField && ASN1_INTEGER_get(p->trailerField) != 1)
		goto out;
	if (s->md && s->mgf1)
		err = 0;
out:
	X509_ALGOR_free(mgf_hash);
	RSA_PSS_PARAMS_free(p);
	return err;
}

/* Method 14's AlgorithmIdentifier to a scheme. */
static int parse14(const uint8_t *der, size_t len, struct sig_scheme *s,
		   char *why, size_t wl)
{
	const unsigned char *p = der;
	X509_ALGOR *alg = d2i_X509_ALGOR(NULL, &p, (long)len);
	const ASN1_OBJECT *obj;
	int nid, mdnid, pknid, err = 0;

	memset(s, 0, sizeof(*s));
	if (!alg || p != der + len) {
		X509_ALGOR_free(alg);
		ERR_clear_error();
		say(why, wl, "malformed AlgorithmIdentifier in the AUTH "
		    "payload");
		return -EBADMSG;
	}
	X509_ALGOR_get0(&obj, NULL, NULL, alg);
	nid = OBJ_obj2nid(obj);
	if (nid == NID_ED25519 || nid == NID_ED448) {
		s->pkey = nid == NID_ED25519 ? EVP_PKEY_ED25519 :
					       EVP_PKEY_ED448;
	} else if (nid == NID_rsassaPss) {
		err = pss_params(alg, s);
	} else if (OBJ_find_sigid_algs(nid, &mdnid, &pknid) &&
		   (pknid == NID_rsaEncryption ||
		    pknid == NID_X9_62_id_ecPublicKey) &&
		   (mdnid == NID_sha256 || mdnid == NID_sha384 ||
		    mdnid == NID_sha512)) {
		s->pkey = pknid == NID_rsaEncryption ? EVP_PKEY_RSA :
						       EVP_PKEY_EC;
		s->md = EVP_get_digestbynid(mdnid);
	} else {
		err = -EOPNOTSUPP;
	}
	if (!err && s->md && EVP_MD_get_type(s->md) == NID_sha1 && !s->pss)
		err = -EOPNOTSUPP;
	if (err) {
		char name[80];

		OBJ_obj2txt(name, sizeof(name), obj, 0);
		say(why, wl, "signature algorithm %s is not accepted", name);
	}
	X509_ALGOR_free(alg);
	ERR_clear_error();
	return err;
}

static int verify14(EVP_PKEY *key, const uint8_t *auth, size_t alen,
		    const uint8_t *octets, size_t olen, char *why, size_t wl)
{
	struct sig_scheme s;
	bool pss_only;
	int t = key_type(key, &pss_only), err;

	if (alen < 1 || alen < 1 + (size_t)auth[0] || !auth[0]) {
		say(why, wl, "AUTH payload too short for its "
		    "AlgorithmIdentifier");
		return -EBADMSG;
	}
	err = parse14(auth + 1, auth[0], &s, why, wl);
	if (err)
		return err;
	if (s.pkey != t || (pss_only && !s.pss)) {
		say(why, wl, "the signature's algorithm does not fit the "
		    "certificate's %s key", key_name(key));
		return -EACCES;
	}
	if (!do_verify(key, &s, octets, olen, auth + 1 + auth[0],
		       alen - 1 - auth[0])) {
		say(why, wl, "signature does not verify");
		return -EACCES;
	}
	return 0;
}

static int verify_classic(EVP_PKEY *key, uint8_t method, const uint8_t *auth,
			  size_t alen, const uint8_t *octets, size_t olen,
			  char *why, size_t wl)
{
	struct sig_scheme s = { 0 };
	uint8_t der[160];
	size_t flen, want, dlen;
	bool pss_only;
	int t = key_type(key, &pss_only);

	if (method == IKE_AUTH_RSA_SIG) {
		if (t != EVP_PKEY_RSA || pss_only) {
			say(why, wl, "RSA signature method with a %s key",
			    key_name(key));
			return -EACCES;
		}
		s.md = EVP_sha1();
		if (do_verify(key, &s, octets, olen, auth, alen))
			return 0;
		say(why, wl, "signature does not verify");
		return -EACCES;
	}
	want = method == IKE_AUTH_ECDSA_256 ? 32 :
	       method == IKE_AUTH_ECDSA_384 ? 48 : 66;
	flen = t == EVP_PKEY_EC ? ec_field_len(key) : 0;
	if (flen != want) {
		say(why, wl, "ECDSA method does not fit the certificate's %s "
		    "key (curve or type)", key_name(key));
		return -EACCES;
	}
	if (alen != 2 * flen ||
	    ecdsa_rs_to_der(auth, flen, der, sizeof(der), &dlen)) {
		say(why, wl, "ECDSA signature of the wrong size");
		return -EBADMSG;
	}
	s.md = ec_md(flen);
	if (do_verify(key, &s, octets, olen, der, dlen))
		return 0;
	say(why, wl, "signature does not verify");
	return -EACCES;
}

int ike_sig_verify(EVP_PKEY *key, uint8_t method, const uint8_t *auth,
		   size_t alen, const uint8_t *octets, size_t olen, char *why,
		   size_t whylen)
{
	switch (method) {
	case IKE_AUTH_DIGITAL_SIG:
		return verify14(key, auth, alen, octets, olen, why, whylen);
	case IKE_AUTH_RSA_SIG:
	case IKE_AUTH_ECDSA_256:
	case IKE_AUTH_ECDSA_384:
	case IKE_AUTH_ECDSA_521:
		return verify_classic(key, method, auth, alen, octets, olen,
				      why, whylen);
	}
	say(why, whylen, "authentication method %s is not accepted with "
	    "certificates", ike_auth_method_name(method));
	return -EACCES;
}

const char *ike_sig_scheme_str(uint8_t method, const uint8_t *auth,
			       size_t alen, char *buf, size_t len)
{
	const unsigned char *p;
	const ASN1_OBJECT *obj;
	X509_ALGOR *alg;

	snprintf(buf, len, "%s", ike_auth_method_name(method));
	if (method != IKE_AUTH_DIGITAL_SIG || alen < 2 ||
	    alen < 1 + (size_t)auth[0])
		return buf;
	p = auth + 1;
	alg = d2i_X509_ALGOR(NULL, &p, auth[0]);
	if (alg) {
		struct sig_scheme s;
		int nid;

		X509_ALGOR_get0(&obj, NULL, NULL, alg);
		nid = OBJ_obj2nid(obj);
		snprintf(buf, len, "%s", OBJ_nid2ln(nid) ? OBJ_nid2ln(nid) :
			 "unknown");
		/* RSASSA-PSS: which hash, MGF1 hash and salt length */
		memset(&s, 0, sizeof(s));
		if (nid == NID_rsassaPss && !pss_params(alg, &s))
			snprintf(buf, len, "%s (%s, MGF1 %s, salt %d)",
				 OBJ_nid2ln(nid),
				 OBJ_nid2ln(EVP_MD_get_type(s.md)),
				 OBJ_nid2ln(EVP_MD_get_type(s.mgf1)),
				 s.saltlen);
	}
	X509_ALGOR_free(alg);
	ERR_clear_error();
	return buf;
}
