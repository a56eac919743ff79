/* test_digest.c - unit tests for core/digest.c: SHA-256 hex of memory and of files, XXH64 and
 * record digests. */
#include "core/digest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* FIPS 180-2 vectors. */
static void test_memory(void **unused)
{
    (void)unused;
    char hex[65];
    og_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    og_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* A file of more than one read block hashes like its bytes in memory; a missing file names itself.
 */
static void test_file(void **unused)
{
    (void)unused;
    char path[] = "/tmp/og_test_digest_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t n = 200000;
    char *data = malloc(n);
    for (size_t i = 0; i < n; i++)
        data[i] = (char)('a' + i % 26);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
    char want[65], got[65];
    og_sha256_hex(data, n, want);
    struct og_error err;
    og_error_clear(&err);
    assert_int_equal(og_file_sha256(path, got, &err), 0);
    assert_string_equal(got, want);
    unlink(path);
    assert_int_equal(og_file_sha256(path, got, &err), OG_EIO);
    assert_int_equal(err.reason, OG_R_IO);
    assert_non_null(strstr(err.message, path));
    free(data);
}

/* XXH64 against the reference implementation's values; a record digest is XXH64 of the pieces
 * added, seeded by the seed's first 8 bytes (little-endian), never 0. */
static void test_xxh64(void **unused)
{
    (void)unused;
    assert_true(og_xxh64("", 0, 0) == 0xEF46DB3751D8E999ULL);
    assert_true(og_xxh64("a", 1, 0) == 0xD24EC4F1A98C6E5BULL);
    assert_true(og_xxh64("abc", 3, 0) == 0x44BC2CF5AD770999ULL);
    char text[100];
    for (int i = 0; i < 100; i++)
        text[i] = (char)('a' + i % 26);
    uint64_t whole = og_xxh64(text, 100, 42);
    assert_true(whole == 0x64AE6DF2D9C9BB5CULL); /* libxxhash 0.8.1's XXH64 of the same */
    assert_true(og_xxh64(text, 33, 0) == 0x9AC581034B031F72ULL);
    unsigned char seed[32] = {42};
    struct og_rdigest d;
    og_rdigest_begin(&d, seed);
    og_rdigest_add(&d, text, 7); /* pieces across the 32-byte stripes */
    og_rdigest_add(&d, text + 7, 30);
    og_rdigest_add(&d, text + 37, 0);
    og_rdigest_add(&d, text + 37, 63);
    assert_true(og_rdigest_end(&d) == whole);
    for (int round = 0; round < 2; round++) { /* the scratch serves record after record */
        og_rdigest_begin(&d, seed);
        og_rdigest_add(&d, text, 100);
        assert_true(og_rdigest_end(&d) == whole);
    }
    seed[1] = 1;
    og_rdigest_begin(&d, seed);
    og_rdigest_add(&d, text, 100);
    assert_true(og_rdigest_end(&d) != whole);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_memory), cmocka_unit_test(test_file),
                                       cmocka_unit_test(test_xxh64)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
