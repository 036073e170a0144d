/* trust: the person's decision to trust a workspace (protocol.md,
 * "Workspace trust"; protocol/trust.md). A team store and instruction
 * files arrive with whatever a person clones: until they trust the
 * workspace, those memories still show diagnostics but offer no edits
 * and reach a model only as quoted data. The user and personal stores
 * are always trusted.
 *
 * The decision lives outside every workspace, in
 * $XDG_DATA_HOME/kairos/trust/<SHA-1 of the workspace's real path>, a
 * file that holds that real path: nothing inside a workspace (its
 * files, its settings, initializationOptions) can write it, and a
 * workspace moved, copied or reached through another path is another
 * workspace. Only `kairos trust`, `kairos.trust` and an editor's own
 * trust passed on through `kairos.trust` write it. */
#ifndef KAIROS_TRUST_H
#define KAIROS_TRUST_H

#include <stdbool.h>

#include "kairos/mem.h"

struct store_set;

/* The workspace's real path (absolute, symlinks resolved; malloc'd): the
 * key of its decision. KR_ENOTFOUND when it does not exist. */
int trust_workspace_path(char **out, const char *workspace);

/* *out: whether the person trusts workspace. A workspace that does not
 * exist, or that nobody decided about, is not trusted (0 returned); an
 * error only when a decision is there but cannot be read (then *out is
 * false too). */
int trust_get(bool *out, const char *workspace);

/* Records (trusted) or takes back (!trusted) the decision about
 * workspace, which must exist; taking back a decision never made is no
 * error. Durable when it returns 0. */
int trust_set(const char *workspace, bool trusted);

/* Whether memories of a store of that kind wait for the workspace's
 * trust: the team store and the imports (instruction files). */
bool trust_store_needs(enum mem_store kind);

/* Which stores of s may offer edits and speak to a model as
 * instructions, given whether the workspace is trusted: out[kind] for
 * every enum mem_store. The team store and imports only when it is; the
 * user and personal stores always, except, when confine is true, a
 * personal store that lies inside the workspace (the server's memoryDir
 * comes from settings a workspace may hold, and must not turn the
 * workspace's own files into trusted memories). */
void trust_stores(bool out[STORE_COUNT], const struct store_set *s, bool workspace_trusted,
		  bool confine);

#endif
