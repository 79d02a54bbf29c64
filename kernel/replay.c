// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Anti-replay (RFC 4303 section 3.4.3 and appendix A): a sliding window of
 * dp->win packets below the highest sequence number accepted, kept as a
 * circular bitmap indexed by the low bits of the sequence number. With ESN
 * the high 32 bits are inferred from the window (appendix A2.2).
 *
 * The check runs twice: before decryption, to drop replays cheaply, and
 * after the ICV has been verified, under the lock, to update the window.
 */
#include <linux/bitmap.h>
#include <kipsec/pfkey_ext.h>
#include "dp.h"

/*
 * The next outbound sequence number of @sa. RFC 4303 3.3.3 and RFC 4302
 * 3.3.2: a 32-bit counter never cycles (-EOVERFLOW once it is used up),
 * unless the SA has KAME's CYCSEQ flag.
 */
int kipsec_seq_next(struct kipsec_sa *sa, u64 *seq)
{
	*seq = atomic64_inc_return(&sa->dp->oseq);
	if (!sa->dp->esn && *seq > U32_MAX && !(sa->flags & SADB_X_EXT_CYCSEQ))
		return -EOVERFLOW;
	return 0;
}

/* The 64-bit sequence number of a packet carrying @seq_lo. */
u64 kipsec_replay_seq(const struct kipsec_sa_dp *dp, __be32 seq_lo)
{
	u32 lo = ntohl(seq_lo), tl, th, bottom;
	u64 top = READ_ONCE(dp->top);

	if (!dp->esn)
		return lo;
	tl = lower_32_bits(top);
	th = upper_32_bits(top);
	/* Window of at least one so that "bottom" is defined. */
	bottom = tl - max_t(u32, dp->win, 1) + 1;
	if (tl >= bottom) {		/* the window does not wrap */
		if (lo < bottom)
			th++;
	} else if (lo >= bottom && th) {	/* wraps; lo is before 0 */
		th--;
	}
	return ((u64)th << 32) | lo;
}

static bool kipsec_replay_seen(const struct kipsec_sa_dp *dp, u64 seq)
{
	return test_bit(seq & (dp->nbits - 1), dp->bitmap);
}

/* Forget the bits of the numbers between @top and @seq, exclusive. */
static void kipsec_replay_slide(struct kipsec_sa_dp *dp, u64 top, u64 seq)
{
	u32 start = (top + 1) & (dp->nbits - 1), n, first;

	if (seq - top > dp->nbits) {
		bitmap_zero(dp->bitmap, dp->nbits);
		return;
	}
	n = seq - top - 1;
	first = min(n, dp->nbits - start);
	bitmap_clear(dp->bitmap, start, first);
	bitmap_clear(dp->bitmap, 0, n - first);
}

/* Could @seq be new? Lockless: the answer is confirmed by advance(). */
bool kipsec_replay_check(struct kipsec_sa_dp *dp, u64 seq)
{
	u64 top = READ_ONCE(dp->top);

	if (!seq)		/* never sent: the first packet is 1 */
		return false;
	if (!dp->win || seq > top)
		return true;
	if (top - seq >= dp->win)
		return false;
	return !kipsec_replay_seen(dp, seq);
}

/* Accept @seq into the window, unless a racing packet took it. */
bool kipsec_replay_advance(struct kipsec_sa_dp *dp, u64 seq)
{
	u32 mask = dp->nbits - 1;
	bool ok = true;
	u64 top;

	if (!dp->win) {
		if (seq > READ_ONCE(dp->top))
			WRITE_ONCE(dp->top, seq);
		return true;
	}
	spin_lock(&dp->replay_lock);
	top = dp->top;
	if (seq > top) {
		kipsec_replay_slide(dp, top, seq);
		WRITE_ONCE(dp->top, seq);
	} else if (top - seq >= dp->win || kipsec_replay_seen(dp, seq)) {
		ok = false;
	}
	if (ok)
		__set_bit(seq & mask, dp->bitmap);
	spin_unlock(&dp->replay_lock);
	return ok;
}

/* ---- self-test (insmod kipsec.ko selftest=1) ------------------------ */

static struct kipsec_sa_dp *kipsec_replay_test_dp(u32 win, bool esn)
{
	u32 nbits = roundup_pow_of_two(max_t(u32, win, BITS_PER_LONG));
	struct kipsec_sa_dp *dp;

	dp = kzalloc(struct_size(dp, bitmap, BITS_TO_LONGS(nbits)),
		     GFP_KERNEL);
	if (!dp)
		return NULL;
	spin_lock_init(&dp->replay_lock);
	dp->win = win;
	dp->nbits = nbits;
	dp->esn = esn;
	return dp;
}

static bool kipsec_replay_take(struct kipsec_sa_dp *dp, u64 seq)
{
	return kipsec_replay_check(dp, seq) && kipsec_replay_advance(dp, seq);
}

static int kipsec_replay_test_window(u32 win)
{
	struct kipsec_sa_dp *dp = kipsec_replay_test_dp(win, false);
	int err = -EINVAL;
	u64 s;

	if (!dp)
		return -ENOMEM;
	if (kipsec_replay_take(dp, 0))		/* 0 is never valid */
		goto out;
	/* Odd numbers up to 3w - 1 (w is even): the top is 3w - 1. */
	for (s = 1; s < 3 * win; s += 2)
		if (!kipsec_replay_take(dp, s))
			goto out;
	if (!kipsec_replay_take(dp, 3 * win - 2) ||	/* in, unseen */
	    kipsec_replay_take(dp, 3 * win - 2) ||	/* replayed */
	    kipsec_replay_take(dp, 2 * win + 1) ||	/* in, seen */
	    !kipsec_replay_take(dp, 2 * win) ||		/* last in window */
	    kipsec_replay_take(dp, 2 * win - 2))	/* just outside */
		goto out;
	if (!kipsec_replay_take(dp, 10 * win) ||	/* far jump */
	    kipsec_replay_take(dp, 9 * win) ||		/* now too old */
	    !kipsec_replay_take(dp, 10 * win - 1))
		goto out;
	err = 0;
out:
	kfree(dp);
	return err;
}

static int kipsec_replay_test_esn(void)
{
	struct kipsec_sa_dp *dp = kipsec_replay_test_dp(64, true);
	int err = -EINVAL;

	if (!dp)
		return -ENOMEM;
	dp->top = 0xfffffff0ULL;
	/* After the top: the next epoch once lo wraps. */
	if (kipsec_replay_seq(dp, htonl(5)) != 0x100000005ULL ||
	    kipsec_replay_seq(dp, htonl(0xfffffff8)) != 0xfffffff8ULL)
		goto out;
	dp->top = 0x100000010ULL;
	/* Low in the window: the previous epoch. */
	if (kipsec_replay_seq(dp, htonl(0xfffffff0)) != 0xfffffff0ULL ||
	    kipsec_replay_seq(dp, htonl(0x20)) != 0x100000020ULL)
		goto out;
	dp->top = 3;	/* no epoch before 0 */
	if (kipsec_replay_seq(dp, htonl(0xfffffff0)) != 0xfffffff0ULL)
		goto out;
	err = 0;
out:
	kfree(dp);
	return err;
}

int kipsec_replay_selftest(void)
{
	static const u32 wins[] = { 32, 64, 100, 4096, 65536 };
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(wins); i++) {
		err = kipsec_replay_test_window(wins[i]);
		if (err) {
			pr_err("kipsec: selftest: replay window %u failed\n",
			       wins[i]);
			return err;
		}
	}
	err = kipsec_replay_test_esn();
	if (err)
		pr_err("kipsec: selftest: ESN inference failed\n");
	return err;
}
