/* test_classes.c - unit tests for analysis/classes.c: zero is green, quartile breaks over the
 * distinct non-zero values, ties kept in one class, absent values counted apart. */
#include "analysis/classes.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static void test_quartiles_of_distinct_values(void **unused)
{
    (void)unused;
    /* 0, 0 and eight non-zero values 1..8: breaks at the 2nd, 4th and 6th of them */
    double v[] = {0, 5, 1, 8, 0, 3, 2, 7, 4, 6};
    struct og_classes c;
    assert_int_equal(og_classes_compute(v, NULL, 10, &c), 0);
    assert_int_equal(c.nonzero, 8);
    assert_int_equal(c.nodata, 0);
    assert_true(c.breaks[0] == 2 && c.breaks[1] == 4 && c.breaks[2] == 6);
    assert_int_equal(c.count[0], 2);
    for (int k = 1; k < OG_CLASSES; k++)
        assert_int_equal(c.count[k], 2);
    assert_true(c.lo[1] == 1 && c.hi[1] == 2);
    assert_true(c.lo[4] == 7 && c.hi[4] == 8);
    assert_int_equal(og_classes_of(&c, 0), 0);
    assert_int_equal(og_classes_of(&c, -3), 0); /* never below green */
    assert_int_equal(og_classes_of(&c, 0.5), 1);
    assert_int_equal(og_classes_of(&c, 2), 1); /* a break is the top of its class */
    assert_int_equal(og_classes_of(&c, 2.01), 2);
    assert_int_equal(og_classes_of(&c, 6), 3);
    assert_int_equal(og_classes_of(&c, 1000), 4);
}

static void test_ties_stay_in_one_class(void **unused)
{
    (void)unused;
    /* counts as the hazards map has them: many 1s. The breaks come from the distinct values 1, 2,
     * 3, 5, so every colour is used, and the four 1s share a class */
    double v[] = {1, 1, 1, 1, 2, 3, 5};
    struct og_classes c;
    assert_int_equal(og_classes_compute(v, NULL, 7, &c), 0);
    assert_int_equal(c.nonzero, 7);
    assert_true(c.breaks[0] == 1 && c.breaks[1] == 2 && c.breaks[2] == 3);
    assert_int_equal(c.count[1], 4);
    assert_int_equal(c.count[2], 1);
    assert_int_equal(c.count[3], 1);
    assert_true(c.lo[3] == 3 && c.hi[3] == 3);
    assert_int_equal(c.count[4], 1);
    assert_true(c.lo[4] == 5);
    /* fewer than four distinct values: a class stays empty, ties never straddle two */
    double w[] = {1, 1, 1, 4, 4};
    assert_int_equal(og_classes_compute(w, NULL, 5, &c), 0);
    assert_true(c.breaks[0] == 1 && c.breaks[1] == 1 && c.breaks[2] == 4);
    assert_int_equal(c.count[1], 3);
    assert_int_equal(c.count[2] + c.count[4], 0);
    assert_int_equal(c.count[3], 2);
}

static void test_absent_and_all_zero(void **unused)
{
    (void)unused;
    double v[] = {0, 12.5, 0, 40};
    bool present[] = {true, true, false, false};
    struct og_classes c;
    assert_int_equal(og_classes_compute(v, present, 4, &c), 0);
    assert_int_equal(c.nodata, 2);
    assert_int_equal(c.nonzero, 1);
    assert_int_equal(c.count[0] + c.count[1] + c.count[2] + c.count[3] + c.count[4], 2);
    assert_true(c.breaks[0] == 12.5 && c.breaks[2] == 12.5);
    assert_int_equal(og_classes_of(&c, 12.5), 1);

    double z[] = {0, 0, 0};
    assert_int_equal(og_classes_compute(z, NULL, 3, &c), 0);
    assert_int_equal(c.nonzero, 0);
    assert_int_equal(c.count[0], 3);
    assert_int_equal(og_classes_compute(z, NULL, 0, &c), 0); /* no grids at all */
    assert_int_equal(c.count[0], 0);
}

static void test_one_value_per_quarter_rounding(void **unused)
{
    (void)unused;
    /* m = 5: breaks at ceil(1.25) = 2nd, ceil(2.5) = 3rd, ceil(3.75) = 4th value */
    double v[] = {10, 20, 30, 40, 50};
    struct og_classes c;
    assert_int_equal(og_classes_compute(v, NULL, 5, &c), 0);
    assert_true(c.breaks[0] == 20 && c.breaks[1] == 30 && c.breaks[2] == 40);
    assert_int_equal(c.count[1], 2);
    assert_int_equal(c.count[4], 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quartiles_of_distinct_values),
        cmocka_unit_test(test_ties_stay_in_one_class),
        cmocka_unit_test(test_absent_and_all_zero),
        cmocka_unit_test(test_one_value_per_quarter_rounding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
