/*
 * convert: CAST, CONVERT and implicit conversion between SQL Server types
 * on canonical values, with SQL Server's results and error messages.
 *
 * Shape: decode the input into one of a few source classes (integer,
 * exact decimal, float, string, binary, date/time, GUID), then one
 * function per target family builds the canonical output in the arena.
 *
 * Decisions where SQL Server's behaviour was not reproduced exactly:
 *   - float -> decimal goes through 16 significant digits (%.15e), so
 *     0.285e0 becomes 0.29 at scale 2, as SQL Server prints it;
 *   - decimal/datetime -> binary uses the documented layouts for decimal
 *     (precision, scale, sign, magnitude LE) and datetime (days, ticks BE);
 *     date/time2/datetimeoffset -> binary is refused with 529;
 *   - 2628's "Truncated value" for binary targets is printed as 0x hex.
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"

enum src_class { S_NULL, S_INT, S_DEC, S_FLOAT, S_STR, S_BIN, S_DT, S_GUID };

struct src {
    enum src_class c;
    enum tl_type_id id; /* effective source type: names errors, picks rules */
    uint8_t scale;      /* date/time scale of the source */
    int64_t i;
    double f;
    struct value_decimal d;
    struct value_datetime dt;
    uint8_t guid[16];
    const uint8_t *p;
    size_t n;
};

struct conv {
    const struct tl_type *to;
    int style;
    bool explicit_cast;
    const char *table, *column;
    struct arena *a;
    struct tl_value *out;
    struct value_error *e;
};

static bool is_int_type(enum tl_type_id id)
{
    return id >= TL_T_BIT && id <= TL_T_BIGINT;
}

static bool is_dec_type(enum tl_type_id id)
{
    return id >= TL_T_DECIMAL && id <= TL_T_SMALLMONEY;
}

static bool is_dt_type(enum tl_type_id id)
{
    return id >= TL_T_DATE && id <= TL_T_DATETIMEOFFSET;
}

static bool is_str_type(enum tl_type_id id)
{
    return (id >= TL_T_CHAR && id <= TL_T_NTEXT) || id == TL_T_XML;
}

static bool is_nstr_type(enum tl_type_id id)
{
    return id == TL_T_NCHAR || id == TL_T_NVARCHAR || id == TL_T_NTEXT || id == TL_T_XML;
}

static bool is_bin_type(enum tl_type_id id)
{
    return id == TL_T_BINARY || id == TL_T_VARBINARY || id == TL_T_IMAGE || id == TL_T_ROWVERSION;
}

/* Type name as SQL Server's conversion messages spell it. */
static const char *msg_name(enum tl_type_id id)
{
    return id == TL_T_DECIMAL ? "numeric" : value_type_base_name(id);
}

/* ---- output helpers ---- */

static int out_text(struct conv *c, const void *p, size_t n)
{
    uint8_t *d = arena_alloc(c->a, n + 1);
    if (!d) {
        value_error_set(c->e, 701, "There is insufficient system memory in resource pool "
                                   "'default' to run this query.");
        return -1;
    }
    if (n)
        memcpy(d, p, n);
    d[n] = 0;
    c->out->kind = TL_V_TEXT;
    c->out->p = d;
    c->out->n = n;
    return 0;
}

static int out_blob(struct conv *c, const void *p, size_t n)
{
    if (out_text(c, p, n) != 0)
        return -1;
    c->out->kind = TL_V_BLOB;
    return 0;
}

static int out_int(struct conv *c, int64_t v)
{
    c->out->kind = TL_V_INT;
    c->out->i = v;
    return 0;
}

static int out_dec(struct conv *c, const struct value_decimal *d)
{
    char buf[48];
    size_t n = value_decimal_format(d, buf);
    return out_text(c, buf, n);
}

/* The value of a string source quoted in a message (cut to fit). */
static void quoted(const struct src *s, char *buf, size_t cap)
{
    size_t n = s->n < cap - 1 ? s->n : value_text_prefix(s->p, s->n, cap / 4, false);
    if (n > cap - 1)
        n = cap - 1;
    memcpy(buf, s->p, n);
    buf[n] = 0;
}

static int clash(struct conv *c, const struct src *s)
{
    if (c->explicit_cast)
        value_error_set(c->e, 529, "Explicit conversion from data type %s to %s is not allowed.",
                        value_type_base_name(s->id), value_type_base_name(c->to->id));
    else
        value_error_set(c->e, 206, "Operand type clash: %s is incompatible with %s",
                        value_type_base_name(s->id), value_type_base_name(c->to->id));
    return -1;
}

static int overflow(struct conv *c, const char *what)
{
    value_error_set(c->e, 8115, "Arithmetic overflow error converting %s to data type %s.", what,
                    msg_name(c->to->id));
    return -1;
}

/* What 8115 calls the source: "expression" for integers and money,
 * "numeric", "float", "varchar" ... otherwise. */
static const char *overflow_src(const struct src *s)
{
    if (s->c == S_INT || s->id == TL_T_MONEY || s->id == TL_T_SMALLMONEY)
        return "expression";
    if (s->c == S_FLOAT)
        return "float";
    return msg_name(s->id);
}

/* ---- decoding ---- */

static void trim(const uint8_t **p, size_t *n)
{
    while (*n && ((*p)[0] == ' ' || (*p)[0] == '\t' || (*p)[0] == '\r' || (*p)[0] == '\n')) {
        (*p)++;
        (*n)--;
    }
    while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t' || (*p)[*n - 1] == '\r' ||
                  (*p)[*n - 1] == '\n'))
        (*n)--;
}

static void decode(const struct tl_value *in, const struct tl_type *from, struct src *s)
{
    enum tl_type_id id = from ? from->id : TL_T_UNKNOWN;
    memset(s, 0, sizeof *s);
    s->id = id;
    s->scale = from ? from->scale : 0;
    if (id == TL_T_SQL_VARIANT)
        id = TL_T_UNKNOWN;
    switch (in->kind) {
    case TL_V_NULL:
        s->c = S_NULL;
        return;
    case TL_V_INT:
        s->c = S_INT;
        s->i = in->i;
        if (!is_int_type(id))
            s->id = in->i >= INT32_MIN && in->i <= INT32_MAX ? TL_T_INT : TL_T_BIGINT;
        if (id == TL_T_FLOAT || id == TL_T_REAL) {
            s->c = S_FLOAT;
            s->f = (double)in->i;
            s->id = id;
        }
        return;
    case TL_V_REAL:
        s->c = S_FLOAT;
        s->f = in->r;
        s->id = id == TL_T_REAL ? TL_T_REAL : TL_T_FLOAT;
        return;
    case TL_V_BLOB:
        s->p = in->p;
        s->n = in->n;
        if (id == TL_T_UNIQUEIDENTIFIER && in->n == 16) {
            s->c = S_GUID;
            memcpy(s->guid, in->p, 16);
            return;
        }
        s->c = is_str_type(id) ? S_STR : S_BIN;
        if (s->c == S_BIN && !is_bin_type(id))
            s->id = TL_T_VARBINARY;
        return;
    case TL_V_TEXT:
        break;
    }
    s->p = in->p;
    s->n = in->n;
    s->c = S_STR;
    if (is_dec_type(id) && value_decimal_parse_auto((const char *)in->p, in->n, &s->d) == 0) {
        s->c = S_DEC;
        return;
    }
    if (is_dt_type(id)) {
        unsigned fl;
        if (value_datetime_parse_ex((const char *)in->p, in->n, false, &s->dt, &fl) == 0) {
            s->c = S_DT;
            if (id != TL_T_DATETIMEOFFSET)
                s->dt.offset_min = 0;
            if (id == TL_T_DATETIME) { /* exact value of the tick */
                int32_t d;
                uint32_t t;
                value_datetime_to_ticks(&s->dt, &d, &t);
                value_datetime_from_ticks(d, t, &s->dt);
            }
            return;
        }
    }
    if (id == TL_T_UNIQUEIDENTIFIER &&
        value_guid_to_wire((const char *)in->p, in->n, s->guid) == 0) {
        s->c = S_GUID;
        return;
    }
    if (is_bin_type(id)) {
        s->c = S_BIN;
        return;
    }
    if (!is_str_type(id))
        s->id = TL_T_VARCHAR;
}

/* ---- to integer types ---- */

static void int_range(enum tl_type_id id, int64_t *lo, int64_t *hi)
{
    switch (id) {
    case TL_T_BIT: *lo = INT64_MIN; *hi = INT64_MAX; break;
    case TL_T_TINYINT: *lo = 0; *hi = 255; break;
    case TL_T_SMALLINT: *lo = INT16_MIN; *hi = INT16_MAX; break;
    case TL_T_INT: *lo = INT32_MIN; *hi = INT32_MAX; break;
    default: *lo = INT64_MIN; *hi = INT64_MAX; break;
    }
}

static int str_to_int(struct conv *c, const struct src *s)
{
    const uint8_t *p = s->p;
    size_t n = s->n, i = 0;
    bool neg = false;
    uint64_t v = 0, lim;
    int64_t lo, hi, r;
    char q[300];
    enum tl_type_id to = c->to->id;

    trim(&p, &n);
    if (n == 0)
        return out_int(c, 0);
    if (to == TL_T_BIT) {
        if (n == 4 && strncasecmp((const char *)p, "true", 4) == 0)
            return out_int(c, 1);
        if (n == 5 && strncasecmp((const char *)p, "false", 5) == 0)
            return out_int(c, 0);
    }
    if (p[0] == '+' || p[0] == '-')
        neg = p[i++] == '-';
    if (i == n)
        goto bad;
    int_range(to, &lo, &hi);
    lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            goto bad;
        if (v > (lim - (uint64_t)(p[i] - '0')) / 10) {
            if (to == TL_T_BIT)
                return out_int(c, 1);
            goto over;
        }
        v = v * 10 + (uint64_t)(p[i] - '0');
    }
    r = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
    if (to == TL_T_BIT)
        return out_int(c, r != 0);
    if (r < lo || r > hi)
        goto over;
    return out_int(c, r);
bad:
    quoted(s, q, sizeof q);
    value_error_set(c->e, 245, "Conversion failed when converting the %s value '%s' to data type %s.",
                    msg_name(s->id), q, msg_name(to));
    return -1;
over:
    quoted(s, q, sizeof q);
    if (to == TL_T_TINYINT || to == TL_T_SMALLINT)
        value_error_set(c->e, 244, "The conversion of the %s value '%s' overflowed an %s column. "
                                   "Use a larger integer column.",
                        msg_name(s->id), q, to == TL_T_TINYINT ? "INT1" : "INT2");
    else if (to == TL_T_INT)
        value_error_set(c->e, 248, "The conversion of the %s value '%s' overflowed an int column.",
                        msg_name(s->id), q);
    else
        value_error_set(c->e, 8114, "Error converting data type %s to %s.", msg_name(s->id),
                        msg_name(to));
    return -1;
}

static int64_t be_int(const uint8_t *p, size_t n, size_t width)
{
    uint64_t v = 0;
    size_t start = n > width ? n - width : 0;
    for (size_t k = start; k < n; k++)
        v = v << 8 | p[k];
    if (width < 8 && (v >> (width * 8 - 1)) & 1)
        v |= ~(uint64_t)0 << (width * 8); /* sign-extend */
    return (int64_t)v;
}

static int to_int(struct conv *c, const struct src *s)
{
    enum tl_type_id to = c->to->id;
    int64_t lo, hi, v = 0;
    int_range(to, &lo, &hi);
    switch (s->c) {
    case S_INT:
        v = s->i;
        if (to == TL_T_BIT)
            return out_int(c, v != 0);
        if (v < lo || v > hi) {
            if (to == TL_T_TINYINT || to == TL_T_SMALLINT) {
                value_error_set(c->e, 220, "Arithmetic overflow error for data type %s, value = "
                                           "%lld.", msg_name(to), (long long)v);
                return -1;
            }
            return overflow(c, "expression");
        }
        return out_int(c, v);
    case S_DEC: {
        bool money = s->id == TL_T_MONEY || s->id == TL_T_SMALLMONEY;
        if (to == TL_T_BIT)
            return out_int(c, s->d.mag != 0);
        if (value_decimal_to_i64(&s->d, !money, &v) != 0 || v < lo || v > hi)
            return overflow(c, overflow_src(s));
        return out_int(c, v);
    }
    case S_FLOAT: {
        double t = trunc(s->f);
        if (to == TL_T_BIT)
            return out_int(c, s->f != 0);
        if (!(t >= -9223372036854775808.0 && t < 9223372036854775808.0))
            return overflow(c, "float");
        v = (int64_t)t;
        if (v < lo || v > hi)
            return overflow(c, "float");
        return out_int(c, v);
    }
    case S_STR:
        return str_to_int(c, s);
    case S_BIN: {
        size_t w = to == TL_T_BIGINT ? 8 : to == TL_T_INT ? 4 : to == TL_T_SMALLINT ? 2 : 1;
        v = be_int(s->p, s->n, w);
        if (to == TL_T_TINYINT)
            v &= 0xFF;
        if (to == TL_T_BIT)
            v = v != 0;
        return out_int(c, v);
    }
    case S_DT:
        if (s->id == TL_T_DATETIME || s->id == TL_T_SMALLDATETIME) {
            int32_t days;
            uint64_t units;
            value_datetime_split(&s->dt, &days, &units);
            v = days - value_days_from_civil(1900, 1, 1) + (units >= 432000000000ULL);
            if (v < lo || v > hi)
                return overflow(c, "expression");
            return out_int(c, to == TL_T_BIT ? v != 0 : v);
        }
        return clash(c, s);
    default:
        return clash(c, s);
    }
}

/* ---- to decimal, numeric, money, smallmoney ---- */

static double dt_to_float(const struct value_datetime *dt)
{
    int32_t days;
    uint64_t units;
    value_datetime_split(dt, &days, &units);
    return (double)(days - value_days_from_civil(1900, 1, 1)) + (double)units / 864000000000.0;
}

static int float_to_dec(double f, uint8_t scale, struct value_decimal *d)
{
    char buf[64];
    int n = snprintf(buf, sizeof buf, "%.15e", f);
    if (!isfinite(f))
        return VALUE_ERANGE;
    return value_decimal_parse_ex(buf, (size_t)n, scale, true, d);
}

/* Money text: optional currency sign and thousands commas. */
static int money_parse(const struct src *s, struct value_decimal *d)
{
    char buf[128];
    size_t o = 0;
    const uint8_t *p = s->p;
    size_t n = s->n;
    trim(&p, &n);
    if (n == 0) {
        value_decimal_from_i64(0, d);
        return value_decimal_rescale(d, 4, false);
    }
    for (size_t i = 0; i < n && o < sizeof buf - 1; i++) {
        if (p[i] == ',' || (p[i] == '$' && o <= 1))
            continue;
        buf[o++] = (char)p[i];
    }
    return value_decimal_parse_ex(buf, o, 4, false, d);
}

static int to_decimal(struct conv *c, const struct src *s)
{
    enum tl_type_id to = c->to->id;
    uint8_t p = c->to->precision, sc = c->to->scale;
    struct value_decimal d;
    int rc = 0;

    if (to == TL_T_MONEY || to == TL_T_SMALLMONEY) {
        p = to == TL_T_MONEY ? 19 : 10;
        sc = 4;
    } else if (p == 0) {
        p = 18;
    }
    switch (s->c) {
    case S_INT:
        value_decimal_from_i64(s->i, &d);
        rc = value_decimal_rescale(&d, sc, false);
        break;
    case S_DEC:
        d = s->d;
        rc = value_decimal_rescale(&d, sc, false);
        break;
    case S_FLOAT:
        rc = float_to_dec(s->f, sc, &d);
        break;
    case S_STR:
        if (to == TL_T_MONEY || to == TL_T_SMALLMONEY) {
            rc = money_parse(s, &d);
            if (rc == VALUE_EBAD) {
                value_error_set(c->e, 235, "Cannot convert a char value to money. The char "
                                           "value has incorrect syntax.");
                return -1;
            }
        } else {
            rc = value_decimal_parse_ex((const char *)s->p, s->n, sc, false, &d);
            if (rc == VALUE_EBAD) {
                value_error_set(c->e, 8114, "Error converting data type %s to numeric.",
                                msg_name(s->id));
                return -1;
            }
        }
        break;
    case S_DT:
        if (s->id != TL_T_DATETIME && s->id != TL_T_SMALLDATETIME)
            return clash(c, s);
        rc = float_to_dec(dt_to_float(&s->dt), sc, &d);
        break;
    default:
        return clash(c, s);
    }
    if (rc == 0) {
        if (to == TL_T_MONEY) {
            struct value_decimal lim;
            const char *l = d.neg ? "-922337203685477.5808" : "922337203685477.5807";
            value_decimal_parse_ex(l, strlen(l), 4, false, &lim);
            if ((d.neg ? -1 : 1) * value_decimal_cmp(&d, &lim) > 0)
                rc = VALUE_ERANGE;
        } else if (to == TL_T_SMALLMONEY) {
            struct value_decimal lim;
            const char *l = d.neg ? "-214748.3648" : "214748.3647";
            value_decimal_parse_ex(l, strlen(l), 4, false, &lim);
            if ((d.neg ? -1 : 1) * value_decimal_cmp(&d, &lim) > 0)
                rc = VALUE_ERANGE;
        } else if (!value_decimal_fits(&d, p)) {
            rc = VALUE_ERANGE;
        }
    }
    if (rc != 0) {
        if (to == TL_T_MONEY || to == TL_T_SMALLMONEY)
            return overflow(c, "expression");
        return overflow(c, s->c == S_INT ? msg_name(s->id) : overflow_src(s));
    }
    return out_dec(c, &d);
}

/* ---- to float, real ---- */

static bool float_text_ok(const uint8_t *p, size_t n)
{
    size_t i = 0;
    bool dig = false;
    if (i < n && (p[i] == '+' || p[i] == '-'))
        i++;
    for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
        dig = true;
    if (i < n && p[i] == '.')
        for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++)
            dig = true;
    if (!dig)
        return false;
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        bool ed = false;
        i++;
        if (i < n && (p[i] == '+' || p[i] == '-'))
            i++;
        for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
            ed = true;
        if (!ed)
            return false;
    }
    return i == n;
}

static int to_float(struct conv *c, const struct src *s)
{
    double f = 0;
    bool real = c->to->id == TL_T_REAL;
    switch (s->c) {
    case S_INT: f = (double)s->i; break;
    case S_DEC: f = value_decimal_to_double(&s->d); break;
    case S_FLOAT: f = s->f; break;
    case S_STR: {
        const uint8_t *p = s->p;
        size_t n = s->n;
        char buf[400];
        trim(&p, &n);
        if (n == 0)
            break;
        if (n >= sizeof buf || !float_text_ok(p, n)) {
            value_error_set(c->e, 8114, "Error converting data type %s to %s.", msg_name(s->id),
                            msg_name(c->to->id));
            return -1;
        }
        memcpy(buf, p, n);
        buf[n] = 0;
        f = strtod(buf, NULL);
        if (!isfinite(f))
            return overflow(c, msg_name(s->id));
        break;
    }
    case S_DT:
        if (s->id != TL_T_DATETIME && s->id != TL_T_SMALLDATETIME)
            return clash(c, s);
        f = dt_to_float(&s->dt);
        break;
    default:
        return clash(c, s);
    }
    if (real) {
        float r = (float)f;
        if (isinf(r) && isfinite(f))
            return overflow(c, "float");
        f = r;
    }
    c->out->kind = TL_V_REAL;
    c->out->r = f;
    return 0;
}

/* ---- to date and time types ---- */

static int dt_range_error(struct conv *c, const struct src *s)
{
    value_error_set(c->e, 242, "The conversion of a %s data type to a %s data type resulted in "
                               "an out-of-range value.",
                    msg_name(s->id), msg_name(c->to->id));
    return -1;
}

static int bad_datetime(struct conv *c)
{
    value_error_set(c->e, 241, "Conversion failed when converting date and/or time from "
                               "character string.");
    return -1;
}

static int str_to_dt(struct conv *c, const struct src *s, struct value_datetime *dt)
{
    enum tl_type_id to = c->to->id;
    bool legacy = to == TL_T_DATETIME || to == TL_T_SMALLDATETIME;
    int st = c->style % 100;
    bool dmy = st == 3 || st == 4 || st == 5 || st == 13 || st == 6;
    unsigned fl = 0;
    int rc = value_datetime_parse_ex((const char *)s->p, s->n, dmy, dt, &fl);
    if (rc == VALUE_EEMPTY) {
        struct value_datetime z = {1900, 1, 1, 0, 0, 0, 0, 0};
        *dt = z;
        return 0;
    }
    if (rc == VALUE_ERANGE)
        return legacy ? dt_range_error(c, s) : bad_datetime(c);
    if (rc != 0 || (fl & VALUE_DT_LONG_FRAC))
        return bad_datetime(c);
    if (legacy && ((fl & VALUE_DT_FRAC_GT3) ||
                   ((fl & VALUE_DT_HAS_OFFSET) && !(fl & VALUE_DT_ZULU))))
        return bad_datetime(c);
    if (to != TL_T_DATETIMEOFFSET)
        dt->offset_min = 0;
    return 0;
}

static int to_datetime(struct conv *c, const struct src *s)
{
    enum tl_type_id to = c->to->id;
    struct value_datetime dt = {1900, 1, 1, 0, 0, 0, 0, 0};
    char buf[64];
    size_t n;

    switch (s->c) {
    case S_STR:
        if (str_to_dt(c, s, &dt) != 0)
            return -1;
        break;
    case S_DT:
        if ((s->id == TL_T_TIME && to == TL_T_DATE) || (s->id == TL_T_DATE && to == TL_T_TIME))
            return clash(c, s);
        dt = s->dt;
        if (s->id == TL_T_TIME)
            dt.year = 1900, dt.month = 1, dt.day = 1;
        if (to != TL_T_DATETIMEOFFSET)
            dt.offset_min = 0;
        break;
    case S_INT:
    case S_DEC:
    case S_FLOAT: {
        double days = s->c == S_INT ? (double)s->i
                      : s->c == S_DEC ? value_decimal_to_double(&s->d) : s->f;
        double whole = floor(days);
        uint64_t units;
        if (to != TL_T_DATETIME && to != TL_T_SMALLDATETIME)
            return clash(c, s);
        if (!(whole >= -53690.0 && whole <= 2958463.0))
            return overflow(c, "expression");
        units = (uint64_t)llround((days - whole) * 864000000000.0);
        value_datetime_join(value_days_from_civil(1900, 1, 1) + (int32_t)whole, units, &dt);
        break;
    }
    default:
        return clash(c, s);
    }
    if (value_datetime_round(c->to, &dt) != 0) {
        if (s->c == S_STR && to != TL_T_DATETIME && to != TL_T_SMALLDATETIME)
            return bad_datetime(c);
        if (s->c != S_DT && s->c != S_STR)
            return overflow(c, "expression");
        return dt_range_error(c, s);
    }
    n = value_datetime_format(c->to, &dt, buf);
    return out_text(c, buf, n);
}

/* ---- to strings ---- */

static int render_bytes_as_text(struct conv *c, const struct src *s, bool utf16, struct buf *b)
{
    if (utf16)
        return utf16le_to_utf8(b, s->p, s->n);
    for (size_t k = 0; k < s->n; k++) {
        int32_t cp = value_cp1252_to_unicode(s->p[k]);
        uint8_t u[4];
        size_t un = 0;
        if (cp < 0x80)
            u[un++] = (uint8_t)cp;
        else if (cp < 0x800) {
            u[un++] = (uint8_t)(0xC0 | cp >> 6);
            u[un++] = (uint8_t)(0x80 | (cp & 0x3F));
        } else {
            u[un++] = (uint8_t)(0xE0 | cp >> 12);
            u[un++] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
            u[un++] = (uint8_t)(0x80 | (cp & 0x3F));
        }
        if (buf_append(b, u, un) != 0)
            return -1;
    }
    return 0;
}

static int hex_text(const uint8_t *p, size_t n, bool prefix, struct buf *b)
{
    static const char hx[] = "0123456789ABCDEF";
    if (prefix && buf_append(b, "0x", 2) != 0)
        return -1;
    for (size_t k = 0; k < n; k++) {
        char two[2] = {hx[p[k] >> 4], hx[p[k] & 15]};
        if (buf_append(b, two, 2) != 0)
            return -1;
    }
    return 0;
}

/* Text of the source as CONVERT(to, x, style) produces it, before length
 * rules. *numeric: 1 integer source, 2 other numeric source, 0 else. */
static int render(struct conv *c, const struct src *s, struct buf *b, int *numeric)
{
    char tmp[96];
    size_t n = 0;
    *numeric = 0;
    switch (s->c) {
    case S_INT:
        *numeric = 1;
        n = (size_t)snprintf(tmp, sizeof tmp, "%lld", (long long)s->i);
        break;
    case S_DEC:
        *numeric = 2;
        if (s->id == TL_T_MONEY || s->id == TL_T_SMALLMONEY)
            n = style_money(&s->d, c->style, tmp);
        if (!n)
            n = value_decimal_format(&s->d, tmp);
        break;
    case S_FLOAT:
        *numeric = 2;
        n = style_float(s->f, s->id == TL_T_REAL, c->style, tmp);
        if (!n)
            n = style_float(s->f, s->id == TL_T_REAL, 0, tmp);
        break;
    case S_DT: {
        struct value_datetime dt = s->dt;
        if (s->id == TL_T_DATETIME) { /* shown to the rounded millisecond */
            struct tl_type t = {TL_T_DATETIME, 0, 0, 0};
            value_datetime_round(&t, &dt);
        }
        n = style_datetime(s->id, s->scale, &dt, c->style, tmp);
        if (!n) {
            value_error_set(c->e, 281, "%d is not a valid style number when converting from %s "
                                       "to a character string.",
                            c->style, value_type_base_name(s->id));
            return -1;
        }
        break;
    }
    case S_GUID:
        value_guid_from_wire(s->guid, tmp);
        n = 36;
        break;
    case S_BIN:
        if (c->style == 1 || c->style == 2)
            return hex_text(s->p, s->n, c->style == 1, b);
        return render_bytes_as_text(c, s, is_nstr_type(c->to->id), b);
    case S_STR:
        return buf_append(b, s->p, s->n);
    default:
        return -1;
    }
    return buf_append(b, tmp, n);
}

/* Replace characters varchar cannot hold with '?': one per UTF-16 unit, as
 * SQL Server converts nvarchar to code page 1252 (a character outside the
 * BMP, a surrogate pair, becomes "??"). Never grows the text: a non-BMP
 * character takes 4 bytes of UTF-8. */
static int to_codepage(struct buf *b)
{
    size_t i = 0, o = 0;
    bool lossy = false;
    for (size_t k = 0; k < b->len; k++)
        if (b->data[k] >= 0x80) {
            lossy = true;
            break;
        }
    if (!lossy)
        return 0;
    while (i < b->len) {
        size_t st = i;
        int32_t cp = b->data[i] < 0x80 ? b->data[i++] : utf8_decode(b->data, b->len, &i);
        if (cp >= 0 && value_cp1252_from_unicode(cp) >= 0) {
            memmove(b->data + o, b->data + st, i - st);
            o += i - st;
        } else {
            b->data[o++] = '?';
            if (cp >= 0x10000)
                b->data[o++] = '?';
        }
    }
    buf_truncate(b, o);
    return 0;
}

static int truncation(struct conv *c, const uint8_t *p, size_t n, bool binary)
{
    struct buf b;
    int rc;
    buf_init(&b, 1 << 20);
    if (binary)
        rc = hex_text(p, n, true, &b);
    else
        rc = buf_append(&b, p, n);
    value_error_set(c->e, 2628, "String or binary data would be truncated in table '%s', column "
                                "'%s'. Truncated value: '%.*s'.",
                    c->table ? c->table : "", c->column ? c->column : "", rc ? 0 : (int)(b.len > 200 ? 200 : b.len),
                    b.data ? (const char *)b.data : "");
    buf_free(&b);
    return -1;
}

static int to_string(struct conv *c, const struct src *s)
{
    enum tl_type_id to = c->to->id;
    bool utf16 = is_nstr_type(to), fixed = to == TL_T_CHAR || to == TL_T_NCHAR;
    int32_t len = c->to->length;
    struct buf b;
    int numeric, rc = -1;
    size_t units, cut;

    buf_init(&b, (size_t)1 << 31);
    if (render(c, s, &b, &numeric) != 0) {
        if (c->e && c->e->number == 0)
            value_error_set(c->e, 701, "There is insufficient system memory in resource pool "
                                       "'default' to run this query.");
        goto out;
    }
    if (!utf16 && to != TL_T_XML)
        to_codepage(&b);
    if (to == TL_T_XML) {
        /* xml is stored parsed: the text is what SQL Server prints back */
        struct buf x;
        buf_init(&x, (size_t)1 << 31);
        rc = value_xml_normalize(b.data ? b.data : (const uint8_t *)"", b.len, &x, c->e) ? -1
             : out_text(c, x.data ? x.data : (const uint8_t *)"", x.len);
        buf_free(&x);
        goto out;
    }
    if (to == TL_T_TEXT || to == TL_T_NTEXT || len == TL_MAX) {
        rc = out_text(c, b.data ? b.data : (const uint8_t *)"", b.len);
        goto out;
    }
    if (len <= 0)
        len = 30;
    units = value_text_units(b.data, b.len, utf16);
    if (units > (size_t)len) {
        if (numeric == 1 && !utf16) {
            buf_reset(&b);
            buf_append(&b, "*", 1);
            units = 1;
        } else if (numeric) {
            rc = overflow(c, numeric == 1 ? "expression" : overflow_src(s));
            goto out;
        } else {
            cut = value_text_prefix(b.data, b.len, (size_t)len, utf16);
            if (!c->explicit_cast) {
                rc = truncation(c, b.data, cut, false);
                goto out;
            }
            buf_truncate(&b, cut);
            units = value_text_units(b.data, b.len, utf16);
        }
    }
    if (fixed)
        for (; units < (size_t)len; units++)
            buf_append(&b, " ", 1);
    rc = out_text(c, b.data ? b.data : (const uint8_t *)"", b.len);
out:
    buf_free(&b);
    return rc;
}

/* ---- to binary types ---- */

static int hex_decode(const uint8_t *p, size_t n, bool prefix, struct buf *b)
{
    if (prefix) {
        if (n < 2 || p[0] != '0' || (p[1] != 'x' && p[1] != 'X'))
            return -1;
        p += 2;
        n -= 2;
    }
    if (n % 2)
        return -1;
    for (size_t k = 0; k < n; k += 2) {
        int hi = -1, lo = -1;
        for (int j = 0; j < 2; j++) {
            uint8_t ch = p[k + (size_t)j];
            int v = ch >= '0' && ch <= '9' ? ch - '0'
                    : (ch | 32) >= 'a' && (ch | 32) <= 'f' ? (ch | 32) - 'a' + 10 : -1;
            if (j == 0)
                hi = v;
            else
                lo = v;
        }
        if (hi < 0 || lo < 0)
            return -1;
        if (buf_append_byte(b, (uint8_t)(hi << 4 | lo)) != 0)
            return -1;
    }
    return 0;
}

static int text_to_bytes(const struct src *s, struct buf *b)
{
    if (is_nstr_type(s->id))
        return utf8_to_utf16le(b, s->p, s->n);
    for (size_t i = 0; i < s->n;) {
        int32_t cp = s->p[i] < 0x80 ? s->p[i++] : utf8_decode(s->p, s->n, &i);
        int byte = cp < 0 ? '?' : value_cp1252_from_unicode(cp);
        if (buf_append_byte(b, (uint8_t)(byte < 0 ? '?' : byte)) != 0)
            return -1;
    }
    return 0;
}

static int be_bytes(struct buf *b, uint64_t v, int width)
{
    for (int k = width - 1; k >= 0; k--)
        if (buf_append_byte(b, (uint8_t)(v >> (8 * k))) != 0)
            return -1;
    return 0;
}

static int to_binary(struct conv *c, const struct src *s)
{
    enum tl_type_id to = c->to->id;
    int32_t len = to == TL_T_ROWVERSION ? 8 : c->to->length;
    bool left = false; /* numbers are cut and padded on the left */
    struct buf b;
    int rc = -1;

    buf_init(&b, (size_t)1 << 31);
    switch (s->c) {
    case S_STR:
        if (c->style == 1 || c->style == 2) {
            const uint8_t *p = s->p;
            size_t n = s->n;
            if (hex_decode(p, n, c->style == 1, &b) != 0) {
                value_error_set(c->e, 8114, "Error converting data type %s to %s.",
                                msg_name(s->id), msg_name(to));
                goto out;
            }
        } else if (text_to_bytes(s, &b) != 0) {
            goto out;
        }
        break;
    case S_BIN:
        buf_append(&b, s->p, s->n);
        break;
    case S_INT: {
        int w = s->id == TL_T_BIGINT ? 8 : s->id == TL_T_SMALLINT ? 2
                : (s->id == TL_T_TINYINT || s->id == TL_T_BIT) ? 1 : 4;
        be_bytes(&b, (uint64_t)s->i, w);
        left = true;
        break;
    }
    case S_FLOAT: {
        uint64_t u;
        if (s->id == TL_T_REAL) {
            float f = (float)s->f;
            uint32_t u32;
            memcpy(&u32, &f, 4);
            be_bytes(&b, u32, 4);
        } else {
            memcpy(&u, &s->f, 8);
            be_bytes(&b, u, 8);
        }
        left = true;
        break;
    }
    case S_DEC: {
        int w = s->d.mag < value_decimal_pow10(9) ? 4 : s->d.mag < value_decimal_pow10(19) ? 8
                : s->d.mag < value_decimal_pow10(28) ? 12 : 16;
        unsigned __int128 m = s->d.mag;
        buf_append_byte(&b, 38);
        buf_append_byte(&b, s->d.scale);
        buf_append_byte(&b, s->d.neg ? 0 : 1);
        for (int k = 0; k < w; k++, m >>= 8)
            buf_append_byte(&b, (uint8_t)m);
        break;
    }
    case S_GUID:
        buf_append(&b, s->guid, 16);
        break;
    case S_DT:
        if (s->id == TL_T_DATETIME) {
            int32_t d;
            uint32_t t;
            value_datetime_to_ticks(&s->dt, &d, &t);
            be_bytes(&b, (uint32_t)d, 4);
            be_bytes(&b, t, 4);
        } else if (s->id == TL_T_SMALLDATETIME) {
            int32_t days;
            uint64_t units;
            value_datetime_split(&s->dt, &days, &units);
            be_bytes(&b, (uint64_t)(days - value_days_from_civil(1900, 1, 1)), 2);
            be_bytes(&b, units / 600000000ULL, 2);
        } else {
            rc = clash(c, s);
            goto out;
        }
        break;
    default:
        rc = clash(c, s);
        goto out;
    }
    if (to == TL_T_IMAGE || len == TL_MAX) {
        rc = out_blob(c, b.data, b.len);
        goto out;
    }
    if (len <= 0)
        len = 30;
    if (b.len > (size_t)len) {
        if (!c->explicit_cast && !left) {
            rc = truncation(c, b.data, (size_t)len, true);
            goto out;
        }
        if (left) {
            memmove(b.data, b.data + b.len - (size_t)len, (size_t)len);
        }
        buf_truncate(&b, (size_t)len);
    }
    if ((to == TL_T_BINARY || to == TL_T_ROWVERSION) && b.len < (size_t)len) {
        size_t pad = (size_t)len - b.len, old = b.len;
        for (size_t k = 0; k < pad; k++)
            buf_append_byte(&b, 0);
        if (left && b.data) {
            memmove(b.data + pad, b.data, old);
            memset(b.data, 0, pad);
        }
    }
    rc = out_blob(c, b.data, b.len);
out:
    buf_free(&b);
    return rc;
}

/* ---- to uniqueidentifier ---- */

static int to_guid(struct conv *c, const struct src *s)
{
    uint8_t g[16] = {0};
    char txt[37];
    switch (s->c) {
    case S_GUID:
        memcpy(g, s->guid, 16);
        break;
    case S_STR: {
        const uint8_t *p = s->p;
        size_t n = s->n;
        trim(&p, &n);
        /* SQL Server reads the first 36 characters and ignores the rest. */
        if (n > 36 && p[0] != '{')
            n = 36;
        if (value_guid_to_wire((const char *)p, n, g) != 0) {
            value_error_set(c->e, 8169, "Conversion failed when converting from a character "
                                        "string to uniqueidentifier.");
            return -1;
        }
        break;
    }
    case S_BIN:
        memcpy(g, s->p, s->n < 16 ? s->n : 16);
        break;
    default:
        return clash(c, s);
    }
    value_guid_from_wire(g, txt);
    return out_text(c, txt, 36);
}

int value_convert(const struct tl_value *in, const struct tl_type *from, const struct tl_type *to,
                  int style, bool explicit_cast, const char *ctx_table, const char *ctx_column,
                  struct arena *a, struct tl_value *out, struct value_error *e)
{
    struct src s;
    struct conv c = {to, style, explicit_cast, ctx_table, ctx_column, a, out, e};
    enum tl_type_id id = to->id;

    memset(out, 0, sizeof *out);
    if (e)
        e->number = 0;
    decode(in, from, &s);
    if (s.c == S_NULL)
        return 0;
    if (s.id == TL_T_UNIQUEIDENTIFIER && s.c == S_GUID && (is_int_type(id) || is_dec_type(id) ||
                                                           id == TL_T_FLOAT || id == TL_T_REAL ||
                                                           is_dt_type(id)))
        return clash(&c, &s);
    if (is_int_type(id))
        return to_int(&c, &s);
    if (is_dec_type(id))
        return to_decimal(&c, &s);
    if (id == TL_T_FLOAT || id == TL_T_REAL)
        return to_float(&c, &s);
    if (is_dt_type(id))
        return to_datetime(&c, &s);
    if (is_str_type(id))
        return to_string(&c, &s);
    if (is_bin_type(id))
        return to_binary(&c, &s);
    if (id == TL_T_UNIQUEIDENTIFIER)
        return to_guid(&c, &s);
    /* sql_variant and unknown targets keep the value as it is. */
    *out = *in;
    if (in->kind == TL_V_TEXT || in->kind == TL_V_BLOB) {
        enum tl_vkind k = in->kind;
        if (out_text(&c, in->p, in->n) != 0)
            return -1;
        out->kind = k;
    }
    return 0;
}
