/*
 * exec: runs a parsed batch statement by statement and turns the results
 * into engine_out events.
 *
 * Owns control flow (IF/WHILE/BEGIN..END/BREAK/CONTINUE/RETURN), variables
 * (DECLARE/SET/SELECT @v=), SET options, USE, PRINT/RAISERROR/THROW, the
 * error policy and the streaming of SELECT results. Leaves DML to dml.c,
 * DDL to catalog.c, transactions to txn.c, EXEC of system procedures to
 * sysprocs.c/rpc.c and of user procedures to proc.c.
 *
 * Error policy (as SQL Server, see report_ex): a statement error reports
 * ERROR (+ INFO 3621 when a data modification was rolled back) + DONE(ERROR)
 * and the batch continues; compile-type errors (207, 208, 137, 4104, ...),
 * conversion errors (245, 8114, ...), THROW and, under SET ARITHABORT ON,
 * arithmetic errors (8134, 8115) abort the batch; with XACT_ABORT ON every
 * error but RAISERROR aborts the batch, and run-time ones roll the
 * transaction back.
 *
 * Rows stream: one sqlite3_step, one out->row; the per-row arena is reset
 * every row, so memory stays flat for any result size.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/mem.h"
#include "core/utf8.h"
#include "eng.h"


bool ieq(const char *a, const char *b)
{
    return a && b && strcasecmp(a, b) == 0;
}

char *upper_dup(struct arena *a, const char *s)
{
    char *r = arena_strdup(a, s);
    for (char *p = r; p && *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 32);
    return r;
}

void sqlerr_set(struct sqlerr *e, int number, int severity, const char *fmt, ...)
{
    e->number = number;
    e->severity = severity;
    e->state = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->text, sizeof(e->text), fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------ events */

int exec_msg(struct engine_session *s, int number, int severity, int state, int line,
             const char *text, bool is_error)
{
    struct engine_msg m = {number, (uint8_t)state, (uint8_t)severity, line, text, s->procname};
    if (s->closed)
        return -1;
    if (s->out->message(s->ctx, &m, is_error)) {
        s->closed = true;
        return -1;
    }
    return 0;
}

int exec_done(struct engine_session *s, unsigned flags, uint16_t cmd, uint64_t count)
{
    if (s->closed)
        return -1;
    if (s->trancount > 0)
        flags |= ENGINE_DONE_INXACT;
    if (s->nocount)
        flags &= ~(unsigned)ENGINE_DONE_COUNT;
    if (s->out->done(s->ctx, flags, cmd, count)) {
        s->closed = true;
        return -1;
    }
    return 0;
}

bool exec_poll_cancel(struct engine_session *s)
{
    if (s->cancelled)
        return true;
    /* out is NULL between requests (a session working outside one, as the
     * CDC capture job's, has nobody to cancel it). */
    if (s->out && s->out->cancelled && s->out->cancelled(s->ctx))
        s->cancelled = true;
    return s->cancelled;
}

bool exec_peer_gone(struct engine_session *s)
{
    return s->out && s->out->peer_gone && s->out->peer_gone(s->ctx);
}

/*
 * Errors SQL Server raises while compiling a statement (name resolution,
 * type checks, clause rules): they abort the batch, are not followed by
 * 3621 (nothing ran), and with XACT_ABORT ON they do not roll the
 * transaction back (they happen before the statement starts).
 */
static bool compile_error(int number)
{
    switch (number) {
    case 102: case 156: case 105: case 207: case 208: case 209: case 137: case 4104:
    case 8120: case 116: case 205: case 2715: case 174: case 189: case 147: case 263:
    case 4145: case 8116: case 8117: case 402: case 128: case 155: case 1023: case 195:
    case 109: case 110: case 120: case 121: case 213: case 264: case 544: case 545:
    case 272: case 273: case 8101: case 8102: case 134: case 141:
        return true;
    default:
        return false;
    }
}

/* Severity of a parse error: the syntax class 15 for SQL Server's parser
 * messages, 16 for the rest (2715 unknown type, 701 ...). */
static int parse_severity(int number)
{
    switch (number) {
    case 102: case 156: case 105: case 111: case 113: case 10709: case 1002: case 155: case 5091:
    case 5092:
        return 15;
    default:
        return 16;
    }
}

/* Run-time errors that abort the batch whatever the settings: conversion
 * failures and the deadlock victim. */
static bool runtime_batch_abort(int number)
{
    switch (number) {
    case 245: case 8114: case 241: case 242: case 8169: case 1205: case 296: case 3952: case 217:
        return true;
    default:
        return false;
    }
}

/* Arithmetic errors: statement-terminating, batch-aborting under
 * SET ARITHABORT ON (which tedious and pymssql send at connect; FreeTDS's
 * tsql/freebcp and the server default leave it OFF). */
static bool arith_error(int number)
{
    return number == 8134 || number == 8115 || number == 220 || number == 232 || number == 517;
}

/*
 * Report a statement's error and decide what happens next, as SQL Server:
 *   ERROR token, then INFO 3621 "The statement has been terminated." when a
 *   data modification was rolled back (e->stmt_terminated), then DONE(ERROR).
 *   Batch abort: compile errors, conversion errors, THROW, arithmetic
 *   errors under ARITHABORT ON, and every error under XACT_ABORT ON except
 *   RAISERROR (severity < 20), which never aborts.
 *   Transaction: XACT_ABORT ON rolls it back for run-time errors (not for
 *   compile errors, which leave it open); a deadlock (1205) always does.
 * Returns RUN_ABORT if the batch must stop.
 */
static int report_ex(struct engine_session *s, int line, struct sqlerr *e, bool raiserror)
{
    if (!e->number)
        sqlerr_set(e, 50000, 16, "tdslite: internal error");
    s->last_error = e->number;
    exec_msg(s, e->number, e->severity ? e->severity : 16, e->state ? e->state : 1,
             line + s->line_base, e->text, true);
    if (e->stmt_terminated)
        exec_msg(s, 3621, 0, 0, line + s->line_base, "The statement has been terminated.", false);
    bool compile = compile_error(e->number);
    bool abort = e->batch_abort || compile || runtime_batch_abort(e->number) ||
                 (s->arithabort && arith_error(e->number));
    if (s->xact_abort && !raiserror) {
        abort = true;
        if (!compile && s->trancount > 0)
            txn_abort_all(s);
    }
    /* the deadlock victim's and a failed snapshot transaction's work is gone */
    if ((e->number == 1205 || e->number == 3952) && s->trancount > 0)
        txn_abort_all(s);
    exec_done(s, ENGINE_DONE_ERROR, 0, 0);
    return abort ? RUN_ABORT : RUN_OK;
}

static int compile_ct(struct engine_session *s, struct batch_ast *ast);

static int report(struct engine_session *s, int line, struct sqlerr *e)
{
    return report_ex(s, line, e, false);
}

void exec_sqlite_err(struct engine_session *s, int rc, struct sqlerr *e)
{
    if (s->fnerr_set) {
        *e = s->fnerr;
        s->fnerr_set = false;
        return;
    }
    const char *msg = sqlite3_errmsg(s->db);
    int num, st;
    int off = 0;
    if (msg && sscanf(msg, "MSG%d|%d|%n", &num, &st, &off) == 2 && off > 0) {
        sqlerr_set(e, num, 16, "%s", msg + off);
        e->state = st;
        return;
    }
    if (rc == SQLITE_INTERRUPT || s->cancelled) {
        sqlerr_set(e, 3617, 25, "Query was cancelled by user.");
        return;
    }
    if (rc == SQLITE_BUSY || (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
        if (rc == SQLITE_BUSY_SNAPSHOT)
            sqlerr_set(e, 1205, 13,
                       "Transaction (Process ID %d) was deadlocked on lock resources with another process and has been chosen as the deadlock victim. Rerun the transaction.",
                       s->spid);
        else
            sqlerr_set(e, 1222, 16, "Lock request time out period exceeded.");
        return;
    }
    sqlerr_set(e, 50000, 16, "tdslite: SQLite error: %s", msg ? msg : "?");
}

int exec_sql(struct engine_session *s, const char *sql, struct sqlerr *e)
{
    char *msg = NULL;
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
    sqlite3_free(msg);
    if (rc != SQLITE_OK) {
        exec_sqlite_err(s, sqlite3_extended_errcode(s->db), e);
        return -1;
    }
    return 0;
}

int64_t exec_query_int(struct engine_session *s, const char *sql, int64_t def, bool *found)
{
    sqlite3_stmt *st = NULL;
    int64_t v = def;
    bool f = false;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_type(st, 0) != SQLITE_NULL) {
        v = sqlite3_column_int64(st, 0);
        f = true;
    }
    sqlite3_finalize(st);
    if (found)
        *found = f;
    return v;
}

/* ------------------------------------------------------------ variables */

struct var *exec_var(struct engine_session *s, const char *name)
{
    for (int i = s->nvars - 1; i >= 0; i--)
        if (ieq(s->vars[i].name, name))
            return &s->vars[i];
    return NULL;
}

struct var *exec_var_declare(struct engine_session *s, const char *name, const struct tl_type *t)
{
    if (s->nvars == s->capvars) {
        int nc = s->capvars ? s->capvars * 2 : 16;
        struct var *n = sl_realloc(s->vars, sizeof(*n) * (size_t)nc);
        if (!n)
            return NULL;
        s->vars = n;
        s->capvars = nc;
    }
    struct var *v = &s->vars[s->nvars];
    memset(v, 0, sizeof(*v));
    v->name = sl_strdup(name);
    if (!v->name)
        return NULL;
    v->type = *t;
    s->nvars++;
    return v;
}

void exec_vars_push(struct engine_session *s, struct saved_vars *sv)
{
    sv->vars = s->vars;
    sv->n = s->nvars;
    sv->cap = s->capvars;
    s->vars = NULL;
    s->nvars = s->capvars = 0;
}

void exec_vars_pop(struct engine_session *s, struct saved_vars *sv)
{
    exec_vars_clear(s);
    sl_free(s->vars);
    s->vars = sv->vars;
    s->nvars = sv->n;
    s->capvars = sv->cap;
}

void exec_vars_clear(struct engine_session *s)
{
    for (int i = 0; i < s->nvars; i++) {
        sl_free(s->vars[i].name);
        sl_free(s->vars[i].p);
    }
    s->nvars = 0;
}

int exec_var_set(struct engine_session *s, struct var *v, const struct tl_value *val,
                 const struct tl_type *from, struct sqlerr *e)
{
    struct tl_value out;
    struct value_error ve;
    if (val->kind == TL_V_NULL) {
        out.kind = TL_V_NULL;
    } else if (value_convert(val, from && from->id != TL_T_UNKNOWN ? from : NULL, &v->type, -1,
                             true, NULL, NULL, &s->ra, &out, &ve)) {
        sqlerr_set(e, ve.number, ve.severity ? ve.severity : 16, "%s", ve.text);
        e->state = ve.state;
        return -1;
    }
    uint8_t *copy = NULL;
    if (out.kind == TL_V_TEXT || out.kind == TL_V_BLOB) {
        copy = sl_malloc(out.n + 1);
        if (!copy) {
            sqlerr_set(e, 701, 19, "There is insufficient system memory to run this query.");
            return -1;
        }
        if (out.n)
            memcpy(copy, out.p, out.n);
        copy[out.n] = 0;
    }
    sl_free(v->p);
    v->p = copy;
    v->n = out.n;
    v->kind = out.kind;
    v->i = out.i;
    v->r = out.r;
    return 0;
}

int exec_bind_params(struct engine_session *s, sqlite3_stmt *st, char **params, int n,
                     struct sqlerr *e)
{
    for (int i = 0; i < n; i++) {
        struct var *v = exec_var(s, params[i]);
        if (!v) {
            sqlerr_set(e, 137, 15, "Must declare the scalar variable \"%s\".", params[i]);
            return -1;
        }
        int rc;
        switch (v->kind) {
        case TL_V_INT: rc = sqlite3_bind_int64(st, i + 1, v->i); break;
        case TL_V_REAL: rc = sqlite3_bind_double(st, i + 1, v->r); break;
        case TL_V_TEXT: rc = sqlite3_bind_text(st, i + 1, (const char *)v->p, (int)v->n, SQLITE_STATIC); break;
        case TL_V_BLOB: rc = sqlite3_bind_blob(st, i + 1, v->p ? (const void *)v->p : "", (int)v->n, SQLITE_STATIC); break;
        default: rc = sqlite3_bind_null(st, i + 1); break;
        }
        if (rc != SQLITE_OK) {
            exec_sqlite_err(s, rc, e);
            return -1;
        }
    }
    return 0;
}

static enum tl_vkind canonical_kind(enum tl_type_id id)
{
    if (type_is_int(id))
        return TL_V_INT;
    if (id == TL_T_REAL || id == TL_T_FLOAT)
        return TL_V_REAL;
    if (type_is_binary(id))
        return TL_V_BLOB;
    if (id == TL_T_UNKNOWN || id == TL_T_SQL_VARIANT)
        return TL_V_NULL;
    return TL_V_TEXT;
}

int exec_column_value(struct engine_session *s, sqlite3_stmt *st, int i, const struct tl_type *t,
                      struct tl_value *v, struct sqlerr *e)
{
    memset(v, 0, sizeof(*v));
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL:
        v->kind = TL_V_NULL;
        return 0;
    case SQLITE_INTEGER:
        v->kind = TL_V_INT;
        v->i = sqlite3_column_int64(st, i);
        break;
    case SQLITE_FLOAT:
        v->kind = TL_V_REAL;
        v->r = sqlite3_column_double(st, i);
        break;
    case SQLITE_TEXT:
        v->kind = TL_V_TEXT;
        v->p = sqlite3_column_text(st, i);
        v->n = (size_t)sqlite3_column_bytes(st, i);
        break;
    default:
        v->kind = TL_V_BLOB;
        v->p = sqlite3_column_blob(st, i);
        v->n = (size_t)sqlite3_column_bytes(st, i);
        if (!v->p)
            v->p = (const uint8_t *)"";
        break;
    }
    enum tl_vkind want = canonical_kind(t->id);
    if (want == TL_V_NULL || want == v->kind)
        return 0;
    struct tl_value out;
    struct value_error ve;
    if (value_convert(v, NULL, t, -1, true, NULL, NULL, &s->ra, &out, &ve)) {
        sqlerr_set(e, ve.number, 16, "%s", ve.text);
        return -1;
    }
    *v = out;
    return 0;
}

/* ------------------------------------------------------------ queries */

static int prepare(struct engine_session *s, const char *sql, char **params, int nparams,
                   sqlite3_stmt **st, struct sqlerr *e)
{
    int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
    if (rc != SQLITE_OK) {
        exec_sqlite_err(s, rc, e);
        if (e->number == 50000)
            snprintf(e->text + strlen(e->text), sizeof(e->text) - strlen(e->text), " [%.300s]", sql);
        return -1;
    }
    if (exec_bind_params(s, *st, params, nparams, e)) {
        sqlite3_finalize(*st);
        *st = NULL;
        return -1;
    }
    return 0;
}

/* Evaluate one expression (no FROM) to a value in the row arena. */
static int eval_expr(struct engine_session *s, struct expr *x, struct tl_value *v,
                     struct tl_type *t, struct sqlerr *e)
{
    struct gen g;
    sqlite3_stmt *st = NULL;
    int rc = -1;
    codegen_gen_init(&g, s);
    buf_append_str(&g.sql, "SELECT ");
    if (codegen_expr(&g, NULL, x, t, NULL)) {
        *e = g.err;
        goto out;
    }
    if (prepare(s, (char *)g.sql.data, g.params, g.nparams, &st, e))
        goto out;
    int r = sqlite3_step(st);
    if (r != SQLITE_ROW) {
        exec_sqlite_err(s, sqlite3_extended_errcode(s->db), e);
        goto out;
    }
    struct tl_type ct = t->id == TL_T_UNKNOWN ? (struct tl_type){TL_T_INT, 0, 0, 0} : *t;
    if (exec_column_value(s, st, 0, &ct, v, e))
        goto out;
    /* copy out of the statement */
    if (v->kind == TL_V_TEXT || v->kind == TL_V_BLOB)
        v->p = arena_memdup(&s->ra, v->p ? v->p : (const uint8_t *)"", v->n + 1);
    rc = 0;
out:
    sqlite3_finalize(st);
    codegen_gen_free(&g);
    return rc;
}

static int eval_cond(struct engine_session *s, struct expr *x, bool *res, struct sqlerr *e)
{
    struct gen g;
    sqlite3_stmt *st = NULL;
    struct tl_type t;
    int rc = -1;
    codegen_gen_init(&g, s);
    buf_append_str(&g.sql, "SELECT CASE WHEN ");
    if (codegen_expr(&g, NULL, x, &t, NULL)) {
        *e = g.err;
        goto out;
    }
    buf_append_str(&g.sql, " THEN 1 ELSE 0 END");
    if (prepare(s, (char *)g.sql.data, g.params, g.nparams, &st, e))
        goto out;
    if (sqlite3_step(st) != SQLITE_ROW) {
        exec_sqlite_err(s, sqlite3_extended_errcode(s->db), e);
        goto out;
    }
    *res = sqlite3_column_int(st, 0) != 0;
    rc = 0;
out:
    sqlite3_finalize(st);
    codegen_gen_free(&g);
    return rc;
}

static int send_columns(struct engine_session *s, struct query *q)
{
    struct engine_column *cols = arena_alloc(&s->ba, sizeof(*cols) * (size_t)(q->ncols ? q->ncols : 1));
    if (!cols)
        return -1;
    for (int i = 0; i < q->ncols; i++) {
        cols[i].name = q->cols[i].name ? q->cols[i].name : "";
        cols[i].type = q->cols[i].type;
        if (cols[i].type.id == TL_T_UNKNOWN)
            cols[i].type = (struct tl_type){TL_T_INT, 0, 0, 0};
        cols[i].flags = (q->cols[i].nullable ? ENGINE_COL_NULLABLE : 0) |
                        (q->cols[i].identity ? ENGINE_COL_IDENTITY : 0) |
                        (q->cols[i].updatable ? ENGINE_COL_UPDATABLE : 0);
    }
    if (s->out->columns(s->ctx, cols, (size_t)q->ncols)) {
        s->closed = true;
        return -1;
    }
    return 0;
}

/* Stream a prepared query's rows. Returns 0, or -1 with e set, or
 * SL_ECANCELLED / SL_ECLOSED. */
static int stream_rows(struct engine_session *s, sqlite3_stmt *st, struct query *q,
                       uint64_t *count, struct sqlerr *e)
{
    struct tl_value *vals = arena_alloc(&s->ba, sizeof(*vals) * (size_t)(q->ncols ? q->ncols : 1));
    *count = 0;
    for (;;) {
        int r = sqlite3_step(st);
        if (r == SQLITE_DONE)
            return 0;
        if (r != SQLITE_ROW) {
            if (s->cancelled)
                return SL_ECANCELLED;
            exec_sqlite_err(s, sqlite3_extended_errcode(s->db), e);
            return -1;
        }
        arena_reset(&s->ra);
        for (int i = 0; i < q->ncols; i++)
            if (exec_column_value(s, st, i, &q->cols[i].type, &vals[i], e))
                return -1;
        if (s->out->row(s->ctx, vals, (size_t)q->ncols)) {
            s->closed = true;
            return SL_ECLOSED;
        }
        (*count)++;
        if (++s->rows_since_poll >= 256) {
            s->rows_since_poll = 0;
            if (exec_poll_cancel(s))
                return SL_ECANCELLED;
        }
    }
}

static bool has_assign(struct select *sel)
{
    for (int i = 0; i < sel->nitems; i++)
        if (sel->items[i].assign)
            return true;
    return false;
}

static int run_select(struct engine_session *s, struct stmt *stmt)
{
    struct gen g;
    struct query q;
    sqlite3_stmt *st = NULL;
    struct sqlerr e = {0};
    int rc = RUN_OK;
    uint64_t count = 0;
    bool assign = has_assign(stmt->sel);
    codegen_gen_init(&g, s);
    if (assign) {
        for (int i = 0; i < stmt->sel->nitems; i++)
            if (!stmt->sel->items[i].assign) {
                sqlerr_set(&e, 141, 15, "A SELECT statement that assigns a value to a variable must not be combined with data-retrieval operations.");
                goto fail;
            }
    }
    if (codegen_select(&g, NULL, stmt->sel, &q)) {
        e = g.err;
        goto fail;
    }
    if (txn_prepare(s, false, &e))
        goto fail;
    if (prepare(s, q.sql, q.params, q.nparams, &st, &e))
        goto fail_txn;
    if (assign) {
        int r;
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
            arena_reset(&s->ra);
            for (int i = 0; i < q.ncols; i++) {
                struct tl_value v;
                struct var *var = exec_var(s, stmt->sel->items[i].assign);
                if (!var) {
                    sqlerr_set(&e, 137, 15, "Must declare the scalar variable \"%s\".", stmt->sel->items[i].assign);
                    goto fail_txn;
                }
                if (exec_column_value(s, st, i, &q.cols[i].type, &v, &e) ||
                    exec_var_set(s, var, &v, &q.cols[i].type, &e))
                    goto fail_txn;
            }
            count++;
        }
        if (r != SQLITE_DONE) {
            exec_sqlite_err(s, sqlite3_extended_errcode(s->db), &e);
            goto fail_txn;
        }
        s->rowcount = (int64_t)count;
        txn_finish(s, true, &e);
        goto out;
    }
    if (send_columns(s, &q)) {
        rc = RUN_ABORT;
        goto out;
    }
    if (s->fmtonly) {
        txn_finish(s, true, &e);
        exec_done(s, 0, ENGINE_CMD_SELECT, 0);
        goto out;
    }
    int sr = stream_rows(s, st, &q, &count, &e);
    if (sr == SL_ECANCELLED || sr == SL_ECLOSED) {
        sqlite3_finalize(st);
        st = NULL;
        txn_finish(s, false, &e);
        rc = RUN_ABORT;
        goto out;
    }
    if (sr) {
        sqlite3_finalize(st);
        st = NULL;
        txn_finish(s, false, &e);
        s->rowcount = 0;
        rc = report(s, stmt->line, &e);
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    txn_finish(s, true, &e);
    s->rowcount = (int64_t)count;
    s->last_error = 0;
    exec_done(s, ENGINE_DONE_COUNT, ENGINE_CMD_SELECT, count);
    goto out;
fail_txn:
    sqlite3_finalize(st);
    st = NULL;
    txn_finish(s, false, &e);
fail:
    rc = report(s, stmt->line, &e);
out:
    sqlite3_finalize(st);
    codegen_gen_free(&g);
    return rc;
}

/* ------------------------------------------------------------ statements */

static int run_dml(struct engine_session *s, struct stmt *st)
{
    struct sqlerr e = {0};
    uint64_t n = 0;
    int r;
    uint16_t cmd = st->kind == ST_INSERT ? ENGINE_CMD_INSERT
                   : st->kind == ST_UPDATE ? ENGINE_CMD_UPDATE
                                           : ENGINE_CMD_DELETE;
    if (sec_check_dml(s, st, &e))
        return report(s, st->line, &e);
    if (ct_context_begin(s, st, &e))
        return report(s, st->line, &e);
    if (txn_prepare(s, true, &e))
        return report(s, st->line, &e);
    if (txn_stmt_begin(s, &e)) {
        txn_finish(s, false, &e);
        return report(s, st->line, &e);
    }
    switch (st->kind) {
    case ST_INSERT: r = dml_insert(s, st, &e, &n); break;
    case ST_UPDATE: r = dml_update(s, st, &e, &n); break;
    case ST_DELETE: r = dml_delete(s, st, &e, &n); break;
    default: r = dml_truncate(s, st, &e); break;
    }
    txn_stmt_end(s, r == 0);
    ct_context_end(s);
    struct sqlerr e2 = {0};
    if (r == 0 && txn_finish(s, true, &e2)) {
        e = e2;
        r = -1;
    } else if (r != 0) {
        txn_finish(s, false, &e2);
    }
    if (s->cancelled)
        return RUN_ABORT;
    if (r) {
        s->rowcount = 0;
        /* A run-time error rolled the statement back; a compile error
         * (207, 208, 544 ...) stopped it before it ran. */
        e.stmt_terminated = !compile_error(e.number) && e.number != 50000 && e.number != 3617;
        return report(s, st->line, &e);
    }
    s->rowcount = (int64_t)n;
    s->last_error = 0;
    if (st->kind == ST_TRUNCATE)
        exec_done(s, 0, 0, 0);
    else
        exec_done(s, ENGINE_DONE_COUNT, cmd, n);
    return RUN_OK;
}

static int run_ddl(struct engine_session *s, struct stmt *st)
{
    struct sqlerr e = {0};
    int r;
    if (sec_check_ddl(s, st, &e))
        return report(s, st->line, &e);
    if (st->kind == ST_CREATE_DB || st->kind == ST_DROP_DB || st->kind == ST_ALTER_DB) {
        r = st->kind == ST_CREATE_DB  ? catalog_create_db(s, st->ident, &e)
            : st->kind == ST_DROP_DB ? catalog_drop_db(s, st->ident, st->if_exists, &e)
                                     : catalog_alter_db(s, st, &e);
        if (r)
            return report(s, st->line, &e);
        s->rowcount = 0;
        exec_done(s, 0, 0, 0);
        return RUN_OK;
    }
    if (txn_prepare(s, true, &e))
        return report(s, st->line, &e);
    if (txn_stmt_begin(s, &e)) {
        txn_finish(s, false, &e);
        return report(s, st->line, &e);
    }
    switch (st->kind) {
    case ST_CREATE_TABLE: r = catalog_create_table(s, st, &e); break;
    case ST_DROP_TABLE: r = catalog_drop_table(s, st, &e); break;
    case ST_ALTER_TABLE: r = catalog_alter_table(s, st, &e); break;
    case ST_CREATE_INDEX: r = catalog_create_index(s, st, &e); break;
    case ST_DROP_INDEX: r = catalog_drop_index(s, st, &e); break;
    case ST_CREATE_SCHEMA: r = catalog_create_schema(s, st, &e); break;
    case ST_DROP_SCHEMA: r = catalog_drop_schema(s, st, &e); break;
    case ST_CREATE_PROC: r = catalog_create_proc(s, st, &e); s->npcache = 0; break;
    case ST_DROP_PROC: r = catalog_drop_proc(s, st, &e); s->npcache = 0; break;
    case ST_SECURITY: r = sec_exec(s, st, &e); break;
    default: r = -1; sqlerr_set(&e, 50000, 16, "tdslite: unexpected DDL"); break;
    }
    if (txn_stmt_finish(s, r, &e))
        return report(s, st->line, &e);
    s->rowcount = 0;
    s->last_error = 0;
    exec_done(s, 0, 0, 0);
    return RUN_OK;
}

static int run_use(struct engine_session *s, struct stmt *st)
{
    struct db_entry d;
    struct sqlerr e = {0};
    if (catalog_find_db(s->eng, st->ident, &d)) {
        sqlerr_set(&e, 911, 16, "Database '%s' does not exist. Make sure that the name is entered correctly.", st->ident);
        return report(s, st->line, &e);
    }
    if (catalog_attach(s, d.id, &e) || sec_db_access(s, d.id, &e))
        return report(s, st->line, &e);
    char old[130];
    snprintf(old, sizeof(old), "%s", s->dbname);
    s->dbid = d.id;
    snprintf(s->dbname, sizeof(s->dbname), "%s", d.name);
    struct engine_env env = {ENGINE_ENV_DATABASE, s->dbname, old, 0};
    if (s->out->envchange(s->ctx, &env)) {
        s->closed = true;
        return RUN_ABORT;
    }
    char msg[300];
    snprintf(msg, sizeof(msg), "Changed database context to '%s'.", s->dbname);
    exec_msg(s, 5701, 0, 1, st->line + s->line_base, msg, false);
    exec_done(s, 0, 0, 0);
    return RUN_OK;
}

static int run_declare(struct engine_session *s, struct stmt *st)
{
    struct sqlerr e = {0};
    for (int i = 0; i < st->nvars; i++) {
        struct coldef *c = &st->vars[i];
        if (exec_var(s, c->name)) {
            sqlerr_set(&e, 134, 15, "The variable name '%s' has already been declared. Variable names must be unique within a query batch or stored procedure.", c->name);
            e.batch_abort = true;
            return report(s, st->line, &e);
        }
        struct tl_value v = {0};
        struct tl_type t = {0};
        if (c->def && eval_expr(s, c->def, &v, &t, &e))
            return report(s, st->line, &e);
        struct var *var = exec_var_declare(s, c->name, &c->type);
        if (!var) {
            sqlerr_set(&e, 701, 19, "There is insufficient system memory to run this query.");
            return report(s, st->line, &e);
        }
        if (c->def && exec_var_set(s, var, &v, &t, &e))
            return report(s, st->line, &e);
    }
    return RUN_OK;
}

static int run_set_var(struct engine_session *s, struct stmt *st)
{
    struct sqlerr e = {0};
    struct var *var = exec_var(s, st->var);
    if (!var) {
        sqlerr_set(&e, 137, 15, "Must declare the scalar variable \"%s\".", st->var);
        return report(s, st->line, &e);
    }
    struct expr *x = st->e;
    if (st->setop) {
        struct expr *v = arena_alloc(&s->ba, sizeof(*v));
        struct expr *ar = arena_alloc(&s->ba, sizeof(*ar));
        memset(v, 0, sizeof(*v));
        memset(ar, 0, sizeof(*ar));
        v->kind = EX_VAR;
        v->s = st->var;
        ar->kind = EX_ARITH;
        ar->op = st->setop;
        ar->a = v;
        ar->b = st->e;
        x = ar;
    }
    struct tl_value v;
    struct tl_type t;
    if (eval_expr(s, x, &v, &t, &e) || exec_var_set(s, var, &v, &t, &e))
        return report(s, st->line, &e);
    s->rowcount = 1;
    return RUN_OK;
}

static int run_set_opt(struct engine_session *s, struct stmt *st)
{
    struct sqlerr e = {0};
    const char *o = st->ident;
    bool on = st->optval && ieq(st->optval, "ON");
    if (ieq(o, "NOCOUNT"))
        s->nocount = on;
    else if (ieq(o, "XACT_ABORT"))
        s->xact_abort = on;
    else if (ieq(o, "ARITHABORT"))
        s->arithabort = on;
    else if (ieq(o, "FMTONLY"))
        s->fmtonly = on;
    else if (ieq(o, "ANSI_NULLS"))
        s->ansi_nulls = on;
    else if (ieq(o, "QUOTED_IDENTIFIER"))
        s->quoted_identifier = on;
    else if (ieq(o, "ISOLATION"))
        s->isolation = atoi(st->optval);
    else if (ieq(o, "TEXTSIZE"))
        s->textsize = atoi(st->optval);
    else if (ieq(o, "LOCK_TIMEOUT")) {
        s->lock_timeout = atoi(st->optval);
        sqlite3_busy_timeout(s->db, s->lock_timeout < 0 ? 600000 : s->lock_timeout);
    } else if (ieq(o, "DATEFIRST"))
        s->datefirst = atoi(st->optval);
    else if (ieq(o, "DATEFORMAT"))
        snprintf(s->dateformat, sizeof(s->dateformat), "%s", st->optval);
    else if (ieq(o, "IDENTITY_INSERT")) {
        struct table_meta *tm = catalog_table(s, &s->ba, &st->optobj, &e);
        if (!tm)
            return report(s, st->line, &e);
        bool has = false;
        for (int i = 0; i < tm->ncols; i++)
            has |= tm->cols[i].identity;
        if (!has) {
            sqlerr_set(&e, 8106, 16, "Table '%s' does not have the identity property. Cannot perform SET operation.",
                       arena_printf(&s->ba, "%s.%s", tm->schema, tm->name));
            return report(s, st->line, &e);
        }
        if (on) {
            s->ident_insert_db = tm->dbid;
            s->ident_insert_obj = tm->object_id;
        } else if (s->ident_insert_obj == tm->object_id && s->ident_insert_db == tm->dbid) {
            s->ident_insert_obj = 0;
        }
    } else if (ieq(o, "IMPLICIT_TRANSACTIONS") && on) {
        sqlerr_set(&e, 50000, 16, "SET IMPLICIT_TRANSACTIONS ON is not supported by tdslite.");
        return report(s, st->line, &e);
    } else if (ieq(o, "ROWCOUNT") && st->optval && atoi(st->optval) != 0) {
        sqlerr_set(&e, 50000, 16, "SET ROWCOUNT with a non-zero value is not supported by tdslite.");
        return report(s, st->line, &e);
    } else if (ieq(o, "ANSI_WARNINGS") || ieq(o, "ANSI_PADDING") || ieq(o, "ANSI_NULL_DFLT_ON") ||
               ieq(o, "ANSI_NULL_DFLT_OFF") || ieq(o, "ANSI_DEFAULTS") || ieq(o, "ARITHABORT") ||
               ieq(o, "ARITHIGNORE") || ieq(o, "CONCAT_NULL_YIELDS_NULL") ||
               ieq(o, "NUMERIC_ROUNDABORT") || ieq(o, "CURSOR_CLOSE_ON_COMMIT") ||
               ieq(o, "LANGUAGE") || ieq(o, "DEADLOCK_PRIORITY") || ieq(o, "STATISTICS") ||
               ieq(o, "NOEXEC") || ieq(o, "PARSEONLY") || ieq(o, "SHOWPLAN_ALL") ||
               ieq(o, "ROWCOUNT") || ieq(o, "IMPLICIT_TRANSACTIONS") || ieq(o, "QUERY_GOVERNOR_COST_LIMIT") ||
               ieq(o, "REMOTE_PROC_TRANSACTIONS") || ieq(o, "FORCEPLAN") || ieq(o, "NO_BROWSETABLE") ||
               ieq(o, "CONTEXT_INFO")) {
        /* accepted; tdslite behaves as with the defaults */
    } else {
        sqlerr_set(&e, 195, 15, "'%s' is not a recognized SET option.", o);
        return report(s, st->line, &e);
    }
    return RUN_OK;
}

static int value_to_text(struct engine_session *s, struct tl_value *v, struct tl_type *t,
                         char **out, struct sqlerr *e)
{
    if (v->kind == TL_V_NULL) {
        *out = "";
        return 0;
    }
    struct tl_type nt = {TL_T_NVARCHAR, TL_MAX, 0, 0};
    struct tl_value o;
    struct value_error ve;
    if (value_convert(v, t->id == TL_T_UNKNOWN ? NULL : t, &nt, -1, true, NULL, NULL, &s->ra, &o, &ve)) {
        sqlerr_set(e, ve.number, 16, "%s", ve.text);
        return -1;
    }
    *out = arena_strndup(&s->ra, (const char *)o.p, o.n);
    return 0;
}

static int run_print(struct engine_session *s, struct stmt *st)
{
    struct sqlerr e = {0};
    struct tl_value v;
    struct tl_type t;
    char *text;
    if (eval_expr(s, st->e, &v, &t, &e) || value_to_text(s, &v, &t, &text, &e))
        return report(s, st->line, &e);
    exec_msg(s, 0, 0, 1, st->line + s->line_base, text, false);
    return RUN_OK;
}

/* RAISERROR message formatting: %s %d %i %u %x %%. */
static int run_raiserror(struct engine_session *s, struct stmt *st)
{
    struct sqlerr e = {0};
    struct tl_value v[20];
    struct tl_type t[20];
    int n = st->nargs < 20 ? st->nargs : 20;
    for (int i = 0; i < n; i++)
        if (eval_expr(s, st->args[i], &v[i], &t[i], &e))
            return report(s, st->line, &e);
    int number = 50000;
    char *fmt;
    if (v[0].kind == TL_V_INT) {
        number = (int)v[0].i;
        fmt = arena_printf(&s->ra, "tdslite: message %d is not in sys.messages", number);
    } else if (value_to_text(s, &v[0], &t[0], &fmt, &e)) {
        return report(s, st->line, &e);
    }
    int sev = (int)v[1].i, state = (int)v[2].i;
    if (sev > 18) {
        sqlerr_set(&e, 2754, 16, "Error severity levels greater than 18 can only be specified by members of the sysadmin role, using the WITH LOG option.");
        return report(s, st->line, &e);
    }
    struct buf b;
    buf_init(&b, 1 << 16);
    int ai = 3;
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            buf_append_byte(&b, (uint8_t)*p);
            continue;
        }
        p++;
        if (*p == '%') {
            buf_append_byte(&b, '%');
            continue;
        }
        while (*p && strchr("-+ #0123456789.*lhI", *p))
            p++;
        if (!*p)
            break;
        if (ai < n) {
            char *txt;
            if (value_to_text(s, &v[ai], &t[ai], &txt, &e)) {
                buf_free(&b);
                return report(s, st->line, &e);
            }
            if (v[ai].kind == TL_V_NULL)
                txt = "(null)";
            buf_append_str(&b, txt);
            ai++;
        } else {
            buf_append_str(&b, "(null)");
        }
    }
    char *text = arena_strndup(&s->ra, b.data ? (char *)b.data : "", b.len);
    buf_free(&b);
    if (sev <= 10) {
        exec_msg(s, number, sev, state, st->line + s->line_base, text, false);
        return RUN_OK;
    }
    e.number = number;
    e.severity = sev;
    e.state = state;
    snprintf(e.text, sizeof(e.text), "%s", text);
    return report_ex(s, st->line, &e, true);
}

static int run_throw(struct engine_session *s, struct stmt *st)
{
    struct sqlerr e = {0};
    struct tl_value v[3];
    struct tl_type t[3];
    for (int i = 0; i < 3; i++)
        if (eval_expr(s, st->args[i], &v[i], &t[i], &e))
            return report(s, st->line, &e);
    char *text;
    if (value_to_text(s, &v[1], &t[1], &text, &e))
        return report(s, st->line, &e);
    if (v[0].kind != TL_V_INT || v[0].i < 50000) {
        sqlerr_set(&e, 35100, 16, "Error number %lld in the THROW statement is outside the valid range. Specify an error number in the valid range of 50000 to 2147483647.",
                   (long long)v[0].i);
        return report(s, st->line, &e);
    }
    e.number = (int)v[0].i;
    e.severity = 16;
    e.state = (int)v[2].i;
    e.batch_abort = true;
    snprintf(e.text, sizeof(e.text), "%s", text);
    return report(s, st->line, &e);
}

static int run_tran(struct engine_session *s, struct stmt *st)
{
    struct sqlerr e = {0};
    uint64_t before = s->tran_desc;
    int r = 0;
    uint16_t cmd = 0;
    switch (st->kind) {
    case ST_BEGIN_TRAN:
        cmd = ENGINE_CMD_BEGIN_TRAN;
        r = txn_begin(s, &e);
        if (r == 0 && s->trancount == 1)
            txn_announce(s, ENGINE_ENV_BEGIN_TRAN, s->tran_desc);
        break;
    case ST_COMMIT:
        cmd = ENGINE_CMD_COMMIT;
        if (s->trancount == 0) {
            sqlerr_set(&e, 3902, 16, "The COMMIT TRANSACTION request has no corresponding BEGIN TRANSACTION.");
            return report(s, st->line, &e);
        }
        r = txn_commit(s, &e);
        if (r == 0 && s->trancount == 0)
            txn_announce(s, ENGINE_ENV_COMMIT_TRAN, before);
        if (r == 0 && s->trancount == 0)
            ct_auto_cleanup(s, s->dbid);
        break;
    case ST_ROLLBACK:
        cmd = ENGINE_CMD_ROLLBACK;
        if (s->trancount == 0) {
            sqlerr_set(&e, 3903, 16, "The ROLLBACK TRANSACTION request has no corresponding BEGIN TRANSACTION.");
            return report(s, st->line, &e);
        }
        r = txn_rollback(s, st->ident, &e);
        if (r == 0 && s->trancount == 0)
            txn_announce(s, ENGINE_ENV_ROLLBACK_TRAN, before);
        break;
    default:
        r = txn_save(s, st->ident, &e);
        break;
    }
    if (r)
        return report(s, st->line, &e);
    exec_done(s, 0, cmd, 0);
    return RUN_OK;
}

/*
 * EXEC of a user procedure from a batch: evaluate the arguments in the
 * caller's scope, run it, assign OUTPUT values to the caller's variables.
 * Returns RUN_OK, RUN_ABORT (the body aborted the batch; reported), or -1 with
 * e set (a call error for the caller to report); *found false when there
 * is no such procedure.
 */
static int exec_user_proc(struct engine_session *s, struct stmt *st, bool *found, int32_t *status,
                          struct sqlerr *e)
{
    struct proc_arg *args = arena_alloc(&s->ba, sizeof(*args) * (size_t)(st->nparams ? st->nparams : 1));
    *found = false;
    if (!args) {
        sqlerr_set(e, 701, 19, "There is insufficient system memory to run this query.");
        return -1;
    }
    struct sqlerr pe = {0};
    struct proc_def probe;
    if (catalog_find_proc(s, &s->ba, &st->procname, &probe))
        return RUN_OK; /* not a procedure: the caller answers 2812 */
    *found = true;
    for (int i = 0; i < st->nparams; i++) {
        struct proc_arg *a = &args[i];
        struct expr *x = st->pvals[i];
        memset(a, 0, sizeof(*a));
        a->name = st->pnames[i];
        a->output = st->pout[i];
        if (x->kind == EX_DEFAULT) {
            a->is_default = true;
            continue;
        }
        if (a->output && x->kind != EX_VAR) {
            sqlerr_set(e, 179, 15, "Cannot use the OUTPUT option when passing a constant to a stored procedure.");
            return -1;
        }
        if (eval_expr(s, x, &a->value, &a->type, e))
            return -1;
        if (a->value.kind == TL_V_TEXT || a->value.kind == TL_V_BLOB)
            a->value.p = arena_memdup(&s->ba, a->value.p ? a->value.p : (const uint8_t *)"", a->value.n + 1);
    }
    bool f2;
    int rc = proc_call(s, &st->procname, args, st->nparams, &f2, status, e);
    if (rc < 0)
        return -1;
    for (int i = 0; i < st->nparams; i++) {
        if (!args[i].output || !args[i].param_name)
            continue;
        struct var *v = exec_var(s, st->pvals[i]->s);
        if (v && exec_var_set(s, v, &args[i].value, &args[i].param_type, &pe) && rc == 0) {
            *e = pe;
            return -1;
        }
    }
    return rc == 1 ? RUN_ABORT : RUN_OK;
}

static int run_exec(struct engine_session *s, struct stmt *st)
{
    struct sqlerr e = {0};
    if (!st->proc) {
        /* EXEC ('dynamic sql'): its own variable scope */
        struct tl_value v;
        struct tl_type t;
        char *text;
        if (eval_expr(s, st->e, &v, &t, &e) || value_to_text(s, &v, &t, &text, &e))
            return report(s, st->line, &e);
        char *copy = sl_strdup(text);
        int saved_n = s->nvars;
        int saved_base = s->line_base;
        /* hide outer variables */
        struct var *saved_vars = s->vars;
        int saved_cap = s->capvars;
        s->vars = NULL;
        s->nvars = s->capvars = 0;
        s->line_base = 0;
        struct batch_ast ast;
        struct perr pe = {0};
        int r = RUN_OK;
        if (parser_batch(&s->ba, copy, strlen(copy), &ast, &pe)) {
            sqlerr_set(&e, pe.number, parse_severity(pe.number), "%s", pe.text);
            exec_msg(s, e.number, e.severity, 1, pe.line, e.text, true);
            exec_done(s, ENGINE_DONE_ERROR, 0, 0);
        } else if (compile_ct(s, &ast) == 0) {
            r = exec_stmt_list(s, ast.st, ast.n);
        }
        exec_vars_clear(s);
        sl_free(s->vars);
        s->vars = saved_vars;
        s->nvars = saved_n;
        s->capvars = saved_cap;
        s->line_base = saved_base;
        sl_free(copy);
        return r < 0 ? r : (r == RUN_ABORT ? RUN_ABORT : RUN_OK);
    }
    bool handled = false;
    int32_t status = 0;
    int r = sysprocs_exec(s, st, st->proc, NULL, 0, &handled, &e, &status);
    if (!handled) {
        r = exec_user_proc(s, st, &handled, &status, &e);
        if (!handled) {
            sqlerr_set(&e, 2812, 16, "Could not find stored procedure '%s'.", st->proc);
            return report(s, st->line, &e);
        }
        if (r == RUN_ABORT)
            return RUN_ABORT;
    }
    if (r == SL_ECANCELLED || r == SL_ECLOSED)
        return RUN_ABORT;
    if (r)
        return report(s, st->line, &e);
    if (st->retvar) {
        struct var *v = exec_var(s, st->retvar);
        struct tl_value tv = {TL_V_INT, status, 0, NULL, 0};
        struct tl_type it = {TL_T_INT, 0, 0, 0};
        if (v)
            exec_var_set(s, v, &tv, &it, &e);
    }
    return RUN_OK;
}

static int run_stmt(struct engine_session *s, struct stmt *st);

static int run_if_while(struct engine_session *s, struct stmt *st)
{
    struct sqlerr e = {0};
    bool c;
    if (st->kind == ST_IF) {
        if (eval_cond(s, st->e, &c, &e))
            return report(s, st->line, &e);
        if (c)
            return run_stmt(s, st->body);
        if (st->else_body)
            return run_stmt(s, st->else_body);
        return RUN_OK;
    }
    for (long iter = 0;; iter++) {
        if (iter > 10000000) {
            sqlerr_set(&e, 50000, 16, "tdslite: WHILE loop exceeded 10,000,000 iterations.");
            return report(s, st->line, &e);
        }
        if ((iter & 255) == 255 && exec_poll_cancel(s))
            return RUN_ABORT;
        if (eval_cond(s, st->e, &c, &e))
            return report(s, st->line, &e);
        if (!c)
            return RUN_OK;
        int r = run_stmt(s, st->body);
        if (r == RUN_BREAK)
            return RUN_OK;
        if (r == RUN_ABORT || r == RUN_RETURN || r < 0)
            return r;
        if (s->closed || s->cancelled)
            return RUN_ABORT;
    }
}

static int run_stmt(struct engine_session *s, struct stmt *st)
{
    struct sqlerr e = {0};
    if (exec_poll_cancel(s) || s->closed)
        return RUN_ABORT;
    switch (st->kind) {
    case ST_NOP:
        return RUN_OK;
    case ST_SELECT:
        return run_select(s, st);
    case ST_INSERT:
    case ST_UPDATE:
    case ST_DELETE:
    case ST_TRUNCATE:
        return run_dml(s, st);
    case ST_CREATE_TABLE:
    case ST_DROP_TABLE:
    case ST_ALTER_TABLE:
    case ST_CREATE_INDEX:
    case ST_DROP_INDEX:
    case ST_CREATE_SCHEMA:
    case ST_DROP_SCHEMA:
    case ST_CREATE_DB:
    case ST_DROP_DB:
    case ST_ALTER_DB:
    case ST_CREATE_PROC:
    case ST_DROP_PROC:
    case ST_SECURITY:
        return run_ddl(s, st);
    case ST_USE:
        return run_use(s, st);
    case ST_DECLARE:
        return run_declare(s, st);
    case ST_SET_VAR:
        return run_set_var(s, st);
    case ST_SET_OPT:
        return run_set_opt(s, st);
    case ST_IF:
    case ST_WHILE:
        return run_if_while(s, st);
    case ST_BLOCK:
        for (int i = 0; i < st->nlist; i++) {
            int r = run_stmt(s, st->list[i]);
            if (r != RUN_OK)
                return r;
        }
        return RUN_OK;
    case ST_PRINT:
        return run_print(s, st);
    case ST_RAISERROR:
        return run_raiserror(s, st);
    case ST_THROW:
        return run_throw(s, st);
    case ST_BEGIN_TRAN:
    case ST_COMMIT:
    case ST_ROLLBACK:
    case ST_SAVE:
        return run_tran(s, st);
    case ST_EXEC:
        return run_exec(s, st);
    case ST_INSERT_BULK:
        if (bulk_prepare(s, st, &e))
            return report(s, st->line, &e);
        exec_done(s, 0, 0, 0);
        return RUN_OK;
    case ST_BREAK:
        return RUN_BREAK;
    case ST_CONTINUE:
        return RUN_CONTINUE;
    case ST_RETURN:
        if (st->e) {
            struct tl_value v;
            struct tl_type t;
            if (eval_expr(s, st->e, &v, &t, &e))
                return report(s, st->line, &e);
            /* NULL returns 0 (SQL Server warns); other values as int */
            s->ret_status = v.kind == TL_V_INT ? (int32_t)v.i : v.kind == TL_V_REAL ? (int32_t)v.r : 0;
        }
        return RUN_RETURN;
    case ST_UNSUPPORTED:
        sqlerr_set(&e, 50000, 16, "%s is not supported by tdslite.", st->what ? st->what : "This statement");
        return report(s, st->line, &e);
    }
    return RUN_OK;
}

int exec_stmt_list(struct engine_session *s, struct stmt **list, int n)
{
    for (int i = 0; i < n; i++) {
        int r = run_stmt(s, list[i]);
        if (r == RUN_ABORT || r == RUN_RETURN)
            return r;
        if (r == RUN_BREAK || r == RUN_CONTINUE)
            continue; /* outside a loop: SQL Server reports 135; ignore */
    }
    return RUN_OK;
}

int exec_eval(struct engine_session *s, struct expr *x, struct tl_value *v, struct tl_type *t,
              struct sqlerr *e)
{
    return eval_expr(s, x, v, t, e);
}

int exec_report(struct engine_session *s, int line, struct sqlerr *e)
{
    return report(s, line, e);
}

/* The batch-level Change Tracking checks SQL Server makes while compiling
 * (ct.c): on failure the error is reported and nothing of the batch runs. */
static int compile_ct(struct engine_session *s, struct batch_ast *ast)
{
    struct sqlerr e = {0};
    int line = 0;
    if (ct_check_batch(s, ast->st, ast->n, &line, &e) == 0)
        return 0;
    s->last_error = e.number;
    exec_msg(s, e.number, e.severity ? e.severity : 16, e.state ? e.state : 1, line + s->line_base, e.text, true);
    exec_done(s, ENGINE_DONE_ERROR, 0, 0);
    return -1;
}

int exec_batch_text(struct engine_session *s, const char *sql, size_t len, bool nested)
{
    struct batch_ast ast;
    struct perr pe = {0};
    if (!nested) {
        arena_reset(&s->ba);
        arena_reset(&s->ra);
        s->batch_gen++; /* cached procedure ASTs lived in s->ba */
        s->cancelled = false;
        s->rows_since_poll = 0;
    }
    s->fnerr_set = false;
    if (parser_batch(&s->ba, sql, len, &ast, &pe)) {
        int sev = parse_severity(pe.number);
        s->last_error = pe.number;
        exec_msg(s, pe.number, sev, 1, pe.line, pe.text, true);
        exec_done(s, ENGINE_DONE_ERROR, 0, 0);
        return s->closed ? SL_ECLOSED : 0;
    }
    if (compile_ct(s, &ast))
        return s->closed ? SL_ECLOSED : 0;
    if (!nested)
        ct_auto_cleanup(s, s->dbid);
    exec_stmt_list(s, ast.st, ast.n);
    if (s->closed)
        return SL_ECLOSED;
    if (s->cancelled)
        return SL_ECANCELLED;
    return 0;
}
