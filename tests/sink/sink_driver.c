/*
 * sink_driver: writes real sink output for tests/sink/test_sink_files.test.mjs,
 * which reads it back with DuckDB, arrow-rs (parquet-wasm) and hyparquet.
 *
 * Usage: sink_driver ROOT EXPECTED.json
 *
 * Runs the sink five times over batches in the Change Tracking layout with
 * a column of every batch type, and writes EXPECTED.json holding, per
 * run, what the sink returned (files, rows) and the exact input values as
 * text, so the test can check the files against the input rather than
 * against the sink's own idea of them:
 *
 *   A  per_table  shop.dbo.types     full load, to version 10, ids 0..11,
 *                                    parts of 7 rows (2 parts)
 *   B  per_table  shop.dbo.types     10 -> 20: U id 1, D id 2, I id 12
 *   C  per_table  shop.dbo.types     20 -> 30: U id 1, U id 12
 *   D  per_table  shop.dbo.types_sd  soft_delete, 0 -> 9: ids 0..8, I/U/D
 *   E  unified    shop.dbo.types_un  catalog "main", 0 -> 9: ids 0..8, I/U/D
 *   F  per_table  shop.dbo.empty     no rows: publishes nothing
 *   R  per_table  shop.dbo.types     full reload at version 40 (the watermark
 *                                    fell behind retention): ids 0, 3, 4, 12
 *
 * Value text (as tests/parquet/gen_cases.c): integers and decimals exact,
 * floats "%.9g"/"%.17g" with NaN, Infinity, -Infinity, -0 spelled out,
 * dates YYYY-MM-DD, timestamps YYYY-MM-DDTHH:MM:SS.ffffff, binary as
 * lowercase hex, strings as themselves. Each value is a function of
 * (column, id, generation), NULL on a fixed pattern; deletes carry only
 * their key.
 *
 * A test tool: on any failure it prints the sink's message and exits 1.
 */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/batch.h"
#include "core/civil.h"
#include "core/err.h"
#include "sink/sink.h"

#define STARTED_MS 1795255205678LL /* 2026-11-21T10:00:05.678Z */
#define NSYS 3

struct colt {
    const char *name, *jtype;
    enum batch_type t;
    uint8_t p, s;
    bool utc;
};

/* The table's columns after the change columns; id is the key. */
static const struct colt COLS[] = {
    {"id", "int32", BATCH_INT32, 0, 0, false},
    {"b", "bool", BATCH_BOOL, 0, 0, false},
    {"i8", "int8", BATCH_INT8, 0, 0, false},
    {"i16", "int16", BATCH_INT16, 0, 0, false},
    {"i64", "int64", BATCH_INT64, 0, 0, false},
    {"f", "float", BATCH_FLOAT, 0, 0, false},
    {"d", "double", BATCH_DOUBLE, 0, 0, false},
    {"dec9", "decimal", BATCH_DECIMAL, 9, 2, false},
    {"dec38", "decimal", BATCH_DECIMAL, 38, 10, false},
    {"dt", "date", BATCH_DATE, 0, 0, false},
    {"ts", "timestamp", BATCH_TIMESTAMP, 0, 0, true},
    {"ts_ntz", "timestamp", BATCH_TIMESTAMP, 0, 0, false},
    {"s", "string", BATCH_STRING, 0, 0, false},
    {"j", "json", BATCH_JSON, 0, 0, false},
    {"bin", "binary", BATCH_BINARY, 0, 0, false},
};
#define NCOLS (sizeof COLS / sizeof COLS[0])

static __int128 nines(int n)
{
    __int128 v = 0;
    while (n-- > 0)
        v = v * 10 + 9;
    return v;
}

struct val {
    bool null;
    int64_t i;
    double d;
    __int128 q;
    char buf[1024];
    size_t n;
};

static const char *const STRS[] = {"", "h\"\xC3\xA9\\\n\xF0\x9F\x98\x80", "ctrl \x01\x1F", " x ",
                                   "long"};
static const char *const JSONS[] = {"{}", "{\"a\":[1,true,null],\"b\":\"\xC3\xA9\"}", "[]",
                                    "\"s\"", "-1.5e300"};

/* Value of column c for key id in generation g (0 full load, 1.. later runs). */
static void value(size_t c, int id, int g, struct val *v)
{
    size_t k = (size_t)(id * 3 + g);
    memset(v, 0, sizeof *v);
    if (c == 0) {
        v->i = id;
        return;
    }
    if ((size_t)(id + g) % 6 == c % 6) {
        v->null = true;
        return;
    }
    switch (COLS[c].t) {
    case BATCH_BOOL: v->i = k % 2; break;
    case BATCH_INT8: { const int64_t e[] = {-128, 127, 0, -1, 5}; v->i = e[k % 5]; break; }
    case BATCH_INT16: { const int64_t e[] = {-32768, 32767, 0, 255}; v->i = e[k % 4]; break; }
    case BATCH_INT64: {
        const int64_t e[] = {INT64_MIN, INT64_MAX, 0, -1, 9007199254740993LL};
        v->i = e[k % 5];
        break;
    }
    case BATCH_FLOAT: {
        const float e[] = {0.1f, -0.0f, 1.5f, FLT_MAX, NAN, INFINITY, 16777216.0f};
        v->d = e[k % 7];
        break;
    }
    case BATCH_DOUBLE: {
        const double e[] = {0.1, 1.0 / 3.0, -0.0, DBL_MAX, 4.9406564584124654e-324, -INFINITY,
                            NAN, 0.1 + 0.2, 123456789012345678.0};
        v->d = e[k % 9];
        break;
    }
    case BATCH_DECIMAL:
        if (COLS[c].p == 9) {
            const __int128 e[] = {999999999, -999999999, 0, -7, 150};
            v->q = e[k % 5];
        } else {
            const __int128 e[] = {nines(38), -nines(38), 0, -1, 123456789000000};
            v->q = e[k % 5];
        }
        break;
    case BATCH_DATE: { const int64_t e[] = {-719162, 2932896, 0, 19782}; v->i = e[k % 4]; break; }
    case BATCH_TIMESTAMP: {
        const int64_t e[] = {-1, 0, 253402300799999999LL, -62135596800000000LL, 1709210096123456LL};
        v->i = e[(k + (COLS[c].utc ? 0 : 2)) % 5];
        break;
    }
    case BATCH_STRING:
        if (k % 5 == 4) {
            for (int i = 0; i < 300; i++)
                v->buf[v->n++] = (char)('a' + i % 26);
        } else {
            v->n = strlen(STRS[k % 5]);
            memcpy(v->buf, STRS[k % 5], v->n);
        }
        break;
    case BATCH_JSON:
        v->n = strlen(JSONS[k % 5]);
        memcpy(v->buf, JSONS[k % 5], v->n);
        break;
    case BATCH_BINARY:
        if (k % 3 == 2) {
            for (int i = 0; i < 256; i++)
                v->buf[v->n++] = (char)i;
        } else {
            v->n = k % 3;
            memcpy(v->buf, "\x00\xff", v->n);
        }
        break;
    default: /* INT32: only the key, handled above */
        break;
    }
}

static int append(struct batch *b, size_t col, const struct val *v, enum batch_type t)
{
    if (v->null)
        return batch_append_null(b, col);
    switch (t) {
    case BATCH_BOOL: return batch_append_bool(b, col, v->i != 0);
    case BATCH_FLOAT:
    case BATCH_DOUBLE: return batch_append_double(b, col, v->d);
    case BATCH_DECIMAL: return batch_append_decimal(b, col, v->q);
    case BATCH_STRING:
    case BATCH_JSON: return batch_append_str(b, col, v->buf, v->n);
    case BATCH_BINARY: return batch_append_bytes(b, col, v->buf, v->n);
    default: return batch_append_int(b, col, v->i);
    }
}

/* ---- expected text ---- */

static void put_json_str(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void date_text(int64_t days, char *out, size_t cap)
{
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(out, cap, "%04" PRId64 "-%02u-%02u", y, m, d);
}

static void dec_text(__int128 v, unsigned scale, char *out)
{
    char dig[64];
    size_t n = 0, o = 0;
    unsigned __int128 u = v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;
    do {
        dig[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    while (n <= scale)
        dig[n++] = '0';
    if (v < 0)
        out[o++] = '-';
    while (n-- > 0) {
        out[o++] = dig[n];
        if (n == scale && scale)
            out[o++] = '.';
    }
    out[o] = '\0';
}

static void put_value(FILE *f, enum batch_type t, unsigned scale, const struct val *v)
{
    char s[128];
    if (v->null) {
        fputs("null", f);
        return;
    }
    switch (t) {
    case BATCH_BOOL: snprintf(s, sizeof s, "%s", v->i ? "true" : "false"); break;
    case BATCH_FLOAT:
    case BATCH_DOUBLE:
        if (isnan(v->d))
            snprintf(s, sizeof s, "NaN");
        else if (isinf(v->d))
            snprintf(s, sizeof s, "%s", v->d > 0 ? "Infinity" : "-Infinity");
        else if (v->d == 0 && signbit(v->d))
            snprintf(s, sizeof s, "-0");
        else
            snprintf(s, sizeof s, t == BATCH_FLOAT ? "%.9g" : "%.17g", v->d);
        break;
    case BATCH_DECIMAL: dec_text(v->q, scale, s); break;
    case BATCH_DATE: date_text(v->i, s, sizeof s); break;
    case BATCH_TIMESTAMP: {
        const int64_t day = 86400000000LL;
        int64_t days = v->i / day, rem = v->i % day;
        char dt[32];
        if (rem < 0)
            rem += day, days--;
        date_text(days, dt, sizeof dt);
        snprintf(s, sizeof s, "%sT%02d:%02d:%02d.%06d", dt, (int)(rem / 3600000000LL),
                 (int)(rem / 60000000 % 60), (int)(rem / 1000000 % 60), (int)(rem % 1000000));
        break;
    }
    case BATCH_STRING:
    case BATCH_JSON: put_json_str(f, v->buf, v->n); return;
    case BATCH_BINARY:
        fputc('"', f);
        for (size_t i = 0; i < v->n; i++)
            fprintf(f, "%02x", (unsigned char)v->buf[i]);
        fputc('"', f);
        return;
    default: snprintf(s, sizeof s, "%" PRId64, v->i); break;
    }
    put_json_str(f, s, strlen(s));
}

/* ---- runs ---- */

struct change {
    int id;
    char op;     /* I, U, D */
    int g;       /* generation of its values */
    int64_t version;
    bool full;   /* read by a full load: no creation version */
};

struct run {
    const char *name, *table, *catalog;
    int64_t started_ms;
    enum sink_format format;
    bool soft_delete, full;
    int64_t from, to; /* from < 0: none */
    uint64_t max_file_rows;
    struct change ch[16];
    size_t n;
};

static void schema_init(struct batch_schema *s)
{
    if (batch_schema_init(s, NSYS + NCOLS) != 0 ||
        batch_schema_set(s, 0, "SYS_CHANGE_VERSION", BATCH_INT64, false, 0, 0, false) != 0 ||
        batch_schema_set(s, 1, "SYS_CHANGE_CREATION_VERSION", BATCH_INT64, true, 0, 0, false) != 0 ||
        batch_schema_set(s, 2, "SYS_CHANGE_OPERATION", BATCH_STRING, false, 0, 0, false) != 0)
        exit(1);
    for (size_t c = 0; c < NCOLS; c++)
        if (batch_schema_set(s, NSYS + c, COLS[c].name, COLS[c].t, c != 0, COLS[c].p, COLS[c].s,
                             COLS[c].utc) != 0)
            exit(1);
}

static void change_value(const struct change *ch, size_t c, struct val *v)
{
    value(c, ch->id, ch->g, v);
    if (ch->op == 'D' && c != 0)
        v->null = true;
}

/* SYS_CHANGE_CREATION_VERSION as text: the version for inserts of an
 * incremental run (a full load has none, as ct.c reads it). */
static const char *creation(const struct change *ch, char *buf, size_t cap)
{
    if (ch->op != 'I' || ch->full)
        return "null";
    snprintf(buf, cap, "%" PRId64, ch->version);
    return buf;
}

static int fill(struct batch *b, const struct change *ch)
{
    struct val v;
    char num[32];
    int rc = batch_append_int(b, 0, ch->version);
    if (!rc)
        rc = strcmp(creation(ch, num, sizeof num), "null") ? batch_append_int(b, 1, ch->version)
                                                           : batch_append_null(b, 1);
    if (!rc)
        rc = batch_append_str(b, 2, &ch->op, 1);
    for (size_t c = 0; c < NCOLS && !rc; c++) {
        change_value(ch, c, &v);
        rc = append(b, NSYS + c, &v, COLS[c].t);
    }
    batch_end_row(b);
    return rc;
}

static int die(const char *what, const struct sl_err *e)
{
    fprintf(stderr, "sink_driver: %s: %s %s %s\n", what, e->msg, e->detail, e->hint);
    return 1;
}

static void pos(struct watermark_pos *p, int64_t v)
{
    memset(p, 0, sizeof *p);
    if (v >= 0)
        watermark_pos_ct(p, v);
}

/* Run r through the sink (batches of 4 rows) and describe it in f. */
static int do_run(const char *root, const struct run *r, FILE *f, bool first)
{
    struct batch_schema s;
    struct batch *b;
    struct sink *sk = NULL;
    struct sink_options o = {.root = root, .format = r->format, .codec = PARQUET_ZSTD,
                             .soft_delete = r->soft_delete, .max_file_rows = r->max_file_rows};
    struct sink_table t = {.db = "shop", .schema = "dbo", .table = r->table, .catalog = r->catalog};
    struct sink_run run = {.run_id = r->name, .started_ms = r->started_ms, .full = r->full,
                           .schema_version = "01e5fd97a215fb3f"};
    struct sink_result res;
    struct sl_err e;
    struct val v;
    char num[32];

    sl_err_clear(&e);
    schema_init(&s);
    b = batch_new(&s, 4, 0);
    pos(&run.from, r->from);
    pos(&run.to, r->to);
    if (!b || sink_open(&o, &t, &run, &s, 1, &sk, &e) != 0)
        return die(r->name, &e);
    for (size_t i = 0; i < r->n; i++) {
        if (fill(b, &r->ch[i]) != 0)
            return die("append", &e);
        if (batch_full(b) || i + 1 == r->n) {
            if (sink_write(sk, b, &e) != 0)
                return die(r->name, &e);
            batch_reset(b);
        }
    }
    if (sink_finish(sk, &res, &e) != 0)
        return die(r->name, &e);

    fprintf(f, "%s{\"run\":\"%s\",\"table\":\"%s\",\"format\":\"%s\",\"soft_delete\":%s,"
               "\"full\":%s,\"from\":%" PRId64 ",\"to\":%" PRId64 ",\"started_ms\":%" PRId64
               ",\"catalog\":",
            first ? "" : ",\n", r->name, r->table, sink_format_name(r->format),
            r->soft_delete ? "true" : "false", r->full ? "true" : "false", r->from, r->to, r->started_ms);
    if (r->catalog)
        put_json_str(f, r->catalog, strlen(r->catalog));
    else
        fputs("null", f);
    fprintf(f, ",\"rows\":%" PRIu64 ",\"files\":[", res.rows);
    for (size_t i = 0; i < res.nfiles; i++)
        fprintf(f, "%s{\"path\":\"%s\",\"rows\":%" PRIu64 "}", i ? "," : "", res.files[i].path,
                res.files[i].rows);
    fputs("],\"changes\":[", f);
    for (size_t i = 0; i < r->n; i++)
        fprintf(f, "%s{\"id\":%d,\"version\":%" PRId64 ",\"creation\":%s,\"op\":\"%c\"}",
                i ? "," : "", r->ch[i].id, r->ch[i].version, creation(&r->ch[i], num, sizeof num),
                r->ch[i].op);
    fputs("],\"columns\":[", f);
    for (size_t c = 0; c < NCOLS; c++) {
        fprintf(f, "%s{\"name\":\"%s\",\"type\":\"%s\",\"nullable\":%s", c ? "," : "",
                COLS[c].name, COLS[c].jtype, c ? "true" : "false");
        if (COLS[c].t == BATCH_DECIMAL)
            fprintf(f, ",\"precision\":%u,\"scale\":%u", COLS[c].p, COLS[c].s);
        if (COLS[c].t == BATCH_TIMESTAMP)
            fprintf(f, ",\"utc\":%s", COLS[c].utc ? "true" : "false");
        fputs(",\"values\":[", f);
        for (size_t i = 0; i < r->n; i++) {
            change_value(&r->ch[i], c, &v);
            fputs(i ? "," : "", f);
            put_value(f, COLS[c].t, COLS[c].s, &v);
        }
        fputs("]}", f);
    }
    fputs("]}", f);
    sink_result_free(&res);
    batch_destroy(b);
    batch_schema_free(&s);
    return 0;
}

int main(int argc, char **argv)
{
    static struct run runs[7];
    FILE *f;
    int bad = 0;

    if (argc != 3) {
        fprintf(stderr, "usage: sink_driver ROOT EXPECTED.json\n");
        return 2;
    }
    runs[0] = (struct run){.name = "A", .table = "types", .format = SINK_PER_TABLE, .full = true,
                           .from = -1, .to = 10, .max_file_rows = 7, .n = 12};
    for (int i = 0; i < 12; i++)
        runs[0].ch[i] = (struct change){i, 'I', 0, 10, true};
    runs[1] = (struct run){.name = "B", .table = "types", .format = SINK_PER_TABLE, .from = 10,
                           .to = 20, .n = 3,
                           .ch = {{1, 'U', 1, 11, false}, {2, 'D', 1, 12, false}, {12, 'I', 1, 13, false}}};
    runs[2] = (struct run){.name = "C", .table = "types", .format = SINK_PER_TABLE, .from = 20,
                           .to = 30, .n = 2, .ch = {{1, 'U', 2, 21, false}, {12, 'U', 2, 22, false}}};
    runs[3] = (struct run){.name = "D", .table = "types_sd", .format = SINK_PER_TABLE,
                           .soft_delete = true, .from = 0, .to = 9, .n = 9};
    runs[4] = (struct run){.name = "E", .table = "types_un", .catalog = "main",
                           .format = SINK_UNIFIED, .from = 0, .to = 9, .n = 9};
    for (int i = 0; i < 9; i++) {
        runs[3].ch[i] = (struct change){i, "IUD"[i % 3], 1, i + 1, false};
        runs[4].ch[i] = (struct change){i, "IUD"[i % 3], 1, i + 1, false};
    }
    runs[5] = (struct run){.name = "F", .table = "empty", .format = SINK_PER_TABLE, .from = 0,
                           .to = 1, .n = 0};
    runs[6] = (struct run){.name = "R", .table = "types", .format = SINK_PER_TABLE, .full = true,
                           .from = -1, .to = 40, .n = 4,
                           .ch = {{0, 'I', 3, 40, true}, {3, 'I', 3, 40, true},
                                  {4, 'I', 3, 40, true}, {12, 'I', 3, 40, true}}};
    if (!(f = fopen(argv[2], "w"))) {
        fprintf(stderr, "sink_driver: cannot create %s\n", argv[2]);
        return 1;
    }
    fputs("{\"runs\":[\n", f);
    for (int i = 0; i < 7; i++)
        runs[i].started_ms = STARTED_MS + i * 61001LL; /* one run a minute and a bit */
    for (int i = 0; i < 7 && !bad; i++)
        bad = do_run(argv[1], &runs[i], f, i == 0);
    fputs("]}\n", f);
    if (fclose(f) != 0)
        bad = 1;
    return bad;
}
