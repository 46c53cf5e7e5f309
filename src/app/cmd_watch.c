/*
 * cmd_watch: `sluice watch`, continuous polling of every configured table
 * (engine/watch.h) until SIGINT or SIGTERM. The signal handlers only set a
 * flag (STYLE 15); the engine finishes and commits the tables it started
 * and exits 0. Logs go to stderr; stdout carries the jsonl stream when
 * output_format is jsonl with jsonl_path "-", else nothing.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "core/log.h"
#include "engine/engine.h"
#include "engine/watch.h"

static const char watch_usage[] =
    "usage: sluice watch --config FILE [--tables db.schema.table,...] [--workers N] [-v|-q]\n"
    "\n"
    "Poll every configured table (Change Tracking and CDC) and sync the ones that changed,\n"
    "until SIGINT or SIGTERM: one cheap query per database per poll, every watch.poll_interval\n"
    "ms while changes come, backing off to watch.max_poll_interval ms while idle. On a signal\n"
    "the tables being synced finish and commit, then sluice exits 0.\n"
    "\n"
    "  -c, --config FILE    configuration file (YAML or JSON; docs/config.md)\n"
    "  -t, --tables LIST    only these tables, comma-separated db.schema.table\n"
    "  -w, --workers N      tables synced at the same time (default: parallelism, 4)\n"
    "  -v, --verbose        more log detail\n"
    "  -q, --quiet          errors only\n"
    "  -h, --help           this help\n"
    "\n"
    "exit codes: 0 stopped by a signal, 1 could not start, 2 usage or configuration error.\n";

/* Set by the signal handlers; app/ is the one place for mutable globals. */
static volatile sig_atomic_t watch_stop;

static void on_signal(int sig)
{
    (void)sig;
    watch_stop = 1;
}

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART; /* ODBC calls in flight carry on; the flag is read between them */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int cmd_watch(int argc, char **argv)
{
    struct app_run_args a;
    struct config *cfg = NULL;
    struct watch_options wo;
    struct sl_err err;
    int ret = app_parse_run_args("watch", watch_usage, argc, argv, &a);

    if (ret)
        return ret < 0 ? APP_EXIT_OK : ret;
    app_log_setup(a.verbose, a.quiet);
    ret = app_load_config(a.config, a.tables, &cfg);
    if (ret)
        return ret;
    memset(&wo, 0, sizeof(wo));
    wo.engine.cfg = cfg;
    wo.engine.manifest_cfg = cfg;
    wo.engine.workers = a.workers;
    retry_policy_default(&wo.engine.retry);
    wo.stop = &watch_stop;
    ret = app_test_hooks(&wo.engine);
    if (!ret) {
        const char *polls = getenv("SLUICE_TEST_WATCH_POLLS");
        if (polls)
            wo.max_polls = strtoll(polls, NULL, 10);
        catch_signals();
        sl_err_clear(&err);
        if (engine_watch(&wo, &err) != 0) {
            app_print_err(NULL, &err);
            ret = APP_EXIT_FAILED;
        }
    }
    config_free(cfg);
    return ret;
}
