/*
 * app: the `sluice` command line. main.c dispatches to one function per
 * command; each parses its own options, loads the config, runs and
 * returns the process exit code:
 *
 *   APP_EXIT_OK      0  everything asked for succeeded
 *   APP_EXIT_FAILED  1  some table (or the export, or a check) failed
 *   APP_EXIT_USAGE   2  bad arguments or a bad configuration file
 *   APP_EXIT_STREAM_CLOSED 3  the reader of the jsonl stream on stdout went away
 *                          (the watermarks cover what was written in full)
 *
 * The process-wide settings (log level, the test hooks read from the
 * environment) live here, in app/, the one place allowed mutable globals.
 */
#ifndef SL_APP_H
#define SL_APP_H

#include <stdbool.h>
#include <stdio.h>

#include "config/config.h"
#include "core/err.h"

struct engine_options;

enum { APP_EXIT_OK = 0, APP_EXIT_FAILED = 1, APP_EXIT_USAGE = 2, APP_EXIT_STREAM_CLOSED = 3 };

int cmd_sync(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_watch(int argc, char **argv);

/* Print err as "error: ...\ndetail: ...\nhint: ..." on stderr, prefixed by ctx when not NULL. */
void app_print_err(const char *ctx, const struct sl_err *err);

/* Usage error: print "sluice CMD: msg" and "try 'sluice CMD --help'"; returns APP_EXIT_USAGE. */
int app_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The options of the commands that run tables (sync, watch). */
struct app_run_args {
    const char *config, *tables;
    int workers, verbose;
    bool quiet;
};

/*
 * Parse --config, --tables, --workers, -v, -q and --help for cmd. Returns 0,
 * -1 after printing usage for --help, or APP_EXIT_USAGE after a usage error.
 */
int app_parse_run_args(const char *cmd, const char *help, int argc, char **argv,
                       struct app_run_args *a);

/*
 * Load the config at path and apply --tables (NULL = all). On failure
 * prints the error and returns APP_EXIT_USAGE (bad file or filter) or
 * APP_EXIT_FAILED; *out is NULL then. Caller owns *out (config_free).
 */
int app_load_config(const char *path, const char *tables, struct config **out);

/* Set up logging for -v (verbose > 0) / -q (quiet). */
void app_log_setup(int verbose, bool quiet);

/*
 * Test hooks from the environment, for the fault-injection tests only
 * (docs/cli.md "Test hooks"): SLUICE_TEST_CRASH_AT, SLUICE_TEST_MAX_FILE_ROWS,
 * SLUICE_TEST_BATCH_ROWS, SLUICE_TEST_RETRY_MS. Fills the matching fields
 * of opt. Returns APP_EXIT_USAGE (message printed) for a malformed value.
 */
int app_test_hooks(struct engine_options *opt);

/* The progress line on a TTY: start before engine_sync, stop after. */
struct engine_progress;
struct progress_display;
struct progress_display *progress_start(struct engine_progress *pg);
void progress_stop(struct progress_display *d);

#endif
