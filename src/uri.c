/* uri: file URIs and paths. */
#include "kairos/uri.h"
#include "kairos/buf.h"
#include "kairos/err.h"

#include <string.h>
#include <strings.h>

static int hexv(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *uri_to_path(const char *uri)
{
	struct buf b = BUF_INIT;
	const char *p;

	if (strncasecmp(uri, "file://", 7))
		return NULL;
	p = uri + 7;
	if (strncasecmp(p, "localhost/", 10) == 0)
		p += 9;
	if (*p != '/')
		return NULL; /* a remote host */
	for (; *p && *p != '?' && *p != '#'; p++) {
		if (*p == '%') {
			int h = hexv(p[1]), l = h >= 0 ? hexv(p[2]) : -1;
			if (h < 0 || l < 0 || (h == 0 && l == 0)) {
				buf_dispose(&b);
				return NULL;
			}
			buf_putc(&b, (char)(h * 16 + l));
			p += 2;
		} else {
			buf_putc(&b, *p);
		}
	}
	/* "/c:/x" from Windows-style URIs stays as is: this is a POSIX server */
	return buf_detach(&b);
}

char *uri_from_path(const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b = BUF_INIT;

	buf_puts(&b, "file://");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("/-._~!$&'()*+,;=:@", *p)) {
			buf_putc(&b, (char)*p);
		} else {
			char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			buf_append(&b, e, 3);
		}
	}
	return buf_detach(&b);
}
