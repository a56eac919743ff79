/* main.c - og-worldgen's options, the order of the generation steps, the summary and exit code.
 *
 * og-worldgen is the deterministic generator of the Jinping (440511) world: divisions, synthetic
 * community areas and unified grids cut from the real outline, department grid schemes and their
 * crosswalks. Files: input.c reads the outline and NBS CSVs, editions.c the 2016 codes and aliases,
 * clip.c cuts polygons, cut.c the street / community / grid areas, depts.c the department grids
 * and crosswalk rows, output.c writes it all; province.c makes the synthetic province of
 * --province (docs/scale.md), place.c times point placement over a world (--place, a bench);
 * tools/common/ holds what og-feedgen shares. */
#include "tools/og-worldgen/worldgen.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- options ---------- */

struct wg_opts {
    const char *outline;
    const char *streets;
    const char *communities;
    const char *out;
    const char *crosswalks;
    const char *province;
    const char *grids;
    const char *place;
    const char *points;
};

static const struct wg_opt_def {
    const char *name;
    const char *metavar;
    size_t offset;
    const char *def;
    const char *help;
} wg_opt_defs[] = {
    {"--outline", "FILE", offsetof(struct wg_opts, outline),
     "world/jinping/reference/jinping_440511_outline_gcj02.json",
     "district outline, GeoJSON Polygon/MultiPolygon in GCJ-02"},
    {"--streets", "FILE", offsetof(struct wg_opts, streets),
     "world/jinping/reference/cn_streets_440511.csv",
     "NBS streets CSV (code,name,areaCode,...); rows of 440511 are used"},
    {"--communities", "FILE", offsetof(struct wg_opts, communities),
     "world/jinping/reference/cn_villages_440511.csv",
     "NBS communities CSV (code,name,streetCode,...); rows of 440511 are used"},
    {"--out", "DIR", offsetof(struct wg_opts, out), "world/jinping",
     "folder for divisions.csv, division_alias.csv and the three .geojson files"},
    {"--crosswalks", "DIR", offsetof(struct wg_opts, crosswalks), "mappings/crosswalks",
     "folder for ps.csv, um.csv, fr.csv, hl.csv"},
    {"--province", "CODE", offsetof(struct wg_opts, province), "",
     "instead: a synthetic province of that 2-digit code (needs --out; crosswalks default to "
     "OUT/crosswalks)"},
    {"--grids", "N", offsetof(struct wg_opts, grids), "61000",
     "unified grids of the --province world (cities, counties, streets, communities follow)"},
    {"--place", "DIR", offsetof(struct wg_opts, place), "",
     "instead: time the placement of --points in the world DIR (with --crosswalks), a bench"},
    {"--points", "FILE", offsetof(struct wg_opts, points), "",
     "CSV with columns lng, lat (WGS-84) for --place"},
};
#define WG_NOPTS (sizeof wg_opt_defs / sizeof wg_opt_defs[0])

static void print_help(FILE *f)
{
    fprintf(
        f,
        "usage: og-worldgen [OPTIONS]\n"
        "Generates the Jinping (440511) world: divisions, 2016 aliases, community areas, 685 "
        "unified\n"
        "grids, department grids (PS, UM, FR, HL) and crosswalks. Same input, same output bytes.\n"
        "Run from the repository root (`make world`). With --province CODE it generates instead "
        "a\n"
        "synthetic province (docs/scale.md): by default 11 cities, 90 counties, 1,300 streets,\n"
        "20,000 communities, 61,000 grids, the same files and department schemes. Options:\n");
    for (size_t i = 0; i < WG_NOPTS; i++) {
        fprintf(f, "  %-14s %-5s %s\n  %-20s default: %s\n", wg_opt_defs[i].name,
                wg_opt_defs[i].metavar, wg_opt_defs[i].help, "", wg_opt_defs[i].def);
    }
    fprintf(f, "  %-14s       this text\n", "--help");
}

/* 0 ok, 1 help shown, -1 usage error (message printed). */
static int parse_args(int argc, char **argv, struct wg_opts *opts)
{
    for (size_t i = 0; i < WG_NOPTS; i++) {
        *(const char **)((char *)opts + wg_opt_defs[i].offset) = wg_opt_defs[i].def;
    }
    for (int a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
            print_help(stdout);
            return 1;
        }
        size_t i = 0;
        while (i < WG_NOPTS && strcmp(argv[a], wg_opt_defs[i].name) != 0) {
            i++;
        }
        if (i == WG_NOPTS) {
            fprintf(stderr, "og-worldgen: unknown option \"%s\" (try --help)\n", argv[a]);
            return -1;
        }
        if (a + 1 >= argc) {
            fprintf(stderr, "og-worldgen: option %s needs a value\n", argv[a]);
            return -1;
        }
        *(const char **)((char *)opts + wg_opt_defs[i].offset) = argv[++a];
    }
    return 0;
}

void wg_world_free(struct wg_world *w)
{
    og_mpoly_free(&w->outline);
    for (size_t i = 0; i < w->nstreets; i++) {
        og_mpoly_free(&w->streets[i].area);
    }
    for (size_t i = 0; i < w->ncomms; i++) {
        og_mpoly_free(&w->comms[i].area);
    }
    for (size_t i = 0; i < w->ngrids; i++) {
        og_mpoly_free(&w->grids[i].area);
    }
    for (size_t i = 0; i < w->ndepts; i++) {
        og_mpoly_free(&w->depts[i].area);
        free(w->depts[i].rows);
    }
    free(w->streets);
    free(w->comms);
    free(w->grids);
    free(w->depts);
    memset(w, 0, sizeof *w);
}

/* ---------- main ---------- */

/* Sorts the department grids, refuses duplicates, turns raw overlaps into weights. */
static int finish_depts(struct wg_world *w, struct og_error *err)
{
    qsort(w->depts, w->ndepts, sizeof *w->depts, wg_dept_cmp);
    for (size_t i = 0; i < w->ndepts; i++) {
        if (i > 0 && wg_dept_cmp(&w->depts[i - 1], &w->depts[i]) == 0) {
            return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                                "duplicate %s grid %s", w->depts[i].dept, w->depts[i].code);
        }
        int rc = wg_dept_finish(&w->depts[i], err);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

static int check_world(const struct wg_world *w, struct og_error *err)
{
    if (w->nstreets != 12 || w->ncomms != 170) {
        return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                            "expected 12 streets and 170 communities of %s, got %zu and %zu",
                            WG_COUNTY, w->nstreets, w->ncomms);
    }
    return 0;
}

static int generate(const struct wg_opts *o, struct wg_world *w, struct og_error *err)
{
    int rc;
    if ((rc = wg_load_outline(w, o->outline, err)) < 0 ||
        (rc = wg_load_streets(w, o->streets, err)) < 0 ||
        (rc = wg_load_comms(w, o->communities, err)) < 0 || (rc = check_world(w, err)) < 0 ||
        (rc = wg_assign_2016_codes(w, err)) < 0 ||
        (rc = wg_cut_streets_and_communities(w, err)) < 0 || (rc = wg_cut_grids(w, 5, err)) < 0 ||
        (rc = wg_make_lattice(w, "PS", WG_PS_STEP, err)) < 0 ||
        (rc = wg_make_lattice(w, "UM", WG_UM_STEP, err)) < 0 ||
        (rc = wg_make_fire_and_health(w, err)) < 0) {
        return rc;
    }
    if ((rc = finish_depts(w, err)) < 0) {
        return rc;
    }
    if ((rc = wg_write_divisions(w, o->out, err)) < 0 ||
        (rc = wg_write_aliases(w, o->out, err)) < 0 ||
        (rc = wg_write_geojson(w, o->out, err)) < 0 ||
        (rc = wg_write_crosswalks(w, o->crosswalks, err)) < 0) {
        return rc;
    }
    return 0;
}

static int generate_province(const struct wg_opts *o, struct wg_world *w, struct og_error *err)
{
    char *end;
    unsigned long long n = strtoull(o->grids, &end, 10);
    struct wg_pv pv = {0};
    int rc;
    if (end == o->grids || *end != '\0') {
        return og_error_set(err, OG_EINVAL, OG_CLASS_FATAL, OG_R_BAD_WORLD,
                            "--grids \"%s\" is not a number", o->grids);
    }
    if ((rc = wg_province_build(w, &pv, o->province, (size_t)n, err)) < 0 ||
        (rc = finish_depts(w, err)) < 0 ||
        (rc = wg_province_write_divisions(w, &pv, o->out, err)) < 0 ||
        (rc = wg_write_geojson(w, o->out, err)) < 0 ||
        (rc = wg_write_crosswalks(w, o->crosswalks, err)) < 0) {
        wg_pv_free(&pv);
        return rc;
    }
    printf("og-worldgen: province %s: %zu cities, %zu counties\n", pv.code, pv.n.cities,
           pv.n.counties);
    wg_pv_free(&pv);
    return 0;
}

static void report(const struct wg_world *w)
{
    size_t n[4] = {0};
    static const char *const depts[] = {"PS", "UM", "FR", "HL"};
    for (size_t i = 0; i < w->ndepts; i++) {
        for (size_t k = 0; k < 4; k++) {
            n[k] += strcmp(w->depts[i].dept, depts[k]) == 0;
        }
    }
    double grid_area = 0;
    size_t outside = 0;
    for (size_t g = 0; g < w->ngrids; g++) {
        grid_area += w->grids[g].area_m2;
        outside += !og_mpoly_contains(&w->comms[w->grids[g].comm].area, w->grids[g].clng,
                                      w->grids[g].clat);
    }
    printf("og-worldgen: %zu streets, %zu communities, %zu grids; PS %zu beats, UM %zu unit grids, "
           "FR %zu fire grids, HL %zu codes\n",
           w->nstreets, w->ncomms, w->ngrids, n[0], n[1], n[2], n[3]);
    printf("og-worldgen: outline %.0f m2 (0: a province box), grids %.0f m2; %zu grid centroids "
           "outside their community\n",
           og_mpoly_area_m2(&w->outline), grid_area, outside);
}

int main(int argc, char **argv)
{
    struct wg_opts opts;
    int a = parse_args(argc, argv, &opts);
    if (a != 0) {
        return a > 0 ? 0 : 2;
    }
    char xw[4200];
    if (opts.place[0] != '\0') {
        struct og_error perr;
        og_error_clear(&perr);
        if (wg_place_bench(opts.place, opts.crosswalks, opts.points, &perr) < 0) {
            char line[1600];
            fprintf(stderr, "og-worldgen: %s\n", og_error_format(&perr, line, sizeof line));
            return 1;
        }
        return 0;
    }
    if (opts.province[0] != '\0') {
        /* never over the shipped world: the province needs its own folder */
        if (opts.out == wg_opt_defs[3].def) {
            fprintf(stderr, "og-worldgen: --province needs --out DIR\n");
            return 2;
        }
        if (opts.crosswalks == wg_opt_defs[4].def) {
            snprintf(xw, sizeof xw, "%s/crosswalks", opts.out);
            opts.crosswalks = xw;
        }
    }
    struct wg_world w = {0};
    struct og_error err;
    og_error_clear(&err);
    int rc =
        opts.province[0] != '\0' ? generate_province(&opts, &w, &err) : generate(&opts, &w, &err);
    if (rc < 0) {
        char line[1600];
        fprintf(stderr, "og-worldgen: %s\n", og_error_format(&err, line, sizeof line));
    }
    else {
        report(&w);
    }
    wg_world_free(&w);
    return rc < 0 ? 1 : 0;
}
