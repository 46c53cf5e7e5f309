/*
 * engine internals shared by engine.c (the pool), table.c (one table's
 * run), recover.c (orphans after a crash) and publish.c (the manifest).
 * Not for other modules.
 */
#ifndef SL_ENGINE_INTERNAL_H
#define SL_ENGINE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/engine.h"

struct odbc_conn;

/* State every worker shares; read-only but for the mutex. */
struct engine_shared {
    const struct engine_options *opt;
    struct engine_progress *progress; /* may be NULL */
    pthread_mutex_t manifest_mu;      /* one manifest writer in the process */
    pthread_mutex_t stream_mu;        /* jsonl to stdout: one batch's lines at a time */
};

/* One worker thread: its connection, kept across tables of one database. */
struct worker {
    struct engine_shared *sh;
    struct odbc_conn *conn; /* NULL until needed; closed after any failure */
    const char *conn_db;    /* database conn is connected to (borrowed from cfg) */
    uint64_t seed;          /* jitter PRNG */
};

/* Which configured table a job is. */
struct table_ref {
    const struct config_database *db;
    const struct config_schema *schema;
    const struct config_table *table;
};

/*
 * Run one table start to end (lock, recovery, attempts with retries,
 * history) and fill res. Never fails as a whole: the outcome is in res.
 */
void table_sync(struct worker *w, const struct table_ref *t, struct engine_result *res);

/*
 * Crash recovery of one table under opt->cfg's root, called with the
 * table's lock held and before anything is read: appends the history line
 * of a watermark whose run has none, then classifies the data files with
 * state/orphan and acts (removes temps and never-covered files, adopts a
 * complete interrupted run by storing its watermark and history line,
 * keeps and warns about the rest). *adopted is true when a run was
 * adopted (the manifest is then due). ctx names the table in logs.
 */
int recover_table(const struct engine_options *opt, const char *db, const char *schema,
                  const char *table, const char *ctx, bool *adopted, struct sl_err *err);

/*
 * Rewrite {root}/output.yaml from every table of manifest_cfg (watermark,
 * schema, files), serialised by sh->manifest_mu in the process and an
 * flock on {root}/.output.yaml.lock across processes.
 */
int publish_manifest(struct engine_shared *sh, struct sl_err *err);

/* Call the crash hook if one is set. */
void engine_crash_point(const struct engine_options *opt, const char *table, const char *point);

#endif
