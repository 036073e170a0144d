/* cli: the command line. Each subcommand lives in its own cli_<name>.c
 * and describes itself in one table, a struct cli_cmd: its synopsis, what
 * it does, and every option with the value it takes and one line of help.
 * That one table is what cli_parse reads, what `kairos CMD --help` prints
 * and what the man page is made of (`kairos __man`, checked against
 * doc/kairos.1 by the test suite), so the three cannot drift apart.
 * Exit codes: 0 ran, 1 failed, 2 bad usage. */
#ifndef KAIROS_CLI_H
#define KAIROS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum cli_opt_kind { CLI_FLAG, CLI_VALUE };

struct cli_opt {
	const char *name;      /* "--memory-dir" */
	enum cli_opt_kind kind;
	bool *flag;            /* CLI_FLAG: set to true when given */
	const char **value;    /* CLI_VALUE: points into argv */
	const char *arg;       /* CLI_VALUE: what the value is ("DIR") */
	const char *help;      /* one line; NULL: internal, never shown */
};

struct cli_cmd {
	const char *name;      /* "check", "memory search" */
	const char *args;      /* the positional arguments as the synopsis shows them, or NULL */
	const char *summary;   /* one line, for kairos --help */
	const char *details;   /* what it does, for its --help and the man page */
	const struct cli_opt *opts;
	size_t nopts;
	/* argv: what follows the command's name; options are the command's
	 * to parse (with cli_parse), so that it decides where they end */
	int (*run)(int argc, char **argv);
	bool internal;         /* run by kairos itself: not listed */
};

/* Parses argv[0..argc) against c's options. Accepts "--opt VALUE" and
 * "--opt=VALUE"; "--" ends the options. Positional arguments are moved,
 * in order, to the front of argv and counted in *npos. Unknown options,
 * a value given to a flag or a missing value print one line to stderr
 * naming the command and the option, and return 2; otherwise 0. */
int cli_parse(const struct cli_cmd *c, int argc, char **argv, int *npos);
/* "kairos CMD: unexpected argument 'X'" and the synopsis, on stderr; 2. */
int cli_unexpected(const struct cli_cmd *c, const char *arg, const char *why);
/* The synopsis line (without "usage: kairos "). */
void cli_synopsis(FILE *f, const struct cli_cmd *c);
/* Everything `kairos CMD --help` prints. */
void cli_help(FILE *f, const struct cli_cmd *c);

int cli_main(int argc, char **argv);

/* The subcommands, each defined in its cli_<name>.c. */
extern const struct cli_cmd cli_lsp_cmd;
extern const struct cli_cmd cli_check_cmd;
extern const struct cli_cmd cli_memory_cmd;
extern const struct cli_cmd cli_search_cmd; /* kairos memory search */
extern const struct cli_cmd cli_log_cmd;
extern const struct cli_cmd cli_undo_cmd;
extern const struct cli_cmd cli_dream_cmd;
extern const struct cli_cmd cli_mcp_cmd;
extern const struct cli_cmd cli_trust_cmd;
extern const struct cli_cmd cli_cochange_cmd;
extern const struct cli_cmd cli_man_cmd;

/* The table of every command, in the order help and the man page list
 * them (cli.c). */
extern const struct cli_cmd *const cli_commands[];
extern const size_t cli_ncommands;

#endif
