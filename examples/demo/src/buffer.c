#include <stdlib.h>
#include <string.h>

#include "buffer.h"

/* A tiny growable buffer, the demo's stand-in for real project code. */
int buffer_append(struct buffer *b, const char *s)
{
	size_t n = strlen(s);
	char *p = realloc(b->data, b->len + n + 1);
	if (!p)
		return -1;
	strcpy(p + b->len, s);
	b->data = p;
	b->len += n;
	return 0;
}

int buffer_set(struct buffer *b, const char *s)
{
	b->len = 0;
	return buffer_append(b, s);
}
