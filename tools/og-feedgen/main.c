/* main.c - og-feedgen's options, its two modes (all feeds / HL only) and MANIFEST.json.
 *
 * og-feedgen is the deterministic generator of the sample department feeds (UM-1, FR-1, HL-2):
 *   og-feedgen --world DIR [--crosswalks DIR] --out DIR [--seed N] [--um N] [--fr N] [--hl N]
 *   og-feedgen --world DIR [--crosswalks DIR] --hl N --hl-out FILE|-
 *
 * Same arguments give the same bytes: own PRNG (splitmix64-seeded xoshiro256**, one stream per
 * feed), fixed float formatting, no locale, no clock. Points are sampled inside the unified grids
 * of the world (WGS-84) and written in each department's coordinate system (UM, HL: GCJ-02;
 * FR: BD-09). Defects are injected at a few percent each and counted in MANIFEST.json (see
 * samples/README.md). The HL stream does not depend on the mode, so `--hl 1500 --hl-out -`
 * reproduces samples/hl/hl_visits_20200203.ndjson byte for byte.
 *
 * Files: world.c reads the world, sample.c draws points, names and ID numbers, feed.c holds the
 * tallies, civil time and JSON strings, um.c / fr.c / hl.c write the three feeds; the PRNG, CSV,
 * file and naming helpers shared with og-worldgen are in tools/common/. */
#include "tools/common/io.h"
#include "tools/common/text.h"
#include "tools/og-feedgen/feedgen.h"

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
    }
    if (hl) {
        json_object_set_new(o, "members", json_integer(st->members));
    }
    return o;
}

struct opts {
    const char *world, *crosswalks, *out, *hl_out;
    uint64_t seed;
    long um, fr, hl;
};

static int run_all(const struct fg_world *w, const struct opts *o)
{
    char path[4096];
    struct fg_feed_stats um = {0}, fr = {0}, hl = {0};
    struct og_buf b = OG_BUF_INIT;
    struct og_error err;
    og_error_clear(&err);
    int rc = 0;
    const char *dirs[] = {"um", "fr", "hl"};
    for (int i = 0; i < 3 && rc == 0; i++) {
        snprintf(path, sizeof path, "%s/%s", o->out, dirs[i]);
        rc = mkdir_p(path);
        if (rc) {
            fprintf(stderr, "og-feedgen: could not create \"%s\": %s\n", path, strerror(errno));
            return rc;
        }
    }

    rc = fg_gen_um(w, o->seed, o->um, &b, &um);
    snprintf(path, sizeof path, "%s/um/um_cases_20200203.json", o->out);
    rc = rc ? rc : write_file(path, b.data, b.len);
    og_buf_reset(&b);
    snprintf(path, sizeof path, "%s/um/service_codes.csv", o->out);
    rc = rc ? rc : fg_um_service_codes(&b);
    rc = rc ? rc : write_file(path, b.data, b.len);
    og_buf_reset(&b);

    rc = rc ? rc : fg_gen_fr(w, o->seed, o->fr, &b, &fr);
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
            return OG_EIO;
        }
        rc = fg_gen_hl(w, o->seed, o->hl, f, false, &hl);
        if (fclose(f) != 0 && rc == 0) {
            rc = OG_EIO;
        }
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
        json_object_set_new(man, "feeds", feeds);
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
    if (rc == 0) {
        fprintf(stderr,
                "og-feedgen: um %ld elements (%ld loaded), fr %ld rows (%ld loaded), hl %ld visits "
                "(%ld loaded, "
                "%ld members) -> %s\n",
                um.written, um.loaded, fr.written, fr.loaded, hl.written, hl.loaded, hl.members,
                o->out);
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

static void usage(FILE *f)
{
    fputs("usage: og-feedgen --world DIR [--crosswalks DIR] --out DIR [--seed N] [--um N] [--fr N] "
          "[--hl N]\n"
          "       og-feedgen --world DIR [--crosswalks DIR] --hl N --hl-out FILE|-\n"
          "  --world DIR       world folder (divisions.csv, grids.geojson, dept_grids.geojson)\n"
          "  --crosswalks DIR  crosswalk CSVs (default: mappings/crosswalks)\n"
          "  --out DIR         writes um/, fr/, hl/ and MANIFEST.json\n"
          "  --seed N          PRNG seed (default 20200203)\n"
          "  --um N            UM cases (default 1200), --fr N rows (800), --hl N visits (1500)\n"
          "  --hl-out FILE     write only the HL-2 NDJSON (\"-\": stdout), streaming, progress on "
          "stderr\n",
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

int main(int argc, char **argv)
{
    struct opts o = {
        .crosswalks = "mappings/crosswalks", .seed = 20200203, .um = 1200, .fr = 800, .hl = 1500};
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
        else if (strcmp(a, "--seed") == 0) {
            char *end = NULL;
            errno = 0;
            o.seed = strtoull(v, &end, 10);
            if (errno || !end || *end || *v == '-') {
                fprintf(stderr, "og-feedgen: --seed wants a non-negative integer, got \"%s\"\n", v);
                return 2;
            }
        }
        else if ((strcmp(a, "--um") == 0 || strcmp(a, "--fr") == 0 || strcmp(a, "--hl") == 0)) {
            if (parse_count(v, &n) != 0) {
                fprintf(stderr, "og-feedgen: %s wants a count 0..100000000, got \"%s\"\n", a, v);
                return 2;
            }
            *(a[2] == 'u' ? &o.um : a[2] == 'f' ? &o.fr : &o.hl) = n;
        }
        else {
            fprintf(stderr, "og-feedgen: unknown option \"%s\"\n", a);
            usage(stderr);
            return 2;
        }
        i++;
    }
    if (!o.world || (!o.out && !o.hl_out) || (o.out && o.hl_out)) {
        fprintf(stderr, "og-feedgen: give --world and exactly one of --out or --hl-out\n");
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
    int rc = o.hl_out ? run_hl_only(&w, &o) : run_all(&w, &o);
    fg_world_free(&w);
    return rc ? 1 : 0;
}
