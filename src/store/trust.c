/* trust: the person's decision to trust a workspace, kept under
 * $XDG_DATA_HOME/kairos/trust/ (trust.h). */
#include "kairos/trust.h"
#include "kairos/buf.h"
#include "kairos/err.h"
#include "kairos/fsx.h"
#include "kairos/paths.h"
#include "kairos/sha1.h"
#include "kairos/store.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TRUST_DIR "/kairos/trust"
#define SHA1_HEX_LEN 40
/* A decision file: the real path and a newline. */
#define TRUST_FILE_MAX (PATH_MAX + 1)
/* Room for the copy of an error message (err.c keeps 512 bytes). */
#define TRUST_WHY_MAX 512

int trust_workspace_path(char **out, const char *workspace)
{
	char *real = realpath(workspace && *workspace ? workspace : ".", NULL);
	struct stat st;

	if (!real) {
		if (errno == ENOENT || errno == ENOTDIR)
			return kr_errc(KR_ENOTFOUND, "workspace %s does not exist", workspace);
		return kr_err("workspace %s: %s", workspace, strerror(errno));
	}
	if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
		free(real);
		return kr_errc(KR_EINVAL, "workspace %s is not a directory", workspace);
	}
	*out = real;
	return 0;
}

/* A workspace's decision: its real path, where decisions are kept and
 * the file of this one. */
struct decision {
	char *real, *dir, *file;
};

static void decision_dispose(struct decision *d)
{
	free(d->real);
	free(d->dir);
	free(d->file);
}

static int decision_open(struct decision *d, const char *workspace)
{
	char *home, hex[SHA1_HEX_LEN + 1];
	struct buf dir = BUF_INIT_CAP(BUF_CAP_LINE), file = BUF_INIT_CAP(BUF_CAP_LINE);
	int rc;

	memset(d, 0, sizeof(*d));
	if ((rc = trust_workspace_path(&d->real, workspace)))
		return rc;
	home = paths_data_home();
	sha1_hex(d->real, strlen(d->real), hex);
	buf_printf(&dir, "%s" TRUST_DIR, home);
	buf_printf(&file, "%s" TRUST_DIR "/%s", home, hex);
	free(home);
	if ((rc = buf_err(&dir)) || (rc = buf_err(&file))) {
		buf_dispose(&dir);
		buf_dispose(&file);
		decision_dispose(d);
		return rc;
	}
	d->dir = buf_detach(&dir);
	d->file = buf_detach(&file);
	return 0;
}

/* The last error, said of what failed ("cannot record the trust of X:
 * why"); the message is copied first, as kr_err writes where it lives. */
static int failed(const char *what, const struct decision *d)
{
	char why[TRUST_WHY_MAX];
	snprintf(why, sizeof(why), "%s", kr_errmsg());
	return kr_err("cannot %s the trust of %s: %s", what, d->real, why);
}

int trust_get(bool *out, const char *workspace)
{
	struct decision d;
	struct buf b = BUF_INIT_CAP(TRUST_FILE_MAX);
	struct stat st;
	int rc;

	*out = false;
	if ((rc = decision_open(&d, workspace)))
		return rc == KR_ENOTFOUND || rc == KR_EINVAL ? 0 : rc;
	/* only a regular file of kairos's own counts; anything else there
	 * (a link, a directory) is no decision */
	if (lstat(d.file, &st) < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			rc = kr_err("cannot read the trust of %s: %s", d.real, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode))
		goto out;
	rc = fsx_read(d.file, TRUST_FILE_MAX, &b);
	if (rc == KR_ENOTFOUND || rc == KR_ENOMEM) {
		rc = 0; /* gone meanwhile, or not one of ours */
		goto out;
	}
	if (rc) {
		rc = failed("read", &d);
		goto out;
	}
	/* the file names the path it is about: a hash alone decides nothing */
	*out = b.len == strlen(d.real) + 1 && !memcmp(b.data, d.real, b.len - 1) &&
	       b.data[b.len - 1] == '\n';
out:
	buf_dispose(&b);
	decision_dispose(&d);
	return rc;
}

int trust_set(const char *workspace, bool trusted)
{
	struct decision d;
	struct buf b = BUF_INIT_CAP(TRUST_FILE_MAX);
	int rc;

	if ((rc = decision_open(&d, workspace)))
		return rc;
	if (trusted) {
		buf_puts(&b, d.real);
		buf_putc(&b, '\n');
		if ((rc = buf_err(&b)) || (rc = fsx_mkdirs(d.dir, 0700)) ||
		    (rc = fsx_write_atomic_mode(d.file, b.data, b.len, 0600)))
			rc = failed("record", &d);
	} else if (unlink(d.file) < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			rc = kr_err("cannot take back the trust of %s: %s", d.real, strerror(errno));
	} else if (fsx_fsync_dir(d.dir)) {
		rc = failed("take back", &d);
	}
	buf_dispose(&b);
	decision_dispose(&d);
	return rc;
}

bool trust_store_needs(enum mem_store kind)
{
	return kind == STORE_TEAM || kind == STORE_IMPORT;
}

/* Whether dir lies in (or is) the directory real (a real path). A dir
 * that does not exist yet is compared as written, normalised: it holds
 * nothing yet, and is judged again, resolved, once it does. */
static bool dir_inside(const char *dir, const char *real)
{
	char *r = realpath(dir, NULL);
	size_t n = strlen(real);
	bool in;

	if (!r)
		r = paths_normalize(dir);
	in = !strncmp(r, real, n) && (r[n] == '\0' || r[n] == '/' || !strcmp(real, "/"));
	free(r);
	return in;
}

void trust_stores(bool out[STORE_COUNT], const struct store_set *s, bool workspace_trusted,
		  bool confine)
{
	const char *personal = s->stores[STORE_PERSONAL].dir;

	for (int k = 0; k < STORE_COUNT; k++)
		out[k] = workspace_trusted || !trust_store_needs((enum mem_store)k);
	if (!workspace_trusted && confine && personal) {
		char *real = NULL;
		if (trust_workspace_path(&real, s->workspace) == 0)
			out[STORE_PERSONAL] = !dir_inside(personal, real);
		free(real);
	}
}
