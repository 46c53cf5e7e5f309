/*
 * ct: SQL Server Change Tracking, the exact procedure of spec/ct-cdc.md
 * §A9, as functions that build its T-SQL and thin wrappers that run it.
 *
 * One sync of one table:
 *
 *   ct_begin            SET TRANSACTION ISOLATION LEVEL SNAPSHOT; BEGIN TRANSACTION;
 *   ct_versions         SELECT CHANGE_TRACKING_CURRENT_VERSION();
 *                       SELECT CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID(N'[s].[t]'));
 *   ct_plan             full (no watermark, or watermark < min valid) / incremental
 *   ct_open_full        SELECT <version>, NULL, N'I', T.<pk>, T.<cols> FROM [s].[t] AS T
 *   ct_open_changes     SELECT CT.SYS_CHANGE_VERSION, CT.SYS_CHANGE_CREATION_VERSION,
 *                         CT.SYS_CHANGE_OPERATION, CT.<pk>, T.<non-pk>
 *                       FROM CHANGETABLE(CHANGES [s].[t], @last) AS CT
 *                       LEFT OUTER JOIN [s].[t] AS T ON T.<pk> = CT.<pk> ...
 *                       ORDER BY CT.SYS_CHANGE_VERSION, CT.<pk>
 *   ct_commit           COMMIT TRANSACTION;  (the caller persists the new watermark
 *                                             only after its sinks made the data durable)
 *
 * Both reads produce the same columns in the same order (the three
 * SYS_CHANGE_* columns, the key columns in key order, then the other
 * columns in column_id order), so one batch schema serves a table.
 * Key columns come from CT so that deletes carry their key; all other
 * columns are nullable because a deleted row has no base row.
 *
 * Everything built here is T-SQL that SQL Server accepts; @last is bound
 * as a parameter, never spliced into the text.
 */
#ifndef SL_SOURCE_CT_H
#define SL_SOURCE_CT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "source/reader.h"
#include "source/typemap.h"

struct buf;
struct catalog_table;
struct odbc_conn;
struct odbc_stmt;

/* Number of SYS_CHANGE_* columns ahead of the table's columns. */
#define CT_SYS_COLUMNS 3

enum ct_plan {
    CT_PLAN_FULL = 1,        /* no watermark yet: initial load */
    CT_PLAN_RELOAD,          /* watermark older than the minimum valid version */
    CT_PLAN_INCREMENTAL,     /* watermark still valid */
    CT_PLAN_NOT_TRACKED,     /* min valid version is NULL: table not tracked */
};

/* SQL text builders: append to out; 0 or SL_ENOMEM / SL_ELIMIT. */
int ct_sql_begin(struct buf *out);
int ct_sql_current_version(struct buf *out);
int ct_sql_min_valid_version(struct buf *out, const struct catalog_table *t);
/* One parameter: the version the snapshot was read at (bigint). */
int ct_sql_full(struct buf *out, const struct catalog_table *t);
/* One parameter: the last synced version (bigint, not NULL). */
int ct_sql_changes(struct buf *out, const struct catalog_table *t);
int ct_sql_commit(struct buf *out);
int ct_sql_rollback(struct buf *out);

/*
 * Decide what to read (§A3/§A9): min_valid_null means the table is not
 * tracked; without a watermark the table is loaded in full; a watermark
 * below the minimum valid version needs a full reload; equal is valid.
 */
enum ct_plan ct_plan(bool have_last, int64_t last, bool min_valid_null, int64_t min_valid);

/*
 * The result columns of ct_sql_full / ct_sql_changes for table t, with
 * their types mapped by typemap (opt may be NULL). *cols is allocated in
 * arena a (caller's; names borrowed from t). SL_EINVAL when t has no
 * primary key; SL_EUNSUPPORTED for a column type with no mapping.
 */
int ct_columns(const struct catalog_table *t, const struct typemap_options *opt,
               struct arena *a, struct reader_column **cols, size_t *ncols, struct sl_err *err);

/* Run ct_sql_begin / ct_sql_commit / ct_sql_rollback on c. */
int ct_begin(struct odbc_conn *c, struct sl_err *err);
int ct_commit(struct odbc_conn *c, struct sl_err *err);
int ct_rollback(struct odbc_conn *c, struct sl_err *err);

/*
 * Read the current version and the table's minimum valid version (inside
 * the snapshot transaction). *current_null is true when CT is off for the
 * database; *min_null when the table is not tracked.
 */
int ct_versions(struct odbc_conn *c, const struct catalog_table *t, int64_t *current,
                bool *current_null, int64_t *min_valid, bool *min_null, struct sl_err *err);

/*
 * The table's sys.change_tracking_tables.begin_version: the database
 * version when tracking of the table began, reset by TRUNCATE TABLE and by
 * re-enabling tracking (spec §A1). *is_null when the table is not tracked
 * (or not visible to the login).
 */
int ct_sql_begin_version(struct buf *out, const struct catalog_table *t);
int ct_begin_version(struct odbc_conn *c, const struct catalog_table *t, int64_t *v, bool *is_null,
                     struct sl_err *err);

/*
 * Open a reader over the full table (at snapshot version `version`) or
 * over the changes after `last`. *stmt is a new statement the caller owns
 * (destroy it after reader_destroy); *r reads it. Column types come from
 * ct_columns; the full read also serves a table without a primary key
 * (mode full), whose rows then come in no particular order.
 */
int ct_open_full(struct odbc_conn *c, const struct catalog_table *t, int64_t version,
                 const struct typemap_options *tm, const struct reader_options *ro,
                 struct odbc_stmt **stmt, struct reader **r, struct sl_err *err);
int ct_open_changes(struct odbc_conn *c, const struct catalog_table *t, int64_t last,
                    const struct typemap_options *tm, const struct reader_options *ro,
                    struct odbc_stmt **stmt, struct reader **r, struct sl_err *err);

#endif
