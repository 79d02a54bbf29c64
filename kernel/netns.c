// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Per network namespace state: the SAD, the SPD, the PF_KEY sockets, the
 * net.kipsec sysctls and /proc/net/kipsec.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <linux/delay.h>
#include "alg.h"
#include "pfkey.h"
#include "sad.h"
#include "spd.h"
#include "dp.h"
#include "iface.h"

unsigned int kipsec_net_id __read_mostly;

#define KIPSEC_LARVAL_DEFAULT	30		/* seconds, as KAME */
static int kipsec_larval_max = 86400;

/* ACQUIREs pending at once; KAME and XFRM set no bound (docs/kipsec.4). */
#define KIPSEC_ACQUIRE_DEFAULT	1024
static int kipsec_acquire_limit = 1 << 20;	/* the SAD's largest table */

/* Buckets visited per RCU read section by kipsec_chain_max(). */
#define KIPSEC_CHAIN_BATCH	1024

static unsigned int kipsec_chain_len(struct hlist_head *h)
{
	struct hlist_node *n;
	unsigned int len = 0;

	for (n = rcu_dereference(hlist_first_rcu(h)); n;
	     n = rcu_dereference(hlist_next_rcu(n)))
		len++;
	return len;
}

/*
 * The longest chain of an RCU hash table at *@tablep of 1 << *@bitsp
 * buckets, which may grow meanwhile (a statistic: the count is not atomic).
 * From process context; a batch of buckets per RCU read section.
 */
unsigned int kipsec_chain_max(struct hlist_head **tablep,
			      unsigned int *bitsp)
{
	unsigned int i = 0, end, max = 0, size;
	struct hlist_head *table;

	do {
		rcu_read_lock();
		/* As the lookups: new bits, then a table that big. */
		size = 1u << smp_load_acquire(bitsp);
		table = READ_ONCE(*tablep);
		end = min(size, i + KIPSEC_CHAIN_BATCH);
		for (; i < end; i++)
			max = max(max, kipsec_chain_len(&table[i]));
		rcu_read_unlock();
		cond_resched();
	} while (i < size);
	return max;
}

static void kipsec_proc_tables(struct seq_file *seq, struct kipsec_net *kn)
{
	spin_lock_bh(&kn->sad.lock);
	seq_printf(seq, "acquire_pending: %u\n", kn->sad.nr_acquire);
	seq_printf(seq, "acquire_refused: %llu\n", kn->sad.acquire_refused);
	spin_unlock_bh(&kn->sad.lock);
	seq_printf(seq, "sad_buckets: %u\n", 1u << READ_ONCE(kn->sad.bits));
	seq_printf(seq, "sad_chain_max: %u\n", kipsec_sad_chain_max(&kn->sad));
	seq_printf(seq, "spd_buckets: %u\n", 1u << READ_ONCE(kn->spd.bits));
	seq_printf(seq, "spd_chain_max: %u\n",
		   kipsec_chain_max(&kn->spd.by_key, &kn->spd.bits));
}

/* "name: value" lines; readers look lines up by name (docs/kipsec.4). */
static int kipsec_proc_show(struct seq_file *seq, void *v)
{
	struct kipsec_net *kn = kipsec_pernet(seq_file_single_net(seq));
	unsigned int tried, total, have;

	seq_printf(seq, "version: %s\n", KIPSEC_VERSION);
	seq_printf(seq, "sockets: %d\n", atomic_read(&kn->nr_sockets));
	seq_printf(seq, "sad: %u\n", READ_ONCE(kn->sad.count));
	seq_printf(seq, "spd: %u\n", READ_ONCE(kn->spd.count));
	kipsec_proc_tables(seq, kn);
	kipsec_alg_status(&tried, &total, &have);
	seq_printf(seq, "alg_probed: %u/%u\n", tried, total);
	seq_printf(seq, "alg_available: %u\n", have);
	return 0;
}

static const struct ctl_table kipsec_sysctl_template[] = {
	{
		.procname = "larval_lifetime",
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = proc_dointvec_minmax,
		.extra1 = SYSCTL_ONE,
		.extra2 = &kipsec_larval_max,
	},
	{
		.procname = "preferred_oldsa",
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = proc_dointvec_minmax,
		.extra1 = SYSCTL_ZERO,
		.extra2 = SYSCTL_ONE,
	},
	{
		.procname = "acquire_max",
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = proc_dointvec_minmax,
		.extra1 = SYSCTL_ZERO,
		.extra2 = &kipsec_acquire_limit,
	},
	{ }
};

static int kipsec_sysctl_init(struct kipsec_net *kn)
{
	struct ctl_table *t;

	t = kmemdup(kipsec_sysctl_template, sizeof(kipsec_sysctl_template),
		    GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t[0].data = &kn->larval_lifetime;
	t[1].data = &kn->preferred_oldsa;
	t[2].data = &kn->acquire_max;
	kn->sysctl = register_net_sysctl(kn->net, "net/kipsec", t);
	if (!kn->sysctl) {
		kfree(t);
		return -ENOMEM;
	}
	return 0;
}

static void kipsec_sysctl_exit(struct kipsec_net *kn)
{
	struct ctl_table *t = kn->sysctl->ctl_table_arg;

	unregister_net_sysctl_table(kn->sysctl);
	kfree(t);
}

static int __net_init kipsec_net_init(struct net *net)
{
	struct kipsec_net *kn = kipsec_pernet(net);
	int err;

	kn->net = net;
	atomic_set(&kn->nr_sockets, 0);
	atomic_set(&kn->inflight, 0);
	spin_lock_init(&kn->sock_lock);
	INIT_HLIST_HEAD(&kn->sockets);
	kn->larval_lifetime = KIPSEC_LARVAL_DEFAULT;
	kn->preferred_oldsa = 0;
	kn->acquire_max = KIPSEC_ACQUIRE_DEFAULT;

	err = kipsec_sad_init(kn);
	if (err)
		return err;
	err = kipsec_spd_init(&kn->spd);
	if (err)
		goto err_sad;
	err = kipsec_sysctl_init(kn);
	if (err)
		goto err_spd;
	if (!proc_create_net_single("kipsec", 0444, net->proc_net,
				    kipsec_proc_show, NULL)) {
		err = -ENOMEM;
		goto err_sysctl;
	}
	err = kipsec_stats_net_init(kn);
	if (err)
		goto err_proc;
	err = kipsec_hooks_net_init(net);
	if (err)
		goto err_stats;
	return 0;

err_stats:
	kipsec_stats_net_exit(kn);
err_proc:
	remove_proc_entry("kipsec", net->proc_net);
err_sysctl:
	kipsec_sysctl_exit(kn);
err_spd:
	kipsec_spd_exit(&kn->spd);
err_sad:
	kipsec_sad_exit(kn);
	return err;
}

static void __net_exit kipsec_net_exit(struct net *net)
{
	struct kipsec_net *kn = kipsec_pernet(net);

	/* Interfaces elsewhere whose encrypted side this is, first. */
	kipsec_iface_net_exit(kn);
	kipsec_hooks_net_exit(net);
	/* Packets inside the crypto API still count into kn. */
	while (atomic_read(&kn->inflight))
		usleep_range(1000, 2000);
	kipsec_stats_net_exit(kn);
	remove_proc_entry("kipsec", net->proc_net);
	kipsec_sysctl_exit(kn);
	kipsec_spd_exit(&kn->spd);
	kipsec_sad_exit(kn);
	WARN_ON(atomic_read(&kn->nr_sockets));
}

static struct pernet_operations kipsec_net_ops = {
	.init = kipsec_net_init,
	.exit = kipsec_net_exit,
	.id = &kipsec_net_id,
	.size = sizeof(struct kipsec_net),
};

int kipsec_netns_init(void)
{
	int err;

	err = kipsec_sad_cache_init();
	if (err)
		return err;
	err = register_pernet_subsys(&kipsec_net_ops);
	if (err)
		kipsec_sad_cache_exit();
	return err;
}

void kipsec_netns_exit(void)
{
	unregister_pernet_subsys(&kipsec_net_ops);
	kipsec_sad_cache_exit();
}
