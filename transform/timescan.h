/* timescan.h - the calendar and digit scanners that time parsing (timeparse.c) and time zones
 * (zone.c) share; internal to transform/. */
#ifndef OG_TIMESCAN_H
#define OG_TIMESCAN_H

#include <stdbool.h>
#include <stdint.h>

#define OG_US_PER_S INT64_C(1000000)
#define OG_DAY_S INT64_C(86400)
#define OG_MAX_OFFSET_MIN (18 * 60) /* +-18:00, the widest offset accepted (as java.time does) */

static inline int days_in_month(int y, int m)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return mdays[m - 1] + (m == 2 && leap);
}

static inline bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* Reads between min and max digits at *p into *v; advances *p. False when fewer than min. */
static inline bool digits(const char **p, int min, int max, int *v)
{
    int n = 0, x = 0;
    while (n < max && is_digit((*p)[n])) {
        x = x * 10 + ((*p)[n] - '0');
        n++;
    }
    if (n < min)
        return false;
    *p += n;
    *v = x;
    return true;
}

/* Parses [+-]hh[[:]mm] at *p (advancing it) into minutes east of UTC. False when malformed or
 * beyond +-18:00. */
static inline bool offset_scan(const char **p, int *off)
{
    const char *q = *p;
    if (*q != '+' && *q != '-')
        return false;
    int sign = *q++ == '-' ? -1 : 1, hh, mm = 0;
    if (!digits(&q, 2, 2, &hh))
        return false;
    if (*q == ':') {
        q++;
        if (!digits(&q, 2, 2, &mm))
            return false;
    }
    else if (is_digit(*q)) {
        if (!digits(&q, 2, 2, &mm))
            return false;
    }
    if (mm > 59 || hh * 60 + mm > OG_MAX_OFFSET_MIN)
        return false;
    *off = sign * (hh * 60 + mm);
    *p = q;
    return true;
}

#endif
