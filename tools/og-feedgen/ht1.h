/* ht1.h - og-feedgen's HT-1 feed: the 12345 hotline's table hotline.ticket as a SQL script
 * (CREATE SCHEMA, CREATE TABLE, COPY ... FROM stdin) for the department's own PostgreSQL. */
#ifndef OG_TOOLS_FEEDGEN_HT1_H
#define OG_TOOLS_FEEDGEN_HT1_H

#include "tools/og-feedgen/feedgen.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* The ticket statuses of the contract, in the order a ticket moves through them. */
enum { HT_ACCEPTED = 0, HT_DISPATCHED, HT_IN_PROGRESS, HT_RESOLVED, HT_CLOSED, HT_NSTATUS };

/* What a correct pull of the table gives (every row loads: the table's types and NOT NULL
 * constraints leave nothing to reject). */
struct fg_ht_outcome {
    long tickets;             /* rows: event rows */
    long by_method[3];        /* grid method: 0 point, 1 community, 2 none */
    long status[HT_NSTATUS];  /* rows per status (受理 .. 已回访) */
    long unmapped;            /* rows whose category_code the taxonomy does not know */
    char last_updated_at[40]; /* the watermark after a full pull: the greatest */
    char last_ticket_no[48];  /* (updated_at, ticket_no), as PostgreSQL prints it */
};

/* The contract's status names (受理 .. 已回访) and the unified statuses of
 * mappings/taxonomy/ht_status.csv (reported .. closed), indexed by HT_*. */
extern const char *const FG_HT_STATUS[HT_NSTATUS];
extern const char *const FG_HT_UNIFIED[HT_NSTATUS];

/* Streams the SQL script of n tickets to f: SET client_encoding, CREATE SCHEMA hotline, CREATE
 * TABLE hotline.ticket, one COPY of the rows (UTF-8, in ticket_no order), the watermark index.
 * Counts into st (defects, written, loaded) and out. Memory: 8 bytes per ticket (the updated_at
 * values, to count the rows sharing one). 0, OG_ENOMEM or OG_EIO. */
int fg_gen_ht(const struct fg_world *w, uint64_t seed, long n, FILE *f, struct fg_feed_stats *st,
              struct fg_ht_outcome *out);

struct fg_plant;
/* fg_gen_ht with the HT-1 tickets of pl (tools/og-feedgen/links.h; NULL: none) after the n
 * others. */
int fg_gen_ht_planted(const struct fg_world *w, uint64_t seed, long n, const struct fg_plant *pl,
                      FILE *f, struct fg_feed_stats *st, struct fg_ht_outcome *out);

/* The manifest entry of the HT-1 sample (file: its path under samples/): new reference, NULL on
 * out of memory. */
json_t *fg_ht_manifest(const char *file, const struct fg_feed_stats *st,
                       const struct fg_ht_outcome *out);

#endif
