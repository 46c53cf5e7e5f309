/*
 * engine: `sluice sync` without the command line. Runs every configured
 * table through the per-table state machine
 *
 *   LOCK → RECOVER (orphans of a crashed run) → PLAN (full or incremental,
 *   inside a SNAPSHOT transaction) → READ (batches) → WRITE (sink) →
 *   COMMIT (files durable → watermark → history → manifest) → UNLOCK
 *
 * on a pool of worker threads, one ODBC connection per worker. One
 * table's failure never stops the others; transient failures (retry.h) are
 * retried on a fresh connection with exponential backoff, permanent ones
 * are reported at once. Every run that got its table lock leaves one line
 * in the table's sync_history.jsonl, failures included.
 *
 * Owns: the order of the commit steps (the watermark moves only after
 * sink_finish made the files durable; the history line follows the
 * watermark; the manifest follows the history), the per-table retry loop,
 * the worker pool and the serialisation of manifest writes (a mutex in the
 * process and an flock on {root}/.output.yaml.lock across processes).
 * Leaves to others: SQL text (source/ct.c), file bytes (sink/), state file
 * formats (state/), arguments, progress display and exit codes (app/).
 *
 * Threads: engine_sync starts min(workers, tables) threads and joins them
 * before it returns. The options are read-only while it runs; progress
 * counters are atomics the caller may read from another thread.
 */
#ifndef SL_ENGINE_H
#define SL_ENGINE_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "core/err.h"
#include "engine/plan.h"
#include "engine/retry.h"
#include "format/parquet/parquet.h"
#include "state/watermark.h"

struct fsio_ops;

struct engine_options {
    const struct config *cfg;          /* the tables to sync (after --tables) */
    const struct config *manifest_cfg; /* every configured table (for output.yaml); NULL = cfg */
    int workers;                       /* 0 = cfg->parallelism */
    struct retry_policy retry;         /* attempts and backoff per table */
    const struct fsio_ops *io;         /* NULL = the real file system */
    uint64_t max_file_rows;            /* rows per Parquet part; 0 = the sink's default */
    size_t batch_rows;                 /* rows per batch; 0 = the reader's default */
    /*
     * Test hook (fault injection): called at named points of a run
     * ("batch:N" after N batches went to the sink, "finished" after the
     * files are durable, "watermark", "history", "manifest" after those
     * were stored). NULL in production.
     */
    void (*crash_point)(void *arg, const char *table, const char *point);
    void *crash_arg;
    /*
     * `sluice watch` (NULL in sync): only the tables of cfg for which
     * want(want_arg, table) is true are run (and reported); once *stop is
     * non-zero, tables not started yet are skipped ("stopped") while
     * started ones finish and commit.
     */
    bool (*want)(void *arg, const struct config_table *table);
    void *want_arg;
    const volatile sig_atomic_t *stop;
};

enum engine_status {
    ENGINE_OK = 0,
    ENGINE_FAILED,  /* err says why; history has a failed line */
    ENGINE_SKIPPED, /* another process holds the table's lock */
};

struct engine_result {
    const char *db, *schema, *table; /* borrowed from cfg */
    enum engine_status status;
    enum plan_kind plan;             /* when a plan was made; 0 before */
    bool reload;                     /* a full resync that replaced a watermark */
    char reason[400];                /* the plan's reason */
    int attempts;
    int64_t rows, inserts, updates, deletes;
    size_t nfiles;
    uint64_t bytes;
    struct watermark_pos from, to;
    int64_t duration_ms;
    struct sl_err err; /* ENGINE_FAILED / ENGINE_SKIPPED */
};

/* Live counters for a progress display (any thread may read them). */
struct engine_progress {
    atomic_uint_fast64_t rows; /* rows handed to sinks, all tables */
    atomic_int started, done;  /* tables */
    int total;
};

/*
 * Sync every table of opt->cfg. On return (0) *results holds one entry per
 * table in config order (caller owns; free with sl_free) and *n their
 * number; per-table outcomes are in the entries, never in the return
 * value. Returns SL_ENOMEM / SL_EINVAL only when the run could not start
 * at all (err filled). progress may be NULL.
 */
int engine_sync(const struct engine_options *opt, struct engine_progress *progress,
                struct engine_result **results, size_t *n, struct sl_err *err);

/* The Parquet codec of a storage.parquet_compression value. */
enum parquet_codec engine_codec(enum config_compression c);

/* "ok", "failed", "skipped". */
const char *engine_status_name(enum engine_status s);

#endif
