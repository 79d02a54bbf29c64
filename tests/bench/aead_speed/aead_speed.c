// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * aead_speed.ko: how many ESP packets per second one AEAD transform alone
 * can encrypt or decrypt on this CPU, for `tests/bench/run crypto_limit`.
 *
 * The kernel's tcrypt has AEAD speed tests for rfc4106(gcm(aes)) but none
 * for authenc(hmac(sha256),cbc(aes)), and at its own sizes; this module
 * measures either as kipsec's esp.c (and XFRM's esp4) use it: the same
 * transform name with its IV generator (seqiv for GCM, echainiv for CBC),
 * one linear buffer laid out as an ESP packet's (8-byte ESP header as
 * associated data, IV, payload with the ESP trailer padded to the block
 * size, ICV), one request reused, no packet around it.
 *
 * insmod aead_speed.ko [alg=NAME] [enckeylen=N] [authkeylen=N] [icv=N]
 *   alg        the AEAD, e.g. "seqiv(rfc4106(gcm(aes)))" (default) or
 *              "echainiv(authenc(hmac(sha256),cbc(aes)))"
 *   enckeylen  cipher key bytes (default 20: AES-128 and GCM's salt)
 *   authkeylen authentication key bytes; non-zero means authenc's key
 *              format (an rtattr with the cipher key length, both keys)
 *   icv        ICV bytes (default 16)
 * The load allocates and keys the transform (it fails if the kernel lacks
 * it); then each write of "DIR PLEN MS" to
 * /sys/module/aead_speed/parameters/run measures, before the write
 * returns: DIR enc or dec, PLEN the payload bytes before the ESP trailer
 * (a tunnel's inner IP packet), MS the milliseconds measured after a
 * warm-up of a tenth of that. So a script can mark the beginning and the
 * end of the measurement itself, without the module's loading. Reading
 * the parameter gives the last result, also printed to the kernel log:
 *   alg=A driver=D dir=enc plen=P clen=C cpu=N ops=O ns=T rate=R
 * clen being what is encrypted (payload, trailer, padding), rate the
 * operations per second. Encryption runs in place, as ESP does;
 * decryption reads a ciphertext made once and writes elsewhere, so that
 * every operation verifies a valid ICV.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sysfs.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/scatterlist.h>
#include <linux/rtnetlink.h>
#include <crypto/aead.h>
#include <crypto/authenc.h>

#define AS_ESP_HDR 8		/* SPI and sequence number: the AAD */
#define AS_BATCH 32		/* operations between two clock reads */

static char *alg = "seqiv(rfc4106(gcm(aes)))";
module_param(alg, charp, 0444);
MODULE_PARM_DESC(alg, "AEAD transform name");
static unsigned int enckeylen = 20;
module_param(enckeylen, uint, 0444);
MODULE_PARM_DESC(enckeylen, "cipher key bytes");
static unsigned int authkeylen;
module_param(authkeylen, uint, 0444);
MODULE_PARM_DESC(authkeylen, "authentication key bytes (authenc)");
static unsigned int icv = 16;
module_param(icv, uint, 0444);
MODULE_PARM_DESC(icv, "ICV bytes");
struct as_ctx {
	struct crypto_aead *tfm;
	struct aead_request *req;
	struct crypto_wait wait;
	u8 iv[32];
};

static struct as_ctx *as_ctx;
static DEFINE_MUTEX(as_lock);
static char as_last[256];

static int as_setkey(struct crypto_aead *tfm)
{
	struct crypto_authenc_key_param *param;
	unsigned int len = enckeylen;
	struct rtattr *rta;
	u8 *key, *p;
	unsigned int i;
	int err;

	if (authkeylen)
		len += RTA_SPACE(sizeof(*param)) + authkeylen;
	key = kzalloc(len, GFP_KERNEL);
	if (!key)
		return -ENOMEM;
	p = key;
	if (authkeylen) {
		rta = (struct rtattr *)key;
		rta->rta_type = CRYPTO_AUTHENC_KEYA_PARAM;
		rta->rta_len = RTA_LENGTH(sizeof(*param));
		param = RTA_DATA(rta);
		param->enckeylen = cpu_to_be32(enckeylen);
		p += RTA_SPACE(sizeof(*param));
	}
	for (i = 0; i < authkeylen + enckeylen; i++)
		p[i] = i * 7 + 1;
	err = crypto_aead_setkey(tfm, key, len);
	kfree(key);
	return err;
}

static int as_op(struct as_ctx *c, bool enc)
{
	int err = enc ? crypto_aead_encrypt(c->req) :
			crypto_aead_decrypt(c->req);

	return crypto_wait_req(err, &c->wait);
}

/* Repeat the prepared request for @msecs; the operations and nanoseconds. */
static int as_loop(struct as_ctx *c, bool enc, unsigned int msecs,
		   u64 *ops, u64 *ns)
{
	u64 start = ktime_get_ns(), now;
	u64 end = start + (u64)msecs * NSEC_PER_MSEC;
	u64 n = 0;
	int i, err;

	do {
		for (i = 0; i < AS_BATCH; i++) {
			err = as_op(c, enc);
			if (err)
				return err;
		}
		n += AS_BATCH;
		cond_resched();
		now = ktime_get_ns();
	} while (now < end);
	*ops = n;
	*ns = now - start;
	return 0;
}

static int as_measure(struct as_ctx *c, unsigned int len, bool enc,
		      unsigned int ms)
{
	unsigned int ivlen = crypto_aead_ivsize(c->tfm);
	unsigned int blk = ALIGN(crypto_aead_blocksize(c->tfm), 4);
	unsigned int clen = ALIGN(len + 2, blk);
	unsigned int total = AS_ESP_HDR + ivlen + clen + icv;
	struct scatterlist src, dst;
	u8 *buf, *out = NULL;
	u64 ops, ns;
	int cpu, err;

	if (ivlen > sizeof(c->iv))
		return -EINVAL;
	buf = kzalloc(total, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	memset(buf, 0x5a, AS_ESP_HDR);
	memset(c->iv, 0, sizeof(c->iv));
	sg_init_one(&src, buf, total);
	aead_request_set_ad(c->req, AS_ESP_HDR);
	aead_request_set_crypt(c->req, &src, &src, ivlen + clen, c->iv);
	if (!enc) {
		/* One ciphertext with a valid ICV, decrypted into @out. */
		err = as_op(c, true);
		if (err)
			goto out;
		err = -ENOMEM;
		out = kzalloc(total, GFP_KERNEL);
		if (!out)
			goto out;
		sg_init_one(&dst, out, total);
		aead_request_set_crypt(c->req, &src, &dst, ivlen + clen + icv,
				       c->iv);
	}
	err = as_loop(c, enc, ms / 10 ? ms / 10 : 1, &ops, &ns);
	if (err)
		goto out;
	cpu = raw_smp_processor_id();
	err = as_loop(c, enc, ms, &ops, &ns);
	if (err)
		goto out;
	scnprintf(as_last, sizeof(as_last),
		  "alg=%s driver=%s dir=%s plen=%u clen=%u cpu=%d ops=%llu ns=%llu rate=%llu\n",
		  alg, crypto_tfm_alg_driver_name(crypto_aead_tfm(c->tfm)),
		  enc ? "enc" : "dec", len, clen, cpu, ops, ns,
		  div64_u64(ops * NSEC_PER_SEC, ns ? ns : 1));
	pr_info("%s", as_last);
out:
	if (err)
		pr_err("alg=%s: %s of %u bytes failed: %d\n", alg,
		       enc ? "encryption" : "decryption", len, err);
	kfree(out);
	kfree(buf);
	return err;
}

/* "enc|dec PLEN MS": one measurement, in the writer's context. */
static int as_run_set(const char *val, const struct kernel_param *kp)
{
	unsigned int len, msecs;
	char d[4];
	int err;

	if (sscanf(val, "%3s %u %u", d, &len, &msecs) != 3 ||
	    (strcmp(d, "enc") && strcmp(d, "dec")) || !msecs ||
	    len > 9000 || msecs > 60000)
		return -EINVAL;
	mutex_lock(&as_lock);
	err = as_ctx ? as_measure(as_ctx, len, !strcmp(d, "enc"), msecs) :
		       -ENODEV;
	mutex_unlock(&as_lock);
	return err;
}

static int as_run_get(char *buffer, const struct kernel_param *kp)
{
	int n;

	mutex_lock(&as_lock);
	n = sysfs_emit(buffer, "%s", as_last);
	mutex_unlock(&as_lock);
	return n;
}

static const struct kernel_param_ops as_run_ops = {
	.set = as_run_set,
	.get = as_run_get,
};
module_param_cb(run, &as_run_ops, NULL, 0644);
MODULE_PARM_DESC(run, "write \"enc|dec PLEN MS\" to measure; read the result");

static int __init as_init(void)
{
	struct as_ctx *c;
	int err;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	c->tfm = crypto_alloc_aead(alg, 0, 0);
	if (IS_ERR(c->tfm)) {
		err = PTR_ERR(c->tfm);
		pr_err("alg=%s: no such transform: %d\n", alg, err);
		goto out_free;
	}
	err = as_setkey(c->tfm);
	if (!err)
		err = crypto_aead_setauthsize(c->tfm, icv);
	if (err) {
		pr_err("alg=%s: key or ICV size refused: %d\n", alg, err);
		goto out_tfm;
	}
	err = -ENOMEM;
	c->req = aead_request_alloc(c->tfm, GFP_KERNEL);
	if (!c->req)
		goto out_tfm;
	crypto_init_wait(&c->wait);
	aead_request_set_callback(c->req, CRYPTO_TFM_REQ_MAY_BACKLOG,
				  crypto_req_done, &c->wait);
	mutex_lock(&as_lock);
	as_ctx = c;
	mutex_unlock(&as_lock);
	return 0;
out_tfm:
	crypto_free_aead(c->tfm);
out_free:
	kfree(c);
	return err;
}

static void __exit as_exit(void)
{
	aead_request_free(as_ctx->req);
	crypto_free_aead(as_ctx->tfm);
	kfree(as_ctx);
}

module_init(as_init);
module_exit(as_exit);
MODULE_DESCRIPTION("ESP AEAD transform speed, for kipsec's benchmarks");
MODULE_LICENSE("Dual BSD/GPL");
