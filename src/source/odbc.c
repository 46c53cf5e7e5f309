/*
 * odbc: see odbc.h. This is the only file of sluice that includes the ODBC
 * headers; everything ODBC-specific (handles, SQL_C_* constants, SQLLEN,
 * diagnostic records) stays here.
 *
 * Invariants: a struct odbc_conn always holds an allocated environment and
 * connection handle that is connected; a struct odbc_stmt always holds an
 * allocated statement handle. Parameter values live in the statement so
 * that SQLBindParameter's deferred reads stay valid until execution.
 */
#include "source/odbc.h"

#include <sql.h>
#include <sqlext.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/utf8.h"

_Static_assert(sizeof(SQLLEN) == sizeof(int64_t), "SQLLEN must be 64-bit");
_Static_assert(sizeof(SQL_DATE_STRUCT) == sizeof(struct odbc_date), "DATE_STRUCT layout");
_Static_assert(offsetof(SQL_DATE_STRUCT, day) == offsetof(struct odbc_date, day),
               "DATE_STRUCT layout");
_Static_assert(sizeof(SQLWCHAR) == 2, "SQLWCHAR must be UTF-16");

/* SQL Server specific SQL types (msodbcsql's sqlncli.h; FreeTDS uses the same). */
#define SS_SQL_XML (-152)
#define SS_SQL_TIME2 (-154)
#define SS_SQL_TIMESTAMPOFFSET (-155)

#define ODBC_MAX_PARAMS 8
#define ODBC_CHUNK 65536

struct odbc_conn {
    SQLHENV env;
    SQLHDBC dbc;
    int query_timeout_s;
    char label[256];
};

struct odbc_param {
    SQLLEN ind;
    int64_t i64;
    struct buf text; /* UTF-16LE for str, the bytes for bin */
};

struct odbc_stmt {
    struct odbc_conn *conn;
    SQLHSTMT h;
    SQLULEN fetched;
    size_t rowset;
    char what[256];
    struct odbc_param params[ODBC_MAX_PARAMS];
};

/* ---- diagnostics ------------------------------------------------------ */

static bool native_transient(long native)
{
    switch (native) {
    case 1205:  /* deadlock victim */
    case 1222:  /* lock request time out */
    case 4060:  /* cannot open database (failover, restore in progress) */
    case 4221:  /* Azure: login to read-secondary failed, replica not ready */
    case 10928: /* Azure: resource limit reached */
    case 10929: /* Azure: resource governance minimum not available */
    case 40197: /* Azure: service error processing the request */
    case 40501: /* Azure: service is busy */
    case 40613: /* Azure: database not currently available */
    case 49918: /* Azure: not enough resources to process request */
    case 49919: /* Azure: too many create/update operations */
    case 49920: /* Azure: too many operations in progress */
        return true;
    default:
        return false;
    }
}

/*
 * FreeTDS's own numbers for a broken link, which it may report under
 * SQLSTATE 01000 rather than 08S01 (seen: "Unexpected EOF from the
 * server", 20017, when the server closes the socket mid-result). Client
 * side codes: they mean the same against any server.
 */
static int freetds_link_code(long native)
{
    switch (native) {
    case 20003: /* SYBETIME: timeout */
        return SL_ETIMEOUT;
    case 20004: /* SYBEREAD: read from the server failed */
    case 20006: /* SYBEWRIT: write to the server failed */
    case 20017: /* SYBESEOF: unexpected EOF from the server */
    case 20047: /* SYBEDDNE: the connection is dead */
        return SL_ECLOSED;
    default:
        return 0;
    }
}

int odbc_classify(const char *sqlstate, long native, bool *transient)
{
    int code = SL_ESQL;
    bool tr = false;
    const char *st = sqlstate ? sqlstate : "";

    if (freetds_link_code(native)) {
        tr = true;
        code = freetds_link_code(native);
    } else if (native_transient(native)) {
        tr = true;
        code = (native == 4060 || native == 40613 || native == 40197 || native == 4221)
                   ? SL_ECONNECT
                   : SL_EBUSY;
    } else if (strcmp(st, "08S01") == 0 || strcmp(st, "08003") == 0 ||
               strcmp(st, "08007") == 0) {
        tr = true;
        code = SL_ECLOSED;
    } else if (strcmp(st, "08001") == 0) {
        tr = true;
        code = SL_ECONNECT;
    } else if (strcmp(st, "HYT00") == 0 || strcmp(st, "HYT01") == 0) {
        tr = true;
        code = SL_ETIMEOUT;
    } else if (strcmp(st, "40001") == 0) {
        tr = true;
        code = SL_EBUSY;
    } else if (strcmp(st, "28000") == 0 || native == 18456 || native == 18452) {
        code = SL_EAUTH;
    } else if (strncmp(st, "08", 2) == 0) {
        code = SL_ECONNECT; /* 08004 rejected, 08002 in use, ...: permanent */
    } else if (strcmp(st, "HY001") == 0) {
        code = SL_ENOMEM;
    } else if (strcmp(st, "22003") == 0 || strcmp(st, "22018") == 0 ||
               strcmp(st, "07006") == 0) {
        code = SL_ECONVERT;
    }
    if (transient)
        *transient = tr;
    return code;
}

bool odbc_err_transient(const struct sl_err *err)
{
    if (!err)
        return false;
    return err->code == SL_ECLOSED || err->code == SL_ECONNECT || err->code == SL_ETIMEOUT ||
           err->code == SL_EBUSY;
}

static const char *hint_for(const char *st, long native, bool transient)
{
    switch (native) {
    case 208:
        return "check the schema and table name, and that the login may see the object";
    case 229:
    case 230:
        return "grant SELECT (and VIEW CHANGE TRACKING for change tracking) to the login";
    case 3952:
        return "run ALTER DATABASE ... SET ALLOW_SNAPSHOT_ISOLATION ON";
    case 4060:
        return "check connection.database; the database may be restoring or failing over";
    case 18456:
        return "check connection.user and connection.password";
    case 22105:
        return "run ALTER TABLE ... ENABLE CHANGE_TRACKING, or use mode: full";
    default:
        break;
    }
    if (strcmp(st, "08001") == 0)
        return "check connection.server and connection.port, and that SQL Server accepts "
               "TCP connections there";
    if (transient)
        return "this failure is usually transient; the sync will be retried";
    return "";
}

/* Strip the driver prefixes "[FreeTDS][SQL Server]" so users see the
 * server's own text. */
static const char *server_text(const char *m)
{
    while (*m == '[') {
        const char *e = strchr(m, ']');
        if (!e)
            break;
        m = e + 1;
    }
    return m;
}

/*
 * Fill err from the first diagnostic record of handle (the primary cause;
 * further records go to the detail). Returns the SL_E* code. ctx names the
 * object and the step in the primary message.
 */
static int diag_err(SQLSMALLINT htype, SQLHANDLE h, const char *ctx, struct sl_err *err)
{
    SQLCHAR state[6] = "", msg[SL_ERR_MSG_MAX] = "";
    SQLINTEGER native = 0;
    SQLSMALLINT len = 0;
    bool transient = false;
    int code;
    SQLRETURN rc = SQL_NO_DATA;

    if (h)
        rc = SQLGetDiagRec(htype, h, 1, state, &native, msg, (SQLSMALLINT)sizeof(msg), &len);
    if (!SQL_SUCCEEDED(rc)) {
        return sl_err_set(err, SL_ESQL, "%s failed (the driver gave no diagnostic)", ctx);
    }
    code = odbc_classify((const char *)state, (long)native, &transient);
    if (err && err->code == 0) {
        sl_err_set(err, code, "%s: %s", ctx, server_text((const char *)msg));
        err->source_code = (int)native;
        /* FreeTDS numbers its own client-side failures 20000-20999. */
        sl_err_detail(err, "SQLSTATE %s, %s %ld%s", (const char *)state,
                      native >= 20000 && native < 21000 ? "driver error" : "SQL Server message",
                      (long)native, transient ? " (transient)" : "");
        const char *hint = hint_for((const char *)state, (long)native, transient);
        if (*hint)
            sl_err_hint(err, "%s", hint);
    }
    return code;
}

/* ---- connection ------------------------------------------------------- */

int odbc_open(const char *connstr, const char *label, const struct odbc_options *opt,
              struct odbc_conn **out, struct sl_err *err)
{
    struct odbc_conn *c = NULL;
    char ctx[320];
    SQLRETURN rc;
    int ret = 0;

    *out = NULL;
    snprintf(ctx, sizeof(ctx), "cannot connect to %s", label ? label : "SQL Server");
    c = sl_calloc(1, sizeof(*c));
    if (!c) {
        ret = sl_err_set(err, SL_ENOMEM, "%s: out of memory", ctx);
        goto out;
    }
    snprintf(c->label, sizeof(c->label), "%s", label ? label : "SQL Server");
    c->query_timeout_s = opt ? opt->query_timeout_s : 0;
    rc = SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &c->env);
    if (!SQL_SUCCEEDED(rc)) {
        c->env = NULL;
        ret = sl_err_set(err, SL_ENOMEM, "%s: cannot allocate an ODBC environment", ctx);
        goto out;
    }
    SQLSetEnvAttr(c->env, SQL_ATTR_ODBC_VERSION, (SQLPOINTER)SQL_OV_ODBC3, 0);
    rc = SQLAllocHandle(SQL_HANDLE_DBC, c->env, &c->dbc);
    if (!SQL_SUCCEEDED(rc)) {
        c->dbc = NULL;
        ret = diag_err(SQL_HANDLE_ENV, c->env, ctx, err);
        goto out;
    }
    if (opt && opt->login_timeout_s > 0) {
        SQLSetConnectAttr(c->dbc, SQL_ATTR_LOGIN_TIMEOUT,
                          (SQLPOINTER)(uintptr_t)opt->login_timeout_s, 0);
        SQLSetConnectAttr(c->dbc, SQL_ATTR_CONNECTION_TIMEOUT,
                          (SQLPOINTER)(uintptr_t)opt->login_timeout_s, 0);
    }
    rc = SQLDriverConnect(c->dbc, NULL, (SQLCHAR *)connstr, SQL_NTS, NULL, 0, NULL,
                          SQL_DRIVER_NOPROMPT);
    if (!SQL_SUCCEEDED(rc)) {
        ret = diag_err(SQL_HANDLE_DBC, c->dbc, ctx, err);
        /* A link failure while connecting (FreeTDS says 08S01) is a failed
         * connection, not a dropped one. */
        if (ret == SL_ECLOSED) {
            ret = SL_ECONNECT;
            if (err && err->code == SL_ECLOSED) {
                err->code = SL_ECONNECT;
                sl_err_hint(err, "%s", hint_for("08001", 0, true));
            }
        }
        SQLFreeHandle(SQL_HANDLE_DBC, c->dbc);
        c->dbc = NULL;
        goto out;
    }
    *out = c;
    c = NULL;
out:
    if (c) {
        if (c->dbc)
            SQLFreeHandle(SQL_HANDLE_DBC, c->dbc);
        if (c->env)
            SQLFreeHandle(SQL_HANDLE_ENV, c->env);
        sl_free(c);
    }
    return ret;
}

void odbc_close(struct odbc_conn *c)
{
    if (!c)
        return;
    if (c->dbc) {
        SQLDisconnect(c->dbc);
        SQLFreeHandle(SQL_HANDLE_DBC, c->dbc);
    }
    if (c->env)
        SQLFreeHandle(SQL_HANDLE_ENV, c->env);
    sl_free(c);
}

int odbc_exec(struct odbc_conn *c, const char *sql, const char *what, struct sl_err *err)
{
    struct odbc_stmt *s = NULL;
    bool more = true;
    int ret;

    ret = odbc_stmt_new(c, what, &s, err);
    if (ret)
        goto out;
    ret = odbc_stmt_exec(s, sql, err);
    while (!ret && more)
        ret = odbc_stmt_more_results(s, &more, err);
out:
    odbc_stmt_destroy(s);
    return ret;
}

/* ---- statements ------------------------------------------------------- */

int odbc_stmt_new(struct odbc_conn *c, const char *what, struct odbc_stmt **out,
                  struct sl_err *err)
{
    struct odbc_stmt *s = NULL;
    SQLRETURN rc;
    int ret = 0;

    *out = NULL;
    s = sl_calloc(1, sizeof(*s));
    if (!s) {
        ret = sl_err_set(err, SL_ENOMEM, "reading %s: out of memory", what);
        goto out;
    }
    s->conn = c;
    s->rowset = 1;
    snprintf(s->what, sizeof(s->what), "%s", what ? what : "query");
    for (size_t i = 0; i < ODBC_MAX_PARAMS; i++)
        buf_init(&s->params[i].text, 0);
    rc = SQLAllocHandle(SQL_HANDLE_STMT, c->dbc, &s->h);
    if (!SQL_SUCCEEDED(rc)) {
        s->h = NULL;
        ret = diag_err(SQL_HANDLE_DBC, c->dbc, s->what, err);
        goto out;
    }
    if (c->query_timeout_s > 0)
        SQLSetStmtAttr(s->h, SQL_ATTR_QUERY_TIMEOUT,
                       (SQLPOINTER)(uintptr_t)c->query_timeout_s, 0);
    *out = s;
    s = NULL;
out:
    odbc_stmt_destroy(s);
    return ret;
}

void odbc_stmt_destroy(struct odbc_stmt *s)
{
    if (!s)
        return;
    if (s->h)
        SQLFreeHandle(SQL_HANDLE_STMT, s->h);
    for (size_t i = 0; i < ODBC_MAX_PARAMS; i++)
        buf_free(&s->params[i].text);
    sl_free(s);
}

static int param_slot(struct odbc_stmt *s, unsigned index, struct sl_err *err)
{
    if (index == 0 || index > ODBC_MAX_PARAMS)
        return sl_err_set(err, SL_EINVAL, "%s: parameter %u out of range 1..%d", s->what, index,
                          ODBC_MAX_PARAMS);
    return 0;
}

int odbc_stmt_bind_i64(struct odbc_stmt *s, unsigned index, int64_t v, bool is_null,
                       struct sl_err *err)
{
    struct odbc_param *p;
    SQLRETURN rc;
    int ret = param_slot(s, index, err);

    if (ret)
        goto out;
    p = &s->params[index - 1];
    p->i64 = v;
    p->ind = is_null ? SQL_NULL_DATA : 0;
    rc = SQLBindParameter(s->h, (SQLUSMALLINT)index, SQL_PARAM_INPUT, SQL_C_SBIGINT, SQL_BIGINT,
                          0, 0, &p->i64, 0, &p->ind);
    if (!SQL_SUCCEEDED(rc))
        ret = diag_err(SQL_HANDLE_STMT, s->h, s->what, err);
out:
    return ret;
}

int odbc_stmt_bind_str(struct odbc_stmt *s, unsigned index, const char *utf8,
                       struct sl_err *err)
{
    struct odbc_param *p;
    SQLRETURN rc;
    SQLULEN units;
    int ret = param_slot(s, index, err);

    if (ret)
        goto out;
    p = &s->params[index - 1];
    buf_reset(&p->text);
    ret = utf8_to_utf16le(&p->text, (const uint8_t *)utf8, strlen(utf8));
    if (!ret)
        ret = buf_append_u16le(&p->text, 0);
    if (ret) {
        ret = sl_err_set(err, ret, "%s: cannot convert parameter %u to UTF-16", s->what, index);
        goto out;
    }
    p->ind = (SQLLEN)(p->text.len - 2);
    units = (p->text.len - 2) / 2;
    rc = SQLBindParameter(s->h, (SQLUSMALLINT)index, SQL_PARAM_INPUT, SQL_C_WCHAR, SQL_WVARCHAR,
                          units ? units : 1, 0, p->text.data, (SQLLEN)p->text.len, &p->ind);
    if (!SQL_SUCCEEDED(rc))
        ret = diag_err(SQL_HANDLE_STMT, s->h, s->what, err);
out:
    return ret;
}

int odbc_stmt_bind_bin(struct odbc_stmt *s, unsigned index, const void *p, size_t n,
                       struct sl_err *err)
{
    struct odbc_param *pr;
    SQLRETURN rc;
    int ret = param_slot(s, index, err);

    if (!ret && (n == 0 || n > 8000))
        ret = sl_err_set(err, SL_EINVAL, "%s: binary parameter %u of %zu bytes (1..8000)",
                         s->what, index, n);
    if (ret)
        goto out;
    pr = &s->params[index - 1];
    buf_reset(&pr->text);
    /* Reserve n bytes even for NULL so the bound pointer is never NULL. */
    ret = p ? buf_append(&pr->text, p, n) : buf_reserve(&pr->text, n);
    if (ret) {
        ret = sl_err_set(err, ret, "%s: out of memory binding parameter %u", s->what, index);
        goto out;
    }
    pr->ind = p ? (SQLLEN)n : SQL_NULL_DATA;
    rc = SQLBindParameter(s->h, (SQLUSMALLINT)index, SQL_PARAM_INPUT, SQL_C_BINARY, SQL_BINARY,
                          n, 0, pr->text.data, (SQLLEN)n, &pr->ind);
    if (!SQL_SUCCEEDED(rc))
        ret = diag_err(SQL_HANDLE_STMT, s->h, s->what, err);
out:
    return ret;
}

int odbc_stmt_exec(struct odbc_stmt *s, const char *sql, struct sl_err *err)
{
    SQLRETURN rc = SQLExecDirect(s->h, (SQLCHAR *)sql, SQL_NTS);

    /* SQL_NO_DATA: a searched UPDATE/DELETE touching nothing; not an error. */
    if (SQL_SUCCEEDED(rc) || rc == SQL_NO_DATA)
        return 0;
    return diag_err(SQL_HANDLE_STMT, s->h, s->what, err);
}

int odbc_stmt_ncols(struct odbc_stmt *s, size_t *ncols, struct sl_err *err)
{
    SQLSMALLINT n = 0;
    SQLRETURN rc = SQLNumResultCols(s->h, &n);

    *ncols = 0;
    if (!SQL_SUCCEEDED(rc))
        return diag_err(SQL_HANDLE_STMT, s->h, s->what, err);
    *ncols = n > 0 ? (size_t)n : 0;
    return 0;
}

static enum odbc_sqltype map_sqltype(SQLSMALLINT t)
{
    switch (t) {
    case SQL_BIT: return ODBC_T_BIT;
    case SQL_TINYINT: return ODBC_T_TINYINT;
    case SQL_SMALLINT: return ODBC_T_SMALLINT;
    case SQL_INTEGER: return ODBC_T_INT;
    case SQL_BIGINT: return ODBC_T_BIGINT;
    case SQL_DECIMAL:
    case SQL_NUMERIC: return ODBC_T_DECIMAL;
    case SQL_REAL: return ODBC_T_REAL;
    case SQL_FLOAT:
    case SQL_DOUBLE: return ODBC_T_FLOAT;
    case SQL_TYPE_DATE: return ODBC_T_DATE;
    case SQL_TYPE_TIME:
    case SS_SQL_TIME2: return ODBC_T_TIME;
    case SQL_TYPE_TIMESTAMP: return ODBC_T_TIMESTAMP;
    case SS_SQL_TIMESTAMPOFFSET: return ODBC_T_DATETIMEOFFSET;
    case SQL_CHAR:
    case SQL_VARCHAR:
    case SQL_LONGVARCHAR: return ODBC_T_CHAR;
    case SQL_WCHAR:
    case SQL_WVARCHAR:
    case SQL_WLONGVARCHAR:
    case SS_SQL_XML: return ODBC_T_WCHAR;
    case SQL_BINARY:
    case SQL_VARBINARY:
    case SQL_LONGVARBINARY: return ODBC_T_BINARY;
    case SQL_GUID: return ODBC_T_GUID;
    default: return ODBC_T_OTHER;
    }
}

int odbc_stmt_describe(struct odbc_stmt *s, size_t col, struct odbc_coldesc *d, struct sl_err *err)
{
    SQLCHAR name[256];
    SQLSMALLINT namelen = 0, type = 0, digits = 0, nullable = SQL_NULLABLE_UNKNOWN;
    SQLULEN size = 0;
    SQLRETURN rc;

    memset(d, 0, sizeof(*d));
    rc = SQLDescribeCol(s->h, (SQLUSMALLINT)(col + 1), name, sizeof(name), &namelen, &type, &size,
                        &digits, &nullable);
    if (!SQL_SUCCEEDED(rc))
        return diag_err(SQL_HANDLE_STMT, s->h, s->what, err);
    snprintf(d->name, sizeof(d->name), "%s", (const char *)name);
    d->sql_type = type;
    d->type = map_sqltype(type);
    /* Drivers report (max) columns as 0 or as 2^31-1 / 2^30-1 characters. */
    d->column_size = (size == 0 || size >= 0x3fffffff) ? 0 : (uint64_t)size;
    d->decimal_digits = digits;
    d->nullable = nullable != SQL_NO_NULLS;
    return 0;
}

int odbc_stmt_set_rowset(struct odbc_stmt *s, size_t nrows, struct sl_err *err)
{
    SQLRETURN rc;

    rc = SQLSetStmtAttr(s->h, SQL_ATTR_ROW_BIND_TYPE, (SQLPOINTER)SQL_BIND_BY_COLUMN, 0);
    if (SQL_SUCCEEDED(rc))
        rc = SQLSetStmtAttr(s->h, SQL_ATTR_ROW_ARRAY_SIZE, (SQLPOINTER)(uintptr_t)nrows, 0);
    if (SQL_SUCCEEDED(rc))
        rc = SQLSetStmtAttr(s->h, SQL_ATTR_ROWS_FETCHED_PTR, &s->fetched, 0);
    if (!SQL_SUCCEEDED(rc))
        return diag_err(SQL_HANDLE_STMT, s->h, s->what, err);
    s->rowset = nrows;
    return 0;
}

static SQLSMALLINT c_type(enum odbc_ctype ct)
{
    switch (ct) {
    case ODBC_C_SBIGINT: return SQL_C_SBIGINT;
    case ODBC_C_DOUBLE: return SQL_C_DOUBLE;
    case ODBC_C_FLOAT: return SQL_C_FLOAT;
    case ODBC_C_DATE: return SQL_C_TYPE_DATE;
    case ODBC_C_CHAR: return SQL_C_CHAR;
    case ODBC_C_WCHAR: return SQL_C_WCHAR;
    case ODBC_C_BINARY: return SQL_C_BINARY;
    }
    return SQL_C_DEFAULT;
}

int odbc_stmt_bind_col(struct odbc_stmt *s, size_t col, enum odbc_ctype ct, void *values,
                       size_t elem_size, int64_t *ind, struct sl_err *err)
{
    SQLRETURN rc = SQLBindCol(s->h, (SQLUSMALLINT)(col + 1), c_type(ct), values,
                              (SQLLEN)elem_size, (SQLLEN *)ind);

    if (!SQL_SUCCEEDED(rc))
        return diag_err(SQL_HANDLE_STMT, s->h, s->what, err);
    return 0;
}

int odbc_stmt_fetch(struct odbc_stmt *s, size_t *nrows, struct sl_err *err)
{
    SQLRETURN rc;

    *nrows = 0;
    s->fetched = 0;
    rc = SQLFetch(s->h);
    if (rc == SQL_NO_DATA)
        return 0;
    /*
     * SQL_SUCCESS_WITH_INFO here means a bound value did not fit (01004)
     * or a conversion lost digits (01S07). Buffers are sized from the
     * declared types, so either means the metadata lied: refuse the rowset
     * instead of passing truncated data on.
     */
    if (rc == SQL_SUCCESS_WITH_INFO) {
        SQLCHAR state[6] = "";
        SQLINTEGER native = 0;
        SQLSMALLINT len = 0;
        SQLCHAR msg[64];
        if (SQL_SUCCEEDED(SQLGetDiagRec(SQL_HANDLE_STMT, s->h, 1, state, &native, msg,
                                        sizeof(msg), &len)) &&
            (strcmp((const char *)state, "01004") == 0 ||
             strcmp((const char *)state, "01S07") == 0)) {
            sl_err_set(err, SL_ECONVERT, "%s: a value did not fit its declared type's buffer",
                       s->what);
            sl_err_detail(err, "SQLSTATE %s from SQLFetch", (const char *)state);
            sl_err_hint(err, "the column metadata and the data disagree; report this with the "
                             "table definition");
            return SL_ECONVERT;
        }
    } else if (!SQL_SUCCEEDED(rc)) {
        return diag_err(SQL_HANDLE_STMT, s->h, s->what, err);
    }
    *nrows = s->rowset > 1 ? (size_t)s->fetched : 1;
    return 0;
}

static size_t terminator_size(enum odbc_ctype ct)
{
    return ct == ODBC_C_WCHAR ? 2 : ct == ODBC_C_CHAR ? 1 : 0;
}

int odbc_stmt_get_data(struct odbc_stmt *s, size_t col, enum odbc_ctype ct, struct buf *out,
                       bool *is_null, struct sl_err *err)
{
    size_t term = terminator_size(ct);
    SQLLEN ind = 0;
    SQLRETURN rc;
    int ret = 0;

    *is_null = false;
    for (;;) {
        size_t cap = ODBC_CHUNK, got;
        ret = buf_reserve(out, cap);
        if (ret == SL_ENOMEM) {
            ret = sl_err_set(err, SL_ENOMEM, "%s: out of memory reading column %zu", s->what,
                             col + 1);
            goto out;
        }
        if (ret) {
            /* Try a smaller last chunk before declaring the limit hit. */
            cap = out->limit > out->len ? out->limit - out->len : 0;
            cap = cap > term ? cap : 0;
            if (cap == 0 || buf_reserve(out, cap) != 0) {
                ret = sl_err_set(err, SL_ELIMIT,
                                 "%s: value of column %zu is larger than the limit of %zu bytes",
                                 s->what, col + 1, out->limit);
                sl_err_hint(err, "raise the large-value limit or exclude the column");
                goto out;
            }
            ret = 0;
        }
        rc = SQLGetData(s->h, (SQLUSMALLINT)(col + 1), c_type(ct), out->data + out->len,
                        (SQLLEN)cap, &ind);
        if (rc == SQL_NO_DATA)
            break;
        if (!SQL_SUCCEEDED(rc)) {
            ret = diag_err(SQL_HANDLE_STMT, s->h, s->what, err);
            goto out;
        }
        if (ind == SQL_NULL_DATA) {
            *is_null = true;
            break;
        }
        if (rc == SQL_SUCCESS_WITH_INFO && (ind == SQL_NO_TOTAL || (size_t)ind + term > cap)) {
            got = cap - term; /* a full chunk; more follows */
            if (ct == ODBC_C_WCHAR)
                got &= ~(size_t)1;
            out->len += got;
            continue;
        }
        out->len += (size_t)ind;
        break;
    }
    if (out->data)
        out->data[out->len] = 0;
out:
    return ret;
}

int odbc_stmt_get_fixed(struct odbc_stmt *s, size_t col, enum odbc_ctype ct, void *value,
                        size_t size, int64_t *ind, struct sl_err *err)
{
    SQLLEN i = 0;
    SQLRETURN rc = SQLGetData(s->h, (SQLUSMALLINT)(col + 1), c_type(ct), value, (SQLLEN)size, &i);

    if (!SQL_SUCCEEDED(rc))
        return diag_err(SQL_HANDLE_STMT, s->h, s->what, err);
    *ind = i;
    return 0;
}

int odbc_stmt_more_results(struct odbc_stmt *s, bool *more, struct sl_err *err)
{
    SQLRETURN rc = SQLMoreResults(s->h);

    *more = false;
    if (rc == SQL_NO_DATA)
        return 0;
    if (!SQL_SUCCEEDED(rc))
        return diag_err(SQL_HANDLE_STMT, s->h, s->what, err);
    *more = true;
    return 0;
}

int odbc_stmt_close(struct odbc_stmt *s, struct sl_err *err)
{
    SQLRETURN rc = SQLFreeStmt(s->h, SQL_CLOSE);

    if (SQL_SUCCEEDED(rc))
        rc = SQLFreeStmt(s->h, SQL_UNBIND);
    if (SQL_SUCCEEDED(rc))
        rc = SQLFreeStmt(s->h, SQL_RESET_PARAMS);
    if (SQL_SUCCEEDED(rc) && s->rowset != 1) {
        rc = SQLSetStmtAttr(s->h, SQL_ATTR_ROW_ARRAY_SIZE, (SQLPOINTER)1, 0);
        s->rowset = 1;
    }
    if (!SQL_SUCCEEDED(rc))
        return diag_err(SQL_HANDLE_STMT, s->h, s->what, err);
    return 0;
}
