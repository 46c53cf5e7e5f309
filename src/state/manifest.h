/*
 * manifest: `{root}/output.yaml`, the one file a data engineer (or a
 * Databricks job) reads to find every table sluice lands, its files of the
 * last run, its watermark and its shape.
 *
 * Owns: the YAML text (emitted here; no YAML library is needed to write)
 * and its atomic replacement. Leaves to others: collecting the entries (the
 * app rebuilds the list from the config and each table's watermark and
 * schema after a run, and serialises the calls: there is one writer).
 *
 * Invariants: every scalar string is double-quoted and escaped; tables are
 * sorted by db, schema, table (byte order) whatever order they are given
 * in; keys appear in a fixed order; MANIFEST_FORMAT_VERSION changes with
 * any byte of the layout.
 */
#ifndef SL_STATE_MANIFEST_H
#define SL_STATE_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#include "state/watermark.h"

struct buf;
struct fsio_ops;
struct sl_err;

#define MANIFEST_FORMAT_VERSION 1

/* One table; all strings borrowed for the call. */
struct manifest_entry {
    const char *db, *schema, *table;
    const char *uc_catalog, *uc_schema; /* NULL when not configured */
    const char *output_format;          /* config_output_format_name() */
    int scd_type;                       /* 1 or 2 */
    bool soft_delete;
    const char *const *primary_keys;
    size_t nprimary_keys;
    const char *schema_version;     /* NULL before the first run */
    struct watermark_pos watermark; /* WM_POS_NONE before the first run */
    const char *const *files;       /* of the last run, relative to root */
    size_t nfiles;
    const char *updated_at; /* of the last run; NULL before it */
};

/* Render the manifest of entries[0..n) (any order) into out. 0 or SL_E*. */
int manifest_render(const struct manifest_entry *entries, size_t n, const char *updated_at,
                    struct buf *out, struct sl_err *err);

/* Render and replace `{root}/output.yaml` atomically. root must exist. */
int manifest_write(const struct fsio_ops *io, const char *root,
                   const struct manifest_entry *entries, size_t n, const char *updated_at,
                   struct sl_err *err);

#endif
