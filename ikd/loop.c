// SPDX-License-Identifier: BSD-2-Clause
/*
 * The event loop (loop.h): epoll for descriptors, one timerfd armed for the
 * earliest of all timers, which live in a binary min-heap.
 *
 * Rules that keep callbacks free to do anything:
 *  - a timer is taken out of the heap before its fn runs and freed after
 *    fn returns; cancelling it from its own fn is harmless (it is marked),
 *    cancelling it after it fired is not (the handle is gone: drop it in fn);
 *  - cancel removes from the heap at once (O(log n)): a timer cancelled by
 *    another callback of the same round never runs;
 *  - timers added during a round (even with 0 ms) wait for the next round,
 *    so a callback that re-arms itself cannot starve descriptors;
 *  - a descriptor deleted while events are being delivered is only marked;
 *    its record is freed after the batch, so a pending event for it is
 *    skipped, never delivered to freed memory.
 */
#include "loop.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define LOOP_MAX_EVENTS	32

struct ikd_timer {
	uint64_t due;		/* monotonic ms */
	uint64_t seq;		/* insertion order: ties fire first-in first */
	size_t idx;		/* position in the heap, or NOT_QUEUED */
	ikd_timer_fn fn;
	void *arg;
	bool cancelled;		/* cancelled while its fn runs */
};

#define NOT_QUEUED	((size_t)-1)

struct fd_reg {
	int fd;
	bool dead;
	ikd_fd_fn fn;
	void *arg;
	struct fd_reg *next_dead;
};

struct ikd_loop {
	struct ikd_timers timers;	/* first: the engine gets this */
	int epfd, tfd;
	bool stop;
	/* Heap of armed timers, earliest at [0]. */
	struct ikd_timer **heap;
	size_t n, cap;
	uint64_t next_seq;
	uint64_t armed_for;		/* due time the timerfd is set to, 0: none */
	/* Registrations by descriptor number. */
	struct fd_reg **fds;
	size_t nfds;
	struct fd_reg *dead;		/* deleted, freed after the batch */
	bool delivering;
};

static struct ikd_loop *loop_of(struct ikd_timers *t)
{
	return (struct ikd_loop *)((char *)t - offsetof(struct ikd_loop, timers));
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- the heap ----------------------------------------------------------- */

static bool earlier(const struct ikd_timer *a, const struct ikd_timer *b)
{
	return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void heap_set(struct ikd_loop *l, size_t i, struct ikd_timer *t)
{
	l->heap[i] = t;
	t->idx = i;
}

static void sift_up(struct ikd_loop *l, size_t i)
{
	struct ikd_timer *t = l->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!earlier(t, l->heap[parent]))
			break;
		heap_set(l, i, l->heap[parent]);
		i = parent;
	}
	heap_set(l, i, t);
}

static void sift_down(struct ikd_loop *l, size_t i)
{
	struct ikd_timer *t = l->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= l->n)
			break;
		if (c + 1 < l->n && earlier(l->heap[c + 1], l->heap[c]))
			c++;
		if (!earlier(l->heap[c], t))
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

static void heap_remove(struct ikd_loop *l, struct ikd_timer *t)
{
	size_t i = t->idx;
	struct ikd_timer *last = l->heap[--l->n];

	t->idx = NOT_QUEUED;
	if (i == l->n)
		return;
	heap_set(l, i, last);
	/* The moved timer may belong above or below its new place. */
	sift_up(l, i);
	sift_down(l, last->idx);
}

/* Points the timerfd at the earliest timer (or disarms it). */
static void rearm(struct ikd_loop *l)
{
	struct itimerspec its = { 0 };
	uint64_t due = l->n ? l->heap[0]->due : 0;

	if (due == l->armed_for)
		return;
	if (due) {
		/* 0 would disarm; a due time in the past fires at once. */
		its.it_value.tv_sec = (time_t)(due / 1000u);
		its.it_value.tv_nsec = (long)(due % 1000u) * 1000000L;
		if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
			its.it_value.tv_nsec = 1;
	}
	/* Cannot fail with a valid fd and value; if it did, the next
	 * change retries. */
	if (timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
		l->armed_for = due;
}

/* ---- struct ikd_timers ----------------------------------------------------- */

static struct ikd_timer *timer_add(struct ikd_timers *ts, uint64_t after_ms,
				   ikd_timer_fn fn, void *arg)
{
	struct ikd_loop *l = loop_of(ts);
	struct ikd_timer *t;
	uint64_t now = now_ms();

	if (!fn)
		return NULL;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct ikd_timer **h = realloc(l->heap, cap * sizeof(*h));

		if (!h)
			return NULL;
		l->heap = h;
		l->cap = cap;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	/* Saturate rather than wrap for "never" style delays. */
	t->due = after_ms > UINT64_MAX - now ? UINT64_MAX : now + after_ms;
	t->seq = l->next_seq++;
	t->fn = fn;
	t->arg = arg;
	heap_set(l, l->n++, t);
	sift_up(l, l->n - 1);
	rearm(l);
	return t;
}

static void timer_cancel(struct ikd_timers *ts, struct ikd_timer *t)
{
	struct ikd_loop *l = loop_of(ts);

	if (!t)
		return;
	if (t->idx == NOT_QUEUED) {
		/* Its fn is running: the round frees it afterwards. */
		t->cancelled = true;
		return;
	}
	heap_remove(l, t);
	free(t);
	rearm(l);
}

static uint64_t timer_now(struct ikd_timers *ts)
{
	(void)ts;
	return now_ms();
}

/* Runs the timers due now that existed when the round began. */
static void run_timers(struct ikd_loop *l)
{
	uint64_t now = now_ms(), round_end = l->next_seq;
	uint64_t expirations;

	/* Clear the timerfd's readiness; EAGAIN when it was re-armed
	 * meanwhile is fine. */
	if (read(l->tfd, &expirations, sizeof(expirations)) < 0 &&
	    errno != EAGAIN && errno != EINTR)
		return;
	l->armed_for = 0;
	while (l->n && !l->stop) {
		struct ikd_timer *t = l->heap[0];

		if (t->due > now || t->seq >= round_end)
			break;
		heap_remove(l, t);
		t->fn(t->arg);
		free(t);
	}
	rearm(l);
}

/* ---- descriptors -------------------------------------------------------- */

int ikd_loop_add_fd(struct ikd_loop *l, int fd, uint32_t events,
		    ikd_fd_fn fn, void *arg)
{
	struct epoll_event ev = { .events = events | EPOLLIN };
	struct fd_reg *r;

	if (fd < 0 || !fn)
		return -EINVAL;
	if ((size_t)fd >= l->nfds) {
		size_t n = (size_t)fd + 16;
		struct fd_reg **v = realloc(l->fds, n * sizeof(*v));

		if (!v)
			return -ENOMEM;
		memset(v + l->nfds, 0, (n - l->nfds) * sizeof(*v));
		l->fds = v;
		l->nfds = n;
	}
	if (l->fds[fd])
		return -EEXIST;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->fd = fd;
	r->fn = fn;
	r->arg = arg;
	ev.data.ptr = r;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int err = -errno;

		free(r);
		return err;
	}
	l->fds[fd] = r;
	return 0;
}

int ikd_loop_set_events(struct ikd_loop *l, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events };

	if (fd < 0 || (size_t)fd >= l->nfds || !l->fds[fd])
		return -ENOENT;
	ev.data.ptr = l->fds[fd];
	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

void ikd_loop_del_fd(struct ikd_loop *l, int fd)
{
	struct fd_reg *r;

	if (fd < 0 || (size_t)fd >= l->nfds || !(r = l->fds[fd]))
		return;
	/* The descriptor may already be closed: then epoll forgot it. */
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	l->fds[fd] = NULL;
	if (l->delivering) {
		r->dead = true;
		r->next_dead = l->dead;
		l->dead = r;
		return;
	}
	free(r);
}

static void free_dead(struct ikd_loop *l)
{
	while (l->dead) {
		struct fd_reg *r = l->dead;

		l->dead = r->next_dead;
		free(r);
	}
}

/* ---- the loop ----------------------------------------------------------- */

struct ikd_loop *ikd_loop_new(void)
{
	struct ikd_loop *l = calloc(1, sizeof(*l));
	struct epoll_event ev = { .events = EPOLLIN };

	if (!l)
		return NULL;
	l->timers.add = timer_add;
	l->timers.cancel = timer_cancel;
	l->timers.now = timer_now;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	/* The timerfd is told apart from registrations by a NULL pointer. */
	ev.data.ptr = NULL;
	if (l->epfd < 0 || l->tfd < 0 ||
	    epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->tfd, &ev) < 0) {
		int err = errno;

		ikd_loop_free(l);
		errno = err;
		return NULL;
	}
	return l;
}

void ikd_loop_free(struct ikd_loop *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->heap[i]);
	free(l->heap);
	for (size_t i = 0; i < l->nfds; i++)
		free(l->fds[i]);
	free(l->fds);
	free_dead(l);
	if (l->tfd >= 0)
		close(l->tfd);
	if (l->epfd >= 0)
		close(l->epfd);
	free(l);
}

struct ikd_timers *ikd_loop_timers(struct ikd_loop *l)
{
	return &l->timers;
}

int ikd_loop_run(struct ikd_loop *l)
{
	struct epoll_event evs[LOOP_MAX_EVENTS];

	l->stop = false;
	while (!l->stop) {
		int n = epoll_wait(l->epfd, evs, LOOP_MAX_EVENTS, -1);

		if (n < 0) {
			/* Signals arrive through a signalfd; EINTR only
			 * from a debugger or SIGSTOP/SIGCONT. */
			if (errno == EINTR)
				continue;
			return -errno;
		}
		l->delivering = true;
		for (int i = 0; i < n && !l->stop; i++) {
			struct fd_reg *r = evs[i].data.ptr;

			if (!r)
				run_timers(l);
			else if (!r->dead)
				r->fn(r->arg, r->fd, evs[i].events);
		}
		l->delivering = false;
		free_dead(l);
	}
	return 0;
}

void ikd_loop_stop(struct ikd_loop *l)
{
	l->stop = true;
}
