/* feedback: what the person did with suggestions. A rejection
 * suppresses that suggestion id (one memory at one place, see tick.h)
 * for good; accepted and rejected counts are kept per memory. The state
 * of each store lives in paths_state_dir(store dir)/feedback.json,
 * re-read and rewritten atomically under a lock at every change, so two
 * servers on one workspace do not lose each other's rejections. Every
 * event also goes to the store's journal (suggestion_shown,
 * suggestion_accepted, suggestion_rejected, edit_pattern). Format:
 * protocol/tick.md. */
#ifndef KAIROS_FEEDBACK_H
#define KAIROS_FEEDBACK_H

#include <stdbool.h>

#include "kairos/editpat.h"
#include "kairos/store.h"
#include "kairos/tick.h"

struct feedback;

enum feedback_verdict {
	FEEDBACK_ACCEPT,
	FEEDBACK_REJECT,
};

int feedback_open(struct feedback **out);
void feedback_free(struct feedback *fb);
/* Adds one store (enum mem_store) and loads its state; a missing state
 * file is an empty state, a corrupt one is reported and treated as
 * empty (it is replaced at the next change). */
int feedback_add_store(struct feedback *fb, int store, const char *store_dir);
/* Every store of ss that has a directory. */
int feedback_add_set(struct feedback *fb, const struct store_set *ss);
/* Re-reads every store's state (another process may have changed it). */
int feedback_reload(struct feedback *fb);

/* Whether the suggestion id was rejected; fits tick_suppressed_fn. */
bool feedback_suppressed(void *fb, const char *id);

/* Records a verdict on suggestion id: a rejection suppresses the id,
 * both count for memory (when not NULL), the state is written and one
 * journal line appended ({"id","memory","uri","line"}; line 0-based, -1
 * when unknown). The state and journal are those of the memory's store;
 * for a suggestion without memory (store -1), the personal store's. */
int feedback_record(struct feedback *fb, enum feedback_verdict v, const char *id,
		    const char *memory, int store, const char *uri, long line);
int feedback_suggestion(struct feedback *fb, enum feedback_verdict v, const struct suggestion *s,
			const char *uri);
/* Journal only: the suggestion was shown to the person. */
int feedback_shown(struct feedback *fb, const struct suggestion *s, const char *uri);
/* Journal only: an edit_pattern entry {"before","after","uri","line"} in
 * the personal store's journal. */
int feedback_edit_pattern(struct feedback *fb, const struct editpat *e, const char *uri);

void feedback_counts(const struct feedback *fb, int store, const char *memory, unsigned *accepted,
		     unsigned *rejected);

#endif
