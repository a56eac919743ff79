/* classes.c - quartile breaks over the distinct non-zero values; zero is always class 0 (see
 * classes.h). */
#include "analysis/classes.h"

#include "core/error.h"

#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int og_classes_of(const struct og_classes *c, double v)
{
    if (!(v > 0))
        return 0;
    int k = 1;
    for (int i = 0; i < 3; i++)
        if (v > c->breaks[i])
            k++;
    return k;
}

int og_classes_compute(const double *values, const bool *present, size_t n, struct og_classes *c)
{
    memset(c, 0, sizeof(*c));
    double *x = malloc((n ? n : 1) * sizeof(*x));
    if (!x)
        return OG_ENOMEM;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (present && !present[i])
            c->nodata++;
        else if (values[i] > 0)
            x[m++] = values[i];
    }
    qsort(x, m, sizeof(*x), cmp_double);
    c->nonzero = m;
    size_t u = 0; /* the distinct values, so that ties (many grids at 1) do not empty a class */
    for (size_t i = 0; i < m; i++)
        if (u == 0 || x[i] != x[u - 1])
            x[u++] = x[i];
    for (size_t k = 1; k <= 3 && u > 0; k++)
        c->breaks[k - 1] = x[(k * u + 3) / 4 - 1]; /* ceil(k*u/4) - 1 */
    free(x);
    for (size_t i = 0; i < n; i++) {
        if (present && !present[i])
            continue;
        int k = og_classes_of(c, values[i]);
        if (c->count[k] == 0 || values[i] < c->lo[k])
            c->lo[k] = values[i];
        if (c->count[k] == 0 || values[i] > c->hi[k])
            c->hi[k] = values[i];
        c->count[k]++;
    }
    return 0;
}
