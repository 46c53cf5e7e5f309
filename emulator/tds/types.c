/*
 * types: see types.h. Value layouts follow spec/tds.md §6; the worked
 * examples there are the unit tests' expected bytes.
 */
#include "types.h"

#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/utf8.h"
#include "value/value.h"

const uint8_t types_default_collation[5] = {0x09, 0x04, 0xD0, 0x00, 0x34};

#define DAY_100NS INT64_C(864000000000)
static const int64_t pow10_tab[8] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000};

/* Bytes a time(n) value takes on the wire. */
static unsigned time_len(unsigned scale)
{
    return scale <= 2 ? 3 : scale <= 4 ? 4 : 5;
}

static uint8_t decimal_len(unsigned prec)
{
    return prec <= 9 ? 5 : prec <= 19 ? 9 : prec <= 28 ? 13 : 17;
}

static int fail(struct types_err *e, int32_t number, const char *text)
{
    if (e) {
        e->number = number;
        snprintf(e->text, sizeof(e->text), "%s", text);
    }
    return SL_ECONVERT;
}

/* ---- CP1252 ---- */

static const uint16_t cp1252_hi[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

int types_utf8_to_cp1252(struct buf *out, const uint8_t *s, size_t n)
{
    size_t i = 0;
    int rc = buf_reserve(out, n);
    while (rc == 0 && i < n) {
        int32_t cp = s[i] < 0x80 ? s[i++] : utf8_decode(s, n, &i);
        uint8_t c = '?';
        if (cp >= 0x10000) {
            /* SQL Server converts each UTF-16 unit: a surrogate pair is "??". */
            rc = buf_append_byte(out, '?');
        } else if (cp >= 0 && (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF))) {
            c = (uint8_t)cp;
        } else if (cp > 0) {
            for (int k = 0; k < 32; k++)
                if (cp1252_hi[k] == cp) {
                    c = (uint8_t)(0x80 + k);
                    break;
                }
        }
        rc = buf_append_byte(out, c);
    }
    return rc;
}

int types_cp1252_to_utf8(struct buf *out, const uint8_t *s, size_t n)
{
    int rc = buf_reserve(out, n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        uint32_t cp = s[i];
        uint8_t t[3];
        if (cp < 0x80) {
            rc = buf_append_byte(out, (uint8_t)cp);
            continue;
        }
        if (cp < 0xA0)
            cp = cp1252_hi[cp - 0x80];
        if (cp < 0x800) {
            t[0] = (uint8_t)(0xC0 | (cp >> 6));
            t[1] = (uint8_t)(0x80 | (cp & 0x3F));
            rc = buf_append(out, t, 2);
        } else {
            t[0] = (uint8_t)(0xE0 | (cp >> 12));
            t[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
            t[2] = (uint8_t)(0x80 | (cp & 0x3F));
            rc = buf_append(out, t, 3);
        }
    }
    return rc;
}

/* A UTF-8 collation (bit 26 of the LCID/flags word) carries UTF-8 bytes. */
static bool collation_utf8(const uint8_t c[5])
{
    return (c[3] & 0x04) != 0;
}

/* ---- declared type -> wire type ---- */

static void set(struct tds_wtype *w, uint8_t code, uint32_t maxlen)
{
    w->code = code;
    w->maxlen = maxlen;
}

static void set_text(struct tds_wtype *w, uint8_t code, uint32_t maxlen)
{
    set(w, code, maxlen);
    memcpy(w->collation, types_default_collation, 5);
}

static int32_t clamp_len(int32_t n, int32_t max)
{
    return n < 1 ? 1 : n > max ? max : n;
}

int types_wire_of(const struct tl_type *t, int ver, struct tds_wtype *w)
{
    bool max = t->length == TL_MAX;
    memset(w, 0, sizeof(*w));
    w->t = *t;
    switch (t->id) {
    case TL_T_UNKNOWN:
        w->t.id = TL_T_INT;
        set(w, TDS_INTN, 4);
        break;
    case TL_T_BIT: set(w, TDS_BITN, 1); break;
    case TL_T_TINYINT: set(w, TDS_INTN, 1); break;
    case TL_T_SMALLINT: set(w, TDS_INTN, 2); break;
    case TL_T_INT: set(w, TDS_INTN, 4); break;
    case TL_T_BIGINT: set(w, TDS_INTN, 8); break;
    case TL_T_REAL: set(w, TDS_FLTN, 4); break;
    case TL_T_FLOAT: set(w, TDS_FLTN, 8); break;
    case TL_T_MONEY: set(w, TDS_MONEYN, 8); break;
    case TL_T_SMALLMONEY: set(w, TDS_MONEYN, 4); break;
    case TL_T_DATETIME: set(w, TDS_DATETIMN, 8); break;
    case TL_T_SMALLDATETIME: set(w, TDS_DATETIMN, 4); break;
    case TL_T_UNIQUEIDENTIFIER: set(w, TDS_GUID, 16); break;
    case TL_T_DECIMAL:
    case TL_T_NUMERIC: {
        uint8_t p = t->precision ? t->precision : 18;
        if (p > 38)
            p = 38;
        w->prec = p;
        w->scale = t->scale <= p ? t->scale : p;
        w->t.precision = p;
        w->t.scale = w->scale;
        set(w, t->id == TL_T_DECIMAL ? TDS_DECIMALN : TDS_NUMERICN, decimal_len(p));
        break;
    }
    case TL_T_DATE:
    case TL_T_TIME:
    case TL_T_DATETIME2:
    case TL_T_DATETIMEOFFSET: {
        static const uint32_t chars[] = {10, 16, 27, 34};
        unsigned k = t->id == TL_T_DATE ? 0 : t->id == TL_T_TIME ? 1 : t->id == TL_T_DATETIME2 ? 2 : 3;
        w->scale = t->id == TL_T_DATE ? 0 : (t->scale <= 7 ? t->scale : 7);
        w->t.scale = w->scale;
        if (ver < TDS_V73) {
            set_text(w, TDS_NVARCHAR, chars[k] * 2);
            break;
        }
        set(w, (uint8_t)(TDS_DATEN + k), k == 0 ? 3 : time_len(w->scale) + (k == 1 ? 0 : k == 2 ? 3 : 5));
        break;
    }
    case TL_T_CHAR: set_text(w, TDS_BIGCHAR, (uint32_t)clamp_len(t->length, 8000)); break;
    case TL_T_VARCHAR:
    case TL_T_TEXT:
        if (!max && t->id == TL_T_VARCHAR && t->length <= 8000)
            set_text(w, TDS_BIGVARCHAR, (uint32_t)clamp_len(t->length, 8000));
        else if (ver >= TDS_V72)
            set_text(w, TDS_BIGVARCHAR, 0xFFFF), w->plp = true;
        else
            set_text(w, TDS_TEXT, 0x7FFFFFFF);
        break;
    case TL_T_NCHAR: set_text(w, TDS_NCHAR, (uint32_t)clamp_len(t->length, 4000) * 2); break;
    case TL_T_NVARCHAR:
    case TL_T_NTEXT:
    case TL_T_XML:
        if (!max && t->id == TL_T_NVARCHAR && t->length <= 4000)
            set_text(w, TDS_NVARCHAR, (uint32_t)clamp_len(t->length, 4000) * 2);
        else if (ver < TDS_V72)
            set_text(w, TDS_NTEXT, 0x7FFFFFFE);
        else if (t->id == TL_T_XML)
            set(w, TDS_XML, 0xFFFF), w->plp = true;
        else
            set_text(w, TDS_NVARCHAR, 0xFFFF), w->plp = true;
        break;
    case TL_T_BINARY: set(w, TDS_BIGBINARY, (uint32_t)clamp_len(t->length, 8000)); break;
    case TL_T_VARBINARY:
    case TL_T_IMAGE:
        if (!max && t->id == TL_T_VARBINARY && t->length <= 8000)
            set(w, TDS_BIGVARBINARY, (uint32_t)clamp_len(t->length, 8000));
        else if (ver >= TDS_V72)
            set(w, TDS_BIGVARBINARY, 0xFFFF), w->plp = true;
        else
            set(w, TDS_IMAGE, 0x7FFFFFFF);
        break;
    case TL_T_ROWVERSION:
        set(w, TDS_BIGBINARY, 8);
        w->usertype = TDS_USERTYPE_TIMESTAMP;
        break;
    case TL_T_SQL_VARIANT: set(w, TDS_SSVARIANT, 8009); break;
    default:
        return SL_EUNSUPPORTED;
    }
    return 0;
}

bool types_is_fixed(uint8_t code)
{
    switch (code) {
    case TDS_INT1: case TDS_BIT: case TDS_INT2: case TDS_INT4: case TDS_INT8:
    case TDS_FLT4: case TDS_FLT8: case TDS_MONEY4: case TDS_MONEY:
    case TDS_DATETIM4: case TDS_DATETIME:
        return true;
    default:
        return false;
    }
}

void types_wire_set_not_null(struct tds_wtype *w)
{
    bool four = w->maxlen == 4;
    w->not_null = true;
    switch (w->code) {
    case TDS_INTN:
        w->code = w->maxlen == 1 ? TDS_INT1 : w->maxlen == 2 ? TDS_INT2 : four ? TDS_INT4 : TDS_INT8;
        break;
    case TDS_BITN: w->code = TDS_BIT; break;
    case TDS_FLTN: w->code = four ? TDS_FLT4 : TDS_FLT8; break;
    case TDS_MONEYN: w->code = four ? TDS_MONEY4 : TDS_MONEY; break;
    case TDS_DATETIMN: w->code = four ? TDS_DATETIM4 : TDS_DATETIME; break;
    default: break; /* decimal, dates of 7.3, strings, guid, binary: one code either way */
    }
}

static bool has_collation(uint8_t code)
{
    return code == TDS_BIGVARCHAR || code == TDS_BIGCHAR || code == TDS_NVARCHAR ||
           code == TDS_NCHAR || code == TDS_TEXT || code == TDS_NTEXT;
}

int types_put_typeinfo(struct buf *b, const struct tds_wtype *w)
{
    int rc = buf_append_byte(b, w->code);
    if (rc || types_is_fixed(w->code))
        return rc; /* a fixed type is its code alone */
    switch (w->code) {
    case TDS_INTN: case TDS_BITN: case TDS_FLTN: case TDS_MONEYN: case TDS_DATETIMN:
    case TDS_GUID:
        return buf_append_byte(b, (uint8_t)w->maxlen);
    case TDS_DECIMALN: case TDS_NUMERICN: {
        uint8_t t[3] = {(uint8_t)w->maxlen, w->prec, w->scale};
        return buf_append(b, t, 3);
    }
    case TDS_DATEN:
        return 0;
    case TDS_TIMEN: case TDS_DATETIME2N: case TDS_DATETIMEOFFSETN:
        return buf_append_byte(b, w->scale);
    case TDS_XML:
        return buf_append_byte(b, 0); /* no schema */
    case TDS_TEXT: case TDS_NTEXT: case TDS_IMAGE: case TDS_SSVARIANT:
        rc = buf_append_u32le(b, w->maxlen);
        break;
    default:
        rc = buf_append_u16le(b, (uint16_t)w->maxlen);
        break;
    }
    if (rc == 0 && has_collation(w->code))
        rc = buf_append(b, w->collation, 5);
    return rc;
}

/* ---- encoding ---- */

/* The length byte in front of a byte-length (N-type) value; the fixed
 * codes (types_wire_set_not_null) carry none. */
static int put_len(struct buf *b, const struct tds_wtype *w, uint8_t n)
{
    return types_is_fixed(w->code) ? 0 : buf_append_byte(b, n);
}

static bool is_money(uint8_t code)
{
    return code == TDS_MONEYN || code == TDS_MONEY4 || code == TDS_MONEY;
}

/* Bring v into the storage class `want`, converting to w->t if needed. */
static int coerce(const struct tds_wtype *w, const struct tl_value *v, enum tl_vkind want,
                  struct arena *a, struct tl_value *out, struct types_err *e)
{
    struct value_error ve;
    if (v->kind == want) {
        *out = *v;
        return 0;
    }
    memset(&ve, 0, sizeof(ve));
    if (value_convert(v, NULL, &w->t, -1, true, NULL, NULL, a, out, &ve) != 0)
        return fail(e, ve.number, ve.text);
    if (out->kind != want && out->kind != TL_V_NULL)
        return fail(e, 0, "internal error: conversion produced the wrong storage class");
    return 0;
}

static int put_le(struct buf *b, uint64_t v, unsigned n)
{
    uint8_t t[16];
    for (unsigned i = 0; i < n; i++)
        t[i] = i < 8 ? (uint8_t)(v >> (8 * i)) : 0;
    return buf_append(b, t, n);
}

static int put_u128(struct buf *b, unsigned __int128 v, unsigned n)
{
    uint8_t t[16];
    for (unsigned i = 0; i < n && i < 16; i++)
        t[i] = (uint8_t)(v >> (8 * i));
    return buf_append(b, t, n);
}

static int overflow(struct types_err *e, const struct tds_wtype *w)
{
    char name[64], msg[160];
    value_type_name(&w->t, name, sizeof(name));
    snprintf(msg, sizeof(msg), "Arithmetic overflow error converting expression to data type %s.",
             name);
    return fail(e, 8115, msg);
}

static int parse_dt(const struct tds_wtype *w, const struct tl_value *v, struct value_datetime *dt,
                    struct types_err *e)
{
    memset(dt, 0, sizeof(*dt));
    if (value_datetime_parse(w->t.id, (const char *)v->p, v->n, dt) != 0)
        return fail(e, 241, "Conversion failed when converting date and/or time from character string.");
    return 0;
}

/* Units of 10^-scale s since midnight, rounded; *carry set to 1 if it hit 24h. */
static uint64_t time_units(const struct value_datetime *dt, unsigned scale, int *carry)
{
    int64_t div = pow10_tab[7 - scale];
    int64_t t = ((int64_t)dt->hour * 3600 + dt->minute * 60 + dt->second) * 10000000 + dt->frac100ns;
    int64_t u = (t + div / 2) / div;
    int64_t day = 86400 * pow10_tab[scale];
    *carry = 0;
    if (u >= day) {
        u -= day;
        *carry = 1;
    }
    return (uint64_t)u;
}

static int put_datetime(struct buf *b, const struct tds_wtype *w, const struct tl_value *v,
                        struct types_err *e)
{
    struct value_datetime dt;
    int32_t base = value_days_from_civil(1900, 1, 1);
    int32_t days;
    int rc = parse_dt(w, v, &dt, e);
    if (rc)
        return rc;
    days = value_days_from_civil(dt.year, dt.month, dt.day) - base;
    if (w->maxlen == 4) {
        int32_t mins = dt.hour * 60 + dt.minute + (dt.second >= 30 ? 1 : 0);
        if (mins >= 1440)
            mins -= 1440, days++;
        if (days < 0 || days > 65535)
            return fail(e, 242, "The conversion of a varchar data type to a smalldatetime data type resulted in an out-of-range value.");
        rc = put_len(b, w, 4);
        if (rc == 0) rc = buf_append_u16le(b, (uint16_t)days);
        if (rc == 0) rc = buf_append_u16le(b, (uint16_t)mins);
        return rc;
    }
    {
        int64_t secs = (int64_t)dt.hour * 3600 + dt.minute * 60 + dt.second;
        int64_t ticks = secs * 300 + ((int64_t)dt.frac100ns * 3 + 50000) / 100000;
        if (ticks >= 25920000)
            ticks -= 25920000, days++;
        if (dt.year < 1753 || days > 2958463)
            return fail(e, 242, "The conversion of a varchar data type to a datetime data type resulted in an out-of-range value.");
        rc = put_len(b, w, 8);
        if (rc == 0) rc = buf_append_u32le(b, (uint32_t)days);
        if (rc == 0) rc = buf_append_u32le(b, (uint32_t)ticks);
    }
    return rc;
}

/* date, time, datetime2, datetimeoffset at w->scale. */
static int put_date_time(struct buf *b, const struct tds_wtype *w, const struct tl_value *v,
                         struct types_err *e)
{
    struct value_datetime dt;
    int rc = parse_dt(w, v, &dt, e), carry = 0;
    int32_t days = 0;
    uint64_t units = 0;
    unsigned tl = time_len(w->scale);
    if (rc)
        return rc;
    if (w->code != TDS_TIMEN)
        days = value_days_from_civil(dt.year, dt.month, dt.day);
    if (w->code != TDS_DATEN)
        units = time_units(&dt, w->scale, &carry);
    days += carry;
    if (w->code == TDS_DATETIMEOFFSETN) {
        /* The wire carries UTC: shift by the offset, across midnight if needed. */
        int64_t unit_per_day = 86400 * pow10_tab[w->scale];
        int64_t total = (int64_t)days * unit_per_day + (int64_t)units -
                        (int64_t)dt.offset_min * 60 * pow10_tab[w->scale];
        days = (int32_t)(total / unit_per_day);
        units = (uint64_t)(total % unit_per_day);
    }
    if (w->code != TDS_TIMEN && (days < 0 || days > 3652058))
        return fail(e, 242, "The conversion of a varchar data type to a datetime2 data type resulted in an out-of-range value.");
    switch (w->code) {
    case TDS_DATEN:
        rc = buf_append_byte(b, 3);
        if (rc == 0) rc = put_le(b, (uint64_t)days, 3);
        break;
    case TDS_TIMEN:
        rc = buf_append_byte(b, (uint8_t)tl);
        if (rc == 0) rc = put_le(b, units, tl);
        break;
    case TDS_DATETIME2N:
        rc = buf_append_byte(b, (uint8_t)(tl + 3));
        if (rc == 0) rc = put_le(b, units, tl);
        if (rc == 0) rc = put_le(b, (uint64_t)days, 3);
        break;
    default:
        rc = buf_append_byte(b, (uint8_t)(tl + 5));
        if (rc == 0) rc = put_le(b, units, tl);
        if (rc == 0) rc = put_le(b, (uint64_t)days, 3);
        if (rc == 0) rc = buf_append_u16le(b, (uint16_t)dt.offset_min);
        break;
    }
    return rc;
}

static int put_decimal(struct buf *b, const struct tds_wtype *w, const struct tl_value *v,
                       struct types_err *e)
{
    struct value_decimal d;
    unsigned __int128 lim = 1;
    bool money = is_money(w->code);
    unsigned prec = money ? 19 : w->prec;
    memset(&d, 0, sizeof(d));
    if (value_decimal_parse((const char *)v->p, v->n, money ? 4 : w->scale, &d) != 0)
        return fail(e, 8114, "Error converting data type varchar to numeric.");
    for (unsigned i = 0; i < prec; i++)
        lim *= 10;
    if (d.mag >= lim)
        return overflow(e, w);
    if (d.mag == 0)
        d.neg = false;
    if (money) {
        int64_t m;
        if (d.mag > (unsigned __int128)INT64_MAX + (d.neg ? 1 : 0))
            return overflow(e, w);
        m = d.neg ? (int64_t)(0 - (uint64_t)d.mag) : (int64_t)d.mag;
        if (w->maxlen == 4) {
            if (m < INT32_MIN || m > INT32_MAX)
                return overflow(e, w);
            return put_len(b, w, 4) || buf_append_u32le(b, (uint32_t)(int32_t)m) ? SL_ENOMEM : 0;
        }
        if (put_len(b, w, 8) || buf_append_u32le(b, (uint32_t)((uint64_t)m >> 32)) ||
            buf_append_u32le(b, (uint32_t)(uint64_t)m))
            return SL_ENOMEM;
        return 0;
    }
    if (buf_append_byte(b, (uint8_t)w->maxlen) || buf_append_byte(b, d.neg ? 0 : 1) ||
        put_u128(b, d.mag, w->maxlen - 1))
        return SL_ENOMEM;
    return 0;
}

static int put_int(struct buf *b, const struct tds_wtype *w, int64_t i, struct types_err *e)
{
    int64_t lo, hi;
    if (w->code == TDS_BITN || w->code == TDS_BIT)
        return put_len(b, w, 1) || buf_append_byte(b, i != 0) ? SL_ENOMEM : 0;
    switch (w->maxlen) {
    case 1: lo = 0; hi = 255; break;
    case 2: lo = INT16_MIN; hi = INT16_MAX; break;
    case 4: lo = INT32_MIN; hi = INT32_MAX; break;
    default: lo = INT64_MIN; hi = INT64_MAX; break;
    }
    if (i < lo || i > hi)
        return overflow(e, w);
    if (put_len(b, w, (uint8_t)w->maxlen) || put_le(b, (uint64_t)i, w->maxlen))
        return SL_ENOMEM;
    return 0;
}

static int put_float(struct buf *b, const struct tds_wtype *w, double r)
{
    uint8_t t[8];
    if (w->maxlen == 4) {
        float f = (float)r;
        memcpy(t, &f, 4);
    } else {
        memcpy(t, &r, 8);
    }
    return put_len(b, w, (uint8_t)w->maxlen) || buf_append(b, t, w->maxlen) ? SL_ENOMEM : 0;
}

int types_put_plp(struct buf *b, const uint8_t *p, size_t n)
{
    int rc;
    if (!p)
        return buf_append_u64le(b, TDS_PLP_NULL);
    rc = buf_append_u64le(b, n);
    /* Chunks of at most 1 GiB keep each ULONG length far from its limit. */
    while (rc == 0 && n > 0) {
        size_t c = n > (1u << 30) ? (1u << 30) : n;
        rc = buf_append_u32le(b, (uint32_t)c);
        if (rc == 0)
            rc = buf_append(b, p, c);
        p += c;
        n -= c;
    }
    return rc ? rc : buf_append_u32le(b, 0);
}

/* Put a string or binary payload: enc holds the wire bytes. */
static int put_bytes(struct buf *b, const struct tds_wtype *w, const uint8_t *p, size_t n,
                     struct types_err *e)
{
    static const uint8_t textptr[24] = {0}; /* 16-byte pointer + 8-byte timestamp */
    if (w->plp)
        return types_put_plp(b, p, n);
    if (w->code == TDS_TEXT || w->code == TDS_NTEXT || w->code == TDS_IMAGE) {
        if (n > 0x7FFFFFFF)
            return fail(e, 0, "value too long for a TEXT column");
        if (buf_append_byte(b, 16) || buf_append(b, textptr, 24) ||
            buf_append_u32le(b, (uint32_t)n) || buf_append(b, p, n))
            return SL_ENOMEM;
        return 0;
    }
    if (n > w->maxlen) {
        char msg[160];
        snprintf(msg, sizeof(msg), "String or binary data would be truncated (%zu bytes for a column of %u).",
                 n, (unsigned)w->maxlen);
        return fail(e, 2628, msg);
    }
    return buf_append_u16le(b, (uint16_t)n) || buf_append(b, p, n) ? SL_ENOMEM : 0;
}

static int put_variant(struct buf *b, const struct tl_value *v, struct types_err *e)
{
    struct buf d;
    int rc = 0;
    buf_init(&d, 0);
    switch (v->kind) {
    case TL_V_INT:
        rc = buf_append_u32le(b, 2 + 8) || buf_append_byte(b, TDS_INT8) || buf_append_byte(b, 0) ||
             put_le(b, (uint64_t)v->i, 8);
        break;
    case TL_V_REAL: {
        uint8_t t[8];
        memcpy(t, &v->r, 8);
        rc = buf_append_u32le(b, 2 + 8) || buf_append_byte(b, TDS_FLT8) || buf_append_byte(b, 0) ||
             buf_append(b, t, 8);
        break;
    }
    case TL_V_TEXT:
    case TL_V_BLOB:
        if (v->kind == TL_V_TEXT)
            rc = utf8_to_utf16le(&d, v->p, v->n);
        else
            rc = buf_append(&d, v->p, v->n);
        if (rc)
            break;
        if (d.len > 8000) {
            rc = fail(e, 0, "sql_variant value longer than 8000 bytes");
            break;
        }
        if (v->kind == TL_V_TEXT)
            rc = buf_append_u32le(b, (uint32_t)(2 + 7 + d.len)) || buf_append_byte(b, TDS_NVARCHAR) ||
                 buf_append_byte(b, 7) || buf_append(b, types_default_collation, 5) ||
                 buf_append_u16le(b, 8000) || buf_append(b, d.data, d.len);
        else
            rc = buf_append_u32le(b, (uint32_t)(2 + 2 + d.len)) ||
                 buf_append_byte(b, TDS_BIGVARBINARY) || buf_append_byte(b, 2) ||
                 buf_append_u16le(b, 8000) || buf_append(b, d.data, d.len);
        break;
    default:
        rc = buf_append_u32le(b, 0);
        break;
    }
    buf_free(&d);
    return rc == SL_ECONVERT ? rc : rc ? SL_ENOMEM : 0;
}

/* NULL in w's form; refused for a NOT NULL column, whose fixed codes have
 * no NULL form at all (the caller names the column). */
static int put_null(struct buf *b, const struct tds_wtype *w, struct types_err *e)
{
    if (w->not_null || types_is_fixed(w->code)) {
        fail(e, 50000, "tdslite internal error: NULL in NOT NULL column");
        return SL_ESTATE;
    }
    if (w->plp)
        return types_put_plp(b, NULL, 0);
    switch (w->code) {
    case TDS_BIGVARCHAR: case TDS_BIGCHAR: case TDS_NVARCHAR: case TDS_NCHAR:
    case TDS_BIGVARBINARY: case TDS_BIGBINARY:
        return buf_append_u16le(b, 0xFFFF);
    case TDS_SSVARIANT:
        return buf_append_u32le(b, 0);
    default: /* byte-length types and the TEXT family (text pointer length 0) */
        return buf_append_byte(b, 0);
    }
}

static bool is_datetime_id(enum tl_type_id id)
{
    return id == TL_T_DATE || id == TL_T_TIME || id == TL_T_DATETIME2 || id == TL_T_DATETIMEOFFSET;
}

/* Strings: UTF-8 text into the column's wire encoding, padded for CHAR/NCHAR. */
static int put_string(struct buf *b, const struct tds_wtype *w, const struct tl_value *v,
                      struct types_err *e)
{
    struct buf enc;
    int rc;
    bool wide = w->code == TDS_NVARCHAR || w->code == TDS_NCHAR || w->code == TDS_NTEXT ||
                w->code == TDS_XML;
    buf_init(&enc, 0);
    if (wide && is_datetime_id(w->t.id)) {
        /* Down-level client: the canonical text of the date/time value. */
        struct value_datetime dt;
        char txt[64];
        size_t tn;
        if ((rc = parse_dt(w, v, &dt, e)) != 0)
            goto out;
        tn = value_datetime_format(&w->t, &dt, txt);
        rc = utf8_to_utf16le(&enc, (const uint8_t *)txt, tn);
    } else if (wide) {
        rc = utf8_to_utf16le(&enc, v->p, v->n);
    } else if (collation_utf8(w->collation)) {
        rc = utf8_repair(&enc, v->p, v->n);
    } else {
        rc = types_utf8_to_cp1252(&enc, v->p, v->n);
    }
    if (rc)
        goto out;
    if (w->code == TDS_BIGCHAR || w->code == TDS_NCHAR) {
        while (rc == 0 && enc.len < w->maxlen)
            rc = wide ? buf_append_u16le(&enc, 0x20) : buf_append_byte(&enc, ' ');
        if (rc)
            goto out;
    }
    rc = put_bytes(b, w, enc.data ? enc.data : (const uint8_t *)"", enc.len, e);
out:
    buf_free(&enc);
    return rc;
}

static enum tl_vkind want_kind(const struct tds_wtype *w)
{
    switch (w->code) {
    case TDS_INTN: case TDS_BITN: case TDS_INT1: case TDS_INT2: case TDS_INT4: case TDS_INT8:
    case TDS_BIT:
        return TL_V_INT;
    case TDS_FLTN: case TDS_FLT4: case TDS_FLT8: return TL_V_REAL;
    case TDS_BIGVARBINARY: case TDS_BIGBINARY: case TDS_IMAGE: return TL_V_BLOB;
    default: return TL_V_TEXT;
    }
}

static int put_value(struct buf *b, const struct tds_wtype *w, const struct tl_value *v0,
                     struct arena *a, struct types_err *e)
{
    struct tl_value v;
    int rc;
    if (v0->kind == TL_V_NULL)
        return put_null(b, w, e);
    if (w->code == TDS_SSVARIANT)
        return put_variant(b, v0, e);
    if ((rc = coerce(w, v0, want_kind(w), a, &v, e)) != 0)
        return rc;
    if (v.kind == TL_V_NULL)
        return put_null(b, w, e);
    switch (w->code) {
    case TDS_INTN: case TDS_BITN: case TDS_INT1: case TDS_INT2: case TDS_INT4: case TDS_INT8:
    case TDS_BIT:
        return put_int(b, w, v.i, e);
    case TDS_FLTN: case TDS_FLT4: case TDS_FLT8: return put_float(b, w, v.r);
    case TDS_MONEYN: case TDS_MONEY4: case TDS_MONEY: case TDS_DECIMALN: case TDS_NUMERICN:
        return put_decimal(b, w, &v, e);
    case TDS_DATETIMN: case TDS_DATETIM4: case TDS_DATETIME: return put_datetime(b, w, &v, e);
    case TDS_DATEN: case TDS_TIMEN: case TDS_DATETIME2N: case TDS_DATETIMEOFFSETN:
        return put_date_time(b, w, &v, e);
    case TDS_GUID: {
        uint8_t g[16];
        if (value_guid_to_wire((const char *)v.p, v.n, g) != 0)
            return fail(e, 8169, "Conversion failed when converting from a character string to uniqueidentifier.");
        return buf_append_byte(b, 16) || buf_append(b, g, 16) ? SL_ENOMEM : 0;
    }
    case TDS_BIGVARBINARY: case TDS_BIGBINARY: case TDS_IMAGE: {
        if (w->code == TDS_BIGBINARY && v.n < w->maxlen) {
            uint8_t *pad = arena_alloc(a, w->maxlen);
            if (!pad)
                return SL_ENOMEM;
            memset(pad, 0, w->maxlen);
            if (v.n)
                memcpy(pad, v.p, v.n);
            return put_bytes(b, w, pad, w->maxlen, e);
        }
        return put_bytes(b, w, v.p ? v.p : (const uint8_t *)"", v.n, e);
    }
    default:
        return put_string(b, w, &v, e);
    }
}

int types_put_value(struct buf *b, const struct tds_wtype *w, const struct tl_value *v,
                    struct arena *a, struct types_err *e)
{
    size_t mark = b->len;
    int rc = put_value(b, w, v, a, e);
    if (rc)
        buf_truncate(b, mark);
    return rc;
}

/* ---- decoding ---- */

static void tl_of_wire(struct tds_wtype *w)
{
    struct tl_type *t = &w->t;
    uint32_t m = w->maxlen;
    memset(t, 0, sizeof(*t));
    switch (w->code) {
    case TDS_INT1: t->id = TL_T_TINYINT; break;
    case TDS_INT2: t->id = TL_T_SMALLINT; break;
    case TDS_INT4: t->id = TL_T_INT; break;
    case TDS_INT8: t->id = TL_T_BIGINT; break;
    case TDS_INTN:
        t->id = m == 1 ? TL_T_TINYINT : m == 2 ? TL_T_SMALLINT : m == 4 ? TL_T_INT : TL_T_BIGINT;
        break;
    case TDS_BIT: case TDS_BITN: t->id = TL_T_BIT; break;
    case TDS_FLT4: t->id = TL_T_REAL; t->precision = 24; break;
    case TDS_FLT8: t->id = TL_T_FLOAT; t->precision = 53; break;
    case TDS_FLTN:
        t->id = m == 4 ? TL_T_REAL : TL_T_FLOAT;
        t->precision = m == 4 ? 24 : 53;
        break;
    case TDS_MONEY4: t->id = TL_T_SMALLMONEY; break;
    case TDS_MONEY: t->id = TL_T_MONEY; break;
    case TDS_MONEYN: t->id = m == 4 ? TL_T_SMALLMONEY : TL_T_MONEY; break;
    case TDS_DATETIM4: t->id = TL_T_SMALLDATETIME; break;
    case TDS_DATETIME: t->id = TL_T_DATETIME; break;
    case TDS_DATETIMN: t->id = m == 4 ? TL_T_SMALLDATETIME : TL_T_DATETIME; break;
    case TDS_DECIMALN: case TDS_NUMERICN:
        t->id = w->code == TDS_DECIMALN ? TL_T_DECIMAL : TL_T_NUMERIC;
        t->precision = w->prec;
        t->scale = w->scale;
        break;
    case TDS_GUID: t->id = TL_T_UNIQUEIDENTIFIER; break;
    case TDS_DATEN: t->id = TL_T_DATE; break;
    case TDS_TIMEN: t->id = TL_T_TIME; t->scale = w->scale; break;
    case TDS_DATETIME2N: t->id = TL_T_DATETIME2; t->scale = w->scale; break;
    case TDS_DATETIMEOFFSETN: t->id = TL_T_DATETIMEOFFSET; t->scale = w->scale; break;
    case TDS_CHAR: case TDS_BIGCHAR: t->id = TL_T_CHAR; t->length = (int32_t)m; break;
    case TDS_VARCHAR: case TDS_BIGVARCHAR:
        t->id = TL_T_VARCHAR;
        t->length = w->plp ? TL_MAX : (int32_t)m;
        break;
    case TDS_NCHAR: t->id = TL_T_NCHAR; t->length = (int32_t)m / 2; break;
    case TDS_NVARCHAR:
        t->id = TL_T_NVARCHAR;
        t->length = w->plp ? TL_MAX : (int32_t)m / 2;
        break;
    case TDS_BINARY: case TDS_BIGBINARY:
        t->id = w->usertype == TDS_USERTYPE_TIMESTAMP ? TL_T_ROWVERSION : TL_T_BINARY;
        t->length = (int32_t)m;
        break;
    case TDS_VARBINARY: case TDS_BIGVARBINARY:
        t->id = TL_T_VARBINARY;
        t->length = w->plp ? TL_MAX : (int32_t)m;
        break;
    case TDS_TEXT: t->id = TL_T_TEXT; t->length = TL_MAX; break;
    case TDS_NTEXT: t->id = TL_T_NTEXT; t->length = TL_MAX; break;
    case TDS_IMAGE: t->id = TL_T_IMAGE; t->length = TL_MAX; break;
    case TDS_XML: t->id = TL_T_XML; t->length = TL_MAX; break;
    case TDS_SSVARIANT: t->id = TL_T_SQL_VARIANT; break;
    default: t->id = TL_T_UNKNOWN; break;
    }
}

int types_read_typeinfo(struct tds_rd *r, struct tds_wtype *w)
{
    memset(w, 0, sizeof(*w));
    w->code = wire_u8(r);
    switch (w->code) {
    case TDS_NULLTYPE: w->maxlen = 0; break;
    case TDS_INT1: case TDS_BIT: w->maxlen = 1; break;
    case TDS_INT2: w->maxlen = 2; break;
    case TDS_INT4: case TDS_FLT4: case TDS_DATETIM4: case TDS_MONEY4: w->maxlen = 4; break;
    case TDS_INT8: case TDS_FLT8: case TDS_DATETIME: case TDS_MONEY: w->maxlen = 8; break;
    case TDS_INTN: case TDS_BITN: case TDS_FLTN: case TDS_MONEYN: case TDS_DATETIMN:
    case TDS_GUID: case TDS_CHAR: case TDS_VARCHAR: case TDS_BINARY: case TDS_VARBINARY:
        w->maxlen = wire_u8(r);
        break;
    case TDS_DECIMALN: case TDS_NUMERICN:
        w->maxlen = wire_u8(r);
        w->prec = wire_u8(r);
        w->scale = wire_u8(r);
        if (!r->err && (w->prec < 1 || w->prec > 38 || w->scale > w->prec || w->maxlen > 17))
            return SL_ECORRUPT;
        break;
    case TDS_DATEN: w->maxlen = 3; break;
    case TDS_TIMEN: case TDS_DATETIME2N: case TDS_DATETIMEOFFSETN:
        w->scale = wire_u8(r);
        if (w->scale > 7)
            return SL_ECORRUPT;
        w->maxlen = time_len(w->scale) + (w->code == TDS_TIMEN ? 0 : w->code == TDS_DATETIME2N ? 3 : 5);
        break;
    case TDS_BIGVARCHAR: case TDS_BIGCHAR: case TDS_NVARCHAR: case TDS_NCHAR:
    case TDS_BIGVARBINARY: case TDS_BIGBINARY:
        w->maxlen = wire_u16(r);
        w->plp = w->maxlen == 0xFFFF;
        break;
    case TDS_TEXT: case TDS_NTEXT: case TDS_IMAGE: case TDS_SSVARIANT:
        w->maxlen = wire_u32(r);
        break;
    case TDS_XML:
        if (wire_u8(r) == 1) {
            struct buf s;
            buf_init(&s, 0);
            wire_get_bvarchar(r, &s);
            wire_get_bvarchar(r, &s);
            wire_get_usvarchar(r, &s);
            buf_free(&s);
        }
        w->maxlen = 0xFFFF;
        w->plp = true;
        break;
    default:
        return r->err ? r->err : SL_EUNSUPPORTED;
    }
    if (has_collation(w->code)) {
        const uint8_t *c = wire_bytes(r, 5);
        if (c)
            memcpy(w->collation, c, 5);
    }
    if (r->err)
        return r->err;
    tl_of_wire(w);
    return 0;
}

int types_read_plp(struct tds_rd *r, struct buf *out, bool *is_null)
{
    uint64_t total = wire_u64(r);
    *is_null = false;
    if (r->err)
        return r->err;
    if (total == TDS_PLP_NULL) {
        *is_null = true;
        return 0;
    }
    for (;;) {
        uint32_t n = wire_u32(r);
        if (r->err)
            return r->err;
        if (n == 0)
            return 0;
        if (wire_copy(r, out, n) != 0)
            return r->err;
    }
}

static int text_value(struct arena *a, struct buf *tmp, struct tl_value *out, enum tl_vkind kind)
{
    out->kind = kind;
    out->n = tmp->len;
    out->p = arena_memdup(a, tmp->data ? tmp->data : (const uint8_t *)"", tmp->len + 1);
    return out->p ? 0 : SL_ENOMEM;
}

static int dt_text(struct arena *a, const struct tl_type *t, const struct value_datetime *dt,
                   struct tl_value *out)
{
    char txt[64];
    size_t n = value_datetime_format(t, dt, txt);
    out->kind = TL_V_TEXT;
    out->p = arena_memdup(a, txt, n + 1);
    out->n = n;
    return out->p ? 0 : SL_ENOMEM;
}

static uint64_t get_le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;)
        v = (v << 8) | p[i];
    return v;
}

static void split_100ns(int64_t days, int64_t t100, struct value_datetime *dt)
{
    int64_t secs = t100 / 10000000;
    value_civil_from_days((int32_t)days, &dt->year, &dt->month, &dt->day);
    dt->frac100ns = (uint32_t)(t100 % 10000000);
    dt->hour = (int)(secs / 3600);
    dt->minute = (int)(secs / 60 % 60);
    dt->second = (int)(secs % 60);
}

static int decode_decimal(const uint8_t *p, size_t n, uint8_t scale, struct arena *a,
                          struct tl_value *out)
{
    struct value_decimal d;
    char txt[48];
    size_t tn;
    if (n < 2 || n > 17)
        return SL_ECORRUPT;
    memset(&d, 0, sizeof(d));
    for (size_t i = n - 1; i >= 1; i--)
        d.mag = (d.mag << 8) | p[i];
    d.neg = p[0] == 0 && d.mag != 0;
    d.scale = scale;
    tn = value_decimal_format(&d, txt);
    out->kind = TL_V_TEXT;
    out->p = arena_memdup(a, txt, tn + 1);
    out->n = tn;
    return out->p ? 0 : SL_ENOMEM;
}

/* Decode payload p[0..n) of wire type w (no length prefix) into canonical form. */
static int decode(const struct tds_wtype *w, const uint8_t *p, size_t n, struct arena *a,
                  struct tl_value *out)
{
    struct value_datetime dt;
    struct buf tmp;
    int rc = 0;
    memset(out, 0, sizeof(*out));
    memset(&dt, 0, sizeof(dt));
    switch (w->code) {
    case TDS_INT1: case TDS_INT2: case TDS_INT4: case TDS_INT8: case TDS_INTN:
        if (n != 1 && n != 2 && n != 4 && n != 8)
            return SL_ECORRUPT;
        out->kind = TL_V_INT;
        out->i = n == 1 ? (int64_t)p[0] : n == 2 ? (int16_t)get_le(p, 2)
                 : n == 4 ? (int32_t)get_le(p, 4) : (int64_t)get_le(p, 8);
        return 0;
    case TDS_BIT: case TDS_BITN:
        if (n != 1)
            return SL_ECORRUPT;
        out->kind = TL_V_INT;
        out->i = p[0] != 0;
        return 0;
    case TDS_FLT4: case TDS_FLT8: case TDS_FLTN:
        out->kind = TL_V_REAL;
        if (n == 4) {
            float f;
            memcpy(&f, p, 4);
            out->r = f;
        } else if (n == 8) {
            memcpy(&out->r, p, 8);
        } else {
            return SL_ECORRUPT;
        }
        return 0;
    case TDS_MONEY4: case TDS_MONEY: case TDS_MONEYN: {
        struct value_decimal d;
        char txt[48];
        size_t tn;
        int64_t m;
        if (n == 4)
            m = (int32_t)get_le(p, 4);
        else if (n == 8)
            m = (int64_t)((get_le(p, 4) << 32) | get_le(p + 4, 4));
        else
            return SL_ECORRUPT;
        memset(&d, 0, sizeof(d));
        d.neg = m < 0;
        d.mag = d.neg ? (unsigned __int128)(0 - (uint64_t)m) : (unsigned __int128)m;
        d.scale = 4;
        tn = value_decimal_format(&d, txt);
        out->kind = TL_V_TEXT;
        out->p = arena_memdup(a, txt, tn + 1);
        out->n = tn;
        return out->p ? 0 : SL_ENOMEM;
    }
    case TDS_DATETIM4: case TDS_DATETIME: case TDS_DATETIMN: {
        int64_t base = value_days_from_civil(1900, 1, 1);
        if (n == 4) {
            split_100ns(base + (int64_t)get_le(p, 2), (int64_t)get_le(p + 2, 2) * 600000000, &dt);
        } else if (n == 8) {
            int64_t ticks = (int64_t)get_le(p + 4, 4);
            int64_t ms = (ticks * 10 + 1) / 3;
            split_100ns(base + (int32_t)get_le(p, 4), ms * 10000, &dt);
        } else {
            return SL_ECORRUPT;
        }
        return dt_text(a, &w->t, &dt, out);
    }
    case TDS_DECIMALN: case TDS_NUMERICN:
        return decode_decimal(p, n, w->scale, a, out);
    case TDS_GUID: {
        char txt[37];
        if (n != 16)
            return SL_ECORRUPT;
        value_guid_from_wire(p, txt);
        out->kind = TL_V_TEXT;
        out->p = arena_memdup(a, txt, 37);
        out->n = 36;
        return out->p ? 0 : SL_ENOMEM;
    }
    case TDS_DATEN:
        if (n != 3)
            return SL_ECORRUPT;
        value_civil_from_days((int32_t)get_le(p, 3), &dt.year, &dt.month, &dt.day);
        return dt_text(a, &w->t, &dt, out);
    case TDS_TIMEN: case TDS_DATETIME2N: case TDS_DATETIMEOFFSETN: {
        size_t tl = time_len(w->scale);
        size_t want = tl + (w->code == TDS_TIMEN ? 0 : w->code == TDS_DATETIME2N ? 3 : 5);
        int64_t t100, days = 0;
        if (n != want)
            return SL_ECORRUPT;
        t100 = (int64_t)get_le(p, tl) * pow10_tab[7 - w->scale];
        if (t100 >= DAY_100NS)
            return SL_ECORRUPT;
        if (w->code != TDS_TIMEN)
            days = (int64_t)get_le(p + tl, 3);
        if (w->code == TDS_DATETIMEOFFSETN) {
            int16_t off = (int16_t)get_le(p + tl + 3, 2);
            int64_t total = days * DAY_100NS + t100 + (int64_t)off * 600000000;
            if (total < 0)
                return SL_ECORRUPT;
            days = total / DAY_100NS;
            t100 = total % DAY_100NS;
            dt.offset_min = off;
        }
        split_100ns(days, t100, &dt);
        if (w->code == TDS_TIMEN)
            dt.year = 1900, dt.month = 1, dt.day = 1;
        return dt_text(a, &w->t, &dt, out);
    }
    case TDS_BINARY: case TDS_VARBINARY: case TDS_BIGBINARY: case TDS_BIGVARBINARY:
    case TDS_IMAGE:
        out->kind = TL_V_BLOB;
        out->n = n;
        out->p = arena_memdup(a, n ? p : (const uint8_t *)"", n ? n : 1);
        return out->p ? 0 : SL_ENOMEM;
    default:
        break;
    }
    /* Character types. */
    buf_init(&tmp, 0);
    switch (w->code) {
    case TDS_NVARCHAR: case TDS_NCHAR: case TDS_NTEXT: case TDS_XML:
        rc = utf16le_to_utf8(&tmp, p, n);
        break;
    case TDS_CHAR: case TDS_VARCHAR: case TDS_BIGCHAR: case TDS_BIGVARCHAR: case TDS_TEXT:
        rc = collation_utf8(w->collation) ? utf8_repair(&tmp, p, n)
                                          : types_cp1252_to_utf8(&tmp, p, n);
        break;
    default:
        rc = SL_EUNSUPPORTED;
        break;
    }
    if (rc == 0)
        rc = text_value(a, &tmp, out, TL_V_TEXT);
    buf_free(&tmp);
    return rc;
}

/* sql_variant: LONG total, base type, property bytes, data. */
static int read_variant(struct tds_rd *r, struct arena *a, struct tl_value *out)
{
    uint32_t total = wire_u32(r);
    struct tds_wtype bw;
    const uint8_t *body;
    struct tds_rd sub;
    uint8_t nprop;
    int rc;
    if (r->err)
        return r->err;
    if (total == 0) {
        memset(out, 0, sizeof(*out));
        return 0;
    }
    if (total < 2 || total > 8016 || !(body = wire_bytes(r, total)))
        return r->err ? r->err : SL_ECORRUPT;
    nprop = body[1];
    if ((size_t)nprop + 2 > total)
        return SL_ECORRUPT;
    /* Rebuild a TYPE_INFO from the base type and its properties, then decode. */
    {
        uint8_t ti[16];
        size_t k = 0;
        ti[k++] = body[0];
        if (body[0] == TDS_DECIMALN || body[0] == TDS_NUMERICN) {
            ti[k++] = 17;
        } else if (body[0] == TDS_TIMEN || body[0] == TDS_DATETIME2N ||
                   body[0] == TDS_DATETIMEOFFSETN) {
            /* scale only */
        } else if (body[0] == TDS_INTN || body[0] == TDS_FLTN || body[0] == TDS_MONEYN ||
                   body[0] == TDS_DATETIMN || body[0] == TDS_GUID || body[0] == TDS_BITN) {
            ti[k++] = (uint8_t)(total - 2 - nprop);
        }
        if (nprop > sizeof(ti) - k)
            return SL_ECORRUPT;
        memcpy(ti + k, body + 2, nprop);
        k += nprop;
        wire_rd_init(&sub, ti, k);
        if ((rc = types_read_typeinfo(&sub, &bw)) != 0)
            return rc;
    }
    return decode(&bw, body + 2 + nprop, total - 2 - nprop, a, out);
}

static bool byte_len_type(uint8_t code)
{
    switch (code) {
    case TDS_INTN: case TDS_BITN: case TDS_FLTN: case TDS_MONEYN: case TDS_DATETIMN:
    case TDS_DECIMALN: case TDS_NUMERICN: case TDS_GUID: case TDS_DATEN: case TDS_TIMEN:
    case TDS_DATETIME2N: case TDS_DATETIMEOFFSETN: case TDS_CHAR: case TDS_VARCHAR:
    case TDS_BINARY: case TDS_VARBINARY:
        return true;
    default:
        return false;
    }
}

int types_read_value(struct tds_rd *r, const struct tds_wtype *w, bool rpc, struct arena *a,
                     struct tl_value *out)
{
    const uint8_t *p;
    size_t n;
    memset(out, 0, sizeof(*out));
    if (w->code == TDS_NULLTYPE)
        return 0;
    if (w->code == TDS_SSVARIANT)
        return read_variant(r, a, out);
    if (w->plp) {
        struct buf tmp;
        bool is_null;
        int rc;
        buf_init(&tmp, (size_t)1 << 31);
        rc = types_read_plp(r, &tmp, &is_null);
        if (rc == 0 && !is_null)
            rc = decode(w, tmp.data ? tmp.data : (const uint8_t *)"", tmp.len, a, out);
        buf_free(&tmp);
        return rc;
    }
    if (byte_len_type(w->code)) {
        n = wire_u8(r);
        if (r->err)
            return r->err;
        if (n == 0)
            return 0;
    } else if (w->code == TDS_TEXT || w->code == TDS_NTEXT || w->code == TDS_IMAGE) {
        if (rpc) {
            uint32_t len = wire_u32(r);
            if (r->err)
                return r->err;
            if (len == 0xFFFFFFFF)
                return 0;
            n = len;
        } else {
            uint8_t ptrlen = wire_u8(r);
            if (r->err)
                return r->err;
            if (ptrlen == 0)
                return 0;
            wire_skip(r, (size_t)ptrlen + 8);
            n = wire_u32(r);
        }
    } else if (w->maxlen == 0xFFFF || w->code == TDS_BIGVARCHAR || w->code == TDS_BIGCHAR ||
               w->code == TDS_NVARCHAR || w->code == TDS_NCHAR ||
               w->code == TDS_BIGVARBINARY || w->code == TDS_BIGBINARY) {
        n = wire_u16(r);
        if (r->err)
            return r->err;
        if (n == 0xFFFF)
            return 0;
    } else {
        n = w->maxlen; /* fixed-length types */
    }
    if (r->err)
        return r->err;
    if (n > ((size_t)1 << 31))
        return SL_ELIMIT;
    if (n > 65535) {
        /* Large TEXT value: copy through a buffer so the window need not hold it. */
        struct buf tmp;
        int rc;
        buf_init(&tmp, 0);
        rc = wire_copy(r, &tmp, n);
        if (rc == 0)
            rc = decode(w, tmp.data, tmp.len, a, out);
        buf_free(&tmp);
        return rc;
    }
    p = wire_bytes(r, n);
    if (!p)
        return r->err;
    return decode(w, p, n, a, out);
}
