/* loop: poll() over a small set of descriptors plus one-shot timers. */
#include "kairos/loop.h"
#include "kairos/err.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct watch {
	int fd;
	short events;
	loop_fd_fn fn;
	void *ud;
};

struct loop {
	struct watch *w;
	size_t nw, capw;
	struct loop_timer **t;
	size_t nt, capt;
	bool stop;
	int code;
};

uint64_t loop_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct loop *loop_new(void)
{
	return xcalloc(1, sizeof(struct loop));
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nt; i++)
		l->t[i]->armed = false;
	free(l->w);
	free(l->t);
	free(l);
}

int loop_fd_add(struct loop *l, int fd, short events, loop_fd_fn fn, void *ud)
{
	for (size_t i = 0; i < l->nw; i++)
		if (l->w[i].fd == fd) {
			l->w[i].events = events;
			l->w[i].fn = fn;
			l->w[i].ud = ud;
			return 0;
		}
	if (l->nw == l->capw) {
		l->capw = l->capw ? l->capw * 2 : 8;
		l->w = xrealloc(l->w, l->capw * sizeof(*l->w));
	}
	l->w[l->nw++] = (struct watch){fd, events, fn, ud};
	return 0;
}

void loop_fd_del(struct loop *l, int fd)
{
	for (size_t i = 0; i < l->nw; i++)
		if (l->w[i].fd == fd) {
			l->w[i] = l->w[--l->nw];
			return;
		}
}

void loop_timer_init(struct loop_timer *t, loop_timer_fn fn, void *ud)
{
	memset(t, 0, sizeof(*t));
	t->fn = fn;
	t->ud = ud;
}

void loop_timer_arm(struct loop *l, struct loop_timer *t, uint64_t ms)
{
	t->due_ms = loop_now_ms() + ms;
	if (t->armed)
		return;
	if (l->nt == l->capt) {
		l->capt = l->capt ? l->capt * 2 : 8;
		l->t = xrealloc(l->t, l->capt * sizeof(*l->t));
	}
	l->t[l->nt++] = t;
	t->armed = true;
}

void loop_timer_cancel(struct loop *l, struct loop_timer *t)
{
	if (!t->armed)
		return;
	for (size_t i = 0; i < l->nt; i++)
		if (l->t[i] == t) {
			l->t[i] = l->t[--l->nt];
			break;
		}
	t->armed = false;
}

void loop_stop(struct loop *l, int code)
{
	l->stop = true;
	l->code = code;
}

static void fire_due_timers(struct loop *l)
{
	uint64_t now = loop_now_ms();
	size_t i = 0;
	while (i < l->nt) {
		struct loop_timer *t = l->t[i];
		if (t->due_ms <= now) {
			l->t[i] = l->t[--l->nt];
			t->armed = false;
			t->fn(l, t->ud); /* may re-arm t or others */
			i = 0;
			continue;
		}
		i++;
	}
}

int loop_once(struct loop *l, int max_wait_ms)
{
	struct pollfd pfd[64];
	size_t n = l->nw < ARRAY_LEN(pfd) ? l->nw : ARRAY_LEN(pfd);
	int timeout = max_wait_ms, r;
	uint64_t now = loop_now_ms();

	for (size_t i = 0; i < l->nt; i++) {
		int64_t d = (int64_t)(l->t[i]->due_ms - now);
		if ((int64_t)l->t[i]->due_ms < (int64_t)now)
			d = 0;
		if (d > INT32_MAX)
			d = INT32_MAX;
		if (timeout < 0 || d < timeout)
			timeout = (int)d;
	}
	for (size_t i = 0; i < n; i++) {
		pfd[i].fd = l->w[i].fd;
		pfd[i].events = l->w[i].events;
		pfd[i].revents = 0;
	}
	r = poll(pfd, (nfds_t)n, timeout);
	if (r < 0 && errno != EINTR)
		return kr_err("poll failed: %s", strerror(errno));
	for (size_t i = 0; r > 0 && i < n && !l->stop; i++) {
		if (!pfd[i].revents)
			continue;
		/* the watch list may change inside a callback: find it again */
		for (size_t k = 0; k < l->nw; k++)
			if (l->w[k].fd == pfd[i].fd) {
				struct watch w = l->w[k];
				w.fn(l, w.fd, pfd[i].revents, w.ud);
				break;
			}
	}
	if (!l->stop)
		fire_due_timers(l);
	return 0;
}

int loop_run(struct loop *l)
{
	l->stop = false;
	while (!l->stop)
		if (loop_once(l, -1))
			return -1;
	return l->code;
}

bool loop_stopped(const struct loop *l)
{
	return l->stop;
}
