/* mcp_lines: the capped line reader (mcp_lines.h). */
#include "mcp_lines.h"
#include "kairos/err.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define READ_CHUNK ((size_t)64 << 10)

void mcp_lines_init(struct mcp_lines *r, size_t max)
{
	memset(r, 0, sizeof(*r));
	r->max = max;
	/* a line of max bytes, its newline, and one read beyond it */
	buf_init(&r->in, max + 1 + READ_CHUNK);
}

/* Drops the line last handed out. */
static void consume(struct mcp_lines *r)
{
	if (!r->consume)
		return;
	buf_consume(&r->in, r->consume);
	r->tail = r->tail > r->consume ? r->tail - r->consume : 0;
	r->consume = 0;
}

void mcp_lines_dispose(struct mcp_lines *r)
{
	buf_dispose(&r->in);
}

int mcp_lines_feed(struct mcp_lines *r, const char *p, size_t n)
{
	consume(r);
	while (n) {
		size_t take = n < READ_CHUNK ? n : READ_CHUNK, old = r->in.len;
		const char *nl;
		int rc;
		if (r->skipping) {
			if (!(nl = memchr(p, '\n', take))) {
				p += take;
				n -= take;
				continue;
			}
			r->skipping = false;
			take = (size_t)(nl - p) + 1;
			p += take;
			n -= take;
			continue;
		}
		if ((rc = buf_append(&r->in, p, take)))
			return rc;
		p += take;
		n -= take;
		/* only the new bytes can hold the last newline */
		if ((nl = memrchr(r->in.data + old, '\n', take)))
			r->tail = (size_t)(nl - r->in.data) + 1;
		/* the unfinished last line passed max: drop it up to its newline */
		if (r->in.len - r->tail > r->max) {
			buf_truncate(&r->in, r->tail);
			r->skipping = true;
			r->too_long++;
		}
	}
	return 0;
}

enum mcp_lines_read mcp_lines_read(struct mcp_lines *r, int fd)
{
	char chunk[READ_CHUNK];
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n > 0)
		return mcp_lines_feed(r, chunk, (size_t)n) ? MCP_LINES_FAIL : MCP_LINES_BYTES;
	if (n == 0) {
		r->ended = true;
		return MCP_LINES_END;
	}
	if (errno == EAGAIN || errno == EINTR)
		return MCP_LINES_AGAIN;
	kr_err("cannot read the client's messages: %s", strerror(errno));
	return MCP_LINES_FAIL;
}

enum mcp_line mcp_lines_next(struct mcp_lines *r, const char **line, size_t *n)
{
	const char *nl;
	size_t len;

	consume(r);
	if (r->too_long) {
		r->too_long--;
		return MCP_LINE_TOO_LONG;
	}
	/* a whole line exists only before the tail */
	nl = r->tail ? memchr(r->in.data, '\n', r->tail) : NULL;
	if (!nl && !(r->ended && r->in.len))
		return MCP_LINE_NONE;
	len = nl ? (size_t)(nl - r->in.data) : r->in.len;
	r->consume = nl ? len + 1 : len;
	if (len > r->max)
		return MCP_LINE_TOO_LONG;
	if (len && r->in.data[len - 1] == '\r')
		len--;
	*line = r->in.data;
	*n = len;
	return MCP_LINE;
}
