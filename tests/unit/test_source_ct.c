/* Unit tests for src/source/ct (the exact T-SQL of spec/ct-cdc.md §A9),
 * catalog identifier quoting and the CT plan decision. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/buf.h"
#include "core/err.h"
#include "source/catalog.h"
#include "source/ct.h"

static void test_quote_ident(void **state)
{
    struct buf b;
    (void)state;
    buf_init(&b, 0);
    assert_int_equal(catalog_quote_ident(&b, "orders"), 0);
    assert_string_equal((char *)b.data, "[orders]");
    buf_reset(&b);
    assert_int_equal(catalog_quote_ident(&b, "a]b]]c"), 0);
    assert_string_equal((char *)b.data, "[a]]b]]]]c]");
    buf_reset(&b);
    assert_int_equal(catalog_quote_ident(&b, "[x y]"), 0);
    assert_string_equal((char *)b.data, "[[x y]]]");
    buf_reset(&b);
    assert_int_equal(catalog_quote_name(&b, "sales data", "Größe"), 0);
    assert_string_equal((char *)b.data, "[sales data].[Größe]");
    buf_reset(&b);
    assert_int_equal(catalog_quote_literal(&b, "[dbo].[o'brien]"), 0);
    assert_string_equal((char *)b.data, "N'[dbo].[o''brien]'");
    buf_free(&b);
}

/* A table as catalog_get_table would return it:
 *   CREATE TABLE [dbo].[or]ders] (id int NOT NULL, k nvarchar(10) NOT NULL,
 *     name nvarchar(max) NULL, amount money NOT NULL, node hierarchyid NULL,
 *     PRIMARY KEY (k, id));  */
static void fixture(struct catalog_table *t, bool with_pk)
{
    static struct catalog_column cols[5];
    static size_t pk[2] = {1, 0};
    catalog_table_init(t);
    memset(cols, 0, sizeof(cols));
    cols[0] = (struct catalog_column){"id", "int", 1, 4, 10, 0, false, false, 2};
    cols[1] = (struct catalog_column){"k", "nvarchar", 2, 20, 0, 0, false, false, 1};
    cols[2] = (struct catalog_column){"name", "nvarchar", 3, -1, 0, 0, true, false, 0};
    cols[3] = (struct catalog_column){"amount", "money", 4, 8, 19, 4, false, false, 0};
    cols[4] = (struct catalog_column){"node", "hierarchyid", 5, 892, 0, 0, true, false, 0};
    t->schema = "dbo";
    t->name = "or]ders";
    t->quoted = "[dbo].[or]]ders]";
    t->object_id = 12345;
    t->cols = cols;
    t->ncols = 5;
    t->pk = pk;
    t->npk = with_pk ? 2 : 0;
    if (!with_pk) {
        cols[0].pk_ordinal = 0;
        cols[1].pk_ordinal = 0;
    }
}

static void test_transaction_sql(void **state)
{
    struct buf b;
    (void)state;
    buf_init(&b, 0);
    assert_int_equal(ct_sql_begin(&b), 0);
    assert_string_equal((char *)b.data,
                        "SET TRANSACTION ISOLATION LEVEL SNAPSHOT;\nBEGIN TRANSACTION;");
    buf_reset(&b);
    assert_int_equal(ct_sql_commit(&b), 0);
    assert_string_equal((char *)b.data, "COMMIT TRANSACTION;");
    buf_reset(&b);
    assert_int_equal(ct_sql_rollback(&b), 0);
    assert_string_equal((char *)b.data, "IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;");
    buf_reset(&b);
    assert_int_equal(ct_sql_current_version(&b), 0);
    assert_string_equal((char *)b.data, "SELECT CHANGE_TRACKING_CURRENT_VERSION();");
    buf_free(&b);
}

static void test_min_valid_sql(void **state)
{
    struct catalog_table t;
    struct buf b;
    (void)state;
    fixture(&t, true);
    buf_init(&b, 0);
    assert_int_equal(ct_sql_min_valid_version(&b, &t), 0);
    assert_string_equal((char *)b.data,
                        "SELECT CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID(N'[dbo].[or]]ders]'));");
    buf_reset(&b);
    assert_int_equal(ct_sql_begin_version(&b, &t), 0);
    assert_string_equal((char *)b.data, "SELECT begin_version FROM sys.change_tracking_tables "
                                        "WHERE object_id = OBJECT_ID(N'[dbo].[or]]ders]');");
    buf_free(&b);
}

static void test_full_sql(void **state)
{
    struct catalog_table t;
    struct buf b;
    (void)state;
    fixture(&t, true);
    buf_init(&b, 0);
    assert_int_equal(ct_sql_full(&b, &t), 0);
    assert_string_equal((char *)b.data,
                        "SELECT CAST(? AS bigint) AS SYS_CHANGE_VERSION, "
                        "CAST(NULL AS bigint) AS SYS_CHANGE_CREATION_VERSION, "
                        "CAST(N'I' AS nchar(1)) AS SYS_CHANGE_OPERATION, "
                        "T.[k], T.[id], T.[name], T.[amount], T.[node].ToString() AS [node] "
                        "FROM [dbo].[or]]ders] AS T ORDER BY T.[k], T.[id];");
    buf_free(&b);
}

static void test_changes_sql(void **state)
{
    struct catalog_table t;
    struct buf b;
    (void)state;
    fixture(&t, true);
    buf_init(&b, 0);
    assert_int_equal(ct_sql_changes(&b, &t), 0);
    assert_string_equal(
        (char *)b.data,
        "SELECT CT.SYS_CHANGE_VERSION, CT.SYS_CHANGE_CREATION_VERSION, CT.SYS_CHANGE_OPERATION, "
        "CT.[k], CT.[id], T.[name], T.[amount], T.[node].ToString() AS [node] "
        "FROM CHANGETABLE(CHANGES [dbo].[or]]ders], ?) AS CT "
        "LEFT OUTER JOIN [dbo].[or]]ders] AS T ON T.[k] = CT.[k] AND T.[id] = CT.[id] "
        "ORDER BY CT.SYS_CHANGE_VERSION, CT.[k], CT.[id];");
    buf_free(&b);
}

static void test_columns(void **state)
{
    struct catalog_table t;
    struct arena a;
    struct reader_column *c;
    size_t n;
    struct sl_err err;
    (void)state;
    fixture(&t, true);
    arena_init(&a, 0, 0);
    sl_err_clear(&err);
    assert_int_equal(ct_columns(&t, NULL, &a, &c, &n, &err), 0);
    assert_int_equal(n, 8);
    assert_string_equal(c[0].name, "SYS_CHANGE_VERSION");
    assert_int_equal(c[0].tm.type, BATCH_INT64);
    assert_false(c[0].tm.nullable);
    assert_string_equal(c[1].name, "SYS_CHANGE_CREATION_VERSION");
    assert_true(c[1].tm.nullable);
    assert_string_equal(c[2].name, "SYS_CHANGE_OPERATION");
    assert_int_equal(c[2].tm.type, BATCH_STRING);
    assert_string_equal(c[3].name, "k");
    assert_false(c[3].tm.nullable);
    assert_string_equal(c[4].name, "id");
    assert_int_equal(c[4].tm.type, BATCH_INT32);
    assert_string_equal(c[5].name, "name");
    assert_true(c[5].tm.unbounded);
    assert_string_equal(c[6].name, "amount");
    assert_int_equal(c[6].tm.type, BATCH_DECIMAL);
    assert_int_equal(c[6].tm.precision, 19);
    assert_int_equal(c[6].tm.scale, 4);
    assert_true(c[6].tm.nullable); /* NOT NULL in the table, but deletes have no row */
    assert_string_equal(c[7].name, "node");
    assert_int_equal(c[7].tm.type, BATCH_STRING);
    arena_free(&a);

    fixture(&t, false);
    arena_init(&a, 0, 0);
    sl_err_clear(&err);
    assert_int_equal(ct_columns(&t, NULL, &a, &c, &n, &err), SL_EINVAL);
    assert_string_equal(err.msg, "table [dbo].[or]]ders] has no primary key");
    assert_string_equal(err.hint, "change tracking requires a primary key; use mode: full");
    arena_free(&a);
}

static void test_plan(void **state)
{
    (void)state;
    assert_int_equal(ct_plan(false, 0, false, 0), CT_PLAN_FULL);
    assert_int_equal(ct_plan(true, 5, true, 0), CT_PLAN_NOT_TRACKED);
    assert_int_equal(ct_plan(true, 4, false, 5), CT_PLAN_RELOAD);
    assert_int_equal(ct_plan(true, 5, false, 5), CT_PLAN_INCREMENTAL); /* equal is valid */
    assert_int_equal(ct_plan(true, 9, false, 5), CT_PLAN_INCREMENTAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quote_ident), cmocka_unit_test(test_transaction_sql),
        cmocka_unit_test(test_min_valid_sql), cmocka_unit_test(test_full_sql),
        cmocka_unit_test(test_changes_sql), cmocka_unit_test(test_columns),
        cmocka_unit_test(test_plan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
