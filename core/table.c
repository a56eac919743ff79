/* table.c - read a small CSV file fully into memory. */
#include "core/table.h"
#include "core/buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void og_table_free(struct og_table *t)
{
    if (!t)
        return;
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++)
            free(t->rows[r][c]);
        free(t->rows[r]);
    }
    for (size_t c = 0; c < t->ncols; c++)
        free(t->header[c]);
    free(t->header);
    free(t->rows);
    free(t->lines);
    free(t->path);
    memset(t, 0, sizeof(*t));
}

/* Parses one record starting at *p; fields appended to *out (new strings). Advances *p and *line.
 */
static int parse_record(const char **p, const char *end, long *line, char ***out, size_t *n)
{
    struct og_buf f = OG_BUF_INIT;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    const char *s = *p;
    for (;;) {
        og_buf_reset(&f);
        og_buf_putc(&f, '\0');
        f.len = 0;
        if (s < end && *s == '"') {
            s++;
            for (;;) {
                if (s >= end) {
                    og_buf_free(&f);
                    for (size_t i = 0; i < *n; i++)
                        free((*out)[i]);
                    free(*out);
                    *out = NULL;
                    *n = 0;
                    return OG_EPARSE;
                }
                if (*s == '"') {
                    if (s + 1 < end && s[1] == '"') {
                        og_buf_putc(&f, '"');
                        s += 2;
                        continue;
                    }
                    s++;
                    break;
                }
                if (*s == '\n')
                    (*line)++;
                og_buf_putc(&f, *s++);
            }
        }
        while (s < end && *s != ',' && *s != '\n' && *s != '\r')
            og_buf_putc(&f, *s++);
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            char **nv = realloc(*out, cap * sizeof(char *));
            if (!nv) {
                og_buf_free(&f);
                for (size_t i = 0; i < *n; i++)
                    free((*out)[i]);
                free(*out);
                *out = NULL;
                *n = 0;
                return OG_ENOMEM;
            }
            *out = nv;
        }
        (*out)[(*n)++] = og_buf_steal(&f);
        if (s < end && *s == ',') {
            s++;
            continue;
        }
        if (s < end && *s == '\r')
            s++;
        if (s < end && *s == '\n')
            s++;
        (*line)++;
        break;
    }
    *p = s;
    og_buf_free(&f);
    return 0;
}

static void free_fields(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

int og_table_read(const char *path, struct og_table *t, struct og_error *err)
{
    memset(t, 0, sizeof(*t));
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return og_error_set(err, OG_EIO, OG_CLASS_FATAL, OG_R_IO, "could not open \"%s\": %s", path,
                            strerror(errno));
    struct og_buf all = OG_BUF_INIT;
    char block[65536];
    size_t got;
    while ((got = fread(block, 1, sizeof(block), fp)) > 0) {
        if (og_buf_append(&all, block, got) < 0) {
            fclose(fp);
            og_buf_free(&all);
            return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                                "out of memory reading \"%s\"", path);
        }
    }
    fclose(fp);
    int rc = 0;
    t->path = strdup(path);
    const char *p = all.data ? all.data : "";
    const char *end = p + all.len;
    if (end - p >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    long line = 1;
    if (p >= end || *p == '\n' || *p == '\r') {
        rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_TABLE,
                          "%s:1: the header row is missing", path);
        goto done;
    }
    if (parse_record(&p, end, &line, &t->header, &t->ncols) < 0) {
        rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_TABLE,
                          "%s:1: cannot read the header row", path);
        goto done;
    }
    size_t cap = 0;
    while (p < end) {
        long start = line;
        if (*p == '\n' || *p == '\r') { /* blank line */
            if (*p == '\r')
                p++;
            if (p < end && *p == '\n')
                p++;
            line++;
            continue;
        }
        char **fields;
        size_t n;
        if (parse_record(&p, end, &line, &fields, &n) < 0) {
            rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_TABLE,
                              "%s:%ld: unterminated quoted field", path, start);
            goto done;
        }
        if (n != t->ncols) {
            free_fields(fields, n);
            rc = og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_TABLE,
                              "%s:%ld: %zu fields where the header has %zu", path, start, n,
                              t->ncols);
            goto done;
        }
        if (t->nrows == cap) {
            cap = cap ? cap * 2 : 64;
            char ***nr = realloc(t->rows, cap * sizeof(char **));
            long *nl = realloc(t->lines, cap * sizeof(long));
            if (nr)
                t->rows = nr;
            if (nl)
                t->lines = nl;
            if (!nr || !nl) {
                free_fields(fields, n);
                rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
                goto done;
            }
        }
        t->lines[t->nrows] = start;
        t->rows[t->nrows++] = fields;
    }
done:
    og_buf_free(&all);
    if (rc < 0)
        og_table_free(t);
    return rc;
}

int og_table_col(const struct og_table *t, const char *name)
{
    for (size_t c = 0; c < t->ncols; c++)
        if (strcmp(t->header[c], name) == 0)
            return (int)c;
    return -1;
}

int og_table_require_col(const struct og_table *t, const char *name, struct og_error *err)
{
    int c = og_table_col(t, name);
    if (c < 0)
        og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_TABLE,
                     "%s: no column \"%s\" in the header", t->path, name);
    return c;
}
