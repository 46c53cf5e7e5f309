/* Unit tests for src/sink/jsonl: the exact envelope lines for Change
 * Tracking and CDC batches (before/after, op, source positions,
 * event_serial_no, before-images paired across batches), how many rows a
 * broken pipe leaves written, rotation and publishing of files, and the
 * failures a stream refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch/batch.h"
#include "core/err.h"
#include "core/lsn.h"
#include "sink/jsonl.h"
#include "state/fsio.h"
#include "testutil.h"

#ifndef SL_VERSION
#error SL_VERSION must be defined by the build
#endif

#define HEAD(snap)                                                                             \
    "\"source\":{\"version\":\"sluice " SL_VERSION "\",\"connector\":\"sqlserver\","          \
    "\"name\":\"srv1\",\"ts_ms\":1700000000000,\"snapshot\":\"" snap "\",\"db\":\"shop\","     \
    "\"sequence\":null,\"schema\":\"dbo\",\"table\":\"or\\\"ders\","
#define TAIL(op) "\"op\":\"" op "\",\"ts_ms\":1700000000123,\"transaction\":null}\n"

/* ---- batches ------------------------------------------------------------ */

struct input {
    struct batch_schema s;
    struct batch *b;
    bool cdc;
};

static void input_init(struct input *in, bool cdc)
{
    memset(in, 0, sizeof *in);
    in->cdc = cdc;
    assert_int_equal(batch_schema_init(&in->s, 6), 0);
    if (cdc) {
        assert_int_equal(batch_schema_set(&in->s, 0, "__$start_lsn", BATCH_BINARY, false, 0, 0,
                                          false), 0);
        assert_int_equal(batch_schema_set(&in->s, 1, "__$seqval", BATCH_BINARY, true, 0, 0,
                                          false), 0);
        assert_int_equal(batch_schema_set(&in->s, 2, "__$operation", BATCH_INT32, false, 0, 0,
                                          false), 0);
    } else {
        assert_int_equal(batch_schema_set(&in->s, 0, "SYS_CHANGE_VERSION", BATCH_INT64, false, 0,
                                          0, false), 0);
        assert_int_equal(batch_schema_set(&in->s, 1, "SYS_CHANGE_CREATION_VERSION", BATCH_INT64,
                                          true, 0, 0, false), 0);
        assert_int_equal(batch_schema_set(&in->s, 2, "SYS_CHANGE_OPERATION", BATCH_STRING, false,
                                          0, 0, false), 0);
    }
    assert_int_equal(batch_schema_set(&in->s, 3, "id", BATCH_INT32, false, 0, 0, false), 0);
    assert_int_equal(batch_schema_set(&in->s, 4, "name", BATCH_STRING, true, 0, 0, false), 0);
    assert_int_equal(batch_schema_set(&in->s, 5, "amount", BATCH_DECIMAL, true, 10, 2, false), 0);
    in->b = batch_new(&in->s, 64, 0);
    assert_non_null(in->b);
}

static void input_free(struct input *in)
{
    batch_destroy(in->b);
    batch_schema_free(&in->s);
}

/* The table columns of a row: name NULL and amount < -999999 are NULL. */
static void add_cols(struct input *in, int id, const char *name, long long amount)
{
    assert_int_equal(batch_append_int(in->b, 3, id), 0);
    assert_int_equal(name ? batch_append_str(in->b, 4, name, strlen(name))
                          : batch_append_null(in->b, 4), 0);
    assert_int_equal(amount < -999999 ? batch_append_null(in->b, 5)
                                      : batch_append_decimal(in->b, 5, amount), 0);
    batch_end_row(in->b);
}

static void add_ct(struct input *in, int64_t version, char op, int id, const char *name,
                   long long amount)
{
    assert_int_equal(batch_append_int(in->b, 0, version), 0);
    assert_int_equal(batch_append_null(in->b, 1), 0);
    assert_int_equal(batch_append_str(in->b, 2, &op, 1), 0);
    add_cols(in, id, name, amount);
}

/* LSN 0000002a:000000NN:0001 as commit LSN, 0000002a:000000NN:00SS as seqval. */
static void add_cdc(struct input *in, int tx, int seq, int op, int id, const char *name,
                    long long amount)
{
    uint8_t l[10] = {0, 0, 0, 0x2a, 0, 0, 0, (uint8_t)tx, 0, 1};
    uint8_t s[10] = {0, 0, 0, 0x2a, 0, 0, 0, (uint8_t)tx, 0, (uint8_t)seq};
    assert_int_equal(batch_append_bytes(in->b, 0, l, 10), 0);
    assert_int_equal(seq ? batch_append_bytes(in->b, 1, s, 10) : batch_append_null(in->b, 1), 0);
    assert_int_equal(batch_append_int(in->b, 2, op), 0);
    add_cols(in, id, name, amount);
}

static struct jsonl_table table(enum jsonl_capture c)
{
    return (struct jsonl_table){.db = "shop", .schema = "dbo", .table = "or\"ders", .capture = c,
                                .npk = 1, .source_ts_ms = 1700000000000, .ts_ms = 1700000000123};
}

/* ---- output to a file descriptor --------------------------------------- */

struct out {
    char path[4096];
    int fd;
    struct jsonl *j;
};

static void out_open(struct out *o, void **state, const struct fsio_ops *io)
{
    struct jsonl_options opt = {.fd = -1, .server = "srv1", .io = io};
    struct sl_err err;
    snprintf(o->path, sizeof o->path, "%s/out.jsonl", (const char *)*state);
    o->fd = open(o->path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(o->fd >= 0);
    opt.fd = o->fd;
    sl_err_clear(&err);
    assert_int_equal(jsonl_open(&opt, &o->j, &err), 0);
}

static void out_expect(struct out *o, const char *want)
{
    char *got = testutil_get_file(o->path);
    assert_string_equal(got, want);
    free(got);
}

static void out_close(struct out *o)
{
    jsonl_close(o->j);
    close(o->fd);
}

static void test_ct(void **state)
{
    struct input in;
    struct out o;
    struct jsonl_table t = table(JSONL_CT);
    struct jsonl_result res;
    struct sl_err err;
    size_t done = 99;

    input_init(&in, false);
    add_ct(&in, 41, 'I', 1, "Ada", 1050);
    add_ct(&in, 42, 'U', 1, "Ada \"L\"", -5);
    add_ct(&in, 43, 'D', 2, NULL, -1000000);
    out_open(&o, state, NULL);
    sl_err_clear(&err);
    assert_int_equal(jsonl_write(o.j, &t, in.b, &done, &err), 0);
    assert_int_equal(done, 3);
    assert_int_equal(jsonl_commit(o.j, &res, &err), 0);
    assert_int_equal(res.events, 3);
    assert_int_equal(res.nfiles, 0);
    jsonl_result_free(&res);
    out_expect(&o,
        "{\"before\":null,\"after\":{\"id\":1,\"name\":\"Ada\",\"amount\":\"10.50\"}," HEAD("false")
        "\"change_lsn\":null,\"commit_lsn\":null,\"event_serial_no\":null,\"change_version\":41},"
        TAIL("c")
        "{\"before\":null,\"after\":{\"id\":1,\"name\":\"Ada \\\"L\\\"\",\"amount\":\"-0.05\"},"
        HEAD("false")
        "\"change_lsn\":null,\"commit_lsn\":null,\"event_serial_no\":null,\"change_version\":42},"
        TAIL("u")
        "{\"before\":{\"id\":2},\"after\":null," HEAD("false")
        "\"change_lsn\":null,\"commit_lsn\":null,\"event_serial_no\":null,\"change_version\":43},"
        TAIL("d"));
    out_close(&o);

    /* A full load: op r, snapshot "true", the snapshot version. */
    batch_reset(in.b);
    add_ct(&in, 40, 'I', 7, "Bo", 0);
    t.snapshot = true;
    out_open(&o, state, NULL);
    assert_int_equal(jsonl_write(o.j, &t, in.b, &done, &err), 0);
    assert_int_equal(jsonl_commit(o.j, NULL, &err), 0);
    out_expect(&o, "{\"before\":null,\"after\":{\"id\":7,\"name\":\"Bo\",\"amount\":\"0.00\"},"
                   HEAD("true")
                   "\"change_lsn\":null,\"commit_lsn\":null,\"event_serial_no\":null,"
                   "\"change_version\":40}," TAIL("r"));
    out_close(&o);
    input_free(&in);
}

#define POS(chg, commit, serial)                                                               \
    "\"change_lsn\":" chg ",\"commit_lsn\":\"" commit "\",\"event_serial_no\":" serial         \
    ",\"change_version\":null},"

static void test_cdc_update_before(void **state)
{
    struct input in;
    struct out o;
    struct jsonl_table t = table(JSONL_CDC);
    struct sl_err err;
    size_t done = 0;

    input_init(&in, true);
    t.update_before = true;
    add_cdc(&in, 1, 2, 2, 1, "a", 150);    /* insert */
    add_cdc(&in, 2, 2, 3, 1, "a", 150);    /* update 1: before-image */
    add_cdc(&in, 2, 2, 4, 1, "b", 150);    /* after-image */
    add_cdc(&in, 3, 2, 1, 1, "b", 150);    /* key update: delete old key ... */
    add_cdc(&in, 3, 2, 2, 9, "b", 150);    /* ... insert new key, same change LSN */
    add_cdc(&in, 4, 2, 3, 9, "b", 150);    /* an update whose after-image is in the next batch */
    out_open(&o, state, NULL);
    sl_err_clear(&err);
    assert_int_equal(jsonl_write(o.j, &t, in.b, &done, &err), 0);
    assert_int_equal(done, 5); /* the waiting op 3 is not done */
    /* Committing now would cut the update in two. */
    assert_int_equal(jsonl_commit(o.j, NULL, &err), SL_ECORRUPT);
    assert_string_equal(err.msg, "change stream: an update's before-image waits for its "
                                 "after-image at the commit");
    batch_reset(in.b);
    add_cdc(&in, 4, 2, 4, 9, NULL, 150);
    add_cdc(&in, 5, 7, 2, 5, "e", -1000000);
    sl_err_clear(&err);
    assert_int_equal(jsonl_write(o.j, &t, in.b, &done, &err), 0);
    assert_int_equal(done, 2);
    assert_int_equal(jsonl_commit(o.j, NULL, &err), 0);
    assert_int_equal(jsonl_events(o.j), 6);
    out_expect(&o,
        "{\"before\":null,\"after\":{\"id\":1,\"name\":\"a\",\"amount\":\"1.50\"}," HEAD("false")
        POS("\"0000002a:00000001:0002\"", "0000002a:00000001:0001", "1") TAIL("c")
        "{\"before\":{\"id\":1,\"name\":\"a\",\"amount\":\"1.50\"},"
        "\"after\":{\"id\":1,\"name\":\"b\",\"amount\":\"1.50\"}," HEAD("false")
        POS("\"0000002a:00000002:0002\"", "0000002a:00000002:0001", "2") TAIL("u")
        "{\"before\":{\"id\":1,\"name\":\"b\",\"amount\":\"1.50\"},\"after\":null," HEAD("false")
        POS("\"0000002a:00000003:0002\"", "0000002a:00000003:0001", "1") TAIL("d")
        "{\"before\":null,\"after\":{\"id\":9,\"name\":\"b\",\"amount\":\"1.50\"}," HEAD("false")
        POS("\"0000002a:00000003:0002\"", "0000002a:00000003:0001", "2") TAIL("c")
        "{\"before\":{\"id\":9,\"name\":\"b\",\"amount\":\"1.50\"},"
        "\"after\":{\"id\":9,\"name\":null,\"amount\":\"1.50\"}," HEAD("false")
        POS("\"0000002a:00000004:0002\"", "0000002a:00000004:0001", "2") TAIL("u")
        "{\"before\":null,\"after\":{\"id\":5,\"name\":\"e\",\"amount\":null}," HEAD("false")
        POS("\"0000002a:00000005:0007\"", "0000002a:00000005:0001", "1") TAIL("c"));
    out_close(&o);
    input_free(&in);
}

static void test_cdc_other_shapes(void **state)
{
    struct input in;
    struct out o;
    struct jsonl_table t = table(JSONL_CDC);
    struct sl_err err;
    size_t done = 0;

    /* Without update_before, op 3 is skipped; the update is still serial 2
     * (N'all' leaves op 3 out entirely: same). */
    input_init(&in, true);
    add_cdc(&in, 2, 2, 3, 1, "a", 150);
    add_cdc(&in, 2, 2, 4, 1, "b", 150);
    add_cdc(&in, 3, 4, 4, 1, "c", 150);
    out_open(&o, state, NULL);
    sl_err_clear(&err);
    assert_int_equal(jsonl_write(o.j, &t, in.b, &done, &err), 0);
    assert_int_equal(done, 3);
    assert_int_equal(jsonl_commit(o.j, NULL, &err), 0);
    out_expect(&o,
        "{\"before\":null,\"after\":{\"id\":1,\"name\":\"b\",\"amount\":\"1.50\"}," HEAD("false")
        POS("\"0000002a:00000002:0002\"", "0000002a:00000002:0001", "2") TAIL("u")
        "{\"before\":null,\"after\":{\"id\":1,\"name\":\"c\",\"amount\":\"1.50\"}," HEAD("false")
        POS("\"0000002a:00000003:0004\"", "0000002a:00000003:0001", "2") TAIL("u"));
    out_close(&o);

    /* Net changes: no change LSN, serial 1. */
    batch_reset(in.b);
    add_cdc(&in, 6, 0, 4, 1, "n", 1);
    add_cdc(&in, 6, 0, 1, 2, NULL, -1000000);
    out_open(&o, state, NULL);
    assert_int_equal(jsonl_write(o.j, &t, in.b, &done, &err), 0);
    assert_int_equal(jsonl_commit(o.j, NULL, &err), 0);
    out_expect(&o,
        "{\"before\":null,\"after\":{\"id\":1,\"name\":\"n\",\"amount\":\"0.01\"}," HEAD("false")
        POS("null", "0000002a:00000006:0001", "1") TAIL("u")
        "{\"before\":{\"id\":2,\"name\":null,\"amount\":null},\"after\":null," HEAD("false")
        POS("null", "0000002a:00000006:0001", "1") TAIL("d"));
    out_close(&o);

    /* A full load of a CDC table: op r at the snapshot's LSN. */
    batch_reset(in.b);
    add_cdc(&in, 9, 0, 2, 3, "s", 300);
    t.snapshot = true;
    out_open(&o, state, NULL);
    assert_int_equal(jsonl_write(o.j, &t, in.b, &done, &err), 0);
    assert_int_equal(jsonl_commit(o.j, NULL, &err), 0);
    out_expect(&o,
        "{\"before\":null,\"after\":{\"id\":3,\"name\":\"s\",\"amount\":\"3.00\"}," HEAD("true")
        "\"change_lsn\":null,\"commit_lsn\":\"0000002a:00000009:0001\",\"event_serial_no\":null,"
        "\"change_version\":null}," TAIL("r"));
    out_close(&o);
    input_free(&in);
}

static void test_cdc_refused(void **state)
{
    struct input in;
    struct out o;
    struct jsonl_table t = table(JSONL_CDC);
    struct sl_err err;
    size_t done = 9;

    /* An op 3 followed by something other than its op 4. */
    input_init(&in, true);
    t.update_before = true;
    add_cdc(&in, 1, 2, 2, 1, "a", 1);
    add_cdc(&in, 2, 2, 3, 1, "a", 1);
    add_cdc(&in, 2, 3, 4, 1, "b", 1);
    out_open(&o, state, NULL);
    sl_err_clear(&err);
    assert_int_equal(jsonl_write(o.j, &t, in.b, &done, &err), SL_ECORRUPT);
    assert_string_equal(err.msg, "change stream of shop.dbo.or\"ders: an update's before-image "
                                 "(__$operation 3) is not followed by its after-image (4) (row 3 "
                                 "of the batch)");
    assert_int_equal(done, 0); /* nothing was written: the batch failed before any output */
    out_expect(&o, "");
    /* The stream is failed now. */
    sl_err_clear(&err);
    assert_int_equal(jsonl_write(o.j, &t, in.b, &done, &err), SL_ESTATE);
    assert_int_equal(jsonl_commit(o.j, NULL, &err), SL_ESTATE);
    out_close(&o);

    /* An unknown operation; a batch of the wrong capture. */
    batch_reset(in.b);
    add_cdc(&in, 1, 2, 5, 1, "a", 1);
    out_open(&o, state, NULL);
    sl_err_clear(&err);
    assert_int_equal(jsonl_write(o.j, &t, in.b, &done, &err), SL_ECORRUPT);
    assert_string_equal(err.msg, "change stream of shop.dbo.or\"ders: __$operation is not 1, 2, "
                                 "3 or 4 (row 1 of the batch)");
    out_close(&o);
    t.capture = JSONL_CT;
    out_open(&o, state, NULL);
    sl_err_clear(&err);
    assert_int_equal(jsonl_write(o.j, &t, in.b, &done, &err), SL_EINVAL);
    assert_string_equal(err.msg, "change stream of shop.dbo.or\"ders: the batch does not have "
                                 "the change tracking layout");
    out_close(&o);
    input_free(&in);
}

/* ---- a reader that goes away ------------------------------------------- */

struct fault {
    size_t allow; /* bytes accepted before failing */
    int errnum;
    size_t seen;
    int fsyncs;
};

static ssize_t fault_write(void *arg, int fd, const void *p, size_t n)
{
    struct fault *f = arg;
    if (f->seen >= f->allow) {
        errno = f->errnum;
        return -1;
    }
    if (n > f->allow - f->seen)
        n = f->allow - f->seen;
    n = (size_t)write(fd, p, n);
    f->seen += n;
    return (ssize_t)n;
}

static int fault_fsync(void *arg, int fd)
{
    struct fault *f = arg;
    f->fsyncs++;
    return fsync(fd);
}

static void test_broken_pipe(void **state)
{
    struct input in;
    struct out o;
    struct jsonl_table t = table(JSONL_CDC);
    struct fault f = {.errnum = EPIPE};
    struct fsio_ops io = {fault_write, fault_fsync, &f};
    struct sl_err err;
    size_t done = 0, first_two;
    char *text;

    /* Learn the length of the first two lines from a clean run. */
    input_init(&in, true);
    t.update_before = true;
    add_cdc(&in, 1, 2, 2, 1, "a", 1);
    add_cdc(&in, 2, 2, 3, 1, "a", 1);
    add_cdc(&in, 2, 2, 4, 1, "b", 1);
    add_cdc(&in, 3, 2, 2, 2, "c", 1);
    add_cdc(&in, 4, 2, 1, 2, "c", 1);
    out_open(&o, state, NULL);
    sl_err_clear(&err);
    assert_int_equal(jsonl_write(o.j, &t, in.b, &done, &err), 0);
    assert_int_equal(done, 5);
    out_close(&o);
    text = testutil_get_file(o.path);
    first_two = (size_t)(strchr(strchr(text, '\n') + 1, '\n') - text) + 1;

    /* The reader takes the first two lines and ten bytes of the third:
     * rows 1-3 (insert, and the update's two images) are done. */
    f.allow = first_two + 10;
    out_open(&o, state, &io);
    sl_err_clear(&err);
    assert_int_equal(jsonl_write(o.j, &t, in.b, &done, &err), SL_ECLOSED);
    assert_int_equal(done, 3);
    assert_int_equal(jsonl_events(o.j), 2);
    assert_string_equal(err.msg, "the reader of the change stream went away (broken pipe)");
    assert_string_equal(err.detail, "2 changes of this batch were written in full");
    {
        char *got = testutil_get_file(o.path);
        assert_int_equal(strlen(got), first_two + 10);
        assert_memory_equal(got, text, first_two + 10);
        free(got);
    }
    assert_int_equal(jsonl_commit(o.j, NULL, &err), SL_ESTATE);
    out_close(&o);

    /* Cut inside the first line: nothing is done. */
    f.seen = 0;
    f.allow = 5;
    out_open(&o, state, &io);
    sl_err_clear(&err);
    assert_int_equal(jsonl_write(o.j, &t, in.b, &done, &err), SL_ECLOSED);
    assert_int_equal(done, 0);
    out_close(&o);

    /* Exactly at the end of line 1: row 1 done, the update's op 3 not. */
    f.seen = 0;
    f.allow = (size_t)(strchr(text, '\n') - text) + 1;
    out_open(&o, state, &io);
    sl_err_clear(&err);
    assert_int_equal(jsonl_write(o.j, &t, in.b, &done, &err), SL_ECLOSED);
    assert_int_equal(done, 1);
    out_close(&o);
    free(text);
    input_free(&in);
}

/* A real pipe whose reader closed, with SIGPIPE ignored as the app does. */
static void test_real_epipe(void **state)
{
    struct input in;
    struct jsonl *j = NULL;
    struct jsonl_table t = table(JSONL_CT);
    struct jsonl_options opt = {.server = "srv1"};
    struct sl_err err;
    size_t done = 9;
    int p[2];
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    (void)state;

    assert_int_equal(pipe(p), 0);
    close(p[0]);
    opt.fd = p[1];
    input_init(&in, false);
    add_ct(&in, 1, 'I', 1, "a", 1);
    sl_err_clear(&err);
    assert_int_equal(jsonl_open(&opt, &j, &err), 0);
    assert_int_equal(jsonl_write(j, &t, in.b, &done, &err), SL_ECLOSED);
    assert_int_equal(done, 0);
    jsonl_close(j);
    close(p[1]);
    input_free(&in);
    signal(SIGPIPE, old);
}

/* ---- rotating files ------------------------------------------------------ */

/* Names in dir, sorted, joined by ' '. */
static void list_dir(const char *dir, char *out, size_t cap)
{
    struct dirent **ents = NULL;
    int n = scandir(dir, &ents, NULL, alphasort);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        if (strcmp(ents[i]->d_name, ".") && strcmp(ents[i]->d_name, "..")) {
            if (out[0])
                strncat(out, " ", cap - strlen(out) - 1);
            strncat(out, ents[i]->d_name, cap - strlen(out) - 1);
        }
        free(ents[i]);
    }
    free(ents);
}

static void test_files(void **state)
{
    struct input in;
    struct jsonl *j = NULL;
    struct jsonl_table t = table(JSONL_CT);
    struct jsonl_options opt = {.stem = "shop_changes", .max_file_rows = 2, .server = "srv1"};
    struct jsonl_result res;
    struct sl_err err;
    char dir[4096], names[4096], path[4200];
    size_t done = 0;

    snprintf(dir, sizeof dir, "%s/stream/shop", (const char *)*state);
    opt.dir = dir;
    input_init(&in, false);
    for (int i = 1; i <= 5; i++)
        add_ct(&in, 40 + i, 'I', i, "x", i);
    sl_err_clear(&err);
    assert_int_equal(jsonl_open(&opt, &j, &err), 0);
    t.ts_ms = 1795255205678; /* 2026-11-21T10:00:05.678Z names the parts */
    assert_int_equal(jsonl_write(j, &t, in.b, &done, &err), 0);
    assert_int_equal(done, 5);
    /* Before the commit only hidden temps exist. */
    list_dir(dir, names, sizeof names);
    assert_string_equal(names, ".shop_changes_20261121T100005678Z_part1.jsonl.tmp "
                               ".shop_changes_20261121T100005678Z_part2.jsonl.tmp "
                               ".shop_changes_20261121T100005678Z_part3.jsonl.tmp");
    assert_int_equal(jsonl_commit(j, &res, &err), 0);
    assert_int_equal(res.events, 5);
    assert_int_equal(res.nfiles, 3);
    assert_string_equal(res.files[0], "shop_changes_20261121T100005678Z_part1.jsonl");
    assert_string_equal(res.files[2], "shop_changes_20261121T100005678Z_part3.jsonl");
    jsonl_result_free(&res);
    list_dir(dir, names, sizeof names);
    assert_string_equal(names, "shop_changes_20261121T100005678Z_part1.jsonl "
                               "shop_changes_20261121T100005678Z_part2.jsonl "
                               "shop_changes_20261121T100005678Z_part3.jsonl");
    {
        char *a, *b, *c;
        snprintf(path, sizeof path, "%s/shop_changes_20261121T100005678Z_part1.jsonl", dir);
        a = testutil_get_file(path);
        snprintf(path, sizeof path, "%s/shop_changes_20261121T100005678Z_part3.jsonl", dir);
        c = testutil_get_file(path);
        snprintf(path, sizeof path, "%s/shop_changes_20261121T100005678Z_part2.jsonl", dir);
        b = testutil_get_file(path);
        assert_ptr_not_equal(strstr(a, "\"change_version\":41"), NULL);
        assert_ptr_not_equal(strstr(a, "\"change_version\":42"), NULL);
        assert_ptr_not_equal(strstr(b, "\"change_version\":43"), NULL);
        assert_ptr_equal(strstr(b, "\"change_version\":42"), NULL);
        assert_ptr_not_equal(strstr(c, "\"change_version\":45"), NULL);
        assert_int_equal(strchr(c, '\n') - c + 1, (long)strlen(c)); /* one line */
        free(a);
        free(b);
        free(c);
    }
    /* A later batch starts part 4, named by its own time; a commit with
     * nothing new publishes nothing. */
    assert_int_equal(jsonl_commit(j, &res, &err), 0);
    assert_int_equal(res.nfiles, 0);
    assert_int_equal(res.events, 0);
    batch_reset(in.b);
    add_ct(&in, 50, 'D', 1, NULL, -1000000);
    t.ts_ms += 86400000;
    assert_int_equal(jsonl_write(j, &t, in.b, &done, &err), 0);
    assert_int_equal(jsonl_commit(j, &res, &err), 0);
    assert_int_equal(res.nfiles, 1);
    assert_string_equal(res.files[0], "shop_changes_20261122T100005678Z_part4.jsonl");
    jsonl_result_free(&res);

    /* Uncommitted parts are removed by jsonl_close. */
    assert_int_equal(jsonl_write(j, &t, in.b, &done, &err), 0);
    jsonl_close(j);
    list_dir(dir, names, sizeof names);
    assert_string_equal(names, "shop_changes_20261121T100005678Z_part1.jsonl "
                               "shop_changes_20261121T100005678Z_part2.jsonl "
                               "shop_changes_20261121T100005678Z_part3.jsonl "
                               "shop_changes_20261122T100005678Z_part4.jsonl");
    input_free(&in);
}

static void test_files_bytes_and_failures(void **state)
{
    struct input in;
    struct jsonl *j = NULL;
    struct jsonl_table t = table(JSONL_CT);
    struct jsonl_options opt = {.stem = "s", .max_file_bytes = 1, .server = "srv1"};
    struct fault f = {.allow = SIZE_MAX, .errnum = ENOSPC};
    struct fsio_ops io = {fault_write, fault_fsync, &f};
    struct jsonl_result res;
    struct sl_err err;
    char dir[4096], names[4096], path[4200];
    size_t done = 0;

    snprintf(dir, sizeof dir, "%s/d", (const char *)*state);
    opt.dir = dir;
    opt.io = &io;
    t.ts_ms = 0;
    input_init(&in, false);
    add_ct(&in, 1, 'I', 1, "x", 1);
    add_ct(&in, 2, 'I', 2, "x", 1);
    /* One line per file at a 1-byte limit; every part fsynced when closed. */
    sl_err_clear(&err);
    assert_int_equal(jsonl_open(&opt, &j, &err), 0);
    assert_int_equal(jsonl_write(j, &t, in.b, &done, &err), 0);
    assert_int_equal(f.fsyncs, 3); /* the new directory's parent, then each part */
    assert_int_equal(jsonl_commit(j, &res, &err), 0);
    assert_int_equal(res.nfiles, 2);
    assert_string_equal(res.files[1], "s_19700101T000000000Z_part2.jsonl");
    jsonl_result_free(&res);
    jsonl_close(j);

    /* A full disk in the middle of a batch: the write fails, nothing new
     * is published, the temps are removed. */
    opt.stem = "t";
    opt.max_file_bytes = 0;
    f.seen = 0;
    f.allow = 100;
    assert_int_equal(jsonl_open(&opt, &j, &err), 0);
    sl_err_clear(&err);
    assert_int_equal(jsonl_write(j, &t, in.b, &done, &err), SL_ENOSPC);
    assert_int_equal(done, 0);
    assert_ptr_not_equal(strstr(err.hint, "free space on the volume"), NULL);
    assert_int_equal(jsonl_commit(j, NULL, &err), SL_ESTATE);
    jsonl_close(j);
    list_dir(dir, names, sizeof names);
    assert_string_equal(names, "s_19700101T000000000Z_part1.jsonl "
                               "s_19700101T000000000Z_part2.jsonl");

    /* A final name that exists already: the commit fails and leaves it. */
    f.allow = SIZE_MAX;
    opt.stem = "s";
    assert_int_equal(jsonl_open(&opt, &j, &err), 0);
    assert_int_equal(jsonl_write(j, &t, in.b, &done, &err), 0);
    sl_err_clear(&err);
    assert_int_equal(jsonl_commit(j, NULL, &err), SL_EEXIST);
    snprintf(path, sizeof path, "%s/s_19700101T000000000Z_part1.jsonl", dir);
    assert_ptr_not_equal(strstr(err.msg, path), NULL);
    jsonl_close(j);
    list_dir(dir, names, sizeof names);
    assert_string_equal(names, "s_19700101T000000000Z_part1.jsonl "
                               "s_19700101T000000000Z_part2.jsonl");

    /* Bad options. */
    opt.stem = "../x";
    sl_err_clear(&err);
    assert_int_equal(jsonl_open(&opt, &j, &err), SL_EINVAL);
    assert_string_equal(err.msg, "change stream: file name stem \"../x\" is not a plain name");
    opt.dir = NULL;
    opt.fd = -1;
    sl_err_clear(&err);
    assert_int_equal(jsonl_open(&opt, &j, &err), SL_EINVAL);
    input_free(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ct, testutil_tmpdir_setup, testutil_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_cdc_update_before, testutil_tmpdir_setup,
                                        testutil_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_cdc_other_shapes, testutil_tmpdir_setup,
                                        testutil_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_cdc_refused, testutil_tmpdir_setup,
                                        testutil_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_broken_pipe, testutil_tmpdir_setup,
                                        testutil_tmpdir_teardown),
        cmocka_unit_test(test_real_epipe),
        cmocka_unit_test_setup_teardown(test_files, testutil_tmpdir_setup,
                                        testutil_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_files_bytes_and_failures, testutil_tmpdir_setup,
                                        testutil_tmpdir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
