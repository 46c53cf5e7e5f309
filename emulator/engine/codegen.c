/*
 * codegen: resolve names and types of an expression or query AST against
 * the catalog and generate the SQLite SQL that computes it.
 *
 * Every generated expression carries its SQL Server type, inferred with SQL
 * Server's rules (literal 1 -> int, 'a' -> varchar(1), 1.5 -> numeric(2,1),
 * decimal p/s arithmetic, precedence for comparisons and CASE). Values in
 * SQLite are the canonical forms of sqltype.h, so the SQL written here never
 * lets SQLite reinterpret them: decimals are TEXT and computed exactly by
 * tl_dec(); comparisons convert the lower-precedence side with tl_cv() and
 * use the TL_CI (strings) or TL_DEC (decimals) collations; integer results
 * are range-checked by tl_int(); division by zero raises 8134.
 *
 * Variables become numbered parameters (?N) bound by exec from the session.
 * Errors are reported in g->err with SQL Server numbers (207, 208, 209, 137,
 * 8120, ...). Nothing unknown is passed through to SQLite.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/utf8.h"
#include "eng.h"

/* ------------------------------------------------------------ types */

bool type_is_string(enum tl_type_id id)
{
    return id == TL_T_CHAR || id == TL_T_VARCHAR || id == TL_T_NCHAR || id == TL_T_NVARCHAR ||
           id == TL_T_TEXT || id == TL_T_NTEXT || id == TL_T_XML;
}
bool type_is_unicode(enum tl_type_id id)
{
    return id == TL_T_NCHAR || id == TL_T_NVARCHAR || id == TL_T_NTEXT || id == TL_T_XML;
}
bool type_is_int(enum tl_type_id id)
{
    return id == TL_T_BIT || id == TL_T_TINYINT || id == TL_T_SMALLINT || id == TL_T_INT ||
           id == TL_T_BIGINT;
}
bool type_is_exact(enum tl_type_id id)
{
    return id == TL_T_DECIMAL || id == TL_T_NUMERIC || id == TL_T_MONEY || id == TL_T_SMALLMONEY;
}
static bool type_is_float(enum tl_type_id id) { return id == TL_T_REAL || id == TL_T_FLOAT; }
static bool type_is_numeric(enum tl_type_id id)
{
    return type_is_int(id) || type_is_exact(id) || type_is_float(id);
}
bool type_is_datetime(enum tl_type_id id)
{
    return id == TL_T_DATE || id == TL_T_TIME || id == TL_T_DATETIME ||
           id == TL_T_SMALLDATETIME || id == TL_T_DATETIME2 || id == TL_T_DATETIMEOFFSET;
}
bool type_is_binary(enum tl_type_id id)
{
    return id == TL_T_BINARY || id == TL_T_VARBINARY || id == TL_T_IMAGE || id == TL_T_ROWVERSION;
}

/* SQL Server data type precedence (higher wins). */
int type_precedence(enum tl_type_id id)
{
    switch (id) {
    case TL_T_SQL_VARIANT: return 27;
    case TL_T_XML: return 26;
    case TL_T_DATETIMEOFFSET: return 25;
    case TL_T_DATETIME2: return 24;
    case TL_T_DATETIME: return 23;
    case TL_T_SMALLDATETIME: return 22;
    case TL_T_DATE: return 21;
    case TL_T_TIME: return 20;
    case TL_T_FLOAT: return 19;
    case TL_T_REAL: return 18;
    case TL_T_DECIMAL: return 17;
    case TL_T_NUMERIC: return 17;
    case TL_T_MONEY: return 16;
    case TL_T_SMALLMONEY: return 15;
    case TL_T_BIGINT: return 14;
    case TL_T_INT: return 13;
    case TL_T_SMALLINT: return 12;
    case TL_T_TINYINT: return 11;
    case TL_T_BIT: return 10;
    case TL_T_NTEXT: return 9;
    case TL_T_TEXT: return 8;
    case TL_T_IMAGE: return 7;
    case TL_T_ROWVERSION: return 6;
    case TL_T_UNIQUEIDENTIFIER: return 5;
    case TL_T_NVARCHAR: return 4;
    case TL_T_NCHAR: return 3;
    case TL_T_VARCHAR: return 2;
    case TL_T_CHAR: return 1;
    case TL_T_VARBINARY: return 0;
    case TL_T_BINARY: return -1;
    default: return -10;
    }
}

void type_name(const struct tl_type *t, char *out, size_t cap)
{
    if (t->id == TL_T_UNKNOWN) {
        snprintf(out, cap, "int");
        return;
    }
    value_type_name(t, out, cap);
}

static struct tl_type mk(enum tl_type_id id, int32_t len, int p, int s)
{
    struct tl_type t = {id, len, (uint8_t)p, (uint8_t)s};
    if (id == TL_T_FLOAT && !p)
        t.precision = 53;
    if (id == TL_T_REAL && !p)
        t.precision = 24;
    return t;
}

/* decimal(p,s) view of an exact or integer type. */
static void as_decimal(const struct tl_type *t, int *p, int *s)
{
    switch (t->id) {
    case TL_T_BIT: *p = 1; *s = 0; break;
    case TL_T_TINYINT: *p = 3; *s = 0; break;
    case TL_T_SMALLINT: *p = 5; *s = 0; break;
    case TL_T_INT: *p = 10; *s = 0; break;
    case TL_T_BIGINT: *p = 19; *s = 0; break;
    case TL_T_MONEY: *p = 19; *s = 4; break;
    case TL_T_SMALLMONEY: *p = 10; *s = 4; break;
    case TL_T_DECIMAL:
    case TL_T_NUMERIC: *p = t->precision; *s = t->scale; break;
    default: *p = 38; *s = 0; break;
    }
}

static struct tl_type dec_result(int p, int s)
{
    if (p > 38) {
        int intdig = p - s;
        int ms = s < 6 ? s : 6;
        s = 38 - intdig > ms ? 38 - intdig : ms;
        p = 38;
    }
    if (s > p)
        s = p;
    return mk(TL_T_NUMERIC, 0, p, s);
}

/* ------------------------------------------------------------ gen state */

void codegen_gen_init(struct gen *g, struct engine_session *s)
{
    memset(g, 0, sizeof(*g));
    g->s = s;
    g->a = &s->ba;
    buf_init(&g->sql, 64u << 20);
}

void codegen_gen_free(struct gen *g) { buf_free(&g->sql); }

int codegen_err(struct gen *g, int number, int severity, const char *fmt, ...)
{
    if (g->failed)
        return -1;
    g->failed = true;
    g->err.number = number;
    g->err.severity = severity;
    g->err.state = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g->err.text, sizeof(g->err.text), fmt, ap);
    va_end(ap);
    return -1;
}

#define OUT(...) buf_appendf(&g->sql, __VA_ARGS__)
#define OUTS(str) buf_append_str(&g->sql, str)

static void out_quoted(struct gen *g, const char *s, size_t n)
{
    buf_append_byte(&g->sql, '\'');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'')
            buf_append_byte(&g->sql, '\'');
        if (s[i] == 0) { /* NUL inside a string literal: keep SQL text valid */
            OUTS("'||char(0)||'");
            continue;
        }
        buf_append_byte(&g->sql, (uint8_t)s[i]);
    }
    buf_append_byte(&g->sql, '\'');
}

static int add_param(struct gen *g, const char *name)
{
    for (int i = 0; i < g->nparams; i++)
        if (ieq(g->params[i], name))
            return i + 1;
    if (g->nparams == g->capparams) {
        int nc = g->capparams ? g->capparams * 2 : 8;
        char **np = arena_alloc(g->a, sizeof(char *) * (size_t)nc);
        if (!np)
            return -1;
        if (g->nparams)
            memcpy(np, g->params, sizeof(char *) * (size_t)g->nparams);
        g->params = np;
        g->capparams = nc;
    }
    g->params[g->nparams++] = arena_strdup(g->a, name);
    return g->nparams;
}

/* Generate e into a separate string (used to wrap or duplicate). */
static char *sub_expr(struct gen *g, struct scope *sc, struct expr *e, struct tl_type *ty,
                      bool *nullable)
{
    size_t mark = g->sql.len;
    if (codegen_expr(g, sc, e, ty, nullable))
        return NULL;
    char *s = arena_strndup(g->a, (char *)g->sql.data + mark, g->sql.len - mark);
    buf_truncate(&g->sql, mark);
    return s;
}

/* SQL converting sql (of type from) to type to, as an implicit conversion. */
static char *conv_sql(struct gen *g, const char *sql, const struct tl_type *from,
                      const struct tl_type *to)
{
    char tf[64], tt[64];
    if (from->id == to->id && from->length == to->length && from->precision == to->precision &&
        from->scale == to->scale)
        return (char *)sql;
    if (from->id == TL_T_UNKNOWN)
        return (char *)sql;
    if (type_is_int(from->id) && type_is_int(to->id) && type_precedence(to->id) >= type_precedence(from->id))
        return (char *)sql;
    if (type_is_string(from->id) && type_is_string(to->id) &&
        (to->length == TL_MAX || (from->length != TL_MAX && to->length >= from->length)) &&
        !(to->id == TL_T_CHAR || to->id == TL_T_NCHAR))
        return (char *)sql;
    type_name(from, tf, sizeof(tf));
    type_name(to, tt, sizeof(tt));
    return arena_printf(g->a, "tl_cv(%s,'%s',-1,0,'%s')", sql, tt, tf);
}

/* ------------------------------------------------------------ names */

static struct colinfo *find_col(struct gen *g, struct scope *sc, struct expr *e, int *depth)
{
    const char *qual = e->nq ? e->q[e->nq - 1] : NULL;
    *depth = 0;
    for (struct scope *s = sc; s; s = s->parent, (*depth)++) {
        struct colinfo *found = NULL;
        for (int i = 0; i < s->nsrcs; i++) {
            struct src *sr = &s->srcs[i];
            if (qual && !(sr->alias && ieq(sr->alias, qual)) &&
                !(!sr->alias && sr->tname && ieq(sr->tname, qual)) &&
                !(sr->tname && ieq(sr->tname, qual) && sr->alias && ieq(sr->alias, sr->tname)))
                continue;
            if (qual && e->nq >= 2 && sr->schema && !ieq(sr->schema, e->q[e->nq - 2]))
                continue;
            for (int c = 0; c < sr->ncols; c++) {
                if (ieq(sr->cols[c].name, e->s)) {
                    if (found) {
                        codegen_err(g, 209, 16, "Ambiguous column name '%s'.", e->s);
                        return NULL;
                    }
                    found = &sr->cols[c];
                    if (sr->nullable_side)
                        found->nullable = true;
                }
            }
        }
        if (found)
            return found;
    }
    if (qual) {
        /* Is the qualifier itself unknown? SQL Server says 4104. */
        char full[600];
        snprintf(full, sizeof(full), "%s%s%s%s%s", e->nq >= 2 ? e->q[e->nq - 2] : "",
                 e->nq >= 2 ? "." : "", qual, ".", e->s);
        bool qual_known = false;
        for (struct scope *s = sc; s; s = s->parent)
            for (int i = 0; i < s->nsrcs; i++)
                if ((s->srcs[i].alias && ieq(s->srcs[i].alias, qual)) ||
                    (s->srcs[i].tname && ieq(s->srcs[i].tname, qual)))
                    qual_known = true;
        if (!qual_known) {
            codegen_err(g, 4104, 16, "The multi-part identifier \"%s\" could not be bound.", full);
            return NULL;
        }
    }
    codegen_err(g, 207, 16, "Invalid column name '%s'.", e->s);
    return NULL;
}

/* ------------------------------------------------------------ literals */

static int gen_literal(struct gen *g, struct expr *e, struct tl_type *ty)
{
    switch (e->kind) {
    case EX_NULL:
        *ty = mk(TL_T_UNKNOWN, 0, 0, 0);
        OUTS("NULL");
        return 0;
    case EX_INT: {
        const char *d = e->s;
        bool neg = d[0] == '-';
        size_t nd = strlen(d) - (neg ? 1 : 0);
        long long v = nd <= 18 ? strtoll(d, NULL, 10) : 0;
        if (nd <= 10 && v >= INT32_MIN && v <= INT32_MAX) {
            *ty = mk(TL_T_INT, 0, 0, 0);
            OUT("%lld", v);
        } else if (nd <= 18 || (nd == 19 && strtoull(d + neg, NULL, 10) <= (neg ? 9223372036854775808ULL : 9223372036854775807ULL))) {
            /* SQL Server types integer literals beyond int as numeric(p,0) */
            *ty = mk(TL_T_NUMERIC, 0, (int)nd, 0);
            out_quoted(g, d, strlen(d));
        } else {
            if (nd > 38)
                return codegen_err(g, 1007, 15,
                                   "The number '%s' is out of the range for numeric representation (maximum precision 38).",
                                   d);
            *ty = mk(TL_T_NUMERIC, 0, (int)nd, 0);
            out_quoted(g, d, strlen(d));
        }
        return 0;
    }
    case EX_DEC: {
        const char *d = e->s;
        bool neg = d[0] == '-';
        const char *dot = strchr(d, '.');
        int ip = 0, fp = 0;
        for (const char *c = d + neg; c < dot; c++)
            ip++;
        fp = (int)strlen(dot + 1);
        /* leading zeros of the integral part do not count */
        const char *c = d + neg;
        while (ip > 0 && *c == '0') {
            ip--;
            c++;
        }
        int p = ip + fp, sc = fp;
        if (p == 0)
            p = 1;
        if (p > 38)
            return codegen_err(g, 1007, 15,
                               "The number '%s' is out of the range for numeric representation (maximum precision 38).",
                               d);
        *ty = mk(TL_T_NUMERIC, 0, p, sc);
        struct value_decimal dv;
        char txt[48];
        if (value_decimal_parse(d, strlen(d), (uint8_t)sc, &dv))
            return codegen_err(g, 8115, 16, "Arithmetic overflow error converting expression to data type numeric.");
        size_t n = value_decimal_format(&dv, txt);
        out_quoted(g, txt, n);
        return 0;
    }
    case EX_FLOAT:
        *ty = mk(TL_T_FLOAT, 0, 53, 0);
        OUT("(%s)", e->s);
        /* SQLite parses "1e5" as REAL already; keep it REAL even if integral. */
        buf_truncate(&g->sql, g->sql.len - 1);
        OUTS("*1.0)");
        return 0;
    case EX_STR: {
        int n = (int)e->slen;
        *ty = mk(TL_T_VARCHAR, n > 8000 ? TL_MAX : (n ? n : 1), 0, 0);
        out_quoted(g, e->s, e->slen);
        return 0;
    }
    case EX_NSTR: {
        int n = (int)utf8_utf16_units((const uint8_t *)e->s, e->slen);
        *ty = mk(TL_T_NVARCHAR, n > 4000 ? TL_MAX : (n ? n : 1), 0, 0);
        out_quoted(g, e->s, e->slen);
        return 0;
    }
    case EX_BIN: {
        int n = (int)e->slen;
        *ty = mk(TL_T_VARBINARY, n > 8000 ? TL_MAX : (n ? n : 1), 0, 0);
        OUTS("X'");
        for (size_t i = 0; i < e->slen; i++)
            OUT("%02X", (uint8_t)e->s[i]);
        OUTS("'");
        return 0;
    }
    default:
        return codegen_err(g, 102, 15, "Incorrect syntax near '%s'.", e->s ? e->s : "");
    }
}

/* Now as canonical text of type id (runtime constant per statement). */
static void now_text(struct gen *g, enum tl_type_id id, bool utc, char *out)
{
    struct timespec ts;
    journal_clock_now(g->s->eng, &ts); /* the engine clock (tdslite.advance_clock) */
    time_t t = ts.tv_sec;
    struct tm tm;
    long off = 0;
    if (utc) {
        gmtime_r(&t, &tm);
    } else {
        localtime_r(&t, &tm);
        off = tm.tm_gmtoff;
    }
    struct value_datetime dt = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                                tm.tm_min, tm.tm_sec, (uint32_t)(ts.tv_nsec / 100),
                                (int16_t)(off / 60)};
    struct tl_type ty = mk(id, 0, 0, id == TL_T_DATETIME ? 3 : 7);
    if (id == TL_T_DATETIME) {
        /* datetime ticks are 1/300 s */
        uint32_t ms = dt.frac100ns / 10000;
        uint32_t ticks = (ms * 300 + 500) / 1000;
        uint32_t rms = (ticks * 1000 + 150) / 300;
        if (rms >= 1000)
            rms = 997;
        dt.frac100ns = rms * 10000;
    }
    value_datetime_format(&ty, &dt, out);
}

/*
 * Nullability of @@name as SQL Server describes it: global variables always
 * have a value and are reported NOT NULL (@@ERROR, @@ROWCOUNT, @@SPID ...),
 * except @@IDENTITY, which is NULL before any identity insert, and
 * @@SERVERNAME/@@SERVICENAME, which SQL Server can return as NULL; those
 * stay nullable.
 */
static bool gvar_nullable(const char *n)
{
    return ieq(n, "IDENTITY") || ieq(n, "SERVERNAME") || ieq(n, "SERVICENAME");
}

static int gen_gvar(struct gen *g, struct expr *e, struct tl_type *ty)
{
    struct engine_session *s = g->s;
    const char *n = e->s + 2;
    if (ieq(n, "ROWCOUNT")) {
        *ty = mk(TL_T_INT, 0, 0, 0);
        OUT("%lld", (long long)s->rowcount);
    } else if (ieq(n, "TRANCOUNT")) {
        *ty = mk(TL_T_INT, 0, 0, 0);
        OUT("%d", s->trancount);
    } else if (ieq(n, "ERROR")) {
        *ty = mk(TL_T_INT, 0, 0, 0);
        OUT("%d", s->last_error);
    } else if (ieq(n, "SPID")) {
        *ty = mk(TL_T_SMALLINT, 0, 0, 0);
        OUT("%d", s->spid);
    } else if (ieq(n, "IDENTITY")) {
        *ty = mk(TL_T_NUMERIC, 0, 38, 0);
        if (s->has_ident)
            OUT("'%lld'", (long long)s->last_ident);
        else
            OUTS("NULL");
    } else if (ieq(n, "PROCID")) {
        *ty = mk(TL_T_INT, 0, 0, 0);
        OUT("%lld", (long long)s->proc_id);
    } else if (ieq(n, "DBTS")) {
        /* the current database's last rowversion, as varbinary(8) */
        *ty = mk(TL_T_VARBINARY, 8, 0, 0);
        OUT("tl_rowversion(%lld)", (long long)catalog_get_dbts(s, s->dbid));
    } else if (ieq(n, "VERSION")) {
        *ty = mk(TL_T_NVARCHAR, 300, 0, 0);
        const char *v = engine_version_string();
        out_quoted(g, v, strlen(v));
    } else if (ieq(n, "SERVERNAME") || ieq(n, "SERVICENAME")) {
        *ty = mk(TL_T_NVARCHAR, 128, 0, 0);
        OUTS(ieq(n, "SERVERNAME") ? "'tdslite'" : "'MSSQLSERVER'");
    } else if (ieq(n, "LANGUAGE")) {
        *ty = mk(TL_T_NVARCHAR, 128, 0, 0);
        OUTS("'us_english'");
    } else if (ieq(n, "MAX_PRECISION") || ieq(n, "DATEFIRST")) {
        *ty = mk(TL_T_TINYINT, 0, 0, 0);
        OUT("%d", ieq(n, "DATEFIRST") ? s->datefirst : 38);
    } else if (ieq(n, "LOCK_TIMEOUT") || ieq(n, "TEXTSIZE") || ieq(n, "OPTIONS") ||
               ieq(n, "FETCH_STATUS") || ieq(n, "NESTLEVEL") || ieq(n, "MICROSOFTVERSION")) {
        *ty = mk(TL_T_INT, 0, 0, 0);
        long v = ieq(n, "LOCK_TIMEOUT") ? s->lock_timeout
                 : ieq(n, "TEXTSIZE")   ? s->textsize
                 : ieq(n, "OPTIONS")    ? 5496
                 : ieq(n, "MICROSOFTVERSION") ? 0x10000FA0L
                 : ieq(n, "NESTLEVEL")  ? s->nestlevel
                                        : 0;
        OUT("%ld", v);
    } else {
        return codegen_err(g, 137, 15, "Must declare the scalar variable \"%s\".", e->s);
    }
    return 0;
}

/* ------------------------------------------------------------ operators */

static bool is_null_type(const struct tl_type *t) { return t->id == TL_T_UNKNOWN; }

/* Common type for comparison / CASE / COALESCE by precedence. */
static struct tl_type common_type(const struct tl_type *a, const struct tl_type *b)
{
    if (is_null_type(a))
        return *b;
    if (is_null_type(b))
        return *a;
    const struct tl_type *hi = type_precedence(a->id) >= type_precedence(b->id) ? a : b;
    const struct tl_type *lo = hi == a ? b : a;
    struct tl_type r = *hi;
    if (type_is_exact(hi->id) && (type_is_exact(lo->id) || type_is_int(lo->id))) {
        int p1, s1, p2, s2;
        as_decimal(a, &p1, &s1);
        as_decimal(b, &p2, &s2);
        int sc = s1 > s2 ? s1 : s2;
        int ip = (p1 - s1) > (p2 - s2) ? (p1 - s1) : (p2 - s2);
        if (hi->id == TL_T_MONEY || hi->id == TL_T_SMALLMONEY)
            return *hi;
        r = dec_result(ip + sc, sc);
        r.id = hi->id;
    } else if (type_is_string(hi->id) && type_is_string(lo->id)) {
        int32_t la = a->length, lb = b->length;
        r.length = (la == TL_MAX || lb == TL_MAX) ? TL_MAX : (la > lb ? la : lb);
        if (type_is_unicode(lo->id) && !type_is_unicode(hi->id))
            r.id = lo->id;
    } else if (type_is_datetime(hi->id) && type_is_datetime(lo->id) &&
               hi->id == lo->id) {
        r.scale = a->scale > b->scale ? a->scale : b->scale;
    }
    return r;
}

/* Comparison of two generated operands with types; writes "(l OP r)". */
static int gen_compare(struct gen *g, const char *ls, const struct tl_type *lt, const char *rs,
                       const struct tl_type *rt, const char *op)
{
    struct tl_type ct = common_type(lt, rt);
    const char *collate = "";
    const char *l = ls, *r = rs;
    if (is_null_type(lt) || is_null_type(rt)) {
        OUT("(%s %s %s)", l, op, r);
        return 0;
    }
    if (type_is_string(ct.id)) {
        collate = " COLLATE TL_CI";
        if (!type_is_string(lt->id))
            l = conv_sql(g, ls, lt, &ct);
        if (!type_is_string(rt->id))
            r = conv_sql(g, rs, rt, &ct);
        if (ct.id == TL_T_TEXT || ct.id == TL_T_NTEXT)
            return codegen_err(g, 402, 16,
                               "The data types text and varchar are incompatible in the equal to operator.");
    } else if (type_is_exact(ct.id)) {
        collate = " COLLATE TL_DEC";
        struct tl_type big = mk(TL_T_NUMERIC, 0, 38, ct.scale);
        if (!type_is_exact(lt->id))
            l = type_is_int(lt->id) ? arena_printf(g->a, "CAST(%s AS TEXT)", ls) : conv_sql(g, ls, lt, &big);
        if (!type_is_exact(rt->id))
            r = type_is_int(rt->id) ? arena_printf(g->a, "CAST(%s AS TEXT)", rs) : conv_sql(g, rs, rt, &big);
    } else if (type_is_float(ct.id)) {
        if (type_is_exact(lt->id))
            l = arena_printf(g->a, "CAST(%s AS REAL)", ls);
        else if (!type_is_numeric(lt->id))
            l = conv_sql(g, ls, lt, &ct);
        if (type_is_exact(rt->id))
            r = arena_printf(g->a, "CAST(%s AS REAL)", rs);
        else if (!type_is_numeric(rt->id))
            r = conv_sql(g, rs, rt, &ct);
    } else if (type_is_int(ct.id)) {
        if (!type_is_int(lt->id))
            l = conv_sql(g, ls, lt, &ct);
        if (!type_is_int(rt->id))
            r = conv_sql(g, rs, rt, &ct);
    } else {
        /* dates, guid, binary: bring both sides to the common type */
        if (lt->id != ct.id || lt->scale != ct.scale)
            l = conv_sql(g, ls, lt, &ct);
        if (rt->id != ct.id || rt->scale != ct.scale)
            r = conv_sql(g, rs, rt, &ct);
        if (ct.id == TL_T_UNIQUEIDENTIFIER)
            collate = " COLLATE NOCASE";
    }
    OUT("(%s %s %s%s)", l, op, r, collate);
    return 0;
}

static const char *cmp_sql(int op)
{
    switch (op) {
    case CMP_EQ: return "=";
    case CMP_NE: return "<>";
    case CMP_LT: return "<";
    case CMP_GT: return ">";
    case CMP_LE: return "<=";
    default: return ">=";
    }
}

static int gen_arith(struct gen *g, struct scope *sc, struct expr *e, struct tl_type *ty,
                     bool *nl)
{
    struct tl_type lt, rt;
    char *l = sub_expr(g, sc, e->a, &lt, NULL);
    char *r = l ? sub_expr(g, sc, e->b, &rt, NULL) : NULL;
    if (!r)
        return -1;
    /* Nullable even for NOT NULL operands: SQL Server reports computed
     * expressions as nullable (overflow yields NULL when ANSI_WARNINGS and
     * ARITHABORT are off), concatenation included. */
    *nl = true;
    int op = e->op;
    if (is_null_type(&lt) && is_null_type(&rt)) {
        *ty = mk(TL_T_INT, 0, 0, 0);
        OUTS("NULL");
        return 0;
    }
    if (is_null_type(&lt))
        lt = rt;
    if (is_null_type(&rt))
        rt = lt;
    /* string concatenation */
    if (op == '+' && type_is_string(lt.id) && type_is_string(rt.id)) {
        struct tl_type ct = common_type(&lt, &rt);
        int32_t len = (lt.length == TL_MAX || rt.length == TL_MAX) ? TL_MAX : lt.length + rt.length;
        int32_t cap = type_is_unicode(ct.id) ? 4000 : 8000;
        if (len != TL_MAX && len > cap)
            len = cap;
        ct.id = type_is_unicode(ct.id) ? TL_T_NVARCHAR : TL_T_VARCHAR;
        ct.length = len;
        *ty = ct;
        OUT("(%s || %s)", l, r);
        return 0;
    }
    if (op == '+' && (type_is_binary(lt.id) && type_is_binary(rt.id))) {
        *ty = mk(TL_T_VARBINARY, TL_MAX, 0, 0);
        OUT("CAST((%s || %s) AS BLOB)", l, r);
        return 0;
    }
    struct tl_type ct = common_type(&lt, &rt);
    if (type_is_string(ct.id) || type_is_binary(ct.id) || ct.id == TL_T_UNIQUEIDENTIFIER) {
        /* string vs string handled above; a string meets a non-number */
        char a1[64], a2[64];
        type_name(&lt, a1, sizeof(a1));
        type_name(&rt, a2, sizeof(a2));
        const char *opname = op == '+' ? "add" : op == '-' ? "subtract" : op == '*' ? "multiply" : op == '/' ? "divide" : "modulo";
        return codegen_err(g, 8117, 16, "Operand data type %s is invalid for %s operator.",
                           value_type_base_name(type_is_string(lt.id) ? lt.id : rt.id), opname);
        (void)a1;
        (void)a2;
    }
    if (type_is_datetime(ct.id)) {
        if ((ct.id == TL_T_DATETIME || ct.id == TL_T_SMALLDATETIME) && (op == '+' || op == '-') &&
            type_is_datetime(lt.id) && !type_is_datetime(rt.id)) {
            *ty = lt;
            OUT("tl_dateadd_days(%s,%s%s,'%s')", l, op == '-' ? "-" : "", r,
                lt.id == TL_T_DATETIME ? "datetime" : "smalldatetime");
            return 0;
        }
        return codegen_err(g, 8117, 16, "Operand data type %s is invalid for %s operator.",
                           value_type_base_name(ct.id), op == '+' ? "add" : "subtract");
    }
    /* non-numeric strings on one side convert to the numeric side */
    if (type_is_string(lt.id)) {
        l = conv_sql(g, l, &lt, &rt);
        lt = rt;
    }
    if (type_is_string(rt.id)) {
        r = conv_sql(g, r, &rt, &lt);
        rt = lt;
    }
    ct = common_type(&lt, &rt);
    if (op == '&' || op == '|' || op == '^') {
        if (!type_is_int(lt.id) || !type_is_int(rt.id))
            return codegen_err(g, 402, 16,
                               "The data types %s and %s are incompatible in the '%c' operator.",
                               value_type_base_name(lt.id), value_type_base_name(rt.id), op);
        *ty = ct;
        if (op == '^')
            OUT("((%s | %s) - (%s & %s))", l, r, l, r);
        else
            OUT("(%s %c %s)", l, op, r);
        return 0;
    }
    if (type_is_int(ct.id)) {
        if (ct.id == TL_T_BIT || ct.id == TL_T_TINYINT || ct.id == TL_T_SMALLINT)
            ct = mk(type_precedence(lt.id) > type_precedence(rt.id) ? lt.id : rt.id, 0, 0, 0);
        if (ct.id == TL_T_BIT)
            ct = mk(TL_T_INT, 0, 0, 0);
        *ty = ct;
        const char *tn = value_type_base_name(ct.id);
        if (op == '/')
            OUT("tl_int(tl_idiv(%s,%s),'%s')", l, r, tn);
        else if (op == '%')
            OUT("tl_imod(%s,%s)", l, r);
        else
            OUT("tl_int((%s %c %s),'%s')", l, op, r, tn);
        return 0;
    }
    if (type_is_float(ct.id)) {
        *ty = mk(ct.id, 0, ct.id == TL_T_REAL ? 24 : 53, 0);
        const char *lc = type_is_exact(lt.id) ? arena_printf(g->a, "CAST(%s AS REAL)", l) : l;
        const char *rc = type_is_exact(rt.id) ? arena_printf(g->a, "CAST(%s AS REAL)", r) : r;
        if (op == '/')
            OUT("tl_fdiv(%s,%s)", lc, rc);
        else if (op == '%')
            OUT("tl_fmod(%s,%s)", lc, rc);
        else
            OUT("(CAST(%s AS REAL) %c %s)", lc, op, rc);
        return 0;
    }
    /* exact decimal arithmetic */
    int p1, s1, p2, s2, p, s;
    as_decimal(&lt, &p1, &s1);
    as_decimal(&rt, &p2, &s2);
    switch (op) {
    case '+':
    case '-':
        s = s1 > s2 ? s1 : s2;
        p = s + ((p1 - s1) > (p2 - s2) ? p1 - s1 : p2 - s2) + 1;
        break;
    case '*':
        p = p1 + p2 + 1;
        s = s1 + s2;
        break;
    case '/':
        s = 6 > s1 + p2 + 1 ? 6 : s1 + p2 + 1;
        p = p1 - s1 + s2 + s;
        break;
    default:
        s = s1 > s2 ? s1 : s2;
        p = ((p1 - s1) < (p2 - s2) ? p1 - s1 : p2 - s2) + s;
        break;
    }
    struct tl_type rtp = dec_result(p, s);
    bool money = (lt.id == TL_T_MONEY || rt.id == TL_T_MONEY || lt.id == TL_T_SMALLMONEY ||
                  rt.id == TL_T_SMALLMONEY) &&
                 !(lt.id == TL_T_DECIMAL || lt.id == TL_T_NUMERIC || rt.id == TL_T_DECIMAL ||
                   rt.id == TL_T_NUMERIC);
    if (money) {
        rtp = mk(TL_T_MONEY, 0, 19, 4);
        if (lt.id == TL_T_SMALLMONEY && rt.id == TL_T_SMALLMONEY && op != '*' && op != '/')
            rtp = mk(TL_T_SMALLMONEY, 0, 10, 4);
    } else if (lt.id == TL_T_DECIMAL || rt.id == TL_T_DECIMAL) {
        rtp.id = TL_T_DECIMAL;
    }
    *ty = rtp;
    if (op == '%')
        return codegen_err(g, 402, 16, "The modulo operator on decimal values is not supported by tdslite.");
    OUT("tl_dec_%s(%s,%s,%d,%d)", op == '+' ? "add" : op == '-' ? "sub" : op == '*' ? "mul" : "div", l, r,
        rtp.precision, rtp.scale);
    return 0;
}

/* ------------------------------------------------------------ functions */

static int nargs_err(struct gen *g, struct expr *e, int want)
{
    if (want >= 0 && e->nargs == want)
        return 0;
    return codegen_err(g, 174, 15, "The %s function requires %d argument(s).", e->s, want);
}

struct fargs {
    char *s[8];
    struct tl_type t[8];
    bool n[8];
};

static int gen_args(struct gen *g, struct scope *sc, struct expr *e, struct fargs *fa, int from)
{
    for (int i = from; i < e->nargs && i < 8; i++) {
        fa->s[i] = sub_expr(g, sc, e->args[i], &fa->t[i], &fa->n[i]);
        if (!fa->s[i])
            return -1;
    }
    return 0;
}

static char *str_arg(struct gen *g, struct fargs *fa, int i)
{
    if (type_is_string(fa->t[i].id) || is_null_type(&fa->t[i]))
        return fa->s[i];
    struct tl_type vt = mk(TL_T_VARCHAR, 8000, 0, 0);
    return conv_sql(g, fa->s[i], &fa->t[i], &vt);
}

static const char *datepart_name(struct gen *g, struct expr *a)
{
    static const char *parts[][2] = {
        {"year", "year"}, {"yy", "year"}, {"yyyy", "year"}, {"quarter", "quarter"},
        {"qq", "quarter"}, {"q", "quarter"}, {"month", "month"}, {"mm", "month"},
        {"m", "month"}, {"dayofyear", "dayofyear"}, {"dy", "dayofyear"}, {"y", "dayofyear"},
        {"day", "day"}, {"dd", "day"}, {"d", "day"}, {"week", "week"}, {"wk", "week"},
        {"ww", "week"}, {"weekday", "weekday"}, {"dw", "weekday"}, {"hour", "hour"},
        {"hh", "hour"}, {"minute", "minute"}, {"mi", "minute"}, {"n", "minute"},
        {"second", "second"}, {"ss", "second"}, {"s", "second"}, {"millisecond", "millisecond"},
        {"ms", "millisecond"}, {"microsecond", "microsecond"}, {"mcs", "microsecond"},
        {"nanosecond", "nanosecond"}, {"ns", "nanosecond"}, {"tzoffset", "tzoffset"},
        {"tz", "tzoffset"}, {"iso_week", "iso_week"}, {"isowk", "iso_week"}, {NULL, NULL}};
    if (a->kind != EX_COL || a->nq) {
        codegen_err(g, 1023, 15, "Invalid parameter 1 specified for datepart.");
        return NULL;
    }
    for (int i = 0; parts[i][0]; i++)
        if (ieq(a->s, parts[i][0]))
            return parts[i][1];
    codegen_err(g, 155, 15, "'%s' is not a recognized datepart option.", a->s);
    return NULL;
}

static int gen_datefn(struct gen *g, struct scope *sc, struct expr *e, struct tl_type *ty)
{
    struct fargs fa = {0};
    const char *part;
    if (ieq(e->s, "DATEADD")) {
        if (nargs_err(g, e, 3) || !(part = datepart_name(g, e->args[0])) || gen_args(g, sc, e, &fa, 1))
            return -1;
        struct tl_type dt = fa.t[2];
        if (type_is_string(dt.id) || is_null_type(&dt))
            dt = mk(TL_T_DATETIME, 0, 0, 3);
        *ty = dt;
        char tn[64];
        type_name(&dt, tn, sizeof(tn));
        OUT("tl_dateadd('%s',%s,%s,'%s')", part, fa.s[1], conv_sql(g, fa.s[2], &fa.t[2], &dt), tn);
        return 0;
    }
    if (ieq(e->s, "DATEDIFF") || ieq(e->s, "DATEDIFF_BIG")) {
        if (nargs_err(g, e, 3) || !(part = datepart_name(g, e->args[0])) || gen_args(g, sc, e, &fa, 1))
            return -1;
        *ty = mk(ieq(e->s, "DATEDIFF") ? TL_T_INT : TL_T_BIGINT, 0, 0, 0);
        struct tl_type d2 = mk(TL_T_DATETIME2, 0, 0, 7);
        OUT("tl_datediff('%s',%s,%s,'%s')", part, conv_sql(g, fa.s[1], &fa.t[1], &d2),
            conv_sql(g, fa.s[2], &fa.t[2], &d2), value_type_base_name(ty->id));
        return 0;
    }
    /* DATEPART, DATENAME */
    if (nargs_err(g, e, 2) || !(part = datepart_name(g, e->args[0])) || gen_args(g, sc, e, &fa, 1))
        return -1;
    struct tl_type d2 = fa.t[1];
    if (type_is_string(d2.id) || is_null_type(&d2))
        d2 = mk(TL_T_DATETIME2, 0, 0, 7);
    char tn[64];
    type_name(&d2, tn, sizeof(tn));
    if (ieq(e->s, "DATENAME")) {
        *ty = mk(TL_T_NVARCHAR, 30, 0, 0);
        OUT("tl_datename('%s',%s,'%s')", part, conv_sql(g, fa.s[1], &fa.t[1], &d2), tn);
    } else {
        *ty = mk(TL_T_INT, 0, 0, 0);
        OUT("tl_datepart('%s',%s,'%s')", part, conv_sql(g, fa.s[1], &fa.t[1], &d2), tn);
    }
    return 0;
}

static int gen_agg(struct gen *g, struct scope *sc, struct expr *e, struct tl_type *ty, bool *nl)
{
    if (!g->agg_ok)
        return codegen_err(g, 147, 15,
                           "An aggregate may not appear in the WHERE clause unless it is in a subquery contained in a HAVING clause or a select list, and the column being aggregated is an outer reference.");
    const char *dist = e->distinct ? "DISTINCT " : "";
    bool count = ieq(e->s, "COUNT") || ieq(e->s, "COUNT_BIG");
    if (count && e->star) {
        *ty = mk(ieq(e->s, "COUNT") ? TL_T_INT : TL_T_BIGINT, 0, 0, 0);
        *nl = false;
        OUTS("count(*)");
        return 0;
    }
    if (nargs_err(g, e, 1))
        return -1;
    struct tl_type at;
    bool an;
    g->agg_ok = false;
    char *a = sub_expr(g, sc, e->args[0], &at, &an);
    g->agg_ok = true;
    if (!a)
        return -1;
    /* Comparisons behind DISTINCT, MIN and MAX follow SQL Server's collation
     * for strings and exact order for decimals. */
    const char *coll = type_is_string(at.id) ? " COLLATE TL_CI"
                       : type_is_exact(at.id) ? " COLLATE TL_DEC"
                                              : "";
    if (count) {
        *ty = mk(ieq(e->s, "COUNT") ? TL_T_INT : TL_T_BIGINT, 0, 0, 0);
        *nl = false;
        OUT("count(%s%s%s)", dist, a, e->distinct ? coll : "");
        return 0;
    }
    *nl = true;
    if (ieq(e->s, "MIN") || ieq(e->s, "MAX")) {
        *ty = is_null_type(&at) ? mk(TL_T_INT, 0, 0, 0) : at;
        if (at.id == TL_T_BIT)
            return codegen_err(g, 8117, 16, "Operand data type bit is invalid for %s operator.",
                               ieq(e->s, "MIN") ? "min" : "max");
        OUT("%s(%s%s%s)", ieq(e->s, "MIN") ? "min" : "max", dist, a, coll);
        return 0;
    }
    if (ieq(e->s, "SUM") || ieq(e->s, "AVG")) {
        bool sum = ieq(e->s, "SUM");
        if (type_is_string(at.id) || type_is_datetime(at.id) || at.id == TL_T_BIT ||
            type_is_binary(at.id) || at.id == TL_T_UNIQUEIDENTIFIER)
            return codegen_err(g, 8117, 16, "Operand data type %s is invalid for %s operator.",
                               value_type_base_name(at.id), sum ? "sum" : "avg");
        if (type_is_int(at.id) || is_null_type(&at)) {
            *ty = mk(at.id == TL_T_BIGINT ? TL_T_BIGINT : TL_T_INT, 0, 0, 0);
            if (sum)
                OUT("tl_int(sum(%s%s),'%s')", dist, a, value_type_base_name(ty->id));
            else
                OUT("tl_iavg(%s%s)", dist, a);
            return 0;
        }
        if (type_is_float(at.id)) {
            *ty = mk(TL_T_FLOAT, 0, 53, 0);
            OUT("%s(%s%s)", sum ? "sum" : "avg", dist, a);
            return 0;
        }
        int p, s;
        as_decimal(&at, &p, &s);
        if (at.id == TL_T_MONEY || at.id == TL_T_SMALLMONEY)
            *ty = mk(TL_T_MONEY, 0, 19, 4);
        else if (sum)
            *ty = mk(at.id, 0, 38, s);
        else
            *ty = mk(at.id, 0, 38, s > 6 ? s : 6);
        OUT("%s(%s%s,%d)", sum ? "tl_dec_sum" : "tl_dec_avg", dist, a, ty->scale);
        return 0;
    }
    return codegen_err(g, 195, 15, "'%s' is not a recognized built-in function name.", e->s);
}

static bool is_agg_name(const char *n)
{
    return ieq(n, "COUNT") || ieq(n, "COUNT_BIG") || ieq(n, "SUM") || ieq(n, "AVG") ||
           ieq(n, "MIN") || ieq(n, "MAX");
}

static int gen_func(struct gen *g, struct scope *sc, struct expr *e, struct tl_type *ty, bool *nl)
{
    const char *n = e->s;
    struct fargs fa = {0};
    *nl = true;
    if (is_agg_name(n))
        return gen_agg(g, sc, e, ty, nl);
    if (!strncmp(n, "SYS.FN_CDC_", 11))
        return cdc_gen_func(g, sc, e, ty, nl); /* sys.fn_cdc_* (cdc_fn.c) */
    int ctr = ct_gen_func(g, sc, e, ty, nl);
    if (ctr != 1)
        return ctr;
    if (ieq(n, "DATEADD") || ieq(n, "DATEDIFF") || ieq(n, "DATEDIFF_BIG") || ieq(n, "DATEPART") ||
        ieq(n, "DATENAME"))
        return gen_datefn(g, sc, e, ty);
    if (gen_args(g, sc, e, &fa, 0))
        return -1;
    char now[64];
    if (ieq(n, "GETDATE") || ieq(n, "CURRENT_TIMESTAMP") || ieq(n, "GETUTCDATE")) {
        if (nargs_err(g, e, 0))
            return -1;
        *ty = mk(TL_T_DATETIME, 0, 0, 3);
        now_text(g, TL_T_DATETIME, ieq(n, "GETUTCDATE"), now);
        out_quoted(g, now, strlen(now));
        return 0;
    }
    if (ieq(n, "SYSDATETIME") || ieq(n, "SYSUTCDATETIME")) {
        if (nargs_err(g, e, 0))
            return -1;
        *ty = mk(TL_T_DATETIME2, 0, 0, 7);
        now_text(g, TL_T_DATETIME2, ieq(n, "SYSUTCDATETIME"), now);
        out_quoted(g, now, strlen(now));
        return 0;
    }
    if (ieq(n, "SYSDATETIMEOFFSET")) {
        if (nargs_err(g, e, 0))
            return -1;
        *ty = mk(TL_T_DATETIMEOFFSET, 0, 0, 7);
        now_text(g, TL_T_DATETIMEOFFSET, false, now);
        out_quoted(g, now, strlen(now));
        return 0;
    }
    if (ieq(n, "NEWID")) {
        if (nargs_err(g, e, 0))
            return -1;
        *ty = mk(TL_T_UNIQUEIDENTIFIER, 0, 0, 0);
        OUTS("tl_newid()");
        return 0;
    }
    if (ieq(n, "ISNULL")) {
        if (nargs_err(g, e, 2))
            return -1;
        *ty = is_null_type(&fa.t[0]) ? fa.t[1] : fa.t[0];
        if (is_null_type(ty))
            *ty = mk(TL_T_INT, 0, 0, 0);
        *nl = fa.n[0] && fa.n[1];
        OUT("coalesce(%s,%s)", fa.s[0], conv_sql(g, fa.s[1], &fa.t[1], ty));
        return 0;
    }
    if (ieq(n, "COALESCE")) {
        if (e->nargs < 2)
            return codegen_err(g, 189, 15, "The coalesce function requires 2 to 8 arguments.");
        struct tl_type ct = fa.t[0];
        for (int i = 1; i < e->nargs && i < 8; i++)
            ct = common_type(&ct, &fa.t[i]);
        *ty = is_null_type(&ct) ? mk(TL_T_INT, 0, 0, 0) : ct;
        /* SQL Server rewrites COALESCE as a CASE whose branches are the
         * arguments, so it is NOT NULL only when every argument is: unlike
         * ISNULL, COALESCE(nullable_col, 0) stays nullable. */
        *nl = false;
        for (int i = 0; i < e->nargs && i < 8; i++)
            *nl |= fa.n[i];
        OUTS("coalesce(");
        for (int i = 0; i < e->nargs && i < 8; i++)
            OUT("%s%s", i ? "," : "", conv_sql(g, fa.s[i], &fa.t[i], ty));
        OUTS(")");
        return 0;
    }
    if (ieq(n, "NULLIF")) {
        if (nargs_err(g, e, 2))
            return -1;
        *ty = fa.t[0];
        OUTS("(CASE WHEN ");
        if (gen_compare(g, fa.s[0], &fa.t[0], fa.s[1], &fa.t[1], "="))
            return -1;
        OUT(" THEN NULL ELSE %s END)", fa.s[0]);
        return 0;
    }
    if (ieq(n, "IIF")) {
        return codegen_err(g, 195, 15, "'%s' is not a recognized built-in function name.", e->s);
    }
    if (ieq(n, "LEN")) {
        if (nargs_err(g, e, 1))
            return -1;
        *ty = mk(fa.t[0].length == TL_MAX ? TL_T_BIGINT : TL_T_INT, 0, 0, 0);
        if (type_is_binary(fa.t[0].id))
            OUT("length(%s)", fa.s[0]);
        else /* characters are UTF-16 units: a non-BMP character counts 2 */
            OUT("tl_len(%s)", str_arg(g, &fa, 0));
        return 0;
    }
    if (ieq(n, "DATALENGTH")) {
        if (nargs_err(g, e, 1))
            return -1;
        *ty = mk(fa.t[0].length == TL_MAX ? TL_T_BIGINT : TL_T_INT, 0, 0, 0);
        int fixed = value_type_max_length(&fa.t[0]);
        if (type_is_unicode(fa.t[0].id))
            OUT("tl_datalength(%s,1)", fa.s[0]);
        else if (type_is_string(fa.t[0].id) || type_is_binary(fa.t[0].id))
            OUT("tl_datalength(%s,0)", fa.s[0]);
        else
            OUT("(CASE WHEN %s IS NULL THEN NULL ELSE %d END)", fa.s[0], fixed > 0 ? fixed : 4);
        return 0;
    }
    if (ieq(n, "UPPER") || ieq(n, "LOWER") || ieq(n, "LTRIM") || ieq(n, "RTRIM") ||
        ieq(n, "TRIM") || ieq(n, "REVERSE")) {
        if (nargs_err(g, e, 1))
            return -1;
        *ty = type_is_string(fa.t[0].id) ? fa.t[0] : mk(TL_T_VARCHAR, 8000, 0, 0);
        if (ty->id == TL_T_CHAR)
            ty->id = TL_T_VARCHAR;
        if (ty->id == TL_T_NCHAR)
            ty->id = TL_T_NVARCHAR;
        const char *a = str_arg(g, &fa, 0);
        if (ieq(n, "UPPER") || ieq(n, "LOWER"))
            OUT("tl_%s(%s)", ieq(n, "UPPER") ? "upper" : "lower", a);
        else if (ieq(n, "REVERSE"))
            OUT("tl_reverse(%s)", a);
        else
            OUT("%s(%s,' ')", ieq(n, "LTRIM") ? "ltrim" : ieq(n, "RTRIM") ? "rtrim" : "trim", a);
        return 0;
    }
    if (ieq(n, "SUBSTRING") || ieq(n, "LEFT") || ieq(n, "RIGHT")) {
        if (nargs_err(g, e, ieq(n, "SUBSTRING") ? 3 : 2))
            return -1;
        *ty = type_is_string(fa.t[0].id) || type_is_binary(fa.t[0].id) ? fa.t[0] : mk(TL_T_VARCHAR, 8000, 0, 0);
        if (ty->id == TL_T_CHAR)
            ty->id = TL_T_VARCHAR;
        if (ty->id == TL_T_NCHAR)
            ty->id = TL_T_NVARCHAR;
        if (ty->id == TL_T_BINARY)
            ty->id = TL_T_VARBINARY;
        const char *a = type_is_binary(fa.t[0].id) ? fa.s[0] : str_arg(g, &fa, 0);
        if (ieq(n, "SUBSTRING"))
            OUT("tl_substring(%s,%s,%s)", a, fa.s[1], fa.s[2]);
        else if (ieq(n, "LEFT"))
            OUT("tl_substring(%s,1,%s)", a, fa.s[1]);
        else
            OUT("tl_right(%s,%s)", a, fa.s[1]);
        return 0;
    }
    if (ieq(n, "REPLACE")) {
        if (nargs_err(g, e, 3))
            return -1;
        *ty = type_is_unicode(fa.t[0].id) ? mk(TL_T_NVARCHAR, fa.t[0].length == TL_MAX ? TL_MAX : 4000, 0, 0)
                                          : mk(TL_T_VARCHAR, fa.t[0].length == TL_MAX ? TL_MAX : 8000, 0, 0);
        OUT("tl_replace(%s,%s,%s)", str_arg(g, &fa, 0), str_arg(g, &fa, 1), str_arg(g, &fa, 2));
        return 0;
    }
    if (ieq(n, "CHARINDEX")) {
        if (e->nargs != 2 && e->nargs != 3)
            return nargs_err(g, e, 2);
        *ty = mk(TL_T_INT, 0, 0, 0);
        OUT("tl_charindex(%s,%s,%s)", str_arg(g, &fa, 0), str_arg(g, &fa, 1),
            e->nargs == 3 ? fa.s[2] : "1");
        return 0;
    }
    if (ieq(n, "REPLICATE")) {
        if (nargs_err(g, e, 2))
            return -1;
        *ty = type_is_unicode(fa.t[0].id) ? mk(TL_T_NVARCHAR, fa.t[0].length == TL_MAX ? TL_MAX : 4000, 0, 0)
                                          : mk(TL_T_VARCHAR, fa.t[0].length == TL_MAX ? TL_MAX : 8000, 0, 0);
        /* a non-max result is cut at 8000 bytes (4000 nvarchar characters) */
        OUT("tl_replicate(%s,%s,%d,%d)", str_arg(g, &fa, 0), fa.s[1], ty->length == TL_MAX ? 0 : ty->length,
            type_is_unicode(ty->id));
        return 0;
    }
    if (ieq(n, "SPACE")) {
        if (nargs_err(g, e, 1))
            return -1;
        *ty = mk(TL_T_VARCHAR, 8000, 0, 0);
        OUT("tl_replicate(' ',%s,8000,0)", fa.s[0]);
        return 0;
    }
    if (ieq(n, "CONCAT")) {
        if (e->nargs < 2)
            return codegen_err(g, 189, 15, "The concat function requires 2 to 254 arguments.");
        bool uni = false;
        for (int i = 0; i < e->nargs && i < 8; i++)
            uni |= type_is_unicode(fa.t[i].id);
        *ty = mk(uni ? TL_T_NVARCHAR : TL_T_VARCHAR, uni ? 4000 : 8000, 0, 0);
        OUTS("(");
        for (int i = 0; i < e->nargs && i < 8; i++)
            OUT("%scoalesce(%s,'')", i ? "||" : "", str_arg(g, &fa, i));
        OUTS(")");
        return 0;
    }
    if (ieq(n, "ABS") || ieq(n, "FLOOR") || ieq(n, "CEILING") || ieq(n, "ROUND") || ieq(n, "SIGN")) {
        bool round = ieq(n, "ROUND");
        if (round ? (e->nargs < 2 || e->nargs > 3) : nargs_err(g, e, 1))
            return round ? nargs_err(g, e, 2) : -1;
        struct tl_type t = fa.t[0];
        if (type_is_string(t.id))
            t = mk(TL_T_FLOAT, 0, 53, 0);
        if (!type_is_numeric(t.id) && !is_null_type(&t))
            return codegen_err(g, 8117, 16, "Operand data type %s is invalid for %s function.",
                               value_type_base_name(t.id), n);
        *ty = t;
        if ((ieq(n, "FLOOR") || ieq(n, "CEILING")) && type_is_exact(t.id) && t.id != TL_T_MONEY &&
            t.id != TL_T_SMALLMONEY)
            ty->scale = 0;
        if (ieq(n, "SIGN") && type_is_exact(t.id))
            *ty = dec_result(t.precision, t.scale);
        char tn[64];
        type_name(ty, tn, sizeof(tn));
        OUT("tl_numfn('%s',%s,%s,%s,'%s')", n, conv_sql(g, fa.s[0], &fa.t[0], &t),
            round ? fa.s[1] : "0", round && e->nargs == 3 ? fa.s[2] : "0", tn);
        return 0;
    }
    if (ieq(n, "SQRT") || ieq(n, "POWER") || ieq(n, "EXP") || ieq(n, "LOG") || ieq(n, "LOG10") ||
        ieq(n, "PI") || ieq(n, "RAND") || ieq(n, "SQUARE")) {
        *ty = mk(TL_T_FLOAT, 0, 53, 0);
        if (ieq(n, "POWER") && e->nargs == 2 && !type_is_float(fa.t[0].id) && !is_null_type(&fa.t[0]))
            *ty = type_is_int(fa.t[0].id) ? mk(fa.t[0].id == TL_T_BIGINT ? TL_T_BIGINT : TL_T_INT, 0, 0, 0) : dec_result(38, fa.t[0].scale);
        char tn[64];
        type_name(ty, tn, sizeof(tn));
        OUT("tl_math('%s',%s,%s,'%s')", n, e->nargs > 0 ? fa.s[0] : "NULL",
            e->nargs > 1 ? fa.s[1] : "NULL", tn);
        return 0;
    }
    if (ieq(n, "DB_NAME")) {
        *ty = mk(TL_T_NVARCHAR, 128, 0, 0);
        if (e->nargs == 0) {
            out_quoted(g, g->s->dbname, strlen(g->s->dbname));
        } else {
            OUT("tl_db_name(%s)", fa.s[0]);
        }
        return 0;
    }
    if (ieq(n, "DB_ID")) {
        *ty = mk(TL_T_SMALLINT, 0, 0, 0);
        if (e->nargs == 0)
            OUT("%d", g->s->dbid);
        else
            OUT("tl_db_id(%s)", fa.s[0]);
        return 0;
    }
    if (ieq(n, "OBJECT_ID")) {
        if (e->nargs < 1 || e->nargs > 2)
            return nargs_err(g, e, 1);
        *ty = mk(TL_T_INT, 0, 0, 0);
        OUT("tl_object_id(%s,%s)", fa.s[0], e->nargs == 2 ? fa.s[1] : "NULL");
        return 0;
    }
    if (ieq(n, "OBJECT_NAME") || ieq(n, "OBJECT_SCHEMA_NAME")) {
        if (e->nargs < 1 || e->nargs > 2)
            return nargs_err(g, e, 1);
        *ty = mk(TL_T_NVARCHAR, 128, 0, 0);
        OUT("tl_object_name(%s,%s,%d)", fa.s[0], e->nargs == 2 ? fa.s[1] : "NULL",
            ieq(n, "OBJECT_NAME") ? 0 : 1);
        return 0;
    }
    if (ieq(n, "TYPE_NAME")) {
        if (nargs_err(g, e, 1))
            return -1;
        *ty = mk(TL_T_NVARCHAR, 128, 0, 0);
        OUT("tl_type_name(%s)", fa.s[0]);
        return 0;
    }
    if (ieq(n, "TYPE_ID")) {
        if (nargs_err(g, e, 1))
            return -1;
        *ty = mk(TL_T_INT, 0, 0, 0);
        OUT("tl_type_id(%s)", str_arg(g, &fa, 0));
        return 0;
    }
    if (ieq(n, "COLUMNPROPERTY")) {
        if (nargs_err(g, e, 3))
            return -1;
        *ty = mk(TL_T_INT, 0, 0, 0);
        OUT("tl_columnproperty(%s,%s,%s)", fa.s[0], str_arg(g, &fa, 1), str_arg(g, &fa, 2));
        return 0;
    }
    if (ieq(n, "SCHEMA_NAME")) {
        *ty = mk(TL_T_NVARCHAR, 128, 0, 0);
        OUT("tl_schema_name(%s)", e->nargs ? fa.s[0] : "1");
        return 0;
    }
    if (ieq(n, "SCHEMA_ID")) {
        *ty = mk(TL_T_INT, 0, 0, 0);
        OUT("tl_schema_id(%s)", e->nargs ? fa.s[0] : "'dbo'");
        return 0;
    }
    if (ieq(n, "QUOTENAME")) {
        if (e->nargs < 1 || e->nargs > 2)
            return nargs_err(g, e, 1);
        *ty = mk(TL_T_NVARCHAR, 258, 0, 0);
        OUT("tl_quotename(%s,%s)", str_arg(g, &fa, 0), e->nargs == 2 ? fa.s[1] : "'['");
        return 0;
    }
    if (ieq(n, "SCOPE_IDENTITY") || ieq(n, "IDENT_CURRENT")) {
        *ty = mk(TL_T_NUMERIC, 0, 38, 0);
        if (ieq(n, "IDENT_CURRENT"))
            OUT("tl_ident_current(%s)", e->nargs ? fa.s[0] : "NULL");
        else if (g->s->has_ident)
            OUT("'%lld'", (long long)g->s->scope_ident);
        else
            OUTS("NULL");
        return 0;
    }
    if (ieq(n, "SERVERPROPERTY")) {
        if (nargs_err(g, e, 1))
            return -1;
        *ty = mk(TL_T_SQL_VARIANT, 0, 0, 0);
        *ty = mk(TL_T_NVARCHAR, 128, 0, 0);
        OUT("tl_serverproperty(%s)", fa.s[0]);
        return 0;
    }
    if ((ieq(n, "SUSER_SNAME") || ieq(n, "SUSER_NAME") || ieq(n, "USER_NAME")) && e->nargs == 1) {
        *ty = mk(TL_T_NVARCHAR, 128, 0, 0);
        OUT("%s(%s)", ieq(n, "USER_NAME") ? "tl_user_name" : "tl_suser_name", fa.s[0]);
        return 0;
    }
    if (ieq(n, "SUSER_SNAME") || ieq(n, "SUSER_NAME") || ieq(n, "USER_NAME") ||
        ieq(n, "SYSTEM_USER") || ieq(n, "CURRENT_USER") || ieq(n, "ORIGINAL_LOGIN") ||
        ieq(n, "HOST_NAME") || ieq(n, "APP_NAME")) {
        if (nargs_err(g, e, 0))
            return -1;
        *ty = mk(TL_T_NVARCHAR, 128, 0, 0);
        char user[130];
        if (ieq(n, "USER_NAME") || ieq(n, "CURRENT_USER"))
            sec_user_name(g->s, g->s->dbid, user, sizeof(user));
        const char *v = ieq(n, "USER_NAME") || ieq(n, "CURRENT_USER") ? user
                        : ieq(n, "HOST_NAME") || ieq(n, "APP_NAME")   ? ""
                                                                      : g->s->user;
        out_quoted(g, v, strlen(v));
        return 0;
    }
    if (ieq(n, "USER_ID") || ieq(n, "DATABASE_PRINCIPAL_ID")) {
        if (e->nargs > 1)
            return nargs_err(g, e, 1);
        *ty = mk(TL_T_INT, 0, 0, 0);
        if (e->nargs)
            OUT("tl_user_id(%s)", fa.s[0]);
        else
            OUTS("tl_user_id()");
        return 0;
    }
    if (ieq(n, "HAS_PERMS_BY_NAME")) {
        if (e->nargs < 3 || e->nargs > 5)
            return nargs_err(g, e, 3);
        if (e->nargs > 3)
            return codegen_err(g, 50000, 16, "HAS_PERMS_BY_NAME with a sub-securable (column) is not supported by tdslite.");
        *ty = mk(TL_T_INT, 0, 0, 0);
        OUT("tl_has_perms(%s,%s,%s)", fa.s[0], fa.s[1], fa.s[2]);
        return 0;
    }
    if (ieq(n, "IS_SRVROLEMEMBER") || ieq(n, "IS_ROLEMEMBER") || ieq(n, "IS_MEMBER")) {
        if (e->nargs < 1 || e->nargs > (ieq(n, "IS_MEMBER") ? 1 : 2))
            return nargs_err(g, e, 1);
        *ty = mk(TL_T_INT, 0, 0, 0);
        if (e->nargs == 2)
            OUT("%s(%s,%s)", ieq(n, "IS_SRVROLEMEMBER") ? "tl_is_srvrolemember" : "tl_is_rolemember", fa.s[0], fa.s[1]);
        else
            OUT("%s(%s)", ieq(n, "IS_SRVROLEMEMBER") ? "tl_is_srvrolemember" : "tl_is_rolemember", fa.s[0]);
        return 0;
    }
    if (ieq(n, "APPLOCK_MODE") || ieq(n, "APPLOCK_TEST")) {
        bool test = ieq(n, "APPLOCK_TEST");
        if (nargs_err(g, e, test ? 4 : 3))
            return -1;
        if (test) {
            *ty = mk(TL_T_SMALLINT, 0, 0, 0);
            OUT("tl_applock_test(%s,%s,%s,%s)", fa.s[0], fa.s[1], fa.s[2], fa.s[3]);
        } else {
            *ty = mk(TL_T_NVARCHAR, 32, 0, 0);
            OUT("tl_applock_mode(%s,%s,%s)", fa.s[0], fa.s[1], fa.s[2]);
        }
        return 0;
    }
    if (ieq(n, "CHAR")) {
        if (nargs_err(g, e, 1))
            return -1;
        *ty = mk(TL_T_CHAR, 1, 0, 0);
        OUT("tl_char(%s)", conv_sql(g, fa.s[0], &fa.t[0], &(struct tl_type){TL_T_INT, 0, 0, 0}));
        return 0;
    }
    if (ieq(n, "HASHBYTES")) {
        if (nargs_err(g, e, 2))
            return -1;
        *ty = mk(TL_T_VARBINARY, 8000, 0, 0);
        OUT("tl_hashbytes(%s,%s,%d)", fa.s[0], fa.s[1], type_is_unicode(fa.t[1].id) ? 1 : 0);
        return 0;
    }
    if (ieq(n, "ISNUMERIC")) {
        *ty = mk(TL_T_INT, 0, 0, 0);
        OUT("tl_isnumeric(%s)", fa.s[0]);
        return 0;
    }
    if (ieq(n, "ERROR_MESSAGE") || ieq(n, "ERROR_NUMBER")) {
        return codegen_err(g, 195, 15, "'%s' is not supported by tdslite (no TRY/CATCH).", n);
    }
    return codegen_err(g, 195, 15, "'%s' is not a recognized built-in function name.", e->s);
}

/* ------------------------------------------------------------ expressions */

static int gen_case(struct gen *g, struct scope *sc, struct expr *e, struct tl_type *ty, bool *nl)
{
    int n = e->nwhens;
    char **conds = arena_alloc(g->a, sizeof(char *) * (size_t)n);
    char **thens = arena_alloc(g->a, sizeof(char *) * (size_t)n);
    struct tl_type *tts = arena_alloc(g->a, sizeof(struct tl_type) * (size_t)(n + 1));
    char *op = NULL, *els = NULL;
    struct tl_type ot = {0}, ct = mk(TL_T_UNKNOWN, 0, 0, 0);
    bool dummy;
    if (!conds || !thens || !tts)
        return codegen_err(g, 701, 19, "There is insufficient system memory to run this query.");
    if (e->a && !(op = sub_expr(g, sc, e->a, &ot, &dummy)))
        return -1;
    *nl = false;
    for (int i = 0; i < n; i++) {
        struct tl_type wt;
        bool tn;
        if (!(conds[i] = sub_expr(g, sc, e->whens[i].when, &wt, &dummy)))
            return -1;
        if (op) {
            size_t mark = g->sql.len;
            if (gen_compare(g, op, &ot, conds[i], &wt, "="))
                return -1;
            conds[i] = arena_strndup(g->a, (char *)g->sql.data + mark, g->sql.len - mark);
            buf_truncate(&g->sql, mark);
        }
        if (!(thens[i] = sub_expr(g, sc, e->whens[i].then, &tts[i], &tn)))
            return -1;
        *nl |= tn;
        ct = i == 0 ? tts[i] : common_type(&ct, &tts[i]);
    }
    if (e->c) {
        bool en;
        if (!(els = sub_expr(g, sc, e->c, &tts[n], &en)))
            return -1;
        *nl |= en;
        ct = common_type(&ct, &tts[n]);
    } else {
        *nl = true; /* no ELSE: NULL when nothing matches */
    }
    if (is_null_type(&ct))
        ct = mk(TL_T_INT, 0, 0, 0);
    *ty = ct;
    OUTS("(CASE");
    for (int i = 0; i < n; i++)
        OUT(" WHEN %s THEN %s", conds[i], conv_sql(g, thens[i], &tts[i], &ct));
    if (els)
        OUT(" ELSE %s", conv_sql(g, els, &tts[n], &ct));
    OUTS(" END)");
    return 0;
}

static int gen_cast(struct gen *g, struct scope *sc, struct expr *e, struct tl_type *ty, bool *nl)
{
    struct tl_type at;
    char *a = sub_expr(g, sc, e->a, &at, nl);
    if (!a)
        return -1;
    /* SQL Server calls every CAST/CONVERT nullable, even CAST(0 AS int)
     * (see codegen_expr). */
    *nl = true;
    int style = -1;
    if (e->b) {
        if (e->b->kind != EX_INT)
            return codegen_err(g, 8116, 16, "Argument data type is invalid for argument 3 of convert function.");
        style = atoi(e->b->s);
    }
    *ty = e->ty;
    char tn[64], fn[64];
    type_name(&e->ty, tn, sizeof(tn));
    type_name(&at, fn, sizeof(fn));
    if (is_null_type(&at)) {
        OUTS("NULL");
        return 0;
    }
    OUT("tl_cv(%s,'%s',%d,%d,'%s')", a, tn, style, e->neg ? 2 : 1, fn);
    return 0;
}

static int gen_in(struct gen *g, struct scope *sc, struct expr *e, struct tl_type *ty, bool *nl)
{
    struct tl_type at;
    char *a = sub_expr(g, sc, e->a, &at, nl);
    if (!a)
        return -1;
    *ty = mk(TL_T_BIT, 0, 0, 0);
    if (e->kind == EX_INSUB) {
        struct query q;
        struct gen sub = *g;
        (void)sub;
        if (codegen_select(g, sc, e->sub, &q))
            return -1;
        if (q.ncols != 1)
            return codegen_err(g, 116, 16,
                               "Only one expression can be specified in the select list when the subquery is not introduced with EXISTS.");
        size_t mark = g->sql.len;
        if (gen_compare(g, "x", &at, "y", &q.cols[0].type, "="))
            return -1;
        buf_truncate(&g->sql, mark);
        struct tl_type ct = common_type(&at, &q.cols[0].type);
        const char *coll = type_is_string(ct.id) ? " COLLATE TL_CI" : type_is_exact(ct.id) ? " COLLATE TL_DEC" : "";
        char *sv = conv_sql(g, "\"o1\"", &q.cols[0].type, &ct);
        if (type_is_exact(ct.id) && type_is_int(q.cols[0].type.id))
            sv = "CAST(\"o1\" AS TEXT)";
        char *av = conv_sql(g, a, &at, &ct);
        if (type_is_exact(ct.id) && type_is_int(at.id))
            av = arena_printf(g->a, "CAST(%s AS TEXT)", a);
        OUT("(%s%s %sIN (SELECT %s FROM (%s)))", av, coll, e->neg ? "NOT " : "", sv, q.sql);
        return 0;
    }
    OUTS(e->neg ? "(NOT (" : "((");
    for (int i = 0; i < e->nargs; i++) {
        struct tl_type it;
        bool inl;
        char *v = sub_expr(g, sc, e->args[i], &it, &inl);
        if (!v)
            return -1;
        if (i)
            OUTS(" OR ");
        if (gen_compare(g, a, &at, v, &it, "="))
            return -1;
    }
    OUTS("))");
    return 0;
}

/*
 * *nullable is what SQL Server reports as the expression's nullability
 * (COLMETADATA fNullable, sys.dm_exec_describe_first_result_set
 * is_nullable), and a false one is a promise the TDS layer relies on: it
 * sends NOT NULL int/float/money/datetime columns with fixed types that
 * cannot carry NULL. So NOT NULL is claimed only where SQL Server claims it
 * and the value can really never be NULL:
 *   - literals other than NULL; @@ variables (gvar_nullable);
 *   - a column: its declared nullability, nullable on the NULL-supplying
 *     side of an outer join (find_col, gen_from);
 *   - COUNT/COUNT_BIG; ISNULL(x, y) with x or y NOT NULL; COALESCE and
 *     CASE (with an ELSE) whose every result is NOT NULL.
 * Everything else is nullable, as in SQL Server, which treats almost any
 * computed expression as nullable: arithmetic and concatenation, CAST and
 * CONVERT (even of a literal), other built-in functions, other aggregates,
 * variables and scalar subqueries. UNION ORs its branches (codegen_select).
 */
int codegen_expr(struct gen *g, struct scope *sc, struct expr *e, struct tl_type *ty,
                 bool *nullable)
{
    bool dummy = false;
    if (!nullable)
        nullable = &dummy;
    *nullable = true;
    if (g->failed)
        return -1;
    switch (e->kind) {
    case EX_NULL:
    case EX_INT:
    case EX_DEC:
    case EX_FLOAT:
    case EX_STR:
    case EX_NSTR:
    case EX_BIN:
        *nullable = e->kind == EX_NULL;
        return gen_literal(g, e, ty);
    case EX_DEFAULT:
        return codegen_err(g, 156, 15, "Incorrect syntax near the keyword 'DEFAULT'.");
    case EX_COL: {
        int depth;
        struct colinfo *c = find_col(g, sc, e, &depth);
        if (!c)
            return -1;
        *ty = c->type;
        *nullable = c->nullable;
        OUTS(c->sql);
        return 0;
    }
    case EX_VAR: {
        struct var *v = exec_var(g->s, e->s);
        if (!v)
            return codegen_err(g, 137, 15, "Must declare the scalar variable \"%s\".", e->s);
        *ty = v->type;
        int k = add_param(g, v->name);
        if (k < 0)
            return codegen_err(g, 701, 19, "There is insufficient system memory to run this query.");
        OUT("?%d", k);
        return 0;
    }
    case EX_GVAR:
        *nullable = gvar_nullable(e->s + 2);
        return gen_gvar(g, e, ty);
    case EX_NEG: {
        /* Nullable like arithmetic (gen_arith); a negative number is a literal. */
        struct tl_type at;
        char *a = sub_expr(g, sc, e->a, &at, NULL);
        if (!a)
            return -1;
        *ty = at;
        if (type_is_exact(at.id)) {
            OUT("tl_dec_sub(0,%s,%d,%d)", a, at.precision ? at.precision : 19, at.scale);
        } else if (type_is_int(at.id)) {
            if (at.id != TL_T_BIGINT)
                *ty = mk(at.id == TL_T_BIT ? TL_T_INT : at.id, 0, 0, 0);
            OUT("tl_int(-(%s),'%s')", a, value_type_base_name(ty->id));
        } else if (type_is_float(at.id)) {
            OUT("(-(%s))", a);
        } else if (is_null_type(&at)) {
            OUTS("NULL");
        } else {
            return codegen_err(g, 8117, 16, "Operand data type %s is invalid for minus operator.",
                               value_type_base_name(at.id));
        }
        return 0;
    }
    case EX_BITNOT: {
        struct tl_type at;
        char *a = sub_expr(g, sc, e->a, &at, NULL); /* nullable, as arithmetic */
        if (!a)
            return -1;
        *ty = at;
        OUT("(~%s)", a);
        return 0;
    }
    case EX_ARITH:
        return gen_arith(g, sc, e, ty, nullable);
    case EX_CMP: {
        struct tl_type lt, rt;
        bool ln, rn;
        char *l = sub_expr(g, sc, e->a, &lt, &ln);
        char *r = l ? sub_expr(g, sc, e->b, &rt, &rn) : NULL;
        if (!r)
            return -1;
        *ty = mk(TL_T_BIT, 0, 0, 0);
        return gen_compare(g, l, &lt, r, &rt, cmp_sql(e->op));
    }
    case EX_AND:
    case EX_OR:
    case EX_NOT: {
        struct tl_type t1;
        *ty = mk(TL_T_BIT, 0, 0, 0);
        if (e->kind == EX_NOT) {
            OUTS("(NOT ");
            if (codegen_expr(g, sc, e->a, &t1, NULL))
                return -1;
            OUTS(")");
            return 0;
        }
        OUTS("(");
        if (codegen_expr(g, sc, e->a, &t1, NULL))
            return -1;
        OUTS(e->kind == EX_AND ? " AND " : " OR ");
        if (codegen_expr(g, sc, e->b, &t1, NULL))
            return -1;
        OUTS(")");
        return 0;
    }
    case EX_ISNULL: {
        struct tl_type t1;
        *ty = mk(TL_T_BIT, 0, 0, 0);
        *nullable = false;
        OUTS("(");
        if (codegen_expr(g, sc, e->a, &t1, NULL))
            return -1;
        OUTS(e->neg ? " IS NOT NULL)" : " IS NULL)");
        return 0;
    }
    case EX_LIKE: {
        struct tl_type t1, t2, t3;
        char *a = sub_expr(g, sc, e->a, &t1, NULL);
        char *b = a ? sub_expr(g, sc, e->b, &t2, NULL) : NULL;
        char *c = e->c && b ? sub_expr(g, sc, e->c, &t3, NULL) : NULL;
        if (!b || (e->c && !c))
            return -1;
        *ty = mk(TL_T_BIT, 0, 0, 0);
        if (!type_is_string(t1.id) && !is_null_type(&t1)) {
            struct tl_type vt = mk(TL_T_VARCHAR, 8000, 0, 0);
            a = conv_sql(g, a, &t1, &vt);
        }
        OUT("(%stl_like(%s,%s,%s))", e->neg ? "NOT " : "", a, b, c ? c : "NULL");
        return 0;
    }
    case EX_BETWEEN: {
        struct tl_type t1, t2, t3;
        char *a = sub_expr(g, sc, e->a, &t1, NULL);
        char *b = a ? sub_expr(g, sc, e->b, &t2, NULL) : NULL;
        char *c = b ? sub_expr(g, sc, e->c, &t3, NULL) : NULL;
        if (!c)
            return -1;
        *ty = mk(TL_T_BIT, 0, 0, 0);
        OUTS(e->neg ? "(NOT (" : "((");
        if (gen_compare(g, a, &t1, b, &t2, ">="))
            return -1;
        OUTS(" AND ");
        if (gen_compare(g, a, &t1, c, &t3, "<="))
            return -1;
        OUTS("))");
        return 0;
    }
    case EX_INLIST:
    case EX_INSUB:
        return gen_in(g, sc, e, ty, nullable);
    case EX_EXISTS: {
        struct query q;
        if (codegen_select(g, sc, e->sub, &q))
            return -1;
        *ty = mk(TL_T_BIT, 0, 0, 0);
        *nullable = false;
        OUT("(EXISTS (%s))", q.sql);
        return 0;
    }
    case EX_SUBQ: {
        struct query q;
        if (codegen_select(g, sc, e->sub, &q))
            return -1;
        if (q.ncols != 1)
            return codegen_err(g, 116, 16,
                               "Only one expression can be specified in the select list when the subquery is not introduced with EXISTS.");
        *ty = q.cols[0].type;
        OUT("tl_one((SELECT count(*) FROM (%s) LIMIT 2),(%s))", q.sql, q.sql);
        return 0;
    }
    case EX_CASE:
        return gen_case(g, sc, e, ty, nullable);
    case EX_CAST:
        return gen_cast(g, sc, e, ty, nullable);
    case EX_FUNC:
        return gen_func(g, sc, e, ty, nullable);
    }
    return codegen_err(g, 102, 15, "Incorrect syntax near '%s'.", e->s ? e->s : "");
}

/* ------------------------------------------------------------ FROM */

static struct src *scope_add(struct gen *g, struct scope *sc)
{
    if (sc->nsrcs == sc->capsrcs) {
        int nc = sc->capsrcs ? sc->capsrcs * 2 : 4;
        struct src *n = arena_alloc(g->a, sizeof(*n) * (size_t)nc);
        if (!n)
            return NULL;
        if (sc->nsrcs)
            memcpy(n, sc->srcs, sizeof(*n) * (size_t)sc->nsrcs);
        sc->srcs = n;
        sc->capsrcs = nc;
    }
    struct src *s = &sc->srcs[sc->nsrcs++];
    memset(s, 0, sizeof(*s));
    return s;
}

static int alias_counter;

struct src *codegen_scope_add(struct gen *g, struct scope *sc)
{
    return scope_add(g, sc);
}

char *codegen_alias(struct gen *g)
{
    return arena_printf(g->a, "c%d", __atomic_add_fetch(&alias_counter, 1, __ATOMIC_RELAXED) & 0xfffff);
}

int codegen_add_table(struct gen *g, struct scope *sc, struct table_meta *tm, const char *alias)
{
    struct src *s = scope_add(g, sc);
    if (!s)
        return -1;
    s->alias = alias ? arena_strdup(g->a, alias) : NULL;
    s->tname = tm->name;
    s->schema = tm->schema;
    s->tm = tm;
    s->sqlalias = arena_printf(g->a, "a%d", __atomic_add_fetch(&alias_counter, 1, __ATOMIC_RELAXED) & 0xfffff);
    s->ncols = tm->ncols;
    s->cols = arena_alloc(g->a, sizeof(struct colinfo) * (size_t)(tm->ncols ? tm->ncols : 1));
    if (!s->cols)
        return -1;
    for (int i = 0; i < tm->ncols; i++) {
        struct colinfo *c = &s->cols[i];
        memset(c, 0, sizeof(*c));
        c->name = tm->cols[i].name;
        c->type = tm->cols[i].type;
        c->nullable = tm->cols[i].nullable;
        c->identity = tm->cols[i].identity;
        c->colid = tm->cols[i].id;
        c->sql = arena_printf(g->a, "\"%s\".\"c%d\"", s->sqlalias, tm->cols[i].id);
    }
    return 0;
}

static int gen_from(struct gen *g, struct scope *sc, struct from_item *f)
{
    switch (f->kind) {
    case FR_TABLE: {
        struct src vs;
        int rc = catalog_view(g, &f->name, &vs);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            struct src *s = scope_add(g, sc);
            *s = vs;
            if (f->alias)
                s->alias = f->alias;
            s->sqlalias = arena_printf(g->a, "v%d", __atomic_add_fetch(&alias_counter, 1, __ATOMIC_RELAXED) & 0xfffff);
            for (int i = 0; i < s->ncols; i++)
                s->cols[i].sql = arena_printf(g->a, "\"%s\".\"%s\"", s->sqlalias, s->cols[i].name);
            OUT("(%s) AS \"%s\"", vs.sqlalias, s->sqlalias);
            return 0;
        }
        struct table_meta *tm = catalog_table(g->s, g->a, &f->name, &g->err);
        if (!tm || catalog_snapshot_check(g->s, tm->dbid, &g->err) ||
            sec_check_object(g->s, tm->dbid, tm->object_id, tm->dbname, tm->schema, tm->name, "SELECT", &g->err)) {
            g->failed = true;
            return -1;
        }
        if (codegen_add_table(g, sc, tm, f->alias))
            return -1;
        struct src *s = &sc->srcs[sc->nsrcs - 1];
        OUT("\"d%d\".\"t%lld\" AS \"%s\"", tm->dbid, (long long)tm->object_id, s->sqlalias);
        return 0;
    }
    case FR_SUB: {
        struct query q;
        if (codegen_select(g, sc->parent, f->sub, &q))
            return -1;
        struct src *s = scope_add(g, sc);
        s->alias = f->alias;
        s->sqlalias = arena_printf(g->a, "s%d", __atomic_add_fetch(&alias_counter, 1, __ATOMIC_RELAXED) & 0xfffff);
        s->ncols = q.ncols;
        s->cols = arena_alloc(g->a, sizeof(struct colinfo) * (size_t)(q.ncols ? q.ncols : 1));
        if (f->ncolnames && f->ncolnames != q.ncols)
            return codegen_err(g, f->ncolnames < q.ncols ? 8158 : 8159, 16,
                               f->ncolnames < q.ncols
                                   ? "'%s' has more columns than were specified in the column list."
                                   : "'%s' has fewer columns than were specified in the column list.",
                               f->alias);
        for (int i = 0; i < q.ncols; i++) {
            memset(&s->cols[i], 0, sizeof(struct colinfo));
            if (f->ncolnames)
                q.cols[i].name = f->colnames[i];
            if (!q.cols[i].name || !*q.cols[i].name)
                return codegen_err(g, 8155, 16,
                                   "No column name was specified for column %d of '%s'.", i + 1,
                                   f->alias);
            s->cols[i].name = q.cols[i].name;
            s->cols[i].type = q.cols[i].type;
            s->cols[i].nullable = q.cols[i].nullable;
            s->cols[i].sql = arena_printf(g->a, "\"%s\".\"o%d\"", s->sqlalias, i + 1);
        }
        OUT("(%s) AS \"%s\"", q.sql, s->sqlalias);
        return 0;
    }
    case FR_JOIN: {
        OUTS("(");
        if (gen_from(g, sc, f->l))
            return -1;
        int first_right = sc->nsrcs;
        static const char *jn[] = {" JOIN ", " LEFT JOIN ", " RIGHT JOIN ", " FULL JOIN ", " CROSS JOIN "};
        OUTS(jn[f->jk]);
        if (gen_from(g, sc, f->r))
            return -1;
        if (f->jk == J_LEFT || f->jk == J_FULL)
            for (int i = first_right; i < sc->nsrcs; i++)
                sc->srcs[i].nullable_side = true;
        if (f->jk == J_RIGHT || f->jk == J_FULL)
            for (int i = 0; i < first_right; i++)
                sc->srcs[i].nullable_side = true;
        if (f->on) {
            struct tl_type t;
            OUTS(" ON ");
            bool save = g->agg_ok;
            g->agg_ok = false;
            if (codegen_expr(g, sc, f->on, &t, NULL))
                return -1;
            g->agg_ok = save;
        } else if (f->jk != J_CROSS) {
            return codegen_err(g, 102, 15, "Incorrect syntax near 'JOIN'.");
        }
        OUTS(")");
        return 0;
    }
    case FR_CHANGETABLE:
        return ct_gen_from(g, sc, f);
    case FR_TVF:
        /* the only table-valued functions are CDC's (cdc_fn.c) */
        return cdc_gen_tvf(g, sc, f);
    default:
        return codegen_err(g, 102, 15, "Incorrect syntax near '('.");
    }
}

/* ------------------------------------------------------------ SELECT */

static bool has_agg(struct expr *e)
{
    if (!e)
        return false;
    if (e->kind == EX_FUNC && is_agg_name(e->s))
        return true;
    if (e->kind == EX_SUBQ || e->kind == EX_EXISTS || e->kind == EX_INSUB)
        return has_agg(e->a);
    if (has_agg(e->a) || has_agg(e->b) || has_agg(e->c))
        return true;
    for (int i = 0; i < e->nargs; i++)
        if (has_agg(e->args[i]))
            return true;
    for (int i = 0; i < e->nwhens; i++)
        if (has_agg(e->whens[i].when) || has_agg(e->whens[i].then))
            return true;
    return false;
}

/* 8120 check: columns used outside aggregates must be grouped. */
static int check_grouped(struct gen *g, struct scope *sc, struct expr *e, char **gsql, int ng,
                         const char *clause)
{
    if (!e)
        return 0;
    if (e->kind == EX_FUNC && is_agg_name(e->s))
        return 0;
    if (e->kind == EX_SUBQ || e->kind == EX_EXISTS)
        return 0;
    /* the whole expression may be a grouping expression */
    struct tl_type t;
    size_t mark = g->sql.len;
    bool save = g->agg_ok;
    g->agg_ok = true;
    int rc = codegen_expr(g, sc, e, &t, NULL);
    g->agg_ok = save;
    if (rc)
        return -1;
    char *mine = arena_strndup(g->a, (char *)g->sql.data + mark, g->sql.len - mark);
    buf_truncate(&g->sql, mark);
    for (int i = 0; i < ng; i++)
        if (!strcmp(mine, gsql[i]))
            return 0;
    if (e->kind == EX_COL) {
        int depth;
        struct colinfo *c = find_col(g, sc, e, &depth);
        if (!c)
            return -1;
        if (depth > 0)
            return 0; /* outer reference */
        return codegen_err(g, 8120, 16,
                           "Column '%s' is invalid in the %s because it is not contained in either an aggregate function or the GROUP BY clause.",
                           e->s, clause);
    }
    if (check_grouped(g, sc, e->a, gsql, ng, clause) || check_grouped(g, sc, e->b, gsql, ng, clause) ||
        check_grouped(g, sc, e->c, gsql, ng, clause))
        return -1;
    for (int i = 0; i < e->nargs; i++)
        if (check_grouped(g, sc, e->args[i], gsql, ng, clause))
            return -1;
    for (int i = 0; i < e->nwhens; i++)
        if (check_grouped(g, sc, e->whens[i].when, gsql, ng, clause) ||
            check_grouped(g, sc, e->whens[i].then, gsql, ng, clause))
            return -1;
    return 0;
}

static int add_outcol(struct gen *g, struct outcol **cols, int *n, int *cap, struct outcol c)
{
    if (*n == *cap) {
        int nc = *cap ? *cap * 2 : 8;
        struct outcol *nv = arena_alloc(g->a, sizeof(*nv) * (size_t)nc);
        if (!nv)
            return -1;
        if (*n)
            memcpy(nv, *cols, sizeof(*nv) * (size_t)*n);
        *cols = nv;
        *cap = nc;
    }
    (*cols)[(*n)++] = c;
    return 0;
}

/* One SELECT core (no compound, no ORDER BY). */
static int gen_core(struct gen *g, struct scope *parent, struct select *sel, struct query *q,
                    struct scope *out_scope)
{
    struct scope *sc = out_scope;
    memset(sc, 0, sizeof(*sc));
    sc->parent = parent;
    struct buf saved = g->sql;
    buf_init(&g->sql, 64u << 20);
    struct buf fromsql;
    buf_init(&fromsql, 64u << 20);
    int rc = -1;
    int cap = 0;
    q->cols = NULL;
    q->ncols = 0;

    if (sel->into) {
        codegen_err(g, 102, 15, "SELECT ... INTO is not supported by tdslite.");
        goto out;
    }
    if (sel->from) {
        if (gen_from(g, sc, sel->from))
            goto out;
        fromsql = g->sql;
        buf_init(&g->sql, 64u << 20);
    }
    bool grouped = sel->ngroup > 0 || has_agg(sel->having);
    for (int i = 0; i < sel->nitems && !grouped; i++)
        grouped = has_agg(sel->items[i].e);
    char **gsql = NULL;
    const char **gcoll = NULL;
    if (sel->ngroup) {
        gsql = arena_alloc(g->a, sizeof(char *) * (size_t)sel->ngroup);
        gcoll = arena_alloc(g->a, sizeof(char *) * (size_t)sel->ngroup);
        for (int i = 0; i < sel->ngroup; i++) {
            struct tl_type t;
            g->agg_ok = false;
            if (!(gsql[i] = sub_expr(g, sc, sel->group[i], &t, NULL)))
                goto out;
            gcoll[i] = type_is_string(t.id) ? " COLLATE TL_CI" : type_is_exact(t.id) ? " COLLATE TL_DEC" : "";
        }
    }
    OUTS("SELECT ");
    if (sel->distinct)
        OUTS("DISTINCT ");
    int ncol = 0;
    for (int i = 0; i < sel->nitems; i++) {
        struct sel_item *it = &sel->items[i];
        if (it->star) {
            if (grouped && sel->ngroup) {
                codegen_err(g, 8120, 16,
                            "Column '%s' is invalid in the select list because it is not contained in either an aggregate function or the GROUP BY clause.",
                            sc->nsrcs && sc->srcs[0].ncols ? sc->srcs[0].cols[0].name : "*");
                goto out;
            }
            bool any = false;
            if (!sel->from) {
                codegen_err(g, 263, 16, "Must specify table to select from.");
                goto out;
            }
            for (int s = 0; s < sc->nsrcs; s++) {
                struct src *sr = &sc->srcs[s];
                if (it->star_qual && !((sr->alias && ieq(sr->alias, it->star_qual)) ||
                                       (!sr->alias && sr->tname && ieq(sr->tname, it->star_qual))))
                    continue;
                any = true;
                for (int c = 0; c < sr->ncols; c++) {
                    struct outcol oc = {sr->cols[c].name, sr->cols[c].type,
                                        sr->cols[c].nullable || sr->nullable_side,
                                        sr->cols[c].identity, sr->cols[c].colid > 0};
                    OUT("%s%s AS \"o%d\"", ncol ? ", " : "", sr->cols[c].sql, ncol + 1);
                    ncol++;
                    if (add_outcol(g, &q->cols, &q->ncols, &cap, oc))
                        goto out;
                }
            }
            if (!any) {
                codegen_err(g, 4104, 16, "The multi-part identifier \"%s\" could not be bound.",
                            it->star_qual);
                goto out;
            }
            continue;
        }
        if (grouped && check_grouped(g, sc, it->e, gsql, sel->ngroup, "select list"))
            goto out;
        struct tl_type t;
        bool nl;
        g->agg_ok = true;
        char *es = sub_expr(g, sc, it->e, &t, &nl);
        if (!es)
            goto out;
        if (is_null_type(&t))
            t = mk(TL_T_INT, 0, 0, 0);
        struct outcol oc = {it->alias ? it->alias : (it->e->kind == EX_COL ? it->e->s : ""), t, nl,
                            false, false};
        if (it->e->kind == EX_COL && !it->alias) {
            int depth;
            struct colinfo *c = find_col(g, sc, it->e, &depth);
            if (c) {
                oc.identity = c->identity;
                /* a rowversion is written by the server only */
                oc.updatable = c->colid > 0 && c->type.id != TL_T_ROWVERSION;
            }
        }
        OUT("%s%s AS \"o%d\"", ncol ? ", " : "", es, ncol + 1);
        ncol++;
        if (add_outcol(g, &q->cols, &q->ncols, &cap, oc))
            goto out;
    }
    if (sel->from) {
        OUTS(" FROM ");
        buf_append(&g->sql, fromsql.data, fromsql.len);
    }
    if (sel->where) {
        struct tl_type t;
        OUTS(" WHERE ");
        g->agg_ok = false;
        if (codegen_expr(g, sc, sel->where, &t, NULL))
            goto out;
    }
    if (sel->ngroup) {
        OUTS(" GROUP BY ");
        for (int i = 0; i < sel->ngroup; i++)
            OUT("%s%s%s", i ? ", " : "", gsql[i], gcoll[i]);
    }
    if (sel->having) {
        struct tl_type t;
        if (check_grouped(g, sc, sel->having, gsql, sel->ngroup, "HAVING clause"))
            goto out;
        OUTS(" HAVING ");
        g->agg_ok = true;
        if (codegen_expr(g, sc, sel->having, &t, NULL))
            goto out;
    }
    q->sql = arena_strndup(g->a, g->sql.data ? (char *)g->sql.data : "", g->sql.len);
    rc = 0;
out:
    g->agg_ok = false;
    buf_free(&g->sql);
    if (fromsql.data != g->sql.data)
        buf_free(&fromsql);
    g->sql = saved;
    return rc;
}

static int eval_count(struct gen *g, struct scope *sc, struct expr *e, char **out)
{
    struct tl_type t;
    if (!(*out = sub_expr(g, sc, e, &t, NULL)))
        return -1;
    if (!type_is_int(t.id) && !type_is_exact(t.id) && !type_is_float(t.id))
        return codegen_err(g, 1060, 15, "The number of rows provided for a TOP or FETCH clauses row count parameter must be an integer.");
    return 0;
}

int codegen_select(struct gen *g, struct scope *parent, struct select *sel, struct query *q)
{
    struct buf saved = g->sql;
    buf_init(&g->sql, 64u << 20);
    int rc = -1;
    memset(q, 0, sizeof(*q));
    struct scope first_scope;
    int nparts = 0;
    for (struct select *p = sel; p; p = p->next) {
        struct query pq;
        struct scope tmp;
        if (gen_core(g, parent, p, &pq, p == sel ? &first_scope : &tmp))
            goto out;
        if (p == sel) {
            q->cols = pq.cols;
            q->ncols = pq.ncols;
        } else {
            if (pq.ncols != q->ncols) {
                codegen_err(g, 205, 16,
                            "All queries combined using a UNION, INTERSECT or EXCEPT operator must have an equal number of expressions in their target lists.");
                goto out;
            }
            for (int i = 0; i < q->ncols; i++) {
                q->cols[i].type = common_type(&q->cols[i].type, &pq.cols[i].type);
                q->cols[i].nullable |= pq.cols[i].nullable;
                q->cols[i].identity = false;
            }
        }
        if (nparts++)
            OUTS(" ");
        /* TOP applies to its own SELECT core */
        if (p->top && p->next == NULL && p == sel && !sel->order) {
            /* handled below with ORDER BY */
        }
        if (p != sel || sel->next) {
            OUT("SELECT * FROM (%s)", pq.sql);
            if (p->top && p != sel) {
                char *n;
                if (eval_count(g, NULL, p->top, &n))
                    goto out;
                buf_truncate(&g->sql, g->sql.len);
                OUT(" LIMIT %s", n);
            }
        } else {
            OUTS(pq.sql);
        }
        if (p->next) {
            static const char *ops[] = {"", " UNION ", " UNION ALL ", " EXCEPT ", " INTERSECT "};
            OUTS(ops[p->setop]);
        }
    }
    if (sel->order) {
        OUTS(" ORDER BY ");
        for (int i = 0; i < sel->norder; i++) {
            struct order_item *o = &sel->order[i];
            int pos = 0;
            if (o->e->kind == EX_INT) {
                pos = atoi(o->e->s);
                if (pos < 1 || pos > q->ncols) {
                    codegen_err(g, 108, 15, "The ORDER BY position number %d is out of range of the number of items in the select list.", pos);
                    goto out;
                }
            } else if (o->e->kind == EX_COL && o->e->nq == 0) {
                for (int k = 0; k < sel->nitems && k < q->ncols; k++)
                    if (sel->items[k].alias && ieq(sel->items[k].alias, o->e->s)) {
                        pos = k + 1;
                        break;
                    }
            }
            if (!pos && sel->next) {
                for (int k = 0; k < q->ncols; k++)
                    if (q->cols[k].name && ieq(q->cols[k].name, o->e->s ? o->e->s : "")) {
                        pos = k + 1;
                        break;
                    }
                if (!pos) {
                    codegen_err(g, 104, 16,
                                "ORDER BY items must appear in the select list if the statement contains a UNION, INTERSECT or EXCEPT operator.");
                    goto out;
                }
            }
            const char *coll = "";
            if (pos) {
                struct tl_type *t = &q->cols[pos - 1].type;
                coll = type_is_string(t->id) ? " COLLATE TL_CI" : type_is_exact(t->id) ? " COLLATE TL_DEC" : "";
                OUT("%s%d%s", i ? ", " : "", pos, "");
                if (*coll) {
                    buf_truncate(&g->sql, g->sql.len - (size_t)snprintf(NULL, 0, "%d", pos));
                    OUT("\"o%d\"%s", pos, coll);
                }
            } else {
                struct tl_type t;
                g->agg_ok = true;
                char *es = sub_expr(g, &first_scope, o->e, &t, NULL);
                g->agg_ok = false;
                if (!es)
                    goto out;
                coll = type_is_string(t.id) ? " COLLATE TL_CI" : type_is_exact(t.id) ? " COLLATE TL_DEC" : "";
                OUT("%s%s%s", i ? ", " : "", es, coll);
            }
            if (o->desc)
                OUTS(" DESC");
            /* SQL Server sorts NULLs first ascending, last descending: SQLite does too. */
        }
    }
    if (sel->offset) {
        char *off, *fe = NULL;
        if (eval_count(g, NULL, sel->offset, &off) || (sel->fetch && eval_count(g, NULL, sel->fetch, &fe)))
            goto out;
        if (sel->top) {
            codegen_err(g, 10741, 15, "A TOP can not be used in the same query or sub-query as a OFFSET.");
            goto out;
        }
        OUT(" LIMIT %s OFFSET %s", fe ? fe : "-1", off);
    } else if (sel->top) {
        char *n;
        if (eval_count(g, NULL, sel->top, &n))
            goto out;
        if (sel->top_percent) {
            /* PERCENT: count first; ceil(n% of rows) */
            char *inner = arena_strndup(g->a, (char *)g->sql.data, g->sql.len);
            buf_reset(&g->sql);
            OUT("SELECT * FROM (%s) LIMIT (SELECT CAST(((count(*) * (%s)) + 99.999999) / 100 AS INTEGER) FROM (%s))",
                inner, n, inner);
        } else {
            OUT(" LIMIT %s", n);
        }
    }
    q->sql = arena_strndup(g->a, g->sql.data ? (char *)g->sql.data : "", g->sql.len);
    q->params = g->params;
    q->nparams = g->nparams;
    rc = q->sql ? 0 : codegen_err(g, 701, 19, "There is insufficient system memory to run this query.");
out:
    buf_free(&g->sql);
    g->sql = saved;
    return rc;
}

int codegen_from_public(struct gen *g, struct scope *sc, struct from_item *f)
{
    return gen_from(g, sc, f);
}
