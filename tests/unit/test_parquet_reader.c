/* Corrupt-input tests for the Parquet reader: truncation, bad magic, bad
 * footer length, chunk offsets past the data, and random byte flips. Every
 * case must return an error (or valid data), never crash; run under ASan. */
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
#include "format/parquet/parquet.h"
#include "meta.h"
#include "thrift.h"

static uint8_t *file;
static size_t file_len;

/* A small valid file with a dictionary string, an optional decimal, an int. */
static int make_file(void **state)
{
    char path[128];
    struct batch_schema s;
    struct parquet_writer *w;
    struct parquet_options o;
    struct sl_err err;
    struct batch *b;
    FILE *f;
    (void)state;
    snprintf(path, sizeof path, "/tmp/sl_test_parquet_reader_%d.parquet", (int)getpid());
    sl_err_clear(&err);
    parquet_options_init(&o);
    o.codec = PARQUET_SNAPPY;
    o.row_group_rows = 60;
    batch_schema_init(&s, 3);
    batch_schema_set(&s, 0, "s", BATCH_STRING, true, 0, 0, 0);
    batch_schema_set(&s, 1, "d", BATCH_DECIMAL, true, 25, 3, 0);
    batch_schema_set(&s, 2, "i", BATCH_INT32, false, 0, 0, 0);
    b = batch_new(&s, 200, 0);
    for (int r = 0; r < 200; r++) {
        char t[16];
        int n = snprintf(t, sizeof t, "x%d", r % 5);
        if (r % 3)
            batch_append_str(b, 0, t, (size_t)n);
        else
            batch_append_null(b, 0);
        batch_append_decimal(b, 1, (__int128)r * -99991);
        batch_append_int(b, 2, r);
        batch_end_row(b);
    }
    if (parquet_writer_open(path, &s, &o, &w, &err) || parquet_writer_write(w, b, &err) ||
        parquet_writer_close(w, NULL, &err))
        return -1;
    batch_destroy(b);
    batch_schema_free(&s);
    f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    file_len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    file = malloc(file_len);
    if (fread(file, 1, file_len, f) != file_len)
        return -1;
    fclose(f);
    unlink(path);
    return 0;
}

static int free_file(void **state)
{
    (void)state;
    free(file);
    return 0;
}

/* Open and read everything; returns the first error or the row count. */
static long read_all(const uint8_t *data, size_t len)
{
    struct parquet_reader *r;
    struct sl_err err;
    struct batch *b;
    long total = 0;
    int n, rc;
    sl_err_clear(&err);
    if ((rc = parquet_reader_open_mem(data, len, &r, &err)) != 0) {
        assert_true(rc < 0);
        assert_true(err.msg[0] != 0);
        return rc;
    }
    b = batch_new(parquet_reader_schema(r), 37, 0);
    assert_non_null(b);
    while ((n = parquet_reader_read(r, b, &err)) > 0)
        total += n;
    batch_destroy(b);
    parquet_reader_close(r);
    return n < 0 ? n : total;
}

static void test_valid_file(void **state)
{
    (void)state;
    assert_int_equal(read_all(file, file_len), 200);
}

static void test_truncations(void **state)
{
    (void)state;
    for (size_t cut = 0; cut < file_len; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, file, cut);
        assert_true(read_all(copy, cut) < 0);
        free(copy);
    }
}

static void test_bad_magic_and_footer_length(void **state)
{
    uint8_t *copy = malloc(file_len);
    uint32_t big;
    (void)state;
    memcpy(copy, file, file_len);
    copy[0] = 'X';
    assert_int_equal(read_all(copy, file_len), SL_ECORRUPT);
    memcpy(copy, file, file_len);
    copy[file_len - 1] = '2';
    assert_int_equal(read_all(copy, file_len), SL_ECORRUPT);
    memcpy(copy, file, file_len);
    big = (uint32_t)file_len; /* footer longer than the file */
    memcpy(copy + file_len - 8, &big, 4);
    assert_int_equal(read_all(copy, file_len), SL_ECORRUPT);
    big = 0;
    memcpy(copy + file_len - 8, &big, 4);
    assert_int_equal(read_all(copy, file_len), SL_ECORRUPT);
    free(copy);
}

static void test_offsets_past_end(void **state)
{
    uint32_t flen;
    uint8_t *copy;
    size_t n;
    (void)state;
    /* Keep the footer, drop the data: every chunk offset points past it. */
    memcpy(&flen, file + file_len - 8, 4);
    n = 4 + flen + 8;
    copy = malloc(n);
    memcpy(copy, "PAR1", 4);
    memcpy(copy + 4, file + file_len - 8 - flen, flen + 8);
    assert_int_equal(read_all(copy, n), SL_ECORRUPT);
    free(copy);
}

/* One SchemaElement: a group when type < 0. */
static void elem(struct thrift_w *tw, int type, int rep, const char *name, int children,
                 int converted)
{
    thrift_w_elem_struct(tw);
    if (type >= 0)
        thrift_w_i32(tw, 1, type);
    thrift_w_i32(tw, 3, rep);
    thrift_w_string(tw, 4, name);
    if (children >= 0)
        thrift_w_i32(tw, 5, children);
    if (converted >= 0)
        thrift_w_i32(tw, 6, converted);
    thrift_w_end(tw);
}

/*
 * A file of no rows whose schema is `optional group l (LIST) { repeated
 * group list { optional int32 element } }` plus a key/value pair: the row
 * reader refuses it naming the column, the footer-only reader opens it.
 */
static void test_lists_refused_kv_still_read(void **state)
{
    struct buf f;
    struct thrift_w tw;
    struct parquet_reader *r = NULL;
    struct sl_err err;
    char path[128];
    FILE *fp;
    uint32_t len;
    (void)state;
    buf_init(&f, 0);
    assert_int_equal(buf_append(&f, "PAR1", 4), 0);
    thrift_w_init(&tw, &f);
    thrift_w_i32(&tw, 1, 1);
    thrift_w_list(&tw, 2, THRIFT_STRUCT, 4);
    elem(&tw, -1, REP_REQUIRED, "schema", 1, -1);
    elem(&tw, -1, REP_OPTIONAL, "l", 1, 3 /* LIST */);
    elem(&tw, -1, REP_REPEATED, "list", 1, -1);
    elem(&tw, PT_INT32, REP_OPTIONAL, "element", -1, -1);
    thrift_w_i64(&tw, 3, 0);
    thrift_w_list(&tw, 4, THRIFT_STRUCT, 0);
    thrift_w_list(&tw, 5, THRIFT_STRUCT, 1);
    thrift_w_elem_struct(&tw);
    thrift_w_string(&tw, 1, "sluice.run_id");
    thrift_w_string(&tw, 2, "r9");
    thrift_w_end(&tw);
    thrift_w_end(&tw);
    assert_int_equal(tw.err, 0);
    len = (uint32_t)(f.len - 4);
    assert_int_equal(buf_append_u32le(&f, len), 0);
    assert_int_equal(buf_append(&f, "PAR1", 4), 0);

    sl_err_clear(&err);
    assert_int_equal(parquet_reader_open_mem(f.data, f.len, &r, &err), SL_EUNSUPPORTED);
    assert_null(r);
    assert_non_null(strstr(err.msg, "\"l\""));
    assert_non_null(strstr(err.msg, "list"));

    snprintf(path, sizeof path, "/tmp/sl_test_parquet_list_%d.parquet", (int)getpid());
    fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(f.data, 1, f.len, fp), f.len);
    fclose(fp);
    sl_err_clear(&err);
    assert_int_equal(parquet_reader_open_kv(path, &r, &err), 0);
    assert_string_equal(parquet_reader_kv(r, "sluice.run_id"), "r9");
    parquet_reader_close(r);
    unlink(path);
    buf_free(&f);
}

static void test_random_flips(void **state)
{
    uint8_t *copy = malloc(file_len);
    uint32_t x = 2463534242u;
    int errors = 0;
    (void)state;
    for (int iter = 0; iter < 4000; iter++) {
        int flips = 1 + iter % 4;
        memcpy(copy, file, file_len);
        for (int k = 0; k < flips; k++) {
            size_t at;
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            /* Half the flips hit the footer, where the structure lives. */
            at = iter % 2 ? x % file_len : file_len - 9 - x % 200;
            copy[at] ^= (uint8_t)(1u << (x >> 29));
        }
        errors += read_all(copy, file_len) < 0;
    }
    assert_true(errors > 100);
    free(copy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_file),
        cmocka_unit_test(test_truncations),
        cmocka_unit_test(test_bad_magic_and_footer_length),
        cmocka_unit_test(test_offsets_past_end),
        cmocka_unit_test(test_lists_refused_kv_still_read),
        cmocka_unit_test(test_random_flips),
    };
    return cmocka_run_group_tests(tests, make_file, free_file);
}
