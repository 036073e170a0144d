/* Tests of spawn: exit statuses, the pipes to and from the child, a
 * program that cannot run, and descriptors leaking neither way. */
#include "check.h"
#include "testfs.h"

#include "kairos/err.h"
#include "kairos/spawn.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

/* Runs sh -c script with flags; the child's status after waiting, with
 * what it wrote on fd into out (when out is given). */
static int sh(const char *script, int flags, int which, char *out, size_t outsz)
{
	char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
	struct child c;
	size_t n = 0;

	if (spawn_start(&c, argv, flags)) {
		fprintf(stderr, "spawn: %s\n", kr_errmsg());
		return -2;
	}
	int fd = which == 1 ? c.out : which == 2 ? c.err : which == 3 ? c.extra : -1;
	while (fd >= 0 && out) {
		struct pollfd p = {fd, POLLIN, 0};
		ssize_t r;
		poll(&p, 1, 5000);
		r = read(fd, out + n, outsz - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	if (out)
		out[n] = '\0';
	return spawn_finish(&c, true);
}

TEST(exit_status_and_signals)
{
	CHECK_INT(sh("exit 0", 0, 0, NULL, 0), 0);
	CHECK_INT(sh("exit 3", 0, 0, NULL, 0), 3);
	CHECK_INT(sh("kill -TERM $$", 0, 0, NULL, 0), 128 + 15);
}

TEST(pipes_to_and_from_the_child)
{
	char out[256];
	CHECK_INT(sh("echo out", SPAWN_STDOUT, 1, out, sizeof(out)), 0);
	CHECK_STR(out, "out\n");
	CHECK_INT(sh("echo err >&2", SPAWN_STDERR, 2, out, sizeof(out)), 0);
	CHECK_STR(out, "err\n");
	CHECK_INT(sh("echo three >&3", SPAWN_FD3, 3, out, sizeof(out)), 0);
	CHECK_STR(out, "three\n");

	/* stdin in, stdout out, through cat */
	char *argv[] = {"/bin/cat", NULL};
	struct child c;
	size_t n = 0;
	CHECK_INT(spawn_start(&c, argv, SPAWN_STDIN | SPAWN_STDOUT), 0);
	CHECK(c.pid > 0 && c.in >= 0 && c.out >= 0 && c.err == -1 && c.extra == -1);
	CHECK(fcntl(c.out, F_GETFL) & O_NONBLOCK);
	CHECK_INT(write(c.in, "hello\n", 6), 6);
	close(c.in);
	c.in = -1;
	for (;;) {
		struct pollfd p = {c.out, POLLIN, 0};
		poll(&p, 1, 5000);
		ssize_t r = read(c.out, out + n, sizeof(out) - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	out[n] = '\0';
	CHECK_STR(out, "hello\n");
	CHECK_INT(spawn_finish(&c, true), 0);
	CHECK(c.pid == 0 && c.out == -1);
}

TEST(what_is_not_piped)
{
	/* stdin and stdout are /dev/null, fd 3 is closed */
	CHECK_INT(sh("[ \"$(readlink /proc/$$/fd/0)\" = /dev/null ] && "
		     "[ \"$(readlink /proc/$$/fd/1)\" = /dev/null ] && [ ! -e /proc/$$/fd/3 ]",
		     0, 0, NULL, 0),
		  0);
}

TEST(a_missing_program_is_reported)
{
	char *argv[] = {"/nonexistent/kairos-no-such-program", NULL};
	struct child c;
	CHECK_INT(spawn_start(&c, argv, SPAWN_STDOUT | SPAWN_STDERR), KR_ENOTFOUND);
	CHECK(strstr(kr_errmsg(), "/nonexistent/kairos-no-such-program") != NULL);
	CHECK(strstr(kr_errmsg(), "No such file") != NULL);
	CHECK(c.pid == 0 && c.in == -1 && c.out == -1 && c.err == -1 && c.extra == -1);
	CHECK_INT(spawn_finish(&c, true), -1); /* nothing to finish */

	/* there but not executable */
	const char *path = tpath("%s/not-a-program", testfs_root);
	char *argv2[] = {(char *)path, NULL};
	twrite(path, "#!/bin/sh\n", (size_t)-1);
	chmod(path, 0644);
	CHECK_INT(spawn_start(&c, argv2, 0), KR_ERR);
	CHECK(strstr(kr_errmsg(), "Permission denied") != NULL);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own */
}

TEST(no_descriptor_leaks)
{
	char out[256];
	int before = count_fds();
	/* one without close-on-exec, as a library might leave it */
	int stray = open("/dev/null", O_RDONLY), high = dup2(stray, 40);

	CHECK_INT(high, 40);
	/* the child sees 0..3 and nothing of ours (ls lists the shell's) */
	CHECK_INT(sh("ls /proc/$$/fd", SPAWN_STDIN | SPAWN_STDOUT | SPAWN_STDERR | SPAWN_FD3, 1, out,
		     sizeof(out)),
		  0);
	CHECK_STR(out, "0\n1\n2\n3\n");
	/* and the parent is left with what it had */
	for (int i = 0; i < 20; i++) {
		sh("exit 0", SPAWN_STDIN | SPAWN_STDOUT | SPAWN_STDERR | SPAWN_FD3, 0, NULL, 0);
		sh("exit 0", 0, 0, NULL, 0);
	}
	char *argv[] = {"/nonexistent/x", NULL};
	struct child c;
	CHECK(spawn_start(&c, argv, SPAWN_STDIN | SPAWN_STDOUT) < 0);
	close(stray);
	close(high);
	CHECK_INT(count_fds(), before);
}

TEST(finish_without_waiting_kills)
{
	char *argv[] = {"/bin/sleep", "60", NULL};
	struct child c;
	CHECK_INT(spawn_start(&c, argv, SPAWN_STDOUT), 0);
	CHECK_INT(spawn_finish(&c, false), 128 + 9);
}

TEST(self_path)
{
	char *p = spawn_self_path();
	CHECK(strstr(p, "test_spawn") != NULL);
	free(p);
}

int main(void)
{
	tsetup();
	RUN(exit_status_and_signals);
	RUN(pipes_to_and_from_the_child);
	RUN(what_is_not_piped);
	RUN(a_missing_program_is_reported);
	RUN(no_descriptor_leaks);
	RUN(finish_without_waiting_kills);
	RUN(self_path);
	tcleanup();
	CHECK_MAIN_END();
}
