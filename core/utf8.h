/* utf8.h - UTF-8 validation helpers shared by the readers. */
#ifndef OG_UTF8_H
#define OG_UTF8_H

#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (1..4; n bytes available), or 0 when it is invalid or cut
 * short (overlongs and surrogates are invalid). */
size_t og_utf8_seq(const unsigned char *s, size_t n);
/* A new copy (free()) of at most max bytes of text as valid UTF-8: invalid bytes and NUL become
 * U+FFFD. NULL on out of memory. */
char *og_utf8_copy(const char *text, size_t len, size_t max);

#endif
