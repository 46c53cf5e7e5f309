/* Unit tests for src/source/cdc: the exact T-SQL of spec/ct-cdc.md
 * §B6/§B7, the poll plan, the choice among capture instances and the
 * column set an instance delivers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/lsn.h"
#include "source/catalog.h"
#include "source/cdc.h"

/* A table as catalog_get_table would return it:
 *   CREATE TABLE [dbo].[or]ders] (id int NOT NULL, k nvarchar(10) NOT NULL,
 *     name nvarchar(max) NULL, amount money NOT NULL, node hierarchyid NULL,
 *     rv rowversion, PRIMARY KEY (k, id));  */
static struct catalog_column g_cols[6];
static size_t g_pk[2] = {1, 0};

static void fixture(struct catalog_table *t)
{
    catalog_table_init(t);
    g_cols[0] = (struct catalog_column){"id", "int", 1, 4, 10, 0, false, false, 2};
    g_cols[1] = (struct catalog_column){"k", "nvarchar", 2, 20, 0, 0, false, false, 1};
    g_cols[2] = (struct catalog_column){"name", "nvarchar", 3, -1, 0, 0, true, false, 0};
    g_cols[3] = (struct catalog_column){"amount", "money", 4, 8, 19, 4, false, false, 0};
    g_cols[4] = (struct catalog_column){"node", "hierarchyid", 5, 892, 0, 0, true, false, 0};
    g_cols[5] = (struct catalog_column){"rv", "timestamp", 6, 8, 0, 0, false, false, 0};
    t->schema = "dbo";
    t->name = "or]ders";
    t->quoted = "[dbo].[or]]ders]";
    t->object_id = 12345;
    t->cols = g_cols;
    t->ncols = 6;
    t->pk = g_pk;
    t->npk = 2;
}

/* The instance captures id, k, name (renamed since to "name"; captured as
 * "nm"), node and a column 9 dropped from the table; not amount or rv. */
static const struct cdc_captured CAPTURED[] = {
    {"id", 1, "int", 1}, {"k", 2, "nvarchar", 2}, {"nm", 3, "nvarchar", 3},
    {"node", 5, "hierarchyid", 4}, {"gone", 9, "int", 5},
};

static void build_set(struct catalog_table *t, struct arena *a, struct cdc_colset *set)
{
    struct sl_err err;
    fixture(t);
    sl_err_clear(&err);
    assert_int_equal(cdc_colset_build(t, "dbo_or]ders", CAPTURED, 5, a, set, &err), 0);
}

static void test_scalar_sql(void **state)
{
    struct buf b;
    (void)state;
    buf_init(&b, 0);
    assert_int_equal(cdc_sql_max_lsn(&b), 0);
    assert_string_equal((char *)b.data, "SELECT sys.fn_cdc_get_max_lsn();");
    buf_reset(&b);
    assert_int_equal(cdc_sql_min_lsn(&b), 0);
    assert_string_equal((char *)b.data, "SELECT sys.fn_cdc_get_min_lsn(?);");
    buf_reset(&b);
    assert_int_equal(cdc_sql_increment_lsn(&b), 0);
    assert_string_equal((char *)b.data, "SELECT sys.fn_cdc_increment_lsn(?);");
    buf_reset(&b);
    assert_int_equal(cdc_sql_decrement_lsn(&b), 0);
    assert_string_equal((char *)b.data, "SELECT sys.fn_cdc_decrement_lsn(?);");
    buf_reset(&b);
    assert_int_equal(cdc_sql_instances(&b), 0);
    assert_string_equal((char *)b.data,
                        "SELECT capture_instance, start_lsn, supports_net_changes, object_id "
                        "FROM cdc.change_tables WHERE source_object_id = ? "
                        "ORDER BY start_lsn, create_date;");
    buf_reset(&b);
    assert_int_equal(cdc_sql_instance_start(&b), 0);
    assert_string_equal((char *)b.data,
                        "SELECT start_lsn FROM cdc.change_tables WHERE capture_instance = ?;");
    buf_reset(&b);
    assert_int_equal(cdc_sql_captured_columns(&b), 0);
    assert_string_equal((char *)b.data,
                        "SELECT cc.column_name, cc.column_id, cc.column_type, cc.column_ordinal "
                        "FROM cdc.captured_columns AS cc INNER JOIN cdc.change_tables AS ct "
                        "ON ct.object_id = cc.object_id WHERE ct.capture_instance = ? "
                        "ORDER BY cc.column_ordinal;");
    buf_free(&b);
}

static void test_colset(void **state)
{
    struct catalog_table t;
    struct arena a;
    struct cdc_colset set;
    struct sl_err err;
    (void)state;
    arena_init(&a, 0, 0);
    build_set(&t, &a, &set);
    assert_string_equal(set.instance, "dbo_or]ders");
    assert_int_equal(set.npk, 2);
    assert_int_equal(set.ncols, 4);
    /* key in key order (k, id), then the captured others in column_id order */
    assert_int_equal(set.cols[0], 1);
    assert_int_equal(set.cols[1], 0);
    assert_int_equal(set.cols[2], 2);
    assert_int_equal(set.cols[3], 4);
    assert_string_equal(set.select[0], "k");
    assert_string_equal(set.select[1], "id");
    assert_string_equal(set.select[2], "nm");
    assert_string_equal(set.select[3], "node");
    assert_int_equal(set.nuncaptured, 2);
    assert_string_equal(set.uncaptured[0], "amount");
    assert_string_equal(set.uncaptured[1], "rv");
    assert_int_equal(set.ndropped, 1);
    assert_string_equal(set.dropped[0], "gone");

    /* A key column the instance does not capture. */
    sl_err_clear(&err);
    assert_int_equal(cdc_colset_build(&t, "dbo_x", CAPTURED + 1, 4, &a, &set, &err), SL_EINVAL);
    assert_string_equal(err.msg, "capture instance dbo_x does not capture key column \"id\" of "
                                 "table [dbo].[or]]ders]");
    assert_string_equal(err.hint, "the primary key changed after the instance was created; "
                                  "create a new capture instance with sys.sp_cdc_enable_table");
    assert_int_equal(set.ncols, 0);
    arena_free(&a);
}

static void test_change_sql(void **state)
{
    struct catalog_table t;
    struct arena a;
    struct cdc_colset set;
    struct buf b;
    (void)state;
    arena_init(&a, 0, 0);
    build_set(&t, &a, &set);
    buf_init(&b, 0);
    assert_int_equal(cdc_sql_all_changes(&b, &t, &set, true), 0);
    assert_string_equal((char *)b.data,
                        "SELECT [__$start_lsn], [__$seqval], [__$operation], [k], [id], [nm], "
                        "[node].ToString() AS [node] "
                        "FROM cdc.[fn_cdc_get_all_changes_dbo_or]]ders](?, ?, N'all update old') "
                        "ORDER BY [__$start_lsn], [__$seqval], [__$operation];");
    buf_reset(&b);
    assert_int_equal(cdc_sql_all_changes(&b, &t, &set, false), 0);
    assert_string_equal((char *)b.data,
                        "SELECT [__$start_lsn], [__$seqval], [__$operation], [k], [id], [nm], "
                        "[node].ToString() AS [node] "
                        "FROM cdc.[fn_cdc_get_all_changes_dbo_or]]ders](?, ?, N'all') "
                        "ORDER BY [__$start_lsn], [__$seqval], [__$operation];");
    buf_reset(&b);
    assert_int_equal(cdc_sql_net_changes(&b, &t, &set), 0);
    assert_string_equal((char *)b.data,
                        "SELECT [__$start_lsn], CAST(NULL AS binary(10)) AS [__$seqval], "
                        "[__$operation], [k], [id], [nm], [node].ToString() AS [node] "
                        "FROM cdc.[fn_cdc_get_net_changes_dbo_or]]ders](?, ?, N'all') "
                        "ORDER BY [__$start_lsn], [k], [id];");
    buf_reset(&b);
    assert_int_equal(cdc_sql_full(&b, &t, &set), 0);
    assert_string_equal((char *)b.data,
                        "SELECT CAST(? AS binary(10)) AS [__$start_lsn], "
                        "CAST(NULL AS binary(10)) AS [__$seqval], "
                        "CAST(2 AS int) AS [__$operation], "
                        "T.[k], T.[id], T.[name], T.[node].ToString() AS [node] "
                        "FROM [dbo].[or]]ders] AS T ORDER BY T.[k], T.[id];");
    /* A table without a key: no ORDER BY for the full load, net changes by LSN. */
    t.npk = 0;
    g_cols[0].pk_ordinal = g_cols[1].pk_ordinal = 0;
    {
        struct sl_err err;
        sl_err_clear(&err);
        assert_int_equal(cdc_colset_build(&t, "dbo_t", CAPTURED, 2, &a, &set, &err), 0);
    }
    buf_reset(&b);
    assert_int_equal(cdc_sql_full(&b, &t, &set), 0);
    assert_string_equal((char *)b.data,
                        "SELECT CAST(? AS binary(10)) AS [__$start_lsn], "
                        "CAST(NULL AS binary(10)) AS [__$seqval], "
                        "CAST(2 AS int) AS [__$operation], "
                        "T.[id], T.[k] FROM [dbo].[or]]ders] AS T;");
    buf_reset(&b);
    assert_int_equal(cdc_sql_net_changes(&b, &t, &set), 0);
    assert_string_equal((char *)b.data,
                        "SELECT [__$start_lsn], CAST(NULL AS binary(10)) AS [__$seqval], "
                        "[__$operation], [id], [k] "
                        "FROM cdc.[fn_cdc_get_net_changes_dbo_t](?, ?, N'all') "
                        "ORDER BY [__$start_lsn];");
    buf_free(&b);
    arena_free(&a);
}

static void test_columns(void **state)
{
    struct catalog_table t;
    struct arena a;
    struct cdc_colset set;
    struct reader_column *c;
    size_t n;
    struct sl_err err;
    (void)state;
    arena_init(&a, 0, 0);
    build_set(&t, &a, &set);
    sl_err_clear(&err);
    assert_int_equal(cdc_columns(&t, &set, NULL, &a, &c, &n, &err), 0);
    assert_int_equal(n, 7);
    assert_string_equal(c[0].name, "__$start_lsn");
    assert_int_equal(c[0].tm.type, BATCH_BINARY);
    assert_int_equal(c[0].tm.max_bytes, 10);
    assert_false(c[0].tm.nullable);
    assert_string_equal(c[1].name, "__$seqval");
    assert_int_equal(c[1].tm.type, BATCH_BINARY);
    assert_true(c[1].tm.nullable);
    assert_string_equal(c[2].name, "__$operation");
    assert_int_equal(c[2].tm.type, BATCH_INT32);
    assert_false(c[2].tm.nullable);
    assert_string_equal(c[3].name, "k");
    assert_false(c[3].tm.nullable);
    assert_string_equal(c[4].name, "id");
    assert_false(c[4].tm.nullable);
    assert_string_equal(c[5].name, "name"); /* the table's name, not the captured "nm" */
    assert_true(c[5].tm.unbounded);
    assert_true(c[5].tm.nullable);
    assert_string_equal(c[6].name, "node");
    assert_int_equal(c[6].tm.type, BATCH_STRING);
    arena_free(&a);
}

static struct lsn L(const char *hex)
{
    struct lsn l;
    assert_true(lsn_from_hex(&l, hex));
    return l;
}

static void test_plan(void **state)
{
    struct lsn zero = L("00000000000000000000"), min = L("00000022000000010000"),
               max = L("00000022000000050000"), last = L("00000022000000030000"),
               next = L("00000022000000030001"), old = L("00000021000000000000"),
               old_next = L("00000021000000000001"), below = L("0000002200000000FFFF"),
               below_next = L("00000022000000010000"), ahead = L("00000023000000000000");
    (void)state;
    assert_int_equal(cdc_plan(true, &last, &next, &min, NULL), CDC_PLAN_NOT_CAPTURED);
    assert_int_equal(cdc_plan(false, NULL, NULL, &zero, NULL), CDC_PLAN_NOT_CAPTURED);
    /* All zeros is a missing instance or no permission, never a valid min. */
    assert_int_equal(cdc_plan(true, &last, &next, &zero, &max), CDC_PLAN_NO_INSTANCE);
    assert_int_equal(cdc_plan(false, NULL, NULL, &zero, &max), CDC_PLAN_NO_INSTANCE);
    assert_int_equal(cdc_plan(false, NULL, NULL, &min, &max), CDC_PLAN_FULL);
    assert_int_equal(cdc_plan(true, &max, NULL, &min, &max), CDC_PLAN_NOTHING);
    assert_int_equal(cdc_plan(true, &ahead, NULL, &min, &max), CDC_PLAN_AHEAD);
    assert_int_equal(cdc_plan(true, &last, &next, &min, &max), CDC_PLAN_INCREMENTAL);
    /* next == min is still valid (inclusive lower bound); next < min lost changes. */
    assert_int_equal(cdc_plan(true, &below, &below_next, &min, &max), CDC_PLAN_INCREMENTAL);
    assert_int_equal(cdc_plan(true, &old, &old_next, &min, &max), CDC_PLAN_RELOAD);
    /* Without next the plan never guesses "valid". */
    assert_int_equal(cdc_plan(true, &last, NULL, &min, &max), CDC_PLAN_RELOAD);
    assert_string_equal(cdc_plan_name(CDC_PLAN_RELOAD), "reload");
    assert_string_equal(cdc_plan_name(CDC_PLAN_INCREMENTAL), "incremental");
}

static void test_choose(void **state)
{
    struct cdc_instance v[2] = {
        {"dbo_t", L("00000010000000000001"), false, true, 100},
        {"dbo_t_v2", L("00000020000000000001"), false, true, 200},
    };
    struct cdc_choice ch;
    struct sl_err err;
    struct lsn early = L("00000015000000000000"), at = L("00000020000000000001"),
               late = L("00000030000000000000");
    (void)state;
    sl_err_clear(&err);
    /* No watermark: the newest instance, nothing to finish. */
    assert_int_equal(cdc_choose(v, 2, false, NULL, "[dbo].[t]", &ch, &err), 0);
    assert_ptr_equal(ch.cur, &v[1]);
    assert_null(ch.old);
    /* Behind the new instance's start: finish the old one first. */
    assert_int_equal(cdc_choose(v, 2, true, &early, "[dbo].[t]", &ch, &err), 0);
    assert_ptr_equal(ch.cur, &v[1]);
    assert_ptr_equal(ch.old, &v[0]);
    /* At or past the new start: the new instance alone. */
    assert_int_equal(cdc_choose(v, 2, true, &at, "[dbo].[t]", &ch, &err), 0);
    assert_ptr_equal(ch.cur, &v[1]);
    assert_null(ch.old);
    assert_int_equal(cdc_choose(v, 2, true, &late, "[dbo].[t]", &ch, &err), 0);
    assert_null(ch.old);
    /* Order in v does not matter. */
    {
        struct cdc_instance r[2] = {v[1], v[0]};
        assert_int_equal(cdc_choose(r, 2, true, &early, "[dbo].[t]", &ch, &err), 0);
        assert_ptr_equal(ch.cur, &r[0]);
        assert_ptr_equal(ch.old, &r[1]);
    }
    /* A new instance not started yet (start_lsn NULL) is not used. */
    v[1].start_null = true;
    assert_int_equal(cdc_choose(v, 2, true, &late, "[dbo].[t]", &ch, &err), 0);
    assert_ptr_equal(ch.cur, &v[0]);
    assert_null(ch.old);
    /* None started, none at all. */
    v[0].start_null = true;
    assert_int_equal(cdc_choose(v, 2, true, &late, "[dbo].[t]", &ch, &err), SL_EBUSY);
    assert_string_equal(err.msg, "the capture instance of table [dbo].[t] has not started yet");
    assert_null(ch.cur);
    sl_err_clear(&err);
    assert_int_equal(cdc_choose(v, 0, false, NULL, "[dbo].[t]", &ch, &err), SL_ENOTFOUND);
    assert_string_equal(err.msg, "table [dbo].[t] has no capture instance");
    assert_string_equal(err.hint, "enable change data capture for it with "
                                  "sys.sp_cdc_enable_table, or use capture: ct; the login also "
                                  "needs permission to read cdc.change_tables");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalar_sql), cmocka_unit_test(test_colset),
        cmocka_unit_test(test_change_sql), cmocka_unit_test(test_columns),
        cmocka_unit_test(test_plan),       cmocka_unit_test(test_choose),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
