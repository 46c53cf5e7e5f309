/*
 * export: one ODBC query into ONE Parquet file, atomically (the building
 * block of `sluice export`).
 *
 * This is the one place in src/sink that sees the source stage: it runs
 * the query through source/reader.h and writes the batches with the
 * Parquet writer, so it lives in its own library (sl_sink_export) and
 * sl_sink stays free of ODBC (DESIGN "a sink never sees TDS or ODBC").
 *
 * Publishing follows the sink's protocol: the file is written as
 * .{name}.tmp next to out_path, fsynced, renamed to out_path (replacing
 * an existing file, as `export` is asked to), and the directory fsynced.
 * A failure at any step removes the temp and leaves out_path untouched.
 */
#ifndef SL_SINK_EXPORT_H
#define SL_SINK_EXPORT_H

#include <stdint.h>

#include "core/err.h"
#include "sink/sink.h"

struct odbc_conn;

/*
 * Run sql (borrowed) on c and write its whole result to out_path. The
 * result's column types come from the driver's description of the result
 * (SQLDescribeCol), mapped as in docs/type-mapping.md. opt supplies the
 * codec, level, row group size and fsio hooks (root, format, soft_delete
 * and max_file_rows are ignored; NULL = defaults). *rows (if not NULL)
 * gets the row count. An empty result still writes a file with the
 * result's schema. Returns 0 or SL_E* with err filled.
 */
int sink_export(struct odbc_conn *c, const char *sql, const char *out_path,
                const struct sink_options *opt, uint64_t *rows, struct sl_err *err);

#endif
