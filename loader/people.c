/* people.c - the residents and rental houses of a batch (PS-1): staged, then merged so that the
 * latest update wins whatever order updates arrive in, and every state of a resident kept in
 * person_history. */
#include "loader/columns.h"
#include "loader/copy.h"
#include "loader/pg_internal.h"
#include "loader/rows.h"

#include <stdlib.h>

// clang-format off
/* The latest state of each person in the batch (by update time, then the last read) replaces the
 * stored one unless that is later; one identical to the stored row is not rewritten. */
static const char PERSON_MERGE[] =
    "WITH s AS (SELECT DISTINCT ON (person_key) * FROM og_stage_person "
    "           ORDER BY person_key, updated_at DESC NULLS LAST, seq DESC), "
    "up AS (INSERT INTO onegrid.person AS p (" OG_PERSON_COLS
        "row_hash, run_id, first_run_id, source_position) "
    "  SELECT " OG_PERSON_COLS "row_hash, $1, $1, source_position FROM s "
    "  WHERE NOT EXISTS (SELECT 1 FROM onegrid.person x WHERE x.person_key = s.person_key "
    "                    AND x.row_hash = s.row_hash) "
    "  ON CONFLICT (person_key) DO UPDATE SET " OG_PERSON_COLUMNS(OG_COL_SET)
        "row_hash = EXCLUDED.row_hash, run_id = EXCLUDED.run_id, "
        "source_position = EXCLUDED.source_position, loaded_at = now() "
    "  WHERE p.updated_at IS NULL OR EXCLUDED.updated_at >= p.updated_at "
    "  RETURNING (xmax = 0) AS inserted) "
    "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), "
    "(SELECT count(*) FROM s) FROM up";

/* Every state the batch holds, at its update time; at one time the last read wins (a state sent
 * again later with other content replaces it, an identical one writes nothing). */
static const char PERSON_HISTORY[] =
    "INSERT INTO onegrid.person_history AS h (person_key, changed_at, active, person_type, "
    "  community_code, grid_code, address, registered_at, run_id) "
    "SELECT DISTINCT ON (person_key, updated_at) person_key, updated_at, active, person_type, "
    "  community_code, grid_code, address, registered_at, $1 FROM og_stage_person "
    "WHERE updated_at IS NOT NULL ORDER BY person_key, updated_at, seq DESC "
    "ON CONFLICT (person_key, changed_at) DO UPDATE SET active = EXCLUDED.active, "
    "  person_type = EXCLUDED.person_type, community_code = EXCLUDED.community_code, "
    "  grid_code = EXCLUDED.grid_code, address = EXCLUDED.address, "
    "  registered_at = EXCLUDED.registered_at, run_id = EXCLUDED.run_id, recorded_at = now() "
    "WHERE (h.active, h.person_type, h.community_code, h.grid_code, h.address, h.registered_at) "
    "  IS DISTINCT FROM (EXCLUDED.active, EXCLUDED.person_type, EXCLUDED.community_code, "
    "  EXCLUDED.grid_code, EXCLUDED.address, EXCLUDED.registered_at)";

static const char HOUSING_MERGE[] =
    "WITH s AS (SELECT DISTINCT ON (house_id) * FROM og_stage_housing "
    "           ORDER BY house_id, updated_at DESC NULLS LAST, seq DESC), "
    "up AS (INSERT INTO onegrid.housing AS h (" OG_HOUSING_COLS
        "geom, row_hash, run_id, first_run_id, source_position) "
    "  SELECT " OG_HOUSING_COLS "CASE WHEN lon IS NOT NULL AND lat IS NOT NULL "
    "         THEN public.ST_SetSRID(public.ST_MakePoint(lon, lat), 4326) END, "
    "         row_hash, $1, $1, source_position FROM s "
    "  WHERE NOT EXISTS (SELECT 1 FROM onegrid.housing x WHERE x.house_id = s.house_id "
    "                    AND x.row_hash = s.row_hash) "
    "  ON CONFLICT (house_id) DO UPDATE SET " OG_HOUSING_COLUMNS(OG_COL_SET)
        "geom = EXCLUDED.geom, row_hash = EXCLUDED.row_hash, run_id = EXCLUDED.run_id, "
        "source_position = EXCLUDED.source_position, loaded_at = now() "
    "  WHERE h.updated_at IS NULL OR EXCLUDED.updated_at >= h.updated_at "
    "  RETURNING (xmax = 0) AS inserted) "
    "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), "
    "(SELECT count(*) FROM s) FROM up";
// clang-format on

/* Appends one staging row: seq, content, row hash, position. */
static int stage_row(struct og_buf *out, const struct og_row *row, const struct og_unified *u,
                     size_t seq)
{
    int rc = og_buf_printf(out, "%zu\t", seq);
    rc = rc ? rc : og_buf_append(out, row->content, row->content_len);
    rc = rc ? rc : og_copy_text(out, false, row->hash);
    rc = rc ? rc : og_copy_text(out, false, u->position);
    return rc ? rc : og_copy_end_row(out);
}

static long long val(PGresult *res, int col)
{
    return atoll(PQgetvalue(res, 0, col));
}

/* Stages the batch's records of one kind into table, then runs merge (and history, if any). */
static int merge_kind(struct og_pg *pg, const char *run, const struct og_batch *b,
                      struct og_pg_rows *rows, enum og_kind kind, const char *copy_sql,
                      const char *merge_sql, const char *history_sql, const char *what,
                      struct og_load_stats *stats, struct og_error *err)
{
    struct og_buf stage = OG_BUF_INIT;
    int rc = 0;
    size_t n = 0;
    for (size_t i = 0; i < b->nrecs && rc == 0; i++) {
        if (b->recs[i].kind != kind)
            continue;
        const struct og_row *row = og_rows_get(rows, b, i);
        rc = row ? stage_row(&stage, row, &b->recs[i], i) : OG_ENOMEM;
        n++;
    }
    if (rc < 0) {
        og_buf_free(&stage);
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                            "out of memory encoding %s", what);
    }
    if (n == 0)
        return 0;
    const char *p1[] = {run};
    PGresult *res = NULL;
    char step[80];
    snprintf(step, sizeof(step), "copy %s into staging", what);
    rc = og_pg_copy(pg, copy_sql, stage.data, stage.len, step, err);
    og_buf_free(&stage);
    snprintf(step, sizeof(step), "merge %s", what);
    if (rc == 0)
        rc = og_pg_run(pg, merge_sql, 1, p1, PGRES_TUPLES_OK, &res, step, err);
    if (rc == 0) {
        stats->inserted += val(res, 0);
        stats->updated += val(res, 1);
        stats->unchanged += val(res, 2) - val(res, 0) - val(res, 1);
        PQclear(res);
        res = NULL;
    }
    snprintf(step, sizeof(step), "record the history of %s", what);
    if (rc == 0 && history_sql &&
        (rc = og_pg_run(pg, history_sql, 1, p1, PGRES_COMMAND_OK, &res, step, err)) == 0) {
        stats->history += atoll(PQcmdTuples(res));
        PQclear(res);
    }
    return rc;
}

int og_pg_merge_people(struct og_pg *pg, const char *run, const struct og_batch *b,
                       struct og_pg_rows *rows, struct og_load_stats *stats, struct og_error *err)
{
    int rc = merge_kind(pg, run, b, rows, OG_KIND_PERSON,
                        "COPY og_stage_person (seq, " OG_PERSON_COLS
                        "row_hash, source_position) FROM STDIN",
                        PERSON_MERGE, PERSON_HISTORY, "residents", stats, err);
    if (rc == 0)
        rc = merge_kind(pg, run, b, rows, OG_KIND_HOUSING,
                        "COPY og_stage_housing (seq, " OG_HOUSING_COLS
                        "row_hash, source_position) FROM STDIN",
                        HOUSING_MERGE, NULL, "rental houses", stats, err);
    return rc;
}
