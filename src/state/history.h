/*
 * history: sync_history.jsonl, one line per run of a table, failures and
 * skips included, next to the table's watermark.
 *
 * Owns: the line format, appending a line durably, reading the lines back.
 * Leaves to others: redaction (the caller passes error text that holds no
 * password or connection string), deciding a run's status (engine).
 *
 * Invariants:
 *  - Lines are only appended (fsio_append_line: whole lines, fsynced; a
 *    torn tail from a crash is invisible to history_read and cut by the
 *    next append).
 *  - An "ok" line is appended after the run's watermark is stored, so a
 *    run recorded ok always had its watermark stored; the reverse can fail
 *    (a crash in between), see docs/state.md "Crash recovery".
 *  - Each line carries format_version (HISTORY_FORMAT_VERSION).
 */
#ifndef SL_STATE_HISTORY_H
#define SL_STATE_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "state/watermark.h"

struct arena;
struct buf;
struct fsio_ops;
struct sl_err;

#define HISTORY_FORMAT_VERSION 1

enum history_status { HISTORY_OK = 0, HISTORY_FAILED, HISTORY_SKIPPED };

/* All strings borrowed: from the caller for append, from the arena for read. */
struct history_entry {
    const char *run_id;
    const char *started_at, *finished_at; /* ISO-8601 UTC */
    enum history_status status;
    enum watermark_mode mode;
    struct watermark_pos from, to; /* from: the durable position the run started
                                      after (NONE for a first full load);
                                      to: where it ended (NONE if it never got one) */
    int64_t inserts, updates, deletes;
    const char **files; /* relative to root */
    size_t nfiles;
    int64_t bytes;
    const char *error; /* redacted by the caller; NULL when none */
};

/* "ok", "failed", "skipped". */
const char *history_status_name(enum history_status s);

/* Render e as one JSON line, without the '\n', appended to out. 0 or SL_E*. */
int history_render(const struct history_entry *e, struct buf *out, struct sl_err *err);

/*
 * Append e to the history of db.schema.table under root, creating the
 * table's state directory and the file as needed; durable on return.
 */
int history_append(const struct fsio_ops *io, const char *root, const char *db, const char *schema,
                   const char *table, const struct history_entry *e, struct sl_err *err);

/*
 * Read every complete line of the history of db.schema.table; *entries
 * (oldest first) and their strings come from a. A missing file is 0
 * entries. A malformed complete line is SL_ECORRUPT naming the file and
 * line number; a final line without '\n' is ignored (torn write).
 * O(file size) in memory; files grow about 300 bytes per run.
 */
int history_read(const char *root, const char *db, const char *schema, const char *table,
                 struct arena *a, struct history_entry **entries, size_t *n, struct sl_err *err);

#endif
