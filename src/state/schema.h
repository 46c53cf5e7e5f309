/*
 * schema: schema.json, the append-only column history of one table.
 *
 * Owns: the canonical form and hash of a column set (the schema_version
 * other files and the unified output quote), the file listing every
 * version a table has had, and the diff between the last version and the
 * current columns. Leaves to others: reading the columns from SQL Server
 * (source/), and what a change means (engine/: a primary-key change forces
 * a full resync; added columns extend the output schema).
 *
 * Invariants:
 *  - The hash depends only on the columns in ordinal order (with name,
 *    normalised sql_type and nullability) and on the primary key in key
 *    order; the order the caller lists the columns in does not matter. The
 *    exact canonical form is in docs/state.md and is frozen by
 *    SCHEMA_HASH_FORM ("schema/1"): changing it changes every version.
 *  - The file only grows: a version is appended whenever the current
 *    columns differ from the last recorded version, also when they return
 *    to an older one. It is written atomically.
 */
#ifndef SL_STATE_SCHEMA_H
#define SL_STATE_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

struct arena;
struct fsio_ops;
struct sl_err;

#define SCHEMA_FORMAT_VERSION 1
#define SCHEMA_VERSION_LEN 16 /* hex digits of the 64-bit FNV-1a hash */

struct schema_column {
    const char *name;
    const char *sql_type; /* e.g. "decimal(10,2)"; case and spaces are normalised */
    bool nullable;
    int ordinal; /* column_id order in the table, 1-based, unique */
};

/* What schema_track found; strings and arrays from the caller's arena. */
struct schema_change {
    bool changed;                             /* a version was appended */
    bool first;                               /* ... and it is the first one (no diff below) */
    const char **added, **dropped, **retyped; /* by name, in ordinal order */
    size_t nadded, ndropped, nretyped;        /* retyped: sql_type or nullability */
    bool pk_changed;                          /* the engine must force a full resync */
};

/*
 * The schema_version of cols[0..n) with primary key pk[0..npk) into out
 * (SCHEMA_VERSION_LEN hex digits and a NUL). SL_EINVAL naming the column
 * for duplicate names or ordinals, an empty name or type, or a key column
 * that is not among cols; SL_ENOMEM.
 */
int schema_hash(const struct schema_column *cols, size_t n, const char *const *pk, size_t npk,
                char *out, struct sl_err *err);

/*
 * Compare the current columns with the last version in `{dir}/schema.json`
 * and append a new version (first_seen_at = now, ISO-8601) when they
 * differ. dir is the table's state directory (watermark_dir) and must
 * exist. version receives the current schema_version; change says what
 * changed (zeroed when nothing did). SL_ECORRUPT naming the file when it
 * cannot be read, SL_EINVAL as schema_hash, SL_EIO / SL_ENOSPC from fsio.
 * On failure the file is unchanged.
 */
int schema_track(const struct fsio_ops *io, const char *dir, const struct schema_column *cols,
                 size_t n, const char *const *pk, size_t npk, const char *now, struct arena *a,
                 char *version, struct schema_change *change, struct sl_err *err);

/*
 * The primary key (column names in key order) of schema_version `version`
 * in `{dir}/schema.json`, or of its last version when version is NULL.
 * *found is false when the file or the version does not exist. Strings and
 * the array come from a. SL_ECORRUPT as schema_track.
 */
int schema_primary_key(const char *dir, const char *version, struct arena *a, const char ***pk,
                       size_t *npk, bool *found, struct sl_err *err);

#endif
