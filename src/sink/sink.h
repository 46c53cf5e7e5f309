/*
 * sink: a run's output files for one table, crash-safe (docs/output-formats.md).
 *
 * Owns: the file schema derived from the source's batch layout, the data
 * file layout and names under the storage root, rolling into parts, the
 * footer metadata orphan recovery reads back (state/orphan.h), and the
 * publish protocol: every part is written under a temp name, fsynced, and
 * only at sink_finish renamed to its final name, after which the directory
 * is fsynced. Leaves to others: when to store the watermark (the engine,
 * after sink_finish returned 0), what to do with orphans (state/orphan.c),
 * the Parquet bytes (format/parquet).
 *
 * Formats:
 *   SINK_PER_TABLE  the table's columns as received (key columns first, in
 *                   key order, then the others), then SYS_CHANGE_VERSION,
 *                   SYS_CHANGE_CREATION_VERSION, SYS_CHANGE_OPERATION, then
 *                   _is_deleted (BOOLEAN, operation == 'D') with soft_delete.
 *   SINK_UNIFIED    one envelope row per change: data (the row's table
 *                   columns as a JSON object, JSON-annotated STRING),
 *                   table_id struct {catalog, schema, table}, cursor struct
 *                   {version INT64, lsn STRING, seqval STRING},
 *                   extractionTimestamp TIMESTAMP(us, UTC), operation
 *                   (INSERT | UPDATE | DELETE), schemaVersion STRING.
 *
 * Layout: {root}/data/{db}/{schema}/{table}/{YYYY-MM-DD}/
 *         {schema}_{table}_{YYYYMMDD}T{HHMMSSmmm}Z_part{N}.parquet
 * with the date and time of run->started_ms in UTC; while being written a
 * part is named .{final name}.tmp in the same directory (fsio_is_temp_name
 * recognises it; Spark and DuckDB globs skip hidden files).
 *
 * Invariants:
 *  - A final name only ever holds a complete, fsynced file; a final name is
 *    never replaced (publishing refuses an existing name).
 *  - All parts of a run carry the same sluice.run_id/from/to; parts are
 *    numbered 1..N and exactly part N carries sluice.last = true.
 *  - Memory is bounded by one input batch plus one Parquet row group,
 *    whatever the number of rows.
 *
 * Lifecycle:
 *
 *   sink_open ──▶ OPEN ──sink_write──▶ OPEN (a full part is closed to its temp
 *                  │                        and a new part started, lazily,
 *                  │                        when the next row arrives)
 *                  ├──sink_finish──▶ (parts renamed, dir fsynced; s freed)
 *                  └──sink_abort───▶ (temps removed; s freed)
 *   After a failed sink_write only sink_abort (or sink_finish, which then
 *   fails and cleans up) is valid.
 */
#ifndef SL_SINK_H
#define SL_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch/batch.h"
#include "core/err.h"
#include "format/parquet/parquet.h"
#include "state/watermark.h"

struct arena;
struct buf;
struct fsio_ops;

/* Version of the file layout and footer keys (STYLE 17); also written to
 * every file as sluice.format_version. Bump on any change. */
#define SINK_FORMAT_VERSION 1

/* Footer key/value names (docs/output-formats.md "Footer"). */
#define SINK_KV_TABLE "sluice.table"                   /* db.schema.table */
#define SINK_KV_RUN_ID "sluice.run_id"
#define SINK_KV_FROM "sluice.from"                     /* watermark_pos_format text */
#define SINK_KV_TO "sluice.to"
#define SINK_KV_PART "sluice.part"                     /* 1..N */
#define SINK_KV_LAST "sluice.last"                     /* "true" | "false" */
#define SINK_KV_SCHEMA_VERSION "sluice.schema_version"
#define SINK_KV_FORMAT "sluice.format"                 /* per_table | unified */
#define SINK_KV_FORMAT_VERSION "sluice.format_version" /* SINK_FORMAT_VERSION */
#define SINK_KV_MODE "sluice.mode"                     /* full | incremental */

enum sink_format { SINK_PER_TABLE = 1, SINK_UNIFIED };

/* "per_table" / "unified"; "unknown" for other values. */
const char *sink_format_name(enum sink_format f);

struct sink_table { /* identity, as in the config; strings borrowed during sink_open */
    const char *db, *schema, *table;
    const char *catalog; /* unified table_id.catalog (uc_catalog); NULL = db */
};

struct sink_options {
    const char *root;         /* storage.root */
    enum sink_format format;
    enum parquet_codec codec; /* storage.parquet_compression */
    int codec_level;          /* storage.parquet_compression_level (0 = codec default) */
    size_t row_group_rows;    /* storage.row_group_size (0 = writer default) */
    uint64_t max_file_rows;   /* roll to a new part after this many rows (0 = 10,000,000) */
    bool soft_delete;         /* per_table: add boolean _is_deleted (operation == 'D') */
    const struct fsio_ops *io; /* NULL = real file system (tests inject faults) */
};

#define SINK_DEFAULT_MAX_FILE_ROWS 10000000u

struct sink_run {
    const char *run_id;             /* unique per run, also in sync_history.jsonl */
    int64_t started_ms;             /* unix ms: names the files ({YYYY-MM-DD}/…_{YYYYMMDD}T{HHMMSSmmm}Z_partN, UTC) */
    struct watermark_pos from, to;  /* range this run covers; from NONE for a full load */
    const char *schema_version;     /* schema hash (state/schema.h); NULL = "" */
    bool full;                      /* full load (operation 'I' rows) vs changes */
};

/*
 * Input batches have the source's column layout (src/source/ct.h): the
 * SYS_CHANGE_VERSION, SYS_CHANGE_CREATION_VERSION, SYS_CHANGE_OPERATION
 * columns first (CT_SYS_COLUMNS), then key columns in key order, then the
 * other columns. `schema` is that batch schema (borrowed until sink_finish
 * or sink_abort); `npk` the number of key columns; the sink derives its
 * file schema from it.
 */
struct sink;

/*
 * Validate the options and the table names (each must be usable as one
 * path component) and derive the file schema. No directory or file is
 * created before the first row; the first part creates the table's date
 * directory (durably, fsio_mkdirs).
 * All inputs are copied or borrowed for the call only, except schema.
 * Returns 0 and *out (caller owns; end with sink_finish or sink_abort), or
 * SL_EINVAL (bad names, a schema without the three change columns),
 * SL_EIO/SL_ENOSPC (directory creation), SL_ENOMEM, with err filled.
 */
int sink_open(const struct sink_options *opt, const struct sink_table *t, const struct sink_run *run,
              const struct batch_schema *schema, size_t npk, struct sink **out, struct sl_err *err);

/*
 * Append all rows of b (borrowed for the call; schema as at sink_open).
 * Rolls to a new part when the current one holds max_file_rows rows.
 * Returns 0 or SL_E* with err filled (SL_ECONVERT for invalid UTF-8,
 * SL_ENOSPC/SL_EIO from the file system); the sink is then failed.
 */
int sink_write(struct sink *s, const struct batch *b, struct sl_err *err);

/* Rows accepted so far. */
uint64_t sink_rows(const struct sink *s);

struct sink_file {       /* one published file */
    char *path;          /* relative to root: data/{db}/{schema}/{table}/{YYYY-MM-DD}/{schema}_{table}_{timestamp}_part{N}.parquet */
    uint64_t rows, bytes;
};
struct sink_result {
    struct sink_file *files; /* in part order */
    size_t nfiles;
    uint64_t rows, bytes;
    uint64_t inserts, updates, deletes; /* rows by operation (for sync_history) */
};

/*
 * Close the open part (footer kv marks it last), make every part durable:
 * temp name -> fsync -> rename -> fsync dir. Only after it returns 0 may
 * the caller store the watermark. A run with zero rows publishes no file
 * (res->nfiles == 0). Frees s in every case. On failure res is empty, err
 * is filled, every temp is removed and every part this call had already
 * renamed is removed again (best effort), so nothing of the run remains
 * under a final name unless a crash interrupts the cleanup (orphan
 * recovery then removes the incomplete run). res: caller owns, free with
 * sink_result_free.
 */
int sink_finish(struct sink *s, struct sink_result *res, struct sl_err *err);

/* Remove temps, publish nothing, free s. NULL ok. */
void sink_abort(struct sink *s);

/* Free what sink_finish stored in r and zero it. NULL ok. */
void sink_result_free(struct sink_result *r);

/* ---- footer read-back (orphan recovery) ---- */

/* The sluice metadata of one data file; strings in the caller's arena. */
struct sink_footer {
    bool has_meta;              /* the footer carried sluice.run_id */
    const char *table;          /* db.schema.table, or NULL */
    const char *run_id;
    struct watermark_pos from;  /* the position the run started after */
    struct watermark_pos to;    /* the position the run ended at */
    int part;                   /* 1..N; 0 when absent */
    bool last;
    const char *schema_version; /* or NULL */
    const char *format;         /* "per_table" | "unified", or NULL */
    const char *mode;           /* "full" | "incremental", or NULL */
    int format_version;         /* 0 when absent */
};

/*
 * Read the sluice footer keys of the Parquet file at path (only the
 * footer is parsed: any schema, nested or not, is fine). Returns 0 with
 * out filled (out->has_meta false for a Parquet file without sluice keys),
 * SL_ECORRUPT for a file that is not Parquet or whose sluice keys are
 * malformed (bad position text, part), SL_EIO/SL_ENOTFOUND, SL_ENOMEM.
 */
int sink_footer_read(const char *path, struct sink_footer *out, struct arena *a,
                     struct sl_err *err);

/* Parse the text of a position as stored in sluice.from / sluice.to
 * (watermark_pos_format's "version 42", "lsn X seqval Y", "none") back
 * into p. 0 or SL_ECORRUPT. */
int sink_pos_parse(const char *text, struct watermark_pos *p);

/* ---- JSON of a row (unified data, jsonl) ---- */

/*
 * Append row `row` of b as one JSON object to out: the columns cols[0..n)
 * (all columns in order when cols is NULL), each as "name": value with
 *   BOOL true/false; INT* a number; FLOAT/DOUBLE a number of 6..9 (float)
 *   or 15..17 (double) significant digits, the fewest that read back to the
 *   same value ("NaN", "Infinity", "-Infinity" as strings, -0 as -0); DECIMAL a string with exactly scale fraction
 *   digits ("-0.50"); DATE "YYYY-MM-DD"; TIMESTAMP "YYYY-MM-DDTHH:MM:SS.ffffff"
 *   with a trailing "Z" when utc_adjusted; STRING and JSON a string;
 *   BINARY a base64 string (RFC 4648, padded); NULL null.
 * Returns 0, SL_ENOMEM or SL_ELIMIT (out's limit).
 */
int sink_json_row(struct buf *out, const struct batch *b, size_t row, const size_t *cols,
                  size_t n);

#endif
