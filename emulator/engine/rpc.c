/*
 * rpc: RPC requests (sp_executesql, sp_prepare, sp_execute, sp_prepexec,
 * sp_unprepare and system procedures by name) and their EXEC forms inside
 * a batch.
 *
 * Parameters are bound to variables declared from the @params text, by
 * name when named, otherwise by position in declaration order. The
 * statement runs as a nested batch with only those variables visible; the
 * OUTPUT parameters come back as retvalue events after retstatus. Prepared
 * handles are per session (8179 for an unknown one).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "eng.h"

static const char *norm_proc(const char *p)
{
    const char *q;
    if ((q = strrchr(p, '.')))
        return q + 1;
    return p;
}

static int param_text(struct engine_session *s, const struct engine_param *p, char **out,
                      struct sqlerr *e)
{
    if (p->value.kind == TL_V_NULL) {
        *out = NULL;
        return 0;
    }
    if (p->value.kind != TL_V_TEXT) {
        sqlerr_set(e, 214, 16, "Procedure expects parameter '@statement' of type 'ntext/nchar/nvarchar'.");
        return -1;
    }
    *out = arena_strndup(&s->ba, (const char *)p->value.p, p->value.n);
    return 0;
}

static void add_out(struct engine_session *s, uint16_t ord, const char *name,
                    const struct tl_type *t, const struct tl_value *v)
{
    if (s->nouts >= 64)
        return;
    struct pending_out *o = &s->outs[s->nouts++];
    o->ord = ord;
    snprintf(o->name, sizeof(o->name), "%s", name);
    o->type = *t;
    o->v = *v;
    if (v->kind == TL_V_TEXT || v->kind == TL_V_BLOB) {
        uint8_t *c = sl_malloc(v->n + 1);
        if (c && v->n)
            memcpy(c, v->p, v->n);
        o->v.p = c;
    }
}

static void flush_outs(struct engine_session *s)
{
    for (int i = 0; i < s->nouts; i++) {
        if (!s->closed && s->out->retvalue(s->ctx, s->outs[i].ord, s->outs[i].name, &s->outs[i].type, &s->outs[i].v))
            s->closed = true;
        if (s->outs[i].v.kind == TL_V_TEXT || s->outs[i].v.kind == TL_V_BLOB)
            sl_free((void *)s->outs[i].v.p);
    }
    s->nouts = 0;
}

/* Execute stmt with declarations decl and values params[first..]. */
static int run_parameterized(struct engine_session *s, const char *stmt, const char *decl,
                             const struct engine_param *params, size_t nparams, size_t first,
                             bool nested, struct sqlerr *e)
{
    struct coldef *defs = NULL;
    int ndefs = 0;
    struct perr pe = {0};
    struct saved_vars sv;
    int rc = 0;
    if (decl && parser_params(&s->ba, decl, strlen(decl), &defs, &ndefs, &pe)) {
        sqlerr_set(e, pe.number, 16, "%s", pe.text);
        return -1;
    }
    exec_vars_push(s, &sv);
    for (int i = 0; i < ndefs; i++) {
        struct var *v = exec_var_declare(s, defs[i].name, &defs[i].type);
        if (!v) {
            sqlerr_set(e, 701, 19, "There is insufficient system memory to run this query.");
            rc = -1;
            goto out;
        }
    }
    size_t pos = 0;
    for (size_t k = first; k < nparams; k++) {
        const struct engine_param *p = &params[k];
        struct var *v = NULL;
        if (p->name && p->name[0]) {
            v = exec_var(s, p->name);
            if (!v) {
                sqlerr_set(e, 8145, 16, "%s is not a parameter for procedure sp_executesql.", p->name);
                rc = -1;
                goto out;
            }
        } else {
            if ((int)pos >= ndefs) {
                sqlerr_set(e, 8144, 16, "Procedure or function sp_executesql has too many arguments specified.");
                rc = -1;
                goto out;
            }
            v = &s->vars[pos];
        }
        pos++;
        if (p->use_default)
            continue;
        if (exec_var_set(s, v, &p->value, &p->type, e)) {
            rc = -1;
            goto out;
        }
    }
    s->in_rpc = true;
    rc = exec_batch_text(s, stmt, strlen(stmt), nested);
    /* output parameters */
    if (rc == 0 && !s->closed) {
        for (size_t k = first; k < nparams; k++) {
            if (!params[k].output)
                continue;
            struct var *v = params[k].name && params[k].name[0] ? exec_var(s, params[k].name)
                                                                : (k - first < (size_t)s->nvars ? &s->vars[k - first] : NULL);
            if (!v)
                continue;
            struct tl_value tv = {v->kind, v->i, v->r, v->p, v->n};
            /* RETURNVALUE echoes the name as the client sent it: empty for
             * a positional parameter (db-lib keys outputs by it) */
            add_out(s, (uint16_t)k, params[k].name && params[k].name[0] ? v->name : "", &v->type, &tv);
        }
    }
out:
    exec_vars_pop(s, &sv);
    return rc;
}

static struct prepared *find_prep(struct engine_session *s, int h)
{
    for (int i = 0; i < s->npreps; i++)
        if (s->preps[i].handle == h)
            return &s->preps[i];
    return NULL;
}

static int add_prep(struct engine_session *s, const char *decl, const char *stmt)
{
    if (s->npreps == s->cappreps) {
        int nc = s->cappreps ? s->cappreps * 2 : 8;
        struct prepared *n = sl_realloc(s->preps, sizeof(*n) * (size_t)nc);
        if (!n)
            return -1;
        s->preps = n;
        s->cappreps = nc;
    }
    struct prepared *p = &s->preps[s->npreps++];
    p->handle = ++s->next_handle;
    p->params = decl ? sl_strdup(decl) : NULL;
    p->stmt = sl_strdup(stmt);
    return p->handle;
}

static int ret_handle(struct engine_session *s, const struct engine_param *p, int h)
{
    struct tl_type it = {TL_T_INT, 0, 0, 0};
    struct tl_value v = {TL_V_INT, h, 0, NULL, 0};
    add_out(s, 0, p && p->name && p->name[0] ? p->name : "@handle", &it, &v);
    return 0;
}

static int handle_of(const struct engine_param *p)
{
    if (p->value.kind == TL_V_INT)
        return (int)p->value.i;
    if (p->value.kind == TL_V_TEXT)
        return atoi((const char *)p->value.p);
    return -1;
}

/* Dispatch; *known false if proc is not an RPC-level procedure. */
static int dispatch(struct engine_session *s, const char *proc, const struct engine_param *params,
                    size_t n, bool nested, bool *known, struct sqlerr *e, int32_t *status)
{
    const char *p = norm_proc(proc);
    char *stmt = NULL, *decl = NULL;
    *known = true;
    *status = 0;
    if (ieq(p, "sp_executesql")) {
        if (n < 1 || param_text(s, &params[0], &stmt, e))
            return n < 1 ? (sqlerr_set(e, 201, 16, "Procedure or function 'sp_executesql' expects parameter '@statement', which was not supplied."), -1) : -1;
        if (n >= 2 && param_text(s, &params[1], &decl, e))
            return -1;
        if (!stmt)
            return 0;
        return run_parameterized(s, stmt, decl, params, n, n >= 2 ? 2 : 1, nested, e);
    }
    if (ieq(p, "sp_prepare") || ieq(p, "sp_prepexec")) {
        if (n < 3 || param_text(s, &params[1], &decl, e) || param_text(s, &params[2], &stmt, e)) {
            if (!e->number)
                sqlerr_set(e, 201, 16, "Procedure or function '%s' expects parameter '@stmt', which was not supplied.", p);
            return -1;
        }
        int h = add_prep(s, decl, stmt ? stmt : "");
        if (h < 0) {
            sqlerr_set(e, 701, 19, "There is insufficient system memory to run this query.");
            return -1;
        }
        if (ieq(p, "sp_prepare"))
            return ret_handle(s, &params[0], h);
        if (ret_handle(s, &params[0], h))
            return -1;
        struct prepared *pr = find_prep(s, h);
        return run_parameterized(s, pr->stmt, pr->params, params, n, 3, nested, e);
    }
    if (ieq(p, "sp_execute")) {
        struct prepared *pr = n >= 1 ? find_prep(s, handle_of(&params[0])) : NULL;
        if (!pr) {
            sqlerr_set(e, 8179, 16, "Could not find prepared statement with handle %d.", n >= 1 ? handle_of(&params[0]) : 0);
            return -1;
        }
        char *st2 = arena_strdup(&s->ba, pr->stmt);
        char *dc2 = pr->params ? arena_strdup(&s->ba, pr->params) : NULL;
        return run_parameterized(s, st2, dc2, params, n, 1, nested, e);
    }
    if (ieq(p, "sp_unprepare")) {
        int h = n >= 1 ? handle_of(&params[0]) : -1;
        for (int i = 0; i < s->npreps; i++)
            if (s->preps[i].handle == h) {
                sl_free(s->preps[i].params);
                sl_free(s->preps[i].stmt);
                s->preps[i] = s->preps[--s->npreps];
                return 0;
            }
        sqlerr_set(e, 8179, 16, "Could not find prepared statement with handle %d.", h);
        return -1;
    }
    *known = false;
    return 0;
}

/*
 * RPC of a user procedure: the parameters as sent become the arguments
 * (named when the client names them, tedious does; positional otherwise,
 * as db-lib's dbrpcparam without names); OUTPUT ones come back as
 * RETURNVALUE with the request's ordinal and the formal parameter's name.
 * A body that aborts the batch still ends the RPC normally (status -6).
 */
static int user_proc(struct engine_session *s, const char *proc, const struct engine_param *params,
                     size_t n, bool *found, struct sqlerr *e, int32_t *status)
{
    struct name3 name;
    proc_parse_name(&s->ba, proc, &name);
    struct proc_arg *args = arena_alloc(&s->ba, sizeof(*args) * (n ? n : 1));
    if (!args) {
        sqlerr_set(e, 701, 19, "There is insufficient system memory to run this query.");
        *found = true;
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        memset(&args[i], 0, sizeof(args[i]));
        args[i].name = params[i].name;
        args[i].value = params[i].value;
        args[i].type = params[i].type;
        args[i].output = params[i].output;
        args[i].is_default = params[i].use_default;
    }
    int rc = proc_call(s, &name, args, (int)n, found, status, e);
    if (!*found || rc < 0 || s->closed)
        return rc < 0 ? -1 : 0;
    for (size_t i = 0; i < n; i++)
        if (args[i].output && args[i].param_name)
            add_out(s, (uint16_t)i, params[i].name && params[i].name[0] ? params[i].name : "",
                    &args[i].param_type, &args[i].value);
    return 0;
}

int rpc_exec(struct engine_session *s, const char *proc, const struct engine_param *params,
             size_t nparams)
{
    struct sqlerr e = {0};
    bool known;
    int32_t status = 0;
    arena_reset(&s->ba);
    arena_reset(&s->ra);
    s->batch_gen++; /* cached procedure ASTs lived in s->ba */
    s->cancelled = false;
    s->nouts = 0;
    exec_vars_clear(s);
    int rc = dispatch(s, proc, params, nparams, false, &known, &e, &status);
    if (!known) {
        bool handled = false;
        rc = sysprocs_exec(s, NULL, proc, params, nparams, &handled, &e, &status);
        if (!handled)
            rc = user_proc(s, proc, params, nparams, &handled, &e, &status);
        if (!handled) {
            sqlerr_set(&e, 2812, 16, "Could not find stored procedure '%s'.", proc);
            rc = -1;
        }
    }
    if (rc == SL_ECLOSED || rc == SL_ECANCELLED || s->closed)
        return s->closed ? SL_ECLOSED : rc;
    if (rc) {
        exec_report(s, 1, &e);
        status = status ? status : -6;
        if (s->closed)
            return SL_ECLOSED;
    }
    if (s->out->retstatus(s->ctx, status)) {
        s->closed = true;
        flush_outs(s);
        return SL_ECLOSED;
    }
    flush_outs(s);
    return s->closed ? SL_ECLOSED : s->cancelled ? SL_ECANCELLED : 0;
}

/* EXEC sp_executesql / sp_prepare ... from a batch: evaluate arguments. */
int rpc_from_batch(struct engine_session *s, struct stmt *st, const char *proc, bool *known,
                   struct sqlerr *e, int32_t *status)
{
    struct engine_param *ps = arena_alloc(&s->ba, sizeof(*ps) * (size_t)(st->nparams ? st->nparams : 1));
    for (int i = 0; i < st->nparams; i++) {
        memset(&ps[i], 0, sizeof(ps[i]));
        ps[i].name = st->pnames[i] ? st->pnames[i] : "";
        ps[i].output = st->pout[i];
        if (st->pvals[i]->kind == EX_DEFAULT) {
            ps[i].use_default = true;
            continue;
        }
        struct tl_value v;
        struct tl_type t;
        if (exec_eval(s, st->pvals[i], &v, &t, e))
            return -1;
        if (v.kind == TL_V_TEXT || v.kind == TL_V_BLOB)
            v.p = arena_memdup(&s->ba, v.p, v.n + 1);
        ps[i].value = v;
        ps[i].type = t.id == TL_T_UNKNOWN ? (struct tl_type){TL_T_INT, 0, 0, 0} : t;
    }
    return dispatch(s, proc, ps, (size_t)st->nparams, true, known, e, status);
}
