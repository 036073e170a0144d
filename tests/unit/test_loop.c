/* Tests of loop: the order timers fire in and re-arming, any number of
 * watches, callbacks that remove watches or stop the loop, and waits
 * nested inside a callback. */
#include "check.h"

#include "kairos/err.h"
#include "kairos/loop.h"

#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* ---- timers ---- */

static char fired[64];
static size_t nfired;

struct pipe_watch;
static void pipe_ready(struct loop *l, struct pipe_watch *p);

struct named {
	struct loop_timer t;
	char name;
	int rearm; /* times left to re-arm itself for 0 ms */
	struct loop_timer *cancel, *arm;
	struct pipe_watch *watch; /* makes ready and watches */
	bool stop;
};

static void on_named(struct loop *l, void *ud)
{
	struct named *n = ud;
	if (nfired < sizeof(fired) - 1)
		fired[nfired++] = n->name;
	fired[nfired] = '\0';
	if (n->rearm > 0) {
		n->rearm--;
		loop_timer_arm(l, &n->t, 0);
	}
	if (n->cancel)
		loop_timer_cancel(l, n->cancel);
	if (n->arm)
		loop_timer_arm(l, n->arm, 0);
	if (n->watch)
		pipe_ready(l, n->watch);
	if (n->stop)
		loop_stop(l, 3);
}

/* A new loop with the record of fired timers emptied. */
static struct loop *fresh_loop(void)
{
	nfired = 0;
	fired[0] = '\0';
	return loop_new();
}

/* One iteration that does not wait, ms from now. */
static void once_after(struct loop *l, long ms)
{
	sleep_ms(ms);
	CHECK_INT(loop_once(l, 0), 0);
}

static void named_init(struct named *n, char name)
{
	memset(n, 0, sizeof(*n));
	n->name = name;
	loop_timer_init(&n->t, on_named, n);
}

TEST(due_timers_fire_earliest_first)
{
	struct loop *l = fresh_loop();
	struct named a, b, c, d;
	named_init(&a, 'a');
	named_init(&b, 'b');
	named_init(&c, 'c');
	named_init(&d, 'd');
	loop_timer_arm(l, &a.t, 30);
	loop_timer_arm(l, &b.t, 10);
	loop_timer_arm(l, &c.t, 20);
	loop_timer_arm(l, &d.t, 10); /* ties go in the order armed */
	once_after(l, 40);
	CHECK_STR(fired, "bdca");
	CHECK(!a.t.armed && !b.t.armed);
	loop_free(l);
}

TEST(rearming_moves_a_timer_and_never_doubles_it)
{
	struct loop *l = fresh_loop();
	struct named a;
	named_init(&a, 'a');
	loop_timer_arm(l, &a.t, UINT64_MAX); /* a huge delay is never */
	CHECK_INT(loop_once(l, 0), 0);
	CHECK_INT(nfired, 0);
	CHECK(a.t.armed);
	loop_timer_arm(l, &a.t, 0);
	once_after(l, 2);
	CHECK_INT(loop_once(l, 0), 0);
	CHECK_STR(fired, "a");
	CHECK(!a.t.armed);
	loop_free(l);
}

TEST(a_timer_rearmed_from_its_callback_waits_for_the_next_iteration)
{
	struct loop *l = fresh_loop();
	struct named a;
	named_init(&a, 'a');
	a.rearm = 2;
	loop_timer_arm(l, &a.t, 0);
	once_after(l, 2);
	CHECK_STR(fired, "a");
	for (int i = 0; i < 5; i++)
		once_after(l, 2);
	CHECK_STR(fired, "aaa");
	CHECK(!a.t.armed);
	loop_free(l);
}

TEST(callbacks_cancel_and_arm_other_timers)
{
	struct loop *l = fresh_loop();
	struct named a, b, c;
	named_init(&a, 'a');
	named_init(&b, 'b');
	named_init(&c, 'c');
	a.cancel = &b.t; /* due with a, but a comes first */
	a.arm = &c.t;
	loop_timer_arm(l, &a.t, 0);
	loop_timer_arm(l, &b.t, 1);
	once_after(l, 5);
	CHECK_STR(fired, "a");
	CHECK(!b.t.armed);
	CHECK(c.t.armed);
	once_after(l, 2);
	CHECK_STR(fired, "ac");
	loop_free(l);
}

TEST(the_poll_timeout_is_the_next_timer)
{
	struct loop *l = fresh_loop();
	struct named a;
	uint64_t t0 = loop_now_ms();
	named_init(&a, 'a');
	loop_timer_arm(l, &a.t, 30);
	while (!nfired && loop_now_ms() - t0 < 2000)
		CHECK_INT(loop_once(l, -1), 0);
	CHECK_STR(fired, "a");
	CHECK(loop_now_ms() - t0 >= 30);
	loop_free(l);
}

/* ---- watches ---- */

struct pipe_watch {
	int r, w;
	int calls;
	int got;              /* bytes read */
	bool del_self;        /* removes its own watch */
	bool nest;            /* the first such callback waits again inside */
	struct pipe_watch *del_other;
	struct loop_timer *arm;
	bool stop;
};

static void on_pipe(struct loop *l, int fd, short revents, void *ud);

static void pipe_open(struct pipe_watch *p)
{
	int fds[2];
	memset(p, 0, sizeof(*p));
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK)) {
		perror("pipe2");
		exit(1);
	}
	p->r = fds[0];
	p->w = fds[1];
}

static void pipe_ready(struct loop *l, struct pipe_watch *p)
{
	CHECK_INT(write(p->w, "x", 1), 1);
	CHECK_INT(loop_fd_add(l, p->r, POLLIN, on_pipe, p), 0);
}

static void pipe_close(struct pipe_watch *p)
{
	close(p->r);
	close(p->w);
}

static int nested_calls;

static void on_pipe(struct loop *l, int fd, short revents, void *ud)
{
	struct pipe_watch *p = ud;
	char c;
	p->calls++;
	if (read(fd, &c, 1) == 1)
		p->got++;
	if (p->del_self)
		loop_fd_del(l, fd);
	if (p->del_other)
		loop_fd_del(l, p->del_other->r);
	if (p->nest && !nested_calls++)
		loop_once(l, 0);
	if (p->arm)
		loop_timer_arm(l, p->arm, 0);
	if (p->stop)
		loop_stop(l, 7);
}

TEST(more_watches_than_poll_fits_on_the_stack)
{
	enum { N = 150 };
	struct loop *l = fresh_loop();
	struct pipe_watch *p = calloc(N, sizeof(*p));
	int seen = 0;

	for (int i = 0; i < N; i++) {
		pipe_open(&p[i]);
		pipe_ready(l, &p[i]);
	}
	CHECK_INT(loop_once(l, 1000), 0);
	for (int i = 0; i < N; i++)
		seen += p[i].calls == 1 && p[i].got == 1;
	CHECK_INT(seen, N); /* the 65th and after are served like the first */
	for (int i = 0; i < N; i++) {
		loop_fd_del(l, p[i].r);
		pipe_close(&p[i]);
	}
	free(p);
	loop_free(l);
}

TEST(a_callback_removes_its_own_watch)
{
	struct loop *l = fresh_loop();
	struct pipe_watch a;
	pipe_open(&a);
	a.del_self = true;
	pipe_ready(l, &a);
	CHECK_INT(write(a.w, "y", 1), 1); /* still readable afterwards */
	loop_once(l, 0);
	loop_once(l, 0);
	CHECK_INT(a.calls, 1);
	pipe_close(&a);
	loop_free(l);
}

static int late_calls;

static void on_late(struct loop *l, int fd, short revents, void *ud)
{
	late_calls++;
}

struct swap_ctx {
	struct pipe_watch *victim;
	int spare; /* an empty pipe's read end, to reuse the victim's number */
};

static void on_swap(struct loop *l, int fd, short revents, void *ud)
{
	struct swap_ctx *c = ud;
	char ch;
	(void)!read(fd, &ch, 1);
	loop_fd_del(l, c->victim->r);
	dup2(c->spare, c->victim->r);
	loop_fd_add(l, c->victim->r, POLLIN, on_late, NULL);
}

TEST(a_callback_removes_another_watch)
{
	struct loop *l = fresh_loop();
	struct pipe_watch a, b, c;
	pipe_open(&a);
	pipe_open(&b);
	a.del_other = &b;
	pipe_ready(l, &a); /* first in the list: runs first */
	pipe_ready(l, &b);
	loop_once(l, 0);
	CHECK_INT(a.calls, 1);
	CHECK_INT(b.calls, 0); /* ready, but removed before its turn */

	/* the victim's number reused by a new watch in the same callback:
	 * the new watch does not get the old one's events */
	struct swap_ctx ctx;
	pipe_open(&c);
	ctx.victim = &b;
	ctx.spare = c.r;
	late_calls = 0;
	CHECK_INT(write(a.w, "x", 1), 1);
	loop_fd_add(l, a.r, POLLIN, on_swap, &ctx);
	loop_fd_add(l, b.r, POLLIN, on_pipe, &b); /* b still holds a byte */
	loop_once(l, 0);
	CHECK_INT(b.calls, 0);
	CHECK_INT(late_calls, 0);
	loop_once(l, 0); /* the spare pipe is empty */
	CHECK_INT(late_calls, 0);
	pipe_close(&a);
	pipe_close(&b);
	pipe_close(&c);
	loop_free(l);
}

TEST(loop_stop_from_a_callback)
{
	struct loop *l = fresh_loop();
	struct pipe_watch a, b;
	struct named t;

	named_init(&t, 't');
	pipe_open(&a);
	pipe_open(&b);
	a.stop = true;
	pipe_ready(l, &a);
	pipe_ready(l, &b);
	loop_timer_arm(l, &t.t, 0);
	sleep_ms(2);
	CHECK_INT(loop_run(l), 7);
	CHECK(loop_stopped(l));
	CHECK_INT(a.calls, 1);
	CHECK_INT(b.calls, 0); /* nothing runs after the stop */
	CHECK_INT(nfired, 0);

	/* from a timer: the loop runs again and stops with the timer's code */
	loop_fd_del(l, a.r);
	loop_fd_del(l, b.r);
	t.stop = true;
	CHECK_INT(loop_run(l), 3);
	CHECK_STR(fired, "t");
	pipe_close(&a);
	pipe_close(&b);
	loop_free(l);
}

TEST(timers_and_watches_added_by_each_other)
{
	struct loop *l = fresh_loop();
	struct pipe_watch a, b;
	struct named t, u;

	named_init(&t, 't');
	named_init(&u, 'u');
	pipe_open(&a);
	pipe_open(&b);
	a.arm = &t.t; /* a watch's callback arms a timer: it is due at once */
	pipe_ready(l, &a);
	loop_once(l, 0);
	CHECK_INT(a.calls, 1);
	CHECK_STR(fired, "t");
	CHECK(!t.t.armed);
	loop_fd_del(l, a.r);

	u.watch = &b; /* a timer's callback adds a watch: it is polled next */
	loop_timer_arm(l, &u.t, 0);
	once_after(l, 2);
	CHECK_STR(fired, "tu");
	CHECK_INT(b.calls, 0);
	loop_once(l, 0);
	CHECK_INT(b.calls, 1);
	loop_fd_del(l, b.r);
	pipe_close(&a);
	pipe_close(&b);
	loop_free(l);
}

TEST(a_nested_wait_inside_a_callback)
{
	enum { N = 80 };
	struct loop *l = fresh_loop();
	struct pipe_watch *p = calloc(N, sizeof(*p));
	int once = 0;

	nested_calls = 0;
	for (int i = 0; i < N; i++) {
		pipe_open(&p[i]);
		p[i].nest = true;
		pipe_ready(l, &p[i]);
	}
	CHECK_INT(loop_once(l, 0), 0);
	CHECK(nested_calls >= N);
	for (int i = 0; i < N; i++)
		once += p[i].got == 1;
	CHECK_INT(once, N); /* every byte read once, by the outer or the nested wait */
	for (int i = 0; i < N; i++)
		pipe_close(&p[i]);
	free(p);
	loop_free(l);
}

TEST(refusals)
{
	struct loop *l = fresh_loop();
	CHECK_INT(loop_fd_add(l, -1, POLLIN, on_late, NULL), KR_EINVAL);
	CHECK_INT(loop_once(l, 0), 0);
	CHECK_INT(loop_once(l, -1), KR_ERR); /* would sleep forever */
	CHECK(strstr(kr_errmsg(), "nothing to wait for") != NULL);
	loop_free(l);
}

int main(void)
{
	RUN(due_timers_fire_earliest_first);
	RUN(rearming_moves_a_timer_and_never_doubles_it);
	RUN(a_timer_rearmed_from_its_callback_waits_for_the_next_iteration);
	RUN(callbacks_cancel_and_arm_other_timers);
	RUN(the_poll_timeout_is_the_next_timer);
	RUN(more_watches_than_poll_fits_on_the_stack);
	RUN(a_callback_removes_its_own_watch);
	RUN(a_callback_removes_another_watch);
	RUN(loop_stop_from_a_callback);
	RUN(timers_and_watches_added_by_each_other);
	RUN(a_nested_wait_inside_a_callback);
	RUN(refusals);
	CHECK_MAIN_END();
}
