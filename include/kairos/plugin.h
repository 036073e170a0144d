/* plugin: finds and opens kairos's own shared objects (kairos-<name>.so),
 * the homes of libgit2 and libcurl, which the binary never links. */
#ifndef KAIROS_PLUGIN_H
#define KAIROS_PLUGIN_H

/* Opens kairos-<name>.so from the first of: $KAIROS_PLUGIN_DIR, the
 * directory of the running executable, <that directory>/../lib/kairos;
 * *out gets the address of its symbol sym. The object stays loaded for
 * the life of the process. KR_ENOTFOUND, with a message naming every
 * place searched, when none has it. */
int plugin_load(void **out, const char *name, const char *sym);

#endif
