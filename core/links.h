/* links.h - the rules that link events of different departments that are the same thing on the
 * ground (mappings/links.json, docs/links.md): the rule set as plain data, read by
 * transform/links.c and applied by loader/links.c. */
#ifndef OG_LINKS_H
#define OG_LINKS_H

#include <stdbool.h>
#include <stddef.h>

#define OG_LINK_NAME_MAX 64
#define OG_LINK_DEPT_MAX 8
#define OG_LINK_CODE_MAX 8

/* One side of a rule: the department (empty: any) and the unified category code prefixes an event
 * of that side has (each 2 or 4 digits; one of them begins the event's category_code). */
struct og_link_side {
    char department[OG_LINK_DEPT_MAX];
    char (*prefixes)[OG_LINK_CODE_MAX];
    size_t nprefixes;
};

/* A rule: two events of different departments, one on each side, reported at most window_s apart,
 * on the same unified grid (same_grid) or whose points are at most within_m metres apart (within_m
 * > 0); when both are given either place test suffices. */
struct og_link_rule {
    char name[OG_LINK_NAME_MAX];
    struct og_link_side side[2];
    bool same_grid;
    double within_m;    /* 0: no distance test */
    long long window_s; /* > 0 */
};

/* The rules in file order: when several match a pair, the first one links it. */
struct og_links {
    char *path; /* the file they came from */
    struct og_link_rule *rules;
    size_t nrules;
};

/* Frees what links holds and zeroes it. NULL allowed. */
void og_links_free(struct og_links *links);

#endif
