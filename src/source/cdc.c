/*
 * cdc: see cdc.h. The SQL follows spec/ct-cdc.md §B3-§B7 and Microsoft's
 * "Work with change data" page; tests/unit/test_source_cdc.c holds the
 * exact texts.
 */
#include "source/cdc.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "source/catalog.h"
#include "source/odbc.h"

#define CDC_SQL_LIMIT (4u << 20)
#define CDC_NAME_LIMIT 4096 /* bytes of one name as UTF-16 */

const char *cdc_plan_name(enum cdc_plan p)
{
    switch (p) {
    case CDC_PLAN_FULL: return "full";
    case CDC_PLAN_RELOAD: return "reload";
    case CDC_PLAN_INCREMENTAL: return "incremental";
    case CDC_PLAN_NOTHING: return "nothing new";
    case CDC_PLAN_NOT_CAPTURED: return "nothing captured yet";
    case CDC_PLAN_NO_INSTANCE: return "no capture instance";
    case CDC_PLAN_AHEAD: return "watermark ahead of the server";
    }
    return "unknown";
}

/* ---- SQL text ---------------------------------------------------------- */

int cdc_sql_max_lsn(struct buf *out)
{
    return buf_append_str(out, "SELECT sys.fn_cdc_get_max_lsn();");
}

int cdc_sql_min_lsn(struct buf *out)
{
    return buf_append_str(out, "SELECT sys.fn_cdc_get_min_lsn(?);");
}

int cdc_sql_increment_lsn(struct buf *out)
{
    return buf_append_str(out, "SELECT sys.fn_cdc_increment_lsn(?);");
}

int cdc_sql_decrement_lsn(struct buf *out)
{
    return buf_append_str(out, "SELECT sys.fn_cdc_decrement_lsn(?);");
}

int cdc_sql_instances(struct buf *out)
{
    return buf_append_str(out, "SELECT capture_instance, start_lsn, supports_net_changes, "
                               "object_id FROM cdc.change_tables WHERE source_object_id = ? "
                               "ORDER BY start_lsn, create_date;");
}

int cdc_sql_instance_start(struct buf *out)
{
    return buf_append_str(out, "SELECT start_lsn FROM cdc.change_tables "
                               "WHERE capture_instance = ?;");
}

int cdc_sql_captured_columns(struct buf *out)
{
    return buf_append_str(out, "SELECT cc.column_name, cc.column_id, cc.column_type, "
                               "cc.column_ordinal FROM cdc.captured_columns AS cc "
                               "INNER JOIN cdc.change_tables AS ct ON ct.object_id = cc.object_id "
                               "WHERE ct.capture_instance = ? ORDER BY cc.column_ordinal;");
}

/* ", <prefix>[name]" (or its text conversion) for column k of set. */
static int select_col(struct buf *out, const struct catalog_table *t,
                      const struct cdc_colset *set, size_t k, const char *prefix,
                      bool captured_name)
{
    const struct catalog_column *c = &t->cols[set->cols[k]];
    struct buf q;
    int ret;

    buf_init(&q, 0);
    ret = catalog_quote_ident(&q, captured_name ? set->select[k] : c->name);
    if (!ret)
        ret = buf_append_str(out, ", ");
    if (!ret)
        ret = typemap_select_expr(out, c->type_name, prefix, (const char *)q.data);
    buf_free(&q);
    return ret;
}

/* The selected columns of set after the three CDC columns. */
static int select_set(struct buf *out, const struct catalog_table *t,
                      const struct cdc_colset *set, const char *prefix, bool captured_name)
{
    int ret = 0;
    for (size_t k = 0; !ret && k < set->ncols; k++)
        ret = select_col(out, t, set, k, prefix, captured_name);
    return ret;
}

/* ", <prefix>[k1], <prefix>[k2]" in key order (names as selected). */
static int order_keys(struct buf *out, const struct catalog_table *t,
                      const struct cdc_colset *set, const char *prefix, bool captured_name)
{
    int ret = 0;
    for (size_t k = 0; !ret && k < set->npk; k++) {
        ret = buf_append_str(out, ", ");
        if (!ret)
            ret = buf_append_str(out, prefix);
        if (!ret)
            ret = catalog_quote_ident(out, captured_name ? set->select[k]
                                                         : t->cols[set->cols[k]].name);
    }
    return ret;
}

/* "cdc.[fn_cdc_get_<kind>_changes_<instance>]" */
static int function_name(struct buf *out, const char *kind, const char *instance)
{
    struct buf name;
    int ret;

    buf_init(&name, 0);
    ret = buf_appendf(&name, "fn_cdc_get_%s_changes_%s", kind, instance);
    if (!ret)
        ret = buf_append_str(out, "cdc.");
    if (!ret)
        ret = catalog_quote_ident(out, (const char *)name.data);
    buf_free(&name);
    return ret;
}

int cdc_sql_all_changes(struct buf *out, const struct catalog_table *t,
                        const struct cdc_colset *set, bool update_old)
{
    int ret = buf_append_str(out, "SELECT [__$start_lsn], [__$seqval], [__$operation]");
    if (!ret)
        ret = select_set(out, t, set, NULL, true);
    if (!ret)
        ret = buf_append_str(out, " FROM ");
    if (!ret)
        ret = function_name(out, "all", set->instance);
    if (!ret)
        ret = buf_appendf(out, "(?, ?, N'%s') ORDER BY [__$start_lsn], [__$seqval], "
                               "[__$operation];",
                          update_old ? "all update old" : "all");
    return ret;
}

int cdc_sql_net_changes(struct buf *out, const struct catalog_table *t,
                        const struct cdc_colset *set)
{
    int ret = buf_append_str(out, "SELECT [__$start_lsn], CAST(NULL AS binary(10)) AS "
                                  "[__$seqval], [__$operation]");
    if (!ret)
        ret = select_set(out, t, set, NULL, true);
    if (!ret)
        ret = buf_append_str(out, " FROM ");
    if (!ret)
        ret = function_name(out, "net", set->instance);
    if (!ret)
        ret = buf_append_str(out, "(?, ?, N'all') ORDER BY [__$start_lsn]");
    if (!ret)
        ret = order_keys(out, t, set, "", true);
    if (!ret)
        ret = buf_append_str(out, ";");
    return ret;
}

int cdc_sql_full(struct buf *out, const struct catalog_table *t, const struct cdc_colset *set)
{
    int ret = buf_append_str(out, "SELECT CAST(? AS binary(10)) AS [__$start_lsn], "
                                  "CAST(NULL AS binary(10)) AS [__$seqval], "
                                  "CAST(2 AS int) AS [__$operation]");
    if (!ret)
        ret = select_set(out, t, set, "T.", false);
    if (!ret)
        ret = buf_appendf(out, " FROM %s AS T", t->quoted);
    if (!ret && set->npk) {
        /* order_keys writes ", T.[k1], ..."; skip its leading ", ". */
        struct buf keys;
        buf_init(&keys, 0);
        ret = order_keys(&keys, t, set, "T.", false);
        if (!ret)
            ret = buf_appendf(out, " ORDER BY %s", (const char *)keys.data + 2);
        buf_free(&keys);
    }
    if (!ret)
        ret = buf_append_str(out, ";");
    return ret;
}

/* ---- decisions --------------------------------------------------------- */

enum cdc_plan cdc_plan(bool have_last, const struct lsn *last, const struct lsn *next,
                       const struct lsn *min, const struct lsn *max)
{
    int c;

    if (!max)
        return CDC_PLAN_NOT_CAPTURED;
    if (lsn_is_zero(min))
        return CDC_PLAN_NO_INSTANCE;
    if (!have_last)
        return CDC_PLAN_FULL;
    c = lsn_cmp(last, max);
    if (c == 0)
        return CDC_PLAN_NOTHING;
    if (c > 0)
        return CDC_PLAN_AHEAD;
    if (!next || lsn_cmp(next, min) < 0)
        return CDC_PLAN_RELOAD; /* no next is a caller bug; never guess "valid" */
    return CDC_PLAN_INCREMENTAL;
}

int cdc_choose(const struct cdc_instance *v, size_t n, bool have_last, const struct lsn *next,
               const char *label, struct cdc_choice *out, struct sl_err *err)
{
    memset(out, 0, sizeof *out);
    if (n == 0) {
        sl_err_set(err, SL_ENOTFOUND, "table %s has no capture instance", label);
        sl_err_hint(err, "enable change data capture for it with sys.sp_cdc_enable_table, "
                         "or use capture: ct; the login also needs permission to read "
                         "cdc.change_tables");
        return SL_ENOTFOUND;
    }
    for (size_t i = 0; i < n; i++)
        if (!v[i].start_null && (!out->cur || lsn_cmp(&v[i].start, &out->cur->start) >= 0))
            out->cur = &v[i];
    if (!out->cur) {
        sl_err_set(err, SL_EBUSY, "the capture instance of table %s has not started yet", label);
        sl_err_hint(err, "its start_lsn in cdc.change_tables is NULL until the capture job "
                         "runs; make sure SQL Server Agent runs the capture job "
                         "(EXEC sys.sp_cdc_help_jobs)");
        return SL_EBUSY;
    }
    if (!have_last || !next || lsn_cmp(next, &out->cur->start) >= 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        const struct cdc_instance *o = &v[i];
        if (o == out->cur || o->start_null || lsn_cmp(&o->start, &out->cur->start) >= 0)
            continue;
        if (!out->old || lsn_cmp(&o->start, &out->old->start) > 0)
            out->old = o;
    }
    return 0;
}

/* Index of the captured row with column_id id, or ncc. */
static size_t find_captured(const struct cdc_captured *cc, size_t ncc, int id)
{
    for (size_t i = 0; i < ncc; i++)
        if (cc[i].column_id == id)
            return i;
    return ncc;
}

int cdc_colset_build(const struct catalog_table *t, const char *instance,
                     const struct cdc_captured *cc, size_t ncc, struct arena *a,
                     struct cdc_colset *out, struct sl_err *err)
{
    size_t n = 0;
    int ret = 0;

    memset(out, 0, sizeof *out);
    out->instance = instance;
    out->cols = arena_alloc(a, (t->ncols + 1) * sizeof(*out->cols));
    out->select = arena_alloc(a, (t->ncols + 1) * sizeof(*out->select));
    out->uncaptured = arena_alloc(a, (t->ncols + 1) * sizeof(*out->uncaptured));
    out->dropped = arena_alloc(a, (ncc + 1) * sizeof(*out->dropped));
    if (!out->cols || !out->select || !out->uncaptured || !out->dropped) {
        ret = sl_err_set(err, SL_ENOMEM, "table %s: out of memory", t->quoted);
        goto out;
    }
    for (size_t k = 0; k < t->npk; k++) {
        const struct catalog_column *c = &t->cols[t->pk[k]];
        size_t i = find_captured(cc, ncc, c->column_id);
        if (i == ncc) {
            ret = sl_err_set(err, SL_EINVAL, "capture instance %s does not capture key column "
                                             "\"%s\" of table %s", instance, c->name, t->quoted);
            sl_err_hint(err, "the primary key changed after the instance was created; create "
                             "a new capture instance with sys.sp_cdc_enable_table");
            goto out;
        }
        out->select[n] = cc[i].name;
        out->cols[n++] = t->pk[k];
    }
    out->npk = n;
    for (size_t j = 0; j < t->ncols; j++) {
        const struct catalog_column *c = &t->cols[j];
        size_t i;
        if (c->pk_ordinal)
            continue;
        i = find_captured(cc, ncc, c->column_id);
        if (i == ncc) {
            out->uncaptured[out->nuncaptured++] = c->name;
            continue;
        }
        out->select[n] = cc[i].name;
        out->cols[n++] = j;
    }
    out->ncols = n;
    for (size_t i = 0; i < ncc; i++) {
        bool found = false;
        for (size_t j = 0; j < t->ncols && !found; j++)
            found = t->cols[j].column_id == cc[i].column_id;
        if (!found)
            out->dropped[out->ndropped++] = cc[i].name;
    }
out:
    if (ret)
        memset(out, 0, sizeof *out);
    return ret;
}

static int sys_col(struct reader_column *c, const char *name, const char *type, int len,
                   bool nullable, struct sl_err *err)
{
    c->name = name;
    return typemap_from_decl(type, len, 10, 0, nullable, NULL, &c->tm, err);
}

int cdc_columns(const struct catalog_table *t, const struct cdc_colset *set,
                const struct typemap_options *opt, struct arena *a, struct reader_column **cols,
                size_t *ncols, struct sl_err *err)
{
    struct reader_column *c = NULL;
    size_t n = 0;
    int ret = 0;

    *cols = NULL;
    *ncols = 0;
    c = arena_alloc(a, (set->ncols + CDC_SYS_COLUMNS) * sizeof(*c));
    if (!c)
        return sl_err_set(err, SL_ENOMEM, "table %s: out of memory", t->quoted);
    ret = sys_col(&c[n++], "__$start_lsn", "binary", 10, false, err);
    if (!ret)
        ret = sys_col(&c[n++], "__$seqval", "binary", 10, true, err);
    if (!ret)
        ret = sys_col(&c[n++], "__$operation", "int", 4, false, err);
    for (size_t k = 0; !ret && k < set->ncols; k++) {
        const struct catalog_column *cc = &t->cols[set->cols[k]];
        c[n].name = cc->name;
        /* Key columns are set in every change row; others may read NULL. */
        ret = typemap_from_decl(cc->type_name, cc->max_length, cc->precision, cc->scale,
                                k >= set->npk, opt, &c[n++].tm, err);
    }
    if (ret) {
        sl_err_detail(err, "table %s, capture instance %s", t->quoted, set->instance);
        return ret;
    }
    *cols = c;
    *ncols = n;
    return 0;
}

/* ---- wrappers ---------------------------------------------------------- */

/* Build with fn into q, naming what in a failure. */
static int build(struct buf *q, int (*fn)(struct buf *), const char *what, struct sl_err *err)
{
    int ret = fn(q);
    if (ret)
        ret = sl_err_set(err, ret, "%s: cannot build the statement", what);
    return ret;
}

/* Column col of the current row as an LSN; *is_null for NULL. A value
 * that is not 10 bytes is SL_EPROTOCOL naming what. */
static int get_lsn(struct odbc_stmt *s, size_t col, struct lsn *v, bool *is_null,
                   const char *what, struct sl_err *err)
{
    struct buf b;
    int ret;

    buf_init(&b, 64);
    ret = odbc_stmt_get_data(s, col, ODBC_C_BINARY, &b, is_null, err);
    memset(v, 0, sizeof *v);
    if (!ret && !*is_null && !lsn_from_bytes(v, b.data, b.len))
        ret = sl_err_set(err, SL_EPROTOCOL, "%s: an LSN of %zu bytes, not 10", what, b.len);
    buf_free(&b);
    return ret;
}

/* Text column of the current row as UTF-8 in arena a; NULL becomes "". */
static int get_text(struct odbc_stmt *s, size_t col, struct arena *a, const char **out,
                    const char *what, struct sl_err *err)
{
    struct buf w, u;
    bool is_null = false;
    int ret;

    buf_init(&w, CDC_NAME_LIMIT);
    buf_init(&u, CDC_NAME_LIMIT * 2);
    *out = NULL;
    ret = odbc_stmt_get_data(s, col, ODBC_C_WCHAR, &w, &is_null, err);
    if (!ret && !is_null && utf16le_to_utf8(&u, w.data, w.len) != 0)
        ret = sl_err_set(err, SL_ENOMEM, "%s: cannot convert a name", what);
    if (!ret) {
        *out = arena_strndup(a, u.data ? (const char *)u.data : "", u.len);
        if (!*out)
            ret = sl_err_set(err, SL_ENOMEM, "%s: out of memory", what);
    }
    buf_free(&w);
    buf_free(&u);
    return ret;
}

static int get_i64(struct odbc_stmt *s, size_t col, int64_t *v, struct sl_err *err)
{
    int64_t ind = 0;
    int ret = odbc_stmt_get_fixed(s, col, ODBC_C_SBIGINT, v, sizeof(*v), &ind, err);
    if (!ret && ind == ODBC_NULL_DATA)
        *v = 0;
    return ret;
}

/*
 * Run a one-row, one-column query returning an LSN, with param bound as
 * parameter 1 first: an LSN (lsn_param), a string (str_param) or none.
 * No row reads as NULL.
 */
static int scalar_lsn(struct odbc_conn *c, int (*fn)(struct buf *), const struct lsn *lsn_param,
                      const char *str_param, const char *what, struct lsn *v, bool *is_null,
                      struct sl_err *err)
{
    struct odbc_stmt *s = NULL;
    struct buf q;
    size_t n = 0;
    int ret;

    buf_init(&q, CDC_SQL_LIMIT);
    *is_null = true;
    memset(v, 0, sizeof *v);
    ret = build(&q, fn, what, err);
    if (!ret)
        ret = odbc_stmt_new(c, what, &s, err);
    if (!ret && lsn_param)
        ret = odbc_stmt_bind_bin(s, 1, lsn_param->b, LSN_BYTES, err);
    if (!ret && str_param)
        ret = odbc_stmt_bind_str(s, 1, str_param, err);
    if (!ret)
        ret = odbc_stmt_exec(s, (const char *)q.data, err);
    if (!ret)
        ret = odbc_stmt_fetch(s, &n, err);
    if (!ret && n == 1)
        ret = get_lsn(s, 0, v, is_null, what, err);
    odbc_stmt_destroy(s);
    buf_free(&q);
    return ret;
}

int cdc_max_lsn(struct odbc_conn *c, struct lsn *max, bool *is_null, struct sl_err *err)
{
    return scalar_lsn(c, cdc_sql_max_lsn, NULL, NULL, "reading the CDC max LSN", max, is_null,
                      err);
}

/* Why fn_cdc_get_min_lsn(instance) was all zeros: SL_EBUSY or SL_ENOTFOUND. */
static int explain_zero_min(struct odbc_conn *c, const char *instance, struct sl_err *err)
{
    struct lsn start;
    bool is_null = false, exists = false;
    struct odbc_stmt *s = NULL;
    struct buf q;
    size_t n = 0;
    struct sl_err probe;

    /* A failure of this probe (e.g. no SELECT on cdc.change_tables) only
     * means we cannot tell the cases apart. */
    sl_err_clear(&probe);
    buf_init(&q, CDC_SQL_LIMIT);
    if (cdc_sql_instance_start(&q) == 0 &&
        odbc_stmt_new(c, "reading cdc.change_tables", &s, &probe) == 0 &&
        odbc_stmt_bind_str(s, 1, instance, &probe) == 0 &&
        odbc_stmt_exec(s, (const char *)q.data, &probe) == 0 &&
        odbc_stmt_fetch(s, &n, &probe) == 0 && n == 1 &&
        get_lsn(s, 0, &start, &is_null, "reading cdc.change_tables", &probe) == 0)
        exists = true;
    odbc_stmt_destroy(s);
    buf_free(&q);
    if (exists && (is_null || lsn_is_zero(&start))) {
        sl_err_set(err, SL_EBUSY, "capture instance \"%s\" has not started yet", instance);
        sl_err_detail(err, "sys.fn_cdc_get_min_lsn returned 0x00000000000000000000 and its "
                           "start_lsn in cdc.change_tables is NULL");
        sl_err_hint(err, "the capture job has not processed the instance; make sure SQL Server "
                         "Agent runs the capture job (EXEC sys.sp_cdc_help_jobs)");
        return SL_EBUSY;
    }
    sl_err_set(err, SL_ENOTFOUND, "capture instance \"%s\" does not exist or the login may "
                                  "not read it", instance);
    sl_err_detail(err, "sys.fn_cdc_get_min_lsn returned 0x00000000000000000000");
    sl_err_hint(err, "list the instances with EXEC sys.sp_cdc_help_change_data_capture; the "
                     "login needs SELECT on every captured column and membership in the "
                     "instance's gating role (or db_owner)");
    return SL_ENOTFOUND;
}

int cdc_min_lsn(struct odbc_conn *c, const char *instance, struct lsn *min, struct sl_err *err)
{
    char what[300];
    bool is_null = false;
    int ret;

    snprintf(what, sizeof what, "reading the min LSN of capture instance \"%s\"", instance);
    ret = scalar_lsn(c, cdc_sql_min_lsn, NULL, instance, what, min, &is_null, err);
    if (!ret && (is_null || lsn_is_zero(min)))
        ret = explain_zero_min(c, instance, err);
    return ret;
}

static int step_lsn(struct odbc_conn *c, int (*fn)(struct buf *), const char *name,
                    const struct lsn *in, struct lsn *out, struct sl_err *err)
{
    char what[96], hex[LSN_HEX_LEN + 1];
    bool is_null = false;
    int ret;

    lsn_to_hex(in, hex);
    snprintf(what, sizeof what, "%s(0x%s)", name, hex);
    ret = scalar_lsn(c, fn, in, NULL, what, out, &is_null, err);
    if (!ret && is_null)
        ret = sl_err_set(err, SL_EPROTOCOL, "%s returned NULL", what);
    return ret;
}

int cdc_increment_lsn(struct odbc_conn *c, const struct lsn *in, struct lsn *out,
                      struct sl_err *err)
{
    return step_lsn(c, cdc_sql_increment_lsn, "sys.fn_cdc_increment_lsn", in, out, err);
}

int cdc_decrement_lsn(struct odbc_conn *c, const struct lsn *in, struct lsn *out,
                      struct sl_err *err)
{
    return step_lsn(c, cdc_sql_decrement_lsn, "sys.fn_cdc_decrement_lsn", in, out, err);
}

/* Grow *v (elements of size sz, capacity *cap) to hold one more, in a. */
static void *grow(struct arena *a, void *v, size_t n, size_t *cap, size_t sz)
{
    void *nv;
    if (n < *cap)
        return v;
    nv = arena_alloc(a, (*cap ? *cap * 2 : 4) * sz);
    if (!nv)
        return NULL;
    if (n)
        memcpy(nv, v, n * sz);
    *cap = *cap ? *cap * 2 : 4;
    return nv;
}

static int read_instance(struct odbc_stmt *s, struct arena *a, struct cdc_instance *ci,
                         const char *what, struct sl_err *err)
{
    int64_t net = 0;
    int ret = get_text(s, 0, a, &ci->name, what, err);
    if (!ret)
        ret = get_lsn(s, 1, &ci->start, &ci->start_null, what, err);
    if (!ret)
        ret = get_i64(s, 2, &net, err);
    if (!ret)
        ret = get_i64(s, 3, &ci->object_id, err);
    ci->net_changes = net != 0;
    return ret;
}

int cdc_instances(struct odbc_conn *c, const struct catalog_table *t, struct arena *a,
                  struct cdc_instance **v, size_t *n, struct sl_err *err)
{
    struct odbc_stmt *s = NULL;
    struct cdc_instance *out = NULL;
    size_t cap = 0, count = 0, got = 0;
    char what[300];
    struct buf q;
    int ret;

    *v = NULL;
    *n = 0;
    buf_init(&q, CDC_SQL_LIMIT);
    snprintf(what, sizeof what, "reading the capture instances of table %s", t->quoted);
    ret = build(&q, cdc_sql_instances, what, err);
    if (!ret)
        ret = odbc_stmt_new(c, what, &s, err);
    if (!ret)
        ret = odbc_stmt_bind_i64(s, 1, t->object_id, false, err);
    if (!ret)
        ret = odbc_stmt_exec(s, (const char *)q.data, err);
    while (!ret && (ret = odbc_stmt_fetch(s, &got, err)) == 0 && got == 1) {
        out = grow(a, out, count, &cap, sizeof *out);
        if (!out) {
            ret = sl_err_set(err, SL_ENOMEM, "%s: out of memory", what);
            break;
        }
        memset(&out[count], 0, sizeof *out);
        ret = read_instance(s, a, &out[count], what, err);
        if (!ret)
            count++;
    }
    if (!ret) {
        *v = out;
        *n = count;
    }
    odbc_stmt_destroy(s);
    buf_free(&q);
    return ret;
}

int cdc_captured_columns(struct odbc_conn *c, const char *instance, struct arena *a,
                         struct cdc_captured **v, size_t *n, struct sl_err *err)
{
    struct odbc_stmt *s = NULL;
    struct cdc_captured *out = NULL;
    size_t cap = 0, count = 0, got = 0;
    char what[300];
    struct buf q;
    int64_t id = 0, ord = 0;
    int ret;

    *v = NULL;
    *n = 0;
    buf_init(&q, CDC_SQL_LIMIT);
    snprintf(what, sizeof what, "reading the captured columns of capture instance \"%s\"",
             instance);
    ret = build(&q, cdc_sql_captured_columns, what, err);
    if (!ret)
        ret = odbc_stmt_new(c, what, &s, err);
    if (!ret)
        ret = odbc_stmt_bind_str(s, 1, instance, err);
    if (!ret)
        ret = odbc_stmt_exec(s, (const char *)q.data, err);
    while (!ret && (ret = odbc_stmt_fetch(s, &got, err)) == 0 && got == 1) {
        out = grow(a, out, count, &cap, sizeof *out);
        if (!out) {
            ret = sl_err_set(err, SL_ENOMEM, "%s: out of memory", what);
            break;
        }
        memset(&out[count], 0, sizeof *out);
        ret = get_text(s, 0, a, &out[count].name, what, err);
        if (!ret)
            ret = get_i64(s, 1, &id, err);
        if (!ret)
            ret = get_text(s, 2, a, &out[count].type_name, what, err);
        if (!ret)
            ret = get_i64(s, 3, &ord, err);
        if (!ret) {
            out[count].column_id = (int)id;
            out[count++].ordinal = (int)ord;
        }
    }
    if (!ret && count == 0) {
        ret = sl_err_set(err, SL_ENOTFOUND, "capture instance \"%s\" has no captured columns "
                                            "the login can see", instance);
        sl_err_hint(err, "check the instance name (EXEC sys.sp_cdc_help_change_data_capture) "
                         "and that the login may read cdc.captured_columns");
    }
    if (!ret) {
        *v = out;
        *n = count;
    }
    odbc_stmt_destroy(s);
    buf_free(&q);
    return ret;
}

int cdc_window(struct odbc_conn *c, const char *instance, bool have_last, const struct lsn *last,
               struct cdc_window *w, struct sl_err *err)
{
    struct lsn max, next;
    bool max_null = true, have_next = false;
    int ret;

    memset(w, 0, sizeof *w);
    ret = cdc_max_lsn(c, &max, &max_null, err);
    if (!ret && !max_null)
        ret = cdc_min_lsn(c, instance, &w->min, err);
    if (!ret && !max_null && have_last && lsn_cmp(last, &max) < 0) {
        ret = cdc_increment_lsn(c, last, &next, err);
        have_next = ret == 0;
    }
    if (ret)
        return ret;
    w->plan = cdc_plan(have_last, last, have_next ? &next : NULL, &w->min,
                       max_null ? NULL : &max);
    if (have_next)
        w->from = next;
    if (!max_null)
        w->to = max;
    return 0;
}

static int open_read(struct odbc_conn *c, const struct catalog_table *t,
                     const struct cdc_colset *set, int kind, bool update_old,
                     const struct lsn *from, const struct lsn *to,
                     const struct typemap_options *tm, const struct reader_options *ro,
                     struct odbc_stmt **stmt, struct reader **r, struct sl_err *err)
{
    static const char *const kinds[] = {"all rows", "all changes", "net changes"};
    struct arena a;
    struct reader_column *cols = NULL;
    size_t ncols = 0;
    struct buf q;
    char what[400];
    int ret;

    *stmt = NULL;
    *r = NULL;
    arena_init(&a, 0, 0);
    buf_init(&q, CDC_SQL_LIMIT);
    snprintf(what, sizeof what, "reading %s of table %s (capture instance \"%s\")", kinds[kind],
             t->quoted, set->instance);
    ret = cdc_columns(t, set, tm, &a, &cols, &ncols, err);
    if (!ret) {
        ret = kind == 0   ? cdc_sql_full(&q, t, set)
              : kind == 1 ? cdc_sql_all_changes(&q, t, set, update_old)
                          : cdc_sql_net_changes(&q, t, set);
        if (ret)
            ret = sl_err_set(err, ret, "%s: cannot build the statement", what);
    }
    if (!ret)
        ret = odbc_stmt_new(c, what, stmt, err);
    if (!ret)
        ret = odbc_stmt_bind_bin(*stmt, 1, from->b, LSN_BYTES, err);
    if (!ret && to)
        ret = odbc_stmt_bind_bin(*stmt, 2, to->b, LSN_BYTES, err);
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

int cdc_open_changes(struct odbc_conn *c, const struct catalog_table *t,
                     const struct cdc_colset *set, bool net, bool update_old,
                     const struct lsn *from, const struct lsn *to,
                     const struct typemap_options *tm, const struct reader_options *ro,
                     struct odbc_stmt **stmt, struct reader **r, struct sl_err *err)
{
    return open_read(c, t, set, net ? 2 : 1, update_old, from, to, tm, ro, stmt, r, err);
}

int cdc_open_full(struct odbc_conn *c, const struct catalog_table *t, const struct cdc_colset *set,
                  const struct lsn *at, const struct typemap_options *tm,
                  const struct reader_options *ro, struct odbc_stmt **stmt, struct reader **r,
                  struct sl_err *err)
{
    return open_read(c, t, set, 0, false, at, NULL, tm, ro, stmt, r, err);
}
