/* Unit tests for src/format/parquet/rle.c: known vectors of the RLE /
 * bit-packing hybrid and encode/decode round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "rle.h"

static void test_known_vectors(void **state)
{
    uint32_t v[8] = {0, 1, 2, 3, 4, 5, 6, 7}, out[8];
    uint8_t lv[10] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    struct buf b;
    struct rle_dec d;
    (void)state;
    buf_init(&b, 0);
    /* Values 0..7 at width 3 bit-pack to 88 C6 FA (spec §4.3), header 0x03. */
    assert_int_equal(rle_encode_u32(&b, v, 8, 3), 0);
    assert_int_equal(b.len, 4);
    assert_memory_equal(b.data, "\x03\x88\xC6\xFA", 4);
    rle_dec_init(&d, b.data, b.len, 3);
    assert_int_equal(rle_dec_u32(&d, out, 8), 0);
    assert_memory_equal(out, v, sizeof v);
    /* Ten 1s at width 1: one RLE run, header 10<<1 = 0x14, value 0x01. */
    buf_reset(&b);
    assert_int_equal(rle_encode_u8(&b, lv, 10, 1), 0);
    assert_int_equal(b.len, 2);
    assert_memory_equal(b.data, "\x14\x01", 2);
    /* Five values: one padded bit-packed group: 1 0 1 1 0 -> 0b01101 */
    buf_reset(&b);
    {
        uint8_t five[5] = {1, 0, 1, 1, 0};
        assert_int_equal(rle_encode_u8(&b, five, 5, 1), 0);
        assert_memory_equal(b.data, "\x03\x0D", 2);
    }
    assert_int_equal(rle_bit_width(0), 0);
    assert_int_equal(rle_bit_width(1), 1);
    assert_int_equal(rle_bit_width(255), 8);
    assert_int_equal(rle_bit_width(256), 9);
    buf_free(&b);
}

static void test_round_trip_mixed(void **state)
{
    enum { N = 5000 };
    static uint32_t v[N], out[N];
    struct buf b;
    struct rle_dec d;
    (void)state;
    for (int bw = 1; bw <= 32; bw += 3) {
        uint64_t mask = bw == 32 ? 0xFFFFFFFFu : ((1u << bw) - 1);
        uint32_t x = 12345;
        for (int i = 0; i < N; i++) {
            x = x * 1103515245u + 12345u;
            /* Runs of repeated values mixed with noise, lengths 1..40. */
            v[i] = (i / 37) % 3 == 0 ? (uint32_t)((i / 37) & mask) : (uint32_t)(x & mask);
        }
        buf_init(&b, 0);
        assert_int_equal(rle_encode_u32(&b, v, N, bw), 0);
        rle_dec_init(&d, b.data, b.len, bw);
        memset(out, 0, sizeof out);
        assert_int_equal(rle_dec_u32(&d, out, N), 0);
        assert_memory_equal(out, v, sizeof v);
        /* Truncated input is an error, not a crash. */
        rle_dec_init(&d, b.data, b.len / 2, bw);
        assert_int_equal(rle_dec_u32(&d, out, N), SL_ECORRUPT);
        buf_free(&b);
    }
}

static void test_corrupt_runs(void **state)
{
    uint32_t out[16];
    struct rle_dec d;
    (void)state;
    /* RLE run whose value exceeds the bit width. */
    rle_dec_init(&d, (const uint8_t *)"\x10\x05", 2, 1);
    assert_int_equal(rle_dec_u32(&d, out, 8), SL_ECORRUPT);
    /* Zero-length RLE run. */
    rle_dec_init(&d, (const uint8_t *)"\x00\x01", 2, 1);
    assert_int_equal(rle_dec_u32(&d, out, 1), SL_ECORRUPT);
    /* Empty input. */
    rle_dec_init(&d, (const uint8_t *)"", 0, 4);
    assert_int_equal(rle_dec_u32(&d, out, 1), SL_ECORRUPT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_vectors),
        cmocka_unit_test(test_round_trip_mixed),
        cmocka_unit_test(test_corrupt_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
