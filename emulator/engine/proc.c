/*
 * proc: running stored procedures (EXEC from a batch, RPC by name).
 *
 * Owns the call: binding actual to formal parameters with SQL Server's
 * rules and messages, the procedure's own variable scope, database context
 * and SET options (restored on exit, as SQL Server scopes SET inside a
 * procedure), @@NESTLEVEL (limit 32, Msg 217), RETURN status, OUTPUT
 * values, and the 266 check of an unbalanced transaction count. Leaves the
 * storage of procedures to catalog.c and running their statements to
 * exec.c.
 *
 * A procedure's body is parsed once per batch: the AST lives in the batch
 * arena and is cached in s->pcache, tagged with s->batch_gen so a reset
 * arena never leaves a dangling entry. CREATE/ALTER PROCEDURE must be
 * alone in its batch, so a cached body cannot change under a running
 * batch except through dynamic SQL, which clears the cache.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "eng.h"

struct proc_cache {
    uint64_t gen;
    int dbid;
    int64_t object_id;
    struct proc_def def;
    struct coldef *params;
    int nparams;
    struct batch_ast body;
};

void proc_parse_name(struct arena *a, const char *text, struct name3 *n)
{
    char *parts[3] = {NULL, NULL, NULL};
    int np = 0;
    const char *p = text;
    memset(n, 0, sizeof(*n));
    while (*p && np < 3) {
        const char *st = p;
        size_t len;
        if (*p == '[') {
            st = ++p;
            while (*p && *p != ']')
                p++;
            len = (size_t)(p - st);
            if (*p == ']')
                p++;
        } else {
            while (*p && *p != '.')
                p++;
            len = (size_t)(p - st);
        }
        parts[np++] = len ? arena_strndup(a, st, len) : NULL;
        if (*p != '.')
            break;
        p++;
    }
    if (np == 0)
        return;
    n->name = parts[np - 1];
    n->schema = np >= 2 ? parts[np - 2] : NULL;
    n->db = np >= 3 ? parts[0] : NULL;
}

/* The parsed procedure (cached for this batch), or NULL with *found false. */
static struct proc_cache *load(struct engine_session *s, const struct name3 *n, bool *found,
                               struct sqlerr *e)
{
    struct proc_def def;
    *found = false;
    if (catalog_find_proc(s, &s->ba, n, &def))
        return NULL;
    *found = true;
    for (int i = 0; i < s->npcache; i++) {
        struct proc_cache *c = &s->pcache[i];
        if (c->gen == s->batch_gen && c->dbid == def.dbid && c->object_id == def.object_id)
            return c;
    }
    if (s->npcache == s->cappcache) {
        int nc = s->cappcache ? s->cappcache * 2 : 8;
        struct proc_cache *nn = sl_realloc(s->pcache, sizeof(*nn) * (size_t)nc);
        if (!nn) {
            sqlerr_set(e, 701, 19, "There is insufficient system memory to run this query.");
            return NULL;
        }
        s->pcache = nn;
        s->cappcache = nc;
    }
    struct proc_cache *c = &s->pcache[s->npcache];
    memset(c, 0, sizeof(*c));
    c->gen = s->batch_gen;
    c->dbid = def.dbid;
    c->object_id = def.object_id;
    c->def = def;
    struct perr pe = {0};
    if ((def.params && parser_params(&s->ba, def.params, strlen(def.params), &c->params, &c->nparams, &pe)) ||
        parser_batch(&s->ba, def.body, strlen(def.body), &c->body, &pe)) {
        /* it parsed at CREATE time; only a tdslite upgrade could do this */
        sqlerr_set(e, pe.number ? pe.number : 50000, 16, "%s", pe.text);
        return NULL;
    }
    s->npcache++;
    return c;
}

/* Session state a procedure call saves and restores. */
struct frame {
    struct saved_vars vars;
    int line_base;
    int nestlevel;
    int64_t proc_id;
    char procname[130];
    int dbid;
    char dbname[130];
    bool nocount, xact_abort, arithabort, ansi_nulls, quoted_identifier;
    int isolation, datefirst, textsize;
    char dateformat[4];
    int ident_insert_db;
    int64_t ident_insert_obj;
};

/* The session fields a frame saves and restores, each under the same name
 * and type in struct frame and struct engine_session. */
#define FRAME_FIELDS(X)                                                                            \
    X(line_base) X(nestlevel) X(proc_id) X(procname) X(dbid) X(dbname) X(nocount) X(xact_abort)   \
    X(arithabort) X(ansi_nulls) X(quoted_identifier) X(isolation) X(datefirst) X(textsize)         \
    X(dateformat) X(ident_insert_db) X(ident_insert_obj)

#define FRAME_SAME_SIZE(x)                                                                         \
    _Static_assert(sizeof(((struct frame *)0)->x) == sizeof(((struct engine_session *)0)->x), #x);
FRAME_FIELDS(FRAME_SAME_SIZE)

static void frame_save(struct engine_session *s, struct frame *f)
{
#define FRAME_SAVE(x) memcpy(&f->x, &s->x, sizeof(f->x));
    FRAME_FIELDS(FRAME_SAVE)
#undef FRAME_SAVE
}

static void frame_restore(struct engine_session *s, const struct frame *f)
{
#define FRAME_RESTORE(x) memcpy(&s->x, &f->x, sizeof(s->x));
    FRAME_FIELDS(FRAME_RESTORE)
#undef FRAME_RESTORE
}

/*
 * Match actual arguments to the formal parameters: positional ones first,
 * then @name = value. bound[k] is the argument index for parameter k or
 * -1. Errors as SQL Server words them, naming the procedure.
 */
static int bind_args(const struct proc_cache *pc, struct proc_arg *args, int nargs, int *bound,
                     struct sqlerr *e)
{
    const char *pn = pc->def.name;
    int pos = 0;
    bool named = false;
    for (int k = 0; k < pc->nparams; k++)
        bound[k] = -1;
    for (int i = 0; i < nargs; i++) {
        struct proc_arg *a = &args[i];
        int k;
        if (a->name && a->name[0]) {
            named = true;
            for (k = 0; k < pc->nparams; k++)
                if (ieq(pc->params[k].name, a->name))
                    break;
            if (k == pc->nparams) {
                sqlerr_set(e, 8145, 16, "%s is not a parameter for procedure %s.", a->name, pn);
                return -1;
            }
            if (bound[k] >= 0) {
                sqlerr_set(e, 8143, 16, "Parameter '%s' was supplied multiple times.", a->name);
                return -1;
            }
        } else {
            if (named) {
                sqlerr_set(e, 119, 15, "Must pass parameter number %d and subsequent parameters as '@name = value'. After the form '@name = value' has been used, all subsequent parameters must be passed in the form '@name = value'.",
                           i + 1);
                return -1;
            }
            if (pos >= pc->nparams) {
                sqlerr_set(e, 8144, 16, "Procedure or function %s has too many arguments specified.", pn);
                return -1;
            }
            k = pos++;
        }
        if (a->output && !pc->params[k].output) {
            sqlerr_set(e, 8162, 16, "The formal parameter \"%s\" was not declared as an OUTPUT parameter, but the actual parameter passed in requested output.",
                       pc->params[k].name);
            return -1;
        }
        bound[k] = i;
    }
    return 0;
}

/* Declare the parameters as the body's variables with their values. */
static int declare_params(struct engine_session *s, const struct proc_cache *pc,
                          struct proc_arg *args, const int *bound, struct sqlerr *e)
{
    for (int k = 0; k < pc->nparams; k++) {
        const struct coldef *d = &pc->params[k];
        struct var *v = exec_var_declare(s, d->name, &d->type);
        if (!v) {
            sqlerr_set(e, 701, 19, "There is insufficient system memory to run this query.");
            return -1;
        }
        const struct proc_arg *a = bound[k] >= 0 ? &args[bound[k]] : NULL;
        struct tl_value val;
        struct tl_type t;
        if (a && !a->is_default) {
            val = a->value;
            t = a->type;
        } else if (d->param_default) {
            if (exec_eval(s, d->param_default, &val, &t, e))
                return -1;
        } else if (a && a->output) {
            val.kind = TL_V_NULL; /* an OUTPUT-only argument: the body sets it */
            t = d->type;
        } else {
            sqlerr_set(e, 201, 16, "Procedure or function '%s' expects parameter '%s', which was not supplied.",
                       pc->def.name, d->name);
            e->state = 4;
            return -1;
        }
        if (val.kind != TL_V_NULL && exec_var_set(s, v, &val, t.id == TL_T_UNKNOWN ? NULL : &t, e)) {
            /* a parameter value that does not convert: 8114 names the types */
            char from[64], to[64];
            snprintf(from, sizeof(from), "%s", value_type_base_name(t.id != TL_T_UNKNOWN ? t.id
                                                                     : val.kind == TL_V_TEXT ? TL_T_VARCHAR
                                                                     : val.kind == TL_V_INT ? TL_T_INT
                                                                     : val.kind == TL_V_REAL ? TL_T_FLOAT
                                                                                              : TL_T_VARBINARY));
            snprintf(to, sizeof(to), "%s", value_type_base_name(d->type.id));
            sqlerr_set(e, 8114, 16, "Error converting data type %s to %s.", from, to);
            return -1;
        }
    }
    return 0;
}

/* Copy OUTPUT parameters' final values into their arguments (batch arena). */
static void collect_outputs(struct engine_session *s, const struct proc_cache *pc,
                            struct proc_arg *args, const int *bound)
{
    for (int k = 0; k < pc->nparams; k++) {
        if (bound[k] < 0 || !args[bound[k]].output)
            continue;
        struct proc_arg *a = &args[bound[k]];
        struct var *v = exec_var(s, pc->params[k].name);
        a->param_name = arena_strdup(&s->ba, pc->params[k].name);
        a->param_type = pc->params[k].type;
        a->value = (struct tl_value){TL_V_NULL, 0, 0, NULL, 0};
        if (!v)
            continue;
        a->value = (struct tl_value){v->kind, v->i, v->r, NULL, v->n};
        if (v->kind == TL_V_TEXT || v->kind == TL_V_BLOB)
            a->value.p = arena_memdup(&s->ba, v->p ? v->p : (const uint8_t *)"", v->n + 1);
        a->type = v->type;
    }
}

int proc_call(struct engine_session *s, const struct name3 *n, struct proc_arg *args, int nargs,
              bool *found, int32_t *status, struct sqlerr *e)
{
    *status = 0;
    struct proc_cache *pc = load(s, n, found, e);
    if (!pc)
        return *found ? -1 : 0;
    if (s->nestlevel >= 32) {
        sqlerr_set(e, 217, 16, "Maximum stored procedure, function, trigger, or view nesting level exceeded (limit 32).");
        return -1;
    }
    struct db_entry pd;
    if (!s->sysadmin && catalog_find_db_id(s->eng, pc->dbid, &pd) == 0 &&
        sec_check_object(s, pc->dbid, pc->object_id, pd.name, pc->def.schema, pc->def.name, "EXECUTE", e))
        return -1;
    int *bound = arena_alloc(&s->ba, sizeof(int) * (size_t)(pc->nparams ? pc->nparams : 1));
    if (!bound) {
        sqlerr_set(e, 701, 19, "There is insufficient system memory to run this query.");
        return -1;
    }
    if (bind_args(pc, args, nargs, bound, e))
        return -1;
    struct frame f;
    frame_save(s, &f);
    exec_vars_push(s, &f.vars);
    int rc = -1;
    int trancount = s->trancount;
    if (declare_params(s, pc, args, bound, e))
        goto out;
    /* the body runs in the procedure's database, named in its messages */
    struct db_entry d;
    if (pc->dbid != s->dbid && catalog_find_db_id(s->eng, pc->dbid, &d) == 0) {
        s->dbid = d.id;
        snprintf(s->dbname, sizeof(s->dbname), "%s", d.name);
    }
    s->nestlevel++;
    s->proc_id = pc->object_id;
    snprintf(s->procname, sizeof(s->procname), "%s", pc->def.name);
    s->line_base = pc->def.body_line - 1;
    s->ret_status = 0;
    int r = exec_stmt_list(s, pc->body.st, pc->body.n);
    *status = r == RUN_ABORT ? -6 : s->ret_status;
    collect_outputs(s, pc, args, bound);
    rc = r == RUN_ABORT ? 1 : 0;
out:
    exec_vars_pop(s, &f.vars);
    frame_restore(s, &f);
    if (rc == 0 && s->trancount != trancount && !s->closed) {
        sqlerr_set(e, 266, 16, "Transaction count after EXECUTE indicates a mismatching number of BEGIN and COMMIT statements. Previous count = %d, current count = %d.",
                   trancount, s->trancount);
        return -1;
    }
    return rc;
}
