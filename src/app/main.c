/*
 * main: `sluice COMMAND [options]`. Dispatches to the commands of app.h
 * and holds the helpers they share: config loading with exit code 2 for a
 * bad file, error printing, usage errors, log setup.
 */
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "core/log.h"

#ifndef SL_VERSION
#define SL_VERSION "0.0.0"
#endif
#ifndef SL_BUILD
#define SL_BUILD "unknown"
#endif

static const char usage[] =
    "usage: sluice COMMAND [options]\n"
    "\n"
    "Land SQL Server tables in a lakehouse as Parquet, incrementally (Change Tracking).\n"
    "\n"
    "commands:\n"
    "  sync    sync the configured tables: full loads, then changes only\n"
    "  check   validate the config, connect, check every table and print the plan\n"
    "  status  per table: watermark, last run, rows, lag in versions\n"
    "  export  run one query and write its result to a Parquet file\n"
    "  watch   poll every table (CT and CDC) and sync changes as they come, until a signal\n"
    "\n"
    "options:\n"
    "  -h, --help     this help (also: sluice COMMAND --help)\n"
    "  -V, --version  print the version\n"
    "\n"
    "exit codes: 0 ok, 1 some table failed, 2 usage or configuration error,\n"
    "            3 the reader of the jsonl stream on stdout went away.\n"
    "docs: docs/cli.md, docs/config.md, docs/state.md\n";

void app_print_err(const char *ctx, const struct sl_err *err)
{
    char text[SL_ERR_MSG_MAX * 3 + 64];
    sl_err_format(err, text, sizeof(text));
    if (ctx)
        fprintf(stderr, "[%s] %s\n", ctx, text);
    else
        fprintf(stderr, "%s\n", text);
}

int app_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "sluice%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\ntry 'sluice %s%s--help'\n", cmd ? cmd : "", cmd ? " " : "");
    return APP_EXIT_USAGE;
}

int app_load_config(const char *path, const char *tables, struct config **out)
{
    struct sl_err err;
    int ret;

    *out = NULL;
    sl_err_clear(&err);
    ret = config_load(path, out, &err);
    if (!ret && tables)
        ret = config_filter_tables(*out, tables, &err);
    if (ret) {
        app_print_err(NULL, &err);
        config_free(*out);
        *out = NULL;
        return ret == SL_ENOMEM ? APP_EXIT_FAILED : APP_EXIT_USAGE;
    }
    return APP_EXIT_OK;
}

void app_log_setup(int verbose, bool quiet)
{
    enum sl_log_level level = SL_LOG_INFO;
    if (quiet)
        level = SL_LOG_ERROR;
    else if (verbose > 0)
        level = SL_LOG_DEBUG;
    sl_log_setup(level, NULL);
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;

    /* A dropped server socket must be an error return, not a signal. */
    signal(SIGPIPE, SIG_IGN);
    if (!cmd) {
        fputs(usage, stderr);
        return APP_EXIT_USAGE;
    }
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return APP_EXIT_OK;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("sluice %s (build %s)\n", SL_VERSION, SL_BUILD);
        return APP_EXIT_OK;
    }
    if (strcmp(cmd, "sync") == 0)
        return cmd_sync(argc - 1, argv + 1);
    if (strcmp(cmd, "check") == 0)
        return cmd_check(argc - 1, argv + 1);
    if (strcmp(cmd, "status") == 0)
        return cmd_status(argc - 1, argv + 1);
    if (strcmp(cmd, "export") == 0)
        return cmd_export(argc - 1, argv + 1);
    if (strcmp(cmd, "watch") == 0)
        return cmd_watch(argc - 1, argv + 1);
    fprintf(stderr, "sluice: unknown command \"%s\"\n\n%s", cmd, usage);
    return APP_EXIT_USAGE;
}

int app_parse_run_args(const char *cmd, const char *help, int argc, char **argv,
                       struct app_run_args *a)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"tables", required_argument, NULL, 't'},
        {"workers", required_argument, NULL, 'w'}, {"verbose", no_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;

    memset(a, 0, sizeof(*a));
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":c:t:w:vqh", opts, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'c': a->config = optarg; break;
        case 't': a->tables = optarg; break;
        case 'w':
            a->workers = (int)strtol(optarg, &end, 10);
            if (*end || a->workers < 1 || a->workers > 64)
                return app_usage_error(cmd, "--workers must be a number from 1 to 64, not \"%s\"",
                                       optarg);
            break;
        case 'v': a->verbose++; break;
        case 'q': a->quiet = true; break;
        case 'h': fputs(help, stdout); return -1;
        case ':': return app_usage_error(cmd, "option %s needs a value", argv[optind - 1]);
        default: return app_usage_error(cmd, "unknown option %s", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return app_usage_error(cmd, "unexpected argument \"%s\"", argv[optind]);
    if (!a->config)
        return app_usage_error(cmd, "--config FILE is required");
    if (a->quiet && a->verbose)
        return app_usage_error(cmd, "-v and -q exclude each other");
    return 0;
}
