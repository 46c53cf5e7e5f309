/*
 * typename: SQL Server type names and catalog facts.
 *
 * Owns: parsing a declared type ("DECIMAL ( 10 , 2 )", "nvarchar(max)",
 * "national character varying(20)", "sysname") with SQL Server's defaults
 * and limits, printing it back, sys.types/sys.columns facts and the data
 * type precedence used for implicit conversion.
 */
#include "value/value.h"

#include <stdio.h>
#include <string.h>

struct type_row {
    const char *name;
    enum tl_type_id id;
    int system_type_id;
    int precedence; /* higher wins an implicit conversion */
};

/* Indexed by enum tl_type_id. Precedence from "Data type precedence
 * (Transact-SQL)": sql_variant, xml, datetimeoffset, datetime2, datetime,
 * smalldatetime, date, time, float, real, decimal, money, smallmoney,
 * bigint, int, smallint, tinyint, bit, ntext, text, image, timestamp,
 * uniqueidentifier, nvarchar, nchar, varchar, char, varbinary, binary. */
static const struct type_row types[TL_T_COUNT_] = {
    [TL_T_UNKNOWN] = {"unknown", TL_T_UNKNOWN, 0, 0},
    [TL_T_BIT] = {"bit", TL_T_BIT, 104, 12},
    [TL_T_TINYINT] = {"tinyint", TL_T_TINYINT, 48, 13},
    [TL_T_SMALLINT] = {"smallint", TL_T_SMALLINT, 52, 14},
    [TL_T_INT] = {"int", TL_T_INT, 56, 15},
    [TL_T_BIGINT] = {"bigint", TL_T_BIGINT, 127, 16},
    [TL_T_DECIMAL] = {"decimal", TL_T_DECIMAL, 106, 19},
    [TL_T_NUMERIC] = {"numeric", TL_T_NUMERIC, 108, 19},
    [TL_T_MONEY] = {"money", TL_T_MONEY, 60, 18},
    [TL_T_SMALLMONEY] = {"smallmoney", TL_T_SMALLMONEY, 122, 17},
    [TL_T_REAL] = {"real", TL_T_REAL, 59, 20},
    [TL_T_FLOAT] = {"float", TL_T_FLOAT, 62, 21},
    [TL_T_DATE] = {"date", TL_T_DATE, 40, 23},
    [TL_T_TIME] = {"time", TL_T_TIME, 41, 22},
    [TL_T_DATETIME] = {"datetime", TL_T_DATETIME, 61, 25},
    [TL_T_SMALLDATETIME] = {"smalldatetime", TL_T_SMALLDATETIME, 58, 24},
    [TL_T_DATETIME2] = {"datetime2", TL_T_DATETIME2, 42, 26},
    [TL_T_DATETIMEOFFSET] = {"datetimeoffset", TL_T_DATETIMEOFFSET, 43, 27},
    [TL_T_CHAR] = {"char", TL_T_CHAR, 175, 3},
    [TL_T_VARCHAR] = {"varchar", TL_T_VARCHAR, 167, 4},
    [TL_T_NCHAR] = {"nchar", TL_T_NCHAR, 239, 5},
    [TL_T_NVARCHAR] = {"nvarchar", TL_T_NVARCHAR, 231, 6},
    [TL_T_TEXT] = {"text", TL_T_TEXT, 35, 10},
    [TL_T_NTEXT] = {"ntext", TL_T_NTEXT, 99, 11},
    [TL_T_BINARY] = {"binary", TL_T_BINARY, 173, 1},
    [TL_T_VARBINARY] = {"varbinary", TL_T_VARBINARY, 165, 2},
    [TL_T_IMAGE] = {"image", TL_T_IMAGE, 34, 9},
    [TL_T_UNIQUEIDENTIFIER] = {"uniqueidentifier", TL_T_UNIQUEIDENTIFIER, 36, 7},
    [TL_T_XML] = {"xml", TL_T_XML, 241, 28},
    [TL_T_ROWVERSION] = {"timestamp", TL_T_ROWVERSION, 189, 8},
    [TL_T_SQL_VARIANT] = {"sql_variant", TL_T_SQL_VARIANT, 98, 29},
};

/* Spellings beyond the base names (normalised: lowercase, single spaces). */
static const struct {
    const char *name;
    enum tl_type_id id;
} aliases[] = {
    {"integer", TL_T_INT},
    {"dec", TL_T_DECIMAL},
    {"double precision", TL_T_FLOAT},
    {"character", TL_T_CHAR},
    {"char varying", TL_T_VARCHAR},
    {"character varying", TL_T_VARCHAR},
    {"national character", TL_T_NCHAR},
    {"national char", TL_T_NCHAR},
    {"national character varying", TL_T_NVARCHAR},
    {"national char varying", TL_T_NVARCHAR},
    {"nchar varying", TL_T_NVARCHAR},
    {"national text", TL_T_NTEXT},
    {"binary varying", TL_T_VARBINARY},
    {"rowversion", TL_T_ROWVERSION},
    {"sysname", TL_T_NVARCHAR},
};

const char *value_type_base_name(enum tl_type_id id)
{
    return id > TL_T_UNKNOWN && id < TL_T_COUNT_ ? types[id].name : "unknown";
}

int value_type_system_type_id(enum tl_type_id id)
{
    return id > TL_T_UNKNOWN && id < TL_T_COUNT_ ? types[id].system_type_id : 0;
}

int value_type_precedence(enum tl_type_id id)
{
    return id > TL_T_UNKNOWN && id < TL_T_COUNT_ ? types[id].precedence : 0;
}

static int time_bytes(int scale)
{
    return scale <= 2 ? 3 : scale <= 4 ? 4 : 5;
}

int value_type_max_length(const struct tl_type *t)
{
    switch (t->id) {
    case TL_T_BIT:
    case TL_T_TINYINT:
        return 1;
    case TL_T_SMALLINT:
        return 2;
    case TL_T_INT:
    case TL_T_REAL:
    case TL_T_SMALLMONEY:
    case TL_T_SMALLDATETIME:
        return 4;
    case TL_T_BIGINT:
    case TL_T_FLOAT:
    case TL_T_MONEY:
    case TL_T_DATETIME:
    case TL_T_ROWVERSION:
        return t->id == TL_T_FLOAT && t->precision && t->precision <= 24 ? 4 : 8;
    case TL_T_DECIMAL:
    case TL_T_NUMERIC:
        return t->precision <= 9 ? 5 : t->precision <= 19 ? 9 : t->precision <= 28 ? 13 : 17;
    case TL_T_DATE:
        return 3;
    case TL_T_TIME:
        return time_bytes(t->scale);
    case TL_T_DATETIME2:
        return time_bytes(t->scale) + 3;
    case TL_T_DATETIMEOFFSET:
        return time_bytes(t->scale) + 5;
    case TL_T_CHAR:
    case TL_T_VARCHAR:
    case TL_T_BINARY:
    case TL_T_VARBINARY:
        return t->length == TL_MAX ? -1 : t->length;
    case TL_T_NCHAR:
    case TL_T_NVARCHAR:
        return t->length == TL_MAX ? -1 : 2 * t->length;
    case TL_T_TEXT:
    case TL_T_NTEXT:
    case TL_T_IMAGE:
    case TL_T_UNIQUEIDENTIFIER:
        return 16;
    case TL_T_XML:
        return -1;
    case TL_T_SQL_VARIANT:
        return 8016;
    default:
        return 0;
    }
}

void value_type_name(const struct tl_type *t, char *out, size_t cap)
{
    const char *b = value_type_base_name(t->id);
    switch (t->id) {
    case TL_T_DECIMAL:
    case TL_T_NUMERIC:
        snprintf(out, cap, "%s(%u,%u)", b, t->precision, t->scale);
        break;
    case TL_T_FLOAT:
        snprintf(out, cap, "%s", t->precision && t->precision <= 24 ? "real" : "float");
        break;
    case TL_T_TIME:
    case TL_T_DATETIME2:
    case TL_T_DATETIMEOFFSET:
        snprintf(out, cap, "%s(%u)", b, t->scale);
        break;
    case TL_T_CHAR:
    case TL_T_VARCHAR:
    case TL_T_NCHAR:
    case TL_T_NVARCHAR:
    case TL_T_BINARY:
    case TL_T_VARBINARY:
        if (t->length == TL_MAX)
            snprintf(out, cap, "%s(max)", b);
        else
            snprintf(out, cap, "%s(%ld)", b, (long)t->length);
        break;
    default:
        snprintf(out, cap, "%s", b);
        break;
    }
}

/* Normalise the name part: lowercase, brackets dropped, "sys." prefix
 * dropped, runs of blanks as one space. Returns the length written. */
static size_t norm_name(const char *s, size_t n, size_t *consumed, char *out, size_t cap)
{
    size_t i = 0, o = 0;
    bool sp = false;
    while (i < n && s[i] != '(') {
        char c = s[i++];
        if (c == '[' || c == ']')
            continue;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            sp = o > 0;
            continue;
        }
        if (sp && o + 1 < cap)
            out[o++] = ' ';
        sp = false;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (o + 1 < cap)
            out[o++] = c;
    }
    out[o] = 0;
    *consumed = i;
    if (o > 4 && memcmp(out, "sys.", 4) == 0) {
        memmove(out, out + 4, o - 3);
        o -= 4;
    }
    return o;
}

/* Arguments "(a)" / "(a,b)" / "(max)": nargs 0..2, *is_max. -1 if bad. */
static int parse_args(const char *s, size_t n, long *a, long *b, bool *is_max)
{
    size_t i = 0;
    int nargs = 0;
    *is_max = false;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i == n)
        return 0;
    if (s[i++] != '(')
        return -1;
    for (;;) {
        long v = 0;
        bool dig = false;
        while (i < n && s[i] == ' ')
            i++;
        if (nargs == 0 && i + 3 <= n && (s[i] | 32) == 'm' && (s[i + 1] | 32) == 'a' &&
            (s[i + 2] | 32) == 'x') {
            *is_max = true;
            i += 3;
        } else {
            while (i < n && s[i] >= '0' && s[i] <= '9') {
                if (v < 100000000)
                    v = v * 10 + (s[i] - '0');
                dig = true;
                i++;
            }
            if (!dig)
                return -1;
        }
        *(nargs == 0 ? a : b) = v;
        nargs++;
        while (i < n && s[i] == ' ')
            i++;
        if (i < n && s[i] == ',' && nargs == 1 && !*is_max) {
            i++;
            continue;
        }
        break;
    }
    if (i >= n || s[i++] != ')')
        return -1;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i == n ? nargs : -1;
}

static enum tl_type_id lookup(const char *name)
{
    for (int id = 1; id < TL_T_COUNT_; id++)
        if (strcmp(types[id].name, name) == 0)
            return (enum tl_type_id)id;
    for (size_t k = 0; k < sizeof aliases / sizeof aliases[0]; k++)
        if (strcmp(aliases[k].name, name) == 0)
            return aliases[k].id;
    return TL_T_UNKNOWN;
}

static int apply_args(struct tl_type *t, const char *name, int nargs, long a, long b, bool is_max,
                      struct value_error *e)
{
    switch (t->id) {
    case TL_T_DECIMAL:
    case TL_T_NUMERIC:
        if (is_max || (nargs >= 1 && (a < 1 || a > 38))) {
            value_error_set(e, 2750, "Column or parameter #1: Specified column precision %ld is "
                                     "greater than the maximum precision of 38.", a);
            return -1;
        }
        t->precision = (uint8_t)(nargs >= 1 ? a : 18);
        t->scale = (uint8_t)(nargs == 2 ? b : 0);
        if (nargs == 2 && b > a) {
            value_error_set(e, 2751, "Column or parameter #1: Specified column scale %ld is greater "
                                     "than the specified precision of %ld.", b, a);
            return -1;
        }
        return 0;
    case TL_T_FLOAT:
        if (nargs == 2 || is_max || (nargs == 1 && (a < 1 || a > 53))) {
            value_error_set(e, 2750, "Column or parameter #1: Specified column precision %ld is "
                                     "greater than the maximum precision of 53.", a);
            return -1;
        }
        if (nargs == 1 && a <= 24) {
            t->id = TL_T_REAL;
            t->precision = 24;
        } else {
            t->precision = 53;
        }
        return 0;
    case TL_T_TIME:
    case TL_T_DATETIME2:
    case TL_T_DATETIMEOFFSET:
        if (nargs == 2 || is_max || (nargs == 1 && a > 7)) {
            value_error_set(e, 1002, "Line 1: Specified scale %ld is invalid.", a);
            return -1;
        }
        t->scale = (uint8_t)(nargs == 1 ? a : 7);
        return 0;
    case TL_T_CHAR:
    case TL_T_VARCHAR:
    case TL_T_NCHAR:
    case TL_T_NVARCHAR:
    case TL_T_BINARY:
    case TL_T_VARBINARY: {
        long lim = (t->id == TL_T_NCHAR || t->id == TL_T_NVARCHAR) ? 4000 : 8000;
        if (nargs == 2 ||
            (is_max && (t->id == TL_T_CHAR || t->id == TL_T_NCHAR || t->id == TL_T_BINARY))) {
            value_error_set(e, 2716, "Column, parameter, or variable #1: Cannot specify a column width "
                                     "on data type %s.", name);
            return -1;
        }
        if (nargs == 1 && !is_max && a < 1) {
            value_error_set(e, 1001, "Line 1: Length or precision specification %ld is invalid.", a);
            return -1;
        }
        if (nargs == 1 && !is_max && a > lim) {
            value_error_set(e, 131, "The size (%ld) given to the type '%s' exceeds the maximum "
                                    "allowed for any data type (%ld).", a, name, lim);
            return -1;
        }
        t->length = is_max ? TL_MAX : nargs == 1 ? (int32_t)a : 1;
        return 0;
    }
    case TL_T_REAL:
        t->precision = 24;
        break;
    default:
        break;
    }
    if (nargs != 0) {
        value_error_set(e, 2716, "Column, parameter, or variable #1: Cannot specify a column width "
                                     "on data type %s.", name);
        return -1;
    }
    return 0;
}

int value_parse_type(const char *text, size_t len, struct tl_type *out, struct value_error *e)
{
    char name[64];
    size_t used, nlen;
    long a = 0, b = 0;
    bool is_max = false;
    int nargs;
    struct tl_type t = {TL_T_UNKNOWN, 0, 0, 0};

    nlen = norm_name(text, len, &used, name, sizeof name);
    t.id = nlen ? lookup(name) : TL_T_UNKNOWN;
    if (t.id == TL_T_UNKNOWN) {
        value_error_set(e, 2715, "Column, parameter, or variable #1: Cannot find data type %s.",
                        name);
        return -1;
    }
    nargs = parse_args(text + used, len - used, &a, &b, &is_max);
    if (nargs < 0) {
        value_error_set(e, 102, "Incorrect syntax near '%s'.", name);
        return -1;
    }
    if (strcmp(name, "sysname") == 0) {
        if (nargs) {
            value_error_set(e, 2716, "Column, parameter, or variable #1: Cannot specify a column width "
                                     "on data type %s.", name);
            return -1;
        }
        t.length = 128;
        *out = t;
        return 0;
    }
    if (t.id == TL_T_FLOAT && strcmp(name, "double precision") == 0 && nargs) {
        value_error_set(e, 102, "Incorrect syntax near '%s'.", "(");
        return -1;
    }
    if (apply_args(&t, types[t.id].name, nargs, a, b, is_max, e) != 0)
        return -1;
    *out = t;
    return 0;
}
