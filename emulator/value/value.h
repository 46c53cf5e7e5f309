/*
 * value: SQL Server value semantics for tdslite, on the canonical forms
 * documented in ../sqltype.h. Pure functions, no SQLite here except in
 * value_register_sqlite(), which exposes them to SQL.
 *
 * Owns: parsing and printing type names ("decimal(10,2)", "nvarchar(max)"),
 * conversion between types with SQL Server's rules and error numbers
 * (CAST/CONVERT, implicit conversion on INSERT/UPDATE, truncation), the
 * exact decimal, date and time primitives that the TDS layer uses to go
 * between canonical text and wire encodings, comparison, and the
 * deterministic data generator.
 */
#ifndef TL_VALUE_H
#define TL_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "sqltype.h"

/* A conversion error as SQL Server reports it. */
struct value_error {
    int32_t number;   /* 245, 8114, 8115, 241, 242, 8152, 2628, 9450, 8169, ... */
    uint8_t severity; /* 16 for the above */
    uint8_t state;
    char text[400];   /* SQL Server's message text with the values filled in */
};

/* Fill e (if not NULL) with number, severity 16, state 1 and the text. */
void value_error_set(struct value_error *e, int32_t number, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Status codes of the _ex parsers and arithmetic below (0 = success). */
enum {
    VALUE_EBAD = -1,     /* malformed text */
    VALUE_ERANGE = -2,   /* well-formed but out of the type's range / overflow */
    VALUE_EDIVZERO = -3, /* decimal division by zero */
    VALUE_EEMPTY = -4,   /* blank text where a date/time was expected */
};

/* ---- type names ---- */

/* Parse "int", "DECIMAL ( 10 , 2 )", "nvarchar(max)", "datetime2(3)",
 * "float(24)" (= real), "numeric", "sysname" (= nvarchar(128)) ... applying
 * SQL Server's defaults (decimal -> (18,0), varchar -> (1), datetime2 -> (7),
 * float -> 53). Returns 0, or -1 with e filled (Msg 2715 "Column, parameter,
 * or variable #n: Cannot find data type x." is the caller's to number). */
int value_parse_type(const char *text, size_t len, struct tl_type *out, struct value_error *e);
/* "decimal(10,2)", "nvarchar(max)", "int" into out (NUL-terminated). */
void value_type_name(const struct tl_type *t, char *out, size_t cap);
/* The sys.types / sys.columns facts of a type. */
const char *value_type_base_name(enum tl_type_id id);      /* "decimal" */
int value_type_system_type_id(enum tl_type_id id);          /* sys.types.system_type_id: int=56 ... */
int value_type_max_length(const struct tl_type *t);         /* sys.columns.max_length: bytes, -1 for max */
/* Data type precedence: the operand with the higher number is converted to
 * (sql_variant 29 > xml > datetimeoffset > datetime2 > datetime >
 * smalldatetime > date > time > float > real > decimal = numeric > money >
 * smallmoney > bigint > int > smallint > tinyint > bit > ntext > text >
 * image > timestamp > uniqueidentifier > nvarchar > nchar > varchar > char >
 * varbinary > binary 1). 0 for TL_T_UNKNOWN. */
int value_type_precedence(enum tl_type_id id);

/* ---- conversion ---- */

/*
 * Convert `in` (canonical form of type `from`; from may be NULL or
 * TL_T_UNKNOWN, then the storage class decides: INT -> int/bigint, REAL ->
 * float, TEXT -> varchar, BLOB -> varbinary) to type `to`, with CONVERT
 * style `style` (-1 = CAST / implicit). Result bytes live in arena a.
 * `explicit_cast`: CAST/CONVERT truncate strings silently; implicit
 * conversion on INSERT/UPDATE raises 2628 (8152 before SQL Server 2019 —
 * we raise 2628, naming table and column from ctx_table/ctx_column when
 * given). NULL converts to NULL. Returns 0 or -1 with e filled.
 */
int value_convert(const struct tl_value *in, const struct tl_type *from, const struct tl_type *to,
                  int style, bool explicit_cast, const char *ctx_table, const char *ctx_column,
                  struct arena *a, struct tl_value *out, struct value_error *e);

/* SQL Server comparison of two values of the given types: <0, 0, >0;
 * -2 if not comparable (e set, e.g. 245). NULLs are the caller's concern. */
int value_compare(const struct tl_value *x, const struct tl_type *tx, const struct tl_value *y,
                  const struct tl_type *ty, struct value_error *e);

/* ---- exact primitives used by the TDS layer ---- */

/* Decimal: unscaled 128-bit magnitude and sign, e.g. "-123.45" scale 2 -> neg, 12345. */
struct value_decimal {
    unsigned __int128 mag;
    bool neg;
    uint8_t scale;
};
/* Parse canonical (or any plain decimal) text at `scale`, rounding half away
 * from zero; -1 on overflow of 38 digits or bad text. */
int value_decimal_parse(const char *s, size_t n, uint8_t scale, struct value_decimal *out);
/* Print canonical text into out (>= 42 bytes). Returns length. */
size_t value_decimal_format(const struct value_decimal *d, char *out);
/* Like value_decimal_parse, telling VALUE_EBAD from VALUE_ERANGE (more than
 * 38 digits); allow_exponent accepts "1.5e-3" (float text, not T-SQL
 * decimal literals). Leading/trailing blanks and a '+' are accepted. */
int value_decimal_parse_ex(const char *s, size_t n, uint8_t scale, bool allow_exponent,
                           struct value_decimal *out);
/* Parse at the scale the text itself has ("1.50" -> scale 2). */
int value_decimal_parse_auto(const char *s, size_t n, struct value_decimal *out);
/* Change the scale in place, rounding half away from zero (or truncating
 * toward zero). VALUE_ERANGE if more than 38 digits would result. */
int value_decimal_rescale(struct value_decimal *d, uint8_t scale, bool truncate);
/* True when d has at most `precision` digits (mag < 10^precision). */
bool value_decimal_fits(const struct value_decimal *d, uint8_t precision);
/* Numeric comparison across scales: <0, 0, >0. */
int value_decimal_cmp(const struct value_decimal *a, const struct value_decimal *b);
void value_decimal_from_i64(int64_t v, struct value_decimal *out);
/* To int64 at scale 0 (rounded or truncated); VALUE_ERANGE if it does not fit. */
int value_decimal_to_i64(const struct value_decimal *d, bool truncate, int64_t *out);
double value_decimal_to_double(const struct value_decimal *d);
/* 10^n for n 0..38. */
unsigned __int128 value_decimal_pow10(int n);

enum value_dec_op { VALUE_DEC_ADD, VALUE_DEC_SUB, VALUE_DEC_MUL, VALUE_DEC_DIV };
/*
 * SQL Server's result type of `e1 op e2` for decimal(p1,s1), decimal(p2,s2):
 *   + -  s = max(s1,s2), p = s + max(p1-s1, p2-s2) + 1
 *   *    s = s1 + s2,    p = p1 + p2 + 1
 *   /    s = max(6, s1 + p2 + 1), p = p1 - s1 + s2 + s
 * and when p > 38: p = 38, and the scale shrinks so the integral part
 * (p - s) survives: + and - keep s >= min(s, 6); * and / take
 * s = min(s, 38 - (p - s)) when the integral part is below 32 digits,
 * otherwise s = min(s, 6).
 * Integer operands count as decimal(10,0) (int), (19,0) (bigint), (5,0)
 * (smallint), (3,0) (tinyint); money as (19,4).
 */
void value_decimal_result_type(enum value_dec_op op, int p1, int s1, int p2, int s2, int *p,
                               int *s);
/* out = a op b exactly, at (precision, scale): +, - and * round half away
 * from zero to the scale, / truncates (as SQL Server does). Returns 0,
 * VALUE_ERANGE (does not fit precision: Msg 8115) or VALUE_EDIVZERO
 * (Msg 8134). */
int value_decimal_arith(enum value_dec_op op, const struct value_decimal *a,
                        const struct value_decimal *b, uint8_t precision, uint8_t scale,
                        struct value_decimal *out);

/* Days since 0001-01-01 (proleptic Gregorian) <-> y/m/d. */
int32_t value_days_from_civil(int y, int m, int d);
void value_civil_from_days(int32_t days, int *y, int *m, int *d);

/* Broken-down date/time with 100 ns fraction and offset in minutes. */
struct value_datetime {
    int year, month, day;
    int hour, minute, second;
    uint32_t frac100ns; /* 0..9999999 */
    int16_t offset_min; /* datetimeoffset only */
};
/* Parse canonical text of a date/time type id (and the common input forms
 * SQL Server accepts for it: 'YYYYMMDD', 'YYYY-MM-DDThh:mm:ss.fffZ', ...). */
int value_datetime_parse(enum tl_type_id id, const char *s, size_t n, struct value_datetime *out);
/* Print canonical text for type t (scale from t) into out (>= 40 bytes).
 * Does not round: call value_datetime_round first (extra digits are cut). */
size_t value_datetime_format(const struct tl_type *t, const struct value_datetime *dt, char *out);

/* Flags reported by value_datetime_parse_ex. */
enum {
    VALUE_DT_HAS_DATE = 0x01,
    VALUE_DT_HAS_TIME = 0x02,
    VALUE_DT_HAS_OFFSET = 0x04, /* 'Z' or +hh:mm given (offset_min set) */
    VALUE_DT_ZULU = 0x08,
    VALUE_DT_ISO_T = 0x10,      /* 'T' between date and time */
    VALUE_DT_FRAC_GT3 = 0x20,   /* more than 3 fraction digits (datetime refuses) */
    VALUE_DT_LONG_FRAC = 0x40,  /* more than 7 fraction digits (all refuse) */
};
/* Parse any accepted string form without applying a type: dmy selects
 * d/m/y for "01/02/2020" (styles 103-105), else m/d/y (us_english).
 * Missing date = 1900-01-01, missing time = midnight; fraction kept to
 * 100 ns (cut beyond). Returns 0, VALUE_EBAD, VALUE_ERANGE (fields out of
 * range, e.g. Feb 30) or VALUE_EEMPTY (blank text). */
int value_datetime_parse_ex(const char *s, size_t n, bool dmy, struct value_datetime *out,
                            unsigned *flags);
/* Round dt to type t (datetime: 1/300 s ticks kept as .000/.003/.007 ms;
 * smalldatetime: minute, up from 29.999 s; time/datetime2/datetimeoffset:
 * half up at the scale's digit; date: drop time) carrying into the next
 * day, and check the type's range (time wraps at midnight). Returns 0 or
 * VALUE_ERANGE. */
int value_datetime_round(const struct tl_type *t, struct value_datetime *dt);
/* datetimeoffset: local time minus offset (utc->offset_min = 0), and back. */
void value_datetime_to_utc(const struct value_datetime *local, struct value_datetime *utc);
void value_datetime_from_utc(const struct value_datetime *utc, int16_t offset_min,
                             struct value_datetime *local);
/* Time of day in 10^-scale s units (time(n) on the wire); the fraction is
 * cut, not rounded. */
uint64_t value_time_to_units(const struct value_datetime *dt, int scale);
void value_time_from_units(uint64_t units, int scale, struct value_datetime *dt);
/* datetime on the wire: days since 1900-01-01 and 1/300 s ticks, rounded to
 * the nearest tick (12:34:56.123 -> 13588837; 23:59:59.999 -> next day). */
void value_datetime_to_ticks(const struct value_datetime *dt, int32_t *days1900, uint32_t *ticks);
void value_datetime_from_ticks(int32_t days1900, uint32_t ticks, struct value_datetime *dt);
/* (days since 0001-01-01, 100 ns units of the day) <-> fields; join
 * normalises units >= one day. offset_min untouched by join. */
void value_datetime_split(const struct value_datetime *dt, int32_t *days, uint64_t *units);
void value_datetime_join(int32_t days, uint64_t units, struct value_datetime *dt);
int value_days_in_month(int y, int m);

/* uniqueidentifier: 36-char text <-> 16 bytes in *wire* (mixed-endian) order. */
int value_guid_to_wire(const char *s, size_t n, uint8_t out[16]);
void value_guid_from_wire(const uint8_t in[16], char out[37]);
/* SQL Server's uniqueidentifier order on wire bytes (last 6 bytes first). */
int value_guid_compare(const uint8_t a[16], const uint8_t b[16]);

/* ---- xml ---- */

struct buf;
/* Parse xml text (UTF-8, a fragment allowed) and append to out the text
 * SQL Server gives back for it: <e /> for an empty element, attributes in
 * double quotes, references resolved and re-escaped, CDATA as text,
 * whitespace-only text dropped (unless xml:space="preserve"), the XML
 * declaration removed. Returns 0, or -1 with e filled (Msg 9400 "XML
 * parsing: line 1, character 4, unexpected end of input" and the other 94xx
 * parser messages, 6359 for a DTD); out may then hold a partial result. */
int value_xml_normalize(const uint8_t *s, size_t n, struct buf *out, struct value_error *e);

/* ---- collation ---- */

/* SQL_Latin1_General_CP1_CI_AS-like comparison of UTF-8 strings: case
 * folded (ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic), accents
 * significant, trailing spaces ignored; otherwise code point order (so
 * punctuation sorts by code point, not by SQL Server's dictionary order). */
int value_text_compare_ci(const uint8_t *a, size_t an, const uint8_t *b, size_t bn);
/* Windows-1252 (varchar's code page): byte -> code point, and code point ->
 * byte or -1 when not representable (SQL Server then stores '?'). */
int32_t value_cp1252_to_unicode(uint8_t b);
int value_cp1252_from_unicode(int32_t cp);
/* Length of UTF-8 s in declared-length units: UTF-16 code units when
 * utf16 (nchar/nvarchar), else characters (= CP1252 bytes for varchar). */
size_t value_text_units(const uint8_t *s, size_t n, bool utf16);
/* Bytes of the longest prefix of s holding at most max_units units (never
 * splits a character or a surrogate pair). */
size_t value_text_prefix(const uint8_t *s, size_t n, size_t max_units, bool utf16);

/* ---- date functions (DATEADD, DATEDIFF, DATEPART) ---- */

enum value_datepart {
    VALUE_DP_YEAR, VALUE_DP_QUARTER, VALUE_DP_MONTH, VALUE_DP_DAYOFYEAR, VALUE_DP_DAY,
    VALUE_DP_WEEK, VALUE_DP_WEEKDAY, VALUE_DP_HOUR, VALUE_DP_MINUTE, VALUE_DP_SECOND,
    VALUE_DP_MILLISECOND, VALUE_DP_MICROSECOND, VALUE_DP_NANOSECOND, VALUE_DP_TZOFFSET,
    VALUE_DP_ISO_WEEK,
};
/* "yy", "month", "mcs" ... (case-insensitive) -> part; -1 if unknown
 * (Msg 155 "'x' is not a recognized dateadd option." is the caller's). */
int value_datepart_parse(const char *s, size_t n, enum value_datepart *out);
/* The type SQL Server gives an untyped date/time string: datetime, or
 * datetimeoffset(7) with an offset, time(7) with no date, datetime2(7) with
 * more than 3 fraction digits. Engines should pass the real type instead. */
void value_datetime_infer_type(const char *s, size_t n, struct tl_type *out);
/* DATEADD(part, n, s) for s of type t; canonical result of type t into out
 * (>= 40 bytes). Errors: 517 overflow, 9810 part not valid for the type,
 * 241 unparsable s. */
int value_dateadd(enum value_datepart part, int64_t n, const struct tl_type *t, const char *s,
                  size_t len, char *out, struct value_error *e);
/* DATEDIFF(part, a, b): boundaries crossed from a to b (SET DATEFIRST 7);
 * 535 when the result does not fit an int. */
int value_datediff(enum value_datepart part, const struct tl_type *ta, const char *a, size_t an,
                   const struct tl_type *tb, const char *b, size_t bn, int64_t *out,
                   struct value_error *e);
/* DATEPART(part, s). weekday: Sunday = 1; week: Jan 1 is in week 1. */
int value_datepart(enum value_datepart part, const struct tl_type *t, const char *s, size_t n,
                   int64_t *out, struct value_error *e);

/* ---- data generator ---- */

/*
 * Deterministic value for (seed, row, column) of type t: same inputs, same
 * value, on every machine. Covers the whole domain over many rows (NULLs at
 * ~5% when nullable, extremes now and then). Result bytes in arena a.
 */
void value_generate(const struct tl_type *t, bool nullable, uint64_t seed, uint64_t row,
                    uint32_t column, struct arena *a, struct tl_value *out);

/* ---- SQL exposure ---- */

/*
 * Register on a SQLite connection (void * is sqlite3 *) the functions the
 * engine's generated SQL calls, all on canonical values; NULL in gives NULL
 * out unless noted. Returns 0 (SQLITE_OK) or a SQLite error code.
 *
 * ERROR CONVENTION: a function that fails the way SQL Server would raises
 * sqlite3_result_error with the message "MSG<number>|<state>|<text>", e.g.
 * "MSG245|1|Conversion failed when converting the varchar value 'abc' to
 * data type int." Severity is 16 for all of them. The engine parses this
 * back into a SQL Server error.
 *
 *   tl_convert(v, 'to' [, style [, explicit [, 'from' [, table, column]]]])
 *       value_convert; style NULL/-1 = CAST; explicit defaults to 1; a bare
 *       'varchar'/'nvarchar'/'char'/'nchar'/'binary'/'varbinary' means
 *       length 30 (CAST's default), unlike value_parse_type's 1.
 *   tl_compare(a, b [, 'type a', 'type b'])  -1/0/1 (value_compare)
 *   tl_dec_add/sub/mul/div(a, b [, p [, s]])  exact, result at decimal(p,s)
 *       (see value_decimal_result_type for the p/s the engine should pass;
 *       p defaults to 38, s to the rule applied to the operands' own scales
 *       with p = 38). 8115 overflow, 8134 divide by zero.
 *   tl_dec_sum(x [, scale]), tl_dec_avg(x [, scale])  exact aggregates;
 *       sum at the largest scale seen, avg at max(scale, 6), truncated.
 *   tl_format_decimal(v, p, s)  v as canonical decimal(p,s)
 *   tl_len(s)  characters (UTF-16 units) without trailing spaces
 *   tl_datalength(v [, 'type'])  bytes of v as SQL Server stores it
 *   tl_getdate(), tl_getutcdate()  datetime text
 *   tl_sysdatetime(), tl_sysutcdatetime()  datetime2(7) text
 *   tl_sysdatetimeoffset()  datetimeoffset(7) text, local time + offset
 *   tl_set_clock_offset(seconds), tl_clock_offset()  per-connection shift
 *       of every clock function above (tests move "now" forward)
 *   tl_newid()  random version-4 uniqueidentifier text
 *   tl_quotename(s [, q]), tl_charindex(needle, hay [, start]) (CI),
 *   tl_replicate(s, n), tl_left(s, n), tl_right(s, n) (536 on n < 0),
 *   tl_str(f [, len [, dec]])
 *   tl_dateadd(part, n, d [, 'type']), tl_datediff(part, a, b [, 'ta'
 *       [, 'tb']]), tl_datepart(part, d [, 'type'])  (no type: see
 *       value_datetime_infer_type; pass the type when known)
 *   collation TL_CI  value_text_compare_ci (case- and trailing-space-
 *       insensitive) for string columns: `name TEXT COLLATE TL_CI`.
 */
int value_register_sqlite(void *db);

#endif
