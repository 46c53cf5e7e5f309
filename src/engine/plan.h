/*
 * plan: decide what one table's run reads, full or incremental, and say
 * why in words a data engineer can act on. A pure function of the table's
 * mode, its durable watermark and what the server reported inside the
 * run's snapshot (spec/ct-cdc.md §A3, §A9); `sluice check` prints the same
 * decision without reading anything.
 *
 * Rules, in order:
 *  - mode full: always a full load (change tracking optional).
 *  - change tracking off for the database or the table: an error naming
 *    the statement that turns it on (or mode: full).
 *  - no watermark: full_incremental loads in full; incremental fails.
 *  - a primary-key change since the watermark, a reset of the table's
 *    tracking since the watermark (its begin_version moved: TRUNCATE TABLE
 *    or tracking re-enabled, which the minimum valid version alone misses
 *    when nothing else committed in between), or a watermark below the
 *    table's minimum valid version (retention passed it): full_incremental
 *    reloads with a warning; incremental fails, because it never reloads.
 *  - otherwise incremental from the watermark (equal to the minimum valid
 *    version is still valid).
 */
#ifndef SL_ENGINE_PLAN_H
#define SL_ENGINE_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "core/err.h"

enum plan_kind {
    PLAN_FULL = 1,    /* read the whole table */
    PLAN_INCREMENTAL, /* read CHANGETABLE(CHANGES ...) after the watermark */
};

/* What the plan is decided from. */
struct plan_input {
    const char *table;       /* "db.schema.table", for messages (borrowed) */
    const char *quoted;      /* "[schema].[table]", for the hints (borrowed) */
    const char *db;          /* database name, for the hints (borrowed) */
    enum config_mode mode;
    bool have_watermark;
    int64_t watermark;       /* CT version, when have_watermark */
    bool db_tracked;         /* CHANGE_TRACKING_CURRENT_VERSION() is not NULL */
    bool table_tracked;      /* CHANGE_TRACKING_MIN_VALID_VERSION(...) is not NULL */
    int64_t current;         /* current version, when db_tracked */
    int64_t min_valid;       /* minimum valid version, when table_tracked */
    bool pk_changed;         /* the key differs from the watermark's schema */
    bool tracking_reset;     /* begin_version differs from the watermark's (TRUNCATE, re-enable) */
};

struct plan {
    enum plan_kind kind;
    bool reload;       /* a full load that replaces an existing watermark (warn) */
    char reason[400];  /* one sentence: why this plan */
};

/*
 * Decide the plan for in. Returns 0 with *out filled, or SL_ESTATE with
 * err naming the table, what is wrong and a hint (change tracking off,
 * incremental without a usable watermark). Pure; no I/O.
 */
int plan_decide(const struct plan_input *in, struct plan *out, struct sl_err *err);

/* "full" or "incremental". */
const char *plan_kind_name(enum plan_kind k);

#endif
