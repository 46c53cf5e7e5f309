/* Unit tests for src/source/typemap: the declared type → batch field
 * mapping of spec/parquet-delta.md §7.2 for every SQL Server type, and the
 * exact parsers for the text forms ODBC drivers hand over. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/buf.h"
#include "core/civil.h"
#include "core/err.h"
#include "source/typemap.h"

struct case_ {
    const char *name;
    int max_length, precision, scale;
    enum typemap_kind kind;
    enum batch_type type;
    int p, s;
    bool utc;
    bool unbounded;
};

static const struct case_ cases[] = {
    {"bit", 1, 1, 0, TM_BIT, BATCH_BOOL, 0, 0, false, false},
    {"tinyint", 1, 3, 0, TM_TINYINT, BATCH_INT16, 0, 0, false, false},
    {"smallint", 2, 5, 0, TM_SMALLINT, BATCH_INT16, 0, 0, false, false},
    {"int", 4, 10, 0, TM_INT, BATCH_INT32, 0, 0, false, false},
    {"bigint", 8, 19, 0, TM_BIGINT, BATCH_INT64, 0, 0, false, false},
    {"decimal", 17, 38, 0, TM_DECIMAL, BATCH_DECIMAL, 38, 0, false, false},
    {"numeric", 9, 18, 6, TM_DECIMAL, BATCH_DECIMAL, 18, 6, false, false},
    {"money", 8, 19, 4, TM_DECIMAL, BATCH_DECIMAL, 19, 4, false, false},
    {"smallmoney", 4, 10, 4, TM_DECIMAL, BATCH_DECIMAL, 10, 4, false, false},
    {"real", 4, 24, 0, TM_REAL, BATCH_FLOAT, 0, 0, false, false},
    {"float", 8, 53, 0, TM_FLOAT, BATCH_DOUBLE, 0, 0, false, false},
    {"date", 3, 10, 0, TM_DATE, BATCH_DATE, 0, 0, false, false},
    {"datetime", 8, 23, 3, TM_DATETIME, BATCH_TIMESTAMP, 0, 0, true, false},
    {"smalldatetime", 4, 16, 0, TM_DATETIME, BATCH_TIMESTAMP, 0, 0, true, false},
    {"datetime2", 8, 27, 7, TM_DATETIME, BATCH_TIMESTAMP, 0, 0, true, false},
    {"datetimeoffset", 10, 34, 7, TM_DATETIMEOFFSET, BATCH_TIMESTAMP, 0, 0, true, false},
    {"time", 5, 16, 7, TM_TIME, BATCH_STRING, 0, 0, false, false},
    {"char", 10, 0, 0, TM_CHAR, BATCH_STRING, 0, 0, false, false},
    {"varchar", 50, 0, 0, TM_CHAR, BATCH_STRING, 0, 0, false, false},
    {"varchar", -1, 0, 0, TM_CHAR, BATCH_STRING, 0, 0, false, true},
    {"text", 16, 0, 0, TM_CHAR, BATCH_STRING, 0, 0, false, true},
    {"nchar", 20, 0, 0, TM_NCHAR, BATCH_STRING, 0, 0, false, false},
    {"nvarchar", 100, 0, 0, TM_NCHAR, BATCH_STRING, 0, 0, false, false},
    {"nvarchar", -1, 0, 0, TM_NCHAR, BATCH_STRING, 0, 0, false, true},
    {"ntext", 16, 0, 0, TM_NCHAR, BATCH_STRING, 0, 0, false, true},
    {"sysname", 256, 0, 0, TM_NCHAR, BATCH_STRING, 0, 0, false, false},
    {"xml", -1, 0, 0, TM_NCHAR, BATCH_STRING, 0, 0, false, true},
    {"uniqueidentifier", 16, 0, 0, TM_GUID, BATCH_STRING, 0, 0, false, false},
    {"binary", 16, 0, 0, TM_BINARY, BATCH_BINARY, 0, 0, false, false},
    {"varbinary", 100, 0, 0, TM_BINARY, BATCH_BINARY, 0, 0, false, false},
    {"varbinary", -1, 0, 0, TM_BINARY, BATCH_BINARY, 0, 0, false, true},
    {"image", 16, 0, 0, TM_BINARY, BATCH_BINARY, 0, 0, false, true},
    {"timestamp", 8, 0, 0, TM_ROWVERSION, BATCH_INT64, 0, 0, false, false},
    {"rowversion", 8, 0, 0, TM_ROWVERSION, BATCH_INT64, 0, 0, false, false},
    {"sql_variant", 8016, 0, 0, TM_TEXTFORM, BATCH_STRING, 0, 0, false, true},
    {"hierarchyid", 892, 0, 0, TM_TEXTFORM, BATCH_STRING, 0, 0, false, true},
    {"geography", -1, 0, 0, TM_BINARY, BATCH_BINARY, 0, 0, false, true},
    {"geometry", -1, 0, 0, TM_BINARY, BATCH_BINARY, 0, 0, false, true},
};

static void test_every_type(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct case_ *c = &cases[i];
        struct typemap_col tm;
        struct sl_err err;
        sl_err_clear(&err);
        assert_int_equal(typemap_from_decl(c->name, c->max_length, c->precision, c->scale, true,
                                           NULL, &tm, &err),
                         0);
        assert_int_equal(tm.kind, c->kind);
        assert_int_equal(tm.type, c->type);
        assert_true(tm.nullable);
        assert_int_equal(tm.unbounded, c->unbounded);
        if (c->type == BATCH_DECIMAL) {
            assert_int_equal(tm.precision, c->p);
            assert_int_equal(tm.scale, c->s);
        }
        if (c->type == BATCH_TIMESTAMP)
            assert_int_equal(tm.utc_adjusted, c->utc);
    }
}

static void test_case_insensitive_and_ntz(void **state)
{
    struct typemap_options ntz = {.timestamp_ntz = true};
    struct typemap_col tm;
    (void)state;
    assert_int_equal(typemap_from_decl("DateTime2", 8, 27, 7, false, &ntz, &tm, NULL), 0);
    assert_int_equal(tm.type, BATCH_TIMESTAMP);
    assert_false(tm.utc_adjusted);
    assert_false(tm.nullable);
    /* datetimeoffset is an instant: UTC even with the NTZ option. */
    assert_int_equal(typemap_from_decl("datetimeoffset", 10, 34, 7, true, &ntz, &tm, NULL), 0);
    assert_true(tm.utc_adjusted);
    assert_int_equal(typemap_from_decl("smalldatetime", 4, 16, 0, true, &ntz, &tm, NULL), 0);
    assert_false(tm.utc_adjusted);
}

static void test_unsupported(void **state)
{
    struct typemap_col tm;
    struct sl_err err;
    (void)state;
    sl_err_clear(&err);
    assert_int_equal(typemap_from_decl("cursor", 0, 0, 0, true, NULL, &tm, &err),
                     SL_EUNSUPPORTED);
    assert_string_equal(err.msg, "type \"cursor\" is not supported");
    assert_true(err.hint[0] != 0);
    sl_err_clear(&err);
    assert_int_equal(typemap_from_decl("decimal", 17, 39, 0, true, NULL, &tm, &err),
                     SL_EUNSUPPORTED);
}

static void test_bind_width(void **state)
{
    struct typemap_col tm;
    (void)state;
    assert_int_equal(typemap_from_decl("nvarchar", 200, 0, 0, true, NULL, &tm, NULL), 0);
    assert_int_equal(typemap_bind_width(&tm), 202); /* 100 UTF-16 units + terminator */
    assert_int_equal(typemap_from_decl("varchar", 100, 0, 0, true, NULL, &tm, NULL), 0);
    assert_int_equal(typemap_bind_width(&tm), 202); /* 100 bytes → at most 100 units */
    assert_int_equal(typemap_from_decl("binary", 16, 0, 0, true, NULL, &tm, NULL), 0);
    assert_int_equal(typemap_bind_width(&tm), 16);
    assert_int_equal(typemap_from_decl("nvarchar", -1, 0, 0, true, NULL, &tm, NULL), 0);
    assert_int_equal(typemap_bind_width(&tm), 0);
    assert_int_equal(typemap_from_decl("decimal", 17, 38, 10, true, NULL, &tm, NULL), 0);
    assert_true(typemap_bind_width(&tm) >= 41); /* sign, 38 digits, point, NUL */
}

static void test_select_expr(void **state)
{
    struct buf b;
    (void)state;
    buf_init(&b, 0);
    assert_int_equal(typemap_select_expr(&b, "int", "T.", "[a]]b]"), 0);
    assert_string_equal((char *)b.data, "T.[a]]b]");
    buf_reset(&b);
    assert_int_equal(typemap_select_expr(&b, "hierarchyid", "CT.", "[h]"), 0);
    assert_string_equal((char *)b.data, "CT.[h].ToString() AS [h]");
    buf_reset(&b);
    assert_int_equal(typemap_select_expr(&b, "geography", NULL, "[g]"), 0);
    assert_string_equal((char *)b.data, "[g].STAsBinary() AS [g]");
    buf_reset(&b);
    assert_int_equal(typemap_select_expr(&b, "sql_variant", "T.", "[v]"), 0);
    assert_string_equal((char *)b.data, "CONVERT(nvarchar(max), T.[v]) AS [v]");
    buf_free(&b);
}

#define P(s, p, sc, out) typemap_parse_decimal(s, strlen(s), p, sc, out)

static void test_parse_decimal(void **state)
{
    __int128 v;
    __int128 max38 = 0;
    (void)state;
    for (int i = 0; i < 38; i++)
        max38 = max38 * 10 + 9;
    assert_int_equal(P("99999999999999999999999999999999999999", 38, 0, &v), 0);
    assert_true(v == max38);
    assert_int_equal(P("-99999999999999999999999999999999999999", 38, 0, &v), 0);
    assert_true(v == -max38);
    assert_int_equal(P("100000000000000000000000000000000000000", 38, 0, &v), SL_ECONVERT);
    /* money as FreeTDS prints it (4 decimals), and its extremes */
    assert_int_equal(P("922337203685477.5807", 19, 4, &v), 0);
    assert_true(v == (__int128)INT64_MAX);
    assert_int_equal(P("-922337203685477.5808", 19, 4, &v), 0);
    assert_true(v == (__int128)INT64_MIN);
    assert_int_equal(P("-214748.3648", 10, 4, &v), 0);
    assert_true(v == -2147483648LL);
    /* rescaling: fewer digits are padded, extra zeros accepted, others refused */
    assert_int_equal(P("1.5", 10, 4, &v), 0);
    assert_true(v == 15000);
    assert_int_equal(P("1.50000", 10, 4, &v), 0);
    assert_true(v == 15000);
    assert_int_equal(P("1.50001", 10, 4, &v), SL_ECONVERT);
    assert_int_equal(P(".5", 5, 2, &v), 0);
    assert_true(v == 50);
    assert_int_equal(P("-0.01", 5, 2, &v), 0);
    assert_true(v == -1);
    assert_int_equal(P("0", 1, 0, &v), 0);
    assert_true(v == 0);
    assert_int_equal(P("000123.40", 5, 2, &v), 0);
    assert_true(v == 12340);
    assert_int_equal(P("1234.5", 5, 2, &v), SL_ECONVERT); /* 4 integer digits > p-s */
    assert_int_equal(P("", 5, 2, &v), SL_ECONVERT);
    assert_int_equal(P("-", 5, 2, &v), SL_ECONVERT);
    assert_int_equal(P("1e5", 9, 0, &v), SL_ECONVERT);
    assert_int_equal(P("1.2.3", 9, 2, &v), SL_ECONVERT);
}

static int64_t dt(const char *s, bool off)
{
    int64_t v = 0;
    assert_int_equal(typemap_parse_datetime(s, strlen(s), off, &v), 0);
    return v;
}

static void test_parse_datetime(void **state)
{
    int64_t v;
    (void)state;
    assert_int_equal(dt("1970-01-01 00:00:00", false), 0);
    assert_int_equal(dt("1970-01-01 00:00:00.0000001", false), 0); /* 100 ns floors to 0 */
    assert_int_equal(dt("1970-01-01 00:00:00.0000019", false), 1);
    assert_int_equal(dt("2024-02-29 12:34:56.1234567", false),
                     INT64_C(1709210096) * 1000000 + 123456);
    assert_int_equal(dt("2024-02-29T12:34:56.123", false), INT64_C(1709210096) * 1000000 + 123000);
    /* extremes of datetime2 */
    assert_int_equal(dt("0001-01-01 00:00:00.0000000", false), INT64_C(-62135596800) * 1000000);
    assert_int_equal(dt("9999-12-31 23:59:59.9999999", false),
                     INT64_C(253402300799) * 1000000 + 999999);
    /* FreeTDS prints years below 1000 unpadded (strftime %Y) */
    assert_int_equal(dt("1-01-01 00:00:00.0000000", false), INT64_C(-62135596800) * 1000000);
    assert_int_equal(dt("999-12-31 00:00:00", false), INT64_C(-30610310400) * 1000000);
    /* before the epoch, the fraction still floors (towards -inf) */
    assert_int_equal(dt("1969-12-31 23:59:59.9999999", false), -1);
    /* datetimeoffset: wall time minus offset is UTC */
    assert_int_equal(dt("2024-01-01 10:00:00.0000000 +05:30", true),
                     INT64_C(1704083400) * 1000000);
    assert_int_equal(dt("2023-12-31 23:00:00.0000000 -01:00", true),
                     INT64_C(1704067200) * 1000000);
    assert_int_equal(dt("0001-01-01 00:00:00 +14:00", true),
                     INT64_C(-62135596800) * 1000000 - INT64_C(14) * 3600 * 1000000);
    assert_int_equal(dt("9999-12-31 23:59:59.9999999 -14:00", true),
                     INT64_C(253402300799) * 1000000 + 999999 + INT64_C(14) * 3600 * 1000000);
    /* malformed */
    assert_int_equal(typemap_parse_datetime("2024-02-30 00:00:00", 19, false, &v), SL_ECONVERT);
    assert_int_equal(typemap_parse_datetime("2023-02-29 00:00:00", 19, false, &v), SL_ECONVERT);
    assert_int_equal(typemap_parse_datetime("2024-01-01 24:00:00", 19, false, &v), SL_ECONVERT);
    assert_int_equal(typemap_parse_datetime("2024-01-01", 10, false, &v), SL_ECONVERT);
    assert_int_equal(typemap_parse_datetime("2024-01-01 00:00:00", 19, true, &v), SL_ECONVERT);
    assert_int_equal(typemap_parse_datetime("2024-01-01 00:00:00 +15:00", 26, true, &v),
                     SL_ECONVERT);
    assert_int_equal(typemap_parse_datetime("2024-01-01 00:00:00.12345678", 28, false, &v),
                     SL_ECONVERT);
}

static void test_parse_date_time(void **state)
{
    int32_t d;
    char t[17];
    (void)state;
    assert_int_equal(typemap_parse_date("0001-01-01", 10, &d), 0);
    assert_int_equal(d, -719162);
    assert_int_equal(typemap_parse_date("9999-12-31", 10, &d), 0);
    assert_int_equal(d, 2932896);
    assert_int_equal(typemap_parse_date("1970-01-02", 10, &d), 0);
    assert_int_equal(d, 1);
    assert_int_equal(civil_days_from(2000, 3, 1), 11017);
    assert_int_equal(typemap_parse_time("23:59:59.9999999", 16, t), 0);
    assert_string_equal(t, "23:59:59.9999999");
    assert_int_equal(typemap_parse_time("00:00:00", 8, t), 0);
    assert_string_equal(t, "00:00:00.0000000");
    assert_int_equal(typemap_parse_time("12:30:05.5", 10, t), 0);
    assert_string_equal(t, "12:30:05.5000000");
    assert_int_equal(typemap_parse_time("24:00:00", 8, t), SL_ECONVERT);
    assert_int_equal(typemap_parse_time("1:00:00", 7, t), SL_ECONVERT);
}

static void test_parse_guid(void **state)
{
    char g[37];
    (void)state;
    assert_int_equal(typemap_parse_guid("6f9619ff-8b86-d011-b42d-00c04fc964ff", 36, g), 0);
    assert_string_equal(g, "6F9619FF-8B86-D011-B42D-00C04FC964FF");
    assert_int_equal(typemap_parse_guid("{6F9619FF-8B86-D011-B42D-00C04FC964FF}", 38, g), 0);
    assert_string_equal(g, "6F9619FF-8B86-D011-B42D-00C04FC964FF");
    assert_int_equal(typemap_parse_guid("6F9619FF8B86D011B42D00C04FC964FF", 32, g), SL_ECONVERT);
    assert_int_equal(typemap_parse_guid("6F9619FF-8B86-D011-B42D-00C04FC964FG", 36, g),
                     SL_ECONVERT);
    /* The same GUID as SQL Server stores it: CAST(g AS binary(16)) of
     * '6F9619FF-8B86-D011-B42D-00C04FC964FF' is 0xFF19966F868B11D0B42D00C04FC964FF. */
    static const uint8_t raw[16] = {0xFF, 0x19, 0x96, 0x6F, 0x86, 0x8B, 0x11, 0xD0,
                                    0xB4, 0x2D, 0x00, 0xC0, 0x4F, 0xC9, 0x64, 0xFF};
    typemap_format_guid(raw, g);
    assert_string_equal(g, "6F9619FF-8B86-D011-B42D-00C04FC964FF");
}

static void test_rowversion(void **state)
{
    const uint8_t a[8] = {0, 0, 0, 0, 0, 0, 0x07, 0xD1};
    const uint8_t b[8] = {0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    (void)state;
    assert_int_equal(typemap_rowversion(a), 2001);
    assert_int_equal(typemap_rowversion(b), INT64_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_type),     cmocka_unit_test(test_case_insensitive_and_ntz),
        cmocka_unit_test(test_unsupported),    cmocka_unit_test(test_bind_width),
        cmocka_unit_test(test_select_expr),    cmocka_unit_test(test_parse_decimal),
        cmocka_unit_test(test_parse_datetime), cmocka_unit_test(test_parse_date_time),
        cmocka_unit_test(test_parse_guid),     cmocka_unit_test(test_rowversion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
