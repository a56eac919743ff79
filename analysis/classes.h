/* classes.h - five classes for a map, as Zhejiang's five-colour map has them: class 0 (green) for
 * zero, classes 1..4 (blue, yellow, orange, red) by quartile breaks over the distinct non-zero
 * values, and "no data" for values that are absent (a rate with no residents). Pure: no I/O. */
#ifndef OG_CLASSES_H
#define OG_CLASSES_H

#include <stdbool.h>
#include <stddef.h>

#define OG_CLASSES 5
#define OG_CLASS_NODATA (-1)

struct og_classes {
    /* Upper bounds (inclusive) of classes 1, 2 and 3; class 4 is above breaks[2]. Equal breaks
     * (ties in the data) leave a class empty rather than split equal values. */
    double breaks[3];
    size_t nonzero;           /* values present and > 0 */
    size_t nodata;            /* values absent */
    size_t count[OG_CLASSES]; /* values per class */
    double lo[OG_CLASSES];    /* smallest value in each class (when count > 0) */
    double hi[OG_CLASSES];    /* largest value in each class (when count > 0) */
};

/* The breaks of values[0..n-1] (present[i] false: no value; present may be NULL when all are):
 * the distinct non-zero values, sorted, x[0..u-1], give breaks[k-1] = x[ceil(k*u/4) - 1] for
 * k = 1, 2, 3 (all 0 when u = 0), so that every class holds a value once there are four distinct
 * ones; then each value's class is counted with its range. 0, or OG_ENOMEM. */
int og_classes_compute(const double *values, const bool *present, size_t n, struct og_classes *c);

/* The class of v under c: 0 for v <= 0, else 1 + the number of breaks below v (1..4). */
int og_classes_of(const struct og_classes *c, double v);

#endif
