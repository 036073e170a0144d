/* cli: kairos's command-line entry: --help, --version and the table of
 * subcommands. */
#include "cli.h"
#include "kairos/version.h"

#include <stdio.h>
#include <string.h>

struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage; /* NULL: internal, not listed */
};

static const struct subcommand subcommands[] = {
	{"lsp", cli_lsp, "lsp [--stdio] [-- CMD ARGS...]   language server on stdin/stdout"},
	{"check", cli_check, "check [--workspace DIR] [--memory-dir DIR] [--json] [FILE...]   memories checked against files"},
	{"memory", cli_memory, "memory list|show NAME|add TEXT|forget NAME|restore NAME [--memory-dir DIR] [--workspace DIR]\n                  [--type T] [--store S] [--name NAME] [--json]   the memories"},
	{"log", cli_log, "log [--memory-dir DIR] [--store S] [--json]   the history of a store"},
	{"dream", cli_dream, "dream [--workspace DIR] [--memory-dir DIR] [--force] [--dry-run] [--json]   consolidate the memory"},
	{"undo", cli_undo, "undo [--memory-dir DIR] [--store S] [--json]   undo the last change to a store"},
	{"__cochange", cli_cochange, NULL},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: kairos COMMAND [OPTIONS]\n\n"
		   "A language server that remembers how you and your team work.\n\n"
		   "commands:\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (subcommands[i].usage)
			fprintf(f, "  kairos %s\n", subcommands[i].usage);
	fprintf(f, "  kairos --help | --version\n\n"
		   "Memories are Markdown files; every change is a commit you can undo.\n"
		   "See kairos(1), and protocol/ in the source tree for every message and file format.\n");
}

int cli_parse(const char *cmd, int argc, char **argv, const struct cli_opt *opts,
	      int nopts, int *npos)
{
	int pos = 0;
	bool dashdash = false;

	for (int i = 0; i < argc; i++) {
		char *a = argv[i];
		const struct cli_opt *o = NULL;
		const char *eq;
		size_t nl;

		if (dashdash || a[0] != '-' || !strcmp(a, "-")) {
			argv[pos++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			dashdash = true;
			continue;
		}
		eq = strchr(a, '=');
		nl = eq ? (size_t)(eq - a) : strlen(a);
		for (int k = 0; k < nopts; k++)
			if (strlen(opts[k].name) == nl && !strncmp(opts[k].name, a, nl))
				o = &opts[k];
		if (!o) {
			fprintf(stderr, "kairos %s: unknown option '%.*s' (see kairos --help)\n", cmd,
				(int)nl, a);
			return 2;
		}
		if (o->kind == CLI_FLAG) {
			if (eq) {
				fprintf(stderr, "kairos %s: option '%s' takes no value\n", cmd, o->name);
				return 2;
			}
			*o->flag = true;
			continue;
		}
		if (eq) {
			*o->value = eq + 1;
		} else if (i + 1 < argc) {
			*o->value = argv[++i];
		} else {
			fprintf(stderr, "kairos %s: option '%s' needs a value\n", cmd, o->name);
			return 2;
		}
	}
	*npos = pos;
	return 0;
}

int cli_main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("kairos %s\n", KAIROS_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		if (strcmp(argv[1], subcommands[i].name))
			continue;
		/* `kairos CMD --help` (before any "--") prints CMD's usage */
		for (int k = 2; k < argc && strcmp(argv[k], "--"); k++)
			if (subcommands[i].usage && (!strcmp(argv[k], "--help") || !strcmp(argv[k], "-h"))) {
				printf("usage: kairos %s\n", subcommands[i].usage);
				return 0;
			}
		return subcommands[i].fn(argc - 2, argv + 2);
	}
	if (argv[1][0] == '-')
		fprintf(stderr, "kairos: unknown option '%s' (see kairos --help)\n", argv[1]);
	else
		fprintf(stderr, "kairos: unknown command '%s' (see kairos --help)\n", argv[1]);
	return 2;
}
