/* store_ops: the changes a person asks for (remember, forget, restore, undo),
 * written once for every front end: the CLI and the server parse their
 * own input and print or encode their own replies, and call these. Each
 * change is one store transaction and one history commit, with one
 * message format (protocol/history.md):
 *
 *   "remember: <name>\n\n<type> memory in the <store> store: <description>"
 *   "forget: <name>\n\narchived from the <store> store on request: <description>"
 *   "restore: <name>\n\nback in the <store> store from archive/<file>: <description>"
 *
 * and undo's own "undo: <subject>" (history_undo).
 *
 * Errors: KR_EINVAL when the input cannot be honoured (empty text, a name
 * holding a path, an unknown type, a scope or ref leaving the workspace,
 * a rule that does not validate, a store that cannot be written, an
 * imported memory, a name that looks like a credential or holds a NUL):
 * a usage error for the CLI, -32602 for the server.
 * KR_ENOTFOUND when no store holds the name, or there is nothing to undo.
 * Anything else: the store failed (I/O, history). kr_errmsg() says why in
 * a sentence fit to show as it is. */
#ifndef KAIROS_STORE_OPS_H
#define KAIROS_STORE_OPS_H

#include "kairos/store.h"

/* What to remember. Every pointer is borrowed for the call; all but text
 * may be NULL. */
struct store_ops_note {
	/* The body. Invalid UTF-8 becomes U+FFFD, secrets become
	 * [REDACTED], leading blank lines and trailing blanks go; its first
	 * non-blank line must not be empty. */
	const char *text;
	/* A name the person gave: made valid and unique in the store
	 * (store_unique_name), refused when it holds a path. NULL: the
	 * proposed name, else one derived from the text's first line. */
	const char *name;
	/* The bytes of name when the caller knows them (a JSON string may
	 * hold "\u0000": such a name is refused, never cut at the NUL); 0:
	 * strlen(name). */
	size_t name_len;
	/* A type name the person gave; unknown: KR_EINVAL. NULL: the
	 * proposed type, else the caller's default. */
	const char *type;
	/* A model's proposals, used where the person gave nothing; a
	 * proposal that cannot be used is ignored, never an error. */
	const char *proposed_name;
	const char *proposed_description;
	const char *proposed_type;
	/* Globs and paths relative to the workspace (paths_rel_safe). */
	const struct strv *scope;
	const struct strv *refs;
	const struct mem_rule *rule;
	/* The document the text came from: journalled beside the name. */
	const char *uri;
};

/* What a change did. Each call starts by zeroing it (it need not be
 * initialised, and what it held is not freed: dispose a result before
 * reusing it); free what it holds with store_ops_result_dispose, also
 * after a failure. */
struct store_ops_result {
	enum mem_store store;  /* the store changed */
	char *name;            /* remember, forget: the memory */
	char *path;            /* remember: its file (absolute) */
	char *uri;             /* remember: file:// URI of path */
	char commit[41];       /* the commit made */
	char undone[41];       /* undo: the commit undone ("" if unknown) */
	char *undone_subject;  /* undo: that commit's first line, or NULL */
};
void store_ops_result_dispose(struct store_ops_result *r);

/* Writes a new memory into st: description the first line of the
 * proposed description or else of the text, shortened to 150 characters
 * (149 and an ellipsis); type the note's, else the proposal's, else
 * default_type; source "user"; created and updated now. Inside the same
 * transaction a journal line {"kind":"remember","name":...,"uri":...}
 * is appended, so the commit holds it (a journal that cannot be written
 * only warns, store_set_warn: the memory is the person's, the line an
 * observation). The journal is not rolled: see journal_roll. */
int store_ops_remember(struct store_ops_result *out, struct store *st,
		       const struct store_ops_note *note, enum mem_type default_type);

/* Archives the memory named name with reason (NULL: "forgotten at the
 * person's request"), looking in the personal, team and user stores in
 * that order, or only in store (an enum mem_store; -1: all three). set
 * must be loaded (store_set_load); it is not reloaded after the change.
 * An imported memory of that name is refused (KR_EINVAL, naming its
 * file); a name no store holds is KR_ENOTFOUND, saying so, or, when a
 * file of that name is invalid, what is wrong with it. */
int store_ops_forget(struct store_ops_result *out, struct store_set *set, const char *name,
		     int store, const char *reason);

/* Brings the newest archived copy of name back into its store as one
 * commit ("restore: <name>"): the file returns to <name>.md without
 * archived_reason, archived_at and superseded_by, everything else as it
 * was; the copy leaves archive/. Looks in the personal, team and user
 * stores in that order, or only in store (an enum mem_store; -1: all
 * three); "newest" among archive/<name>.md and archive/<name>~N.md is
 * the later updated, then the later archived_at, then the larger N.
 * KR_ENOTFOUND when no store has an archived copy of name; KR_EEXISTS
 * when an active memory of that name is there already (it is never
 * replaced). out gets store, name, path and uri. */
int store_ops_restore(struct store_ops_result *out, struct store_set *set, const char *name,
		      int store);

/* Undoes the newest change (store_undo) of store (an enum mem_store), or,
 * with -1, of whichever writable store of set changed last. out->undone
 * and out->undone_subject say which commit was undone, out->commit the
 * commit that undid it. KR_ENOTFOUND when there is nothing to undo. */
int store_ops_undo(struct store_ops_result *out, struct store_set *set, int store);

#endif
