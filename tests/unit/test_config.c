/*
 * Unit tests for src/config: the issue's example as YAML and JSON, every
 * error message (text, line and hint), ${VAR} and .env precedence,
 * credential resolution, ODBC strings, --tables, the redacted dump, and an
 * allocation-failure sweep over config_load.
 *
 * Error cases write config.yaml into a private temporary directory (the
 * process works inside it) so that messages read exactly as a user sees
 * them: "... (config.yaml line 12)". Fixture files live in
 * tests/data/config (SL_CONFIG_DATA_DIR).
 */
/* cmocka.h needs these four first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/mem.h"

#define SECRET "hunter2secret"

static char tmpdir[] = "/tmp/sl_test_config_XXXXXX";

static const char *const env_names[] = {
    "MSSQL_SERVER",     "MSSQL_PORT",       "MSSQL_USER",           "MSSQL_PASSWORD",
    "MSSQL_DRIVER",     "MSSQL_DATABASE",   "SLUICE_TEST_X",        "SLUICE_TEST_WINS",
    "SLUICE_TEST_HOST", "SLUICE_TEST_USER", "SLUICE_TEST_PASSWORD", NULL};

static void clear_env(void)
{
    size_t i;
    for (i = 0; env_names[i]; i++)
        unsetenv(env_names[i]);
}

static int group_setup(void **state)
{
    (void)state;
    if (!mkdtemp(tmpdir) || chdir(tmpdir) != 0)
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    unlink("config.yaml");
    unlink("config.json");
    unlink("big.yaml");
    unlink(".env");
    if (chdir("/") != 0)
        return -1;
    rmdir(tmpdir);
    return 0;
}

/* Every test starts with a clean environment and no .env in the work dir. */
static int test_setup(void **state)
{
    (void)state;
    clear_env();
    unlink(".env");
    return 0;
}

static void write_file(const char *name, const char *text)
{
    FILE *f = fopen(name, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* Write text to config.yaml and load it. */
static int load_text(const char *text, struct config **cfg, struct sl_err *err)
{
    write_file("config.yaml", text);
    sl_err_clear(err);
    return config_load("config.yaml", cfg, err);
}

static const char *fixture(const char *name)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", SL_CONFIG_DATA_DIR, name);
    return path;
}

static void assert_no_secret(const struct sl_err *err)
{
    assert_null(strstr(err->msg, SECRET));
    assert_null(strstr(err->detail, SECRET));
    assert_null(strstr(err->hint, SECRET));
}

/* ---- the issue's example ----------------------------------------------------- */

static void assert_example_model(const struct config *cfg)
{
    const struct config_connection *c = &cfg->connection;
    const struct config_schema *s;
    const struct config_table *t;

    assert_string_equal(c->server, "127.0.0.1");
    assert_int_equal(c->port, 1433);
    assert_string_equal(c->user, "sluice");
    assert_string_equal(c->password, "s3cr3t");
    assert_string_equal(c->driver, "FreeTDS");
    assert_null(c->database);
    assert_false(c->encrypt);
    assert_true(c->trust_server_certificate);
    assert_int_equal(c->server_src, CONFIG_SRC_FILE);
    assert_int_equal(c->password_src, CONFIG_SRC_FILE);
    assert_int_equal(c->database_src, CONFIG_SRC_DEFAULT);

    assert_string_equal(cfg->storage.root, "./lake");
    assert_int_equal(cfg->storage.output_format, CONFIG_OUTPUT_PER_TABLE);
    assert_int_equal(cfg->storage.compression, CONFIG_COMPRESSION_ZSTD);
    assert_int_equal(cfg->storage.compression_level, 3);
    assert_int_equal(cfg->storage.row_group_size, 500000);
    assert_int_equal(cfg->parallelism, 4);

    assert_int_equal(cfg->ndatabases, 1);
    assert_string_equal(cfg->databases[0].name, "shop");
    assert_string_equal(cfg->databases[0].uc_catalog, "main");
    assert_int_equal(cfg->databases[0].nschemas, 1);
    s = &cfg->databases[0].schemas[0];
    assert_string_equal(s->name, "dbo");
    assert_string_equal(s->uc_schema, "bronze");
    assert_int_equal(s->ntables, 3);

    t = &s->tables[0];
    assert_string_equal(t->name, "orders");
    assert_int_equal(t->mode, CONFIG_MODE_FULL_INCREMENTAL);
    assert_int_equal(t->scd_type, 1);
    assert_true(t->soft_delete);
    assert_int_equal(t->capture, CONFIG_CAPTURE_AUTO);
    assert_int_equal(t->cdc_mode, CONFIG_CDC_ALL);
    assert_false(t->cdc_update_before);

    t = &s->tables[1];
    assert_string_equal(t->name, "customers");
    assert_int_equal(t->mode, CONFIG_MODE_INCREMENTAL);
    assert_int_equal(t->scd_type, 1);
    assert_false(t->soft_delete);

    t = &s->tables[2];
    assert_string_equal(t->name, "products");
    assert_int_equal(t->mode, CONFIG_MODE_FULL);
}

static void test_example_yaml(void **state)
{
    struct config *cfg = NULL;
    struct sl_err err;
    (void)state;
    setenv("MSSQL_PASSWORD", "s3cr3t", 1);
    sl_err_clear(&err);
    assert_int_equal(config_load(fixture("example.yaml"), &cfg, &err), 0);
    assert_example_model(cfg);
    assert_int_equal(cfg->databases[0].line, 17);
    assert_int_equal(cfg->databases[0].schemas[0].tables[0].line, 23);
    assert_int_equal(cfg->databases[0].schemas[0].tables[2].line, 25);
    config_free(cfg);
}

/* The dump without its first line (which names the file). */
static char *dump_body(const struct config *cfg)
{
    struct buf b;
    char *text, *nl, *body;
    buf_init(&b, 0);
    assert_int_equal(config_redacted_dump(cfg, &b), 0);
    text = (char *)buf_take(&b, NULL);
    nl = strchr(text, '\n');
    assert_non_null(nl);
    body = strdup(nl + 1);
    sl_free(text);
    return body;
}

static void test_example_json_identical(void **state)
{
    struct config *y = NULL, *j = NULL;
    struct sl_err err;
    char *dy, *dj;
    (void)state;
    setenv("MSSQL_PASSWORD", "s3cr3t", 1);
    sl_err_clear(&err);
    assert_int_equal(config_load(fixture("example.yaml"), &y, &err), 0);
    assert_int_equal(config_load(fixture("example.json"), &j, &err), 0);
    assert_example_model(j);
    dy = dump_body(y);
    dj = dump_body(j);
    assert_string_equal(dy, dj); /* every effective field, in order */
    /* The JSON adapter knows lines too. */
    assert_int_equal(j->databases[0].line, 20);
    assert_int_equal(j->databases[0].schemas[0].tables[1].line, 27);
    free(dy);
    free(dj);
    config_free(y);
    config_free(j);
}

static void test_format_by_content(void **state)
{
    struct config *cfg = NULL;
    struct sl_err err;
    (void)state;
    /* No known extension: a leading '{' means JSON. */
    write_file("sluice.conf", "{\"databases\": {\"shop\": {\"schemas\": {\"dbo\": {\"tables\":"
                              " {\"orders\": \"full\"}}}}}}");
    sl_err_clear(&err);
    assert_int_equal(config_load("sluice.conf", &cfg, &err), 0);
    assert_int_equal(cfg->databases[0].schemas[0].tables[0].mode, CONFIG_MODE_FULL);
    config_free(cfg);
    write_file("sluice.conf", "databases: {shop: {schemas: {dbo: {tables: {orders: full}}}}}\n");
    assert_int_equal(config_load("sluice.conf", &cfg, &err), 0);
    config_free(cfg);
    unlink("sluice.conf");
}

static void test_defaults(void **state)
{
    struct config *cfg = NULL;
    struct sl_err err;
    const struct config_table *t;
    (void)state;
    assert_int_equal(load_text("databases:\n  shop:\n    schemas:\n      dbo:\n        tables:\n"
                               "          orders:\n",
                               &cfg, &err),
                     0);
    assert_string_equal(cfg->connection.server, "127.0.0.1");
    assert_int_equal(cfg->connection.port, 1433);
    assert_string_equal(cfg->connection.driver, "FreeTDS");
    assert_null(cfg->connection.user);
    assert_null(cfg->connection.password);
    assert_false(cfg->connection.encrypt);
    assert_false(cfg->connection.trust_server_certificate);
    assert_int_equal(cfg->connection.server_src, CONFIG_SRC_DEFAULT);
    assert_int_equal(cfg->connection.port_src, CONFIG_SRC_DEFAULT);
    assert_string_equal(cfg->storage.root, "./lake");
    assert_int_equal(cfg->storage.compression, CONFIG_COMPRESSION_ZSTD);
    assert_int_equal(cfg->storage.compression_level, 3);
    assert_int_equal(cfg->storage.row_group_size, 500000);
    assert_int_equal(cfg->parallelism, 4);
    assert_null(cfg->databases[0].uc_catalog);
    assert_null(cfg->databases[0].schemas[0].uc_schema);
    t = &cfg->databases[0].schemas[0].tables[0];
    assert_int_equal(t->mode, CONFIG_MODE_FULL_INCREMENTAL);
    assert_int_equal(t->scd_type, 1);
    assert_false(t->soft_delete);
    assert_int_equal(t->capture, CONFIG_CAPTURE_AUTO);
    config_free(cfg);
}

static void test_table_options(void **state)
{
    struct config *cfg = NULL;
    struct sl_err err;
    const struct config_table *t;
    (void)state;
    assert_int_equal(
        load_text("storage:\n  parquet_compression: GZIP\n  output_format: unified\n"
                  "databases:\n  shop:\n    schemas:\n      dbo:\n        tables:\n"
                  "          a: {mode: incremental, scd_type: 2, capture: cdc, cdc_mode: all,"
                  " cdc_update_before: yes}\n"
                  "          b: {capture: ct, soft_delete: off}\n"
                  "          c: {capture: cdc, cdc_mode: net}\n",
                  &cfg, &err),
        0);
    assert_int_equal(cfg->storage.compression, CONFIG_COMPRESSION_GZIP);
    assert_int_equal(cfg->storage.compression_level, 6);
    assert_int_equal(cfg->storage.output_format, CONFIG_OUTPUT_UNIFIED);
    t = cfg->databases[0].schemas[0].tables;
    assert_int_equal(t[0].mode, CONFIG_MODE_INCREMENTAL);
    assert_int_equal(t[0].scd_type, 2);
    assert_int_equal(t[0].capture, CONFIG_CAPTURE_CDC);
    assert_true(t[0].cdc_update_before);
    assert_int_equal(t[1].capture, CONFIG_CAPTURE_CT);
    assert_false(t[1].soft_delete);
    assert_int_equal(t[2].cdc_mode, CONFIG_CDC_NET);
    config_free(cfg);
}

static void test_jsonl_and_watch(void **state)
{
    struct config *cfg = NULL;
    struct sl_err err;
    (void)state;
    assert_int_equal(load_text("storage:\n  output_format: jsonl\n  jsonl_path: /tmp/stream\n"
                               "  jsonl_max_file_bytes: 1048576\n  jsonl_max_file_rows: 1000\n"
                               "watch: {poll_interval: 250, max_poll_interval: 4000}\n"
                               "databases: {shop: {schemas: {dbo: {tables: {a: full}}}}}\n",
                               &cfg, &err),
                     0);
    assert_int_equal(cfg->storage.output_format, CONFIG_OUTPUT_JSONL);
    assert_string_equal(config_output_format_name(cfg->storage.output_format), "jsonl");
    assert_string_equal(cfg->storage.jsonl_path, "/tmp/stream");
    assert_int_equal(cfg->storage.jsonl_max_file_bytes, 1048576);
    assert_int_equal(cfg->storage.jsonl_max_file_rows, 1000);
    assert_int_equal(cfg->watch.poll_interval_ms, 250);
    assert_int_equal(cfg->watch.max_poll_interval_ms, 4000);
    config_free(cfg);
}

static void test_yaml_anchors_and_merge(void **state)
{
    struct config *cfg = NULL;
    struct sl_err err;
    const struct config_table *t;
    (void)state;
    assert_int_equal(load_text("databases:\n  shop:\n    schemas:\n      dbo:\n        tables:\n"
                               "          a: &cdc {capture: cdc, mode: incremental}\n"
                               "          b: *cdc\n"
                               "          c: {<<: *cdc, mode: full}\n",
                               &cfg, &err),
                     0);
    t = cfg->databases[0].schemas[0].tables;
    assert_int_equal(t[1].capture, CONFIG_CAPTURE_CDC);
    assert_int_equal(t[1].mode, CONFIG_MODE_INCREMENTAL);
    assert_int_equal(t[2].capture, CONFIG_CAPTURE_CDC);
    assert_int_equal(t[2].mode, CONFIG_MODE_FULL);
    config_free(cfg);
}

/* ---- error messages --------------------------------------------------------------- */

static void test_unknown_key_issue_example(void **state)
{
    struct config *cfg = (struct config *)1;
    struct sl_err err;
    char out[1024];
    (void)state;
    setenv("MSSQL_PASSWORD", "s3cr3t", 1);
    assert_int_equal(chdir(SL_CONFIG_DATA_DIR "/unknown_key"), 0);
    sl_err_clear(&err);
    assert_int_equal(config_load("config.yaml", &cfg, &err), SL_ECONFIG);
    assert_int_equal(chdir(tmpdir), 0);
    assert_null(cfg);
    sl_err_format(&err, out, sizeof out);
    assert_string_equal(out, "error: unknown key \"compresion\" in storage (config.yaml line 12)\n"
                             "hint: did you mean \"parquet_compression\"?");
}

#define DB_TAIL                                                                                    \
    "databases:\n  shop:\n    schemas:\n      dbo:\n        tables:\n          orders: full\n"
#define TABLE(x)                                                                                   \
    "databases:\n  shop:\n    schemas:\n      dbo:\n        tables:\n          orders: " x "\n"

struct error_case {
    const char *text;
    const char *msg;
    const char *hint;
};

static const struct error_case error_cases[] = {
    {"paralelism: 4\n" DB_TAIL, "unknown key \"paralelism\" at the top level (config.yaml line 1)",
     "did you mean \"parallelism\"?"},
    {"storage:\n  colour: red\n" DB_TAIL, "unknown key \"colour\" in storage (config.yaml line 2)",
     "allowed keys: root, output_format, parquet_compression, parquet_compression_level, "
     "row_group_size, jsonl_path, jsonl_max_file_bytes, jsonl_max_file_rows"},
    {"watch:\n  poll_intervall: 5\n" DB_TAIL,
     "unknown key \"poll_intervall\" in watch (config.yaml line 2)",
     "did you mean \"poll_interval\"?"},
    {"watch:\n  poll_interval: 500\n  max_poll_interval: 100\n" DB_TAIL,
     "watch.max_poll_interval (100) is below watch.poll_interval (500) (config.yaml line 3)",
     "the idle backoff grows from poll_interval up to max_poll_interval; make it at least 500"},
    {"watch:\n  poll_interval: 5\n" DB_TAIL,
     "invalid value \"5\" for watch.poll_interval (config.yaml line 2)",
     "expected an integer from 10 to 86400000"},
    {"watch: 5\n" DB_TAIL, "expected a mapping for watch, got a value (config.yaml line 1)", ""},
    {"storage:\n  jsonl_path: ''\n" DB_TAIL, "storage.jsonl_path is empty (config.yaml line 2)",
     "write - for standard output or a directory for rotating files"},
    {"storage:\n  jsonl_max_file_bytes: 100\n" DB_TAIL,
     "invalid value \"100\" for storage.jsonl_max_file_bytes (config.yaml line 2)",
     "expected an integer greater than 4095"},
    {"storage:\n  level: 3\n" DB_TAIL, "unknown key \"level\" in storage (config.yaml line 2)",
     "did you mean \"parquet_compression_level\"?"},
    {"connection:\n  sever: x\n" DB_TAIL,
     "unknown key \"sever\" in connection (config.yaml line 2)", "did you mean \"server\"?"},
    {TABLE("{ mode: full, soft_delet: true }"),
     "unknown key \"soft_delet\" in databases.shop.schemas.dbo.tables.orders (config.yaml line 6)",
     "did you mean \"soft_delete\"?"},
    {"databases:\n  shop:\n    catalog: x\n    schemas: {dbo: {tables: {a: full}}}\n",
     "unknown key \"catalog\" in databases.shop (config.yaml line 3)",
     "did you mean \"uc_catalog\"?"},
    {TABLE("{ mode: fast }"),
     "invalid value \"fast\" for databases.shop.schemas.dbo.tables.orders.mode (config.yaml line "
     "6)",
     "allowed values: full | incremental | full_incremental"},
    {TABLE("incremntal"),
     "invalid value \"incremntal\" for databases.shop.schemas.dbo.tables.orders (config.yaml "
     "line 6)",
     "allowed values: full | incremental | full_incremental"},
    {TABLE("[full]"),
     "expected a mode or a mapping for databases.shop.schemas.dbo.tables.orders, got a list "
     "(config.yaml line 6)",
     "allowed values: full | incremental | full_incremental"},
    {TABLE("{ scd_type: 3 }"),
     "invalid value \"3\" for databases.shop.schemas.dbo.tables.orders.scd_type (config.yaml "
     "line 6)",
     "allowed values: 1 | 2"},
    {TABLE("{ soft_delete: maybe }"),
     "invalid value \"maybe\" for databases.shop.schemas.dbo.tables.orders.soft_delete "
     "(config.yaml line 6)",
     "expected true or false"},
    {TABLE("{ capture: ctt }"),
     "invalid value \"ctt\" for databases.shop.schemas.dbo.tables.orders.capture (config.yaml "
     "line 6)",
     "allowed values: ct | cdc | auto"},
    {TABLE("{ cdc_mode: delta }"),
     "invalid value \"delta\" for databases.shop.schemas.dbo.tables.orders.cdc_mode (config.yaml "
     "line 6)",
     "allowed values: all | net"},
    {TABLE("{ cdc_update_before: 2 }"),
     "invalid value \"2\" for databases.shop.schemas.dbo.tables.orders.cdc_update_before "
     "(config.yaml line 6)",
     "expected true or false"},
    {TABLE("{ capture: ct, cdc_mode: net }"),
     "databases.shop.schemas.dbo.tables.orders.cdc_mode needs capture: cdc or auto, not ct "
     "(config.yaml line 6)",
     "remove cdc_mode or set capture: cdc"},
    {TABLE("{ capture: cdc, cdc_mode: net, cdc_update_before: true }"),
     "databases.shop.schemas.dbo.tables.orders.cdc_update_before needs cdc_mode: all "
     "(config.yaml line 6)",
     "net changes carry no before-image of an update; use cdc_mode: all or drop "
     "cdc_update_before"},
    {"storage:\n  output_format: csv\n" DB_TAIL,
     "invalid value \"csv\" for storage.output_format (config.yaml line 2)",
     "allowed values: per_table | unified | jsonl"},
    {"storage:\n  parquet_compression: lzo\n" DB_TAIL,
     "invalid value \"lzo\" for storage.parquet_compression (config.yaml line 2)",
     "allowed values: none | snappy | gzip | zstd | lz4_raw | brotli"},
    {"storage:\n  parquet_compression: zstd\n  parquet_compression_level: 23\n" DB_TAIL,
     "invalid value \"23\" for storage.parquet_compression_level (config.yaml line 3)",
     "expected an integer from 1 to 22 for zstd"},
    {"storage:\n  parquet_compression_level: 0\n  parquet_compression: gzip\n" DB_TAIL,
     "invalid value \"0\" for storage.parquet_compression_level (config.yaml line 2)",
     "expected an integer from 1 to 9 for gzip"},
    {"storage:\n  parquet_compression: brotli\n  parquet_compression_level: 12\n" DB_TAIL,
     "invalid value \"12\" for storage.parquet_compression_level (config.yaml line 3)",
     "expected an integer from 0 to 11 for brotli"},
    {"storage:\n  parquet_compression: snappy\n  parquet_compression_level: 5\n" DB_TAIL,
     "storage.parquet_compression_level does not apply to snappy (config.yaml line 3)",
     "levels exist for zstd (1 to 22), gzip (1 to 9) and brotli (0 to 11); remove the level or "
     "change the codec"},
    {"storage:\n  row_group_size: 0\n" DB_TAIL,
     "invalid value \"0\" for storage.row_group_size (config.yaml line 2)",
     "expected an integer greater than 0"},
    {"storage:\n  row_group_size: 1e6\n" DB_TAIL,
     "invalid value \"1e6\" for storage.row_group_size (config.yaml line 2)",
     "expected an integer greater than 0"},
    {"storage:\n  root: {a: 1}\n" DB_TAIL,
     "expected a string for storage.root, got a mapping (config.yaml line 2)", ""},
    {"storage:\n  root: \"\"\n" DB_TAIL, "storage.root is empty (config.yaml line 2)",
     "write the directory that receives data and state, e.g. ./lake"},
    {"parallelism: 65\n" DB_TAIL, "invalid value \"65\" for parallelism (config.yaml line 1)",
     "expected an integer from 1 to 64"},
    {"parallelism: 0\n" DB_TAIL, "invalid value \"0\" for parallelism (config.yaml line 1)",
     "expected an integer from 1 to 64"},
    {"parallelism: four\n" DB_TAIL, "invalid value \"four\" for parallelism (config.yaml line 1)",
     "expected an integer from 1 to 64"},
    {"connection:\n  port: 70000\n" DB_TAIL,
     "invalid value \"70000\" for connection.port (config.yaml line 2)",
     "expected an integer from 1 to 65535"},
    {"connection:\n  encrypt: sure\n" DB_TAIL,
     "invalid value \"sure\" for connection.encrypt (config.yaml line 2)",
     "expected true or false"},
    {"connection:\n  server: db.example.com,1500\n  port: 1433\n" DB_TAIL,
     "connection.server names port 1500 but connection.port is 1433 (config.yaml line 2)",
     "give the port once, or make both agree"},
    {"connection:\n  server: db.example.com,15x\n" DB_TAIL,
     "invalid port \"15x\" in connection.server (config.yaml line 2)",
     "write host or host,port with a port from 1 to 65535"},
    {"connection:\n  server: ',1433'\n" DB_TAIL,
     "connection.server names no host (config.yaml line 2)",
     "write a host name or address, optionally followed by ,port"},
    {"storage:\n  - root\n" DB_TAIL,
     "expected a mapping for storage, got a list (config.yaml line 1)", ""},
    {"parallelism: 2\n", "config.yaml has no databases section",
     "list the tables to sync under databases: <db>: schemas: <schema>: tables:, see "
     "docs/config.md"},
    {"databases:\n  shop:\n", "database \"shop\" lists no schemas (config.yaml line 2)",
     "add schemas: with at least one entry, or remove this entry"},
    {"databases:\n  shop:\n    schemas:\n      dbo:\n        tables: {}\n",
     "schema \"shop.dbo\" lists no tables (config.yaml line 5)",
     "add tables: with at least one entry, or remove this entry"},
    {"", "config.yaml is empty", "see docs/config.md for an example configuration"},
    {"- a\n- b\n", "expected a mapping at the top level of config.yaml, got a list",
     "the file starts with keys such as connection:, storage: and databases:"},
    {"storage:\n  root: ${SLUICE_TEST_NOPE}/x\n" DB_TAIL,
     "undefined variable \"SLUICE_TEST_NOPE\" in storage.root (config.yaml line 2)",
     "set SLUICE_TEST_NOPE in the environment or in .env, or give a default: "
     "${SLUICE_TEST_NOPE:-value}"},
    {"storage:\n  root: ${SLUICE_TEST_X\n" DB_TAIL,
     "unterminated \"${\" in storage.root (config.yaml line 2)",
     "write ${NAME} or ${NAME:-default}; write $${ for a literal \"${\""},
    {"storage:\n  root: ${1X}\n" DB_TAIL,
     "invalid variable reference in storage.root (config.yaml line 2)",
     "write ${NAME} or ${NAME:-default}; names use letters, digits and _ and do not start with a "
     "digit"},
    {TABLE("${SLUICE_TEST_NOPE}"),
     "undefined variable \"SLUICE_TEST_NOPE\" in databases.shop.schemas.dbo.tables.orders "
     "(config.yaml line 6)",
     "set SLUICE_TEST_NOPE in the environment or in .env, or give a default: "
     "${SLUICE_TEST_NOPE:-value}"},
};

static void test_error_messages(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof error_cases / sizeof error_cases[0]; i++) {
        const struct error_case *c = &error_cases[i];
        struct config *cfg = (struct config *)1;
        struct sl_err err;
        int rc = load_text(c->text, &cfg, &err);
        if (rc != SL_ECONFIG || strcmp(err.msg, c->msg) != 0 || strcmp(err.hint, c->hint) != 0)
            print_error("case %zu:\n%s\n-> rc %d\n   msg  %s\n   hint %s\n", i, c->text, rc,
                        err.msg, err.hint);
        assert_int_equal(rc, SL_ECONFIG);
        assert_null(cfg);
        assert_string_equal(err.msg, c->msg);
        assert_string_equal(err.hint, c->hint);
    }
}

static void test_syntax_errors(void **state)
{
    struct config *cfg = NULL;
    struct sl_err err;
    (void)state;
    assert_int_equal(load_text("storage:\n  root: [a\n" DB_TAIL, &cfg, &err), SL_ECONFIG);
    assert_non_null(strstr(err.msg, "invalid YAML: "));
    assert_non_null(strstr(err.msg, "(config.yaml line "));

    write_file("config.json", "{\n  \"parallelism\": 4,\n  \"storage\": {\"root\": }\n}\n");
    sl_err_clear(&err);
    assert_int_equal(config_load("config.json", &cfg, &err), SL_ECONFIG);
    assert_non_null(strstr(err.msg, "invalid JSON: "));
    assert_non_null(strstr(err.msg, "(config.json line 3, column "));

    /* JSON errors carry lines from the scanner as well. */
    write_file("config.json", "{\n  \"parallelism\": 99,\n  \"databases\": {}\n}\n");
    sl_err_clear(&err);
    assert_int_equal(config_load("config.json", &cfg, &err), SL_ECONFIG);
    assert_string_equal(err.msg, "invalid value \"99\" for parallelism (config.json line 2)");

    write_file("config.json", "{\"parallelism\": 2,\n \"storage\": {\"compresion\": \"zstd\"}}");
    sl_err_clear(&err);
    assert_int_equal(config_load("config.json", &cfg, &err), SL_ECONFIG);
    assert_string_equal(err.msg, "unknown key \"compresion\" in storage (config.json line 2)");
    assert_string_equal(err.hint, "did you mean \"parquet_compression\"?");

    sl_err_clear(&err);
    assert_int_equal(config_load("missing.yaml", &cfg, &err), SL_ENOTFOUND);
    assert_string_equal(err.msg, "cannot open \"missing.yaml\"");
    assert_string_equal(err.hint, "pass the path of the configuration file, e.g. --config "
                                  "sluice.yaml");
}

/* ---- ${VAR} and .env ----------------------------------------------------------------- */

static void test_var_expansion(void **state)
{
    struct config *cfg = NULL;
    struct sl_err err;
    static const char text[] =
        "storage:\n  root: \"$${HOME}/a${SLUICE_TEST_X:-dflt}b$x\"\n"
        "databases:\n  ${SLUICE_TEST_X:-notexpanded}:\n    schemas: {dbo: {tables: {t: full}}}\n";
    (void)state;
    assert_int_equal(load_text(text, &cfg, &err), 0);
    assert_string_equal(cfg->storage.root, "${HOME}/adfltb$x");
    /* Keys are names, not values: never expanded. */
    assert_string_equal(cfg->databases[0].name, "${SLUICE_TEST_X:-notexpanded}");
    config_free(cfg);

    setenv("SLUICE_TEST_X", "", 1); /* ":-" also covers set-but-empty, as in sh */
    assert_int_equal(load_text(text, &cfg, &err), 0);
    assert_string_equal(cfg->storage.root, "${HOME}/adfltb$x");
    config_free(cfg);

    setenv("SLUICE_TEST_X", "v", 1);
    assert_int_equal(load_text(text, &cfg, &err), 0);
    assert_string_equal(cfg->storage.root, "${HOME}/avb$x");
    config_free(cfg);

    /* Numbers and modes come through ${VAR} too. */
    setenv("SLUICE_TEST_X", "8", 1);
    assert_int_equal(load_text("parallelism: ${SLUICE_TEST_X}\n" DB_TAIL, &cfg, &err), 0);
    assert_int_equal(cfg->parallelism, 8);
    config_free(cfg);
    /* A bad expanded value is quoted as written, never as the variable's content. */
    setenv("SLUICE_TEST_X", SECRET, 1);
    assert_int_equal(load_text("parallelism: ${SLUICE_TEST_X}\n" DB_TAIL, &cfg, &err), SL_ECONFIG);
    assert_string_equal(err.msg, "invalid value \"${SLUICE_TEST_X}\" for parallelism (config.yaml "
                                 "line 1)");
}

static void test_dotenv_precedence(void **state)
{
    struct config *cfg = NULL;
    struct sl_err err;
    (void)state;
    setenv("SLUICE_TEST_WINS", "from-env", 1);
    sl_err_clear(&err);
    assert_int_equal(config_load(fixture("dotenv/config.yaml"), &cfg, &err), 0);
    assert_string_equal(cfg->storage.root, "from-env/lake"); /* environment beats .env */
    assert_string_equal(cfg->connection.user, "loader");     /* comment stripped */
    assert_string_equal(cfg->connection.password, "p#ss \"quoted\" }x");
    assert_string_equal(cfg->connection.server, "db.example.com"); /* empty -> default */
    config_free(cfg);

    unsetenv("SLUICE_TEST_WINS");
    assert_int_equal(config_load(fixture("dotenv/config.yaml"), &cfg, &err), 0);
    assert_string_equal(cfg->storage.root, "from-dotenv/lake");
    config_free(cfg);

    /* .env also feeds the MSSQL_* fallback, and the real environment still wins. */
    write_file(".env", "MSSQL_USER=envfile_user\nMSSQL_PASSWORD='a b'\nMSSQL_DRIVER=x\n"
                       "MSSQL_DRIVER=last wins\n");
    setenv("MSSQL_USER", "real_user", 1);
    assert_int_equal(load_text(DB_TAIL, &cfg, &err), 0);
    assert_string_equal(cfg->connection.user, "real_user");
    assert_string_equal(cfg->connection.password, "a b");
    assert_string_equal(cfg->connection.driver, "last wins");
    assert_int_equal(cfg->connection.password_src, CONFIG_SRC_ENV);
    config_free(cfg);
}

static void test_dotenv_errors(void **state)
{
    struct config *cfg = NULL;
    struct sl_err err;
    (void)state;
    write_file(".env", "# ok\nGOOD=1\n" SECRET "\n");
    assert_int_equal(load_text(DB_TAIL, &cfg, &err), SL_ECONFIG);
    assert_string_equal(err.msg, "invalid line in .env (.env line 3)");
    assert_no_secret(&err);
    write_file(".env", "PW=\"" SECRET "\n");
    assert_int_equal(load_text(DB_TAIL, &cfg, &err), SL_ECONFIG);
    assert_string_equal(err.msg, "invalid line in .env (.env line 1)");
    assert_no_secret(&err);
}

/* ---- credentials ------------------------------------------------------------------------ */

static void test_credential_resolution(void **state)
{
    struct config *cfg = NULL;
    struct sl_err err;
    const struct config_connection *c;
    (void)state;
    setenv("MSSQL_SERVER", "envhost,2000", 1);
    setenv("MSSQL_USER", "envuser", 1);
    setenv("MSSQL_PASSWORD", "envpw", 1);
    setenv("MSSQL_DRIVER", "ODBC Driver 18 for SQL Server", 1);
    setenv("MSSQL_DATABASE", "shop", 1);
    assert_int_equal(load_text(DB_TAIL, &cfg, &err), 0);
    c = &cfg->connection;
    assert_string_equal(c->server, "envhost");
    assert_int_equal(c->port, 2000);
    assert_int_equal(c->port_src, CONFIG_SRC_ENV);
    assert_string_equal(c->user, "envuser");
    assert_string_equal(c->password, "envpw");
    assert_string_equal(c->driver, "ODBC Driver 18 for SQL Server");
    assert_string_equal(c->database, "shop");
    assert_int_equal(c->user_src, CONFIG_SRC_ENV);
    config_free(cfg);

    /* Explicit values beat the environment; a file port beats the server's env port. */
    assert_int_equal(load_text("connection:\n  server: filehost\n  user: fileuser\n  port: 1500\n"
                               "  password: ${SLUICE_TEST_X:-}\n" DB_TAIL,
                               &cfg, &err),
                     0);
    c = &cfg->connection;
    assert_string_equal(c->server, "filehost");
    assert_int_equal(c->port, 1500);
    assert_string_equal(c->user, "fileuser");
    assert_string_equal(c->password, ""); /* given (empty) in the file: no fallback */
    assert_int_equal(c->password_src, CONFIG_SRC_FILE);
    config_free(cfg);

    /* Null in the file means "not given": fall back to the environment. */
    assert_int_equal(load_text("connection:\n  password:\n" DB_TAIL, &cfg, &err), 0);
    assert_string_equal(cfg->connection.password, "envpw");
    config_free(cfg);

    /* Two environment ports that disagree. */
    setenv("MSSQL_PORT", "2001", 1);
    assert_int_equal(load_text(DB_TAIL, &cfg, &err), SL_ECONFIG);
    assert_string_equal(err.msg, "MSSQL_SERVER names port 2000 but MSSQL_PORT is 2001");

    setenv("MSSQL_SERVER", "envhost", 1);
    assert_int_equal(load_text(DB_TAIL, &cfg, &err), 0);
    assert_int_equal(cfg->connection.port, 2001);
    config_free(cfg);

    setenv("MSSQL_PORT", "http", 1);
    assert_int_equal(load_text(DB_TAIL, &cfg, &err), SL_ECONFIG);
    assert_string_equal(err.msg, "invalid value \"http\" for MSSQL_PORT");

    /* The issue's example with its ${MSSQL_PASSWORD} and nothing set. */
    clear_env();
    sl_err_clear(&err);
    assert_int_equal(config_load(fixture("example.yaml"), &cfg, &err), SL_ECONFIG);
    assert_non_null(
        strstr(err.msg, "undefined variable \"MSSQL_PASSWORD\" in connection.password ("));
    assert_non_null(strstr(err.msg, "example.yaml line 5)"));
}

static void test_password_never_in_errors(void **state)
{
    struct config *cfg = NULL;
    struct sl_err err;
    struct buf b;
    char *s = NULL;
    (void)state;

    /* A bad value right next to the password. */
    assert_int_equal(
        load_text("connection:\n  password: " SECRET "\n  port: " SECRET "x\n" DB_TAIL, &cfg, &err),
        SL_ECONFIG);
    assert_string_equal(err.msg, "invalid value \"" SECRET "x\" for connection.port (config.yaml "
                                 "line 3)");
    /* (that is the port's own text, quoted on purpose; the password itself:) */
    assert_int_equal(load_text("connection:\n  password: {x: " SECRET "}\n" DB_TAIL, &cfg, &err),
                     SL_ECONFIG);
    assert_string_equal(err.msg, "expected a string for connection.password, got a mapping "
                                 "(config.yaml line 2)");
    assert_int_equal(load_text("connection:\n  password: a${1" SECRET "}\n" DB_TAIL, &cfg, &err),
                     SL_ECONFIG);
    assert_no_secret(&err);
    assert_int_equal(load_text("connection:\n  password: " SECRET "${\n" DB_TAIL, &cfg, &err),
                     SL_ECONFIG);
    assert_no_secret(&err);
    assert_int_equal(load_text("connection:\n  password: \"" SECRET "\n" DB_TAIL, &cfg, &err),
                     SL_ECONFIG);
    assert_non_null(strstr(err.msg, "invalid YAML"));
    assert_no_secret(&err);
    assert_int_equal(load_text("connection:\n  password: '" SECRET "'x\n" DB_TAIL, &cfg, &err),
                     SL_ECONFIG);
    assert_no_secret(&err);

    write_file("config.json", "{\"connection\": {\"password\": " SECRET "}}");
    sl_err_clear(&err);
    assert_int_equal(config_load("config.json", &cfg, &err), SL_ECONFIG);
    assert_non_null(strstr(err.msg, "invalid JSON"));
    assert_no_secret(&err);

    /* The dump and the redacted connection string hide it; only the real one has it. */
    assert_int_equal(
        load_text("connection:\n  user: u\n  password: " SECRET "\n" DB_TAIL, &cfg, &err), 0);
    buf_init(&b, 0);
    assert_int_equal(config_redacted_dump(cfg, &b), 0);
    assert_null(strstr((char *)b.data, SECRET));
    assert_non_null(strstr((char *)b.data, "  password: \"***\"\n"));
    buf_free(&b);
    assert_int_equal(config_odbc_string(cfg, NULL, true, &s, &err), 0);
    assert_null(strstr(s, SECRET));
    assert_non_null(strstr(s, ";PWD={***};"));
    sl_free(s);
    assert_int_equal(config_odbc_string(cfg, NULL, false, &s, &err), 0);
    assert_non_null(strstr(s, ";PWD={" SECRET "};"));
    sl_free(s);
    config_free(cfg);
}

/* ---- ODBC ---------------------------------------------------------------------------------- */

static void test_odbc_freetds(void **state)
{
    struct config *cfg = NULL;
    struct sl_err err;
    char *s = NULL;
    (void)state;
    setenv("MSSQL_PASSWORD", "s3cr3t", 1);
    sl_err_clear(&err);
    assert_int_equal(config_load(fixture("example.yaml"), &cfg, &err), 0);
    assert_int_equal(config_odbc_string(cfg, "shop", false, &s, &err), 0);
    assert_string_equal(s, "Driver={FreeTDS};Server=127.0.0.1;Port=1433;UID=sluice;PWD={s3cr3t};"
                           "Database=shop;Encrypt=no;TrustServerCertificate=yes;"
                           "ClientCharset=UTF-8;TDS_Version=7.4");
    sl_free(s);
    /* No database given and none configured: no Database attribute. */
    assert_int_equal(config_odbc_string(cfg, NULL, false, &s, &err), 0);
    assert_null(strstr(s, "Database="));
    sl_free(s);
    config_free(cfg);

    /* Escaping: braces where ODBC needs them, '}' doubled inside. */
    assert_int_equal(load_text("connection:\n  server: 'db host,1500'\n  user: 'a;b'\n"
                               "  password: 'p}w;d{'\n  driver: /usr/lib/libtdsodbc.so\n" DB_TAIL,
                               &cfg, &err),
                     0);
    assert_int_equal(config_odbc_string(cfg, "sales}2024", false, &s, &err), 0);
    assert_string_equal(s, "Driver={/usr/lib/libtdsodbc.so};Server=db host;Port=1500;UID={a;b};"
                           "PWD={p}}w;d{};Database={sales}}2024};Encrypt=no;"
                           "TrustServerCertificate=no;ClientCharset=UTF-8;TDS_Version=7.4");
    sl_free(s);
    config_free(cfg);
}

static void test_odbc_msodbc(void **state)
{
    struct config *cfg = NULL;
    struct sl_err err;
    char *s = NULL;
    (void)state;
    assert_int_equal(load_text("connection:\n  server: sql.example.com,1500\n  user: loader\n"
                               "  password: ' pw'\n  driver: ODBC Driver 18 for SQL Server\n"
                               "  encrypt: true\n  database: shop\n" DB_TAIL,
                               &cfg, &err),
                     0);
    assert_int_equal(config_odbc_string(cfg, NULL, false, &s, &err), 0);
    assert_string_equal(s, "Driver={ODBC Driver 18 for SQL Server};Server=tcp:sql.example.com,1500;"
                           "UID=loader;PWD={ pw};Database=shop;Encrypt=yes;"
                           "TrustServerCertificate=no");
    sl_free(s);
    config_free(cfg);

    assert_int_equal(load_text(DB_TAIL, &cfg, &err), 0);
    sl_err_clear(&err);
    assert_int_equal(config_odbc_string(cfg, NULL, false, &s, &err), SL_ECONFIG);
    assert_null(s);
    assert_string_equal(err.msg, "connection.user is not set in config.yaml");
    config_free(cfg);
}

/* ---- --tables -------------------------------------------------------------------------------- */

static const char two_dbs[] =
    "databases:\n"
    "  shop:\n"
    "    schemas:\n"
    "      dbo: {tables: {orders: full, customers: full, products: full}}\n"
    "      sales: {tables: {invoices: full}}\n"
    "  hr:\n"
    "    schemas:\n"
    "      dbo: {tables: {people: full}}\n";

static void test_filter_tables(void **state)
{
    struct config *cfg = NULL;
    struct sl_err err;
    (void)state;
    assert_int_equal(load_text(two_dbs, &cfg, &err), 0);

    sl_err_clear(&err);
    assert_int_equal(config_filter_tables(cfg, "shop.dbo.nope, orders,hr.dbo.people", &err),
                     SL_ECONFIG);
    assert_string_equal(err.msg, "invalid table name \"orders\" in --tables");
    assert_string_equal(err.hint, "write database.schema.table, e.g. shop.dbo.orders");

    sl_err_clear(&err);
    assert_int_equal(config_filter_tables(cfg, "shop.dbo.nope,hr.dbo.people,shop.x.orders", &err),
                     SL_ECONFIG);
    assert_string_equal(err.msg, "unknown tables \"shop.dbo.nope\", \"shop.x.orders\" in --tables");
    assert_string_equal(err.hint, "the config lists: shop.dbo.orders, shop.dbo.customers, "
                                  "shop.dbo.products, shop.sales.invoices, hr.dbo.people");
    sl_err_clear(&err);
    assert_int_equal(config_filter_tables(cfg, " , ", &err), SL_ECONFIG);
    assert_string_equal(err.msg, "--tables names no table");
    assert_int_equal(cfg->ndatabases, 2); /* untouched by the failures */
    assert_int_equal(cfg->databases[0].schemas[0].ntables, 3);

    sl_err_clear(&err);
    assert_int_equal(config_filter_tables(cfg, " SHOP.dbo.Products , shop.dbo.orders", &err), 0);
    assert_int_equal(cfg->ndatabases, 1);
    assert_string_equal(cfg->databases[0].name, "shop");
    assert_int_equal(cfg->databases[0].nschemas, 1);
    assert_int_equal(cfg->databases[0].schemas[0].ntables, 2);
    assert_string_equal(cfg->databases[0].schemas[0].tables[0].name, "orders"); /* config order */
    assert_string_equal(cfg->databases[0].schemas[0].tables[1].name, "products");
    config_free(cfg);

    assert_int_equal(load_text(two_dbs, &cfg, &err), 0);
    assert_int_equal(config_filter_tables(cfg, "hr.dbo.people", &err), 0);
    assert_int_equal(cfg->ndatabases, 1);
    assert_string_equal(cfg->databases[0].name, "hr");
    config_free(cfg);
}

/* ---- dump --------------------------------------------------------------------------------- */

static void test_redacted_dump(void **state)
{
    struct config *cfg = NULL, *again = NULL;
    struct sl_err err;
    struct buf b;
    (void)state;
    setenv("MSSQL_PASSWORD", "s3cr3t", 1);
    setenv("MSSQL_USER", "envuser", 1);
    assert_int_equal(load_text("connection:\n  password: ${MSSQL_PASSWORD}\n"
                               "storage:\n  parquet_compression: snappy\n" DB_TAIL,
                               &cfg, &err),
                     0);
    buf_init(&b, 0);
    assert_int_equal(config_redacted_dump(cfg, &b), 0);
    assert_string_equal(
        (char *)b.data,
        "# effective configuration of \"config.yaml\"; the password is never shown\n"
        "connection:\n"
        "  server: \"127.0.0.1\"  # default\n"
        "  port: 1433  # default\n"
        "  user: \"envuser\"  # from MSSQL_USER\n"
        "  password: \"***\"\n"
        "  driver: \"FreeTDS\"  # default\n"
        "  database: ~  # not set (MSSQL_DATABASE)\n"
        "  encrypt: false\n"
        "  trust_server_certificate: false\n"
        "storage:\n"
        "  root: \"./lake\"\n"
        "  output_format: per_table\n"
        "  parquet_compression: snappy\n"
        "  row_group_size: 500000\n"
        "  jsonl_path: \"-\"\n"
        "  jsonl_max_file_bytes: 134217728\n"
        "  jsonl_max_file_rows: 0\n"
        "parallelism: 4\n"
        "watch:\n"
        "  poll_interval: 1000\n"
        "  max_poll_interval: 30000\n"
        "databases:\n"
        "  \"shop\":\n"
        "    schemas:\n"
        "      \"dbo\":\n"
        "        tables:\n"
        "          \"orders\": {mode: full, scd_type: 1, soft_delete: false, "
        "capture: auto, cdc_mode: all, cdc_update_before: false}\n");
    /* The dump is itself a valid config (with the password put back via ${VAR}). */
    write_file("config.yaml", (char *)b.data);
    buf_free(&b);
    sl_err_clear(&err);
    assert_int_equal(config_load("config.yaml", &again, &err), 0);
    assert_int_equal(again->storage.compression, CONFIG_COMPRESSION_SNAPPY);
    assert_string_equal(again->connection.password, "***");
    config_free(again);
    config_free(cfg);
}

/* ---- allocation failures -------------------------------------------------------------------- */

/* A config with many databases, schemas and tables, so that block
 * boundaries fall in every phase of the loader. */
static const char *big_config(void)
{
    FILE *f = fopen("big.yaml", "w");
    int d, s, t;
    assert_non_null(f);
    fprintf(f, "connection: {server: 'h,1500', user: u, password: '${MSSQL_PASSWORD}'}\n"
               "storage: {parquet_compression: gzip, parquet_compression_level: 9}\n"
               "databases:\n");
    for (d = 0; d < 3; d++) {
        fprintf(f, "  db%d:\n    uc_catalog: cat%d\n    schemas:\n", d, d);
        for (s = 0; s < 3; s++) {
            fprintf(f,
                    "      s%d:\n        uc_schema: ${SLUICE_TEST_X:-bronze}\n"
                    "        tables:\n",
                    s);
            for (t = 0; t < 8; t++)
                fprintf(f,
                        "          table_with_a_long_name_%d: {mode: incremental, scd_type: 2,"
                        " capture: cdc, cdc_mode: all, cdc_update_before: true}\n",
                        t);
        }
    }
    assert_int_equal(fclose(f), 0);
    return "big.yaml";
}

static void sweep(const char *path)
{
    unsigned long n;
    int rc = -1;
    for (n = 1; n < 100000 && rc != 0; n++) {
        struct config *cfg = (struct config *)1;
        struct sl_err err;
        sl_err_clear(&err);
        sl_mem_fail_after(n);
        rc = config_load(path, &cfg, &err);
        sl_mem_fail_after(0);
        if (rc == 0) {
            config_free(cfg);
            break;
        }
        assert_int_equal(rc, SL_ENOMEM);
        assert_int_equal(err.code, SL_ENOMEM);
        assert_null(cfg);
    }
    assert_int_equal(rc, 0);
    /* Arenas batch allocations, so each point is a block boundary somewhere
     * in the loader; a file with no failure point would test nothing. */
    assert_true(n > 5);
}

static void test_alloc_failure_sweep(void **state)
{
    (void)state;
    setenv("MSSQL_PASSWORD", "s3cr3t", 1);
    sweep(fixture("example.yaml"));
    sweep(fixture("example.json"));
    sweep(fixture("dotenv/config.yaml"));
    sweep(big_config());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_example_yaml, test_setup),
        cmocka_unit_test_setup(test_example_json_identical, test_setup),
        cmocka_unit_test_setup(test_format_by_content, test_setup),
        cmocka_unit_test_setup(test_defaults, test_setup),
        cmocka_unit_test_setup(test_table_options, test_setup),
        cmocka_unit_test_setup(test_jsonl_and_watch, test_setup),
        cmocka_unit_test_setup(test_yaml_anchors_and_merge, test_setup),
        cmocka_unit_test_setup(test_unknown_key_issue_example, test_setup),
        cmocka_unit_test_setup(test_error_messages, test_setup),
        cmocka_unit_test_setup(test_syntax_errors, test_setup),
        cmocka_unit_test_setup(test_var_expansion, test_setup),
        cmocka_unit_test_setup(test_dotenv_precedence, test_setup),
        cmocka_unit_test_setup(test_dotenv_errors, test_setup),
        cmocka_unit_test_setup(test_credential_resolution, test_setup),
        cmocka_unit_test_setup(test_password_never_in_errors, test_setup),
        cmocka_unit_test_setup(test_odbc_freetds, test_setup),
        cmocka_unit_test_setup(test_odbc_msodbc, test_setup),
        cmocka_unit_test_setup(test_filter_tables, test_setup),
        cmocka_unit_test_setup(test_redacted_dump, test_setup),
        cmocka_unit_test_setup(test_alloc_failure_sweep, test_setup),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
