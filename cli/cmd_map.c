/* cmd_map.c - onegrid map: print the unified records a feed file yields, as NDJSON, without a
 * warehouse. */
#include "cli/commands.h"

#include "core/batch.h"
#include "core/timefmt.h"
#include "core/world.h"
#include "pipeline/files.h"
#include "pipeline/loop.h"
#include "pipeline/step.h"
#include "transform/identity.h"
#include "transform/mapping.h"
#include "transform/reconcile.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *out)
{
    fprintf(
        out,
        "usage: onegrid map --mapping FILE [--connector NAME] [--world DIR] [--limit N] INPUT\n\n"
        "Reads INPUT through the mapping and prints each unified record as one JSON line on "
        "stdout,\n"
        "exactly as `run` would load it (grid placement, taxonomy, status, times, masked "
        "identities),\n"
        "without a warehouse. Rejected records go to stderr with file:line, reason and message. "
        "Use it\n"
        "while writing a mapping. Identity hashes are printed only when ONEGRID_ID_KEY(_FILE) is "
        "set.\n\n"
        "  --mapping FILE     the feed mapping (required)\n"
        "  --connector NAME   override the mapping's input.connector (csv, json, ndjson, xml)\n"
        "  --world DIR        world folder for grid placement (default: the built-in Jinping "
        "world)\n"
        "  --crosswalks DIR   crosswalk folder (default: mappings/crosswalks of the data folder)\n"
        "  --taxonomy FILE    unified taxonomy table (default: mappings/taxonomy/categories.csv)\n"
        "  --limit N          stop after N records\n\n%s",
        OG_COMMON_HELP);
}

static json_t *jtime(const struct og_time *t)
{
    if (!t->set)
        return json_null();
    char buf[64];
    return json_string(og_time_format_iso(t->us, 480, buf, sizeof(buf)));
}

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}
static json_t *jtri(og_tristate v)
{
    return v < 0 ? json_null() : json_boolean(v);
}

static void put_place(json_t *o, const struct og_place *p)
{
    json_object_set_new(o, "grid_code", jstr(p->grid_code));
    json_object_set_new(o, "grid_method", jstr(p->grid_method));
    json_object_set_new(o, "community_code", jstr(p->community_code));
    json_object_set_new(o, "street_code", jstr(p->street_code));
    json_object_set_new(o, "lon", p->has_point ? json_real(p->lon) : json_null());
    json_object_set_new(o, "lat", p->has_point ? json_real(p->lat) : json_null());
    json_object_set_new(o, "source_crs", jstr(p->source_crs));
}

static json_t *strlist(const char *const *items, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(items[i]));
    return a;
}

static void event_json(json_t *o, const struct og_event *e)
{
    json_object_set_new(o, "table", json_string("event"));
    json_object_set_new(o, "event_id", jstr(e->event_id));
    json_object_set_new(o, "department", jstr(e->department));
    json_object_set_new(o, "source", jstr(e->source));
    json_object_set_new(o, "source_id", jstr(e->source_id));
    json_object_set_new(o, "category_code", jstr(e->category_code));
    json_object_set_new(o, "category_name", jstr(e->category_name));
    json_object_set_new(o, "source_category", jstr(e->source_category));
    json_object_set_new(o, "status", jstr(e->status));
    json_object_set_new(o, "source_status", jstr(e->source_status));
    json_object_set_new(o, "reported_at", jtime(&e->reported_at));
    json_object_set_new(o, "updated_at", jtime(&e->updated_at));
    json_object_set_new(o, "closed_at", jtime(&e->closed_at));
    put_place(o, &e->place);
    json_object_set_new(o, "address", jstr(e->address));
    json_object_set_new(o, "summary", jstr(e->summary));
    json_object_set_new(o, "subject_key", jstr(e->subject_key));
    json_object_set_new(o, "subject_masked", jstr(e->subject_masked));
    json_object_set_new(o, "subject_valid", jtri(e->subject_valid));
    json_object_set_new(o, "attrs", e->attrs ? json_loads(e->attrs, 0, NULL) : json_object());
    if (e->health)
        json_object_set_new(o, "health_code",
                            json_pack("{s:s, s:o, s:o}", "color", e->health->color,
                                      "previous_color", jstr(e->health->previous_color), "reason",
                                      jstr(e->health->reason)));
}

static void visit_json(json_t *o, const struct og_visit *v)
{
    json_object_set_new(o, "table", json_string("visit"));
    json_object_set_new(o, "visit_id", jstr(v->visit_id));
    json_object_set_new(o, "department", jstr(v->department));
    json_object_set_new(o, "source", jstr(v->source));
    json_object_set_new(o, "source_id", jstr(v->source_id));
    json_object_set_new(o, "worker_id", jstr(v->worker_id));
    json_object_set_new(o, "visited_at", jtime(&v->visited_at));
    put_place(o, &v->place);
    json_object_set_new(o, "address", jstr(v->address));
    json_t *ms = json_array();
    for (size_t k = 0; k < v->nmembers; k++) {
        const struct og_visit_member *m = &v->members[k];
        json_array_append_new(
            ms, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "person_key",
                          jstr(m->person_key), "id_masked", jstr(m->id_masked), "id_valid",
                          jtri(m->id_valid), "name_masked", jstr(m->name_masked), "temperature",
                          m->has_temperature ? json_real(m->temperature) : json_null(), "symptoms",
                          strlist(m->symptoms, m->nsymptoms), "travel",
                          strlist(m->travel, m->ntravel), "health_code", jstr(m->health_code)));
    }
    json_object_set_new(o, "members", ms);
    json_object_set_new(o, "attrs", v->attrs ? json_loads(v->attrs, 0, NULL) : json_object());
}

static void person_json(json_t *o, const struct og_person *p)
{
    json_object_set_new(o, "table", json_string("person"));
    json_object_set_new(o, "person_key", jstr(p->person_key));
    json_object_set_new(o, "id_masked", jstr(p->id_masked));
    json_object_set_new(o, "id_valid", jtri(p->id_valid));
    json_object_set_new(o, "name_masked", jstr(p->name_masked));
    char date[64] = "";
    if (p->birth_date.set)
        og_time_format_pg(p->birth_date.us, date, sizeof(date));
    date[strcspn(date, " ")] = '\0';
    json_object_set_new(o, "birth_date", p->birth_date.set ? json_string(date) : json_null());
    json_object_set_new(o, "sex", jstr(p->sex));
    json_object_set_new(o, "ethnic_code", jstr(p->ethnic_code));
    json_object_set_new(o, "person_type", jstr(p->person_type));
    json_object_set_new(o, "hukou_address", jstr(p->hukou_address));
    json_object_set_new(o, "address", jstr(p->address));
    put_place(o, &p->place);
    json_object_set_new(o, "police_beat", jstr(p->police_beat));
    json_object_set_new(o, "registered_at", jtime(&p->registered_at));
    json_object_set_new(o, "active", json_boolean(p->active));
    json_object_set_new(o, "updated_at", jtime(&p->updated_at));
    json_object_set_new(o, "attrs", p->attrs ? json_loads(p->attrs, 0, NULL) : json_object());
}

static void housing_json(json_t *o, const struct og_housing *h)
{
    json_object_set_new(o, "table", json_string("housing"));
    json_object_set_new(o, "house_id", jstr(h->house_id));
    json_object_set_new(o, "address", jstr(h->address));
    json_object_set_new(o, "owner_key", jstr(h->owner_key));
    json_object_set_new(o, "owner_masked", jstr(h->owner_masked));
    json_object_set_new(o, "owner_valid", jtri(h->owner_valid));
    json_object_set_new(o, "owner_name_masked", jstr(h->owner_name_masked));
    json_object_set_new(o, "rooms", h->rooms >= 0 ? json_integer(h->rooms) : json_null());
    json_object_set_new(o, "tenants", h->tenants >= 0 ? json_integer(h->tenants) : json_null());
    put_place(o, &h->place);
    json_object_set_new(o, "police_beat", jstr(h->police_beat));
    json_object_set_new(o, "updated_at", jtime(&h->updated_at));
    json_object_set_new(o, "attrs", h->attrs ? json_loads(h->attrs, 0, NULL) : json_object());
}

static json_t *unified_json(const struct og_unified *u)
{
    json_t *o = json_object();
    switch (u->kind) {
    case OG_KIND_EVENT:
        event_json(o, &u->u.event);
        break;
    case OG_KIND_VISIT:
        visit_json(o, &u->u.visit);
        break;
    case OG_KIND_PERSON:
        person_json(o, &u->u.person);
        break;
    case OG_KIND_HOUSING:
        housing_json(o, &u->u.housing);
        break;
    }
    json_object_set_new(o, "position", jstr(u->position));
    return o;
}

struct args {
    const char *mapping, *connector;
    char world[4300], xw[4300], tax[4300];
    long long limit;
};

static int on_option(void *ctx, int opt, const char *arg)
{
    struct args *a = ctx;
    switch (opt) {
    case 'm':
        a->mapping = arg;
        return 0;
    case 'c':
        a->connector = arg;
        return 0;
    case 'w':
        snprintf(a->world, sizeof(a->world), "%s", arg);
        return 0;
    case 'x':
        snprintf(a->xw, sizeof(a->xw), "%s", arg);
        return 0;
    case 't':
        snprintf(a->tax, sizeof(a->tax), "%s", arg);
        return 0;
    case 'n':
        a->limit = atoll(arg);
        return 0;
    default:
        return OG_EXIT_USAGE;
    }
}

int og_cli_print_batch(void *ctx, const struct og_batch *b, struct og_error *err)
{
    (void)ctx, (void)err;
    for (size_t i = 0; i < b->nrecs; i++) {
        json_t *o = unified_json(&b->recs[i]);
        char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        if (s)
            puts(s);
        free(s);
        json_decref(o);
    }
    for (size_t i = 0; i < b->nrejs; i++) {
        const struct og_reject *r = &b->rejs[i];
        fprintf(stderr, "%s: rejected: %s: %s\n", r->position, og_reason_name(r->reason),
                r->message);
    }
    fflush(stdout);
    return 0;
}

/* The sink of `map`: each committed batch printed. Nothing is looked up: every file is read
 * whole. */
static int print_batch(void *ctx, const struct og_batch *b, void *lane, struct og_load_stats *st,
                       struct og_error *err)
{
    (void)lane;
    st->inserted += (long long)b->nrecs;
    return og_cli_print_batch(ctx, b, err);
}

static int no_recover(void *ctx, struct og_error *err)
{
    (void)ctx, (void)err;
    return 0;
}

static int run(struct og_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"mapping", required_argument, NULL, 'm'},
                                         {"connector", required_argument, NULL, 'c'},
                                         {"world", required_argument, NULL, 'w'},
                                         {"crosswalks", required_argument, NULL, 'x'},
                                         {"taxonomy", required_argument, NULL, 't'},
                                         {"limit", required_argument, NULL, 'n'},
                                         {0, 0, 0, 0}};
    struct args a = {NULL, NULL, "", "", "", 0};
    snprintf(a.world, sizeof(a.world), "%s/world/jinping", cli->datadir);
    snprintf(a.xw, sizeof(a.xw), "%s/mappings/crosswalks", cli->datadir);
    snprintf(a.tax, sizeof(a.tax), "%s/mappings/taxonomy/categories.csv", cli->datadir);
    int code = og_cli_parse(cli, help, argc, argv, "m:c:n:", opts, on_option, &a);
    if (code != OG_CLI_GO)
        return code;
    if (!a.mapping || optind != argc - 1) {
        fprintf(stderr, "onegrid map: give --mapping FILE and exactly one INPUT file\n");
        help(stderr);
        return OG_EXIT_USAGE;
    }
    const char *input = argv[optind];
    struct og_error err;
    og_error_clear(&err);
    struct og_mapping *m = NULL;
    struct og_world w;
    memset(&w, 0, sizeof(w));
    struct og_reconciler *rec = NULL;
    struct og_feed feed;
    memset(&feed, 0, sizeof(feed));
    json_t *options = NULL;
    code = OG_EXIT_USAGE;
    struct og_id_key key;
    struct og_error kerr;
    bool have_key = og_cli_id_key(&key, &kerr) == 0;
    if (og_mapping_load(a.mapping, &m, &err) < 0 ||
        og_feed_resolve(m, a.connector, NULL, &feed, &err) < 0 ||
        og_world_read_dir(a.world, a.xw, &w, &err) < 0 ||
        og_reconciler_create(&w, a.tax, have_key ? &key : NULL, &rec, &err) < 0) {
        og_cli_report(cli, "map", &err);
        goto out;
    }
    /* a feed that is not files (Kafka) is read from a file of its messages, one per line,
     * KEY<TAB>JSON as kcat writes them, with the same record shape */
    json_t *keyed = feed.source ? json_pack("{s:b}", "keyed", 1) : NULL;
    options = og_files_options(&input, 1, feed.source ? "ndjson" : feed.name,
                               feed.source ? keyed : feed.options, true);
    json_decref(keyed);
    if (!options) {
        og_error_set(&err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
        og_cli_report(cli, "map", &err);
        code = OG_EXIT_FAIL;
        goto out;
    }
    struct og_sink sink = {.commit = print_batch, .recover = no_recover};
    struct og_pipeline p = {.sink = &sink,
                            .log = &cli->log,
                            .batch_size = 1000,
                            .stop = cli->stop,
                            .commit_attempts = 1,
                            .limit = a.limit};
    const struct og_step step = {m, rec, "map", NULL};
    struct og_source_stats st;
    memset(&st, 0, sizeof(st));
    int rc = og_pipeline_source(&p, "map", &og_files_source, options, &step, &st, &err);
    fprintf(stderr, "%lld records read, %lld mapped, %lld rejected\n", st.read, st.records,
            st.rejected);
    code = OG_EXIT_OK;
    if (rc < 0) {
        og_cli_report(cli, "map", &err);
        code = og_cli_exit_for(&err);
    }
out:
    json_decref(options);
    og_feed_release(&feed);
    og_reconciler_destroy(rec);
    og_world_free(&w);
    og_mapping_destroy(m);
    return code;
}

const struct og_command og_cmd_map = {
    "map", "print the unified records a feed file yields (NDJSON), no warehouse", run, help};
