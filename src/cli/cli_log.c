/* cli_log: `kairos log`, the history of one store, newest first. */
#include "cli.h"
#include "cli_store.h"
#include "kairos/err.h"
#include "kairos/history.h"
#include "kairos/json.h"
#include "kairos/time.h"

#include <stdio.h>
#include <string.h>

static struct cli_store_opts o;

static const struct cli_opt opts[] = {
	CLI_STORE_OPT_MEMORY_DIR(o),
	CLI_STORE_OPT_WORKSPACE(o),
	CLI_STORE_OPT_STORE(o, "the history of that store: personal (default), team or user"),
	CLI_STORE_OPT_JSON(o, "print one JSON array of {id, time, message}"),
};

static int run(int argc, char **argv)
{
	struct store_set s;
	struct store *st;
	struct history_entry *e = NULL;
	size_t n = 0;
	bool json;
	int rc;

	if ((rc = cli_store_one(&cli_log_cmd, &o, argc, argv, &s, &st)))
		return rc;
	json = o.json;
	if (history_log(st->dir, &e, &n)) {
		fprintf(stderr, "kairos log: %s\n", kr_errmsg());
		store_set_dispose(&s);
		return 1;
	}
	if (json) {
		struct buf b = BUF_INIT_CAP(BUF_CAP_LISTING);
		struct jw w;
		jw_init(&w, &b);
		jw_arr(&w);
		for (size_t i = 0; i < n; i++) {
			char ts[32];
			time_format(e[i].time, ts);
			jw_obj(&w);
			jw_kstr(&w, "id", e[i].id);
			jw_kstr(&w, "time", ts);
			jw_kstr(&w, "message", e[i].message);
			jw_end(&w);
		}
		jw_end(&w);
		rc = cli_store_print_json(&b);
		buf_dispose(&b);
	} else {
		if (!n)
			fprintf(stderr, "kairos log: no history yet for %s\n", st->dir);
		for (size_t i = 0; i < n; i++) {
			char ts[32];
			const char *msg = e[i].message ? e[i].message : "";
			int l = (int)strcspn(msg, "\n");
			time_format(e[i].time, ts);
			printf("%.12s %s %.*s\n", e[i].id, ts, l, msg);
		}
	}
	history_entries_free(e, n);
	store_set_dispose(&s);
	return rc;
}

const struct cli_cmd cli_log_cmd = {
	.name = "log",
	.summary = "the history of a store, newest first",
	.details = "Every change kairos makes to a store (remember, forget, a dream, undo, and "
		   "hand edits it noticed) is one commit in a git repository that belongs to the "
		   "store and lives outside it: one line per commit, its id, time and message.",
	.opts = opts,
	.nopts = ARRAY_LEN(opts),
	.run = run,
};
