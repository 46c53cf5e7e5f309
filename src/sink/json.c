/*
 * json: one batch row as a JSON object (sink_json_row), the value text of
 * the unified format's `data` column and of the jsonl stream. One
 * implementation, so both outputs agree byte for byte.
 *
 * Every value is exact: integers as numbers (int64 in full; consumers in
 * JavaScript must parse with big-integer support beyond 2^53), decimals as
 * strings so no reader rounds them, floating point as the shortest text
 * that reads back to the same bits. JSON has no NaN or infinities, so
 * those are the strings "NaN", "Infinity", "-Infinity" (Spark's and
 * Jackson's spelling). The output is valid UTF-8 whatever the input: an
 * invalid STRING value (batches repair them, so only a bug produces one)
 * is repaired with U+FFFD rather than producing a document DuckDB rejects.
 */
#include "sink/sink.h"

#include "core/buf.h"
#include "core/civil.h"
#include "core/err.h"
#include "core/utf8.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Append s[0..n) as a JSON string literal; s must be valid UTF-8. */
static int put_str_valid(struct buf *b, const uint8_t *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = 0;
    int rc = buf_append_byte(b, '"');

    for (size_t i = 0; i < n && !rc; i++) {
        uint8_t c = s[i];
        char esc[6];
        size_t en = 2;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        if ((rc = buf_append(b, s + run, i - run)) != 0)
            break;
        run = i + 1;
        esc[0] = '\\';
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            en = 6;
        }
        rc = buf_append(b, esc, en);
    }
    if (!rc)
        rc = buf_append(b, s + run, n - run);
    if (!rc)
        rc = buf_append_byte(b, '"');
    return rc;
}

static int put_str(struct buf *b, const uint8_t *s, size_t n)
{
    struct buf fixed;
    int rc;

    if (utf8_valid(s, n))
        return put_str_valid(b, s, n);
    buf_init(&fixed, 0);
    rc = utf8_repair(&fixed, s, n);
    if (!rc)
        rc = put_str_valid(b, fixed.data ? fixed.data : (const uint8_t *)"", fixed.len);
    buf_free(&fixed);
    return rc;
}

static int put_base64(struct buf *b, const uint8_t *p, size_t n)
{
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t out = (n + 2) / 3 * 4;
    char *o;
    int rc = buf_reserve(b, out + 2);

    if (rc)
        return rc;
    o = (char *)b->data + b->len;
    *o++ = '"';
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        *o++ = A[v >> 18];
        *o++ = A[(v >> 12) & 63];
        *o++ = i + 1 < n ? A[(v >> 6) & 63] : '=';
        *o++ = i + 2 < n ? A[v & 63] : '=';
    }
    *o++ = '"';
    b->len += out + 2;
    b->data[b->len] = '\0';
    return 0;
}

/* The unscaled value with exactly `scale` fraction digits, quoted. */
static int put_decimal(struct buf *b, __int128 v, unsigned scale)
{
    char digits[48], out[56];
    size_t n = 0, o = 0;
    unsigned __int128 u = v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;

    do {
        digits[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    while (n <= scale) /* a digit before the point */
        digits[n++] = '0';
    out[o++] = '"';
    if (v < 0)
        out[o++] = '-';
    for (size_t i = n; i-- > 0;) {
        out[o++] = digits[i];
        if (i == scale && scale > 0)
            out[o++] = '.';
    }
    out[o++] = '"';
    return buf_append(b, out, o);
}

/*
 * The %.Ng text of d with the fewest digits from 15 (6 for float) up that
 * reads back to the same value. Starting at 15 keeps it to one snprintf
 * for most values; below 15 digits %g already drops trailing zeros, so
 * only subnormals can come out longer than the shortest form.
 */
static int put_float(struct buf *b, double d, bool single)
{
    char s[40];
    if (isnan(d))
        return buf_append_str(b, "\"NaN\"");
    if (isinf(d))
        return buf_append_str(b, d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    for (int p = single ? 6 : 15; p <= (single ? 9 : 17); p++) {
        snprintf(s, sizeof s, "%.*g", p, d);
        if (single ? strtof(s, NULL) == (float)d : strtod(s, NULL) == d)
            break;
    }
    return buf_append_str(b, s);
}

/*
 * Dates and integers are written by hand, not with printf: they are most
 * of a row's values and printf was most of the time spent on a row.
 */

/* n decimal digits of v, zero-padded, at out; returns out + n. */
static char *digits(char *out, unsigned v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return out + n;
}

/* "YYYY-MM-DD" of a day count at out (years outside 0..9999 via printf);
 * returns the end. out has room for 32 bytes. */
static char *date_text(int64_t days, char *out)
{
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999)
        return out + snprintf(out, 32, "%" PRId64 "-%02u-%02u", y, m, d);
    out = digits(out, (unsigned)y, 4);
    *out++ = '-';
    out = digits(out, m, 2);
    *out++ = '-';
    return digits(out, d, 2);
}

static int put_date(struct buf *b, int64_t days)
{
    char s[40], *e;
    s[0] = '"';
    e = date_text(days, s + 1);
    *e++ = '"';
    return buf_append(b, s, (size_t)(e - s));
}

static int put_timestamp(struct buf *b, int64_t us, bool utc)
{
    const int64_t day = 86400000000LL;
    int64_t days = us / day, rem = us % day;
    char s[64], *e;
    if (rem < 0) {
        rem += day;
        days--;
    }
    s[0] = '"';
    e = date_text(days, s + 1);
    *e++ = 'T';
    e = digits(e, (unsigned)(rem / 3600000000LL), 2);
    *e++ = ':';
    e = digits(e, (unsigned)(rem / 60000000 % 60), 2);
    *e++ = ':';
    e = digits(e, (unsigned)(rem / 1000000 % 60), 2);
    *e++ = '.';
    e = digits(e, (unsigned)(rem % 1000000), 6);
    if (utc)
        *e++ = 'Z';
    *e++ = '"';
    return buf_append(b, s, (size_t)(e - s));
}

static int put_int(struct buf *b, int64_t v)
{
    char s[24];
    size_t n = sizeof s;
    uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
    do {
        s[--n] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        s[--n] = '-';
    return buf_append(b, s + n, sizeof s - n);
}

static int put_value(struct buf *b, const struct batch *bt, size_t c, size_t row)
{
    const struct batch_field *f = &bt->schema->fields[c];
    const uint8_t *p;
    size_t n;

    if (batch_is_null(bt, c, row))
        return buf_append_str(b, "null");
    switch (f->type) {
    case BATCH_BOOL:
        return buf_append_str(b, batch_get_bool(bt, c, row) ? "true" : "false");
    case BATCH_INT8:
    case BATCH_INT16:
    case BATCH_INT32:
    case BATCH_INT64:
        return put_int(b, batch_get_int(bt, c, row));
    case BATCH_FLOAT:
    case BATCH_DOUBLE:
        return put_float(b, batch_get_double(bt, c, row), f->type == BATCH_FLOAT);
    case BATCH_DECIMAL:
        return put_decimal(b, batch_get_decimal(bt, c, row), f->scale);
    case BATCH_DATE:
        return put_date(b, batch_get_int(bt, c, row));
    case BATCH_TIMESTAMP:
        return put_timestamp(b, batch_get_int(bt, c, row), f->utc_adjusted);
    case BATCH_STRING:
    case BATCH_JSON:
        p = batch_get_bytes(bt, c, row, &n);
        return put_str(b, p ? p : (const uint8_t *)"", n);
    case BATCH_BINARY:
        p = batch_get_bytes(bt, c, row, &n);
        return put_base64(b, p, n);
    }
    return SL_EINVAL;
}

int sink_json_row(struct buf *out, const struct batch *b, size_t row, const size_t *cols,
                  size_t n)
{
    size_t count = cols ? n : b->schema->nfields;
    int rc = buf_append_byte(out, '{');

    for (size_t k = 0; k < count && !rc; k++) {
        size_t c = cols ? cols[k] : k;
        const char *name = b->schema->fields[c].name;
        if (k && (rc = buf_append_byte(out, ',')) != 0)
            break;
        if ((rc = put_str(out, (const uint8_t *)name, strlen(name))) != 0 ||
            (rc = buf_append_byte(out, ':')) != 0)
            break;
        rc = put_value(out, b, c, row);
    }
    if (!rc)
        rc = buf_append_byte(out, '}');
    return rc;
}
