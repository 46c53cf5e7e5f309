/*
 * jsonl_driver: writes a real change stream (src/sink/jsonl) for
 * tests/sink/test_jsonl_stream.test.mjs, which parses every line and
 * checks it against the values below, written out by hand in the test.
 *
 * Usage:
 *   jsonl_driver stdout       the scenario to stdout; "events N" on stderr
 *   jsonl_driver files DIR    the scenario as rotating files (3 changes a
 *                             file) in DIR, committed after batch 1 and at
 *                             the end; the published names on stdout
 *   jsonl_driver flood        CDC batches to stdout until the reader goes
 *                             away; then "closed events=E rows=R" on stderr,
 *                             exit status 3 (any other failure: 1)
 *
 * Scenario (ts_ms of batch k is 1795255205678 for k = 1, then
 * 1795255206000 + 1000 * (k - 2); source.ts_ms is 1795255200000):
 *
 *   1  shop.dbo.types    CDC full load at LSN 0000002a:00000100:0001: ids 1, 2
 *   2  shop.dbo.types    CDC: insert id 3 (tx 101); the before-image of an
 *                        update of id 1 (tx 102) ends the batch
 *   3  shop.dbo.types    CDC: the update's after-image; delete id 2 (tx 103);
 *                        key update 3 -> 30 as delete + insert (tx 104, one seqval)
 *   4  shop.sales.orders CT full load at version 10: id 1
 *   5  shop.sales.orders CT: version 11 insert id 2, 12 update id 1, 13 delete id 2
 *
 * SIGPIPE is ignored, as sluice does, so a reader that goes away is EPIPE.
 */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch/batch.h"
#include "core/err.h"
#include "sink/jsonl.h"

#define TS0 1795255205678LL
#define SRC_TS 1795255200000LL

static __int128 nines(int n)
{
    __int128 v = 0;
    while (n-- > 0)
        v = v * 10 + 9;
    return v;
}

static void die(const char *what, const struct sl_err *err)
{
    char b[2048];
    sl_err_format(err, b, sizeof b);
    fprintf(stderr, "jsonl_driver: %s: %s\n", what, b);
    exit(1);
}

static void check(int rc, const char *what)
{
    if (rc) {
        fprintf(stderr, "jsonl_driver: %s: %s\n", what, sl_strerror(rc));
        exit(1);
    }
}

/* ---- shop.dbo.types (CDC) ---- */

enum { T_ID = 3, T_B, T_I8, T_I64, T_F, T_D, T_DEC, T_DT, T_TS, T_TSN, T_S, T_BIN, T_N };

static void types_schema(struct batch_schema *s)
{
    check(batch_schema_init(s, T_N), "schema");
    check(batch_schema_set(s, 0, "__$start_lsn", BATCH_BINARY, false, 0, 0, false), "schema");
    check(batch_schema_set(s, 1, "__$seqval", BATCH_BINARY, true, 0, 0, false), "schema");
    check(batch_schema_set(s, 2, "__$operation", BATCH_INT32, false, 0, 0, false), "schema");
    check(batch_schema_set(s, T_ID, "id", BATCH_INT32, false, 0, 0, false), "schema");
    check(batch_schema_set(s, T_B, "b", BATCH_BOOL, true, 0, 0, false), "schema");
    check(batch_schema_set(s, T_I8, "i8", BATCH_INT8, true, 0, 0, false), "schema");
    check(batch_schema_set(s, T_I64, "i64", BATCH_INT64, true, 0, 0, false), "schema");
    check(batch_schema_set(s, T_F, "f", BATCH_FLOAT, true, 0, 0, false), "schema");
    check(batch_schema_set(s, T_D, "d", BATCH_DOUBLE, true, 0, 0, false), "schema");
    check(batch_schema_set(s, T_DEC, "dec", BATCH_DECIMAL, true, 38, 4, false), "schema");
    check(batch_schema_set(s, T_DT, "dt", BATCH_DATE, true, 0, 0, false), "schema");
    check(batch_schema_set(s, T_TS, "ts", BATCH_TIMESTAMP, true, 0, 0, true), "schema");
    check(batch_schema_set(s, T_TSN, "ts_ntz", BATCH_TIMESTAMP, true, 0, 0, false), "schema");
    check(batch_schema_set(s, T_S, "s", BATCH_STRING, true, 0, 0, false), "schema");
    check(batch_schema_set(s, T_BIN, "bin", BATCH_BINARY, true, 0, 0, false), "schema");
}

/* LSN 0000002a:00000NNN:00SS (ss 0 = NULL seqval for the start LSN column). */
static void lsn(uint8_t out[10], int tx, int slot)
{
    const uint8_t l[10] = {0, 0, 0, 0x2a, 0, 0, (uint8_t)(tx >> 8), (uint8_t)tx, 0,
                           (uint8_t)slot};
    memcpy(out, l, 10);
}

static void cdc_head(struct batch *b, int tx, int seq, int op)
{
    uint8_t l[10];
    lsn(l, tx, 1);
    check(batch_append_bytes(b, 0, l, 10), "append");
    if (seq) {
        lsn(l, tx, seq);
        check(batch_append_bytes(b, 1, l, 10), "append");
    } else {
        check(batch_append_null(b, 1), "append");
    }
    check(batch_append_int(b, 2, op), "append");
}

/* Values: v = 1 id 1 before its update, 2 id 2 (all NULL), 3 id 3,
 * 4 id 1 after its update. id overrides the key. */
static void types_row(struct batch *b, int v, int id)
{
    static const char s1[] = "h\"\xC3\xA9\\\n\xF0\x9F\x98\x80\x01";
    check(batch_append_int(b, T_ID, id), "append");
    if (v == 2) {
        for (int c = T_B; c < T_N; c++)
            check(batch_append_null(b, (size_t)c), "append");
        batch_end_row(b);
        return;
    }
    check(batch_append_bool(b, T_B, v != 4), "append");
    check(batch_append_int(b, T_I8, v == 1 ? -128 : v == 4 ? 127 : 0), "append");
    check(batch_append_int(b, T_I64, v == 1 ? INT64_MIN : v == 4 ? INT64_MAX : 9007199254740993LL),
          "append");
    check(batch_append_double(b, T_F, v == 1 ? 0.1f : v == 4 ? -0.0f : 16777216.0f), "append");
    check(batch_append_double(b, T_D, v == 1 ? 0.1 : v == 4 ? NAN : DBL_MAX), "append");
    check(batch_append_decimal(b, T_DEC,
                               v == 1   ? -(__int128)123456789012345678LL * 1000000 - 901234
                               : v == 4 ? 0
                                        : nines(38)),
          "append");
    if (v == 3) {
        for (int c = T_DT; c < T_N; c++)
            check(batch_append_null(b, (size_t)c), "append");
        batch_end_row(b);
        return;
    }
    check(batch_append_date(b, T_DT, v == 1 ? -719162 : 2932896), "append");
    check(batch_append_timestamp(b, T_TS, v == 1 ? 1709210096123456LL : 0), "append");
    check(batch_append_timestamp(b, T_TSN, v == 1 ? 253402300799999999LL : -1), "append");
    check(v == 1 ? batch_append_str(b, T_S, s1, sizeof s1 - 1) : batch_append_str(b, T_S, "", 0),
          "append");
    check(v == 1 ? batch_append_bytes(b, T_BIN, "\x00\xff\x10", 3)
                 : batch_append_bytes(b, T_BIN, "", 0),
          "append");
    batch_end_row(b);
}

/* ---- shop.sales.orders (CT) ---- */

static void orders_schema(struct batch_schema *s)
{
    check(batch_schema_init(s, 6), "schema");
    check(batch_schema_set(s, 0, "SYS_CHANGE_VERSION", BATCH_INT64, false, 0, 0, false), "schema");
    check(batch_schema_set(s, 1, "SYS_CHANGE_CREATION_VERSION", BATCH_INT64, true, 0, 0, false),
          "schema");
    check(batch_schema_set(s, 2, "SYS_CHANGE_OPERATION", BATCH_STRING, false, 0, 0, false),
          "schema");
    check(batch_schema_set(s, 3, "id", BATCH_INT32, false, 0, 0, false), "schema");
    check(batch_schema_set(s, 4, "amount", BATCH_DECIMAL, true, 10, 2, false), "schema");
    check(batch_schema_set(s, 5, "note", BATCH_STRING, true, 0, 0, false), "schema");
}

static void orders_row(struct batch *b, int64_t version, const char *op, int id, long amount,
                       const char *note)
{
    check(batch_append_int(b, 0, version), "append");
    check(op[0] == 'I' && version != 10 ? batch_append_int(b, 1, version) : batch_append_null(b, 1),
          "append");
    check(batch_append_str(b, 2, op, 1), "append");
    check(batch_append_int(b, 3, id), "append");
    check(amount < 0 ? batch_append_null(b, 4) : batch_append_decimal(b, 4, amount), "append");
    check(note ? batch_append_str(b, 5, note, strlen(note)) : batch_append_null(b, 5), "append");
    batch_end_row(b);
}

/* ---- the scenario ---- */

static void write_batch(struct jsonl *j, struct jsonl_table *t, struct batch *b, int64_t ts)
{
    struct sl_err err;
    sl_err_clear(&err);
    t->ts_ms = ts;
    if (jsonl_write(j, t, b, NULL, &err) != 0)
        die("write", &err);
    batch_reset(b);
}

static void commit(struct jsonl *j, bool print)
{
    struct jsonl_result res;
    struct sl_err err;
    sl_err_clear(&err);
    if (jsonl_commit(j, &res, &err) != 0)
        die("commit", &err);
    for (size_t i = 0; print && i < res.nfiles; i++)
        printf("%s\n", res.files[i]);
    jsonl_result_free(&res);
}

static void scenario(struct jsonl *j, bool files)
{
    struct batch_schema ts, os;
    struct batch *b;
    struct jsonl_table t = {.db = "shop", .schema = "dbo", .table = "types", .capture = JSONL_CDC,
                            .npk = 1, .snapshot = true, .update_before = true,
                            .source_ts_ms = SRC_TS};

    types_schema(&ts);
    b = batch_new(&ts, 16, 0);
    if (!b)
        check(SL_ENOMEM, "batch");
    cdc_head(b, 0x100, 0, 2);
    types_row(b, 1, 1);
    cdc_head(b, 0x100, 0, 2);
    types_row(b, 2, 2);
    write_batch(j, &t, b, TS0);
    commit(j, files);

    t.snapshot = false;
    cdc_head(b, 0x101, 2, 2);
    types_row(b, 3, 3);
    cdc_head(b, 0x102, 2, 3);
    types_row(b, 1, 1);
    write_batch(j, &t, b, TS0 + 322);

    cdc_head(b, 0x102, 2, 4);
    types_row(b, 4, 1);
    cdc_head(b, 0x103, 2, 1);
    types_row(b, 2, 2);
    cdc_head(b, 0x104, 3, 1);
    types_row(b, 3, 3);
    cdc_head(b, 0x104, 3, 2);
    types_row(b, 3, 30);
    write_batch(j, &t, b, TS0 + 1322);
    batch_destroy(b);

    orders_schema(&os);
    b = batch_new(&os, 16, 0);
    if (!b)
        check(SL_ENOMEM, "batch");
    t = (struct jsonl_table){.db = "shop", .schema = "sales", .table = "orders",
                             .capture = JSONL_CT, .npk = 1, .snapshot = true,
                             .source_ts_ms = SRC_TS};
    orders_row(b, 10, "I", 1, 1050, "a");
    write_batch(j, &t, b, TS0 + 2322);
    t.snapshot = false;
    orders_row(b, 11, "I", 2, 700, "b");
    orders_row(b, 12, "U", 1, 1200, NULL);
    orders_row(b, 13, "D", 2, -1, NULL);
    write_batch(j, &t, b, TS0 + 3322);
    commit(j, files);
    batch_destroy(b);
    batch_schema_free(&ts);
    batch_schema_free(&os);
}

/* CDC batches of 100 inserts until the reader goes away. */
static int flood(struct jsonl *j)
{
    struct batch_schema ts;
    struct batch *b;
    struct jsonl_table t = {.db = "shop", .schema = "dbo", .table = "types", .capture = JSONL_CDC,
                            .npk = 1, .source_ts_ms = SRC_TS, .ts_ms = TS0};
    uint64_t rows = 0;
    struct sl_err err;
    size_t done = 0;
    int rc = 0;

    types_schema(&ts);
    b = batch_new(&ts, 100, 0);
    if (!b)
        check(SL_ENOMEM, "batch");
    for (int tx = 1; rc == 0 && tx < 1000000; tx++) {
        batch_reset(b);
        for (int i = 0; i < 100; i++) {
            cdc_head(b, tx, i + 1, 2);
            types_row(b, 1, tx * 100 + i);
        }
        sl_err_clear(&err);
        rc = jsonl_write(j, &t, b, &done, &err);
        rows += done;
    }
    batch_destroy(b);
    batch_schema_free(&ts);
    if (rc != SL_ECLOSED)
        die("flood", &err);
    fprintf(stderr, "closed events=%" PRIu64 " rows=%" PRIu64 "\n", jsonl_events(j), rows);
    return 3;
}

int main(int argc, char **argv)
{
    struct jsonl_options opt = {.fd = STDOUT_FILENO, .server = "srv1"};
    struct jsonl *j = NULL;
    struct sl_err err;
    int status = 0;

    signal(SIGPIPE, SIG_IGN);
    if (argc < 2 || (strcmp(argv[1], "files") == 0 && argc < 3)) {
        fprintf(stderr, "usage: jsonl_driver stdout | files DIR | flood\n");
        return 2;
    }
    if (strcmp(argv[1], "files") == 0) {
        opt.dir = argv[2];
        opt.stem = "shop_changes";
        opt.max_file_rows = 3;
    }
    sl_err_clear(&err);
    if (jsonl_open(&opt, &j, &err) != 0)
        die("open", &err);
    if (strcmp(argv[1], "flood") == 0) {
        status = flood(j);
    } else {
        scenario(j, opt.dir != NULL);
        if (!opt.dir)
            fprintf(stderr, "events %" PRIu64 "\n", jsonl_events(j));
    }
    jsonl_close(j);
    return status;
}
