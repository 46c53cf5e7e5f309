/*
 * style: the text CONVERT produces for dates, money and floats under a
 * style number (and CAST, style -1).
 *
 * Dates: 0/100, 1/101, 2/102, 3/103, 4/104, 5/105, 6/106, 7/107, 8/108,
 * 9/109, 10/110, 11/111, 12/112, 13/113, 14/114, 20/120, 21/121, 22, 23,
 * 24, 25, 126 and 127 (styles below 100 print 2-digit years). CAST of
 * datetime/smalldatetime is style 0; CAST of the newer types is their
 * canonical ISO text.
 * Money: 0 two decimals, 1 two decimals with thousands commas, 2 four.
 * Float/real: 0 is at most 6 significant digits as %g with a 3-digit
 * exponent ("1.23457e+006", SQL Server's Windows-era printf), 1 is 8 digits
 * scientific, 2 is 16 digits scientific, 3 is 17 significant digits
 * (round-trip exact). SQL Server prints "1.23457e+006"; we match that.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static const char *const mon_abbr[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static int frac_digits(enum tl_type_id id, int scale)
{
    if (id == TL_T_DATETIME)
        return 3;
    if (id == TL_T_SMALLDATETIME || id == TL_T_DATE)
        return 0;
    return scale;
}

/* ".fff..." with n digits of dt's fraction, or "" for n == 0. */
static void frac_text(const struct value_datetime *dt, int n, char sep, char *out)
{
    char d[8];
    snprintf(d, sizeof d, "%07u", dt->frac100ns);
    if (n <= 0) {
        out[0] = 0;
        return;
    }
    out[0] = sep;
    memcpy(out + 1, d, (size_t)n);
    out[n + 1] = 0;
}

static void offset_text(const struct value_datetime *dt, char *out, size_t cap)
{
    int a = dt->offset_min < 0 ? -dt->offset_min : dt->offset_min;
    snprintf(out, cap, " %c%02d:%02d", dt->offset_min < 0 ? '-' : '+', a / 60, a % 60);
}

size_t style_datetime(enum tl_type_id id, int scale, const struct value_datetime *dt, int style,
                      char *out)
{
    char fr[10], fr_colon[10], off[12] = "", date[40] = "", tm[40] = "";
    int h12 = dt->hour % 12 == 0 ? 12 : dt->hour % 12, nf = frac_digits(id, scale);
    const char *ampm = dt->hour < 12 ? "AM" : "PM";
    bool has_date = id != TL_T_TIME, has_time = id != TL_T_DATE;
    int base = style >= 100 ? style - 100 : style, y = dt->year;
    int yy = style < 100 && style != 0 && style != 9 && style != 13 ? y % 100 : y;
    int yw = yy == y ? 4 : 2;

    if (style == -1) {
        struct tl_type t = {id, 0, 0, (uint8_t)scale};
        if (id != TL_T_DATETIME && id != TL_T_SMALLDATETIME)
            return value_datetime_format(&t, dt, out);
        style = base = 0;
    }
    frac_text(dt, nf, '.', fr);
    frac_text(dt, nf, ':', fr_colon);
    if (id == TL_T_DATETIMEOFFSET)
        offset_text(dt, off, sizeof off);
    switch (style) {
    case 20: case 120: case 21: case 121: case 25: case 23: case 126: case 127:
        yy = y;
        yw = 4;
        break;
    default:
        break;
    }
    switch (base) {
    case 0:
    case 9:
    case 13: {
        if (base == 13)
            snprintf(date, sizeof date, "%02d %s %04d", dt->day, mon_abbr[dt->month - 1], y);
        else
            snprintf(date, sizeof date, "%s %2d %04d", mon_abbr[dt->month - 1], dt->day, y);
        if (base == 0)
            snprintf(tm, sizeof tm, "%2d:%02d%s", h12, dt->minute, ampm);
        else if (base == 9)
            snprintf(tm, sizeof tm, "%2d:%02d:%02d%s%s", h12, dt->minute, dt->second,
                     nf ? fr_colon : ":000", ampm);
        else
            snprintf(tm, sizeof tm, "%02d:%02d:%02d%s", dt->hour, dt->minute, dt->second,
                     nf ? fr_colon : ":000");
        if (!has_date)
            return (size_t)snprintf(out, 80, "%s", tm);
        if (!has_time)
            return (size_t)snprintf(out, 80, "%s", date);
        return (size_t)snprintf(out, 80, "%s %s%s", date, tm, off);
    }
    case 1: snprintf(date, sizeof date, "%02d/%02d/%0*d", dt->month, dt->day, yw, yy); break;
    case 2: snprintf(date, sizeof date, "%0*d.%02d.%02d", yw, yy, dt->month, dt->day); break;
    case 3: snprintf(date, sizeof date, "%02d/%02d/%0*d", dt->day, dt->month, yw, yy); break;
    case 4: snprintf(date, sizeof date, "%02d.%02d.%0*d", dt->day, dt->month, yw, yy); break;
    case 5: snprintf(date, sizeof date, "%02d-%02d-%0*d", dt->day, dt->month, yw, yy); break;
    case 6:
        snprintf(date, sizeof date, "%02d %s %0*d", dt->day, mon_abbr[dt->month - 1], yw, yy);
        break;
    case 7:
        snprintf(date, sizeof date, "%s %02d, %0*d", mon_abbr[dt->month - 1], dt->day, yw, yy);
        break;
    case 10: snprintf(date, sizeof date, "%02d-%02d-%0*d", dt->month, dt->day, yw, yy); break;
    case 11: snprintf(date, sizeof date, "%0*d/%02d/%02d", yw, yy, dt->month, dt->day); break;
    case 12: snprintf(date, sizeof date, "%0*d%02d%02d", yw, yy, dt->month, dt->day); break;
    case 8:
    case 24:
        return (size_t)snprintf(out, 80, "%02d:%02d:%02d", dt->hour, dt->minute, dt->second);
    case 14:
        return (size_t)snprintf(out, 80, "%02d:%02d:%02d%s", dt->hour, dt->minute, dt->second,
                                nf ? fr_colon : ":000");
    case 20:
    case 21:
    case 23:
    case 25:
    case 26:
    case 27: {
        struct value_datetime u = *dt;
        bool iso_t = base == 26 || base == 27;
        bool z = style == 127 && id == TL_T_DATETIMEOFFSET;
        bool all_zero = dt->frac100ns == 0;
        if (base == 23)
            return (size_t)snprintf(out, 80, "%04d-%02d-%02d", y, dt->month, dt->day);
        if (style < 100 && base >= 26)
            return 0;
        if (z)
            value_datetime_to_utc(dt, &u);
        if (base == 20 || (iso_t && all_zero && id == TL_T_DATETIME) || id == TL_T_SMALLDATETIME)
            fr[0] = 0;
        else if (iso_t)
            frac_text(&u, nf, '.', fr);
        if (!has_date)
            return (size_t)snprintf(out, 80, "%02d:%02d:%02d%s", u.hour, u.minute, u.second, fr);
        return (size_t)snprintf(out, 80, "%04d-%02d-%02d%c%02d:%02d:%02d%s%s", u.year, u.month,
                                u.day, iso_t ? 'T' : ' ', u.hour, u.minute, u.second, fr,
                                z ? "Z" : (iso_t ? "" : off));
    }
    case 22:
        return (size_t)snprintf(out, 80, "%02d/%02d/%02d %2d:%02d:%02d %s", dt->month, dt->day,
                                y % 100, h12, dt->minute, dt->second, ampm);
    default:
        return 0;
    }
    return (size_t)snprintf(out, 80, "%s", date);
}

/* Rewrite a C exponent "e+06" as SQL Server's "e+006". */
static size_t widen_exponent(char *s, size_t n)
{
    char *e = strchr(s, 'e');
    size_t digits;
    if (!e)
        return n;
    digits = n - (size_t)(e + 2 - s);
    while (digits < 3) {
        memmove(e + 3, e + 2, digits + 1);
        e[2] = '0';
        digits++;
        n++;
    }
    return n;
}

size_t style_float(double f, bool real, int style, char *out)
{
    int n;
    switch (style) {
    case -1:
    case 0:
        n = snprintf(out, 80, "%.6g", f);
        break;
    case 1:
        n = snprintf(out, 80, "%.7e", f);
        break;
    case 2:
    case 126:
        n = snprintf(out, 80, "%.15e", f);
        break;
    case 3:
        n = snprintf(out, 80, real ? "%.9g" : "%.17g", f);
        break;
    default:
        return 0;
    }
    if (strcmp(out, "-0") == 0)
        n = snprintf(out, 80, "0");
    return widen_exponent(out, (size_t)n);
}

size_t style_money(const struct value_decimal *d, int style, char *out)
{
    struct value_decimal t = *d;
    char digits[48];
    size_t n, o = 0;
    if (style == 2 || style == 126) {
        value_decimal_rescale(&t, 4, false);
        return value_decimal_format(&t, out);
    }
    if (style != -1 && style != 0 && style != 1)
        return 0;
    value_decimal_rescale(&t, 2, false);
    n = value_decimal_format(&t, digits);
    if (style != 1) {
        memcpy(out, digits, n + 1);
        return n;
    }
    {
        const char *p = digits;
        size_t intlen;
        if (*p == '-')
            out[o++] = *p++;
        intlen = (size_t)(strchr(p, '.') - p);
        for (size_t k = 0; k < intlen; k++) {
            if (k && (intlen - k) % 3 == 0)
                out[o++] = ',';
            out[o++] = p[k];
        }
        memcpy(out + o, p + intlen, strlen(p + intlen) + 1);
        return o + strlen(p + intlen);
    }
}
