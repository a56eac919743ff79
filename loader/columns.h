/* columns.h - the one list of the content columns of onegrid.event, visit, person and housing, in
 * order.
 *
 * From it come the staging tables, the column lists of COPY and the merges, the ON CONFLICT update
 * lists and the encoders of rows.c (whose output the row hash covers, so the order is part of the
 * stored hashes: append, never reorder). loader/sql/002_facts.sql is checked against it by
 * tests/unit/test_rows.c. X(name, sqltype, encoding, expression, merge):
 *   encoding   TEXT (const char *), TIME (struct og_time), DATE (struct og_time, its UTC date),
 *              BOOL (og_tristate), JSON (object text, NULL = {}), INT (long long), COUNT (long
 *              long, negative = NULL), LON / LAT (the lon/lat of a struct og_place)
 *   expression the value, from `e` (const struct og_event *), `v` (const struct og_visit *), `p`
 *              (const struct og_person *) or `h` (const struct og_housing *)
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

#define OG_PERSON_COLUMNS(X)                                                                       \
    X(person_key, text, TEXT, p->person_key, KEY)                                                  \
    X(id_masked, text, TEXT, p->id_masked, SET)                                                    \
    X(id_valid, boolean, BOOL, p->id_valid, SET)                                                   \
    X(name_masked, text, TEXT, p->name_masked, SET)                                                \
    X(birth_date, date, DATE, p->birth_date, SET)                                                  \
    X(sex, text, TEXT, p->sex, SET)                                                                \
    X(ethnic_code, text, TEXT, p->ethnic_code, SET)                                                \
    X(person_type, text, TEXT, p->person_type, SET)                                                \
    X(hukou_address, text, TEXT, p->hukou_address, SET)                                            \
    X(address, text, TEXT, p->address, SET)                                                        \
    X(community_code, text, TEXT, p->place.community_code, SET)                                    \
    X(grid_code, text, TEXT, p->place.grid_code, SET)                                              \
    X(grid_method, text, TEXT, p->place.grid_method, SET)                                          \
    X(police_beat, text, TEXT, p->police_beat, SET)                                                \
    X(registered_at, timestamptz, TIME, p->registered_at, SET)                                     \
    X(active, boolean, BOOL, (og_tristate)p->active, SET)                                          \
    X(updated_at, timestamptz, TIME, p->updated_at, SET)                                           \
    X(attrs, jsonb, JSON, p->attrs, SET)

#define OG_HOUSING_COLUMNS(X)                                                                      \
    X(house_id, text, TEXT, h->house_id, KEY)                                                      \
    X(address, text, TEXT, h->address, SET)                                                        \
    X(owner_key, text, TEXT, h->owner_key, SET)                                                    \
    X(owner_masked, text, TEXT, h->owner_masked, SET)                                              \
    X(owner_valid, boolean, BOOL, h->owner_valid, SET)                                             \
    X(owner_name_masked, text, TEXT, h->owner_name_masked, SET)                                    \
    X(rooms, integer, COUNT, h->rooms, SET)                                                        \
    X(tenants, integer, COUNT, h->tenants, SET)                                                    \
    X(community_code, text, TEXT, h->place.community_code, SET)                                    \
    X(grid_code, text, TEXT, h->place.grid_code, SET)                                              \
    X(grid_method, text, TEXT, h->place.grid_method, SET)                                          \
    X(police_beat, text, TEXT, h->police_beat, SET)                                                \
    X(lon, float8, LON, h->place, SET)                                                             \
    X(lat, float8, LAT, h->place, SET)                                                             \
    X(source_crs, text, TEXT, h->place.source_crs, SET)                                            \
    X(updated_at, timestamptz, TIME, h->updated_at, SET)                                           \
    X(attrs, jsonb, JSON, h->attrs, SET)

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
#define OG_PERSON_COLS OG_PERSON_COLUMNS(OG_COL_NAME)
#define OG_HOUSING_COLS OG_HOUSING_COLUMNS(OG_COL_NAME)

#endif
