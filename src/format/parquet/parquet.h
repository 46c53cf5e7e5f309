/*
 * parquet: a streaming, memory-bounded Parquet writer, and a reader for the
 * files it writes (and for the common subset other writers produce).
 *
 * Output follows spec/parquet-delta.md: data page V1, PLAIN values,
 * RLE_DICTIONARY with a PLAIN fallback, RLE/bit-packed definition levels,
 * chunk statistics with TYPE_ORDER column orders, logicalType plus
 * converted_type, a created_by of the form "sluice version X.Y.Z (build H)".
 * Type mapping (spec §7.2), from batch types:
 *   BOOL      BOOLEAN
 *   INT8/16   INT32 + INTEGER(8|16, signed) + INT_8|INT_16
 *   INT32     INT32;  INT64 INT64;  FLOAT FLOAT;  DOUBLE DOUBLE
 *   DECIMAL   INT32 (p <= 9), INT64 (p <= 18), FIXED_LEN_BYTE_ARRAY(minBytes(p))
 *             big-endian two's complement (p <= 38); DECIMAL(p,s) + DECIMAL
 *   DATE      INT32 DATE + DATE
 *   TIMESTAMP INT64 TIMESTAMP(field.utc_adjusted, MICROS) + TIMESTAMP_MICROS
 *   STRING    BYTE_ARRAY STRING + UTF8;  JSON  BYTE_ARRAY JSON + JSON
 *   BINARY    BYTE_ARRAY, no annotation
 * Nullable fields are OPTIONAL, others REQUIRED.
 *
 * Memory: the writer holds at most one row group: the encoded and
 * compressed pages of every column of the current row group, plus one page
 * being built per column and the dictionaries. A row group is cut at
 * row_group_rows rows or when its buffered bytes reach row_group_bytes,
 * whichever comes first; nothing of earlier row groups is kept but their
 * footer metadata.
 *
 * Writer lifecycle:
 *
 *   parquet_writer_open ──▶ OPEN ──parquet_writer_write / _add_kv──▶ OPEN
 *                            │  └──(error in write)──▶ FAILED
 *                            ├──parquet_writer_close──▶ (file complete, fsynced; writer freed)
 *                            └──parquet_writer_abort──▶ (file removed; writer freed)
 *   FAILED ──parquet_writer_close / _abort──▶ (file removed; writer freed)
 *
 * The writer writes to the path it is given; temp names, rename and the
 * directory fsync belong to the caller (the sink).
 *
 * Reader lifecycle:
 *
 *   parquet_reader_open / _open_mem ──▶ OPEN ──parquet_reader_read──▶ ... ──▶ (0 = end)
 *                                        └──parquet_reader_close──▶ (freed)
 *
 * The reader treats the file as untrusted: every length and offset is
 * bounds-checked, allocations driven by file-supplied sizes are capped in
 * proportion to the file size, thrift nesting is depth-limited, and any
 * malformation yields SL_ECORRUPT (or SL_EUNSUPPORTED for valid features it
 * does not implement), never a crash.
 */
#ifndef SL_FORMAT_PARQUET_H
#define SL_FORMAT_PARQUET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "batch/batch.h"
#include "core/err.h"

/* Version of the bytes this writer produces (STYLE 17); bump on any change. */
#define PARQUET_FORMAT_VERSION 1

/* Values are the parquet.thrift CompressionCodec ids. LZ4 (5, Hadoop
 * framing) is deliberately absent: DuckDB cannot read it (spec §5). */
enum parquet_codec {
    PARQUET_UNCOMPRESSED = 0,
    PARQUET_SNAPPY = 1,
    PARQUET_GZIP = 2,
    PARQUET_BROTLI = 4,
    PARQUET_ZSTD = 6,
    PARQUET_LZ4_RAW = 7,
};

/*
 * Test hook for the file I/O of the writer: replaces write(2) and fsync(2)
 * with the same contracts (bytes written or -1 with errno; 0 or -1 with
 * errno). Same shape as state/fsio.h's fsio_ops, so a sink can pass its
 * hooks through without this module knowing about state.
 */
struct parquet_io {
    ssize_t (*write)(void *arg, int fd, const void *p, size_t n);
    int (*fsync)(void *arg, int fd);
    void *arg;
};

/*
 * One level of nesting: the fields [first, first + count) of the batch
 * schema are written as the children of an OPTIONAL group (a struct
 * column) called name, instead of as top-level columns. Groups must not
 * overlap; children keep their own types and nullability. A row's group
 * is NULL exactly when all of its children are NULL (definition level 0);
 * a NULL child of a present group has level 1, a present child 2 (1 for a
 * REQUIRED child). Readers see the struct; this writer's reader flattens
 * it to columns named "name.child".
 */
struct parquet_group {
    const char *name;
    size_t first, count;
};

struct parquet_options {
    enum parquet_codec codec;      /* default PARQUET_ZSTD */
    int level;                     /* codec level; 0 = codec default (zstd 3, gzip 6, brotli 5) */
    size_t row_group_rows;         /* default 500000 */
    size_t row_group_bytes;        /* buffered compressed bytes per row group; default 128 MiB */
    size_t page_bytes;             /* target uncompressed page size; default 1 MiB */
    bool dictionary;               /* try dictionary encoding; default true */
    size_t dictionary_max_bytes;   /* PLAIN fallback past this dictionary size; default 1 MiB */
    const char *created_by;        /* NULL = "sluice version <ver> (build <hash>)"; borrowed during open */
    const struct parquet_io *io;   /* NULL = write(2)/fsync(2); borrowed until close/abort */
    const struct parquet_group *groups; /* struct columns; copied at open (names too) */
    size_t ngroups;
};

/* Fill opt with the defaults above. */
void parquet_options_init(struct parquet_options *opt);

/* Codec by user-facing name: "none"/"uncompressed", "snappy", "gzip",
 * "zstd", "lz4_raw" (also "lz4", which means LZ4_RAW as in pyarrow/polars),
 * "brotli". Returns 0 and sets *out, or SL_EINVAL for unknown names. */
int parquet_codec_from_name(const char *name, enum parquet_codec *out);

/* Lowercase name of a codec ("zstd", ...); "unknown" for other values. */
const char *parquet_codec_name(enum parquet_codec c);

struct parquet_writer;

/*
 * Create (truncate) path and start a Parquet file with the given schema.
 * schema is borrowed until close/abort; opt may be NULL (defaults) and is
 * copied. Returns 0 and *out (caller owns; end with close or abort), or an
 * SL_E* status with err filled (nothing is left on disk).
 * Fails with SL_EINVAL for schemas it cannot map (e.g. decimal precision
 * outside 1..38, empty schema).
 */
int parquet_writer_open(const char *path, const struct batch_schema *schema,
                        const struct parquet_options *opt, struct parquet_writer **out,
                        struct sl_err *err);

/*
 * Add a footer key/value pair (both copied). A later pair with the same
 * key replaces the earlier value. Returns 0 or SL_ENOMEM.
 */
int parquet_writer_add_kv(struct parquet_writer *w, const char *key, const char *value);

/*
 * Append all rows of b (borrowed for the call; its schema must have the
 * writer's field types) to the file. Row groups are flushed to disk as they
 * fill. Returns 0, or an SL_E* status with err filled; after a failure the
 * writer accepts only close/abort. Invalid UTF-8 in a STRING/JSON column
 * fails with SL_ECONVERT naming the column.
 */
int parquet_writer_write(struct parquet_writer *w, const struct batch *b, struct sl_err *err);

/* Rows accepted so far, and bytes written to the file so far (flushed row
 * groups only; pending pages are not counted). For file rolling. */
uint64_t parquet_writer_rows(const struct parquet_writer *w);
uint64_t parquet_writer_bytes(const struct parquet_writer *w);

/*
 * Flush the last row group, write the footer, fsync and close the file, and
 * free w. Returns 0 when the file is complete and durable (its final size
 * is then parquet_writer_bytes' last value, also stored in *size if not
 * NULL); on failure returns SL_E* with err filled, removes the partial file
 * and frees w. w may not be used afterwards either way.
 */
int parquet_writer_close(struct parquet_writer *w, uint64_t *size, struct sl_err *err);

/* Discard: close and remove the partial file, free w. NULL ok. */
void parquet_writer_abort(struct parquet_writer *w);

/* ---- reader ---- */

struct parquet_reader;

/* Open a Parquet file (read-only, mapped). Returns 0 and *out (caller owns;
 * free with parquet_reader_close) or SL_E* with err filled. */
int parquet_reader_open(const char *path, struct parquet_reader **out, struct sl_err *err);

/*
 * Open only the footer's key/value metadata and created_by: the schema and
 * row groups are skipped uninterpreted, so any well-formed Parquet file
 * opens (nested schemas included). On such a reader only parquet_reader_kv,
 * parquet_reader_created_by and parquet_reader_close may be called. For
 * recovery code that needs a file's metadata, not its rows.
 */
int parquet_reader_open_kv(const char *path, struct parquet_reader **out, struct sl_err *err);

/* Same over memory: data is borrowed until parquet_reader_close. */
int parquet_reader_open_mem(const uint8_t *data, size_t len, struct parquet_reader **out,
                            struct sl_err *err);

/* Free the reader. NULL ok. */
void parquet_reader_close(struct parquet_reader *r);

/*
 * The file's schema mapped to batch types (borrowed until close). Flat
 * schemas only; columns whose Parquet type has no batch mapping make open
 * fail with SL_EUNSUPPORTED. Foreign files: INT32/INT64 without annotation
 * map to INT32/INT64, TIMESTAMP MILLIS/NANOS and INT96 map to TIMESTAMP
 * (converted to microseconds), unannotated FLBA to BINARY.
 */
const struct batch_schema *parquet_reader_schema(const struct parquet_reader *r);
uint64_t parquet_reader_num_rows(const struct parquet_reader *r);
size_t parquet_reader_num_row_groups(const struct parquet_reader *r);
/* Rows in row group rg (0 if out of range). */
uint64_t parquet_reader_row_group_rows(const struct parquet_reader *r, size_t rg);
/* Footer key/value lookup; value borrowed until close, NULL if absent
 * (a key present without a value yields ""). */
const char *parquet_reader_kv(const struct parquet_reader *r, const char *key);
/* created_by, borrowed until close; NULL if absent. */
const char *parquet_reader_created_by(const struct parquet_reader *r);

/* Column chunk statistics as stored (values are PLAIN bytes, spec §6.2). */
struct parquet_stats {
    bool has_null_count;
    int64_t null_count;
    bool has_min, has_max;
    const uint8_t *min, *max;   /* borrowed until close */
    size_t min_len, max_len;
    bool min_exact, max_exact;  /* is_*_value_exact; true when absent */
    uint32_t encodings;         /* bit (1 << encoding id) for each listed encoding */
    int codec;                  /* CompressionCodec id */
};

/* Statistics of column col in row group rg. 0, or SL_EINVAL when out of range. */
int parquet_reader_column_stats(const struct parquet_reader *r, size_t rg, size_t col,
                                struct parquet_stats *out);

/*
 * Reset b and fill it with the next rows (up to b->capacity, fewer at a row
 * group end or when var-len data reaches b's budget). b must have been made
 * with batch_new(parquet_reader_schema(r), ...). Returns the number of rows
 * read (> 0), 0 at end of file, or a negative SL_E* with err filled
 * (SL_ECORRUPT for malformed data). Memory: one decoded row group.
 */
int parquet_reader_read(struct parquet_reader *r, struct batch *b, struct sl_err *err);

#endif
