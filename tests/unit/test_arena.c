/* test_arena.c - unit tests for core/arena.c: alignment, string helpers, reset, large blocks. */
#include "core/arena.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define ALIGN _Alignof(max_align_t)

/* Every pointer is aligned for any type, whatever the size asked before it, and allocations do
 * not overlap: each is filled with its own byte and checked once all are made. */
static void test_alignment_and_no_overlap(void **unused)
{
    (void)unused;
    struct og_arena *a = og_arena_create(256); /* small chunk: many blocks */
    assert_non_null(a);
    enum { N = 300 };
    unsigned char *p[N];
    size_t sz[N];
    for (int i = 0; i < N; i++) {
        sz[i] = (size_t)(i % 37) + 1; /* 1..37 bytes, odd sizes included */
        p[i] = og_arena_alloc(a, sz[i]);
        assert_non_null(p[i]);
        assert_int_equal((uintptr_t)p[i] % ALIGN, 0);
        if (sz[i] >= sizeof(long double)) /* UBSan checks that the store is aligned */
            *(long double *)(void *)p[i] = 1.5L;
        memset(p[i], i & 0xFF, sz[i]);
    }
    for (int i = 0; i < N; i++)
        for (size_t k = 0; k < sz[i]; k++)
            assert_int_equal(p[i][k], i & 0xFF);
    og_arena_destroy(a);
}

static void test_strings(void **unused)
{
    (void)unused;
    struct og_arena *a = og_arena_create(0); /* 0 = default 64 KiB */
    assert_non_null(a);
    char src[] = "hello, world";
    char *d = og_arena_strdup(a, src);
    assert_string_equal(d, "hello, world");
    assert_ptr_not_equal(d, src);
    src[0] = 'J'; /* a copy, not the caller's memory */
    assert_string_equal(d, "hello, world");

    char *n = og_arena_strndup(a, "abcdef", 3);
    assert_string_equal(n, "abc");
    assert_string_equal(og_arena_strndup(a, "abcdef", 0), "");
    /* strndup copies exactly n bytes: the source need not be NUL-terminated */
    const char raw[4] = {'w', 'x', 'y', 'z'};
    assert_string_equal(og_arena_strndup(a, raw, 4), "wxyz");
    assert_string_equal(og_arena_strdup(a, "金平区"), "金平区");

    assert_string_equal(og_arena_sprintf(a, "%s:%d:%05.1f", "grid", 42, 3.14159), "grid:42:003.1");
    assert_string_equal(og_arena_sprintf(a, "%s", ""), "");
    og_arena_destroy(a);
}

/* sprintf output longer than the chunk goes into a block of its own. */
static void test_sprintf_larger_than_chunk(void **unused)
{
    (void)unused;
    struct og_arena *a = og_arena_create(64);
    assert_non_null(a);
    char *s = og_arena_sprintf(a, "[%0*d]", 5000, 7);
    assert_non_null(s);
    assert_int_equal(strlen(s), 5002);
    assert_int_equal(s[0], '[');
    assert_int_equal(s[1], '0');
    assert_int_equal(s[5000], '7');
    assert_int_equal(s[5001], ']');
    og_arena_destroy(a);
}

/* An allocation bigger than the chunk works, is usable in full, and small allocations before and
 * after it keep their content. */
static void test_large_allocation(void **unused)
{
    (void)unused;
    struct og_arena *a = og_arena_create(128);
    assert_non_null(a);
    char *before = og_arena_strdup(a, "before");
    unsigned char *big = og_arena_alloc(a, 100000);
    assert_non_null(big);
    assert_int_equal((uintptr_t)big % ALIGN, 0);
    memset(big, 0xAB, 100000); /* ASan: the whole block is ours */
    char *after = og_arena_strdup(a, "after");
    assert_string_equal(before, "before");
    assert_string_equal(after, "after");
    assert_int_equal(big[0], 0xAB);
    assert_int_equal(big[99999], 0xAB);
    assert_true(og_arena_used(a) >= 100000 + 6 + 7);
    og_arena_destroy(a);
}

/* Reset frees everything handed out and reuses the first block: the first allocation after a reset
 * lands where the very first allocation did, and calloc really zeroes that reused (dirty) memory.
 */
static void test_reset_keeps_first_block(void **unused)
{
    (void)unused;
    struct og_arena *a = og_arena_create(1024);
    assert_non_null(a);
    unsigned char *first = og_arena_alloc(a, 100);
    assert_non_null(first);
    memset(first, 0xEE, 100);
    for (int i = 0; i < 50; i++) /* several more blocks */
        assert_non_null(og_arena_alloc(a, 500));
    assert_non_null(og_arena_alloc(a, 10000)); /* and a large one */
    assert_true(og_arena_used(a) >= 100 + 50 * 500 + 10000);

    og_arena_reset(a);
    assert_int_equal(og_arena_used(a), 0);
    unsigned char *again = og_arena_calloc(a, 100);
    assert_ptr_equal(again, first);
    for (int i = 0; i < 100; i++)
        assert_int_equal(again[i], 0);
    assert_true(og_arena_used(a) >= 100);

    /* reset twice, and reset of an arena that never allocated, are harmless */
    og_arena_reset(a);
    og_arena_reset(a);
    struct og_arena *empty = og_arena_create(0);
    og_arena_reset(empty);
    assert_int_equal(og_arena_used(empty), 0);
    assert_non_null(og_arena_alloc(empty, 1));
    og_arena_destroy(empty);
    og_arena_destroy(a);
}

static void test_used_and_null(void **unused)
{
    (void)unused;
    assert_int_equal(og_arena_used(NULL), 0);
    og_arena_destroy(NULL);
    struct og_arena *a = og_arena_create(0);
    assert_int_equal(og_arena_used(a), 0);
    assert_non_null(og_arena_alloc(a, 1));
    size_t u1 = og_arena_used(a);
    assert_true(u1 >= 1);
    assert_non_null(og_arena_alloc(a, 40));
    assert_true(og_arena_used(a) >= u1 + 40);
    /* zero-byte requests still give distinct usable pointers */
    void *z1 = og_arena_alloc(a, 0), *z2 = og_arena_alloc(a, 0);
    assert_non_null(z1);
    assert_non_null(z2);
    assert_ptr_not_equal(z1, z2);
    og_arena_destroy(a);
}

/* core/arena.c og_arena_alloc: rounding n up to the alignment wraps for n near SIZE_MAX (SIZE_MAX
 * becomes 0, then 32 bytes are handed out), and block_new's sizeof(*b) + size can wrap too. A
 * request that cannot be met must return NULL. */
static void test_alloc_overflow(void **unused)
{
    (void)unused;
    struct og_arena *a = og_arena_create(0);
    assert_null(og_arena_alloc(a, SIZE_MAX));
    assert_null(og_arena_alloc(a, SIZE_MAX - 8));
    og_arena_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alignment_and_no_overlap),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_sprintf_larger_than_chunk),
        cmocka_unit_test(test_large_allocation),
        cmocka_unit_test(test_reset_keeps_first_block),
        cmocka_unit_test(test_used_and_null),
        cmocka_unit_test(test_alloc_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
