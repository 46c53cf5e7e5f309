/*
 * cdc: Change Data Capture metadata and DDL rules (spec ct-cdc.md Part B).
 *
 * Owns sys.sp_cdc_enable_db / sp_cdc_disable_db / sp_cdc_enable_table /
 * sp_cdc_disable_table / sp_cdc_change_job, the private tables every
 * database file carries (below), the cdc.* metadata views over them, the
 * change tables cdc.<capture_instance>_CT (real tables in the cdc schema,
 * created through catalog.c like any table, so SELECT * FROM cdc.x_CT
 * works), the LSN encoding, and what DDL does to a tracked table (4711 on
 * TRUNCATE, DROP TABLE drops its instances, dropped columns read NULL, a
 * type change reaches the change table, cdc.ddl_history). The query
 * functions are in cdc_fn.c, the capture job and cleanup in cdc_capture.c.
 *
 * Private tables (created in every file, empty until CDC is enabled):
 *   tl_cdc_state(captured_commit)   one row while the database is enabled:
 *                                   the change journal's commit_id up to
 *                                   which capture ran (JOURNAL.md)
 *   tl_cdc_tables                   cdc.change_tables, plus start_commit:
 *                                   the instance captures commits above it
 *   tl_cdc_columns                  cdc.captured_columns, plus
 *                                   dropped_commit: the column was dropped
 *                                   after that commit (NULL: it exists)
 *   tl_cdc_index_columns            cdc.index_columns
 *   tl_cdc_lsn_time                 cdc.lsn_time_mapping
 *   tl_cdc_ddl_history              cdc.ddl_history
 * Invariants: a source table is journaled with tl_journaled.cdc = 1 exactly
 * while it has a row in tl_cdc_tables; everything here runs inside the
 * caller's statement transaction, so it rolls back with it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/mem.h"
#include "eng.h"

/* ------------------------------------------------------------ LSNs */

void cdc_lsn_make(int64_t commit, int slot, uint8_t out[CDC_LSN_LEN])
{
    uint64_t v = ((uint64_t)0x22 << 32) + (uint64_t)commit; /* VLF 0x22, block = commit */
    for (int i = 0; i < 8; i++)
        out[7 - i] = (uint8_t)(v >> (8 * i));
    out[8] = (uint8_t)((unsigned)slot >> 8);
    out[9] = (uint8_t)slot;
}

void cdc_seqval_make(int64_t commit, uint32_t n, uint8_t out[CDC_LSN_LEN])
{
    for (int i = 0; i < 6; i++)
        out[5 - i] = (uint8_t)((uint64_t)commit >> (8 * i));
    for (int i = 0; i < 4; i++)
        out[9 - i] = (uint8_t)(n >> (8 * i));
}

/* ------------------------------------------------------------ tables */

#define CDC_TABLES_SQL                                                                            \
    "CREATE TABLE IF NOT EXISTS %1$s.tl_cdc_state(captured_commit INTEGER NOT NULL);"              \
    "CREATE TABLE IF NOT EXISTS %1$s.tl_cdc_tables(object_id INTEGER PRIMARY KEY,"                 \
    " source_object_id INTEGER NOT NULL, capture_instance TEXT NOT NULL COLLATE NOCASE UNIQUE,"    \
    " start_lsn BLOB, supports_net_changes INTEGER NOT NULL, role_name TEXT, index_name TEXT,"    \
    " filegroup_name TEXT, create_date TEXT NOT NULL, partition_switch INTEGER NOT NULL,"          \
    " start_commit INTEGER NOT NULL, seq INTEGER NOT NULL);"                                       \
    "CREATE TABLE IF NOT EXISTS %1$s.tl_cdc_columns(object_id INTEGER NOT NULL,"                   \
    " column_ordinal INTEGER NOT NULL, column_name TEXT NOT NULL, column_id INTEGER,"              \
    " column_type TEXT NOT NULL, is_computed INTEGER NOT NULL DEFAULT 0, dropped_commit INTEGER,"  \
    " PRIMARY KEY(object_id, column_ordinal));"                                                    \
    "CREATE TABLE IF NOT EXISTS %1$s.tl_cdc_index_columns(object_id INTEGER NOT NULL,"             \
    " index_ordinal INTEGER NOT NULL, column_name TEXT NOT NULL, column_id INTEGER NOT NULL,"      \
    " PRIMARY KEY(object_id, index_ordinal));"                                                     \
    "CREATE TABLE IF NOT EXISTS %1$s.tl_cdc_lsn_time(start_lsn BLOB PRIMARY KEY,"                  \
    " tran_begin_time TEXT, tran_end_time TEXT, tran_id BLOB);"                                    \
    "CREATE INDEX IF NOT EXISTS %1$s.tl_cdc_lsn_time_end ON tl_cdc_lsn_time(tran_end_time);"       \
    "CREATE TABLE IF NOT EXISTS %1$s.tl_cdc_ddl_history(source_object_id INTEGER, object_id INTEGER," \
    " required_column_update INTEGER, ddl_command TEXT, ddl_lsn BLOB, ddl_time TEXT);"

int cdc_init_file(sqlite3 *db, const char *alias, struct sqlerr *e)
{
    /* present already: a read only, so attaching a file never waits for a writer */
    sqlite3_stmt *probe = NULL;
    char *psql = sqlite3_mprintf("SELECT 1 FROM %s.tl_cdc_state, %s.tl_cdc_tables, %s.tl_cdc_columns,"
                                 " %s.tl_cdc_index_columns, %s.tl_cdc_lsn_time, %s.tl_cdc_ddl_history LIMIT 0",
                                 alias, alias, alias, alias, alias, alias);
    bool present = psql && sqlite3_prepare_v2(db, psql, -1, &probe, NULL) == SQLITE_OK;
    sqlite3_finalize(probe);
    sqlite3_free(psql);
    if (present)
        return 0;
    return catalog_init_tables(db, alias, CDC_TABLES_SQL, "the CDC tables", e);
}

/* ------------------------------------------------------------ helpers */

/* exec_sql of a sqlite3_mprintf'd statement (freed here). */
static int run(struct engine_session *s, char *sql, struct sqlerr *e)
{
    if (!sql) {
        sqlerr_set(e, 701, 19, "There is insufficient system memory to run this query.");
        return -1;
    }
    int rc = exec_sql(s, sql, e);
    sqlite3_free(sql);
    return rc;
}

bool cdc_db_enabled(struct engine_session *s, int dbid)
{
    char sql[80];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"d%d\".tl_cdc_state", dbid);
    return exec_query_int(s, sql, 0, NULL) > 0;
}

/* The engine clock as a canonical datetime ("YYYY-MM-DD hh:mm:ss.fff" in
 * 1/300 s ticks), what SQL Server's datetime metadata columns hold. */
static void now_datetime(struct engine_session *s, char *out, size_t cap)
{
    char raw[40];
    journal_clock_text(s->eng, raw, sizeof(raw));
    struct tl_value in = {TL_V_TEXT, 0, 0, (const uint8_t *)raw, strlen(raw)}, o;
    struct tl_type from = {TL_T_DATETIME2, 0, 0, 3}, to = {TL_T_DATETIME, 0, 0, 3};
    struct value_error ve;
    if (value_convert(&in, &from, &to, -1, true, NULL, NULL, &s->ra, &o, &ve) == 0 && o.n < cap) {
        memcpy(out, o.p, o.n);
        out[o.n] = 0;
    } else {
        snprintf(out, cap, "%s", raw);
    }
}

/* The highest commit_id the change journal gave out (0 when none). */
static int64_t max_commit(struct engine_session *s, int dbid)
{
    char sql[200];
    snprintf(sql, sizeof(sql),
             "SELECT max(coalesce((SELECT max(commit_id) FROM \"d%d\".tl_commits), 0),"
             " coalesce((SELECT v FROM \"d%d\".tl_meta WHERE k = 'last_commit_id'), 0))",
             dbid, dbid);
    int64_t c = exec_query_int(s, sql, 0, NULL);
    snprintf(sql, sizeof(sql), "SELECT max(captured_commit) FROM \"d%d\".tl_cdc_state", dbid);
    int64_t h = exec_query_int(s, sql, 0, NULL);
    return c > h ? c : h;
}

/* 22901: the database is not enabled for CDC. */
static int not_enabled(struct engine_session *s, struct sqlerr *e)
{
    sqlerr_set(e, 22901, 16,
               "The database '%s' is not enabled for Change Data Capture. Ensure that the correct database context is set and retry the operation. To report on the databases enabled for Change Data Capture, query the is_cdc_enabled column in the sys.databases catalog view.",
               s->dbname);
    return -1;
}

/* Run fn as one data-modifying statement of the session (its own statement
 * savepoint; an autocommit transaction outside a user transaction). */
static int run_write(struct engine_session *s, int (*fn)(struct engine_session *, void *, struct sqlerr *),
                     void *arg, struct sqlerr *e)
{
    if (txn_prepare(s, true, e))
        return -1;
    if (txn_stmt_begin(s, e)) {
        struct sqlerr e2 = {0};
        txn_finish(s, false, &e2);
        return -1;
    }
    int r = fn(s, arg, e);
    return txn_stmt_finish(s, r, e);
}

/* ------------------------------------------------------------ arguments */

/* A system procedure's parameter: name, declared type, required. */
struct spar {
    const char *name;
    struct tl_type type;
    bool required;
};

struct sarg {
    bool given;
    struct tl_value v; /* converted to the parameter's type, batch arena */
};

#define SYSNAME {TL_T_NVARCHAR, 128, 0, 0}

/*
 * Bind a system procedure call's arguments (EXEC st, or RPC params) to its
 * parameters the way SQL Server does: positional first, then @name = value
 * (119 when a positional one follows a named one), 8145 for an unknown name,
 * 8144 for too many, 201 for a missing required one; DEFAULT leaves the
 * parameter unset. Values are converted to the parameter types. 0 or -1.
 */
static int bind_args(struct engine_session *s, const char *proc, struct stmt *st,
                     const struct engine_param *params, size_t np, const struct spar *spec,
                     int nspec, struct sarg *out, struct sqlerr *e)
{
    int n = st ? st->nparams : (int)np;
    bool named = false;
    memset(out, 0, sizeof(*out) * (size_t)nspec);
    for (int i = 0; i < n; i++) {
        const char *name = st ? st->pnames[i] : params[i].name;
        int k = -1;
        if (name && *name) {
            named = true;
            for (int j = 0; j < nspec; j++)
                if (ieq(spec[j].name, name))
                    k = j;
            if (k < 0) {
                sqlerr_set(e, 8145, 16, "%s is not a parameter for procedure %s.", name, proc);
                return -1;
            }
        } else {
            if (named) {
                sqlerr_set(e, 119, 15, "Must pass parameter number %d and subsequent parameters as '@name = value'. After the form '@name = value' has been used, all subsequent parameters must be passed in the form '@name = value'.",
                           i + 1);
                return -1;
            }
            if (i >= nspec) {
                sqlerr_set(e, 8144, 16, "Procedure or function %s has too many arguments specified.", proc);
                return -1;
            }
            k = i;
        }
        struct tl_value v;
        struct tl_type t = {0};
        if (st) {
            if (st->pvals[i]->kind == EX_DEFAULT)
                continue;
            if (exec_eval(s, st->pvals[i], &v, &t, e))
                return -1;
        } else {
            if (params[i].use_default)
                continue;
            v = params[i].value;
            t = params[i].type;
        }
        struct tl_value o = {0};
        struct value_error ve;
        if (v.kind != TL_V_NULL &&
            value_convert(&v, t.id == TL_T_UNKNOWN ? NULL : &t, &spec[k].type, -1, true, NULL, NULL, &s->ba,
                          &o, &ve)) {
            sqlerr_set(e, ve.number, ve.severity ? ve.severity : 16, "%s", ve.text);
            return -1;
        }
        if (o.kind == TL_V_TEXT || o.kind == TL_V_BLOB)
            o.p = arena_memdup(&s->ba, o.p ? o.p : (const uint8_t *)"", o.n + 1);
        out[k].given = true;
        out[k].v = o;
    }
    for (int j = 0; j < nspec; j++)
        if (spec[j].required && !out[j].given) {
            sqlerr_set(e, 201, 16, "Procedure or function '%s' expects parameter '%s', which was not supplied.",
                       proc, spec[j].name);
            return -1;
        }
    return 0;
}

/* Text of a bound argument (batch arena), NULL when unset or NULL. */
static char *arg_str(struct engine_session *s, const struct sarg *a)
{
    if (!a->given || a->v.kind != TL_V_TEXT)
        return NULL;
    return arena_strndup(&s->ba, (const char *)a->v.p, a->v.n);
}

/* Leading and trailing blanks removed in place. */
static char *trim(char *t)
{
    if (!t)
        return NULL;
    while (*t == ' ' || *t == '\t' || *t == '\r' || *t == '\n')
        t++;
    size_t n = strlen(t);
    while (n && (t[n - 1] == ' ' || t[n - 1] == '\t' || t[n - 1] == '\r' || t[n - 1] == '\n'))
        t[--n] = 0;
    return t;
}

/* ------------------------------------------------------------ instances */

/* One capture instance as kept in tl_cdc_tables (strings in the batch arena). */
struct instance {
    int64_t ct_oid, source_oid;
    char *name;
};

/* The instances of source table oid (or every instance when oid is 0). */
static int list_instances(struct engine_session *s, int dbid, int64_t source_oid,
                          struct instance **out, int *n)
{
    sqlite3_stmt *st = NULL;
    int cap = 8, rc = 0;
    *n = 0;
    *out = arena_alloc(&s->ba, sizeof(**out) * (size_t)cap);
    char *sql = sqlite3_mprintf("SELECT object_id, source_object_id, capture_instance FROM \"d%d\".tl_cdc_tables"
                                " WHERE %lld = 0 OR source_object_id = %lld ORDER BY seq",
                                dbid, (long long)source_oid, (long long)source_oid);
    if (!*out || !sql || sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        rc = -1;
        goto out;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (*n == cap) {
            struct instance *m = arena_alloc(&s->ba, sizeof(*m) * (size_t)cap * 2);
            if (!m) {
                rc = -1;
                goto out;
            }
            memcpy(m, *out, sizeof(*m) * (size_t)cap);
            *out = m;
            cap *= 2;
        }
        struct instance *in = &(*out)[(*n)++];
        in->ct_oid = sqlite3_column_int64(st, 0);
        in->source_oid = sqlite3_column_int64(st, 1);
        in->name = arena_strdup(&s->ba, (const char *)sqlite3_column_text(st, 2));
    }
out:
    sqlite3_finalize(st);
    sqlite3_free(sql);
    return rc;
}

/* tl_journaled.cdc of source_oid follows whether it still has an instance;
 * a table no longer journaled at all loses its journal rows. */
static int sync_journaled(struct engine_session *s, int dbid, int64_t source_oid, struct sqlerr *e)
{
    long long o = (long long)source_oid;
    return run(s, catalog_sqlf("INSERT INTO \"d%1$d\".tl_journaled(object_id, cdc) SELECT %2$lld, 1"
                      " WHERE EXISTS (SELECT 1 FROM \"d%1$d\".tl_cdc_tables WHERE source_object_id = %2$lld)"
                      " ON CONFLICT(object_id) DO UPDATE SET cdc = 1;"
                      "UPDATE \"d%1$d\".tl_journaled SET cdc = 0 WHERE object_id = %2$lld AND NOT EXISTS"
                      " (SELECT 1 FROM \"d%1$d\".tl_cdc_tables WHERE source_object_id = %2$lld);"
                      "DELETE FROM \"d%1$d\".tl_journaled WHERE object_id = %2$lld AND ct = 0 AND cdc = 0;"
                      "DELETE FROM \"d%1$d\".tl_journal WHERE object_id = %2$lld AND NOT EXISTS"
                      " (SELECT 1 FROM \"d%1$d\".tl_journaled WHERE object_id = %2$lld);",
                      dbid, o),
               e);
}

/* Drop one capture instance: its metadata, then its change table. */
static int drop_instance(struct engine_session *s, int dbid, const struct instance *in,
                         struct sqlerr *e)
{
    long long ct = (long long)in->ct_oid;
    if (run(s, catalog_sqlf("DELETE FROM \"d%1$d\".tl_cdc_tables WHERE object_id = %2$lld;"
                               "DELETE FROM \"d%1$d\".tl_cdc_columns WHERE object_id = %2$lld;"
                               "DELETE FROM \"d%1$d\".tl_cdc_index_columns WHERE object_id = %2$lld;"
                               "DELETE FROM \"d%1$d\".tl_cdc_ddl_history WHERE object_id = %2$lld;",
                               dbid, ct),
            e))
        return -1;
    struct table_meta *tm = catalog_table_by_id(s, &s->ba, dbid, in->ct_oid);
    if (tm) {
        struct stmt d = {0};
        d.kind = ST_DROP_TABLE;
        d.name.db = (char *)tm->dbname;
        d.name.schema = tm->schema;
        d.name.name = tm->name;
        if (catalog_drop_table(s, &d, e))
            return -1;
    }
    return sync_journaled(s, dbid, in->source_oid, e);
}

/* ------------------------------------------------------------ enable / disable db */

static int enable_db(struct engine_session *s, void *arg, struct sqlerr *e)
{
    (void)arg;
    int dbid = s->dbid;
    if (cdc_db_enabled(s, dbid)) {
        char msg[600];
        snprintf(msg, sizeof(msg),
                 "Database '%s' is already enabled for Change Data Capture. Ensure that the correct database context is set, and retry the operation. To report on the databases enabled for Change Data Capture, query the is_cdc_enabled column in the sys.databases catalog view.",
                 s->dbname);
        exec_msg(s, 22905, 10, 1, 1, msg, false);
        return 0;
    }
    char *uq = sqlite3_mprintf("SELECT count(*) FROM \"d%d\".tl_principals WHERE name = 'cdc'", dbid);
    bool user = uq && exec_query_int(s, uq, 0, NULL) > 0;
    sqlite3_free(uq);
    if (user || catalog_schema_id(s, dbid, "cdc") > 0) {
        sqlerr_set(e, 22906, 16,
                   "The database '%s' cannot be enabled for Change Data Capture because a database user named 'cdc' or a schema named 'cdc' already exists in the current database. These objects are required exclusively by Change Data Capture. Drop or rename the user or schema and retry the operation.",
                   s->dbname);
        return -1;
    }
    struct stmt cs = {0};
    cs.kind = ST_CREATE_SCHEMA;
    cs.ident = "cdc";
    char now[40];
    now_datetime(s, now, sizeof(now));
    /* the cdc user (without login) that owns CDC's objects */
    if (catalog_create_schema(s, &cs, e) || txn_lock(s, 1, e) ||
        run(s, sqlite3_mprintf("INSERT INTO \"d%d\".tl_principals(principal_id, name, type, sid, default_schema,"
                               " create_date) VALUES ((SELECT max(5, coalesce(max(principal_id) + 1, 0)) FROM"
                               " \"d%d\".tl_principals WHERE principal_id < 16384), 'cdc', 'S', NULL, 'cdc', %Q)",
                               dbid, dbid, now),
            e))
        return -1;
    return run(s, catalog_sqlf("DELETE FROM \"d%1$d\".tl_cdc_state;"
                                  "INSERT INTO \"d%1$d\".tl_cdc_state VALUES (%2$lld);"
                                  "UPDATE \"d1\".tl_databases SET is_cdc_enabled = 1 WHERE database_id = %1$d;",
                                  dbid, (long long)max_commit(s, dbid)),
               e);
}

static int disable_db(struct engine_session *s, void *arg, struct sqlerr *e)
{
    (void)arg;
    int dbid = s->dbid;
    if (!cdc_db_enabled(s, dbid))
        return 0;
    struct instance *in;
    int n;
    if (list_instances(s, dbid, 0, &in, &n)) {
        exec_sqlite_err(s, sqlite3_errcode(s->db), e);
        return -1;
    }
    for (int i = 0; i < n; i++)
        if (drop_instance(s, dbid, &in[i], e))
            return -1;
    if (txn_lock(s, 1, e) ||
        run(s, catalog_sqlf("DELETE FROM \"d%1$d\".tl_cdc_state; DELETE FROM \"d%1$d\".tl_cdc_lsn_time;"
                               "DELETE FROM \"d%1$d\".tl_cdc_ddl_history;"
                               "DELETE FROM \"d%1$d\".tl_principals WHERE name = 'cdc' AND type = 'S';"
                               "UPDATE \"d1\".tl_databases SET is_cdc_enabled = 0 WHERE database_id = %1$d;",
                               dbid),
            e))
        return -1;
    /* the cdc schema goes unless someone put objects of their own in it */
    int sid = catalog_schema_id(s, dbid, "cdc");
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"d%d\".tl_objects WHERE schema_id = %d", dbid, sid);
    if (sid > 0 && exec_query_int(s, sql, 0, NULL) == 0)
        return run(s, sqlite3_mprintf("DELETE FROM \"d%d\".tl_schemas WHERE schema_id = %d", dbid, sid), e);
    return 0;
}

/* ------------------------------------------------------------ enable table */

/* sys.sp_cdc_enable_table's arguments, validated step by step. */
struct enable_args {
    struct sarg a[9];
    char *schema, *table, *role, *ci, *index, *collist, *filegroup;
    struct table_meta *tm;
    struct idx_meta *key; /* PK or @index_name, NULL when neither */
    bool net;
    bool *captured; /* per tm->cols */
    int ncap;
};

static struct col_meta *col_by_name(struct table_meta *tm, const char *name)
{
    for (int i = 0; i < tm->ncols; i++)
        if (ieq(tm->cols[i].name, name))
            return &tm->cols[i];
    return NULL;
}

static int col_index(struct table_meta *tm, int column_id)
{
    for (int i = 0; i < tm->ncols; i++)
        if (tm->cols[i].id == column_id)
            return i;
    return -1;
}

/*
 * @captured_column_list: comma-separated names, each optionally [quoted]
 * or "quoted" (doubled ]] / "" inside). Marks a->captured. 22965 for an
 * unterminated quote, 22942 for a name that is no column.
 */
static int parse_column_list(struct engine_session *s, struct enable_args *a, struct sqlerr *e)
{
    struct table_meta *tm = a->tm;
    const char *p = a->collist;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
        struct buf nb;
        buf_init(&nb, 0);
        if (*p == '[' || *p == '"') {
            char close = *p == '[' ? ']' : '"';
            p++;
            for (;;) {
                if (!*p) {
                    buf_free(&nb);
                    sqlerr_set(e, 22965, 16, "A quoted column in the column list is not properly terminated. Verify that columns are correctly delimited and retry the operation. For more information, see 'Delimited Identifiers' in Books Online.");
                    return -1;
                }
                if (*p == close) {
                    if (p[1] == close) {
                        buf_append_byte(&nb, (uint8_t)close);
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                buf_append_byte(&nb, (uint8_t)*p++);
            }
            while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
                p++;
        } else {
            while (*p && *p != ',')
                buf_append_byte(&nb, (uint8_t)*p++);
        }
        char *name = trim(arena_strndup(&s->ba, nb.data ? (char *)nb.data : "", nb.len));
        buf_free(&nb);
        struct col_meta *c = name && *name ? col_by_name(tm, name) : NULL;
        if (!c || (*p && *p != ',')) {
            sqlerr_set(e, 22942, 16, "Columns specified in the captured column list could not be mapped to columns in source table '%s.%s'. Verify that the columns specified in the parameter @captured_column_list are delimited properly and match columns in the source table.",
                       tm->schema, tm->name);
            return -1;
        }
        a->captured[c - tm->cols] = true;
        if (!*p)
            return 0;
        p++; /* the comma */
    }
}

static int enable_table_check(struct engine_session *s, struct enable_args *a, struct sqlerr *e)
{
    struct sarg *v = a->a;
    a->schema = trim(arg_str(s, &v[0]));
    a->table = trim(arg_str(s, &v[1]));
    if (!a->schema || !*a->schema || !a->table || !*a->table) {
        sqlerr_set(e, 22963, 16, "Parameter '%s' cannot be null or empty. Specify a value for the named parameter and retry the operation.",
                   !a->schema || !*a->schema ? "@source_schema" : "@source_name");
        return -1;
    }
    a->role = trim(arg_str(s, &v[2]));
    if (v[2].given && v[2].v.kind != TL_V_NULL && (!a->role || !*a->role)) {
        sqlerr_set(e, 22907, 16, "Parameter @role_name cannot be empty. Specify a value for @role_name and retry the operation. Supply null as the value if no role is to be used to gate access to captured change data.");
        return -1;
    }
    if (ieq(a->schema, "cdc")) {
        sqlerr_set(e, 22974, 16, "Tables contained in the cdc schema cannot be enabled for Change Data Capture.");
        return -1;
    }
    struct name3 n = {NULL, a->schema, a->table};
    struct sqlerr ig = {0};
    a->tm = catalog_table(s, &s->ba, &n, &ig);
    if (!a->tm) {
        sqlerr_set(e, 22931, 16, "Source table '%s.%s' does not exist in the current database. Ensure that the correct database context is set. Specify a valid schema and table name for the database.",
                   a->schema, a->table);
        return -1;
    }
    struct table_meta *tm = a->tm;
    char *ci = arg_str(s, &v[3]);
    if (ci) {
        size_t k = strlen(ci); /* trailing blanks are trimmed, leading ones kept */
        while (k && ci[k - 1] == ' ')
            ci[--k] = 0;
    } else {
        ci = arena_printf(&s->ba, "%s_%s", a->schema, a->table);
    }
    a->ci = ci;
    if (strlen(ci) > 100) {
        sqlerr_set(e, 22927, 16, "Capture instance name '%s' exceeds the length limit of 100 characters. Specify a name that satisfies the length constraint.", ci);
        return -1;
    }
    if (!*ci || strpbrk(ci, "[]\"'")) {
        sqlerr_set(e, 22932, 16, "Capture instance name '%s' is invalid. Specify a valid name. See the topic 'Identifiers' in SQL Server Books Online for object name rules.", ci);
        return -1;
    }
    char *sql = sqlite3_mprintf("SELECT count(*) FROM \"d%d\".tl_cdc_tables WHERE capture_instance = %Q", tm->dbid, ci);
    bool taken = sql && exec_query_int(s, sql, 0, NULL) > 0;
    sqlite3_free(sql);
    if (taken) {
        sqlerr_set(e, 22926, 16, "Could not create a capture instance because the capture instance name '%s' already exists in the current database. Specify an explicit unique name for the parameter @capture_instance.", ci);
        return -1;
    }
    sql = sqlite3_mprintf("SELECT count(*) FROM \"d%d\".tl_cdc_tables WHERE source_object_id = %lld", tm->dbid,
                          (long long)tm->object_id);
    int64_t have = sql ? exec_query_int(s, sql, 0, NULL) : 0;
    sqlite3_free(sql);
    if (have >= 2) {
        sqlerr_set(e, 22962, 16, "Two capture instances already exist for source table '%s.%s'. A table can have at most two capture instances. If the current tracking options are not appropriate, disable change tracking for the obsolete instance by using sys.sp_cdc_disable_table and retry the operation.",
                   tm->schema, tm->name);
        return -1;
    }
    return 0;
}

/* The row identifier: @index_name (22928, 22929, 22838) or the PK. */
static int enable_table_key(struct engine_session *s, struct enable_args *a, struct sqlerr *e)
{
    struct table_meta *tm = a->tm;
    a->index = trim(arg_str(s, &a->a[5]));
    if (a->index && *a->index) {
        for (int k = 0; k < tm->nidx; k++)
            if (ieq(tm->idx[k].name, a->index))
                a->key = &tm->idx[k];
        if (!a->key) {
            sqlerr_set(e, 22928, 16, "Index name '%s' is not an index for table '%s.%s'. Specify a valid index name for the table.",
                       a->index, tm->schema, tm->name);
            return -1;
        }
        if (!a->key->unique && !a->key->pk) {
            sqlerr_set(e, 22929, 16, "Index '%s' must be either a primary key or a unique index for table '%s.%s'. Specify an index that meets at least one of these requirements.",
                       a->index, tm->schema, tm->name);
            return -1;
        }
        for (int j = 0; j < a->key->ncols; j++) {
            int ci = col_index(tm, a->key->cols[j]);
            if (ci >= 0 && tm->cols[ci].nullable) {
                sqlerr_set(e, 22838, 16, "All columns of a CDC unique index must be defined as NOT NULL. Index '%s' selected as the CDC unique index for source table '%s.%s' does not meet this requirement. Define all columns of the selected index as NOT NULL or select another unique index as the CDC index and resubmit the request.",
                           a->index, tm->schema, tm->name);
                return -1;
            }
        }
        a->index = a->key->name;
    } else {
        a->index = NULL;
        for (int k = 0; k < tm->nidx; k++)
            if (tm->idx[k].pk)
                a->key = &tm->idx[k];
    }
    struct sarg *net = &a->a[4];
    a->net = net->given && net->v.kind != TL_V_NULL ? net->v.i != 0 : a->key != NULL;
    if (a->net && !a->key) {
        sqlerr_set(e, 22939, 16, "The parameter @supports_net_changes is set to 1, but the source table does not have a primary key defined and no alternate unique index has been specified.");
        return -1;
    }
    if (a->net && a->key->ncols > 14) {
        sqlerr_set(e, 22865, 16, "The number of columns in the index '%s', used as the unique row identifier to support net changes for table '%s'.'%s', exceeds the limit of 14 columns. Set the parameter @supports_net_changes to 0 or use the @index_name parameter to identify a unique index with fewer than 15 columns as the unique row identifier and resubmit the request.",
                   a->key->name, tm->schema, tm->name);
        return -1;
    }
    return 0;
}

/* Which columns are captured (22942, 22965, 22943, 22975). */
static int enable_table_columns(struct engine_session *s, struct enable_args *a, struct sqlerr *e)
{
    struct table_meta *tm = a->tm;
    a->captured = arena_alloc(&s->ba, sizeof(bool) * (size_t)(tm->ncols ? tm->ncols : 1));
    if (!a->captured) {
        sqlerr_set(e, 701, 19, "There is insufficient system memory to run this query.");
        return -1;
    }
    a->collist = arg_str(s, &a->a[6]);
    bool all = !a->collist || !*trim(a->collist);
    for (int i = 0; i < tm->ncols; i++)
        a->captured[i] = all;
    if (!all && parse_column_list(s, a, e))
        return -1;
    for (int i = 0; i < tm->ncols; i++)
        if (a->captured[i] && !strncmp(tm->cols[i].name, "__$", 3)) {
            sqlerr_set(e, 22975, 16, "Source table '%s' contains one of the following reserved column names: __$start_lsn, __$end_lsn, __$seqval, __$operation, and __$update_mask. To enable Change Data Capture for this table, specify a captured column list and ensure that these columns are excluded from the list.",
                       tm->name);
            return -1;
        }
    for (int j = 0; a->key && j < a->key->ncols; j++) {
        int ci = col_index(tm, a->key->cols[j]);
        if (ci >= 0 && !a->captured[ci]) {
            sqlerr_set(e, 22943, 16, "Columns used to uniquely identify a row for net change tracking must be included in the list of captured columns. Add either the primary key columns of the source table, or the columns defined for the index specified in the parameter @index_name to the list of captured columns and retry the operation.");
            return -1;
        }
    }
    a->ncap = 0;
    for (int i = 0; i < tm->ncols; i++)
        a->ncap += a->captured[i];
    a->filegroup = trim(arg_str(s, &a->a[7]));
    if (a->filegroup && *a->filegroup && !ieq(a->filegroup, "PRIMARY")) {
        sqlerr_set(e, 22973, 16, "The specified filegroup '%s' is not a valid filegroup for database '%s'. Specify a valid existing filegroup or create the named filegroup, and retry the operation.",
                   a->filegroup, s->dbname);
        return -1;
    }
    return 0;
}

/* The change table's type for a captured column: rowversion is binary(8);
 * identity is not carried over (coldef has no identity). */
static struct tl_type ct_type(const struct tl_type *t)
{
    if (t->id == TL_T_ROWVERSION)
        return (struct tl_type){TL_T_BINARY, 8, 0, 0};
    return *t;
}

/* CREATE TABLE cdc.<ci>_CT and its indexes; *oid its object_id. */
static int create_change_table(struct engine_session *s, struct enable_args *a, int64_t *oid,
                               struct sqlerr *e)
{
    struct table_meta *tm = a->tm;
    int n = a->ncap + 6;
    struct coldef *cd = arena_alloc(&s->ba, sizeof(*cd) * (size_t)n);
    if (!cd) {
        sqlerr_set(e, 701, 19, "There is insufficient system memory to run this query.");
        return -1;
    }
    memset(cd, 0, sizeof(*cd) * (size_t)n);
    static const struct {
        const char *name;
        struct tl_type t;
        int nullable;
    } meta[5] = {{"__$start_lsn", {TL_T_BINARY, 10, 0, 0}, 0},   {"__$end_lsn", {TL_T_BINARY, 10, 0, 0}, 1},
                 {"__$seqval", {TL_T_BINARY, 10, 0, 0}, 0},      {"__$operation", {TL_T_INT, 0, 0, 0}, 0},
                 {"__$update_mask", {TL_T_VARBINARY, 128, 0, 0}, 1}};
    int k = 0;
    for (; k < 5; k++) {
        cd[k].name = (char *)meta[k].name;
        cd[k].type = meta[k].t;
        cd[k].nullable = meta[k].nullable;
    }
    for (int i = 0; i < tm->ncols; i++) {
        if (!a->captured[i])
            continue;
        cd[k].name = tm->cols[i].name;
        cd[k].type = ct_type(&tm->cols[i].type);
        cd[k].collation = tm->cols[i].collation;
        cd[k].nullable = 1;
        k++;
    }
    cd[k].name = "__$command_id";
    cd[k].type = (struct tl_type){TL_T_INT, 0, 0, 0};
    cd[k].nullable = 1;
    k++;
    char *ctname = arena_printf(&s->ba, "%s_CT", a->ci);
    struct stmt ct = {0};
    ct.kind = ST_CREATE_TABLE;
    ct.name.schema = "cdc";
    ct.name.name = ctname;
    ct.cdefs = cd;
    ct.ncdefs = k;
    if (catalog_create_table(s, &ct, e))
        return -1;
    struct sqlerr ig = {0};
    struct table_meta *ctm = catalog_table(s, &s->ba, &ct.name, &ig);
    if (!ctm) {
        sqlerr_set(e, 22947, 16, "Could not create the change table for capture instance '%s' and source table '%s.%s'. Refer to previous errors in the current session to identify the cause and correct any associated problems.",
                   a->ci, tm->schema, tm->name);
        return -1;
    }
    *oid = ctm->object_id;
    /* SQL Server's two indexes: the clustered one the query functions scan,
     * and for net changes one on the row identifier */
    char *lsncols[] = {"__$start_lsn", "__$seqval", "__$operation"};
    struct stmt ix = {0};
    ix.kind = ST_CREATE_INDEX;
    ix.name = ct.name;
    ix.ident = arena_printf(&s->ba, "%s_CT_clustered_idx", a->ci);
    ix.cols = lsncols;
    ix.ncols = 3;
    ix.unique = ix.clustered = true;
    if (catalog_create_index(s, &ix, e))
        return -1;
    if (!a->net)
        return 0;
    char **kc = arena_alloc(&s->ba, sizeof(char *) * (size_t)(a->key->ncols + 2));
    if (!kc)
        return -1;
    for (int j = 0; j < a->key->ncols; j++)
        kc[j] = tm->cols[col_index(tm, a->key->cols[j])].name;
    kc[a->key->ncols] = "__$start_lsn";
    kc[a->key->ncols + 1] = "__$seqval";
    memset(&ix, 0, sizeof(ix));
    ix.kind = ST_CREATE_INDEX;
    ix.name = ct.name;
    ix.ident = arena_printf(&s->ba, "%s_CT_idx", a->ci);
    ix.cols = kc;
    ix.ncols = a->key->ncols + 2;
    return catalog_create_index(s, &ix, e);
}

/* The gating role of an instance is created when it does not exist
 * (22938 when the name is taken by a user). */
static int create_role(struct engine_session *s, int dbid, const char *role, struct sqlerr *e)
{
    char *sql = sqlite3_mprintf("SELECT coalesce((SELECT CASE type WHEN 'R' THEN 1 ELSE 2 END FROM \"d%d\".tl_principals"
                                " WHERE name = %Q), 0)",
                                dbid, role);
    int64_t kind = sql ? exec_query_int(s, sql, 0, NULL) : 0;
    sqlite3_free(sql);
    if (kind == 1)
        return 0;
    if (kind == 2) {
        sqlerr_set(e, 22938, 16, "Role name '%s' is invalid. Specify a valid name. See the topic 'Identifiers' in SQL Server Books Online for object name rules.",
                   role);
        return -1;
    }
    char now[40];
    now_datetime(s, now, sizeof(now));
    return run(s, sqlite3_mprintf("INSERT INTO \"d%d\".tl_principals(principal_id, name, type, sid, create_date)"
                                  " VALUES ((SELECT max(5, coalesce(max(principal_id) + 1, 0)) FROM \"d%d\".tl_principals"
                                  " WHERE principal_id < 16384), %Q, 'R', NULL, %Q)",
                                  dbid, dbid, role, now),
               e);
}

static int enable_table(struct engine_session *s, void *arg, struct sqlerr *e)
{
    struct enable_args *a = arg;
    if (!cdc_db_enabled(s, s->dbid))
        return not_enabled(s, e);
    if (enable_table_check(s, a, e) || enable_table_key(s, a, e) || enable_table_columns(s, a, e))
        return -1;
    struct table_meta *tm = a->tm;
    int dbid = tm->dbid;
    struct sarg *sw = &a->a[8];
    if (sw->given && sw->v.kind != TL_V_NULL && sw->v.i == 0) /* tdslite has no partitioned tables */
        exec_msg(s, 22857, 10, 1, 1, "Warning: The @allow_partition_switch parameter must be 1 for tables that are not partitioned. The explicit setting of the parameter to 0 was ignored. Refer to books online for more information about partition switching behavior when using Change Data Capture.", false);
    if (a->role && create_role(s, dbid, a->role, e))
        return -1;
    int64_t oid = 0;
    if (create_change_table(s, a, &oid, e))
        return -1;
    char now[40];
    now_datetime(s, now, sizeof(now));
    if (run(s, sqlite3_mprintf("INSERT INTO \"d%d\".tl_cdc_tables(object_id, source_object_id, capture_instance,"
                               " start_lsn, supports_net_changes, role_name, index_name, filegroup_name, create_date,"
                               " partition_switch, start_commit, seq) VALUES (%lld, %lld, %Q, NULL, %d, %Q,"
                               " %Q, %Q, %Q, 1, %lld,"
                               " (SELECT coalesce(max(seq), 0) + 1 FROM \"d%d\".tl_cdc_tables))",
                               dbid, (long long)oid, (long long)tm->object_id, a->ci, a->net ? 1 : 0, a->role,
                               a->index, a->filegroup && *a->filegroup ? a->filegroup : NULL, now,
                               (long long)max_commit(s, dbid), dbid),
            e))
        return -1;
    int ord = 0;
    for (int i = 0; i < tm->ncols; i++) {
        if (!a->captured[i])
            continue;
        struct col_meta *c = &tm->cols[i];
        if (run(s, sqlite3_mprintf("INSERT INTO \"d%d\".tl_cdc_columns(object_id, column_ordinal, column_name,"
                                   " column_id, column_type) VALUES (%lld, %d, %Q, %d, %Q)",
                                   dbid, (long long)oid, ++ord, c->name, c->id, value_type_base_name(c->type.id)),
                e))
            return -1;
    }
    for (int j = 0; a->key && j < a->key->ncols; j++) {
        struct col_meta *c = &tm->cols[col_index(tm, a->key->cols[j])];
        if (run(s, sqlite3_mprintf("INSERT INTO \"d%d\".tl_cdc_index_columns VALUES (%lld, %d, %Q, %d)", dbid,
                                   (long long)oid, j + 1, c->name, c->id),
                e))
            return -1;
    }
    return sync_journaled(s, dbid, tm->object_id, e);
}

/* ------------------------------------------------------------ disable table */

struct disable_args {
    struct sarg a[3];
};

static int disable_table(struct engine_session *s, void *arg, struct sqlerr *e)
{
    struct disable_args *d = arg;
    if (!cdc_db_enabled(s, s->dbid))
        return not_enabled(s, e);
    char *schema = trim(arg_str(s, &d->a[0])), *table = trim(arg_str(s, &d->a[1]));
    char *ci = trim(arg_str(s, &d->a[2]));
    if (!schema || !*schema || !table || !*table || !ci || !*ci) {
        sqlerr_set(e, 22963, 16, "Parameter '%s' cannot be null or empty. Specify a value for the named parameter and retry the operation.",
                   !schema || !*schema ? "@source_schema" : !table || !*table ? "@source_name" : "@capture_instance");
        return -1;
    }
    struct name3 n = {NULL, schema, table};
    struct sqlerr ig = {0};
    struct table_meta *tm = catalog_table(s, &s->ba, &n, &ig);
    if (!tm) {
        sqlerr_set(e, 22931, 16, "Source table '%s.%s' does not exist in the current database. Ensure that the correct database context is set. Specify a valid schema and table name for the database.",
                   schema, table);
        return -1;
    }
    struct instance *in;
    int cnt;
    if (list_instances(s, tm->dbid, tm->object_id, &in, &cnt)) {
        exec_sqlite_err(s, sqlite3_errcode(s->db), e);
        return -1;
    }
    if (cnt == 0) {
        sqlerr_set(e, 22985, 16, "Change data capture has not been enabled for source table '%s.%s'. Specify the name of a table enabled for Change Data Capture. To report on the tables enabled for Change Data Capture, query the is_tracked_by_cdc column in the sys.tables catalog view.",
                   schema, table);
        return -1;
    }
    bool all = ieq(ci, "all"), found = false;
    for (int i = 0; i < cnt; i++) {
        if (!all && !ieq(in[i].name, ci))
            continue;
        found = true;
        if (drop_instance(s, tm->dbid, &in[i], e))
            return -1;
    }
    if (!found) {
        sqlerr_set(e, 22960, 16, "Change data capture instance '%s' has not been enabled for the source table '%s.%s'. Use sys.sp_cdc_help_change_data_capture to verify the capture instance name and retry the operation.",
                   ci, schema, table);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ jobs */

struct job_args {
    struct sarg a[8];
};

/* sys.sp_cdc_change_job: the cleanup job's @retention (minutes, 22994)
 * and @threshold (22850); the capture job's settings are accepted and
 * ignored (tdslite's job runs every --cdc-capture-delay-ms). */
static int change_job(struct engine_session *s, void *arg, struct sqlerr *e)
{
    struct job_args *j = arg;
    if (!cdc_db_enabled(s, s->dbid))
        return not_enabled(s, e);
    char *type = trim(arg_str(s, &j->a[0]));
    if (!type || (!ieq(type, "capture") && !ieq(type, "cleanup"))) {
        sqlerr_set(e, 22992, 16, "The specified @job_type, %s, is not supported. The value specified for the parameter @job_type must be N'capture' to indicate a capture job, or N'cleanup' to indicate a cleanup job.",
                   type ? type : "NULL");
        return -1;
    }
    struct sarg *ret = &j->a[5], *thr = &j->a[6];
    if (ieq(type, "capture")) {
        if (ret->given && ret->v.kind != TL_V_NULL) {
            sqlerr_set(e, 22995, 16, "A value for the parameter @retention cannot be specified when the job type is 'capture'. Specify NULL for the parameter, or omit the parameter from the statement.");
            return -1;
        }
        return 0;
    }
    if (ret->given && ret->v.kind != TL_V_NULL) {
        if (ret->v.i <= 0 || ret->v.i > 52594800) {
            sqlerr_set(e, 22994, 16, "The retention value specified for the Change Data Capture cleanup process must be greater than 0 and less than or equal to 52594800. When creating or modifying the cleanup job, specify a retention value (in minutes) that is within that range. If this error is encountered when executing the sys.sp_cdc_cleanup_change_table stored procedure, reset the retention value associated with the job to a non-negative value less than 52594800 by using the sp_cdc_change_job stored procedure.");
            return -1;
        }
        if (run(s, sqlite3_mprintf("INSERT INTO \"d%d\".tl_meta(k, v) VALUES ('cdc_retention', %lld)"
                                   " ON CONFLICT(k) DO UPDATE SET v = excluded.v",
                                   s->dbid, (long long)ret->v.i),
                e))
            return -1;
    }
    if (thr->given && thr->v.kind != TL_V_NULL) {
        if (thr->v.i <= 0) {
            sqlerr_set(e, 22850, 16, "The threshold value specified for the Change Data Capture cleanup process must be greater than 0. When creating or modifying the cleanup job, specify a positive threshold value. If this error is encountered when executing the sys.sp_cdc_cleanup_change_table stored procedure, reset the threshold value associated with the job to a non-negative value by using the sp_cdc_change_job stored procedure.");
            return -1;
        }
        if (run(s, sqlite3_mprintf("INSERT INTO \"d%d\".tl_meta(k, v) VALUES ('cdc_threshold', %lld)"
                                   " ON CONFLICT(k) DO UPDATE SET v = excluded.v",
                                   s->dbid, (long long)thr->v.i),
                e))
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ views */

static const struct cdc_viewdef {
    const char *name, *cols, *sql;
} cdc_views[] = {
    {"change_tables",
     "object_id:int;version:int:n;source_object_id:int:n;capture_instance:sysname;start_lsn:binary(10):n;"
     "end_lsn:binary(10):n;supports_net_changes:bit;has_drop_pending:bit:n;role_name:sysname:n;"
     "index_name:sysname:n;filegroup_name:sysname:n;create_date:datetime:n;partition_switch:bit",
     "SELECT object_id AS object_id, 0 AS version, source_object_id AS source_object_id,"
     " capture_instance AS capture_instance, start_lsn AS start_lsn, NULL AS end_lsn,"
     " supports_net_changes AS supports_net_changes, NULL AS has_drop_pending, role_name AS role_name,"
     " index_name AS index_name, filegroup_name AS filegroup_name, create_date AS create_date,"
     " partition_switch AS partition_switch FROM $D.tl_cdc_tables"},
    {"captured_columns",
     "object_id:int;column_name:sysname;column_id:int:n;column_type:sysname;column_ordinal:int;"
     "is_computed:bit:n;masking_function:nvarchar(4000):n",
     "SELECT object_id AS object_id, column_name AS column_name, column_id AS column_id,"
     " column_type AS column_type, column_ordinal AS column_ordinal, is_computed AS is_computed,"
     " NULL AS masking_function FROM $D.tl_cdc_columns"},
    {"index_columns", "object_id:int;column_name:sysname;index_ordinal:tinyint;column_id:int",
     "SELECT object_id AS object_id, column_name AS column_name, index_ordinal AS index_ordinal,"
     " column_id AS column_id FROM $D.tl_cdc_index_columns"},
    {"lsn_time_mapping",
     "start_lsn:binary(10);tran_begin_time:datetime:n;tran_end_time:datetime:n;tran_id:varbinary(10):n",
     "SELECT start_lsn AS start_lsn, tran_begin_time AS tran_begin_time, tran_end_time AS tran_end_time,"
     " tran_id AS tran_id FROM $D.tl_cdc_lsn_time"},
    {"ddl_history",
     "source_object_id:int:n;object_id:int;required_column_update:bit:n;ddl_command:nvarchar(max):n;"
     "ddl_lsn:binary(10);ddl_time:datetime:n",
     "SELECT source_object_id AS source_object_id, object_id AS object_id,"
     " required_column_update AS required_column_update, ddl_command AS ddl_command, ddl_lsn AS ddl_lsn,"
     " ddl_time AS ddl_time FROM $D.tl_cdc_ddl_history"},
};

int cdc_view(struct gen *g, const struct name3 *n, struct src *out)
{
    const struct cdc_viewdef *v = NULL;
    for (size_t i = 0; i < sizeof(cdc_views) / sizeof(cdc_views[0]); i++)
        if (ieq(cdc_views[i].name, n->name))
            v = &cdc_views[i];
    if (!v)
        return 1; /* a change table, or nothing: catalog_table decides */
    int dbid;
    const char *dbname;
    struct sqlerr ig = {0};
    if (catalog_resolve_db(g->s, n->db, &dbid, &dbname, &ig) || !cdc_db_enabled(g->s, dbid))
        return 1; /* 208 from catalog_table */
    return catalog_view_src(g, dbid, dbname, "cdc", v->name, v->cols, v->sql, out);
}

/* ------------------------------------------------------------ DDL hooks */

int cdc_truncate_check(struct engine_session *s, const struct table_meta *tm, struct sqlerr *e)
{
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"d%d\".tl_cdc_tables WHERE source_object_id = %lld",
             tm->dbid, (long long)tm->object_id);
    if (exec_query_int(s, sql, 0, NULL) == 0)
        return 0;
    sqlerr_set(e, 4711, 16, "Cannot truncate table '%s' because it is published for replication or enabled for Change Data Capture.",
               tm->name);
    return -1;
}

int cdc_table_dropped(struct engine_session *s, const struct table_meta *tm, struct sqlerr *e)
{
    struct instance *in;
    int n;
    if (list_instances(s, tm->dbid, tm->object_id, &in, &n)) {
        exec_sqlite_err(s, sqlite3_errcode(s->db), e);
        return -1;
    }
    for (int i = 0; i < n; i++)
        if (drop_instance(s, tm->dbid, &in[i], e))
            return -1;
    /* a change table dropped by hand takes its instance's metadata along */
    return run(s, catalog_sqlf("DELETE FROM \"d%1$d\".tl_cdc_columns WHERE object_id = %2$lld;"
                                  "DELETE FROM \"d%1$d\".tl_cdc_index_columns WHERE object_id = %2$lld;"
                                  "DELETE FROM \"d%1$d\".tl_cdc_tables WHERE object_id = %2$lld;",
                                  tm->dbid, (long long)tm->object_id),
               e);
}

/* ALTER COLUMN of a captured column: the change table's column follows
 * (22976 when its rows do not convert). */
static int alter_captured(struct engine_session *s, const struct instance *in, const struct coldef *nc,
                          const struct table_meta *before, struct sqlerr *e)
{
    int dbid = before->dbid;
    char *sql = sqlite3_mprintf("SELECT count(*) FROM \"d%d\".tl_cdc_columns WHERE object_id = %lld AND column_name = %Q"
                                " AND dropped_commit IS NULL",
                                dbid, (long long)in->ct_oid, nc->name);
    int64_t has = sql ? exec_query_int(s, sql, 0, NULL) : 0;
    sqlite3_free(sql);
    if (!has)
        return 0;
    if (run(s, sqlite3_mprintf("UPDATE \"d%d\".tl_cdc_columns SET column_type = %Q WHERE object_id = %lld"
                               " AND column_name = %Q",
                               dbid, value_type_base_name(nc->type.id), (long long)in->ct_oid, nc->name),
            e))
        return -1;
    struct table_meta *ctm = catalog_table_by_id(s, &s->ba, dbid, in->ct_oid);
    if (!ctm)
        return 0;
    struct coldef cd = *nc;
    cd.type = ct_type(&nc->type);
    cd.nullable = 1;
    struct stmt at = {0};
    at.kind = ST_ALTER_TABLE;
    at.akind = AT_ALTER_COL;
    at.name.db = (char *)ctm->dbname;
    at.name.schema = ctm->schema;
    at.name.name = ctm->name;
    at.cdefs = &cd;
    at.ncdefs = 1;
    struct sqlerr e2 = {0};
    if (catalog_alter_table(s, &at, &e2)) {
        sqlerr_set(e, 22976, 16, "Could not alter column '%s' of change table '%s' in response to a data type change in the corresponding column of the source table '%s'. The Change Data Capture meta data for source table '%s' no longer accurately reflects the source table. Refer to previous errors in the current session to identify the cause and correct any associated problems.",
                   nc->name, ctm->name, before->name, before->name);
        return -1;
    }
    return 0;
}

int cdc_table_altered(struct engine_session *s, const struct table_meta *before,
                      const struct stmt *st, struct sqlerr *e)
{
    struct instance *in;
    int n;
    if (st->akind != AT_ADD_COL && st->akind != AT_DROP_COL && st->akind != AT_ALTER_COL)
        return 0;
    if (list_instances(s, before->dbid, before->object_id, &in, &n)) {
        exec_sqlite_err(s, sqlite3_errcode(s->db), e);
        return -1;
    }
    if (n == 0)
        return 0;
    int dbid = before->dbid;
    int64_t commit = max_commit(s, dbid);
    uint8_t lsn[CDC_LSN_LEN];
    cdc_lsn_make(commit, 0, lsn);
    char now[40];
    now_datetime(s, now, sizeof(now));
    for (int i = 0; i < n; i++) {
        bool type_change = false;
        if (st->akind == AT_DROP_COL) {
            /* rows of commits after this one read the column as NULL */
            if (run(s, sqlite3_mprintf("UPDATE \"d%d\".tl_cdc_columns SET dropped_commit = %lld WHERE object_id = %lld"
                                       " AND column_name = %Q AND dropped_commit IS NULL",
                                       dbid, (long long)commit, (long long)in[i].ct_oid, st->ident),
                    e))
                return -1;
        } else if (st->akind == AT_ALTER_COL) {
            char *sql = sqlite3_mprintf("SELECT count(*) FROM \"d%d\".tl_cdc_columns WHERE object_id = %lld"
                                        " AND column_name = %Q",
                                        dbid, (long long)in[i].ct_oid, st->cdefs[0].name);
            type_change = sql && exec_query_int(s, sql, 0, NULL) > 0;
            sqlite3_free(sql);
            if (alter_captured(s, &in[i], &st->cdefs[0], before, e))
                return -1;
        }
        if (run(s, sqlite3_mprintf("INSERT INTO \"d%d\".tl_cdc_ddl_history VALUES (%lld, %lld, %d, %Q,"
                                   " x'%02x%02x%02x%02x%02x%02x%02x%02x%02x%02x', %Q)",
                                   dbid, (long long)before->object_id, (long long)in[i].ct_oid, type_change,
                                   st->sqltext ? st->sqltext : "ALTER TABLE", lsn[0], lsn[1], lsn[2], lsn[3],
                                   lsn[4], lsn[5], lsn[6], lsn[7], lsn[8], lsn[9], now),
                e))
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ procedures */

static int call_enable_table(struct engine_session *s, struct stmt *st, const struct engine_param *params,
                             size_t np, struct sqlerr *e)
{
    static const struct spar spec[] = {
        {"@source_schema", SYSNAME, true},
        {"@source_name", SYSNAME, true},
        {"@role_name", SYSNAME, true},
        {"@capture_instance", SYSNAME, false},
        {"@supports_net_changes", {TL_T_BIT, 0, 0, 0}, false},
        {"@index_name", SYSNAME, false},
        {"@captured_column_list", {TL_T_NVARCHAR, TL_MAX, 0, 0}, false},
        {"@filegroup_name", SYSNAME, false},
        {"@allow_partition_switch", {TL_T_BIT, 0, 0, 0}, false},
    };
    struct enable_args a;
    memset(&a, 0, sizeof(a));
    if (bind_args(s, "sp_cdc_enable_table", st, params, np, spec, 9, a.a, e))
        return -1;
    return run_write(s, enable_table, &a, e);
}

static int call_disable_table(struct engine_session *s, struct stmt *st, const struct engine_param *params,
                              size_t np, struct sqlerr *e)
{
    static const struct spar spec[] = {
        {"@source_schema", SYSNAME, true},
        {"@source_name", SYSNAME, true},
        {"@capture_instance", SYSNAME, true},
    };
    struct disable_args d;
    if (bind_args(s, "sp_cdc_disable_table", st, params, np, spec, 3, d.a, e))
        return -1;
    return run_write(s, disable_table, &d, e);
}

static int call_change_job(struct engine_session *s, struct stmt *st, const struct engine_param *params,
                           size_t np, struct sqlerr *e)
{
    static const struct spar spec[] = {
        {"@job_type", {TL_T_NVARCHAR, 20, 0, 0}, false},
        {"@maxtrans", {TL_T_INT, 0, 0, 0}, false},
        {"@maxscans", {TL_T_INT, 0, 0, 0}, false},
        {"@continuous", {TL_T_BIT, 0, 0, 0}, false},
        {"@pollinginterval", {TL_T_BIGINT, 0, 0, 0}, false},
        {"@retention", {TL_T_BIGINT, 0, 0, 0}, false},
        {"@threshold", {TL_T_BIGINT, 0, 0, 0}, false},
        {"@job_name", SYSNAME, false},
    };
    struct job_args j;
    if (bind_args(s, "sp_cdc_change_job", st, params, np, spec, 8, j.a, e))
        return -1;
    if (!j.a[0].given) { /* @job_type defaults to N'capture' */
        j.a[0].given = true;
        j.a[0].v = (struct tl_value){TL_V_TEXT, 0, 0, (const uint8_t *)"capture", 7};
    }
    return run_write(s, change_job, &j, e);
}

static int call_cleanup(struct engine_session *s, struct stmt *st, const struct engine_param *params,
                        size_t np, struct sqlerr *e)
{
    static const struct spar spec[] = {
        {"@capture_instance", SYSNAME, true},
        {"@low_water_mark", {TL_T_BINARY, 10, 0, 0}, true},
        {"@threshold", {TL_T_BIGINT, 0, 0, 0}, false},
        {"@fCleanupFailed", {TL_T_BIT, 0, 0, 0}, false},
    };
    struct sarg a[4];
    if (bind_args(s, "sp_cdc_cleanup_change_table", st, params, np, spec, 4, a, e))
        return -1;
    if (!cdc_db_enabled(s, s->dbid)) {
        sqlerr_set(e, 22910, 16, "The cleanup request for database '%s' failed. The database is not enabled for Change Data Capture.",
                   s->dbname);
        return -1;
    }
    char *ci = arg_str(s, &a[0]);
    if (!ci || !*trim(ci)) {
        sqlerr_set(e, 22963, 16, "Parameter '@capture_instance' cannot be null or empty. Specify a value for the named parameter and retry the operation.");
        return -1;
    }
    const uint8_t *low = a[1].v.kind == TL_V_BLOB ? a[1].v.p : NULL;
    int64_t threshold = a[2].given && a[2].v.kind == TL_V_INT ? a[2].v.i : 5000;
    if (threshold <= 0) {
        sqlerr_set(e, 22850, 16, "The threshold value specified for the Change Data Capture cleanup process must be greater than 0. When creating or modifying the cleanup job, specify a positive threshold value. If this error is encountered when executing the sys.sp_cdc_cleanup_change_table stored procedure, reset the threshold value associated with the job to a non-negative value by using the sp_cdc_change_job stored procedure.");
        return -1;
    }
    return cdc_cleanup_instance(s, trim(ci), low, e);
}

static int call_capture(struct engine_session *s, struct stmt *st, const struct engine_param *params,
                        size_t np, struct sqlerr *e)
{
    struct sarg a[1];
    static const struct spar spec[] = {{"@database_name", SYSNAME, false}};
    if (bind_args(s, "tdslite.cdc_capture", st, params, np, spec, 1, a, e))
        return -1;
    if (s->trancount > 0) {
        sqlerr_set(e, 50000, 16, "tdslite.cdc_capture cannot run inside a transaction: the capture job runs in its own. Commit or roll back first.");
        return -1;
    }
    /* @database_name: another database than the current one */
    char *name = trim(arg_str(s, &a[0]));
    if (name && *name) {
        int dbid;
        const char *dbname;
        if (catalog_resolve_db(s, name, &dbid, &dbname, e)) {
            if (!e->number)
                sqlerr_set(e, 911, 16, "Database '%s' does not exist. Make sure that the name is entered correctly.", name);
            return -1;
        }
        s->dbid = dbid;
        snprintf(s->dbname, sizeof(s->dbname), "%s", dbname); /* cdc_exec_proc restores both */
    }
    if (!cdc_db_enabled(s, s->dbid))
        return not_enabled(s, e);
    return cdc_capture_db(s, s->dbid, CDC_FILLER_ALWAYS, e);
}

/*
 * sys.sp_cdc_help_change_data_capture [@source_schema, @source_name]: one
 * row per capture instance the caller may read (of the named table, or of
 * every table), as SQL Server's result set.
 */
static int help_cdc(struct engine_session *s, struct stmt *st, const struct engine_param *params, size_t np,
                    struct sqlerr *e)
{
    static const struct spar spec[] = {{"@source_schema", SYSNAME, false}, {"@source_name", SYSNAME, false}};
    struct sarg a[2];
    if (bind_args(s, "sp_cdc_help_change_data_capture", st, params, np, spec, 2, a, e))
        return -1;
    char *schema = trim(arg_str(s, &a[0])), *table = trim(arg_str(s, &a[1]));
    bool has_s = schema && *schema, has_t = table && *table;
    if (has_s != has_t) {
        sqlerr_set(e, 22972, 16, "When calling stored procedure [sys].sp_cdc_help_change_data capture, if either @source_schema or @source_name is non-null and non-empty, the other parameter must also be non-null and non-empty.");
        return -1;
    }
    if (!cdc_db_enabled(s, s->dbid))
        return not_enabled(s, e);
    static const struct {
        const char *name;
        struct tl_type t;
    } cols[] = {
        {"source_schema", SYSNAME}, {"source_table", SYSNAME}, {"capture_instance", SYSNAME},
        {"object_id", {TL_T_INT, 0, 0, 0}}, {"source_object_id", {TL_T_INT, 0, 0, 0}},
        {"start_lsn", {TL_T_BINARY, 10, 0, 0}}, {"end_lsn", {TL_T_BINARY, 10, 0, 0}},
        {"supports_net_changes", {TL_T_BIT, 0, 0, 0}}, {"has_drop_pending", {TL_T_BIT, 0, 0, 0}},
        {"role_name", SYSNAME}, {"index_name", SYSNAME}, {"filegroup_name", SYSNAME},
        {"create_date", {TL_T_DATETIME, 0, 0, 3}}, {"index_column_list", {TL_T_NVARCHAR, TL_MAX, 0, 0}},
        {"captured_column_list", {TL_T_NVARCHAR, TL_MAX, 0, 0}},
    };
    enum { NC = sizeof(cols) / sizeof(cols[0]) };
    char *sql = catalog_sqlf(
        "SELECT sc.name, o.name, t.capture_instance, t.object_id, t.source_object_id, t.start_lsn, NULL,"
        " t.supports_net_changes, NULL, t.role_name, t.index_name, t.filegroup_name, t.create_date,"
        " (SELECT group_concat('[' || replace(column_name, ']', ']]') || ']', ', ') FROM (SELECT column_name"
        "  FROM \"d%1$d\".tl_cdc_index_columns WHERE object_id = t.object_id ORDER BY index_ordinal)),"
        " (SELECT group_concat('[' || replace(column_name, ']', ']]') || ']', ', ') FROM (SELECT column_name"
        "  FROM \"d%1$d\".tl_cdc_columns WHERE object_id = t.object_id ORDER BY column_ordinal))"
        " FROM \"d%1$d\".tl_cdc_tables t JOIN \"d%1$d\".tl_objects o ON o.object_id = t.source_object_id"
        " JOIN \"d%1$d\".tl_schemas sc ON sc.schema_id = o.schema_id"
        " WHERE (?1 IS NULL OR (sc.name = ?1 AND o.name = ?2 COLLATE NOCASE))"
        " AND tl_cdc_readable(%1$d, t.capture_instance) ORDER BY sc.name, o.name, t.seq",
        s->dbid);
    sqlite3_stmt *q = NULL;
    if (!sql || sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK) {
        sqlite3_free(sql);
        exec_sqlite_err(s, sqlite3_errcode(s->db), e);
        return -1;
    }
    sqlite3_free(sql);
    if (has_s) {
        sqlite3_bind_text(q, 1, schema, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 2, table, -1, SQLITE_TRANSIENT);
    }
    struct engine_column ec[NC];
    for (int i = 0; i < NC; i++)
        ec[i] = (struct engine_column){cols[i].name, cols[i].t, ENGINE_COL_NULLABLE};
    int rc = 0;
    uint64_t n = 0;
    if (s->out->columns(s->ctx, ec, NC)) {
        s->closed = true;
        rc = SL_ECLOSED;
    }
    while (rc == 0 && sqlite3_step(q) == SQLITE_ROW) {
        struct tl_value v[NC];
        arena_reset(&s->ra);
        for (int i = 0; i < NC && rc == 0; i++)
            rc = exec_column_value(s, q, i, &cols[i].t, &v[i], e);
        if (rc == 0 && s->out->row(s->ctx, v, NC)) {
            s->closed = true;
            rc = SL_ECLOSED;
        }
        n++;
    }
    sqlite3_finalize(q);
    if (rc == 0)
        exec_done(s, ENGINE_DONE_COUNT, ENGINE_CMD_SELECT, n);
    return rc;
}

/* sp_cdc_enable_db / _disable_db need sysadmin (22902), the others db_owner
 * (22904); tdslite.cdc_capture is the server's own job. */
static bool authorized_for(struct engine_session *s, int which, struct sqlerr *e)
{
    if (which <= 1 && !s->sysadmin) {
        sqlerr_set(e, 22902, 16, "Caller is not authorized to initiate the requested action. Sysadmin privileges are required.");
        return false;
    }
    if (which >= 2 && which <= 5 && !sec_has_perm(s, s->dbid, 0, "CONTROL")) {
        sqlerr_set(e, 22904, 16, "Caller is not authorized to initiate the requested action. DBO privileges are required.");
        return false;
    }
    return true;
}

int cdc_exec_proc(struct engine_session *s, struct stmt *st, const char *proc,
                  const struct engine_param *params, size_t nparams, bool *known,
                  struct sqlerr *e, int32_t *retstatus)
{
    static const char *const names[] = {"sp_cdc_enable_db", "sp_cdc_disable_db", "sp_cdc_enable_table",
                                        "sp_cdc_disable_table", "sp_cdc_change_job",
                                        "sp_cdc_cleanup_change_table", "tdslite.cdc_capture",
                                        "sp_cdc_help_change_data_capture", NULL};
    int which = -1;
    for (int i = 0; names[i]; i++)
        if (ieq(proc, names[i]))
            which = i;
    *known = which >= 0;
    if (which < 0)
        return 0;
    /* EXEC db.sys.sp_cdc_...: the procedure runs in that database */
    int saved_db = s->dbid;
    char saved_name[130];
    snprintf(saved_name, sizeof(saved_name), "%s", s->dbname);
    if (st && st->procname.db) {
        int dbid;
        const char *dbname;
        if (catalog_resolve_db(s, st->procname.db, &dbid, &dbname, e)) {
            if (!e->number)
                sqlerr_set(e, 2812, 16, "Could not find stored procedure '%s.%s'.", st->procname.db, st->proc);
            return -1;
        }
        s->dbid = dbid;
        snprintf(s->dbname, sizeof(s->dbname), "%s", dbname);
    }
    int rc;
    if (!authorized_for(s, which, e)) {
        rc = -1;
        goto out;
    }
    switch (which) {
    case 0:
    case 1:
        if ((st && st->nparams > 0) || (!st && nparams > 0)) {
            sqlerr_set(e, 8144, 16, "Procedure or function %s has too many arguments specified.", names[which]);
            rc = -1;
        } else if (which == 0 && s->dbid <= 4) {
            sqlerr_set(e, 22989, 16, "Could not enable Change Data Capture for database '%s'. Change data capture is not supported on system databases, or on a distribution database.",
                       s->dbname);
            rc = -1;
        } else {
            rc = run_write(s, which == 0 ? enable_db : disable_db, NULL, e);
        }
        break;
    case 2: rc = call_enable_table(s, st, params, nparams, e); break;
    case 3: rc = call_disable_table(s, st, params, nparams, e); break;
    case 4: rc = call_change_job(s, st, params, nparams, e); break;
    case 5: rc = call_cleanup(s, st, params, nparams, e); break;
    case 6: rc = call_capture(s, st, params, nparams, e); break;
    default: rc = help_cdc(s, st, params, nparams, e); break;
    }
out:
    s->dbid = saved_db;
    snprintf(s->dbname, sizeof(s->dbname), "%s", saved_name);
    *retstatus = rc ? 1 : 0;
    return rc;
}
