/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test doubles for the IKE engine: a kernel (an SPD and a SAD in memory
 * behind struct ikd_kernel_ops, recording every call), timers whose clock
 * the test advances, and a log sink the test can read.
 *
 * The generic unit-test rule links one object per test, so a test (or
 * fuzz target) that uses these includes fake_kernel.c, once.
 */
#ifndef KIPSEC_TESTS_FAKE_KERNEL_H
#define KIPSEC_TESTS_FAKE_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../ikd/kernel.h"
#include "../../ikd/loop.h"

#define FK_MAX_SA	64
#define FK_MAX_POL	64
#define FK_MAX_CALLS	256
#define FK_MAX_KIF	4

/* A kipsec interface as kif_get() finds it; err: what it answers then
 * (-EMEDIUMTYPE: an interface of another kind). */
struct fake_kif {
	char name[16];
	struct ikd_kif kif;
	int err;
};

struct fake_sa {
	struct ikd_kernel_sa sa;	/* keys point into the arrays below */
	bool larval;			/* getspi done, no update yet */
	uint8_t enc_key[64], auth_key[64];
};

enum fk_op { FK_GETSPI, FK_UPDATE, FK_ADD, FK_DEL, FK_SPD_DUMP, FK_SPD_ADD,
	     FK_SPD_DEL, FK_UPDATE_ENCAP, FK_KIF_GET };

struct fk_call {
	enum fk_op op;
	uint32_t spi;			/* network order, SA calls */
	uint32_t id;			/* policy calls */
};

struct fake_kernel {
	struct ikd_kernel base;		/* first: the engine sees this */
	struct fake_sa sad[FK_MAX_SA];
	unsigned int nsa;
	struct ikd_kernel_policy spd[FK_MAX_POL];
	unsigned int npol;
	uint32_t next_spi, next_id;
	struct fk_call calls[FK_MAX_CALLS];
	unsigned int ncalls;
	int fail_add;			/* next add_sa fails with this */
	struct fake_kif kifs[FK_MAX_KIF];
	unsigned int nkif;
};

/* SPIs are handed out from spi_base up (host order). */
struct fake_kernel *fake_kernel_new(uint32_t spi_base);
void fake_kernel_free(struct fake_kernel *fk);
/* A policy of the test's own SPD (as setkey would have put it). */
uint32_t fake_kernel_add_policy(struct fake_kernel *fk,
				const struct ikd_kernel_policy *p);
/* An interface kif_get() finds (ip link add NAME type kipsec ...). */
struct fake_kif *fake_kernel_add_kif(struct fake_kernel *fk, const char *name,
				     const char *local, const char *remote,
				     uint32_t reqid);
struct fake_sa *fake_kernel_find(struct fake_kernel *fk, uint8_t proto,
				 uint32_t spi, const struct ikd_addr *dst);
unsigned int fake_kernel_count(const struct fake_kernel *fk, bool larval);
unsigned int fake_kernel_ncalls(const struct fake_kernel *fk, enum fk_op op);
/* Index of the first call of @op for @spi, or -1. */
int fake_kernel_call_index(const struct fake_kernel *fk, enum fk_op op,
			   uint32_t spi);

/* Timers: fire in due order when the test advances the clock. */
struct fake_timer;
struct fake_timers {
	struct ikd_timers ops;		/* first */
	uint64_t now;
	struct fake_timer *list;
	unsigned int armed;
};
void fake_timers_init(struct fake_timers *ft);
void fake_timers_advance(struct fake_timers *ft, uint64_t ms);
/* Milliseconds until the next timer, or UINT64_MAX. */
uint64_t fake_timers_next(const struct fake_timers *ft);
void fake_timers_clear(struct fake_timers *ft);

/* The log: every line kept (up to a cap) for assertions. */
void fake_log_reset(void);
/* Is there a line containing @needle? */
bool fake_log_has(const char *needle);
/* The first line containing @needle, or NULL. */
const char *fake_log_find(const char *needle);
/* How many lines contain @needle. */
unsigned int fake_log_count(const char *needle);
void fake_log_dump(void);
/* Lines go to stderr too when true (debugging a test). */
extern bool fake_log_echo;

#endif /* KIPSEC_TESTS_FAKE_KERNEL_H */
