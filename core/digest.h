/* digest.h - SHA-256 as 64 lower-case hex characters: of bytes in memory (row hashes) and of a
 * file's content (the file ledger). */
#ifndef OG_DIGEST_H
#define OG_DIGEST_H

#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A 32-byte digest (SHA-256, HMAC-SHA-256) as 64 lower-case hex characters + NUL. */
void og_digest_hex(const unsigned char md[32], char hex[65]);
/* SHA-256 of data[0..len) into hex (64 characters + NUL). Cannot fail. */
void og_sha256_hex(const void *data, size_t len, char hex[65]);
/* SHA-256 of the content of the file at path into hex. 0, OG_EIO (cannot open or read: err names
 * the file) or OG_ENOMEM. */
int og_file_sha256(const char *path, char hex[65], struct og_error *err);

/* SHA-256 taken piece by piece (a digest of a configuration: a world, a mapping's files). */
struct og_sha256 {
    void *md; /* EVP_MD_CTX, owned */
};
/* Starts a digest: 0 or OG_ENOMEM (og_sha256_end frees what it holds either way). */
int og_sha256_begin(struct og_sha256 *d);
void og_sha256_add(struct og_sha256 *d, const void *data, size_t len);
void og_sha256_end(struct og_sha256 *d, unsigned char md[32]);

/* SHA-256 of one record after another (the loader's row hashes): the algorithm fetched and the
 * context made once, not per digest. Zeroed is "not made yet"; og_sha256_rows_hex makes it on
 * first use. Not shared between threads. */
struct og_sha256_rows {
    void *alg; /* EVP_MD, owned */
    void *ctx; /* EVP_MD_CTX, owned */
};
/* The hex digest of the concatenation of the n parts (part[i], len[i]). 0, or OG_ENOMEM (hex
 * then ""). */
int og_sha256_rows_hex(struct og_sha256_rows *h, size_t n, const void *const part[],
                       const size_t len[], char hex[65]);
void og_sha256_rows_free(struct og_sha256_rows *h);

/* XXH64 (xxHash's 64-bit hash, https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md) of
 * data[0..len) with seed. */
uint64_t og_xxh64(const void *data, size_t len, uint64_t seed);

/* A record's digest (files: whether a record of a changed file was loaded before from the same
 * bytes): XXH64 of the record's bytes, taken piece by piece as they are added, seeded with the
 * first 8 bytes of a 32-byte seed (the SHA-256 of what records are converted under); never 0,
 * which stands for "no digest". One scratch serves record after record; it holds no memory
 * (og_rdigest_begin sets every field). */
struct og_rdigest {
    uint64_t v[4], seed;
    unsigned long long total;
    unsigned char mem[32];
    size_t nmem;
};
void og_rdigest_begin(struct og_rdigest *d, const unsigned char seed[32]);
void og_rdigest_add(struct og_rdigest *d, const void *data, size_t len);
uint64_t og_rdigest_end(struct og_rdigest *d);

#endif
