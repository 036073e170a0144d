/* lsp_progress: work done progress (lsp_progress.h). */
#include "lsp_progress.h"
#include "kairos/err.h"

#include <stdio.h>
#include <string.h>

static void send_progress(struct lsp_session *s, const char *token, const char *kind, const char *title,
			  const char *message, int percentage, bool cancellable)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);
	struct jw w;

	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "token", token);
	jw_key(&w, "value");
	jw_obj(&w);
	jw_kstr(&w, "kind", kind);
	if (title)
		jw_kstr(&w, "title", title);
	if (message)
		jw_kstr(&w, "message", message);
	if (percentage >= 0)
		jw_kint(&w, "percentage", percentage);
	if (!strcmp(kind, "begin"))
		jw_kbool(&w, "cancellable", cancellable);
	jw_end(&w);
	jw_end(&w);
	lsp_session_notify_buf(s, "$/progress", &b);
}

bool lsp_progress_begin(struct lsp_session *s, struct lsp_progress *p, const char *title, bool cancellable)
{
	char params[64];
	static unsigned counter;

	memset(p, 0, sizeof(*p));
	if (!s->caps.work_done_progress)
		return false;
	snprintf(p->token, sizeof(p->token), "kairos-%u", ++counter);
	int n = snprintf(params, sizeof(params), "{\"token\":\"%s\"}", p->token);
	/* the spec lets the server report right after sending create */
	lsp_session_request(s, "window/workDoneProgress/create", params, (size_t)n, NULL, NULL);
	send_progress(s, p->token, "begin", title, NULL, 0, cancellable);
	p->active = true;
	return true;
}

void lsp_progress_report(struct lsp_session *s, struct lsp_progress *p, const char *message, int percentage)
{
	if (p->active)
		send_progress(s, p->token, "report", NULL, message, percentage, false);
}

void lsp_progress_end(struct lsp_session *s, struct lsp_progress *p, const char *message)
{
	if (p->active)
		send_progress(s, p->token, "end", NULL, message, -1, false);
	p->active = false;
}
