// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Algorithm table. Ids and key sizes are Linux's PF_KEY ones (so setkey
 * works the same against af_key), plus ChaCha20-Poly1305 at IANA's 28.
 *
 * Availability is asked of the crypto API by a work item that the first
 * REGISTER starts (a key manager has come; with manual keys alone nothing
 * needs it), because asking loads modules and runs the crypto self-tests:
 * from a second to minutes (slub_debug under emulation). Nothing waits
 * for it.
 * Until it has tried an algorithm, REGISTER and ACQUIRE list it, as KAME
 * lists what it was built with: racoon checks its configuration against
 * the SUPPORTED lists of its REGISTER at start and stops on an algorithm
 * missing there, so a list cut short would stop it, whereas an algorithm
 * listed but missing costs one failed ADD. Once tried, only the algorithms
 * the crypto API has are listed. See docs/kipsec.4.
 */
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/pfkeyv2.h>
#include <linux/crypto.h>
#include <crypto/aead.h>
#include <crypto/hash.h>
#include <crypto/skcipher.h>
#include <kipsec/pfkey_ext.h>
#include "alg.h"
#include "pfkey.h"

#define AUTH(i, lo, hi, icv, n) \
	{ KIPSEC_ALG_AUTH, i, false, 0, lo, hi, 8, icv, n }
#define ENC(i, iv, lo, hi, step, n) \
	{ KIPSEC_ALG_ENC, i, false, iv, lo, hi, step, 0, n }
#define AEAD(i, iv, lo, hi, icv, n) \
	{ KIPSEC_ALG_ENC, i, true, iv, lo, hi, 64, icv, n }

static const struct kipsec_alg kipsec_algs[] = {
	AUTH(SADB_X_AALG_NULL, 0, 0, 0, "digest_null"),
	AUTH(SADB_AALG_MD5HMAC, 128, 128, 96, "hmac(md5)"),
	AUTH(SADB_AALG_SHA1HMAC, 160, 160, 96, "hmac(sha1)"),
	AUTH(SADB_X_AALG_SHA2_256HMAC, 256, 256, 128, "hmac(sha256)"),
	AUTH(SADB_X_AALG_SHA2_384HMAC, 384, 384, 192, "hmac(sha384)"),
	AUTH(SADB_X_AALG_SHA2_512HMAC, 512, 512, 256, "hmac(sha512)"),
	AUTH(SADB_X_AALG_RIPEMD160HMAC, 160, 160, 96, "hmac(rmd160)"),
	AUTH(SADB_X_AALG_AES_XCBC_MAC, 128, 128, 96, "xcbc(aes)"),
	AUTH(SADB_X_AALG_SM3_256HMAC, 256, 256, 256, "hmac(sm3)"),
	ENC(SADB_EALG_NULL, 0, 0, 0, 8, "ecb(cipher_null)"),
	ENC(SADB_EALG_DESCBC, 8, 64, 64, 8, "cbc(des)"),
	ENC(SADB_EALG_3DESCBC, 8, 192, 192, 8, "cbc(des3_ede)"),
	ENC(SADB_X_EALG_CASTCBC, 8, 40, 128, 8, "cbc(cast5)"),
	ENC(SADB_X_EALG_BLOWFISHCBC, 8, 40, 448, 8, "cbc(blowfish)"),
	ENC(SADB_X_EALG_AESCBC, 16, 128, 256, 64, "cbc(aes)"),
	ENC(SADB_X_EALG_AESCTR, 8, 160, 288, 64, "rfc3686(ctr(aes))"),
	ENC(SADB_X_EALG_CAMELLIACBC, 16, 128, 256, 64, "cbc(camellia)"),
	ENC(SADB_X_EALG_SM4CBC, 16, 128, 128, 8, "cbc(sm4)"),
	ENC(SADB_X_EALG_SERPENTCBC, 16, 128, 256, 64, "cbc(serpent)"),
	ENC(SADB_X_EALG_TWOFISHCBC, 16, 128, 256, 64, "cbc(twofish)"),
	AEAD(SADB_X_EALG_AES_CCM_ICV8, 8, 152, 280, 64, "rfc4309(ccm(aes))"),
	AEAD(SADB_X_EALG_AES_CCM_ICV12, 8, 152, 280, 96, "rfc4309(ccm(aes))"),
	AEAD(SADB_X_EALG_AES_CCM_ICV16, 8, 152, 280, 128, "rfc4309(ccm(aes))"),
	AEAD(SADB_X_EALG_AES_GCM_ICV8, 8, 160, 288, 64, "rfc4106(gcm(aes))"),
	AEAD(SADB_X_EALG_AES_GCM_ICV12, 8, 160, 288, 96, "rfc4106(gcm(aes))"),
	AEAD(SADB_X_EALG_AES_GCM_ICV16, 8, 160, 288, 128, "rfc4106(gcm(aes))"),
	AEAD(SADB_X_EALG_NULL_AES_GMAC, 8, 160, 288, 128, "rfc4543(gcm(aes))"),
	AEAD(SADB_X_EALG_CHACHA20_POLY1305, 8, 288, 288, 128,
	     "rfc7539esp(chacha20,poly1305)"),
	{ KIPSEC_ALG_COMP, SADB_X_CALG_DEFLATE, false, 0, 0, 0, 8, 0,
	  "deflate" },
};

#define KIPSEC_NALGS	ARRAY_SIZE(kipsec_algs)

/* What the probe found; read locklessly, from any context. */
enum { KIPSEC_ALG_UNTRIED, KIPSEC_ALG_HAVE, KIPSEC_ALG_MISSING };
static u8 kipsec_alg_state[KIPSEC_NALGS];
static unsigned int kipsec_alg_tried;	/* entries of the table so far */

static void kipsec_alg_probe_work(struct work_struct *work);
static DECLARE_WORK(kipsec_alg_work, kipsec_alg_probe_work);
static DECLARE_WAIT_QUEUE_HEAD(kipsec_alg_waitq);
static unsigned long kipsec_alg_started;	/* bit 0: the work was queued */
static bool kipsec_alg_stopping;

/* For tests: a slow probe, to see that nothing waits for it. */
static unsigned int kipsec_probe_delay_ms;
module_param_named(probe_delay_ms, kipsec_probe_delay_ms, uint, 0444);
MODULE_PARM_DESC(probe_delay_ms,
		 "pause before probing each algorithm (for tests), ms");

const struct kipsec_alg *kipsec_alg_find(enum kipsec_alg_kind kind, u8 id)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kipsec_algs); i++)
		if (kipsec_algs[i].kind == kind && kipsec_algs[i].id == id)
			return &kipsec_algs[i];
	return NULL;
}

bool kipsec_alg_key_ok(const struct kipsec_alg *alg, unsigned int bits)
{
	if (bits < alg->minbits || bits > alg->maxbits)
		return false;
	return (bits - alg->minbits) % alg->stepbits == 0;
}

/* 0 is the default; HMAC-SHA2-256 may also ask for the legacy 96 bits. */
bool kipsec_alg_icv_ok(const struct kipsec_alg *alg, unsigned int icvbits)
{
	if (!icvbits || icvbits == alg->icvbits)
		return true;
	return alg->id == SADB_X_AALG_SHA2_256HMAC && icvbits == 96;
}

static bool kipsec_alg_probe_one(const struct kipsec_alg *alg)
{
	if (alg->kind == KIPSEC_ALG_AUTH)
		return crypto_has_ahash(alg->name, 0, 0);
	if (alg->aead)
		return crypto_has_alg(alg->name, CRYPTO_ALG_TYPE_AEAD,
				      CRYPTO_ALG_TYPE_MASK);
	return crypto_has_skcipher(alg->name, 0, 0);
}

/* The pause of probe_delay_ms; true once the module is going. */
static bool kipsec_alg_pause(void)
{
	if (kipsec_probe_delay_ms)
		wait_event_interruptible_timeout(kipsec_alg_waitq,
						 READ_ONCE(kipsec_alg_stopping),
						 msecs_to_jiffies(kipsec_probe_delay_ms));
	return READ_ONCE(kipsec_alg_stopping);
}

/* Ask the crypto API for each algorithm in turn; stops at unload. */
static void kipsec_alg_probe_work(struct work_struct *work)
{
	const struct kipsec_alg *alg;
	unsigned int i;
	u8 state;

	for (i = 0; i < KIPSEC_NALGS; i++) {
		alg = &kipsec_algs[i];
		if (alg->kind != KIPSEC_ALG_COMP) {
			if (kipsec_alg_pause())
				return;
			state = kipsec_alg_probe_one(alg) ? KIPSEC_ALG_HAVE :
							    KIPSEC_ALG_MISSING;
			WRITE_ONCE(kipsec_alg_state[i], state);
		}
		WRITE_ONCE(kipsec_alg_tried, i + 1);
	}
}

/*
 * Start the probe, once per module load. Not from atomic context: the
 * first REGISTER. No REGISTER runs at unload (sockets hold the module).
 */
static void kipsec_alg_start(void)
{
	if (!test_and_set_bit(0, &kipsec_alg_started))
		queue_work(system_unbound_wq, &kipsec_alg_work);
}

/* Stop the probe, waiting at most for the algorithm it is trying. */
void kipsec_alg_exit(void)
{
	WRITE_ONCE(kipsec_alg_stopping, true);
	wake_up_all(&kipsec_alg_waitq);
	cancel_work_sync(&kipsec_alg_work);
}

/* How far the probe is, for /proc/net/kipsec. */
void kipsec_alg_status(unsigned int *tried, unsigned int *total,
		       unsigned int *have)
{
	unsigned int i;

	*tried = READ_ONCE(kipsec_alg_tried);
	*total = KIPSEC_NALGS;
	*have = 0;
	for (i = 0; i < KIPSEC_NALGS; i++)
		*have += READ_ONCE(kipsec_alg_state[i]) == KIPSEC_ALG_HAVE;
}

/* Entry @i may be offered: the probe has not found it missing. */
static bool kipsec_alg_listed(unsigned int i)
{
	return READ_ONCE(kipsec_alg_state[i]) != KIPSEC_ALG_MISSING;
}

/* Fill @out with the algorithms of @kind on offer; returns the count. */
unsigned int kipsec_alg_supported(enum kipsec_alg_kind kind,
				  struct sadb_alg *out, unsigned int max)
{
	unsigned int i, n = 0;

	for (i = 0; i < KIPSEC_NALGS && n < max; i++) {
		const struct kipsec_alg *alg = &kipsec_algs[i];

		if (alg->kind != kind || !kipsec_alg_listed(i))
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].sadb_alg_id = alg->id;
		out[n].sadb_alg_ivlen = alg->ivlen;
		out[n].sadb_alg_minbits = alg->minbits;
		out[n].sadb_alg_maxbits = alg->maxbits;
		n++;
	}
	return n;
}

/*
 * REGISTER's reply: the supported authentication and encryption algorithms,
 * to the registering socket and every socket registered for the SA type.
 * It starts the probe but never waits for it (see the top of this file).
 */
int kipsec_sad_register_reply(struct sock *sk, const struct kipsec_msg *m)
{
	struct sadb_alg auth[ARRAY_SIZE(kipsec_algs)], enc[ARRAY_SIZE(kipsec_algs)];
	unsigned int na, ne, size;
	struct sadb_supported *sup;
	struct sk_buff *skb;

	kipsec_alg_start();
	na = kipsec_alg_supported(KIPSEC_ALG_AUTH, auth, ARRAY_SIZE(auth));
	ne = kipsec_alg_supported(KIPSEC_ALG_ENC, enc, ARRAY_SIZE(enc));
	size = sizeof(struct sadb_msg) + 2 * sizeof(*sup) +
	       (na + ne) * sizeof(struct sadb_alg);
	skb = kipsec_msg_new(size, GFP_KERNEL);
	if (!skb)
		return -ENOBUFS;
	kipsec_put_hdr(skb, m->hdr, SADB_REGISTER, m->hdr->sadb_msg_satype);
	sup = kipsec_put_ext(skb, SADB_EXT_SUPPORTED_AUTH,
			     sizeof(*sup) + na * sizeof(struct sadb_alg));
	memcpy(sup + 1, auth, na * sizeof(struct sadb_alg));
	sup = kipsec_put_ext(skb, SADB_EXT_SUPPORTED_ENCRYPT,
			     sizeof(*sup) + ne * sizeof(struct sadb_alg));
	memcpy(sup + 1, enc, ne * sizeof(struct sadb_alg));
	kipsec_msg_finish(skb);
	kipsec_broadcast(skb, GFP_KERNEL, KIPSEC_BC_REGISTERED, sk,
			 sock_net(sk), m->hdr->sadb_msg_satype);
	return 0;
}

static void kipsec_comb_fill(struct sadb_comb *c, const struct kipsec_alg *a,
			     const struct kipsec_alg *e)
{
	memset(c, 0, sizeof(*c));
	if (a) {
		c->sadb_comb_auth = a->id;
		c->sadb_comb_auth_minbits = a->minbits;
		c->sadb_comb_auth_maxbits = a->maxbits;
	}
	if (e) {
		c->sadb_comb_encrypt = e->id;
		c->sadb_comb_encrypt_minbits = e->minbits;
		c->sadb_comb_encrypt_maxbits = e->maxbits;
	}
	/* af_key's defaults: key managers usually override them. */
	c->sadb_comb_hard_addtime = 8 * 60 * 60;
	c->sadb_comb_soft_addtime = 7 * 60 * 60;
}

/* An available algorithm of @kind that protects something (not NULL). */
static bool kipsec_alg_proposable(unsigned int i, enum kipsec_alg_kind kind)
{
	const struct kipsec_alg *alg = &kipsec_algs[i];

	return alg->kind == kind && kipsec_alg_listed(i) && alg->maxbits;
}

/*
 * The combinations an ACQUIRE proposes for @satype, from the algorithms
 * REGISTER lists. With @out NULL, only counts. Atomic.
 */
unsigned int kipsec_alg_combs(u8 satype, struct sadb_comb *out,
			      unsigned int max)
{
	unsigned int a, e, n = 0;

	if (satype == SADB_X_SATYPE_IPCOMP)
		return 0;
	for (e = 0; e < ARRAY_SIZE(kipsec_algs); e++) {
		if (satype == SADB_SATYPE_ESP &&
		    !kipsec_alg_proposable(e, KIPSEC_ALG_ENC))
			continue;
		if (satype == SADB_SATYPE_ESP && kipsec_algs[e].aead) {
			if (out && n < max)
				kipsec_comb_fill(&out[n], NULL, &kipsec_algs[e]);
			n++;
			continue;
		}
		/* For AH the outer loop runs once, as "no encryption". */
		if (satype == SADB_SATYPE_AH && e)
			break;
		for (a = 0; a < ARRAY_SIZE(kipsec_algs); a++) {
			if (!kipsec_alg_proposable(a, KIPSEC_ALG_AUTH))
				continue;
			if (out && n < max)
				kipsec_comb_fill(&out[n], &kipsec_algs[a],
						 satype == SADB_SATYPE_ESP ?
						 &kipsec_algs[e] : NULL);
			n++;
		}
	}
	return min(n, max);
}
