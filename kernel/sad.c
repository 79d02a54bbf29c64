// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The security association database of a network namespace.
 *
 * Every SA is on three hash tables: by (SPI, destination, protocol) for
 * inbound packets and PF_KEY lookups, by (source, destination, protocol)
 * for outbound selection, and while larval by the GETSPI sequence number.
 * The tables grow fourfold as the SAD does (rehash in process context: a
 * work item when the insert came from the packet path, an ACQUIRE). A tree
 * by id, in creation order, gives DUMP, /proc and the long walks a cursor
 * that survives removals, so that they can drop the lock between batches.
 * One delayed work per namespace runs at the next lifetime or larval
 * deadline.
 *
 * Writers hold the lock. The packet path looks SAs up without it, under
 * RCU (SAs are freed after a grace period) with a seqcount that makes a
 * lookup racing with a change or a rehash start again.
 */
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include "sad.h"

#define KIPSEC_SAD_MIN_BITS	6
#define KIPSEC_SAD_MAX_BITS	20

/* SAs handled per hold of the lock by the long walks. */
#define KIPSEC_SAD_BATCH	256

static struct kmem_cache *kipsec_sa_cache __read_mostly;

static u32 kipsec_addr_hash(const struct kipsec_addr *a, u32 seed)
{
	return jhash2((const u32 *)a, sizeof(*a) / 4, seed);
}

static struct hlist_head *kipsec_spi_bucket(struct kipsec_sad *sad,
					    __be32 spi,
					    const struct kipsec_addr *dst,
					    u8 satype)
{
	u32 h = kipsec_addr_hash(dst, sad->seed ^ (__force u32)spi) + satype;
	/* Pairs with the release in grow: new bits, then a table that big. */
	unsigned int bits = smp_load_acquire(&sad->bits);

	return &READ_ONCE(sad->by_spi)[hash_32(h, bits)];
}

static struct hlist_head *kipsec_addr_bucket(struct kipsec_sad *sad,
					     const struct kipsec_addr *src,
					     const struct kipsec_addr *dst,
					     u8 satype)
{
	u32 h = kipsec_addr_hash(dst, kipsec_addr_hash(src, sad->seed));
	/* As in kipsec_spi_bucket(). */
	unsigned int bits = smp_load_acquire(&sad->bits);

	return &READ_ONCE(sad->by_addr)[hash_32(h + satype, bits)];
}

static struct hlist_head *kipsec_seq_bucket(struct kipsec_sad *sad, u32 seq)
{
	return &sad->by_seq[hash_32(seq ^ sad->seed, sad->bits)];
}

static void kipsec_sa_hash(struct kipsec_sad *sad, struct kipsec_sa *sa)
{
	hlist_add_head_rcu(&sa->by_spi, kipsec_spi_bucket(sad, sa->spi, &sa->dst,
							  sa->satype));
	hlist_add_head_rcu(&sa->by_addr, kipsec_addr_bucket(sad, &sa->src,
							    &sa->dst,
							    sa->satype));
	if (sa->state == SADB_SASTATE_LARVAL)
		hlist_add_head(&sa->by_seq, kipsec_seq_bucket(sad, sa->seq));
}

struct kipsec_sa *kipsec_sad_lookup(struct kipsec_sad *sad, __be32 spi,
				    const struct kipsec_addr *dst, u8 satype)
{
	struct kipsec_sa *sa;

	hlist_for_each_entry_rcu(sa, kipsec_spi_bucket(sad, spi, dst, satype),
				 by_spi, lockdep_is_held(&sad->lock))
		if (sa->spi == spi && sa->satype == satype &&
		    !memcmp(&sa->dst, dst, sizeof(*dst)))
			return sa;
	return NULL;
}

static bool kipsec_sa_newer(const struct kipsec_sa *a,
			    const struct kipsec_sa *b)
{
	return a->id > b->id;
}

/*
 * The SA to use for an outbound packet: mature before dying, then the
 * newest (or, with net.kipsec.preferred_oldsa, the oldest). Caller holds
 * the SAD lock, or reads under RCU and checks sad->seq.
 */
/* KAME's CMP_MODE_REQID: an SA of mode "any" serves every request. */
static bool kipsec_mode_fits(u8 sa_mode, u8 mode)
{
	return mode == IPSEC_MODE_ANY || sa_mode == IPSEC_MODE_ANY ||
	       sa_mode == mode;
}

struct kipsec_sa *kipsec_sad_select(struct kipsec_net *kn, u8 satype,
				    u8 mode, const struct kipsec_addr *src,
				    const struct kipsec_addr *dst, u32 reqid)
{
	struct kipsec_sad *sad = &kn->sad;
	bool old = READ_ONCE(kn->preferred_oldsa);
	struct kipsec_sa *sa, *best = NULL;

	hlist_for_each_entry_rcu(sa, kipsec_addr_bucket(sad, src, dst, satype),
				 by_addr, lockdep_is_held(&sad->lock)) {
		if (sa->satype != satype || (reqid && sa->reqid != reqid) ||
		    !kipsec_mode_fits(sa->mode, mode) ||
		    memcmp(&sa->src, src, sizeof(*src)) ||
		    memcmp(&sa->dst, dst, sizeof(*dst)))
			continue;
		if (READ_ONCE(sa->state) != SADB_SASTATE_MATURE &&
		    READ_ONCE(sa->state) != SADB_SASTATE_DYING)
			continue;
		if (!best || sa->state < best->state ||
		    (sa->state == best->state &&
		     kipsec_sa_newer(sa, best) != old))
			best = sa;
	}
	return best;
}

/*
 * The packet path's lookups: the SA with a reference held, or NULL.
 * Only SAs with packet-path state (keyed, mature or dying) qualify.
 */
struct kipsec_sa *kipsec_sad_lookup_hold(struct kipsec_sad *sad, __be32 spi,
					 const struct kipsec_addr *dst,
					 u8 satype)
{
	struct kipsec_sa *sa;
	unsigned int seq;

	rcu_read_lock();
	do {
		seq = read_seqcount_begin(&sad->seq);
		sa = kipsec_sad_lookup(sad, spi, dst, satype);
	} while (read_seqcount_retry(&sad->seq, seq));
	if (sa && (!sa->dp || READ_ONCE(sa->state) == SADB_SASTATE_LARVAL ||
		   !refcount_inc_not_zero(&sa->ref)))
		sa = NULL;
	rcu_read_unlock();
	return sa;
}

struct kipsec_sa *kipsec_sad_select_hold(struct kipsec_net *kn, u8 satype,
					 u8 mode, const struct kipsec_addr *src,
					 const struct kipsec_addr *dst,
					 u32 reqid)
{
	struct kipsec_sa *sa;
	unsigned int seq;

	rcu_read_lock();
	do {
		seq = read_seqcount_begin(&kn->sad.seq);
		sa = kipsec_sad_select(kn, satype, mode, src, dst, reqid);
	} while (read_seqcount_retry(&kn->sad.seq, seq));
	if (sa && (!sa->dp || !refcount_inc_not_zero(&sa->ref)))
		sa = NULL;
	rcu_read_unlock();
	return sa;
}

/* A larval SA an ACQUIRE left (no SPI yet). Caller holds the SAD lock. */
struct kipsec_sa *kipsec_sad_select_larval(struct kipsec_sad *sad, u8 satype,
					   u8 mode,
					   const struct kipsec_addr *src,
					   const struct kipsec_addr *dst,
					   u32 reqid)
{
	struct kipsec_sa *sa;

	hlist_for_each_entry(sa, kipsec_addr_bucket(sad, src, dst, satype),
			     by_addr)
		if (sa->state == SADB_SASTATE_LARVAL && !sa->spi &&
		    sa->satype == satype && sa->reqid == reqid &&
		    sa->mode == mode &&
		    !memcmp(&sa->src, src, sizeof(*src)) &&
		    !memcmp(&sa->dst, dst, sizeof(*dst)))
			return sa;
	return NULL;
}

static void kipsec_sa_destroy(struct kipsec_sa *sa)
{
	kipsec_sa_dp_free(sa);
	kipsec_sa_free_keys(sa);
	kmem_cache_free(kipsec_sa_cache, sa);
}

/* Crypto transforms may sleep as they go: free in process context. */
static void kipsec_sa_free_work(struct work_struct *work)
{
	kipsec_sa_destroy(container_of(to_rcu_work(work), struct kipsec_sa,
				       free_work));
}

/* Free an SA that was never in the SAD. */
void kipsec_sa_free(struct kipsec_sa *sa)
{
	kipsec_sa_destroy(sa);
}

/* Drop a reference; the last one frees after an RCU grace period. */
void kipsec_sa_put(struct kipsec_sa *sa)
{
	if (!refcount_dec_and_test(&sa->ref))
		return;
	INIT_RCU_WORK(&sa->free_work, kipsec_sa_free_work);
	queue_rcu_work(kipsec_wq, &sa->free_work);
}

/* ---- the tree by id ------------------------------------------------ */

/* The first SA with an id above @id, or NULL. Caller holds the lock. */
struct kipsec_sa *kipsec_sa_after(struct kipsec_sad *sad, u64 id)
{
	struct rb_node *n = sad->ids.rb_node;
	struct kipsec_sa *sa, *best = NULL;

	while (n) {
		sa = rb_entry(n, struct kipsec_sa, by_id);
		if (sa->id > id) {
			best = sa;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	return best;
}

struct kipsec_sa *kipsec_sa_next(struct kipsec_sa *sa)
{
	struct rb_node *n = rb_next(&sa->by_id);

	return n ? rb_entry(n, struct kipsec_sa, by_id) : NULL;
}

/* A new SA has the highest id yet: it goes rightmost. */
static void kipsec_sa_link_id(struct kipsec_sad *sad, struct kipsec_sa *sa)
{
	struct rb_node **p = &sad->ids.rb_node, *parent = NULL;

	while (*p) {
		parent = *p;
		p = &parent->rb_right;
	}
	rb_link_node(&sa->by_id, parent, p);
	rb_insert_color(&sa->by_id, &sad->ids);
}

typedef void (*kipsec_sa_fn)(struct kipsec_sad *sad, struct kipsec_sa *sa,
			     void *arg);

/*
 * Call @fn on at most KIPSEC_SAD_BATCH SAs with ids in (*cursor, to], which
 * it may unlink; true if some are left. Caller holds the lock.
 */
static bool kipsec_sad_batch(struct kipsec_sad *sad, u64 *cursor, u64 to,
			     kipsec_sa_fn fn, void *arg)
{
	struct kipsec_sa *sa, *next;
	unsigned int n = 0;

	lockdep_assert_held(&sad->lock);
	for (sa = kipsec_sa_after(sad, *cursor); sa && sa->id <= to;
	     sa = next) {
		if (n++ == KIPSEC_SAD_BATCH)
			return true;
		next = kipsec_sa_next(sa);
		*cursor = sa->id;
		fn(sad, sa, arg);
	}
	return false;
}

/* @fn on every SA up to id @to, in batches: BH is never off for long. */
static void kipsec_sad_walk(struct kipsec_sad *sad, u64 to, kipsec_sa_fn fn,
			    void *arg)
{
	u64 cursor = 0;
	bool more;

	do {
		spin_lock_bh(&sad->lock);
		more = kipsec_sad_batch(sad, &cursor, to, fn, arg);
		spin_unlock_bh(&sad->lock);
		cond_resched();
	} while (more);
}

/* Unlink and free; caller holds the SAD lock. Keys are zeroed. */
static void kipsec_sa_unlink(struct kipsec_sad *sad, struct kipsec_sa *sa)
{
	write_seqcount_begin(&sad->seq);
	hlist_del_rcu(&sa->by_spi);
	hlist_del_rcu(&sa->by_addr);
	if (!hlist_unhashed(&sa->by_seq))
		hlist_del_init(&sa->by_seq);
	rb_erase(&sa->by_id, &sad->ids);
	WRITE_ONCE(sad->count, sad->count - 1);
	if (sa->acquire)
		sad->nr_acquire--;
	WRITE_ONCE(sa->state, SADB_SASTATE_DEAD);
	write_seqcount_end(&sad->seq);
	kipsec_sa_put(sa);
}

/* ---- growth --------------------------------------------------------- */

static struct hlist_head *kipsec_sad_table(unsigned int bits)
{
	return kvcalloc(1u << bits, sizeof(struct hlist_head), GFP_KERNEL);
}

/* The table size for @count SAs: a load factor below 1, in steps of 4. */
static unsigned int kipsec_sad_bits_for(unsigned int count, unsigned int bits)
{
	while (count >= (1u << bits) && bits + 2 <= KIPSEC_SAD_MAX_BITS)
		bits += 2;
	return bits;
}

/* Keep the load factor below 1: before inserting, or from the work. */
static void kipsec_sad_grow(struct kipsec_sad *sad)
{
	struct hlist_head *spi, *addr, *seq, *ospi, *oaddr, *oseq;
	unsigned int old = READ_ONCE(sad->bits);
	unsigned int bits = kipsec_sad_bits_for(READ_ONCE(sad->count), old);
	struct kipsec_sa *sa;

	if (bits == old)
		return;
	spi = kipsec_sad_table(bits);
	addr = kipsec_sad_table(bits);
	seq = kipsec_sad_table(bits);
	if (!spi || !addr || !seq)
		goto out;

	spin_lock_bh(&sad->lock);
	if (sad->bits != old) {
		spin_unlock_bh(&sad->lock);
		goto out;
	}
	ospi = sad->by_spi;
	oaddr = sad->by_addr;
	oseq = sad->by_seq;
	write_seqcount_begin(&sad->seq);
	WRITE_ONCE(sad->by_spi, spi);
	WRITE_ONCE(sad->by_addr, addr);
	sad->by_seq = seq;
	/* Readers that see the new bits see the new, bigger tables. */
	smp_store_release(&sad->bits, bits);
	for (sa = kipsec_sa_after(sad, 0); sa; sa = kipsec_sa_next(sa)) {
		if (!hlist_unhashed(&sa->by_seq))
			INIT_HLIST_NODE(&sa->by_seq);
		kipsec_sa_hash(sad, sa);
	}
	write_seqcount_end(&sad->seq);
	spin_unlock_bh(&sad->lock);
	/* Lockless readers may still walk the old tables. */
	synchronize_rcu();
	spi = ospi;
	addr = oaddr;
	seq = oseq;
out:
	kvfree(spi);
	kvfree(addr);
	kvfree(seq);
}

static void kipsec_sad_grow_work(struct work_struct *work)
{
	kipsec_sad_grow(container_of(work, struct kipsec_sad, grow_work));
}

/* After an insert: an insert from the packet path cannot grow the tables. */
static void kipsec_sad_grow_soon(struct kipsec_sad *sad)
{
	if (sad->count >= (1u << sad->bits) &&
	    sad->bits + 2 <= KIPSEC_SAD_MAX_BITS && !sad->dead)
		queue_work(system_wq, &sad->grow_work);
}

/* The longest chain of the packet path's tables (by SPI, by address). */
unsigned int kipsec_sad_chain_max(struct kipsec_sad *sad)
{
	return max(kipsec_chain_max(&sad->by_spi, &sad->bits),
		   kipsec_chain_max(&sad->by_addr, &sad->bits));
}

/* ---- expiry --------------------------------------------------------- */

static void kipsec_sad_schedule(struct kipsec_sad *sad, time64_t deadline)
{
	time64_t delay = deadline - ktime_get_seconds();

	if (sad->dead)
		return;
	/* The work reschedules itself: a day ahead at most is enough. */
	delay = clamp_t(time64_t, delay, 0, 86400);
	/* Only ever brings the work forward; it reschedules itself. */
	if (!delayed_work_pending(&sad->expire_work) ||
	    time_before((unsigned long)(jiffies + delay * HZ),
			sad->expire_work.timer.expires))
		mod_delayed_work(system_wq, &sad->expire_work, delay * HZ);
}

/* The earlier of two deadlines, 0 meaning none. */
static time64_t kipsec_first(time64_t a, time64_t b)
{
	return !a || (b && b < a) ? b : a;
}

/* Lifetimes are u64 seconds: clamp so that deadlines cannot overflow. */
#define KIPSEC_LT_MAX	BIT_ULL(40)

static time64_t kipsec_lt_secs(u64 secs)
{
	return min_t(u64, secs, KIPSEC_LT_MAX);
}

/* When lifetime @lt runs out by the clock (addtime, usetime), or 0. */
static time64_t kipsec_lt_deadline(const struct kipsec_sa *sa,
				   const struct sadb_lifetime *lt)
{
	time64_t d = 0;

	if (lt->sadb_lifetime_addtime)
		d = sa->created + kipsec_lt_secs(lt->sadb_lifetime_addtime);
	if (lt->sadb_lifetime_usetime && sa->first_use)
		d = kipsec_first(d, sa->first_use +
				 kipsec_lt_secs(lt->sadb_lifetime_usetime));
	return d;
}

/* Lifetime @lt is used up at @now, by the clock or by the counters. */
static bool kipsec_lt_over(const struct kipsec_sa *sa,
			   const struct sadb_lifetime *lt, time64_t now)
{
	time64_t d = kipsec_lt_deadline(sa, lt);

	if (d && now >= d)
		return true;
	if (lt->sadb_lifetime_bytes &&
	    atomic64_read(&sa->bytes) >= lt->sadb_lifetime_bytes)
		return true;
	return lt->sadb_lifetime_allocations &&
	       atomic64_read(&sa->packets) >= lt->sadb_lifetime_allocations;
}

static time64_t kipsec_sa_deadline(const struct kipsec_sa *sa)
{
	time64_t d;

	if (sa->state == SADB_SASTATE_LARVAL)
		return sa->larval_deadline;
	d = kipsec_lt_deadline(sa, &sa->hard);
	if (!sa->soft_expired)
		d = kipsec_first(d, kipsec_lt_deadline(sa, &sa->soft));
	return d;
}

/* A byte or packet limit is reached that the expiry work must act on. */
static bool kipsec_sa_limited(const struct kipsec_sa *sa)
{
	return kipsec_lt_over(sa, &sa->hard, 0) ||
	       (!READ_ONCE(sa->soft_expired) &&
		kipsec_lt_over(sa, &sa->soft, 0));
}

/* Handle one SA's lifetimes; EXPIRE messages go on @out. */
static void kipsec_sa_expire(struct kipsec_sad *sad, struct kipsec_sa *sa,
			     time64_t now, struct sk_buff_head *out)
{
	struct sk_buff *skb;

	if (sa->state == SADB_SASTATE_LARVAL) {
		/* KAME drops unclaimed larval SAs without a message. */
		if (now >= sa->larval_deadline)
			kipsec_sa_unlink(sad, sa);
		return;
	}
	if (kipsec_lt_over(sa, &sa->hard, now)) {
		skb = kipsec_sa_msg(sa, NULL, SADB_EXPIRE, KIPSEC_SAMSG_HARD,
				    GFP_ATOMIC);
		if (skb)
			__skb_queue_tail(out, skb);
		kipsec_sa_unlink(sad, sa);
		return;
	}
	if (sa->soft_expired || !kipsec_lt_over(sa, &sa->soft, now))
		return;
	WRITE_ONCE(sa->soft_expired, true);
	sa->limit_kicked = false;
	WRITE_ONCE(sa->state, SADB_SASTATE_DYING);
	skb = kipsec_sa_msg(sa, NULL, SADB_EXPIRE, KIPSEC_SAMSG_SOFT,
			    GFP_ATOMIC);
	if (skb)
		__skb_queue_tail(out, skb);
}

/*
 * For the data plane: account one packet of @bytes on @sa. Counting is
 * lockless; the SAD lock is taken only on the first use (usetime starts)
 * and when a byte or packet limit is reached, to wake the expiry work.
 * Allocations count packets, as af_key's do.
 */
void kipsec_sa_count(struct kipsec_sad *sad, struct kipsec_sa *sa,
		     unsigned int bytes)
{
	atomic64_inc(&sa->packets);
	atomic64_add(bytes, &sa->bytes);
	if (likely(READ_ONCE(sa->first_use) && !kipsec_sa_limited(sa)))
		return;
	spin_lock_bh(&sad->lock);
	if (!sa->first_use && sa->state != SADB_SASTATE_DEAD) {
		WRITE_ONCE(sa->first_use, ktime_get_seconds());
		sa->cur.sadb_lifetime_usetime = ktime_get_real_seconds();
		if (kipsec_sa_deadline(sa))
			kipsec_sad_schedule(sad, kipsec_sa_deadline(sa));
	}
	if (kipsec_sa_limited(sa) && !sa->limit_kicked) {
		sa->limit_kicked = true;
		kipsec_sad_schedule(sad, 0);
	}
	spin_unlock_bh(&sad->lock);
}

/* The current lifetime as PF_KEY reports it. */
void kipsec_sa_cur(const struct kipsec_sa *sa, struct sadb_lifetime *cur)
{
	*cur = sa->cur;
	cur->sadb_lifetime_allocations = atomic64_read(&sa->packets);
	cur->sadb_lifetime_bytes = atomic64_read(&sa->bytes);
}

/* What the expiry walk carries from one SA to the next. */
struct kipsec_expiry {
	time64_t now, next;		/* next: the earliest deadline left */
	struct sk_buff_head out;	/* EXPIRE messages to send */
};

static void kipsec_sa_expire_one(struct kipsec_sad *sad, struct kipsec_sa *sa,
				 void *arg)
{
	struct kipsec_expiry *e = arg;

	kipsec_sa_expire(sad, sa, e->now, &e->out);
	/* Freed after a grace period: its state is still readable. */
	if (sa->state != SADB_SASTATE_DEAD)
		e->next = kipsec_first(e->next, kipsec_sa_deadline(sa));
}

static void kipsec_sad_send_expires(struct kipsec_net *kn,
				    struct sk_buff_head *out)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(out))) {
		u8 satype = ((struct sadb_msg *)skb->data)->sadb_msg_satype;

		kipsec_broadcast(skb, GFP_KERNEL, KIPSEC_BC_REGISTERED, NULL,
				 kn->net, satype);
	}
}

/*
 * In batches, sending each batch's EXPIREs before the next. An SA that
 * gains an earlier deadline behind the cursor schedules the work itself.
 */
static void kipsec_sad_expire_work(struct work_struct *work)
{
	struct kipsec_sad *sad = container_of(to_delayed_work(work),
					      struct kipsec_sad, expire_work);
	struct kipsec_net *kn = container_of(sad, struct kipsec_net, sad);
	struct kipsec_expiry e = { .now = ktime_get_seconds() };
	u64 cursor = 0;
	bool more;

	__skb_queue_head_init(&e.out);
	do {
		spin_lock_bh(&sad->lock);
		more = !sad->dead &&
		       kipsec_sad_batch(sad, &cursor, U64_MAX,
					kipsec_sa_expire_one, &e);
		if (!more && e.next)
			kipsec_sad_schedule(sad, e.next);
		spin_unlock_bh(&sad->lock);
		kipsec_sad_send_expires(kn, &e.out);
		cond_resched();
	} while (more);
}

/* ---- inserting ------------------------------------------------------ */

struct kipsec_sa *kipsec_sa_alloc_gfp(gfp_t gfp)
{
	struct kipsec_sa *sa = kmem_cache_zalloc(kipsec_sa_cache, gfp);

	if (sa) {
		refcount_set(&sa->ref, 1);
		INIT_HLIST_NODE(&sa->by_seq);
		sa->created = ktime_get_seconds();
	}
	return sa;
}

struct kipsec_sa *kipsec_sa_alloc(void)
{
	return kipsec_sa_alloc_gfp(GFP_KERNEL);
}

/* Caller holds the lock and has checked the SPI is free. */
void kipsec_sad_insert(struct kipsec_sad *sad, struct kipsec_sa *sa)
{
	time64_t d;

	sa->id = ++sad->next_id;
	write_seqcount_begin(&sad->seq);
	kipsec_sa_hash(sad, sa);
	write_seqcount_end(&sad->seq);
	kipsec_sa_link_id(sad, sa);
	WRITE_ONCE(sad->count, sad->count + 1);
	if (sa->acquire)
		sad->nr_acquire++;
	d = kipsec_sa_deadline(sa);
	if (d)
		kipsec_sad_schedule(sad, d);
	kipsec_sad_grow_soon(sad);
}

/* Add an SA built in the kernel (selftest); EEXIST if its SPI is taken. */
int kipsec_sad_insert_new(struct kipsec_sad *sad, struct kipsec_sa *sa)
{
	int err = -EEXIST;

	kipsec_sad_grow(sad);
	spin_lock_bh(&sad->lock);
	if (!kipsec_sad_lookup(sad, sa->spi, &sa->dst, sa->satype)) {
		kipsec_sad_insert(sad, sa);
		err = 0;
	}
	spin_unlock_bh(&sad->lock);
	return err;
}

static int kipsec_sa_reply(struct sock *sk, const struct kipsec_sa *sa,
			   const struct sadb_msg *req, unsigned int what,
			   enum kipsec_bcast how)
{
	struct sk_buff *skb = kipsec_sa_msg(sa, req, req->sadb_msg_type, what,
					    GFP_ATOMIC);

	if (!skb)
		return -ENOBUFS;
	kipsec_broadcast(skb, GFP_ATOMIC, how, sk, sock_net(sk),
			 sa->satype);
	return 0;
}

/*
 * A mature SA from @sa->src to @sa->dst ends the ACQUIREs that waited for
 * one, as XFRM's add does; they would otherwise stay in `setkey -D` until
 * the larval lifetime. Caller holds the SAD lock.
 */
static void kipsec_sad_acquired(struct kipsec_sad *sad,
				const struct kipsec_sa *sa)
{
	struct kipsec_sa *acq;
	struct hlist_node *tmp;

	hlist_for_each_entry_safe(acq, tmp,
				  kipsec_addr_bucket(sad, &sa->src, &sa->dst,
						     sa->satype), by_addr)
		if (acq->state == SADB_SASTATE_LARVAL && !acq->spi &&
		    acq->satype == sa->satype &&
		    kipsec_mode_fits(sa->mode, acq->mode) &&
		    !memcmp(&acq->src, &sa->src, sizeof(sa->src)) &&
		    !memcmp(&acq->dst, &sa->dst, sizeof(sa->dst)))
			kipsec_sa_unlink(sad, acq);
}

static int kipsec_sad_update_natt(struct sock *sk, struct kipsec_sad *sad,
				  const struct kipsec_msg *m);

/*
 * ADD (EEXIST if the SPI is taken) and UPDATE (of a larval SA; of a mature
 * one only its NAT-T ports, see kipsec_sad_update_natt()).
 */
int kipsec_sad_add(struct sock *sk, const struct kipsec_msg *m)
{
	struct kipsec_sad *sad = &kipsec_pernet(sock_net(sk))->sad;
	bool update = m->hdr->sadb_msg_type == SADB_UPDATE;
	struct kipsec_sa *sa, *old;
	int err;

	if (update) {
		err = kipsec_sad_update_natt(sk, sad, m);
		if (err != -EAGAIN)
			return err;
	}
	sa = kipsec_sa_alloc();
	if (!sa)
		return -ENOMEM;
	err = kipsec_sa_from_msg(sa, m);
	if (!err)
		err = kipsec_sa_dp_init(sa);
	if (err)
		goto fail;
	sa->state = SADB_SASTATE_MATURE;
	kipsec_sad_grow(sad);

	spin_lock_bh(&sad->lock);
	old = kipsec_sad_lookup(sad, sa->spi, &sa->dst, sa->satype);
	if (update && !old)
		err = -ENOENT;
	else if (update && old->state != SADB_SASTATE_LARVAL)
		err = -EINVAL;
	else if (!update && old)
		err = -EEXIST;
	if (err) {
		spin_unlock_bh(&sad->lock);
		goto fail;
	}
	if (old) {
		if (!sa->reqid)
			sa->reqid = old->reqid;
		if (!sa->mode)
			sa->mode = old->mode;
		kipsec_sa_unlink(sad, old);
	}
	kipsec_sad_acquired(sad, sa);
	kipsec_sad_insert(sad, sa);
	kipsec_sa_reply(sk, sa, m->hdr, 0, KIPSEC_BC_ALL);
	spin_unlock_bh(&sad->lock);
	return 0;
fail:
	kipsec_sa_free(sa);
	return err;
}

static void kipsec_sa_key_of(const struct kipsec_msg *m, __be32 *spi,
			     struct kipsec_addr *dst)
{
	const struct sadb_sa *ssa = kipsec_msg_ext(m, SADB_EXT_SA);
	const struct sadb_address *a = kipsec_msg_ext(m, SADB_EXT_ADDRESS_DST);

	*spi = ssa->sadb_sa_spi;
	kipsec_addr_from_sockaddr(dst, kipsec_msg_sockaddr(a));
}

/*
 * UPDATE of a mature (or dying) SA: a NAT gave the peer another UDP port
 * (RFC 7296 2.23), and the key manager moves the SA's ESP in UDP there;
 * FreeBSD's SADB_UPDATE does the same. Only the NAT-T ports change: the
 * message carries the SA's type and both new ports, and no keys (an SA's
 * keys and algorithms never change). The packet path reads the ports
 * without the lock; a packet sees the old pair or, briefly, one of each,
 * which is harmless. -EAGAIN: no such mature SA, the ordinary UPDATE of
 * a larval SA applies (and fails as before for a mature one).
 */
static int kipsec_sad_update_natt(struct sock *sk, struct kipsec_sad *sad,
				  const struct kipsec_msg *m)
{
	const struct sadb_x_nat_t_type *t = kipsec_msg_ext(m, SADB_X_EXT_NAT_T_TYPE);
	const struct sadb_x_nat_t_port *sp = kipsec_msg_ext(m, SADB_X_EXT_NAT_T_SPORT);
	const struct sadb_x_nat_t_port *dp = kipsec_msg_ext(m, SADB_X_EXT_NAT_T_DPORT);
	const struct sadb_address *src = kipsec_msg_ext(m, SADB_EXT_ADDRESS_SRC);
	struct kipsec_addr dst, saddr;
	struct kipsec_sa *sa;
	__be32 spi;
	int err = 0;

	if (!t || !sp || !dp)
		return -EAGAIN;
	kipsec_sa_key_of(m, &spi, &dst);
	kipsec_addr_from_sockaddr(&saddr, kipsec_msg_sockaddr(src));
	spin_lock_bh(&sad->lock);
	sa = kipsec_sad_lookup(sad, spi, &dst, m->hdr->sadb_msg_satype);
	if (!sa || sa->state == SADB_SASTATE_LARVAL)
		err = -EAGAIN;
	else if (!sa->natt_type || t->sadb_x_nat_t_type_type != sa->natt_type ||
		 !sp->sadb_x_nat_t_port_port || !dp->sadb_x_nat_t_port_port ||
		 memcmp(&saddr, &sa->src, sizeof(saddr)) ||
		 kipsec_msg_ext(m, SADB_EXT_KEY_AUTH) ||
		 kipsec_msg_ext(m, SADB_EXT_KEY_ENCRYPT))
		err = -EINVAL;
	if (!err) {
		WRITE_ONCE(sa->natt_sport, sp->sadb_x_nat_t_port_port);
		WRITE_ONCE(sa->natt_dport, dp->sadb_x_nat_t_port_port);
		kipsec_sa_reply(sk, sa, m->hdr, 0, KIPSEC_BC_ALL);
	}
	spin_unlock_bh(&sad->lock);
	return err;
}

/* DELETE and GET find the SA by (SPI, destination, protocol). */
static int kipsec_sad_find_op(struct sock *sk, const struct kipsec_msg *m,
			      bool del)
{
	struct kipsec_sad *sad = &kipsec_pernet(sock_net(sk))->sad;
	struct kipsec_addr dst;
	struct kipsec_sa *sa;
	__be32 spi;
	int err = 0;

	kipsec_sa_key_of(m, &spi, &dst);
	spin_lock_bh(&sad->lock);
	sa = kipsec_sad_lookup(sad, spi, &dst, m->hdr->sadb_msg_satype);
	if (!sa)
		err = -ENOENT;
	else if (del)
		err = kipsec_sa_reply(sk, sa, m->hdr, 0, KIPSEC_BC_ALL);
	else
		err = kipsec_sa_reply(sk, sa, m->hdr, KIPSEC_SAMSG_KEYS,
				      KIPSEC_BC_ONE);
	if (sa && del)
		kipsec_sa_unlink(sad, sa);
	spin_unlock_bh(&sad->lock);
	return err;
}

int kipsec_sad_delete(struct sock *sk, const struct kipsec_msg *m)
{
	return kipsec_sad_find_op(sk, m, true);
}

int kipsec_sad_get(struct sock *sk, const struct kipsec_msg *m)
{
	return kipsec_sad_find_op(sk, m, false);
}

static void kipsec_sa_flush_one(struct kipsec_sad *sad, struct kipsec_sa *sa,
				void *arg)
{
	u8 satype = *(u8 *)arg;

	if (satype == SADB_SATYPE_UNSPEC || sa->satype == satype)
		kipsec_sa_unlink(sad, sa);
}

/* The SAs there were when FLUSH came; in batches, BH on in between. */
int kipsec_sad_flush(struct sock *sk, const struct kipsec_msg *m)
{
	struct kipsec_sad *sad = &kipsec_pernet(sock_net(sk))->sad;
	u8 satype = m->hdr->sadb_msg_satype;
	struct sk_buff *skb;
	u64 last;

	spin_lock_bh(&sad->lock);
	last = sad->next_id;
	spin_unlock_bh(&sad->lock);
	kipsec_sad_walk(sad, last, kipsec_sa_flush_one, &satype);

	skb = kipsec_msg_new(sizeof(struct sadb_msg), GFP_KERNEL);
	if (!skb)
		return -ENOBUFS;
	kipsec_put_hdr(skb, m->hdr, SADB_FLUSH, satype);
	kipsec_msg_finish(skb);
	kipsec_broadcast(skb, GFP_KERNEL, KIPSEC_BC_ALL, sk, sock_net(sk),
			 satype);
	return 0;
}

/*
 * Up to KIPSEC_SAD_BATCH SAs of a DUMP after pos[0], the id of the last SA
 * looked at: 1 while the socket has room and more is left, 2 when it has
 * no room, 0 at the end, or -errno. Caller holds the lock.
 */
static int kipsec_sad_dump_batch(struct sock *sk, struct kipsec_sad *sad,
				 struct kipsec_dump *d)
{
	u8 satype = d->req.sadb_msg_satype;
	struct kipsec_sa *sa = kipsec_sa_after(sad, d->pos[0]);
	struct sk_buff *skb;
	unsigned int n;

	for (n = 0; sa; sa = kipsec_sa_next(sa), n++) {
		if (n == KIPSEC_SAD_BATCH)
			return 1;
		if (satype != SADB_SATYPE_UNSPEC && sa->satype != satype) {
			d->pos[0] = sa->id;
			continue;
		}
		if (!kipsec_dump_room(sk))
			return 2;
		skb = kipsec_sa_msg(sa, &d->req, SADB_DUMP, KIPSEC_SAMSG_KEYS,
				    GFP_ATOMIC);
		if (!skb)
			return -ENOBUFS;
		kipsec_dump_emit(sk, d, skb);
		d->pos[0] = sa->id;
	}
	return 0;
}

/*
 * DUMP, resumable: ids grow with creation, so the walk resumes after the
 * last id looked at, in O(log n) whatever was removed meanwhile. An SA
 * added during the dump is sent if it comes after the cursor.
 */
int kipsec_sad_dump_step(struct sock *sk, struct kipsec_dump *d)
{
	struct kipsec_sad *sad = &kipsec_pernet(sock_net(sk))->sad;
	int ret;

	do {
		cond_resched();
		spin_lock_bh(&sad->lock);
		ret = kipsec_sad_dump_batch(sk, sad, d);
		spin_unlock_bh(&sad->lock);
	} while (ret == 1);
	return ret == 2 ? 1 : ret;
}

/* ---- GETSPI --------------------------------------------------------- */

/* The SPI range asked for, checked as af_key does. */
static int kipsec_spi_range(const struct kipsec_msg *m, u32 *min, u32 *max)
{
	const struct sadb_spirange *r = kipsec_msg_ext(m, SADB_EXT_SPIRANGE);
	bool ipcomp = m->hdr->sadb_msg_satype == SADB_X_SATYPE_IPCOMP;

	*min = 0x100;
	*max = ipcomp ? 0xffff : 0x0fffffff;
	if (!r)
		return 0;
	*min = r->sadb_spirange_min;
	*max = r->sadb_spirange_max;
	if (*min > *max)
		return -EINVAL;
	if (ipcomp ? (!*min || *max > 0xffff) : *min < 0x100)
		return -EINVAL;
	return 0;
}

/*
 * A free SPI in [min, max]: a random start, then a bounded linear probe so
 * that small ranges are searched completely. Caller holds the lock.
 */
static int kipsec_sad_alloc_spi(struct kipsec_sad *sad, struct kipsec_sa *sa,
				u32 min, u32 max)
{
	u64 range = (u64)max - min + 1;
	u64 tries = min_t(u64, range, 1u << 16);
	u64 start = get_random_u32() % range;
	u64 i;

	if (min == max) {
		sa->spi = htonl(min);
		return kipsec_sad_lookup(sad, sa->spi, &sa->dst, sa->satype) ?
		       -EEXIST : 0;
	}
	for (i = 0; i < tries; i++) {
		sa->spi = htonl(min + (u32)((start + i) % range));
		if (!kipsec_sad_lookup(sad, sa->spi, &sa->dst, sa->satype))
			return 0;
	}
	return -ENOENT;
}

/*
 * The larval SA an ACQUIRE left (SPI 0) that a GETSPI answers: same seq,
 * SA type and destination, as af_key's lookup by sequence number.
 */
static struct kipsec_sa *kipsec_sad_find_acquire(struct kipsec_sad *sad,
						 const struct kipsec_sa *req)
{
	struct kipsec_sa *sa;

	if (!req->seq)
		return NULL;
	hlist_for_each_entry(sa, kipsec_seq_bucket(sad, req->seq), by_seq)
		if (sa->seq == req->seq && !sa->spi &&
		    sa->satype == req->satype &&
		    !memcmp(&sa->dst, &req->dst, sizeof(req->dst)))
			return sa;
	return NULL;
}

/* @acq takes the SPI (and any mode/reqid) GETSPI chose in @from. */
static void kipsec_sa_take_spi(struct kipsec_sad *sad, struct kipsec_sa *acq,
			       const struct kipsec_sa *from)
{
	write_seqcount_begin(&sad->seq);
	hlist_del_rcu(&acq->by_spi);
	acq->spi = from->spi;
	hlist_add_head_rcu(&acq->by_spi, kipsec_spi_bucket(sad, acq->spi,
							   &acq->dst,
							   acq->satype));
	write_seqcount_end(&sad->seq);
	acq->acquire = false;
	sad->nr_acquire--;
	if (from->mode)
		acq->mode = from->mode;
	if (from->reqid)
		acq->reqid = from->reqid;
	acq->pid = from->pid;
	acq->larval_deadline = from->larval_deadline;
}

/* GETSPI: a larval SA with a fresh SPI, for UPDATE to complete. */
int kipsec_sad_getspi(struct sock *sk, const struct kipsec_msg *m)
{
	struct kipsec_net *kn = kipsec_pernet(sock_net(sk));
	const struct sadb_address *src = kipsec_msg_ext(m, SADB_EXT_ADDRESS_SRC);
	const struct sadb_address *dst = kipsec_msg_ext(m, SADB_EXT_ADDRESS_DST);
	const struct sadb_x_sa2 *sa2 = kipsec_msg_ext(m, SADB_X_EXT_SA2);
	struct kipsec_sad *sad = &kn->sad;
	struct kipsec_sa *sa, *acq;
	u32 min, max;
	int err;

	err = kipsec_spi_range(m, &min, &max);
	if (err)
		return err;
	if (sa2 && sa2->sadb_x_sa2_mode > IPSEC_MODE_TUNNEL)
		return -EINVAL;
	sa = kipsec_sa_alloc();
	if (!sa)
		return -ENOMEM;
	sa->satype = m->hdr->sadb_msg_satype;
	sa->state = SADB_SASTATE_LARVAL;
	sa->seq = m->hdr->sadb_msg_seq;
	sa->pid = m->hdr->sadb_msg_pid;
	if (sa2) {
		sa->mode = sa2->sadb_x_sa2_mode;
		sa->reqid = sa2->sadb_x_sa2_reqid;
	}
	kipsec_addr_from_sockaddr(&sa->src, kipsec_msg_sockaddr(src));
	kipsec_addr_from_sockaddr(&sa->dst, kipsec_msg_sockaddr(dst));
	sa->cur.sadb_lifetime_addtime = ktime_get_real_seconds();
	sa->larval_deadline = sa->created + READ_ONCE(kn->larval_lifetime);
	kipsec_sad_grow(sad);

	spin_lock_bh(&sad->lock);
	acq = kipsec_sad_find_acquire(sad, sa);
	err = kipsec_sad_alloc_spi(sad, sa, min, max);
	if (!err && acq) {
		/* The answer to an ACQUIRE: that larval SA gets the SPI. */
		kipsec_sa_take_spi(sad, acq, sa);
		kipsec_sa_reply(sk, acq, m->hdr, 0, KIPSEC_BC_ONE);
	} else if (!err) {
		kipsec_sad_insert(sad, sa);
		kipsec_sa_reply(sk, sa, m->hdr, 0, KIPSEC_BC_ONE);
	}
	spin_unlock_bh(&sad->lock);
	if (err || acq)
		kipsec_sa_free(sa);
	return err;
}

/* ---- setup ---------------------------------------------------------- */

int kipsec_sad_init(struct kipsec_net *kn)
{
	struct kipsec_sad *sad = &kn->sad;

	spin_lock_init(&sad->lock);
	seqcount_spinlock_init(&sad->seq, &sad->lock);
	sad->ids = RB_ROOT;
	INIT_DELAYED_WORK(&sad->expire_work, kipsec_sad_expire_work);
	INIT_WORK(&sad->grow_work, kipsec_sad_grow_work);
	sad->bits = KIPSEC_SAD_MIN_BITS;
	sad->seed = get_random_u32();
	sad->by_spi = kipsec_sad_table(sad->bits);
	sad->by_addr = kipsec_sad_table(sad->bits);
	sad->by_seq = kipsec_sad_table(sad->bits);
	if (!sad->by_spi || !sad->by_addr || !sad->by_seq) {
		kipsec_sad_exit(kn);
		return -ENOMEM;
	}
	return 0;
}

static void kipsec_sa_unlink_one(struct kipsec_sad *sad,
				 struct kipsec_sa *sa, void *arg)
{
	kipsec_sa_unlink(sad, sa);
}

/*
 * The namespace is going: no socket is left to add SAs, no packet to
 * ACQUIRE one (the hooks are gone), no work may run or be queued again.
 */
void kipsec_sad_exit(struct kipsec_net *kn)
{
	struct kipsec_sad *sad = &kn->sad;

	spin_lock_bh(&sad->lock);
	sad->dead = true;
	spin_unlock_bh(&sad->lock);
	cancel_delayed_work_sync(&sad->expire_work);
	cancel_work_sync(&sad->grow_work);

	kipsec_sad_walk(sad, U64_MAX, kipsec_sa_unlink_one, NULL);
	kvfree(sad->by_spi);
	kvfree(sad->by_addr);
	kvfree(sad->by_seq);
}

int kipsec_sad_cache_init(void)
{
	kipsec_sa_cache = KMEM_CACHE(kipsec_sa, 0);
	return kipsec_sa_cache ? 0 : -ENOMEM;
}

void kipsec_sad_cache_exit(void)
{
	/* SAs are freed after a grace period: wait for the last of them. */
	rcu_barrier();
	flush_workqueue(kipsec_wq);
	kmem_cache_destroy(kipsec_sa_cache);
}
