/* version: the one place kairos's version is written (serverInfo,
 * --version, the man page's footer). */
#ifndef KAIROS_VERSION_H
#define KAIROS_VERSION_H

#define KAIROS_VERSION "0.1.0"

#endif
