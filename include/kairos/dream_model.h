/* dream_model: a language model's proposals for the pairs a dream could
 * not decide (see dream.h's dream_opts.ops). */
#ifndef KAIROS_DREAM_MODEL_H
#define KAIROS_DREAM_MODEL_H

#include "kairos/dream.h"
#include "kairos/model.h"

/* Asks the model configured by cfg about pairs (names in mems), a few
 * batches of a few pairs, and returns at most 20 validated operations
 * (free with dream_ops_free). No provider, no pairs, or a model that
 * fails: 0 operations and 0, the deterministic result standing alone. */
int dream_model_propose(struct dream_opin **out, size_t *n, const struct model_config *cfg,
			const struct dream_pair *pairs, size_t npairs, const struct mem_list *mems);

#endif
