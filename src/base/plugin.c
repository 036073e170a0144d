/* plugin: the search path for kairos-<name>.so and dlopen. */
#include "kairos/plugin.h"
#include "kairos/buf.h"
#include "kairos/err.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* where an installed binary's plugins are, from the binary's directory */
#define LIB_FROM_BIN "/../lib/kairos"

/* Tries dir/kairos-<name>.so; notes dir in tried, a failed dlopen in why. */
static void *try_dir(const char *dir, const char *name, struct buf *tried, struct buf *why)
{
	struct buf path = BUF_INIT_CAP(BUF_CAP_LINE);
	void *h = NULL;
	if (buf_printf(&path, "%s/kairos-%s.so", dir, name))
		goto out;
	buf_printf(tried, "%s%s", tried->len ? ", " : "", dir);
	if (access(path.data, F_OK) != 0)
		goto out;
	h = dlopen(path.data, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		buf_printf(why, "%s%s", why->len ? "; " : "", e ? e : path.data);
	}
out:
	buf_dispose(&path);
	return h;
}

int plugin_load(void **out, const char *name, const char *sym)
{
	/* messages: a list of directories, the dlopen errors */
	struct buf tried = BUF_INIT_CAP(BUF_CAP_LINE), why = BUF_INIT_CAP(BUF_CAP_LINE);
	char exe[PATH_MAX];
	const char *env = getenv("KAIROS_PLUGIN_DIR");
	void *h = NULL, *s;
	int rc = 0;

	if (env && *env)
		h = try_dir(env, name, &tried, &why);
	if (!h) {
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n > 0) {
			exe[n] = 0;
			char *slash = strrchr(exe, '/');
			if (slash) {
				*slash = 0;
				h = try_dir(exe, name, &tried, &why);
				if (!h && strlen(exe) + STRLEN_LIT(LIB_FROM_BIN) < sizeof(exe)) {
					strcat(exe, LIB_FROM_BIN);
					h = try_dir(exe, name, &tried, &why);
				}
			}
		}
	}
	if (!h) {
		if (why.len || buf_err(&why))
			rc = kr_errc(KR_ENOTFOUND, "cannot load the %s plugin %s", name,
				     why.len ? why.data : "(its dlopen errors were too long to keep)");
		else
			rc = kr_errc(KR_ENOTFOUND,
				     "the %s plugin kairos-%s.so was not found (looked in %s); set "
				     "KAIROS_PLUGIN_DIR to the directory that holds it",
				     name, name, buf_cstr(&tried));
		goto out;
	}
	s = dlsym(h, sym);
	if (!s) {
		rc = kr_errc(KR_ENOTFOUND, "kairos-%s.so has no symbol %s", name, sym);
		goto out;
	}
	*out = s;
out:
	buf_dispose(&tried);
	buf_dispose(&why);
	return rc;
}
