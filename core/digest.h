/* digest.h - SHA-256 as 64 lower-case hex characters: of bytes in memory (row hashes) and of a
 * file's content (the file ledger). */
#ifndef OG_DIGEST_H
#define OG_DIGEST_H

#include "core/error.h"

#include <stddef.h>

/* A 32-byte digest (SHA-256, HMAC-SHA-256) as 64 lower-case hex characters + NUL. */
void og_digest_hex(const unsigned char md[32], char hex[65]);
/* SHA-256 of data[0..len) into hex (64 characters + NUL). Cannot fail. */
void og_sha256_hex(const void *data, size_t len, char hex[65]);
/* SHA-256 of the content of the file at path into hex. 0, OG_EIO (cannot open or read: err names
 * the file) or OG_ENOMEM. */
int og_file_sha256(const char *path, char hex[65], struct og_error *err);

#endif
