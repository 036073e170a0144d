/* null_lsp: a do-nothing language server that answers initialize with a
 * canned reply and exits on exit; the floor that the initialize benchmark
 * compares kairos against (protocol.md "Measuring"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kairos/err.h" /* STRLEN_LIT */

#define CL "Content-Length:"

static int read_message(char *body, size_t cap)
{
	char line[256];
	long len = -1;
	for (;;) {
		if (!fgets(line, sizeof(line), stdin))
			return -1;
		if (!strcmp(line, "\r\n"))
			break;
		if (!strncasecmp(line, CL, STRLEN_LIT(CL)))
			len = atol(line + STRLEN_LIT(CL));
	}
	if (len < 0 || (size_t)len >= cap || fread(body, 1, (size_t)len, stdin) != (size_t)len)
		return -1;
	body[len] = '\0';
	return 0;
}

int main(void)
{
	static char body[1 << 20];
	static const char reply[] =
		"{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"capabilities\":{}}}";
	while (read_message(body, sizeof(body)) == 0) {
		if (strstr(body, "\"initialize\"")) {
			printf("Content-Length: %zu\r\n\r\n%s", strlen(reply), reply);
			fflush(stdout);
		} else if (strstr(body, "\"exit\"")) {
			return 0;
		}
	}
	return 0;
}
