/* Unit tests for emulator/value conversion and comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "value/value.h"

static struct arena A;
static char result[600];

static struct tl_type T(const char *name)
{
    struct tl_type t;
    struct value_error e;
    int rc = value_parse_type(name, strlen(name), &t, &e);
    assert_int_equal(rc, 0);
    return t;
}

static const char *show(int rc, const struct tl_value *out, const struct value_error *e)
{
    if (rc != 0) {
        snprintf(result, sizeof result, "E%d: %s", e->number, e->text);
        return result;
    }
    switch (out->kind) {
    case TL_V_NULL: return "NULL";
    case TL_V_INT: snprintf(result, sizeof result, "%lld", (long long)out->i); break;
    case TL_V_REAL: snprintf(result, sizeof result, "%.17g", out->r); break;
    case TL_V_TEXT: snprintf(result, sizeof result, "%.*s", (int)out->n, (const char *)out->p); break;
    case TL_V_BLOB: {
        size_t o = (size_t)snprintf(result, sizeof result, "0x");
        for (size_t k = 0; k < out->n && o + 3 < sizeof result; k++)
            o += (size_t)snprintf(result + o, sizeof result - o, "%02X", out->p[k]);
        break;
    }
    }
    return result;
}

/* Convert text of type `from` to `to`. */
static const char *cs(const char *v, const char *from, const char *to, int style, bool expl)
{
    struct tl_value in = {TL_V_TEXT, 0, 0, (const uint8_t *)v, strlen(v)}, out;
    struct tl_type f = T(from), t = T(to);
    struct value_error e = {0};
    int rc = value_convert(&in, &f, &t, style, expl, "dbo.t", "c", &A, &out, &e);
    return show(rc, &out, &e);
}

static const char *ci(int64_t v, const char *from, const char *to, int style)
{
    struct tl_value in = {TL_V_INT, v, 0, NULL, 0}, out;
    struct tl_type f = T(from), t = T(to);
    struct value_error e = {0};
    int rc = value_convert(&in, &f, &t, style, true, NULL, NULL, &A, &out, &e);
    return show(rc, &out, &e);
}

static const char *cf(double v, const char *to, int style)
{
    struct tl_value in = {TL_V_REAL, 0, v, NULL, 0}, out;
    struct tl_type f = T("float"), t = T(to);
    struct value_error e = {0};
    int rc = value_convert(&in, &f, &t, style, true, NULL, NULL, &A, &out, &e);
    return show(rc, &out, &e);
}

static const char *cb(const uint8_t *p, size_t n, const char *to, int style)
{
    struct tl_value in = {TL_V_BLOB, 0, 0, p, n}, out;
    struct tl_type f = T("varbinary(max)"), t = T(to);
    struct value_error e = {0};
    int rc = value_convert(&in, &f, &t, style, true, NULL, NULL, &A, &out, &e);
    return show(rc, &out, &e);
}

static void test_string_to_int(void **state)
{
    (void)state;
    assert_string_equal(cs("42", "varchar(10)", "int", -1, true), "42");
    assert_string_equal(cs("  -17 ", "varchar(10)", "int", -1, true), "-17");
    assert_string_equal(cs("", "varchar(10)", "int", -1, true), "0");
    assert_string_equal(cs("abc", "varchar(10)", "int", -1, true),
                        "E245: Conversion failed when converting the varchar value 'abc' to data "
                        "type int.");
    assert_string_equal(cs("1.5", "nvarchar(10)", "int", -1, true),
                        "E245: Conversion failed when converting the nvarchar value '1.5' to data "
                        "type int.");
    assert_string_equal(cs("99999999999", "varchar(20)", "int", -1, true),
                        "E248: The conversion of the varchar value '99999999999' overflowed an "
                        "int column.");
    assert_string_equal(cs("300", "varchar(20)", "tinyint", -1, true),
                        "E244: The conversion of the varchar value '300' overflowed an INT1 "
                        "column. Use a larger integer column.");
    assert_string_equal(cs("9223372036854775807", "varchar(20)", "bigint", -1, true),
                        "9223372036854775807");
    assert_string_equal(cs("-9223372036854775808", "varchar(30)", "bigint", -1, true),
                        "-9223372036854775808");
    assert_string_equal(cs("9223372036854775808", "varchar(30)", "bigint", -1, true),
                        "E8114: Error converting data type varchar to bigint.");
    assert_string_equal(cs("TRUE", "varchar(10)", "bit", -1, true), "1");
    assert_string_equal(cs("false", "varchar(10)", "bit", -1, true), "0");
    assert_string_equal(cs("7", "varchar(10)", "bit", -1, true), "1");
    assert_string_equal(cs("yes", "varchar(10)", "bit", -1, true),
                        "E245: Conversion failed when converting the varchar value 'yes' to data "
                        "type bit.");
}

static void test_numeric_conversions(void **state)
{
    (void)state;
    assert_string_equal(ci(300, "int", "tinyint", -1),
                        "E220: Arithmetic overflow error for data type tinyint, value = 300.");
    assert_string_equal(ci(3000000000LL, "bigint", "int", -1),
                        "E8115: Arithmetic overflow error converting expression to data type int.");
    assert_string_equal(ci(5, "int", "bit", -1), "1");
    assert_string_equal(ci(12345, "int", "decimal(5,2)", -1),
                        "E8115: Arithmetic overflow error converting int to data type numeric.");
    assert_string_equal(ci(123, "int", "decimal(5,2)", -1), "123.00");
    assert_string_equal(cs("1.235", "varchar(10)", "decimal(5,2)", -1, true), "1.24");
    assert_string_equal(cs("-1.235", "varchar(10)", "decimal(5,2)", -1, true), "-1.24");
    assert_string_equal(cs("abc", "varchar(10)", "decimal(5,2)", -1, true),
                        "E8114: Error converting data type varchar to numeric.");
    assert_string_equal(cs("1e5", "varchar(10)", "decimal(9,2)", -1, true),
                        "E8114: Error converting data type varchar to numeric.");
    assert_string_equal(cs("12345.678", "decimal(8,3)", "decimal(5,2)", -1, true),
                        "E8115: Arithmetic overflow error converting numeric to data type numeric.");
    assert_string_equal(cs("123.456", "decimal(6,3)", "decimal(5,2)", -1, true), "123.46");
    assert_string_equal(cs("1.9", "decimal(2,1)", "int", -1, true), "1");
    assert_string_equal(cs("-1.9", "decimal(2,1)", "int", -1, true), "-1");
    assert_string_equal(cs("1.5000", "money", "int", -1, true), "2"); /* money rounds */
    assert_string_equal(cs("$1,234.56", "varchar(20)", "money", -1, true), "1234.5600");
    assert_string_equal(cs("922337203685477.5807", "varchar(30)", "money", -1, true),
                        "922337203685477.5807");
    assert_string_equal(cs("922337203685477.5808", "varchar(30)", "money", -1, true),
                        "E8115: Arithmetic overflow error converting expression to data type money.");
    assert_string_equal(cs("214748.3648", "varchar(30)", "smallmoney", -1, true),
                        "E8115: Arithmetic overflow error converting expression to data type "
                        "smallmoney.");
    assert_string_equal(cs("-214748.3648", "varchar(30)", "smallmoney", -1, true),
                        "-214748.3648");
    assert_string_equal(cf(0.285, "decimal(10,2)", -1), "0.29");
    assert_string_equal(cf(1e40, "decimal(38,0)", -1),
                        "E8115: Arithmetic overflow error converting float to data type numeric.");
    assert_string_equal(cf(3.99, "int", -1), "3");
    assert_string_equal(cf(-3.99, "int", -1), "-3");
    assert_string_equal(cf(3e9, "int", -1),
                        "E8115: Arithmetic overflow error converting float to data type int.");
    assert_string_equal(cs("1.5e3", "varchar(10)", "float", -1, true), "1500");
    assert_string_equal(cs("x", "varchar(10)", "float", -1, true),
                        "E8114: Error converting data type varchar to float.");
    assert_string_equal(cs("12.50", "decimal(4,2)", "float", -1, true), "12.5");
}

static void test_to_string(void **state)
{
    (void)state;
    assert_string_equal(cs("abcdef", "varchar(10)", "varchar(3)", -1, true), "abc");
    assert_string_equal(cs("abcdef", "varchar(10)", "varchar(3)", -1, false),
                        "E2628: String or binary data would be truncated in table 'dbo.t', "
                        "column 'c'. Truncated value: 'abc'.");
    assert_string_equal(cs("ab", "varchar(10)", "char(5)", -1, true), "ab   ");
    assert_string_equal(cs("ab", "varchar(10)", "nchar(4)", -1, true), "ab  ");
    assert_string_equal(cs("h\xF0\x9F\x98\x80x", "nvarchar(10)", "nvarchar(2)", -1, true), "h");
    assert_string_equal(cs("h\xF0\x9F\x98\x80x", "nvarchar(10)", "nvarchar(3)", -1, true),
                        "h\xF0\x9F\x98\x80");
    assert_string_equal(cs("caf\xC3\xA9 \xE2\x82\xAC \xE4\xB8\xAD", "nvarchar(10)", "varchar(10)",
                           -1, true),
                        "caf\xC3\xA9 \xE2\x82\xAC ?");
    /* a surrogate pair is two UTF-16 units: "??", then cut like any text */
    assert_string_equal(cs("h\xF0\x9F\x98\x80x", "nvarchar(10)", "varchar(10)", -1, true), "h??x");
    assert_string_equal(cs("h\xF0\x9F\x98\x80x", "nvarchar(10)", "varchar(2)", -1, true), "h?");
    assert_string_equal(ci(12345, "int", "varchar(3)", -1), "*");
    assert_string_equal(ci(12345, "int", "nvarchar(3)", -1),
                        "E8115: Arithmetic overflow error converting expression to data type "
                        "nvarchar.");
    assert_string_equal(ci(-42, "int", "varchar(10)", -1), "-42");
    assert_string_equal(cs("-123.4500", "decimal(9,4)", "varchar(20)", -1, true), "-123.4500");
    assert_string_equal(cs("123.4500", "decimal(9,4)", "varchar(3)", -1, true),
                        "E8115: Arithmetic overflow error converting numeric to data type varchar.");
    assert_string_equal(cs("1234567.8912", "money", "varchar(30)", -1, true), "1234567.89");
    assert_string_equal(cs("1234567.8912", "money", "varchar(30)", 1, true), "1,234,567.89");
    assert_string_equal(cs("1234567.8912", "money", "varchar(30)", 2, true), "1234567.8912");
    assert_string_equal(cf(1234567.0, "varchar(30)", 0), "1.23457e+006");
    assert_string_equal(cf(123456.0, "varchar(30)", 0), "123456");
    assert_string_equal(cf(0.1, "varchar(30)", 0), "0.1");
    assert_string_equal(cf(0.1, "varchar(30)", 3), "0.10000000000000001");
    assert_string_equal(cf(1.5, "varchar(30)", 1), "1.5000000e+000");
}

static void test_dates(void **state)
{
    (void)state;
    assert_string_equal(cs("2020-01-01 12:34:56.123", "varchar(30)", "datetime", -1, true),
                        "2020-01-01 12:34:56.123");
    assert_string_equal(cs("2020-01-01 12:34:56.1234", "varchar(30)", "datetime", -1, true),
                        "E241: Conversion failed when converting date and/or time from character "
                        "string.");
    assert_string_equal(cs("2020-02-30", "varchar(30)", "datetime", -1, true),
                        "E242: The conversion of a varchar data type to a datetime data type "
                        "resulted in an out-of-range value.");
    assert_string_equal(cs("2020-02-30", "varchar(30)", "date", -1, true),
                        "E241: Conversion failed when converting date and/or time from character "
                        "string.");
    assert_string_equal(cs("1600-01-01", "varchar(30)", "datetime", -1, true),
                        "E242: The conversion of a varchar data type to a datetime data type "
                        "resulted in an out-of-range value.");
    assert_string_equal(cs("not a date", "varchar(30)", "datetime2", -1, true),
                        "E241: Conversion failed when converting date and/or time from character "
                        "string.");
    assert_string_equal(cs("", "varchar(30)", "datetime", -1, true), "1900-01-01 00:00:00.000");
    assert_string_equal(cs("31/12/2020", "varchar(30)", "date", 103, true), "2020-12-31");
    assert_string_equal(cs("12/31/2020", "varchar(30)", "date", 101, true), "2020-12-31");
    assert_string_equal(cs("20201231", "varchar(30)", "date", 112, true), "2020-12-31");
    assert_string_equal(cs("2020-01-01 12:34:56.123", "datetime", "datetime2(7)", -1, true),
                        "2020-01-01 12:34:56.1233333");
    assert_string_equal(cs("2020-01-01 12:34:56.1234567", "datetime2(7)", "datetime", -1, true),
                        "2020-01-01 12:34:56.123");
    assert_string_equal(cs("2020-01-01 12:34:56.1234567", "datetime2(7)", "time(3)", -1, true),
                        "12:34:56.123");
    assert_string_equal(cs("12:34:56.1234567", "time(7)", "datetime2(2)", -1, true),
                        "1900-01-01 12:34:56.12");
    assert_string_equal(cs("2020-01-01", "date", "time", -1, true),
                        "E529: Explicit conversion from data type date to time is not allowed.");
    assert_string_equal(cs("2025-03-01 10:00:00.0000000 +02:00", "datetimeoffset(7)",
                           "datetime2(0)", -1, true),
                        "2025-03-01 10:00:00");
    assert_string_equal(cs("2025-03-01 10:00:00", "datetime2(0)", "datetimeoffset(3)", -1, true),
                        "2025-03-01 10:00:00.000 +00:00");
    assert_string_equal(cs("2025-03-01T10:00:00+02:00", "varchar(40)", "datetimeoffset", -1,
                           true),
                        "2025-03-01 10:00:00.0000000 +02:00");
    assert_string_equal(ci(1, "int", "datetime", -1), "1900-01-02 00:00:00.000");
    assert_string_equal(ci(1, "int", "date", -1),
                        "E529: Explicit conversion from data type int to date is not allowed.");
    assert_string_equal(cs("2020-01-05 13:04:05.000", "datetime", "varchar(30)", -1, true),
                        "Jan  5 2020  1:04PM");
    assert_string_equal(cs("2020-01-05 13:04:05.000", "datetime", "varchar(30)", 101, true),
                        "01/05/2020");
    assert_string_equal(cs("2020-01-05 13:04:05.000", "datetime", "varchar(30)", 103, true),
                        "05/01/2020");
    assert_string_equal(cs("2020-01-05 13:04:05.000", "datetime", "varchar(30)", 112, true),
                        "20200105");
    assert_string_equal(cs("2020-01-05 13:04:05.000", "datetime", "varchar(30)", 120, true),
                        "2020-01-05 13:04:05");
    assert_string_equal(cs("2020-01-05 13:04:05.007", "datetime", "varchar(30)", 121, true),
                        "2020-01-05 13:04:05.007");
    assert_string_equal(cs("2020-01-05 13:04:05.000", "datetime", "varchar(30)", 126, true),
                        "2020-01-05T13:04:05");
    assert_string_equal(cs("2020-01-05 13:04:05.5", "datetime2(3)", "varchar(40)", 126, true),
                        "2020-01-05T13:04:05.500");
    assert_string_equal(cs("2025-03-01 10:00:00.000 +02:00", "datetimeoffset(3)", "varchar(40)",
                           127, true),
                        "2025-03-01T08:00:00.000Z");
    assert_string_equal(cs("2020-01-05", "date", "varchar(30)", -1, true), "2020-01-05");
    assert_string_equal(cs("2020-01-05 13:04:05.000", "datetime", "varchar(30)", 999, true),
                        "E281: 999 is not a valid style number when converting from datetime to "
                        "a character string.");
    assert_string_equal(cs("2020-01-05 13:04:29.999", "datetime2(3)", "smalldatetime", -1, true),
                        "2020-01-05 13:05:00");
}

static void test_binary_guid(void **state)
{
    static const uint8_t b[] = {0x41, 0xE9, 0x00};
    (void)state;
    assert_string_equal(cb(b, 2, "varchar(10)", 0), "A\xC3\xA9");
    assert_string_equal(cb(b, 3, "varchar(10)", 1), "0x41E900");
    assert_string_equal(cb(b, 3, "varchar(10)", 2), "41E900");
    assert_string_equal(cb(b, 2, "nvarchar(10)", 0), "\xEE\xA5\x81");
    assert_string_equal(cs("0x41E9", "varchar(10)", "varbinary(10)", 1, true), "0x41E9");
    assert_string_equal(cs("41e9", "varchar(10)", "varbinary(10)", 2, true), "0x41E9");
    assert_string_equal(cs("0xZZ", "varchar(10)", "varbinary(10)", 1, true),
                        "E8114: Error converting data type varchar to varbinary.");
    assert_string_equal(cs("A\xC3\xA9", "varchar(10)", "varbinary(10)", -1, true), "0x41E9");
    assert_string_equal(cs("A", "nvarchar(10)", "varbinary(10)", -1, true), "0x4100");
    assert_string_equal(cs("A", "varchar(10)", "binary(4)", -1, true), "0x41000000");
    assert_string_equal(ci(258, "int", "binary(4)", -1), "0x00000102");
    assert_string_equal(ci(258, "int", "binary(2)", -1), "0x0102");
    assert_string_equal(ci(258, "int", "binary(6)", -1), "0x000000000102");
    assert_string_equal(cb(b, 2, "int", -1), "16873");
    assert_string_equal(cs("abcdef", "varchar(10)", "varbinary(2)", -1, false),
                        "E2628: String or binary data would be truncated in table 'dbo.t', "
                        "column 'c'. Truncated value: '0x6162'.");
    assert_string_equal(cs("6f9619ff-8b86-d011-b42d-00c04fc964ff", "varchar(40)",
                           "uniqueidentifier", -1, true),
                        "6F9619FF-8B86-D011-B42D-00C04FC964FF");
    assert_string_equal(cs("6F9619FF-8B86-D011-B42D-00C04FC964FFxyz", "varchar(40)",
                           "uniqueidentifier", -1, true),
                        "6F9619FF-8B86-D011-B42D-00C04FC964FF");
    assert_string_equal(cs("nope", "varchar(40)", "uniqueidentifier", -1, true),
                        "E8169: Conversion failed when converting from a character string to "
                        "uniqueidentifier.");
    assert_string_equal(cs("6F9619FF-8B86-D011-B42D-00C04FC964FF", "uniqueidentifier",
                           "binary(16)", -1, true),
                        "0xFF19966F868B11D0B42D00C04FC964FF");
    assert_string_equal(cs("6F9619FF-8B86-D011-B42D-00C04FC964FF", "uniqueidentifier", "int", -1,
                           true),
                        "E529: Explicit conversion from data type uniqueidentifier to int is not "
                        "allowed.");
    assert_string_equal(cs("6F9619FF-8B86-D011-B42D-00C04FC964FF", "uniqueidentifier",
                           "nvarchar(36)", -1, true),
                        "6F9619FF-8B86-D011-B42D-00C04FC964FF");
}

static int cmp2(struct tl_value x, const char *tx, struct tl_value y, const char *ty, int *num)
{
    struct tl_type a = T(tx), b = T(ty);
    struct value_error e = {0};
    int r = value_compare(&x, &a, &y, &b, &e);
    *num = e.number;
    return r;
}

#define TXT(s) ((struct tl_value){TL_V_TEXT, 0, 0, (const uint8_t *)(s), sizeof(s) - 1})
#define INTV(v) ((struct tl_value){TL_V_INT, (v), 0, NULL, 0})
#define REALV(v) ((struct tl_value){TL_V_REAL, 0, (v), NULL, 0})

static void test_compare(void **state)
{
    int num;
    (void)state;
    assert_int_equal(cmp2(TXT("abc"), "varchar(10)", TXT("ABC  "), "varchar(10)", &num), 0);
    assert_int_equal(cmp2(TXT("abc"), "varchar(10)", TXT("abd"), "nvarchar(10)", &num), -1);
    assert_int_equal(cmp2(TXT("a"), "varchar(10)", TXT("B"), "varchar(10)", &num), -1);
    assert_int_equal(cmp2(TXT("\xC3\xA9"), "nvarchar(10)", TXT("\xC3\x89"), "nvarchar(10)", &num),
                     0);
    assert_int_equal(cmp2(TXT("e"), "nvarchar(10)", TXT("\xC3\xA9"), "nvarchar(10)", &num), -1);
    assert_int_equal(cmp2(INTV(2), "int", TXT("1.50"), "decimal(5,2)", &num), 1);
    assert_int_equal(cmp2(TXT("0.10"), "decimal(5,2)", TXT("0.1"), "decimal(5,1)", &num), 0);
    assert_int_equal(cmp2(INTV(1), "int", REALV(1.0), "float", &num), 0);
    assert_int_equal(cmp2(INTV(1), "int", TXT("1"), "varchar(10)", &num), 0);
    assert_int_equal(cmp2(INTV(1), "int", TXT("abc"), "varchar(10)", &num), -2);
    assert_int_equal(num, 245);
    assert_int_equal(cmp2(TXT("2025-03-01 10:00:00.0000000 +02:00"), "datetimeoffset",
                          TXT("2025-03-01 09:00:00.0000000 +00:00"), "datetimeoffset", &num),
                     -1);
    assert_int_equal(cmp2(TXT("2020-01-01"), "date", TXT("2020-01-01 00:00:00.000"), "datetime",
                          &num),
                     0);
    assert_int_equal(cmp2(TXT("2020-01-01 00:00:01.000"), "datetime", TXT("2020-01-01"),
                          "varchar(20)", &num),
                     1);
    assert_int_equal(cmp2(TXT("6F9619FF-8B86-D011-B42D-00C04FC964FF"), "uniqueidentifier",
                          TXT("FF9619FF-8B86-D011-B42D-00C04FC964FE"), "uniqueidentifier", &num),
                     1);
}

static int setup(void **state)
{
    (void)state;
    arena_init(&A, 0, 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(&A);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_to_int), cmocka_unit_test(test_numeric_conversions),
        cmocka_unit_test(test_to_string),     cmocka_unit_test(test_dates),
        cmocka_unit_test(test_binary_guid),   cmocka_unit_test(test_compare),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
