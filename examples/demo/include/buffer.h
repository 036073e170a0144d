#ifndef BUFFER_H
#define BUFFER_H
#include <stddef.h>

struct buffer {
	char *data;
	size_t len;
};

int buffer_append(struct buffer *b, const char *s);

#endif
