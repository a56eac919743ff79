/* html.h - writing HTML text safely: escaping for text and attribute values. Pure: no I/O. */
#ifndef OG_HTML_H
#define OG_HTML_H

#include "core/buf.h"

#include <stddef.h>

/* Appends s (NULL: nothing) to out escaped for both HTML text and a quoted attribute value:
 * & < > " ' become entities; bytes that are not valid UTF-8, NUL and the control characters HTML
 * forbids (C0 other than tab, newline, carriage return; DEL; C1) become U+FFFD. Other characters,
 * Chinese included, are copied as they are (the page is UTF-8). 0 or OG_ENOMEM. */
int og_html_escape(struct og_buf *out, const char *s);
/* The same for the first n bytes of s. */
int og_html_escape_n(struct og_buf *out, const char *s, size_t n);
/* printf-style text, then escaped: og_html_escape of the formatted string. 0 or OG_ENOMEM. */
int og_html_printf(struct og_buf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
