/*
 * watch: `sluice watch` without the command line. Polls every configured
 * table, Change Tracking and CDC alike, and syncs those that changed:
 *
 *   loop until *stop:
 *     precheck (one query per database, source/precheck.h) ─▶ due tables
 *     ─▶ engine_sync over the due tables ─▶ latency log ─▶ sleep
 *
 * A table is due when it has no watermark, when its database's position
 * moved past its watermark (CT: CHANGE_TRACKING_CURRENT_VERSION() above
 * the watermark's version; CDC: the newest captured transaction's LSN
 * above the watermark's start_lsn), when its last run failed, or when it
 * was not synced for heartbeat_ms (so retention never overtakes an idle
 * table's watermark). Idle tables therefore cost one query per database
 * per poll and no run.
 *
 * The pause between polls starts at poll_interval_ms, doubles after each
 * poll that landed nothing up to max_poll_interval_ms, and returns to
 * poll_interval_ms after a poll that landed changes. A database that
 * cannot be reached is retried with the same doubling (its tables are not
 * due meanwhile); the engine retries transient failures within a run.
 *
 * Stopping: when *stop becomes non-zero the current engine_sync finishes
 * the tables it started (each commits: files, watermark, history) and
 * starts no other; engine_watch then returns 0.
 */
#ifndef SL_ENGINE_WATCH_H
#define SL_ENGINE_WATCH_H

#include <signal.h>
#include <stdint.h>

#include "core/err.h"
#include "engine/engine.h"

struct watch_options {
    struct engine_options engine;   /* cfg, retries, hooks; want/stop are set by watch */
    const volatile sig_atomic_t *stop;
    int64_t heartbeat_ms;           /* 0 = 10 minutes */
    int64_t max_polls;              /* 0 = no limit (tests and benchmarks stop after n) */
};

/*
 * Poll until *stop (or max_polls). Returns 0 after a stop; SL_ENOMEM /
 * SL_EINVAL when watching could not start (err filled). Per-table
 * failures are logged and retried at the next poll, never returned.
 */
int engine_watch(const struct watch_options *wo, struct sl_err *err);

#endif
