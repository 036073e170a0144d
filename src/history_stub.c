/* history_stub: TEMPORARY stand-in for src/history.c (branch `git`), so
 * that the store builds and its history-free tests run before that
 * branch is merged. Deleted by the merge; nothing here is the contract. */
#include "kairos/history.h"
#include "kairos/err.h"

#include <stdlib.h>
#include <string.h>

char *history_repo_path(const char *store_dir)
{
	(void)store_dir;
	return NULL;
}

int history_commit(const char *store_dir, const char *message, char *id_out)
{
	(void)store_dir, (void)message;
	id_out[0] = '\0';
	return 0;
}

int history_log(const char *store_dir, struct history_entry **out, size_t *n)
{
	(void)store_dir;
	*out = NULL;
	*n = 0;
	return 0;
}

void history_entries_free(struct history_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(e[i].message);
	free(e);
}

int history_undo(const char *store_dir, char *id_out)
{
	(void)store_dir;
	id_out[0] = '\0';
	return kr_errc(KR_ENOTFOUND, "history is not built in yet");
}
