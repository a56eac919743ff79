/* links.c - cross-department links (event_link): after a batch's events are merged, in the same
 * transaction, the events the batch inserted or changed are paired with stored events of other
 * departments by the link rules (core/links.h), stale links of those events are removed, and the
 * clusters they touch get their link_id again. Set-based statements over indexes; the rules
 * travel as one jsonb parameter, the event ids as one text[] parameter. */
#include "loader/copy.h"
#include "loader/pg_internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Concurrent loaders (one stream per source) link one batch at a time: an event committed by
 * another loader meanwhile is then seen by the batch that commits second. */
static const char LINK_LOCK[] = "SELECT pg_advisory_xact_lock(7340332)";

/* The events of the batch that this run inserted or changed (an unchanged row keeps its run). */
static const char LINK_CHANGED[] =
    "INSERT INTO og_link_changed (event_id) "
    "SELECT e.event_id FROM onegrid.event e WHERE e.event_id = ANY ($2::text[]) AND e.run_id = $1 "
    "ON CONFLICT DO NOTHING";

/* The links the changed events should have: for each changed event that is not void, each rule
 * side it is on, the events of another department on the other side, reported within the window
 * and on the same grid or within the distance (the bounding box in degrees first, for the GiST
 * index on geom; then the distance on the spheroid; the time is then a filter, written so that the
 * index on reported_at, thousands of rows per day, is not ANDed with the few the box finds). When
 * several rules match a pair, the first in the file links it. The changed events are looked up by
 * an array, so that the primary key is used whatever the planner guesses. */
// clang-format off
static const char LINK_WANT[] =
    "WITH r AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(ord int, name text, da text, "
    "                  ca text[], db text, cb text[], same_grid boolean, within_m float8, "
    "                  window_s float8)), "
    "rs AS (SELECT ord, name, da AS dc, ca AS cc, db AS dx, cb AS cx, same_grid, within_m, "
    "              make_interval(secs => window_s) AS win FROM r "
    "       UNION ALL SELECT ord, name, db, cb, da, ca, same_grid, within_m, "
    "              make_interval(secs => window_s) FROM r), "
    "c AS MATERIALIZED (SELECT e.event_id, e.department, e.reported_at, e.grid_code, e.geom, "
    "              rs.ord, rs.name, rs.dx, rs.cx, rs.same_grid, rs.within_m, rs.win "
    "       FROM onegrid.event e "
    "       JOIN rs ON (rs.dc = '' OR rs.dc = e.department) "
    "        AND EXISTS (SELECT 1 FROM unnest(rs.cc) p WHERE starts_with(e.category_code, p)) "
    "       WHERE e.event_id = ANY (ARRAY(SELECT event_id FROM og_link_changed)) "
    "         AND e.status <> 'void' AND e.reported_at IS NOT NULL), "
    "m AS (SELECT c.event_id AS a, x.event_id AS b, c.ord, c.name, c.geom AS ga, x.geom AS gb, "
    "             c.reported_at AS ta, x.reported_at AS tb "
    "      FROM c JOIN onegrid.event x ON c.same_grid AND x.grid_code = c.grid_code "
    "       AND x.reported_at BETWEEN c.reported_at - c.win AND c.reported_at + c.win "
    "      WHERE x.department <> c.department AND x.status <> 'void' "
    "       AND (c.dx = '' OR x.department = c.dx) "
    "       AND EXISTS (SELECT 1 FROM unnest(c.cx) p WHERE starts_with(x.category_code, p)) "
    "      UNION ALL "
    "      SELECT c.event_id, x.event_id, c.ord, c.name, c.geom, x.geom, c.reported_at, "
    "             x.reported_at "
    "      FROM c JOIN onegrid.event x ON c.within_m > 0 AND c.geom IS NOT NULL "
    "       AND x.geom OPERATOR(public.&&) public.ST_Expand(c.geom, "
    "             c.within_m / (111320.0 * greatest(cos(radians(public.ST_Y(c.geom))), 0.01)) "
    "             * 1.01, c.within_m / 110574.0 * 1.01) "
    "       AND public.ST_DWithin(x.geom::public.geography, c.geom::public.geography, c.within_m) "
    "       AND x.reported_at - c.reported_at BETWEEN -c.win AND c.win "
    "      WHERE x.department <> c.department AND x.status <> 'void' "
    "       AND (c.dx = '' OR x.department = c.dx) "
    "       AND EXISTS (SELECT 1 FROM unnest(c.cx) p WHERE starts_with(x.category_code, p))) "
    "INSERT INTO og_link_want (event_id, linked_event_id, rule, distance_m, time_gap) "
    "SELECT DISTINCT ON (least(a, b), greatest(a, b)) least(a, b), greatest(a, b), name, "
    "       CASE WHEN ga IS NOT NULL AND gb IS NOT NULL "
    "            THEN public.ST_Distance(ga::public.geography, gb::public.geography) END, "
    "       CASE WHEN ta >= tb THEN ta - tb ELSE tb - ta END "
    "FROM m ORDER BY least(a, b), greatest(a, b), ord";
// clang-format on

/* The links of changed events that no longer hold (or hold by another rule now) go; both ends are
 * touched. The links are found through the primary key and the linked_event_id index. */
static const char LINK_DROP[] =
    "WITH s AS (SELECT l.event_id, l.linked_event_id FROM og_link_changed k "
    "           JOIN onegrid.event_link l ON l.event_id = k.event_id "
    "           UNION SELECT l.event_id, l.linked_event_id FROM og_link_changed k "
    "           JOIN onegrid.event_link l ON l.linked_event_id = k.event_id), "
    "d AS (DELETE FROM onegrid.event_link l USING s "
    "      WHERE l.event_id = s.event_id AND l.linked_event_id = s.linked_event_id "
    "        AND NOT EXISTS (SELECT 1 FROM og_link_want w WHERE w.event_id = l.event_id "
    "                        AND w.linked_event_id = l.linked_event_id AND w.rule = l.rule) "
    "      RETURNING l.event_id, l.linked_event_id), "
    "t AS (INSERT INTO og_link_touched (event_id) "
    "      SELECT event_id FROM d UNION SELECT linked_event_id FROM d ON CONFLICT DO NOTHING) "
    "SELECT count(*) FROM d";

/* A link that still holds by the same rule keeps its row; only a changed distance or time gap is
 * written. */
static const char LINK_REFRESH[] =
    "UPDATE onegrid.event_link l SET distance_m = w.distance_m, time_gap = w.time_gap, "
    "run_id = $1 FROM og_link_want w "
    "WHERE l.event_id = w.event_id AND l.linked_event_id = w.linked_event_id AND l.rule = w.rule "
    "  AND (l.distance_m, l.time_gap) IS DISTINCT FROM (w.distance_m, w.time_gap)";

/* New links, with a provisional link_id that LINK_CLUSTER sets; both ends are touched. */
static const char LINK_ADD[] =
    "WITH i AS (INSERT INTO onegrid.event_link (event_id, linked_event_id, link_id, rule, "
    "           distance_m, time_gap, run_id) "
    "           SELECT w.event_id, w.linked_event_id, 0, w.rule, w.distance_m, w.time_gap, $1 "
    "           FROM og_link_want w WHERE NOT EXISTS (SELECT 1 FROM onegrid.event_link l "
    "             WHERE l.event_id = w.event_id AND l.linked_event_id = w.linked_event_id) "
    "           RETURNING event_id, linked_event_id), "
    "t AS (INSERT INTO og_link_touched (event_id) "
    "      SELECT event_id FROM i UNION SELECT linked_event_id FROM i ON CONFLICT DO NOTHING) "
    "SELECT count(*) FROM i";

/* The clusters of the touched events (connected through event_link; a cluster's root is its
 * smallest event id) and the link_id each keeps: the smallest link_id its members had, unless a
 * cluster with a smaller root (the other part of a split) keeps that one; else a new one. An event
 * left alone gets NULL. */
// clang-format off
static const char LINK_CLUSTER[] =
    "WITH RECURSIVE walk (start, ev) AS ( "
    "    SELECT event_id, event_id FROM og_link_touched "
    "    UNION SELECT w.start, CASE WHEN l.event_id = w.ev THEN l.linked_event_id "
    "                                ELSE l.event_id END "
    "    FROM walk w JOIN onegrid.event_link l "
    "      ON l.event_id = w.ev OR l.linked_event_id = w.ev), "
    "rooted AS (SELECT DISTINCT min(ev) OVER (PARTITION BY start) AS root, ev FROM walk), "
    "comp AS (SELECT r.root, count(*) AS n, min(e.link_id) AS old_id "
    "         FROM rooted r JOIN onegrid.event e ON e.event_id = r.ev GROUP BY r.root), "
    "pick AS (SELECT root, n, old_id, "
    "                row_number() OVER (PARTITION BY old_id ORDER BY root) AS k FROM comp) "
    "INSERT INTO og_link_cluster (event_id, link_id) "
    "SELECT r.ev, p.link_id FROM rooted r JOIN ( "
    "    SELECT root, CASE WHEN n < 2 THEN NULL "
    "                      WHEN old_id IS NOT NULL AND k = 1 THEN old_id "
    "                      ELSE nextval('onegrid.event_link_id_seq') END AS link_id "
    "    FROM pick) p USING (root)";
// clang-format on

static const char LINK_SET_EVENTS[] =
    "UPDATE onegrid.event e SET link_id = c.link_id FROM og_link_cluster c "
    "WHERE e.event_id = c.event_id AND e.link_id IS DISTINCT FROM c.link_id";
static const char LINK_SET_LINKS[] =
    "UPDATE onegrid.event_link l SET link_id = c.link_id FROM og_link_cluster c "
    "WHERE l.event_id = c.event_id AND l.link_id IS DISTINCT FROM c.link_id";

/* Whether department d is on side s. */
static bool on_side(const struct og_link_side *s, const char *d)
{
    return !s->department[0] || (d && strcmp(s->department, d) == 0);
}

bool og_pg_links_concern(const struct og_links *links, const struct og_batch *b)
{
    if (!links)
        return false;
    for (size_t i = 0; i < b->nrecs; i++) {
        const struct og_unified *u = &b->recs[i];
        if (u->kind != OG_KIND_EVENT)
            continue;
        for (size_t k = 0; k < links->nrules; k++)
            if (on_side(&links->rules[k].side[0], u->u.event.department) ||
                on_side(&links->rules[k].side[1], u->u.event.department))
                return true;
    }
    return false;
}

int og_pg_links_lock(struct og_pg *pg, struct og_error *err)
{
    return og_pg_run(pg, LINK_LOCK, 0, NULL, PGRES_TUPLES_OK, NULL, "take the link lock", err);
}

static json_t *side_codes(const struct og_link_side *s)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < s->nprefixes; i++)
        if (json_array_append_new(a, json_string(s->prefixes[i])) < 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

/* The rules as the jsonb LINK_WANT reads (new string, free()), NULL on out of memory. */
static char *rules_json(const struct og_links *links)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < links->nrules; i++) {
        const struct og_link_rule *r = &links->rules[i];
        json_t *o =
            json_pack("{s:I, s:s, s:s, s:o*, s:s, s:o*, s:b, s:f, s:f}", "ord", (json_int_t)i,
                      "name", r->name, "da", r->side[0].department, "ca", side_codes(&r->side[0]),
                      "db", r->side[1].department, "cb", side_codes(&r->side[1]), "same_grid",
                      r->same_grid, "within_m", r->within_m, "window_s", (double)r->window_s);
        if (!o || json_array_append_new(arr, o) < 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    char *s = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
    json_decref(arr);
    return s;
}

/* {"a","b"} array literal of the batch's event ids (a parameter, never pasted into SQL). */
static int id_array(struct og_buf *out, const struct og_batch *b)
{
    int rc = og_buf_putc(out, '{');
    bool first = true;
    for (size_t i = 0; i < b->nrecs && rc == 0; i++) {
        if (b->recs[i].kind != OG_KIND_EVENT)
            continue;
        rc = og_array_item(out, first, b->recs[i].u.event.event_id);
        first = false;
    }
    return rc ? rc : og_buf_putc(out, '}');
}

/* Runs sql (one row, one count) with params and adds the count to *n. */
static int counted(struct og_pg *pg, const char *sql, int np, const char *const *p,
                   const char *what, long long *n, struct og_error *err)
{
    PGresult *res;
    if (og_pg_run(pg, sql, np, p, PGRES_TUPLES_OK, &res, what, err) < 0)
        return OG_EDB;
    *n += atoll(PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

/* Runs sql with params and adds the rows it affected to *n. */
static int affected(struct og_pg *pg, const char *sql, int np, const char *const *p,
                    const char *what, long long *n, struct og_error *err)
{
    PGresult *res;
    if (og_pg_run(pg, sql, np, p, PGRES_COMMAND_OK, &res, what, err) < 0)
        return OG_EDB;
    *n += atoll(PQcmdTuples(res));
    PQclear(res);
    return 0;
}

int og_pg_link_events(struct og_pg *pg, const char *run, const struct og_links *links,
                      const struct og_batch *b, struct og_load_stats *stats, struct og_error *err)
{
    struct og_buf ids = OG_BUF_INIT;
    char *rules = rules_json(links);
    if (!rules || id_array(&ids, b) < 0) {
        free(rules);
        og_buf_free(&ids);
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                            "out of memory encoding the link rules");
    }
    const char *p2[] = {run, ids.data};
    const char *pr[] = {rules};
    const char *p1[] = {run};
    long long changed = 0, dropped = 0, added = 0, refreshed = 0, clustered = 0;
    /* the small, unanalysed temp tables make these statements look costly enough for JIT
     * compilation, which takes hundreds of milliseconds for work of a few */
    int rc = og_pg_exec(pg, "SET LOCAL jit = off", err);
    rc = rc ? rc : affected(pg, LINK_CHANGED, 2, p2, "find the events to link", &changed, err);
    if (rc == 0 && changed > 0) {
        long long wanted = 0;
        /* the planner's guess for a temp table never analysed is over a thousand rows: the hash
         * tables sized for it cost more than the statements; a batch's few take a millisecond */
        rc = og_pg_exec(pg, "ANALYZE og_link_changed", err);
        rc = rc ? rc
                : affected(pg, LINK_WANT, 1, pr, "match events by the link rules", &wanted, err);
        rc = rc ? rc : counted(pg, LINK_DROP, 0, NULL, "remove stale links", &dropped, err);
        rc = rc ? rc : affected(pg, LINK_REFRESH, 1, p1, "refresh kept links", &refreshed, err);
        rc = rc ? rc : counted(pg, LINK_ADD, 1, p1, "add links", &added, err);
    }
    if (rc == 0 && (dropped > 0 || added > 0)) {
        long long n = 0;
        rc = og_pg_exec(pg, "ANALYZE og_link_touched", err);
        rc = rc ? rc
                : affected(pg, LINK_CLUSTER, 0, NULL, "find the clusters of linked events",
                           &clustered, err);
        rc = rc ? rc : affected(pg, LINK_SET_EVENTS, 0, NULL, "set event link ids", &n, err);
        rc = rc ? rc : affected(pg, LINK_SET_LINKS, 0, NULL, "set link ids", &n, err);
    }
    if (rc == 0) {
        stats->links_added += added;
        stats->links_removed += dropped;
    }
    free(rules);
    og_buf_free(&ids);
    return rc;
}
