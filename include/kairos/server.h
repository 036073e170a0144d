/* server: the language server (kairos lsp). */
#ifndef KAIROS_SERVER_H
#define KAIROS_SERVER_H

/* Serves LSP on stdin/stdout until exit or end of input. child_argv,
 * when not NULL, is a language server to stand in front of (proxy mode).
 * Returns the process exit code. */
int server_main(char **child_argv);

#endif
