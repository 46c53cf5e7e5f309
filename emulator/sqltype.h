/*
 * sqltype: the SQL Server type model shared by tdslite's TDS layer, its
 * T-SQL engine and its value library.
 *
 * A struct tl_type is a *declared* SQL Server type: what COLMETADATA must
 * carry and what sys.columns reports. A struct tl_value is one value in its
 * canonical storage form (below); it borrows its bytes.
 *
 * Canonical storage forms. Every value stored in SQLite, produced by the
 * engine or decoded from the wire by the TDS layer is in this form, so a
 * value never changes meaning between layers:
 *
 *   bit, tinyint, smallint, int, bigint   INT (bit is 0/1)
 *   real, float                           REAL
 *   decimal(p,s), numeric(p,s)            TEXT: optional '-', digits, and when
 *                                         s > 0 '.' + exactly s digits
 *                                         ("-123.4500", "0.00", "12"); no '+',
 *                                         no exponent, no leading zeros except
 *                                         a lone "0" before the point
 *   money, smallmoney                     TEXT as decimal(19,4) / (10,4)
 *   date                                  TEXT "YYYY-MM-DD"
 *   time(n)                               TEXT "hh:mm:ss" + ('.' + n digits if n > 0)
 *   datetime2(n)                          TEXT "YYYY-MM-DD hh:mm:ss" + fraction as time(n)
 *   datetime                              TEXT "YYYY-MM-DD hh:mm:ss.fff" (rounded
 *                                         to 1/300 s ticks, shown as .000/.003/.007)
 *   smalldatetime                         TEXT "YYYY-MM-DD hh:mm:00"
 *   datetimeoffset(n)                     TEXT "YYYY-MM-DD hh:mm:ss[.f{n}] +hh:mm"
 *                                         (local time and its offset, as SQL
 *                                         Server prints it; the wire carries UTC)
 *   char, varchar, nchar, nvarchar,       TEXT, UTF-8. char(n)/nchar(n) are
 *   text, ntext, xml                      stored padded with spaces to n.
 *   binary, varbinary, image, rowversion  BLOB (binary(n) zero-padded to n)
 *   uniqueidentifier                      TEXT "6F9619FF-8B86-D011-B42D-00C04FC964FF"
 *                                         (uppercase, 36 chars)
 *
 * Consumers must still accept other storage classes for a type (an
 * expression may produce INT for a decimal column, REAL for money, ...) and
 * convert with value_convert() (value/value.h).
 */
#ifndef TL_SQLTYPE_H
#define TL_SQLTYPE_H

#include <stddef.h>
#include <stdint.h>

enum tl_type_id {
    TL_T_UNKNOWN = 0, /* expression of no known type: NULL literal */
    TL_T_BIT,
    TL_T_TINYINT,
    TL_T_SMALLINT,
    TL_T_INT,
    TL_T_BIGINT,
    TL_T_DECIMAL,
    TL_T_NUMERIC,
    TL_T_MONEY,
    TL_T_SMALLMONEY,
    TL_T_REAL,
    TL_T_FLOAT,
    TL_T_DATE,
    TL_T_TIME,
    TL_T_DATETIME,
    TL_T_SMALLDATETIME,
    TL_T_DATETIME2,
    TL_T_DATETIMEOFFSET,
    TL_T_CHAR,
    TL_T_VARCHAR,
    TL_T_NCHAR,
    TL_T_NVARCHAR,
    TL_T_TEXT,
    TL_T_NTEXT,
    TL_T_BINARY,
    TL_T_VARBINARY,
    TL_T_IMAGE,
    TL_T_UNIQUEIDENTIFIER,
    TL_T_XML,
    TL_T_ROWVERSION,
    TL_T_SQL_VARIANT,
    TL_T_COUNT_
};

/* length value meaning (max) for varchar/nvarchar/varbinary. */
#define TL_MAX (-1)

struct tl_type {
    enum tl_type_id id;
    /*
     * Declared length: bytes for char/varchar/binary/varbinary, *characters*
     * for nchar/nvarchar (the TDS layer doubles it), TL_MAX for (max), 0
     * where the type has no length.
     */
    int32_t length;
    uint8_t precision; /* decimal/numeric: 1..38; float: 53, real: 24 */
    uint8_t scale;     /* decimal/numeric: 0..p; time/datetime2/datetimeoffset: 0..7 */
};

enum tl_vkind { TL_V_NULL = 0, TL_V_INT, TL_V_REAL, TL_V_TEXT, TL_V_BLOB };

/* One value; p borrows bytes (TEXT is UTF-8, not NUL-terminated). */
struct tl_value {
    enum tl_vkind kind;
    int64_t i;
    double r;
    const uint8_t *p;
    size_t n;
};

#endif
