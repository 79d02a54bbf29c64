// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Counters of a namespace, per CPU so that the packet path never shares a
 * cache line, summed when read:
 *  /proc/net/kipsec_stat  KAME's ipsecstat set per family, then the
 *                         per-algorithm histograms (nonzero entries only):
 *                         "FAMILY NAME VALUE", "FAMILY HIST ALGID VALUE"
 *  /proc/net/kipsec_sa    one line of key=value tokens per SA
 * ipsecstat(8) reads both; docs/ipsecstat.8 has the format.
 */
#include <linux/percpu.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>
#include "dp.h"

static const char *const kipsec_stat_names[KIPSEC_STAT_MAX] = {
	"in_success", "in_polvio", "in_nosa", "in_inval", "in_nomem",
	"in_badspi", "in_ahreplay", "in_espreplay", "in_authsucc",
	"in_authfail", "out_success", "out_polvio", "out_nosa", "out_inval",
	"out_nomem", "out_noroute", "out_comp", "out_nocomp_small",
	"out_nocomp_larger", "out_nocomp_backoff", "in_nested",
};

static const char *const kipsec_hist_names[KIPSEC_HIST_MAX] = {
	"in_esphist", "in_ahhist", "in_comphist",
	"out_esphist", "out_ahhist", "out_comphist",
};

static const char *const kipsec_family_names[2] = { "ipv4", "ipv6" };

static u64 kipsec_sum(struct kipsec_net *kn, size_t off)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *(u64 *)((u8 *)per_cpu_ptr(kn->mib, cpu) + off);
	return sum;
}

static void kipsec_show_family(struct seq_file *seq, struct kipsec_net *kn,
			       unsigned int af)
{
	const char *fam = kipsec_family_names[af];
	unsigned int i, h, id;
	u64 v;

	for (i = 0; i < KIPSEC_STAT_MAX; i++)
		seq_printf(seq, "%s %s %llu\n", fam, kipsec_stat_names[i],
			   kipsec_sum(kn, offsetof(struct kipsec_mib,
						   stat[af][i])));
	for (h = 0; h < KIPSEC_HIST_MAX; h++) {
		for (id = 0; id < KIPSEC_HIST_IDS; id++) {
			v = kipsec_sum(kn, offsetof(struct kipsec_mib,
						    hist[af][h][id]));
			if (v)
				seq_printf(seq, "%s %s %u %llu\n", fam,
					   kipsec_hist_names[h], id, v);
		}
	}
}

static int kipsec_stat_show(struct seq_file *seq, void *v)
{
	struct kipsec_net *kn = kipsec_pernet(seq_file_single_net(seq));

	seq_puts(seq, "# kipsec packet counters: family name value\n");
	kipsec_show_family(seq, kn, 0);
	kipsec_show_family(seq, kn, 1);
	return 0;
}

/* ---- per SA --------------------------------------------------------- */

/*
 * The SA at a position of the file, remembered by id across reads so that
 * a read resumes in O(log n) (the tree by id), whatever was removed.
 */
struct kipsec_sa_iter {
	struct seq_net_private p;	/* first: seq_file_net() */
	loff_t pos;			/* position of... */
	u64 id;				/* ...the first SA with an id >= this */
};

static struct kipsec_sa *kipsec_sa_at(struct kipsec_sad *sad,
				      struct kipsec_sa_iter *it, loff_t pos)
{
	struct kipsec_sa *sa;
	loff_t i;

	if (pos && pos == it->pos)
		return kipsec_sa_after(sad, it->id - 1);
	/* A seek: walk (rare; reads go on from where they stopped). */
	sa = kipsec_sa_after(sad, 0);
	for (i = 0; sa && i < pos; i++)
		sa = kipsec_sa_next(sa);
	return sa;
}

static void *kipsec_sa_seq_start(struct seq_file *seq, loff_t *pos)
	__acquires(&kn->sad.lock)
{
	struct kipsec_net *kn = kipsec_pernet(seq_file_net(seq));
	struct kipsec_sa_iter *it = seq->private;
	struct kipsec_sa *sa;

	spin_lock_bh(&kn->sad.lock);
	sa = kipsec_sa_at(&kn->sad, it, *pos);
	it->pos = *pos;
	it->id = sa ? sa->id : U64_MAX;
	return sa;
}

static void *kipsec_sa_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct kipsec_sa_iter *it = seq->private;
	struct kipsec_sa *sa = kipsec_sa_next(v);

	it->pos = ++*pos;
	it->id = sa ? sa->id : ((struct kipsec_sa *)v)->id + 1;
	return sa;
}

static void kipsec_sa_seq_stop(struct seq_file *seq, void *v)
	__releases(&kn->sad.lock)
{
	struct kipsec_net *kn = kipsec_pernet(seq_file_net(seq));

	spin_unlock_bh(&kn->sad.lock);
}

static const char *kipsec_satype_name(u8 satype)
{
	switch (satype) {
	case SADB_SATYPE_ESP:
		return "esp";
	case SADB_SATYPE_AH:
		return "ah";
	case SADB_X_SATYPE_IPCOMP:
		return "ipcomp";
	}
	return "other";
}

static void kipsec_seq_addr(struct seq_file *seq, const char *key,
			    const struct kipsec_addr *a)
{
	if (a->family == AF_INET)
		seq_printf(seq, " %s=%pI4", key, &a->v4);
	else
		seq_printf(seq, " %s=%pI6c", key, &a->v6);
}

static int kipsec_sa_seq_show(struct seq_file *seq, void *v)
{
	static const char *const modes[] = { "any", "transport", "tunnel" };
	struct kipsec_sa *sa = v;
	const struct kipsec_sa_dp *dp = sa->dp;

	seq_printf(seq, "proto=%s", kipsec_satype_name(sa->satype));
	kipsec_seq_addr(seq, "src", &sa->src);
	kipsec_seq_addr(seq, "dst", &sa->dst);
	seq_printf(seq, " spi=0x%08x mode=%s reqid=%u ealg=%u aalg=%u packets=%lld bytes=%lld",
		   ntohl(sa->spi), modes[sa->mode % ARRAY_SIZE(modes)],
		   sa->reqid, sa->ealg, sa->aalg,
		   atomic64_read(&sa->packets), atomic64_read(&sa->bytes));
	if (dp)
		seq_printf(seq, " replay=%lld auth=%lld invalid=%lld dir=%s pmtu=%u",
			   atomic64_read(&dp->replay_fail),
			   atomic64_read(&dp->auth_fail),
			   atomic64_read(&dp->invalid),
			   READ_ONCE(dp->used_in) ? "in" :
			   READ_ONCE(dp->used_out) ? "out" : "-",
			   kipsec_sa_pmtu_now(dp));
	if (dp && dp->proto == IPPROTO_COMP)
		seq_printf(seq, " comp=%lld decomp=%lld nocomp_small=%lld nocomp_larger=%lld nocomp_backoff=%lld",
			   atomic64_read(&dp->comp_out),
			   atomic64_read(&dp->comp_in),
			   atomic64_read(&dp->nocomp_small),
			   atomic64_read(&dp->nocomp_larger),
			   atomic64_read(&dp->nocomp_backoff));
	seq_putc(seq, '\n');
	return 0;
}

static const struct seq_operations kipsec_sa_seq_ops = {
	.start = kipsec_sa_seq_start,
	.next = kipsec_sa_seq_next,
	.stop = kipsec_sa_seq_stop,
	.show = kipsec_sa_seq_show,
};

int kipsec_stats_net_init(struct kipsec_net *kn)
{
	struct net *net = kn->net;

	kn->mib = alloc_percpu(struct kipsec_mib);
	if (!kn->mib)
		return -ENOMEM;
	if (!proc_create_net_single("kipsec_stat", 0444, net->proc_net,
				    kipsec_stat_show, NULL))
		goto err_mib;
	/* Per-SA lines show addresses and SPIs: root only, like the SAD. */
	if (!proc_create_net("kipsec_sa", 0400, net->proc_net,
			     &kipsec_sa_seq_ops, sizeof(struct kipsec_sa_iter)))
		goto err_stat;
	return 0;

err_stat:
	remove_proc_entry("kipsec_stat", net->proc_net);
err_mib:
	free_percpu(kn->mib);
	return -ENOMEM;
}

void kipsec_stats_net_exit(struct kipsec_net *kn)
{
	remove_proc_entry("kipsec_sa", kn->net->proc_net);
	remove_proc_entry("kipsec_stat", kn->net->proc_net);
	free_percpu(kn->mib);
}
