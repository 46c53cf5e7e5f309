/* Writer -> reader round trips for src/format/parquet: every type x codec x
 * nullability with exact value comparison, empty and one-row files,
 * multi-row-group files, dictionary fallback, statistics, UTF-8 rejection
 * and an allocation-failure sweep. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/err.h"
#include "core/mem.h"
#include "format/parquet/parquet.h"

static char path[256];

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/sl_test_parquet_%d.parquet", (int)getpid());
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

struct coldef {
    const char *name;
    enum batch_type type;
    uint8_t p, s;
    bool utc;
};

static const struct coldef cols[] = {
    {"b", BATCH_BOOL, 0, 0, 0},         {"i8", BATCH_INT8, 0, 0, 0},
    {"i16", BATCH_INT16, 0, 0, 0},      {"i32", BATCH_INT32, 0, 0, 0},
    {"i64", BATCH_INT64, 0, 0, 0},      {"f", BATCH_FLOAT, 0, 0, 0},
    {"d", BATCH_DOUBLE, 0, 0, 0},       {"dec9", BATCH_DECIMAL, 9, 2, 0},
    {"dec18", BATCH_DECIMAL, 18, 4, 0}, {"dec38", BATCH_DECIMAL, 38, 6, 0},
    {"dec20", BATCH_DECIMAL, 20, 0, 0}, {"dt", BATCH_DATE, 0, 0, 0},
    {"ts", BATCH_TIMESTAMP, 0, 0, 1},   {"ts_ntz", BATCH_TIMESTAMP, 0, 0, 0},
    {"s", BATCH_STRING, 0, 0, 0},       {"j", BATCH_JSON, 0, 0, 0},
    {"bin", BATCH_BINARY, 0, 0, 0},     {"s_uniq", BATCH_STRING, 0, 0, 0},
};
#define NCOLS (sizeof cols / sizeof cols[0])

static void make_schema(struct batch_schema *s, bool nullable)
{
    assert_int_equal(batch_schema_init(s, NCOLS), 0);
    for (size_t i = 0; i < NCOLS; i++)
        assert_int_equal(batch_schema_set(s, i, cols[i].name, cols[i].type, nullable, cols[i].p,
                                          cols[i].s, cols[i].utc),
                         0);
}

static bool is_null(size_t r, size_t c, bool nullable)
{
    return nullable && ((r * 7 + c * 3) % 11 == 4 || r % 1000 == 999);
}

static __int128 dec_value(size_t r, size_t c)
{
    __int128 big = (__int128)1000000000000000000LL * 1000000000000LL;
    switch (c) {
    case 7:
        return (__int128)r * 13 - 5000;
    case 8:
        return (__int128)r * 123456789 - 999999999999LL;
    case 9:
        return ((__int128)r - 1500) * big + (__int128)r;
    default:
        return ((__int128)r % 40 - 20) * 1000000000000000000LL;
    }
}

static int str_value(size_t r, size_t c, char *out, size_t cap)
{
    switch (cols[c].type) {
    case BATCH_STRING:
        if (c == 17)
            return snprintf(out, cap, "unique-%zu-é-%zu", r, r * r);
        return snprintf(out, cap, "city-%zu-ü", r % 50);
    case BATCH_JSON:
        return snprintf(out, cap, "{\"k\":%zu}", r % 7);
    default:
        out[0] = 0;
        out[1] = (char)(r & 0xFF);
        out[2] = (char)0xFF;
        return 3 + (int)(r % 3);
    }
}

static void fill_row(struct batch *b, size_t r, bool nullable)
{
    char s[128];
    for (size_t c = 0; c < NCOLS; c++) {
        int rc = 0, n;
        if (is_null(r, c, nullable)) {
            assert_int_equal(batch_append_null(b, c), 0);
            continue;
        }
        switch (cols[c].type) {
        case BATCH_BOOL: rc = batch_append_bool(b, c, (r * 7 + 1) % 3 == 0); break;
        case BATCH_INT8: rc = batch_append_int(b, c, (int64_t)(r % 256) - 128); break;
        case BATCH_INT16: rc = batch_append_int(b, c, (int64_t)(r * 7 % 65536) - 32768); break;
        case BATCH_INT32: rc = batch_append_int(b, c, (int32_t)(uint32_t)(r * 1000003u)); break;
        case BATCH_INT64: rc = batch_append_int(b, c, (int64_t)r * 1000000007LL - (1LL << 40)); break;
        case BATCH_FLOAT: rc = batch_append_double(b, c, (float)r * 0.5f - 100.25f); break;
        case BATCH_DOUBLE: rc = batch_append_double(b, c, (double)r * 1.25 - 1e6); break;
        case BATCH_DECIMAL: rc = batch_append_decimal(b, c, dec_value(r, c)); break;
        case BATCH_DATE: rc = batch_append_date(b, c, (int32_t)r - 719162); break;
        case BATCH_TIMESTAMP: rc = batch_append_timestamp(b, c, (int64_t)r * 999999 - 86400000000LL); break;
        case BATCH_STRING:
        case BATCH_JSON:
            n = str_value(r, c, s, sizeof s);
            rc = batch_append_str(b, c, s, (size_t)n);
            break;
        case BATCH_BINARY:
            n = str_value(r, c, s, sizeof s);
            rc = batch_append_bytes(b, c, s, (size_t)n);
            break;
        }
        assert_int_equal(rc, 0);
    }
    batch_end_row(b);
}

static void check_row(const struct batch *b, size_t i, size_t r, bool nullable)
{
    char s[128];
    for (size_t c = 0; c < NCOLS; c++) {
        const uint8_t *p;
        size_t len;
        int n;
        if (is_null(r, c, nullable)) {
            assert_true(batch_is_null(b, c, i));
            continue;
        }
        assert_false(batch_is_null(b, c, i));
        switch (cols[c].type) {
        case BATCH_BOOL: assert_int_equal(batch_get_bool(b, c, i), (r * 7 + 1) % 3 == 0); break;
        case BATCH_INT8: assert_int_equal(batch_get_int(b, c, i), (int64_t)(r % 256) - 128); break;
        case BATCH_INT16: assert_int_equal(batch_get_int(b, c, i), (int64_t)(r * 7 % 65536) - 32768); break;
        case BATCH_INT32: assert_int_equal(batch_get_int(b, c, i), (int32_t)(uint32_t)(r * 1000003u)); break;
        case BATCH_INT64: assert_int_equal(batch_get_int(b, c, i), (int64_t)r * 1000000007LL - (1LL << 40)); break;
        case BATCH_FLOAT: assert_true(batch_get_double(b, c, i) == (float)r * 0.5f - 100.25f); break;
        case BATCH_DOUBLE: assert_true(batch_get_double(b, c, i) == (double)r * 1.25 - 1e6); break;
        case BATCH_DECIMAL: assert_true(batch_get_decimal(b, c, i) == dec_value(r, c)); break;
        case BATCH_DATE: assert_int_equal(batch_get_int(b, c, i), (int32_t)r - 719162); break;
        case BATCH_TIMESTAMP: assert_int_equal(batch_get_int(b, c, i), (int64_t)r * 999999 - 86400000000LL); break;
        default:
            n = str_value(r, c, s, sizeof s);
            p = batch_get_bytes(b, c, i, &len);
            assert_int_equal(len, (size_t)n);
            assert_memory_equal(p, s, len);
            break;
        }
    }
}

/* Write rows [0, nrows) with opt; read back and compare. Returns rows read. */
static void round_trip(const struct parquet_options *opt, bool nullable, size_t nrows,
                       size_t batch_rows)
{
    struct batch_schema s;
    struct parquet_writer *w;
    struct parquet_reader *rd;
    struct sl_err err;
    struct batch *b;
    size_t r = 0, got = 0;
    uint64_t size = 0;
    int n;

    sl_err_clear(&err);
    make_schema(&s, nullable);
    b = batch_new(&s, batch_rows, 0);
    assert_non_null(b);
    assert_int_equal(parquet_writer_open(path, &s, opt, &w, &err), 0);
    assert_int_equal(parquet_writer_add_kv(w, "sluice.test", "yes"), 0);
    while (r < nrows) {
        fill_row(b, r++, nullable);
        if (batch_full(b) || r == nrows) {
            if (parquet_writer_write(w, b, &err) != 0) fail_msg("write: %s codec %d", err.msg, opt ? (int)opt->codec : -1);
            batch_reset(b);
        }
    }
    assert_int_equal(parquet_writer_rows(w), nrows);
    if (parquet_writer_close(w, &size, &err) != 0)
        fail_msg("close: %s (codec %d)", err.msg, opt ? (int)opt->codec : -1);
    assert_true(size > 12);
    batch_destroy(b);

    assert_int_equal(parquet_reader_open(path, &rd, &err), 0);
    assert_int_equal(parquet_reader_num_rows(rd), nrows);
    assert_string_equal(parquet_reader_kv(rd, "sluice.test"), "yes");
    assert_non_null(strstr(parquet_reader_created_by(rd), "sluice version "));
    assert_int_equal(parquet_reader_schema(rd)->nfields, NCOLS);
    for (size_t c = 0; c < NCOLS; c++) {
        const struct batch_field *f = &parquet_reader_schema(rd)->fields[c];
        assert_string_equal(f->name, cols[c].name);
        assert_int_equal(f->type, cols[c].type);
        assert_int_equal(f->nullable, nullable);
        assert_int_equal(f->precision, cols[c].p);
        assert_int_equal(f->scale, cols[c].s);
        if (cols[c].type == BATCH_TIMESTAMP)
            assert_int_equal(f->utc_adjusted, cols[c].utc);
    }
    b = batch_new(parquet_reader_schema(rd), 777, 0);
    assert_non_null(b);
    while ((n = parquet_reader_read(rd, b, &err)) > 0) {
        for (size_t i = 0; i < (size_t)n; i++)
            check_row(b, i, got + i, nullable);
        got += (size_t)n;
    }
    assert_int_equal(n, 0);
    assert_int_equal(got, nrows);
    batch_destroy(b);
    parquet_reader_close(rd);
    batch_schema_free(&s);
}

static void test_every_type_codec_nullability(void **state)
{
    static const enum parquet_codec codecs[] = {PARQUET_UNCOMPRESSED, PARQUET_SNAPPY,
                                                PARQUET_GZIP,         PARQUET_ZSTD,
                                                PARQUET_LZ4_RAW,      PARQUET_BROTLI};
    (void)state;
    for (size_t k = 0; k < sizeof codecs / sizeof codecs[0]; k++) {
        for (int nullable = 0; nullable < 2; nullable++) {
            struct parquet_options o;
            parquet_options_init(&o);
            o.codec = codecs[k];
            o.row_group_rows = 1200;  /* several row groups */
            o.page_bytes = 2000;      /* many pages */
            round_trip(&o, nullable, 3000, 500);
        }
    }
}

static void test_defaults_big_batch(void **state)
{
    (void)state;
    round_trip(NULL, true, 20000, 8192);
}

static void test_empty_and_one_row(void **state)
{
    struct parquet_options o;
    (void)state;
    parquet_options_init(&o);
    round_trip(&o, true, 0, 10);
    round_trip(&o, false, 1, 10);
    round_trip(&o, true, 1, 1);
}

static void test_dictionary_fallback(void **state)
{
    struct parquet_options o;
    struct parquet_reader *rd;
    struct parquet_stats st;
    struct sl_err err;
    (void)state;
    parquet_options_init(&o);
    o.dictionary_max_bytes = 600; /* "city" strings overflow quickly with s_uniq */
    o.page_bytes = 1000;
    round_trip(&o, true, 5000, 1000);
    sl_err_clear(&err);
    assert_int_equal(parquet_reader_open(path, &rd, &err), 0);
    /* s_uniq: mostly distinct, so it drops the dictionary at its first page. */
    assert_int_equal(parquet_reader_column_stats(rd, 0, 17, &st), 0);
    assert_true(st.encodings & (1u << 0));
    assert_false(st.encodings & (1u << 8));
    /* j (7 distinct values) stays dictionary encoded. */
    assert_int_equal(parquet_reader_column_stats(rd, 0, 15, &st), 0);
    assert_true(st.encodings & (1u << 8));
    /* i64 (unique): starts as a dictionary, then falls back past 600 bytes:
     * both encodings are listed. */
    assert_int_equal(parquet_reader_column_stats(rd, 0, 4, &st), 0);
    assert_true(st.encodings & (1u << 0));
    assert_true(st.encodings & (1u << 3));
    parquet_reader_close(rd);
}

static void test_statistics(void **state)
{
    struct batch_schema s;
    struct parquet_writer *w;
    struct parquet_reader *rd;
    struct parquet_stats st;
    struct sl_err err;
    struct batch *b;
    char longs[3][200];
    static const uint8_t dmin[16] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                     0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x85}; /* -123 */
    static const uint8_t dmax[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xC8};
    float f;
    double d;
    (void)state;

    sl_err_clear(&err);
    assert_int_equal(batch_schema_init(&s, 5), 0);
    assert_int_equal(batch_schema_set(&s, 0, "dec", BATCH_DECIMAL, true, 38, 2, 0), 0);
    assert_int_equal(batch_schema_set(&s, 1, "s", BATCH_STRING, true, 0, 0, 0), 0);
    assert_int_equal(batch_schema_set(&s, 2, "f", BATCH_FLOAT, true, 0, 0, 0), 0);
    assert_int_equal(batch_schema_set(&s, 3, "d", BATCH_DOUBLE, true, 0, 0, 0), 0);
    assert_int_equal(batch_schema_set(&s, 4, "allnull", BATCH_INT32, true, 0, 0, 0), 0);
    b = batch_new(&s, 16, 0);
    memset(longs[0], 'a', 199);
    longs[0][199] = 0;
    memset(longs[1], 'z', 199);
    longs[1][199] = 0;
    memcpy(longs[2], "m", 2);
    {
        const __int128 decs[] = {-123, 5, 456};
        const char *strs[] = {longs[0], longs[1], longs[2]};
        const double fl[] = {0.0, -0.0, NAN};
        for (int r = 0; r < 3; r++) {
            assert_int_equal(batch_append_decimal(b, 0, decs[r]), 0);
            assert_int_equal(batch_append_str(b, 1, strs[r], strlen(strs[r])), 0);
            assert_int_equal(batch_append_double(b, 2, fl[r]), 0);
            assert_int_equal(batch_append_double(b, 3, r == 2 ? NAN : 2.5 * r), 0);
            assert_int_equal(batch_append_null(b, 4), 0);
            batch_end_row(b);
        }
        assert_int_equal(batch_append_null(b, 0), 0);
        assert_int_equal(batch_append_null(b, 1), 0);
        assert_int_equal(batch_append_null(b, 2), 0);
        assert_int_equal(batch_append_null(b, 3), 0);
        assert_int_equal(batch_append_null(b, 4), 0);
        batch_end_row(b);
    }
    assert_int_equal(parquet_writer_open(path, &s, NULL, &w, &err), 0);
    assert_int_equal(parquet_writer_write(w, b, &err), 0);
    assert_int_equal(parquet_writer_close(w, NULL, &err), 0);
    batch_destroy(b);

    assert_int_equal(parquet_reader_open(path, &rd, &err), 0);
    /* FLBA(16) decimal: signed order, big-endian two's complement. */
    assert_int_equal(parquet_reader_column_stats(rd, 0, 0, &st), 0);
    assert_true(st.has_min && st.has_max);
    assert_int_equal(st.null_count, 1);
    assert_int_equal(st.min_len, 16);
    assert_memory_equal(st.min, dmin, 16);
    assert_memory_equal(st.max, dmax, 16);
    /* Strings: 199 bytes truncated to 64; max rounds up 'z' -> '{'. */
    assert_int_equal(parquet_reader_column_stats(rd, 0, 1, &st), 0);
    assert_int_equal(st.min_len, 64);
    assert_false(st.min_exact);
    assert_memory_equal(st.min, longs[0], 64);
    assert_int_equal(st.max_len, 64);
    assert_false(st.max_exact);
    assert_memory_equal(st.max, longs[1], 63);
    assert_int_equal(st.max[63], 'z' + 1);
    /* Float: zero min written as -0, zero max as +0, NaN excluded. */
    assert_int_equal(parquet_reader_column_stats(rd, 0, 2, &st), 0);
    memcpy(&f, st.min, 4);
    assert_true(f == 0 && signbit(f));
    memcpy(&f, st.max, 4);
    assert_true(f == 0 && !signbit(f));
    assert_int_equal(parquet_reader_column_stats(rd, 0, 3, &st), 0);
    memcpy(&d, st.min, 8);
    assert_true(d == -0.0 && signbit(d));
    memcpy(&d, st.max, 8);
    assert_true(d == 2.5);
    /* All-NULL column: exact null count, no bounds. */
    assert_int_equal(parquet_reader_column_stats(rd, 0, 4, &st), 0);
    assert_int_equal(st.null_count, 4);
    assert_false(st.has_min);
    parquet_reader_close(rd);
    batch_schema_free(&s);
}

static void test_invalid_utf8_rejected(void **state)
{
    struct batch_schema s;
    struct parquet_writer *w;
    struct sl_err err;
    struct batch *b;
    (void)state;
    sl_err_clear(&err);
    assert_int_equal(batch_schema_init(&s, 1), 0);
    assert_int_equal(batch_schema_set(&s, 0, "title", BATCH_STRING, false, 0, 0, 0), 0);
    b = batch_new(&s, 4, 0);
    assert_int_equal(batch_append_str(b, 0, "okay", 4), 0);
    batch_end_row(b);
    b->cols[0].data[1] = 0xC0; /* corrupt behind the appender's back */
    assert_int_equal(parquet_writer_open(path, &s, NULL, &w, &err), 0);
    assert_int_equal(parquet_writer_write(w, b, &err), SL_ECONVERT);
    assert_non_null(strstr(err.msg, "\"title\""));
    assert_int_not_equal(parquet_writer_close(w, NULL, &err), 0);
    assert_int_equal(access(path, F_OK), -1); /* partial file removed */
    batch_destroy(b);
    batch_schema_free(&s);
}

/*
 * Struct columns (one level): id, then s {a int64?, b string?}, then
 * t {c int32 (required), d bool?}, then z string?. 3000 rows in row groups
 * of 1000 and small pages; the reader flattens to "s.a", ... and gives
 * NULL where the struct or the child is NULL.
 */
static void test_struct_columns(void **state)
{
    static const char *names[] = {"id", "s.a", "s.b", "t.c", "t.d", "z"};
    const struct parquet_group groups[] = {{"s", 1, 2}, {"t", 3, 2}};
    struct batch_schema s;
    struct parquet_writer *w;
    struct parquet_reader *rd;
    struct parquet_options o;
    struct sl_err err;
    struct batch *b, *rb;
    const struct batch_schema *rs;
    size_t row = 0;
    int n;
    (void)state;

    sl_err_clear(&err);
    assert_int_equal(batch_schema_init(&s, 6), 0);
    assert_int_equal(batch_schema_set(&s, 0, "id", BATCH_INT32, false, 0, 0, 0), 0);
    assert_int_equal(batch_schema_set(&s, 1, "a", BATCH_INT64, true, 0, 0, 0), 0);
    assert_int_equal(batch_schema_set(&s, 2, "b", BATCH_STRING, true, 0, 0, 0), 0);
    assert_int_equal(batch_schema_set(&s, 3, "c", BATCH_INT32, false, 0, 0, 0), 0);
    assert_int_equal(batch_schema_set(&s, 4, "d", BATCH_BOOL, true, 0, 0, 0), 0);
    assert_int_equal(batch_schema_set(&s, 5, "z", BATCH_STRING, true, 0, 0, 0), 0);
    b = batch_new(&s, 3000, 0);
    for (int r = 0; r < 3000; r++) {
        char t[16];
        int k = snprintf(t, sizeof t, "b%d", r);
        assert_int_equal(batch_append_int(b, 0, r), 0);
        /* r % 4: 0 both NULL (NULL struct), 1 a only, 2 b only, 3 both */
        assert_int_equal(r % 4 & 1 ? batch_append_int(b, 1, -r) : batch_append_null(b, 1), 0);
        assert_int_equal(r % 4 & 2 ? batch_append_str(b, 2, t, (size_t)k) : batch_append_null(b, 2), 0);
        assert_int_equal(batch_append_int(b, 3, r * 2), 0);
        assert_int_equal(r % 3 ? batch_append_bool(b, 4, r % 3 == 1) : batch_append_null(b, 4), 0);
        assert_int_equal(r % 5 ? batch_append_str(b, 5, "z", 1) : batch_append_null(b, 5), 0);
        batch_end_row(b);
    }
    parquet_options_init(&o);
    o.row_group_rows = 1000;
    o.page_bytes = 512;
    o.groups = groups;
    o.ngroups = 2;
    assert_int_equal(parquet_writer_open(path, &s, &o, &w, &err), 0);
    assert_int_equal(parquet_writer_write(w, b, &err), 0);
    assert_int_equal(parquet_writer_close(w, NULL, &err), 0);

    assert_int_equal(parquet_reader_open(path, &rd, &err), 0);
    rs = parquet_reader_schema(rd);
    assert_int_equal(rs->nfields, 6);
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(rs->fields[i].name, names[i]);
    assert_true(rs->fields[3].nullable); /* inside an OPTIONAL struct */
    assert_false(rs->fields[0].nullable);
    rb = batch_new(rs, 700, 0);
    while ((n = parquet_reader_read(rd, rb, &err)) > 0) {
        for (size_t i = 0; i < (size_t)n; i++, row++) {
            int r = (int)row;
            size_t len;
            assert_int_equal(batch_get_int(rb, 0, i), r);
            assert_int_equal(batch_is_null(rb, 1, i), !(r % 4 & 1));
            if (r % 4 & 1)
                assert_int_equal(batch_get_int(rb, 1, i), -r);
            assert_int_equal(batch_is_null(rb, 2, i), !(r % 4 & 2));
            if (r % 4 & 2)
                assert_int_equal(batch_get_bytes(rb, 2, i, &len)[0], 'b');
            assert_false(batch_is_null(rb, 3, i));
            assert_int_equal(batch_get_int(rb, 3, i), r * 2);
            assert_int_equal(batch_is_null(rb, 4, i), r % 3 == 0);
            if (r % 3)
                assert_int_equal(batch_get_bool(rb, 4, i), r % 3 == 1);
            assert_int_equal(batch_is_null(rb, 5, i), r % 5 == 0);
        }
    }
    assert_int_equal(n, 0);
    assert_int_equal(row, 3000);
    {
        struct parquet_stats st;
        assert_int_equal(parquet_reader_column_stats(rd, 0, 1, &st), 0);
        assert_int_equal(st.null_count, 500); /* a NULL in 2 rows of 4 */
    }
    batch_destroy(rb);
    parquet_reader_close(rd);

    /* bad groups are refused */
    {
        const struct parquet_group bad[] = {{"s", 1, 2}, {"t", 2, 2}};
        const struct parquet_group out_of_range[] = {{"s", 5, 2}};
        unlink(path);
        o.groups = bad;
        assert_int_equal(parquet_writer_open(path, &s, &o, &w, &err), SL_EINVAL);
        sl_err_clear(&err);
        o.groups = out_of_range;
        o.ngroups = 1;
        assert_int_equal(parquet_writer_open(path, &s, &o, &w, &err), SL_EINVAL);
        assert_int_equal(access(path, F_OK), -1);
    }
    batch_destroy(b);
    batch_schema_free(&s);
}

/* One complete small write+read; returns the first failing status. */
static int small_cycle(void)
{
    struct batch_schema s;
    struct parquet_writer *w = NULL;
    struct parquet_reader *rd = NULL;
    struct parquet_options o;
    struct sl_err err;
    struct batch *b = NULL, *rb = NULL;
    int rc;

    sl_err_clear(&err);
    parquet_options_init(&o);
    o.codec = PARQUET_GZIP; /* zlib allocates through sl_malloc */
    o.row_group_rows = 40;
    rc = batch_schema_init(&s, 3);
    if (rc)
        return rc;
    if ((rc = batch_schema_set(&s, 0, "s", BATCH_STRING, true, 0, 0, 0)) != 0 ||
        (rc = batch_schema_set(&s, 1, "d", BATCH_DECIMAL, true, 30, 2, 0)) != 0 ||
        (rc = batch_schema_set(&s, 2, "i", BATCH_INT64, false, 0, 0, 0)) != 0)
        goto out;
    b = batch_new(&s, 100, 0);
    if (!b) {
        rc = SL_ENOMEM;
        goto out;
    }
    for (int r = 0; r < 100; r++) {
        char t[16];
        int n = snprintf(t, sizeof t, "v%d", r % 9);
        if ((rc = r % 5 ? batch_append_str(b, 0, t, (size_t)n) : batch_append_null(b, 0)) != 0 ||
            (rc = batch_append_decimal(b, 1, -r * 1000)) != 0 ||
            (rc = batch_append_int(b, 2, r)) != 0)
            goto out;
        batch_end_row(b);
    }
    if ((rc = parquet_writer_open(path, &s, &o, &w, &err)) != 0)
        goto out;
    if ((rc = parquet_writer_add_kv(w, "a", "b")) != 0 || (rc = parquet_writer_write(w, b, &err)) != 0) {
        parquet_writer_abort(w);
        goto out;
    }
    if ((rc = parquet_writer_close(w, NULL, &err)) != 0)
        goto out;
    if ((rc = parquet_reader_open(path, &rd, &err)) != 0)
        goto out;
    rb = batch_new(parquet_reader_schema(rd), 64, 0);
    if (!rb) {
        rc = SL_ENOMEM;
        goto out;
    }
    while ((rc = parquet_reader_read(rd, rb, &err)) > 0)
        ;
out:
    batch_destroy(rb);
    parquet_reader_close(rd);
    batch_destroy(b);
    batch_schema_free(&s);
    return rc;
}

static void test_alloc_failure_sweep(void **state)
{
    unsigned long nth;
    int failures = 0;
    (void)state;
    for (nth = 1; nth < 2000; nth++) {
        int rc;
        sl_mem_fail_after(nth);
        rc = small_cycle();
        sl_mem_fail_after(0);
        if (rc == 0)
            break;
        if (rc != SL_ENOMEM && rc != SL_EIO)
            fail_msg("nth %lu: rc %d", nth, rc);
        failures++;
    }
    assert_true(nth < 2000); /* eventually succeeds */
    assert_true(failures > 50);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_type_codec_nullability, setup, teardown),
        cmocka_unit_test_setup_teardown(test_defaults_big_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_and_one_row, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dictionary_fallback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_statistics, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_utf8_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_struct_columns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alloc_failure_sweep, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
