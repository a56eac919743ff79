/* csv.c - the "csv" file connector: RFC 4180 records, UTF-8 or GB18030, bounded memory. */
#include "connectors/csv.h"

#include "connectors/infile.h"

#include "core/buf.h"
#include "core/options.h"
#include "core/utf8.h"

#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define CSV_BLOCK ((size_t)64 * 1024)   /* read block; also the sample for encoding detection */
#define CSV_RAW_MAX ((size_t)64 * 1024) /* raw text kept for a reject */
#define CSV_MAX_RECORD ((size_t)16 * 1024 * 1024) /* longer records are rejected */
#define CSV_MAX_FIELDS 65536 /* field bounds kept per record (more are only counted) */

static const struct og_option_doc csv_options[] = {
    {"encoding", "string", "auto",
     "\"utf-8\", \"gb18030\" or \"auto\" (byte order mark, else valid UTF-8 in the first 64 KiB, "
     "else GB18030)"},
    {"delimiter", "string", ",", "field delimiter: one ASCII character"},
    {"header", "boolean", "true",
     "the first record names the fields; false names them \"1\", \"2\", ..."},
    {NULL, NULL, NULL, NULL},
};

enum csv_enc { CSV_UTF8, CSV_GB18030 };

enum csv_state {
    CSV_FIELD_START, /* at the start of a field */
    CSV_UNQUOTED,    /* inside an unquoted field */
    CSV_QUOTED,      /* inside a quoted field */
    CSV_QUOTE_SEEN,  /* a quote inside a quoted field: closing, or the first of "" */
};

struct csv_span {
    size_t start, len;
};

struct csv {
    struct og_infile in;
    enum csv_enc enc;
    char delim;
    bool header;
    iconv_t cd; /* GB18030 -> UTF-8, or (iconv_t)-1 */

    unsigned char *blk; /* read block */
    size_t blk_pos, blk_len;
    bool eof;
    long long offset; /* file offset of blk[blk_pos] */
    long long line;   /* physical line of blk[blk_pos] */
    bool prev_cr;     /* the last byte was a CR (its line already counted) */

    json_t *names;   /* array of field names (strings); NULL until known */
    long long index; /* records returned so far */

    /* the record being read */
    long long rec_line, rec_offset;
    struct og_buf text; /* field contents, one after the other */
    struct csv_span *spans;
    size_t spans_cap;
    size_t nfields;    /* fields seen (may exceed the spans kept) */
    struct og_buf raw; /* the record's bytes, at most CSV_RAW_MAX */
    size_t rec_bytes;
    bool too_long, unterminated;
    struct og_buf conv;         /* one field converted to UTF-8 */
    const struct og_skip *skip; /* borrowed, or NULL */
    uint64_t names_digest;      /* of names, once known (0: not yet) */
};

/* Converts in[0..len) to UTF-8 in st->conv. Returns 0, or -1 with *bad the offset of the first
 * byte that is not valid text (a NUL byte counts as not valid), or OG_ENOMEM. */
/* Start of field i's bytes (the text buffer has no storage yet when every field so far was empty).
 */
static const char *field_text(const struct csv *st, size_t i)
{
    return st->text.data ? st->text.data + st->spans[i].start : "";
}

static int field_to_utf8(struct csv *st, const char *in, size_t len, size_t *bad)
{
    og_buf_reset(&st->conv);
    if (st->enc == CSV_UTF8) {
        const unsigned char *s = (const unsigned char *)in;
        for (size_t i = 0; i < len;) {
            size_t n = og_utf8_seq(s + i, len - i);
            if (n == 0 || s[i] == 0) {
                *bad = i;
                return -1;
            }
            i += n;
        }
        return og_buf_append(&st->conv, in, len);
    }
    char *ip = (char *)in;
    size_t il = len;
    iconv(st->cd, NULL, NULL, NULL, NULL);
    for (;;) {
        if (og_buf_reserve(&st->conv, il * 2 + 16) < 0)
            return OG_ENOMEM;
        char *op = st->conv.data + st->conv.len;
        size_t ol = st->conv.cap - st->conv.len - 1;
        size_t r = iconv(st->cd, &ip, &il, &op, &ol);
        int e = errno;
        st->conv.len = (size_t)(op - st->conv.data);
        st->conv.data[st->conv.len] = '\0';
        if (r != (size_t)-1)
            break;
        if (e != E2BIG) {
            *bad = (size_t)(ip - in);
            return -1;
        }
    }
    const char *nul = memchr(st->conv.data, 0, st->conv.len);
    if (nul) {
        *bad = (size_t)(memchr(in, 0, len) ? (const char *)memchr(in, 0, len) - in : 0);
        return -1;
    }
    return 0;
}

/* New UTF-8 copy of the record's raw bytes (line end dropped): undecodable bytes become U+FFFD,
 * NUL bytes '?'. NULL when out of memory. */
static char *raw_to_utf8(struct csv *st)
{
    struct og_buf out = OG_BUF_INIT;
    char *in = st->raw.data;
    size_t len = st->raw.len;
    while (len > 0 && (in[len - 1] == '\n' || in[len - 1] == '\r'))
        len--;
    if (st->enc == CSV_GB18030)
        iconv(st->cd, NULL, NULL, NULL, NULL);
    size_t i = 0;
    while (i < len) {
        if (st->enc == CSV_UTF8) {
            size_t n = og_utf8_seq((const unsigned char *)in + i, len - i);
            if (n) {
                if (og_buf_append(&out, in + i, n) < 0)
                    goto fail;
                i += n;
                continue;
            }
        }
        else {
            char *ip = in + i;
            size_t il = len - i;
            if (og_buf_reserve(&out, il * 2 + 16) < 0)
                goto fail;
            char *op = out.data + out.len;
            size_t ol = out.cap - out.len - 1;
            iconv(st->cd, &ip, &il, &op, &ol);
            out.len = (size_t)(op - out.data);
            out.data[out.len] = '\0';
            size_t n = (size_t)(ip - (in + i));
            if (n > 0) {
                i += n;
                continue;
            }
        }
        if (og_buf_puts(&out, "\xEF\xBF\xBD") < 0)
            goto fail;
        i++;
    }
    for (size_t k = 0; k < out.len; k++)
        if (out.data[k] == '\0')
            out.data[k] = '?';
    return og_buf_steal(&out);
fail:
    og_buf_free(&out);
    return NULL;
}

/* Reads the next block. Returns 1 with bytes, 0 at end of file, OG_EIO on a read error. */
static int refill(struct csv *st, struct og_error *err)
{
    st->blk_pos = st->blk_len = 0;
    if (st->eof)
        return 0;
    int rc = og_infile_read(&st->in, st->blk, CSV_BLOCK, &st->blk_len, st->line, err);
    if (rc < 0)
        return rc;
    if (st->blk_len < CSV_BLOCK)
        st->eof = true;
    return st->blk_len > 0;
}

/* Appends one byte of field content (dropped once the record is too long). */
static inline int put_byte(struct csv *st, unsigned char c)
{
    if (st->too_long)
        return 0;
    if (st->text.len + 1 < st->text.cap) {
        st->text.data[st->text.len++] = (char)c;
        st->text.data[st->text.len] = '\0';
        return 0;
    }
    return og_buf_putc(&st->text, (char)c);
}

/* Closes the current field: its bounds are kept for the first CSV_MAX_FIELDS fields. */
static int end_field(struct csv *st, size_t *field_start)
{
    if (st->nfields < CSV_MAX_FIELDS) {
        if (st->nfields == st->spans_cap) {
            size_t want = st->spans_cap ? st->spans_cap * 2 : 16;
            struct csv_span *spans = realloc(st->spans, want * sizeof(*spans));
            if (!spans)
                return OG_ENOMEM;
            st->spans = spans;
            st->spans_cap = want;
        }
        st->spans[st->nfields].start = *field_start;
        st->spans[st->nfields].len = st->text.len - *field_start;
    }
    st->nfields++;
    *field_start = st->text.len;
    return 0;
}

/* Is c acceptable as byte number `want` (1: second, 2: third, 3: fourth) of a GB18030 character? */
static inline bool gb_trail(int want, unsigned char c)
{
    if (want == 1)
        return (c >= 0x30 && c <= 0x39) || (c >= 0x40 && c <= 0x7E) || (c >= 0x80 && c <= 0xFE);
    if (want == 2)
        return c >= 0x81 && c <= 0xFE;
    return c >= 0x30 && c <= 0x39;
}

/* Reads the next record into st->text / st->spans (marking it too_long or unterminated).
 * Returns 1 with a record, 0 at the end of the file, or a fatal negative code. */
static int read_record(struct csv *st, struct og_error *err)
{
    og_buf_reset(&st->text);
    og_buf_reset(&st->raw);
    st->nfields = 0;
    st->rec_bytes = 0;
    st->too_long = st->unterminated = false;
    size_t field_start = 0;
    enum csv_state state = CSV_FIELD_START;
    bool started = false;
    int gb = 0; /* next byte expected of a GB18030 multi-byte character: 0 none, 1..3 */
    for (;;) {
        if (st->blk_pos == st->blk_len) {
            int rc = refill(st, err);
            if (rc < 0)
                return rc;
            if (rc == 0) {
                if (!started)
                    return 0;
                if (state == CSV_QUOTED)
                    st->unterminated = true;
                if (end_field(st, &field_start) < 0)
                    goto nomem;
                return 1;
            }
        }
        unsigned char c = st->blk[st->blk_pos++];
        long long at_line = st->line, at_offset = st->offset;
        st->offset++;
        if (c == '\r') {
            st->line++;
            st->prev_cr = true;
        }
        else {
            if (c == '\n' && !st->prev_cr)
                st->line++;
            st->prev_cr = false;
        }
        if (!started) {
            if (c == '\r' || c == '\n')
                continue; /* empty line, or the LF of a CRLF */
            started = true;
            st->rec_line = at_line;
            st->rec_offset = at_offset;
        }
        if (++st->rec_bytes > CSV_MAX_RECORD)
            st->too_long = true;
        if (st->raw.len < CSV_RAW_MAX && og_buf_putc(&st->raw, (char)c) < 0)
            goto nomem;
        if (gb) {
            if (gb_trail(gb, c)) {
                gb = (gb == 1 && c <= 0x39) ? 2 : gb == 2 ? 3 : 0;
                if (put_byte(st, c) < 0)
                    goto nomem;
                continue;
            }
            gb = 0; /* invalid sequence: the byte is read as itself, iconv reports it */
        }
        bool eol = c == '\r' || c == '\n';
        switch (state) {
        case CSV_FIELD_START:
            if (c == '"') {
                state = CSV_QUOTED;
                continue;
            }
            if (c == (unsigned char)st->delim || eol)
                break;
            state = CSV_UNQUOTED;
            goto data;
        case CSV_UNQUOTED:
            if (c == (unsigned char)st->delim || eol)
                break;
            goto data;
        case CSV_QUOTED:
            if (c == '"') {
                state = CSV_QUOTE_SEEN;
                continue;
            }
            goto data;
        case CSV_QUOTE_SEEN:
            if (c == '"') {
                state = CSV_QUOTED;
                goto data;
            }
            if (c == (unsigned char)st->delim || eol)
                break;
            state = CSV_UNQUOTED; /* text after a closing quote is kept */
            goto data;
        }
        /* a delimiter or a line end outside quotes */
        if (end_field(st, &field_start) < 0)
            goto nomem;
        if (eol)
            return 1;
        state = CSV_FIELD_START;
        continue;
    data:
        if (st->enc == CSV_GB18030 && c >= 0x81 && c <= 0xFE)
            gb = 1;
        if (put_byte(st, c) < 0)
            goto nomem;
    }
nomem:
    return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
}

static void csv_close(void *state)
{
    struct csv *st = state;
    if (!st)
        return;
    og_buf_free(&st->conv);
    og_buf_free(&st->raw);
    og_buf_free(&st->text);
    free(st->spans);
    json_decref(st->names);
    if (st->cd != (iconv_t)-1)
        iconv_close(st->cd);
    free(st->blk);
    og_infile_close(&st->in);
    free(st);
}

/* Is the sample valid UTF-8? A character cut by the end of an incomplete sample counts as valid. */
static bool sample_is_utf8(const unsigned char *s, size_t n, bool complete)
{
    size_t i = 0;
    while (i < n) {
        size_t len = og_utf8_seq(s + i, n - i);
        if (len == 0) {
            size_t need = s[i] >= 0xF0 ? 4 : s[i] >= 0xE0 ? 3 : 2;
            if (complete || s[i] < 0xC2 || s[i] > 0xF4 || n - i >= need)
                return false;
            for (size_t k = i + 1; k < n; k++)
                if (s[k] < 0x80 || s[k] > 0xBF)
                    return false;
            return true;
        }
        i += len;
    }
    return true;
}

/* Reads the header record into st->names. */
static int read_header(struct csv *st, struct og_error *err)
{
    int rc = read_record(st, err);
    if (rc <= 0)
        return rc; /* an empty file has no header and no records */
    const char *why = st->unterminated               ? "a quoted field is not closed"
                      : st->too_long                 ? "the header is longer than 16 MiB"
                      : st->nfields > CSV_MAX_FIELDS ? "the header has more than 65536 columns"
                                                     : NULL;
    if (why) {
        og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_HEADER,
                     "cannot read the header of \"%s\": %s", st->in.path, why);
        og_error_position(err, "%s:%lld", st->in.path, st->rec_line);
        return OG_EPARSE;
    }
    json_t *seen = json_object();
    st->names = json_array();
    if (!seen || !st->names)
        goto nomem;
    for (size_t i = 0; i < st->nfields; i++) {
        size_t bad = 0;
        rc = field_to_utf8(st, field_text(st, i), st->spans[i].len, &bad);
        if (rc == OG_ENOMEM)
            goto nomem;
        if (rc < 0) {
            og_error_set(err, OG_EPARSE, OG_CLASS_FATAL, OG_R_BAD_ENCODING,
                         "cannot read the header of \"%s\": column %zu is not valid %s text",
                         st->in.path, i + 1, st->enc == CSV_UTF8 ? "UTF-8" : "GB18030");
            og_error_detail(err, "invalid byte sequence at byte %zu of the column name", bad);
            og_error_hint(err, "set the option \"encoding\" of the source");
            og_error_position(err, "%s:%lld", st->in.path, st->rec_line);
            json_decref(seen);
            return OG_EPARSE;
        }
        json_t *prev = json_object_getn(seen, st->conv.data, st->conv.len);
        if (prev) {
            og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_DUPLICATE_COLUMN,
                         "duplicate column \"%s\" in the header of \"%s\"", st->conv.data,
                         st->in.path);
            og_error_detail(err, "columns %lld and %zu have the same name",
                            json_integer_value(prev), i + 1);
            og_error_position(err, "%s:%lld", st->in.path, st->rec_line);
            json_decref(seen);
            return OG_ECONFIG;
        }
        if (json_object_setn_new(seen, st->conv.data, st->conv.len,
                                 json_integer((json_int_t)i + 1)) < 0 ||
            json_array_append_new(st->names, json_stringn(st->conv.data, st->conv.len)) < 0)
            goto nomem;
    }
    json_decref(seen);
    return 1;
nomem:
    json_decref(seen);
    return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
}

static int csv_open(const char *path, const json_t *options, void **state, struct og_error *err)
{
    *state = NULL;
    int rc = og_options_check("connector csv", csv_options, options, err);
    if (rc < 0)
        return rc;
    const char *encoding = options ? json_string_value(json_object_get(options, "encoding")) : NULL;
    const char *delimiter =
        options ? json_string_value(json_object_get(options, "delimiter")) : NULL;
    json_t *header = options ? json_object_get(options, "header") : NULL;
    bool autodetect = !encoding || strcasecmp(encoding, "auto") == 0;
    enum csv_enc enc = CSV_UTF8;
    if (!autodetect) {
        if (strcasecmp(encoding, "utf-8") == 0 || strcasecmp(encoding, "utf8") == 0)
            enc = CSV_UTF8;
        else if (strcasecmp(encoding, "gb18030") == 0)
            enc = CSV_GB18030;
        else
            return og_error_set(
                err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                "option \"encoding\" for connector csv must be \"utf-8\", \"gb18030\" or "
                "\"auto\", not \"%s\"",
                encoding);
    }
    if (delimiter && (strlen(delimiter) != 1 || delimiter[0] == '"' || delimiter[0] == '\r' ||
                      delimiter[0] == '\n' || (unsigned char)delimiter[0] >= 0x80))
        return og_error_set(
            err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
            "option \"delimiter\" for connector csv must be one ASCII character other than "
            "a quote, CR or LF");

    struct csv *st = calloc(1, sizeof(*st));
    if (!st)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    st->cd = (iconv_t)-1;
    st->delim = (char)(delimiter ? delimiter[0] : ',');
    st->header = header ? json_is_true(header) : true;
    st->line = 1;
    st->blk = malloc(CSV_BLOCK);
    if (!st->blk) {
        rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
        goto fail;
    }
    if ((rc = og_infile_open(&st->in, path, err)) < 0)
        goto fail;

    rc = refill(st, err); /* the first block is the sample for detection */
    if (rc < 0)
        goto fail;
    bool utf8_bom = st->blk_len >= 3 && memcmp(st->blk, "\xEF\xBB\xBF", 3) == 0;
    if (autodetect)
        enc = (utf8_bom || sample_is_utf8(st->blk, st->blk_len, st->eof)) ? CSV_UTF8 : CSV_GB18030;
    st->enc = enc;
    size_t skip = 0;
    if (enc == CSV_UTF8 && utf8_bom)
        skip = 3;
    else if (enc == CSV_GB18030 && st->blk_len >= 4 && memcmp(st->blk, "\x84\x31\x95\x33", 4) == 0)
        skip = 4;
    st->blk_pos = skip;
    st->offset = (long long)skip;
    if (enc == CSV_GB18030) {
        st->cd = iconv_open("UTF-8", "GB18030");
        if (st->cd == (iconv_t)-1) {
            rc =
                og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_CONFIG,
                             "cannot convert GB18030 text: iconv_open failed: %s", strerror(errno));
            goto fail;
        }
    }
    if (st->header) {
        rc = read_header(st, err);
        if (rc < 0)
            goto fail;
    }
    *state = st;
    return 0;
fail:
    csv_close(st);
    return rc;
}

/* Finishes a reject already set in err: position and raw text. */
static int csv_reject(struct csv *st, char **raw, struct og_error *err)
{
    og_error_position(err, "%s:%lld", st->in.path, st->rec_line);
    *raw = raw_to_utf8(st);
    return OG_EREJECT;
}

/* Digests the record read (the field names it is read under, its fields' lengths and bytes, in
 * the file's encoding) and asks the skip whether it is unchanged. A record with more fields than
 * are kept is not digested. */
static bool unchanged(struct csv *st)
{
    if (st->nfields > CSV_MAX_FIELDS)
        return false;
    if (!st->names_digest) {
        og_skip_begin(st->skip);
        size_t i;
        json_t *name;
        json_array_foreach(st->names, i, name)
        {
            og_skip_add(st->skip, json_string_value(name), json_string_length(name) + 1);
        }
        st->names_digest = og_rdigest_end(st->skip->digest);
    }
    og_skip_begin(st->skip);
    og_skip_add(st->skip, &st->names_digest, sizeof(st->names_digest));
    og_skip_add(st->skip, &st->nfields, sizeof(st->nfields));
    for (size_t i = 0; i < st->nfields; i++)
        og_skip_add(st->skip, &st->spans[i].len, sizeof(st->spans[i].len));
    og_skip_add(st->skip, st->text.data ? st->text.data : "", st->text.len);
    return og_skip_end(st->skip);
}

static int csv_next(void *state, json_t **doc, struct og_pos *pos, char **raw, struct og_error *err)
{
    struct csv *st = state;
    *doc = NULL;
    *raw = NULL;
    int rc = read_record(st, err);
    if (rc <= 0)
        return rc;
    memset(pos, 0, sizeof(*pos));
    pos->input = st->in.path;
    pos->line = st->rec_line;
    pos->offset = st->rec_offset;
    pos->index = st->index++;
    pos->partition = -1;

    if (st->unterminated) {
        og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_UNTERMINATED_QUOTE,
                     "a quoted field of the record starting on line %lld is not closed at the end "
                     "of the file",
                     st->rec_line);
        return csv_reject(st, raw, err);
    }
    if (st->too_long) {
        og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_RECORD_TOO_LONG,
                     "record is longer than %zu bytes", CSV_MAX_RECORD);
        og_error_detail(err, "the record has %zu bytes", st->rec_bytes);
        return csv_reject(st, raw, err);
    }
    if (!st->names && st->nfields <= CSV_MAX_FIELDS) {
        /* no header: the first record fixes the number of fields, named "1", "2", ... */
        st->names = json_array();
        for (size_t i = 0; st->names && i < st->nfields; i++)
            if (json_array_append_new(st->names, json_sprintf("%zu", i + 1)) < 0) {
                json_decref(st->names);
                st->names = NULL;
            }
        if (!st->names)
            return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    }
    if (st->skip && unchanged(st))
        return OG_CONN_UNCHANGED;
    size_t ncols = st->names ? json_array_size(st->names) : CSV_MAX_FIELDS;
    if (st->nfields != ncols) {
        og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_FIELD_COUNT,
                     "record has %zu fields, expected %zu", st->nfields, ncols);
        og_error_detail(err, "expected %zu fields (%s), found %zu", ncols,
                        st->header ? "as in the header" : "as in the first record", st->nfields);
        return csv_reject(st, raw, err);
    }
    json_t *obj = json_object();
    if (!obj)
        return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
    for (size_t i = 0; i < ncols; i++) {
        size_t bad = 0;
        rc = field_to_utf8(st, field_text(st, i), st->spans[i].len, &bad);
        json_t *name = json_array_get(st->names, i);
        if (rc == -1) {
            json_decref(obj);
            og_error_set(err, OG_EREJECT, OG_CLASS_REJECT, OG_R_BAD_ENCODING,
                         "field \"%s\" is not valid %s text", json_string_value(name),
                         st->enc == CSV_UTF8 ? "UTF-8" : "GB18030");
            og_error_detail(err, "invalid byte sequence (or NUL byte) at byte %zu of column %zu",
                            bad, i + 1);
            og_error_hint(err, "check the option \"encoding\" of the source");
            return csv_reject(st, raw, err);
        }
        if (rc < 0 ||
            json_object_setn_new_nocheck(obj, json_string_value(name), json_string_length(name),
                                         json_stringn_nocheck(st->conv.data, st->conv.len)) < 0) {
            json_decref(obj);
            return og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
        }
    }
    *doc = obj;
    return 1;
}

static void csv_progress(void *state, long long *done, long long *total)
{
    const struct csv *st = state;
    *done = st ? st->offset : 0;
    *total = st ? st->in.size : 0;
}

static void csv_set_skip(void *state, const struct og_skip *skip)
{
    ((struct csv *)state)->skip = skip;
}

const struct og_connector og_connector_csv = {
    .name = "csv",
    .summary = "RFC 4180 CSV with a header row, UTF-8 or GB18030",
    .options = csv_options,
    .open = csv_open,
    .next = csv_next,
    .progress = csv_progress,
    .close = csv_close,
    .set_skip = csv_set_skip,
};
