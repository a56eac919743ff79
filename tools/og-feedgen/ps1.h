/* ps1.h - og-feedgen's PS-1 internals, shared by ps1.c (persons, houses, the XML records, the
 * GB18030 sink and the streamed file) and ps1_files.c (the four sample export files and what
 * loading them gives). */
#ifndef OG_TOOLS_FEEDGEN_PS1_H
#define OG_TOOLS_FEEDGEN_PS1_H

#include "tools/og-feedgen/feedgen.h"

#include <iconv.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Times are seconds since 2020-02-01 00:00:00 local (Asia/Shanghai), negative before. */
#define PS1_DAY 86400

/* How PS-1 writes an identity number. */
enum ps1_form { PF_PLAIN = 0, PF_LEGACY, PF_LOWER_X, PF_FULLWIDTH };

/* What is wrong with a record as a whole (at most one class per record). */
enum ps1_class { RC_OK = 0, RC_KEY_MISSING, RC_GXSJ_INVALID, RC_GXSJ_MISSING };

/* A resident as the registry holds them, with their current state. */
struct ps1_person {
    char id[20];        /* 18 characters, upper case; a wrong check character when bad_check */
    enum ps1_form form; /* how PS-1 writes the number */
    bool bad_check, shared;
    char hl_id[20]; /* shared: the number as the HL-2 visit writes it */
    char name[32];
    char xbdm[2], csrq[9], mzdm[3], rylbdm[3];
    char hjdz[256];
    bool unknown_beat; /* the station files the person under a beat the crosswalk does not know */
    bool no_sqbm;      /* ... and gives no community code (only with unknown_beat) */
    int grid;          /* the unified grid of the current address (index into w->grids) */
    char xzz[256];
    char beat[16]; /* JWWGBM as written */
    int64_t djsj, gxsj;
    bool zxbz;
};

enum ps1_hclass { HC_COORDS = 0, HC_NO_COORDS, HC_UNKNOWN_BEAT };

/* A rental house. */
struct ps1_house {
    char fwbm[24];
    char dz[256];
    char owner[64]; /* FZGMSFHM as written */
    int owner_v;    /* 0 plain, 1 legacy, 2 lower x, 3 full-width, 4 bad check */
    char fzxm[32];
    int czjs, zhrs;
    enum ps1_hclass hc;
    int grid;
    char beat[16];
    char zbx[16], zby[16]; /* CGCS2000, 6 decimals (HC_COORDS only) */
    int64_t gxsj;
};

/* One record as a correct load sees it. */
struct ps1_rec {
    bool house;
    bool loaded;        /* false: rejected (reason) */
    const char *reason; /* "missing_field", "invalid_time" (string literal) or NULL */
    char key[40];       /* the normalised ID number or FWBM */
    char written[64];   /* GMSFHM as written */
    int64_t gxsj;       /* valid when loaded */
    bool zxbz;
    char xzz[256];  /* residents: XZZ */
    char beat[16];  /* JWWGBM */
    char sqbm[20];  /* SQBM as written, "" when absent */
    int point_grid; /* houses with coordinates: the grid the point lies in, else -1 */
    /* what ps1_tally counts */
    enum ps1_class cl;
    enum ps1_form form;
    int sqbm_kind; /* -1 absent, 0 12 digits (2023), 1 the 2016 code, 2 15 digits */
    bool bad_check, unknown_beat;
    enum ps1_hclass hc;
    int owner_v;
};

/* A complete record of the sample files, in reading order. */
struct prec {
    struct ps1_rec rec;
    int file;  /* 0..3 */
    long seq;  /* reading order over all files */
    bool ooo;  /* an out-of-order older update */
    bool tie;  /* repeats the GXSJ of the record before it (same person: read later, wins) */
    int owner; /* index into the generator's persons or houses */
};

/* The generator state both modes share. */
struct ps1_gen {
    const struct fg_world *w;
    struct og_tool_rng r;
    struct fg_people people; /* shared with HL-2, or fresh */
    long houses;             /* houses made (FWBM sequence) */
    struct og_buf xml;       /* UTF-8 text of the records being written */
    struct fg_feed_stats *st;
};

/* Sets up g (w borrowed for g's life): seeds the PS-1 stream, collects the HL-2 members of the
 * first hl_n visits of fg_gen_hl(w, seed, hl_n, ...) and starts their replay. 0 or OG_ENOMEM. */
int ps1_init(struct ps1_gen *g, const struct fg_world *w, uint64_t seed, long hl_n,
             struct fg_feed_stats *st);
void ps1_free(struct ps1_gen *g);

/* A new resident in *p: with probability share_p (while the replay lasts) a member of a loaded
 * HL-2 visit, else a fresh number unique among all made and held by no HL-2 member. Living in
 * grid (index), or a random grid when grid < 0. 0 or a negative OG_E* code. */
int ps1_new_person(struct ps1_gen *g, double share_p, int grid, struct ps1_person *p);
/* Moves p to a new address in grid (random when < 0): XZZ, beat. 0 or OG_EINVAL (no beat). */
int ps1_move(struct ps1_gen *g, struct ps1_person *p, int grid);
/* A new house in *h. 0 or a negative OG_E* code. */
int ps1_new_house(struct ps1_gen *g, struct ps1_house *h);
/* Whether p's number can be written in form f. */
bool ps1_form_ok(const struct ps1_person *p, enum ps1_form f);

/* A record class drawn for a record that may carry one (house: FWBM instead of GMSFHM). */
enum ps1_class ps1_pick_class(struct ps1_gen *g);

/* Appends p's record (written with ID form f, record class cl) to g->xml, counts it into g->st
 * and describes it in *rec (NULL allowed). 0 or OG_ENOMEM. */
int ps1_put_person(struct ps1_gen *g, const struct ps1_person *p, enum ps1_form f,
                   enum ps1_class cl, struct ps1_rec *rec);
/* The same for a house. */
int ps1_put_house(struct ps1_gen *g, const struct ps1_house *h, enum ps1_class cl,
                  struct ps1_rec *rec);

/* Appends a record of p whose XM is the entity reference &lol9; and whose HJDZ is &xxe; (the
 * hostile file's DOCTYPE declares them). 0 or OG_ENOMEM. */
int ps1_put_hostile(struct ps1_gen *g, const struct ps1_person *p);
/* Counts a written record into st: written, loaded or rejected by reason, and its defects (those of
 * the records that load only). */
void ps1_tally(struct fg_feed_stats *st, const struct ps1_rec *rec);

/* A random time in [lo, hi] (seconds). */
int64_t ps1_time_in(struct ps1_gen *g, int64_t lo, int64_t hi);
/* A random time in [lo, hi] at a working hour (08:00-19:59 local) when the range allows. */
int64_t ps1_daytime(struct ps1_gen *g, int64_t lo, int64_t hi);
/* Seconds of the local civil time y-m-d h:mi:s. */
int64_t ps1_secs(int y, int m, int d, int h, int mi, int s);
/* "yyyyMMddHHmmss" of t into out[15]. */
void ps1_fmt_time(char out[15], int64_t t);
/* "2020-02-03T10:00:00+08:00" of t into out[26]. */
void ps1_fmt_iso(char out[26], int64_t t);

/* The prologue and the root's start tag (batch pch, export time scsj) into b; the root's end tag.
 * 0 or OG_ENOMEM. */
int ps1_open_root(struct og_buf *b, const char *pch, int64_t scsj);
int ps1_close_root(struct og_buf *b);

/* What loading the records recs[0..nrec) (every complete record of the sample files, in reading
 * order) gives, as the manifest's outcome keys in *out (new): residents, placement, houses,
 * out-of-order updates, persons shared with the loaded members of the first hl_n HL-2 visits.
 * 0, OG_ENOMEM, or OG_EINVAL (an out-of-order update that wins, or a masked number that is not
 * unique; said on stderr). */
struct json_t;
int ps1_outcome(const struct fg_world *w, uint64_t seed, long hl_n, const struct prec *recs,
                size_t nrec, struct json_t **out);

#endif
