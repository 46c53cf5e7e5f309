/*
 * engine: the worker pool over tables. See engine.h.
 *
 * Jobs are the configured tables in config order, handed out by an atomic
 * counter; a worker keeps its connection while consecutive tables share a
 * database, which config order (tables grouped by database) makes the
 * common case.
 */
#include "engine/engine.h"

#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "engine/internal.h"
#include "source/odbc.h"

#define MAX_WORKERS 64

struct pool {
    struct engine_shared sh;
    struct table_ref *refs;
    struct engine_result *results;
    size_t n;
    atomic_size_t next;
};

struct worker_arg {
    struct pool *p;
    struct worker w;
};

const char *engine_status_name(enum engine_status s)
{
    switch (s) {
    case ENGINE_OK:
        return "ok";
    case ENGINE_FAILED:
        return "failed";
    case ENGINE_SKIPPED:
        return "skipped";
    }
    return "?";
}

enum parquet_codec engine_codec(enum config_compression c)
{
    switch (c) {
    case CONFIG_COMPRESSION_NONE:
        return PARQUET_UNCOMPRESSED;
    case CONFIG_COMPRESSION_SNAPPY:
        return PARQUET_SNAPPY;
    case CONFIG_COMPRESSION_GZIP:
        return PARQUET_GZIP;
    case CONFIG_COMPRESSION_LZ4_RAW:
        return PARQUET_LZ4_RAW;
    case CONFIG_COMPRESSION_BROTLI:
        return PARQUET_BROTLI;
    case CONFIG_COMPRESSION_ZSTD:
        break;
    }
    return PARQUET_ZSTD;
}

void engine_crash_point(const struct engine_options *opt, const char *table, const char *point)
{
    if (opt->crash_point)
        opt->crash_point(opt->crash_arg, table, point);
}

static void *worker_main(void *arg)
{
    struct worker_arg *wa = arg;
    struct pool *p = wa->p;
    struct engine_progress *pg = p->sh.progress;

    for (;;) {
        size_t i = atomic_fetch_add(&p->next, 1);
        if (i >= p->n)
            break;
        if (p->sh.opt->stop && *p->sh.opt->stop) {
            p->results[i].status = ENGINE_SKIPPED;
            sl_err_set(&p->results[i].err, SL_ECANCELLED, "stopped before the table started");
            continue;
        }
        if (pg)
            atomic_fetch_add(&pg->started, 1);
        table_sync(&wa->w, &p->refs[i], &p->results[i]);
        if (pg)
            atomic_fetch_add(&pg->done, 1);
    }
    odbc_close(wa->w.conn);
    wa->w.conn = NULL;
    return NULL;
}

static int collect(struct pool *p, const struct config *cfg, struct sl_err *err)
{
    size_t n = 0, k = 0;
    for (size_t d = 0; d < cfg->ndatabases; d++)
        for (size_t s = 0; s < cfg->databases[d].nschemas; s++)
            n += cfg->databases[d].schemas[s].ntables;
    p->refs = sl_calloc(n ? n : 1, sizeof(*p->refs));
    p->results = sl_calloc(n ? n : 1, sizeof(*p->results));
    if (!p->refs || !p->results)
        return sl_err_set(err, SL_ENOMEM, "out of memory planning %zu tables", n);
    for (size_t d = 0; d < cfg->ndatabases; d++) {
        const struct config_database *db = &cfg->databases[d];
        for (size_t s = 0; s < db->nschemas; s++) {
            const struct config_schema *sc = &db->schemas[s];
            for (size_t t = 0; t < sc->ntables; t++) {
                if (p->sh.opt->want && !p->sh.opt->want(p->sh.opt->want_arg, &sc->tables[t]))
                    continue;
                p->refs[k] = (struct table_ref){db, sc, &sc->tables[t]};
                p->results[k].db = db->name;
                p->results[k].schema = sc->name;
                p->results[k].table = sc->tables[t].name;
                k++;
            }
        }
    }
    p->n = k;
    return 0;
}

static size_t worker_count(const struct engine_options *opt, size_t ntables)
{
    size_t w = (size_t)(opt->workers > 0 ? opt->workers : opt->cfg->parallelism);
    if (w < 1)
        w = 1;
    if (w > MAX_WORKERS)
        w = MAX_WORKERS;
    return w < ntables ? w : ntables;
}

int engine_sync(const struct engine_options *opt, struct engine_progress *progress,
                struct engine_result **results, size_t *n, struct sl_err *err)
{
    struct pool p;
    struct worker_arg *wa = NULL;
    pthread_t *th = NULL;
    size_t nw = 0, started = 0;
    int ret;

    *results = NULL;
    *n = 0;
    memset(&p, 0, sizeof(p));
    p.sh.opt = opt;
    p.sh.progress = progress;
    pthread_mutex_init(&p.sh.manifest_mu, NULL);
    pthread_mutex_init(&p.sh.stream_mu, NULL);
    ret = collect(&p, opt->cfg, err);
    if (ret)
        goto out;
    if (progress)
        progress->total = (int)p.n;
    nw = worker_count(opt, p.n);
    wa = sl_calloc(nw ? nw : 1, sizeof(*wa));
    th = sl_calloc(nw ? nw : 1, sizeof(*th));
    if (!wa || !th) {
        ret = sl_err_set(err, SL_ENOMEM, "out of memory starting %zu workers", nw);
        goto out;
    }
    for (size_t i = 0; i < nw; i++) {
        wa[i].p = &p;
        wa[i].w.sh = &p.sh;
        wa[i].w.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16) ^ (i * 0x9e3779b9u);
        if (pthread_create(&th[i], NULL, worker_main, &wa[i]) != 0)
            break;
        started++;
    }
    if (started == 0 && nw > 0) {
        ret = sl_err_set(err, SL_ENOMEM, "cannot start a worker thread");
        goto out;
    }
    for (size_t i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    *results = p.results;
    *n = p.n;
    p.results = NULL;
out:
    sl_free(wa);
    sl_free(th);
    sl_free(p.refs);
    sl_free(p.results);
    pthread_mutex_destroy(&p.sh.manifest_mu);
    pthread_mutex_destroy(&p.sh.stream_mu);
    return ret;
}
