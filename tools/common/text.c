/* text.c - bounded string copies, suffix replacement and the community / fire-grid naming rules. */
#include "tools/common/text.h"

#include <stdio.h>
#include <string.h>

void og_tool_scopy(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size) {
        n = size - 1;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

void og_tool_replace_suffix(const char *s, const char *from, const char *to, char *out, size_t size)
{
    size_t n = strlen(s), nf = strlen(from);
    if (n >= nf && strcmp(s + n - nf, from) == 0) {
        snprintf(out, size, "%.*s%s", (int)(n - nf), s, to);
    }
    else {
        og_tool_scopy(out, size, s);
    }
}

void og_tool_community_short_name(const char *name, char *out, size_t size)
{
    og_tool_replace_suffix(name, "居委会", "社区", out, size);
    if (strcmp(out, name) == 0) {
        og_tool_replace_suffix(name, "村委会", "村", out, size);
    }
}

void og_tool_fire_grid_name(const char *street_name, const char *comm_name, char *out, size_t size)
{
    char short_name[160];
    og_tool_community_short_name(comm_name, short_name, sizeof short_name);
    snprintf(out, size, "%s%s", street_name, short_name);
}
