/* proxy_int: the proxy's state and the functions its files share,
 * layered bottom up: proxy_host (speaking to the editor), proxy_child
 * (the process), proxy_diag (diagnostics), proxy_route (requests and
 * answers), proxy_life (restarts), proxy (the filter). Each file calls
 * only those before it; the child's messages and end travel up through
 * the on_message and on_gone callbacks. */
#ifndef KAIROS_PROXY_INT_H
#define KAIROS_PROXY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>

#include "kairos/buf.h"
#include "kairos/err.h"
#include "kairos/json.h"
#include "kairos/loop.h"
#include "kairos/proxy.h"
#include "kairos/rpc.h"
#include "kairos/rpc_out.h"
#include "kairos/rpc_write.h"

#define MERGE_TIMEOUT_MS 5000     /* code actions, pull diagnostics */
#define INIT_TIMEOUT_MS 10000     /* the editor's initialize */
#define SHUTDOWN_TIMEOUT_MS 1000  /* the editor waits for shutdown's reply */
#define CRASH_WINDOW_MS 60000
#define CRASH_LIMIT 5             /* crashes within the window before giving up */
#define BACKOFF_FIRST_MS 250
#define BACKOFF_MAX_MS 8000
#define OUTQ_MAX ((size_t)64 << 20) /* a child that reads nothing is hung */
/* Names the proxy routes by. */
#define KAIROS_METHODS "kairos/"          /* kairos's own methods */
#define KAIROS_COMMANDS "\"kairos."       /* raw JSON of kairos's commands */
#define OWN_KEY "s:kairos:"                /* keys of kairos's requests to the child */
#define CHILD_ID "\"c:"                    /* raw ids of the child's requests, as the editor sees them */
#define DID_PREFIX "textDocument/did"      /* document sync, replayed from kairos's copy */
#define PUBLISH "textDocument/publishDiagnostics"

/* LSP MessageType */
enum { MSG_ERROR = 1, MSG_WARNING = 2, MSG_INFO = 3 };
/* LSP DiagnosticSeverity */
enum { DIAG_SEVERITY_ERROR = 1 };
#define JOURNAL_FIRST 3           /* journal a kind of error on its 3rd appearance */
#define JOURNAL_EVERY 10          /* and on every 10th after that */
#define MAX_SHAPES 1000           /* kinds of error counted per session */

enum merge_kind {
	FWD_CHILD = 0, /* the child's alone: its reply passes through */
	FWD_INITIALIZE,
	FWD_SHUTDOWN,
	FWD_CODE_ACTION,
	FWD_PULL,
};

/* A request of the editor that went to the child. */
struct fwd {
	char *key;        /* normalised id (id_key) */
	char *id;         /* raw JSON id */
	enum merge_kind kind;
	char *mine;       /* kairos's reply body */
	size_t mine_len;
	char *child;      /* the child's reply body */
	size_t child_len;
	bool child_done;  /* replied, died or timed out */
	uint64_t deadline;
};

/* A request of the child to the editor, sent as "c:<n>". */
struct remap {
	long long n;
	char *orig;       /* the child's raw id */
};

/* The last diagnostics each side published for one document. */
struct diagset {
	char *uri;        /* raw JSON string */
	char *child, *mine; /* raw JSON arrays, NULL when none */
	char *child_ver, *mine_ver;
	uint64_t *errs;   /* hashes of the child's current errors */
	size_t nerrs;
};

struct shape {
	char *key;
	char *fields;     /* what the journal line says about it */
	int count;
};

struct proxy {
	struct lsp_filter_host host;
	char **argv;
	char *name;       /* argv[0]'s base name, for messages */
	pid_t pid;
	int to_fd, from_fd;
	struct rpc_reader rd;
	struct rpc_out out; /* to the child */
	bool starting;    /* restarted: our initialize is unanswered */
	bool gave_up;
	bool no_code_actions, no_pull; /* the child said it has none */
	char *start_error; /* told to the editor once it is initialized */
	char *init_params;
	char *last_config; /* the last didChangeConfiguration body */
	long long next_own;
	char *init_key;
	uint64_t crashes[CRASH_LIMIT];
	int ncrashes;
	struct loop_timer restart_timer, merge_timer;
	struct fwd *fwd;
	size_t nfwd, capfwd;
	struct remap *remap;
	size_t nremap, capremap;
	long long next_remap;
	char **held;      /* notifications held while the child starts */
	size_t *held_len;
	size_t nheld;
	struct diagset *diags;
	size_t ndiags, capdiags;
	struct shape *shapes;
	size_t nshapes, capshapes;
	/* what the child's messages and its end mean (proxy_route, proxy_life) */
	void (*on_message)(struct proxy *p, const char *body, size_t len);
	void (*on_gone)(struct proxy *p, const char *why);
};

/* Replaces *dst with a copy of p's n bytes (NULL: none). */
static inline void proxy_set_str(char **dst, const char *p, size_t n)
{
	free(*dst);
	*dst = p ? xstrndup(p, n) : NULL;
}

/* ---- proxy_host.c ---- */
void proxy_host_send(struct proxy *p, const char *body, size_t len);
void proxy_host_say(struct proxy *p, int type, bool show, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void proxy_host_reply_error(struct proxy *p, const char *id, size_t id_len, int code, const char *msg);
bool proxy_host_initialized(const struct proxy *p);
bool proxy_host_shutdown(const struct proxy *p);

/* ---- proxy_child.c ---- */
/* Starts argv as the child on two pipes; KR_ERR with a message when it
 * cannot run. */
int proxy_child_spawn(struct proxy *p);
/* Running and not restarting. */
bool proxy_child_up(const struct proxy *p);
/* Queues one body for the child (dropped when there is none). */
void proxy_child_send(struct proxy *p, const char *body, size_t len);
/* A request of kairos's own; returns its key (malloc'd). */
char *proxy_child_request(struct proxy *p, const char *method, const char *params);
void proxy_child_notify(struct proxy *p, const char *method, const char *params, size_t n);
/* Stops watching and reaps the child (killing it if it still runs);
 * status gets how it ended. */
void proxy_child_reap(struct proxy *p, char *status, size_t n);
/* At the end of the session: what is queued still reaches the child,
 * which then gets a moment to exit before it is killed. */
void proxy_child_stop(struct proxy *p);

/* ---- proxy_diag.c ---- */
/* One side published for a document: keep its set, send both merged. */
void proxy_diag_publish(struct proxy *p, struct rpc_msg *m, const char *body, size_t len,
			bool from_child);
/* Counts each error that newly appears in a document's set of the child. */
void proxy_diag_watch_errors(struct proxy *p, struct rpc_msg *m);
void proxy_diag_free(struct proxy *p);

/* ---- proxy_route.c ---- */
void proxy_route_init(struct proxy *p);
void proxy_route_free(struct proxy *p);
/* The id as a key that survives re-encoding: strings decoded. */
char *proxy_route_id_key(const struct json *j, int i);
struct fwd *proxy_route_add(struct proxy *p, const char *key, const char *id, size_t id_len,
			    enum merge_kind kind, uint64_t timeout);
ssize_t proxy_route_find(const struct proxy *p, const char *key);
void proxy_route_remove(struct proxy *p, size_t i);
/* Answers the editor once both sides are in (or the child is not). */
void proxy_route_complete(struct proxy *p, size_t i);
/* Appends body with token tok (an id or data) replaced by raw JSON id;
 * buf_err(out). */
int proxy_route_splice_id(struct buf *out, const char *body, size_t len, const struct json *j,
			   int tok, const char *id, size_t idn);
/* Sends an editor's request to the child, remembering it. */
void proxy_route_forward(struct proxy *p, struct rpc_msg *m, const char *body, size_t len,
			 enum merge_kind kind, uint64_t timeout);
/* A message from the child (p->on_message). */
void proxy_route_child_message(struct proxy *p, const char *body, size_t len);
/* The child is gone: nothing it owed is left unanswered, and what was
 * held or remapped for it is forgotten. */
void proxy_route_child_gone(struct proxy *p);

/* ---- proxy_life.c ---- */
void proxy_life_init(struct proxy *p);
void proxy_life_start(struct proxy *p);
/* The child stopped (p->on_gone): reap, answer, restart or give up. */
void proxy_life_died(struct proxy *p, const char *why);

#endif
