/* imports: read-only memories from the instruction files other tools keep
 * in a workspace (CLAUDE.md, AGENTS.md, .github/copilot-instructions.md,
 * the rules under .cursor/rules (.mdc) and .claude/rules (.md)) and from
 * the memory directory another assistant keeps for the project
 * (~/.claude/projects/<path>/memory/). Each section or list item becomes
 * one memory with source "import", store STORE_IMPORT and a stable
 * generated name; nothing is ever written. */
#ifndef KAIROS_IMPORTS_H
#define KAIROS_IMPORTS_H

#include "kairos/mem.h"
#include "kairos/store_problem.h"

/* Appends the imported memories of workspace to out (problems: files
 * that could not be read). */
int imports_load(const char *workspace, struct mem_list *out, struct store_problem **problems,
		 size_t *nproblems);
/* Splits one instruction file's Markdown into memories (appended to out);
 * prefix starts every generated name ("claude-md"). On failure (memory
 * ran out) none of the file's memories stay in out. */
int imports_split(const char *path, const char *prefix, const char *text, size_t len,
		  int64_t mtime, struct mem_list *out);
/* ~/.claude/projects/<absolute workspace path, every character that is
 * not a letter or digit replaced by '-'>/memory (malloc'd), or NULL when
 * that passes a line's cap. */
char *imports_claude_dir(const char *workspace);

#endif
