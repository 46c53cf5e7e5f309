/*
 * watch: the polling loop of `sluice watch`. See watch.h.
 *
 * One precheck connection per database stays open across polls; the
 * engine opens its own connections for the runs (one per worker, closed
 * when engine_sync returns), so a poll with changes pays a login per
 * worker. Watermarks are read from disk at every poll (one small file
 * per table: fine for hundreds of tables).
 */
#include "engine/watch.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/lsn.h"
#include "core/mem.h"
#include "engine/conn.h"
#include "source/odbc.h"
#include "source/precheck.h"
#include "state/clock.h"
#include "state/watermark.h"

#define DEFAULT_HEARTBEAT_MS (10 * 60 * 1000)
#define SLEEP_SLICE_MS 20

struct wtable {
    const struct config_database *db;
    const struct config_schema *sc;
    const struct config_table *t;
    char name[800];
    bool due, failed;
    int64_t last_ok_ms;
};

struct wdb {
    const struct config_database *db;
    struct odbc_conn *conn;
    bool with_cdc;          /* ask for the CDC position (false once the database has no cdc schema) */
    int64_t backoff_ms;     /* 0 while reachable */
    int64_t retry_at_ms;
    size_t first, n;        /* its tables in struct watch.t */
};

struct watch {
    const struct watch_options *wo;
    struct wtable *t;
    size_t nt;
    struct wdb *d;
    size_t nd;
    struct arena a; /* watermarks of one poll */
};

static int setup(struct watch *w, const struct watch_options *wo, struct sl_err *err)
{
    const struct config *cfg = wo->engine.cfg;
    size_t nt = 0, k = 0;
    int64_t now = clock_now_ms();

    memset(w, 0, sizeof(*w));
    w->wo = wo;
    arena_init(&w->a, 0, 0);
    for (size_t d = 0; d < cfg->ndatabases; d++)
        for (size_t s = 0; s < cfg->databases[d].nschemas; s++)
            nt += cfg->databases[d].schemas[s].ntables;
    w->t = sl_calloc(nt ? nt : 1, sizeof(*w->t));
    w->d = sl_calloc(cfg->ndatabases ? cfg->ndatabases : 1, sizeof(*w->d));
    if (!w->t || !w->d)
        return sl_err_set(err, SL_ENOMEM, "out of memory watching %zu tables", nt);
    for (size_t d = 0; d < cfg->ndatabases; d++) {
        const struct config_database *db = &cfg->databases[d];
        w->d[d] = (struct wdb){.db = db, .with_cdc = true, .first = k};
        for (size_t s = 0; s < db->nschemas; s++) {
            const struct config_schema *sc = &db->schemas[s];
            for (size_t i = 0; i < sc->ntables; i++, k++) {
                struct wtable *t = &w->t[k];
                *t = (struct wtable){.db = db, .sc = sc, .t = &sc->tables[i], .last_ok_ms = now};
                snprintf(t->name, sizeof(t->name), "%s.%s.%s", db->name, sc->name,
                         sc->tables[i].name);
            }
        }
        w->d[d].n = k - w->d[d].first;
    }
    w->nt = k;
    w->nd = cfg->ndatabases;
    return 0;
}

static void teardown(struct watch *w)
{
    for (size_t d = 0; d < w->nd; d++)
        odbc_close(w->d[d].conn);
    sl_free(w->t);
    sl_free(w->d);
    arena_free(&w->a);
}

/* ---- precheck ------------------------------------------------------------- */

static void unreachable(struct watch *w, struct wdb *d, const struct sl_err *e)
{
    const struct config_watch *cw = &w->wo->engine.cfg->watch;
    odbc_close(d->conn);
    d->conn = NULL;
    d->with_cdc = true;
    d->backoff_ms = d->backoff_ms ? d->backoff_ms * 2 : cw->poll_interval_ms;
    if (d->backoff_ms > cw->max_poll_interval_ms)
        d->backoff_ms = cw->max_poll_interval_ms;
    d->retry_at_ms = clock_now_ms() + d->backoff_ms;
    sl_log_warn(d->db->name, "database unreachable: %s; reconnecting in %" PRId64 " ms", e->msg,
                d->backoff_ms);
}

static bool table_due(struct watch *w, struct wtable *t, const struct precheck *pc, int64_t now)
{
    const struct config *cfg = w->wo->engine.cfg;
    int64_t beat = w->wo->heartbeat_ms > 0 ? w->wo->heartbeat_ms : DEFAULT_HEARTBEAT_MS;
    struct watermark wm;
    struct lsn l;
    bool have = false;
    struct sl_err e;

    sl_err_clear(&e);
    if (t->failed || now - t->last_ok_ms >= beat)
        return true;
    if (watermark_load(cfg->storage.root, t->db->name, t->sc->name, t->t->name, &w->a, &wm, &have,
                       &e) != 0 || !have)
        return true; /* the run reports a damaged watermark */
    if (wm.pos.kind == WM_POS_CT)
        return !pc->ct_null && wm.pos.version < pc->ct_version;
    if (wm.pos.kind == WM_POS_CDC)
        return !pc->cdc_null && (!lsn_from_hex(&l, wm.pos.start_lsn) ||
                                 lsn_cmp(&l, &pc->cdc_lsn) < 0);
    return true;
}

/* Mark d's due tables; a database that cannot be reached has none. */
static void precheck_db(struct watch *w, struct wdb *d, int64_t now)
{
    struct precheck pc;
    struct sl_err e;
    int ret = 0;

    for (size_t i = 0; i < d->n; i++)
        w->t[d->first + i].due = false;
    if (!d->conn && now < d->retry_at_ms)
        return;
    sl_err_clear(&e);
    if (!d->conn)
        ret = conn_open(w->wo->engine.cfg, d->db->name, NULL, &d->conn, &e);
    if (!ret) {
        ret = precheck_run(d->conn, d->with_cdc, &pc, &e);
        if (ret && d->with_cdc && e.source_code == 208) { /* no cdc schema here */
            d->with_cdc = false;
            sl_err_clear(&e);
            ret = precheck_run(d->conn, false, &pc, &e);
        }
    }
    if (ret) {
        unreachable(w, d, &e);
        return;
    }
    if (d->backoff_ms)
        sl_log_info(d->db->name, "database reachable again");
    d->backoff_ms = 0;
    for (size_t i = 0; i < d->n; i++)
        w->t[d->first + i].due = table_due(w, &w->t[d->first + i], &pc, now);
}

/* ---- runs ----------------------------------------------------------------- */

static bool want(void *arg, const struct config_table *table)
{
    struct watch *w = arg;
    for (size_t i = 0; i < w->nt; i++)
        if (w->t[i].t == table)
            return w->t[i].due;
    return false;
}

static struct wtable *find(struct watch *w, const struct engine_result *r, struct wdb **d)
{
    for (size_t k = 0; k < w->nd; k++)
        for (size_t i = 0; i < w->d[k].n; i++) {
            struct wtable *t = &w->t[w->d[k].first + i];
            if (t->t->name == r->table && t->sc->name == r->schema && t->db->name == r->db) {
                *d = &w->d[k];
                return t;
            }
        }
    return NULL;
}

/* Commit-to-landed for CDC (the server's commit times), detected-to-landed for CT. */
static void log_latency(struct wtable *t, struct wdb *d, const struct engine_result *r,
                        int64_t poll_ms)
{
    struct lsn from, to;
    int64_t oldest = 0, newest = 0;
    bool found = false;
    struct sl_err e;

    if (r->rows == 0)
        return;
    if (r->from.kind != WM_POS_CDC || r->to.kind != WM_POS_CDC || !d->conn ||
        !lsn_from_hex(&from, r->from.start_lsn) || !lsn_from_hex(&to, r->to.start_lsn)) {
        sl_log_info(t->name, "landed %" PRId64 " changes, %" PRId64 " ms after the poll saw them",
                    r->rows, clock_now_ms() - poll_ms);
        return;
    }
    sl_err_clear(&e);
    if (precheck_cdc_age(d->conn, &from, &to, &oldest, &newest, &found, &e) != 0) {
        sl_log_warn(t->name, "cannot measure the latency: %s", e.msg);
        return;
    }
    if (found)
        sl_log_info(t->name,
                    "landed %" PRId64 " changes, commit to landed: oldest %" PRId64
                    " ms, newest %" PRId64 " ms",
                    r->rows, oldest, newest);
}

/* Run the due tables; *landed counts their rows. */
static int run_due(struct watch *w, int64_t poll_ms, int64_t *landed, struct sl_err *err)
{
    struct engine_options o = w->wo->engine;
    struct engine_result *res = NULL;
    size_t n = 0, ndue = 0;
    int ret;

    *landed = 0;
    for (size_t i = 0; i < w->nt; i++)
        ndue += w->t[i].due;
    if (ndue == 0)
        return 0;
    o.want = want;
    o.want_arg = w;
    o.stop = w->wo->stop;
    ret = engine_sync(&o, NULL, &res, &n, err);
    for (size_t i = 0; !ret && i < n; i++) {
        struct wdb *d = NULL;
        struct wtable *t = find(w, &res[i], &d);
        if (!t)
            continue;
        if (res[i].status == ENGINE_OK) {
            t->failed = false;
            t->last_ok_ms = clock_now_ms();
            *landed += res[i].rows;
            log_latency(t, d, &res[i], poll_ms);
        } else if (res[i].status == ENGINE_FAILED) {
            t->failed = true;
        }
    }
    sl_free(res);
    return ret;
}

/* ---- the loop ------------------------------------------------------------- */

static void pause_ms(const volatile sig_atomic_t *stop, int64_t ms)
{
    int64_t until = clock_now_ms() + ms;
    while (!(stop && *stop)) {
        int64_t left = until - clock_now_ms();
        if (left <= 0)
            break;
        if (left > SLEEP_SLICE_MS)
            left = SLEEP_SLICE_MS;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)left * 1000000L};
        nanosleep(&ts, NULL);
    }
}

int engine_watch(const struct watch_options *wo, struct sl_err *err)
{
    const struct config_watch *cw = &wo->engine.cfg->watch;
    struct watch w;
    int64_t interval = cw->poll_interval_ms;
    int ret = setup(&w, wo, err);

    sl_log_info(NULL, "watching %zu table(s) in %zu database(s); polling every %" PRId64
                      " ms, up to %" PRId64 " ms while idle",
                w.nt, w.nd, cw->poll_interval_ms, cw->max_poll_interval_ms);
    for (int64_t polls = 0; !ret && !(wo->stop && *wo->stop); polls++) {
        int64_t poll_ms = clock_now_ms(), landed = 0;
        if (wo->max_polls > 0 && polls >= wo->max_polls)
            break;
        arena_reset(&w.a);
        for (size_t d = 0; d < w.nd; d++)
            precheck_db(&w, &w.d[d], poll_ms);
        ret = run_due(&w, poll_ms, &landed, err);
        if (ret)
            break;
        interval = landed > 0 ? cw->poll_interval_ms : interval * 2;
        if (interval > cw->max_poll_interval_ms)
            interval = cw->max_poll_interval_ms;
        if (landed == 0 && interval == cw->max_poll_interval_ms)
            sl_log_debug(NULL, "idle; next poll in %" PRId64 " ms", interval);
        pause_ms(wo->stop, interval);
    }
    if (!ret && wo->stop && *wo->stop)
        sl_log_info(NULL, "stopped: every started table committed");
    teardown(&w);
    return ret;
}
