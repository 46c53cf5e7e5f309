/*
 * progress: one line on stderr, redrawn twice a second while a sync runs,
 * when stderr is a terminal: tables done, rows landed, rows per second.
 * Log lines keep working: while the display runs, the log goes through a
 * stream that first clears the progress line, and the next tick redraws
 * it below the log line. Without a terminal nothing of this runs, and the
 * log is plain lines (cron, CI, pipes).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "app/app.h"
#include "core/log.h"
#include "core/mem.h"
#include "engine/engine.h"

struct progress_display {
    struct engine_progress *pg;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    FILE *log;
    enum sl_log_level level;
};

static ssize_t log_write(void *cookie, const char *buf, size_t n)
{
    (void)cookie;
    flockfile(stderr);
    fputs("\r\033[K", stderr);
    fwrite(buf, 1, n, stderr);
    fflush(stderr);
    funlockfile(stderr);
    return (ssize_t)n;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void draw(struct progress_display *d, double t0)
{
    uint64_t rows = atomic_load(&d->pg->rows);
    double el = now_s() - t0;
    flockfile(stderr);
    fprintf(stderr, "\r\033[Ksync: %d/%d tables, %llu rows, %.0f rows/s, %.0f s",
            atomic_load(&d->pg->done), d->pg->total, (unsigned long long)rows,
            el > 0 ? (double)rows / el : 0.0, el);
    fflush(stderr);
    funlockfile(stderr);
}

static void *run(void *arg)
{
    struct progress_display *d = arg;
    double t0 = now_s();

    pthread_mutex_lock(&d->mu);
    while (!d->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 500000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&d->cv, &d->mu, &until);
        if (!d->stop)
            draw(d, t0);
    }
    pthread_mutex_unlock(&d->mu);
    flockfile(stderr);
    fputs("\r\033[K", stderr);
    fflush(stderr);
    funlockfile(stderr);
    return NULL;
}

struct progress_display *progress_start(struct engine_progress *pg)
{
    static const cookie_io_functions_t fns = {.write = log_write};
    struct progress_display *d;

    if (!isatty(2))
        return NULL;
    d = sl_calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->pg = pg;
    pthread_mutex_init(&d->mu, NULL);
    pthread_cond_init(&d->cv, NULL);
    d->level = sl_log_get_level();
    d->log = fopencookie(NULL, "w", fns);
    if (d->log) {
        setvbuf(d->log, NULL, _IOLBF, 0);
        sl_log_setup(d->level, d->log);
    }
    if (pthread_create(&d->th, NULL, run, d) != 0) {
        progress_stop(d);
        return NULL;
    }
    return d;
}

void progress_stop(struct progress_display *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&d->mu);
    bool running = !d->stop;
    d->stop = true;
    pthread_cond_signal(&d->cv);
    pthread_mutex_unlock(&d->mu);
    if (running && d->th)
        pthread_join(d->th, NULL);
    if (d->log) {
        sl_log_setup(d->level, NULL);
        fclose(d->log);
    }
    pthread_cond_destroy(&d->cv);
    pthread_mutex_destroy(&d->mu);
    sl_free(d);
}
