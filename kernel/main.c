// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Module entry points. Per-namespace state comes first so that a PF_KEY
 * socket can never be created in a namespace without it.
 */
#include <linux/module.h>
#include "kipsec.h"

static int __init kipsec_init(void)
{
	int err;

	err = kipsec_netns_init();
	if (err)
		return err;

	err = kipsec_pfkey_init();
	if (err) {
		kipsec_netns_exit();
		return err;
	}
	pr_info("kipsec " KIPSEC_VERSION " loaded\n");
	return 0;
}

static void __exit kipsec_exit(void)
{
	kipsec_pfkey_exit();
	kipsec_netns_exit();
	pr_info("kipsec unloaded\n");
}

module_init(kipsec_init);
module_exit(kipsec_exit);
MODULE_LICENSE("Dual BSD/GPL");
MODULE_DESCRIPTION("KAME-style IPsec engine with a PF_KEY v2 interface");
MODULE_VERSION(KIPSEC_VERSION);
MODULE_ALIAS_NETPROTO(PF_KEY);
