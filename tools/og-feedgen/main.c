/* main.c - og-feedgen's options, its two modes (all feeds / single streamed feeds) and
 * MANIFEST.json.
 *
 * og-feedgen is the deterministic generator of the sample department feeds (UM-1 as Open311 JSON
 * and XML, FR-1, HL-2, PS-1 XML exports, and the Kafka feeds PS-2 and HL-1 as kcat input files):
 *   og-feedgen --world DIR [--crosswalks DIR] --out DIR [--seed N] [--um N] [--fr N] [--hl N]
 *              [--ps2 N] [--hl1 N] [--ps1 N]
 *   og-feedgen --world DIR [--crosswalks DIR] [--hl N --hl-out FILE|-] [--ps2 N --ps2-out FILE|-]
 *              [--hl1 N --hl1-out FILE|-] [--ps1 N --ps1-out FILE|-]
 *
 * Same arguments give the same bytes: own PRNG (splitmix64-seeded xoshiro256**, one stream per
 * feed), fixed float formatting, no locale, no clock. Points are sampled inside the unified grids
 * of the world (WGS-84) and written in each department's coordinate system (UM, HL: GCJ-02;
 * FR: BD-09; PS: CGCS2000). Defects are injected at a few percent each and counted in
 * MANIFEST.json (see samples/README.md). No stream depends on the mode, so `--hl 1500 --hl-out -`
 * reproduces samples/hl/hl_visits_20200203.ndjson byte for byte, and `--ps2 1200 --ps2-out -` and
 * `--hl1 1500 --hl1-out -` (with the default --hl 1500, whose visits HL-1 shares persons with)
 * reproduce the two .kcat files.
 *
 * PS-1 (ps_population): with --out, --ps1 N is the number of residents of the first full export
 * (default 1500; houses are a fifth of that) and four files are written into ps/: the full export,
 * a day of changes, a file cut off mid-record and a hostile one (DOCTYPE with entities), with the
 * expected outcome in the manifest; residents are shared with the --hl HL-2 visits. With
 * --ps1-out, --ps1 N is the number of records of ONE well-formed file (residents and houses mixed,
 * the same generator, no cut, no DOCTYPE), streamed in GB18030 with bounded memory, for
 * benchmarks.
 *
 * Files: world.c reads the world, sample.c draws points, names and ID numbers, feed.c holds the
 * tallies, civil time, JSON strings and blocks of Kafka lines, um.c / fr.c / hl.c write the three
 * file feeds (um.c also the XML form of UM-1), ps.c and hl1.c the two Kafka feeds; for PS-1,
 * ps1.c makes residents and houses, ps1_xml.c their XML records and the streamed file, ps1_files.c
 * the sample files and ps1_outcome.c what loading them gives; ht1.c writes HT-1, the hotline's
 * table hotline.ticket as a SQL script (--ht N tickets, default 500; --ht-out FILE alone); the
 * PRNG, CSV, file and naming helpers shared with og-worldgen are in tools/common/. */
#include "tools/common/io.h"
#include "tools/common/text.h"
#include "tools/og-feedgen/feedgen.h"
#include "tools/og-feedgen/ht1.h"
#include "tools/og-feedgen/links.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int mkdir_p(const char *path)
{
    char tmp[4096];
    og_tool_scopy(tmp, sizeof tmp, path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
                return OG_EIO;
            }
            *p = '/';
        }
    }
    return mkdir(tmp, 0755) != 0 && errno != EEXIST ? OG_EIO : 0;
}

/* Writes data[0..len) to path atomically; says why on stderr when it cannot. 0 or OG_EIO. */
static int write_file(const char *path, const void *data, size_t len)
{
    struct og_error err;
    og_error_clear(&err);
    int rc = og_tool_write_file(path, data, len, &err);
    if (rc) {
        char msg[1024];
        fprintf(stderr, "og-feedgen: %s\n", og_error_format(&err, msg, sizeof msg));
    }
    return rc;
}

static json_t *tally_json(const struct fg_tally *t)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < t->n; i++) {
        json_object_set_new(o, t->names[i], json_integer(t->counts[i]));
    }
    return o;
}

static json_t *feed_json(const char *file, const struct fg_feed_stats *st, bool um, bool hl)
{
    json_t *o = json_object();
    json_object_set_new(o, "file", json_string(file));
    json_object_set_new(o, "records_written", json_integer(st->written));
    json_object_set_new(o, "expected_loaded", json_integer(st->loaded));
    json_object_set_new(o, "expected_rejected_by_reason", tally_json(&st->rejected));
    json_object_set_new(o, "defects", tally_json(&st->defects));
    if (um) {
        json_object_set_new(o, "updates", json_integer(st->updates));
        json_object_set_new(o, "xml_file", json_string("um/um_cases_20200203.xml"));
        json_object_set_new(o, "xml_records", json_integer(st->xml_records));
        json_object_set_new(o, "xml_left_out", json_integer(st->xml_left_out));
    }
    if (hl) {
        json_object_set_new(o, "members", json_integer(st->members));
    }
    return o;
}

static json_t *ps_json(const char *file, const struct fg_feed_stats *st,
                       const struct fg_ps_outcome *po)
{
    json_t *o = json_object();
    json_object_set_new(o, "file", json_string(file));
    json_object_set_new(o, "topic", json_string("ps.incidents"));
    json_object_set_new(o, "messages_written", json_integer(st->written));
    json_object_set_new(o, "expected_loaded", json_integer(st->loaded));
    json_object_set_new(o, "expected_rejected_by_reason", tally_json(&st->rejected));
    json_object_set_new(o, "defects", tally_json(&st->defects));
    json_object_set_new(o, "incidents", json_integer(po->incidents));
    json_object_set_new(o, "history_rows", json_integer(po->history_rows));
    json_t *fs = json_object();
    json_object_set_new(fs, "reported", json_integer(po->final_status[PS_REPORTED]));
    json_object_set_new(fs, "dispatched", json_integer(po->final_status[PS_DISPATCHED]));
    json_object_set_new(fs, "closed", json_integer(po->final_status[PS_CLOSED]));
    json_object_set_new(o, "final_status_counts", fs);
    json_t *cats = json_object();
    for (const struct fg_code_name *t = fg_ps_types(); t->code; t++) {
        json_object_set_new(cats, t->code, json_string(t->name));
    }
    json_object_set_new(o, "categories", cats);
    return o;
}

static json_t *hl1_json(const char *file, const struct fg_feed_stats *st,
                        const struct fg_hl1_outcome *ho)
{
    json_t *o = json_object();
    json_object_set_new(o, "file", json_string(file));
    json_object_set_new(o, "topic", json_string("hl.healthcode"));
    json_object_set_new(o, "messages_written", json_integer(st->written));
    json_object_set_new(o, "expected_loaded", json_integer(st->loaded));
    json_object_set_new(o, "expected_rejected_by_reason", tally_json(&st->rejected));
    json_object_set_new(o, "defects", tally_json(&st->defects));
    json_object_set_new(o, "changes", json_integer(ho->changes));
    json_object_set_new(o, "persons", json_integer(ho->persons));
    json_t *cc = json_object();
    json_object_set_new(cc, "green", json_integer(ho->current[HC_GREEN]));
    json_object_set_new(cc, "yellow", json_integer(ho->current[HC_YELLOW]));
    json_object_set_new(cc, "red", json_integer(ho->current[HC_RED]));
    json_object_set_new(o, "current_color_counts", cc);
    json_object_set_new(o, "passports", json_integer(ho->passports));
    json_object_set_new(o, "shared_persons_with_hl_visits", json_integer(ho->shared));
    return o;
}

struct opts {
    const char *world, *crosswalks, *out, *hl_out, *ps2_out, *hl1_out, *ps1_out, *ht_out;
    uint64_t seed;
    long um, fr, hl, ps2, hl1, ps1, ht;
};

/* Creates path ("-": stdout) and streams the HT-1 SQL script of o->ht tickets into it. 0 or a
 * negative code (said on stderr). */
static int write_ht(const struct fg_world *w, const struct opts *o, const struct fg_plant *pl,
                    const char *path, struct fg_feed_stats *st, struct fg_ht_outcome *out)
{
    bool to_stdout = strcmp(path, "-") == 0;
    FILE *f = to_stdout ? stdout : fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "og-feedgen: could not create \"%s\": %s\n", path, strerror(errno));
        return OG_EIO;
    }
    int rc = fg_gen_ht_planted(w, o->seed, o->ht, pl, f, st, out);
    if ((to_stdout ? fflush(f) : fclose(f)) != 0 && rc == 0) {
        rc = OG_EIO;
    }
    if (rc) {
        fprintf(stderr, "og-feedgen: could not write \"%s\"\n", path);
    }
    return rc;
}

/* Creates path and streams one Kafka feed into it (gen: 0 PS-2, 1 HL-1). 0 or a negative code. */
static int write_kafka_feed(const struct fg_world *w, const struct opts *o, const char *path,
                            int gen, bool progress, struct fg_feed_stats *st,
                            struct fg_ps_outcome *po, struct fg_hl1_outcome *ho)
{
    bool to_stdout = strcmp(path, "-") == 0;
    FILE *f = to_stdout ? stdout : fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "og-feedgen: could not create \"%s\": %s\n", path, strerror(errno));
        return OG_EIO;
    }
    int rc = gen == 0 ? fg_gen_ps2(w, o->seed, o->ps2, f, progress, st, po)
                      : fg_gen_hl1(w, o->seed, o->hl1, o->hl, f, progress, st, ho);
    if ((to_stdout ? fflush(f) : fclose(f)) != 0 && rc == 0) {
        rc = OG_EIO;
    }
    if (rc) {
        fprintf(stderr, "og-feedgen: could not write \"%s\"\n", path);
    }
    return rc;
}

static int run_all(const struct fg_world *w, const struct opts *o)
{
    char path[4096];
    struct fg_feed_stats um = {0}, fr = {0}, hl = {0}, ps2 = {0}, hl1 = {0}, ht = {0};
    struct fg_ht_outcome ht_out = {0};
    struct fg_ps_outcome ps2_out = {0};
    struct fg_hl1_outcome hl1_out = {0};
    struct og_buf b = OG_BUF_INIT, xb = OG_BUF_INIT;
    json_t *ps1_man = NULL;
    struct fg_plant plant = {0};
    struct og_error err;
    og_error_clear(&err);
    int rc = 0;
    const char *dirs[] = {"um", "fr", "hl", "ps", "ht"};
    for (int i = 0; i < 5 && rc == 0; i++) {
        snprintf(path, sizeof path, "%s/%s", o->out, dirs[i]);
        rc = mkdir_p(path);
        if (rc) {
            fprintf(stderr, "og-feedgen: could not create \"%s\": %s\n", path, strerror(errno));
            return rc;
        }
    }

    /* the link cases planted into UM-1, FR-1 and HT-1 (after their ordinary records) */
    rc = fg_plant_make(w, o->seed, &plant);
    rc = rc ? rc : fg_gen_um_planted(w, o->seed, o->um, &plant, &b, &xb, &um);
    snprintf(path, sizeof path, "%s/um/um_cases_20200203.json", o->out);
    rc = rc ? rc : write_file(path, b.data, b.len);
    og_buf_reset(&b);
    snprintf(path, sizeof path, "%s/um/um_cases_20200203.xml", o->out);
    rc = rc ? rc : write_file(path, xb.data, xb.len);
    og_buf_free(&xb);
    snprintf(path, sizeof path, "%s/um/service_codes.csv", o->out);
    rc = rc ? rc : fg_um_service_codes(&b);
    rc = rc ? rc : write_file(path, b.data, b.len);
    og_buf_reset(&b);

    rc = rc ? rc : fg_gen_fr(w, o->seed, o->fr, &b, &fr);
    rc = rc ? rc : fg_gen_fr_planted(w, o->seed, &plant, &b, &fr);
    if (rc == 0) {
        char *gb = NULL;
        size_t gblen = 0;
        rc = fg_to_gb18030(b.data, b.len, &gb, &gblen, &err);
        snprintf(path, sizeof path, "%s/fr/fr_inspections_20200203.csv", o->out);
        rc = rc ? rc : write_file(path, gb, gblen);
        free(gb);
    }
    og_buf_free(&b);

    if (rc == 0) {
        snprintf(path, sizeof path, "%s/hl/hl_visits_20200203.ndjson", o->out);
        FILE *f = fopen(path, "wb");
        if (!f) {
            fprintf(stderr, "og-feedgen: could not create \"%s\": %s\n", path, strerror(errno));
            fg_plant_free(&plant);
            return OG_EIO;
        }
        rc = fg_gen_hl(w, o->seed, o->hl, f, false, &hl);
        if (fclose(f) != 0 && rc == 0) {
            rc = OG_EIO;
        }
    }
    if (rc == 0) {
        snprintf(path, sizeof path, "%s/ps/ps_incidents_20200203.kcat", o->out);
        rc = write_kafka_feed(w, o, path, 0, false, &ps2, &ps2_out, NULL);
    }
    if (rc == 0) {
        snprintf(path, sizeof path, "%s/hl/hl_healthcode_20200203.kcat", o->out);
        rc = write_kafka_feed(w, o, path, 1, false, &hl1, NULL, &hl1_out);
    }
    if (rc == 0) {
        snprintf(path, sizeof path, "%s/ps", o->out);
        rc = fg_gen_ps1_files(w, o->seed, o->ps1, o->hl, path, &ps1_man);
    }
    if (rc == 0) {
        snprintf(path, sizeof path, "%s/ht/hotline_20200203.sql", o->out);
        rc = write_ht(w, o, &plant, path, &ht, &ht_out);
    }
    if (rc == 0) {
        json_t *man = json_object();
        json_object_set_new(man, "generator", json_string("og-feedgen"));
        json_object_set_new(man, "seed", json_integer((json_int_t)o->seed));
        json_object_set_new(man, "timezone", json_string("Asia/Shanghai"));
        json_t *feeds = json_object();
        json_object_set_new(feeds, "um_cases",
                            feed_json("um/um_cases_20200203.json", &um, true, false));
        json_object_set_new(feeds, "fr_inspections",
                            feed_json("fr/fr_inspections_20200203.csv", &fr, false, false));
        json_object_set_new(feeds, "hl_visits",
                            feed_json("hl/hl_visits_20200203.ndjson", &hl, false, true));
        json_object_set_new(feeds, "ps_incidents",
                            ps_json("ps/ps_incidents_20200203.kcat", &ps2, &ps2_out));
        json_object_set_new(feeds, "hl_healthcode",
                            hl1_json("hl/hl_healthcode_20200203.kcat", &hl1, &hl1_out));
        json_object_set_new(feeds, "ps_population", ps1_man);
        ps1_man = NULL;
        json_object_set_new(feeds, "ht_tickets",
                            fg_ht_manifest("ht/hotline_20200203.sql", &ht, &ht_out));
        json_object_set_new(man, "feeds", feeds);
        json_object_set_new(man, "links", fg_plant_manifest(&plant));
        char *text = json_dumps(man, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        json_decref(man);
        if (!text) {
            rc = OG_ENOMEM;
        }
        else {
            snprintf(path, sizeof path, "%s/MANIFEST.json", o->out);
            struct og_buf mb = OG_BUF_INIT;
            rc = og_buf_puts(&mb, text);
            rc = rc ? rc : og_buf_putc(&mb, '\n');
            rc = rc ? rc : write_file(path, mb.data, mb.len);
            og_buf_free(&mb);
            free(text);
        }
    }
    json_decref(ps1_man);
    fg_plant_free(&plant);
    if (rc == 0) {
        fprintf(stderr,
                "og-feedgen: um %ld elements (%ld loaded), fr %ld rows (%ld loaded), hl %ld visits "
                "(%ld loaded, "
                "%ld members), ps2 %ld messages (%ld loaded), hl1 %ld messages (%ld loaded), ps1 "
                "%ld residents, ht %ld tickets -> "
                "%s\n",
                um.written, um.loaded, fr.written, fr.loaded, hl.written, hl.loaded, hl.members,
                ps2.written, ps2.loaded, hl1.written, hl1.loaded, o->ps1, ht.written, o->out);
    }
    else if (err.code) {
        char msg[1024];
        fprintf(stderr, "og-feedgen: %s\n", og_error_format(&err, msg, sizeof msg));
    }
    return rc;
}

static int run_hl_only(const struct fg_world *w, const struct opts *o)
{
    struct fg_feed_stats hl = {0};
    bool to_stdout = strcmp(o->hl_out, "-") == 0;
    FILE *f = to_stdout ? stdout : fopen(o->hl_out, "wb");
    if (!f) {
        fprintf(stderr, "og-feedgen: could not create \"%s\": %s\n", o->hl_out, strerror(errno));
        return OG_EIO;
    }
    int rc = fg_gen_hl(w, o->seed, o->hl, f, true, &hl);
    if ((to_stdout ? fflush(f) : fclose(f)) != 0 && rc == 0) {
        rc = OG_EIO;
    }
    if (rc) {
        fprintf(stderr, "og-feedgen: could not write \"%s\"\n", o->hl_out);
        return rc;
    }
    fprintf(stderr,
            "og-feedgen: hl %ld visits, %ld expected loaded, %ld members; rejected bad_json %ld, "
            "invalid_time %ld\n",
            hl.written, hl.loaded, hl.members, fg_tally_get(&hl.rejected, "bad_json"),
            fg_tally_get(&hl.rejected, "invalid_time"));
    return 0;
}

static int run_ps2_only(const struct fg_world *w, const struct opts *o)
{
    struct fg_feed_stats st = {0};
    struct fg_ps_outcome po = {0};
    int rc = write_kafka_feed(w, o, o->ps2_out, 0, true, &st, &po, NULL);
    if (rc == 0) {
        fprintf(stderr,
                "og-feedgen: ps2 %ld messages, %ld expected loaded, %ld incidents, %ld history "
                "rows; rejected bad_json %ld, missing_field %ld, invalid_time %ld\n",
                st.written, st.loaded, po.incidents, po.history_rows,
                fg_tally_get(&st.rejected, "bad_json"), fg_tally_get(&st.rejected, "missing_field"),
                fg_tally_get(&st.rejected, "invalid_time"));
    }
    return rc;
}

static int run_hl1_only(const struct fg_world *w, const struct opts *o)
{
    struct fg_feed_stats st = {0};
    struct fg_hl1_outcome ho = {0};
    int rc = write_kafka_feed(w, o, o->hl1_out, 1, true, &st, NULL, &ho);
    if (rc == 0) {
        fprintf(stderr,
                "og-feedgen: hl1 %ld messages, %ld expected loaded, %ld persons (%ld shared with "
                "%ld HL-2 visits); rejected bad_json %ld, missing_field %ld, invalid_time %ld, "
                "unknown_code %ld\n",
                st.written, st.loaded, ho.persons, ho.shared, o->hl,
                fg_tally_get(&st.rejected, "bad_json"), fg_tally_get(&st.rejected, "missing_field"),
                fg_tally_get(&st.rejected, "invalid_time"),
                fg_tally_get(&st.rejected, "unknown_code"));
    }
    return rc;
}

static int run_ps1_only(const struct fg_world *w, const struct opts *o)
{
    struct fg_feed_stats st = {0};
    struct fg_ps1_stream_outcome po = {0};
    bool to_stdout = strcmp(o->ps1_out, "-") == 0;
    FILE *f = to_stdout ? stdout : fopen(o->ps1_out, "wb");
    if (!f) {
        fprintf(stderr, "og-feedgen: could not create \"%s\": %s\n", o->ps1_out, strerror(errno));
        return OG_EIO;
    }
    int rc = fg_gen_ps1_stream(w, o->seed, o->ps1, o->hl, f, true, &st, &po);
    if ((to_stdout ? fflush(f) : fclose(f)) != 0 && rc == 0) {
        rc = OG_EIO;
    }
    if (rc) {
        fprintf(stderr, "og-feedgen: could not write \"%s\"\n", o->ps1_out);
        return rc;
    }
    fprintf(stderr,
            "og-feedgen: ps1 %ld records, %ld expected loaded (%ld residents, %ld of them members "
            "of the %ld HL-2 visits, %ld houses); rejected missing_field %ld, invalid_time %ld\n",
            st.written, st.loaded, po.residents, po.shared, o->hl, po.houses,
            fg_tally_get(&st.rejected, "missing_field"),
            fg_tally_get(&st.rejected, "invalid_time"));
    return 0;
}

static int run_ht_only(const struct fg_world *w, const struct opts *o)
{
    struct fg_feed_stats st = {0};
    struct fg_ht_outcome out = {0};
    int rc = write_ht(w, o, NULL, o->ht_out, &st, &out);
    if (rc == 0) {
        fprintf(stderr,
                "og-feedgen: ht %ld tickets (point %ld, community %ld, none %ld; %ld unmapped "
                "categories); watermark at the end (%s, %s)\n",
                out.tickets, out.by_method[0], out.by_method[1], out.by_method[2], out.unmapped,
                out.last_updated_at, out.last_ticket_no);
    }
    return rc;
}

static void usage(FILE *f)
{
    fputs(
        "usage: og-feedgen --world DIR [--crosswalks DIR] --out DIR [--seed N] [--um N] [--fr N] "
        "[--hl N] [--ps2 N] [--hl1 N] [--ps1 N] [--ht N]\n"
        "       og-feedgen --world DIR [--crosswalks DIR] [--hl N --hl-out FILE|-] "
        "[--ps2 N --ps2-out FILE|-] [--hl1 N --hl1-out FILE|-] [--ps1 N --ps1-out FILE|-] "
        "[--ht N --ht-out FILE|-]\n"
        "  --world DIR       world folder (divisions.csv, grids.geojson, dept_grids.geojson)\n"
        "  --crosswalks DIR  crosswalk CSVs (default: mappings/crosswalks)\n"
        "  --out DIR         writes um/, fr/, hl/, ps/, ht/ and MANIFEST.json\n"
        "  --seed N          PRNG seed (default 20200203)\n"
        "  --um N            UM cases (default 1200), --fr N rows (800), --hl N visits (1500)\n"
        "  --ps2 N           PS-2 messages (default 1200), --hl1 N HL-1 messages (1500); HL-1\n"
        "                    shares persons with the first --hl HL-2 visits\n"
        "  --ps1 N           PS-1 residents of the first export (default 1500; houses N/5);\n"
        "                    with --ps1-out, the records of the one file; PS-1 shares persons\n"
        "                    with the first --hl HL-2 visits\n"
        "  --ht N            HT-1 12345 tickets (default 500)\n"
        "  --hl-out FILE     write only the HL-2 NDJSON (\"-\": stdout), streaming, progress on "
        "stderr\n"
        "  --ps2-out FILE    write only the PS-2 kcat lines (KEY TAB JSON), streaming\n"
        "  --hl1-out FILE    write only the HL-1 kcat lines (KEY TAB JSON), streaming\n"
        "  --ps1-out FILE    write only one PS-1 XML file (GB18030) of --ps1 records, streaming\n"
        "  --ht-out FILE     write only the HT-1 SQL script (CREATE TABLE hotline.ticket, COPY)\n",
        f);
}

static int parse_count(const char *s, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || !end || *end || v < 0 || v > 100000000L) {
        return -1;
    }
    *out = v;
    return 0;
}

/* The count an option sets (--um, --fr, --hl, --ps2, --hl1, --ps1, --ht), or NULL. */
static long *count_opt(struct opts *o, const char *a)
{
    return strcmp(a, "--um") == 0    ? &o->um
           : strcmp(a, "--fr") == 0  ? &o->fr
           : strcmp(a, "--hl") == 0  ? &o->hl
           : strcmp(a, "--ps2") == 0 ? &o->ps2
           : strcmp(a, "--hl1") == 0 ? &o->hl1
           : strcmp(a, "--ps1") == 0 ? &o->ps1
           : strcmp(a, "--ht") == 0  ? &o->ht
                                     : NULL;
}

int main(int argc, char **argv)
{
    struct opts o = {.crosswalks = "mappings/crosswalks",
                     .seed = 20200203,
                     .um = 1200,
                     .fr = 800,
                     .hl = 1500,
                     .ps2 = 1200,
                     .hl1 = 1500,
                     .ps1 = 1500,
                     .ht = 500};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n = 0;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (!v) {
            fprintf(stderr, "og-feedgen: %s needs a value (or is unknown)\n", a);
            usage(stderr);
            return 2;
        }
        if (strcmp(a, "--world") == 0) {
            o.world = v;
        }
        else if (strcmp(a, "--crosswalks") == 0) {
            o.crosswalks = v;
        }
        else if (strcmp(a, "--out") == 0) {
            o.out = v;
        }
        else if (strcmp(a, "--hl-out") == 0) {
            o.hl_out = v;
        }
        else if (strcmp(a, "--ps2-out") == 0) {
            o.ps2_out = v;
        }
        else if (strcmp(a, "--hl1-out") == 0) {
            o.hl1_out = v;
        }
        else if (strcmp(a, "--ps1-out") == 0) {
            o.ps1_out = v;
        }
        else if (strcmp(a, "--ht-out") == 0) {
            o.ht_out = v;
        }
        else if (strcmp(a, "--seed") == 0) {
            char *end = NULL;
            errno = 0;
            o.seed = strtoull(v, &end, 10);
            if (errno || !end || *end || *v == '-') {
                fprintf(stderr, "og-feedgen: --seed wants a non-negative integer, got \"%s\"\n", v);
                return 2;
            }
        }
        else if (count_opt(&o, a)) {
            if (parse_count(v, &n) != 0) {
                fprintf(stderr, "og-feedgen: %s wants a count 0..100000000, got \"%s\"\n", a, v);
                return 2;
            }
            *count_opt(&o, a) = n;
        }
        else {
            fprintf(stderr, "og-feedgen: unknown option \"%s\"\n", a);
            usage(stderr);
            return 2;
        }
        i++;
    }
    bool single = o.hl_out || o.ps2_out || o.hl1_out || o.ps1_out || o.ht_out;
    int nstdout =
        (o.hl_out && strcmp(o.hl_out, "-") == 0) + (o.ps2_out && strcmp(o.ps2_out, "-") == 0) +
        (o.hl1_out && strcmp(o.hl1_out, "-") == 0) + (o.ps1_out && strcmp(o.ps1_out, "-") == 0) +
        (o.ht_out && strcmp(o.ht_out, "-") == 0);
    if (!o.world || (!o.out && !single) || (o.out && single) || nstdout > 1) {
        fprintf(stderr, "og-feedgen: give --world and either --out or any of --hl-out, "
                        "--ps2-out, --hl1-out, --ps1-out, --ht-out (at most one of them \"-\")\n");
        usage(stderr);
        return 2;
    }
    struct fg_world w;
    struct og_error err;
    og_error_clear(&err);
    if (fg_world_load(&w, o.world, o.crosswalks, &err) != 0) {
        char msg[1024];
        fprintf(stderr, "og-feedgen: %s\n", og_error_format(&err, msg, sizeof msg));
        return 1;
    }
    int rc = 0;
    if (o.out) {
        rc = run_all(&w, &o);
    }
    if (rc == 0 && o.hl_out) {
        rc = run_hl_only(&w, &o);
    }
    if (rc == 0 && o.ps2_out) {
        rc = run_ps2_only(&w, &o);
    }
    if (rc == 0 && o.hl1_out) {
        rc = run_hl1_only(&w, &o);
    }
    if (rc == 0 && o.ps1_out) {
        rc = run_ps1_only(&w, &o);
    }
    if (rc == 0 && o.ht_out) {
        rc = run_ht_only(&w, &o);
    }
    fg_world_free(&w);
    return rc ? 1 : 0;
}
