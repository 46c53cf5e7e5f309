/*
 * watermark: the durable position of one table, the file that says how far
 * a table's changes have landed.
 *
 * Owns: `{root}/watermarks/{db}/{schema}/{table}/watermarks.json`, the
 * position type shared by history and orphan detection, and the directory
 * naming of a table's state. Leaves to others: deciding when to store (the
 * engine, after the files a run wrote are durable: DESIGN "the watermark
 * only moves after the data it covers is durable"), the lock (lock.c).
 *
 * Invariants:
 *  - Only a durable position is ever stored (STYLE 16). A full load is
 *    recorded only when complete; there is no "in progress" watermark.
 *  - CT versions are int64 in JSON; CDC LSNs are kept as the exact
 *    20-hex-digit text (spec ct-cdc B8), never converted to numbers.
 *  - Storing is atomic (fsio_write_atomic): a crash leaves the old or the
 *    new file.
 *  - A missing file means "no watermark" (a full load is due), which is not
 *    an error; an unreadable or inconsistent file is SL_ECORRUPT naming
 *    the path with the hint to delete it for a full resync.
 */
#ifndef SL_STATE_WATERMARK_H
#define SL_STATE_WATERMARK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct buf;
struct fsio_ops;
struct json_out;
struct json_val;
struct sl_err;

#define WATERMARK_FORMAT_VERSION 1
#define WATERMARK_LSN_LEN 20 /* hex digits of a binary(10) LSN */

enum watermark_pos_kind {
    WM_POS_NONE = 0, /* no position: before everything (no watermark yet) */
    WM_POS_CT,       /* Change Tracking version */
    WM_POS_CDC,      /* CDC (start_lsn, seqval) */
};

struct watermark_pos {
    enum watermark_pos_kind kind;
    int64_t version;                       /* WM_POS_CT */
    char start_lsn[WATERMARK_LSN_LEN + 1]; /* WM_POS_CDC: 20 hex digits */
    char seqval[WATERMARK_LSN_LEN + 1];    /* WM_POS_CDC: 20 hex digits */
};

enum watermark_mode { WM_MODE_FULL = 0, WM_MODE_INCREMENTAL };

/* All strings borrowed: from the caller for store, from the arena for load. */
struct watermark {
    const char *db, *schema, *table;
    struct watermark_pos pos; /* the durable position; WM_POS_CT or WM_POS_CDC */
    enum watermark_mode mode; /* of the run that stored it */
    const char *run_id;       /* of that run; ties the files to sync_history */
    int64_t rows;             /* rows of that run */
    int64_t duration_ms;
    const char **files; /* relative to root, of that run */
    size_t nfiles;
    const char *schema_version; /* schema.c's hash, or NULL */
    const char *updated_at;     /* ISO-8601 UTC */
    /* CT only: sys.change_tracking_tables.begin_version seen by that run.
     * TRUNCATE TABLE and re-enabling tracking reset it, which is how the
     * next run notices a reset its watermark alone cannot show (written
     * as "ct_begin_version" only when has_ct_begin). */
    bool has_ct_begin;
    int64_t ct_begin_version;
};

/* A CT position. */
void watermark_pos_ct(struct watermark_pos *p, int64_t version);

/*
 * A CDC position from two LSN texts of exactly 20 hex digits (either case,
 * kept as given; "0x" prefix accepted and dropped). SL_EINVAL naming the
 * bad text otherwise.
 */
int watermark_pos_cdc(struct watermark_pos *p, const char *start_lsn, const char *seqval,
                      struct sl_err *err);

/* True when a and b can be ordered: same kind, or either is WM_POS_NONE. */
bool watermark_pos_comparable(const struct watermark_pos *a, const struct watermark_pos *b);

/*
 * <0, 0, >0 as a is before, equal to, after b. Needs comparable positions;
 * NONE is before every position. LSNs compare as text, case-insensitively,
 * which is byte order because the width is fixed.
 */
int watermark_pos_cmp(const struct watermark_pos *a, const struct watermark_pos *b);

/*
 * Write p as member key of o: {"version": N} or {"start_lsn": "...",
 * "seqval": "..."}, or null for WM_POS_NONE. Shared with history.c.
 */
void watermark_pos_emit(struct json_out *o, const char *key, const struct watermark_pos *p);

/* Read what watermark_pos_emit wrote (NULL or JSON null -> NONE). 0 or SL_ECORRUPT. */
int watermark_pos_parse(const struct json_val *v, struct watermark_pos *p);

/* Format p for messages: "version 42", "lsn 0000...:0000...", "none". */
void watermark_pos_format(const struct watermark_pos *p, char *out, size_t cap);

/*
 * Append `{root}/watermarks/{db}/{schema}/{table}` to out. Names that
 * cannot be one path component (empty, ".", "..", holding '/' or a control
 * character) are SL_EINVAL naming the table.
 */
int watermark_dir(const char *root, const char *db, const char *schema, const char *table,
                  struct buf *out, struct sl_err *err);

/*
 * Load the watermark of db.schema.table under root into wm, strings from a.
 * Returns 0 with *found = false when there is no file (nothing else set),
 * 0 with *found = true and wm filled, SL_ECORRUPT (path and a hint to delete
 * the file for a full resync), SL_EUNSUPPORTED (a newer format_version),
 * SL_EIO, SL_ENOMEM.
 */
int watermark_load(const char *root, const char *db, const char *schema, const char *table,
                   struct arena *a, struct watermark *wm, bool *found, struct sl_err *err);

/* Render wm as the exact bytes of watermarks.json into out. 0 or SL_E*. */
int watermark_render(const struct watermark *wm, struct buf *out, struct sl_err *err);

/*
 * Store wm atomically and durably, creating the table's state directory.
 * wm->pos must be a CT or CDC position. io as in fsio.h (NULL = system).
 * On failure the previous file is unchanged.
 */
int watermark_store(const struct fsio_ops *io, const char *root, const struct watermark *wm,
                    struct sl_err *err);

#endif
