/* stats.c - counting rejects by reason. */
#include "pipeline/stats.h"

void og_stats_count(struct og_source_stats *st, enum og_reason reason)
{
    st->rejected++;
    for (int i = 0; i < st->nreasons; i++)
        if (st->reasons[i].reason == reason) {
            st->reasons[i].n++;
            return;
        }
    if (st->nreasons < OG_R__COUNT)
        st->reasons[st->nreasons++] = (struct og_reason_count){reason, 1};
}
