/* feedgen.h - og-feedgen's world in memory, feed statistics and the functions its files share. */
#ifndef OG_TOOLS_FEEDGEN_H
#define OG_TOOLS_FEEDGEN_H

#include "core/buf.h"
#include "core/error.h"
#include "tools/common/rng.h"
#include "transform/geo.h"
#include "transform/identity.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define SPAN_DAY_MIN 1440

/* ---------- tallies and feed statistics (feed.c) ---------- */

/* Tallies: name -> count, in registration order (so the manifest is stable, zeros included). */
#define TALLY_MAX 24

struct fg_tally {
    const char *names[TALLY_MAX];
    long counts[TALLY_MAX];
    size_t n;
};

struct fg_feed_stats {
    long written; /* records as the department counts them */
    long loaded;  /* expected to land */
    long members; /* HL: members of loaded visits */
    long updates; /* UM: repeated elements (same id, later state) */
    struct fg_tally rejected;
    struct fg_tally defects;
};

/* Adds k to the count of name (name is borrowed for the tally's life: a string literal); a new
 * name is registered at the end, silently ignored beyond TALLY_MAX names. */
void fg_tally_add(struct fg_tally *t, const char *name, long k);
/* The count of name, 0 when not registered. */
long fg_tally_get(const struct fg_tally *t, const char *name);

/* ---------- civil time, Asia/Shanghai (+08:00, no DST) (feed.c) ---------- */

/* Times are minutes since 2020-02-01 00:00 local. Each writes at most size bytes, NUL-terminated:
 * fg_fmt_iso "2020-02-03T14:05:00+08:00", fg_fmt_fr_time "2020/2/3 9:05", fg_fmt_fr_date
 * "2020/2/3". */
void fg_fmt_iso(char *out, size_t size, int64_t minutes);
void fg_fmt_fr_time(char *out, size_t size, int64_t minutes);
void fg_fmt_fr_date(char *out, size_t size, int64_t minutes);
/* A time on day slot i of n spread over days [first_day, last_day], between hour lo and hour hi
 * (one draw from r). */
int64_t fg_slot_time(struct og_tool_rng *r, long i, long n, int first_day, int last_day, int lo,
                     int hi);

/* Appends s as a JSON string literal (quotes, escapes) to b. 0 or OG_ENOMEM. */
int fg_json_str(struct og_buf *b, const char *s);

/* ---------- the world (world.c) ---------- */

struct fg_street {
    char code[16];
    char name[64];
};

struct fg_community {
    char code[16];
    char name[64];       /* as in divisions.csv, e.g. 金凤居委会 */
    char short_name[64]; /* 金凤社区 */
    char fire[160];      /* 小公园街道金凤社区 */
    char parent[16];     /* street code */
    int street;          /* index into streets, -1 if unknown */
};

struct fg_cand {
    int unit;
    double weight;
};

struct fg_grid {
    char code[16];
    int community;
    struct og_mpoly mp;
    struct og_bbox bb;
    struct fg_cand *cands; /* UM unit grids overlapping this grid */
    size_t ncands;
};

struct fg_unit {
    char code[16];
    struct og_mpoly mp;
    bool has_mp;
};

struct fg_world {
    char city[64], county[64];
    struct fg_street *streets;
    size_t nstreets;
    struct fg_community *comms;
    size_t ncomms;
    struct fg_grid *grids;
    size_t ngrids;
    struct fg_unit *units;
    size_t nunits;
    char (*fire_names)[160]; /* from crosswalks/fr.csv, sorted */
    size_t nfire;
    int *um_grids; /* grids with at least one UM unit grid */
    size_t num_grids;
    struct og_bbox bbox; /* of all grids */
};

/* Loads divisions.csv, grids.geojson and dept_grids.geojson (optional) from dir, and um.csv and
 * fr.csv (optional) from xwdir, into *w (overwritten). Warnings go to stderr. 0, or a negative
 * OG_E* code with err filled and *w released. */
int fg_world_load(struct fg_world *w, const char *dir, const char *xwdir, struct og_error *err);
/* Frees everything w holds and zeroes it. */
void fg_world_free(struct fg_world *w);

/* ---------- sampled values (sample.c) ---------- */

/* A point inside grid g, written in crs (rounded to 6 decimals) into *out_lng, *out_lat, and its
 * WGS-84 image (converted back from the rounded value) into *wgs_lng, *wgs_lat (see sample.c). */
void fg_grid_point(struct og_tool_rng *r, const struct fg_grid *g, enum og_crs crs, double *out_lng,
                   double *out_lat, double *wgs_lng, double *wgs_lat);
/* A point in Beijing (Dongcheng), far outside the district, in crs, rounded to 6 decimals. */
void fg_far_point(struct og_tool_rng *r, enum og_crs crs, double *lng, double *lat);
/* The UM unit grid (index into w->units) a point of grid g falls in: the first candidate whose
 * shape contains it, else the candidate with the largest overlap weight; -1 when none. */
int fg_um_unit_for_point(const struct fg_world *w, const struct fg_grid *g, double lng, double lat);
/* A road name, uniformly (one draw). The returned string is static. */
const char *fg_pick_road(struct og_tool_rng *r);
/* A street address in community comm (index, -1: none) into out[size]; room adds building and
 * room numbers. */
void fg_make_address(struct og_tool_rng *r, const struct fg_world *w, int comm, bool room,
                     char *out, size_t size);
/* A Chinese personal name into out[size]. */
void fg_make_name(struct og_tool_rng *r, char *out, size_t size);

enum id_variant { ID_NORMAL = 0, ID_BAD_CHECK, ID_LEGACY15, ID_LOWER_X };

/* A resident ID number of the given variant into out[19] (18 characters, 15 for ID_LEGACY15). */
void fg_make_resident_id(struct og_tool_rng *r, enum id_variant v, char out[19]);
/* A USCC: 9 (market regulator) + 1 company / 2 individual business + area + GB 11714
 * organisation code + check (a wrong check character when bad_check) into out[19]. */
void fg_make_uscc(struct og_tool_rng *r, bool individual, bool bad_check, char out[19]);
/* Checks a generated number with the library's own validator: want_valid says what it must say.
 * Returns 0, or OG_EINVAL (and says so on stderr) when they disagree. */
int fg_verify_id(const char *s, enum og_id_kind kind, bool want_valid);

/* ---------- the feeds (um.c, fr.c, hl.c) ---------- */

/* Appends n UM-1 cases (plus one broken element and the later updates) to out, counting into st.
 * 0 or OG_ENOMEM. */
int fg_gen_um(const struct fg_world *w, uint64_t seed, long n, struct og_buf *out,
              struct fg_feed_stats *st);
/* Appends the UM service codes table (code,name CSV) to b. 0 or OG_ENOMEM. */
int fg_um_service_codes(struct og_buf *b);
/* Appends n FR-1 rows (UTF-8, CRLF, with header) to out, counting into st. 0, OG_ENOMEM or
 * OG_EINVAL (a generated USCC the validator disagrees with). */
int fg_gen_fr(const struct fg_world *w, uint64_t seed, long n, struct og_buf *out,
              struct fg_feed_stats *st);
/* UTF-8 in[0..inlen) -> GB18030 into *out (new, free it) and *outlen. 0 or a negative OG_E* code,
 * err filled. */
int fg_to_gb18030(const char *in, size_t inlen, char **out, size_t *outlen, struct og_error *err);
/* Streams n HL-2 visits to f (constant memory), counting into st. progress: report every 100k
 * visits on stderr. 0 or a negative OG_E* code. */
int fg_gen_hl(const struct fg_world *w, uint64_t seed, long n, FILE *f, bool progress,
              struct fg_feed_stats *st);

#endif
