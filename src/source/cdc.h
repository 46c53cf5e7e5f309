/*
 * cdc: SQL Server Change Data Capture, the polling procedure of
 * spec/ct-cdc.md §B6 and the capture-instance migration of §B7, as
 * functions that build its T-SQL and thin wrappers that run it.
 *
 * One poll of one table:
 *
 *   cdc_max_lsn          SELECT sys.fn_cdc_get_max_lsn();
 *                        (NULL: nothing captured yet, the capture job has not run)
 *   cdc_instances        SELECT capture_instance, start_lsn, supports_net_changes, object_id
 *                        FROM cdc.change_tables WHERE source_object_id = @table
 *                        ORDER BY start_lsn, create_date;
 *   cdc_choose           which instance to read; an older one is finished
 *                        first, up to just before the newer one's start_lsn (§B7)
 *   cdc_min_lsn          SELECT sys.fn_cdc_get_min_lsn(@instance);
 *                        (all zeros: missing instance or no permission: an error)
 *   cdc_increment_lsn    SELECT sys.fn_cdc_increment_lsn(@last);
 *   cdc_plan             full / reload (from < min: data lost) / incremental / nothing new
 *   cdc_captured_columns SELECT ... FROM cdc.captured_columns ... ORDER BY column_ordinal;
 *   cdc_colset_build     which table columns the instance delivers, and which not
 *   cdc_open_changes     SELECT [__$start_lsn], [__$seqval], [__$operation], <key>, <cols>
 *                        FROM cdc.[fn_cdc_get_all_changes_<ci>](@from, @to, N'all update old')
 *                        ORDER BY [__$start_lsn], [__$seqval], [__$operation];
 *                        (or fn_cdc_get_net_changes_<ci>(@from, @to, N'all'))
 *   cdc_open_full        the table itself, in the same layout, for a full load
 *
 * Batch layout (what the reader produces, what sinks receive): the three
 * CDC columns first (CDC_SYS_COLUMNS), then the key columns in key order,
 * then the other captured columns in column_id order:
 *
 *   __$start_lsn   BINARY(10), required  commit LSN of the transaction
 *   __$seqval      BINARY(10), nullable  order within the transaction
 *                                        (NULL in net changes and full loads)
 *   __$operation   INT32, required       1 delete, 2 insert, 3 update before-image,
 *                                        4 update after-image (net: 1, 2, 4);
 *                                        a full load's rows are 2
 *
 * so that sink_row_op (src/sink) reads the operation from column 2 as it
 * does for Change Tracking. Key columns are NOT NULL; every other column
 * is nullable (CDC reports NULL for LOB columns in before-images and for
 * columns dropped after the instance was created).
 *
 * Everything built here is T-SQL that SQL Server accepts. LSNs are bound
 * as binary(10) parameters and instance names as nvarchar parameters,
 * never spliced into text, except where T-SQL needs a name in the text
 * (the instance's function name), which goes through catalog_quote_ident.
 */
#ifndef SL_SOURCE_CDC_H
#define SL_SOURCE_CDC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/lsn.h"
#include "source/reader.h"
#include "source/typemap.h"

struct buf;
struct catalog_table;
struct odbc_conn;
struct odbc_stmt;

/* Number of CDC columns ahead of the table's columns. */
#define CDC_SYS_COLUMNS 3

/* __$operation values (spec §B2). */
enum cdc_op { CDC_OP_DELETE = 1, CDC_OP_INSERT = 2, CDC_OP_BEFORE = 3, CDC_OP_AFTER = 4 };

/* One capture instance of a table: a row of cdc.change_tables. */
struct cdc_instance {
    const char *name;  /* capture_instance, UTF-8 */
    struct lsn start;  /* start_lsn */
    bool start_null;   /* start_lsn is NULL: the capture job has not started it yet */
    bool net_changes;  /* supports_net_changes: fn_cdc_get_net_changes_<name> exists */
    int64_t object_id; /* the change table's object id */
};

/* One row of cdc.captured_columns. */
struct cdc_captured {
    const char *name;      /* column_name, as when the instance was created */
    int column_id;         /* the column's id in the source table */
    const char *type_name; /* column_type */
    int ordinal;           /* column_ordinal: the bit in __$update_mask */
};

/*
 * The columns a capture instance delivers for a table, in batch order,
 * and what it leaves out. Built by cdc_colset_build; arrays and strings
 * in the caller's arena, names borrowed from the table and captured rows.
 */
struct cdc_colset {
    const char *instance;
    size_t *cols;         /* indices into t->cols: key columns in key order, then the
                           * other captured columns in column_id order */
    const char **select;  /* per cols[i]: the name to select from the function (the
                           * captured name, which a rename does not change) */
    size_t ncols, npk;
    const char **uncaptured; /* table columns the instance does not capture */
    size_t nuncaptured;
    const char **dropped;    /* captured columns no longer in the table (they read NULL
                              * in new rows; not delivered) */
    size_t ndropped;
};

enum cdc_plan {
    CDC_PLAN_FULL = 1,     /* no watermark: full load at max, then stream from increment(max) */
    CDC_PLAN_RELOAD,       /* increment(last) < min: cleanup removed changes not yet read */
    CDC_PLAN_INCREMENTAL,  /* read [increment(last), max] */
    CDC_PLAN_NOTHING,      /* last == max: nothing new */
    CDC_PLAN_NOT_CAPTURED, /* max LSN is NULL: nothing captured yet (capture job not running?) */
    CDC_PLAN_NO_INSTANCE,  /* min LSN all zeros: the instance is missing or not readable */
    CDC_PLAN_AHEAD,        /* last > max: the watermark is past the server (restored
                            * database, or another server) */
};

/* "full", "reload", ... for messages and logs. */
const char *cdc_plan_name(enum cdc_plan p);

/* ---- SQL text builders: append to out; 0 or SL_ENOMEM / SL_ELIMIT ---- */

int cdc_sql_max_lsn(struct buf *out);
/* One parameter: the capture instance (nvarchar). */
int cdc_sql_min_lsn(struct buf *out);
/* Both: one parameter, an LSN (binary(10)). */
int cdc_sql_increment_lsn(struct buf *out);
int cdc_sql_decrement_lsn(struct buf *out);
/* One parameter: the source table's object id (bigint). */
int cdc_sql_instances(struct buf *out);
/* One parameter: the capture instance. Used to explain an all-zero min LSN. */
int cdc_sql_instance_start(struct buf *out);
/* One parameter: the capture instance. */
int cdc_sql_captured_columns(struct buf *out);
/*
 * The change queries for table t through the instance and columns of
 * set. Two parameters: from and to LSN (binary(10)). all_changes with
 * update_old gives op 3 before each op 4 (N'all update old'), without it
 * only op 4 (N'all'). Net changes use N'all' (ops 1, 2, 4, no mask);
 * whether the instance has that function (cdc_instance.net_changes) is
 * the caller's check: without it SQL Server answers Msg 208.
 */
int cdc_sql_all_changes(struct buf *out, const struct catalog_table *t,
                        const struct cdc_colset *set, bool update_old);
int cdc_sql_net_changes(struct buf *out, const struct catalog_table *t,
                        const struct cdc_colset *set);
/* The full load in the batch layout. One parameter: the LSN the load
 * stands for (binary(10)), returned as every row's __$start_lsn. */
int cdc_sql_full(struct buf *out, const struct catalog_table *t, const struct cdc_colset *set);

/* ---- decisions (pure) ---- */

/*
 * Decide what to read (§B6). last: the watermark (ignored unless
 * have_last); next: fn_cdc_increment_lsn(last), needed only when
 * have_last and last < max (may be NULL otherwise); min: the instance's
 * min LSN; max NULL when fn_cdc_get_max_lsn() is NULL. Checked in this
 * order: max NULL, min all zeros, no watermark, last == max, last > max,
 * next < min (equal is valid), else incremental.
 */
enum cdc_plan cdc_plan(bool have_last, const struct lsn *last, const struct lsn *next,
                       const struct lsn *min, const struct lsn *max);

/* Which instances to read for one poll (§B7). */
struct cdc_choice {
    const struct cdc_instance *cur; /* read from max(from, cur->start) */
    const struct cdc_instance *old; /* first finish this one over [from, before cur->start],
                                     * or NULL */
};

/*
 * Choose among a table's instances v[0..n) (any order). cur is the
 * started instance with the highest start_lsn (on a tie, the later in v);
 * instances whose start_lsn is still NULL are not used yet. With a
 * watermark whose next LSN (increment(last)) is below cur's start_lsn,
 * old is the started instance with the highest start_lsn below cur's: the
 * changes before cur's start are read from it, so none is lost or read
 * twice. Without a watermark old is NULL (a full load reads the table).
 * Returns 0, or SL_ENOTFOUND (n == 0) / SL_EBUSY (no instance started)
 * with err naming the table (label) and a hint.
 */
int cdc_choose(const struct cdc_instance *v, size_t n, bool have_last, const struct lsn *next,
               const char *label, struct cdc_choice *out, struct sl_err *err);

/*
 * Match the instance's captured columns cc[0..ncc) (by column_id) against
 * table t and fill *out (arrays in arena a). Every key column of t must be
 * captured (SL_EINVAL naming it otherwise).
 */
int cdc_colset_build(const struct catalog_table *t, const char *instance,
                     const struct cdc_captured *cc, size_t ncc, struct arena *a,
                     struct cdc_colset *out, struct sl_err *err);

/*
 * The result columns of the change and full-load queries for set, typed
 * by typemap from t's declared types (opt may be NULL). *cols in arena a.
 * SL_EUNSUPPORTED for a column type with no mapping.
 */
int cdc_columns(const struct catalog_table *t, const struct cdc_colset *set,
                const struct typemap_options *opt, struct arena *a, struct reader_column **cols,
                size_t *ncols, struct sl_err *err);

/* ---- wrappers: run the statements on c ---- */

/* sys.fn_cdc_get_max_lsn(): *is_null when nothing has been captured. */
int cdc_max_lsn(struct odbc_conn *c, struct lsn *max, bool *is_null, struct sl_err *err);

/*
 * sys.fn_cdc_get_min_lsn(instance). All zeros is never returned: it is
 * SL_EBUSY when cdc.change_tables shows the instance with a NULL
 * start_lsn (not started by the capture job yet), else SL_ENOTFOUND
 * (missing instance or no permission), each naming the instance, with a
 * hint.
 */
int cdc_min_lsn(struct odbc_conn *c, const char *instance, struct lsn *min, struct sl_err *err);

/* sys.fn_cdc_increment_lsn / sys.fn_cdc_decrement_lsn of in. */
int cdc_increment_lsn(struct odbc_conn *c, const struct lsn *in, struct lsn *out,
                      struct sl_err *err);
int cdc_decrement_lsn(struct odbc_conn *c, const struct lsn *in, struct lsn *out,
                      struct sl_err *err);

/*
 * The capture instances of t, ordered by start_lsn then create_date (a
 * NULL start_lsn sorts first, as SQL Server orders NULLs). *v and names
 * in arena a; *n may be 0 (table not enabled, or not visible).
 */
int cdc_instances(struct odbc_conn *c, const struct catalog_table *t, struct arena *a,
                  struct cdc_instance **v, size_t *n, struct sl_err *err);

/* The captured columns of instance in column_ordinal order; *v in arena a. */
int cdc_captured_columns(struct odbc_conn *c, const char *instance, struct arena *a,
                         struct cdc_captured **v, size_t *n, struct sl_err *err);

/*
 * One poll's window for instance, running §B6 on c: max LSN, min LSN
 * (errors as cdc_min_lsn, unless max is NULL), increment(last) when
 * needed, then cdc_plan. *plan says what to do; [*from, *to] is the
 * window to read for CDC_PLAN_INCREMENTAL; for CDC_PLAN_FULL and
 * CDC_PLAN_RELOAD *to is the max LSN the full load stands for. *min is
 * the instance's min LSN (zero when max is NULL).
 */
struct cdc_window {
    enum cdc_plan plan;
    struct lsn from, to, min;
};
int cdc_window(struct odbc_conn *c, const char *instance, bool have_last, const struct lsn *last,
               struct cdc_window *w, struct sl_err *err);

/*
 * Open a reader over the changes of set's instance in [from, to]: all
 * changes (with before-images when update_old), or net changes when net.
 * *stmt is a new statement the caller owns (destroy it after
 * reader_destroy); *r reads it, in the batch layout above.
 */
int cdc_open_changes(struct odbc_conn *c, const struct catalog_table *t,
                     const struct cdc_colset *set, bool net, bool update_old,
                     const struct lsn *from, const struct lsn *to,
                     const struct typemap_options *tm, const struct reader_options *ro,
                     struct odbc_stmt **stmt, struct reader **r, struct sl_err *err);

/* Open a reader over the whole table in the batch layout, every row an
 * insert at LSN at (the max LSN read before the load). */
int cdc_open_full(struct odbc_conn *c, const struct catalog_table *t, const struct cdc_colset *set,
                  const struct lsn *at, const struct typemap_options *tm,
                  const struct reader_options *ro, struct odbc_stmt **stmt, struct reader **r,
                  struct sl_err *err);

#endif
