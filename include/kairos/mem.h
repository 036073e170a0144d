/* mem: one memory (a Markdown file with YAML front matter) and a set
 * of them. The contract is ../shared/spec/memory-format.md. This module
 * (mem.c, mem_parse.c, mem_write.c) parses, validates and writes
 * single files; store.h loads and changes whole stores. Memory objects
 * own all their strings. */
#ifndef KAIROS_MEM_H
#define KAIROS_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kairos/buf.h"
#include "kairos/strv.h"

enum mem_type {
	MEM_USER = 0,
	MEM_FEEDBACK,
	MEM_PROJECT,
	MEM_REFERENCE,
	MEM_TYPE_COUNT,
};

/* Which store a memory came from. */
enum mem_store {
	STORE_USER = 0,
	STORE_PERSONAL,
	STORE_TEAM,
	STORE_IMPORT, /* read only: CLAUDE.md, AGENTS.md, ... */
	STORE_COUNT,
};

/* LSP DiagnosticSeverity values. */
enum mem_severity {
	SEV_ERROR = 1,
	SEV_WARNING = 2,
	SEV_INFORMATION = 3,
	SEV_HINT = 4,
};

struct mem_rule {
	char *pattern;  /* POSIX ERE, or NULL */
	char *literal;  /* plain text, or NULL; one of the two is set */
	char *message;  /* NULL: the memory's description is used */
	int severity;   /* enum mem_severity, default SEV_INFORMATION */
	char *fix;      /* replacement text, or NULL when the rule has no fix */
};

struct mem {
	char *name;
	char *description;
	enum mem_type type;
	char *created;  /* RFC 3339 as written, or NULL when missing */
	char *updated;
	int64_t created_ts; /* seconds since the epoch; 0 when missing */
	int64_t updated_ts;
	char *source;   /* user, observation, git, dream, llm, import; or NULL */
	struct strv scope;
	struct strv refs;
	struct strv supersedes;
	struct mem_rule *rule; /* NULL when the memory has no rule */
	char *expires;  /* NULL when absent */
	int64_t expires_ts;
	char *superseded_by, *archived_reason, *archived_at; /* archive only */
	/* The front matter as the file wrote it (the text between the ---
	 * lines), kept when it holds more than the fields say (keys kairos
	 * does not know, comments, anchors and aliases, block lists...) so
	 * that mem_write changes only the fields that changed and keeps the
	 * rest byte for byte; NULL when the fields say it all (the plain
	 * style kairos writes) and for a memory made in code. */
	char *front;
	char *body;     /* Markdown after the front matter ("" when empty) */
	bool crlf;      /* the file's lines end in CRLF (its first line does):
			 * mem_write keeps them so; see mem_eol */

	/* where it lives; not part of the file */
	enum mem_store store;
	char *path;     /* absolute path of the file; NULL for a new memory */
	int64_t mtime;  /* of the file when read */
	bool archived;  /* lives in archive/ */
};

const char *mem_type_name(enum mem_type t);          /* "feedback" */
int mem_type_parse(const char *s);                    /* -1 when unknown */
const char *mem_store_name(enum mem_store s);        /* "personal" */
int mem_store_parse(const char *s);
const char *mem_severity_name(int sev);              /* "information" */
int mem_severity_parse(const char *s);               /* -1 when unknown */
int mem_source_parse(const char *s);                 /* "llm": 4; -1 when unknown */

/* Room for a memory's file name: a name, "~N" (an archived copy), ".md". */
#define MEM_FILE_NAME_MAX 96
/* True when name matches [a-z0-9][a-z0-9_-]{0,63}. */
bool mem_name_valid(const char *name);

/* Parses a memory file's text. On failure returns KR_EINVAL and a message
 * that names the problem ("line 3: missing required field 'type'"); *out
 * is then untouched. */
int mem_parse(struct mem **out, const char *text, size_t len);
/* Same, with MEM_PARSE_YAML: the front matter read by libyaml even when
 * it is in the plain style kairos writes (which mem_parse reads without
 * it), to check a text about to be written against YAML itself. */
#define MEM_PARSE_YAML 1u
int mem_parse_flags(struct mem **out, const char *text, size_t len, unsigned flags);
/* Reads and parses path; out->path and mtime set. Refuses files over
 * MEM_MAX_FILE bytes, symlinks, and non-regular files. */
#define MEM_MAX_FILE (1u << 20)
int mem_parse_read_file(struct mem **out, const char *path);
/* Serialises m (front matter in a fixed key order, then the body),
 * appended to out. Returns out's error when it fails (over its cap); an
 * out that was empty is then left empty and usable again, so act on the
 * returned error, not on buf_err(out). */
int mem_write(const struct mem *m, struct buf *out);
/* Same as mem_parse_read_file, reading into a caller-owned scratch buffer so
 * that loading many files reuses one allocation. The scratch grows by
 * doubling to just past MEM_MAX_FILE (the limit is enforced here), so
 * its cap is 2 * BUF_CAP_MEMFILE. */
int mem_parse_read_file_buf(struct mem **out, const char *path, struct buf *scratch);
/* Same, opening name relative to the directory descriptor dirfd (path is
 * what m->path and messages say): saves a path walk per file. With
 * MEM_READ_REGULAR the caller knows the file is regular (readdir said
 * so), which saves its fstat; m->mtime is then read only when created or
 * updated is missing (the only use of it), else 0. */
#define MEM_READ_REGULAR 1u
int mem_parse_read_fileat(struct mem **out, int dirfd, const char *name, const char *path,
		    struct buf *scratch, unsigned flags);
/* True when a and b hold the same file content (every front-matter field,
 * the front matter kept as written, the line ending and the body; path,
 * store, mtime and archived are not compared). */
bool mem_equal(const struct mem *a, const struct mem *b);

/* The line ending of m's file: "\r\n" when m->crlf, else "\n". Every
 * line kairos adds to a memory (front matter, appended sentences) uses
 * it, so a CRLF file stays CRLF throughout. */
const char *mem_eol(const struct mem *m);

/* Appends text (n bytes: a sentence or a paragraph, no NUL) to body, a
 * body being built for m (typically a copy of m->body), as a line of its
 * own in m's line ending: every line break inside text (LF, CRLF or a
 * lone CR) becomes mem_eol(m), and one ends it. With paragraph, the line
 * ends and blank lines that end body are first replaced by exactly one
 * blank line (nothing when body is empty), so text starts a paragraph of
 * its own; without it, a body that does not end in a line end gets one
 * first. Fails like the append into body that failed, and the failure
 * sticks (buf.h): append every sentence, then check buf_err(body) once.
 *
 *	struct buf b = BUF_INIT_CAP(MEM_MAX_FILE);
 *	buf_puts(&b, m->body);
 *	mem_body_append(&b, m, "Use tabs in Makefiles.", 22, true);
 *	mem_body_append(&b, m, "Also in *.mk files.", 19, false);
 *	if (!buf_err(&b)) { free(m->body); m->body = buf_detach(&b); } */
int mem_body_append(struct buf *body, const struct mem *m, const char *text, size_t n,
		    bool paragraph);

struct mem *mem_new(void);
struct mem *mem_dup(const struct mem *m);
void mem_free(struct mem *m);

void mem_rule_free(struct mem_rule *r);

/* A growable list of memories (owning). */
struct mem_list {
	struct mem **v;
	size_t n, cap;
};

void mem_list_push(struct mem_list *l, struct mem *m);
void mem_list_dispose(struct mem_list *l);
struct mem *mem_list_find(const struct mem_list *l, const char *name);

#endif
