/* digests.c - the record digests of loaded files, read and written (binary parameters, no SQL
 * built from values). */
#include "loader/digests.h"

#include "loader/pg_internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char DIGESTS_READ[] = "SELECT first_index, digests FROM onegrid.etl_record_digest "
                                   "WHERE source = $1 AND input = $2 ORDER BY first_index";

/* Rows overlapping the range [$3, $3 + $4) other than the one that starts at $3. */
static const char DIGESTS_DROP[] =
    "DELETE FROM onegrid.etl_record_digest WHERE source = $1 AND input = $2 "
    "AND first_index <> $3::bigint AND first_index < $3::bigint + $4::int "
    "AND first_index + n > $3::bigint";

static const char DIGESTS_PUT[] =
    "INSERT INTO onegrid.etl_record_digest (source, input, first_index, n, digests, run_id) "
    "VALUES ($1, $2, $3::bigint, $4::int, $5::bytea, $6::bigint) "
    "ON CONFLICT (source, input, first_index) DO UPDATE SET n = EXCLUDED.n, "
    "digests = EXCLUDED.digests, run_id = EXCLUDED.run_id";

static uint64_t be64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

/* Writes one stored row's digests at their indexes. */
static int put_row(int fd, long long first, const unsigned char *bytes, size_t len,
                   struct og_error *err)
{
    enum { CHUNK = 1024 };
    uint64_t buf[CHUNK];
    size_t count = len / 8;
    for (size_t done = 0; done < count;) {
        size_t k = count - done < CHUNK ? count - done : CHUNK;
        for (size_t i = 0; i < k; i++)
            buf[i] = be64(bytes + 8 * (done + i));
        off_t at = (off_t)(first + (long long)done) * 8;
        size_t want = k * 8, put = 0;
        while (put < want) {
            ssize_t w = pwrite(fd, (const char *)buf + put, want - put, at + (off_t)put);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                return og_error_set(err, OG_EIO, OG_CLASS_FATAL, OG_R_IO,
                                    "could not write the stored record digests to a temporary "
                                    "file: %s",
                                    w < 0 ? strerror(errno) : "short write");
            put += (size_t)w;
        }
        done += k;
    }
    return 0;
}

int og_pg_digests_read(struct og_pg *pg, const char *source, const char *key, int fd, long long *n,
                       struct og_error *err)
{
    *n = 0;
    const char *p[] = {source, key};
    if (!PQsendQueryParams(pg->conn, DIGESTS_READ, 2, NULL, p, NULL, NULL, 1) ||
        !PQsetSingleRowMode(pg->conn))
        return og_pg_fail(pg, NULL, "read the stored record digests", err);
    int rc = 0;
    PGresult *res;
    while ((res = PQgetResult(pg->conn))) {
        ExecStatusType s = PQresultStatus(res);
        if (s == PGRES_SINGLE_TUPLE && rc == 0) {
            if (PQgetlength(res, 0, 0) != 8)
                rc = og_error_set(err, OG_EDB, OG_CLASS_FATAL, OG_R_DB,
                                  "read the stored record digests: unexpected first_index");
            else {
                long long first = (long long)be64((const unsigned char *)PQgetvalue(res, 0, 0));
                size_t len = (size_t)PQgetlength(res, 0, 1);
                rc = first < 0 ? 0
                               : put_row(fd, first, (const unsigned char *)PQgetvalue(res, 0, 1),
                                         len, err);
                *n += (long long)(len / 8);
            }
        }
        else if (s != PGRES_SINGLE_TUPLE && s != PGRES_TUPLES_OK && rc == 0)
            rc = og_pg_fail(pg, res, "read the stored record digests", err);
        PQclear(res);
    }
    return rc;
}

int og_pg_digests_write(struct og_pg *pg, const char *source, const char *run,
                        const struct og_mark *m, struct og_error *err)
{
    if (m->ndigests == 0)
        return 0;
    char first[32], count[32];
    snprintf(first, sizeof(first), "%lld", m->first);
    snprintf(count, sizeof(count), "%zu", m->ndigests);
    const char *p[] = {source, m->key, first, count};
    if (og_pg_run(pg, DIGESTS_DROP, 4, p, PGRES_COMMAND_OK, NULL, "replace record digests", err) <
        0)
        return OG_EDB;
    unsigned char *bytes = malloc(m->ndigests * 8);
    if (!bytes)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    for (size_t i = 0; i < m->ndigests; i++)
        for (int k = 0; k < 8; k++)
            bytes[8 * i + (size_t)k] = (unsigned char)(m->digests[i] >> (56 - 8 * k));
    const char *values[] = {source, m->key, first, count, (const char *)bytes, run};
    int lengths[] = {0, 0, 0, 0, (int)(m->ndigests * 8), 0};
    int formats[] = {0, 0, 0, 0, 1, 0};
    PGresult *res = PQexecParams(pg->conn, DIGESTS_PUT, 6, NULL, values, lengths, formats, 0);
    free(bytes);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = og_pg_fail(pg, res, "store record digests", err);
    PQclear(res);
    return rc;
}
