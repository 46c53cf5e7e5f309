/*
 * precheck: the per-database change precheck of `sluice watch`. See
 * precheck.h.
 */
#include "source/precheck.h"

#include <string.h>

#include "core/buf.h"
#include "source/odbc.h"

#define PRECHECK_SQL_LIMIT 1024

int precheck_sql(struct buf *out, bool with_cdc)
{
    return buf_append_str(out, with_cdc ? "SELECT CAST(CHANGE_TRACKING_CURRENT_VERSION() AS bigint), "
                                          "(SELECT MAX(start_lsn) FROM cdc.lsn_time_mapping "
                                          "WHERE tran_id <> 0x00);"
                                        : "SELECT CAST(CHANGE_TRACKING_CURRENT_VERSION() AS bigint), "
                                          "CAST(NULL AS binary(10));");
}

int precheck_sql_cdc_age(struct buf *out)
{
    /* The aggregates in a derived table: DATEDIFF then reads plain columns. */
    return buf_append_str(out, "SELECT CAST(DATEDIFF(millisecond, w.lo, SYSDATETIME()) AS bigint), "
                               "CAST(DATEDIFF(millisecond, w.hi, SYSDATETIME()) AS bigint) "
                               "FROM (SELECT MIN(tran_end_time) AS lo, MAX(tran_end_time) AS hi "
                               "FROM cdc.lsn_time_mapping WHERE start_lsn > ? AND start_lsn <= ? "
                               "AND tran_id <> 0x00) AS w;");
}

static int get_lsn(struct odbc_stmt *s, size_t col, struct lsn *v, bool *is_null,
                   struct sl_err *err)
{
    struct buf b;
    int ret;

    buf_init(&b, 64);
    ret = odbc_stmt_get_data(s, col, ODBC_C_BINARY, &b, is_null, err);
    memset(v, 0, sizeof *v);
    if (!ret && !*is_null && !lsn_from_bytes(v, b.data, b.len))
        ret = sl_err_set(err, SL_EPROTOCOL, "precheck: an LSN of %zu bytes, not 10", b.len);
    buf_free(&b);
    return ret;
}

int precheck_run(struct odbc_conn *c, bool with_cdc, struct precheck *out, struct sl_err *err)
{
    static const char what[] = "checking the database for changes";
    struct odbc_stmt *s = NULL;
    struct buf q;
    int64_t ind = 0;
    size_t n = 0;
    int ret;

    memset(out, 0, sizeof *out);
    out->ct_null = out->cdc_null = true;
    buf_init(&q, PRECHECK_SQL_LIMIT);
    ret = precheck_sql(&q, with_cdc) ? sl_err_set(err, SL_ENOMEM, "%s: out of memory", what) : 0;
    if (!ret)
        ret = odbc_stmt_new(c, what, &s, err);
    if (!ret)
        ret = odbc_stmt_exec(s, (const char *)q.data, err);
    if (!ret)
        ret = odbc_stmt_fetch(s, &n, err);
    if (!ret && n == 1)
        ret = odbc_stmt_get_fixed(s, 0, ODBC_C_SBIGINT, &out->ct_version, sizeof out->ct_version,
                                  &ind, err);
    if (!ret && n == 1) {
        out->ct_null = ind < 0;
        ret = get_lsn(s, 1, &out->cdc_lsn, &out->cdc_null, err);
    }
    odbc_stmt_destroy(s);
    buf_free(&q);
    return ret;
}

int precheck_cdc_age(struct odbc_conn *c, const struct lsn *from, const struct lsn *to,
                     int64_t *oldest_ms, int64_t *newest_ms, bool *found, struct sl_err *err)
{
    static const char what[] = "reading commit times from cdc.lsn_time_mapping";
    struct odbc_stmt *s = NULL;
    struct buf q;
    int64_t ind0 = -1, ind1 = -1;
    size_t n = 0;
    int ret;

    *found = false;
    *oldest_ms = *newest_ms = 0;
    buf_init(&q, PRECHECK_SQL_LIMIT);
    ret = precheck_sql_cdc_age(&q) ? sl_err_set(err, SL_ENOMEM, "%s: out of memory", what) : 0;
    if (!ret)
        ret = odbc_stmt_new(c, what, &s, err);
    if (!ret)
        ret = odbc_stmt_bind_bin(s, 1, from->b, LSN_BYTES, err);
    if (!ret)
        ret = odbc_stmt_bind_bin(s, 2, to->b, LSN_BYTES, err);
    if (!ret)
        ret = odbc_stmt_exec(s, (const char *)q.data, err);
    if (!ret)
        ret = odbc_stmt_fetch(s, &n, err);
    if (!ret && n == 1)
        ret = odbc_stmt_get_fixed(s, 0, ODBC_C_SBIGINT, oldest_ms, sizeof *oldest_ms, &ind0, err);
    if (!ret && n == 1)
        ret = odbc_stmt_get_fixed(s, 1, ODBC_C_SBIGINT, newest_ms, sizeof *newest_ms, &ind1, err);
    *found = !ret && n == 1 && ind0 >= 0 && ind1 >= 0;
    odbc_stmt_destroy(s);
    buf_free(&q);
    return ret;
}
