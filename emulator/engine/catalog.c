/*
 * catalog: databases, their files, and the metadata of every user object.
 *
 * Each database file holds, beside the user tables "t<object_id>", the
 * tables tl_meta (counters), tl_schemas, tl_objects (tables and
 * constraints, with stable object_ids), tl_columns (the DECLARED SQL Server
 * type, nullability, default text, identity seed/increment/current),
 * tl_indexes and tl_index_columns. Result-set metadata and the catalog
 * views (sys.*, INFORMATION_SCHEMA.*) are read from these tables, never
 * guessed from SQLite. The list of databases lives in master's
 * tl_databases and in memory (struct engine, under e->mu).
 *
 * DDL runs on the session connection inside the caller's statement
 * transaction, so it is atomic with the rest of the user transaction.
 * Change Tracking and CDC keep their state in more tl_* tables of the same
 * file (journal.c, cdc.c); the cdc.* metadata views are cdc.c's.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/mem.h"
#include "eng.h"

char *catalog_sqlf(const char *fmt, ...)
{
    va_list ap;
    char *tmp = NULL;
    va_start(ap, fmt);
    int n = vasprintf(&tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *r = sqlite3_mprintf("%s", tmp);
    free(tmp);
    return r;
}

/* Stored procedures: tl_objects type 'P', their text in tl_procs, their
 * declared parameters in tl_params (sys.parameters). */
#define PROC_TABLES_SQL \
    "CREATE TABLE IF NOT EXISTS %1$s.tl_procs(object_id INTEGER PRIMARY KEY, definition TEXT NOT NULL," \
    " params TEXT, body TEXT NOT NULL, body_line INTEGER NOT NULL);" \
    "CREATE TABLE IF NOT EXISTS %1$s.tl_params(object_id INTEGER, parameter_id INTEGER, name TEXT COLLATE NOCASE," \
    " type_id INTEGER, length INTEGER, prec INTEGER, scale INTEGER, is_output INTEGER," \
    " PRIMARY KEY(object_id, parameter_id));"

#define SCHEMA_SQL \
    "CREATE TABLE IF NOT EXISTS %1$s.tl_meta(k TEXT PRIMARY KEY, v);" \
    "CREATE TABLE IF NOT EXISTS %1$s.tl_lock(x);" \
    "CREATE TABLE IF NOT EXISTS %1$s.tl_schemas(schema_id INTEGER PRIMARY KEY, name TEXT NOT NULL COLLATE NOCASE UNIQUE);" \
    "CREATE TABLE IF NOT EXISTS %1$s.tl_objects(object_id INTEGER PRIMARY KEY, name TEXT NOT NULL COLLATE NOCASE," \
    " schema_id INTEGER NOT NULL, parent_object_id INTEGER NOT NULL DEFAULT 0, type TEXT NOT NULL," \
    " create_date TEXT, modify_date TEXT);" \
    "CREATE INDEX IF NOT EXISTS %1$s.tl_objects_name ON tl_objects(schema_id, name);" \
    "CREATE TABLE IF NOT EXISTS %1$s.tl_columns(object_id INTEGER, column_id INTEGER, name TEXT COLLATE NOCASE," \
    " type_id INTEGER, length INTEGER, prec INTEGER, scale INTEGER, collation TEXT, nullable INTEGER," \
    " is_identity INTEGER DEFAULT 0, seed INTEGER, incr INTEGER, ident_current INTEGER," \
    " def_text TEXT, def_object_id INTEGER, PRIMARY KEY(object_id, column_id));" \
    "CREATE TABLE IF NOT EXISTS %1$s.tl_indexes(object_id INTEGER, index_id INTEGER, name TEXT COLLATE NOCASE," \
    " type INTEGER, is_unique INTEGER, is_primary_key INTEGER, is_unique_constraint INTEGER," \
    " constraint_object_id INTEGER, PRIMARY KEY(object_id, index_id));" \
    "CREATE TABLE IF NOT EXISTS %1$s.tl_index_columns(object_id INTEGER, index_id INTEGER, key_ordinal INTEGER," \
    " column_id INTEGER, is_descending INTEGER, is_included INTEGER NOT NULL DEFAULT 0," \
    " PRIMARY KEY(object_id, index_id, key_ordinal));" \
    PROC_TABLES_SQL \
    "INSERT OR IGNORE INTO %1$s.tl_schemas VALUES (1,'dbo'),(2,'guest'),(3,'INFORMATION_SCHEMA'),(4,'sys');" \
    "INSERT OR IGNORE INTO %1$s.tl_meta VALUES ('next_object_id', 565577053), ('next_schema_id', 5);"

static void now_datetime(char *out, size_t cap)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    localtime_r(&ts.tv_sec, &tm);
    snprintf(out, cap, "%04d-%02d-%02d %02d:%02d:%02d.%03d", (tm.tm_year + 1900) % 10000,
             (tm.tm_mon + 1) % 100, tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
             tm.tm_sec % 100, (int)(ts.tv_nsec / 10000000) * 10 % 1000);
}

int catalog_init_tables(sqlite3 *db, const char *alias, const char *script, const char *what,
                        struct sqlerr *e)
{
    /* by hand, not printf: the script is no format literal (-Wformat=2) */
    struct buf b;
    buf_init(&b, 0);
    for (const char *p = script; *p; p++) {
        if (p[0] == '%' && p[1] == '1' && p[2] == '$' && p[3] == 's') {
            buf_append_str(&b, alias);
            p += 3;
        } else {
            buf_append_byte(&b, (uint8_t)*p);
        }
    }
    buf_append_byte(&b, 0);
    char *msg = NULL;
    int rc = b.data ? sqlite3_exec(db, (const char *)b.data, NULL, NULL, &msg) : SQLITE_NOMEM;
    buf_free(&b);
    if (rc != SQLITE_OK) {
        sqlerr_set(e, 50000, 16, "tdslite: cannot create %s in %s: %s", what, alias, msg ? msg : "out of memory");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

int catalog_init_file(sqlite3 *db, const char *alias, int dbid, struct sqlerr *e)
{
    char *sql = catalog_sqlf(SCHEMA_SQL, alias);
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) {
        sqlerr_set(e, 50000, 16, "tdslite: cannot initialise database %d: %s", dbid,
                   msg ? msg : "?");
        sqlite3_free(msg);
        return -1;
    }
    sec_init_file(db, alias, dbid);
    if (journal_init_file(db, alias, e))
        return -1;
    return cdc_init_file(db, alias, e);
}

/* ------------------------------------------------------------ databases */

static bool safe_name(const char *n)
{
    if (!*n || strlen(n) > 100)
        return false;
    for (const char *c = n; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-')
            return false;
    return true;
}

static char *db_path(struct engine *e, const char *name, int id)
{
    char tmp[1200];
    if (safe_name(name))
        snprintf(tmp, sizeof(tmp), "%s/%s.db", e->data_dir, name);
    else
        snprintf(tmp, sizeof(tmp), "%s/db%d.db", e->data_dir, id);
    return sl_strdup(tmp);
}

static int add_db(struct engine *e, int id, const char *name, const char *cdate, int snapshot_state,
                  bool rcsi)
{
    if (e->ndbs == e->capdbs) {
        int nc = e->capdbs ? e->capdbs * 2 : 8;
        struct db_entry *n = sl_realloc(e->dbs, sizeof(*n) * (size_t)nc);
        if (!n)
            return SL_ENOMEM;
        e->dbs = n;
        e->capdbs = nc;
    }
    struct db_entry *d = &e->dbs[e->ndbs];
    memset(d, 0, sizeof(*d));
    d->id = id;
    d->name = sl_strdup(name);
    d->path = db_path(e, name, id);
    snprintf(d->create_date, sizeof(d->create_date), "%s", cdate ? cdate : "2024-01-01 00:00:00.000");
    d->snapshot_state = snapshot_state;
    d->rcsi = rcsi;
    if (!d->name || !d->path)
        return SL_ENOMEM;
    e->ndbs++;
    if (id >= e->next_dbid)
        e->next_dbid = id + 1;
    return 0;
}

static int open_file(const char *path, sqlite3 **db)
{
    int rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_busy_timeout(*db, 30000);
    sqlite3_exec(*db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL, NULL);
    return 0;
}

int catalog_load_dbs(struct engine *e, struct sl_err *err)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    struct sqlerr se = {0};
    char cdate[32];
    int rc = -1;
    char *mpath = db_path(e, "master", 1);
    if (!mpath || open_file(mpath, &db)) {
        sl_err_set(err, SL_EIO, "cannot open master database \"%s\"", mpath ? mpath : "?");
        goto out;
    }
    if (catalog_init_file(db, "main", 1, &se)) {
        sl_err_set(err, SL_EIO, "%s", se.text);
        goto out;
    }
    now_datetime(cdate, sizeof(cdate));
    /* master is created with ALLOW_SNAPSHOT_ISOLATION ON, as in SQL Server;
     * new databases start with both options OFF (model's defaults). */
    char *sql = sqlite3_mprintf(
        "CREATE TABLE IF NOT EXISTS tl_databases(database_id INTEGER PRIMARY KEY, name TEXT NOT NULL COLLATE NOCASE UNIQUE,"
        " create_date TEXT, snapshot_state INTEGER NOT NULL DEFAULT 0, rcsi INTEGER NOT NULL DEFAULT 0,"
        " is_cdc_enabled INTEGER NOT NULL DEFAULT 0);"
        "INSERT OR IGNORE INTO tl_databases(database_id, name, create_date, snapshot_state) VALUES (1,'master','%q',1);",
        cdate);
    sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_free(sql);
    /* files of an older tdslite: add the option columns */
    if (sqlite3_exec(db, "ALTER TABLE tl_databases ADD COLUMN snapshot_state INTEGER NOT NULL DEFAULT 0", NULL, NULL,
                     NULL) == SQLITE_OK)
        sqlite3_exec(db, "UPDATE tl_databases SET snapshot_state = 1 WHERE database_id = 1", NULL, NULL, NULL);
    sqlite3_exec(db, "ALTER TABLE tl_databases ADD COLUMN rcsi INTEGER NOT NULL DEFAULT 0", NULL, NULL, NULL);
    sqlite3_exec(db, "ALTER TABLE tl_databases ADD COLUMN is_cdc_enabled INTEGER NOT NULL DEFAULT 0", NULL, NULL, NULL);
    if (sqlite3_prepare_v2(db, "SELECT database_id, name, create_date, snapshot_state, rcsi FROM tl_databases ORDER BY 1",
                           -1, &st, NULL)) {
        sl_err_set(err, SL_EIO, "cannot read the database list: %s", sqlite3_errmsg(db));
        goto out;
    }
    e->next_dbid = 5;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (add_db(e, sqlite3_column_int(st, 0), (const char *)sqlite3_column_text(st, 1),
                   (const char *)sqlite3_column_text(st, 2), sqlite3_column_int(st, 3),
                   sqlite3_column_int(st, 4) != 0)) {
            sl_err_set(err, SL_ENOMEM, "out of memory loading databases");
            goto out;
        }
    }
    if (e->next_dbid < 5)
        e->next_dbid = 5;
    rc = 0;
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    sl_free(mpath);
    return rc;
}

int catalog_find_db(struct engine *e, const char *name, struct db_entry *out)
{
    int rc = -1;
    pthread_mutex_lock(&e->mu);
    for (int i = 0; i < e->ndbs; i++)
        if (ieq(e->dbs[i].name, name)) {
            *out = e->dbs[i];
            rc = 0;
            break;
        }
    pthread_mutex_unlock(&e->mu);
    return rc;
}

int catalog_find_db_id(struct engine *e, int id, struct db_entry *out)
{
    int rc = -1;
    pthread_mutex_lock(&e->mu);
    for (int i = 0; i < e->ndbs; i++)
        if (e->dbs[i].id == id) {
            *out = e->dbs[i];
            rc = 0;
            break;
        }
    pthread_mutex_unlock(&e->mu);
    return rc;
}

/* Columns added to the tl_* tables after their first release, for files
 * created by an older tdslite: added on attach when missing. Errors are
 * ignored (another session may have added the column first). */
static void migrate_file(struct engine_session *s, int dbid)
{
    static const char *const adds[][2] = {
        {"tl_index_columns", "is_included INTEGER NOT NULL DEFAULT 0"},
    };
    for (size_t i = 0; i < sizeof(adds) / sizeof(adds[0]); i++) {
        char col[64];
        snprintf(col, sizeof(col), "%s", adds[i][1]);
        char *sp = strchr(col, ' ');
        if (sp)
            *sp = 0;
        sqlite3_stmt *st = NULL;
        char *sql = sqlite3_mprintf("SELECT \"%w\" FROM \"d%d\".\"%w\" LIMIT 0", col, dbid, adds[i][0]);
        int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
        sqlite3_finalize(st);
        sqlite3_free(sql);
        if (rc == SQLITE_OK)
            continue;
        sql = sqlite3_mprintf("ALTER TABLE \"d%d\".\"%w\" ADD COLUMN %s", dbid, adds[i][0], adds[i][1]);
        sqlite3_exec(s->db, sql, NULL, NULL, NULL);
        sqlite3_free(sql);
    }
    char alias[24];
    snprintf(alias, sizeof(alias), "\"d%d\"", dbid);
    char *sql = catalog_sqlf(PROC_TABLES_SQL, alias);
    sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    sqlite3_free(sql);
    struct sqlerr ig = {0};
    journal_init_file(s->db, alias, &ig);
    sec_init_file(s->db, alias, dbid);
    cdc_init_file(s->db, alias, &ig);
}

int catalog_attach(struct engine_session *s, int dbid, struct sqlerr *err)
{
    for (int i = 0; i < s->nattached; i++)
        if (s->attached[i] == dbid)
            return 0;
    struct db_entry d;
    if (catalog_find_db_id(s->eng, dbid, &d)) {
        sqlerr_set(err, 911, 16, "Database '%d' does not exist. Make sure that the name is entered correctly.", dbid);
        return -1;
    }
    if (s->sq_txn) {
        sqlerr_set(err, 50000, 16,
                   "tdslite: database '%s' is first referenced inside a transaction; this is not supported by tdslite (reference it before BEGIN TRANSACTION).",
                   d.name);
        return -1;
    }
    if (s->nattached >= 60 || s->nattached >= sqlite3_limit(s->db, SQLITE_LIMIT_ATTACHED, -1)) {
        sqlerr_set(err, 50000, 16, "tdslite: too many databases referenced by one session.");
        return -1;
    }
    char *sql = sqlite3_mprintf("ATTACH DATABASE %Q AS \"d%d\"", d.path, dbid);
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) {
        sqlerr_set(err, 50000, 16, "tdslite: cannot open database '%s': %s", d.name, sqlite3_errmsg(s->db));
        return -1;
    }
    char alias[16];
    snprintf(alias, sizeof(alias), "\"d%d\"", dbid);
    sql = sqlite3_mprintf("PRAGMA \"d%d\".journal_mode=WAL", dbid);
    sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    sqlite3_free(sql);
    s->attached[s->nattached++] = dbid;
    migrate_file(s, dbid);
    return 0;
}

/* ------------------------------------------------------------ lookups */

int catalog_schema_id(struct engine_session *s, int dbid, const char *schema)
{
    sqlite3_stmt *st = NULL;
    int id = -1;
    char *sql = sqlite3_mprintf("SELECT schema_id FROM \"d%d\".tl_schemas WHERE name = ?", dbid);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, schema, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW)
            id = sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
    sqlite3_free(sql);
    return id;
}

static int resolve_db(struct engine_session *s, const char *db, int *dbid, const char **dbname,
                      struct sqlerr *err)
{
    return catalog_resolve_db(s, db, dbid, dbname, err);
}

int catalog_resolve_db(struct engine_session *s, const char *db, int *dbid, const char **dbname,
                       struct sqlerr *err)
{
    if (!db || !*db) {
        *dbid = s->dbid;
        *dbname = s->dbname;
        return 0;
    }
    struct db_entry d;
    if (catalog_find_db(s->eng, db, &d))
        return -1;
    *dbid = d.id;
    *dbname = arena_strdup(&s->ba, d.name);
    return catalog_attach(s, d.id, err);
}

static char *colstr(struct arena *a, sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? arena_strdup(a, (const char *)t) : NULL;
}

struct table_meta *catalog_table_by_id(struct engine_session *s, struct arena *a, int dbid,
                                       int64_t object_id)
{
    sqlite3_stmt *st = NULL;
    struct table_meta *tm = NULL;
    char *sql = NULL;
    struct db_entry d;
    if (catalog_find_db_id(s->eng, dbid, &d))
        return NULL;
    tm = arena_alloc(a, sizeof(*tm));
    if (!tm)
        return NULL;
    memset(tm, 0, sizeof(*tm));
    tm->dbid = dbid;
    tm->dbname = arena_strdup(a, d.name);
    tm->object_id = object_id;
    sql = sqlite3_mprintf("SELECT o.name, o.schema_id, s.name FROM \"d%d\".tl_objects o JOIN \"d%d\".tl_schemas s USING(schema_id)"
                          " WHERE o.object_id = %lld AND o.type = 'U'",
                          dbid, dbid, (long long)object_id);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) || sqlite3_step(st) != SQLITE_ROW) {
        tm = NULL;
        goto out;
    }
    tm->name = colstr(a, st, 0);
    tm->schema_id = sqlite3_column_int(st, 1);
    tm->schema = colstr(a, st, 2);
    sqlite3_finalize(st);
    sqlite3_free(sql);
    st = NULL;
    sql = sqlite3_mprintf("SELECT column_id, name, type_id, length, prec, scale, nullable, is_identity, seed, incr,"
                          " def_text, (SELECT name FROM \"d%d\".tl_objects WHERE object_id = c.def_object_id), collation"
                          " FROM \"d%d\".tl_columns c WHERE object_id = %lld ORDER BY column_id",
                          dbid, dbid, (long long)object_id);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) {
        tm = NULL;
        goto out;
    }
    int cap = 16;
    tm->cols = arena_alloc(a, sizeof(struct col_meta) * (size_t)cap);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (tm->ncols == cap) {
            struct col_meta *n = arena_alloc(a, sizeof(*n) * (size_t)cap * 2);
            if (!n) {
                tm = NULL;
                goto out;
            }
            memcpy(n, tm->cols, sizeof(*n) * (size_t)cap);
            tm->cols = n;
            cap *= 2;
        }
        struct col_meta *c = &tm->cols[tm->ncols++];
        memset(c, 0, sizeof(*c));
        c->id = sqlite3_column_int(st, 0);
        c->name = colstr(a, st, 1);
        c->type.id = (enum tl_type_id)sqlite3_column_int(st, 2);
        c->type.length = sqlite3_column_int(st, 3);
        c->type.precision = (uint8_t)sqlite3_column_int(st, 4);
        c->type.scale = (uint8_t)sqlite3_column_int(st, 5);
        c->nullable = sqlite3_column_int(st, 6);
        c->identity = sqlite3_column_int(st, 7);
        c->seed = sqlite3_column_int64(st, 8);
        c->incr = sqlite3_column_int64(st, 9);
        c->def_text = colstr(a, st, 10);
        c->def_name = colstr(a, st, 11);
        c->collation = colstr(a, st, 12);
    }
    sqlite3_finalize(st);
    sqlite3_free(sql);
    st = NULL;
    sql = sqlite3_mprintf("SELECT i.index_id, i.name, i.is_unique, i.is_primary_key, i.is_unique_constraint,"
                          " i.constraint_object_id, (SELECT group_concat(column_id || ':' || is_descending, ',') FROM"
                          " (SELECT * FROM \"d%d\".tl_index_columns k WHERE k.object_id = i.object_id AND k.index_id = i.index_id"
                          "  AND NOT k.is_included ORDER BY key_ordinal))"
                          " FROM \"d%d\".tl_indexes i WHERE object_id = %lld ORDER BY index_id",
                          dbid, dbid, (long long)object_id);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) {
        tm = NULL;
        goto out;
    }
    tm->idx = arena_alloc(a, sizeof(struct idx_meta) * 64);
    while (sqlite3_step(st) == SQLITE_ROW && tm->nidx < 64) {
        struct idx_meta *ix = &tm->idx[tm->nidx++];
        memset(ix, 0, sizeof(*ix));
        ix->id = sqlite3_column_int(st, 0);
        ix->name = colstr(a, st, 1);
        ix->unique = sqlite3_column_int(st, 2);
        ix->pk = sqlite3_column_int(st, 3);
        ix->uq_cons = sqlite3_column_int(st, 4);
        ix->cons_object_id = sqlite3_column_int64(st, 5);
        const char *cl = (const char *)sqlite3_column_text(st, 6);
        ix->cols = arena_alloc(a, sizeof(int) * 32);
        ix->desc = arena_alloc(a, sizeof(bool) * 32);
        while (cl && *cl && ix->ncols < 32) {
            char *end;
            ix->cols[ix->ncols] = (int)strtol(cl, &end, 10);
            ix->desc[ix->ncols] = end[0] == ':' && end[1] == '1';
            ix->ncols++;
            cl = strchr(end, ',');
            if (cl)
                cl++;
        }
    }
out:
    sqlite3_finalize(st);
    sqlite3_free(sql);
    return tm;
}

static int64_t find_object(struct engine_session *s, int dbid, int schema_id, const char *name,
                           const char *types)
{
    sqlite3_stmt *st = NULL;
    int64_t id = 0;
    char *sql = sqlite3_mprintf("SELECT object_id FROM \"d%d\".tl_objects WHERE schema_id = %d AND name = ?"
                                " AND instr(%Q, type) > 0",
                                dbid, schema_id, types);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW)
            id = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    sqlite3_free(sql);
    return id;
}

static char *name_text(struct arena *a, const struct name3 *n)
{
    if (n->db)
        return arena_printf(a, "%s.%s.%s", n->db, n->schema ? n->schema : "", n->name);
    if (n->schema)
        return arena_printf(a, "%s.%s", n->schema, n->name);
    return arena_strdup(a, n->name);
}

struct table_meta *catalog_table(struct engine_session *s, struct arena *a, const struct name3 *n,
                                 struct sqlerr *err)
{
    int dbid;
    const char *dbname;
    if (n->name[0] == '#') {
        sqlerr_set(err, 50000, 16, "Temporary tables ('%s') are not supported by tdslite.", n->name);
        return NULL;
    }
    if (resolve_db(s, n->db, &dbid, &dbname, err)) {
        if (!err->number)
            sqlerr_set(err, 208, 16, "Invalid object name '%s'.", name_text(a, n));
        return NULL;
    }
    int sid = catalog_schema_id(s, dbid, n->schema ? n->schema : "dbo");
    int64_t oid = sid > 0 ? find_object(s, dbid, sid, n->name, "U") : 0;
    struct table_meta *tm = oid ? catalog_table_by_id(s, a, dbid, oid) : NULL;
    if (!tm)
        sqlerr_set(err, 208, 16, "Invalid object name '%s'.", name_text(a, n));
    return tm;
}

char *catalog_display_name(struct arena *a, struct table_meta *tm)
{
    return arena_printf(a, "%s.%s.%s", tm->dbname, tm->schema, tm->name);
}

int64_t catalog_object_id(struct engine_session *s, const char *text, const char *type)
{
    /* a.b.c with optional [] or "" quoting ("]]" escapes a ']') */
    char parts[3][260];
    int np = sec_split_name(text, parts);
    if (np == 0)
        return 0;
    struct name3 n = {0};
    n.name = parts[np - 1];
    n.schema = np >= 2 && parts[np - 2][0] ? parts[np - 2] : NULL;
    n.db = np >= 3 ? parts[0] : NULL;
    int dbid;
    const char *dbname;
    struct sqlerr e = {0};
    if (resolve_db(s, n.db, &dbid, &dbname, &e))
        return 0;
    int sid = catalog_schema_id(s, dbid, n.schema ? n.schema : "dbo");
    if (sid < 0)
        return 0;
    const char *types = "U PK UQ D P";
    if (type && *type) {
        while (*type == ' ')
            type++;
        types = type;
    }
    return find_object(s, dbid, sid, n.name, types);
}

/* ------------------------------------------------------------ DDL */

static int64_t new_object_id(struct engine_session *s, int dbid, struct sqlerr *err)
{
    sqlite3_stmt *st = NULL;
    int64_t id = 0;
    char *sql = sqlite3_mprintf("UPDATE \"d%d\".tl_meta SET v = (v + 16000057) %% 2147483647 WHERE k = 'next_object_id' RETURNING v", dbid);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    else
        exec_sqlite_err(s, sqlite3_errcode(s->db), err);
    sqlite3_finalize(st);
    sqlite3_free(sql);
    return id;
}

static const char *sqlite_decl(const struct tl_type *t)
{
    if (type_is_int(t->id))
        return "INTEGER";
    if (t->id == TL_T_REAL || t->id == TL_T_FLOAT)
        return "REAL";
    if (type_is_exact(t->id))
        return "TEXT COLLATE TL_DEC";
    if (type_is_string(t->id))
        return "TEXT COLLATE TL_CI";
    if (t->id == TL_T_UNIQUEIDENTIFIER)
        return "TEXT COLLATE NOCASE";
    if (type_is_datetime(t->id))
        return "TEXT";
    if (type_is_binary(t->id))
        return "BLOB";
    return "";
}

static void gen_cons_name(char *out, size_t cap, const char *prefix, const char *table, int64_t oid)
{
    snprintf(out, cap, "%s__%.8s__%08llX%08llX", prefix, table, (unsigned long long)oid,
             (unsigned long long)((uint64_t)oid * 2654435761u & 0xffffffffu));
}

static int add_object(struct engine_session *s, int dbid, int64_t oid, const char *name, int sid,
                      int64_t parent, const char *type, struct sqlerr *err)
{
    char now[32];
    now_datetime(now, sizeof(now));
    char *sql = sqlite3_mprintf("INSERT INTO \"d%d\".tl_objects VALUES (%lld, %Q, %d, %lld, %Q, %Q, %Q)",
                                dbid, (long long)oid, name, sid, (long long)parent, type, now, now);
    int rc = exec_sql(s, sql, err);
    sqlite3_free(sql);
    return rc;
}

static int obj_name_taken(struct engine_session *s, int dbid, int sid, const char *name,
                          struct sqlerr *err)
{
    if (find_object(s, dbid, sid, name, "U PK UQ D F C V P")) {
        sqlerr_set(err, 2714, 16, "There is already an object named '%s' in the database.", name);
        return -1;
    }
    return 0;
}

/* Column ids of index columns; -1 if a name is unknown. */
static int col_id_by_name(struct coldef *defs, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (ieq(defs[i].name, name))
            return i + 1;
    return -1;
}

static int create_index_rows(struct engine_session *s, int dbid, int64_t oid, const char *tname,
                             int index_id, const char *iname, bool unique, bool pk, bool uqc,
                             bool clustered, int64_t cons_oid, const int *cols, const bool *desc,
                             int ncols, const int *incl, int nincl, struct sqlerr *err)
{
    char *sql = sqlite3_mprintf("INSERT INTO \"d%d\".tl_indexes VALUES (%lld, %d, %Q, %d, %d, %d, %d, %lld)",
                                dbid, (long long)oid, index_id, iname, clustered ? 1 : 2, unique,
                                pk, uqc, (long long)cons_oid);
    int rc = exec_sql(s, sql, err);
    sqlite3_free(sql);
    struct buf b;
    buf_init(&b, 0);
    buf_appendf(&b, "CREATE %sINDEX \"d%d\".\"i%lld_%d\" ON \"t%lld\"(", unique ? "UNIQUE " : "",
                dbid, (long long)oid, index_id, (long long)oid);
    for (int i = 0; i < ncols && rc == 0; i++) {
        sql = sqlite3_mprintf("INSERT INTO \"d%d\".tl_index_columns VALUES (%lld, %d, %d, %d, %d, 0)",
                              dbid, (long long)oid, index_id, i + 1, cols[i], desc && desc[i]);
        rc = exec_sql(s, sql, err);
        sqlite3_free(sql);
        buf_appendf(&b, "%s\"c%d\"%s", i ? ", " : "", cols[i], desc && desc[i] ? " DESC" : "");
    }
    /* INCLUDE columns are catalog facts only (tl_index_columns rows after
     * the keys, is_included 1); the SQLite index holds the keys. */
    for (int i = 0; i < nincl && rc == 0; i++) {
        sql = sqlite3_mprintf("INSERT INTO \"d%d\".tl_index_columns VALUES (%lld, %d, %d, %d, 0, 1)",
                              dbid, (long long)oid, index_id, ncols + i + 1, incl[i]);
        rc = exec_sql(s, sql, err);
        sqlite3_free(sql);
    }
    buf_append_str(&b, ")");
    if (rc == 0) {
        rc = exec_sql(s, (char *)b.data, err);
        if (rc && err->number == 2627) {
            /* existing rows violate the new unique index */
            err->number = 1505;
            snprintf(err->text, sizeof(err->text),
                     "The CREATE UNIQUE INDEX statement terminated because a duplicate key was found for the object name '%s' and the index name '%s'.",
                     tname, iname);
        }
    }
    buf_free(&b);
    return rc;
}

static int next_index_id(struct engine_session *s, int dbid, int64_t oid, bool clustered_pk)
{
    if (clustered_pk)
        return 1;
    sqlite3_stmt *st = NULL;
    int id = 2;
    char *sql = sqlite3_mprintf("SELECT max(max(index_id) + 1, 2) FROM \"d%d\".tl_indexes WHERE object_id = %lld", dbid, (long long)oid);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_type(st, 0) != SQLITE_NULL)
        id = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_free(sql);
    return id;
}

static int add_key_constraint(struct engine_session *s, int dbid, int sid, int64_t oid,
                              const char *tname, struct tcons *k, struct coldef *defs, int ndefs,
                              struct table_meta *tm, struct sqlerr *err)
{
    int cols[32];
    if (k->ncols > 16) {
        sqlerr_set(err, 1904, 16, "The index '%s' on table '%s' has %d column names in index key list. The maximum limit for index or statistics key column list is 16.",
                   k->name ? k->name : "", tname, k->ncols);
        return -1;
    }
    for (int i = 0; i < k->ncols; i++) {
        int id = -1;
        if (defs)
            id = col_id_by_name(defs, ndefs, k->cols[i]);
        else
            for (int c = 0; c < tm->ncols; c++)
                if (ieq(tm->cols[c].name, k->cols[i]))
                    id = tm->cols[c].id;
        if (id < 0) {
            sqlerr_set(err, 1911, 16, "Column name '%s' does not exist in the target table or view.", k->cols[i]);
            return -1;
        }
        if (k->kind == CK_PK) {
            bool nullable_explicit = false;
            if (defs)
                nullable_explicit = defs[id - 1].nullable == 1;
            else
                for (int c = 0; c < tm->ncols; c++)
                    if (tm->cols[c].id == id)
                        nullable_explicit = tm->cols[c].nullable;
            if (nullable_explicit) {
                sqlerr_set(err, 8111, 16, "Cannot define PRIMARY KEY constraint on nullable column in table '%s'.", tname);
                return -1;
            }
        }
        cols[i] = id;
    }
    if (k->kind == CK_PK) {
        sqlite3_stmt *st = NULL;
        char *sql = sqlite3_mprintf("SELECT 1 FROM \"d%d\".tl_indexes WHERE object_id = %lld AND is_primary_key = 1", dbid, (long long)oid);
        bool has = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
        sqlite3_free(sql);
        if (has) {
            sqlerr_set(err, 1779, 16, "Table '%s' already has a primary key defined on it.", tname);
            return -1;
        }
    }
    int64_t coid = new_object_id(s, dbid, err);
    if (!coid)
        return -1;
    char gname[160];
    const char *cname = k->name;
    if (!cname) {
        gen_cons_name(gname, sizeof(gname), k->kind == CK_PK ? "PK" : "UQ", tname, coid);
        cname = gname;
    }
    if (obj_name_taken(s, dbid, sid, cname, err))
        return -1;
    if (add_object(s, dbid, coid, cname, sid, oid, k->kind == CK_PK ? "PK" : "UQ", err))
        return -1;
    int iid = next_index_id(s, dbid, oid, k->kind == CK_PK && k->clustered);
    return create_index_rows(s, dbid, oid, tname, iid, cname, true, k->kind == CK_PK,
                             k->kind == CK_UNIQUE, k->kind == CK_PK && k->clustered, coid, cols,
                             k->desc, k->ncols, NULL, 0, err);
}

static int check_default(struct engine_session *s, struct expr *def, const char *text,
                         struct sqlerr *err)
{
    (void)s;
    if (!def)
        return 0;
    if (def->kind == EX_COL) {
        sqlerr_set(err, 128, 15,
                   "The name \"%s\" is not permitted in this context. Valid expressions are constants, constant expressions, and (in some contexts) variables. Column names are not permitted.",
                   def->s);
        return -1;
    }
    (void)text;
    return 0;
}

/* ---- DEFAULT definitions in SQL Server's normalised form ----
 *
 * SQL Server does not keep the text of a DEFAULT as written: it stores the
 * expression re-rendered by its parser, which is what
 * sys.default_constraints.definition and INFORMATION_SCHEMA.COLUMNS
 * .COLUMN_DEFAULT show: the whole wrapped in parentheses, numeric constants
 * wrapped again, built-in function names in lowercase, CAST as CONVERT
 * with a bracketed type, no blanks around operators:
 *   DEFAULT 0 -> ((0)), DEFAULT (0) -> ((0)), DEFAULT N'x' -> (N'x'),
 *   DEFAULT GETDATE() -> (getdate()), DEFAULT CURRENT_TIMESTAMP -> (getdate()),
 *   DEFAULT 1+2 -> ((1)+(2)), DEFAULT CAST(0 AS bit) -> (CONVERT([bit],(0))),
 *   DEFAULT DATEADD(day, 1, GETDATE()) -> (dateadd(day,(1),getdate())).
 * The result is T-SQL again: it is what dml.c parses to evaluate the
 * default, so one text serves both. */
static bool render_default(struct buf *b, const struct expr *x);

static void render_lower(struct buf *b, const char *s)
{
    for (const char *p = s; *p; p++)
        buf_append_byte(b, (uint8_t)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p));
}

static bool render_operand(struct buf *b, const struct expr *x)
{
    bool wrap = x->kind == EX_ARITH;
    if (wrap)
        buf_append_byte(b, '(');
    bool ok = render_default(b, x);
    if (wrap)
        buf_append_byte(b, ')');
    return ok;
}

static bool render_default(struct buf *b, const struct expr *x)
{
    switch (x->kind) {
    case EX_INT:
    case EX_DEC:
    case EX_FLOAT:
        buf_appendf(b, "(%s)", x->s);
        return true;
    case EX_STR:
    case EX_NSTR:
        buf_append_str(b, x->kind == EX_NSTR ? "N'" : "'");
        for (size_t i = 0; i < x->slen; i++) {
            if (x->s[i] == '\'')
                buf_append_byte(b, '\'');
            buf_append_byte(b, (uint8_t)x->s[i]);
        }
        buf_append_byte(b, '\'');
        return true;
    case EX_BIN:
        buf_append_str(b, "0x");
        for (size_t i = 0; i < x->slen; i++)
            buf_appendf(b, "%02X", (unsigned char)x->s[i]);
        return true;
    case EX_NULL:
        buf_append_str(b, "NULL");
        return true;
    case EX_GVAR:
        render_lower(b, x->s);
        return true;
    case EX_COL: /* a datepart keyword: dateadd(day,...) */
        if (x->nq)
            return false;
        buf_append_str(b, x->s);
        return true;
    case EX_NEG:
        buf_append_byte(b, '-');
        return render_operand(b, x->a);
    case EX_ARITH:
        if (!render_operand(b, x->a))
            return false;
        buf_append_byte(b, (uint8_t)x->op);
        return render_operand(b, x->b);
    case EX_FUNC:
        if (x->star || x->distinct || strchr(x->s, '.'))
            return false;
        render_lower(b, x->s);
        buf_append_byte(b, '(');
        for (int i = 0; i < x->nargs; i++) {
            if (i)
                buf_append_byte(b, ',');
            if (!render_default(b, x->args[i]))
                return false;
        }
        buf_append_byte(b, ')');
        return true;
    case EX_CAST: {
        if (x->neg) /* TRY_CAST / TRY_CONVERT */
            return false;
        char tn[64];
        value_type_name(&x->ty, tn, sizeof(tn));
        char *paren = strchr(tn, '(');
        buf_append_str(b, "CONVERT([");
        buf_append(b, tn, paren ? (size_t)(paren - tn) : strlen(tn));
        buf_appendf(b, "]%s,", paren ? paren : "");
        if (!render_default(b, x->a))
            return false;
        if (x->b) {
            buf_append_byte(b, ',');
            if (!render_default(b, x->b))
                return false;
        }
        buf_append_byte(b, ')');
        return true;
    }
    default:
        return false;
    }
}

/* The stored definition of a DEFAULT: normalised as above, or the source
 * text in parentheses for a form the renderer does not know. Arena a. */
static char *default_definition(struct arena *a, const struct expr *def, const char *text)
{
    struct buf b;
    buf_init(&b, 0);
    buf_append_byte(&b, '(');
    if (!def || !render_default(&b, def)) {
        buf_reset(&b);
        buf_appendf(&b, "(%s", text ? text : "NULL");
    }
    buf_append_byte(&b, ')');
    char *r = arena_strndup(a, b.data ? (char *)b.data : "", b.len);
    buf_free(&b);
    return r;
}

static int add_default(struct engine_session *s, int dbid, int sid, int64_t oid, const char *tname,
                       int colid, const char *colname, const char *name, const struct expr *def,
                       const char *text, struct sqlerr *err)
{
    int64_t doid = new_object_id(s, dbid, err);
    if (!doid)
        return -1;
    char gname[200];
    if (!name) {
        snprintf(gname, sizeof(gname), "DF__%.9s__%.5s__%08llX", tname, colname,
                 (unsigned long long)((uint64_t)doid * 2654435761u & 0xffffffffu));
        name = gname;
    }
    if (obj_name_taken(s, dbid, sid, name, err) || add_object(s, dbid, doid, name, sid, oid, "D", err))
        return -1;
    char *sql = sqlite3_mprintf("UPDATE \"d%d\".tl_columns SET def_text = %Q, def_object_id = %lld WHERE object_id = %lld AND column_id = %d",
                                dbid, default_definition(&s->ba, def, text), (long long)doid, (long long)oid, colid);
    int rc = exec_sql(s, sql, err);
    sqlite3_free(sql);
    return rc;
}

static int validate_coldef(struct coldef *c, struct sqlerr *err)
{
    if (c->identity && !(type_is_int(c->type.id) && c->type.id != TL_T_BIT) &&
        !((c->type.id == TL_T_DECIMAL || c->type.id == TL_T_NUMERIC) && c->type.scale == 0)) {
        sqlerr_set(err, 2749, 16,
                   "Identity column '%s' must be of data type int, bigint, smallint, tinyint, or decimal or numeric with a scale of 0, and constrained to be nonnullable.",
                   c->name);
        return -1;
    }
    if (c->identity && c->nullable == 1) {
        sqlerr_set(err, 8147, 16, "Could not create IDENTITY attribute on nullable column '%s', table.", c->name);
        return -1;
    }
    if (c->identity && c->incr == 0) {
        sqlerr_set(err, 2748, 16, "Cannot specify an increment of 0 for column '%s'.", c->name);
        return -1;
    }
    return 0;
}

/* A rowversion column: one per table, no DEFAULT (2738, 1755). */
static int validate_rowversion(struct coldef *c, const char *tname, int nrv, struct sqlerr *err)
{
    if (c->type.id != TL_T_ROWVERSION)
        return 0;
    if (nrv > 0) {
        sqlerr_set(err, 2738, 16, "A table can only have one timestamp column. Because table '%s' already has one, the column '%s' cannot be added.",
                   tname, c->name);
        return -1;
    }
    if (c->def) {
        sqlerr_set(err, 1755, 16, "Defaults cannot be created on columns of data type timestamp. Table '%s', column '%s'.",
                   tname, c->name);
        return -1;
    }
    return 0;
}

static int insert_column(struct engine_session *s, int dbid, int64_t oid, int colid,
                         struct coldef *c, bool nullable, struct sqlerr *err)
{
    char *sql = sqlite3_mprintf("INSERT INTO \"d%d\".tl_columns(object_id, column_id, name, type_id, length, prec, scale,"
                                " collation, nullable, is_identity, seed, incr, ident_current)"
                                " VALUES (%lld, %d, %Q, %d, %d, %d, %d, %Q, %d, %d, %lld, %lld, NULL)",
                                dbid, (long long)oid, colid, c->name, c->type.id, c->type.length,
                                c->type.precision, c->type.scale,
                                type_is_string(c->type.id) ? (c->collation ? c->collation : "SQL_Latin1_General_CP1_CI_AS") : NULL,
                                nullable, c->identity, (long long)c->seed, (long long)c->incr);
    int rc = exec_sql(s, sql, err);
    sqlite3_free(sql);
    return rc;
}

static void cdef_sql(struct buf *b, int colid, struct coldef *c, bool nullable)
{
    buf_appendf(b, "\"c%d\" %s%s", colid, sqlite_decl(&c->type), nullable ? "" : " NOT NULL");
}

int catalog_create_table(struct engine_session *s, struct stmt *st, struct sqlerr *err)
{
    int dbid;
    const char *dbname;
    struct buf b;
    buf_init(&b, 0);
    int rc = -1;
    if (st->name.name[0] == '#') {
        sqlerr_set(err, 50000, 16, "Temporary tables ('%s') are not supported by tdslite.", st->name.name);
        goto out;
    }
    if (resolve_db(s, st->name.db, &dbid, &dbname, err)) {
        if (!err->number)
            sqlerr_set(err, 2702, 16, "Database '%s' does not exist.", st->name.db);
        goto out;
    }
    const char *schema = st->name.schema ? st->name.schema : "dbo";
    int sid = catalog_schema_id(s, dbid, schema);
    if (sid < 0) {
        sqlerr_set(err, 2760, 16, "The specified schema name \"%s\" either does not exist or you do not have permission to use it.", schema);
        goto out;
    }
    if (st->ncdefs == 0) {
        sqlerr_set(err, 102, 15, "Incorrect syntax near ')'.");
        goto out;
    }
    if (find_object(s, dbid, sid, st->name.name, "U PK UQ D F C V P")) {
        sqlerr_set(err, 2714, 16, "There is already an object named '%s' in the database.", st->name.name);
        goto out;
    }
    int nident = 0, nrv = 0;
    for (int i = 0; i < st->ncdefs; i++) {
        if (validate_coldef(&st->cdefs[i], err) ||
            validate_rowversion(&st->cdefs[i], st->name.name, nrv, err))
            goto out;
        nrv += st->cdefs[i].type.id == TL_T_ROWVERSION;
        nident += st->cdefs[i].identity;
        for (int j = 0; j < i; j++)
            if (ieq(st->cdefs[i].name, st->cdefs[j].name)) {
                sqlerr_set(err, 2705, 16, "Column names in each table must be unique. Column name '%s' in table '%s' is specified more than once.",
                           st->cdefs[i].name, st->name.name);
                goto out;
            }
        if (check_default(s, st->cdefs[i].def, st->cdefs[i].def_text, err))
            goto out;
    }
    if (nident > 1) {
        sqlerr_set(err, 2744, 16, "Multiple identity columns specified for table '%s'. Only one identity column per table is allowed.", st->name.name);
        goto out;
    }
    int64_t oid = new_object_id(s, dbid, err);
    if (!oid || add_object(s, dbid, oid, st->name.name, sid, 0, "U", err))
        goto out;
    buf_appendf(&b, "CREATE TABLE \"d%d\".\"t%lld\"(", dbid, (long long)oid);
    for (int i = 0; i < st->ncdefs; i++) {
        struct coldef *c = &st->cdefs[i];
        bool in_pk = c->pk;
        for (int k = 0; k < st->ncons; k++)
            if (st->cons[k].kind == CK_PK)
                for (int j = 0; j < st->cons[k].ncols; j++)
                    if (ieq(st->cons[k].cols[j], c->name))
                        in_pk = true;
        bool nullable = c->nullable == -1 ? !(in_pk || c->identity || c->type.id == TL_T_ROWVERSION)
                                          : c->nullable == 1;
        if (in_pk && c->nullable == 1) {
            sqlerr_set(err, 8111, 16, "Cannot define PRIMARY KEY constraint on nullable column in table '%s'.", st->name.name);
            goto out;
        }
        if (insert_column(s, dbid, oid, i + 1, c, nullable, err))
            goto out;
        if (i)
            buf_append_str(&b, ", ");
        cdef_sql(&b, i + 1, c, nullable);
    }
    buf_append_str(&b, ")");
    if (exec_sql(s, (char *)b.data, err))
        goto out;
    for (int i = 0; i < st->ncdefs; i++) {
        struct coldef *c = &st->cdefs[i];
        if (c->def && add_default(s, dbid, sid, oid, st->name.name, i + 1, c->name, c->def_name,
                                  c->def, c->def_text, err))
            goto out;
        if (c->pk || c->unique) {
            struct tcons k = {c->pk ? CK_PK : CK_UNIQUE, c->cons_name, &c->name, NULL, 1,
                              c->pk ? c->pk_clustered : false, NULL, NULL, NULL};
            if (add_key_constraint(s, dbid, sid, oid, st->name.name, &k, st->cdefs, st->ncdefs, NULL, err))
                goto out;
        }
    }
    for (int k = 0; k < st->ncons; k++) {
        struct tcons *tc = &st->cons[k];
        if (tc->kind == CK_DEFAULT) {
            int id = col_id_by_name(st->cdefs, st->ncdefs, tc->for_col);
            if (id < 0) {
                sqlerr_set(err, 1911, 16, "Column name '%s' does not exist in the target table or view.", tc->for_col);
                goto out;
            }
            if (add_default(s, dbid, sid, oid, st->name.name, id, tc->for_col, tc->name, tc->def, tc->def_text, err))
                goto out;
            continue;
        }
        if (add_key_constraint(s, dbid, sid, oid, st->name.name, tc, st->cdefs, st->ncdefs, NULL, err))
            goto out;
    }
    rc = 0;
out:
    buf_free(&b);
    return rc;
}

int catalog_drop_table(struct engine_session *s, struct stmt *st, struct sqlerr *err)
{
    struct table_meta *tm = catalog_table(s, &s->ba, &st->name, err);
    if (!tm) {
        if (st->if_exists && err->number == 208) {
            memset(err, 0, sizeof(*err));
            return 0;
        }
        if (err->number == 208)
            sqlerr_set(err, 3701, 11,
                       "Cannot drop the table '%s', because it does not exist or you do not have permission.",
                       st->name.schema ? arena_printf(&s->ba, "%s.%s", st->name.schema, st->name.name) : st->name.name);
        return -1;
    }
    if (cdc_table_dropped(s, tm, err) || ct_drop_table(s, tm, err)) /* capture instances, CT data */
        return -1;
    char *sql = catalog_sqlf(
        "DROP TABLE \"d%1$d\".\"t%2$lld\";"
        "DELETE FROM \"d%1$d\".tl_objects WHERE object_id = %2$lld OR parent_object_id = %2$lld;"
        "DELETE FROM \"d%1$d\".tl_columns WHERE object_id = %2$lld;"
        "DELETE FROM \"d%1$d\".tl_indexes WHERE object_id = %2$lld;"
        "DELETE FROM \"d%1$d\".tl_index_columns WHERE object_id = %2$lld;",
        tm->dbid, (long long)tm->object_id);
    int rc = exec_sql(s, sql, err);
    sqlite3_free(sql);
    return rc;
}

/* Rebuild the SQLite table from the catalog (ALTER COLUMN / DROP COLUMN):
 * SQLite cannot change a column's type or nullability in place. */
static int fill_rowversion(struct engine_session *s, struct table_meta *tm, int colid, struct sqlerr *err);

static int rebuild_table(struct engine_session *s, struct table_meta *old, struct sqlerr *err)
{
    struct table_meta *tm = catalog_table_by_id(s, &s->ba, old->dbid, old->object_id);
    struct buf b;
    buf_init(&b, 0);
    int rc = -1;
    if (!tm)
        goto out;
    buf_appendf(&b, "CREATE TABLE \"d%d\".\"tnew%lld\"(", tm->dbid, (long long)tm->object_id);
    for (int i = 0; i < tm->ncols; i++) {
        struct coldef c = {0};
        c.type = tm->cols[i].type;
        if (i)
            buf_append_str(&b, ", ");
        cdef_sql(&b, tm->cols[i].id, &c, tm->cols[i].nullable);
    }
    buf_appendf(&b, "); INSERT INTO \"d%d\".\"tnew%lld\"(rowid", tm->dbid, (long long)tm->object_id);
    for (int i = 0; i < tm->ncols; i++)
        buf_appendf(&b, ", \"c%d\"", tm->cols[i].id);
    buf_append_str(&b, ") SELECT rowid");
    for (int i = 0; i < tm->ncols; i++) {
        char tn[64];
        type_name(&tm->cols[i].type, tn, sizeof(tn));
        buf_appendf(&b, ", tl_cv(\"c%d\", '%s', -1, 0, NULL)", tm->cols[i].id, tn);
    }
    buf_appendf(&b, " FROM \"d%1$d\".\"t%2$lld\"; DROP TABLE \"d%1$d\".\"t%2$lld\";"
                    " ALTER TABLE \"d%1$d\".\"tnew%2$lld\" RENAME TO \"t%2$lld\";",
                tm->dbid, (long long)tm->object_id);
    if (exec_sql(s, (char *)b.data, err))
        goto out;
    for (int k = 0; k < tm->nidx; k++) {
        struct idx_meta *ix = &tm->idx[k];
        buf_reset(&b);
        buf_appendf(&b, "CREATE %sINDEX \"d%d\".\"i%lld_%d\" ON \"t%lld\"(", ix->unique ? "UNIQUE " : "",
                    tm->dbid, (long long)tm->object_id, ix->id, (long long)tm->object_id);
        for (int c = 0; c < ix->ncols; c++)
            buf_appendf(&b, "%s\"c%d\"", c ? ", " : "", ix->cols[c]);
        buf_append_str(&b, ")");
        if (exec_sql(s, (char *)b.data, err))
            goto out;
    }
    rc = 0;
out:
    buf_free(&b);
    return rc;
}

static struct col_meta *find_colmeta(struct table_meta *tm, const char *name)
{
    for (int i = 0; i < tm->ncols; i++)
        if (ieq(tm->cols[i].name, name))
            return &tm->cols[i];
    return NULL;
}

static int alter_table(struct engine_session *s, struct stmt *st, struct table_meta *tm,
                       struct sqlerr *err);

int catalog_alter_table(struct engine_session *s, struct stmt *st, struct sqlerr *err)
{
    struct table_meta *tm = catalog_table(s, &s->ba, &st->name, err);
    if (!tm || alter_table(s, st, tm, err))
        return -1;
    return cdc_table_altered(s, tm, st, err); /* capture instances follow the DDL */
}

static int alter_table(struct engine_session *s, struct stmt *st, struct table_meta *tm,
                       struct sqlerr *err)
{
    int dbid = tm->dbid;
    long long oid = (long long)tm->object_id;
    char *sql;
    int rc;
    switch (st->akind) {
    case AT_ADD_COL: {
        int next = 0;
        for (int i = 0; i < tm->ncols; i++)
            if (tm->cols[i].id > next)
                next = tm->cols[i].id;
        for (int i = 0; i < st->ncdefs; i++) {
            struct coldef *c = &st->cdefs[i];
            int nrv = 0;
            for (int k = 0; k < tm->ncols; k++)
                nrv += tm->cols[k].type.id == TL_T_ROWVERSION;
            if (validate_coldef(c, err) || validate_rowversion(c, tm->name, nrv, err))
                return -1;
            bool rowversion = c->type.id == TL_T_ROWVERSION;
            if (find_colmeta(tm, c->name)) {
                sqlerr_set(err, 2705, 16, "Column names in each table must be unique. Column name '%s' in table '%s' is specified more than once.", c->name, tm->name);
                return -1;
            }
            bool nullable = c->nullable == 1 || (c->nullable == -1 && !c->identity && !rowversion);
            if (!nullable && !c->def && !c->identity && !rowversion) {
                sqlite3_stmt *q = NULL;
                sql = sqlite3_mprintf("SELECT 1 FROM \"d%d\".\"t%lld\" LIMIT 1", dbid, oid);
                bool rows = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW;
                sqlite3_finalize(q);
                sqlite3_free(sql);
                if (rows) {
                    sqlerr_set(err, 4901, 16,
                               "ALTER TABLE only allows columns to be added that can contain nulls, or have a DEFAULT definition specified, or the column being added is an identity or timestamp column, or alternatively if none of the previous conditions are satisfied the table must be empty to allow addition of this column. Column '%s' cannot be added to non-empty table '%s' because it does not satisfy these conditions.",
                               c->name, tm->name);
                    return -1;
                }
            }
            int colid = ++next;
            if (insert_column(s, dbid, tm->object_id, colid, c, nullable, err))
                return -1;
            sql = sqlite3_mprintf("ALTER TABLE \"d%d\".\"t%lld\" ADD COLUMN \"c%d\" %s", dbid, oid, colid, sqlite_decl(&c->type));
            rc = exec_sql(s, sql, err);
            sqlite3_free(sql);
            if (rc)
                return -1;
            if (c->def && add_default(s, dbid, tm->schema_id, tm->object_id, tm->name, colid, c->name, c->def_name, c->def, c->def_text, err))
                return -1;
            if (c->def && (!nullable || true)) {
                /* SQL Server fills existing rows with the default only for NOT NULL
                 * columns (or WITH VALUES); NULL columns stay NULL. */
                if (!nullable) {
                    struct perr pe;
                    struct gen g;
                    codegen_gen_init(&g, s);
                    struct expr *de = parser_expr(&s->ba, c->def_text, strlen(c->def_text), &pe);
                    struct tl_type dt;
                    if (!de || codegen_expr(&g, NULL, de, &dt, NULL)) {
                        codegen_gen_free(&g);
                        sqlerr_set(err, 50000, 16, "tdslite: cannot evaluate default of '%s'.", c->name);
                        return -1;
                    }
                    char tn[64];
                    type_name(&c->type, tn, sizeof(tn));
                    char fn[64];
                    type_name(&dt, fn, sizeof(fn));
                    sql = sqlite3_mprintf("UPDATE \"d%d\".\"t%lld\" SET \"c%d\" = tl_cv(%s, '%s', -1, 0, '%s')", dbid, oid, colid,
                                          (char *)g.sql.data, tn, fn);
                    codegen_gen_free(&g);
                    rc = exec_sql(s, sql, err);
                    sqlite3_free(sql);
                    if (rc)
                        return -1;
                }
            }
            if (c->identity) {
                sqlerr_set(err, 50000, 16, "ALTER TABLE ADD of an IDENTITY column is not supported by tdslite.");
                return -1;
            }
            if (rowversion) {
                /* existing rows get their version now, as on SQL Server */
                tm = catalog_table_by_id(s, &s->ba, dbid, tm->object_id);
                if (!tm || fill_rowversion(s, tm, colid, err))
                    return -1;
            }
            if (!nullable && !c->identity) {
                tm = catalog_table_by_id(s, &s->ba, dbid, tm->object_id);
                if (!tm || rebuild_table(s, tm, err))
                    return -1;
            }
            if (c->pk || c->unique) {
                struct tcons k = {c->pk ? CK_PK : CK_UNIQUE, c->cons_name, &c->name, NULL, 1, c->pk, NULL, NULL, NULL};
                tm = catalog_table_by_id(s, &s->ba, dbid, tm->object_id);
                if (!tm || add_key_constraint(s, dbid, tm->schema_id, tm->object_id, tm->name, &k, NULL, 0, tm, err))
                    return -1;
            }
        }
        return 0;
    }
    case AT_DROP_COL: {
        struct col_meta *c = find_colmeta(tm, st->ident);
        if (!c) {
            if (st->if_exists)
                return 0;
            sqlerr_set(err, 4924, 16, "ALTER TABLE DROP COLUMN failed because column '%s' does not exist in table '%s'.", st->ident, tm->name);
            return -1;
        }
        for (int k = 0; k < tm->nidx; k++)
            for (int j = 0; j < tm->idx[k].ncols; j++)
                if (tm->idx[k].cols[j] == c->id) {
                    sqlerr_set(err, 5074, 16, "The %s '%s' is dependent on column '%s'.",
                               tm->idx[k].pk || tm->idx[k].uq_cons ? "object" : "index", tm->idx[k].name, c->name);
                    sqlerr_set(err, 0, 0, "%s", "");
                    err->number = 5074;
                    err->severity = 16;
                    snprintf(err->text, sizeof(err->text), "The %s '%s' is dependent on column '%s'.",
                             tm->idx[k].pk || tm->idx[k].uq_cons ? "object" : "index", tm->idx[k].name, c->name);
                    return -1;
                }
        if (c->def_name) {
            err->number = 5074;
            err->severity = 16;
            snprintf(err->text, sizeof(err->text), "The object '%s' is dependent on column '%s'.", c->def_name, c->name);
            return -1;
        }
        sql = sqlite3_mprintf("DELETE FROM \"d%d\".tl_columns WHERE object_id = %lld AND column_id = %d;"
                              "ALTER TABLE \"d%d\".\"t%lld\" DROP COLUMN \"c%d\";",
                              dbid, oid, c->id, dbid, oid, c->id);
        rc = exec_sql(s, sql, err);
        sqlite3_free(sql);
        return rc;
    }
    case AT_ALTER_COL: {
        struct coldef *nc = &st->cdefs[0];
        struct col_meta *c = find_colmeta(tm, nc->name);
        if (!c) {
            sqlerr_set(err, 4902, 16, "Cannot find the object \"%s\" because it does not exist or you do not have permissions.", tm->name);
            return -1;
        }
        bool nullable = nc->nullable != 0;
        sql = sqlite3_mprintf("UPDATE \"d%d\".tl_columns SET type_id = %d, length = %d, prec = %d, scale = %d, nullable = %d,"
                              " collation = %Q WHERE object_id = %lld AND column_id = %d",
                              dbid, nc->type.id, nc->type.length, nc->type.precision, nc->type.scale, nullable,
                              type_is_string(nc->type.id) ? "SQL_Latin1_General_CP1_CI_AS" : NULL, oid, c->id);
        rc = exec_sql(s, sql, err);
        sqlite3_free(sql);
        if (rc)
            return -1;
        rc = rebuild_table(s, tm, err);
        if (rc && err->number == 515) {
            err->number = 515;
            snprintf(err->text, sizeof(err->text),
                     "Cannot insert the value NULL into column '%s', table '%s'; column does not allow nulls. UPDATE fails.",
                     c->name, catalog_display_name(&s->ba, tm));
        }
        return rc;
    }
    case AT_ADD_CONS: {
        struct tcons *k = &st->cons[0];
        if (k->kind == CK_DEFAULT) {
            struct col_meta *c = find_colmeta(tm, k->for_col);
            if (!c) {
                sqlerr_set(err, 1911, 16, "Column name '%s' does not exist in the target table or view.", k->for_col);
                return -1;
            }
            if (c->def_name) {
                sqlerr_set(err, 1781, 16, "Column already has a DEFAULT bound to it.");
                return -1;
            }
            return add_default(s, dbid, tm->schema_id, tm->object_id, tm->name, c->id, c->name, k->name, k->def, k->def_text, err);
        }
        if (k->kind == CK_PK) {
            for (int i = 0; i < k->ncols; i++) {
                struct col_meta *c = find_colmeta(tm, k->cols[i]);
                if (c && c->nullable) {
                    sqlerr_set(err, 8111, 16, "Cannot define PRIMARY KEY constraint on nullable column in table '%s'.", tm->name);
                    return -1;
                }
            }
        }
        return add_key_constraint(s, dbid, tm->schema_id, tm->object_id, tm->name, k, NULL, 0, tm, err);
    }
    case AT_ENABLE_CT:
    case AT_DISABLE_CT:
        return ct_alter_table(s, st, tm, err);
    case AT_DROP_CONS: {
        sqlite3_stmt *q = NULL;
        int64_t coid = 0;
        char type[4] = "";
        sql = sqlite3_mprintf("SELECT object_id, type FROM \"d%d\".tl_objects WHERE parent_object_id = %lld AND name = ?", dbid, oid);
        if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) == SQLITE_OK) {
            sqlite3_bind_text(q, 1, st->ident, -1, SQLITE_TRANSIENT);
            if (sqlite3_step(q) == SQLITE_ROW) {
                coid = sqlite3_column_int64(q, 0);
                snprintf(type, sizeof(type), "%s", (const char *)sqlite3_column_text(q, 1));
            }
        }
        sqlite3_finalize(q);
        sqlite3_free(sql);
        if (!coid) {
            if (st->if_exists)
                return 0;
            sqlerr_set(err, 3728, 16, "'%s' is not a constraint.", st->ident);
            return -1;
        }
        if (!strcmp(type, "D")) {
            sql = sqlite3_mprintf("UPDATE \"d%d\".tl_columns SET def_text = NULL, def_object_id = NULL WHERE def_object_id = %lld;"
                                  "DELETE FROM \"d%d\".tl_objects WHERE object_id = %lld;",
                                  dbid, (long long)coid, dbid, (long long)coid);
        } else {
            if (!strcmp(type, "PK") && ct_drop_pk_check(s, st, tm, st->ident, err))
                return -1;
            int iid = 0;
            for (int k = 0; k < tm->nidx; k++)
                if (tm->idx[k].cons_object_id == coid)
                    iid = tm->idx[k].id;
            sql = catalog_sqlf("DROP INDEX IF EXISTS \"d%1$d\".\"i%2$lld_%3$d\";"
                                  "DELETE FROM \"d%1$d\".tl_indexes WHERE object_id = %2$lld AND index_id = %3$d;"
                                  "DELETE FROM \"d%1$d\".tl_index_columns WHERE object_id = %2$lld AND index_id = %3$d;"
                                  "DELETE FROM \"d%1$d\".tl_objects WHERE object_id = %4$lld;",
                                  dbid, oid, iid, (long long)coid);
        }
        rc = exec_sql(s, sql, err);
        sqlite3_free(sql);
        return rc;
    }
    }
    return -1;
}

int catalog_create_index(struct engine_session *s, struct stmt *st, struct sqlerr *err)
{
    struct table_meta *tm = catalog_table(s, &s->ba, &st->name, err);
    if (!tm)
        return -1;
    for (int k = 0; k < tm->nidx; k++)
        if (ieq(tm->idx[k].name, st->ident)) {
            sqlerr_set(err, 1913, 16, "The operation failed because an index or statistics with name '%s' already exists on table '%s'.",
                       st->ident, arena_printf(&s->ba, "%s.%s", tm->schema, tm->name));
            return -1;
        }
    int cols[32];
    bool desc[32] = {0};
    if (st->ncols > 16) {
        sqlerr_set(err, 1904, 16, "The index '%s' on table '%s' has %d column names in index key list. The maximum limit for index or statistics key column list is 16.", st->ident, tm->name, st->ncols);
        return -1;
    }
    int incl[32];
    if (st->nincl > 32) {
        sqlerr_set(err, 50000, 16, "tdslite: an index may INCLUDE at most 32 columns.");
        return -1;
    }
    for (int i = 0; i < st->ncols + st->nincl; i++) {
        const char *name = i < st->ncols ? st->cols[i] : st->incl[i - st->ncols];
        struct col_meta *c = find_colmeta(tm, name);
        if (!c) {
            sqlerr_set(err, 1911, 16, "Column name '%s' does not exist in the target table or view.", name);
            return -1;
        }
        if (i < st->ncols) {
            cols[i] = c->id;
            desc[i] = st->desc && st->desc[i];
        } else {
            incl[i - st->ncols] = c->id;
        }
    }
    if (st->clustered)
        for (int k = 0; k < tm->nidx; k++)
            if (tm->idx[k].id == 1) {
                sqlerr_set(err, 1902, 16, "Cannot create more than one clustered index on table '%s'. Drop the existing clustered index '%s' before creating another.",
                           arena_printf(&s->ba, "%s.%s", tm->schema, tm->name), tm->idx[k].name);
                return -1;
            }
    int iid = st->clustered ? 1 : next_index_id(s, tm->dbid, tm->object_id, false);
    return create_index_rows(s, tm->dbid, tm->object_id, tm->name, iid, st->ident, st->unique, false, false,
                             st->clustered, 0, cols, desc, st->ncols, incl, st->nincl, err);
}

int catalog_drop_index(struct engine_session *s, struct stmt *st, struct sqlerr *err)
{
    struct table_meta *tm = catalog_table(s, &s->ba, &st->name, err);
    if (!tm)
        return -1;
    for (int k = 0; k < tm->nidx; k++) {
        struct idx_meta *ix = &tm->idx[k];
        if (!ieq(ix->name, st->ident))
            continue;
        if (ix->pk || ix->uq_cons) {
            sqlerr_set(err, 3723, 16, "An explicit DROP INDEX is not allowed on index '%s.%s'. It is being used for %s constraint enforcement.",
                       tm->name, ix->name, ix->pk ? "PRIMARY KEY" : "UNIQUE KEY");
            return -1;
        }
        char *sql = catalog_sqlf("DROP INDEX \"d%1$d\".\"i%2$lld_%3$d\";"
                                    "DELETE FROM \"d%1$d\".tl_indexes WHERE object_id = %2$lld AND index_id = %3$d;"
                                    "DELETE FROM \"d%1$d\".tl_index_columns WHERE object_id = %2$lld AND index_id = %3$d;",
                                    tm->dbid, (long long)tm->object_id, ix->id);
        int rc = exec_sql(s, sql, err);
        sqlite3_free(sql);
        return rc;
    }
    if (st->if_exists)
        return 0;
    sqlerr_set(err, 3701, 11, "Cannot drop the index '%s.%s', because it does not exist or you do not have permission.",
               tm->name, st->ident);
    return -1;
}

int catalog_create_schema(struct engine_session *s, struct stmt *st, struct sqlerr *err)
{
    if (catalog_schema_id(s, s->dbid, st->ident) > 0) {
        sqlerr_set(err, 2714, 16, "There is already an object named '%s' in the database.", st->ident);
        return -1;
    }
    char *q = sqlite3_mprintf("%Q", st->ident);
    char *sql = catalog_sqlf("INSERT INTO \"d%1$d\".tl_schemas VALUES ((SELECT v FROM \"d%1$d\".tl_meta WHERE k = 'next_schema_id'), %2$s);"
                                "UPDATE \"d%1$d\".tl_meta SET v = v + 1 WHERE k = 'next_schema_id';",
                                s->dbid, q);
    sqlite3_free(q);
    int rc = exec_sql(s, sql, err);
    sqlite3_free(sql);
    return rc;
}

int catalog_drop_schema(struct engine_session *s, struct stmt *st, struct sqlerr *err)
{
    int sid = catalog_schema_id(s, s->dbid, st->ident);
    if (sid < 0) {
        if (st->if_exists)
            return 0;
        sqlerr_set(err, 3701, 11, "Cannot drop the schema '%s', because it does not exist or you do not have permission.", st->ident);
        return -1;
    }
    if (sid <= 4) {
        sqlerr_set(err, 3708, 16, "Cannot drop the schema '%s' because it is a system schema.", st->ident);
        return -1;
    }
    sqlite3_stmt *q = NULL;
    char *sql = sqlite3_mprintf("SELECT name FROM \"d%d\".tl_objects WHERE schema_id = %d LIMIT 1", s->dbid, sid);
    bool used = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    sqlite3_free(sql);
    if (used) {
        sqlerr_set(err, 3729, 16, "Cannot drop schema '%s' because it is being referenced by object.", st->ident);
        return -1;
    }
    sql = sqlite3_mprintf("DELETE FROM \"d%d\".tl_schemas WHERE schema_id = %d", s->dbid, sid);
    int rc = exec_sql(s, sql, err);
    sqlite3_free(sql);
    return rc;
}

int catalog_create_db(struct engine_session *s, const char *name, struct sqlerr *err)
{
    struct engine *e = s->eng;
    struct db_entry d;
    sqlite3 *db = NULL;
    int rc = -1;
    char cdate[32];
    if (s->trancount > 0) {
        sqlerr_set(err, 226, 16, "CREATE DATABASE statement not allowed within multi-statement transaction.");
        return -1;
    }
    now_datetime(cdate, sizeof(cdate));
    pthread_mutex_lock(&e->mu);
    for (int i = 0; i < e->ndbs; i++)
        if (ieq(e->dbs[i].name, name)) {
            sqlerr_set(err, 1801, 16, "Database '%s' already exists. Choose a different database name.", name);
            goto out;
        }
    int id = e->next_dbid;
    if (add_db(e, id, name, cdate, 0, false)) {
        sqlerr_set(err, 701, 19, "There is insufficient system memory to run this query.");
        goto out;
    }
    d = e->dbs[e->ndbs - 1];
    unlink(d.path);
    if (open_file(d.path, &db)) {
        e->ndbs--;
        sqlerr_set(err, 5105, 16, "A file activation error occurred. The physical file name '%s' may be incorrect.", d.path);
        goto out;
    }
    if (catalog_init_file(db, "main", id, err)) {
        e->ndbs--;
        goto out;
    }
    sqlite3_close(db);
    db = NULL;
    char *mpath = db_path(e, "master", 1);
    if (open_file(mpath, &db) == 0) {
        char *sql = sqlite3_mprintf("INSERT INTO tl_databases(database_id, name, create_date) VALUES (%d, %Q, %Q)", id,
                                    name, cdate);
        sqlite3_exec(db, sql, NULL, NULL, NULL);
        sqlite3_free(sql);
    }
    sl_free(mpath);
    rc = 0;
out:
    pthread_mutex_unlock(&e->mu);
    sqlite3_close(db);
    return rc;
}

int catalog_drop_db(struct engine_session *s, const char *name, bool if_exists, struct sqlerr *err)
{
    struct engine *e = s->eng;
    struct db_entry d;
    if (catalog_find_db(e, name, &d)) {
        if (if_exists)
            return 0;
        sqlerr_set(err, 3701, 11, "Cannot drop the database '%s', because it does not exist or you do not have permission.", name);
        return -1;
    }
    if (d.id == 1) {
        sqlerr_set(err, 3708, 16, "Cannot drop the database 'master' because it is a system database.");
        return -1;
    }
    if (d.id == s->dbid) {
        sqlerr_set(err, 3702, 16, "Cannot drop database \"%s\" because it is currently in use.", d.name);
        return -1;
    }
    if (s->trancount > 0) {
        sqlerr_set(err, 226, 16, "DROP DATABASE statement not allowed within multi-statement transaction.");
        return -1;
    }
    ct_drop_db(s, d.id);
    for (int i = 0; i < s->nattached; i++)
        if (s->attached[i] == d.id) {
            char *sql = sqlite3_mprintf("DETACH DATABASE \"d%d\"", d.id);
            sqlite3_exec(s->db, sql, NULL, NULL, NULL);
            sqlite3_free(sql);
            s->attached[i] = s->attached[--s->nattached];
            break;
        }
    pthread_mutex_lock(&e->mu);
    for (int i = 0; i < e->ndbs; i++)
        if (e->dbs[i].id == d.id) {
            /* Other sessions that still ATTACH the file keep their handle;
             * the name is gone for new references. */
            char p[1300];
            snprintf(p, sizeof(p), "%s", e->dbs[i].path);
            unlink(p);
            snprintf(p, sizeof(p), "%s-wal", e->dbs[i].path);
            unlink(p);
            snprintf(p, sizeof(p), "%s-shm", e->dbs[i].path);
            unlink(p);
            sl_free(e->dbs[i].name);
            sl_free(e->dbs[i].path);
            e->dbs[i] = e->dbs[--e->ndbs];
            break;
        }
    sqlite3 *db = NULL;
    char *mpath = db_path(e, "master", 1);
    if (open_file(mpath, &db) == 0) {
        char *sql = sqlite3_mprintf("DELETE FROM tl_databases WHERE database_id = %d", d.id);
        sqlite3_exec(db, sql, NULL, NULL, NULL);
        sqlite3_free(sql);
    }
    sqlite3_close(db);
    sl_free(mpath);
    pthread_mutex_unlock(&e->mu);
    return 0;
}

/* Database options of ALTER DATABASE ... SET that tdslite keeps. */
static int db_option(const char *opt, const char *val, int *snapshot, int *rcsi, struct sqlerr *err)
{
    bool on = ieq(val, "ON"), off = ieq(val, "OFF");
    if (ieq(opt, "ALLOW_SNAPSHOT_ISOLATION") || ieq(opt, "READ_COMMITTED_SNAPSHOT")) {
        if (!on && !off) {
            sqlerr_set(err, 102, 15, "Incorrect syntax near '%s'.", val);
            return -1;
        }
        *(ieq(opt, "READ_COMMITTED_SNAPSHOT") ? rcsi : snapshot) = on;
        return 0;
    }
    sqlerr_set(err, 50000, 16, "ALTER DATABASE ... SET %s is not supported by tdslite.", opt);
    return -1;
}

int catalog_alter_db(struct engine_session *s, struct stmt *st, struct sqlerr *err)
{
    struct engine *e = s->eng;
    struct db_entry d;
    if (s->trancount > 0) {
        sqlerr_set(err, 226, 16, "ALTER DATABASE statement not allowed within multi-statement transaction.");
        return -1;
    }
    if (st->ident ? catalog_find_db(e, st->ident, &d) : catalog_find_db_id(e, s->dbid, &d)) {
        /* SQL Server sends 5011 (class 14) then 5069; the caller reports the latter */
        char msg[400];
        snprintf(msg, sizeof(msg), "User does not have permission to alter database '%s', the database does not exist, or the database is not in a state that allows access checks.",
                 st->ident);
        exec_msg(s, 5011, 14, 5, st->line + s->line_base, msg, true);
        sqlerr_set(err, 5069, 16, "ALTER DATABASE statement failed.");
        return -1;
    }
    for (int i = 0; i < st->ndbopts; i++)
        if (!strcmp(st->dbopts[i], "CHANGE_TRACKING"))
            return ct_alter_db(s, st, d.id, d.name, err);
    int snapshot = d.snapshot_state ? 1 : 0, rcsi = d.rcsi;
    for (int i = 0; i < st->ndbopts; i++)
        if (db_option(st->dbopts[i], st->dbvals[i], &snapshot, &rcsi, err))
            return -1;
    char *sql = sqlite3_mprintf("UPDATE \"d1\".tl_databases SET snapshot_state = %d, rcsi = %d WHERE database_id = %d",
                                snapshot, rcsi, d.id);
    int rc = exec_sql(s, sql, err);
    sqlite3_free(sql);
    if (rc)
        return -1;
    pthread_mutex_lock(&e->mu);
    for (int i = 0; i < e->ndbs; i++)
        if (e->dbs[i].id == d.id) {
            e->dbs[i].snapshot_state = snapshot;
            e->dbs[i].rcsi = rcsi != 0;
        }
    pthread_mutex_unlock(&e->mu);
    return 0;
}

int catalog_snapshot_check(struct engine_session *s, int dbid, struct sqlerr *err)
{
    struct db_entry d;
    if (s->isolation != 5 || catalog_find_db_id(s->eng, dbid, &d) || d.snapshot_state == 1)
        return 0;
    sqlerr_set(err, 3952, 16,
               "Snapshot isolation transaction failed accessing database '%s' because snapshot isolation is not allowed in this database. Use ALTER DATABASE to allow snapshot isolation.",
               d.name);
    return -1;
}

/* ------------------------------------------------------------ procedures */

/* The parameters' rows of tl_params from the declaration text. */
static int store_params(struct engine_session *s, int dbid, int64_t oid, const char *decl,
                        struct sqlerr *err)
{
    struct coldef *defs = NULL;
    int n = 0;
    struct perr pe = {0};
    if (decl && parser_params(&s->ba, decl, strlen(decl), &defs, &n, &pe)) {
        sqlerr_set(err, pe.number ? pe.number : 102, 15, "%s", pe.text);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < i; j++)
            if (ieq(defs[i].name, defs[j].name)) {
                sqlerr_set(err, 134, 15, "The variable name '%s' has already been declared. Variable names must be unique within a query batch or stored procedure.",
                           defs[i].name);
                return -1;
            }
        char *sql = sqlite3_mprintf("INSERT INTO \"d%d\".tl_params VALUES (%lld, %d, %Q, %d, %d, %d, %d, %d)", dbid,
                                    (long long)oid, i + 1, defs[i].name, defs[i].type.id, defs[i].type.length,
                                    defs[i].type.precision, defs[i].type.scale, defs[i].output);
        int rc = exec_sql(s, sql, err);
        sqlite3_free(sql);
        if (rc)
            return -1;
    }
    return 0;
}

int catalog_create_proc(struct engine_session *s, struct stmt *st, struct sqlerr *err)
{
    const char *schema = st->name.schema ? st->name.schema : "dbo";
    int dbid = s->dbid;
    if (st->name.db && !ieq(st->name.db, s->dbname)) {
        sqlerr_set(err, 166, 15, "'%s' does not allow specifying the database name as a prefix to the object name.",
                   st->proc_mode == PROC_ALTER ? "ALTER PROCEDURE" : "CREATE/ALTER PROCEDURE");
        return -1;
    }
    int sid = catalog_schema_id(s, dbid, schema);
    if (sid < 0) {
        sqlerr_set(err, 2760, 16, "The specified schema name \"%s\" either does not exist or you do not have permission to use it.", schema);
        return -1;
    }
    int64_t oid = find_object(s, dbid, sid, st->name.name, "P");
    if (oid && st->proc_mode == PROC_CREATE) {
        sqlerr_set(err, 2714, 16, "There is already an object named '%s' in the database.", st->name.name);
        return -1;
    }
    if (!oid && st->proc_mode == PROC_ALTER) {
        sqlerr_set(err, 208, 16, "Invalid object name '%s'.", name_text(&s->ba, &st->name));
        return -1;
    }
    char now[32];
    now_datetime(now, sizeof(now));
    char *sql;
    if (oid) {
        sql = sqlite3_mprintf("UPDATE \"d%d\".tl_objects SET modify_date = %Q WHERE object_id = %lld;"
                              "DELETE FROM \"d%d\".tl_procs WHERE object_id = %lld;"
                              "DELETE FROM \"d%d\".tl_params WHERE object_id = %lld;",
                              dbid, now, (long long)oid, dbid, (long long)oid, dbid, (long long)oid);
    } else {
        if (obj_name_taken(s, dbid, sid, st->name.name, err))
            return -1;
        oid = new_object_id(s, dbid, err);
        if (!oid || add_object(s, dbid, oid, st->name.name, sid, 0, "P", err))
            return -1;
        sql = NULL;
    }
    if (sql) {
        int rc = exec_sql(s, sql, err);
        sqlite3_free(sql);
        if (rc)
            return -1;
    }
    sql = sqlite3_mprintf("INSERT INTO \"d%d\".tl_procs VALUES (%lld, %Q, %Q, %Q, %d)", dbid, (long long)oid,
                          st->proc_def, st->proc_params, st->proc_body, st->proc_body_line);
    int rc = exec_sql(s, sql, err);
    sqlite3_free(sql);
    if (rc || store_params(s, dbid, oid, st->proc_params, err))
        return -1;
    return 0;
}

int catalog_drop_proc(struct engine_session *s, struct stmt *st, struct sqlerr *err)
{
    for (int i = 0; i < st->nnames; i++) {
        const struct name3 *n = &st->names[i];
        int dbid;
        const char *dbname;
        int64_t oid = 0;
        if (resolve_db(s, n->db, &dbid, &dbname, err) == 0) {
            int sid = catalog_schema_id(s, dbid, n->schema ? n->schema : "dbo");
            oid = sid > 0 ? find_object(s, dbid, sid, n->name, "P") : 0;
        }
        memset(err, 0, sizeof(*err));
        if (!oid) {
            if (st->if_exists)
                continue;
            sqlerr_set(err, 3701, 11, "Cannot drop the procedure '%s', because it does not exist or you do not have permission.",
                       name_text(&s->ba, n));
            return -1;
        }
        char *sql = catalog_sqlf("DELETE FROM \"d%1$d\".tl_objects WHERE object_id = %2$lld;"
                            "DELETE FROM \"d%1$d\".tl_procs WHERE object_id = %2$lld;"
                            "DELETE FROM \"d%1$d\".tl_params WHERE object_id = %2$lld;",
                            dbid, (long long)oid);
        int rc = exec_sql(s, sql, err);
        sqlite3_free(sql);
        if (rc)
            return -1;
    }
    return 0;
}

int catalog_find_proc(struct engine_session *s, struct arena *a, const struct name3 *n,
                      struct proc_def *out)
{
    int dbid;
    const char *dbname;
    struct sqlerr e = {0};
    sqlite3_stmt *st = NULL;
    int rc = 1;
    if (!n->name || resolve_db(s, n->db, &dbid, &dbname, &e))
        return 1;
    int sid = catalog_schema_id(s, dbid, n->schema ? n->schema : "dbo");
    int64_t oid = sid > 0 ? find_object(s, dbid, sid, n->name, "P") : 0;
    if (!oid)
        return 1;
    char *sql = sqlite3_mprintf("SELECT o.name, sc.name, p.params, p.body, p.body_line FROM \"d%d\".tl_procs p"
                                " JOIN \"d%d\".tl_objects o ON o.object_id = p.object_id"
                                " JOIN \"d%d\".tl_schemas sc ON sc.schema_id = o.schema_id WHERE p.object_id = %lld",
                                dbid, dbid, dbid, (long long)oid);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        out->dbid = dbid;
        out->object_id = oid;
        out->name = colstr(a, st, 0);
        out->schema = colstr(a, st, 1);
        out->params = colstr(a, st, 2);
        out->body = colstr(a, st, 3);
        out->body_line = sqlite3_column_int(st, 4);
        rc = out->body ? 0 : 1;
    }
    sqlite3_finalize(st);
    sqlite3_free(sql);
    return rc;
}

int64_t catalog_get_dbts(struct engine_session *s, int dbid)
{
    sqlite3_stmt *st = NULL;
    int64_t v = 2000;
    char *sql = sqlite3_mprintf("SELECT v FROM \"d%d\".tl_meta WHERE k = 'dbts'", dbid);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_free(sql);
    return v;
}

int catalog_set_dbts(struct engine_session *s, int dbid, int64_t last, struct sqlerr *err)
{
    char *sql = sqlite3_mprintf("INSERT INTO \"d%d\".tl_meta(k, v) VALUES ('dbts', %lld)"
                                " ON CONFLICT(k) DO UPDATE SET v = excluded.v",
                                dbid, (long long)last);
    int rc = exec_sql(s, sql, err);
    sqlite3_free(sql);
    return rc;
}

void catalog_rowversion_bytes(int64_t v, uint8_t out[8])
{
    for (int i = 7; i >= 0; i--) {
        out[i] = (uint8_t)(v & 0xff);
        v = (int64_t)((uint64_t)v >> 8);
    }
}

/* Give every existing row of a table a new rowversion (ALTER TABLE ADD of
 * a rowversion column), in rowid order. */
static int fill_rowversion(struct engine_session *s, struct table_meta *tm, int colid, struct sqlerr *err)
{
    sqlite3_stmt *q = NULL, *u = NULL;
    int rc = -1;
    int64_t dbts = catalog_get_dbts(s, tm->dbid);
    char *sql = sqlite3_mprintf("SELECT rowid FROM \"d%d\".\"t%lld\" ORDER BY rowid", tm->dbid,
                                (long long)tm->object_id);
    char *usql = sqlite3_mprintf("UPDATE \"d%d\".\"t%lld\" SET \"c%d\" = ? WHERE rowid = ?", tm->dbid,
                                 (long long)tm->object_id, colid);
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, usql, -1, &u, NULL) != SQLITE_OK) {
        exec_sqlite_err(s, sqlite3_errcode(s->db), err);
        goto out;
    }
    int r;
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        uint8_t b[8];
        catalog_rowversion_bytes(++dbts, b);
        sqlite3_bind_blob(u, 1, b, 8, SQLITE_TRANSIENT);
        sqlite3_bind_int64(u, 2, sqlite3_column_int64(q, 0));
        if (sqlite3_step(u) != SQLITE_DONE) {
            exec_sqlite_err(s, sqlite3_extended_errcode(s->db), err);
            goto out;
        }
        sqlite3_reset(u);
    }
    if (r != SQLITE_DONE) {
        exec_sqlite_err(s, sqlite3_extended_errcode(s->db), err);
        goto out;
    }
    rc = catalog_set_dbts(s, tm->dbid, dbts, err);
out:
    sqlite3_finalize(q);
    sqlite3_finalize(u);
    sqlite3_free(sql);
    sqlite3_free(usql);
    return rc;
}

int64_t catalog_get_identity(struct engine_session *s, struct table_meta *tm, bool *has)
{
    sqlite3_stmt *st = NULL;
    int64_t v = 0;
    *has = false;
    char *sql = sqlite3_mprintf("SELECT ident_current FROM \"d%d\".tl_columns WHERE object_id = %lld AND is_identity = 1",
                                tm->dbid, (long long)tm->object_id);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_type(st, 0) != SQLITE_NULL) {
        v = sqlite3_column_int64(st, 0);
        *has = true;
    }
    sqlite3_finalize(st);
    sqlite3_free(sql);
    return v;
}

int catalog_set_identity(struct engine_session *s, struct table_meta *tm, int64_t last)
{
    struct sqlerr e = {0};
    char *sql = sqlite3_mprintf("UPDATE \"d%d\".tl_columns SET ident_current = %lld WHERE object_id = %lld AND is_identity = 1",
                                tm->dbid, (long long)last, (long long)tm->object_id);
    int rc = exec_sql(s, sql, &e);
    sqlite3_free(sql);
    return rc;
}

/* ------------------------------------------------------------ catalog views */

/* The built-in types of sys.types as SQL Server 2022 lists them (TYPE_ID,
 * TYPE_NAME and the sys.types view read this table). */
static const struct systype {
    const char *name;
    int system_type_id, user_type_id, max_length, precision, scale;
    bool collated, nullable, assembly;
} systypes[] = {
    {"image", 34, 34, 16, 0, 0, false, true, false},
    {"text", 35, 35, 16, 0, 0, true, true, false},
    {"uniqueidentifier", 36, 36, 16, 0, 0, false, true, false},
    {"date", 40, 40, 3, 10, 0, false, true, false},
    {"time", 41, 41, 5, 16, 7, false, true, false},
    {"datetime2", 42, 42, 8, 27, 7, false, true, false},
    {"datetimeoffset", 43, 43, 10, 34, 7, false, true, false},
    {"tinyint", 48, 48, 1, 3, 0, false, true, false},
    {"smallint", 52, 52, 2, 5, 0, false, true, false},
    {"int", 56, 56, 4, 10, 0, false, true, false},
    {"smalldatetime", 58, 58, 4, 16, 0, false, true, false},
    {"real", 59, 59, 4, 24, 0, false, true, false},
    {"money", 60, 60, 8, 19, 4, false, true, false},
    {"datetime", 61, 61, 8, 23, 3, false, true, false},
    {"float", 62, 62, 8, 53, 0, false, true, false},
    {"sql_variant", 98, 98, 8016, 0, 0, false, true, false},
    {"ntext", 99, 99, 16, 0, 0, true, true, false},
    {"bit", 104, 104, 1, 1, 0, false, true, false},
    {"decimal", 106, 106, 17, 38, 38, false, true, false},
    {"numeric", 108, 108, 17, 38, 38, false, true, false},
    {"smallmoney", 122, 122, 4, 10, 4, false, true, false},
    {"bigint", 127, 127, 8, 19, 0, false, true, false},
    {"hierarchyid", 240, 128, 892, 0, 0, false, true, true},
    {"geometry", 240, 129, -1, 0, 0, false, true, true},
    {"geography", 240, 130, -1, 0, 0, false, true, true},
    {"varbinary", 165, 165, 8000, 0, 0, false, true, false},
    {"varchar", 167, 167, 8000, 0, 0, true, true, false},
    {"binary", 173, 173, 8000, 0, 0, false, true, false},
    {"char", 175, 175, 8000, 0, 0, true, true, false},
    {"timestamp", 189, 189, 8, 0, 0, false, false, false},
    {"nvarchar", 231, 231, 8000, 0, 0, true, true, false},
    {"nchar", 239, 239, 8000, 0, 0, true, true, false},
    {"xml", 241, 241, -1, 0, 0, false, true, false},
    {"sysname", 231, 256, 256, 0, 0, true, false, false},
};

const char *catalog_type_name(int user_type_id)
{
    for (size_t i = 0; i < sizeof(systypes) / sizeof(systypes[0]); i++)
        if (systypes[i].user_type_id == user_type_id)
            return systypes[i].name;
    return NULL;
}

int catalog_type_id(const char *name)
{
    const char *n = name;
    if (!strncasecmp(n, "sys.", 4))
        n += 4;
    for (size_t i = 0; i < sizeof(systypes) / sizeof(systypes[0]); i++)
        if (ieq(systypes[i].name, n))
            return systypes[i].user_type_id;
    return 0;
}

/* The rows of systypes as a SQLite subquery with the sys.types column names. */
static char *systypes_sql(struct arena *a)
{
    struct buf b;
    buf_init(&b, 0);
    buf_append_str(&b, "(SELECT column1 AS name, column2 AS system_type_id, column3 AS user_type_id,"
                       " column4 AS max_length, column5 AS precision, column6 AS scale,"
                       " column7 AS collation_name, column8 AS is_nullable, column9 AS is_assembly_type FROM (VALUES");
    for (size_t i = 0; i < sizeof(systypes) / sizeof(systypes[0]); i++) {
        const struct systype *t = &systypes[i];
        buf_appendf(&b, "%s('%s',%d,%d,%d,%d,%d,%s,%d,%d)", i ? "," : "", t->name, t->system_type_id,
                    t->user_type_id, t->max_length, t->precision, t->scale,
                    t->collated ? "'SQL_Latin1_General_CP1_CI_AS'" : "NULL", t->nullable, t->assembly);
    }
    buf_append_str(&b, "))");
    char *r = arena_strndup(a, b.data ? (char *)b.data : "", b.len);
    buf_free(&b);
    return r;
}

/* Objects that CDC created (the cdc schema of a database enabled for
 * CDC) are system objects: is_ms_shipped = 1, as on SQL Server. */
#define CDC_MS_SHIPPED                                                                         \
    "(o.schema_id IN (SELECT schema_id FROM $D.tl_schemas WHERE name = 'cdc')"                 \
    " AND EXISTS (SELECT 1 FROM $D.tl_cdc_state))"

struct view_def {
    const char *schema;
    const char *name;
    const char *cols; /* "name:type[:n]" separated by ';'  (n = nullable) */
    const char *sql;  /* $D = database alias */
};

static const struct view_def views[] = {
    {"sys", "databases",
     "name:sysname;database_id:int;source_database_id:int:n;owner_sid:varbinary(85):n;create_date:datetime;"
     "compatibility_level:tinyint;collation_name:sysname:n;user_access:tinyint:n;user_access_desc:nvarchar(60):n;"
     "is_read_only:bit:n;state:tinyint:n;state_desc:nvarchar(60):n;recovery_model:tinyint:n;recovery_model_desc:nvarchar(60):n;"
     "snapshot_isolation_state:tinyint:n;snapshot_isolation_state_desc:nvarchar(60):n;is_read_committed_snapshot_on:bit:n;"
     "is_cdc_enabled:bit;is_change_tracking_enabled:bit:n",
     "SELECT name AS name, database_id AS database_id, NULL AS source_database_id, X'01' AS owner_sid, create_date AS create_date,"
     " 160 AS compatibility_level, 'SQL_Latin1_General_CP1_CI_AS' AS collation_name, 0 AS user_access, 'MULTI_USER' AS user_access_desc,"
     " 0 AS is_read_only, 0 AS state, 'ONLINE' AS state_desc, 1 AS recovery_model, 'FULL' AS recovery_model_desc,"
     " snapshot_state AS snapshot_isolation_state,"
     " CASE snapshot_state WHEN 1 THEN 'ON' WHEN 2 THEN 'IN_TRANSITION_TO_OFF' WHEN 3 THEN 'IN_TRANSITION_TO_ON' ELSE 'OFF' END"
     " AS snapshot_isolation_state_desc, rcsi AS is_read_committed_snapshot_on,"
     " is_cdc_enabled AS is_cdc_enabled, database_id IN (SELECT database_id FROM \"d1\".tl_ct_databases)"
     " AS is_change_tracking_enabled FROM \"d1\".tl_databases"},
    /* Change Tracking (ct.c): settings in master, tracked tables per database */
    {"sys", "change_tracking_databases",
     "database_id:int;is_auto_cleanup_on:bit:n;retention_period:int:n;retention_period_units:tinyint:n;"
     "retention_period_units_desc:nvarchar(60):n",
     "SELECT database_id AS database_id, auto_cleanup AS is_auto_cleanup_on, retention AS retention_period,"
     " units AS retention_period_units,"
     " CASE units WHEN 1 THEN 'MINUTES' WHEN 2 THEN 'HOURS' ELSE 'DAYS' END AS retention_period_units_desc"
     " FROM \"d1\".tl_ct_databases"},
    {"sys", "change_tracking_tables",
     "object_id:int;is_track_columns_updated_on:bit;begin_version:bigint:n;cleanup_version:bigint:n;"
     "min_valid_version:bigint:n",
     "SELECT object_id AS object_id, track_columns AS is_track_columns_updated_on, begin_version AS begin_version,"
     " cleanup_version AS cleanup_version, min_valid_version AS min_valid_version FROM $D.tl_ct_tables"},
    {"sys", "schemas", "name:sysname;schema_id:int;principal_id:int:n",
     "SELECT name AS name, schema_id AS schema_id, 1 AS principal_id FROM $D.tl_schemas"},
    /* security catalog (security.c keeps the tables) */
    {"sys", "database_principals",
     "name:sysname;principal_id:int;type:char(1);type_desc:nvarchar(60):n;default_schema_name:sysname:n;"
     "create_date:datetime;modify_date:datetime;owning_principal_id:int:n;sid:varbinary(85):n;is_fixed_role:bit;"
     "authentication_type:int;authentication_type_desc:nvarchar(60):n",
     "SELECT name AS name, principal_id AS principal_id, type AS type,"
     " CASE type WHEN 'R' THEN 'DATABASE_ROLE' ELSE 'SQL_USER' END AS type_desc,"
     " CASE WHEN type = 'S' THEN coalesce(default_schema, 'dbo') END AS default_schema_name,"
     " coalesce(create_date, '2003-04-08 09:10:42.287') AS create_date, coalesce(create_date, '2003-04-08 09:10:42.287') AS modify_date,"
     " CASE WHEN type = 'R' THEN 1 END AS owning_principal_id, sid AS sid,"
     " principal_id >= 16384 AS is_fixed_role, CASE WHEN sid IS NOT NULL AND principal_id <> 2 THEN 1 ELSE 0 END AS authentication_type,"
     " CASE WHEN sid IS NOT NULL AND principal_id <> 2 THEN 'INSTANCE' ELSE 'NONE' END AS authentication_type_desc"
     " FROM $D.tl_principals"},
    {"sys", "database_role_members", "role_principal_id:int;member_principal_id:int",
     "SELECT role_id AS role_principal_id, member_id AS member_principal_id FROM $D.tl_role_members"},
    {"sys", "database_permissions",
     "class:tinyint;class_desc:nvarchar(60):n;major_id:int;minor_id:int;grantee_principal_id:int;grantor_principal_id:int;"
     "type:char(4);permission_name:nvarchar(128):n;state:char(1);state_desc:nvarchar(60):n",
     "SELECT class AS class, CASE class WHEN 0 THEN 'DATABASE' WHEN 1 THEN 'OBJECT_OR_COLUMN' ELSE 'SCHEMA' END AS class_desc,"
     " major_id AS major_id, 0 AS minor_id, grantee_id AS grantee_principal_id, 1 AS grantor_principal_id,"
     " substr(CASE permission WHEN 'SELECT' THEN 'SL' WHEN 'INSERT' THEN 'IN' WHEN 'UPDATE' THEN 'UP' WHEN 'DELETE' THEN 'DL'"
     " WHEN 'EXECUTE' THEN 'EX' WHEN 'REFERENCES' THEN 'RF' WHEN 'ALTER' THEN 'AL' WHEN 'CONTROL' THEN 'CL'"
     " WHEN 'VIEW DEFINITION' THEN 'VW' WHEN 'VIEW CHANGE TRACKING' THEN 'VWCT' WHEN 'TAKE OWNERSHIP' THEN 'TO'"
     " WHEN 'CONNECT' THEN 'CO' WHEN 'CREATE TABLE' THEN 'CRTB' WHEN 'CREATE PROCEDURE' THEN 'CRPR' WHEN 'CREATE VIEW' THEN 'CRVW'"
     " WHEN 'CREATE SCHEMA' THEN 'CRSM' WHEN 'CREATE FUNCTION' THEN 'CRFN' WHEN 'VIEW DATABASE STATE' THEN 'VWDS'"
     " WHEN 'SHOWPLAN' THEN 'SPLN' ELSE upper(substr(permission, 1, 4)) END || '    ', 1, 4) AS type,"
     " upper(permission) AS permission_name, state AS state,"
     " CASE state WHEN 'D' THEN 'DENY' WHEN 'W' THEN 'GRANT_WITH_GRANT_OPTION' ELSE 'GRANT' END AS state_desc"
     " FROM $D.tl_perms"},
    {"sys", "server_principals",
     "name:sysname;principal_id:int;sid:varbinary(85):n;type:char(1);type_desc:nvarchar(60):n;is_disabled:bit:n;"
     "create_date:datetime;modify_date:datetime;default_database_name:sysname:n;default_language_name:sysname:n",
     "SELECT 'sa' AS name, 1 AS principal_id, X'01' AS sid, 'S' AS type, 'SQL_LOGIN' AS type_desc, 0 AS is_disabled,"
     " '2003-04-08 09:10:35.460' AS create_date, '2003-04-08 09:10:35.460' AS modify_date, 'master' AS default_database_name,"
     " 'us_english' AS default_language_name"
     " UNION ALL SELECT 'public', 2, X'02', 'R', 'SERVER_ROLE', 0, '2009-04-13 12:59:06.870', '2009-04-13 12:59:06.870', NULL, NULL"
     " UNION ALL SELECT 'sysadmin', 3, X'03', 'R', 'SERVER_ROLE', 0, '2009-04-13 12:59:06.870', '2009-04-13 12:59:06.870', NULL, NULL"
     " UNION ALL SELECT name, principal_id, sid, 'S', 'SQL_LOGIN', is_disabled, create_date, create_date, default_db, 'us_english'"
     " FROM \"d1\".tl_logins"},
    {"sys", "sql_logins",
     "name:sysname;principal_id:int;sid:varbinary(85):n;type:char(1);type_desc:nvarchar(60):n;is_disabled:bit:n;"
     "create_date:datetime;modify_date:datetime;default_database_name:sysname:n;default_language_name:sysname:n;"
     "is_policy_checked:bit:n;is_expiration_checked:bit:n",
     "SELECT 'sa' AS name, 1 AS principal_id, X'01' AS sid, 'S' AS type, 'SQL_LOGIN' AS type_desc, 0 AS is_disabled,"
     " '2003-04-08 09:10:35.460' AS create_date, '2003-04-08 09:10:35.460' AS modify_date, 'master' AS default_database_name,"
     " 'us_english' AS default_language_name, 1 AS is_policy_checked, 0 AS is_expiration_checked"
     " UNION ALL SELECT name, principal_id, sid, 'S', 'SQL_LOGIN', is_disabled, create_date, create_date, default_db, 'us_english',"
     " is_policy_checked, 0 FROM \"d1\".tl_logins"},
    {"sys", "objects",
     "name:sysname;object_id:int;principal_id:int:n;schema_id:int;parent_object_id:int;type:char(2):n;type_desc:nvarchar(60):n;"
     "create_date:datetime;modify_date:datetime;is_ms_shipped:bit;is_published:bit;is_schema_published:bit",
     "SELECT name AS name, object_id AS object_id, NULL AS principal_id, schema_id AS schema_id, parent_object_id AS parent_object_id,"
     " substr(type || '  ', 1, 2) AS type, CASE type WHEN 'U' THEN 'USER_TABLE' WHEN 'PK' THEN 'PRIMARY_KEY_CONSTRAINT'"
     " WHEN 'UQ' THEN 'UNIQUE_CONSTRAINT' WHEN 'D' THEN 'DEFAULT_CONSTRAINT' WHEN 'P' THEN 'SQL_STORED_PROCEDURE'"
     " ELSE type END AS type_desc,"
     " create_date AS create_date, modify_date AS modify_date, " CDC_MS_SHIPPED " AS is_ms_shipped, 0 AS is_published,"
     " 0 AS is_schema_published FROM $D.tl_objects o"},
    {"sys", "tables",
     "name:sysname;object_id:int;principal_id:int:n;schema_id:int;parent_object_id:int;type:char(2):n;type_desc:nvarchar(60):n;"
     "create_date:datetime;modify_date:datetime;is_ms_shipped:bit;is_published:bit;is_schema_published:bit;"
     "lob_data_space_id:int;filestream_data_space_id:int:n;max_column_id_used:int;lock_on_bulk_load:bit;"
     "uses_ansi_nulls:bit:n;is_replicated:bit:n;has_replication_filter:bit:n;is_merge_published:bit:n;"
     "is_sync_tran_subscribed:bit:n;has_unchecked_assembly_data:bit;text_in_row_limit:int:n;"
     "large_value_types_out_of_row:bit:n;is_tracked_by_cdc:bit:n;lock_escalation:tinyint:n;lock_escalation_desc:nvarchar(60):n;"
     "is_filetable:bit:n;is_memory_optimized:bit:n;durability:tinyint:n;durability_desc:nvarchar(60):n;"
     "temporal_type:tinyint:n;temporal_type_desc:nvarchar(60):n;history_table_id:int:n;is_remote_data_archive_enabled:bit:n;"
     "is_external:bit",
     "SELECT name AS name, object_id AS object_id, NULL AS principal_id, schema_id AS schema_id, 0 AS parent_object_id,"
     " 'U ' AS type, 'USER_TABLE' AS type_desc, create_date AS create_date, modify_date AS modify_date, " CDC_MS_SHIPPED " AS is_ms_shipped,"
     " 0 AS is_published, 0 AS is_schema_published, 0 AS lob_data_space_id, NULL AS filestream_data_space_id,"
     " (SELECT max(column_id) FROM $D.tl_columns c WHERE c.object_id = o.object_id) AS max_column_id_used, 0 AS lock_on_bulk_load,"
     " 1 AS uses_ansi_nulls, 0 AS is_replicated, 0 AS has_replication_filter, 0 AS is_merge_published,"
     " 0 AS is_sync_tran_subscribed, 0 AS has_unchecked_assembly_data, 0 AS text_in_row_limit,"
     " 0 AS large_value_types_out_of_row, EXISTS (SELECT 1 FROM $D.tl_cdc_tables c WHERE c.source_object_id = o.object_id)"
     " AS is_tracked_by_cdc, 0 AS lock_escalation, 'TABLE' AS lock_escalation_desc,"
     " 0 AS is_filetable, 0 AS is_memory_optimized, 0 AS durability, 'SCHEMA_AND_DATA' AS durability_desc,"
     " 0 AS temporal_type, 'NON_TEMPORAL_TABLE' AS temporal_type_desc, NULL AS history_table_id,"
     " 0 AS is_remote_data_archive_enabled, 0 AS is_external FROM $D.tl_objects o WHERE type = 'U'"},
    {"sys", "columns",
     "object_id:int;name:sysname:n;column_id:int;system_type_id:tinyint;user_type_id:int;max_length:smallint;"
     "precision:tinyint;scale:tinyint;collation_name:sysname:n;is_nullable:bit:n;is_ansi_padded:bit;is_rowguidcol:bit;"
     "is_identity:bit;is_computed:bit;is_filestream:bit;is_replicated:bit:n;is_non_sql_subscribed:bit:n;"
     "is_merge_published:bit:n;is_dts_replicated:bit:n;is_xml_document:bit;xml_collection_id:int;default_object_id:int;"
     "rule_object_id:int;is_sparse:bit:n;is_column_set:bit:n;generated_always_type:tinyint:n;"
     "generated_always_type_desc:nvarchar(60):n;is_hidden:bit:n;is_masked:bit:n",
     "SELECT object_id AS object_id, name AS name, column_id AS column_id, tl_systype(type_id) AS system_type_id,"
     " tl_systype(type_id) AS user_type_id, tl_maxlen(type_id, length, prec, scale) AS max_length,"
     " tl_sysprec(type_id, prec, scale) AS precision, tl_sysscale(type_id, scale) AS scale, collation AS collation_name,"
     " nullable AS is_nullable, CASE WHEN collation IS NOT NULL OR type_id IN (24,25) THEN 1 ELSE 0 END AS is_ansi_padded,"
     " 0 AS is_rowguidcol, is_identity AS is_identity, 0 AS is_computed, 0 AS is_filestream, 0 AS is_replicated,"
     " 0 AS is_non_sql_subscribed, 0 AS is_merge_published, 0 AS is_dts_replicated, 0 AS is_xml_document,"
     " 0 AS xml_collection_id, coalesce(def_object_id, 0) AS default_object_id, 0 AS rule_object_id, 0 AS is_sparse,"
     " 0 AS is_column_set, 0 AS generated_always_type, 'NOT_APPLICABLE' AS generated_always_type_desc, 0 AS is_hidden,"
     " 0 AS is_masked FROM $D.tl_columns"},
    {"sys", "types",
     "name:sysname;system_type_id:tinyint;user_type_id:int;schema_id:int;principal_id:int:n;max_length:smallint;"
     "precision:tinyint;scale:tinyint;collation_name:sysname:n;is_nullable:bit:n;is_user_defined:bit;"
     "is_assembly_type:bit;default_object_id:int;rule_object_id:int;is_table_type:bit",
     "SELECT name AS name, system_type_id AS system_type_id, user_type_id AS user_type_id, 4 AS schema_id,"
     " NULL AS principal_id, max_length AS max_length, precision AS precision, scale AS scale,"
     " collation_name AS collation_name, is_nullable AS is_nullable, 0 AS is_user_defined,"
     " is_assembly_type AS is_assembly_type, 0 AS default_object_id, 0 AS rule_object_id, 0 AS is_table_type"
     " FROM $TYPES"},
    {"sys", "indexes",
     "object_id:int;name:sysname:n;index_id:int;type:tinyint;type_desc:nvarchar(60):n;is_unique:bit:n;data_space_id:int:n;"
     "ignore_dup_key:bit:n;is_primary_key:bit:n;is_unique_constraint:bit:n;fill_factor:tinyint;is_padded:bit:n;"
     "is_disabled:bit:n;is_hypothetical:bit:n;is_ignored_in_optimization:bit:n;allow_row_locks:bit:n;"
     "allow_page_locks:bit:n;has_filter:bit:n;filter_definition:nvarchar(max):n",
     "SELECT object_id AS object_id, name AS name, index_id AS index_id, type AS type,"
     " CASE type WHEN 0 THEN 'HEAP' WHEN 1 THEN 'CLUSTERED' ELSE 'NONCLUSTERED' END AS type_desc, is_unique AS is_unique,"
     " 1 AS data_space_id, 0 AS ignore_dup_key, is_primary_key AS is_primary_key, is_unique_constraint AS is_unique_constraint,"
     " 0 AS fill_factor, 0 AS is_padded, 0 AS is_disabled, 0 AS is_hypothetical, 0 AS is_ignored_in_optimization,"
     " 1 AS allow_row_locks, 1 AS allow_page_locks, 0 AS has_filter, NULL AS filter_definition FROM $D.tl_indexes"
     " UNION ALL SELECT object_id, NULL, 0, 0, 'HEAP', 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, NULL FROM $D.tl_objects o"
     " WHERE type = 'U' AND NOT EXISTS (SELECT 1 FROM $D.tl_indexes i WHERE i.object_id = o.object_id AND i.index_id = 1)"},
    {"sys", "index_columns",
     "object_id:int;index_id:int;index_column_id:int;column_id:int;key_ordinal:tinyint;partition_ordinal:tinyint;"
     "is_descending_key:bit:n;is_included_column:bit:n;column_store_order_ordinal:tinyint",
     "SELECT object_id AS object_id, index_id AS index_id, key_ordinal AS index_column_id, column_id AS column_id,"
     " CASE WHEN is_included THEN 0 ELSE key_ordinal END AS key_ordinal, 0 AS partition_ordinal,"
     " is_descending AS is_descending_key, is_included AS is_included_column,"
     " 0 AS column_store_order_ordinal FROM $D.tl_index_columns"},
    {"sys", "key_constraints",
     "name:sysname;object_id:int;principal_id:int:n;schema_id:int;parent_object_id:int;type:char(2):n;type_desc:nvarchar(60):n;"
     "create_date:datetime;modify_date:datetime;is_ms_shipped:bit;is_published:bit;is_schema_published:bit;"
     "unique_index_id:int:n;is_system_named:bit;is_enforced:bit:n",
     "SELECT o.name AS name, o.object_id AS object_id, NULL AS principal_id, o.schema_id AS schema_id,"
     " o.parent_object_id AS parent_object_id, o.type AS type,"
     " CASE o.type WHEN 'PK' THEN 'PRIMARY_KEY_CONSTRAINT' ELSE 'UNIQUE_CONSTRAINT' END AS type_desc,"
     " o.create_date AS create_date, o.modify_date AS modify_date, 0 AS is_ms_shipped, 0 AS is_published,"
     " 0 AS is_schema_published, i.index_id AS unique_index_id, CASE WHEN o.name LIKE 'PK\\_\\_%' ESCAPE '\\' OR o.name LIKE 'UQ\\_\\_%' ESCAPE '\\' THEN 1 ELSE 0 END AS is_system_named,"
     " 1 AS is_enforced FROM $D.tl_objects o LEFT JOIN $D.tl_indexes i ON i.constraint_object_id = o.object_id"
     " WHERE o.type IN ('PK', 'UQ')"},
    {"sys", "default_constraints",
     "name:sysname;object_id:int;principal_id:int:n;schema_id:int;parent_object_id:int;type:char(2):n;type_desc:nvarchar(60):n;"
     "create_date:datetime;modify_date:datetime;is_ms_shipped:bit;is_published:bit;is_schema_published:bit;"
     "parent_column_id:int;definition:nvarchar(max):n;is_system_named:bit",
     "SELECT o.name AS name, o.object_id AS object_id, NULL AS principal_id, o.schema_id AS schema_id,"
     " o.parent_object_id AS parent_object_id, 'D ' AS type, 'DEFAULT_CONSTRAINT' AS type_desc, o.create_date AS create_date,"
     " o.modify_date AS modify_date, 0 AS is_ms_shipped, 0 AS is_published, 0 AS is_schema_published,"
     " c.column_id AS parent_column_id, c.def_text AS definition,"
     " CASE WHEN o.name LIKE 'DF\\_\\_%' ESCAPE '\\' THEN 1 ELSE 0 END AS is_system_named"
     " FROM $D.tl_objects o JOIN $D.tl_columns c ON c.def_object_id = o.object_id WHERE o.type = 'D'"},
    {"sys", "procedures",
     "name:sysname;object_id:int;principal_id:int:n;schema_id:int;parent_object_id:int;type:char(2):n;type_desc:nvarchar(60):n;"
     "create_date:datetime;modify_date:datetime;is_ms_shipped:bit;is_published:bit;is_schema_published:bit;"
     "is_auto_executed:bit;is_execution_replicated:bit:n;is_repl_serializable_subscription:bit:n;skips_repl_constraints:bit:n",
     "SELECT name AS name, object_id AS object_id, NULL AS principal_id, schema_id AS schema_id, 0 AS parent_object_id,"
     " 'P ' AS type, 'SQL_STORED_PROCEDURE' AS type_desc, create_date AS create_date, modify_date AS modify_date,"
     " 0 AS is_ms_shipped, 0 AS is_published, 0 AS is_schema_published, 0 AS is_auto_executed,"
     " 0 AS is_execution_replicated, 0 AS is_repl_serializable_subscription, 0 AS skips_repl_constraints"
     " FROM $D.tl_objects WHERE type = 'P'"},
    {"sys", "parameters",
     "object_id:int;name:sysname:n;parameter_id:int;system_type_id:tinyint;user_type_id:int;max_length:smallint;"
     "precision:tinyint;scale:tinyint;is_output:bit;is_cursor_ref:bit;has_default_value:bit;is_xml_document:bit;"
     "default_value:sql_variant:n;xml_collection_id:int;is_readonly:bit;is_nullable:bit:n",
     "SELECT object_id AS object_id, name AS name, parameter_id AS parameter_id, tl_systype(type_id) AS system_type_id,"
     " tl_systype(type_id) AS user_type_id, tl_maxlen(type_id, length, prec, scale) AS max_length,"
     " tl_sysprec(type_id, prec, scale) AS precision, tl_sysscale(type_id, scale) AS scale, is_output AS is_output,"
     " 0 AS is_cursor_ref, 0 AS has_default_value, 0 AS is_xml_document, NULL AS default_value,"
     " 0 AS xml_collection_id, 0 AS is_readonly, 1 AS is_nullable FROM $D.tl_params"},
    {"sys", "sql_modules",
     "object_id:int;definition:nvarchar(max):n;uses_ansi_nulls:bit:n;uses_quoted_identifier:bit:n;is_schema_bound:bit:n;"
     "uses_database_collation:bit:n;is_recompiled:bit:n;null_on_null_input:bit:n;execute_as_principal_id:int:n;"
     "uses_native_compilation:bit:n",
     "SELECT object_id AS object_id, definition AS definition, 1 AS uses_ansi_nulls, 1 AS uses_quoted_identifier,"
     " 0 AS is_schema_bound, 0 AS uses_database_collation, 0 AS is_recompiled, 0 AS null_on_null_input,"
     " NULL AS execute_as_principal_id, 0 AS uses_native_compilation FROM $D.tl_procs"},
    {"INFORMATION_SCHEMA", "TABLES",
     "TABLE_CATALOG:nvarchar(128):n;TABLE_SCHEMA:nvarchar(128):n;TABLE_NAME:sysname;TABLE_TYPE:varchar(10):n",
     "SELECT $N AS TABLE_CATALOG, s.name AS TABLE_SCHEMA, o.name AS TABLE_NAME, 'BASE TABLE' AS TABLE_TYPE"
     " FROM $D.tl_objects o JOIN $D.tl_schemas s USING (schema_id) WHERE o.type = 'U'"},
    {"INFORMATION_SCHEMA", "COLUMNS",
     "TABLE_CATALOG:nvarchar(128):n;TABLE_SCHEMA:nvarchar(128):n;TABLE_NAME:sysname;COLUMN_NAME:sysname:n;"
     "ORDINAL_POSITION:int:n;COLUMN_DEFAULT:nvarchar(4000):n;IS_NULLABLE:varchar(3):n;DATA_TYPE:nvarchar(128):n;"
     "CHARACTER_MAXIMUM_LENGTH:int:n;CHARACTER_OCTET_LENGTH:int:n;NUMERIC_PRECISION:tinyint:n;NUMERIC_PRECISION_RADIX:smallint:n;"
     "NUMERIC_SCALE:int:n;DATETIME_PRECISION:smallint:n;CHARACTER_SET_CATALOG:sysname:n;CHARACTER_SET_SCHEMA:sysname:n;"
     "CHARACTER_SET_NAME:sysname:n;COLLATION_CATALOG:sysname:n;COLLATION_SCHEMA:sysname:n;COLLATION_NAME:sysname:n;"
     "DOMAIN_CATALOG:sysname:n;DOMAIN_SCHEMA:sysname:n;DOMAIN_NAME:sysname:n",
     "SELECT $N AS TABLE_CATALOG, s.name AS TABLE_SCHEMA, o.name AS TABLE_NAME, c.name AS COLUMN_NAME,"
     " c.column_id AS ORDINAL_POSITION, c.def_text AS COLUMN_DEFAULT,"
     " CASE WHEN c.nullable THEN 'YES' ELSE 'NO' END AS IS_NULLABLE, tl_typename(c.type_id) AS DATA_TYPE,"
     " tl_charlen(c.type_id, c.length, 0) AS CHARACTER_MAXIMUM_LENGTH, tl_charlen(c.type_id, c.length, 1) AS CHARACTER_OCTET_LENGTH,"
     " tl_numprec(c.type_id, c.prec) AS NUMERIC_PRECISION, CASE WHEN tl_numprec(c.type_id, c.prec) IS NOT NULL THEN"
     " CASE WHEN c.type_id IN (10, 11) THEN 2 ELSE 10 END END AS NUMERIC_PRECISION_RADIX,"
     " tl_numscale(c.type_id, c.scale) AS NUMERIC_SCALE, tl_dtprec(c.type_id, c.scale) AS DATETIME_PRECISION,"
     " NULL AS CHARACTER_SET_CATALOG, NULL AS CHARACTER_SET_SCHEMA,"
     " CASE WHEN c.collation IS NOT NULL THEN CASE WHEN c.type_id IN (20,21,23) THEN 'UNICODE' ELSE 'iso_1' END END AS CHARACTER_SET_NAME,"
     " NULL AS COLLATION_CATALOG, NULL AS COLLATION_SCHEMA, c.collation AS COLLATION_NAME, NULL AS DOMAIN_CATALOG,"
     " NULL AS DOMAIN_SCHEMA, NULL AS DOMAIN_NAME"
     " FROM $D.tl_columns c JOIN $D.tl_objects o ON o.object_id = c.object_id JOIN $D.tl_schemas s ON s.schema_id = o.schema_id"
     " WHERE o.type = 'U'"},
    {"INFORMATION_SCHEMA", "TABLE_CONSTRAINTS",
     "CONSTRAINT_CATALOG:nvarchar(128):n;CONSTRAINT_SCHEMA:nvarchar(128):n;CONSTRAINT_NAME:sysname;TABLE_CATALOG:nvarchar(128):n;"
     "TABLE_SCHEMA:nvarchar(128):n;TABLE_NAME:sysname;CONSTRAINT_TYPE:varchar(11):n;IS_DEFERRABLE:varchar(2);INITIALLY_DEFERRED:varchar(2)",
     "SELECT $N AS CONSTRAINT_CATALOG, s.name AS CONSTRAINT_SCHEMA, o.name AS CONSTRAINT_NAME, $N AS TABLE_CATALOG,"
     " s.name AS TABLE_SCHEMA, t.name AS TABLE_NAME, CASE o.type WHEN 'PK' THEN 'PRIMARY KEY' ELSE 'UNIQUE' END AS CONSTRAINT_TYPE,"
     " 'NO' AS IS_DEFERRABLE, 'NO' AS INITIALLY_DEFERRED FROM $D.tl_objects o JOIN $D.tl_objects t ON t.object_id = o.parent_object_id"
     " JOIN $D.tl_schemas s ON s.schema_id = o.schema_id WHERE o.type IN ('PK', 'UQ')"},
    {"INFORMATION_SCHEMA", "KEY_COLUMN_USAGE",
     "CONSTRAINT_CATALOG:nvarchar(128):n;CONSTRAINT_SCHEMA:nvarchar(128):n;CONSTRAINT_NAME:sysname;TABLE_CATALOG:nvarchar(128):n;"
     "TABLE_SCHEMA:nvarchar(128):n;TABLE_NAME:sysname;COLUMN_NAME:nvarchar(128):n;ORDINAL_POSITION:int",
     "SELECT $N AS CONSTRAINT_CATALOG, s.name AS CONSTRAINT_SCHEMA, o.name AS CONSTRAINT_NAME, $N AS TABLE_CATALOG,"
     " s.name AS TABLE_SCHEMA, t.name AS TABLE_NAME, c.name AS COLUMN_NAME, k.key_ordinal AS ORDINAL_POSITION"
     " FROM $D.tl_objects o JOIN $D.tl_objects t ON t.object_id = o.parent_object_id JOIN $D.tl_schemas s ON s.schema_id = o.schema_id"
     " JOIN $D.tl_indexes i ON i.constraint_object_id = o.object_id"
     " JOIN $D.tl_index_columns k ON k.object_id = i.object_id AND k.index_id = i.index_id"
     " JOIN $D.tl_columns c ON c.object_id = k.object_id AND c.column_id = k.column_id WHERE o.type IN ('PK', 'UQ')"},
    {NULL, NULL, NULL, NULL}};

static char *replace_all(struct arena *a, const char *s, const char *what, const char *with)
{
    struct buf b;
    buf_init(&b, 0);
    size_t wl = strlen(what);
    while (*s) {
        if (!strncmp(s, what, wl)) {
            buf_append_str(&b, with);
            s += wl;
        } else {
            buf_append_byte(&b, (uint8_t)*s++);
        }
    }
    char *r = arena_strndup(a, b.data ? (char *)b.data : "", b.len);
    buf_free(&b);
    return r;
}

int catalog_view(struct gen *g, const struct name3 *n, struct src *out)
{
    if (!n->schema)
        return 1;
    if (ieq(n->schema, "cdc"))
        return cdc_view(g, n, out); /* CDC's metadata tables (cdc.c) */
    const struct view_def *v = NULL;
    for (int i = 0; views[i].name; i++)
        if (ieq(views[i].schema, n->schema) && ieq(views[i].name, n->name))
            v = &views[i];
    if (!v) {
        if (ieq(n->schema, "sys") || ieq(n->schema, "INFORMATION_SCHEMA")) {
            codegen_err(g, 208, 16, "Invalid object name '%s.%s'.", n->schema, n->name);
            g->err.number = 208;
            return -1;
        }
        return 1;
    }
    int dbid;
    const char *dbname;
    if (resolve_db(g->s, n->db, &dbid, &dbname, &g->err)) {
        if (!g->err.number)
            sqlerr_set(&g->err, 208, 16, "Invalid object name '%s.%s.%s'.", n->db, n->schema, n->name);
        g->failed = true;
        return -1;
    }
    return catalog_view_src(g, dbid, dbname, v->schema, v->name, v->cols, v->sql, out);
}

int catalog_view_src(struct gen *g, int dbid, const char *dbname, const char *schema,
                     const char *name, const char *cols, const char *view_sql, struct src *out)
{
    memset(out, 0, sizeof(*out));
    out->tname = arena_strdup(g->a, name);
    out->schema = arena_strdup(g->a, schema);
    char alias[24];
    snprintf(alias, sizeof(alias), "\"d%d\"", dbid);
    char *sql = replace_all(g->a, view_sql, "$D", alias);
    char *qn = sqlite3_mprintf("%Q", dbname);
    sql = replace_all(g->a, sql, "$N", qn);
    sqlite3_free(qn);
    if (strstr(sql, "$TYPES"))
        sql = replace_all(g->a, sql, "$TYPES", systypes_sql(g->a));
    out->sqlalias = sql; /* the view text; gen_from wraps it */
    /* columns */
    int cap = 48;
    out->cols = arena_alloc(g->a, sizeof(struct colinfo) * (size_t)cap);
    const char *p = cols;
    while (*p && out->ncols < cap) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char *item = arena_strndup(g->a, p, len);
        char *c1 = strchr(item, ':');
        *c1 = 0;
        char *tn = c1 + 1;
        char *c2 = strchr(tn, ':');
        bool nullable = false;
        if (c2) {
            *c2 = 0;
            nullable = true;
        }
        struct colinfo *c = &out->cols[out->ncols++];
        memset(c, 0, sizeof(*c));
        c->name = item;
        struct value_error ve;
        if (value_parse_type(tn, strlen(tn), &c->type, &ve))
            c->type = (struct tl_type){TL_T_NVARCHAR, 128, 0, 0};
        c->nullable = nullable;
        p = end ? end + 1 : p + len;
    }
    return 0;
}
