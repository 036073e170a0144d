/* uri: file:// URIs <-> local paths, with percent-encoding (RFC 3986). */
#ifndef KAIROS_URI_H
#define KAIROS_URI_H

/* Local path of a file: URI (malloc'd), or NULL for other schemes or a
 * malformed URI. */
char *uri_to_path(const char *uri);
/* file:// URI of an absolute path (malloc'd). */
char *uri_from_path(const char *path);

#endif
