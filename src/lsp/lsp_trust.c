/* lsp_trust: workspace trust in the server (lsp_trust.h). */
#include "lsp_trust.h"
#include "lsp_stores.h"
#include "kairos/err.h"
#include "kairos/trust.h"

#include <stdlib.h>

struct lsp_trust {
	bool granted; /* kairos.trust in this session: lifts the editor's withholding */
	bool told;    /* the one message about an untrusted workspace went out */
	bool warned;  /* a decision that could not be read was logged */
};

/* Whether the person trusts the server's workspace, as this session sees it. */
static bool workspace_trusted(struct lsp_session *s)
{
	struct lsp_trust *t = s->feat.trust;
	bool recorded = false;

	if (!s->root)
		return false;
	if (trust_get(&recorded, s->root) && t && !t->warned) {
		t->warned = true;
		lsp_session_log(s, LSP_MSG_WARNING, "%s (the workspace is taken as not trusted)", kr_errmsg());
	}
	/* the editor may withhold it for the session; granting is the
	 * record's alone, and kairos.trust in this session overrides the
	 * editor's withholding */
	return recorded && (s->cfg.editor_trust != 0 || (t && t->granted));
}

void lsp_trust_stores(struct lsp_session *s, bool out[STORE_COUNT])
{
	struct store_set *set = lsp_stores_set(s);
	bool ws = workspace_trusted(s);

	if (!set) {
		for (int k = 0; k < STORE_COUNT; k++)
			out[k] = ws || !trust_store_needs((enum mem_store)k);
		return;
	}
	/* memoryDir comes from settings a workspace may hold */
	trust_stores(out, set, ws, s->cfg.memory_dir != NULL);
}

bool lsp_trust_store(struct lsp_session *s, int kind)
{
	bool ok[STORE_COUNT];

	if (kind < 0 || kind >= STORE_COUNT)
		return true;
	lsp_trust_stores(s, ok);
	return ok[kind];
}

/* Once per session: a workspace with team memories that is not trusted
 * says so, and how to trust it. An editor that has trust of its own and
 * trusts the workspace (editorTrust: true) records it itself. */
static void on_memory_changed(struct lsp_session *s, const struct lsp_event_data *e, void *ud)
{
	struct lsp_trust *t = s->feat.trust;
	struct store_set *set = lsp_stores_set(s);
	size_t team = 0;

	if (!t || t->told || !set || s->cfg.editor_trust == 1)
		return;
	for (size_t i = 0; i < set->mems.n; i++)
		team += set->mems.v[i]->store == STORE_TEAM;
	if (!team || lsp_trust_store(s, STORE_TEAM))
		return;
	t->told = true;
	lsp_session_show(s, LSP_MSG_INFO,
			 "kairos: this workspace %s, so the %zu %s of its team store and its "
			 "instruction files show diagnostics but offer no fixes, and reach a model only as "
			 "quoted data. %s",
			 s->cfg.editor_trust == 0 ? "is in Restricted Mode" : "is not trusted", team,
			 team == 1 ? "memory" : "memories",
			 s->cfg.editor_trust == 0 ? "Trusting the workspace lifts it."
						  : "If you trust its authors: `kairos trust` in it, or your "
						    "editor's kairos trust command.");
}

void lsp_trust_init(struct lsp_session *s)
{
	s->feat.trust = xcalloc(1, sizeof(struct lsp_trust));
	lsp_session_on(s, LSP_EVENT_MEMORY_CHANGED, on_memory_changed, NULL);
}

void lsp_trust_dispose(struct lsp_session *s)
{
	free(s->feat.trust);
	s->feat.trust = NULL;
}

int lsp_trust_command(struct lsp_session *s, struct rpc_msg *m, int args, struct jw *w,
		      const char **err)
{
	const struct json *j = &m->j;
	struct lsp_trust *t = s->feat.trust;
	int rv = json_get(j, args, "revoke");
	bool revoke = json_type(j, rv) == JSON_TRUE;

	if (rv >= 0 && json_type(j, rv) != JSON_TRUE && json_type(j, rv) != JSON_FALSE) {
		*err = "kairos.trust: revoke must be true or false";
		return RPC_INVALID_PARAMS;
	}
	if (!s->root || trust_set(s->root, !revoke)) {
		*err = s->root ? kr_errmsg() : "kairos.trust: the server has no workspace";
		return RPC_REQUEST_FAILED;
	}
	if (t)
		t->granted = !revoke;
	lsp_session_log(s, LSP_MSG_INFO, "workspace %s %s", s->root,
			revoke ? "no longer trusted" : "trusted: its team store and instruction files may offer fixes");
	jw_obj(w);
	jw_kbool(w, "trusted", workspace_trusted(s));
	jw_end(w);
	return 0;
}
