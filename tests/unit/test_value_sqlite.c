/* Unit tests for the SQLite functions of emulator/value (value_register_sqlite). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "value/value.h"

static sqlite3 *db;
static char res[600];

/* First column of the first row as text, or "ERR:<message>" / "NULL". */
static const char *q(const char *sql)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) {
        snprintf(res, sizeof res, "PREP:%s", sqlite3_errmsg(db));
        return res;
    }
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(res, sizeof res, "%s", t ? (const char *)t : "NULL");
    } else {
        snprintf(res, sizeof res, "ERR:%s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    return res;
}

static void test_convert_fn(void **state)
{
    (void)state;
    assert_string_equal(q("SELECT tl_convert('42', 'int')"), "42");
    assert_string_equal(q("SELECT typeof(tl_convert('42', 'int'))"), "integer");
    assert_string_equal(q("SELECT tl_convert('abc', 'int', NULL, 1)"),
                        "ERR:MSG245|1|Conversion failed when converting the varchar value 'abc' "
                        "to data type int.");
    assert_string_equal(q("SELECT tl_convert('abcdef', 'varchar(3)', NULL, 0, 'varchar(10)', "
                          "'db.dbo.t', 'name')"),
                        "ERR:MSG2628|1|String or binary data would be truncated in table "
                        "'db.dbo.t', column 'name'. Truncated value: 'abc'.");
    assert_string_equal(q("SELECT tl_convert('2020-01-05 13:04:05.000', 'varchar', 103, 1, "
                          "'datetime')"),
                        "05/01/2020");
    assert_string_equal(q("SELECT length(tl_convert('abcdefghijklmnopqrstuvwxyz0123456789', "
                          "'varchar'))"),
                        "30");
    assert_string_equal(q("SELECT tl_convert(NULL, 'int')"), "NULL");
    assert_string_equal(q("SELECT tl_convert(1.5, 'decimal(5,2)')"), "1.50");
    assert_string_equal(q("SELECT tl_compare('abc', 'ABC ')"), "0");
    assert_string_equal(q("SELECT tl_compare(2, '10', 'int', 'varchar(5)')"), "-1");
    assert_string_equal(q("SELECT tl_compare('2', '10')"), "1");
}

static void test_decimal_fns(void **state)
{
    (void)state;
    assert_string_equal(q("SELECT tl_dec_add('0.1', '0.2', 10, 1)"), "0.3");
    assert_string_equal(q("SELECT tl_dec_sub('1.00', '2.005', 10, 3)"), "-1.005");
    assert_string_equal(q("SELECT tl_dec_mul('1.5', '-1.5', 10, 2)"), "-2.25");
    assert_string_equal(q("SELECT tl_dec_div('1.0', '3', 7, 6)"), "0.333333");
    assert_string_equal(q("SELECT tl_dec_div('1', '0', 10, 2)"),
                        "ERR:MSG8134|1|Divide by zero error encountered.");
    assert_string_equal(q("SELECT tl_dec_mul('99999', '99999', 5, 0)"),
                        "ERR:MSG8115|1|Arithmetic overflow error converting expression to data "
                        "type numeric.");
    assert_string_equal(q("WITH v(x) AS (VALUES ('0.10'), ('0.20'), (NULL), ('1.005')) "
                          "SELECT tl_dec_sum(x) FROM v"),
                        "1.305");
    assert_string_equal(q("WITH v(x) AS (VALUES ('99999999999999999999999999999999999999'), "
                          "('1')) SELECT tl_dec_sum(x) FROM v"),
                        "ERR:MSG8115|1|Arithmetic overflow error converting expression to data "
                        "type numeric.");
    assert_string_equal(q("WITH v(x) AS (VALUES ('1.00'), ('2.00'), ('2.00')) "
                          "SELECT tl_dec_avg(x) FROM v"),
                        "1.666666");
    assert_string_equal(q("SELECT tl_dec_sum(x) FROM (SELECT 1 AS x WHERE 0)"), "NULL");
    assert_string_equal(q("SELECT tl_format_decimal('2.345', 5, 2)"), "2.35");
}

static void test_builtins(void **state)
{
    (void)state;
    assert_string_equal(q("SELECT tl_len('ab  ')"), "2");
    assert_string_equal(q("SELECT tl_len('  ab')"), "4");
    assert_string_equal(q("SELECT tl_len(x'F09F9880')"), "4"); /* blob: bytes */
    assert_string_equal(q("SELECT tl_len(CAST(x'F09F9880' AS TEXT))"), "2");
    assert_string_equal(q("SELECT tl_datalength('ab  ', 'nvarchar(10)')"), "8");
    assert_string_equal(q("SELECT tl_datalength('ab  ')"), "4");
    assert_string_equal(q("SELECT tl_datalength(5, 'bigint')"), "8");
    assert_string_equal(q("SELECT tl_quotename('a]b')"), "[a]]b]");
    assert_string_equal(q("SELECT tl_quotename('it''s', '''')"), "'it''s'");
    assert_string_equal(q("SELECT tl_charindex('B', 'abcb')"), "2");
    assert_string_equal(q("SELECT tl_charindex('b', 'abcb', 3)"), "4");
    assert_string_equal(q("SELECT tl_charindex('z', 'abcb')"), "0");
    assert_string_equal(q("SELECT tl_replicate('ab', 3)"), "ababab");
    assert_string_equal(q("SELECT tl_replicate('ab', -1)"), "NULL");
    assert_string_equal(q("SELECT tl_left('h\xC3\xA9llo', 2)"), "h\xC3\xA9");
    assert_string_equal(q("SELECT tl_right('h\xC3\xA9llo', 3)"), "llo");
    assert_string_equal(q("SELECT tl_right('abc', 10)"), "abc");
    assert_string_equal(q("SELECT tl_left('abc', -1)"),
                        "ERR:MSG536|1|Invalid length parameter passed to the left function.");
    assert_string_equal(q("SELECT tl_str(123.456, 8, 2)"), "  123.46");
    assert_string_equal(q("SELECT tl_str(123456789012.0)"), "**********");
    assert_string_equal(q("SELECT length(tl_newid())"), "36");
    assert_string_equal(q("SELECT tl_newid() = tl_newid()"), "0");
    assert_string_equal(q("SELECT 'abc' = 'ABC  ' COLLATE TL_CI"), "1");
    assert_string_equal(q("SELECT 'abc' < 'ABD' COLLATE TL_CI"), "1");
}

static void test_dates_and_clock(void **state)
{
    (void)state;
    assert_string_equal(q("SELECT tl_dateadd('month', 1, '2020-01-31 00:00:00.000', 'datetime')"),
                        "2020-02-29 00:00:00.000");
    assert_string_equal(q("SELECT tl_dateadd('dd', -1, '2020-03-01', 'date')"), "2020-02-29");
    assert_string_equal(q("SELECT tl_dateadd('hour', 1, '2020-03-01', 'date')"),
                        "ERR:MSG9810|1|The datepart hour is not supported by date function "
                        "dateadd for data type date.");
    assert_string_equal(q("SELECT tl_dateadd('ms', 1, '2020-01-01 23:59:59.997', 'datetime')"),
                        "2020-01-01 23:59:59.997");
    assert_string_equal(q("SELECT tl_dateadd('ms', 2, '2020-01-01 23:59:59.997', 'datetime')"),
                        "2020-01-02 00:00:00.000");
    assert_string_equal(q("SELECT tl_dateadd('year', 1, '9999-01-01', 'date')"),
                        "ERR:MSG517|1|Adding a value to a 'date' column caused an overflow.");
    assert_string_equal(q("SELECT tl_dateadd('minute', 90, '23:00:00.0000000', 'time(7)')"),
                        "00:30:00.0000000");
    assert_string_equal(q("SELECT tl_dateadd('nope', 1, '2020-01-01')"),
                        "ERR:MSG155|1|'nope' is not a recognized dateadd option.");
    assert_string_equal(q("SELECT tl_datediff('year', '2019-12-31', '2020-01-01')"), "1");
    assert_string_equal(q("SELECT tl_datediff('day', '2020-01-01 23:59', '2020-01-02 00:01')"),
                        "1");
    assert_string_equal(q("SELECT tl_datediff('week', '2024-01-06', '2024-01-07')"), "1");
    assert_string_equal(q("SELECT tl_datediff('minute', '2025-03-01 10:00:00 +02:00', "
                          "'2025-03-01 08:30:00 +00:00')"),
                        "30");
    assert_string_equal(q("SELECT tl_datediff('ms', '1900-01-01', '2020-01-01')"),
                        "ERR:MSG535|1|The datediff function resulted in an overflow. The number "
                        "of dateparts separating two date/time instances is too large. Try to "
                        "use datediff with a less precise datepart.");
    assert_string_equal(q("SELECT tl_datepart('weekday', '2024-01-07')"), "1"); /* Sunday */
    assert_string_equal(q("SELECT tl_datepart('dayofyear', '2020-12-31')"), "366");
    assert_string_equal(q("SELECT tl_datepart('week', '2024-01-07')"), "2");
    assert_string_equal(q("SELECT tl_datepart('iso_week', '2021-01-03')"), "53");
    assert_string_equal(q("SELECT tl_datepart('tzoffset', '2025-03-01 10:00:00 +02:00')"), "120");
    assert_string_equal(q("SELECT tl_datepart('ms', '2020-01-01 10:00:00.123', 'datetime')"),
                        "123");
    /* Clock: an offset moves every "now" function. */
    assert_string_equal(q("SELECT length(tl_getdate()) = 23 AND length(tl_sysutcdatetime()) = 27 "
                          "AND length(tl_sysdatetimeoffset()) = 34"),
                        "1");
    assert_string_equal(q("SELECT tl_set_clock_offset(86400 * 2)"), "172800.0");
    assert_string_equal(q("SELECT tl_datediff('day', tl_getutcdate(), tl_sysutcdatetime(), "
                          "'datetime', 'datetime2')"),
                        "0");
    assert_string_equal(q("SELECT tl_datediff('hour', '2000-01-01', tl_sysutcdatetime()) > "
                          "tl_datediff('hour', '2000-01-01', strftime('%Y-%m-%d %H:%M:%S', "
                          "'now')) + 40"),
                        "1");
    q("SELECT tl_set_clock_offset(0)");
}

static int setup(void **state)
{
    (void)state;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK)
        return -1;
    return value_register_sqlite(db) == SQLITE_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    sqlite3_close(db);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_convert_fn),
        cmocka_unit_test(test_decimal_fns),
        cmocka_unit_test(test_builtins),
        cmocka_unit_test(test_dates_and_clock),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
