/*
 * sqlfuncs: the SQLite face of this library (value_register_sqlite). This
 * is the one file here that includes <sqlite3.h>.
 *
 * Every function takes and returns canonical values (sqltype.h). Errors
 * are raised with sqlite3_result_error and the text
 * "MSG<number>|<state>|<SQL Server message text>" (see value.h), which
 * the engine turns back into a SQL Server error.
 *
 * Per-connection state (the clock offset) lives in a struct owned by the
 * connection: allocated here, freed by SQLite through the destructor of
 * tl_set_clock_offset when the connection closes.
 */
#include "internal.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/mem.h"

struct fn_state {
    int64_t clock_offset_us; /* added to the real clock: tests move "now" */
};

static void raise(sqlite3_context *ctx, const struct value_error *e)
{
    char msg[480];
    snprintf(msg, sizeof msg, "MSG%d|%d|%s", (int)e->number, e->state, e->text);
    sqlite3_result_error(ctx, msg, -1);
}

static void raise_num(sqlite3_context *ctx, int number, const char *text)
{
    struct value_error e;
    value_error_set(&e, number, "%s", text);
    raise(ctx, &e);
}

static void get_value(sqlite3_value *v, struct tl_value *out)
{
    memset(out, 0, sizeof *out);
    switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
        out->kind = TL_V_INT;
        out->i = sqlite3_value_int64(v);
        break;
    case SQLITE_FLOAT:
        out->kind = TL_V_REAL;
        out->r = sqlite3_value_double(v);
        break;
    case SQLITE_TEXT:
        out->kind = TL_V_TEXT;
        out->p = sqlite3_value_text(v);
        out->n = (size_t)sqlite3_value_bytes(v);
        break;
    case SQLITE_BLOB:
        out->kind = TL_V_BLOB;
        out->p = sqlite3_value_blob(v);
        out->n = (size_t)sqlite3_value_bytes(v);
        break;
    default:
        out->kind = TL_V_NULL;
        break;
    }
}

static void set_result(sqlite3_context *ctx, const struct tl_value *v)
{
    switch (v->kind) {
    case TL_V_INT: sqlite3_result_int64(ctx, v->i); break;
    case TL_V_REAL: sqlite3_result_double(ctx, v->r); break;
    case TL_V_TEXT: sqlite3_result_text(ctx, (const char *)v->p, (int)v->n, SQLITE_TRANSIENT); break;
    case TL_V_BLOB: sqlite3_result_blob(ctx, v->p, (int)v->n, SQLITE_TRANSIENT); break;
    default: sqlite3_result_null(ctx); break;
    }
}

/* Type from a type-name argument, cached per statement with auxdata.
 * cast_default: a bare char/varchar/nchar/nvarchar/binary/varbinary means
 * length 30, as in CAST(x AS varchar). Returns false after raising. */
static bool arg_type(sqlite3_context *ctx, sqlite3_value **argv, int i, bool cast_default,
                     struct tl_type *out)
{
    struct tl_type *cached = sqlite3_get_auxdata(ctx, i);
    const char *s;
    struct value_error e;
    int n;
    if (cached) {
        *out = *cached;
        return true;
    }
    s = (const char *)sqlite3_value_text(argv[i]);
    n = sqlite3_value_bytes(argv[i]);
    if (!s || value_parse_type(s, (size_t)n, out, &e) != 0) {
        if (!s)
            value_error_set(&e, 2715, "Column, parameter, or variable #1: Cannot find data type "
                                      "NULL.");
        raise(ctx, &e);
        return false;
    }
    if (cast_default && !memchr(s, '(', (size_t)n) && out->length == 1 &&
        strncasecmp(s, "sysname", 7) != 0)
        out->length = 30;
    cached = sl_malloc(sizeof *cached);
    if (cached) {
        *cached = *out;
        sqlite3_set_auxdata(ctx, i, cached, sl_free);
    }
    return true;
}

/* tl_convert(v, 'to' [, style [, explicit [, 'from' [, table [, column]]]]]) */
static void fn_convert(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct tl_value in, out;
    struct tl_type to, from, *fp = NULL;
    struct value_error e = {0};
    struct arena a;
    int style = argc > 2 && sqlite3_value_type(argv[2]) != SQLITE_NULL
                    ? sqlite3_value_int(argv[2]) : -1;
    bool expl = argc > 3 && sqlite3_value_type(argv[3]) != SQLITE_NULL
                    ? sqlite3_value_int(argv[3]) != 0 : true;

    get_value(argv[0], &in);
    if (!arg_type(ctx, argv, 1, true, &to))
        return;
    if (argc > 4 && sqlite3_value_type(argv[4]) != SQLITE_NULL) {
        if (!arg_type(ctx, argv, 4, false, &from))
            return;
        fp = &from;
    }
    arena_init(&a, 1024, 0);
    if (value_convert(&in, fp, &to, style, expl,
                      argc > 5 ? (const char *)sqlite3_value_text(argv[5]) : NULL,
                      argc > 6 ? (const char *)sqlite3_value_text(argv[6]) : NULL, &a, &out,
                      &e) != 0)
        raise(ctx, &e);
    else
        set_result(ctx, &out);
    arena_free(&a);
}

/* tl_compare(a, b [, 'type a', 'type b']) -> -1/0/1, NULL if either is NULL */
static void fn_compare(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct tl_value x, y;
    struct tl_type tx, ty;
    struct value_error e = {0};
    int r;
    get_value(argv[0], &x);
    get_value(argv[1], &y);
    if (x.kind == TL_V_NULL || y.kind == TL_V_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    if (argc > 3 && (!arg_type(ctx, argv, 2, false, &tx) || !arg_type(ctx, argv, 3, false, &ty)))
        return;
    r = value_compare(&x, argc > 3 ? &tx : NULL, &y, argc > 3 ? &ty : NULL, &e);
    if (r == -2)
        raise(ctx, &e);
    else
        sqlite3_result_int(ctx, r);
}

/* ---- exact decimal arithmetic ---- */

static int arg_decimal(sqlite3_value *v, uint8_t scale_hint, struct value_decimal *d)
{
    char buf[64];
    switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
        value_decimal_from_i64(sqlite3_value_int64(v), d);
        return 0;
    case SQLITE_FLOAT: {
        int n = snprintf(buf, sizeof buf, "%.15e", sqlite3_value_double(v));
        return value_decimal_parse_ex(buf, (size_t)n, scale_hint, true, d);
    }
    default: {
        const char *s = (const char *)sqlite3_value_text(v);
        size_t n = (size_t)sqlite3_value_bytes(v);
        if (!s)
            return VALUE_EBAD;
        if (value_decimal_parse_auto(s, n, d) == 0)
            return 0;
        return value_decimal_parse_ex(s, n, scale_hint, true, d);
    }
    }
}

static void dec_error(sqlite3_context *ctx, int rc)
{
    if (rc == VALUE_EDIVZERO)
        raise_num(ctx, 8134, "Divide by zero error encountered.");
    else if (rc == VALUE_ERANGE)
        raise_num(ctx, 8115, "Arithmetic overflow error converting expression to data type "
                             "numeric.");
    else
        raise_num(ctx, 8114, "Error converting data type varchar to numeric.");
}

static void dec_op(sqlite3_context *ctx, int argc, sqlite3_value **argv, enum value_dec_op op)
{
    struct value_decimal a, b, r;
    char buf[48];
    int p = 38, s, rc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    if (argc > 2 && sqlite3_value_type(argv[2]) != SQLITE_NULL)
        p = sqlite3_value_int(argv[2]);
    s = argc > 3 && sqlite3_value_type(argv[3]) != SQLITE_NULL ? sqlite3_value_int(argv[3]) : -1;
    if (p < 1 || p > 38 || s > p) {
        raise_num(ctx, 2750, "Column or parameter #1: Specified column precision is invalid.");
        return;
    }
    if ((rc = arg_decimal(argv[0], (uint8_t)(s < 0 ? 18 : s), &a)) != 0 ||
        (rc = arg_decimal(argv[1], (uint8_t)(s < 0 ? 18 : s), &b)) != 0) {
        dec_error(ctx, rc);
        return;
    }
    if (s < 0) { /* no scale given: SQL Server's rule from the operands' own */
        int rp, rs, pa = 38, pb = 38;
        value_decimal_result_type(op, pa, a.scale, pb, b.scale, &rp, &rs);
        s = rs;
    }
    rc = value_decimal_arith(op, &a, &b, (uint8_t)p, (uint8_t)s, &r);
    if (rc != 0) {
        dec_error(ctx, rc);
        return;
    }
    value_decimal_format(&r, buf);
    sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

static void fn_dec_add(sqlite3_context *c, int n, sqlite3_value **v) { dec_op(c, n, v, VALUE_DEC_ADD); }
static void fn_dec_sub(sqlite3_context *c, int n, sqlite3_value **v) { dec_op(c, n, v, VALUE_DEC_SUB); }
static void fn_dec_mul(sqlite3_context *c, int n, sqlite3_value **v) { dec_op(c, n, v, VALUE_DEC_MUL); }
static void fn_dec_div(sqlite3_context *c, int n, sqlite3_value **v) { dec_op(c, n, v, VALUE_DEC_DIV); }

/* SQLite's aggregate context is only 8-byte aligned, so the 16-byte
 * aligned decimal is kept as bytes and copied in and out. */
struct dec_agg {
    unsigned char sum_bytes[sizeof(struct value_decimal)];
    int64_t count;
    int err;
    int fixed_scale; /* -1: the largest scale seen */
};

static void agg_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct dec_agg *g = sqlite3_aggregate_context(ctx, sizeof *g);
    struct value_decimal v, r, sum;
    int rc, scale;
    if (!g)
        return;
    memcpy(&sum, g->sum_bytes, sizeof sum);
    if (g->count == 0 && !g->err)
        g->fixed_scale = argc > 1 && sqlite3_value_type(argv[1]) != SQLITE_NULL
                             ? sqlite3_value_int(argv[1]) : -1;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || g->err)
        return;
    rc = arg_decimal(argv[0], 18, &v);
    if (rc != 0) {
        g->err = rc;
        return;
    }
    scale = sum.scale > v.scale ? sum.scale : v.scale;
    rc = value_decimal_arith(VALUE_DEC_ADD, &sum, &v, 38, (uint8_t)scale, &r);
    if (rc != 0) {
        g->err = rc;
        return;
    }
    memcpy(g->sum_bytes, &r, sizeof r);
    g->count++;
}

static void sum_final(sqlite3_context *ctx)
{
    struct dec_agg *g = sqlite3_aggregate_context(ctx, 0);
    struct value_decimal sum;
    char buf[48];
    if (g && g->err) {
        dec_error(ctx, g->err);
        return;
    }
    if (!g || g->count == 0) {
        sqlite3_result_null(ctx);
        return;
    }
    memcpy(&sum, g->sum_bytes, sizeof sum);
    if (g->fixed_scale >= 0 && value_decimal_rescale(&sum, (uint8_t)g->fixed_scale, false)) {
        dec_error(ctx, VALUE_ERANGE);
        return;
    }
    value_decimal_format(&sum, buf);
    sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

/* AVG(decimal(p,s)) is decimal(38, max(s,6)), the quotient truncated. */
static void avg_final(sqlite3_context *ctx)
{
    struct dec_agg *g = sqlite3_aggregate_context(ctx, 0);
    struct value_decimal cnt, r, sum;
    char buf[48];
    int scale, rc;
    if (g && g->err) {
        dec_error(ctx, g->err);
        return;
    }
    if (!g || g->count == 0) {
        sqlite3_result_null(ctx);
        return;
    }
    memcpy(&sum, g->sum_bytes, sizeof sum);
    scale = g->fixed_scale >= 0 ? g->fixed_scale : (sum.scale > 6 ? sum.scale : 6);
    value_decimal_from_i64(g->count, &cnt);
    rc = value_decimal_arith(VALUE_DEC_DIV, &sum, &cnt, 38, (uint8_t)scale, &r);
    if (rc != 0) {
        dec_error(ctx, rc);
        return;
    }
    value_decimal_format(&r, buf);
    sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

/* ---- clock ---- */

static void now_parts(sqlite3_context *ctx, bool utc, struct value_datetime *dt)
{
    struct fn_state *st = sqlite3_user_data(ctx);
    struct timespec ts;
    struct tm tm;
    int64_t us;
    time_t secs;
    clock_gettime(CLOCK_REALTIME, &ts);
    us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 + (st ? st->clock_offset_us : 0);
    secs = (time_t)(us / 1000000);
    if (utc)
        gmtime_r(&secs, &tm);
    else
        localtime_r(&secs, &tm);
    dt->year = tm.tm_year + 1900;
    dt->month = tm.tm_mon + 1;
    dt->day = tm.tm_mday;
    dt->hour = tm.tm_hour;
    dt->minute = tm.tm_min;
    dt->second = tm.tm_sec > 59 ? 59 : tm.tm_sec;
    dt->frac100ns = (uint32_t)(us % 1000000) * 10;
    dt->offset_min = (int16_t)(utc ? 0 : tm.tm_gmtoff / 60);
}

static void clock_result(sqlite3_context *ctx, bool utc, enum tl_type_id id)
{
    struct value_datetime dt;
    struct tl_type t = {id, 0, 0, 7};
    char buf[48];
    now_parts(ctx, utc, &dt);
    value_datetime_round(&t, &dt);
    value_datetime_format(&t, &dt, buf);
    sqlite3_result_text(ctx, buf, -1, SQLITE_TRANSIENT);
}

static void fn_getdate(sqlite3_context *c, int n, sqlite3_value **v) { clock_result(c, false, TL_T_DATETIME); }
static void fn_getutcdate(sqlite3_context *c, int n, sqlite3_value **v) { clock_result(c, true, TL_T_DATETIME); }
static void fn_sysdatetime(sqlite3_context *c, int n, sqlite3_value **v) { clock_result(c, false, TL_T_DATETIME2); }
static void fn_sysutcdatetime(sqlite3_context *c, int n, sqlite3_value **v) { clock_result(c, true, TL_T_DATETIME2); }
static void fn_sysdatetimeoffset(sqlite3_context *c, int n, sqlite3_value **v) { clock_result(c, false, TL_T_DATETIMEOFFSET); }

/* tl_set_clock_offset(seconds): "now" = real time + seconds (may be
 * fractional or negative). Returns the offset set. */
static void fn_set_clock_offset(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct fn_state *st = sqlite3_user_data(ctx);
    st->clock_offset_us = (int64_t)llround(sqlite3_value_double(argv[0]) * 1e6);
    sqlite3_result_double(ctx, (double)st->clock_offset_us / 1e6);
}

static void fn_clock_offset(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct fn_state *st = sqlite3_user_data(ctx);
    sqlite3_result_double(ctx, (double)st->clock_offset_us / 1e6);
}

static void fn_newid(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    uint8_t g[16];
    char txt[37];
    sqlite3_randomness(16, g);
    g[7] = (uint8_t)((g[7] & 0x0F) | 0x40); /* version 4 (Data3 high nibble) */
    g[8] = (uint8_t)((g[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    value_guid_from_wire(g, txt);
    sqlite3_result_text(ctx, txt, 36, SQLITE_TRANSIENT);
}

static int collate_ci(void *arg, int an, const void *a, int bn, const void *b)
{
    return value_text_compare_ci(a, (size_t)an, b, (size_t)bn);
}

int value_register_sqlite(void *dbv)
{
    sqlite3 *db = dbv;
    struct fn_state *st = sl_calloc(1, sizeof *st);
    const int det = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    const int vol = SQLITE_UTF8 | SQLITE_INNOCUOUS;
    static const struct {
        const char *name;
        int nargs;
        bool deterministic;
        void (*fn)(sqlite3_context *, int, sqlite3_value **);
    } fns[] = {
        {"tl_convert", -1, true, fn_convert},
        {"tl_compare", -1, true, fn_compare},
        {"tl_dec_add", -1, true, fn_dec_add},
        {"tl_dec_sub", -1, true, fn_dec_sub},
        {"tl_dec_mul", -1, true, fn_dec_mul},
        {"tl_dec_div", -1, true, fn_dec_div},
        {"tl_getdate", 0, false, fn_getdate},
        {"tl_getutcdate", 0, false, fn_getutcdate},
        {"tl_sysdatetime", 0, false, fn_sysdatetime},
        {"tl_sysutcdatetime", 0, false, fn_sysutcdatetime},
        {"tl_sysdatetimeoffset", 0, false, fn_sysdatetimeoffset},
        {"tl_clock_offset", 0, false, fn_clock_offset},
        {"tl_newid", 0, false, fn_newid},
    };
    int rc;

    if (!st)
        return SQLITE_NOMEM;
    /* The first registration owns st: SQLite frees it with the connection. */
    rc = sqlite3_create_function_v2(db, "tl_set_clock_offset", 1, vol, st, fn_set_clock_offset,
                                    NULL, NULL, sl_free);
    if (rc != SQLITE_OK)
        return rc;
    for (size_t k = 0; k < sizeof fns / sizeof fns[0] && rc == SQLITE_OK; k++)
        rc = sqlite3_create_function_v2(db, fns[k].name, fns[k].nargs,
                                        fns[k].deterministic ? det : vol, st, fns[k].fn, NULL,
                                        NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function_v2(db, "tl_dec_sum", -1, det, NULL, NULL, agg_step,
                                        sum_final, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function_v2(db, "tl_dec_avg", -1, det, NULL, NULL, agg_step,
                                        avg_final, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_collation_v2(db, "TL_CI", SQLITE_UTF8, NULL, collate_ci, NULL);
    if (rc == SQLITE_OK)
        rc = builtins_register(db);
    return rc;
}
