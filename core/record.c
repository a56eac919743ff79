/* record.c - formatting record positions. */
#include "core/record.h"

#include <stdio.h>

const char *og_pos_format(const struct og_pos *pos, char *buf, size_t size)
{
    if (pos->partition >= 0)
        snprintf(buf, size, "%s[%d]@%lld", pos->input ? pos->input : "?", pos->partition,
                 pos->offset);
    else if (pos->line > 0)
        snprintf(buf, size, "%s:%lld", pos->input ? pos->input : "?", pos->line);
    else
        snprintf(buf, size, "%s#%lld", pos->input ? pos->input : "?", pos->index + 1);
    return buf;
}
