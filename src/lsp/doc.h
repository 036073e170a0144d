/* doc: open text documents, kept as an array of lines so that an
 * incremental edit costs the length of the lines it touches, not of the
 * document. Lines are split on "\n"; a "\r" before it is remembered as
 * part of the line ending, not the content. Positions are clamped the
 * way the LSP specification says: a character past the end of its line
 * is the end of the line, a line past the end is the end of the text. */
#ifndef KAIROS_DOC_H
#define KAIROS_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kairos/buf.h"
#include "kairos/text.h"

/* The largest text doc_text() can hand out whole (a document's size as
 * the editor's messages can carry it). */
#define DOC_MAX_BYTES BUF_CAP_RPC_BODY

struct doc_line {
	char *s;
	uint32_t len, cap;
	bool crlf;
};

struct doc {
	char *uri;
	char *path;      /* local path for file: URIs, else NULL */
	char *language;
	long long version;
	struct doc_line *lines;
	size_t nlines, cap;  /* nlines >= 1 */
	size_t bytes;        /* total length of the text */
	uint64_t changed_ms; /* monotonic time of the last change */
	unsigned generation; /* bumped on every change */
	struct buf joined;   /* cache for doc_text() */
	unsigned joined_gen;
	bool dirty;          /* changed since the last tick */
};

struct doc_pos {
	uint32_t line, col; /* col in the negotiated encoding */
};

int doc_init(struct doc *d, const char *uri, const char *text, size_t len);
void doc_dispose(struct doc *d);
/* Replaces the whole text. */
int doc_set_text(struct doc *d, const char *text, size_t len);
/* Replaces [start, end) (in encoding enc, clamped; start and end swapped
 * if reversed) with text. */
int doc_edit(struct doc *d, struct doc_pos start, struct doc_pos end, const char *text,
	     size_t len, enum text_enc enc);
/* The whole text (cached until the next change); *len set. A document
 * grown past DOC_MAX_BYTES by edits reads as "" here. */
const char *doc_text(struct doc *d, size_t *len);
/* Byte offset within its line of a position (clamped), and the clamped line. */
size_t doc_pos_to_byte(const struct doc *d, struct doc_pos p, enum text_enc enc, uint32_t *line_out);
/* Appends the text between a and b (clamped; empty when b is before a),
 * lines joined with "\n". */
int doc_range_text(const struct doc *d, struct doc_pos a, struct doc_pos b, enum text_enc enc,
		   struct buf *out);
/* Column in enc of byte offset off of line. */
uint32_t doc_byte_to_col(const struct doc *d, uint32_t line, size_t off, enum text_enc enc);

/* A set of open documents keyed by URI. */
struct doc_set {
	struct doc **v;
	size_t n, cap;
};

struct doc *doc_set_find(const struct doc_set *s, const char *uri);
/* Adds (or replaces) a document; takes ownership of d. */
void doc_set_put(struct doc_set *s, struct doc *d);
void doc_set_remove(struct doc_set *s, const char *uri);
void doc_set_dispose(struct doc_set *s);

#endif
