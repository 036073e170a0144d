/* cli_store: what the store commands of the command line share: the
 * options that choose a store (--memory-dir, --workspace, --store,
 * --type, --json), opening and loading the stores with their problems
 * reported on stderr, picking the one to write, and printing JSON. */
#ifndef KAIROS_CLI_STORE_H
#define KAIROS_CLI_STORE_H

#include <stdbool.h>

#include "kairos/buf.h"
#include "kairos/store.h"

struct cli_store_opts {
	const char *memory_dir, *workspace, *type, *store, *name;
	bool json;
	int type_v, store_v; /* -1: any */
};

/* Validates --type and --store (2 and a line on stderr when bad). */
int cli_store_check(const char *cmd, struct cli_store_opts *o);
/* Opens the stores o names, and loads them when load is true; 1 and a
 * line on stderr when they cannot be. */
int cli_store_open(struct store_set *s, const struct cli_store_opts *o, bool load);
/* The store to write: --store, else the personal one; NULL (with a line
 * on stderr) when it cannot be written. */
struct store *cli_store_pick(struct store_set *s, const struct cli_store_opts *o, const char *cmd);
/* Prints b (what a JSON writer wrote) and a newline, or says why not. */
int cli_store_print_json(struct buf *b);
/* log, undo and the other one-store commands: parses argv, opens the
 * stores and picks the one to use; 0, or the exit code. */
int cli_store_one(const char *cmd, int argc, char **argv, struct store_set *s, struct store **st,
		  bool *json);

#endif
