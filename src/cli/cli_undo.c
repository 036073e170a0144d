/* cli_undo: `kairos undo`, the newest change of one store reverted, as
 * a new commit (store_ops_undo). */
#include "cli.h"
#include "cli_store.h"
#include "kairos/err.h"
#include "kairos/store_ops.h"

#include <stdio.h>

int cli_undo(int argc, char **argv)
{
	struct store_set s;
	struct store *st;
	struct store_ops_result r = {0};
	bool json = false;
	int rc;

	if ((rc = cli_store_one("undo", argc, argv, &s, &st, &json)))
		return rc;
	if (store_ops_undo(&r, &s, (int)st->kind)) {
		fprintf(stderr, "kairos undo: %s\n", kr_errmsg());
		rc = 1;
	} else if (json) {
		printf("{\"reverted\":\"%s\",\"commit\":\"%s\"}\n", r.undone, r.commit);
	} else {
		printf("undid %.12s (%s); now at %.12s\n", r.undone,
		       r.undone_subject ? r.undone_subject : "?", r.commit);
	}
	store_ops_result_dispose(&r);
	store_set_dispose(&s);
	return rc;
}
