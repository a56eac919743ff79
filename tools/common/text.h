/* text.h - bounded string copies and the division naming rules both generators must agree on. */
#ifndef OG_TOOLS_COMMON_TEXT_H
#define OG_TOOLS_COMMON_TEXT_H

#include <stddef.h>

/* Copies src into dst[size] (size > 0), cut at a byte when too long; always NUL-terminated. */
void og_tool_scopy(char *dst, size_t size, const char *src);

/* s with a trailing suffix `from` replaced by `to` (UTF-8), or s unchanged, into out[size]
 * (cut at a byte when too long). */
void og_tool_replace_suffix(const char *s, const char *from, const char *to, char *out,
                            size_t size);

/* A community's short name: "...居委会" -> "...社区", "...村委会" -> "...村", else the name. */
void og_tool_community_short_name(const char *name, char *out, size_t size);

/* The fire-department grid name of a community: its street's name followed by its short name
 * (小公园街道 + 金凤居委会 -> 小公园街道金凤社区), into out[size]. */
void og_tool_fire_grid_name(const char *street_name, const char *comm_name, char *out, size_t size);

#endif
