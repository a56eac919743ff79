/* test_identity.c - unit tests for transform/identity.c: GB 11643 / GB 32100 checks, masking, key,
 * HMAC. */
#include "transform/identity.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#define TEST_KEY "onegrid-unit-test-key-0001"

static struct og_id parse(const char *s, enum og_id_kind kind)
{
    struct og_id id;
    og_id_parse(s, kind, &id);
    return id;
}

/* ---- resident ID ---------------------------------------------------------------------------- */

static void test_resident_valid_vector(void **state)
{
    (void)state;
    struct og_id id = parse("11010519491231002X", OG_ID_RESIDENT);
    assert_int_equal(id.status, OG_ID_OK);
    assert_string_equal(id.norm, "11010519491231002X");
    assert_false(id.upgraded);
    assert_int_equal(id.birth_year, 1949);
    assert_int_equal(id.birth_month, 12);
    assert_int_equal(id.birth_day, 31);
    assert_int_equal(id.sex, 2); /* digit 17 is '2': even, female */
    assert_int_equal(id.kind, OG_ID_RESIDENT);
}

static void test_resident_spellings(void **state)
{
    (void)state;
    static const char *const spellings[] = {
        "11010519491231002x",
        "  11010519491231002X\t",
        /* full-width digits and full-width capital X (U+FF38) */
        "\xef\xbc\x91\xef\xbc\x91\xef\xbc\x90\xef\xbc\x91\xef\xbc\x90\xef\xbc\x95\xef\xbc\x91\xef"
        "\xbc\x99"
        "\xef\xbc\x94\xef\xbc\x99\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93\xef\xbc\x91\xef\xbc\x90\xef"
        "\xbc\x90"
        "\xef\xbc\x92\xef\xbc\xb8",
        /* ideographic space U+3000 around, full-width small x (U+FF58) */
        "\xe3\x80\x80"
        "1101051949123100\xef\xbc\x92\xef\xbd\x98"
        "\xe3\x80\x80",
    };
    for (size_t i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
        struct og_id id = parse(spellings[i], OG_ID_RESIDENT);
        assert_int_equal(id.status, OG_ID_OK);
        assert_string_equal(id.norm, "11010519491231002X");
    }
}

static void test_resident_bad_check(void **state)
{
    (void)state;
    struct og_id id = parse("440511199001011239", OG_ID_RESIDENT);
    assert_int_equal(id.status, OG_ID_BAD_CHECK);
    assert_string_equal(og_id_status_name(id.status), "bad_check");
    /* Same 17 digits: 4*7+4*9+0*10+5*5+1*8+1*4+1*2+9*1+9*6+0*3+0*7+1*9+0*10+1*5+1*8+2*4+3*2
     * = 202, 202 mod 11 = 4, "10X98765432"[4] = '8'. */
    id = parse("440511199001011238", OG_ID_RESIDENT);
    assert_int_equal(id.status, OG_ID_OK);
    assert_int_equal(id.sex, 1); /* digit 17 is '3': odd, male */
}

/* One valid number per check character (all 11 remainders of the MOD 11-2 sum), computed with an
 * independent script; changing the last character of any of them must give bad_check. */
static void test_resident_all_check_chars(void **state)
{
    (void)state;
    static const char *const valid[] = {
        "440511198506151020", "440511198506151071", "440511198506151012", "440511198506151063",
        "440511198506151004", "440511198506151055", "440511198506151186", "440511198506151047",
        "440511198506151098", "440511198506151039", "44051119850615108X",
    };
    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        struct og_id id = parse(valid[i], OG_ID_RESIDENT);
        assert_int_equal(id.status, OG_ID_OK);
        char wrong[19];
        memcpy(wrong, valid[i], sizeof(wrong));
        wrong[17] = wrong[17] == 'X' ? '0' : wrong[17] == '9' ? 'X' : (char)(wrong[17] + 1);
        assert_int_equal(parse(wrong, OG_ID_RESIDENT).status, OG_ID_BAD_CHECK);
    }
}

static void test_resident_upgrade_15(void **state)
{
    (void)state;
    /* 440511 900101 123 -> insert "19": 440511 19900101 123, whose check is '8' (sum 202 above). */
    struct og_id id = parse("440511900101123", OG_ID_RESIDENT);
    assert_int_equal(id.status, OG_ID_OK);
    assert_true(id.upgraded);
    assert_string_equal(id.norm, "440511199001011238");
    assert_int_equal(id.birth_year, 1990);
    assert_int_equal(id.birth_month, 1);
    assert_int_equal(id.birth_day, 1);
    assert_int_equal(id.sex, 1);
    /* The legacy form of the published vector: 110105 491231 002 -> 11010519491231002 + 'X'
     * (sum 167, 167 mod 11 = 2, map[2] = 'X'). */
    id = parse("110105491231002", OG_ID_RESIDENT);
    assert_int_equal(id.status, OG_ID_OK);
    assert_true(id.upgraded);
    assert_string_equal(id.norm, "11010519491231002X");
}

static void test_resident_dates(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "440511199002301234", /* 30 February */
        "440511190002291234", /* 1900 is not a leap year */
        "440511189912311234", /* before 1900 */
        "440511210101011234", /* after 2100 */
        "440511199013011234", /* month 13 */
        "440511199001001234", /* day 0 */
        "440511900230123",    /* legacy, 1990-02-30 */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct og_id id = parse(bad[i], OG_ID_RESIDENT);
        assert_int_equal(id.status, OG_ID_BAD_DATE);
        assert_int_equal(id.birth_year, 0);
    }
    /* 2000-02-29 exists (2000 is a leap year): the date passes; status is then about the check. */
    struct og_id id = parse("440511200002291234", OG_ID_RESIDENT);
    assert_int_not_equal(id.status, OG_ID_BAD_DATE);
    assert_int_equal(id.birth_year, 2000);
    assert_int_equal(id.birth_day, 29);
}

static void test_resident_bad_format(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "1101051949123100",      /* 16 */
        "11010519491231002XX",   /* 19 */
        "1101051949123100X2",    /* X not last */
        "11010519491231002Y",    /* Y not a check character */
        "110105 19491231002X",   /* interior space */
        "11010519491231002\xc3", /* truncated UTF-8 */
        "1101051949123100\xe4\xba\x8c"
        "X",                                                  /* a CJK character */
        "12345678901234567890123456789012345678901234567890", /* too long for norm */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct og_id id = parse(bad[i], OG_ID_RESIDENT);
        assert_int_equal(id.status, OG_ID_BAD_FORMAT);
    }
    assert_int_equal(parse("", OG_ID_RESIDENT).status, OG_ID_EMPTY);
    assert_int_equal(parse(" \xe3\x80\x80 ", OG_ID_RESIDENT).status, OG_ID_EMPTY);
    assert_int_equal(parse(NULL, OG_ID_RESIDENT).status, OG_ID_EMPTY);
}

/* ---- USCC ----------------------------------------------------------------------------------- */

static void test_uscc(void **state)
{
    (void)state;
    struct og_id id = parse("91110000600037341L", OG_ID_USCC);
    assert_int_equal(id.status, OG_ID_OK);
    assert_string_equal(id.norm, "91110000600037341L");
    assert_int_equal(id.sex, 0);
    /* lower case and full-width L (U+FF2C) normalise to the same number */
    assert_int_equal(parse(" 91110000600037341l ", OG_ID_USCC).status, OG_ID_OK);
    id = parse("91110000600037341\xef\xbc\xac", OG_ID_USCC);
    assert_int_equal(id.status, OG_ID_OK);
    assert_string_equal(id.norm, "91110000600037341L");

    assert_int_equal(parse("91110000600037341M", OG_ID_USCC).status, OG_ID_BAD_CHECK);
    assert_int_equal(parse("91110000600037351L", OG_ID_USCC).status, OG_ID_BAD_CHECK);
    static const char *const forbidden[] = {
        "9111000060003734IL", "9111000060003734OL", "9111000060003734ZL",
        "9111000060003734SL", "9111000060003734VL", "91110000600037341I",
    };
    for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++)
        assert_int_equal(parse(forbidden[i], OG_ID_USCC).status, OG_ID_BAD_FORMAT);
    assert_int_equal(parse("91110000600037341", OG_ID_USCC).status, OG_ID_BAD_FORMAT);
}

static void test_other_and_kinds(void **state)
{
    (void)state;
    struct og_id id = parse("  e1234567\xe3\x80\x80", OG_ID_OTHER);
    assert_int_equal(id.status, OG_ID_OK);
    assert_string_equal(id.norm, "E1234567");

    enum og_id_kind k = OG_ID_OTHER;
    assert_int_equal(og_id_kind_parse("resident", &k), 0);
    assert_int_equal(k, OG_ID_RESIDENT);
    assert_int_equal(og_id_kind_parse("uscc", &k), 0);
    assert_int_equal(k, OG_ID_USCC);
    assert_int_equal(og_id_kind_parse("01", &k), 0);
    assert_int_equal(k, OG_ID_RESIDENT);
    assert_int_equal(og_id_kind_parse("other", &k), 0);
    assert_int_equal(k, OG_ID_OTHER);
    assert_int_equal(og_id_kind_parse("passport", &k), OG_EINVAL);
    assert_string_equal(og_id_status_name(OG_ID_BAD_DATE), "bad_date");
    assert_string_equal(og_id_status_name(OG_ID_EMPTY), "empty");
}

/* ---- masking -------------------------------------------------------------------------------- */

static void test_mask(void **state)
{
    (void)state;
    char out[64];
    struct og_id id = parse("44051119900101123x", OG_ID_RESIDENT);
    og_id_mask(&id, out, sizeof(out));
    assert_string_equal(out, "440511********123X");
    id = parse("91110000600037341L", OG_ID_USCC);
    og_id_mask(&id, out, sizeof(out));
    assert_string_equal(out, "91110000********1L");
    id = parse("E1234567", OG_ID_OTHER);
    og_id_mask(&id, out, sizeof(out));
    assert_string_equal(out, "E1****67");
    id = parse("12345", OG_ID_RESIDENT); /* bad format, too short to show anything */
    og_id_mask(&id, out, sizeof(out));
    assert_string_equal(out, "*****");
    og_id_mask(&id, out, 3); /* truncated, still terminated */
    assert_string_equal(out, "**");

    og_name_mask("张三丰", out, sizeof(out));
    assert_string_equal(out, "张**");
    og_name_mask("张三", out, sizeof(out));
    assert_string_equal(out, "张*");
    og_name_mask("李", out, sizeof(out));
    assert_string_equal(out, "*");
    og_name_mask(" 阿卜杜·热合曼 ", out, sizeof(out));
    assert_string_equal(out, "阿******");
    og_name_mask("Bob", out, sizeof(out));
    assert_string_equal(out, "B**");
    og_name_mask("", out, sizeof(out));
    assert_string_equal(out, "");
    og_name_mask("张三丰", out, 4); /* room for the first character only */
    assert_string_equal(out, "张");
    og_name_mask("张三丰", out, 2); /* not even that: never half a character */
    assert_string_equal(out, "");
}

/* ---- hash ----------------------------------------------------------------------------------- */

static void test_hash_vector(void **state)
{
    (void)state;
    struct og_id_key key;
    assert_int_equal(og_id_key_set(&key, TEST_KEY, strlen(TEST_KEY)), 0);
    char hex[65];
    /* printf '%s' 'id:11010519491231002X' | openssl dgst -sha256 -hmac 'onegrid-unit-test-key-0001'
     */
    struct og_id id = parse("11010519491231002X", OG_ID_RESIDENT);
    assert_int_equal(og_id_hash(&key, &id, hex), 0);
    assert_string_equal(hex, "5c14a42d23e148164509be3702bd96ccd6019417f946e6a007f812a7fa7ee0ca");
    /* printf '%s' 'uscc:91110000600037341L' | openssl dgst -sha256 -hmac
     * 'onegrid-unit-test-key-0001' */
    id = parse("91110000600037341L", OG_ID_USCC);
    assert_int_equal(og_id_hash(&key, &id, hex), 0);
    assert_string_equal(hex, "4214545b2f0b59e030c1c51c387fa5c3da86830ae68c56c2a7f25a09df0101ae");
    /* printf '%s' 'id:440511199001011238' | openssl dgst ... : the upgraded 15-digit number */
    id = parse("440511900101123", OG_ID_RESIDENT);
    assert_int_equal(og_id_hash(&key, &id, hex), 0);
    assert_string_equal(hex, "0bf08abcea8f2f80e1f04e233ddcbd9b5a399b6951495def47c2a7916fd9cec6");
}

/* The hasher (key set up once) gives og_id_hash's result: the vector above, and keys of 16, 64
 * (one SHA-256 block) and 100 bytes (longer than a block: hashed first), for ids of every kind. */
static void test_hasher_equals_hash(void **state)
{
    (void)state;
    struct og_id_key key;
    struct og_id_hasher *h;
    char a[65], b[65];
    assert_int_equal(og_id_key_set(&key, TEST_KEY, strlen(TEST_KEY)), 0);
    assert_int_equal(og_id_hasher_new(&key, &h), 0);
    struct og_id id = parse("11010519491231002X", OG_ID_RESIDENT);
    assert_int_equal(og_id_hasher_hash(h, &id, a), 0);
    assert_string_equal(a, "5c14a42d23e148164509be3702bd96ccd6019417f946e6a007f812a7fa7ee0ca");
    og_id_hasher_free(h);
    static const size_t lens[] = {16, 64, 100, 128};
    unsigned char bytes[128];
    for (size_t i = 0; i < sizeof(bytes); i++)
        bytes[i] = (unsigned char)(i * 37 + 11);
    const char *ids[][2] = {
        {"11010519491231002X", "r"}, {"91110000600037341L", "u"}, {"E12345678", "o"}};
    for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
        assert_int_equal(og_id_key_set(&key, bytes, lens[k]), 0);
        assert_int_equal(og_id_hasher_new(&key, &h), 0);
        for (size_t i = 0; i < 3; i++) {
            enum og_id_kind kind = ids[i][1][0] == 'r'   ? OG_ID_RESIDENT
                                   : ids[i][1][0] == 'u' ? OG_ID_USCC
                                                         : OG_ID_OTHER;
            id = parse(ids[i][0], kind);
            assert_int_equal(og_id_hash(&key, &id, a), 0);
            assert_int_equal(og_id_hasher_hash(h, &id, b), 0);
            assert_string_equal(a, b);
        }
        og_id_hasher_free(h);
    }
    og_id_hasher_free(NULL);
    key.len = 3;
    assert_int_equal(og_id_hasher_new(&key, &h), OG_EINVAL);
    assert_null(h);
}

static void test_hash_spellings_and_kinds(void **state)
{
    (void)state;
    struct og_id_key key;
    assert_int_equal(og_id_key_set(&key, TEST_KEY, strlen(TEST_KEY)), 0);
    char a[65], b[65], c[65], d[65];
    struct og_id id = parse("11010519491231002X", OG_ID_RESIDENT);
    assert_int_equal(og_id_hash(&key, &id, a), 0);
    id = parse(" 11010519491231002x ", OG_ID_RESIDENT);
    assert_int_equal(og_id_hash(&key, &id, b), 0);
    id = parse("\xef\xbc\x91\xef\xbc\x91\xef\xbc\x90\xef\xbc\x91\xef\xbc\x90\xef\xbc\x95"
               "\xef\xbc\x91\xef\xbc\x99\xef\xbc\x94\xef\xbc\x99\xef\xbc\x91\xef\xbc\x92"
               "\xef\xbc\x93\xef\xbc\x91\xef\xbc\x90\xef\xbc\x90\xef\xbc\x92\xef\xbd\x98",
               OG_ID_RESIDENT);
    assert_int_equal(id.status, OG_ID_OK);
    assert_int_equal(og_id_hash(&key, &id, c), 0);
    assert_string_equal(a, b);
    assert_string_equal(a, c);
    /* The same text as another kind hashes differently (prefix "other:"). */
    id = parse("11010519491231002X", OG_ID_OTHER);
    assert_int_equal(og_id_hash(&key, &id, d), 0);
    assert_string_not_equal(a, d);
    /* A different key gives a different hash. */
    struct og_id_key key2;
    assert_int_equal(og_id_key_set(&key2, TEST_KEY "x", strlen(TEST_KEY) + 1), 0);
    id = parse("11010519491231002X", OG_ID_RESIDENT);
    assert_int_equal(og_id_hash(&key2, &id, d), 0);
    assert_string_not_equal(a, d);
}

/* ---- key loading ---------------------------------------------------------------------------- */

static void test_key_set_short(void **state)
{
    (void)state;
    struct og_id_key key;
    assert_int_equal(og_id_key_set(&key, "fifteen-bytes!!", 15), OG_EINVAL);
    assert_int_equal(og_id_key_set(&key, "sixteen-bytes!!!", 16), 0);
    assert_int_equal(key.len, 16);
}

/* The key text as ONEGRID_ID_KEY gives it (the command line reads the variable). */
static void test_key_text(void **state)
{
    (void)state;
    struct og_id_key key;
    struct og_error err;
    og_error_clear(&err);
    assert_int_equal(og_id_key_load(&key, TEST_KEY, NULL, &err), 0);
    assert_int_equal(key.len, strlen(TEST_KEY));
    assert_memory_equal(key.bytes, TEST_KEY, key.len);

    assert_int_equal(og_id_key_load(&key, "short", NULL, &err), OG_ECONFIG);
    assert_int_equal(err.reason, OG_R_BAD_KEY);
    assert_non_null(strstr(err.message, "ONEGRID_ID_KEY"));
    assert_non_null(strstr(err.message, "too short"));

    og_error_clear(&err);
    assert_int_equal(og_id_key_load(&key, NULL, NULL, &err), OG_ECONFIG);
    assert_non_null(strstr(err.detail, "ONEGRID_ID_KEY_FILE"));
    og_error_clear(&err);
    assert_int_equal(og_id_key_load(&key, "", "", &err), OG_ECONFIG); /* empty = unset */
    assert_non_null(strstr(err.message, "no ID hashing key"));
}

static void write_temp(char *path, const char *text, mode_t mode)
{
    strcpy(path, "/tmp/og_test_key_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    assert_int_equal(close(fd), 0);
    assert_int_equal(chmod(path, mode), 0);
}

static void test_key_file(void **state)
{
    (void)state;
    char path[64];
    struct og_id_key key;
    struct og_error err;
    og_error_clear(&err);

    write_temp(path, TEST_KEY "\n", 0644);
    assert_int_equal(og_id_key_load(&key, NULL, path, &err), OG_ECONFIG);
    assert_non_null(strstr(err.message, path));
    char fix[96];
    snprintf(fix, sizeof(fix), "chmod 600 %s", path);
    assert_non_null(strstr(err.hint, fix));
    /* group-readable only is refused too */
    assert_int_equal(chmod(path, 0640), 0);
    og_error_clear(&err);
    assert_int_equal(og_id_key_load(&key, NULL, path, &err), OG_ECONFIG);
    assert_non_null(strstr(err.hint, fix));

    assert_int_equal(chmod(path, 0600), 0);
    og_error_clear(&err);
    assert_int_equal(og_id_key_load(&key, NULL, path, &err), 0);
    assert_int_equal(key.len, strlen(TEST_KEY)); /* newline stripped */
    assert_memory_equal(key.bytes, TEST_KEY, key.len);

    /* The key read from the file hashes like the same key set directly. */
    struct og_id_key direct;
    assert_int_equal(og_id_key_set(&direct, TEST_KEY, strlen(TEST_KEY)), 0);
    struct og_id id;
    og_id_parse("11010519491231002X", OG_ID_RESIDENT, &id);
    char h1[65], h2[65];
    assert_int_equal(og_id_hash(&key, &id, h1), 0);
    assert_int_equal(og_id_hash(&direct, &id, h2), 0);
    assert_string_equal(h1, h2);

    /* The key text wins over the file. */
    assert_int_equal(og_id_key_load(&key, "another-key-of-enough-length", path, &err), 0);
    assert_int_equal(key.len, strlen("another-key-of-enough-length"));
    assert_int_equal(unlink(path), 0);

    /* Too short, with the right mode. */
    write_temp(path, "short\n", 0600);
    og_error_clear(&err);
    assert_int_equal(og_id_key_load(&key, NULL, path, &err), OG_ECONFIG);
    assert_non_null(strstr(err.message, "too short"));
    assert_non_null(strstr(err.message, path));
    assert_int_equal(unlink(path), 0);

    /* Missing file. */
    og_error_clear(&err);
    assert_int_equal(og_id_key_load(&key, NULL, path, &err), OG_ECONFIG);
    assert_non_null(strstr(err.message, path));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resident_valid_vector),
        cmocka_unit_test(test_resident_spellings),
        cmocka_unit_test(test_resident_bad_check),
        cmocka_unit_test(test_resident_all_check_chars),
        cmocka_unit_test(test_resident_upgrade_15),
        cmocka_unit_test(test_resident_dates),
        cmocka_unit_test(test_resident_bad_format),
        cmocka_unit_test(test_uscc),
        cmocka_unit_test(test_other_and_kinds),
        cmocka_unit_test(test_mask),
        cmocka_unit_test(test_hash_vector),
        cmocka_unit_test(test_hasher_equals_hash),
        cmocka_unit_test(test_hash_spellings_and_kinds),
        cmocka_unit_test(test_key_set_short),
        cmocka_unit_test(test_key_text),
        cmocka_unit_test(test_key_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
