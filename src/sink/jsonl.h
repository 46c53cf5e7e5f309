/*
 * jsonl: the change stream. One JSON object per change, one per line, in
 * a Debezium-compatible envelope (docs/output-formats.md "jsonl"), to a
 * file descriptor (stdout) or to rotating files in a directory.
 *
 *   {"before":{...}|null,"after":{...}|null,
 *    "source":{"version":"sluice X.Y.Z","connector":"sqlserver","name":...,
 *              "ts_ms":N,"snapshot":"true"|"false","db":...,"sequence":null,
 *              "schema":...,"table":...,"change_lsn":...,"commit_lsn":...,
 *              "event_serial_no":N,"change_version":N},
 *    "op":"c"|"u"|"d"|"r","ts_ms":N,"transaction":null}
 *
 * Row objects are sink_json_row's text (the unified format's `data`), so
 * both outputs agree on every value: decimals as strings, timestamps
 * ISO-8601, binary as base64.
 *
 * Owns: the envelope, pairing CDC update before-images (op 3) with their
 * after-images (op 4) even across batches, Debezium's event_serial_no,
 * writing whole lines, file rotation and publishing. Leaves to others:
 * reading changes (src/source), when to store the watermark (the engine,
 * after jsonl_commit returned 0 for everything the watermark covers).
 *
 * Input batches have the source's layout: three change columns, then the
 * key columns in key order, then the other columns:
 *   Change Tracking (source/ct.h)  SYS_CHANGE_VERSION (INT64),
 *                                  SYS_CHANGE_CREATION_VERSION, SYS_CHANGE_OPERATION
 *                                  (STRING I/U/D)
 *   CDC (source/cdc.h)             __$start_lsn (BINARY 10), __$seqval (BINARY 10,
 *                                  NULL in net changes and full loads), __$operation
 *                                  (INT 1..4)
 *
 * Output:
 *  - fd mode: each jsonl_write writes all its lines before it returns
 *    (nothing is buffered across calls, so lines of different callers'
 *    batches never interleave within one jsonl). The caller must ignore
 *    SIGPIPE: a reader that went away is then EPIPE, which jsonl_write
 *    reports as SL_ECLOSED with *done saying how many leading rows of the
 *    batch were written in full. When the fd is a regular file,
 *    jsonl_commit fsyncs it.
 *  - files mode: lines go to `.{name}.tmp` in dir; a part is closed
 *    (fsynced) when it reaches max_file_bytes or max_file_rows, and
 *    jsonl_commit renames every closed part and the open one to
 *    `{stem}_{YYYYMMDD}T{HHMMSSmmm}Z_part{N}.jsonl` (time: the envelope
 *    ts_ms of the part's first line, UTC; N counts parts of this jsonl
 *    from 1), then fsyncs dir. Readers never see a part file that is not
 *    complete; a final name is never replaced.
 *
 * Lifecycle:
 *
 *   jsonl_open ──▶ OPEN ──jsonl_write──▶ OPEN ──jsonl_commit──▶ OPEN ...
 *                   │                     │ (failed write)
 *                   │                     ▼
 *                   │                   FAILED (only jsonl_close)
 *                   └──jsonl_close──▶ (uncommitted temps removed; j freed)
 *
 * Not thread-safe: one jsonl is used by one thread at a time.
 */
#ifndef SL_SINK_JSONL_H
#define SL_SINK_JSONL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch/batch.h"
#include "core/err.h"

struct fsio_ops;
struct jsonl;

/* Version of the envelope (STYLE 17); a change to any byte bumps it. */
#define JSONL_FORMAT_VERSION 1

/* Change columns ahead of the table's columns (CT_SYS_COLUMNS, CDC_SYS_COLUMNS). */
#define JSONL_SYS_COLUMNS 3

#define JSONL_DEFAULT_MAX_FILE_BYTES (128u << 20)

struct jsonl_options {
    const char *dir;         /* files mode: the directory (created if missing); NULL: fd mode */
    int fd;                  /* fd mode: where to write (STDOUT_FILENO); borrowed, not closed */
    const char *stem;        /* files mode: file name stem, one path component */
    uint64_t max_file_bytes; /* files mode: close a part at this size (0 = 128 MiB) */
    uint64_t max_file_rows;  /* files mode: close a part at this many changes (0 = no limit) */
    const char *server;      /* source.name, the logical server name; NULL = each row's db */
    const struct fsio_ops *io; /* NULL = real write(2)/fsync(2) (tests inject faults) */
};

enum jsonl_capture { JSONL_CT = 1, JSONL_CDC };

/* What the rows of one jsonl_write are. Strings borrowed for the call. */
struct jsonl_table {
    const char *db, *schema, *table;
    enum jsonl_capture capture;
    size_t npk;           /* key columns after the change columns */
    bool snapshot;        /* a full load: every row is op "r" */
    bool update_before;   /* CDC: an op 3 row becomes the "before" of the op 4 row that
                           * follows it; otherwise op 3 rows are skipped */
    int64_t source_ts_ms; /* source.ts_ms of these rows: the commit time when the caller
                           * knows it, else when the changes were read */
    int64_t ts_ms;        /* the envelope's ts_ms: when sluice processed them */
};

/*
 * Check the options and start a stream. No file or directory is created
 * before the first line. Returns 0 and *out (caller owns; jsonl_close), or
 * SL_EINVAL (no dir and a negative fd, a stem that is not one path
 * component), SL_ENOMEM, with err filled.
 */
int jsonl_open(const struct jsonl_options *opt, struct jsonl **out, struct sl_err *err);

/*
 * Append one line per change of b (borrowed for the call; layout as
 * above). *done (may be NULL) is the number of leading rows of b whose
 * changes are written in full (fd mode) or to a part file (files mode); a
 * trailing op 3 row waiting for its op 4 is not done. Returns 0 (*done is
 * b->nrows, or one less for a waiting op 3); SL_ECLOSED when the fd's
 * reader went away (EPIPE); SL_ECORRUPT for a batch that breaks the
 * layout (an op 3 not followed by its op 4, an unknown operation, a
 * schema that is not the capture's); SL_EIO / SL_ENOSPC / SL_ENOMEM; the
 * stream is then failed.
 */
int jsonl_write(struct jsonl *j, const struct jsonl_table *t, const struct batch *b, size_t *done,
                struct sl_err *err);

struct jsonl_result {
    char **files;    /* files mode: names published by this commit (in dir), in order */
    size_t nfiles;
    uint64_t events; /* lines made durable by this commit */
};

/*
 * Make every line written so far durable: fd mode fsyncs a regular file
 * (a pipe needs nothing); files mode closes the open part and publishes
 * every unpublished part (fsync, rename, fsync dir). Only after it
 * returns 0 may the caller store a watermark covering those changes.
 * SL_ECORRUPT while an op 3 still waits for its op 4 (the caller commits
 * between transactions). On failure nothing of this commit remains under
 * a final name (best effort), the stream is failed and err says why.
 * res (may be NULL): caller owns, jsonl_result_free.
 */
int jsonl_commit(struct jsonl *j, struct jsonl_result *res, struct sl_err *err);

/* Lines written (fd) or staged (files) so far, committed or not. */
uint64_t jsonl_events(const struct jsonl *j);

/* Remove uncommitted part files and free j. NULL ok. */
void jsonl_close(struct jsonl *j);

/* Free what jsonl_commit stored in r and zero it. NULL ok. */
void jsonl_result_free(struct jsonl_result *r);

#endif
