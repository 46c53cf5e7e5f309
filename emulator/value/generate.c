/*
 * generate: deterministic test data for every SQL Server type.
 *
 * A value is a pure function of (seed, row, column): the three are mixed
 * into one splitmix64 state, and every draw after that comes from the same
 * stream, so any row can be regenerated alone, in any order, on any
 * machine. Values cover each type's whole domain: about 5% NULL when
 * nullable, about 4% exact extremes (min, max, zero, empty), the rest
 * spread over the range (integers over all bits, decimals over every
 * digit count at the declared precision and scale, dates 0001..9999).
 * varchar holds only Windows-1252 characters; nvarchar adds CJK and
 * non-BMP characters (surrogate pairs count 2 against the length). (max)
 * types are mostly short with an occasional value past 8000 bytes so PLP
 * chunking gets exercised. The only allocation is the result in the arena.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

struct rng {
    uint64_t s;
};

static uint64_t next(struct rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint64_t below(struct rng *r, uint64_t n)
{
    return n ? next(r) % n : 0;
}

static void set_text(struct arena *a, struct tl_value *out, const char *s, size_t n, bool blob)
{
    uint8_t *p = arena_memdup(a, s, n ? n : 1);
    out->kind = p ? (blob ? TL_V_BLOB : TL_V_TEXT) : TL_V_NULL;
    out->p = p;
    out->n = p ? n : 0;
}

static int64_t gen_int(struct rng *r, int64_t lo, int64_t hi, int extreme)
{
    uint64_t span = (uint64_t)hi - (uint64_t)lo;
    if (extreme == 1)
        return lo;
    if (extreme == 2)
        return hi;
    if (extreme == 3)
        return lo < 0 ? 0 : lo;
    if (next(r) & 1) /* small magnitudes are common in real data */
        return lo < 0 ? (int64_t)below(r, 2001) - 1000 : lo + (int64_t)below(r, span < 1000 ? span + 1 : 1000);
    return span == UINT64_MAX ? (int64_t)next(r) : lo + (int64_t)below(r, span + 1);
}

static void gen_decimal(struct rng *r, int p, int s, int extreme, struct arena *a,
                        struct tl_value *out)
{
    struct value_decimal d = {0, false, (uint8_t)s};
    char buf[48];
    size_t n;
    if (extreme == 1 || extreme == 2) {
        d.mag = value_decimal_pow10(p) - 1;
        d.neg = extreme == 1;
    } else if (extreme != 3) {
        int digits = 1 + (int)below(r, (uint64_t)p);
        unsigned __int128 lim = value_decimal_pow10(digits);
        unsigned __int128 v = ((unsigned __int128)next(r) << 64) | next(r);
        d.mag = v % lim;
        d.neg = (next(r) & 1) && d.mag;
    }
    n = value_decimal_format(&d, buf);
    set_text(a, out, buf, n, false);
}

static void gen_money(struct rng *r, bool small, int extreme, struct arena *a, struct tl_value *out)
{
    int64_t lo = small ? INT32_MIN : INT64_MIN, hi = small ? INT32_MAX : INT64_MAX;
    int64_t v = gen_int(r, lo, hi, extreme);
    struct value_decimal d;
    char buf[48];
    size_t n;
    value_decimal_from_i64(v, &d);
    d.scale = 4; /* the int is the value x 10^4 */
    n = value_decimal_format(&d, buf);
    set_text(a, out, buf, n, false);
}

static double gen_float(struct rng *r, bool real, int extreme)
{
    double f;
    if (extreme == 1)
        return real ? -3.40282347e38 : -1.7976931348623157e308;
    if (extreme == 2)
        return real ? 3.40282347e38 : 1.7976931348623157e308;
    if (extreme == 3)
        return 0.0;
    if (next(r) & 1) {
        f = (double)(int64_t)below(r, 2000001) / 1000.0 - 1000.0;
    } else {
        uint64_t bits;
        do {
            bits = next(r);
            if (real) {
                uint32_t b32 = (uint32_t)bits;
                float x;
                memcpy(&x, &b32, 4);
                f = x;
            } else {
                memcpy(&f, &bits, 8);
            }
        } while (f != f || f - f != 0); /* finite only */
    }
    return real ? (double)(float)f : f;
}

static void gen_datetime(struct rng *r, const struct tl_type *t, int extreme, struct arena *a,
                         struct tl_value *out)
{
    struct value_datetime dt = {1, 1, 1, 0, 0, 0, 0, 0};
    int32_t lo = 0, hi = 3652058;
    uint64_t units;
    char buf[64];
    size_t n;
    if (t->id == TL_T_DATETIME)
        lo = value_days_from_civil(1753, 1, 1);
    if (t->id == TL_T_SMALLDATETIME) {
        lo = value_days_from_civil(1900, 1, 1);
        hi = value_days_from_civil(2079, 6, 6);
    }
    units = below(r, 864000000000ULL);
    if (extreme == 1)
        units = 0;
    if (extreme == 2)
        units = 864000000000ULL - 1;
    if (t->id == TL_T_SMALLDATETIME && extreme == 2)
        units = 864000000000ULL - 600000000ULL; /* 23:59 stays in range */
    if (t->id == TL_T_DATETIME && extreme == 2)
        units = 863999970000ULL; /* 23:59:59.997 */
    value_datetime_join(extreme == 1 ? lo : extreme == 2 ? hi : lo + (int32_t)below(r, (uint64_t)(hi - lo + 1)),
                        units, &dt);
    if (t->id == TL_T_SMALLDATETIME && !extreme)
        dt.second = 0, dt.frac100ns = 0;
    if (t->id == TL_T_DATETIMEOFFSET)
        dt.offset_min = (int16_t)(extreme ? (extreme == 1 ? -840 : 840)
                                          : (int)below(r, 1681) - 840);
    if (t->id == TL_T_DATETIMEOFFSET && extreme == 0 && (next(r) & 1))
        dt.offset_min = (int16_t)(dt.offset_min / 30 * 30); /* real zones are mostly :00/:30 */
    {
        /* Cut (not round) to the scale so the day never carries out of range. */
        struct tl_type c = *t;
        uint64_t unit = 1;
        for (int i = t->scale; i < 7; i++)
            unit *= 10;
        if (t->id == TL_T_TIME || t->id == TL_T_DATETIME2 || t->id == TL_T_DATETIMEOFFSET)
            dt.frac100ns = (uint32_t)(dt.frac100ns / unit * unit);
        if (t->id == TL_T_DATETIME)
            dt.frac100ns = dt.frac100ns / 10000 * 10000;
        if (t->id == TL_T_DATETIME && dt.frac100ns >= 9980000 && dt.second == 59 &&
            dt.minute == 59 && dt.hour == 23)
            dt.frac100ns = 9970000;
        if (value_datetime_round(&c, &dt) != 0)
            value_civil_from_days(lo, &dt.year, &dt.month, &dt.day);
    }
    n = value_datetime_format(t, &dt, buf);
    set_text(a, out, buf, n, false);
}

static size_t put_utf8(char *o, int32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A character for varchar (CP1252) or nvarchar (any scalar value). */
static int32_t gen_char(struct rng *r, bool wide)
{
    uint64_t k = below(r, 100);
    if (k < 70)
        return 0x20 + (int32_t)below(r, 95); /* printable ASCII */
    if (k < 82)
        return 0xA0 + (int32_t)below(r, 96); /* Latin-1 */
    if (!wide || k < 88) {
        static const uint8_t specials[] = {0x80, 0x8A, 0x8C, 0x93, 0x94, 0x96, 0x99, 0x9F};
        return value_cp1252_to_unicode(specials[below(r, sizeof specials)]);
    }
    if (k < 95)
        return 0x4E00 + (int32_t)below(r, 0x5000); /* CJK */
    return 0x1F300 + (int32_t)below(r, 0x300);       /* emoji: surrogate pairs on the wire */
}

static void gen_string(struct rng *r, const struct tl_type *t, int extreme, struct arena *a,
                       struct tl_value *out)
{
    bool wide = t->id == TL_T_NCHAR || t->id == TL_T_NVARCHAR || t->id == TL_T_NTEXT;
    bool fixed = t->id == TL_T_CHAR || t->id == TL_T_NCHAR;
    bool unbounded = t->length == TL_MAX || t->id == TL_T_TEXT || t->id == TL_T_NTEXT;
    size_t limit = unbounded ? (below(r, 50) == 0 ? 9000 : 200) : (size_t)(t->length > 0 ? t->length : 1);
    size_t units = 0, target, o = 0;
    char *buf;
    target = extreme == 3 ? 0 : (extreme == 2 || fixed) ? limit : (size_t)below(r, limit + 1);
    buf = arena_alloc(a, target * 4 + 1);
    if (!buf) {
        out->kind = TL_V_NULL;
        return;
    }
    while (units < target) {
        int32_t cp = gen_char(r, wide);
        size_t w = cp >= 0x10000 ? 2 : 1;
        if (units + w > target)
            cp = 'x', w = 1;
        o += put_utf8(buf + o, cp);
        units += w;
    }
    if (fixed)
        while (units++ < limit)
            buf[o++] = ' ';
    out->kind = TL_V_TEXT;
    out->p = (const uint8_t *)buf;
    out->n = o;
}

static void gen_binary(struct rng *r, const struct tl_type *t, int extreme, struct arena *a,
                       struct tl_value *out)
{
    bool unbounded = t->length == TL_MAX || t->id == TL_T_IMAGE;
    size_t limit = unbounded ? (below(r, 50) == 0 ? 9000 : 200) : (size_t)(t->length > 0 ? t->length : 1);
    size_t n = t->id == TL_T_BINARY || extreme == 2 ? limit : extreme == 3 ? 0 : (size_t)below(r, limit + 1);
    uint8_t *p = arena_alloc(a, n ? n : 1);
    if (!p) {
        out->kind = TL_V_NULL;
        return;
    }
    for (size_t k = 0; k < n; k += 8) {
        uint64_t v = next(r);
        for (size_t j = 0; j < 8 && k + j < n; j++)
            p[k + j] = (uint8_t)(extreme == 1 ? 0 : v >> (8 * j));
    }
    out->kind = TL_V_BLOB;
    out->p = p;
    out->n = n;
}

void value_generate(const struct tl_type *t, bool nullable, uint64_t seed, uint64_t row,
                    uint32_t column, struct arena *a, struct tl_value *out)
{
    struct rng r = {seed ^ 0x5851F42D4C957F2DULL};
    uint64_t pick;
    int extreme = 0;
    char buf[64];

    r.s = next(&r) ^ (row * 0xD1342543DE82EF95ULL);
    r.s = next(&r) ^ ((uint64_t)column * 0xA0761D6478BD642FULL);
    memset(out, 0, sizeof *out);
    pick = below(&r, 1000);
    if (nullable && pick < 50)
        return; /* NULL */
    if (pick >= 960)
        extreme = 1 + (int)((pick - 960) % 3); /* 1 min, 2 max, 3 zero/empty */
    switch (t->id) {
    case TL_T_BIT: out->kind = TL_V_INT; out->i = extreme ? extreme == 2 : (int64_t)(next(&r) & 1); break;
    case TL_T_TINYINT: out->kind = TL_V_INT; out->i = gen_int(&r, 0, 255, extreme); break;
    case TL_T_SMALLINT: out->kind = TL_V_INT; out->i = gen_int(&r, INT16_MIN, INT16_MAX, extreme); break;
    case TL_T_INT: out->kind = TL_V_INT; out->i = gen_int(&r, INT32_MIN, INT32_MAX, extreme); break;
    case TL_T_BIGINT:
    case TL_T_SQL_VARIANT:
        out->kind = TL_V_INT;
        out->i = gen_int(&r, INT64_MIN, INT64_MAX, extreme);
        break;
    case TL_T_DECIMAL:
    case TL_T_NUMERIC:
        gen_decimal(&r, t->precision ? t->precision : 18, t->scale, extreme, a, out);
        break;
    case TL_T_MONEY:
    case TL_T_SMALLMONEY: gen_money(&r, t->id == TL_T_SMALLMONEY, extreme, a, out); break;
    case TL_T_REAL:
    case TL_T_FLOAT:
        out->kind = TL_V_REAL;
        out->r = gen_float(&r, t->id == TL_T_REAL || (t->precision && t->precision <= 24), extreme);
        break;
    case TL_T_DATE:
    case TL_T_TIME:
    case TL_T_DATETIME:
    case TL_T_SMALLDATETIME:
    case TL_T_DATETIME2:
    case TL_T_DATETIMEOFFSET: gen_datetime(&r, t, extreme, a, out); break;
    case TL_T_CHAR:
    case TL_T_VARCHAR:
    case TL_T_NCHAR:
    case TL_T_NVARCHAR:
    case TL_T_TEXT:
    case TL_T_NTEXT: gen_string(&r, t, extreme, a, out); break;
    case TL_T_BINARY:
    case TL_T_VARBINARY:
    case TL_T_IMAGE: gen_binary(&r, t, extreme, a, out); break;
    case TL_T_ROWVERSION: {
        uint8_t be[8];
        for (int k = 0; k < 8; k++)
            be[k] = (uint8_t)((row + 1) >> (56 - 8 * k));
        set_text(a, out, (const char *)be, 8, true);
        break;
    }
    case TL_T_UNIQUEIDENTIFIER: {
        uint8_t g[16];
        uint64_t x = next(&r), y = next(&r);
        memcpy(g, &x, 8);
        memcpy(g + 8, &y, 8);
        if (extreme == 3)
            memset(g, 0, 16);
        value_guid_from_wire(g, buf);
        set_text(a, out, buf, 36, false);
        break;
    }
    case TL_T_XML: {
        int n = snprintf(buf, sizeof buf, "<r id=\"%llu\">v%llu</r>", (unsigned long long)row,
                         (unsigned long long)below(&r, 1000000));
        set_text(a, out, buf, (size_t)n, false);
        break;
    }
    default:
        break;
    }
}
