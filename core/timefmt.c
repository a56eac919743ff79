/* timefmt.c - formatting UTC instants for PostgreSQL and ISO 8601, and civil-date arithmetic, by
 * pure calendar arithmetic (no TZ, no locale, no mktime). */
#include "core/timefmt.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define US_PER_S INT64_C(1000000)
#define US_PER_DAY (INT64_C(86400) * US_PER_S)

/* Howard Hinnant's days_from_civil / civil_from_days, proleptic Gregorian, eras of 400 years. */
int64_t og_days_from_civil(int y, int m, int d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;                                 /* [0, 399] */
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

void og_civil_from_days(int64_t days, int *y, int *m, int *d)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
    int64_t dd = doy - (153 * mp + 2) / 5 + 1;
    int64_t mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400 + (mm <= 2));
    *m = (int)mm;
    *d = (int)dd;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Splits t + offset into civil fields; returns the microseconds within the second. */
static int split(int64_t t, int offset_min, int *y, int *mo, int *d, int *h, int *mi, int *s)
{
    int64_t local = t + (int64_t)offset_min * 60 * US_PER_S;
    int64_t days = floor_div(local, US_PER_DAY);
    int64_t rem = local - days * US_PER_DAY;
    og_civil_from_days(days, y, mo, d);
    int64_t secs = rem / US_PER_S;
    *h = (int)(secs / 3600);
    *mi = (int)(secs / 60 % 60);
    *s = (int)(secs % 60);
    return (int)(rem % US_PER_S);
}

/* Writes v as exactly width digits (zero-padded) at p; returns the end. */
static char *digits(char *p, long long v, int width)
{
    for (int i = width - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
    return p + width;
}

/* ".123" for 123000 microseconds, "" for none: trailing zeros trimmed. Returns the end. */
static char *fraction(char *p, int us)
{
    if (us == 0)
        return p;
    *p++ = '.';
    int n = 6;
    while (us % 10 == 0)
        us /= 10, n--;
    return digits(p, us, n);
}

char *og_time_format_pg(int64_t t, char *out, size_t size)
{
    int y, mo, d, h, mi, s;
    int us = split(t, 0, &y, &mo, &d, &h, &mi, &s);
    /* PostgreSQL writes astronomical year 0 as 1 BC, -1 as 2 BC, ... */
    bool bc = y <= 0;
    long long year = bc ? 1 - (long long)y : y;
    char text[64], *p = text;
    int w = 4;
    for (long long big = 10000; year >= big && w < 12; big *= 10)
        w++;
    p = digits(p, year, w);
    *p++ = '-', p = digits(p, mo, 2), *p++ = '-', p = digits(p, d, 2), *p++ = ' ';
    p = digits(p, h, 2), *p++ = ':', p = digits(p, mi, 2), *p++ = ':', p = digits(p, s, 2);
    p = fraction(p, us);
    memcpy(p, "+00", 3), p += 3;
    if (bc)
        memcpy(p, " BC", 3), p += 3;
    size_t n = (size_t)(p - text);
    if (size) {
        n = n < size ? n : size - 1;
        memcpy(out, text, n);
        out[n] = '\0';
    }
    return out;
}

char *og_time_format_iso(int64_t t, int offset_min, char *out, size_t size)
{
    int y, mo, d, h, mi, s;
    char frac[12];
    *fraction(frac, split(t, offset_min, &y, &mo, &d, &h, &mi, &s)) = '\0';
    int a = offset_min < 0 ? -offset_min : offset_min;
    snprintf(out, size,
             (y >= 0 && y <= 9999) ? "%04d-%02d-%02dT%02d:%02d:%02d%s%c%02d:%02d"
                                   : "%+05d-%02d-%02dT%02d:%02d:%02d%s%c%02d:%02d",
             y, mo, d, h, mi, s, frac, offset_min < 0 ? '-' : '+', a / 60, a % 60);
    return out;
}
