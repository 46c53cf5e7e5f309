/*
 * datetime: SQL Server date and time values as broken-down fields with a
 * 100 ns fraction (struct value_datetime).
 *
 * Owns: the proleptic Gregorian day count from 0001-01-01, parsing the
 * string forms SQL Server accepts (ISO 8601, YYYYMMDD, mdy/dmy with '/',
 * '-' or '.', month names, AM/PM, 'Z' and +hh:mm offsets), rounding to each
 * type's precision (datetime's 1/300 s ticks, smalldatetime's minute,
 * time/datetime2/datetimeoffset scale 0..7), canonical printing, UTC
 * shifting, and the unit/tick counts the TDS layer puts on the wire.
 * Leaves error numbers and style-based printing to convert.c.
 *
 * Invariant: after value_datetime_round() succeeds the fields are valid
 * for the type (date in range, frac a multiple of the type's unit).
 */
#include "core/civil.h"
#include "value/value.h"

#include <string.h>

#define UNITS_PER_DAY 864000000000ULL /* 100 ns units */
#define TICKS_PER_DAY 25920000u       /* datetime: 1/300 s */
#define DAYS_1900 693595              /* 1900-01-01 in days since 0001-01-01 */

int32_t value_days_from_civil(int y, int m, int d)
{
    return (int32_t)(civil_days_from(y, (unsigned)m, (unsigned)d) + CIVIL_DAYS_0001_TO_1970);
}

void value_civil_from_days(int32_t days, int *y, int *m, int *d)
{
    int64_t yy;
    unsigned mm, dd;
    civil_from_days((int64_t)days - CIVIL_DAYS_0001_TO_1970, &yy, &mm, &dd);
    *y = (int)yy;
    *m = (int)mm;
    *d = (int)dd;
}

int value_days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[(m - 1) % 12];
}

/* ---- arithmetic on (days, 100ns-of-day) ---- */

void value_datetime_split(const struct value_datetime *dt, int32_t *days, uint64_t *units)
{
    *days = value_days_from_civil(dt->year, dt->month, dt->day);
    *units = ((uint64_t)dt->hour * 3600 + (uint64_t)dt->minute * 60 + (uint64_t)dt->second) *
                 10000000ULL +
             dt->frac100ns;
}

void value_datetime_join(int32_t days, uint64_t units, struct value_datetime *dt)
{
    uint64_t secs;
    days += (int32_t)(units / UNITS_PER_DAY);
    units %= UNITS_PER_DAY;
    value_civil_from_days(days, &dt->year, &dt->month, &dt->day);
    secs = units / 10000000ULL;
    dt->frac100ns = (uint32_t)(units % 10000000ULL);
    dt->hour = (int)(secs / 3600);
    dt->minute = (int)(secs / 60 % 60);
    dt->second = (int)(secs % 60);
}

static void add_minutes(const struct value_datetime *in, int minutes, struct value_datetime *out)
{
    int32_t days;
    uint64_t units;
    int64_t total;
    int16_t off = in->offset_min;
    value_datetime_split(in, &days, &units);
    total = (int64_t)units + (int64_t)minutes * 600000000LL;
    while (total < 0) {
        total += (int64_t)UNITS_PER_DAY;
        days--;
    }
    value_datetime_join(days, (uint64_t)total, out);
    out->offset_min = off;
}

void value_datetime_to_utc(const struct value_datetime *local, struct value_datetime *utc)
{
    add_minutes(local, -local->offset_min, utc);
    utc->offset_min = 0;
}

void value_datetime_from_utc(const struct value_datetime *utc, int16_t offset_min,
                             struct value_datetime *local)
{
    add_minutes(utc, offset_min, local);
    local->offset_min = offset_min;
}

uint64_t value_time_to_units(const struct value_datetime *dt, int scale)
{
    uint64_t u = ((uint64_t)dt->hour * 3600 + (uint64_t)dt->minute * 60 + (uint64_t)dt->second) *
                     10000000ULL +
                 dt->frac100ns;
    for (int i = scale; i < 7; i++)
        u /= 10;
    return u;
}

void value_time_from_units(uint64_t units, int scale, struct value_datetime *dt)
{
    uint64_t secs;
    for (int i = scale; i < 7; i++)
        units *= 10;
    units %= UNITS_PER_DAY;
    secs = units / 10000000ULL;
    dt->frac100ns = (uint32_t)(units % 10000000ULL);
    dt->hour = (int)(secs / 3600);
    dt->minute = (int)(secs / 60 % 60);
    dt->second = (int)(secs % 60);
}

void value_datetime_to_ticks(const struct value_datetime *dt, int32_t *days1900, uint32_t *ticks)
{
    int32_t days;
    uint64_t units, t;
    value_datetime_split(dt, &days, &units);
    /* 1 tick = 100000/3 units; round half up to the nearest tick. */
    t = (units * 3 + 50000) / 100000;
    if (t >= TICKS_PER_DAY) {
        t -= TICKS_PER_DAY;
        days++;
    }
    *days1900 = days - DAYS_1900;
    *ticks = (uint32_t)t;
}

void value_datetime_from_ticks(int32_t days1900, uint32_t ticks, struct value_datetime *dt)
{
    /* Exact value: ticks * 100000 / 3 units, rounded to 100 ns. */
    uint64_t units = ((uint64_t)ticks * 100000 + 1) / 3;
    value_datetime_join(days1900 + DAYS_1900, units, dt);
    dt->offset_min = 0;
}

static bool date_in_range(const struct value_datetime *dt, enum tl_type_id id)
{
    int y = dt->year;
    if (y < 1 || y > 9999)
        return false;
    if (id == TL_T_DATETIME)
        return y >= 1753;
    if (id == TL_T_SMALLDATETIME)
        return y >= 1900 && (y < 2079 || (y == 2079 && (dt->month < 6 || (dt->month == 6 &&
                                                                           dt->day <= 6))));
    return true;
}

int value_datetime_round(const struct tl_type *t, struct value_datetime *dt)
{
    int32_t days;
    uint64_t units;
    int scale = t->scale > 7 ? 7 : t->scale;
    struct value_datetime keep = *dt;

    value_datetime_split(dt, &days, &units);
    switch (t->id) {
    case TL_T_DATE:
        units = 0;
        break;
    case TL_T_DATETIME: {
        int32_t d1900;
        uint32_t ticks;
        value_datetime_to_ticks(dt, &d1900, &ticks);
        days = d1900 + DAYS_1900;
        /* Shown (and kept) to the millisecond: .000/.003/.007. */
        units = ((uint64_t)ticks * 10 + 1) / 3 * 10000;
        break;
    }
    case TL_T_SMALLDATETIME: {
        /* SQL Server rounds up from 29.999 s (29.998 s rounds down). */
        uint64_t min = units / 600000000ULL, rest = units % 600000000ULL;
        units = (min + (rest >= 299990000ULL)) * 600000000ULL;
        break;
    }
    default: {
        uint64_t unit = 1;
        for (int i = scale; i < 7; i++)
            unit *= 10;
        units = (units + unit / 2) / unit * unit;
        break;
    }
    }
    if (units >= UNITS_PER_DAY && t->id == TL_T_TIME)
        units -= UNITS_PER_DAY; /* time wraps at midnight */
    value_datetime_join(days, units, dt);
    dt->offset_min = t->id == TL_T_DATETIMEOFFSET ? keep.offset_min : 0;
    if (t->id == TL_T_TIME) {
        dt->year = 1900;
        dt->month = dt->day = 1;
        return 0;
    }
    return date_in_range(dt, t->id) ? 0 : VALUE_ERANGE;
}

/* ---- printing ---- */

static size_t put2(char *o, int v)
{
    o[0] = (char)('0' + v / 10 % 10);
    o[1] = (char)('0' + v % 10);
    return 2;
}

static size_t put_date(char *o, const struct value_datetime *dt)
{
    int y = dt->year;
    o[0] = (char)('0' + y / 1000 % 10);
    o[1] = (char)('0' + y / 100 % 10);
    o[2] = (char)('0' + y / 10 % 10);
    o[3] = (char)('0' + y % 10);
    o[4] = '-';
    put2(o + 5, dt->month);
    o[7] = '-';
    put2(o + 8, dt->day);
    return 10;
}

static size_t put_time(char *o, const struct value_datetime *dt, int digits)
{
    size_t k = 0;
    k += put2(o + k, dt->hour);
    o[k++] = ':';
    k += put2(o + k, dt->minute);
    o[k++] = ':';
    k += put2(o + k, dt->second);
    if (digits > 0) {
        uint32_t f = dt->frac100ns;
        char fd[7];
        for (int i = 6; i >= 0; i--) {
            fd[i] = (char)('0' + f % 10);
            f /= 10;
        }
        o[k++] = '.';
        memcpy(o + k, fd, (size_t)digits);
        k += (size_t)digits;
    }
    return k;
}

size_t value_datetime_format(const struct tl_type *t, const struct value_datetime *dt, char *out)
{
    size_t k = 0;
    int scale = t->scale > 7 ? 7 : t->scale;
    switch (t->id) {
    case TL_T_DATE:
        k = put_date(out, dt);
        break;
    case TL_T_TIME:
        k = put_time(out, dt, scale);
        break;
    case TL_T_DATETIME:
        k = put_date(out, dt);
        out[k++] = ' ';
        k += put_time(out + k, dt, 3);
        break;
    case TL_T_SMALLDATETIME: {
        struct value_datetime m = *dt;
        m.second = 0;
        k = put_date(out, &m);
        out[k++] = ' ';
        k += put_time(out + k, &m, 0);
        break;
    }
    case TL_T_DATETIMEOFFSET: {
        int off = dt->offset_min, a = off < 0 ? -off : off;
        k = put_date(out, dt);
        out[k++] = ' ';
        k += put_time(out + k, dt, scale);
        out[k++] = ' ';
        out[k++] = off < 0 ? '-' : '+';
        k += put2(out + k, a / 60);
        out[k++] = ':';
        k += put2(out + k, a % 60);
        break;
    }
    default: /* datetime2 */
        k = put_date(out, dt);
        out[k++] = ' ';
        k += put_time(out + k, dt, scale);
        break;
    }
    out[k] = 0;
    return k;
}

/* ---- parsing ---- */

struct scan {
    const char *s;
    size_t i, n;
};

static void skip_sp(struct scan *c)
{
    while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\r' ||
                           c->s[c->i] == '\n'))
        c->i++;
}

static int digits(struct scan *c, int max, int *val)
{
    int k = 0, v = 0;
    while (c->i < c->n && k < max && c->s[c->i] >= '0' && c->s[c->i] <= '9') {
        v = v * 10 + (c->s[c->i++] - '0');
        k++;
    }
    *val = v;
    return k;
}

static bool lower_eq(const char *s, size_t n, const char *lit)
{
    size_t i;
    for (i = 0; i < n && lit[i]; i++) {
        char ch = s[i];
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch + 32);
        if (ch != lit[i])
            return false;
    }
    return i == n && !lit[i];
}

static const char *const month_names[12] = {"january", "february", "march",     "april",
                                            "may",     "june",     "july",      "august",
                                            "september", "october", "november", "december"};

/* A month name or its 3-letter abbreviation; 0 if none. */
static int month_word(struct scan *c)
{
    size_t st = c->i, len;
    while (c->i < c->n && ((c->s[c->i] | 32) >= 'a' && (c->s[c->i] | 32) <= 'z'))
        c->i++;
    len = c->i - st;
    for (int m = 0; m < 12 && len >= 3; m++) {
        char ab[4];
        memcpy(ab, month_names[m], 3);
        ab[3] = 0;
        if (lower_eq(c->s + st, len, month_names[m]) || lower_eq(c->s + st, len, ab))
            return m + 1;
    }
    c->i = st;
    return 0;
}

static int year2(int y, int nd)
{
    if (nd > 2)
        return y;
    return y <= 49 ? 2000 + y : 1900 + y; /* two digit year cutoff 2049 */
}

/* Date part. Returns 1 parsed, 0 none present, -1 malformed. */
static int parse_date(struct scan *c, bool dmy, struct value_datetime *dt)
{
    size_t st = c->i;
    int a, b, y, na, nb, ny, m;
    char sep;

    if ((m = month_word(c)) != 0) { /* Mon dd[,] yyyy */
        skip_sp(c);
        if (!digits(c, 2, &b))
            return -1;
        skip_sp(c);
        if (c->i < c->n && c->s[c->i] == ',')
            c->i++;
        skip_sp(c);
        if ((ny = digits(c, 4, &y)) == 0)
            return -1;
        dt->year = year2(y, ny);
        dt->month = m;
        dt->day = b;
        return 1;
    }
    na = digits(c, 8, &a);
    if (na == 0)
        return 0;
    if (c->i < c->n && c->s[c->i] == ':') { /* it was a time */
        c->i = st;
        return 0;
    }
    if (na == 8) { /* yyyymmdd */
        dt->year = a / 10000;
        dt->month = a / 100 % 100;
        dt->day = a % 100;
        return 1;
    }
    if (na == 6 && (c->i >= c->n || c->s[c->i] == ' ' || c->s[c->i] == 'T')) { /* yymmdd */
        dt->year = year2(a / 10000, 2);
        dt->month = a / 100 % 100;
        dt->day = a % 100;
        return 1;
    }
    if (c->i < c->n && c->s[c->i] == ' ') { /* dd Mon yyyy */
        size_t save = c->i;
        skip_sp(c);
        if ((m = month_word(c)) != 0) {
            skip_sp(c);
            if ((ny = digits(c, 4, &y)) == 0)
                return -1;
            dt->year = year2(y, ny);
            dt->month = m;
            dt->day = a;
            return 1;
        }
        c->i = save;
        return -1;
    }
    if (c->i >= c->n || (c->s[c->i] != '-' && c->s[c->i] != '/' && c->s[c->i] != '.'))
        return -1;
    sep = c->s[c->i++];
    if ((nb = digits(c, 2, &b)) == 0)
        return -1;
    if (c->i >= c->n || c->s[c->i] != sep)
        return -1;
    c->i++;
    if ((ny = digits(c, 4, &y)) == 0)
        return -1;
    if (na == 4) { /* yyyy-mm-dd */
        dt->year = a;
        dt->month = b;
        dt->day = y;
        return ny <= 2 ? 1 : -1;
    }
    if (na > 2)
        return -1;
    dt->year = year2(y, ny);
    dt->month = dmy ? b : a;
    dt->day = dmy ? a : b;
    return 1;
}

/* Time part hh:mm[:ss[.f*]][ ][AM|PM] or hh AM. Returns 1, 0 none, -1 bad;
 * *nfrac gets the number of fraction digits given. */
static int parse_time(struct scan *c, struct value_datetime *dt, int *nfrac)
{
    int h, mi = 0, s = 0, nh;
    uint32_t f = 0;
    bool have_min = false;
    *nfrac = 0;
    if ((nh = digits(c, 2, &h)) == 0)
        return 0;
    if (c->i < c->n && c->s[c->i] == ':') {
        c->i++;
        if (!digits(c, 2, &mi))
            return -1;
        have_min = true;
        if (c->i < c->n && c->s[c->i] == ':') {
            c->i++;
            if (!digits(c, 2, &s))
                return -1;
            if (c->i < c->n && c->s[c->i] == '.') {
                uint32_t scale = 1000000;
                c->i++;
                while (c->i < c->n && c->s[c->i] >= '0' && c->s[c->i] <= '9') {
                    if (*nfrac < 7) {
                        f += (uint32_t)(c->s[c->i] - '0') * scale;
                        scale /= 10;
                    }
                    (*nfrac)++;
                    c->i++;
                }
            }
        }
    }
    skip_sp(c);
    if (c->i + 1 < c->n + 0 && ((c->s[c->i] | 32) == 'a' || (c->s[c->i] | 32) == 'p') &&
        (c->s[c->i + 1] | 32) == 'm') {
        bool pm = (c->s[c->i] | 32) == 'p';
        c->i += 2;
        if (h < 1 || h > 12)
            return -1;
        h = (h % 12) + (pm ? 12 : 0);
    } else if (!have_min) {
        return -1;
    }
    dt->hour = h;
    dt->minute = mi;
    dt->second = s;
    dt->frac100ns = f;
    return 1;
}

int value_datetime_parse_ex(const char *s, size_t n, bool dmy, struct value_datetime *out,
                            unsigned *flags)
{
    struct scan c = {s, 0, n};
    struct value_datetime dt = {1900, 1, 1, 0, 0, 0, 0, 0};
    int r, nfrac = 0;
    unsigned f = 0;

    skip_sp(&c);
    r = parse_date(&c, dmy, &dt);
    if (r < 0)
        return VALUE_EBAD;
    if (r > 0) {
        f |= VALUE_DT_HAS_DATE;
        if (c.i < c.n && c.s[c.i] == 'T') {
            c.i++;
            f |= VALUE_DT_ISO_T;
        } else {
            skip_sp(&c);
        }
    }
    r = parse_time(&c, &dt, &nfrac);
    if (r < 0 || (r == 0 && (f & VALUE_DT_ISO_T)))
        return VALUE_EBAD;
    if (r > 0)
        f |= VALUE_DT_HAS_TIME;
    skip_sp(&c);
    if (c.i < c.n && (c.s[c.i] == 'Z' || c.s[c.i] == 'z')) {
        c.i++;
        f |= VALUE_DT_HAS_OFFSET | VALUE_DT_ZULU;
    } else if (c.i < c.n && (c.s[c.i] == '+' || c.s[c.i] == '-') && r > 0) {
        int oh, om = 0;
        bool neg = c.s[c.i++] == '-';
        if (digits(&c, 2, &oh) != 2)
            return VALUE_EBAD;
        if (c.i < c.n && c.s[c.i] == ':') {
            c.i++;
            if (digits(&c, 2, &om) != 2)
                return VALUE_EBAD;
        }
        if (oh > 14 || om > 59 || oh * 60 + om > 840)
            return VALUE_EBAD;
        dt.offset_min = (int16_t)(neg ? -(oh * 60 + om) : oh * 60 + om);
        f |= VALUE_DT_HAS_OFFSET;
    }
    skip_sp(&c);
    if (c.i != c.n || !(f & (VALUE_DT_HAS_DATE | VALUE_DT_HAS_TIME)))
        return (f || c.i != c.n) ? VALUE_EBAD : VALUE_EEMPTY;
    if (nfrac > 7)
        f |= VALUE_DT_LONG_FRAC;
    if (nfrac > 3)
        f |= VALUE_DT_FRAC_GT3;
    if (dt.month < 1 || dt.month > 12 || dt.day < 1 || dt.year < 1 || dt.year > 9999 ||
        dt.day > value_days_in_month(dt.year, dt.month) || dt.hour > 23 || dt.minute > 59 ||
        dt.second > 59)
        return VALUE_ERANGE;
    *out = dt;
    if (flags)
        *flags = f;
    return 0;
}

int value_datetime_parse(enum tl_type_id id, const char *s, size_t n, struct value_datetime *out)
{
    unsigned f = 0;
    int rc = value_datetime_parse_ex(s, n, false, out, &f);
    if (rc == VALUE_EEMPTY) {
        struct value_datetime z = {1900, 1, 1, 0, 0, 0, 0, 0};
        *out = z;
        return 0;
    }
    if (rc != 0)
        return -1;
    if (id != TL_T_DATETIMEOFFSET)
        out->offset_min = 0; /* other types drop a given offset */
    if (id == TL_T_DATETIME && (f & VALUE_DT_HAS_OFFSET) && !(f & VALUE_DT_ZULU))
        return -1;
    if (f & VALUE_DT_LONG_FRAC)
        return -1;
    return 0;
}
