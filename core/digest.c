/* digest.c - SHA-256 hex digests through libcrypto's EVP interface. */
#include "core/digest.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void og_digest_hex(const unsigned char md[32], char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
}

void og_sha256_hex(const void *data, size_t len, char hex[65])
{
    unsigned char md[32];
    unsigned int n = 0;
    EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
    og_digest_hex(md, hex);
}

int og_file_sha256(const char *path, char hex[65], struct og_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return og_error_set(err, OG_EIO, OG_CLASS_FATAL, OG_R_IO, "could not open \"%s\": %s", path,
                            strerror(errno));
    enum { BLOCK = 1 << 16 };
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char *buf = malloc(BLOCK);
    int rc = 0;
    if (!ctx || !buf) {
        rc = og_error_set(err, OG_ENOMEM, OG_CLASS_FATAL, OG_R_NO_MEMORY, "out of memory");
        goto out;
    }
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    size_t n;
    while ((n = fread(buf, 1, BLOCK, fp)) > 0)
        EVP_DigestUpdate(ctx, buf, n);
    if (ferror(fp)) {
        rc = og_error_set(err, OG_EIO, OG_CLASS_FATAL, OG_R_IO, "could not read \"%s\"", path);
        goto out;
    }
    unsigned char md[32];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, md, &len);
    og_digest_hex(md, hex);
out:
    free(buf);
    EVP_MD_CTX_free(ctx);
    fclose(fp);
    return rc;
}
