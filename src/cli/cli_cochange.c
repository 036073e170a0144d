/* cli_cochange: `kairos __cochange WORKSPACE`, internal: prints the
 * co-change hints of the workspace as {"hints":[{path, partner, together,
 * total}]}. The server runs it as a child so libgit2 stays off its typing
 * path and out of its memory. Exit 3 when the workspace is not a git work
 * tree. */
#include "cli.h"
#include "kairos/err.h"
#include "kairos/json.h"
#include "kairos/repo.h"

#include <stdio.h>

static int run(int argc, char **argv)
{
	struct repo_cochange *h = NULL;
	struct buf b = BUF_INIT_CAP(REPO_COCHANGE_JSON_MAX);
	struct jw w;
	size_t n = 0;
	int rc;

	if (argc != 1) {
		fprintf(stderr, "kairos __cochange: usage: kairos __cochange WORKSPACE\n");
		return 2;
	}
	rc = repo_cochange_hints(argv[0], &h, &n);
	if (rc == KR_ENOTFOUND)
		return 3;
	if (rc) {
		fprintf(stderr, "kairos __cochange: %s\n", kr_errmsg());
		return 1;
	}
	jw_init(&w, &b);
	jw_obj(&w);
	jw_key(&w, "hints");
	jw_arr(&w);
	for (size_t i = 0; i < n; i++) {
		jw_obj(&w);
		jw_kstr(&w, "path", h[i].path);
		jw_kstr(&w, "partner", h[i].partner);
		jw_kint(&w, "together", h[i].together);
		jw_kint(&w, "total", h[i].total);
		jw_end(&w);
	}
	jw_end(&w);
	jw_end(&w);
	buf_putc(&b, '\n');
	repo_cochange_free(h, n);
	if ((rc = buf_err(&b))) {
		fprintf(stderr, "kairos __cochange: %s\n", kr_errmsg());
		buf_dispose(&b);
		return 1;
	}
	fwrite(b.data, 1, b.len, stdout);
	buf_dispose(&b);
	return 0;
}

const struct cli_cmd cli_cochange_cmd = {
	.name = "__cochange",
	.args = "WORKSPACE",
	.summary = "the co-change hints of WORKSPACE as JSON, for the server",
	.run = run,
	.internal = true,
};
