/*
 * applock: SQL Server's application locks: sp_getapplock,
 * sp_releaseapplock, APPLOCK_MODE and APPLOCK_TEST.
 *
 * One lock table per engine (struct applock_table, under its own mutex).
 * A resource is (database id, principal id, name): the name is the first
 * 255 UTF-16 units of @Resource compared byte for byte (case and trailing
 * spaces count). On a resource each (session, owner) pair holds at most
 * one entry: its mode (the union of every mode it was granted, kept until
 * the last release) and a reference count. Owners are Session (released at
 * logout, disconnect or RESETCONNECTION) and Transaction (released when
 * the session's transaction commits or rolls back).
 *
 * Modes and compatibility are SQL Server's lock matrix over IS, S, U, IX,
 * SIX, UIX and X. Two owners of the same session never block each other.
 * Requests are granted in order: a new request waits behind an
 * incompatible earlier waiter; a conversion (the owner already holds the
 * resource) only has to fit the granted modes.
 *
 * Waiting: the session's thread sleeps on the table's condition variable,
 * woken by every release and every waiter that leaves. It wakes at least
 * every 100 ms to look for an attention (cancel: -2) and its deadline
 * (@LockTimeout, -1 = none: -1 when it passes). On every wake-up the
 * attention (or a closed connection) is looked for before a grant, so a
 * request the client gave up on never gets a lock freed meanwhile; and a
 * queued waiter whose client has disconnected blocks no one, even before
 * its thread wakes to leave the queue (the socket says so at once, as SQL
 * Server's network layer kills a disconnected session's wait at once).
 *
 * Deadlocks: a waiter waits for the sessions whose granted (or earlier
 * queued) modes block it; when those wait in turn for it, there is a
 * cycle. The newest waiter in the cycle is the victim: it gets -3, keeps
 * its transaction and everything it holds (sp_getapplock's documented
 * behaviour), and the others keep waiting. Detection runs when a session
 * starts to wait and again on each wake-up, so a cycle closed by a
 * conversion is found too. Waits on SQLite's locks (tables) are not part
 * of the graph.
 *
 * Invariants: the table mutex guards every resource, hold and waiter; a
 * waiter is linked in its resource's queue and in the table's waiter list
 * exactly while its session sleeps in acquire(); a resource with no holds
 * and no waiters is freed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "core/utf8.h"
#include "eng.h"

enum mode { M_NONE, M_IS, M_S, M_U, M_IX, M_SIX, M_UIX, M_X, M_COUNT };

/* APPLOCK_MODE's names (SIX and UIX only arise as unions). */
static const char *const mode_names[M_COUNT] = {
    "NoLock", "IntentShared", "Shared", "Update", "IntentExclusive",
    "SharedIntentExclusive", "UpdateIntentExclusive", "Exclusive"};

/* SQL Server's lock compatibility: may one owner hold `a` while another
 * holds `b`? Row and column order: NL IS S U IX SIX UIX X. */
static const bool compat[M_COUNT][M_COUNT] = {
    {1, 1, 1, 1, 1, 1, 1, 1},
    {1, 1, 1, 1, 1, 1, 1, 0},
    {1, 1, 1, 1, 0, 0, 0, 0},
    {1, 1, 1, 0, 0, 0, 0, 0},
    {1, 1, 0, 0, 1, 0, 0, 0},
    {1, 1, 0, 0, 0, 0, 0, 0},
    {1, 1, 0, 0, 0, 0, 0, 0},
    {1, 0, 0, 0, 0, 0, 0, 0},
};

/* The union of two modes: the weakest mode that covers both (U covers S,
 * SIX = S + IX, UIX = U + IX, X covers everything). */
static int mode_union(int a, int b)
{
    enum { F_IS = 1, F_S = 2, F_U = 4, F_IX = 8, F_X = 16 };
    static const int flags[M_COUNT] = {0, F_IS, F_S, F_U, F_IX, F_S | F_IX, F_U | F_IX, F_X};
    int f = flags[a] | flags[b];
    if (f & F_X)
        return M_X;
    if (f & F_U)
        return (f & F_IX) ? M_UIX : M_U;
    if (f & F_S)
        return (f & F_IX) ? M_SIX : M_S;
    if (f & F_IX)
        return M_IX;
    return f ? M_IS : M_NONE;
}

struct hold {
    struct engine_session *s;
    bool session_owner;
    int mode;
    int count;
    struct hold *next;
};

struct res;

struct waiter {
    struct engine_session *s;
    struct res *r;
    int mode;          /* the mode it would hold once granted */
    bool conversion;   /* it already holds the resource */
    bool victim;       /* chosen as a deadlock victim */
    uint64_t seq;      /* order of arrival */
    struct waiter *next;  /* in r->queue */
    struct waiter *tnext; /* in the table's list */
};

struct res {
    int dbid;
    int principal;
    uint8_t *name;
    size_t len;
    struct hold *holds;
    struct waiter *queue;
    struct res *next;
};

struct applock_table {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* CLOCK_MONOTONIC; broadcast on every change */
    struct res *list;
    struct waiter *waiters;
    uint64_t seq;
};

struct applock_table *applock_table_new(void)
{
    struct applock_table *t = sl_calloc(1, sizeof(*t));
    pthread_condattr_t ca;
    if (!t)
        return NULL;
    pthread_mutex_init(&t->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&t->cv, &ca);
    pthread_condattr_destroy(&ca);
    return t;
}

void applock_table_destroy(struct applock_table *t)
{
    if (!t)
        return;
    for (struct res *r = t->list, *rn; r; r = rn) {
        rn = r->next;
        for (struct hold *h = r->holds, *hn; h; h = hn) {
            hn = h->next;
            sl_free(h);
        }
        sl_free(r->name);
        sl_free(r);
    }
    pthread_cond_destroy(&t->cv);
    pthread_mutex_destroy(&t->mu);
    sl_free(t);
}

/* ------------------------------------------------------------ table (mutex held) */

static struct res *res_find(struct applock_table *t, int dbid, int principal, const uint8_t *name,
                            size_t len, bool create)
{
    for (struct res *r = t->list; r; r = r->next)
        if (r->dbid == dbid && r->principal == principal && r->len == len && memcmp(r->name, name, len) == 0)
            return r;
    if (!create)
        return NULL;
    struct res *r = sl_calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->name = sl_malloc(len ? len : 1);
    if (!r->name) {
        sl_free(r);
        return NULL;
    }
    memcpy(r->name, name, len);
    r->len = len;
    r->dbid = dbid;
    r->principal = principal;
    r->next = t->list;
    t->list = r;
    return r;
}

static void res_gc(struct applock_table *t, struct res *r)
{
    if (r->holds || r->queue)
        return;
    for (struct res **pp = &t->list; *pp; pp = &(*pp)->next)
        if (*pp == r) {
            *pp = r->next;
            break;
        }
    sl_free(r->name);
    sl_free(r);
}

static struct hold *hold_find(struct res *r, struct engine_session *s, bool session_owner)
{
    for (struct hold *h = r->holds; h; h = h->next)
        if (h->s == s && h->session_owner == session_owner)
            return h;
    return NULL;
}

/* The mode the session's other owner holds counts as its own: never a
 * conflict. Can session s hold `want` on r now? A new request (not a
 * conversion) also yields to incompatible waiters queued before `self`
 * (all of them when self is NULL). */
static bool grantable(struct res *r, struct engine_session *s, int want, bool conversion,
                      const struct waiter *self)
{
    for (struct hold *h = r->holds; h; h = h->next)
        if (h->s != s && !compat[want][h->mode])
            return false;
    if (conversion)
        return true;
    for (struct waiter *q = r->queue; q && q != self; q = q->next)
        if (q->s != s && !q->victim && !compat[want][q->mode] && !exec_peer_gone(q->s))
            return false;
    return true;
}

static void waiter_unlink(struct applock_table *t, struct waiter *w)
{
    for (struct waiter **pp = &w->r->queue; *pp; pp = &(*pp)->next)
        if (*pp == w) {
            *pp = w->next;
            break;
        }
    for (struct waiter **pp = &t->waiters; *pp; pp = &(*pp)->tnext)
        if (*pp == w) {
            *pp = w->tnext;
            break;
        }
}

static struct waiter *waiting_of(struct applock_table *t, struct engine_session *s)
{
    for (struct waiter *w = t->waiters; w; w = w->tnext)
        if (w->s == s && !w->victim)
            return w;
    return NULL;
}

/* Does a chain of waits lead from waiter w back to session target? Fills
 * path[*depth..] with the waiters on the way. */
static bool reaches(struct applock_table *t, const struct waiter *w, struct engine_session *target,
                    const struct waiter **path, int *depth)
{
    if (*depth >= 64)
        return false;
    for (int i = 0; i < *depth; i++)
        if (path[i] == w)
            return false; /* a cycle that does not pass through target */
    path[(*depth)++] = w;
    const struct res *r = w->r;
    for (const struct hold *h = r->holds; h; h = h->next) {
        if (h->s == w->s || compat[w->mode][h->mode])
            continue;
        if (h->s == target)
            return true;
        const struct waiter *next = waiting_of(t, h->s);
        if (next && reaches(t, next, target, path, depth))
            return true;
    }
    for (const struct waiter *q = r->queue; !w->conversion && q && q != w; q = q->next) {
        if (q->s == w->s || q->victim || compat[w->mode][q->mode])
            continue;
        if (q->s == target)
            return true;
        if (reaches(t, q, target, path, depth))
            return true;
    }
    (*depth)--;
    return false;
}

/* If w is on a cycle of waits, mark the cycle's newest waiter as the
 * victim and wake everyone. Returns true when that is w. */
static bool deadlock(struct applock_table *t, struct waiter *w)
{
    const struct waiter *path[64];
    int depth = 0;
    if (!reaches(t, w, w->s, path, &depth))
        return false;
    struct waiter *v = w;
    for (int i = 0; i < depth; i++)
        if (path[i]->seq > v->seq)
            v = (struct waiter *)path[i];
    v->victim = true;
    pthread_cond_broadcast(&t->cv);
    return v == w;
}

/* ------------------------------------------------------------ acquire / release */

static void deadline_after(struct timespec *ts, int ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static bool before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/*
 * Sleep in the queue until w can be granted (1), its deadline passes (-1),
 * an attention arrives (-2) or it becomes a deadlock victim (-3). Called
 * and returns with t->mu held and w linked; the caller unlinks it.
 */
static int wait_queued(struct applock_table *t, struct waiter *w, int timeout_ms)
{
    struct timespec deadline, now, slice;
    if (timeout_ms > 0)
        deadline_after(&deadline, timeout_ms);
    for (;;) {
        if (w->victim || deadlock(t, w))
            return -3;
        deadline_after(&slice, 100);
        if (timeout_ms > 0 && before(&deadline, &slice))
            slice = deadline;
        pthread_cond_timedwait(&t->cv, &t->mu, &slice);
        if (w->victim)
            return -3;
        /* an attention (or a closed socket) first, looked for without
         * holding the table: a request its client gave up on is never
         * granted, not even a lock that was freed meanwhile */
        pthread_mutex_unlock(&t->mu);
        bool cancelled = exec_poll_cancel(w->s) || w->s->closed || exec_peer_gone(w->s);
        pthread_mutex_lock(&t->mu);
        if (cancelled)
            return -2;
        if (w->victim)
            return -3;
        if (grantable(w->r, w->s, w->mode, w->conversion, w))
            return 1;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (timeout_ms > 0 && !before(&now, &deadline))
            return -1;
    }
}

/*
 * sp_getapplock's core: 0 granted at once, 1 granted after waiting, -1
 * timed out, -2 cancelled (attention), -3 deadlock victim, -999 out of
 * memory. timeout_ms -1 waits for ever.
 */
static int acquire(struct engine_session *s, int dbid, int principal, const uint8_t *name, size_t len,
                   int mode, bool session_owner, int timeout_ms)
{
    struct applock_table *t = s->eng->applocks;
    int rc;
    pthread_mutex_lock(&t->mu);
    struct res *r = res_find(t, dbid, principal, name, len, true);
    if (!r) {
        pthread_mutex_unlock(&t->mu);
        return -999;
    }
    struct hold *own = hold_find(r, s, session_owner);
    struct hold *fresh = NULL;
    if (!own) { /* allocate now so that a grant cannot fail later */
        fresh = sl_calloc(1, sizeof(*fresh));
        if (!fresh) {
            res_gc(t, r);
            pthread_mutex_unlock(&t->mu);
            return -999;
        }
        fresh->s = s;
        fresh->session_owner = session_owner;
    }
    struct waiter w = {s, r, mode_union(own ? own->mode : M_NONE, mode), own != NULL, false, 0, NULL, NULL};
    if (grantable(r, s, w.mode, w.conversion, NULL)) {
        rc = 0;
    } else if (timeout_ms == 0) {
        rc = -1;
    } else { /* queue up at the tail and wait */
        w.seq = ++t->seq;
        struct waiter **pp = &r->queue;
        while (*pp)
            pp = &(*pp)->next;
        *pp = &w;
        w.tnext = t->waiters;
        t->waiters = &w;
        rc = wait_queued(t, &w, timeout_ms);
        waiter_unlink(t, &w);
        pthread_cond_broadcast(&t->cv); /* those queued behind may go now */
    }
    if (rc >= 0 && fresh) {
        fresh->mode = w.mode;
        fresh->count = 1;
        fresh->next = r->holds;
        r->holds = fresh;
        fresh = NULL;
    } else if (rc >= 0) {
        own->mode = w.mode;
        own->count++;
    }
    sl_free(fresh);
    res_gc(t, r);
    pthread_mutex_unlock(&t->mu);
    return rc;
}

/* sp_releaseapplock's core: 0, or -1 when the owner does not hold it. */
static int release(struct engine_session *s, int dbid, int principal, const uint8_t *name, size_t len,
                   bool session_owner)
{
    struct applock_table *t = s->eng->applocks;
    int rc = -1;
    pthread_mutex_lock(&t->mu);
    struct res *r = res_find(t, dbid, principal, name, len, false);
    struct hold *h = r ? hold_find(r, s, session_owner) : NULL;
    if (h) {
        rc = 0;
        if (--h->count == 0) {
            for (struct hold **pp = &r->holds; *pp; pp = &(*pp)->next)
                if (*pp == h) {
                    *pp = h->next;
                    break;
                }
            sl_free(h);
            pthread_cond_broadcast(&t->cv);
            res_gc(t, r);
        }
    }
    pthread_mutex_unlock(&t->mu);
    return rc;
}

void applock_release_owner(struct engine_session *s, bool session)
{
    struct applock_table *t = s->eng ? s->eng->applocks : NULL;
    bool any = false;
    if (!t)
        return;
    pthread_mutex_lock(&t->mu);
    for (struct res *r = t->list, *rn; r; r = rn) {
        rn = r->next;
        for (struct hold **pp = &r->holds; *pp;) {
            struct hold *h = *pp;
            if (h->s == s && h->session_owner == session) {
                *pp = h->next;
                sl_free(h);
                any = true;
            } else {
                pp = &h->next;
            }
        }
        res_gc(t, r);
    }
    if (any)
        pthread_cond_broadcast(&t->cv);
    pthread_mutex_unlock(&t->mu);
}

/* The mode (session, owner) holds on a resource: M_NONE when none. */
static int held_mode(struct engine_session *s, int dbid, int principal, const uint8_t *name, size_t len,
                     bool session_owner)
{
    struct applock_table *t = s->eng->applocks;
    pthread_mutex_lock(&t->mu);
    struct res *r = res_find(t, dbid, principal, name, len, false);
    struct hold *h = r ? hold_find(r, s, session_owner) : NULL;
    int m = h ? h->mode : M_NONE;
    pthread_mutex_unlock(&t->mu);
    return m;
}

/* Could (session, owner) be granted `mode` now, without waiting? */
static bool test_grant(struct engine_session *s, int dbid, int principal, const uint8_t *name, size_t len,
                       int mode, bool session_owner)
{
    struct applock_table *t = s->eng->applocks;
    pthread_mutex_lock(&t->mu);
    struct res *r = res_find(t, dbid, principal, name, len, false);
    bool ok = true;
    if (r) {
        struct hold *h = hold_find(r, s, session_owner);
        ok = grantable(r, s, mode_union(h ? h->mode : M_NONE, mode), true, NULL);
    }
    pthread_mutex_unlock(&t->mu);
    return ok;
}

/* ------------------------------------------------------------ arguments */

static int parse_mode(const char *t)
{
    static const struct {
        const char *name;
        int mode;
    } modes[] = {{"Shared", M_S}, {"Update", M_U}, {"IntentShared", M_IS}, {"IntentExclusive", M_IX},
                 {"Exclusive", M_X}};
    for (size_t i = 0; t && i < sizeof(modes) / sizeof(modes[0]); i++)
        if (ieq(t, modes[i].name))
            return modes[i].mode;
    return -1;
}

/* 1 Session, 0 Transaction, -1 neither. */
static int parse_owner(const char *t)
{
    return !t ? -1 : ieq(t, "Session") ? 1 : ieq(t, "Transaction") ? 0 : -1;
}

/* A varchar argument as the procedure compares it: trailing spaces cut. */
static char *rtrim(char *t)
{
    size_t n = t ? strlen(t) : 0;
    while (n > 0 && t[n - 1] == ' ')
        t[--n] = 0;
    return t;
}

/* @Resource as the lock manager keys it: its first 255 UTF-16 units. */
static size_t resource_len(const char *t, size_t n)
{
    size_t i = 0, units = 0;
    while (i < n) {
        size_t at = i;
        int32_t cp = utf8_decode((const uint8_t *)t, n, &i);
        size_t u = cp > 0xFFFF ? 2 : 1;
        if (units + u > 255)
            return at;
        units += u;
    }
    return n;
}

enum { A_RESOURCE, A_MODE, A_OWNER, A_TIMEOUT, A_PRINCIPAL, A_COUNT };

struct args {
    bool has[A_COUNT];
    struct tl_value v[A_COUNT];
    struct tl_type t[A_COUNT];
};

/*
 * Bind the actual arguments to the formal ones (names[i] is the formal of
 * slot map[i]), by name or by position, with SQL Server's binding errors
 * (8145, 8144, 119). DEFAULT leaves a slot unset, like an absent argument.
 */
static int bind_args(struct engine_session *s, struct stmt *st, const struct engine_param *params, size_t np,
                     const char *proc, const char *const *names, const int *map, int nformal,
                     struct args *a, struct sqlerr *e)
{
    int n = st ? st->nparams : (int)np, pos = 0;
    bool named_seen = false;
    memset(a, 0, sizeof(*a));
    for (int i = 0; i < n; i++) {
        const char *name = st ? st->pnames[i] : params[i].name;
        int k = -1;
        if (name && *name) {
            for (int j = 0; j < nformal; j++)
                if (ieq(name, names[j]))
                    k = j;
            if (k < 0) {
                sqlerr_set(e, 8145, 16, "%s is not a parameter for procedure %s.", name, proc);
                return -1;
            }
            named_seen = true;
        } else {
            if (named_seen) {
                sqlerr_set(e, 119, 15, "Must pass parameter number %d and subsequent parameters as '@name = value'. After the form '@name = value' has been used, all subsequent parameters must be passed in the form '@name = value'.",
                           i + 1);
                return -1;
            }
            if (pos >= nformal) {
                sqlerr_set(e, 8144, 16, "Procedure or function %s has too many arguments specified.", proc);
                return -1;
            }
            k = pos++;
        }
        int slot = map[k];
        if (st ? st->pvals[i]->kind == EX_DEFAULT : params[i].use_default)
            continue;
        if (st) {
            if (exec_eval(s, st->pvals[i], &a->v[slot], &a->t[slot], e))
                return -1;
            if (a->v[slot].kind == TL_V_TEXT || a->v[slot].kind == TL_V_BLOB)
                a->v[slot].p = arena_memdup(&s->ba, a->v[slot].p ? a->v[slot].p : (const uint8_t *)"",
                                            a->v[slot].n + 1);
        } else {
            a->v[slot] = params[i].value;
            a->t[slot] = params[i].type;
        }
        a->has[slot] = true;
    }
    return 0;
}

static bool is_null(const struct args *a, int slot)
{
    return a->has[slot] && a->v[slot].kind == TL_V_NULL;
}

/* Slot as text (nvarchar), NULL when absent or NULL; in the batch arena. */
static int arg_text(struct engine_session *s, struct args *a, int slot, char **out, size_t *len,
                    struct sqlerr *e)
{
    *out = NULL;
    if (len)
        *len = 0;
    if (!a->has[slot] || a->v[slot].kind == TL_V_NULL)
        return 0;
    struct tl_type nt = {TL_T_NVARCHAR, TL_MAX, 0, 0};
    struct tl_value o;
    struct value_error ve;
    if (value_convert(&a->v[slot], a->t[slot].id == TL_T_UNKNOWN ? NULL : &a->t[slot], &nt, -1, false, NULL,
                      NULL, &s->ba, &o, &ve)) {
        sqlerr_set(e, ve.number, 16, "%s", ve.text);
        return -1;
    }
    *out = arena_strndup(&s->ba, (const char *)o.p, o.n);
    if (len)
        *len = o.n;
    return *out ? 0 : -1;
}

static int arg_int(struct engine_session *s, struct args *a, int slot, int def, int *out, struct sqlerr *e)
{
    *out = def;
    if (!a->has[slot] || a->v[slot].kind == TL_V_NULL)
        return 0;
    struct tl_type it = {TL_T_INT, 0, 0, 0};
    struct tl_value o;
    struct value_error ve;
    if (value_convert(&a->v[slot], a->t[slot].id == TL_T_UNKNOWN ? NULL : &a->t[slot], &it, -1, false, NULL,
                      NULL, &s->ba, &o, &ve)) {
        sqlerr_set(e, ve.number, 16, "%s", ve.text);
        return -1;
    }
    *out = (int)o.i;
    return 0;
}

/* An informational message raised inside the system procedure. */
static void proc_info(struct engine_session *s, const char *proc, int line, int number, const char *text)
{
    char saved[sizeof(s->procname)];
    memcpy(saved, s->procname, sizeof(saved));
    snprintf(s->procname, sizeof(s->procname), "%s", proc);
    exec_msg(s, number, 10, 1, line, text, false);
    memcpy(s->procname, saved, sizeof(saved));
}

static void bad_option(struct engine_session *s, const char *proc, int line, const char *value,
                       const char *param)
{
    char msg[400];
    snprintf(msg, sizeof(msg), "Option '%s' not recognized for '%s' parameter.", value ? value : "", param);
    proc_info(s, proc, line, 15625, msg);
}

/* ------------------------------------------------------------ the procedures */

/* What sp_getapplock and sp_releaseapplock both refuse, in SQL Server's
 * order: a NULL @Resource (1224, state 5), a NULL @DbPrincipal (1230). */
static int check_resource_principal(struct args *a, const char *res, struct sqlerr *e)
{
    if (!res) {
        sqlerr_set(e, 1224, 16, "An invalid application lock resource was passed to xp_userlock.");
        e->state = 5;
        return -1;
    }
    if (is_null(a, A_PRINCIPAL)) {
        sqlerr_set(e, 1230, 16, "An invalid database principal was passed to xp_userlock.");
        return -1;
    }
    return 0;
}

/* The id of @DbPrincipal (public when not given) in the current database,
 * *pname its trimmed name; -1 with 1202 when no such principal. */
static int principal_id(struct engine_session *s, char *principal, const char **pname, struct sqlerr *e)
{
    *pname = principal ? rtrim(principal) : "public";
    int pid = sec_applock_principal(s, s->dbid, *pname);
    if (pid < 0)
        sqlerr_set(e, 1202, 16, "The database-principal '%s' does not exist or user is not a member.", *pname);
    return pid;
}

static int getapplock(struct engine_session *s, struct args *a, struct sqlerr *e, int32_t *ret)
{
    const char *proc = "sp_getapplock";
    char *res, *mode_t, *owner_t, *principal;
    size_t rlen;
    int timeout;
    *ret = -999;
    if (!a->has[A_MODE]) {
        sqlerr_set(e, 201, 16, "Procedure or function '%s' expects parameter '@LockMode', which was not supplied.", proc);
        return -1;
    }
    if (arg_text(s, a, A_MODE, &mode_t, NULL, e) || arg_text(s, a, A_OWNER, &owner_t, NULL, e) ||
        arg_text(s, a, A_RESOURCE, &res, &rlen, e) || arg_text(s, a, A_PRINCIPAL, &principal, NULL, e))
        return -1;
    int mode = parse_mode(rtrim(mode_t));
    if (mode < 0) {
        bad_option(s, proc, 26, mode_t, "@LockMode");
        return 0;
    }
    int owner = a->has[A_OWNER] ? parse_owner(rtrim(owner_t)) : 0;
    if (owner < 0) {
        bad_option(s, proc, 39, owner_t, "@LockOwner");
        return 0;
    }
    if (owner == 0 && s->trancount == 0) {
        proc_info(s, proc, 52, 15626, "You attempted to acquire a transactional application lock without an active transaction.");
        return 0;
    }
    if (!a->has[A_RESOURCE])
        return 0;
    if (check_resource_principal(a, res, e))
        return -1;
    if (arg_int(s, a, A_TIMEOUT, s->lock_timeout, &timeout, e))
        return -1;
    if (timeout < -1) {
        sqlerr_set(e, 1227, 16, "An invalid application lock time-out was passed to xp_userlock.");
        e->state = 2;
        return -1;
    }
    const char *pname;
    int pid = principal_id(s, principal, &pname, e);
    if (pid < 0)
        return -1;
    int rc = acquire(s, s->dbid, pid, (const uint8_t *)res, resource_len(res, rlen), mode, owner == 1, timeout);
    *ret = rc;
    return rc == -2 ? SL_ECANCELLED : 0;
}

static int releaseapplock(struct engine_session *s, struct args *a, struct sqlerr *e, int32_t *ret)
{
    const char *proc = "sp_releaseapplock";
    char *res, *owner_t, *principal;
    size_t rlen;
    *ret = -999;
    if (arg_text(s, a, A_OWNER, &owner_t, NULL, e) || arg_text(s, a, A_RESOURCE, &res, &rlen, e) ||
        arg_text(s, a, A_PRINCIPAL, &principal, NULL, e))
        return -1;
    int owner = a->has[A_OWNER] ? parse_owner(rtrim(owner_t)) : 0;
    if (owner < 0) {
        bad_option(s, proc, 20, owner_t, "@LockOwner");
        return 0;
    }
    if (!a->has[A_RESOURCE])
        return 0;
    if (check_resource_principal(a, res, e))
        return -1;
    const char *pname;
    int pid = principal_id(s, principal, &pname, e);
    if (pid < 0)
        return -1;
    size_t klen = resource_len(res, rlen);
    if (release(s, s->dbid, pid, (const uint8_t *)res, klen, owner == 1)) {
        sqlerr_set(e, 1223, 16, "Cannot release the application lock (Database Principal: '%s', Resource: '%.*s') because it is not currently held.",
                   pname, (int)klen, res);
        return -1;
    }
    *ret = 0;
    return 0;
}

int applock_proc(struct engine_session *s, struct stmt *st, const char *proc,
                 const struct engine_param *params, size_t nparams, struct sqlerr *e,
                 int32_t *retstatus)
{
    static const char *const get_names[] = {"@Resource", "@LockMode", "@LockOwner", "@LockTimeout", "@DbPrincipal"};
    static const int get_map[] = {A_RESOURCE, A_MODE, A_OWNER, A_TIMEOUT, A_PRINCIPAL};
    static const char *const rel_names[] = {"@Resource", "@LockOwner", "@DbPrincipal"};
    static const int rel_map[] = {A_RESOURCE, A_OWNER, A_PRINCIPAL};
    struct args a;
    bool get = ieq(proc, "sp_getapplock");
    *retstatus = -999;
    if (get ? bind_args(s, st, params, nparams, "sp_getapplock", get_names, get_map, 5, &a, e)
            : bind_args(s, st, params, nparams, "sp_releaseapplock", rel_names, rel_map, 3, &a, e))
        return -1;
    return get ? getapplock(s, &a, e, retstatus) : releaseapplock(s, &a, e, retstatus);
}

/* ------------------------------------------------------------ functions */

static struct engine_session *fsess(sqlite3_context *c) { return sqlite3_user_data(c); }

static void fn_fail(sqlite3_context *c, int number, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fn_fail(sqlite3_context *c, int number, const char *fmt, ...)
{
    struct engine_session *s = fsess(c);
    va_list ap;
    va_start(ap, fmt);
    memset(&s->fnerr, 0, sizeof(s->fnerr));
    s->fnerr.number = number;
    s->fnerr.severity = 16;
    s->fnerr.state = 1;
    vsnprintf(s->fnerr.text, sizeof(s->fnerr.text), fmt, ap);
    va_end(ap);
    s->fnerr_set = true;
    sqlite3_result_error(c, s->fnerr.text, -1);
}

/* The common part of APPLOCK_MODE / APPLOCK_TEST: NULL arguments (8116),
 * the owner (1226), a Transaction owner outside a transaction (3918) and
 * the principal (1202). 0 with *pid, *owner set, or -1 (error raised). */
static int fn_common(sqlite3_context *c, sqlite3_value **argv, int nargs, int owner_arg, const char *fname,
                     int *pid, int *owner)
{
    struct engine_session *s = fsess(c);
    for (int i = 0; i < nargs; i++)
        if (sqlite3_value_type(argv[i]) == SQLITE_NULL) {
            fn_fail(c, 8116, "Argument data type NULL is invalid for argument %d of %s function.", i + 1, fname);
            return -1;
        }
    char ot[64];
    snprintf(ot, sizeof(ot), "%s", (const char *)sqlite3_value_text(argv[owner_arg]));
    *owner = parse_owner(rtrim(ot));
    if (*owner < 0) {
        fn_fail(c, 1226, "An invalid application lock owner was passed to %s.", fname);
        return -1;
    }
    if (*owner == 0 && s->trancount == 0) {
        fn_fail(c, 3918, "The statement or function must be executed in the context of a user transaction.");
        return -1;
    }
    char pn[260];
    snprintf(pn, sizeof(pn), "%s", (const char *)sqlite3_value_text(argv[0]));
    *pid = sec_applock_principal(s, s->dbid, rtrim(pn));
    if (*pid < 0) {
        fn_fail(c, 1202, "The database-principal '%s' does not exist or user is not a member.", pn);
        return -1;
    }
    return 0;
}

/* APPLOCK_MODE(principal, resource, owner) */
static void fn_applock_mode(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct engine_session *s = fsess(c);
    int pid, owner;
    if (fn_common(c, argv, 3, 2, "applock_mode", &pid, &owner))
        return;
    const char *res = (const char *)sqlite3_value_text(argv[1]);
    size_t len = resource_len(res, (size_t)sqlite3_value_bytes(argv[1]));
    int m = held_mode(s, s->dbid, pid, (const uint8_t *)res, len, owner == 1);
    sqlite3_result_text(c, mode_names[m], -1, SQLITE_STATIC);
}

/* APPLOCK_TEST(principal, resource, mode, owner) */
static void fn_applock_test(sqlite3_context *c, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct engine_session *s = fsess(c);
    int pid, owner;
    for (int i = 0; i < 4; i++)
        if (sqlite3_value_type(argv[i]) == SQLITE_NULL) {
            fn_fail(c, 8116, "Argument data type NULL is invalid for argument %d of applock_test function.", i + 1);
            return;
        }
    char mt[64];
    snprintf(mt, sizeof(mt), "%s", (const char *)sqlite3_value_text(argv[2]));
    int mode = parse_mode(rtrim(mt));
    if (mode < 0) {
        fn_fail(c, 1225, "An invalid application lock mode was passed to applock_test.");
        return;
    }
    if (fn_common(c, argv, 4, 3, "applock_test", &pid, &owner))
        return;
    const char *res = (const char *)sqlite3_value_text(argv[1]);
    size_t len = resource_len(res, (size_t)sqlite3_value_bytes(argv[1]));
    sqlite3_result_int(c, test_grant(s, s->dbid, pid, (const uint8_t *)res, len, mode, owner == 1));
}

int applock_register(struct engine_session *s)
{
    int rc = sqlite3_create_function_v2(s->db, "tl_applock_mode", 3, SQLITE_UTF8, s, fn_applock_mode, NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function_v2(s->db, "tl_applock_test", 4, SQLITE_UTF8, s, fn_applock_test, NULL, NULL,
                                        NULL);
    return rc;
}
