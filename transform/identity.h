/* identity.h - identity numbers: resident ID (GB 11643) and USCC (GB 32100) validation,
 * normalisation, masking, and the keyed hash (HMAC-SHA-256) that is the only form ever stored. */
#ifndef OG_IDENTITY_H
#define OG_IDENTITY_H

#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>

enum og_id_kind {
    OG_ID_RESIDENT = 0, /* 居民身份证 */
    OG_ID_USCC,         /* 统一社会信用代码 */
    OG_ID_OTHER,        /* passport and others: only trimmed and upper-cased */
};

enum og_id_status {
    OG_ID_OK = 0,
    OG_ID_BAD_FORMAT, /* wrong length or characters */
    OG_ID_BAD_DATE,   /* resident ID whose birth date is impossible */
    OG_ID_BAD_CHECK,  /* check character does not match */
    OG_ID_EMPTY,
};

struct og_id {
    char norm[40]; /* normalised: trimmed, full-width -> ASCII, upper case, 15 -> 18 digits */
    enum og_id_kind kind;
    enum og_id_status status;
    bool upgraded;                          /* was a legacy 15-digit number */
    int birth_year, birth_month, birth_day; /* resident IDs with a valid date, else 0 */
    int sex;       /* 1 male, 2 female, 0 unknown (resident IDs: from digit 17) */
    char type[16]; /* OG_ID_OTHER: the document type the source gives (e.g. "03", a passport),
                      hashed with the number so that different documents never share a key; "" =
                      none (set by the caller after og_id_parse) */
};

/* Normalises and validates s (UTF-8, may hold full-width digits and letters, lower-case x, spaces).
 * Never fails: the verdict is in out->status. A number too long for norm is OG_ID_BAD_FORMAT with
 * norm "". Checks run format, then birth date, then check character; birth date and sex are filled
 * whenever the date is valid, so also for OG_ID_BAD_CHECK. Trimmed spaces: ASCII white space,
 * U+00A0, U+3000, U+FEFF; interior spaces make a resident ID or USCC OG_ID_BAD_FORMAT. */
void og_id_parse(const char *s, enum og_id_kind kind, struct og_id *out);
/* Parses "resident"/"id"/"01", "uscc", "other" into *out. 0 or OG_EINVAL. */
int og_id_kind_parse(const char *s, enum og_id_kind *out);
/* "ok", "bad_format", "bad_date", "bad_check", "empty" */
const char *og_id_status_name(enum og_id_status st);

/* Masked display form: resident ID keeps the first 6 and last 4 ("440511********123X"); USCC keeps
 * the first 8 and last 2; other keeps the first 2 and last 2; short values become all '*'. */
void og_id_mask(const struct og_id *id, char *out, size_t size);
/* Masks a person's name (UTF-8): first character kept, every further character '*' ("张三丰" ->
 * "张**"). One-character names become "*". */
void og_name_mask(const char *name, char *out, size_t size);

/* The hashing key: at least 16 bytes. */
struct og_id_key {
    unsigned char bytes[128];
    size_t len;
};
/* Loads the key from text (the value of ONEGRID_ID_KEY: the key itself) or else from the file at
 * path (ONEGRID_ID_KEY_FILE), which must be a regular file readable only by its owner (mode & 077
 * == 0), trailing newline stripped. The caller reads the environment; an empty text or path counts
 * as unset. Keys must be 16 to 128 bytes. Errors (OG_ECONFIG, reason bad_key) name the variable or
 * the file and say how to fix it (hint "chmod 600 FILE"). */
int og_id_key_load(struct og_id_key *key, const char *text, const char *path, struct og_error *err);
/* Sets the key from bytes (tests, demo). 0 or OG_EINVAL when shorter than 16 or longer than 128
 * bytes. */
int og_id_key_set(struct og_id_key *key, const void *bytes, size_t len);

/* HMAC-SHA-256(key, kind prefix + ":" + norm) as 64 lower-case hex characters + NUL into hex[65].
 * The kind prefix ("id", "uscc", "other", or "other/TYPE" for an OG_ID_OTHER with a type) keeps
 * equal strings of different kinds apart.
 * Returns 0, or OG_EINVAL if the crypto library fails. */
int og_id_hash(const struct og_id_key *key, const struct og_id *id, char hex[65]);

/* og_id_hash with the key set up once (the padded key's SHA-256 states): for hashing many ids.
 * A hasher is read-only once made, so threads may share it. og_id_hasher_new: 0, OG_EINVAL (bad
 * key, crypto failure) or OG_ENOMEM (*out new; og_id_hasher_free, NULL allowed). */
struct og_id_hasher;
int og_id_hasher_new(const struct og_id_key *key, struct og_id_hasher **out);
int og_id_hasher_hash(const struct og_id_hasher *h, const struct og_id *id, char hex[65]);
void og_id_hasher_free(struct og_id_hasher *h);

#endif
