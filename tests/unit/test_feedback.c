/* Feedback: rejections that stick (across reloads and processes),
 * counts, journal lines, edit patterns. */
#include "check.h"
#include "testfs.h"

#include "kairos/err.h"
#include "kairos/feedback.h"
#include "kairos/journal.h"
#include "kairos/paths.h"

static struct suggestion sug(const char *id, const char *memory, int store, size_t line)
{
	struct suggestion s = {0};

	snprintf(s.id, sizeof(s.id), "%s", id);
	s.kind = memory ? "rule" : "co-change";
	s.memory = (char *)memory;
	s.store = store;
	s.line = line;
	return s;
}

static size_t journal_count(const char *dir, const char *needle, char *last, size_t lastn)
{
	struct journal_entry *e = NULL;
	size_t n = 0, c = 0;

	if (journal_read(dir, &e, &n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (strstr(e[i].line, needle)) {
			c++;
			if (last)
				snprintf(last, lastn, "%s", e[i].line);
		}
	}
	journal_entries_free(e, n);
	return c;
}

TEST(test_reject_sticks)
{
	const char *personal = tpath("%s/personal", testfs_root), *team = tpath("%s/ws/.kairos/memory", testfs_root);
	struct feedback *fb, *fb2;
	struct suggestion a = sug("00000000000000aa", "no-strcpy", STORE_TEAM, 4);
	struct suggestion b = sug("00000000000000bb", "no-strcpy", STORE_TEAM, 9);
	unsigned acc, rej;
	char line[1024] = "";

	tmkdirs(personal);
	tmkdirs(team);
	CHECK_INT(feedback_open(&fb), 0);
	CHECK_INT(feedback_add_store(fb, STORE_PERSONAL, personal), 0);
	CHECK_INT(feedback_add_store(fb, STORE_TEAM, team), 0);
	CHECK(!feedback_suppressed(fb, a.id));
	CHECK_INT(feedback_suggestion(fb, FEEDBACK_REJECT, &a, "file:///ws/a.c"), 0);
	CHECK_INT(feedback_suggestion(fb, FEEDBACK_ACCEPT, &b, "file:///ws/a.c"), 0);
	CHECK(feedback_suppressed(fb, a.id));
	CHECK(!feedback_suppressed(fb, b.id));
	feedback_counts(fb, STORE_TEAM, "no-strcpy", &acc, &rej);
	CHECK_INT(acc, 1);
	CHECK_INT(rej, 1);

	/* another process, or the next session, sees the same */
	CHECK_INT(feedback_open(&fb2), 0);
	CHECK_INT(feedback_add_store(fb2, STORE_TEAM, team), 0);
	CHECK(feedback_suppressed(fb2, a.id));
	/* and its own rejection does not lose ours */
	CHECK_INT(feedback_record(fb2, FEEDBACK_REJECT, "00000000000000cc", "other", STORE_TEAM,
				  "file:///ws/b.c", 2), 0);
	CHECK_INT(feedback_reload(fb), 0);
	CHECK(feedback_suppressed(fb, a.id));
	CHECK(feedback_suppressed(fb, "00000000000000cc"));
	feedback_counts(fb, STORE_TEAM, "no-strcpy", &acc, &rej);
	CHECK_INT(rej, 1);

	/* the state lives outside the store; the journal inside */
	CHECK(!texists(tpath("%s/feedback.json", team)));
	CHECK_INT(journal_count(team, "\"suggestion_rejected\"", line, sizeof(line)), 2);
	CHECK_INT(journal_count(team, "\"suggestion_accepted\"", line, sizeof(line)), 1);
	CHECK(strstr(line, "\"memory\":\"no-strcpy\"") != NULL);
	CHECK(strstr(line, "\"uri\":\"file:///ws/a.c\"") != NULL);
	CHECK(strstr(line, "\"line\":9") != NULL);
	CHECK(strstr(line, "\"id\":\"00000000000000bb\"") != NULL);
	CHECK_INT(journal_count(personal, "suggestion", NULL, 0), 0);

	/* bad ids are refused */
	CHECK(feedback_record(fb, FEEDBACK_REJECT, "short", "x", STORE_TEAM, "u", 1) < 0);
	feedback_free(fb);
	feedback_free(fb2);
}

TEST(test_shown_and_edit_patterns)
{
	const char *personal = tpath("%s/personal2", testfs_root);
	struct feedback *fb;
	struct suggestion c = sug("0123456789abcdef", NULL, -1, 0);
	struct editpat e = {"malloc", "xmalloc", 12};
	char line[1024] = "";

	tmkdirs(personal);
	feedback_open(&fb);
	CHECK_INT(feedback_add_store(fb, STORE_PERSONAL, personal), 0);
	CHECK_INT(feedback_shown(fb, &c, "file:///ws/x.c"), 0);
	CHECK_INT(journal_count(personal, "\"suggestion_shown\"", line, sizeof(line)), 1);
	CHECK(strstr(line, "\"memory\":null") != NULL);
	CHECK_INT(feedback_edit_pattern(fb, &e, "file:///ws/x.c"), 0);
	CHECK_INT(journal_count(personal, "\"edit_pattern\"", line, sizeof(line)), 1);
	CHECK(strstr(line, "\"before\":\"malloc\",\"after\":\"xmalloc\",\"uri\":\"file:///ws/x.c\",\"line\":12") != NULL);
	/* a co-change hint rejected: kept in the personal store's state */
	CHECK_INT(feedback_suggestion(fb, FEEDBACK_REJECT, &c, "file:///ws/x.c"), 0);
	CHECK(feedback_suppressed(fb, c.id));
	feedback_free(fb);
	feedback_open(&fb);
	feedback_add_store(fb, STORE_PERSONAL, personal);
	CHECK(feedback_suppressed(fb, c.id));
	feedback_free(fb);
}

TEST(test_corrupt_state)
{
	const char *personal = tpath("%s/personal3", testfs_root);
	struct feedback *fb;
	char *sd;

	tmkdirs(personal);
	sd = paths_state_dir(personal);
	twrite(tpath("%s/feedback.json", sd), "{not json", 9);
	feedback_open(&fb);
	CHECK(feedback_add_store(fb, STORE_PERSONAL, personal) < 0);
	CHECK(!feedback_suppressed(fb, "0123456789abcdef"));
	/* the next change replaces it */
	CHECK_INT(feedback_record(fb, FEEDBACK_REJECT, "0123456789abcdef", "m", STORE_PERSONAL, "u", 0), 0);
	feedback_free(fb);
	feedback_open(&fb);
	CHECK_INT(feedback_add_store(fb, STORE_PERSONAL, personal), 0);
	CHECK(feedback_suppressed(fb, "0123456789abcdef"));
	feedback_free(fb);
	free(sd);
}

int main(void)
{
	tsetup();
	RUN(test_reject_sticks);
	RUN(test_shown_and_edit_patterns);
	RUN(test_corrupt_state);
	tcleanup();
	CHECK_MAIN_END();
}
