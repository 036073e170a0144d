/* gitops: loads the git plugin (kairos-git.so) with dlopen on first use,
 * so that sessions that never touch git never pay for libgit2. */
#include "kairos/gitops.h"

#include "kairos/buf.h"
#include "kairos/err.h"
#include "kairos/plugin.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct gitops_vtable *loaded;

/* kairos-git.so through plugin.c's search path; checks its ABI. */
static int load(void)
{
	void *sym;
	gitops_plugin_fn fn;
	const struct gitops_vtable *vt;
	int rc = plugin_load(&sym, "git", GITOPS_SYMBOL);

	if (rc)
		return rc;
	memcpy(&fn, &sym, sizeof(fn));
	vt = fn(GITOPS_ABI);
	if (!vt || vt->abi != GITOPS_ABI)
		return kr_err("%s does not serve git plugin ABI %d (or libgit2 failed to start)",
			      GITOPS_PLUGIN_FILE, GITOPS_ABI);
	loaded = vt; /* the object stays loaded for the life of the process */
	return 0;
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
