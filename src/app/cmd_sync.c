/*
 * sync: `sluice sync --config FILE [--tables LIST] [--workers N] [-v|-q]`.
 * Runs the engine over the configured tables and prints one summary line
 * per table on stdout; logs (and the progress line on a terminal) go to
 * stderr. Exit 0 when every table is ok or skipped (another process holds
 * it), 1 when any failed, 2 for usage and configuration errors.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "core/log.h"
#include "core/mem.h"
#include "engine/engine.h"
#include "state/clock.h"

static const char sync_usage[] =
    "usage: sluice sync --config FILE [--tables db.schema.table,...] [--workers N] [-v|-q]\n"
    "\n"
    "Sync every configured table: a full load the first time (mode full_incremental), then\n"
    "only the changes Change Tracking recorded since the last run. Files land under\n"
    "storage.root/data, state under storage.root/watermarks, the manifest in output.yaml.\n"
    "\n"
    "  -c, --config FILE    configuration file (YAML or JSON; docs/config.md)\n"
    "  -t, --tables LIST    only these tables, comma-separated db.schema.table\n"
    "  -w, --workers N      tables synced at the same time (default: parallelism, 4)\n"
    "  -v, --verbose        more log detail\n"
    "  -q, --quiet          errors only\n"
    "  -h, --help           this help\n"
    "\n"
    "exit codes: 0 every table ok (or skipped because another sluice holds it),\n"
    "            1 some table failed, 2 usage or configuration error,\n"
    "            3 the reader of the jsonl stream on stdout went away (output_format jsonl).\n";

static void print_pos(const struct watermark_pos *p, char *out, size_t cap)
{
    if (p->kind == WM_POS_CT)
        snprintf(out, cap, "%" PRId64, p->version);
    else
        watermark_pos_format(p, out, cap);
}

static void print_summary(FILE *f, const struct engine_result *r, size_t n, int64_t ms)
{
    size_t ok = 0, failed = 0, skipped = 0;
    int64_t rows = 0;

    fprintf(f, "%-36s %-7s %-11s %9s %9s %9s %9s %5s  %s\n", "table", "status", "plan", "rows",
           "inserts", "updates", "deletes", "files", "versions");
    for (size_t i = 0; i < n; i++) {
        char name[800], from[64], to[64], vers[140];
        snprintf(name, sizeof(name), "%s.%s.%s", r[i].db, r[i].schema, r[i].table);
        print_pos(&r[i].from, from, sizeof(from));
        print_pos(&r[i].to, to, sizeof(to));
        if (r[i].status == ENGINE_OK)
            snprintf(vers, sizeof(vers), "%s -> %s", from, to);
        else
            snprintf(vers, sizeof(vers), "-");
        fprintf(f, "%-36s %-7s %-11s %9" PRId64 " %9" PRId64 " %9" PRId64 " %9" PRId64 " %5zu  %s\n",
               name, engine_status_name(r[i].status),
               r[i].status == ENGINE_OK ? plan_kind_name(r[i].plan) : "-", r[i].rows,
               r[i].inserts, r[i].updates, r[i].deletes, r[i].nfiles, vers);
        ok += r[i].status == ENGINE_OK;
        failed += r[i].status == ENGINE_FAILED;
        skipped += r[i].status == ENGINE_SKIPPED;
        rows += r[i].rows;
    }
    fprintf(f, "%zu table(s): %zu ok, %zu failed, %zu skipped; %" PRId64 " rows in %.1f s\n", n, ok,
           failed, skipped, rows, (double)ms / 1000.0);
}

/* Failures and skips again at the end, with their hints, on stderr. */
static void print_problems(const struct engine_result *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char name[800];
        if (r[i].status == ENGINE_OK)
            continue;
        snprintf(name, sizeof(name), "%s.%s.%s", r[i].db, r[i].schema, r[i].table);
        if (r[i].status == ENGINE_SKIPPED)
            fprintf(stderr, "[%s] skipped: %s\n", name, r[i].err.msg);
        else
            app_print_err(name, &r[i].err);
    }
}

static bool stream_on_stdout(const struct config *cfg)
{
    return cfg->storage.output_format == CONFIG_OUTPUT_JSONL &&
           strcmp(cfg->storage.jsonl_path, "-") == 0;
}

/* 1 for any failure but a broken jsonl pipe; 3 when the pipe broke (and nothing else failed). */
static int exit_code(const struct engine_result *res, size_t n)
{
    int ret = APP_EXIT_OK;
    for (size_t i = 0; i < n; i++) {
        if (res[i].status != ENGINE_FAILED)
            continue;
        if (res[i].err.code == SL_ECANCELLED && res[i].err.source_code == EPIPE) {
            if (ret == APP_EXIT_OK)
                ret = APP_EXIT_STREAM_CLOSED;
        } else {
            ret = APP_EXIT_FAILED;
        }
    }
    return ret;
}

int cmd_sync(int argc, char **argv)
{
    struct app_run_args a;
    struct config *cfg = NULL, *all = NULL;
    struct engine_options opt;
    struct engine_progress pg;
    struct engine_result *res = NULL;
    struct progress_display *disp = NULL;
    struct sl_err err;
    size_t n = 0;
    int64_t t0 = clock_now_ms();
    int ret = app_parse_run_args("sync", sync_usage, argc, argv, &a);

    if (ret)
        return ret < 0 ? APP_EXIT_OK : ret;
    app_log_setup(a.verbose, a.quiet);
    ret = app_load_config(a.config, a.tables, &cfg);
    if (!ret && a.tables)
        ret = app_load_config(a.config, NULL, &all);
    if (ret)
        goto out;
    memset(&opt, 0, sizeof(opt));
    opt.cfg = cfg;
    opt.manifest_cfg = all ? all : cfg;
    opt.workers = a.workers;
    retry_policy_default(&opt.retry);
    ret = app_test_hooks(&opt);
    if (ret)
        goto out;
    memset(&pg, 0, sizeof(pg));
    if (!a.quiet)
        disp = progress_start(&pg);
    sl_err_clear(&err);
    if (engine_sync(&opt, &pg, &res, &n, &err) != 0) {
        progress_stop(disp);
        app_print_err(NULL, &err);
        ret = APP_EXIT_FAILED;
        goto out;
    }
    progress_stop(disp);
    /* The jsonl stream owns stdout; the summary goes to stderr then. */
    print_summary(stream_on_stdout(cfg) ? stderr : stdout, res, n, clock_now_ms() - t0);
    fflush(stdout);
    print_problems(res, n);
    ret = exit_code(res, n);
out:
    sl_free(res);
    config_free(all);
    config_free(cfg);
    return ret;
}
