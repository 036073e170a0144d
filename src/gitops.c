/* gitops: loads the git plugin (kairos-git.so) with dlopen on first use,
 * so that sessions that never touch git never pay for libgit2. */
#include "kairos/gitops.h"

#include "kairos/buf.h"
#include "kairos/err.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct gitops_vtable *loaded;

/* Tries dir/kairos-git.so; 1 when loaded, 0 when absent, <0 when present
 * but unusable (the message says why). */
static int try_dir(const char *dir, struct buf *tried)
{
	char path[PATH_MAX];
	void *h;
	gitops_plugin_fn fn;
	const struct gitops_vtable *vt;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, GITOPS_PLUGIN_FILE) >= sizeof(path))
		return 0;
	buf_printf(tried, "%s%s", tried->len ? ", " : "", dir);
	if (access(path, F_OK) != 0)
		return 0;
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return kr_err("cannot load the git plugin %s: %s", path, dlerror());
	fn = (gitops_plugin_fn)dlsym(h, GITOPS_SYMBOL);
	if (!fn) {
		dlclose(h);
		return kr_err("%s is not a kairos git plugin (no %s)", path, GITOPS_SYMBOL);
	}
	vt = fn(GITOPS_ABI);
	if (!vt || vt->abi != GITOPS_ABI) {
		dlclose(h);
		return kr_err("%s does not serve git plugin ABI %d (or libgit2 failed to start)",
			      path, GITOPS_ABI);
	}
	loaded = vt; /* the handle stays open for the life of the process */
	return 1;
}

static int load(void)
{
	struct buf tried = BUF_INIT;
	char exe[PATH_MAX], dir[PATH_MAX + 32];
	const char *env = getenv("KAIROS_PLUGIN_DIR");
	ssize_t n;
	int rc = 0;

	if (env && *env && (rc = try_dir(env, &tried)) != 0)
		goto out;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		if ((rc = try_dir(exe, &tried)) != 0)
			goto out;
		snprintf(dir, sizeof(dir), "%s/../lib/kairos", exe);
		if ((rc = try_dir(dir, &tried)) != 0)
			goto out;
	}
	rc = kr_errc(KR_ENOTFOUND,
		     "the git plugin %s was not found (looked in %s); set KAIROS_PLUGIN_DIR to "
		     "the directory that holds it",
		     GITOPS_PLUGIN_FILE, buf_cstr(&tried));
out:
	buf_dispose(&tried);
	return rc < 0 ? rc : 0;
}

int gitops_get(const struct gitops_vtable **out)
{
	int rc = 0;

	pthread_mutex_lock(&load_lock);
	if (!loaded)
		rc = load();
	*out = loaded;
	pthread_mutex_unlock(&load_lock);
	return rc;
}

bool gitops_loaded(void)
{
	bool r;
	pthread_mutex_lock(&load_lock);
	r = loaded != NULL;
	pthread_mutex_unlock(&load_lock);
	return r;
}

int gitops_fail(const struct gitops_vtable *vt, int rc)
{
	kr_errc(rc, "%s", vt->last_error());
	return rc;
}
