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

uint64_t og_xxh64(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = data, *end = p + len;
    uint64_t h;
    if (len >= 32) {
        uint64_t v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;
        for (; end - p >= 32; p += 32) {
            v1 = xxh_round(v1, le64(p));
            v2 = xxh_round(v2, le64(p + 8));
            v3 = xxh_round(v3, le64(p + 16));
            v4 = xxh_round(v4, le64(p + 24));
        }
        h = rotl64(v1, 1) + rotl64(v2, 7) + rotl64(v3, 12) + rotl64(v4, 18);
        h = xxh_merge(h, v1);
        h = xxh_merge(h, v2);
        h = xxh_merge(h, v3);
        h = xxh_merge(h, v4);
    }
    else
        h = seed + P5;
    h += (uint64_t)len;
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

/* ---- record digests ---- */

void og_rdigest_init(struct og_rdigest *d)
{
    memset(d, 0, sizeof(*d));
}

void og_rdigest_free(struct og_rdigest *d)
{
    free(d->buf);
    memset(d, 0, sizeof(*d));
}

void og_rdigest_begin(struct og_rdigest *d, const unsigned char seed[32])
{
    d->len = 0;
    d->failed = false;
    d->seed = le64(seed);
}

void og_rdigest_add(struct og_rdigest *d, const void *data, size_t len)
{
    if (d->failed || len == 0)
        return;
    if (len > d->cap - d->len) {
        size_t cap = d->cap ? d->cap : 4096;
        while (cap - d->len < len) {
            if (cap > SIZE_MAX / 2) {
                d->failed = true;
                return;
            }
            cap *= 2;
        }
        unsigned char *more = realloc(d->buf, cap);
        if (!more) {
            d->failed = true;
            return;
        }
        d->buf = more;
        d->cap = cap;
    }
    memcpy(d->buf + d->len, data, len);
    d->len += len;
}

uint64_t og_rdigest_end(struct og_rdigest *d)
{
    if (d->failed)
        return 0;
    uint64_t h = og_xxh64(d->buf ? d->buf : (const unsigned char *)"", d->len, d->seed);
    return h ? h : 1;
}
