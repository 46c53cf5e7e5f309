/*
 * catalog: see catalog.h. Every query here is plain T-SQL against the
 * documented catalog views, parameterised with ODBC parameter markers, and
 * read one row at a time (catalog results are small: one row per column).
 */
#include "source/catalog.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "source/odbc.h"

#define CATALOG_NAME_LIMIT 4096 /* bytes of one name; sysname is 128 characters */

static const char sql_object_id[] = "SELECT OBJECT_ID(?);";

/* Alias types resolve to their system type (bt); CLR types have no system
 * row of their own, so they keep their user type name (ut). */
static const char sql_columns[] =
    "SELECT c.column_id, c.name, COALESCE(bt.name, ut.name) AS type_name, c.max_length, "
    "c.precision, c.scale, c.is_nullable, c.is_computed "
    "FROM sys.columns AS c "
    "JOIN sys.types AS ut ON ut.user_type_id = c.user_type_id "
    "LEFT OUTER JOIN sys.types AS bt ON bt.user_type_id = c.system_type_id "
    "WHERE c.object_id = ? ORDER BY c.column_id;";

static const char sql_pk[] =
    "SELECT ic.column_id FROM sys.indexes AS i "
    "JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id "
    "WHERE i.object_id = ? AND i.is_primary_key = 1 ORDER BY ic.key_ordinal;";

static const char sql_has_perm[] = "SELECT HAS_PERMS_BY_NAME(?, N'OBJECT', ?);";

static const char sql_snapshot[] =
    "SELECT snapshot_isolation_state FROM sys.databases WHERE database_id = DB_ID();";

static const char sql_ct_status[] =
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM sys.change_tracking_databases "
    "WHERE database_id = DB_ID()) THEN 1 ELSE 0 END, "
    "CASE WHEN EXISTS (SELECT 1 FROM sys.change_tracking_tables WHERE object_id = ?) "
    "THEN 1 ELSE 0 END;";

int catalog_quote_ident(struct buf *out, const char *ident)
{
    int ret = buf_append_byte(out, '[');
    for (const char *p = ident; !ret && *p; p++) {
        ret = buf_append_byte(out, (uint8_t)*p);
        if (!ret && *p == ']')
            ret = buf_append_byte(out, ']');
    }
    if (!ret)
        ret = buf_append_byte(out, ']');
    return ret;
}

int catalog_quote_name(struct buf *out, const char *schema, const char *name)
{
    int ret = catalog_quote_ident(out, schema);
    if (!ret)
        ret = buf_append_byte(out, '.');
    if (!ret)
        ret = catalog_quote_ident(out, name);
    return ret;
}

int catalog_quote_literal(struct buf *out, const char *s)
{
    int ret = buf_append_str(out, "N'");
    for (const char *p = s; !ret && *p; p++) {
        ret = buf_append_byte(out, (uint8_t)*p);
        if (!ret && *p == '\'')
            ret = buf_append_byte(out, '\'');
    }
    if (!ret)
        ret = buf_append_byte(out, '\'');
    return ret;
}

void catalog_table_init(struct catalog_table *t)
{
    memset(t, 0, sizeof(*t));
    arena_init(&t->arena, 16384, 0);
}

void catalog_table_free(struct catalog_table *t)
{
    if (!t)
        return;
    arena_free(&t->arena);
    memset(t, 0, sizeof(*t));
    arena_init(&t->arena, 16384, 0);
}

/* Integer column of the current row; *is_null for NULL. */
static int get_i64(struct odbc_stmt *s, size_t col, int64_t *v, bool *is_null,
                   struct sl_err *err)
{
    int64_t ind = 0;
    int ret = odbc_stmt_get_fixed(s, col, ODBC_C_SBIGINT, v, sizeof(*v), &ind, err);
    *is_null = !ret && ind == ODBC_NULL_DATA;
    if (*is_null)
        *v = 0;
    return ret;
}

/* Text column of the current row as UTF-8 in arena a; NULL becomes "". */
static int get_text(struct odbc_stmt *s, size_t col, struct arena *a, const char **out,
                    struct sl_err *err)
{
    struct buf w, u;
    bool is_null = false;
    int ret;

    buf_init(&w, CATALOG_NAME_LIMIT);
    buf_init(&u, CATALOG_NAME_LIMIT * 2);
    *out = NULL;
    ret = odbc_stmt_get_data(s, col, ODBC_C_WCHAR, &w, &is_null, err);
    if (!ret && !is_null)
        ret = utf16le_to_utf8(&u, w.data, w.len);
    if (!ret) {
        *out = arena_strndup(a, u.data ? (const char *)u.data : "", u.len);
        if (!*out)
            ret = sl_err_set(err, SL_ENOMEM, "catalog: out of memory");
    } else if (err && err->code == 0) {
        ret = sl_err_set(err, ret, "catalog: cannot read a name");
    }
    buf_free(&w);
    buf_free(&u);
    return ret;
}

/* Close the previous cursor (which also drops bound parameters), then
 * bind the object id as parameter 1. */
static int rebind_object_id(struct odbc_stmt *s, const struct catalog_table *t,
                            struct sl_err *err)
{
    int ret = odbc_stmt_close(s, err);
    return ret ? ret : odbc_stmt_bind_i64(s, 1, t->object_id, false, err);
}

static int find_object(struct odbc_stmt *s, struct catalog_table *t, struct sl_err *err)
{
    size_t n = 0;
    bool is_null = true;
    int ret = odbc_stmt_bind_str(s, 1, t->quoted, err);

    if (!ret)
        ret = odbc_stmt_exec(s, sql_object_id, err);
    if (!ret)
        ret = odbc_stmt_fetch(s, &n, err);
    if (!ret && n == 1)
        ret = get_i64(s, 0, &t->object_id, &is_null, err);
    if (!ret && (n == 0 || is_null)) {
        ret = sl_err_set(err, SL_ENOTFOUND, "table %s does not exist", t->quoted);
        sl_err_hint(err, "check the schema and table name and the database in the "
                         "connection; the login also needs permission to see the table");
    }
    return ret;
}

static int read_column(struct odbc_stmt *s, struct catalog_table *t, struct catalog_column *c,
                       struct sl_err *err)
{
    int64_t v[6];
    bool nul;
    int ret = 0;

    ret = get_i64(s, 0, &v[0], &nul, err);
    if (!ret)
        ret = get_text(s, 1, &t->arena, &c->name, err);
    if (!ret)
        ret = get_text(s, 2, &t->arena, &c->type_name, err);
    for (size_t k = 3; !ret && k < 8; k++)
        ret = get_i64(s, k, &v[k - 2], &nul, err);
    if (!ret) {
        c->column_id = (int)v[0];
        c->max_length = (int)v[1];
        c->precision = (int)v[2];
        c->scale = (int)v[3];
        c->nullable = v[4] != 0;
        c->computed = v[5] != 0;
    }
    return ret;
}

static int read_columns(struct odbc_stmt *s, struct catalog_table *t, struct sl_err *err)
{
    size_t cap = 0, n = 0;
    int ret = rebind_object_id(s, t, err);

    if (!ret)
        ret = odbc_stmt_exec(s, sql_columns, err);
    while (!ret) {
        ret = odbc_stmt_fetch(s, &n, err);
        if (ret || n == 0)
            break;
        if (t->ncols == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct catalog_column *nc = arena_alloc(&t->arena, ncap * sizeof(*nc));
            if (!nc) {
                ret = sl_err_set(err, SL_ENOMEM, "table %s: out of memory", t->quoted);
                break;
            }
            if (t->ncols)
                memcpy(nc, t->cols, t->ncols * sizeof(*nc));
            t->cols = nc;
            cap = ncap;
        }
        memset(&t->cols[t->ncols], 0, sizeof(t->cols[0]));
        ret = read_column(s, t, &t->cols[t->ncols], err);
        if (!ret)
            t->ncols++;
    }
    if (!ret && t->ncols == 0)
        ret = sl_err_set(err, SL_ENOTFOUND, "table %s has no columns the login can see",
                         t->quoted);
    return ret;
}

static int read_pk(struct odbc_stmt *s, struct catalog_table *t, struct sl_err *err)
{
    size_t n = 0;
    int64_t id;
    bool nul;
    int ret = rebind_object_id(s, t, err);

    if (!ret)
        ret = odbc_stmt_exec(s, sql_pk, err);
    if (!ret) {
        t->pk = arena_alloc(&t->arena, t->ncols * sizeof(*t->pk));
        if (!t->pk)
            ret = sl_err_set(err, SL_ENOMEM, "table %s: out of memory", t->quoted);
    }
    while (!ret) {
        ret = odbc_stmt_fetch(s, &n, err);
        if (ret || n == 0)
            break;
        ret = get_i64(s, 0, &id, &nul, err);
        for (size_t i = 0; !ret && i < t->ncols; i++) {
            if (t->cols[i].column_id == id && t->npk < t->ncols) {
                t->pk[t->npk++] = i;
                t->cols[i].pk_ordinal = (int)t->npk;
            }
        }
    }
    return ret;
}

int catalog_get_table(struct odbc_conn *c, const char *schema, const char *name,
                      struct catalog_table *t, struct sl_err *err)
{
    struct odbc_stmt *s = NULL;
    struct buf q;
    char what[300];
    int ret;

    buf_init(&q, CATALOG_NAME_LIMIT * 2);
    ret = catalog_quote_name(&q, schema, name);
    if (ret) {
        ret = sl_err_set(err, ret, "table name \"%s.%s\" is too long", schema, name);
        goto out;
    }
    t->schema = arena_strdup(&t->arena, schema);
    t->name = arena_strdup(&t->arena, name);
    t->quoted = arena_strdup(&t->arena, (const char *)q.data);
    if (!t->schema || !t->name || !t->quoted) {
        ret = sl_err_set(err, SL_ENOMEM, "table %s: out of memory", (const char *)q.data);
        goto out;
    }
    snprintf(what, sizeof(what), "reading the catalog of table %s", t->quoted);
    ret = odbc_stmt_new(c, what, &s, err);
    if (!ret)
        ret = find_object(s, t, err);
    if (!ret)
        ret = read_columns(s, t, err);
    if (!ret)
        ret = read_pk(s, t, err);
out:
    odbc_stmt_destroy(s);
    buf_free(&q);
    if (ret)
        catalog_table_free(t);
    return ret;
}

int catalog_has_perm(struct odbc_conn *c, const struct catalog_table *t, const char *perm,
                     bool *ok, struct sl_err *err)
{
    struct odbc_stmt *s = NULL;
    int64_t v = 0;
    bool nul = true;
    size_t n = 0;
    char what[300];
    int ret;

    *ok = false;
    snprintf(what, sizeof(what), "checking %s permission on %s", perm, t->quoted);
    ret = odbc_stmt_new(c, what, &s, err);
    if (!ret)
        ret = odbc_stmt_bind_str(s, 1, t->quoted, err);
    if (!ret)
        ret = odbc_stmt_bind_str(s, 2, perm, err);
    if (!ret)
        ret = odbc_stmt_exec(s, sql_has_perm, err);
    if (!ret)
        ret = odbc_stmt_fetch(s, &n, err);
    if (!ret && n == 1)
        ret = get_i64(s, 0, &v, &nul, err);
    if (!ret)
        *ok = !nul && v == 1;
    odbc_stmt_destroy(s);
    return ret;
}

int catalog_can_select(struct odbc_conn *c, const struct catalog_table *t, bool *ok,
                       struct sl_err *err)
{
    return catalog_has_perm(c, t, "SELECT", ok, err);
}

int catalog_snapshot_allowed(struct odbc_conn *c, bool *on, struct sl_err *err)
{
    struct odbc_stmt *s = NULL;
    int64_t v = 0;
    bool nul = true;
    size_t n = 0;
    int ret;

    *on = false;
    ret = odbc_stmt_new(c, "checking snapshot isolation of the database", &s, err);
    if (!ret)
        ret = odbc_stmt_exec(s, sql_snapshot, err);
    if (!ret)
        ret = odbc_stmt_fetch(s, &n, err);
    if (!ret && n == 1)
        ret = get_i64(s, 0, &v, &nul, err);
    if (!ret)
        *on = !nul && v == 1;
    odbc_stmt_destroy(s);
    return ret;
}

int catalog_ct_status(struct odbc_conn *c, const struct catalog_table *t, bool *db_on,
                      bool *table_on, struct sl_err *err)
{
    struct odbc_stmt *s = NULL;
    int64_t v1 = 0, v2 = 0;
    bool nul;
    size_t n = 0;
    char what[300];
    int ret;

    *db_on = *table_on = false;
    snprintf(what, sizeof(what), "checking change tracking of %s", t->quoted);
    ret = odbc_stmt_new(c, what, &s, err);
    if (!ret)
        ret = odbc_stmt_bind_i64(s, 1, t->object_id, false, err);
    if (!ret)
        ret = odbc_stmt_exec(s, sql_ct_status, err);
    if (!ret)
        ret = odbc_stmt_fetch(s, &n, err);
    if (!ret && n == 1)
        ret = get_i64(s, 0, &v1, &nul, err);
    if (!ret && n == 1)
        ret = get_i64(s, 1, &v2, &nul, err);
    if (!ret) {
        *db_on = v1 == 1;
        *table_on = v2 == 1;
    }
    odbc_stmt_destroy(s);
    return ret;
}
