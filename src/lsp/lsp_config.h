/* lsp_config: the server's configuration, from initializationOptions and
 * workspace/didChangeConfiguration (protocol.md: the same object; every
 * key optional; absent keys keep their value). protocol/configuration.md
 * lists the keys. */
#ifndef KAIROS_LSP_CONFIG_H
#define KAIROS_LSP_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "kairos/json.h"
#include "kairos/model.h"

struct lsp_config {
	bool proactive;
	char *memory_dir;
	int tick_min_inactivity_ms;
	int tick_max_suggestions;
	bool cochange;
	int64_t dream_idle_ms;
	double dream_min_hours;
	int dream_min_signals;
	struct model_config llm;
	/* editorTrust: what the editor's own workspace trust says, -1 when
	 * it has none; 0 withholds trust for the session (VS Code's
	 * Restricted Mode), whatever was recorded; it never grants it
	 * (lsp_trust.h) */
	int editor_trust;
};

void lsp_config_defaults(struct lsp_config *c);
void lsp_config_dispose(struct lsp_config *c);
/* Applies the keys present in object obj (absent keys keep their value;
 * a value out of range is skipped). */
void lsp_config_apply(struct lsp_config *c, const struct json *j, int obj);

#endif
