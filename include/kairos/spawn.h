/* spawn: child processes with pipes, for work kept off the server's
 * event loop (a dream, repository statistics). Every descriptor kairos
 * keeps is close-on-exec; the child gets only what is asked for. */
#ifndef KAIROS_SPAWN_H
#define KAIROS_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

struct child {
	pid_t pid;
	int in;    /* write end of the child's stdin, or -1 */
	int out;   /* read end of the child's stdout, or -1 */
	int err;   /* read end of the child's stderr, or -1 (inherited) */
	int extra; /* read end of a pipe that is fd 3 in the child, or -1 */
};

enum {
	SPAWN_STDIN = 1,  /* pipe to stdin (else /dev/null) */
	SPAWN_STDOUT = 2, /* pipe from stdout (else /dev/null) */
	SPAWN_STDERR = 4, /* pipe from stderr (else inherited) */
	SPAWN_FD3 = 8,    /* pipe from fd 3 */
};

/* Starts argv[0] (a path, not searched in PATH) with the pipes of flags;
 * all read ends are non-blocking. The child has 0..2 (and 3 with
 * SPAWN_FD3) and no other descriptor of ours, close-on-exec or not.
 * Returns once the program runs: KR_ENOTFOUND when argv[0] does not
 * exist, KR_ERR when it cannot be run, with the reason in kr_errmsg()
 * (the child is reaped then, and *out holds nothing to finish). */
int spawn_start(struct child *out, char *const argv[], int flags);
/* Closes what is open and reaps the child (waiting for it when wait is
 * true, else killing it with SIGKILL first). Returns its exit status
 * (0..255), 128+signal, or -1. */
int spawn_finish(struct child *c, bool wait);
/* The running binary's own path (malloc'd). */
char *spawn_self_path(void);

#endif
