/*
 * builtins: T-SQL string and date built-ins as SQLite functions, on
 * canonical values. Lengths and positions count characters (code points;
 * LEN counts UTF-16 units, as SQL Server does under non-SC collations).
 * Errors use the "MSG<number>|<state>|<text>" convention of value.h.
 */
#include "internal.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "core/utf8.h"

static void raise_e(sqlite3_context *ctx, const struct value_error *e)
{
    char msg[480];
    snprintf(msg, sizeof msg, "MSG%d|%d|%s", (int)e->number, e->state, e->text);
    sqlite3_result_error(ctx, msg, -1);
}

static bool any_null(int argc, sqlite3_value **argv, int upto)
{
    for (int i = 0; i < argc && i < upto; i++)
        if (sqlite3_value_type(argv[i]) == SQLITE_NULL)
            return true;
    return false;
}

/* Text of an argument as SQL Server would convert it to a string (floats
 * in style 0 rather than SQLite's %!.15g). */
static const uint8_t *arg_text(sqlite3_value *v, size_t *n, char *tmp)
{
    if (sqlite3_value_type(v) == SQLITE_FLOAT) {
        *n = style_float(sqlite3_value_double(v), false, 0, tmp);
        return (const uint8_t *)tmp;
    }
    {
        const uint8_t *p = sqlite3_value_text(v);
        *n = (size_t)sqlite3_value_bytes(v);
        return p ? p : (const uint8_t *)"";
    }
}

static void fn_len(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    char tmp[96];
    size_t n;
    const uint8_t *p;
    if (any_null(argc, argv, 1)) {
        sqlite3_result_null(ctx);
        return;
    }
    if (sqlite3_value_type(argv[0]) == SQLITE_BLOB) {
        sqlite3_result_int64(ctx, sqlite3_value_bytes(argv[0]));
        return;
    }
    p = arg_text(argv[0], &n, tmp);
    while (n && p[n - 1] == ' ')
        n--;
    sqlite3_result_int64(ctx, (sqlite3_int64)value_text_units(p, n, true));
}

/* tl_datalength(v [, 'type']) */
static void fn_datalength(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct tl_type t = {TL_T_UNKNOWN, 0, 0, 0};
    struct value_error e;
    int type = sqlite3_value_type(argv[0]);
    if (type == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    if (argc > 1 && sqlite3_value_type(argv[1]) != SQLITE_NULL) {
        const char *s = (const char *)sqlite3_value_text(argv[1]);
        if (value_parse_type(s, (size_t)sqlite3_value_bytes(argv[1]), &t, &e) != 0) {
            raise_e(ctx, &e);
            return;
        }
    }
    if (t.id != TL_T_UNKNOWN && t.id != TL_T_SQL_VARIANT) {
        bool var = t.id == TL_T_VARCHAR || t.id == TL_T_NVARCHAR || t.id == TL_T_CHAR ||
                   t.id == TL_T_NCHAR || t.id == TL_T_TEXT || t.id == TL_T_NTEXT ||
                   t.id == TL_T_XML || t.id == TL_T_VARBINARY || t.id == TL_T_BINARY ||
                   t.id == TL_T_IMAGE;
        if (!var) {
            int ml = value_type_max_length(&t);
            if (t.id == TL_T_DECIMAL || t.id == TL_T_NUMERIC)
                ml = t.precision <= 9 ? 5 : t.precision <= 19 ? 9 : t.precision <= 28 ? 13 : 17;
            sqlite3_result_int(ctx, ml);
            return;
        }
    }
    if (type == SQLITE_BLOB) {
        sqlite3_result_int64(ctx, sqlite3_value_bytes(argv[0]));
    } else if (type == SQLITE_INTEGER && t.id == TL_T_UNKNOWN) {
        sqlite3_int64 v = sqlite3_value_int64(argv[0]);
        sqlite3_result_int(ctx, v >= INT32_MIN && v <= INT32_MAX ? 4 : 8);
    } else if (type == SQLITE_FLOAT && t.id == TL_T_UNKNOWN) {
        sqlite3_result_int(ctx, 8);
    } else {
        char tmp[96];
        size_t n;
        const uint8_t *p = arg_text(argv[0], &n, tmp);
        bool wide = t.id == TL_T_NVARCHAR || t.id == TL_T_NCHAR || t.id == TL_T_NTEXT ||
                    t.id == TL_T_XML;
        sqlite3_result_int64(ctx, (sqlite3_int64)(wide ? 2 * value_text_units(p, n, true)
                                                       : value_text_units(p, n, false)));
    }
}

/* tl_quotename(s [, quote_char]) */
static void fn_quotename(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const uint8_t *s;
    size_t n;
    char open = '[', close = ']';
    char *out;
    size_t o = 0;
    if (any_null(argc, argv, 2)) {
        sqlite3_result_null(ctx);
        return;
    }
    s = sqlite3_value_text(argv[0]);
    n = (size_t)sqlite3_value_bytes(argv[0]);
    if (argc > 1) {
        const char *q = (const char *)sqlite3_value_text(argv[1]);
        switch (q[0]) {
        case '[': case ']': break;
        case '"': open = close = '"'; break;
        case '\'': open = close = '\''; break;
        case '`': open = close = '`'; break;
        case '(': case ')': open = '('; close = ')'; break;
        case '<': case '>': open = '<'; close = '>'; break;
        case '{': case '}': open = '{'; close = '}'; break;
        default:
            sqlite3_result_null(ctx);
            return;
        }
    }
    if (value_text_units(s, n, true) > 128) {
        sqlite3_result_null(ctx);
        return;
    }
    out = sl_malloc(2 * n + 3);
    if (!out) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    out[o++] = open;
    for (size_t k = 0; k < n; k++) {
        out[o++] = (char)s[k];
        if (s[k] == (uint8_t)close)
            out[o++] = close;
    }
    out[o++] = close;
    sqlite3_result_text(ctx, out, (int)o, SQLITE_TRANSIENT);
    sl_free(out);
}

/* Code points of s with their byte offsets (offs has n+1 entries). */
static size_t decode_all(const uint8_t *s, size_t n, int32_t *cps, size_t *offs)
{
    size_t i = 0, k = 0;
    while (i < n) {
        int32_t cp;
        offs[k] = i;
        cp = s[i] < 0x80 ? s[i++] : utf8_decode(s, n, &i);
        cps[k++] = text_fold(cp < 0 ? 0xFFFD : cp);
    }
    offs[k] = n;
    return k;
}

/* tl_charindex(needle, haystack [, start]): case-insensitive, 1-based. */
static void fn_charindex(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    char t1[96], t2[96];
    size_t nn, hn, ncp, hcp;
    const uint8_t *needle, *hay;
    int32_t *cps = NULL;
    size_t *offs = NULL;
    int64_t start = 1, found = 0;
    if (any_null(argc, argv, 2)) {
        sqlite3_result_null(ctx);
        return;
    }
    needle = arg_text(argv[0], &nn, t1);
    hay = arg_text(argv[1], &hn, t2);
    if (argc > 2 && sqlite3_value_type(argv[2]) != SQLITE_NULL)
        start = sqlite3_value_int64(argv[2]);
    if (start < 1)
        start = 1;
    cps = sl_malloc((nn + hn + 2) * sizeof *cps);
    offs = sl_malloc((nn + hn + 2) * sizeof *offs);
    if (!cps || !offs) {
        sqlite3_result_error_nomem(ctx);
        goto out;
    }
    ncp = decode_all(needle, nn, cps, offs);
    hcp = decode_all(hay, hn, cps + ncp, offs + ncp + 1);
    if (ncp == 0)
        goto done;
    for (size_t i = (size_t)start - 1; i + ncp <= hcp; i++) {
        if (memcmp(cps + ncp + i, cps, ncp * sizeof *cps) == 0) {
            found = (int64_t)i + 1;
            break;
        }
    }
done:
    sqlite3_result_int64(ctx, found);
out:
    sl_free(cps);
    sl_free(offs);
}

static void fn_replicate(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    char tmp[96];
    size_t n;
    const uint8_t *s;
    int64_t times;
    char *out;
    if (any_null(argc, argv, 2)) {
        sqlite3_result_null(ctx);
        return;
    }
    s = arg_text(argv[0], &n, tmp);
    times = sqlite3_value_int64(argv[1]);
    if (times < 0) {
        sqlite3_result_null(ctx);
        return;
    }
    if (n && (uint64_t)times > (uint64_t)(1 << 30) / n) {
        sqlite3_result_error_toobig(ctx);
        return;
    }
    out = sl_malloc(n * (size_t)times + 1);
    if (!out) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    for (int64_t k = 0; k < times; k++)
        memcpy(out + (size_t)k * n, s, n);
    sqlite3_result_text(ctx, out, (int)(n * (size_t)times), SQLITE_TRANSIENT);
    sl_free(out);
}

static void left_right(sqlite3_context *ctx, int argc, sqlite3_value **argv, bool left)
{
    char tmp[96];
    size_t n, total, cut;
    const uint8_t *s;
    int64_t k;
    if (any_null(argc, argv, 2)) {
        sqlite3_result_null(ctx);
        return;
    }
    k = sqlite3_value_int64(argv[1]);
    if (k < 0) {
        struct value_error e;
        value_error_set(&e, 536, "Invalid length parameter passed to the %s function.",
                        left ? "left" : "right");
        raise_e(ctx, &e);
        return;
    }
    if (sqlite3_value_type(argv[0]) == SQLITE_BLOB) {
        const uint8_t *b = sqlite3_value_blob(argv[0]);
        size_t bn = (size_t)sqlite3_value_bytes(argv[0]);
        size_t take = (size_t)k < bn ? (size_t)k : bn;
        sqlite3_result_blob(ctx, left ? b : b + bn - take, (int)take, SQLITE_TRANSIENT);
        return;
    }
    s = arg_text(argv[0], &n, tmp);
    if (left) {
        cut = value_text_prefix(s, n, (size_t)k, false);
        sqlite3_result_text(ctx, (const char *)s, (int)cut, SQLITE_TRANSIENT);
        return;
    }
    total = value_text_units(s, n, false);
    cut = (size_t)k >= total ? 0 : value_text_prefix(s, n, total - (size_t)k, false);
    sqlite3_result_text(ctx, (const char *)s + cut, (int)(n - cut), SQLITE_TRANSIENT);
}

static void fn_left(sqlite3_context *c, int n, sqlite3_value **v) { left_right(c, n, v, true); }
static void fn_right(sqlite3_context *c, int n, sqlite3_value **v) { left_right(c, n, v, false); }

/* tl_str(float [, length [, decimals]]): STR(), right-justified, '*'s when
 * the integer part does not fit, decimals reduced to fit. */
static void fn_str(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    double f;
    int len = 10, dec = 0;
    char buf[400], out[400];
    int n;
    if (any_null(argc, argv, argc)) {
        sqlite3_result_null(ctx);
        return;
    }
    f = sqlite3_value_double(argv[0]);
    if (argc > 1)
        len = sqlite3_value_int(argv[1]);
    if (argc > 2)
        dec = sqlite3_value_int(argv[2]);
    if (len < 1 || len > 8000 || dec < 0) {
        sqlite3_result_null(ctx);
        return;
    }
    if (dec > 16)
        dec = 16;
    for (;;) {
        struct value_decimal d;
        char t[64];
        int tn = snprintf(t, sizeof t, "%.15e", f);
        if (value_decimal_parse_ex(t, (size_t)tn, (uint8_t)dec, true, &d) != 0) {
            n = len + 1;
        } else {
            value_decimal_format(&d, buf);
            n = (int)strlen(buf);
        }
        if (n <= len || dec == 0)
            break;
        dec--;
    }
    if (n > len || len >= (int)sizeof out) {
        if (len >= (int)sizeof out)
            len = (int)sizeof out - 1;
        memset(out, '*', (size_t)len);
    } else {
        memset(out, ' ', (size_t)(len - n));
        memcpy(out + len - n, buf, (size_t)n);
    }
    sqlite3_result_text(ctx, out, len, SQLITE_TRANSIENT);
}

/* ---- dates ---- */

static bool arg_part(sqlite3_context *ctx, sqlite3_value *v, const char *fn,
                     enum value_datepart *p)
{
    const char *s = (const char *)sqlite3_value_text(v);
    if (!s || value_datepart_parse(s, (size_t)sqlite3_value_bytes(v), p) != 0) {
        struct value_error e;
        value_error_set(&e, 155, "'%s' is not a recognized %s option.", s ? s : "NULL", fn);
        raise_e(ctx, &e);
        return false;
    }
    return true;
}

/* Type of a date argument: the named type if given, else inferred. */
static bool arg_dt_type(sqlite3_context *ctx, int argc, sqlite3_value **argv, int ti,
                        const char *s, size_t n, struct tl_type *t)
{
    struct value_error e;
    if (ti < argc && sqlite3_value_type(argv[ti]) != SQLITE_NULL) {
        const char *tn = (const char *)sqlite3_value_text(argv[ti]);
        if (value_parse_type(tn, (size_t)sqlite3_value_bytes(argv[ti]), t, &e) != 0) {
            raise_e(ctx, &e);
            return false;
        }
        if (t->id < TL_T_DATE || t->id > TL_T_DATETIMEOFFSET)
            value_datetime_infer_type(s, n, t);
        return true;
    }
    value_datetime_infer_type(s, n, t);
    return true;
}

/* tl_dateadd(part, n, d [, 'type of d']) */
static void fn_dateadd(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    enum value_datepart p;
    struct tl_type t;
    struct value_error e;
    char out[64];
    const char *s;
    size_t n;
    double num;
    if (any_null(argc, argv, 3)) {
        sqlite3_result_null(ctx);
        return;
    }
    if (!arg_part(ctx, argv[0], "dateadd", &p))
        return;
    s = (const char *)sqlite3_value_text(argv[2]);
    n = (size_t)sqlite3_value_bytes(argv[2]);
    if (!arg_dt_type(ctx, argc, argv, 3, s, n, &t))
        return;
    num = sqlite3_value_double(argv[1]);
    if (num > 2147483647.0 || num < -2147483648.0) {
        value_error_set(&e, 8115, "Arithmetic overflow error converting expression to data "
                                  "type int.");
        raise_e(ctx, &e);
        return;
    }
    if (value_dateadd(p, (int64_t)trunc(num), &t, s, n, out, &e) != 0) {
        raise_e(ctx, &e);
        return;
    }
    sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

/* tl_datediff(part, a, b [, 'type a' [, 'type b']]) */
static void fn_datediff(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    enum value_datepart p;
    struct tl_type ta, tb;
    struct value_error e;
    const char *a, *b;
    size_t an, bn;
    int64_t r;
    if (any_null(argc, argv, 3)) {
        sqlite3_result_null(ctx);
        return;
    }
    if (!arg_part(ctx, argv[0], "datediff", &p))
        return;
    a = (const char *)sqlite3_value_text(argv[1]);
    an = (size_t)sqlite3_value_bytes(argv[1]);
    b = (const char *)sqlite3_value_text(argv[2]);
    bn = (size_t)sqlite3_value_bytes(argv[2]);
    if (!arg_dt_type(ctx, argc, argv, 3, a, an, &ta) ||
        !arg_dt_type(ctx, argc, argv, argc > 4 ? 4 : 3, b, bn, &tb))
        return;
    if (value_datediff(p, &ta, a, an, &tb, b, bn, &r, &e) != 0) {
        raise_e(ctx, &e);
        return;
    }
    sqlite3_result_int64(ctx, r);
}

/* tl_datepart(part, d [, 'type of d']) */
static void fn_datepart(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    enum value_datepart p;
    struct tl_type t;
    struct value_error e;
    const char *s;
    size_t n;
    int64_t r;
    if (any_null(argc, argv, 2)) {
        sqlite3_result_null(ctx);
        return;
    }
    if (!arg_part(ctx, argv[0], "datepart", &p))
        return;
    s = (const char *)sqlite3_value_text(argv[1]);
    n = (size_t)sqlite3_value_bytes(argv[1]);
    if (!arg_dt_type(ctx, argc, argv, 2, s, n, &t))
        return;
    if (value_datepart(p, &t, s, n, &r, &e) != 0) {
        raise_e(ctx, &e);
        return;
    }
    sqlite3_result_int64(ctx, r);
}

/* tl_format_decimal(v, precision, scale): v as canonical decimal(p,s). */
static void fn_format_decimal(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct value_decimal d;
    char t[64], buf[48];
    int p, s, rc;
    if (any_null(argc, argv, 3)) {
        sqlite3_result_null(ctx);
        return;
    }
    p = sqlite3_value_int(argv[1]);
    s = sqlite3_value_int(argv[2]);
    if (p < 1 || p > 38 || s < 0 || s > p) {
        sqlite3_result_error(ctx, "MSG2750|1|Column or parameter #1: Specified column precision "
                                  "is invalid.", -1);
        return;
    }
    if (sqlite3_value_type(argv[0]) == SQLITE_FLOAT) {
        int tn = snprintf(t, sizeof t, "%.15e", sqlite3_value_double(argv[0]));
        rc = value_decimal_parse_ex(t, (size_t)tn, (uint8_t)s, true, &d);
    } else {
        const char *v = (const char *)sqlite3_value_text(argv[0]);
        rc = value_decimal_parse_ex(v, (size_t)sqlite3_value_bytes(argv[0]), (uint8_t)s, true, &d);
    }
    if (rc == 0 && !value_decimal_fits(&d, (uint8_t)p))
        rc = VALUE_ERANGE;
    if (rc != 0) {
        sqlite3_result_error(ctx, rc == VALUE_ERANGE
                                      ? "MSG8115|1|Arithmetic overflow error converting "
                                        "expression to data type numeric."
                                      : "MSG8114|1|Error converting data type varchar to numeric.",
                             -1);
        return;
    }
    value_decimal_format(&d, buf);
    sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

int builtins_register(void *dbv)
{
    sqlite3 *db = dbv;
    const int det = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    static const struct {
        const char *name;
        int nargs;
        void (*fn)(sqlite3_context *, int, sqlite3_value **);
    } fns[] = {
        {"tl_len", 1, fn_len},
        {"tl_datalength", -1, fn_datalength},
        {"tl_quotename", -1, fn_quotename},
        {"tl_charindex", -1, fn_charindex},
        {"tl_replicate", 2, fn_replicate},
        {"tl_left", 2, fn_left},
        {"tl_right", 2, fn_right},
        {"tl_str", -1, fn_str},
        {"tl_dateadd", -1, fn_dateadd},
        {"tl_datediff", -1, fn_datediff},
        {"tl_datepart", -1, fn_datepart},
        {"tl_format_decimal", 3, fn_format_decimal},
    };
    int rc = SQLITE_OK;
    for (size_t k = 0; k < sizeof fns / sizeof fns[0] && rc == SQLITE_OK; k++)
        rc = sqlite3_create_function_v2(db, fns[k].name, fns[k].nargs, det, NULL, fns[k].fn,
                                        NULL, NULL, NULL);
    return rc;
}
