/* fuzz_mapping.c - libFuzzer target: applying the shipped mappings to arbitrary JSON records, and
 * loading arbitrary mapping files.
 *
 * Build and run with tests/fuzz/Makefile.fuzz from the repo root (the shipped mappings are read
 * from mappings/; set ONEGRID_FUZZ_ROOT to run from elsewhere).
 * Input: byte 0 picks the mode. Even: the rest is a JSON document (decoded with Jansson) given to
 * og_mapping_apply with mappings/health/hl_visits.json and mappings/urban/um_cases.json (loaded
 * once). Odd: the rest is a mapping file, written to a temporary folder next to a link to the
 * shipped mappings/taxonomy/ (so "../taxonomy/x.csv" code tables resolve), loaded with
 * og_mapping_load and, when it loads, applied to two sample records.
 * Checks: apply returns 0, OG_EREJECT (with a reason and a field) or OG_ENOMEM; on success every
 * text value is a string, every list has its items, and attrs is a JSON object text.
 */
#include "transform/mapping.h"

#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct og_mapping *shipped[2];
static struct og_arena *arena;
static json_t *samples[2];
static char tmpdir[PATH_MAX];
static char tmpmap[PATH_MAX + 32];

static const char sample_hl[] =
    "{\"visitId\": \"HV2020000000001\", \"workerId\": \"JPW0472\", \"gridCode\": \"440511017004\", "
    "\"visitedAt\": \"2020-02-01T17:32:00+08:00\", \"gps\": {\"lng\": 116.621508, \"lat\": "
    "23.361616, "
    "\"crs\": \"gcj02\"}, \"household\": {\"address\": \"汕头市金平区月浦街道\", \"members\": "
    "[{\"idNo\": \"440511201102183290\", \"name\": \"苏宇玲\", \"temperature\": 37.0, "
    "\"symptoms\": [], "
    "\"travel14d\": [\"武汉\"], \"healthCode\": \"green\"}]}}";
static const char sample_um[] =
    "{\"service_request_id\": \"UM202000010001\", \"status\": \"open\", \"service_code\": "
    "\"0401\", "
    "\"description\": \"绿地损坏\", \"requested_datetime\": \"2020-02-01T18:49:00+08:00\", "
    "\"updated_datetime\": \"2020-02-01T18:49:00+08:00\", \"address\": \"升平路151号\", \"lat\": "
    "23.390121, "
    "\"long\": 116.702552, \"media_url\": null, \"extended_attributes\": {\"unit_grid\": "
    "\"44051101300702\", \"stage\": \"立案\"}}";

static void cleanup(void)
{
    for (int i = 0; i < 2; i++) {
        og_mapping_destroy(shipped[i]);
        json_decref(samples[i]);
    }
    og_arena_destroy(arena);
    if (tmpdir[0]) {
        char p[PATH_MAX + 32];
        unlink(tmpmap);
        snprintf(p, sizeof(p), "%s/taxonomy", tmpdir);
        unlink(p);
        snprintf(p, sizeof(p), "%s/m", tmpdir);
        rmdir(p);
        rmdir(tmpdir);
    }
}

static void setup(void)
{
    const char *root = getenv("ONEGRID_FUZZ_ROOT");
    if (!root)
        root = ".";
    static const char *const files[2] = {"mappings/health/hl_visits.json",
                                         "mappings/urban/um_cases.json"};
    for (int i = 0; i < 2; i++) {
        char path[PATH_MAX];
        struct og_error err;
        snprintf(path, sizeof(path), "%s/%s", root, files[i]);
        if (og_mapping_load(path, &shipped[i], &err) != 0) {
            fprintf(stderr,
                    "fuzz_mapping: cannot load %s: %s (run from the repo root or set "
                    "ONEGRID_FUZZ_ROOT)\n",
                    path, err.message);
            abort();
        }
    }
    arena = og_arena_create(0);
    samples[0] = json_loads(sample_hl, 0, NULL);
    samples[1] = json_loads(sample_um, 0, NULL);
    if (!arena || !samples[0] || !samples[1])
        abort();
    /* A folder for fuzzed mapping files: TMP/m/f.json with TMP/taxonomy -> the shipped code tables.
     */
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof(tmpdir), "%s/og-fuzz-mapping-XXXXXX", t ? t : "/tmp");
    if (!mkdtemp(tmpdir))
        abort();
    char abs_root[PATH_MAX], tax[PATH_MAX + 32], link[PATH_MAX + 32];
    if (!realpath(root, abs_root))
        abort();
    snprintf(tax, sizeof(tax), "%s/mappings/taxonomy", abs_root);
    snprintf(link, sizeof(link), "%s/taxonomy", tmpdir);
    if (symlink(tax, link) != 0)
        abort();
    snprintf(link, sizeof(link), "%s/m", tmpdir);
    if (mkdir(link, 0700) != 0)
        abort();
    snprintf(tmpmap, sizeof(tmpmap), "%s/m/f.json", tmpdir);
    atexit(cleanup);
}

static void check_val(const struct og_mval *v)
{
    switch (v->type) {
    case OG_V_NULL:
    case OG_V_NUM:
    case OG_V_TIME:
        break;
    case OG_V_TEXT:
        if (!v->s)
            abort();
        (void)strlen(v->s);
        break;
    case OG_V_LIST:
        if (v->n && !v->items)
            abort();
        for (size_t i = 0; i < v->n; i++)
            if (!v->items[i])
                abort();
            else
                (void)strlen(v->items[i]);
        break;
    default:
        abort(); /* not a value type */
    }
}

static void apply(const struct og_mapping *m, const json_t *doc)
{
    struct og_mapped out;
    struct og_error err;
    memset(&err, 0, sizeof(err));
    int rc = og_mapping_apply(m, doc, arena, &out, &err);
    if (rc == 0) {
        for (int f = 0; f < OG_F__COUNT; f++)
            check_val(&out.v[f]);
        if (out.nmembers && !out.members)
            abort();
        for (size_t i = 0; i < out.nmembers; i++)
            for (int f = 0; f < OG_M__COUNT; f++)
                check_val(&out.members[i].v[f]);
        if (out.attrs) {
            json_t *a = json_loads(out.attrs, 0, NULL);
            if (!json_is_object(a)) {
                fprintf(stderr, "attrs is not a JSON object: %s\n", out.attrs);
                abort();
            }
            json_decref(a);
        }
    }
    else if (rc == OG_EREJECT) {
        if (err.reason == OG_R_NONE)
            abort(); /* a reject says why */
    }
    else if (rc != OG_ENOMEM) {
        fprintf(stderr, "og_mapping_apply: undocumented code %d (%s)\n", rc, err.message);
        abort();
    }
    og_arena_reset(arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!arena)
        setup();
    if (size == 0)
        return 0;
    unsigned sel = data[0];
    data++;
    size--;
    if ((sel & 1) == 0) {
        json_t *doc = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        if (doc) {
            apply(shipped[0], doc);
            apply(shipped[1], doc);
            json_decref(doc);
        }
        return 0;
    }
    FILE *f = fopen(tmpmap, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    struct og_mapping *m = NULL;
    struct og_error err;
    int rc = og_mapping_load(tmpmap, &m, &err);
    if (rc == 0) {
        if (!m || !og_mapping_feed(m) || !og_mapping_department(m) || !og_mapping_path(m))
            abort();
        (void)og_mapping_zone_offset(m);
        (void)og_mapping_connector(m);
        (void)og_mapping_input_options(m);
        apply(m, samples[0]);
        apply(m, samples[1]);
    }
    else if (m != NULL) {
        abort(); /* nothing handed out on failure */
    }
    og_mapping_destroy(m);
    return 0;
}
