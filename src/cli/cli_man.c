/* cli_man: `kairos __man`, the man page made from the commands' tables
 * (cli.h) and the prose below: doc/kairos.1 is its output (make man),
 * and the test suite checks that the two agree. */
#include "cli.h"
#include "kairos/err.h"
#include "kairos/version.h"

#include <stdlib.h>
#include <string.h>

/* Text for roff: backslashes and hyphens escaped, a line never starting
 * with a control character. */
static void roff(FILE *f, const char *s, bool bold)
{
	bool bol = true;
	if (bold)
		fputs("\\fB", f);
	for (; *s; s++) {
		if (bol && (*s == '.' || *s == '\''))
			fputs("\\&", f);
		bol = false;
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '-')
			fputs("\\-", f);
		else if (*s == '\n') {
			fputc('\n', f);
			bol = true;
		} else
			fputc(*s, f);
	}
	if (bold)
		fputs("\\fR", f);
}

/* A paragraph of details: blank lines start new paragraphs. */
static void para(FILE *f, const char *text)
{
	for (const char *p = text; *p;) {
		const char *e = strstr(p, "\n\n");
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char *chunk = xstrndup(p, n);
		roff(f, chunk, false);
		fputc('\n', f);
		free(chunk);
		if (!e)
			break;
		fputs(".IP\n", f);
		p = e + 2;
	}
}

static void synopsis(FILE *f, const struct cli_cmd *c)
{
	fputs(".B kairos ", f);
	roff(f, c->name, false);
	fputc('\n', f);
	if (c->args) {
		roff(f, c->args, false);
		fputc('\n', f);
	}
	for (size_t i = 0; i < c->nopts; i++) {
		const struct cli_opt *o = &c->opts[i];
		if (!o->help)
			continue;
		fputs(".RB [ ", f);
		roff(f, o->name, false);
		if (o->kind == CLI_VALUE) {
			fputs(" \" ", f);
			roff(f, o->arg ? o->arg : "VALUE", false);
			fputc('"', f);
		}
		fputs(" ]\n", f);
	}
	fputs(".br\n", f);
}

static void command(FILE *f, const struct cli_cmd *c)
{
	fputs(".TP\n.B ", f);
	roff(f, c->name, false);
	if (c->args) {
		fputc(' ', f);
		roff(f, c->args, false);
	}
	fputc('\n', f);
	/* the summary as a sentence: a capital first */
	if (c->summary[0] >= 'a' && c->summary[0] <= 'z')
		fputc(c->summary[0] - 'a' + 'A', f);
	roff(f, c->summary + (c->summary[0] >= 'a' && c->summary[0] <= 'z'), false);
	fputs(".\n", f);
	if (c->details) {
		fputs(".IP\n", f);
		para(f, c->details);
	}
	for (size_t i = 0; i < c->nopts; i++) {
		const struct cli_opt *o = &c->opts[i];
		if (!o->help)
			continue;
		fputs(".RS\n.TP\n.B ", f);
		roff(f, o->name, false);
		if (o->kind == CLI_VALUE) {
			fputc(' ', f);
			roff(f, o->arg ? o->arg : "VALUE", false);
		}
		fputc('\n', f);
		roff(f, o->help, false);
		fputs("\n.RE\n", f);
	}
}

static const char description[] =
	".SH DESCRIPTION\n"
	".B kairos\n"
	"speaks the Language Server Protocol on standard input and output. It keeps\n"
	"memories as plain Markdown files, turns them into diagnostics and code\n"
	"actions when you pause, and consolidates them when you are idle.\n"
	"Everything works offline; a language model is optional.\n"
	".PP\n"
	"In\n"
	".B lsp\n"
	"and\n"
	".B mcp\n"
	"mode nothing but protocol is written to standard output; diagnostics about\n"
	"kairos itself go to standard error and to the client's log.\n";

static const char rest[] =
	".SH EXIT STATUS\n"
	"0 on success (for\n"
	".BR lsp :\n"
	"exit after shutdown), 1 on failure (exit without shutdown, an untrustworthy\n"
	"stream), 2 on bad usage.\n"
	".SH ENVIRONMENT\n"
	".TP\n"
	".B XDG_DATA_HOME\n"
	"Where stores, history and state live (default\n"
	".IR ~/.local/share ).\n"
	".TP\n"
	".BR KAIROS_LLM_PROVIDER \", \" KAIROS_LLM_ENDPOINT \", \" KAIROS_LLM_MODEL\n"
	"Override the editor's\n"
	".B llm\n"
	"settings;\n"
	".B KAIROS_LLM_PROVIDER=none\n"
	"turns every model request off.\n"
	".TP\n"
	".B KAIROS_PLUGIN_DIR\n"
	"Where to look first for\n"
	".I kairos\\-git.so\n"
	"and\n"
	".I kairos\\-http.so\n"
	"(then beside the binary, then\n"
	".IR ../lib/kairos/ ).\n"
	".SH FILES\n"
	".TP\n"
	".I $XDG_DATA_HOME/kairos/\n"
	"personal and user stores, history repositories, state, and\n"
	".I trust/\n"
	"(the workspaces you trust).\n"
	".TP\n"
	".I <workspace>/.kairos/memory/\n"
	"the team store, committed with the project.\n"
	".SH SEE ALSO\n"
	"The protocol documentation in the source tree's\n"
	".I protocol/\n"
	"folder.\n";

static int run(int argc, char **argv)
{
	FILE *f = stdout;

	fprintf(f, ".TH KAIROS 1 \"%s\" \"kairos %s\" \"User Commands\"\n", KAIROS_RELEASE_DATE,
		KAIROS_VERSION);
	fputs(".SH NAME\nkairos \\- a language server that remembers how you and your team work\n"
	      ".SH SYNOPSIS\n",
	      f);
	for (size_t i = 0; i < cli_ncommands; i++)
		if (!cli_commands[i]->internal)
			synopsis(f, cli_commands[i]);
	fputs(".B kairos\n.RB [ \\-\\-help | \\-\\-version ]\n", f);
	fputs(description, f);
	fputs(".SH COMMANDS\n", f);
	for (size_t i = 0; i < cli_ncommands; i++)
		if (!cli_commands[i]->internal)
			command(f, cli_commands[i]);
	fputs(rest, f);
	return ferror(f) ? 1 : 0;
}

const struct cli_cmd cli_man_cmd = {
	.name = "__man",
	.summary = "print the man page (doc/kairos.1) from the commands' tables",
	.run = run,
	.internal = true,
};
