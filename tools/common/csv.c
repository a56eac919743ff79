/* csv.c - the CSV record splitter and field writer shared by the generators. */
#include "tools/common/csv.h"

#include <string.h>

int og_tool_csv_next(char **pos, char **fields, int max)
{
    char *p = *pos;
    if (*p == '\0') {
        return 0;
    }
    int nf = 0;
    for (;;) {
        char *dst = p, *start = p;
        if (*p == '"') {
            p++;
            for (;;) {
                if (*p == '\0') {
                    break;
                }
                if (*p == '"' && p[1] == '"') {
                    *dst++ = '"';
                    p += 2;
                }
                else if (*p == '"') {
                    p++;
                    break;
                }
                else {
                    *dst++ = *p++;
                }
            }
        }
        while (*p != ',' && *p != '\n' && *p != '\r' && *p != '\0') {
            *dst++ = *p++;
        }
        char sep = *p;
        *dst = '\0';
        if (nf < max) {
            fields[nf++] = start;
        }
        if (sep == ',') {
            p++;
            continue;
        }
        if (sep == '\r') {
            p++;
            if (*p == '\n') {
                p++;
            }
        }
        else if (sep == '\n') {
            p++;
        }
        break;
    }
    *pos = p;
    return nf;
}

int og_tool_csv_col(char *const *fields, int n, const char *name)
{
    for (int i = 0; i < n; i++) {
        if (strcmp(fields[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

int og_tool_csv_field(struct og_buf *b, const char *s, bool first)
{
    int rc = first ? 0 : og_buf_putc(b, ',');
    if (rc == 0 && strpbrk(s, ",\"\r\n") == NULL) {
        return og_buf_puts(b, s);
    }
    rc = rc ? rc : og_buf_putc(b, '"');
    for (const char *p = s; rc == 0 && *p; p++) {
        rc = *p == '"' ? og_buf_puts(b, "\"\"") : og_buf_putc(b, *p);
    }
    return rc ? rc : og_buf_putc(b, '"');
}
