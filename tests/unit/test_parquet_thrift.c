/* Unit tests for src/format/parquet/thrift.c: the exact bytes of spec
 * §2.6 and a write/read round trip including skips and corrupt input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "thrift.h"

static void test_schema_element_bytes(void **state)
{
    static const uint8_t want[] = {0x15, 0x0C, 0x25, 0x02, 0x18, 0x04, 'n', 'a', 'm', 'e',
                                   0x25, 0x00, 0x4C, 0x1C, 0x00, 0x00, 0x00};
    struct buf b;
    struct thrift_w tw;
    (void)state;
    buf_init(&b, 0);
    thrift_w_init(&tw, &b);
    thrift_w_i32(&tw, 1, 6);
    thrift_w_i32(&tw, 3, 1);
    thrift_w_string(&tw, 4, "name");
    thrift_w_i32(&tw, 6, 0);
    thrift_w_struct(&tw, 10);
    thrift_w_empty(&tw, 1);
    thrift_w_end(&tw);
    thrift_w_end(&tw);
    assert_int_equal(tw.err, 0);
    assert_int_equal(b.len, sizeof want);
    assert_memory_equal(b.data, want, sizeof want);
    buf_free(&b);
}

static void test_timestamp_element_bytes(void **state)
{
    static const uint8_t want[] = {0x15, 0x04, 0x25, 0x02, 0x18, 0x02, 't',  's',  0x25, 0x14,
                                   0x4C, 0x8C, 0x11, 0x1C, 0x2C, 0x00, 0x00, 0x00, 0x00, 0x00};
    struct buf b;
    struct thrift_w tw;
    (void)state;
    buf_init(&b, 0);
    thrift_w_init(&tw, &b);
    thrift_w_i32(&tw, 1, 2);
    thrift_w_i32(&tw, 3, 1);
    thrift_w_string(&tw, 4, "ts");
    thrift_w_i32(&tw, 6, 10);
    thrift_w_struct(&tw, 10);
    thrift_w_struct(&tw, 8);
    thrift_w_bool(&tw, 1, true);
    thrift_w_struct(&tw, 2);
    thrift_w_empty(&tw, 2);
    thrift_w_end(&tw);
    thrift_w_end(&tw);
    thrift_w_end(&tw);
    thrift_w_end(&tw);
    assert_int_equal(b.len, sizeof want);
    assert_memory_equal(b.data, want, sizeof want);
    buf_free(&b);
}

static void test_page_header_and_chunk_bytes(void **state)
{
    static const uint8_t page[] = {0x15, 0x00, 0x15, 0x28, 0x15, 0x28, 0x2C, 0x15, 0x0A,
                                   0x15, 0x00, 0x15, 0x06, 0x15, 0x06, 0x00, 0x00};
    static const uint8_t dict[] = {0x15, 0x04, 0x15, 0x22, 0x15, 0x46, 0x4C,
                                   0x15, 0x04, 0x15, 0x00, 0x00, 0x00};
    static const uint8_t chunk_head[] = {0x26, 0x00, 0x1C, 0x15, 0x0C, 0x19, 0x35, 0x00, 0x06,
                                         0x10, 0x19, 0x18, 0x04, 'c',  'i',  't',  'y',  0x15,
                                         0x04, 0x16, 0x0A, 0x16, 0x84, 0x01, 0x16, 0xC8, 0x01,
                                         0x26, 0x88, 0x05, 0x26, 0xA8, 0x04, 0x1C, 0x36, 0x02,
                                         0x28, 0x05, 'P',  'a',  'r',  'i',  's',  0x18, 0x04,
                                         'O',  's',  'l',  'o',  0x00, 0x00, 0x00};
    struct buf b;
    struct thrift_w tw;
    (void)state;
    buf_init(&b, 0);
    thrift_w_init(&tw, &b);
    thrift_w_i32(&tw, 1, 0);
    thrift_w_i32(&tw, 2, 20);
    thrift_w_i32(&tw, 3, 20);
    thrift_w_struct(&tw, 5);
    thrift_w_i32(&tw, 1, 5);
    thrift_w_i32(&tw, 2, 0);
    thrift_w_i32(&tw, 3, 3);
    thrift_w_i32(&tw, 4, 3);
    thrift_w_end(&tw);
    thrift_w_end(&tw);
    assert_int_equal(b.len, sizeof page);
    assert_memory_equal(b.data, page, sizeof page);

    buf_reset(&b);
    thrift_w_init(&tw, &b);
    thrift_w_i32(&tw, 1, 2);
    thrift_w_i32(&tw, 2, 17);
    thrift_w_i32(&tw, 3, 35);
    thrift_w_struct(&tw, 7);
    thrift_w_i32(&tw, 1, 2);
    thrift_w_i32(&tw, 2, 0);
    thrift_w_end(&tw);
    thrift_w_end(&tw);
    assert_int_equal(b.len, sizeof dict);
    assert_memory_equal(b.data, dict, sizeof dict);

    buf_reset(&b);
    thrift_w_init(&tw, &b);
    thrift_w_i64(&tw, 2, 0);
    thrift_w_struct(&tw, 3);
    thrift_w_i32(&tw, 1, 6);
    thrift_w_list(&tw, 2, THRIFT_I32, 3);
    thrift_w_elem_i32(&tw, 0);
    thrift_w_elem_i32(&tw, 3);
    thrift_w_elem_i32(&tw, 8);
    thrift_w_list(&tw, 3, THRIFT_BINARY, 1);
    thrift_w_elem_binary(&tw, "city", 4);
    thrift_w_i32(&tw, 4, 2);
    thrift_w_i64(&tw, 5, 5);
    thrift_w_i64(&tw, 6, 66);
    thrift_w_i64(&tw, 7, 100);
    thrift_w_i64(&tw, 9, 324);
    thrift_w_i64(&tw, 11, 276);
    thrift_w_struct(&tw, 12);
    thrift_w_i64(&tw, 3, 1);
    thrift_w_binary(&tw, 5, "Paris", 5);
    thrift_w_binary(&tw, 6, "Oslo", 4);
    thrift_w_end(&tw);
    thrift_w_end(&tw);
    thrift_w_end(&tw);
    assert_int_equal(b.len, sizeof chunk_head);
    assert_memory_equal(b.data, chunk_head, sizeof chunk_head);
    buf_free(&b);
}

static void test_column_orders_and_long_forms(void **state)
{
    struct buf b;
    struct thrift_w tw;
    struct thrift_r tr;
    int16_t last = 0, id;
    uint8_t t, et;
    size_t n;
    (void)state;
    buf_init(&b, 0);
    thrift_w_init(&tw, &b);
    thrift_w_list(&tw, 7, THRIFT_STRUCT, 6);
    for (int i = 0; i < 6; i++) {
        thrift_w_elem_struct(&tw);
        thrift_w_empty(&tw, 1);
        thrift_w_end(&tw);
    }
    assert_int_equal(b.data[0], 0x79);
    assert_int_equal(b.data[1], 0x6C);
    assert_memory_equal(b.data + 2, "\x1C\x00\x00", 3);
    /* Long field header (delta > 15), long list (>= 15), negative i64, i8. */
    thrift_w_i64(&tw, 40, -1234567890123LL);
    thrift_w_list(&tw, 41, THRIFT_I32, 20);
    for (int i = 0; i < 20; i++)
        thrift_w_elem_i32(&tw, -i);
    thrift_w_i8(&tw, 42, -3);
    thrift_w_bool(&tw, 43, false);
    thrift_w_end(&tw);
    assert_int_equal(tw.err, 0);

    thrift_r_init(&tr, b.data, b.len);
    assert_true(thrift_r_field(&tr, &last, &id, &t));
    assert_int_equal(id, 7);
    thrift_r_skip(&tr, t);
    assert_true(thrift_r_field(&tr, &last, &id, &t));
    assert_int_equal(id, 40);
    assert_int_equal(thrift_r_i64(&tr), -1234567890123LL);
    assert_true(thrift_r_field(&tr, &last, &id, &t));
    assert_int_equal(id, 41);
    thrift_r_list(&tr, &et, &n);
    assert_int_equal(et, THRIFT_I32);
    assert_int_equal(n, 20);
    for (int i = 0; i < 20; i++)
        assert_int_equal(thrift_r_i32(&tr), -i);
    assert_true(thrift_r_field(&tr, &last, &id, &t));
    assert_int_equal(id, 42);
    assert_int_equal(thrift_r_i8(&tr), -3);
    assert_true(thrift_r_field(&tr, &last, &id, &t));
    assert_int_equal(id, 43);
    assert_int_equal(t, THRIFT_FALSE);
    assert_false(thrift_r_field(&tr, &last, &id, &t));
    assert_int_equal(tr.err, 0);
    assert_true(tr.p == tr.end);

    /* Truncations at every length fail cleanly. */
    for (size_t cut = 0; cut + 1 < b.len; cut++) {
        thrift_r_init(&tr, b.data, cut);
        thrift_r_skip(&tr, THRIFT_STRUCT);
        assert_int_equal(tr.err, SL_ECORRUPT);
    }
    buf_free(&b);
}

static void test_depth_limit(void **state)
{
    uint8_t deep[200];
    struct thrift_r tr;
    uint8_t huge_list[] = {0xF9, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F};
    uint8_t et;
    size_t n;
    (void)state;
    /* 100 nested struct fields: field 1, type struct. */
    memset(deep, 0x1C, 100);
    memset(deep + 100, 0, 100);
    thrift_r_init(&tr, deep, sizeof deep);
    thrift_r_skip(&tr, THRIFT_STRUCT);
    assert_int_equal(tr.err, SL_ECORRUPT);
    /* A list claiming 4 billion elements in 6 bytes is refused before looping. */
    thrift_r_init(&tr, huge_list, sizeof huge_list);
    thrift_r_list(&tr, &et, &n);
    assert_int_equal(tr.err, SL_ECORRUPT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_element_bytes),
        cmocka_unit_test(test_timestamp_element_bytes),
        cmocka_unit_test(test_page_header_and_chunk_bytes),
        cmocka_unit_test(test_column_orders_and_long_forms),
        cmocka_unit_test(test_depth_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
