/* proxy_life: the child's life as the editor sees it: started at once,
 * restarted with backoff when it dies (its documents opened again from
 * kairos's copy), given up on after CRASH_LIMIT crashes within
 * CRASH_WINDOW_MS, and never restarted once the session ends. */
#include "proxy_int.h"
#include "kairos/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_restart_timer(struct loop *l, void *ud)
{
	proxy_life_start(ud);
}

/* Counts a crash; restarts with backoff or gives up. */
static void crashed(struct proxy *p, const char *what)
{
	uint64_t now = loop_now_ms();
	int recent = 0;
	unsigned delay;

	if (p->ncrashes == CRASH_LIMIT) {
		memmove(p->crashes, p->crashes + 1, (CRASH_LIMIT - 1) * sizeof(*p->crashes));
		p->ncrashes--;
	}
	p->crashes[p->ncrashes++] = now;
	for (int k = 0; k < p->ncrashes; k++)
		if (now - p->crashes[k] <= CRASH_WINDOW_MS)
			recent++;
	if (recent >= CRASH_LIMIT) {
		p->gave_up = true;
		proxy_host_say(p, MSG_ERROR, true,
		    "kairos: %s %s; it failed %d times within %d s, so kairos stopped restarting it "
		    "(kairos's own features go on)",
		    p->name, what, recent, CRASH_WINDOW_MS / 1000);
		return;
	}
	delay = BACKOFF_FIRST_MS << (recent - 1);
	if (delay > BACKOFF_MAX_MS)
		delay = BACKOFF_MAX_MS;
	proxy_host_say(p, MSG_WARNING, true, "kairos: %s %s; restarting it in %u ms", p->name, what, delay);
	loop_timer_arm(p->host.loop, &p->restart_timer, delay);
}

void proxy_life_start(struct proxy *p)
{
	if (proxy_child_spawn(p)) {
		if (!proxy_host_initialized(p)) {
			/* told once the editor is connected; kairos serves alone */
			free(p->start_error);
			p->start_error = xstrdup(kr_errmsg());
			p->gave_up = true;
			fprintf(stderr, "kairos: %s\n", kr_errmsg());
			return;
		}
		crashed(p, "could not be started");
		return;
	}
	if (proxy_host_initialized(p) && p->init_params) {
		p->starting = true;
		free(p->init_key);
		p->init_key = proxy_child_request(p, "initialize", p->init_params);
	}
}

void proxy_life_died(struct proxy *p, const char *why)
{
	char status[64], what[160];

	if (p->pid <= 0)
		return;
	proxy_child_reap(p, status, sizeof(status));
	proxy_route_child_gone(p);
	if (proxy_host_shutdown(p) || loop_stopped(p->host.loop))
		return;
	snprintf(what, sizeof(what), "stopped (%s%s%s)", status, why ? ": " : "", why ? why : "");
	fprintf(stderr, "kairos: %s %s\n", p->name, what);
	crashed(p, what);
}

void proxy_life_init(struct proxy *p)
{
	loop_timer_init(&p->restart_timer, on_restart_timer, p);
}
