/*
 * plan: see plan.h.
 */
#include "engine/plan.h"

#include <stdio.h>

const char *plan_kind_name(enum plan_kind k)
{
    return k == PLAN_INCREMENTAL ? "incremental" : "full";
}

static int not_tracked(const struct plan_input *in, struct sl_err *err)
{
    if (!in->db_tracked) {
        sl_err_set(err, SL_ESTATE, "table %s: change tracking is not enabled on database %s",
                   in->table, in->db);
        sl_err_hint(err,
                    "run ALTER DATABASE [%s] SET CHANGE_TRACKING = ON (CHANGE_RETENTION = 2 DAYS, "
                    "AUTO_CLEANUP = ON), then ALTER TABLE %s ENABLE CHANGE_TRACKING; or use "
                    "mode: full",
                    in->db, in->quoted);
    } else {
        sl_err_set(err, SL_ESTATE, "table %s: change tracking is not enabled on the table",
                   in->table);
        sl_err_hint(err,
                    "run ALTER TABLE %s ENABLE CHANGE_TRACKING (the login also needs VIEW CHANGE "
                    "TRACKING on it); or use mode: full",
                    in->quoted);
    }
    return SL_ESTATE;
}

/* The watermark cannot be continued from: reload or fail. */
static int stale(const struct plan_input *in, struct plan *out, const char *why, struct sl_err *err)
{
    if (in->mode == CONFIG_MODE_INCREMENTAL) {
        sl_err_set(err, SL_ESTATE, "table %s: %s, and mode incremental never reloads", in->table,
                   why);
        sl_err_hint(err,
                    "set mode: full_incremental for %s to reload it in full (then incremental "
                    "again), and sync more often than the database's CHANGE_RETENTION",
                    in->table);
        return SL_ESTATE;
    }
    out->kind = PLAN_FULL;
    out->reload = true;
    snprintf(out->reason, sizeof(out->reason), "%s: full resync", why);
    return 0;
}

int plan_decide(const struct plan_input *in, struct plan *out, struct sl_err *err)
{
    char why[300];

    out->kind = PLAN_FULL;
    out->reload = false;
    out->reason[0] = '\0';
    if (in->mode == CONFIG_MODE_FULL) {
        snprintf(out->reason, sizeof(out->reason), "mode full reloads the whole table every run");
        return 0;
    }
    if (!in->db_tracked || !in->table_tracked)
        return not_tracked(in, err);
    if (!in->have_watermark) {
        if (in->mode == CONFIG_MODE_INCREMENTAL) {
            sl_err_set(err, SL_ESTATE, "table %s has no watermark, and mode incremental never "
                                       "loads a table in full",
                       in->table);
            sl_err_hint(err, "use mode: full_incremental for the first load (it continues "
                             "incrementally afterwards)");
            return SL_ESTATE;
        }
        snprintf(out->reason, sizeof(out->reason),
                 "no watermark yet: initial full load at version %lld", (long long)in->current);
        return 0;
    }
    if (in->pk_changed) {
        snprintf(why, sizeof(why), "the primary key changed since the watermark (version %lld)",
                 (long long)in->watermark);
        return stale(in, out, why, err);
    }
    if (in->tracking_reset) {
        snprintf(why, sizeof(why),
                 "change tracking of the table was reset after watermark version %lld (TRUNCATE "
                 "TABLE, or tracking disabled and enabled again)",
                 (long long)in->watermark);
        return stale(in, out, why, err);
    }
    if (in->watermark < in->min_valid) {
        snprintf(why, sizeof(why),
                 "watermark version %lld is older than the minimum valid version %lld "
                 "(change retention passed it, or the table was truncated or re-enabled)",
                 (long long)in->watermark, (long long)in->min_valid);
        return stale(in, out, why, err);
    }
    if (in->watermark > in->current) {
        /* Versions are not time: after a restore or a failover to an
         * asynchronous replica they can be reused (spec §A9). */
        snprintf(why, sizeof(why),
                 "watermark version %lld is ahead of the database's current version %lld (was "
                 "the database restored or failed over?)",
                 (long long)in->watermark, (long long)in->current);
        return stale(in, out, why, err);
    }
    out->kind = PLAN_INCREMENTAL;
    if (in->current > in->watermark)
        snprintf(out->reason, sizeof(out->reason),
                 "changes after watermark version %lld up to version %lld (minimum valid %lld)",
                 (long long)in->watermark, (long long)in->current, (long long)in->min_valid);
    else
        snprintf(out->reason, sizeof(out->reason),
                 "watermark version %lld is current: nothing changed in the database",
                 (long long)in->watermark);
    return 0;
}
