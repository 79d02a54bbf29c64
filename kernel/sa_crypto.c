// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The packet-path state of an SA, built when the SA is added (process
 * context: the crypto API may load modules): one transform, an AEAD for
 * ESP as esp4 builds it or an ahash for AH, and the replay window. IPcomp
 * SAs share one per-CPU set of deflate transforms (ipcomp.c).
 *
 * Every ESP SA becomes one AEAD: combined-mode algorithms as they are,
 * others as authenc(auth, cipher) (authencesn with ESN). An IV generator
 * template wraps ciphers that need an IV, so the IV comes from the
 * sequence number (seqiv: counter modes) or a chain (echainiv: CBC).
 * Asynchronous implementations are welcome: esp.c and ah.c handle
 * completions. The crypto API zeroes a transform, key included, when it
 * is freed.
 */
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/rtnetlink.h>
#include <crypto/authenc.h>
#include <crypto/hash.h>
#include <kipsec/pfkey_ext.h>
#include "alg.h"
#include "dp.h"

static int kipsec_aead_name(char *buf, size_t len, const struct kipsec_sa *sa,
			    const struct kipsec_alg *e,
			    const struct kipsec_alg *a, bool esn)
{
	const char *tmpl = esn ? "authencesn" : "authenc";
	const char *geniv;
	int n;

	if (e->aead) {
		n = snprintf(buf, len, "seqiv(%s)", e->name);
	} else if (!e->ivlen) {
		n = snprintf(buf, len, "%s(%s,%s)", tmpl,
			     a ? a->name : "digest_null", e->name);
	} else {
		geniv = e->id == SADB_X_EALG_AESCTR ? "seqiv" : "echainiv";
		n = snprintf(buf, len, "%s(%s(%s,%s))", geniv, tmpl,
			     a ? a->name : "digest_null", e->name);
	}
	return n < len ? 0 : -ENAMETOOLONG;
}

static unsigned int kipsec_key_bytes(const struct sadb_key *k)
{
	return k ? k->sadb_key_bits / 8 : 0;
}

static const u8 *kipsec_key_data(const struct sadb_key *k)
{
	return (const u8 *)(k + 1);
}

/* authenc's key: an rtattr with the cipher key length, then both keys. */
static int kipsec_authenc_setkey(struct crypto_aead *aead,
				 const struct kipsec_sa *sa)
{
	unsigned int alen = kipsec_key_bytes(sa->akey);
	unsigned int elen = kipsec_key_bytes(sa->ekey);
	struct crypto_authenc_key_param *param;
	unsigned int len = RTA_SPACE(sizeof(*param)) + alen + elen;
	struct rtattr *rta;
	u8 *buf, *p;
	int err;

	buf = kmalloc(len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	rta = (struct rtattr *)buf;
	rta->rta_type = CRYPTO_AUTHENC_KEYA_PARAM;
	rta->rta_len = RTA_LENGTH(sizeof(*param));
	param = RTA_DATA(rta);
	param->enckeylen = cpu_to_be32(elen);
	p = buf + RTA_SPACE(sizeof(*param));
	if (alen)
		memcpy(p, kipsec_key_data(sa->akey), alen);
	if (elen)
		memcpy(p + alen, kipsec_key_data(sa->ekey), elen);
	err = crypto_aead_setkey(aead, buf, len);
	kfree_sensitive(buf);
	return err;
}

/* The truncated ICV of @a (RFC 2403, 2404, 3566, 4868), or as the SA says. */
static unsigned int kipsec_auth_icv_bytes(const struct kipsec_sa *sa,
					  const struct kipsec_alg *a)
{
	if (!a)
		return 0;
	if (sa->kx.sadb_x_kipsec_sa_icvbits)
		return sa->kx.sadb_x_kipsec_sa_icvbits / 8;
	return a->icvbits / 8;
}

static unsigned int kipsec_icv_bytes(const struct kipsec_sa *sa,
				     const struct kipsec_alg *e,
				     const struct kipsec_alg *a)
{
	if (e->aead)
		return e->icvbits / 8;
	return kipsec_auth_icv_bytes(sa, a);
}

static struct kipsec_sa_dp *kipsec_dp_alloc(const struct kipsec_sa *sa)
{
	u32 win = sa->replay, nbits;
	struct kipsec_sa_dp *dp;

	if (sa->kx.sadb_x_kipsec_sa_len)
		win = sa->kx.sadb_x_kipsec_sa_replay;
	nbits = roundup_pow_of_two(max_t(u32, win, BITS_PER_LONG));
	dp = kzalloc(struct_size(dp, bitmap, BITS_TO_LONGS(nbits)),
		     GFP_KERNEL);
	if (!dp)
		return NULL;
	spin_lock_init(&dp->replay_lock);
	dp->win = win;
	dp->nbits = nbits;
	return dp;
}

static int kipsec_dp_crypto(struct kipsec_sa *sa, struct kipsec_sa_dp *dp)
{
	const struct kipsec_alg *e, *a = NULL;
	struct crypto_aead *aead;
	char name[CRYPTO_MAX_ALG_NAME];
	int err;

	e = kipsec_alg_find(KIPSEC_ALG_ENC, sa->ealg);
	if (sa->aalg)
		a = kipsec_alg_find(KIPSEC_ALG_AUTH, sa->aalg);
	if (!e || (sa->aalg && !a) || (e->aead && a))
		return -EINVAL;
	err = kipsec_aead_name(name, sizeof(name), sa, e, a, dp->esn);
	if (err)
		return err;
	aead = crypto_alloc_aead(name, 0, 0);
	if (IS_ERR(aead)) {
		err = PTR_ERR(aead);
		/* The kernel has no such algorithm. */
		return err == -ENOENT ? -EOPNOTSUPP : err;
	}
	dp->aead = aead;
	if (e->aead)
		err = crypto_aead_setkey(aead, kipsec_key_data(sa->ekey),
					 kipsec_key_bytes(sa->ekey));
	else
		err = kipsec_authenc_setkey(aead, sa);
	if (!err)
		err = crypto_aead_setauthsize(aead, kipsec_icv_bytes(sa, e, a));
	if (err)
		return err;
	dp->ivlen = crypto_aead_ivsize(aead);
	dp->icvlen = crypto_aead_authsize(aead);
	dp->blksize = ALIGN(crypto_aead_blocksize(aead), 4);
	return 0;
}

/* AH: the keyed hash, and the header length its ICV makes. */
static int kipsec_dp_ahash(struct kipsec_sa *sa, struct kipsec_sa_dp *dp)
{
	const struct kipsec_alg *a = kipsec_alg_find(KIPSEC_ALG_AUTH, sa->aalg);
	struct crypto_ahash *ahash;
	int err = 0;

	if (!a)
		return -EINVAL;
	ahash = crypto_alloc_ahash(a->name, 0, 0);
	if (IS_ERR(ahash)) {
		err = PTR_ERR(ahash);
		return err == -ENOENT ? -EOPNOTSUPP : err;
	}
	dp->ahash = ahash;
	if (sa->akey)
		err = crypto_ahash_setkey(ahash, kipsec_key_data(sa->akey),
					  kipsec_key_bytes(sa->akey));
	if (err)
		return err;
	dp->icvlen = kipsec_auth_icv_bytes(sa, a);
	if (dp->icvlen > crypto_ahash_digestsize(ahash))
		return -EINVAL;
	/* RFC 4302 3.3.3.2.1: a multiple of 32 bits in IPv4, 64 in IPv6. */
	dp->ahlen = ALIGN(sizeof(struct ip_auth_hdr) + dp->icvlen,
			  sa->dst.family == AF_INET ? 4 : 8);
	return 0;
}

/* Any member of the union; every free function takes NULL. */
static void kipsec_dp_free_tfm(struct kipsec_sa_dp *dp)
{
	if (dp->proto == IPPROTO_COMP)
		kipsec_ipcomp_release(dp);
	else if (dp->proto == IPPROTO_AH)
		crypto_free_ahash(dp->ahash);
	else
		crypto_free_aead(dp->aead);
}

int kipsec_sa_dp_init(struct kipsec_sa *sa)
{
	struct kipsec_sa_dp *dp;
	int err;

	if (sa->satype != SADB_SATYPE_ESP && sa->satype != SADB_SATYPE_AH &&
	    sa->satype != SADB_X_SATYPE_IPCOMP)
		return 0;
	if (sa->satype == SADB_SATYPE_ESP && sa->ealg != SADB_EALG_NULL &&
	    !sa->ekey)
		return -EINVAL;
	dp = kipsec_dp_alloc(sa);
	if (!dp)
		return -ENOMEM;
	dp->esn = sa->kx.sadb_x_kipsec_sa_len &&
		  (sa->kx.sadb_x_kipsec_sa_flags & KIPSEC_SA_F_ESN);
	if (sa->satype == SADB_X_SATYPE_IPCOMP) {
		/* The SPI field holds the CPI, well-known or negotiated. */
		dp->proto = IPPROTO_COMP;
		err = kipsec_ipcomp_init(sa, dp);
	} else if (sa->satype == SADB_SATYPE_AH) {
		dp->proto = IPPROTO_AH;
		err = kipsec_dp_ahash(sa, dp);
	} else {
		dp->proto = IPPROTO_ESP;
		dp->encap = sa->natt_type ? sizeof(struct udphdr) : 0;
		err = kipsec_dp_crypto(sa, dp);
	}
	if (err) {
		kipsec_dp_free_tfm(dp);
		kfree(dp);
		return err;
	}
	sa->dp = dp;
	return 0;
}

void kipsec_sa_dp_free(struct kipsec_sa *sa)
{
	if (!sa->dp)
		return;
	kipsec_dp_free_tfm(sa->dp);
	kfree(sa->dp);
	sa->dp = NULL;
}
