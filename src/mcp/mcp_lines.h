/* mcp_lines: the capped line reader of MCP's stdio transport (one
 * JSON-RPC message per line). A line longer than the cap is never held:
 * it is reported once and its bytes are dropped up to its newline. */
#ifndef KAIROS_MCP_LINES_H
#define KAIROS_MCP_LINES_H

#include <stdbool.h>
#include <stddef.h>

#include "kairos/buf.h"

struct mcp_lines {
	struct buf in;   /* bytes read that are not a whole line yet */
	size_t max;      /* the longest line kept */
	size_t consume;  /* bytes of the line last handed out */
	bool skipping;   /* inside a line over max, dropped up to its newline */
	size_t too_long; /* such lines not reported yet */
	size_t tail;     /* where the unfinished last line starts in in: no newline after it */
	bool ended;      /* the peer closed its end */
};

enum mcp_lines_read {
	MCP_LINES_BYTES = 1, /* take the lines with mcp_lines_next */
	MCP_LINES_AGAIN = 0,
	MCP_LINES_END = -1,  /* the peer closed its end: the last lines may follow */
	MCP_LINES_FAIL = -2, /* kr_errmsg() */
};

enum mcp_line {
	MCP_LINE_NONE = 0, /* no whole line yet */
	MCP_LINE = 1,      /* *line, *n: one line without its "\n" or "\r\n" */
	MCP_LINE_TOO_LONG = 2, /* a line passed max; its bytes are dropped */
};

void mcp_lines_init(struct mcp_lines *r, size_t max);
void mcp_lines_dispose(struct mcp_lines *r);
/* One read() of what fd holds now. */
enum mcp_lines_read mcp_lines_read(struct mcp_lines *r, int fd);
/* Appends bytes as if read (for tests and for mcp_lines_read). */
int mcp_lines_feed(struct mcp_lines *r, const char *p, size_t n);
/* The next line: valid until the next call. After the end, a last line
 * without a newline is a line too. */
enum mcp_line mcp_lines_next(struct mcp_lines *r, const char **line, size_t *n);

#endif
