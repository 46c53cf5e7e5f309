/* Unit tests for src/sink: per_table and unified files, parts and rolling,
 * footer keys read back, and the publish protocol under injected faults
 * (write, fsync, open, rename, directory fsync) and allocation failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/mem.h"
#include "format/parquet/parquet.h"
#include "sink/sink.h"
#include "state/fsio.h"
#include "testutil.h"

/* 2026-11-21T10:00:05.678Z */
#define STARTED_MS 1795255205678LL
#define DAY_DIR "data/shop/dbo/orders/2026-11-21"
#define STEM "dbo_orders_20261121T100005678Z"

/* ---- input batches in the CT layout ---- */

struct input {
    struct batch_schema schema;
    struct batch *b;
};

static void input_init(struct input *in)
{
    struct batch_schema *s = &in->schema;
    assert_int_equal(batch_schema_init(s, 6), 0);
    assert_int_equal(batch_schema_set(s, 0, "SYS_CHANGE_VERSION", BATCH_INT64, false, 0, 0, false), 0);
    assert_int_equal(batch_schema_set(s, 1, "SYS_CHANGE_CREATION_VERSION", BATCH_INT64, true, 0, 0, false), 0);
    assert_int_equal(batch_schema_set(s, 2, "SYS_CHANGE_OPERATION", BATCH_STRING, false, 0, 0, false), 0);
    assert_int_equal(batch_schema_set(s, 3, "id", BATCH_INT32, false, 0, 0, false), 0);
    assert_int_equal(batch_schema_set(s, 4, "name", BATCH_STRING, true, 0, 0, false), 0);
    assert_int_equal(batch_schema_set(s, 5, "amount", BATCH_DECIMAL, true, 10, 2, false), 0);
    in->b = batch_new(s, 64, 0);
    assert_non_null(in->b);
}

static void input_free(struct input *in)
{
    batch_destroy(in->b);
    batch_schema_free(&in->schema);
}

/* Row i: version 100 + i, op by i % 3 (I, U, D), name "n<i>" (NULL for deletes). */
static void add_row(struct input *in, int i)
{
    static const char ops[] = "IUD";
    char name[16];
    struct batch *b = in->b;
    char op = ops[i % 3];
    assert_int_equal(batch_append_int(b, 0, 100 + i), 0);
    if (op == 'I')
        assert_int_equal(batch_append_int(b, 1, 100 + i), 0);
    else
        assert_int_equal(batch_append_null(b, 1), 0);
    assert_int_equal(batch_append_str(b, 2, &op, 1), 0);
    assert_int_equal(batch_append_int(b, 3, i), 0);
    if (op == 'D') {
        assert_int_equal(batch_append_null(b, 4), 0);
        assert_int_equal(batch_append_null(b, 5), 0);
    } else {
        snprintf(name, sizeof name, "n%d", i);
        assert_int_equal(batch_append_str(b, 4, name, strlen(name)), 0);
        assert_int_equal(batch_append_decimal(b, 5, (__int128)i * 150 - 7), 0);
    }
    batch_end_row(b);
}

struct fixture {
    struct sink_options opt;
    struct sink_table t;
    struct sink_run run;
};

static void fixture_init(struct fixture *f, const char *root, enum sink_format fmt)
{
    memset(f, 0, sizeof *f);
    f->opt.root = root;
    f->opt.format = fmt;
    f->opt.codec = PARQUET_ZSTD;
    f->t.db = "shop";
    f->t.schema = "dbo";
    f->t.table = "orders";
    f->run.run_id = "20261121T100005Z-ab12";
    f->run.started_ms = STARTED_MS;
    watermark_pos_ct(&f->run.from, 41);
    watermark_pos_ct(&f->run.to, 47);
    f->run.schema_version = "01e5fd97a215fb3f";
}

/* Write rows [0, n) in batches of `per` rows; returns the first failure. */
static int write_rows(struct sink *s, struct input *in, int n, int per, struct sl_err *e)
{
    int rc = 0;
    for (int i = 0; i < n && rc == 0;) {
        batch_reset(in->b);
        for (int k = 0; k < per && i < n; k++, i++)
            add_row(in, i);
        rc = sink_write(s, in->b, e);
    }
    return rc;
}

static int run_sink(struct fixture *f, struct input *in, int n, int per, struct sink_result *res,
                    struct sl_err *e)
{
    struct sink *s = NULL;
    int rc = sink_open(&f->opt, &f->t, &f->run, &in->schema, 1, &s, e);
    if (rc)
        return rc;
    rc = write_rows(s, in, n, per, e);
    if (rc) {
        sink_abort(s);
        return rc;
    }
    return sink_finish(s, res, e);
}

/* ---- inspecting the tree ---- */

static int g_files, g_temps;

static int count_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)ftw;
    if (flag == FTW_F) {
        g_files++;
        g_temps += fsio_is_temp_name(path);
    }
    return 0;
}

/* Number of regular files under root (temps counted in *temps). */
static int count_files(const char *root, int *temps)
{
    g_files = g_temps = 0;
    nftw(root, count_one, 16, FTW_PHYS);
    if (temps)
        *temps = g_temps;
    return g_files;
}

/* After a failed run: no final-name file and no temp anywhere. */
static void assert_clean(const char *root)
{
    int temps;
    assert_int_equal(count_files(root, &temps), 0);
    assert_int_equal(temps, 0);
}

static char *path_in(const char *root, const char *rel)
{
    static char p[1024];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    return p;
}

static void read_all(const char *path, struct parquet_reader **r, struct batch **b)
{
    struct sl_err e;
    sl_err_clear(&e);
    assert_int_equal(parquet_reader_open(path, r, &e), 0);
    *b = batch_new(parquet_reader_schema(*r), 1024, 0);
    assert_non_null(*b);
    assert_true(parquet_reader_read(*r, *b, &e) >= 0);
}

/* ---- per_table ---- */

static void test_per_table_columns_and_values(void **state)
{
    const char *root = *state;
    struct fixture f;
    struct input in;
    struct sink_result res;
    struct sl_err e;
    struct parquet_reader *r;
    struct batch *b;
    const struct batch_schema *fs;
    const char *names[] = {"id", "name", "amount", "SYS_CHANGE_VERSION",
                           "SYS_CHANGE_CREATION_VERSION", "SYS_CHANGE_OPERATION"};
    size_t len;

    fixture_init(&f, root, SINK_PER_TABLE);
    input_init(&in);
    sl_err_clear(&e);
    assert_int_equal(run_sink(&f, &in, 7, 4, &res, &e), 0);
    assert_int_equal(res.nfiles, 1);
    assert_string_equal(res.files[0].path, DAY_DIR "/" STEM "_part1.parquet");
    assert_int_equal(res.rows, 7);
    assert_int_equal(res.files[0].rows, 7);
    assert_int_equal(res.inserts, 3);
    assert_int_equal(res.updates, 2);
    assert_int_equal(res.deletes, 2);
    assert_true(res.bytes > 0 && res.bytes == res.files[0].bytes);

    read_all(path_in(root, res.files[0].path), &r, &b);
    fs = parquet_reader_schema(r);
    assert_int_equal(fs->nfields, 6);
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(fs->fields[i].name, names[i]);
    assert_int_equal(b->nrows, 7);
    assert_int_equal(batch_get_int(b, 0, 5), 5);
    assert_int_equal(batch_get_bytes(b, 1, 4, &len)[1], '4');
    assert_true(batch_is_null(b, 1, 2));                        /* delete: no name */
    assert_true(batch_get_decimal(b, 2, 6) == 6 * 150 - 7);
    assert_int_equal(batch_get_int(b, 3, 6), 106);
    assert_true(batch_is_null(b, 4, 1));
    assert_int_equal(batch_get_int(b, 4, 3), 103);
    assert_int_equal(batch_get_bytes(b, 5, 2, &len)[0], 'D');
    assert_int_equal(fs->fields[0].nullable, false);
    assert_int_equal(fs->fields[4].nullable, true);
    assert_int_equal(count_files(root, NULL), 1);
    batch_destroy(b);
    parquet_reader_close(r);
    sink_result_free(&res);
    input_free(&in);
}

static void test_per_table_soft_delete(void **state)
{
    const char *root = *state;
    struct fixture f;
    struct input in;
    struct sink_result res;
    struct sl_err e;
    struct parquet_reader *r;
    struct batch *b;
    const struct batch_schema *fs;

    fixture_init(&f, root, SINK_PER_TABLE);
    f.opt.soft_delete = true;
    input_init(&in);
    sl_err_clear(&e);
    assert_int_equal(run_sink(&f, &in, 6, 6, &res, &e), 0);
    read_all(path_in(root, res.files[0].path), &r, &b);
    fs = parquet_reader_schema(r);
    assert_int_equal(fs->nfields, 7);
    assert_string_equal(fs->fields[6].name, "_is_deleted");
    assert_int_equal(fs->fields[6].type, BATCH_BOOL);
    assert_false(fs->fields[6].nullable);
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(batch_get_bool(b, 6, i), i % 3 == 2);
    batch_destroy(b);
    parquet_reader_close(r);
    sink_result_free(&res);
    input_free(&in);
}

static void test_footer_keys(void **state)
{
    const char *root = *state;
    struct fixture f;
    struct input in;
    struct sink_result res;
    struct sl_err e;
    struct sink_footer ft;
    struct arena a;

    fixture_init(&f, root, SINK_PER_TABLE);
    input_init(&in);
    sl_err_clear(&e);
    assert_int_equal(run_sink(&f, &in, 3, 3, &res, &e), 0);
    arena_init(&a, 0, 0);
    assert_int_equal(sink_footer_read(path_in(root, res.files[0].path), &ft, &a, &e), 0);
    assert_true(ft.has_meta);
    assert_string_equal(ft.table, "shop.dbo.orders");
    assert_string_equal(ft.run_id, "20261121T100005Z-ab12");
    assert_int_equal(ft.from.kind, WM_POS_CT);
    assert_int_equal(ft.from.version, 41);
    assert_int_equal(ft.to.version, 47);
    assert_int_equal(ft.part, 1);
    assert_true(ft.last);
    assert_string_equal(ft.schema_version, "01e5fd97a215fb3f");
    assert_string_equal(ft.format, "per_table");
    assert_string_equal(ft.mode, "incremental");
    assert_int_equal(ft.format_version, SINK_FORMAT_VERSION);
    arena_free(&a);
    sink_result_free(&res);
    input_free(&in);
}

static void test_full_load_and_cdc_positions(void **state)
{
    const char *root = *state;
    struct fixture f;
    struct input in;
    struct sink_result res;
    struct sl_err e;
    struct sink_footer ft;
    struct arena a;

    fixture_init(&f, root, SINK_PER_TABLE);
    f.run.full = true;
    memset(&f.run.from, 0, sizeof f.run.from);
    assert_int_equal(watermark_pos_cdc(&f.run.to, "0000002A000001B80003", "0000002a000001b80002",
                                       &e), 0);
    input_init(&in);
    sl_err_clear(&e);
    assert_int_equal(run_sink(&f, &in, 2, 2, &res, &e), 0);
    arena_init(&a, 0, 0);
    assert_int_equal(sink_footer_read(path_in(root, res.files[0].path), &ft, &a, &e), 0);
    assert_int_equal(ft.from.kind, WM_POS_NONE);
    assert_int_equal(ft.to.kind, WM_POS_CDC);
    assert_string_equal(ft.to.start_lsn, "0000002A000001B80003");
    assert_string_equal(ft.to.seqval, "0000002a000001b80002");
    assert_string_equal(ft.mode, "full");
    arena_free(&a);
    sink_result_free(&res);
    input_free(&in);
}

static void check_part(const char *root, const struct sink_result *res, size_t i, uint64_t rows,
                       bool last)
{
    char want[256];
    struct sink_footer ft;
    struct arena a;
    struct sl_err e;
    snprintf(want, sizeof want, DAY_DIR "/" STEM "_part%zu.parquet", i + 1);
    assert_string_equal(res->files[i].path, want);
    assert_int_equal(res->files[i].rows, rows);
    arena_init(&a, 0, 0);
    sl_err_clear(&e);
    assert_int_equal(sink_footer_read(path_in(root, want), &ft, &a, &e), 0);
    assert_int_equal(ft.part, (int)i + 1);
    assert_int_equal(ft.last, last);
    arena_free(&a);
}

static void test_rolling_parts(void **state)
{
    const char *root = *state;
    struct fixture f;
    struct input in;
    struct sink_result res;
    struct sl_err e;

    fixture_init(&f, root, SINK_PER_TABLE);
    f.opt.max_file_rows = 3;
    input_init(&in);
    sl_err_clear(&e);
    /* batches of 4 rows cross the part boundaries */
    assert_int_equal(run_sink(&f, &in, 7, 4, &res, &e), 0);
    assert_int_equal(res.nfiles, 3);
    check_part(root, &res, 0, 3, false);
    check_part(root, &res, 1, 3, false);
    check_part(root, &res, 2, 1, true);
    assert_int_equal(res.rows, 7);
    assert_int_equal(res.bytes, res.files[0].bytes + res.files[1].bytes + res.files[2].bytes);
    sink_result_free(&res);

    /* exactly full: no empty last part */
    f.run.started_ms += 1;
    assert_int_equal(run_sink(&f, &in, 6, 6, &res, &e), 0);
    assert_int_equal(res.nfiles, 2);
    assert_int_equal(res.files[1].rows, 3);
    {
        struct sink_footer ft;
        struct arena a;
        arena_init(&a, 0, 0);
        assert_int_equal(sink_footer_read(path_in(root, res.files[1].path), &ft, &a, &e), 0);
        assert_true(ft.last);
        assert_int_equal(sink_footer_read(path_in(root, res.files[0].path), &ft, &a, &e), 0);
        assert_false(ft.last);
        arena_free(&a);
    }
    sink_result_free(&res);
    input_free(&in);
}

static void test_zero_rows_publish_nothing(void **state)
{
    const char *root = *state;
    struct fixture f;
    struct input in;
    struct sink_result res;
    struct sl_err e;
    struct sink *s;
    struct stat st;

    fixture_init(&f, root, SINK_PER_TABLE);
    input_init(&in);
    sl_err_clear(&e);
    assert_int_equal(sink_open(&f.opt, &f.t, &f.run, &in.schema, 1, &s, &e), 0);
    assert_int_equal(sink_write(s, in.b, &e), 0); /* an empty batch */
    assert_int_equal(sink_finish(s, &res, &e), 0);
    assert_int_equal(res.nfiles, 0);
    assert_int_equal(res.rows, 0);
    assert_int_equal(stat(path_in(root, "data"), &st), -1); /* not even a directory */
    sink_result_free(&res);
    input_free(&in);
}

static void test_bad_inputs(void **state)
{
    const char *root = *state;
    struct fixture f;
    struct input in;
    struct sl_err e;
    struct sink *s = NULL;

    fixture_init(&f, root, SINK_PER_TABLE);
    input_init(&in);
    f.t.table = "a/b";
    sl_err_clear(&e);
    assert_int_equal(sink_open(&f.opt, &f.t, &f.run, &in.schema, 1, &s, &e), SL_EINVAL);
    assert_non_null(strstr(e.msg, "shop.dbo.a/b"));
    assert_null(s);
    f.t.table = "..";
    sl_err_clear(&e);
    assert_int_equal(sink_open(&f.opt, &f.t, &f.run, &in.schema, 1, &s, &e), SL_EINVAL);
    f.t.table = "orders";
    /* more key columns than table columns */
    sl_err_clear(&e);
    assert_int_equal(sink_open(&f.opt, &f.t, &f.run, &in.schema, 4, &s, &e), SL_EINVAL);
    /* a table column called _is_deleted clashes with soft_delete */
    free(in.schema.fields[4].name);
    in.schema.fields[4].name = strdup("_IS_DELETED");
    f.opt.soft_delete = true;
    sl_err_clear(&e);
    assert_int_equal(sink_open(&f.opt, &f.t, &f.run, &in.schema, 1, &s, &e), SL_EINVAL);
    assert_non_null(strstr(e.msg, "_IS_DELETED"));
    assert_non_null(strstr(e.hint, "soft_delete"));
    f.opt.soft_delete = false;
    sl_err_clear(&e);
    assert_int_equal(sink_open(&f.opt, &f.t, &f.run, &in.schema, 1, &s, &e), 0);
    sink_abort(s);
    input_free(&in);
}

/* ---- unified ---- */

static void test_unified_envelope(void **state)
{
    static const char *names[] = {"data", "table_id.catalog", "table_id.schema", "table_id.table",
                                  "cursor.version", "cursor.lsn", "cursor.seqval",
                                  "extractionTimestamp", "operation", "schemaVersion"};
    static const char *data[] = {
        "{\"id\":0,\"name\":\"n0\",\"amount\":\"-0.07\"}",
        "{\"id\":1,\"name\":\"n1\",\"amount\":\"1.43\"}",
        "{\"id\":2,\"name\":null,\"amount\":null}",
    };
    static const char *ops[] = {"INSERT", "UPDATE", "DELETE"};
    const char *root = *state;
    struct fixture f;
    struct input in;
    struct sink_result res;
    struct sl_err e;
    struct parquet_reader *r;
    struct batch *b;
    const struct batch_schema *fs;
    struct sink_footer ft;
    struct arena a;
    size_t len;
    const uint8_t *p;

    fixture_init(&f, root, SINK_UNIFIED);
    f.t.catalog = "main";
    input_init(&in);
    sl_err_clear(&e);
    assert_int_equal(run_sink(&f, &in, 6, 4, &res, &e), 0);
    assert_int_equal(res.nfiles, 1);
    assert_int_equal(res.deletes, 2);
    read_all(path_in(root, res.files[0].path), &r, &b);
    fs = parquet_reader_schema(r);
    assert_int_equal(fs->nfields, 10);
    for (size_t i = 0; i < 10; i++)
        assert_string_equal(fs->fields[i].name, names[i]);
    assert_int_equal(fs->fields[0].type, BATCH_JSON);
    assert_int_equal(fs->fields[7].type, BATCH_TIMESTAMP);
    assert_true(fs->fields[7].utc_adjusted);
    assert_int_equal(b->nrows, 6);
    for (size_t i = 0; i < 6; i++) {
        if (i < 3) {
            p = batch_get_bytes(b, 0, i, &len);
            assert_int_equal(len, strlen(data[i]));
            assert_memory_equal(p, data[i], len);
        }
        p = batch_get_bytes(b, 1, i, &len);
        assert_int_equal(len, 4);
        assert_memory_equal(p, "main", 4);
        p = batch_get_bytes(b, 3, i, &len);
        assert_memory_equal(p, "orders", 6);
        assert_int_equal(batch_get_int(b, 4, i), 100 + (int)i);
        assert_true(batch_is_null(b, 5, i));
        assert_true(batch_is_null(b, 6, i));
        assert_true(batch_get_int(b, 7, i) == STARTED_MS * 1000);
        p = batch_get_bytes(b, 8, i, &len);
        assert_int_equal(len, strlen(ops[i % 3]));
        assert_memory_equal(p, ops[i % 3], len);
        p = batch_get_bytes(b, 9, i, &len);
        assert_memory_equal(p, "01e5fd97a215fb3f", 16);
    }
    arena_init(&a, 0, 0);
    assert_int_equal(sink_footer_read(path_in(root, res.files[0].path), &ft, &a, &e), 0);
    assert_string_equal(ft.format, "unified");
    assert_true(ft.last);
    arena_free(&a);
    batch_destroy(b);
    parquet_reader_close(r);
    sink_result_free(&res);

    /* no catalog: the database name; no schema version: NULL */
    f.t.catalog = NULL;
    f.run.schema_version = NULL;
    f.run.started_ms++;
    assert_int_equal(run_sink(&f, &in, 1, 1, &res, &e), 0);
    read_all(path_in(root, res.files[0].path), &r, &b);
    p = batch_get_bytes(b, 1, 0, &len);
    assert_int_equal(len, 4);
    assert_memory_equal(p, "shop", 4);
    assert_true(batch_is_null(b, 9, 0));
    batch_destroy(b);
    parquet_reader_close(r);
    sink_result_free(&res);
    input_free(&in);
}

static void test_unified_refuses_bad_operation(void **state)
{
    const char *root = *state;
    struct fixture f;
    struct input in;
    struct sink_result res;
    struct sl_err e;
    struct sink *s;

    fixture_init(&f, root, SINK_UNIFIED);
    input_init(&in);
    add_row(&in, 0);
    in.b->cols[2].data[0] = 'X'; /* operation 'X' */
    sl_err_clear(&e);
    assert_int_equal(sink_open(&f.opt, &f.t, &f.run, &in.schema, 1, &s, &e), 0);
    assert_int_equal(sink_write(s, in.b, &e), SL_ECONVERT);
    assert_non_null(strstr(e.msg, "SYS_CHANGE_OPERATION"));
    assert_int_not_equal(sink_finish(s, &res, &e), 0);
    assert_clean(root);
    input_free(&in);
}

/* ---- faults ---- */

struct hook {
    long write_calls, fsync_calls; /* calls so far */
    long fail_write, fail_fsync;   /* fail the Nth call (1-based); 0 = never */
    int err;
};

static ssize_t hook_write(void *arg, int fd, const void *p, size_t n)
{
    struct hook *h = arg;
    if (++h->write_calls == h->fail_write) {
        /* half of the bytes land first, as a disk filling up would do */
        if (n > 1 && write(fd, p, n / 2) < 0)
            return -1;
        errno = h->err;
        return -1;
    }
    return write(fd, p, n);
}

static int hook_fsync(void *arg, int fd)
{
    struct hook *h = arg;
    if (++h->fsync_calls == h->fail_fsync) {
        errno = h->err;
        return -1;
    }
    return fsync(fd);
}

static void test_write_and_fsync_faults(void **state)
{
    const char *root = *state;
    struct fixture f;
    struct input in;
    struct sink_result res;
    struct sl_err e;
    struct hook h = {0};
    struct fsio_ops io = {hook_write, hook_fsync, &h};
    long writes, fsyncs;

    fixture_init(&f, root, SINK_PER_TABLE);
    f.opt.max_file_rows = 4;   /* two parts */
    f.opt.row_group_rows = 2;  /* several row groups each: writes during sink_write */
    f.opt.io = &io;
    input_init(&in);
    /* a clean run counts the calls */
    sl_err_clear(&e);
    assert_int_equal(run_sink(&f, &in, 7, 3, &res, &e), 0);
    assert_int_equal(res.nfiles, 2);
    sink_result_free(&res);
    writes = h.write_calls;
    fsyncs = h.fsync_calls;
    assert_true(writes > 6);
    assert_true(fsyncs >= 2 + 1 + 5); /* two parts, the dir, and the mkdirs chain */
    for (long n = 1; n <= writes; n++) {
        char sub[512];
        snprintf(sub, sizeof sub, "%s/w%ld", root, n);
        f.opt.root = sub;
        memset(&h, 0, sizeof h);
        h.fail_write = n;
        h.err = ENOSPC;
        sl_err_clear(&e);
        assert_int_equal(run_sink(&f, &in, 7, 3, &res, &e), SL_ENOSPC);
        assert_non_null(strstr(e.msg, ".parquet.tmp"));
        assert_clean(sub);
    }
    for (long n = 1; n <= fsyncs; n++) {
        char sub[512];
        snprintf(sub, sizeof sub, "%s/f%ld", root, n);
        f.opt.root = sub;
        memset(&h, 0, sizeof h);
        h.fail_fsync = n;
        h.err = EIO;
        sl_err_clear(&e);
        assert_int_equal(run_sink(&f, &in, 7, 3, &res, &e), SL_EIO);
        assert_clean(sub);
    }
    input_free(&in);
}

static void test_open_fault(void **state)
{
    const char *root = *state;
    struct fixture f;
    struct input in;
    struct sink_result res;
    struct sl_err e;
    char tmp[1024];

    fixture_init(&f, root, SINK_PER_TABLE);
    input_init(&in);
    /* A directory where the temp file goes: open(2) fails with EISDIR. */
    snprintf(tmp, sizeof tmp, "%s/%s/.%s_part1.parquet.tmp", root, DAY_DIR, STEM);
    assert_int_equal(fsio_mkdirs(NULL, tmp, 0755, &e), 0);
    sl_err_clear(&e);
    assert_int_not_equal(run_sink(&f, &in, 3, 3, &res, &e), 0);
    assert_non_null(strstr(e.msg, "part1.parquet.tmp"));
    assert_int_equal(count_files(root, NULL), 0);
    input_free(&in);
}

static void test_rename_faults(void **state)
{
    const char *root = *state;
    struct fixture f;
    struct input in;
    struct sink_result res;
    struct sl_err e;
    struct sink *s;
    char obstacle[1024];
    int temps;

    fixture_init(&f, root, SINK_PER_TABLE);
    f.opt.max_file_rows = 2;
    input_init(&in);
    sl_err_clear(&e);
    /* part 2's final name appears while the run writes (another process):
     * part 1 is renamed, part 2 fails, and part 1 is removed again */
    assert_int_equal(sink_open(&f.opt, &f.t, &f.run, &in.schema, 1, &s, &e), 0);
    assert_int_equal(write_rows(s, &in, 5, 5, &e), 0);
    snprintf(obstacle, sizeof obstacle, "%s/%s/%s_part2.parquet", root, DAY_DIR, STEM);
    testutil_set_file(obstacle, "not ours");
    assert_int_equal(sink_finish(s, &res, &e), SL_EEXIST);
    assert_non_null(strstr(e.msg, "part2.parquet"));
    assert_int_equal(res.nfiles, 0);
    assert_int_equal(count_files(root, &temps), 1); /* only the obstacle */
    assert_int_equal(temps, 0);
    {
        char *txt = testutil_get_file(obstacle);
        assert_string_equal(txt, "not ours"); /* never replaced */
        free(txt);
    }
    /* an existing final name is refused before any writing */
    snprintf(obstacle, sizeof obstacle, "%s/%s/%s_part1.parquet", root, DAY_DIR, STEM);
    testutil_set_file(obstacle, "x");
    sl_err_clear(&e);
    assert_int_equal(run_sink(&f, &in, 3, 3, &res, &e), SL_EEXIST);
    assert_int_equal(count_files(root, &temps), 2);
    assert_int_equal(temps, 0);
    input_free(&in);
}

static void test_abort_removes_temps(void **state)
{
    const char *root = *state;
    struct fixture f;
    struct input in;
    struct sl_err e;
    struct sink *s;
    int temps;

    fixture_init(&f, root, SINK_PER_TABLE);
    f.opt.max_file_rows = 2;
    input_init(&in);
    sl_err_clear(&e);
    assert_int_equal(sink_open(&f.opt, &f.t, &f.run, &in.schema, 1, &s, &e), 0);
    assert_int_equal(write_rows(s, &in, 5, 2, &e), 0);
    assert_int_equal(count_files(root, &temps), 3); /* parts 1, 2 closed, 3 open */
    assert_int_equal(temps, 3);
    sink_abort(s);
    assert_clean(root);
    input_free(&in);
}

static void test_allocation_failures(void **state)
{
    const char *root = *state;
    struct fixture f;
    struct input in;
    struct sink_result res;
    struct sl_err e;
    unsigned long n;

    fixture_init(&f, root, SINK_PER_TABLE);
    f.opt.max_file_rows = 2;
    f.opt.soft_delete = true;
    input_init(&in);
    /* grow the input batch's buffers first: the sweep counts the sink's
     * allocations, not the test's appends */
    for (int i = 0; i < 64; i++)
        add_row(&in, i);
    batch_reset(in.b);
    for (n = 1;; n++) {
        char sub[512];
        int rc;
        snprintf(sub, sizeof sub, "%s/m%lu", root, n);
        f.opt.root = sub;
        sl_err_clear(&e);
        sl_mem_fail_after(n);
        rc = run_sink(&f, &in, 5, 3, &res, &e);
        sl_mem_fail_after(0);
        if (rc == 0) {
            assert_int_equal(res.nfiles, 3);
            sink_result_free(&res);
            break;
        }
        assert_int_equal(rc, SL_ENOMEM);
        assert_clean(sub);
    }
    assert_true(n > 10);
    input_free(&in);
}

/* ---- footer read-back of other files ---- */

static void test_footer_foreign_files(void **state)
{
    const char *root = *state;
    char path[512];
    struct sl_err e;
    struct sink_footer ft;
    struct arena a;
    struct batch_schema s;
    struct batch *b;
    struct parquet_writer *w;

    arena_init(&a, 0, 0);
    /* a Parquet file without sluice keys */
    snprintf(path, sizeof path, "%s/other.parquet", root);
    assert_int_equal(batch_schema_init(&s, 1), 0);
    assert_int_equal(batch_schema_set(&s, 0, "x", BATCH_INT32, false, 0, 0, false), 0);
    b = batch_new(&s, 4, 0);
    assert_int_equal(batch_append_int(b, 0, 1), 0);
    batch_end_row(b);
    sl_err_clear(&e);
    assert_int_equal(parquet_writer_open(path, &s, NULL, &w, &e), 0);
    assert_int_equal(parquet_writer_write(w, b, &e), 0);
    assert_int_equal(parquet_writer_close(w, NULL, &e), 0);
    assert_int_equal(sink_footer_read(path, &ft, &a, &e), 0);
    assert_false(ft.has_meta);
    /* ours, with a damaged position */
    assert_int_equal(parquet_writer_open(path, &s, NULL, &w, &e), 0);
    assert_int_equal(parquet_writer_add_kv(w, SINK_KV_RUN_ID, "r1"), 0);
    assert_int_equal(parquet_writer_add_kv(w, SINK_KV_FROM, "version x"), 0);
    assert_int_equal(parquet_writer_write(w, b, &e), 0);
    assert_int_equal(parquet_writer_close(w, NULL, &e), 0);
    sl_err_clear(&e);
    assert_int_equal(sink_footer_read(path, &ft, &a, &e), SL_ECORRUPT);
    assert_non_null(strstr(e.msg, "sluice.from"));
    assert_false(ft.has_meta);
    /* not Parquet at all; missing */
    testutil_set_file(path, "hello, this is not a parquet file at all");
    sl_err_clear(&e);
    assert_int_equal(sink_footer_read(path, &ft, &a, &e), SL_ECORRUPT);
    snprintf(path, sizeof path, "%s/missing.parquet", root);
    sl_err_clear(&e);
    assert_int_equal(sink_footer_read(path, &ft, &a, &e), SL_ENOTFOUND);
    batch_destroy(b);
    batch_schema_free(&s);
    arena_free(&a);
}

static void test_pos_parse(void **state)
{
    struct watermark_pos p, q;
    char text[96];
    struct sl_err e;
    (void)state;
    watermark_pos_ct(&p, 9007199254740993LL);
    watermark_pos_format(&p, text, sizeof text);
    assert_int_equal(sink_pos_parse(text, &q), 0);
    assert_int_equal(q.kind, WM_POS_CT);
    assert_true(q.version == 9007199254740993LL);
    assert_int_equal(watermark_pos_cdc(&p, "0x00000000000000000001", "FFFFFFFFFFFFFFFFFFFF", &e), 0);
    watermark_pos_format(&p, text, sizeof text);
    assert_int_equal(sink_pos_parse(text, &q), 0);
    assert_int_equal(watermark_pos_cmp(&p, &q), 0);
    assert_int_equal(sink_pos_parse("none", &q), 0);
    assert_int_equal(q.kind, WM_POS_NONE);
    assert_int_equal(sink_pos_parse("version ", &q), SL_ECORRUPT);
    assert_int_equal(sink_pos_parse("version 12x", &q), SL_ECORRUPT);
    assert_int_equal(sink_pos_parse("version 99999999999999999999", &q), SL_ECORRUPT);
    assert_int_equal(sink_pos_parse("lsn 0000 seqval 0000", &q), SL_ECORRUPT);
    assert_int_equal(sink_pos_parse("", &q), SL_ECORRUPT);
    assert_int_equal(sink_pos_parse(NULL, &q), SL_ECORRUPT);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, testutil_tmpdir_setup, testutil_tmpdir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_per_table_columns_and_values),
        T(test_per_table_soft_delete),
        T(test_footer_keys),
        T(test_full_load_and_cdc_positions),
        T(test_rolling_parts),
        T(test_zero_rows_publish_nothing),
        T(test_bad_inputs),
        T(test_unified_envelope),
        T(test_unified_refuses_bad_operation),
        T(test_write_and_fsync_faults),
        T(test_open_fault),
        T(test_rename_faults),
        T(test_abort_removes_temps),
        T(test_allocation_failures),
        T(test_footer_foreign_files),
        T(test_pos_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
