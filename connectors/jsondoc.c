/* jsondoc.c - the "json" file connector: each element of a document's array is one record. */
#include "connectors/jsondoc.h"

#include "connectors/infile.h"

#include "core/buf.h"
#include "core/options.h"
#include "core/utf8.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSONDOC_RAW_MAX ((size_t)64 * 1024)

static const struct og_option_doc jsondoc_options[] = {
    {"records", "string", "",
     "dotted path of object keys to the array of records (\"data.items\"); \"\" = the root (a root "
     "object is one record)"},
    {"repair_leading_zeros", "boolean", "false",
     "read numbers written with leading zeros (001) as strings (\"001\") instead of rejecting the "
     "record"},
    {NULL, NULL, NULL, NULL},
};

enum jsondoc_mode { JSONDOC_ARRAY, JSONDOC_SINGLE, JSONDOC_DONE };

struct jsondoc {
    char *path; /* owned copy, handed out as pos->input */
    char *data; /* the whole document */
    size_t len;
    bool repair;
    enum jsondoc_mode mode;
    size_t cur;        /* scan position: after '[' or after the last element */
    bool first;        /* no element read yet */
    long long line;    /* line of data[line_pos] */
    size_t line_pos;   /* lines are counted up to here */
    size_t line_start; /* offset where that line starts */
    long long index;
    struct og_buf fixed; /* an element with its leading zeros repaired */
};

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_ws(const struct jsondoc *st, size_t p)
{
    while (p < st->len && is_ws(st->data[p]))
        p++;
    return p;
}

/* End of the string starting at the quote at p (one past its closing quote), or len. */
static size_t string_end(const struct jsondoc *st, size_t p)
{
    for (p++; p < st->len; p++) {
        if (st->data[p] == '\\')
            p++;
        else if (st->data[p] == '"')
            return p + 1;
    }
    return st->len;
}

/* End of the value starting at p: the first ',' or `close` outside strings and brackets, or len. */
static size_t value_end(const struct jsondoc *st, size_t p, char close)
{
    size_t depth = 0;
    while (p < st->len) {
        char c = st->data[p];
        if (c == '"') {
            p = string_end(st, p);
            continue;
        }
        if (c == '[' || c == '{')
            depth++;
        else if (depth == 0 && (c == ',' || c == close))
            return p;
        else if ((c == ']' || c == '}') && depth > 0)
            depth--;
        p++;
    }
    return st->len;
}

/* What the value at p is, in words. */
static const char *value_kind(const struct jsondoc *st, size_t p)
{
    if (p >= st->len)
        return "nothing (end of file)";
    switch (st->data[p]) {
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
        if (st->data[p] == '-' || (st->data[p] >= '0' && st->data[p] <= '9'))
            return "a number";
        return "not valid JSON";
    }
}

/* Line number of offset p (p never goes backwards between calls); *col is its 1-based column. */
static long long line_at(struct jsondoc *st, size_t p, int *col)
{
    while (st->line_pos < p) {
        const char *nl = memchr(st->data + st->line_pos, '\n', p - st->line_pos);
        if (!nl) {
            st->line_pos = p;
            break;
        }
        st->line++;
        st->line_pos = (size_t)(nl - st->data) + 1;
        st->line_start = st->line_pos;
    }
    *col = (int)(p - st->line_start + 1);
    return st->line;
}

/* Sets err's position to "path:line:column" of offset p. */
static void position_at(struct jsondoc *st, size_t p, struct og_error *err)
{
    int col;
    long long line = line_at(st, p, &col);
    og_error_position(err, "%s:%lld:%d", st->path, line, col);
}

/* In the object at p, the value of the member named key[0..keylen): 1 with *out, 0 when there is
 * no such member, -1 when the object is not valid JSON. */
static int find_member(const struct jsondoc *st, size_t p, const char *key, size_t keylen,
                       size_t *out)
{
    p = skip_ws(st, p + 1);
    if (p < st->len && st->data[p] == '}')
        return 0;
    while (p < st->len && st->data[p] == '"') {
        size_t kend = string_end(st, p);
        json_t *name = json_loadb(st->data + p, kend - p, JSON_DECODE_ANY, NULL);
        bool match = name && json_string_length(name) == keylen &&
                     memcmp(json_string_value(name), key, keylen) == 0;
        bool bad = !json_is_string(name);
        json_decref(name);
        if (bad)
            return -1;
        p = skip_ws(st, kend);
        if (p >= st->len || st->data[p] != ':')
            return -1;
        p = skip_ws(st, p + 1);
        if (match) {
            *out = p;
            return 1;
        }
        p = value_end(st, p, '}');
        if (p >= st->len)
            return -1;
        if (st->data[p] == '}')
            return 0;
        p = skip_ws(st, p + 1);
    }
    return -1;
}

/* Positions st->cur after the '[' of the records array, or sets the single-record mode. */
static int locate_records(struct jsondoc *st, const char *records, struct og_error *err)
{
    size_t p = skip_ws(st, st->cur);
    if (!records || !records[0]) {
        if (p < st->len && st->data[p] == '[') {
            st->cur = p + 1;
            return 0;
        }
        if (p < st->len && st->data[p] == '{') {
            st->mode = JSONDOC_SINGLE;
            st->cur = p;
            return 0;
        }
        og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_DOCUMENT,
                     "the root of \"%s\" is %s, expected an array of records or an object",
                     st->path, value_kind(st, p));
        position_at(st, p, err);
        return OG_EPARSE;
    }
    const char *key = records;
    for (;;) {
        const char *dot = strchr(key, '.');
        size_t keylen = dot ? (size_t)(dot - key) : strlen(key);
        if (p >= st->len || st->data[p] != '{') {
            if (key == records)
                og_error_set(
                    err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_DOCUMENT,
                    "records path \"%s\" does not lead to an array: the root is %s, not an object",
                    records, value_kind(st, p));
            else
                og_error_set(
                    err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_DOCUMENT,
                    "records path \"%s\" does not lead to an array: \"%.*s\" is %s, not an object",
                    records, (int)(key - records - 1), records, value_kind(st, p));
            position_at(st, p, err);
            return OG_EPARSE;
        }
        size_t value = 0;
        int rc = find_member(st, p, key, keylen, &value);
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
            position_at(st, p, err);
            return OG_EPARSE;
        }
        p = value;
        if (!dot)
            break;
        key = dot + 1;
    }
    if (p >= st->len || st->data[p] != '[') {
        og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_DOCUMENT,
                     "records path \"%s\" leads to %s, not an array", records, value_kind(st, p));
        position_at(st, p, err);
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
    free(st->data);
    free(st->path);
    free(st);
}

/* Reads the whole file into st->data. */
static int read_file(struct jsondoc *st, struct og_error *err)
{
    struct og_infile in;
    struct og_buf doc = OG_BUF_INIT;
    int rc = og_infile_open(&in, st->path, err);
    if (rc == 0)
        rc = og_infile_read_all(&in, &doc, err);
    og_infile_close(&in);
    if (rc < 0) {
        og_buf_free(&doc);
        return rc;
    }
    st->len = doc.len;
    st->data = og_buf_steal(&doc);
    return st->data ? 0
                    : og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
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
    st->line = 1;
    st->path = strdup(path);
    if (!st->path) {
        rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
        goto fail;
    }
    rc = read_file(st, err);
    if (rc < 0)
        goto fail;
    if (st->len >= 3 && memcmp(st->data, "\xEF\xBB\xBF", 3) == 0)
        st->cur = st->line_pos = st->line_start = 3;
    rc = locate_records(st, records, err);
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

/* Decodes one element text[0..len) starting at offset start. */
static int decode_element(struct jsondoc *st, size_t start, size_t len, json_t **doc,
                          struct og_pos *pos, char **raw, struct og_error *err)
{
    const char *text = st->data + start;
    int col;
    memset(pos, 0, sizeof(*pos));
    pos->input = st->path;
    pos->line = line_at(st, start, &col);
    pos->offset = (long long)start;
    pos->index = st->index++;
    pos->partition = -1;

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
    json_t *value = len ? json_loadb(load, load_len, JSON_DECODE_ANY, &jerr) : NULL;
    if (value && json_is_object(value)) {
        *doc = value;
        return 1;
    }
    if (value) {
        og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_NOT_OBJECT,
                     "element %lld is %s, not an object", pos->index, value_kind(st, start));
        og_error_position(err, "%s:%lld:%d", st->path, pos->line, col);
        json_decref(value);
    }
    else if (!len) {
        og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_BAD_JSON, "element %lld is empty",
                     pos->index);
        og_error_detail(err, "two commas in a row, or a comma before the closing bracket");
        og_error_position(err, "%s:%lld:%d", st->path, pos->line, col);
    }
    else {
        long long line = pos->line + (jerr.line > 1 ? jerr.line - 1 : 0);
        int column = jerr.line > 1 ? jerr.column : col + (jerr.column > 0 ? jerr.column - 1 : 0);
        og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_BAD_JSON,
                     "invalid JSON in element %lld: %s (column %d)", pos->index, jerr.text, column);
        if (!st->repair && strstr(jerr.text, "invalid token") && repair_zeros(st, text, len) > 0)
            og_error_hint(err, "the element has numbers with leading zeros: set the option "
                               "\"repair_leading_zeros\" to read them as strings");
        og_error_position(err, "%s:%lld:%d", st->path, line, column);
    }
    *raw = og_utf8_copy(text, len, JSONDOC_RAW_MAX);
    return OG_EREJECT;
}

static int jsondoc_next(void *state, json_t **doc, struct og_pos *pos, char **raw,
                        struct og_error *err)
{
    struct jsondoc *st = state;
    *doc = NULL;
    *raw = NULL;
    if (st->mode == JSONDOC_DONE)
        return 0;
    if (st->mode == JSONDOC_SINGLE) {
        st->mode = JSONDOC_DONE;
        size_t start = st->cur, end = st->len;
        while (end > start && is_ws(st->data[end - 1]))
            end--;
        st->cur = st->len;
        return decode_element(st, start, end - start, doc, pos, raw, err);
    }
    size_t p = skip_ws(st, st->cur);
    if (p < st->len && st->data[p] == ']' && st->first) {
        st->mode = JSONDOC_DONE;
        st->cur = st->len; /* what follows the array is not read */
        return 0;
    }
    if (!st->first && p < st->len) {
        if (st->data[p] == ']') {
            st->mode = JSONDOC_DONE;
            st->cur = st->len;
            return 0;
        }
        p = skip_ws(st, p + 1); /* value_end stopped at a ',' */
    }
    if (p >= st->len) {
        st->mode = JSONDOC_DONE;
        st->cur = st->len;
        og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_DOCUMENT,
                     "the array of records in \"%s\" is not closed at the end of the file",
                     st->path);
        position_at(st, st->len, err);
        return OG_EPARSE;
    }
    st->first = false;
    size_t end = value_end(st, p, ']');
    st->cur = end;
    size_t trim = end;
    while (trim > p && is_ws(st->data[trim - 1]))
        trim--;
    return decode_element(st, p, trim - p, doc, pos, raw, err);
}

static void jsondoc_progress(void *state, long long *done, long long *total)
{
    const struct jsondoc *st = state;
    *done = st ? (long long)st->cur : 0;
    *total = st ? (long long)st->len : 0;
}

/* The array of records is closed: a scan of its structure from the first element to the closing
 * bracket (strings and nesting only, nothing decoded). st is not changed. */
static int jsondoc_verify(void *state, struct og_pos *pos, struct og_error *err)
{
    struct jsondoc *st = state;
    if (st->mode != JSONDOC_ARRAY)
        return 0;
    size_t p = st->cur;
    for (bool first = true;; first = false) {
        p = skip_ws(st, p);
        if (p < st->len && st->data[p] == ']')
            return 0;
        if (!first && p < st->len)
            p = skip_ws(st, p + 1); /* value_end stopped at a ',' */
        if (p >= st->len)
            break;
        p = value_end(st, p, ']');
    }
    /* lines are counted on a copy: the reading that may follow counts from where it is */
    struct jsondoc probe = *st;
    og_error_set(err, OG_EPARSE, OG_CLASS_REJECT, OG_R_BAD_DOCUMENT,
                 "the array of records in \"%s\" is not closed at the end of the file", st->path);
    og_error_detail(err, "the file ends inside the array: cut off, or still being written");
    position_at(&probe, st->len, err);
    pos->line = probe.line;
    pos->offset = (long long)st->len;
    return OG_EPARSE;
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
};
