/* lsp_model: the optional language model in the server. Nothing here runs
 * unless a provider is configured (llm.provider, KAIROS_LLM_PROVIDER);
 * requests go through the model engine (model.h), asynchronously on the
 * server's loop, so a slow or hanging model never blocks the protocol.
 * The features that use it hand it a callback for the answer: the tick
 * (suggestions about the changed lines), remember (a proposed name,
 * description and type), and "Improve this per memory…" (an edit written
 * in codeAction/resolve). */
#ifndef KAIROS_LSP_MODEL_H
#define KAIROS_LSP_MODEL_H

#include <stdbool.h>

#include "lsp_session.h"
#include "kairos/model.h"
#include "kairos/tick.h"

/* Registers the hooks (a document change makes a tick request about it
 * stale; configuration changes reconfigure the engine). */
void lsp_model_init(struct lsp_session *s);
void lsp_model_dispose(struct lsp_session *s);
/* NULL when no model is configured. */
struct model *lsp_model_engine(struct lsp_session *s);

/* The model's suggestions for d (model suggestions, validated: each names
 * an existing line of d); the list is the callee's to keep or dispose. */
typedef void (*lsp_model_suggest_fn)(struct lsp_session *s, struct doc *d,
				     struct suggestion_list *l, void *ud);
/* After a tick computed d: asks the model about its lines lo..hi
 * (0-based) with the memories most relevant to them; fn runs when the
 * answer comes (never when the request went stale or failed). */
void lsp_model_after_tick(struct lsp_session *s, struct doc *d, long lo, long hi,
			  lsp_model_suggest_fn fn, void *ud);

/* A proposal for a memory of text; p is NULL when the model failed,
 * was busy or over budget. */
typedef void (*lsp_model_proposal_fn)(struct lsp_session *s, const struct model_proposal *p,
				      void *ud);
/* Asks for a proposal: 0 when fn will run (possibly at once), and then
 * owns ud (free_ud frees it if the session ends first); KR_ENOTFOUND
 * when no model is configured (fn never runs). */
int lsp_model_propose(struct lsp_session *s, const char *text, lsp_model_proposal_fn fn, void *ud,
		      void (*free_ud)(void *));

bool lsp_model_offers_improve(struct lsp_session *s);
/* codeAction/resolve of an "improve" action: LSP_DEFERRED, or an error. */
int lsp_model_improve(struct lsp_session *s, struct rpc_msg *m, const char **err);

#endif
