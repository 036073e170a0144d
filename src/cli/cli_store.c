/* cli_store: the options and helpers of the store commands (cli_store.h). */
#include "cli.h"
#include "cli_store.h"
#include "kairos/err.h"

#include <stdio.h>

int cli_store_check(const char *cmd, struct cli_store_opts *o)
{
	o->type_v = o->store_v = -1;
	if (o->type && (o->type_v = mem_type_parse(o->type)) < 0) {
		fprintf(stderr, "kairos %s: unknown type '%s' (user, feedback, project, reference)\n",
			cmd, o->type);
		return 2;
	}
	if (o->store && (o->store_v = mem_store_parse(o->store)) < 0) {
		fprintf(stderr, "kairos %s: unknown store '%s' (personal, team, user, import)\n", cmd,
			o->store);
		return 2;
	}
	if (o->memory_dir && o->store_v >= 0 && o->store_v != STORE_PERSONAL) {
		fprintf(stderr, "kairos %s: with --memory-dir only that store is used; drop --store\n",
			cmd);
		return 2;
	}
	return 0;
}

int cli_store_open(struct store_set *s, const struct cli_store_opts *o, bool load)
{
	if (store_set_open(s, o->workspace, o->memory_dir, o->memory_dir != NULL)) {
		fprintf(stderr, "kairos: %s\n", kr_errmsg());
		return 1;
	}
	if (!load)
		return 0;
	if (store_set_load(s)) {
		fprintf(stderr, "kairos: %s\n", kr_errmsg());
		return 1;
	}
	for (size_t i = 0; i < s->nproblems; i++)
		fprintf(stderr, "kairos: %s: %s\n", s->problems[i].path, s->problems[i].msg);
	return 0;
}

struct store *cli_store_pick(struct store_set *s, const struct cli_store_opts *o, const char *cmd)
{
	struct store *st = store_set_get(s, o->store_v >= 0 ? (enum mem_store)o->store_v
							  : STORE_PERSONAL);
	if (!st || !st->writable) {
		fprintf(stderr, "kairos %s: the %s store cannot be written\n", cmd,
			o->store ? o->store : "personal");
		return NULL;
	}
	return st;
}

/* Prints what w wrote into b and a newline; or, when b failed (the JSON
 * writer fails it too), says why and prints nothing. */
int cli_store_print_json(struct buf *b)
{
	buf_putc(b, '\n');
	if (buf_err(b)) {
		fprintf(stderr, "kairos: %s\n", kr_errmsg());
		return 1;
	}
	fwrite(b->data, 1, b->len, stdout);
	return 0;
}

int cli_store_one(const struct cli_cmd *c, struct cli_store_opts *o, int argc, char **argv,
		  struct store_set *s, struct store **st)
{
	int npos = 0, rc;

	if ((rc = cli_parse(c, argc, argv, &npos)))
		return rc;
	if (npos)
		return cli_unexpected(c, argv[0], NULL);
	if ((rc = cli_store_check(c->name, o)))
		return rc;
	if (cli_store_open(s, o, false))
		return 1;
	if (!(*st = cli_store_pick(s, o, c->name))) {
		store_set_dispose(s);
		return 2;
	}
	return 0;
}
