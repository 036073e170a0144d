/* cli_undo: `kairos undo`, the newest change of one store reverted, as
 * a new commit (store_ops_undo). */
#include "cli.h"
#include "cli_store.h"
#include "kairos/err.h"
#include "kairos/store_ops.h"

#include <stdio.h>

static struct cli_store_opts o;

static const struct cli_opt opts[] = {
	CLI_STORE_OPT_MEMORY_DIR(o),
	CLI_STORE_OPT_WORKSPACE(o),
	CLI_STORE_OPT_STORE(o, "undo in that store: personal (default), team or user"),
	CLI_STORE_OPT_JSON(o, "print {\"reverted\": COMMIT, \"commit\": COMMIT}"),
};

static int run(int argc, char **argv)
{
	struct store_set s;
	struct store *st;
	struct store_ops_result r = {0};
	bool json;
	int rc;

	if ((rc = cli_store_one(&cli_undo_cmd, &o, argc, argv, &s, &st)))
		return rc;
	json = o.json;
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

const struct cli_cmd cli_undo_cmd = {
	.name = "undo",
	.summary = "undo the last change to a store",
	.details = "Restore the store to its state before its newest change, byte for byte, as "
		   "a new commit; undoing an undo redoes. A hand edit not yet recorded is "
		   "committed first, so undo never loses it.",
	.opts = opts,
	.nopts = ARRAY_LEN(opts),
	.run = run,
};
