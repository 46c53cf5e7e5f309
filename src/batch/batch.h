/*
 * batch: a columnar batch of rows, the unit that flows from a source to the
 * sinks (DESIGN.md data flow). Sources fill it, sinks (Parquet, JSON, Delta)
 * read it; neither sees the other's formats.
 *
 * A batch has a fixed schema and a row capacity. Each column holds its
 * values in one typed array (fixed-width types) or an offsets array plus
 * one byte buffer (strings, binary), and a validity byte per row
 * (1 = present, 0 = NULL) for nullable columns. Memory is bounded by the
 * capacity and by a byte budget for variable-length data: batch_full()
 * tells a source to hand the batch over before appending more.
 *
 * Lifecycle:  batch_new ──append rows──▶ (full) ──sink writes──▶ batch_reset ──▶ ...
 *                                                          └──▶ batch_destroy
 *
 * Logical types and their physical arrays:
 *   BATCH_BOOL        uint8_t   (0/1)
 *   BATCH_INT8..64    int8_t .. int64_t
 *   BATCH_FLOAT       float;   BATCH_DOUBLE double
 *   BATCH_DECIMAL     __int128 unscaled value; precision 1..38, scale 0..p
 *   BATCH_DATE        int32_t  days since 1970-01-01
 *   BATCH_TIMESTAMP   int64_t  microseconds since 1970-01-01 00:00:00;
 *                              utc_adjusted says whether it is an instant (UTC)
 *                              or a wall-clock (NTZ) value
 *   BATCH_STRING      UTF-8 bytes (sinks may rely on validity: appenders repair)
 *   BATCH_JSON        UTF-8 JSON text
 *   BATCH_BINARY      bytes
 */
#ifndef SL_BATCH_H
#define SL_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum batch_type {
    BATCH_BOOL = 1,
    BATCH_INT8,
    BATCH_INT16,
    BATCH_INT32,
    BATCH_INT64,
    BATCH_FLOAT,
    BATCH_DOUBLE,
    BATCH_DECIMAL,
    BATCH_DATE,
    BATCH_TIMESTAMP,
    BATCH_STRING,
    BATCH_JSON,
    BATCH_BINARY,
};

struct batch_field {
    char *name;          /* UTF-8 */
    enum batch_type type;
    bool nullable;
    uint8_t precision;   /* BATCH_DECIMAL */
    uint8_t scale;       /* BATCH_DECIMAL */
    bool utc_adjusted;   /* BATCH_TIMESTAMP */
};

struct batch_schema {
    size_t nfields;
    struct batch_field *fields;
};

struct batch_column {
    void *values;        /* typed array, capacity elements (fixed width) */
    uint8_t *valid;      /* capacity bytes, 1 = present; NULL when !nullable */
    uint64_t *offsets;   /* var-len: capacity+1 offsets into data */
    uint8_t *data;       /* var-len bytes */
    size_t data_len, data_cap;
};

struct batch {
    const struct batch_schema *schema; /* borrowed; outlives the batch */
    size_t nrows;
    size_t capacity;
    size_t var_budget;   /* soft cap on var-len bytes across columns */
    size_t var_bytes;
    struct batch_column *cols;
};

/* Schema helpers: deep copies; the schema owns its names. */
int batch_schema_init(struct batch_schema *s, size_t nfields);
int batch_schema_set(struct batch_schema *s, size_t i, const char *name, enum batch_type type,
                     bool nullable, uint8_t precision, uint8_t scale, bool utc_adjusted);
void batch_schema_free(struct batch_schema *s);
/* Fixed element width of a type in bytes; 0 for var-len types. */
size_t batch_type_width(enum batch_type t);

/* New empty batch for schema (borrowed) with room for capacity rows and
 * about var_budget bytes of var-len data (0 = 64 MiB). NULL on ENOMEM. */
struct batch *batch_new(const struct batch_schema *schema, size_t capacity, size_t var_budget);
void batch_destroy(struct batch *b);
void batch_reset(struct batch *b);
/* True when the batch should be handed over (rows == capacity or var bytes over budget). */
bool batch_full(const struct batch *b);

/*
 * Appending, one column at a time, row by row: for each row, append exactly
 * one value (or null) to every column, then batch_end_row(). Returns 0 or
 * SL_ENOMEM / SL_ELIMIT; batch_append_decimal returns SL_ECONVERT for a value
 * with more digits than the field's precision. Strings that are not valid UTF-8 are repaired
 * (U+FFFD) by batch_append_str.
 */
int batch_append_null(struct batch *b, size_t col);
int batch_append_bool(struct batch *b, size_t col, bool v);
int batch_append_int(struct batch *b, size_t col, int64_t v);      /* any integer width */
int batch_append_double(struct batch *b, size_t col, double v);    /* FLOAT or DOUBLE */
int batch_append_decimal(struct batch *b, size_t col, __int128 unscaled);
int batch_append_date(struct batch *b, size_t col, int32_t days);
int batch_append_timestamp(struct batch *b, size_t col, int64_t micros);
int batch_append_str(struct batch *b, size_t col, const char *s, size_t n);  /* STRING/JSON */
int batch_append_bytes(struct batch *b, size_t col, const void *p, size_t n); /* BINARY */
/*
 * STRING/JSON from UTF-16LE, converted straight into the column (lone
 * surrogates and an odd trailing byte become U+FFFD, so the result is
 * valid UTF-8 without a separate check): the reader's path for every
 * nvarchar/varchar value.
 */
int batch_append_utf16le(struct batch *b, size_t col, const uint8_t *p, size_t nbytes);
/* STRING/JSON the caller built as valid UTF-8 (ASCII it formatted, say):
 * copied without the check batch_append_str makes. */
int batch_append_str_valid(struct batch *b, size_t col, const char *s, size_t n);
void batch_end_row(struct batch *b);

/* Reading. */
bool batch_is_null(const struct batch *b, size_t col, size_t row);
int64_t batch_get_int(const struct batch *b, size_t col, size_t row);
double batch_get_double(const struct batch *b, size_t col, size_t row);
__int128 batch_get_decimal(const struct batch *b, size_t col, size_t row);
bool batch_get_bool(const struct batch *b, size_t col, size_t row);
/* Borrowed until the batch is reset or destroyed. */
const uint8_t *batch_get_bytes(const struct batch *b, size_t col, size_t row, size_t *len);

#endif
