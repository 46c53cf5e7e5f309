/* End-to-end tests for sink_export (src/sink/export.c): a query through
 * the real FreeTDS ODBC driver into one Parquet file, read back with the
 * Parquet reader; refusals (unnamed, duplicate, unreadable columns, SQL
 * errors) and write faults leave an existing output untouched and no temp.
 *
 * The server is $SLUICE_TEST_MSSQL (an ODBC connection string) when set,
 * else tdslite started from $SL_BUILD_DIR/bin/tdslite on a free port; the
 * tests skip when neither is available. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "format/parquet/parquet.h"
#include "sink/export.h"
#include "source/odbc.h"
#include "state/fsio.h"
#include "testserver.h"
#include "testutil.h"

#define PW "Sluice_Export_Pw1"

static struct testserver g;

static int group_setup(void **state)
{
    struct sl_err e;
    (void)state;
    if (testserver_open(&g, PW, NULL) != 0)
        return -1;
    if (!g.conn)
        return 0; /* no server: every test skips */
    sl_err_clear(&e);
    if (odbc_exec(g.conn,
                  "IF OBJECT_ID(N'dbo.exp_t') IS NOT NULL DROP TABLE dbo.exp_t;"
                  "CREATE TABLE dbo.exp_t (id int NOT NULL PRIMARY KEY, name nvarchar(40), "
                  "amount decimal(12,3), m money, at datetime2(6), d date, flag bit, "
                  "g uniqueidentifier, raw varbinary(16), big bigint);"
                  "INSERT INTO dbo.exp_t VALUES (1, N'h\xc3\xa9llo \xf0\x9f\x98\x80', "
                  "-1234.5, 922337203685477.5807, '2024-02-29 12:34:56.123456', '0001-01-01', "
                  "1, '6f9619ff-8b86-d011-b42d-00c04fc964ff', 0x00FF10, 9223372036854775807);"
                  "INSERT INTO dbo.exp_t (id) VALUES (2);",
                  "test setup", &e) != 0) {
        fprintf(stderr, "setup failed: %s\n", e.msg);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    testserver_close(&g);
    return 0;
}

static int setup(void **state)
{
    if (!g.conn)
        skip();
    return testutil_tmpdir_setup(state);
}

static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;
    assert_non_null(d);
    while ((de = readdir(d)) != NULL)
        n += de->d_name[0] != '.' || (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."));
    closedir(d);
    return n;
}

static void test_export_values(void **state)
{
    static const char *names[] = {"id", "name", "amount", "m", "at", "d", "flag", "g", "raw", "big"};
    char out[512];
    struct sl_err e;
    struct sink_options so = {.codec = PARQUET_SNAPPY};
    struct parquet_reader *r;
    struct batch *b;
    const struct batch_schema *s;
    uint64_t rows = 99;
    size_t len;
    const uint8_t *p;

    snprintf(out, sizeof out, "%s/t.parquet", (char *)*state);
    sl_err_clear(&e);
    assert_int_equal(sink_export(g.conn, "SELECT * FROM dbo.exp_t ORDER BY id", out, &so, &rows, &e),
                     0);
    assert_int_equal(rows, 2);
    assert_int_equal(entries(*state), 1); /* no temp left */
    assert_int_equal(parquet_reader_open(out, &r, &e), 0);
    s = parquet_reader_schema(r);
    assert_int_equal(s->nfields, 10);
    for (size_t i = 0; i < 10; i++)
        assert_string_equal(s->fields[i].name, names[i]);
    assert_int_equal(s->fields[2].type, BATCH_DECIMAL);
    assert_int_equal(s->fields[2].precision, 12);
    assert_int_equal(s->fields[2].scale, 3);
    assert_int_equal(s->fields[3].precision, 19); /* money */
    assert_int_equal(s->fields[3].scale, 4);
    assert_int_equal(s->fields[4].type, BATCH_TIMESTAMP);
    assert_int_equal(s->fields[5].type, BATCH_DATE);
    assert_int_equal(s->fields[6].type, BATCH_BOOL);
    assert_int_equal(s->fields[7].type, BATCH_STRING);
    assert_int_equal(s->fields[8].type, BATCH_BINARY);
    assert_int_equal(s->fields[9].type, BATCH_INT64);
    b = batch_new(s, 16, 0);
    assert_int_equal(parquet_reader_read(r, b, &e), 2);
    assert_int_equal(batch_get_int(b, 0, 0), 1);
    p = batch_get_bytes(b, 1, 0, &len);
    assert_int_equal(len, 11);
    assert_memory_equal(p, "h\xc3\xa9llo \xf0\x9f\x98\x80", 11);
    assert_true(batch_get_decimal(b, 2, 0) == -1234500);
    assert_true(batch_get_decimal(b, 3, 0) == (__int128)INT64_MAX);
    assert_true(batch_get_int(b, 4, 0) == 1709210096123456LL); /* 2024-02-29T12:34:56.123456 */
    assert_int_equal(batch_get_int(b, 5, 0), -719162);
    assert_true(batch_get_bool(b, 6, 0));
    p = batch_get_bytes(b, 7, 0, &len);
    assert_int_equal(len, 36);
    assert_memory_equal(p, "6F9619FF-8B86-D011-B42D-00C04FC964FF", 36);
    p = batch_get_bytes(b, 8, 0, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(p, "\x00\xff\x10", 3);
    assert_true(batch_get_int(b, 9, 0) == INT64_MAX);
    for (size_t c = 1; c < 10; c++)
        assert_true(batch_is_null(b, c, 1));
    batch_destroy(b);
    parquet_reader_close(r);
}

/* An existing output is replaced only by a complete new file. */
static void test_refusals_keep_the_old_file(void **state)
{
    static const struct {
        const char *sql;
        int code;
        const char *msg;
    } bad[] = {
        {"SELECT id, 1 FROM dbo.exp_t", SL_EINVAL, "has no name"},
        {"SELECT id, name AS ID FROM dbo.exp_t", SL_EINVAL, "two columns named"},
        {"SELECT nope FROM dbo.exp_t", SL_ESQL, NULL},
        {"DECLARE @x int", SL_EINVAL, "no result set"},
    };
    char out[512], *txt;
    struct sl_err e;
    uint64_t rows;

    snprintf(out, sizeof out, "%s/keep.parquet", (char *)*state);
    testutil_set_file(out, "old");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sl_err_clear(&e);
        rows = 7;
        assert_int_equal(sink_export(g.conn, bad[i].sql, out, NULL, &rows, &e), bad[i].code);
        if (bad[i].msg)
            assert_non_null(strstr(e.msg, bad[i].msg));
        assert_int_equal(rows, 0);
        txt = testutil_get_file(out);
        assert_string_equal(txt, "old");
        free(txt);
        assert_int_equal(entries(*state), 1);
    }
    /* a good query replaces it */
    sl_err_clear(&e);
    assert_int_equal(sink_export(g.conn, "SELECT id FROM dbo.exp_t WHERE id = 2", out, NULL, &rows, &e), 0);
    assert_int_equal(rows, 1);
    assert_int_equal(entries(*state), 1);
}

struct hook {
    int fail_write;
    int calls;
};

static ssize_t hook_write(void *arg, int fd, const void *p, size_t n)
{
    struct hook *h = arg;
    if (++h->calls == h->fail_write) {
        errno = ENOSPC;
        return -1;
    }
    return write(fd, p, n);
}

static void test_write_fault(void **state)
{
    char out[512], *txt;
    struct sl_err e;
    struct hook h = {0};
    struct fsio_ops io = {hook_write, NULL, &h};
    struct sink_options so = {.codec = PARQUET_ZSTD, .io = &io};
    int calls;

    snprintf(out, sizeof out, "%s/f.parquet", (char *)*state);
    sl_err_clear(&e);
    assert_int_equal(sink_export(g.conn, "SELECT * FROM dbo.exp_t", out, &so, NULL, &e), 0);
    calls = h.calls;
    assert_true(calls >= 3);
    for (int n = 1; n <= calls; n++) {
        testutil_set_file(out, "old");
        h.calls = 0;
        h.fail_write = n;
        sl_err_clear(&e);
        assert_int_equal(sink_export(g.conn, "SELECT * FROM dbo.exp_t", out, &so, NULL, &e),
                         SL_ENOSPC);
        txt = testutil_get_file(out);
        assert_string_equal(txt, "old");
        free(txt);
        assert_int_equal(entries(*state), 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_export_values, setup, testutil_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_refusals_keep_the_old_file, setup,
                                        testutil_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_write_fault, setup, testutil_tmpdir_teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
