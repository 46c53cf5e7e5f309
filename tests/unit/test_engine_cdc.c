/* Unit tests for emulator/engine/cdc*.c: Change Data Capture as
 * spec/ct-cdc.md Part B describes it, through the engine API (the engine
 * has no background job here: cdc_capture_delay_ms is 0, so capture runs
 * only by EXEC tdslite.cdc_capture). The same behaviour is checked through
 * pymssql in tests/conformance/test_cdc*.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/eng.h"
#include "test_engine_rec.h"

static void setup_db(struct fx *f, const char *ddl)
{
    run_ok(f, "CREATE DATABASE cdb");
    run_ok(f, "USE cdb");
    run_ok(f, "EXEC sys.sp_cdc_enable_db");
    run_ok(f, ddl);
}

static void test_lsn_layout(void **state)
{
    (void)state;
    uint8_t a[CDC_LSN_LEN], b[CDC_LSN_LEN], c[CDC_LSN_LEN];
    cdc_lsn_make(5, 0, a);
    cdc_lsn_make(5, 1, b);
    cdc_lsn_make(6, 0, c);
    static const uint8_t want[CDC_LSN_LEN] = {0, 0, 0, 0x22, 0, 0, 0, 5, 0, 0};
    assert_memory_equal(a, want, CDC_LSN_LEN);
    /* a filler after commit 5 sorts between commits 5 and 6 */
    assert_true(memcmp(a, b, CDC_LSN_LEN) < 0 && memcmp(b, c, CDC_LSN_LEN) < 0);
    cdc_seqval_make(5, 1, a);
    cdc_seqval_make(5, 256, b);
    cdc_seqval_make(6, 1, c);
    assert_true(memcmp(a, b, CDC_LSN_LEN) < 0 && memcmp(b, c, CDC_LSN_LEN) < 0);
}

/* Capture turns committed changes into rows; nothing before it runs. */
static void test_capture(void **state)
{
    struct fx *f = *state;
    setup_db(f, "CREATE TABLE t (id int PRIMARY KEY, v varchar(10))");
    run_ok(f, "EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N't', @role_name = NULL");
    run_ok(f, "INSERT INTO t VALUES (1, 'a'), (2, 'b'); UPDATE t SET v = 'c' WHERE id = 1; DELETE FROM t WHERE id = 2");
    assert_string_equal(run_rows(f, "SELECT count(*) AS n, sys.fn_cdc_get_max_lsn() AS m FROM cdc.dbo_t_CT"),
                        "0|NULL\n");
    run_ok(f, "EXEC tdslite.cdc_capture");
    assert_string_equal(run_rows(f, "SELECT __$start_lsn, __$seqval, __$operation, __$update_mask, id, v, __$command_id"
                                " FROM cdc.dbo_t_CT ORDER BY __$start_lsn, __$seqval, __$operation"),
                        "0x00000022000000010000|0x00000000000100000001|2|0x03|1|a|1\n"
                        "0x00000022000000010000|0x00000000000100000002|2|0x03|2|b|1\n"
                        "0x00000022000000020000|0x00000000000200000001|3|0x02|1|a|1\n"
                        "0x00000022000000020000|0x00000000000200000001|4|0x02|1|c|1\n"
                        "0x00000022000000030000|0x00000000000300000001|1|0x03|2|b|1\n");
    /* the instance's low end point: a marker right after the commit it started after */
    assert_string_equal(run_rows(f, "SELECT sys.fn_cdc_get_min_lsn('dbo_t'), sys.fn_cdc_get_max_lsn()"),
                        "0x00000022000000000001|0x00000022000000030000\n");
    assert_string_equal(run_rows(f, "SELECT count(*) FROM cdc.lsn_time_mapping WHERE tran_id = 0x00"), "1\n");
    /* an idle cycle adds a filler after the last commit */
    run_ok(f, "EXEC tdslite.cdc_capture");
    assert_string_equal(run_rows(f, "SELECT sys.fn_cdc_get_max_lsn()"), "0x00000022000000030001\n");
}

/* A statement that updates the key: split into deletes and inserts,
 * sorted by key, the same key collapsed into 3/4 (SQL Server's plan). */
static void test_key_update(void **state)
{
    struct fx *f = *state;
    setup_db(f, "CREATE TABLE k (id int PRIMARY KEY, v int)");
    run_ok(f, "INSERT INTO k VALUES (1, 10), (2, 20), (3, 30)");
    run_ok(f, "EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'k', @role_name = NULL");
    run_ok(f, "UPDATE k SET id = id + 1");
    run_ok(f, "UPDATE k SET id = id WHERE id = 4");
    run_ok(f, "EXEC tdslite.cdc_capture");
    assert_string_equal(run_rows(f, "SELECT __$operation, id, v FROM cdc.fn_cdc_get_all_changes_dbo_k("
                                "sys.fn_cdc_get_min_lsn('dbo_k'), sys.fn_cdc_get_max_lsn(), N'all update old')"
                                " ORDER BY __$start_lsn, __$seqval, __$operation"),
                        "1|1|10\n3|2|20\n4|2|10\n3|3|30\n4|3|20\n2|4|30\n3|4|30\n4|4|30\n");
    assert_string_equal(run_rows(f, "SELECT __$operation, id, v FROM cdc.fn_cdc_get_net_changes_dbo_k("
                                "sys.fn_cdc_get_min_lsn('dbo_k'), sys.fn_cdc_get_max_lsn(), N'all') ORDER BY id"),
                        "1|1|10\n4|2|10\n4|3|20\n2|4|30\n");
}

/* Errors of the procedures and the functions. */
static void test_errors(void **state)
{
    struct fx *f = *state;
    setup_db(f, "CREATE TABLE e (id int PRIMARY KEY, v int)");
    run(f, "EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'e'");
    assert_int_equal(f->r.last_error, 201);
    run(f, "EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'e', @role_name = NULL, @bogus = 1");
    assert_int_equal(f->r.last_error, 8145);
    run(f, "EXEC sys.sp_cdc_enable_table N'dbo', N'e', NULL, N'x', 1, NULL, NULL, NULL, 1, 5");
    assert_int_equal(f->r.last_error, 8144);
    run(f, "EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'e', @role_name = N''");
    assert_int_equal(f->r.last_error, 22907);
    run(f, "EXEC sys.sp_cdc_enable_table @source_schema = NULL, @source_name = N'e', @role_name = NULL");
    assert_int_equal(f->r.last_error, 22963);
    run(f, "EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'e', @role_name = NULL,"
           " @index_name = N'nope'");
    assert_int_equal(f->r.last_error, 22928);
    run(f, "EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'e', @role_name = NULL,"
           " @filegroup_name = N'FG2'");
    assert_int_equal(f->r.last_error, 22973);
    run_ok(f, "EXEC sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'e', @role_name = NULL,"
          " @filegroup_name = N'PRIMARY'");
    run(f, "EXEC sys.sp_cdc_disable_table @source_schema = N'dbo', @source_name = N'e', @capture_instance = N'x'");
    assert_int_equal(f->r.last_error, 22960);
    run(f, "TRUNCATE TABLE e");
    assert_int_equal(f->r.last_error, 4711);
    run(f, "SELECT * FROM cdc.fn_cdc_get_all_changes_nope(0x00, 0x00, N'all')");
    assert_int_equal(f->r.last_error, 208);
    run(f, "SELECT sys.fn_cdc_get_bogus()");
    assert_int_equal(f->r.last_error, 4121);
    run(f, "EXEC tdslite.cdc_capture; BEGIN TRAN; EXEC tdslite.cdc_capture");
    assert_int_equal(f->r.last_error, 50000);
    run_ok(f, "ROLLBACK");
    /* DROP TABLE takes the instance along */
    run_ok(f, "DROP TABLE e");
    assert_string_equal(run_rows(f, "SELECT count(*) FROM cdc.change_tables"), "0\n");
    assert_string_equal(run_rows(f, "SELECT count(*) FROM sys.tables WHERE name = 'dbo_e_CT'"), "0\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lsn_layout),
        cmocka_unit_test_setup_teardown(test_capture, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_key_update, rec_setup, rec_teardown),
        cmocka_unit_test_setup_teardown(test_errors, rec_setup, rec_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
