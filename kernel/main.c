// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Module entry points. Per-namespace state comes first so that a PF_KEY
 * socket can never be created in a namespace without it.
 */
#include <linux/module.h>
#include <linux/prandom.h>
#include "kipsec.h"
#include "alg.h"
#include "sad.h"
#include "spd.h"
#include "dp.h"
#include "iface.h"

struct workqueue_struct *kipsec_wq;

static bool kipsec_selftest;
module_param_named(selftest, kipsec_selftest, bool, 0444);
MODULE_PARM_DESC(selftest, "run the in-module self-tests at load");

/*
 * Tests of the packet path's error handling: with N > 0, one in N of its
 * own allocations (per-packet contexts, bundle plans, secpaths) fails, so
 * that the failure paths run and a leak shows when the module unloads.
 */
unsigned int kipsec_fault_every;
module_param_named(fault_alloc, kipsec_fault_every, uint, 0600);
MODULE_PARM_DESC(fault_alloc, "testing: fail one in N packet-path allocations (0: never)");

/* At random: a counter would fail the same allocation of every packet. */
bool kipsec_fault_now(void)
{
	unsigned int every = READ_ONCE(kipsec_fault_every);

	return every && !prandom_u32_max(every);
}

static int kipsec_run_selftests(void)
{
	int err;

	err = kipsec_replay_selftest();
	if (!err)
		err = kipsec_spd_selftest();
	if (!err)
		err = kipsec_sad_selftest();
	if (!err)
		err = kipsec_km_selftest();
	return err;
}

static int __init kipsec_init(void)
{
	int err;

	kipsec_wq = alloc_workqueue("kipsec", 0, 0);
	if (!kipsec_wq)
		return -ENOMEM;
	err = kipsec_sp_init();
	if (err)
		goto err_wq;
	err = kipsec_netns_init();
	if (err)
		goto err_sp;
	err = kipsec_pfkey_init();
	if (err)
		goto err_netns;
	if (kipsec_selftest) {
		err = kipsec_run_selftests();
		if (err)
			goto err_pfkey;
	}
	kipsec_skpol_init();
	err = kipsec_iface_init();
	if (err)
		goto err_skpol;
	/* Last: packets may arrive as soon as the handlers are in. */
	err = kipsec_input_init();
	if (err)
		goto err_iface;
	pr_info("kipsec " KIPSEC_VERSION " loaded\n");
	return 0;

err_iface:
	kipsec_iface_exit();
err_skpol:
	kipsec_skpol_exit();
err_pfkey:
	kipsec_alg_exit();	/* the selftest's REGISTER started it */
	kipsec_pfkey_exit();
err_netns:
	kipsec_netns_exit();
err_sp:
	kipsec_sp_exit();
err_wq:
	destroy_workqueue(kipsec_wq);
	return err;
}

static void __exit kipsec_exit(void)
{
	/* The probe a REGISTER started, if any (alg.c). */
	kipsec_alg_exit();
	/* The interfaces before the SADs they use. */
	kipsec_iface_exit();
	kipsec_input_exit();
	kipsec_skpol_exit();
	kipsec_pfkey_exit();
	kipsec_netns_exit();
	/* No packet is left in flight: their secpaths are freed. */
	kipsec_sp_exit();
	destroy_workqueue(kipsec_wq);
	pr_info("kipsec unloaded\n");
}

module_init(kipsec_init);
module_exit(kipsec_exit);
MODULE_LICENSE("Dual BSD/GPL");
MODULE_DESCRIPTION("KAME-style IPsec engine with a PF_KEY v2 interface");
MODULE_VERSION(KIPSEC_VERSION);
MODULE_ALIAS_NETPROTO(PF_KEY);
