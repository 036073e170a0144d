#include <string.h>

/* A line with characters outside the BMP before the match, so that a
 * position counted in the wrong unit lands somewhere else. */
void copy(char *dst, const char *src)
{
	/* é😀 */ strcpy(dst, src);
}
