/* Unit tests for src/core: err, mem, buf, arena, utf8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>

#include <errno.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/civil.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/utf8.h"

static void test_err_table(void **state)
{
    (void)state;
    assert_string_equal(sl_err_name(SL_ENOMEM), "SL_ENOMEM");
    assert_string_equal(sl_strerror(SL_ENOSPC), "no space left on device");
    assert_string_equal(sl_err_name(-999), "SL_E?");
    assert_int_equal(sl_err_from_errno(ENOSPC), SL_ENOSPC);
    assert_int_equal(sl_err_from_errno(ECONNREFUSED), SL_ECONNECT);
}

static void test_err_first_cause_wins(void **state)
{
    struct sl_err e;
    char out[256];
    (void)state;
    sl_err_clear(&e);
    assert_int_equal(sl_err_set(&e, SL_ENOTFOUND, "table \"%s\" not found", "dbo.orders"),
                     SL_ENOTFOUND);
    sl_err_set(&e, SL_EIO, "later failure");
    sl_err_hint(&e, "check the name");
    assert_int_equal(e.code, SL_ENOTFOUND);
    sl_err_format(&e, out, sizeof out);
    assert_string_equal(out, "error: table \"dbo.orders\" not found\nhint: check the name");
    sl_err_clear(&e);
    sl_err_errno(&e, SL_EIO, ENOSPC, "cannot write \"%s\"", "x");
    assert_int_equal(e.source_code, ENOSPC);
    assert_string_equal(e.detail, "No space left on device");
}

static void test_buf_limit_and_take(void **state)
{
    struct buf b;
    size_t len;
    uint8_t *p;
    (void)state;
    buf_init(&b, 10);
    assert_int_equal(buf_append_str(&b, "hello"), 0);
    assert_int_equal(buf_appendf(&b, "%d", 1234), 0);
    assert_int_equal(b.len, 9);
    assert_string_equal((char *)b.data, "hello1234");
    assert_int_equal(buf_append_str(&b, "ab"), SL_ELIMIT);
    assert_int_equal(b.len, 9); /* unchanged after a refused append */
    assert_int_equal(buf_append_byte(&b, 'z'), 0);
    p = buf_take(&b, &len);
    assert_int_equal(len, 10);
    assert_memory_equal(p, "hello1234z", 10);
    assert_null(b.data);
    sl_free(p);
    buf_init(&b, 0);
    buf_append_u32le(&b, 0x01020304);
    buf_append_u16le(&b, 0xA1B2);
    assert_memory_equal(b.data, "\x04\x03\x02\x01\xB2\xA1", 6);
    buf_free(&b);
}

static void test_buf_alloc_failure_leaves_state(void **state)
{
    struct buf b;
    (void)state;
    buf_init(&b, 0);
    sl_mem_fail_after(1);
    assert_int_equal(buf_append_str(&b, "x"), SL_ENOMEM);
    assert_int_equal(b.len, 0);
    assert_int_equal(buf_append_str(&b, "x"), 0);
    sl_mem_fail_after(0);
    buf_free(&b);
}

static void test_arena(void **state)
{
    struct arena a;
    char *s, *big;
    (void)state;
    arena_init(&a, 128, 4096);
    s = arena_strdup(&a, "orders");
    assert_string_equal(s, "orders");
    assert_true(((uintptr_t)arena_alloc(&a, 3) & 15) == 0);
    big = arena_alloc(&a, 1000);
    assert_non_null(big);
    memset(big, 1, 1000);
    assert_string_equal(arena_printf(&a, "%s.%s", "dbo", "t"), "dbo.t");
    assert_null(arena_alloc(&a, 8000)); /* over the limit */
    arena_reset(&a);
    assert_int_equal(arena_used(&a), 0);
    assert_non_null(arena_alloc(&a, 64));
    arena_free(&a);
}

static void test_utf8(void **state)
{
    struct buf b, c;
    const uint8_t good[] = "a\xC3\xA9\xF0\x9F\x98\x80"; /* a é 😀 */
    const uint8_t bad[] = "x\xC3(\xED\xA0\x80y\xF4\x90";
    (void)state;
    assert_true(utf8_valid(good, sizeof good - 1));
    assert_false(utf8_valid(bad, sizeof bad - 1));
    assert_false(utf8_valid((const uint8_t *)"\xC0\xAF", 2)); /* overlong */
    assert_int_equal(utf8_utf16_units(good, sizeof good - 1), 4);

    buf_init(&b, 0);
    assert_int_equal(utf8_repair(&b, bad, sizeof bad - 1), 0);
    /* x, FFFD for C3, '(', FFFD×3 for ED A0 80 (maximal subparts), y, FFFD F4, FFFD 90 */
    assert_string_equal((char *)b.data, "x\xEF\xBF\xBD(\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDy"
                                        "\xEF\xBF\xBD\xEF\xBF\xBD");
    assert_true(utf8_valid(b.data, b.len));
    buf_reset(&b);

    assert_int_equal(utf8_to_utf16le(&b, good, sizeof good - 1), 0);
    assert_int_equal(b.len, 8);
    assert_memory_equal(b.data, "a\0\xE9\0\x3D\xD8\x00\xDE", 8);
    buf_init(&c, 0);
    assert_int_equal(utf16le_to_utf8(&c, b.data, b.len), 0);
    assert_memory_equal(c.data, good, sizeof good - 1);
    buf_reset(&c);
    assert_int_equal(utf16le_to_utf8(&c, (const uint8_t *)"\x00\xD8" "a\0", 4), 0); /* lone surrogate */
    assert_string_equal((char *)c.data, "\xEF\xBF\xBD" "a");
    buf_free(&b);
    buf_free(&c);
}

/* The reference: valid when utf8_decode accepts every code point. */
static bool ref_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n)
        if (utf8_decode(s, n, &i) < 0)
            return false;
    return true;
}

/* utf8_valid (inlined rules, word-at-a-time ASCII) agrees with utf8_decode
 * on every sequence of up to 3 bytes, on 4-byte sequences over all lead and
 * second bytes, and inside and across 8-byte ASCII words. */
static void test_utf8_valid_exhaustive(void **state)
{
    uint8_t s[16];
    (void)state;
    for (uint32_t v = 0; v < (1u << 24); v++) {
        s[0] = (uint8_t)(v >> 16);
        s[1] = (uint8_t)(v >> 8);
        s[2] = (uint8_t)v;
        for (size_t n = 1; n <= 3; n++) {
            if (n < 3 && (v & ((1u << (8 * (3 - n))) - 1)) != 0)
                continue; /* shorter lengths: count each prefix once */
            if (utf8_valid(s, n) != ref_valid(s, n))
                fail_msg("utf8_valid disagrees on %zu bytes %02x %02x %02x", n, s[0], s[1], s[2]);
        }
    }
    for (uint32_t v = 0; v < (1u << 16); v++) {
        static const uint8_t tails[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0xBF, 0xC0, 0xFF};
        s[0] = (uint8_t)(v >> 8);
        s[1] = (uint8_t)v;
        for (size_t a = 0; a < sizeof tails; a++)
            for (size_t b = 0; b < sizeof tails; b++) {
                s[2] = tails[a];
                s[3] = tails[b];
                if (utf8_valid(s, 4) != ref_valid(s, 4))
                    fail_msg("utf8_valid disagrees on %02x %02x %02x %02x", s[0], s[1], s[2], s[3]);
            }
    }
    for (size_t pos = 0; pos < sizeof s; pos++) {
        memset(s, 'a', sizeof s);
        s[pos] = 0xC3; /* a lead byte cut off, or followed by 'a' */
        assert_false(utf8_valid(s, sizeof s));
        if (pos + 1 < sizeof s) {
            s[pos + 1] = 0xA9;
            assert_true(utf8_valid(s, sizeof s));
        }
    }
}

static void test_civil(void **state)
{
    int64_t y;
    unsigned m, d;
    (void)state;
    assert_int_equal(civil_days_from(1970, 1, 1), 0);
    assert_int_equal(civil_days_from(2000, 3, 1), 11017);
    assert_int_equal(civil_days_from(1, 1, 1), -CIVIL_DAYS_0001_TO_1970);
    assert_int_equal(civil_days_from(9999, 12, 31), 2932896);
    assert_int_equal(civil_days_from(1969, 12, 31), -1);
    for (int64_t days = -CIVIL_DAYS_0001_TO_1970; days <= 2932896; days += 997) {
        civil_from_days(days, &y, &m, &d);
        assert_int_equal(civil_days_from(y, m, d), days);
    }
    civil_from_days(-1, &y, &m, &d);
    assert_int_equal(y * 10000 + m * 100 + d, 19691231);
    civil_from_days(2932896, &y, &m, &d);
    assert_int_equal(y * 10000 + m * 100 + d, 99991231);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_err_table),
        cmocka_unit_test(test_err_first_cause_wins),
        cmocka_unit_test(test_buf_limit_and_take),
        cmocka_unit_test(test_buf_alloc_failure_leaves_state),
        cmocka_unit_test(test_arena),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_utf8_valid_exhaustive),
        cmocka_unit_test(test_civil),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
