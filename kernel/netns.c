// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Per network namespace state and /proc/net/kipsec.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include "kipsec.h"

unsigned int kipsec_net_id __read_mostly;

static int kipsec_proc_show(struct seq_file *seq, void *v)
{
	struct kipsec_net *kn = kipsec_pernet(seq_file_single_net(seq));

	seq_printf(seq, "version: %s\n", KIPSEC_VERSION);
	seq_printf(seq, "sockets: %d\n", atomic_read(&kn->nr_sockets));
	return 0;
}

static int __net_init kipsec_net_init(struct net *net)
{
	struct kipsec_net *kn = kipsec_pernet(net);

	kn->net = net;
	atomic_set(&kn->nr_sockets, 0);
	if (!proc_create_net_single("kipsec", 0444, net->proc_net,
				    kipsec_proc_show, NULL))
		return -ENOMEM;
	return 0;
}

static void __net_exit kipsec_net_exit(struct net *net)
{
	remove_proc_entry("kipsec", net->proc_net);
	WARN_ON(atomic_read(&kipsec_pernet(net)->nr_sockets));
}

static struct pernet_operations kipsec_net_ops = {
	.init = kipsec_net_init,
	.exit = kipsec_net_exit,
	.id = &kipsec_net_id,
	.size = sizeof(struct kipsec_net),
};

int kipsec_netns_init(void)
{
	return register_pernet_subsys(&kipsec_net_ops);
}

void kipsec_netns_exit(void)
{
	unregister_pernet_subsys(&kipsec_net_ops);
}
