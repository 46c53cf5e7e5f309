/* Unit tests for emulator/tds/types.c: wire encodings byte for byte against
 * the examples of spec/tds.md §6, and decoding back to canonical values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "types.h"
#include "wire.h"

static struct tl_value text(const char *s)
{
    struct tl_value v = {.kind = TL_V_TEXT, .p = (const uint8_t *)s, .n = strlen(s)};
    return v;
}

/* Encode v as type t (7.4 session) and compare with the expected bytes. */
static void check_encode(struct tl_type t, struct tl_value v, const uint8_t *want, size_t n)
{
    struct tds_wtype w;
    struct buf b;
    struct arena a;
    struct types_err e;
    buf_init(&b, 0);
    arena_init(&a, 0, 0);
    assert_int_equal(types_wire_of(&t, TDS_V74, &w), 0);
    assert_int_equal(types_put_value(&b, &w, &v, &a, &e), 0);
    assert_int_equal(b.len, n);
    assert_memory_equal(b.data, want, n);
    buf_free(&b);
    arena_free(&a);
}

/* Decode bytes (value only) of the wire type for t and compare the text. */
static void check_decode(struct tl_type t, const uint8_t *bytes, size_t n, const char *want)
{
    struct tds_wtype w;
    struct tds_rd r;
    struct arena a;
    struct tl_value v;
    arena_init(&a, 0, 0);
    assert_int_equal(types_wire_of(&t, TDS_V74, &w), 0);
    w.t = t;
    wire_rd_init(&r, bytes, n);
    assert_int_equal(types_read_value(&r, &w, true, &a, &v), 0);
    assert_int_equal(v.kind, TL_V_TEXT);
    assert_int_equal(v.n, strlen(want));
    assert_memory_equal(v.p, want, v.n);
    assert_int_equal(r.pos, n);
    arena_free(&a);
}

static void test_decimal(void **state)
{
    struct tl_type t = {.id = TL_T_DECIMAL, .precision = 10, .scale = 2};
    static const uint8_t ti[] = {0x6A, 0x09, 0x0A, 0x02};
    static const uint8_t val[] = {0x09, 0x00, 0x39, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    static const uint8_t pos[] = {0x05, 0x01, 0x39, 0x30, 0x00, 0x00};
    struct tds_wtype w;
    struct buf b;
    (void)state;
    buf_init(&b, 0);
    assert_int_equal(types_wire_of(&t, TDS_V74, &w), 0);
    assert_int_equal(types_put_typeinfo(&b, &w), 0);
    assert_memory_equal(b.data, ti, sizeof(ti));
    buf_free(&b);
    check_encode(t, text("-123.45"), val, sizeof(val));
    check_decode(t, val, sizeof(val), "-123.45");
    /* decimal(5,2) uses length 5; sign 1 is positive. */
    check_encode((struct tl_type){.id = TL_T_DECIMAL, .precision = 5, .scale = 2}, text("123.45"),
                 pos, sizeof(pos));
    /* Other lengths on input (FreeTDS's compact sizes): p=10 in 6 bytes. */
    {
        static const uint8_t compact[] = {0x06, 0x00, 0x39, 0x30, 0x00, 0x00, 0x00};
        check_decode(t, compact, sizeof(compact), "-123.45");
    }
}

static void test_money(void **state)
{
    static const uint8_t one[] = {0x08, 0x00, 0x00, 0x00, 0x00, 0x39, 0x30, 0x00, 0x00};
    static const uint8_t neg[] = {0x08, 0xE0, 0xFE, 0xFF, 0xFF, 0x00, 0xE7, 0x10, 0x92};
    static const uint8_t small[] = {0x04, 0x39, 0x30, 0x00, 0x00};
    struct tl_type m = {.id = TL_T_MONEY};
    (void)state;
    check_encode(m, text("1.2345"), one, sizeof(one));
    check_encode(m, text("-123450000.0000"), neg, sizeof(neg));
    check_decode(m, neg, sizeof(neg), "-123450000.0000");
    check_decode(m, one, sizeof(one), "1.2345");
    check_encode((struct tl_type){.id = TL_T_SMALLMONEY}, text("1.2345"), small, sizeof(small));
}

static void test_datetime(void **state)
{
    static const uint8_t y2k[] = {0x08, 0xAC, 0x8E, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    static const uint8_t noon[] = {0x08, 0xAC, 0x8E, 0x00, 0x00, 0x65, 0x59, 0xCF, 0x00};
    struct tl_type t = {.id = TL_T_DATETIME};
    (void)state;
    check_encode(t, text("2000-01-01 00:00:00.000"), y2k, sizeof(y2k));
    check_encode(t, text("2000-01-01 12:34:56.123"), noon, sizeof(noon));
    check_decode(t, noon, sizeof(noon), "2000-01-01 12:34:56.123");
}

static void test_date_time_types(void **state)
{
    static const uint8_t date[] = {0x03, 0x07, 0x24, 0x0B};
    static const uint8_t time7[] = {0x05, 0x87, 0xEE, 0x97, 0x76, 0x69};
    static const uint8_t dt2[] = {0x08, 0x87, 0xEE, 0x97, 0x76, 0x69, 0x07, 0x24, 0x0B};
    static const uint8_t dto[] = {0x0A, 0x00, 0x40, 0x23, 0x0E, 0x43,
                                  0xEE, 0x47, 0x0B, 0x78, 0x00};
    struct tl_type td = {.id = TL_T_DATE};
    struct tl_type tt = {.id = TL_T_TIME, .scale = 7};
    struct tl_type t2 = {.id = TL_T_DATETIME2, .scale = 7};
    struct tl_type to = {.id = TL_T_DATETIMEOFFSET, .scale = 7};
    (void)state;
    check_encode(td, text("2000-01-01"), date, sizeof(date));
    check_decode(td, date, sizeof(date), "2000-01-01");
    check_encode(tt, text("12:34:56.1234567"), time7, sizeof(time7));
    check_decode(tt, time7, sizeof(time7), "12:34:56.1234567");
    check_encode(t2, text("2000-01-01 12:34:56.1234567"), dt2, sizeof(dt2));
    check_decode(t2, dt2, sizeof(dt2), "2000-01-01 12:34:56.1234567");
    /* datetimeoffset carries UTC on the wire: 10:00 +02:00 is 08:00 UTC. */
    check_encode(to, text("2025-03-01 10:00:00.0000000 +02:00"), dto, sizeof(dto));
    check_decode(to, dto, sizeof(dto), "2025-03-01 10:00:00.0000000 +02:00");
    /* time(0) is 3 bytes, time(3) 4. */
    {
        static const uint8_t t0[] = {0x03, 0xF0, 0xB0, 0x00}; /* 12:34:56 = 45296 s */
        static const uint8_t t3[] = {0x04, 0xFB, 0x29, 0xB3, 0x02}; /* 45296123 ms */
        check_encode((struct tl_type){.id = TL_T_TIME, .scale = 0}, text("12:34:56"), t0, sizeof(t0));
        check_encode((struct tl_type){.id = TL_T_TIME, .scale = 3}, text("12:34:56.123"), t3, sizeof(t3));
    }
}

static void test_guid(void **state)
{
    static const uint8_t g[] = {0x10, 0xFF, 0x19, 0x96, 0x6F, 0x86, 0x8B, 0x11, 0xD0,
                                0xB4, 0x2D, 0x00, 0xC0, 0x4F, 0xC9, 0x64, 0xFF};
    struct tl_type t = {.id = TL_T_UNIQUEIDENTIFIER};
    (void)state;
    check_encode(t, text("6F9619FF-8B86-D011-B42D-00C04FC964FF"), g, sizeof(g));
    check_decode(t, g, sizeof(g), "6F9619FF-8B86-D011-B42D-00C04FC964FF");
}

static void test_int_and_null(void **state)
{
    static const uint8_t i4[] = {0x04, 0x2A, 0x00, 0x00, 0x00};
    static const uint8_t nul[] = {0x00};
    static const uint8_t snul[] = {0xFF, 0xFF};
    struct tl_value v42 = {.kind = TL_V_INT, .i = 42}, vnull = {.kind = TL_V_NULL};
    (void)state;
    check_encode((struct tl_type){.id = TL_T_INT}, v42, i4, sizeof(i4));
    check_encode((struct tl_type){.id = TL_T_INT}, vnull, nul, sizeof(nul));
    check_encode((struct tl_type){.id = TL_T_NVARCHAR, .length = 10}, vnull, snul, sizeof(snul));
}

/*
 * A NOT NULL int/bit/float/money/datetime column is sent with the fixed code
 * (spec/tds.md §6.1, what SQL Server sends): TYPE_INFO is the code alone,
 * the value has no length byte, and it decodes back through the same path
 * the server uses for fixed codes from clients.
 */
static void test_fixed_types_not_null(void **state)
{
    static const struct {
        struct tl_type t;
        uint8_t code;
        struct tl_value v;
        const char *canon; /* decoded text, NULL for INT/REAL */
        uint8_t bytes[8];
        size_t n;
    } cases[] = {
        {{.id = TL_T_TINYINT}, 0x30, {.kind = TL_V_INT, .i = 255}, NULL, {0xFF}, 1},
        {{.id = TL_T_BIT}, 0x32, {.kind = TL_V_INT, .i = 1}, NULL, {0x01}, 1},
        {{.id = TL_T_SMALLINT}, 0x34, {.kind = TL_V_INT, .i = -2}, NULL, {0xFE, 0xFF}, 2},
        {{.id = TL_T_INT}, 0x38, {.kind = TL_V_INT, .i = 42}, NULL, {0x2A, 0, 0, 0}, 4},
        {{.id = TL_T_BIGINT}, 0x7F, {.kind = TL_V_INT, .i = -1}, NULL,
         {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, 8},
        {{.id = TL_T_REAL, .precision = 24}, 0x3B, {.kind = TL_V_REAL, .r = 1.5}, NULL,
         {0x00, 0x00, 0xC0, 0x3F}, 4},
        {{.id = TL_T_FLOAT, .precision = 53}, 0x3E, {.kind = TL_V_REAL, .r = 2.5}, NULL,
         {0, 0, 0, 0, 0, 0, 0x04, 0x40}, 8},
        {{.id = TL_T_SMALLMONEY}, 0x7A, {.kind = TL_V_TEXT, .p = (const uint8_t *)"1.2345", .n = 6},
         "1.2345", {0x39, 0x30, 0x00, 0x00}, 4},
        {{.id = TL_T_MONEY}, 0x3C, {.kind = TL_V_TEXT, .p = (const uint8_t *)"1.2345", .n = 6},
         "1.2345", {0x00, 0x00, 0x00, 0x00, 0x39, 0x30, 0x00, 0x00}, 8},
        {{.id = TL_T_SMALLDATETIME}, 0x3A,
         {.kind = TL_V_TEXT, .p = (const uint8_t *)"1900-01-02 00:01:00", .n = 19},
         "1900-01-02 00:01:00", {0x01, 0x00, 0x01, 0x00}, 4},
        {{.id = TL_T_DATETIME}, 0x3D,
         {.kind = TL_V_TEXT, .p = (const uint8_t *)"2000-01-01 00:00:00.000", .n = 23},
         "2000-01-01 00:00:00.000", {0xAC, 0x8E, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, 8},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tds_wtype w;
        struct buf b;
        struct arena a;
        struct types_err e;
        struct tds_rd r;
        struct tl_value back;
        buf_init(&b, 0);
        arena_init(&a, 0, 0);
        assert_int_equal(types_wire_of(&cases[i].t, TDS_V74, &w), 0);
        types_wire_set_not_null(&w);
        assert_int_equal(w.code, cases[i].code);
        assert_true(w.not_null);
        assert_true(types_is_fixed(w.code));
        assert_int_equal(types_put_typeinfo(&b, &w), 0);
        assert_int_equal(b.len, 1);
        assert_int_equal(b.data[0], cases[i].code);
        buf_reset(&b);
        assert_int_equal(types_put_value(&b, &w, &cases[i].v, &a, &e), 0);
        assert_int_equal(b.len, cases[i].n);
        assert_memory_equal(b.data, cases[i].bytes, cases[i].n);
        wire_rd_init(&r, b.data, b.len);
        assert_int_equal(types_read_value(&r, &w, false, &a, &back), 0);
        assert_int_equal(r.pos, cases[i].n);
        if (cases[i].canon) {
            assert_int_equal(back.kind, TL_V_TEXT);
            assert_int_equal(back.n, strlen(cases[i].canon));
            assert_memory_equal(back.p, cases[i].canon, back.n);
        } else if (cases[i].v.kind == TL_V_REAL) {
            assert_true(back.kind == TL_V_REAL && back.r == cases[i].v.r);
        } else {
            assert_true(back.kind == TL_V_INT && back.i == cases[i].v.i);
        }
        buf_free(&b);
        arena_free(&a);
    }
}

/* Types without a fixed form keep their code and TYPE_INFO when NOT NULL. */
static void test_not_null_keeps_other_codes(void **state)
{
    static const struct tl_type types[] = {
        {.id = TL_T_DECIMAL, .precision = 10, .scale = 2}, {.id = TL_T_NUMERIC, .precision = 5},
        {.id = TL_T_DATE}, {.id = TL_T_TIME, .scale = 7}, {.id = TL_T_DATETIME2, .scale = 3},
        {.id = TL_T_DATETIMEOFFSET, .scale = 7}, {.id = TL_T_UNIQUEIDENTIFIER},
        {.id = TL_T_VARCHAR, .length = 20}, {.id = TL_T_NVARCHAR, .length = TL_MAX},
        {.id = TL_T_CHAR, .length = 3}, {.id = TL_T_BINARY, .length = 4},
        {.id = TL_T_VARBINARY, .length = 10}, {.id = TL_T_ROWVERSION}, {.id = TL_T_XML},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        struct tds_wtype n, nn;
        struct buf b1, b2;
        buf_init(&b1, 0);
        buf_init(&b2, 0);
        assert_int_equal(types_wire_of(&types[i], TDS_V74, &n), 0);
        nn = n;
        types_wire_set_not_null(&nn);
        assert_int_equal(nn.code, n.code);
        assert_false(types_is_fixed(nn.code));
        assert_true(nn.not_null);
        assert_int_equal(types_put_typeinfo(&b1, &n), 0);
        assert_int_equal(types_put_typeinfo(&b2, &nn), 0);
        assert_int_equal(b1.len, b2.len);
        assert_memory_equal(b1.data, b2.data, b1.len);
        buf_free(&b1);
        buf_free(&b2);
    }
}

/* A NULL for a NOT NULL column is refused (SL_ESTATE, Msg 50000) and leaves
 * the buffer as it was: a fixed type has no NULL form to write. */
static void test_not_null_refuses_null(void **state)
{
    static const struct tl_type types[] = {
        {.id = TL_T_INT}, {.id = TL_T_BIT}, {.id = TL_T_MONEY}, {.id = TL_T_DATETIME},
        {.id = TL_T_NVARCHAR, .length = 10}, {.id = TL_T_DECIMAL, .precision = 10, .scale = 2},
    };
    struct tl_value vnull = {.kind = TL_V_NULL};
    (void)state;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        struct tds_wtype w;
        struct buf b;
        struct arena a;
        struct types_err e;
        buf_init(&b, 0);
        arena_init(&a, 0, 0);
        buf_append(&b, "xy", 2);
        assert_int_equal(types_wire_of(&types[i], TDS_V74, &w), 0);
        types_wire_set_not_null(&w);
        memset(&e, 0, sizeof(e));
        assert_int_equal(types_put_value(&b, &w, &vnull, &a, &e), SL_ESTATE);
        assert_int_equal(e.number, 50000);
        assert_string_equal(e.text, "tdslite internal error: NULL in NOT NULL column");
        assert_int_equal(b.len, 2);
        buf_free(&b);
        arena_free(&a);
    }
}

static void test_overflow_leaves_buffer(void **state)
{
    struct tl_type t = {.id = TL_T_TINYINT};
    struct tl_value v = {.kind = TL_V_INT, .i = 300};
    struct tds_wtype w;
    struct buf b;
    struct arena a;
    struct types_err e;
    (void)state;
    buf_init(&b, 0);
    arena_init(&a, 0, 0);
    buf_append(&b, "x", 1);
    assert_int_equal(types_wire_of(&t, TDS_V74, &w), 0);
    assert_int_equal(types_put_value(&b, &w, &v, &a, &e), SL_ECONVERT);
    assert_int_equal(e.number, 8115);
    assert_int_equal(b.len, 1);
    buf_free(&b);
    arena_free(&a);
}

static void test_strings(void **state)
{
    /* varchar transcodes UTF-8 to CP1252; unmappable becomes '?'. */
    static const uint8_t vc[] = {0x04, 0x00, 'c', 'a', 'f', 0xE9, 0x00};
    static const uint8_t euro[] = {0x04, 0x00, 0x80, '?', '?', '?'};
    static const uint8_t nv[] = {0x04, 0x00, 'h', 0x00, 'i', 0x00};
    static const uint8_t ch[] = {0x04, 0x00, 'a', 'b', ' ', ' '};
    (void)state;
    check_encode((struct tl_type){.id = TL_T_VARCHAR, .length = 10}, text("caf\xC3\xA9"), vc, 6);
    check_encode((struct tl_type){.id = TL_T_VARCHAR, .length = 10}, text("\xE2\x82\xAC\xE4\xB8\xAD\xF0\x9F\x98\x80"),
                 euro, sizeof(euro));
    check_encode((struct tl_type){.id = TL_T_NVARCHAR, .length = 10}, text("hi"), nv, sizeof(nv));
    check_encode((struct tl_type){.id = TL_T_CHAR, .length = 4}, text("ab"), ch, sizeof(ch));
}

static void test_plp(void **state)
{
    static const uint8_t empty[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    static const uint8_t nul[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    static const uint8_t ab[] = {0x04, 0, 0, 0, 0, 0, 0, 0, 0x04, 0, 0, 0, 'a', 0, 'b', 0, 0, 0, 0, 0};
    /* UNKNOWN_LEN with two chunks, as tedious and FreeTDS bcp send. */
    static const uint8_t unk[] = {0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                  0x02, 0, 0, 0, 'a', 0,
                                  0x04, 0, 0, 0, 'b', 0, 'c', 0,
                                  0, 0, 0, 0};
    struct tl_type t = {.id = TL_T_NVARCHAR, .length = TL_MAX};
    struct tl_value ve = text(""), vnull = {.kind = TL_V_NULL};
    struct tds_wtype w;
    struct tds_rd r;
    struct arena a;
    struct tl_value v;
    (void)state;
    check_encode(t, ve, empty, sizeof(empty));
    check_encode(t, vnull, nul, sizeof(nul));
    check_encode(t, text("ab"), ab, sizeof(ab));
    check_decode(t, unk, sizeof(unk), "abc");
    check_decode(t, ab, sizeof(ab), "ab");
    check_decode(t, empty, sizeof(empty), "");
    arena_init(&a, 0, 0);
    assert_int_equal(types_wire_of(&t, TDS_V74, &w), 0);
    wire_rd_init(&r, nul, sizeof(nul));
    assert_int_equal(types_read_value(&r, &w, true, &a, &v), 0);
    assert_int_equal(v.kind, TL_V_NULL);
    /* A truncated PLP is an error, not a crash. */
    wire_rd_init(&r, unk, 16);
    assert_int_not_equal(types_read_value(&r, &w, true, &a, &v), 0);
    arena_free(&a);
}

static void test_typeinfo_forms(void **state)
{
    /* varchar(max) and rowversion TYPE_INFO as the server sends them. */
    static const uint8_t vmax[] = {0xA7, 0xFF, 0xFF, 0x09, 0x04, 0xD0, 0x00, 0x34};
    static const uint8_t rv[] = {0xAD, 0x08, 0x00};
    struct tds_wtype w;
    struct buf b;
    (void)state;
    buf_init(&b, 0);
    assert_int_equal(types_wire_of(&(struct tl_type){.id = TL_T_VARCHAR, .length = TL_MAX}, TDS_V74, &w), 0);
    assert_true(w.plp);
    types_put_typeinfo(&b, &w);
    assert_memory_equal(b.data, vmax, sizeof(vmax));
    buf_reset(&b);
    assert_int_equal(types_wire_of(&(struct tl_type){.id = TL_T_ROWVERSION}, TDS_V74, &w), 0);
    assert_int_equal(w.usertype, 0x50);
    types_put_typeinfo(&b, &w);
    assert_memory_equal(b.data, rv, sizeof(rv));
    /* Down-level: date as nvarchar for 7.2, varchar(max) as TEXT for 7.1. */
    assert_int_equal(types_wire_of(&(struct tl_type){.id = TL_T_DATE}, TDS_V72, &w), 0);
    assert_int_equal(w.code, TDS_NVARCHAR);
    assert_int_equal(types_wire_of(&(struct tl_type){.id = TL_T_VARCHAR, .length = TL_MAX}, TDS_V71, &w), 0);
    assert_int_equal(w.code, TDS_TEXT);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimal),
        cmocka_unit_test(test_money),
        cmocka_unit_test(test_datetime),
        cmocka_unit_test(test_date_time_types),
        cmocka_unit_test(test_guid),
        cmocka_unit_test(test_int_and_null),
        cmocka_unit_test(test_fixed_types_not_null),
        cmocka_unit_test(test_not_null_keeps_other_codes),
        cmocka_unit_test(test_not_null_refuses_null),
        cmocka_unit_test(test_overflow_leaves_buffer),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_plp),
        cmocka_unit_test(test_typeinfo_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
