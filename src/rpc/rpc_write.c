/* rpc_write: JSON-RPC 2.0 envelopes (see rpc_write.h). */
#include "kairos/rpc_write.h"
#include "kairos/json.h"

#include <string.h>

#define ENVELOPE "{\"jsonrpc\":\"2.0\""

static void put_id(struct buf *out, const char *id, size_t id_len)
{
	buf_puts(out, ",\"id\":");
	if (id)
		buf_append(out, id, id_len);
	else
		buf_puts(out, "null");
}

static int put_method(struct buf *out, const char *method, const char *params, size_t n)
{
	buf_puts(out, ",\"method\":");
	json_escape(out, method, strlen(method));
	if (params) {
		buf_puts(out, ",\"params\":");
		buf_append(out, params, n);
	}
	buf_putc(out, '}');
	return buf_err(out);
}

int rpc_write_result(struct buf *out, const char *id, size_t id_len, const char *result, size_t n)
{
	buf_puts(out, ENVELOPE);
	put_id(out, id, id_len);
	buf_puts(out, ",\"result\":");
	if (result)
		buf_append(out, result, n);
	else
		buf_puts(out, "null");
	buf_putc(out, '}');
	return buf_err(out);
}

int rpc_write_error(struct buf *out, const char *id, size_t id_len, int code, const char *msg)
{
	buf_puts(out, ENVELOPE);
	put_id(out, id, id_len);
	buf_printf(out, ",\"error\":{\"code\":%d,\"message\":", code);
	json_escape(out, msg, strlen(msg));
	buf_puts(out, "}}");
	return buf_err(out);
}

int rpc_write_notification(struct buf *out, const char *method, const char *params, size_t n)
{
	buf_puts(out, ENVELOPE);
	return put_method(out, method, params, n);
}

int rpc_write_request(struct buf *out, const char *id, size_t id_len, const char *method,
		      const char *params, size_t n)
{
	buf_puts(out, ENVELOPE);
	put_id(out, id, id_len);
	return put_method(out, method, params, n);
}
