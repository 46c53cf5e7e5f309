/*
 * datefn: DATEADD, DATEDIFF and DATEPART on canonical date/time text.
 *
 * Dateparts are SQL Server's names and abbreviations. Weeks follow the
 * us_english default SET DATEFIRST 7 (weeks start on Sunday, weekday
 * Sunday = 1). DATEDIFF counts boundaries crossed, datetimeoffset values
 * are compared in UTC, and the result must fit an int (Msg 535).
 */
#include "internal.h"

#include <string.h>
#include <strings.h>

#define UNITS_PER_DAY 864000000000LL

static const struct {
    const char *name;
    enum value_datepart part;
} part_names[] = {
    {"year", VALUE_DP_YEAR},     {"yy", VALUE_DP_YEAR},          {"yyyy", VALUE_DP_YEAR},
    {"quarter", VALUE_DP_QUARTER}, {"qq", VALUE_DP_QUARTER},     {"q", VALUE_DP_QUARTER},
    {"month", VALUE_DP_MONTH},   {"mm", VALUE_DP_MONTH},         {"m", VALUE_DP_MONTH},
    {"dayofyear", VALUE_DP_DAYOFYEAR}, {"dy", VALUE_DP_DAYOFYEAR}, {"y", VALUE_DP_DAYOFYEAR},
    {"day", VALUE_DP_DAY},       {"dd", VALUE_DP_DAY},           {"d", VALUE_DP_DAY},
    {"week", VALUE_DP_WEEK},     {"wk", VALUE_DP_WEEK},          {"ww", VALUE_DP_WEEK},
    {"weekday", VALUE_DP_WEEKDAY}, {"dw", VALUE_DP_WEEKDAY},     {"w", VALUE_DP_WEEKDAY},
    {"hour", VALUE_DP_HOUR},     {"hh", VALUE_DP_HOUR},
    {"minute", VALUE_DP_MINUTE}, {"mi", VALUE_DP_MINUTE},        {"n", VALUE_DP_MINUTE},
    {"second", VALUE_DP_SECOND}, {"ss", VALUE_DP_SECOND},        {"s", VALUE_DP_SECOND},
    {"millisecond", VALUE_DP_MILLISECOND}, {"ms", VALUE_DP_MILLISECOND},
    {"microsecond", VALUE_DP_MICROSECOND}, {"mcs", VALUE_DP_MICROSECOND},
    {"nanosecond", VALUE_DP_NANOSECOND}, {"ns", VALUE_DP_NANOSECOND},
    {"tzoffset", VALUE_DP_TZOFFSET}, {"tz", VALUE_DP_TZOFFSET},
    {"iso_week", VALUE_DP_ISO_WEEK}, {"isowk", VALUE_DP_ISO_WEEK}, {"isoww", VALUE_DP_ISO_WEEK},
};

int value_datepart_parse(const char *s, size_t n, enum value_datepart *out)
{
    for (size_t k = 0; k < sizeof part_names / sizeof part_names[0]; k++)
        if (strlen(part_names[k].name) == n && strncasecmp(part_names[k].name, s, n) == 0) {
            *out = part_names[k].part;
            return 0;
        }
    return -1;
}

static const char *part_name(enum value_datepart p)
{
    for (size_t k = 0; k < sizeof part_names / sizeof part_names[0]; k++)
        if (part_names[k].part == p)
            return part_names[k].name;
    return "?";
}

void value_datetime_infer_type(const char *s, size_t n, struct tl_type *out)
{
    struct value_datetime dt;
    unsigned fl = 0;
    struct tl_type t = {TL_T_DATETIME, 0, 0, 0};
    if (value_datetime_parse_ex(s, n, false, &dt, &fl) == 0) {
        if ((fl & VALUE_DT_HAS_OFFSET) && !(fl & VALUE_DT_ZULU))
            t.id = TL_T_DATETIMEOFFSET, t.scale = 7;
        else if (!(fl & VALUE_DT_HAS_DATE))
            t.id = TL_T_TIME, t.scale = 7;
        else if (fl & VALUE_DT_FRAC_GT3)
            t.id = TL_T_DATETIME2, t.scale = 7;
    }
    *out = t;
}

static int parse_dt(const struct tl_type *t, const char *s, size_t n, struct value_datetime *dt,
                    struct value_error *e)
{
    unsigned fl;
    if (value_datetime_parse_ex(s, n, false, dt, &fl) != 0) {
        value_error_set(e, 241, "Conversion failed when converting date and/or time from "
                                "character string.");
        return -1;
    }
    if (t->id != TL_T_DATETIMEOFFSET)
        dt->offset_min = 0;
    if (t->id == TL_T_DATETIME) {
        int32_t d;
        uint32_t k;
        value_datetime_to_ticks(dt, &d, &k);
        value_datetime_from_ticks(d, k, dt);
    }
    return 0;
}

static bool part_has_time(enum value_datepart p)
{
    return p >= VALUE_DP_HOUR && p <= VALUE_DP_NANOSECOND;
}

int value_dateadd(enum value_datepart part, int64_t n, const struct tl_type *t, const char *s,
                  size_t len, char *out, struct value_error *e)
{
    struct value_datetime dt;
    int32_t days;
    uint64_t units;
    int64_t u, unit = 0;

    if (parse_dt(t, s, len, &dt, e) != 0)
        return -1;
    if ((t->id == TL_T_DATE && part_has_time(part)) ||
        (t->id == TL_T_TIME && !part_has_time(part)) || part == VALUE_DP_TZOFFSET ||
        part == VALUE_DP_ISO_WEEK) {
        value_error_set(e, 9810, "The datepart %s is not supported by date function dateadd "
                                 "for data type %s.",
                        part_name(part), value_type_base_name(t->id));
        return -1;
    }
    value_datetime_split(&dt, &days, &units);
    switch (part) {
    case VALUE_DP_YEAR:
    case VALUE_DP_QUARTER:
    case VALUE_DP_MONTH: {
        int64_t months = n * (part == VALUE_DP_YEAR ? 12 : part == VALUE_DP_QUARTER ? 3 : 1);
        int64_t m = (int64_t)dt.year * 12 + (dt.month - 1) + months;
        if (m < 12 || m >= 10000 * 12)
            goto overflow;
        dt.year = (int)(m / 12);
        dt.month = (int)(m % 12) + 1;
        if (dt.day > value_days_in_month(dt.year, dt.month))
            dt.day = value_days_in_month(dt.year, dt.month);
        goto done;
    }
    case VALUE_DP_DAYOFYEAR:
    case VALUE_DP_DAY:
    case VALUE_DP_WEEKDAY:
    case VALUE_DP_WEEK: {
        int64_t nd = (int64_t)days + n * (part == VALUE_DP_WEEK ? 7 : 1);
        if (nd < 0 || nd > 3652058)
            goto overflow;
        value_datetime_join((int32_t)nd, units, &dt);
        goto done;
    }
    case VALUE_DP_HOUR: unit = 36000000000LL; break;
    case VALUE_DP_MINUTE: unit = 600000000LL; break;
    case VALUE_DP_SECOND: unit = 10000000LL; break;
    case VALUE_DP_MILLISECOND: unit = 10000LL; break;
    case VALUE_DP_MICROSECOND: unit = 10LL; break;
    default: /* nanosecond: rounded to 100 ns */
        unit = 1;
        n = n >= 0 ? (n + 50) / 100 : -((-n + 50) / 100);
        break;
    }
    if (n > INT64_MAX / unit || n < -(INT64_MAX / unit))
        goto overflow;
    u = (int64_t)units + n * unit;
    if (t->id == TL_T_TIME) {
        u %= UNITS_PER_DAY;
        if (u < 0)
            u += UNITS_PER_DAY;
    } else {
        int64_t dd = u >= 0 ? u / UNITS_PER_DAY : -((-u + UNITS_PER_DAY - 1) / UNITS_PER_DAY);
        u -= dd * UNITS_PER_DAY;
        dd += days;
        if (dd < 0 || dd > 3652058)
            goto overflow;
        days = (int32_t)dd;
    }
    value_datetime_join(days, (uint64_t)u, &dt);
done:
    if (value_datetime_round(t, &dt) != 0)
        goto overflow;
    value_datetime_format(t, &dt, out);
    return 0;
overflow:
    value_error_set(e, 517, "Adding a value to a '%s' column caused an overflow.",
                    value_type_base_name(t->id));
    return -1;
}

static int64_t floordiv(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

int value_datediff(enum value_datepart part, const struct tl_type *ta, const char *a, size_t an,
                   const struct tl_type *tb, const char *b, size_t bn, int64_t *out,
                   struct value_error *e)
{
    struct value_datetime x, y, t;
    int32_t dx, dy;
    uint64_t ux, uy;
    int64_t r, tx, ty;

    if (parse_dt(ta, a, an, &x, e) != 0 || parse_dt(tb, b, bn, &y, e) != 0)
        return -1;
    value_datetime_to_utc(&x, &t);
    x = t;
    value_datetime_to_utc(&y, &t);
    y = t;
    value_datetime_split(&x, &dx, &ux);
    value_datetime_split(&y, &dy, &uy);
    tx = (int64_t)dx * UNITS_PER_DAY + (int64_t)ux;
    ty = (int64_t)dy * UNITS_PER_DAY + (int64_t)uy;
    switch (part) {
    case VALUE_DP_YEAR: r = y.year - x.year; break;
    case VALUE_DP_QUARTER:
        r = ((int64_t)y.year * 4 + (y.month - 1) / 3) - ((int64_t)x.year * 4 + (x.month - 1) / 3);
        break;
    case VALUE_DP_MONTH: r = ((int64_t)y.year * 12 + y.month) - ((int64_t)x.year * 12 + x.month); break;
    case VALUE_DP_DAYOFYEAR:
    case VALUE_DP_DAY:
    case VALUE_DP_WEEKDAY: r = (int64_t)dy - dx; break;
    case VALUE_DP_WEEK:
    case VALUE_DP_ISO_WEEK: r = floordiv((int64_t)dy + 1, 7) - floordiv((int64_t)dx + 1, 7); break;
    case VALUE_DP_HOUR: r = floordiv(ty, 36000000000LL) - floordiv(tx, 36000000000LL); break;
    case VALUE_DP_MINUTE: r = floordiv(ty, 600000000LL) - floordiv(tx, 600000000LL); break;
    case VALUE_DP_SECOND: r = floordiv(ty, 10000000LL) - floordiv(tx, 10000000LL); break;
    case VALUE_DP_MILLISECOND: r = floordiv(ty, 10000LL) - floordiv(tx, 10000LL); break;
    case VALUE_DP_MICROSECOND: r = floordiv(ty, 10LL) - floordiv(tx, 10LL); break;
    case VALUE_DP_NANOSECOND:
        r = ty - tx;
        if (r > INT32_MAX / 100 || r < INT32_MIN / 100)
            goto overflow;
        r *= 100;
        break;
    default:
        value_error_set(e, 9810, "The datepart %s is not supported by date function datediff "
                                 "for data type %s.",
                        part_name(part), value_type_base_name(ta->id));
        return -1;
    }
    if (r > INT32_MAX || r < INT32_MIN)
        goto overflow;
    *out = r;
    return 0;
overflow:
    value_error_set(e, 535, "The datediff function resulted in an overflow. The number of "
                            "dateparts separating two date/time instances is too large. Try to "
                            "use datediff with a less precise datepart.");
    return -1;
}

static int iso_week(int y, int32_t days)
{
    /* Week with the year's first Thursday is week 1; Monday starts weeks. */
    int32_t jan4 = value_days_from_civil(y, 1, 4);
    int32_t wk1 = jan4 - (jan4 % 7); /* Monday of that week: day 0 was a Monday */
    if (days < wk1)
        return iso_week(y - 1, days);
    if (days >= value_days_from_civil(y + 1, 1, 4) - (value_days_from_civil(y + 1, 1, 4) % 7))
        return 1;
    return (days - wk1) / 7 + 1;
}

int value_datepart(enum value_datepart part, const struct tl_type *t, const char *s, size_t n,
                   int64_t *out, struct value_error *e)
{
    struct value_datetime dt;
    int32_t days, jan1;
    if (parse_dt(t, s, n, &dt, e) != 0)
        return -1;
    if (t->id == TL_T_DATETIME) { /* parts of the shown (rounded) value */
        struct tl_type r = {TL_T_DATETIME, 0, 0, 0};
        value_datetime_round(&r, &dt);
    }
    days = value_days_from_civil(dt.year, dt.month, dt.day);
    jan1 = value_days_from_civil(dt.year, 1, 1);
    switch (part) {
    case VALUE_DP_YEAR: *out = dt.year; break;
    case VALUE_DP_QUARTER: *out = (dt.month - 1) / 3 + 1; break;
    case VALUE_DP_MONTH: *out = dt.month; break;
    case VALUE_DP_DAYOFYEAR: *out = days - jan1 + 1; break;
    case VALUE_DP_DAY: *out = dt.day; break;
    case VALUE_DP_WEEK: *out = (days - jan1 + (jan1 + 1) % 7) / 7 + 1; break;
    case VALUE_DP_WEEKDAY: *out = (days + 1) % 7 + 1; break;
    case VALUE_DP_HOUR: *out = dt.hour; break;
    case VALUE_DP_MINUTE: *out = dt.minute; break;
    case VALUE_DP_SECOND: *out = dt.second; break;
    case VALUE_DP_MILLISECOND: *out = dt.frac100ns / 10000; break;
    case VALUE_DP_MICROSECOND: *out = dt.frac100ns / 10; break;
    case VALUE_DP_NANOSECOND: *out = (int64_t)dt.frac100ns * 100; break;
    case VALUE_DP_TZOFFSET: *out = dt.offset_min; break;
    case VALUE_DP_ISO_WEEK: *out = iso_week(dt.year, days); break;
    }
    return 0;
}
