/* columns.h - the one list of the content columns of onegrid.event and onegrid.visit, in order.
 *
 * From it come the staging tables, the column lists of COPY and the merges, the ON CONFLICT update
 * lists and the encoders of rows.c (whose output the row hash covers, so the order is part of the
 * stored hashes: append, never reorder). loader/sql/002_facts.sql is checked against it by
 * tests/unit/test_rows.c. X(name, sqltype, encoding, expression, merge):
 *   encoding   TEXT (const char *), TIME (struct og_time), BOOL (og_tristate), JSON (object text,
 *              NULL = {}), INT (long long), LON / LAT (the lon/lat of a struct og_place)
 *   expression the value, from `e` (const struct og_event *) or `v` (const struct og_visit *)
 *   merge      KEY (the conflict key: never updated) or SET (updated by the merge) */
#ifndef OG_COLUMNS_H
#define OG_COLUMNS_H

#define OG_EVENT_COLUMNS(X)                                                                        \
    X(event_id, text, TEXT, e->event_id, KEY)                                                      \
    X(department, text, TEXT, e->department, SET)                                                  \
    X(source, text, TEXT, e->source, SET)                                                          \
    X(source_id, text, TEXT, e->source_id, SET)                                                    \
    X(category_code, text, TEXT, e->category_code, SET)                                            \
    X(category_name, text, TEXT, e->category_name, SET)                                            \
    X(source_category, text, TEXT, e->source_category, SET)                                        \
    X(status, text, TEXT, e->status, SET)                                                          \
    X(source_status, text, TEXT, e->source_status, SET)                                            \
    X(reported_at, timestamptz, TIME, e->reported_at, SET)                                         \
    X(updated_at, timestamptz, TIME, e->updated_at, SET)                                           \
    X(closed_at, timestamptz, TIME, e->closed_at, SET)                                             \
    X(grid_code, text, TEXT, e->place.grid_code, SET)                                              \
    X(grid_method, text, TEXT, e->place.grid_method, SET)                                          \
    X(community_code, text, TEXT, e->place.community_code, SET)                                    \
    X(street_code, text, TEXT, e->place.street_code, SET)                                          \
    X(lon, float8, LON, e->place, SET)                                                             \
    X(lat, float8, LAT, e->place, SET)                                                             \
    X(source_crs, text, TEXT, e->place.source_crs, SET)                                            \
    X(address, text, TEXT, e->address, SET)                                                        \
    X(summary, text, TEXT, e->summary, SET)                                                        \
    X(subject_key, text, TEXT, e->subject_key, SET)                                                \
    X(subject_masked, text, TEXT, e->subject_masked, SET)                                          \
    X(subject_valid, boolean, BOOL, e->subject_valid, SET)                                         \
    X(attrs, jsonb, JSON, e->attrs, SET)

#define OG_VISIT_COLUMNS(X)                                                                        \
    X(visit_id, text, TEXT, v->visit_id, KEY)                                                      \
    X(department, text, TEXT, v->department, SET)                                                  \
    X(source, text, TEXT, v->source, SET)                                                          \
    X(source_id, text, TEXT, v->source_id, SET)                                                    \
    X(worker_id, text, TEXT, v->worker_id, SET)                                                    \
    X(visited_at, timestamptz, TIME, v->visited_at, SET)                                           \
    X(grid_code, text, TEXT, v->place.grid_code, SET)                                              \
    X(grid_method, text, TEXT, v->place.grid_method, SET)                                          \
    X(community_code, text, TEXT, v->place.community_code, SET)                                    \
    X(street_code, text, TEXT, v->place.street_code, SET)                                          \
    X(lon, float8, LON, v->place, SET)                                                             \
    X(lat, float8, LAT, v->place, SET)                                                             \
    X(source_crs, text, TEXT, v->place.source_crs, SET)                                            \
    X(address, text, TEXT, v->address, SET)                                                        \
    X(member_count, integer, INT, (long long)v->nmembers, SET)                                     \
    X(attrs, jsonb, JSON, v->attrs, SET)

/* A health-code change (an event with og_event.health) in onegrid.health_code_change. */
#define OG_HEALTH_COLUMNS(X)                                                                       \
    X(event_id, text, TEXT, e->event_id, KEY)                                                      \
    X(person_key, text, TEXT, e->subject_key, SET)                                                 \
    X(color, text, TEXT, e->health->color, SET)                                                    \
    X(previous_color, text, TEXT, e->health->previous_color, SET)                                  \
    X(reason, text, TEXT, e->health->reason, SET)                                                  \
    X(changed_at, timestamptz, TIME, e->reported_at, SET)                                          \
    X(community_code, text, TEXT, e->place.community_code, SET)                                    \
    X(grid_code, text, TEXT, e->place.grid_code, SET)

/* "a, b, c, " : the column names, each followed by ", " (so a list is always continued). */
#define OG_COL_NAME(name, type, enc, expr, merge) #name ", "
/* "a text, b timestamptz, " : staging table columns. */
#define OG_COL_DDL(name, type, enc, expr, merge) #name " " #type ", "
/* "b = EXCLUDED.b, " for the updated columns only. */
#define OG_COL_SET(name, type, enc, expr, merge) OG_COL_SET_##merge(name)
#define OG_COL_SET_KEY(name)
#define OG_COL_SET_SET(name) #name " = EXCLUDED." #name ", "

#define OG_EVENT_COLS OG_EVENT_COLUMNS(OG_COL_NAME)
#define OG_VISIT_COLS OG_VISIT_COLUMNS(OG_COL_NAME)
#define OG_HEALTH_COLS OG_HEALTH_COLUMNS(OG_COL_NAME)

#endif
