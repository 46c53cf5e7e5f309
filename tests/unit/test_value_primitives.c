/* Unit tests for emulator/value primitives: decimal, date/time, GUID, type names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "value/value.h"

static const char *dec_roundtrip(const char *in, uint8_t scale, char *buf)
{
    struct value_decimal d;
    if (value_decimal_parse(in, strlen(in), scale, &d) != 0)
        return "ERR";
    value_decimal_format(&d, buf);
    return buf;
}

static void test_decimal_extremes(void **state)
{
    char buf[64];
    struct value_decimal d;
    (void)state;
    assert_string_equal(dec_roundtrip("99999999999999999999999999999999999999", 0, buf),
                        "99999999999999999999999999999999999999");
    assert_string_equal(dec_roundtrip("-99999999999999999999999999999999999999", 0, buf),
                        "-99999999999999999999999999999999999999");
    assert_string_equal(dec_roundtrip("0.99999999999999999999999999999999999999", 38, buf),
                        "0.99999999999999999999999999999999999999");
    assert_string_equal(dec_roundtrip("-0.00000000000000000000000000000000000001", 38, buf),
                        "-0.00000000000000000000000000000000000001");
    assert_string_equal(dec_roundtrip("100000000000000000000000000000000000000", 0, buf), "ERR");
    assert_int_equal(value_decimal_parse_ex("100000000000000000000000000000000000000", 39, 0,
                                            false, &d),
                     VALUE_ERANGE);
    assert_int_equal(value_decimal_parse_ex("12a", 3, 0, false, &d), VALUE_EBAD);
    /* 0.99..9 (38 nines) at scale 37 rounds up to 1.0 at 38 digits: fits. */
    assert_string_equal(dec_roundtrip("0.99999999999999999999999999999999999999", 37, buf),
                        "1.0000000000000000000000000000000000000");
}

static void test_decimal_rounding(void **state)
{
    char buf[64];
    (void)state;
    assert_string_equal(dec_roundtrip("-123.45", 2, buf), "-123.45");
    assert_string_equal(dec_roundtrip("-123.4500", 4, buf), "-123.4500");
    assert_string_equal(dec_roundtrip("2.5", 0, buf), "3");
    assert_string_equal(dec_roundtrip("-2.5", 0, buf), "-3");
    assert_string_equal(dec_roundtrip("1.235", 2, buf), "1.24");
    assert_string_equal(dec_roundtrip("-1.235", 2, buf), "-1.24");
    assert_string_equal(dec_roundtrip("1.2349", 2, buf), "1.23");
    assert_string_equal(dec_roundtrip("-0.004", 2, buf), "0.00");
    assert_string_equal(dec_roundtrip("0.005", 2, buf), "0.01");
    assert_string_equal(dec_roundtrip(".5", 1, buf), "0.5");
    assert_string_equal(dec_roundtrip("5.", 0, buf), "5");
    assert_string_equal(dec_roundtrip("  +007.10  ", 3, buf), "7.100");
    assert_string_equal(dec_roundtrip("0", 0, buf), "0");
    assert_string_equal(dec_roundtrip("-0", 2, buf), "0.00");
}

static void test_decimal_wire_example(void **state)
{
    struct value_decimal d;
    (void)state;
    assert_int_equal(value_decimal_parse("-123.45", 7, 2, &d), 0);
    assert_true(d.neg);
    assert_true(d.mag == 12345);
    assert_int_equal(d.scale, 2);
}

static void test_decimal_exponent(void **state)
{
    struct value_decimal d;
    char buf[64];
    (void)state;
    assert_int_equal(value_decimal_parse_ex("1.5e3", 5, 2, true, &d), 0);
    value_decimal_format(&d, buf);
    assert_string_equal(buf, "1500.00");
    assert_int_equal(value_decimal_parse_ex("2.850000000000000e-01", 21, 2, true, &d), 0);
    value_decimal_format(&d, buf);
    assert_string_equal(buf, "0.29");
    assert_int_equal(value_decimal_parse_ex("1e38", 4, 0, true, &d), VALUE_ERANGE);
    assert_int_equal(value_decimal_parse_ex("1e-50", 5, 2, true, &d), 0);
    assert_true(d.mag == 0);
}

static void test_decimal_arith(void **state)
{
    struct value_decimal a, b, r;
    char buf[64];
    int p, s;
    (void)state;
    value_decimal_parse_auto("1.0", 3, &a);
    value_decimal_parse_auto("3", 1, &b);
    value_decimal_result_type(VALUE_DEC_DIV, 2, 1, 1, 0, &p, &s);
    assert_int_equal(p, 7);
    assert_int_equal(s, 6);
    assert_int_equal(value_decimal_arith(VALUE_DEC_DIV, &a, &b, (uint8_t)p, (uint8_t)s, &r), 0);
    value_decimal_format(&r, buf);
    assert_string_equal(buf, "0.333333");
    value_decimal_parse_auto("-2.50", 5, &a);
    value_decimal_parse_auto("1.005", 5, &b);
    assert_int_equal(value_decimal_arith(VALUE_DEC_ADD, &a, &b, 10, 3, &r), 0);
    value_decimal_format(&r, buf);
    assert_string_equal(buf, "-1.495");
    assert_int_equal(value_decimal_arith(VALUE_DEC_MUL, &a, &b, 10, 2, &r), 0);
    value_decimal_format(&r, buf);
    assert_string_equal(buf, "-2.51"); /* -2.5125 rounds away from zero */
    value_decimal_parse_auto("99999999999999999999999999999999999999", 38, &a);
    assert_int_equal(value_decimal_arith(VALUE_DEC_MUL, &a, &a, 38, 0, &r), VALUE_ERANGE);
    assert_int_equal(value_decimal_arith(VALUE_DEC_ADD, &a, &a, 38, 0, &r), VALUE_ERANGE);
    value_decimal_parse_auto("0", 1, &b);
    assert_int_equal(value_decimal_arith(VALUE_DEC_DIV, &a, &b, 38, 0, &r), VALUE_EDIVZERO);
    /* 38-digit by 38-digit product needs the wide intermediate. */
    value_decimal_parse_auto("12345678901234567890.123456789", 30, &a);
    value_decimal_parse_auto("0.000000000000000001", 20, &b);
    assert_int_equal(value_decimal_arith(VALUE_DEC_MUL, &a, &b, 38, 20, &r), 0);
    value_decimal_format(&r, buf);
    assert_string_equal(buf, "12.34567890123456789012");
}

static void test_days(void **state)
{
    int y, m, d;
    (void)state;
    assert_int_equal(value_days_from_civil(1, 1, 1), 0);
    assert_int_equal(value_days_from_civil(2000, 1, 1), 730119);
    assert_int_equal(value_days_from_civil(1900, 1, 1), 693595);
    assert_int_equal(value_days_from_civil(2025, 3, 1), 739310);
    assert_int_equal(value_days_from_civil(9999, 12, 31), 3652058);
    value_civil_from_days(730119, &y, &m, &d);
    assert_int_equal(y, 2000);
    assert_int_equal(m, 1);
    assert_int_equal(d, 1);
    value_civil_from_days(3652058, &y, &m, &d);
    assert_int_equal(y * 10000 + m * 100 + d, 99991231);
    for (int32_t k = 0; k < 3652059; k += 997) {
        value_civil_from_days(k, &y, &m, &d);
        assert_int_equal(value_days_from_civil(y, m, d), k);
    }
}

static const char *dt_canon(enum tl_type_id id, int scale, const char *in, char *buf)
{
    struct value_datetime dt;
    struct tl_type t = {id, 0, 0, (uint8_t)scale};
    if (value_datetime_parse(id, in, strlen(in), &dt) != 0)
        return "ERR";
    if (value_datetime_round(&t, &dt) != 0)
        return "RANGE";
    value_datetime_format(&t, &dt, buf);
    return buf;
}

static void test_datetime_ticks(void **state)
{
    struct value_datetime dt;
    int32_t days;
    uint32_t ticks;
    char buf[64];
    (void)state;
    assert_int_equal(value_datetime_parse(TL_T_DATETIME, "2000-01-01 12:34:56.123", 23, &dt), 0);
    value_datetime_to_ticks(&dt, &days, &ticks);
    assert_int_equal(days, 0x8EAC);
    assert_int_equal(ticks, 13588837);
    assert_string_equal(dt_canon(TL_T_DATETIME, 0, "2000-01-01 12:34:56.123", buf),
                        "2000-01-01 12:34:56.123");
    assert_string_equal(dt_canon(TL_T_DATETIME, 0, "2000-01-01 00:00:00.001", buf),
                        "2000-01-01 00:00:00.000");
    assert_string_equal(dt_canon(TL_T_DATETIME, 0, "2000-01-01 00:00:00.002", buf),
                        "2000-01-01 00:00:00.003");
    assert_string_equal(dt_canon(TL_T_DATETIME, 0, "2000-01-01 00:00:00.005", buf),
                        "2000-01-01 00:00:00.007");
    assert_string_equal(dt_canon(TL_T_DATETIME, 0, "1999-12-31 23:59:59.999", buf),
                        "2000-01-01 00:00:00.000");
    assert_string_equal(dt_canon(TL_T_DATETIME, 0, "1752-12-31", buf), "RANGE");
    assert_string_equal(dt_canon(TL_T_DATETIME, 0, "1753-01-01", buf), "1753-01-01 00:00:00.000");
    value_datetime_from_ticks(0x8EAC, 13588837, &dt);
    assert_int_equal(dt.hour * 10000 + dt.minute * 100 + dt.second, 123456);
    assert_int_equal(dt.frac100ns, 1233333);
}

static void test_smalldatetime(void **state)
{
    char buf[64];
    (void)state;
    assert_string_equal(dt_canon(TL_T_SMALLDATETIME, 0, "2000-05-08 12:35:29.998", buf),
                        "2000-05-08 12:35:00");
    assert_string_equal(dt_canon(TL_T_SMALLDATETIME, 0, "2000-05-08 12:35:29.999", buf),
                        "2000-05-08 12:36:00");
    assert_string_equal(dt_canon(TL_T_SMALLDATETIME, 0, "2079-06-06 23:59", buf),
                        "2079-06-06 23:59:00");
    assert_string_equal(dt_canon(TL_T_SMALLDATETIME, 0, "2079-06-07", buf), "RANGE");
}

static void test_time_datetime2(void **state)
{
    struct value_datetime dt;
    char buf[64];
    (void)state;
    assert_int_equal(value_datetime_parse(TL_T_TIME, "12:34:56.1234567", 16, &dt), 0);
    assert_true(value_time_to_units(&dt, 7) == 452961234567ULL);
    assert_string_equal(dt_canon(TL_T_TIME, 7, "12:34:56.1234567", buf), "12:34:56.1234567");
    assert_string_equal(dt_canon(TL_T_TIME, 3, "12:34:56.1234567", buf), "12:34:56.123");
    assert_string_equal(dt_canon(TL_T_TIME, 2, "12:34:56.125", buf), "12:34:56.13");
    assert_string_equal(dt_canon(TL_T_TIME, 0, "23:59:59.5", buf), "00:00:00");
    assert_string_equal(dt_canon(TL_T_DATETIME2, 0, "2020-12-31 23:59:59.5", buf),
                        "2021-01-01 00:00:00");
    assert_string_equal(dt_canon(TL_T_DATETIME2, 7, "20200229", buf),
                        "2020-02-29 00:00:00.0000000");
    assert_string_equal(dt_canon(TL_T_DATETIME2, 7, "2020-02-30", buf), "ERR");
    assert_string_equal(dt_canon(TL_T_DATE, 0, "0001-01-01", buf), "0001-01-01");
    assert_string_equal(dt_canon(TL_T_DATE, 0, "9999-12-31 23:59:59", buf), "9999-12-31");
    assert_string_equal(dt_canon(TL_T_DATETIME2, 0, "9999-12-31 23:59:59.6", buf), "RANGE");
    assert_string_equal(dt_canon(TL_T_DATETIME2, 3, "2020-01-02T03:04:05.678Z", buf),
                        "2020-01-02 03:04:05.678");
    assert_string_equal(dt_canon(TL_T_DATETIME, 0, "Jan  1 2020 10:05PM", buf),
                        "2020-01-01 22:05:00.000");
    assert_string_equal(dt_canon(TL_T_DATETIME, 0, "12/31/2020", buf), "2020-12-31 00:00:00.000");
}

static void test_datetimeoffset(void **state)
{
    struct value_datetime dt, utc;
    struct tl_type t = {TL_T_DATETIMEOFFSET, 0, 0, 7};
    const char *s = "2025-03-01 10:00:00 +02:00";
    char buf[64];
    (void)state;
    assert_int_equal(value_datetime_parse(TL_T_DATETIMEOFFSET, s, strlen(s), &dt), 0);
    assert_int_equal(value_datetime_round(&t, &dt), 0);
    value_datetime_format(&t, &dt, buf);
    assert_string_equal(buf, "2025-03-01 10:00:00.0000000 +02:00");
    value_datetime_to_utc(&dt, &utc);
    assert_int_equal(utc.hour, 8);
    assert_true(value_time_to_units(&utc, 7) == 0x430E234000ULL);
    assert_int_equal(value_days_from_civil(utc.year, utc.month, utc.day), 0x0B47EE);
    value_datetime_from_utc(&utc, 120, &dt);
    value_datetime_format(&t, &dt, buf);
    assert_string_equal(buf, "2025-03-01 10:00:00.0000000 +02:00");
    /* Crossing midnight backwards. */
    s = "2025-03-01 01:00:00.5 +05:30";
    assert_int_equal(value_datetime_parse(TL_T_DATETIMEOFFSET, s, strlen(s), &dt), 0);
    value_datetime_to_utc(&dt, &utc);
    t.id = TL_T_DATETIME2;
    t.scale = 1;
    value_datetime_format(&t, &utc, buf);
    assert_string_equal(buf, "2025-02-28 19:30:00.5");
}

static void test_guid(void **state)
{
    static const uint8_t wire[16] = {0xFF, 0x19, 0x96, 0x6F, 0x86, 0x8B, 0x11, 0xD0,
                                     0xB4, 0x2D, 0x00, 0xC0, 0x4F, 0xC9, 0x64, 0xFF};
    const char *s = "6F9619FF-8B86-D011-B42D-00C04FC964FF";
    uint8_t out[16];
    char txt[37];
    (void)state;
    assert_int_equal(value_guid_to_wire(s, 36, out), 0);
    assert_memory_equal(out, wire, 16);
    value_guid_from_wire(wire, txt);
    assert_string_equal(txt, s);
    assert_int_equal(value_guid_to_wire("6f9619ff-8b86-d011-b42d-00c04fc964ff", 36, out), 0);
    assert_memory_equal(out, wire, 16);
    assert_int_equal(value_guid_to_wire("6F9619FF8B86-D011-B42D-00C04FC964FF0", 36, out), -1);
    assert_int_equal(value_guid_to_wire("{6F9619FF-8B86-D011-B42D-00C04FC964FF}", 38, out), 0);
}

static void type_rt(const char *in, const char *expect)
{
    struct tl_type t;
    struct value_error e;
    char name[64];
    assert_int_equal(value_parse_type(in, strlen(in), &t, &e), 0);
    value_type_name(&t, name, sizeof name);
    assert_string_equal(name, expect);
}

static void test_type_names(void **state)
{
    struct tl_type t;
    struct value_error e;
    (void)state;
    type_rt("int", "int");
    type_rt("DECIMAL ( 10 , 2 )", "decimal(10,2)");
    type_rt("decimal", "decimal(18,0)");
    type_rt("numeric(5)", "numeric(5,0)");
    type_rt("nvarchar(max)", "nvarchar(max)");
    type_rt("NVARCHAR ( MAX )", "nvarchar(max)");
    type_rt("varchar", "varchar(1)");
    type_rt("datetime2", "datetime2(7)");
    type_rt("datetime2(3)", "datetime2(3)");
    type_rt("float(24)", "real");
    type_rt("float", "float");
    type_rt("double precision", "float");
    type_rt("sysname", "nvarchar(128)");
    type_rt("[sys].[int]", "int");
    type_rt("national character varying(20)", "nvarchar(20)");
    type_rt("rowversion", "timestamp");
    type_rt("uniqueidentifier", "uniqueidentifier");
    type_rt("time", "time(7)");
    type_rt("varbinary(8000)", "varbinary(8000)");
    assert_int_equal(value_parse_type("foo", 3, &t, &e), -1);
    assert_int_equal(e.number, 2715);
    assert_string_equal(e.text, "Column, parameter, or variable #1: Cannot find data type foo.");
    assert_int_equal(value_parse_type("varchar(9000)", 13, &t, &e), -1);
    assert_int_equal(e.number, 131);
    assert_string_equal(e.text, "The size (9000) given to the type 'varchar' exceeds the maximum "
                                "allowed for any data type (8000).");
    assert_int_equal(value_parse_type("decimal(39,2)", 13, &t, &e), -1);
    assert_int_equal(e.number, 2750);
    assert_int_equal(value_parse_type("decimal(3,5)", 12, &t, &e), -1);
    assert_int_equal(e.number, 2751);
    assert_int_equal(value_parse_type("nvarchar(20)", 12, &t, &e), 0);
    assert_int_equal(value_type_max_length(&t), 40);
    assert_int_equal(value_type_system_type_id(t.id), 231);
    assert_int_equal(value_parse_type("decimal(20,2)", 13, &t, &e), 0);
    assert_int_equal(value_type_max_length(&t), 13);
    assert_int_equal(value_type_system_type_id(TL_T_INT), 56);
    assert_string_equal(value_type_base_name(TL_T_DATETIMEOFFSET), "datetimeoffset");
    assert_true(value_type_precedence(TL_T_INT) > value_type_precedence(TL_T_NVARCHAR));
    assert_true(value_type_precedence(TL_T_DECIMAL) > value_type_precedence(TL_T_BIGINT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimal_extremes),  cmocka_unit_test(test_decimal_rounding),
        cmocka_unit_test(test_decimal_wire_example), cmocka_unit_test(test_decimal_exponent),
        cmocka_unit_test(test_decimal_arith),     cmocka_unit_test(test_days),
        cmocka_unit_test(test_datetime_ticks),    cmocka_unit_test(test_smalldatetime),
        cmocka_unit_test(test_time_datetime2),    cmocka_unit_test(test_datetimeoffset),
        cmocka_unit_test(test_guid),              cmocka_unit_test(test_type_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
