/* proxy_host: what the proxy says to the editor, through the services
 * the server lends it (lsp_filter.h). */
#include "proxy_int.h"
#include "kairos/rpc_write.h"

#include <stdarg.h>
#include <stdio.h>

void proxy_host_send(struct proxy *p, const char *body, size_t len)
{
	p->host.send(p->host.ud, body, len);
}

void proxy_host_say(struct proxy *p, int type, bool show, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->host.say(p->host.ud, type, show, msg);
}

void proxy_host_reply_error(struct proxy *p, const char *id, size_t id_len, int code, const char *msg)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);
	if (rpc_write_error(&b, id, id_len, code, msg) == 0)
		proxy_host_send(p, b.data, b.len);
	buf_dispose(&b);
}

bool proxy_host_initialized(const struct proxy *p)
{
	return p->host.state(p->host.ud) & LSP_HOST_INITIALIZED;
}

bool proxy_host_shutdown(const struct proxy *p)
{
	return p->host.state(p->host.ud) & LSP_HOST_SHUTDOWN;
}
