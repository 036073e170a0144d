#include <stdlib.h>
#include <string.h>

/* A tiny growable buffer, the demo's stand-in for real project code. */
struct buffer {
	char *data;
	size_t len;
};

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
