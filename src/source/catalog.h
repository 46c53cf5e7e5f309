/*
 * catalog: discover what a source table looks like, through the catalog
 * views every SQL Server has: the object (OBJECT_ID), its columns with
 * their declared types (sys.columns + sys.types), the primary key in key
 * order (sys.indexes + sys.index_columns), change tracking switches
 * (sys.change_tracking_databases / _tables) and the SELECT permission
 * (HAS_PERMS_BY_NAME). Also the identifier quoting every SQL builder uses.
 *
 * What it leaves to others: mapping the declared types (typemap.c),
 * building the sync queries (ct.c), running them (odbc.c, reader.c).
 *
 * All names are passed as parameters (SQLBindParameter), never spliced
 * into SQL text, except where T-SQL requires a name in the text: then they
 * go through catalog_quote_ident / catalog_quote_literal.
 *
 * Lifecycle: catalog_table_init ──catalog_get_table──▶ filled ──catalog_table_free.
 */
#ifndef SL_SOURCE_CATALOG_H
#define SL_SOURCE_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

struct buf;
struct odbc_conn;

struct catalog_column {
    const char *name;      /* UTF-8 */
    const char *type_name; /* system type name: "nvarchar", "decimal", "timestamp", ... */
    int column_id;
    int max_length; /* bytes; -1 for (max) */
    int precision;
    int scale;
    bool nullable;
    bool computed;
    int pk_ordinal; /* 1-based position in the primary key, 0 when not a key column */
};

struct catalog_table {
    const char *schema, *name; /* as given by the caller */
    const char *quoted;        /* "[schema].[name]" */
    int64_t object_id;
    struct catalog_column *cols; /* column_id order */
    size_t ncols;
    size_t *pk;  /* indices into cols, in key order */
    size_t npk;  /* 0 when the table has no primary key */
    struct arena arena; /* owns every string and array above */
};

/* Append ident as a bracket-quoted identifier: ']' is doubled. */
int catalog_quote_ident(struct buf *out, const char *ident);

/* Append "[schema].[name]". */
int catalog_quote_name(struct buf *out, const char *schema, const char *name);

/* Append s as a Unicode string literal N'...', with ' doubled. */
int catalog_quote_literal(struct buf *out, const char *s);

void catalog_table_init(struct catalog_table *t);
void catalog_table_free(struct catalog_table *t);

/*
 * Discover schema.name (UTF-8, borrowed) on connection c: object id,
 * columns and primary key. t must be initialised; on success it is filled
 * (caller owns, catalog_table_free). Returns 0; SL_ENOTFOUND when the
 * table does not exist or the login cannot see it (OBJECT_ID is NULL);
 * SL_ENOTFOUND too when the name is a view without columns; SL_E* with
 * the server's diagnostic otherwise. On failure t holds nothing.
 */
int catalog_get_table(struct odbc_conn *c, const char *schema, const char *name,
                      struct catalog_table *t, struct sl_err *err);

/* Whether the login holds SELECT on the table (HAS_PERMS_BY_NAME). */
int catalog_can_select(struct odbc_conn *c, const struct catalog_table *t, bool *ok,
                       struct sl_err *err);

/* Whether the login holds permission perm ("SELECT", "VIEW CHANGE
 * TRACKING", ...) on the table: HAS_PERMS_BY_NAME(t, 'OBJECT', perm). */
int catalog_has_perm(struct odbc_conn *c, const struct catalog_table *t, const char *perm,
                     bool *ok, struct sl_err *err);

/* Whether the current database allows SNAPSHOT transactions
 * (sys.databases.snapshot_isolation_state = 1, ALLOW_SNAPSHOT_ISOLATION ON). */
int catalog_snapshot_allowed(struct odbc_conn *c, bool *on, struct sl_err *err);

/*
 * Change tracking switches: *db_on when the current database has CT
 * enabled (sys.change_tracking_databases), *table_on when the table is
 * tracked (sys.change_tracking_tables).
 */
int catalog_ct_status(struct odbc_conn *c, const struct catalog_table *t, bool *db_on,
                      bool *table_on, struct sl_err *err);

#endif
