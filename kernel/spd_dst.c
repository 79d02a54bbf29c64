// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Where the SPD's destinations are, so that a lookup asks only the classes
 * of policies whose destination prefix covers the packet's.
 *
 * A mark counts the policies of one group (direction, family, destination
 * length) that have one destination prefix; writers find it by hash.
 *
 * A block holds the marks of one direction whose destination lengths are
 * level..level+7 (level a multiple of 8) and whose destinations share
 * their first level bits: one bit for each of the 255 prefixes those
 * lengths allow. For a packet, a lookup probes one block per level in use
 * (at most 5 for IPv4, 17 for IPv6) and reads from its bits which of the 8
 * prefixes that cover the destination have policies. The cost does not
 * grow with the number of destination lengths in use, nor with the number
 * of policies: a multibit trie of stride 8 whose nodes are found by hash.
 */
#include <linux/bitops.h>
#include <linux/jhash.h>
#include <linux/slab.h>
#include "spd.h"

static unsigned int kipsec_max_plen(u16 family)
{
	return family == AF_INET ? 32 : 128;
}

/* @dst masked to @plen, its padding zero: a mark's or block's key. */
static void kipsec_dst_key(struct kipsec_addr *key,
			   const struct kipsec_addr *dst, unsigned int plen)
{
	memset(key, 0, sizeof(*key));
	key->family = dst->family;
	if (dst->family == AF_INET)
		key->v4 = dst->v4;
	else
		key->v6 = dst->v6;
	kipsec_sel_mask(key, plen);
}

/* ---- marks (writers only) --------------------------------------------- */

static struct hlist_head *kipsec_mark_bucket(struct kipsec_spd *spd,
					     const struct kipsec_spd_dgroup *g,
					     const struct kipsec_addr *key)
{
	u32 h = jhash2((const u32 *)key, sizeof(*key) / 4, spd->seed ^ g->salt);

	return &spd->by_dst[hash_32(h, spd->bits)];
}

static struct kipsec_spd_mark *kipsec_mark_find(struct kipsec_spd *spd,
						const struct kipsec_spd_dgroup *g,
						const struct kipsec_addr *key)
{
	struct kipsec_spd_mark *m;

	hlist_for_each_entry(m, kipsec_mark_bucket(spd, g, key), node)
		if (m->grp == g && !memcmp(&m->dst, key, sizeof(*key)))
			return m;
	return NULL;
}

/* ---- blocks ----------------------------------------------------------- */

static u32 kipsec_block_hash(const struct kipsec_spd *spd, u8 dir, u8 level,
			     const struct kipsec_addr *key)
{
	return jhash2((const u32 *)key, sizeof(*key) / 4,
		      spd->seed + (dir << 8 | level));
}

/* For writers; lockless readers see the table grow, as below. */
static struct hlist_head *kipsec_block_bucket(struct kipsec_spd *spd,
					      const struct kipsec_spd_block *b)
{
	u32 h = kipsec_block_hash(spd, b->dir, b->level, &b->pfx);

	return &spd->by_blk[hash_32(h, spd->bits)];
}

/* The block of @key, or NULL: for writers, and lockless readers. */
static struct kipsec_spd_block *kipsec_block_find(struct kipsec_spd *spd,
						  u8 dir, u8 level,
						  const struct kipsec_addr *key)
{
	u32 h = kipsec_block_hash(spd, dir, level, key);
	/* Pairs with the release in grow: new bits, then a table that big. */
	unsigned int bits = smp_load_acquire(&spd->bits);
	struct kipsec_spd_block *b;

	hlist_for_each_entry_rcu(b, &READ_ONCE(spd->by_blk)[hash_32(h, bits)],
				 node, lockdep_is_held(&spd->lock))
		if (b->dir == dir && b->level == level &&
		    !memcmp(&b->pfx, key, sizeof(*key)))
			return b;
	return NULL;
}

/* The bit, in the block of level @level, of @a's prefix of @level + @l. */
static unsigned int kipsec_block_bit(const struct kipsec_addr *a,
				     unsigned int level, unsigned int l)
{
	const u8 *p = a->family == AF_INET ? (const u8 *)&a->v4 : a->v6.s6_addr;

	return (1u << l) - 1 + (l ? p[level / 8] >> (8 - l) : 0);
}

static struct kipsec_spd_block *kipsec_block_get(struct kipsec_spd *spd,
						 u8 dir,
						 const struct kipsec_addr *dst,
						 unsigned int plen)
{
	unsigned int level = round_down(plen, 8);
	unsigned int lv = kipsec_level_index(dst->family, plen);
	struct kipsec_spd_block *b;
	struct kipsec_addr key;

	kipsec_dst_key(&key, dst, level);
	b = kipsec_block_find(spd, dir, level, &key);
	if (b)
		return b;
	b = kzalloc(sizeof(*b), GFP_ATOMIC);
	if (!b)
		return NULL;
	b->dir = dir;
	b->level = level;
	b->pfx = key;
	hlist_add_head_rcu(&b->node, kipsec_block_bucket(spd, b));
	if (!spd->nblk[dir][lv]++)
		WRITE_ONCE(spd->levels[dir], spd->levels[dir] | BIT(lv));
	return b;
}

static void kipsec_block_put(struct kipsec_spd *spd,
			     struct kipsec_spd_block *b)
{
	unsigned int lv = kipsec_level_index(b->pfx.family, b->level);

	if (--b->refs)
		return;
	hlist_del_rcu(&b->node);
	if (!--spd->nblk[b->dir][lv])
		WRITE_ONCE(spd->levels[b->dir], spd->levels[b->dir] & ~BIT(lv));
	kfree_rcu(b, rcu);
}

/*
 * Which of the lengths @level..@level+7 have policies of direction @dir
 * whose destination covers @dst: bit l for length @level + l.
 */
unsigned int kipsec_spd_dst_lens(struct kipsec_spd *spd, u8 dir,
				 const struct kipsec_addr *dst,
				 unsigned int level)
{
	unsigned int l, top = kipsec_max_plen(dst->family) - level;
	struct kipsec_spd_block *b;
	struct kipsec_addr key;
	unsigned int lens = 0;

	kipsec_dst_key(&key, dst, level);
	b = kipsec_block_find(spd, dir, level, &key);
	if (!b)
		return 0;
	for (l = 0; l < 8 && l <= top; l++)
		if (test_bit(kipsec_block_bit(dst, level, l), b->has))
			lens |= 1u << l;
	return lens;
}

/* ---- for spd.c -------------------------------------------------------- */

/* @m's bit in its block. */
static unsigned int kipsec_mark_bit(const struct kipsec_spd_mark *m)
{
	return kipsec_block_bit(&m->dst, m->blk->level,
				m->grp->dplen - m->blk->level);
}

/* The mark of @sel's destination in group @g, made if need be. */
struct kipsec_spd_mark *kipsec_mark_get(struct kipsec_spd *spd,
					const struct kipsec_spd_dgroup *g,
					const struct kipsec_sel *sel)
{
	struct kipsec_spd_mark *m;
	struct kipsec_addr key;

	kipsec_dst_key(&key, &sel->dst, g->dplen);
	m = kipsec_mark_find(spd, g, &key);
	if (m)
		return m;
	m = kzalloc(sizeof(*m), GFP_ATOMIC);
	if (!m)
		return NULL;
	m->blk = kipsec_block_get(spd, g->dir, &key, g->dplen);
	if (!m->blk) {
		kfree(m);
		return NULL;
	}
	m->grp = g;
	m->dst = key;
	m->blk->refs++;
	set_bit(kipsec_mark_bit(m), m->blk->has);
	hlist_add_head(&m->node, kipsec_mark_bucket(spd, g, &key));
	return m;
}

/* Free @m if no policy has it (a new one that got none, or the last). */
void kipsec_mark_put_unused(struct kipsec_spd *spd, struct kipsec_spd_mark *m)
{
	if (m->refs)
		return;
	clear_bit(kipsec_mark_bit(m), m->blk->has);
	kipsec_block_put(spd, m->blk);
	hlist_del(&m->node);
	kfree(m);
}

/* Grow: every mark and block of the old tables (of @obits) into the new. */
void kipsec_spd_dst_move(struct kipsec_spd *spd, struct hlist_head *odst,
			 struct hlist_head *oblk, unsigned int obits)
{
	struct kipsec_spd_block *b;
	struct kipsec_spd_mark *m;
	struct hlist_node *next;
	unsigned int i;

	for (i = 0; i < 1u << obits; i++) {
		hlist_for_each_entry_safe(m, next, &odst[i], node)
			hlist_add_head(&m->node,
				       kipsec_mark_bucket(spd, m->grp, &m->dst));
		hlist_for_each_entry_safe(b, next, &oblk[i], node)
			hlist_add_head_rcu(&b->node, kipsec_block_bucket(spd, b));
	}
}
