/* test_digest.c - unit tests for core/digest.c: SHA-256 hex of memory and of files. */
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

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_memory), cmocka_unit_test(test_file)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
