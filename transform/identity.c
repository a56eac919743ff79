/* identity.c - resident ID (GB 11643) and USCC (GB 32100) checks, masking, and the keyed
 * HMAC-SHA-256. */
#include "transform/identity.h"

#include "core/digest.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_MIN 16

/* ---- UTF-8 ---------------------------------------------------------------------------------- */

/* Decodes one code point from s (NUL-terminated). Returns its byte length, or 0 when the bytes
 * at s are not valid UTF-8 (overlong, surrogate, beyond U+10FFFF, truncated). */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t n;
    uint32_t v, min;
    if ((c & 0xE0) == 0xC0) {
        n = 2, v = c & 0x1F, min = 0x80;
    }
    else if ((c & 0xF0) == 0xE0) {
        n = 3, v = c & 0x0F, min = 0x800;
    }
    else if ((c & 0xF8) == 0xF0) {
        n = 4, v = c & 0x07, min = 0x10000;
    }
    else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0; /* also stops at the NUL */
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

static bool is_space_cp(uint32_t cp)
{
    return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0xA0 || cp == 0x3000 || cp == 0xFEFF;
}

/* Appends the UTF-8 bytes src[0..n) to out if they fit with the NUL; false when they do not. */
static bool put_bytes(char *out, size_t size, size_t *len, const void *src, size_t n)
{
    if (*len + n + 1 > size)
        return false;
    memcpy(out + *len, src, n);
    *len += n;
    out[*len] = '\0';
    return true;
}

/* ---- parsing -------------------------------------------------------------------------------- */

static const int resident_weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
static const char resident_map[] = "10X98765432";
static const char uscc_chars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY"; /* 31, value = index */

static char resident_check(const char *digits17)
{
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (digits17[i] - '0') * resident_weights[i];
    return resident_map[sum % 11];
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int num2(const char *p)
{
    return (p[0] - '0') * 10 + (p[1] - '0');
}

static bool real_date(int y, int m, int d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1)
        return false;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 ? leap : 0);
}

static void check_resident(struct og_id *out)
{
    char *n = out->norm;
    size_t len = strlen(n);
    if (len == 15 && all_digits(n, 15)) {
        char up[19];
        memcpy(up, n, 6);
        memcpy(up + 6, "19", 2);
        memcpy(up + 8, n + 6, 9);
        up[17] = resident_check(up);
        up[18] = '\0';
        memcpy(n, up, sizeof(up));
        out->upgraded = true;
    }
    else if (len != 18 || !all_digits(n, 17) || !(all_digits(n + 17, 1) || n[17] == 'X')) {
        out->status = OG_ID_BAD_FORMAT;
        return;
    }
    int y = num2(n + 6) * 100 + num2(n + 8), m = num2(n + 10), d = num2(n + 12);
    if (!real_date(y, m, d)) {
        out->status = OG_ID_BAD_DATE;
        return;
    }
    out->birth_year = y;
    out->birth_month = m;
    out->birth_day = d;
    out->sex = ((n[16] - '0') % 2) ? 1 : 2;
    out->status = resident_check(n) == n[17] ? OG_ID_OK : OG_ID_BAD_CHECK;
}

static void check_uscc(struct og_id *out)
{
    const char *n = out->norm;
    if (strlen(n) != 18) {
        out->status = OG_ID_BAD_FORMAT;
        return;
    }
    int sum = 0, w = 1;
    for (int i = 0; i < 18; i++) {
        const char *p = n[i] ? strchr(uscc_chars, n[i]) : NULL;
        if (!p) {
            out->status = OG_ID_BAD_FORMAT;
            return;
        }
        if (i < 17) {
            sum += (int)(p - uscc_chars) * w;
            w = w * 3 % 31;
        }
    }
    out->status = uscc_chars[(31 - sum % 31) % 31] == n[17] ? OG_ID_OK : OG_ID_BAD_CHECK;
}

void og_id_parse(const char *s, enum og_id_kind kind, struct og_id *out)
{
    memset(out, 0, sizeof(*out));
    out->kind = kind;
    out->status = OG_ID_EMPTY;
    if (!s)
        return;

    /* Find the trimmed range [b, e) in bytes. */
    const unsigned char *p = (const unsigned char *)s;
    size_t b = 0, e = 0, i = 0;
    bool seen = false, bad_utf8 = false;
    while (p[i]) {
        uint32_t cp;
        size_t k = utf8_next(p + i, &cp);
        if (k == 0) {
            bad_utf8 = true;
            k = 1;
            cp = 0xFFFD;
        }
        if (!is_space_cp(cp)) {
            if (!seen)
                b = i;
            seen = true;
            e = i + k;
        }
        i += k;
    }
    if (!seen)
        return;

    bool ascii_only = true;
    size_t len = 0;
    for (i = b; i < e;) {
        uint32_t cp;
        size_t k = utf8_next(p + i, &cp);
        if (k == 0) { /* keep the byte out of norm: it cannot be a digit or a letter */
            i++;
            continue;
        }
        if (cp >= 0xFF01 && cp <= 0xFF5E) /* full-width ASCII block */
            cp -= 0xFEE0;
        if (cp >= 'a' && cp <= 'z')
            cp -= 'a' - 'A';
        bool fits;
        if (cp < 0x80) {
            char c = (char)cp;
            fits = put_bytes(out->norm, sizeof(out->norm), &len, &c, 1);
        }
        else {
            ascii_only = false;
            fits = put_bytes(out->norm, sizeof(out->norm), &len, p + i, k);
        }
        if (!fits) {
            out->norm[0] = '\0';
            out->status = OG_ID_BAD_FORMAT;
            return;
        }
        i += k;
    }

    if (bad_utf8 || (kind != OG_ID_OTHER && !ascii_only)) {
        out->status = OG_ID_BAD_FORMAT;
        return;
    }
    switch (kind) {
    case OG_ID_RESIDENT:
        check_resident(out);
        break;
    case OG_ID_USCC:
        check_uscc(out);
        break;
    default:
        out->status = OG_ID_OK;
        break;
    }
}

int og_id_kind_parse(const char *s, enum og_id_kind *out)
{
    if (!s)
        return OG_EINVAL;
    if (!strcasecmp(s, "resident") || !strcasecmp(s, "id") || !strcmp(s, "01"))
        *out = OG_ID_RESIDENT;
    else if (!strcasecmp(s, "uscc"))
        *out = OG_ID_USCC;
    else if (!strcasecmp(s, "other"))
        *out = OG_ID_OTHER;
    else
        return OG_EINVAL;
    return 0;
}

const char *og_id_status_name(enum og_id_status st)
{
    switch (st) {
    case OG_ID_OK:
        return "ok";
    case OG_ID_BAD_FORMAT:
        return "bad_format";
    case OG_ID_BAD_DATE:
        return "bad_date";
    case OG_ID_BAD_CHECK:
        return "bad_check";
    case OG_ID_EMPTY:
        return "empty";
    }
    return "unknown";
}

/* ---- masking -------------------------------------------------------------------------------- */

/* Number of code points in s; an invalid byte counts as one. */
static size_t cp_count(const unsigned char *s)
{
    size_t n = 0;
    for (size_t i = 0; s[i];) {
        uint32_t cp;
        size_t k = utf8_next(s + i, &cp);
        i += k ? k : 1;
        n++;
    }
    return n;
}

/* Copies s to out keeping the first `head` and last `tail` code points and writing '*' for the
 * others; when s has no more than head + tail code points, every one becomes '*'. Invalid bytes
 * always become '*'. Output is truncated at a code-point boundary to fit size. */
static void mask_cps(const char *s, size_t head, size_t tail, char *out, size_t size)
{
    if (!out || size == 0)
        return;
    out[0] = '\0';
    if (!s)
        return;
    const unsigned char *p = (const unsigned char *)s;
    size_t total = cp_count(p), len = 0, idx = 0;
    bool keep_any = total > head + tail;
    for (size_t i = 0; p[i]; idx++) {
        uint32_t cp;
        size_t k = utf8_next(p + i, &cp);
        bool keep = keep_any && k && (idx < head || idx >= total - tail);
        bool fits =
            keep ? put_bytes(out, size, &len, p + i, k) : put_bytes(out, size, &len, "*", 1);
        if (!fits)
            return;
        i += k ? k : 1;
    }
}

void og_id_mask(const struct og_id *id, char *out, size_t size)
{
    size_t head = 2, tail = 2;
    if (id->kind == OG_ID_RESIDENT)
        head = 6, tail = 4;
    else if (id->kind == OG_ID_USCC)
        head = 8, tail = 2;
    mask_cps(id->norm, head, tail, out, size);
}

void og_name_mask(const char *name, char *out, size_t size)
{
    if (!out || size == 0)
        return;
    out[0] = '\0';
    if (!name)
        return;
    /* Trim surrounding spaces (ASCII, no-break, ideographic) before counting characters. */
    const unsigned char *p = (const unsigned char *)name;
    size_t b = 0, e = 0, i = 0;
    bool seen = false;
    while (p[i]) {
        uint32_t cp = 0xFFFD;
        size_t k = utf8_next(p + i, &cp);
        if (!is_space_cp(cp)) {
            if (!seen)
                b = i;
            seen = true;
            e = i + (k ? k : 1);
        }
        i += k ? k : 1;
    }
    if (!seen)
        return;
    size_t len = 0, idx = 0;
    for (i = b; i < e; idx++) {
        uint32_t cp;
        size_t k = utf8_next(p + i, &cp);
        bool fits = (idx == 0 && k && e - b > k) ? put_bytes(out, size, &len, p + i, k)
                                                 : put_bytes(out, size, &len, "*", 1);
        if (!fits)
            return;
        i += k ? k : 1;
    }
}

/* ---- the key and the hash ------------------------------------------------------------------- */

int og_id_key_set(struct og_id_key *key, const void *bytes, size_t len)
{
    if (!key || !bytes || len < KEY_MIN || len > sizeof(key->bytes))
        return OG_EINVAL;
    memset(key, 0, sizeof(*key));
    memcpy(key->bytes, bytes, len);
    key->len = len;
    return 0;
}

static int key_from_file(struct og_id_key *key, const char *path, struct og_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_KEY,
                     "could not open ID hashing key file \"%s\" (ONEGRID_ID_KEY_FILE)", path);
        og_error_detail(err, "%s", strerror(e));
        og_error_hint(err, "set ONEGRID_ID_KEY_FILE to a readable file holding the key");
        return OG_ECONFIG;
    }
    int rc = OG_ECONFIG;
    unsigned char buf[sizeof(key->bytes) + 3];
    size_t n = 0;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_KEY,
                     "could not stat ID hashing key file \"%s\": %s", path, strerror(errno));
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_KEY,
                     "ID hashing key file \"%s\" is not a regular file", path);
        og_error_hint(err, "point ONEGRID_ID_KEY_FILE at a regular file");
        goto done;
    }
    if (st.st_mode & 077) {
        og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_KEY,
                     "ID hashing key file \"%s\" is readable by group or others", path);
        og_error_detail(err, "mode is %04o; the key must be readable only by its owner",
                        (unsigned)(st.st_mode & 07777));
        og_error_hint(err, "run: chmod 600 %s", path);
        goto done;
    }
    for (;;) {
        ssize_t r = read(fd, buf + n, sizeof(buf) - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_KEY,
                         "could not read ID hashing key file \"%s\": %s", path, strerror(errno));
            goto done;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n == sizeof(buf))
            break;
    }
    if (n > 0 && buf[n - 1] == '\n')
        n--;
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    if (n < KEY_MIN || n > sizeof(key->bytes)) {
        og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_KEY,
                     "ID hashing key in \"%s\" is %s", path,
                     n < KEY_MIN ? "too short" : "too long");
        og_error_detail(err, "the key must be %d to %zu bytes", KEY_MIN, sizeof(key->bytes));
        og_error_hint(err, "generate one with: openssl rand -hex 32 > %s && chmod 600 %s", path,
                      path);
        goto done;
    }
    og_id_key_set(key, buf, n);
    rc = 0;
done:
    explicit_bzero(buf, sizeof(buf));
    close(fd);
    return rc;
}

int og_id_key_load(struct og_id_key *key, const char *text, const char *path, struct og_error *err)
{
    memset(key, 0, sizeof(*key));
    if (text && *text) {
        size_t n = strlen(text);
        if (n < KEY_MIN || n > sizeof(key->bytes)) {
            og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_KEY,
                         "ID hashing key in ONEGRID_ID_KEY is %s",
                         n < KEY_MIN ? "too short" : "too long");
            og_error_detail(err, "the key is %zu bytes; it must be %d to %zu bytes", n, KEY_MIN,
                            sizeof(key->bytes));
            og_error_hint(
                err,
                "set ONEGRID_ID_KEY to a longer secret, e.g. the output of: openssl rand -hex 32");
            return OG_ECONFIG;
        }
        return og_id_key_set(key, text, n) == 0 ? 0 : OG_ECONFIG;
    }
    if (path && *path)
        return key_from_file(key, path, err);
    og_error_set(err, OG_ECONFIG, OG_CLASS_FATAL, OG_R_BAD_KEY, "no ID hashing key configured");
    og_error_detail(err, "neither ONEGRID_ID_KEY nor ONEGRID_ID_KEY_FILE is set");
    og_error_hint(err, "create one with: openssl rand -hex 32 > FILE && chmod 600 FILE; "
                       "then export ONEGRID_ID_KEY_FILE=FILE");
    return OG_ECONFIG;
}

/* kind prefix + ":" + norm into msg (size 8 + type + norm); its length, or -1. */
static int hash_msg(const struct og_id *id, char *msg, size_t size)
{
    const char *prefix = id->kind == OG_ID_RESIDENT ? "id"
                         : id->kind == OG_ID_USCC   ? "uscc"
                                                    : "other";
    int mlen = snprintf(msg, size, "%s%s%.*s:%.*s", prefix,
                        id->kind == OG_ID_OTHER && id->type[0] ? "/" : "",
                        id->kind == OG_ID_OTHER ? (int)strnlen(id->type, sizeof(id->type)) : 0,
                        id->type, (int)sizeof(id->norm) - 1, id->norm);
    return mlen < 0 || (size_t)mlen >= size ? -1 : mlen;
}

#define HASH_MSG_SIZE (8 + sizeof(((struct og_id *)0)->type) + sizeof(((struct og_id *)0)->norm))

int og_id_hash(const struct og_id_key *key, const struct og_id *id, char hex[65])
{
    hex[0] = '\0';
    if (!key || key->len < KEY_MIN || key->len > sizeof(key->bytes) || !id)
        return OG_EINVAL;
    char msg[HASH_MSG_SIZE];
    int mlen = hash_msg(id, msg, sizeof(msg));
    if (mlen < 0)
        return OG_EINVAL;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!HMAC(EVP_sha256(), key->bytes, (int)key->len, (const unsigned char *)msg, (size_t)mlen, md,
              &mdlen) ||
        mdlen != 32)
        return OG_EINVAL;
    og_digest_hex(md, hex);
    return 0;
}

/* HMAC (RFC 2104) with SHA-256's inner and outer states after the padded key computed once. */
struct og_id_hasher {
    EVP_MD *md;
    EVP_MD_CTX *inner, *outer;
};

void og_id_hasher_free(struct og_id_hasher *h)
{
    if (!h)
        return;
    EVP_MD_CTX_free(h->inner);
    EVP_MD_CTX_free(h->outer);
    EVP_MD_free(h->md);
    free(h);
}

int og_id_hasher_new(const struct og_id_key *key, struct og_id_hasher **out)
{
    *out = NULL;
    if (!key || key->len < KEY_MIN || key->len > sizeof(key->bytes))
        return OG_EINVAL;
    struct og_id_hasher *h = calloc(1, sizeof(*h));
    if (!h)
        return OG_ENOMEM;
    unsigned char k0[64] = {0}, ipad[64], opad[64];
    unsigned int klen = 0;
    h->md = EVP_MD_fetch(NULL, "SHA256", NULL);
    h->inner = EVP_MD_CTX_new();
    h->outer = EVP_MD_CTX_new();
    bool ok = h->md && h->inner && h->outer;
    if (ok && key->len > sizeof(k0)) /* a key longer than the block is hashed first */
        ok = EVP_Digest(key->bytes, key->len, k0, &klen, h->md, NULL) && klen == 32;
    else if (ok)
        memcpy(k0, key->bytes, key->len);
    for (size_t i = 0; i < sizeof(k0); i++) {
        ipad[i] = k0[i] ^ 0x36;
        opad[i] = k0[i] ^ 0x5c;
    }
    ok = ok && EVP_DigestInit_ex2(h->inner, h->md, NULL) &&
         EVP_DigestUpdate(h->inner, ipad, sizeof(ipad)) &&
         EVP_DigestInit_ex2(h->outer, h->md, NULL) &&
         EVP_DigestUpdate(h->outer, opad, sizeof(opad));
    OPENSSL_cleanse(k0, sizeof(k0));
    OPENSSL_cleanse(ipad, sizeof(ipad));
    OPENSSL_cleanse(opad, sizeof(opad));
    if (!ok) {
        og_id_hasher_free(h);
        return OG_EINVAL;
    }
    *out = h;
    return 0;
}

int og_id_hasher_hash(const struct og_id_hasher *h, const struct og_id *id, char hex[65])
{
    hex[0] = '\0';
    char msg[HASH_MSG_SIZE];
    int mlen = hash_msg(id, msg, sizeof(msg));
    EVP_MD_CTX *c = mlen < 0 ? NULL : EVP_MD_CTX_new();
    unsigned char in[EVP_MAX_MD_SIZE], md[EVP_MAX_MD_SIZE];
    unsigned int inlen = 0, mdlen = 0;
    bool ok = c && EVP_MD_CTX_copy_ex(c, h->inner) && EVP_DigestUpdate(c, msg, (size_t)mlen) &&
              EVP_DigestFinal_ex(c, in, &inlen) && EVP_MD_CTX_copy_ex(c, h->outer) &&
              EVP_DigestUpdate(c, in, inlen) && EVP_DigestFinal_ex(c, md, &mdlen) && mdlen == 32;
    EVP_MD_CTX_free(c);
    if (!ok)
        return OG_EINVAL;
    og_digest_hex(md, hex);
    return 0;
}
