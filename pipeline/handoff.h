/* handoff.h - a loader thread: the reader fills the next batch while the previous one is committed.
 * One item (a batch and what goes with it) in flight at a time, so the order of commits is the
 * order of submission. */
#ifndef OG_HANDOFF_H
#define OG_HANDOFF_H

#include "core/error.h"

struct og_handoff;

/* commit(ctx, item, err) runs on the loader thread and returns 0 or an error; the item is the
 * caller's again once the next submit or drain returns. */
typedef int (*og_commit_fn)(void *ctx, void *item, struct og_error *err);

/* Starts the loader thread (*out new; og_handoff_stop). 0 or OG_ENOMEM. */
int og_handoff_start(og_commit_fn commit, void *ctx, struct og_handoff **out);
/* Waits until the loader is idle, then hands item over (it belongs to the loader until the next
 * submit or drain returns). Returns 0, or the error of an earlier commit (then item is not taken:
 * err filled). */
int og_handoff_submit(struct og_handoff *h, void *item, struct og_error *err);
/* Like og_handoff_submit, but waits at most timeout_ms for the loader to become idle: OG_EAGAIN
 * (item not taken, err untouched) when it is still busy then. */
int og_handoff_submit_timed(struct og_handoff *h, void *item, int timeout_ms, struct og_error *err);
/* Waits until every submitted batch is committed. 0, or the first commit error (err filled). */
int og_handoff_drain(struct og_handoff *h, struct og_error *err);
/* Drains and joins the thread; NULL allowed. */
void og_handoff_stop(struct og_handoff *h);

#endif
