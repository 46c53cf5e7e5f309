/* Unit tests for src/batch: schema, appends of every type, reading back,
 * UTF-8 repair, limits, reset, allocation failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "batch/batch.h"
#include "core/err.h"
#include "core/mem.h"

static void make_schema(struct batch_schema *s)
{
    assert_int_equal(batch_schema_init(s, 6), 0);
    assert_int_equal(batch_schema_set(s, 0, "id", BATCH_INT64, false, 0, 0, false), 0);
    assert_int_equal(batch_schema_set(s, 1, "name", BATCH_STRING, true, 0, 0, false), 0);
    assert_int_equal(batch_schema_set(s, 2, "amount", BATCH_DECIMAL, true, 19, 4, false), 0);
    assert_int_equal(batch_schema_set(s, 3, "flag", BATCH_BOOL, true, 0, 0, false), 0);
    assert_int_equal(batch_schema_set(s, 4, "small", BATCH_INT8, true, 0, 0, false), 0);
    assert_int_equal(batch_schema_set(s, 5, "blob", BATCH_BINARY, true, 0, 0, false), 0);
}

static void test_append_and_read(void **state)
{
    struct batch_schema s;
    struct batch *b;
    const uint8_t *p;
    size_t n;
    (void)state;
    make_schema(&s);
    b = batch_new(&s, 4, 0);
    assert_non_null(b);

    assert_int_equal(batch_append_int(b, 0, -5), 0);
    assert_int_equal(batch_append_str(b, 1, "héllo", strlen("héllo")), 0);
    assert_int_equal(batch_append_decimal(b, 2, -(__int128)1234567890123456789LL), 0);
    assert_int_equal(batch_append_bool(b, 3, true), 0);
    assert_int_equal(batch_append_int(b, 4, -128), 0);
    assert_int_equal(batch_append_bytes(b, 5, "\0\1\2", 3), 0);
    batch_end_row(b);

    assert_int_equal(batch_append_int(b, 0, INT64_MAX), 0);
    assert_int_equal(batch_append_null(b, 1), 0);
    assert_int_equal(batch_append_null(b, 2), 0);
    assert_int_equal(batch_append_null(b, 3), 0);
    assert_int_equal(batch_append_int(b, 4, 200), SL_ECONVERT); /* out of int8 range */
    /* decimal(19,4): 10^19 has 20 digits and is refused; 10^19 - 1 fits. */
    assert_int_equal(batch_append_decimal(b, 2, (__int128)10000000000000000000ULL), SL_ECONVERT);
    assert_int_equal(batch_append_decimal(b, 2, -(__int128)10000000000000000000ULL), SL_ECONVERT);
    assert_int_equal(batch_append_null(b, 4), 0);
    assert_int_equal(batch_append_bytes(b, 5, "", 0), 0);
    batch_end_row(b);

    assert_int_equal(b->nrows, 2);
    assert_int_equal(batch_get_int(b, 0, 0), -5);
    assert_int_equal(batch_get_int(b, 0, 1), INT64_MAX);
    p = batch_get_bytes(b, 1, 0, &n);
    assert_int_equal(n, strlen("héllo"));
    assert_memory_equal(p, "héllo", n);
    assert_true(batch_is_null(b, 1, 1));
    assert_false(batch_is_null(b, 1, 0));
    assert_true(batch_get_decimal(b, 2, 0) == -(__int128)1234567890123456789LL);
    assert_true(batch_get_bool(b, 3, 0));
    assert_int_equal(batch_get_int(b, 4, 0), -128);
    p = batch_get_bytes(b, 5, 0, &n);
    assert_int_equal(n, 3);
    assert_memory_equal(p, "\0\1\2", 3);
    p = batch_get_bytes(b, 5, 1, &n);
    assert_int_equal(n, 0);
    assert_false(batch_is_null(b, 5, 1));
    assert_int_equal(b->var_bytes, strlen("héllo") + 3);

    /* Non-nullable columns refuse NULL; wrong types are refused. */
    assert_int_equal(batch_append_null(b, 0), SL_EINVAL);
    assert_int_equal(batch_append_str(b, 0, "x", 1), SL_EINVAL);
    assert_int_equal(batch_append_double(b, 0, 1.0), SL_EINVAL);

    batch_reset(b);
    assert_int_equal(b->nrows, 0);
    assert_int_equal(b->var_bytes, 0);
    batch_destroy(b);
    batch_schema_free(&s);
}

static void test_utf8_repair(void **state)
{
    struct batch_schema s;
    struct batch *b;
    const uint8_t *p;
    size_t n;
    (void)state;
    assert_int_equal(batch_schema_init(&s, 1), 0);
    assert_int_equal(batch_schema_set(&s, 0, "t", BATCH_STRING, false, 0, 0, false), 0);
    b = batch_new(&s, 2, 0);
    assert_non_null(b);
    /* "a", a lone continuation byte, "b", a truncated 3-byte sequence. */
    assert_int_equal(batch_append_str(b, 0, "a\x80" "b\xE2\x82", 5), 0);
    batch_end_row(b);
    p = batch_get_bytes(b, 0, 0, &n);
    assert_int_equal(n, 8);
    assert_memory_equal(p, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD", 8);
    batch_destroy(b);
    batch_schema_free(&s);
}

/* UTF-16LE straight into the column: ASCII, 2- and 3-byte characters, a
 * surrogate pair, a lone surrogate and an odd trailing byte; and the
 * unchecked append of text the caller knows is valid. */
static void test_utf16le_and_valid(void **state)
{
    struct batch_schema s;
    struct batch *b;
    const uint8_t *p;
    size_t n;
    /* "a", "é", "€", U+1F600 (D83D DE00), lone D800, "z", odd byte */
    static const uint8_t w[] = {'a', 0, 0xE9, 0, 0xAC, 0x20, 0x3D, 0xD8, 0x00, 0xDE,
                                0x00, 0xD8, 'z', 0, 'q'};
    (void)state;
    assert_int_equal(batch_schema_init(&s, 2), 0);
    assert_int_equal(batch_schema_set(&s, 0, "t", BATCH_STRING, true, 0, 0, false), 0);
    assert_int_equal(batch_schema_set(&s, 1, "n", BATCH_INT32, false, 0, 0, false), 0);
    b = batch_new(&s, 3, 0);
    assert_non_null(b);
    assert_int_equal(batch_append_utf16le(b, 0, w, sizeof w), 0);
    assert_int_equal(batch_append_int(b, 1, 1), 0);
    batch_end_row(b);
    assert_int_equal(batch_append_utf16le(b, 0, w, 0), 0);
    assert_int_equal(batch_append_int(b, 1, 2), 0);
    batch_end_row(b);
    assert_int_equal(batch_append_str_valid(b, 0, "4468C48D", 8), 0);
    assert_int_equal(batch_append_utf16le(b, 1, w, 2), SL_EINVAL); /* not a string column */
    assert_int_equal(batch_append_int(b, 1, 3), 0);
    batch_end_row(b);
    p = batch_get_bytes(b, 0, 0, &n);
    assert_int_equal(n, 1 + 2 + 3 + 4 + 3 + 1 + 3);
    assert_memory_equal(p, "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xEF\xBF\xBDz\xEF\xBF\xBD", n);
    p = batch_get_bytes(b, 0, 1, &n);
    assert_int_equal(n, 0);
    p = batch_get_bytes(b, 0, 2, &n);
    assert_int_equal(n, 8);
    assert_memory_equal(p, "4468C48D", 8);
    batch_destroy(b);
    batch_schema_free(&s);
}

static void test_full_and_capacity(void **state)
{
    struct batch_schema s;
    struct batch *b;
    (void)state;
    assert_int_equal(batch_schema_init(&s, 2), 0);
    assert_int_equal(batch_schema_set(&s, 0, "d", BATCH_DOUBLE, false, 0, 0, false), 0);
    assert_int_equal(batch_schema_set(&s, 1, "s", BATCH_STRING, false, 0, 0, false), 0);
    b = batch_new(&s, 3, 10);
    assert_non_null(b);
    assert_false(batch_full(b));
    assert_int_equal(batch_append_double(b, 0, 2.5), 0);
    assert_int_equal(batch_append_str(b, 1, "0123456789ab", 12), 0);
    batch_end_row(b);
    assert_true(batch_full(b)); /* over the var-len budget */
    assert_true(batch_get_double(b, 0, 0) == 2.5);
    batch_reset(b);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(batch_append_double(b, 0, i), 0);
        assert_int_equal(batch_append_str(b, 1, "", 0), 0);
        batch_end_row(b);
    }
    assert_true(batch_full(b));
    assert_int_equal(batch_append_double(b, 0, 1), SL_ELIMIT);
    batch_destroy(b);
    batch_schema_free(&s);
}

static void test_types_and_widths(void **state)
{
    struct batch_schema s;
    struct batch *b;
    (void)state;
    assert_int_equal(batch_type_width(BATCH_INT16), 2);
    assert_int_equal(batch_type_width(BATCH_DECIMAL), 16);
    assert_int_equal(batch_type_width(BATCH_STRING), 0);
    assert_int_equal(batch_schema_init(&s, 4), 0);
    assert_int_equal(batch_schema_set(&s, 0, "dt", BATCH_DATE, false, 0, 0, false), 0);
    assert_int_equal(batch_schema_set(&s, 1, "ts", BATCH_TIMESTAMP, false, 0, 0, true), 0);
    assert_int_equal(batch_schema_set(&s, 2, "f", BATCH_FLOAT, false, 0, 0, false), 0);
    assert_int_equal(batch_schema_set(&s, 3, "i16", BATCH_INT16, false, 0, 0, false), 0);
    assert_int_equal(batch_schema_set(&s, 4, "bad", BATCH_INT16, false, 0, 0, false), SL_EINVAL);
    b = batch_new(&s, 1, 0);
    assert_non_null(b);
    assert_int_equal(batch_append_date(b, 0, -719162), 0);
    assert_int_equal(batch_append_timestamp(b, 1, -62135596800000000LL), 0);
    assert_int_equal(batch_append_double(b, 2, 1.5), 0);
    assert_int_equal(batch_append_int(b, 3, -32768), 0);
    batch_end_row(b);
    assert_int_equal(batch_get_int(b, 0, 0), -719162);
    assert_int_equal(batch_get_int(b, 1, 0), -62135596800000000LL);
    assert_true(batch_get_double(b, 2, 0) == 1.5);
    assert_int_equal(batch_get_int(b, 3, 0), -32768);
    batch_destroy(b);
    batch_schema_free(&s);
}

static void test_alloc_failure(void **state)
{
    (void)state;
    for (unsigned long nth = 1; nth < 40; nth++) {
        struct batch_schema s;
        struct batch *b = NULL;
        int rc;
        sl_mem_fail_after(nth);
        rc = batch_schema_init(&s, 2);
        if (rc == 0) {
            rc = batch_schema_set(&s, 0, "a", BATCH_STRING, true, 0, 0, false);
            if (rc == 0)
                rc = batch_schema_set(&s, 1, "b", BATCH_INT32, true, 0, 0, false);
            if (rc == 0) {
                b = batch_new(&s, 8, 0);
                if (b) {
                    rc = batch_append_str(b, 0, "bad\xff", 4);
                    assert_true(rc == 0 || rc == SL_ENOMEM);
                }
            }
            batch_destroy(b);
            batch_schema_free(&s);
        } else {
            assert_int_equal(rc, SL_ENOMEM);
        }
    }
    sl_mem_fail_after(0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_and_read),
        cmocka_unit_test(test_utf8_repair),
        cmocka_unit_test(test_utf16le_and_valid),
        cmocka_unit_test(test_full_and_capacity),
        cmocka_unit_test(test_types_and_widths),
        cmocka_unit_test(test_alloc_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
