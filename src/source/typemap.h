/*
 * typemap: SQL Server declared types → batch fields (spec/parquet-delta.md
 * §7.2), and the exact parsers for the text forms in which the ODBC driver
 * hands over the values whose binary C forms would lose information
 * (decimal/money, datetime2, datetimeoffset, time, uniqueidentifier).
 *
 * What it owns: the mapping table, the choice of how a column is read
 * (bound C type, buffer width, whether it needs chunked SQLGetData) and
 * the value parsers. What it leaves to others: reading rows (reader.c),
 * discovering declared types (catalog.c).
 *
 * Invariants: every parser is exact or fails with SL_ECONVERT; none rounds
 * except where the spec says so (100 ns → µs is floor). No state.
 */
#ifndef SL_SOURCE_TYPEMAP_H
#define SL_SOURCE_TYPEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch/batch.h"
#include "core/err.h"

struct buf;

/* The SQL Server type families sluice reads, one per distinct conversion. */
enum typemap_kind {
    TM_BIT = 1,
    TM_TINYINT,
    TM_SMALLINT,
    TM_INT,
    TM_BIGINT,
    TM_DECIMAL, /* decimal, numeric, money, smallmoney */
    TM_REAL,
    TM_FLOAT,
    TM_DATE,
    TM_DATETIME,       /* datetime, smalldatetime, datetime2 */
    TM_DATETIMEOFFSET,
    TM_TIME,
    TM_CHAR,  /* char, varchar, text */
    TM_NCHAR, /* nchar, nvarchar, ntext, xml, sysname */
    TM_GUID,
    TM_BINARY,    /* binary, varbinary, image */
    TM_ROWVERSION, /* rowversion / timestamp */
    TM_TEXTFORM,  /* sql_variant, hierarchyid, geometry/geography: selected as text */
};

struct typemap_options {
    bool timestamp_ntz; /* datetime/datetime2 as wall clock (NTZ) instead of UTC */
};

/* How one result column is read and what it becomes. */
struct typemap_col {
    enum typemap_kind kind;
    enum batch_type type;
    uint8_t precision, scale; /* BATCH_DECIMAL */
    bool utc_adjusted;        /* BATCH_TIMESTAMP */
    bool nullable;
    bool unbounded;    /* (max), text, ntext, image, xml: read with chunked SQLGetData */
    uint32_t max_bytes; /* declared byte length (sys.columns.max_length) when bounded */
    char sql_name[32]; /* declared type name, lowercase, for messages and docs */
};

/*
 * Map a declared type as sys.columns/sys.types report it: type_name is
 * the system type name (case-insensitive), max_length in bytes (-1 for
 * max), precision and scale as in sys.columns. Fills *out; returns 0,
 * or SL_EUNSUPPORTED naming the type (err) for types with no mapping
 * (e.g. CLR types other than those in §7.2, cursor, table).
 */
int typemap_from_decl(const char *type_name, int max_length, int precision, int scale,
                      bool nullable, const struct typemap_options *opt, struct typemap_col *out,
                      struct sl_err *err);

/*
 * The SELECT-list expression that reads a column of this type exactly as
 * typemap expects: the quoted column (with an optional "T." style prefix)
 * for most types; a text conversion for sql_variant, hierarchyid,
 * geometry and geography. Appends to out; 0 or SL_ENOMEM / SL_ELIMIT.
 * quoted is a bracket-quoted identifier, prefix may be NULL.
 */
int typemap_select_expr(struct buf *out, const char *type_name, const char *prefix,
                        const char *quoted);


/*
 * Parse decimal text ("-123.4500", ".5", "0") into the unscaled value at
 * the given scale; fails (SL_ECONVERT) on malformed text, on more
 * significant digits than precision, or on non-zero digits beyond scale.
 */
int typemap_parse_decimal(const char *s, size_t n, unsigned precision, unsigned scale,
                          __int128 *out);

/*
 * Parse "YYYY-MM-DD hh:mm:ss[.fffffff]" (also 'T' as separator, 0-9
 * fraction digits) into µs since the epoch, fraction floored to µs.
 * With with_offset, a trailing " +hh:mm" / " -hh:mm" offset is required,
 * and the result is the UTC instant (local time minus offset).
 */
int typemap_parse_datetime(const char *s, size_t n, bool with_offset, int64_t *micros);

/* Parse "YYYY-MM-DD" into days since the epoch. */
int typemap_parse_date(const char *s, size_t n, int32_t *days);

/*
 * Parse "hh:mm:ss[.f...]" and write the canonical 16-char form
 * "hh:mm:ss.fffffff" (7 fraction digits, zero-padded) into out[17].
 */
int typemap_parse_time(const char *s, size_t n, char out[17]);

/* Parse a GUID in text form (with or without braces, any case) and write
 * the canonical uppercase 36-char form into out[37]. */
int typemap_parse_guid(const char *s, size_t n, char out[37]);

/* Format the 16 bytes of a uniqueidentifier as SQL Server stores and sends
 * them (Data1, Data2, Data3 little-endian, Data4 in order) in the canonical
 * uppercase 36-char form into out[37]: what CAST(g AS char(36)) shows. */
void typemap_format_guid(const uint8_t b[16], char out[37]);

/* Big-endian 8 bytes of a rowversion → int64 (as SQL Server's CAST to bigint). */
int64_t typemap_rowversion(const uint8_t b[8]);

/* Bytes needed to bind one value of the column as text/binary (with NUL),
 * or 0 for fixed-size C types and unbounded columns. */
size_t typemap_bind_width(const struct typemap_col *c);

#endif
