/* people.c - the residents and rental houses of a batch (PS-1): new ones copied straight into the
 * warehouse, stored ones staged and merged so that the latest update wins whatever order updates
 * arrive in; every state of a resident kept in person_history. */
#include "loader/columns.h"
#include "loader/copy.h"
#include "loader/pg_internal.h"
#include "loader/rows.h"

#include "core/hmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/* The columns of a person's content, in OG_PERSON_COLUMNS order. */
#define PERSON_COL_INDEX(name, type, enc, expr, merge) PCOL_##name,
enum { OG_PERSON_COLUMNS(PERSON_COL_INDEX) PCOL_COUNT };

/* One kind of record (residents or rental houses) as this file handles it. */
struct kind {
    enum og_kind kind;
    const char *what;       /* "residents" */
    const char *lookup_sql; /* the keys among $1 stored already */
    const char *direct_sql; /* COPY of new rows straight into the warehouse */
    const char *stage_sql;  /* COPY into staging */
    const char *merge_sql, *history_sql;
};

static const char *rec_key(const struct og_unified *u)
{
    return u->kind == OG_KIND_PERSON ? u->u.person.person_key : u->u.housing.house_id;
}

static const struct og_time *rec_time(const struct og_unified *u)
{
    return u->kind == OG_KIND_PERSON ? &u->u.person.updated_at : &u->u.housing.updated_at;
}

/* Whether a (read after b) is kept over b: as the merges' ORDER BY updated_at DESC NULLS LAST,
 * seq DESC. */
static bool later(const struct og_unified *a, const struct og_unified *b)
{
    const struct og_time *ta = rec_time(a), *tb = rec_time(b);
    if (!ta->set)
        return !tb->set;
    return !tb->set || ta->us >= tb->us;
}

/* {"a","b"} array literal of the keys of the records kept (a parameter, never pasted into SQL). */
static int key_array(struct og_buf *out, const struct og_batch *b, const size_t *keep, size_t n)
{
    int rc = og_buf_putc(out, '{');
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = og_array_item(out, i == 0, rec_key(&b->recs[keep[i]]));
    return rc ? rc : og_buf_putc(out, '}');
}

/* Appends a new row straight for the warehouse table: content (and a house's geom), row hash,
 * run, first run, position. */
static int direct_row(struct og_buf *out, const struct og_row *row, const struct og_unified *u,
                      const char *run)
{
    int rc = og_buf_append(out, row->content, row->content_len);
    if (rc == 0 && u->kind == OG_KIND_HOUSING) {
        const struct og_place *pl = &u->u.housing.place;
        rc = og_copy_point(out, false, pl->has_point, pl->lon, pl->lat);
    }
    rc = rc ? rc : og_copy_text(out, false, row->hash);
    rc = rc ? rc : og_buf_printf(out, "\t%s\t%s", run, run);
    rc = rc ? rc : og_copy_text(out, false, u->position);
    return rc ? rc : og_copy_end_row(out);
}

/* Appends a person_history row from a person's content (its COPY text fields, taken as they are):
 * person_key, changed_at (updated_at), active, person_type, community_code, grid_code, address,
 * registered_at, run. */
static int history_row(struct og_buf *out, const struct og_row *row, const char *run)
{
    const char *f[PCOL_COUNT];
    size_t len[PCOL_COUNT];
    const char *p = row->content, *end = row->content + row->content_len;
    for (int c = 0; c < PCOL_COUNT; c++) {
        const char *tab = c + 1 < PCOL_COUNT ? memchr(p, '\t', (size_t)(end - p)) : end;
        if (!tab)
            return OG_EINVAL;
        f[c] = p, len[c] = (size_t)(tab - p);
        p = tab + 1;
    }
    static const int cols[] = {PCOL_person_key,  PCOL_updated_at,     PCOL_active,
                               PCOL_person_type, PCOL_community_code, PCOL_grid_code,
                               PCOL_address,     PCOL_registered_at};
    int rc = 0;
    for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]) && rc == 0; i++) {
        rc = i ? og_buf_putc(out, '\t') : 0;
        rc = rc ? rc : og_buf_append(out, f[cols[i]], len[cols[i]]);
    }
    rc = rc ? rc : og_buf_printf(out, "\t%s", run);
    return rc ? rc : og_copy_end_row(out);
}

/* A state of a new resident: who (its key's slot), when, which record. */
struct state {
    size_t slot;
    int64_t us;
    size_t index;
};

static int state_cmp(const void *a, const void *b)
{
    const struct state *x = a, *y = b;
    if (x->slot != y->slot)
        return x->slot < y->slot ? -1 : 1;
    if (x->us != y->us)
        return x->us < y->us ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* What one kind of a batch becomes: new keys' rows (and residents' states) for COPY straight into
 * the warehouse, the others' records for staging. */
struct plan {
    struct og_hmap *slot; /* key -> 1 + slot */
    size_t *keep;         /* per slot: the record kept */
    size_t nslots;
    struct og_hmap *stored; /* keys stored already (fast only) */
    PGresult *stored_res;   /* owns stored's values */
    struct og_buf ids, direct, history, stage;
    struct state *states;
    size_t nstates;
};

static void plan_free(struct plan *pl)
{
    og_hmap_destroy(pl->slot);
    og_hmap_destroy(pl->stored);
    PQclear(pl->stored_res);
    free(pl->keep);
    free(pl->states);
    og_buf_free(&pl->ids), og_buf_free(&pl->direct), og_buf_free(&pl->history);
    og_buf_free(&pl->stage);
}

/* The records of kind: per key, the one kept. 0 or OG_ENOMEM. */
static int plan_slots(struct plan *pl, const struct og_batch *b, enum og_kind kind)
{
    pl->slot = og_hmap_create();
    pl->keep = calloc(b->nrecs + 1, sizeof(size_t));
    if (!pl->slot || !pl->keep)
        return OG_ENOMEM;
    for (size_t i = 0; i < b->nrecs; i++) {
        const struct og_unified *u = &b->recs[i];
        if (u->kind != kind)
            continue;
        uintptr_t k = (uintptr_t)og_hmap_get(pl->slot, rec_key(u));
        if (!k) {
            k = ++pl->nslots;
            if (og_hmap_put(pl->slot, rec_key(u), (void *)k) < 0)
                return OG_ENOMEM;
            pl->keep[k - 1] = i;
        }
        else if (later(u, &b->recs[pl->keep[k - 1]]))
            pl->keep[k - 1] = i;
    }
    return 0;
}

/* Writes one kind of b's records: with fast, keys not stored yet straight into the warehouse
 * (each key's kept record, and a resident's states, one per update time, the last read), the
 * others through staging, the merge and the history merge. */
static int write_kind(struct og_pg *pg, const char *run, const struct og_batch *b,
                      struct og_pg_rows *rows, const struct kind *k, bool fast,
                      struct og_load_stats *stats, struct og_error *err)
{
    struct plan pl;
    memset(&pl, 0, sizeof(pl));
    PGresult *res = NULL;
    char step[80];
    int rc = plan_slots(&pl, b, k->kind);
    if (rc == 0 && pl.nslots == 0)
        goto out;
    if (rc == 0 && fast) {
        pl.stored = og_hmap_create();
        rc = pl.stored ? key_array(&pl.ids, b, pl.keep, pl.nslots) : OG_ENOMEM;
        const char *p[] = {pl.ids.data};
        snprintf(step, sizeof(step), "look up stored %s", k->what);
        if (rc == 0 &&
            og_pg_run(pg, k->lookup_sql, 1, p, PGRES_TUPLES_OK, &pl.stored_res, step, err) < 0) {
            rc = OG_EDB;
            goto out;
        }
        for (int r = 0; rc == 0 && r < PQntuples(pl.stored_res); r++)
            rc = og_hmap_put(pl.stored, PQgetvalue(pl.stored_res, r, 0), (void *)1);
        if (rc == 0 && k->kind == OG_KIND_PERSON &&
            !(pl.states = calloc(b->nrecs + 1, sizeof(*pl.states))))
            rc = OG_ENOMEM;
    }
    size_t ndirect = 0, nstage = 0;
    for (size_t i = 0; i < b->nrecs && rc == 0; i++) {
        const struct og_unified *u = &b->recs[i];
        if (u->kind != k->kind)
            continue;
        const struct og_row *row = og_rows_get(rows, b, i);
        if (!row) {
            rc = OG_ENOMEM;
            break;
        }
        if (!fast || og_hmap_get(pl.stored, rec_key(u))) {
            rc = stage_row(&pl.stage, row, u, i);
            nstage++;
            continue;
        }
        size_t slot = (uintptr_t)og_hmap_get(pl.slot, rec_key(u)) - 1;
        if (pl.keep[slot] == i) {
            rc = direct_row(&pl.direct, row, u, run);
            ndirect++;
        }
        if (pl.states && rec_time(u)->set)
            pl.states[pl.nstates++] = (struct state){slot, rec_time(u)->us, i};
    }
    /* a new resident's states: one per update time, the last read */
    if (rc == 0 && pl.nstates)
        qsort(pl.states, pl.nstates, sizeof(*pl.states), state_cmp);
    long long nhistory = 0;
    for (size_t s = 0; s < pl.nstates && rc == 0; s++) {
        if (s + 1 < pl.nstates && pl.states[s + 1].slot == pl.states[s].slot &&
            pl.states[s + 1].us == pl.states[s].us)
            continue;
        const struct og_row *row = og_rows_get(rows, b, pl.states[s].index);
        rc = row ? history_row(&pl.history, row, run) : OG_ENOMEM;
        nhistory++;
    }
    if (rc < 0) {
        rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                          "out of memory encoding %s", k->what);
        goto out;
    }
    if (ndirect) {
        snprintf(step, sizeof(step), "copy new %s", k->what);
        rc = og_pg_copy(pg, k->direct_sql, pl.direct.data, pl.direct.len, step, err);
        snprintf(step, sizeof(step), "copy the history of new %s", k->what);
        if (rc == 0 && pl.history.len)
            rc = og_pg_copy(pg,
                            "COPY onegrid.person_history (person_key, changed_at, active, "
                            "person_type, community_code, grid_code, address, registered_at, "
                            "run_id) FROM STDIN",
                            pl.history.data, pl.history.len, step, err);
        if (rc < 0)
            goto out;
        stats->inserted += (long long)ndirect;
        stats->history += nhistory;
    }
    if (nstage == 0)
        goto out;
    const char *p1[] = {run};
    snprintf(step, sizeof(step), "copy %s into staging", k->what);
    rc = og_pg_copy(pg, k->stage_sql, pl.stage.data, pl.stage.len, step, err);
    snprintf(step, sizeof(step), "merge %s", k->what);
    if (rc == 0)
        rc = og_pg_run(pg, k->merge_sql, 1, p1, PGRES_TUPLES_OK, &res, step, err);
    if (rc == 0) {
        stats->inserted += val(res, 0);
        stats->updated += val(res, 1);
        stats->unchanged += val(res, 2) - val(res, 0) - val(res, 1);
        PQclear(res);
        res = NULL;
    }
    snprintf(step, sizeof(step), "record the history of %s", k->what);
    if (rc == 0 && k->history_sql &&
        (rc = og_pg_run(pg, k->history_sql, 1, p1, PGRES_COMMAND_OK, &res, step, err)) == 0)
        stats->history += atoll(PQcmdTuples(res));
out:
    PQclear(res);
    plan_free(&pl);
    return rc;
}

static const struct kind PERSONS = {
    OG_KIND_PERSON,
    "residents",
    "SELECT person_key FROM onegrid.person WHERE person_key = ANY ($1::text[])",
    "COPY onegrid.person (" OG_PERSON_COLS
    "row_hash, run_id, first_run_id, source_position) FROM STDIN",
    "COPY og_stage_person (seq, " OG_PERSON_COLS "row_hash, source_position) FROM STDIN",
    PERSON_MERGE,
    PERSON_HISTORY,
};

static const struct kind HOUSES = {
    OG_KIND_HOUSING,
    "rental houses",
    "SELECT house_id FROM onegrid.housing WHERE house_id = ANY ($1::text[])",
    "COPY onegrid.housing (" OG_HOUSING_COLS
    "geom, row_hash, run_id, first_run_id, source_position) FROM STDIN",
    "COPY og_stage_housing (seq, " OG_HOUSING_COLS "row_hash, source_position) FROM STDIN",
    HOUSING_MERGE,
    NULL,
};

int og_pg_merge_people(struct og_pg *pg, const char *run, const struct og_batch *b,
                       struct og_pg_rows *rows, bool fast, struct og_load_stats *stats,
                       struct og_error *err)
{
    int rc = write_kind(pg, run, b, rows, &PERSONS, fast, stats, err);
    return rc ? rc : write_kind(pg, run, b, rows, &HOUSES, fast, stats, err);
}
