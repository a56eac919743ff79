/* jsondoc.c - the "json" file connector: each element of a document's array is one record. */
#include "connectors/jsondoc.h"

#include "connectors/infile.h"

#include "core/buf.h"
#include "core/jsonparse.h"
#include "core/options.h"
#include "core/utf8.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define JSONDOC_RAW_MAX ((size_t)64 * 1024)
/* The file is read in blocks (OG_JSONDOC_BLOCK) into a window of two; an element longer than the
 * free room grows the window (to hold the whole element), which shrinks back once it is dropped. */
#define JSONDOC_BLOCK OG_JSONDOC_BLOCK
#define JSONDOC_WINDOW (2 * JSONDOC_BLOCK)
/* A scan that needs none of the bytes behind its position (it skips, it does not keep). */
#define JSONDOC_NOHOLD SIZE_MAX

static const struct og_option_doc jsondoc_options[] = {
    {"records", "string", "",
     "dotted path of object keys to the array of records (\"data.items\"); \"\" = the root (a root "
     "object is one record)"},
    {"repair_leading_zeros", "boolean", "false",
     "read numbers written with leading zeros (001) as strings (\"001\") instead of rejecting the "
     "record"},
    {NULL, NULL, NULL, NULL},
};

/* A sliding window over the file: the scanner works on file offsets, the window holds the bytes
 * [base, base + have) of them. Bytes before the offset a scan holds (or before its position, for a
 * scan that holds nothing) are dropped when room is needed, their lines counted first. */
struct jsonwin {
    struct og_infile in;
    char *buf; /* owned, cap bytes */
    size_t cap;
    size_t base;       /* file offset of buf[0] */
    size_t have;       /* bytes in buf */
    bool eof;          /* nothing more to read: the end of the file, or a failure (rc) */
    int rc;            /* 0, or the read or memory failure that ended the window (in fail) */
    long long line;    /* line of line_pos */
    size_t line_pos;   /* lines are counted up to here (never before base) */
    size_t line_start; /* offset where that line starts */
    struct og_error fail;
};

enum jsondoc_mode { JSONDOC_ARRAY, JSONDOC_SINGLE, JSONDOC_DONE };

struct jsondoc {
    struct jsonwin win; /* win.in.path is handed out as pos->input */
    bool repair;
    enum jsondoc_mode mode;
    size_t cur; /* scan position: after '[' or after the last element */
    bool first; /* no element read yet */
    long long index;
    struct og_buf fixed;        /* an element with its leading zeros repaired */
    const struct og_skip *skip; /* borrowed, or NULL */
};

/* The bytes the structure scan stops at; everything else is skipped in its inner loop. */
static const unsigned char jsondoc_stop[256] = {
    ['"'] = 1, ['\\'] = 1, ['['] = 1, [']'] = 1, ['{'] = 1, ['}'] = 1, [','] = 1,
};

static bool is_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Opens path into *w (new; win_close) with line 1 at offset 0. 0, OG_EIO naming the file, or
 * OG_ENOMEM. */
static int win_open(struct jsonwin *w, const char *path, struct og_error *err)
{
    memset(w, 0, sizeof(*w));
    w->line = 1;
    og_error_clear(&w->fail);
    int rc = og_infile_open(&w->in, path, err);
    if (rc < 0)
        return rc;
    w->buf = malloc(JSONDOC_WINDOW);
    if (!w->buf)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    w->cap = JSONDOC_WINDOW;
    return 0;
}

/* Closes and frees; w may be zeroed or already closed. */
static void win_close(struct jsonwin *w)
{
    og_infile_close(&w->in);
    free(w->buf);
    w->buf = NULL;
    w->cap = w->have = 0;
}

/* The failure that ended the window, copied into err; returns its code. */
static int win_error(const struct jsonwin *w, struct og_error *err)
{
    if (err)
        *err = w->fail;
    return w->rc;
}

/* The window failed (w->fail is filled): it reads nothing more. Returns -1. */
static int win_failed(struct jsonwin *w, int rc)
{
    w->rc = rc;
    w->eof = true;
    return -1;
}

/* Offset just past the last byte read: the length of the file once w->eof is set. */
static size_t win_end(const struct jsonwin *w)
{
    return w->base + w->have;
}

/* Line number of offset p (p never goes backwards between calls; the bytes from line_pos to p are
 * in the window); *col is its 1-based column. */
static long long line_at(struct jsonwin *w, size_t p, int *col)
{
    while (w->line_pos < p) {
        const char *from = w->buf + (w->line_pos - w->base);
        const char *nl = memchr(from, '\n', p - w->line_pos);
        if (!nl) {
            w->line_pos = p;
            break;
        }
        w->line++;
        w->line_pos = w->base + (size_t)(nl - w->buf) + 1;
        w->line_start = w->line_pos;
    }
    *col = (int)(p - w->line_start + 1);
    return w->line;
}

/* Reads more of the file into the window (at least one byte, up to the free room, ending at a
 * block boundary of the file), first dropping the bytes before keep when there is less than a
 * block of room (and shrinking a window grown for a large element). 0, or -1 at the end of the
 * file or on a failure (w->rc). */
static int win_read(struct jsonwin *w, size_t keep)
{
    if (w->cap - w->have < JSONDOC_BLOCK) {
        if (keep > win_end(w))
            keep = win_end(w);
        assert(keep >= w->base);
        int col;
        (void)line_at(w, keep, &col); /* lines of what is dropped are counted before */
        size_t drop = keep - w->base;
        if (drop > 0)
            memmove(w->buf, w->buf + drop, w->have - drop);
        w->have -= drop;
        w->base = keep;
        size_t want = w->have + JSONDOC_BLOCK, cap = w->cap;
        if (want > cap)
            cap = cap <= SIZE_MAX / 2 && cap * 2 > want ? cap * 2 : want;
        else if (cap > JSONDOC_WINDOW && want <= JSONDOC_WINDOW)
            cap = JSONDOC_WINDOW;
        if (cap != w->cap) {
            char *grown = realloc(w->buf, cap);
            if (!grown) {
                og_error_set(&w->fail, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                             "out of memory reading \"%s\"", w->in.path);
                og_error_detail(&w->fail, "an element needs a window of %zu bytes", want);
                og_error_position(&w->fail, "%s:%lld", w->in.path, w->line);
                return win_failed(w, OG_ENOMEM);
            }
            w->buf = grown;
            w->cap = cap;
        }
    }
    size_t room = w->cap - w->have; /* at least a block */
    room -= (win_end(w) + room) % JSONDOC_BLOCK;
    size_t got = 0;
    int rc = og_infile_read(&w->in, w->buf + w->have, room, &got, w->line, &w->fail);
    w->have += got;
    if (rc < 0)
        return win_failed(w, rc);
    if (got == 0) {
        w->eof = true;
        return -1;
    }
    return 0;
}

/* Reads until offset p is in the window, keeping the bytes from hold on (from p on for
 * JSONDOC_NOHOLD). 0, or -1 when the file ends before p or on a failure (w->rc). */
static int win_more(struct jsonwin *w, size_t p, size_t hold)
{
    assert(p >= w->base && (hold == JSONDOC_NOHOLD || (hold >= w->base && hold <= p)));
    size_t keep = hold == JSONDOC_NOHOLD ? p : hold;
    while (p - w->base >= w->have) {
        if (w->eof || win_read(w, keep) < 0)
            return -1;
    }
    return 0;
}

/* The byte at offset p, or -1 when the file ends before it (or on a failure: w->rc). hold as for
 * win_more. */
static inline int win_byte(struct jsonwin *w, size_t p, size_t hold)
{
    if (p - w->base < w->have)
        return (unsigned char)w->buf[p - w->base];
    if (win_more(w, p, hold) < 0)
        return -1;
    return (unsigned char)w->buf[p - w->base];
}

/* Reads the rest of the file, keeping the bytes from hold on. 0, or -1 on a failure (w->rc). */
static int win_read_all(struct jsonwin *w, size_t hold)
{
    while (!w->eof)
        (void)win_read(w, hold);
    return w->rc < 0 ? -1 : 0;
}

/* A pointer to the bytes at offset p (in the window; valid until the window reads again). */
static const char *win_at(const struct jsonwin *w, size_t p)
{
    assert(p >= w->base && p <= win_end(w));
    return w->buf + (p - w->base);
}

static size_t skip_ws(struct jsonwin *w, size_t p)
{
    while (is_ws(win_byte(w, p, JSONDOC_NOHOLD)))
        p++;
    return p;
}

/* End of the string starting at the quote at p (one past its closing quote), or the end of the
 * file; the bytes from hold on stay in the window. */
static size_t string_end(struct jsonwin *w, size_t p, size_t hold)
{
    for (p++;; p++) {
        int c = win_byte(w, p, hold);
        if (c < 0)
            return win_end(w);
        if (c == '\\')
            p++;
        else if (c == '"')
            return p + 1;
    }
}

/* End of the value starting at p: the first ',' or `close` outside strings and brackets, or the
 * end of the file. The bytes from hold on stay in the window (none for JSONDOC_NOHOLD). */
static size_t value_end(struct jsonwin *w, size_t p, char close, size_t hold)
{
    size_t depth = 0;
    bool in_string = false;
    for (;;) {
        if (p - w->base >= w->have && win_more(w, p, hold) < 0)
            return win_end(w);
        const unsigned char *b = (const unsigned char *)w->buf;
        size_t i = p - w->base, n = w->have;
        for (; i < n; i++) {
            unsigned char c = b[i];
            if (!jsondoc_stop[c])
                continue;
            if (in_string) {
                if (c == '\\')
                    i++; /* may step past the window: the next pass reads on */
                else if (c == '"')
                    in_string = false;
                continue;
            }
            if (c == '"')
                in_string = true;
            else if (c == '[' || c == '{')
                depth++;
            else if (depth == 0 && (c == ',' || c == (unsigned char)close))
                return w->base + i;
            else if ((c == ']' || c == '}') && depth > 0)
                depth--;
        }
        p = w->base + i;
    }
}

/* What the value at p is, in words. */
static const char *value_kind(struct jsonwin *w, size_t p)
{
    int c = win_byte(w, p, p);
    if (c < 0)
        return "nothing (end of file)";
    switch (c) {
    case '{':
        return "an object";
    case '[':
        return "an array";
    case '"':
        return "a string";
    case 't':
    case 'f':
        return "a boolean";
    case 'n':
        return "null";
    default:
        if (c == '-' || (c >= '0' && c <= '9'))
            return "a number";
        return "not valid JSON";
    }
}

/* Sets err's position to "path:line:column" of offset p. */
static void position_at(struct jsonwin *w, size_t p, struct og_error *err)
{
    int col;
    long long line = line_at(w, p, &col);
    og_error_position(err, "%s:%lld:%d", w->in.path, line, col);
}

/* In the object at p, the value of the member named key[0..keylen): 1 with *out, 0 when there is
 * no such member, -1 when the object is not valid JSON. The members before it are scanned, not
 * kept. */
static int find_member(struct jsonwin *w, size_t p, const char *key, size_t keylen, size_t *out)
{
    p = skip_ws(w, p + 1);
    if (win_byte(w, p, JSONDOC_NOHOLD) == '}')
        return 0;
    while (win_byte(w, p, JSONDOC_NOHOLD) == '"') {
        size_t kend = string_end(w, p, p);
        json_t *name = json_loadb(win_at(w, p), kend - p, JSON_DECODE_ANY, NULL);
        bool match = name && json_string_length(name) == keylen &&
                     memcmp(json_string_value(name), key, keylen) == 0;
        bool bad = !json_is_string(name);
        json_decref(name);
        if (bad)
            return -1;
        p = skip_ws(w, kend);
        if (win_byte(w, p, JSONDOC_NOHOLD) != ':')
            return -1;
        p = skip_ws(w, p + 1);
        if (match) {
            *out = p;
            return 1;
        }
        p = value_end(w, p, '}', JSONDOC_NOHOLD);
        int c = win_byte(w, p, JSONDOC_NOHOLD);
        if (c < 0)
            return -1;
        if (c == '}')
            return 0;
        p = skip_ws(w, p + 1);
    }
    return -1;
}

/* Positions st->cur after the '[' of the records array, or sets the single-record mode. An error
 * here may come from a failed read: the caller checks st->win.rc. */
static int locate_records(struct jsondoc *st, const char *records, struct og_error *err)
{
    struct jsonwin *w = &st->win;
    size_t p = skip_ws(w, st->cur);
    if (!records || !records[0]) {
        int c = win_byte(w, p, JSONDOC_NOHOLD);
        if (c == '[') {
            st->cur = p + 1;
            return 0;
        }
        if (c == '{') {
            st->mode = JSONDOC_SINGLE;
            st->cur = p;
            return 0;
        }
        og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_DOCUMENT,
                     "the root of \"%s\" is %s, expected an array of records or an object",
                     w->in.path, value_kind(w, p));
        position_at(w, p, err);
        return OG_EPARSE;
    }
    const char *key = records;
    for (;;) {
        const char *dot = strchr(key, '.');
        size_t keylen = dot ? (size_t)(dot - key) : strlen(key);
        /* where the object starts, counted now: finding the member reads on past it */
        int col;
        long long line = line_at(w, p, &col);
        if (win_byte(w, p, p) != '{') {
            if (key == records)
                og_error_set(
                    err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_DOCUMENT,
                    "records path \"%s\" does not lead to an array: the root is %s, not an object",
                    records, value_kind(w, p));
            else
                og_error_set(
                    err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_DOCUMENT,
                    "records path \"%s\" does not lead to an array: \"%.*s\" is %s, not an object",
                    records, (int)(key - records - 1), records, value_kind(w, p));
            og_error_position(err, "%s:%lld:%d", w->in.path, line, col);
            return OG_EPARSE;
        }
        size_t value = 0;
        int rc = find_member(w, p, key, keylen, &value);
        if (rc <= 0) {
            if (rc == 0)
                og_error_set(
                    err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_DOCUMENT,
                    "records path \"%s\" does not lead to an array: no key \"%.*s\" in %s%.*s%s",
                    records, (int)keylen, key, key == records ? "the root object" : "\"",
                    key == records ? 0 : (int)(key - records - 1), records,
                    key == records ? "" : "\"");
            else
                og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_DOCUMENT,
                             "records path \"%s\": the object holding \"%.*s\" is not valid JSON",
                             records, (int)keylen, key);
            og_error_position(err, "%s:%lld:%d", w->in.path, line, col);
            return OG_EPARSE;
        }
        p = value;
        if (!dot)
            break;
        key = dot + 1;
    }
    if (win_byte(w, p, p) != '[') {
        og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_DOCUMENT,
                     "records path \"%s\" leads to %s, not an array", records, value_kind(w, p));
        position_at(w, p, err);
        return OG_EPARSE;
    }
    st->cur = p + 1;
    return 0;
}

static void jsondoc_close(void *state)
{
    struct jsondoc *st = state;
    if (!st)
        return;
    og_buf_free(&st->fixed);
    win_close(&st->win);
    free(st);
}

static int jsondoc_open(const char *path, const json_t *options, void **state, struct og_error *err)
{
    *state = NULL;
    int rc = og_options_check("connector json", jsondoc_options, options, err);
    if (rc < 0)
        return rc;
    const char *records = options ? json_string_value(json_object_get(options, "records")) : NULL;
    json_t *repair = options ? json_object_get(options, "repair_leading_zeros") : NULL;
    struct jsondoc *st = calloc(1, sizeof(*st));
    if (!st)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    st->repair = json_is_true(repair);
    st->first = true;
    rc = win_open(&st->win, path, err);
    if (rc < 0)
        goto fail;
    if (win_byte(&st->win, 2, 0) >= 0 && memcmp(win_at(&st->win, 0), "\xEF\xBB\xBF", 3) == 0)
        st->cur = st->win.line_pos = st->win.line_start = 3;
    rc = locate_records(st, records, err);
    if (st->win.rc < 0) /* what was read up to a failed read says nothing */
        rc = win_error(&st->win, err);
    if (rc < 0)
        goto fail;
    *state = st;
    return 0;
fail:
    jsondoc_close(st);
    return rc;
}

/* Rewrites text[0..len) into st->fixed with numbers that have leading zeros quoted (outside
 * strings only). Returns 1 when something was rewritten, 0 when not, OG_ENOMEM. */
static int repair_zeros(struct jsondoc *st, const char *text, size_t len)
{
    og_buf_reset(&st->fixed);
    bool changed = false, in_string = false;
    char prev = '\0'; /* last character outside strings and spaces */
    size_t copied = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
            prev = c;
            continue;
        }
        if (is_ws(c))
            continue;
        bool starts_number = (c == '-' || (c >= '0' && c <= '9')) &&
                             (prev == '\0' || prev == '[' || prev == ',' || prev == ':');
        prev = c;
        if (!starts_number)
            continue;
        size_t j = i;
        while (j < len && ((text[j] >= '0' && text[j] <= '9') || text[j] == '-' || text[j] == '+' ||
                           text[j] == '.' || text[j] == 'e' || text[j] == 'E'))
            j++;
        size_t k = i + (c == '-');
        if (k + 1 < j && text[k] == '0' && text[k + 1] >= '0' && text[k + 1] <= '9') {
            if (og_buf_append(&st->fixed, text + copied, i - copied) < 0 ||
                og_buf_putc(&st->fixed, '"') < 0 ||
                og_buf_append(&st->fixed, text + i, j - i) < 0 || og_buf_putc(&st->fixed, '"') < 0)
                return OG_ENOMEM;
            copied = j;
            changed = true;
        }
        prev = text[j - 1];
        i = j - 1;
    }
    if (changed && og_buf_append(&st->fixed, text + copied, len - copied) < 0)
        return OG_ENOMEM;
    return changed;
}

/* Decodes one element text[0..len) starting at offset start (in the window). */
static int decode_element(struct jsondoc *st, size_t start, size_t len, json_t **doc,
                          struct og_pos *pos, char **raw, struct og_error *err)
{
    struct jsonwin *w = &st->win;
    const char *text = win_at(w, start);
    int col;
    memset(pos, 0, sizeof(*pos));
    pos->input = w->in.path;
    pos->line = line_at(w, start, &col);
    pos->offset = (long long)start;
    pos->index = st->index++;
    pos->partition = -1;
    if (st->skip && og_skip_bytes(st->skip, text, len))
        return OG_CONN_UNCHANGED;

    const char *load = text;
    size_t load_len = len;
    if (st->repair) {
        int rc = repair_zeros(st, text, len);
        if (rc < 0)
            return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
        if (rc > 0) {
            load = st->fixed.data;
            load_len = st->fixed.len;
        }
    }
    json_error_t jerr;
    json_t *value = len ? og_json_loadb(load, load_len, JSON_DECODE_ANY, &jerr) : NULL;
    if (value && json_is_object(value)) {
        *doc = value;
        return 1;
    }
    if (value) {
        og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_NOT_OBJECT,
                     "element %lld is %s, not an object", pos->index, value_kind(w, start));
        og_error_position(err, "%s:%lld:%d", w->in.path, pos->line, col);
        json_decref(value);
    }
    else if (!len) {
        og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_BAD_JSON, "element %lld is empty",
                     pos->index);
        og_error_detail(err, "two commas in a row, or a comma before the closing bracket");
        og_error_position(err, "%s:%lld:%d", w->in.path, pos->line, col);
    }
    else {
        long long line = pos->line + (jerr.line > 1 ? jerr.line - 1 : 0);
        int column = jerr.line > 1 ? jerr.column : col + (jerr.column > 0 ? jerr.column - 1 : 0);
        og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_BAD_JSON,
                     "invalid JSON in element %lld: %s (column %d)", pos->index, jerr.text, column);
        if (!st->repair && strstr(jerr.text, "invalid token") && repair_zeros(st, text, len) > 0)
            og_error_hint(err, "the element has numbers with leading zeros: set the option "
                               "\"repair_leading_zeros\" to read them as strings");
        og_error_position(err, "%s:%lld:%d", w->in.path, line, column);
    }
    *raw = og_utf8_copy(text, len, JSONDOC_RAW_MAX);
    return OG_EREJECT;
}

/* Reading is over at offset p: nothing more is handed on, progress says all of the file. */
static void finish(struct jsondoc *st, size_t p)
{
    st->mode = JSONDOC_DONE;
    long long size = st->win.in.size;
    st->cur = size > 0 && (unsigned long long)size > p ? (size_t)size : p;
}

static int jsondoc_next(void *state, json_t **doc, struct og_pos *pos, char **raw,
                        struct og_error *err)
{
    struct jsondoc *st = state;
    struct jsonwin *w = &st->win;
    *doc = NULL;
    *raw = NULL;
    if (st->mode == JSONDOC_DONE)
        return 0;
    if (w->rc < 0)
        return win_error(w, err);
    if (st->mode == JSONDOC_SINGLE) {
        size_t start = st->cur;
        if (win_read_all(w, start) < 0)
            return win_error(w, err);
        size_t end = win_end(w);
        finish(st, end);
        while (end > start && is_ws((unsigned char)*win_at(w, end - 1)))
            end--;
        return decode_element(st, start, end - start, doc, pos, raw, err);
    }
    size_t p = skip_ws(w, st->cur);
    int c = win_byte(w, p, JSONDOC_NOHOLD);
    if (c == ']' && st->first) {
        finish(st, p + 1); /* what follows the array is not read */
        return 0;
    }
    if (!st->first && c >= 0) {
        if (c == ']') {
            finish(st, p + 1);
            return 0;
        }
        p = skip_ws(w, p + 1); /* value_end stopped at a ',' */
        c = win_byte(w, p, JSONDOC_NOHOLD);
    }
    if (c < 0) {
        if (w->rc < 0)
            return win_error(w, err);
        size_t end = win_end(w);
        finish(st, end);
        og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_DOCUMENT,
                     "the array of records in \"%s\" is not closed at the end of the file",
                     w->in.path);
        position_at(w, end, err);
        return OG_EPARSE;
    }
    st->first = false;
    size_t end = value_end(w, p, ']', p);
    if (w->rc < 0)
        return win_error(w, err);
    st->cur = end;
    size_t trim = end;
    while (trim > p && is_ws((unsigned char)*win_at(w, trim - 1)))
        trim--;
    return decode_element(st, p, trim - p, doc, pos, raw, err);
}

static void jsondoc_progress(void *state, long long *done, long long *total)
{
    const struct jsondoc *st = state;
    *done = st ? (long long)st->cur : 0;
    *total = st ? st->win.in.size : 0;
}

/* The array of records is closed: a scan of its structure from the first element to the closing
 * bracket (strings and nesting only, nothing decoded, nothing kept), through a second window of
 * its own on the file, from where st has counted lines to. st is not changed. */
static int jsondoc_verify(void *state, struct og_pos *pos, struct og_error *err)
{
    struct jsondoc *st = state;
    if (st->mode != JSONDOC_ARRAY)
        return 0;
    assert(st->win.line_pos <= st->cur);
    struct jsonwin v;
    int rc = win_open(&v, st->win.in.path, err);
    if (rc < 0)
        goto done;
    v.base = v.line_pos = st->win.line_pos;
    v.line = st->win.line;
    v.line_start = st->win.line_start;
    if (v.base > 0 && fseeko(v.in.fp, (off_t)v.base, SEEK_SET) != 0) {
        rc = og_error_set(err, OG_EIO, OG_CLASS_FATAL, OG_R_IO, "could not seek in \"%s\": %s",
                          v.in.path, strerror(errno));
        og_error_position(err, "%s", v.in.path);
        goto done;
    }
    size_t p = st->cur;
    for (bool first = true;; first = false) {
        p = skip_ws(&v, p);
        int c = win_byte(&v, p, JSONDOC_NOHOLD);
        if (c == ']')
            goto done; /* rc == 0 */
        if (!first && c >= 0) {
            p = skip_ws(&v, p + 1); /* value_end stopped at a ',' */
            c = win_byte(&v, p, JSONDOC_NOHOLD);
        }
        if (c < 0)
            break;
        p = value_end(&v, p, ']', JSONDOC_NOHOLD);
    }
    if (v.rc < 0) {
        rc = win_error(&v, err);
        goto done;
    }
    size_t end = win_end(&v);
    rc = og_error_set(err, OG_EPARSE, OG_CLASS_REJECT, OG_R_BAD_DOCUMENT,
                      "the array of records in \"%s\" is not closed at the end of the file",
                      v.in.path);
    og_error_detail(err, "the file ends inside the array: cut off, or still being written");
    int col;
    pos->line = line_at(&v, end, &col);
    pos->offset = (long long)end;
    og_error_position(err, "%s:%lld:%d", v.in.path, pos->line, col);
done:
    win_close(&v);
    return rc;
}

static void jsondoc_set_skip(void *state, const struct og_skip *skip)
{
    ((struct jsondoc *)state)->skip = skip;
}

const struct og_connector og_connector_json = {
    .name = "json",
    .summary = "a JSON document holding an array of records (the root, or the array at a path)",
    .options = jsondoc_options,
    .open = jsondoc_open,
    .next = jsondoc_next,
    .progress = jsondoc_progress,
    .verify = jsondoc_verify,
    .close = jsondoc_close,
    .set_skip = jsondoc_set_skip,
};
