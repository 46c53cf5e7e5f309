/*
 * odbc: the one adapter between sluice and ODBC (unixODBC + FreeTDS, or
 * Microsoft's driver). Only odbc.c includes <sql.h>/<sqlext.h>; every other
 * file sees the small vocabulary below: a connection, a statement, C-type
 * tags, 64-bit length indicators and struct sl_err.
 *
 * What it owns: handles, timeouts, parameter and column binding, block
 * fetch, chunked SQLGetData, and turning ODBC diagnostics into sl_err
 * (SQLSTATE, SQL Server's native message number as source_code, the
 * server's message text, and a hint). What it leaves to others: which SQL
 * to send (catalog.c, ct.c), what the bytes mean (reader.c).
 *
 * Errors are classified once, here: odbc_classify() maps (SQLSTATE, native
 * number) to an SL_E* code, and odbc_transient() says whether a retry on a
 * fresh connection may succeed (network drops, timeouts, deadlock victims,
 * Azure SQL failovers and throttling).
 *
 * Lifecycle:
 *
 *   odbc_open ──▶ conn ──odbc_stmt_new──▶ stmt ──bind_param*──▶ odbc_stmt_exec
 *                  │                        ▲                       │
 *                  │                        └──odbc_stmt_close◀── fetch / get_data
 *                  │                          (cursor closed, stmt reusable)
 *   odbc_close ◀───┘            odbc_stmt_destroy (any state)
 *
 * A statement must be destroyed before its connection is closed. Neither
 * object is thread-safe; one connection serves one worker.
 */
#ifndef SL_SOURCE_ODBC_H
#define SL_SOURCE_ODBC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct buf;
struct odbc_conn;
struct odbc_stmt;

/* Length/indicator values as ODBC reports them (SQLLEN is 64-bit here). */
#define ODBC_NULL_DATA (-1)
#define ODBC_NO_TOTAL (-4)

/* The C types sluice binds. Each maps to one SQL_C_* constant in odbc.c. */
enum odbc_ctype {
    ODBC_C_SBIGINT = 1, /* int64_t */
    ODBC_C_DOUBLE,      /* double */
    ODBC_C_FLOAT,       /* float */
    ODBC_C_DATE,        /* struct odbc_date */
    ODBC_C_CHAR,        /* NUL-terminated bytes (driver's client charset) */
    ODBC_C_WCHAR,       /* NUL-terminated UTF-16LE code units */
    ODBC_C_BINARY,      /* bytes */
};

/* Same layout as ODBC's DATE_STRUCT (checked at compile time in odbc.c). */
struct odbc_date {
    int16_t year;
    uint16_t month;
    uint16_t day;
};

/* SQL types a result column may report, as far as sluice cares. */
enum odbc_sqltype {
    ODBC_T_OTHER = 0,
    ODBC_T_BIT,
    ODBC_T_TINYINT,
    ODBC_T_SMALLINT,
    ODBC_T_INT,
    ODBC_T_BIGINT,
    ODBC_T_DECIMAL, /* decimal, numeric, money, smallmoney */
    ODBC_T_REAL,
    ODBC_T_FLOAT,
    ODBC_T_DATE,
    ODBC_T_TIME,           /* time(n) */
    ODBC_T_TIMESTAMP,      /* datetime, smalldatetime, datetime2 */
    ODBC_T_DATETIMEOFFSET, /* datetimeoffset(n) */
    ODBC_T_CHAR,           /* char, varchar, text */
    ODBC_T_WCHAR,          /* nchar, nvarchar, ntext, xml */
    ODBC_T_BINARY,         /* binary, varbinary, image, rowversion */
    ODBC_T_GUID,
};

struct odbc_coldesc {
    char name[256];          /* UTF-8 as the driver gave it; truncated past 255 */
    enum odbc_sqltype type;
    int sql_type;            /* the raw SQL_* value, for messages */
    uint64_t column_size;    /* 0 when unbounded (max, text, xml) */
    int decimal_digits;
    bool nullable;           /* true also when the driver does not know */
};

struct odbc_options {
    int login_timeout_s; /* 0 = driver default */
    int query_timeout_s; /* 0 = none */
};

/*
 * Connect with an ODBC connection string (borrowed; never logged or copied
 * into errors). label names the target in error messages, e.g.
 * "server 127.0.0.1:1433 database shop" (borrowed, copied). On success
 * *out is a connection (caller owns; odbc_close) and 0 is returned; on
 * failure *out is NULL, nothing is left allocated and err says why.
 */
int odbc_open(const char *connstr, const char *label, const struct odbc_options *opt,
              struct odbc_conn **out, struct sl_err *err);

/* Disconnect and free. NULL is fine. Statements must be destroyed first. */
void odbc_close(struct odbc_conn *c);

/* Execute a batch that returns no rows the caller wants (SET, BEGIN TRAN,
 * COMMIT); any result sets are drained. what names the step in errors. */
int odbc_exec(struct odbc_conn *c, const char *sql, const char *what, struct sl_err *err);

/*
 * A new statement on c with the connection's query timeout. what names the
 * object being read ("table [dbo].[orders]") in error messages (copied).
 * Caller owns *out; odbc_stmt_destroy.
 */
int odbc_stmt_new(struct odbc_conn *c, const char *what, struct odbc_stmt **out,
                  struct sl_err *err);
void odbc_stmt_destroy(struct odbc_stmt *s);

/*
 * Bind input parameter index (1-based) before odbc_stmt_exec. The value is
 * copied into the statement, so the caller's storage may go away. i64 with
 * is_null binds SQL NULL as bigint; str binds UTF-8 text as nvarchar
 * (sent as UTF-16); bin binds bytes as binary(n).
 */
int odbc_stmt_bind_i64(struct odbc_stmt *s, unsigned index, int64_t v, bool is_null,
                       struct sl_err *err);
int odbc_stmt_bind_str(struct odbc_stmt *s, unsigned index, const char *utf8,
                       struct sl_err *err);

/*
 * Bind n bytes at p (copied) as a binary(n) input parameter, or SQL NULL
 * of that type when p is NULL (CDC LSNs are binary(10): spec §B6). n must
 * be 1..8000.
 */
int odbc_stmt_bind_bin(struct odbc_stmt *s, unsigned index, const void *p, size_t n,
                       struct sl_err *err);

/* Execute sql (borrowed) with the bound parameters. Rows are then read
 * with odbc_stmt_fetch or odbc_stmt_get_*. */
int odbc_stmt_exec(struct odbc_stmt *s, const char *sql, struct sl_err *err);

/* Number of columns of the current result set (0 for none). */
int odbc_stmt_ncols(struct odbc_stmt *s, size_t *ncols, struct sl_err *err);
/* Describe column col (0-based) of the current result set. */
int odbc_stmt_describe(struct odbc_stmt *s, size_t col, struct odbc_coldesc *d, struct sl_err *err);

/*
 * Block fetch setup: fetch up to nrows rows per odbc_stmt_fetch into
 * column-wise arrays. Call before binding columns.
 */
int odbc_stmt_set_rowset(struct odbc_stmt *s, size_t nrows, struct sl_err *err);

/*
 * Bind column col (0-based) to an array of rowset elements of elem_size
 * bytes each at values, with one int64_t length/indicator per row at ind.
 * Both arrays are borrowed until the statement is closed or destroyed.
 */
int odbc_stmt_bind_col(struct odbc_stmt *s, size_t col, enum odbc_ctype ct, void *values,
                       size_t elem_size, int64_t *ind, struct sl_err *err);

/* Fetch the next rowset. *nrows is how many rows it holds; 0 at the end
 * of the result set. */
int odbc_stmt_fetch(struct odbc_stmt *s, size_t *nrows, struct sl_err *err);

/*
 * Read the whole value of column col of the current row (rowset size 1)
 * with SQLGetData in chunks, appending to out (WCHAR: UTF-16LE bytes
 * without terminator; CHAR: bytes; BINARY: bytes). *is_null reports NULL.
 * A value larger than out's limit fails with SL_ELIMIT naming the column:
 * values are never truncated silently. Columns must be read in increasing
 * order after the last bound column.
 */
int odbc_stmt_get_data(struct odbc_stmt *s, size_t col, enum odbc_ctype ct, struct buf *out,
                       bool *is_null, struct sl_err *err);

/* Fixed-size SQLGetData (SBIGINT, DOUBLE, FLOAT, DATE): *ind as in ODBC. */
int odbc_stmt_get_fixed(struct odbc_stmt *s, size_t col, enum odbc_ctype ct, void *value,
                        size_t size, int64_t *ind, struct sl_err *err);

/* Move to the next result set: *more is false when there is none. */
int odbc_stmt_more_results(struct odbc_stmt *s, bool *more, struct sl_err *err);

/* Close the cursor (discard pending rows), unbind columns and parameters
 * and reset the rowset size to 1; the statement can be executed again. */
int odbc_stmt_close(struct odbc_stmt *s, struct sl_err *err);

/*
 * Classify a diagnostic: returns the SL_E* code for (sqlstate, native
 * message number) and sets *transient when retrying on a fresh connection
 * may succeed: communication link failures (08S01, 08001, 08003, 08007),
 * timeouts (HYT00, HYT01), deadlock victim (40001 / 1205), lock timeout
 * 1222, Azure SQL transient numbers (40197, 40501, 40613, 49918-49920,
 * 10928, 10929, 4221), "cannot open database" 4060 (a failover in
 * progress), and FreeTDS's client-side link errors (20003 timeout, 20004
 * and 20006 read/write failed, 20017 unexpected EOF, 20047 dead
 * connection), which it may report under SQLSTATE 01000. Pure function:
 * usable without a connection.
 */
int odbc_classify(const char *sqlstate, long native, bool *transient);

/* True when err (filled by this module) describes a transient failure. */
bool odbc_err_transient(const struct sl_err *err);

#endif
