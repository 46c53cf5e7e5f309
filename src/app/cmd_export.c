/*
 * export: `sluice export --config FILE --query SQL|--query-file F
 * --output FILE.parquet [--database DB]`. One ad-hoc query into one
 * Parquet file, written atomically (sink/export.h), with the storage
 * options of the config (codec, level, row group size). No state is kept.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "core/buf.h"
#include "core/log.h"
#include "engine/conn.h"
#include "engine/engine.h"
#include "engine/retry.h"
#include "sink/export.h"
#include "source/odbc.h"
#include "state/fsio.h"

#define QUERY_FILE_LIMIT (16u << 20)

static const char export_usage[] =
    "usage: sluice export --config FILE (--query SQL | --query-file F) --output FILE.parquet\n"
    "                     [--database DB] [-v|-q]\n"
    "\n"
    "Run one query and write its whole result to one Parquet file (replaced atomically if it\n"
    "exists). The connection and the Parquet settings (parquet_compression, level,\n"
    "row_group_size) come from the config; the database is --database, else\n"
    "connection.database. Column types map as in docs/type-mapping.md.\n"
    "\n"
    "  -c, --config FILE      configuration file\n"
    "  -e, --query SQL        the query\n"
    "  -f, --query-file F     read the query from F\n"
    "  -o, --output FILE      the Parquet file to write\n"
    "  -d, --database DB      database to run the query in\n"
    "  -v, --verbose          more log detail\n"
    "  -q, --quiet            errors only\n"
    "  -h, --help             this help\n"
    "\n"
    "exit codes: 0 written, 1 the query or the write failed, 2 usage or configuration error.\n";

struct export_args {
    const char *config, *query, *query_file, *output, *database;
    int verbose;
    bool quiet;
};

static int parse(int argc, char **argv, struct export_args *a)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},   {"query", required_argument, NULL, 'e'},
        {"query-file", required_argument, NULL, 'f'}, {"output", required_argument, NULL, 'o'},
        {"database", required_argument, NULL, 'd'}, {"verbose", no_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},          {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;

    memset(a, 0, sizeof(*a));
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":c:e:f:o:d:vqh", opts, NULL)) != -1) {
        switch (c) {
        case 'c': a->config = optarg; break;
        case 'e': a->query = optarg; break;
        case 'f': a->query_file = optarg; break;
        case 'o': a->output = optarg; break;
        case 'd': a->database = optarg; break;
        case 'v': a->verbose++; break;
        case 'q': a->quiet = true; break;
        case 'h': fputs(export_usage, stdout); return -1;
        case ':': return app_usage_error("export", "option %s needs a value", argv[optind - 1]);
        default: return app_usage_error("export", "unknown option %s", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return app_usage_error("export", "unexpected argument \"%s\"", argv[optind]);
    if (!a->config)
        return app_usage_error("export", "--config FILE is required");
    if (!a->query == !a->query_file)
        return app_usage_error("export", "give exactly one of --query SQL and --query-file F");
    if (!a->output)
        return app_usage_error("export", "--output FILE.parquet is required");
    return 0;
}

static void sink_opts(const struct config *cfg, struct sink_options *so)
{
    memset(so, 0, sizeof(*so));
    so->root = cfg->storage.root;
    so->format = SINK_PER_TABLE;
    so->codec = engine_codec(cfg->storage.compression);
    so->codec_level = cfg->storage.compression_level;
    so->row_group_rows = (size_t)cfg->storage.row_group_size;
}

static int run_export(const struct config *cfg, const struct export_args *a, const char *sql,
                      uint64_t *rows, struct sl_err *err)
{
    struct odbc_conn *conn = NULL;
    struct retry_policy pol;
    struct sink_options so;
    int ret;

    retry_policy_default(&pol);
    sink_opts(cfg, &so);
    ret = conn_open(cfg, a->database, &pol, &conn, err);
    if (!ret)
        ret = sink_export(conn, sql, a->output, &so, rows, err);
    odbc_close(conn);
    return ret;
}

int cmd_export(int argc, char **argv)
{
    struct export_args a;
    struct config *cfg = NULL;
    struct buf q;
    struct sl_err err;
    uint64_t rows = 0;
    int ret = parse(argc, argv, &a);

    if (ret)
        return ret < 0 ? APP_EXIT_OK : ret;
    app_log_setup(a.verbose, a.quiet);
    buf_init(&q, QUERY_FILE_LIMIT);
    sl_err_clear(&err);
    ret = app_load_config(a.config, NULL, &cfg);
    if (ret)
        goto out;
    if (a.query_file) {
        int rc = fsio_read_file(a.query_file, &q, &err);
        if (rc == SL_ENOTFOUND)
            sl_err_set(&err, rc, "query file \"%s\" does not exist", a.query_file);
        if (rc) {
            app_print_err(NULL, &err);
            ret = APP_EXIT_USAGE;
            goto out;
        }
    } else if (buf_append_str(&q, a.query) != 0) {
        ret = APP_EXIT_FAILED;
        goto out;
    }
    if (run_export(cfg, &a, (const char *)q.data, &rows, &err) != 0) {
        app_print_err(NULL, &err);
        ret = APP_EXIT_FAILED;
        goto out;
    }
    printf("exported %" PRIu64 " rows to %s\n", rows, a.output);
    ret = APP_EXIT_OK;
out:
    buf_free(&q);
    config_free(cfg);
    return ret;
}
