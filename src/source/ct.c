/*
 * ct: see ct.h. The SQL follows spec/ct-cdc.md §A9 and Microsoft's
 * "Work with change tracking" page; tests/unit/test_source_ct.c holds the
 * exact texts.
 */
#include "source/ct.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "source/catalog.h"
#include "source/odbc.h"

#define CT_SQL_LIMIT (4u << 20)

int ct_sql_begin(struct buf *out)
{
    return buf_append_str(out, "SET TRANSACTION ISOLATION LEVEL SNAPSHOT;\nBEGIN TRANSACTION;");
}

int ct_sql_commit(struct buf *out)
{
    return buf_append_str(out, "COMMIT TRANSACTION;");
}

int ct_sql_rollback(struct buf *out)
{
    return buf_append_str(out, "IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;");
}

int ct_sql_current_version(struct buf *out)
{
    return buf_append_str(out, "SELECT CHANGE_TRACKING_CURRENT_VERSION();");
}

int ct_sql_min_valid_version(struct buf *out, const struct catalog_table *t)
{
    int ret = buf_append_str(out, "SELECT CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID(");
    if (!ret)
        ret = catalog_quote_literal(out, t->quoted);
    if (!ret)
        ret = buf_append_str(out, "));");
    return ret;
}

int ct_sql_begin_version(struct buf *out, const struct catalog_table *t)
{
    int ret = buf_append_str(out, "SELECT begin_version FROM sys.change_tracking_tables "
                                  "WHERE object_id = OBJECT_ID(");
    if (!ret)
        ret = catalog_quote_literal(out, t->quoted);
    if (!ret)
        ret = buf_append_str(out, ");");
    return ret;
}

/* ", <prefix>[col]" (or its text conversion) for column i of t. */
static int select_col(struct buf *out, const struct catalog_table *t, size_t i,
                      const char *prefix)
{
    struct buf q;
    int ret;

    buf_init(&q, 0);
    ret = catalog_quote_ident(&q, t->cols[i].name);
    if (!ret)
        ret = buf_append_str(out, ", ");
    if (!ret)
        ret = typemap_select_expr(out, t->cols[i].type_name, prefix, (const char *)q.data);
    buf_free(&q);
    return ret;
}

/* Non-key columns in column_id order, each prefixed by "T.". */
static int select_rest(struct buf *out, const struct catalog_table *t)
{
    int ret = 0;
    for (size_t i = 0; !ret && i < t->ncols; i++)
        if (t->cols[i].pk_ordinal == 0)
            ret = select_col(out, t, i, "T.");
    return ret;
}

/* "<prefix>[k1], <prefix>[k2]" in key order. */
static int key_list(struct buf *out, const struct catalog_table *t, const char *prefix)
{
    int ret = 0;
    for (size_t k = 0; !ret && k < t->npk; k++) {
        if (k)
            ret = buf_append_str(out, ", ");
        if (!ret)
            ret = buf_append_str(out, prefix);
        if (!ret)
            ret = catalog_quote_ident(out, t->cols[t->pk[k]].name);
    }
    return ret;
}

int ct_sql_full(struct buf *out, const struct catalog_table *t)
{
    int ret = buf_append_str(out, "SELECT CAST(? AS bigint) AS SYS_CHANGE_VERSION, "
                                  "CAST(NULL AS bigint) AS SYS_CHANGE_CREATION_VERSION, "
                                  "CAST(N'I' AS nchar(1)) AS SYS_CHANGE_OPERATION");
    for (size_t k = 0; !ret && k < t->npk; k++)
        ret = select_col(out, t, t->pk[k], "T.");
    if (!ret)
        ret = select_rest(out, t);
    if (!ret)
        ret = buf_appendf(out, " FROM %s AS T", t->quoted);
    if (!ret && t->npk) {
        ret = buf_append_str(out, " ORDER BY ");
        if (!ret)
            ret = key_list(out, t, "T.");
    }
    if (!ret)
        ret = buf_append_str(out, ";");
    return ret;
}

int ct_sql_changes(struct buf *out, const struct catalog_table *t)
{
    int ret = buf_append_str(out, "SELECT CT.SYS_CHANGE_VERSION, CT.SYS_CHANGE_CREATION_VERSION, "
                                  "CT.SYS_CHANGE_OPERATION");
    for (size_t k = 0; !ret && k < t->npk; k++)
        ret = select_col(out, t, t->pk[k], "CT.");
    if (!ret)
        ret = select_rest(out, t);
    if (!ret)
        ret = buf_appendf(out, " FROM CHANGETABLE(CHANGES %s, ?) AS CT LEFT OUTER JOIN %s AS T ON ",
                          t->quoted, t->quoted);
    for (size_t k = 0; !ret && k < t->npk; k++) {
        const char *name = t->cols[t->pk[k]].name;
        if (k)
            ret = buf_append_str(out, " AND ");
        if (!ret)
            ret = buf_append_str(out, "T.");
        if (!ret)
            ret = catalog_quote_ident(out, name);
        if (!ret)
            ret = buf_append_str(out, " = CT.");
        if (!ret)
            ret = catalog_quote_ident(out, name);
    }
    if (!ret)
        ret = buf_append_str(out, " ORDER BY CT.SYS_CHANGE_VERSION, ");
    if (!ret)
        ret = key_list(out, t, "CT.");
    if (!ret)
        ret = buf_append_str(out, ";");
    return ret;
}

enum ct_plan ct_plan(bool have_last, int64_t last, bool min_valid_null, int64_t min_valid)
{
    if (min_valid_null)
        return CT_PLAN_NOT_TRACKED;
    if (!have_last)
        return CT_PLAN_FULL;
    if (last < min_valid)
        return CT_PLAN_RELOAD;
    return CT_PLAN_INCREMENTAL;
}

static int sys_col(struct reader_column *c, const char *name, const char *type, int len,
                   bool nullable, struct sl_err *err)
{
    c->name = name;
    return typemap_from_decl(type, len, 19, 0, nullable, NULL, &c->tm, err);
}

/* ct_columns; a full load (need_pk false) also serves a table without a key. */
static int columns(const struct catalog_table *t, const struct typemap_options *opt, bool need_pk,
                   struct arena *a, struct reader_column **cols, size_t *ncols, struct sl_err *err)
{
    struct reader_column *c = NULL;
    size_t n = 0;
    int ret = 0;

    *cols = NULL;
    *ncols = 0;
    if (need_pk && t->npk == 0) {
        ret = sl_err_set(err, SL_EINVAL, "table %s has no primary key", t->quoted);
        sl_err_hint(err, "change tracking requires a primary key; use mode: full");
        goto out;
    }
    c = arena_alloc(a, (t->ncols + CT_SYS_COLUMNS) * sizeof(*c));
    if (!c) {
        ret = sl_err_set(err, SL_ENOMEM, "table %s: out of memory", t->quoted);
        goto out;
    }
    ret = sys_col(&c[n++], "SYS_CHANGE_VERSION", "bigint", 8, false, err);
    if (!ret)
        ret = sys_col(&c[n++], "SYS_CHANGE_CREATION_VERSION", "bigint", 8, true, err);
    if (!ret)
        ret = sys_col(&c[n++], "SYS_CHANGE_OPERATION", "nchar", 2, false, err);
    for (size_t k = 0; !ret && k < t->npk; k++) {
        const struct catalog_column *cc = &t->cols[t->pk[k]];
        c[n].name = cc->name;
        ret = typemap_from_decl(cc->type_name, cc->max_length, cc->precision, cc->scale, false,
                                opt, &c[n++].tm, err);
    }
    for (size_t i = 0; !ret && i < t->ncols; i++) {
        const struct catalog_column *cc = &t->cols[i];
        if (cc->pk_ordinal)
            continue;
        c[n].name = cc->name;
        /* Nullable whatever the declaration: a deleted row has no base row. */
        ret = typemap_from_decl(cc->type_name, cc->max_length, cc->precision, cc->scale, true,
                                opt, &c[n++].tm, err);
    }
    if (ret) {
        sl_err_detail(err, "table %s", t->quoted);
        goto out;
    }
    *cols = c;
    *ncols = n;
out:
    return ret;
}

int ct_columns(const struct catalog_table *t, const struct typemap_options *opt,
               struct arena *a, struct reader_column **cols, size_t *ncols, struct sl_err *err)
{
    return columns(t, opt, true, a, cols, ncols, err);
}

static int exec_built(struct odbc_conn *c, int (*build)(struct buf *), const char *what,
                      struct sl_err *err)
{
    struct buf q;
    int ret;

    buf_init(&q, CT_SQL_LIMIT);
    ret = build(&q);
    if (ret)
        ret = sl_err_set(err, ret, "%s: cannot build the statement", what);
    else
        ret = odbc_exec(c, (const char *)q.data, what, err);
    buf_free(&q);
    return ret;
}

int ct_begin(struct odbc_conn *c, struct sl_err *err)
{
    return exec_built(c, ct_sql_begin, "beginning the snapshot transaction", err);
}

int ct_commit(struct odbc_conn *c, struct sl_err *err)
{
    return exec_built(c, ct_sql_commit, "committing the snapshot transaction", err);
}

int ct_rollback(struct odbc_conn *c, struct sl_err *err)
{
    return exec_built(c, ct_sql_rollback, "rolling back the snapshot transaction", err);
}

/* Run a one-row, one-column bigint query. */
static int scalar_i64(struct odbc_stmt *s, const char *sql, int64_t *v, bool *is_null,
                      struct sl_err *err)
{
    size_t n = 0;
    int64_t ind = ODBC_NULL_DATA;
    int ret = odbc_stmt_close(s, err);

    *v = 0;
    *is_null = true;
    if (!ret)
        ret = odbc_stmt_exec(s, sql, err);
    if (!ret)
        ret = odbc_stmt_fetch(s, &n, err);
    if (!ret && n == 1)
        ret = odbc_stmt_get_fixed(s, 0, ODBC_C_SBIGINT, v, sizeof(*v), &ind, err);
    if (!ret)
        *is_null = n != 1 || ind == ODBC_NULL_DATA;
    return ret;
}

int ct_versions(struct odbc_conn *c, const struct catalog_table *t, int64_t *current,
                bool *current_null, int64_t *min_valid, bool *min_null, struct sl_err *err)
{
    struct odbc_stmt *s = NULL;
    struct buf q;
    char what[300];
    int ret;

    buf_init(&q, CT_SQL_LIMIT);
    snprintf(what, sizeof(what), "reading change tracking versions of %s", t->quoted);
    ret = odbc_stmt_new(c, what, &s, err);
    if (!ret) {
        ret = ct_sql_current_version(&q);
        if (ret)
            ret = sl_err_set(err, ret, "%s: cannot build the statement", what);
    }
    if (!ret)
        ret = scalar_i64(s, (const char *)q.data, current, current_null, err);
    if (!ret) {
        buf_reset(&q);
        ret = ct_sql_min_valid_version(&q, t);
        if (ret)
            ret = sl_err_set(err, ret, "%s: cannot build the statement", what);
    }
    if (!ret)
        ret = scalar_i64(s, (const char *)q.data, min_valid, min_null, err);
    odbc_stmt_destroy(s);
    buf_free(&q);
    return ret;
}

int ct_begin_version(struct odbc_conn *c, const struct catalog_table *t, int64_t *v, bool *is_null,
                     struct sl_err *err)
{
    struct odbc_stmt *s = NULL;
    struct buf q;
    char what[300];
    int ret;

    buf_init(&q, CT_SQL_LIMIT);
    snprintf(what, sizeof(what), "reading when change tracking of %s began", t->quoted);
    ret = ct_sql_begin_version(&q, t);
    if (ret)
        ret = sl_err_set(err, ret, "%s: cannot build the statement", what);
    if (!ret)
        ret = odbc_stmt_new(c, what, &s, err);
    if (!ret)
        ret = scalar_i64(s, (const char *)q.data, v, is_null, err);
    odbc_stmt_destroy(s);
    buf_free(&q);
    return ret;
}

static int open_read(struct odbc_conn *c, const struct catalog_table *t, bool changes,
                     int64_t version, const struct typemap_options *tm,
                     const struct reader_options *ro, struct odbc_stmt **stmt, struct reader **r,
                     struct sl_err *err)
{
    struct arena a;
    struct reader_column *cols = NULL;
    size_t ncols = 0;
    struct buf q;
    char what[300];
    int ret;

    *stmt = NULL;
    *r = NULL;
    arena_init(&a, 0, 0);
    buf_init(&q, CT_SQL_LIMIT);
    snprintf(what, sizeof(what), "reading %s of table %s", changes ? "changes" : "all rows",
             t->quoted);
    ret = columns(t, tm, changes, &a, &cols, &ncols, err);
    if (!ret) {
        ret = changes ? ct_sql_changes(&q, t) : ct_sql_full(&q, t);
        if (ret)
            ret = sl_err_set(err, ret, "%s: cannot build the statement", what);
    }
    if (!ret)
        ret = odbc_stmt_new(c, what, stmt, err);
    if (!ret)
        ret = odbc_stmt_bind_i64(*stmt, 1, version, false, err);
    if (!ret)
        ret = reader_open(*stmt, (const char *)q.data, cols, ncols, ro, r, err);
    if (ret) {
        odbc_stmt_destroy(*stmt);
        *stmt = NULL;
    }
    buf_free(&q);
    arena_free(&a);
    return ret;
}

int ct_open_full(struct odbc_conn *c, const struct catalog_table *t, int64_t version,
                 const struct typemap_options *tm, const struct reader_options *ro,
                 struct odbc_stmt **stmt, struct reader **r, struct sl_err *err)
{
    return open_read(c, t, false, version, tm, ro, stmt, r, err);
}

int ct_open_changes(struct odbc_conn *c, const struct catalog_table *t, int64_t last,
                    const struct typemap_options *tm, const struct reader_options *ro,
                    struct odbc_stmt **stmt, struct reader **r, struct sl_err *err)
{
    return open_read(c, t, true, last, tm, ro, stmt, r, err);
}
