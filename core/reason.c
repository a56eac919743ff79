/* reason.c - names and meanings of the reason codes (the table is in reason.h). */
#include "core/reason.h"

#include <string.h>

struct entry {
    const char *name;
    enum og_reason_kind kind;
    const char *stages;
    const char *meaning;
};

static const struct entry REASONS[] = {
#define OG_REASON_ENTRY(e, code, kind, stages, meaning) {code, OG_RK_##kind, stages, meaning},
    OG_REASONS(OG_REASON_ENTRY)
#undef OG_REASON_ENTRY
};

const char *og_reason_name(enum og_reason r)
{
    return (unsigned)r < OG_R__COUNT ? REASONS[r].name : "?";
}

const char *og_reason_meaning(enum og_reason r)
{
    return (unsigned)r < OG_R__COUNT ? REASONS[r].meaning : "?";
}

enum og_reason_kind og_reason_kind(enum og_reason r)
{
    return (unsigned)r < OG_R__COUNT ? REASONS[r].kind : OG_RK_NONE;
}

const char *og_reason_stages(enum og_reason r)
{
    return (unsigned)r < OG_R__COUNT ? REASONS[r].stages : "-";
}

int og_reason_parse(const char *name)
{
    for (int r = 1; name && r < OG_R__COUNT; r++)
        if (strcmp(REASONS[r].name, name) == 0)
            return r;
    return -1;
}
