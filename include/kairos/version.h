/* version: the one place kairos's version is written (serverInfo,
 * --version, the man page's footer). */
#ifndef KAIROS_VERSION_H
#define KAIROS_VERSION_H

#define KAIROS_VERSION "0.1.0"
/* The release's date, as the man page shows it (kept fixed so that a
 * build is reproducible). */
#define KAIROS_RELEASE_DATE "2026-12-04"

#endif
