/* metrics.h - what a long-running stream shows Prometheus: per source, records, rejects, batches,
 * commit latency, the last commit time, and gauges a source sets (Kafka lag per partition); served
 * as text exposition format 0.0.4 on GET /metrics by a small HTTP listener. Thread-safe. */
#ifndef OG_METRICS_H
#define OG_METRICS_H

#include "core/buf.h"
#include "core/error.h"

struct og_metrics;

/* New, empty; NULL on out of memory. */
struct og_metrics *og_metrics_create(void);
void og_metrics_destroy(struct og_metrics *m); /* NULL allowed; stops the listener first */

/* One batch of source committed: its records and rejects, and how long the commit took. */
void og_metrics_batch(struct og_metrics *m, const char *source, long long records,
                      long long rejects, double commit_seconds);
/* A gauge: name{labels} = value (labels: `source="x",topic="t",partition="3"`, or ""); set again
 * replaces it. Names are onegrid_* Prometheus names. */
void og_metrics_gauge(struct og_metrics *m, const char *name, const char *help, const char *labels,
                      double value);
/* Everything as Prometheus text into out. 0 or OG_ENOMEM. */
int og_metrics_render(struct og_metrics *m, struct og_buf *out);

/* Serves GET /metrics on address "HOST:PORT" (port 0: any free one) from a thread of its own until
 * og_metrics_destroy. The bound port is in *port. OG_EIO naming the address when it cannot listen.
 */
int og_metrics_listen(struct og_metrics *m, const char *address, int *port, struct og_error *err);

/* Prometheus text helpers (shared with report.c's metrics file): a label value escaped (backslash,
 * quote, newline), and a family's HELP and TYPE lines. 0 or OG_ENOMEM. */
int og_metrics_put_label(struct og_buf *out, const char *v);
int og_metrics_put_family(struct og_buf *out, const char *name, const char *type, const char *help);

#endif
