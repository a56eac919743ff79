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
#define TALLY_MAX 32

struct fg_tally {
    const char *names[TALLY_MAX];
    long counts[TALLY_MAX];
    size_t n;
};

struct fg_feed_stats {
    long written;                   /* records as the department counts them */
    long loaded;                    /* expected to land */
    long members;                   /* HL: members of loaded visits */
    long updates;                   /* UM: repeated elements (same id, later state) */
    long xml_records, xml_left_out; /* UM: <request> elements of the XML; elements left out */
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

/* "2020-02-03 14:05:09" for minutes and a second 0..59 (PS-2 bjsj). */
void fg_fmt_local(char *out, size_t size, int64_t minutes, int sec);
/* Epoch milliseconds (UTC) of minutes since 2020-02-01 00:00 local. */
int64_t fg_epoch_ms(int64_t minutes);
/* The civil date of day `day` counted from 1970-01-01 (negative before). */
void fg_civil_date(int64_t day, int *y, int *m, int *d);
/* Days from 1970-01-01 to the civil date y-m-d. */
int64_t fg_days_from_civil(int y, int m, int d);

/* Appends s as a JSON string literal (quotes, escapes) to b. 0 or OG_ENOMEM. */
int fg_json_str(struct og_buf *b, const char *s);
/* Cuts b (one JSON message) at a comma in its first half: a producer that died mid-write. */
void fg_cut_half(struct og_buf *b);

/* ---------- Kafka sample files: lines "KEY\tVALUE\n" in arrival order (feed.c) ---------- */

/* One message line held in a block until the block is written. */
struct fg_line {
    int64_t at;      /* arrival (sort key), any unit the feed chooses */
    long seq;        /* order of creation: ties in `at` keep it */
    size_t off, len; /* the line's bytes in fg_lines.text, "\n" included */
    int owner;       /* the block-local incident or person */
    int64_t t;       /* the owner's own time of the message (HL-1: changedAt) */
    bool counted;    /* a message that becomes a record (loaded, not a resend) */
};

/* A block of lines. Zero-initialise ({0} with .text = OG_BUF_INIT); fg_lines_free releases. */
struct fg_lines {
    struct og_buf text;
    struct fg_line *v;
    size_t n, cap;
};

/* Appends the line "key\tvalue\n" (value: len bytes, no tab or newline inside) with arrival at;
 * the other members of the new line are zero, and it is returned in *out (borrowed until the next
 * add, sort or reset; NULL allowed). 0 or OG_ENOMEM. */
int fg_lines_add(struct fg_lines *ls, const char *key, const char *value, size_t len, int64_t at,
                 struct fg_line **out);
/* Sorts the block by (at, seq): the order the lines are written in. */
void fg_lines_sort(struct fg_lines *ls);
/* Writes the lines in their current order to f. 0 or OG_EIO. */
int fg_lines_write(const struct fg_lines *ls, FILE *f);
/* Empties the block, keeping its memory. */
void fg_lines_reset(struct fg_lines *ls);
void fg_lines_free(struct fg_lines *ls);

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
    char old_code[16]; /* its 2016 code when that differs from code (division_alias.csv), else "" */
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

/* A police beat (PS department grid) from dept_grids.geojson. */
struct fg_beat {
    char code[16]; /* 44051103JW012 */
    struct og_mpoly mp;
};

/* A police beat of crosswalks/ps.csv and the grid its highest-weight row names (ties: the first
 * row), which is where the beat alone places a record. */
struct fg_ps_xw {
    char code[16];
    int grid; /* index into grids */
    double weight;
};

/* A 2016 community code (division_alias.csv) that differs from its 2023 code. */
struct fg_alias {
    char old_code[16];
    int comm; /* index into comms: the 2023 community */
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
    struct og_bbox bbox;   /* of all grids */
    struct fg_beat *beats; /* PS police beats, sorted by code (none without dept_grids.geojson) */
    size_t nbeats;
    struct og_geo_index *beat_idx; /* over beats, id = index; NULL when there are none */
    struct fg_ps_xw *ps_xw;        /* crosswalks/ps.csv by beat code, sorted (none without it) */
    size_t nps_xw;
    struct fg_alias *aliases; /* 2016 community codes, sorted (none without division_alias.csv) */
    size_t naliases;
};

/* The grid (index) the police beat code places a record in through crosswalks/ps.csv, or -1 when
 * the crosswalk does not know the beat. */
int fg_ps_xw_grid(const struct fg_world *w, const char *beat);
/* The community (index) a community code names: a 2023 code, a 2016 code through division_alias,
 * or a 15-digit police code whose first 12 digits are one of those; -1 for anything else. */
int fg_community_for_code(const struct fg_world *w, const char *code);

/* The police beat (index into w->beats) containing the WGS-84 point, or -1. */
int fg_beat_at(const struct fg_world *w, double lng, double lat);

/* Loads divisions.csv, division_alias.csv (optional), grids.geojson and dept_grids.geojson
 * (optional: UM unit grids and PS police beats) from dir, and um.csv, fr.csv and ps.csv (both
 * optional) from xwdir, into *w (overwritten). Warnings go
 * to stderr. 0, or a negative OG_E* code with err filled and *w released. */
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
/* The GB 11643 check character of the 17 digits s17. */
char fg_id_check(const char *s17);
/* The 18-digit resident ID in, written with full-width characters (U+FF10..U+FF19, X as U+FF38),
 * into out[size] (54 bytes hold 18 characters). */
void fg_id_fullwidth(const char *in, char *out, size_t size);
/* A USCC: 9 (market regulator) + 1 company / 2 individual business + area + GB 11714
 * organisation code + check (a wrong check character when bad_check) into out[19]. */
void fg_make_uscc(struct og_tool_rng *r, bool individual, bool bad_check, char out[19]);
/* Checks a generated number with the library's own validator: want_valid says what it must say.
 * Returns 0, or OG_EINVAL (and says so on stderr) when they disagree. */
int fg_verify_id(const char *s, enum og_id_kind kind, bool want_valid);

/* ---------- the feeds (um.c, fr.c, hl.c) ---------- */

/* Appends n UM-1 cases (plus one broken element and the later updates) to out as requests.json,
 * and, when xml is not NULL, the same requests except the broken one to xml as requests.xml;
 * counting into st. 0 or OG_ENOMEM. */
int fg_gen_um(const struct fg_world *w, uint64_t seed, long n, struct og_buf *out,
              struct og_buf *xml, struct fg_feed_stats *st);
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

/* HL-2 visits as the generator makes them, for feeds that reuse the HL-2 population. */
struct fg_hl_member {
    char id[20]; /* as written in the visit */
    char name[32];
    enum id_variant v;
};

struct fg_hl_visit {
    long index;    /* 0-based visit number: line index + 1 in the file */
    int grid;      /* index into w->grids of the household's grid */
    bool rejected; /* the visit does not load (bad_json or invalid_time) */
    int nmembers;
    struct fg_hl_member members[5];
};

/* Replays the HL-2 stream of fg_gen_hl(w, seed, n, ...) visit by visit, without writing it. */
struct fg_hl_iter;
/* New iterator (w borrowed for its life), NULL on out of memory. */
struct fg_hl_iter *fg_hl_iter_create(const struct fg_world *w, uint64_t seed, long n);
/* The next visit in *visit (borrowed until the next call): 1, 0 after the last, or a negative
 * OG_E* code. */
int fg_hl_iter_next(struct fg_hl_iter *it, const struct fg_hl_visit **visit);
void fg_hl_iter_destroy(struct fg_hl_iter *it); /* NULL allowed */

/* ---------- HL-2's people in the other feeds (people.c) ---------- */

/* The persons a feed (PS-1, HL-1) shares with HL-2 or keeps apart from it: every HL-2 member's
 * number (never handed out as a fresh one), a replay of HL-2's visits the shared persons come
 * from, and fresh resident numbers unique among themselves (a permutation of birth day x
 * sequence number). */
struct fg_people {
    uint64_t *hl2; /* sorted 17-digit prefixes of every HL-2 member */
    size_t nhl2;
    struct fg_hl_iter *share; /* HL-2 replay for shared persons; NULL when exhausted */
    const struct fg_hl_visit *visit;
    int visit_m;
    uint64_t fresh_k, perm_m, perm_a, perm_b;
    int64_t birth0; /* day of 1930-01-01 */
};

/* Sets up pp: the permutation (multiplier perm_mult; one draw from r, the feed's stream) and,
 * when hl_n > 0, the members of the first hl_n visits of fg_gen_hl(w, seed, hl_n, ...) and their
 * replay. 0 or OG_ENOMEM (fg_people_free in both cases). */
int fg_people_init(struct fg_people *pp, const struct fg_world *w, uint64_t seed, long hl_n,
                   uint64_t perm_mult, struct og_tool_rng *r);
void fg_people_free(struct fg_people *pp);
/* The next HL-2 member a shared person can be: of a visit that loads, held by no other HL-2
 * member, with a valid number (any_form: in any written form; else an 18-digit one as is).
 * false when the replay is over. *grid: the visit's grid. */
bool fg_people_next_shared(struct fg_people *pp, bool any_form, const struct fg_hl_member **mb,
                           int *grid);
/* A fresh 18-digit resident number into id[20] (birth place drawn from r): unique among the
 * fresh ones, never an HL-2 member's; born before 2000 when legacy, with check character X when
 * want_x. */
void fg_people_fresh_id(struct fg_people *pp, struct og_tool_rng *r, bool legacy, bool want_x,
                        char id[20]);

/* ---------- the Kafka feeds (ps.c, hl1.c) ---------- */

enum { PS_REPORTED = 0, PS_DISPATCHED, PS_CLOSED };

/* What a correct load of PS-2 gives. */
struct fg_ps_outcome {
    long incidents;       /* distinct jqbh loaded */
    long history_rows;    /* distinct (jqbh, zt) loaded */
    long final_status[3]; /* latest loaded state per incident: reported, dispatched, closed */
};

/* The incident types PS-2 uses (code, name), in code order, terminated by {NULL, NULL}. */
struct fg_code_name {
    const char *code;
    const char *name;
};
const struct fg_code_name *fg_ps_types(void);

/* Streams n PS-2 messages (kcat lines, blocks of incidents in arrival order) to f, counting into
 * st and out. progress: report every 100k messages on stderr. 0 or a negative OG_E* code. */
int fg_gen_ps2(const struct fg_world *w, uint64_t seed, long n, FILE *f, bool progress,
               struct fg_feed_stats *st, struct fg_ps_outcome *out);

enum { HC_GREEN = 0, HC_YELLOW, HC_RED };

/* What a correct load of HL-1 gives. */
struct fg_hl1_outcome {
    long changes;    /* distinct eventIds loaded */
    long persons;    /* distinct persons among loaded changes (ID variants are one person) */
    long current[3]; /* per person, the colour of the loaded change with the latest changedAt */
    long passports;  /* persons identified by a passport (idType 03) */
    long shared;     /* persons who are also members of loaded HL-2 visits */
};

/* Streams n HL-1 messages to f, counting into st and out. Some persons are members of the first
 * hl_n HL-2 visits of fg_gen_hl(w, seed, hl_n, ...). 0 or a negative OG_E* code. */
int fg_gen_hl1(const struct fg_world *w, uint64_t seed, long n, long hl_n, FILE *f, bool progress,
               struct fg_feed_stats *st, struct fg_hl1_outcome *out);

/* ---------- PS-1: the population registry's XML exports (ps1.c, ps1_files.c) ---------- */

struct json_t;

/* Writes the four PS-1 sample files RKXX_*.xml (GB18030) into dir: n residents in the first full
 * export (and n / 5 rental houses), then a day of changes, a cut file and a hostile one; residents
 * are shared with the first hl_n HL-2 visits of fg_gen_hl(w, seed, hl_n, ...). *manifest (new) is
 * the feed's MANIFEST.json object. 0 or a negative OG_E* code (said on stderr). */
int fg_gen_ps1_files(const struct fg_world *w, uint64_t seed, long n, long hl_n, const char *dir,
                     struct json_t **manifest);

/* What a correct load of the streamed PS-1 file gives. */
struct fg_ps1_stream_outcome {
    long residents; /* distinct persons loaded (every resident record is another person) */
    long houses;    /* distinct houses loaded */
    long shared;    /* residents who are members of loaded HL-2 visits */
};

/* Streams one well-formed PS-1 file of n records (residents and houses mixed, the record-level
 * defects of the samples, no cut and no DOCTYPE) to f in GB18030, in bounded memory, counting into
 * st and out. progress: report every 100k records on stderr. 0 or a negative OG_E* code. */
int fg_gen_ps1_stream(const struct fg_world *w, uint64_t seed, long n, long hl_n, FILE *f,
                      bool progress, struct fg_feed_stats *st, struct fg_ps1_stream_outcome *out);

#endif
