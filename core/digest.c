/* digest.c - SHA-256 hex digests through libcrypto's EVP interface. */
#include "core/digest.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void og_digest_hex(const unsigned char md[32], char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
}

void og_sha256_hex(const void *data, size_t len, char hex[65])
{
    unsigned char md[32];
    unsigned int n = 0;
    EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
    og_digest_hex(md, hex);
}

int og_file_sha256(const char *path, char hex[65], struct og_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return og_error_set(err, OG_EIO, OG_CLASS_FATAL, OG_R_IO, "could not open \"%s\": %s", path,
                            strerror(errno));
    enum { BLOCK = 1 << 16 };
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char *buf = malloc(BLOCK);
    int rc = 0;
    if (!ctx || !buf) {
        rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
        goto out;
    }
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    size_t n;
    while ((n = fread(buf, 1, BLOCK, fp)) > 0)
        EVP_DigestUpdate(ctx, buf, n);
    if (ferror(fp)) {
        rc = og_error_set(err, OG_EIO, OG_CLASS_FATAL, OG_R_IO, "could not read \"%s\"", path);
        goto out;
    }
    unsigned char md[32];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, md, &len);
    og_digest_hex(md, hex);
out:
    free(buf);
    EVP_MD_CTX_free(ctx);
    fclose(fp);
    return rc;
}

int og_sha256_begin(struct og_sha256 *d)
{
    d->md = EVP_MD_CTX_new();
    if (!d->md)
        return OG_ENOMEM;
    EVP_DigestInit_ex(d->md, EVP_sha256(), NULL);
    return 0;
}

void og_sha256_add(struct og_sha256 *d, const void *data, size_t len)
{
    if (d->md)
        EVP_DigestUpdate(d->md, data, len);
}

void og_sha256_end(struct og_sha256 *d, unsigned char md[32])
{
    unsigned int len = 0;
    memset(md, 0, 32);
    if (d->md)
        EVP_DigestFinal_ex(d->md, md, &len);
    EVP_MD_CTX_free(d->md);
    d->md = NULL;
}

int og_sha256_rows_hex(struct og_sha256_rows *h, size_t n, const void *const part[],
                       const size_t len[], char hex[65])
{
    hex[0] = '\0';
    if (!h->alg && !(h->alg = EVP_MD_fetch(NULL, "SHA256", NULL)))
        return OG_ENOMEM;
    if (!h->ctx && !(h->ctx = EVP_MD_CTX_new()))
        return OG_ENOMEM;
    unsigned char md[32];
    unsigned int mdlen = 0;
    bool ok = EVP_DigestInit_ex2(h->ctx, h->alg, NULL);
    for (size_t i = 0; ok && i < n; i++)
        ok = EVP_DigestUpdate(h->ctx, part[i], len[i]);
    if (!ok || !EVP_DigestFinal_ex(h->ctx, md, &mdlen) || mdlen != 32)
        return OG_ENOMEM;
    og_digest_hex(md, hex);
    return 0;
}

void og_sha256_rows_free(struct og_sha256_rows *h)
{
    EVP_MD_CTX_free(h->ctx);
    EVP_MD_free(h->alg);
    h->ctx = h->alg = NULL;
}

/* ---- XXH64, after the specification (little-endian reads on any host) ---- */

static const uint64_t P1 = 0x9E3779B185EBCA87ULL, P2 = 0xC2B2AE3D27D4EB4FULL,
                      P3 = 0x165667B19E3779F9ULL, P4 = 0x85EBCA77C2B2AE63ULL,
                      P5 = 0x27D4EB2F165667C5ULL;

static uint64_t rotl64(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static uint64_t le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t xxh_round(uint64_t acc, uint64_t input)
{
    acc += input * P2;
    return rotl64(acc, 31) * P1;
}

static uint64_t xxh_merge(uint64_t acc, uint64_t v)
{
    acc ^= xxh_round(0, v);
    return acc * P1 + P4;
}

static void xxh_start(struct og_rdigest *d, uint64_t seed)
{
    d->seed = seed;
    d->v[0] = seed + P1 + P2;
    d->v[1] = seed + P2;
    d->v[2] = seed;
    d->v[3] = seed - P1;
    d->total = 0;
    d->nmem = 0;
}

static void xxh_stripe(uint64_t v[4], const unsigned char *p)
{
    v[0] = xxh_round(v[0], le64(p));
    v[1] = xxh_round(v[1], le64(p + 8));
    v[2] = xxh_round(v[2], le64(p + 16));
    v[3] = xxh_round(v[3], le64(p + 24));
}

static void xxh_update(struct og_rdigest *d, const unsigned char *p, size_t len)
{
    d->total += len;
    if (d->nmem + len < 32) {
        memcpy(d->mem + d->nmem, p, len);
        d->nmem += len;
        return;
    }
    if (d->nmem) {
        size_t fill = 32 - d->nmem;
        memcpy(d->mem + d->nmem, p, fill);
        xxh_stripe(d->v, d->mem);
        p += fill;
        len -= fill;
        d->nmem = 0;
    }
    for (; len >= 32; p += 32, len -= 32)
        xxh_stripe(d->v, p);
    memcpy(d->mem, p, len);
    d->nmem = len;
}

static uint64_t xxh_digest(const struct og_rdigest *d)
{
    uint64_t h;
    if (d->total >= 32) {
        const uint64_t *v = d->v;
        h = rotl64(v[0], 1) + rotl64(v[1], 7) + rotl64(v[2], 12) + rotl64(v[3], 18);
        for (int i = 0; i < 4; i++)
            h = xxh_merge(h, v[i]);
    }
    else
        h = d->seed + P5;
    h += (uint64_t)d->total;
    const unsigned char *p = d->mem, *end = p + d->nmem;
    for (; end - p >= 8; p += 8) {
        h ^= xxh_round(0, le64(p));
        h = rotl64(h, 27) * P1 + P4;
    }
    if (end - p >= 4) {
        h ^= (uint64_t)le32(p) * P1;
        h = rotl64(h, 23) * P2 + P3;
        p += 4;
    }
    for (; p < end; p++) {
        h ^= (uint64_t)*p * P5;
        h = rotl64(h, 11) * P1;
    }
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    h ^= h >> 32;
    return h;
}

uint64_t og_xxh64(const void *data, size_t len, uint64_t seed)
{
    struct og_rdigest d;
    xxh_start(&d, seed);
    xxh_update(&d, data, len);
    return xxh_digest(&d);
}

/* ---- record digests ---- */

void og_rdigest_begin(struct og_rdigest *d, const unsigned char seed[32])
{
    xxh_start(d, le64(seed));
}

void og_rdigest_add(struct og_rdigest *d, const void *data, size_t len)
{
    xxh_update(d, data, len);
}

uint64_t og_rdigest_end(struct og_rdigest *d)
{
    uint64_t h = xxh_digest(d);
    return h ? h : 1;
}
