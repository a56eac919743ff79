/* error.c - filling and formatting struct og_error. */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void og_error_clear(struct og_error *err)
{
    if (err)
        memset(err, 0, sizeof(*err));
}

static void vfill(char *dst, size_t size, const char *fmt, va_list ap)
{
    int n = vsnprintf(dst, size, fmt, ap);
    if (n < 0)
        dst[0] = '\0';
}

int og_error_set_(struct og_error *err, const char *file, int line, int code, enum og_class klass,
                  enum og_reason reason, const char *fmt, ...)
{
    if (!err)
        return code;
    char keep_pos[sizeof(err->position)];
    memcpy(keep_pos, err->position, sizeof(keep_pos));
    memset(err, 0, sizeof(*err));
    memcpy(err->position, keep_pos, sizeof(keep_pos));
    err->code = code;
    err->klass = klass;
    err->reason = reason;
    err->origin_file = file;
    err->origin_line = line;
    va_list ap;
    va_start(ap, fmt);
    vfill(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return code;
}

void og_error_detail(struct og_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfill(err->detail, sizeof(err->detail), fmt, ap);
    va_end(ap);
}

void og_error_hint(struct og_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfill(err->hint, sizeof(err->hint), fmt, ap);
    va_end(ap);
}

void og_error_position(struct og_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfill(err->position, sizeof(err->position), fmt, ap);
    va_end(ap);
}

void og_error_field(struct og_error *err, const char *field)
{
    if (err)
        snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
}

void og_error_prefix(struct og_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    char pre[256];
    char old[sizeof(err->message)];
    va_list ap;
    va_start(ap, fmt);
    vfill(pre, sizeof(pre), fmt, ap);
    va_end(ap);
    memcpy(old, err->message, sizeof(old));
    size_t lp = strlen(pre), lo = strlen(old);
    if (lp >= sizeof(err->message))
        lp = sizeof(err->message) - 1;
    if (lp + lo >= sizeof(err->message))
        lo = sizeof(err->message) - 1 - lp;
    memcpy(err->message, pre, lp);
    memcpy(err->message + lp, old, lo);
    err->message[lp + lo] = '\0';
}

const char *og_error_format(const struct og_error *err, char *buf, size_t size)
{
    if (!err || size == 0)
        return "";
    int n =
        snprintf(buf, size, "%s%s%s", err->position, err->position[0] ? ": " : "", err->message);
    if (n < 0 || (size_t)n >= size)
        return buf;
    size_t len = (size_t)n;
    if (err->detail[0]) {
        n = snprintf(buf + len, size - len, "\n  detail: %s", err->detail);
        if (n < 0 || (size_t)n >= size - len)
            return buf;
        len += (size_t)n;
    }
    if (err->hint[0])
        snprintf(buf + len, size - len, "\n  hint: %s", err->hint);
    return buf;
}
