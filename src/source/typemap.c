/*
 * typemap: see typemap.h. The mapping follows spec/parquet-delta.md §7.2;
 * docs/type-mapping.md is its user-facing copy and must change with it.
 */
#include "source/typemap.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/civil.h"

/* Text buffer for decimal, date/time and GUID text forms: the longest is
 * "-" + 38 digits + "." + NUL, or a datetimeoffset with 7 digits (34). */
#define TM_TEXT_WIDTH 48

struct tm_entry {
    const char *name;
    enum typemap_kind kind;
};

/* Declared type names, as sys.types spells the system types. */
static const struct tm_entry entries[] = {
    {"bit", TM_BIT},
    {"tinyint", TM_TINYINT},
    {"smallint", TM_SMALLINT},
    {"int", TM_INT},
    {"bigint", TM_BIGINT},
    {"decimal", TM_DECIMAL},
    {"numeric", TM_DECIMAL},
    {"money", TM_DECIMAL},
    {"smallmoney", TM_DECIMAL},
    {"real", TM_REAL},
    {"float", TM_FLOAT},
    {"date", TM_DATE},
    {"datetime", TM_DATETIME},
    {"smalldatetime", TM_DATETIME},
    {"datetime2", TM_DATETIME},
    {"datetimeoffset", TM_DATETIMEOFFSET},
    {"time", TM_TIME},
    {"char", TM_CHAR},
    {"varchar", TM_CHAR},
    {"text", TM_CHAR},
    {"nchar", TM_NCHAR},
    {"nvarchar", TM_NCHAR},
    {"ntext", TM_NCHAR},
    {"sysname", TM_NCHAR},
    {"xml", TM_NCHAR},
    {"uniqueidentifier", TM_GUID},
    {"binary", TM_BINARY},
    {"varbinary", TM_BINARY},
    {"image", TM_BINARY},
    {"timestamp", TM_ROWVERSION},
    {"rowversion", TM_ROWVERSION},
    {"sql_variant", TM_TEXTFORM},
    {"hierarchyid", TM_TEXTFORM},
    {"json", TM_TEXTFORM},
    {"geometry", TM_BINARY},
    {"geography", TM_BINARY},
};

static const struct tm_entry *find_entry(const char *name)
{
    for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++)
        if (strcasecmp(entries[i].name, name) == 0)
            return &entries[i];
    return NULL;
}

/* Types SQL Server stores out of row or as (max): always read in chunks. */
static bool is_lob_name(const char *name)
{
    static const char *const lob[] = {"text",        "ntext",       "image",     "xml",
                                      "sql_variant", "hierarchyid", "json",      "geometry",
                                      "geography"};
    for (size_t i = 0; i < sizeof(lob) / sizeof(lob[0]); i++)
        if (strcasecmp(lob[i], name) == 0)
            return true;
    return false;
}

static int set_decimal(struct typemap_col *c, const char *name, int precision, int scale,
                       struct sl_err *err)
{
    if (strcasecmp(name, "money") == 0) {
        precision = 19;
        scale = 4;
    } else if (strcasecmp(name, "smallmoney") == 0) {
        precision = 10;
        scale = 4;
    }
    if (precision < 1 || precision > 38 || scale < 0 || scale > precision)
        return sl_err_set(err, SL_EUNSUPPORTED, "type %s(%d,%d) has an invalid precision or scale",
                          name, precision, scale);
    c->type = BATCH_DECIMAL;
    c->precision = (uint8_t)precision;
    c->scale = (uint8_t)scale;
    return 0;
}

int typemap_from_decl(const char *type_name, int max_length, int precision, int scale,
                      bool nullable, const struct typemap_options *opt, struct typemap_col *out,
                      struct sl_err *err)
{
    const struct tm_entry *e = find_entry(type_name ? type_name : "");
    bool ntz = opt && opt->timestamp_ntz;
    int ret = 0;

    memset(out, 0, sizeof(*out));
    if (!e) {
        ret = sl_err_set(err, SL_EUNSUPPORTED, "type \"%s\" is not supported",
                         type_name ? type_name : "(null)");
        sl_err_hint(err, "exclude the column, or cast it in a view to a supported type");
        goto out;
    }
    out->kind = e->kind;
    out->nullable = nullable;
    snprintf(out->sql_name, sizeof(out->sql_name), "%s", e->name);
    out->unbounded = max_length < 0 || is_lob_name(e->name);
    out->max_bytes = out->unbounded ? 0 : (uint32_t)max_length;
    out->utc_adjusted = false;
    switch (e->kind) {
    case TM_BIT: out->type = BATCH_BOOL; break;
    case TM_TINYINT: /* 0..255 does not fit Spark's signed byte: short, as §7.2 says */
    case TM_SMALLINT: out->type = BATCH_INT16; break;
    case TM_INT: out->type = BATCH_INT32; break;
    case TM_BIGINT:
    case TM_ROWVERSION: out->type = BATCH_INT64; break;
    case TM_DECIMAL: ret = set_decimal(out, e->name, precision, scale, err); break;
    case TM_REAL: out->type = BATCH_FLOAT; break;
    case TM_FLOAT: out->type = BATCH_DOUBLE; break;
    case TM_DATE: out->type = BATCH_DATE; break;
    case TM_DATETIME:
        out->type = BATCH_TIMESTAMP;
        out->utc_adjusted = !ntz;
        break;
    case TM_DATETIMEOFFSET:
        out->type = BATCH_TIMESTAMP;
        out->utc_adjusted = true; /* an instant, whatever the NTZ option */
        break;
    case TM_TIME:
    case TM_CHAR:
    case TM_NCHAR:
    case TM_GUID:
    case TM_TEXTFORM: out->type = BATCH_STRING; break;
    case TM_BINARY: out->type = BATCH_BINARY; break;
    }
out:
    return ret;
}

int typemap_select_expr(struct buf *out, const char *type_name, const char *prefix,
                        const char *quoted)
{
    const char *p = prefix ? prefix : "";

    if (strcasecmp(type_name, "hierarchyid") == 0)
        return buf_appendf(out, "%s%s.ToString() AS %s", p, quoted, quoted);
    if (strcasecmp(type_name, "geometry") == 0 || strcasecmp(type_name, "geography") == 0)
        return buf_appendf(out, "%s%s.STAsBinary() AS %s", p, quoted, quoted);
    if (strcasecmp(type_name, "sql_variant") == 0 || strcasecmp(type_name, "json") == 0)
        return buf_appendf(out, "CONVERT(nvarchar(max), %s%s) AS %s", p, quoted, quoted);
    return buf_appendf(out, "%s%s", p, quoted);
}

size_t typemap_bind_width(const struct typemap_col *c)
{
    if (c->unbounded)
        return 0;
    switch (c->kind) {
    case TM_DECIMAL:
    case TM_DATETIME:
    case TM_DATETIMEOFFSET:
    case TM_TIME: return TM_TEXT_WIDTH;
    case TM_GUID: return 16;
    /* Bound as UTF-16: a code-page byte or UTF-8 byte is at most one unit. */
    case TM_CHAR: return ((size_t)c->max_bytes + 1) * 2;
    case TM_NCHAR: return (size_t)c->max_bytes + 2;
    case TM_BINARY: return c->max_bytes ? c->max_bytes : 1;
    case TM_ROWVERSION: return 8;
    default: return 0;
    }
}

/* ---- parsers ---------------------------------------------------------- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Read exactly k digits at s[*i]. */
static bool digits(const char *s, size_t n, size_t *i, unsigned k, unsigned *v)
{
    unsigned r = 0;
    if (*i + k > n)
        return false;
    for (unsigned j = 0; j < k; j++) {
        char c = s[*i + j];
        if (!is_digit(c))
            return false;
        r = r * 10 + (unsigned)(c - '0');
    }
    *i += k;
    *v = r;
    return true;
}

static bool expect(const char *s, size_t n, size_t *i, char c)
{
    if (*i >= n || s[*i] != c)
        return false;
    (*i)++;
    return true;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
    static const unsigned dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

/* Trailing blanks (char-padded text) are ignored by every parser. */
static size_t trim_right(const char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\0'))
        n--;
    return n;
}

int typemap_parse_decimal(const char *s, size_t n, unsigned precision, unsigned scale,
                          __int128 *out)
{
    size_t i = 0;
    bool neg = false, any = false;
    unsigned int_digits = 0, frac_digits = 0;
    __int128 v = 0;

    n = trim_right(s, n);
    while (i < n && s[i] == ' ')
        i++;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    while (i < n && s[i] == '0') { /* leading zeros are not significant */
        i++;
        any = true;
    }
    for (; i < n && is_digit(s[i]); i++, any = true) {
        if (++int_digits > precision - scale)
            return SL_ECONVERT;
        v = v * 10 + (s[i] - '0');
    }
    if (i < n && s[i] == '.') {
        for (i++; i < n && is_digit(s[i]); i++, any = true) {
            if (frac_digits < scale) {
                v = v * 10 + (s[i] - '0');
                frac_digits++;
            } else if (s[i] != '0') {
                return SL_ECONVERT; /* would need rounding: refuse */
            }
        }
    }
    if (!any || i != n)
        return SL_ECONVERT;
    for (; frac_digits < scale; frac_digits++)
        v *= 10;
    *out = neg ? -v : v;
    return 0;
}

static bool parse_date_at(const char *s, size_t n, size_t *i, int64_t *days)
{
    unsigned y = 0, m, d, k = 0;
    /* FreeTDS formats years with strftime's %Y, which glibc does not pad:
     * 0001-01-01 arrives as "1-01-01". Accept 1 to 4 digits. */
    for (; *i < n && k < 4 && is_digit(s[*i]); (*i)++, k++)
        y = y * 10 + (unsigned)(s[*i] - '0');
    if (k == 0 || !expect(s, n, i, '-') || !digits(s, n, i, 2, &m) ||
        !expect(s, n, i, '-') || !digits(s, n, i, 2, &d))
        return false;
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return false;
    *days = civil_days_from(y, m, d);
    return true;
}

/* hh:mm:ss[.f{1,9}] → seconds of day and 100 ns units (fraction digits
 * past the 7th must be zero; SQL Server has none). */
static bool parse_time_at(const char *s, size_t n, size_t *i, unsigned *secs, unsigned *frac7)
{
    unsigned h, mi, se, f = 0, k = 0;
    if (!digits(s, n, i, 2, &h) || !expect(s, n, i, ':') || !digits(s, n, i, 2, &mi) ||
        !expect(s, n, i, ':') || !digits(s, n, i, 2, &se))
        return false;
    if (h > 23 || mi > 59 || se > 59)
        return false;
    if (*i < n && s[*i] == '.') {
        (*i)++;
        for (; *i < n && is_digit(s[*i]); (*i)++, k++) {
            if (k < 7)
                f = f * 10 + (unsigned)(s[*i] - '0');
            else if (s[*i] != '0')
                return false;
        }
    }
    for (; k < 7; k++)
        f *= 10;
    *secs = h * 3600 + mi * 60 + se;
    *frac7 = f;
    return true;
}

int typemap_parse_datetime(const char *s, size_t n, bool with_offset, int64_t *micros)
{
    size_t i = 0;
    int64_t days, v;
    unsigned secs, frac7, oh, om;
    int sign = 1;

    n = trim_right(s, n);
    if (!parse_date_at(s, n, &i, &days))
        return SL_ECONVERT;
    if (i >= n || (s[i] != ' ' && s[i] != 'T'))
        return SL_ECONVERT;
    i++;
    if (!parse_time_at(s, n, &i, &secs, &frac7))
        return SL_ECONVERT;
    /* floor(100 ns → µs): frac7 is non-negative and added to the seconds. */
    v = days * 86400 * INT64_C(1000000) + (int64_t)secs * 1000000 + frac7 / 10;
    if (with_offset) {
        while (i < n && s[i] == ' ')
            i++;
        if (i >= n || (s[i] != '+' && s[i] != '-'))
            return SL_ECONVERT;
        sign = s[i++] == '-' ? -1 : 1;
        if (!digits(s, n, &i, 2, &oh) || !expect(s, n, &i, ':') || !digits(s, n, &i, 2, &om))
            return SL_ECONVERT;
        if (om > 59 || oh * 60 + om > 14 * 60)
            return SL_ECONVERT;
        v -= sign * (int64_t)(oh * 60 + om) * 60 * 1000000;
    }
    if (i != n)
        return SL_ECONVERT;
    *micros = v;
    return 0;
}

int typemap_parse_date(const char *s, size_t n, int32_t *days)
{
    size_t i = 0;
    int64_t d;

    n = trim_right(s, n);
    if (!parse_date_at(s, n, &i, &d) || i != n)
        return SL_ECONVERT;
    *days = (int32_t)d;
    return 0;
}

int typemap_parse_time(const char *s, size_t n, char out[17])
{
    size_t i = 0;
    unsigned secs, frac7;

    n = trim_right(s, n);
    if (!parse_time_at(s, n, &i, &secs, &frac7) || i != n)
        return SL_ECONVERT;
    /* Written by hand: the values are range-checked, which snprintf's
     * truncation analysis cannot see. */
    unsigned parts[3] = {secs / 3600, secs / 60 % 60, secs % 60};
    for (int k = 0; k < 3; k++) {
        out[k * 3] = (char)('0' + parts[k] / 10);
        out[k * 3 + 1] = (char)('0' + parts[k] % 10);
        out[k * 3 + 2] = k < 2 ? ':' : '.';
    }
    for (int k = 15; k >= 9; k--, frac7 /= 10)
        out[k] = (char)('0' + frac7 % 10);
    out[16] = 0;
    return 0;
}

int typemap_parse_guid(const char *s, size_t n, char out[37])
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i = 0, o = 0;

    n = trim_right(s, n);
    if (n == 38 && s[0] == '{' && s[37] == '}') {
        s++;
        n = 36;
    }
    if (n != 36)
        return SL_ECONVERT;
    for (i = 0; i < 36; i++) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return SL_ECONVERT;
            out[o++] = '-';
        } else if (is_digit(c)) {
            out[o++] = c;
        } else if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
            out[o++] = hex[(c | 0x20) - 'a' + 10];
        } else {
            return SL_ECONVERT;
        }
    }
    out[36] = 0;
    return 0;
}

void typemap_format_guid(const uint8_t b[16], char out[37])
{
    static const char hex[] = "0123456789ABCDEF";
    /* Data1, Data2, Data3 little-endian, then Data4's 8 bytes in order. */
    static const uint8_t order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    size_t o = 0;
    for (size_t k = 0; k < 16; k++) {
        if (k == 4 || k == 6 || k == 8 || k == 10)
            out[o++] = '-';
        out[o++] = hex[b[order[k]] >> 4];
        out[o++] = hex[b[order[k]] & 15];
    }
    out[36] = 0;
}

int64_t typemap_rowversion(const uint8_t b[8])
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | b[i];
    return (int64_t)v;
}
