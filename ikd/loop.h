/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The event loop: one thread, epoll for descriptors, one timerfd for all
 * timers (kept in a heap). The IKE engine sees only struct ikd_timers, so
 * that tests can drive time by hand (tests/unit/fake_loop.c).
 */
#ifndef IKD_LOOP_H
#define IKD_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct ikd_timer;
typedef void (*ikd_timer_fn)(void *arg);

/* Timers as the engine uses them; times in milliseconds. */
struct ikd_timers {
	/* Arms a new timer, or NULL on allocation failure. */
	struct ikd_timer *(*add)(struct ikd_timers *t, uint64_t after_ms,
				 ikd_timer_fn fn, void *arg);
	/* Disarms and frees @timer (NULL is fine); never calls fn. */
	void (*cancel)(struct ikd_timers *t, struct ikd_timer *timer);
	/* Monotonic milliseconds. */
	uint64_t (*now)(struct ikd_timers *t);
};

struct ikd_loop;
typedef void (*ikd_fd_fn)(void *arg, int fd, uint32_t events);

struct ikd_loop *ikd_loop_new(void);
void ikd_loop_free(struct ikd_loop *l);
struct ikd_timers *ikd_loop_timers(struct ikd_loop *l);
/* Watches @fd for EPOLLIN (and @events); 0 or -errno. */
int ikd_loop_add_fd(struct ikd_loop *l, int fd, uint32_t events,
		    ikd_fd_fn fn, void *arg);
/* Watches @fd for exactly @events from now on, EPOLLIN not implied (a
 * reply being written need not hear a client that keeps sending). */
int ikd_loop_set_events(struct ikd_loop *l, int fd, uint32_t events);
void ikd_loop_del_fd(struct ikd_loop *l, int fd);
/* Runs until ikd_loop_stop(); 0 or -errno. */
int ikd_loop_run(struct ikd_loop *l);
void ikd_loop_stop(struct ikd_loop *l);

#endif /* IKD_LOOP_H */
