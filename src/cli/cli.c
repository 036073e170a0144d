/* cli: kairos's command-line entry: the table of subcommands, option
 * parsing, and the help every command's table makes (cli.h). */
#include "cli.h"
#include "kairos/err.h"
#include "kairos/version.h"

#include <string.h>

const struct cli_cmd *const cli_commands[] = {
	&cli_lsp_cmd,   &cli_check_cmd, &cli_memory_cmd, &cli_search_cmd,   &cli_log_cmd,
	&cli_undo_cmd,  &cli_dream_cmd, &cli_mcp_cmd,    &cli_trust_cmd,    &cli_cochange_cmd,
	&cli_man_cmd,
};
const size_t cli_ncommands = ARRAY_LEN(cli_commands);

#define WIDTH 78

/* Prints text wrapped at WIDTH columns: the first line goes on from
 * column col (where the caller is), the others start at column ind; a
 * blank line in text starts a new paragraph. */
static void wrap(FILE *f, const char *text, int col, int ind)
{
	bool first = true;
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, " \n");
		if (!first && col + 1 + (int)n > WIDTH) {
			fprintf(f, "\n%*s", ind, "");
			col = ind;
		} else if (!first) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%.*s", (int)n, p);
		col += (int)n;
		first = false;
		p += n;
		if (*p == '\n' && p[1] == '\n') {
			fprintf(f, "\n\n%*s", ind, "");
			col = ind;
			first = true;
			p += 2;
		}
		while (*p == ' ' || *p == '\n')
			p++;
	}
	fputc('\n', f);
}

void cli_synopsis(FILE *f, const struct cli_cmd *c)
{
	char line[4096];
	int n = snprintf(line, sizeof(line), "kairos %s%s%s", c->name, c->args ? " " : "",
			 c->args ? c->args : "");
	for (size_t i = 0; i < c->nopts && n >= 0 && (size_t)n < sizeof(line); i++) {
		const struct cli_opt *o = &c->opts[i];
		if (!o->help)
			continue;
		/* one option is one word for the wrapping: a no-break space inside */
		if (o->kind == CLI_VALUE)
			n += snprintf(line + n, sizeof(line) - (size_t)n, " [%s\x01%s]", o->name,
				      o->arg ? o->arg : "VALUE");
		else
			n += snprintf(line + n, sizeof(line) - (size_t)n, " [%s]", o->name);
	}
	for (char *p = line; *p; p++)
		if (*p == '\x01')
			*p = '\x02';
	/* wrapped, the continuation lines under the first argument */
	{
		char out[8192];
		FILE *m = fmemopen(out, sizeof(out), "w");
		if (!m) {
			fprintf(f, "%s\n", line);
			return;
		}
		wrap(m, line, 7, 15 + (int)strlen(c->name));
		fclose(m);
		out[sizeof(out) - 1] = '\0';
		for (char *p = out; *p; p++)
			if (*p == '\x02')
				*p = ' ';
		fputs(out, f);
	}
}

/* The summary as a sentence of its own: capital first, full stop last. */
static void sentence(FILE *f, const char *s)
{
	fprintf(f, "%c%s.\n", s[0] >= 'a' && s[0] <= 'z' ? s[0] - 'a' + 'A' : s[0], s + 1);
}

void cli_help(FILE *f, const struct cli_cmd *c)
{
	size_t w = 0;

	fputs("usage: ", f);
	cli_synopsis(f, c);
	fputc('\n', f);
	sentence(f, c->summary);
	if (c->details) {
		fputc('\n', f);
		wrap(f, c->details, 0, 0);
	}
	for (size_t i = 0; i < c->nopts; i++) {
		const struct cli_opt *o = &c->opts[i];
		size_t l = strlen(o->name) + (o->kind == CLI_VALUE ? 1 + strlen(o->arg ? o->arg : "VALUE") : 0);
		if (o->help && l > w)
			w = l;
	}
	if (w > 20)
		w = 20; /* a longer one has its help start further right */
	if (w)
		fputs("\noptions:\n", f);
	for (size_t i = 0; i < c->nopts; i++) {
		const struct cli_opt *o = &c->opts[i];
		char head[96];
		int n;
		if (!o->help)
			continue;
		n = snprintf(head, sizeof(head), "  %s%s%s", o->name, o->kind == CLI_VALUE ? " " : "",
			     o->kind == CLI_VALUE ? (o->arg ? o->arg : "VALUE") : "");
		fprintf(f, "%-*s  ", (int)w + 2, head);
		wrap(f, o->help, n > (int)w + 2 ? n + 2 : (int)w + 4, (int)w + 4);
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: kairos COMMAND [OPTIONS]\n\n"
		   "A language server that remembers how you and your team work.\n\n"
		   "commands:\n");
	for (size_t i = 0; i < cli_ncommands; i++)
		if (!cli_commands[i]->internal)
			fprintf(f, "  %-14s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
	fprintf(f, "\n  kairos COMMAND --help   that command's options\n"
		   "  kairos --version\n\n"
		   "Memories are Markdown files; every change is a commit you can undo.\n"
		   "See kairos(1), and protocol/ in the source tree for every message and file format.\n");
}

int cli_unexpected(const struct cli_cmd *c, const char *arg, const char *why)
{
	fprintf(stderr, "kairos %s: unexpected argument '%s'%s%s\nusage: ", c->name, arg,
		why ? ": " : "", why ? why : "");
	cli_synopsis(stderr, c);
	return 2;
}

int cli_parse(const struct cli_cmd *c, int argc, char **argv, int *npos)
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
		for (size_t k = 0; k < c->nopts; k++)
			if (strlen(c->opts[k].name) == nl && !strncmp(c->opts[k].name, a, nl))
				o = &c->opts[k];
		if (!o) {
			fprintf(stderr, "kairos %s: unknown option '%.*s' (see kairos %s --help)\n", c->name,
				(int)nl, a, c->name);
			return 2;
		}
		if (o->kind == CLI_FLAG) {
			if (eq) {
				fprintf(stderr, "kairos %s: option '%s' takes no value\n", c->name, o->name);
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
			fprintf(stderr, "kairos %s: option '%s' needs a value (%s)\n", c->name, o->name,
				o->arg ? o->arg : "VALUE");
			return 2;
		}
	}
	*npos = pos;
	return 0;
}

/* The command named by argv[1] (and argv[2] for "memory search"). */
static const struct cli_cmd *find(int argc, char **argv, int *used)
{
	const struct cli_cmd *best = NULL;
	for (size_t i = 0; i < cli_ncommands; i++) {
		const struct cli_cmd *c = cli_commands[i];
		const char *sp = strchr(c->name, ' ');
		if (!sp && !strcmp(argv[1], c->name) && !best) {
			best = c;
			*used = 1;
		} else if (sp && argc > 2 && !strncmp(argv[1], c->name, (size_t)(sp - c->name)) &&
			   argv[1][sp - c->name] == '\0' && !strcmp(argv[2], sp + 1)) {
			*used = 2;
			return c;
		}
	}
	return best;
}

int cli_main(int argc, char **argv)
{
	const struct cli_cmd *c;
	int used = 1;

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
	if (!(c = find(argc, argv, &used))) {
		if (argv[1][0] == '-')
			fprintf(stderr, "kairos: unknown option '%s' (see kairos --help)\n", argv[1]);
		else
			fprintf(stderr, "kairos: unknown command '%s' (see kairos --help)\n", argv[1]);
		return 2;
	}
	/* `kairos CMD --help` (before any "--") prints CMD's help */
	for (int k = 1 + used; k < argc && strcmp(argv[k], "--"); k++)
		if (!c->internal && (!strcmp(argv[k], "--help") || !strcmp(argv[k], "-h"))) {
			cli_help(stdout, c);
			return 0;
		}
	return c->run(argc - 1 - used, argv + 1 + used);
}
