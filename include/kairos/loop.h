/* loop: one poll()-based event loop with file descriptors and timers.
 * Single-threaded; callbacks run on the loop's thread. An idle loop
 * sleeps in poll() until a descriptor is ready or a timer is due.
 * Callbacks may add and remove watches and timers, their own included,
 * and may run loop_once again (a nested wait). */
#ifndef KAIROS_LOOP_H
#define KAIROS_LOOP_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

struct loop;

typedef void (*loop_fd_fn)(struct loop *l, int fd, short revents, void *ud);
typedef void (*loop_timer_fn)(struct loop *l, void *ud);

/* A timer is owned by the caller (embed it in your struct); the loop only
 * points at it while it is armed. */
struct loop_timer {
	uint64_t due_ms;
	loop_timer_fn fn;
	void *ud;
	bool armed;
	uint64_t seq; /* private: when it was armed, for the order of firing */
};

struct loop *loop_new(void);
void loop_free(struct loop *l);

/* Watches fd for events (POLLIN/POLLOUT); a second call for the same fd
 * replaces its events and callback. There is no limit on the number of
 * watches; KR_EINVAL for a negative fd, which poll() would never report.
 * A watch removed by a callback gets no more events, not even those of
 * the iteration under way, and neither does a new watch on its number. */
int loop_fd_add(struct loop *l, int fd, short events, loop_fd_fn fn, void *ud);
void loop_fd_del(struct loop *l, int fd);

void loop_timer_init(struct loop_timer *t, loop_timer_fn fn, void *ud);
/* (Re)arms t to fire once, ms from now (a huge ms is never). Due timers
 * fire after the descriptors' callbacks, earliest first, ties in the
 * order they were armed; one armed from a timer's callback fires at the
 * next iteration at the soonest, so a timer that re-arms itself for 0 ms
 * cannot keep the loop from its descriptors. */
void loop_timer_arm(struct loop *l, struct loop_timer *t, uint64_t ms);
void loop_timer_cancel(struct loop *l, struct loop_timer *t);

/* Runs until loop_stop; returns the code given to loop_stop. */
int loop_run(struct loop *l);
void loop_stop(struct loop *l, int code);
bool loop_stopped(const struct loop *l);
/* Runs one iteration waiting at most max_wait_ms (-1: no limit).
 * KR_ERR when poll fails, or when told to wait without limit for
 * nothing (no watch, no timer): that would sleep forever. */
int loop_once(struct loop *l, int max_wait_ms);

/* Monotonic milliseconds. */
uint64_t loop_now_ms(void);

#endif
