/*
 * gen_cases: writes the Parquet conformance corpus that
 * tests/parquet/test_readers.test.mjs reads back with independent readers
 * (DuckDB, arrow-rs via parquet-wasm, hyparquet).
 *
 * Usage: gen_cases OUTDIR
 *
 * For every file NAME.parquet it also writes NAME.json with the exact values
 * the file must hold, as strings, so the harness can compare without going
 * through floating point:
 *   {"file": "NAME.parquet", "codec": "zstd", "rows": N,
 *    "kv": {"sluice.test.case": "NAME", ...},
 *    "expect_encodings": {"col": ["RLE_DICTIONARY", ...]},   (some cases)
 *    "columns": [{"name": "v", "type": "decimal", "precision": 38,
 *                 "scale": 0, "utc": false, "nullable": true,
 *                 "values": ["-99999...", null, ...]}]}
 * Value text: integers and decimals as exact decimal text ("-0.01",
 * "0.99999999999999999999999999999999999999"), dates "YYYY-MM-DD",
 * timestamps "YYYY-MM-DDTHH:MM:SS.ffffff" (UTC or wall clock, no zone),
 * binary as lowercase hex, floats with "%.9g"/"%.17g" (round-trip exact)
 * and "NaN", "Infinity", "-Infinity", "-0" spelled out, booleans
 * "true"/"false", strings and JSON text as themselves.
 *
 * The corpus: one file per type x codec x nullability with the type's edge
 * values (plus random filler and NULL runs), and per codec a few structural
 * cases: 0 rows, 1 row, 1 all-NULL row, several row groups with small pages,
 * dictionary fallback (high cardinality), low cardinality, all NULL, and
 * NaN-only floats, and struct columns (struct__CODEC, format below). Every
 * value is a pure function of (case seed, column, row), so runs are
 * reproducible byte for byte.
 *
 * This is a test tool: on any error it prints the writer's message and
 * exits 1; it does not clean up partial output.
 */
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "batch/batch.h"
#include "core/civil.h"
#include "core/err.h"
#include "format/parquet/parquet.h"

/* ---- column types under test ---- */

struct coltype {
    const char *name;  /* used in file and column names */
    const char *jtype; /* type name in the expected JSON */
    enum batch_type bt;
    uint8_t precision, scale;
    bool utc;
};

static const struct coltype TYPES[] = {
    {"bool", "bool", BATCH_BOOL, 0, 0, false},
    {"int8", "int8", BATCH_INT8, 0, 0, false},
    {"int16", "int16", BATCH_INT16, 0, 0, false},
    {"int32", "int32", BATCH_INT32, 0, 0, false},
    {"int64", "int64", BATCH_INT64, 0, 0, false},
    {"float", "float", BATCH_FLOAT, 0, 0, false},
    {"double", "double", BATCH_DOUBLE, 0, 0, false},
    {"decimal9_2", "decimal", BATCH_DECIMAL, 9, 2, false},
    {"decimal18_4", "decimal", BATCH_DECIMAL, 18, 4, false},
    {"decimal38_0", "decimal", BATCH_DECIMAL, 38, 0, false},
    {"decimal38_38", "decimal", BATCH_DECIMAL, 38, 38, false},
    {"decimal38_10", "decimal", BATCH_DECIMAL, 38, 10, false},
    {"date", "date", BATCH_DATE, 0, 0, false},
    {"timestamp_utc", "timestamp", BATCH_TIMESTAMP, 0, 0, true},
    {"timestamp_ntz", "timestamp", BATCH_TIMESTAMP, 0, 0, false},
    {"string", "string", BATCH_STRING, 0, 0, false},
    {"json", "json", BATCH_JSON, 0, 0, false},
    {"binary", "binary", BATCH_BINARY, 0, 0, false},
};
#define NTYPES (sizeof(TYPES) / sizeof(TYPES[0]))

static const struct {
    const char *name;
    enum parquet_codec codec;
} CODECS[] = {
    {"none", PARQUET_UNCOMPRESSED}, {"snappy", PARQUET_SNAPPY},   {"gzip", PARQUET_GZIP},
    {"zstd", PARQUET_ZSTD},         {"lz4_raw", PARQUET_LZ4_RAW}, {"brotli", PARQUET_BROTLI},
};
#define NCODECS (sizeof(CODECS) / sizeof(CODECS[0]))

/* ---- one value ---- */

#define VAL_BUF 2048

struct val {
    bool null;
    bool b;
    int64_t i;      /* ints, date days, timestamp micros */
    double d;       /* float, double */
    __int128 dec;   /* unscaled decimal */
    size_t n;       /* var-len bytes in buf */
    uint8_t buf[VAL_BUF];
};

/* splitmix64: a small, well-mixed, stateless-seedable generator. */
static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

struct rng {
    uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
    r->s = mix64(r->s);
    return r->s;
}

static __int128 pow10_i128(int n)
{
    __int128 v = 1;
    while (n-- > 0)
        v *= 10;
    return v;
}

static void put_str(struct val *v, const char *s)
{
    size_t n = strlen(s);
    memcpy(v->buf, s, n);
    v->n = n;
}

static void put_bytes(struct val *v, const void *p, size_t n)
{
    memcpy(v->buf, p, n);
    v->n = n;
}

/* Append the UTF-8 encoding of code point cp to v->buf. */
static void put_cp(struct val *v, uint32_t cp)
{
    uint8_t *o = v->buf + v->n;
    if (cp < 0x80) {
        o[0] = (uint8_t)cp;
        v->n += 1;
    } else if (cp < 0x800) {
        o[0] = (uint8_t)(0xC0 | (cp >> 6));
        o[1] = (uint8_t)(0x80 | (cp & 0x3F));
        v->n += 2;
    } else if (cp < 0x10000) {
        o[0] = (uint8_t)(0xE0 | (cp >> 12));
        o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (uint8_t)(0x80 | (cp & 0x3F));
        v->n += 3;
    } else {
        o[0] = (uint8_t)(0xF0 | (cp >> 18));
        o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
        o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        o[3] = (uint8_t)(0x80 | (cp & 0x3F));
        v->n += 4;
    }
}

/* ---- edge values per type ---- */

static const char *const EDGE_STRINGS[] = {
    "",
    "a",
    "\xF0\x9F\x98\x80",                 /* U+1F600 grinning face */
    "\xF0\x9D\x84\x9E",                 /* U+1D11E musical symbol G clef */
    "h\xC3\xA9llo w\xC3\xB6rld",
    "\xE4\xB8\xAD\xE6\x96\x87",         /* Chinese, 3-byte sequences */
    "\xF4\x8F\xBF\xBF",                 /* U+10FFFF, highest code point */
    "z",                                /* "é" > "z" only in unsigned byte order */
    "\xC3\xA9",
    "ab",
    "abc",
    "abd",
    "quote \" backslash \\ tab \t newline \n",
    "ctrl \x01\x1F end",
    " leading and trailing space ",
};
#define NEDGE_STRINGS (sizeof(EDGE_STRINGS) / sizeof(EDGE_STRINGS[0]))

static const char *const EDGE_JSON[] = {
    "{}",
    "[]",
    "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}",
    "\"\xF0\x9F\x98\x80 \xF0\x9D\x84\x9E\"",
    "123",
    "-1.5e300",
    "null",
    "\"\"",
    "{\"k\":\"quote \\\" backslash \\\\\"}",
};
#define NEDGE_JSON (sizeof(EDGE_JSON) / sizeof(EDGE_JSON[0]))

/* Number of edge values of type t. */
static size_t edge_count(const struct coltype *t)
{
    switch (t->bt) {
    case BATCH_BOOL: return 2;
    case BATCH_INT8:
    case BATCH_INT16:
    case BATCH_INT32:
    case BATCH_INT64: return 6;
    case BATCH_FLOAT:
    case BATCH_DOUBLE: return 12;
    case BATCH_DECIMAL: return 10;
    case BATCH_DATE: return 8;
    case BATCH_TIMESTAMP: return 9;
    case BATCH_STRING: return NEDGE_STRINGS + 1; /* + one long string */
    case BATCH_JSON: return NEDGE_JSON;
    case BATCH_BINARY: return 7;
    }
    return 0;
}

static void edge_int(const struct coltype *t, size_t k, struct val *v)
{
    int64_t lo, hi;
    switch (t->bt) {
    case BATCH_INT8: lo = INT8_MIN, hi = INT8_MAX; break;
    case BATCH_INT16: lo = INT16_MIN, hi = INT16_MAX; break;
    case BATCH_INT32: lo = INT32_MIN, hi = INT32_MAX; break;
    default: lo = INT64_MIN, hi = INT64_MAX; break;
    }
    const int64_t e[] = {lo, hi, 0, -1, 1, lo + 1};
    v->i = e[k];
}

static void edge_float(const struct coltype *t, size_t k, struct val *v)
{
    bool f = t->bt == BATCH_FLOAT;
    const double e[] = {
        0.0,
        -0.0,
        INFINITY,
        -INFINITY,
        NAN,
        f ? FLT_MAX : DBL_MAX,
        f ? -FLT_MAX : -DBL_MAX,
        f ? FLT_MIN : DBL_MIN,               /* smallest normal */
        f ? 1.40129846e-45 : 4.9406564584124654e-324, /* smallest subnormal */
        1.5,
        f ? (double)0.1f : 0.1,
        -123456.75,
    };
    v->d = e[k];
}

static void edge_decimal(const struct coltype *t, size_t k, struct val *v)
{
    __int128 max = pow10_i128(t->precision) - 1; /* all nines */
    __int128 e[10] = {max, -max, 0, -1, 1, 0, 0, 0, 0, 0};
    /* Values that exercise byte boundaries of the FLBA and INT64 widths. */
    e[5] = t->precision > 18 ? (__int128)INT64_MAX + 1 : max / 7;
    e[6] = t->precision > 18 ? (__int128)INT64_MIN - 1 : -(max / 7);
    /* -1 in value terms; -0.1 where the scale leaves no integer digit */
    e[7] = t->scale < t->precision ? -pow10_i128(t->scale) : -pow10_i128(t->scale - 1);
    e[8] = -(max / 3);                       /* negative with many digits */
    e[9] = (__int128)123456789 % (max + 1);  /* fits every precision */
    v->dec = e[k];
}

static void edge_date(size_t k, struct val *v)
{
    /* 0001-01-01, 9999-12-31, 1970-01-01, 1969-12-31, 1582-10-15,
     * 1582-10-04, 2000-02-29, 2024-12-31 */
    const int64_t e[] = {-719162, 2932896, 0, -1, -141427, -141438, 11016, 20088};
    v->i = e[k];
}

static void edge_ts(size_t k, struct val *v)
{
    const int64_t e[] = {
        0,
        -1,                       /* 1969-12-31T23:59:59.999999 */
        253402300799999999LL,     /* 9999-12-31T23:59:59.999999 */
        -62135596800000000LL,     /* 0001-01-01T00:00:00.000000 */
        1700000000123456LL,       /* 2023-11-14T22:13:20.123456 */
        -1234567890123456LL,      /* 1930-11-18T00:28:29.876544 */
        951782400000001LL,        /* 2000-02-29T00:00:00.000001 */
        -12219292800000000LL,     /* 1582-10-15T00:00:00 */
        86399999999LL,            /* 1970-01-01T23:59:59.999999 */
    };
    v->i = e[k];
}

static void edge_binary(size_t k, struct val *v)
{
    switch (k) {
    case 0: v->n = 0; break;
    case 1: put_bytes(v, "\x00", 1); break;
    case 2: put_bytes(v, "\xFF", 1); break;
    case 3: put_bytes(v, "\x00\xFF\x10", 3); break;
    case 4:
        for (int i = 0; i < 256; i++)
            v->buf[i] = (uint8_t)i;
        v->n = 256;
        break;
    case 5: put_bytes(v, "abc", 3); break;
    default: put_bytes(v, "\x80\x00\x00\x00", 4); break;
    }
}

static void edge_value(const struct coltype *t, size_t k, struct val *v)
{
    switch (t->bt) {
    case BATCH_BOOL: v->b = k == 1; break;
    case BATCH_INT8:
    case BATCH_INT16:
    case BATCH_INT32:
    case BATCH_INT64: edge_int(t, k, v); break;
    case BATCH_FLOAT:
    case BATCH_DOUBLE: edge_float(t, k, v); break;
    case BATCH_DECIMAL: edge_decimal(t, k, v); break;
    case BATCH_DATE: edge_date(k, v); break;
    case BATCH_TIMESTAMP: edge_ts(k, v); break;
    case BATCH_STRING:
        if (k < NEDGE_STRINGS) {
            put_str(v, EDGE_STRINGS[k]);
        } else { /* 1200 bytes: longer than any sane statistics cap */
            v->n = 0;
            for (int i = 0; i < 300; i++)
                put_cp(v, i % 2 ? 0x1F600 : (uint32_t)('a' + i % 26));
        }
        break;
    case BATCH_JSON: put_str(v, EDGE_JSON[k]); break;
    case BATCH_BINARY: edge_binary(k, v); break;
    }
}

/* ---- random values ---- */

static const uint32_t CP_POOL[] = {'a', 'b', 'k', 'z', 'A', '0', ' ', '-', 0xE9, 0xF6,
                                   0x4E2D, 0x6587, 0x1F600, 0x1D11E, 0x3B1, 0x10FFFF};

static void random_value(const struct coltype *t, struct rng *r, struct val *v)
{
    uint64_t x = rng_next(r);
    switch (t->bt) {
    case BATCH_BOOL: v->b = x & 1; break;
    case BATCH_INT8: v->i = (int8_t)x; break;
    case BATCH_INT16: v->i = (int16_t)x; break;
    case BATCH_INT32: v->i = (int32_t)x; break;
    case BATCH_INT64: v->i = (int64_t)x >> (x % 48); break;
    case BATCH_FLOAT:
        v->d = (float)(((double)(x >> 11) / 9007199254740992.0 - 0.5) * 2e6);
        break;
    case BATCH_DOUBLE:
        v->d = ((double)(x >> 11) / 9007199254740992.0 - 0.5) * pow(10.0, (double)(x % 20));
        break;
    case BATCH_DECIMAL: {
        __int128 max = pow10_i128(t->precision) - 1;
        unsigned __int128 u = ((unsigned __int128)x << 64) | rng_next(r);
        /* vary the magnitude so that short and long values both occur */
        __int128 lim = pow10_i128(1 + (int)(x % t->precision)) - 1;
        if (lim > max)
            lim = max;
        __int128 m = (__int128)(u % (unsigned __int128)(lim + 1));
        v->dec = (x >> 63) ? -m : m;
        break;
    }
    case BATCH_DATE: v->i = -719162 + (int64_t)(x % (2932896 + 719162 + 1)); break;
    case BATCH_TIMESTAMP: {
        uint64_t span = 253402300799999999ULL + 62135596800000000ULL + 1;
        v->i = (int64_t)(x % span) - 62135596800000000LL;
        break;
    }
    case BATCH_STRING: {
        v->n = 0;
        size_t len = x % 41;
        for (size_t i = 0; i < len; i++)
            put_cp(v, CP_POOL[rng_next(r) % (sizeof(CP_POOL) / sizeof(CP_POOL[0]))]);
        break;
    }
    case BATCH_JSON:
        v->n = (size_t)snprintf((char *)v->buf, VAL_BUF, "{\"k\":%" PRId64 ",\"s\":\"x%" PRIu64 "\"}",
                                (int64_t)rng_next(r), x % 1000);
        break;
    case BATCH_BINARY:
        v->n = x % 33;
        for (size_t i = 0; i < v->n; i++)
            v->buf[i] = (uint8_t)rng_next(r);
        break;
    }
}

/* ---- formatting values as the expected-JSON text ---- */

static void fmt_date(int64_t days, char *out, size_t cap)
{
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(out, cap, "%04" PRId64 "-%02u-%02u", y, m, d);
}

static void fmt_ts(int64_t us, char *out, size_t cap)
{
    const int64_t day = 86400000000LL;
    int64_t days = us / day, rem = us % day;
    if (rem < 0) {
        rem += day;
        days -= 1;
    }
    char date[32];
    fmt_date(days, date, sizeof(date));
    int64_t secs = rem / 1000000, frac = rem % 1000000;
    snprintf(out, cap, "%sT%02" PRId64 ":%02" PRId64 ":%02" PRId64 ".%06" PRId64, date,
             secs / 3600, secs / 60 % 60, secs % 60, frac);
}

static void fmt_decimal(__int128 v, unsigned scale, char *out, size_t cap)
{
    char digits[64];
    size_t n = 0;
    bool neg = v < 0;
    unsigned __int128 u = neg ? (unsigned __int128)(-v) : (unsigned __int128)v;
    do {
        digits[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    while (n <= scale) /* at least one digit before the point */
        digits[n++] = '0';
    size_t o = 0;
    if (neg)
        out[o++] = '-';
    for (size_t i = n; i-- > 0;) {
        out[o++] = digits[i];
        if (i == scale && scale > 0)
            out[o++] = '.';
    }
    out[o] = '\0';
    (void)cap; /* callers pass >= 80 bytes: 38 digits, sign, point, leading zero */
}

static void fmt_float(double d, bool single, char *out, size_t cap)
{
    if (isnan(d))
        snprintf(out, cap, "NaN");
    else if (isinf(d))
        snprintf(out, cap, d > 0 ? "Infinity" : "-Infinity");
    else if (single)
        snprintf(out, cap, "%.9g", (double)(float)d);
    else
        snprintf(out, cap, "%.17g", d);
}

/* Write s[0..n) as a JSON string literal. */
static void json_str(FILE *f, const uint8_t *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void json_value(FILE *f, const struct coltype *t, const struct val *v)
{
    char s[128];
    if (v->null) {
        fputs("null", f);
        return;
    }
    switch (t->bt) {
    case BATCH_BOOL: snprintf(s, sizeof(s), "%s", v->b ? "true" : "false"); break;
    case BATCH_INT8:
    case BATCH_INT16:
    case BATCH_INT32:
    case BATCH_INT64: snprintf(s, sizeof(s), "%" PRId64, v->i); break;
    case BATCH_FLOAT:
    case BATCH_DOUBLE: fmt_float(v->d, t->bt == BATCH_FLOAT, s, sizeof(s)); break;
    case BATCH_DECIMAL: fmt_decimal(v->dec, t->scale, s, sizeof(s)); break;
    case BATCH_DATE: fmt_date(v->i, s, sizeof(s)); break;
    case BATCH_TIMESTAMP: fmt_ts(v->i, s, sizeof(s)); break;
    case BATCH_STRING:
    case BATCH_JSON: json_str(f, v->buf, v->n); return;
    case BATCH_BINARY:
        fputc('"', f);
        for (size_t i = 0; i < v->n; i++)
            fprintf(f, "%02x", v->buf[i]);
        fputc('"', f);
        return;
    }
    json_str(f, (const uint8_t *)s, strlen(s));
}

/* ---- cases ---- */

enum mode {
    MODE_EDGES,    /* id + one column: edges, NULL runs (optional), random filler */
    MODE_MIXED,    /* edges first, then random; ~5% NULL when optional */
    MODE_ALLNULL,  /* every value NULL */
    MODE_LOWCARD,  /* 5 distinct values per column */
    MODE_NANONLY,  /* floats: NaN or NULL only */
    MODE_FALLBACK, /* low cardinality first (dictionary pays), then unique values */
    MODE_ZEROS,    /* floats around ±0: the TYPE_ORDER signed-zero rule of min/max */
};

struct casedef {
    char name[160];
    const char *codec_name;
    enum mode mode;
    bool nullable;
    size_t rows;
    const struct coltype *cols[NTYPES];
    size_t ncols;
    struct parquet_options opt;
    uint64_t seed;
    const char *expect_enc; /* JSON object text for "expect_encodings", or NULL */
    int variant;            /* MODE_ZEROS: which value pattern */
};

/* MODE_ZEROS patterns, [variant][column], cycled by row: a zero minimum must
 * be written as -0.0 and a zero maximum as +0.0 whatever the data's sign. */
static const double ZEROS[2][2][3] = {
    {{0.0, 1.5, 0.0}, {-2.0, -0.0, -1.0}},
    {{-0.0, -3.0, -0.0}, {0.0, 0.0, 0.0}},
};

/* One of 5 distinct values of column c, chosen by row r. */
static void lowcard_value(const struct casedef *cd, size_t c, size_t r, struct val *v)
{
    struct rng g = {mix64(cd->seed ^ ((uint64_t)c << 40) ^ (r % 5))};
    random_value(cd->cols[c], &g, v);
}

/* The value of column c (of the case's columns; the id column is separate)
 * at row r. */
static void cell(const struct casedef *cd, size_t c, size_t r, struct val *v)
{
    const struct coltype *t = cd->cols[c];
    size_t ne = edge_count(t);
    struct rng g = {mix64(cd->seed ^ mix64(((uint64_t)c << 40) ^ r))};
    v->null = false;
    v->n = 0;
    switch (cd->mode) {
    case MODE_EDGES:
        if (!cd->nullable) {
            if (r < ne)
                edge_value(t, r, v);
            else
                random_value(t, &g, v);
            return;
        }
        /* optional: NULL first, an edge, then a NULL after every third
         * edge, a run of 20 NULLs after the edges, then ~10% NULLs */
        if (r == 0) {
            v->null = true;
        } else if (r <= ne + ne / 3) {
            size_t k = r - 1;
            if (k % 4 == 3)
                v->null = true;
            else if (k - k / 4 < ne)
                edge_value(t, k - k / 4, v);
            else
                random_value(t, &g, v);
        } else if (r <= ne + ne / 3 + 20) {
            v->null = true;
        } else if (rng_next(&g) % 10 == 0) {
            v->null = true;
        } else {
            random_value(t, &g, v);
        }
        return;
    case MODE_MIXED:
        if (r < ne) {
            edge_value(t, r, v);
        } else if (cd->nullable && rng_next(&g) % 20 == 0) {
            v->null = true;
        } else {
            random_value(t, &g, v);
        }
        return;
    case MODE_ALLNULL: v->null = true; return;
    case MODE_FALLBACK: /* low cardinality first (the dictionary pays), then unique */
        if (r < 2000)
            lowcard_value(cd, c, r, v);
        else if (rng_next(&g) % 20 == 0)
            v->null = true;
        else
            random_value(t, &g, v);
        return;
    case MODE_LOWCARD: lowcard_value(cd, c, r, v); return;
    case MODE_ZEROS: v->d = ZEROS[cd->variant & 1][c & 1][r % 3]; return;
    case MODE_NANONLY:
        if (cd->nullable && r % 3 == 0)
            v->null = true;
        else
            v->d = NAN;
        return;
    }
}

/* Rows in an EDGES case: enough to cover the edges plus filler. */
static size_t edges_rows(const struct coltype *t, bool nullable)
{
    size_t ne = edge_count(t);
    return nullable ? 1 + ne + ne / 3 + 20 + 100 : ne + 100;
}

static int append_cell(struct batch *b, size_t col, const struct coltype *t, const struct val *v)
{
    if (v->null)
        return batch_append_null(b, col);
    switch (t->bt) {
    case BATCH_BOOL: return batch_append_bool(b, col, v->b);
    case BATCH_INT8:
    case BATCH_INT16:
    case BATCH_INT32:
    case BATCH_INT64: return batch_append_int(b, col, v->i);
    case BATCH_FLOAT:
    case BATCH_DOUBLE: return batch_append_double(b, col, v->d);
    case BATCH_DECIMAL: return batch_append_decimal(b, col, v->dec);
    case BATCH_DATE: return batch_append_date(b, col, (int32_t)v->i);
    case BATCH_TIMESTAMP: return batch_append_timestamp(b, col, v->i);
    case BATCH_STRING:
    case BATCH_JSON: return batch_append_str(b, col, (const char *)v->buf, v->n);
    case BATCH_BINARY: return batch_append_bytes(b, col, v->buf, v->n);
    }
    return SL_EINVAL;
}

static int die(const char *what, const char *name, int rc, const struct sl_err *err)
{
    fprintf(stderr, "gen_cases: %s %s: %s (%s)%s%s\n", what, name, err ? err->msg : "",
            sl_err_name(rc), err && err->detail[0] ? ": " : "", err ? err->detail : "");
    return 1;
}

/* Write one column's "values" array by regenerating its cells. */
static void json_column(FILE *f, const struct casedef *cd, size_t c)
{
    struct val v;
    const struct coltype *t = cd->cols[c];
    fprintf(f, "{\"name\":\"%s\",\"type\":\"%s\",\"nullable\":%s", t->name, t->jtype,
            cd->nullable ? "true" : "false");
    if (t->bt == BATCH_DECIMAL)
        fprintf(f, ",\"precision\":%u,\"scale\":%u", t->precision, t->scale);
    if (t->bt == BATCH_TIMESTAMP)
        fprintf(f, ",\"utc\":%s", t->utc ? "true" : "false");
    fputs(",\"values\":[", f);
    for (size_t r = 0; r < cd->rows; r++) {
        cell(cd, c, r, &v);
        if (r)
            fputc(',', f);
        json_value(f, t, &v);
    }
    fputs("]}", f);
}

static int write_json(const char *dir, const struct casedef *cd)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s.json", dir, cd->name);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "gen_cases: cannot create %s\n", path);
        return 1;
    }
    fprintf(f, "{\"file\":\"%s.parquet\",\"codec\":\"%s\",\"rows\":%zu,", cd->name,
            cd->codec_name, cd->rows);
    fprintf(f, "\"kv\":{\"sluice.test.case\":\"%s\",\"sluice.test.unicode\":"
               "\"\xF0\x9F\x98\x80 \xF0\x9D\x84\x9E\"},",
            cd->name);
    if (cd->expect_enc)
        fprintf(f, "\"expect_encodings\":%s,", cd->expect_enc);
    /* the id column: REQUIRED INT32 row number */
    fputs("\"columns\":[{\"name\":\"id\",\"type\":\"int32\",\"nullable\":false,\"values\":[", f);
    for (size_t r = 0; r < cd->rows; r++)
        fprintf(f, "%s\"%zu\"", r ? "," : "", r);
    fputs("]}", f);
    for (size_t c = 0; c < cd->ncols; c++) {
        fputc(',', f);
        json_column(f, cd, c);
    }
    fputs("]}\n", f);
    if (fclose(f) != 0) {
        fprintf(stderr, "gen_cases: write error on %s\n", path);
        return 1;
    }
    return 0;
}

static int fill_schema(struct batch_schema *s, const struct casedef *cd)
{
    int rc = batch_schema_init(s, cd->ncols + 1);
    if (rc == 0)
        rc = batch_schema_set(s, 0, "id", BATCH_INT32, false, 0, 0, false);
    for (size_t c = 0; rc == 0 && c < cd->ncols; c++) {
        const struct coltype *t = cd->cols[c];
        rc = batch_schema_set(s, c + 1, t->name, t->bt, cd->nullable, t->precision, t->scale,
                              t->utc);
    }
    return rc;
}

/* Write the rows of cd to w in batches of `cap` rows. */
static int write_rows(struct parquet_writer *w, struct batch *b, const struct casedef *cd,
                      struct sl_err *err)
{
    struct val v;
    int rc = 0;
    for (size_t r = 0; r < cd->rows && rc == 0; r++) {
        rc = batch_append_int(b, 0, (int64_t)r);
        for (size_t c = 0; c < cd->ncols && rc == 0; c++) {
            cell(cd, c, r, &v);
            rc = append_cell(b, c + 1, cd->cols[c], &v);
        }
        if (rc != 0)
            return sl_err_set(err, rc, "batch append failed at row %zu", r);
        batch_end_row(b);
        if (batch_full(b)) {
            rc = parquet_writer_write(w, b, err);
            batch_reset(b);
        }
    }
    if (rc == 0 && b->nrows > 0) {
        rc = parquet_writer_write(w, b, err);
        batch_reset(b);
    }
    return rc;
}

static int write_case(const char *dir, const struct casedef *cd)
{
    struct batch_schema s = {0};
    struct batch *b = NULL;
    struct parquet_writer *w = NULL;
    struct sl_err err;
    char path[4096];
    int rc;

    sl_err_clear(&err);
    /* expected values first: a case the writer fails on still shows up in
     * the harness (as a missing file) */
    if (write_json(dir, cd) != 0)
        return 1;
    snprintf(path, sizeof(path), "%s/%s.parquet", dir, cd->name);
    rc = fill_schema(&s, cd);
    if (rc != 0)
        return die("schema for", cd->name, rc, NULL);
    /* 1000-row batches: not aligned with row groups or pages on purpose */
    b = batch_new(&s, 1000, 0);
    if (!b)
        return die("batch for", cd->name, SL_ENOMEM, NULL);
    rc = parquet_writer_open(path, &s, &cd->opt, &w, &err);
    if (rc != 0)
        goto out;
    rc = parquet_writer_add_kv(w, "sluice.test.case", cd->name);
    if (rc == 0)
        rc = parquet_writer_add_kv(w, "sluice.test.unicode",
                                   "\xF0\x9F\x98\x80 \xF0\x9D\x84\x9E");
    if (rc == 0)
        rc = write_rows(w, b, cd, &err);
    if (rc != 0) {
        parquet_writer_abort(w);
        goto out;
    }
    rc = parquet_writer_close(w, NULL, &err);
out:
    batch_destroy(b);
    batch_schema_free(&s);
    if (rc != 0)
        return die("writing", cd->name, rc, &err);
    return 0;
}

static void case_init(struct casedef *cd, size_t codec, enum mode mode, bool nullable,
                      size_t rows, const char *fmt_suffix)
{
    memset(cd, 0, sizeof(*cd));
    cd->codec_name = CODECS[codec].name;
    cd->mode = mode;
    cd->nullable = nullable;
    cd->rows = rows;
    parquet_options_init(&cd->opt);
    cd->opt.codec = CODECS[codec].codec;
    snprintf(cd->name, sizeof(cd->name), "%s__%s", fmt_suffix, CODECS[codec].name);
    cd->seed = mix64(codec * 1000003u + (uint64_t)mode * 7919u + rows);
}

static void case_all_types(struct casedef *cd)
{
    for (size_t i = 0; i < NTYPES; i++)
        cd->cols[i] = &TYPES[i];
    cd->ncols = NTYPES;
}

static const struct coltype *type_named(const char *name)
{
    for (size_t i = 0; i < NTYPES; i++)
        if (strcmp(TYPES[i].name, name) == 0)
            return &TYPES[i];
    return NULL;
}

/* ---- struct columns ----
 *
 * struct__CODEC (700 rows) and struct_small__CODEC (15 rows, a seed for the
 * fuzz replay): id, then struct s {bool, int64, double, decimal38_10,
 * date, timestamp_utc, string, binary} (all optional), then struct r
 * {x int32 REQUIRED, y string optional}, then z string optional. Every
 * 7th row has all of s's children NULL, which the writer stores as a NULL
 * struct; other rows have random NULL children. Row groups of 256 rows,
 * small pages. Expected JSON for a struct column:
 *   {"name": "s", "type": "struct", "nullable": true,
 *    "values": [true|false per row: struct present],
 *    "fields": [ordinary column objects; values null where s is NULL]}
 */

static const char *const S_CHILDREN[] = {"bool", "int64", "double", "decimal38_10",
                                         "date", "timestamp_utc", "string", "binary"};
#define NS_CHILDREN (sizeof(S_CHILDREN) / sizeof(S_CHILDREN[0]))

struct struct_case {
    size_t rows;
    struct casedef s;   /* the children of s: MODE_MIXED, optional */
    struct casedef r;   /* r.y and z: MODE_MIXED, optional */
    const struct coltype *x; /* r.x: REQUIRED int32 */
};

/* Child c of s at row r (NULL for every child on every 7th row). */
static void s_cell(const struct struct_case *sc, size_t c, size_t r, struct val *v)
{
    cell(&sc->s, c, r, v);
    if (r % 7 == 0 || (r > 0 && r % 11 == 0 && c % 2 == 0))
        v->null = true;
}

static bool s_present(const struct struct_case *sc, size_t r)
{
    struct val v;
    for (size_t c = 0; c < NS_CHILDREN; c++) {
        s_cell(sc, c, r, &v);
        if (!v.null)
            return true;
    }
    return false;
}

static void json_child(FILE *f, const char *name, const struct coltype *t, bool nullable,
                       const struct casedef *cd, size_t c, const struct struct_case *sc,
                       bool is_s)
{
    struct val v;
    fprintf(f, "{\"name\":\"%s\",\"type\":\"%s\",\"nullable\":%s", name, t->jtype,
            nullable ? "true" : "false");
    if (t->bt == BATCH_DECIMAL)
        fprintf(f, ",\"precision\":%u,\"scale\":%u", t->precision, t->scale);
    if (t->bt == BATCH_TIMESTAMP)
        fprintf(f, ",\"utc\":%s", t->utc ? "true" : "false");
    fputs(",\"values\":[", f);
    for (size_t r = 0; r < sc->rows; r++) {
        if (is_s)
            s_cell(sc, c, r, &v);
        else if (cd)
            cell(cd, c, r, &v);
        else /* r.x */
            v.null = false, v.i = (int64_t)r * 3 - 1000;
        fputs(r ? "," : "", f);
        json_value(f, t, &v);
    }
    fputs("]}", f);
}

static int struct_json(const char *dir, const char *name, const char *codec,
                       const struct struct_case *sc)
{
    char path[4096];
    FILE *f;
    snprintf(path, sizeof(path), "%s/%s.json", dir, name);
    if (!(f = fopen(path, "w")))
        return 1;
    fprintf(f, "{\"file\":\"%s.parquet\",\"codec\":\"%s\",\"rows\":%zu,", name, codec,
            sc->rows);
    fprintf(f, "\"kv\":{\"sluice.test.case\":\"%s\"},\"columns\":[", name);
    fputs("{\"name\":\"id\",\"type\":\"int32\",\"nullable\":false,\"values\":[", f);
    for (size_t r = 0; r < sc->rows; r++)
        fprintf(f, "%s\"%zu\"", r ? "," : "", r);
    fputs("]},{\"name\":\"s\",\"type\":\"struct\",\"nullable\":true,\"values\":[", f);
    for (size_t r = 0; r < sc->rows; r++)
        fprintf(f, "%s%s", r ? "," : "", s_present(sc, r) ? "true" : "false");
    fputs("],\"fields\":[", f);
    for (size_t c = 0; c < NS_CHILDREN; c++) {
        fputs(c ? "," : "", f);
        json_child(f, S_CHILDREN[c], sc->s.cols[c], true, NULL, c, sc, true);
    }
    fputs("]},{\"name\":\"r\",\"type\":\"struct\",\"nullable\":true,\"values\":[", f);
    for (size_t r = 0; r < sc->rows; r++)
        fprintf(f, "%strue", r ? "," : "");
    fputs("],\"fields\":[", f);
    json_child(f, "x", sc->x, false, NULL, 0, sc, false);
    fputc(',', f);
    json_child(f, "y", sc->r.cols[0], true, &sc->r, 0, sc, false);
    fputs("]},", f);
    json_child(f, "z", sc->r.cols[1], true, &sc->r, 1, sc, false);
    fputs("]}\n", f);
    return fclose(f) != 0;
}

static int struct_rows(struct parquet_writer *w, struct batch *b, const struct struct_case *sc,
                       struct sl_err *err)
{
    struct val v;
    int rc = 0;
    for (size_t r = 0; r < sc->rows && rc == 0; r++) {
        size_t col = 0;
        rc = batch_append_int(b, col++, (int64_t)r);
        for (size_t c = 0; c < NS_CHILDREN && rc == 0; c++) {
            s_cell(sc, c, r, &v);
            rc = append_cell(b, col++, sc->s.cols[c], &v);
        }
        if (rc == 0)
            rc = batch_append_int(b, col++, (int64_t)r * 3 - 1000);
        for (size_t c = 0; c < 2 && rc == 0; c++) {
            cell(&sc->r, c, r, &v);
            rc = append_cell(b, col++, sc->r.cols[c], &v);
        }
        if (rc != 0)
            return sl_err_set(err, rc, "batch append failed at row %zu", r);
        batch_end_row(b);
        if (batch_full(b)) {
            rc = parquet_writer_write(w, b, err);
            batch_reset(b);
        }
    }
    if (rc == 0 && b->nrows > 0)
        rc = parquet_writer_write(w, b, err);
    return rc;
}

static int struct_case(const char *dir, size_t k, size_t rows, const char *base)
{
    struct struct_case sc;
    struct batch_schema s = {0};
    struct batch *b = NULL;
    struct parquet_writer *w = NULL;
    struct parquet_options opt;
    const struct parquet_group groups[] = {{"s", 1, NS_CHILDREN}, {"r", 1 + NS_CHILDREN, 2}};
    struct sl_err err;
    char path[4096], name[64];
    size_t col = 0;
    int rc;

    sl_err_clear(&err);
    sc.rows = rows;
    case_init(&sc.s, k, MODE_MIXED, true, rows, "struct_s");
    for (size_t c = 0; c < NS_CHILDREN; c++)
        sc.s.cols[c] = type_named(S_CHILDREN[c]);
    sc.s.ncols = NS_CHILDREN;
    case_init(&sc.r, k, MODE_MIXED, true, rows, "struct_r");
    sc.r.cols[0] = type_named("string");
    sc.r.cols[1] = type_named("string");
    sc.r.ncols = 2;
    sc.x = type_named("int32");
    snprintf(name, sizeof(name), "%s__%s", base, CODECS[k].name);
    if (struct_json(dir, name, CODECS[k].name, &sc) != 0)
        return die("writing expected values of", name, SL_EIO, NULL);
    rc = batch_schema_init(&s, 1 + NS_CHILDREN + 3);
    if (rc == 0)
        rc = batch_schema_set(&s, col++, "id", BATCH_INT32, false, 0, 0, false);
    for (size_t c = 0; rc == 0 && c < NS_CHILDREN; c++) {
        const struct coltype *t = sc.s.cols[c];
        rc = batch_schema_set(&s, col++, S_CHILDREN[c], t->bt, true, t->precision, t->scale, t->utc);
    }
    if (rc == 0)
        rc = batch_schema_set(&s, col++, "x", BATCH_INT32, false, 0, 0, false);
    if (rc == 0)
        rc = batch_schema_set(&s, col++, "y", BATCH_STRING, true, 0, 0, false);
    if (rc == 0)
        rc = batch_schema_set(&s, col++, "z", BATCH_STRING, true, 0, 0, false);
    if (rc != 0)
        return die("schema for", name, rc, NULL);
    b = batch_new(&s, 100, 0);
    parquet_options_init(&opt);
    opt.codec = CODECS[k].codec;
    opt.row_group_rows = 256;
    opt.page_bytes = 1024;
    opt.groups = groups;
    opt.ngroups = 2;
    snprintf(path, sizeof(path), "%s/%s.parquet", dir, name);
    rc = b ? parquet_writer_open(path, &s, &opt, &w, &err) : SL_ENOMEM;
    if (rc == 0)
        rc = parquet_writer_add_kv(w, "sluice.test.case", name);
    if (rc == 0)
        rc = struct_rows(w, b, &sc, &err);
    if (rc == 0)
        rc = parquet_writer_close(w, NULL, &err);
    else if (w)
        parquet_writer_abort(w);
    batch_destroy(b);
    batch_schema_free(&s);
    return rc ? die("writing", name, rc, &err) : 0;
}

/* The structural cases for one codec. */
static int structural_cases(const char *dir, size_t k)
{
    struct casedef cd;
    int bad = 0;

    case_init(&cd, k, MODE_MIXED, true, 0, "empty");
    case_all_types(&cd);
    bad |= write_case(dir, &cd);

    case_init(&cd, k, MODE_MIXED, false, 0, "empty_required");
    case_all_types(&cd);
    bad |= write_case(dir, &cd);

    case_init(&cd, k, MODE_MIXED, true, 1, "one_row");
    case_all_types(&cd);
    bad |= write_case(dir, &cd);

    case_init(&cd, k, MODE_ALLNULL, true, 1, "one_row_null");
    case_all_types(&cd);
    bad |= write_case(dir, &cd);

    /* several row groups (the last one partial) and several pages each */
    case_init(&cd, k, MODE_MIXED, true, 12000, "multi_row_group");
    case_all_types(&cd);
    cd.opt.row_group_rows = 2500;
    cd.opt.page_bytes = 4096;
    bad |= write_case(dir, &cd);

    case_init(&cd, k, MODE_ALLNULL, true, 300, "all_null");
    case_all_types(&cd);
    bad |= write_case(dir, &cd);

    case_init(&cd, k, MODE_LOWCARD, true, 6000, "dict_low_cardinality");
    case_all_types(&cd);
    cd.expect_enc = "{\"string\":[\"RLE_DICTIONARY\"],\"binary\":[\"RLE_DICTIONARY\"],"
                    "\"int64\":[\"RLE_DICTIONARY\"]}";
    bad |= write_case(dir, &cd);

    /* the first pages make the dictionary pay; then unique values overflow
     * its small budget and the chunk falls back to PLAIN pages */
    case_init(&cd, k, MODE_FALLBACK, true, 30000, "dict_fallback");
    cd.cols[0] = type_named("string");
    cd.cols[1] = type_named("binary");
    cd.cols[2] = type_named("json");
    cd.ncols = 3;
    cd.opt.dictionary_max_bytes = 32768;
    cd.opt.page_bytes = 16384;
    cd.expect_enc = "{\"string\":[\"RLE_DICTIONARY\",\"PLAIN\"],"
                    "\"binary\":[\"RLE_DICTIONARY\",\"PLAIN\"]}";
    bad |= write_case(dir, &cd);

    for (int z = 0; z < 2; z++) {
        case_init(&cd, k, MODE_ZEROS, false, 3, z ? "signed_zero_b" : "signed_zero_a");
        cd.variant = z;
        cd.cols[0] = type_named("float");
        cd.cols[1] = type_named("double");
        cd.ncols = 2;
        bad |= write_case(dir, &cd);
    }

    case_init(&cd, k, MODE_NANONLY, true, 30, "nan_only");
    cd.cols[0] = type_named("float");
    cd.cols[1] = type_named("double");
    cd.ncols = 2;
    bad |= write_case(dir, &cd);
    return bad;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_cases OUTDIR\n");
        return 2;
    }
    const char *dir = argv[1];
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "gen_cases: cannot create %s\n", dir);
        return 1;
    }
    int bad = 0;
    size_t files = 0;
    for (size_t k = 0; k < NCODECS; k++) {
        for (size_t t = 0; t < NTYPES; t++) {
            for (int nul = 0; nul < 2; nul++) {
                struct casedef cd;
                char base[96];
                snprintf(base, sizeof(base), "%s__%s", TYPES[t].name, nul ? "optional" : "required");
                case_init(&cd, k, MODE_EDGES, nul, edges_rows(&TYPES[t], nul), base);
                cd.cols[0] = &TYPES[t];
                cd.ncols = 1;
                cd.seed ^= mix64(t + 1);
                bad |= write_case(dir, &cd);
                files++;
            }
        }
        bad |= structural_cases(dir, k);
        bad |= struct_case(dir, k, 700, "struct");
        bad |= struct_case(dir, k, 15, "struct_small"); /* small enough for the fuzz seeds */
        files += 13;
    }
    fprintf(stderr, "gen_cases: %zu files in %s%s\n", files, dir, bad ? " (with errors)" : "");
    return bad ? 1 : 0;
}
