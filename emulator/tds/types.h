/*
 * types: SQL Server types on the TDS wire. Maps a declared struct tl_type to
 * the TYPE_INFO the server sends, encodes canonical values (sqltype.h) into
 * ROW/RETURNVALUE bytes, and decodes every TYPE_INFO and value form a client
 * may send (RPC parameters, bulk-load rows) back into canonical values.
 *
 * Owns: the type-code tables, collations, PLP framing and CP1252
 * transcoding. Leaves to value/: decimal, date and GUID text parsing and
 * printing, and conversions between types (value_convert).
 *
 * Output policy (spec/tds.md §6.1): the nullable N-types, except that a
 * column the engine proves NOT NULL goes out the way SQL Server sends it:
 * int/bit/float/money/datetime as the fixed codes (types_wire_set_not_null),
 * which carry no length byte and cannot hold NULL; rowversion is
 * BIGBINARY(8) with usertype 0x50; (max) types as PLP. For TDS 7.1
 * clients, which know neither PLP nor the 7.3 date/time types, (max) types
 * go out as TEXT/NTEXT/IMAGE and xml as NTEXT; for 7.1 and 7.2, date, time,
 * datetime2 and datetimeoffset go out as NVARCHAR holding the canonical text
 * (what SQL Server does for down-level clients).
 *
 * Encoding never writes a partial value into the caller's buffer on error:
 * on failure the buffer is truncated back to where it was.
 */
#ifndef TL_TDS_TYPES_H
#define TL_TDS_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "sqltype.h"
#include "wire.h"

/* Negotiated protocol level, for feature gating (exact constants live in login.c). */
enum { TDS_V71 = 71, TDS_V72 = 72, TDS_V73 = 73, TDS_V74 = 74 };

/* TDS type codes (spec §6.1). */
enum {
    TDS_NULLTYPE = 0x1F,
    TDS_INT1 = 0x30,
    TDS_BIT = 0x32,
    TDS_INT2 = 0x34,
    TDS_INT4 = 0x38,
    TDS_INT8 = 0x7F,
    TDS_FLT4 = 0x3B,
    TDS_FLT8 = 0x3E,
    TDS_DATETIM4 = 0x3A,
    TDS_DATETIME = 0x3D,
    TDS_MONEY4 = 0x7A,
    TDS_MONEY = 0x3C,
    TDS_INTN = 0x26,
    TDS_BITN = 0x68,
    TDS_FLTN = 0x6D,
    TDS_MONEYN = 0x6E,
    TDS_DATETIMN = 0x6F,
    TDS_DECIMALN = 0x6A,
    TDS_NUMERICN = 0x6C,
    TDS_GUID = 0x24,
    TDS_DATEN = 0x28,
    TDS_TIMEN = 0x29,
    TDS_DATETIME2N = 0x2A,
    TDS_DATETIMEOFFSETN = 0x2B,
    TDS_CHAR = 0x2F,       /* legacy, byte length */
    TDS_VARCHAR = 0x27,    /* legacy */
    TDS_BINARY = 0x2D,     /* legacy */
    TDS_VARBINARY = 0x25,  /* legacy */
    TDS_BIGVARCHAR = 0xA7,
    TDS_BIGCHAR = 0xAF,
    TDS_NVARCHAR = 0xE7,
    TDS_NCHAR = 0xEF,
    TDS_BIGVARBINARY = 0xA5,
    TDS_BIGBINARY = 0xAD,
    TDS_XML = 0xF1,
    TDS_TEXT = 0x23,
    TDS_NTEXT = 0x63,
    TDS_IMAGE = 0x22,
    TDS_SSVARIANT = 0x62,
    TDS_UDT = 0xF0,
};

#define TDS_USERTYPE_TIMESTAMP 0x50
#define TDS_PLP_NULL UINT64_C(0xFFFFFFFFFFFFFFFF)
#define TDS_PLP_UNKNOWN UINT64_C(0xFFFFFFFFFFFFFFFE)

/* SQL_Latin1_General_CP1_CI_AS: LCID 0x0409, flags 0xD0, SortId 52 (CP1252). */
extern const uint8_t types_default_collation[5];

/* One column or parameter as it travels on the wire. */
struct tds_wtype {
    uint8_t code;
    uint32_t maxlen;      /* TYPE_INFO length: bytes; 0xFFFF for PLP */
    uint8_t prec, scale;
    bool plp;             /* value is PLP (max types, xml) */
    uint8_t collation[5]; /* char types */
    uint32_t usertype;
    struct tl_type t;     /* the declared type values are converted to before encoding */
    bool not_null;        /* a NOT NULL result column: a NULL value is refused */
};

/* Encoding failure, worded as SQL Server would (number 0 = internal). */
struct types_err {
    int32_t number;
    char text[400];
};

/*
 * The wire form of declared type t for a session at level ver (TDS_V7x).
 * Fills w; returns 0, or SL_EUNSUPPORTED for a type id it cannot send.
 */
int types_wire_of(const struct tl_type *t, int ver, struct tds_wtype *w);

/*
 * Turn w, as filled by types_wire_of, into the form SQL Server sends for a
 * result column that cannot be NULL: INTN(1/2/4/8) becomes INT1/INT2/INT4/
 * INT8, BITN BIT, FLTN(4/8) FLT4/FLT8, MONEYN(4/8) MONEY4/MONEY and
 * DATETIMN(4/8) DATETIM4/DATETIME (no TYPE_INFO after the code, values
 * without a length byte). Every other type keeps its code. Sets
 * w->not_null either way, so types_put_value refuses a NULL value.
 */
void types_wire_set_not_null(struct tds_wtype *w);

/* True for the fixed-length codes (INT1 ... DATETIME), which cannot carry NULL. */
bool types_is_fixed(uint8_t code);

/* Append TYPE_INFO (type byte included; no TEXT table name). */
int types_put_typeinfo(struct buf *b, const struct tds_wtype *w);

/*
 * Append the value v (canonical form of w->t; other storage classes are
 * converted with value_convert) in ROW/RETURNVALUE form. Scratch bytes come
 * from arena a (caller resets it). Returns 0, SL_ECONVERT (e filled; b left
 * unchanged), SL_ESTATE when w->not_null and v is NULL or converts to NULL
 * (an engine bug; e filled with Msg 50000, b unchanged: nothing can encode
 * it, a fixed type has no NULL form), or SL_ENOMEM/SL_ELIMIT.
 */
int types_put_value(struct buf *b, const struct tds_wtype *w, const struct tl_value *v,
                    struct arena *a, struct types_err *e);

/* Append a PLP body for bytes p[0..n) (p NULL = PLP NULL). Empty values
 * are a zero total and the terminator, with no empty chunk. */
int types_put_plp(struct buf *b, const uint8_t *p, size_t n);

/*
 * Read a TYPE_INFO a client sent (RPC parameter or bulk COLMETADATA; no
 * TEXT table name). Fills w including w->t, the type decoded values are in.
 * Returns 0, SL_ECORRUPT, SL_EUNSUPPORTED (UDT, unknown code).
 */
int types_read_typeinfo(struct tds_rd *r, struct tds_wtype *w);

/*
 * Read one value of wire type w into canonical form; bytes are copied into
 * arena a. rpc selects the RPC form of TEXT/NTEXT/IMAGE (LONG length, NULL
 * -1) instead of the ROW form (text pointer + timestamp). Returns 0,
 * SL_ECORRUPT, SL_ELIMIT or SL_ENOMEM.
 */
int types_read_value(struct tds_rd *r, const struct tds_wtype *w, bool rpc, struct arena *a,
                     struct tl_value *out);

/* Read a PLP body into out (NULL sets *is_null). Accepts UNKNOWN_LEN. */
int types_read_plp(struct tds_rd *r, struct buf *out, bool *is_null);

/* UTF-8 <-> Windows-1252; an unmappable character becomes '?' per UTF-16 unit
 * (so a character outside the BMP becomes "??", as in SQL Server). */
int types_utf8_to_cp1252(struct buf *out, const uint8_t *s, size_t n);
int types_cp1252_to_utf8(struct buf *out, const uint8_t *s, size_t n);

#endif
