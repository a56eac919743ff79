/* fuzz_input.h - the fuzz targets' shared helper: fuzz bytes as a file a connector can open. */
#ifndef OG_FUZZ_INPUT_H
#define OG_FUZZ_INPUT_H

#include "core/connector.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* Writes data into a new memfd and its /proc path into path; returns the fd (close it), or -1. */
static inline int fuzz_memfd(const char *name, const uint8_t *data, size_t size, char path[64])
{
    int fd = memfd_create(name, 0);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < size) {
        ssize_t n = write(fd, data + off, size - off);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    snprintf(path, 64, "/proc/self/fd/%d", fd);
    return fd;
}

/* Whether s (n bytes) is valid UTF-8 (no overlong forms, surrogates or code points past U+10FFFF):
 * an independent check of what the loader sends to PostgreSQL as text. */
static inline bool fuzz_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        size_t len = c < 0x80             ? 1
                     : (c & 0xE0) == 0xC0 ? 2
                     : (c & 0xF0) == 0xE0 ? 3
                     : (c & 0xF8) == 0xF0 ? 4
                                          : 0;
        if (!len || i + len > n)
            return false;
        unsigned cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

/* fuzz_utf8_valid on a NUL-terminated text; NULL counts as valid (a NULL column). */
static inline bool fuzz_text_ok(const char *s)
{
    size_t n = 0;
    while (s && s[n])
        n++;
    return !s || fuzz_utf8_valid(s, n);
}

/* A connector's skip path under fuzzing: every record whose digest is odd is called unchanged. */
struct fuzz_skip {
    struct og_rdigest rd;
    struct og_skip skip;
};

static inline bool fuzz_odd(void *ctx, uint64_t digest)
{
    (void)ctx;
    if (digest == 0)
        abort(); /* 0 means "no digest" (out of memory): a digested record never has it */
    return digest & 1;
}

/* Sets f up (it holds no memory). */
static inline void fuzz_skip_init(struct fuzz_skip *f)
{
    static const unsigned char seed[32] = {7};
    f->skip = (struct og_skip){.digest = &f->rd, .seed = seed, .unchanged = fuzz_odd, .ctx = NULL};
}

#endif
