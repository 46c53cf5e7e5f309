/*
 * sysprocs: procedures callable by EXEC or RPC by name: tdslite.generate
 * (fast deterministic table fill with value_generate), tdslite.set_fault
 * (engine_faults), tdslite.advance_clock (the engine clock, journal.c),
 * and the sp_* procedures that clients call routinely; the sp_cdc_* ones
 * and tdslite.cdc_capture are cdc.c's.
 *
 * Arguments arrive either as engine_params (RPC) or as expressions of an
 * EXEC statement; both are turned into values first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/mem.h"
#include "eng.h"


struct args {
    struct tl_value v[16];
    struct tl_type t[16];
    int n;
};

static int get_args(struct engine_session *s, struct stmt *st, const struct engine_param *params,
                    size_t np, struct args *a, struct sqlerr *e)
{
    a->n = 0;
    if (st) {
        for (int i = 0; i < st->nparams && i < 16; i++) {
            if (exec_eval(s, st->pvals[i], &a->v[i], &a->t[i], e))
                return -1;
            if (a->v[i].kind == TL_V_TEXT || a->v[i].kind == TL_V_BLOB)
                a->v[i].p = arena_memdup(&s->ba, a->v[i].p, a->v[i].n + 1);
            a->n++;
        }
    } else {
        for (size_t i = 0; i < np && i < 16; i++) {
            a->v[i] = params[i].value;
            a->t[i] = params[i].type;
            a->n++;
        }
    }
    return 0;
}

static char *arg_text(struct engine_session *s, struct args *a, int i)
{
    if (i >= a->n || a->v[i].kind != TL_V_TEXT)
        return NULL;
    return arena_strndup(&s->ba, (const char *)a->v[i].p, a->v[i].n);
}

static int64_t arg_int(struct args *a, int i, int64_t def)
{
    if (i >= a->n)
        return def;
    if (a->v[i].kind == TL_V_INT)
        return a->v[i].i;
    if (a->v[i].kind == TL_V_REAL)
        return (int64_t)a->v[i].r;
    if (a->v[i].kind == TL_V_TEXT)
        return strtoll((const char *)a->v[i].p, NULL, 10);
    return def;
}

static int parse_name(struct engine_session *s, const char *text, struct name3 *n)
{
    struct perr pe;
    struct expr *x = parser_expr(&s->ba, text, strlen(text), &pe);
    memset(n, 0, sizeof(*n));
    if (!x || x->kind != EX_COL)
        return -1;
    n->name = x->s;
    if (x->nq >= 1)
        n->schema = x->q[x->nq - 1];
    if (x->nq >= 2)
        n->db = x->q[x->nq - 2];
    return 0;
}

/* Unique-ify the first key column: row number in a form of its type. */
static bool make_unique(struct engine_session *s, const struct tl_type *t, uint64_t row,
                        uint64_t seed, struct tl_value *v)
{
    char buf[64];
    switch (t->id) {
    case TL_T_TINYINT:
    case TL_T_SMALLINT:
    case TL_T_INT:
    case TL_T_BIGINT:
        v->kind = TL_V_INT;
        v->i = (int64_t)row + 1;
        return true;
    case TL_T_DECIMAL:
    case TL_T_NUMERIC: {
        struct value_decimal d = {(unsigned __int128)(row + 1), false, 0};
        for (int i = 0; i < t->scale; i++)
            d.mag *= 10;
        d.scale = t->scale;
        size_t n = value_decimal_format(&d, buf);
        v->kind = TL_V_TEXT;
        v->p = arena_memdup(&s->ra, buf, n);
        v->n = n;
        return true;
    }
    case TL_T_CHAR:
    case TL_T_VARCHAR:
    case TL_T_NCHAR:
    case TL_T_NVARCHAR: {
        int n = snprintf(buf, sizeof(buf), "k%llu", (unsigned long long)row);
        v->kind = TL_V_TEXT;
        v->p = arena_memdup(&s->ra, buf, (size_t)n);
        v->n = (size_t)n;
        return true;
    }
    case TL_T_UNIQUEIDENTIFIER: {
        uint64_t x = row * 0x9E3779B97F4A7C15ull ^ seed;
        int n = snprintf(buf, sizeof(buf), "%08llX-%04llX-4%03llX-8%03llX-%012llX",
                         (unsigned long long)(row & 0xffffffffu), (unsigned long long)((row >> 32) & 0xffff),
                         (unsigned long long)(x & 0xfff), (unsigned long long)((x >> 12) & 0xfff),
                         (unsigned long long)((x >> 24) & 0xffffffffffffull));
        v->kind = TL_V_TEXT;
        v->p = arena_memdup(&s->ra, buf, (size_t)n);
        v->n = (size_t)n;
        return true;
    }
    default:
        return false;
    }
}

static int generate(struct engine_session *s, struct args *a, struct sqlerr *e, uint64_t *count)
{
    char *tname = arg_text(s, a, 0);
    int64_t rows = arg_int(a, 1, 1000);
    uint64_t seed = (uint64_t)arg_int(a, 2, 1);
    struct name3 n;
    if (!tname || parse_name(s, tname, &n)) {
        sqlerr_set(e, 50000, 16, "tdslite.generate: expects a table name, a row count and a seed.");
        return -1;
    }
    struct table_meta *tm = catalog_table(s, &s->ba, &n, e);
    if (!tm)
        return -1;
    if (txn_lock(s, tm->dbid, e))
        return -1;
    int *map = arena_alloc(&s->ba, sizeof(int) * (size_t)tm->ncols);
    struct tl_value *vals = arena_alloc(&s->ba, sizeof(struct tl_value) * (size_t)tm->ncols);
    struct tl_type *types = arena_alloc(&s->ba, sizeof(struct tl_type) * (size_t)tm->ncols);
    int keycol = -1;
    for (int k = 0; k < tm->nidx && keycol < 0; k++)
        if (tm->idx[k].unique)
            for (int i = 0; i < tm->ncols; i++)
                if (tm->cols[i].id == tm->idx[k].cols[0] && !tm->cols[i].identity)
                    keycol = i;
    for (int i = 0; i < tm->ncols; i++) {
        map[i] = tm->cols[i].identity ? -1 : i;
        types[i] = tm->cols[i].type;
    }
    struct dml_writer *w = NULL;
    if (dml_writer_open(s, tm, map, tm->ncols, false, &w, e))
        return -1;
    int rc = 0;
    for (int64_t r = 0; r < rows; r++) {
        arena_reset(&s->ra);
        for (int i = 0; i < tm->ncols; i++) {
            if (map[i] < 0)
                continue;
            if (i == keycol && make_unique(s, &tm->cols[i].type, (uint64_t)r, seed, &vals[i]))
                continue;
            value_generate(&tm->cols[i].type, tm->cols[i].nullable, seed, (uint64_t)r, (uint32_t)tm->cols[i].id,
                           &s->ra, &vals[i]);
            if (vals[i].kind == TL_V_NULL && !tm->cols[i].nullable)
                value_generate(&tm->cols[i].type, false, seed + 1, (uint64_t)r, (uint32_t)tm->cols[i].id, &s->ra, &vals[i]);
        }
        if (dml_writer_row(w, vals, types, e)) {
            rc = -1;
            break;
        }
        if ((r & 4095) == 4095 && exec_poll_cancel(s)) {
            rc = SL_ECANCELLED;
            break;
        }
    }
    if (rc == 0) {
        bool has;
        (void)has;
        if (dml_writer_finish_public(w)) {
            exec_sqlite_err(s, sqlite3_errcode(s->db), e);
            rc = -1;
        }
    }
    dml_writer_close(w);
    *count = rc == 0 ? (uint64_t)rows : 0;
    return rc;
}

static int set_fault(struct engine_session *s, struct args *a, struct sqlerr *e)
{
    char *name = arg_text(s, a, 0);
    int64_t v = arg_int(a, 1, 0);
    struct tl_faults *f = &s->eng->faults;
    if (name && ieq(name, "drop_after_rows"))
        atomic_store(&f->drop_after_rows, (long)v);
    else if (name && ieq(name, "delay_ms"))
        atomic_store(&f->delay_ms, (int)v);
    else if (name && ieq(name, "refuse_logins"))
        atomic_store(&f->refuse_logins, (int)v);
    else {
        sqlerr_set(e, 50000, 16, "tdslite.set_fault: unknown fault '%s' (drop_after_rows, delay_ms, refuse_logins).",
                   name ? name : "");
        return -1;
    }
    return 0;
}

int sysprocs_exec(struct engine_session *s, struct stmt *st, const char *proc,
                  const struct engine_param *params, size_t nparams, bool *handled,
                  struct sqlerr *e, int32_t *retstatus)
{
    struct args a;
    *handled = true;
    *retstatus = 0;
    const char *p = proc;
    if (!strncasecmp(p, "master..", 8))
        p += 8;
    if (!strncasecmp(p, "master.dbo.", 11) || !strncasecmp(p, "master.sys.", 11))
        p += 11;
    if (!strncasecmp(p, "sys.", 4))
        p += 4;
    if (!strncasecmp(p, "dbo.", 4))
        p += 4;
    if (ieq(p, "sp_getapplock") || ieq(p, "sp_releaseapplock"))
        return applock_proc(s, st, p, params, nparams, e, retstatus);
    if (st) {
        bool known = false;
        int rc = rpc_from_batch(s, st, p, &known, e, retstatus);
        if (known)
            return rc;
    }
    if (ieq(p, "tdslite.generate")) {
        uint64_t n = 0;
        if (get_args(s, st, params, nparams, &a, e))
            return -1;
        bool autocommit = s->trancount == 0;
        if (txn_prepare(s, true, e))
            return -1;
        if (txn_stmt_begin(s, e))
            return -1;
        int rc = generate(s, &a, e, &n);
        txn_stmt_end(s, rc == 0);
        struct sqlerr e2 = {0};
        txn_finish(s, rc == 0, &e2);
        (void)autocommit;
        if (rc)
            return rc;
        s->rowcount = (int64_t)n;
        exec_done(s, ENGINE_DONE_COUNT, ENGINE_CMD_INSERT, n);
        return 0;
    }
    if (ieq(p, "tdslite.advance_clock")) {
        /* test helper: move the engine clock (commit times, retention,
         * GETDATE()) forward by @minutes */
        if (get_args(s, st, params, nparams, &a, e))
            return -1;
        if (a.n < 1 || a.v[0].kind == TL_V_NULL) {
            sqlerr_set(e, 201, 16, "Procedure or function 'advance_clock' expects parameter '@minutes', which was not supplied.");
            return -1;
        }
        return journal_clock_advance(s->eng, arg_int(&a, 0, 0), e);
    }
    if (ieq(p, "sp_flush_CT_internal_table_on_demand")) {
        /* Change Tracking cleanup of the current database now (ct.c) */
        if (get_args(s, st, params, nparams, &a, e))
            return -1;
        char *table = arg_text(s, &a, 0);
        if (txn_prepare(s, true, e) || txn_stmt_begin(s, e))
            return -1;
        int rc = ct_flush(s, table, e);
        txn_stmt_end(s, rc == 0);
        struct sqlerr e2 = {0};
        txn_finish(s, rc == 0, &e2);
        return rc;
    }
    if (ieq(p, "tdslite.set_fault")) {
        if (get_args(s, st, params, nparams, &a, e))
            return -1;
        return set_fault(s, &a, e);
    }
    bool cdc = false;
    int crc = cdc_exec_proc(s, st, p, params, nparams, &cdc, e, retstatus); /* sp_cdc_* (cdc.c) */
    if (cdc)
        return crc;
    if (ieq(p, "sp_reset_connection")) {
        return engine_session_reset(s, false);
    }
    *handled = false;
    return 0;
}
