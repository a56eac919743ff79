/* rows.c - unified records as COPY text rows (the columns of columns.h) and their row hashes. */
#include "loader/rows.h"

#include "core/arena.h"
#include "core/buf.h"
#include "core/digest.h"
#include "loader/columns.h"
#include "loader/copy.h"

#include <stdlib.h>
#include <string.h>

struct og_pg_rows {
    struct og_arena *arena;
    struct og_row *rows; /* by record index */
    bool *ready;         /* rows[i] is encoded */
    size_t cap;
    struct og_buf tmp, mtmp;
    struct og_sha256_rows sha;
};

struct og_pg_rows *og_pg_rows_create(void)
{
    struct og_pg_rows *r = calloc(1, sizeof(*r));
    if (r && !(r->arena = og_arena_create(1 << 20))) {
        free(r);
        r = NULL;
    }
    return r;
}

void og_pg_rows_destroy(struct og_pg_rows *rows)
{
    if (!rows)
        return;
    og_arena_destroy(rows->arena);
    free(rows->rows);
    free(rows->ready);
    og_buf_free(&rows->tmp);
    og_buf_free(&rows->mtmp);
    og_sha256_rows_free(&rows->sha);
    free(rows);
}

void og_pg_rows_reset(struct og_pg_rows *rows)
{
    if (!rows)
        return;
    og_arena_reset(rows->arena);
    if (rows->ready)
        memset(rows->ready, 0, rows->cap * sizeof(*rows->ready));
}

/* Room for index i. 0 or OG_ENOMEM. */
static int reserve(struct og_pg_rows *r, size_t i)
{
    if (i < r->cap)
        return 0;
    size_t cap = r->cap ? r->cap : 1024;
    while (cap <= i)
        cap *= 2;
    struct og_row *rows = realloc(r->rows, cap * sizeof(*rows));
    if (!rows)
        return OG_ENOMEM;
    r->rows = rows;
    bool *ready = realloc(r->ready, cap * sizeof(*ready));
    if (!ready)
        return OG_ENOMEM;
    memset(ready + r->cap, 0, (cap - r->cap) * sizeof(*ready));
    r->ready = ready;
    r->cap = cap;
    return 0;
}

/* One column with its leading tab (the content is taken from after the first tab). */
#define ENC_TEXT(b, x) og_copy_text((b), false, (x))
#define ENC_TIME(b, x) og_copy_time((b), false, (x).set, (x).us)
#define ENC_BOOL(b, x) og_copy_bool((b), false, (x))
#define ENC_JSON(b, x) og_copy_text((b), false, (x) ? (x) : "{}")
#define ENC_INT(b, x) og_copy_int((b), false, (x))
#define ENC_DATE(b, x) og_copy_date((b), false, (x).set, (x).us)
#define ENC_COUNT(b, x) ((x) >= 0 ? og_copy_int((b), false, (x)) : og_buf_puts((b), "\t\\N"))
#define ENC_LON(b, x) og_copy_double((b), false, (x).has_point, (x).lon)
#define ENC_LAT(b, x) og_copy_double((b), false, (x).has_point, (x).lat)
#define ENC_COLUMN(name, type, enc, expr, merge) rc = rc ? rc : ENC_##enc(b, expr);

static int event_content(struct og_buf *b, const struct og_event *e)
{
    int rc = 0;
    OG_EVENT_COLUMNS(ENC_COLUMN)
    return rc;
}

static int visit_content(struct og_buf *b, const struct og_visit *v)
{
    int rc = 0;
    OG_VISIT_COLUMNS(ENC_COLUMN)
    return rc;
}

static int person_content(struct og_buf *b, const struct og_person *p)
{
    int rc = 0;
    OG_PERSON_COLUMNS(ENC_COLUMN)
    return rc;
}

static int housing_content(struct og_buf *b, const struct og_housing *h)
{
    int rc = 0;
    OG_HOUSING_COLUMNS(ENC_COLUMN)
    return rc;
}

/* One member as "\tvisit_id\tseq\t...\n" (COPY text, without the staging seq). */
static int member_line(struct og_buf *b, const struct og_visit *v, const struct og_visit_member *m,
                       int seq)
{
    int rc = og_copy_text(b, false, v->visit_id);
    rc = rc ? rc : og_copy_int(b, false, seq);
    rc = rc ? rc : og_copy_text(b, false, m->person_key);
    rc = rc ? rc : og_copy_text(b, false, m->id_masked);
    rc = rc ? rc : og_copy_bool(b, false, m->id_valid);
    rc = rc ? rc : og_copy_text(b, false, m->name_masked);
    if (rc == 0)
        rc = og_copy_decimal(b, false, m->has_temperature, m->temperature, 1);
    rc = rc ? rc : og_copy_text_array(b, false, m->symptoms, m->nsymptoms);
    rc = rc ? rc : og_copy_text_array(b, false, m->travel, m->ntravel);
    rc = rc ? rc : og_copy_text(b, false, m->health_code);
    return rc ? rc : og_copy_end_row(b);
}

/* Encodes u into *row (strings in the arena). 0 or OG_ENOMEM. */
static int encode(struct og_pg_rows *r, const struct og_unified *u, struct og_row *row)
{
    og_buf_reset(&r->tmp);
    og_buf_reset(&r->mtmp);
    int rc = u->kind == OG_KIND_EVENT    ? event_content(&r->tmp, &u->u.event)
             : u->kind == OG_KIND_VISIT  ? visit_content(&r->tmp, &u->u.visit)
             : u->kind == OG_KIND_PERSON ? person_content(&r->tmp, &u->u.person)
                                         : housing_content(&r->tmp, &u->u.housing);
    if (u->kind == OG_KIND_VISIT)
        for (size_t k = 0; k < u->u.visit.nmembers && rc == 0; k++)
            rc = member_line(&r->mtmp, &u->u.visit, &u->u.visit.members[k], (int)k + 1);
    if (rc)
        return OG_ENOMEM;
    /* the content without the first column's leading tab */
    row->content_len = r->tmp.len - 1;
    row->content = og_arena_strndup(r->arena, r->tmp.data + 1, row->content_len);
    row->members_len = r->mtmp.len;
    row->members = og_arena_strndup(r->arena, r->mtmp.data ? r->mtmp.data : "", r->mtmp.len);
    if (!row->content || !row->members)
        return OG_ENOMEM;
    /* the row hash covers the content; a visit's, the visit and its members: content, "\n",
     * member lines */
    const void *part[] = {row->content, "\n", row->members};
    size_t len[] = {row->content_len, 1, row->members_len};
    return og_sha256_rows_hex(&r->sha, u->kind == OG_KIND_VISIT ? 3 : 1, part, len, row->hash);
}

int og_pg_rows_prepare(struct og_pg_rows *rows, const struct og_batch *b, size_t i)
{
    if (reserve(rows, i) < 0 || encode(rows, &b->recs[i], &rows->rows[i]) < 0)
        return OG_ENOMEM;
    rows->ready[i] = true;
    return 0;
}

const struct og_row *og_rows_get(struct og_pg_rows *rows, const struct og_batch *b, size_t i)
{
    if (i < rows->cap && rows->ready[i])
        return &rows->rows[i];
    return og_pg_rows_prepare(rows, b, i) == 0 ? &rows->rows[i] : NULL;
}

#define COLUMN_ENTRY(name, type, enc, expr, merge) {#name, #type},
static const struct og_pg_column EVENT_COLUMNS[] = {OG_EVENT_COLUMNS(COLUMN_ENTRY)};
static const struct og_pg_column VISIT_COLUMNS[] = {OG_VISIT_COLUMNS(COLUMN_ENTRY)};
static const struct og_pg_column PERSON_COLUMNS[] = {OG_PERSON_COLUMNS(COLUMN_ENTRY)};
static const struct og_pg_column HOUSING_COLUMNS[] = {OG_HOUSING_COLUMNS(COLUMN_ENTRY)};
#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

const struct og_pg_column *og_pg_columns(enum og_kind kind, size_t *n)
{
    switch (kind) {
    case OG_KIND_EVENT:
        *n = COUNT_OF(EVENT_COLUMNS);
        return EVENT_COLUMNS;
    case OG_KIND_VISIT:
        *n = COUNT_OF(VISIT_COLUMNS);
        return VISIT_COLUMNS;
    case OG_KIND_PERSON:
        *n = COUNT_OF(PERSON_COLUMNS);
        return PERSON_COLUMNS;
    case OG_KIND_HOUSING:
        *n = COUNT_OF(HOUSING_COLUMNS);
        return HOUSING_COLUMNS;
    }
    *n = 0;
    return NULL;
}
