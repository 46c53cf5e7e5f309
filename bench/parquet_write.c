/*
 * parquet_write: throughput, size and memory benchmark for the Parquet
 * writer (method in bench/README.md).
 *
 * Usage: parquet_write --rows N [--codec zstd] [--seed 1] --out FILE
 *                      [--csv FILE] [--batch 8192] [--row-group-rows R]
 *
 * Generates a table of 12 mixed columns (int32, int64, decimal(18,4),
 * decimal(38,10), double, date, timestamp, short string, ~200-byte string,
 * low-cardinality string, binary(16), boolean; about 5% NULLs in every
 * column) deterministically from (seed, row), a batch at a time so that
 * memory stays bounded by the batch, and writes it with sluice's writer.
 * With --csv it also writes the same rows as CSV (binary as hex) so that
 * bench/parquet_vs_duckdb.mjs can load them into DuckDB.
 *
 * Only the writer's own calls (parquet_writer_write and _close, which
 * includes the fsync) are timed; generating rows and writing CSV are not.
 * Prints a human summary and one line "RESULT {json}" for scripts.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "batch/batch.h"
#include "core/civil.h"
#include "core/err.h"
#include "format/parquet/parquet.h"

enum { C_I32, C_I64, C_D18, C_D38, C_DBL, C_DATE, C_TS, C_SHORT, C_LONG, C_LOW, C_BIN, C_BOOL, NCOLS };

static const struct {
    const char *name;
    enum batch_type type;
    uint8_t p, s;
} COLS[NCOLS] = {
    {"c_int32", BATCH_INT32, 0, 0},       {"c_int64", BATCH_INT64, 0, 0},
    {"c_dec18", BATCH_DECIMAL, 18, 4},    {"c_dec38", BATCH_DECIMAL, 38, 10},
    {"c_double", BATCH_DOUBLE, 0, 0},     {"c_date", BATCH_DATE, 0, 0},
    {"c_ts", BATCH_TIMESTAMP, 0, 0},      {"c_short", BATCH_STRING, 0, 0},
    {"c_long", BATCH_STRING, 0, 0},       {"c_lowcard", BATCH_STRING, 0, 0},
    {"c_bin", BATCH_BINARY, 0, 0},        {"c_bool", BATCH_BOOL, 0, 0},
};

static const char *const STATUS[] = {"pending", "paid",     "shipped", "delivered",
                                     "returned", "cancelled", "on_hold", "refunded"};

static const char *const WORDS[] = {
    "lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed",
    "do", "eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore", "magna",
    "aliqua", "enim", "ad", "minim", "veniam", "quis", "nostrud", "exercitation", "ullamco",
    "laboris", "nisi", "aliquip", "ex", "ea", "commodo", "consequat", "caf\xC3\xA9", "na\xC3\xAFve"};
#define NWORDS (sizeof(WORDS) / sizeof(WORDS[0]))

static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* One generated cell. Strings point into `txt`. */
struct cell {
    bool null;
    int64_t i;
    double d;
    __int128 dec;
    char txt[320];
    size_t n;
};

static void gen_text(uint64_t *s, struct cell *c, int col)
{
    c->n = 0;
    if (col == C_SHORT) {
        size_t len = 5 + (*s = mix64(*s)) % 16;
        static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
        memcpy(c->txt, "name_", 5);
        for (c->n = 5; c->n < len; c->n++)
            c->txt[c->n] = alnum[(*s = mix64(*s)) % 36];
    } else if (col == C_LONG) {
        while (c->n < 200) {
            const char *w = WORDS[(*s = mix64(*s)) % NWORDS];
            size_t wl = strlen(w);
            if (c->n)
                c->txt[c->n++] = ' ';
            memcpy(c->txt + c->n, w, wl);
            c->n += wl;
        }
    } else if (col == C_LOW) {
        const char *w = STATUS[(*s = mix64(*s)) % 8];
        c->n = strlen(w);
        memcpy(c->txt, w, c->n);
    } else { /* C_BIN: 16 bytes, like a hash */
        for (c->n = 0; c->n < 16; c->n += 8) {
            uint64_t x = (*s = mix64(*s));
            memcpy(c->txt + c->n, &x, 8);
        }
    }
}

/* The value of column col at row r: a pure function of (seed, row, col). */
static void gen_cell(uint64_t seed, uint64_t r, int col, struct cell *c)
{
    uint64_t s = mix64(seed ^ mix64(r * 16 + (uint64_t)col));
    uint64_t x = (s = mix64(s));
    c->null = x % 20 == 0; /* about 5% NULLs */
    if (c->null)
        return;
    x = (s = mix64(s));
    switch (col) {
    case C_I32: c->i = (int32_t)x; break;
    case C_I64: c->i = (int64_t)(r * 1000 + x % 1000); break;
    case C_D18: c->dec = (__int128)(int64_t)(x % 2000000000000ULL) - 1000000000000LL; break;
    case C_D38: {
        __int128 lim = (__int128)1000000000000000LL * 1000000000000000LL; /* 1e30 */
        unsigned __int128 u = ((unsigned __int128)x << 64) | mix64(s);
        c->dec = (__int128)(u % (unsigned __int128)(2 * lim)) - lim;
        break;
    }
    case C_DBL: c->d = ((double)(x >> 11) / 9007199254740992.0 - 0.5) * 2e6; break;
    case C_DATE: c->i = 10957 + (int64_t)(x % 9000); break; /* 2000-01-01 + */
    case C_TS: c->i = 1600000000000000LL + (int64_t)(x % 94608000000000ULL); break;
    case C_BOOL: c->i = (int64_t)(x & 1); break;
    default: gen_text(&s, c, col); break;
    }
}

static int append(struct batch *b, int col, const struct cell *c)
{
    if (c->null)
        return batch_append_null(b, (size_t)col);
    switch (COLS[col].type) {
    case BATCH_INT32:
    case BATCH_INT64: return batch_append_int(b, (size_t)col, c->i);
    case BATCH_DECIMAL: return batch_append_decimal(b, (size_t)col, c->dec);
    case BATCH_DOUBLE: return batch_append_double(b, (size_t)col, c->d);
    case BATCH_DATE: return batch_append_date(b, (size_t)col, (int32_t)c->i);
    case BATCH_TIMESTAMP: return batch_append_timestamp(b, (size_t)col, c->i);
    case BATCH_STRING: return batch_append_str(b, (size_t)col, c->txt, c->n);
    case BATCH_BINARY: return batch_append_bytes(b, (size_t)col, c->txt, c->n);
    case BATCH_BOOL: return batch_append_bool(b, (size_t)col, c->i != 0);
    default: return SL_EINVAL;
    }
}

/* ---- CSV ---- */

static void csv_decimal(FILE *f, __int128 v, unsigned scale)
{
    char d[64];
    size_t n = 0;
    unsigned __int128 u = v < 0 ? (unsigned __int128)(-v) : (unsigned __int128)v;
    do {
        d[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    while (n <= scale)
        d[n++] = '0';
    if (v < 0)
        fputc('-', f);
    for (size_t i = n; i-- > 0;) {
        fputc(d[i], f);
        if (i == scale && scale)
            fputc('.', f);
    }
}

static void csv_cell(FILE *f, int col, const struct cell *c)
{
    int64_t y;
    unsigned m, d;
    if (c->null)
        return; /* empty unquoted field = NULL */
    switch (col) {
    case C_I32:
    case C_I64: fprintf(f, "%" PRId64, c->i); break;
    case C_D18:
    case C_D38: csv_decimal(f, c->dec, COLS[col].s); break;
    case C_DBL: fprintf(f, "%.17g", c->d); break;
    case C_DATE:
        civil_from_days(c->i, &y, &m, &d);
        fprintf(f, "%04" PRId64 "-%02u-%02u", y, m, d);
        break;
    case C_TS: {
        int64_t days = c->i / 86400000000LL, us = c->i % 86400000000LL; /* positive here */
        civil_from_days(days, &y, &m, &d);
        fprintf(f, "%04" PRId64 "-%02u-%02u %02" PRId64 ":%02" PRId64 ":%02" PRId64 ".%06" PRId64 "+00",
                y, m, d, us / (int64_t)3600000000, us / 60000000 % 60, us / 1000000 % 60, us % 1000000);
        break;
    }
    case C_BOOL: fputs(c->i ? "true" : "false", f); break;
    case C_BIN:
        for (size_t i = 0; i < c->n; i++)
            fprintf(f, "%02x", (unsigned char)c->txt[i]);
        break;
    default: /* strings: always quoted, "" escapes a quote */
        fputc('"', f);
        for (size_t i = 0; i < c->n; i++) {
            if (c->txt[i] == '"')
                fputc('"', f);
            fputc(c->txt[i], f);
        }
        fputc('"', f);
        break;
    }
}

/* ---- main ---- */

struct args {
    uint64_t rows, seed;
    const char *codec, *out, *csv;
    size_t batch, rg_rows;
};

static int parse_args(int argc, char **argv, struct args *a)
{
    *a = (struct args){.rows = 1000000, .seed = 1, .codec = "zstd", .batch = 8192};
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return -1;
        i++;
        if (strcmp(k, "--rows") == 0)
            a->rows = strtoull(v, NULL, 10);
        else if (strcmp(k, "--seed") == 0)
            a->seed = strtoull(v, NULL, 10);
        else if (strcmp(k, "--codec") == 0)
            a->codec = v;
        else if (strcmp(k, "--out") == 0)
            a->out = v;
        else if (strcmp(k, "--csv") == 0)
            a->csv = v;
        else if (strcmp(k, "--batch") == 0)
            a->batch = strtoull(v, NULL, 10);
        else if (strcmp(k, "--row-group-rows") == 0)
            a->rg_rows = strtoull(v, NULL, 10);
        else
            return -1;
    }
    return a->out && a->batch > 0 ? 0 : -1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const char *what, int rc, const struct sl_err *err)
{
    fprintf(stderr, "parquet_write: %s: %s (%s)\n", what, err ? err->msg : sl_strerror(rc),
            sl_err_name(rc));
    return 1;
}

int main(int argc, char **argv)
{
    struct args a;
    struct batch_schema s = {0};
    struct parquet_options opt;
    struct parquet_writer *w = NULL;
    struct batch *b = NULL;
    struct sl_err err;
    struct cell c;
    FILE *csv = NULL;
    uint64_t size = 0;
    double t_write = 0, t0;
    int rc;

    if (parse_args(argc, argv, &a) != 0) {
        fprintf(stderr, "usage: parquet_write --rows N [--codec C] [--seed S] --out FILE "
                        "[--csv FILE] [--batch N] [--row-group-rows R]\n");
        return 2;
    }
    sl_err_clear(&err);
    parquet_options_init(&opt);
    if (parquet_codec_from_name(a.codec, &opt.codec) != 0) {
        fprintf(stderr, "parquet_write: unknown codec %s\n", a.codec);
        return 2;
    }
    if (a.rg_rows)
        opt.row_group_rows = a.rg_rows;
    if (batch_schema_init(&s, NCOLS) != 0)
        return fail("schema", SL_ENOMEM, NULL);
    for (int i = 0; i < NCOLS; i++)
        if (batch_schema_set(&s, (size_t)i, COLS[i].name, COLS[i].type, true, COLS[i].p, COLS[i].s,
                             true) != 0)
            return fail("schema", SL_ENOMEM, NULL);
    b = batch_new(&s, a.batch, 0);
    if (!b)
        return fail("batch", SL_ENOMEM, NULL);
    if (a.csv) {
        csv = fopen(a.csv, "w");
        if (!csv)
            return fail("cannot create csv file", SL_EIO, NULL);
        for (int i = 0; i < NCOLS; i++)
            fprintf(csv, "%s%s", i ? "," : "", COLS[i].name);
        fputc('\n', csv);
    }
    t0 = now_s();
    rc = parquet_writer_open(a.out, &s, &opt, &w, &err);
    t_write += now_s() - t0;
    if (rc != 0)
        return fail("open", rc, &err);

    for (uint64_t r = 0; r < a.rows; r++) {
        for (int col = 0; col < NCOLS; col++) {
            gen_cell(a.seed, r, col, &c);
            if ((rc = append(b, col, &c)) != 0)
                return fail("append", rc, NULL);
            if (csv) {
                if (col)
                    fputc(',', csv);
                csv_cell(csv, col, &c);
            }
        }
        if (csv)
            fputc('\n', csv);
        batch_end_row(b);
        if (batch_full(b) || r + 1 == a.rows) {
            t0 = now_s();
            rc = parquet_writer_write(w, b, &err);
            t_write += now_s() - t0;
            if (rc != 0) {
                parquet_writer_abort(w);
                return fail("write", rc, &err);
            }
            batch_reset(b);
        }
    }
    t0 = now_s();
    rc = parquet_writer_close(w, &size, &err);
    t_write += now_s() - t0;
    if (rc != 0)
        return fail("close", rc, &err);
    if (csv && fclose(csv) != 0)
        return fail("csv write", SL_EIO, NULL);
    batch_destroy(b);
    batch_schema_free(&s);

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double rps = t_write > 0 ? (double)a.rows / t_write : 0;
    double mbps = t_write > 0 ? (double)size / 1e6 / t_write : 0;
    printf("rows %" PRIu64 "  codec %s  seconds %.3f  rows/s %.0f  MB/s %.1f  file %" PRIu64
           " bytes  peak RSS %ld KiB\n",
           a.rows, a.codec, t_write, rps, mbps, size, ru.ru_maxrss);
    printf("RESULT {\"rows\":%" PRIu64 ",\"codec\":\"%s\",\"seconds\":%.6f,\"rows_per_s\":%.1f,"
           "\"mb_per_s\":%.3f,\"file_bytes\":%" PRIu64 ",\"peak_rss_kb\":%ld}\n",
           a.rows, a.codec, t_write, rps, mbps, size, ru.ru_maxrss);
    return 0;
}
