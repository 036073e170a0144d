/* cli_store: what the store commands of the command line share: the
 * options that choose a store (--memory-dir, --workspace, --store,
 * --type, --json), opening and loading the stores with their problems
 * reported on stderr, picking the one to write, and printing JSON. */
#ifndef KAIROS_CLI_STORE_H
#define KAIROS_CLI_STORE_H

#include <stdbool.h>

#include "cli.h"
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
/* log, undo and the other one-store commands: parses argv against c's
 * options (which fill o), opens the stores and picks the one to use; 0,
 * or the exit code. */
int cli_store_one(const struct cli_cmd *c, struct cli_store_opts *o, int argc, char **argv,
		  struct store_set *s, struct store **st);

/* The options every store command shares, with one help text each. */
#define CLI_STORE_OPT_MEMORY_DIR(o)                                                         \
	{"--memory-dir", CLI_VALUE, NULL, &(o).memory_dir, "DIR",                               \
	 "work on that one store alone (it replaces the personal store; no other is read)"}
#define CLI_STORE_OPT_WORKSPACE(o)                                                          \
	{"--workspace", CLI_VALUE, NULL, &(o).workspace, "DIR",                                 \
	 "the project whose stores to use (default: the current directory)"}
#define CLI_STORE_OPT_STORE(o, help) {"--store", CLI_VALUE, NULL, &(o).store, "STORE", help}
#define CLI_STORE_OPT_TYPE(o, help) {"--type", CLI_VALUE, NULL, &(o).type, "TYPE", help}
#define CLI_STORE_OPT_JSON(o, help) {"--json", CLI_FLAG, &(o).json, NULL, NULL, help}

#endif
