/*
 * config: the typed model of a sluice configuration file, its validation,
 * ${VAR} / .env expansion and the resolution of SQL Server credentials.
 *
 * Owns: reading the file, choosing YAML or JSON (extension .yaml/.yml/.json,
 * else by content), turning the parsed document into struct config, every
 * check a data engineer would otherwise discover at 3 a.m. (unknown keys,
 * wrong types, values out of range), the ODBC connection string, the
 * --tables filter and the redacted dump shown by `sluice check`.
 * Leaves to others: parsing syntax (yaml.c wraps libfyaml, json.c wraps
 * core/json.h; both hand back the neutral tree of doc.h), connecting (source/),
 * and deciding what a mode means at run time (engine/).
 *
 * Invariants:
 *  - A loaded config is complete: every field holds its effective value
 *    (given, expanded, from the environment, or the default); nothing
 *    downstream re-applies defaults.
 *  - The password is never written into an error message, a log line or
 *    the dump; only config_odbc_string(..., redact = false) returns it.
 *  - All strings of a config live in its own arena and are freed together
 *    by config_free(); the struct is read-only after config_load() except
 *    for config_filter_tables().
 *
 * Lifecycle:
 *
 *   (none) --config_load()--> LOADED --config_filter_tables()--> LOADED
 *                                |                                  |
 *                                +----------config_free()-----------+--> (none)
 */
#ifndef SL_CONFIG_CONFIG_H
#define SL_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

struct buf;
struct sl_err;

/* How a table is synced. Names as written in the file, in this order. */
enum config_mode {
    CONFIG_MODE_FULL = 0,         /* "full": reload the whole table every run */
    CONFIG_MODE_INCREMENTAL,      /* "incremental": changes only, never a reload */
    CONFIG_MODE_FULL_INCREMENTAL, /* "full_incremental": first full, then changes */
};

/* Where changes come from. */
enum config_capture {
    CONFIG_CAPTURE_CT = 0, /* "ct": Change Tracking */
    CONFIG_CAPTURE_CDC,    /* "cdc": Change Data Capture */
    CONFIG_CAPTURE_AUTO,   /* "auto": CT when enabled on the table, else CDC when the table
                            * has a capture instance, else an error (decided at run time) */
};

enum config_cdc_mode {
    CONFIG_CDC_ALL = 0, /* "all": every change, cdc.fn_cdc_get_all_changes */
    CONFIG_CDC_NET,     /* "net": one row per key, cdc.fn_cdc_get_net_changes */
};

enum config_output_format {
    CONFIG_OUTPUT_PER_TABLE = 0, /* "per_table" */
    CONFIG_OUTPUT_UNIFIED,       /* "unified" */
    CONFIG_OUTPUT_JSONL,         /* "jsonl": the change stream (sink/jsonl.h) */
};

enum config_compression {
    CONFIG_COMPRESSION_NONE = 0, /* "none" */
    CONFIG_COMPRESSION_SNAPPY,   /* "snappy" */
    CONFIG_COMPRESSION_GZIP,     /* "gzip" */
    CONFIG_COMPRESSION_ZSTD,     /* "zstd" */
    CONFIG_COMPRESSION_LZ4_RAW,  /* "lz4_raw" */
    CONFIG_COMPRESSION_BROTLI,   /* "brotli" */
};

/* Where an effective connection value came from (shown by the dump). */
enum config_source {
    CONFIG_SRC_DEFAULT = 0, /* built-in default */
    CONFIG_SRC_ENV,         /* MSSQL_* from the environment or .env */
    CONFIG_SRC_FILE,        /* written in the file (possibly via ${VAR}) */
};

struct config_table {
    const char *name;
    int line; /* line of the table's key in the file, for later messages */
    enum config_mode mode;
    int scd_type; /* 1 or 2 */
    bool soft_delete;
    enum config_capture capture;
    enum config_cdc_mode cdc_mode;
    bool cdc_update_before;
};

struct config_schema {
    const char *name;
    int line;
    const char *uc_schema; /* NULL when not given */
    struct config_table *tables;
    size_t ntables;
};

struct config_database {
    const char *name;
    int line;
    const char *uc_catalog; /* NULL when not given */
    struct config_schema *schemas;
    size_t nschemas;
};

struct config_connection {
    const char *server; /* host only; a ",port" suffix is split off into port */
    int port;
    const char *user;     /* NULL when given nowhere */
    const char *password; /* NULL when given nowhere; never print it */
    const char *driver;
    const char *database; /* connection.database or MSSQL_DATABASE; may be NULL */
    bool encrypt;
    bool trust_server_certificate;
    enum config_source server_src, port_src, user_src, password_src, driver_src, database_src;
};

struct config_storage {
    const char *root;
    enum config_output_format output_format;
    enum config_compression compression;
    int compression_level; /* 0 and unused for none, snappy, lz4_raw */
    int64_t row_group_size;
    const char *jsonl_path;        /* "-" (stdout, the default) or a directory */
    uint64_t jsonl_max_file_bytes; /* directory mode: close a part at this size */
    uint64_t jsonl_max_file_rows;  /* directory mode: close a part at this many changes; 0: no limit */
};

/* `sluice watch` timing (milliseconds). */
struct config_watch {
    int64_t poll_interval_ms;     /* poll this often while changes keep coming */
    int64_t max_poll_interval_ms; /* idle backoff doubles the interval up to this */
};

struct config {
    const char *path; /* as passed to config_load */
    struct config_connection connection;
    struct config_storage storage;
    int parallelism;
    struct config_watch watch;
    struct config_database *databases;
    size_t ndatabases;
    struct arena arena; /* owns every string and array above */
};

/*
 * Read, parse, expand and validate the configuration file at path. On
 * success *out is a complete config (caller owns; free with config_free)
 * and 0 is returned. On failure *out is NULL, nothing is left allocated and
 * err holds a message naming the key, its path and its line, with a hint:
 * SL_ECONFIG for anything wrong in the file or its .env, SL_ENOTFOUND /
 * SL_EIO when the file cannot be read, SL_ENOMEM, SL_ELIMIT (file > 16 MiB).
 * Reads the environment (getenv) and `.env` beside the file; modifies
 * neither.
 */
int config_load(const char *path, struct config **out, struct sl_err *err);

/* Release a config and everything it owns. NULL is fine. */
void config_free(struct config *cfg);

/* The file spelling of an enum value ("full_incremental", "zstd", ...). */
const char *config_mode_name(enum config_mode mode);
const char *config_capture_name(enum config_capture capture);
const char *config_cdc_mode_name(enum config_cdc_mode mode);
const char *config_output_format_name(enum config_output_format fmt);
const char *config_compression_name(enum config_compression c);

/*
 * Build the ODBC connection string for database (NULL = connection.database,
 * omitted when that is NULL too). FreeTDS (any driver whose name contains
 * "FreeTDS" or "tdsodbc") gets Server=host;Port=n plus ClientCharset and
 * TDS_Version; every other driver gets Microsoft's Server=tcp:host,port.
 * Values are wrapped in braces where ODBC requires it, with '}' doubled.
 * With redact the password appears as {***}, for logs. On success *out is
 * a NUL-terminated string (caller owns; free with sl_free, and wipe it
 * first when it holds a password) and 0 is returned; SL_ECONFIG when no
 * user is configured, SL_ENOMEM.
 */
int config_odbc_string(const struct config *cfg, const char *database, bool redact, char **out,
                       struct sl_err *err);

/*
 * Keep only the tables named in list, "db.schema.table[,db.schema.table...]"
 * (the --tables option); names match case-insensitively, as SQL Server's
 * default collations do; blanks around names are ignored. Databases and
 * schemas left without tables are dropped. Every name is checked before
 * anything changes: on error (SL_ECONFIG naming every unknown or malformed
 * entry) cfg is untouched. Limit: names containing '.' cannot be selected.
 */
int config_filter_tables(struct config *cfg, const char *list, struct sl_err *err);

/*
 * Append the effective configuration to out as YAML that config_load would
 * accept, for `sluice check`: every default filled in, the source of each
 * connection value in a comment, the password as "***". Returns 0,
 * SL_ENOMEM or SL_ELIMIT (out's limit); on failure out may hold a prefix.
 */
int config_redacted_dump(const struct config *cfg, struct buf *out);

#endif
