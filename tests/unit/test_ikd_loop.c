// SPDX-License-Identifier: BSD-2-Clause
/*
 * ikd's event loop (ikd/loop.c): timers fire in due order (ties in the
 * order they were added), cancel before and from inside callbacks (also a
 * timer's own), timers added from callbacks, descriptors through pipes,
 * a descriptor deleted by another's callback in the same batch, and many
 * timers against a sorted reference (the heap).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <cmocka.h>

#include "../../ikd/loop.h"

#define MAXLOG 64

struct rec {
	struct ikd_loop *l;
	struct ikd_timers *t;
	int log[MAXLOG];
	uint64_t at[MAXLOG];
	int n;
	struct ikd_timer *victim;	/* for cancel-from-callback */
	struct ikd_timer *self;
	int pipes[2][2];
};

struct tick {
	struct rec *r;
	int id;
};

static int setup(void **state)
{
	struct rec *r = calloc(1, sizeof(*r));

	if (!r)
		return -1;
	r->l = ikd_loop_new();
	if (!r->l)
		return -1;
	r->t = ikd_loop_timers(r->l);
	for (int i = 0; i < 2; i++)
		if (pipe2(r->pipes[i], O_CLOEXEC | O_NONBLOCK) < 0)
			return -1;
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	struct rec *r = *state;

	ikd_loop_free(r->l);
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			if (r->pipes[i][j] >= 0)
				close(r->pipes[i][j]);
	free(r);
	return 0;
}

static void note(struct rec *r, int id)
{
	assert_true(r->n < MAXLOG);
	r->at[r->n] = r->t->now(r->t);
	r->log[r->n++] = id;
}

static void on_tick(void *arg)
{
	struct tick *k = arg;

	note(k->r, k->id);
}

static void on_stop(void *arg)
{
	struct rec *r = arg;

	note(r, -1);
	ikd_loop_stop(r->l);
}

/* Fails the test instead of hanging when something never fires. */
static void on_watchdog(void *arg)
{
	(void)arg;
	fail_msg("watchdog: the loop did not stop in time");
}

static void run(struct rec *r)
{
	struct ikd_timer *wd = r->t->add(r->t, 5000, on_watchdog, NULL);

	assert_non_null(wd);
	assert_int_equal(ikd_loop_run(r->l), 0);
	r->t->cancel(r->t, wd);
}

static void assert_log(struct rec *r, const int *want, int n)
{
	char got[256] = "";

	for (int i = 0; i < r->n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%d ", r->log[i]);
	if (r->n != n)
		fail_msg("fired %d timers (%s), want %d", r->n, got, n);
	for (int i = 0; i < n; i++)
		if (r->log[i] != want[i])
			fail_msg("order: %s", got);
}

static void test_order(void **state)
{
	struct rec *r = *state;
	struct tick k[5] = { { r, 300 }, { r, 100 }, { r, 200 }, { r, 110 }, { r, 0 } };
	const int want[] = { 0, 100, 110, 200, 300, -1 };
	uint64_t start = r->t->now(r->t);

	assert_non_null(r->t->add(r->t, 300, on_tick, &k[0]));
	assert_non_null(r->t->add(r->t, 100, on_tick, &k[1]));
	assert_non_null(r->t->add(r->t, 200, on_tick, &k[2]));
	/* Times 100 ms apart: a loaded machine (ASan, TCG guests beside)
	 * may take milliseconds between two adds. Same due time as the
	 * 100 would fire after it, in insertion order. */
	assert_non_null(r->t->add(r->t, 100, on_tick, &k[3]));
	assert_non_null(r->t->add(r->t, 0, on_tick, &k[4]));
	assert_non_null(r->t->add(r->t, 400, on_stop, r));
	run(r);
	assert_log(r, want, 6);
	/* Never early; a timer at 30 ms fired at 30 ms or later. */
	assert_true(r->at[1] >= start + 100);
	assert_true(r->at[3] >= start + 200);
	assert_true(r->at[4] >= start + 300);
	assert_true(r->at[5] >= start + 400);
	for (int i = 1; i < r->n; i++)
		assert_true(r->at[i] >= r->at[i - 1]);
}

static void test_cancel(void **state)
{
	struct rec *r = *state;
	struct tick k[3] = { { r, 1 }, { r, 2 }, { r, 3 } };
	const int want[] = { 1, 3, -1 };
	struct ikd_timer *t2;

	assert_non_null(r->t->add(r->t, 5, on_tick, &k[0]));
	t2 = r->t->add(r->t, 10, on_tick, &k[1]);
	assert_non_null(t2);
	assert_non_null(r->t->add(r->t, 15, on_tick, &k[2]));
	assert_non_null(r->t->add(r->t, 25, on_stop, r));
	r->t->cancel(r->t, t2);
	r->t->cancel(r->t, NULL);
	run(r);
	assert_log(r, want, 3);
}

static void cancel_victim(void *arg)
{
	struct rec *r = arg;

	note(r, 100);
	r->t->cancel(r->t, r->victim);
	r->victim = NULL;
}

static void test_cancel_from_callback(void **state)
{
	struct rec *r = *state;
	struct tick k[2] = { { r, 1 }, { r, 2 } };
	const int want[] = { 100, 2, -1 };

	/* Both due at once: the first cancels the second in the same
	 * round, so it must not run. */
	assert_non_null(r->t->add(r->t, 10, cancel_victim, r));
	r->victim = r->t->add(r->t, 10, on_tick, &k[0]);
	assert_non_null(r->victim);
	assert_non_null(r->t->add(r->t, 20, on_tick, &k[1]));
	assert_non_null(r->t->add(r->t, 30, on_stop, r));
	run(r);
	assert_log(r, want, 3);
	assert_null(r->victim);
}

static void cancel_self(void *arg)
{
	struct rec *r = arg;

	note(r, 200);
	/* Harmless: the loop frees it after we return. */
	r->t->cancel(r->t, r->self);
	r->self = NULL;
}

static void test_cancel_self(void **state)
{
	struct rec *r = *state;
	const int want[] = { 200, -1 };

	r->self = r->t->add(r->t, 5, cancel_self, r);
	assert_non_null(r->self);
	assert_non_null(r->t->add(r->t, 15, on_stop, r));
	run(r);
	assert_log(r, want, 2);
}

static struct tick later_tick;

static void add_later(void *arg)
{
	struct rec *r = arg;

	note(r, 300);
	later_tick = (struct tick){ r, 301 };
	/* 0 ms: runs in the next round, after the descriptors. */
	assert_non_null(r->t->add(r->t, 0, on_tick, &later_tick));
	assert_non_null(r->t->add(r->t, 10, on_stop, r));
}

static void test_add_from_callback(void **state)
{
	struct rec *r = *state;
	const int want[] = { 300, 301, -1 };

	assert_non_null(r->t->add(r->t, 5, add_later, r));
	run(r);
	assert_log(r, want, 3);
}

static void rearm_forever(void *arg)
{
	struct rec *r = arg;

	note(r, 400);
	if (r->n < 20)
		assert_non_null(r->t->add(r->t, 0, rearm_forever, r));
}

static void on_pipe_stop(void *arg, int fd, uint32_t events)
{
	struct rec *r = arg;
	char c;

	assert_true(events & EPOLLIN);
	assert_int_equal(read(fd, &c, 1), 1);
	note(r, 500 + c);
	ikd_loop_stop(r->l);
}

static void test_zero_timer_does_not_starve(void **state)
{
	struct rec *r = *state;

	/* A timer that re-arms itself at 0 ms still lets a ready
	 * descriptor through. */
	assert_int_equal(write(r->pipes[0][1], "\x01", 1), 1);
	assert_int_equal(ikd_loop_add_fd(r->l, r->pipes[0][0], 0, on_pipe_stop, r), 0);
	assert_non_null(r->t->add(r->t, 0, rearm_forever, r));
	run(r);
	assert_true(r->n < 20);
	assert_int_equal(r->log[r->n - 1], 501);
}

static void test_fd_events(void **state)
{
	struct rec *r = *state;
	const int want[] = { 500 + 'x' };

	assert_int_equal(ikd_loop_add_fd(r->l, r->pipes[0][0], 0, on_pipe_stop, r), 0);
	/* Twice is refused; bad arguments too. */
	assert_int_equal(ikd_loop_add_fd(r->l, r->pipes[0][0], 0, on_pipe_stop, r), -EEXIST);
	assert_int_equal(ikd_loop_add_fd(r->l, -1, 0, on_pipe_stop, r), -EINVAL);
	assert_int_equal(ikd_loop_add_fd(r->l, 1000000, 0, on_pipe_stop, r), -EBADF);
	assert_int_equal(write(r->pipes[0][1], "x", 1), 1);
	run(r);
	assert_log(r, want, 1);
	/* Deleted: a write no longer wakes it; the stop timer does. */
	ikd_loop_del_fd(r->l, r->pipes[0][0]);
	ikd_loop_del_fd(r->l, r->pipes[0][0]);
	assert_int_equal(write(r->pipes[0][1], "y", 1), 1);
	assert_non_null(r->t->add(r->t, 20, on_stop, r));
	run(r);
	assert_int_equal(r->n, 2);
	assert_int_equal(r->log[1], -1);
	/* And it can be watched again. */
	assert_int_equal(ikd_loop_add_fd(r->l, r->pipes[0][0], 0, on_pipe_stop, r), 0);
	run(r);
	assert_int_equal(r->log[2], 500 + 'y');
}

/* Whichever pipe comes first deletes and closes the other one. */
static void on_pipe_kill_other(void *arg, int fd, uint32_t events)
{
	struct rec *r = arg;
	int other = fd == r->pipes[0][0] ? 1 : 0;

	(void)events;
	note(r, 600 + (fd == r->pipes[0][0] ? 0 : 1));
	ikd_loop_del_fd(r->l, r->pipes[other][0]);
	close(r->pipes[other][0]);
	r->pipes[other][0] = -1;
	ikd_loop_del_fd(r->l, fd);
	assert_non_null(r->t->add(r->t, 10, on_stop, r));
}

static void test_del_other_fd_in_batch(void **state)
{
	struct rec *r = *state;

	assert_int_equal(ikd_loop_add_fd(r->l, r->pipes[0][0], 0, on_pipe_kill_other, r), 0);
	assert_int_equal(ikd_loop_add_fd(r->l, r->pipes[1][0], 0, on_pipe_kill_other, r), 0);
	/* Both readable before the loop runs: one epoll batch. */
	assert_int_equal(write(r->pipes[0][1], "a", 1), 1);
	assert_int_equal(write(r->pipes[1][1], "b", 1), 1);
	run(r);
	/* Exactly one of them ran, then the stop timer. */
	assert_int_equal(r->n, 2);
	assert_true(r->log[0] == 600 || r->log[0] == 601);
	assert_int_equal(r->log[1], -1);
}

/* Many timers with pseudo-random delays fire in sorted order (the heap
 * with removals in the middle). */
struct many {
	struct rec *r;
	uint64_t lo, hi;	/* its due time lies in [lo, hi] */
	int id;
	struct ikd_timer *h;
};

static uint64_t last_lo;
static int fired;

static void on_many(void *arg)
{
	struct many *m = arg;

	/* The previous one was due no later than this one. */
	assert_true(last_lo <= m->hi);
	assert_true(m->r->t->now(m->r->t) >= m->lo);
	last_lo = m->lo;
	m->h = NULL;
	fired++;
}

static void test_many(void **state)
{
	struct rec *r = *state;
	struct many m[300];
	uint32_t x = 12345;
	int cancelled = 0;

	last_lo = 0;
	fired = 0;
	for (int i = 0; i < 300; i++) {
		uint64_t d;

		x = x * 1103515245u + 12345u;
		d = (x >> 16) % 60;
		m[i] = (struct many){ r, r->t->now(r->t) + d, 0, i, NULL };
		m[i].h = r->t->add(r->t, d, on_many, &m[i]);
		assert_non_null(m[i].h);
		m[i].hi = r->t->now(r->t) + d;
	}
	/* Cancel every third from the middle of the heap. */
	for (int i = 0; i < 300; i += 3) {
		r->t->cancel(r->t, m[i].h);
		m[i].h = NULL;
		cancelled++;
	}
	assert_non_null(r->t->add(r->t, 100, on_stop, r));
	run(r);
	assert_int_equal(fired, 300 - cancelled);
}

static void test_now_monotonic(void **state)
{
	struct rec *r = *state;
	uint64_t a = r->t->now(r->t), b;

	usleep(20000);
	b = r->t->now(r->t);
	assert_true(b >= a + 19 && b < a + 2000);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_order),
		T(test_cancel),
		T(test_cancel_from_callback),
		T(test_cancel_self),
		T(test_add_from_callback),
		T(test_zero_timer_does_not_starve),
		T(test_fd_events),
		T(test_del_other_fd_in_batch),
		T(test_many),
		T(test_now_monotonic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
