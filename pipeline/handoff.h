/* handoff.h - loader threads: the reader fills the next batch while earlier ones are committed.
 * With one loader, one item (a batch and what goes with it) is in flight at a time. With n
 * loaders, up to n items are in flight, each on its own loader (its own warehouse connection),
 * and they are DONE in the order they were submitted: an item does its work at once, then waits
 * for its turn (og_handoff_turn) before it makes its work final. So a crash or a failure never
 * leaves a later item stored and an earlier one not. */
#ifndef OG_HANDOFF_H
#define OG_HANDOFF_H

#include "core/error.h"

#include <stdbool.h>

#define OG_MAX_LOADERS 8

struct og_handoff;

/* An item's place in the order, given to its commit. */
struct og_turn {
    struct og_handoff *h;
    unsigned long long seq;   /* submitted as the seq-th item (0-based) */
    unsigned long long epoch; /* the retries seen when its work began (og_handoff_work_begins) */
};

/* commit(ctx, loader, item, turn, err) runs on loader thread `loader` (0..n-1) and returns 0 or
 * an error; the item is the caller's again once a later submit or drain returns. With one loader
 * the commit need not call og_handoff_turn (it is always its turn). */
typedef int (*og_commit_fn)(void *ctx, int loader, void *item, struct og_turn *turn,
                            struct og_error *err);

/* Starts `loaders` loader threads, 1..OG_MAX_LOADERS (*out new; og_handoff_stop). 0 or
 * OG_ENOMEM/OG_EINVAL. */
int og_handoff_start(og_commit_fn commit, void *ctx, int loaders, struct og_handoff **out);
/* In a commit: notes that its work begins now (og_handoff_turn then says whether an earlier item
 * failed and was retried meanwhile). */
void og_handoff_work_begins(struct og_turn *t);
/* In a commit, its work done: waits until every item submitted before t's is done. Returns 0 (go
 * on: make the work final), OG_EAGAIN at once when an item is retried since t's work began (undo
 * the work, og_handoff_wait_turn, then do it again), or OG_ECANCELED (an earlier item failed for
 * good: undo and return OG_ECANCELED; that failure is the one reported). An earlier item failing
 * for good ends the wait at once too. */
int og_handoff_turn(struct og_turn *t);
/* In a commit: waits until every item submitted before t's is done (an earlier failure for good
 * ends the wait). 0, or OG_ECANCELED as og_handoff_turn. */
int og_handoff_wait_turn(struct og_turn *t);
/* In a commit: waits until the item submitted as seq (one before t's) and every item before it
 * are done (an earlier failure for good ends the wait). 0 (they were done), 1 (waited for them),
 * or OG_ECANCELED as og_handoff_turn. */
int og_handoff_wait_for(struct og_turn *t, unsigned long long seq);
/* In a commit: its item failed and will be tried again; items that did work meanwhile redo it
 * (whatever they hold is released), so a retry never waits on a later item. */
void og_handoff_retrying(struct og_turn *t);
/* Waits until a loader can take item, then hands it over (it belongs to the loaders until a
 * later submit or drain returns; with n loaders, the item submitted n + 1 submits before it is
 * done when submit returns). Returns 0, or the error of an earlier commit (then item is not taken:
 * err filled). */
int og_handoff_submit(struct og_handoff *h, void *item, struct og_error *err);
/* Like og_handoff_submit, but waits at most timeout_ms for a loader to become free: OG_EAGAIN
 * (item not taken, err untouched) when none is then. */
int og_handoff_submit_timed(struct og_handoff *h, void *item, int timeout_ms, struct og_error *err);
/* The submitter: waits at most timeout_ms until the item submitted as seq and every item before it
 * are done (after a failure for good, which the next submit or drain reports, items still end, at
 * once). 0, or OG_EAGAIN. */
int og_handoff_wait_done_timed(struct og_handoff *h, unsigned long long seq, int timeout_ms);
/* Waits until every submitted item is done. 0, or the first commit error (err filled). */
int og_handoff_drain(struct og_handoff *h, struct og_error *err);
/* Drains and joins the threads; NULL allowed. */
void og_handoff_stop(struct og_handoff *h);

#endif
