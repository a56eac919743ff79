/* ndjson.c - the "ndjson" file connector: one JSON object per line, bounded memory. */
#include "connectors/ndjson.h"

#include "connectors/infile.h"

#include "core/buf.h"
#include "core/jsonparse.h"
#include "core/options.h"
#include "core/utf8.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NDJSON_BLOCK ((size_t)64 * 1024)
#define NDJSON_RAW_MAX ((size_t)64 * 1024)
#define NDJSON_DEFAULT_MAX_LINE 16777216LL

static const struct og_option_doc ndjson_options[] = {
    {"max_line_bytes", "integer", "16777216",
     "longest line accepted, in bytes; a longer line is rejected (line_too_long) and skipped"},
    {"keyed", "boolean", "false",
     "lines are KEY<TAB>JSON as `kcat -K'\\t'` writes messages: the key goes to _kafka.key"},
    {NULL, NULL, NULL, NULL},
};

struct ndjson {
    struct og_infile in;
    long long consumed; /* bytes of the file handed on as lines */
    long long line;     /* lines read so far */
    long long index;    /* records (and rejects) returned so far */
    size_t max_line;
    bool keyed; /* lines are KEY<TAB>VALUE */
    char *blk;  /* read block */
    size_t blk_pos, blk_len;
    bool eof;
    struct og_buf text;         /* the current line, at most max_line + 1 bytes of it */
    const struct og_skip *skip; /* borrowed, or NULL */
};

static void ndjson_close(void *state)
{
    struct ndjson *st = state;
    if (!st)
        return;
    og_buf_free(&st->text);
    free(st->blk);
    og_infile_close(&st->in);
    free(st);
}

static int ndjson_open(const char *path, const json_t *options, void **state, struct og_error *err)
{
    *state = NULL;
    int rc = og_options_check("connector ndjson", ndjson_options, options, err);
    if (rc < 0)
        return rc;
    long long max_line = NDJSON_DEFAULT_MAX_LINE;
    json_t *v = options ? json_object_get(options, "max_line_bytes") : NULL;
    if (v) {
        max_line = json_integer_value(v);
        if (max_line < 1 || (unsigned long long)max_line > (unsigned long long)(SIZE_MAX / 2))
            return og_error_set(
                err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                "option \"max_line_bytes\" for connector ndjson must be at least 1");
    }
    struct ndjson *st = calloc(1, sizeof(*st));
    if (!st)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    st->max_line = (size_t)max_line;
    st->keyed = options && json_is_true(json_object_get(options, "keyed"));
    st->blk = malloc(NDJSON_BLOCK);
    if (!st->blk) {
        rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
        goto fail;
    }
    if ((rc = og_infile_open(&st->in, path, err)) < 0)
        goto fail;
    *state = st;
    return 0;
fail:
    ndjson_close(st);
    return rc;
}

/* Reads the next physical line into st->text (without its LF, at most max_line + 1 bytes kept).
 * Returns 1 with *len the full line length, 0 at end of file, OG_EIO on a read error. */
static int read_line(struct ndjson *st, size_t *len, struct og_error *err)
{
    size_t total = 0;
    bool any = false;
    og_buf_reset(&st->text);
    for (;;) {
        if (st->blk_pos == st->blk_len) {
            if (st->eof)
                break;
            int rc =
                og_infile_read(&st->in, st->blk, NDJSON_BLOCK, &st->blk_len, st->line + 1, err);
            st->blk_pos = 0;
            if (rc < 0)
                return rc;
            if (st->blk_len == 0) {
                st->eof = true;
                break;
            }
        }
        any = true;
        const char *start = st->blk + st->blk_pos;
        size_t avail = st->blk_len - st->blk_pos;
        const char *nl = memchr(start, '\n', avail);
        size_t chunk = nl ? (size_t)(nl - start) : avail;
        size_t keep_max = st->max_line + 1;
        if (st->text.len < keep_max) {
            size_t keep = chunk < keep_max - st->text.len ? chunk : keep_max - st->text.len;
            if (og_buf_append(&st->text, start, keep) < 0)
                return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                                    "out of memory");
        }
        total += chunk;
        st->blk_pos += chunk;
        if (nl) {
            st->blk_pos++;
            st->consumed += (long long)total + 1;
            st->line++;
            *len = total;
            return 1;
        }
    }
    if (!any || total == 0)
        return 0;
    st->consumed += (long long)total;
    st->line++;
    *len = total;
    return 1;
}

/* The message metadata a Kafka source adds ("_kafka"), as far as a line knows it: the key, and the
 * line's record number as the offset. 0 or OG_ENOMEM. */
static int keyed_meta(json_t *value, const char *key, size_t keylen, const struct og_pos *pos)
{
    char *k = og_utf8_copy(key ? key : "", keylen, 4096);
    json_t *meta =
        k ? json_pack("{s:s, s:I, s:n}", "key", k, "offset", (json_int_t)pos->index, "timestamp")
          : NULL;
    free(k);
    return meta && json_object_set_new(value, "_kafka", meta) == 0 ? 0 : OG_ENOMEM;
}

static int ndjson_next(void *state, json_t **doc, struct og_pos *pos, char **raw,
                       struct og_error *err)
{
    struct ndjson *st = state;
    *doc = NULL;
    *raw = NULL;
    for (;;) {
        long long offset = st->consumed;
        size_t len = 0;
        int rc = read_line(st, &len, err);
        if (rc <= 0)
            return rc;
        const char *text = st->text.data ? st->text.data : "";
        size_t kept = st->text.len;
        if (st->line == 1 && kept >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
            text += 3;
            kept -= 3;
            len -= 3;
        }
        if (kept > 0 && len == kept && text[kept - 1] == '\r') {
            kept--;
            len--;
        }
        size_t i = 0;
        while (i < kept && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r'))
            i++;
        if (i == kept && len == kept)
            continue;

        memset(pos, 0, sizeof(*pos));
        pos->input = st->in.path;
        pos->line = st->line;
        pos->offset = offset;
        pos->index = st->index++;
        pos->partition = -1;

        if (len > st->max_line) {
            og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_LINE_TOO_LONG,
                         "line is longer than max_line_bytes (%zu)", st->max_line);
            og_error_detail(err, "the line has %zu bytes", len);
            og_error_position(err, "%s:%lld", st->in.path, st->line);
            *raw = og_utf8_copy(text, kept, NDJSON_RAW_MAX);
            return OG_EREJECT;
        }
        /* the line (a keyed line's key too) is what makes the record */
        if (st->skip && og_skip_bytes(st->skip, text, kept))
            return OG_CONN_UNCHANGED;
        const char *key = NULL;
        size_t keylen = 0;
        if (st->keyed && text[i] != '{') { /* KEY<TAB>VALUE: the value is what is read */
            const char *tab = memchr(text + i, '\t', kept - i);
            if (tab) {
                const char *end = text + kept;
                key = text + i;
                keylen = (size_t)(tab - key);
                text = tab + 1;
                kept = (size_t)(end - text);
            }
        }
        json_error_t jerr;
        json_t *value = og_json_loadb(text, kept, 0, &jerr);
        if (value && json_is_object(value)) {
            if (st->keyed && keyed_meta(value, key, keylen, pos) < 0) {
                json_decref(value);
                return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY,
                                    "out of memory");
            }
            *doc = value;
            return 1;
        }
        enum og_reason reason = OG_R_BAD_JSON;
        if (value) {
            reason = OG_R_NOT_OBJECT;
            og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, reason,
                         "line is a JSON %s, not an object",
                         json_is_array(value) ? "array" : "scalar");
            og_error_position(err, "%s:%lld", st->in.path, st->line);
            json_decref(value);
        }
        else {
            /* flags 0 refuses scalars; tell "not an object" from "not JSON" */
            json_error_t jerr2;
            value = og_json_loadb(text, kept, JSON_DECODE_ANY, &jerr2);
            if (value) {
                reason = OG_R_NOT_OBJECT;
                og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, reason,
                             "line is a JSON %s, not an object",
                             json_is_string(value)    ? "string"
                             : json_is_null(value)    ? "null"
                             : json_is_boolean(value) ? "boolean"
                                                      : "number");
                og_error_position(err, "%s:%lld", st->in.path, st->line);
                json_decref(value);
            }
            else {
                og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, reason,
                             "invalid JSON: %s (column %d)", jerr.text, jerr.column);
                og_error_position(err, "%s:%lld:%d", st->in.path, st->line, jerr.column);
            }
        }
        *raw = og_utf8_copy(text, kept, NDJSON_RAW_MAX);
        return OG_EREJECT;
    }
}

static void ndjson_progress(void *state, long long *done, long long *total)
{
    const struct ndjson *st = state;
    *done = st ? st->consumed : 0;
    *total = st ? st->in.size : 0;
}

static void ndjson_set_skip(void *state, const struct og_skip *skip)
{
    ((struct ndjson *)state)->skip = skip;
}

const struct og_connector og_connector_ndjson = {
    .name = "ndjson",
    .summary = "newline-delimited JSON: one object per line, read line by line",
    .options = ndjson_options,
    .open = ndjson_open,
    .next = ndjson_next,
    .progress = ndjson_progress,
    .close = ndjson_close,
    .set_skip = ndjson_set_skip,
};
