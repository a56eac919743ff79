/* health.c - health-code changes: every change kept, each person's latest one current. */
#include "loader/columns.h"
#include "loader/copy.h"
#include "loader/pg_internal.h"

#include <stdlib.h>
#include <string.h>

/* Every change, the last of the batch winning for one event id; a change stored already is
 * rewritten only when it differs. */
static const char CHANGE_MERGE[] =
    "INSERT INTO onegrid.health_code_change AS c (" OG_HEALTH_COLS "run_id) "
    "SELECT DISTINCT ON (event_id) " OG_HEALTH_COLS "$1::bigint FROM og_stage_health "
    "ORDER BY event_id, seq DESC "
    "ON CONFLICT (event_id) DO UPDATE SET " OG_HEALTH_COLUMNS(
        OG_COL_SET) "run_id = EXCLUDED.run_id, "
                    "loaded_at = now() "
                    "WHERE (c.person_key, c.color, c.previous_color, c.reason, c.changed_at, "
                    "c.community_code, "
                    "c.grid_code) IS DISTINCT FROM (EXCLUDED.person_key, EXCLUDED.color, "
                    "EXCLUDED.previous_color, "
                    "EXCLUDED.reason, EXCLUDED.changed_at, EXCLUDED.community_code, "
                    "EXCLUDED.grid_code)";

/* Each person's latest change (by time, then event id) of the batch, unless the stored one is
 * later: the current colour does not depend on the order changes arrive in. */
static const char CURRENT_MERGE[] =
    "INSERT INTO onegrid.health_code AS h (person_key, color, previous_color, reason, changed_at, "
    "community_code, grid_code, event_id, run_id) "
    "SELECT DISTINCT ON (person_key) person_key, color, previous_color, reason, changed_at, "
    "community_code, grid_code, event_id, $1::bigint FROM og_stage_health "
    "ORDER BY person_key, changed_at DESC, event_id DESC "
    "ON CONFLICT (person_key) DO UPDATE SET color = EXCLUDED.color, "
    "previous_color = EXCLUDED.previous_color, reason = EXCLUDED.reason, "
    "changed_at = EXCLUDED.changed_at, community_code = EXCLUDED.community_code, "
    "grid_code = EXCLUDED.grid_code, event_id = EXCLUDED.event_id, run_id = EXCLUDED.run_id, "
    "loaded_at = now() "
    "WHERE (EXCLUDED.changed_at, EXCLUDED.event_id) > (h.changed_at, h.event_id) "
    "OR (EXCLUDED.event_id = h.event_id AND (h.color, h.previous_color, h.reason, h.changed_at, "
    "h.community_code, h.grid_code) IS DISTINCT FROM (EXCLUDED.color, EXCLUDED.previous_color, "
    "EXCLUDED.reason, EXCLUDED.changed_at, EXCLUDED.community_code, EXCLUDED.grid_code))";

#define ENC_TEXT(b, x) og_copy_text((b), false, (x))
#define ENC_TIME(b, x) og_copy_time((b), false, (x).set, (x).us)
#define ENC_COLUMN(name, type, enc, expr, merge) rc = rc ? rc : ENC_##enc(b, expr);

/* One staging row: seq, the columns of OG_HEALTH_COLUMNS, no run id (NULL). */
static int health_row(struct og_buf *b, const struct og_event *e, size_t seq)
{
    int rc = og_buf_printf(b, "%zu", seq);
    OG_HEALTH_COLUMNS(ENC_COLUMN)
    rc = rc ? rc : og_buf_puts(b, "\t\\N");
    return rc ? rc : og_copy_end_row(b);
}

int og_pg_merge_health(struct og_pg *pg, const char *run, const struct og_batch *b,
                       struct og_load_stats *stats, struct og_error *err)
{
    struct og_buf buf = OG_BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < b->nrecs && rc == 0; i++) {
        const struct og_unified *u = &b->recs[i];
        if (u->kind == OG_KIND_EVENT && u->u.event.health && u->u.event.subject_key)
            rc = health_row(&buf, &u->u.event, i);
    }
    if (rc < 0) {
        og_buf_free(&buf);
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                            "out of memory encoding health-code changes");
    }
    if (buf.len == 0)
        return 0;
    const char *p1[] = {run};
    PGresult *res = NULL;
    rc = og_pg_copy(pg, "COPY og_stage_health (seq, " OG_HEALTH_COLS "run_id) FROM STDIN", buf.data,
                    buf.len, "copy health-code changes into staging", err);
    if (rc == 0)
        rc = og_pg_run(pg, CHANGE_MERGE, 1, p1, PGRES_COMMAND_OK, &res, "merge health-code changes",
                       err);
    if (rc == 0) {
        stats->health += atoll(PQcmdTuples(res));
        PQclear(res);
        rc = og_pg_run(pg, CURRENT_MERGE, 1, p1, PGRES_COMMAND_OK, NULL,
                       "update the current health codes", err);
    }
    og_buf_free(&buf);
    return rc;
}
