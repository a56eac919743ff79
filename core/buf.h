/* buf.h - a growable byte buffer (always NUL-terminated). */
#ifndef OG_BUF_H
#define OG_BUF_H

#include <stddef.h>

struct og_buf {
    char *data; /* owned; NULL until the first append */
    size_t len;
    size_t cap;
};

#define OG_BUF_INIT                                                                                \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

/* Each returns 0 or OG_ENOMEM; on failure the buffer keeps its old content. */
int og_buf_reserve(struct og_buf *b, size_t extra);
int og_buf_append(struct og_buf *b, const void *data, size_t n);
int og_buf_puts(struct og_buf *b, const char *s);
int og_buf_putc(struct og_buf *b, char c);
int og_buf_printf(struct og_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Empties the buffer, keeps its memory. */
void og_buf_reset(struct og_buf *b);
/* Frees the memory; the buffer can be used again. */
void og_buf_free(struct og_buf *b);
/* Hands the data over to the caller (new, free() it); the buffer becomes empty. */
char *og_buf_steal(struct og_buf *b);

#endif
