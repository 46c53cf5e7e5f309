/*
 * applock: see applock.h. sp_getapplock's status comes back as the
 * procedure's return value, read with EXEC @r = ... and a SELECT:
 * 0 granted, 1 granted after waiting, -1 timed out (held elsewhere),
 * -2 cancelled, -3 deadlock victim, -999 bad call.
 */
#include "source/applock.h"

#include <stdint.h>
#include <stdio.h>

#include "core/buf.h"
#include "source/odbc.h"

int applock_sql_get(struct buf *out)
{
    return buf_append_str(out, "DECLARE @r int; EXEC @r = sys.sp_getapplock @Resource = ?, "
                               "@LockMode = N'Exclusive', @LockOwner = N'Session', "
                               "@LockTimeout = 0; SELECT @r;");
}

int applock_sql_release(struct buf *out)
{
    return buf_append_str(out, "DECLARE @r int; EXEC @r = sys.sp_releaseapplock @Resource = ?, "
                               "@LockOwner = N'Session'; SELECT @r;");
}

/* Run one of the batches above with resource bound; *status is @r. */
static int call(struct odbc_conn *c, int (*build)(struct buf *), const char *resource,
                const char *what, int64_t *status, struct sl_err *err)
{
    struct odbc_stmt *s = NULL;
    struct buf q;
    size_t n = 0;
    int64_t ind = ODBC_NULL_DATA;
    bool more = true;
    int ret;

    *status = -999;
    buf_init(&q, 0);
    ret = build(&q);
    if (ret)
        ret = sl_err_set(err, ret, "%s: cannot build the statement", what);
    if (!ret)
        ret = odbc_stmt_new(c, what, &s, err);
    if (!ret)
        ret = odbc_stmt_bind_str(s, 1, resource, err);
    if (!ret)
        ret = odbc_stmt_exec(s, (const char *)q.data, err);
    /* Skip result sets without columns (row counts) up to the SELECT. */
    for (size_t nc = 0; !ret && more;) {
        ret = odbc_stmt_ncols(s, &nc, err);
        if (ret || nc > 0)
            break;
        ret = odbc_stmt_more_results(s, &more, err);
    }
    if (!ret && more)
        ret = odbc_stmt_fetch(s, &n, err);
    if (!ret && n == 1)
        ret = odbc_stmt_get_fixed(s, 0, ODBC_C_SBIGINT, status, sizeof(*status), &ind, err);
    if (!ret && (n != 1 || ind == ODBC_NULL_DATA))
        ret = sl_err_set(err, SL_EPROTOCOL, "%s: the server returned no status", what);
    odbc_stmt_destroy(s);
    buf_free(&q);
    return ret;
}

int applock_get(struct odbc_conn *c, const char *resource, bool *held, struct sl_err *err)
{
    char what[400];
    int64_t st = -999;
    int ret;

    *held = false;
    snprintf(what, sizeof(what), "taking the application lock %s", resource);
    ret = call(c, applock_sql_get, resource, what, &st, err);
    if (ret)
        return ret;
    if (st >= 0) {
        *held = true;
    } else if (st != -1 && st != -2 && st != -3) {
        ret = sl_err_set(err, SL_ESQL, "%s: sp_getapplock returned %lld", what, (long long)st);
        sl_err_hint(err, "the login needs EXECUTE on sp_getapplock (granted to public by default)");
    }
    return ret;
}

int applock_release(struct odbc_conn *c, const char *resource, struct sl_err *err)
{
    char what[400];
    int64_t st = -999;
    int ret;

    snprintf(what, sizeof(what), "releasing the application lock %s", resource);
    ret = call(c, applock_sql_release, resource, what, &st, err);
    if (!ret && st < 0)
        ret = sl_err_set(err, SL_ESQL, "%s: sp_releaseapplock returned %lld", what, (long long)st);
    return ret;
}
