/* loop: poll() over any number of descriptors plus one-shot timers. */
#include "kairos/loop.h"
#include "kairos/err.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Watches up to this many poll from the stack; more from the heap. */
#define POLL_ON_STACK 64

struct watch {
	int fd;
	short events;
	loop_fd_fn fn;
	void *ud;
	uint64_t id; /* tells a watch from a later one on the same fd */
};

struct loop {
	struct watch *w;
	size_t nw, capw;
	uint64_t next_id;
	struct loop_timer **t;
	size_t nt, capt;
	uint64_t next_seq;
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
	if (fd < 0)
		return kr_errc(KR_EINVAL, "loop: cannot watch descriptor %d", fd);
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
	l->w[l->nw++] = (struct watch){fd, events, fn, ud, ++l->next_id};
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
	uint64_t now = loop_now_ms();
	t->due_ms = ms > UINT64_MAX - now ? UINT64_MAX : now + ms;
	t->seq = ++l->next_seq;
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

/* Fires the timers due at the start, earliest first. The list is looked
 * at again after each callback, which may arm or cancel any timer; those
 * armed meanwhile (seq past last) wait for the next iteration. */
static void fire_due_timers(struct loop *l)
{
	uint64_t now = loop_now_ms(), last = l->next_seq;

	while (!l->stop) {
		size_t best = SIZE_MAX;
		for (size_t i = 0; i < l->nt; i++) {
			const struct loop_timer *t = l->t[i];
			if (t->due_ms > now || t->seq > last)
				continue;
			if (best == SIZE_MAX || t->due_ms < l->t[best]->due_ms ||
			    (t->due_ms == l->t[best]->due_ms && t->seq < l->t[best]->seq))
				best = i;
		}
		if (best == SIZE_MAX)
			return;
		struct loop_timer *t = l->t[best];
		l->t[best] = l->t[--l->nt];
		t->armed = false;
		t->fn(l, t->ud);
	}
}

static int next_timeout(const struct loop *l, int max_wait_ms)
{
	uint64_t now = loop_now_ms();
	int timeout = max_wait_ms < 0 ? -1 : max_wait_ms;

	for (size_t i = 0; i < l->nt; i++) {
		uint64_t d = l->t[i]->due_ms > now ? l->t[i]->due_ms - now : 0;
		if (d > INT32_MAX)
			d = INT32_MAX;
		if (timeout < 0 || (int)d < timeout)
			timeout = (int)d;
	}
	return timeout;
}

/* The watch that was at index hint when poll began, if it still is one. */
static const struct watch *find_watch(const struct loop *l, size_t hint, uint64_t id)
{
	if (hint < l->nw && l->w[hint].id == id)
		return &l->w[hint];
	for (size_t k = 0; k < l->nw; k++)
		if (l->w[k].id == id)
			return &l->w[k];
	return NULL;
}

int loop_once(struct loop *l, int max_wait_ms)
{
	struct pollfd spfd[POLL_ON_STACK], *pfd = spfd;
	uint64_t sid[POLL_ON_STACK], *id = sid;
	size_t n = l->nw;
	int timeout = next_timeout(l, max_wait_ms), r, rc = 0;

	if (timeout < 0 && n == 0)
		return kr_err("loop: nothing to wait for");
	/* on the stack or not, per call: a nested loop_once has its own */
	if (n > POLL_ON_STACK) {
		pfd = xmalloc(n * sizeof(*pfd));
		id = xmalloc(n * sizeof(*id));
	}
	for (size_t i = 0; i < n; i++) {
		pfd[i] = (struct pollfd){l->w[i].fd, l->w[i].events, 0};
		id[i] = l->w[i].id;
	}
	r = poll(pfd, (nfds_t)n, timeout);
	if (r < 0 && errno != EINTR) {
		rc = kr_err("poll failed: %s", strerror(errno));
		goto out;
	}
	for (size_t i = 0; r > 0 && i < n && !l->stop; i++) {
		const struct watch *found;
		struct watch w;
		if (!pfd[i].revents || !(found = find_watch(l, i, id[i])))
			continue;
		w = *found; /* the callback may move or free the array */
		w.fn(l, w.fd, pfd[i].revents, w.ud);
	}
	fire_due_timers(l);
out:
	if (pfd != spfd) {
		free(pfd);
		free(id);
	}
	return rc;
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
