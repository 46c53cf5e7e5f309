/* Unit tests for emulator/engine/ct.c: SQL Server Change Tracking as
 * spec/ct-cdc.md Part A describes it (database and table switches and
 * their errors, the version counter, CHANGETABLE's net rows and output,
 * SYS_CHANGE_COLUMNS, CHANGE_TRACKING_* functions, contexts, retention
 * cleanup, snapshot consistency). Through the engine API; the same
 * behaviour is checked through pymssql in tests/conformance. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_engine_rec.h"

#define LOG(f) ((const char *)(f)->r.log.data)

/* The error number a batch ends with (0 if none). */
static int err(struct fx *f, const char *sql)
{
    run(f, sql);
    return f->r.last_error;
}

/* Database ctdb (tracked, retention 2 days) with table t (id PK, a, b). */
static void setup_t(struct fx *f, const char *track)
{
    run_ok(f, "CREATE DATABASE ctdb");
    run_ok(f, "USE ctdb");
    run_ok(f, "ALTER DATABASE ctdb SET CHANGE_TRACKING = ON");
    run_ok(f, "CREATE TABLE t (id int NOT NULL PRIMARY KEY, a int NULL, b varchar(10) NULL, c int NULL)");
    char sql[200];
    snprintf(sql, sizeof(sql), "ALTER TABLE t ENABLE CHANGE_TRACKING%s", track);
    run_ok(f, sql);
}

#define CURMIN "SELECT CHANGE_TRACKING_CURRENT_VERSION(), CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID('t'))"
#define NET(b) "SELECT SYS_CHANGE_OPERATION, SYS_CHANGE_VERSION, SYS_CHANGE_CREATION_VERSION, id" \
               " FROM CHANGETABLE(CHANGES t, " b ") AS ct ORDER BY id"

/* A1: the database switch, its settings and errors. */
static void test_database_switch(void **state)
{
    struct fx *f = *state;
    run_ok(f, "CREATE DATABASE d1x");
    EXPECT(f, "ALTER DATABASE d1x SET CHANGE_TRACKING = ON (CHANGE_RETENTION = 5 HOURS, AUTO_CLEANUP = OFF)", "done:0\n");
    EXPECT(f, "SELECT * FROM sys.change_tracking_databases",
           "cols:database_id int,is_auto_cleanup_on bit,retention_period int,retention_period_units tinyint,"
           "retention_period_units_desc nvarchar(60)\nrow:5|0|5|2|HOURS\ndone:C1\n");
    EXPECT(f, "ALTER DATABASE d1x SET CHANGE_TRACKING = ON",
           "ERR 5088,16,1: Change tracking is already enabled for database 'd1x'.\n"
           "ERR 5069,16,1: ALTER DATABASE statement failed.\ndone:E0\n");
    run_ok(f, "ALTER DATABASE d1x SET CHANGE_TRACKING (CHANGE_RETENTION = 30 MINUTES)");
    assert_string_equal(run_rows(f, "SELECT is_auto_cleanup_on, retention_period, retention_period_units_desc"
                                " FROM sys.change_tracking_databases"),
                        "0|30|MINUTES\n");
    run_ok(f, "ALTER DATABASE d1x SET CHANGE_TRACKING (AUTO_CLEANUP = ON)");
    assert_string_equal(run_rows(f, "SELECT is_auto_cleanup_on, retention_period FROM sys.change_tracking_databases"),
                        "1|30\n");
    assert_int_equal(err(f, "ALTER DATABASE d1x SET CHANGE_TRACKING = ON (CHANGE_RETENTION = 0 DAYS)"), 5092);
    EXPECT_IN(LOG(f), "ERR 5092,15,1: The value for change tracking option 'CHANGE_RETENTION' is not valid. The value must be between 1 and 2147483647 minutes.");
    assert_int_equal(err(f, "ALTER DATABASE d1x SET CHANGE_TRACKING (CHANGE_RETENTION = 2000000 DAYS)"), 5092);
    EXPECT(f, "ALTER DATABASE d1x SET CHANGE_TRACKING (CHANGE_RETENTION = 2 WEEKS)",
           "ERR 155,15,1: 'WEEKS' is not a recognized CHANGE RETENTION UNIT option.\ndone:E0\n");
    assert_int_equal(err(f, "ALTER DATABASE d1x SET CHANGE_TRACKING (CHANGE_RETENTION = 2 DAY)"), 155);
    EXPECT(f, "ALTER DATABASE d1x SET CHANGE_TRACKING (AUTO_CLEANUP = ON, AUTO_CLEANUP = OFF)",
           "ERR 5091,15,1: ALTER DATABASE change tracking option 'AUTO_CLEANUP' was specified more than once. Each option can be specified only once.\ndone:E0\n");
    EXPECT(f, "ALTER DATABASE d1x SET CHANGE_TRACKING = OFF, ALLOW_SNAPSHOT_ISOLATION ON",
           "ERR 22114,16,1: Change tracking options for ALTER DATABASE cannot be combined with other ALTER DATABASE options.\n"
           "ERR 5069,16,1: ALTER DATABASE statement failed.\ndone:E0\n");
    assert_int_equal(err(f, "BEGIN TRAN; ALTER DATABASE d1x SET CHANGE_TRACKING = OFF"), 226);
    run_ok(f, "ROLLBACK");
    /* OFF refused while a table is tracked */
    run_ok(f, "USE d1x; CREATE TABLE t (id int NOT NULL PRIMARY KEY); ALTER TABLE t ENABLE CHANGE_TRACKING");
    EXPECT(f, "ALTER DATABASE d1x SET CHANGE_TRACKING = OFF",
           "ERR 22115,16,1: Change tracking is enabled for one or more tables in database 'd1x'. Disable change tracking on each table before disabling it for the database. Use the sys.change_tracking_tables catalog view to obtain a list of tables for which change tracking is enabled.\n"
           "ERR 5069,16,1: ALTER DATABASE statement failed.\ndone:E0\n");
    assert_string_equal(run_rows(f, "SELECT DATABASEPROPERTYEX(DB_NAME(), 'IsChangeTrackingEnabled')"), "1\n");
    /* the counter survives OFF/ON: 2 commits, disable, off, on, enable */
    run_ok(f, "INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)");
    run_ok(f, "ALTER TABLE t DISABLE CHANGE_TRACKING");
    run_ok(f, "ALTER DATABASE d1x SET CHANGE_TRACKING = OFF");
    assert_string_equal(run_rows(f, CURMIN), "NULL|NULL\n");
    assert_string_equal(run_rows(f, "SELECT DATABASEPROPERTYEX('d1x', 'IsChangeTrackingEnabled'), count(*)"
                                " FROM sys.change_tracking_databases"),
                        "0|0\n");
    EXPECT(f, "ALTER DATABASE d1x SET CHANGE_TRACKING = OFF",
           "ERR 5089,16,1: Change tracking is disabled for database 'd1x'. Change tracking must be enabled on a database to modify change tracking settings.\n"
           "ERR 5069,16,1: ALTER DATABASE statement failed.\ndone:E0\n");
    assert_int_equal(err(f, "ALTER DATABASE d1x SET CHANGE_TRACKING (AUTO_CLEANUP = OFF)"), 5069);
    EXPECT_IN(LOG(f), "ERR 5089,16,2:");
    run_ok(f, "ALTER DATABASE CURRENT SET CHANGE_TRACKING = ON");
    run_ok(f, "ALTER TABLE t ENABLE CHANGE_TRACKING");
    assert_string_equal(run_rows(f, CURMIN), "2|2\n");
    assert_string_equal(run_rows(f, "SELECT is_auto_cleanup_on, retention_period, retention_period_units,"
                                " retention_period_units_desc FROM sys.change_tracking_databases"),
                        "1|2|3|DAYS\n");
    /* DROP DATABASE forgets the settings */
    run_ok(f, "USE master; DROP DATABASE d1x");
    assert_string_equal(run_rows(f, "SELECT count(*) FROM sys.change_tracking_databases"), "0\n");
}

/* A1: the table switch and its errors; DDL on tracked tables. */
static void test_table_switch(void **state)
{
    struct fx *f = *state;
    run_ok(f, "CREATE DATABASE ts; USE ts");
    run_ok(f, "CREATE TABLE t (id int NOT NULL PRIMARY KEY, v int NULL)");
    EXPECT(f, "ALTER TABLE t ENABLE CHANGE_TRACKING",
           "ERR 1718,16,1: Change tracking must be enabled on database 'ts' before it can be enabled on table 't'.\ndone:E0\n");
    run_ok(f, "ALTER DATABASE ts SET CHANGE_TRACKING = ON");
    run_ok(f, "CREATE TABLE nopk (id int NOT NULL, v int NULL)");
    EXPECT(f, "ALTER TABLE nopk ENABLE CHANGE_TRACKING",
           "ERR 4997,16,1: Cannot enable change tracking on table 'nopk'. Change tracking requires a primary key on the table. Create a primary key on the table before enabling change tracking.\ndone:E0\n");
    run_ok(f, "CREATE TABLE tspk (rv timestamp NOT NULL PRIMARY KEY, v int NULL)");
    EXPECT(f, "ALTER TABLE tspk ENABLE CHANGE_TRACKING",
           "ERR 4999,16,1: Cannot enable change tracking on table 'tspk'. Change tracking does not support a primary key of type timestamp on a table.\ndone:E0\n");
    EXPECT(f, "ALTER TABLE t DISABLE CHANGE_TRACKING",
           "ERR 4998,16,1: Change tracking is not enabled on table 't'.\ndone:E0\n");
    /* transactional: a rolled-back ENABLE leaves nothing */
    run_ok(f, "BEGIN TRAN; ALTER TABLE t ENABLE CHANGE_TRACKING WITH (TRACK_COLUMNS_UPDATED = ON); ROLLBACK");
    assert_string_equal(run_rows(f, "SELECT count(*) FROM sys.change_tracking_tables"), "0\n");
    run_ok(f, "ALTER TABLE t ENABLE CHANGE_TRACKING WITH (TRACK_COLUMNS_UPDATED = ON)");
    EXPECT(f, "ALTER TABLE t ENABLE CHANGE_TRACKING",
           "ERR 4996,16,1: Change tracking is already enabled for table 't'.\ndone:E0\n");
    EXPECT(f, "SELECT CASE WHEN object_id = OBJECT_ID('t') THEN 1 ELSE 0 END AS same, is_track_columns_updated_on,"
              " begin_version, cleanup_version, min_valid_version FROM sys.change_tracking_tables",
           "cols:same int,is_track_columns_updated_on bit,begin_version bigint,cleanup_version bigint,"
           "min_valid_version bigint\nrow:1|1|0|0|0\ndone:C1\n");
    run_ok(f, "BEGIN TRAN; ALTER TABLE t DISABLE CHANGE_TRACKING; ROLLBACK");
    assert_string_equal(run_rows(f, "SELECT count(*) FROM sys.change_tracking_tables"), "1\n");
    /* the primary key cannot go while tracked: 3735, then 3727 */
    run_ok(f, "CREATE TABLE k (id int NOT NULL CONSTRAINT PK_k PRIMARY KEY); ALTER TABLE k ENABLE CHANGE_TRACKING");
    EXPECT(f, "ALTER TABLE k DROP CONSTRAINT PK_k",
           "ERR 3735,16,1: The primary key constraint 'PK_k' on table 'k' cannot be dropped because change tracking is enabled on the table. Change tracking requires a primary key constraint on the table. Disable change tracking before dropping the constraint.\n"
           "ERR 3727,16,1: Could not drop constraint. See previous errors.\ndone:E0\n");
    run_ok(f, "ALTER TABLE k DISABLE CHANGE_TRACKING; ALTER TABLE k DROP CONSTRAINT PK_k");
    /* CHANGE_TRACKING_MIN_VALID_VERSION: NULL for system objects, untracked
     * and unknown objects; 8116 for a tinyint or NULL argument */
    assert_string_equal(run_rows(f, "SELECT CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID('sys.objects')),"
                                " CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID('k')), CHANGE_TRACKING_MIN_VALID_VERSION(12345),"
                                " CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID('t'))"),
                        "NULL|NULL|NULL|0\n");
    EXPECT(f, "SELECT CHANGE_TRACKING_MIN_VALID_VERSION(CAST(1 AS tinyint))",
           "ERR 8116,16,1: Argument data type tinyint is invalid for argument 1 of change_tracking_min_valid_version function.\ndone:E0\n");
    assert_int_equal(err(f, "SELECT CHANGE_TRACKING_MIN_VALID_VERSION(NULL)"), 8116);
    EXPECT_IN(LOG(f), "Argument data type NULL is invalid");
    /* DROP TABLE removes the CT data */
    run_ok(f, "INSERT INTO t VALUES (1, 1); DROP TABLE t");
    assert_string_equal(run_rows(f, "SELECT count(*) FROM sys.change_tracking_tables"), "0\n");
    run_ok(f, "CREATE TABLE t (id int NOT NULL PRIMARY KEY, v int NULL); ALTER TABLE t ENABLE CHANGE_TRACKING");
    assert_string_equal(run_rows(f, "SELECT count(*) FROM CHANGETABLE(CHANGES t, NULL) AS c"), "0\n");
    assert_string_equal(run_rows(f, CURMIN), "1|1\n");
}

/* A2: one version per committed transaction that touched a tracked table. */
static void test_counter(void **state)
{
    struct fx *f = *state;
    setup_t(f, "");
    run_ok(f, "CREATE TABLE u (id int NOT NULL PRIMARY KEY)");
    assert_string_equal(run_rows(f, CURMIN), "0|0\n");
    run_ok(f, "INSERT INTO t (id) VALUES (1), (2), (3)");
    assert_string_equal(run_rows(f, CURMIN), "1|0\n");
    run_ok(f, "BEGIN TRAN; INSERT INTO t (id) VALUES (4); UPDATE t SET a = 1; DELETE FROM t WHERE id = 2; COMMIT");
    assert_string_equal(run_rows(f, "SELECT CHANGE_TRACKING_CURRENT_VERSION()"), "2\n");
    /* nothing moves it: untracked writes, rollbacks, savepoints, 0-row
     * updates, failed statements, TRUNCATE of another table */
    run_ok(f, "INSERT INTO u VALUES (1)");
    run_ok(f, "BEGIN TRAN; INSERT INTO t (id) VALUES (10); ROLLBACK");
    run_ok(f, "BEGIN TRAN; SAVE TRAN s; UPDATE t SET a = 5; ROLLBACK TRAN s; COMMIT");
    run_ok(f, "UPDATE t SET a = 9 WHERE id = 99");
    assert_int_equal(err(f, "INSERT INTO t (id) VALUES (20), (1)"), 2627);
    run_ok(f, "TRUNCATE TABLE u");
    assert_string_equal(run_rows(f, "SELECT CHANGE_TRACKING_CURRENT_VERSION()"), "2\n");
    /* an update to the same value does */
    run_ok(f, "UPDATE t SET a = a WHERE id = 1");
    assert_string_equal(run_rows(f, "SELECT CHANGE_TRACKING_CURRENT_VERSION()"), "3\n");
    /* the session's own open transaction is not counted */
    assert_string_equal(run_rows(f, "BEGIN TRAN; INSERT INTO t (id) VALUES (30); SELECT CHANGE_TRACKING_CURRENT_VERSION()"),
                        "3\n");
    run_ok(f, "COMMIT");
    assert_string_equal(run_rows(f, "SELECT CHANGE_TRACKING_CURRENT_VERSION()"), "4\n");
    /* a batch of several autocommit statements: one version each */
    run_ok(f, "INSERT INTO t (id) VALUES (31); INSERT INTO t (id) VALUES (32)");
    assert_string_equal(run_rows(f, "SELECT CHANGE_TRACKING_CURRENT_VERSION()"), "6\n");
}

/* A4: the net-change table of spec/ct-cdc.md, keys 1..3 inserted at 1. */
static void test_net_rows(void **state)
{
    struct fx *f = *state;
    setup_t(f, "");
    run_ok(f, "INSERT INTO t (id) VALUES (1), (2), (3)");
    assert_string_equal(run_rows(f, NET("0")), "I|1|1|1\nI|1|1|2\nI|1|1|3\n");
    run_ok(f, "UPDATE t SET a = 1 WHERE id = 1");               /* @2 */
    run_ok(f, "DELETE FROM t WHERE id = 2");                    /* @3 */
    assert_string_equal(run_rows(f, NET("0")), "I|2|1|1\nD|3|1|2\nI|1|1|3\n");
    assert_string_equal(run_rows(f, NET("1")), "U|2|NULL|1\nD|3|NULL|2\n");
    /* insert then delete of a key the client never saw: still D, with
     * its creation version */
    run_ok(f, "INSERT INTO t (id) VALUES (5)");                 /* @4 */
    run_ok(f, "DELETE FROM t WHERE id = 5");                    /* @5 */
    assert_string_equal(run_rows(f, NET("3")), "D|5|4|5\n");
    /* delete and re-insert of an existing key: U with both versions */
    run_ok(f, "DELETE FROM t WHERE id = 3");                    /* @6 */
    run_ok(f, "INSERT INTO t (id) VALUES (3)");                 /* @7 */
    assert_string_equal(run_rows(f, NET("5")), "U|7|7|3\n");
    /* del/ins/del/ins */
    run_ok(f, "BEGIN TRAN; DELETE FROM t WHERE id = 1; INSERT INTO t (id) VALUES (1); COMMIT");  /* @8 */
    run_ok(f, "BEGIN TRAN; DELETE FROM t WHERE id = 1; INSERT INTO t (id) VALUES (1); COMMIT");  /* @9 */
    assert_string_equal(run_rows(f, NET("7")), "U|9|9|1\n");
    /* one transaction: insert + delete of a new key, insert/delete/insert */
    run_ok(f, "BEGIN TRAN; INSERT INTO t (id) VALUES (7); DELETE FROM t WHERE id = 7;"
          " INSERT INTO t (id) VALUES (8); DELETE FROM t WHERE id = 8; INSERT INTO t (id) VALUES (8); COMMIT"); /* @10 */
    assert_string_equal(run_rows(f, NET("9")), "D|10|10|7\nI|10|10|8\n");
    /* an existing key deleted, inserted and updated in one transaction */
    run_ok(f, "INSERT INTO t (id) VALUES (9)");                 /* @11 */
    run_ok(f, "BEGIN TRAN; DELETE FROM t WHERE id = 9; INSERT INTO t (id) VALUES (9); UPDATE t SET a = 2 WHERE id = 9;"
          " COMMIT");                                       /* @12 */
    assert_string_equal(run_rows(f, NET("11")), "U|12|12|9\n");
    assert_string_equal(run_rows(f, "SELECT SYS_CHANGE_OPERATION, SYS_CHANGE_VERSION, SYS_CHANGE_CREATION_VERSION"
                                " FROM CHANGETABLE(CHANGES t, 0) AS ct WHERE id = 9"),
                        "I|12|12\n");
    /* a baseline inside an insert/update chain flips I and U */
    run_ok(f, "UPDATE t SET a = 3 WHERE id = 9");               /* @13 */
    assert_string_equal(run_rows(f, "SELECT SYS_CHANGE_OPERATION FROM CHANGETABLE(CHANGES t, 12) AS ct WHERE id = 9"),
                        "U\n");
    assert_string_equal(run_rows(f, "SELECT SYS_CHANGE_OPERATION FROM CHANGETABLE(CHANGES t, 10) AS ct WHERE id = 9"),
                        "I\n");
    /* an UPDATE touching 0 rows: no row */
    run_ok(f, "UPDATE t SET a = 4 WHERE id = 100");
    assert_string_equal(run_rows(f, NET("13")), "");
}

/* A4: primary-key updates are a delete of the old key and an insert of
 * the new one. */
static void test_key_updates(void **state)
{
    struct fx *f = *state;
    setup_t(f, " WITH (TRACK_COLUMNS_UPDATED = ON)");
    run_ok(f, "INSERT INTO t (id, a) VALUES (1, 1), (2, 2), (3, 3)");
    run_ok(f, "UPDATE t SET id = id + 10");
    assert_string_equal(run_rows(f, NET("1")), "D|2|NULL|1\nD|2|NULL|2\nD|2|NULL|3\nI|2|2|11\nI|2|2|12\nI|2|2|13\n");
    run_ok(f, "UPDATE t SET id = id - 10");
    /* SET id = id + 1 over 1..3: 1 D, 2 and 3 U (created again), 4 I */
    run_ok(f, "UPDATE t SET id = id + 1");
    assert_string_equal(run_rows(f, "SELECT id, a FROM t ORDER BY id"), "2|1\n3|2\n4|3\n");
    assert_string_equal(run_rows(f, NET("3")), "D|4|NULL|1\nU|4|4|2\nU|4|4|3\nI|4|4|4\n");
    /* a real duplicate still fails */
    assert_int_equal(err(f, "UPDATE t SET id = 2"), 2627);
    /* the key set to itself: U, created again, no column list */
    run_ok(f, "UPDATE t SET id = id WHERE id = 2");
    assert_string_equal(run_rows(f, "SELECT SYS_CHANGE_OPERATION, SYS_CHANGE_VERSION, SYS_CHANGE_CREATION_VERSION,"
                                " SYS_CHANGE_COLUMNS FROM CHANGETABLE(CHANGES t, 4) AS ct"),
                        "U|5|5|NULL\n");
    /* case-insensitive keys: a respelling is the same key, first spelling kept */
    run_ok(f, "CREATE TABLE s (k varchar(10) NOT NULL PRIMARY KEY, v int NULL); ALTER TABLE s ENABLE CHANGE_TRACKING");
    run_ok(f, "INSERT INTO s VALUES ('b', 1)");
    run_ok(f, "UPDATE s SET k = 'B' WHERE k = 'b'");
    assert_string_equal(run_rows(f, "SELECT SYS_CHANGE_OPERATION, k FROM CHANGETABLE(CHANGES s, 0) AS ct"), "I|b\n");
    assert_string_equal(run_rows(f, "SELECT SYS_CHANGE_OPERATION, k FROM CHANGETABLE(CHANGES s, 6) AS ct"), "U|b\n");
}

/* A4: SYS_CHANGE_COLUMNS and A5 CHANGE_TRACKING_IS_COLUMN_IN_MASK. */
static void test_change_columns(void **state)
{
    struct fx *f = *state;
    setup_t(f, " WITH (TRACK_COLUMNS_UPDATED = ON)");
    run_ok(f, "INSERT INTO t VALUES (1, 1, 'x', 1), (2, 2, 'y', 2)");
    run_ok(f, "UPDATE t SET b = 'z' WHERE id = 1");
    assert_string_equal(run_rows(f, "SELECT SYS_CHANGE_COLUMNS FROM CHANGETABLE(CHANGES t, 1) AS ct"), "0x0000000003000000\n");
    run_ok(f, "UPDATE t SET c = 5, a = 3 WHERE id = 1");
    assert_string_equal(run_rows(f, "SELECT SYS_CHANGE_COLUMNS FROM CHANGETABLE(CHANGES t, 1) AS ct"),
                        "0x00000000030000000400000002000000\n");
    /* every non-key column in one statement: NULL; across statements: a list */
    run_ok(f, "UPDATE t SET a = 0, b = 'q', c = 0 WHERE id = 2");
    assert_string_equal(run_rows(f, "SELECT id, SYS_CHANGE_COLUMNS FROM CHANGETABLE(CHANGES t, 1) AS ct ORDER BY id"),
                        "1|0x00000000030000000400000002000000\n2|NULL\n");
    /* inserts and deletes: NULL */
    assert_string_equal(run_rows(f, "SELECT count(*) FROM CHANGETABLE(CHANGES t, 0) AS ct WHERE SYS_CHANGE_COLUMNS IS NOT NULL"),
                        "0\n");
    /* IS_COLUMN_IN_MASK over the real masks */
    assert_string_equal(run_rows(f, "SELECT id, CHANGE_TRACKING_IS_COLUMN_IN_MASK(COLUMNPROPERTY(OBJECT_ID('t'), 'a', 'ColumnId'),"
                                " SYS_CHANGE_COLUMNS), CHANGE_TRACKING_IS_COLUMN_IN_MASK(1, SYS_CHANGE_COLUMNS)"
                                " FROM CHANGETABLE(CHANGES t, 1) AS ct ORDER BY id"),
                        "1|1|0\n2|1|1\n");
    assert_string_equal(run_rows(f, "SELECT CHANGE_TRACKING_IS_COLUMN_IN_MASK(3, NULL),"
                                " CHANGE_TRACKING_IS_COLUMN_IN_MASK(3, 0x0000000003000000FF),"
                                " CHANGE_TRACKING_IS_COLUMN_IN_MASK(3, 0x0100000003000000),"
                                " CHANGE_TRACKING_IS_COLUMN_IN_MASK(4, 0x0000000003000000)"),
                        "1|1|0|0\n");
    EXPECT(f, "SELECT CHANGE_TRACKING_IS_COLUMN_IN_MASK(3, 0x00000000)",
           "cols: bit\nERR 22101,16,1: The value supplied for the change_columns argument of CHANGE_TRACKING_IS_COLUMN_IN_MASK function is not valid. The value must be a bitmask returned by the CHANGETABLE(CHANGES ...) function.\ndone:E0\n");
    assert_int_equal(err(f, "SELECT CHANGE_TRACKING_IS_COLUMN_IN_MASK(3, 0x)"), 22101);
    assert_int_equal(err(f, "SELECT CHANGE_TRACKING_IS_COLUMN_IN_MASK(3, 5)"), 22101);
    assert_int_equal(err(f, "SELECT CHANGE_TRACKING_IS_COLUMN_IN_MASK(NULL, 0x0000000003000000)"), 8116);
    assert_int_equal(err(f, "SELECT CHANGE_TRACKING_IS_COLUMN_IN_MASK(CAST(3 AS bigint), 0x0000000003000000)"), 8116);
    assert_int_equal(err(f, "SELECT CHANGE_TRACKING_IS_COLUMN_IN_MASK('3', 0x0000000003000000)"), 8116);
    /* a rowversion column is listed on every update; delete + re-insert: NULL */
    run_ok(f, "CREATE TABLE r (id int NOT NULL PRIMARY KEY, v int NULL, w int NULL, rv rowversion);"
          " ALTER TABLE r ENABLE CHANGE_TRACKING WITH (TRACK_COLUMNS_UPDATED = ON)");
    run_ok(f, "INSERT INTO r (id, v) VALUES (1, 1), (2, 2)");
    run_ok(f, "UPDATE r SET v = 5");
    run_ok(f, "BEGIN TRAN; DELETE FROM r WHERE id = 2; INSERT INTO r (id) VALUES (2); COMMIT");
    assert_string_equal(run_rows(f, "SELECT id, SYS_CHANGE_OPERATION, SYS_CHANGE_COLUMNS FROM CHANGETABLE(CHANGES r, 5) AS ct"
                                " ORDER BY id"),
                        "1|U|0x000000000200000004000000\n2|U|NULL\n");
    /* column tracking off: always NULL */
    run_ok(f, "CREATE TABLE n (id int NOT NULL PRIMARY KEY, v int NULL, w int NULL); ALTER TABLE n ENABLE CHANGE_TRACKING;"
          " INSERT INTO n VALUES (1, 1, 1)");
    run_ok(f, "UPDATE n SET v = 2");
    assert_string_equal(run_rows(f, "SELECT SYS_CHANGE_OPERATION, SYS_CHANGE_COLUMNS FROM CHANGETABLE(CHANGES n, 8) AS ct"),
                        "U|NULL\n");
}

/* A4: the baseline argument. */
static void test_baseline(void **state)
{
    struct fx *f = *state;
    setup_t(f, "");
    run_ok(f, "INSERT INTO t (id) VALUES (1); INSERT INTO t (id) VALUES (2)");
    assert_string_equal(run_rows(f, "SELECT count(*) FROM CHANGETABLE(CHANGES t, NULL) AS ct"), "2\n");
    assert_string_equal(run_rows(f, "SELECT count(*) FROM CHANGETABLE(CHANGES t, -1) AS ct"), "0\n");
    assert_string_equal(run_rows(f, "SELECT count(*) FROM CHANGETABLE(CHANGES t, 99) AS ct"), "0\n");
    assert_string_equal(run_rows(f, "DECLARE @v bigint = 1; SELECT id FROM CHANGETABLE(CHANGES t, @v) AS ct"), "2\n");
    assert_string_equal(run_rows(f, "DECLARE @v int = NULL; SELECT count(*) FROM CHANGETABLE(CHANGES t, @v) AS ct"), "2\n");
    EXPECT(f, "DECLARE @v bigint = 1; SELECT * FROM CHANGETABLE(CHANGES t, @v + 1) AS ct",
           "ERR 102,15,1: Incorrect syntax near '+'.\ndone:E0\n");
    assert_int_equal(err(f, "DECLARE @v varchar(10) = '1'; SELECT * FROM CHANGETABLE(CHANGES t, @v) AS ct"), 8114);
    assert_int_equal(err(f, "DECLARE @v datetime = GETDATE(); SELECT * FROM CHANGETABLE(CHANGES t, @v) AS ct"), 257);
    assert_int_equal(err(f, "SELECT * FROM CHANGETABLE(CHANGES t, @nope) AS ct"), 137);
    /* FORCESEEK is accepted */
    assert_string_equal(run_rows(f, "SELECT count(*) FROM CHANGETABLE(CHANGES t, 0, FORCESEEK) AS ct"), "2\n");
}

/* Edge case 5: TRUNCATE records no rows and restarts the history. */
static void test_truncate(void **state)
{
    struct fx *f = *state;
    setup_t(f, "");
    run_ok(f, "INSERT INTO t (id) VALUES (1), (2)");
    run_ok(f, "TRUNCATE TABLE t");
    assert_string_equal(run_rows(f, CURMIN), "1|1\n");
    assert_string_equal(run_rows(f, "SELECT begin_version, min_valid_version FROM sys.change_tracking_tables"), "1|1\n");
    assert_string_equal(run_rows(f, "SELECT count(*) FROM CHANGETABLE(CHANGES t, 0) AS ct"), "0\n");
    run_ok(f, "INSERT INTO t (id) VALUES (3)");
    assert_string_equal(run_rows(f, NET("0")), "I|2|2|3\n");
}

/* Edge cases 8 and 10: compile-time errors and the output's shape. */
static void test_errors_and_shape(void **state)
{
    struct fx *f = *state;
    setup_t(f, "");
    run_ok(f, "CREATE TABLE u (id int NOT NULL PRIMARY KEY)");
    /* 22105 fails the whole batch before anything runs, in a dead branch too */
    EXPECT(f, "INSERT INTO u VALUES (1)\nIF 1 = 0 SELECT * FROM CHANGETABLE(CHANGES u, 0) AS c",
           "ERR 22105,16,1: Change tracking is not enabled on table 'u'.\ndone:E0\n");
    assert_string_equal(run_rows(f, "SELECT count(*) FROM u"), "0\n");
    assert_int_equal(err(f, "CREATE PROCEDURE p AS SELECT * FROM CHANGETABLE(CHANGES dbo.u, 0) AS c"), 22105);
    EXPECT_IN(LOG(f), "'dbo.u'");
    assert_int_equal(err(f, "EXEC p"), 2812);
    /* a table created earlier in the batch is checked when the statement runs */
    const char *out = run(f, "CREATE TABLE v (id int NOT NULL PRIMARY KEY)\nSELECT * FROM CHANGETABLE(CHANGES v, 0) AS c");
    EXPECT_IN(out, "done:0\nERR 22105,16,1");
    EXPECT(f, "SELECT * FROM CHANGETABLE(CHANGES t, 0)",
           "ERR 22104,16,1: A table returned by the CHANGETABLE function must be aliased.\ndone:E0\n");
    EXPECT(f, "SELECT * FROM CHANGETABLE(CHANGES sys.objects, 0) AS c",
           "ERR 22107,16,1: Object 'sys.objects' is of a data type that is not supported by the CHANGETABLE function. The object must be a user-defined table.\ndone:E0\n");
    assert_int_equal(err(f, "SELECT * FROM CHANGETABLE(CHANGES nosuch, 0) AS c"), 208);
    /* the output: 5 SYS_ columns, then the key in key order */
    run_ok(f, "CREATE TABLE pk2 (id int NOT NULL, x int NULL, k nvarchar(5) NOT NULL, CONSTRAINT PK_pk2 PRIMARY KEY (k, id));"
          " ALTER TABLE pk2 ENABLE CHANGE_TRACKING; INSERT INTO pk2 VALUES (7, 0, N'a')");
    EXPECT(f, "SELECT * FROM CHANGETABLE(CHANGES pk2, 0) AS c",
           "cols:SYS_CHANGE_VERSION bigint,SYS_CHANGE_CREATION_VERSION bigint,SYS_CHANGE_OPERATION nchar(1),"
           "SYS_CHANGE_COLUMNS varbinary(4100),SYS_CHANGE_CONTEXT varbinary(128),k nvarchar(5),id int\n"
           "row:1|1|I|NULL|NULL|a|7\ndone:C1\n");
    static const bool nullable[] = {false, true, false, true, true, false, false};
    for (int i = 0; i < 7; i++)
        assert_int_equal((f->r.cols[i].flags & ENGINE_COL_NULLABLE) != 0, nullable[i]);
    /* column aliases */
    EXPECT(f, "SELECT c.ver, c.kk, c.ii FROM CHANGETABLE(CHANGES pk2, 0) AS c(ver, cv, op, cl, cx, kk, ii)",
           "cols:ver bigint,kk nvarchar(5),ii int\nrow:1|a|7\ndone:C1\n");
    assert_int_equal(err(f, "SELECT * FROM CHANGETABLE(CHANGES pk2, 0) AS c(a, b)"), 8158);
    /* LEFT JOIN: a deleted row has NULL base columns; inner joins work too */
    run_ok(f, "INSERT INTO t VALUES (1, 10, 'x', 0), (2, 20, 'y', 0); DELETE FROM t WHERE id = 2");
    assert_string_equal(run_rows(f, "SELECT CT.SYS_CHANGE_OPERATION, CT.id, T.a, T.b FROM CHANGETABLE(CHANGES [dbo].[t], 0) AS CT"
                                " LEFT OUTER JOIN [dbo].[t] AS T ON T.id = CT.id ORDER BY CT.SYS_CHANGE_VERSION, CT.id"),
                        "I|1|10|x\nD|2|NULL|NULL\n");
    assert_string_equal(run_rows(f, "SELECT T.a FROM [dbo].[t] AS T JOIN CHANGETABLE(CHANGES t, 0) AS CT ON T.id = CT.id"),
                        "10\n");
    /* on the inner side of a join too (filtered again per outer row) */
    run_ok(f, "INSERT INTO t VALUES (3, 30, 'z', 0), (4, 40, 'w', 0)");
    assert_string_equal(run_rows(f, "SELECT T.id, CT.SYS_CHANGE_OPERATION FROM t AS T LEFT JOIN CHANGETABLE(CHANGES t, 3) AS CT"
                                " ON CT.id = T.id ORDER BY T.id"),
                        "1|NULL\n3|I\n4|I\n");
    assert_string_equal(run_rows(f, "SELECT count(*) FROM t WHERE EXISTS (SELECT 1 FROM CHANGETABLE(CHANGES t, 0) AS c"
                                " WHERE c.id = t.id)"),
                        "3\n");
}

/* Edge case 11: CHANGETABLE(VERSION ...). */
static void test_version(void **state)
{
    struct fx *f = *state;
    run_ok(f, "CREATE DATABASE vdb; USE vdb; ALTER DATABASE vdb SET CHANGE_TRACKING = ON");
    run_ok(f, "CREATE TABLE t (k int NOT NULL, id int NOT NULL, v int NULL, CONSTRAINT PK_t PRIMARY KEY (k, id))");
    run_ok(f, "INSERT INTO t VALUES (1, 1, 0), (1, 2, 0)"); /* before tracking: unchanged rows */
    run_ok(f, "ALTER TABLE t ENABLE CHANGE_TRACKING");
    run_ok(f, "UPDATE t SET v = 1 WHERE id = 2");
    EXPECT(f, "SELECT * FROM CHANGETABLE(VERSION t, (id, k), (2, 1)) AS v",
           "cols:SYS_CHANGE_VERSION bigint,SYS_CHANGE_CONTEXT varbinary(128),k int,id int\nrow:1|NULL|1|2\ndone:C1\n");
    assert_string_equal(run_rows(f, "SELECT SYS_CHANGE_VERSION FROM CHANGETABLE(VERSION t, (k, id), (1, 1)) AS v"), "NULL\n");
    assert_string_equal(run_rows(f, "SELECT count(*) FROM CHANGETABLE(VERSION t, (k, id), (9, 9)) AS v"), "0\n");
    /* the session's own uncommitted change has no version yet */
    assert_string_equal(run_rows(f, "BEGIN TRAN; INSERT INTO t VALUES (2, 1, 0);"
                                " SELECT SYS_CHANGE_VERSION FROM CHANGETABLE(VERSION t, (k, id), (2, 1)) AS v"),
                        "NULL\n");
    run_ok(f, "COMMIT");
    assert_string_equal(run_rows(f, "DECLARE @k int = 2; SELECT SYS_CHANGE_VERSION FROM CHANGETABLE(VERSION t, (k, id), (@k, 1)) AS v"),
                        "2\n");
    assert_int_equal(err(f, "SELECT * FROM CHANGETABLE(VERSION t, (k), (1)) AS v"), 22110);
    EXPECT_IN(LOG(f), "does not match the number of primary key columns for table 't'");
    assert_int_equal(err(f, "SELECT * FROM CHANGETABLE(VERSION t, (k, v), (1, 1)) AS v"), 22111);
    assert_int_equal(err(f, "SELECT * FROM CHANGETABLE(VERSION t, (k, k), (1, 1)) AS v"), 22112);
    assert_int_equal(err(f, "SELECT * FROM CHANGETABLE(VERSION t, (k, id), (1)) AS v"), 22103);
    assert_int_equal(err(f, "SELECT * FROM CHANGETABLE(VERSION t, (k, id), ('x', 1)) AS v"), 245);
}

/* A7: WITH CHANGE_TRACKING_CONTEXT. */
static void test_context(void **state)
{
    struct fx *f = *state;
    setup_t(f, "");
    run_ok(f, "WITH CHANGE_TRACKING_CONTEXT (0x0102) INSERT INTO t (id) VALUES (1), (2)");
    run_ok(f, "DECLARE @c varbinary(128) = 0xAB; WITH CHANGE_TRACKING_CONTEXT (@c) UPDATE t SET a = 1 WHERE id = 2");
    run_ok(f, "WITH CHANGE_TRACKING_CONTEXT (0x) INSERT INTO t (id) VALUES (3)");
    assert_string_equal(run_rows(f, "SELECT id, SYS_CHANGE_CONTEXT FROM CHANGETABLE(CHANGES t, 0) AS ct ORDER BY id"),
                        "1|0x0102\n2|0xAB\n3|0x\n");
    /* the last statement that touched a row decides, even without a context */
    run_ok(f, "UPDATE t SET a = 2 WHERE id = 1");
    assert_string_equal(run_rows(f, "SELECT SYS_CHANGE_CONTEXT FROM CHANGETABLE(CHANGES t, 0) AS ct WHERE id = 1"), "NULL\n");
    assert_string_equal(run_rows(f, "SELECT SYS_CHANGE_CONTEXT FROM CHANGETABLE(VERSION t, (id), (2)) AS v"), "0xAB\n");
    EXPECT(f, "WITH CHANGE_TRACKING_CONTEXT (NULL) INSERT INTO t (id) VALUES (9)",
           "ERR 156,15,1: Incorrect syntax near the keyword 'NULL'.\ndone:E0\n");
    EXPECT(f, "WITH CHANGE_TRACKING_CONTEXT ('abc') INSERT INTO t (id) VALUES (9)",
           "ERR 102,15,1: Incorrect syntax near 'abc'.\ndone:E0\n");
    assert_int_equal(err(f, "DECLARE @c varbinary(200) = 0x01; WITH CHANGE_TRACKING_CONTEXT (@c) INSERT INTO t (id) VALUES (9)"),
                     22109);
    assert_int_equal(err(f, "DECLARE @c varbinary(max) = 0x01; WITH CHANGE_TRACKING_CONTEXT (@c) INSERT INTO t (id) VALUES (9)"),
                     22109);
    assert_int_equal(err(f, "DECLARE @c varchar(10) = 'a'; WITH CHANGE_TRACKING_CONTEXT (@c) INSERT INTO t (id) VALUES (9)"),
                     22109);
    assert_int_equal(err(f, "WITH CHANGE_TRACKING_CONTEXT (0x01) EXEC sp_who"), 156);
    assert_int_equal(err(f, "WITH CHANGE_TRACKING_CONTEXT (0x01) SELECT 1"), 22108);
    assert_string_equal(run_rows(f, "SELECT count(*) FROM t WHERE id = 9"), "0\n");
    /* a database without change tracking accepts it */
    run_ok(f, "USE master; CREATE TABLE plain (id int NOT NULL); WITH CHANGE_TRACKING_CONTEXT (0x01) INSERT INTO plain VALUES (1)");
}

/* A3: retention cleanup on the engine clock. */
static void test_cleanup(void **state)
{
    struct fx *f = *state;
    run_ok(f, "CREATE DATABASE cl; USE cl");
    run_ok(f, "ALTER DATABASE cl SET CHANGE_TRACKING = ON (CHANGE_RETENTION = 60 MINUTES, AUTO_CLEANUP = OFF)");
    run_ok(f, "CREATE TABLE t (id int NOT NULL PRIMARY KEY, a int NULL); ALTER TABLE t ENABLE CHANGE_TRACKING");
    run_ok(f, "INSERT INTO t (id) VALUES (1); INSERT INTO t (id) VALUES (2)");  /* @1, @2 */
    run_ok(f, "EXEC tdslite.advance_clock @minutes = 61");
    run_ok(f, "INSERT INTO t (id) VALUES (3)");                                  /* @3 */
    /* AUTO_CLEANUP OFF: nothing goes by itself */
    assert_string_equal(run_rows(f, CURMIN), "3|0\n");
    assert_string_equal(run_rows(f, "SELECT count(*) FROM CHANGETABLE(CHANGES t, NULL) AS ct"), "3\n");
    /* manual cleanup: versions 1 and 2 expired, min_valid = 2 + 1 */
    run_ok(f, "EXEC sys.sp_flush_CT_internal_table_on_demand @TableToClean = N'dbo.t'");
    assert_string_equal(run_rows(f, CURMIN), "3|3\n");
    assert_string_equal(run_rows(f, "SELECT cleanup_version, min_valid_version FROM sys.change_tracking_tables"), "2|3\n");
    assert_string_equal(run_rows(f, "SELECT id FROM CHANGETABLE(CHANGES t, NULL) AS ct"), "3\n");
    /* a baseline below min_valid is not an error: the rows are just gone */
    assert_string_equal(run_rows(f, "SELECT id FROM CHANGETABLE(CHANGES t, 0) AS ct"), "3\n");
    /* automatic cleanup: runs in passing once due, at most every 30 minutes */
    run_ok(f, "ALTER DATABASE cl SET CHANGE_TRACKING (AUTO_CLEANUP = ON)");
    run_ok(f, "EXEC tdslite.advance_clock @minutes = 61");
    run_ok(f, "SELECT 1");
    assert_string_equal(run_rows(f, CURMIN), "3|4\n");
    run_ok(f, "INSERT INTO t (id) VALUES (4)");                                  /* @4 */
    run_ok(f, "EXEC tdslite.advance_clock @minutes = 61");
    run_ok(f, "SELECT 1");
    assert_string_equal(run_rows(f, CURMIN), "4|5\n");
    run_ok(f, "INSERT INTO t (id) VALUES (5)");                                  /* @5 */
    run_ok(f, "ALTER DATABASE cl SET CHANGE_TRACKING (CHANGE_RETENTION = 1 MINUTES)");
    run_ok(f, "EXEC tdslite.advance_clock @minutes = 2");
    run_ok(f, "SELECT 1");
    assert_string_equal(run_rows(f, CURMIN), "5|5\n"); /* last check 2 minutes ago */
    run_ok(f, "EXEC tdslite.advance_clock @minutes = 30");
    run_ok(f, "SELECT 1");
    assert_string_equal(run_rows(f, CURMIN), "5|6\n");
    assert_string_equal(run_rows(f, "SELECT count(*) FROM CHANGETABLE(CHANGES t, NULL) AS ct"), "0\n");
    assert_int_equal(err(f, "CREATE TABLE u (id int NOT NULL PRIMARY KEY);"
                            " EXEC sys.sp_flush_CT_internal_table_on_demand @TableToClean = N'u'"),
                     22105);
}

/* Edge case 9: a SNAPSHOT transaction sees one state for CHANGETABLE, the
 * functions and the base table; without ALLOW_SNAPSHOT_ISOLATION the
 * first access fails (3952). */
static void test_snapshot(void **state)
{
    struct fx *f = *state;
    setup_t(f, "");
    run_ok(f, "INSERT INTO t (id) VALUES (1)");
    assert_int_equal(err(f, "SET TRANSACTION ISOLATION LEVEL SNAPSHOT; BEGIN TRAN;"
                            " SELECT CHANGE_TRACKING_CURRENT_VERSION()"),
                     3952);
    assert_int_equal(err(f, "BEGIN TRAN; SELECT count(*) FROM CHANGETABLE(CHANGES t, 0) AS c"), 3952);
    run_ok(f, "SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
    run_ok(f, "ALTER DATABASE ctdb SET ALLOW_SNAPSHOT_ISOLATION ON");
    struct rec r2;
    struct engine_session *s2 = second_session(f, &r2, "ctdb");
    run_ok(f, "SET TRANSACTION ISOLATION LEVEL SNAPSHOT; BEGIN TRAN");
    const char *q = "SELECT CHANGE_TRACKING_CURRENT_VERSION(), CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID('t')),"
                    " (SELECT count(*) FROM CHANGETABLE(CHANGES t, 0) AS c), (SELECT count(*) FROM t)";
    assert_string_equal(run_rows(f, q), "1|0|1|1\n");
    run_on(s2, &r2, "INSERT INTO t (id) VALUES (2); EXEC tdslite.advance_clock 5000;"
                    " EXEC sys.sp_flush_CT_internal_table_on_demand");
    assert_int_equal(r2.nerrors, 0);
    assert_string_equal(run_rows(f, q), "1|0|1|1\n");
    assert_string_equal(run_rows(f, "SELECT count(*) FROM CHANGETABLE(CHANGES t, 0) AS c LEFT JOIN t ON t.id = c.id"), "1\n");
    run_ok(f, "COMMIT");
    assert_string_equal(run_rows(f, q), "2|3|0|2\n");
    engine_session_close(s2);
    buf_free(&r2.log);
}

/* A8: reading change data needs SELECT and VIEW CHANGE TRACKING (229). */
static void test_permission(void **state)
{
    struct fx *f = *state;
    setup_t(f, "");
    run_ok(f, "INSERT INTO t (id) VALUES (1)");
    run_ok(f, "CREATE LOGIN ctu WITH PASSWORD = 'Str0ng!pass'; CREATE USER ctu FOR LOGIN ctu; GRANT SELECT ON t TO ctu");
    struct rec r2;
    struct engine_session *s2 = NULL;
    buf_init(&r2.log, 0);
    assert_int_equal(engine_login(f->e, "ctu", "Str0ng!pass", "ctdb", 52, &rec_out, &r2, &s2), 0);
    const char *out = run_on(s2, &r2, "SELECT count(*) FROM CHANGETABLE(CHANGES dbo.t, 0) AS c");
    EXPECT_IN(out, "ERR 229,14,5: The VIEW CHANGE TRACKING permission was denied on the object 't', database 'ctdb', schema 'dbo'.");
    out = run_on(s2, &r2, "SELECT CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID('dbo.t')) AS mv");
    EXPECT_IN(out, "row:NULL\n");
    run_ok(f, "GRANT VIEW CHANGE TRACKING ON t TO ctu");
    out = run_on(s2, &r2, "SELECT count(*) AS n, CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID('dbo.t')) AS mv"
                          " FROM CHANGETABLE(CHANGES dbo.t, 0) AS c");
    EXPECT_IN(out, "row:1|0\n");
    run_ok(f, "REVOKE SELECT ON t TO ctu");
    out = run_on(s2, &r2, "SELECT count(*) FROM CHANGETABLE(CHANGES dbo.t, 0) AS c");
    EXPECT_IN(out, "ERR 229,14,5: The SELECT permission was denied on the object 't', database 'ctdb', schema 'dbo'.");
    engine_session_close(s2);
    buf_free(&r2.log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_database_switch, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_table_switch, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_counter, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_net_rows, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_key_updates, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_change_columns, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_baseline, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_truncate, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_errors_and_shape, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_version, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_context, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_cleanup, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_snapshot, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_permission, rec_setup, rec_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
