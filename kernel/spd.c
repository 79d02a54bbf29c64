// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The security policy database of a network namespace, with KAME's
 * semantics: lowest priority value first, then insertion order; the first
 * match wins.
 *
 * Lookup never walks the policies. Policies are grouped in classes by the
 * shape of their selector (direction, family, both prefix lengths, and
 * whether protocol and ports are given); within a class a policy is found
 * by hashing the packet's fields masked to that shape. Classes are grouped
 * by destination prefix length. A lookup finds, in one probe per 8
 * destination lengths in use (spd_dst.c), the groups that have a policy
 * whose destination covers the packet's; it asks each class of those
 * groups, and keeps the best (priority, seq) match. Its cost grows with
 * the shapes only of policies whose destination covers the packet's,
 * never with the number of policies or of other shapes. See docs/spd.md.
 *
 * A red-black tree keeps the policies in SPD order, (direction, priority,
 * insertion): inserts cost O(log n), and DUMP resumes after the last
 * policy it sent in O(log n) whatever was removed meanwhile.
 *
 * Writers hold the lock. The packet path reads without it, under RCU:
 * policies and classes are freed after a grace period, and a seqcount
 * makes a lookup that raced with a change (or a rehash) start again.
 */
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/slab.h>
#include "spd.h"
#include "dp.h"

#define KIPSEC_SPD_MIN_BITS	6
#define KIPSEC_SPD_MAX_BITS	20

/* Policies removed per hold of the lock by FLUSH and namespace exit. */
#define KIPSEC_SPD_BATCH	256

static struct hlist_head *kipsec_spd_table(unsigned int bits)
{
	return kvcalloc(1u << bits, sizeof(struct hlist_head), GFP_KERNEL);
}

static struct hlist_head *kipsec_key_bucket(struct kipsec_spd *spd,
					    const struct kipsec_spd_class *c,
					    const struct kipsec_sel *sel)
{
	u32 h = jhash2((const u32 *)sel, sizeof(*sel) / 4, spd->seed ^ c->salt);

	return &spd->by_key[hash_32(h, spd->bits)];
}

/* The same, for lockless readers: the table can grow under them. */
static struct hlist_head *kipsec_key_bucket_rcu(struct kipsec_spd *spd,
						const struct kipsec_spd_class *c,
						const struct kipsec_sel *sel)
{
	u32 h = jhash2((const u32 *)sel, sizeof(*sel) / 4, spd->seed ^ c->salt);
	/* Pairs with the release in grow: new bits, then a table that big. */
	unsigned int bits = smp_load_acquire(&spd->bits);

	return &READ_ONCE(spd->by_key)[hash_32(h, bits)];
}

static struct hlist_head *kipsec_id_bucket(struct kipsec_spd *spd, u32 id)
{
	return &spd->by_id[hash_32(id ^ spd->seed, spd->bits)];
}

static bool kipsec_class_is(const struct kipsec_spd_class *c,
			    const struct kipsec_sel *sel)
{
	return c->splen == sel->splen && c->proto == !!sel->proto &&
	       c->sport == !!sel->sport && c->dport == !!sel->dport;
}

static struct kipsec_spd_dgroup __rcu **
kipsec_dgroup_slot(struct kipsec_spd *spd, u8 dir, const struct kipsec_sel *sel)
{
	return &spd->grp[dir][kipsec_len_index(sel->dst.family, sel->dplen)];
}

static struct kipsec_spd_dgroup *kipsec_dgroup_find(struct kipsec_spd *spd,
						    u8 dir,
						    const struct kipsec_sel *sel)
{
	return rcu_dereference_protected(*kipsec_dgroup_slot(spd, dir, sel),
					 lockdep_is_held(&spd->lock));
}

static struct kipsec_spd_class *kipsec_class_find(struct kipsec_spd *spd,
						  u8 dir,
						  const struct kipsec_sel *sel)
{
	struct kipsec_spd_dgroup *g = kipsec_dgroup_find(spd, dir, sel);
	struct kipsec_spd_class *c;

	if (!g)
		return NULL;
	list_for_each_entry(c, &g->classes, node)
		if (kipsec_class_is(c, sel))
			return c;
	return NULL;
}

static struct kipsec_spd_dgroup *kipsec_dgroup_get(struct kipsec_spd *spd,
						   u8 dir,
						   const struct kipsec_sel *sel)
{
	struct kipsec_spd_dgroup *g = kipsec_dgroup_find(spd, dir, sel);

	if (g)
		return g;
	g = kzalloc(sizeof(*g), GFP_ATOMIC);
	if (!g)
		return NULL;
	INIT_LIST_HEAD(&g->classes);
	g->family = sel->dst.family;
	g->dir = dir;
	g->dplen = sel->dplen;
	g->salt = get_random_u32();
	rcu_assign_pointer(*kipsec_dgroup_slot(spd, dir, sel), g);
	return g;
}

static void kipsec_dgroup_put_unused(struct kipsec_spd *spd,
				     struct kipsec_spd_dgroup *g)
{
	if (g->refs)
		return;
	RCU_INIT_POINTER(spd->grp[g->dir][kipsec_len_index(g->family,
							   g->dplen)], NULL);
	kfree_rcu(g, rcu);
}

/* The class of @sel, made if need be, with no reference taken. */
static struct kipsec_spd_class *kipsec_class_get(struct kipsec_spd *spd,
						 u8 dir,
						 const struct kipsec_sel *sel)
{
	struct kipsec_spd_class *c = kipsec_class_find(spd, dir, sel);
	struct kipsec_spd_dgroup *g;

	if (c)
		return c;
	g = kipsec_dgroup_get(spd, dir, sel);
	if (!g)
		return NULL;
	c = kzalloc(sizeof(*c), GFP_ATOMIC);
	if (!c) {
		kipsec_dgroup_put_unused(spd, g);
		return NULL;
	}
	c->grp = g;
	c->splen = sel->splen;
	c->proto = sel->proto;
	c->sport = sel->sport;
	c->dport = sel->dport;
	c->salt = get_random_u32();
	list_add_tail_rcu(&c->node, &g->classes);
	g->refs++;
	return c;
}

/* Free @c if no policy is in it (a new one that got none, or the last). */
static void kipsec_class_put_unused(struct kipsec_spd *spd,
				    struct kipsec_spd_class *c)
{
	if (c->refs)
		return;
	list_del_rcu(&c->node);
	c->grp->refs--;
	kipsec_dgroup_put_unused(spd, c->grp);
	kfree_rcu(c, rcu);
}

static void kipsec_class_put(struct kipsec_spd *spd,
			     struct kipsec_spd_class *c)
{
	c->refs--;
	kipsec_class_put_unused(spd, c);
}

/* The policy of @dir with exactly this selector. Caller holds the lock. */
static struct kipsec_policy *kipsec_spd_find(struct kipsec_spd *spd, u8 dir,
					     const struct kipsec_sel *sel)
{
	struct kipsec_spd_class *c = kipsec_class_find(spd, dir, sel);
	struct kipsec_policy *pol;

	if (!c)
		return NULL;
	hlist_for_each_entry(pol, kipsec_key_bucket(spd, c, sel), by_key)
		if (pol->cls == c && !memcmp(&pol->sel, sel, sizeof(*sel)))
			return pol;
	return NULL;
}

static struct kipsec_policy *kipsec_spd_by_id(struct kipsec_spd *spd, u32 id)
{
	struct kipsec_policy *pol;

	hlist_for_each_entry(pol, kipsec_id_bucket(spd, id), by_id)
		if (pol->id == id)
			return pol;
	return NULL;
}

/* The packet's fields as class @c sees them. */
static void kipsec_flow_key(struct kipsec_sel *key,
			    const struct kipsec_spd_class *c,
			    const struct kipsec_flow *fl)
{
	memset(key, 0, sizeof(*key));
	key->src = fl->src;
	key->dst = fl->dst;
	kipsec_sel_mask(&key->src, c->splen);
	kipsec_sel_mask(&key->dst, c->grp->dplen);
	key->splen = c->splen;
	key->dplen = c->grp->dplen;
	if (c->proto)
		key->proto = fl->proto;
	if (c->sport)
		key->sport = fl->sport;
	if (c->dport)
		key->dport = fl->dport;
}

/* Where a policy sorts: direction and priority, then insertion. */
static u64 kipsec_policy_rank(const struct kipsec_policy *pol)
{
	return (u64)pol->dir << 32 | pol->priority;
}

static bool kipsec_policy_before(const struct kipsec_policy *a,
				 const struct kipsec_policy *b)
{
	if (kipsec_policy_rank(a) != kipsec_policy_rank(b))
		return kipsec_policy_rank(a) < kipsec_policy_rank(b);
	return a->seq < b->seq;
}

static bool kipsec_policy_less(struct rb_node *a, const struct rb_node *b)
{
	return kipsec_policy_before(rb_entry(a, struct kipsec_policy, node),
				    rb_entry(b, struct kipsec_policy, node));
}

static struct kipsec_policy *kipsec_policy_next(struct kipsec_policy *pol)
{
	struct rb_node *n = rb_next(&pol->node);

	return n ? rb_entry(n, struct kipsec_policy, node) : NULL;
}

/* The first policy after (rank, seq) in SPD order, or NULL. */
static struct kipsec_policy *kipsec_spd_after(struct kipsec_spd *spd,
					      u64 rank, u64 seq)
{
	struct rb_node *n = spd->tree.rb_node;
	struct kipsec_policy *pol, *best = NULL;

	while (n) {
		pol = rb_entry(n, struct kipsec_policy, node);
		if (kipsec_policy_rank(pol) > rank ||
		    (kipsec_policy_rank(pol) == rank && pol->seq > seq)) {
			best = pol;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	return best;
}

static struct kipsec_policy *kipsec_spd_first(struct kipsec_spd *spd)
{
	struct rb_node *n = rb_first(&spd->tree);

	return n ? rb_entry(n, struct kipsec_policy, node) : NULL;
}

/* @best, or a policy of group @g's classes for the packet that comes first. */
static struct kipsec_policy *
kipsec_dgroup_lookup(struct kipsec_spd *spd, const struct kipsec_spd_dgroup *g,
		     const struct kipsec_flow *fl, struct kipsec_policy *best)
{
	struct kipsec_spd_class *c;
	struct kipsec_policy *pol;
	struct kipsec_sel key;

	list_for_each_entry_rcu(c, &g->classes, node,
				lockdep_is_held(&spd->lock)) {
		kipsec_flow_key(&key, c, fl);
		hlist_for_each_entry_rcu(pol, kipsec_key_bucket_rcu(spd, c, &key),
					 by_key, lockdep_is_held(&spd->lock)) {
			if (pol->cls != c || memcmp(&pol->sel, &key, sizeof(key)))
				continue;
			if (!best || kipsec_policy_before(pol, best))
				best = pol;
		}
	}
	return best;
}

/*
 * The policy for a packet, or NULL. Caller holds the SPD lock, or is in an
 * RCU read section and checks spd->seq (kipsec_spd_snap()).
 */
struct kipsec_policy *kipsec_spd_lookup(struct net *net, u8 dir,
					const struct kipsec_flow *fl)
{
	return __kipsec_spd_lookup(&kipsec_pernet(net)->spd, dir, fl);
}

/* Lookup in a given SPD (the selftest has its own). */
struct kipsec_policy *__kipsec_spd_lookup(struct kipsec_spd *spd, u8 dir,
					  const struct kipsec_flow *fl)
{
	u16 family = fl->dst.family;
	unsigned int first = kipsec_level_index(family, 0);
	unsigned int nlevels = family == AF_INET ? 5 : 17;
	unsigned long levels = READ_ONCE(spd->levels[dir]) >> first;
	struct kipsec_spd_dgroup __rcu **slot;
	struct kipsec_policy *best = NULL;
	struct kipsec_spd_dgroup *g;
	unsigned long lens;
	unsigned int lv, l;

	for_each_set_bit(lv, &levels, nlevels) {
		lens = kipsec_spd_dst_lens(spd, dir, &fl->dst, lv * 8);
		for_each_set_bit(l, &lens, 8) {
			slot = &spd->grp[dir][kipsec_len_index(family, lv * 8 + l)];
			g = rcu_dereference_check(*slot,
						  lockdep_is_held(&spd->lock));
			if (g)
				best = kipsec_dgroup_lookup(spd, g, fl, best);
		}
	}
	return best;
}

/* ---- changing the SPD ------------------------------------------------ */

static void kipsec_spd_grow(struct kipsec_spd *spd)
{
	unsigned int bits = READ_ONCE(spd->bits) + 2;
	struct hlist_head *key, *id, *dst, *blk, *okey, *oid, *odst, *oblk;
	struct kipsec_policy *pol;

	if (READ_ONCE(spd->count) < (1u << READ_ONCE(spd->bits)) ||
	    bits > KIPSEC_SPD_MAX_BITS)
		return;
	key = kipsec_spd_table(bits);
	id = kipsec_spd_table(bits);
	dst = kipsec_spd_table(bits);
	blk = kipsec_spd_table(bits);
	if (!key || !id || !dst || !blk)
		goto out;
	spin_lock_bh(&spd->lock);
	if (bits != spd->bits + 2) {
		spin_unlock_bh(&spd->lock);
		goto out;
	}
	okey = spd->by_key;
	oid = spd->by_id;
	odst = spd->by_dst;
	oblk = spd->by_blk;
	write_seqcount_begin(&spd->seq);
	WRITE_ONCE(spd->by_key, key);
	WRITE_ONCE(spd->by_blk, blk);
	spd->by_dst = dst;
	spd->by_id = id;
	/* Readers that see the new bits see the new, bigger table. */
	smp_store_release(&spd->bits, bits);
	for (pol = kipsec_spd_first(spd); pol; pol = kipsec_policy_next(pol)) {
		hlist_add_head_rcu(&pol->by_key,
				   kipsec_key_bucket(spd, pol->cls, &pol->sel));
		hlist_add_head(&pol->by_id, kipsec_id_bucket(spd, pol->id));
	}
	kipsec_spd_dst_move(spd, odst, oblk, bits - 2);
	write_seqcount_end(&spd->seq);
	spin_unlock_bh(&spd->lock);
	/* Lockless readers may still walk the old table. */
	synchronize_rcu();
	key = okey;
	id = oid;
	dst = odst;
	blk = oblk;
out:
	kvfree(key);
	kvfree(id);
	kvfree(dst);
	kvfree(blk);
}

/* af_key's policy ids: a counter in steps of 8, the direction below. */
static u32 kipsec_spd_new_id(struct kipsec_spd *spd, u8 dir)
{
	u32 id;

	do {
		spd->next_index += 8;
		id = spd->next_index | dir;
	} while (spd->next_index < 8 || kipsec_spd_by_id(spd, id));
	return id;
}

static void kipsec_spd_link(struct kipsec_spd *spd, struct kipsec_policy *pol)
{
	write_seqcount_begin(&spd->seq);
	rb_add(&pol->node, &spd->tree, kipsec_policy_less);
	hlist_add_head_rcu(&pol->by_key,
			   kipsec_key_bucket(spd, pol->cls, &pol->sel));
	hlist_add_head(&pol->by_id, kipsec_id_bucket(spd, pol->id));
	pol->cls->refs++;
	pol->mark->refs++;
	WRITE_ONCE(spd->count, spd->count + 1);
	write_seqcount_end(&spd->seq);
}

static void kipsec_spd_unlink(struct kipsec_spd *spd,
			      struct kipsec_policy *pol)
{
	write_seqcount_begin(&spd->seq);
	rb_erase(&pol->node, &spd->tree);
	hlist_del_rcu(&pol->by_key);
	hlist_del(&pol->by_id);
	pol->mark->refs--;
	kipsec_mark_put_unused(spd, pol->mark);
	kipsec_class_put(spd, pol->cls);
	WRITE_ONCE(spd->count, spd->count - 1);
	write_seqcount_end(&spd->seq);
	kfree_rcu(pol, rcu);
}

static void kipsec_policy_reply(struct sock *sk,
				const struct kipsec_policy *pol,
				const struct sadb_msg *req,
				enum kipsec_bcast how)
{
	struct sk_buff *skb;

	skb = kipsec_policy_msg(pol, req, req->sadb_msg_type, GFP_ATOMIC);
	if (skb)
		kipsec_broadcast(skb, GFP_ATOMIC, how, sk, sock_net(sk), 0);
}

/* Caller holds the lock; @pol is new, @old the policy it replaces. */
static int kipsec_spd_insert(struct kipsec_spd *spd,
			     struct kipsec_policy *pol,
			     struct kipsec_policy *old)
{
	pol->cls = kipsec_class_get(spd, pol->dir, &pol->sel);
	if (!pol->cls)
		return -ENOMEM;
	pol->mark = kipsec_mark_get(spd, pol->cls->grp, &pol->sel);
	if (!pol->mark) {
		kipsec_class_put_unused(spd, pol->cls);
		return -ENOMEM;
	}
	if (old) {
		/* An update keeps the policy's place and id. */
		pol->seq = old->seq;
		pol->id = old->id;
		/* hold the class and the mark across the unlink */
		pol->cls->refs++;
		pol->mark->refs++;
		kipsec_spd_unlink(spd, old);
		pol->cls->refs--;
		pol->mark->refs--;
	} else {
		pol->seq = ++spd->next_seq;
		pol->id = kipsec_spd_new_id(spd, pol->dir);
	}
	kipsec_spd_link(spd, pol);
	return 0;
}

/* Add a policy built in the kernel (selftest); EEXIST on a duplicate. */
int kipsec_spd_insert_new(struct kipsec_spd *spd, struct kipsec_policy *pol)
{
	int err = -EEXIST;

	kipsec_spd_grow(spd);
	spin_lock_bh(&spd->lock);
	if (!kipsec_spd_find(spd, pol->dir, &pol->sel))
		err = kipsec_spd_insert(spd, pol, NULL);
	spin_unlock_bh(&spd->lock);
	return err;
}

/* Remove the policy of @dir with @sel (selftest); ENOENT if none. */
int kipsec_spd_remove(struct kipsec_spd *spd, u8 dir,
		      const struct kipsec_sel *sel)
{
	struct kipsec_policy *pol;

	spin_lock_bh(&spd->lock);
	pol = kipsec_spd_find(spd, dir, sel);
	if (pol)
		kipsec_spd_unlink(spd, pol);
	spin_unlock_bh(&spd->lock);
	return pol ? 0 : -ENOENT;
}

/* X_SPDADD and X_SPDSETIDX (EEXIST on a duplicate), X_SPDUPDATE. */
int kipsec_spd_add(struct sock *sk, const struct kipsec_msg *m)
{
	struct kipsec_spd *spd = &kipsec_pernet(sock_net(sk))->spd;
	bool update = m->hdr->sadb_msg_type == SADB_X_SPDUPDATE;
	struct kipsec_policy *pol, *old;
	int err;

	pol = kzalloc(sizeof(*pol), GFP_KERNEL);
	if (!pol)
		return -ENOMEM;
	kipsec_spd_grow(spd);
	spin_lock_bh(&spd->lock);
	err = kipsec_policy_from_msg(pol, m, &spd->next_reqid);
	if (err)
		goto out;
	old = kipsec_spd_find(spd, pol->dir, &pol->sel);
	if (old && !update) {
		err = -EEXIST;
		goto out;
	}
	err = kipsec_spd_insert(spd, pol, old);
	if (!err)
		kipsec_policy_reply(sk, pol, m->hdr, KIPSEC_BC_ALL);
out:
	spin_unlock_bh(&spd->lock);
	if (err)
		kfree(pol);
	return err;
}

/* X_SPDDELETE: by direction and selector. */
int kipsec_spd_delete(struct sock *sk, const struct kipsec_msg *m)
{
	struct kipsec_spd *spd = &kipsec_pernet(sock_net(sk))->spd;
	struct kipsec_policy *pol, *key;
	int err;

	key = kzalloc(sizeof(*key), GFP_KERNEL);
	if (!key)
		return -ENOMEM;
	/* Only direction and selector matter, whatever the action says. */
	err = kipsec_policy_sel_from_msg(key, m);
	if (err)
		goto out;
	spin_lock_bh(&spd->lock);
	pol = kipsec_spd_find(spd, key->dir, &key->sel);
	err = pol ? 0 : -ENOENT;
	if (pol) {
		kipsec_policy_reply(sk, pol, m->hdr, KIPSEC_BC_ALL);
		kipsec_spd_unlink(spd, pol);
	}
	spin_unlock_bh(&spd->lock);
out:
	kfree(key);
	return err;
}

/* X_SPDGET and X_SPDDELETE2: by policy id. */
int kipsec_spd_get(struct sock *sk, const struct kipsec_msg *m)
{
	struct kipsec_spd *spd = &kipsec_pernet(sock_net(sk))->spd;
	const struct sadb_x_policy *xp = kipsec_msg_ext(m, SADB_X_EXT_POLICY);
	bool del = m->hdr->sadb_msg_type == SADB_X_SPDDELETE2;
	struct kipsec_policy *pol;
	int err = 0;

	if ((xp->sadb_x_policy_id & 7) >= KIPSEC_DIR_MAX)
		return -EINVAL;
	spin_lock_bh(&spd->lock);
	pol = kipsec_spd_by_id(spd, xp->sadb_x_policy_id);
	if (!pol) {
		err = -ENOENT;
	} else if (del) {
		kipsec_policy_reply(sk, pol, m->hdr, KIPSEC_BC_ALL);
		kipsec_spd_unlink(spd, pol);
	} else {
		kipsec_policy_reply(sk, pol, m->hdr, KIPSEC_BC_ONE);
	}
	spin_unlock_bh(&spd->lock);
	return err;
}

/*
 * Remove every policy, a batch per hold of the lock so that BH is never
 * off for long. Policies added meanwhile go too. Process context.
 */
static void kipsec_spd_clear(struct kipsec_spd *spd)
{
	struct kipsec_policy *pol;
	unsigned int n;

	do {
		spin_lock_bh(&spd->lock);
		for (n = 0; n < KIPSEC_SPD_BATCH; n++) {
			pol = kipsec_spd_first(spd);
			if (!pol)
				break;
			kipsec_spd_unlink(spd, pol);
		}
		spin_unlock_bh(&spd->lock);
		cond_resched();
	} while (pol);
}

int kipsec_spd_flush(struct sock *sk, const struct kipsec_msg *m)
{
	struct kipsec_spd *spd = &kipsec_pernet(sock_net(sk))->spd;
	struct sk_buff *skb;

	kipsec_spd_clear(spd);

	skb = kipsec_msg_new(sizeof(struct sadb_msg), GFP_KERNEL);
	if (!skb)
		return -ENOBUFS;
	kipsec_put_hdr(skb, m->hdr, SADB_X_SPDFLUSH, SADB_SATYPE_UNSPEC);
	kipsec_msg_finish(skb);
	kipsec_broadcast(skb, GFP_KERNEL, KIPSEC_BC_ALL, sk, sock_net(sk), 0);
	return 0;
}

/*
 * X_SPDDUMP in SPD order. The cursor is the (dir, priority, seq) of the
 * last policy sent (seq 0: none yet; seqs start at 1); the tree is sorted
 * by it, so the walk resumes right after it in O(log n) whatever changed
 * meanwhile. A policy added during the dump is sent if it sorts after the
 * cursor; an SPDUPDATE keeps its policy's place.
 */
static int kipsec_spd_dump_batch(struct sock *sk, struct kipsec_spd *spd,
				 struct kipsec_dump *d)
{
	struct kipsec_policy *pol;
	struct sk_buff *skb;
	unsigned int n = 0;

	pol = d->pos[1] ? kipsec_spd_after(spd, d->pos[0], d->pos[1]) :
			  kipsec_spd_first(spd);
	for (; pol; pol = kipsec_policy_next(pol)) {
		if (n++ == KIPSEC_SPD_BATCH)
			return 1;
		if (!kipsec_dump_room(sk))
			return 2;
		skb = kipsec_policy_msg(pol, &d->req, SADB_X_SPDDUMP,
					GFP_ATOMIC);
		if (!skb)
			return -ENOBUFS;
		kipsec_dump_emit(sk, d, skb);
		d->pos[0] = kipsec_policy_rank(pol);
		d->pos[1] = pol->seq;
	}
	return 0;
}

/* A batch per hold of the lock; 1 when the socket has no more room. */
static int kipsec_spd_dump_pols(struct sock *sk, struct kipsec_dump *d)
{
	struct kipsec_spd *spd = &kipsec_pernet(sock_net(sk))->spd;
	int ret;

	do {
		cond_resched();
		spin_lock_bh(&spd->lock);
		ret = kipsec_spd_dump_batch(sk, spd, d);
		spin_unlock_bh(&spd->lock);
	} while (ret == 1);
	return ret == 2 ? 1 : ret;
}

/* X_SPDDUMP: the SPD, then the per-socket policies (sockpol.c), as KAME. */
int kipsec_spd_dump_step(struct sock *sk, struct kipsec_dump *d)
{
	int ret;

	if (!d->skpol) {
		ret = kipsec_spd_dump_pols(sk, d);
		if (ret)
			return ret;
		d->skpol = true;
	}
	return kipsec_skpol_dump_step(sk, d);
}

int kipsec_spd_init(struct kipsec_spd *spd)
{
	spin_lock_init(&spd->lock);
	seqcount_spinlock_init(&spd->seq, &spd->lock);
	spd->tree = RB_ROOT;
	spd->bits = KIPSEC_SPD_MIN_BITS;
	spd->seed = get_random_u32();
	spd->by_key = kipsec_spd_table(spd->bits);
	spd->by_id = kipsec_spd_table(spd->bits);
	spd->by_dst = kipsec_spd_table(spd->bits);
	spd->by_blk = kipsec_spd_table(spd->bits);
	if (!spd->by_key || !spd->by_id || !spd->by_dst || !spd->by_blk) {
		kipsec_spd_exit(spd);
		return -ENOMEM;
	}
	return 0;
}

void kipsec_spd_exit(struct kipsec_spd *spd)
{
	kipsec_spd_clear(spd);
	kvfree(spd->by_key);
	kvfree(spd->by_id);
	kvfree(spd->by_dst);
	kvfree(spd->by_blk);
}
