/* fuzz_ps1.c - libFuzzer target: arbitrary bytes as a PS-1 population file, through the whole
 * record path the run takes: the xml connector with the shipped mapping's input options,
 * mappings/police/ps_population.json applied to each record, then reconciled against the Jinping
 * world (identity numbers validated, hashed, masked; beats, communities and points placed).
 *
 * Build and run with tests/fuzz/Makefile.fuzz from the repo root (the mapping, taxonomy and world
 * are read from there once; set ONEGRID_FUZZ_ROOT to run from elsewhere).
 * Checks: every record read is an object that maps to a person or a house or is a reject with a
 * reason (and a field when a field is at fault); reconciled, a person has a masked identity and a
 * grid method, a house its "PS:" id; nothing but records, rejects and the end comes out of a file.
 * Leaks are found by the sanitizer. */
#include "connectors/xml.h"
#include "core/world.h"
#include "transform/mapping.h"
#include "transform/reconcile.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct og_mapping *mapping;
static struct og_reconciler *rec;
static struct og_arena *arena;

static void cleanup(void)
{
    og_mapping_destroy(mapping);
    og_reconciler_destroy(rec);
    og_arena_destroy(arena);
}

static void setup(void)
{
    const char *root = getenv("ONEGRID_FUZZ_ROOT");
    if (!root)
        root = ".";
    char path[PATH_MAX], world_dir[PATH_MAX], xw[PATH_MAX], tax[PATH_MAX];
    snprintf(path, sizeof(path), "%s/mappings/police/ps_population.json", root);
    snprintf(world_dir, sizeof(world_dir), "%s/world/jinping", root);
    snprintf(xw, sizeof(xw), "%s/mappings/crosswalks", root);
    snprintf(tax, sizeof(tax), "%s/mappings/taxonomy/categories.csv", root);
    struct og_error err;
    og_error_clear(&err);
    struct og_world w;
    struct og_id_key key;
    if (og_mapping_load(path, &mapping, &err) != 0 ||
        og_world_read_dir(world_dir, xw, &w, &err) != 0 ||
        og_id_key_set(&key, "fuzz-key-0123456789abcdef0123456789", 35) != 0 ||
        og_reconciler_create(&w, tax, &key, &rec, &err) != 0) {
        fprintf(stderr, "fuzz_ps1: setup failed (run from the repo root): %s\n", err.message);
        exit(1);
    }
    og_world_free(&w);
    arena = og_arena_create(1 << 16);
    if (!arena)
        abort();
    atexit(cleanup);
}

/* Maps and reconciles one record; aborts on anything a run could not turn into a row or a
 * reject. */
static void one_record(const json_t *doc, const struct og_pos *pos)
{
    struct og_mapped m;
    struct og_error err;
    og_error_clear(&err);
    og_arena_reset(arena);
    int rc = og_mapping_apply(mapping, doc, arena, &m, &err);
    if (rc == OG_EREJECT) {
        if (err.reason == OG_R_NONE || err.klass != OG_CLASS_REJECT || !err.message[0])
            abort(); /* a reject says why */
        if (err.reason != OG_R_UNKNOWN_RECORD && !err.field[0])
            abort(); /* and names the field at fault */
        return;
    }
    if (rc != 0 || !m.kind)
        abort(); /* no other outcome than a record of a kind, or a reject */
    enum og_kind target = og_mapping_kind_target(m.kind);
    if (target != OG_KIND_PERSON && target != OG_KIND_HOUSING)
        abort();
    struct og_unified u;
    og_error_clear(&err);
    rc = og_reconcile(rec, mapping, "fuzz", &m, pos, arena, &u, &err);
    if (rc == OG_EREJECT) {
        if (err.reason == OG_R_NONE || !err.message[0])
            abort();
        return;
    }
    if (rc != 0 || u.kind != target)
        abort();
    if (target == OG_KIND_PERSON &&
        (!u.u.person.id_masked || !u.u.person.person_key || !u.u.person.place.grid_method))
        abort(); /* a person always has its key, its masked number and a placement */
    if (target == OG_KIND_HOUSING &&
        (!u.u.housing.house_id || strncmp(u.u.housing.house_id, "PS:", 3) != 0 ||
         !u.u.housing.place.grid_method || !u.u.housing.updated_at.set))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!mapping)
        setup();
    char path[64];
    int fd = fuzz_memfd("fuzz_ps1", data, size, path);
    if (fd < 0)
        return 0;
    void *state = NULL;
    struct og_error err;
    og_error_clear(&err);
    if (og_connector_xml.open(path, og_mapping_input_options(mapping), &state, &err) != 0)
        abort(); /* the shipped options are valid and the file is there */
    for (;;) {
        json_t *doc = NULL;
        struct og_pos pos;
        char *raw = NULL;
        og_error_clear(&err);
        int rc = og_connector_xml.next(state, &doc, &pos, &raw, &err);
        if (rc == 1)
            one_record(doc, &pos);
        json_decref(doc);
        free(raw);
        if (rc != 1 && rc != OG_EPARSE) {
            if (rc != 0)
                abort();
            break;
        }
    }
    og_connector_xml.close(state);
    close(fd);
    return 0;
}
