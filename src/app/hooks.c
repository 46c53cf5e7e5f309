/*
 * hooks: fault injection for the crash tests, read from the environment.
 * Production runs never set these variables; each is documented in
 * docs/cli.md "Test hooks".
 *
 *   SLUICE_TEST_CRASH_AT=POINT[@db.schema.table]
 *       die by SIGKILL (as `kill -9` would) at POINT of a table's run:
 *       batch:N     after the N-th batch went to the sink (parts are temps)
 *       finished    after sink_finish: the files are renamed and durable
 *       watermark   after watermarks.json was stored
 *       history     after the history line was appended
 *       manifest    after output.yaml was rewritten
 *       fsync:N     right after the N-th fsync made through the file
 *                   system hooks (state files and the sink's)
 *   SLUICE_TEST_PAUSE_AT=POINT[@db.schema.table], SLUICE_TEST_PAUSE_MS=N
 *       sleep N ms (default 2000) at POINT (names as above, but fsync:N),
 *       holding the table's lock: the concurrency tests' second process
 *       meets a lock held for sure
 *   SLUICE_TEST_MAX_FILE_ROWS=N   roll Parquet parts every N rows
 *   SLUICE_TEST_BATCH_ROWS=N      rows per source batch
 *   SLUICE_TEST_RETRY_MS=N        base backoff between attempts (ms)
 *   (SLUICE_TEST_WATCH_POLLS=N, watch only, is read by cmd_watch.c)
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "engine/engine.h"
#include "engine/retry.h"
#include "state/fsio.h"

static char crash_point[64];
static char crash_table[800];
static char pause_point[64];
static char pause_table[800];
static long pause_ms = 2000;
static long crash_fsync;              /* fsync:N, 0 = off */
static atomic_long fsync_count;

static void die(const char *table, const char *point)
{
    char line[1024];
    int n = snprintf(line, sizeof(line), "sluice: test crash at %s (%s)\n", point,
                     table ? table : "-");
    if (n > 0 && write(2, line, (size_t)(n < (int)sizeof(line) ? n : (int)sizeof(line) - 1)) < 0) {
        /* nothing to do: we are about to die anyway */
    }
    kill(getpid(), SIGKILL);
    _exit(137);
}

static bool hit(const char *point, const char *table, const char *want_point,
                const char *want_table)
{
    return want_point[0] && strcmp(point, want_point) == 0 &&
           (!want_table[0] || strcmp(table, want_table) == 0);
}

static void on_point(void *arg, const char *table, const char *point)
{
    (void)arg;
    if (hit(point, table, pause_point, pause_table)) {
        fprintf(stderr, "sluice: test pause at %s (%s) for %ld ms\n", point, table, pause_ms);
        retry_sleep_ms((int)pause_ms);
    }
    if (hit(point, table, crash_point, crash_table))
        die(table, point);
}

static ssize_t hook_write(void *arg, int fd, const void *p, size_t n)
{
    (void)arg;
    return write(fd, p, n);
}

static int hook_fsync(void *arg, int fd)
{
    (void)arg;
    int rc = fsync(fd);
    if (crash_fsync > 0 && atomic_fetch_add(&fsync_count, 1) + 1 == crash_fsync) {
        char point[32];
        snprintf(point, sizeof(point), "fsync:%ld", crash_fsync);
        die(NULL, point);
    }
    return rc;
}

static const struct fsio_ops hook_ops = {.write = hook_write, .fsync = hook_fsync, .arg = NULL};

static int env_long(const char *name, long min, long *out)
{
    const char *v = getenv(name);
    char *end = NULL;
    if (!v || !*v)
        return 0;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || *end || x < min) {
        fprintf(stderr, "sluice: %s=\"%s\" is not a whole number >= %ld\n", name, v, min);
        return -1;
    }
    *out = x;
    return 0;
}

static bool named_point(const char *p)
{
    return strncmp(p, "batch:", 6) == 0 || strcmp(p, "finished") == 0 ||
           strcmp(p, "watermark") == 0 || strcmp(p, "history") == 0 || strcmp(p, "manifest") == 0;
}

/* "POINT[@TABLE]" into point/table; false when malformed. */
static bool split_point(const char *v, char *point, size_t pcap, char *table, size_t tcap)
{
    const char *at = strchr(v, '@');
    size_t n = at ? (size_t)(at - v) : strlen(v);
    if (n == 0 || n >= pcap)
        return false;
    memcpy(point, v, n);
    point[n] = '\0';
    if (at)
        snprintf(table, tcap, "%s", at + 1);
    return true;
}

static int parse_pause(const char *v)
{
    if (split_point(v, pause_point, sizeof(pause_point), pause_table, sizeof(pause_table)) &&
        named_point(pause_point))
        return 0;
    fprintf(stderr,
            "sluice: SLUICE_TEST_PAUSE_AT=\"%s\" is not POINT[@db.schema.table] with POINT one of "
            "batch:N, finished, watermark, history, manifest\n",
            v);
    return -1;
}

static int parse_crash(const char *v)
{
    if (!split_point(v, crash_point, sizeof(crash_point), crash_table, sizeof(crash_table)))
        goto bad;
    if (strncmp(crash_point, "fsync:", 6) == 0) {
        char *end = NULL;
        crash_fsync = strtol(crash_point + 6, &end, 10);
        if (*end || crash_fsync < 1)
            goto bad;
        return 0;
    }
    if (named_point(crash_point))
        return 0;
bad:
    fprintf(stderr,
            "sluice: SLUICE_TEST_CRASH_AT=\"%s\" is not POINT[@db.schema.table] with POINT one of "
            "batch:N, finished, watermark, history, manifest, fsync:N\n",
            v);
    return -1;
}

int app_test_hooks(struct engine_options *opt)
{
    const char *crash = getenv("SLUICE_TEST_CRASH_AT");
    const char *pause = getenv("SLUICE_TEST_PAUSE_AT");
    long v = 0;

    if (crash && *crash) {
        if (parse_crash(crash) != 0)
            return APP_EXIT_USAGE;
        if (crash_fsync > 0)
            opt->io = &hook_ops;
        else
            opt->crash_point = on_point;
    }
    if (pause && *pause) {
        if (parse_pause(pause) != 0 || env_long("SLUICE_TEST_PAUSE_MS", 0, &pause_ms) != 0)
            return APP_EXIT_USAGE;
        opt->crash_point = on_point;
    }
    if (env_long("SLUICE_TEST_MAX_FILE_ROWS", 1, &v) != 0)
        return APP_EXIT_USAGE;
    if (v > 0)
        opt->max_file_rows = (uint64_t)v;
    v = 0;
    if (env_long("SLUICE_TEST_BATCH_ROWS", 1, &v) != 0)
        return APP_EXIT_USAGE;
    if (v > 0)
        opt->batch_rows = (size_t)v;
    v = -1;
    if (env_long("SLUICE_TEST_RETRY_MS", 0, &v) != 0)
        return APP_EXIT_USAGE;
    if (v >= 0) {
        opt->retry.base_ms = (int)v;
        if (opt->retry.max_ms < opt->retry.base_ms)
            opt->retry.max_ms = opt->retry.base_ms;
    }
    return APP_EXIT_OK;
}
