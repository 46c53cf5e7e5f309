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
/* Print canonical text for type t (scale from t) into out (>= 40 bytes). */
size_t value_datetime_format(const struct tl_type *t, const struct value_datetime *dt, char *out);

/* uniqueidentifier: 36-char text <-> 16 bytes in *wire* (mixed-endian) order. */
int value_guid_to_wire(const char *s, size_t n, uint8_t out[16]);
void value_guid_from_wire(const uint8_t in[16], char out[37]);

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
 * engine's generated SQL calls: tl_convert(v, 'typename', style, explicit),
 * tl_compare, and the T-SQL built-ins implemented as SQLite functions
 * (tl_len, tl_datalength, tl_getdate, tl_sysutcdatetime,
 * tl_sysdatetimeoffset, tl_newid, tl_quotename, tl_dateadd, tl_datediff,
 * tl_datepart, tl_charindex, tl_replicate, tl_str, tl_format_decimal ...).
 * Returns 0 or a SQLite error code.
 */
int value_register_sqlite(void *db);

#endif
