/* Unit tests for emulator/engine's data modification (dml.c): rowversion
 * columns and @@DBTS, the INSERT column-count rules, and the date/time
 * literal forms SQL Server accepts or refuses on INSERT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_engine_rec.h"

/* A new database's @@DBTS is 2000 (0x7D0); each inserted or updated row of
 * a table with a rowversion takes the next value, big-endian. */
static void test_rowversion_values(void **state)
{
    struct fx *f = *state;
    run(f, "CREATE DATABASE rvdb");
    run(f, "USE rvdb");
    EXPECT(f, "SELECT @@DBTS AS d", "cols:d varbinary(8)\nrow:0x00000000000007D0\ndone:C1\n");
    run(f, "CREATE TABLE rv (id int NOT NULL PRIMARY KEY, v int NULL, rv rowversion)");
    assert_int_equal(f->r.nerrors, 0);
    run(f, "INSERT INTO rv (id, v) VALUES (1, 10), (2, 20)");
    run(f, "INSERT INTO rv VALUES (3, 30, DEFAULT)");
    run(f, "INSERT INTO rv DEFAULT VALUES");
    assert_int_equal(f->r.last_error, 515); /* id NOT NULL: no row, no version used */
    EXPECT(f, "SELECT id, rv FROM rv ORDER BY id",
           "cols:id int,rv timestamp\nrow:1|0x00000000000007D1\nrow:2|0x00000000000007D2\nrow:3|0x00000000000007D3\ndone:C3\n");
    /* The column goes out as rowversion (BINARY(8), usertype 80 on the
     * wire), NOT NULL and not updatable. */
    assert_int_equal(f->r.cols[1].type.id, TL_T_ROWVERSION);
    assert_int_equal(f->r.cols[1].flags & (ENGINE_COL_NULLABLE | ENGINE_COL_UPDATABLE), 0);
    EXPECT(f, "SELECT @@DBTS AS d", "cols:d varbinary(8)\nrow:0x00000000000007D3\ndone:C1\n");
    /* UPDATE renews the version of every row it touches, even unchanged. */
    run(f, "UPDATE rv SET v = v WHERE id <= 2");
    EXPECT(f, "SELECT id, CAST(rv AS bigint) AS n FROM rv ORDER BY id",
           "cols:id int,n bigint\nrow:1|2004\nrow:2|2005\nrow:3|2003\ndone:C3\n");
    run(f, "DELETE FROM rv WHERE id = 3");
    EXPECT(f, "SELECT @@DBTS AS d", "cols:d varbinary(8)\nrow:0x00000000000007D5\ndone:C1\n");
    /* The counter is per database: master's is not touched. */
    run(f, "USE master");
    run(f, "CREATE TABLE rvm (id int NOT NULL, ts timestamp)");
    run(f, "INSERT INTO rvm (id) VALUES (1)");
    EXPECT(f, "SELECT CAST(ts AS bigint) AS n FROM rvm", "cols:n bigint\nrow:2001\ndone:C1\n");
    EXPECT(f, "SELECT max(rv) AS m FROM rvdb.dbo.rv", "cols:m timestamp\nrow:0x00000000000007D5\ndone:C1\n");
    /* INSERT ... SELECT gives each row its own version */
    run(f, "INSERT INTO rvm (id) SELECT id FROM rvdb.dbo.rv");
    EXPECT(f, "SELECT id, CAST(ts AS bigint) AS n FROM rvm ORDER BY n",
           "cols:id int,n bigint\nrow:1|2001\nrow:1|2002\nrow:2|2003\ndone:C3\n");
}

/* 273, 272, 2738, 1755 and the catalog facts of a rowversion column. */
static void test_rowversion_rules(void **state)
{
    struct fx *f = *state;
    run(f, "CREATE TABLE r2 (id int NOT NULL, v int NULL, rv rowversion)");
    const char *msg273 = "ERR 273,16,1: Cannot insert an explicit value into a timestamp column. Use INSERT with a column list to exclude the timestamp column, or insert a DEFAULT into the timestamp column.\ndone:E0\n";
    EXPECT(f, "INSERT INTO r2 VALUES (1, 1, 0x01)", msg273);
    EXPECT(f, "INSERT INTO r2 VALUES (1, 1, NULL)", msg273);
    EXPECT(f, "INSERT INTO r2 (id, rv) VALUES (1, NULL)", msg273);
    EXPECT(f, "INSERT INTO r2 SELECT 1, 1, 0x01", msg273);
    /* without a column list the rowversion still takes its place */
    EXPECT(f, "INSERT INTO r2 VALUES (1, 1)",
           "ERR 213,16,1: Column name or number of supplied values does not match table definition.\ndone:E0\n");
    EXPECT(f, "INSERT INTO r2 (id, rv) VALUES (1, DEFAULT)", "done:C1\n");
    EXPECT(f, "UPDATE r2 SET rv = 0x01", "ERR 272,16,1: Cannot update a timestamp column.\ndone:E0\n");
    EXPECT(f, "ALTER TABLE r2 ADD rv2 timestamp",
           "ERR 2738,16,1: A table can only have one timestamp column. Because table 'r2' already has one, the column 'rv2' cannot be added.\ndone:E0\n");
    run(f, "CREATE TABLE r3 (id int, a rowversion, b rowversion)");
    assert_int_equal(f->r.last_error, 2738);
    run(f, "CREATE TABLE r3 (id int, a rowversion DEFAULT 0x01)");
    assert_int_equal(f->r.last_error, 1755);
    EXPECT(f, "SELECT c.name, c.system_type_id, c.user_type_id, c.max_length, c.is_nullable, t.name AS tn"
              " FROM sys.columns c JOIN sys.types t ON t.user_type_id = c.user_type_id"
              " WHERE c.object_id = OBJECT_ID('r2') AND c.name = 'rv'",
           "cols:name nvarchar(128),system_type_id tinyint,user_type_id int,max_length smallint,is_nullable bit,tn nvarchar(128)\n"
           "row:rv|189|189|8|0|timestamp\ndone:C1\n");
    EXPECT(f, "SELECT DATA_TYPE, IS_NULLABLE FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = 'r2' AND COLUMN_NAME = 'rv'",
           "cols:DATA_TYPE nvarchar(128),IS_NULLABLE varchar(3)\nrow:timestamp|NO\ndone:C1\n");
    /* A column declared as a bare "timestamp" is a rowversion named timestamp. */
    run(f, "CREATE TABLE r4 (id int NOT NULL, timestamp)");
    run(f, "INSERT INTO r4 (id) VALUES (7)");
    EXPECT(f, "SELECT id, CASE WHEN timestamp > 0x00 THEN 1 END AS ok FROM r4", "cols:id int,ok int\nrow:7|1\ndone:C1\n");
    /* ALTER TABLE ADD gives existing rows their versions. */
    run(f, "CREATE TABLE r5 (id int NOT NULL); INSERT INTO r5 VALUES (1), (2)");
    run(f, "ALTER TABLE r5 ADD ver rowversion");
    assert_int_equal(f->r.nerrors, 0);
    EXPECT(f, "SELECT count(DISTINCT ver) AS n, count(*) AS c FROM r5 WHERE ver IS NOT NULL",
           "cols:n int,c int\nrow:2|2\ndone:C1\n");
}

/* Item of the freebcp suite: a datetime literal with more than three
 * fraction digits is refused by SQL Server (241) while datetime2 takes
 * up to seven; three digits or none work for datetime. */
static void test_datetime_literal_digits(void **state)
{
    struct fx *f = *state;
    run(f, "CREATE TABLE dl (a datetime NULL, b datetime2(7) NULL)");
    EXPECT(f, "INSERT INTO dl VALUES ('1999-12-31 23:00:00.000000', NULL)",
           "ERR 241,16,1: Conversion failed when converting date and/or time from character string.\n"
           "INFO 3621,0,0: The statement has been terminated.\ndone:E0\n");
    EXPECT(f, "INSERT INTO dl VALUES ('1999-12-31 23:00:00.000', '2000-01-02 00:00:37.123457'),"
              " ('1999-12-31 23:00:00', '2000-01-02 00:00:37.1234567')",
           "done:C2\n");
    EXPECT(f, "SELECT a, b FROM dl",
           "cols:a datetime,b datetime2(7)\n"
           "row:1999-12-31 23:00:00.000|2000-01-02 00:00:37.1234570\n"
           "row:1999-12-31 23:00:00.000|2000-01-02 00:00:37.1234567\ndone:C2\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rowversion_values, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_rowversion_rules, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_datetime_literal_digits, rec_setup, rec_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
