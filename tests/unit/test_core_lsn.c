/* Unit tests for src/core/lsn: ordering and the text forms of spec
 * ct-cdc.md §B8 (edge case 22: 10-byte big-endian order, "0x" literal
 * parsing, the 8:8:4 round trip). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/lsn.h"

static const struct lsn L2A = {{0x00, 0x00, 0x00, 0x2A, 0x00, 0x00, 0x01, 0xB8, 0x00, 0x03}};

static void test_hex(void **state)
{
    char s[LSN_HEX_LEN + 1];
    struct lsn l;
    (void)state;
    lsn_to_hex(&L2A, s);
    assert_string_equal(s, "0000002A000001B80003");
    assert_true(lsn_from_hex(&l, "0000002A000001B80003"));
    assert_memory_equal(l.b, L2A.b, LSN_BYTES);
    assert_true(lsn_from_hex(&l, "0x0000002a000001b80003"));
    assert_memory_equal(l.b, L2A.b, LSN_BYTES);
    assert_true(lsn_from_hex(&l, "0XFFFFFFFFFFFFFFFFFFFF"));
    for (size_t i = 0; i < LSN_BYTES; i++)
        assert_int_equal(l.b[i], 0xFF);
    /* Wrong length, a non-digit, empty, NULL: refused and zeroed. */
    assert_false(lsn_from_hex(&l, "0000002A000001B8000"));
    assert_true(lsn_is_zero(&l));
    assert_false(lsn_from_hex(&l, "0000002A000001B800030"));
    assert_false(lsn_from_hex(&l, "0000002A000001B8000G"));
    assert_false(lsn_from_hex(&l, "0x"));
    assert_false(lsn_from_hex(&l, ""));
    assert_false(lsn_from_hex(&l, NULL));
    assert_false(lsn_from_hex(&l, "0000002a:000001b8:0003"));
}

static void test_debezium(void **state)
{
    char s[LSN_DEBEZIUM_LEN + 1];
    struct lsn l;
    (void)state;
    lsn_to_debezium(&L2A, s);
    assert_string_equal(s, "0000002a:000001b8:0003");
    assert_true(lsn_from_debezium(&l, s));
    assert_memory_equal(l.b, L2A.b, LSN_BYTES);
    assert_true(lsn_from_debezium(&l, "0000002A:000001B8:0003"));
    assert_memory_equal(l.b, L2A.b, LSN_BYTES);
    assert_false(lsn_from_debezium(&l, "0000002a000001b80003"));
    assert_false(lsn_from_debezium(&l, "0000002a:000001b8:003"));
    assert_false(lsn_from_debezium(&l, "0000002a-000001b8-0003"));
    assert_false(lsn_from_debezium(&l, "0000002a:000001b8:00x3"));
    assert_true(lsn_is_zero(&l));
    assert_false(lsn_from_debezium(&l, NULL));
}

static void test_order(void **state)
{
    struct lsn a, b;
    (void)state;
    /* Unsigned byte order: 0x80 in a low byte sorts after 0x7F. */
    assert_true(lsn_from_hex(&a, "0000002A000001B8007F"));
    assert_true(lsn_from_hex(&b, "0000002A000001B80080"));
    assert_true(lsn_cmp(&a, &b) < 0);
    assert_true(lsn_cmp(&b, &a) > 0);
    assert_int_equal(lsn_cmp(&a, &a), 0);
    /* The VLF outweighs everything after it. */
    assert_true(lsn_from_hex(&a, "00000001FFFFFFFFFFFF"));
    assert_true(lsn_from_hex(&b, "00000002000000000000"));
    assert_true(lsn_cmp(&a, &b) < 0);
    assert_true(lsn_from_hex(&a, "FF000000000000000000"));
    assert_true(lsn_cmp(&a, &b) > 0);
    assert_false(lsn_is_zero(&a));
    assert_true(lsn_from_hex(&a, "00000000000000000000"));
    assert_true(lsn_is_zero(&a));
}

static void test_bytes(void **state)
{
    struct lsn l;
    (void)state;
    assert_true(lsn_from_bytes(&l, L2A.b, 10));
    assert_memory_equal(l.b, L2A.b, LSN_BYTES);
    assert_false(lsn_from_bytes(&l, L2A.b, 9));
    assert_true(lsn_is_zero(&l));
    assert_false(lsn_from_bytes(&l, L2A.b, 11));
    assert_false(lsn_from_bytes(&l, NULL, 10));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_debezium),
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
