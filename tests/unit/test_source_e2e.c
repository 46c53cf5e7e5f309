/* End-to-end tests for src/source: catalog, typemap, reader and the CT
 * full-load query against a server through the real ODBC driver.
 *
 * The server is $SLUICE_TEST_MSSQL (an ODBC connection string to a real
 * SQL Server) when set; otherwise this test starts tdslite
 * ($SL_BUILD_DIR/bin/tdslite --port 0) and connects with the FreeTDS
 * driver. It skips when neither is available. Expected values are SQL
 * Server's semantics; where tdslite lacks a feature (noted per test), the
 * test skips with a message instead of accepting a different answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/err.h"
#include "source/catalog.h"
#include "source/ct.h"
#include "source/odbc.h"
#include "source/reader.h"
#include "testserver.h"

#define PW "Sluice_Src_Pw1"

static struct testserver g_env;

/* A setup batch that must succeed. */
static void exec_ok(const char *sql)
{
    testserver_exec(&g_env, sql);
}

static int group_setup(void **state)
{
    (void)state;
    return testserver_open(&g_env, PW, NULL);
}

static int group_teardown(void **state)
{
    (void)state;
    testserver_close(&g_env);
    return 0;
}

static void need_server(void)
{
    if (!g_env.conn)
        skip();
}

/* ---- every type ------------------------------------------------------- */

static const char create_types[] =
    "CREATE TABLE dbo.src_types (id int NOT NULL PRIMARY KEY, b bit, ti tinyint, si smallint, "
    "i int, bi bigint, d38 decimal(38,0), n18 numeric(18,6), m money, sm smallmoney, r real, "
    "f float, da date, dt datetime, sdt smalldatetime, dt2 datetime2(7), dto datetimeoffset(7), "
    "t time(7), c char(5), vc varchar(50), nv nvarchar(50), nvm nvarchar(max), x xml, "
    "g uniqueidentifier, bn binary(4), vbm varbinary(max));";

static const char insert_types[] =
    "INSERT INTO dbo.src_types VALUES (1, 1, 255, 32767, 2147483647, 9223372036854775807, "
    "99999999999999999999999999999999999999, 999999999999.999999, 922337203685477.5807, "
    "214748.3647, 1.5, 1.7976931348623157E308, '9999-12-31', '9999-12-31 23:59:59.997', "
    "'2079-06-06 23:59', '9999-12-31 23:59:59.9999999', '9999-12-31 09:59:59.9999999 -14:00', "
    "'23:59:59.9999999', 'abc', 'h\xc3\xa9llo', "
    "N'A\xf0\x9f\x98\x80z', N'short', N'<a b=\"1\">x</a>', "
    "'6f9619ff-8b86-d011-b42d-00c04fc964ff', 0x01020304, 0xDEADBEEF);"
    "INSERT INTO dbo.src_types VALUES (2, 0, 0, -32768, -2147483648, -9223372036854775807 - 1, "
    "-99999999999999999999999999999999999999, -999999999999.999999, -922337203685477.5808, "
    "-214748.3648, -0.25, -2.2250738585072014E-308, '0001-01-01', '1753-01-01 00:00:00.003', "
    "'1900-01-01 00:00', '0001-01-01 00:00:00', '0001-01-01 14:00:00 +14:00', '00:00:00', "
    "'', '', N'', N'', N'<e/>', '00000000-0000-0000-0000-000000000000', 0x00000000, 0x);"
    "INSERT INTO dbo.src_types (id) VALUES (3);"
    "INSERT INTO dbo.src_types (id, nvm, vbm) VALUES (4, "
    "REPLICATE(CAST(N'ab\xf0\x9f\x98\x80' AS nvarchar(max)), 12800), "
    "CAST(REPLICATE(CAST('xy' AS varchar(max)), 40000) AS varbinary(max)));";

static void cols_from_catalog(const struct catalog_table *t, struct reader_column *rc,
                              struct buf *sql)
{
    struct sl_err err;
    assert_int_equal(buf_append_str(sql, "SELECT "), 0);
    for (size_t i = 0; i < t->ncols; i++) {
        const struct catalog_column *c = &t->cols[i];
        struct buf q;
        sl_err_clear(&err);
        rc[i].name = c->name;
        assert_int_equal(typemap_from_decl(c->type_name, c->max_length, c->precision, c->scale,
                                           c->nullable, NULL, &rc[i].tm, &err),
                         0);
        buf_init(&q, 0);
        assert_int_equal(catalog_quote_ident(&q, c->name), 0);
        if (i)
            assert_int_equal(buf_append_str(sql, ", "), 0);
        assert_int_equal(typemap_select_expr(sql, c->type_name, NULL, (char *)q.data), 0);
        buf_free(&q);
    }
    assert_int_equal(buf_appendf(sql, " FROM %s ORDER BY [id];", t->quoted), 0);
}

static void assert_str(const struct batch *b, size_t col, size_t row, const char *want,
                       size_t wlen)
{
    size_t n = 0;
    const uint8_t *p;
    assert_false(batch_is_null(b, col, row));
    p = batch_get_bytes(b, col, row, &n);
    assert_int_equal(n, wlen);
    assert_memory_equal(p, want, wlen);
}

#define S(b, c, r, s) assert_str(b, c, r, s, sizeof(s) - 1)

static __int128 nines(int k)
{
    __int128 v = 0;
    while (k--)
        v = v * 10 + 9;
    return v;
}

static void check_row_max(const struct batch *b, size_t r)
{
    assert_int_equal(batch_get_int(b, 0, r), 1);
    assert_true(batch_get_bool(b, 1, r));
    assert_int_equal(batch_get_int(b, 2, r), 255);
    assert_int_equal(batch_get_int(b, 3, r), 32767);
    assert_int_equal(batch_get_int(b, 4, r), 2147483647);
    assert_int_equal(batch_get_int(b, 5, r), INT64_MAX);
    assert_true(batch_get_decimal(b, 6, r) == nines(38));
    assert_true(batch_get_decimal(b, 7, r) == nines(18));
    assert_true(batch_get_decimal(b, 8, r) == (__int128)INT64_MAX);
    assert_true(batch_get_decimal(b, 9, r) == 2147483647);
    assert_true(batch_get_double(b, 10, r) == 1.5);
    assert_true(batch_get_double(b, 11, r) == 1.7976931348623157E308);
    assert_int_equal(batch_get_int(b, 12, r), 2932896);
    assert_int_equal(batch_get_int(b, 13, r), INT64_C(253402300799997000));
    assert_int_equal(batch_get_int(b, 14, r), INT64_C(3453321540000000));
    assert_int_equal(batch_get_int(b, 15, r), INT64_C(253402300799999999));
    assert_int_equal(batch_get_int(b, 16, r), INT64_C(253402300799999999));
    S(b, 17, r, "23:59:59.9999999");
    S(b, 18, r, "abc  ");
    S(b, 19, r, "h\xc3\xa9llo");
    S(b, 20, r, "A\xf0\x9f\x98\x80z");
    S(b, 21, r, "short");
    S(b, 22, r, "<a b=\"1\">x</a>");
    S(b, 23, r, "6F9619FF-8B86-D011-B42D-00C04FC964FF");
    assert_str(b, 24, r, "\x01\x02\x03\x04", 4);
    assert_str(b, 25, r, "\xde\xad\xbe\xef", 4);
}

static void check_row_min(const struct batch *b, size_t r)
{
    assert_int_equal(batch_get_int(b, 0, r), 2);
    assert_false(batch_get_bool(b, 1, r));
    assert_int_equal(batch_get_int(b, 2, r), 0);
    assert_int_equal(batch_get_int(b, 3, r), -32768);
    assert_int_equal(batch_get_int(b, 4, r), -2147483647 - 1);
    assert_int_equal(batch_get_int(b, 5, r), INT64_MIN);
    assert_true(batch_get_decimal(b, 6, r) == -nines(38));
    assert_true(batch_get_decimal(b, 7, r) == -nines(18));
    assert_true(batch_get_decimal(b, 8, r) == (__int128)INT64_MIN);
    assert_true(batch_get_decimal(b, 9, r) == -2147483648LL);
    assert_true(batch_get_double(b, 10, r) == -0.25);
    assert_true(batch_get_double(b, 11, r) == -2.2250738585072014E-308);
    assert_int_equal(batch_get_int(b, 12, r), -719162);
    assert_int_equal(batch_get_int(b, 13, r), INT64_C(-6847804799997000));
    assert_int_equal(batch_get_int(b, 14, r), INT64_C(-2208988800000000));
    assert_int_equal(batch_get_int(b, 15, r), INT64_C(-62135596800000000));
    assert_int_equal(batch_get_int(b, 16, r), INT64_C(-62135596800000000));
    S(b, 17, r, "00:00:00.0000000");
    S(b, 18, r, "     ");
    S(b, 19, r, "");
    S(b, 20, r, "");
    S(b, 21, r, "");
    S(b, 22, r, "<e />"); /* SQL Server serialises an empty element as <e /> */
    S(b, 23, r, "00000000-0000-0000-0000-000000000000");
    assert_str(b, 24, r, "\0\0\0\0", 4);
    assert_str(b, 25, r, "", 0);
}

static void check_row_big(const struct batch *b, size_t r)
{
    size_t n = 0;
    const uint8_t *p = batch_get_bytes(b, 21, r, &n);
    assert_int_equal(batch_get_int(b, 0, r), 4);
    assert_int_equal(n, 12800 * 6); /* "ab" + U+1F600 (4 bytes) */
    for (size_t k = 0; k < 12800; k++)
        assert_memory_equal(p + k * 6, "ab\xf0\x9f\x98\x80", 6);
    p = batch_get_bytes(b, 25, r, &n);
    assert_int_equal(n, 80000);
    assert_memory_equal(p + 79998, "xy", 2);
    assert_true(batch_is_null(b, 1, r));
}

static void test_every_type(void **state)
{
    struct catalog_table t;
    struct reader_column rc[32];
    struct reader_options ro = {.batch_rows = 3};
    struct odbc_stmt *s = NULL;
    struct reader *r = NULL;
    struct batch *b = NULL;
    struct buf sql;
    struct sl_err err;
    (void)state;
    need_server();
    exec_ok(create_types);
    exec_ok(insert_types);
    catalog_table_init(&t);
    sl_err_clear(&err);
    assert_int_equal(catalog_get_table(g_env.conn, "dbo", "src_types", &t, &err), 0);
    assert_int_equal(t.ncols, 26);
    assert_int_equal(t.npk, 1);
    assert_string_equal(t.cols[t.pk[0]].name, "id");
    assert_string_equal(t.cols[21].type_name, "nvarchar");
    assert_int_equal(t.cols[21].max_length, -1);
    assert_int_equal(t.cols[6].precision, 38);
    buf_init(&sql, 0);
    cols_from_catalog(&t, rc, &sql);
    assert_int_equal(odbc_stmt_new(g_env.conn, "table [dbo].[src_types]", &s, &err), 0);
    if (reader_open(s, (char *)sql.data, rc, t.ncols, &ro, &r, &err) != 0)
        fail_msg("%s / %s", err.msg, err.detail);
    assert_int_equal(reader_schema(r)->fields[6].type, BATCH_DECIMAL);
    if (reader_next(r, &b, &err) != 0)
        fail_msg("%s / %s", err.msg, err.detail);
    assert_non_null(b);
    assert_int_equal(b->nrows, 3);
    check_row_max(b, 0);
    check_row_min(b, 1);
    for (size_t c = 1; c < t.ncols; c++)
        assert_true(batch_is_null(b, c, 2));
    if (reader_next(r, &b, &err) != 0)
        fail_msg("%s / %s", err.msg, err.detail);
    assert_non_null(b);
    assert_int_equal(b->nrows, 1);
    check_row_big(b, 0);
    assert_int_equal(reader_next(r, &b, &err), 0);
    assert_null(b);
    assert_int_equal(reader_rows(r), 4);
    reader_destroy(r);
    odbc_stmt_destroy(s);
    buf_free(&sql);
    catalog_table_free(&t);
}

/* A value over the reader's limit fails loudly, naming the column. */
static void test_value_limit(void **state)
{
    struct reader_column rc[1];
    struct reader_options ro = {.value_limit = 1000};
    struct odbc_stmt *s = NULL;
    struct reader *r = NULL;
    struct batch *b = NULL;
    struct sl_err err;
    (void)state;
    need_server();
    sl_err_clear(&err);
    rc[0].name = "nvm";
    assert_int_equal(typemap_from_decl("nvarchar", -1, 0, 0, true, NULL, &rc[0].tm, &err), 0);
    assert_int_equal(odbc_stmt_new(g_env.conn, "table [dbo].[src_types]", &s, &err), 0);
    assert_int_equal(reader_open(s, "SELECT nvm FROM dbo.src_types WHERE id = 4;", rc, 1, &ro, &r,
                                 &err),
                     0);
    assert_int_equal(reader_next(r, &b, &err), SL_ELIMIT);
    assert_non_null(strstr(err.msg, "column 1"));
    reader_destroy(r);
    odbc_stmt_destroy(s);
}

/* ---- block fetch ------------------------------------------------------ */

static void test_block_fetch(void **state)
{
    struct reader_column rc[3];
    struct reader_options ro = {.batch_rows = 1000};
    struct odbc_stmt *s = NULL;
    struct reader *r = NULL;
    struct batch *b = NULL;
    struct buf sql;
    struct sl_err err;
    int64_t sum = 0, rows = 0, batches = 0;
    (void)state;
    need_server();
    exec_ok("CREATE TABLE dbo.src_many (id int NOT NULL PRIMARY KEY, name nvarchar(20) NOT NULL, "
            "amount decimal(12,2) NULL);");
    buf_init(&sql, 0);
    for (int k = 0; k < 5; k++) {
        buf_reset(&sql);
        buf_append_str(&sql, "INSERT INTO dbo.src_many VALUES ");
        for (int j = 0; j < 1000; j++) {
            int id = k * 1000 + j + 1;
            buf_appendf(&sql, "%s(%d, N'n%d', %d.%02d)", j ? ", " : "", id, id, id, id % 100);
        }
        exec_ok((char *)sql.data);
    }
    sl_err_clear(&err);
    rc[0].name = "id";
    rc[1].name = "name";
    rc[2].name = "amount";
    typemap_from_decl("int", 4, 10, 0, false, NULL, &rc[0].tm, &err);
    typemap_from_decl("nvarchar", 40, 0, 0, false, NULL, &rc[1].tm, &err);
    typemap_from_decl("decimal", 9, 12, 2, true, NULL, &rc[2].tm, &err);
    assert_int_equal(odbc_stmt_new(g_env.conn, "table [dbo].[src_many]", &s, &err), 0);
    assert_int_equal(reader_open(s, "SELECT id, name, amount FROM dbo.src_many ORDER BY id;", rc,
                                 3, &ro, &r, &err),
                     0);
    for (;;) {
        if (reader_next(r, &b, &err) != 0)
            fail_msg("%s / %s", err.msg, err.detail);
        if (!b)
            break;
        batches++;
        assert_int_equal(b->nrows, 1000);
        for (size_t i = 0; i < b->nrows; i++) {
            int64_t id = batch_get_int(b, 0, i);
            char want[16];
            size_t n;
            const uint8_t *p = batch_get_bytes(b, 1, i, &n);
            assert_int_equal(id, rows + 1);
            snprintf(want, sizeof(want), "n%d", (int)id);
            assert_int_equal(n, strlen(want));
            assert_memory_equal(p, want, n);
            assert_true(batch_get_decimal(b, 2, i) == (__int128)id * 100 + id % 100);
            sum += id;
            rows++;
        }
    }
    assert_int_equal(rows, 5000);
    assert_int_equal(batches, 5);
    assert_int_equal(sum, 5000 * 5001 / 2);
    reader_destroy(r);
    odbc_stmt_destroy(s);
    buf_free(&sql);
}

/* ---- CT full-load query and catalog ------------------------------------ */

static void test_ct_full_load(void **state)
{
    struct catalog_table t;
    struct odbc_stmt *s = NULL;
    struct reader *r = NULL;
    struct batch *b = NULL;
    struct sl_err err;
    size_t n;
    const uint8_t *p;
    (void)state;
    need_server();
    exec_ok("CREATE TABLE dbo.[src ct x] (id int NOT NULL, k nvarchar(10) NOT NULL, "
            "v varchar(max) NULL, amount money NOT NULL, CONSTRAINT pk_src_ct PRIMARY KEY (k, id));"
            "INSERT INTO dbo.[src ct x] VALUES (2, N'b', 'two', 2.5), (1, N'b', NULL, 1), "
            "(9, N'a', 'nine', -0.0001);");
    catalog_table_init(&t);
    sl_err_clear(&err);
    assert_int_equal(catalog_get_table(g_env.conn, "dbo", "src ct x", &t, &err), 0);
    assert_string_equal(t.quoted, "[dbo].[src ct x]");
    assert_int_equal(t.npk, 2);
    assert_string_equal(t.cols[t.pk[0]].name, "k");
    assert_string_equal(t.cols[t.pk[1]].name, "id");
    if (ct_open_full(g_env.conn, &t, 42, NULL, NULL, &s, &r, &err) != 0)
        fail_msg("%s / %s", err.msg, err.detail);
    assert_int_equal(reader_next(r, &b, &err), 0);
    assert_non_null(b);
    assert_int_equal(b->nrows, 3);
    assert_string_equal(reader_schema(r)->fields[3].name, "k");
    assert_string_equal(reader_schema(r)->fields[4].name, "id");
    assert_string_equal(reader_schema(r)->fields[5].name, "v");
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(batch_get_int(b, 0, i), 42);
        assert_true(batch_is_null(b, 1, i));
        p = batch_get_bytes(b, 2, i, &n);
        assert_int_equal(n, 1);
        assert_int_equal(p[0], 'I');
    }
    /* ORDER BY k, id: (a,9), (b,1), (b,2) */
    assert_int_equal(batch_get_int(b, 4, 0), 9);
    assert_true(batch_get_decimal(b, 6, 0) == -1);
    assert_int_equal(batch_get_int(b, 4, 1), 1);
    assert_true(batch_is_null(b, 5, 1));
    assert_int_equal(batch_get_int(b, 4, 2), 2);
    S(b, 5, 2, "two");
    assert_true(batch_get_decimal(b, 6, 2) == 25000);
    reader_destroy(r);
    odbc_stmt_destroy(s);
    catalog_table_free(&t);
}

/* A name with ']' is quoted as [c]]d] everywhere. */
static void test_bracket_name(void **state)
{
    struct catalog_table t;
    struct sl_err err;
    int rc;
    (void)state;
    need_server();
    exec_ok("CREATE TABLE dbo.[src]]br] (id int NOT NULL PRIMARY KEY, [x]]y] int NULL);");
    catalog_table_init(&t);
    sl_err_clear(&err);
    rc = catalog_get_table(g_env.conn, "dbo", "src]br", &t, &err);
    assert_int_equal(rc, 0);
    assert_string_equal(t.quoted, "[dbo].[src]]br]");
    assert_string_equal(t.cols[1].name, "x]y");
    catalog_table_free(&t);
}

static void test_errors(void **state)
{
    struct catalog_table t;
    struct reader_column rc[1];
    struct odbc_stmt *s = NULL;
    struct reader *r = NULL;
    struct sl_err err;
    (void)state;
    need_server();
    catalog_table_init(&t);
    sl_err_clear(&err);
    assert_int_equal(catalog_get_table(g_env.conn, "dbo", "no_such_table", &t, &err),
                     SL_ENOTFOUND);
    assert_string_equal(err.msg, "table [dbo].[no_such_table] does not exist");
    sl_err_clear(&err);
    rc[0].name = "a";
    typemap_from_decl("int", 4, 10, 0, true, NULL, &rc[0].tm, &err);
    assert_int_equal(odbc_stmt_new(g_env.conn, "table [dbo].[no_such_table]", &s, &err), 0);
    assert_int_equal(reader_open(s, "SELECT a FROM dbo.no_such_table;", rc, 1, NULL, &r, &err),
                     SL_ESQL);
    assert_null(r);
    assert_int_equal(err.source_code, 208);
    assert_non_null(strstr(err.msg, "table [dbo].[no_such_table]: Invalid object name"));
    assert_non_null(strstr(err.detail, "SQLSTATE 42S02"));
    assert_true(err.hint[0] != 0);
    assert_false(odbc_err_transient(&err));
    odbc_stmt_destroy(s);
    /* the connection is still usable after a statement error */
    exec_ok("SELECT 1;");
}

/* Permission and change tracking switches. */
static void test_permission_and_ct_status(void **state)
{
    struct catalog_table t;
    struct sl_err err;
    bool ok = false, db_on = true, tbl_on = true;
    int rc;
    (void)state;
    need_server();
    catalog_table_init(&t);
    sl_err_clear(&err);
    assert_int_equal(catalog_get_table(g_env.conn, "dbo", "src_many", &t, &err), 0);
    rc = catalog_can_select(g_env.conn, &t, &ok, &err);
    assert_int_equal(rc, 0);
    assert_true(ok);
    sl_err_clear(&err);
    rc = catalog_ct_status(g_env.conn, &t, &db_on, &tbl_on, &err);
    if (rc == SL_ESQL && g_env.tdslite && err.source_code == 208) {
        fprintf(stderr, "tdslite gap: %s\n", err.msg);
    } else {
        assert_int_equal(rc, 0);
        assert_false(tbl_on);
    }
    catalog_table_free(&t);
}

/* A SQL login that is not sysadmin, through the same ODBC driver: it sees
 * what it was granted and nothing more. Only against tdslite, where this
 * test may create logins (a real server's login is the caller's). */
static void test_non_sa_login(void **state)
{
    char connstr[1024];
    struct odbc_options opt = {.login_timeout_s = 10, .query_timeout_s = 60};
    struct odbc_conn *c = NULL;
    struct catalog_table t;
    struct sl_err err;
    bool ok = true;
    (void)state;
    need_server();
    if (!g_env.tdslite)
        skip();
    exec_ok("CREATE LOGIN sl_reader WITH PASSWORD = N'Rdr!pass1';");
    exec_ok("CREATE USER sl_reader FOR LOGIN sl_reader;");
    exec_ok("CREATE TABLE dbo.src_secret (id int NOT NULL PRIMARY KEY);");
    exec_ok("GRANT SELECT ON dbo.src_many TO sl_reader;");
    snprintf(connstr, sizeof(connstr),
             "Driver={FreeTDS};Server=127.0.0.1;Port=%d;UID=sl_reader;PWD={Rdr!pass1};Database=master;"
             "TDS_Version=7.4;ClientCharset=UTF-8",
             g_env.port);
    sl_err_clear(&err);
    assert_int_equal(odbc_open(connstr, "tdslite as sl_reader", &opt, &c, &err), 0);
    catalog_table_init(&t);
    assert_int_equal(catalog_get_table(c, "dbo", "src_many", &t, &err), 0);
    assert_int_equal(catalog_can_select(c, &t, &ok, &err), 0);
    assert_true(ok);
    assert_int_equal(catalog_has_perm(c, &t, "VIEW CHANGE TRACKING", &ok, &err), 0);
    assert_false(ok);
    catalog_table_free(&t);
    catalog_table_init(&t);
    assert_int_equal(catalog_get_table(c, "dbo", "src_secret", &t, &err), 0);
    assert_int_equal(catalog_can_select(c, &t, &ok, &err), 0);
    assert_false(ok);
    catalog_table_free(&t);
    /* reading it is refused with SQL Server's 229 */
    assert_int_not_equal(odbc_exec(c, "SELECT id FROM dbo.src_secret;", "test read", &err), 0);
    assert_int_equal(err.source_code, 229);
    odbc_close(c);
    /* a wrong password is refused */
    snprintf(connstr, sizeof(connstr),
             "Driver={FreeTDS};Server=127.0.0.1;Port=%d;UID=sl_reader;PWD={Wrong!pass1};Database=master;"
             "TDS_Version=7.4;ClientCharset=UTF-8",
             g_env.port);
    sl_err_clear(&err);
    c = NULL;
    assert_int_not_equal(odbc_open(connstr, "tdslite as sl_reader", &opt, &c, &err), 0);
    assert_null(c);
}

/* rowversion → INT64 (big-endian). tdslite refuses rowversion columns. */
static void test_rowversion(void **state)
{
    struct catalog_table t;
    struct reader_column rc[2];
    struct odbc_stmt *s = NULL;
    struct reader *r = NULL;
    struct batch *b = NULL;
    struct sl_err err;
    (void)state;
    need_server();
    sl_err_clear(&err);
    if (odbc_exec(g_env.conn, "CREATE TABLE dbo.src_rv (id int NOT NULL PRIMARY KEY, rv rowversion);",
                  "create", &err) != 0) {
        if (g_env.tdslite) {
            fprintf(stderr, "tdslite gap: %s\n", err.msg);
            skip();
        }
        fail_msg("%s", err.msg);
    }
    exec_ok("INSERT INTO dbo.src_rv (id) VALUES (1);");
    catalog_table_init(&t);
    assert_int_equal(catalog_get_table(g_env.conn, "dbo", "src_rv", &t, &err), 0);
    for (int i = 0; i < 2; i++) {
        rc[i].name = t.cols[i].name;
        assert_int_equal(typemap_from_decl(t.cols[i].type_name, t.cols[i].max_length, 0, 0, true,
                                           NULL, &rc[i].tm, &err),
                         0);
    }
    assert_int_equal(rc[1].tm.type, BATCH_INT64);
    assert_int_equal(odbc_stmt_new(g_env.conn, "table [dbo].[src_rv]", &s, &err), 0);
    assert_int_equal(reader_open(s, "SELECT id, rv FROM dbo.src_rv;", rc, 2, NULL, &r, &err), 0);
    assert_int_equal(reader_next(r, &b, &err), 0);
    assert_non_null(b);
    assert_true(batch_get_int(b, 1, 0) > 0);
    reader_destroy(r);
    odbc_stmt_destroy(s);
    catalog_table_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_type),   cmocka_unit_test(test_value_limit),
        cmocka_unit_test(test_block_fetch),  cmocka_unit_test(test_ct_full_load),
        cmocka_unit_test(test_bracket_name), cmocka_unit_test(test_errors),       cmocka_unit_test(test_permission_and_ct_status),
        cmocka_unit_test(test_rowversion),   cmocka_unit_test(test_non_sa_login),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
