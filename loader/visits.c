/* visits.c - visits and their members: new visits copied straight into the warehouse, changed ones
 * merged. */
#include "loader/copy.h"
#include "loader/pg_internal.h"

#include "core/hmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define VISIT_COLS                                                                                 \
    "visit_id, department, source, source_id, worker_id, visited_at, grid_code, grid_method, "     \
    "community_code, "                                                                             \
    "street_code, lon, lat, source_crs, address, member_count, attrs"
#define MEMBER_COLS                                                                                \
    "visit_id, seq, person_key, id_masked, id_valid, name_masked, temperature, symptoms, travel, " \
    "health_code"

static const char VISIT_MERGE[] =
    "WITH s AS (SELECT DISTINCT ON (visit_id) * FROM og_stage_visit ORDER BY visit_id, seq DESC), "
    "up AS (INSERT INTO onegrid.visit AS v (" VISIT_COLS
    ", geom, row_hash, run_id, first_run_id, source_position) "
    "  SELECT " VISIT_COLS ", CASE WHEN lon IS NOT NULL AND lat IS NOT NULL "
    "         THEN public.ST_SetSRID(public.ST_MakePoint(lon, lat), 4326) END, row_hash, $1, $1, "
    "source_position "
    "  FROM s WHERE NOT EXISTS (SELECT 1 FROM onegrid.visit x WHERE x.visit_id = s.visit_id "
    "                           AND x.row_hash = s.row_hash) "
    "  ON CONFLICT (visit_id) DO UPDATE SET department = EXCLUDED.department, source = "
    "EXCLUDED.source, "
    "    source_id = EXCLUDED.source_id, worker_id = EXCLUDED.worker_id, visited_at = "
    "EXCLUDED.visited_at, "
    "    grid_code = EXCLUDED.grid_code, grid_method = EXCLUDED.grid_method, "
    "    community_code = EXCLUDED.community_code, street_code = EXCLUDED.street_code, lon = "
    "EXCLUDED.lon, "
    "    lat = EXCLUDED.lat, geom = EXCLUDED.geom, source_crs = EXCLUDED.source_crs, address = "
    "EXCLUDED.address, "
    "    member_count = EXCLUDED.member_count, attrs = EXCLUDED.attrs, row_hash = "
    "EXCLUDED.row_hash, "
    "    run_id = EXCLUDED.run_id, source_position = EXCLUDED.source_position, loaded_at = now() "
    "  RETURNING v.visit_id, (xmax = 0) AS inserted), "
    "ch AS (INSERT INTO og_changed_visit (visit_id, seq, inserted) SELECT up.visit_id, s.seq, "
    "up.inserted "
    "       FROM up JOIN s USING (visit_id) RETURNING 1) "
    "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), (SELECT "
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

/* One member as "\tvisit_id\tmseq\t...\n" (COPY text, without the staging seq). */
static int member_line(struct og_buf *b, const struct og_visit *v, const struct og_visit_member *m,
                       int mseq)
{
    int rc = og_copy_text(b, false, v->visit_id);
    rc = rc ? rc : og_buf_printf(b, "\t%d", mseq);
    rc = rc ? rc : og_copy_text(b, false, m->person_key);
    rc = rc ? rc : og_copy_text(b, false, m->id_masked);
    rc = rc ? rc : og_copy_bool(b, false, m->id_valid);
    rc = rc ? rc : og_copy_text(b, false, m->name_masked);
    if (rc == 0)
        rc = m->has_temperature ? og_buf_printf(b, "\t%.1f", m->temperature)
                                : og_buf_puts(b, "\t\\N");
    rc = rc ? rc : og_copy_text_array(b, false, m->symptoms, m->nsymptoms);
    rc = rc ? rc : og_copy_text_array(b, false, m->travel, m->ntravel);
    rc = rc ? rc : og_copy_text(b, false, m->health_code);
    return rc ? rc : og_copy_end_row(b);
}

/* A visit encoded once: its content columns, its member lines, and the row hash over both. */
struct venc {
    size_t index;        /* in the batch */
    const char *content; /* visit_id .. attrs, tab-separated (arena) */
    const char *members; /* member lines (arena) */
    size_t members_len;
};

static int encode(struct og_arena *a, struct og_buf *tmp, struct og_buf *mtmp, struct og_unified *u,
                  struct venc *e)
{
    if (u->enc) { /* prepared on the reading thread */
        e->content = u->enc;
        e->members = u->enc_members;
        e->members_len = u->enc_members_len;
        return 0;
    }
    const struct og_visit *v = &u->u.visit;
    og_buf_reset(tmp);
    og_buf_reset(mtmp);
    int rc = og_copy_text(tmp, true, v->visit_id);
    rc = rc ? rc : og_copy_text(tmp, false, v->department);
    rc = rc ? rc : og_copy_text(tmp, false, v->source);
    rc = rc ? rc : og_copy_text(tmp, false, v->source_id);
    rc = rc ? rc : og_copy_text(tmp, false, v->worker_id);
    rc = rc ? rc : og_copy_time(tmp, false, v->visited_at.set, v->visited_at.us);
    rc = rc ? rc : og_pg_place_cols(tmp, &v->place);
    rc = rc ? rc : og_copy_text(tmp, false, v->address);
    rc = rc ? rc : og_copy_int(tmp, false, (long long)v->nmembers);
    rc = rc ? rc : og_copy_text(tmp, false, v->attrs ? v->attrs : "{}");
    for (size_t k = 0; k < v->nmembers && rc == 0; k++)
        rc = member_line(mtmp, v, &v->members[k], (int)k + 1);
    if (rc)
        return OG_ENOMEM;
    char *content = og_arena_strndup(a, tmp->data, tmp->len);
    char *members = og_arena_strndup(a, mtmp->data ? mtmp->data : "", mtmp->len);
    /* the hash covers the visit and its members: content, "\n", member lines */
    rc = og_buf_putc(tmp, '\n');
    rc = rc ? rc : og_buf_append(tmp, members ? members : "", mtmp->len);
    if (rc || !content || !members)
        return OG_ENOMEM;
    og_pg_sha256_hex(tmp->data, tmp->len, u->row_hash);
    e->content = content;
    e->members = members;
    e->members_len = mtmp->len;
    return 0;
}

int og_pg_prepare(struct og_unified *u, struct og_arena *arena, struct og_buf *tmp,
                  struct og_buf *mtmp)
{
    if (u->kind != OG_KIND_VISIT)
        return 0;
    struct venc e;
    int rc = encode(arena, tmp, mtmp, u, &e);
    if (rc == 0) {
        u->enc = e.content;
        u->enc_members = e.members;
        u->enc_members_len = e.members_len;
    }
    return rc;
}

/* {"a","b"} array literal of the chosen visit ids (a parameter, never pasted into SQL). */
static int id_array(struct og_buf *b, const struct og_batch *batch, const struct venc *enc,
                    size_t n)
{
    int rc = og_buf_putc(b, '{');
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = og_buf_puts(b, i ? ",\"" : "\"");
        for (const char *p = batch->recs[enc[i].index].u.visit.visit_id; *p && rc == 0; p++) {
            if (*p == '"' || *p == '\\')
                rc = og_buf_putc(b, '\\');
            rc = rc ? rc : og_buf_putc(b, *p);
        }
        rc = rc ? rc : og_buf_putc(b, '"');
    }
    return rc ? rc : og_buf_putc(b, '}');
}

struct vbufs {
    struct og_buf tmp, mtmp, ids, direct, mdirect, stage, mstage;
};

static void vbufs_free(struct vbufs *v)
{
    og_buf_free(&v->tmp), og_buf_free(&v->mtmp), og_buf_free(&v->ids), og_buf_free(&v->direct);
    og_buf_free(&v->mdirect), og_buf_free(&v->stage), og_buf_free(&v->mstage);
}

/* The stored row hashes of the visits among enc (visit_id -> hash, strings in the arena). */
static int stored_hashes(struct og_pg *pg, struct og_batch *b, const struct venc *enc, size_t n,
                         struct vbufs *vb, struct og_hmap *out, struct og_error *err)
{
    if (id_array(&vb->ids, b, enc, n) < 0)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "nomem", "out of memory");
    const char *p[] = {vb->ids.data};
    PGresult *res;
    if (og_pg_run(pg,
                  "SELECT visit_id, row_hash FROM onegrid.visit WHERE visit_id = ANY ($1::text[])",
                  1, p, PGRES_TUPLES_OK, &res, "look up stored visits", err) < 0)
        return OG_EDB;
    int rc = 0;
    for (int r = 0; r < PQntuples(res) && rc == 0; r++) {
        char *h = og_arena_strdup(b->arena, PQgetvalue(res, r, 1));
        rc = h ? og_hmap_put(out, PQgetvalue(res, r, 0), h) : OG_ENOMEM;
    }
    PQclear(res);
    return rc ? og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "nomem", "out of memory") : 0;
}

/* Appends the member lines of e: for the staging table each line gets the visit's seq in front; for
 * the warehouse table the leading tab is dropped. */
static int put_members(struct og_buf *out, const struct venc *e, int seq)
{
    int rc = 0;
    for (const char *p = e->members; p < e->members + e->members_len && rc == 0;) {
        const char *nl = memchr(p, '\n', (size_t)(e->members + e->members_len - p));
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

int og_pg_merge_visits(struct og_pg *pg, const char *run, struct og_batch *b, bool fast,
                       struct og_load_stats *stats, struct og_error *err)
{
    struct vbufs vb;
    memset(&vb, 0, sizeof(vb));
    struct og_hmap *last = og_hmap_create(), *stored = og_hmap_create();
    struct venc *enc = calloc(b->nrecs + 1, sizeof(*enc));
    int rc = 0;
    size_t n = 0, ndirect = 0, nstage = 0, mdirect = 0;
    if (!last || !stored || !enc) {
        rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "nomem", "out of memory");
        goto out;
    }
    /* the latest record of each visit in the batch wins (file order) */
    for (size_t i = 0; i < b->nrecs && rc == 0; i++)
        if (b->recs[i].kind == OG_KIND_VISIT)
            rc = og_hmap_put(last, b->recs[i].u.visit.visit_id, (void *)(uintptr_t)(i + 1));
    for (size_t i = 0; i < b->nrecs && rc == 0; i++) {
        struct og_unified *u = &b->recs[i];
        if (u->kind != OG_KIND_VISIT || (uintptr_t)og_hmap_get(last, u->u.visit.visit_id) != i + 1)
            continue;
        enc[n].index = i;
        rc = encode(b->arena, &vb.tmp, &vb.mtmp, u, &enc[n]);
        n++;
    }
    if (rc < 0) {
        rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "nomem", "out of memory encoding visits");
        goto out;
    }
    if (fast && n && (rc = stored_hashes(pg, b, enc, n, &vb, stored, err)) < 0)
        goto out;
    for (size_t k = 0; k < n && rc == 0; k++) {
        struct og_unified *u = &b->recs[enc[k].index];
        const struct og_visit *v = &u->u.visit;
        const char *have = fast ? og_hmap_get(stored, v->visit_id) : NULL;
        if (have && strcmp(have, u->row_hash) == 0) {
            stats->unchanged++; /* stored already, identical: not rewritten */
            continue;
        }
        if (fast && !have) { /* new: straight into the warehouse tables */
            rc = og_buf_puts(&vb.direct, enc[k].content);
            if (rc == 0 && v->place.has_point)
                rc = og_buf_printf(&vb.direct, "\tSRID=4326;POINT(%.10f %.10f)", v->place.lon,
                                   v->place.lat);
            else if (rc == 0)
                rc = og_buf_puts(&vb.direct, "\t\\N");
            rc = rc ? rc : og_copy_text(&vb.direct, false, u->row_hash);
            rc = rc ? rc : og_buf_printf(&vb.direct, "\t%s\t%s", run, run);
            rc = rc ? rc : og_copy_text(&vb.direct, false, u->position);
            rc = rc ? rc : og_copy_end_row(&vb.direct);
            rc = rc ? rc : put_members(&vb.mdirect, &enc[k], -1);
            ndirect++;
            mdirect += v->nmembers;
            continue;
        }
        /* changed (or not looked up): through staging and the merge */
        rc = og_buf_printf(&vb.stage, "%zu\t", enc[k].index);
        rc = rc ? rc : og_buf_puts(&vb.stage, enc[k].content);
        rc = rc ? rc : og_copy_text(&vb.stage, false, u->row_hash);
        rc = rc ? rc : og_copy_text(&vb.stage, false, u->position);
        rc = rc ? rc : og_copy_end_row(&vb.stage);
        rc = rc ? rc : put_members(&vb.mstage, &enc[k], (int)enc[k].index);
        nstage++;
    }
    if (rc < 0) {
        rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, "nomem", "out of memory encoding visits");
        goto out;
    }
    if (ndirect) {
        rc = og_pg_copy(pg,
                        "COPY onegrid.visit (" VISIT_COLS
                        ", geom, row_hash, run_id, first_run_id, source_position) "
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
            pg, "COPY og_stage_visit (seq, " VISIT_COLS ", row_hash, source_position) FROM STDIN",
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
    vbufs_free(&vb);
    free(enc);
    og_hmap_destroy(last);
    og_hmap_destroy(stored);
    return rc;
}
