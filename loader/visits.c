/* visits.c - visits and their members: new visits copied straight into the warehouse, changed ones
 * merged. */
#include "loader/columns.h"
#include "loader/copy.h"
#include "loader/pg_internal.h"
#include "loader/rows.h"

#include "core/hmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MEMBER_COLS                                                                                \
    "visit_id, seq, person_key, id_masked, id_valid, name_masked, temperature, symptoms, travel, " \
    "health_code"

static const char VISIT_MERGE[] =
    "WITH s AS (SELECT DISTINCT ON (visit_id) * FROM og_stage_visit ORDER BY visit_id, seq DESC), "
    "up AS (INSERT INTO onegrid.visit AS v (" OG_VISIT_COLS
    "geom, row_hash, run_id, first_run_id, source_position) "
    "  SELECT " OG_VISIT_COLS "CASE WHEN lon IS NOT NULL AND lat IS NOT NULL "
    "         THEN public.ST_SetSRID(public.ST_MakePoint(lon, lat), 4326) END, row_hash, $1, $1, "
    "source_position "
    "  FROM s WHERE NOT EXISTS (SELECT 1 FROM onegrid.visit x WHERE x.visit_id = s.visit_id "
    "                           AND x.row_hash = s.row_hash) "
    "  ON CONFLICT (visit_id) DO UPDATE SET " OG_VISIT_COLUMNS(
        OG_COL_SET) "geom = EXCLUDED.geom, row_hash = EXCLUDED.row_hash, run_id = EXCLUDED.run_id, "
                    "source_position = EXCLUDED.source_position, loaded_at = now() "
                    "  RETURNING v.visit_id, (xmax = 0) AS inserted), "
                    "ch AS (INSERT INTO og_changed_visit (visit_id, seq, inserted) SELECT "
                    "up.visit_id, s.seq, "
                    "up.inserted "
                    "       FROM up JOIN s USING (visit_id) RETURNING 1) "
                    "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT "
                    "inserted), (SELECT "
                    "count(*) FROM s), "
                    "(SELECT count(*) FROM ch) FROM up";

/* Only visits that existed before have members to replace; the array lets the primary key be used
 * (a join with the statistics-less temp table was planned as a full scan of visit_member per
 * batch). */
static const char MEMBER_DELETE[] =
    "DELETE FROM onegrid.visit_member WHERE visit_id = ANY "
    "(ARRAY(SELECT visit_id FROM og_changed_visit WHERE NOT inserted))";
static const char MEMBER_INSERT[] =
    "INSERT INTO onegrid.visit_member (" MEMBER_COLS ") "
    "SELECT sm.visit_id, sm.mseq, sm.person_key, sm.id_masked, sm.id_valid, sm.name_masked, "
    "sm.temperature, "
    "sm.symptoms, sm.travel, sm.health_code FROM og_stage_member sm "
    "JOIN og_changed_visit c ON c.visit_id = sm.visit_id AND c.seq = sm.seq";

/* A visit chosen for the commit: its index in the batch and its encoding. */
struct venc {
    size_t index;
    const struct og_row *row;
};

/* {"a","b"} array literal of the chosen visit ids (a parameter, never pasted into SQL). */
static int id_array(struct og_buf *b, const struct og_batch *batch, const struct venc *enc,
                    size_t n)
{
    int rc = og_buf_putc(b, '{');
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = og_array_item(b, i == 0, batch->recs[enc[i].index].u.visit.visit_id);
    return rc ? rc : og_buf_putc(b, '}');
}

struct vbufs {
    struct og_buf ids, direct, mdirect, stage, mstage;
};

static void vbufs_free(struct vbufs *v)
{
    og_buf_free(&v->ids), og_buf_free(&v->direct), og_buf_free(&v->mdirect);
    og_buf_free(&v->stage), og_buf_free(&v->mstage);
}

/* The stored row hashes of the visits among enc: visit_id -> hash in *out, the strings borrowed
 * from *res (new; the caller clears it after the last lookup). */
static int stored_hashes(struct og_pg *pg, const struct og_batch *b, const struct venc *enc,
                         size_t n, struct vbufs *vb, struct og_hmap *out, PGresult **res,
                         struct og_error *err)
{
    if (id_array(&vb->ids, b, enc, n) < 0)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    const char *p[] = {vb->ids.data};
    if (og_pg_run(pg,
                  "SELECT visit_id, row_hash FROM onegrid.visit WHERE visit_id = ANY ($1::text[])",
                  1, p, PGRES_TUPLES_OK, res, "look up stored visits", err) < 0)
        return OG_EDB;
    int rc = 0;
    for (int r = 0; r < PQntuples(*res) && rc == 0; r++)
        rc = og_hmap_put(out, PQgetvalue(*res, r, 0), PQgetvalue(*res, r, 1));
    return rc ? og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory") : 0;
}

/* Appends the member lines of e: for the staging table each line gets the visit's seq in front; for
 * the warehouse table the leading tab is dropped. */
static int put_members(struct og_buf *out, const struct venc *e, int seq)
{
    int rc = 0;
    const char *members = e->row->members;
    size_t len = e->row->members_len;
    for (const char *p = members; p < members + len && rc == 0;) {
        const char *nl = memchr(p, '\n', (size_t)(members + len - p));
        if (seq >= 0)
            rc = og_buf_printf(out, "%d", seq);
        else
            p++; /* the leading tab */
        rc = rc ? rc : og_buf_append(out, p, (size_t)(nl - p + 1));
        p = nl + 1;
    }
    return rc;
}

static long long val(PGresult *res, int col)
{
    return atoll(PQgetvalue(res, 0, col));
}

int og_pg_merge_visits(struct og_pg *pg, const char *run, const struct og_batch *b,
                       struct og_pg_rows *rows, bool fast, struct og_load_stats *stats,
                       struct og_error *err)
{
    struct vbufs vb;
    memset(&vb, 0, sizeof(vb));
    PGresult *have_res = NULL;
    struct og_hmap *last = og_hmap_create(), *stored = og_hmap_create();
    struct venc *enc = calloc(b->nrecs + 1, sizeof(*enc));
    int rc = 0;
    size_t n = 0, ndirect = 0, nstage = 0, mdirect = 0;
    if (!last || !stored || !enc) {
        rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
        goto out;
    }
    /* the latest record of each visit in the batch wins (file order) */
    for (size_t i = 0; i < b->nrecs && rc == 0; i++)
        if (b->recs[i].kind == OG_KIND_VISIT)
            rc = og_hmap_put(last, b->recs[i].u.visit.visit_id, (void *)(uintptr_t)(i + 1));
    for (size_t i = 0; i < b->nrecs && rc == 0; i++) {
        const struct og_unified *u = &b->recs[i];
        if (u->kind != OG_KIND_VISIT || (uintptr_t)og_hmap_get(last, u->u.visit.visit_id) != i + 1)
            continue;
        enc[n].index = i;
        enc[n].row = og_rows_get(rows, b, i);
        rc = enc[n].row ? 0 : OG_ENOMEM;
        n++;
    }
    if (rc < 0) {
        rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                          "out of memory encoding visits");
        goto out;
    }
    if (fast && n && (rc = stored_hashes(pg, b, enc, n, &vb, stored, &have_res, err)) < 0)
        goto out;
    for (size_t k = 0; k < n && rc == 0; k++) {
        const struct og_unified *u = &b->recs[enc[k].index];
        const struct og_visit *v = &u->u.visit;
        const struct og_row *row = enc[k].row;
        const char *have = fast ? og_hmap_get(stored, v->visit_id) : NULL;
        if (have && strcmp(have, row->hash) == 0) {
            stats->unchanged++; /* stored already, identical: not rewritten */
            continue;
        }
        if (fast && !have) { /* new: straight into the warehouse tables */
            rc = og_buf_append(&vb.direct, row->content, row->content_len);
            rc = rc ? rc
                    : og_copy_point(&vb.direct, false, v->place.has_point, v->place.lon,
                                    v->place.lat);
            rc = rc ? rc : og_copy_text(&vb.direct, false, row->hash);
            rc = rc ? rc : og_copy_text(&vb.direct, false, run);
            rc = rc ? rc : og_copy_text(&vb.direct, false, run);
            rc = rc ? rc : og_copy_text(&vb.direct, false, u->position);
            rc = rc ? rc : og_copy_end_row(&vb.direct);
            rc = rc ? rc : put_members(&vb.mdirect, &enc[k], -1);
            ndirect++;
            mdirect += v->nmembers;
            continue;
        }
        /* changed (or not looked up): through staging and the merge */
        rc = og_buf_printf(&vb.stage, "%zu\t", enc[k].index);
        rc = rc ? rc : og_buf_append(&vb.stage, row->content, row->content_len);
        rc = rc ? rc : og_copy_text(&vb.stage, false, row->hash);
        rc = rc ? rc : og_copy_text(&vb.stage, false, u->position);
        rc = rc ? rc : og_copy_end_row(&vb.stage);
        rc = rc ? rc : put_members(&vb.mstage, &enc[k], (int)enc[k].index);
        nstage++;
    }
    if (rc < 0) {
        rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                          "out of memory encoding visits");
        goto out;
    }
    if (ndirect) {
        rc = og_pg_copy(pg,
                        "COPY onegrid.visit (" OG_VISIT_COLS
                        "geom, row_hash, run_id, first_run_id, source_position) "
                        "FROM STDIN",
                        vb.direct.data, vb.direct.len, "copy new visits", err);
        if (rc == 0 && vb.mdirect.len)
            rc = og_pg_copy(pg, "COPY onegrid.visit_member (" MEMBER_COLS ") FROM STDIN",
                            vb.mdirect.data, vb.mdirect.len, "copy new visit members", err);
        if (rc < 0)
            goto out;
        stats->inserted += (long long)ndirect;
        stats->members += (long long)mdirect;
    }
    if (nstage) {
        PGresult *res = NULL;
        const char *p1[] = {run};
        rc = og_pg_copy(
            pg, "COPY og_stage_visit (seq, " OG_VISIT_COLS "row_hash, source_position) FROM STDIN",
            vb.stage.data, vb.stage.len, "copy visits into staging", err);
        if (rc == 0 && vb.mstage.len)
            rc = og_pg_copy(
                pg,
                "COPY og_stage_member (seq, visit_id, mseq, person_key, id_masked, id_valid, "
                "name_masked, temperature, symptoms, travel, health_code) FROM STDIN",
                vb.mstage.data, vb.mstage.len, "copy visit members into staging", err);
        if (rc == 0)
            rc = og_pg_run(pg, VISIT_MERGE, 1, p1, PGRES_TUPLES_OK, &res, "merge visits", err);
        if (rc == 0) {
            long long updated = val(res, 1);
            stats->inserted += val(res, 0);
            stats->updated += updated;
            stats->unchanged += val(res, 2) - val(res, 0) - updated;
            PQclear(res);
            res = NULL;
            if (updated > 0)
                rc = og_pg_run(pg, MEMBER_DELETE, 0, NULL, PGRES_COMMAND_OK, NULL,
                               "replace visit members", err);
        }
        if (rc == 0)
            rc = og_pg_run(pg, MEMBER_INSERT, 0, NULL, PGRES_COMMAND_OK, &res,
                           "insert visit members", err);
        if (rc == 0) {
            stats->members += atoll(PQcmdTuples(res));
            PQclear(res);
        }
    }
out:
    PQclear(have_res);
    vbufs_free(&vb);
    free(enc);
    og_hmap_destroy(last);
    og_hmap_destroy(stored);
    return rc;
}
