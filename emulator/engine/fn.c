/*
 * fn: the engine's own SQLite functions and collations, registered on each
 * session connection next to the value library's (value_register_sqlite).
 *
 * Owns what needs the session or SQL Server semantics SQLite lacks:
 * TL_CI (case-insensitive, trailing-space-insensitive string order) and
 * TL_DEC (numeric order of canonical decimal text) collations; tl_cv
 * (implicit/explicit conversion via value_convert, TRY_ variants);
 * integer range checks and division (8115, 8134); T-SQL LIKE with [..]
 * classes; string built-ins with T-SQL argument rules; date built-ins on
 * value.h's primitives; catalog lookups (OBJECT_ID, DB_NAME ...) through
 * the session. Errors are stashed in the session (s->fnerr) so exec can
 * report the exact SQL Server number, then raised as SQLite errors.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "eng.h"

static struct engine_session *sess(sqlite3_context *c) { return sqlite3_user_data(c); }

static void fail(sqlite3_context *c, int number, int severity, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void fail(sqlite3_context *c, int number, int severity, const char *fmt, ...)
{
    struct engine_session *s = sess(c);
    va_list ap;
    va_start(ap, fmt);
    s->fnerr.number = number;
    s->fnerr.severity = severity;
    s->fnerr.state = 1;
    vsnprintf(s->fnerr.text, sizeof(s->fnerr.text), fmt, ap);
    va_end(ap);
    s->fnerr.batch_abort = false;
    s->fnerr_set = true;
    sqlite3_result_error(c, s->fnerr.text, -1);
}

static void fail_ve(sqlite3_context *c, const struct value_error *ve)
{
    fail(c, ve->number, ve->severity ? ve->severity : 16, "%s", ve->text);
    sess(c)->fnerr.state = ve->state ? ve->state : 1;
}

/* ------------------------------------------------------------ collations */

static int coll_ci(void *u, int n1, const void *a, int n2, const void *b)
{
    (void)u;
    const unsigned char *x = a, *y = b;
    while (n1 > 0 && x[n1 - 1] == ' ')
        n1--;
    while (n2 > 0 && y[n2 - 1] == ' ')
        n2--;
    return value_text_compare_ci(x, (size_t)n1, y, (size_t)n2);
}

static int coll_dec(void *u, int n1, const void *a, int n2, const void *b)
{
    (void)u;
    struct value_decimal x, y;
    int ra = value_decimal_parse(a, (size_t)n1, 18, &x);
    int rb = value_decimal_parse(b, (size_t)n2, 18, &y);
    if (ra || rb) {
        double da = strtod(a, NULL), db = strtod(b, NULL);
        return da < db ? -1 : da > db;
    }
    if (x.neg != y.neg)
        return x.neg ? -1 : 1;
    int c = x.mag < y.mag ? -1 : x.mag > y.mag;
    return x.neg ? -c : c;
}

/* ------------------------------------------------------------ values */

static void result_value(sqlite3_context *c, const struct tl_value *v)
{
    switch (v->kind) {
    case TL_V_INT: sqlite3_result_int64(c, v->i); break;
    case TL_V_REAL: sqlite3_result_double(c, v->r); break;
    case TL_V_TEXT: sqlite3_result_text(c, (const char *)v->p, (int)v->n, SQLITE_TRANSIENT); break;
    case TL_V_BLOB: sqlite3_result_blob(c, v->p, (int)v->n, SQLITE_TRANSIENT); break;
    default: sqlite3_result_null(c); break;
    }
}

static void arg_value(sqlite3_value *a, struct tl_value *v)
{
    memset(v, 0, sizeof(*v));
    switch (sqlite3_value_type(a)) {
    case SQLITE_INTEGER: v->kind = TL_V_INT; v->i = sqlite3_value_int64(a); break;
    case SQLITE_FLOAT: v->kind = TL_V_REAL; v->r = sqlite3_value_double(a); break;
    case SQLITE_TEXT:
        v->kind = TL_V_TEXT;
        v->p = sqlite3_value_text(a);
        v->n = (size_t)sqlite3_value_bytes(a);
        break;
    case SQLITE_BLOB:
        v->kind = TL_V_BLOB;
        v->p = sqlite3_value_blob(a);
        v->n = (size_t)sqlite3_value_bytes(a);
        if (!v->p)
            v->p = (const uint8_t *)"";
        break;
    default: v->kind = TL_V_NULL; break;
    }
}

/* Parsed type of a type-name argument, cached in the statement. */
static const struct tl_type *type_arg(sqlite3_context *c, int i, sqlite3_value *a)
{
    struct tl_type *t = sqlite3_get_auxdata(c, i);
    if (t)
        return t;
    const char *txt = (const char *)sqlite3_value_text(a);
    if (!txt || !*txt)
        return NULL;
    t = sqlite3_malloc(sizeof(*t));
    if (!t)
        return NULL;
    struct value_error ve;
    if (value_parse_type(txt, strlen(txt), t, &ve)) {
        sqlite3_free(t);
        return NULL;
    }
    sqlite3_set_auxdata(c, i, t, sqlite3_free);
    return sqlite3_get_auxdata(c, i) ? sqlite3_get_auxdata(c, i) : NULL;
}

/* tl_cv(v, 'to', style, explicit (0 implicit, 1 cast, 2 try_cast), 'from') */
static void fn_cv(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    struct engine_session *s = sess(c);
    struct tl_value in, out;
    struct value_error ve;
    arg_value(argv[0], &in);
    if (in.kind == TL_V_NULL) {
        sqlite3_result_null(c);
        return;
    }
    const struct tl_type *to = type_arg(c, 1, argv[1]);
    const struct tl_type *from = argc > 4 ? type_arg(c, 4, argv[4]) : NULL;
    int style = sqlite3_value_int(argv[2]);
    int expl = sqlite3_value_int(argv[3]);
    if (!to) {
        fail(c, 50000, 16, "tdslite: bad conversion target");
        return;
    }
    struct tl_type fromc;
    if (from && from->id == TL_T_UNKNOWN)
        from = NULL;
    if (from) {
        fromc = *from;
        from = &fromc;
    }
    struct arena a;
    arena_init(&a, 4096, 0);
    if (value_convert(&in, from, to, style, expl != 0, NULL, NULL, &a, &out, &ve)) {
        arena_free(&a);
        if (expl == 2) {
            sqlite3_result_null(c);
            return;
        }
        fail_ve(c, &ve);
        return;
    }
    result_value(c, &out);
    arena_free(&a);
    (void)s;
}

static void fn_int(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    const char *tn = (const char *)sqlite3_value_text(argv[1]);
    if (sqlite3_value_type(argv[0]) == SQLITE_FLOAT) {
        /* SQLite promoted an overflowing integer operation to REAL */
        fail(c, 8115, 16, "Arithmetic overflow error converting expression to data type %s.", tn);
        return;
    }
    int64_t v = sqlite3_value_int64(argv[0]);
    int64_t lo = INT64_MIN, hi = INT64_MAX;
    if (!strcmp(tn, "int")) {
        lo = INT32_MIN;
        hi = INT32_MAX;
    } else if (!strcmp(tn, "smallint")) {
        lo = -32768;
        hi = 32767;
    } else if (!strcmp(tn, "tinyint")) {
        lo = 0;
        hi = 255;
    }
    if (v < lo || v > hi) {
        fail(c, 8115, 16, "Arithmetic overflow error converting expression to data type %s.", tn);
        return;
    }
    sqlite3_result_int64(c, v);
}

/* T-SQL operators and two-argument built-ins yield NULL when an operand is
 * NULL: answer that and tell the caller it is done. */
static bool null_operand(sqlite3_context *c, sqlite3_value **argv)
{
    if (sqlite3_value_type(argv[0]) != SQLITE_NULL && sqlite3_value_type(argv[1]) != SQLITE_NULL)
        return false;
    sqlite3_result_null(c);
    return true;
}

/* Msg 8134 for a zero divisor; true when it was raised. */
static bool divide_by_zero(sqlite3_context *c, bool zero)
{
    if (zero)
        fail(c, 8134, 16, "Divide by zero error encountered.");
    return zero;
}

static void fn_idiv(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (null_operand(c, argv))
        return;
    int64_t a = sqlite3_value_int64(argv[0]), b = sqlite3_value_int64(argv[1]);
    if (divide_by_zero(c, b == 0))
        return;
    if (b == -1 && a == INT64_MIN) {
        fail(c, 8115, 16, "Arithmetic overflow error converting expression to data type bigint.");
        return;
    }
    sqlite3_result_int64(c, a / b);
}

static void fn_imod(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (null_operand(c, argv))
        return;
    int64_t a = sqlite3_value_int64(argv[0]), b = sqlite3_value_int64(argv[1]);
    if (divide_by_zero(c, b == 0))
        return;
    sqlite3_result_int64(c, b == -1 ? 0 : a % b);
}

static void fn_fdiv(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (null_operand(c, argv))
        return;
    double a = sqlite3_value_double(argv[0]), b = sqlite3_value_double(argv[1]);
    if (divide_by_zero(c, b == 0))
        return;
    sqlite3_result_double(c, a / b);
}

static void fn_fmod(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (null_operand(c, argv))
        return;
    double a = sqlite3_value_double(argv[0]), b = sqlite3_value_double(argv[1]);
    if (divide_by_zero(c, b == 0))
        return;
    sqlite3_result_double(c, fmod(a, b));
}

/* AVG of integers: the truncated integer mean. */
struct iavg {
    int64_t sum;
    int64_t n;
    bool overflow;
};
static void iavg_step(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct iavg *g = sqlite3_aggregate_context(c, sizeof(*g));
    if (!g || sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;
    if (__builtin_add_overflow(g->sum, sqlite3_value_int64(argv[0]), &g->sum))
        g->overflow = true;
    g->n++;
}
static void iavg_final(sqlite3_context *c)
{
    struct iavg *g = sqlite3_aggregate_context(c, 0);
    if (!g || g->n == 0) {
        sqlite3_result_null(c);
        return;
    }
    if (g->overflow) {
        fail(c, 8115, 16, "Arithmetic overflow error converting expression to data type bigint.");
        return;
    }
    sqlite3_result_int64(c, g->sum / g->n);
}

static void fn_one(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_int64(argv[0]) > 1) {
        fail(c, 512, 16, "Subquery returned more than 1 value. This is not permitted when the subquery follows =, !=, <, <= , >, >= or when the subquery is used as an expression.");
        return;
    }
    sqlite3_result_value(c, argv[1]);
}

/* ------------------------------------------------------------ strings */

static int fold(int ch) { return ch < 128 ? tolower(ch) : ch; }

/* T-SQL LIKE: % _ [abc] [a-z] [^x], escape char; case-insensitive. */
static bool like_match(const uint8_t *p, size_t pn, const uint8_t *s, size_t sn, int esc)
{
    size_t pi = 0, si = 0;
    while (pi < pn) {
        size_t save = pi;
        int32_t pc = utf8_decode(p, pn, &pi);
        if (esc >= 0 && pc == esc && pi < pn) {
            pc = utf8_decode(p, pn, &pi);
            if (si >= sn)
                return false;
            int32_t sc = utf8_decode(s, sn, &si);
            if (fold(sc) != fold(pc))
                return false;
            continue;
        }
        if (pc == '%') {
            while (pi < pn && p[pi] == '%')
                pi++;
            if (pi == pn)
                return true;
            for (size_t k = si; k <= sn; k++) {
                if (like_match(p + pi, pn - pi, s + k, sn - k, esc))
                    return true;
                if (k < sn)
                    while (k + 1 < sn && (s[k + 1] & 0xC0) == 0x80)
                        k++;
            }
            return false;
        }
        if (si >= sn)
            return false;
        int32_t sc = utf8_decode(s, sn, &si);
        if (pc == '_')
            continue;
        if (pc == '[') {
            size_t close = pi;
            while (close < pn && p[close] != ']')
                close++;
            if (close >= pn) { /* no closing bracket: literal [ */
                if (sc != '[')
                    return false;
                continue;
            }
            bool neg = pi < close && p[pi] == '^';
            size_t k = pi + (neg ? 1 : 0);
            bool hit = false;
            while (k < close) {
                int32_t a = utf8_decode(p, close, &k);
                if (k + 1 < close && p[k] == '-') {
                    k++;
                    int32_t b = utf8_decode(p, close, &k);
                    if (fold(sc) >= fold(a) && fold(sc) <= fold(b))
                        hit = true;
                } else if (fold(a) == fold(sc)) {
                    hit = true;
                }
            }
            if (hit == neg)
                return false;
            pi = close + 1;
            continue;
        }
        (void)save;
        if (fold(sc) != fold(pc))
            return false;
    }
    /* trailing spaces of the value are insignificant */
    while (si < sn && s[si] == ' ')
        si++;
    return si == sn;
}

static void fn_like(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (null_operand(c, argv))
        return;
    const uint8_t *s = sqlite3_value_text(argv[0]);
    size_t sn = (size_t)sqlite3_value_bytes(argv[0]);
    const uint8_t *p = sqlite3_value_text(argv[1]);
    size_t pn = (size_t)sqlite3_value_bytes(argv[1]);
    int esc = -1;
    if (sqlite3_value_type(argv[2]) != SQLITE_NULL) {
        const uint8_t *e = sqlite3_value_text(argv[2]);
        size_t i = 0;
        esc = utf8_decode(e, (size_t)sqlite3_value_bytes(argv[2]), &i);
    }
    /* pattern trailing spaces are significant only against the value's */
    sqlite3_result_int(c, like_match(p, pn, s, sn, esc));
}

static void fn_case(sqlite3_context *c, int argc, sqlite3_value **argv, bool up)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    const unsigned char *s = sqlite3_value_text(argv[0]);
    int n = sqlite3_value_bytes(argv[0]);
    char *o = sqlite3_malloc(n + 1);
    if (!o) {
        sqlite3_result_error_nomem(c);
        return;
    }
    for (int i = 0; i < n; i++)
        o[i] = (char)(s[i] < 128 ? (up ? toupper(s[i]) : tolower(s[i])) : s[i]);
    sqlite3_result_text(c, o, n, sqlite3_free);
}
static void fn_upper(sqlite3_context *c, int argc, sqlite3_value **argv) { fn_case(c, argc, argv, true); }
static void fn_lower(sqlite3_context *c, int argc, sqlite3_value **argv) { fn_case(c, argc, argv, false); }

/* byte offset of the k-th (0-based) character */
static size_t char_off(const uint8_t *s, size_t n, int64_t k)
{
    size_t i = 0;
    while (k > 0 && i < n) {
        utf8_decode(s, n, &i);
        k--;
    }
    return i;
}

static void fn_substring(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL ||
        sqlite3_value_type(argv[2]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    int64_t start = sqlite3_value_int64(argv[1]), len = sqlite3_value_int64(argv[2]);
    if (len < 0) {
        fail(c, 537, 16, "Invalid length parameter passed to the LEFT or SUBSTRING function.");
        return;
    }
    int64_t end = start + len; /* exclusive, 1-based */
    if (start < 1)
        start = 1;
    if (end <= start) {
        if (sqlite3_value_type(argv[0]) == SQLITE_BLOB)
            sqlite3_result_zeroblob(c, 0);
        else
            sqlite3_result_text(c, "", 0, SQLITE_STATIC);
        return;
    }
    if (sqlite3_value_type(argv[0]) == SQLITE_BLOB) {
        const uint8_t *b = sqlite3_value_blob(argv[0]);
        int64_t n = sqlite3_value_bytes(argv[0]);
        int64_t a = start - 1 < n ? start - 1 : n, z = end - 1 < n ? end - 1 : n;
        sqlite3_result_blob(c, b ? b + a : (const uint8_t *)"", (int)(z - a), SQLITE_TRANSIENT);
        return;
    }
    const uint8_t *s = sqlite3_value_text(argv[0]);
    size_t n = (size_t)sqlite3_value_bytes(argv[0]);
    size_t a = char_off(s, n, start - 1);
    size_t z = a + char_off(s + a, n - a, end - start);
    sqlite3_result_text(c, (const char *)s + a, (int)(z - a), SQLITE_TRANSIENT);
}

static void fn_right(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (null_operand(c, argv))
        return;
    int64_t k = sqlite3_value_int64(argv[1]);
    if (k < 0) {
        fail(c, 536, 16, "Invalid length parameter passed to the RIGHT function.");
        return;
    }
    const uint8_t *s = sqlite3_value_text(argv[0]);
    size_t n = (size_t)sqlite3_value_bytes(argv[0]);
    size_t chars = 0;
    for (size_t i = 0; i < n;) {
        utf8_decode(s, n, &i);
        chars++;
    }
    size_t a = (int64_t)chars > k ? char_off(s, n, (int64_t)chars - k) : 0;
    sqlite3_result_text(c, (const char *)s + a, (int)(n - a), SQLITE_TRANSIENT);
}

static const uint8_t *find_ci(const uint8_t *h, size_t hn, const uint8_t *nd, size_t nn)
{
    if (nn == 0 || nn > hn)
        return NULL;
    for (size_t i = 0; i + nn <= hn; i++) {
        size_t k = 0;
        while (k < nn && fold(h[i + k]) == fold(nd[k]))
            k++;
        if (k == nn)
            return h + i;
    }
    return NULL;
}

static void fn_replace(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    for (int i = 0; i < 3; i++)
        if (sqlite3_value_type(argv[i]) == SQLITE_NULL) {
            sqlite3_result_null(c);
            return;
        }
    const uint8_t *s = sqlite3_value_text(argv[0]);
    size_t n = (size_t)sqlite3_value_bytes(argv[0]);
    const uint8_t *f = sqlite3_value_text(argv[1]);
    size_t fn = (size_t)sqlite3_value_bytes(argv[1]);
    const uint8_t *r = sqlite3_value_text(argv[2]);
    size_t rn = (size_t)sqlite3_value_bytes(argv[2]);
    struct buf b;
    buf_init(&b, 1u << 30);
    size_t i = 0;
    while (i < n) {
        const uint8_t *hit = fn ? find_ci(s + i, n - i, f, fn) : NULL;
        if (!hit) {
            buf_append(&b, s + i, n - i);
            break;
        }
        buf_append(&b, s + i, (size_t)(hit - (s + i)));
        buf_append(&b, r, rn);
        i = (size_t)(hit - s) + fn;
    }
    sqlite3_result_text(c, b.data ? (char *)b.data : "", (int)b.len, SQLITE_TRANSIENT);
    buf_free(&b);
}

static void fn_charindex(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (null_operand(c, argv))
        return;
    const uint8_t *f = sqlite3_value_text(argv[0]);
    size_t fn = (size_t)sqlite3_value_bytes(argv[0]);
    const uint8_t *s = sqlite3_value_text(argv[1]);
    size_t n = (size_t)sqlite3_value_bytes(argv[1]);
    int64_t start = sqlite3_value_int64(argv[2]);
    if (start < 1)
        start = 1;
    size_t a = char_off(s, n, start - 1);
    const uint8_t *hit = find_ci(s + a, n - a, f, fn);
    if (!hit) {
        sqlite3_result_int(c, 0);
        return;
    }
    int64_t pos = 1;
    for (size_t i = 0; i < (size_t)(hit - s);) {
        utf8_decode(s, n, &i);
        pos++;
    }
    sqlite3_result_int64(c, pos);
}

static void fn_replicate(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    if (null_operand(c, argv))
        return;
    int64_t k = sqlite3_value_int64(argv[1]);
    if (k < 0) {
        sqlite3_result_null(c);
        return;
    }
    const uint8_t *s = sqlite3_value_text(argv[0]);
    size_t n = (size_t)sqlite3_value_bytes(argv[0]);
    if ((uint64_t)k * n > 100u * 1024 * 1024) {
        fail(c, 1121, 17, "tdslite: REPLICATE result too large.");
        return;
    }
    struct buf b;
    buf_init(&b, 0);
    for (int64_t i = 0; i < k; i++)
        buf_append(&b, s, n);
    /* tl_replicate(s, n, max, utf16): a result of a non-max type stops at
     * max units (8000 varchar bytes, 4000 nvarchar UTF-16 units) */
    size_t len = b.len;
    int64_t max = argc > 2 ? sqlite3_value_int64(argv[2]) : 0;
    if (max > 0 && b.data)
        len = value_text_prefix(b.data, b.len, (size_t)max, argc > 3 && sqlite3_value_int(argv[3]) != 0);
    sqlite3_result_text(c, b.data ? (char *)b.data : "", (int)len, SQLITE_TRANSIENT);
    buf_free(&b);
}

static void fn_reverse(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    const uint8_t *s = sqlite3_value_text(argv[0]);
    size_t n = (size_t)sqlite3_value_bytes(argv[0]);
    char *o = sqlite3_malloc((int)n + 1);
    if (!o) {
        sqlite3_result_error_nomem(c);
        return;
    }
    size_t i = 0, w = n;
    while (i < n) {
        size_t st = i;
        utf8_decode(s, n, &i);
        w -= i - st;
        memcpy(o + w, s + st, i - st);
    }
    sqlite3_result_text(c, o, (int)n, sqlite3_free);
}

static void fn_datalength(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    int t = sqlite3_value_type(argv[0]);
    if (t == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    if (t == SQLITE_BLOB || !sqlite3_value_int(argv[1])) {
        sqlite3_result_int64(c, sqlite3_value_bytes(argv[0]));
        return;
    }
    const uint8_t *s = sqlite3_value_text(argv[0]);
    sqlite3_result_int64(c, 2 * (int64_t)utf8_utf16_units(s, (size_t)sqlite3_value_bytes(argv[0])));
}

/* ------------------------------------------------------------ numbers */

static void fn_numfn(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *name = (const char *)sqlite3_value_text(argv[0]);
    if (sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    const struct tl_type *t = type_arg(c, 4, argv[4]);
    int64_t digits = sqlite3_value_int64(argv[2]);
    bool trunc_ = sqlite3_value_int64(argv[3]) != 0;
    if (t && type_is_exact(t->id)) {
        struct value_decimal d;
        const char *txt = (const char *)sqlite3_value_text(argv[1]);
        if (value_decimal_parse(txt, strlen(txt), 38 < 0 ? 0 : (uint8_t)(t->scale), &d)) {
            fail(c, 8115, 16, "Arithmetic overflow error converting expression to data type numeric.");
            return;
        }
        d.scale = t->scale;
        unsigned __int128 p10 = 1;
        int drop = 0;
        if (!strcmp(name, "ABS"))
            d.neg = false;
        else if (!strcmp(name, "SIGN")) {
            unsigned __int128 one = 1;
            for (int i = 0; i < d.scale; i++)
                one *= 10;
            d.mag = d.mag ? one : 0;
        } else {
            if (!strcmp(name, "ROUND"))
                drop = digits >= d.scale ? 0 : (int)(d.scale - digits);
            else
                drop = d.scale;
            if (drop > 38)
                drop = 38;
            for (int i = 0; i < drop; i++)
                p10 *= 10;
            unsigned __int128 q = d.mag / p10, r = d.mag % p10;
            bool up;
            if (!strcmp(name, "ROUND"))
                up = !trunc_ && r * 2 >= p10;
            else if (!strcmp(name, "FLOOR"))
                up = d.neg && r;
            else
                up = !d.neg && r;
            q += up;
            d.mag = q * p10;
            if (!strcmp(name, "FLOOR") || !strcmp(name, "CEILING")) {
                d.mag = q;
                d.scale = 0;
            }
            if (d.mag == 0)
                d.neg = false;
        }
        char out[64];
        size_t n = value_decimal_format(&d, out);
        sqlite3_result_text(c, out, (int)n, SQLITE_TRANSIENT);
        return;
    }
    if (sqlite3_value_type(argv[1]) == SQLITE_INTEGER && (!t || type_is_int(t->id))) {
        int64_t v = sqlite3_value_int64(argv[1]);
        if (!strcmp(name, "ABS"))
            v = v < 0 ? -v : v;
        else if (!strcmp(name, "SIGN"))
            v = v > 0 ? 1 : v < 0 ? -1 : 0;
        else if (!strcmp(name, "ROUND") && digits < 0) {
            int64_t p = 1;
            for (int64_t i = 0; i < -digits && i < 18; i++)
                p *= 10;
            int64_t r = v % p;
            v -= r;
            if (!trunc_ && (r < 0 ? -r : r) * 2 >= p)
                v += r < 0 ? -p : p;
        }
        sqlite3_result_int64(c, v);
        return;
    }
    double v = sqlite3_value_double(argv[1]);
    if (!strcmp(name, "ABS"))
        v = fabs(v);
    else if (!strcmp(name, "FLOOR"))
        v = floor(v);
    else if (!strcmp(name, "CEILING"))
        v = ceil(v);
    else if (!strcmp(name, "SIGN"))
        v = v > 0 ? 1 : v < 0 ? -1 : 0;
    else {
        double p = pow(10, (double)digits);
        v = trunc_ ? trunc(v * p) / p : round(v * p) / p;
    }
    sqlite3_result_double(c, v);
}

static void fn_math(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *n = (const char *)sqlite3_value_text(argv[0]);
    const char *tn = (const char *)sqlite3_value_text(argv[3]);
    if (strcmp(n, "PI") && strcmp(n, "RAND") && sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    double a = sqlite3_value_double(argv[1]), b = sqlite3_value_double(argv[2]), r;
    if (!strcmp(n, "SQRT")) {
        if (a < 0) {
            fail(c, 3623, 16, "An invalid floating point operation occurred.");
            return;
        }
        r = sqrt(a);
    } else if (!strcmp(n, "POWER"))
        r = pow(a, b);
    else if (!strcmp(n, "EXP"))
        r = exp(a);
    else if (!strcmp(n, "LOG") || !strcmp(n, "LOG10")) {
        if (a <= 0) {
            fail(c, 3623, 16, "An invalid floating point operation occurred.");
            return;
        }
        r = !strcmp(n, "LOG10") ? log10(a) : log(a);
    } else if (!strcmp(n, "PI"))
        r = M_PI;
    else if (!strcmp(n, "SQUARE"))
        r = a * a;
    else
        r = (double)(random() % 1000000) / 1000000.0;
    if (tn && (!strcmp(tn, "int") || !strcmp(tn, "bigint"))) {
        sqlite3_result_int64(c, (int64_t)r);
        return;
    }
    if (tn && strncmp(tn, "numeric", 7) == 0) {
        char buf[64];
        snprintf(buf, sizeof(buf), "%.0f", r);
        sqlite3_result_text(c, buf, -1, SQLITE_TRANSIENT);
        return;
    }
    sqlite3_result_double(c, r);
}

/* ------------------------------------------------------------ dates */

static int part_arg(sqlite3_context *c, sqlite3_value *a, enum value_datepart *p)
{
    const char *s = (const char *)sqlite3_value_text(a);
    if (!s || value_datepart_parse(s, strlen(s), p) < 0) {
        fail(c, 155, 15, "'%s' is not a recognized datepart option.", s ? s : "");
        return -1;
    }
    return 0;
}

static void fn_dateadd(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    enum value_datepart p;
    if (sqlite3_value_type(argv[1]) == SQLITE_NULL || sqlite3_value_type(argv[2]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    if (part_arg(c, argv[0], &p))
        return;
    const struct tl_type *t = type_arg(c, 3, argv[3]);
    const char *s = (const char *)sqlite3_value_text(argv[2]);
    char out[64];
    struct value_error ve;
    if (!t || value_dateadd(p, sqlite3_value_int64(argv[1]), t, s, strlen(s), out, &ve)) {
        if (t)
            fail_ve(c, &ve);
        else
            fail(c, 50000, 16, "tdslite: bad type");
        return;
    }
    sqlite3_result_text(c, out, -1, SQLITE_TRANSIENT);
}

static void fn_dateadd_days(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (null_operand(c, argv))
        return;
    const struct tl_type *t = type_arg(c, 2, argv[2]);
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    char out[64];
    struct value_error ve;
    if (!t || value_dateadd(VALUE_DP_DAY, sqlite3_value_int64(argv[1]), t, s, strlen(s), out, &ve)) {
        if (t)
            fail_ve(c, &ve);
        return;
    }
    sqlite3_result_text(c, out, -1, SQLITE_TRANSIENT);
}

static void fn_datediff(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    enum value_datepart p;
    if (sqlite3_value_type(argv[1]) == SQLITE_NULL || sqlite3_value_type(argv[2]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    if (part_arg(c, argv[0], &p))
        return;
    struct tl_type t = {TL_T_DATETIME2, 0, 0, 7};
    const char *a = (const char *)sqlite3_value_text(argv[1]);
    const char *b = (const char *)sqlite3_value_text(argv[2]);
    int64_t r;
    struct value_error ve;
    if (value_datediff(p, &t, a, strlen(a), &t, b, strlen(b), &r, &ve)) {
        fail_ve(c, &ve);
        return;
    }
    const char *tn = (const char *)sqlite3_value_text(argv[3]);
    if (tn && !strcmp(tn, "int") && (r > INT32_MAX || r < INT32_MIN)) {
        fail(c, 535, 16, "The datediff function resulted in an overflow. The number of dateparts separating two date/time instances is too large. Try to use datediff with a less precise datepart.");
        return;
    }
    sqlite3_result_int64(c, r);
}

/* DATEPART's number for (part, value, value's type) in argv[0..2]; false when
 * the result is already set (NULL value) or an error raised. */
static bool datepart_arg(sqlite3_context *c, sqlite3_value **argv, enum value_datepart *p,
                         int64_t *r)
{
    if (sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return false;
    }
    if (part_arg(c, argv[0], p))
        return false;
    const struct tl_type *t = type_arg(c, 2, argv[2]);
    const char *s = (const char *)sqlite3_value_text(argv[1]);
    struct value_error ve;
    if (!t)
        return false;
    if (value_datepart(*p, t, s, strlen(s), r, &ve)) {
        fail_ve(c, &ve);
        return false;
    }
    return true;
}

static void fn_datepart(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    enum value_datepart p;
    int64_t r;
    if (datepart_arg(c, argv, &p, &r))
        sqlite3_result_int64(c, r);
}

static void fn_datename(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    static const char *months[] = {"January", "February", "March", "April", "May", "June", "July",
                                   "August", "September", "October", "November", "December"};
    static const char *days[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday",
                                 "Friday", "Saturday"};
    enum value_datepart p;
    int64_t r;
    (void)argc;
    if (!datepart_arg(c, argv, &p, &r))
        return;
    if (p == VALUE_DP_MONTH && r >= 1 && r <= 12)
        sqlite3_result_text(c, months[r - 1], -1, SQLITE_STATIC);
    else if (p == VALUE_DP_WEEKDAY && r >= 1 && r <= 7)
        sqlite3_result_text(c, days[r - 1], -1, SQLITE_STATIC);
    else {
        char b[32];
        snprintf(b, sizeof(b), "%lld", (long long)r);
        sqlite3_result_text(c, b, -1, SQLITE_TRANSIENT);
    }
}

/* ------------------------------------------------------------ catalog */

static void fn_db_name(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct db_entry d;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL ||
        catalog_find_db_id(sess(c)->eng, sqlite3_value_int(argv[0]), &d)) {
        sqlite3_result_null(c);
        return;
    }
    sqlite3_result_text(c, d.name, -1, SQLITE_TRANSIENT);
}

static void fn_db_id(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct db_entry d;
    const char *n = (const char *)sqlite3_value_text(argv[0]);
    if (!n || catalog_find_db(sess(c)->eng, n, &d)) {
        sqlite3_result_null(c);
        return;
    }
    sqlite3_result_int(c, d.id);
}

static void fn_object_id(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *n = (const char *)sqlite3_value_text(argv[0]);
    const char *t = (const char *)sqlite3_value_text(argv[1]);
    if (!n) {
        sqlite3_result_null(c);
        return;
    }
    int64_t id = catalog_object_id(sess(c), n, t);
    if (id)
        sqlite3_result_int64(c, id);
    else
        sqlite3_result_null(c);
}

static void query_text(sqlite3_context *c, const char *sql)
{
    struct engine_session *s = sess(c);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        sqlite3_result_value(c, sqlite3_column_value(st, 0));
    else
        sqlite3_result_null(c);
    sqlite3_finalize(st);
}

static void fn_object_name(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct engine_session *s = sess(c);
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    int dbid = sqlite3_value_type(argv[1]) == SQLITE_NULL ? s->dbid : sqlite3_value_int(argv[1]);
    bool schema = sqlite3_value_int(argv[2]) != 0;
    bool attached = false;
    for (int i = 0; i < s->nattached; i++)
        attached |= s->attached[i] == dbid;
    if (!attached) {
        sqlite3_result_null(c);
        return;
    }
    char *sql = schema ? sqlite3_mprintf("SELECT s.name FROM \"d%d\".tl_objects o JOIN \"d%d\".tl_schemas s USING(schema_id) WHERE object_id = %lld",
                                         dbid, dbid, (long long)sqlite3_value_int64(argv[0]))
                       : sqlite3_mprintf("SELECT name FROM \"d%d\".tl_objects WHERE object_id = %lld", dbid,
                                         (long long)sqlite3_value_int64(argv[0]));
    query_text(c, sql);
    sqlite3_free(sql);
}

static void fn_schema_name(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    char *sql = sqlite3_mprintf("SELECT name FROM \"d%d\".tl_schemas WHERE schema_id = %d", sess(c)->dbid,
                                sqlite3_value_int(argv[0]));
    query_text(c, sql);
    sqlite3_free(sql);
}

static void fn_schema_id(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *n = (const char *)sqlite3_value_text(argv[0]);
    int id = n ? catalog_schema_id(sess(c), sess(c)->dbid, n) : -1;
    if (id < 0)
        sqlite3_result_null(c);
    else
        sqlite3_result_int(c, id);
}

static void fn_ident_current(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *n = (const char *)sqlite3_value_text(argv[0]);
    struct engine_session *s = sess(c);
    if (!n) {
        sqlite3_result_null(c);
        return;
    }
    int64_t id = catalog_object_id(s, n, "U");
    if (!id) {
        sqlite3_result_null(c);
        return;
    }
    char *sql = sqlite3_mprintf("SELECT CAST(coalesce(ident_current, seed) AS TEXT) FROM \"d%d\".tl_columns WHERE object_id = %lld AND is_identity = 1",
                                s->dbid, (long long)id);
    query_text(c, sql);
    sqlite3_free(sql);
}

static void fn_quotename(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    const char *q = (const char *)sqlite3_value_text(argv[1]);
    char open = q && *q ? q[0] : '[';
    char close = open == '[' || open == ']' ? ']' : open == '(' ? ')' : open == '<' ? '>' : open == '{' ? '}' : open;
    if (open == ']')
        open = '[';
    if (!strchr("[]\"'()<>{}`", open)) {
        sqlite3_result_null(c);
        return;
    }
    if (utf8_utf16_units((const uint8_t *)s, strlen(s)) > 128) {
        sqlite3_result_null(c);
        return;
    }
    struct buf b;
    buf_init(&b, 0);
    buf_append_byte(&b, (uint8_t)open);
    for (const char *p = s; *p; p++) {
        buf_append_byte(&b, (uint8_t)*p);
        if (*p == close)
            buf_append_byte(&b, (uint8_t)*p);
    }
    buf_append_byte(&b, (uint8_t)close);
    sqlite3_result_text(c, (char *)b.data, (int)b.len, SQLITE_TRANSIENT);
    buf_free(&b);
}

static void fn_serverproperty(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *n = (const char *)sqlite3_value_text(argv[0]);
    const char *v = NULL;
    if (!n)
        v = NULL;
    else if (ieq(n, "ProductVersion"))
        v = "16.0.4003.1";
    else if (ieq(n, "ProductLevel"))
        v = "RTM";
    else if (ieq(n, "Edition"))
        v = "Developer Edition (64-bit)";
    else if (ieq(n, "EngineEdition")) {
        sqlite3_result_int(c, 3);
        return;
    } else if (ieq(n, "ServerName") || ieq(n, "MachineName"))
        v = "tdslite";
    else if (ieq(n, "Collation"))
        v = "SQL_Latin1_General_CP1_CI_AS";
    else if (ieq(n, "IsHadrEnabled") || ieq(n, "IsClustered") || ieq(n, "IsIntegratedSecurityOnly")) {
        sqlite3_result_int(c, 0);
        return;
    } else if (ieq(n, "ProductMajorVersion"))
        v = "16";
    if (v)
        sqlite3_result_text(c, v, -1, SQLITE_STATIC);
    else
        sqlite3_result_null(c);
}

/* CHAR(n): the code page 1252 character of byte n, NULL outside 0..255. */
static void fn_char(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    int64_t n = sqlite3_value_int64(argv[0]);
    if (n < 0 || n > 255) {
        sqlite3_result_null(c);
        return;
    }
    int32_t cp = value_cp1252_to_unicode((uint8_t)n);
    char out[4];
    int len;
    if (cp < 0x80) {
        out[0] = (char)cp;
        len = 1;
    } else if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        len = 2;
    } else {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        len = 3;
    }
    sqlite3_result_text(c, out, len, SQLITE_TRANSIENT);
}

static void fn_isnumeric(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    int t = sqlite3_value_type(argv[0]);
    if (t == SQLITE_INTEGER || t == SQLITE_FLOAT) {
        sqlite3_result_int(c, 1);
        return;
    }
    if (t != SQLITE_TEXT) {
        sqlite3_result_int(c, 0);
        return;
    }
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    char *end;
    while (*s == ' ')
        s++;
    if (!*s) {
        sqlite3_result_int(c, 0);
        return;
    }
    strtod(s, &end);
    while (*end == ' ')
        end++;
    sqlite3_result_int(c, *end == 0 && end != s);
}

static void fn_hashbytes(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    fail(c, 50000, 16, "HASHBYTES is not supported by tdslite.");
}

/* sys.columns helpers over the stored type id. */
static struct tl_type stored_type(sqlite3_value **argv, int n)
{
    struct tl_type t = {(enum tl_type_id)sqlite3_value_int(argv[0]), 0, 0, 0};
    if (n > 1)
        t.length = sqlite3_value_int(argv[1]);
    if (n > 2)
        t.precision = (uint8_t)sqlite3_value_int(argv[2]);
    if (n > 3)
        t.scale = (uint8_t)sqlite3_value_int(argv[3]);
    return t;
}

static void fn_systype(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    sqlite3_result_int(c, value_type_system_type_id((enum tl_type_id)sqlite3_value_int(argv[0])));
}

static void fn_typename(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *n = value_type_base_name((enum tl_type_id)sqlite3_value_int(argv[0]));
    sqlite3_result_text(c, n ? n : "", -1, SQLITE_STATIC);
}

/* sys.columns facts of a stored (declared) type: every declaration in
 * tl_columns carries its length/precision/scale, so nothing is defaulted
 * here (time(0) is max_length 3, precision 8). sys.types has its own
 * table of the type families (catalog.c). */
static void fn_maxlen(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    struct tl_type t = stored_type(argv, argc);
    if (t.id == TL_T_TEXT || t.id == TL_T_NTEXT || t.id == TL_T_IMAGE) {
        sqlite3_result_int(c, 16);
        return;
    }
    sqlite3_result_int(c, value_type_max_length(&t));
}

/* Precision as sys.columns reports it for a declared type. */
static int declared_precision(enum tl_type_id id, int p, int s)
{
    switch (id) {
    case TL_T_BIT: return 1;
    case TL_T_TINYINT: return 3;
    case TL_T_SMALLINT: return 5;
    case TL_T_INT: return 10;
    case TL_T_BIGINT: return 19;
    case TL_T_DECIMAL: case TL_T_NUMERIC: return p ? p : 18;
    case TL_T_MONEY: return 19;
    case TL_T_SMALLMONEY: return 10;
    case TL_T_REAL: return 24;
    case TL_T_FLOAT: return 53;
    case TL_T_DATE: return 10;
    case TL_T_TIME: return s ? 9 + s : 8;
    case TL_T_DATETIME: return 23;
    case TL_T_SMALLDATETIME: return 16;
    case TL_T_DATETIME2: return s ? 20 + s : 19;
    case TL_T_DATETIMEOFFSET: return s ? 27 + s : 26;
    default: return 0;
    }
}

static void fn_sysprec(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    enum tl_type_id id = (enum tl_type_id)sqlite3_value_int(argv[0]);
    int p = argc > 1 ? sqlite3_value_int(argv[1]) : 0;
    int s = argc > 2 ? sqlite3_value_int(argv[2]) : 0;
    sqlite3_result_int(c, declared_precision(id, p, s));
}

static void fn_type_name(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *n = sqlite3_value_type(argv[0]) == SQLITE_NULL ? NULL
                                                              : catalog_type_name(sqlite3_value_int(argv[0]));
    if (n)
        sqlite3_result_text(c, n, -1, SQLITE_STATIC);
    else
        sqlite3_result_null(c);
}

static void fn_type_id(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *n = (const char *)sqlite3_value_text(argv[0]);
    int id = n ? catalog_type_id(n) : 0;
    if (id)
        sqlite3_result_int(c, id);
    else
        sqlite3_result_null(c);
}

/* COLUMNPROPERTY(object_id, column, property) for a column of a table of
 * the current database: AllowsNull, IsIdentity, IsComputed, IsRowGuidCol,
 * ColumnId, Precision (characters for strings, -1 for max), Scale (NULL
 * for types without one), IsIdNotForRepl; NULL for anything else. */
static void fn_columnproperty(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct engine_session *s = sess(c);
    const char *col = (const char *)sqlite3_value_text(argv[1]);
    const char *prop = (const char *)sqlite3_value_text(argv[2]);
    sqlite3_stmt *st = NULL;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || !col || !prop) {
        sqlite3_result_null(c);
        return;
    }
    char *sql = sqlite3_mprintf("SELECT column_id, type_id, length, prec, scale, nullable, is_identity"
                                " FROM \"d%d\".tl_columns WHERE object_id = %lld AND name = ?",
                                s->dbid, (long long)sqlite3_value_int64(argv[0]));
    if (!sql || sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_text(st, 1, col, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_result_null(c);
        goto out;
    }
    enum tl_type_id id = (enum tl_type_id)sqlite3_column_int(st, 1);
    int len = sqlite3_column_int(st, 2), p = sqlite3_column_int(st, 3), sc = sqlite3_column_int(st, 4);
    if (ieq(prop, "AllowsNull"))
        sqlite3_result_int(c, sqlite3_column_int(st, 5) != 0);
    else if (ieq(prop, "IsIdentity"))
        sqlite3_result_int(c, sqlite3_column_int(st, 6) != 0);
    else if (ieq(prop, "ColumnId"))
        sqlite3_result_int(c, sqlite3_column_int(st, 0));
    else if (ieq(prop, "IsComputed") || ieq(prop, "IsRowGuidCol") || ieq(prop, "IsIdNotForRepl") ||
             ieq(prop, "IsSparse") || ieq(prop, "IsColumnSet") || ieq(prop, "IsFulltextIndexed"))
        sqlite3_result_int(c, 0);
    else if (ieq(prop, "Precision")) {
        if (type_is_string(id) || type_is_binary(id))
            sqlite3_result_int(c, len == TL_MAX ? -1 : len);
        else if (id == TL_T_UNIQUEIDENTIFIER)
            sqlite3_result_int(c, 16);
        else
            sqlite3_result_int(c, declared_precision(id, p, sc));
    } else if (ieq(prop, "Scale")) {
        if (type_is_int(id) || type_is_exact(id) || id == TL_T_DATETIME || id == TL_T_TIME ||
            id == TL_T_DATETIME2 || id == TL_T_DATETIMEOFFSET)
            sqlite3_result_int(c, id == TL_T_MONEY || id == TL_T_SMALLMONEY ? 4 : id == TL_T_DATETIME ? 3 : type_is_int(id) ? 0 : sc);
        else
            sqlite3_result_null(c);
    } else
        sqlite3_result_null(c);
out:
    sqlite3_finalize(st);
    sqlite3_free(sql);
}

/* tl_rowversion(n): the 8-byte big-endian rowversion of counter value n. */
static void fn_rowversion(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    uint8_t b[8];
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(c);
        return;
    }
    catalog_rowversion_bytes(sqlite3_value_int64(argv[0]), b);
    sqlite3_result_blob(c, b, 8, SQLITE_TRANSIENT);
}

static void fn_sysscale(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    enum tl_type_id id = (enum tl_type_id)sqlite3_value_int(argv[0]);
    int s = sqlite3_value_int(argv[1]);
    int r = 0;
    if (id == TL_T_DECIMAL || id == TL_T_NUMERIC || id == TL_T_TIME || id == TL_T_DATETIME2 ||
        id == TL_T_DATETIMEOFFSET)
        r = s;
    else if (id == TL_T_MONEY || id == TL_T_SMALLMONEY)
        r = 4;
    else if (id == TL_T_DATETIME)
        r = 3;
    sqlite3_result_int(c, r);
}

static void fn_charlen(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    enum tl_type_id id = (enum tl_type_id)sqlite3_value_int(argv[0]);
    int len = sqlite3_value_int(argv[1]);
    bool octet = sqlite3_value_int(argv[2]) != 0;
    if (id == TL_T_TEXT || id == TL_T_IMAGE) {
        sqlite3_result_int(c, 2147483647);
        return;
    }
    if (id == TL_T_NTEXT) {
        sqlite3_result_int(c, octet ? 2147483646 : 1073741823);
        return;
    }
    if (!type_is_string(id) && !type_is_binary(id)) {
        sqlite3_result_null(c);
        return;
    }
    if (len == TL_MAX || id == TL_T_XML) {
        sqlite3_result_int(c, -1);
        return;
    }
    sqlite3_result_int(c, octet && type_is_unicode(id) ? len * 2 : len);
}

static void fn_numprec(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    enum tl_type_id id = (enum tl_type_id)sqlite3_value_int(argv[0]);
    if (!type_is_int(id) && !type_is_exact(id) && id != TL_T_REAL && id != TL_T_FLOAT) {
        sqlite3_result_null(c);
        return;
    }
    if (id == TL_T_BIT) {
        sqlite3_result_null(c);
        return;
    }
    fn_sysprec(c, argc, argv);
}

static void fn_numscale(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    enum tl_type_id id = (enum tl_type_id)sqlite3_value_int(argv[0]);
    if ((!type_is_int(id) && !type_is_exact(id)) || id == TL_T_BIT) {
        sqlite3_result_null(c);
        return;
    }
    fn_sysscale(c, argc, argv);
}

static void fn_dtprec(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    enum tl_type_id id = (enum tl_type_id)sqlite3_value_int(argv[0]);
    int s = sqlite3_value_int(argv[1]);
    if (!type_is_datetime(id)) {
        sqlite3_result_null(c);
        return;
    }
    sqlite3_result_int(c, id == TL_T_DATE || id == TL_T_SMALLDATETIME ? 0 : id == TL_T_DATETIME ? 3 : s);
}

/* ------------------------------------------------------------ registration */

static int progress(void *u)
{
    struct engine_session *s = u;
    return exec_poll_cancel(s) ? 1 : 0;
}

int fn_register(struct engine_session *s)
{
    static const struct {
        const char *name;
        int nargs;
        bool det;
        void (*fn)(sqlite3_context *, int, sqlite3_value **);
    } fns[] = {
        {"tl_cv", 5, true, fn_cv},
        {"tl_cv", 4, true, fn_cv},
        {"tl_int", 2, true, fn_int},
        {"tl_idiv", 2, true, fn_idiv},
        {"tl_imod", 2, true, fn_imod},
        {"tl_fdiv", 2, true, fn_fdiv},
        {"tl_fmod", 2, true, fn_fmod},
        {"tl_one", 2, true, fn_one},
        {"tl_like", 3, true, fn_like},
        {"tl_upper", 1, true, fn_upper},
        {"tl_lower", 1, true, fn_lower},
        {"tl_substring", 3, true, fn_substring},
        {"tl_right", 2, true, fn_right},
        {"tl_replace", 3, true, fn_replace},
        {"tl_charindex", 3, true, fn_charindex},
        {"tl_replicate", 2, true, fn_replicate},
        {"tl_replicate", 4, true, fn_replicate},
        {"tl_reverse", 1, true, fn_reverse},
        {"tl_datalength", 2, true, fn_datalength},
        {"tl_numfn", 5, true, fn_numfn},
        {"tl_math", 4, false, fn_math},
        {"tl_dateadd", 4, true, fn_dateadd},
        {"tl_dateadd_days", 3, true, fn_dateadd_days},
        {"tl_datediff", 4, true, fn_datediff},
        {"tl_datepart", 3, true, fn_datepart},
        {"tl_datename", 3, true, fn_datename},
        {"tl_db_name", 1, false, fn_db_name},
        {"tl_db_id", 1, false, fn_db_id},
        {"tl_object_id", 2, false, fn_object_id},
        {"tl_object_name", 3, false, fn_object_name},
        {"tl_schema_name", 1, false, fn_schema_name},
        {"tl_schema_id", 1, false, fn_schema_id},
        {"tl_ident_current", 1, false, fn_ident_current},
        {"tl_quotename", 2, true, fn_quotename},
        {"tl_serverproperty", 1, true, fn_serverproperty},
        {"tl_isnumeric", 1, true, fn_isnumeric},
        {"tl_char", 1, true, fn_char},
        {"tl_hashbytes", 3, true, fn_hashbytes},
        {"tl_systype", 1, true, fn_systype},
        {"tl_typename", 1, true, fn_typename},
        {"tl_maxlen", 4, true, fn_maxlen},
        {"tl_sysprec", 3, true, fn_sysprec},
        {"tl_sysscale", 2, true, fn_sysscale},
        {"tl_charlen", 3, true, fn_charlen},
        {"tl_numprec", 2, true, fn_numprec},
        {"tl_numscale", 2, true, fn_numscale},
        {"tl_dtprec", 2, true, fn_dtprec},
        {"tl_type_name", 1, true, fn_type_name},
        {"tl_type_id", 1, true, fn_type_id},
        {"tl_columnproperty", 3, false, fn_columnproperty},
        {"tl_rowversion", 1, true, fn_rowversion},
    };
    int rc = value_register_sqlite(s->db);
    if (rc != SQLITE_OK)
        return rc;
    for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
        rc = sqlite3_create_function_v2(s->db, fns[i].name, fns[i].nargs,
                                        SQLITE_UTF8 | (fns[i].det ? SQLITE_DETERMINISTIC : 0), s,
                                        fns[i].fn, NULL, NULL, NULL);
        if (rc != SQLITE_OK)
            return rc;
    }
    rc = sqlite3_create_function_v2(s->db, "tl_iavg", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, s,
                                    NULL, iavg_step, iavg_final, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_collation_v2(s->db, "TL_CI", SQLITE_UTF8, NULL, coll_ci, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_collation_v2(s->db, "TL_DEC", SQLITE_UTF8, NULL, coll_dec, NULL);
    if (rc == SQLITE_OK)
        rc = sec_register(s);
    if (rc == SQLITE_OK)
        rc = ct_register(s);
    if (rc == SQLITE_OK)
        rc = cdc_fn_register(s); /* tl_cdc_* (cdc_fn.c) */
    sqlite3_progress_handler(s->db, 4000, progress, s);
    return rc;
}
