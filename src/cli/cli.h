/* cli: the command line. cli_main dispatches the subcommand from a table;
 * each subcommand lives in its own cli_<name>.c and parses its options
 * with cli_parse. Exit codes: 0 ran, 1 failed, 2 bad usage. */
#ifndef KAIROS_CLI_H
#define KAIROS_CLI_H

#include <stdbool.h>

enum cli_opt_kind { CLI_FLAG, CLI_VALUE };

struct cli_opt {
	const char *name;      /* "--memory-dir" */
	enum cli_opt_kind kind;
	bool *flag;            /* CLI_FLAG: set to true when given */
	const char **value;    /* CLI_VALUE: points into argv */
};

/* Parses argv[0..argc) (after the subcommand) against opts. Accepts
 * "--opt VALUE" and "--opt=VALUE"; "--" ends the options. Positional
 * arguments are moved, in order, to the front of argv and counted in
 * *npos. Unknown options or missing values print one line to stderr
 * naming the command and return 2; otherwise 0. */
int cli_parse(const char *cmd, int argc, char **argv, const struct cli_opt *opts,
	      int nopts, int *npos);

int cli_main(int argc, char **argv);

/* Subcommands: argv[0] is the subcommand's first argument. */
int cli_lsp(int argc, char **argv);
int cli_memory(int argc, char **argv);
int cli_log(int argc, char **argv);
int cli_undo(int argc, char **argv);
int cli_check(int argc, char **argv);
int cli_cochange(int argc, char **argv);
int cli_dream(int argc, char **argv);
int cli_trust(int argc, char **argv);
int cli_search(int argc, char **argv);
int cli_mcp(int argc, char **argv);

#endif
