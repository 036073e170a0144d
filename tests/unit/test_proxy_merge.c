/* Unit tests for the merges of proxy mode: initialize capabilities, code
 * actions, pull and push diagnostics, and compiler message shapes. */
#include "check.h"
#include "kairos/err.h"
#include "kairos/proxy.h"

#include <stdlib.h>

#define S(x) x, strlen(x)

TEST(initialize_unites_capabilities)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	enum text_enc enc = TEXT_UTF8;
	const char *child = "{\"capabilities\":{\"positionEncoding\":\"utf-8\",\"textDocumentSync\":1,"
			    "\"hoverProvider\":true,\"codeActionProvider\":{\"codeActionKinds\":[\"quickfix\",\"info\"]},"
			    "\"executeCommandProvider\":{\"commands\":[\"clangd.applyFix\"]},"
			    "\"diagnosticProvider\":{\"interFileDependencies\":false,\"workspaceDiagnostics\":false,\"identifier\":\"c\"}},"
			    "\"offsetEncoding\":\"utf-8\",\"serverInfo\":{\"name\":\"clangd\"}}";
	const char *mine = "{\"capabilities\":{\"positionEncoding\":\"utf-16\",\"textDocumentSync\":{\"openClose\":true,\"change\":2},"
			   "\"codeActionProvider\":{\"codeActionKinds\":[\"quickfix\",\"refactor\",\"source\"],\"resolveProvider\":true},"
			   "\"executeCommandProvider\":{\"commands\":[\"kairos.remember\",\"kairos.tick\"]},"
			   "\"diagnosticProvider\":{\"interFileDependencies\":true,\"workspaceDiagnostics\":false}},"
			   "\"serverInfo\":{\"name\":\"kairos\",\"version\":\"0.1.0\"}}";
	CHECK_INT(proxy_merge_initialize(&b, S(child), S(mine), &enc), 0);
	CHECK_INT(enc, TEXT_UTF8);
	CHECK_STR(buf_cstr(&b),
		  "{\"offsetEncoding\":\"utf-8\",\"capabilities\":{\"positionEncoding\":\"utf-8\",\"textDocumentSync\":1,"
		  "\"hoverProvider\":true,\"codeActionProvider\":{\"codeActionKinds\":[\"quickfix\",\"info\",\"refactor\",\"source\"],\"resolveProvider\":true},"
		  "\"executeCommandProvider\":{\"commands\":[\"clangd.applyFix\",\"kairos.remember\",\"kairos.tick\"]},"
		  "\"diagnosticProvider\":{\"interFileDependencies\":true,\"workspaceDiagnostics\":false,\"identifier\":\"c\"}},"
		  "\"serverInfo\":{\"name\":\"kairos\",\"version\":\"0.1.0\"}}");
	buf_dispose(&b);
}

TEST(initialize_defaults_and_true_code_actions)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	enum text_enc enc = TEXT_UTF8;
	const char *child = "{\"capabilities\":{\"codeActionProvider\":true,\"renameProvider\":false}}";
	const char *mine = "{\"capabilities\":{\"textDocumentSync\":{\"change\":2},\"renameProvider\":{\"prepareProvider\":true},"
			   "\"codeActionProvider\":{\"codeActionKinds\":[\"quickfix\"],\"resolveProvider\":true}}}";
	CHECK_INT(proxy_merge_initialize(&b, S(child), S(mine), &enc), 0);
	CHECK_INT(enc, TEXT_UTF16);
	CHECK_STR(buf_cstr(&b),
		  "{\"capabilities\":{\"positionEncoding\":\"utf-16\",\"textDocumentSync\":{\"change\":2},"
		  "\"codeActionProvider\":{\"resolveProvider\":true},\"renameProvider\":{\"prepareProvider\":true}}}");
	buf_dispose(&b);
	CHECK(proxy_merge_initialize(&b, S("{"), S(mine), &enc) < 0);
	buf_dispose(&b);
}

TEST(code_actions_child_first_data_wrapped)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	CHECK_INT(proxy_merge_code_actions(&b, S("[{\"title\":\"a\",\"data\":{\"x\":1}},{\"title\":\"b\",\"command\":\"c\"}]"),
					   S("[{\"title\":\"k\",\"data\":{\"id\":\"s1\"}}]")), 0);
	CHECK_STR(buf_cstr(&b), "[{\"title\":\"a\",\"data\":{\"kairosProxy\":\"child\",\"data\":{\"x\":1}}},"
				"{\"title\":\"b\",\"command\":\"c\"},{\"title\":\"k\",\"data\":{\"id\":\"s1\"}}]");
	buf_reset(&b);
	CHECK_INT(proxy_merge_code_actions(&b, S("null"), NULL, 0), 0);
	CHECK_STR(buf_cstr(&b), "null");
	buf_reset(&b);
	CHECK_INT(proxy_merge_code_actions(&b, S("null"), S("[{\"title\":\"k\"}]")), 0);
	CHECK_STR(buf_cstr(&b), "[{\"title\":\"k\"}]");
	buf_dispose(&b);
}

TEST(pull_reports_merged)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	CHECK_INT(proxy_merge_pull(&b, S("{\"kind\":\"full\",\"resultId\":\"7\",\"items\":[1,2]}"),
				   S("{\"kind\":\"full\",\"items\":[3]}")), 0);
	CHECK_STR(buf_cstr(&b), "{\"kind\":\"full\",\"items\":[1,2,3]}");
	buf_reset(&b);
	CHECK_INT(proxy_merge_pull(&b, S("{\"kind\":\"unchanged\",\"resultId\":\"7\"}"), NULL, 0), 0);
	CHECK_STR(buf_cstr(&b), "{\"kind\":\"full\",\"items\":[]}");
	buf_dispose(&b);
}

TEST(publish_merged)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	CHECK_INT(proxy_merge_publish(&b, S("\"file:///a.c\""), S("4"), S("[{\"m\":1}]"), S("[{\"m\":2}]")), 0);
	CHECK_STR(buf_cstr(&b), "{\"uri\":\"file:///a.c\",\"version\":4,\"diagnostics\":[{\"m\":1},{\"m\":2}]}");
	buf_reset(&b);
	CHECK_INT(proxy_merge_publish(&b, S("\"u\""), NULL, 0, NULL, 0, S("[{\"m\":2}]")), 0);
	CHECK_STR(buf_cstr(&b), "{\"uri\":\"u\",\"diagnostics\":[{\"m\":2}]}");
	buf_dispose(&b);
}

TEST(error_shapes)
{
	struct buf s = BUF_INIT_CAP(BUF_CAP_RPC_BODY), n = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	const char *clang = "call to undeclared library function 'strlen' with type 'unsigned long (const char *)'; "
			    "ISO C99 and later do not support implicit function declarations";
	proxy_merge_error_shape(&s, &n, 4, clang, strlen(clang));
	CHECK_STR(buf_cstr(&s), "call to undeclared library function '_' with type '_'; ISO C99 and later do not "
				"support implicit function declarations");
	CHECK_STR(buf_cstr(&n), "\"strlen\",\"unsigned long (const char *)\"");
	buf_reset(&s);
	buf_reset(&n);
	const char *gcc = "\xe2\x80\x98strlen\xe2\x80\x99 undeclared (first use in line 12)";
	proxy_merge_error_shape(&s, &n, 1, gcc, strlen(gcc));
	CHECK_STR(buf_cstr(&s), "\xe2\x80\x98_\xe2\x80\x99 undeclared (first use in line _)");
	CHECK_STR(buf_cstr(&n), "\"strlen\"");
	buf_reset(&s);
	proxy_merge_error_shape(&s, NULL, 0, "unterminated 'quote x2 3", 24);
	CHECK_STR(buf_cstr(&s), "unterminated 'quote x2 _");
	buf_dispose(&s);
	buf_dispose(&n);
}

int main(void)
{
	RUN(initialize_unites_capabilities);
	RUN(initialize_defaults_and_true_code_actions);
	RUN(code_actions_child_first_data_wrapped);
	RUN(pull_reports_merged);
	RUN(publish_merged);
	RUN(error_shapes);
	CHECK_MAIN_END();
}
