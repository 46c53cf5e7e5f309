/* Unit tests for sink_json_row (src/sink/json.c): the exact text of every
 * batch type, edge values included, and that every output parses as JSON
 * (jansson, through core/json.h) to the same values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/json.h"
#include "sink/sink.h"

/* One single-column batch holding one value, rendered. */
struct one {
    struct batch_schema s;
    struct batch *b;
    struct buf out;
};

static void one_init(struct one *o, const char *name, enum batch_type t, uint8_t p, uint8_t sc,
                     bool utc)
{
    assert_int_equal(batch_schema_init(&o->s, 1), 0);
    assert_int_equal(batch_schema_set(&o->s, 0, name, t, true, p, sc, utc), 0);
    o->b = batch_new(&o->s, 1, 0);
    assert_non_null(o->b);
    buf_init(&o->out, 0);
}

static void one_free(struct one *o)
{
    batch_destroy(o->b);
    batch_schema_free(&o->s);
    buf_free(&o->out);
}

/* Render the one row and compare with {"v":want}; check it parses
 * (core/json refuses \u0000, which JSON allows: parse = false then). */
static void expect_text(struct one *o, const char *want_value, bool parse)
{
    char want[512];
    struct arena a;
    struct json_val *v;
    struct json_parse_error pe;

    batch_end_row(o->b);
    buf_reset(&o->out);
    assert_int_equal(sink_json_row(&o->out, o->b, 0, NULL, 0), 0);
    snprintf(want, sizeof want, "{\"%s\":%s}", o->s.fields[0].name, want_value);
    assert_string_equal((const char *)o->out.data, want);
    if (!parse) {
        batch_reset(o->b);
        return;
    }
    arena_init(&a, 0, 0);
    assert_int_equal(json_parse((const char *)o->out.data, o->out.len, 0, &a, &v, &pe), 0);
    assert_int_equal(v->kind, JV_OBJ);
    assert_int_equal(v->n, 1);
    arena_free(&a);
    batch_reset(o->b);
}

static void expect(struct one *o, const char *want_value)
{
    expect_text(o, want_value, true);
}

static void test_bool_ints_null(void **state)
{
    struct one o;
    (void)state;
    one_init(&o, "v", BATCH_BOOL, 0, 0, false);
    assert_int_equal(batch_append_bool(o.b, 0, true), 0);
    expect(&o, "true");
    assert_int_equal(batch_append_bool(o.b, 0, false), 0);
    expect(&o, "false");
    assert_int_equal(batch_append_null(o.b, 0), 0);
    expect(&o, "null");
    one_free(&o);

    one_init(&o, "v", BATCH_INT8, 0, 0, false);
    assert_int_equal(batch_append_int(o.b, 0, -128), 0);
    expect(&o, "-128");
    one_free(&o);
    one_init(&o, "v", BATCH_INT16, 0, 0, false);
    assert_int_equal(batch_append_int(o.b, 0, 32767), 0);
    expect(&o, "32767");
    one_free(&o);
    one_init(&o, "v", BATCH_INT32, 0, 0, false);
    assert_int_equal(batch_append_int(o.b, 0, INT32_MIN), 0);
    expect(&o, "-2147483648");
    one_free(&o);
    one_init(&o, "v", BATCH_INT64, 0, 0, false);
    assert_int_equal(batch_append_int(o.b, 0, INT64_MIN), 0);
    expect(&o, "-9223372036854775808");
    assert_int_equal(batch_append_int(o.b, 0, INT64_MAX), 0);
    expect(&o, "9223372036854775807");
    one_free(&o);
}

static void test_floats(void **state)
{
    static const struct {
        double v;
        const char *text;
    } dbl[] = {
        {0.1, "0.1"},
        {1.0 / 3.0, "0.3333333333333333"},
        {0.1 + 0.2, "0.30000000000000004"},
        {-0.0, "-0"},
        {0.0, "0"},
        {1e21, "1e+21"},
        {123456789012345678.0, "1.2345678901234568e+17"},
        {DBL_MAX, "1.7976931348623157e+308"},
        {-123456.75, "-123456.75"},
        {2.5e-308, "2.5e-308"},
    };
    static const struct {
        float v;
        const char *text;
    } flt[] = {
        {0.1f, "0.1"},
        {16777216.0f, "16777216"},
        {FLT_MAX, "3.4028235e+38"},
        {1.5f, "1.5"},
        {-0.0f, "-0"},
    };
    struct one o;
    (void)state;
    one_init(&o, "v", BATCH_DOUBLE, 0, 0, false);
    for (size_t i = 0; i < sizeof dbl / sizeof dbl[0]; i++) {
        assert_int_equal(batch_append_double(o.b, 0, dbl[i].v), 0);
        expect(&o, dbl[i].text);
    }
    assert_int_equal(batch_append_double(o.b, 0, NAN), 0);
    expect(&o, "\"NaN\"");
    assert_int_equal(batch_append_double(o.b, 0, INFINITY), 0);
    expect(&o, "\"Infinity\"");
    assert_int_equal(batch_append_double(o.b, 0, -INFINITY), 0);
    expect(&o, "\"-Infinity\"");
    one_free(&o);
    one_init(&o, "v", BATCH_FLOAT, 0, 0, false);
    for (size_t i = 0; i < sizeof flt / sizeof flt[0]; i++) {
        assert_int_equal(batch_append_double(o.b, 0, flt[i].v), 0);
        expect(&o, flt[i].text);
    }
    one_free(&o);
}

static __int128 nines(int n)
{
    __int128 v = 0;
    while (n-- > 0)
        v = v * 10 + 9;
    return v;
}

static void test_decimals(void **state)
{
    struct one o;
    (void)state;
    one_init(&o, "v", BATCH_DECIMAL, 10, 2, false);
    assert_int_equal(batch_append_decimal(o.b, 0, -7), 0);
    expect(&o, "\"-0.07\"");
    assert_int_equal(batch_append_decimal(o.b, 0, 0), 0);
    expect(&o, "\"0.00\"");
    assert_int_equal(batch_append_decimal(o.b, 0, 12345), 0);
    expect(&o, "\"123.45\"");
    assert_int_equal(batch_append_decimal(o.b, 0, -50), 0);
    expect(&o, "\"-0.50\"");
    one_free(&o);
    one_init(&o, "v", BATCH_DECIMAL, 38, 38, false);
    assert_int_equal(batch_append_decimal(o.b, 0, nines(38)), 0);
    expect(&o, "\"0.99999999999999999999999999999999999999\"");
    one_free(&o);
    one_init(&o, "v", BATCH_DECIMAL, 38, 0, false);
    assert_int_equal(batch_append_decimal(o.b, 0, -nines(38)), 0);
    expect(&o, "\"-99999999999999999999999999999999999999\"");
    assert_int_equal(batch_append_decimal(o.b, 0, 0), 0);
    expect(&o, "\"0\"");
    one_free(&o);
    one_init(&o, "v", BATCH_DECIMAL, 19, 4, false); /* money */
    assert_int_equal(batch_append_decimal(o.b, 0, -(__int128)INT64_MAX - 1), 0);
    expect(&o, "\"-922337203685477.5808\"");
    one_free(&o);
}

static void test_dates_timestamps(void **state)
{
    struct one o;
    (void)state;
    one_init(&o, "v", BATCH_DATE, 0, 0, false);
    assert_int_equal(batch_append_date(o.b, 0, -719162), 0);
    expect(&o, "\"0001-01-01\"");
    assert_int_equal(batch_append_date(o.b, 0, 2932896), 0);
    expect(&o, "\"9999-12-31\"");
    assert_int_equal(batch_append_date(o.b, 0, -1), 0);
    expect(&o, "\"1969-12-31\"");
    one_free(&o);
    one_init(&o, "v", BATCH_TIMESTAMP, 0, 0, true);
    assert_int_equal(batch_append_timestamp(o.b, 0, -1), 0);
    expect(&o, "\"1969-12-31T23:59:59.999999Z\"");
    assert_int_equal(batch_append_timestamp(o.b, 0, 253402300799999999LL), 0);
    expect(&o, "\"9999-12-31T23:59:59.999999Z\"");
    assert_int_equal(batch_append_timestamp(o.b, 0, -62135596800000000LL), 0);
    expect(&o, "\"0001-01-01T00:00:00.000000Z\"");
    one_free(&o);
    one_init(&o, "v", BATCH_TIMESTAMP, 0, 0, false);
    assert_int_equal(batch_append_timestamp(o.b, 0, 1700000000123456LL), 0);
    expect(&o, "\"2023-11-14T22:13:20.123456\"");
    one_free(&o);
}

static void test_strings_binary(void **state)
{
    struct one o;
    const char *s = "a\"b\\c\n\r\t\b\f\x01\x1f\x7f \xC3\xA9 \xF0\x9F\x98\x80 /";
    (void)state;
    one_init(&o, "v", BATCH_STRING, 0, 0, false);
    assert_int_equal(batch_append_str(o.b, 0, s, strlen(s)), 0);
    expect(&o, "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f\x7f \xC3\xA9 \xF0\x9F\x98\x80 /\"");
    assert_int_equal(batch_append_str(o.b, 0, "", 0), 0);
    expect(&o, "\"\"");
    /* a NUL inside a string is escaped, not a terminator */
    assert_int_equal(batch_append_str(o.b, 0, "x\0y", 3), 0);
    expect_text(&o, "\"x\\u0000y\"", false);
    /* invalid UTF-8 that bypassed the appender is repaired, never emitted */
    assert_int_equal(batch_append_str(o.b, 0, "ok", 2), 0);
    o.b->cols[0].data[1] = 0xFF;
    expect(&o, "\"o\xEF\xBF\xBD\"");
    one_free(&o);
    one_init(&o, "v", BATCH_JSON, 0, 0, false);
    assert_int_equal(batch_append_str(o.b, 0, "{\"k\":1}", 7), 0);
    expect(&o, "\"{\\\"k\\\":1}\"");
    one_free(&o);
    one_init(&o, "v", BATCH_BINARY, 0, 0, false);
    assert_int_equal(batch_append_bytes(o.b, 0, "", 0), 0);
    expect(&o, "\"\"");
    assert_int_equal(batch_append_bytes(o.b, 0, "\x00\xff", 2), 0);
    expect(&o, "\"AP8=\"");
    assert_int_equal(batch_append_bytes(o.b, 0, "abc", 3), 0);
    expect(&o, "\"YWJj\"");
    assert_int_equal(batch_append_bytes(o.b, 0, "abcd", 4), 0);
    expect(&o, "\"YWJjZA==\"");
    assert_int_equal(batch_append_bytes(o.b, 0, "\xfb\xff\xbf", 3), 0);
    expect(&o, "\"+/+/\"");
    one_free(&o);
}

static void test_names_and_column_subset(void **state)
{
    struct batch_schema s;
    struct batch *b;
    struct buf out;
    const size_t cols[] = {2, 0};
    (void)state;
    assert_int_equal(batch_schema_init(&s, 3), 0);
    assert_int_equal(batch_schema_set(&s, 0, "a\"b", BATCH_INT32, false, 0, 0, false), 0);
    assert_int_equal(batch_schema_set(&s, 1, "skip", BATCH_INT32, false, 0, 0, false), 0);
    assert_int_equal(batch_schema_set(&s, 2, "\xC3\xA9t\xC3\xA9", BATCH_STRING, true, 0, 0, false), 0);
    b = batch_new(&s, 2, 0);
    for (int r = 0; r < 2; r++) {
        assert_int_equal(batch_append_int(b, 0, r), 0);
        assert_int_equal(batch_append_int(b, 1, 9), 0);
        assert_int_equal(r ? batch_append_null(b, 2) : batch_append_str(b, 2, "x", 1), 0);
        batch_end_row(b);
    }
    buf_init(&out, 0);
    assert_int_equal(sink_json_row(&out, b, 1, cols, 2), 0);
    assert_string_equal((const char *)out.data, "{\"\xC3\xA9t\xC3\xA9\":null,\"a\\\"b\":1}");
    buf_reset(&out);
    assert_int_equal(sink_json_row(&out, b, 0, NULL, 0), 0);
    assert_string_equal((const char *)out.data, "{\"a\\\"b\":0,\"skip\":9,\"\xC3\xA9t\xC3\xA9\":\"x\"}");
    buf_reset(&out);
    assert_int_equal(sink_json_row(&out, b, 0, cols, 0), 0);
    assert_string_equal((const char *)out.data, "{}");
    /* the buffer's limit is reported, not overrun */
    buf_free(&out);
    buf_init(&out, 8);
    assert_int_equal(sink_json_row(&out, b, 0, NULL, 0), SL_ELIMIT);
    buf_free(&out);
    batch_destroy(b);
    batch_schema_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bool_ints_null),
        cmocka_unit_test(test_floats),
        cmocka_unit_test(test_decimals),
        cmocka_unit_test(test_dates_timestamps),
        cmocka_unit_test(test_strings_binary),
        cmocka_unit_test(test_names_and_column_subset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
