/* Unit tests for emulator/engine's error policy and transactions: which
 * errors end a statement (with INFO 3621), which abort the batch
 * (compile and conversion errors, arithmetic errors under ARITHABORT ON,
 * everything under XACT_ABORT ON), what happens to an open transaction,
 * and database options (snapshot isolation). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_engine_rec.h"

#define TERMINATED "INFO 3621,0,0: The statement has been terminated.\n"

/* 2627, 2601, 515, 2628 end their statement, INFO 3621 follows the error
 * before the statement's DONE, and the batch goes on. */
static void test_info_3621_after_statement_errors(void **state)
{
    struct fx *f = *state;
    run(f, "CREATE TABLE t (id int NOT NULL CONSTRAINT PK_t PRIMARY KEY, v varchar(3) NOT NULL, u int NULL)");
    run(f, "CREATE UNIQUE INDEX UX_t_u ON t (u)");
    run(f, "INSERT INTO t VALUES (1, 'a', 1)");
    EXPECT(f, "INSERT INTO t VALUES (1, 'b', 2)\nSELECT 5 AS five",
           "ERR 2627,14,1: Violation of PRIMARY KEY constraint 'PK_t'. Cannot insert duplicate key in object 'dbo.t'. The duplicate key value is (1).\n"
           TERMINATED "done:E0\ncols:five int\nrow:5\ndone:C1\n");
    EXPECT(f, "INSERT INTO t VALUES (2, 'b', 1)",
           "ERR 2601,14,1: Cannot insert duplicate key row in object 'dbo.t' with unique index 'UX_t_u'. The duplicate key value is (1).\n"
           TERMINATED "done:E0\n");
    EXPECT(f, "INSERT INTO t (id, v) VALUES (3, NULL)",
           "ERR 515,16,2: Cannot insert the value NULL into column 'v', table 'master.dbo.t'; column does not allow nulls. INSERT fails.\n"
           TERMINATED "done:E0\n");
    EXPECT(f, "UPDATE t SET v = 'toolong' WHERE id = 1",
           "ERR 2628,16,1: String or binary data would be truncated in table 'master.dbo.t', column 'v'. Truncated value: 'too'.\n"
           TERMINATED "done:E0\n");
    /* The INFO carries the failing statement's line. */
    run(f, "SELECT 1 AS x\nINSERT INTO t VALUES (1, 'z', 9)");
    assert_int_equal(f->r.last_error, 2627);
    const char *lines = (const char *)f->r.log.data;
    EXPECT_IN(lines, TERMINATED);
    /* A SELECT error is not a terminated data modification: no 3621. */
    EXPECT(f, "SELECT 1 / 0 AS x\nSELECT 2 AS y",
           "cols:x int\nERR 8134,16,1: Divide by zero error encountered.\ndone:E0\ncols:y int\nrow:2\ndone:C1\n");
    /* Compile errors in a DML statement: nothing ran, no 3621, batch aborted. */
    EXPECT(f, "INSERT INTO t (id, nope) VALUES (9, 'x')\nSELECT 3 AS z",
           "ERR 207,16,1: Invalid column name 'nope'.\ndone:E0\n");
    EXPECT(f, "SELECT count(*) AS n FROM t", "cols:n int\nrow:1\ndone:C1\n");
}

/* Conversion errors abort the batch (a DML one is also terminated). */
static void test_conversion_aborts_batch(void **state)
{
    struct fx *f = *state;
    run(f, "CREATE TABLE c (id int NOT NULL, d datetime NULL)");
    EXPECT(f, "SELECT CONVERT(int, 'abc') AS x\nSELECT 2 AS y",
           "cols:x int\nERR 245,16,1: Conversion failed when converting the varchar value 'abc' to data type int.\ndone:E0\n");
    EXPECT(f, "INSERT INTO c VALUES ('x1', NULL)\nSELECT 2 AS y",
           "ERR 245,16,1: Conversion failed when converting the varchar value 'x1' to data type int.\n" TERMINATED
           "done:E0\n");
    const char *out = run(f, "INSERT INTO c VALUES (1, 'not a date')\nSELECT 2 AS y");
    assert_int_equal(f->r.last_error, 241);
    EXPECT_NOT_IN(out, "cols:y");
    out = run(f, "INSERT INTO c VALUES (1, '2024-13-45')\nSELECT 2 AS y");
    assert_int_equal(f->r.last_error, 242);
    EXPECT_NOT_IN(out, "cols:y");
    out = run(f, "SELECT CAST('abc' AS decimal(9,2)) AS x\nSELECT 2 AS y");
    assert_int_equal(f->r.last_error, 8114);
    EXPECT_NOT_IN(out, "cols:y");
}

/* Divide by zero and overflow end the statement, or the batch under
 * SET ARITHABORT ON (what tedious and pymssql send at connect). */
static void test_arithabort(void **state)
{
    struct fx *f = *state;
    run(f, "CREATE TABLE a (id int NOT NULL, v int NULL)");
    EXPECT(f, "INSERT INTO a VALUES (1, 1 / 0)\nSELECT 2 AS y",
           "ERR 8134,16,1: Divide by zero error encountered.\n" TERMINATED "done:E0\ncols:y int\nrow:2\ndone:C1\n");
    const char *out = run(f, "SELECT CAST(2147483647 AS int) + 1 AS x\nSELECT 2 AS y");
    assert_int_equal(f->r.last_error, 8115);
    EXPECT_IN(out, "cols:y int\nrow:2\n");
    run(f, "INSERT INTO a VALUES (1, 1)");
    run(f, "SET ARITHABORT ON");
    EXPECT(f, "SELECT 1 / 0 AS x\nSELECT 'after' AS a",
           "cols:x int\nERR 8134,16,1: Divide by zero error encountered.\ndone:E0\n");
    out = run(f, "UPDATE a SET v = v / 0\nSELECT 2 AS y");
    EXPECT_NOT_IN(out, "cols:y");
    /* the setting is per session and survives batches; OFF restores */
    run(f, "SET ARITHABORT OFF");
    out = run(f, "SELECT 1 / 0 AS x\nSELECT 2 AS y");
    EXPECT_IN(out, "cols:y int\nrow:2\n");
}

/* XACT_ABORT ON: a run-time error aborts the batch and rolls the
 * transaction back; a compile error aborts the batch but leaves the
 * transaction open; RAISERROR does neither. */
static void test_xact_abort(void **state)
{
    struct fx *f = *state;
    run(f, "CREATE TABLE x (id int NOT NULL PRIMARY KEY)");
    run(f, "SET XACT_ABORT ON");
    const char *out = run(f, "BEGIN TRAN\nINSERT INTO x VALUES (1)\nINSERT INTO x VALUES (1)\nSELECT 2 AS y");
    EXPECT_IN(out, "ERR 2627,14,1");
    EXPECT_IN(out, TERMINATED);
    EXPECT_IN(out, "env:10 ");
    EXPECT_NOT_IN(out, "cols:y");
    EXPECT(f, "SELECT @@TRANCOUNT AS tc, (SELECT count(*) FROM x) AS n", "cols:tc int,n int\nrow:0|0\ndone:C1\n");
    out = run(f, "BEGIN TRAN\nINSERT INTO x VALUES (5)\nSELECT * FROM no_such_table\nSELECT 2 AS y");
    assert_int_equal(f->r.last_error, 208);
    EXPECT_NOT_IN(out, "env:10");
    EXPECT_NOT_IN(out, "cols:y");
    EXPECT(f, "SELECT @@TRANCOUNT AS tc", "cols:tc int\nrow:1\ndone:C1\n");
    out = run(f, "RAISERROR('custom', 16, 1)\nSELECT @@TRANCOUNT AS tc");
    EXPECT_IN(out, "ERR 50000,16,1: custom\n");
    EXPECT_IN(out, "cols:tc int\nrow:1\n");
    run(f, "COMMIT");
    EXPECT(f, "SELECT id FROM x", "cols:id int\nrow:5\ndone:C1\n");
    /* without XACT_ABORT the same error keeps the transaction */
    run(f, "SET XACT_ABORT OFF");
    out = run(f, "BEGIN TRAN\nINSERT INTO x VALUES (5)\nSELECT @@TRANCOUNT AS tc");
    EXPECT_IN(out, "cols:tc int\nrow:1\n");
    run(f, "ROLLBACK");
}

/* ALTER DATABASE SET ALLOW_SNAPSHOT_ISOLATION / READ_COMMITTED_SNAPSHOT,
 * shown by sys.databases; SNAPSHOT reads need the first (3952). */
static void test_snapshot_options(void **state)
{
    struct fx *f = *state;
    run(f, "CREATE DATABASE snapdb");
    assert_int_equal(f->r.nerrors, 0);
    EXPECT(f, "SELECT name, snapshot_isolation_state, snapshot_isolation_state_desc, is_read_committed_snapshot_on"
              " FROM sys.databases WHERE name IN ('master', 'snapdb') ORDER BY database_id",
           "cols:name nvarchar(128),snapshot_isolation_state tinyint,snapshot_isolation_state_desc nvarchar(60),"
           "is_read_committed_snapshot_on bit\nrow:master|1|ON|0\nrow:snapdb|0|OFF|0\ndone:C2\n");
    run(f, "USE snapdb; CREATE TABLE s (id int NOT NULL PRIMARY KEY); INSERT INTO s VALUES (1)");
    /* SNAPSHOT without the option: 3952 at the first table access; the
     * transaction is rolled back and the batch ends. */
    const char *out = run(f, "SET TRANSACTION ISOLATION LEVEL SNAPSHOT\nBEGIN TRAN\nSELECT 1 AS one\nSELECT count(*) AS n FROM s\nSELECT 2 AS two");
    EXPECT_IN(out, "cols:one int\nrow:1\n");
    EXPECT_IN(out, "ERR 3952,16,1: Snapshot isolation transaction failed accessing database 'snapdb' because snapshot isolation is not allowed in this database. Use ALTER DATABASE to allow snapshot isolation.\n");
    EXPECT_IN(out, "env:10 ");
    EXPECT_NOT_IN(out, "cols:two");
    EXPECT(f, "SELECT @@TRANCOUNT AS tc", "cols:tc int\nrow:0\ndone:C1\n");
    out = run(f, "INSERT INTO s VALUES (2)");
    assert_int_equal(f->r.last_error, 3952);
    run(f, "SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
    run(f, "ALTER DATABASE snapdb SET ALLOW_SNAPSHOT_ISOLATION ON");
    assert_int_equal(f->r.nerrors, 0);
    run(f, "ALTER DATABASE CURRENT SET READ_COMMITTED_SNAPSHOT ON WITH ROLLBACK IMMEDIATE");
    assert_int_equal(f->r.nerrors, 0);
    EXPECT(f, "SELECT snapshot_isolation_state, snapshot_isolation_state_desc, is_read_committed_snapshot_on"
              " FROM sys.databases WHERE name = 'snapdb'",
           "cols:snapshot_isolation_state tinyint,snapshot_isolation_state_desc nvarchar(60),"
           "is_read_committed_snapshot_on bit\nrow:1|ON|1\ndone:C1\n");
    /* A snapshot transaction reads a consistent snapshot taken at its
     * first read while another session commits. */
    struct rec r2;
    struct engine_session *s2 = second_session(f, &r2, "snapdb");
    run(f, "SET TRANSACTION ISOLATION LEVEL SNAPSHOT; BEGIN TRAN");
    EXPECT(f, "SELECT count(*) AS n FROM s", "cols:n int\nrow:1\ndone:C1\n");
    run_on(s2, &r2, "INSERT INTO s VALUES (2)");
    assert_int_equal(r2.nerrors, 0);
    EXPECT(f, "SELECT count(*) AS n FROM s", "cols:n int\nrow:1\ndone:C1\n");
    run(f, "COMMIT");
    EXPECT(f, "SELECT count(*) AS n FROM s", "cols:n int\nrow:2\ndone:C1\n");
    /* OFF again; the options survive a restart of the engine (next test) */
    run(f, "ALTER DATABASE snapdb SET READ_COMMITTED_SNAPSHOT OFF");
    EXPECT(f, "SELECT is_read_committed_snapshot_on FROM sys.databases WHERE name = 'snapdb'",
           "cols:is_read_committed_snapshot_on bit\nrow:0\ndone:C1\n");
    engine_session_close(s2);
    buf_free(&r2.log);
}

/* Errors of ALTER DATABASE as SQL Server reports them. */
static void test_alter_database_errors(void **state)
{
    struct fx *f = *state;
    EXPECT(f, "ALTER DATABASE nodb SET ALLOW_SNAPSHOT_ISOLATION ON",
           "ERR 5011,14,5: User does not have permission to alter database 'nodb', the database does not exist, or the database is not in a state that allows access checks.\n"
           "ERR 5069,16,1: ALTER DATABASE statement failed.\ndone:E0\n");
    run(f, "BEGIN TRAN; ALTER DATABASE master SET ALLOW_SNAPSHOT_ISOLATION ON");
    assert_int_equal(f->r.last_error, 226);
    run(f, "ROLLBACK");
    /* Change tracking: not on system databases (5090, then 5069); the
     * '=' is required (test_engine_ct.c covers the rest). */
    EXPECT(f, "ALTER DATABASE master SET CHANGE_TRACKING = ON (CHANGE_RETENTION = 2 DAYS, AUTO_CLEANUP = ON)",
           "ERR 5090,16,1: Database 'master' is a system database. Change tracking settings cannot be modified for system databases.\n"
           "ERR 5069,16,1: ALTER DATABASE statement failed.\ndone:E0\n");
    EXPECT(f, "ALTER DATABASE master SET CHANGE_TRACKING OFF",
           "ERR 156,15,1: Incorrect syntax near the keyword 'OFF'.\ndone:E0\n");
    EXPECT(f, "ALTER DATABASE master SET RECOVERY SIMPLE",
           "ERR 50000,16,1: ALTER DATABASE ... SET RECOVERY is not supported by tdslite.\ndone:E0\n");
    run(f, "ALTER DATABASE master SET ALLOW_SNAPSHOT_ISOLATION MAYBE");
    assert_int_equal(f->r.last_error, 102);
}

/* Database options are stored in master: a new engine on the same data
 * directory sees them. */
static void test_snapshot_option_persists(void **state)
{
    (void)state;
    char dir[] = "/tmp/tl-engine-txn-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct engine_config cfg = {dir, "pw", 0};
    struct sl_err err = {0};
    for (int round = 0; round < 2; round++) {
        struct fx f;
        memset(&f, 0, sizeof(f));
        buf_init(&f.r.log, 0);
        assert_int_equal(engine_open(&cfg, &f.e, &err), 0);
        assert_int_equal(engine_login(f.e, "sa", "pw", "", 51, &rec_out, &f.r, &f.s), 0);
        if (round == 0) {
            run(&f, "CREATE DATABASE keepdb; ALTER DATABASE keepdb SET ALLOW_SNAPSHOT_ISOLATION ON");
            assert_int_equal(f.r.nerrors, 0);
        } else {
            EXPECT(&f, "SELECT snapshot_isolation_state FROM sys.databases WHERE name = 'keepdb'",
                   "cols:snapshot_isolation_state tinyint\nrow:1\ndone:C1\n");
        }
        engine_session_close(f.s);
        engine_close(f.e);
        buf_free(&f.r.log);
    }
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_info_3621_after_statement_errors, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_conversion_aborts_batch, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_arithabort, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_xact_abort, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_options, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_alter_database_errors, rec_setup, rec_teardown),
        cmocka_unit_test(test_snapshot_option_persists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
