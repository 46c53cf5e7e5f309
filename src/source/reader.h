/*
 * reader: run one SELECT over ODBC and stream its rows into column batches
 * of at most N rows, with memory bounded by N, the declared column widths
 * and a byte budget, whatever the size of the result.
 *
 * Each column is read with the C type that keeps its value exact (see
 * typemap.h): integers as SQL_C_SBIGINT, decimal/money and the date/time
 * types with fractions as text parsed exactly, strings as UTF-16 converted
 * to UTF-8 here (unpaired surrogates become U+FFFD), binaries as bytes.
 * Columns up to the first unbounded one ((max), text, xml, ...) are bound
 * in column-wise arrays and block-fetched N rows at a time; from the first
 * unbounded column on, values are read with chunked SQLGetData one row at
 * a time (ODBC allows SQLGetData only after the bound columns and only
 * with a one-row rowset). A large value is never truncated: past the
 * large-value limit the read fails with SL_ELIMIT naming the column.
 *
 * What it leaves to others: the SQL text and its parameters (ct.c or the
 * caller), the column types (catalog.c + typemap.c), what happens to a
 * batch (sinks).
 *
 * Lifecycle:
 *
 *   reader_open ──▶ streaming ──reader_next (batch)──▶ streaming
 *                       │
 *                       └──reader_next (NULL: end)──▶ done ──reader_destroy
 *
 * reader_destroy is valid in every state; after an error only
 * reader_destroy is.
 */
#ifndef SL_SOURCE_READER_H
#define SL_SOURCE_READER_H

#include <stddef.h>

#include "batch/batch.h"
#include "core/err.h"
#include "source/typemap.h"

struct odbc_stmt;
struct reader;

struct reader_column {
    const char *name; /* UTF-8 field name (copied into the batch schema) */
    struct typemap_col tm;
};

struct reader_options {
    size_t batch_rows;   /* rows per batch; 0 = 4096 */
    size_t var_budget;   /* var-len bytes per batch before it is handed over; 0 = 64 MiB */
    size_t bind_budget;  /* bytes of bound column arrays; 0 = 32 MiB */
    size_t value_limit;  /* largest single value read with SQLGetData; 0 = 256 MiB */
};

/*
 * Execute sql (borrowed) on stmt (borrowed until reader_destroy; its
 * parameters already bound) and prepare to read a result whose columns
 * are cols[0..ncols) in order (copied). The result must have exactly
 * ncols columns. sql NULL means the caller already executed stmt (to
 * describe an ad-hoc query's result first, as sink_export does). On success *out is a reader (caller owns) and 0 is
 * returned; on failure *out is NULL and err names the statement.
 */
int reader_open(struct odbc_stmt *stmt, const char *sql, const struct reader_column *cols,
                size_t ncols, const struct reader_options *opt, struct reader **out,
                struct sl_err *err);

/* The batch schema (borrowed until reader_destroy). */
const struct batch_schema *reader_schema(const struct reader *r);

/*
 * The next batch of rows: *out is a batch with at least one row (borrowed
 * until the next reader_next or reader_destroy, which reuse it), or NULL
 * when the result is exhausted. Returns 0 or SL_E* (conversion failures
 * are SL_ECONVERT naming the column and row; server errors carry the
 * SQL Server message number).
 */
int reader_next(struct reader *r, struct batch **out, struct sl_err *err);

/* Rows delivered so far. */
size_t reader_rows(const struct reader *r);

/* Free the reader and its batch; closes the statement's cursor. NULL ok. */
void reader_destroy(struct reader *r);

#endif
