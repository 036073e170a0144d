/* lsp_progress: work done progress (window/workDoneProgress/create and
 * $/progress begin/report/end), sent only to clients that advertised
 * window.workDoneProgress (eglot does not): then every call is silent. */
#ifndef KAIROS_LSP_PROGRESS_H
#define KAIROS_LSP_PROGRESS_H

#include <stdbool.h>

#include "lsp_session.h"

struct lsp_progress {
	char token[32];
	bool active;
};

/* Creates the token and sends begin; false when the client has no progress. */
bool lsp_progress_begin(struct lsp_session *s, struct lsp_progress *p, const char *title,
			bool cancellable);
/* percentage -1: none */
void lsp_progress_report(struct lsp_session *s, struct lsp_progress *p, const char *message,
			 int percentage);
void lsp_progress_end(struct lsp_session *s, struct lsp_progress *p, const char *message);

#endif
