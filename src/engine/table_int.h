/*
 * table_int: one table's run as table.c (Change Tracking, the shared
 * steps) and cdc_table.c (Change Data Capture) both see it. Not for other
 * modules.
 *
 * table.c owns the run (lock, recovery, connection, discovery, retries,
 * history); after discovery it asks cdc_table_capture which capture the
 * table uses, and for CDC hands the rest of the attempt to cdc_table_run,
 * which plans, reads and commits through table_commit_state exactly as
 * the Change Tracking path does (files durable → watermark → history →
 * manifest).
 */
#ifndef SL_ENGINE_TABLE_INT_H
#define SL_ENGINE_TABLE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "engine/internal.h"
#include "state/clock.h"
#include "state/schema.h"
#include "state/watermark.h"

struct catalog_table;
struct sink_options;
struct sink_result;
struct sink_run;
struct sink_table;

/* Everything one run of one table carries between its steps. */
struct table_run {
    struct worker *w;
    const struct engine_options *opt;
    const struct table_ref *ref;
    struct engine_result *res;
    char name[800];                 /* db.schema.table, the log context */
    char run_id[48];
    int64_t started_ms;
    char started_at[CLOCK_ISO_LEN];
    struct arena arena;             /* watermark, schema: the whole run */
    struct watermark wm;            /* durable position at the start */
    bool have_wm;
    char schema_version[SCHEMA_VERSION_LEN + 1];
    bool pk_changed;
    bool committed;                 /* the watermark was stored */
    int64_t version;                /* the version this run reads up to */
    bool has_begin;                 /* begin_version read in this run's snapshot */
    int64_t begin_version;
    char applock[600];              /* "sluice:schema.table", the cross-machine lock */
    bool applock_busy;              /* another session holds it: skip the table */
};

/* "20261121T100000Z-1a2b3c4d": the time ms of a run plus 32 random bits, into out. */
void table_make_run_id(int64_t ms, char *out, size_t cap);

/* The sink options, table identity and run fields common to CT and CDC runs
 * of r (range and full are the caller's). */
void table_sink_setup(const struct table_run *r, struct sink_options *so, struct sink_table *st,
                      struct sink_run *run);

/*
 * Store what res made durable: the watermark r->res->to (plan, counts and
 * from taken from r->res), then the history line, then the manifest.
 * Sets r->committed once the watermark is stored. 0 or SL_E* with err.
 */
int table_commit_state(struct table_run *r, const struct sink_result *res, struct sl_err *err);

/*
 * Which capture the table uses (cdc_table.c): `ct` and `cdc` as
 * configured; `auto` keeps the capture of an existing watermark, else
 * Change Tracking when the table is tracked, else CDC when it has a
 * capture instance, else Change Tracking, whose plan then fails naming
 * what is missing (tracking off, or no permission) with a hint (mode full
 * needs neither).
 * Runs queries on r->w->conn outside any transaction.
 */
int cdc_table_capture(struct table_run *r, const struct catalog_table *t, bool *use_cdc,
                      struct sl_err *err);

/*
 * The rest of a CDC attempt (spec/ct-cdc.md §B6, §B7): plan, read into
 * the output, commit. A table whose watermark still lies in an older
 * capture instance is finished there first (committed up to just before
 * the newer instance's start_lsn) and then continued in the newer one in
 * the same run. 0 or SL_E* with err; r->committed says whether any step
 * was stored.
 */
int cdc_table_run(struct table_run *r, const struct catalog_table *t, struct sl_err *err);

/*
 * Write the Change Tracking rows of rd (layout of source/ct.h; full: a
 * full load) to the configured jsonl stream and make them durable
 * (cdc_table.c, which owns the stream output). A broken pipe returns
 * SL_ECANCELLED (source_code EPIPE) and the caller stores nothing.
 */
struct reader;
int cdc_table_stream_ct(struct table_run *r, struct reader *rd, bool full, size_t npk,
                        struct sl_err *err);

#endif
