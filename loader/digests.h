/* digests.h - the record digests of the files a source loaded (onegrid.etl_record_digest): read
 * before a changed file is read again, written with each batch. */
#ifndef OG_LOADER_DIGESTS_H
#define OG_LOADER_DIGESTS_H

#include "core/batch.h"
#include "core/error.h"
#include "loader/pg.h"

/* The digests stored for file key of source, into fd: the digest of record index i as a uint64_t
 * (host order) at offset 8 i; *n: how many rows' worth of digests were written. Rows are read one
 * at a time (memory does not grow with the file). 0, OG_EDB or OG_EIO. */
int og_pg_digests_read(struct og_pg *pg, const char *source, const char *key, int fd, long long *n,
                       struct og_error *err);

/* In the caller's transaction: m's digests (a file's records m->first ..) replace those stored
 * for the records they cover; a stored row that overlaps them is deleted whole. Nothing for a mark
 * without digests. 0 or OG_EDB (OG_ENOMEM). */
int og_pg_digests_write(struct og_pg *pg, const char *source, const char *run,
                        const struct og_mark *m, struct og_error *err);

#endif
